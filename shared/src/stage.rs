//! The eleven analysis stages of the progress protocol (SPEC §4), with their labels and
//! percent ranges. The engine reports a stage and a fraction done within it; the percent a
//! client shows is always derived here, so every transport shows the same number.

use serde::{Deserialize, Serialize};

/// One analysis stage, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Unpack,
    FindKnowledgeBase,
    LoadModel,
    LoadKnowledgeBase,
    EmbedKnowledgeBase,
    ParseLogs,
    Classify,
    IncidentReport,
    ExtraReports,
    SubmitReport,
    Recommendations,
}

impl Stage {
    /// All stages in execution order.
    pub const ALL: [Stage; 11] = [
        Stage::Unpack,
        Stage::FindKnowledgeBase,
        Stage::LoadModel,
        Stage::LoadKnowledgeBase,
        Stage::EmbedKnowledgeBase,
        Stage::ParseLogs,
        Stage::Classify,
        Stage::IncidentReport,
        Stage::ExtraReports,
        Stage::SubmitReport,
        Stage::Recommendations,
    ];

    /// 1-based position, as shown to users ("stage 3 of 11").
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// Percent range `[start, end)` of the overall progress bar this stage covers.
    pub fn range(self) -> (u8, u8) {
        match self {
            Stage::Unpack => (0, 10),
            Stage::FindKnowledgeBase => (10, 15),
            Stage::LoadModel => (15, 30),
            Stage::LoadKnowledgeBase => (30, 40),
            Stage::EmbedKnowledgeBase => (40, 50),
            Stage::ParseLogs => (50, 60),
            Stage::Classify => (60, 75),
            Stage::IncidentReport => (75, 80),
            Stage::ExtraReports => (80, 85),
            Stage::SubmitReport => (85, 92),
            Stage::Recommendations => (92, 100),
        }
    }

    /// Label in Russian, the users' language and the prototype's UI.
    pub fn label_ru(self) -> &'static str {
        match self {
            Stage::Unpack => "Распаковка архива",
            Stage::FindKnowledgeBase => "Поиск базы знаний",
            Stage::LoadModel => "Загрузка ML модели",
            Stage::LoadKnowledgeBase => "Загрузка базы знаний",
            Stage::EmbedKnowledgeBase => "Генерация эмбеддингов",
            Stage::ParseLogs => "Парсинг логов",
            Stage::Classify => "ML-классификация",
            Stage::IncidentReport => "Генерация отчетов",
            Stage::ExtraReports => "Дополнительные отчеты",
            Stage::SubmitReport => "Итоговый отчет",
            Stage::Recommendations => "Генерация рекомендаций",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Stage::Unpack => "Unpacking archive",
            Stage::FindKnowledgeBase => "Finding knowledge base",
            Stage::LoadModel => "Loading ML model",
            Stage::LoadKnowledgeBase => "Loading knowledge base",
            Stage::EmbedKnowledgeBase => "Embedding knowledge base",
            Stage::ParseLogs => "Parsing logs",
            Stage::Classify => "ML classification",
            Stage::IncidentReport => "Incident report",
            Stage::ExtraReports => "Additional reports",
            Stage::SubmitReport => "Submission report",
            Stage::Recommendations => "Recommendations",
        }
    }

    /// Overall percent for `fraction` (clamped to 0..=1) of this stage done.
    /// Never reaches the next stage's start, so percent only grows with the stage index.
    pub fn percent(self, fraction: f64) -> u8 {
        let (start, end) = self.range();
        let f = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let span = f64::from(end - start);
        // floor keeps `percent(1.0) == end` only for the last stage's 100; others stay below end
        let p = f64::from(start) + (span * f).floor();
        if self == Stage::Recommendations {
            p as u8
        } else {
            (p as u8).min(end - 1).max(start)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_zero_to_hundred_in_order() {
        let mut expected_start = 0;
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.number()), i + 1);
            let (a, b) = s.range();
            assert_eq!(a, expected_start, "{s:?} starts where the previous ended");
            assert!(b > a);
            expected_start = b;
        }
        assert_eq!(expected_start, 100);
    }

    #[test]
    fn percent_is_monotonic_across_all_stages() {
        let mut last = 0;
        for s in Stage::ALL {
            for k in 0..=20 {
                let p = s.percent(f64::from(k) / 20.0);
                assert!(p >= last, "{s:?} at {k}/20 gave {p} after {last}");
                last = p;
            }
        }
        assert_eq!(last, 100);
        assert_eq!(Stage::LoadModel.percent(f64::NAN), 15);
        assert_eq!(Stage::LoadModel.percent(7.0), 29);
    }

    #[test]
    fn labels_match_the_spec() {
        assert_eq!(Stage::Unpack.label_ru(), "Распаковка архива");
        assert_eq!(Stage::Recommendations.label_ru(), "Генерация рекомендаций");
        assert_eq!(Stage::Classify.label_en(), "ML classification");
    }

    #[test]
    fn serialises_as_snake_case() {
        let json = serde_json::to_string(&Stage::FindKnowledgeBase).expect("serialises");
        assert_eq!(json, "\"find_knowledge_base\"");
    }
}
