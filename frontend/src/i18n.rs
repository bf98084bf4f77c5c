//! The UI's two languages. Russian is the default (the operators' language and the prototype's,
//! SPEC §4); English is one click away and remembered in the browser.
//!
//! Every text lives in one [`Texts`] table per language, so a label missing from one language is
//! a compile error rather than a blank on screen. Texts with values are plain `fn` pointers.
//! Pure: no browser API here, so the tables are tested natively; `app.rs` owns the signal.

use loglens_shared::api::Problem;
use loglens_shared::report::{BUILTIN_KB, KB_NAMES_SEPARATOR};
use loglens_shared::report::{Method, Notice, PredictionKind};
use loglens_shared::session::{JobState, Snapshot};
use loglens_shared::units::{self, BYTE_UNITS_EN, BYTE_UNITS_RU};
use loglens_shared::{LocalizedText, Stage};

/// `localStorage` key of the chosen language.
pub const STORAGE_KEY: &str = "loglens.lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// BCP 47 code, also the value of `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// `ru`, `ru-RU`, `EN`, `en-GB`… → the language; anything else → `None`.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }

    /// A server message in this language (Russian when the server sent no English).
    pub fn pick(self, message: &LocalizedText) -> &str {
        match self {
            Lang::Ru => &message.ru,
            Lang::En => message.en_or_ru(),
        }
    }

    /// The stage's label in this language (the labels themselves live in `shared`).
    pub fn stage(self, stage: Stage) -> &'static str {
        match self {
            Lang::Ru => stage.label_ru(),
            Lang::En => stage.label_en(),
        }
    }
}

/// Every text the UI shows, in one language.
pub struct Texts {
    // Header and navigation.
    pub nav_new: &'static str,
    pub nav_history: &'static str,
    pub language: &'static str,
    pub backend_unavailable: fn(&str) -> String,
    // Sign-in (a server with a token).
    pub sign_in_title: &'static str,
    pub sign_in_hint: &'static str,
    pub sign_in_rejected: &'static str,
    pub sign_in_label: &'static str,
    pub sign_in_submit: &'static str,
    pub sign_out: &'static str,
    // Upload page.
    pub upload_title: &'static str,
    pub model_light_hint: &'static str,
    pub model_heavy_hint: &'static str,
    pub drop_hint: &'static str,
    pub extras: &'static str,
    pub kb_file: &'static str,
    pub playbooks_file: &'static str,
    pub formats_file: &'static str,
    pub glossary_file: &'static str,
    pub remove_file: &'static str,
    pub start: &'static str,
    pub not_a_zip: fn(&str) -> String,
    pub empty_file: fn(&str) -> String,
    pub analysis_cancelled: &'static str,
    // Processing overlay.
    pub overlay_title: &'static str,
    pub queued: &'static str,
    pub stage_of: fn(u8, &str) -> String,
    pub uploading: fn(u64, &str, &str) -> String,
    pub fact_archive: &'static str,
    pub fact_read: &'static str,
    pub fact_speed: &'static str,
    pub fact_eta: &'static str,
    pub fact_elapsed: &'static str,
    pub x_of_y: fn(&str, &str) -> String,
    pub per_second: fn(&str) -> String,
    pub transport: fn(&str) -> String,
    pub connecting: &'static str,
    pub polling: &'static str,
    pub cancel: &'static str,
    // Units.
    pub byte_units: [&'static str; 5],
    pub seconds: fn(u64) -> String,
    pub seconds_f: fn(f64) -> String,
    // API errors (the server's own problem+json `detail` is shown as sent).
    pub network_error: fn(&str) -> String,
    pub connection_lost: &'static str,
    pub unexpected_response: fn(&str) -> String,
    // Dashboard.
    pub toast_title: &'static str,
    pub toast_body: &'static str,
    pub close: &'static str,
    pub loading_results: &'static str,
    pub results_for: fn(&str) -> String,
    pub run_kb: &'static str,
    pub run_input: &'static str,
    pub run_finished: &'static str,
    pub kb_builtin: &'static str,
    pub kb_uploaded: &'static str,
    pub kbs_in_archive: fn(usize) -> String,
    pub input_size: fn(&str, &str, usize) -> String,
    pub kpi_incidents: &'static str,
    pub kpi_anomalies: &'static str,
    pub kpi_predictions: &'static str,
    pub kpi_systems: &'static str,
    pub kpi_lines: &'static str,
    pub kpi_duration: &'static str,
    pub links_title: &'static str,
    pub col_scenario: &'static str,
    /// Promote to the knowledge base.
    pub promote: &'static str,
    pub col_to_kb: &'static str,
    pub promote_added: &'static str,
    pub promote_anomaly: &'static str,
    pub promote_problem: &'static str,
    pub promote_new_problem: &'static str,
    pub promote_new_problem_text: &'static str,
    pub promote_add: &'static str,
    pub kb_changes_title: fn(usize) -> String,
    pub kb_change_remove: &'static str,
    pub kb_download: &'static str,
    pub kb_rerun: &'static str,
    /// The links table's "not relevant" mark.
    pub col_relevance: &'static str,
    pub not_relevant: &'static str,
    pub relevant_again: &'static str,
    pub not_relevant_hint: &'static str,
    pub exact_is_official: &'static str,
    pub links_left_out: fn(usize) -> String,
    /// The patterns table's histogram column, and what a histogram says to a screen reader.
    pub col_over_time: &'static str,
    pub histogram_label: fn(u64) -> String,
    /// The timeline's control that zooms out to the whole span.
    pub reset_zoom: &'static str,
    /// A timeline row: scenario, problem id and text.
    pub timeline_row: fn(u32, u32, &str) -> String,
    pub col_anomaly: &'static str,
    pub col_problem: &'static str,
    pub col_file: &'static str,
    pub files_title: fn(usize) -> String,
    pub col_format: &'static str,
    pub col_lines: &'static str,
    pub col_entries: &'static str,
    pub col_signal_lines: &'static str,
    pub col_unreadable: &'static str,
    pub format_none: &'static str,
    pub format_binary: &'static str,
    pub col_line: &'static str,
    pub col_log_line: &'static str,
    pub col_method: &'static str,
    pub col_score: &'static str,
    pub col_margin: &'static str,
    /// The runner-up of a match by similarity: (side, KB text, its score).
    pub runner_up: fn(&str, &str, f32) -> String,
    pub side_anomaly: &'static str,
    pub side_problem: &'static str,
    pub method_exact: &'static str,
    pub priority_critical: &'static str,
    pub priority_major: &'static str,
    pub priority_minor: &'static str,
    pub method_semantic: &'static str,
    pub method_glossary: &'static str,
    pub incidents_title: &'static str,
    pub scenario_filter: &'static str,
    pub all: &'static str,
    pub search: &'static str,
    pub shown_of: fn(usize, usize) -> String,
    pub sort_hint: &'static str,
    pub col_priority: &'static str,
    pub col_impact: &'static str,
    pub col_anomalies: &'static str,
    pub col_systems: &'static str,
    pub col_first_seen: &'static str,
    pub explorer_title: fn(u32, u32, &str) -> String,
    pub root_cause_at: fn(&str, u64) -> String,
    pub errors_sampled: fn(usize, u64) -> String,
    pub linked_anomalies: &'static str,
    pub linked_at: fn(&str, f32, &str, u64) -> String,
    pub playbook_priority: fn(&str) -> String,
    pub explorer_timeline: &'static str,
    pub predictions_title: fn(usize) -> String,
    pub predictions_grouped_title: fn(usize, usize) -> String,
    pub col_warning_line: &'static str,
    pub col_anomaly_list: &'static str,
    pub col_kind: &'static str,
    pub col_trigger_time: &'static str,
    pub kind_expected_anomaly: &'static str,
    pub kind_problem_may_follow: &'static str,
    pub novel_title: fn(usize) -> String,
    // Dashboard sections, pages of long tables, patterns.
    pub sections_label: &'static str,
    pub section_overview: &'static str,
    pub section_links: &'static str,
    pub section_incidents: &'static str,
    pub section_patterns: &'static str,
    pub section_predictions: &'static str,
    pub section_novel: &'static str,
    pub section_reports: &'static str,
    pub page_of: fn(usize, usize) -> String,
    pub page_prev: &'static str,
    pub page_next: &'static str,
    pub patterns_title: fn(usize, usize) -> String,
    pub col_level: &'static str,
    pub col_template: &'static str,
    pub col_seen: &'static str,
    pub filter_level: &'static str,
    pub filter_all_levels: &'static str,
    pub filter_words: &'static str,
    pub pattern_samples: fn(usize) -> String,
    pub more_files: fn(usize) -> String,
    pub col_text: &'static str,
    pub col_count: &'static str,
    pub col_first_line: &'static str,
    pub col_likely_problem: &'static str,
    pub col_nearest: &'static str,
    pub reports_title: &'static str,
    pub all_reports_zip: &'static str,
    pub export: fn(&str) -> String,
    // Charts.
    pub chart_timeline: &'static str,
    pub chart_timeline_hint: &'static str,
    pub chart_by_impact: &'static str,
    pub chart_systems: &'static str,
    pub series_errors: &'static str,
    pub series_warnings: &'static str,
    pub axis_impact: &'static str,
    pub axis_incidents: &'static str,
    pub axis_lines: &'static str,
    pub no_timestamps: &'static str,
    // Time machine.
    pub tm_title: &'static str,
    pub tm_none: &'static str,
    pub tm_play: &'static str,
    pub tm_pause: &'static str,
    pub tm_speed: &'static str,
    pub tm_now: &'static str,
    pub tm_errors_marked: &'static str,
    pub tm_moment: &'static str,
    pub tm_state: fn(&str, usize, usize) -> String,
    // History.
    pub history_title: &'static str,
    pub loading: &'static str,
    pub no_sessions: &'static str,
    pub no_finished_analysis: &'static str,
    pub history_no_match: &'static str,
    pub col_archive: &'static str,
    pub col_state: &'static str,
    pub col_created: &'static str,
    pub col_model: &'static str,
    pub col_duration: &'static str,
    pub delete: &'static str,
    pub compare: &'static str,
    pub compare_title: &'static str,
    pub compare_hint: &'static str,
    pub compare_run: fn(usize, &str, &str) -> String,
    pub compare_change: &'static str,
    pub compare_figure: &'static str,
    pub fig_links: &'static str,
    pub fig_novel: &'static str,
    pub compare_only_first: fn(usize) -> String,
    pub compare_only_second: fn(usize) -> String,
    pub compare_in_both: fn(usize) -> String,
    pub compare_link: fn(u32, u32, &str, u32, &str) -> String,
    pub compare_need_two: &'static str,
    pub compare_both: fn(usize) -> String,
    pub state_queued: &'static str,
    pub state_running: &'static str,
    pub state_succeeded: &'static str,
    pub state_failed: &'static str,
    pub state_cancelled: &'static str,
    pub state_paused: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub paused_note: &'static str,
    // Typed server texts (problems.rs), numbers and times.
    pub problem: fn(&Problem, &str) -> String,
    pub notice: fn(&Notice) -> String,
    pub group_separator: &'static str,
    pub months: [&'static str; 12],
    // Upload page: what to upload, file pickers, cancel.
    pub help_title: &'static str,
    pub help_zip: &'static str,
    pub help_kb: &'static str,
    pub help_playbooks: &'static str,
    pub help_formats: &'static str,
    pub help_glossary: &'static str,
    pub template_kb: &'static str,
    pub template_playbooks: &'static str,
    pub template_formats: &'static str,
    pub template_glossary: &'static str,
    pub choose_file: &'static str,
    pub no_file: &'static str,
    pub upload_cancelled: &'static str,
    /// An interrupted upload goes on: the percent the server already held.
    pub upload_resumed: fn(u64) -> String,
    // Overlay phases.
    pub phase_uploading: &'static str,
    pub phase_queued: &'static str,
    pub phase_processing: &'static str,
    pub queue_place: fn(u32) -> String,
    pub queue_waiting: &'static str,
    pub upload_speed: fn(&str, &str, &str) -> String,
    // Completion with warnings, notices, re-run.
    pub toast_warn_title: &'static str,
    pub toast_warn_body: &'static str,
    pub notices_title: &'static str,
    pub rerun_heavy: &'static str,
    pub rerun_failed: fn(&str) -> String,
    // A dashboard that cannot be shown.
    pub deleted_title: &'static str,
    pub deleted_body: &'static str,
    pub missing_title: &'static str,
    pub missing_body: &'static str,
    pub go_home: &'static str,
    // Explorer.
    pub close_explorer: &'static str,
    pub open_incident: fn(u32, &str) -> String,
    // History: confirm delete, warnings.
    pub delete_title: &'static str,
    pub delete_body: fn(&str, &str) -> String,
    pub delete_confirm: &'static str,
    pub delete_keep: &'static str,
    pub delete_named: fn(&str) -> String,
    pub with_warnings: fn(u32) -> String,
    // History: what a finished run found (count, then the count as written).
    pub col_found: &'static str,
    pub found_incidents: fn(u64, &str) -> String,
    pub found_links: fn(u64, &str) -> String,
    pub found_kb: fn(&str) -> String,
}

impl Texts {
    /// Whether these are the Russian texts (for data that carries its own Russian, such as
    /// playbooks).
    pub fn is_russian(&self) -> bool {
        std::ptr::eq(self, &RU)
    }

    pub fn priority(&self, p: loglens_shared::Priority) -> &'static str {
        match p {
            loglens_shared::Priority::Critical => self.priority_critical,
            loglens_shared::Priority::Major => self.priority_major,
            loglens_shared::Priority::Minor => self.priority_minor,
        }
    }

    pub fn method(&self, m: Method) -> &'static str {
        match m {
            Method::Exact => self.method_exact,
            Method::Semantic => self.method_semantic,
            Method::Glossary => self.method_glossary,
        }
    }

    pub fn prediction_kind(&self, k: PredictionKind) -> &'static str {
        match k {
            PredictionKind::ExpectedAnomaly => self.kind_expected_anomaly,
            PredictionKind::ProblemMayFollow => self.kind_problem_may_follow,
        }
    }

    pub fn section(&self, s: crate::sections::Section) -> &'static str {
        use crate::sections::Section;
        match s {
            Section::Overview => self.section_overview,
            Section::Links => self.section_links,
            Section::Incidents => self.section_incidents,
            Section::Patterns => self.section_patterns,
            Section::Predictions => self.section_predictions,
            Section::Novel => self.section_novel,
            Section::Reports => self.section_reports,
        }
    }

    pub fn state(&self, s: JobState) -> &'static str {
        match s {
            JobState::Queued => self.state_queued,
            JobState::Running => self.state_running,
            JobState::Paused => self.state_paused,
            JobState::Succeeded => self.state_succeeded,
            JobState::Failed => self.state_failed,
            JobState::Cancelled => self.state_cancelled,
        }
    }

    /// `1.5 MiB`-style sizes, as the server writes them in its messages.
    pub fn bytes(&self, n: u64) -> String {
        units::bytes(n, &self.byte_units)
    }

    /// `1 234 567` / `1,234,567`.
    pub fn number(&self, n: u64) -> String {
        units::grouped(n, self.group_separator)
    }

    /// What a finished run found, as the history says it — its incidents, its links and the
    /// knowledge base it used (`built-in` in this language) — each part with its test id; only
    /// the parts the server knows (a run recorded before they were kept has none).
    pub fn found(&self, s: &Snapshot) -> Vec<(&'static str, String)> {
        let mut parts = Vec::new();
        if let Some(n) = s.incidents {
            parts.push((
                "found-incidents",
                (self.found_incidents)(n, &self.number(n)),
            ));
        }
        if let Some(n) = s.links {
            parts.push(("found-links", (self.found_links)(n, &self.number(n))));
        }
        if let Some(kb) = s.knowledge_base.as_deref().filter(|kb| !kb.is_empty()) {
            let named: Vec<&str> = kb
                .split(KB_NAMES_SEPARATOR)
                .map(|part| {
                    if part == BUILTIN_KB {
                        self.kb_builtin
                    } else {
                        part
                    }
                })
                .collect();
            parts.push(("found-kb", (self.found_kb)(&named.join(KB_NAMES_SEPARATOR))));
        }
        parts
    }

    /// A log timestamp as people read it (`6 окт 2025, 11:41:12`).
    pub fn log_time(&self, t: &loglens_shared::LogTime) -> String {
        self.clock_at(t.ms)
    }

    /// A moment on the logs' clock as people read it (`6 окт 2025, 11:41:12`).
    pub fn clock_at(&self, ms: i64) -> String {
        crate::timeline::readable(ms, &self.months)
    }
}

pub static RU: Texts = Texts {
    nav_new: "Новый анализ",
    nav_history: "История",
    language: "Язык",
    backend_unavailable: |e| format!("сервер недоступен: {e}"),
    sign_in_title: "Вход",
    sign_in_hint: "Этот сервер LogLens принимает запросы только с токеном доступа. Его выдаёт администратор сервера (LOGLENS_API_TOKEN). Токен хранится до закрытия вкладки.",
    sign_in_rejected: "Сервер не принял этот токен. Проверьте его и введите снова.",
    sign_in_label: "Токен доступа",
    sign_in_submit: "Войти",
    sign_out: "Выйти",
    upload_title: "Анализ журналов",
    model_light_hint: " — быстрая модель all-MiniLM-L6-v2, журналы на английском",
    model_heavy_hint: " — многоязычная multilingual-e5-small, журналы на русском",
    drop_hint: "Перетащите архив (.zip, .tar.gz, .gz) или журнал сюда или нажмите, чтобы выбрать",
    extras: "Дополнительно: своя база знаний, плейбуки, форматы журналов и глоссарий",
    kb_file: "База знаний (CSV/XLSX) для сценариев без своей: ",
    playbooks_file: "Плейбуки (TOML/JSON): ",
    formats_file: "Форматы журналов (TOML): ",
    glossary_file: "Глоссарий синонимов (CSV): ",
    remove_file: "Убрать файл",
    start: "Запустить анализ",
    not_a_zip: |name| {
        format!(
            "Нужен архив (.zip, .tar, .tar.gz, .tgz, .gz) или журнал (.log, .txt), выбран файл «{name}»"
        )
    },
    empty_file: |name| format!("Файл «{name}» пуст"),
    analysis_cancelled: "Анализ отменён",
    overlay_title: "ОБРАБОТКА ДАННЫХ",
    queued: "Ожидание в очереди",
    stage_of: |n, label| format!("Этап {n} из 11: {label}"),
    uploading: |pct, sent, total| format!("Загрузка архива: {pct}% ({sent} из {total})"),
    fact_archive: "Архив",
    fact_read: "Прочитано",
    fact_speed: "Скорость",
    fact_eta: "Осталось",
    fact_elapsed: "Прошло",
    x_of_y: |x, y| format!("{x} из {y}"),
    per_second: |x| format!("{x}/с"),
    transport: |t| format!("Канал: {t}"),
    connecting: "подключение…",
    polling: "HTTP-опрос",
    cancel: "Отменить",
    byte_units: BYTE_UNITS_RU,
    seconds: |s| {
        if s >= 60 {
            format!("{} мин {:02} с", s / 60, s % 60)
        } else {
            format!("{s} с")
        }
    },
    seconds_f: |s| format!("{s:.1} с"),
    network_error: |e| format!("сеть недоступна: {e}"),
    connection_lost: "соединение с сервером прервано",
    unexpected_response: |e| format!("неожиданный ответ сервера: {e}"),
    toast_title: "Успешно",
    toast_body: " — Анализ логов завершен! Результаты отображены ниже.",
    close: "Закрыть",
    loading_results: "Загрузка результатов…",
    results_for: |name| format!("Результаты: {name}"),
    run_kb: "База знаний",
    run_input: "Вход",
    run_finished: "Завершён",
    kb_builtin: "встроенная",
    kb_uploaded: "загруженная",
    kbs_in_archive: |n| format!("из архива, своя в каждом сценарии ({n})"),
    input_size: |size, lines, files| format!("{size}, {lines} строк, файлов: {files}"),
    kpi_incidents: "Инциденты",
    kpi_anomalies: "Аномалии",
    kpi_predictions: "Прогнозы",
    kpi_systems: "Затронутые системы",
    kpi_lines: "Строк проанализировано",
    kpi_duration: "Длительность",
    links_title: "Связи аномалия → проблема",
    col_scenario: "Сценарий",
    promote: "В базу знаний…",
    col_to_kb: "База знаний",
    promote_added: "Добавлено в изменения базы знаний",
    promote_anomaly: "Аномалия:",
    promote_problem: "Проблема:",
    promote_new_problem: "Новая проблема…",
    promote_new_problem_text: "Текст новой проблемы:",
    promote_add: "Добавить",
    kb_changes_title: |n| format!("Новая версия базы знаний: добавлено аномалий — {n}"),
    kb_change_remove: "Убрать",
    kb_download: "Скачать новую базу знаний",
    kb_rerun: "Повторить анализ с ней",
    col_relevance: "Относится?",
    not_relevant: "Не относится",
    relevant_again: "Вернуть",
    not_relevant_hint: "Пометить связь как не относящуюся к делу: следующие анализы с этой базой знаний не будут строить её по смыслу",
    exact_is_official: "Точное совпадение по правилу организаторов: его не отменить",
    links_left_out: |n| format!("Связей, помеченных как не относящиеся, не включено: {n}"),
    col_over_time: "Во времени",
    histogram_label: |peak| format!("Строки по времени логов, больше всего за отрезок: {peak}"),
    reset_zoom: "Сбросить масштаб",
    timeline_row: |s, p, text| format!("Сценарий {s} · проблема {p}: {text}"),
    col_anomaly: "Аномалия",
    col_problem: "Проблема",
    col_file: "Файл",
    files_title: |n| format!("Прочитанные файлы ({n})"),
    col_format: "Формат",
    col_lines: "Строк",
    col_entries: "Записей",
    col_signal_lines: "WARNING/ERROR",
    col_unreadable: "Не прочитано",
    format_none: "не распознан",
    format_binary: "двоичный, пропущен",
    col_line: "Строка",
    col_log_line: "Строка из лога",
    col_method: "Метод",
    col_score: "Сходство",
    col_margin: "Отрыв",
    runner_up: |side, text, score| {
        format!("{side}: ближайший другой текст базы знаний «{text}» ({score:.2})")
    },
    side_anomaly: "Аномалия",
    side_problem: "Проблема",
    method_exact: "точный",
    priority_critical: "критический",
    priority_major: "серьёзный",
    priority_minor: "незначительный",
    method_semantic: "семантический",
    method_glossary: "глоссарий",
    incidents_title: "Инциденты",
    scenario_filter: "Сценарий: ",
    all: "все",
    search: "Поиск: проблема, приоритет, файл, аномалия",
    shown_of: |n, all| format!("Показано {n} из {all}"),
    sort_hint: "Щелчок по заголовку сортирует; по умолчанию — по влиянию.",
    col_priority: "Приоритет",
    col_impact: "Влияние",
    col_anomalies: "Аномалий",
    col_systems: "Систем",
    col_first_seen: "Впервые",
    explorer_title: |s, p, name| format!("Сценарий {s}: проблема {p} — {name}"),
    root_cause_at: |file, line| format!("Первопричина: {file} строка {line}"),
    errors_sampled: |shown, all| {
        format!(
            "Строк ERROR этой проблемы: {all}; в отчёте и на шкале — {shown}, равномерно от первой до последней"
        )
    },
    linked_anomalies: "Связанные аномалии",
    linked_at: |method, score, file, line| {
        format!(" — {method} ({score:.2}); {file} строка {line}: ")
    },
    playbook_priority: |p| format!("Плейбук · приоритет {p}"),
    explorer_timeline: "Хронология инцидента",
    predictions_title: |n| format!("Прогнозы ({n})"),
    predictions_grouped_title: |problems, all| {
        format!("Прогнозы: {problems} по проблемам ({all} всего)")
    },
    col_warning_line: "Строка WARNING",
    col_anomaly_list: "Аномалии",
    col_kind: "Тип",
    col_trigger_time: "Время триггера",
    kind_expected_anomaly: "ожидается аномалия",
    kind_problem_may_follow: "возможна проблема",
    novel_title: |n| format!("Новые аномалии ({n})"),
    sections_label: "Разделы панели",
    section_overview: "Обзор",
    section_links: "Связи",
    section_incidents: "Инциденты",
    section_patterns: "Шаблоны",
    section_predictions: "Прогнозы",
    section_novel: "Новые аномалии",
    section_reports: "Отчёты",
    page_of: |p, n| format!("Страница {p} из {n}"),
    page_prev: "← Назад",
    page_next: "Вперёд →",
    patterns_title: |shown, all| {
        if shown == all {
            format!("Шаблоны сообщений ({all})")
        } else {
            format!("Шаблоны сообщений ({shown} из {all})")
        }
    },
    col_level: "Уровень",
    col_template: "Шаблон",
    col_seen: "Когда",
    filter_level: "Уровень",
    filter_all_levels: "Все",
    filter_words: "Слова",
    pattern_samples: |n| format!("Строки ({n})"),
    more_files: |n| format!("и ещё {n}"),
    col_text: "Текст",
    col_count: "Раз",
    col_first_line: "Первая строка",
    col_likely_problem: "Вероятная проблема",
    col_nearest: "Ближайшая аномалия базы",
    reports_title: "Отчёты",
    all_reports_zip: "Все отчёты (zip)",
    export: |f| format!("экспорт {f}"),
    chart_timeline: "Хронология инцидентов",
    chart_timeline_hint: "Реальная шкала времени журналов; колесо мыши или ползунок — масштаб.",
    chart_by_impact: "Проблемы по влиянию",
    chart_systems: "Затронутые системы",
    series_errors: "ERROR",
    series_warnings: "WARNING",
    axis_impact: "Влияние",
    axis_incidents: "Инциденты",
    axis_lines: "Строки ERROR/WARNING",
    no_timestamps: "В журналах нет меток времени для шкалы.",
    tm_title: "Машина времени",
    tm_none: "Нет событий со временем для воспроизведения.",
    tm_play: "▶ Воспроизвести",
    tm_pause: "Пауза",
    tm_speed: "Скорость воспроизведения",
    tm_now: "сейчас",
    tm_errors_marked: "Метки на шкале — моменты строк ERROR.",
    tm_moment: "Момент времени в логах",
    tm_state: |at, incidents, links| format!("{at} — инцидентов: {incidents}, связей: {links}"),
    history_title: "История анализов",
    loading: "Загрузка…",
    no_sessions: "Анализов пока нет.",
    history_no_match: "Под фильтр не подходит ни один анализ.",
    no_finished_analysis: "На этом сервере ещё нет завершённых анализов. Загрузите архив логов, чтобы получить первый.",
    col_archive: "Архив",
    col_state: "Состояние",
    col_created: "Создан",
    col_model: "Модель",
    col_duration: "Длительность",
    delete: "Удалить",
    compare: "Сравнить два анализа",
    compare_title: "Сравнение анализов",
    compare_hint: "Отметьте два завершённых анализа и нажмите «Сравнить два анализа».",
    compare_run: |n, name, at| format!("{n}-й · {name} · {at}"),
    compare_change: "Изменение",
    compare_figure: "Показатель",
    fig_links: "Связи",
    fig_novel: "Новые аномалии",
    compare_only_first: |n| format!("Только в первом ({n})"),
    compare_only_second: |n| format!("Только во втором ({n})"),
    compare_in_both: |n| format!("В обоих ({n})"),
    compare_link: |s, a, an, p, pn| {
        format!("сценарий {s}: аномалия {a} «{an}» → проблема {p} «{pn}»")
    },
    compare_need_two: "Для сравнения нужны два анализа: ?a=<id>&b=<id>.",
    compare_both: |n| format!("Общих связей: {n}"),
    state_queued: "в очереди",
    state_running: "выполняется",
    state_succeeded: "готово",
    state_failed: "ошибка",
    state_cancelled: "отменено",
    state_paused: "приостановлено",
    pause: "Приостановить",
    resume: "Продолжить",
    paused_note: "Анализ приостановлен и не занимает обработчик. «Продолжить» вернёт его в очередь; он начнётся с первого этапа.",
    problem: crate::problems::problem_ru,
    notice: crate::problems::notice_ru,
    group_separator: crate::problems::GROUP_RU,
    months: [
        "янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
    ],
    help_title: "Что загрузить",
    help_zip: "Архив (.zip, .tar, .tar.gz, .gz) с одним или несколькими сценариями или один журнал (.log, .txt): сценарий — папка с журналами, номер сценария — последнее число в имени папки («TestCase 7» → 7), папка без цифр получает следующий свободный номер. Формат журнала определяется по содержимому каждого файла: формат события («2025-10-06T11:41:12 ERROR источник: сообщение»), log4j, Python, syslog, Apache/nginx, logcat, JSON, logfmt и другие.",
    help_kb: "База знаний anomalies_problems.csv (или .xlsx) — какие аномалии (тексты WARNING) ведут к каким проблемам (тексты ERROR): четыре столбца через «;» — ID аномалии; Аномалия; ID проблемы; Проблема. Она может лежать в папке сценария или выше; без неё используется встроенная официальная база — или та, что вы загрузите ниже.",
    help_playbooks: "Плейбуки — шаги устранения и приоритет для каждой проблемы (TOML или JSON). Без своего файла используются встроенные.",
    template_kb: "Встроенная база знаний (шаблон CSV)",
    template_playbooks: "Встроенные плейбуки (шаблон TOML)",
    help_glossary: "Сопоставление по смыслу понимает синонимы и сокращения (ИБП — UPS, БД — database); свои добавьте файлом CSV «alias,canonical»: слово или фраза из журналов и то, как её называет база знаний; «*» в конце слова — любое окончание.",
    help_formats: "Форматы журналов распознаются сами (log4j, syslog, JSON, logfmt и ещё два десятка); для своего формата загрузите файл TOML: строка формата вида «<timestamp> | <level> | <message>» или регулярное выражение и, если нужно, маска файлов.",
    template_formats: "Пример файла форматов (TOML)",
    template_glossary: "Встроенный глоссарий (CSV)",
    choose_file: "Выбрать файл",
    no_file: "Файл не выбран",
    upload_cancelled: "Загрузка отменена: на сервере ничего не сохранено.",
    upload_resumed: |pct| format!("Продолжение прерванной загрузки с {pct}%"),
    phase_uploading: "Загрузка архива",
    phase_queued: "В очереди",
    phase_processing: "Анализ",
    queue_place: |n| format!("Место в очереди: {n}"),
    queue_waiting: "Ждём свободного обработчика…",
    upload_speed: |of, speed, eta| format!("{of} · {speed} · осталось {eta}"),
    toast_warn_title: "Завершено с предупреждениями",
    toast_warn_body: " — анализ выполнен, но есть на что обратить внимание: см. вверху страницы.",
    notices_title: "Обратите внимание",
    rerun_heavy: "Повторить анализ с моделью Heavy",
    rerun_failed: |e| format!("Не удалось запустить повторный анализ: {e}"),
    deleted_title: "Анализ удалён",
    deleted_body: "Этот анализ удалён из истории, его отчёты больше недоступны.",
    missing_title: "Анализ не найден",
    missing_body: "Такого анализа на этом сервере нет: проверьте ссылку.",
    go_home: "Начать новый анализ",
    close_explorer: "Закрыть (Esc)",
    open_incident: |s, p| format!("Открыть инцидент: сценарий {s}, {p}"),
    delete_title: "Удалить анализ?",
    delete_body: |name, at| {
        format!("Анализ «{name}» от {at} и все его отчёты будут удалены безвозвратно.")
    },
    delete_confirm: "Удалить",
    delete_keep: "Отмена",
    delete_named: |name| format!("Удалить анализ «{name}»"),
    with_warnings: |n| format!("предупреждений: {n}"),
    col_found: "Найдено",
    found_incidents: |_, n| format!("инцидентов: {n}"),
    found_links: |_, n| format!("связей: {n}"),
    found_kb: |kb| format!("база знаний: {kb}"),
};

pub static EN: Texts = Texts {
    nav_new: "New analysis",
    nav_history: "History",
    language: "Language",
    backend_unavailable: |e| format!("backend unavailable: {e}"),
    sign_in_title: "Sign in",
    sign_in_hint: "This LogLens server answers only requests that carry its access token. The server's administrator gives it out (LOGLENS_API_TOKEN). It is kept until this tab is closed.",
    sign_in_rejected: "The server did not accept this token. Check it and enter it again.",
    sign_in_label: "Access token",
    sign_in_submit: "Sign in",
    sign_out: "Sign out",
    upload_title: "Log analysis",
    model_light_hint: " — fast all-MiniLM-L6-v2, for logs in English",
    model_heavy_hint: " — multilingual-e5-small, for logs in Russian",
    drop_hint: "Drop an archive (.zip, .tar.gz, .gz) or a log here, or click to choose one",
    extras: "More: your own knowledge base, playbooks, log formats and glossary",
    kb_file: "Knowledge base (CSV/XLSX) for scenarios without one: ",
    playbooks_file: "Playbooks (TOML/JSON): ",
    formats_file: "Log formats (TOML): ",
    glossary_file: "Glossary of aliases (CSV): ",
    remove_file: "Remove file",
    start: "Start analysis",
    not_a_zip: |name| {
        format!(
            "An archive (.zip, .tar, .tar.gz, .tgz, .gz) or a log (.log, .txt) is needed; «{name}» was chosen"
        )
    },
    empty_file: |name| format!("«{name}» is empty"),
    analysis_cancelled: "Analysis cancelled",
    overlay_title: "PROCESSING DATA",
    queued: "Waiting in the queue",
    stage_of: |n, label| format!("Stage {n} of 11: {label}"),
    uploading: |pct, sent, total| format!("Uploading the archive: {pct}% ({sent} of {total})"),
    fact_archive: "Archive",
    fact_read: "Read",
    fact_speed: "Speed",
    fact_eta: "Remaining",
    fact_elapsed: "Elapsed",
    x_of_y: |x, y| format!("{x} of {y}"),
    per_second: |x| format!("{x}/s"),
    transport: |t| format!("Channel: {t}"),
    connecting: "connecting…",
    polling: "HTTP polling",
    cancel: "Cancel",
    byte_units: BYTE_UNITS_EN,
    seconds: |s| {
        if s >= 60 {
            format!("{} min {:02} s", s / 60, s % 60)
        } else {
            format!("{s} s")
        }
    },
    seconds_f: |s| format!("{s:.1} s"),
    network_error: |e| format!("network unavailable: {e}"),
    connection_lost: "the connection to the server was interrupted",
    unexpected_response: |e| format!("unexpected server response: {e}"),
    toast_title: "Success",
    toast_body: " — Log analysis complete! The results are shown below.",
    close: "Close",
    loading_results: "Loading results…",
    results_for: |name| format!("Results: {name}"),
    run_kb: "Knowledge base",
    run_input: "Input",
    run_finished: "Finished",
    kb_builtin: "built-in",
    kb_uploaded: "uploaded",
    kbs_in_archive: |n| format!("from the archive, one per case ({n})"),
    input_size: |size, lines, files| format!("{size}, {lines} lines, {files} files"),
    kpi_incidents: "Incidents",
    kpi_anomalies: "Anomalies",
    kpi_predictions: "Predictions",
    kpi_systems: "Affected systems",
    kpi_lines: "Lines analysed",
    kpi_duration: "Duration",
    links_title: "Anomaly → problem links",
    col_scenario: "Scenario",
    promote: "To the knowledge base…",
    col_to_kb: "Knowledge base",
    promote_added: "Added to the knowledge base changes",
    promote_anomaly: "Anomaly:",
    promote_problem: "Problem:",
    promote_new_problem: "A new problem…",
    promote_new_problem_text: "The new problem's text:",
    promote_add: "Add",
    kb_changes_title: |n| format!("A new version of the knowledge base: {n} anomalies added"),
    kb_change_remove: "Remove",
    kb_download: "Download the new knowledge base",
    kb_rerun: "Run the analysis again with it",
    col_relevance: "Relevant?",
    not_relevant: "Not relevant",
    relevant_again: "Relevant after all",
    not_relevant_hint: "Mark this link not relevant: later analyses with this knowledge base will not make it by meaning",
    exact_is_official: "An exact match by the organizers' rule: it stands",
    links_left_out: |n| format!("Links marked not relevant left out: {n}"),
    col_over_time: "Over time",
    histogram_label: |peak| format!("Lines over the logs' time, at most {peak} in a slice"),
    reset_zoom: "Reset zoom",
    timeline_row: |s, p, text| format!("Scenario {s} · problem {p}: {text}"),
    col_anomaly: "Anomaly",
    col_problem: "Problem",
    col_file: "File",
    files_title: |n| format!("Files read ({n})"),
    col_format: "Format",
    col_lines: "Lines",
    col_entries: "Entries",
    col_signal_lines: "WARNING/ERROR",
    col_unreadable: "Unreadable",
    format_none: "not recognised",
    format_binary: "binary, skipped",
    col_line: "Line",
    col_log_line: "Log line",
    col_method: "Method",
    col_score: "Similarity",
    col_margin: "Margin",
    runner_up: |side, text, score| {
        format!("{side}: the closest other knowledge-base text is «{text}» ({score:.2})")
    },
    side_anomaly: "Anomaly",
    side_problem: "Problem",
    method_exact: "exact",
    priority_critical: "critical",
    priority_major: "major",
    priority_minor: "minor",
    method_semantic: "semantic",
    method_glossary: "glossary",
    incidents_title: "Incidents",
    scenario_filter: "Scenario: ",
    all: "all",
    search: "Search: problem, priority, file, anomaly",
    shown_of: |n, all| format!("Showing {n} of {all}"),
    sort_hint: "Click a header to sort; by default, by impact.",
    col_priority: "Priority",
    col_impact: "Impact",
    col_anomalies: "Anomalies",
    col_systems: "Systems",
    col_first_seen: "First seen",
    explorer_title: |s, p, name| format!("Scenario {s}: problem {p} — {name}"),
    root_cause_at: |file, line| format!("Root cause: {file} line {line}"),
    errors_sampled: |shown, all| {
        format!(
            "ERROR lines of this problem: {all}; the report and the timeline keep {shown}, evenly from the first to the last"
        )
    },
    linked_anomalies: "Linked anomalies",
    linked_at: |method, score, file, line| {
        format!(" — {method} ({score:.2}); {file} line {line}: ")
    },
    playbook_priority: |p| format!("Playbook · priority {p}"),
    explorer_timeline: "Incident timeline",
    predictions_title: |n| format!("Predictions ({n})"),
    predictions_grouped_title: |problems, all| {
        format!("Predictions: {problems} by problem ({all} in all)")
    },
    col_warning_line: "WARNING line",
    col_anomaly_list: "Anomalies",
    col_kind: "Kind",
    col_trigger_time: "Trigger time",
    kind_expected_anomaly: "anomaly expected",
    kind_problem_may_follow: "problem may follow",
    novel_title: |n| format!("Novel anomalies ({n})"),
    sections_label: "Dashboard sections",
    section_overview: "Overview",
    section_links: "Links",
    section_incidents: "Incidents",
    section_patterns: "Patterns",
    section_predictions: "Predictions",
    section_novel: "Novel",
    section_reports: "Reports",
    page_of: |p, n| format!("Page {p} of {n}"),
    page_prev: "← Previous",
    page_next: "Next →",
    patterns_title: |shown, all| {
        if shown == all {
            format!("Message patterns ({all})")
        } else {
            format!("Message patterns ({shown} of {all})")
        }
    },
    col_level: "Level",
    col_template: "Template",
    col_seen: "When",
    filter_level: "Level",
    filter_all_levels: "All",
    filter_words: "Words",
    pattern_samples: |n| format!("Lines ({n})"),
    more_files: |n| format!("and {n} more"),
    col_text: "Text",
    col_count: "Count",
    col_first_line: "First line",
    col_likely_problem: "Likely problem",
    col_nearest: "Nearest KB anomaly",
    reports_title: "Reports",
    all_reports_zip: "All reports (zip)",
    export: |f| format!("export {f}"),
    chart_timeline: "Incident timeline",
    chart_timeline_hint: "The logs' real time axis; mouse wheel or the slider zooms.",
    chart_by_impact: "Problems by impact",
    chart_systems: "Affected systems",
    series_errors: "ERROR",
    series_warnings: "WARNING",
    axis_impact: "Impact",
    axis_incidents: "Incidents",
    axis_lines: "ERROR/WARNING lines",
    no_timestamps: "The logs carry no timestamps to place on a time axis.",
    tm_title: "Time machine",
    tm_none: "No timed events to replay.",
    tm_play: "▶ Play",
    tm_pause: "Pause",
    tm_speed: "Replay speed",
    tm_now: "now",
    tm_errors_marked: "The marks on the scale are the moments of ERROR lines.",
    tm_moment: "Moment in the logs",
    tm_state: |at, incidents, links| format!("{at} — incidents: {incidents}, links: {links}"),
    history_title: "Analysis history",
    loading: "Loading…",
    no_sessions: "No analyses yet.",
    history_no_match: "No analysis matches the filter.",
    no_finished_analysis: "No analysis has finished on this server yet. Upload an archive of logs to get the first one.",
    col_archive: "Archive",
    col_state: "State",
    col_created: "Created",
    col_model: "Model",
    col_duration: "Duration",
    delete: "Delete",
    compare: "Compare two analyses",
    compare_title: "Two analyses compared",
    compare_hint: "Tick two finished analyses, then press «Compare two analyses».",
    compare_run: |n, name, at| format!("{} · {name} · {at}", if n == 1 { "1st" } else { "2nd" }),
    compare_change: "Change",
    compare_figure: "Figure",
    fig_links: "Links",
    fig_novel: "Novel anomalies",
    compare_only_first: |n| format!("Only in the first ({n})"),
    compare_only_second: |n| format!("Only in the second ({n})"),
    compare_in_both: |n| format!("In both ({n})"),
    compare_link: |s, a, an, p, pn| {
        format!("scenario {s}: anomaly {a} «{an}» → problem {p} «{pn}»")
    },
    compare_need_two: "A comparison needs two analyses: ?a=<id>&b=<id>.",
    compare_both: |n| format!("Links in both: {n}"),
    state_queued: "queued",
    state_running: "running",
    state_succeeded: "done",
    state_failed: "failed",
    state_cancelled: "cancelled",
    state_paused: "paused",
    pause: "Pause",
    resume: "Resume",
    paused_note: "The analysis is paused and holds no worker. Resume puts it back in the queue; it starts again from its first stage.",
    problem: crate::problems::problem_en,
    notice: crate::problems::notice_en,
    group_separator: crate::problems::GROUP_EN,
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    help_title: "What to upload",
    help_zip: "An archive (.zip, .tar, .tar.gz, .gz) with one or more scenarios, or one log (.log, .txt): a scenario is a folder of logs; its number is the last number in the folder's name («TestCase 7» → 7), a folder without digits takes the next free number. Each file's format is told from its content: the event's own («2025-10-06T11:41:12 ERROR source: message»), log4j, Python, syslog, Apache/nginx, logcat, JSON, logfmt and more.",
    help_kb: "The knowledge base anomalies_problems.csv (or .xlsx) says which anomalies (WARNING texts) lead to which problems (ERROR texts): four «;»-separated columns — anomaly id; anomaly; problem id; problem. It may sit in the scenario's folder or above it; without one the built-in official knowledge base is used — or the one you upload below.",
    help_playbooks: "Playbooks are the remediation steps and priority of each problem (TOML or JSON). Without a file of your own the built-in ones are used.",
    template_kb: "Built-in knowledge base (CSV template)",
    template_playbooks: "Built-in playbooks (TOML template)",
    help_glossary: "Matching by meaning knows aliases and abbreviations in English and Russian (DB for database, PSU for power supply, the Russian ones for UPS and RAM); add your own as a CSV file «alias,canonical»: a word or phrase of your logs and what the knowledge base calls it; «*» at the end of a word stands for any ending.",
    help_formats: "Log formats are recognised on their own (log4j, syslog, JSON, logfmt and two dozen more); for a format of your own upload a TOML file: a format string such as «<timestamp> | <level> | <message>» or a regex, and optionally a file glob.",
    template_formats: "Example formats file (TOML)",
    template_glossary: "The built-in glossary (CSV)",
    choose_file: "Choose file",
    no_file: "No file chosen",
    upload_cancelled: "Upload cancelled: nothing was stored on the server.",
    upload_resumed: |pct| format!("Resuming an interrupted upload from {pct}%"),
    phase_uploading: "Uploading the archive",
    phase_queued: "Queued",
    phase_processing: "Analysis",
    queue_place: |n| format!("Place in the queue: {n}"),
    queue_waiting: "Waiting for a free worker…",
    upload_speed: |of, speed, eta| format!("{of} · {speed} · {eta} left"),
    toast_warn_title: "Completed with warnings",
    toast_warn_body: " — the analysis finished, but some things need your attention: see the top of the page.",
    notices_title: "Please note",
    rerun_heavy: "Run again with the Heavy model",
    rerun_failed: |e| format!("Could not start the new run: {e}"),
    deleted_title: "Analysis deleted",
    deleted_body: "This analysis was deleted from the history; its reports are no longer available.",
    missing_title: "Analysis not found",
    missing_body: "This server has no such analysis: check the link.",
    go_home: "Start a new analysis",
    close_explorer: "Close (Esc)",
    open_incident: |s, p| format!("Open the incident: scenario {s}, {p}"),
    delete_title: "Delete the analysis?",
    delete_body: |name, at| {
        format!("The analysis «{name}» of {at} and all its reports will be deleted for good.")
    },
    delete_confirm: "Delete",
    delete_keep: "Cancel",
    delete_named: |name| format!("Delete the analysis «{name}»"),
    with_warnings: |n| format!("warnings: {n}"),
    col_found: "Found",
    found_incidents: |count, n| format!("{n} incident{}", if count == 1 { "" } else { "s" }),
    found_links: |count, n| format!("{n} link{}", if count == 1 { "" } else { "s" }),
    found_kb: |kb| format!("KB: {kb}"),
};

#[cfg(test)]
#[allow(clippy::unwrap_used)] // in tests a panic is the failure message
mod tests {
    use super::*;

    #[test]
    fn priorities_are_said_in_each_language() {
        use loglens_shared::Priority;
        assert!(RU.is_russian() && !EN.is_russian());
        assert_eq!(RU.priority(Priority::Critical), "критический");
        assert_eq!(EN.priority(Priority::Minor), "minor");
    }

    #[test]
    fn language_codes_round_trip_and_tolerate_regions() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
        }
        assert_eq!(Lang::parse("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse(" EN_gb "), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::default(), Lang::Ru, "Russian is the users' language");
    }

    #[test]
    fn the_seed_texts_are_kept_in_russian() {
        let t = Lang::Ru.texts();
        assert_eq!(t.overlay_title, "ОБРАБОТКА ДАННЫХ");
        assert_eq!(t.start, "Запустить анализ");
        assert_eq!(
            format!("{}{}", t.toast_title, t.toast_body),
            "Успешно — Анализ логов завершен! Результаты отображены ниже."
        );
        assert_eq!(Lang::Ru.stage(Stage::ParseLogs), "Парсинг логов");
        assert_eq!(
            Lang::En.stage(Stage::ParseLogs),
            Stage::ParseLogs.label_en()
        );
    }

    #[test]
    fn english_has_no_cyrillic_and_differs_from_russian() {
        let (ru, en) = (Lang::Ru.texts(), Lang::En.texts());
        let en_samples = [
            en.nav_new,
            en.upload_title,
            en.drop_hint,
            en.start,
            en.overlay_title,
            en.toast_body,
            en.links_title,
            en.chart_timeline,
            en.tm_title,
            en.history_title,
        ];
        for s in en_samples {
            assert!(
                !s.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{s}"
            );
        }
        assert_ne!(ru.start, en.start);
        assert_eq!(
            (en.stage_of)(6, "Log parsing"),
            "Stage 6 of 11: Log parsing"
        );
        assert_eq!((ru.seconds)(75), "1 мин 15 с");
        assert_eq!((en.seconds)(9), "9 s");
    }

    #[test]
    fn server_messages_are_shown_in_the_chosen_language() {
        let m = LocalizedText::new("Парсинг 3 файлов", "Parsing 3 files");
        assert_eq!(Lang::Ru.pick(&m), "Парсинг 3 файлов");
        assert_eq!(Lang::En.pick(&m), "Parsing 3 files");
        let old_server = LocalizedText::new("Парсинг", "");
        assert_eq!(
            Lang::En.pick(&old_server),
            "Парсинг",
            "better Russian than nothing"
        );
    }

    #[test]
    fn byte_sizes_use_each_languages_units() {
        assert_eq!(RU.bytes(1536), "1.5 КБ");
        assert_eq!(EN.bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn the_history_says_what_a_run_found_in_each_language_and_nothing_it_does_not_know() {
        let mut s: Snapshot = serde_json::from_value(serde_json::json!({
            "session_id": "a", "state": "succeeded", "model": "light", "upload_name": "vc.zip",
            "upload_bytes": 1, "stage": "", "stage_key": null, "stage_index": 0, "progress": 100,
            "message": "", "message_en": "", "bytes_done": 0, "bytes_total": 0, "lines_done": 0,
            "speed_bytes_per_sec": null, "eta_seconds": null, "seq": 9, "error": null,
            "created_at": "2026-01-01T00:00:00Z", "started_at": null, "finished_at": null
        }))
        .expect("a snapshot of an older run");
        assert!(EN.found(&s).is_empty(), "unknown, not zero");
        s.incidents = Some(1234);
        s.links = Some(1);
        s.knowledge_base = Some("kb.xlsx, built-in".into());
        let text = |t: &Texts| {
            t.found(&s)
                .into_iter()
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join(" · ")
        };
        assert_eq!(
            text(&EN),
            "1,234 incidents · 1 link · KB: kb.xlsx, built-in"
        );
        assert_eq!(
            text(&RU),
            format!(
                "инцидентов: 1{}234 · связей: 1 · база знаний: kb.xlsx, встроенная",
                RU.group_separator
            )
        );
        s.incidents = Some(0);
        s.knowledge_base = None;
        assert_eq!(
            EN.found(&s),
            vec![
                ("found-incidents", "0 incidents".to_owned()),
                ("found-links", "1 link".to_owned())
            ]
        );
    }

    #[test]
    fn enums_map_to_their_own_labels() {
        assert_eq!(EN.method(Method::Exact), "exact");
        assert_eq!(RU.method(Method::Semantic), "семантический");
        assert_eq!(EN.state(JobState::Cancelled), "cancelled");
        assert_eq!(
            RU.prediction_kind(PredictionKind::ProblemMayFollow),
            "возможна проблема"
        );
    }
}
