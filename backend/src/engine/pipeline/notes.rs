//! What an analysis says at each stage, as typed values, and their text in both languages —
//! in one place, so every message can be read (and translated) side by side.

use loglens_shared::units::{self, BYTE_UNITS_EN, BYTE_UNITS_RU};
use loglens_shared::{LocalizedText, ModelKind};

use crate::say;

/// Which knowledge base the cases without one of their own use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    Uploaded(String),
    BuiltIn,
}

/// A progress note of the analysis.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    ReadingDirectory,
    Planned {
        cases: usize,
        files: usize,
        bytes: u64,
    },
    LookingForKnowledgeBases,
    KnowledgeBasesFound {
        own: usize,
        cases: usize,
        fallback: Option<Fallback>,
    },
    LoadingModel(ModelKind),
    ModelReady {
        model: ModelKind,
        ms: u128,
    },
    /// The model loads on its own thread while the knowledge base and logs are read.
    ModelLoadingAlongside(ModelKind),
    NoModelNeeded,
    ReadingKnowledgeBases,
    KnowledgeBasesRead {
        bases: usize,
        links: usize,
        playbooks: usize,
    },
    EmbeddingKnowledgeBase {
        done: usize,
        total: usize,
    },
    KnowledgeBaseEmbedded {
        texts: usize,
    },
    NoEmbeddingsNeeded,
    Parsing {
        files: usize,
    },
    Read {
        done: u64,
        total: u64,
    },
    Parsed {
        lines: u64,
        signal_lines: u64,
    },
    ExactMatching,
    SemanticMatching {
        done: usize,
        total: usize,
    },
    Matched {
        links: usize,
    },
    RankingIncidents,
    Incidents {
        count: usize,
    },
    PredictingAndNovel,
    Predicted {
        predictions: usize,
        novel: usize,
    },
    WritingSubmitReport,
    SubmitReportWritten {
        rows: usize,
    },
    Recommending,
    Done {
        playbooks: usize,
        zip: String,
    },
}

impl Note {
    /// The note in Russian (the protocol's `message`) and English.
    pub fn text(&self) -> LocalizedText {
        match self {
            Note::ReadingDirectory => {
                say!(
                    "Чтение оглавления архива",
                    "Reading the archive's directory"
                )
            }
            Note::Planned {
                cases,
                files,
                bytes,
            } => {
                let (size_ru, size_en) = sizes(*bytes);
                say!(
                    "Сценариев: {cases}, лог-файлов: {files}, {size_ru}",
                    "Scenarios: {cases}, log files: {files}, {size_en}"
                )
            }
            Note::LookingForKnowledgeBases => {
                say!(
                    "Поиск anomalies_problems.*",
                    "Looking for anomalies_problems.*"
                )
            }
            Note::KnowledgeBasesFound {
                own,
                cases,
                fallback,
            } => match fallback {
                None => say!(
                    "Базы знаний найдены для всех {own} сценариев",
                    "Knowledge bases found for all {own} scenarios"
                ),
                Some(f) => {
                    let LocalizedText { ru, en } = match f {
                        Fallback::Uploaded(name) => {
                            say!("загруженная ({name})", "the uploaded one ({name})")
                        }
                        Fallback::BuiltIn => say!("встроенная", "the built-in one"),
                    };
                    say!(
                        "Своя база знаний: {own} из {cases}; остальным — {ru}",
                        "Own knowledge base: {own} of {cases}; the others use {en}"
                    )
                }
            },
            Note::LoadingModel(name) => say!("Загрузка модели {name}", "Loading the {name} model"),
            Note::ModelReady { model, ms } => say!(
                "Модель {model} готова ({ms} мс)",
                "The {model} model is ready ({ms} ms)"
            ),
            Note::ModelLoadingAlongside(name) => say!(
                "Модель {name} загружается параллельно с чтением журналов",
                "The {name} model is loading while the logs are read"
            ),
            Note::NoModelNeeded => say!(
                "Только точное совпадение: модель не нужна",
                "Exact matching only: no model needed"
            ),
            Note::ReadingKnowledgeBases => {
                say!(
                    "Чтение базы знаний и плейбуков",
                    "Reading the knowledge base and playbooks"
                )
            }
            Note::KnowledgeBasesRead {
                bases,
                links,
                playbooks,
            } => say!(
                "Баз знаний: {bases}, связей аномалия→проблема: {links}, плейбуков: {playbooks}",
                "Knowledge bases: {bases}, anomaly→problem links: {links}, playbooks: {playbooks}"
            ),
            Note::EmbeddingKnowledgeBase { done, total } => say!(
                "Эмбеддинги базы знаний: {done}/{total}",
                "Knowledge base embeddings: {done}/{total}"
            ),
            Note::KnowledgeBaseEmbedded { texts } => say!(
                "Эмбеддинги базы знаний готовы: {texts} текстов",
                "Knowledge base embeddings ready: {texts} texts"
            ),
            Note::NoEmbeddingsNeeded => say!(
                "Эмбеддинги не нужны (точное совпадение)",
                "No embeddings needed (exact matching)"
            ),
            Note::Parsing { files } => say!("Парсинг {files} файлов", "Parsing {files} files"),
            Note::Read { done, total } => {
                let ((done_ru, done_en), (total_ru, total_en)) = (sizes(*done), sizes(*total));
                say!(
                    "Прочитано {done_ru} из {total_ru}",
                    "Read {done_en} of {total_en}"
                )
            }
            Note::Parsed {
                lines,
                signal_lines,
            } => say!(
                "Прочитано строк: {lines}; WARNING/ERROR: {signal_lines}",
                "Lines read: {lines}; WARNING/ERROR: {signal_lines}"
            ),
            Note::ExactMatching => say!(
                "Точное сопоставление с базой знаний",
                "Exact matching against the knowledge base"
            ),
            Note::SemanticMatching { done, total } => say!(
                "Семантическое сопоставление: {done}/{total} сообщений",
                "Semantic matching: {done}/{total} messages"
            ),
            Note::Matched { links } => say!(
                "Найдено связей аномалия→проблема: {links}",
                "Anomaly→problem links found: {links}"
            ),
            Note::RankingIncidents => say!("Ранжирование инцидентов", "Ranking incidents"),
            Note::Incidents { count } => say!("Инцидентов: {count}", "Incidents: {count}"),
            Note::PredictingAndNovel => {
                say!(
                    "Прогнозы и новые аномалии",
                    "Predictions and novel anomalies"
                )
            }
            Note::Predicted { predictions, novel } => say!(
                "Прогнозов: {predictions}, новых аномалий: {novel}",
                "Predictions: {predictions}, novel anomalies: {novel}"
            ),
            Note::WritingSubmitReport => {
                say!(
                    "Формирование submit_report.xlsx",
                    "Writing submit_report.xlsx"
                )
            }
            Note::SubmitReportWritten { rows } => {
                say!(
                    "submit_report.xlsx: {rows} строк",
                    "submit_report.xlsx: {rows} rows"
                )
            }
            Note::Recommending => say!("Рекомендации по устранению", "Remediation playbooks"),
            Note::Done { playbooks, zip } => say!(
                "Готово: {playbooks} рекомендаций, {zip}",
                "Done: {playbooks} playbooks, {zip}"
            ),
        }
    }
}

/// A size in both languages' units (the web app formats its own figures the same way).
fn sizes(n: u64) -> (String, String) {
    (
        units::bytes(n, &BYTE_UNITS_RU),
        units::bytes(n, &BYTE_UNITS_EN),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_messages_match_the_web_app() {
        assert_eq!(sizes(999), ("999 Б".to_owned(), "999 B".to_owned()));
        assert_eq!(sizes(1_536), ("1.5 КБ".to_owned(), "1.5 KiB".to_owned()));
    }

    #[test]
    fn notes_say_their_facts_in_both_languages() {
        let n = Note::KnowledgeBasesFound {
            own: 2,
            cases: 3,
            fallback: Some(Fallback::Uploaded("kb.csv".into())),
        };
        assert_eq!(
            n.text(),
            LocalizedText::new(
                "Своя база знаний: 2 из 3; остальным — загруженная (kb.csv)",
                "Own knowledge base: 2 of 3; the others use the uploaded one (kb.csv)"
            )
        );
        let m = Note::ModelReady {
            model: ModelKind::Heavy,
            ms: 12,
        }
        .text();
        assert_eq!(m.en, "The heavy model is ready (12 ms)");
        assert_eq!(
            Note::Read {
                done: 1_536,
                total: 3_072
            }
            .text()
            .en,
            "Read 1.5 KiB of 3.0 KiB"
        );
    }
}
