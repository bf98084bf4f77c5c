//! Request guards: the optional bearer token, and per-route request counting for metrics.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;

pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The token a request carries: `Authorization: Bearer`, else `?token=`, else the
/// WebSocket sub-protocol pair `bearer, <token>` (browsers cannot set headers on sockets).
fn presented(req: &Request) -> Option<String> {
    let h = req.headers();
    if let Some(v) = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_owned());
    }
    if let Some(q) = req.uri().query() {
        for (k, v) in form_pairs(q) {
            if k == "token" {
                return Some(v);
            }
        }
    }
    let protocols = h
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())?;
    let parts: Vec<&str> = protocols.split(',').map(str::trim).collect();
    parts
        .iter()
        .position(|p| *p == "bearer")
        .and_then(|i| parts.get(i + 1))
        .map(|t| (*t).to_owned())
}

fn form_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        let v = percent_encoding::percent_decode_str(v)
            .decode_utf8()
            .ok()?
            .into_owned();
        Some((k.to_owned(), v))
    })
}

/// Rejects requests without the configured token (no-op when none is configured).
pub async fn require_token(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = app.token_digest else {
        return next.run(req).await;
    };
    match presented(&req) {
        Some(t) if digest(&t) == expected => next.run(req).await,
        Some(_) => ApiError::Unauthorized("the token is not valid".into()).into_response(),
        None => {
            ApiError::Unauthorized("this server requires a bearer token".into()).into_response()
        }
    }
}

/// Counts requests by matched route (not raw path: ids would explode the label set).
pub async fn count_requests(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(req).await;
    app.metrics
        .http_requests
        .with_label_values(&[route.as_str(), response.status().as_str()])
        .inc();
    response
}
