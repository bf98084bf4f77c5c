//! Jobs survive the server: killed without warning (the real binary, SIGKILL) or shut down
//! gracefully, a new server on the same data dir finishes the job, and the event log has
//! every event once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use futures_util::StreamExt;
use loglens_shared::session::{JobState, ServerMessage};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// `loglens serve` as a child process on a free port; returns it and its address.
pub(crate) fn serve(data: &Path, static_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loglens"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .arg("--static-dir")
        .arg(static_dir)
        .arg("--models-dir")
        .arg(repo_root().join("models"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("loglens starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("url")
        .to_owned();
    (child, addr)
}

#[tokio::test]
async fn killed_mid_job_then_restarted_the_job_completes_and_no_event_is_lost_or_doubled() {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = config(dir.path());
    let client = reqwest::Client::new();
    let (mut first, addr) = serve(&cfg.data_dir, &cfg.static_dir);
    let base = format!("http://{addr}");
    let id = start_job(&client, &base, &validation_zip(50_000)).await;
    let mut ws = connect(&addr, &id, Some(0)).await;
    let mut seen: Vec<ServerMessage> = Vec::new();
    // read until the analysis is under way (past the unpack stage), then kill -9
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                let m: ServerMessage = serde_json::from_str(t.as_str()).expect("json");
                let under_way = matches!(&m, ServerMessage::Progress(p) if p.progress >= 10);
                assert!(
                    !m.is_terminal(),
                    "job finished before the kill: make the archive bigger"
                );
                if m != ServerMessage::Heartbeat {
                    seen.push(m);
                }
                if under_way {
                    break;
                }
            }
            other => panic!("socket ended early: {other:?}"),
        }
    }
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    drop(ws);

    let (mut second, addr2) = serve(&cfg.data_dir, &cfg.static_dir);
    let last_seen = *seqs(&seen).last().expect("some events");
    let mut ws = connect(&addr2, &id, Some(last_seen)).await;
    let (rest, close) = read_all(&mut ws).await;
    assert_eq!(close, Some(1000));
    let mut all = seqs(&seen);
    all.extend(seqs(&rest));
    let last = *all.last().expect("events");
    assert_eq!(
        all,
        (1..=last).collect::<Vec<_>>(),
        "every event exactly once across the restart"
    );
    let events: Vec<ServerMessage> = client
        .get(format!("http://{addr2}/api/sessions/{id}/events"))
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("json");
    assert_eq!(seqs(&events), (1..=last).collect::<Vec<_>>());
    assert_eq!(events.iter().filter(|m| m.is_terminal()).count(), 1);
    assert!(matches!(events.last(), Some(ServerMessage::Complete(_))));
    assert!(
        events
            .iter()
            .any(|m| matches!(m, ServerMessage::Progress(p) if p.text.ru.contains("Перезапуск"))),
        "the restart is visible"
    );
    let percents = percents(&events);
    assert!(
        percents.windows(2).all(|w| w[0] <= w[1]),
        "percent never goes back: {percents:?}"
    );
    let done = wait_done(&client, &format!("http://{addr2}"), &id).await;
    assert_eq!(done.state, JobState::Succeeded);
    second.kill().expect("stop");
    second.wait().expect("reaped");
}

#[tokio::test]
async fn graceful_shutdown_closes_sockets_with_1001_and_the_job_resumes_on_the_next_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = config(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(loglens::launch(listener, cfg.clone(), async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    let id = start_job(&client, &base, &validation_zip(50_000)).await;
    wait_running(&client, &base, &id).await;
    let mut ws = connect(&addr, &id, None).await;
    let _ = tx.send(());
    let (_, close) = read_all(&mut ws).await;
    assert_eq!(close, Some(1001));
    tokio::time::timeout(std::time::Duration::from_secs(30), server)
        .await
        .expect("stops in bounded time")
        .expect("task")
        .expect("clean");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    cfg.bind = addr.parse().expect("addr");
    let (_tx2, rx2) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(loglens::launch(listener, cfg, async move {
        let _ = rx2.await;
    }));
    let done = wait_done(&client, &format!("http://{addr}"), &id).await;
    assert_eq!(done.state, JobState::Succeeded, "{done:?}");
}
