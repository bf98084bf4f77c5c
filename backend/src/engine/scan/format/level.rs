//! Levels: every spelling of the common logging libraries, syslog and Android, normalised to
//! INFO / WARNING / ERROR; and, for formats that write no level, a level inferred from the
//! message's words (marked as such: it never feeds the organizers' exact rule).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use loglens_shared::report::Level;

/// `Some(Some(level))` for a signal level, `Some(None)` for another known level (INFO,
/// DEBUG, ...), `None` if the token is not a level at all.
pub fn level_of(token: &[u8]) -> Option<Option<Level>> {
    // CRITICAL, FATAL, SEVERE, ALERT, EMERG and BGL's FAILURE are errors; TRACE, DEBUG, NOTICE
    // (and java.util.logging's FINE… CONFIG) are INFO. One letter: Android logcat and klog.
    const SIGNAL: [(&[u8], Level); 15] = [
        (b"WARNING", Level::Warning),
        (b"WARN", Level::Warning),
        (b"W", Level::Warning),
        (b"ERROR", Level::Error),
        (b"ERR", Level::Error),
        (b"E", Level::Error),
        (b"CRITICAL", Level::Error),
        (b"CRIT", Level::Error),
        (b"FATAL", Level::Error),
        (b"F", Level::Error),
        (b"SEVERE", Level::Error),
        (b"ALERT", Level::Error),
        (b"EMERG", Level::Error),
        (b"EMERGENCY", Level::Error),
        (b"PANIC", Level::Error),
    ];
    const MORE_SIGNAL: [(&[u8], Level); 2] = [(b"FAILURE", Level::Error), (b"A", Level::Error)];
    const OTHER: [&[u8]; 14] = [
        b"INFO",
        b"DEBUG",
        b"TRACE",
        b"NOTICE",
        b"VERBOSE",
        b"FINE",
        b"FINER",
        b"FINEST",
        b"CONFIG",
        b"INFORMATION",
        b"I",
        b"D",
        b"V",
        b"N",
    ];
    let token = token
        .strip_prefix(b"[")
        .and_then(|t| t.strip_suffix(b"]"))
        .unwrap_or(token);
    if OTHER.iter().any(|o| o.eq_ignore_ascii_case(token)) {
        return Some(None);
    }
    SIGNAL
        .iter()
        .chain(MORE_SIGNAL.iter())
        .find(|(name, _)| name.eq_ignore_ascii_case(token))
        .map(|(_, level)| Some(*level))
}

/// A syslog severity (`PRI % 8`) as a level and its name.
pub fn syslog_severity(severity: u8) -> (Option<Level>, &'static [u8]) {
    match severity {
        0 => (Some(Level::Error), b"emerg"),
        1 => (Some(Level::Error), b"alert"),
        2 => (Some(Level::Error), b"crit"),
        3 => (Some(Level::Error), b"err"),
        4 => (Some(Level::Warning), b"warning"),
        5 => (None, b"notice"),
        6 => (None, b"info"),
        _ => (None, b"debug"),
    }
}

/// Words that make a message without a level an error or a warning. Whole words only
/// ("errors" and "failed" count, "terror" does not); an error word wins over a warning word.
const ERROR_WORDS: [&str; 22] = [
    "error",
    "errors",
    "fail",
    "failed",
    "failure",
    "failures",
    "fatal",
    "exception",
    "panic",
    "critical",
    "crash",
    "crashed",
    "corrupt",
    "corrupted",
    "segfault",
    "abort",
    "aborted",
    "unable",
    "cannot",
    "refused",
    "denied",
    "killed",
];
const WARNING_WORDS: [&str; 14] = [
    "warn",
    "warning",
    "warnings",
    "timeout",
    "retry",
    "retrying",
    "deprecated",
    "invalid",
    "unreachable",
    "degraded",
    "unavailable",
    "lost",
    "exceeded",
    "slow",
];

static WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(ERROR_WORDS.iter().chain(WARNING_WORDS.iter()))
        .expect("static word list")
});

/// The level a message's words suggest, for formats that write none: ERROR or WARNING when
/// one of the words above stands as a whole word, else INFO (`None`).
pub fn infer(message: &[u8]) -> Option<Level> {
    let mut found = None;
    for m in WORDS.find_iter(message) {
        let before = m.start().checked_sub(1).map(|i| message[i]);
        let after = message.get(m.end()).copied();
        let boundary = |b: Option<u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_');
        if !(boundary(before) && boundary(after)) {
            continue;
        }
        if m.pattern().as_usize() < ERROR_WORDS.len() {
            return Some(Level::Error);
        }
        found = Some(Level::Warning);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_normalise() {
        assert_eq!(level_of(b"WARN"), Some(Some(Level::Warning)));
        assert_eq!(level_of(b"[error]"), Some(Some(Level::Error)));
        assert_eq!(level_of(b"Failure"), Some(Some(Level::Error)));
        assert_eq!(level_of(b"E"), Some(Some(Level::Error)));
        assert_eq!(level_of(b"D"), Some(None));
        assert_eq!(level_of(b"notice"), Some(None));
        assert_eq!(level_of(b"HELLO"), None);
        assert_eq!(syslog_severity(34 % 8).0, Some(Level::Error));
        assert_eq!(syslog_severity(4).0, Some(Level::Warning));
        assert_eq!(syslog_severity(6).0, None);
    }

    #[test]
    fn levels_are_inferred_from_whole_words() {
        assert_eq!(
            infer(b"authentication failure; logname="),
            Some(Level::Error)
        );
        assert_eq!(infer(b"Connection refused"), Some(Level::Error));
        assert_eq!(
            infer(b"Send worker timeout, retrying"),
            Some(Level::Warning)
        );
        assert_eq!(
            infer(b"warning: slow disk, then an ERROR"),
            Some(Level::Error)
        );
        assert_eq!(infer(b"session opened for user root"), None);
        assert_eq!(infer(b"terrorist errorless failover"), None);
    }
}
