//! Embeddings computed once: KB vectors per (model, KB content, glossary) in memory and on disk,
//! message vectors per (model, normalised text) in memory, so a message that recurs across
//! cases or jobs is embedded once per process.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{EmbedError, Embedder};
use crate::engine::glossary::Glossary;
use crate::engine::input::kb::KnowledgeBase;
use crate::engine::matching::{KbVectors, semantic_text};

/// Texts embedded per call, so progress can be reported between calls.
pub const EMBED_CHUNK: usize = 256;

/// Message vectors kept in memory per process before the memo is cleared.
pub const MAX_MEMO_TEXTS: usize = 200_000;

/// Knowledge bases whose vectors stay in memory (least recently used out).
pub const MAX_KB_IN_MEMORY: usize = 16;
/// Vector files kept on disk (least recently used out).
pub const MAX_KB_ON_DISK: usize = 64;

const DISK_MAGIC: &[u8; 8] = b"LLKBVEC2";

/// (model id, normalised text).
type MemoKey = (String, String);

/// Process-wide cache, shared by every job.
pub struct VectorCache {
    dir: Option<PathBuf>,
    kb: Mutex<lru::LruCache<(String, String), Arc<KbVectors>>>,
    memo: Mutex<HashMap<MemoKey, Arc<Vec<f32>>>>,
}

impl Default for VectorCache {
    fn default() -> Self {
        Self::new(None)
    }
}

impl VectorCache {
    /// A cache that also persists KB vectors under `dir` (created if needed).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            kb: Mutex::new(lru::LruCache::new(
                std::num::NonZeroUsize::new(MAX_KB_IN_MEMORY)
                    .unwrap_or(std::num::NonZeroUsize::MIN),
            )),
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// Vectors of the KB's problems and anomalies, from memory, disk, or the model.
    /// `progress(done, total)` is called between embedding chunks.
    pub fn kb_vectors(
        &self,
        model: &dyn Embedder,
        kb: &KnowledgeBase,
        glossary: &Glossary,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<Arc<KbVectors>, EmbedError> {
        // The glossary rewrites KB texts too: vectors are the (KB, glossary) pair's.
        let content = format!("{}-{}", kb.content_hash, &glossary.content_hash[..16]);
        let key = (model.id().to_owned(), content.clone());
        let problems = kb.problem_list();
        let problem_norm: Vec<String> = problems
            .iter()
            .map(|(_, t)| semantic_text(glossary, t))
            .collect();
        let anomaly_norm: Vec<String> = kb
            .anomalies
            .iter()
            .map(|t| semantic_text(glossary, t))
            .collect();
        // A cached set is used only if it is this knowledge base's, entry for entry: anything
        // else is ignored and rebuilt, never indexed out of bounds.
        let fits = |v: &KbVectors| {
            v.problem_ids.len() == problems.len()
                && v.problem_ids
                    .iter()
                    .zip(&problems)
                    .all(|(a, (b, _))| a == b)
                && v.problem_norm == problem_norm
                && v.anomaly_norm == anomaly_norm
                && v.problem_vecs.len() == problems.len()
                && v.anomaly_vecs.len() == anomaly_norm.len()
        };
        if let Some(v) = lock(&self.kb).get(&key)
            && fits(v)
        {
            return Ok(Arc::clone(v));
        }
        let path = self
            .dir
            .as_ref()
            .map(|d| d.join(format!("kb-{}-{content}.vec", model.id())));
        let total = problems.len() + kb.anomalies.len();
        let loaded = path.as_deref().and_then(|p| read_vectors(p, total).ok());
        let vectors = match loaded {
            Some(v) => v,
            None => {
                let texts: Vec<&str> = problem_norm
                    .iter()
                    .chain(&anomaly_norm)
                    .map(String::as_str)
                    .collect();
                let v = embed_chunked(model, &texts, progress)?;
                if let Some(p) = &path {
                    if let Err(e) = write_vectors(p, &v) {
                        tracing::warn!(path = %p.display(), error = %e, "cannot persist KB vectors");
                    }
                    if let Some(dir) = &self.dir {
                        prune(dir, MAX_KB_ON_DISK);
                    }
                }
                v
            }
        };
        let (problem_vecs, anomaly_vecs) = {
            let mut v = vectors;
            let anomalies = v.split_off(problems.len());
            (v, anomalies)
        };
        let kbv = Arc::new(KbVectors {
            problem_ids: problems.iter().map(|(id, _)| *id).collect(),
            problem_norm,
            problem_vecs,
            anomaly_norm,
            anomaly_vecs,
        });
        lock(&self.kb).put(key, Arc::clone(&kbv));
        Ok(kbv)
    }

    /// Vectors for `texts` (already normalised), embedding only those not seen before.
    pub fn messages(
        &self,
        model: &dyn Embedder,
        texts: &[String],
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<HashMap<String, Vec<f32>>, EmbedError> {
        let mut out = HashMap::with_capacity(texts.len());
        let mut missing: Vec<&str> = Vec::new();
        {
            let memo = lock(&self.memo);
            for t in texts {
                match memo.get(&(model.id().to_owned(), t.clone())) {
                    Some(v) => {
                        out.insert(t.clone(), v.as_ref().clone());
                    }
                    None => missing.push(t),
                }
            }
        }
        let vectors = embed_chunked(model, &missing, progress)?;
        let mut memo = lock(&self.memo);
        if memo.len() + missing.len() > MAX_MEMO_TEXTS {
            memo.clear();
        }
        for (t, v) in missing.into_iter().zip(vectors) {
            memo.insert((model.id().to_owned(), t.to_owned()), Arc::new(v.clone()));
            out.insert(t.to_owned(), v);
        }
        Ok(out)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn embed_chunked(
    model: &dyn Embedder,
    texts: &[&str],
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Vec<Vec<f32>>, EmbedError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(EMBED_CHUNK) {
        out.extend(model.embed(chunk)?);
        if !progress(out.len(), texts.len()) {
            return Err(EmbedError::Cancelled);
        }
    }
    Ok(out)
}

fn write_vectors(path: &Path, vectors: &[Vec<f32>]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let dim = vectors.first().map_or(0, Vec::len);
    let mut bytes = Vec::with_capacity(16 + vectors.len() * dim * 4);
    bytes.extend_from_slice(DISK_MAGIC);
    bytes.extend_from_slice(&(dim as u32).to_le_bytes());
    bytes.extend_from_slice(&(vectors.len() as u32).to_le_bytes());
    for v in vectors {
        for x in v {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    // Write then rename: a crash never leaves a torn file under the final name.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::File::create(&tmp)?.write_all(&bytes)?;
    std::fs::rename(tmp, path)
}

/// Removes the least recently used vector files of `dir` beyond `keep`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".vec"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - keep] {
        let _ = std::fs::remove_file(p);
    }
}

/// The vectors in `path`, if it holds `count` of them. Their length is the file's own: the
/// file is named after the model's id (a digest of its weights), so it fits the model —
/// and it can be read while the model still loads.
fn read_vectors(path: &Path, count: usize) -> io::Result<Vec<Vec<f32>>> {
    let mut bytes = Vec::new();
    let mut file = std::fs::File::options().read(true).write(true).open(path)?;
    file.read_to_end(&mut bytes)?;
    // Used now: the least recently used files are the ones pruned.
    let _ = file.set_modified(std::time::SystemTime::now());
    let bad = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "not a KB vector file of this shape",
        )
    };
    let header = bytes.get(..16).ok_or_else(bad)?;
    if &header[..8] != DISK_MAGIC {
        return Err(bad());
    }
    let file_dim = u32::from_le_bytes(header[8..12].try_into().map_err(|_| bad())?) as usize;
    let file_count = u32::from_le_bytes(header[12..16].try_into().map_err(|_| bad())?) as usize;
    let dim = file_dim;
    if dim == 0 || file_count != count || bytes.len() != 16 + dim * count * 4 {
        return Err(bad());
    }
    Ok(bytes[16..]
        .chunks_exact(dim * 4)
        .map(|row| {
            row.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_through_disk_and_shape_is_checked() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("kb.vec");
        let v = vec![vec![0.5f32, -1.0, 2.25], vec![0.0, 1.0, -0.125]];
        write_vectors(&p, &v).expect("write");
        assert_eq!(read_vectors(&p, 2).expect("read"), v);
        assert!(read_vectors(&p, 3).is_err());
        // a file cut short is refused, whatever its header says
        let bytes = std::fs::read(&p).expect("read");
        std::fs::write(&p, &bytes[..bytes.len() - 4]).expect("write");
        assert!(read_vectors(&p, 2).is_err());
        std::fs::write(&p, b"garbage").expect("write");
        assert!(read_vectors(&p, 2).is_err());
    }

    #[test]
    fn the_disk_cache_keeps_the_most_recently_used_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let v = vec![vec![1.0f32]];
        for n in 0..5 {
            write_vectors(&dir.path().join(format!("kb-{n}.vec")), &v).expect("write");
            // distinct modification times, oldest first
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000 + n);
            std::fs::File::options()
                .write(true)
                .open(dir.path().join(format!("kb-{n}.vec")))
                .and_then(|f| f.set_modified(t))
                .expect("mtime");
        }
        // reading kb-0 makes it the most recently used
        read_vectors(&dir.path().join("kb-0.vec"), 1).expect("read");
        prune(dir.path(), 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["kb-0.vec", "kb-3.vec", "kb-4.vec"]);
    }
}
