//! Every analysis runs in a child `loglens worker` process, so no input can take the server
//! down: an analysis that aborts (a bug, an allocation that fails), outgrows its memory budget
//! or its time fails *that job*, and the server keeps serving.
//!
//! Why a process and not a thread: a Rust allocation failure aborts the whole process, a
//! panic inside C code (ONNX Runtime, the heavy model's engine) cannot be caught, and memory
//! cannot be limited per thread. A child can be measured (its RSS), limited (`RLIMIT_AS` as a
//! backstop against one huge allocation), stopped (a `cancel` line on its stdin, then a kill),
//! and its death is just an exit status.
//!
//! The protocol is JSON lines: the server writes a [`WorkOrder`] file and starts the child;
//! the child prints [`WorkerLine`]s on stdout (progress, then exactly one of done, failed,
//! cancelled) and reads `cancel` from stdin (end of stdin — the server gone — cancels too).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::EngineProgress;
use serde::{Deserialize, Serialize};

use crate::config::ModelConfig;
use crate::engine::{
    AnalysisRequest, Engine, EngineConfig, EngineError, ModelKind, ProgressSink, UploadedFile,
};

/// What one analysis needs, handed to the worker as a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkOrder {
    pub archive: PathBuf,
    pub upload_name: String,
    pub model: ModelKind,
    pub semantic: bool,
    /// (name the user gave it, where it is stored).
    pub kb: Option<(String, PathBuf)>,
    pub playbooks: Option<(String, PathBuf)>,
    pub out_dir: PathBuf,
    /// KB vectors persisted across processes.
    pub cache_dir: PathBuf,
    /// Address-space ceiling of the worker (a backstop; the server watches the RSS).
    pub address_space_bytes: u64,
    /// Bytes of log lines the analysis keeps in memory (see `engine::scan`).
    pub retain_bytes: u64,
    /// The server's log formats file, if any.
    #[serde(default)]
    pub formats: Option<PathBuf>,
    /// The log formats file uploaded beside the archive (name, where it is stored): its
    /// formats come before the server's.
    #[serde(default)]
    pub uploaded_formats: Option<(String, PathBuf)>,
    /// The server's glossary file, if any.
    #[serde(default)]
    pub glossary: Option<PathBuf>,
    /// The glossary uploaded beside the archive (name, where it is stored): its aliases come
    /// before the server's.
    #[serde(default)]
    pub uploaded_glossary: Option<(String, PathBuf)>,
    /// The uploaded knowledge base is every case's (see `JobRecord::kb_for_all`).
    #[serde(default)]
    pub kb_for_all: bool,
    /// Links operators marked not relevant (under their knowledge base): left out.
    #[serde(default)]
    pub not_relevant: Vec<loglens_shared::api::NotRelevant>,
    /// The whole analysis, or one part of it when an archive's cases are spread over nodes.
    #[serde(default)]
    pub task: Task,
}

/// What a worker does with its archive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// The whole analysis.
    #[default]
    Whole,
    /// Reads case `case` alone into [`CASE_SCAN_FILE`] in the output folder.
    ReadCase { case: usize },
    /// Every stage but the reading, from the cases' scans (one file per case, read apart).
    Merge { cases: Vec<PathBuf> },
}

/// The file a [`Task::ReadCase`] worker writes its case's scan to (JSON).
pub const CASE_SCAN_FILE: &str = "case-scan.json";

/// One line a worker prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkerLine {
    Progress(EngineProgress),
    Done {
        results_zip: String,
        notices: u32,
        links: u64,
        lines: u64,
        /// What the history shows of the run, with `notices` and `links`.
        #[serde(default)]
        incidents: u64,
        #[serde(default)]
        knowledge_base: Option<String>,
    },
    /// A [`Task::ReadCase`] worker wrote its case's scan ([`CASE_SCAN_FILE`]).
    CaseRead {
        lines: u64,
    },
    /// The analysis refused its input or could not write: the client's text, no internals.
    Failed {
        detail: String,
    },
    Cancelled,
}

/// Limits of one worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The `loglens` binary to run as `loglens worker` (the server's own by default).
    pub bin: PathBuf,
    pub models: ModelConfig,
    /// Resident memory a worker may use before it is stopped.
    pub memory_budget_bytes: u64,
    /// Wall-clock time an analysis may take before it is stopped.
    pub deadline: Duration,
    /// The user's log formats file, if any (checked when the server starts).
    pub formats: Option<PathBuf>,
    /// The user's glossary, if any (checked when the server starts).
    pub glossary: Option<PathBuf>,
}

/// How a worker ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Done {
        results_zip: String,
        notices: u32,
        links: u64,
        lines: u64,
        incidents: u64,
        knowledge_base: Option<String>,
    },
    /// A case was read ([`Task::ReadCase`]).
    CaseRead {
        lines: u64,
    },
    Failed(String),
    Cancelled,
    /// Stopped for using more than its memory budget (peak RSS seen, bytes).
    OutOfMemory(u64),
    /// Stopped for running past its deadline.
    TimedOut,
    /// Ended without saying how (killed, aborted, crashed): `status` for the log.
    Died(String),
}

/// How often the watchdog looks at a worker.
const WATCH_EVERY: Duration = Duration::from_millis(100);
/// How long a worker asked to cancel may take before it is killed.
const CANCEL_GRACE: Duration = Duration::from_secs(10);

/// Runs one analysis in a worker process and reports its progress to `sink`; blocks until the
/// worker has ended. `sink.is_cancelled()` is asked between progress lines and by a watchdog.
pub fn supervise(
    config: &WorkerConfig,
    order: &WorkOrder,
    sink: &dyn ProgressSink,
) -> std::io::Result<Ending> {
    std::fs::create_dir_all(&order.out_dir)?;
    let order_path = order.out_dir.join("work-order.json");
    std::fs::write(&order_path, serde_json::to_vec(order)?)?;
    let mut child = Command::new(&config.bin)
        .arg("worker")
        .arg(&order_path)
        .arg("--models-dir")
        .arg(&config.models.models_dir)
        .args(
            config
                .models
                .heavy_model_dir
                .iter()
                .flat_map(|d| [Path::new("--heavy-model-dir"), d.as_path()]),
        )
        .args(
            config
                .models
                .ort_dylib_path
                .iter()
                .flat_map(|d| [Path::new("--ort-dylib-path"), d.as_path()]),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("worker without stdout"))?;
    let stdin = child.stdin.take();
    let pid = child.id();
    let child = Arc::new(Mutex::new(child));
    let exited = Arc::new(AtomicBool::new(false));
    let verdict: Arc<Mutex<Option<Ending>>> = Arc::default();
    let ending = std::thread::scope(|scope| {
        // The watchdog: cancel, deadline, memory.
        scope.spawn(|| watchdog(config, sink, pid, &child, &exited, &verdict, stdin));
        let mut last = None;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<WorkerLine>(&line) {
                Ok(WorkerLine::Progress(p)) => sink.report(p),
                Ok(other) => last = Some(other),
                Err(e) => tracing::warn!(error = %e, "unreadable line from the worker"),
            }
        }
        // Not `wait()` under the lock: the watchdog may need it to kill the child.
        let status = loop {
            match lock(&child).try_wait() {
                Ok(Some(s)) => break Ok(s),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        exited.store(true, Ordering::Relaxed);
        (last, status)
    });
    let (last, status) = ending;
    let _ = std::fs::remove_file(&order_path);
    if let Some(v) = lock(&verdict).take() {
        return Ok(v);
    }
    Ok(match last {
        Some(WorkerLine::Done {
            results_zip,
            notices,
            links,
            lines,
            incidents,
            knowledge_base,
        }) => Ending::Done {
            results_zip,
            notices,
            links,
            lines,
            incidents,
            knowledge_base,
        },
        Some(WorkerLine::CaseRead { lines }) => Ending::CaseRead { lines },
        Some(WorkerLine::Failed { detail }) => Ending::Failed(detail),
        Some(WorkerLine::Cancelled) => Ending::Cancelled,
        Some(WorkerLine::Progress(_)) | None => Ending::Died(match status {
            Ok(s) => s.to_string(),
            Err(e) => e.to_string(),
        }),
    })
}

fn watchdog(
    config: &WorkerConfig,
    sink: &dyn ProgressSink,
    pid: u32,
    child: &Mutex<Child>,
    exited: &AtomicBool,
    verdict: &Mutex<Option<Ending>>,
    mut stdin: Option<std::process::ChildStdin>,
) {
    let started = Instant::now();
    let mut asked_at: Option<Instant> = None;
    while !exited.load(Ordering::Relaxed) {
        std::thread::sleep(WATCH_EVERY);
        if exited.load(Ordering::Relaxed) {
            break;
        }
        let rss = resident_bytes(pid).unwrap_or(0);
        let stop = if rss > config.memory_budget_bytes {
            Some(Ending::OutOfMemory(rss))
        } else if started.elapsed() > config.deadline {
            Some(Ending::TimedOut)
        } else {
            None
        };
        if let Some(ending) = stop {
            // Over budget: no grace, the next allocation could take the machine.
            *lock(verdict) = Some(ending);
            let _ = lock(child).kill();
            break;
        }
        if asked_at.is_none() && sink.is_cancelled() {
            asked_at = Some(Instant::now());
            if let Some(mut s) = stdin.take() {
                let _ = s.write_all(b"cancel\n");
                let _ = s.flush();
            }
        }
        if asked_at.is_some_and(|t| t.elapsed() > CANCEL_GRACE) {
            *lock(verdict) = Some(Ending::Cancelled);
            let _ = lock(child).kill();
            break;
        }
    }
}

/// Resident memory of a process (Linux `/proc`), bytes.
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The child's side: `loglens worker <order.json>`. Runs the analysis and prints its lines;
/// returns an error only for what it cannot even start with (an unreadable order).
pub fn run(order_path: &Path, models: ModelConfig) -> anyhow::Result<()> {
    let order: WorkOrder = serde_json::from_slice(&std::fs::read(order_path)?)?;
    if let Err(e) = rlimit::setrlimit(
        rlimit::Resource::AS,
        order.address_space_bytes,
        order.address_space_bytes,
    ) {
        tracing::warn!(error = %e, "cannot limit the worker's address space");
    }
    let cancel = Arc::new(AtomicBool::new(false));
    {
        // `cancel` from the server, or the end of stdin (the server is gone): stop.
        let cancel = Arc::clone(&cancel);
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut line = String::new();
            loop {
                line.clear();
                match stdin.lock().read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line.trim() == "cancel" => break,
                    Ok(_) => {}
                }
            }
            cancel.store(true, Ordering::Relaxed);
        });
    }
    let read = |f: &Option<(String, PathBuf)>| -> anyhow::Result<Option<UploadedFile>> {
        f.as_ref()
            .map(|(name, path)| {
                Ok(UploadedFile {
                    name: name.clone(),
                    bytes: std::fs::read(path)?,
                })
            })
            .transpose()
    };
    let req = AnalysisRequest {
        archive: order.archive.clone(),
        upload_name: order.upload_name.clone(),
        model: order.model,
        semantic: order.semantic,
        thresholds: None,
        kb: read(&order.kb)?,
        playbooks: read(&order.playbooks)?,
        glossaries: [
            read(&order.uploaded_glossary)?,
            read(
                &order
                    .glossary
                    .as_ref()
                    .map(|p| (p.display().to_string(), p.clone())),
            )?,
        ]
        .into_iter()
        .flatten()
        .collect(),
        out_dir: order.out_dir.clone(),
        not_relevant: order.not_relevant.clone(),
        kb_for_all: order.kb_for_all,
    };
    let mut config = EngineConfig::new(models, Some(order.cache_dir.clone()));
    config.retain_bytes = order.retain_bytes;
    let mut user = match &order.uploaded_formats {
        Some((_, path)) => crate::inspect::read_user_formats(path)?,
        None => Vec::new(),
    };
    if let Some(path) = &order.formats {
        user.extend(crate::inspect::read_user_formats(path)?);
    }
    config.formats = std::sync::Arc::new(crate::engine::scan::format::Formats::new(user));
    let engine = Engine::new(config);
    let sink = LineSink { cancel };
    let outcome = match &order.task {
        Task::Whole => engine.analyze(&req, &sink),
        Task::ReadCase { case } => {
            let line = engine.read_case(&req, *case, &sink).and_then(|scan| {
                let lines = scan.files.iter().map(|f| f.scan.lines).sum();
                let path = order.out_dir.join(CASE_SCAN_FILE);
                let json = serde_json::to_vec(&scan).map_err(std::io::Error::other);
                json.and_then(|j| std::fs::write(&path, j))
                    .map_err(|source| EngineError::OutDir { path, source })?;
                Ok(WorkerLine::CaseRead { lines })
            });
            print_line(&ended(line));
            return Ok(());
        }
        Task::Merge { cases } => {
            let mut scans = Vec::with_capacity(cases.len());
            for path in cases {
                scans.push(serde_json::from_slice(&std::fs::read(path)?)?);
            }
            engine.analyze_scanned(&req, scans, &sink)
        }
    };
    let line = match outcome {
        Ok(out) => WorkerLine::Done {
            results_zip: out
                .zip
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            notices: u32::try_from(out.report.summary.notices.len()).unwrap_or(u32::MAX),
            links: out.report.links.len() as u64,
            lines: out.report.summary.lines,
            incidents: out.report.incidents.len() as u64,
            knowledge_base: out.report.knowledge_base_name(),
        },
        Err(EngineError::Cancelled) => WorkerLine::Cancelled,
        Err(e) => {
            tracing::warn!(error = %e, "analysis failed");
            WorkerLine::Failed {
                detail: e.client_detail(),
            }
        }
    };
    print_line(&line);
    Ok(())
}

/// The last line of a worker whose work gave `line`, or stopped.
fn ended(line: Result<WorkerLine, EngineError>) -> WorkerLine {
    match line {
        Ok(line) => line,
        Err(EngineError::Cancelled) => WorkerLine::Cancelled,
        Err(e) => {
            tracing::warn!(error = %e, "analysis failed");
            WorkerLine::Failed {
                detail: e.client_detail(),
            }
        }
    }
}

fn print_line(line: &WorkerLine) {
    if let Ok(text) = serde_json::to_string(line) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

struct LineSink {
    cancel: Arc<AtomicBool>,
}

impl ProgressSink for LineSink {
    fn report(&self, progress: EngineProgress) {
        print_line(&WorkerLine::Progress(progress));
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_lines_are_tagged_json() {
        let done = WorkerLine::Done {
            results_zip: "vc_Results_Light.zip".into(),
            notices: 1,
            links: 8,
            lines: 10,
            incidents: 3,
            knowledge_base: Some("built-in".into()),
        };
        let text = serde_json::to_string(&done).expect("json");
        assert!(text.starts_with(r#"{"kind":"done""#), "{text}");
        assert_eq!(
            serde_json::from_str::<WorkerLine>(&text).expect("back"),
            done
        );
        let cancelled = serde_json::to_string(&WorkerLine::Cancelled).expect("json");
        assert_eq!(cancelled, r#"{"kind":"cancelled"}"#);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let rss = resident_bytes(std::process::id()).expect("linux /proc");
        assert!(rss > 1024 * 1024, "{rss}");
    }
}
