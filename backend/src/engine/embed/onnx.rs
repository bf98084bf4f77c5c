//! A fastembed text-embedding model loaded from a local folder (no hub access), such as
//! the light model all-MiniLM-L6-v2 in `models/light/`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};
use sha2::{Digest, Sha256};

use super::{EmbedError, Embedder};

/// Files a model folder must hold (the Hugging Face layout fastembed expects).
pub const MODEL_FILES: [&str; 5] = [
    "model.onnx",
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
];

/// Texts per ONNX run: 32–64 is the measured sweet spot on 2 cores for short log lines.
pub const BATCH_SIZE: usize = 64;

/// Longest input in tokens; log messages are short, and shorter sequences are cheaper.
pub const MAX_TOKENS: usize = 128;

/// A fastembed model with mean pooling and L2-normalised output.
pub struct OnnxEmbedder {
    id: String,
    dim: usize,
    // fastembed's `embed` takes `&mut self`; one model is shared by every job in the process.
    model: Mutex<TextEmbedding>,
}

/// A model's identity: `name` plus a digest of its weights, so cached vectors follow the model.
fn id_of(name: &str, onnx: &[u8]) -> String {
    let digest: String = Sha256::digest(onnx)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{name}-{digest}")
}

/// One file of the model folder `dir`; a missing one is named as such.
fn read_model_file(dir: &Path, file: &str) -> Result<Vec<u8>, EmbedError> {
    let path = dir.join(file);
    std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EmbedError::ModelFileMissing { path },
        _ => EmbedError::Io { path, source },
    })
}

impl OnnxEmbedder {
    /// The id the model in `dir` will have once loaded, without loading it (cache keys can be
    /// looked up while it loads).
    pub fn identity(dir: &Path, name: &str) -> Result<String, EmbedError> {
        Ok(id_of(name, &read_model_file(dir, MODEL_FILES[0])?))
    }

    /// Loads the model in `dir`; ONNX Runtime must be initialised first ([`super::runtime::init`]).
    /// Its id is `name` plus a digest of the weights, so cached vectors follow the model.
    /// Files are checked before the runtime so a missing model is reported as such.
    pub fn load(dir: &Path, name: &str) -> Result<Self, EmbedError> {
        let read = |file: &str| read_model_file(dir, file);
        let onnx = read(MODEL_FILES[0])?;
        let id = id_of(name, &onnx);
        let tokenizer_files = TokenizerFiles {
            tokenizer_file: read(MODEL_FILES[1])?,
            config_file: read(MODEL_FILES[2])?,
            special_tokens_map_file: read(MODEL_FILES[3])?,
            tokenizer_config_file: read(MODEL_FILES[4])?,
        };
        let model =
            UserDefinedEmbeddingModel::new(onnx, tokenizer_files).with_pooling(Pooling::Mean);
        let Some(environment) = super::runtime::environment() else {
            return Err(EmbedError::ModelLoad {
                dir: dir.to_path_buf(),
                reason: "ONNX Runtime is not initialised".into(),
            });
        };
        let mut options = InitOptionsUserDefined::new().with_max_length(MAX_TOKENS);
        options.environment = Some(environment);
        let load_err = |e: fastembed::Error| EmbedError::ModelLoad {
            dir: PathBuf::from(dir),
            reason: e.to_string(),
        };
        let mut model =
            TextEmbedding::try_new_from_user_defined(model, options).map_err(load_err)?;
        let probe = model.embed(["dimension probe"], None).map_err(load_err)?;
        let dim = probe.first().map_or(0, Vec::len);
        Ok(Self {
            id,
            dim,
            model: Mutex::new(model),
        })
    }
}

impl Embedder for OnnxEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut model = self.model.lock().unwrap_or_else(|p| p.into_inner());
        model
            .embed(texts, Some(BATCH_SIZE))
            .map_err(|e| EmbedError::Inference(e.to_string()))
    }
}
