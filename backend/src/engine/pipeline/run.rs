//! The run of one analysis as its stages see it: each stage announced when it opens and when
//! it closes, updates inside long stages throttled, the byte and line counters of the scan, and
//! cancellation checked between stages and inside them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use loglens_shared::Stage;

use super::notes::Note;
use crate::engine::EngineError;
use crate::engine::progress::{EngineProgress, ProgressSink};

/// Progress updates inside a stage are sent at most this often.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

/// One analysis's progress, sent to its sink.
pub struct Run<'a> {
    sink: &'a dyn ProgressSink,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    lines_done: AtomicU64,
    /// When the last update was sent, and its percent (which never goes backwards).
    last: Mutex<(Instant, u8)>,
}

/// A stage at work: what its step may report.
pub struct Step<'r> {
    run: &'r Run<'r>,
    stage: Stage,
}

impl<'a> Run<'a> {
    pub fn new(sink: &'a dyn ProgressSink) -> Self {
        Self {
            sink,
            bytes_total: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
            lines_done: AtomicU64::new(0),
            last: Mutex::new((Instant::now(), 0)),
        }
    }

    /// Runs one stage: announces `opening`, runs `work`, announces the note `work` closes
    /// with, and stops there if the analysis was cancelled meanwhile.
    pub fn stage<T>(
        &self,
        stage: Stage,
        opening: Note,
        work: impl FnOnce(&Step<'_>) -> Result<(T, Note), EngineError>,
    ) -> Result<T, EngineError> {
        self.check()?;
        self.send(stage, 0.0, opening);
        let (value, closing) = work(&Step { run: self, stage })?;
        self.send(stage, 1.0, closing);
        self.check()?;
        Ok(value)
    }

    fn check(&self) -> Result<(), EngineError> {
        if self.sink.is_cancelled() {
            Err(EngineError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// A stage boundary: always sent.
    fn send(&self, stage: Stage, fraction: f64, note: Note) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        self.emit(stage, fraction, &note, &mut last);
    }

    fn emit(&self, stage: Stage, fraction: f64, note: &Note, last: &mut (Instant, u8)) {
        // Percent never goes backwards, even if workers report out of order.
        let percent = stage.percent(fraction).max(last.1);
        *last = (Instant::now(), percent);
        self.sink.report(EngineProgress {
            stage,
            percent,
            message: note.text(),
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            lines_done: self.lines_done.load(Ordering::Relaxed),
        });
    }
}

impl Step<'_> {
    /// An update at `fraction` of the stage, sent if [`PROGRESS_INTERVAL`] has passed since
    /// the last one (the note is made only then: this runs for every buffer of every file).
    /// Answers whether to go on: `false` once the analysis is cancelled.
    pub fn progress(&self, fraction: f64, note: impl FnOnce() -> Note) -> bool {
        if let Ok(mut last) = self.run.last.try_lock()
            && last.0.elapsed() >= PROGRESS_INTERVAL
        {
            self.run.emit(self.stage, fraction, &note(), &mut last);
        }
        !self.cancelled()
    }

    pub fn cancelled(&self) -> bool {
        self.run.sink.is_cancelled()
    }

    /// Uncompressed bytes of log files to read, in all.
    pub fn set_bytes_total(&self, bytes: u64) {
        self.run.bytes_total.store(bytes, Ordering::Relaxed);
    }

    /// Counts bytes and lines read; returns the bytes read so far and in all.
    pub fn add_read(&self, bytes: u64, lines: u64) -> (u64, u64) {
        let done = self.run.bytes_done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.run.lines_done.fetch_add(lines, Ordering::Relaxed);
        (done, self.run.bytes_total.load(Ordering::Relaxed))
    }
}

/// `done` of `total` as a fraction (all done when there is nothing to do).
pub fn ratio(done: u64, total: u64) -> f64 {
    if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[derive(Default)]
    struct Sink {
        sent: Mutex<Vec<EngineProgress>>,
        cancel: AtomicBool,
    }

    impl ProgressSink for Sink {
        fn report(&self, p: EngineProgress) {
            self.sent.lock().expect("lock").push(p);
        }
        fn is_cancelled(&self) -> bool {
            self.cancel.load(Ordering::Relaxed)
        }
    }

    #[test]
    fn a_stage_opens_and_closes_with_its_notes_and_stops_when_cancelled() {
        let sink = Sink::default();
        let run = Run::new(&sink);
        let v = run
            .stage(Stage::ParseLogs, Note::Parsing { files: 2 }, |step| {
                step.set_bytes_total(10);
                assert_eq!(step.add_read(4, 2), (4, 10));
                Ok((
                    7,
                    Note::Parsed {
                        lines: 2,
                        signal_lines: 1,
                    },
                ))
            })
            .expect("stage");
        assert_eq!(v, 7);
        let sent = sink.sent.lock().expect("lock").clone();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].message.en, "Parsing 2 files");
        assert_eq!(sent[1].percent, Stage::ParseLogs.percent(1.0));
        assert_eq!(
            (sent[1].bytes_done, sent[1].bytes_total, sent[1].lines_done),
            (4, 10, 2)
        );

        sink.cancel.store(true, Ordering::Relaxed);
        let r = run.stage(Stage::Classify, Note::ExactMatching, |_| {
            Ok(((), Note::Matched { links: 0 }))
        });
        assert!(matches!(r, Err(EngineError::Cancelled)));
        assert_eq!(
            sink.sent.lock().expect("lock").len(),
            2,
            "a cancelled run opens no stage"
        );
    }
}
