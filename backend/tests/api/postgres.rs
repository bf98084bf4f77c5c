//! The server with its job store on PostgreSQL (`LOGLENS_DATABASE_URL`): a whole analysis runs
//! and streams as on SQLite, and a second server on the same database sees the finished job,
//! its snapshot and its events (the store is outside the process).

use loglens_shared::session::{JobState, ServerMessage, SessionList, Snapshot};

use crate::helpers::*;
use crate::pg_cluster::Cluster;

#[tokio::test]
async fn an_analysis_runs_on_postgresql_and_another_server_on_it_sees_the_job() {
    let cluster = Cluster::start();
    let url = cluster.url();
    let a = TestApp::spawn_with(|c| c.database_url = Some(url.clone())).await;
    let zip = zip_with(&[(
        "case 1/app.log",
        b"2025-10-06T10:00:01 INFO app: service started
2025-10-06T10:00:02 WARNING disk: RAID array degraded
2025-10-06T10:00:04 ERROR disk: RAID controller firmware fault detected
"
        .to_vec(),
    )]);
    let id = accepted_id(upload(&a.client, &a.url(""), "pg.zip", zip, "light").await).await;
    let report = succeeded_report(&a.client, &a.url(""), &id).await;
    assert_eq!(
        report
            .links
            .iter()
            .map(|l| (l.anomaly_id, l.problem_id))
            .collect::<Vec<_>>(),
        vec![(2, 1)]
    );
    let events: Vec<ServerMessage> = get_json(
        &a.client,
        &a.url(&format!("/api/sessions/{id}/events?after_seq=0")),
    )
    .await;
    let seqs: Vec<u64> = events.iter().filter_map(ServerMessage::seq).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "gap-free"
    );
    assert_eq!(events.iter().filter(|e| e.is_terminal()).count(), 1);
    // A second server on the same database: the job, its snapshot and its events are there.
    let b = TestApp::spawn_with(|c| c.database_url = Some(url.clone())).await;
    let list: SessionList = get_json(&b.client, &b.url("/api/sessions")).await;
    assert_eq!(list.total, 1);
    assert_eq!(list.sessions[0].session_id, id);
    let snap: Snapshot = get_json(&b.client, &b.url(&format!("/api/sessions/{id}"))).await;
    assert_eq!((snap.state, snap.progress), (JobState::Succeeded, 100));
    assert_eq!(snap.seq, *seqs.last().expect("events"));
    let again: Vec<ServerMessage> = get_json(
        &b.client,
        &b.url(&format!("/api/sessions/{id}/events?after_seq=0")),
    )
    .await;
    assert_eq!(again, events);
    // Deleted on one, gone (410) on the other.
    let del = a
        .client
        .delete(a.url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 204);
    let gone = b
        .client
        .get(b.url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .expect("snapshot");
    assert_eq!(gone.status(), 410);
    drop(a);
    drop(b);
}

#[tokio::test]
async fn a_socket_on_one_server_follows_a_job_running_on_another_to_its_end() {
    let cluster = Cluster::start();
    let url = cluster.url();
    let a = TestApp::spawn_with(|c| c.database_url = Some(url.clone())).await;
    let b = TestApp::spawn_with(|c| c.database_url = Some(url.clone())).await;
    let id = start_job(&a.client, &a.url(""), &validation_zip(2000)).await;
    // Watched on B from the start: what A appends reaches B's socket through the doorbell.
    let mut ws = connect(&b.addr.to_string(), &id, Some(0)).await;
    let (msgs, code) = read_all(&mut ws).await;
    assert_eq!(code, Some(1000), "closed normally after the end");
    let seqs = seqs(&msgs);
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "every seq once, in order"
    );
    let terminal: Vec<&ServerMessage> = msgs.iter().filter(|m| m.is_terminal()).collect();
    assert_eq!(terminal.len(), 1, "{terminal:?}");
    assert!(
        matches!(terminal[0], ServerMessage::Complete(_)),
        "{terminal:?}"
    );
    let percents = percents(&msgs);
    assert!(
        percents.len() > 3,
        "live progress came through: {percents:?}"
    );
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    drop(a);
    drop(b);
}
