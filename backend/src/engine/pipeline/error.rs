//! Why an analysis stopped.

use std::path::PathBuf;

use crate::engine::embed::EmbedError;
use crate::engine::glossary::GlossaryError;
use crate::engine::input::archive::ArchiveError;
use crate::engine::input::kb::KbError;
use crate::engine::input::playbooks::PlaybookError;
use crate::render::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Kb(#[from] KbError),
    #[error(transparent)]
    Playbooks(#[from] PlaybookError),
    #[error(transparent)]
    Glossary(#[from] GlossaryError),
    #[error(transparent)]
    Model(EmbedError),
    #[error(transparent)]
    Report(#[from] RenderError),
    #[error("cannot create the output folder {path}: {source}")]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the analysis was cancelled")]
    Cancelled,
    /// The cases read elsewhere do not fit this archive's plan (a different upload, or a
    /// case missing or read twice).
    #[error("the cases read apart do not fit the archive: {0}")]
    Cases(String),
}

impl EngineError {
    /// What the client is told: the user's own mistakes in full (they name entries of the
    /// archive and rows of a knowledge base), the server's only by kind — paths, model
    /// folders and library messages go to the log.
    pub fn client_detail(&self) -> String {
        match self {
            EngineError::Archive(ArchiveError::Io(_)) => "the stored upload cannot be read".into(),
            EngineError::Archive(e) => e.to_string(),
            EngineError::Kb(e) => e.to_string(),
            EngineError::Playbooks(e) => e.to_string(),
            EngineError::Glossary(e) => e.to_string(),
            EngineError::Model(_) => "the embedding model is not available on this server".into(),
            EngineError::Report(_) | EngineError::OutDir { .. } => {
                "the reports could not be written on the server".into()
            }
            EngineError::Cancelled => self.to_string(),
            EngineError::Cases(_) => "the cases read on other nodes do not fit the archive".into(),
        }
    }
}

impl From<EmbedError> for EngineError {
    fn from(e: EmbedError) -> Self {
        match e {
            EmbedError::Cancelled => EngineError::Cancelled,
            other => EngineError::Model(other),
        }
    }
}
