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

/// Kills (SIGKILL) the worker of `id` as soon as one runs that is not in `spared` (workers killed
/// before), waits until it is gone, and returns its pid. Waiting matters: a killed process keeps
/// its command line until the kernel has torn it down, and a second call that found it again
/// would "kill" the dead worker while the retry ran to completion.
async fn kill_worker(id: &str, spared: &[u32]) -> u32 {
    for _ in 0..1500 {
        if let Some(pid) = workers_of(id).into_iter().find(|p| !spared.contains(p)) {
            let status = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
            for _ in 0..500 {
                if !workers_of(id).contains(&pid) {
                    return pid;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            panic!("worker {pid} of {id} survived SIGKILL");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
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
        done.text
            .en
            .contains("more memory than its limit of 40 MiB"),
        "{}",
        done.text.en
    );
    assert!(
        done.text.ru.contains("не хватило памяти"),
        "{}",
        done.text.ru
    );
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
    assert!(
        done.text.en.contains("LOGLENS_JOB_TIMEOUT"),
        "{}",
        done.text.en
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_worker_that_dies_is_retried_then_the_job_fails_and_nothing_loops() {
    let app = TestApp::spawn_with(|c| c.max_attempts = 2).await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    let first = kill_worker(&id, &[]).await;
    // the second attempt starts by itself, in a new process …
    kill_worker(&id, &[first]).await;
    // … and after the second death the job fails, once
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(
        done.text.en.contains("stopped its worker 2 times"),
        "{}",
        done.text.en
    );
    let events: Vec<loglens_shared::session::ServerMessage> = app
        .get(&format!("/api/sessions/{id}/events"))
        .await
        .json()
        .await
        .expect("events");
    let retried = events.iter().any(|e| {
        matches!(e, loglens_shared::session::ServerMessage::Progress(p) if p.text.en.contains("attempt 2 of 2"))
    });
    assert!(retried, "the retry was announced");
    assert_eq!(events.iter().filter(|e| e.is_terminal()).count(), 1);
    assert_eq!(app.get("/healthz").await.status(), 200);
    // a job that does not kill its worker still runs
    let ok = start_job(&app.client, &base, &validation_zip(200)).await;
    assert_eq!(
        wait_done(&app.client, &base, &ok).await.state,
        JobState::Succeeded
    );
}

#[tokio::test]
async fn a_corner_cells_workbook_inside_the_archive_fails_its_job_with_a_kb_error() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "ID").expect("cell");
    ws.write_string(1_048_575, 16_383, "corner").expect("cell");
    let corner = wb.save_to_buffer().expect("xlsx");
    let zip = zip_with(&[
        ("Case 1/anomalies_problems.xlsx", corner),
        (
            "Case 1/app.log",
            b"2025-10-06T00:00:01 ERROR db: Index corruption on table\n".to_vec(),
        ),
    ]);
    let r = upload(&app.client, &base, "corner.zip", zip, "light").await;
    let id = accepted_id(r).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Failed, "{done:?}");
    assert!(
        done.text.en.contains("Case 1/anomalies_problems.xlsx")
            && done.text.en.contains("first sheet spans"),
        "names the file and the fault: {}",
        done.text.en
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn fifty_megabytes_of_warning_lines_complete_and_are_counted_in_full() {
    use std::io::Write;
    let app = TestApp::spawn().await;
    let base = app.url("");
    let line = "2025-10-06T00:00:01 WARNING garden: Seven kittens exceeded the bowl capacity\n";
    let lines = 50 * 1024 * 1024 / line.len();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("Case 1/disk.log", opts).expect("entry");
        let chunk = line.repeat(10_000);
        for _ in 0..lines / 10_000 {
            zip.write_all(chunk.as_bytes()).expect("write");
        }
        zip.finish().expect("zip");
    }
    let bytes = buf.into_inner();
    assert!(
        bytes.len() < 1024 * 1024,
        "a small archive: {} bytes",
        bytes.len()
    );
    let r = upload(&app.client, &base, "flood.zip", bytes, "light").await;
    let id = accepted_id(r).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Succeeded, "{done:?}");
    let report: loglens_shared::report::AnalysisReport = app
        .get(&format!("/api/sessions/{id}/result"))
        .await
        .json()
        .await
        .expect("json");
    let expected = (lines / 10_000 * 10_000) as u64;
    assert_eq!(report.summary.signal_lines, expected);
    assert_eq!(report.novel_anomalies.len(), 1);
    assert_eq!(
        report.novel_anomalies[0].count, expected,
        "counted in full, kept as one"
    );
}

/// A crafted `.xls` knowledge base that made calamine ask for an 11 GB allocation (found by
/// fuzzing, `fuzz/regressions/kb_workbook_in_worker/`): the server's upload check reads only its
/// structure, the workbook itself is read in the worker, and the server answers all along.
#[tokio::test]
async fn a_hostile_xls_knowledge_base_is_read_in_the_worker_not_the_server() {
    let app = TestApp::spawn_with(|c| c.max_attempts = 1).await;
    let base = app.url("");
    let dir = repo_root().join("fuzz/regressions/kb_workbook_in_worker");
    for entry in std::fs::read_dir(&dir).expect("regressions") {
        let xls = std::fs::read(entry.expect("entry").path()).expect("read");
        let zip = zip_with(&[(
            "app.log",
            b"2025-10-06T00:00:01 ERROR db: Index corruption on table\n".to_vec(),
        )]);
        let r = upload_with(
            &app.client,
            &base,
            zip,
            ("kb", "anomalies_problems.xls", xls),
        )
        .await;
        let status = r.status().as_u16();
        assert!(status == 202 || status == 400, "{status}");
        if status == 202 {
            let id = accepted_id(r).await;
            let done = wait_done(&app.client, &base, &id).await;
            assert_eq!(done.state, JobState::Failed, "{done:?}");
        }
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}
