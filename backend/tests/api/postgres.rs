//! The server with its job store on PostgreSQL (`LOGLENS_DATABASE_URL`): a whole analysis runs
//! and streams as on SQLite, and a second server on the same database sees the finished job,
//! its snapshot and its events (the store is outside the process). With shared storage
//! (S3-compatible, or a shared folder) a job accepted on one node runs on another, is served
//! from the first, and a cancel sent to one node stops it on the other.

use loglens_shared::session::{JobState, ServerMessage, SessionList, Snapshot};

use crate::helpers::*;
use crate::pg_cluster::Cluster;
use crate::s3_server::S3Server;

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
    // B runs nothing (its data dir has not A's upload: no shared storage here), it watches.
    let b = TestApp::spawn_with(|c| {
        c.database_url = Some(url.clone());
        c.workers = 0;
    })
    .await;
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

/// A node on database `db` and storage `storage` running `workers` analyses (0: it only
/// accepts and serves).
async fn node(db: &str, storage: &str, workers: usize) -> TestApp {
    TestApp::spawn_with(|c| {
        c.database_url = Some(db.to_owned());
        c.storage_url = Some(storage.to_owned());
        c.workers = workers;
    })
    .await
}

/// The keys of `bucket` on the S3 server (its ListObjectsV2 answer, as text).
async fn bucket_listing(client: &reqwest::Client, endpoint: &str, bucket: &str) -> String {
    client
        .get(format!("{endpoint}/{bucket}?list-type=2"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn a_job_accepted_on_one_node_runs_on_another_through_s3_and_is_served_by_the_first() {
    let cluster = Cluster::start();
    let s3 = S3Server::start("loglens");
    let (db, storage) = (cluster.url(), s3.url("loglens"));
    // A only accepts and serves; B runs. Each has a data dir of its own.
    let a = node(&db, &storage, 0).await;
    let b = node(&db, &storage, 1).await;
    let zip = validation_zip(2000);
    let id = start_job(&a.client, &a.url(""), &zip).await;
    let mut ws = connect(&a.addr.to_string(), &id, Some(0)).await;
    let (msgs, _) = read_all(&mut ws).await;
    assert!(
        matches!(
            msgs.iter().find(|m| m.is_terminal()),
            Some(ServerMessage::Complete(_))
        ),
        "{msgs:?}"
    );
    // The upload went to the storage, not to B's data dir by hand; A never ran it.
    assert!(!a.dir.path().join("data/results").join(&id).exists());
    let listing = bucket_listing(&a.client, &s3.endpoint(), "loglens").await;
    assert!(listing.contains(&format!("uploads/{id}.zip")), "{listing}");
    assert!(listing.contains(&format!("results/{id}/1/")), "{listing}");
    // Its three cases were read apart (each a unit of work), their scans in the storage.
    for case in 0..3 {
        assert!(
            listing.contains(&format!("units/{id}/{case}/")),
            "case {case}: {listing}"
        );
    }
    // A serves the report B wrote (fetched from the storage), the same as B serves it.
    let from_a = succeeded_report(&a.client, &a.url(""), &id).await;
    let from_b = succeeded_report(&b.client, &b.url(""), &id).await;
    assert_eq!(from_a, from_b);
    assert!(!from_a.links.is_empty());
    let zip_a = a.get(&format!("/api/sessions/{id}/download")).await;
    assert_eq!(zip_a.status(), 200);
    let zip_b = b.get(&format!("/api/sessions/{id}/download")).await;
    assert_eq!(
        zip_a.bytes().await.expect("zip from a"),
        zip_b.bytes().await.expect("zip from b")
    );
    // A re-run from A: its upload comes back from the storage.
    let rerun = a
        .client
        .post(a.url(&format!("/api/sessions/{id}/rerun")))
        .send()
        .await
        .expect("rerun");
    assert_eq!(rerun.status(), 202, "{:?}", rerun.text().await);
    let again = accepted_id(rerun).await;
    succeeded_report(&a.client, &a.url(""), &again).await;
    // Deleted: its files leave the storage too.
    for job in [&id, &again] {
        let del = a
            .client
            .delete(a.url(&format!("/api/sessions/{job}")))
            .send()
            .await
            .expect("delete");
        assert_eq!(del.status(), 204);
    }
    let listing = bucket_listing(&a.client, &s3.endpoint(), "loglens").await;
    assert!(
        !listing.contains(&id) && !listing.contains(&again),
        "{listing}"
    );
    drop(a);
    drop(b);
}

#[tokio::test]
async fn a_cancel_sent_to_one_node_stops_the_job_running_on_another_once() {
    let cluster = Cluster::start();
    let shared = tempfile::tempdir().expect("shared folder");
    let db = cluster.url();
    let storage = format!("file://{}", shared.path().display());
    let a = node(&db, &storage, 0).await;
    let b = node(&db, &storage, 1).await;
    let id = start_job(&a.client, &a.url(""), &validation_zip(2000)).await;
    assert!(shared.path().join(format!("uploads/{id}.zip")).is_file());
    wait_running(&a.client, &a.url(""), &id).await;
    let r = a
        .client
        .post(a.url(&format!("/api/sessions/{id}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert!(r.status().is_success(), "{r:?}");
    let done = wait_done(&b.client, &b.url(""), &id).await;
    assert_eq!(done.state, JobState::Cancelled, "{done:?}");
    let events: Vec<ServerMessage> = get_json(
        &a.client,
        &a.url(&format!("/api/sessions/{id}/events?after_seq=0")),
    )
    .await;
    let terminal: Vec<&ServerMessage> = events.iter().filter(|e| e.is_terminal()).collect();
    assert_eq!(terminal.len(), 1, "{terminal:?}");
    assert!(
        matches!(terminal[0], ServerMessage::Error(m) if m.code.as_deref() == Some("cancelled")),
        "{terminal:?}"
    );
    drop(a);
    drop(b);
}

#[tokio::test]
async fn a_pause_sent_to_one_node_frees_the_job_running_on_another_and_a_resume_finishes_it() {
    let cluster = Cluster::start();
    let shared = tempfile::tempdir().expect("shared folder");
    let db = cluster.url();
    let storage = format!("file://{}", shared.path().display());
    let a = node(&db, &storage, 0).await;
    let b = node(&db, &storage, 1).await;
    let id = start_job(&a.client, &a.url(""), &validation_zip(50_000)).await;
    wait_running(&a.client, &a.url(""), &id).await;
    let r = a
        .client
        .post(a.url(&format!("/api/sessions/{id}/pause")))
        .send()
        .await
        .expect("pause");
    assert_eq!(r.status(), 202, "{r:?}");
    // B hears it and lets the job go: its one worker runs another job meanwhile.
    let other = start_job(&a.client, &a.url(""), &validation_zip(2000)).await;
    assert_eq!(
        wait_done(&b.client, &b.url(""), &other).await.state,
        JobState::Succeeded
    );
    let paused: loglens_shared::session::Snapshot =
        get_json(&b.client, &b.url(&format!("/api/sessions/{id}"))).await;
    assert_eq!(paused.state, JobState::Paused);
    let r = b
        .client
        .post(b.url(&format!("/api/sessions/{id}/resume")))
        .send()
        .await
        .expect("resume");
    assert_eq!(r.status(), 202, "{r:?}");
    let report = succeeded_report(&a.client, &a.url(""), &id).await;
    assert_eq!(report.links.len(), 8);
    let events: Vec<ServerMessage> = get_json(
        &a.client,
        &a.url(&format!("/api/sessions/{id}/events?after_seq=0")),
    )
    .await;
    assert_eq!(seqs(&events), (1..=events.len() as u64).collect::<Vec<_>>());
    assert_eq!(events.iter().filter(|e| e.is_terminal()).count(), 1);
    drop(a);
    drop(b);
}
