//! The PDF export (`/export/pdf`): a summary of the report for people — the numbers, the
//! links, the incidents and what to do about them.
//!
//! The PDF is drawn with `krilla`, a pure-Rust writer. It embeds (a subset of) DejaVu Sans from
//! the binary because the report and the logs are Russian and none of the 14 standard PDF fonts
//! covers Cyrillic; nothing is read from disk at run time. Layout happens first into a list of
//! pages of drawing operations, so pagination is decided (and testable) before anything is drawn:
//! [`metrics`] measures text, [`layout`] places it on pages, [`sections`] says what the report
//! contains, and [`drawing`] alone talks to krilla. CPU-bound and synchronous: call [`to_pdf`]
//! from `spawn_blocking` in async code.

use loglens_shared::report::AnalysisReport;

pub use super::labels::Lang;

use super::RenderError;

mod drawing;
mod layout;
mod metrics;
mod sections;

/// DejaVu Sans (Bitstream Vera licence, see `data/fonts/DejaVuSans.LICENSE`): covers Latin,
/// Cyrillic and the arrows/dashes used below, and is compiled in so the server needs no fonts.
static FONT_TTF: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");

/// The document's title: its first line, its metadata and every page's footer.
const TITLE: (&str, &str) = ("LogLens — отчёт анализа", "LogLens — analysis report");

/// Renders the human summary of the report as PDF bytes, its words in `lang`.
pub fn to_pdf(report: &AnalysisReport, lang: Lang) -> Result<Vec<u8>, RenderError> {
    let metrics = metrics::Metrics::load()?;
    let pages = sections::layout_report(&metrics, report, lang);
    drawing::render(&pages, lang.pick(TITLE), lang.pick(("ru", "en")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn pdf_is_complete_and_paginated() {
        let pdf = to_pdf(&sample::report(200), Lang::Ru).expect("PDF export");
        eprintln!("PDF size for 200 links: {} bytes", pdf.len());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(trim_end(&pdf).ends_with(b"%%EOF"));
        assert!(page_count(&pdf) > 1, "200 links cannot fit on one page");
        assert_text_extracts(&pdf);
    }

    #[test]
    fn the_pdf_says_its_language() {
        let en = to_pdf(&sample::report(3), Lang::En).expect("PDF export");
        let ru = to_pdf(&sample::report(3), Lang::Ru).expect("PDF export");
        let has = |pdf: &[u8], what: &str| pdf.windows(what.len()).any(|w| w == what.as_bytes());
        assert!(has(&en, "/Lang(en)") && !has(&en, "/Lang(ru)"));
        assert!(has(&ru, "/Lang(ru)"));
    }

    #[test]
    fn empty_report_exports() {
        let pdf = to_pdf(&AnalysisReport::default(), Lang::En).expect("PDF export");
        assert!(pdf.starts_with(b"%PDF-") && trim_end(&pdf).ends_with(b"%%EOF"));
        assert_eq!(page_count(&pdf), 1);
    }

    fn trim_end(bytes: &[u8]) -> &[u8] {
        let end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        &bytes[..end]
    }

    /// Counts page objects (`/Type /Page`, whitespace optional, as writers differ) but not the
    /// page tree (`/Type /Pages`). Content streams are compressed, so page text cannot match.
    fn page_count(pdf: &[u8]) -> usize {
        let key = b"/Type";
        (0..pdf.len().saturating_sub(key.len()))
            .filter(|&i| pdf[i..].starts_with(key))
            .filter(|&i| {
                let rest = &pdf[i + key.len()..];
                let start = rest
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                let value = &rest[start..];
                value.starts_with(b"/Page")
                    && value.get(5).is_none_or(|b| !b.is_ascii_alphanumeric())
            })
            .count()
    }

    #[test]
    fn page_count_tells_pages_from_the_page_tree() {
        assert_eq!(
            page_count(b"<</Type/Pages/Count 2>> <</Type /Page/A>> <</Type/Page>>"),
            2
        );
    }

    /// Checks what a reader would see, when poppler's `pdftotext` is installed.
    fn assert_text_extracts(pdf: &[u8]) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, pdf).expect("write PDF");
        let output = match std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
        {
            Ok(output) => output,
            Err(_) => {
                eprintln!("pdftotext not installed: text extraction not checked");
                return;
            }
        };
        assert!(output.status.success(), "pdftotext failed: {output:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("LogLens"), "no title in: {text}");
        assert!(
            text.contains("отчёт анализа"),
            "Cyrillic title not extracted"
        );
        assert!(
            text.contains("подключения"),
            "Cyrillic log text not extracted"
        );
        assert!(
            text.contains("Перезапустить пул"),
            "playbook step not extracted"
        );
    }
}
