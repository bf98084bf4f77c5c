//! One analysis from archive to report files, as the eleven stages of the progress protocol
//! (SPEC §4). [`Engine::analyze`] is the list of stages; each step lives in its own file with
//! typed inputs and outputs, and every stage opens and closes with a typed [`Note`] that
//! [`Run`] sends to the caller's [`ProgressSink`] (a socket, a terminal or a test: the engine
//! never knows which) and checks cancellation around. The report is computed purely (stages
//! 1–8), then written by the renderers, file by file, in stages 8–11.
//!
//! Stage 6 (reading the logs) may also be done case by case, apart ([`Engine::read_case`],
//! on several nodes), and the cases' scans handed to [`Engine::analyze_scanned`], which runs
//! every other stage: its report is the one [`Engine::analyze`] gives for the whole archive.

mod assemble;
mod classify;
mod embedding;
mod error;
mod knowledge;
mod notes;
mod patterns;
mod read_logs;
mod request;
mod run;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use loglens_shared::report::AnalysisReport;
use loglens_shared::{ReportFile, Stage};

pub use error::EngineError;
pub use notes::Note;
pub use request::{
    AnalysisOutput, AnalysisRequest, DEFAULT_RETAIN_BYTES, EngineConfig, UploadedFile,
};
pub use run::PROGRESS_INTERVAL;

use classify::Meaning;
use read_logs::ReadSettings;
use run::Run;

use super::embed::VectorCache;
use super::embed::models::ModelRegistry;
use super::findings;
use super::input::archive::{self, ArchiveLimits};
use super::input::container::AsZip;
use super::matching::ScannedFile;
use super::matching::Thresholds;
use super::progress::ProgressSink;
use super::scan::format::Formats;
use crate::render;

/// The ZIP a tar, gzip or plain upload is repacked into, in the output folder while the
/// analysis runs (removed at its end; not one of the reports).
const REPACKED_UPLOAD: &str = ".upload.zip";

/// One case of an archive as [`Engine::read_case`] read it: what stage 6 found in its files,
/// in the plan's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseScan {
    /// The case's index in the archive's plan.
    pub case: usize,
    pub files: Vec<ScannedFile>,
}

/// Where stage 6 gets the log lines from.
enum Logs {
    /// Read here, from the archive.
    Read,
    /// Read already, case by case (see [`CaseScan`]).
    Scanned(Vec<CaseScan>),
}

/// The analysis engine of a process: models and caches shared by every analysis.
pub struct Engine {
    /// Shared with the thread that loads a model while an analysis reads its logs.
    models: Arc<ModelRegistry>,
    cache: VectorCache,
    limits: ArchiveLimits,
    context_lines: usize,
    retain_bytes: u64,
    formats: Arc<Formats>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            models: Arc::new(ModelRegistry::new(config.models)),
            cache: VectorCache::new(config.cache_dir),
            limits: config.limits,
            context_lines: config.context_lines,
            retain_bytes: config.retain_bytes,
            formats: config.formats,
        }
    }

    /// Runs one analysis to the end, writing every report into `req.out_dir`.
    pub fn analyze(
        &self,
        req: &AnalysisRequest,
        sink: &dyn ProgressSink,
    ) -> Result<AnalysisOutput, EngineError> {
        self.analyze_logs(req, sink, Logs::Read)
    }

    /// The analysis of an archive whose cases were read apart ([`Engine::read_case`], one
    /// [`CaseScan`] per case of its plan, in any order): every stage but the reading.
    pub fn analyze_scanned(
        &self,
        req: &AnalysisRequest,
        cases: Vec<CaseScan>,
        sink: &dyn ProgressSink,
    ) -> Result<AnalysisOutput, EngineError> {
        self.analyze_logs(req, sink, Logs::Scanned(cases))
    }

    /// Stage 6 for case `case` of the archive alone (its entries only): what
    /// [`Engine::analyze_scanned`] needs of it. Plans the archive and loads its knowledge
    /// bases (a case keeps the lines its own base names); loads no model.
    pub fn read_case(
        &self,
        req: &AnalysisRequest,
        case: usize,
        sink: &dyn ProgressSink,
    ) -> Result<CaseScan, EngineError> {
        let run = Run::new(sink);
        std::fs::create_dir_all(&req.out_dir).map_err(|source| EngineError::OutDir {
            path: req.out_dir.clone(),
            source,
        })?;
        let (plan, input) = self.unpack(&run, req)?;
        let req = &AnalysisRequest {
            archive: input.path().to_path_buf(),
            ..req.clone()
        };
        let Some(one) = plan.cases.get(case) else {
            return Err(EngineError::Cases(format!(
                "case {} asked, the archive has {}",
                case + 1,
                plan.cases.len()
            )));
        };
        let choice = run.stage(
            Stage::FindKnowledgeBase,
            Note::LookingForKnowledgeBases,
            |_| Ok(knowledge::choose(&plan, req)),
        )?;
        let knowledge = run.stage(
            Stage::LoadKnowledgeBase,
            Note::ReadingKnowledgeBases,
            |_| knowledge::load(req, &choice),
        )?;
        let alone = archive::ArchivePlan {
            cases: vec![one.clone()],
            notices: Vec::new(),
            log_bytes: one.logs.iter().map(|e| e.size).sum(),
        };
        let files = one.logs.len();
        let mut scanned = run.stage(Stage::ParseLogs, Note::Parsing { files }, |step| {
            step.set_bytes_total(alone.log_bytes);
            let scanned = read_logs::scan_cases(
                step,
                req,
                &alone,
                &knowledge.per_case[case..=case],
                self.read_settings(),
            )?;
            let case_files = scanned.iter().flatten();
            let note = Note::Parsed {
                lines: case_files.clone().map(|f| f.scan.lines).sum(),
                signal_lines: case_files.map(|f| f.scan.signal_lines).sum(),
            };
            Ok((scanned, note))
        })?;
        Ok(CaseScan {
            case,
            files: scanned.pop().unwrap_or_default(),
        })
    }

    fn read_settings(&self) -> ReadSettings<'_> {
        ReadSettings {
            limits: &self.limits,
            formats: &self.formats,
            context_lines: self.context_lines,
            retain_bytes: self.retain_bytes,
        }
    }

    /// Stage 1: the archive as a ZIP (a tar, gzip or plain upload repacked) and its plan.
    fn unpack(
        &self,
        run: &Run<'_>,
        req: &AnalysisRequest,
    ) -> Result<(archive::ArchivePlan, AsZip), EngineError> {
        let dir = req.out_dir.as_path();
        run.stage(Stage::Unpack, Note::ReadingDirectory, |step| {
            // A tar, gzip or plain upload is read as a ZIP made of it (see `container`).
            let input = AsZip::new(
                &req.archive,
                &req.upload_name,
                &dir.join(REPACKED_UPLOAD),
                &self.limits,
            )?;
            let plan = archive::plan(input.path(), &req.upload_name, &self.limits)?;
            step.set_bytes_total(plan.log_bytes);
            let note = Note::Planned {
                cases: plan.cases.len(),
                files: plan.cases.iter().map(|c| c.logs.len()).sum(),
                bytes: plan.log_bytes,
            };
            Ok(((plan, input), note))
        })
    }

    fn analyze_logs(
        &self,
        req: &AnalysisRequest,
        sink: &dyn ProgressSink,
        logs: Logs,
    ) -> Result<AnalysisOutput, EngineError> {
        let started = Instant::now();
        let run = Run::new(sink);
        std::fs::create_dir_all(&req.out_dir).map_err(|source| EngineError::OutDir {
            path: req.out_dir.clone(),
            source,
        })?;
        let dir = req.out_dir.as_path();
        let (plan, input) = self.unpack(&run, req)?;
        let req = &AnalysisRequest {
            archive: input.path().to_path_buf(),
            ..req.clone()
        };
        let choice = run.stage(
            Stage::FindKnowledgeBase,
            Note::LookingForKnowledgeBases,
            |_| Ok(knowledge::choose(&plan, req)),
        )?;
        let opening = match req.semantic {
            true => Note::LoadingModel(req.model),
            false => Note::NoModelNeeded,
        };
        let model = run.stage(Stage::LoadModel, opening, |_| {
            embedding::load_model(&self.models, req)
        })?;
        let knowledge = run.stage(
            Stage::LoadKnowledgeBase,
            Note::ReadingKnowledgeBases,
            |_| knowledge::load(req, &choice),
        )?;
        let opening = match &model {
            Some(_) => Note::EmbeddingKnowledgeBase {
                done: 0,
                total: knowledge.texts(),
            },
            None => Note::NoEmbeddingsNeeded,
        };
        let kb_vectors = run.stage(Stage::EmbedKnowledgeBase, opening, |step| {
            embedding::embed_knowledge(step, &self.cache, model.as_deref(), &knowledge)
        })?;
        let files = plan.cases.iter().map(|c| c.logs.len()).sum();
        let (scanned, patterns) =
            run.stage(
                Stage::ParseLogs,
                Note::Parsing { files },
                |step| match logs {
                    Logs::Read => read_logs::read_logs(
                        step,
                        req,
                        &plan,
                        &knowledge.per_case,
                        self.read_settings(),
                    ),
                    Logs::Scanned(cases) => {
                        let scanned = fit_cases(&plan, cases)?;
                        for f in scanned.iter().flatten() {
                            step.add_read(f.scan.bytes, f.scan.lines);
                        }
                        Ok(read_logs::with_patterns(scanned))
                    }
                },
            )?;
        let meaning = model.as_deref().map(|model| Meaning {
            model,
            cache: &self.cache,
            kb_vectors: &kb_vectors,
            thresholds: req.thresholds.unwrap_or_else(|| Thresholds::of(req.model)),
        });
        let classified = run.stage(Stage::Classify, Note::ExactMatching, |step| {
            classify::classify(
                step,
                &knowledge,
                &scanned,
                meaning.as_ref(),
                &req.not_relevant,
            )
        })?;

        let mut report = run.stage(Stage::IncidentReport, Note::RankingIncidents, |_| {
            let report = assemble::report(req, &plan, &knowledge, &scanned, &patterns, &classified);
            render::write(&report, ReportFile::Incidents, dir)?;
            let count = report.incidents.len();
            Ok((report, Note::Incidents { count }))
        })?;
        run.stage(Stage::ExtraReports, Note::PredictingAndNovel, |_| {
            write_all(
                &report,
                &[
                    ReportFile::PredictiveAlerts,
                    ReportFile::NovelAnomalies,
                    ReportFile::Patterns,
                ],
                dir,
            )?;
            let (predictions, novel) = (report.predictions.len(), report.novel_anomalies.len());
            Ok(((), Note::Predicted { predictions, novel }))
        })?;
        run.stage(Stage::SubmitReport, Note::WritingSubmitReport, |_| {
            render::write(&report, ReportFile::SubmitReport, dir)?;
            Ok((
                (),
                Note::SubmitReportWritten {
                    rows: report.links.len(),
                },
            ))
        })?;
        let zip = run.stage(Stage::Recommendations, Note::Recommending, |_| {
            report.playbooks = findings::recommendations(&report.incidents, &knowledge.playbooks);
            report.summary.duration_ms = started.elapsed().as_millis() as u64;
            let files = [
                ReportFile::PlaybooksCsv,
                ReportFile::PlaybooksTxt,
                ReportFile::ReportJson,
            ];
            write_all(&report, &files, dir)?;
            let name = render::results::results_zip_name(&report.summary.name, req.model);
            let zip = render::results::write_results_zip(dir, &name)?;
            let playbooks = report.playbooks.len();
            Ok((
                zip,
                Note::Done {
                    playbooks,
                    zip: name,
                },
            ))
        })?;
        Ok(AnalysisOutput {
            report,
            out_dir: req.out_dir.clone(),
            zip,
        })
    }
}

/// The cases read apart, in plan order, checked against the plan: each case once, with the
/// files the plan gives it.
fn fit_cases(
    plan: &archive::ArchivePlan,
    mut cases: Vec<CaseScan>,
) -> Result<read_logs::Scanned, EngineError> {
    cases.sort_by_key(|c| c.case);
    let got: Vec<usize> = cases.iter().map(|c| c.case).collect();
    if got != (0..plan.cases.len()).collect::<Vec<_>>() {
        return Err(EngineError::Cases(format!(
            "{} cases planned, cases {:?} read",
            plan.cases.len(),
            got.iter().map(|c| c + 1).collect::<Vec<_>>()
        )));
    }
    for (case, planned) in cases.iter().zip(&plan.cases) {
        let read: Vec<&str> = case.files.iter().map(|f| f.name.as_str()).collect();
        let want: Vec<&str> = planned.logs.iter().map(|e| e.name.as_str()).collect();
        if read != want {
            return Err(EngineError::Cases(format!(
                "case {}: files {read:?} read, {want:?} planned",
                case.case + 1
            )));
        }
    }
    Ok(cases.into_iter().map(|c| c.files).collect())
}

fn write_all(report: &AnalysisReport, files: &[ReportFile], dir: &Path) -> Result<(), EngineError> {
    for file in files {
        render::write(report, *file, dir)?;
    }
    Ok(())
}
