//! Resumable uploads on disk: `<data dir>/uploads/resumable/<id>.part` holds the bytes received
//! so far (its length is the upload's offset) and `<id>.json` what the upload was created with.
//! An upload in this node's data dir is served by this node: on several nodes, the PATCHes of one
//! upload and the `POST /process` naming it must reach the node that created it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// How long an unfinished upload is kept after its last byte arrived.
pub const RESUMABLE_TTL: Duration = Duration::from_secs(24 * 3600);
/// Unfinished uploads this server keeps at once, and one client may have.
pub const MAX_OPEN_UPLOADS: usize = 64;
pub const MAX_OPEN_UPLOADS_PER_CLIENT: usize = 8;

/// What an upload was created with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadInfo {
    /// `Upload-Length`: every byte the upload will have.
    pub length: u64,
    /// The client's file name (`filename` in `Upload-Metadata`), its last path segment.
    pub name: String,
    /// The address of the client that created it (its open uploads are counted).
    pub client: String,
}

/// The uploads of this node, and which of them a request is writing or taking now.
pub struct Uploads {
    dir: PathBuf,
    busy: Mutex<HashSet<String>>,
}

/// An upload held by one request: no other may write, take or remove it until this is dropped.
pub struct Held {
    uploads: Arc<Uploads>,
    pub id: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.uploads
            .busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

/// An upload's id is a UUID this server made; anything else names no upload (and never a path).
pub fn parse_id(raw: &str) -> Option<String> {
    // A client may give the upload's whole URL (tus clients know it so).
    let last = raw.trim().trim_end_matches('/').rsplit('/').next()?;
    uuid::Uuid::parse_str(last).ok().map(|u| u.to_string())
}

impl Uploads {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("uploads").join("resumable"),
            busy: Mutex::default(),
        }
    }

    fn info_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    pub fn part_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.part"))
    }

    /// Makes a new, empty upload.
    pub fn create(&self, info: &UploadInfo) -> std::io::Result<String> {
        std::fs::create_dir_all(&self.dir)?;
        let id = uuid::Uuid::new_v4().to_string();
        std::fs::File::create(self.part_path(&id))?;
        let json = serde_json::to_vec(info).map_err(std::io::Error::other)?;
        // Written last: an upload exists once its description does.
        let tmp = self.dir.join(format!("{id}.json.tmp"));
        std::fs::write(&tmp, json)?;
        std::fs::rename(tmp, self.info_path(&id))?;
        Ok(id)
    }

    /// The upload and its offset (the bytes it holds), `None` if there is no such upload.
    pub fn get(&self, id: &str) -> std::io::Result<Option<(UploadInfo, u64)>> {
        let bytes = match std::fs::read(self.info_path(id)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let info: UploadInfo = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
        let offset = match std::fs::metadata(self.part_path(id)) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some((info, offset)))
    }

    /// Holds `id` for one request, waiting up to `wait` for a request holding it to end (a
    /// reloaded page's new PATCH may come before the server has seen the old one's broken
    /// connection). `None`: still held.
    pub async fn hold(self: &Arc<Self>, id: &str, wait: Duration) -> Option<Held> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            if self
                .busy
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.to_owned())
            {
                return Some(Held {
                    uploads: Arc::clone(self),
                    id: id.to_owned(),
                });
            }
            if tokio::time::Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Forgets an upload: its description, and its bytes unless they were taken.
    pub fn remove(&self, id: &str) {
        let _ = std::fs::remove_file(self.info_path(id));
        let _ = std::fs::remove_file(self.part_path(id));
    }

    /// Forgets the description of an upload whose bytes became a job's archive.
    pub fn forget(&self, id: &str) {
        let _ = std::fs::remove_file(self.info_path(id));
    }

    /// Unfinished uploads kept now: in all, and of `client`.
    pub fn open_count(&self, client: &str) -> (usize, usize) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return (0, 0);
        };
        let mut all = 0;
        let mut mine = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                all += 1;
                if std::fs::read(&path)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<UploadInfo>(&b).ok())
                    .is_some_and(|i| i.client == client)
                {
                    mine += 1;
                }
            }
        }
        (all, mine)
    }

    /// Removes uploads no byte has reached for `ttl` (and leftovers of an interrupted create),
    /// except those a request holds.
    pub fn sweep(&self, ttl: Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('.').next())
                .map(str::to_owned)
            else {
                continue;
            };
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > ttl);
            let held = self
                .busy
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&id);
            if !old || held {
                continue;
            }
            // An upload ages with its bytes (the part file is written by every PATCH); a
            // description without its part, or half written, is a leftover.
            let part = path.extension().is_some_and(|e| e == "part");
            if part || !self.part_path(&id).exists() {
                let _ = std::fs::remove_file(&path);
            }
            if part {
                removed += 1;
                let _ = std::fs::remove_file(self.info_path(&id));
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> UploadInfo {
        UploadInfo {
            length: 10,
            name: "logs.zip".into(),
            client: "127.0.0.1".into(),
        }
    }

    #[test]
    fn ids_are_server_made_uuids_never_paths() {
        let id = "0b5c2f1e-8a3d-4e6f-9a7b-1c2d3e4f5a6b";
        assert_eq!(parse_id(id).as_deref(), Some(id));
        assert_eq!(
            parse_id(&format!("http://h:1/api/uploads/{id}/")).as_deref(),
            Some(id)
        );
        assert_eq!(parse_id("../../etc/passwd"), None);
        assert_eq!(parse_id(""), None);
    }

    #[test]
    fn an_upload_offset_is_the_bytes_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(dir.path());
        let id = uploads.create(&info()).unwrap();
        assert_eq!(uploads.get(&id).unwrap(), Some((info(), 0)));
        std::fs::write(uploads.part_path(&id), b"abcd").unwrap();
        assert_eq!(uploads.get(&id).unwrap().unwrap().1, 4);
        assert_eq!(uploads.open_count("127.0.0.1"), (1, 1));
        assert_eq!(uploads.open_count("10.0.0.1"), (1, 0));
        uploads.remove(&id);
        assert_eq!(uploads.get(&id).unwrap(), None);
        assert_eq!(uploads.open_count("127.0.0.1"), (0, 0));
    }

    #[tokio::test]
    async fn one_request_holds_an_upload_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Arc::new(Uploads::new(dir.path()));
        let held = uploads.hold("a", Duration::ZERO).await.unwrap();
        assert!(
            uploads
                .hold("a", Duration::from_millis(120))
                .await
                .is_none()
        );
        assert!(uploads.hold("b", Duration::ZERO).await.is_some());
        drop(held);
        assert!(uploads.hold("a", Duration::ZERO).await.is_some());
    }

    #[test]
    fn the_sweep_removes_only_stale_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(dir.path());
        let id = uploads.create(&info()).unwrap();
        assert_eq!(uploads.sweep(Duration::from_secs(3600)), 0);
        assert!(uploads.get(&id).unwrap().is_some());
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(uploads.sweep(Duration::from_millis(1)), 1);
        assert!(uploads.get(&id).unwrap().is_none());
    }
}
