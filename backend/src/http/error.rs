//! API errors, rendered as RFC 9457 `application/problem+json` with a stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::api::{PROBLEM_JSON, ProblemDetails};

use crate::jobs::store::StoreError;

/// Every error an API handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route for {0}")]
    NoRoute(String),
    #[error("no session {0}")]
    UnknownSession(String),
    #[error("{0}")]
    BadUpload(String),
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the queue is full ({capacity} analyses waiting); try again shortly")]
    QueueFull { capacity: usize },
    #[error("session {id} is {state}: results exist only for finished analyses")]
    NotReady { id: String, state: String },
    #[error("no report {0:?} (known: {1})")]
    UnknownReport(String, String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("too many uploads from this client; try again in {wait_secs} s")]
    RateLimited { wait_secs: u64 },
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NoRoute(_) | ApiError::UnknownSession(_) | ApiError::UnknownReport(..) => {
                StatusCode::NOT_FOUND
            }
            ApiError::BadUpload(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::QueueFull { .. } | ApiError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::NotReady { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NoRoute(_) => "not_found",
            ApiError::UnknownSession(_) => "unknown_session",
            ApiError::BadUpload(_) => "bad_upload",
            ApiError::TooLarge { .. } => "upload_too_large",
            ApiError::QueueFull { .. } => "queue_full",
            ApiError::NotReady { .. } => "not_ready",
            ApiError::UnknownReport(..) => "unknown_report",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Store(_) => "storage_error",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

/// Seconds a client should wait before retrying a full queue.
pub const QUEUE_RETRY_AFTER_SECS: u32 = 10;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ProblemDetails {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().into(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], json).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let ApiError::RateLimited { wait_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
        }
        if matches!(self, ApiError::QueueFull { .. }) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(QUEUE_RETRY_AFTER_SECS),
            );
        }
        response
    }
}
