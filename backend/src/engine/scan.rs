//! Streams one log file line by line, counting lines and keeping only what matters: the
//! WARNING/ERROR lines with their ±N neighbours. Memory stays O(N) whatever the file size.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};

use loglens_shared::report::{ContextLine, Level};

use super::parse::{LineKind, classify, decode, trim_line};

/// Lines of context kept before and after each WARNING/ERROR line.
pub const CONTEXT_LINES: usize = 5;

/// A physical line longer than this is counted as unparsable and not buffered further.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Read buffer per file.
const READ_BUFFER: usize = 256 * 1024;

/// Progress is reported about this often (uncompressed bytes).
pub const PROGRESS_EVERY_BYTES: u64 = 8 * 1024 * 1024;

/// A WARNING or ERROR line of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalLine {
    /// 1-based physical line number.
    pub line: u64,
    pub level: Level,
    pub timestamp: String,
    pub source: String,
    pub message: String,
    /// The line as written (BOM, line terminator and trailing blanks removed).
    pub raw: String,
    /// Up to [`CONTEXT_LINES`] lines before, the line itself, up to as many after.
    pub context: Vec<ContextLine>,
}

/// What scanning one file found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileScan {
    pub bytes: u64,
    pub lines: u64,
    pub unparsable: u64,
    pub signals: Vec<SignalLine>,
}

/// Why a scan stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("cancelled")]
    Cancelled,
}

/// Scans `reader` to its end. `progress(bytes, lines)` is called with the increments about
/// every [`PROGRESS_EVERY_BYTES`] and at the end; returning `false` cancels the scan.
pub fn scan(
    reader: impl Read,
    context: usize,
    mut progress: impl FnMut(u64, u64) -> bool,
) -> Result<FileScan, ScanError> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, reader);
    let mut state = Scanner::new(context);
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

struct Scanner {
    context: usize,
    /// The last `context` lines (number, trimmed bytes); buffers are reused.
    ring: VecDeque<(u64, Vec<u8>)>,
    /// Signals still collecting lines after them: (index in `signals`, lines to go).
    pending: Vec<(usize, usize)>,
    result: FileScan,
}

impl Scanner {
    fn new(context: usize) -> Self {
        Self {
            context,
            ring: VecDeque::with_capacity(context + 1),
            pending: Vec::new(),
            result: FileScan::default(),
        }
    }

    fn overlong_line(&mut self) {
        self.result.lines += 1;
        self.result.unparsable += 1;
        self.remember(b"<line too long>");
    }

    fn line(&mut self, raw: &[u8]) {
        self.result.lines += 1;
        let n = self.result.lines;
        let trimmed = trim_line(raw);
        if !self.pending.is_empty() {
            let text = decode(trimmed);
            for (idx, left) in &mut self.pending {
                self.result.signals[*idx].context.push(ContextLine {
                    line: n,
                    text: text.clone(),
                });
                *left -= 1;
            }
            self.pending.retain(|(_, left)| *left > 0);
        }
        match classify(raw) {
            LineKind::Signal(s) => {
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
                self.result.signals.push(SignalLine {
                    line: n,
                    level: s.level,
                    timestamp: decode(s.timestamp),
                    source: decode(s.source),
                    message: decode(s.message),
                    raw: raw_text,
                    context,
                });
                if self.context > 0 {
                    self.pending
                        .push((self.result.signals.len() - 1, self.context));
                }
            }
            LineKind::Unparsable => self.result.unparsable += 1,
            LineKind::Info | LineKind::Blank => {}
        }
        self.remember(trimmed);
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

    fn run(text: &str, context: usize) -> FileScan {
        scan(text.as_bytes(), context, |_, _| true).expect("scans")
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
}
