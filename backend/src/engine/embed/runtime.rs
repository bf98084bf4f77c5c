//! ONNX Runtime, loaded dynamically from the library the set-up installed.
//!
//! `ort` would otherwise look for the library on its own and panic when it is absent; we
//! call `ort::init_from` ourselves so the user gets an error naming the path and the fix.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::EmbedError;

// The environment must outlive every session; ort keeps only a weak reference to it.
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime from `library` and creates the process-wide environment.
/// Later calls with an existing file return at once: the first successful path wins.
pub fn init(library: &Path) -> Result<(), EmbedError> {
    // Checked first so that a wrong path is reported even after another path succeeded.
    if !library.is_file() {
        return Err(EmbedError::RuntimeMissing {
            path: library.to_path_buf(),
        });
    }
    if ENVIRONMENT.get().is_some() {
        return Ok(());
    }
    let _guard = INIT_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    if ENVIRONMENT.get().is_some() {
        return Ok(());
    }
    let load_err = |reason: String| EmbedError::RuntimeLoad {
        path: library.to_path_buf(),
        reason,
    };
    let env = ort::init_from(library)
        .map_err(|e| load_err(e.to_string()))?
        .with_name("loglens")
        .with_telemetry(false)
        .build()
        .map_err(|e| load_err(e.to_string()))?;
    let _ = ENVIRONMENT.set(env);
    tracing::info!(library = %library.display(), "ONNX Runtime loaded");
    Ok(())
}

/// The process-wide environment, once [`init`] has succeeded. Sessions must be created in it:
/// ONNX Runtime allows one environment per process.
pub fn environment() -> Option<ort::environment::Environment> {
    ENVIRONMENT.get().cloned()
}
