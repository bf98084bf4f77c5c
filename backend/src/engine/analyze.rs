//! One analysis from archive to report files, in the eleven stages of the progress protocol.
//! The caller gives a [`ProgressSink`]; the engine never knows whether a socket, a terminal
//! or a test is listening.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loglens_shared::report::{AnalysisReport, FileStats, Notice, ScenarioInfo, Summary};
use loglens_shared::units::{self, BYTE_UNITS_EN, BYTE_UNITS_RU};
use loglens_shared::{LocalizedText, Stage};

use crate::engine::progress::EngineProgress;
use crate::say;
use rayon::prelude::*;

use super::archive::{self, ArchiveError, ArchiveLimits, ByteBudget, EntryReader, KbEntry};
use super::derive::{self, CaseFindings};
use super::embed::{EmbedError, VectorCache};
use super::kb::{KbError, KnowledgeBase, MAX_KB_BYTES};
use super::matcher::{self, ScannedFile, Semantic, Thresholds};
use super::models::{ModelKind, ModelRegistry};
use super::notices;
use super::playbooks::{PlaybookError, Playbooks};
use super::reports::{self, ReportError};
use super::scan::{self, CONTEXT_LINES, ScanError};
use crate::config::ModelConfig;

/// Progress updates inside a stage are sent at most this often.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

/// Receives progress and answers whether the analysis should stop.
pub trait ProgressSink: Sync {
    fn report(&self, progress: EngineProgress);
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// A file the user uploaded beside the archive (a knowledge base or playbooks).
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What to analyse and how.
#[derive(Debug, Clone)]
pub struct AnalysisRequest {
    /// The uploaded ZIP on disk.
    pub archive: PathBuf,
    /// The name the user gave it (`vc.zip`): names the results and may supply a scenario id.
    pub upload_name: String,
    pub model: ModelKind,
    /// `false` restricts matching to the organizers' exact rule (no model is loaded).
    pub semantic: bool,
    /// Overrides the model's calibrated thresholds.
    pub thresholds: Option<Thresholds>,
    /// Used by cases that bring no knowledge base of their own (else the built-in one).
    pub kb: Option<UploadedFile>,
    pub playbooks: Option<UploadedFile>,
    /// Where the report files and the results zip are written.
    pub out_dir: PathBuf,
}

/// The finished analysis.
#[derive(Debug, Clone)]
pub struct AnalysisOutput {
    pub report: AnalysisReport,
    pub out_dir: PathBuf,
    pub zip: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Kb(#[from] KbError),
    #[error(transparent)]
    Playbooks(#[from] PlaybookError),
    #[error(transparent)]
    Model(EmbedError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cannot create the output folder {path}: {source}")]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the analysis was cancelled")]
    Cancelled,
}

impl EngineError {
    /// What the client is told: the user's own mistakes in full (they name entries of the
    /// archive and rows of a knowledge base), the server's only by kind — paths, model
    /// folders and library messages go to the log.
    pub fn client_detail(&self) -> String {
        match self {
            EngineError::Archive(ArchiveError::Io(_)) => "the stored upload cannot be read".into(),
            EngineError::Archive(e) => e.to_string(),
            EngineError::Kb(e) => e.to_string(),
            EngineError::Playbooks(e) => e.to_string(),
            EngineError::Model(_) => "the embedding model is not available on this server".into(),
            EngineError::Report(_) | EngineError::OutDir { .. } => {
                "the reports could not be written on the server".into()
            }
            EngineError::Cancelled => self.to_string(),
        }
    }
}

impl From<EmbedError> for EngineError {
    fn from(e: EmbedError) -> Self {
        match e {
            EmbedError::Cancelled => EngineError::Cancelled,
            other => EngineError::Model(other),
        }
    }
}

/// Settings of the engine itself (not of one analysis).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub models: ModelConfig,
    pub limits: ArchiveLimits,
    /// Lines of real log context kept around each WARNING/ERROR.
    pub context_lines: usize,
    /// Where KB vectors are persisted (`None`: memory only).
    pub cache_dir: Option<PathBuf>,
    /// Bytes of log lines (with their context) one analysis keeps in memory, all files
    /// together; beyond it, lines are counted, not kept (see `scan`).
    pub retain_bytes: u64,
}

/// What an analysis keeps of its log lines unless told otherwise.
pub const DEFAULT_RETAIN_BYTES: u64 = 128 * 1024 * 1024;

impl EngineConfig {
    pub fn new(models: ModelConfig, cache_dir: Option<PathBuf>) -> Self {
        Self {
            models,
            limits: ArchiveLimits::default(),
            context_lines: CONTEXT_LINES,
            cache_dir,
            retain_bytes: DEFAULT_RETAIN_BYTES,
        }
    }
}

/// The analysis engine of a process: models and caches shared by every analysis.
pub struct Engine {
    models: ModelRegistry,
    cache: VectorCache,
    limits: ArchiveLimits,
    context_lines: usize,
    retain_bytes: u64,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            models: ModelRegistry::new(config.models),
            cache: VectorCache::new(config.cache_dir),
            limits: config.limits,
            context_lines: config.context_lines,
            retain_bytes: config.retain_bytes,
        }
    }

    /// Runs one analysis to the end, writing every report into `req.out_dir`.
    pub fn analyze(
        &self,
        req: &AnalysisRequest,
        sink: &dyn ProgressSink,
    ) -> Result<AnalysisOutput, EngineError> {
        let started = Instant::now();
        let p = Reporter::new(sink);
        std::fs::create_dir_all(&req.out_dir).map_err(|source| EngineError::OutDir {
            path: req.out_dir.clone(),
            source,
        })?;

        // 1. Archive directory: cases, files, sizes, defences.
        p.stage(
            Stage::Unpack,
            0.0,
            say!(
                "Чтение оглавления архива",
                "Reading the archive's directory"
            ),
        );
        let plan = archive::plan(&req.archive, &req.upload_name, &self.limits)?;
        let file_count: usize = plan.cases.iter().map(|c| c.logs.len()).sum();
        p.bytes_total.store(plan.log_bytes, Ordering::Relaxed);
        let (cases, (size_ru, size_en)) = (plan.cases.len(), sizes(plan.log_bytes));
        p.stage(
            Stage::Unpack,
            1.0,
            say!(
                "Сценариев: {cases}, лог-файлов: {file_count}, {size_ru}",
                "Scenarios: {cases}, log files: {file_count}, {size_en}"
            ),
        );
        p.check()?;
        let mut notices = plan.notices.clone();

        // 2. Which knowledge base each case uses.
        p.stage(
            Stage::FindKnowledgeBase,
            0.0,
            say!(
                "Поиск anomalies_problems.*",
                "Looking for anomalies_problems.*"
            ),
        );
        let own = plan.cases.iter().filter(|c| c.kb.is_some()).count();
        let fallback = (own < cases).then(|| match &req.kb {
            Some(f) => {
                let name = &f.name;
                say!("загруженная ({name})", "the uploaded one ({name})")
            }
            None => say!("встроенная", "the built-in one"),
        });
        p.stage(
            Stage::FindKnowledgeBase,
            1.0,
            match fallback {
                None => say!(
                    "Базы знаний найдены для всех {own} сценариев",
                    "Knowledge bases found for all {own} scenarios"
                ),
                Some(LocalizedText { ru, en }) => say!(
                    "Своя база знаний: {own} из {cases}; остальным — {ru}",
                    "Own knowledge base: {own} of {cases}; the others use {en}"
                ),
            },
        );
        p.check()?;

        // 3. The model (only when semantic matching is on).
        let model = if req.semantic {
            let name = req.model.as_str();
            p.stage(
                Stage::LoadModel,
                0.0,
                say!("Загрузка модели {name}", "Loading the {name} model"),
            );
            let t = Instant::now();
            let m = self.models.get(req.model)?;
            let ms = t.elapsed().as_millis();
            p.stage(
                Stage::LoadModel,
                1.0,
                say!(
                    "Модель {name} готова ({ms} мс)",
                    "The {name} model is ready ({ms} ms)"
                ),
            );
            Some(m)
        } else {
            p.stage(
                Stage::LoadModel,
                1.0,
                say!(
                    "Только точное совпадение: модель не нужна",
                    "Exact matching only: no model needed"
                ),
            );
            None
        };
        p.check()?;

        // 4. Knowledge bases, each parsed once.
        p.stage(
            Stage::LoadKnowledgeBase,
            0.0,
            say!("Чтение базы знаний", "Reading the knowledge base"),
        );
        let mut reader = EntryReader::open(&req.archive)?;
        let mut kbs: HashMap<String, Arc<KnowledgeBase>> = HashMap::new();
        let mut case_kb: Vec<Arc<KnowledgeBase>> = Vec::with_capacity(plan.cases.len());
        for case in &plan.cases {
            let kb = match &case.kb {
                Some(entry) => match kbs.get(&entry.path) {
                    Some(kb) => Arc::clone(kb),
                    None => {
                        let kb = Arc::new(load_zip_kb(&mut reader, entry)?);
                        kbs.insert(entry.path.clone(), Arc::clone(&kb));
                        kb
                    }
                },
                None => {
                    let key = "\0fallback".to_owned();
                    match kbs.get(&key) {
                        Some(kb) => Arc::clone(kb),
                        None => {
                            let kb = Arc::new(match &req.kb {
                                Some(f) => KnowledgeBase::parse(
                                    &f.bytes,
                                    &f.name,
                                    &format!("uploaded: {}", f.name),
                                )?,
                                None => KnowledgeBase::builtin(),
                            });
                            kbs.insert(key, Arc::clone(&kb));
                            kb
                        }
                    }
                }
            };
            case_kb.push(kb);
        }
        let mut distinct: Vec<Arc<KnowledgeBase>> = Vec::new();
        for kb in kbs.values() {
            notices.extend(kb.row_notice());
            if !distinct.iter().any(|d| d.content_hash == kb.content_hash) {
                distinct.push(Arc::clone(kb));
            }
        }
        let links_total: usize = distinct.iter().map(|k| k.links.len()).sum();
        let kb_count = distinct.len();
        p.stage(
            Stage::LoadKnowledgeBase,
            1.0,
            say!(
                "Баз знаний: {kb_count}, связей аномалия→проблема: {links_total}",
                "Knowledge bases: {kb_count}, anomaly→problem links: {links_total}"
            ),
        );
        let playbooks = match &req.playbooks {
            Some(f) => Playbooks::parse(&f.bytes, &f.name, &format!("uploaded: {}", f.name))?,
            None => Playbooks::builtin(),
        };
        p.check()?;

        // 5. KB vectors (cached per model and KB content).
        let mut kb_vectors = HashMap::new();
        if let Some(model) = &model {
            let total: usize = distinct
                .iter()
                .map(|k| k.problems.len() + k.anomalies.len())
                .sum();
            let mut base = 0;
            for kb in &distinct {
                let n = kb.problems.len() + kb.anomalies.len();
                let v = self.cache.kb_vectors(model.as_ref(), kb, &mut |done, _| {
                    let done = base + done;
                    p.throttled(Stage::EmbedKnowledgeBase, ratio(done, total), || {
                        say!(
                            "Эмбеддинги базы знаний: {done}/{total}",
                            "Knowledge base embeddings: {done}/{total}"
                        )
                    });
                    !p.cancelled()
                })?;
                base += n;
                kb_vectors.insert(kb.content_hash.clone(), v);
            }
            p.stage(
                Stage::EmbedKnowledgeBase,
                1.0,
                say!(
                    "Эмбеддинги базы знаний готовы: {total} текстов",
                    "Knowledge base embeddings ready: {total} texts"
                ),
            );
        } else {
            p.stage(
                Stage::EmbedKnowledgeBase,
                1.0,
                say!(
                    "Эмбеддинги не нужны (точное совпадение)",
                    "No embeddings needed (exact matching)"
                ),
            );
        }
        p.check()?;

        // 6. Stream and parse every log file, in parallel.
        p.stage(
            Stage::ParseLogs,
            0.0,
            say!("Парсинг {file_count} файлов", "Parsing {file_count} files"),
        );
        let scanned = self.scan_all(req, &plan, &case_kb, &p)?;
        let lines: u64 = scanned.iter().flatten().map(|f| f.scan.lines).sum();
        let signal_lines: u64 = scanned.iter().flatten().map(|f| f.scan.signal_lines).sum();
        p.stage(
            Stage::ParseLogs,
            1.0,
            say!(
                "Прочитано строк: {lines}; WARNING/ERROR: {signal_lines}",
                "Lines read: {lines}; WARNING/ERROR: {signal_lines}"
            ),
        );
        p.check()?;

        // 7. Exact, then semantic matching.
        p.stage(
            Stage::Classify,
            0.0,
            say!(
                "Точное сопоставление с базой знаний",
                "Exact matching against the knowledge base"
            ),
        );
        let mut messages = HashMap::new();
        if let Some(model) = &model {
            let mut open = BTreeSet::new();
            for (files, kb) in scanned.iter().zip(&case_kb) {
                open.extend(matcher::open_messages(kb, files));
            }
            let open: Vec<String> = open.into_iter().collect();
            let total = open.len();
            messages = self.cache.messages(model.as_ref(), &open, &mut |done, _| {
                p.throttled(Stage::Classify, 0.1 + 0.8 * ratio(done, total), || {
                    say!(
                        "Семантическое сопоставление: {done}/{total} сообщений",
                        "Semantic matching: {done}/{total} messages"
                    )
                });
                !p.cancelled()
            })?;
        }
        let thresholds = req.thresholds.unwrap_or_else(|| Thresholds::of(req.model));
        let mut case_matches = Vec::with_capacity(plan.cases.len());
        for (files, kb) in scanned.iter().zip(&case_kb) {
            let sem = kb_vectors.get(&kb.content_hash).map(|kbv| Semantic {
                kb: kbv,
                messages: &messages,
                thresholds,
            });
            let m = matcher::match_case(kb, files, sem.as_ref());
            let links = matcher::links(kb, files, &m);
            case_matches.push((m, links));
        }
        let link_count: usize = case_matches.iter().map(|(_, l)| l.len()).sum();
        p.stage(
            Stage::Classify,
            1.0,
            say!(
                "Найдено связей аномалия→проблема: {link_count}",
                "Anomaly→problem links found: {link_count}"
            ),
        );
        p.check()?;

        // 8. Findings and the incident ranking.
        p.stage(
            Stage::IncidentReport,
            0.0,
            say!("Ранжирование инцидентов", "Ranking incidents"),
        );
        let mut findings: Vec<CaseFindings> = Vec::with_capacity(plan.cases.len());
        for (((case, files), kb), (m, links)) in plan
            .cases
            .iter()
            .zip(&scanned)
            .zip(&case_kb)
            .zip(&case_matches)
        {
            findings.push(derive::derive_case(
                case.id, kb, files, m, links, &playbooks,
            ));
        }
        let cyrillic_signal_lines: u64 = scanned
            .iter()
            .flatten()
            .flat_map(|f| &f.scan.groups)
            .filter(|g| notices::is_cyrillic(&g.key))
            .map(|g| g.count)
            .sum();
        let mut report = assemble(req, &plan, &scanned, &case_kb, findings, &playbooks);
        let (unlisted, uncounted) = scanned.iter().flatten().fold((0, 0), |(a, b), f| {
            (a + f.scan.unlisted_errors, b + f.scan.uncounted_messages)
        });
        if unlisted > 0 {
            notices.push(Notice::ErrorsUnlisted { lines: unlisted });
        }
        if uncounted > 0 {
            notices.push(Notice::MessagesNotAnalysed { lines: uncounted });
        }
        notices.extend(notices::outcome(
            &report,
            notices::Inputs {
                model: req.semantic.then_some(req.model),
                uploaded_kb: req.kb.as_ref().map(|f| (f.name.as_str(), own < cases)),
                cyrillic_signal_lines,
            },
        ));
        report.summary.warnings = notices.iter().map(Notice::english).collect();
        report.summary.notices = notices;
        report.incidents.sort_by(|a, b| {
            b.impact
                .cmp(&a.impact)
                .then((a.scenario_id, a.problem_id).cmp(&(b.scenario_id, b.problem_id)))
        });
        reports::write_incidents(&report, &req.out_dir.join(reports::INCIDENTS))?;
        let incidents = report.incidents.len();
        p.stage(
            Stage::IncidentReport,
            1.0,
            say!("Инцидентов: {incidents}", "Incidents: {incidents}"),
        );
        p.check()?;

        // 9. Predictions and novel anomalies.
        p.stage(
            Stage::ExtraReports,
            0.0,
            say!(
                "Прогнозы и новые аномалии",
                "Predictions and novel anomalies"
            ),
        );
        reports::write_predictions(&report, &req.out_dir.join(reports::PREDICTIVE_ALERTS))?;
        reports::write_novel(&report, &req.out_dir.join(reports::NOVEL_ANOMALIES))?;
        let (predictions, novel) = (report.predictions.len(), report.novel_anomalies.len());
        p.stage(
            Stage::ExtraReports,
            1.0,
            say!(
                "Прогнозов: {predictions}, новых аномалий: {novel}",
                "Predictions: {predictions}, novel anomalies: {novel}"
            ),
        );
        p.check()?;

        // 10. The official report.
        p.stage(
            Stage::SubmitReport,
            0.0,
            say!(
                "Формирование submit_report.xlsx",
                "Writing submit_report.xlsx"
            ),
        );
        reports::write_submit_report(&report, &req.out_dir.join(reports::SUBMIT_REPORT))?;
        let rows = report.links.len();
        p.stage(
            Stage::SubmitReport,
            1.0,
            say!(
                "submit_report.xlsx: {rows} строк",
                "submit_report.xlsx: {rows} rows"
            ),
        );
        p.check()?;

        // 11. Playbooks, JSON, and the results zip.
        p.stage(
            Stage::Recommendations,
            0.0,
            say!("Рекомендации по устранению", "Remediation playbooks"),
        );
        reports::write_playbooks_csv(&report, &req.out_dir.join(reports::PLAYBOOKS_CSV))?;
        reports::write_playbooks_txt(&report, &req.out_dir.join(reports::PLAYBOOKS_TXT))?;
        report.summary.duration_ms = started.elapsed().as_millis() as u64;
        reports::write_json(&report, &req.out_dir.join(reports::REPORT_JSON))?;
        let zip_name = reports::results_zip_name(&report.summary.name, req.model.as_str());
        let zip = reports::write_results_zip(&req.out_dir, &zip_name)?;
        let playbook_count = report.playbooks.len();
        p.stage(
            Stage::Recommendations,
            1.0,
            say!(
                "Готово: {playbook_count} рекомендаций, {zip_name}",
                "Done: {playbook_count} playbooks, {zip_name}"
            ),
        );
        Ok(AnalysisOutput {
            report,
            out_dir: req.out_dir.clone(),
            zip,
        })
    }

    fn scan_all(
        &self,
        req: &AnalysisRequest,
        plan: &archive::ArchivePlan,
        case_kb: &[Arc<KnowledgeBase>],
        p: &Reporter<'_>,
    ) -> Result<Vec<Vec<ScannedFile>>, EngineError> {
        let budget = ByteBudget::default();
        let kept = scan::RetainBudget::new(self.retain_bytes);
        let jobs: Vec<(usize, &archive::LogEntry)> = plan
            .cases
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.logs.iter().map(move |e| (ci, e)))
            .collect();
        let results: Vec<Result<(usize, ScannedFile), EngineError>> = jobs
            .par_iter()
            .map_init(
                || EntryReader::open(&req.archive).map_err(|e| e.to_string()),
                |reader, (ci, entry)| {
                    let reader = reader
                        .as_mut()
                        .map_err(|e| EngineError::Archive(ArchiveError::NotAZip(e.clone())))?;
                    let result = reader.with_entry(entry, &self.limits, &budget, |r| {
                        let retain = scan::Retain::Bounded {
                            kb: &case_kb[*ci],
                            budget: &kept,
                        };
                        scan::scan_with(r, self.context_lines, retain, |bytes, lines| {
                            p.add(bytes, lines);
                            let done = p.bytes_done.load(Ordering::Relaxed);
                            let total = p.bytes_total.load(Ordering::Relaxed);
                            p.throttled(Stage::ParseLogs, ratio_u64(done, total), || {
                                let ((done_ru, done_en), (total_ru, total_en)) =
                                    (sizes(done), sizes(total));
                                say!(
                                    "Прочитано {done_ru} из {total_ru}",
                                    "Read {done_en} of {total_en}"
                                )
                            });
                            !p.cancelled()
                        })
                        .map_err(|e| match e {
                            ScanError::Io(io) => io,
                            ScanError::Cancelled => {
                                std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled")
                            }
                        })
                    });
                    match result {
                        Ok(scan) => Ok((
                            *ci,
                            ScannedFile {
                                name: entry.name.clone(),
                                scan,
                            },
                        )),
                        Err(_) if p.cancelled() => Err(EngineError::Cancelled),
                        Err(e) => Err(e.into()),
                    }
                },
            )
            .collect();
        let mut out: Vec<Vec<ScannedFile>> = vec![Vec::new(); plan.cases.len()];
        for r in results {
            let (ci, file) = r?;
            out[ci].push(file);
        }
        Ok(out)
    }
}

fn load_zip_kb(reader: &mut EntryReader, entry: &KbEntry) -> Result<KnowledgeBase, EngineError> {
    let bytes = reader.read_small(entry, MAX_KB_BYTES)?;
    Ok(KnowledgeBase::parse(&bytes, &entry.path, &entry.path)?)
}

fn assemble(
    req: &AnalysisRequest,
    plan: &archive::ArchivePlan,
    scanned: &[Vec<ScannedFile>],
    case_kb: &[Arc<KnowledgeBase>],
    findings: Vec<CaseFindings>,
    playbooks: &Playbooks,
) -> AnalysisReport {
    let mut report = AnalysisReport::default();
    for ((case, files), kb) in plan.cases.iter().zip(scanned).zip(case_kb) {
        report.scenarios.push(ScenarioInfo {
            id: case.id,
            folder: case.folder.clone(),
            kb_source: kb.source.clone(),
            files: files
                .iter()
                .map(|f| FileStats {
                    name: f.name.clone(),
                    bytes: f.scan.bytes,
                    lines: f.scan.lines,
                    signal_lines: f.scan.signal_lines,
                    unparsable_lines: f.scan.unparsable,
                })
                .collect(),
        });
    }
    for f in findings {
        report.links.extend(f.links);
        report.incidents.extend(f.incidents);
        report.predictions.extend(f.predictions);
        report.novel_anomalies.extend(f.novel);
    }
    report
        .links
        .sort_by(|a, b| a.report_order().cmp(&b.report_order()));
    let problem_text = |id: u32| {
        case_kb
            .first()
            .and_then(|kb| kb.problems.get(&id).cloned())
            .unwrap_or_default()
    };
    report.playbooks = derive::recommendations(&report.incidents, problem_text, playbooks);
    let all_files = report.scenarios.iter().flat_map(|s| &s.files);
    let affected: BTreeSet<(u32, &str)> = report
        .links
        .iter()
        .flat_map(|l| {
            [
                (l.scenario_id, l.error.file.as_str()),
                (l.scenario_id, l.warning.file.as_str()),
            ]
        })
        .collect();
    let anomalies: BTreeSet<(u32, u32)> = report
        .links
        .iter()
        .map(|l| (l.scenario_id, l.anomaly_id))
        .collect();
    let stem = Path::new(&req.upload_name)
        .file_stem()
        .map_or_else(|| "logs".to_owned(), |s| s.to_string_lossy().into_owned());
    report.summary = Summary {
        name: stem,
        model: req.model,
        semantic: req.semantic,
        scenarios: report.scenarios.len(),
        files: all_files.clone().count(),
        lines: all_files.clone().map(|f| f.lines).sum(),
        bytes: all_files.clone().map(|f| f.bytes).sum(),
        signal_lines: all_files.clone().map(|f| f.signal_lines).sum(),
        unparsable_lines: all_files.map(|f| f.unparsable_lines).sum(),
        links: report.links.len(),
        problems: report.incidents.len(),
        anomalies: anomalies.len(),
        predictions: report.predictions.len(),
        novel_anomalies: report.novel_anomalies.len(),
        affected_systems: affected.len(),
        duration_ms: 0,
        warnings: Vec::new(),
        notices: Vec::new(),
    };
    report
}

fn ratio(done: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    }
}

fn ratio_u64(done: u64, total: u64) -> f64 {
    if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    }
}

/// A size in both languages' units (the web app formats its own figures the same way).
fn sizes(n: u64) -> (String, String) {
    (
        units::bytes(n, &BYTE_UNITS_RU),
        units::bytes(n, &BYTE_UNITS_EN),
    )
}

/// Turns stage fractions and byte counters into [`EngineProgress`] for the sink, throttled.
struct Reporter<'a> {
    sink: &'a dyn ProgressSink,
    bytes_total: AtomicU64,
    bytes_done: AtomicU64,
    lines_done: AtomicU64,
    last: Mutex<(Instant, u8)>,
}

impl<'a> Reporter<'a> {
    fn new(sink: &'a dyn ProgressSink) -> Self {
        Self {
            sink,
            bytes_total: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
            lines_done: AtomicU64::new(0),
            last: Mutex::new((Instant::now(), 0)),
        }
    }

    fn add(&self, bytes: u64, lines: u64) {
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.lines_done.fetch_add(lines, Ordering::Relaxed);
    }

    fn cancelled(&self) -> bool {
        self.sink.is_cancelled()
    }

    fn check(&self) -> Result<(), EngineError> {
        if self.cancelled() {
            Err(EngineError::Cancelled)
        } else {
            Ok(())
        }
    }

    fn emit(&self, stage: Stage, fraction: f64, message: LocalizedText, last: &mut (Instant, u8)) {
        // Percent never goes backwards, even if workers report out of order.
        let percent = stage.percent(fraction).max(last.1);
        *last = (Instant::now(), percent);
        self.sink.report(EngineProgress {
            stage,
            percent,
            message,
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            lines_done: self.lines_done.load(Ordering::Relaxed),
        });
    }

    /// A stage boundary or milestone: always sent.
    fn stage(&self, stage: Stage, fraction: f64, message: LocalizedText) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        self.emit(stage, fraction, message, &mut last);
    }

    /// An update inside a long stage: sent if [`PROGRESS_INTERVAL`] has passed.
    /// The message is written only when it is sent (this runs for every buffer of every file).
    fn throttled(&self, stage: Stage, fraction: f64, message: impl FnOnce() -> LocalizedText) {
        let Ok(mut last) = self.last.try_lock() else {
            return;
        };
        if last.0.elapsed() >= PROGRESS_INTERVAL {
            self.emit(stage, fraction, message(), &mut last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_messages_match_the_web_app() {
        assert_eq!(sizes(999), ("999 Б".to_owned(), "999 B".to_owned()));
        assert_eq!(sizes(1_536), ("1.5 КБ".to_owned(), "1.5 KiB".to_owned()));
    }
}
