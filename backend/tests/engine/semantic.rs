//! Semantic matching with the real light model: paraphrases link with method=semantic and a
//! score; lookalikes of absent problems and unknown WARNINGs do not produce rows.

use loglens_shared::report::{Method, PredictionKind};

use crate::helpers::*;

fn run_case(lines: &[(&str, &str)]) -> loglens_shared::report::AnalysisReport {
    let dir = tempfile::tempdir().expect("tmp");
    let mut log = filler(3);
    for (i, (level, msg)) in lines.iter().enumerate() {
        log.push_str(&line(
            &format!("2025-10-06T01:{:02}:00", i),
            level,
            "os",
            msg,
        ));
    }
    log.push_str(&filler(3));
    let zip = zip_of(
        dir.path(),
        "sem.zip",
        &[
            ("Case 5/anomalies_problems.csv", &official_kb()),
            ("Case 5/host.txt", log.as_bytes()),
        ],
    );
    analyze(&zip, true, &dir.path().join("out"))
        .output
        .expect("analysis succeeds")
        .report
}

#[test]
fn paraphrased_warning_links_to_an_exact_error_semantically() {
    // "RAID array degraded" is anomaly 2 of problem 1.
    let report = run_case(&[
        ("WARNING", "the RAID array is degraded"),
        ("ERROR", "RAID controller firmware fault detected"),
    ]);
    assert_eq!(report.links.len(), 1, "{:#?}", report.links);
    let l = &report.links[0];
    assert_eq!(
        (l.anomaly_id, l.problem_id, l.method),
        (2, 1, Method::Semantic)
    );
    assert!(l.score >= 0.9 && l.score < 1.0, "score {}", l.score);
    assert_eq!(l.anomaly_text, "RAID array degraded");
    assert_eq!(l.warning.message, "the RAID array is degraded");
    assert_eq!(l.error.line, 5);
    // The link says why: the WARNING's score, the closest other anomaly text and the margin;
    // the ERROR matched exactly, so it has no evidence to explain.
    let w = l
        .warning_match
        .as_ref()
        .expect("a semantic side is explained");
    assert_eq!(w.score, l.score);
    let runner_up = w.runner_up.as_deref().expect("the KB has other anomalies");
    assert_ne!(runner_up, "RAID array degraded");
    let margin = w.margin().expect("a margin");
    assert!(margin > 0.0 && margin < w.score, "margin {margin}");
    assert!(l.error_match.is_none());
}

#[test]
fn paraphrased_error_and_warning_both_match() {
    // problem 49 "Host overheating alert", anomaly 387 "Overheating alert in host"
    let report = run_case(&[
        ("WARNING", "Overheating alert on the host"),
        ("ERROR", "Host overheating alert raised"),
    ]);
    let ids: Vec<(u32, u32)> = report
        .links
        .iter()
        .map(|l| (l.anomaly_id, l.problem_id))
        .collect();
    assert_eq!(ids, vec![(387, 49)], "{:#?}", report.links);
    assert_eq!(report.links[0].method, Method::Semantic);
    let e = report.links[0]
        .error_match
        .as_ref()
        .expect("the ERROR side is explained");
    assert!(
        e.runner_up
            .as_deref()
            .is_some_and(|r| r != "Host overheating alert"),
        "{e:?}"
    );
    assert!(e.margin().is_some_and(|m| m > 0.0), "{e:?}");
    assert_eq!(report.incidents.len(), 1);
    assert_eq!(report.incidents[0].method, Method::Semantic);
}

#[test]
fn exact_rule_only_mode_ignores_paraphrases() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = [
        line(
            "2025-10-06T01:00:00",
            "WARNING",
            "os",
            "the RAID array is degraded",
        ),
        line(
            "2025-10-06T01:00:01",
            "ERROR",
            "os",
            "RAID controller firmware fault detected",
        ),
    ]
    .concat();
    let zip = zip_of(dir.path(), "x.zip", &[("host.txt", log.as_bytes())]);
    let report = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect("ok")
        .report;
    assert!(report.links.is_empty());
    assert_eq!(report.novel_anomalies.len(), 1);
}

#[test]
fn unknown_warning_is_novel_not_a_row() {
    // The hidden test set has WARNINGs like this one that are in no KB. Problem 28 (routing)
    // is present, and its anomalies are the nearest KB texts: still no row.
    let report = run_case(&[
        ("WARNING", "Network routing anomaly detected"),
        ("ERROR", "Router routing table misconfiguration"),
    ]);
    assert!(report.links.is_empty(), "{:#?}", report.links);
    assert_eq!(report.novel_anomalies.len(), 1);
    let n = &report.novel_anomalies[0];
    assert_eq!(n.normalized, "network routing anomaly detected");
    assert!(n.nearest_score.is_some_and(|s| s < 0.7), "{n:?}");
    // the WARNING came a minute after the ERROR: a probable new anomaly of problem 28
    let report = run_case(&[
        ("ERROR", "Router routing table misconfiguration"),
        ("WARNING", "Network routing anomaly detected"),
    ]);
    assert_eq!(report.novel_anomalies[0].related_problem_id, Some(28));
}

#[test]
fn lookalike_of_an_absent_problems_anomaly_does_not_link_but_predicts() {
    // Problem 34 (index corruption) is present. "Database performance is slow" paraphrases
    // anomaly 301 "Slow database performance" of problem 38, which is absent; it also resembles
    // 34's anomaly 270 "Database performance degraded" (cosine ~0.91) but is clearly closer to
    // 301, so it must not produce a row for 34.
    let report = run_case(&[
        ("WARNING", "Database performance is slow"),
        ("ERROR", "Index corruption on table"),
    ]);
    assert!(report.links.is_empty(), "{:#?}", report.links);
    assert!(
        report
            .predictions
            .iter()
            .any(|p| p.kind == PredictionKind::ProblemMayFollow
                && p.problem_id == 38
                && p.anomaly_id == 301),
        "{:#?}",
        report
            .predictions
            .iter()
            .filter(|p| p.kind == PredictionKind::ProblemMayFollow)
            .collect::<Vec<_>>()
    );
}

#[test]
fn unrelated_error_is_not_forced_onto_a_problem() {
    let report = run_case(&[
        ("ERROR", "Disk quota nearly exhausted for user bob"),
        ("WARNING", "Heartbeat missed from node 3"),
    ]);
    assert!(report.incidents.is_empty(), "{:#?}", report.incidents);
    assert!(report.links.is_empty());
}
