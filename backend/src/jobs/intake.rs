//! What a new job is made of — the upload, parsed once by the HTTP layer into an
//! [`UploadForm`] with every file on disk — and the check that refuses, before anything is
//! queued, what the analysis would fail on: an archive whose central directory is unsafe or
//! holds no logs, a knowledge base, playbook, formats or glossary file that cannot be used
//! (named with its file and line).

use std::path::PathBuf;

use loglens_shared::ModelKind;
use loglens_shared::api::Problem;

use super::store::{NewJob, StoreError};
use crate::engine::glossary::{Glossary, GlossaryError};
use crate::engine::input::archive::{self, ArchiveError, ArchiveLimits};
use crate::engine::input::container::{self, Container};
use crate::engine::input::kb::{COMPOUND_FILE, KbError, KnowledgeBase, check_compound_file};
use crate::engine::input::playbooks::{PlaybookError, Playbooks};
use crate::engine::scan::format::user::{self, UserFormatError};

/// A file of the form as the user named it and where it was stored.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// The upload, parsed once: what the job system needs to check and queue it.
#[derive(Debug, Clone)]
pub struct UploadForm {
    pub archive: StoredFile,
    pub kb: Option<StoredFile>,
    pub playbooks: Option<StoredFile>,
    /// Log formats (TOML) for what the built-in catalogue does not read.
    pub formats: Option<StoredFile>,
    /// A glossary of aliases (CSV `alias,canonical`) for matching by meaning.
    pub glossary: Option<StoredFile>,
    pub model: ModelKind,
    pub semantic: bool,
}

/// Why an upload was not queued.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("{file}: {source}")]
    Archive { file: String, source: ArchiveError },
    #[error("{source}")]
    Kb { file: String, source: KbError },
    #[error(transparent)]
    Playbooks(PlaybookError),
    #[error("{file}: {source}")]
    Formats {
        file: String,
        source: UserFormatError,
    },
    #[error(transparent)]
    Glossary(GlossaryError),
    #[error("cannot read the stored upload {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntakeError {
    /// The server's own failure (the upload could not be read back, or stored), not the user's.
    pub fn is_servers(&self) -> bool {
        matches!(self, IntakeError::Read { .. } | IntakeError::Store(_))
    }

    /// What went wrong, as the API's problem `code` and facts.
    pub fn problem(&self) -> Problem {
        match self {
            IntakeError::Archive { file, source } => source.problem(file),
            IntakeError::Kb { file, source } => source.problem(file),
            IntakeError::Playbooks(e) => e.problem(),
            IntakeError::Formats { file, source } => source.problem(file),
            IntakeError::Glossary(e) => e.problem(),
            IntakeError::Read { .. } | IntakeError::Store(_) => Problem::InternalError,
        }
    }
}

/// Makes a tar, tar.gz, gzip or plain upload a ZIP (beside it, named `.zip`; the original is
/// removed), so the job and its reruns hold one kind of archive. The archive defences apply
/// while it is repacked. A ZIP upload is left as it is. Returns the file it made, if any
/// (the caller's to remove should the upload be refused later).
pub fn repack(form: &mut UploadForm) -> Result<Option<PathBuf>, IntakeError> {
    let src = form.archive.path.clone();
    let zip = src.with_extension("zip");
    if src == zip {
        return Ok(None);
    }
    let archive_error = |source| IntakeError::Archive {
        file: form.archive.name.clone(),
        source,
    };
    match container::to_zip(&src, &form.archive.name, &zip, &ArchiveLimits::default()) {
        Ok(Container::Zip) => std::fs::rename(&src, &zip).map_err(|source| IntakeError::Read {
            path: src.clone(),
            source,
        })?,
        Ok(_) => {
            let _ = std::fs::remove_file(&src);
        }
        Err(e) => {
            let _ = std::fs::remove_file(&zip);
            return Err(archive_error(e));
        }
    }
    form.archive.bytes = std::fs::metadata(&zip).map_or(form.archive.bytes, |m| m.len());
    form.archive.path = zip.clone();
    Ok(Some(zip))
}

/// Checks `form` whole; the files stay where they are.
pub fn check(form: &UploadForm) -> Result<(), IntakeError> {
    archive::plan(
        &form.archive.path,
        &form.archive.name,
        &ArchiveLimits::default(),
    )
    .map_err(|source| IntakeError::Archive {
        file: form.archive.name.clone(),
        source,
    })?;
    let read = |f: &StoredFile| {
        std::fs::read(&f.path).map_err(|source| IntakeError::Read {
            path: f.path.clone(),
            source,
        })
    };
    if let Some(kb) = &form.kb {
        let bytes = read(kb)?;
        let kb_error = |source| IntakeError::Kb {
            file: kb.name.clone(),
            source,
        };
        if bytes.starts_with(&COMPOUND_FILE) {
            // A legacy `.xls` is only checked for its structure here: calamine's reader can
            // abort its process on a crafted one (fuzzing found a 5.6 KB file asking it for an
            // 11 GB allocation), and this check runs in the server. The analysis reads it in
            // its worker, under the worker's memory limit, and fails the job naming the file.
            check_compound_file(&bytes, &kb.name).map_err(kb_error)?;
        } else {
            KnowledgeBase::parse(&bytes, &kb.name, &kb.name).map_err(kb_error)?;
        }
    }
    if let Some(p) = &form.playbooks {
        Playbooks::parse(&read(p)?, &p.name, &p.name).map_err(IntakeError::Playbooks)?;
    }
    if let Some(f) = &form.formats {
        let formats_error = |source| IntakeError::Formats {
            file: f.name.clone(),
            source,
        };
        let text = String::from_utf8(read(f)?).map_err(|_| {
            formats_error(UserFormatError::Toml {
                line: None,
                message: "the file is not UTF-8 text".into(),
            })
        })?;
        user::parse(&text).map_err(formats_error)?;
    }
    if let Some(g) = &form.glossary {
        Glossary::check_user_file(&read(g)?, &g.name).map_err(IntakeError::Glossary)?;
    }
    Ok(())
}

impl UploadForm {
    /// The job row of this upload, as session `id`.
    pub fn into_job(self, id: String) -> NewJob {
        NewJob {
            id,
            model: self.model,
            semantic: self.semantic,
            upload_name: self.archive.name,
            upload_path: self.archive.path,
            upload_bytes: self.archive.bytes,
            kb: self.kb.map(|f| (f.name, f.path)),
            playbooks: self.playbooks.map(|f| (f.name, f.path)),
            formats: self.formats.map(|f| (f.name, f.path)),
            glossary: self.glossary.map(|f| (f.name, f.path)),
            kb_for_all: false,
        }
    }
}
