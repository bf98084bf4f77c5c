//! The cluster test (`scripts/cluster_test.sh`; skipped by the plain suite, which the script
//! follows): PostgreSQL and an S3-compatible server of its own (SeaweedFS), then three
//! `loglens serve` processes on loopback sharing them, as an operator would run them behind a
//! load balancer. It checks what several nodes promise, killing nodes with SIGKILL and
//! restarting PostgreSQL mid-job, and prints the figures of the closing note.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;
#[path = "support/s3_server.rs"]
mod s3_server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use loglens_shared::session::{JobState, ServerMessage, Snapshot};
use pg_cluster::Cluster;
use s3_server::S3Server;
use tokio_tungstenite::tungstenite::Message;

/// Heartbeat and takeover delay of the nodes: seconds here, minutes by default.
const HEARTBEAT_SECS: u64 = 1;
const DEAD_AFTER_SECS: u64 = 4;
/// Longest wait for one job in this test.
const JOB_TIMEOUT: Duration = Duration::from_secs(180);
/// Lines per file of the 30-case archive (30 cases × 10 files): long enough to kill a node
/// mid-job, short enough for the whole test to stay within minutes.
const CASE_LINES: &str = "10000";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One `loglens serve` process.
struct Node {
    name: String,
    port: u16,
    data: PathBuf,
    child: Option<Child>,
}

/// What every node shares.
struct Shared {
    db: String,
    storage: String,
    dir: tempfile::TempDir,
}

/// Lines of each node's log printed when the test fails (the logs go with the temp dir).
const LOG_TAIL_LINES: usize = 80;

impl Drop for Shared {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for name in ["n1", "n2", "n3"] {
            let log = std::fs::read_to_string(self.dir.path().join(format!("{name}.log")))
                .unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            eprintln!("---- the last lines of {name}'s log ----");
            for line in &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..] {
                eprintln!("{line}");
            }
        }
    }
}

impl Node {
    fn start(name: &str, shared: &Shared) -> Node {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let mut node = Node {
            name: name.to_owned(),
            port,
            data: shared.dir.path().join(name),
            child: None,
        };
        node.spawn(shared);
        node
    }

    /// Starts (or starts again, same name, same port and data dir) the process.
    fn spawn(&mut self, shared: &Shared) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(shared.dir.path().join(format!("{}.log", self.name)))
            .expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_loglens"))
            .arg("serve")
            .current_dir(repo_root())
            .env("LOGLENS_BIND", format!("127.0.0.1:{}", self.port))
            .env("LOGLENS_DATA_DIR", &self.data)
            .env("LOGLENS_STATIC_DIR", shared.dir.path().join("no-web-app"))
            .env("LOGLENS_DATABASE_URL", &shared.db)
            .env("LOGLENS_STORAGE_URL", &shared.storage)
            .env("LOGLENS_NODE_ID", &self.name)
            .env("LOGLENS_HEARTBEAT_SECS", HEARTBEAT_SECS.to_string())
            .env("LOGLENS_DEAD_AFTER_SECS", DEAD_AFTER_SECS.to_string())
            .env("LOGLENS_MIN_FREE_BYTES", "0")
            .env("LOGLENS_SPREAD_MIN_BYTES", "0")
            // Signed requests (SeaweedFS without identities accepts any key).
            .env("AWS_ACCESS_KEY_ID", "loglens")
            .env("AWS_SECRET_ACCESS_KEY", "loglens-test")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("loglens serve starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "{} did not start", self.name);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no shutdown, no goodbye.
    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn gen_cases(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("python3")
        .arg(repo_root().join("../shared/tools/gen_cases.py"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("python3");
    assert!(status.success(), "gen_cases {args:?}");
    out
}

/// The 30-case archive of the benchmark (one case per KB problem), smaller files.
fn thirty_cases(dir: &Path) -> PathBuf {
    let spec = dir.join("spec30.json");
    let status = Command::new("python3")
        .arg(repo_root().join("scripts/bench_spec.py"))
        .arg(repo_root().join("../shared/data/anomalies_problems.csv"))
        .arg(&spec)
        .status()
        .expect("python3");
    assert!(status.success());
    gen_cases(
        dir,
        "tc30.zip",
        &[
            "--spec",
            spec.to_str().expect("utf-8"),
            "--lines",
            CASE_LINES,
        ],
    )
}

async fn upload(client: &reqwest::Client, node: &Node, zip: &Path) -> String {
    let bytes = std::fs::read(zip).expect("zip");
    let name = zip
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let form = reqwest::multipart::Form::new().text("model", "light").part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name),
    );
    let r = client
        .post(node.url("/process"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = r.status();
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(status, 202, "upload to {}: {body}", node.name);
    body["session_id"].as_str().expect("id").to_owned()
}

async fn snapshot(client: &reqwest::Client, node: &Node, id: &str) -> Snapshot {
    client
        .get(node.url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .expect("snapshot")
        .json()
        .await
        .expect("json")
}

async fn wait_until(
    client: &reqwest::Client,
    node: &Node,
    id: &str,
    done: impl Fn(&Snapshot) -> bool,
) -> Snapshot {
    let deadline = Instant::now() + JOB_TIMEOUT;
    loop {
        let s = snapshot(client, node, id).await;
        if done(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "job {id}: {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A case of job `id` being read by a node other than `not`: (node, case).
async fn case_reader(db: &str, id: &str, not: &str) -> Option<(String, i32)> {
    let (db, id, not) = (db.to_owned(), id.to_owned(), not.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).ok()?;
        let r = c
            .query_opt(
                "SELECT owner, idx FROM units WHERE job_id=$1 AND state='running' AND owner <> $2
                    ORDER BY idx LIMIT 1",
                &[&id, &not],
            )
            .ok()??;
        Some((r.try_get(0).ok()?, r.try_get(1).ok()?))
    })
    .await
    .expect("query")
}

/// How many times case `case` of job `id` was claimed.
async fn case_attempts(db: &str, id: &str, case: i32) -> i32 {
    let (db, id) = (db.to_owned(), id.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).expect("db");
        c.query_one(
            "SELECT attempts FROM units WHERE job_id=$1 AND idx=$2",
            &[&id, &case],
        )
        .and_then(|r| r.try_get(0))
        .unwrap_or(0)
    })
    .await
    .expect("query")
}

/// The node that holds the job's claim (white-box: read from the database).
async fn owner(db: &str, id: &str) -> Option<String> {
    let (db, id) = (db.to_owned(), id.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&db, postgres::NoTls).ok()?;
        c.query_one("SELECT owner FROM jobs WHERE id=$1", &[&id])
            .ok()?
            .try_get(0)
            .ok()?
    })
    .await
    .expect("query")
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(node: &Node, id: &str, after_seq: u64) -> Ws {
    let url = format!(
        "ws://{}/ws/progress/{id}?after_seq={after_seq}",
        node.addr()
    );
    tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connects")
        .0
}

/// How often the watcher says `ping`, as the web app does (a silent client is closed as idle).
const CLIENT_PING_EVERY: Duration = Duration::from_secs(30);

/// Reads events until the terminal one, the socket's end, or `stop` says so. Returns how the
/// socket ended (`None` while it is open), so a check can say why events stopped coming.
async fn read_until(
    ws: &mut Ws,
    out: &mut Vec<ServerMessage>,
    stop: impl Fn(&[ServerMessage]) -> bool,
) -> Option<String> {
    use futures_util::SinkExt;
    let deadline = tokio::time::Instant::now() + JOB_TIMEOUT;
    let mut ping = tokio::time::interval(CLIENT_PING_EVERY);
    ping.reset();
    loop {
        if out.last().is_some_and(ServerMessage::is_terminal) || stop(out) {
            return None;
        }
        let next = tokio::select! {
            next = tokio::time::timeout_at(deadline, ws.next()) => next,
            _ = ping.tick() => {
                let _ = ws.send(Message::text("ping")).await;
                continue;
            }
        };
        match next {
            Ok(Some(Ok(Message::Text(t)))) => {
                let msg: ServerMessage = serde_json::from_str(t.as_str()).expect("message");
                if !matches!(msg, ServerMessage::Heartbeat | ServerMessage::Pong) {
                    out.push(msg);
                }
            }
            Ok(Some(Ok(Message::Close(frame)))) => return Some(format!("closed: {frame:?}")),
            Ok(Some(Ok(_))) => {}
            Ok(None) => return Some("ended without a close frame".into()),
            Ok(Some(Err(e))) => return Some(format!("broke: {e}")),
            Err(_) => panic!("no terminal event in time: {out:?}"),
        }
    }
}

/// Uploads `jobs` copies of `zip`, one per node in turn, and waits for all: the wall time.
async fn batch(client: &reqwest::Client, nodes: &[&Node], zip: &Path, jobs: usize) -> f64 {
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..jobs {
        ids.push(upload(client, nodes[i % nodes.len()], zip).await);
    }
    for id in &ids {
        let s = wait_until(client, nodes[0], id, |s| s.state.is_terminal()).await;
        assert_eq!(s.state, JobState::Succeeded, "{s:?}");
    }
    started.elapsed().as_secs_f64()
}

fn percent(m: &ServerMessage) -> Option<u8> {
    match m {
        ServerMessage::Progress(p) => Some(p.progress),
        _ => None,
    }
}

/// What a watcher must see of one job: every seq once, in order, from 1; percent never
/// decreasing; exactly one terminal event, the last.
fn assert_whole(msgs: &[ServerMessage], what: &str) {
    // A snapshot repeats the seq of the last event it sums up: events only.
    let seqs: Vec<u64> = msgs
        .iter()
        .filter(|m| !matches!(m, ServerMessage::Snapshot(_)))
        .filter_map(ServerMessage::seq)
        .collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "{what}: every seq once, no gap: {seqs:?}"
    );
    let percents: Vec<u8> = msgs.iter().filter_map(percent).collect();
    assert!(
        percents.windows(2).all(|w| w[0] <= w[1]),
        "{what}: percent never decreases: {percents:?}"
    );
    let terminal = msgs.iter().filter(|m| m.is_terminal()).count();
    assert_eq!(terminal, 1, "{what}: one terminal event");
    assert!(msgs.last().is_some_and(ServerMessage::is_terminal));
}

/// The report's links, the part two runs of one archive must agree on.
fn links(report: &serde_json::Value) -> serde_json::Value {
    report["links"].clone()
}

async fn report(client: &reqwest::Client, node: &Node, id: &str) -> serde_json::Value {
    client
        .get(node.url(&format!("/api/sessions/{id}/reports/report.json")))
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json")
}

/// `loglens analyze` of the same archive on this machine, alone.
fn analyze_alone(zip: &Path, out: &Path) -> serde_json::Value {
    let status = Command::new(env!("CARGO_BIN_EXE_loglens"))
        .current_dir(repo_root())
        .args(["analyze", "--model", "light", "--out"])
        .arg(out)
        .arg(zip)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("analyze");
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the cluster test: run by scripts/cluster_test.sh"]
async fn three_nodes_share_postgresql_and_s3_survive_kills_and_a_database_restart() {
    let began = Instant::now();
    let pg = Cluster::start();
    let s3 = S3Server::start("loglens");
    let shared = Shared {
        db: pg.url(),
        storage: s3.url("loglens"),
        dir: tempfile::tempdir().expect("tmp"),
    };
    let inputs = tempfile::tempdir().expect("inputs");
    let validation = gen_cases(
        inputs.path(),
        "validation.zip",
        &["--validation", "--lines", "20000"],
    );
    let tc30 = thirty_cases(inputs.path());
    let mut nodes: Vec<Node> = ["n1", "n2", "n3"]
        .iter()
        .map(|n| Node::start(n, &shared))
        .collect();
    let client = reqwest::Client::new();
    println!(
        "cluster: PostgreSQL, SeaweedFS and 3 nodes up in {:.1} s",
        began.elapsed().as_secs_f64()
    );

    // 1. Both archives across the nodes: reports equal to `loglens analyze` alone; the
    //    official scorer gives the validation run F1 1.000.
    let v = upload(&client, &nodes[0], &validation).await;
    let t = upload(&client, &nodes[1], &tc30).await;
    for id in [&v, &t] {
        let s = wait_until(&client, &nodes[2], id, |s| s.state.is_terminal()).await;
        assert_eq!(s.state, JobState::Succeeded, "{s:?}");
    }
    let alone_v = analyze_alone(&validation, &inputs.path().join("alone-v"));
    let alone_started = Instant::now();
    let alone_t = analyze_alone(&tc30, &inputs.path().join("alone-t"));
    let alone_secs = alone_started.elapsed().as_secs_f64();
    assert_eq!(
        links(&report(&client, &nodes[2], &v).await),
        links(&alone_v)
    );
    assert_eq!(
        links(&report(&client, &nodes[0], &t).await),
        links(&alone_t)
    );
    let submit = client
        .get(nodes[2].url(&format!("/api/sessions/{v}/reports/submit_report.xlsx")))
        .send()
        .await
        .expect("submit report")
        .bytes()
        .await
        .expect("bytes");
    let submit_path = inputs.path().join("submit_report.xlsx");
    std::fs::write(&submit_path, &submit).expect("write");
    let score = Command::new("python3")
        .arg(repo_root().join("../shared/tools/score_report.py"))
        .arg(&submit_path)
        .arg(repo_root().join("../shared/data/validation_expected.csv"))
        .output()
        .expect("scorer");
    let scored = String::from_utf8_lossy(&score.stdout);
    assert!(scored.contains("f1 1.000"), "{scored}");
    println!(
        "cluster: validation and 30-case reports equal to a single-node analyze; validation scored {}",
        scored.trim().replace('\n', "; ")
    );

    // 2. The wall time of one 30-case job, then of three at once, on one node, then on three.
    let solo = Shared {
        db: shared.db.clone(),
        storage: shared.storage.clone(),
        dir: tempfile::tempdir().expect("tmp"),
    };
    let mut only = Node::start("solo", &solo);
    for n in &mut nodes {
        n.kill9();
    }
    let one_on_1 = batch(&client, &[&only], &tc30, 1).await;
    let three_on_1 = batch(&client, &[&only], &tc30, 3).await;
    only.kill9();
    for n in &mut nodes {
        n.spawn(&shared);
    }
    let all: Vec<&Node> = nodes.iter().collect();
    let one_on_3 = batch(&client, &all, &tc30, 1).await;
    let three_on_3 = batch(&client, &all, &tc30, 3).await;
    println!(
        "cluster: one 30-case job ({CASE_LINES} lines per file) on 1 node {one_on_1:.1} s, on 3 nodes {one_on_3:.1} s ({:.2}x); three at once on 1 node {three_on_1:.1} s, on 3 nodes {three_on_3:.1} s ({:.2}x)",
        one_on_1 / one_on_3,
        three_on_1 / three_on_3
    );
    println!(
        "cluster: the same archive by `loglens analyze` alone, whole (no nodes, no spreading): {alone_secs:.1} s"
    );

    // 3a. kill -9 of a node reading one of the job's cases (not its coordinator): the case is
    //     read again elsewhere; the job completes; its watcher sees it whole.
    let id = upload(&client, &nodes[0], &tc30).await;
    wait_until(&client, &nodes[0], &id, |s| s.state == JobState::Running).await;
    let coordinator = owner(&shared.db, &id).await.expect("a coordinator");
    let ci = nodes
        .iter()
        .position(|n| n.name == coordinator)
        .expect("coordinator is a node");
    let mut ws = connect(&nodes[ci], &id, 0).await;
    let deadline = Instant::now() + JOB_TIMEOUT;
    let (victim, case) = loop {
        if let Some(found) = case_reader(&shared.db, &id, &coordinator).await {
            break found;
        }
        assert!(Instant::now() < deadline, "no case read by another node");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let vi = nodes
        .iter()
        .position(|n| n.name == victim)
        .expect("victim is a node");
    let killed = Instant::now();
    nodes[vi].kill9();
    while case_attempts(&shared.db, &id, case).await < 2 {
        assert!(Instant::now() < deadline, "case {case} never read again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let case_recovered = killed.elapsed().as_secs_f64();
    let mut seen = Vec::new();
    read_until(&mut ws, &mut seen, |_| false).await;
    assert_whole(&seen, "killed case reader");
    assert!(matches!(seen.last(), Some(ServerMessage::Complete(_))));
    assert_eq!(
        links(&report(&client, &nodes[ci], &id).await),
        links(&alone_t),
        "the report of a job whose case was read twice"
    );
    println!(
        "cluster: node {victim} killed while reading case {} of a job coordinated by {coordinator}; the case was being read again after {case_recovered:.1} s, the job completed with the single-node report",
        case + 1
    );
    nodes[vi].spawn(&shared);

    // 3b. kill -9 of the node coordinating a job: another takes it over within heartbeat +
    //     dead-after; the watcher (on a third node) sees the job whole.
    let id = upload(&client, &nodes[0], &tc30).await;
    wait_until(&client, &nodes[0], &id, |s| {
        s.state == JobState::Running && s.progress >= 10
    })
    .await;
    let runner = owner(&shared.db, &id).await.expect("an owner");
    let ri = nodes
        .iter()
        .position(|n| n.name == runner)
        .expect("runner is a node");
    let wi = (ri + 1) % 3;
    let mut ws = connect(&nodes[wi], &id, 0).await;
    let mut seen = Vec::new();
    read_until(&mut ws, &mut seen, |m| !m.is_empty()).await;
    let killed = Instant::now();
    nodes[ri].kill9();
    // The new attempt announces itself ("restarted after a stop") as its first event.
    let restarted = |m: &ServerMessage| matches!(m, ServerMessage::Progress(p) if p.text.en.contains("restarted"));
    read_until(&mut ws, &mut seen, |m| m.iter().any(restarted)).await;
    let recovered = killed.elapsed().as_secs_f64();
    read_until(&mut ws, &mut seen, |_| false).await;
    assert_whole(&seen, "killed runner");
    assert!(seen.iter().any(restarted), "{seen:?}");
    assert!(matches!(seen.last(), Some(ServerMessage::Complete(_))));
    let new_runner = owner(&shared.db, &id).await.expect("owner");
    assert_ne!(new_runner, runner);
    println!(
        "cluster: node {runner} killed mid-job; {new_runner} took it over and the watcher saw its next event after {recovered:.1} s (heartbeat {HEARTBEAT_SECS} s, dead after {DEAD_AFTER_SECS} s)"
    );
    nodes[ri].spawn(&shared);

    // 4. kill -9 of the node holding the WebSocket: the client resumes on another node with
    //    after_seq; nothing lost or repeated.
    let id = upload(&client, &nodes[0], &tc30).await;
    wait_until(&client, &nodes[0], &id, |s| s.state == JobState::Running).await;
    let runner = owner(&shared.db, &id).await.expect("owner");
    let ri = nodes.iter().position(|n| n.name == runner).expect("runner");
    let (wi, resume) = ((ri + 1) % 3, (ri + 2) % 3);
    let mut ws = connect(&nodes[wi], &id, 0).await;
    let mut seen = Vec::new();
    read_until(&mut ws, &mut seen, |m| m.len() >= 3).await;
    nodes[wi].kill9();
    let last = seen
        .iter()
        .filter_map(ServerMessage::seq)
        .max()
        .unwrap_or(0);
    let mut ws = connect(&nodes[resume], &id, last).await;
    read_until(&mut ws, &mut seen, |_| false).await;
    assert_whole(&seen, "watcher's node killed");
    println!(
        "cluster: the watcher's node killed after seq {last}; resumed on {} with after_seq, {} events in all, none lost or repeated",
        nodes[resume].name,
        seen.len()
    );
    nodes[wi].spawn(&shared);

    // 5. PostgreSQL restarted mid-job: the job completes; the watcher catches up.
    let id = upload(&client, &nodes[1], &tc30).await;
    let mut ws = connect(&nodes[2], &id, 0).await;
    let mut seen = Vec::new();
    read_until(&mut ws, &mut seen, |m| {
        m.iter().filter_map(percent).any(|p| p >= 10)
    })
    .await;
    let restart = Instant::now();
    pg.pg_ctl("restart");
    let restart_secs = restart.elapsed().as_secs_f64();
    let end = read_until(&mut ws, &mut seen, |_| false).await;
    assert!(
        seen.last().is_some_and(ServerMessage::is_terminal),
        "PostgreSQL restarted: the watcher's socket {end:?} after {:.1} s without a terminal event: {seen:?}",
        restart.elapsed().as_secs_f64()
    );
    assert_whole(&seen, "PostgreSQL restarted");
    assert!(
        matches!(seen.last(), Some(ServerMessage::Complete(_))),
        "{:?}",
        seen.last()
    );
    println!(
        "cluster: PostgreSQL restarted mid-job ({restart_secs:.1} s); the job completed and the watcher saw all {} events",
        seen.len()
    );

    // 6. Cancel sent to one node while another runs the job: exactly one `cancelled`.
    let id = upload(&client, &nodes[0], &tc30).await;
    wait_until(&client, &nodes[0], &id, |s| s.state == JobState::Running).await;
    let runner = owner(&shared.db, &id).await.expect("owner");
    let other = nodes
        .iter()
        .find(|n| n.name != runner)
        .expect("another node");
    let r = client
        .post(other.url(&format!("/api/sessions/{id}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert!(r.status().is_success());
    let s = wait_until(&client, other, &id, |s| s.state.is_terminal()).await;
    assert_eq!(s.state, JobState::Cancelled);
    let events: Vec<ServerMessage> = client
        .get(other.url(&format!("/api/sessions/{id}/events?after_seq=0")))
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("json");
    assert_whole(&events, "cancelled across nodes");
    assert!(
        matches!(events.last(), Some(ServerMessage::Error(m)) if m.code.as_deref() == Some("cancelled"))
    );
    println!(
        "cluster: cancel sent to {} while {runner} ran the job: one cancelled event",
        other.name
    );
    println!(
        "cluster: all checks passed in {:.0} s",
        began.elapsed().as_secs_f64()
    );
}
