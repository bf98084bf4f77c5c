//! A model loading on its own thread while the analysis goes on: stage 3 starts the load,
//! the knowledge base and the logs are read meanwhile, and the first text to embed waits for
//! it. Its id is known from the start (a digest of the weights), so cached vectors are found
//! without the model — a run whose vectors are all cached never waits. Loading the light model
//! takes about 0.6 s of a 2 s analysis of 900 MB (`scripts/bench_analyze.sh light`); reading
//! the logs hides it.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::models::{ModelKind, ModelRegistry};
use super::{EmbedError, Embedder};

type Loaded = Result<Arc<dyn Embedder>, EmbedError>;

enum State {
    Loading(JoinHandle<Loaded>),
    Ready(Arc<dyn Embedder>),
    /// The load failed; its error was returned once, then this text.
    Failed(String),
}

/// The model of one analysis, possibly still loading.
pub struct PendingModel {
    id: String,
    kind: ModelKind,
    state: Mutex<State>,
}

impl PendingModel {
    /// Starts loading the model of `kind` (a no-op wait when the process has it already). A
    /// missing model is an error now, not at first use.
    pub fn start(models: &Arc<ModelRegistry>, kind: ModelKind) -> Result<Self, EmbedError> {
        let id = models.identity(kind)?;
        let registry = Arc::clone(models);
        let handle = std::thread::Builder::new()
            .name("model-load".into())
            .spawn(move || {
                let t = std::time::Instant::now();
                let model = registry.get(kind);
                tracing::info!(model = %kind, ms = t.elapsed().as_millis() as u64, ok = model.is_ok(), "model loaded");
                model
            })
            .map_err(|e| {
                EmbedError::Unavailable(format!("cannot start the thread loading the model: {e}"))
            })?;
        Ok(Self {
            id,
            kind,
            state: Mutex::new(State::Loading(handle)),
        })
    }

    /// The loaded model, waiting for the load if it is still running.
    pub fn wait(&self) -> Result<Arc<dyn Embedder>, EmbedError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let loaded = match std::mem::replace(&mut *state, State::Failed(String::new())) {
            State::Ready(m) => Ok(m),
            State::Failed(reason) => Err(EmbedError::Unavailable(reason)),
            State::Loading(handle) => handle.join().unwrap_or_else(|_| {
                Err(EmbedError::Unavailable(format!(
                    "loading the {} model stopped unexpectedly",
                    self.kind
                )))
            }),
        };
        *state = match &loaded {
            Ok(m) => State::Ready(Arc::clone(m)),
            Err(e) => State::Failed(e.to_string()),
        };
        loaded
    }
}

impl Drop for PendingModel {
    /// An analysis that ends before it embeds (a bad glossary, a cancel) still waits for the
    /// load: a process exiting while another thread is inside ONNX Runtime's initialisation
    /// can crash on exit (seen as a SIGSEGV of a test that failed on its glossary).
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let State::Loading(handle) = std::mem::replace(state, State::Failed(String::new())) {
            let _ = handle.join();
        }
    }
}

impl Embedder for PendingModel {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.wait().map_or(0, |m| m.dim())
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        self.wait()?.embed(texts)
    }
}
