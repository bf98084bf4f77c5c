//! Hostile and broken uploads are refused with a clear error.

use std::io::Write;

use loglens::engine::EngineError;
use loglens::engine::input::archive::ArchiveError;
use loglens_shared::ReportFile;

use crate::helpers::*;

#[test]
fn zip_slip_entry_rejects_the_archive() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = line("2025-10-06T00:00:01", "INFO", "os", "ok");
    let zip = zip_of(
        dir.path(),
        "slip.zip",
        &[("case 1/a.txt", log.as_bytes()), ("../../evil.txt", b"x")],
    );
    let err = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect_err("rejected");
    assert!(
        matches!(&err, EngineError::Archive(ArchiveError::UnsafePath { entry }) if entry == "../../evil.txt"),
        "{err}"
    );
    assert!(
        !dir.path().join("evil.txt").exists()
            && !dir
                .path()
                .parent()
                .expect("parent")
                .join("evil.txt")
                .exists()
    );
}

#[test]
fn zip_bomb_is_rejected() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("case 1/a.txt", opts).expect("entry");
    let zeros = vec![b'0'; 1024 * 1024];
    for _ in 0..64 {
        zip.write_all(&zeros).expect("write"); // 64 MiB of one byte: ~1000× compression
    }
    zip.finish().expect("finish");
    let err = analyze(&path, false, &dir.path().join("out"))
        .output
        .expect_err("rejected");
    assert!(
        matches!(&err, EngineError::Archive(ArchiveError::Bomb { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn not_a_zip_empty_and_no_logs_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = dir.path().join("notes.zip");
    std::fs::write(&text, "this is not a zip").expect("write");
    let err = analyze(&text, false, &dir.path().join("o1"))
        .output
        .expect_err("not a zip");
    assert!(
        matches!(err, EngineError::Archive(ArchiveError::NotAZip(_))),
        "{err}"
    );

    let empty = zip_of(dir.path(), "empty.zip", &[]);
    let err = analyze(&empty, false, &dir.path().join("o2"))
        .output
        .expect_err("no logs");
    assert!(
        matches!(err, EngineError::Archive(ArchiveError::NoLogs)),
        "{err}"
    );

    let only_kb = zip_of(
        dir.path(),
        "kb.zip",
        &[
            ("anomalies_problems.csv", &official_kb()),
            ("readme.md", b"hi"),
        ],
    );
    let err = analyze(&only_kb, false, &dir.path().join("o3"))
        .output
        .expect_err("no logs");
    assert!(err.to_string().contains("no log files"), "{err}");
}

#[test]
fn nested_archives_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().expect("tmp");
    let inner = zip_of(
        dir.path(),
        "inner.zip",
        &[("x.txt", b"2025-10-06T00:00:01 ERROR a: b\n")],
    );
    let inner_bytes = std::fs::read(inner).expect("inner");
    let log = line("2025-10-06T00:00:01", "INFO", "os", "ok");
    let zip = zip_of(
        dir.path(),
        "outer.zip",
        &[
            ("case 2/a.txt", log.as_bytes()),
            ("case 2/more.zip", &inner_bytes),
        ],
    );
    let report = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect("analysis succeeds")
        .report;
    assert_eq!(report.summary.files, 1);
    assert!(
        report
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("more.zip") && w.contains("nested archive")),
        "{:?}",
        report.summary.warnings
    );
}

#[test]
fn a_broken_knowledge_base_names_its_file_and_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = line("2025-10-06T00:00:01", "INFO", "os", "ok");
    let zip = zip_of(
        dir.path(),
        "badkb.zip",
        &[
            ("c 1/anomalies_problems.csv", b"h;h;h;h\nx;y\n"),
            ("c 1/a.txt", log.as_bytes()),
        ],
    );
    let err = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect_err("no usable KB row");
    let msg = err.to_string();
    assert!(
        msg.contains("c 1/anomalies_problems.csv") && msg.contains("line 2"),
        "{msg}"
    );
}

#[test]
fn cancel_stops_at_the_next_checkpoint() {
    let dir = tempfile::tempdir().expect("tmp");
    let zip = gen_cases(dir.path(), "vc.zip", &["--validation", "--lines", "300"]);
    let rec = Recorder {
        cancel_at_stage: Some(loglens_shared::Stage::LoadKnowledgeBase),
        ..Default::default()
    };
    let req = loglens::engine::AnalysisRequest {
        archive: zip,
        upload_name: "vc.zip".into(),
        model: loglens::engine::ModelKind::Light,
        semantic: false,
        thresholds: None,
        kb: None,
        playbooks: None,
        glossaries: Vec::new(),
        out_dir: dir.path().join("out"),
        not_relevant: Vec::new(),
        kb_for_all: false,
    };
    let err = engine().analyze(&req, &rec).expect_err("cancelled");
    assert!(matches!(err, EngineError::Cancelled), "{err}");
    let events = rec.events.lock().expect("lock");
    assert!(
        events
            .iter()
            .all(|e| e.stage <= loglens_shared::Stage::LoadKnowledgeBase)
    );
    assert!(
        !dir.path()
            .join("out")
            .join(ReportFile::SubmitReport.file_name())
            .exists()
    );
}

/// Inputs the fuzzers found (`fuzz/regressions/<target>/`), each parsed or refused cleanly.
#[test]
fn fuzz_findings_are_refused_not_panics() {
    use loglens::engine::input::kb::KnowledgeBase;
    let dir = repo_root().join("fuzz/regressions/kb_workbook");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("regressions") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for name in ["anomalies_problems.xlsx", "anomalies_problems.xls"] {
            match KnowledgeBase::parse(&bytes, name, "fuzz") {
                Ok(kb) => assert!(!kb.links.is_empty(), "{}", path.display()),
                // refused as unreadable, too large or without usable rows: each names the file
                Err(e) => assert!(e.to_string().contains("fuzz"), "{}: {e}", path.display()),
            }
        }
        seen += 1;
    }
    assert!(seen > 0, "the regression inputs are in {}", dir.display());
    // An `oom-` input made the workbook reader allocate 2 GiB (this test runs in a process of
    // its own under nextest, so the peak is this test's).
    let peak_mib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map(|kib| kib / 1024);
    if let Some(peak_mib) = peak_mib {
        assert!(peak_mib < 512, "peak RSS {peak_mib} MiB");
    }
}

/// Archives the fuzzers found slow or crashing (`fuzz/regressions/archive/`): planned, then every
/// planned entry streamed through the scanner under the limits, as the archive target does.
#[test]
fn fuzz_archives_are_planned_and_streamed_within_limits() {
    use loglens::engine::input::archive::{self, ArchiveLimits, ByteBudget, EntryReader};
    use loglens::engine::scan;
    use std::io::{Cursor, Read};
    let dir = repo_root().join("fuzz/regressions/archive");
    for entry in std::fs::read_dir(&dir).expect("regressions") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read");
        let started = std::time::Instant::now();
        let limits = ArchiveLimits {
            max_entries: 1_000,
            max_total_bytes: 64 * 1024 * 1024,
            max_ratio: 200,
        };
        let Ok(plan) = archive::plan_reader(Cursor::new(&data[..]), "fuzz 7.zip", &limits) else {
            continue;
        };
        let mut reader = EntryReader::from_reader(Cursor::new(&data[..])).expect("reader");
        let budget = ByteBudget::default();
        let mut streamed = 0u64;
        for case in &plan.cases {
            if let Some(kb) = &case.kb {
                let _ = reader.read_small(kb, 1024 * 1024);
            }
            for e in &case.logs {
                let r = reader.with_entry(e, &limits, &budget, |r: &mut dyn Read| {
                    scan::scan(r, scan::CONTEXT_LINES, |_, _| true)
                        .map_err(|e| std::io::Error::other(e.to_string()))
                });
                if let Ok(s) = r {
                    streamed += s.bytes;
                }
            }
        }
        eprintln!(
            "{}: {} cases, {streamed} bytes streamed in {:?}",
            path.display(),
            plan.cases.len(),
            started.elapsed()
        );
    }
}

#[test]
fn gzip_compressed_logs_in_a_zip_are_read_and_their_bombs_refused() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).expect("gzip");
        e.finish().expect("gzip")
    };
    let dir = tempfile::tempdir().expect("tmp");
    let log = line(
        "2025-10-06T00:00:01",
        "ERROR",
        "db",
        "Index corruption on table",
    );
    let zip = zip_of(
        dir.path(),
        "rotated.zip",
        &[
            ("case 3/app.log", log.as_bytes()),
            ("case 3/app.log.2.gz", &gzip(log.as_bytes())),
        ],
    );
    let report = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect("analysis succeeds")
        .report;
    let files: Vec<(&str, u64)> = report.scenarios[0]
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.signal_lines))
        .collect();
    assert_eq!(
        files,
        vec![("app.log", 1), ("app.log.2", 1)],
        "read through gzip"
    );
    let bomb = zip_of(
        dir.path(),
        "bomb.zip",
        &[("case 3/app.log.gz", &gzip(&vec![b'a'; 64 * 1024 * 1024]))],
    );
    let err = analyze(&bomb, false, &dir.path().join("out2"))
        .output
        .expect_err("a gzip bomb inside a zip is refused");
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn binary_files_are_skipped_with_a_notice_and_the_logs_beside_them_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = line(
        "2025-10-06T00:00:01",
        "ERROR",
        "db",
        "Index corruption on table",
    );
    // A core dump and an executable: no extension, so logs by name; binary by content.
    let mut core = b"\x7fELF\x02\x01\x01\x00".to_vec();
    core.extend(std::iter::repeat_n(b'x', 100));
    let zip = zip_of(
        dir.path(),
        "with-binary.zip",
        &[("case 4/app.log", log.as_bytes()), ("case 4/core", &core)],
    );
    let report = analyze(&zip, false, &dir.path().join("out"))
        .output
        .expect("analysis succeeds")
        .report;
    let files: Vec<(&str, bool, u64)> = report.scenarios[0]
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.binary, f.signal_lines))
        .collect();
    assert_eq!(files, vec![("app.log", false, 1), ("core", true, 0)]);
    assert!(
        report
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("case 4/core is not a text file")),
        "{:?}",
        report.summary.warnings
    );
}
