//! API errors, rendered as RFC 9457 `application/problem+json` with a stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loglens_shared::api::{PROBLEM_JSON, Problem, ProblemDetails};
use loglens_shared::session::JobState;

use crate::jobs::intake::IntakeError;
use crate::jobs::store::StoreError;

/// Every error an API handler can return. `Display` is the English `detail`; [`ApiError::problem`]
/// is the stable `code` with the facts a client needs to say it in its own language.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route for {0}")]
    NoRoute(String),
    #[error("no session {0}")]
    UnknownSession(String),
    #[error("session {0} was deleted")]
    DeletedSession(String),
    #[error("the upload of session {0} is no longer kept; upload it again")]
    UploadGone(String),
    #[error("malformed multipart body: {0}")]
    BadUpload(String),
    #[error(
        "the archive is missing: the multipart field `file`, or `upload` naming a finished resumable upload"
    )]
    MissingArchive,
    #[error(
        "{file:?} is not a ZIP archive LogLens reads; a .zip, .tar, .tar.gz, .tgz or .gz archive, or a .log/.txt log is expected"
    )]
    NotAZip { file: String },
    #[error("{file:?} is empty")]
    EmptyFile { file: String },
    /// A form field with a value the server does not know (the value is not echoed).
    #[error("the form field {field:?} must be one of: {expected}")]
    BadField {
        field: &'static str,
        expected: &'static str,
    },
    #[error(transparent)]
    Intake(#[from] IntakeError),
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the queue is full ({capacity} analyses waiting); try again shortly")]
    QueueFull { capacity: usize },
    #[error("session {id} is {}: results exist only for finished analyses", .state.as_str())]
    NotReady { id: String, state: JobState },
    #[error("session {id} is {}: cannot {action} it", .state.as_str())]
    StateConflict {
        id: String,
        state: JobState,
        action: &'static str,
    },
    #[error("no report {0:?} (known: {1})")]
    UnknownReport(String, String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("too many uploads from this client; try again in {wait_secs} s")]
    RateLimited { wait_secs: u64 },
    #[error(
        "the upload stalled (nothing for {secs} s, or slower than {min_rate} bytes/s) and was dropped"
    )]
    UploadStalled { secs: u64, min_rate: u64 },
    #[error("this client already has {limit} uploads in progress; wait for one to finish")]
    TooManyUploads { limit: usize },
    #[error("not enough free disk space on the server for this upload")]
    InsufficientStorage,
    #[error("no resumable upload {0:?} (finished and analysed, terminated, expired or never made)")]
    UnknownUpload(String),
    #[error("the upload holds {offset} bytes: a PATCH must start there (HEAD tells the offset)")]
    UploadOffset { offset: u64 },
    #[error("the upload {id} has {offset} of its {length} bytes: finish it before analysing it")]
    UploadIncomplete {
        id: String,
        offset: u64,
        length: u64,
    },
    #[error("another request is writing the upload {0}; try again shortly")]
    UploadBusy(String),
    #[error("a PATCH body must be sent as application/offset+octet-stream")]
    UploadContentType,
    #[error("this server speaks tus 1.0.0 (Tus-Resumable: 1.0.0)")]
    TusVersion,
    #[error("this server does not answer to the host name {0:?}")]
    MisdirectedHost(String),
    #[error("a page of {0:?} may not open a socket here")]
    ForeignOrigin(String),
    #[error("storage error: {0}")]
    Store(#[from] StoreError),
    /// The server's own failure: what it was doing, and why it failed. Logged in full under
    /// the request id; the client is told only that it happened.
    #[error("{context}: {source}")]
    Internal {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ApiError {
    /// A failure of the server while `context` (`"reading the report of <id>"`).
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        ApiError::Internal {
            context: context.into(),
            source: source.into(),
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NoRoute(_)
            | ApiError::UnknownSession(_)
            | ApiError::UnknownReport(..)
            | ApiError::UnknownUpload(_) => StatusCode::NOT_FOUND,
            ApiError::UploadOffset { .. } | ApiError::UploadIncomplete { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::UploadBusy(_) => StatusCode::LOCKED,
            ApiError::UploadContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TusVersion => StatusCode::PRECONDITION_FAILED,
            ApiError::DeletedSession(_) | ApiError::UploadGone(_) => StatusCode::GONE,
            ApiError::BadUpload(_)
            | ApiError::MissingArchive
            | ApiError::NotAZip { .. }
            | ApiError::EmptyFile { .. }
            | ApiError::BadField { .. }
            | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Intake(e) if e.is_servers() => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Intake(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::QueueFull { .. }
            | ApiError::RateLimited { .. }
            | ApiError::TooManyUploads { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UploadStalled { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::NotReady { .. } | ApiError::StateConflict { .. } => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::MisdirectedHost(_) => StatusCode::MISDIRECTED_REQUEST,
            ApiError::ForeignOrigin(_) => StatusCode::FORBIDDEN,
            ApiError::Store(_) | ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code and its facts, part of the API contract.
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::NoRoute(_) => Problem::NotFound,
            ApiError::UnknownSession(id) => Problem::UnknownSession { id: id.clone() },
            ApiError::DeletedSession(id) => Problem::DeletedSession { id: id.clone() },
            ApiError::UploadGone(id) => Problem::UploadGone { id: id.clone() },
            ApiError::BadUpload(_) => Problem::BadUpload,
            ApiError::MissingArchive => Problem::MissingArchive,
            ApiError::NotAZip { file } => Problem::NotAZip { file: file.clone() },
            ApiError::EmptyFile { file } => Problem::EmptyFile { file: file.clone() },
            ApiError::BadField { field, .. } => Problem::BadField {
                field: (*field).to_owned(),
            },
            ApiError::Intake(e) => e.problem(),
            ApiError::TooLarge { limit } => Problem::UploadTooLarge { limit: *limit },
            ApiError::QueueFull { capacity } => Problem::QueueFull {
                capacity: *capacity as u64,
            },
            ApiError::StateConflict { id, state, action } => Problem::StateConflict {
                id: id.clone(),
                state: *state,
                action: (*action).to_owned(),
            },
            ApiError::NotReady { id, state } => Problem::NotReady {
                id: id.clone(),
                state: *state,
            },
            ApiError::UnknownReport(name, _) => Problem::UnknownReport { name: name.clone() },
            ApiError::BadRequest(_) => Problem::BadRequest,
            ApiError::Unauthorized(_) => Problem::Unauthorized,
            ApiError::RateLimited { wait_secs } => Problem::RateLimited {
                wait_secs: *wait_secs,
            },
            ApiError::UploadStalled { secs, .. } => Problem::UploadStalled { secs: *secs },
            ApiError::TooManyUploads { limit } => Problem::TooManyUploads {
                limit: *limit as u64,
            },
            ApiError::InsufficientStorage => Problem::InsufficientStorage,
            ApiError::UnknownUpload(id) => Problem::UnknownUpload { id: id.clone() },
            ApiError::UploadOffset { offset } => Problem::UploadOffsetMismatch { offset: *offset },
            ApiError::UploadIncomplete { id, offset, length } => Problem::UploadIncomplete {
                id: id.clone(),
                offset: *offset,
                length: *length,
            },
            ApiError::UploadBusy(id) => Problem::UploadBusy { id: id.clone() },
            ApiError::UploadContentType => Problem::UploadContentType,
            ApiError::TusVersion => Problem::TusVersion,
            ApiError::MisdirectedHost(host) => Problem::MisdirectedHost { host: host.clone() },
            ApiError::ForeignOrigin(_) => Problem::ForeignOrigin,
            ApiError::Store(_) => Problem::StorageError,
            ApiError::Internal { .. } => Problem::InternalError,
        }
    }

    /// Stable machine-readable code, part of the API contract.
    pub fn code(&self) -> &'static str {
        self.problem().code()
    }
}

/// Seconds a client should wait before retrying a full queue.
pub const QUEUE_RETRY_AFTER_SECS: u32 = 10;

tokio::task_local! {
    /// The id of the request being handled (`X-Request-Id`), for problem bodies.
    static REQUEST_ID: String;
}

/// Middleware: makes the request's id known to the errors its handler returns.
pub async fn request_context(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    REQUEST_ID.scope(id, next.run(request)).await
}

/// What a client is told of a failure on the server's side: that it happened, and the id under
/// which the server logged its details (paths, SQL and library messages stay in the log).
pub const INTERNAL_DETAIL: &str =
    "the server failed to handle this request; its log has the details under the request id";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let request_id = REQUEST_ID
            .try_with(Clone::clone)
            .ok()
            .filter(|id| !id.is_empty());
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, request_id = request_id.as_deref().unwrap_or("-"), "request failed");
            INTERNAL_DETAIL.to_owned()
        } else {
            self.to_string()
        };
        let body = ProblemDetails {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            request_id,
            problem: self.problem(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], json).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if matches!(self, ApiError::TusVersion) {
            response.headers_mut().insert(
                axum::http::HeaderName::from_static("tus-version"),
                HeaderValue::from_static(super::resumable::TUS_VERSION),
            );
        }
        if let ApiError::RateLimited { wait_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
        }
        if matches!(
            self,
            ApiError::QueueFull { .. } | ApiError::TooManyUploads { .. }
        ) {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(QUEUE_RETRY_AFTER_SECS),
            );
        }
        response
    }
}
