//! What the analysis engine says while it works. The engine emits [`EngineProgress`]; the job
//! layer turns it into numbered wire events, the CLI into a progress bar.

use loglens_shared::{LocalizedText, Stage};
use serde::{Deserialize, Serialize};

/// A [`LocalizedText`] from a Russian and an English format string (arguments captured by name).
#[macro_export]
macro_rules! say {
    ($ru:literal, $en:literal $(,)?) => {
        ::loglens_shared::LocalizedText::new(format!($ru), format!($en))
    };
}

/// Receives progress and answers whether the analysis should stop.
pub trait ProgressSink: Sync {
    fn report(&self, progress: EngineProgress);
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// One progress update from inside an analysis (the worker process sends these to the server
/// as JSON lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineProgress {
    pub stage: Stage,
    /// Overall percent 0–100, inside the stage's range (see [`Stage::percent`]).
    pub percent: u8,
    /// What is happening, for a person to read.
    pub message: LocalizedText,
    /// Uncompressed bytes of log files read so far, and in all.
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Log lines read so far.
    pub lines_done: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn say_captures_by_name_in_both_languages() {
        let n = 3;
        let m = say!("Файлов: {n}", "Files: {n}");
        assert_eq!(m, LocalizedText::new("Файлов: 3", "Files: 3"));
        assert_eq!(
            m.with_detail("bad zip"),
            LocalizedText::new("Файлов: 3: bad zip", "Files: 3: bad zip")
        );
        assert_eq!(LocalizedText::new("только", "").en_or_ru(), "только");
        assert_eq!(m.en_or_ru(), "Files: 3");
    }
}
