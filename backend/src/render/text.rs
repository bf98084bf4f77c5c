//! The remediation playbooks as text: `playbooks_recommendations.csv` for a spreadsheet (with a
//! BOM, and input neutralised against formulas) and `playbooks_recommendations.txt` to read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use loglens_shared::report::AnalysisReport;

use super::cells::csv_cell;
use super::{RenderError, io_err};

/// `playbooks_recommendations.csv`: one row per recommended playbook, for a spreadsheet.
pub fn write_playbooks_csv(report: &AnalysisReport, path: &Path) -> Result<(), RenderError> {
    let file = File::create(path).map_err(io_err(path))?;
    let mut w = BufWriter::new(file);
    // A BOM so that Excel opens the Cyrillic headers as UTF-8.
    w.write_all(b"\xEF\xBB\xBF").map_err(io_err(path))?;
    let mut csv = csv::Writer::from_writer(w);
    let other = |e: csv::Error| RenderError::Other {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    csv.write_record([
        "ID проблемы",
        "Проблема",
        "Приоритет",
        "Сценарии",
        "Описание",
        "Шаги",
    ])
    .map_err(other)?;
    for p in &report.playbooks {
        let scenarios: Vec<String> = p.scenario_ids.iter().map(u32::to_string).collect();
        // The results' files are Russian: the playbook's Russian text when it has one.
        let (summary, steps) = p.text(true);
        let steps: Vec<String> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", i + 1))
            .collect();
        // Problem texts come from the knowledge base, summaries and steps from a playbook
        // file: both may be a user's, so every text cell is neutralised.
        let steps = steps.join("\n");
        csv.write_record([
            p.problem_id.to_string().as_str(),
            &csv_cell(&p.problem),
            &csv_cell(p.priority.as_str()),
            &scenarios.join(" "),
            &csv_cell(summary),
            &csv_cell(&steps),
        ])
        .map_err(other)?;
    }
    csv.flush().map_err(io_err(path))
}

/// `playbooks_recommendations.txt`: the same recommendations to read or print as they are.
pub fn write_playbooks_txt(report: &AnalysisReport, path: &Path) -> Result<(), RenderError> {
    let mut out = String::new();
    out.push_str(&format!(
        "LogLens — рекомендации по устранению ({})\n\n",
        report.summary.name
    ));
    if report.playbooks.is_empty() {
        out.push_str("Проблем не обнаружено.\n");
    }
    for p in &report.playbooks {
        let scenarios: Vec<String> = p.scenario_ids.iter().map(u32::to_string).collect();
        let (summary, steps) = p.text(true);
        out.push_str(&format!(
            "[{}] Проблема {}: {}\nСценарии: {}\n{}\n",
            p.priority.as_str().to_uppercase(),
            p.problem_id,
            p.problem,
            scenarios.join(", "),
            summary
        ));
        for (i, s) in steps.iter().enumerate() {
            out.push_str(&format!("  {}. {s}\n", i + 1));
        }
        out.push('\n');
    }
    std::fs::write(path, out).map_err(io_err(path))
}
