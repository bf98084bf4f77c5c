//! What crosses the wire between the LogLens backend and its web app: the wire types and the
//! product's vocabulary.
//!
//! Everything here compiles for both `wasm32-unknown-unknown` and native targets and has no
//! I/O: the backend serialises these types, the frontend deserialises the very same
//! definitions, so a field renamed on one side fails to compile on the other. Code only one
//! side runs lives on that side (the client's session reducer in the frontend, the engine's
//! progress in the backend).

pub mod api;
pub mod report;
pub mod session;
pub mod stage;
pub mod text;
pub mod time;
pub mod units;
pub mod vocab;

pub use api::{ProblemDetails, VersionInfo};
pub use stage::Stage;
pub use text::LocalizedText;
pub use time::LogTime;
pub use vocab::{ExportFormat, IncidentKey, Level, Method, ModelKind, Priority, ReportFile};
