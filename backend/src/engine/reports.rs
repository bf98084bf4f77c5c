//! Report files: the official `submit_report.xlsx` and the extra reports, each a rendering of
//! the one [`AnalysisReport`], plus `report.json` and the results zip that packs them all.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use loglens_shared::report::{AnalysisReport, Link, LogRef, Method, PredictionKind};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Headers of the official report, exactly.
pub const SUBMIT_HEADERS: [&str; 6] = [
    "ID сценария",
    "ID аномалии",
    "ID проблемы",
    "Файл с проблемой",
    "№ строки",
    "Строка из лога",
];

pub const SUBMIT_REPORT: &str = "submit_report.xlsx";
pub const PREDICTIVE_ALERTS: &str = "predictive_alerts.xlsx";
pub const NOVEL_ANOMALIES: &str = "novel_anomalies.xlsx";
pub const INCIDENTS: &str = "incidents.xlsx";
pub const PLAYBOOKS_CSV: &str = "playbooks_recommendations.csv";
pub const PLAYBOOKS_TXT: &str = "playbooks_recommendations.txt";
pub const REPORT_JSON: &str = "report.json";

/// Every report file name, in the order they are written and packed.
pub const ALL_REPORTS: [&str; 7] = [
    INCIDENTS,
    PREDICTIVE_ALERTS,
    NOVEL_ANOMALIES,
    SUBMIT_REPORT,
    PLAYBOOKS_CSV,
    PLAYBOOKS_TXT,
    REPORT_JSON,
];

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Xlsx { path: PathBuf, source: XlsxError },
    #[error("cannot write {path}: {reason}")]
    Other { path: PathBuf, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn xlsx_err(path: &Path) -> impl FnOnce(XlsxError) -> ReportError + '_ {
    move |source| ReportError::Xlsx {
        path: path.to_path_buf(),
        source,
    }
}

/// Name of the results zip: `<upload name>_Results_<Light|Heavy>.zip`.
pub fn results_zip_name(upload_stem: &str, model: &str) -> String {
    let model = match model {
        "heavy" => "Heavy",
        _ => "Light",
    };
    let stem = if upload_stem.trim().is_empty() {
        "logs"
    } else {
        upload_stem
    };
    format!("{stem}_Results_{model}.zip")
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Exact => "exact",
        Method::Semantic => "semantic",
    }
}

/// Builds a workbook with `build` and saves it to `path`.
fn save_workbook(
    path: &Path,
    build: impl FnOnce(&mut Workbook) -> Result<(), XlsxError>,
) -> Result<(), ReportError> {
    let mut wb = Workbook::new();
    build(&mut wb).map_err(xlsx_err(path))?;
    wb.save(path).map_err(xlsx_err(path))
}

/// A sheet with a bold, frozen header row and an autofilter.
fn sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    headers: &[&str],
    widths: &[f64],
) -> Result<&'a mut Worksheet, XlsxError> {
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, widths.get(c).copied().unwrap_or(14.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, 0, headers.len().saturating_sub(1) as u16)?;
    Ok(ws)
}

fn ref_time(r: &LogRef) -> &str {
    r.timestamp.as_deref().unwrap_or("")
}

/// `submit_report.xlsx`: sheet 1 in the official format, sheet 2 with the evidence.
pub fn write_submit_report(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    let mut links: Vec<&Link> = report.links.iter().collect();
    links.sort_by(|a, b| a.report_order().cmp(&b.report_order()));
    save_workbook(path, |wb: &mut Workbook| -> Result<(), XlsxError> {
        let ws = sheet(
            wb,
            "submit",
            &SUBMIT_HEADERS,
            &[12.0, 12.0, 12.0, 24.0, 10.0, 90.0],
        )?;
        for (i, l) in links.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, f64::from(l.scenario_id))?;
            ws.write_number(r, 1, f64::from(l.anomaly_id))?;
            ws.write_number(r, 2, f64::from(l.problem_id))?;
            ws.write_string(r, 3, &l.error.file)?;
            ws.write_number(r, 4, l.error.line as f64)?;
            ws.write_string(r, 5, &l.error.raw)?;
        }
        let headers = [
            "ID сценария",
            "ID аномалии",
            "ID проблемы",
            "Файл с проблемой",
            "№ строки",
            "Строка из лога",
            "Файл с аномалией",
            "№ строки аномалии",
            "Строка аномалии",
            "Метод",
            "Сходство",
            "Аномалия (база знаний)",
            "Проблема (база знаний)",
        ];
        let ws = sheet(
            wb,
            "details",
            &headers,
            &[
                12.0, 12.0, 12.0, 24.0, 10.0, 70.0, 24.0, 10.0, 70.0, 10.0, 10.0, 40.0, 40.0,
            ],
        )?;
        for (i, l) in links.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, f64::from(l.scenario_id))?;
            ws.write_number(r, 1, f64::from(l.anomaly_id))?;
            ws.write_number(r, 2, f64::from(l.problem_id))?;
            ws.write_string(r, 3, &l.error.file)?;
            ws.write_number(r, 4, l.error.line as f64)?;
            ws.write_string(r, 5, &l.error.raw)?;
            ws.write_string(r, 6, &l.warning.file)?;
            ws.write_number(r, 7, l.warning.line as f64)?;
            ws.write_string(r, 8, &l.warning.raw)?;
            ws.write_string(r, 9, method_name(l.method))?;
            ws.write_number(r, 10, f64::from((l.score * 1000.0).round() / 1000.0))?;
            ws.write_string(r, 11, &l.anomaly_text)?;
            ws.write_string(r, 12, &l.problem_text)?;
        }
        Ok(())
    })
}

pub fn write_incidents(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    save_workbook(path, |wb: &mut Workbook| -> Result<(), XlsxError> {
        let headers = [
            "Ранг",
            "ID сценария",
            "ID проблемы",
            "Проблема",
            "Приоритет",
            "Влияние",
            "Аномалий",
            "Систем (файлов)",
            "Файлы",
            "Первое появление",
            "Последнее появление",
            "Строка первопричины",
            "Метод",
        ];
        let ws = sheet(
            wb,
            "incidents",
            &headers,
            &[
                6.0, 12.0, 12.0, 40.0, 11.0, 9.0, 10.0, 10.0, 40.0, 20.0, 20.0, 80.0, 10.0,
            ],
        )?;
        for (i, inc) in report.incidents.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, f64::from(r))?;
            ws.write_number(r, 1, f64::from(inc.scenario_id))?;
            ws.write_number(r, 2, f64::from(inc.problem_id))?;
            ws.write_string(r, 3, &inc.problem)?;
            ws.write_string(r, 4, &inc.priority)?;
            ws.write_number(r, 5, inc.impact as f64)?;
            ws.write_number(r, 6, inc.anomaly_ids.len() as f64)?;
            ws.write_number(r, 7, inc.files.len() as f64)?;
            ws.write_string(r, 8, inc.files.join(", "))?;
            ws.write_string(r, 9, inc.first_seen.as_deref().unwrap_or(""))?;
            ws.write_string(r, 10, inc.last_seen.as_deref().unwrap_or(""))?;
            ws.write_string(r, 11, inc.errors.first().map_or("", |e| e.raw.as_str()))?;
            ws.write_string(r, 12, method_name(inc.method))?;
        }
        Ok(())
    })
}

pub fn write_predictions(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    save_workbook(path, |wb: &mut Workbook| -> Result<(), XlsxError> {
        let headers = [
            "ID сценария",
            "Тип",
            "ID проблемы",
            "Проблема",
            "ID аномалии",
            "Аномалия",
            "Время триггера",
            "Файл триггера",
            "№ строки",
            "Строка триггера",
            "Сходство",
        ];
        let ws = sheet(
            wb,
            "predictions",
            &headers,
            &[
                12.0, 22.0, 12.0, 40.0, 12.0, 40.0, 20.0, 24.0, 10.0, 80.0, 10.0,
            ],
        )?;
        for (i, p) in report.predictions.iter().enumerate() {
            let r = i as u32 + 1;
            let kind = match p.kind {
                PredictionKind::ExpectedAnomaly => "ожидается аномалия",
                PredictionKind::ProblemMayFollow => "возможна проблема",
            };
            ws.write_number(r, 0, f64::from(p.scenario_id))?;
            ws.write_string(r, 1, kind)?;
            ws.write_number(r, 2, f64::from(p.problem_id))?;
            ws.write_string(r, 3, &p.problem)?;
            ws.write_number(r, 4, f64::from(p.anomaly_id))?;
            ws.write_string(r, 5, &p.anomaly)?;
            ws.write_string(r, 6, p.trigger_time.as_deref().unwrap_or(""))?;
            ws.write_string(r, 7, &p.trigger.file)?;
            ws.write_number(r, 8, p.trigger.line as f64)?;
            ws.write_string(r, 9, &p.trigger.raw)?;
            ws.write_number(r, 10, f64::from((p.score * 1000.0).round() / 1000.0))?;
        }
        Ok(())
    })
}

pub fn write_novel(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    save_workbook(path, |wb: &mut Workbook| -> Result<(), XlsxError> {
        let headers = [
            "ID сценария",
            "Нормализованный текст",
            "Количество",
            "Первое появление",
            "Файл",
            "№ строки",
            "Строка",
            "Вероятная проблема (ID)",
            "Ближайшая аномалия базы",
            "Сходство",
        ];
        let ws = sheet(
            wb,
            "novel",
            &headers,
            &[12.0, 40.0, 11.0, 20.0, 24.0, 10.0, 80.0, 14.0, 40.0, 10.0],
        )?;
        for (i, n) in report.novel_anomalies.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, f64::from(n.scenario_id))?;
            ws.write_string(r, 1, &n.normalized)?;
            ws.write_number(r, 2, n.count as f64)?;
            ws.write_string(r, 3, ref_time(&n.first))?;
            ws.write_string(r, 4, &n.first.file)?;
            ws.write_number(r, 5, n.first.line as f64)?;
            ws.write_string(r, 6, &n.first.raw)?;
            if let Some(p) = n.related_problem_id {
                ws.write_number(r, 7, f64::from(p))?;
            }
            ws.write_string(r, 8, n.nearest_anomaly.as_deref().unwrap_or(""))?;
            if let Some(s) = n.nearest_score {
                ws.write_number(r, 9, f64::from((s * 1000.0).round() / 1000.0))?;
            }
        }
        Ok(())
    })
}

pub fn write_playbooks_csv(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    let file = File::create(path).map_err(io_err(path))?;
    let mut w = BufWriter::new(file);
    // A BOM so that Excel opens the Cyrillic headers as UTF-8.
    w.write_all(b"\xEF\xBB\xBF").map_err(io_err(path))?;
    let mut csv = csv::Writer::from_writer(w);
    let other = |e: csv::Error| ReportError::Other {
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
        let steps: Vec<String> = p
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", i + 1))
            .collect();
        csv.write_record([
            p.problem_id.to_string(),
            p.problem.clone(),
            p.priority.clone(),
            scenarios.join(" "),
            p.summary.clone(),
            steps.join("\n"),
        ])
        .map_err(other)?;
    }
    csv.flush().map_err(io_err(path))
}

pub fn write_playbooks_txt(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
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
        out.push_str(&format!(
            "[{}] Проблема {}: {}\nСценарии: {}\n{}\n",
            p.priority.to_uppercase(),
            p.problem_id,
            p.problem,
            scenarios.join(", "),
            p.summary
        ));
        for (i, s) in p.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {s}\n", i + 1));
        }
        out.push('\n');
    }
    std::fs::write(path, out).map_err(io_err(path))
}

pub fn write_json(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    let file = File::create(path).map_err(io_err(path))?;
    serde_json::to_writer(BufWriter::new(file), report).map_err(|e| ReportError::Other {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Packs the report files of `dir` (at the zip's root) into `dir/<zip_name>`.
/// Now as a ZIP time stamp (local time, as archivers show it); the format's default is
/// 1980-01-01, which makes every report look decades old.
fn zip_time_now() -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default()
}

pub fn write_results_zip(dir: &Path, zip_name: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(zip_name);
    let file = File::create(&path).map_err(io_err(&path))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time_now());
    let other = |e: zip::result::ZipError| ReportError::Other {
        path: path.clone(),
        reason: e.to_string(),
    };
    for name in ALL_REPORTS {
        let src = dir.join(name);
        if !src.is_file() {
            continue;
        }
        zip.start_file(name, options).map_err(other)?;
        let mut f = File::open(&src).map_err(io_err(&src))?;
        io::copy(&mut f, &mut zip).map_err(io_err(&path))?;
    }
    zip.finish()
        .map_err(other)?
        .flush()
        .map_err(io_err(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_name_follows_the_convention() {
        assert_eq!(results_zip_name("vc", "light"), "vc_Results_Light.zip");
        assert_eq!(
            results_zip_name("Журналы", "heavy"),
            "Журналы_Results_Heavy.zip"
        );
        assert_eq!(results_zip_name(" ", "light"), "logs_Results_Light.zip");
    }
}
