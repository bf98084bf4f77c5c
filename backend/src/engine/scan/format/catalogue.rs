//! The built-in formats: widespread log layouts, each with its name, a sample line and the
//! way its timestamps read. Order matters only for ties in detection: the more specific
//! layout of two that read the same lines comes first (log4j's `[thread]` before the
//! organizers' layout, which would read those lines too).

use std::borrow::Cow;
use std::sync::LazyLock;

use super::structured::JsonFlavour;
use super::{Clock, Format, Layout};

/// ISO 8601 date and time, `T` or space, optional fraction (`.`/`,`) and zone.
const ISO: &str = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)?";

/// A syslog tag: `sshd`, `sshd(pam_unix)`, `com.apple.xpc.launchd`, with an optional `[pid]`,
/// then `:`; optional as a whole (some lines carry none).
const SYSLOG_TAG: &str = r"(?:(?P<source>[^\s:\[]+(?:\([^)]*\))?)(?:\[(?P<pid>\d+)\])?:\s?)?";

/// Ways a catalogue regex ends in its message.
const MESSAGE_TAILS: [&str; 3] = [
    "(?P<message>.*)",
    "(?: (?P<message>.*))?",
    r"(?:\s+(?P<message>.*))?",
];

fn pattern(name: &'static str, title: &'static str, regex: &str, clock: Clock) -> Format {
    let regex = regex
        .replace("{ISO}", ISO)
        .replace("{SYSLOG_TAG}", SYSLOG_TAG);
    // A trailing message group is dropped: the message is then the rest of the line.
    let (regex, message_is_rest) = match MESSAGE_TAILS.iter().find(|t| regex.ends_with(*t)) {
        Some(tail) => (regex[..regex.len() - tail.len()].to_owned(), true),
        None => (regex, false),
    };
    Format {
        name: Cow::Borrowed(name),
        title: Cow::Borrowed(title),
        // (?-u): bytes, not characters, so a CP1251 line matches like a UTF-8 one.
        layout: Layout::Pattern {
            re: regex::bytes::Regex::new(&format!("(?-u)^{regex}")).expect("catalogue regex"),
            message_is_rest,
        },
        clock,
        fallback: false,
    }
}

fn chrono(format: &str, year: bool) -> Clock {
    Clock::Pattern {
        format: format.to_owned(),
        year,
    }
}

/// Every built-in format, in detection order.
pub static CATALOGUE: LazyLock<Vec<Format>> = LazyLock::new(|| {
    let mut formats = vec![
        pattern(
            "log4j",
            "log4j / Hadoop: 2015-10-18 18:01:47,978 INFO [main] org.example.Cls: message",
            r"(?P<timestamp>{ISO})\s+(?P<level>[A-Za-z]+)\s+\[(?P<thread>[^\]]*)\]\s+(?P<source>[^\s:]+)\s*:\s?(?P<message>.*)",
            Clock::Iso,
        ),
        pattern(
            "logback",
            "logback: 2024-05-01 10:00:00.123 [main] WARN org.example.Cls - message",
            r"(?P<timestamp>{ISO})\s+\[(?P<thread>[^\]]*)\]\s+(?P<level>[A-Za-z]+)\s+(?P<source>\S+)\s+-\s?(?P<message>.*)",
            Clock::Iso,
        ),
        pattern(
            "log4j-dash",
            "log4j with dashes / ZooKeeper: 2015-07-29 17:41:44,747 - WARN  [thread:Cls@12] - message",
            r"(?P<timestamp>{ISO})\s+-\s+(?P<level>[A-Za-z]+)\s+\[(?P<source>.*?)\]\s+-\s?(?P<message>.*)",
            Clock::Iso,
        ),
        pattern(
            "python",
            "Python logging: 2024-05-01 10:00:00,123 - app.db - WARNING - message",
            r"(?P<timestamp>{ISO})\s+-\s+(?P<source>\S+)\s+-\s+(?P<level>[A-Za-z]+)\s+-\s?(?P<message>.*)",
            Clock::Iso,
        ),
        pattern(
            "oslo",
            "OpenStack (oslo.log): 2017-05-16 00:00:00.008 25746 INFO nova.api [req-…] message",
            r"(?:\S+\s+)?(?P<timestamp>{ISO})\s+(?P<pid>\d+)\s+(?P<level>[A-Za-z]+)\s+(?P<source>\S+)(?:\s+\[(?P<context>[^\]]*)\])?(?:\s+(?P<message>.*))?",
            Clock::Iso,
        ),
        pattern(
            "windows-cbs",
            "Windows CBS/CSI: 2016-09-28 04:30:30, Info   CBS    message",
            r"(?P<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),\s+(?P<level>[A-Za-z]+)\s+(?P<source>\S+)(?:\s+(?P<message>.*))?",
            Clock::Iso,
        ),
        pattern(
            "cri",
            "Kubernetes CRI container log: 2024-05-01T10:00:00.123456789Z stderr F message",
            r"(?P<timestamp>\d{4}-\d{2}-\d{2}T\S+) (?P<source>stdout|stderr) [FP](?: (?P<message>.*))?",
            Clock::Iso,
        ),
        pattern(
            "spark",
            "Hadoop/Spark: 17/06/09 20:10:40 INFO executor.Backend: message",
            r"(?P<timestamp>\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\s+(?P<level>[A-Za-z]+)\s+(?P<source>[^\s:]+):\s?(?P<message>.*)",
            chrono("%y/%m/%d %H:%M:%S", true),
        ),
        pattern(
            "hdfs",
            "HDFS: 081109 203615 148 INFO dfs.DataNode: message",
            r"(?P<timestamp>\d{6} \d{6})\s+(?P<pid>\d+)\s+(?P<level>[A-Za-z]+)\s+(?P<source>[^\s:]+):\s?(?P<message>.*)",
            chrono("%y%m%d %H%M%S", true),
        ),
        pattern(
            "syslog-rfc5424",
            "Syslog (RFC 5424): <34>1 2024-05-01T10:00:00.003Z host app 1234 ID47 - message",
            r"<(?P<pri>\d{1,3})>1 (?P<timestamp>\S+) (?P<host>\S+) (?P<source>\S+) (?P<procid>\S+) (?P<msgid>\S+) (?:-|(?:\[[^\]]*\])+)(?: (?P<message>.*))?",
            Clock::Iso,
        ),
        pattern(
            "syslog-rfc3164",
            "Syslog (RFC 3164): Jun 14 15:16:01 host sshd[1234]: message",
            r"(?:<(?P<pri>\d{1,3})>)?(?P<timestamp>[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) {SYSLOG_TAG}(?P<message>.*)",
            chrono("%b %e %H:%M:%S", false),
        ),
        pattern(
            "apache-error",
            "Apache error log: [Sun Dec 04 04:47:44 2005] [error] message",
            r"\[(?P<timestamp>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] \[(?:(?P<source>[^:\]\s]+):)?(?P<level>[a-z]+\d?)\](?: \[pid [^\]]*\])?(?: \[client [^\]]*\])?(?: (?P<message>.*))?",
            chrono("%a %b %e %H:%M:%S%.f %Y", true),
        ),
        pattern(
            "nginx-error",
            "nginx error log: 2024/05/01 10:00:00 [error] 1234#0: *5 message",
            r"(?P<timestamp>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>[a-z]+)\] (?P<source>\d+#\d+): (?:\*\d+ )?(?P<message>.*)",
            chrono("%Y/%m/%d %H:%M:%S", true),
        ),
        pattern(
            "logcat",
            "Android logcat (threadtime): 03-17 16:13:38.811  1702  2395 D WindowManager: message",
            r"(?P<timestamp>\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s+(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?P<level>[VDIWEFA])\s+(?P<source>[^:]*?)\s*:(?: (?P<message>.*))?",
            chrono("%m-%d %H:%M:%S%.3f", false),
        ),
        pattern(
            "klog",
            "Kubernetes klog: E1202 10:00:00.000000 1 file.go:12] message",
            r"(?P<level>[IWEF])(?P<timestamp>\d{4} \d{2}:\d{2}:\d{2}\.\d{6})\s+(?P<pid>\d+) (?P<source>[^\]\s]+)\] ?(?P<message>.*)",
            chrono("%m%d %H:%M:%S%.6f", false),
        ),
        pattern(
            "bgl",
            "Blue Gene/L RAS: - 1117838570 2005.06.03 R02-M1 2005-06-03-15.42.50.675872 R02-M1 RAS KERNEL INFO message",
            r"(?P<label>\S+) (?P<epoch>\d+) \d{4}\.\d{2}\.\d{2} (?P<node>\S+) (?P<timestamp>\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.\d+) (?P<node2>\S+) (?P<kind>\S+) (?P<source>\S+) (?P<level>[A-Z]+)(?: (?P<message>.*))?",
            chrono("%Y-%m-%d-%H.%M.%S%.f", true),
        ),
        pattern(
            "thunderbird",
            "Thunderbird RAS: - 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2915]: message",
            r"(?P<label>\S+) (?P<timestamp>\d{9,10}) \d{4}\.\d{2}\.\d{2} (?P<host>\S+) [A-Z][a-z]{2}\s+\d{1,2} \d{2}:\d{2}:\d{2} (?P<location>\S+) {SYSLOG_TAG}(?P<message>.*)",
            Clock::Epoch,
        ),
        pattern(
            "hpc",
            "HPC cluster events: 134681 node-246 unix.hw state_change.unavailable 1077804742 1 message",
            r"(?P<id>\d+) (?P<node>\S+) (?P<source>\S+) (?P<state>\S+) (?P<timestamp>\d{9,10}) (?P<flag>\d+) (?P<message>.*)",
            Clock::Epoch,
        ),
        pattern(
            "pipe",
            "Pipe-separated (HealthApp): 20171223-22:15:29:606|Step_LSC|30002312|message",
            // Milliseconds are written without padding (`:11`): read to the second.
            r"(?P<timestamp>\d{8}-\d{1,2}:\d{1,2}:\d{1,2}):\d{1,3}\|(?P<source>[^|]*)\|(?P<pid>\d+)\|(?P<message>.*)",
            chrono("%Y%m%d-%H:%M:%S", true),
        ),
        pattern(
            "proxifier",
            "Proxifier: [10.30 16:49:06] chrome.exe - message",
            r"\[(?P<timestamp>\d{2}\.\d{2} \d{2}:\d{2}:\d{2})\] (?P<source>.+?) - (?P<message>.*)",
            chrono("%m.%d %H:%M:%S", false),
        ),
    ];
    formats.extend([
        Format {
            name: Cow::Borrowed("docker-json"),
            title: Cow::Borrowed(
                r#"Docker json-file: {"log":"message\n","stream":"stderr","time":"2024-05-01T10:00:00Z"}"#,
            ),
            layout: Layout::Json(JsonFlavour::Docker),
            clock: Clock::Iso,
            fallback: false,
        },
        Format {
            name: Cow::Borrowed("json"),
            title: Cow::Borrowed(
                r#"JSON lines: {"time":"2024-05-01T10:00:00Z","level":"error","msg":"message"}"#,
            ),
            layout: Layout::Json(JsonFlavour::Lines),
            clock: Clock::IsoOrEpoch,
            fallback: false,
        },
        Format {
            name: Cow::Borrowed("logfmt"),
            title: Cow::Borrowed(r#"logfmt: time=2024-05-01T10:00:00Z level=error msg="message""#),
            layout: Layout::Logfmt,
            clock: Clock::IsoOrEpoch,
            fallback: false,
        },
        Format {
            name: Cow::Borrowed("loglens"),
            title: Cow::Borrowed(
                "ISO timestamp, level, source: message (the event's layout): 2025-10-06T11:41:12 ERROR network: message",
            ),
            layout: Layout::Organizer,
            clock: Clock::Iso,
            fallback: false,
        },
    ]);
    let mut iso_text = pattern(
        "iso-text",
        "ISO timestamp and text, no level: 2024-05-01 10:00:00 message",
        r"(?P<timestamp>{ISO})\s+(?P<message>.*)",
        Clock::Iso,
    );
    // Reads any line with a leading ISO time: chosen only when nothing with a level does.
    iso_text.fallback = true;
    formats.push(iso_text);
    formats
});
