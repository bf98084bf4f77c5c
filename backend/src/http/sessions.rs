//! Session routes: the polling snapshot, events, the dashboard's result, cancel, re-run,
//! delete, history and compare. Uploads are in `upload.rs`, files in `files.rs`.

use std::path::PathBuf;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::session::{JobState, ServerMessage, SessionList};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{OptionalJson, Path, Query};
use super::state::AppState;
use super::upload;
use crate::jobs::Resume;
use crate::jobs::store::{JobRecord, StoreError};
use loglens_shared::ReportFile;
use loglens_shared::api::RerunRequest;

/// Seconds a polling client should wait between snapshots while a job runs.
pub const POLL_RETRY_AFTER_SECS: u32 = 1;
/// Page size of the history when the client gives none, and the largest allowed.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// The error for an id the store does not hold: deleted (410) or never known (404).
async fn missing(app: &AppState, id: &str) -> ApiError {
    match app.jobs.was_deleted(id).await {
        Ok(true) => ApiError::DeletedSession(id.to_owned()),
        Ok(false) => ApiError::UnknownSession(id.to_owned()),
        Err(e) => e.into(),
    }
}

/// The job record of `id`, or why there is none.
pub(super) async fn job(app: &AppState, id: &str) -> Result<JobRecord, ApiError> {
    match app.jobs.record(id).await? {
        Some(job) => Ok(job),
        None => Err(missing(app, id).await),
    }
}

/// `GET /api/sessions/{id}`: the snapshot, with `ETag` (304 if unchanged) and `Retry-After`
/// while the job is not finished.
pub async fn snapshot(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(snap) = app.jobs.snapshot(&id).await? else {
        return Err(missing(&app, &id).await);
    };
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
    job(&app, &id).await?;
    Ok(Json(app.jobs.events_after(&id, q.after_seq).await?))
}

/// Where a finished job's results are.
pub(super) struct Finished {
    pub dir: PathBuf,
    pub results_zip: Option<String>,
    /// The analysis's name: the upload's file name without its extension.
    pub name: String,
    /// The job as stored (its inputs, for what is made from them).
    pub job: JobRecord,
}

pub(super) async fn finished(app: &AppState, id: &str) -> Result<Finished, ApiError> {
    let job = job(app, id).await?;
    match (job.state, job.result_dir.clone()) {
        (JobState::Succeeded, Some(dir)) => Ok(Finished {
            dir: app.jobs.results_here(dir).await?,
            results_zip: job.results_zip.clone(),
            name: std::path::Path::new(&job.upload_name)
                .file_stem()
                .map_or_else(|| "logs".to_owned(), |s| s.to_string_lossy().into_owned()),
            job,
        }),
        (state, _) => Err(ApiError::NotReady {
            id: id.to_owned(),
            state,
        }),
    }
}

/// `GET /api/sessions/{id}/result`: the dashboard data (report JSON); 409 until done.
pub async fn result(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let dir = finished(&app, &id).await?.dir;
    let body = tokio::fs::read(dir.join(ReportFile::ReportJson.file_name()))
        .await
        .map_err(|e| ApiError::internal(format!("reading the report of {id}"), e))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `POST /api/sessions/{id}/cancel`.
pub async fn cancel(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(snap) = app.jobs.cancel(&id).await? else {
        return Err(missing(&app, &id).await);
    };
    Ok((StatusCode::ACCEPTED, Json(snap)).into_response())
}

/// A pause or resume the session's state does not allow: 409 with its state.
fn state_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::State { id, state, action } => ApiError::StateConflict { id, state, action },
        other => other.into(),
    }
}

/// `POST /api/sessions/{id}/pause`: a queued or running analysis leaves the queue or its
/// worker and waits (through restarts) until resumed. 202 with the snapshot; pausing a paused
/// one changes nothing; 409 once it has finished.
pub async fn pause(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(snap) = app.jobs.pause(&id).await.map_err(state_conflict)? else {
        return Err(missing(&app, &id).await);
    };
    Ok((StatusCode::ACCEPTED, Json(snap)).into_response())
}

/// `POST /api/sessions/{id}/resume`: a paused analysis goes back to the queue and runs from
/// its first stage. 202 with the snapshot; 409 when it is not paused; 429 when the queue is full.
pub async fn resume(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match app.jobs.resume(&id).await.map_err(state_conflict)? {
        Resume::Done(Some(snap)) => Ok((StatusCode::ACCEPTED, Json(snap)).into_response()),
        Resume::Done(None) => Err(missing(&app, &id).await),
        Resume::QueueFull => Err(ApiError::QueueFull {
            capacity: app.queue_capacity,
        }),
    }
}

/// `POST /api/sessions/{id}/rerun`: the same upload (archive, knowledge base, playbooks)
/// analysed again as a new session, e.g. with the other model. 202 like `/process`.
pub async fn rerun(
    State(app): State<AppState>,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RerunRequest>,
) -> Result<Response, ApiError> {
    let model = body.model;
    // A new version of the knowledge base is made (and checked) before anything is queued.
    let kb = match &body.kb {
        Some(change) => Some(super::kb::new_version(&app, &id, change).await?),
        None => None,
    };
    let source = job(&app, &id).await?;
    if !source.state.is_terminal() {
        return Err(ApiError::NotReady {
            id,
            state: source.state,
        });
    }
    if !app.jobs.upload_kept(source.clone()).await? {
        return Err(ApiError::UploadGone(id));
    }
    let slot = app.jobs.reserve().await?.ok_or(ApiError::QueueFull {
        capacity: app.queue_capacity,
    })?;
    let new_id = app.jobs.rerun(slot, source, model, kb).await?;
    Ok(upload::accepted(&new_id))
}

/// `DELETE /api/sessions/{id}`.
pub async fn delete(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if app.jobs.delete(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(missing(&app, &id).await)
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub state: Option<String>,
    /// Words the upload's name holds (any case).
    pub q: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// `GET /api/sessions?state=&q=&limit=&offset=`: the history, newest first.
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
    let name = q.q.map(|w| w.trim().to_owned()).filter(|w| !w.is_empty());
    let (rows, total) = app.jobs.list(state, name, limit, offset).await?;
    Ok(Json(SessionList {
        sessions: rows.iter().map(|r| r.snapshot()).collect(),
        total,
    }))
}

/// The report of a finished job; 409 until it is done.
pub(super) async fn load_report(
    app: &AppState,
    id: &str,
) -> Result<loglens_shared::report::AnalysisReport, ApiError> {
    finished(app, id).await?.report(id).await
}

impl Finished {
    /// The report in its results (`report.json`), read once the job was found finished.
    pub(super) async fn report(
        &self,
        id: &str,
    ) -> Result<loglens_shared::report::AnalysisReport, ApiError> {
        let bytes = tokio::fs::read(self.dir.join(ReportFile::ReportJson.file_name()))
            .await
            .map_err(|e| ApiError::internal(format!("reading the report of {id}"), e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::internal(format!("decoding the report of {id}"), e))
    }
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
