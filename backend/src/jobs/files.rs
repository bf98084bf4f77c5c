//! A job's files between this node's data dir and the storage ([`super::storage`]).
//!
//! A job records its files by their path under the data dir when the storage is shared
//! (`uploads/<id>.zip`, `results/<id>/<claim>`): every node has a data dir of its own, and
//! that path is the file's key in the storage. On one server the records keep the paths the
//! server made, as before.

use std::path::{Path, PathBuf};

use super::Jobs;
use super::store::{JobRecord, NewJob, StoreError};

/// The folder of a run's results under the data dir: one per claim on several nodes, so a
/// run that lost its job (its node was presumed dead) never writes into the one that
/// replaced it; a job's one folder on a single server.
pub(super) fn results_folder(id: &str, claim: Option<i64>) -> PathBuf {
    let dir = Path::new("results").join(id);
    match claim {
        Some(n) => dir.join(n.to_string()),
        None => dir,
    }
}

impl Jobs {
    /// A recorded path on this node. One server records its files by the paths it made
    /// (under the data dir as configured, which may be relative to the working directory:
    /// `./data`); several nodes record keys relative to the data dir.
    pub(super) fn local(&self, recorded: &Path) -> PathBuf {
        if recorded.is_absolute() || !self.files.is_shared() {
            return recorded.to_owned();
        }
        self.config.data_dir.join(recorded)
    }

    /// The storage key of a file of this node's data dir.
    pub(super) fn key(&self, local: &Path) -> String {
        let rel = local.strip_prefix(&self.config.data_dir).unwrap_or(local);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Puts a new job's files in the shared storage and records them by key; on one
    /// server, nothing changes.
    pub(super) fn share_inputs(&self, job: &mut NewJob) -> Result<(), StoreError> {
        if !self.files.is_shared() {
            return Ok(());
        }
        let share = |p: &mut PathBuf| -> Result<(), StoreError> {
            let key = self.key(p);
            self.files.put(p, &key)?;
            *p = PathBuf::from(key);
            Ok(())
        };
        share(&mut job.upload_path)?;
        for (_, p) in [
            &mut job.kb,
            &mut job.playbooks,
            &mut job.formats,
            &mut job.glossary,
        ]
        .into_iter()
        .flatten()
        {
            share(p)?;
        }
        Ok(())
    }

    /// The recorded file on this node, fetched from the storage if this node lacks it;
    /// `None` if it is nowhere.
    pub(super) fn fetch(&self, recorded: &Path) -> Result<Option<PathBuf>, StoreError> {
        let local = self.local(recorded);
        if local.is_file() {
            return Ok(Some(local));
        }
        if recorded.as_os_str().is_empty() || !self.files.is_shared() {
            return Ok(None);
        }
        let key = self.key(&local);
        Ok(self.files.get(&key, &local)?.then_some(local))
    }

    /// Whether the job's upload is still kept (here or in the storage).
    pub(super) fn upload_kept_blocking(&self, job: &JobRecord) -> Result<bool, StoreError> {
        if job.upload_path.as_os_str().is_empty() {
            return Ok(false);
        }
        if self.local(&job.upload_path).is_file() {
            return Ok(true);
        }
        Ok(self.fetch(&job.upload_path)?.is_some())
    }

    /// Puts a run's results in the shared storage; returns the folder to record.
    pub(super) fn share_results(&self, out_dir: &Path) -> Result<PathBuf, StoreError> {
        if !self.files.is_shared() {
            return Ok(out_dir.to_owned());
        }
        let mut stack = vec![out_dir.to_owned()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| StoreError::Io {
                path: dir.clone(),
                source,
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    self.files.put(&path, &self.key(&path))?;
                }
            }
        }
        Ok(PathBuf::from(self.key(out_dir)))
    }

    /// A finished job's results folder on this node, fetched whole from the storage the
    /// first time this node serves it.
    pub(super) fn results_here_blocking(&self, recorded: &Path) -> Result<PathBuf, StoreError> {
        let local = self.local(recorded);
        if local.is_dir() || !self.files.is_shared() {
            return Ok(local);
        }
        let prefix = self.key(&local);
        // Fetched beside and renamed: a second request meanwhile never sees half a folder.
        let part = local.with_extension(format!("part-{}", uuid::Uuid::new_v4().simple()));
        for name in self.files.list(&prefix)? {
            self.files
                .get(&format!("{prefix}/{name}"), &part.join(&name))?;
        }
        if std::fs::rename(&part, &local).is_err() {
            let _ = std::fs::remove_dir_all(&part); // another request got there first
        }
        Ok(local)
    }

    /// Removes the job's files, here and in the storage.
    pub(super) fn remove_files(&self, job: &JobRecord) {
        let mut files: Vec<&Path> = [
            &job.kb_path,
            &job.playbooks_path,
            &job.formats_path,
            &job.glossary_path,
        ]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
        if !job.upload_path.as_os_str().is_empty() {
            files.push(&job.upload_path);
        }
        for p in files {
            let local = self.local(p);
            let _ = std::fs::remove_file(&local);
            if let Err(e) = self.files.remove(&self.key(&local)) {
                tracing::warn!(job = %job.id, file = %p.display(), error = %e, "cannot remove from the storage");
            }
        }
        // The scans of its cases read apart (several nodes).
        let units = self.config.data_dir.join("units").join(&job.id);
        let _ = std::fs::remove_dir_all(&units);
        if let Err(e) = self.files.remove(&self.key(&units)) {
            tracing::warn!(job = %job.id, error = %e, "cannot remove case scans from the storage");
        }
        // Every run's results (one folder per claim on several nodes).
        let results = self.config.data_dir.join(results_folder(&job.id, None));
        let _ = std::fs::remove_dir_all(&results);
        if let Some(dir) = &job.result_dir {
            let _ = std::fs::remove_dir_all(self.local(dir));
        }
        if let Err(e) = self.files.remove(&self.key(&results)) {
            tracing::warn!(job = %job.id, error = %e, "cannot remove results from the storage");
        }
    }

    /// After a run on a node that keeps a working copy of a shared job: its copy of the
    /// inputs goes (the storage keeps them).
    pub(super) fn drop_working_copy(&self, job: &JobRecord) {
        if !self.files.is_shared() {
            return;
        }
        for p in [
            Some(&job.upload_path),
            job.kb_path.as_ref(),
            job.playbooks_path.as_ref(),
            job.formats_path.as_ref(),
            job.glossary_path.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if !p.as_os_str().is_empty() {
                let _ = std::fs::remove_file(self.local(p));
            }
        }
    }
}
