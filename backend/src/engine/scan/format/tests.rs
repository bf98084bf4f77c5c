//! Each built-in format: detected from lines of its own (written here, modelled on real
//! files), its fields cut right, its level normalised or inferred, its time read.

use loglens_shared::report::{Level, LogTime};

use super::*;

const DATE: FileDate = FileDate {
    year: 2024,
    month: 5,
};

/// (format, two lines of it, the WARNING/ERROR line's expected fields:
/// level, level as written ("" when inferred), source, message, time).
struct Case {
    format: &'static str,
    info: &'static str,
    signal: &'static str,
    level: Level,
    token: &'static str,
    source: &'static str,
    message: &'static str,
    time: &'static str,
}

const CASES: &[Case] = &[
    Case {
        format: "loglens",
        info: "2025-10-06T11:41:12 INFO software: Log rotation completed",
        signal: "2025-10-06T11:41:13 ERROR network: Virtual network misconfiguration",
        level: Level::Error,
        token: "ERROR",
        source: "network",
        message: "Virtual network misconfiguration",
        time: "2025-10-06T11:41:13",
    },
    Case {
        format: "log4j",
        info: "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster",
        signal: "2015-10-18 18:03:59,224 WARN [LeaseRenewer:msrabi@host:9000] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for 30 seconds",
        level: Level::Warning,
        token: "WARN",
        source: "org.apache.hadoop.hdfs.LeaseRenewer",
        message: "Failed to renew lease for 30 seconds",
        time: "2015-10-18 18:03:59,224",
    },
    Case {
        format: "logback",
        info: "2024-05-01 10:00:00.123 [main] INFO  o.e.Application - Started in 2.1 s",
        signal: "2024-05-01 10:00:01.500 [pool-1-thread-3] ERROR o.e.db.Pool - Connection is not available",
        level: Level::Error,
        token: "ERROR",
        source: "o.e.db.Pool",
        message: "Connection is not available",
        time: "2024-05-01 10:00:01.500",
    },
    Case {
        format: "log4j-dash",
        info: "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
        signal: "2015-07-29 19:04:29,071 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker leaving thread",
        level: Level::Warning,
        token: "WARN",
        source: "SendWorker:188978561024:QuorumCnxManager$SendWorker@688",
        message: "Send worker leaving thread",
        time: "2015-07-29 19:04:29,071",
    },
    Case {
        format: "python",
        info: "2024-05-01 10:00:00,123 - app.jobs - INFO - job 17 started",
        signal: "2024-05-01 10:00:02,456 - app.db - CRITICAL - database unreachable",
        level: Level::Error,
        token: "CRITICAL",
        source: "app.db",
        message: "database unreachable",
        time: "2024-05-01 10:00:02,456",
    },
    Case {
        format: "oslo",
        info: "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b - - -] 10.11.10.1 \"GET /v2/servers/detail HTTP/1.1\" status: 200",
        signal: "2017-05-16 00:00:05.100 2931 ERROR nova.compute.manager [req-3f4a - - - - -] [instance: b9000564] Instance failed to spawn",
        level: Level::Error,
        token: "ERROR",
        source: "nova.compute.manager",
        message: "[instance: b9000564] Instance failed to spawn",
        time: "2017-05-16 00:00:05.100",
    },
    Case {
        format: "windows-cbs",
        info: "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505",
        signal: "2016-09-28 04:30:31, Error                 CSI    Failed to get next element [HRESULT = 0x800f080d]",
        level: Level::Error,
        token: "Error",
        source: "CSI",
        message: "Failed to get next element [HRESULT = 0x800f080d]",
        time: "2016-09-28 04:30:31",
    },
    Case {
        format: "cri",
        info: "2024-05-01T10:00:00.123456789Z stdout F server listening on :8080",
        signal: "2024-05-01T10:00:01.000000001Z stderr F panic: runtime error: invalid memory address",
        level: Level::Error,
        token: "",
        source: "stderr",
        message: "panic: runtime error: invalid memory address",
        time: "2024-05-01T10:00:01.000000001Z",
    },
    Case {
        format: "spark",
        info: "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers",
        signal: "17/06/09 20:11:11 ERROR executor.Executor: Exception in task 0.0 in stage 1.0",
        level: Level::Error,
        token: "ERROR",
        source: "executor.Executor",
        message: "Exception in task 0.0 in stage 1.0",
        time: "17/06/09 20:11:11",
    },
    Case {
        format: "hdfs",
        info: "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
        signal: "081109 204106 329 WARN dfs.PendingReplicationBlocks$PendingReplicationMonitor: PendingReplicationMonitor timed out block blk_-4098350497078465335",
        level: Level::Warning,
        token: "WARN",
        source: "dfs.PendingReplicationBlocks$PendingReplicationMonitor",
        message: "PendingReplicationMonitor timed out block blk_-4098350497078465335",
        time: "081109 204106",
    },
    Case {
        format: "syslog-rfc5424",
        info: "<14>1 2024-05-01T10:00:00.003Z web01 nginx 1234 - - started",
        signal: "<11>1 2024-05-01T10:00:01.003Z web01 app 77 ID47 [exampleSDID@32473 iut=\"3\"] disk full on /var",
        level: Level::Error,
        token: "err",
        source: "app",
        message: "disk full on /var",
        time: "2024-05-01T10:00:01.003Z",
    },
    Case {
        format: "syslog-rfc3164",
        info: "Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown",
        signal: "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0",
        level: Level::Error,
        token: "",
        source: "sshd(pam_unix)",
        message: "authentication failure; logname= uid=0",
        time: "Jun 14 15:16:01",
    },
    Case {
        format: "apache-error",
        info: "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
        signal: "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        level: Level::Error,
        token: "error",
        source: "",
        message: "mod_jk child workerEnv in error state 6",
        time: "Sun Dec 04 04:47:44 2005",
    },
    Case {
        format: "nginx-error",
        info: "2024/05/01 10:00:00 [notice] 1#1: start worker processes",
        signal: "2024/05/01 10:00:03 [error] 31#31: *5 connect() failed (111: Connection refused) while connecting to upstream",
        level: Level::Error,
        token: "error",
        source: "31#31",
        message: "connect() failed (111: Connection refused) while connecting to upstream",
        time: "2024/05/01 10:00:03",
    },
    Case {
        format: "logcat",
        info: "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken",
        signal: "03-17 16:13:40.102  1702  1820 E ActivityManager: ANR in com.example.app",
        level: Level::Error,
        token: "E",
        source: "ActivityManager",
        message: "ANR in com.example.app",
        time: "03-17 16:13:40.102",
    },
    Case {
        format: "klog",
        info: "I1202 10:00:00.000000       1 controller.go:120] Starting controller",
        signal: "E1202 10:00:01.500000       1 reflector.go:138] failed to list *v1.Pod: connection refused",
        level: Level::Error,
        token: "E",
        source: "reflector.go:138",
        message: "failed to list *v1.Pod: connection refused",
        time: "1202 10:00:01.500000",
    },
    Case {
        format: "bgl",
        info: "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
        signal: "KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt",
        level: Level::Error,
        token: "FATAL",
        source: "KERNEL",
        message: "data TLB error interrupt",
        time: "2005-06-11-17.32.07.581048",
    },
    Case {
        format: "thunderbird",
        info: "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
        signal: "- 1131566480 2005.11.09 tbird-admin1 Nov 9 12:01:20 local@tbird-admin1 postfix/postdrop[10896]: warning: unable to look up public/pickup: No such file or directory",
        level: Level::Error,
        token: "",
        source: "postfix/postdrop",
        message: "warning: unable to look up public/pickup: No such file or directory",
        time: "1131566480",
    },
    Case {
        format: "hpc",
        info: "2561 node-148 action start 1077725307 1 clusterAddMember  (command 1902)",
        signal: "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component is in the unavailable state (HWID=1973)",
        level: Level::Warning,
        token: "",
        source: "unix.hw",
        message: "Component State Change: Component is in the unavailable state (HWID=1973)",
        time: "1077804742",
    },
    Case {
        format: "pipe",
        info: "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
        signal: "20171223-22:15:35:11|Step_StandStepCounter|30002312|flush sensor data failed",
        level: Level::Error,
        token: "",
        source: "Step_StandStepCounter",
        message: "flush sensor data failed",
        time: "20171223-22:15:35",
    },
    Case {
        format: "proxifier",
        info: "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
        signal: "[10.30 16:49:07] chrome.exe - proxy.cse.cuhk.edu.hk:5070 error : Could not connect through proxy",
        level: Level::Error,
        token: "",
        source: "chrome.exe",
        message: "proxy.cse.cuhk.edu.hk:5070 error : Could not connect through proxy",
        time: "10.30 16:49:07",
    },
    Case {
        format: "docker-json",
        info: r#"{"log":"listening on :8080\n","stream":"stdout","time":"2019-04-30T01:28:58.392Z"}"#,
        signal: r#"{"log":"Error: connection refused\n","stream":"stderr","time":"2019-04-30T01:28:59.392Z"}"#,
        level: Level::Error,
        token: "",
        source: "stderr",
        message: "Error: connection refused",
        time: "2019-04-30T01:28:59.392Z",
    },
    Case {
        format: "json",
        info: r#"{"time":"2024-05-01T10:00:00Z","level":"info","msg":"started","logger":"api"}"#,
        signal: r#"{"time":"2024-05-01T10:00:01Z","level":"warn","msg":"slow query","logger":"db","ctx":{"ms":1200}}"#,
        level: Level::Warning,
        token: "warn",
        source: "db",
        message: "slow query",
        time: "2024-05-01T10:00:01Z",
    },
    Case {
        format: "logfmt",
        info: "time=2024-05-01T10:00:00Z level=info msg=started component=api",
        signal: r#"time=2024-05-01T10:00:01Z level=error msg="upstream timed out" component=proxy"#,
        level: Level::Error,
        token: "error",
        source: "proxy",
        message: "upstream timed out",
        time: "2024-05-01T10:00:01Z",
    },
    Case {
        format: "iso-text",
        info: "2024-05-01 10:00:00 backup started",
        signal: "2024-05-01 10:00:09 backup failed: disk full",
        level: Level::Error,
        token: "",
        source: "",
        message: "backup failed: disk full",
        time: "2024-05-01 10:00:09",
    },
];

#[test]
fn every_format_is_detected_and_read() {
    let formats = Formats::default();
    for case in CASES {
        let head = format!("{}\n{}\n{}\n", case.info, case.signal, case.info);
        let found = formats
            .detect("app.log", head.as_bytes(), DATE)
            .unwrap_or_else(|| panic!("{}: not detected", case.format));
        assert_eq!(found.name, case.format, "detected as");
        assert_eq!(
            found.classify(case.info.as_bytes(), DATE),
            LineKind::Info,
            "{}: INFO line",
            case.format
        );
        let LineKind::Signal(s) = found.classify(case.signal.as_bytes(), DATE) else {
            panic!("{}: the signal line is no signal", case.format);
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        assert_eq!(
            (
                s.level,
                text(&s.level_token),
                s.inferred,
                text(&s.source),
                text(&s.message),
                s.timestamp.raw.as_str()
            ),
            (
                case.level,
                case.token.to_owned(),
                case.token.is_empty(),
                case.source.to_owned(),
                case.message.to_owned(),
                case.time
            ),
            "{}",
            case.format
        );
        let entry = found
            .entry(case.info.as_bytes(), DATE)
            .unwrap_or_else(|| panic!("{}: INFO entry", case.format));
        assert!(entry.timestamp.is_some(), "{}: INFO time", case.format);
        assert_eq!(entry.level, None, "{}", case.format);
    }
}

#[test]
fn times_are_read_to_the_same_instant_whatever_the_format() {
    let formats = Formats::default();
    let read = |format: &str, line: &str| -> LogTime {
        let f = formats.by_name(format).expect("format");
        f.entry(line.as_bytes(), DATE)
            .and_then(|e| e.timestamp)
            .unwrap_or_else(|| panic!("{format}: {line}"))
    };
    let want = LogTime::parse("2017-06-09T20:10:40").expect("iso").ms;
    assert_eq!(read("spark", "17/06/09 20:10:40 INFO a.B: x").ms, want);
    assert_eq!(read("hdfs", "170609 201040 1 INFO a.B: x").ms, want);
    assert_eq!(
        read("apache-error", "[Fri Jun 09 20:10:40 2017] [error] x").ms,
        want
    );
    assert_eq!(read("hpc", "1 n a s 1497039040 1 x").ms, want);
    let syslog = FileDate {
        year: 2017,
        month: 12,
    };
    let f = formats.by_name("syslog-rfc3164").expect("syslog");
    assert_eq!(
        f.entry(b"Jun  9 20:10:40 host app: x", syslog)
            .and_then(|e| e.timestamp)
            .map(|t| t.ms),
        Some(want)
    );
}

#[test]
fn an_inferred_level_is_marked_and_a_written_one_is_not() {
    let formats = Formats::default();
    let syslog = formats.by_name("syslog-rfc3164").expect("syslog");
    let e = syslog
        .entry(
            b"Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root",
            DATE,
        )
        .expect("entry");
    assert_eq!((e.level, e.inferred), (Some(Level::Error), true));
    let with_pri = syslog
        .entry(b"<12>Dec 10 06:55:46 LabSZ sshd[24200]: all good", DATE)
        .expect("entry");
    assert_eq!(
        (with_pri.level, with_pri.inferred),
        (Some(Level::Warning), false)
    );
}

#[test]
fn a_file_of_the_events_layout_stays_the_events_layout() {
    // One odd line among the event's own must not tip the file into another format.
    let formats = Formats::default();
    let head = "\
2025-10-06T11:41:12 INFO software: Log rotation completed
2025-10-06T11:41:13 HELLO x: not a level
2025-10-06T11:41:14 WARNING hardware: ata2: SError: { BadCRC }
2025-10-06T11:41:15 ERROR network: Virtual network misconfiguration
";
    let f = formats
        .detect("a.log", head.as_bytes(), DATE)
        .expect("detected");
    assert_eq!(f.name, "loglens");
}

#[test]
fn nothing_readable_is_no_format() {
    let formats = Formats::default();
    assert!(
        formats
            .detect("a.bin", b"\x00\x01\x02 garbage\nmore words here\n", DATE)
            .is_none()
    );
}
