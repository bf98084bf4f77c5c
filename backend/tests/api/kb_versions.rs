//! A new version of an analysis's knowledge base: anomalies promoted from it (a novel anomaly
//! here) added to its rows, downloaded as CSV, and a re-run with it that every case uses (this
//! case brings its own knowledge base) and that its own re-runs keep.

use loglens_shared::Method;

use crate::helpers::*;

fn archive() -> Vec<u8> {
    zip_with(&[
        (
            "case 1/anomalies_problems.csv",
            "ID аномалии;Аномалия;ID проблемы;Проблема\n1;UPS switched to battery power;1;Power outage\n2;Disk read timeout;2;Disk failure\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "case 1/app.log",
            b"2025-10-06T10:00:01 INFO app: service started
2025-10-06T10:00:02 WARNING disk: Disk read timeout
2025-10-06T10:00:03 WARNING hw: Fan noisy at 90 percent
2025-10-06T10:00:05 ERROR disk: Disk failure
"
            .to_vec(),
        ),
    ])
}

#[tokio::test]
async fn a_promoted_anomaly_makes_a_new_knowledge_base_version_that_a_rerun_uses() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = accepted_id(upload(&app.client, &base, "site.zip", archive(), "light").await).await;
    let first = succeeded_report(&app.client, &base, &id).await;
    assert_eq!(link_keys(&first), [(2, 2, Method::Exact)]);
    let novel = first
        .novel_anomalies
        .iter()
        .find(|n| n.first.message.contains("Fan noisy"))
        .expect("the fan warning is a novel anomaly");
    let change = serde_json::json!({
        "scenario_id": novel.scenario_id,
        "additions": [{ "anomaly": novel.first.message, "problem_id": 2 }],
    });
    // The new version, downloaded.
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{id}/kb")))
        .json(&change)
        .send()
        .await
        .expect("kb");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.contains("site_knowledge_base_v2.csv"),
        "{disposition}"
    );
    let csv = r.text().await.expect("csv");
    assert_eq!(
        csv,
        "ID аномалии;Аномалия;ID проблемы;Проблема\n1;UPS switched to battery power;1;Power outage\n2;Disk read timeout;2;Disk failure\n3;Fan noisy at 90 percent;2;Disk failure\n"
    );
    // A re-run with it: the case's own knowledge base is put aside for the new version.
    let rerun = |id: String, body: serde_json::Value| {
        let client = app.client.clone();
        let base = base.clone();
        async move {
            let r = client
                .post(format!("{base}/api/sessions/{id}/rerun"))
                .json(&body)
                .send()
                .await
                .expect("rerun");
            let again = accepted_id(r).await;
            (
                again.clone(),
                succeeded_report(&client, &base, &again).await,
            )
        }
    };
    let (second_id, second) = rerun(id.clone(), serde_json::json!({ "kb": change })).await;
    assert_eq!(
        link_keys(&second),
        [(2, 2, Method::Exact), (3, 2, Method::Exact)]
    );
    assert_eq!(
        second.scenarios[0].kb_source,
        "uploaded: site_knowledge_base_v2.csv"
    );
    // Its own re-run keeps the version; a version of it counts on.
    let (_, third) = rerun(second_id.clone(), serde_json::json!({})).await;
    assert_eq!(link_keys(&third), link_keys(&second));
    let r = app
        .client
        .post(app.url(&format!("/api/sessions/{second_id}/kb")))
        .json(&serde_json::json!({
            "scenario_id": 1,
            "additions": [{ "anomaly": "PSU hum", "problem": "Power supply failure" }],
        }))
        .send()
        .await
        .expect("kb");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("site_knowledge_base_v3.csv")
    );
    assert!(
        r.text()
            .await
            .expect("csv")
            .ends_with("4;PSU hum;3;Power supply failure\n")
    );
    // Mistakes are refused clearly, before anything is queued.
    for (body, says) in [
        (
            serde_json::json!({ "scenario_id": 9, "additions": [{ "anomaly": "x", "problem_id": 2 }] }),
            "no scenario 9",
        ),
        (
            serde_json::json!({ "scenario_id": 1, "additions": [{ "anomaly": "x", "problem_id": 77 }] }),
            "no problem 77",
        ),
        (
            serde_json::json!({ "scenario_id": 1, "additions": [] }),
            "nothing to add",
        ),
        (
            serde_json::json!({ "scenario_id": 1, "additions": [{ "anomaly": "Disk read timeout", "problem_id": 2 }] }),
            "already",
        ),
    ] {
        for path in [
            format!("/api/sessions/{id}/kb"),
            format!("/api/sessions/{id}/rerun"),
        ] {
            let body = if path.ends_with("rerun") {
                serde_json::json!({ "kb": body })
            } else {
                body.clone()
            };
            let r = app
                .client
                .post(app.url(&path))
                .json(&body)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 400, "{path} {body}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: serde_json::Value = r.json().await.expect("problem");
            assert!(p["detail"].as_str().expect("detail").contains(says), "{p}");
        }
    }
}
