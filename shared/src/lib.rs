//! Types that cross the wire between the LogLens backend and its web app.
//!
//! Everything here compiles for both `wasm32-unknown-unknown` and native targets and has
//! no I/O: the backend serialises these types, the frontend deserialises the very same
//! definitions, so a field renamed on one side fails to compile on the other.

pub mod api;
pub mod progress;
pub mod report;
pub mod session;
pub mod stage;
pub mod units;
pub mod urls;
pub mod watch;

pub use api::{ProblemDetails, VersionInfo};
pub use progress::{Bilingual, EngineProgress};
pub use stage::Stage;
