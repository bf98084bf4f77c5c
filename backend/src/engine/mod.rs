//! The analysis engine: everything that turns a log archive into answers, with no HTTP in it.

pub mod analyze;
pub mod archive;
pub mod derive;
pub mod embed;
pub mod export;
pub mod kb;
pub mod matcher;
pub mod models;
pub mod normalize;
pub mod notices;
pub mod parse;
pub mod playbooks;
pub mod progress;
pub mod reports;
pub mod scan;

pub use analyze::{
    AnalysisOutput, AnalysisRequest, Engine, EngineConfig, EngineError, ProgressSink, UploadedFile,
};
pub use models::ModelKind;
pub use progress::EngineProgress;
