//! Logs in the formats operators have, through the real engine: a zip of systems in
//! different formats (fixtures written here, modelled on real files) is read file by file in
//! its own format, levels are normalised or inferred, patterns group the variants of a
//! message, and an inferred level never makes an exact match.

use std::fs;

use loglens_shared::ReportFile;
use loglens_shared::report::Level;

use crate::helpers::{analyze, zip_of};

fn hadoop() -> String {
    let mut s = String::new();
    for i in 0..40 {
        s.push_str(&format!(
            "2015-10-18 18:{:02}:{:02},{:03} INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Container {i} launched\n",
            i / 60,
            i % 60,
            i * 7 % 1000
        ));
        if i % 4 == 0 {
            s.push_str(&format!(
                "2015-10-18 18:{:02}:{:02},500 WARN [LeaseRenewer:msrabi@host:9000] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for {} seconds\n",
                i / 60,
                i % 60,
                30 + i
            ));
        }
    }
    s.push_str("2015-10-18 18:01:00,000 ERROR [main] org.apache.hadoop.mapred.Task: Task failed\n");
    s.push_str("java.io.IOException: Connection reset by peer\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)\n\tat org.apache.hadoop.ipc.Client.run(Client.java:1)\n");
    s
}

fn syslog() -> String {
    let mut s = String::new();
    for i in 0..30 {
        s.push_str(&format!(
            "Dec 10 06:{:02}:{:02} LabSZ sshd[{}]: Failed password for root from 112.95.230.{} port {} ssh2\n",
            i / 60,
            i % 60,
            24200 + i,
            i,
            40000 + i
        ));
        s.push_str(&format!(
            "Dec 10 06:{:02}:{:02} LabSZ sshd[{}]: Received disconnect from 112.95.230.{}: 11: Bye Bye [preauth]\n",
            i / 60,
            i % 60,
            24200 + i,
            i
        ));
    }
    // Equals a problem of the built-in knowledge base, but syslog writes no level: the ERROR
    // is inferred ("failure"), so the organizers' rule must not take it.
    s.push_str("Dec 10 07:00:00 LabSZ backupd[1]: Authentication failure for user\n");
    s
}

fn apache() -> &'static str {
    "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n\
     [Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n\
     [Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10\n\
     [Sun Dec 04 04:51:09 2005] [error] mod_jk child workerEnv in error state 7\n"
}

fn klog() -> &'static str {
    "I1202 10:00:00.000000       1 controller.go:120] Starting controller\n\
     E1202 10:00:01.500000       1 reflector.go:138] failed to list *v1.Pod: connection refused\n\
     W1202 10:00:02.000000       1 reflector.go:140] watch of *v1.Node ended with: too old resource version\n"
}

fn json_lines() -> &'static str {
    "{\"time\":\"2024-05-01T10:00:00Z\",\"level\":\"info\",\"msg\":\"started\",\"logger\":\"api\"}\n\
     {\"time\":\"2024-05-01T10:00:01Z\",\"level\":\"warn\",\"msg\":\"slow query 1200 ms\",\"logger\":\"db\"}\n\
     {\"time\":\"2024-05-01T10:00:02Z\",\"level\":\"error\",\"msg\":\"pool exhausted\",\"logger\":\"db\"}\n"
}

#[test]
fn a_mixed_format_archive_is_read_file_by_file_in_its_own_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let (h, s) = (hadoop(), syslog());
    let zip = zip_of(
        dir.path(),
        "systems.zip",
        &[
            ("Hadoop/app.log", h.as_bytes()),
            ("OpenSSH/messages.1", s.as_bytes()),
            ("Apache/error_log", apache().as_bytes()),
            ("Kubernetes/controller.log", klog().as_bytes()),
            ("Service/app.log", json_lines().as_bytes()),
        ],
    );
    let out = dir.path().join("out");
    let run = analyze(&zip, false, &out);
    let report = run.output.expect("analysis runs").report;
    let files: Vec<(String, Option<String>, u64, u64, u64)> = report
        .scenarios
        .iter()
        .flat_map(|sc| sc.files.iter())
        .map(|f| {
            (
                f.name.clone(),
                f.format.clone(),
                f.entries,
                f.unparsable_lines,
                f.signal_lines,
            )
        })
        .collect();
    let find = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {files:?}"))
    };
    assert_eq!(files.len(), 5, "{files:?}");
    for (name, format) in [
        ("messages.1", "syslog-rfc3164"),
        ("error_log", "apache-error"),
        ("controller.log", "klog"),
    ] {
        let f = find(name);
        assert_eq!(f.1.as_deref(), Some(format), "{name}");
        assert_eq!(f.3, 0, "{name}: nothing unreadable");
    }
    let formats: Vec<Option<&str>> = files.iter().map(|f| f.1.as_deref()).collect();
    assert!(
        formats.contains(&Some("log4j")) && formats.contains(&Some("json")),
        "{formats:?}"
    );
    let hadoop = files
        .iter()
        .find(|f| f.1.as_deref() == Some("log4j"))
        .expect("hadoop");
    assert_eq!(hadoop.3, 0, "the stack trace continues its entry");
    assert_eq!(hadoop.4, 11, "ten WARN lines and one ERROR");
    // Ten variants of the lease warning are one pattern; thirty failed passwords another.
    let lease = report
        .patterns
        .iter()
        .find(|p| p.template.starts_with("Failed to renew lease"))
        .expect("lease pattern");
    assert_eq!((lease.level, lease.count), (Level::Warning, 10));
    assert_eq!(lease.samples.len(), 3);
    // Its lines over the logs' time, and each sample with the lines around it.
    assert_eq!(
        lease.histogram.len(),
        loglens_shared::report::PATTERN_BUCKETS
    );
    assert_eq!(lease.histogram.iter().sum::<u32>(), 10);
    let sample = &lease.samples[0];
    assert!(
        sample.context.len() > 1
            && sample
                .context
                .iter()
                .any(|c| c.line == sample.line && c.text == sample.raw),
        "{sample:?}"
    );
    let password = report
        .patterns
        .iter()
        .find(|p| p.template.starts_with("Failed password for root"))
        .expect("password pattern");
    assert_eq!(password.count, 30, "{:?}", report.patterns);
    // The inferred ERROR equal to a KB problem text makes no exact link.
    assert!(
        report
            .links
            .iter()
            .all(|l| !l.error.message.contains("Authentication failure")),
        "an inferred level never feeds the exact rule"
    );
    assert!(
        out.join(ReportFile::Patterns.file_name()).exists(),
        "patterns.xlsx is written"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &fs::read(out.join(ReportFile::ReportJson.file_name())).expect("report.json"),
    )
    .expect("json");
    assert!(json["patterns"].as_array().is_some_and(|p| !p.is_empty()));
}
