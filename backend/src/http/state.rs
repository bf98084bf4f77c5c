//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::jobs::Jobs;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub jobs: Arc<Jobs>,
    pub max_upload_bytes: u64,
    pub queue_capacity: usize,
    pub ws_idle_timeout: Duration,
    /// Flips to `true` when the server shuts down: sockets close with 1001.
    pub shutdown: watch::Receiver<bool>,
    pub metrics: Arc<Metrics>,
    /// SHA-256 of the API token, if one is required (compared as digests, not as text).
    pub token_digest: Option<[u8; 32]>,
}
