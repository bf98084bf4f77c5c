//! Route table and the small handlers that need no state.

use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use loglens_shared::VersionInfo;
use serde_json::{Value, json};

use super::ApiError;

/// Routes under `/api`.
pub fn api() -> Router {
    Router::new()
        .route("/version", get(version))
        .fallback(no_route)
}

/// Liveness probe outside `/api`, for load balancers.
pub fn probes() -> Router {
    Router::new().route("/healthz", get(healthz))
}

async fn version() -> Json<VersionInfo> {
    Json(VersionInfo {
        name: "LogLens".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

// Unknown API paths must not fall through to the SPA's index.html: clients expect JSON.
async fn no_route(uri: Uri) -> ApiError {
    ApiError::NoRoute(format!("/api{}", uri.path()))
}
