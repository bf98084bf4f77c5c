//! The HTTP face of LogLens: API routes, the progress WebSocket, the built SPA, start-up and
//! graceful shutdown.

mod error;
mod extract;
pub mod files;
mod guard;
mod kb;
mod marks;
pub mod openapi;
pub mod resumable;
mod routes;
pub mod sessions;
pub mod shield;
mod socket;
mod state;
pub mod upload;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::compression::Compression;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::AppState;

use crate::config::ServeConfig;
use crate::jobs::queue::NodeConfig;
use crate::jobs::worker::WorkerConfig;
use crate::jobs::{Jobs, JobsConfig};
use crate::metrics::Metrics;

/// Builds the application router.
pub fn router(config: &ServeConfig, state: AppState) -> Router {
    let index = config.static_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(
            "web app not built: {} is missing (run `scripts/run.sh`, or `trunk build` at the repo root)",
            index.display()
        );
    }
    // Client-side routes (/dashboard/<id>, /history) get index.html; real files are served as is,
    // gzipped for clients that accept it (the wasm and ECharts shrink to about a third). API
    // bodies are left alone: results zips are compressed already and sockets must not be wrapped.
    let spa =
        Compression::new(ServeDir::new(&config.static_dir).fallback(ServeFile::new(index.clone())));
    let resumable = resumable_on(config);
    let protected = Router::new()
        .nest("/api", routes::api(resumable))
        .merge(routes::uploads(
            config.max_upload_bytes,
            config.uploads_per_minute,
            config.upload_burst,
            resumable,
        ))
        .merge(routes::sockets())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::require_token,
        ));
    let hosts = shield::AllowedHosts::new(config.bind, &config.allowed_hosts, &config.cors_origins);
    let security = shield::SecurityHeaders::for_app(&index, &config.cors_origins);
    let app = Router::new()
        .merge(protected)
        .merge(routes::open())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::count_requests,
        ))
        .with_state(state)
        .fallback_service(spa)
        .layer(axum::middleware::from_fn(error::request_context))
        .layer(axum::middleware::from_fn_with_state(
            security,
            shield::headers,
        ))
        .layer(axum::middleware::from_fn_with_state(hosts, shield::guard));
    // Only when origins are configured: the CORS layer answers every OPTIONS itself (as a
    // preflight), which would hide the resumable uploads' own OPTIONS.
    let app = match cors(&config.cors_origins) {
        Some(layer) => app.layer(layer),
        None => app,
    };
    app.layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Resumable uploads keep their parts on the node that made them: on one machine always on, on
/// several only when the operator says the load balancer keeps a client on one node.
fn resumable_on(config: &ServeConfig) -> bool {
    config
        .resumable_uploads
        .unwrap_or(config.database_url.is_none())
}

/// CORS for the configured origins; none configured = no CORS layer (same origin only).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let base = CorsLayer::new()
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers(Any)
        .max_age(Duration::from_secs(3600));
    if origins.contains(&"*") {
        return Some(base.allow_origin(Any));
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(base.allow_origin(AllowOrigin::list(list)))
}

/// Serves the app on `listener` until `shutdown` resolves: then stops accepting, closes
/// sockets with 1001, interrupts running analyses at a checkpoint (they resume on the next
/// start) and drains open requests.
pub async fn launch(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    // A formats file with a mistake stops the start, saying which format and what.
    crate::inspect::load_formats(config.formats.as_deref()).map_err(std::io::Error::other)?;
    // So does a glossary with a mistake (which line, what).
    if let Some(path) = &config.glossary {
        let bytes = std::fs::read(path)?;
        crate::engine::glossary::Glossary::check_user_file(&bytes, &path.display().to_string())
            .map_err(std::io::Error::other)?;
    }
    let worker_bin = match &config.worker_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?,
    };
    let metrics = Arc::new(Metrics::new().map_err(std::io::Error::other)?);
    let jobs_config = JobsConfig {
        data_dir: config.data_dir.clone(),
        database_url: config.database_url.clone(),
        storage_url: config.storage_url.clone(),
        spread_min_bytes: config.spread_min_bytes,
        node: NodeConfig {
            id: config.node_id.clone().unwrap_or_else(NodeConfig::fresh_id),
            heartbeat: Duration::from_secs(config.heartbeat_secs.max(1)),
            // A lease shorter than two heartbeats would run out between them.
            dead_after: Duration::from_secs(
                config.dead_after_secs.max(2 * config.heartbeat_secs.max(1)),
            ),
        },
        queue_capacity: config.queue_capacity,
        workers: config.workers,
        retention: Duration::from_secs(config.retention_hours.saturating_mul(3600)),
        failed_upload_retention: Duration::from_secs(
            config.failed_upload_retention_hours.saturating_mul(3600),
        ),
        worker: WorkerConfig {
            bin: worker_bin,
            models: config.models.clone(),
            memory_budget_bytes: config.worker_memory_mb.saturating_mul(1024 * 1024),
            deadline: Duration::from_secs(config.job_timeout.max(1)),
            formats: config.formats.clone(),
            glossary: config.glossary.clone(),
        },
        max_attempts: config.max_attempts.max(1),
    };
    // Opening the store blocks (a database connection, migrations): off the runtime.
    let started_metrics = Arc::clone(&metrics);
    let jobs = tokio::task::spawn_blocking(move || Jobs::start(jobs_config, started_metrics))
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = AppState {
        jobs: Arc::clone(&jobs),
        max_upload_bytes: config.max_upload_bytes,
        queue_capacity: config.queue_capacity,
        ws_idle_timeout: Duration::from_secs(config.ws_idle_timeout_secs.max(1)),
        shutdown: stop_rx,
        metrics,
        token_digest: config
            .api_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(guard::digest),
        upload_limits: state::UploadLimits {
            read_timeout: Duration::from_secs(config.upload_read_timeout_secs.max(1)),
            min_rate: config.upload_min_bytes_per_sec,
            per_client: config.uploads_per_client.max(1),
            min_free: config.min_free_bytes,
        },
        active_uploads: Arc::default(),
        resumable: Arc::new(resumable::store::Uploads::new(&config.data_dir)),
        resumable_on: resumable_on(&config),
    };
    let app = router(&config, state);
    // Peer addresses feed the per-client upload rate limit.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
        jobs.shutdown().await;
    })
    .await
}
