//! The HTTP face of LogLens: API routes, the built SPA, and server start-up.

mod error;
mod routes;

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::config::ServeConfig;

/// Builds the application router for `config`.
pub fn router(config: &ServeConfig) -> Router {
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
        .merge(routes::probes())
        .fallback_service(spa)
        .layer(TraceLayer::new_for_http())
}

/// Serves the app on `listener` until `shutdown` resolves, then drains open requests.
pub async fn launch(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let app = router(&config);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
