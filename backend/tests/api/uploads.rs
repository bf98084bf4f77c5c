//! The upload contract: 202 + Location, refusals as problem+json with nothing stored,
//! 429 when the queue is full, cancel, results, reports, downloads, history, delete.

use loglens_shared::ProblemDetails;
use loglens_shared::session::{JobState, ServerMessage, SessionList, Snapshot};

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

fn zip_with(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    buf.into_inner()
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
            "bad_upload",
            "not a ZIP",
        ),
        ("empty.zip", Vec::new(), 400, "bad_upload", "empty"),
        (
            "logs.tar.gz",
            b"PK\x03\x04whatever".to_vec(),
            400,
            "bad_upload",
            ".zip",
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
            "bad_upload",
            "zip bomb",
        ),
        (
            "slip.zip",
            zip_with(&[
                ("c 1/a.txt", b"x".to_vec()),
                ("../../etc/x.txt", b"x".to_vec()),
            ]),
            400,
            "bad_upload",
            "unsafe path",
        ),
        (
            "nologs.zip",
            zip_with(&[("readme.md", b"x".to_vec())]),
            400,
            "bad_upload",
            "no log files",
        ),
    ];
    for (name, bytes, status, code, detail) in cases {
        let (got, p) = problem(upload(&app.client, &base, name, bytes, "light").await).await;
        assert_eq!((got, p.code.as_str()), (status, code), "{name}: {p:?}");
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
    assert_eq!((got, p.code.as_str()), (400, "bad_request"));
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
    assert_eq!((got, p.code.as_str()), (400, "bad_upload"));
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
    assert_eq!(second.status(), 202);
    let third = upload(&app.client, &base, "vc.zip", big, "light").await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().get("retry-after").is_some());
    let (_, p) = problem(third).await;
    assert_eq!(p.code, "queue_full");
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
    assert_eq!((status, p.code.as_str()), (409, "not_ready"));
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
    assert_eq!(r.status(), 202);
    let id = r.json::<serde_json::Value>().await.expect("json")["session_id"]
        .as_str()
        .expect("id")
        .to_owned();
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
    assert!(xlsx.bytes().await.expect("body").starts_with(b"PK"));
    let (status, p) = problem(
        app.get(&format!("/api/sessions/{id}/reports/..%2Fsecret"))
            .await,
    )
    .await;
    assert_eq!((status, p.code.as_str()), (404, "unknown_report"));

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
    assert!(packed.by_name("submit_report.xlsx").is_ok());

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
    assert_eq!(app.get(&format!("/api/sessions/{id}")).await.status(), 404);
    assert!(!app.dir.path().join("data/results").join(&id).exists());
    assert_eq!(stored_uploads(&app), 0);
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
    assert_eq!(p.code, "rate_limited");
    // other routes are not limited
    assert_eq!(app.get("/api/sessions").await.status(), 200);
}
