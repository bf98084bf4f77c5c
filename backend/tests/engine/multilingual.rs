//! Russian log lines link to the English KB — through the glossary (both models) and the
//! multilingual model — and lines that match nothing are still refused.

use loglens::engine::ModelKind;
use loglens_shared::report::{AnalysisReport, Method};

use crate::helpers::*;

fn run(model: ModelKind, lines: &[(&str, &str)]) -> AnalysisReport {
    let dir = tempfile::tempdir().expect("tmp");
    let mut log = filler(2);
    for (i, (level, msg)) in lines.iter().enumerate() {
        log.push_str(&line(
            &format!("2025-10-06T02:{:02}:00", i),
            level,
            "os",
            msg,
        ));
    }
    let zip = zip_of(
        dir.path(),
        "ru.zip",
        &[
            ("Кейс 6/anomalies_problems.csv", &official_kb()),
            ("Кейс 6/srv.txt", log.as_bytes()),
        ],
    );
    analyze_with(&zip, true, &dir.path().join("out"), model, |_| {})
        .output
        .expect("analysis succeeds")
        .report
}

#[test]
fn russian_warnings_link_to_english_kb_through_the_glossary() {
    let lines = [
        ("WARNING", "RAID-массив деградировал"), // anomaly 2 "RAID array degraded"
        ("WARNING", "Перегрев процессора CPU0"), // anomaly 9 "CPU0: Temperature critical"
        ("ERROR", "RAID controller firmware fault detected"), // problem 1
        ("ERROR", "CPU0: Core temperature above threshold"), // problem 2
    ];
    let heavy = run(ModelKind::Heavy, &lines);
    assert_eq!(pairs(&heavy), vec![(2, 1), (9, 2)], "{:#?}", heavy.links);
    // The glossary rewrote «деградировал», «перегрев», «процессора»: the links say so.
    assert!(
        heavy
            .links
            .iter()
            .all(|l| l.method == Method::Glossary && l.score < 1.0),
        "{:#?}",
        heavy.links
    );
    assert_eq!(heavy.scenarios[0].id, 6);
    // The English-only model reads them through the glossary too, and links nothing else.
    let light = run(ModelKind::Light, &lines);
    let found = pairs(&light);
    assert!(
        found.contains(&(2, 1)) && found.iter().all(|p| [(2, 1), (9, 2)].contains(p)),
        "{:#?}",
        light.links
    );
}

#[test]
fn russian_error_matches_its_english_problem() {
    // "Индекс таблицы повреждён" = problem 34 "Index corruption on table"
    let r = run(
        ModelKind::Heavy,
        &[
            ("WARNING", "Slow query from index issue"),
            ("ERROR", "Индекс таблицы повреждён"),
        ],
    );
    assert_eq!(pairs(&r), vec![(267, 34)], "{:#?}", r.links);
    // «Индекс», «таблицы» are glossary aliases of the KB's words.
    assert_eq!(r.incidents[0].method, Method::Glossary);
}

#[test]
fn heavy_model_still_rejects_lines_that_match_nothing() {
    let r = run(
        ModelKind::Heavy,
        &[
            ("ERROR", "Пользователь вышел из системы"), // "user logged out": no problem
            ("WARNING", "Network routing anomaly detected"),
            ("ERROR", "Router routing table misconfiguration"),
        ],
    );
    assert!(r.links.is_empty(), "{:#?}", r.links);
    assert_eq!(
        r.incidents.iter().map(|i| i.problem_id).collect::<Vec<_>>(),
        vec![28]
    );
    assert_eq!(r.novel_anomalies.len(), 1);
}

#[test]
fn any_fastembed_compatible_folder_can_serve_as_the_heavy_model() {
    use loglens::config::ModelConfig;
    use loglens::engine::embed::models::ModelRegistry;
    let light_dir = repo_root().join("models/light");
    let cfg = ModelConfig {
        models_dir: repo_root().join("models"),
        heavy_model_dir: Some(light_dir),
        ort_dylib_path: None,
    };
    let model = ModelRegistry::new(cfg)
        .get(ModelKind::Heavy)
        .expect("ONNX folder loads as heavy");
    assert!(model.id().starts_with("heavy-onnx-"), "{}", model.id());
    assert_eq!(model.dim(), 384);
    let missing = ModelConfig {
        models_dir: repo_root().join("models"),
        heavy_model_dir: Some("/nonexistent/m".into()),
        ort_dylib_path: None,
    };
    let err = ModelRegistry::new(missing)
        .get(ModelKind::Heavy)
        .err()
        .expect("missing folder");
    assert!(err.to_string().contains("/nonexistent/m"), "{err}");
}
