//! Where uploads and results are kept (`LOGLENS_STORAGE_URL`), in two forms behind one trait:
//!
//! - [`LocalFiles`] (unset): the data dir is the storage; nothing to copy. One server.
//! - [`ObjectFiles`]: an `object_store` store every node reaches — `file:///shared/dir` (a
//!   folder all nodes mount) or `s3://bucket[/prefix]?endpoint=http://host:port&region=…`
//!   (any S3-compatible store; credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`).
//!
//! Either way the analysis reads and writes plain local files: the data dir is each node's
//! working copy. A file is named by its path under the data dir (`uploads/<id>.zip`,
//! `results/<id>/<claim>/…`), which is also its key in the store; the node that accepts an
//! upload puts it there, the node that runs a job fetches what it lacks, and the node that
//! serves a report fetches the results once. Every call blocks (it is made on the blocking
//! pool, where an object store's futures are driven by the runtime's handle).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

/// What went wrong reaching the storage.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("storage {store}: {source}")]
    Store {
        store: String,
        source: object_store::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("storage: no runtime to drive it ({0})")]
    Runtime(String),
}

/// Uploads and results, by their path under the data dir. Every call blocks.
pub trait FileStorage: Send + Sync {
    /// Whether files must be copied to and from a store other nodes reach.
    fn is_shared(&self) -> bool;
    /// Copies the local file `local` to `key`.
    fn put(&self, local: &Path, key: &str) -> Result<(), StorageError>;
    /// Copies `key` to the local file `local` (made anew); `false` if there is no such key.
    fn get(&self, key: &str, local: &Path) -> Result<bool, StorageError>;
    /// The keys under `prefix` (a folder: `results/<id>/<claim>`), relative to it.
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    /// Removes `key` and everything under it as a folder; missing keys are no error.
    fn remove(&self, key: &str) -> Result<(), StorageError>;
    /// For logs: where files go.
    fn describe(&self) -> String;
}

/// The data dir is the storage (one server).
pub struct LocalFiles;

impl FileStorage for LocalFiles {
    fn is_shared(&self) -> bool {
        false
    }
    fn put(&self, _local: &Path, _key: &str) -> Result<(), StorageError> {
        Ok(())
    }
    fn get(&self, _key: &str, local: &Path) -> Result<bool, StorageError> {
        Ok(local.exists())
    }
    fn list(&self, _prefix: &str) -> Result<Vec<String>, StorageError> {
        Ok(Vec::new())
    }
    fn remove(&self, _key: &str) -> Result<(), StorageError> {
        Ok(())
    }
    fn describe(&self) -> String {
        "the data dir".into()
    }
}

/// An `object_store` store all nodes reach: a shared folder or an S3-compatible bucket.
pub struct ObjectFiles {
    store: Arc<dyn ObjectStore>,
    runtime: tokio::runtime::Handle,
    /// The URL without credentials, for messages.
    name: String,
}

/// Opens the storage `url` names; `None` = the data dir.
pub fn open(url: Option<&str>) -> Result<Arc<dyn FileStorage>, StorageError> {
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(Arc::new(LocalFiles)),
        Some(url) => Ok(Arc::new(ObjectFiles::open(url)?)),
    }
}

impl ObjectFiles {
    /// `file:///dir` or `s3://bucket[/prefix]?endpoint=…&region=…`. Call within the runtime
    /// (its handle drives the store's futures later, from blocking threads).
    pub fn open(url: &str) -> Result<ObjectFiles, StorageError> {
        let bad = |reason: String| StorageError::Url {
            url: url.to_owned(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "file" => {
                let dir = parsed
                    .to_file_path()
                    .map_err(|()| bad("not a local folder".into()))?;
                std::fs::create_dir_all(&dir).map_err(|source| StorageError::Io {
                    path: dir.clone(),
                    source,
                })?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .map_err(|e| bad(e.to_string()))?,
                )
            }
            "s3" => {
                let bucket = parsed
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| bad("no bucket (s3://bucket?endpoint=…)".into()))?;
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region("us-east-1");
                if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
                    // No credentials: anonymous requests (a store open to this network),
                    // rather than a wait for a cloud metadata service that is not there.
                    builder = builder.with_skip_signature(true);
                }
                for (k, v) in parsed.query_pairs() {
                    builder = match k.as_ref() {
                        "endpoint" => builder
                            .with_allow_http(v.starts_with("http://"))
                            .with_endpoint(v.as_ref()),
                        "region" => builder.with_region(v.as_ref()),
                        other => {
                            return Err(bad(format!(
                                "unknown setting {other:?} (known: endpoint, region)"
                            )));
                        }
                    };
                }
                let s3: Arc<dyn ObjectStore> =
                    Arc::new(builder.build().map_err(|e| bad(e.to_string()))?);
                let prefix = parsed.path().trim_matches('/');
                if prefix.is_empty() {
                    s3
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
                }
            }
            other => {
                return Err(bad(format!("unknown scheme {other:?} (file:// or s3://)")));
            }
        };
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| StorageError::Runtime(e.to_string()))?;
        let mut name = parsed.clone();
        let _ = name.set_password(None);
        let _ = name.set_username("");
        Ok(ObjectFiles {
            store,
            runtime,
            name: name.to_string(),
        })
    }

    fn failed(&self, source: object_store::Error) -> StorageError {
        StorageError::Store {
            store: self.name.clone(),
            source,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_owned(),
        source,
    }
}

impl FileStorage for ObjectFiles {
    fn is_shared(&self) -> bool {
        true
    }

    fn put(&self, local: &Path, key: &str) -> Result<(), StorageError> {
        self.runtime.block_on(async {
            let mut file = tokio::fs::File::open(local).await.map_err(io(local))?;
            // Streamed in parts (multipart on S3): an upload of a gigabyte is never in memory.
            let mut writer = BufWriter::new(Arc::clone(&self.store), Key::from(key));
            if let Err(e) = tokio::io::copy(&mut file, &mut writer).await {
                let _ = writer.abort().await;
                return Err(io(local)(e));
            }
            writer.shutdown().await.map_err(io(local))
        })
    }

    fn get(&self, key: &str, local: &Path) -> Result<bool, StorageError> {
        self.runtime.block_on(async {
            let found = match self.store.get(&Key::from(key)).await {
                Ok(found) => found,
                Err(object_store::Error::NotFound { .. }) => return Ok(false),
                Err(e) => return Err(self.failed(e)),
            };
            if let Some(dir) = local.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
            }
            // Written beside and renamed: a reader never sees half a file.
            // Two readers of one job on this node may fetch the same file at once.
            let part = local.with_extension(format!("part-{}", uuid::Uuid::new_v4().simple()));
            let mut file = tokio::fs::File::create(&part).await.map_err(io(&part))?;
            let mut stream = found.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.failed(e))?;
                file.write_all(&chunk).await.map_err(io(&part))?;
            }
            file.flush().await.map_err(io(&part))?;
            drop(file);
            tokio::fs::rename(&part, local).await.map_err(io(local))?;
            Ok(true)
        })
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        self.runtime.block_on(async {
            let prefix = Key::from(prefix);
            let mut keys = Vec::new();
            let mut listing = self.store.list(Some(&prefix));
            while let Some(meta) = listing.next().await {
                let meta = match meta {
                    Ok(meta) => meta,
                    Err(object_store::Error::NotFound { .. }) => continue,
                    Err(e) => return Err(self.failed(e)),
                };
                if let Some(rest) = meta.location.prefix_match(&prefix) {
                    keys.push(
                        rest.map(|p| p.as_ref().to_owned())
                            .collect::<Vec<_>>()
                            .join("/"),
                    );
                }
            }
            Ok(keys)
        })
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.runtime.block_on(async {
            let key = Key::from(key);
            let mut doomed: Vec<Key> = vec![key.clone()];
            let mut listing = self.store.list(Some(&key));
            while let Some(meta) = listing.next().await {
                match meta {
                    Ok(meta) => doomed.push(meta.location),
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(self.failed(e)),
                }
            }
            for k in doomed {
                match self.store.delete(&k).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(self.failed(e)),
                }
            }
            Ok(())
        })
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}
