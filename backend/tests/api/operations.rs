//! Operating the server: token auth, CORS, request ids, metrics, compare, exports.

use futures_util::StreamExt;
use loglens_shared::report::Comparison;
use loglens_shared::session::ServerMessage;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::*;

#[tokio::test]
async fn a_configured_token_guards_the_api_and_the_socket() {
    let app = TestApp::spawn_with(|c| c.api_token = Some("s3cret".into())).await;
    let base = app.url("");
    // open: probes, metrics, version
    for path in ["/healthz", "/readyz", "/metrics", "/api/version"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
    let r = app.get("/api/sessions").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let wrong = app
        .client
        .get(app.url("/api/sessions"))
        .bearer_auth("nope")
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 401);
    let ok = app
        .client
        .get(app.url("/api/sessions"))
        .bearer_auth("s3cret")
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 200);
    let zip = std::fs::read(validation_zip(2000)).expect("zip");
    let denied = upload(&app.client, &base, "vc.zip", zip.clone(), "light").await;
    assert_eq!(denied.status(), 401);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(zip).file_name("vc.zip"),
    );
    let accepted = app
        .client
        .post(app.url("/process"))
        .bearer_auth("s3cret")
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let id = accepted_id(accepted).await;

    // socket: refused without the token; accepted with ?token= and with the sub-protocol pair
    let addr = app.addr;
    let refused = tokio_tungstenite::connect_async(format!("ws://{addr}/ws/progress/{id}")).await;
    assert!(refused.is_err(), "handshake must fail without the token");
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws/progress/{id}?token=s3cret"))
            .await
            .expect("query token");
    assert!(matches!(ws.next().await, Some(Ok(Message::Text(_)))));
    let mut req = format!("ws://{addr}/ws/progress/{id}")
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "bearer, s3cret".parse().expect("header"),
    );
    let (mut ws2, resp) = tokio_tungstenite::connect_async(req)
        .await
        .expect("sub-protocol token");
    assert_eq!(resp.headers()["sec-websocket-protocol"], "bearer");
    let (msgs, _) = read_all(&mut ws2).await;
    assert!(msgs.iter().any(|m| matches!(m, ServerMessage::Snapshot(_))));
}

#[tokio::test]
async fn cors_request_ids_and_metrics() {
    let app = TestApp::spawn_with(|c| c.cors_origins = vec!["https://ops.example".into()]).await;
    let r = app
        .get_with("/api/version", "origin", "https://ops.example")
        .await;
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://ops.example"
    );
    assert!(
        !r.headers()["x-request-id"].is_empty(),
        "a request id is assigned"
    );
    let mine = app.get_with("/healthz", "x-request-id", "abc-123").await;
    assert_eq!(
        mine.headers()["x-request-id"],
        "abc-123",
        "a client's request id is kept"
    );
    let other = app
        .get_with("/api/version", "origin", "https://evil.example")
        .await;
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let mut ws = connect(&app.addr.to_string(), &id, None).await;
    let _ = ws.next().await; // the snapshot: the socket is registered
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(text.contains("loglens_websockets_active 1"), "{text}");
    wait_done(&app.client, &base, &id).await;
    let text = app.get("/metrics").await.text().await.expect("text");
    for needle in [
        "loglens_jobs{state=\"succeeded\"} 1",
        "loglens_stage_duration_seconds_count{stage=\"Parsing logs\"}",
        "loglens_log_lines_total ",
        "loglens_last_job_lines_per_second ",
        "loglens_http_requests_total{route=\"/process\",status=\"202\"} 1",
        "loglens_http_requests_total{route=\"/api/sessions/{id}\",status=\"200\"}",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
}

#[tokio::test]
async fn compare_and_export_finished_analyses() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let a = start_job(&app.client, &base, &validation_zip(2000)).await;
    // the second analysis: exact rule only, same archive
    let form = reqwest::multipart::Form::new()
        .text("exact_only", "true")
        .part(
            "file",
            reqwest::multipart::Part::bytes(std::fs::read(validation_zip(2000)).expect("zip"))
                .file_name("vc.zip"),
        );
    let r = app
        .client
        .post(app.url("/process"))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let b = accepted_id(r).await;
    wait_done(&app.client, &base, &a).await;
    wait_done(&app.client, &base, &b).await;
    let c: Comparison = app
        .get(&format!("/api/sessions/compare?ids={a},{b}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!((c.both.len(), c.only_a.len(), c.only_b.len()), (8, 0, 0));
    assert!(c.summary_a.semantic && !c.summary_b.semantic);
    assert_eq!(
        app.get(&format!("/api/sessions/compare?ids={a}"))
            .await
            .status(),
        400
    );

    let json = app.get(&format!("/api/sessions/{a}/export/json")).await;
    assert_eq!(json.status(), 200);
    assert!(
        json.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("vc_export.json")
    );
    let v: serde_json::Value = json.json().await.expect("valid JSON");
    assert_eq!(v["links"].as_array().expect("links").len(), 8);
    let xml = app.get(&format!("/api/sessions/{a}/export/xml")).await;
    assert_eq!(xml.status(), 200);
    let text = xml.text().await.expect("xml");
    let mut reader = quick_xml::Reader::from_str(&text);
    while reader.read_event().expect("well-formed XML") != quick_xml::events::Event::Eof {}
    assert!(text.contains("Index corruption on table"));
    let pdf = app.get(&format!("/api/sessions/{a}/export/pdf")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("pdf").starts_with(b"%PDF-"));
    assert_eq!(
        app.get(&format!("/api/sessions/{a}/export/docx"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes_and_every_reference_resolves() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/process",
        "/api/sessions",
        "/api/sessions/{id}",
        "/api/sessions/{id}/events",
        "/api/sessions/{id}/result",
        "/api/sessions/{id}/download",
        "/api/sessions/{id}/export/{format}",
        "/api/sessions/compare",
        "/api/sessions/{id}/rerun",
        "/api/templates/{name}",
        "/api/uploads",
        "/api/uploads/{id}",
        "/api/sessions/{id}/kb",
        "/api/kb/{hash}/not-relevant",
        "/api/kb/{hash}/not-relevant/{anomaly}/{problem}",
        "/ws/progress/{id}",
        "/metrics",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    // every $ref points at a schema that exists
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut refs = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&doc, &mut refs);
    assert!(refs.len() > 20);
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(schemas.contains_key(name), "{r} resolves");
    }
    // the wire types are there, generated from `shared`
    for s in [
        "Snapshot",
        "ServerMessage",
        "AnalysisReport",
        "ProblemDetails",
        "Stage",
        "JobState",
    ] {
        assert!(schemas.contains_key(s), "schema {s}");
    }
    // a finished run's figures in the history are optional (older runs have none)
    let snapshot = &schemas["Snapshot"];
    let required: Vec<&str> = snapshot["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for field in ["incidents", "links", "knowledge_base"] {
        assert!(
            snapshot["properties"].get(field).is_some(),
            "Snapshot.{field} documented"
        );
        assert!(!required.contains(&field), "Snapshot.{field} optional");
    }
    // every documented plain GET route exists on the server
    for (path, item) in paths {
        if item.get("get").is_some() && !path.contains('{') && !path.starts_with("/ws") {
            let status = app.get(path).await.status().as_u16();
            assert!(status != 404 && status != 405, "{path} answered {status}");
        }
    }
}

#[tokio::test]
async fn the_built_in_knowledge_base_and_playbooks_download_as_templates() {
    let app = TestApp::spawn().await;
    let kb = app.get("/api/templates/anomalies_problems.csv").await;
    assert_eq!(kb.status(), 200);
    assert!(
        kb.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment; filename=\"anomalies_problems.csv\"")
    );
    let text = kb.text().await.expect("text");
    assert_eq!(text.lines().count(), 501, "header + the 500 official links");
    let playbooks = app.get("/api/templates/playbooks.toml").await;
    assert_eq!(playbooks.status(), 200);
    assert!(
        playbooks
            .text()
            .await
            .expect("text")
            .contains("[[playbook]]")
    );
    assert_eq!(app.get("/api/templates/passwd").await.status(), 404);
}

#[tokio::test]
async fn only_its_own_host_names_reach_the_server_and_sockets_open_from_its_pages_only() {
    let app = TestApp::spawn().await;
    let r = app.get_with("/api/sessions", "host", "evil.test").await;
    assert_eq!(r.status(), 421);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: loglens_shared::ProblemDetails = r.json().await.expect("problem");
    assert_eq!(p.code(), "misdirected_host");
    // the web app too, not only the API
    assert_eq!(
        app.get_with("/", "host", "evil.test:8080").await.status(),
        421
    );
    for ok in ["localhost", "127.0.0.1:9", "[::1]:8080"] {
        assert_eq!(
            app.get_with("/api/sessions", "host", ok).await.status(),
            200,
            "{ok}"
        );
    }
    let id = start_job(&app.client, &app.url(""), &validation_zip(200)).await;
    let addr = app.addr;
    let mut foreign = format!("ws://{addr}/ws/progress/{id}")
        .into_client_request()
        .expect("request");
    foreign
        .headers_mut()
        .insert("origin", "http://evil.test".parse().expect("header"));
    let refused = tokio_tungstenite::connect_async(foreign).await;
    assert!(
        matches!(&refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403),
        "{refused:?}"
    );
    let mut own = format!("ws://{addr}/ws/progress/{id}")
        .into_client_request()
        .expect("request");
    own.headers_mut()
        .insert("origin", format!("http://{addr}").parse().expect("header"));
    assert!(tokio_tungstenite::connect_async(own).await.is_ok());

    // `*` turns the check off
    let open = TestApp::spawn_with(|c| c.allowed_hosts = vec!["*".into()]).await;
    assert_eq!(
        open.get_with("/api/sessions", "host", "evil.test")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_web_app_carries_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/dashboard/x", "/api/sessions"] {
        let r = app.get(path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().expect("ascii");
        for part in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
}
