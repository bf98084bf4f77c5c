//! What a spreadsheet cell can take: Excel's size limits, and text from the input made safe to
//! put in a cell (cut to fit, never taken for a formula). Shared by the workbooks and the CSV.

use std::borrow::Cow;

/// Excel's limits: characters in a cell, rows in a sheet.
pub const MAX_CELL_CHARS: usize = 32_767;
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// A cell's text as Excel can hold it: cut to [`MAX_CELL_CHARS`] with a visible marker (the
/// full text stays in `report.json`).
pub fn cell_text(text: &str) -> Cow<'_, str> {
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
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_with_a_marker_and_formulas_are_neutralised() {
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
    }
}
