//! The XML export (`/export/xml`): the whole report, every field, lossless, for machines.
//!
//! The XML is written event by event with `quick-xml` instead of being derived through serde: the
//! schema is then a deliberate contract (ids and numbers as attributes named like the JSON fields,
//! log text as element content) that a consumer can rely on, and log text that XML 1.0 cannot
//! carry (control characters, carriage returns) is handled explicitly instead of producing a
//! document that other parsers reject. CPU-bound and synchronous, like the PDF.

use std::borrow::Cow;
use std::io;

use loglens_shared::report::{
    AnalysisReport, Incident, Link, LogRef, NovelAnomaly, PlaybookRecommendation, Prediction,
    ScenarioInfo, Summary,
};
use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::RenderError;
use super::labels::{level_name, prediction_kind_name};

/// Bumped when the element structure changes incompatibly, so consumers can tell versions apart.
const XML_SCHEMA_VERSION: &str = "1";

/// Renders the whole report as a UTF-8 XML document with root `<analysis>`.
pub fn to_xml(report: &AnalysisReport) -> Result<String, RenderError> {
    let mut out = XmlOut::new();
    write_report(&mut out, report).map_err(RenderError::Xml)?;
    String::from_utf8(out.writer.into_inner())
        .map_err(|e| RenderError::Xml(io::Error::new(io::ErrorKind::InvalidData, e)))
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
        let mut attrs = vec![attr("name", &f.name)];
        push_opt(&mut attrs, "format", f.format.as_ref());
        attrs.extend([
            attr("bytes", f.bytes),
            attr("lines", f.lines),
            attr("entries", f.entries),
            attr("signal_lines", f.signal_lines),
            attr("unparsable_lines", f.unparsable_lines),
            attr("continuation_lines", f.continuation_lines),
        ]);
        x.empty("file", attrs)?;
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
            attr("method", l.method.as_str()),
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
        attr("method", i.method.as_str()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;
    use quick_xml::Reader;
    use quick_xml::escape::resolve_predefined_entity;

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
        let report = sample::report(200);
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
    fn empty_report_exports() {
        let report = AnalysisReport::default();
        let xml = to_xml(&report).expect("XML export");
        assert!(raw_texts(&xml).is_empty());
        assert!(xml.contains("<links count=\"0\">"));
    }
}
