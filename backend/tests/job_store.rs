//! One conformance suite for both job stores: the embedded SQLite file and PostgreSQL (a
//! throwaway cluster this test starts itself with Debian's `initdb`/`pg_ctl`, on a free port,
//! as the `postgres` user). Then what only PostgreSQL is for: two stores ("nodes") appending to
//! one job keep its `seq` gap-free, and a store whose server restarted connects again.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use pg_cluster::Cluster;

use std::time::Duration;

use loglens::jobs::pg_store::PgStore;
use loglens::jobs::queue::{Held, SharedQueue};
use loglens::jobs::store::{
    Change, Fence, JobStore, MakeEvent, NewJob, RunFigures, SqliteStore, StoreError,
};
use loglens_shared::session::{JobState, ServerMessage, Throughput};
use loglens_shared::{LocalizedText, ModelKind, Stage};

fn new_job(id: &str) -> NewJob {
    NewJob {
        id: id.into(),
        model: ModelKind::Light,
        semantic: true,
        upload_name: "vc.zip".into(),
        upload_path: PathBuf::from(format!("/data/uploads/{id}.zip")),
        upload_bytes: 10,
        kb: Some(("kb.csv".into(), PathBuf::from("/data/uploads/kb.csv"))),
        playbooks: None,
        formats: None,
        glossary: Some(("terms.csv".into(), PathBuf::from("/data/uploads/terms.csv"))),
        kb_for_all: false,
    }
}

fn heartbeat() -> MakeEvent<'static> {
    Box::new(|_, _| ServerMessage::Heartbeat)
}

fn progress(store: &dyn JobStore, id: &str, percent: u8) -> ServerMessage {
    let message = LocalizedText::new(format!("{percent} %"), format!("{percent} %"));
    store
        .append(
            id,
            None,
            Change::Progress {
                stage: Stage::ParseLogs,
                progress: percent,
                message: &message,
                throughput: Throughput {
                    bytes_done: u64::from(percent),
                    bytes_total: 100,
                    lines_done: 7,
                    speed_bytes_per_sec: Some(1.5),
                    eta_seconds: Some(3),
                },
            },
            Box::new(|seq, rec| {
                ServerMessage::Error(loglens_shared::session::TerminalMessage {
                    seq,
                    session_id: rec.id.clone(),
                    text: LocalizedText::new(rec.progress.to_string(), rec.message.en.clone()),
                    code: None,
                })
            }),
        )
        .expect("append")
}

/// What every job store must do, the same way.
fn conformance(store: &dyn JobStore) {
    let a = store.insert(&new_job("a")).expect("insert");
    assert_eq!((a.state, a.seq, a.attempts), (JobState::Queued, 0, 0));
    assert_eq!(a.glossary_name.as_deref(), Some("terms.csv"));
    assert_eq!(a.kb_path, Some(PathBuf::from("/data/uploads/kb.csv")));
    store.insert(&new_job("b")).expect("insert b");
    assert_eq!(store.queue_position("a").expect("pos"), Some(1));
    assert_eq!(store.queue_position("b").expect("pos"), Some(2));
    assert_eq!(store.get("nope").expect("get"), None);
    // Started: running, one attempt, seq 1.
    let started = LocalizedText::new("идёт", "running");
    store
        .append(
            "a",
            None,
            Change::Started { message: &started },
            heartbeat(),
        )
        .expect("start");
    let e2 = progress(store, "a", 40);
    assert_eq!(e2.seq(), Some(2));
    let a = store.get("a").expect("get").expect("a");
    assert_eq!(
        (a.state, a.seq, a.attempts, a.progress),
        (JobState::Running, 2, 1, 40)
    );
    assert_eq!(a.stage, Some(Stage::ParseLogs));
    assert_eq!(a.throughput.eta_seconds, Some(3));
    assert_eq!(a.message.en, "40 %");
    assert_eq!(store.queue_position("a").expect("pos"), None, "running");
    assert_eq!(store.queue_position("b").expect("pos"), Some(1));
    // The event was made from the updated row and stored as made.
    let events = store.events_after("a", 1).expect("events");
    assert_eq!(events, vec![e2]);
    assert_eq!(store.events_after("a", 0).expect("all").len(), 2);
    // A graceful shutdown's requeue refunds the attempt.
    store.requeue("a", true).expect("requeue");
    let a = store.get("a").expect("get").expect("a");
    assert_eq!((a.state, a.attempts), (JobState::Queued, 0));
    assert_eq!(store.unfinished().expect("unfinished").len(), 2);
    // Finished: 100 %, results recorded.
    store
        .append(
            "a",
            None,
            Change::Finished {
                state: JobState::Succeeded,
                message: &LocalizedText::new("готово", "done"),
                error: None,
            },
            heartbeat(),
        )
        .expect("finish");
    let before = store.get("a").expect("get").expect("a").snapshot();
    assert_eq!(
        (before.incidents, before.links, before.knowledge_base),
        (None, None, None),
        "no figures before the results are recorded"
    );
    store
        .set_results(
            "a",
            None,
            Path::new("/data/results/a"),
            "vc_results.zip",
            &RunFigures {
                notices: 2,
                incidents: 12,
                links: 30,
                knowledge_base: Some("kb.csv".into()),
            },
        )
        .expect("results");
    let a = store.get("a").expect("get").expect("a");
    assert_eq!(
        (a.state, a.progress, a.notices),
        (JobState::Succeeded, 100, 2)
    );
    // What it found, for the history (listed as stored).
    let shown = a.snapshot();
    assert_eq!(
        (
            shown.incidents,
            shown.links,
            shown.knowledge_base.as_deref()
        ),
        (Some(12), Some(30), Some("kb.csv"))
    );
    let listed = store
        .list(Some(JobState::Succeeded), None, 10, 0)
        .expect("list")
        .0;
    assert_eq!(listed[0].snapshot(), shown);
    assert_eq!(a.results_zip.as_deref(), Some("vc_results.zip"));
    assert!(a.finished_at.is_some());
    // History: newest first, filtered by state, counted.
    let (rows, total) = store.list(None, None, 10, 0).expect("list");
    assert_eq!(total, 2);
    assert_eq!(rows.len(), 2);
    let (done, n) = store
        .list(Some(JobState::Succeeded), None, 10, 0)
        .expect("list done");
    assert_eq!((n, done[0].id.as_str()), (1, "a"));
    let (page, _) = store.list(None, None, 1, 1).expect("page");
    assert_eq!(page.len(), 1);
    // Words of the upload's name, any case; LIKE's wildcards are plain characters.
    assert_eq!(store.list(None, Some("VC"), 10, 0).expect("q").1, 2);
    assert_eq!(store.list(None, Some("nothing"), 10, 0).expect("q").1, 0);
    assert_eq!(store.list(None, Some("%"), 10, 0).expect("q").1, 0);
    let mut counts = store.count_by_state().expect("counts");
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        counts,
        vec![(JobState::Queued, 1), (JobState::Succeeded, 1)]
    );
    // Retention: finished jobs before a time; failed ones with uploads.
    let later = "9999-01-01T00:00:00.000Z";
    assert_eq!(store.expired(later).expect("expired").len(), 1);
    store
        .append(
            "b",
            None,
            Change::Finished {
                state: JobState::Failed,
                message: &LocalizedText::new("ошибка", "failed"),
                error: Some("boom"),
            },
            heartbeat(),
        )
        .expect("fail b");
    assert_eq!(store.failed_with_uploads(later).expect("failed").len(), 1);
    store.forget_upload("b").expect("forget");
    assert!(store.failed_with_uploads(later).expect("failed").is_empty());
    let b = store.get("b").expect("get").expect("b");
    assert_eq!(
        (
            b.upload_path.as_os_str().is_empty(),
            b.kb_path,
            b.error.as_deref()
        ),
        (true, None, Some("boom"))
    );
    assert_eq!(
        (b.incidents, b.links, b.knowledge_base),
        (None, None, None),
        "a failed run found nothing to show"
    );
    // Delete: gone, its events too, a tombstone left.
    assert!(store.delete("a").expect("delete"));
    assert!(!store.delete("a").expect("again"));
    assert_eq!(store.get("a").expect("get"), None);
    assert!(store.events_after("a", 0).expect("events").is_empty());
    assert!(store.was_deleted("a").expect("tombstone"));
    assert!(!store.was_deleted("b").expect("not deleted"));
    // This server may sweep (alone, or first).
    assert!(store.try_lock_sweep().expect("sweep lock"));
    store.unlock_sweep().expect("unlock");
    // An append to no job is an error, not a row.
    assert!(
        store
            .append(
                "nope",
                None,
                Change::Started { message: &started },
                heartbeat()
            )
            .is_err()
    );
    // Nothing follows a terminal event: "b" failed, so a late progress of its run is refused.
    let late = store.append(
        "b",
        None,
        Change::Started { message: &started },
        heartbeat(),
    );
    assert!(matches!(late, Err(StoreError::Ended(_))), "{late:?}");
    // "Not relevant" marks: kept once however often made, per knowledge base, taken back.
    let mark = |kb: &str, a: u32| loglens_shared::api::NotRelevant {
        kb_hash: kb.into(),
        anomaly_id: a,
        problem_id: 9,
    };
    for m in [mark("aa", 1), mark("aa", 1), mark("bb", 2)] {
        store.set_not_relevant(&m, true).expect("mark");
    }
    assert_eq!(
        store.not_relevant().expect("marks"),
        [mark("aa", 1), mark("bb", 2)]
    );
    store
        .set_not_relevant(&mark("aa", 1), false)
        .expect("unmark");
    store
        .set_not_relevant(&mark("aa", 7), false)
        .expect("unmark what was never marked");
    assert_eq!(store.not_relevant().expect("marks"), [mark("bb", 2)]);
}

#[test]
fn the_sqlite_store_keeps_jobs_and_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = SqliteStore::open(&dir.path().join("jobs.sqlite3")).expect("open");
    conformance(&store);
}

#[test]
fn the_postgres_store_keeps_jobs_and_events_alike_gap_free_across_nodes_and_through_a_restart() {
    let cluster = Cluster::start();
    let store = PgStore::open(&cluster.url()).expect("open");
    conformance(&store);
    // Opening again (another node starting) migrates nothing twice.
    let other = PgStore::open(&cluster.url()).expect("second node");
    // One server sweeps at a time.
    assert!(store.try_lock_sweep().expect("lock"));
    assert!(!other.try_lock_sweep().expect("held by the first"));
    store.unlock_sweep().expect("unlock");
    assert!(other.try_lock_sweep().expect("free again"));
    other.unlock_sweep().expect("unlock");
    // Two nodes appending to one job: every seq once, none skipped.
    store.insert(&new_job("shared")).expect("insert");
    std::thread::scope(|s| {
        for node in [&store, &other] {
            s.spawn(move || {
                for p in 0..50u8 {
                    progress(node, "shared", p);
                }
            });
        }
    });
    let seqs: Vec<u64> = store
        .events_after("shared", 0)
        .expect("events")
        .iter()
        .filter_map(ServerMessage::seq)
        .collect();
    assert_eq!(seqs, (1..=100).collect::<Vec<u64>>());
    // The server restarts: the next calls connect again.
    cluster.pg_ctl("restart");
    let mut answered = false;
    for _ in 0..3 {
        if store
            .get("shared")
            .is_ok_and(|j| j.is_some_and(|j| j.seq == 100))
        {
            answered = true;
            break;
        }
    }
    assert!(answered, "the store reconnected after the restart");
    drop(other);
    drop(store);
}

/// The PostgreSQL queue: claims, leases, takeover of a silent node's job, fencing of the
/// node that lost it, heartbeats, cancel requests and a restarted node giving its jobs back.
#[test]
fn nodes_claim_jobs_under_leases_and_a_silent_nodes_job_is_taken_over_and_its_writes_fenced() {
    let cluster = Cluster::start();
    let a = PgStore::open(&cluster.url()).expect("node a");
    let b = PgStore::open(&cluster.url()).expect("node b");
    let long = Duration::from_secs(60);
    let short = Duration::from_millis(800);
    for id in ["q1", "q2", "q3"] {
        a.insert(&new_job(id)).expect("insert");
        // created_at has millisecond precision: keep the order plain.
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(a.queued().expect("queued"), 3);
    // Oldest first; a claimed job is nobody else's.
    let c1 = a.claim("A", long).expect("claim").expect("q1");
    assert_eq!(c1.id, "q1");
    let fence_a1 = c1.fence.clone().expect("fence");
    assert_eq!(
        fence_a1,
        Fence {
            node: "A".into(),
            claim: 1
        }
    );
    let c2 = b.claim("B", long).expect("claim").expect("q2");
    assert_eq!(c2.id, "q2");
    // Appends under one's own claim go through; under another's, they are refused.
    a.append(
        "q1",
        Some(&fence_a1),
        Change::Started {
            message: &LocalizedText::default(),
        },
        heartbeat(),
    )
    .expect("a's own job");
    let wrong = b.append(
        "q1",
        c2.fence.as_ref(),
        Change::Started {
            message: &LocalizedText::default(),
        },
        heartbeat(),
    );
    assert!(matches!(wrong, Err(StoreError::Fenced { .. })), "{wrong:?}");
    // A short lease that nobody renews runs out: the job is claimable again, with a new
    // claim number, and the node that lost it can no longer write.
    let c3 = a.claim("A", short).expect("claim").expect("q3");
    assert_eq!(c3.id, "q3");
    a.append(
        "q3",
        c3.fence.as_ref(),
        Change::Started {
            message: &LocalizedText::default(),
        },
        heartbeat(),
    )
    .expect("started on A");
    assert!(b.claim("B", long).expect("claim").is_none(), "all held");
    std::thread::sleep(Duration::from_millis(1200));
    let taken = b.claim("B", long).expect("claim").expect("q3 taken over");
    assert_eq!(taken.id, "q3");
    assert_eq!(taken.fence.as_ref().map(|f| f.claim), Some(2));
    let stale = a.append(
        "q3",
        c3.fence.as_ref(),
        Change::Requeued {
            message: &LocalizedText::default(),
        },
        heartbeat(),
    );
    assert!(matches!(stale, Err(StoreError::Fenced { .. })), "{stale:?}");
    let stale = a.set_results(
        "q3",
        c3.fence.as_ref(),
        Path::new("results/q3/1"),
        "r.zip",
        &RunFigures::default(),
    );
    assert!(matches!(stale, Err(StoreError::Fenced { .. })), "{stale:?}");
    b.set_results(
        "q3",
        taken.fence.as_ref(),
        Path::new("results/q3/2"),
        "r.zip",
        &RunFigures::default(),
    )
    .expect("the new owner records its results");
    // A heartbeat renews the leases of the jobs its node has in hand: q1 (A, 60 s) stays
    // A's; a job claimed with a short lease and renewed is not taken over.
    a.insert(&new_job("q4")).expect("insert");
    let c4 = a.claim("A", short).expect("claim").expect("q4");
    let in_hand = Held::jobs(["q1", "q4"]);
    assert_eq!(
        a.heartbeat("A", long, &in_hand).expect("heartbeat"),
        Vec::<String>::new()
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert!(
        b.claim("B", long).expect("claim").is_none(),
        "renewed leases hold"
    );
    // A claim its node no longer has in hand (its run stopped without recording an end,
    // say while the database was away) is not renewed: another node takes it when its
    // lease runs out, instead of the job waiting for ever.
    a.insert(&new_job("q5")).expect("insert");
    let dropped = a.claim("A", short).expect("claim").expect("q5");
    a.heartbeat("A", long, &in_hand).expect("heartbeat");
    std::thread::sleep(Duration::from_millis(1200));
    let q5 = b.claim("B", long).expect("claim").expect("q5 taken over");
    assert_eq!(q5.id, "q5");
    assert!(q5.fence.expect("fence").claim > dropped.fence.expect("fence").claim);
    // A cancel asked anywhere reaches the owner through its heartbeat.
    b.request_cancel("q4").expect("cancel");
    assert_eq!(
        a.heartbeat("A", long, &in_hand).expect("heartbeat"),
        vec!["q4".to_owned()]
    );
    // Node A starts again under the same name: what it held goes back to the queue.
    assert_eq!(a.release("A").expect("release"), 2, "q1 and q4");
    let again = b.claim("B", long).expect("claim").expect("q1 again");
    assert_eq!((again.id.as_str(), again.cancel_requested), ("q1", false));
    let q4 = b.claim("B", long).expect("claim").expect("q4 again");
    assert!(
        q4.cancel_requested,
        "the cancel request survives the takeover"
    );
    assert!(c4.fence.is_some());
    // An ended job is never claimed.
    b.append(
        "q4",
        q4.fence.as_ref(),
        Change::Finished {
            state: JobState::Cancelled,
            message: &LocalizedText::default(),
            error: None,
        },
        heartbeat(),
    )
    .expect("cancelled");
    assert!(b.claim("B", short).expect("claim").is_none());
    std::thread::sleep(Duration::from_millis(1000));
    let left: Vec<String> =
        std::iter::from_fn(|| a.claim("A", long).expect("claim").map(|c| c.id)).collect();
    assert!(!left.contains(&"q4".to_owned()), "{left:?}");
    drop(a);
    drop(b);
}

/// The cases of a spread job: claimed like jobs, under leases; a reader that lost its claim
/// cannot record progress or a result; a cancelled job's cases are claimed by nobody and
/// their readers hear of it at their next heartbeat.
#[test]
fn a_spread_jobs_cases_are_claimed_under_leases_and_fenced() {
    use loglens::jobs::units::{UnitState, UnitStore};
    let cluster = Cluster::start();
    let a = PgStore::open(&cluster.url()).expect("node a");
    let b = PgStore::open(&cluster.url()).expect("node b");
    let long = Duration::from_secs(60);
    let short = Duration::from_millis(800);
    a.insert(&new_job("j")).expect("insert");
    a.create_units("j", &[100, 200, 300]).expect("units");
    a.create_units("j", &[100, 200, 300])
        .expect("again: kept as they are");
    let c0 = a
        .claim_unit("A", short, Some("j"))
        .expect("claim")
        .expect("case 0");
    let c1 = b
        .claim_unit("B", long, None)
        .expect("claim")
        .expect("case 1");
    assert_eq!((c0.case, c1.case), (0, 1));
    a.unit_progress(&c0, 50, 5).expect("own progress");
    let mut wrong = c1.clone();
    wrong.case = 0;
    assert!(matches!(
        b.unit_progress(&wrong, 1, 1),
        Err(StoreError::Fenced { .. })
    ));
    // A's lease runs out: case 0 is read again by B, under a new claim; A's result is refused.
    std::thread::sleep(Duration::from_millis(1200));
    let again = b
        .claim_unit("B", long, Some("j"))
        .expect("claim")
        .expect("case 0 again");
    assert_eq!((again.case, again.fence.claim), (0, 2));
    assert!(matches!(
        a.unit_done(&c0, "units/j/0/1/case-scan.json", 9),
        Err(StoreError::Fenced { .. })
    ));
    b.unit_done(&again, "units/j/0/2/case-scan.json", 9)
        .expect("done");
    let units = a.units("j").expect("units");
    assert_eq!(units[0].state, UnitState::Done);
    assert_eq!(units[0].attempts, 2);
    assert_eq!(
        units[0].result.as_deref(),
        Some("units/j/0/2/case-scan.json")
    );
    assert_eq!(units[0].bytes_done, 100);
    assert_eq!(units[1].state, UnitState::Running);
    assert_eq!(units[2].state, UnitState::Queued);
    // A worker that died gives its case back.
    b.unit_requeue(&c1).expect("requeue");
    assert_eq!(a.units("j").expect("units")[1].state, UnitState::Queued);
    // A heartbeat renews the lease of a case its node reads (in hand), not of one it
    // dropped: B takes the dropped one once its lease runs out, never the one in hand.
    let c2 = a
        .claim_unit("A", short, None)
        .expect("claim")
        .expect("a case");
    let c3 = a
        .claim_unit("A", short, None)
        .expect("claim")
        .expect("another case");
    let mut in_hand = Held::default();
    in_hand.units.insert(("j".to_owned(), c2.case));
    a.heartbeat("A", long, &in_hand).expect("heartbeat");
    std::thread::sleep(Duration::from_millis(1200));
    let taken = b
        .claim_unit("B", long, None)
        .expect("claim")
        .expect("the dropped case");
    assert_eq!(taken.case, c3.case);
    assert!(b.claim_unit("B", long, None).expect("claim").is_none());
    // Cancelled: nobody claims its cases; a reader of one hears it at its heartbeat.
    a.request_cancel("j").expect("cancel");
    assert!(b.claim_unit("B", long, None).expect("claim").is_none());
    assert_eq!(
        a.heartbeat("A", long, &in_hand).expect("heartbeat"),
        vec!["j".to_owned()]
    );
    drop(a);
    drop(b);
}
