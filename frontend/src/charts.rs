//! The dashboard's charts as data: an analysis report in, a typed Apache ECharts option
//! ([`charming::Chart`]) out. Pure, so every chart is tested natively; `components/echart.rs`
//! only hands the option to ECharts.
//!
//! Time axes carry the logs' own wall-clock strings (see `timeline.rs`); series have a fixed
//! count per chart so that updating one (the time machine does, ten times a second) merges
//! instead of rebuilding, which keeps the user's zoom.

use std::collections::BTreeMap;

use charming::Chart;
use charming::component::{Axis, DataZoom, DataZoomType, Grid, Legend, Title};
use charming::datatype::{CompositeValue, DataPoint, DataPointItem};
use charming::element::{
    AxisLabel, AxisType, Formatter, ItemStyle, Label, LineStyle, MarkLine, MarkLineData,
    MarkLineVariant, NameLocation, Symbol, Tooltip, Trigger,
};
use charming::series::{Bar, Scatter};
use loglens_shared::report::{AnalysisReport, Incident, LogRef};
use loglens_shared::{IncidentKey, Priority};

use crate::i18n::Texts;
use crate::timeline;

/// Colours shared by every chart (dark theme): ERROR red, WARNING amber, by priority for bars.
pub const ERROR_COLOUR: &str = "#ef4444";
/// The time machine's moment on the timeline.
pub const NOW_COLOUR: &str = "#7ee0c3";
/// The tooltip in the page's dark theme.
const TOOLTIP_BACKGROUND: &str = "#101820";
const TOOLTIP_BORDER: &str = "#2a3644";
const TOOLTIP_TEXT: &str = "#e6edf3";
pub const WARNING_COLOUR: &str = "#f59e0b";
/// Bar charts show at most this many bars, the largest; the tables below list everything.
pub const MAX_BARS: usize = 15;
/// Category labels longer than this are cut (the tooltip has the whole text).
const LABEL_CHARS: usize = 42;
/// … and on a phone, where labels would leave no room for the plot.
const COMPACT_LABEL_CHARS: usize = 18;
/// … but a time chart's row label wraps, so its lines may be a little longer.
const COMPACT_ROW_LABEL_CHARS: usize = 24;

/// How much room a chart has: phones get short labels and the legend under the title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    #[default]
    Wide,
    Compact,
}

impl Layout {
    /// Viewports narrower than this (CSS px) get the compact layout.
    pub const COMPACT_BELOW_PX: f64 = 640.0;

    pub fn for_width(px: f64) -> Self {
        if px < Self::COMPACT_BELOW_PX {
            Layout::Compact
        } else {
            Layout::Wide
        }
    }

    fn label_chars(self) -> usize {
        match self {
            Layout::Wide => LABEL_CHARS,
            Layout::Compact => COMPACT_LABEL_CHARS,
        }
    }

    /// Characters a line of a time chart's row label holds (wrapped onto [`LABEL_LINES`]).
    fn row_label_chars(self) -> usize {
        match self {
            Layout::Wide => LABEL_CHARS,
            Layout::Compact => COMPACT_ROW_LABEL_CHARS,
        }
    }

    fn legend(self) -> Legend {
        match self {
            Layout::Wide => Legend::new().top(4).right(8),
            Layout::Compact => Legend::new().top(30).left(8),
        }
    }

    /// Room above the plot for the title (and, compact, the legend under it).
    fn grid_top(self) -> i64 {
        match self {
            Layout::Wide => 44,
            Layout::Compact => 64,
        }
    }
}

/// The incident timeline and which incident each of its rows is.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub chart: Chart,
    pub rows: Vec<IncidentKey>,
}

fn short(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(chars - 1).collect();
        format!("{cut}…")
    }
}

/// Row labels of the time charts wrap onto at most this many lines instead of being cut.
pub const LABEL_LINES: usize = 3;

/// `text` broken at word boundaries into lines of at most `chars` characters (a longer word is
/// split), at most [`LABEL_LINES`] of them, the last cut with `…` only past that.
fn wrapped(text: &str, chars: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let room = if used == 0 {
                chars
            } else {
                chars.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used == 0 {
                // A word longer than a whole line: split it.
                line.extend(word.drain(..chars));
            }
            lines.push(std::mem::take(&mut line));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > LABEL_LINES {
        let rest = lines.split_off(LABEL_LINES - 1).join(" ");
        lines.push(short(&rest, chars));
    }
    lines.join("\n")
}

fn priority_colour(priority: Priority) -> &'static str {
    match priority {
        Priority::Critical => "#ef4444",
        Priority::Major => "#f59e0b",
        Priority::Minor => "#38bdf8",
    }
}

fn base(title: &str) -> Chart {
    Chart::new()
        .title(Title::new().text(title).left(8))
        .background_color("transparent")
        .tooltip(Tooltip::new().trigger(Trigger::Item))
}

/// A point on a time axis at row `row`: `[time, row]`, named for its tooltip.
fn time_point(ms: i64, row: usize, name: String) -> DataPoint {
    DataPointItem::new(CompositeValue::Array(vec![
        CompositeValue::String(timeline::axis_value(ms)),
        CompositeValue::from(row as i64),
    ]))
    .name(name)
    .into()
}

fn point_name(r: &LogRef) -> String {
    format!(
        "{} · {}:{} · {}",
        r.timestamp.as_ref().map_or("", |t| t.raw.as_str()),
        r.file,
        r.line,
        short(&r.message, LABEL_CHARS)
    )
}

/// The time axis, fixed to `[start, end]` so that filtering points (time machine) never moves it.
fn time_axis(span: Option<(i64, i64)>) -> Axis {
    // Day and month on every label, the hour under it: logs span days, and a bare day number
    // says little.
    let axis = Axis::new()
        .type_(AxisType::Time)
        .axis_label(AxisLabel::new().formatter(Formatter::String("{dd}.{MM} {HH}:{mm}".into())));
    match span {
        Some((start, end)) => axis
            .min(CompositeValue::String(timeline::axis_value(start)))
            .max(CompositeValue::String(timeline::axis_value(end))),
        None => axis,
    }
}

/// Two scatter series (ERROR, WARNING) on a time axis, one category row per `categories`.
#[allow(clippy::too_many_arguments)]
fn time_chart(
    title: &str,
    t: &Texts,
    layout: Layout,
    categories: Vec<String>,
    span: Option<(i64, i64)>,
    errors: Vec<DataPoint>,
    warnings: Vec<DataPoint>,
    now: Option<i64>,
) -> Chart {
    // The time machine's moment as a vertical line across the rows.
    let errors_series = Scatter::new()
        .name(t.series_errors)
        .symbol_size(11)
        .item_style(ItemStyle::new().color(ERROR_COLOUR))
        .data(errors);
    let errors_series = match now {
        Some(ms) => errors_series.mark_line(
            MarkLine::new()
                .silent(true)
                .symbol(vec![Symbol::None, Symbol::None])
                .line_style(LineStyle::new().color(NOW_COLOUR).width(2))
                // Named ("now"), not dated: the slider under the chart says when.
                .label(Label::new().formatter(Formatter::String("{b}".into())))
                .data(vec![MarkLineVariant::Simple(
                    MarkLineData::new()
                        .name(t.tm_now)
                        .x_axis(timeline::axis_value(ms)),
                )]),
        ),
        None => errors_series,
    };
    base(title)
        .legend(layout.legend())
        .grid(grid(layout.grid_top(), 64))
        .x_axis(time_axis(span))
        .y_axis(category_axis(categories))
        .data_zoom(
            DataZoom::new()
                .type_(DataZoomType::Slider)
                .x_axis_index(0)
                .bottom(8),
        )
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside).x_axis_index(0))
        .tooltip(
            // Dark, like the page around it.
            Tooltip::new()
                .trigger(Trigger::Item)
                .background_color(TOOLTIP_BACKGROUND)
                .border_color(TOOLTIP_BORDER)
                .formatter(Formatter::String(format!(
                    "<span style=\"color:{TOOLTIP_TEXT}\">{{a}}<br/>{{b}}</span>"
                ))),
        )
        .series(errors_series)
        .series(
            Scatter::new()
                .name(t.series_warnings)
                .symbol_size(7)
                .item_style(ItemStyle::new().color(WARNING_COLOUR))
                .data(warnings),
        )
}

/// Pixel height for a chart with `rows` category rows (and room for title, axis and slider).
/// A row has room for a label of [`LABEL_LINES`] lines.
pub fn rows_height(rows: usize) -> u32 {
    (170 + 44 * rows.max(1) as u32).min(1200)
}

/// The plot area: `top` leaves room for title (and legend), `bottom` for axis and slider;
/// labels are inside the area so long ones are never cut.
fn grid(top: i64, bottom: i64) -> Grid {
    Grid::new()
        .left(8)
        .right(24)
        .top(top)
        .bottom(bottom)
        .contain_label(true)
}

/// One row per category, the first at the top, every label shown.
fn category_axis(categories: Vec<String>) -> Axis {
    Axis::new()
        .type_(AxisType::Category)
        .inverse(true)
        .data(categories)
        .axis_label(AxisLabel::new().interval(0))
}

/// A value axis named under its middle (an end name is cut off on narrow screens).
fn value_axis(name: &str) -> Axis {
    Axis::new()
        .type_(AxisType::Value)
        .name(name)
        .name_location(NameLocation::Middle)
        .name_gap(26)
        .min_interval(1)
}

/// Every (timed) line of each incident: its ERRORs and its links' WARNINGs, one row per
/// incident ordered as the report ranks them (impact). With `until`, only what had happened by
/// then (the time machine); the axis keeps the whole span.
pub fn incident_timeline(
    report: &AnalysisReport,
    t: &Texts,
    layout: Layout,
    until: Option<i64>,
) -> Timeline {
    let chars = layout.row_label_chars();
    let rows: Vec<&Incident> = report.incidents.iter().collect();
    // Scenario · problem, said as such, wrapped rather than cut.
    let categories = rows
        .iter()
        .map(|i| {
            wrapped(
                &(t.timeline_row)(i.scenario_id, i.problem_id, &i.problem),
                chars,
            )
        })
        .collect();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut span: Option<(i64, i64)> = None;
    let mut seen = |ms: i64| {
        span = Some(span.map_or((ms, ms), |(a, b)| (a.min(ms), b.max(ms))));
    };
    for (row, incident) in rows.iter().enumerate() {
        for e in &incident.errors {
            if let Some(ms) = timeline::millis(e.timestamp.as_ref()) {
                seen(ms);
                if until.is_none_or(|u| ms <= u) {
                    errors.push(time_point(ms, row, point_name(e)));
                }
            }
        }
        let mut lines: Vec<&LogRef> = report
            .links_of(incident.key())
            .map(|l| &l.warning)
            .collect();
        lines.sort_by_key(|w| (&w.file, w.line));
        lines.dedup_by_key(|w| (&w.file, w.line));
        for w in lines {
            if let Some(ms) = timeline::millis(w.timestamp.as_ref()) {
                seen(ms);
                if until.is_none_or(|u| ms <= u) {
                    warnings.push(time_point(ms, row, point_name(w)));
                }
            }
        }
    }
    Timeline {
        chart: time_chart(
            t.chart_timeline,
            t,
            layout,
            categories,
            span,
            errors,
            warnings,
            until,
        ),
        rows: rows.iter().map(|i| i.key()).collect(),
    }
}

/// A chart with its number of category rows (for its height).
#[derive(Debug, Clone, PartialEq)]
pub struct RowChart {
    pub chart: Chart,
    pub rows: usize,
}

/// The explorer's timeline of one incident: a row for its ERROR lines and one per linked
/// anomaly (its WARNING lines). `None` when none of them has a timestamp.
pub fn explorer_timeline(
    report: &AnalysisReport,
    t: &Texts,
    layout: Layout,
    key: IncidentKey,
) -> Option<RowChart> {
    let chars = layout.row_label_chars();
    let incident = report.incident(key)?;
    let mut categories = vec![wrapped(
        &format!("ERROR · {} {}", incident.problem_id, incident.problem),
        chars,
    )];
    let mut anomaly_rows: BTreeMap<u32, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for e in &incident.errors {
        if let Some(ms) = timeline::millis(e.timestamp.as_ref()) {
            errors.push(time_point(ms, 0, point_name(e)));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in report.links_of(key) {
        let row = *anomaly_rows.entry(l.anomaly_id).or_insert_with(|| {
            categories.push(wrapped(
                &format!("WARNING · {} {}", l.anomaly_id, l.anomaly_text),
                chars,
            ));
            categories.len() - 1
        });
        if !seen.insert((row, &l.warning.file, l.warning.line)) {
            continue;
        }
        if let Some(ms) = timeline::millis(l.warning.timestamp.as_ref()) {
            warnings.push(time_point(ms, row, point_name(&l.warning)));
        }
    }
    if errors.is_empty() && warnings.is_empty() {
        return None;
    }
    let rows = categories.len();
    Some(RowChart {
        chart: time_chart(
            t.explorer_timeline,
            t,
            layout,
            categories,
            None,
            errors,
            warnings,
            None,
        ),
        rows,
    })
}

/// Problems ranked by impact, summed over scenarios; bars coloured by priority.
pub fn problems_by_impact(report: &AnalysisReport, t: &Texts, layout: Layout) -> Chart {
    let mut by_problem: BTreeMap<u32, (String, Priority, u64)> = BTreeMap::new();
    for i in &report.incidents {
        let e = by_problem
            .entry(i.problem_id)
            .or_insert_with(|| (i.problem.clone(), i.priority, 0));
        e.2 += i.impact;
    }
    let mut bars: Vec<_> = by_problem.into_iter().collect();
    bars.sort_by(|a, b| b.1.2.cmp(&a.1.2).then(a.0.cmp(&b.0)));
    bars.truncate(MAX_BARS);
    let categories: Vec<String> = bars
        .iter()
        .map(|(id, (name, _, _))| short(&format!("{id} · {name}"), layout.label_chars()))
        .collect();
    let data: Vec<DataPoint> = bars
        .iter()
        .map(|(id, (name, priority, impact))| {
            DataPointItem::new(*impact as i64)
                .name(format!("{id} · {name} ({priority})"))
                .item_style(ItemStyle::new().color(priority_colour(*priority)))
                .into()
        })
        .collect();
    base(t.chart_by_impact)
        .grid(grid(40, 40))
        .x_axis(value_axis(t.axis_impact))
        .y_axis(category_axis(categories))
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Item)
                .formatter(Formatter::String("{b}: {c}".into())),
        )
        .series(Bar::new().name(t.axis_impact).data(data))
}

/// Affected systems (scenario × file with a linked line), stacked ERROR and WARNING lines.
pub fn affected_systems(report: &AnalysisReport, t: &Texts, layout: Layout) -> Chart {
    type Lines = std::collections::BTreeSet<u64>;
    let mut systems: BTreeMap<(u32, &str), (Lines, Lines)> = BTreeMap::new();
    for l in &report.links {
        systems
            .entry((l.scenario_id, l.error.file.as_str()))
            .or_default()
            .0
            .insert(l.error.line);
        systems
            .entry((l.scenario_id, l.warning.file.as_str()))
            .or_default()
            .1
            .insert(l.warning.line);
    }
    let mut bars: Vec<_> = systems
        .into_iter()
        .map(|((s, f), (e, w))| (format!("{s} · {f}"), e.len() as i64, w.len() as i64))
        .collect();
    bars.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(&b.0)));
    bars.truncate(MAX_BARS);
    let categories: Vec<String> = bars
        .iter()
        .map(|b| short(&b.0, layout.label_chars()))
        .collect();
    let series = |name: &str, colour: &str, pick: fn(&(String, i64, i64)) -> i64| {
        Bar::new()
            .name(name)
            .stack("lines")
            .item_style(ItemStyle::new().color(colour))
            .data(bars.iter().map(pick).collect::<Vec<i64>>())
    };
    base(t.chart_systems)
        .legend(layout.legend())
        .grid(grid(layout.grid_top(), 40))
        .x_axis(value_axis(t.axis_lines))
        .y_axis(category_axis(categories))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .series(series(t.series_errors, ERROR_COLOUR, |b| b.1))
        .series(series(t.series_warnings, WARNING_COLOUR, |b| b.2))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // in tests a panic is the failure message
mod tests {
    use super::*;
    use crate::i18n::{EN, RU};
    use loglens_shared::LogTime;
    use loglens_shared::report::Link;
    use serde_json::{Value, json};

    fn line(file: &str, line: u64, ts: &str, message: &str) -> LogRef {
        LogRef {
            file: file.into(),
            line,
            timestamp: LogTime::parse(ts),
            message: message.into(),
            ..LogRef::default()
        }
    }

    fn link(s: u32, a: u32, p: u32, error: LogRef, warning: LogRef) -> Link {
        Link {
            scenario_id: s,
            anomaly_id: a,
            problem_id: p,
            error,
            warning,
            anomaly_text: format!("anomaly {a}"),
            ..Link::default()
        }
    }

    /// Two scenarios over two days; problem 7 in both, problem 3 once; one untimed line.
    fn report() -> AnalysisReport {
        let e1 = line("app.log", 10, "2025-10-06 11:41:12", "DB down");
        let e2 = line("db.log", 5, "2025-10-07T09:00:00.250", "Disk full");
        let untimed = LogRef {
            timestamp: None,
            ..line("db.log", 6, "", "no time")
        };
        let w = |f: &str, l, ts: &str| line(f, l, ts, "slow");
        let incident = |s, p, priority: &str, errors: Vec<LogRef>, impact| Incident {
            scenario_id: s,
            problem_id: p,
            problem: format!("Problem {p}"),
            priority: priority.parse().unwrap(),
            errors,
            impact,
            ..Incident::default()
        };
        AnalysisReport {
            incidents: vec![
                incident(2, 7, "critical", vec![e2.clone(), untimed], 4),
                incident(1, 7, "critical", vec![e1.clone()], 2),
                incident(1, 3, "minor", vec![e1.clone()], 1),
            ],
            links: vec![
                link(2, 11, 7, e2.clone(), w("net.log", 1, "2025-10-07 08:59:00")),
                link(2, 12, 7, e2.clone(), w("net.log", 2, "2025-10-07 08:59:30")),
                link(2, 12, 7, e2, w("net.log", 2, "2025-10-07 08:59:30")),
                link(1, 11, 7, e1.clone(), w("app.log", 9, "2025-10-06 11:40:00")),
                link(1, 20, 3, e1, w("app.log", 8, "2025-10-06 11:39:00")),
            ],
            ..AnalysisReport::default()
        }
    }

    #[test]
    fn the_timeline_marks_the_moment_with_dark_tooltips_and_dated_labels() {
        let r = report();
        let all = json(&incident_timeline(&r, &RU, Layout::Wide, None).chart);
        assert!(
            all["series"][0].get("markLine").is_none(),
            "no moment: no line"
        );
        assert_eq!(all["tooltip"]["backgroundColor"], TOOLTIP_BACKGROUND);
        let x = if all["xAxis"].is_array() {
            &all["xAxis"][0]
        } else {
            &all["xAxis"]
        };
        assert_eq!(x["axisLabel"]["formatter"], "{dd}.{MM} {HH}:{mm}");
        let at = json(&incident_timeline(&r, &RU, Layout::Wide, Some(1_000)).chart);
        let line = &at["series"][0]["markLine"]["data"][0];
        assert_eq!(line["xAxis"], timeline::axis_value(1_000));
        assert_eq!(line["name"], RU.tm_now);
    }

    fn json(chart: &Chart) -> Value {
        serde_json::to_value(chart).unwrap()
    }

    /// `[(time, row)]` of series `i`.
    fn points(v: &Value, i: usize) -> Vec<(String, i64)> {
        v["series"][i]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["value"][0].as_str().unwrap().to_owned(),
                    p["value"][1].as_i64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_timeline_puts_every_timed_line_on_a_real_time_axis_one_row_per_incident() {
        let m = incident_timeline(&report(), &RU, Layout::Wide, None);
        assert_eq!(
            m.rows,
            vec![
                IncidentKey::new(2, 7),
                IncidentKey::new(1, 7),
                IncidentKey::new(1, 3)
            ],
            "the report's impact order"
        );
        let v = json(&m.chart);
        assert_eq!(v["xAxis"]["type"], "time");
        assert_eq!(v["yAxis"]["type"], "category");
        assert_eq!(v["yAxis"]["data"][0], "Сценарий 2 · проблема 7: Problem 7");
        assert_eq!(v["series"][0]["type"], "scatter");
        assert_eq!(
            points(&v, 0),
            vec![
                ("2025-10-07 09:00:00.250".to_owned(), 0),
                ("2025-10-06 11:41:12.000".to_owned(), 1),
                ("2025-10-06 11:41:12.000".to_owned(), 2),
            ],
            "ERROR lines; the untimed one is left off"
        );
        assert_eq!(
            points(&v, 1).len(),
            4,
            "WARNING lines, a line linked twice shown once"
        );
        // Days are not folded into hours of one day (the prototype's bug): the axis spans both.
        assert_eq!(v["xAxis"]["min"], "2025-10-06 11:39:00.000");
        assert_eq!(v["xAxis"]["max"], "2025-10-07 09:00:00.250");
        let names: Vec<&str> = v["dataZoom"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["type"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["slider", "inside"]);
        assert!(
            v["series"][0]["data"][0]["name"]
                .as_str()
                .unwrap()
                .contains("db.log:5 · Disk full")
        );
    }

    #[test]
    fn the_time_machine_filters_points_but_keeps_the_axis() {
        let until = LogTime::parse("2025-10-06 23:00:00").map(|t| t.ms);
        let all = json(&incident_timeline(&report(), &RU, Layout::Wide, None).chart);
        let then = json(&incident_timeline(&report(), &RU, Layout::Wide, until).chart);
        assert_eq!(points(&then, 0).len(), 2, "only day one's ERRORs");
        assert_eq!(points(&then, 1).len(), 2, "only day one's WARNINGs");
        assert_eq!(then["xAxis"], all["xAxis"], "the axis does not jump");
        assert_eq!(
            then["series"].as_array().unwrap().len(),
            2,
            "same series count, so updates merge"
        );
    }

    #[test]
    fn series_and_titles_follow_the_language() {
        let ru = json(&incident_timeline(&report(), &RU, Layout::Wide, None).chart);
        let en = json(&incident_timeline(&report(), &EN, Layout::Wide, None).chart);
        assert_eq!(ru["title"][0]["text"], RU.chart_timeline);
        assert_eq!(en["title"][0]["text"], "Incident timeline");
        assert_eq!(
            json(&problems_by_impact(&report(), &EN, Layout::Wide))["xAxis"]["name"],
            "Impact"
        );
    }

    #[test]
    fn problems_are_ranked_by_impact_summed_over_scenarios_and_coloured_by_priority() {
        let v = json(&problems_by_impact(&report(), &RU, Layout::Wide));
        assert_eq!(
            v["yAxis"]["data"],
            json!(["7 · Problem 7", "3 · Problem 3"])
        );
        let data = &v["series"][0]["data"];
        assert_eq!(data[0]["value"], 6, "4 + 2 over two scenarios");
        assert_eq!(data[1]["value"], 1);
        assert_eq!(data[0]["itemStyle"]["color"], "#ef4444", "critical");
        assert_eq!(data[1]["itemStyle"]["color"], "#38bdf8", "minor");
        assert_eq!(v["series"][0]["type"], "bar");
    }

    #[test]
    fn affected_systems_count_distinct_error_and_warning_lines_per_scenario_file() {
        let r = report();
        let v = json(&affected_systems(&r, &RU, Layout::Wide));
        assert_eq!(
            v["yAxis"]["data"],
            json!(["1 · app.log", "2 · net.log", "2 · db.log"])
        );
        assert_eq!(v["series"][0]["data"], json!([1, 0, 1]), "ERROR lines");
        assert_eq!(v["series"][1]["data"], json!([2, 2, 0]), "WARNING lines");
        assert_eq!(v["series"][0]["stack"], v["series"][1]["stack"]);
    }

    #[test]
    fn bar_charts_keep_the_top_bars_only() {
        let mut r = report();
        r.incidents = (1..=40)
            .map(|p| Incident {
                problem_id: p,
                impact: u64::from(p),
                ..Incident::default()
            })
            .collect();
        let v = json(&problems_by_impact(&r, &RU, Layout::Wide));
        let data = v["yAxis"]["data"].as_array().unwrap();
        assert_eq!(data.len(), MAX_BARS);
        assert!(data[0].as_str().unwrap().starts_with("40 ·"));
    }

    #[test]
    fn the_explorer_timeline_has_a_row_per_linked_anomaly() {
        let m = explorer_timeline(&report(), &EN, Layout::Wide, IncidentKey::new(2, 7)).unwrap();
        let v = json(&m.chart);
        assert_eq!(m.rows, 3);
        assert_eq!(
            v["yAxis"]["data"],
            json!([
                "ERROR · 7 Problem 7",
                "WARNING · 11 anomaly 11",
                "WARNING · 12 anomaly 12"
            ])
        );
        assert_eq!(points(&v, 0), vec![("2025-10-07 09:00:00.250".into(), 0)]);
        assert_eq!(
            points(&v, 1),
            vec![
                ("2025-10-07 08:59:00.000".into(), 1),
                ("2025-10-07 08:59:30.000".into(), 2)
            ]
        );
        assert!(explorer_timeline(&report(), &EN, Layout::Wide, IncidentKey::new(9, 9)).is_none());
    }

    #[test]
    fn time_chart_labels_wrap_instead_of_being_cut() {
        assert_eq!(wrapped("3 · 12 Disk failed", 42), "3 · 12 Disk failed");
        assert_eq!(
            wrapped("Scenario 3 · problem 12 Power supply unit failure", 20),
            "Scenario 3 · problem\n12 Power supply unit\nfailure"
        );
        let every = wrapped("Scenario 3 · problem 12 Power supply unit failure", 24);
        assert_eq!(
            every.replace('\n', " "),
            "Scenario 3 · problem 12 Power supply unit failure"
        );
        assert!(every.lines().all(|l| l.chars().count() <= 24), "{every}");
        // Past the lines a row has room for, the last is cut (the tooltip has it whole).
        let long = wrapped(&"word ".repeat(40), 18);
        assert_eq!(long.lines().count(), LABEL_LINES);
        assert!(long.ends_with('…'));
        // A word longer than a line is split, not lost.
        assert_eq!(
            wrapped(&"x".repeat(20), 18),
            format!("{}\n{}", "x".repeat(18), "xx")
        );
    }

    #[test]
    fn long_labels_are_cut_and_heights_grow_with_rows() {
        assert_eq!(short("short", LABEL_CHARS), "short");
        let cut = short(&"x".repeat(100), LABEL_CHARS);
        assert_eq!(cut.chars().count(), LABEL_CHARS);
        assert!(cut.ends_with('…'));
        assert!(rows_height(10) > rows_height(2));
        assert_eq!(rows_height(0), rows_height(1));
        assert!(rows_height(10_000) <= 1200);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // in tests a panic is the failure message
mod layout_tests {
    use super::*;
    use crate::i18n::RU;
    use loglens_shared::report::Incident;

    #[test]
    fn phones_get_short_labels_and_the_legend_under_the_title() {
        assert_eq!(Layout::for_width(390.0), Layout::Compact);
        assert_eq!(Layout::for_width(1280.0), Layout::Wide);
        let r = AnalysisReport {
            incidents: vec![Incident {
                problem_id: 1,
                problem: "A rather long problem description that would not fit".into(),
                impact: 1,
                ..Incident::default()
            }],
            ..AnalysisReport::default()
        };
        let label = |layout| {
            let v = serde_json::to_value(problems_by_impact(&r, &RU, layout)).unwrap();
            v["yAxis"]["data"][0].as_str().unwrap().chars().count()
        };
        assert_eq!(label(Layout::Compact), COMPACT_LABEL_CHARS);
        assert_eq!(label(Layout::Wide), LABEL_CHARS);
        let v = serde_json::to_value(affected_systems(&r, &RU, Layout::Compact)).unwrap();
        assert_eq!(v["legend"]["left"], 8);
    }
}
