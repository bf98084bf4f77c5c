//! Rendering: the one [`AnalysisReport`] of an analysis turned into the files and documents
//! people download. Every renderer is a pure function of the report (it decides nothing the
//! engine has not decided), so the workbooks, the CSV and TXT playbooks, `report.json`, the
//! XML and the PDF can never disagree with each other or with the dashboard.
//!
//! Which report files an analysis has, and what they are called, is
//! [`loglens_shared::ReportFile`]; [`write`] writes one of them into a folder. The exports
//! ([`xml::to_xml`], [`pdf::to_pdf`]) return bytes instead of writing files: they are made on
//! request, not kept.
//!
//! One module per output format: [`xlsx`] (the four workbooks), [`text`] (the playbooks as CSV
//! and TXT), [`json`], [`results`] (the zip that packs them), [`xml`] and [`pdf`]; [`cells`]
//! holds what a spreadsheet cell can take, for the workbooks and the CSV alike.

use std::io;
use std::path::{Path, PathBuf};

use krilla::error::KrillaError;
use loglens_shared::ReportFile;
use loglens_shared::report::AnalysisReport;
use rust_xlsxwriter::XlsxError;

pub mod cells;
pub mod json;
mod labels;
pub mod pdf;
pub mod results;
pub mod text;
pub mod xlsx;
pub mod xml;

#[cfg(test)]
mod sample;

pub use cells::{MAX_CELL_CHARS, MAX_SHEET_ROWS, cell_text, csv_cell, looks_like_formula};
pub use json::write_json;
pub use labels::Lang;
pub use pdf::to_pdf;
pub use results::{results_zip_name, write_results_zip};
pub use text::{write_playbooks_csv, write_playbooks_txt};
pub use xlsx::{
    SUBMIT_HEADERS, write_incidents, write_novel, write_patterns, write_predictions,
    write_submit_report,
};
pub use xml::to_xml;

/// Why a report file or an export could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Xlsx { path: PathBuf, source: XlsxError },
    /// The CSV, JSON or zip writer failed on `path`.
    #[error("cannot write {path}: {reason}")]
    Other { path: PathBuf, reason: String },
    /// The XML writer failed; the sink is memory, so this means a bug rather than bad input.
    #[error("cannot write the XML export: {0}")]
    Xml(#[source] io::Error),
    /// The font compiled into the binary could not be parsed.
    #[error("the embedded PDF font cannot be used: {0}")]
    Font(String),
    /// A page or shape had impossible dimensions.
    #[error("cannot lay out the PDF: {0}")]
    Layout(&'static str),
    /// The PDF writer refused the document.
    #[error("cannot produce the PDF export: {0}")]
    Pdf(#[from] KrillaError),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> RenderError + '_ {
    move |source| RenderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn xlsx_err(path: &Path) -> impl FnOnce(XlsxError) -> RenderError + '_ {
    move |source| RenderError::Xlsx {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes report `file` of `report` into `dir` under its own name; returns its path.
pub fn write(
    report: &AnalysisReport,
    file: ReportFile,
    dir: &Path,
) -> Result<PathBuf, RenderError> {
    let path = dir.join(file.file_name());
    match file {
        ReportFile::PlaybooksCsv => write_playbooks_csv(report, &path),
        ReportFile::PlaybooksTxt => write_playbooks_txt(report, &path),
        ReportFile::ReportJson => write_json(report, &path),
        // The results' own workbooks: Russian words, as the organizers' reports are.
        workbook => write_workbook(report, workbook, &path, Lang::Ru).map(|_| ()),
    }?;
    Ok(path)
}

/// Writes report `file` to `path` if it is a workbook, its words in `lang` (the official
/// sheet's six headers stay as written); `false` for the other files.
pub fn write_workbook(
    report: &AnalysisReport,
    file: ReportFile,
    path: &Path,
    lang: Lang,
) -> Result<bool, RenderError> {
    match file {
        ReportFile::SubmitReport => write_submit_report(report, path, lang),
        ReportFile::Incidents => write_incidents(report, path, lang),
        ReportFile::PredictiveAlerts => write_predictions(report, path, lang),
        ReportFile::NovelAnomalies => write_novel(report, path, lang),
        ReportFile::Patterns => write_patterns(report, path, lang),
        _ => return Ok(false),
    }?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_file_is_written_under_its_name() {
        let dir = tempfile::tempdir().expect("tmp");
        let report = sample::report(3);
        for file in ReportFile::ALL {
            let path = write(&report, file, dir.path()).expect("written");
            assert_eq!(path, dir.path().join(file.file_name()));
            assert!(path.metadata().expect("exists").len() > 0, "{file:?}");
        }
        let json =
            std::fs::read(dir.path().join(ReportFile::ReportJson.file_name())).expect("json");
        let back: AnalysisReport = serde_json::from_slice(&json).expect("parses");
        assert_eq!(back, report);
    }

    #[test]
    fn render_error_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<RenderError>();
    }
}
