//! Two things similarity cannot see, checked on the raw texts before a line becomes evidence:
//!
//! - **Another instance**: "eth1: link down" reads almost like the KB's "eth0: link down" (and
//!   normalises to nearly the same words), but it is another interface. When a line and a KB
//!   text both name an instance of one kind (interface, disk, node, port, CPU, PSU, fan) and
//!   they share none, the line is not that KB text.
//! - **The opposite condition**: "link is up", "temperature back to normal", "backup completed
//!   successfully" embed close to the failures they resolve. A line that states a recovery or a
//!   success and names no fault is not evidence of an anomaly (every KB text is a fault).
//!
//! - **No fault at all**: "garbage collection finished in 12 ms", "connection pool size set to
//!   50" are WARNINGs by level only; they share words with KB anomalies but name nothing wrong.
//!   A WARNING that names no fault (in its words or, after the glossary, the KB's) is not
//!   evidence of an anomaly. (ERRORs are faults by their level and are not checked.)
//!
//! - **The opposite direction**: "fan speed is under the minimum" embeds closer to the KB's
//!   "Fan speed above 5000 RPM" than to its "Fan speed below threshold" (the light model barely
//!   weighs above/below). A KB text that says a quantity is high is not a candidate for a line
//!   that says it is low, nor the reverse ([`Direction`]).
//!
//! All are lists of words, Russian and English; they only ever remove a link.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

/// Instance kinds and how to find them; the value is what follows the kind's prefix.
static INSTANCES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("interface", r"\b(?:eth|ens|enp|eno|bond|wlan|ib)(\d\w*)\b"),
        (
            "disk",
            r"\b(sd[a-z]{1,2}\d*|vd[a-z]\d*|xvd[a-z]\d*|nvme\d+n\d+(?:p\d+)?)\b",
        ),
        ("node", r"\bnode[-_ ]?(\d+)\b"),
        ("port", r"\b(?:port|порт)\w* (\d+(?:/\d+)+)\b"),
        ("cpu", r"\b(?:cpu|цп) ?(\d+)\b"),
        ("psu", r"\b(?:psu|бп) ?(\d+)\b"),
        ("fan", r"\b(?:fan|вентилятор\w*) (\d+)\b"),
    ]
    .into_iter()
    .map(|(kind, rx)| (kind, Regex::new(rx).expect("valid regex")))
    .collect()
});

fn instances(text: &str) -> BTreeMap<&'static str, BTreeSet<String>> {
    let lower = text.to_lowercase();
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for (kind, rx) in INSTANCES.iter() {
        for c in rx.captures_iter(&lower) {
            out.entry(kind).or_default().insert(c[1].to_owned());
        }
    }
    out
}

/// `line` names an instance of a kind the KB text names too, and none of the KB text's ones.
pub fn other_instance(line: &str, kb_text: &str) -> bool {
    let kb = instances(kb_text);
    if kb.is_empty() {
        return false;
    }
    instances(line)
        .iter()
        .any(|(kind, mine)| kb.get(kind).is_some_and(|theirs| mine.is_disjoint(theirs)))
}

/// Words of recovery and success.
static RESOLVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:recovered|restored|back to normal|normal|optimal|completed|succeeded|",
        r"successfully|passed|healthy|back online|reachable again|is up|link up|established|",
        r"caught up|renewed|resolved|cleared|",
        r"восстановлен\w*|в норме|вернул\w* в норму|снова доступ\w*|успешно|пройден\w*|",
        r"поднят\w*|установлен\w*|догнал\w*|снова в сети|продл[её]н\w*|работает и принимает)\b"
    ))
    .expect("valid regex")
});

/// Words of a fault: with one of them a line is not a plain recovery ("restored, but degraded").
static FAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:down|fail\w*|lost|loss|degraded|error\w*|critical|unreachable|timeout|",
        r"timed out|refused|denied|high|threshold|above|exceed\w*|missing|corrupt\w*|not|",
        r"unable|cannot|dropped|",
        r"упал\w*|сбо[йяеию]\w*|ошибк\w*|потер\w+|недоступ\w*|превыш\w*|превыс\w*|порог\w*|",
        r"не|нет|отказ\w*|деградир\w*|критич\w*|высок\w*)\b"
    ))
    .expect("valid regex")
});

/// `line` reports a recovery or a success and no fault.
pub fn states_recovery(line: &str) -> bool {
    RESOLVED.is_match(line) && !FAULT.is_match(line)
}

/// Words that name something wrong: the fault words above and the symptoms KB anomalies use
/// (in English, as the glossary leaves them, and in Russian).
static SYMPTOM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:down|fail\w*|lost|loss|degrad\w*|error\w*|critical|unreachable|timeout|",
        r"refused|denied|high|threshold|above|exceed\w*|missing|corrupt\w*|not|no|unable|cannot|",
        r"drop\w*|under|below|minimum|maximum|max|min|reset|retr\w*|slow\w*|lag\w*|behind|",
        r"spike\w*|full|exhaust\w*|leak\w*|crash\w*|hung|hang\w*|freez\w*|frozen|stuck|",
        r"overheat\w*|heat|hot|throttl\w*|warning|alert|unavailable|unresponsive|limit\w*|",
        r"invalid|mismatch|conflict\w*|reject\w*|expired|attack\w*|deadlock\w*|lock\w*|",
        r"blocked|overflow|insufficient|low|retransmi\w*|congest\w*|latency|delay\w*|unstable|",
        r"instability|offline|disconnect\w*|abort\w*|terminat\w*|kill\w*|panic|fault\w*|",
        r"violation|unexpected\w*|damage\w*|wear|noise|clicking|bad\w*|abnormal\w*|problem|",
        r"issue|outage|saturat\w*|overload\w*|reduced|stopped|shutdown|interrupt\w*|",
        r"incomplete|partial|rollback|unhandled|exception|segfault|bsod|miss\w*|empty|",
        r"duplicate|unknown|inconsisten\w*|incompatib\w*|misconfig\w*|wrong|incorrect|broken|",
        r"ecc|smart|recover\w*|replaced|lack\w*|short|overcurrent|voltage|temperature|",
        r"read only|ran out|out of|quota|reached|disruption|inaccessible|intermittent\w*|",
        r"downtime|thermal|",
        r"не|нет|ошибк\w*|сбо[йяеию]|сбоев|снижен\w*|разорван\w*|отста\w*|законч\w*|",
        r"лимит\w*|паник\w*|нарушен\w*|щелч\w*|попыт\w*)\b"
    ))
    .expect("valid regex")
});

/// Which way a text says a quantity went, if it says one way only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    High,
    Low,
    /// Neither, or both ("dropped from 90% to 10% above the baseline").
    None,
}

static HIGH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:above|over (?:the )?(?:threshold|limit|maximum|max|num|\d)|high|higher|",
        r"exceed\w*|increas\w*|rose|rising|maximum|spike\w*|",
        r"выше|превыш\w*|высок\w*|вырос\w*|повыш\w*)\b"
    ))
    .expect("valid regex")
});

static LOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:below|under (?:the )?(?:threshold|limit|minimum|min|num|\d)|low|lower|",
        r"decreas\w*|fell|falling|minimum|",
        r"ниже|низк\w*|пониж\w*|сниж\w*|снизил\w*|упал\w* до)\b"
    ))
    .expect("valid regex")
});

impl Direction {
    /// The direction `text` states.
    pub fn of(text: &str) -> Direction {
        match (HIGH.is_match(text), LOW.is_match(text)) {
            (true, false) => Direction::High,
            (false, true) => Direction::Low,
            _ => Direction::None,
        }
    }

    /// Both say a way, and not the same one.
    pub fn opposes(self, other: Direction) -> bool {
        matches!(
            (self, other),
            (Direction::High, Direction::Low) | (Direction::Low, Direction::High)
        )
    }
}

/// `line` (or its glossary rewrite `glossed`) names something wrong.
pub fn names_a_fault(line: &str, glossed: &str) -> bool {
    SYMPTOM.is_match(line) || SYMPTOM.is_match(glossed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_interface_disk_node_or_port_is_another_instance() {
        assert!(other_instance("eth1: link down", "eth0: link down"));
        assert!(other_instance(
            "SMART self-test failed on sdb",
            "SMART error on sda"
        ));
        assert!(other_instance(
            "cluster node node-5 is offline",
            "node 3 offline"
        ));
        assert!(other_instance(
            "тревога: порт 1/0/2 упал",
            "Switch port 1/0/1 down"
        ));
        assert!(!other_instance("eth0 link down again", "eth0: link down"));
        // Only kinds both sides name count: a KB text naming no instance vetoes nothing.
        assert!(!other_instance("eth1: link down", "Network link down"));
        assert!(!other_instance("link down", "eth0: link down"));
        // "HDD" is a word, not a disk name.
        assert!(!other_instance(
            "SMART сообщает об ошибке диска sda",
            "HDD SMART error"
        ));
    }

    #[test]
    fn above_and_below_are_opposite_directions() {
        let d = Direction::of;
        assert_eq!(
            d("fan rotation speed is under the minimum (900 RPM)"),
            Direction::Low
        );
        assert_eq!(d("Fan speed above 5000 RPM"), Direction::High);
        assert!(d("fan speed is under the minimum").opposes(d("Fan speed above 5000 RPM")));
        assert!(d("температура выше порога").opposes(d("температура ниже нормы")));
        assert!(!d("Fan speed below threshold").opposes(d("fan rotation speed is low")));
        // No direction, or both: nothing is opposed.
        assert_eq!(d("server under heavy load"), Direction::None);
        assert_eq!(d("disk failure"), Direction::None);
        assert_eq!(d("latency high, throughput low"), Direction::None);
        assert!(!Direction::None.opposes(Direction::High));
    }

    #[test]
    fn a_neutral_warning_names_no_fault() {
        for line in [
            "garbage collection finished in 12 ms",
            "connection pool size set to 50",
            "сборка мусора завершена за 12 мс",
        ] {
            assert!(!names_a_fault(line, line), "{line}");
        }
        assert!(names_a_fault("fan rotation speed is under the minimum", ""));
        assert!(names_a_fault("VPN-соединение разорвано", ""));
        assert!(names_a_fault("", "database unreachable"));
    }

    #[test]
    fn a_recovery_is_not_a_fault_in_either_language() {
        for line in [
            "NIC link is up at 1000 Mbps full duplex",
            "CPU0 temperature back to normal (54C)",
            "nightly backup completed successfully",
            "температура CPU0 вернулась в норму (54C)",
            "узел кластера node-5 снова в сети",
            "тест батареи ИБП пройден, автономия 38 мин",
        ] {
            assert!(states_recovery(line), "{line}");
        }
        for line in [
            "eth0: link down",
            "SSD wear leveling passed its threshold",
            "power restored but UPS battery degraded",
            "восстановление не удалось",
            "replication lag above threshold",
        ] {
            assert!(!states_recovery(line), "{line}");
        }
    }
}
