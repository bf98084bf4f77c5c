//! The traps of SPEC §1–2, each in a real archive.

use loglens::engine::EngineError;
use loglens::engine::UploadedFile;
use loglens::engine::input::archive::ArchiveError;

use crate::helpers::*;

fn rows_of(run: &Run) -> Vec<(u32, u32, u32, String, u64)> {
    let mut rows: Vec<_> = run
        .output
        .as_ref()
        .expect("analysis succeeds")
        .report
        .links
        .iter()
        .map(|l| {
            (
                l.scenario_id,
                l.anomaly_id,
                l.problem_id,
                l.error.file.clone(),
                l.error.line,
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn tolerated_line_variants_and_an_error_hours_before_the_warning_in_another_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    // ERROR first (01:00) in db.log with CRLF and a BOM; WARNINGs hours later in app.txt,
    // written as WARN with a space instead of T and fractional seconds; timestamps go backwards.
    let mut db = String::from("\u{feff}");
    db.push_str(&filler(3).replace('\n', "\r\n"));
    db.push_str("2025-10-06T01:00:00 ERROR database: Index corruption on table   \r\n");
    let mut app = filler(5);
    app.push_str("2025-10-06 05:00:00.250 WARN database: Slow query from index issue\n");
    app.push_str("2025-10-06T04:59:59 WARNING storage: Application crash on index\n");
    app.push_str("\n\nnot a log line at all\n");
    let zip = zip_of(
        dir.path(),
        "traps.zip",
        &[
            ("Test Cases/TestCase 12/anomalies_problems.csv", &kb),
            ("Test Cases/TestCase 12/db.log", db.as_bytes()),
            ("Test Cases/TestCase 12/app.txt", app.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    assert_eq!(
        rows_of(&run),
        vec![
            (12, 267, 34, "db.log".into(), 4),
            (12, 274, 34, "db.log".into(), 4)
        ]
    );
    let report = run.output.expect("ok").report;
    let app_stats = report.scenarios[0]
        .files
        .iter()
        .find(|f| f.name == "app.txt")
        .expect("app.txt");
    assert_eq!(
        (
            app_stats.lines,
            app_stats.signal_lines,
            app_stats.unparsable_lines
        ),
        (10, 2, 1)
    );
    assert_eq!(
        report.links[0].error.raw,
        "2025-10-06T01:00:00 ERROR database: Index corruption on table"
    );
}

#[test]
fn messages_with_colons_match_on_the_text_after_the_source() {
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    // "eth0: link down" has two ids (65 → 9, 161 → 21): only the present problem's link counts.
    let log = [
        filler(2),
        line(
            "2025-10-06T00:10:00",
            "WARNING",
            "network",
            "eth0: link down",
        ),
        line(
            "2025-10-06T00:11:00",
            "ERROR",
            "hardware",
            "Network interface eth0 link failure",
        ),
    ]
    .concat();
    let zip = zip_of(
        dir.path(),
        "c.zip",
        &[
            ("case 4/anomalies_problems.csv", &kb),
            ("case 4/net.txt", log.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    assert_eq!(rows_of(&run), vec![(4, 161, 21, "net.txt".into(), 4)]);
}

#[test]
fn repeated_error_line_gives_a_row_per_line_and_duplicates_are_dropped() {
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    let log = [
        line(
            "2025-10-06T00:00:01",
            "WARNING",
            "db",
            "Slow query from index issue",
        ),
        line(
            "2025-10-06T00:00:02",
            "WARNING",
            "db",
            "Slow query from index issue",
        ),
        line(
            "2025-10-06T00:00:03",
            "ERROR",
            "db",
            "Index corruption on table",
        ),
        line(
            "2025-10-06T00:00:04",
            "ERROR",
            "db",
            "Index corruption on table",
        ),
    ]
    .concat();
    let zip = zip_of(
        dir.path(),
        "r.zip",
        &[("anomalies_problems.csv", &kb), ("db.txt", log.as_bytes())],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    assert_eq!(
        rows_of(&run),
        vec![
            (1, 267, 34, "db.txt".into(), 3),
            (1, 267, 34, "db.txt".into(), 4)
        ]
    );
}

#[test]
fn generic_anomalies_link_to_each_present_problem() {
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    // validation case 1's WARNING is generic anomaly 481 (problems 1, 6, …, 46); 21 and 46
    // occur here, 34 occurs too but is not one of 481's problems.
    let log = [
        line(
            "2025-10-06T00:00:01",
            "WARNING",
            "network",
            "segfault at 0x0 ip 0x7f1234567890",
        ),
        line(
            "2025-10-06T00:00:02",
            "ERROR",
            "hardware",
            "Network interface eth0 link failure",
        ),
        line(
            "2025-10-06T00:00:03",
            "ERROR",
            "network",
            "Virtual network misconfiguration",
        ),
        line(
            "2025-10-06T00:00:04",
            "ERROR",
            "database",
            "Index corruption on table",
        ),
    ]
    .concat();
    let zip = zip_of(
        dir.path(),
        "g.zip",
        &[
            ("Case 9/anomalies_problems.csv", &kb),
            ("Case 9/x.txt", log.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let rows = rows_of(&run);
    assert!(rows.iter().all(|r| r.1 == 481), "{rows:?}");
    let problems: Vec<u32> = rows.iter().map(|r| r.2).collect();
    assert_eq!(problems, vec![21, 46]);
}

#[test]
fn thirty_cases_in_one_zip_keep_their_ids() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec: Vec<String> = (1..=30)
        .map(|n| {
            format!(
                r#"{{"n": {n}, "start": "2025-10-06T00:00:00", "lines": [
                {{"file": "db_server_log.txt", "line_no": 20, "level": "WARNING", "source": "database", "message": "Slow query from index issue"}},
                {{"file": "web_server_log.txt", "line_no": {}, "level": "ERROR", "source": "database", "message": "Index corruption on table"}}]}}"#,
                30 + n
            )
        })
        .collect();
    let spec_path = dir.path().join("spec.json");
    std::fs::write(
        &spec_path,
        format!(
            r#"{{"root": "Test Cases", "case_dir": "TestCase {{n}}", "cases": [{}]}}"#,
            spec.join(",")
        ),
    )
    .expect("spec");
    let zip = gen_cases(
        dir.path(),
        "tc.zip",
        &[
            "--spec",
            spec_path.to_str().expect("utf-8"),
            "--lines",
            "100",
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let rows = rows_of(&run);
    assert_eq!(rows.len(), 30);
    for (i, r) in rows.iter().enumerate() {
        let n = i as u32 + 1;
        assert_eq!(
            r,
            &(
                n,
                267,
                34,
                "web_server_log.txt".to_owned(),
                30 + u64::from(n)
            )
        );
    }
    assert_eq!(run.output.expect("ok").report.summary.files, 300);
}

#[test]
fn knowledge_base_in_xlsx_and_in_cp1251() {
    let dir = tempfile::tempdir().expect("tmp");
    // an XLSX KB for case 1, a CP1251 CSV KB (Russian texts) for case 2
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["ID аномалии", "Аномалия", "ID проблемы", "Проблема"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("cell");
    }
    ws.write_number(1, 0, 7.0).expect("cell");
    ws.write_string(1, 1, "Disk latency high").expect("cell");
    ws.write_number(1, 2, 3.0).expect("cell");
    ws.write_string(1, 3, "Disk failed").expect("cell");
    let xlsx = wb.save_to_buffer().expect("xlsx");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251
        .encode("ID;Аномалия;ID;Проблема\n5;Задержка диска;8;Отказ диска\n");
    let log1 = [
        line("2025-10-06T00:00:01", "WARNING", "os", "Disk latency high"),
        line("2025-10-06T00:00:02", "ERROR", "os", "Disk failed"),
    ]
    .concat();
    let log2 = [
        line("2025-10-06T00:00:01", "WARNING", "os", "Задержка диска"),
        line("2025-10-06T00:00:02", "ERROR", "os", "Отказ диска"),
    ]
    .concat();
    let zip = zip_of(
        dir.path(),
        "kb.zip",
        &[
            ("TestCase 1/anomalies_problems.xlsx", &xlsx),
            ("TestCase 1/a.txt", log1.as_bytes()),
            ("TestCase 2/anomalies_problems.csv", &cp1251),
            ("TestCase 2/a.txt", log2.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    assert_eq!(
        rows_of(&run),
        vec![(1, 7, 3, "a.txt".into(), 2), (2, 5, 8, "a.txt".into(), 2)]
    );
}

#[test]
fn cases_without_a_kb_inherit_the_nearest_one_or_use_the_uploaded_or_builtin_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    let log = [
        line(
            "2025-10-06T00:00:01",
            "WARNING",
            "db",
            "Slow query from index issue",
        ),
        line(
            "2025-10-06T00:00:02",
            "ERROR",
            "db",
            "Index corruption on table",
        ),
    ]
    .concat();
    let zip = zip_of(
        dir.path(),
        "inherit.zip",
        &[
            ("Test Cases/anomalies_problems.csv", &kb),
            ("Test Cases/TestCase 3/a.txt", log.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let report = run.output.expect("ok").report;
    assert_eq!(
        report.scenarios[0].kb_source,
        "Test Cases/anomalies_problems.csv"
    );
    assert_eq!(report.links.len(), 1);

    let bare = zip_of(dir.path(), "bare 5.zip", &[("a.txt", log.as_bytes())]);
    let run = analyze(&bare, false, &dir.path().join("out2"));
    let report = run.output.expect("ok").report;
    assert_eq!(
        (
            report.scenarios[0].id,
            report.scenarios[0].kb_source.as_str()
        ),
        (5, "built-in")
    );
    assert_eq!(report.links.len(), 1);

    let custom = "a;b;c;d\n1;Slow query from index issue;2;Index corruption on table\n";
    let run = analyze_with(
        &bare,
        false,
        &dir.path().join("out3"),
        loglens::engine::ModelKind::Light,
        |r| {
            r.kb = Some(UploadedFile {
                name: "my_kb.csv".into(),
                bytes: custom.as_bytes().to_vec(),
            });
        },
    );
    let report = run.output.expect("ok").report;
    assert_eq!(report.scenarios[0].kb_source, "uploaded: my_kb.csv");
    assert_eq!(
        (report.links[0].anomaly_id, report.links[0].problem_id),
        (1, 2)
    );
}

#[test]
fn scenario_id_collisions_are_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = line("2025-10-06T00:00:01", "INFO", "os", "ok");
    let zip = zip_of(
        dir.path(),
        "dup.zip",
        &[
            ("A/Case 1/a.txt", log.as_bytes()),
            ("B/Run 1/b.txt", log.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let err = run.output.expect_err("collision");
    assert!(
        matches!(
            err,
            EngineError::Archive(ArchiveError::ScenarioCollision { id: 1, .. })
        ),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains("A/Case 1") && msg.contains("B/Run 1"), "{msg}");
}

#[test]
fn an_error_repeated_all_day_is_counted_in_full_and_sampled_in_the_report() {
    use loglens::engine::findings::MAX_ERRORS_PER_INCIDENT;
    let dir = tempfile::tempdir().expect("tmp");
    let kb = official_kb();
    let repeats = MAX_ERRORS_PER_INCIDENT * 5 + 3;
    let mut db = String::new();
    for i in 0..repeats {
        let (h, m, s) = (i / 3600, i / 60 % 60, i % 60);
        db.push_str(&line(
            &format!("2025-10-06T{h:02}:{m:02}:{s:02}"),
            "ERROR",
            "database",
            "Index corruption on table",
        ));
    }
    let app = line(
        "2025-10-06T00:00:00",
        "WARNING",
        "database",
        "Slow query from index issue",
    );
    let zip = zip_of(
        dir.path(),
        "repeats.zip",
        &[
            ("Case 4/anomalies_problems.csv", &kb),
            ("Case 4/db.log", db.as_bytes()),
            ("Case 4/app.log", app.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let report = &run.output.as_ref().expect("analysis succeeds").report;
    let incident = &report.incidents[0];
    assert_eq!(incident.error_count, repeats as u64, "every ERROR counted");
    assert_eq!(
        incident.errors.len(),
        MAX_ERRORS_PER_INCIDENT,
        "a bounded sample kept"
    );
    let lines: Vec<u64> = incident.errors.iter().map(|e| e.line).collect();
    assert_eq!(
        lines.first(),
        Some(&1),
        "the first ERROR (the root cause) is kept"
    );
    assert_eq!(lines.last(), Some(&(repeats as u64)), "and the last");
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "in time order");
    assert_eq!(
        incident.last_seen.as_ref().map(|t| t.raw.as_str()),
        Some("2025-10-06T00:16:42"),
        "last seen over all of them"
    );
}

#[test]
fn a_file_with_more_than_five_percent_unreadable_lines_is_named_with_its_first_one() {
    use loglens_shared::report::{ContextLine, Notice};
    let dir = tempfile::tempdir().expect("tmp");
    let ok = line("2025-10-06T00:00:01", "INFO", "os", "ok");
    // 100 lines, 10 of them in a layout LogLens does not read
    let mut mixed = String::new();
    for i in 0..100 {
        if i % 10 == 2 {
            mixed.push_str(&format!("Oct  6 00:00:{i:02} host app[1]: free text {i}\n"));
        } else {
            mixed.push_str(&ok);
        }
    }
    // 100 lines, 2 unreadable: under the threshold
    let mut mostly = ok.repeat(98);
    mostly.push_str("garbage one\ngarbage two\n");
    let zip = zip_of(
        dir.path(),
        "mixed.zip",
        &[
            ("Case 1/app.log", mixed.as_bytes()),
            ("Case 1/db.log", mostly.as_bytes()),
        ],
    );
    let run = analyze(&zip, false, &dir.path().join("out"));
    let report = run.output.expect("analysis").report;
    let named: Vec<&Notice> = report
        .summary
        .notices
        .iter()
        .filter(|n| matches!(n, Notice::UnreadableFile { .. }))
        .collect();
    assert_eq!(
        named,
        [&Notice::UnreadableFile {
            file: "Case 1/app.log".into(),
            unparsable: 10,
            lines: 100,
            first: ContextLine {
                line: 3,
                text: "Oct  6 00:00:02 host app[1]: free text 2".into(),
            },
        }]
    );
    let english = &report.summary.warnings;
    assert!(
        english.iter().any(|w| w.contains("Case 1/app.log")
            && w.contains("10 of 100 lines")
            && w.contains("free text 2")),
        "{english:?}"
    );
    let db = &report.scenarios[0]
        .files
        .iter()
        .find(|f| f.name == "db.log")
        .expect("db");
    assert_eq!(db.unparsable_lines, 2);
    assert_eq!(db.first_unparsable.as_ref().map(|c| c.line), Some(99));
}
