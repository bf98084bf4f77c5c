//! What the server reports as typed values — API problems (`code` + facts) and the notices of
//! a finished analysis — said in the UI's two languages. Every variant is matched, so a code
//! the server gains fails to compile here until it has its words.
//!
//! Pure: tested natively.

use loglens_shared::api::{KbFault, PlaybookFault, Problem, RowFault};
use loglens_shared::report::Notice;
use loglens_shared::session::JobState;
use loglens_shared::units::{self, BYTE_UNITS_EN, BYTE_UNITS_RU};

/// Digit-group separator of Russian: a no-break space.
pub const GROUP_RU: &str = "\u{a0}";
pub const GROUP_EN: &str = ",";

fn n_ru(n: u64) -> String {
    units::grouped(n, GROUP_RU)
}

fn n_en(n: u64) -> String {
    units::grouped(n, GROUP_EN)
}

fn state_ru(s: JobState) -> &'static str {
    match s {
        JobState::Queued => "в очереди",
        JobState::Running => "выполняется",
        JobState::Paused => "приостановлено",
        JobState::Succeeded => "готово",
        JobState::Failed => "ошибка",
        JobState::Cancelled => "отменено",
    }
}

fn row_ru(r: &RowFault) -> String {
    match r {
        RowFault::Columns { found } => format!(
            "нужно 4 столбца (ID аномалии; Аномалия; ID проблемы; Проблема), найдено {found}"
        ),
        RowFault::AnomalyId { value } => format!("ID аномалии «{value}» — не целое число"),
        RowFault::ProblemId { value } => format!("ID проблемы «{value}» — не целое число"),
        RowFault::EmptyText => "пустой текст аномалии или проблемы".into(),
        RowFault::Malformed => "строка CSV повреждена (кавычки или кодировка)".into(),
    }
}

fn row_en(r: &RowFault) -> String {
    match r {
        RowFault::Columns { found } => format!(
            "4 columns are needed (anomaly id; anomaly; problem id; problem), found {found}"
        ),
        RowFault::AnomalyId { value } => format!("anomaly id «{value}» is not a whole number"),
        RowFault::ProblemId { value } => format!("problem id «{value}» is not a whole number"),
        RowFault::EmptyText => "empty anomaly or problem text".into(),
        RowFault::Malformed => "a malformed CSV row (quotes or encoding)".into(),
    }
}

/// An API problem in Russian; `detail` (the server's English) only for codes this client
/// does not know.
pub fn problem_ru(p: &Problem, detail: &str) -> String {
    match p {
        Problem::NotFound => "Такого адреса API нет".into(),
        Problem::UnknownSession { .. } => "Анализ не найден".into(),
        Problem::DeletedSession { .. } => "Этот анализ удалён".into(),
        Problem::UploadGone { .. } => {
            "Архив этого анализа уже не хранится на сервере; загрузите его заново".into()
        }
        Problem::BadUpload => {
            "Сервер не смог прочитать отправленную форму; попробуйте ещё раз".into()
        }
        Problem::MissingArchive => "Не выбран архив .zip".into(),
        Problem::NotAZip { file } => format!(
            "«{file}» — не архив ZIP, tar или gzip и не журнал; нужен .zip, .tar, .tar.gz, .tgz, .gz, .log или .txt"
        ),
        Problem::EmptyFile { file } => format!("Файл «{file}» пуст"),
        Problem::BadField { field } => {
            format!("Поле «{field}» содержит значение, которое сервер не принимает")
        }
        Problem::ArchiveUnreadable { file } => {
            format!("«{file}» не читается как архив ZIP: он повреждён или обрезан")
        }
        Problem::ArchiveCorrupt { file, entry } => {
            format!("В архиве «{file}» повреждён файл «{entry}»")
        }
        Problem::ArchiveUnsafePath { file, entry } => format!(
            "В архиве «{file}» путь «{entry}» ведёт за пределы архива; такие архивы не принимаются"
        ),
        Problem::ArchiveEncrypted { file, entry } => format!(
            "Архив «{file}» зашифрован (файл «{entry}»); зашифрованные архивы не поддерживаются"
        ),
        Problem::ArchiveTooManyEntries { file, count, max } => format!(
            "В архиве «{file}» {} файлов — больше допустимых {}",
            n_ru(*count),
            n_ru(*max)
        ),
        Problem::ArchiveTooLarge { file, max } => format!(
            "Архив «{file}» распаковывается больше чем в {}",
            units::bytes(*max, &BYTE_UNITS_RU)
        ),
        Problem::ArchiveBomb {
            file,
            entry,
            ratio,
            max,
        } => format!(
            "Файл «{entry}» в архиве «{file}» сжат в {ratio} раз (допустимо {max}): похоже на zip-бомбу"
        ),
        Problem::ArchiveNoLogs { file } => {
            format!(
                "В архиве «{file}» нет журналов (файлов *.log, *.txt, app.log.1 или без расширения, как syslog)"
            )
        }
        Problem::ScenarioCollision {
            id, first, second, ..
        } => format!(
            "Номер сценария {id} получили две папки: «{first}» и «{second}»; переименуйте одну"
        ),
        Problem::KbInvalid {
            file,
            fault,
            line,
            row,
        } => {
            let head = match fault {
                KbFault::Unreadable => {
                    format!("База знаний «{file}» не читается как CSV или книга Excel")
                }
                KbFault::SheetTooLarge => format!(
                    "Первый лист базы знаний «{file}» занимает больше ячеек, чем бывает в базе знаний"
                ),
                KbFault::NoUsableRows => {
                    format!("В базе знаний «{file}» нет ни одной пригодной строки")
                }
                KbFault::TooLarge => format!("База знаний «{file}» больше допустимого размера"),
            };
            match (line, row) {
                (Some(l), Some(r)) => format!("{head}; строка {l}: {}", row_ru(r)),
                _ => head,
            }
        }
        Problem::PlaybooksInvalid {
            file,
            fault,
            line,
            problem_id,
        } => {
            let id = problem_id.map_or_else(String::new, |i| i.to_string());
            match fault {
                PlaybookFault::NotUtf8 => format!("Файл плейбуков «{file}» не в кодировке UTF-8"),
                PlaybookFault::Syntax => format!(
                    "Файл плейбуков «{file}»{}: ошибка формата (нужен TOML или JSON со списком [[playbook]]: problem_id, problem, priority, summary, steps)",
                    line.map_or_else(String::new, |l| format!(", строка {l}"))
                ),
                PlaybookFault::NoSteps => {
                    format!("Файл плейбуков «{file}»: у плейбука проблемы {id} нет шагов")
                }
                PlaybookFault::Duplicate => {
                    format!("Файл плейбуков «{file}»: у проблемы {id} два плейбука")
                }
            }
        }
        Problem::FormatsInvalid {
            file,
            line,
            format,
            reason,
        } => {
            let at = where_in_formats(*line, format.as_deref(), ("строка", "формат"));
            format!("Файл форматов журналов «{file}»{at}: {reason}")
        }
        Problem::GlossaryInvalid { file, line, reason } => {
            let at = line.map_or_else(String::new, |l| format!(", строка {l}"));
            format!("Глоссарий «{file}»{at}: {reason}")
        }
        Problem::UploadTooLarge { limit } => format!(
            "Файл больше допустимых {}",
            units::bytes(*limit, &BYTE_UNITS_RU)
        ),
        Problem::QueueFull { capacity } => format!(
            "Очередь заполнена (ждут {} анализов); попробуйте через минуту",
            n_ru(*capacity)
        ),
        Problem::NotReady { state, .. } => {
            format!("Анализ ещё не завершён ({})", state_ru(*state))
        }
        Problem::StateConflict { state, action, .. } => match action.as_str() {
            "resume" => format!(
                "Продолжить можно только приостановленный анализ ({})",
                state_ru(*state)
            ),
            _ => format!(
                "Анализ уже завершён ({}); приостановить нельзя",
                state_ru(*state)
            ),
        },
        Problem::UnknownReport { name } => format!("Нет отчёта «{name}»"),
        Problem::BadRequest => "Сервер отклонил запрос".into(),
        Problem::Unauthorized => "Нужен токен доступа".into(),
        Problem::RateLimited { wait_secs } => {
            format!("Слишком много загрузок подряд; повторите через {wait_secs} с")
        }
        Problem::UploadStalled { secs } => format!(
            "Загрузка остановилась (ничего не приходило {secs} с) и была прервана; попробуйте ещё раз"
        ),
        Problem::TooManyUploads { limit } => {
            format!(
                "С этого компьютера уже идут {limit} загрузки; дождитесь окончания одной из них"
            )
        }
        Problem::InsufficientStorage => "На диске сервера нет места для этой загрузки".into(),
        Problem::UnknownUpload { .. } => {
            "Сервер не знает этой прерванной загрузки (она истекла или удалена); выберите файл ещё раз".into()
        }
        Problem::UploadOffsetMismatch { offset } => format!(
            "Сервер уже получил {} этой загрузки; она продолжится с этого места",
            units::bytes(*offset, &BYTE_UNITS_RU)
        ),
        Problem::UploadIncomplete { offset, length, .. } => format!(
            "Загрузка не закончена: на сервере {} из {}",
            units::bytes(*offset, &BYTE_UNITS_RU),
            units::bytes(*length, &BYTE_UNITS_RU)
        ),
        Problem::UploadBusy { .. } => {
            "Эту загрузку сейчас продолжает другая вкладка; попробуйте чуть позже".into()
        }
        Problem::UploadContentType | Problem::TusVersion => {
            "Клиент загрузки говорит на протоколе, которого сервер не понимает (нужен tus 1.0.0)".into()
        }
        Problem::MisdirectedHost { host } => format!(
            "Сервер не отвечает на имя «{host}»; его администратор может добавить имя в LOGLENS_ALLOWED_HOSTS"
        ),
        Problem::ForeignOrigin => "Страница другого сайта не может следить за анализом".into(),
        Problem::StorageError => "Ошибка хранилища на сервере; попробуйте позже".into(),
        Problem::InternalError => "Внутренняя ошибка сервера; попробуйте позже".into(),
        Problem::Unknown => detail.to_owned(),
    }
}

/// An API problem in English.
pub fn problem_en(p: &Problem, detail: &str) -> String {
    match p {
        Problem::NotFound => "No such API address".into(),
        Problem::UnknownSession { .. } => "No such analysis".into(),
        Problem::DeletedSession { .. } => "This analysis was deleted".into(),
        Problem::UploadGone { .. } => {
            "The archive of this analysis is no longer kept on the server; upload it again".into()
        }
        Problem::BadUpload => "The server could not read the form that was sent; try again".into(),
        Problem::MissingArchive => "No .zip archive was chosen".into(),
        Problem::NotAZip { file } => format!(
            "«{file}» is not a ZIP, tar or gzip archive, nor a log; a .zip, .tar, .tar.gz, .tgz, .gz, .log or .txt is needed"
        ),
        Problem::EmptyFile { file } => format!("«{file}» is empty"),
        Problem::BadField { field } => {
            format!("The field «{field}» has a value the server does not accept")
        }
        Problem::ArchiveUnreadable { file } => {
            format!("«{file}» cannot be read as a ZIP archive: it is damaged or cut short")
        }
        Problem::ArchiveCorrupt { file, entry } => {
            format!("The file «{entry}» in «{file}» is damaged")
        }
        Problem::ArchiveUnsafePath { file, entry } => format!(
            "In «{file}» the path «{entry}» leads outside the archive; such archives are refused"
        ),
        Problem::ArchiveEncrypted { file, entry } => format!(
            "«{file}» is encrypted (the file «{entry}»); encrypted archives are not supported"
        ),
        Problem::ArchiveTooManyEntries { file, count, max } => format!(
            "«{file}» holds {} files, more than the {} allowed",
            n_en(*count),
            n_en(*max)
        ),
        Problem::ArchiveTooLarge { file, max } => format!(
            "«{file}» unpacks to more than {}",
            units::bytes(*max, &BYTE_UNITS_EN)
        ),
        Problem::ArchiveBomb {
            file,
            entry,
            ratio,
            max,
        } => format!(
            "«{entry}» in «{file}» is compressed {ratio} times (at most {max}): it looks like a zip bomb"
        ),
        Problem::ArchiveNoLogs { file } => {
            format!(
                "«{file}» holds no logs (*.log, *.txt, app.log.1, or files without an extension such as syslog)"
            )
        }
        Problem::ScenarioCollision {
            id, first, second, ..
        } => format!("Two folders got scenario number {id}: «{first}» and «{second}»; rename one"),
        Problem::KbInvalid {
            file,
            fault,
            line,
            row,
        } => {
            let head = match fault {
                KbFault::Unreadable => {
                    format!(
                        "The knowledge base «{file}» cannot be read as CSV or an Excel workbook"
                    )
                }
                KbFault::SheetTooLarge => format!(
                    "The first sheet of the knowledge base «{file}» spans more cells than a knowledge base can"
                ),
                KbFault::NoUsableRows => {
                    format!("The knowledge base «{file}» has no usable row")
                }
                KbFault::TooLarge => {
                    format!("The knowledge base «{file}» is larger than allowed")
                }
            };
            match (line, row) {
                (Some(l), Some(r)) => format!("{head}; line {l}: {}", row_en(r)),
                _ => head,
            }
        }
        Problem::PlaybooksInvalid {
            file,
            fault,
            line,
            problem_id,
        } => {
            let id = problem_id.map_or_else(String::new, |i| i.to_string());
            match fault {
                PlaybookFault::NotUtf8 => format!("The playbook file «{file}» is not UTF-8"),
                PlaybookFault::Syntax => format!(
                    "The playbook file «{file}»{}: a format error (TOML or JSON with a [[playbook]] list is needed: problem_id, problem, priority, summary, steps)",
                    line.map_or_else(String::new, |l| format!(", line {l}"))
                ),
                PlaybookFault::NoSteps => {
                    format!("The playbook file «{file}»: the playbook of problem {id} has no steps")
                }
                PlaybookFault::Duplicate => {
                    format!("The playbook file «{file}»: problem {id} has two playbooks")
                }
            }
        }
        Problem::FormatsInvalid {
            file,
            line,
            format,
            reason,
        } => {
            let at = where_in_formats(*line, format.as_deref(), ("line", "format"));
            format!("The log formats file «{file}»{at}: {reason}")
        }
        Problem::GlossaryInvalid { file, line, reason } => {
            let at = line.map_or_else(String::new, |l| format!(", line {l}"));
            format!("The glossary «{file}»{at}: {reason}")
        }
        Problem::UploadTooLarge { limit } => format!(
            "The file is larger than the {} allowed",
            units::bytes(*limit, &BYTE_UNITS_EN)
        ),
        Problem::QueueFull { capacity } => format!(
            "The queue is full ({} analyses waiting); try again in a minute",
            n_en(*capacity)
        ),
        Problem::NotReady { state, .. } => {
            format!("The analysis has not finished ({})", state.as_str())
        }
        Problem::StateConflict { state, action, .. } => match action.as_str() {
            "resume" => format!("Only a paused analysis can be resumed ({})", state.as_str()),
            _ => format!(
                "The analysis has already finished ({}); it cannot be paused",
                state.as_str()
            ),
        },
        Problem::UnknownReport { name } => format!("No report «{name}»"),
        Problem::BadRequest => "The server refused the request".into(),
        Problem::Unauthorized => "An access token is required".into(),
        Problem::RateLimited { wait_secs } => {
            format!("Too many uploads in a row; try again in {wait_secs} s")
        }
        Problem::UploadStalled { secs } => {
            format!("The upload stalled (nothing arrived for {secs} s) and was dropped; try again")
        }
        Problem::TooManyUploads { limit } => {
            format!("This computer already has {limit} uploads in progress; wait for one to finish")
        }
        Problem::InsufficientStorage => "The server's disk has no room for this upload".into(),
        Problem::UnknownUpload { .. } => {
            "The server does not know this interrupted upload (it expired or was removed); choose the file again".into()
        }
        Problem::UploadOffsetMismatch { offset } => format!(
            "The server already holds {} of this upload; it goes on from there",
            units::bytes(*offset, &BYTE_UNITS_EN)
        ),
        Problem::UploadIncomplete { offset, length, .. } => format!(
            "The upload is not finished: the server holds {} of {}",
            units::bytes(*offset, &BYTE_UNITS_EN),
            units::bytes(*length, &BYTE_UNITS_EN)
        ),
        Problem::UploadBusy { .. } => {
            "Another tab is sending this upload now; try again shortly".into()
        }
        Problem::UploadContentType | Problem::TusVersion => {
            "The upload client speaks a protocol this server does not (tus 1.0.0 is needed)".into()
        }
        Problem::MisdirectedHost { host } => format!(
            "The server does not answer to the name «{host}»; its administrator can add it to LOGLENS_ALLOWED_HOSTS"
        ),
        Problem::ForeignOrigin => "A page of another site cannot follow an analysis".into(),
        Problem::StorageError => "A storage error on the server; try again later".into(),
        Problem::InternalError => "An internal server error; try again later".into(),
        Problem::Unknown => detail.to_owned(),
    }
}

/// A notice of a finished analysis in Russian.
pub fn notice_ru(n: &Notice) -> String {
    match n {
        Notice::MostlyUnreadable { unparsable, lines } => format!(
            "Не прочитано {} из {} строк: в них нет метки времени и уровня (INFO/WARNING/ERROR), которые LogLens знает. Результаты неполны.",
            n_ru(*unparsable),
            n_ru(*lines)
        ),
        Notice::UnreadableFile {
            file,
            unparsable,
            lines,
            first,
        } => format!(
            "«{file}»: не прочитано {} из {} строк — формат файла LogLens не знает, его данные неполны. Первая такая строка ({}): «{}»",
            n_ru(*unparsable),
            n_ru(*lines),
            first.line,
            first.text
        ),
        Notice::NoSignalLines { lines } => format!(
            "Прочитано строк: {}, но среди них нет ни одной WARNING или ERROR.",
            n_ru(*lines)
        ),
        Notice::NothingMatched { signal_lines } => format!(
            "Строк WARNING/ERROR: {}, но ни одна не совпала с базой знаний.",
            n_ru(*signal_lines)
        ),
        Notice::UploadedKbUnused { file } => format!(
            "Загруженная база знаний «{file}» не использована: у каждого сценария в архиве есть своя."
        ),
        Notice::CyrillicWithLight {
            cyrillic,
            signal_lines,
        } => format!(
            "{} из {} строк WARNING/ERROR написаны кириллицей, а модель Light читает только английский: совпадения по смыслу могли быть пропущены.",
            n_ru(*cyrillic),
            n_ru(*signal_lines)
        ),
        Notice::KbRowsSkipped {
            source,
            count,
            first_line,
            first,
        } => format!(
            "База знаний «{source}»: пропущено строк — {}; первая — строка {first_line}: {}.",
            n_ru(*count),
            row_ru(first)
        ),
        Notice::NestedArchiveIgnored { entry } => {
            format!("Вложенный архив «{entry}» не открывался: загрузите его содержимое отдельно.")
        }
        Notice::BinaryFileSkipped { file } => {
            format!("«{file}» — не текстовый файл (двоичный или UTF-16), он пропущен.")
        }
        Notice::NamesRecoded { count } => format!(
            "Имена файлов ({}) были не в UTF-8 и прочитаны как CP866.",
            n_ru(*count)
        ),
        Notice::SeveralKnowledgeBases { folder, used } => {
            format!("В папке «{folder}» несколько баз знаний; использована «{used}».")
        }
        Notice::ErrorsUnlisted { lines } => format!(
            "Память для строк журналов закончилась: {} строк ERROR известных проблем посчитаны, но не перечислены в отчёте.",
            n_ru(*lines)
        ),
        Notice::MessagesNotAnalysed { lines } => format!(
            "Память для строк журналов закончилась: {} строк WARNING/ERROR с новыми сообщениями только посчитаны, но не разобраны.",
            n_ru(*lines)
        ),
    }
}

/// A notice of a finished analysis in English.
pub fn notice_en(n: &Notice) -> String {
    match n {
        Notice::MostlyUnreadable { unparsable, lines } => format!(
            "{} of {} lines were not read: they carry no timestamp and level (INFO/WARNING/ERROR) LogLens knows. The results are incomplete.",
            n_en(*unparsable),
            n_en(*lines)
        ),
        Notice::UnreadableFile {
            file,
            unparsable,
            lines,
            first,
        } => format!(
            "«{file}»: {} of {} lines could not be read — LogLens does not know this file's format, so its figures are incomplete. The first such line ({}): «{}»",
            n_en(*unparsable),
            n_en(*lines),
            first.line,
            first.text
        ),
        Notice::NoSignalLines { lines } => format!(
            "{} lines were read, but not one is a WARNING or an ERROR.",
            n_en(*lines)
        ),
        Notice::NothingMatched { signal_lines } => format!(
            "{} WARNING/ERROR lines were read, but none matched the knowledge base.",
            n_en(*signal_lines)
        ),
        Notice::UploadedKbUnused { file } => format!(
            "The uploaded knowledge base «{file}» was not used: every case in the archive has its own."
        ),
        Notice::CyrillicWithLight {
            cyrillic,
            signal_lines,
        } => format!(
            "{} of {} WARNING/ERROR lines are written in Cyrillic, and the Light model reads only English: matches by meaning may have been missed.",
            n_en(*cyrillic),
            n_en(*signal_lines)
        ),
        Notice::KbRowsSkipped {
            source,
            count,
            first_line,
            first,
        } => format!(
            "Knowledge base «{source}»: {} rows skipped; the first at line {first_line}: {}.",
            n_en(*count),
            row_en(first)
        ),
        Notice::NestedArchiveIgnored { entry } => format!(
            "The nested archive «{entry}» was not opened: upload its contents on their own."
        ),
        Notice::BinaryFileSkipped { file } => {
            format!("«{file}» is not a text file (binary or UTF-16) and was skipped.")
        }
        Notice::NamesRecoded { count } => format!(
            "{} file names were not UTF-8 and were read as CP866.",
            n_en(*count)
        ),
        Notice::SeveralKnowledgeBases { folder, used } => {
            format!("The folder «{folder}» holds several knowledge bases; «{used}» was used.")
        }
        Notice::ErrorsUnlisted { lines } => format!(
            "The memory for log lines ran out: {} ERROR lines of known problems were counted but are not listed in the report.",
            n_en(*lines)
        ),
        Notice::MessagesNotAnalysed { lines } => format!(
            "The memory for log lines ran out: {} WARNING/ERROR lines with new messages were only counted, not analysed.",
            n_en(*lines)
        ),
    }
}

/// Where in a formats file the mistake is: its line (TOML syntax) or its format, in `words`.
fn where_in_formats(line: Option<u64>, format: Option<&str>, words: (&str, &str)) -> String {
    match (line, format) {
        (Some(l), _) => format!(", {} {l}", words.0),
        (None, Some(f)) => format!(", {} «{f}»", words.1),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cyrillic(s: &str) -> bool {
        s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c))
    }

    fn samples() -> Vec<Problem> {
        vec![
            Problem::NotFound,
            Problem::ArchiveNoLogs {
                file: "logs.zip".into(),
            },
            Problem::KbInvalid {
                file: "kb.csv".into(),
                fault: KbFault::NoUsableRows,
                line: Some(3),
                row: Some(RowFault::Columns { found: 2 }),
            },
            Problem::PlaybooksInvalid {
                file: "p.toml".into(),
                fault: PlaybookFault::Syntax,
                line: Some(7),
                problem_id: None,
            },
            Problem::QueueFull { capacity: 1600 },
            Problem::UploadTooLarge { limit: 2 << 30 },
            Problem::UploadIncomplete {
                id: "u".into(),
                offset: 512,
                length: 2048,
            },
            Problem::UnknownUpload { id: "u".into() },
        ]
    }

    #[test]
    fn problems_name_the_file_and_line_in_each_language() {
        let kb = &samples()[2];
        assert_eq!(
            problem_ru(kb, ""),
            "В базе знаний «kb.csv» нет ни одной пригодной строки; строка 3: нужно 4 столбца (ID аномалии; Аномалия; ID проблемы; Проблема), найдено 2"
        );
        assert_eq!(
            problem_en(kb, ""),
            "The knowledge base «kb.csv» has no usable row; line 3: 4 columns are needed (anomaly id; anomaly; problem id; problem), found 2"
        );
        assert!(problem_ru(&samples()[3], "").contains("«p.toml», строка 7"));
        assert_eq!(
            problem_en(&samples()[4], ""),
            "The queue is full (1,600 analyses waiting); try again in a minute"
        );
        assert!(problem_ru(&samples()[4], "").contains("1\u{a0}600"));
        assert!(problem_en(&samples()[5], "").contains("2.0 GiB"));
        let formats = |line, format: Option<&str>| Problem::FormatsInvalid {
            file: "f.toml".into(),
            line,
            format: format.map(str::to_owned),
            reason: "no `timestamp` group".into(),
        };
        assert_eq!(
            problem_ru(&formats(Some(3), None), ""),
            "Файл форматов журналов «f.toml», строка 3: no `timestamp` group"
        );
        assert_eq!(
            problem_en(&formats(None, Some("billing")), ""),
            "The log formats file «f.toml», format «billing»: no `timestamp` group"
        );
        let glossary = |line| Problem::GlossaryInvalid {
            file: "terms.csv".into(),
            line,
            reason: "no canonical text".into(),
        };
        assert_eq!(
            problem_ru(&glossary(Some(4)), ""),
            "Глоссарий «terms.csv», строка 4: no canonical text"
        );
        assert_eq!(
            problem_en(&glossary(None), ""),
            "The glossary «terms.csv»: no canonical text"
        );
    }

    #[test]
    fn russian_is_russian_and_english_has_no_cyrillic() {
        for p in samples() {
            assert!(cyrillic(&problem_ru(&p, "x")), "{p:?}");
            assert!(!cyrillic(&problem_en(&p, "x")), "{p:?}");
        }
        let n = Notice::CyrillicWithLight {
            cyrillic: 9,
            signal_lines: 10,
        };
        assert!(cyrillic(&notice_ru(&n)) && !cyrillic(&notice_en(&n)));
    }

    #[test]
    fn an_unknown_code_shows_the_servers_detail() {
        assert_eq!(problem_ru(&Problem::Unknown, "teapot"), "teapot");
        assert_eq!(problem_en(&Problem::Unknown, "teapot"), "teapot");
    }

    #[test]
    fn notices_are_said_with_grouped_numbers() {
        let n = Notice::MostlyUnreadable {
            unparsable: 30_000,
            lines: 32_000,
        };
        assert!(notice_en(&n).starts_with("30,000 of 32,000 lines were not read"));
        assert!(notice_ru(&n).starts_with("Не прочитано 30\u{a0}000 из 32\u{a0}000 строк"));
    }
}
