//! No input takes the server down: each analysis runs in its own `loglens worker` process. A
//! worker over its memory budget or its time is stopped and fails its job with that reason; a
//! worker that dies is retried, then the job fails; the server answers all along.

use loglens_shared::session::JobState;

use crate::helpers::*;

/// Pids of this test's `loglens worker` processes analysing `id` (their work order names it).
fn workers_of(id: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.get(1).is_some_and(|a| a == "worker") && args.iter().any(|a| a.contains(id)) {
            pids.push(pid);
        }
    }
    pids
}

/// Kills (SIGKILL) the worker of `id` as soon as it is running; returns when it did.
async fn kill_worker(id: &str) {
    for _ in 0..600 {
        if let Some(pid) = workers_of(id).first() {
            let status = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no worker appeared for {id}");
}

#[tokio::test]
async fn a_worker_over_its_memory_budget_fails_its_job_and_the_server_goes_on() {
    let app = TestApp::spawn_with(|c| c.worker_memory_mb = 40).await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(
        done.message_en.contains("more memory than its limit of 40 MiB"),
        "{}",
        done.message_en
    );
    assert!(done.message.contains("не хватило памяти"), "{}", done.message);
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert!(
        !app.dir.path().join("data/results").join(&id).exists(),
        "nothing half-written is kept"
    );
}

#[tokio::test]
async fn a_worker_past_the_time_limit_fails_its_job() {
    let app = TestApp::spawn_with(|c| c.job_timeout = 1).await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(done.message_en.contains("LOGLENS_JOB_TIMEOUT"), "{}", done.message_en);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_worker_that_dies_is_retried_then_the_job_fails_and_nothing_loops() {
    let app = TestApp::spawn_with(|c| c.max_attempts = 2).await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    kill_worker(&id).await;
    // the second attempt starts by itself …
    kill_worker(&id).await;
    // … and after the second death the job fails, once
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(
        done.message_en.contains("stopped its worker 2 times"),
        "{}",
        done.message_en
    );
    let events: Vec<loglens_shared::session::ServerMessage> = app
        .get(&format!("/api/sessions/{id}/events"))
        .await
        .json()
        .await
        .expect("events");
    let retried = events.iter().any(|e| {
        matches!(e, loglens_shared::session::ServerMessage::Progress(p) if p.message_en.contains("attempt 2 of 2"))
    });
    assert!(retried, "the retry was announced");
    assert_eq!(events.iter().filter(|e| e.is_terminal()).count(), 1);
    assert_eq!(app.get("/healthz").await.status(), 200);
    // a job that does not kill its worker still runs
    let ok = start_job(&app.client, &base, &validation_zip(200)).await;
    assert_eq!(wait_done(&app.client, &base, &ok).await.state, JobState::Succeeded);
}
