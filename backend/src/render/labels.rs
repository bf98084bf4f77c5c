//! Words the renderers print that the shared vocabulary does not spell for them: the wire
//! (serde) spellings the XML uses where [`loglens_shared::vocab`] only has another one, and
//! the Russian names the workbooks show.

use loglens_shared::Priority;
use loglens_shared::report::{Level, PredictionKind};

/// The language of the words a rendered report shows (the workbooks' headers, the PDF):
/// Russian, as the organizers' reports are, or English for an English interface (`?lang=en`).
/// The official sheet's six headers stay as the organizers wrote them in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// `ru` or `en` (any case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The word of this language from a (Russian, English) pair.
    pub fn pick<'a>(self, (ru, en): (&'a str, &'a str)) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    /// Every pair's word of this language.
    pub fn pick_all<'a>(self, pairs: &[(&'a str, &'a str)]) -> Vec<&'a str> {
        pairs.iter().map(|&p| self.pick(p)).collect()
    }
}

/// A priority for people.
pub fn priority(lang: Lang, p: Priority) -> &'static str {
    lang.pick(match p {
        Priority::Critical => ("критический", "critical"),
        Priority::Major => ("серьёзный", "major"),
        Priority::Minor => ("незначительный", "minor"),
    })
}

/// A prediction kind for people, in `lang`.
pub fn prediction_kind(lang: Lang, kind: PredictionKind) -> &'static str {
    lang.pick(match kind {
        PredictionKind::ExpectedAnomaly => ("ожидается аномалия", "anomaly expected"),
        PredictionKind::ProblemMayFollow => ("возможна проблема", "problem may follow"),
    })
}

/// A level as the JSON spells it (`warning`); [`Level::as_str`] is the logs' `WARNING`.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Info => "info",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

/// A prediction kind as the JSON spells it (`expected_anomaly`).
pub fn prediction_kind_name(kind: PredictionKind) -> &'static str {
    match kind {
        PredictionKind::ExpectedAnomaly => "expected_anomaly",
        PredictionKind::ProblemMayFollow => "problem_may_follow",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_chosen_by_their_code() {
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("ru"), Some(Lang::Ru));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::En.pick_all(&[("а", "a"), ("б", "b")]), vec!["a", "b"]);
        assert_eq!(priority(Lang::Ru, Priority::Critical), "критический");
        assert_eq!(
            prediction_kind(Lang::En, PredictionKind::ProblemMayFollow),
            "problem may follow"
        );
    }

    #[test]
    fn wire_spellings_match_the_json() {
        for level in [Level::Info, Level::Warning, Level::Error] {
            let json = serde_json::to_string(&level).expect("json");
            assert_eq!(json, format!("\"{}\"", level_name(level)));
        }
        for kind in [
            PredictionKind::ExpectedAnomaly,
            PredictionKind::ProblemMayFollow,
        ] {
            let json = serde_json::to_string(&kind).expect("json");
            assert_eq!(json, format!("\"{}\"", prediction_kind_name(kind)));
        }
    }
}
