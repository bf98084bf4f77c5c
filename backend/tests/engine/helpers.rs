use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use loglens::config::ModelConfig;
use loglens::engine::EngineProgress;
use loglens::engine::{
    AnalysisOutput, AnalysisRequest, Engine, EngineConfig, EngineError, ModelKind, ProgressSink,
};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The organizers' material, beside the repository (`../shared`).
pub fn shared_dir() -> PathBuf {
    repo_root().join("../shared")
}

pub fn models() -> ModelConfig {
    ModelConfig {
        models_dir: repo_root().join("models"),
        heavy_model_dir: None,
        ort_dylib_path: None,
    }
}

/// One engine per test binary: the model loads once, as in the server.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(EngineConfig::new(models(), None)))
}

/// Runs `gen_cases.py` with `args` and returns the zip it wrote.
pub fn gen_cases(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("python3")
        .arg(shared_dir().join("tools/gen_cases.py"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen_cases.py {args:?} failed");
    out
}

/// Writes a zip of `(name, bytes)` entries, deflated.
pub fn zip_of(dir: &Path, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create zip"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (entry, bytes) in entries {
        zip.start_file(*entry, opts).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    path
}

pub fn official_kb() -> Vec<u8> {
    std::fs::read(shared_dir().join("data/anomalies_problems.csv")).expect("official KB")
}

/// Records every progress event.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<EngineProgress>>,
    pub cancel_at_stage: Option<loglens_shared::Stage>,
}

impl ProgressSink for Recorder {
    fn report(&self, p: EngineProgress) {
        self.events.lock().expect("lock").push(p);
    }
    fn is_cancelled(&self) -> bool {
        let Some(stage) = self.cancel_at_stage else {
            return false;
        };
        self.events
            .lock()
            .expect("lock")
            .iter()
            .any(|e| e.stage >= stage)
    }
}

pub struct Run {
    pub output: Result<AnalysisOutput, EngineError>,
    pub events: Vec<EngineProgress>,
    pub out_dir: PathBuf,
}

pub fn analyze(zip: &Path, semantic: bool, out_dir: &Path) -> Run {
    analyze_with(zip, semantic, out_dir, ModelKind::Light, |_| {})
}

pub fn analyze_with(
    zip: &Path,
    semantic: bool,
    out_dir: &Path,
    model: ModelKind,
    tweak: impl FnOnce(&mut AnalysisRequest),
) -> Run {
    let mut req = AnalysisRequest {
        archive: zip.to_path_buf(),
        upload_name: zip
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned(),
        model,
        semantic,
        thresholds: None,
        kb: None,
        playbooks: None,
        glossaries: Vec::new(),
        out_dir: out_dir.to_path_buf(),
        not_relevant: Vec::new(),
        kb_for_all: false,
    };
    tweak(&mut req);
    let rec = Arc::new(Recorder::default());
    let output = engine().analyze(&req, rec.as_ref());
    let events = rec.events.lock().expect("lock").clone();
    Run {
        output,
        events,
        out_dir: out_dir.to_path_buf(),
    }
}

/// Rows of sheet 1 of a submit report, as (scenario, anomaly, problem, file, line, text).
/// (scenario, anomaly, problem, file, line, text)
pub type Row = (u32, u32, u32, String, u64, String);

pub fn submit_rows(path: &Path) -> (Vec<String>, Vec<Row>) {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).expect("xlsx opens");
    let range = wb
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let mut rows = range.rows();
    let headers = rows
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let num = |c: &Data| -> u64 {
        match c {
            Data::Float(f) => *f as u64,
            Data::Int(i) => *i as u64,
            other => other.to_string().parse().expect("number"),
        }
    };
    let body = rows
        .map(|r| {
            (
                num(&r[0]) as u32,
                num(&r[1]) as u32,
                num(&r[2]) as u32,
                r[3].to_string(),
                num(&r[4]),
                r[5].to_string(),
            )
        })
        .collect();
    (headers, body)
}

/// The official expected answer.
pub fn expected_rows() -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(shared_dir().join("data/validation_expected.csv"))
        .expect("expected csv");
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            (
                r[0].parse().expect("id"),
                r[1].parse().expect("id"),
                r[2].parse().expect("id"),
                r[3].to_owned(),
                r[4].parse().expect("line"),
                r[5].to_owned(),
            )
        })
        .collect()
}

/// A log line in the organizer format.
/// The (anomaly, problem) pairs of a report's links, in order.
pub fn pairs(r: &loglens_shared::report::AnalysisReport) -> Vec<(u32, u32)> {
    r.links
        .iter()
        .map(|l| (l.anomaly_id, l.problem_id))
        .collect()
}

pub fn line(ts: &str, level: &str, source: &str, msg: &str) -> String {
    format!("{ts} {level} {source}: {msg}\n")
}

/// `n` INFO filler lines starting at second `from`.
pub fn filler(n: usize) -> String {
    (0..n)
        .map(|i| {
            line(
                &format!("2025-10-06T00:{:02}:{:02}", (i / 60) % 60, i % 60),
                "INFO",
                "os",
                "Heartbeat ok",
            )
        })
        .collect()
}

/// Runs the organizers' scorer on a submit report against the official answer: F1 must be 1.
pub fn assert_official_f1(submit_report: &Path) {
    let score = Command::new("python3")
        .arg(shared_dir().join("tools/score_report.py"))
        .arg(submit_report)
        .arg(shared_dir().join("data/validation_expected.csv"))
        .output()
        .expect("scorer runs");
    let stdout = String::from_utf8_lossy(&score.stdout);
    assert!(
        score.status.success() && stdout.contains("f1 1.000"),
        "{stdout}"
    );
}
