//! Resumable uploads (tus 1.0 core, creation, termination) against the real server: an upload
//! broken mid-body keeps what arrived, resumes from its offset, and is analysed through
//! `POST /process` (`upload`) with the same checks as a direct upload; every refusal clear.

use loglens_shared::ProblemDetails;
use loglens_shared::session::JobState;
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

const TUS: (&str, &str) = ("Tus-Resumable", "1.0.0");

fn meta(name: &str) -> String {
    use base64::Engine;
    format!(
        "filename {},filetype YXBwbGljYXRpb24vemlw",
        base64::engine::general_purpose::STANDARD.encode(name)
    )
}

/// `POST /api/uploads` of `length` bytes named `name`: the upload's path (`Location`).
async fn create(app: &TestApp, length: usize, name: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/uploads"))
        .header(TUS.0, TUS.1)
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", meta(name))
        .send()
        .await
        .expect("create")
}

async fn created(app: &TestApp, length: usize, name: &str) -> String {
    let r = create(app, length, name).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    r.headers()["location"]
        .to_str()
        .expect("test step")
        .to_owned()
}

async fn patch(app: &TestApp, location: &str, offset: usize, body: &[u8]) -> reqwest::Response {
    app.client
        .patch(app.url(location))
        .header(TUS.0, TUS.1)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(body.to_vec())
        .send()
        .await
        .expect("patch")
}

/// `HEAD`: the upload's offset, `None` when the server does not know it (404).
async fn offset(app: &TestApp, location: &str) -> Option<u64> {
    let r = app
        .client
        .head(app.url(location))
        .header(TUS.0, TUS.1)
        .send()
        .await
        .expect("head");
    if r.status() == 404 {
        return None;
    }
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    Some(
        r.headers()["upload-offset"]
            .to_str()
            .expect("test step")
            .parse()
            .expect("test step"),
    )
}

/// A PATCH whose connection breaks after `sent` of `body`'s bytes: a raw socket, closed.
async fn broken_patch(app: &TestApp, location: &str, offset: usize, body: &[u8], sent: usize) {
    let mut tcp = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("test step");
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.expect("test step");
    tcp.write_all(&body[..sent]).await.expect("test step");
    tcp.flush().await.expect("test step");
    // Let the server store what arrived, then break the connection mid-body.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(tcp);
}

async fn process_upload(
    app: &TestApp,
    location: &str,
    kb: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("model", "light")
        .text("upload", app.url(location));
    if let Some((name, bytes)) = kb {
        form = form.part(
            "kb",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    app.client
        .post(app.url("/process"))
        .multipart(form)
        .send()
        .await
        .expect("process")
}

async fn problem(r: reqwest::Response) -> (u16, ProblemDetails) {
    let status = r.status().as_u16();
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    (status, r.json().await.expect("problem json"))
}

#[tokio::test]
async fn options_say_what_is_spoken() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 5_000_000).await;
    let r = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/uploads"))
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    assert_eq!(r.headers()["tus-extension"], "creation,termination");
    assert_eq!(r.headers()["tus-max-size"], "5000000");
    let v: loglens_shared::VersionInfo = get_json(&app.client, &app.url("/api/version")).await;
    assert!(v.resumable_uploads, "one machine takes resumable uploads");
}

#[tokio::test]
async fn resumable_uploads_can_be_turned_off() {
    // As on several nodes whose load balancer does not keep a client on one node.
    let app = TestApp::spawn_with(|c| c.resumable_uploads = Some(false)).await;
    let v: loglens_shared::VersionInfo = get_json(&app.client, &app.url("/api/version")).await;
    assert!(!v.resumable_uploads);
    let (status, p) = problem(create(&app, 10, "a.zip").await).await;
    assert_eq!((status, p.problem.code()), (404, "not_found"));
    let (status, _) = problem(
        patch(
            &app,
            "/api/uploads/0b5c2f1e-8a3d-4e6f-9a7b-1c2d3e4f5a6b",
            0,
            b"x",
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_broken_upload_resumes_from_its_offset_and_is_analysed_like_any_other() {
    let app = TestApp::spawn().await;
    let zip = std::fs::read(validation_zip(2_000)).expect("test step");
    let location = created(&app, zip.len(), "vc.zip").await;
    assert!(location.starts_with("/api/uploads/"), "{location}");
    assert_eq!(offset(&app, &location).await, Some(0));

    // A first PATCH of a quarter, answered; then one broken halfway through the rest.
    let quarter = zip.len() / 4;
    let r = patch(&app, &location, 0, &zip[..quarter]).await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["upload-offset"], quarter.to_string().as_str());
    assert_eq!(r.headers()["tus-resumable"], "1.0.0");
    let half = zip.len() / 2;
    broken_patch(&app, &location, quarter, &zip[quarter..], half - quarter).await;
    let mut held = offset(&app, &location).await.expect("test step");
    for _ in 0..50 {
        if held as usize == half {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        held = offset(&app, &location).await.expect("test step");
    }
    assert_eq!(held as usize, half, "the bytes before the break are kept");

    // Not finished: /process refuses it and keeps it.
    let (status, p) = problem(process_upload(&app, &location, None).await).await;
    assert_eq!(
        (status, p.problem.code()),
        (409, "upload_incomplete"),
        "{p:?}"
    );
    // A PATCH from the wrong offset is told the right one.
    let (status, p) = problem(patch(&app, &location, quarter, &zip[quarter..]).await).await;
    assert_eq!((status, p.problem.code()), (409, "upload_offset_mismatch"));
    assert!(p.detail.contains(&half.to_string()), "{}", p.detail);

    // The rest, from the offset the server holds.
    let r = patch(&app, &location, half, &zip[half..]).await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["upload-offset"], zip.len().to_string().as_str());
    // Nothing may go past the length.
    let (status, _) = problem(patch(&app, &location, zip.len(), b"x").await).await;
    assert_eq!(status, 400);

    // A refused analysis (a bad knowledge base beside it) leaves the upload to be used again.
    let (status, p) = problem(
        process_upload(
            &app,
            &location,
            Some(("kb.csv", b"id;a;id;p\nx;Disk slow;7;Disk failed\n".to_vec())),
        )
        .await,
    )
    .await;
    assert_eq!((status, p.problem.code()), (400, "kb_invalid"), "{p:?}");
    assert_eq!(offset(&app, &location).await, Some(zip.len() as u64));

    let id = accepted_id(process_upload(&app, &location, None).await).await;
    let report = succeeded_report(&app.client, &app.url(""), &id).await;
    assert!(!report.links.is_empty(), "the resumed archive was analysed");
    // The same archive sent whole by `/process` finds the same.
    let direct = start_job(&app.client, &app.url(""), &validation_zip(2_000)).await;
    let same = succeeded_report(&app.client, &app.url(""), &direct).await;
    assert_eq!(report.links.len(), same.links.len());
    assert_eq!(report.incidents.len(), same.incidents.len());
    let snapshot: loglens_shared::session::Snapshot =
        get_json(&app.client, &app.url(&format!("/api/sessions/{id}"))).await;
    assert_eq!(snapshot.upload_name, "vc.zip");
    assert_eq!(snapshot.state, JobState::Succeeded);
    // Analysed, the upload is gone.
    assert_eq!(offset(&app, &location).await, None);
}

#[tokio::test]
async fn refusals_are_clear() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 1_000_000).await;
    // Another protocol version.
    let r = app
        .client
        .post(app.url("/api/uploads"))
        .header("Upload-Length", "10")
        .send()
        .await
        .expect("test step");
    assert_eq!(r.headers()["tus-version"], "1.0.0");
    let (status, p) = problem(r).await;
    assert_eq!((status, p.problem.code()), (412, "tus_version"));
    // Over the limit, not a name an upload may have, empty.
    let (status, p) = problem(create(&app, 1_000_001, "big.zip").await).await;
    assert_eq!((status, p.problem.code()), (413, "upload_too_large"));
    let (status, p) = problem(create(&app, 10, "notes.pdf").await).await;
    assert_eq!((status, p.problem.code()), (400, "not_a_zip"));
    let (status, p) = problem(create(&app, 0, "empty.zip").await).await;
    assert_eq!((status, p.problem.code()), (400, "empty_file"));
    // No length.
    let r = app
        .client
        .post(app.url("/api/uploads"))
        .header(TUS.0, TUS.1)
        .send()
        .await
        .expect("test step");
    let (status, p) = problem(r).await;
    assert_eq!(status, 400);
    assert!(p.detail.contains("Upload-Length"), "{}", p.detail);

    // A PATCH of another media type.
    let location = created(&app, 100, "logs.zip").await;
    let r = app
        .client
        .patch(app.url(&location))
        .header(TUS.0, TUS.1)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("test step");
    let (status, p) = problem(r).await;
    assert_eq!((status, p.problem.code()), (415, "upload_content_type"));
    // A `.zip` that is no ZIP is refused at its first bytes, and forgotten.
    let (status, p) = problem(patch(&app, &location, 0, b"%PDF-1.4 not a zip").await).await;
    assert_eq!((status, p.problem.code()), (400, "not_a_zip"));
    assert_eq!(offset(&app, &location).await, None);

    // Termination.
    let location = created(&app, 100, "logs.tar.gz").await;
    let r = app
        .client
        .delete(app.url(&location))
        .header(TUS.0, TUS.1)
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 204);
    assert_eq!(offset(&app, &location).await, None);
    // Unknown uploads, and names that are no upload id (never a path).
    for path in [
        "/api/uploads/0b5c2f1e-8a3d-4e6f-9a7b-1c2d3e4f5a6b",
        "/api/uploads/..%2F..%2Fetc%2Fpasswd",
    ] {
        let r = app
            .client
            .patch(app.url(path))
            .header(TUS.0, TUS.1)
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body("x")
            .send()
            .await
            .expect("test step");
        let (status, p) = problem(r).await;
        assert_eq!(
            (status, p.problem.code()),
            (404, "unknown_upload"),
            "{path}"
        );
    }
    let (status, p) = problem(process_upload(&app, "/api/uploads/nothing", None).await).await;
    assert_eq!((status, p.problem.code()), (404, "unknown_upload"));
    // One archive per analysis.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"PK\x03\x04".to_vec()).file_name("a.zip"),
        )
        .text("upload", "x");
    let r = app
        .client
        .post(app.url("/process"))
        .multipart(form)
        .send()
        .await
        .expect("test step");
    let (status, p) = problem(r).await;
    assert_eq!((status, p.problem.code()), (400, "bad_request"));
}

#[tokio::test]
async fn a_token_guards_resumable_uploads() {
    let app = TestApp::spawn_with(|c| c.api_token = Some("s3cret".into())).await;
    let (status, _) = problem(create(&app, 10, "a.zip").await).await;
    assert_eq!(status, 401);
    let r = app
        .client
        .post(app.url("/api/uploads"))
        .bearer_auth("s3cret")
        .header(TUS.0, TUS.1)
        .header("Upload-Length", "10")
        .header("Upload-Metadata", meta("a.zip"))
        .send()
        .await
        .expect("test step");
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn an_analysis_sent_resumably_costs_one_turn_of_the_rate_limit() {
    // One upload a minute, no burst: a creation and the /process naming it are one analysis.
    let app = TestApp::spawn_with(|c| {
        c.uploads_per_minute = 1;
        c.upload_burst = 1;
    })
    .await;
    let zip = std::fs::read(validation_zip(2_000)).expect("zip");
    let location = created(&app, zip.len(), "vc.zip").await;
    assert_eq!(patch(&app, &location, 0, &zip).await.status(), 204);
    let id = accepted_id(process_upload(&app, &location, None).await).await;
    assert!(!id.is_empty());
    // The next one waits its turn.
    let (status, p) = problem(create(&app, 10, "next.zip").await).await;
    assert_eq!((status, p.problem.code()), (429, "rate_limited"));
}
