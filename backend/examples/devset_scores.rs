//! Dumps, for every text of the semantic dev set (bench/semantic/devset.json), its cosine and
//! lexical scores against every KB problem and anomaly, per model — the input of
//! `scripts/calibrate_semantic.py`, which searches the decision rule's constants offline. Each
//! text is scored as written (`cos_*`, `lex_*`) and after the glossary (`*_g`), with what the
//! vetoes say of it (`matching::vetoes`), so the script decides exactly as the engine does.
//!
//! cargo run --release -p loglens --example devset_scores -- light heavy > /tmp/scores.json

use std::path::PathBuf;

use loglens::config::ModelConfig;
use loglens::engine::ModelKind;
use loglens::engine::embed::cosine;
use loglens::engine::embed::models::ModelRegistry;
use loglens::engine::glossary::Glossary;
use loglens::engine::input::kb::KnowledgeBase;
use loglens::engine::matching::{Thresholds, vetoes};
use loglens::engine::normalize::{lexical_similarity, normalize};
use serde_json::{Value, json};

fn main() -> anyhow::Result<()> {
    let kinds: Vec<ModelKind> = std::env::args()
        .skip(1)
        .map(|a| match a.as_str() {
            "heavy" => Ok(ModelKind::Heavy),
            "light" => Ok(ModelKind::Light),
            other => Err(anyhow::anyhow!("unknown model {other:?} (light or heavy)")),
        })
        .collect::<Result<_, _>>()?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let devset: Value =
        serde_json::from_slice(&std::fs::read(root.join("bench/semantic/devset.json"))?)?;
    let registry = ModelRegistry::new(ModelConfig {
        models_dir: root.join("models"),
        heavy_model_dir: None,
        ort_dylib_path: None,
    });
    let kb = KnowledgeBase::builtin();
    let problems: Vec<(u32, String)> = kb
        .problem_list()
        .into_iter()
        .map(|(id, t)| (id, normalize(t)))
        .collect();
    let anomalies: Vec<String> = kb.anomalies.iter().map(|t| normalize(t)).collect();
    let glossary = Glossary::builtin();
    let problems_g: Vec<String> = problems.iter().map(|(_, t)| glossary.apply(t)).collect();
    let anomalies_g: Vec<String> = anomalies.iter().map(|t| glossary.apply(t)).collect();
    let cases = devset["cases"].as_array().cloned().unwrap_or_default();
    let mut out = json!({
        "problems": problems.iter().zip(kb.problem_list()).zip(&problems_g)
            .map(|(((id, t), (_, raw)), g)| json!({"id": id, "norm": t, "raw": raw, "glossed": g}))
            .collect::<Vec<_>>(),
        "anomalies": anomalies.iter().zip(&kb.anomaly_links).zip(&kb.anomalies).zip(&anomalies_g)
            .map(|(((t, l), raw), g)| json!({
                "norm": t, "links": l, "raw": raw, "glossed": g,
                "fault": vetoes::names_a_fault(raw, &glossary.apply(t)),
            })).collect::<Vec<_>>(),
        "models": {},
    });
    for kind in kinds {
        let model = registry.get(kind)?;
        let kb_texts: Vec<&str> = problems
            .iter()
            .map(|(_, t)| t.as_str())
            .chain(anomalies.iter().map(String::as_str))
            .collect();
        let kb_vecs = model.embed(&kb_texts)?;
        let (pv, av) = kb_vecs.split_at(problems.len());
        let kb_texts_g: Vec<&str> = problems_g
            .iter()
            .chain(&anomalies_g)
            .map(String::as_str)
            .collect();
        let kb_vecs_g = model.embed(&kb_texts_g)?;
        let (pvg, avg) = kb_vecs_g.split_at(problems.len());
        let mut langs = serde_json::Map::new();
        for lang in ["en", "ru"] {
            let mut rows = Vec::new();
            for case in &cases {
                let t = &case[lang];
                let mut queries = vec![("problem", t["problem"].as_str().unwrap_or_default())];
                for a in t["anomalies"].as_array().into_iter().flatten() {
                    queries.push(("anomaly", a.as_str().unwrap_or_default()));
                }
                queries.push((
                    "distractor",
                    t["distractor"][1].as_str().unwrap_or_default(),
                ));
                let norms: Vec<String> = queries.iter().map(|(_, q)| normalize(q)).collect();
                let refs: Vec<&str> = norms.iter().map(String::as_str).collect();
                let vecs = model.embed(&refs)?;
                let glossed: Vec<String> = norms.iter().map(|n| glossary.apply(n)).collect();
                let grefs: Vec<&str> = glossed.iter().map(String::as_str).collect();
                let gvecs = model.embed(&grefs)?;
                let scored: Vec<Value> = queries
                    .iter()
                    .zip(&norms)
                    .zip(vecs.iter().zip(&gvecs).zip(&glossed))
                    .map(|(((kind, text), norm), ((v, gv), gnorm))| {
                        let score = |v: &[f32],
                                     norm: &str,
                                     kv: &[Vec<f32>],
                                     kt: &[String]|
                         -> (Vec<f32>, Vec<f32>) {
                            kv.iter()
                                .zip(kt)
                                .map(|(k, t)| (cosine(v, k), lexical_similarity(norm, t)))
                                .unzip()
                        };
                        let ptexts: Vec<String> = problems.iter().map(|p| p.1.clone()).collect();
                        let (cp, lp) = score(v, norm, pv, &ptexts);
                        let (ca, la) = score(v, norm, av, &anomalies);
                        let (cpg, lpg) = score(gv, gnorm, pvg, &problems_g);
                        let (cag, lag) = score(gv, gnorm, avg, &anomalies_g);
                        let other = |kb_raw: &mut dyn Iterator<Item = &str>| -> Vec<usize> {
                            kb_raw
                                .enumerate()
                                .filter(|(_, k)| vetoes::other_instance(text, k))
                                .map(|(i, _)| i)
                                .collect()
                        };
                        let other_p = other(&mut kb.problem_list().into_iter().map(|(_, t)| t));
                        let other_a = other(&mut kb.anomalies.iter().map(String::as_str));
                        // KB texts saying a quantity went the other way: no candidates.
                        // (compared as matched: normalised, glossary applied)
                        let dir = vetoes::Direction::of(gnorm);
                        let opposite = |kb_texts: &[String]| -> Vec<usize> {
                            kb_texts
                                .iter()
                                .enumerate()
                                .filter(|(_, k)| dir.opposes(vetoes::Direction::of(k)))
                                .map(|(i, _)| i)
                                .collect()
                        };
                        let opposite_p = opposite(&problems_g);
                        let opposite_a = opposite(&anomalies_g);
                        json!({"kind": kind, "text": text, "norm": norm, "glossed": gnorm,
                               "recovery": vetoes::states_recovery(text),
                               "fault": vetoes::names_a_fault(text, gnorm),
                               "other_instance_p": other_p, "other_instance_a": other_a,
                               "opposite_p": opposite_p, "opposite_a": opposite_a,
                               "cos_p": cp, "lex_p": lp, "cos_a": ca, "lex_a": la,
                               "cos_p_g": cpg, "lex_p_g": lpg, "cos_a_g": cag, "lex_a_g": lag})
                    })
                    .collect();
                rows.push(json!({
                    "problem": case["problem"], "anomalies": case["anomalies"],
                    "distractor": t["distractor"][0], "queries": scored,
                }));
            }
            langs.insert(lang.into(), Value::Array(rows));
        }
        let t = Thresholds::of(kind);
        langs.insert(
            "thresholds".into(),
            json!({"error": t.error, "error_floor": t.error_floor, "error_margin": t.error_margin,
                   "error_z": t.error_z, "warning": t.warning, "warning_floor": t.warning_floor,
                   "warning_margin": t.warning_margin, "warning_z": t.warning_z,
                   "veto_margin": t.veto_margin, "veto_wide": t.veto_wide}),
        );
        out["models"][kind.as_str()] = Value::Object(langs);
    }
    println!("{out}");
    Ok(())
}
