//! `report.json`: the whole [`AnalysisReport`], as the dashboard reads it and as every other
//! rendering's full text (cut cells point here).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use loglens_shared::report::AnalysisReport;

use super::{RenderError, io_err};

/// Writes `report` as compact JSON to `path`.
pub fn write_json(report: &AnalysisReport, path: &Path) -> Result<(), RenderError> {
    let file = File::create(path).map_err(io_err(path))?;
    serde_json::to_writer(BufWriter::new(file), report).map_err(|e| RenderError::Other {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
