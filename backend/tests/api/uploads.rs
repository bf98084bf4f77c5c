//! The upload contract: 202 + Location, refusals as problem+json with nothing stored,
//! 429 when the queue is full, cancel, results, reports, downloads, history, delete.

use loglens_shared::api::{KbFault, PlaybookFault, Problem, RowFault};
use loglens_shared::report::{AnalysisReport, Notice};
use loglens_shared::session::{JobState, ServerMessage, SessionList, Snapshot};
use loglens_shared::{Method, ProblemDetails};

use crate::helpers::*;

async fn problem(r: reqwest::Response) -> (u16, ProblemDetails) {
    let status = r.status().as_u16();
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    (status, r.json().await.expect("problem json"))
}

fn stored_uploads(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("data/uploads"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly_and_nothing_is_stored() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 2 * 1024 * 1024).await;
    let base = app.url("");
    let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        (
            "notes.zip",
            b"this is not a zip at all".to_vec(),
            400,
            "not_a_zip",
            "not a ZIP",
        ),
        ("empty.zip", Vec::new(), 400, "empty_file", "empty"),
        (
            "notes.pdf",
            b"%PDF-1.4".to_vec(),
            400,
            "not_a_zip",
            ".tar.gz",
        ),
        (
            "binary.log",
            b"\x00\x01\x02\x03 no text".to_vec(),
            400,
            "archive_unreadable",
            "not a ZIP",
        ),
        (
            "slip.tar",
            tar_with(&[("../../etc/x.log", b"x".to_vec())]),
            400,
            "archive_unsafe_path",
            "unsafe path",
        ),
        (
            "bomb.log.gz",
            gzip(&vec![b'0'; 40 * 1024 * 1024]),
            400,
            "archive_bomb",
            "zip bomb",
        ),
        (
            "big.zip",
            [b"PK\x03\x04".to_vec(), vec![0; 3 * 1024 * 1024]].concat(),
            413,
            "upload_too_large",
            "limit",
        ),
        (
            "bomb.zip",
            zip_with(&[("c 1/a.txt", vec![b'0'; 40 * 1024 * 1024])]),
            400,
            "archive_bomb",
            "zip bomb",
        ),
        (
            "slip.zip",
            zip_with(&[
                ("c 1/a.txt", b"x".to_vec()),
                ("../../etc/x.txt", b"x".to_vec()),
            ]),
            400,
            "archive_unsafe_path",
            "unsafe path",
        ),
        (
            "nologs.zip",
            zip_with(&[("readme.md", b"x".to_vec())]),
            400,
            "archive_no_logs",
            "no log files",
        ),
    ];
    for (name, bytes, status, code, detail) in cases {
        let (got, p) = problem(upload(&app.client, &base, name, bytes, "light").await).await;
        assert_eq!((got, p.code()), (status, code), "{name}: {p:?}");
        assert!(p.detail.contains(detail), "{name}: {}", p.detail);
    }
    let (got, p) = problem(
        upload(
            &app.client,
            &base,
            "vc.zip",
            std::fs::read(validation_zip(2000)).expect("zip"),
            "huge",
        )
        .await,
    )
    .await;
    assert_eq!((got, p.code()), (400, "bad_field"));
    assert!(
        !p.detail.contains("huge"),
        "the value is not echoed: {}",
        p.detail
    );
    let form = reqwest::multipart::Form::new().text("model", "light");
    let (got, p) = problem(
        app.client
            .post(app.url("/process"))
            .multipart(form)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!((got, p.code()), (400, "missing_archive"));
    assert_eq!(stored_uploads(&app), 0, "nothing stored");
    let list: SessionList = app.get("/api/sessions").await.json().await.expect("json");
    assert_eq!(list.total, 0);
}

#[tokio::test]
async fn a_full_queue_answers_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.queue_capacity = 1;
        c.workers = 1;
    })
    .await;
    let base = app.url("");
    let big = std::fs::read(validation_zip(50_000)).expect("zip");
    let first = start_job(&app.client, &base, &validation_zip(50_000)).await;
    wait_running(&app.client, &base, &first).await;
    let second = upload(&app.client, &base, "vc.zip", big.clone(), "light").await;
    let second_id = accepted_id(second).await;
    let waiting: Snapshot = app
        .get(&format!("/api/sessions/{second_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (waiting.state, waiting.queue_position),
        (JobState::Queued, Some(1)),
        "a waiting job knows its place"
    );
    let third = upload(&app.client, &base, "vc.zip", big, "light").await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().get("retry-after").is_some());
    let (_, p) = problem(third).await;
    assert_eq!(p.code(), "queue_full");
    assert_eq!(stored_uploads(&app), 2);
    let first_done = wait_done(&app.client, &base, &first).await;
    assert_eq!(first_done.state, JobState::Succeeded);
}

#[tokio::test]
async fn cancel_stops_a_running_job() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    wait_running(&app.client, &base, &id).await;
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert_eq!(r.status(), 202);
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Cancelled, "{done:?}");
    let events: Vec<ServerMessage> = app
        .get(&format!("/api/sessions/{id}/events"))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        matches!(events.last(), Some(ServerMessage::Error(e)) if e.code.as_deref() == Some("cancelled")),
        "{:?}",
        events.last()
    );
    let (status, p) = problem(app.get(&format!("/api/sessions/{id}/result")).await).await;
    assert_eq!((status, p.code()), (409, "not_ready"));
}

#[tokio::test]
async fn results_reports_downloads_history_and_delete() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let zip = std::fs::read(validation_zip(2000)).expect("zip");
    let r = app
        .client
        .post(app.url("/process/"))
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(zip).file_name("Журналы.zip"),
        ))
        .send()
        .await
        .expect("upload");
    let id = accepted_id(r).await;
    let done: Snapshot = wait_done(&app.client, &base, &id).await;
    assert_eq!(
        (done.state, done.upload_name.as_str(), done.model.as_str()),
        (JobState::Succeeded, "Журналы.zip", "light")
    );

    let xlsx = app
        .get(&format!("/api/sessions/{id}/reports/submit_report.xlsx"))
        .await;
    assert_eq!(xlsx.status(), 200);
    assert!(
        xlsx.headers()["content-type"]
            .to_str()
            .expect("ct")
            .contains("spreadsheetml")
    );
    assert!(
        xlsx.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains(
                "filename*=UTF-8''%D0%96%D1%83%D1%80%D0%BD%D0%B0%D0%BB%D1%8B_submit_report.xlsx"
            ),
        "the analysis's name leads the file name: {:?}",
        xlsx.headers()["content-disposition"]
    );
    assert!(xlsx.bytes().await.expect("body").starts_with(b"PK"));
    // The English workbook, made on request from the report: named the same way.
    let en = app
        .get(&format!(
            "/api/sessions/{id}/reports/submit_report.xlsx?lang=en"
        ))
        .await;
    assert_eq!(en.status(), 200);
    assert!(
        en.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains(
                "filename*=UTF-8''%D0%96%D1%83%D1%80%D0%BD%D0%B0%D0%BB%D1%8B_submit_report.xlsx"
            ),
        "{:?}",
        en.headers()["content-disposition"]
    );
    assert!(en.bytes().await.expect("body").starts_with(b"PK"));
    let (status, p) = problem(
        app.get(&format!("/api/sessions/{id}/reports/..%2Fsecret"))
            .await,
    )
    .await;
    assert_eq!((status, p.code()), (404, "unknown_report"));

    let dl = app.get(&format!("/api/sessions/{id}/download")).await;
    assert_eq!(dl.status(), 200);
    let cd = dl.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cd.contains(
            "filename*=UTF-8''%D0%96%D1%83%D1%80%D0%BD%D0%B0%D0%BB%D1%8B_Results_Light.zip"
        ),
        "{cd}"
    );
    let bytes = dl.bytes().await.expect("zip");
    let mut packed = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let entry = packed.by_name("submit_report.xlsx").expect("packed");
    let year = entry.last_modified().map(|t| t.year());
    assert!(
        year >= Some(2025),
        "entries carry the real date, not 1980: {year:?}"
    );
    drop(entry);

    let list: SessionList = app
        .get("/api/sessions?state=succeeded")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (list.total, list.sessions[0].session_id.as_str()),
        (1, id.as_str())
    );
    // The history says what the run found: the figures of its report, and the knowledge base
    // it used (every case of the validation archive has its own `anomalies_problems.csv`).
    let report: AnalysisReport = app
        .get(&format!("/api/sessions/{id}/result"))
        .await
        .json()
        .await
        .expect("json");
    let listed = &list.sessions[0];
    assert_eq!(
        (
            listed.incidents,
            listed.links,
            listed.knowledge_base.as_deref()
        ),
        (
            Some(report.incidents.len() as u64),
            Some(report.links.len() as u64),
            Some("anomalies_problems.csv")
        )
    );
    assert_eq!(listed.links, Some(8), "the 8 official links");
    assert!(listed.incidents.is_some_and(|n| n > 0));
    assert_eq!(
        (done.incidents, done.links, &done.knowledge_base),
        (listed.incidents, listed.links, &listed.knowledge_base),
        "the session's own snapshot says the same"
    );
    let none: SessionList = app
        .get("/api/sessions?state=failed")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(none.total, 0);
    assert_eq!(app.get("/api/sessions?state=weird").await.status(), 400);

    let del = app
        .client
        .delete(app.url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 204);
    let (status, p) = problem(app.get(&format!("/api/sessions/{id}")).await).await;
    assert_eq!((status, p.code()), (410, "deleted_session"));
    let (status, p) = problem(app.get(&format!("/api/sessions/{id}/result")).await).await;
    assert_eq!((status, p.code()), (410, "deleted_session"));
    let (status, p) = problem(app.get("/api/sessions/never-was").await).await;
    assert_eq!((status, p.code()), (404, "unknown_session"));
    assert!(!app.dir.path().join("data/results").join(&id).exists());
    assert_eq!(stored_uploads(&app), 0);
}

#[tokio::test]
async fn side_files_are_checked_before_anything_is_queued() {
    let app = TestApp::spawn().await;
    let zip = std::fs::read(validation_zip(200)).expect("zip");
    let send = |field: &'static str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(zip.clone()).file_name("vc.zip"),
            )
            .part(
                field,
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        app.client.post(app.url("/process")).multipart(form).send()
    };
    let (status, p) = problem(
        send(
            "kb",
            "my_kb.csv",
            b"id;a;id;p\nx;Disk slow;7;Disk failed\n".to_vec(),
        )
        .await
        .expect("sent"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        p.problem,
        Problem::KbInvalid {
            file: "my_kb.csv".into(),
            fault: KbFault::NoUsableRows,
            line: Some(2),
            row: Some(RowFault::AnomalyId { value: "x".into() }),
        }
    );
    assert!(
        p.detail.contains("my_kb.csv") && p.detail.contains("line 2"),
        "{}",
        p.detail
    );
    let (status, p) = problem(
        send("playbooks", "mine.toml", b"# mine\n[[playbook]\n".to_vec())
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        p.problem,
        Problem::PlaybooksInvalid {
            file: "mine.toml".into(),
            fault: PlaybookFault::Syntax,
            line: Some(2),
            problem_id: None,
        }
    );
    // A 2 KB workbook with cells at A1 and XFD1048576: refused, and the server stays up.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "ID").expect("cell");
    ws.write_string(1_048_575, 16_383, "corner").expect("cell");
    let corner = wb.save_to_buffer().expect("xlsx");
    let (status, p) = problem(send("kb", "corner.xlsx", corner).await.expect("sent")).await;
    assert_eq!(status, 400);
    assert!(
        matches!(&p.problem, Problem::KbInvalid { fault: KbFault::SheetTooLarge, file, .. } if file == "corner.xlsx"),
        "{p:?}"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(stored_uploads(&app), 0, "nothing stored");
    let list: SessionList = app.get("/api/sessions").await.json().await.expect("json");
    assert_eq!(list.total, 0, "nothing queued");
}

#[tokio::test]
async fn a_run_that_read_nothing_completes_with_warnings_and_can_be_rerun() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let lines: String = (0..300)
        .map(|i| format!("just words on line {i}\n"))
        .collect();
    let zip = zip_with(&[("app.log", lines.into_bytes())]);
    let r = upload(&app.client, &base, "words.zip", zip, "light").await;
    let id = accepted_id(r).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!((done.state, done.notices), (JobState::Succeeded, 2));
    assert!(done.text.en.contains("with warnings"), "{}", done.text.en);
    // Found nothing, and says so: zero, not unknown; no knowledge base in the archive.
    assert_eq!(
        (done.incidents, done.links, done.knowledge_base.as_deref()),
        (Some(0), Some(0), Some("built-in"))
    );
    let report: AnalysisReport = app
        .get(&format!("/api/sessions/{id}/result"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        report.summary.notices,
        vec![
            Notice::MostlyUnreadable {
                unparsable: 300,
                lines: 300
            },
            // … and which file, quoting its first unreadable line
            Notice::UnreadableFile {
                file: "app.log".into(),
                unparsable: 300,
                lines: 300,
                first: loglens_shared::report::ContextLine {
                    line: 1,
                    text: "just words on line 0".into()
                },
            }
        ]
    );
    assert_eq!(report.summary.warnings.len(), 2);
    // the same upload again, with the other model
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/rerun")))
        .json(&serde_json::json!({ "model": "heavy" }))
        .send()
        .await
        .expect("rerun");
    let again = accepted_id(r).await;
    assert_ne!(again, id);
    let rerun = wait_done(&app.client, &base, &again).await;
    assert_eq!(
        (
            rerun.state,
            rerun.model.as_str(),
            rerun.upload_name.as_str()
        ),
        (JobState::Succeeded, "heavy", "words.zip")
    );
    // deleting the first leaves the second's files whole
    let del = app
        .client
        .delete(app.url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(del.status(), 204);
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{again}/rerun")))
        .send()
        .await
        .expect("rerun");
    assert_eq!(r.status(), 202, "the second run's upload is still there");
}

#[tokio::test]
async fn uploads_are_rate_limited_per_client() {
    let app = TestApp::spawn_with(|c| {
        c.uploads_per_minute = 1;
        c.upload_burst = 2;
    })
    .await;
    let base = app.url("");
    let zip = std::fs::read(validation_zip(2000)).expect("zip");
    for _ in 0..2 {
        assert_eq!(
            upload(&app.client, &base, "vc.zip", zip.clone(), "light")
                .await
                .status(),
            202
        );
    }
    let third = upload(&app.client, &base, "vc.zip", zip, "light").await;
    assert_eq!(third.status(), 429);
    let wait: u64 = third.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let (_, p) = problem(third).await;
    assert_eq!(p.code(), "rate_limited");
    // other routes are not limited
    assert_eq!(app.get("/api/sessions").await.status(), 200);
}

#[tokio::test]
async fn a_line_longer_than_an_excel_cell_is_cut_in_the_workbook_and_whole_in_json() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let long = "x".repeat(40_000);
    let log =
        format!("2025-10-06T00:00:01 WARNING db: {long}\n2025-10-06T00:00:02 INFO db: fine\n");
    let r = upload(
        &app.client,
        &base,
        "long.zip",
        zip_with(&[("Case 1/db.log", log.into_bytes())]),
        "light",
    )
    .await;
    let id = accepted_id(r).await;
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(done.state, JobState::Succeeded, "{done:?}");
    let report: AnalysisReport = app
        .get(&format!("/api/sessions/{id}/result"))
        .await
        .json()
        .await
        .expect("json");
    let novel = &report.novel_anomalies[0];
    assert!(novel.first.raw.len() > 40_000, "whole in report.json");
    let xlsx = app
        .get(&format!("/api/sessions/{id}/reports/novel_anomalies.xlsx"))
        .await
        .bytes()
        .await
        .expect("xlsx");
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.to_vec()))
        .expect("workbook");
    let sheet = wb.worksheet_range("novel").expect("sheet");
    let cell = sheet.get((1, 6)).expect("the line's cell").to_string();
    assert_eq!(cell.chars().count(), 32_767);
    assert!(cell.contains("[обрезано: "), "a visible marker");
}

#[tokio::test]
async fn server_failures_tell_the_client_nothing_of_the_server() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(200)).await;
    assert_eq!(
        wait_done(&app.client, &base, &id).await.state,
        JobState::Succeeded
    );
    // The results vanish from under the server (a disk cleaned by hand).
    let results = app.dir.path().join("data/results").join(&id);
    std::fs::remove_dir_all(&results).expect("remove");
    let r = app
        .get_with(
            &format!("/api/sessions/{id}/result"),
            "x-request-id",
            "req-42",
        )
        .await;
    let (status, p) = problem(r).await;
    assert_eq!((status, p.code()), (500, "internal_error"));
    assert_eq!(p.request_id.as_deref(), Some("req-42"));
    let root = app.dir.path().to_string_lossy().into_owned();
    assert!(
        !p.detail.contains(&root) && !p.detail.contains("No such file"),
        "no path, no library message: {}",
        p.detail
    );
}

/// Starts an upload on a raw connection and sends only its first bytes, as a client that
/// stalls (or trickles) would.
async fn stalled_upload(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /process HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 1000000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.zip\"\r\n\r\nPK\x03\x04",
        app.addr
    );
    tcp.write_all(head.as_bytes()).await.expect("send");
    tcp
}

/// Waits until the server's metrics show `n` upload bodies being received.
async fn uploads_in_progress(app: &TestApp, n: u32) {
    let line = format!("loglens_uploads_in_progress {n}");
    for _ in 0..100 {
        let metrics = app.get("/metrics").await.text().await.expect("metrics");
        if metrics.lines().any(|l| l == line) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never saw {line}");
}

#[tokio::test]
async fn a_stalled_upload_is_dropped_and_frees_its_place() {
    let app = TestApp::spawn_with(|c| {
        c.queue_capacity = 1;
        c.upload_read_timeout_secs = 1;
    })
    .await;
    let base = app.url("");
    let mut tcp = stalled_upload(&app).await;
    // the stalled upload holds the only place for now
    uploads_in_progress(&app, 1).await;
    let zip = std::fs::read(validation_zip(200)).expect("zip");
    let r = upload(&app.client, &base, "vc.zip", zip.clone(), "light").await;
    assert_eq!(r.status(), 429, "the queue place is taken");
    // … until the server gives up on it: 408, and the place is free again
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tcp.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers in time");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("upload_stalled"), "{answer}");
    assert_eq!(stored_uploads(&app), 0, "its bytes are gone");
    let r = upload(&app.client, &base, "vc.zip", zip, "light").await;
    assert_eq!(r.status(), 202);
}

#[tokio::test]
async fn one_client_has_a_bounded_number_of_uploads_in_flight() {
    let app = TestApp::spawn_with(|c| c.uploads_per_client = 1).await;
    let base = app.url("");
    let tcp = stalled_upload(&app).await;
    uploads_in_progress(&app, 1).await;
    let zip = std::fs::read(validation_zip(200)).expect("zip");
    let r = upload(&app.client, &base, "vc.zip", zip.clone(), "light").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let (_, p) = problem(r).await;
    assert_eq!(p.code(), "too_many_uploads");
    drop(tcp);
    // the client's count goes down when its upload ends, whatever the end
    let mut status = 0;
    for _ in 0..50 {
        status = upload(&app.client, &base, "vc.zip", zip.clone(), "light")
            .await
            .status()
            .as_u16();
        if status == 202 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 202);
}

#[tokio::test]
async fn an_upload_the_disk_has_no_room_for_gets_507() {
    let app = TestApp::spawn_with(|c| c.min_free_bytes = u64::MAX / 4).await;
    let zip = std::fs::read(validation_zip(200)).expect("zip");
    let (status, p) =
        problem(upload(&app.client, &app.url(""), "vc.zip", zip, "light").await).await;
    assert_eq!((status, p.code()), (507, "insufficient_storage"));
    assert_eq!(stored_uploads(&app), 0);
}

#[tokio::test]
async fn a_tar_gz_and_a_plain_log_are_analysed_like_a_zip() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let line = |i: u32| {
        format!(
            "2015-10-18 18:01:{:02},000 ERROR [main] org.example.Db: Backup job failed with error\n",
            i % 60
        )
    };
    let log: String = (0..20).map(line).collect();
    let syslog = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; uid=0\n";
    let tgz = gzip(&tar_with(&[
        ("case 1/app.log", log.clone().into_bytes()),
        ("case 1/old/app.log.1.gz", gzip(log.as_bytes())),
        ("case 2/messages", syslog.as_bytes().to_vec()),
    ]));
    for (name, bytes, files) in [
        ("systems.tar.gz", tgz, 3),
        ("server 4.log", log.clone().into_bytes(), 1),
    ] {
        let id = accepted_id(upload(&app.client, &base, name, bytes, "light").await).await;
        let report = succeeded_report(&app.client, &base, &id).await;
        let read: Vec<(String, Option<String>, u64)> = report
            .scenarios
            .iter()
            .flat_map(|sc| sc.files.iter())
            .map(|f| (f.name.clone(), f.format.clone(), f.entries))
            .collect();
        assert_eq!(read.len(), files, "{name}: {read:?}");
        assert!(
            read.iter()
                .all(|(_, format, entries)| format.is_some() && *entries > 0),
            "{name}: {read:?}"
        );
        if files == 1 {
            assert_eq!(report.scenarios[0].id, 4, "the number in the file's name");
            assert_eq!(read[0].0, "server 4.log");
        } else {
            assert!(
                read.iter()
                    .any(|(n, f, _)| n == "app.log.1" && f.as_deref() == Some("log4j")),
                "the gzip member unpacked: {read:?}"
            );
            assert!(
                read.iter()
                    .any(|(n, f, _)| n == "messages" && f.as_deref() == Some("syslog-rfc3164")),
                "{read:?}"
            );
        }
        // The job holds one ZIP, as any other.
        let uploads: Vec<String> = std::fs::read_dir(app.dir.path().join("data/uploads"))
            .expect("uploads")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(uploads.contains(&format!("{id}.zip")), "{uploads:?}");
        assert!(
            !uploads.iter().any(|u| u.ends_with(".upload")),
            "{uploads:?}"
        );
    }
}

#[tokio::test]
async fn a_formats_file_beside_the_archive_reads_what_the_catalogue_cannot() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    // A layout no built-in format reads.
    let log: String = (0..10)
        .map(|i| {
            format!("<<01.05.2024 10:00:{i:02}>> ERROR@payments ~ card declined for order {i}\n")
        })
        .collect();
    let zip = zip_with(&[("case 1/billing.log", log.into_bytes())]);
    let formats = br#"
[[format]]
name = "billing"
format = "<<<timestamp>>> <level>@<source> ~ <message>"
time = "%d.%m.%Y %H:%M:%S"
"#;
    let read = |id: String| {
        let client = app.client.clone();
        let base = base.clone();
        async move {
            let report = succeeded_report(&client, &base, &id).await;
            let f = &report.scenarios[0].files[0];
            (
                f.format.clone(),
                f.entries,
                f.signal_lines,
                f.unparsable_lines,
            )
        }
    };
    // Without it: nothing of the file is read.
    let plain =
        accepted_id(upload(&app.client, &base, "billing.zip", zip.clone(), "light").await).await;
    let (format, entries, _, unreadable) = read(plain).await;
    assert_eq!((format, entries, unreadable), (None, 0, 10));
    // With it: every line an ERROR entry of the user's format.
    let id = accepted_id(
        upload_with(
            &app.client,
            &base,
            zip.clone(),
            ("formats", "my-formats.toml", formats.to_vec()),
        )
        .await,
    )
    .await;
    assert_eq!(read(id.clone()).await, (Some("billing".into()), 10, 10, 0));
    // A rerun keeps it.
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/rerun")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("rerun");
    let again = accepted_id(r).await;
    assert_eq!(read(again).await, (Some("billing".into()), 10, 10, 0));
    // A form's file field left blank (no name, no bytes) or an empty file is no formats file,
    // and leaves no file behind.
    for name in ["", "empty.toml"] {
        let blank = accepted_id(
            upload_with(
                &app.client,
                &base,
                zip.clone(),
                ("formats", name, Vec::new()),
            )
            .await,
        )
        .await;
        assert_eq!(read(blank.clone()).await, (None, 0, 0, 10));
        let left = std::fs::read_dir(app.dir.path().join("data/uploads"))
            .expect("uploads")
            .filter_map(|e| e.ok())
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{blank}.formats"))
            });
        assert!(!left, "{name:?}");
    }
    // A mistake is refused before anything is queued, naming the file, line or format, and what.
    let before = stored_uploads(&app);
    for (text, line, format, what) in [
        (
            &b"[[format]]\nname = \"x\"\nformat = oops\n"[..],
            Some(3),
            None,
            "must be quoted",
        ),
        (
            &b"[[format]]\nname = \"x\"\nregex = \"(?P<message>.*)\"\n"[..],
            None,
            Some("x"),
            "no `timestamp` group",
        ),
        (&b"\xff\xfe[[format]]"[..], None, None, "not UTF-8"),
    ] {
        let (status, p) = problem(
            upload_with(
                &app.client,
                &base,
                zip.clone(),
                ("formats", "f.toml", text.to_vec()),
            )
            .await,
        )
        .await;
        assert_eq!((status, p.code()), (400, "formats_invalid"), "{p:?}");
        match &p.problem {
            Problem::FormatsInvalid {
                file,
                line: l,
                format: f,
                reason,
            } => {
                assert_eq!(file, "f.toml");
                assert_eq!((*l, f.as_deref()), (line, format), "{p:?}");
                assert!(reason.contains(what), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(p.detail.contains("f.toml"), "{}", p.detail);
    }
    assert_eq!(stored_uploads(&app), before, "nothing stored");
}

#[tokio::test]
async fn a_glossary_beside_the_archive_makes_an_operators_name_a_link_and_is_shown_as_used() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    // "kestrel-7" is what this site calls its UPS: no model or built-in alias knows it.
    let zip = zip_with(&[(
        "case 1/app.log",
        b"2025-10-06T10:00:01 INFO app: service started
2025-10-06T10:00:02 WARNING power: kestrel-7 switched to battery power
2025-10-06T10:00:04 ERROR power: power outage, the kestrel-7 shut down the servers
"
        .to_vec(),
    )]);
    let kb = "ID аномалии;Аномалия;ID проблемы;Проблема
1;UPS switched to battery power;1;Power outage: the UPS shut down the servers
2;Disk read timeout;2;Disk failure
"
    .as_bytes()
    .to_vec();
    let glossary = b"alias,canonical\nkestrel-7,ups\n".to_vec();
    let report = |id: String| {
        let client = app.client.clone();
        let base = base.clone();
        async move { succeeded_report(&client, &base, &id).await }
    };
    // Without it: the lines stay unexplained.
    let plain = accepted_id(
        upload_with(
            &app.client,
            &base,
            zip.clone(),
            ("kb", "kb.csv", kb.clone()),
        )
        .await,
    )
    .await;
    let r = report(plain).await;
    assert!(r.links.is_empty(), "{:?}", r.links);
    assert_eq!(r.glossary.sources, ["built-in"]);
    // With it: the WARNING links to the ERROR's problem, by way of the glossary.
    let id = accepted_id(
        upload_with_all(
            &app.client,
            &base,
            zip.clone(),
            vec![
                ("kb", "kb.csv", kb.clone()),
                ("glossary", "site-terms.csv", glossary.clone()),
            ],
        )
        .await,
    )
    .await;
    let check = |r: AnalysisReport| {
        assert_eq!(
            r.links
                .iter()
                .map(|l| (l.anomaly_id, l.problem_id, l.method))
                .collect::<Vec<_>>(),
            [(1, 1, Method::Glossary)],
            "{:?}",
            r.links
        );
        assert_eq!(r.glossary.sources, ["uploaded: site-terms.csv", "built-in"]);
        assert!(
            r.glossary
                .used
                .iter()
                .any(|u| u.alias == "kestrel-7" && u.canonical == "ups"),
            "{:?}",
            r.glossary.used
        );
        // The knowledge base numbers its own problems: the shipped playbook of problem 1 (a
        // RAID controller) is not offered for this power outage.
        assert!(
            r.playbooks
                .iter()
                .all(|p| p.problem_id != 1 || p.problem.starts_with("Power outage")),
            "{:?}",
            r.playbooks
        );
    };
    check(report(id.clone()).await);
    // A rerun keeps it.
    let again = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/rerun")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("rerun");
    check(report(accepted_id(again).await).await);
    // The built-in glossary downloads as a template to start from.
    let tpl = app
        .client
        .get(app.url("/api/templates/glossary.csv"))
        .send()
        .await
        .expect("template");
    assert_eq!(tpl.status(), 200);
    assert!(
        tpl.text()
            .await
            .expect("text")
            .starts_with("alias,canonical")
    );
    // A mistake is refused before anything is queued, naming the file, line and what.
    let before = stored_uploads(&app);
    for (text, line, what) in [
        (&b"alias,canonical\nups,\n"[..], Some(2), "canonical"),
        (&b"word,meaning\nups,ups\n"[..], Some(1), "alias"),
        (&b"\xff\xfe"[..], None, "UTF-8"),
    ] {
        let (status, p) = problem(
            upload_with(
                &app.client,
                &base,
                zip.clone(),
                ("glossary", "g.csv", text.to_vec()),
            )
            .await,
        )
        .await;
        assert_eq!((status, p.code()), (400, "glossary_invalid"), "{p:?}");
        match &p.problem {
            Problem::GlossaryInvalid {
                file,
                line: l,
                reason,
            } => {
                assert_eq!((file.as_str(), *l), ("g.csv", line), "{p:?}");
                assert!(reason.contains(what), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(p.detail.contains("g.csv"), "{}", p.detail);
    }
    assert_eq!(stored_uploads(&app), before, "nothing stored");
}
