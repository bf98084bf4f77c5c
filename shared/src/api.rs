//! Request and response bodies of the HTTP API.

use serde::{Deserialize, Serialize};

use crate::session::JobState;

/// `GET /api/version`: what is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VersionInfo {
    /// Product name, always `LogLens`.
    pub name: String,
    /// Semantic version of the backend crate.
    pub version: String,
    /// Whether every other call needs the server's bearer token (`LOGLENS_API_TOKEN` set):
    /// the web app asks for it before its first call rather than after a 401.
    #[serde(default)]
    pub token_required: bool,
    /// Whether this server takes resumable uploads (tus 1.0 at `/api/uploads`): on one
    /// machine always, on several only where `LOGLENS_RESUMABLE_UPLOADS` says the load balancer
    /// keeps an upload's requests on one node.
    #[serde(default)]
    pub resumable_uploads: bool,
}

/// An RFC 9457 `application/problem+json` body: every API error has this shape.
///
/// `code` and the extension members beside it come from [`Problem`], so a client can say what
/// went wrong in its own language (the web app does) instead of showing the English `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProblemDetails {
    /// A URI reference naming the problem type (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human-readable summary, the same for every occurrence of this `code`.
    pub title: String,
    /// HTTP status code, repeated for clients that only see the body.
    pub status: u16,
    /// What went wrong this time, in English, for a person to read. Server-side failures say
    /// only that they happened: their internals are in the server's log under `request_id`.
    pub detail: String,
    /// The request's id (`X-Request-Id`), to quote when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The stable `code` and its facts.
    #[serde(flatten)]
    pub problem: Problem,
}

impl ProblemDetails {
    /// The stable machine-readable code (`not_found`, `not_a_zip`, ...).
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

/// What went wrong, as a stable `code` plus the facts a message needs (which file, which
/// line, which limit). Part of the API contract: codes are never renamed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// No API route at this path.
    NotFound,
    UnknownSession {
        id: String,
    },
    /// The analysis existed and was deleted.
    DeletedSession {
        id: String,
    },
    /// The analysis exists but its upload was removed (failed runs keep theirs for less time).
    UploadGone {
        id: String,
    },
    /// The request body is not the multipart form the upload expects.
    BadUpload,
    /// The multipart field `file` is missing.
    MissingArchive,
    NotAZip {
        file: String,
    },
    EmptyFile {
        file: String,
    },
    /// A form field other than a file has a value the server does not know.
    BadField {
        field: String,
    },
    /// The ZIP's central directory cannot be read.
    ArchiveUnreadable {
        file: String,
    },
    ArchiveCorrupt {
        file: String,
        entry: String,
    },
    ArchiveUnsafePath {
        file: String,
        entry: String,
    },
    ArchiveEncrypted {
        file: String,
        entry: String,
    },
    ArchiveTooManyEntries {
        file: String,
        count: u64,
        max: u64,
    },
    ArchiveTooLarge {
        file: String,
        max: u64,
    },
    ArchiveBomb {
        file: String,
        entry: String,
        ratio: u64,
        max: u64,
    },
    ArchiveNoLogs {
        file: String,
    },
    ScenarioCollision {
        file: String,
        id: u32,
        first: String,
        second: String,
    },
    /// An uploaded knowledge base (or one inside the archive) cannot be used.
    KbInvalid {
        file: String,
        fault: KbFault,
        /// 1-based line (CSV) or row (workbook) of the first bad row, when rows were read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        row: Option<RowFault>,
    },
    /// An uploaded playbook file cannot be used.
    PlaybooksInvalid {
        file: String,
        fault: PlaybookFault,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem_id: Option<u32>,
    },
    /// An uploaded log formats file cannot be used: the line (TOML syntax) or the format
    /// named, and what is wrong with it.
    FormatsInvalid {
        file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<String>,
        reason: String,
    },
    /// An uploaded glossary of aliases cannot be used: the line, and what is wrong with it.
    GlossaryInvalid {
        file: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        line: Option<u64>,
        reason: String,
    },
    UploadTooLarge {
        limit: u64,
    },
    QueueFull {
        capacity: u64,
    },
    /// Results exist only for finished analyses.
    NotReady {
        id: String,
        state: JobState,
    },
    UnknownReport {
        name: String,
    },
    /// Pause or resume asked of a session whose state does not allow it (`action`: `pause`
    /// of a finished one, `resume` of one that is not paused).
    StateConflict {
        id: String,
        state: JobState,
        action: String,
    },
    /// A query or body the server cannot use; `detail` says why.
    BadRequest,
    Unauthorized,
    RateLimited {
        wait_secs: u64,
    },
    /// The upload's body stopped arriving (or crawled) and was dropped (408).
    UploadStalled {
        secs: u64,
    },
    /// This client has as many uploads in progress as it may (429).
    TooManyUploads {
        limit: u64,
    },
    /// The server's disk has no room for the upload (507).
    InsufficientStorage,
    /// No resumable upload by this id (404): analysed, terminated, expired, or never made here.
    UnknownUpload {
        id: String,
    },
    /// A PATCH of a resumable upload did not start at the bytes the server holds (409).
    UploadOffsetMismatch {
        offset: u64,
    },
    /// `POST /process` named a resumable upload that still lacks bytes (409).
    UploadIncomplete {
        id: String,
        offset: u64,
        length: u64,
    },
    /// Another request is writing that resumable upload (423).
    UploadBusy {
        id: String,
    },
    /// A PATCH body not sent as `application/offset+octet-stream` (415).
    UploadContentType,
    /// A resumable-upload request without `Tus-Resumable: 1.0.0` (412).
    TusVersion,
    /// The `Host` of the request is not one this server answers to (421).
    MisdirectedHost {
        host: String,
    },
    /// A page of another site tried to open a progress socket (403).
    ForeignOrigin,
    StorageError,
    InternalError,
    /// A code this client does not know (a newer server): show `detail`.
    #[serde(other)]
    Unknown,
}

impl Problem {
    /// The wire `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NotFound => "not_found",
            Problem::UnknownSession { .. } => "unknown_session",
            Problem::DeletedSession { .. } => "deleted_session",
            Problem::UploadGone { .. } => "upload_gone",
            Problem::BadUpload => "bad_upload",
            Problem::MissingArchive => "missing_archive",
            Problem::NotAZip { .. } => "not_a_zip",
            Problem::EmptyFile { .. } => "empty_file",
            Problem::BadField { .. } => "bad_field",
            Problem::ArchiveUnreadable { .. } => "archive_unreadable",
            Problem::ArchiveCorrupt { .. } => "archive_corrupt",
            Problem::ArchiveUnsafePath { .. } => "archive_unsafe_path",
            Problem::ArchiveEncrypted { .. } => "archive_encrypted",
            Problem::ArchiveTooManyEntries { .. } => "archive_too_many_entries",
            Problem::ArchiveTooLarge { .. } => "archive_too_large",
            Problem::ArchiveBomb { .. } => "archive_bomb",
            Problem::ArchiveNoLogs { .. } => "archive_no_logs",
            Problem::ScenarioCollision { .. } => "scenario_collision",
            Problem::KbInvalid { .. } => "kb_invalid",
            Problem::PlaybooksInvalid { .. } => "playbooks_invalid",
            Problem::FormatsInvalid { .. } => "formats_invalid",
            Problem::GlossaryInvalid { .. } => "glossary_invalid",
            Problem::UploadTooLarge { .. } => "upload_too_large",
            Problem::QueueFull { .. } => "queue_full",
            Problem::NotReady { .. } => "not_ready",
            Problem::UnknownReport { .. } => "unknown_report",
            Problem::StateConflict { .. } => "state_conflict",
            Problem::BadRequest => "bad_request",
            Problem::Unauthorized => "unauthorized",
            Problem::RateLimited { .. } => "rate_limited",
            Problem::UploadStalled { .. } => "upload_stalled",
            Problem::TooManyUploads { .. } => "too_many_uploads",
            Problem::InsufficientStorage => "insufficient_storage",
            Problem::UnknownUpload { .. } => "unknown_upload",
            Problem::UploadOffsetMismatch { .. } => "upload_offset_mismatch",
            Problem::UploadIncomplete { .. } => "upload_incomplete",
            Problem::UploadBusy { .. } => "upload_busy",
            Problem::UploadContentType => "upload_content_type",
            Problem::TusVersion => "tus_version",
            Problem::MisdirectedHost { .. } => "misdirected_host",
            Problem::ForeignOrigin => "foreign_origin",
            Problem::StorageError => "storage_error",
            Problem::InternalError => "internal_error",
            Problem::Unknown => "unknown",
        }
    }
}

/// Why a knowledge base cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum KbFault {
    /// Not a readable CSV or workbook.
    Unreadable,
    /// The first sheet of a workbook spans more cells than a knowledge base can.
    SheetTooLarge,
    /// Read, but not one row is a usable link (the first bad row is named).
    NoUsableRows,
    TooLarge,
}

/// Why one knowledge-base row was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum RowFault {
    /// Not the four columns: anomaly id; anomaly; problem id; problem.
    Columns {
        found: u64,
    },
    /// The anomaly id is not a non-negative integer.
    AnomalyId {
        value: String,
    },
    ProblemId {
        value: String,
    },
    /// The anomaly or the problem text is empty.
    EmptyText,
    /// The CSV row itself is malformed (quotes, encoding).
    Malformed,
}

/// Why a playbook file cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlaybookFault {
    NotUtf8,
    /// Not valid TOML/JSON, or not the expected `[[playbook]]` shape (`line` says where).
    Syntax,
    /// A playbook without steps (`problem_id` names it).
    NoSteps,
    /// Two playbooks for one problem (`problem_id` names it).
    Duplicate,
}

/// Media type of [`ProblemDetails`] responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Names an upload may have: a ZIP, a tar (plain or gzip-compressed), one gzip-compressed
/// log, or one plain log. The server tells what it is from its content.
pub const UPLOAD_SUFFIXES: [&str; 7] = [".zip", ".tar", ".tar.gz", ".tgz", ".gz", ".log", ".txt"];

/// Whether `name` is one an upload may have.
pub fn is_upload_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    UPLOAD_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(problem: Problem) -> ProblemDetails {
        ProblemDetails {
            kind: "about:blank".into(),
            title: "Bad Request".into(),
            status: 400,
            detail: "d".into(),
            request_id: None,
            problem,
        }
    }

    #[test]
    fn problem_details_uses_rfc9457_field_names() {
        let p = ProblemDetails {
            kind: "about:blank".into(),
            title: "Not Found".into(),
            status: 404,
            detail: "no route for /api/nope".into(),
            request_id: Some("r-1".into()),
            problem: Problem::NotFound,
        };
        let v = serde_json::to_value(&p).expect("serialises");
        assert_eq!(v["type"], "about:blank");
        assert_eq!(v["status"], 404);
        assert_eq!(v["code"], "not_found");
        assert_eq!(v["request_id"], "r-1");
        assert_eq!(p.code(), "not_found");
        let back: ProblemDetails = serde_json::from_value(v).expect("round-trips");
        assert_eq!(back, p);
    }

    #[test]
    fn facts_are_extension_members_beside_the_code() {
        let p = details(Problem::KbInvalid {
            file: "kb.csv".into(),
            fault: KbFault::NoUsableRows,
            line: Some(3),
            row: Some(RowFault::Columns { found: 2 }),
        });
        let v = serde_json::to_value(&p).expect("serialises");
        assert_eq!(v["code"], "kb_invalid");
        assert_eq!(v["file"], "kb.csv");
        assert_eq!(v["fault"], "no_usable_rows");
        assert_eq!(v["line"], 3);
        assert_eq!(v["row"]["fault"], "columns");
        assert_eq!(v["row"]["found"], 2);
        assert_eq!(
            serde_json::from_value::<ProblemDetails>(v).expect("back"),
            p
        );
        let q = details(Problem::NotReady {
            id: "x".into(),
            state: JobState::Running,
        });
        let v = serde_json::to_value(&q).expect("serialises");
        assert_eq!(
            (v["code"].as_str(), v["state"].as_str()),
            (Some("not_ready"), Some("running"))
        );
    }

    #[test]
    fn a_code_from_a_newer_server_still_reads() {
        let v = serde_json::json!({"type": "about:blank", "title": "Teapot", "status": 418,
            "detail": "short and stout", "code": "i_am_a_teapot", "spout": true});
        let p: ProblemDetails = serde_json::from_value(v).expect("reads");
        assert_eq!(p.problem, Problem::Unknown);
        assert_eq!(p.detail, "short and stout");
    }
}

/// A link an operator marked "not relevant" under one knowledge base (by its content): later
/// analyses with that knowledge base leave this anomaly → problem link out when only meaning
/// (not the organizers' exact rule) would make it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotRelevant {
    /// The knowledge base's content hash (`ScenarioInfo::kb_hash`).
    pub kb_hash: String,
    pub anomaly_id: u32,
    pub problem_id: u32,
}

/// `POST /api/sessions/{id}/rerun` body: the model of the new analysis (the same by default),
/// and a new version of the knowledge base to run with (every case then uses it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RerunRequest {
    #[serde(default)]
    pub model: Option<crate::vocab::ModelKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb: Option<KbChange>,
}

/// A new version of the knowledge base a scenario of an analysis used: its rows, then these
/// anomalies (`POST /api/sessions/{id}/kb` gives it as CSV; a re-run may use it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KbChange {
    /// The scenario whose knowledge base is the starting point.
    pub scenario_id: u32,
    pub additions: Vec<KbAddition>,
}

/// An anomaly promoted into the knowledge base (a pattern's template or a novel anomaly's
/// text): of an existing problem (`problem_id`) or of a new one (`problem`, its text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KbAddition {
    pub anomaly: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}
