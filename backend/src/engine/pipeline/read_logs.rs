//! Stage 6: every log file of every case streamed through the line scanner, in parallel (one
//! archive reader per thread), within the engine's memory budget for kept lines.

use std::sync::Arc;

use rayon::prelude::*;

use super::notes::Note;
use super::patterns::PatternBook;
use super::run::{Step, ratio};
use crate::engine::input::archive::{
    ArchiveError, ArchiveLimits, ArchivePlan, ByteBudget, EntryReader, LogEntry,
};
use crate::engine::input::kb::KnowledgeBase;
use crate::engine::matching::ScannedFile;
use crate::engine::scan::format::{FileDate, Formats};
use crate::engine::scan::{self, Reading, RetainBudget, ScanError};
use crate::engine::{AnalysisRequest, EngineError};

/// How the scanner reads: the archive's limits, the context kept around each line, and the
/// bytes of lines one analysis may keep.
#[derive(Debug, Clone, Copy)]
pub struct ReadSettings<'a> {
    pub limits: &'a ArchiveLimits,
    /// The formats a file may be in (built-in and the user's).
    pub formats: &'a Formats,
    pub context_lines: usize,
    pub retain_bytes: u64,
}

/// The scanned files of each case, in plan order.
pub type Scanned = Vec<Vec<ScannedFile>>;

/// Reads every case of `plan`, then mines the patterns of all of them.
pub fn read_logs(
    step: &Step<'_>,
    req: &AnalysisRequest,
    plan: &ArchivePlan,
    kbs: &[Arc<KnowledgeBase>],
    settings: ReadSettings<'_>,
) -> Result<((Scanned, PatternBook), Note), EngineError> {
    let scanned = scan_cases(step, req, plan, kbs, settings)?;
    Ok(with_patterns(scanned))
}

/// The end of stage 6 for cases read here or elsewhere: their patterns mined (over all
/// cases, in plan order, so the ids are those of one reading of the whole archive).
pub fn with_patterns(mut scanned: Scanned) -> ((Scanned, PatternBook), Note) {
    let patterns = super::patterns::mine(&mut scanned);
    let files = scanned.iter().flatten();
    let note = Note::Parsed {
        lines: files.clone().map(|f| f.scan.lines).sum(),
        signal_lines: files.map(|f| f.scan.signal_lines).sum(),
    };
    ((scanned, patterns), note)
}

/// Streams the log files of every case of `plan` (`kbs[i]` is case i's knowledge base).
pub fn scan_cases(
    step: &Step<'_>,
    req: &AnalysisRequest,
    plan: &ArchivePlan,
    kbs: &[Arc<KnowledgeBase>],
    settings: ReadSettings<'_>,
) -> Result<Scanned, EngineError> {
    let budget = ByteBudget::default();
    let today = FileDate::today();
    let kept = RetainBudget::new(settings.retain_bytes);
    let jobs: Vec<(usize, &LogEntry)> = plan
        .cases
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| c.logs.iter().map(move |e| (ci, e)))
        .collect();
    let results: Vec<Result<(usize, ScannedFile), EngineError>> = jobs
        .par_iter()
        .map_init(
            || EntryReader::open(&req.archive).map_err(|e| e.to_string()),
            |reader, (ci, entry)| {
                let reader = reader
                    .as_mut()
                    .map_err(|e| EngineError::Archive(ArchiveError::NotAZip(e.clone())))?;
                let result = reader.with_entry(entry, settings.limits, &budget, |r| {
                    let retain = scan::Retain::Bounded {
                        kb: &kbs[*ci],
                        budget: &kept,
                    };
                    let reading = Reading::detect(
                        settings.formats,
                        &entry.path,
                        entry.modified.unwrap_or(today),
                    );
                    scan::scan_with(
                        r,
                        settings.context_lines,
                        &reading,
                        retain,
                        |bytes, lines| {
                            let (done, total) = step.add_read(bytes, lines);
                            step.progress(ratio(done, total), || Note::Read { done, total })
                        },
                    )
                    .map_err(|e| match e {
                        ScanError::Io(io) => io,
                        ScanError::Cancelled => {
                            std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled")
                        }
                    })
                });
                match result {
                    Ok(scan) => Ok((
                        *ci,
                        ScannedFile {
                            name: entry.name.clone(),
                            scan,
                        },
                    )),
                    Err(_) if step.cancelled() => Err(EngineError::Cancelled),
                    Err(e) => Err(e.into()),
                }
            },
        )
        .collect();
    let mut out: Scanned = vec![Vec::new(); plan.cases.len()];
    for r in results {
        let (ci, file) = r?;
        out[ci].push(file);
    }
    Ok(out)
}
