//! Export of one finished analysis as XML (for machines: every field, lossless) and as a PDF
//! summary (for people: the numbers, the links, the incidents and what to do about them).
//!
//! Both are renderings of the same [`AnalysisReport`] the dashboard and the Excel reports use, so
//! an export can never disagree with what the user saw.
//!
//! The XML is written event by event with `quick-xml` instead of being derived through serde: the
//! schema is then a deliberate contract (ids and numbers as attributes named like the JSON fields,
//! log text as element content) that a consumer can rely on, and log text that XML 1.0 cannot
//! carry (control characters, carriage returns) is handled explicitly instead of producing a
//! document that other parsers reject.
//!
//! The PDF is drawn with `krilla`, a pure-Rust writer. It embeds (a subset of) DejaVu Sans from
//! the binary because the report and the logs are Russian and none of the 14 standard PDF fonts
//! covers Cyrillic; nothing is read from disk at run time. Layout happens first into a list of
//! pages of drawing operations, so pagination is decided (and testable) before anything is drawn.
//! Both functions are CPU-bound and synchronous: call them from `spawn_blocking` in async code.

use std::borrow::Cow;
use std::io;

use krilla::Document;
use krilla::color::rgb;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use loglens_shared::report::{
    AnalysisReport, Incident, Level, Link, LogRef, Method, NovelAnomaly, PlaybookRecommendation,
    Prediction, PredictionKind, ScenarioInfo, Summary,
};
use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

/// Why an export could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
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

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

/// Bumped when the element structure changes incompatibly, so consumers can tell versions apart.
const XML_SCHEMA_VERSION: &str = "1";

/// Renders the whole report as a UTF-8 XML document with root `<analysis>`.
pub fn to_xml(report: &AnalysisReport) -> Result<String, ExportError> {
    let mut out = XmlOut::new();
    write_report(&mut out, report).map_err(ExportError::Xml)?;
    String::from_utf8(out.writer.into_inner())
        .map_err(|e| ExportError::Xml(io::Error::new(io::ErrorKind::InvalidData, e)))
}

type Attrs = Vec<(&'static str, String)>;

fn attr(key: &'static str, value: impl ToString) -> (&'static str, String) {
    (key, value.to_string())
}

/// Optional fields are left out rather than written empty, so "absent" and "empty" stay distinct.
fn push_opt(attrs: &mut Attrs, key: &'static str, value: Option<impl ToString>) {
    if let Some(value) = value {
        attrs.push(attr(key, value));
    }
}

/// Thin layer over the quick-xml writer so every piece of text goes through [`escape_xml`].
struct XmlOut {
    writer: Writer<Vec<u8>>,
}

impl XmlOut {
    fn new() -> Self {
        Self {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        }
    }

    fn start(&mut self, name: &str, attrs: Attrs) -> io::Result<()> {
        self.writer.write_event(Event::Start(element(name, attrs)))
    }

    fn end(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str, attrs: Attrs) -> io::Result<()> {
        self.writer.write_event(Event::Empty(element(name, attrs)))
    }

    fn text(&mut self, name: &str, attrs: Attrs, text: &str) -> io::Result<()> {
        self.start(name, attrs)?;
        let escaped = escape_xml(text, false);
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escaped)))?;
        self.end(name)
    }

    /// A wrapper element with a `count`, so an empty list is visibly empty rather than missing.
    fn list<T>(
        &mut self,
        name: &str,
        items: &[T],
        write: fn(&mut XmlOut, &T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.start(name, vec![attr("count", items.len())])?;
        for item in items {
            write(self, item)?;
        }
        self.end(name)
    }
}

fn element(name: &str, attrs: Attrs) -> BytesStart<'_> {
    // Pre-escaped values are passed raw: quick-xml's own escaping would keep tabs, newlines
    // and control characters that parsers normalise away or reject.
    BytesStart::new(name).with_attributes(attrs.into_iter().map(|(key, value)| Attribute {
        key: QName(key),
        value: Cow::Owned(escape_xml(&value, true)),
    }))
}

/// Escapes markup, keeps `\r` (and, in attributes, `\t`/`\n`) as character references so
/// parsers do not normalise them away, and replaces what XML 1.0 cannot carry at all.
fn escape_xml(text: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push(char::REPLACEMENT_CHARACTER),
        }
    }
    out
}

/// The `Char` production of XML 1.0: anything else (e.g. ANSI escapes, NUL) is a fatal error for
/// conforming parsers even when written as a character reference.
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

fn write_report(x: &mut XmlOut, report: &AnalysisReport) -> io::Result<()> {
    let decl = BytesDecl::new("1.0", Some("UTF-8"), None);
    x.writer.write_event(Event::Decl(decl))?;
    x.start("analysis", vec![attr("schema_version", XML_SCHEMA_VERSION)])?;
    write_summary(x, &report.summary)?;
    x.list("scenarios", &report.scenarios, write_scenario)?;
    x.list("links", &report.links, write_link)?;
    x.list("incidents", &report.incidents, write_incident)?;
    x.list("predictions", &report.predictions, write_prediction)?;
    x.list("novel_anomalies", &report.novel_anomalies, write_novel)?;
    x.list("playbooks", &report.playbooks, write_playbook)?;
    x.end("analysis")
}

fn write_summary(x: &mut XmlOut, s: &Summary) -> io::Result<()> {
    x.start(
        "summary",
        vec![
            attr("name", &s.name),
            attr("model", s.model),
            attr("semantic", s.semantic),
            attr("scenarios", s.scenarios),
            attr("files", s.files),
            attr("lines", s.lines),
            attr("bytes", s.bytes),
            attr("signal_lines", s.signal_lines),
            attr("unparsable_lines", s.unparsable_lines),
            attr("links", s.links),
            attr("problems", s.problems),
            attr("anomalies", s.anomalies),
            attr("predictions", s.predictions),
            attr("novel_anomalies", s.novel_anomalies),
            attr("affected_systems", s.affected_systems),
            attr("duration_ms", s.duration_ms),
        ],
    )?;
    for warning in &s.warnings {
        x.text("warning", vec![], warning)?;
    }
    x.end("summary")
}

fn write_scenario(x: &mut XmlOut, s: &ScenarioInfo) -> io::Result<()> {
    let attrs = vec![
        attr("id", s.id),
        attr("folder", &s.folder),
        attr("kb_source", &s.kb_source),
    ];
    x.start("scenario", attrs)?;
    for f in &s.files {
        x.empty(
            "file",
            vec![
                attr("name", &f.name),
                attr("bytes", f.bytes),
                attr("lines", f.lines),
                attr("signal_lines", f.signal_lines),
                attr("unparsable_lines", f.unparsable_lines),
            ],
        )?;
    }
    x.end("scenario")
}

fn write_link(x: &mut XmlOut, l: &Link) -> io::Result<()> {
    x.start(
        "link",
        vec![
            attr("scenario_id", l.scenario_id),
            attr("anomaly_id", l.anomaly_id),
            attr("problem_id", l.problem_id),
            attr("method", method_name(l.method)),
            attr("score", l.score),
        ],
    )?;
    x.text("anomaly_text", vec![], &l.anomaly_text)?;
    x.text("problem_text", vec![], &l.problem_text)?;
    write_log_ref(x, "error", &l.error)?;
    write_log_ref(x, "warning", &l.warning)?;
    x.end("link")
}

fn write_log_ref(x: &mut XmlOut, name: &str, r: &LogRef) -> io::Result<()> {
    let mut attrs = vec![
        attr("file", &r.file),
        attr("line", r.line),
        attr("level", level_name(r.level)),
    ];
    push_opt(&mut attrs, "timestamp", r.timestamp.as_ref());
    x.start(name, attrs)?;
    x.text("message", vec![], &r.message)?;
    x.text("raw", vec![], &r.raw)?;
    x.start("context", vec![])?;
    for c in &r.context {
        x.text("line", vec![attr("number", c.line)], &c.text)?;
    }
    x.end("context")?;
    x.end(name)
}

fn write_incident(x: &mut XmlOut, i: &Incident) -> io::Result<()> {
    let mut attrs = vec![
        attr("scenario_id", i.scenario_id),
        attr("problem_id", i.problem_id),
        attr("priority", i.priority),
        attr("impact", i.impact),
        attr("method", method_name(i.method)),
        attr("error_count", i.error_count),
    ];
    push_opt(&mut attrs, "first_seen", i.first_seen.as_ref());
    push_opt(&mut attrs, "last_seen", i.last_seen.as_ref());
    x.start("incident", attrs)?;
    x.text("problem", vec![], &i.problem)?;
    for id in &i.anomaly_ids {
        x.empty("anomaly", vec![attr("id", id)])?;
    }
    for file in &i.files {
        x.text("file", vec![], file)?;
    }
    for error in &i.errors {
        write_log_ref(x, "error", error)?;
    }
    x.end("incident")
}

fn write_prediction(x: &mut XmlOut, p: &Prediction) -> io::Result<()> {
    let mut attrs = vec![
        attr("kind", prediction_kind_name(p.kind)),
        attr("scenario_id", p.scenario_id),
        attr("problem_id", p.problem_id),
        attr("anomaly_id", p.anomaly_id),
        attr("score", p.score),
    ];
    push_opt(&mut attrs, "trigger_time", p.trigger_time.as_ref());
    x.start("prediction", attrs)?;
    x.text("problem", vec![], &p.problem)?;
    x.text("anomaly", vec![], &p.anomaly)?;
    write_log_ref(x, "trigger", &p.trigger)?;
    x.end("prediction")
}

fn write_novel(x: &mut XmlOut, n: &NovelAnomaly) -> io::Result<()> {
    let mut attrs = vec![attr("scenario_id", n.scenario_id), attr("count", n.count)];
    push_opt(&mut attrs, "related_problem_id", n.related_problem_id);
    push_opt(&mut attrs, "nearest_score", n.nearest_score);
    x.start("novel_anomaly", attrs)?;
    x.text("normalized", vec![], &n.normalized)?;
    if let Some(nearest) = &n.nearest_anomaly {
        x.text("nearest_anomaly", vec![], nearest)?;
    }
    write_log_ref(x, "first", &n.first)?;
    x.end("novel_anomaly")
}

fn write_playbook(x: &mut XmlOut, p: &PlaybookRecommendation) -> io::Result<()> {
    let attrs = vec![
        attr("problem_id", p.problem_id),
        attr("priority", p.priority),
    ];
    x.start("playbook", attrs)?;
    x.text("problem", vec![], &p.problem)?;
    x.text("summary", vec![], &p.summary)?;
    x.start("steps", vec![])?;
    for (i, step) in p.steps.iter().enumerate() {
        x.text("step", vec![attr("number", i + 1)], step)?;
    }
    x.end("steps")?;
    for id in &p.scenario_ids {
        x.empty("scenario", vec![attr("id", id)])?;
    }
    x.end("playbook")
}

/// Same spellings as the JSON export (`serde(rename_all = "snake_case")`).
fn method_name(method: Method) -> &'static str {
    match method {
        Method::Exact => "exact",
        Method::Semantic => "semantic",
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Info => "info",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

fn prediction_kind_name(kind: PredictionKind) -> &'static str {
    match kind {
        PredictionKind::ExpectedAnomaly => "expected_anomaly",
        PredictionKind::ProblemMayFollow => "problem_may_follow",
    }
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

/// DejaVu Sans (Bitstream Vera licence, see `data/fonts/DejaVuSans.LICENSE`): covers Latin,
/// Cyrillic and the arrows/dashes used below, and is compiled in so the server needs no fonts.
static FONT_TTF: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");

const TITLE: &str = "LogLens — отчёт анализа";

// A4 in points; y grows downwards in krilla, as in the layout below.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.0;
const RIGHT: f32 = PAGE_W - MARGIN;
/// Content stops here; the footer lives below.
const BOTTOM: f32 = PAGE_H - MARGIN - 14.0;
const FOOTER_BASELINE: f32 = PAGE_H - MARGIN + 4.0;
const INDENT: f32 = 16.0;
const LEADING: f32 = 1.35;

const TITLE_SIZE: f32 = 18.0;
const HEADING_SIZE: f32 = 12.5;
const BODY_SIZE: f32 = 9.5;
const SMALL_SIZE: f32 = 8.5;
const TABLE_SIZE: f32 = 7.5;
const CELL_PAD: f32 = 4.0;
/// Warnings are a hint that something was skipped, not the subject of the report.
const MAX_WARNINGS: usize = 10;

/// Renders the human summary of the report as PDF bytes.
pub fn to_pdf(report: &AnalysisReport) -> Result<Vec<u8>, ExportError> {
    let metrics = Metrics::load()?;
    let pages = layout_report(&metrics, report);
    render(&pages)
}

fn layout_report(metrics: &Metrics, report: &AnalysisReport) -> Vec<Vec<Op>> {
    let mut l = Layout::new(metrics);
    summary_section(&mut l, &report.summary);
    warnings_section(&mut l, &report.summary.warnings);
    links_section(&mut l, &report.links);
    incidents_section(&mut l, &report.incidents);
    playbooks_section(&mut l, &report.playbooks);
    l.add_footers(&report.summary.name);
    l.pages
}

/// Glyph advances of the embedded font, so text can be truncated and wrapped to real widths.
struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Metrics {
    fn load() -> Result<Self, ExportError> {
        let face =
            ttf_parser::Face::parse(FONT_TTF, 0).map_err(|e| ExportError::Font(e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Self { face, units_per_em })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size / self.units_per_em
    }

    /// Characters the font lacks are drawn as its `.notdef` box, so measure them as that.
    fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
    }

    /// Cuts the end off, marking the cut with an ellipsis.
    fn fit(&self, text: &str, size: f32, max: f32) -> String {
        if self.width(text, size) <= max {
            return text.to_string();
        }
        let budget = max - self.width("…", size);
        let mut out = String::new();
        let mut used = 0.0;
        for c in text.chars() {
            used += self.advance(c) * size / self.units_per_em;
            if used > budget {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Cuts the start off instead: for paths, where the file name at the end matters most.
    fn fit_tail(&self, text: &str, size: f32, max: f32) -> String {
        let reversed: String = text.chars().rev().collect();
        self.fit(&reversed, size, max).chars().rev().collect()
    }

    /// Greedy word wrap; words longer than a line are broken between characters.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let space = self.width(" ", size);
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in text.split_whitespace() {
            let word_w = self.width(word, size);
            if !line.is_empty() && line_w + space + word_w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = self.break_word(word, size, max, &mut lines);
            line_w = self.width(&line, size);
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Emits full-width pieces of `word` into `lines` and returns the last, partial piece.
    fn break_word(&self, word: &str, size: f32, max: f32, lines: &mut Vec<String>) -> String {
        let mut piece = String::new();
        let mut piece_w = 0.0;
        for c in word.chars() {
            let c_w = self.advance(c) * size / self.units_per_em;
            if !piece.is_empty() && piece_w + c_w > max {
                lines.push(std::mem::take(&mut piece));
                piece_w = 0.0;
            }
            piece.push(c);
            piece_w += c_w;
        }
        piece
    }
}

/// Log lines carry tabs and terminal escapes; a PDF line has no use for either.
fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tone {
    Normal,
    Muted,
    Accent,
}

impl Tone {
    fn color(self) -> rgb::Color {
        match self {
            Tone::Normal => rgb::Color::new(20, 20, 20),
            Tone::Muted => rgb::Color::new(100, 100, 100),
            Tone::Accent => rgb::Color::new(24, 64, 128),
        }
    }
}

/// One drawing operation; coordinates in points from the top-left corner of the page.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        tone: Tone,
        text: String,
    },
    Rule {
        y: f32,
    },
    Band {
        top: f32,
        height: f32,
    },
}

/// A cursor over a growing list of pages: everything that adds content asks it for room first,
/// which is where page breaks happen.
struct Layout<'m> {
    m: &'m Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'m> Layout<'m> {
    fn new(m: &'m Metrics) -> Self {
        Self {
            m,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page if `height` does not fit; tells the caller so it can repeat headers.
    fn ensure_room(&mut self, height: f32) -> bool {
        if self.y + height <= BOTTOM {
            return false;
        }
        self.pages.push(Vec::new());
        self.y = MARGIN;
        true
    }

    fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// Several pieces of text on one baseline (table cells, list markers).
    fn row(&mut self, cells: Vec<(f32, String)>, size: f32, tone: Tone) {
        self.ensure_room(size * LEADING);
        let baseline = self.y + size;
        // Empty cells (an unnamed upload, a blank priority) would only add empty text objects.
        for (x, text) in cells.into_iter().filter(|(_, text)| !text.is_empty()) {
            self.push(Op::Text {
                x,
                baseline,
                size,
                tone,
                text,
            });
        }
        self.y += size * LEADING;
    }

    fn line(&mut self, x: f32, size: f32, tone: Tone, text: String) {
        self.row(vec![(x, text)], size, tone);
    }

    fn paragraph(&mut self, x: f32, size: f32, tone: Tone, text: &str) {
        for line in self.m.wrap(&clean(text), size, RIGHT - x) {
            self.line(x, size, tone, line);
        }
    }

    /// A numbered or bulleted entry with a hanging indent.
    fn item(&mut self, x: f32, marker: &str, size: f32, text: &str) {
        let lines = self.m.wrap(&clean(text), size, RIGHT - x - INDENT);
        for (i, line) in lines.into_iter().enumerate() {
            let mut cells = vec![(x + INDENT, line)];
            if i == 0 {
                cells.push((x, marker.to_string()));
            }
            self.row(cells, size, Tone::Normal);
        }
    }

    /// Keeps a heading together with the start of its section.
    fn heading(&mut self, text: &str) {
        self.gap(10.0);
        self.ensure_room(HEADING_SIZE * LEADING + 4.0 * BODY_SIZE * LEADING);
        self.line(MARGIN, HEADING_SIZE, Tone::Accent, text.to_string());
        self.push(Op::Rule { y: self.y });
        self.gap(4.0);
    }

    /// Page numbers need the final page count, so footers are added last.
    fn add_footers(&mut self, name: &str) {
        let total = self.pages.len();
        let label = match name.trim() {
            "" => TITLE.to_string(),
            name => format!("{TITLE} · {name}"),
        };
        let left = self.m.fit(&clean(&label), TABLE_SIZE, 360.0);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = format!("стр. {} из {}", i + 1, total);
            let number_x = RIGHT - self.m.width(&number, TABLE_SIZE);
            for (x, text) in [(MARGIN, left.clone()), (number_x, number)] {
                let baseline = FOOTER_BASELINE;
                page.push(Op::Text {
                    x,
                    baseline,
                    size: TABLE_SIZE,
                    tone: Tone::Muted,
                    text,
                });
            }
        }
    }
}

fn summary_section(l: &mut Layout, s: &Summary) {
    l.line(MARGIN, TITLE_SIZE, Tone::Accent, TITLE.to_string());
    l.gap(4.0);
    let matching = if s.semantic {
        "точное и семантическое"
    } else {
        "только точное"
    };
    let subtitle = format!(
        "Загрузка: {} · модель: {} · сопоставление: {}",
        s.name, s.model, matching
    );
    l.paragraph(MARGIN, BODY_SIZE, Tone::Muted, &subtitle);
    l.gap(8.0);
    let numbers = [
        ("Сценарии", group_digits(s.scenarios as u64)),
        ("Файлы", group_digits(s.files as u64)),
        ("Строки", group_digits(s.lines)),
        ("Связи аномалия → проблема", group_digits(s.links as u64)),
        ("Проблемы", group_digits(s.problems as u64)),
        ("Аномалии", group_digits(s.anomalies as u64)),
        ("Прогнозы", group_digits(s.predictions as u64)),
        ("Новые аномалии", group_digits(s.novel_anomalies as u64)),
        (
            "Затронутые системы",
            group_digits(s.affected_systems as u64),
        ),
    ];
    for pair in numbers.chunks(2) {
        let mut cells = Vec::new();
        for (column, (label, value)) in pair.iter().enumerate() {
            let x = MARGIN + column as f32 * 250.0;
            cells.push((x, format!("{label}:")));
            cells.push((x + 165.0, value.clone()));
        }
        l.row(cells, BODY_SIZE, Tone::Normal);
    }
}

/// `1234567` → `1 234 567`, the Russian way of grouping digits.
fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn warnings_section(l: &mut Layout, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    l.heading("Предупреждения");
    for warning in warnings.iter().take(MAX_WARNINGS) {
        l.item(MARGIN, "•", SMALL_SIZE, warning);
    }
    if warnings.len() > MAX_WARNINGS {
        let rest = format!("… и ещё {}", warnings.len() - MAX_WARNINGS);
        l.line(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, rest);
    }
}

struct Column {
    title: &'static str,
    width: f32,
}

/// The last column takes whatever width is left.
const LINK_COLUMNS: [Column; 6] = [
    Column {
        title: "Сцен.",
        width: 30.0,
    },
    Column {
        title: "Аном.",
        width: 32.0,
    },
    Column {
        title: "Пробл.",
        width: 34.0,
    },
    Column {
        title: "Файл",
        width: 104.0,
    },
    Column {
        title: "Строка",
        width: 36.0,
    },
    Column {
        title: "Строка ERROR",
        width: 0.0,
    },
];

fn column_x(index: usize) -> f32 {
    MARGIN + LINK_COLUMNS[..index].iter().map(|c| c.width).sum::<f32>()
}

fn column_width(index: usize) -> f32 {
    match LINK_COLUMNS[index].width {
        w if w > 0.0 => w,
        _ => RIGHT - column_x(index),
    }
}

fn links_section(l: &mut Layout, links: &[Link]) {
    l.heading(&format!("Связи аномалия → проблема ({})", links.len()));
    if links.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Связей не найдено.".to_string(),
        );
        return;
    }
    table_header(l);
    for link in links {
        if l.ensure_room(TABLE_SIZE * LEADING) {
            table_header(l);
        }
        let cells = link_cells(l.m, link);
        l.row(cells, TABLE_SIZE, Tone::Normal);
    }
}

/// Repeated on every page the table spans, so each page can be read on its own.
fn table_header(l: &mut Layout) {
    let height = TABLE_SIZE * LEADING;
    l.ensure_room(3.0 * height);
    l.push(Op::Band {
        top: l.y,
        height: height + 1.0,
    });
    let cells = LINK_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| (column_x(i), c.title.to_string()));
    l.row(cells.collect(), TABLE_SIZE, Tone::Muted);
    l.gap(1.0);
}

fn link_cells(m: &Metrics, link: &Link) -> Vec<(f32, String)> {
    let texts = [
        link.scenario_id.to_string(),
        link.anomaly_id.to_string(),
        link.problem_id.to_string(),
        clean(&link.error.file),
        link.error.line.to_string(),
        clean(&link.error.raw),
    ];
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let max = column_width(i) - CELL_PAD;
            let fitted = if i == 3 {
                m.fit_tail(&text, TABLE_SIZE, max)
            } else {
                m.fit(&text, TABLE_SIZE, max)
            };
            (column_x(i), fitted)
        })
        .collect()
}

fn incidents_section(l: &mut Layout, incidents: &[Incident]) {
    l.heading("Инциденты по влиянию");
    if incidents.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Инцидентов нет.".to_string(),
        );
        return;
    }
    for (rank, incident) in ranked_by_impact(incidents).into_iter().enumerate() {
        let head = format!(
            "[{}] Проблема {} (сценарий {}): {}",
            incident.priority.as_str(),
            incident.problem_id,
            incident.scenario_id,
            incident.problem
        );
        l.item(MARGIN, &format!("{}.", rank + 1), BODY_SIZE, &head);
        l.paragraph(
            MARGIN + INDENT,
            SMALL_SIZE,
            Tone::Muted,
            &incident_details(incident),
        );
        l.gap(3.0);
    }
}

/// Highest impact first; ties keep a stable, readable order.
fn ranked_by_impact(incidents: &[Incident]) -> Vec<&Incident> {
    let mut ranked: Vec<&Incident> = incidents.iter().collect();
    ranked.sort_by(|a, b| {
        (b.impact, a.scenario_id, a.problem_id).cmp(&(a.impact, b.scenario_id, b.problem_id))
    });
    ranked
}

fn incident_details(incident: &Incident) -> String {
    let mut parts = vec![
        format!("влияние {}", incident.impact),
        format!("аномалии: {}", join_ids(&incident.anomaly_ids)),
        format!("файлов: {}", incident.files.len()),
    ];
    if let (Some(first), Some(last)) = (&incident.first_seen, &incident.last_seen) {
        parts.push(format!("период: {first} — {last}"));
    }
    parts.join(" · ")
}

fn playbooks_section(l: &mut Layout, playbooks: &[PlaybookRecommendation]) {
    l.heading("Рекомендации (плейбуки)");
    if playbooks.is_empty() {
        l.line(
            MARGIN,
            BODY_SIZE,
            Tone::Muted,
            "Рекомендаций нет.".to_string(),
        );
        return;
    }
    for playbook in playbooks {
        playbook_entry(l, playbook);
    }
}

fn playbook_entry(l: &mut Layout, p: &PlaybookRecommendation) {
    l.ensure_room(3.0 * BODY_SIZE * LEADING);
    let head = format!("Проблема {} — {}", p.problem_id, p.problem);
    l.paragraph(MARGIN, BODY_SIZE, Tone::Normal, &head);
    let meta = format!(
        "Приоритет: {} · сценарии: {}",
        p.priority.as_str(),
        join_ids(&p.scenario_ids)
    );
    l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Muted, &meta);
    if !p.summary.trim().is_empty() {
        l.paragraph(MARGIN + INDENT, SMALL_SIZE, Tone::Normal, &p.summary);
    }
    for (i, step) in p.steps.iter().enumerate() {
        l.item(MARGIN + INDENT, &format!("{}.", i + 1), SMALL_SIZE, step);
    }
    l.gap(5.0);
}

fn join_ids(ids: &[u32]) -> String {
    if ids.is_empty() {
        return "—".to_string();
    }
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(pages: &[Vec<Op>]) -> Result<Vec<u8>, ExportError> {
    let font = Font::new(FONT_TTF.into(), 0)
        .ok_or_else(|| ExportError::Font("the PDF writer cannot read it".to_string()))?;
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(ExportError::Layout("invalid page size"))?;
    let mut document = Document::new();
    // No creation date: the same report gives the same bytes.
    document.set_metadata(
        Metadata::new()
            .title(TITLE.to_string())
            .language("ru".to_string())
            .creator("LogLens".to_string()),
    );
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &font, op);
        }
        surface.finish();
        page.finish();
    }
    Ok(document.finish()?)
}

fn draw(surface: &mut Surface, font: &Font, op: &Op) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            tone,
            text,
        } => {
            surface.set_fill(Some(fill(tone.color())));
            let at = Point::from_xy(*x, *baseline);
            surface.draw_text(at, font.clone(), *size, text, false, TextDirection::Auto);
        }
        Op::Rule { y } => draw_rule(surface, *y),
        Op::Band { top, height } => draw_band(surface, *top, *height),
    }
}

fn fill(color: rgb::Color) -> Fill {
    Fill {
        paint: color.into(),
        ..Fill::default()
    }
}

fn draw_rule(surface: &mut Surface, y: f32) {
    let mut path = PathBuilder::new();
    path.move_to(MARGIN, y);
    path.line_to(RIGHT, y);
    if let Some(path) = path.finish() {
        let paint = Tone::Accent.color().into();
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint,
            width: 0.6,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn draw_band(surface: &mut Surface, top: f32, height: f32) {
    let Some(rect) = Rect::from_xywh(MARGIN - 2.0, top, RIGHT - MARGIN + 4.0, height) else {
        return;
    };
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_fill(Some(fill(rgb::Color::new(234, 238, 245))));
        surface.draw_path(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::{ContextLine, FileStats, LogTime, ModelKind, Priority};
    use quick_xml::Reader;
    use quick_xml::escape::resolve_predefined_entity;

    const NASTY: &str =
        "2024-05-01T10:00:00 ERROR <db host=\"a&b\"> 'сбой' подключения \u{1b}[31m\r";

    fn log_ref(file: &str, line: u64, level: Level, raw: &str) -> LogRef {
        LogRef {
            file: file.to_string(),
            line,
            timestamp: LogTime::parse("2024-05-01T10:00:00"),
            level,
            message: raw.to_string(),
            raw: raw.to_string(),
            context: vec![
                ContextLine {
                    line: line - 1,
                    text: "предыдущая строка <ok>".to_string(),
                },
                ContextLine {
                    line,
                    text: raw.to_string(),
                },
            ],
        }
    }

    fn link(i: u32) -> Link {
        let error_raw = format!(
            "{NASTY} №{i} очень длинная строка журнала {}",
            "x".repeat(300)
        );
        Link {
            scenario_id: i % 3 + 1,
            anomaly_id: i,
            problem_id: 100 + i % 7,
            error: log_ref(
                "сценарий/logs/приложение & <core>.log",
                u64::from(i) + 10,
                Level::Error,
                &error_raw,
            ),
            warning: log_ref(
                "logs/db.log",
                u64::from(i) + 2,
                Level::Warning,
                "WARN пул <80%>",
            ),
            method: if i.is_multiple_of(2) {
                Method::Exact
            } else {
                Method::Semantic
            },
            score: 0.875,
            anomaly_text: "Рост задержки \"БД\"".to_string(),
            problem_text: "Отказ <БД> & кэша".to_string(),
        }
    }

    fn sample_report(links: u32) -> AnalysisReport {
        let links: Vec<Link> = (1..=links).map(link).collect();
        AnalysisReport {
            summary: Summary {
                name: "выгрузка <март> & \"апрель\"".to_string(),
                model: ModelKind::Light,
                semantic: true,
                scenarios: 3,
                files: 12,
                lines: 1_234_567,
                links: links.len(),
                problems: 7,
                anomalies: 40,
                predictions: 1,
                novel_anomalies: 1,
                affected_systems: 4,
                warnings: vec!["пропущен файл <bin>".to_string()],
                ..Summary::default()
            },
            scenarios: vec![ScenarioInfo {
                id: 1,
                folder: "кейс 1".to_string(),
                kb_source: "built-in".to_string(),
                files: vec![FileStats {
                    name: "app.log".to_string(),
                    lines: 10,
                    ..FileStats::default()
                }],
            }],
            incidents: (0..5).map(incident).collect(),
            predictions: vec![Prediction {
                problem: "Отказ БД".to_string(),
                anomaly: "Рост задержки".to_string(),
                trigger: log_ref("logs/db.log", 5, Level::Warning, "WARN <медленно>"),
                ..Prediction::default()
            }],
            novel_anomalies: vec![NovelAnomaly {
                normalized: "неизвестное <N> предупреждение".to_string(),
                count: 3,
                first: log_ref("logs/x.log", 7, Level::Warning, "WARN неизвестное & новое"),
                related_problem_id: Some(101),
                ..NovelAnomaly::default()
            }],
            playbooks: vec![PlaybookRecommendation {
                problem_id: 101,
                problem: "Отказ <БД>".to_string(),
                priority: Priority::Critical,
                summary: "Проверить пул соединений & реплику".to_string(),
                steps: vec![
                    "Перезапустить пул".to_string(),
                    "Проверить \"лаг\" реплики".to_string(),
                ],
                scenario_ids: vec![1, 2],
            }],
            links,
        }
    }

    fn incident(i: u64) -> Incident {
        Incident {
            scenario_id: 1,
            problem_id: 100 + i as u32,
            problem: format!("Отказ сервиса №{i}"),
            priority: Priority::ALL[i as usize % 3],
            anomaly_ids: vec![1, 2],
            files: vec!["a.log".to_string()],
            impact: i * 3,
            first_seen: LogTime::parse("2024-05-01T10:00:00"),
            last_seen: LogTime::parse("2024-05-01T11:00:00"),
            ..Incident::default()
        }
    }

    /// Text of every `<raw>` element, with entity references resolved as a parser would.
    fn raw_texts(xml: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let (mut texts, mut current, mut in_raw) = (Vec::new(), String::new(), false);
        loop {
            match reader.read_event().expect("XML must parse") {
                Event::Start(e) if e.name().as_ref() == "raw" => in_raw = true,
                Event::End(e) if e.name().as_ref() == "raw" => {
                    texts.push(std::mem::take(&mut current));
                    in_raw = false;
                }
                Event::Text(t) if in_raw => current.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if in_raw => current.push_str(&resolve_ref(&r)),
                Event::Eof => return texts,
                _ => {}
            }
        }
    }

    fn resolve_ref(r: &quick_xml::events::BytesRef) -> String {
        if let Some(c) = r.resolve_char_ref().expect("valid character reference") {
            return c.to_string();
        }
        resolve_predefined_entity(r)
            .expect("predefined entity")
            .to_string()
    }

    #[test]
    fn xml_parses_back_and_escapes_log_text() {
        let report = sample_report(200);
        let xml = to_xml(&report).expect("XML export");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains("<analysis schema_version=\"1\">"));
        assert!(xml.contains("&lt;db host=\"a&amp;b\"&gt; 'сбой' подключения"));
        assert!(xml.contains("name=\"выгрузка &lt;март&gt; &amp; &quot;апрель&quot;\""));
        assert!(xml.contains("<links count=\"200\">"));
        assert!(
            !xml.contains('\u{1b}'),
            "control characters cannot appear in XML 1.0"
        );

        let raws = raw_texts(&xml);
        // 200 links × (error + warning) + prediction trigger + novel anomaly first line.
        assert_eq!(raws.len(), 402);
        let expected = report.links[0].error.raw.replace('\u{1b}', "\u{FFFD}");
        assert_eq!(
            raws[0], expected,
            "the raw line survives the round trip, \\r included"
        );
    }

    #[test]
    fn xml_escape_replaces_what_xml_cannot_carry() {
        assert_eq!(escape_xml("a\u{0}b\u{FFFE}", false), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(escape_xml("x\ty\n\"", true), "x&#9;y&#10;&quot;");
        assert_eq!(escape_xml("x\ty\n\"", false), "x\ty\n\"");
    }

    #[test]
    fn pdf_is_complete_and_paginated() {
        let pdf = to_pdf(&sample_report(200)).expect("PDF export");
        eprintln!("PDF size for 200 links: {} bytes", pdf.len());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(trim_end(&pdf).ends_with(b"%%EOF"));
        assert!(page_count(&pdf) > 1, "200 links cannot fit on one page");
        assert_text_extracts(&pdf);
    }

    #[test]
    fn layout_breaks_pages_and_keeps_rows_inside_the_page() {
        let metrics = Metrics::load().expect("font");
        let pages = layout_report(&metrics, &sample_report(200));
        assert!(
            pages.len() >= 4,
            "200 rows of 10pt need several pages, got {}",
            pages.len()
        );
        let lone = layout_report(&metrics, &sample_report(1));
        assert_eq!(lone.len(), 1);
        for op in pages.iter().flatten() {
            if let Op::Text {
                x,
                baseline,
                size,
                text,
                ..
            } = op
            {
                assert!(*baseline <= PAGE_H - MARGIN + 5.0, "{text} below the page");
                assert!(
                    x + metrics.width(text, *size) <= RIGHT + 0.5,
                    "{text} overflows"
                );
            }
        }
    }

    #[test]
    fn text_is_fitted_and_wrapped_to_width() {
        let m = Metrics::load().expect("font");
        let long = "Отказ подключения к базе данных ".repeat(10);
        let fitted = m.fit(&long, 8.0, 100.0);
        assert!(fitted.ends_with('…') && m.width(&fitted, 8.0) <= 100.0);
        assert!(
            m.fit_tail("очень/длинный/путь/к/файлу/app.log", 8.0, 60.0)
                .ends_with("app.log")
        );
        let lines = m.wrap(&format!("{long} {}", "ж".repeat(200)), 8.0, 150.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| m.width(l, 8.0) <= 150.0));
        assert_eq!(group_digits(1_234_567), "1 234 567");
    }

    #[test]
    fn empty_report_exports() {
        let report = AnalysisReport::default();
        let xml = to_xml(&report).expect("XML export");
        assert!(raw_texts(&xml).is_empty());
        assert!(xml.contains("<links count=\"0\">"));
        let pdf = to_pdf(&report).expect("PDF export");
        assert!(pdf.starts_with(b"%PDF-") && trim_end(&pdf).ends_with(b"%%EOF"));
        assert_eq!(page_count(&pdf), 1);
    }

    #[test]
    fn incidents_rank_by_impact() {
        let incidents: Vec<Incident> = [2, 9, 5].into_iter().map(incident).collect();
        let ranked: Vec<u64> = ranked_by_impact(&incidents)
            .iter()
            .map(|i| i.impact)
            .collect();
        assert_eq!(ranked, vec![27, 15, 6]);
    }

    #[test]
    fn export_error_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<ExportError>();
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
