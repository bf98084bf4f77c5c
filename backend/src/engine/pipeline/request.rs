//! What an analysis is asked to do, what it gives back, and the engine's own settings.

use std::path::PathBuf;
use std::sync::Arc;

use loglens_shared::ModelKind;
use loglens_shared::report::AnalysisReport;

use crate::config::ModelConfig;
use crate::engine::input::archive::ArchiveLimits;
use crate::engine::matching::Thresholds;
use crate::engine::scan::CONTEXT_LINES;
use crate::engine::scan::format::Formats;

/// A file the user uploaded beside the archive (a knowledge base or playbooks).
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What to analyse and how.
#[derive(Debug, Clone)]
pub struct AnalysisRequest {
    /// The uploaded ZIP on disk.
    pub archive: PathBuf,
    /// The name the user gave it (`vc.zip`): names the results and may supply a scenario id.
    pub upload_name: String,
    pub model: ModelKind,
    /// `false` restricts matching to the organizers' exact rule (no model is loaded).
    pub semantic: bool,
    /// Overrides the model's calibrated thresholds.
    pub thresholds: Option<Thresholds>,
    /// Used by cases that bring no knowledge base of their own (else the built-in one).
    pub kb: Option<UploadedFile>,
    pub playbooks: Option<UploadedFile>,
    /// The user's glossaries of aliases (CSV `alias,canonical`), in the order they are read
    /// (the one uploaded beside the archive, then the server's), all before the shipped one.
    pub glossaries: Vec<UploadedFile>,
    /// Where the report files and the results zip are written.
    pub out_dir: PathBuf,
    /// Links marked not relevant: left out when only meaning would make them.
    pub not_relevant: Vec<loglens_shared::api::NotRelevant>,
    /// `kb` is used by every case, also by those that bring their own.
    pub kb_for_all: bool,
}

/// The finished analysis.
#[derive(Debug, Clone)]
pub struct AnalysisOutput {
    pub report: AnalysisReport,
    pub out_dir: PathBuf,
    pub zip: PathBuf,
}

/// Settings of the engine itself (not of one analysis).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub models: ModelConfig,
    pub limits: ArchiveLimits,
    /// Lines of real log context kept around each WARNING/ERROR.
    pub context_lines: usize,
    /// Where KB vectors are persisted (`None`: memory only).
    pub cache_dir: Option<PathBuf>,
    /// Bytes of log lines (with their context) one analysis keeps in memory, all files
    /// together; beyond it, lines are counted, not kept (see `scan`).
    pub retain_bytes: u64,
    /// The formats log files may be in: the built-in catalogue and the user's own.
    pub formats: Arc<Formats>,
}

/// What an analysis keeps of its log lines unless told otherwise.
pub const DEFAULT_RETAIN_BYTES: u64 = 128 * 1024 * 1024;

impl EngineConfig {
    pub fn new(models: ModelConfig, cache_dir: Option<PathBuf>) -> Self {
        Self {
            models,
            limits: ArchiveLimits::default(),
            context_lines: CONTEXT_LINES,
            cache_dir,
            retain_bytes: DEFAULT_RETAIN_BYTES,
            formats: Arc::new(Formats::default()),
        }
    }
}
