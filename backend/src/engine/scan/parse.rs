//! Log lines: the organizer format `2025-10-06T11:41:12 ERROR network: message` and its
//! tolerated variants (a space for `T`, fractional seconds, a zone suffix, `WARN`/`ERR`/
//! `CRITICAL`/`FATAL`, CRLF, a BOM, trailing blanks), classified without allocating.
//!
//! Almost every line of a real case is INFO; [`classify`] decides that from the bytes of the
//! timestamp and the level token alone, so only the few WARNING/ERROR lines are decoded.

use std::borrow::Cow;

use loglens_shared::report::Level;

use super::format::level::level_of;
use super::format::{LevelField, Raw};

/// A WARNING or ERROR line, split into its parts (borrowed from the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal<'a> {
    pub timestamp: &'a [u8],
    pub level: Level,
    /// The level as the line writes it (`WARN`, `[error]`, `FATAL`).
    pub level_token: &'a [u8],
    pub source: &'a [u8],
    pub message: &'a [u8],
}

/// What one physical line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind<'a> {
    /// Empty or whitespace only.
    Blank,
    /// A well-formed line of a level that is not a signal (INFO, DEBUG, ...).
    Info,
    Signal(Signal<'a>),
    /// Does not look like a log line at all: counted and skipped.
    Unparsable,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Strips a BOM, a trailing CR/LF and trailing blanks.
/// How much of a file's beginning is looked at to tell a binary file from text (Git's and
/// GNU grep's rule: text never holds a NUL byte in its first 8,000 bytes).
pub const BINARY_SNIFF_BYTES: usize = 8000;

/// The file that begins with `head` is not text (an executable, an image, a core dump, a
/// database, or UTF-16, which LogLens does not read): it is skipped, and the report says so.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_SNIFF_BYTES)]).is_some()
}

pub fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_prefix(BOM).unwrap_or(line);
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &line[..end]
}

/// Classifies one physical line (with or without its line terminator).
pub fn classify(line: &[u8]) -> LineKind<'_> {
    let line = trim_line(line);
    if line.is_empty() {
        return LineKind::Blank;
    }
    let Some(ts_len) = timestamp_len(line) else {
        return LineKind::Unparsable;
    };
    let rest = &line[ts_len..];
    let after_ws = skip_blanks(rest);
    if after_ws.len() == rest.len() {
        return LineKind::Unparsable; // no blank between timestamp and level
    }
    let level_len = after_ws
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b':')
        .unwrap_or(after_ws.len());
    let level = match level_of(&after_ws[..level_len]) {
        Some(Some(level)) => level,
        Some(None) => return LineKind::Info,
        None => return LineKind::Unparsable,
    };
    let (source, message) = split_source(&after_ws[level_len..]);
    LineKind::Signal(Signal {
        timestamp: &line[..ts_len],
        level,
        level_token: &after_ws[..level_len],
        source,
        message,
    })
}

/// The fields of a line of this layout, whatever its level; `None` when it is none.
pub fn fields(line: &[u8]) -> Option<Raw<'_>> {
    let line = trim_line(line);
    let ts_len = timestamp_len(line)?;
    let rest = &line[ts_len..];
    let after_ws = skip_blanks(rest);
    if after_ws.len() == rest.len() {
        return None;
    }
    let level_len = after_ws
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b':')
        .unwrap_or(after_ws.len());
    let token = &after_ws[..level_len];
    level_of(token)?;
    let (source, message) = split_source(&after_ws[level_len..]);
    Some(Raw {
        timestamp: Cow::Borrowed(&line[..ts_len]),
        level: LevelField::Token(Cow::Borrowed(token)),
        source: Cow::Borrowed(source),
        message: Cow::Borrowed(message),
    })
}

/// What follows the level: `source: message`, or a message alone.
fn split_source(after_level: &[u8]) -> (&[u8], &[u8]) {
    let body = skip_blanks(after_level.strip_prefix(b":").unwrap_or(after_level));
    // Split on the first ": " after the source word: messages contain colons themselves.
    match memchr::memmem::find(body, b": ") {
        Some(p) if !body[..p].contains(&b' ') => (&body[..p], skip_blanks(&body[p + 2..])),
        _ => (&body[..0], body),
    }
}

fn skip_blanks(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    &s[n..]
}

/// Length of a leading `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]`, if the line starts with one.
fn timestamp_len(s: &[u8]) -> Option<usize> {
    const SHAPE: &[u8; 19] = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < SHAPE.len() {
        return None;
    }
    let shaped = s.iter().zip(SHAPE.iter()).all(|(&c, &want)| match want {
        b'd' => c.is_ascii_digit(),
        b'T' => c == b'T' || c == b' ',
        _ => c == want,
    });
    if !shaped {
        return None;
    }
    let mut n = SHAPE.len();
    if s.get(n) == Some(&b'.') || s.get(n) == Some(&b',') {
        let digits = s[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        n += 1 + digits;
    }
    match s.get(n) {
        Some(b'Z') => n += 1,
        Some(b'+' | b'-') if s.len() >= n + 6 && s[n + 3] == b':' => n += 6,
        _ => {}
    }
    Some(n)
}

/// Whether a line without a timestamp of its own continues the entry before it: an indented
/// line (Java's `\tat …`, a traceback's `  File …`, wrapped text), Java's `Caused by:` and
/// `Suppressed:`, a Python `Traceback (most recent call last):` header, or an exception line
/// (`java.lang.IllegalStateException: …`, `ValueError: …`).
pub fn is_continuation(line: &[u8]) -> bool {
    static EXCEPTION: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(
            r"^[A-Za-z_$][\w$]*(\.[\w$]+)*(Exception|Error|Throwable|Interrupt|Exit)(: .*|:)?$",
        )
        .expect("valid regex")
    });
    const HEADS: [&[u8]; 3] = [
        b"Caused by:",
        b"Suppressed:",
        b"Traceback (most recent call last):",
    ];
    matches!(line.first(), Some(b' ' | b'\t'))
        || HEADS.iter().any(|h| line.starts_with(h))
        || EXCEPTION.is_match(line)
}

/// Text of a log line's bytes: UTF-8, or CP1251 when it is not valid UTF-8.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(line: &str) -> Signal<'_> {
        match classify(line.as_bytes()) {
            LineKind::Signal(s) => s,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    fn text(b: &[u8]) -> &str {
        std::str::from_utf8(b).expect("utf-8")
    }

    #[test]
    fn levels_are_normalised_and_the_original_kept() {
        for (line, level, token) in [
            ("2025-10-06T10:00:00 WARN app: x", Level::Warning, "WARN"),
            (
                "2025-10-06T10:00:00 [error] app: x",
                Level::Error,
                "[error]",
            ),
            ("2025-10-06T10:00:00 FATAL app: x", Level::Error, "FATAL"),
            ("2025-10-06T10:00:00 SEVERE app: x", Level::Error, "SEVERE"),
            ("2025-10-06T10:00:00 ALERT kernel: x", Level::Error, "ALERT"),
            ("2025-10-06T10:00:00 emerg kernel: x", Level::Error, "emerg"),
        ] {
            let s = signal(line);
            assert_eq!((s.level, text(s.level_token)), (level, token), "{line}");
        }
        for line in [
            "2025-10-06T10:00:00 TRACE app: x",
            "2025-10-06T10:00:00 NOTICE app: x",
            "2025-10-06T10:00:00 FINE app: x",
        ] {
            assert_eq!(classify(line.as_bytes()), LineKind::Info, "{line}");
        }
    }

    #[test]
    fn continuation_lines_are_recognised() {
        for line in [
            "\tat com.example.Pool.take(Pool.java:42)",
            "  File \"worker.py\", line 3, in <module>",
            "Caused by: java.net.SocketTimeoutException: Read timed out",
            "Traceback (most recent call last):",
            "java.lang.IllegalStateException: pool exhausted",
            "ValueError: bad input",
            "KeyboardInterrupt",
            "org.example.FatalError:",
        ] {
            assert!(is_continuation(line.as_bytes()), "{line}");
        }
        for line in [
            "just words, no entry",
            "Error in the middle of prose",
            "2025-10-06T10:00:00 ERROR app: x",
            "",
        ] {
            assert!(!is_continuation(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn organizer_format() {
        let s = signal("2025-10-06T11:41:12 ERROR network: Virtual network misconfiguration");
        assert_eq!(text(s.timestamp), "2025-10-06T11:41:12");
        assert_eq!(s.level, Level::Error);
        assert_eq!(text(s.source), "network");
        assert_eq!(text(s.message), "Virtual network misconfiguration");
    }

    #[test]
    fn splits_on_the_first_colon_space_after_the_source() {
        let s = signal("2025-10-06T11:41:12 WARNING hardware: ata2: SError: { BadCRC }");
        assert_eq!(text(s.source), "hardware");
        assert_eq!(text(s.message), "ata2: SError: { BadCRC }");
    }

    #[test]
    fn tolerated_variants() {
        let s = signal("\u{feff}2025-10-06 11:41:12.123 WARN os: Disk slow  \r\n");
        assert_eq!(s.level, Level::Warning);
        assert_eq!(text(s.timestamp), "2025-10-06 11:41:12.123");
        assert_eq!(text(s.message), "Disk slow");
        assert_eq!(
            signal("2025-10-06T11:41:12Z ERR db: down").level,
            Level::Error
        );
        assert_eq!(
            signal("2025-10-06T11:41:12+03:00 CRITICAL db: down").level,
            Level::Error
        );
        assert_eq!(
            signal("2025-10-06T11:41:12 FATAL db: down").level,
            Level::Error
        );
        assert_eq!(
            signal("2025-10-06T11:41:12 [error] db: down").level,
            Level::Error
        );
        let no_source = signal("2025-10-06T11:41:12 ERROR Disk failure on /dev/sda");
        assert_eq!(text(no_source.source), "");
        assert_eq!(text(no_source.message), "Disk failure on /dev/sda");
    }

    #[test]
    fn info_blank_and_garbage() {
        assert_eq!(
            classify(b"2025-10-06T11:41:12 INFO software: Log rotation completed\n"),
            LineKind::Info
        );
        assert_eq!(classify(b"   \r\n"), LineKind::Blank);
        assert_eq!(classify(b""), LineKind::Blank);
        assert_eq!(
            classify(b"Traceback (most recent call last):"),
            LineKind::Unparsable
        );
        assert_eq!(
            classify(b"2025-10-06T11:41:12 HELLO x: y"),
            LineKind::Unparsable
        );
        assert_eq!(
            classify(b"2025-10-06T11:41:12ERROR x: y"),
            LineKind::Unparsable
        );
        assert_eq!(classify(b"2025-13"), LineKind::Unparsable);
    }

    #[test]
    fn cp1251_lines_decode() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Ошибка диска");
        assert_eq!(decode(&bytes), "Ошибка диска");
        assert_eq!(decode("ok ü".as_bytes()), "ok ü");
    }
}
