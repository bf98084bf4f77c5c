//! The knowledge base: which anomalies (WARNING texts) lead to which problems (ERROR texts).
//!
//! CSV (`;`, a header row, four columns by position) in UTF-8 with or without BOM or in
//! CP1251, or the first sheet of an XLSX/XLS workbook. One row is one anomaly → problem link;
//! the relation is many-to-many and one anomaly text may carry several ids. Bad rows are
//! reported with their line number and skipped; only a file with no usable row is an error.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use sha2::{Digest, Sha256};

/// The official knowledge base of the event, used when an archive brings none.
pub const BUILTIN_CSV: &[u8] = include_bytes!("../../data/anomalies_problems.csv");

/// Largest knowledge-base file accepted.
pub const MAX_KB_BYTES: u64 = 64 * 1024 * 1024;

/// Bad rows listed one by one in a warning before the rest are only counted.
const MAX_LISTED_ROW_ERRORS: usize = 20;

/// One row: anomaly `anomaly_id` ("…") leads to problem `problem_id` ("…").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KbLink {
    pub anomaly_id: u32,
    pub anomaly: String,
    pub problem_id: u32,
    pub problem: String,
}

/// A row that could not be used, with its 1-based line (row) number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("knowledge base {source_name}: {reason}")]
    Unreadable { source_name: String, reason: String },
    #[error("knowledge base {source_name} has no usable row{}", first_errors(.errors))]
    NoUsableRows {
        source_name: String,
        errors: Vec<RowError>,
    },
    #[error("knowledge base {source_name} is larger than {MAX_KB_BYTES} bytes")]
    TooLarge { source_name: String },
}

fn first_errors(errors: &[RowError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = errors
        .iter()
        .take(3)
        .map(|e| format!("line {}: {}", e.line, e.reason))
        .collect();
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
    /// Hex SHA-256 of the links (not of the file bytes): equal content, equal hash.
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
            read_workbook(bytes).map_err(|reason| KbError::Unreadable {
                source_name: source.into(),
                reason,
            })?
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
        Self::parse(BUILTIN_CSV, "anomalies_problems.csv", "built-in")
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
        for link in rows {
            if !seen.insert(link.clone()) {
                continue;
            }
            hasher.update(format!(
                "{}\x1f{}\x1f{}\x1f{}\x1e",
                link.anomaly_id, link.anomaly, link.problem_id, link.problem
            ));
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

    /// A warning line per skipped row, for the report.
    pub fn row_error_summary(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .row_errors
            .iter()
            .take(MAX_LISTED_ROW_ERRORS)
            .map(|e| {
                format!(
                    "knowledge base {}: line {} skipped: {}",
                    self.source, e.line, e.reason
                )
            })
            .collect();
        if self.row_errors.len() > MAX_LISTED_ROW_ERRORS {
            out.push(format!(
                "knowledge base {}: {} more rows skipped",
                self.source,
                self.row_errors.len() - MAX_LISTED_ROW_ERRORS
            ));
        }
        out
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
                    reason: e.to_string(),
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
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    Ok((rows, errors))
}

fn read_workbook(bytes: &[u8]) -> Result<Rows, String> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("not a readable workbook: {e}"))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_string())?
        .map_err(|e| format!("cannot read the first sheet: {e}"))?;
    let cell_text = |c: &Data| -> String {
        match c {
            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            other => other.to_string().trim().to_owned(),
        }
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let first_row = range.start().map_or(0, |(r, _)| r);
    for (i, row) in range.rows().enumerate().skip(1) {
        let line = u64::from(first_row) + i as u64 + 1;
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        match link_from_cells(&refs) {
            Ok(link) => rows.push(link),
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    Ok((rows, errors))
}

fn link_from_cells(cells: &[&str]) -> Result<KbLink, String> {
    // Trailing empty cells (a stray `;` or formatted empty columns) are not a fifth column.
    let mut cells = cells.to_vec();
    while cells.len() > 4 && cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    if cells.len() != 4 {
        return Err(format!(
            "expected 4 columns (anomaly id; anomaly; problem id; problem), found {}",
            cells.len()
        ));
    }
    let id = |s: &str, what: &str| -> Result<u32, String> {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("{what} {s:?} is not a non-negative integer"))
    };
    let anomaly_id = id(cells[0], "anomaly id")?;
    let problem_id = id(cells[2], "problem id")?;
    let anomaly = cells[1].trim();
    let problem = cells[3].trim();
    if anomaly.is_empty() || problem.is_empty() {
        return Err("empty anomaly or problem text".into());
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
        assert!(
            kb.row_errors[0].reason.contains("anomaly id \"x\""),
            "{:?}",
            kb.row_errors[0]
        );
        assert_eq!(kb.row_errors[1].line, 4);
        assert!(
            kb.row_errors[1].reason.contains("found 3"),
            "{:?}",
            kb.row_errors[1]
        );
        assert!(kb.row_error_summary()[0].contains("line 3"));
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
}
