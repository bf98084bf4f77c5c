//! Light-model load time and embedding throughput on 1,000 short real log messages
//! (the KB's texts and INFO lines of the organizers' sample). Prints figures; asserts nothing.
//! Baseline in the same run: one text per ONNX call, against the engine's batching.
//!
//! cargo bench -p loglens --bench embed_throughput

use std::path::PathBuf;
use std::time::Instant;

use loglens::config::ModelConfig;
use loglens::engine::embed::{Embedder, OnnxEmbedder, runtime};
use loglens::engine::input::kb::KnowledgeBase;

const MESSAGES: usize = 1_000;
const BASELINE_MESSAGES: usize = 200;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = ModelConfig {
        models_dir: root.join("models"),
        heavy_model_dir: None,
        ort_dylib_path: None,
    };
    let t = Instant::now();
    runtime::init(&cfg.ort_library())?;
    let runtime_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let model = OnnxEmbedder::load(&cfg.light_dir(), "light")?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    let kb = KnowledgeBase::builtin();
    let pool = std::fs::read_to_string(root.join("../shared/data/info_pool.txt"))?;
    let mut texts: Vec<String> = kb.anomalies.clone();
    texts.extend(kb.problems.values().cloned());
    texts.extend(
        pool.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned),
    );
    texts.truncate(MESSAGES);
    anyhow::ensure!(
        texts.len() == MESSAGES,
        "need {MESSAGES} messages, have {}",
        texts.len()
    );
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();

    let t = Instant::now();
    for text in &refs[..BASELINE_MESSAGES] {
        model.embed(&[text])?;
    }
    let single = BASELINE_MESSAGES as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    let v = model.embed(&refs)?;
    let batched = MESSAGES as f64 / t.elapsed().as_secs_f64();
    anyhow::ensure!(v.len() == MESSAGES && v[0].len() == 384);

    println!("ONNX Runtime load:        {runtime_ms:8.1} ms");
    println!("light model load:         {load_ms:8.1} ms");
    println!("baseline, 1 text/call:    {single:8.1} embeddings/s ({BASELINE_MESSAGES} messages)");
    println!(
        "batched ({} texts/call): {batched:8.1} embeddings/s ({MESSAGES} messages)",
        loglens::engine::embed::onnx::BATCH_SIZE
    );
    println!("batching speed-up:        {:8.2}x", batched / single);
    Ok(())
}
