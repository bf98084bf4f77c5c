//! What the job system says about a job's life (queued, started, retried, ended), as typed
//! values with their Russian and English text in one place — the counterpart of the engine's
//! stage notes (`engine::pipeline::Note`).

use std::time::Duration;

use loglens_shared::LocalizedText;

use crate::say;

/// A message of the job system about one job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobNote {
    Queued,
    Started,
    Paused,
    Resumed,
    /// An archive's cases read on several nodes: `done` of `cases` read.
    ReadingCases {
        done: usize,
        cases: usize,
    },
    /// A case read on another node failed (`detail`: its error, as a client may see it).
    CaseFailed {
        case: usize,
        detail: String,
    },
    Restarted,
    Complete,
    CompleteWithWarnings {
        notices: u32,
    },
    Cancelled,
    /// The analysis failed; `detail` is what its error lets a client see.
    Failed {
        detail: String,
    },
    OutOfMemory {
        budget_mib: u64,
    },
    TimedOut {
        limit: Duration,
    },
    Retrying {
        next: u32,
        max: u32,
    },
    RetryQueueFull,
    StoppedItsWorker {
        times: u32,
    },
    UploadGoneAfterRestart,
    WorkerDidNotStart,
    Internal,
}

impl JobNote {
    pub fn text(&self) -> LocalizedText {
        match self {
            JobNote::Queued => LocalizedText::new("В очереди", "Queued"),
            JobNote::Started => say!("Анализ запущен", "Analysis started"),
            JobNote::Paused => say!(
                "Анализ приостановлен; продолжится с начала после «Продолжить»",
                "Analysis paused; it starts over when resumed"
            ),
            JobNote::Resumed => say!(
                "Анализ продолжен: снова в очереди",
                "Analysis resumed: back in the queue"
            ),
            JobNote::Restarted => say!(
                "Перезапуск анализа после остановки",
                "Analysis restarted after a stop"
            ),
            JobNote::Complete => say!("Анализ логов завершен", "Log analysis complete"),
            JobNote::CompleteWithWarnings { notices } => say!(
                "Анализ логов завершен с предупреждениями: {notices}",
                "Log analysis complete with warnings: {notices}"
            ),
            JobNote::Cancelled => say!("Анализ отменён", "Analysis cancelled"),
            JobNote::Failed { detail } => {
                say!("Ошибка анализа", "Analysis failed").with_detail(detail)
            }
            JobNote::OutOfMemory { budget_mib } => say!(
                "Анализу не хватило памяти: он превысил лимит {budget_mib} МБ (LOGLENS_WORKER_MEMORY_MB) и был остановлен",
                "The analysis needed more memory than its limit of {budget_mib} MiB (LOGLENS_WORKER_MEMORY_MB) and was stopped"
            ),
            JobNote::TimedOut { limit } => {
                let secs = limit.as_secs();
                let (ru, en) = if secs.is_multiple_of(60) {
                    let m = secs / 60;
                    (format!("{m} мин"), format!("{m} min"))
                } else {
                    (format!("{secs} с"), format!("{secs} s"))
                };
                say!(
                    "Анализ шёл дольше {ru} (LOGLENS_JOB_TIMEOUT) и был остановлен",
                    "The analysis ran longer than {en} (LOGLENS_JOB_TIMEOUT) and was stopped"
                )
            }
            JobNote::Retrying { next, max } => say!(
                "Обработчик анализа остановился; повтор (попытка {next} из {max})",
                "The analysis worker stopped; trying again (attempt {next} of {max})"
            ),
            JobNote::RetryQueueFull => say!(
                "Обработчик анализа остановился, а очередь заполнена",
                "The analysis worker stopped and the queue is full"
            ),
            JobNote::StoppedItsWorker { times } => say!(
                "Анализ остановил свой обработчик {times} раз",
                "The analysis stopped its worker {times} times"
            ),
            JobNote::ReadingCases { done, cases } => say!(
                "Чтение случаев на нескольких узлах: готово {done} из {cases}",
                "Reading the cases on several nodes: {done} of {cases} done"
            ),
            JobNote::CaseFailed { case, detail } => {
                say!("Случай {case}: {detail}", "Case {case}: {detail}")
            }
            JobNote::UploadGoneAfterRestart => say!(
                "Загруженный архив не найден после перезапуска",
                "The uploaded archive is gone after the restart"
            ),
            JobNote::WorkerDidNotStart => say!(
                "Внутренняя ошибка: обработчик анализа не запустился",
                "Internal error: the analysis worker did not start"
            ),
            JobNote::Internal => say!("Внутренняя ошибка", "Internal error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_said_in_the_unit_they_were_set_in() {
        let m = JobNote::TimedOut {
            limit: Duration::from_secs(1800),
        }
        .text();
        assert!(
            m.en.contains("longer than 30 min") && m.ru.contains("дольше 30 мин"),
            "{m:?}"
        );
        let s = JobNote::TimedOut {
            limit: Duration::from_secs(1),
        }
        .text();
        assert!(s.en.contains("longer than 1 s"), "{s:?}");
        assert_eq!(
            JobNote::Failed {
                detail: "bad zip".into()
            }
            .text()
            .en,
            "Analysis failed: bad zip"
        );
    }
}
