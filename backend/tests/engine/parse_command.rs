//! `loglens parse`, run as a person runs it: the real binary on a real file and a real zip.

use std::path::Path;
use std::process::{Command, Output};

use crate::helpers::zip_of;

fn parse(args: &[&str], input: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loglens"))
        .arg("parse")
        .args(args)
        .arg(input)
        .output()
        .expect("loglens runs")
}

const SPARK: &str = "\
17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers
17/06/09 20:10:41 ERROR executor.Executor: Exception in task 0.0 in stage 1.0 (TID 1)
java.lang.OutOfMemoryError: Java heap space
\tat java.util.Arrays.copyOf(Arrays.java:3236)
17/06/09 20:10:42 ERROR executor.Executor: Exception in task 1.0 in stage 1.0 (TID 2)
garbage that is no log line
";

#[test]
fn every_entry_with_its_lines_time_level_and_pattern_as_json() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("spark.log");
    std::fs::write(&file, SPARK).expect("write");
    let out = parse(&["--json"], &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(entries.len(), 3);
    let e = &entries[1];
    assert_eq!(e["file"], "spark.log");
    assert_eq!(
        (e["first_line"].as_u64(), e["last_line"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(e["timestamp"], "2017-06-09T20:10:41.000");
    assert_eq!(
        (e["level"].as_str(), e["level_raw"].as_str()),
        (Some("ERROR"), Some("ERROR"))
    );
    assert_eq!(e["inferred"], false);
    assert_eq!(e["source"], "executor.Executor");
    assert_eq!(e["format"], "spark");
    assert_eq!(entries[0]["level"], "INFO");
    assert_eq!(
        entries[1]["pattern"], entries[2]["pattern"],
        "two tasks, one pattern"
    );
    assert_ne!(entries[0]["pattern"], entries[1]["pattern"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("spark.log: 6 lines, 3 entries, 2 continuation lines, 1 unreadable (first at line 6: \"garbage that is no log line\")"),
        "{stderr}"
    );
}

#[test]
fn a_zip_is_read_per_file_plain_for_people_and_a_format_can_be_forced_or_defined() {
    let dir = tempfile::tempdir().expect("tmp");
    let zip = zip_of(
        dir.path(),
        "logs.zip",
        &[
            (
                "web/error_log",
                b"[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6\n",
            ),
            (
                "auth/messages",
                b"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; uid=0\n",
            ),
        ],
    );
    let out = parse(&[], &zip);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("web/error_log:1\t2005-12-04T04:47:44.000\tERROR\t"),
        "{text}"
    );
    assert!(
        text.contains("auth/messages:1\t") && text.contains("\tERROR?\t"),
        "an inferred level is marked: {text}"
    );
    let unknown = parse(&["--format", "nope"], &zip);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("no format is called \"nope\"; known: log4j")
    );

    let formats = dir.path().join("formats.toml");
    std::fs::write(
        &formats,
        "[[format]]\nname = \"billing\"\nformat = \"<timestamp> | <level> | <message>\"\ntime = \"%d.%m.%Y %H:%M:%S\"\n",
    )
    .expect("write");
    let file = dir.path().join("billing.txt");
    std::fs::write(&file, "01.05.2024 10:00:00 | WARN | card declined\n").expect("write");
    let out = parse(
        &["--json", "--formats", formats.to_str().expect("utf-8")],
        &file,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (e["format"].as_str(), e["level"].as_str()),
        (Some("billing"), Some("WARNING"))
    );
    assert_eq!(e["timestamp"], "2024-05-01T10:00:00.000");
    std::fs::write(&formats, "[[format]]\nname = \"x\"\nregex = \"(\"\n").expect("write");
    let bad = parse(&["--formats", formats.to_str().expect("utf-8")], &file);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("format 1 (\"x\"): the regex does not compile"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
