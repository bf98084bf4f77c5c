//! What the analysis engine says while it works. The engine emits [`EngineProgress`]; the
//! job layer turns it into numbered wire events, the CLI into a progress bar.

use serde::{Deserialize, Serialize};

use crate::Stage;

/// A message for people in both UI languages: Russian, the protocol's `message` (SPEC §4), and
/// English, sent beside it as `message_en`, so every client shows its own user's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Bilingual {
    pub ru: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(ru: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ru: ru.into(),
            en: en.into(),
        }
    }

    /// The same message followed by `: detail` (an error's own text, which is not translated).
    pub fn with_detail(&self, detail: &str) -> Self {
        Self::new(
            format!("{}: {detail}", self.ru),
            format!("{}: {detail}", self.en),
        )
    }

    /// The English text, or the Russian one when a peer sent no English (older servers).
    pub fn en_or_ru(&self) -> &str {
        if self.en.is_empty() {
            &self.ru
        } else {
            &self.en
        }
    }
}

/// A [`Bilingual`] from a Russian and an English format string (arguments captured by name).
#[macro_export]
macro_rules! say {
    ($ru:literal, $en:literal $(,)?) => {
        $crate::progress::Bilingual::new(format!($ru), format!($en))
    };
}

/// One progress update from inside an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EngineProgress {
    pub stage: Stage,
    /// Overall percent 0–100, inside the stage's range (see [`Stage::percent`]).
    pub percent: u8,
    /// What is happening, for a person to read.
    pub message: Bilingual,
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
        assert_eq!(m, Bilingual::new("Файлов: 3", "Files: 3"));
        assert_eq!(
            m.with_detail("bad zip"),
            Bilingual::new("Файлов: 3: bad zip", "Files: 3: bad zip")
        );
        assert_eq!(Bilingual::new("только", "").en_or_ru(), "только");
        assert_eq!(m.en_or_ru(), "Files: 3");
    }
}
