//! The analysis engine: everything that turns a log archive into answers, with no HTTP in it.
//! [`pipeline`] runs one analysis as the eleven stages of the progress protocol over the
//! parts: [`input`] reads what the user gives (the archive's plan, knowledge bases,
//! playbooks), [`scan`] streams log lines and keeps the signal ones, [`matching`] applies the
//! exact rule then similarity, [`embed`] runs the models, [`findings`] derives incidents,
//! predictions, novel anomalies and notices. Writing the results is [`crate::render`]'s.

pub mod embed;
pub mod findings;
pub mod glossary;
pub mod input;
pub mod matching;
pub mod normalize;
pub mod patterns;
pub mod pipeline;
pub mod progress;
pub mod scan;

pub use embed::models::ModelKind;
pub use pipeline::{
    AnalysisOutput, AnalysisRequest, CaseScan, DEFAULT_RETAIN_BYTES, Engine, EngineConfig,
    EngineError, UploadedFile,
};
pub use progress::{EngineProgress, ProgressSink};
