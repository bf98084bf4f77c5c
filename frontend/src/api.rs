//! The API client: every request the web app makes goes through here, typed with `shared`.

use gloo_net::http::Request;
use loglens_shared::VersionInfo;
use loglens_shared::urls::api_url;

/// API base URL chosen at build time (`LOGLENS_API_BASE`); empty means the page's origin.
pub const API_BASE: &str = match option_env!("LOGLENS_API_BASE") {
    Some(base) => base,
    None => "",
};

/// Errors of the API boundary, shown to the user as text.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("network error: {0}")]
    Network(String),
    #[error("server answered {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("unexpected response: {0}")]
    Decode(String),
}

/// `GET /api/version`.
pub async fn fetch_version() -> Result<VersionInfo, ApiError> {
    let response = Request::get(&api_url(API_BASE, "/api/version"))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        let detail = response.text().await.unwrap_or_default();
        return Err(ApiError::Status {
            status: response.status(),
            detail,
        });
    }
    response
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}
