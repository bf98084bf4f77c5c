//! Session routes: upload (`POST /process`), the polling snapshot, events, results, reports,
//! downloads, cancel, delete and history.

use std::path::{Path as FsPath, PathBuf};

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::session::{JobState, ProcessAccepted, ServerMessage, SessionList};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::error::ApiError;
use super::state::AppState;
use crate::engine::archive::{self, ArchiveLimits};
use crate::engine::kb::MAX_KB_BYTES;
use crate::engine::reports;
use crate::jobs::store::NewJob;

/// Seconds a polling client should wait between snapshots while a job runs.
pub const POLL_RETRY_AFTER_SECS: u32 = 1;
/// Page size of the history when the client gives none, and the largest allowed.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// Files of one upload, removed again if the upload is refused.
struct Staged {
    paths: Vec<PathBuf>,
    keep: bool,
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

/// `POST /process` (and `/process/`): multipart `file` (+ `model`, `kb`, `playbooks`, `exact_only`).
pub async fn process(
    State(app): State<AppState>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    // Take a queue place before reading the body: a full queue costs the client nothing.
    let slot = app.jobs.reserve().ok_or(ApiError::QueueFull {
        capacity: app.queue_capacity,
    })?;
    let id = uuid::Uuid::new_v4().to_string();
    let uploads = app.jobs.data_dir().join("uploads");
    let mut staged = Staged {
        paths: Vec::new(),
        keep: false,
    };
    let mut upload: Option<(String, PathBuf, u64)> = None;
    let mut kb: Option<(String, PathBuf)> = None;
    let mut playbooks: Option<(String, PathBuf)> = None;
    let mut model = "light".to_owned();
    let mut semantic = true;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, app.max_upload_bytes))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = base_name(field.file_name().unwrap_or("upload.zip"));
                if !file_name.to_lowercase().ends_with(".zip") {
                    return Err(ApiError::BadUpload(format!(
                        "expected a .zip archive, got {file_name:?}"
                    )));
                }
                let path = uploads.join(format!("{id}.zip"));
                staged.paths.push(path.clone());
                let bytes =
                    save_field(field, &path, app.max_upload_bytes, true, &file_name).await?;
                upload = Some((file_name, path, bytes));
            }
            "kb" | "playbooks" => {
                let file_name = base_name(field.file_name().unwrap_or(&name));
                if file_name.is_empty() {
                    continue;
                }
                let ext = FsPath::new(&file_name)
                    .extension()
                    .map_or_else(String::new, |e| e.to_string_lossy().to_lowercase());
                let path = uploads.join(format!("{id}.{name}.{ext}"));
                staged.paths.push(path.clone());
                let bytes = save_field(field, &path, MAX_KB_BYTES, false, &file_name).await?;
                if bytes == 0 {
                    continue; // an empty optional file input
                }
                if name == "kb" {
                    kb = Some((file_name, path))
                } else {
                    playbooks = Some((file_name, path))
                }
            }
            "model" => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(&e, app.max_upload_bytes))?;
                model = match v.trim() {
                    "light" | "" => "light".into(),
                    "heavy" => "heavy".into(),
                    other => {
                        return Err(ApiError::BadRequest(format!(
                            "model must be light or heavy, got {other:?}"
                        )));
                    }
                };
            }
            "exact_only" => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(&e, app.max_upload_bytes))?;
                semantic = !matches!(v.trim(), "1" | "true" | "on" | "yes");
            }
            _ => {} // unknown fields are ignored, as browsers add their own
        }
    }
    let (upload_name, upload_path, upload_bytes) = upload.ok_or_else(|| {
        ApiError::BadUpload("the multipart field `file` with the .zip archive is missing".into())
    })?;
    // The central directory is cheap to read: refuse bombs, zip-slip and log-less archives now.
    let check_path = upload_path.clone();
    let check_name = upload_name.clone();
    tokio::task::spawn_blocking(move || {
        archive::plan(&check_path, &check_name, &ArchiveLimits::default())
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::BadUpload(format!("{upload_name}: {e}")))?;
    let job = NewJob {
        id: id.clone(),
        model,
        semantic,
        upload_name,
        upload_path,
        upload_bytes,
        kb,
        playbooks,
    };
    let jobs = app.jobs.clone();
    let snapshot = tokio::task::spawn_blocking(move || jobs.submit(slot, job))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    staged.keep = true;
    let location = format!("/api/sessions/{}", snapshot.session_id);
    let mut response = (
        StatusCode::ACCEPTED,
        Json(ProcessAccepted { session_id: id }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

fn base_name(name: &str) -> String {
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
        ApiError::BadUpload(format!("malformed multipart body: {}", e.body_text()))
    }
}

/// Streams a multipart field to `path`, enforcing `limit` and, for the archive, the ZIP magic.
async fn save_field(
    mut field: axum::extract::multipart::Field<'_>,
    path: &FsPath,
    limit: u64,
    zip: bool,
    file_name: &str,
) -> Result<u64, ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("cannot store the upload: {e}"));
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut total: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(4);
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e, limit))?
    {
        total += chunk.len() as u64;
        if total > limit {
            return Err(ApiError::TooLarge { limit });
        }
        if zip && head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
            if head.len() == 4
                && !matches!(&head[..], b"PK\x03\x04" | b"PK\x05\x06" | b"PK\x07\x08")
            {
                return Err(ApiError::BadUpload(format!(
                    "{file_name:?} is not a ZIP archive"
                )));
            }
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    if zip && total == 0 {
        return Err(ApiError::BadUpload(format!("{file_name:?} is empty")));
    }
    if zip && head.len() < 4 {
        return Err(ApiError::BadUpload(format!(
            "{file_name:?} is not a ZIP archive"
        )));
    }
    Ok(total)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// `GET /api/sessions/{id}`: the snapshot, with `ETag` (304 if unchanged) and `Retry-After`
/// while the job is not finished.
pub async fn snapshot(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let jobs = app.jobs.clone();
    let key = id.clone();
    let snap = blocking(move || Ok(jobs.snapshot(&key)?))
        .await?
        .ok_or(ApiError::UnknownSession(id))?;
    let etag = format!("\"{}-{}\"", snap.seq, snap.state.as_str());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(&snap).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if !snap.state.is_terminal() {
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from(POLL_RETRY_AFTER_SECS),
        );
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct AfterSeq {
    #[serde(default)]
    pub after_seq: u64,
}

/// `GET /api/sessions/{id}/events?after_seq=N`.
pub async fn events(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AfterSeq>,
) -> Result<Json<Vec<ServerMessage>>, ApiError> {
    let jobs = app.jobs.clone();
    blocking(move || {
        jobs.record(&id)?
            .ok_or_else(|| ApiError::UnknownSession(id.clone()))?;
        Ok(Json(jobs.store().events_after(&id, q.after_seq)?))
    })
    .await
}

fn finished_dir(app: &AppState, id: &str) -> Result<(PathBuf, Option<String>), ApiError> {
    let job = app
        .jobs
        .record(id)?
        .ok_or_else(|| ApiError::UnknownSession(id.to_owned()))?;
    match (job.state, job.result_dir) {
        (JobState::Succeeded, Some(dir)) => Ok((dir, job.results_zip)),
        (state, _) => Err(ApiError::NotReady {
            id: id.to_owned(),
            state: state.as_str().into(),
        }),
    }
}

/// `GET /api/sessions/{id}/result`: the dashboard data (report JSON); 409 until done.
pub async fn result(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (dir, _) = finished_dir(&app, &id)?;
    let body = tokio::fs::read(dir.join(reports::REPORT_JSON))
        .await
        .map_err(|e| ApiError::Internal(format!("report of {id}: {e}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/sessions/{id}/reports/{name}`: one report file.
pub async fn report(
    State(app): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !reports::ALL_REPORTS.contains(&name.as_str()) {
        return Err(ApiError::UnknownReport(
            name,
            reports::ALL_REPORTS.join(", "),
        ));
    }
    let (dir, _) = finished_dir(&app, &id)?;
    send_file(&dir.join(&name), &name).await
}

/// `GET /api/sessions/{id}/download`: the results zip.
pub async fn download(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (dir, zip) = finished_dir(&app, &id)?;
    let zip = zip.ok_or_else(|| ApiError::Internal(format!("session {id} has no results zip")))?;
    send_file(&dir.join(&zip), &zip).await
}

async fn send_file(path: &FsPath, name: &str) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ApiError::Internal(format!("{name}: {e}")))?;
    let len = file.metadata().await.map(|m| m.len()).ok();
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok(response)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "zip" => "application/zip",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// RFC 6266 `attachment` with an ASCII fallback and the UTF-8 name (RFC 8187), Cyrillic included.
pub fn content_disposition(name: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    )
}

/// `POST /api/sessions/{id}/cancel`.
pub async fn cancel(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let jobs = app.jobs.clone();
    let key = id.clone();
    let snap = blocking(move || Ok(jobs.cancel(&key)?))
        .await?
        .ok_or(ApiError::UnknownSession(id))?;
    Ok((StatusCode::ACCEPTED, Json(snap)).into_response())
}

/// `DELETE /api/sessions/{id}`.
pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let jobs = app.jobs.clone();
    let key = id.clone();
    if blocking(move || Ok(jobs.delete(&key)?)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::UnknownSession(id))
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// `GET /api/sessions?state=&limit=&offset=`: the history, newest first.
pub async fn list(
    State(app): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<SessionList>, ApiError> {
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            JobState::parse(s)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown state {s:?}")))?,
        ),
    };
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let offset = q.offset.unwrap_or(0);
    let jobs = app.jobs.clone();
    blocking(move || {
        let (rows, total) = jobs.store().list(state, limit, offset)?;
        Ok(Json(SessionList {
            sessions: rows.iter().map(|r| r.snapshot()).collect(),
            total,
        }))
    })
    .await
}

async fn load_report(
    app: &AppState,
    id: &str,
) -> Result<loglens_shared::report::AnalysisReport, ApiError> {
    let (dir, _) = finished_dir(app, id)?;
    let bytes = tokio::fs::read(dir.join(reports::REPORT_JSON))
        .await
        .map_err(|e| ApiError::Internal(format!("report of {id}: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::Internal(format!("report of {id}: {e}")))
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    pub ids: String,
}

/// `GET /api/sessions/compare?ids=a,b`: links found by one analysis and not the other.
pub async fn compare(
    State(app): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> Result<Json<loglens_shared::report::Comparison>, ApiError> {
    let ids: Vec<&str> = q
        .ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let [a, b] = ids.as_slice() else {
        return Err(ApiError::BadRequest(format!(
            "ids must name exactly two sessions, got {}",
            ids.len()
        )));
    };
    let (ra, rb) = (load_report(&app, a).await?, load_report(&app, b).await?);
    Ok(Json(loglens_shared::report::Comparison::of(
        (a, &ra),
        (b, &rb),
    )))
}

/// `GET /api/sessions/{id}/export/{json|xml|pdf}`.
pub async fn export(
    State(app): State<AppState>,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let report = load_report(&app, &id).await?;
    let stem = if report.summary.name.is_empty() {
        "loglens".to_owned()
    } else {
        report.summary.name.clone()
    };
    let (name, bytes) = match format.as_str() {
        "json" => (
            format!("{stem}.json"),
            serde_json::to_vec_pretty(&report).map_err(|e| ApiError::Internal(e.to_string()))?,
        ),
        "xml" => (
            format!("{stem}.xml"),
            crate::engine::export::to_xml(&report)
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .into_bytes(),
        ),
        "pdf" => {
            // Page layout is CPU work: keep it off the async workers.
            let pdf = tokio::task::spawn_blocking(move || crate::engine::export::to_pdf(&report))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            (format!("{stem}.pdf"), pdf)
        }
        other => {
            return Err(ApiError::UnknownReport(
                format!("export/{other}"),
                "json, xml, pdf".into(),
            ));
        }
    };
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_carries_cyrillic_names() {
        let v = content_disposition("Журналы_Results_Light.zip");
        assert!(v.starts_with("attachment; filename=\""), "{v}");
        assert!(
            v.contains(
                "filename*=UTF-8''%D0%96%D1%83%D1%80%D0%BD%D0%B0%D0%BB%D1%8B_Results_Light.zip"
            ),
            "{v}"
        );
        assert_eq!(
            content_disposition("a b.zip"),
            "attachment; filename=\"a b.zip\"; filename*=UTF-8''a%20b.zip"
        );
    }

    #[test]
    fn base_names_drop_client_paths() {
        assert_eq!(base_name("C:\\Users\\x\\logs.zip"), "logs.zip");
        assert_eq!(base_name("/tmp/a/b.zip"), "b.zip");
    }
}
