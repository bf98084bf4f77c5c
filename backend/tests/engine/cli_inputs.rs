//! `loglens analyze` and `loglens parse` take what the upload takes — a tar.gz, a single .gz
//! and a plain log — run as a person runs them (the real binary), and skip a binary file
//! inside an archive, saying so.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use loglens_shared::report::AnalysisReport;

fn loglens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loglens"))
        .args(args)
        .output()
        .expect("loglens runs")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, *bytes).expect("append");
    }
    b.into_inner().expect("tar")
}

const LOG: &str = "\
2015-10-18 18:01:47,978 INFO [main] org.example.Db: Backup started
2015-10-18 18:01:48,001 ERROR [main] org.example.Db: Backup job failed with error
2015-10-18 18:01:49,112 WARN [main] org.example.Db: Retrying in 5 s
";

/// (file, format, entries, binary) of each file of the analysis of `input`.
fn analyze(input: &Path, out: &Path) -> Vec<(String, Option<String>, u64, bool)> {
    let run = loglens(&[
        "analyze",
        input.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--exact-only",
    ]);
    assert!(
        run.status.success(),
        "{}: {}",
        input.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let report: AnalysisReport =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
            .expect("json");
    report
        .scenarios
        .iter()
        .flat_map(|s| &s.files)
        .map(|f| (f.name.clone(), f.format.clone(), f.entries, f.binary))
        .collect()
}

#[test]
fn tar_gz_gz_and_plain_logs_are_analysed_and_binaries_skipped() {
    let dir = tempfile::tempdir().expect("tmp");
    let core = b"\x7fELF\x02\x01\x01\x00\x00\x00binary";
    let tgz = dir.path().join("systems.tar.gz");
    std::fs::write(
        &tgz,
        gzip(&tar_of(&[
            ("case 1/app.log", LOG.as_bytes()),
            ("case 1/core", core),
        ])),
    )
    .expect("write");
    let log4j = Some("log4j".to_string());
    assert_eq!(
        analyze(&tgz, &dir.path().join("out1")),
        vec![
            ("app.log".into(), log4j.clone(), 3, false),
            ("core".into(), None, 0, true),
        ]
    );
    let gz = dir.path().join("server 5.log.gz");
    std::fs::write(&gz, gzip(LOG.as_bytes())).expect("write");
    let plain = dir.path().join("server 6.log");
    std::fs::write(&plain, LOG).expect("write");
    for input in [&gz, &plain] {
        let files = analyze(input, &dir.path().join("out2"));
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(
            (&files[0].1, files[0].2),
            (&log4j, 3),
            "{}",
            input.display()
        );
    }
    // `parse` reads the same archive and says the binary was skipped.
    let run = loglens(&["parse", tgz.to_str().expect("utf-8")]);
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("case 1/core: not a text file (binary or UTF-16), skipped"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().count(), 3);
}
