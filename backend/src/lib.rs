//! LogLens backend: the analysis engine, and the web server that runs it for users.
//!
//! The binary (`src/main.rs`) only parses the command line and calls into this library, so
//! integration tests drive exactly the code users run: [`launch`] takes an already bound
//! listener (tests bind `127.0.0.1:0`) and a shutdown future.

pub mod cli;
pub mod config;
pub mod engine;
pub mod http;
pub mod inspect;
pub mod jobs;
pub mod metrics;
pub mod render;
pub mod telemetry;

pub use http::launch;
