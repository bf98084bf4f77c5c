//! "Not relevant" marks on links, kept per knowledge base: a link only meaning made is left
//! out of later runs with that knowledge base (and back once the mark is taken back); the
//! organizers' exact rule is never overruled.

use loglens_shared::Method;
use loglens_shared::api::NotRelevant;

use crate::helpers::*;

/// The glossary makes (1 → 1) by meaning; (2 → 2) is the organizers' exact rule.
fn inputs() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let zip = zip_with(&[(
        "case 1/app.log",
        b"2025-10-06T10:00:01 INFO app: service started
2025-10-06T10:00:02 WARNING power: kestrel-7 switched to battery power
2025-10-06T10:00:03 WARNING disk: Disk read timeout
2025-10-06T10:00:04 ERROR power: power outage, the kestrel-7 shut down the servers
2025-10-06T10:00:05 ERROR disk: Disk failure
"
        .to_vec(),
    )]);
    let kb = "ID аномалии;Аномалия;ID проблемы;Проблема
1;UPS switched to battery power;1;Power outage: the UPS shut down the servers
2;Disk read timeout;2;Disk failure
"
    .as_bytes()
    .to_vec();
    (zip, kb, b"alias,canonical\nkestrel-7,ups\n".to_vec())
}

#[tokio::test]
async fn a_link_marked_not_relevant_is_left_out_of_later_runs_of_its_knowledge_base() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let (zip, kb, glossary) = inputs();
    let id = accepted_id(
        upload_with_all(
            &app.client,
            &base,
            zip,
            vec![("kb", "kb.csv", kb), ("glossary", "terms.csv", glossary)],
        )
        .await,
    )
    .await;
    let first = succeeded_report(&app.client, &base, &id).await;
    assert_eq!(
        link_keys(&first),
        [(1, 1, Method::Glossary), (2, 2, Method::Exact)]
    );
    let hash = first.scenarios[0].kb_hash.clone();
    assert_eq!(hash.len(), 64, "{hash}");
    let mark = |method: reqwest::Method, a: u32, p: u32| {
        app.client
            .request(
                method,
                app.url(&format!("/api/kb/{hash}/not-relevant/{a}/{p}")),
            )
            .send()
    };
    // Both marked: only the one meaning made can go.
    for (a, p) in [(1, 1), (2, 2)] {
        assert_eq!(
            mark(reqwest::Method::PUT, a, p)
                .await
                .expect("put")
                .status(),
            204
        );
    }
    // Marking twice changes nothing.
    assert_eq!(
        mark(reqwest::Method::PUT, 1, 1)
            .await
            .expect("put")
            .status(),
        204
    );
    let listed: Vec<NotRelevant> = get_json(
        &app.client,
        &app.url(&format!("/api/kb/{hash}/not-relevant")),
    )
    .await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|m| m.kb_hash == hash));
    let rerun = |id: String| {
        let client = app.client.clone();
        let base = base.clone();
        async move {
            let r = client
                .post(format!("{base}/api/sessions/{id}/rerun"))
                .json(&serde_json::json!({}))
                .send()
                .await
                .expect("rerun");
            let again = accepted_id(r).await;
            succeeded_report(&client, &base, &again).await
        }
    };
    let second = rerun(id.clone()).await;
    assert_eq!(
        link_keys(&second),
        [(2, 2, Method::Exact)],
        "the exact rule stands"
    );
    assert_eq!(second.summary.links_left_out, 1);
    // Taken back: the link is found again.
    assert_eq!(
        mark(reqwest::Method::DELETE, 1, 1)
            .await
            .expect("delete")
            .status(),
        204
    );
    let third = rerun(id).await;
    assert_eq!(
        link_keys(&third),
        [(1, 1, Method::Glossary), (2, 2, Method::Exact)]
    );
    assert_eq!(third.summary.links_left_out, 0);
    // Another knowledge base's marks are its own.
    let other: Vec<NotRelevant> = get_json(
        &app.client,
        &app.url(&format!("/api/kb/{}/not-relevant", "0".repeat(64))),
    )
    .await;
    assert!(other.is_empty());
    // Not a hash: a clear refusal.
    let r = app
        .client
        .put(app.url("/api/kb/NOT-HEX/not-relevant/1/1"))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app
        .client
        .put(app.url(&format!("/api/kb/{hash}/not-relevant/one/1")))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}
