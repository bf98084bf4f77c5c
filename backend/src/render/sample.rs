//! A report for the renderers' tests, shared by every format: Cyrillic text, markup and
//! control characters in log lines, long lines, and as many links as a test asks for.

use loglens_shared::report::{
    AliasUse, AnalysisReport, ContextLine, FileStats, GlossaryUse, Incident, Level, Link, LogRef,
    LogTime, MatchEvidence, Method, ModelKind, NovelAnomaly, PatternInfo, PatternSample,
    PlaybookRecommendation, Prediction, Priority, ScenarioInfo, Summary,
};

pub const NASTY: &str =
    "2024-05-01T10:00:00 ERROR <db host=\"a&b\"> 'сбой' подключения \u{1b}[31m\r";

pub fn log_ref(file: &str, line: u64, level: Level, raw: &str) -> LogRef {
    LogRef {
        file: file.to_string(),
        line,
        last_line: None,
        timestamp: LogTime::parse("2024-05-01T10:00:00"),
        level,
        level_raw: None,
        level_inferred: false,
        message: raw.to_string(),
        raw: raw.to_string(),
        context: vec![
            ContextLine {
                line: line - 1,
                text: "предыдущая строка <ok>".to_string(),
            },
            ContextLine {
                line,
                text: raw.to_string(),
            },
        ],
    }
}

pub fn link(i: u32) -> Link {
    let error_raw = format!(
        "{NASTY} №{i} очень длинная строка журнала {}",
        "x".repeat(300)
    );
    Link {
        scenario_id: i % 3 + 1,
        anomaly_id: i,
        problem_id: 100 + i % 7,
        error: log_ref(
            "сценарий/logs/приложение & <core>.log",
            u64::from(i) + 10,
            Level::Error,
            &error_raw,
        ),
        warning: log_ref(
            "logs/db.log",
            u64::from(i) + 2,
            Level::Warning,
            "WARN пул <80%>",
        ),
        method: match i % 4 {
            1 => Method::Semantic,
            3 => Method::Glossary,
            _ => Method::Exact,
        },
        score: 0.875,
        anomaly_text: "Рост задержки \"БД\"".to_string(),
        problem_text: "Отказ <БД> & кэша".to_string(),
        warning_match: (!i.is_multiple_of(2)).then(|| MatchEvidence {
            score: 0.875,
            runner_up: Some("Рост <очереди> & \"кэша\"".to_string()),
            runner_up_score: Some(0.8),
        }),
        error_match: None,
    }
}

/// A report with `links` links, five incidents, a prediction, a novel anomaly and a playbook.
pub fn report(links: u32) -> AnalysisReport {
    let links: Vec<Link> = (1..=links).map(link).collect();
    AnalysisReport {
        summary: Summary {
            name: "выгрузка <март> & \"апрель\"".to_string(),
            model: ModelKind::Light,
            semantic: true,
            scenarios: 3,
            files: 12,
            lines: 1_234_567,
            links: links.len(),
            problems: 7,
            anomalies: 40,
            predictions: 1,
            novel_anomalies: 1,
            affected_systems: 4,
            warnings: vec!["пропущен файл <bin>".to_string()],
            ..Summary::default()
        },
        scenarios: vec![ScenarioInfo {
            id: 1,
            folder: "кейс 1".to_string(),
            kb_source: "built-in".to_string(),
            kb_hash: String::new(),
            files: vec![FileStats {
                name: "app.log".to_string(),
                lines: 10,
                ..FileStats::default()
            }],
        }],
        incidents: (0..5).map(incident).collect(),
        predictions: vec![Prediction {
            problem: "Отказ БД".to_string(),
            anomaly: "Рост задержки".to_string(),
            trigger: log_ref("logs/db.log", 5, Level::Warning, "WARN <медленно>"),
            ..Prediction::default()
        }],
        novel_anomalies: vec![NovelAnomaly {
            normalized: "неизвестное <N> предупреждение".to_string(),
            count: 3,
            first: log_ref("logs/x.log", 7, Level::Warning, "WARN неизвестное & новое"),
            related_problem_id: Some(101),
            ..NovelAnomaly::default()
        }],
        playbooks: vec![PlaybookRecommendation {
            problem_id: 101,
            problem: "Отказ <БД>".to_string(),
            priority: Priority::Critical,
            summary: "Проверить пул соединений & реплику".to_string(),
            steps: vec![
                "Перезапустить пул".to_string(),
                "Проверить \"лаг\" реплики".to_string(),
            ],
            scenario_ids: vec![1, 2],
            summary_ru: None,
            steps_ru: vec![],
        }],
        glossary: GlossaryUse {
            sources: vec!["uploaded: «термины».csv".into(), "built-in".into()],
            entries: 2,
            used: vec![AliasUse {
                alias: "ибп".into(),
                canonical: "ups".into(),
            }],
        },
        patterns: vec![PatternInfo {
            id: "P1".to_string(),
            level: Level::Warning,
            template: "Рост задержки <num> мс на <ip> & \"узле\"".to_string(),
            count: 42,
            first_seen: LogTime::parse("2024-05-01T10:00:00"),
            last_seen: LogTime::parse("2024-05-01T11:00:00"),
            scenario_ids: vec![1],
            files: vec!["кейс 1/app.log".to_string()],
            samples: vec![PatternSample {
                scenario_id: 1,
                file: "кейс 1/app.log".to_string(),
                line: 7,
                raw: "2024-05-01T10:00:00 WARNING db: Рост задержки 120 мс на 10.0.0.1".to_string(),
                context: Vec::new(),
            }],
            histogram: vec![42],
        }],
        links,
    }
}

pub fn incident(i: u64) -> Incident {
    Incident {
        scenario_id: 1,
        problem_id: 100 + i as u32,
        problem: format!("Отказ сервиса №{i}"),
        priority: Priority::ALL[i as usize % 3],
        anomaly_ids: vec![1, 2],
        files: vec!["a.log".to_string()],
        impact: i * 3,
        first_seen: LogTime::parse("2024-05-01T10:00:00"),
        last_seen: LogTime::parse("2024-05-01T11:00:00"),
        ..Incident::default()
    }
}
