//! Log formats: the catalogue of layouts LogLens reads (and the user's own), each named;
//! which one a file is written in, told from its first lines; and the fields of one line.
//!
//! A format cuts a line into its fields ([`Raw`]); [`Format::classify`] turns that into what
//! the scanner needs (blank, INFO entry, WARNING/ERROR signal with its time, unreadable)
//! deciding an INFO line without reading its time, and [`Format::entry`] into every field for
//! `loglens parse`. The organizers' layout keeps its allocation-free classifier.

pub mod catalogue;
pub mod clock;
pub mod level;
pub mod structured;
pub mod user;

use std::borrow::Cow;

use loglens_shared::report::{Level, LogTime};

use crate::engine::scan::parse::{self, trim_line};
pub use clock::{Clock, FileDate};

/// Bytes of a file's beginning its format is told from.
pub const DETECT_BYTES: usize = 64 * 1024;
/// Non-blank lines of that beginning looked at, at most.
pub const DETECT_LINES: usize = 200;
/// Of which the first this many are read by every format, the rest by the likely ones only.
const DETECT_FIRST_LINES: usize = 16;

/// How a format's lines are cut into fields.
#[derive(Debug, Clone)]
pub enum Layout {
    /// The organizers' `2025-10-06T11:41:12 ERROR source: message` (and its tolerated
    /// variants), read by [`parse::classify`] without allocating.
    Organizer,
    /// A regex with named groups: `timestamp` and `message`, and optionally `level`, `pri`
    /// (a syslog priority), `source`. With `message_is_rest`, the regex stops before the
    /// message and the message is the rest of the line: the regex engine then only walks the
    /// line's head (capturing a trailing `.*` cost more than the rest of the scan together).
    Pattern {
        re: regex::bytes::Regex,
        message_is_rest: bool,
    },
    /// One JSON object per line.
    Json(structured::JsonFlavour),
    /// `key=value` pairs (logfmt).
    Logfmt,
}

/// A named format.
#[derive(Debug, Clone)]
pub struct Format {
    /// Short name, as reports and `--format` spell it (`syslog-rfc3164`).
    pub name: Cow<'static, str>,
    /// What it is, for people (`Syslog (RFC 3164): Jun 14 15:16:01 host app[1]: …`).
    pub title: Cow<'static, str>,
    pub layout: Layout,
    pub clock: Clock,
    /// Reads lines other formats read better (any line with a leading time): detected only
    /// when no other format reads half of the file's first lines.
    pub fallback: bool,
}

/// The level field of a line, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelField<'a> {
    /// A level word (`WARN`, `[error]`, `E`).
    Token(Cow<'a, [u8]>),
    /// A syslog severity (`PRI % 8`).
    Severity(u8),
    /// The format writes none.
    Absent,
}

/// A line cut into its fields, not yet interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw<'a> {
    pub timestamp: Cow<'a, [u8]>,
    pub level: LevelField<'a>,
    pub source: Cow<'a, [u8]>,
    pub message: Cow<'a, [u8]>,
}

/// A WARNING or ERROR entry, its time read.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal<'a> {
    pub timestamp: LogTime,
    pub level: Level,
    /// The level as written (`WARN`, `[error]`, `E`, a syslog severity's name); empty when
    /// the level was inferred.
    pub level_token: Cow<'a, [u8]>,
    /// The format writes no level: this one was inferred from the message's words.
    pub inferred: bool,
    pub source: Cow<'a, [u8]>,
    pub message: Cow<'a, [u8]>,
}

/// What one physical line is.
#[derive(Debug, Clone, PartialEq)]
pub enum LineKind<'a> {
    /// Empty or whitespace only.
    Blank,
    /// An entry of a level that is not a signal (INFO, DEBUG, ...).
    Info,
    Signal(Signal<'a>),
    /// Not a line of this format: a continuation of the entry before, or unreadable.
    Unparsable,
}

/// Every field of one entry (for `loglens parse`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    /// `None` when the text in the timestamp's place is no valid time.
    pub timestamp: Option<LogTime>,
    pub timestamp_raw: Cow<'a, [u8]>,
    /// `None`: INFO (or below).
    pub level: Option<Level>,
    /// As written; empty when absent.
    pub level_raw: Cow<'a, [u8]>,
    pub inferred: bool,
    pub source: Cow<'a, [u8]>,
    pub message: Cow<'a, [u8]>,
}

impl Format {
    /// Cuts a (trimmed) line into its fields; `None` when it is not a line of this format.
    pub fn raw<'a>(&self, line: &'a [u8]) -> Option<Raw<'a>> {
        match &self.layout {
            Layout::Organizer => parse::fields(line),
            Layout::Pattern {
                re,
                message_is_rest,
            } => {
                let caps = re.captures(line)?;
                let group = |name: &str| caps.name(name).map(|m| Cow::Borrowed(m.as_bytes()));
                let level = match (caps.name("level"), caps.name("pri")) {
                    (Some(l), _) if !l.as_bytes().is_empty() => {
                        LevelField::Token(Cow::Borrowed(l.as_bytes()))
                    }
                    (_, Some(p)) => {
                        let pri: u16 = std::str::from_utf8(p.as_bytes()).ok()?.parse().ok()?;
                        LevelField::Severity((pri % 8) as u8)
                    }
                    _ => LevelField::Absent,
                };
                let message = if *message_is_rest {
                    let end = caps.get(0).map_or(line.len(), |m| m.end());
                    let rest = &line[end..];
                    let start = rest
                        .iter()
                        .position(|b| !b.is_ascii_whitespace())
                        .unwrap_or(rest.len());
                    Cow::Borrowed(&rest[start..])
                } else {
                    group("message").unwrap_or_default()
                };
                Some(Raw {
                    timestamp: group("timestamp")?,
                    level,
                    source: group("source").unwrap_or_default(),
                    message,
                })
            }
            Layout::Json(flavour) => structured::json_fields(line, *flavour),
            Layout::Logfmt => structured::logfmt_fields(line),
        }
    }

    /// What one physical line (with or without its terminator) is.
    pub fn classify<'a>(&self, line: &'a [u8], date: FileDate) -> LineKind<'a> {
        if let Layout::Organizer = self.layout {
            return match parse::classify(line) {
                parse::LineKind::Blank => LineKind::Blank,
                parse::LineKind::Info => LineKind::Info,
                parse::LineKind::Unparsable => LineKind::Unparsable,
                parse::LineKind::Signal(s) => {
                    // The shape was a timestamp's; one that is no date (month 13) is no line.
                    match LogTime::parse(&String::from_utf8_lossy(s.timestamp)) {
                        Some(timestamp) => LineKind::Signal(Signal {
                            timestamp,
                            level: s.level,
                            level_token: Cow::Borrowed(s.level_token),
                            inferred: false,
                            source: Cow::Borrowed(s.source),
                            message: Cow::Borrowed(s.message),
                        }),
                        None => LineKind::Unparsable,
                    }
                }
            };
        }
        let line = trim_line(line);
        if line.is_empty() {
            return LineKind::Blank;
        }
        let Some(raw) = self.raw(line) else {
            return LineKind::Unparsable;
        };
        let (level, token, inferred) = resolve(&raw.level, &raw.message);
        let Some(level) = level else {
            return LineKind::Info;
        };
        match self
            .clock
            .read(&String::from_utf8_lossy(&raw.timestamp), date)
        {
            Some(timestamp) => LineKind::Signal(Signal {
                timestamp,
                level,
                level_token: token,
                inferred,
                source: raw.source,
                message: raw.message,
            }),
            None => LineKind::Unparsable,
        }
    }

    /// Every field of a (trimmed) line; `None` when it is not a line of this format.
    pub fn entry<'a>(&self, line: &'a [u8], date: FileDate) -> Option<Entry<'a>> {
        let raw = self.raw(line)?;
        let (level, level_raw, inferred) = resolve(&raw.level, &raw.message);
        Some(Entry {
            timestamp: self
                .clock
                .read(&String::from_utf8_lossy(&raw.timestamp), date),
            timestamp_raw: raw.timestamp,
            level,
            level_raw,
            inferred,
            source: raw.source,
            message: raw.message,
        })
    }

    /// Whether a (trimmed, non-blank) line is an entry of this format with a valid time.
    fn reads(&self, line: &[u8], date: FileDate) -> bool {
        self.raw(line).is_some_and(|raw| {
            self.clock
                .read(&String::from_utf8_lossy(&raw.timestamp), date)
                .is_some()
        })
    }
}

/// The level of a line: as written, from a syslog severity, or inferred from the message
/// (an unknown level word counts as none written). Returns (level, token as written,
/// inferred).
fn resolve<'a>(field: &LevelField<'a>, message: &[u8]) -> (Option<Level>, Cow<'a, [u8]>, bool) {
    match field {
        LevelField::Token(token) => match level::level_of(token) {
            Some(level) => (level, token.clone(), false),
            None => (level::infer(message), Cow::Borrowed(&[]), true),
        },
        LevelField::Severity(s) => {
            let (level, name) = level::syslog_severity(*s);
            (level, Cow::Borrowed(name), false)
        }
        LevelField::Absent => (level::infer(message), Cow::Borrowed(&[]), true),
    }
}

/// The formats a file may be written in: the user's own first, then the catalogue.
#[derive(Debug, Clone)]
pub struct Formats {
    user: Vec<user::UserFormat>,
}

impl Default for Formats {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Formats {
    pub fn new(user: Vec<user::UserFormat>) -> Self {
        Self { user }
    }

    /// Every format by name (the user's, then the catalogue's).
    pub fn all(&self) -> impl Iterator<Item = &Format> {
        self.user
            .iter()
            .map(|u| &u.format)
            .chain(catalogue::CATALOGUE.iter())
    }

    pub fn by_name(&self, name: &str) -> Option<&Format> {
        self.all().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The format of the file at `path` whose beginning is `head`: a user format bound to
    /// the path by its glob, else the format that reads the most of the first lines (ties:
    /// the user's, then the catalogue's order, most specific first). `None` when no format
    /// reads a single line.
    pub fn detect(&self, path: &str, head: &[u8], date: FileDate) -> Option<&Format> {
        if let Some(u) = self.user.iter().find(|u| u.binds(path)) {
            return Some(&u.format);
        }
        let lines: Vec<&[u8]> = head
            .split(|b| *b == b'\n')
            .map(trim_line)
            .filter(|l| !l.is_empty())
            .take(DETECT_LINES)
            .collect();
        // Every format on the first few lines; only those reading at least half as many as
        // the best of them on the rest (a file costs a few formats, not the whole catalogue).
        let first = &lines[..lines.len().min(DETECT_FIRST_LINES)];
        let scores: Vec<(&Format, usize)> = self
            .all()
            .map(|f| (f, first.iter().filter(|l| f.reads(l, date)).count()))
            .collect();
        let top = scores.iter().map(|(_, s)| *s).max().unwrap_or(0);
        let candidates: Vec<&Format> = scores
            .into_iter()
            // When none reads a first line (a banner, a header), every format stays in.
            .filter(|(_, s)| top == 0 || (*s > 0 && *s * 2 >= top))
            .map(|(f, _)| f)
            .collect();
        let best = |fallback: bool| {
            let mut best: Option<(&Format, usize)> = None;
            for format in candidates
                .iter()
                .copied()
                .filter(|f| fallback || !f.fallback)
            {
                let score = lines.iter().filter(|l| format.reads(l, date)).count();
                if score > 0 && best.is_none_or(|(_, b)| score > b) {
                    best = Some((format, score));
                }
            }
            best
        };
        match best(false) {
            Some((format, score)) if score * 2 >= lines.len() => Some(format),
            _ => best(true).map(|(f, _)| f),
        }
    }
}

#[cfg(test)]
mod tests;
