//! The `loglens` command line: `serve` runs the web app, `analyze` runs the engine on one
//! archive and writes the reports (the contract scripts and benchmarks rely on), `parse`
//! shows how each line of a file or archive is read (see `inspect`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use loglens_shared::Stage;

use crate::engine::EngineProgress;

use crate::config::{ModelConfig, ServeConfig};
use crate::engine::matching::Thresholds;
use crate::engine::{AnalysisRequest, Engine, EngineConfig, ModelKind, ProgressSink, UploadedFile};

#[derive(Debug, Parser)]
#[command(name = "loglens", version, about = "Turn a ZIP of logs into answers")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and its API.
    Serve(Box<ServeConfig>),
    /// Analyse one ZIP of log cases and write the reports into a folder.
    Analyze(AnalyzeArgs),
    /// How LogLens reads your logs: one entry per output line (file, lines, time, level,
    /// source, message, format, pattern); a summary per file on stderr.
    Parse(crate::inspect::ParseArgs),
    /// Run one analysis for the server (`serve` starts one per job): reads a work order,
    /// prints progress as JSON lines, stops on `cancel` or the end of stdin.
    Worker(WorkerArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// The work order the server wrote (JSON).
    pub order: PathBuf,
    #[command(flatten)]
    pub models: ModelConfig,
}

#[derive(Debug, Clone, Args)]
pub struct AnalyzeArgs {
    /// The ZIP archive of log cases.
    pub zip: PathBuf,
    /// Folder for the reports (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Embedding model for semantic matching: light or heavy.
    #[arg(long, default_value = "light")]
    pub model: ModelKind,
    /// Knowledge base for cases that bring none (CSV/XLSX/XLS); default: the built-in one.
    #[arg(long)]
    pub kb: Option<PathBuf>,
    /// Custom playbooks (TOML or JSON, see backend/data/playbooks.toml).
    #[arg(long)]
    pub playbooks: Option<PathBuf>,
    /// Only the organizers' exact rule: no model, no semantic links.
    #[arg(long)]
    pub exact_only: bool,
    /// Your own log formats (TOML; see README "Log formats").
    #[arg(long, env = "LOGLENS_FORMATS")]
    pub formats: Option<PathBuf>,
    /// Your own glossary of aliases (CSV `alias,canonical`), read before the shipped one.
    #[arg(long, env = "LOGLENS_GLOSSARY")]
    pub glossary: Option<PathBuf>,
    /// Score at which an ERROR is taken for a KB problem whatever the runner-up (default: the
    /// model's calibrated value; below it, the rule asks the match to stand out).
    #[arg(long, value_parser = unit_interval)]
    pub error_threshold: Option<f32>,
    /// Score at which a WARNING is taken for a KB anomaly whatever the runner-up (default: the
    /// model's calibrated value; the vetoes still apply).
    #[arg(long, value_parser = unit_interval)]
    pub warning_threshold: Option<f32>,
    #[command(flatten)]
    pub models: ModelConfig,
}

/// Runs `loglens analyze`; prints a one-line summary on success.
pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<()> {
    let read = |p: &PathBuf| -> anyhow::Result<UploadedFile> {
        let bytes =
            std::fs::read(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
        let name = p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(UploadedFile { name, bytes })
    };
    let kb = args.kb.as_ref().map(read).transpose()?;
    let playbooks = args.playbooks.as_ref().map(read).transpose()?;
    let glossaries = args.glossary.iter().map(read).collect::<Result<_, _>>()?;
    let upload_name = args
        .zip
        .file_name()
        .map_or_else(|| "logs.zip".into(), |n| n.to_string_lossy().into_owned());
    let cache_dir = Some(args.models.models_dir.join("cache"));
    let mut config = EngineConfig::new(args.models.clone(), cache_dir);
    config.formats = std::sync::Arc::new(crate::inspect::load_formats(args.formats.as_deref())?);
    let engine = Engine::new(config);
    let req = AnalysisRequest {
        archive: args.zip.clone(),
        upload_name,
        model: args.model,
        semantic: !args.exact_only,
        thresholds: thresholds(&args),
        kb,
        playbooks,
        glossaries,
        out_dir: args.out.clone(),
        not_relevant: Vec::new(),
        kb_for_all: false,
    };
    let sink = TerminalProgress::new();
    let result = engine.analyze(&req, &sink);
    sink.finish();
    let out = result?;
    let s = &out.report.summary;
    let semantic = out
        .report
        .links
        .iter()
        .filter(|l| l.method.by_meaning())
        .count();
    println!(
        "loglens: {} scenarios, {} files, {} lines in {:.1} s: {} links ({} exact, {semantic} by meaning), {} problems, {} predictions, {} novel anomalies -> {}",
        s.scenarios,
        s.files,
        s.lines,
        s.duration_ms as f64 / 1000.0,
        s.links,
        s.links - semantic,
        s.problems,
        s.predictions,
        s.novel_anomalies,
        out.out_dir
            .join(loglens_shared::ReportFile::SubmitReport.file_name())
            .display(),
    );
    for w in &s.warnings {
        eprintln!("loglens: warning: {w}");
    }
    Ok(())
}

fn unit_interval(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number between 0 and 1")),
    }
}

/// The model's calibrated thresholds with the user's overrides.
fn thresholds(args: &AnalyzeArgs) -> Option<Thresholds> {
    if args.error_threshold.is_none() && args.warning_threshold.is_none() {
        return None;
    }
    let mut t = crate::engine::matching::Thresholds::of(args.model);
    t.error = args.error_threshold.unwrap_or(t.error);
    t.warning = args.warning_threshold.unwrap_or(t.warning);
    Some(t)
}

/// A progress bar on a terminal; plain lines (one per stage and per 10 %) otherwise.
struct TerminalProgress {
    bar: Option<ProgressBar>,
    last: Mutex<(Option<Stage>, u8)>,
}

impl TerminalProgress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(100);
            let style =
                ProgressStyle::with_template("{spinner} [{bar:40}] {pos:>3}% {prefix} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            last: Mutex::new((None, 0)),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ProgressSink for TerminalProgress {
    fn report(&self, p: EngineProgress) {
        if let Some(bar) = &self.bar {
            bar.set_position(u64::from(p.percent));
            bar.set_prefix(format!("{}/11 {}", p.stage.number(), p.stage.label_en()));
            bar.set_message(p.message.en);
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.0 != Some(p.stage) || p.percent >= last.1 + 10 {
            eprintln!(
                "[{:>3}%] {}/11 {}: {}",
                p.percent,
                p.stage.number(),
                p.stage.label_en(),
                p.message.en
            );
            *last = (Some(p.stage), p.percent);
        }
    }
}
