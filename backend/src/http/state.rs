//! What every handler shares.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
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
    pub upload_limits: UploadLimits,
    /// Uploads in progress per client address.
    pub active_uploads: Arc<Mutex<HashMap<IpAddr, usize>>>,
    /// Resumable (tus) uploads kept in this node's data dir.
    pub resumable: Arc<super::resumable::store::Uploads>,
    /// Whether `/api/uploads` is served (`LOGLENS_RESUMABLE_UPLOADS`).
    pub resumable_on: bool,
}

/// What an upload may cost the server while its body arrives.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Longest wait for the next bytes of the body; also the grace before `min_rate` applies.
    pub read_timeout: Duration,
    /// Slowest average rate accepted after `read_timeout` (bytes/s).
    pub min_rate: u64,
    pub per_client: usize,
    /// Free space kept in the data dir.
    pub min_free: u64,
}
