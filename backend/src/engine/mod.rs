//! The analysis engine: everything that turns a log archive into answers, with no HTTP in it.
//! [`pipeline`] runs one analysis as the eleven stages of the progress protocol; the other
//! modules are its parts (reading archives and knowledge bases, scanning lines, matching,
//! embedding, deriving findings). Writing the results is [`crate::render`]'s.

pub mod archive;
pub mod derive;
pub mod embed;
pub mod kb;
pub mod matcher;
pub mod models;
pub mod normalize;
pub mod notices;
pub mod parse;
pub mod pipeline;
pub mod playbooks;
pub mod progress;
pub mod scan;

pub use models::ModelKind;
pub use pipeline::{
    AnalysisOutput, AnalysisRequest, DEFAULT_RETAIN_BYTES, Engine, EngineConfig, EngineError,
    UploadedFile,
};
pub use progress::{EngineProgress, ProgressSink};
