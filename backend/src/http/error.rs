//! API errors, rendered as RFC 9457 `application/problem+json` with a stable `code`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::api::{PROBLEM_JSON, ProblemDetails};

/// Every error an API handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route for {0}")]
    NoRoute(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NoRoute(_) => StatusCode::NOT_FOUND,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NoRoute(_) => "not_found",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ProblemDetails {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().into(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], json).into_response()
    }
}
