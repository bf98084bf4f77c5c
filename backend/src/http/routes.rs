//! Route table and the small handlers that need no state of their own.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::{get, head, post, put};
use axum::{Json, Router};
use loglens_shared::VersionInfo;
use serde_json::{Value, json};
use tower_governor::GovernorLayer;
use tower_governor::errors::GovernorError;
use tower_governor::governor::GovernorConfigBuilder;

use super::state::AppState;
use super::{ApiError, files, kb, marks, resumable, sessions, socket, upload};

/// Routes under `/api` (`resumable`: with the resumable uploads').
pub fn api(resumable: bool) -> Router<AppState> {
    let router = Router::new()
        .route("/sessions", get(sessions::list))
        .route("/sessions/compare", get(sessions::compare))
        .route("/sessions/{id}/export/{format}", get(files::export))
        .route(
            "/sessions/{id}",
            get(sessions::snapshot).delete(sessions::delete),
        )
        .route("/sessions/{id}/events", get(sessions::events))
        .route("/sessions/{id}/result", get(sessions::result))
        .route("/sessions/{id}/reports/{name}", get(files::report))
        .route("/sessions/{id}/download", get(files::download))
        .route("/sessions/{id}/cancel", post(sessions::cancel))
        .route("/sessions/{id}/pause", post(sessions::pause))
        .route("/sessions/{id}/resume", post(sessions::resume))
        .route("/sessions/{id}/rerun", post(sessions::rerun))
        .route("/sessions/{id}/kb", post(kb::download))
        .route("/templates/{name}", get(files::template))
        .route("/kb/{hash}/not-relevant", get(marks::list))
        .route(
            "/kb/{hash}/not-relevant/{anomaly}/{problem}",
            put(marks::mark).delete(marks::unmark),
        )
        .fallback(no_route);
    if !resumable {
        return router;
    }
    router.route(
        "/uploads/{id}",
        head(resumable::head)
            .patch(resumable::patch)
            .delete(resumable::delete)
            .layer(axum::middleware::from_fn(resumable::version_header)),
    )
}

/// `POST /process` (the seed's clients also use `/process/`) and the creation of a resumable
/// upload (`POST /api/uploads`), with the upload size limit and a per-client rate limit (token
/// bucket per peer IP address). The two have a bucket each: an analysis sent resumably (a
/// creation, then `/process` naming it) costs one of each, as one sent whole costs one.
pub fn uploads(
    max_upload_bytes: u64,
    per_minute: u64,
    burst: u32,
    resumable: bool,
) -> Router<AppState> {
    // Room for the multipart framing and the optional KB/playbook files beside the archive.
    let limit =
        usize::try_from(max_upload_bytes.saturating_add(80 * 1024 * 1024)).unwrap_or(usize::MAX);
    let process = Router::new()
        .route("/process", post(upload::process))
        .route("/process/", post(upload::process))
        .layer(DefaultBodyLimit::max(limit));
    let router = rate_limited(process, per_minute, burst);
    if !resumable {
        return router;
    }
    let create = Router::new().route(
        "/api/uploads",
        post(resumable::create)
            .options(resumable::options)
            .layer(axum::middleware::from_fn(resumable::version_header)),
    );
    router.merge(rate_limited(create, per_minute, burst))
}

/// `router` behind a token bucket of its own per client address.
fn rate_limited(router: Router<AppState>, per_minute: u64, burst: u32) -> Router<AppState> {
    let config = GovernorConfigBuilder::default()
        .per_millisecond((60_000 / per_minute.max(1)).max(1))
        .burst_size(burst.max(1))
        .finish();
    let Some(config) = config else { return router };
    let config = Arc::new(config);
    // The limiter remembers every client it saw: forget the idle ones now and then.
    let limiter = Arc::clone(config.limiter());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RATE_LIMIT_SWEEP).await;
            limiter.retain_recent();
        }
    });
    router.layer(GovernorLayer::new(config).error_handler(|e| {
        let wait_secs = match e {
            GovernorError::TooManyRequests { wait_time, .. } => wait_time,
            _ => 1,
        };
        ApiError::RateLimited { wait_secs }.into_response()
    }))
}

/// How often the upload rate limiter drops clients it has not seen for a while.
const RATE_LIMIT_SWEEP: std::time::Duration = std::time::Duration::from_secs(60);

pub fn sockets() -> Router<AppState> {
    Router::new().route("/ws/progress/{id}", get(socket::progress))
}

/// Routes that never need the token: probes, metrics, the version the login screen shows.
pub fn open() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/version", get(version))
        .route("/api/openapi.json", get(openapi))
}

/// `GET /metrics`: Prometheus text format.
async fn metrics(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    app.jobs.refresh_metrics().await?;
    // Every open progress socket holds one subscription.
    app.metrics.websockets.set(app.jobs.watchers() as i64);
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        app.metrics.render(),
    ))
}

/// The document is built once per process: it only depends on the code.
async fn openapi() -> Json<&'static Value> {
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    Json(DOCUMENT.get_or_init(super::openapi::document))
}

async fn version(axum::extract::State(app): axum::extract::State<AppState>) -> Json<VersionInfo> {
    Json(VersionInfo {
        name: "LogLens".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        token_required: app.token_digest.is_some(),
        resumable_uploads: app.resumable_on,
    })
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the job store answers.
async fn readyz(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> Result<Json<Value>, ApiError> {
    let counts = app.jobs.count_by_state().await?;
    let queued: u64 = counts
        .iter()
        .filter(|(s, _)| s.as_str() == "queued")
        .map(|(_, n)| n)
        .sum();
    Ok(Json(json!({ "status": "ready", "queued": queued })))
}

// Unknown API paths must not fall through to the SPA's index.html: clients expect JSON.
async fn no_route(uri: Uri) -> ApiError {
    ApiError::NoRoute(format!("/api{}", uri.path()))
}
