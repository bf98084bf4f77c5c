//! `POST /process`: the multipart upload, read at a pace it must keep and within its limits,
//! becomes an [`UploadForm`] with every file on disk, which the job system checks whole and
//! queues (`Jobs::accept`). A refused upload leaves nothing behind.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path as FsPath, PathBuf};
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::session::ProcessAccepted;
use tokio::io::AsyncWriteExt;

use super::error::ApiError;
use super::extract::Multipart as MultipartBody;
use super::resumable::Taken;
use super::state::{AppState, UploadLimits};
use crate::engine::ModelKind;
use crate::engine::glossary::MAX_GLOSSARY_BYTES;
use crate::engine::input::kb::MAX_KB_BYTES;
use crate::engine::scan::format::user::MAX_FORMATS_BYTES;
use crate::jobs::intake::{StoredFile, UploadForm};

/// Largest value of a plain (non-file) form field: `model`, `exact_only`.
pub const MAX_FIELD_BYTES: usize = 1024;

/// Files of one upload, removed again unless the job was queued.
pub struct Staged {
    paths: Vec<PathBuf>,
    /// A finished resumable upload taken as the archive: given back unless the job is queued.
    taken: Option<Taken>,
    keep: bool,
}

impl Staged {
    fn new() -> Self {
        Self {
            paths: Vec::new(),
            taken: None,
            keep: false,
        }
    }

    /// The job was queued: its files stay, a resumable upload it took is done with.
    fn commit(&mut self) {
        self.keep = true;
        if let Some(taken) = self.taken.take() {
            taken.keep();
        }
    }

    fn add(&mut self, path: PathBuf) -> PathBuf {
        self.paths.push(path.clone());
        path
    }

    /// Removes a stored field that turned out empty (an optional file input left blank): kept,
    /// it would outlive its job, which never names it.
    async fn discard(&mut self, path: &FsPath) {
        let _ = tokio::fs::remove_file(path).await;
        self.paths.retain(|p| p != path);
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.keep {
            for p in &self.paths {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// One upload in progress of one client; counted while it lives.
pub(super) struct ClientUpload {
    app: AppState,
    client: IpAddr,
}

impl ClientUpload {
    pub(super) fn start(app: &AppState, client: IpAddr) -> Result<Self, ApiError> {
        let limit = app.upload_limits.per_client;
        let mut active = app.active_uploads.lock().unwrap_or_else(|p| p.into_inner());
        let n = active.entry(client).or_default();
        if *n >= limit {
            return Err(ApiError::TooManyUploads { limit });
        }
        *n += 1;
        app.metrics.uploads_in_progress.inc();
        Ok(Self {
            app: app.clone(),
            client,
        })
    }
}

impl Drop for ClientUpload {
    fn drop(&mut self) {
        self.app.metrics.uploads_in_progress.dec();
        let mut active = self
            .app
            .active_uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = active.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                active.remove(&self.client);
            }
        }
    }
}

/// The pace of an upload's body: a stall (no bytes for the read timeout) or a crawl (less than
/// the minimum average rate once the read timeout has passed) ends it, so a client trickling
/// bytes cannot hold a place in the queue.
pub(super) struct Pace {
    limits: UploadLimits,
    started: Instant,
    received: u64,
}

impl Pace {
    pub(super) fn new(limits: UploadLimits) -> Self {
        Self {
            limits,
            started: Instant::now(),
            received: 0,
        }
    }

    fn stalled(&self) -> ApiError {
        ApiError::UploadStalled {
            secs: self.limits.read_timeout.as_secs(),
            min_rate: self.limits.min_rate,
        }
    }

    /// Awaits the next part of the body, at most the read timeout.
    pub(super) async fn next<T>(
        &self,
        part: impl std::future::Future<Output = T>,
    ) -> Result<T, ApiError> {
        tokio::time::timeout(self.limits.read_timeout, part)
            .await
            .map_err(|_| self.stalled())
    }

    pub(super) fn add(&mut self, bytes: usize) -> Result<(), ApiError> {
        self.received += bytes as u64;
        let elapsed = self.started.elapsed();
        if elapsed > self.limits.read_timeout
            && (self.received as f64) < self.limits.min_rate as f64 * elapsed.as_secs_f64()
        {
            return Err(self.stalled());
        }
        Ok(())
    }
}

/// Refuses an upload the disk has no room for (its declared length plus the reserve).
fn check_free_space(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    check_free_space_for(app, declared)
}

/// Refuses `declared` bytes the disk has no room for, with the reserve kept.
pub(super) fn check_free_space_for(app: &AppState, declared: u64) -> Result<(), ApiError> {
    let free = fs4::available_space(app.jobs.data_dir())
        .map_err(|e| ApiError::internal("reading the free space of the data dir", e))?;
    if free < declared.saturating_add(app.upload_limits.min_free) {
        tracing::warn!(free, declared, "upload refused: disk nearly full");
        return Err(ApiError::InsufficientStorage);
    }
    Ok(())
}

/// `POST /process` (and `/process/`): multipart `file`, or `upload` naming a finished resumable
/// upload (`resumable`), (+ `model`, `kb`, `playbooks`, `formats`, `glossary`, `exact_only`).
pub async fn process(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    MultipartBody(mut multipart): MultipartBody,
) -> Result<Response, ApiError> {
    // Take a queue place before reading the body: a full queue costs the client nothing; a
    // stalled body gives it back (see `Pace`).
    let admitted = match ClientUpload::start(&app, peer.ip())
        .and_then(|client| check_free_space(&app, &headers).map(|()| client))
    {
        Ok(client) => match app.jobs.reserve().await {
            Ok(Some(slot)) => Ok((client, slot)),
            Ok(None) => Err(ApiError::QueueFull {
                capacity: app.queue_capacity,
            }),
            Err(e) => Err(e.into()),
        },
        Err(refusal) => Err(refusal),
    };
    let (_client, slot) = match admitted {
        Ok(a) => a,
        Err(refusal) => {
            drain(&mut multipart).await;
            return Err(refusal);
        }
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut staged = Staged::new();
    let mut pace = Pace::new(app.upload_limits);
    let form = read_form(&app, &id, multipart, &mut staged, &mut pace).await?;
    app.jobs.accept(slot, id.clone(), form).await?;
    staged.commit();
    Ok(accepted(&id))
}

/// A refused upload's body is read and dropped, up to this much, before the answer: a client
/// that sends its whole body before reading (most HTTP libraries, browsers' uploads) then sees
/// the 429/507 instead of a broken connection. Bigger bodies are cut off.
pub const MAX_DRAIN_BYTES: u64 = 128 * 1024 * 1024;
/// … within this long.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(30);

async fn drain(multipart: &mut axum::extract::Multipart) {
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        let mut drained: u64 = 0;
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                drained += chunk.len() as u64;
                if drained > MAX_DRAIN_BYTES {
                    return;
                }
            }
        }
    })
    .await;
}

/// 202 with the session id and its `Location`.
pub fn accepted(id: &str) -> Response {
    let mut response = (
        StatusCode::ACCEPTED,
        Json(ProcessAccepted {
            session_id: id.to_owned(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/sessions/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

async fn read_form(
    app: &AppState,
    id: &str,
    mut multipart: axum::extract::Multipart,
    staged: &mut Staged,
    pace: &mut Pace,
) -> Result<UploadForm, ApiError> {
    let uploads = app.jobs.data_dir().join("uploads");
    let mut archive = None;
    let mut kb = None;
    let mut playbooks = None;
    let mut formats = None;
    let mut glossary = None;
    let mut model = ModelKind::Light;
    let mut semantic = true;
    while let Some(field) = pace
        .next(multipart.next_field())
        .await?
        .map_err(|e| multipart_error(&e, app.max_upload_bytes))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                if archive.is_some() {
                    return Err(two_archives());
                }
                let file = base_name(field.file_name().unwrap_or("upload.zip"));
                // The content decides what it is (`engine::input::container`).
                if !loglens_shared::api::is_upload_name(&file) {
                    return Err(ApiError::NotAZip { file });
                }
                // A ZIP is stored as one; anything else as it came, made a ZIP at intake.
                let zip = file.to_lowercase().ends_with(".zip");
                let stored = format!("{id}.{}", if zip { "zip" } else { "upload" });
                let path = staged.add(uploads.join(stored));
                let check = if zip {
                    FieldCheck::Zip
                } else {
                    FieldCheck::NotEmpty
                };
                let bytes =
                    save_field(field, &path, app.max_upload_bytes, check, &file, pace).await?;
                archive = Some(StoredFile {
                    name: file,
                    path,
                    bytes,
                });
            }
            "upload" => {
                if archive.is_some() {
                    return Err(two_archives());
                }
                let named =
                    small_field(field, "upload", "the address of a finished upload", pace).await?;
                let (taken, stored) = Taken::take(app, &named, |name| {
                    let zip = name.to_lowercase().ends_with(".zip");
                    uploads.join(format!("{id}.{}", if zip { "zip" } else { "upload" }))
                })
                .await?;
                staged.taken = Some(taken);
                archive = Some(stored);
            }
            "kb" | "playbooks" | "formats" | "glossary" => {
                let file = base_name(field.file_name().unwrap_or(&name));
                if file.is_empty() {
                    continue;
                }
                let ext = FsPath::new(&file)
                    .extension()
                    .map_or_else(String::new, |e| e.to_string_lossy().to_lowercase());
                let path = staged.add(uploads.join(format!("{id}.{name}.{ext}")));
                let limit = match name.as_str() {
                    "formats" => MAX_FORMATS_BYTES,
                    "glossary" => MAX_GLOSSARY_BYTES,
                    _ => MAX_KB_BYTES,
                };
                let bytes = save_field(field, &path, limit, FieldCheck::None, &file, pace).await?;
                if bytes == 0 {
                    staged.discard(&path).await;
                    continue; // an empty optional file input
                }
                let stored = Some(StoredFile {
                    name: file,
                    path,
                    bytes,
                });
                match name.as_str() {
                    "kb" => kb = stored,
                    "playbooks" => playbooks = stored,
                    "formats" => formats = stored,
                    _ => glossary = stored,
                }
            }
            "model" => {
                let v = small_field(field, "model", "light, heavy", pace).await?;
                model = if v.trim().is_empty() {
                    ModelKind::default()
                } else {
                    v.parse().map_err(|_| ApiError::BadField {
                        field: "model",
                        expected: "light, heavy",
                    })?
                };
            }
            "exact_only" => {
                let v = small_field(field, "exact_only", "true, false", pace).await?;
                semantic = !matches!(v.trim(), "1" | "true" | "on" | "yes");
            }
            _ => {} // unknown fields are ignored, as browsers add their own
        }
    }
    Ok(UploadForm {
        archive: archive.ok_or(ApiError::MissingArchive)?,
        kb,
        playbooks,
        formats,
        glossary,
        model,
        semantic,
    })
}

fn two_archives() -> ApiError {
    ApiError::BadRequest(
        "one archive per upload: the field `file` or `upload` (a finished resumable upload), once"
            .into(),
    )
}

pub fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .trim()
        .to_owned()
}

fn multipart_error(e: &axum::extract::multipart::MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit }
    } else {
        ApiError::BadUpload(e.body_text())
    }
}

/// A plain form field, read up to [`MAX_FIELD_BYTES`]; a longer one is refused unread (and
/// never echoed back).
async fn small_field(
    mut field: axum::extract::multipart::Field<'_>,
    name: &'static str,
    expected: &'static str,
    pace: &mut Pace,
) -> Result<String, ApiError> {
    let mut value = Vec::new();
    while let Some(chunk) = pace
        .next(field.chunk())
        .await?
        .map_err(|e| multipart_error(&e, MAX_FIELD_BYTES as u64))?
    {
        pace.add(chunk.len())?;
        if value.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(ApiError::BadField {
                field: name,
                expected,
            });
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| ApiError::BadField {
        field: name,
        expected,
    })
}

/// What a stored field must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldCheck {
    /// The archive named `.zip`: not empty, and a ZIP from its first bytes.
    Zip,
    /// The archive of another kind: not empty (its content is read at intake).
    NotEmpty,
    /// An optional side file.
    None,
}

/// Streams a multipart field to `path`, enforcing `limit` and what `check` says.
async fn save_field(
    mut field: axum::extract::multipart::Field<'_>,
    path: &FsPath,
    limit: u64,
    check: FieldCheck,
    file_name: &str,
    pace: &mut Pace,
) -> Result<u64, ApiError> {
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::StorageFull {
            ApiError::InsufficientStorage
        } else {
            ApiError::internal("storing the upload", e)
        }
    };
    let not_a_zip = || ApiError::NotAZip {
        file: file_name.to_owned(),
    };
    let zip = check == FieldCheck::Zip;
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut total: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(4);
    while let Some(chunk) = pace
        .next(field.chunk())
        .await?
        .map_err(|e| multipart_error(&e, limit))?
    {
        pace.add(chunk.len())?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(ApiError::TooLarge { limit });
        }
        if zip && head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
            if head.len() == 4
                && !matches!(&head[..], b"PK\x03\x04" | b"PK\x05\x06" | b"PK\x07\x08")
            {
                return Err(not_a_zip());
            }
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    if check != FieldCheck::None && total == 0 {
        return Err(ApiError::EmptyFile {
            file: file_name.to_owned(),
        });
    }
    if zip && head.len() < 4 {
        return Err(not_a_zip());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_client_paths() {
        assert_eq!(base_name("C:\\Users\\x\\logs.zip"), "logs.zip");
        assert_eq!(base_name("/tmp/a/b.zip"), "b.zip");
    }
}
