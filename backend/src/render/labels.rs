//! Words the renderers print that the shared vocabulary does not spell for them: the wire
//! (serde) spellings the XML uses where [`loglens_shared::vocab`] only has another one, and
//! the Russian names the workbooks show.

use loglens_shared::report::{Level, PredictionKind};

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

/// A prediction kind for people, in the workbooks' Russian.
pub fn prediction_kind_ru(kind: PredictionKind) -> &'static str {
    match kind {
        PredictionKind::ExpectedAnomaly => "ожидается аномалия",
        PredictionKind::ProblemMayFollow => "возможна проблема",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
