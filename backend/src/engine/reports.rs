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

/// Excel's limits: characters in a cell, rows in a sheet.
pub const MAX_CELL_CHARS: usize = 32_767;
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// A cell's text as Excel can hold it: cut to [`MAX_CELL_CHARS`] with a visible marker (the
/// full text stays in `report.json`).
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_CELL_CHARS || text.chars().count() <= MAX_CELL_CHARS {
        return text.into();
    }
    let total = text.chars().count();
    let marker = format!(" … [обрезано: {total} симв.; полностью в report.json]");
    let keep = MAX_CELL_CHARS - marker.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(&marker);
    out.into()
}

/// Whether a cell starting with this text would be taken as a formula by a spreadsheet
/// (OWASP "CSV injection": `= + - @`, tab, carriage return).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV cell that came from input, neutralised: a leading `'` keeps a spreadsheet from
/// evaluating it.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Writes one table: a bold, frozen header row with an autofilter, then rows; a table longer
/// than a sheet continues on `name (2)`, `name (3)`… with the same header. Text cells are
/// always strings (never formulas), cut to Excel's cell limit, and those that look like a
/// formula carry Excel's quote prefix, so editing the cell keeps it text.
struct Table<'a> {
    wb: &'a mut Workbook,
    name: &'a str,
    headers: &'a [&'a str],
    widths: &'a [f64],
    sheet: usize,
    parts: u32,
    row: u32,
    /// Rows per sheet, the header included ([`MAX_SHEET_ROWS`]; smaller in tests).
    max_rows: u32,
    quoted: Format,
}

impl<'a> Table<'a> {
    fn new(
        wb: &'a mut Workbook,
        name: &'a str,
        headers: &'a [&'a str],
        widths: &'a [f64],
    ) -> Result<Self, XlsxError> {
        let mut t = Table {
            wb,
            name,
            headers,
            widths,
            sheet: 0,
            parts: 0,
            row: 0,
            max_rows: MAX_SHEET_ROWS,
            quoted: Format::new().set_quote_prefix(),
        };
        t.add_sheet()?;
        Ok(t)
    }

    fn add_sheet(&mut self) -> Result<(), XlsxError> {
        self.parts += 1;
        let name = if self.parts == 1 {
            self.name.to_owned()
        } else {
            format!("{} ({})", self.name, self.parts)
        };
        let bold = Format::new().set_bold();
        let ws = self.wb.add_worksheet();
        ws.set_name(&name)?;
        for (c, h) in self.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, self.widths.get(c).copied().unwrap_or(14.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, 0, self.headers.len().saturating_sub(1) as u16)?;
        self.sheet = self.wb.worksheets().len() - 1;
        self.row = 0;
        Ok(())
    }

    /// Starts the next row (on a new sheet when this one is full).
    fn next_row(&mut self) -> Result<(), XlsxError> {
        if self.row + 1 >= self.max_rows {
            self.add_sheet()?;
        }
        self.row += 1;
        Ok(())
    }

    fn ws(&mut self) -> Result<&mut Worksheet, XlsxError> {
        self.wb.worksheet_from_index(self.sheet)
    }

    fn text(&mut self, col: u16, text: &str) -> Result<(), XlsxError> {
        let (row, cell) = (self.row, cell_text(text));
        if looks_like_formula(&cell) {
            let quoted = self.quoted.clone();
            self.ws()?
                .write_string_with_format(row, col, cell.as_ref(), &quoted)?;
        } else {
            self.ws()?.write_string(row, col, cell.as_ref())?;
        }
        Ok(())
    }

    fn number(&mut self, col: u16, n: f64) -> Result<(), XlsxError> {
        let row = self.row;
        self.ws()?.write_number(row, col, n)?;
        Ok(())
    }
}

fn ref_time(r: &LogRef) -> &str {
    r.timestamp.as_ref().map_or("", |t| t.raw.as_str())
}

/// The six official columns of a link, in the current row.
fn official_cells(t: &mut Table<'_>, l: &Link) -> Result<(), XlsxError> {
    t.number(0, f64::from(l.scenario_id))?;
    t.number(1, f64::from(l.anomaly_id))?;
    t.number(2, f64::from(l.problem_id))?;
    t.text(3, &l.error.file)?;
    t.number(4, l.error.line as f64)?;
    t.text(5, &l.error.raw)
}

/// `submit_report.xlsx`: sheet 1 in the official format, sheet 2 with the evidence.
pub fn write_submit_report(report: &AnalysisReport, path: &Path) -> Result<(), ReportError> {
    let mut links: Vec<&Link> = report.links.iter().collect();
    links.sort_by(|a, b| a.report_order().cmp(&b.report_order()));
    save_workbook(path, |wb: &mut Workbook| -> Result<(), XlsxError> {
        let mut t = Table::new(
            wb,
            "submit",
            &SUBMIT_HEADERS,
            &[12.0, 12.0, 12.0, 24.0, 10.0, 90.0],
        )?;
        for l in &links {
            t.next_row()?;
            official_cells(&mut t, l)?;
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
        let mut t = Table::new(
            wb,
            "details",
            &headers,
            &[
                12.0, 12.0, 12.0, 24.0, 10.0, 70.0, 24.0, 10.0, 70.0, 10.0, 10.0, 40.0, 40.0,
            ],
        )?;
        for l in &links {
            t.next_row()?;
            official_cells(&mut t, l)?;
            t.text(6, &l.warning.file)?;
            t.number(7, l.warning.line as f64)?;
            t.text(8, &l.warning.raw)?;
            t.text(9, method_name(l.method))?;
            t.number(10, f64::from((l.score * 1000.0).round() / 1000.0))?;
            t.text(11, &l.anomaly_text)?;
            t.text(12, &l.problem_text)?;
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
        let mut t = Table::new(
            wb,
            "incidents",
            &headers,
            &[
                6.0, 12.0, 12.0, 40.0, 11.0, 9.0, 10.0, 10.0, 40.0, 20.0, 20.0, 80.0, 10.0,
            ],
        )?;
        for (rank, inc) in report.incidents.iter().enumerate() {
            t.next_row()?;
            t.number(0, rank as f64 + 1.0)?;
            t.number(1, f64::from(inc.scenario_id))?;
            t.number(2, f64::from(inc.problem_id))?;
            t.text(3, &inc.problem)?;
            t.text(4, inc.priority.as_str())?;
            t.number(5, inc.impact as f64)?;
            t.number(6, inc.anomaly_ids.len() as f64)?;
            t.number(7, inc.files.len() as f64)?;
            t.text(8, &inc.files.join(", "))?;
            t.text(9, inc.first_seen.as_ref().map_or("", |t| t.raw.as_str()))?;
            t.text(10, inc.last_seen.as_ref().map_or("", |t| t.raw.as_str()))?;
            t.text(11, inc.errors.first().map_or("", |e| e.raw.as_str()))?;
            t.text(12, method_name(inc.method))?;
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
        let mut t = Table::new(
            wb,
            "predictions",
            &headers,
            &[
                12.0, 22.0, 12.0, 40.0, 12.0, 40.0, 20.0, 24.0, 10.0, 80.0, 10.0,
            ],
        )?;
        for p in &report.predictions {
            let kind = match p.kind {
                PredictionKind::ExpectedAnomaly => "ожидается аномалия",
                PredictionKind::ProblemMayFollow => "возможна проблема",
            };
            t.next_row()?;
            t.number(0, f64::from(p.scenario_id))?;
            t.text(1, kind)?;
            t.number(2, f64::from(p.problem_id))?;
            t.text(3, &p.problem)?;
            t.number(4, f64::from(p.anomaly_id))?;
            t.text(5, &p.anomaly)?;
            t.text(6, p.trigger_time.as_ref().map_or("", |t| t.raw.as_str()))?;
            t.text(7, &p.trigger.file)?;
            t.number(8, p.trigger.line as f64)?;
            t.text(9, &p.trigger.raw)?;
            t.number(10, f64::from((p.score * 1000.0).round() / 1000.0))?;
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
        let mut t = Table::new(
            wb,
            "novel",
            &headers,
            &[12.0, 40.0, 11.0, 20.0, 24.0, 10.0, 80.0, 14.0, 40.0, 10.0],
        )?;
        for n in &report.novel_anomalies {
            t.next_row()?;
            t.number(0, f64::from(n.scenario_id))?;
            t.text(1, &n.normalized)?;
            t.number(2, n.count as f64)?;
            t.text(3, ref_time(&n.first))?;
            t.text(4, &n.first.file)?;
            t.number(5, n.first.line as f64)?;
            t.text(6, &n.first.raw)?;
            if let Some(p) = n.related_problem_id {
                t.number(7, f64::from(p))?;
            }
            t.text(8, n.nearest_anomaly.as_deref().unwrap_or(""))?;
            if let Some(s) = n.nearest_score {
                t.number(9, f64::from((s * 1000.0).round() / 1000.0))?;
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
        // Problem texts come from the knowledge base, summaries and steps from a playbook
        // file: both may be a user's, so every text cell is neutralised.
        let steps = steps.join("\n");
        csv.write_record([
            p.problem_id.to_string().as_str(),
            &csv_cell(&p.problem),
            &csv_cell(p.priority.as_str()),
            &scenarios.join(" "),
            &csv_cell(&p.summary),
            &csv_cell(&steps),
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
            p.priority.as_str().to_uppercase(),
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

/// Packs the report files of `dir` (at the zip's root) into `dir/<zip_name>`.
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

    fn read_sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
        use calamine::{Reader, open_workbook_auto_from_rs};
        let mut wb =
            open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
        let names = wb.sheet_names().clone();
        names
            .into_iter()
            .map(|n| {
                let range = wb.worksheet_range(&n).expect("sheet");
                let rows = range
                    .rows()
                    .map(|r| r.iter().map(ToString::to_string).collect())
                    .collect();
                (n, rows)
            })
            .collect()
    }

    #[test]
    fn long_cells_are_cut_with_a_marker_and_formulas_stay_text() {
        let long = "x".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(
            cut.ends_with("[обрезано: 40000 симв.; полностью в report.json]"),
            "{}",
            &cut[cut.len() - 80..]
        );
        assert_eq!(cell_text("short"), "short");
        let cyrillic = "ж".repeat(MAX_CELL_CHARS);
        assert_eq!(
            cell_text(&cyrillic).chars().count(),
            MAX_CELL_CHARS,
            "counted in characters"
        );
        for f in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(looks_like_formula(f), "{f:?}");
            assert_eq!(csv_cell(f), format!("'{f}"));
        }
        assert_eq!(csv_cell("Disk failed"), "Disk failed");
        let mut report = AnalysisReport::default();
        let line = format!("2025-10-06T00:00:01 ERROR db: {long}");
        report.links.push(Link {
            scenario_id: 1,
            anomaly_id: 2,
            problem_id: 3,
            error: LogRef {
                file: "=cmd|' /C calc'!A0".into(),
                line: 7,
                raw: line,
                ..LogRef::default()
            },
            anomaly_text: "@SUM(1)".into(),
            ..Link::default()
        });
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(SUBMIT_REPORT);
        write_submit_report(&report, &path).expect("a long line does not fail the report");
        let sheets = read_sheets(&std::fs::read(&path).expect("read"));
        let submit = &sheets[0].1;
        assert_eq!(
            submit[1][3], "=cmd|' /C calc'!A0",
            "a string cell, value unchanged"
        );
        assert!(submit[1][5].contains("[обрезано: "));
        assert_eq!(submit[1][5].chars().count(), MAX_CELL_CHARS);
    }

    #[test]
    fn a_table_longer_than_a_sheet_continues_on_the_next() {
        let mut wb = Workbook::new();
        let mut t = Table::new(&mut wb, "rows", &["n"], &[8.0]).expect("table");
        t.max_rows = 4; // the header and three rows per sheet
        for n in 0..8 {
            t.next_row().expect("row");
            t.number(0, f64::from(n)).expect("cell");
        }
        let bytes = wb.save_to_buffer().expect("xlsx");
        let sheets = read_sheets(&bytes);
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["rows", "rows (2)", "rows (3)"]);
        let values: Vec<String> = sheets
            .iter()
            .flat_map(|(_, rows)| {
                assert_eq!(rows[0], ["n"], "each sheet has the header");
                rows[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(values, ["0", "1", "2", "3", "4", "5", "6", "7"]);
    }
}
