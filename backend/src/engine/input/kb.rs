//! The knowledge base: which anomalies (WARNING texts) lead to which problems (ERROR texts).
//!
//! CSV (`;`, a header row, four columns by position) in UTF-8 with or without BOM or in
//! CP1251, or the first sheet of an XLSX/XLS workbook. One row is one anomaly → problem link;
//! the relation is many-to-many and one anomaly text may carry several ids. Bad rows are
//! reported with their line number and skipped; only a file with no usable row is an error.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use loglens_shared::api::{KbFault, Problem, RowFault};
use loglens_shared::report::Notice;
use sha2::{Digest, Sha256};

/// The official knowledge base of the event, used when an archive brings none.
pub const BUILTIN_CSV: &[u8] = include_bytes!("../../../data/anomalies_problems.csv");

/// Largest knowledge-base file accepted.
pub const MAX_KB_BYTES: u64 = 64 * 1024 * 1024;

/// One row: anomaly `anomaly_id` ("…") leads to problem `problem_id` ("…").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KbLink {
    pub anomaly_id: u32,
    pub anomaly: String,
    pub problem_id: u32,
    pub problem: String,
}

/// Largest first sheet of a knowledge-base workbook, in cells of its used range. The official
/// knowledge base is 501 × 4; a sheet whose used range is larger than this is refused before
/// any cell is allocated (a 2 KB file with cells at A1 and XFD1048576 spans 17 G cells).
pub const MAX_KB_SHEET_CELLS: u64 = 4 * 1024 * 1024;

/// A row that could not be used, with its 1-based line (row) number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub fault: RowFault,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, row_fault_text(&self.fault))
    }
}

/// The English reason of a skipped row (the web app says it in its own language).
pub fn row_fault_text(fault: &RowFault) -> String {
    match fault {
        RowFault::Columns { found } => {
            format!("expected 4 columns (anomaly id; anomaly; problem id; problem), found {found}")
        }
        RowFault::AnomalyId { value } => {
            format!("anomaly id {value:?} is not a non-negative integer")
        }
        RowFault::ProblemId { value } => {
            format!("problem id {value:?} is not a non-negative integer")
        }
        RowFault::EmptyText => "empty anomaly or problem text".into(),
        RowFault::Malformed => "malformed CSV row".into(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("knowledge base {source_name}: {reason}")]
    Unreadable { source_name: String, reason: String },
    #[error(
        "knowledge base {source_name}: the first sheet spans {rows} × {columns} cells, more than a knowledge base can ({MAX_KB_SHEET_CELLS})"
    )]
    SheetTooLarge {
        source_name: String,
        rows: u64,
        columns: u64,
    },
    #[error("knowledge base {source_name} has no usable row{}", first_errors(.errors))]
    NoUsableRows {
        source_name: String,
        errors: Vec<RowError>,
    },
    #[error("knowledge base {source_name} is larger than {MAX_KB_BYTES} bytes")]
    TooLarge { source_name: String },
}

impl KbError {
    /// The error as an API problem about the file `file`.
    pub fn problem(&self, file: &str) -> Problem {
        let (fault, first) = match self {
            KbError::Unreadable { .. } => (KbFault::Unreadable, None),
            KbError::SheetTooLarge { .. } => (KbFault::SheetTooLarge, None),
            KbError::NoUsableRows { errors, .. } => (KbFault::NoUsableRows, errors.first()),
            KbError::TooLarge { .. } => (KbFault::TooLarge, None),
        };
        Problem::KbInvalid {
            file: file.to_owned(),
            fault,
            line: first.map(|e| e.line),
            row: first.map(|e| e.fault.clone()),
        }
    }
}

fn first_errors(errors: &[RowError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
    format!(" ({})", listed.join("; "))
}

/// A parsed knowledge base with the lookups matching needs.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Where it came from (path inside the zip, `uploaded: name`, `built-in`).
    pub source: String,
    /// Distinct links in file order.
    pub links: Vec<KbLink>,
    /// Distinct anomaly texts, in first-seen order.
    pub anomalies: Vec<String>,
    /// For each entry of `anomalies`: its (anomaly id, problem id) links.
    pub anomaly_links: Vec<Vec<(u32, u32)>>,
    anomaly_index: HashMap<String, usize>,
    /// Problem id → text.
    pub problems: BTreeMap<u32, String>,
    problem_index: HashMap<String, Vec<u32>>,
    /// Rows skipped, with line numbers.
    pub row_errors: Vec<RowError>,
    /// Hex SHA-256 of the links in order, each field length-prefixed (not of the file bytes):
    /// equal content, equal hash; different content, different hash.
    pub content_hash: String,
}

impl KnowledgeBase {
    /// Parses `bytes` of the file `file_name` (its extension picks the format).
    pub fn parse(bytes: &[u8], file_name: &str, source: &str) -> Result<Self, KbError> {
        if bytes.len() as u64 > MAX_KB_BYTES {
            return Err(KbError::TooLarge {
                source_name: source.into(),
            });
        }
        let lower = file_name.to_lowercase();
        let (rows, mut errors) = if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
            read_workbook(bytes, source)?
        } else {
            read_csv(bytes).map_err(|reason| KbError::Unreadable {
                source_name: source.into(),
                reason,
            })?
        };
        if rows.is_empty() {
            return Err(KbError::NoUsableRows {
                source_name: source.into(),
                errors,
            });
        }
        errors.sort_by_key(|e| e.line);
        Ok(Self::from_links(rows, errors, source))
    }

    /// The official knowledge base shipped with LogLens.
    pub fn builtin() -> Self {
        // The file is part of the binary and covered by tests; failure here is a build defect.
        Self::parse(
            BUILTIN_CSV,
            "anomalies_problems.csv",
            loglens_shared::report::BUILTIN_KB,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn from_links(rows: Vec<KbLink>, row_errors: Vec<RowError>, source: &str) -> Self {
        let mut links = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::new();
        let mut anomalies = Vec::new();
        let mut anomaly_links: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut anomaly_index = HashMap::new();
        let mut problems = BTreeMap::new();
        let mut problem_index: HashMap<String, Vec<u32>> = HashMap::new();
        let mut hasher = Sha256::new();
        hasher.update(b"loglens-kb-v2");
        for link in rows {
            if !seen.insert(link.clone()) {
                continue;
            }
            // Canonical and length-prefixed: no two different link lists hash alike,
            // whatever bytes their texts hold.
            hasher.update(link.anomaly_id.to_le_bytes());
            hasher.update((link.anomaly.len() as u64).to_le_bytes());
            hasher.update(link.anomaly.as_bytes());
            hasher.update(link.problem_id.to_le_bytes());
            hasher.update((link.problem.len() as u64).to_le_bytes());
            hasher.update(link.problem.as_bytes());
            let idx = *anomaly_index
                .entry(link.anomaly.clone())
                .or_insert_with(|| {
                    anomalies.push(link.anomaly.clone());
                    anomaly_links.push(Vec::new());
                    anomalies.len() - 1
                });
            anomaly_links[idx].push((link.anomaly_id, link.problem_id));
            problems
                .entry(link.problem_id)
                .or_insert_with(|| link.problem.clone());
            let ids = problem_index.entry(link.problem.clone()).or_default();
            if !ids.contains(&link.problem_id) {
                ids.push(link.problem_id);
            }
            links.push(link);
        }
        let content_hash: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            source: source.to_owned(),
            links,
            anomalies,
            anomaly_links,
            anomaly_index,
            problems,
            problem_index,
            row_errors,
            content_hash,
        }
    }

    /// Index into [`Self::anomalies`] of an anomaly text, compared exactly (after trimming).
    pub fn anomaly(&self, text: &str) -> Option<usize> {
        self.anomaly_index.get(text.trim()).copied()
    }

    /// Problem ids whose text equals `text` exactly (after trimming).
    pub fn problem_ids(&self, text: &str) -> &[u32] {
        self.problem_index
            .get(text.trim())
            .map_or(&[], Vec::as_slice)
    }

    /// Problem ids and texts, in id order.
    pub fn problem_list(&self) -> Vec<(u32, &str)> {
        self.problems
            .iter()
            .map(|(id, t)| (*id, t.as_str()))
            .collect()
    }

    /// The skipped rows as one notice for the report (the first one named), if any.
    pub fn row_notice(&self) -> Option<Notice> {
        let first = self.row_errors.first()?;
        Some(Notice::KbRowsSkipped {
            source: self.source.clone(),
            count: self.row_errors.len() as u64,
            first_line: first.line,
            first: first.fault.clone(),
        })
    }
}

/// UTF-8 (BOM stripped) when valid, else CP1251 — the two encodings Russian operators use.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

type Rows = (Vec<KbLink>, Vec<RowError>);

fn read_csv(bytes: &[u8]) -> Result<Rows, String> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                errors.push(RowError {
                    line,
                    fault: RowFault::Malformed,
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cells: Vec<&str> = record.iter().collect();
        match link_from_cells(&cells) {
            Ok(link) => rows.push(link),
            Err(fault) => errors.push(RowError { line, fault }),
        }
    }
    Ok((rows, errors))
}

/// The signature of a compound file (legacy `.xls`).
pub const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A compound file whose streams claim more bytes than the file holds is refused before
/// calamine reads it: its reader allocates what a stream declares while it follows the sector
/// chain (fuzzing found a 5.6 KB `.xls` that made it allocate 2 GiB). The structure is checked
/// by the `cfb` crate, which validates the allocation tables and the directory.
pub fn check_compound_file(bytes: &[u8], source: &str) -> Result<(), KbError> {
    let unreadable = |reason: String| KbError::Unreadable {
        source_name: source.into(),
        reason,
    };
    let file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable workbook: {e}")))?;
    let held = bytes.len() as u64;
    if let Some(e) = file.walk().find(|e| e.is_stream() && e.len() > held) {
        return Err(unreadable(format!(
            "its stream {} claims {} bytes, more than the {held} the file holds",
            e.path().display(),
            e.len()
        )));
    }
    Ok(())
}

fn read_workbook(bytes: &[u8], source: &str) -> Result<Rows, KbError> {
    if bytes.starts_with(&COMPOUND_FILE) {
        check_compound_file(bytes, source)?;
    }
    // calamine asserts on some malformed files instead of returning an error (fuzzing found an
    // XLS whose stream length is not a multiple of four: `assert_eq!` in `utils::to_u32`). Such
    // a panic is the file's fault: it is reported like any unreadable workbook, the caller
    // (the server's upload check, or an analysis) goes on.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_cells(bytes, source)))
        .unwrap_or_else(|_| {
            Err(KbError::Unreadable {
                source_name: source.into(),
                reason: "the workbook is malformed (its reader failed on it)".into(),
            })
        })
}

fn read_cells(bytes: &[u8], source: &str) -> Result<Rows, KbError> {
    use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
    let unreadable = |reason: String| KbError::Unreadable {
        source_name: source.into(),
        reason,
    };
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable workbook: {e}")))?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("the workbook has no sheet".into()))?;
    let cell_text = |c: &Data| -> String {
        match c {
            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            other => other.to_string().trim().to_owned(),
        }
    };
    // Rows by their 0-based index, cells by column. XLSX is read cell by cell, so a sheet whose
    // declared range is huge costs only the cells it really holds; its used range is checked
    // against `MAX_KB_SHEET_CELLS` all the same, as XLS/ODS sheets are read whole.
    let mut grid: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let (mut top, mut bottom, mut left, mut right) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut put = |row: u32, col: u32, text: String| {
        if text.is_empty() {
            return;
        }
        (top, bottom) = (top.min(row), bottom.max(row));
        (left, right) = (left.min(col), right.max(col));
        grid.entry(row).or_default().insert(col, text);
    };
    if let Sheets::Xlsx(xlsx) = &mut workbook {
        let mut cells = xlsx
            .worksheet_cells_reader(&first)
            .map_err(|e| unreadable(format!("cannot read the first sheet: {e}")))?;
        let mut held: u64 = 0;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| unreadable(format!("cannot read the first sheet: {e}")))?
        {
            let (row, col) = cell.get_position();
            put(row, col, cell_text(&Data::from(cell.get_value().clone())));
            held += 1;
            if held > MAX_KB_SHEET_CELLS {
                return Err(KbError::SheetTooLarge {
                    source_name: source.into(),
                    rows: u64::from(row) + 1,
                    columns: u64::from(col) + 1,
                });
            }
        }
    } else {
        let range = workbook
            .worksheet_range(&first)
            .map_err(|e| unreadable(format!("cannot read the first sheet: {e}")))?;
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                put(start_row + r as u32, start_col + c as u32, cell_text(value));
            }
        }
    }
    if grid.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (rows_span, cols_span) = (
        u64::from(bottom - top) + 1,
        u64::from(right.saturating_sub(left)) + 1,
    );
    if rows_span.saturating_mul(cols_span) > MAX_KB_SHEET_CELLS {
        return Err(KbError::SheetTooLarge {
            source_name: source.into(),
            rows: rows_span,
            columns: cols_span,
        });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    // The first non-empty row is the header.
    for (&r, cells) in grid.iter().skip(1) {
        let line = u64::from(r) + 1;
        let width = cells.keys().next_back().map_or(0, |c| c - left + 1) as usize;
        let mut row = vec![String::new(); width];
        for (&c, text) in cells {
            row[(c - left) as usize] = text.clone();
        }
        let refs: Vec<&str> = row.iter().map(String::as_str).collect();
        match link_from_cells(&refs) {
            Ok(link) => rows.push(link),
            Err(fault) => errors.push(RowError { line, fault }),
        }
    }
    Ok((rows, errors))
}

fn link_from_cells(cells: &[&str]) -> Result<KbLink, RowFault> {
    // Trailing empty cells (a stray `;` or formatted empty columns) are not a fifth column.
    let mut cells = cells.to_vec();
    while cells.len() > 4 && cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    if cells.len() != 4 {
        return Err(RowFault::Columns {
            found: cells.len() as u64,
        });
    }
    /// Longest cell value quoted back in a row's fault.
    const QUOTED: usize = 40;
    let quoted = |s: &str| s.trim().chars().take(QUOTED).collect::<String>();
    let anomaly_id = cells[0]
        .trim()
        .parse::<u32>()
        .map_err(|_| RowFault::AnomalyId {
            value: quoted(cells[0]),
        })?;
    let problem_id = cells[2]
        .trim()
        .parse::<u32>()
        .map_err(|_| RowFault::ProblemId {
            value: quoted(cells[2]),
        })?;
    let anomaly = cells[1].trim();
    let problem = cells[3].trim();
    if anomaly.is_empty() || problem.is_empty() {
        return Err(RowFault::EmptyText);
    }
    Ok(KbLink {
        anomaly_id,
        anomaly: anomaly.to_owned(),
        problem_id,
        problem: problem.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_kb_has_the_official_shape() {
        let kb = KnowledgeBase::builtin();
        assert_eq!(kb.links.len(), 500);
        assert_eq!(kb.problems.len(), 50);
        let ids: std::collections::BTreeSet<u32> = kb.links.iter().map(|l| l.anomaly_id).collect();
        assert_eq!(ids.len(), 410);
        assert!(kb.row_errors.is_empty());
        // "eth0: link down" carries two ids under two problems
        let idx = kb.anomaly("eth0: link down").expect("present");
        let mut links = kb.anomaly_links[idx].clone();
        links.sort_unstable();
        assert_eq!(links, vec![(65, 9), (161, 21)]);
        // generic anomalies 481..=490 link to ten problems each
        for a in 481..=490 {
            assert_eq!(
                kb.links.iter().filter(|l| l.anomaly_id == a).count(),
                10,
                "anomaly {a}"
            );
        }
        assert_eq!(kb.problem_ids("Index corruption on table"), &[34]);
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_skipped() {
        let csv = "ID аномалии;Аномалия;ID проблемы;Проблема\n1;Disk slow;7;Disk failed\nx;Bad id;7;Disk failed\n2;Too;few\n\n3;Fan slow;8;Overheat\n";
        let kb =
            KnowledgeBase::parse(csv.as_bytes(), "kb.csv", "test").expect("usable rows remain");
        assert_eq!(kb.links.len(), 2);
        assert_eq!(kb.row_errors.len(), 2);
        assert_eq!(kb.row_errors[0].line, 3);
        assert_eq!(
            kb.row_errors[0].fault,
            RowFault::AnomalyId { value: "x".into() }
        );
        assert!(kb.row_errors[0].to_string().contains("anomaly id \"x\""));
        assert_eq!(kb.row_errors[1].line, 4);
        assert_eq!(kb.row_errors[1].fault, RowFault::Columns { found: 3 });
        assert!(matches!(
            kb.row_notice(),
            Some(Notice::KbRowsSkipped {
                count: 2,
                first_line: 3,
                ..
            })
        ));
    }

    #[test]
    fn nothing_usable_is_an_error_that_names_the_lines() {
        let csv = "a;b;c;d\nx;y;z;w\n";
        let err =
            KnowledgeBase::parse(csv.as_bytes(), "kb.csv", "case 1/kb.csv").expect_err("fails");
        let msg = err.to_string();
        assert!(
            msg.contains("case 1/kb.csv") && msg.contains("line 2"),
            "{msg}"
        );
    }

    #[test]
    fn bom_and_cp1251_are_accepted() {
        let utf8 = "\u{feff}ID;A;ID;P\n1;Диск медленный;2;Диск отказал\n";
        let kb = KnowledgeBase::parse(utf8.as_bytes(), "kb.csv", "t").expect("utf-8 with BOM");
        assert_eq!(kb.links[0].anomaly, "Диск медленный");
        let (cp, _, _) =
            encoding_rs::WINDOWS_1251.encode("ID;A;ID;P\n1;Диск медленный;2;Диск отказал\n");
        let kb = KnowledgeBase::parse(&cp, "kb.csv", "t").expect("cp1251");
        assert_eq!(kb.links[0].problem, "Диск отказал");
        assert_eq!(kb.anomaly("Диск медленный"), Some(0));
    }

    #[test]
    fn content_hash_ignores_encoding_and_follows_content() {
        let a = KnowledgeBase::parse("h;h;h;h\n1;x;2;y\n".as_bytes(), "a.csv", "a").expect("kb");
        let b = KnowledgeBase::parse("\u{feff}h;h;h;h\r\n1;x;2;y\r\n".as_bytes(), "b.csv", "b")
            .expect("kb");
        let c = KnowledgeBase::parse("h;h;h;h\n1;x;3;y\n".as_bytes(), "c.csv", "c").expect("kb");
        assert_eq!(a.content_hash, b.content_hash);
        assert_ne!(a.content_hash, c.content_hash);
        // Separators inside texts cannot make two knowledge bases look alike.
        let d = KnowledgeBase::parse("h;h;h;h\n1;x\u{1f}2\u{1f}y;2;z\n".as_bytes(), "d.csv", "d")
            .expect("kb");
        let e = KnowledgeBase::parse("h;h;h;h\n1;x;2;y\u{1f}2\u{1f}z\n".as_bytes(), "e.csv", "e")
            .expect("kb");
        assert_ne!(d.content_hash, e.content_hash);
    }

    #[test]
    fn xlsx_first_sheet_is_read() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["ID аномалии", "Аномалия", "ID проблемы", "Проблема"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).expect("cell");
        }
        ws.write_number(1, 0, 65.0).expect("cell");
        ws.write_string(1, 1, "eth0: link down").expect("cell");
        ws.write_number(1, 2, 9.0).expect("cell");
        ws.write_string(1, 3, "NIC link down due to hardware fault")
            .expect("cell");
        ws.write_string(2, 0, "oops").expect("cell");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let kb = KnowledgeBase::parse(&bytes, "anomalies_problems.xlsx", "t").expect("xlsx kb");
        assert_eq!(kb.links.len(), 1);
        assert_eq!(kb.links[0].anomaly_id, 65);
        assert_eq!(kb.row_errors.len(), 1);
        assert_eq!(kb.row_errors[0].line, 3);
    }

    #[test]
    fn a_sheet_spanning_the_whole_grid_is_refused_without_allocating_it() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "ID").expect("cell");
        ws.write_string(1_048_575, 16_383, "corner").expect("cell");
        let bytes = wb.save_to_buffer().expect("xlsx");
        assert!(
            bytes.len() < 16 * 1024,
            "a tiny file: {} bytes",
            bytes.len()
        );
        let err = KnowledgeBase::parse(&bytes, "corner.xlsx", "corner.xlsx").expect_err("refused");
        assert!(
            matches!(
                err,
                KbError::SheetTooLarge {
                    rows: 1_048_576,
                    columns: 16_384,
                    ..
                }
            ),
            "{err}"
        );
        assert!(matches!(
            err.problem("corner.xlsx"),
            Problem::KbInvalid {
                fault: KbFault::SheetTooLarge,
                ..
            }
        ));
    }
}
