//! The HTTP face of LogLens: API routes, the progress WebSocket, the built SPA, start-up and
//! graceful shutdown.

mod error;
mod routes;
pub mod sessions;
mod socket;
mod state;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use state::AppState;

use crate::config::ServeConfig;
use crate::engine::{Engine, EngineConfig};
use crate::jobs::{Jobs, JobsConfig};

/// Builds the application router.
pub fn router(config: &ServeConfig, state: AppState) -> Router {
    let index = config.static_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(
            "web app not built: {} is missing (run `scripts/run.sh`, or `trunk build` at the repo root)",
            index.display()
        );
    }
    // Client-side routes (/dashboard/<id>, /history) get index.html; real files are served as is.
    let spa = ServeDir::new(&config.static_dir).fallback(ServeFile::new(index));
    Router::new()
        .nest("/api", routes::api())
        .merge(routes::uploads(config.max_upload_bytes))
        .merge(routes::sockets())
        .merge(routes::probes())
        .with_state(state)
        .fallback_service(spa)
        .layer(TraceLayer::new_for_http())
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
    let engine = Arc::new(Engine::new(EngineConfig::new(
        config.models.clone(),
        Some(config.data_dir.join("cache")),
    )));
    let jobs = Jobs::start(
        JobsConfig {
            data_dir: config.data_dir.clone(),
            queue_capacity: config.queue_capacity,
            workers: config.workers,
            retention: Duration::from_secs(config.retention_hours.saturating_mul(3600)),
        },
        engine,
    )
    .map_err(std::io::Error::other)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = AppState {
        jobs: Arc::clone(&jobs),
        max_upload_bytes: config.max_upload_bytes,
        queue_capacity: config.queue_capacity,
        ws_idle_timeout: Duration::from_secs(config.ws_idle_timeout_secs.max(1)),
        shutdown: stop_rx,
    };
    let app = router(&config, state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
            jobs.shutdown().await;
        })
        .await
}
