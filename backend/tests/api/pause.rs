//! Pause and resume (`POST /api/sessions/{id}/pause|resume`) through the real binary: a paused
//! analysis frees its worker (another one runs meanwhile on the server's single worker), stays
//! paused through a restart, is seen paused by polling and in its events, and completes when
//! resumed, its event log whole.

use loglens_shared::session::{JobState, ServerMessage, Snapshot};

use crate::helpers::*;
use crate::restart::serve;

async fn post(client: &reqwest::Client, base: &str, id: &str, what: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/sessions/{id}/{what}"))
        .send()
        .await
        .expect("POST")
}

async fn events(client: &reqwest::Client, base: &str, id: &str) -> Vec<ServerMessage> {
    get_json(
        client,
        &format!("{base}/api/sessions/{id}/events?after_seq=0"),
    )
    .await
}

#[tokio::test]
async fn a_paused_analysis_frees_its_worker_survives_a_restart_and_completes_when_resumed() {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = config(dir.path());
    let client = reqwest::Client::new();
    // One worker (the default): what runs while the first is paused proves it left it.
    let (mut first, addr) = serve(&cfg.data_dir, &cfg.static_dir);
    let base = format!("http://{addr}");
    let id = start_job(&client, &base, &validation_zip(50_000)).await;
    wait_running(&client, &base, &id).await;
    let r = post(&client, &base, &id, "pause").await;
    assert_eq!(r.status(), 202);
    let snap: Snapshot = r.json().await.expect("json");
    assert_eq!(snap.state, JobState::Paused);
    // Pausing again changes nothing.
    let again: Snapshot = post(&client, &base, &id, "pause")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!((again.state, again.seq), (JobState::Paused, snap.seq));
    // The event says so too (a watcher learns it without polling).
    let log = events(&client, &base, &id).await;
    assert!(
        matches!(log.last(), Some(ServerMessage::Progress(p)) if p.state == Some(JobState::Paused)),
        "{:?}",
        log.last()
    );
    // Its worker is free: another analysis runs to the end meanwhile.
    let other = start_job(&client, &base, &validation_zip(2_000)).await;
    assert_eq!(
        wait_done(&client, &base, &other).await.state,
        JobState::Succeeded
    );
    let still: Snapshot = get_json(&client, &format!("{base}/api/sessions/{id}")).await;
    assert_eq!(still.state, JobState::Paused);
    // Through a restart (kill -9): still paused, not picked up again.
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let (mut second, addr) = serve(&cfg.data_dir, &cfg.static_dir);
    let base = format!("http://{addr}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let after: Snapshot = get_json(&client, &format!("{base}/api/sessions/{id}")).await;
    assert_eq!(after.state, JobState::Paused, "{after:?}");
    // Resumed: back in the queue, then to the end.
    let r = post(&client, &base, &id, "resume").await;
    assert_eq!(r.status(), 202);
    let report = succeeded_report(&client, &base, &id).await;
    assert_eq!(report.links.len(), 8, "the official answer's 8 links");
    // The event log: every seq once, percent never decreasing, one terminal event.
    let log = events(&client, &base, &id).await;
    assert_eq!(seqs(&log), (1..=log.len() as u64).collect::<Vec<_>>());
    let p = percents(&log);
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    assert_eq!(log.iter().filter(|m| m.is_terminal()).count(), 1);
    assert!(matches!(log.last(), Some(ServerMessage::Complete(_))));
    // Neither can be asked of a finished analysis: 409 with the state.
    for what in ["pause", "resume"] {
        let r = post(&client, &base, &id, what).await;
        assert_eq!(r.status(), 409, "{what}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["code"], "state_conflict");
        assert_eq!(body["state"], "succeeded");
        assert_eq!(body["action"], what);
    }
    second.kill().expect("stop");
    second.wait().expect("reaped");
}

#[tokio::test]
async fn resumed_at_once_while_its_run_still_winds_down_it_completes_not_cancelled() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    wait_running(&app.client, &base, &id).await;
    // No wait between the two: the run stopped by the pause has not ended yet.
    assert_eq!(post(&app.client, &base, &id, "pause").await.status(), 202);
    assert_eq!(post(&app.client, &base, &id, "resume").await.status(), 202);
    let report = succeeded_report(&app.client, &base, &id).await;
    assert_eq!(report.links.len(), 8);
    let log = events(&app.client, &base, &id).await;
    assert_eq!(log.iter().filter(|m| m.is_terminal()).count(), 1);
    assert!(matches!(log.last(), Some(ServerMessage::Complete(_))));
    app.stop().await.expect("stop");
}
