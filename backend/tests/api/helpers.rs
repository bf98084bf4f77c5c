//! Starts a real LogLens server for a test (in process, or the real binary when the test
//! must kill it) and talks to it over HTTP and WebSocket.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use loglens::config::{ModelConfig, ServeConfig};
use loglens_shared::session::{JobState, ServerMessage, Snapshot};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

/// The repository root (the backend crate's parent).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Marker the test web app's index.html carries, to tell SPA fallback from other bodies.
pub const INDEX_MARKER: &str = "<!-- loglens test index -->";

/// How long a test waits for a job to finish before failing.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(120);

pub fn config(dir: &Path) -> ServeConfig {
    let static_dir = dir.join("dist");
    std::fs::create_dir_all(&static_dir).expect("static dir");
    std::fs::write(
        static_dir.join("index.html"),
        format!("<html>{INDEX_MARKER}</html>"),
    )
    .expect("index");
    std::fs::write(static_dir.join("app.css"), "body{}").expect("asset");
    ServeConfig {
        bind: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("data"),
        static_dir,
        max_upload_bytes: 64 * 1024 * 1024,
        queue_capacity: 16,
        workers: 1,
        retention_hours: 168,
        worker_memory_mb: 2048,
        job_timeout: 600,
        max_attempts: 2,
        // Analyses run in a worker process: this package's own `loglens` binary.
        worker_bin: Some(PathBuf::from(env!("CARGO_BIN_EXE_loglens"))),
        failed_upload_retention_hours: 24,
        ws_idle_timeout_secs: 120,
        uploads_per_minute: 600,
        upload_burst: 50,
        upload_read_timeout_secs: 60,
        upload_min_bytes_per_sec: 1024,
        uploads_per_client: 16,
        min_free_bytes: 0,
        api_token: None,
        cors_origins: Vec::new(),
        allowed_hosts: Vec::new(),
        formats: None,
        glossary: None,
        database_url: None,
        storage_url: None,
        node_id: None,
        heartbeat_secs: 1,
        dead_after_secs: 3,
        // Every archive of several cases is spread on a shared database (the tests' are small).
        spread_min_bytes: 0,
        resumable_uploads: None,
        models: ModelConfig {
            models_dir: repo_root().join("models"),
            heavy_model_dir: None,
            ort_dylib_path: None,
        },
    }
}

/// A server running on a free port with its own data and static directories.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut ServeConfig)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = config(dir.path());
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(loglens::launch(listener, config, async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::new(),
            dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `GET path` with one request header (origin, request id, If-None-Match, Accept-Encoding…).
    pub async fn get_with(&self, path: &str, header: &str, value: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header(header, value)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(h) => h.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// `POST /process` with `bytes` as the file field named `name`.
/// The `session_id` of a 202 answer.
pub async fn accepted_id(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 202, "accepted");
    r.json::<serde_json::Value>().await.expect("json")["session_id"]
        .as_str()
        .expect("a session id")
        .to_owned()
}

pub async fn upload(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    bytes: Vec<u8>,
    model: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("model", model.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    client
        .post(format!("{base}/process"))
        .multipart(form)
        .send()
        .await
        .expect("upload sent")
}

/// `upload` with one side file beside the archive: `field` is `kb`, `playbooks`, `formats`
/// or `glossary`.
pub async fn upload_with(
    client: &reqwest::Client,
    base: &str,
    zip: Vec<u8>,
    side: (&'static str, &str, Vec<u8>),
) -> reqwest::Response {
    upload_with_all(client, base, zip, vec![side]).await
}

/// `upload` with several side files beside the archive (field, file name, bytes).
pub async fn upload_with_all(
    client: &reqwest::Client,
    base: &str,
    zip: Vec<u8>,
    sides: Vec<(&'static str, &str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("model", "light").part(
        "file",
        reqwest::multipart::Part::bytes(zip).file_name("upload.zip"),
    );
    for (field, name, bytes) in sides {
        form = form.part(
            field,
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    client
        .post(format!("{base}/process"))
        .multipart(form)
        .send()
        .await
        .expect("upload sent")
}

/// A zip of `entries` (name, bytes), deflated.
pub fn zip_with(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    buf.into_inner()
}

/// A tar of `entries` (name, bytes); names are written as given (even `..`, as a hostile
/// archive would).
pub fn tar_with(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, bytes.as_slice()).expect("append");
    }
    b.into_inner().expect("tar")
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// Uploads and returns the session id (asserting the 202 contract).
pub async fn start_job(client: &reqwest::Client, base: &str, zip: &Path) -> String {
    let bytes = std::fs::read(zip).expect("zip");
    let r = upload(client, base, "vc.zip", bytes, "light").await;
    assert_eq!(r.status(), 202, "{:?}", r.text().await);
    let location = r.headers()["location"].to_str().expect("ascii").to_owned();
    let body: serde_json::Value = r.json().await.expect("json");
    let id = body["session_id"].as_str().expect("session_id").to_owned();
    assert_eq!(location, format!("/api/sessions/{id}"));
    id
}

/// GETs `url` and decodes its JSON body.
pub async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: &str) -> T {
    client
        .get(url)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json")
}

/// Waits for the job to succeed and returns its `report.json`.
pub async fn succeeded_report(
    client: &reqwest::Client,
    base: &str,
    id: &str,
) -> loglens_shared::report::AnalysisReport {
    let s = wait_done(client, base, id).await;
    assert_eq!(s.state, JobState::Succeeded, "{s:?}");
    client
        .get(format!("{base}/api/sessions/{id}/reports/report.json"))
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json")
}

/// Polls the snapshot until `done` holds for it (failing the test after [`JOB_TIMEOUT`]).
async fn poll_until(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    what: &str,
    done: impl Fn(&Snapshot) -> bool,
) -> Snapshot {
    let deadline = tokio::time::Instant::now() + JOB_TIMEOUT;
    loop {
        let s: Snapshot = client
            .get(format!("{base}/api/sessions/{id}"))
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("json");
        if done(&s) {
            return s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {id} never {what}: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls the snapshot until the job is finished.
pub async fn wait_done(client: &reqwest::Client, base: &str, id: &str) -> Snapshot {
    poll_until(client, base, id, "finished", |s| s.state.is_terminal()).await
}

/// Polls until the job is running (and fails if it ends before being seen running).
pub async fn wait_running(client: &reqwest::Client, base: &str, id: &str) {
    let s = poll_until(client, base, id, "ran", |s| {
        s.state == JobState::Running || s.state.is_terminal()
    })
    .await;
    assert_eq!(
        s.state,
        JobState::Running,
        "job ended before it was seen running: {s:?}"
    );
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(addr: &str, id: &str, after_seq: Option<u64>) -> Ws {
    let q = after_seq.map_or_else(String::new, |s| format!("?after_seq={s}"));
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/progress/{id}{q}"))
        .await
        .expect("ws connects");
    ws
}

/// Everything the server sends until it closes the socket (heartbeats dropped), and the close code.
pub async fn read_all(ws: &mut Ws) -> (Vec<ServerMessage>, Option<u16>) {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + JOB_TIMEOUT;
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("socket closed in time");
        match next {
            Some(Ok(Message::Text(t))) => {
                let msg: ServerMessage = serde_json::from_str(t.as_str()).expect("server message");
                if msg != ServerMessage::Heartbeat {
                    out.push(msg);
                }
            }
            Some(Ok(Message::Close(frame))) => return (out, frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return (out, None),
        }
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.expect("send");
}

/// The validation cases rebuilt by gen_cases.py, shared by the tests of this binary.
pub fn validation_zip(lines: u32) -> PathBuf {
    static SMALL: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    static FULL: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let cell = if lines >= 50_000 { &FULL } else { &SMALL };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path().join("vc.zip");
        let status = std::process::Command::new("python3")
            .arg(repo_root().join("../shared/tools/gen_cases.py"))
            .args(["--validation", "--lines", &lines.to_string(), "--out"])
            .arg(&out)
            .status()
            .expect("python3");
        assert!(status.success());
        (dir, out)
    })
    .1
    .clone()
}

/// The percents of the progress messages among `msgs`, in order.
pub fn percents(msgs: &[ServerMessage]) -> Vec<u8> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMessage::Progress(p) => Some(p.progress),
            _ => None,
        })
        .collect()
}

/// Persisted events (progress, error, complete) among `msgs`, by seq.
pub fn seqs(msgs: &[ServerMessage]) -> Vec<u64> {
    msgs.iter()
        .filter(|m| !matches!(m, ServerMessage::Snapshot(_)))
        .filter_map(ServerMessage::seq)
        .collect()
}

/// A report's links as (anomaly, problem, method), in id order.
pub fn link_keys(
    r: &loglens_shared::report::AnalysisReport,
) -> Vec<(u32, u32, loglens_shared::Method)> {
    let mut l: Vec<_> = r
        .links
        .iter()
        .map(|l| (l.anomaly_id, l.problem_id, l.method))
        .collect();
    l.sort_by_key(|x| (x.0, x.1));
    l
}
