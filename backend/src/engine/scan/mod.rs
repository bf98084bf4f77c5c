//! Streams one log file line by line, counting lines and keeping only what matters: the
//! WARNING/ERROR lines with their ±N neighbours.
//!
//! Memory is bounded by configuration, not by the input. Signal lines are grouped by message
//! (its exact text when it is a knowledge-base entry, its normalised text otherwise); a group
//! keeps its count and a few whole occurrences (the first ones, the earliest and the latest in
//! time), each with its context. ERROR lines that are a knowledge-base problem are all kept,
//! because the organizers' rule reports each of them. Everything kept draws on a
//! [`RetainBudget`] shared by the whole analysis: once it is spent, new messages are only
//! counted and further ERROR lines of known problems too — the report says so.

pub mod format;
pub mod parse;
pub mod time_counts;

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use loglens_shared::report::{ContextLine, Level, LogTime};

use crate::engine::input::kb::KnowledgeBase;
use crate::engine::normalize::normalize;
use crate::engine::scan::format::{DETECT_BYTES, FileDate, Format, Formats, LineKind};
use crate::engine::scan::parse::{decode, is_continuation, trim_line};

/// Lines of context kept before and after each WARNING/ERROR line.
pub const CONTEXT_LINES: usize = 5;

/// The first unreadable line of a file is quoted up to this many characters.
pub const QUOTE_CHARS: usize = 200;

/// A physical line longer than this is counted as unparsable and not buffered further.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Lines after the beginning of a file that may still tell its format (see `Scanner`).
const LATE_DETECTION_LINES: usize = 1_000;

/// Read buffer per file.
const READ_BUFFER: usize = 256 * 1024;

/// Progress is reported about this often (uncompressed bytes).
pub const PROGRESS_EVERY_BYTES: u64 = 8 * 1024 * 1024;

/// Occurrences of a message kept in file order before only the earliest and the latest in
/// time are updated.
pub const FIRST_OCCURRENCES: u32 = 3;

/// What a kept line and each of its context lines cost beyond their text (structs, vectors).
const LINE_WEIGHT: u64 = 96;
const CONTEXT_WEIGHT: u64 = 16;

/// Bytes of kept lines (text and context) an analysis may hold, all files together.
#[derive(Debug)]
pub struct RetainBudget {
    left: AtomicU64,
}

impl RetainBudget {
    pub fn new(bytes: u64) -> Self {
        Self {
            left: AtomicU64::new(bytes),
        }
    }

    /// Takes `n` bytes if they are left.
    fn take(&self, n: u64) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }

    fn give_back(&self, n: u64) {
        self.left.fetch_add(n, Ordering::Relaxed);
    }
}

/// How much of a file's signal lines a scan keeps.
#[derive(Debug, Clone, Copy)]
pub enum Retain<'a> {
    /// Every signal line (small inputs, tests, tools).
    All,
    /// Groups and samples within a budget, every ERROR of a KB problem (see the module docs).
    Bounded {
        kb: &'a KnowledgeBase,
        budget: &'a RetainBudget,
    },
}

/// A WARNING or ERROR line of a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignalLine {
    /// 1-based physical line number.
    pub line: u64,
    /// The entry's last line: below `line` when continuation lines follow it (a stack trace).
    pub last_line: u64,
    pub level: Level,
    /// The level as written, when it is not the normalised name (`WARN`, `FATAL`, `[error]`).
    pub level_raw: Option<String>,
    /// The file's format writes no level: this one was inferred from the message's words
    /// (so it never counts for the organizers' exact rule).
    pub level_inferred: bool,
    pub timestamp: LogTime,
    pub source: String,
    pub message: String,
    /// The line as written (BOM, line terminator and trailing blanks removed).
    pub raw: String,
    /// Up to [`CONTEXT_LINES`] lines before, the line itself, up to as many after.
    pub context: Vec<ContextLine>,
    /// Index of its group in [`FileScan::groups`].
    pub group: u32,
}

impl SignalLine {
    /// Bytes it holds, as counted against the budget.
    fn weight(&self) -> u64 {
        let context: u64 = self
            .context
            .iter()
            .map(|c| c.text.len() as u64 + CONTEXT_WEIGHT)
            .sum();
        (self.raw.len() + self.message.len() + self.source.len() + self.timestamp.raw.len()) as u64
            + context
            + LINE_WEIGHT
    }
}

/// The lines of one message in a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignalGroup {
    pub level: Level,
    /// The message as written when it is a knowledge-base entry, else its normalised text.
    pub key: String,
    /// The message is a knowledge-base entry (anomaly for a WARNING, problem for an ERROR).
    pub exact: bool,
    /// Lines of this message in the file.
    pub count: u64,
    /// Its pattern (see `engine::patterns`), once the analysis has mined them.
    pub pattern: Option<crate::engine::patterns::PatternId>,
    /// Every line of it over time (for its pattern's histogram).
    #[serde(default)]
    pub times: time_counts::TimeCounts,
    /// Kept lines (indices into [`FileScan::signals`]): the first ones, then two slots that
    /// follow the earliest and the latest occurrence in time.
    kept_first: u32,
    earliest: Option<usize>,
    latest: Option<usize>,
}

/// What scanning one file found (serialised when one node reads a case and another merges
/// the cases: `Engine::read_case`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileScan {
    /// The format the file was read as (its name); `None` when no format read a line of its
    /// beginning.
    pub format: Option<String>,
    pub bytes: u64,
    pub lines: u64,
    /// Log entries (a line of the format, with its continuation lines).
    pub entries: u64,
    pub unparsable: u64,
    /// The first line that could not be read, as written (cut to [`QUOTE_CHARS`]).
    pub first_unparsable: Option<ContextLine>,
    /// Lines that continue the entry before them (stack traces, wrapped text): read, not entries.
    pub continuation_lines: u64,
    /// The kept WARNING/ERROR lines.
    pub signals: Vec<SignalLine>,
    pub groups: Vec<SignalGroup>,
    /// All WARNING/ERROR lines, kept or not.
    pub signal_lines: u64,
    /// Signal lines of messages first seen after the budget was spent: counted only.
    pub uncounted_messages: u64,
    /// ERROR lines of knowledge-base problems not listed because the budget was spent.
    pub unlisted_errors: u64,
    /// Every signal line was kept ([`Retain::All`]): counts are the kept lines themselves.
    pub complete: bool,
    /// The file is not text ([`parse::is_binary`]): it was skipped after its first bytes.
    pub binary: bool,
}

/// Why a scan stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("cancelled")]
    Cancelled,
}

/// How a file is read: the formats it may be in (or the one it must be read as), its path
/// inside the archive (for formats bound by a glob) and its date (for years a format omits).
#[derive(Debug, Clone, Copy)]
pub struct Reading<'f> {
    pub formats: &'f Formats,
    pub forced: Option<&'f Format>,
    pub path: &'f str,
    pub date: FileDate,
}

impl<'f> Reading<'f> {
    /// The file's format (the forced one, else told from its first [`DETECT_BYTES`]) and the
    /// file to read from its start again; `None` for a binary file, which is not read.
    pub fn open<R: Read>(
        &self,
        mut reader: R,
    ) -> io::Result<Option<(Option<&'f Format>, impl Read)>> {
        let mut head = Vec::with_capacity(DETECT_BYTES);
        (&mut reader)
            .take(DETECT_BYTES as u64)
            .read_to_end(&mut head)?;
        if parse::is_binary(&head) {
            return Ok(None);
        }
        let format = match self.forced {
            Some(f) => Some(f),
            None => self.formats.detect(self.path, &head, self.date),
        };
        Ok(Some((format, io::Cursor::new(head).chain(reader))))
    }

    /// Detected among `formats`.
    pub fn detect(formats: &'f Formats, path: &'f str, date: FileDate) -> Self {
        Self {
            formats,
            forced: None,
            path,
            date,
        }
    }
}

/// Scans `reader` to its end, its format detected among the built-in ones. `progress(bytes,
/// lines)` is called with the increments about every [`PROGRESS_EVERY_BYTES`] and at the
/// end; returning `false` cancels the scan.
pub fn scan(
    reader: impl Read,
    context: usize,
    progress: impl FnMut(u64, u64) -> bool,
) -> Result<FileScan, ScanError> {
    static BUILT_IN: std::sync::LazyLock<Formats> = std::sync::LazyLock::new(Formats::default);
    let reading = Reading::detect(&BUILT_IN, "", FileDate::today());
    scan_with(reader, context, &reading, Retain::All, progress)
}

/// [`scan`], reading as `reading` says and keeping what `retain` says.
pub fn scan_with(
    mut reader: impl Read,
    context: usize,
    reading: &Reading<'_>,
    retain: Retain<'_>,
    mut progress: impl FnMut(u64, u64) -> bool,
) -> Result<FileScan, ScanError> {
    let Some((format, reader)) = reading.open(&mut reader)? else {
        return Ok(FileScan {
            binary: true,
            complete: matches!(retain, Retain::All),
            ..FileScan::default()
        });
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let mut state = Scanner::new(context, retain, format, reading);
    state.result.format = format.map(|f| f.name.to_string());
    state.result.complete = matches!(retain, Retain::All);
    let mut carry: Vec<u8> = Vec::new();
    let mut overlong = false;
    let (mut reported_bytes, mut reported_lines) = (0u64, 0u64);
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', buf) {
            if overlong {
                state.overlong_line();
                overlong = false;
            } else if carry.is_empty() {
                state.line(&buf[start..=nl]);
            } else {
                carry.extend_from_slice(&buf[start..=nl]);
                state.line(&carry);
                carry.clear();
            }
            start = nl + 1;
        }
        if !overlong {
            carry.extend_from_slice(&buf[start..]);
            if carry.len() > MAX_LINE_BYTES {
                overlong = true;
                carry = Vec::new();
            }
        }
        reader.consume(len);
        state.result.bytes += len as u64;
        if state.result.bytes - reported_bytes >= PROGRESS_EVERY_BYTES {
            if !progress(
                state.result.bytes - reported_bytes,
                state.result.lines - reported_lines,
            ) {
                return Err(ScanError::Cancelled);
            }
            (reported_bytes, reported_lines) = (state.result.bytes, state.result.lines);
        }
    }
    if overlong {
        state.overlong_line();
    } else if !carry.is_empty() {
        state.line(&carry);
    }
    if !progress(
        state.result.bytes - reported_bytes,
        state.result.lines - reported_lines,
    ) {
        return Err(ScanError::Cancelled);
    }
    Ok(state.result)
}

struct Scanner<'a> {
    context: usize,
    retain: Retain<'a>,
    format: Option<&'a Format>,
    date: FileDate,
    /// When the beginning told no format (an endless first line, a binary header), each of
    /// the next lines may still tell it, this many times.
    late_detection: (&'a Formats, &'a str, usize),
    /// The last `context` lines (number, trimmed bytes); buffers are reused.
    ring: VecDeque<(u64, Vec<u8>)>,
    /// Signals still collecting lines after them: (index in `signals`, lines to go).
    pending: Vec<(usize, usize)>,
    /// Group of each (level, key).
    index: HashMap<(Level, String), u32>,
    /// A log entry has begun in this file (continuation lines need one to continue).
    in_entry: bool,
    /// The kept signal line the current entry is, if it is one (its last line grows).
    entry_signal: Option<usize>,
    result: FileScan,
}

/// Where a signal line goes.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A new kept line, in this role for its group.
    New(Role),
    /// Replaces the kept line at this index (the group's earliest or latest).
    Replace(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// One of every line, or of the first few.
    Listed,
    Earliest,
    Latest,
}

impl<'a> Scanner<'a> {
    fn new(
        context: usize,
        retain: Retain<'a>,
        format: Option<&'a Format>,
        reading: &Reading<'a>,
    ) -> Self {
        Self {
            context,
            retain,
            format,
            date: reading.date,
            late_detection: (reading.formats, reading.path, LATE_DETECTION_LINES),
            ring: VecDeque::with_capacity(context + 1),
            pending: Vec::new(),
            index: HashMap::new(),
            in_entry: false,
            entry_signal: None,
            result: FileScan::default(),
        }
    }

    fn overlong_line(&mut self) {
        self.result.lines += 1;
        self.unparsable(b"<line too long>");
        self.remember(b"<line too long>");
    }

    /// Counts line `lines` as unreadable, quoting the first one.
    fn unparsable(&mut self, text: &[u8]) {
        self.result.unparsable += 1;
        if self.result.first_unparsable.is_none() {
            let text = decode(text);
            let text = match text.char_indices().nth(QUOTE_CHARS) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            };
            self.result.first_unparsable = Some(ContextLine {
                line: self.result.lines,
                text,
            });
        }
    }

    fn line(&mut self, raw: &[u8]) {
        self.result.lines += 1;
        let n = self.result.lines;
        let trimmed = trim_line(raw);
        if !self.pending.is_empty() {
            let text = decode(trimmed);
            let budget = match self.retain {
                Retain::Bounded { budget, .. } => Some(budget),
                Retain::All => None,
            };
            for (idx, left) in &mut self.pending {
                // The context after a kept line is kept on the same budget (or cut short).
                if budget.is_none_or(|b| b.take(text.len() as u64 + CONTEXT_WEIGHT)) {
                    self.result.signals[*idx].context.push(ContextLine {
                        line: n,
                        text: text.clone(),
                    });
                    *left -= 1;
                } else {
                    *left = 0;
                }
            }
            self.pending.retain(|(_, left)| *left > 0);
        }
        if self.format.is_none() && !trimmed.is_empty() {
            let (formats, path, left) = &mut self.late_detection;
            if *left > 0 {
                *left -= 1;
                self.format = formats.detect(path, trimmed, self.date);
                self.result.format = self.format.map(|f| f.name.to_string());
            }
        }
        let kind = match self.format {
            Some(format) => format.classify(raw, self.date),
            None if trimmed.is_empty() => LineKind::Blank,
            None => LineKind::Unparsable,
        };
        match kind {
            LineKind::Signal(s) => {
                self.result.entries += 1;
                self.result.signal_lines += 1;
                self.in_entry = true;
                self.entry_signal = None;
                let message = decode(&s.message);
                if let Some((group, slot)) = self.place(s.level, s.inferred, &message, &s.timestamp)
                {
                    let raw_text = decode(trimmed);
                    let mut context: Vec<ContextLine> = self
                        .ring
                        .iter()
                        .map(|(line, bytes)| ContextLine {
                            line: *line,
                            text: decode(bytes),
                        })
                        .collect();
                    context.push(ContextLine {
                        line: n,
                        text: raw_text.clone(),
                    });
                    let signal = SignalLine {
                        line: n,
                        last_line: n,
                        level: s.level,
                        level_raw: (!s.inferred && *s.level_token != *s.level.as_str().as_bytes())
                            .then(|| decode(&s.level_token)),
                        level_inferred: s.inferred,
                        timestamp: s.timestamp,
                        source: decode(&s.source),
                        message,
                        raw: raw_text,
                        context,
                        group,
                    };
                    self.keep(group, slot, signal);
                }
            }
            LineKind::Unparsable if self.in_entry && is_continuation(trimmed) => {
                self.result.continuation_lines += 1;
                if let Some(i) = self.entry_signal {
                    self.result.signals[i].last_line = n;
                }
            }
            LineKind::Unparsable => self.unparsable(trimmed),
            LineKind::Info => {
                self.result.entries += 1;
                self.in_entry = true;
                self.entry_signal = None;
            }
            LineKind::Blank => {}
        }
        self.remember(trimmed);
    }

    /// The group of a signal line and whether (and where) to keep it; `None`: counted only.
    fn place(
        &mut self,
        level: Level,
        inferred: bool,
        message: &str,
        timestamp: &LogTime,
    ) -> Option<(u32, Slot)> {
        let (exact, key) = match self.retain {
            Retain::All => (false, normalize(message)),
            // An inferred level is a guess: the organizers' rule reads written levels only.
            Retain::Bounded { .. } if inferred => (false, normalize(message)),
            Retain::Bounded { kb, .. } => {
                let exact = match level {
                    Level::Error => !kb.problem_ids(message).is_empty(),
                    Level::Warning => kb.anomaly(message).is_some(),
                    Level::Info => false,
                };
                if exact {
                    (true, message.trim().to_owned())
                } else {
                    (false, normalize(message))
                }
            }
        };
        let g = match self.index.get(&(level, key.clone())) {
            Some(g) => *g,
            None => {
                // A new message costs a group: refused once the budget is spent.
                if let Retain::Bounded { budget, .. } = self.retain
                    && !budget.take(key.len() as u64 + 128)
                {
                    self.result.uncounted_messages += 1;
                    return None;
                }
                let g = self.result.groups.len() as u32;
                self.result.groups.push(SignalGroup {
                    level,
                    key: key.clone(),
                    exact,
                    count: 0,
                    pattern: None,
                    times: time_counts::TimeCounts::default(),
                    kept_first: 0,
                    earliest: None,
                    latest: None,
                });
                self.index.insert((level, key), g);
                g
            }
        };
        let group = &mut self.result.groups[g as usize];
        group.count += 1;
        let retain = self.retain;
        group.times.add(timestamp.ms, || match retain {
            Retain::All => true,
            Retain::Bounded { budget, .. } => budget.take(time_counts::SLOT_WEIGHT),
        });
        if matches!(self.retain, Retain::All) || (group.exact && level == Level::Error) {
            // Every line: the report lists each ERROR of a known problem.
            return Some((g, Slot::New(Role::Listed)));
        }
        if group.kept_first < FIRST_OCCURRENCES {
            group.kept_first += 1;
            return Some((g, Slot::New(Role::Listed)));
        }
        // Beyond the first ones: follow the earliest and the latest occurrence in time
        // (timestamps may jump backwards, so neither is simply the last line).
        let time = |i: usize| &self.result.signals[i].timestamp;
        match (group.earliest, group.latest) {
            (None, _) => Some((g, Slot::New(Role::Earliest))),
            (Some(e), _) if timestamp < time(e) => Some((g, Slot::Replace(e))),
            (_, None) => Some((g, Slot::New(Role::Latest))),
            (_, Some(l)) if timestamp >= time(l) => Some((g, Slot::Replace(l))),
            _ => None,
        }
    }

    fn keep(&mut self, group: u32, slot: Slot, signal: SignalLine) {
        if let Retain::Bounded { budget, .. } = self.retain {
            let back = match slot {
                Slot::Replace(i) => self.result.signals[i].weight(),
                Slot::New(_) => 0,
            };
            budget.give_back(back);
            if !budget.take(signal.weight()) {
                budget.take(back);
                let g = &self.result.groups[group as usize];
                if g.exact && g.level == Level::Error {
                    self.result.unlisted_errors += 1;
                }
                return;
            }
        }
        let idx = match slot {
            Slot::New(role) => {
                self.result.signals.push(signal);
                let idx = self.result.signals.len() - 1;
                let g = &mut self.result.groups[group as usize];
                match role {
                    Role::Listed => {}
                    Role::Earliest => g.earliest = Some(idx),
                    Role::Latest => g.latest = Some(idx),
                }
                idx
            }
            Slot::Replace(i) => {
                self.pending.retain(|(p, _)| *p != i);
                self.result.signals[i] = signal;
                i
            }
        };
        self.entry_signal = Some(idx);
        if self.context > 0 {
            self.pending.push((idx, self.context));
        }
    }

    fn remember(&mut self, trimmed: &[u8]) {
        if self.context == 0 {
            return;
        }
        let mut slot = if self.ring.len() == self.context {
            self.ring.pop_front().map(|(_, b)| b).unwrap_or_default()
        } else {
            Vec::new()
        };
        slot.clear();
        slot.extend_from_slice(trimmed);
        self.ring.push_back((self.result.lines, slot));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::input::kb::KnowledgeBase;

    fn run(text: &str, context: usize) -> FileScan {
        scan(text.as_bytes(), context, |_, _| true).expect("scans")
    }

    #[test]
    fn stack_traces_continue_their_entry_and_are_not_unreadable() {
        let text = "\
2025-10-06T10:00:00 INFO app: starting
2025-10-06T10:00:01 ERROR app: request failed
java.lang.IllegalStateException: pool exhausted
\tat com.example.Pool.take(Pool.java:42)
\tat com.example.Handler.run(Handler.java:7)
Caused by: java.net.SocketTimeoutException: Read timed out
\t... 5 more
2025-10-06T10:00:02 WARNING worker: task crashed
Traceback (most recent call last):
  File \"worker.py\", line 3, in <module>
    main()
ValueError: bad input
2025-10-06T10:00:03 INFO app: recovered
just words, no entry
";
        let s = run(text, 0);
        assert_eq!(s.lines, 14);
        assert_eq!(s.continuation_lines, 9);
        assert_eq!(
            s.unparsable, 1,
            "a line that continues nothing is still unreadable"
        );
        assert_eq!(s.first_unparsable.as_ref().map(|c| c.line), Some(14));
        let error = s
            .signals
            .iter()
            .find(|l| l.level == Level::Error)
            .expect("error");
        assert_eq!((error.line, error.last_line), (2, 7));
        let warning = s
            .signals
            .iter()
            .find(|l| l.level == Level::Warning)
            .expect("warning");
        assert_eq!((warning.line, warning.last_line), (8, 12));
        // nothing before the first entry continues anything
        let s = run("  indented first\n2025-10-06T10:00:00 INFO a: b\n", 0);
        assert_eq!((s.unparsable, s.continuation_lines), (1, 0));
    }

    #[test]
    fn counts_lines_and_keeps_signals_with_context() {
        let mut text = String::new();
        for i in 1..=20 {
            match i {
                7 => text.push_str("2025-10-06T00:00:07 WARNING os: Disk slow\n"),
                9 => text.push_str("2025-10-06T00:00:09 ERROR os: Disk failed\r\n"),
                12 => text.push_str("garbage\n"),
                15 => text.push('\n'),
                _ => text.push_str(&format!("2025-10-06T00:00:{i:02} INFO os: tick {i}\n")),
            }
        }
        let scan = run(&text, 2);
        assert_eq!(scan.lines, 20);
        assert_eq!(scan.unparsable, 1);
        assert_eq!(scan.bytes, text.len() as u64);
        assert_eq!(scan.signals.len(), 2);
        let w = &scan.signals[0];
        assert_eq!(
            (w.line, w.level, w.message.as_str()),
            (7, Level::Warning, "Disk slow")
        );
        let lines: Vec<u64> = w.context.iter().map(|c| c.line).collect();
        assert_eq!(lines, vec![5, 6, 7, 8, 9]);
        assert_eq!(
            w.context[4].text,
            "2025-10-06T00:00:09 ERROR os: Disk failed"
        );
        let e = &scan.signals[1];
        assert_eq!(e.raw, "2025-10-06T00:00:09 ERROR os: Disk failed");
        assert_eq!(
            e.context.iter().map(|c| c.line).collect::<Vec<_>>(),
            vec![7, 8, 9, 10, 11]
        );
    }

    #[test]
    fn last_line_without_newline_and_context_at_edges() {
        let scan = run(
            "2025-10-06T00:00:01 ERROR a: first\n2025-10-06T00:00:02 WARN a: last",
            3,
        );
        assert_eq!(scan.lines, 2);
        assert_eq!(
            scan.signals[0]
                .context
                .iter()
                .map(|c| c.line)
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(
            scan.signals[1]
                .context
                .iter()
                .map(|c| c.line)
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    #[test]
    fn lines_split_across_read_buffers_are_whole() {
        let filler = format!("2025-10-06T00:00:00 INFO os: {}\n", "x".repeat(1000));
        let mut text = filler.repeat(300); // > 256 KiB, so reads end mid-line
        text.push_str("2025-10-06T00:05:00 ERROR db: Index corruption on table\n");
        text.push_str(&filler.repeat(300));
        let scan = run(&text, 0);
        assert_eq!(scan.lines, 601);
        assert_eq!(scan.signals.len(), 1);
        assert_eq!(scan.signals[0].line, 301);
        assert_eq!(scan.signals[0].message, "Index corruption on table");
        assert!(scan.signals[0].context.len() == 1);
    }

    #[test]
    fn an_endless_line_is_one_unparsable_line() {
        let mut text = "y".repeat(MAX_LINE_BYTES * 2 + 10);
        text.push_str("\n2025-10-06T00:00:01 ERROR a: after\n");
        let scan = run(&text, 1);
        assert_eq!(scan.lines, 2);
        assert_eq!(scan.unparsable, 1);
        assert_eq!(scan.signals[0].line, 2);
        assert_eq!(scan.signals[0].context[0].text, "<line too long>");
    }

    #[test]
    fn progress_can_cancel() {
        let text = "2025-10-06T00:00:00 INFO os: tick\n".repeat(400_000); // ~13 MiB
        let err = scan(text.as_bytes(), 0, |_, _| false).expect_err("cancelled");
        assert!(matches!(err, ScanError::Cancelled));
        let mut seen = (0, 0);
        let ok = scan(text.as_bytes(), 0, |b, l| {
            seen.0 += b;
            seen.1 += l;
            true
        })
        .expect("scans");
        assert_eq!(seen, (ok.bytes, ok.lines));
    }

    fn bounded(text: &str, budget: &RetainBudget) -> FileScan {
        let kb = KnowledgeBase::builtin();
        let formats = Formats::default();
        scan_with(
            text.as_bytes(),
            2,
            &Reading::detect(&formats, "app.log", FileDate::today()),
            Retain::Bounded { kb: &kb, budget },
            |_, _| true,
        )
        .expect("scans")
    }

    #[test]
    fn a_repeated_warning_is_one_group_with_a_few_kept_lines() {
        let mut text = String::new();
        for i in 0..10_000u32 {
            // the clock jumps back at line 5001: the earliest time is not the first line
            let t = if i < 5_000 { 3_600 + i } else { i - 5_000 };
            text.push_str(&format!(
                "2025-10-06T{:02}:{:02}:{:02} WARNING disk: Disk usage at {}% on node7\n",
                t / 3600,
                t / 60 % 60,
                t % 60,
                i % 100
            ));
        }
        let budget = RetainBudget::new(1 << 30);
        let scan = bounded(&text, &budget);
        assert_eq!((scan.lines, scan.signal_lines), (10_000, 10_000));
        assert_eq!(scan.groups.len(), 1, "one normalised message");
        assert_eq!(scan.groups[0].count, 10_000);
        assert!(!scan.groups[0].exact);
        assert!(
            scan.signals.len() <= FIRST_OCCURRENCES as usize + 2,
            "kept: {}",
            scan.signals.len()
        );
        let times: Vec<&str> = scan
            .signals
            .iter()
            .map(|s| s.timestamp.raw.as_str())
            .collect();
        assert!(
            times.contains(&"2025-10-06T00:00:00"),
            "the earliest in time: {times:?}"
        );
        assert!(
            times.contains(&"2025-10-06T02:23:19"),
            "the latest in time: {times:?}"
        );
        assert!(
            scan.signals
                .iter()
                .all(|s| s.context.len() == 5 || s.line <= 2 || s.line >= 9_999),
            "each with its context"
        );
    }

    #[test]
    fn every_error_of_a_known_problem_is_kept() {
        let mut text = String::new();
        for i in 0..500u32 {
            text.push_str(&format!(
                "2025-10-06T00:{:02}:{:02} ERROR database: Index corruption on table\n",
                i / 60 % 60,
                i % 60
            ));
            text.push_str("2025-10-06T00:00:00 ERROR database: something unknown happened\n");
        }
        let budget = RetainBudget::new(1 << 30);
        let scan = bounded(&text, &budget);
        let known = scan
            .groups
            .iter()
            .position(|g| g.exact)
            .expect("the KB problem");
        assert_eq!(scan.groups[known].count, 500);
        let kept_known = scan
            .signals
            .iter()
            .filter(|s| s.group as usize == known)
            .count();
        assert_eq!(kept_known, 500, "the organizers' rule lists every one");
        assert!(scan.signals.len() < 510, "the unknown one is sampled");
    }

    #[test]
    fn a_spent_budget_counts_instead_of_keeping_and_says_so() {
        let mut text = String::new();
        for i in 0..2_000u32 {
            text.push_str(&format!(
                "2025-10-06T00:00:00 WARNING app: unique message {}\n",
                "x".repeat((i % 50) as usize)
                    + &i.to_string()
                        .replace('0', "o")
                        .replace('1', "i")
                        .replace('2', "z")
            ));
            text.push_str("2025-10-06T00:00:01 ERROR database: Index corruption on table\n");
        }
        let budget = RetainBudget::new(64 * 1024);
        let scan = bounded(&text, &budget);
        assert_eq!(scan.signal_lines, 4_000, "every line is counted");
        assert!(
            scan.uncounted_messages > 0,
            "new messages beyond the budget are only counted"
        );
        assert!(
            scan.unlisted_errors > 0,
            "and known ERRORs beyond it are not listed"
        );
        let kept: u64 = scan.signals.iter().map(SignalLine::weight).sum();
        assert!(kept <= 64 * 1024, "{kept}");
    }
}
