//! One analysis from archive to report files, as the eleven stages of the progress protocol
//! (SPEC §4). [`Engine::analyze`] is the list of stages; each step lives in its own file with
//! typed inputs and outputs, and every stage opens and closes with a typed [`Note`] that
//! [`Run`] sends to the caller's [`ProgressSink`] (a socket, a terminal or a test: the engine
//! never knows which) and checks cancellation around. The report is computed purely (stages
//! 1–8), then written by the renderers, file by file, in stages 8–11.

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
use super::matching::Thresholds;
use super::progress::ProgressSink;
use super::scan::format::Formats;
use crate::render;

/// The ZIP a tar, gzip or plain upload is repacked into, in the output folder while the
/// analysis runs (removed at its end; not one of the reports).
const REPACKED_UPLOAD: &str = ".upload.zip";

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
        let started = Instant::now();
        let run = Run::new(sink);
        std::fs::create_dir_all(&req.out_dir).map_err(|source| EngineError::OutDir {
            path: req.out_dir.clone(),
            source,
        })?;
        let dir = req.out_dir.as_path();

        let (plan, input) = run.stage(Stage::Unpack, Note::ReadingDirectory, |step| {
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
        })?;
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
        let (scanned, patterns) = run.stage(Stage::ParseLogs, Note::Parsing { files }, |step| {
            let settings = ReadSettings {
                limits: &self.limits,
                formats: &self.formats,
                context_lines: self.context_lines,
                retain_bytes: self.retain_bytes,
            };
            read_logs::read_logs(step, req, &plan, &knowledge.per_case, settings)
        })?;
        let meaning = model.as_deref().map(|model| Meaning {
            model,
            cache: &self.cache,
            kb_vectors: &kb_vectors,
            thresholds: req.thresholds.unwrap_or_else(|| Thresholds::of(req.model)),
        });
        let classified = run.stage(Stage::Classify, Note::ExactMatching, |step| {
            classify::classify(step, &knowledge, &scanned, meaning.as_ref())
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

fn write_all(report: &AnalysisReport, files: &[ReportFile], dir: &Path) -> Result<(), EngineError> {
    for file in files {
        render::write(report, *file, dir)?;
    }
    Ok(())
}
