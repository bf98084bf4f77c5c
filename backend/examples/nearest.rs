//! Prints the KB problems and anomalies nearest to each message given on the command line,
//! with cosine, lexical and combined scores, after the glossary — to see why one message matches
//! (the rule itself is calibrated with `devset_scores` and `scripts/calibrate_semantic.py`).
//!
//! cargo run --release -p loglens --example nearest -- [--heavy] "RAID array is degraded" ...

use std::path::PathBuf;

use loglens::config::ModelConfig;
use loglens::engine::ModelKind;
use loglens::engine::embed::cosine;
use loglens::engine::embed::models::ModelRegistry;
use loglens::engine::glossary::Glossary;
use loglens::engine::input::kb::KnowledgeBase;
use loglens::engine::matching::{semantic_text, similarity};
use loglens::engine::normalize::lexical_similarity;

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let kind = if args.first().is_some_and(|a| a == "--heavy") {
        args.remove(0);
        ModelKind::Heavy
    } else {
        ModelKind::Light
    };
    let models = ModelConfig {
        models_dir: PathBuf::from("models"),
        heavy_model_dir: None,
        ort_dylib_path: None,
    };
    let model = ModelRegistry::new(models).get(kind)?;
    let kb = KnowledgeBase::builtin();
    // The texts as matching by meaning compares them: normalised, then the glossary.
    let glossary = Glossary::builtin();
    let problems: Vec<(u32, String)> = kb
        .problem_list()
        .into_iter()
        .map(|(id, t)| (id, semantic_text(&glossary, t)))
        .collect();
    let anomalies: Vec<String> = kb
        .anomalies
        .iter()
        .map(|t| semantic_text(&glossary, t))
        .collect();
    let texts: Vec<&str> = problems
        .iter()
        .map(|(_, t)| t.as_str())
        .chain(anomalies.iter().map(String::as_str))
        .collect();
    let vecs = model.embed(&texts)?;
    let (pv, av) = vecs.split_at(problems.len());
    println!(
        "thresholds {:?}",
        loglens::engine::matching::Thresholds::of(kind)
    );
    for msg in &args {
        let norm = semantic_text(&glossary, msg);
        let v = model.embed(&[norm.as_str()])?.remove(0);
        println!("\n{msg:?} -> {norm:?}");
        let mut ps: Vec<(f32, f32, f32, String)> = problems
            .iter()
            .zip(pv)
            .map(|((id, t), kv)| {
                (
                    similarity(&v, &norm, kv, t),
                    cosine(&v, kv),
                    lexical_similarity(&norm, t),
                    format!("P{id} {t}"),
                )
            })
            .collect();
        ps.sort_by(|a, b| b.0.total_cmp(&a.0));
        for p in ps.iter().take(3) {
            println!("  {:.3} (cos {:.3} lex {:.2}) {}", p.0, p.1, p.2, p.3);
        }
        let mut an: Vec<(f32, f32, f32, String)> = anomalies
            .iter()
            .zip(av)
            .enumerate()
            .map(|(i, (t, kv))| {
                let ids: Vec<String> = kb.anomaly_links[i]
                    .iter()
                    .map(|(a, p)| format!("{a}->{p}"))
                    .collect();
                (
                    similarity(&v, &norm, kv, t),
                    cosine(&v, kv),
                    lexical_similarity(&norm, t),
                    format!("A[{}] {t}", ids.join(",")),
                )
            })
            .collect();
        an.sort_by(|a, b| b.0.total_cmp(&a.0));
        for a in an.iter().take(3) {
            println!("  {:.3} (cos {:.3} lex {:.2}) {}", a.0, a.1, a.2, a.3);
        }
    }
    Ok(())
}
