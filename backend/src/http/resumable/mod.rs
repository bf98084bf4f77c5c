//! Resumable uploads: the tus 1.0 protocol (core, creation and termination) at `/api/uploads`,
//! for archives too big to send again after a broken connection or a reloaded page.
//!
//! `POST /api/uploads` (`Upload-Length`, `Upload-Metadata: filename …`) makes an empty upload
//! and answers its `Location`; `HEAD` tells its offset; `PATCH` appends at that offset
//! (`application/offset+octet-stream`), keeping whatever arrived when a connection breaks;
//! `DELETE` forgets it. A finished upload is analysed like any other: `POST /process` with the
//! form field `upload` naming it instead of `file` — the same queue place, the same checks
//! (`Jobs::accept`), and a refusal leaves the upload in place to be sent to `/process` again.
//! The size limit, the per-client count, the pace and the disk reserve of `/process` apply.

pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use self::store::{Held, MAX_OPEN_UPLOADS, MAX_OPEN_UPLOADS_PER_CLIENT, RESUMABLE_TTL, UploadInfo};
use super::error::ApiError;
use super::state::AppState;
use super::upload::{ClientUpload, Pace, base_name, check_free_space_for};
use crate::jobs::intake::StoredFile;

/// The protocol version spoken, and the only one accepted.
pub const TUS_VERSION: &str = "1.0.0";
pub const TUS_EXTENSIONS: &str = "creation,termination";
/// The media type of a PATCH body.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";
/// How long a request waits for another one holding the same upload.
const HOLD_WAIT: Duration = Duration::from_secs(5);

static TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
static TUS_VERSION_H: HeaderName = HeaderName::from_static("tus-version");
static TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
static TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
static UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
static UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
static UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
static UPLOAD_DEFER_LENGTH: HeaderName = HeaderName::from_static("upload-defer-length");

/// Middleware of the upload routes: every answer, an error's too, says the protocol version.
pub async fn version_header(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(TUS_RESUMABLE.clone(), HeaderValue::from_static(TUS_VERSION));
    response
}

/// A request of another protocol version (or none) is refused with 412 (`OPTIONS` excepted).
fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(&TUS_RESUMABLE).and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(ApiError::TusVersion),
    }
}

fn number(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a non-negative integer")))
}

/// `filename` of `Upload-Metadata` (`key base64,key base64`), if given.
fn file_name(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get(&UPLOAD_METADATA) else {
        return Ok(None);
    };
    let bad = || ApiError::BadRequest("Upload-Metadata must be `key base64` pairs".into());
    let raw = raw.to_str().map_err(|_| bad())?;
    for pair in raw.split(',') {
        let mut parts = pair.trim().splitn(2, ' ');
        if parts.next() != Some("filename") {
            continue;
        }
        let value = parts.next().unwrap_or_default().trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|_| bad())?;
        let name = String::from_utf8(bytes).map_err(|_| bad())?;
        return Ok(Some(base_name(&name)));
    }
    Ok(None)
}

fn with_headers(status: StatusCode, headers: Vec<(&HeaderName, String)>) -> Response {
    let mut response = status.into_response();
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name.clone(), v);
        }
    }
    response
}

fn io_error(context: &'static str) -> impl Fn(std::io::Error) -> ApiError {
    move |e| {
        if e.kind() == std::io::ErrorKind::StorageFull {
            ApiError::InsufficientStorage
        } else {
            ApiError::internal(context, e)
        }
    }
}

/// `OPTIONS /api/uploads`: what this server speaks.
pub async fn options(State(app): State<AppState>) -> Response {
    with_headers(
        StatusCode::NO_CONTENT,
        vec![
            (&TUS_VERSION_H, TUS_VERSION.into()),
            (&TUS_EXTENSION, TUS_EXTENSIONS.into()),
            (&TUS_MAX_SIZE, app.max_upload_bytes.to_string()),
        ],
    )
}

/// `POST /api/uploads`: a new, empty upload of `Upload-Length` bytes.
pub async fn create(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    if headers.contains_key(&UPLOAD_DEFER_LENGTH) {
        return Err(ApiError::BadRequest(
            "Upload-Defer-Length is not supported: give Upload-Length".into(),
        ));
    }
    let length = number(&headers, &UPLOAD_LENGTH)?
        .ok_or_else(|| ApiError::BadRequest("Upload-Length is missing".into()))?;
    let name = file_name(&headers)?.unwrap_or_else(|| "upload.zip".into());
    if !loglens_shared::api::is_upload_name(&name) {
        return Err(ApiError::NotAZip { file: name });
    }
    if length == 0 {
        return Err(ApiError::EmptyFile { file: name });
    }
    if length > app.max_upload_bytes {
        return Err(ApiError::TooLarge {
            limit: app.max_upload_bytes,
        });
    }
    check_free_space_for(&app, length)?;
    let uploads = Arc::clone(&app.resumable);
    let client = peer.ip().to_string();
    let id = tokio::task::spawn_blocking(move || {
        let swept = uploads.sweep(RESUMABLE_TTL);
        if swept > 0 {
            tracing::info!(swept, "stale resumable uploads removed");
        }
        let (all, mine) = uploads.open_count(&client);
        if all >= MAX_OPEN_UPLOADS {
            return Err(ApiError::TooManyUploads {
                limit: MAX_OPEN_UPLOADS,
            });
        }
        if mine >= MAX_OPEN_UPLOADS_PER_CLIENT {
            return Err(ApiError::TooManyUploads {
                limit: MAX_OPEN_UPLOADS_PER_CLIENT,
            });
        }
        uploads
            .create(&UploadInfo {
                length,
                name,
                client,
            })
            .map_err(io_error("creating a resumable upload"))
    })
    .await
    .map_err(|e| ApiError::internal("creating a resumable upload", e))??;
    tracing::info!(upload = %id, length, "resumable upload created");
    Ok(with_headers(
        StatusCode::CREATED,
        vec![(&header::LOCATION, format!("/api/uploads/{id}"))],
    ))
}

/// The upload `raw` names, with its offset.
async fn find(app: &AppState, raw: &str) -> Result<(String, UploadInfo, u64), ApiError> {
    let id = store::parse_id(raw).ok_or_else(|| ApiError::UnknownUpload(raw.to_owned()))?;
    let uploads = Arc::clone(&app.resumable);
    let lookup = id.clone();
    let found = tokio::task::spawn_blocking(move || uploads.get(&lookup))
        .await
        .map_err(|e| ApiError::internal("reading a resumable upload", e))?
        .map_err(|e| ApiError::internal("reading a resumable upload", e))?;
    let (info, offset) = found.ok_or_else(|| ApiError::UnknownUpload(id.clone()))?;
    Ok((id, info, offset))
}

async fn hold(app: &AppState, id: &str) -> Result<Held, ApiError> {
    app.resumable
        .hold(id, HOLD_WAIT)
        .await
        .ok_or_else(|| ApiError::UploadBusy(id.to_owned()))
}

/// `HEAD /api/uploads/{id}`: how many bytes the server holds, of how many.
pub async fn head(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let (_, info, offset) = find(&app, &id).await?;
    Ok(with_headers(
        StatusCode::OK,
        vec![
            (&UPLOAD_OFFSET, offset.to_string()),
            (&UPLOAD_LENGTH, info.length.to_string()),
            (&header::CACHE_CONTROL, "no-store".into()),
        ],
    ))
}

/// `PATCH /api/uploads/{id}`: the body appended at `Upload-Offset`, which must be the offset
/// the server holds. Bytes that arrived before a broken connection are kept.
pub async fn patch(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != OFFSET_OCTET_STREAM {
        return Err(ApiError::UploadContentType);
    }
    let claimed = number(&headers, &UPLOAD_OFFSET)?
        .ok_or_else(|| ApiError::BadRequest("Upload-Offset is missing".into()))?;
    let (id, _, _) = find(&app, &id).await?;
    let _client = ClientUpload::start(&app, peer.ip())?;
    let _held = hold(&app, &id).await?;
    // Read again under the hold: a PATCH that just ended may have moved it.
    let (id, info, offset) = find(&app, &id).await?;
    if claimed != offset {
        return Err(ApiError::UploadOffset { offset });
    }
    let path = app.resumable.part_path(&id);
    let written = append(&app, &path, body, info.length - offset).await;
    let (_, _, now) = find(&app, &id).await?;
    tracing::debug!(upload = %id, from = offset, to = now, "resumable upload appended");
    // Checked even when the body broke off: the next PATCH starts past these bytes.
    if offset < 4 && now >= 4 && info.name.to_lowercase().ends_with(".zip") {
        // A `.zip` is a ZIP from its first bytes, as `/process` checks: refused now, not after
        // the rest of it has been sent.
        let mut head = [0u8; 4];
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(io_error("reading a resumable upload"))?;
        file.read_exact(&mut head)
            .await
            .map_err(io_error("reading a resumable upload"))?;
        if !matches!(&head, b"PK\x03\x04" | b"PK\x05\x06" | b"PK\x07\x08") {
            app.resumable.remove(&id);
            return Err(ApiError::NotAZip { file: info.name });
        }
    }
    written?;
    Ok(with_headers(
        StatusCode::NO_CONTENT,
        vec![(&UPLOAD_OFFSET, now.to_string())],
    ))
}

/// Appends `body` to `path`, at most `room` bytes, at the pace uploads must keep. What arrived
/// is on disk even when this fails.
async fn append(app: &AppState, path: &PathBuf, body: Body, room: u64) -> Result<(), ApiError> {
    let io = io_error("storing a resumable upload");
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .await
        .map_err(&io)?;
    let mut pace = Pace::new(app.upload_limits);
    let mut stream = body.into_data_stream();
    let mut total: u64 = 0;
    let result = async {
        while let Some(chunk) = pace.next(stream.next()).await? {
            let chunk = chunk.map_err(|e| ApiError::BadUpload(e.to_string()))?;
            pace.add(chunk.len())?;
            total += chunk.len() as u64;
            if total > room {
                return Err(ApiError::BadRequest(
                    "the body goes past the upload's Upload-Length".into(),
                ));
            }
            file.write_all(&chunk).await.map_err(&io)?;
        }
        Ok(())
    }
    .await;
    file.flush().await.map_err(&io)?;
    result
}

/// `DELETE /api/uploads/{id}`: the upload is forgotten.
pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_version(&headers)?;
    let (id, _, _) = find(&app, &id).await?;
    let _held = hold(&app, &id).await?;
    app.resumable.remove(&id);
    tracing::info!(upload = %id, "resumable upload terminated");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A finished upload taken by `POST /process` as its archive: moved to `to` while the job is
/// checked, and given back (moved back, still resumable) unless [`Taken::keep`] is called.
pub struct Taken {
    app: AppState,
    held: Held,
    from: PathBuf,
    to: PathBuf,
    kept: bool,
}

impl Taken {
    /// Takes the finished upload `raw` names; `to(name)` says where its bytes go, from the
    /// client's file name.
    pub async fn take(
        app: &AppState,
        raw: &str,
        to: impl FnOnce(&str) -> PathBuf,
    ) -> Result<(Taken, StoredFile), ApiError> {
        let (id, _, _) = find(app, raw).await?;
        let held = hold(app, &id).await?;
        let (id, info, offset) = find(app, &id).await?;
        if offset < info.length {
            return Err(ApiError::UploadIncomplete {
                id,
                offset,
                length: info.length,
            });
        }
        let from = app.resumable.part_path(&id);
        let to = to(&info.name);
        tokio::fs::rename(&from, &to)
            .await
            .map_err(io_error("taking a resumable upload"))?;
        Ok((
            Taken {
                app: app.clone(),
                held,
                from,
                to: to.clone(),
                kept: false,
            },
            StoredFile {
                name: info.name,
                path: to,
                bytes: offset,
            },
        ))
    }

    /// The job was queued: the upload is done with.
    pub fn keep(mut self) {
        self.kept = true;
        self.app.resumable.forget(&self.held.id);
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::rename(&self.to, &self.from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert((*k).clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn metadata_gives_the_file_name() {
        // "C:\logs\big.zip" and "image/zip", base64.
        let h = headers(&[(
            &UPLOAD_METADATA,
            "filetype aW1hZ2UvemlwOw==,filename QzpcbG9nc1xiaWcuemlw",
        )]);
        assert_eq!(file_name(&h).unwrap().as_deref(), Some("big.zip"));
        assert_eq!(file_name(&HeaderMap::new()).unwrap(), None);
        let bad = headers(&[(&UPLOAD_METADATA, "filename %%%")]);
        assert!(matches!(file_name(&bad), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn only_version_1_0_0_is_spoken() {
        assert!(check_version(&headers(&[(&TUS_RESUMABLE, "1.0.0")])).is_ok());
        assert!(matches!(
            check_version(&headers(&[(&TUS_RESUMABLE, "0.2.2")])),
            Err(ApiError::TusVersion)
        ));
        assert!(matches!(
            check_version(&HeaderMap::new()),
            Err(ApiError::TusVersion)
        ));
    }
}
