//! An archive's cases read apart — as the nodes of a cluster read them, each its own case,
//! the scans crossing between processes as JSON — and merged give the report of one reading
//! of the whole archive.

use std::path::Path;
use std::sync::Arc;

use loglens::engine::{AnalysisRequest, CaseScan, EngineError, ModelKind};
use loglens_shared::ReportFile;

use crate::helpers::*;

fn request(zip: &Path, out: &Path) -> AnalysisRequest {
    AnalysisRequest {
        archive: zip.to_path_buf(),
        upload_name: "vc.zip".into(),
        model: ModelKind::Light,
        semantic: true,
        thresholds: None,
        kb: None,
        playbooks: None,
        glossaries: Vec::new(),
        out_dir: out.to_path_buf(),
        not_relevant: Vec::new(),
        kb_for_all: false,
    }
}

/// The report as JSON, without what differs between two runs of one archive (the time taken).
fn comparable(report: &loglens_shared::report::AnalysisReport) -> serde_json::Value {
    let mut v = serde_json::to_value(report).expect("json");
    v["summary"]["duration_ms"] = serde_json::Value::Null;
    v
}

#[test]
fn cases_read_apart_and_merged_give_the_report_of_the_whole_archive() {
    let dir = tempfile::tempdir().expect("tmp");
    let zip = gen_cases(dir.path(), "vc.zip", &["--validation", "--lines", "2000"]);
    let whole = analyze(&zip, true, &dir.path().join("whole"))
        .output
        .expect("whole analysis");
    // Each case alone, in another order, through JSON.
    let mut cases: Vec<CaseScan> = Vec::new();
    for case in [2, 0, 1] {
        let rec = Arc::new(Recorder::default());
        let scan = engine()
            .read_case(
                &request(&zip, &dir.path().join(format!("case{case}"))),
                case,
                rec.as_ref(),
            )
            .expect("case read");
        assert_eq!(scan.case, case);
        assert!(!scan.files.is_empty());
        let json = serde_json::to_vec(&scan).expect("to json");
        cases.push(serde_json::from_slice(&json).expect("from json"));
        // Reading one case reports only its own bytes.
        let events = rec.events.lock().expect("lock");
        let read = events.iter().map(|e| e.bytes_done).max().unwrap_or(0);
        assert!(read > 0 && read < whole.report.summary.bytes, "{read}");
    }
    let out = dir.path().join("merged");
    let merged = engine()
        .analyze_scanned(&request(&zip, &out), cases.clone(), &Recorder::default())
        .expect("merged analysis");
    assert_eq!(comparable(&merged.report), comparable(&whole.report));
    assert_official_f1(&out.join(ReportFile::SubmitReport.file_name()));
    // A case missing, or one read twice, is refused: never half a report.
    let missing = engine().analyze_scanned(
        &request(&zip, &dir.path().join("missing")),
        cases[..2].to_vec(),
        &Recorder::default(),
    );
    assert!(matches!(missing, Err(EngineError::Cases(_))), "{missing:?}");
    let mut twice = cases.clone();
    twice[1] = cases[0].clone();
    let twice = engine().analyze_scanned(
        &request(&zip, &dir.path().join("twice")),
        twice,
        &Recorder::default(),
    );
    assert!(matches!(twice, Err(EngineError::Cases(_))), "{twice:?}");
    // A case the archive does not have.
    let beyond = engine().read_case(
        &request(&zip, &dir.path().join("beyond")),
        3,
        &Recorder::default(),
    );
    assert!(matches!(beyond, Err(EngineError::Cases(_))), "{beyond:?}");
}
