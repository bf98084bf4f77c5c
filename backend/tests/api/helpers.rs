//! Starts a real LogLens server for a test and tears it down with it.

use std::net::SocketAddr;
use std::path::PathBuf;

use loglens::config::{ModelConfig, ServeConfig};
use tokio::sync::oneshot;

/// The repository root (the backend crate's parent).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A server running on a free port with its own data and static directories.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Marker the test web app's index.html carries, to tell SPA fallback from other bodies.
pub const INDEX_MARKER: &str = "<!-- loglens test index -->";

impl TestApp {
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let static_dir = dir.path().join("dist");
        std::fs::create_dir_all(&static_dir).expect("static dir");
        std::fs::write(
            static_dir.join("index.html"),
            format!("<html>{INDEX_MARKER}</html>"),
        )
        .expect("index");
        std::fs::write(static_dir.join("app.css"), "body{}").expect("asset");
        let config = ServeConfig {
            bind: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.path().join("data"),
            static_dir,
            models: ModelConfig {
                models_dir: repo_root().join("models"),
                heavy_model_dir: None,
                ort_dylib_path: None,
            },
        };
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
