//! The light model really loads from `models/light/` (installed by scripts/setup.sh) through
//! ONNX Runtime and fastembed, and its vectors carry meaning.

use std::path::PathBuf;

use loglens::config::ModelConfig;
use loglens::engine::embed::{Embedder, OnnxEmbedder, cosine, runtime};

fn models() -> ModelConfig {
    ModelConfig {
        models_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"),
        heavy_model_dir: None,
        ort_dylib_path: None,
    }
}

fn light() -> OnnxEmbedder {
    let cfg = models();
    runtime::init(&cfg.ort_library()).expect("ONNX Runtime loads (run scripts/setup.sh)");
    OnnxEmbedder::load(&cfg.light_dir(), "light").expect("light model loads (run scripts/setup.sh)")
}

#[test]
fn light_model_embeds_384_d_unit_vectors_that_carry_meaning() {
    let model = light();
    assert_eq!(model.dim(), 384);
    let texts = [
        "CPU0: Temperature critical",
        "CPU0: Core temperature above threshold",
        "eth0: link down",
    ];
    let v = model.embed(&texts).expect("embeds");
    assert_eq!(v.len(), 3);
    for e in &v {
        assert_eq!(e.len(), 384);
        let norm: f32 = e.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "L2-normalised, got {norm}");
    }
    let related = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(
        related > unrelated + 0.1,
        "related {related} vs unrelated {unrelated}"
    );
}

#[test]
fn same_text_gives_the_same_vector_alone_or_in_a_batch() {
    let model = light();
    let alone = model.embed(&["RAID array degraded"]).expect("embeds");
    let batch = model
        .embed(&["eth0: link down", "RAID array degraded", "Disk I/O error"])
        .expect("embeds");
    assert!(cosine(&alone[0], &batch[1]) > 0.999);
    assert!(model.embed(&[]).expect("empty ok").is_empty());
}

#[test]
fn missing_runtime_library_is_an_error_naming_the_path() {
    let err = runtime::init(std::path::Path::new("/nonexistent/libonnxruntime.so"))
        .expect_err("must fail");
    let msg = err.to_string();
    assert!(
        msg.contains("/nonexistent/libonnxruntime.so") && msg.contains("setup"),
        "{msg}"
    );
}

#[test]
fn missing_model_folder_is_an_error_naming_the_file() {
    let cfg = models();
    runtime::init(&cfg.ort_library()).expect("runtime");
    let err = OnnxEmbedder::load(std::path::Path::new("/nonexistent-model"), "x")
        .err()
        .expect("fails");
    assert!(
        err.to_string().contains("/nonexistent-model/model.onnx"),
        "{err}"
    );
}

#[test]
fn a_pending_model_has_its_id_at_once_and_embeds_as_the_loaded_one() {
    use loglens::engine::embed::models::{ModelKind, ModelRegistry};
    use loglens::engine::embed::pending::PendingModel;
    use std::sync::Arc;
    let registry = Arc::new(ModelRegistry::new(models()));
    let pending = PendingModel::start(&registry, ModelKind::Light).expect("starts");
    let loaded = light();
    // The id, which keys cached vectors, is the loaded model's before the load ends.
    assert_eq!(pending.id(), loaded.id());
    let texts = ["eth0: link down", "RAID array degraded"];
    let (a, b) = (
        pending.embed(&texts).expect("waits, then embeds"),
        loaded.embed(&texts).expect("embeds"),
    );
    assert!(a.iter().zip(&b).all(|(x, y)| cosine(x, y) > 0.9999));
    assert_eq!(pending.dim(), 384);
    assert!(
        registry.loaded(ModelKind::Light).is_some(),
        "kept for the next analysis"
    );
    // A missing model fails when the load starts, naming what is missing.
    let missing = Arc::new(ModelRegistry::new(ModelConfig {
        models_dir: "/nonexistent/models".into(),
        heavy_model_dir: None,
        ort_dylib_path: None,
    }));
    let err = PendingModel::start(&missing, ModelKind::Light)
        .err()
        .expect("missing model");
    assert!(
        err.to_string()
            .contains("/nonexistent/models/light/model.onnx"),
        "{err}"
    );
}
