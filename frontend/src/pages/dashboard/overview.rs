//! The dashboard of a loaded analysis: toast, notices, KPIs, the time machine and the bar
//! charts, then every section in order.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use super::Toast;
use super::downloads::Downloads;
use super::explorer::Explorer;
use super::files::Files;
use super::filter_bar::{FilterBar, use_filter};
use super::incidents::Incidents;
use super::links::Links;
use super::nav::SectionNav;
use super::notices::Notices;
use super::patterns::Patterns;
use super::predictions::{Novel, Predictions};
use super::selection::selection;
use crate::api;
use crate::charts;
use crate::components::echart::EChart;
use crate::locale::use_texts;
use crate::sections::{self, Section};

/// The browser tab's title.
fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}
use crate::viewport::use_layout;

#[component]
pub(super) fn Report(report: AnalysisReport, id: String, toast: RwSignal<bool>) -> impl IntoView {
    // Anomalies promoted to the knowledge base, from the patterns and the novel anomalies.
    super::promote::provide();
    let t = use_texts();
    let warnings = !report.summary.notices.is_empty();
    let sel = selection(id.clone());
    let filter = use_filter();
    let report = StoredValue::new(report);
    let s = report.with_value(|r| r.summary.clone());
    let incidents = report.with_value(|r| r.incidents.len());
    let kpis = move || {
        let t = t.get();
        [
            (t.kpi_incidents, t.number(incidents as u64), "kpi-incidents"),
            (
                t.kpi_anomalies,
                t.number(s.anomalies as u64),
                "kpi-anomalies",
            ),
            (
                t.kpi_predictions,
                t.number(s.predictions as u64),
                "kpi-predictions",
            ),
            (
                t.kpi_systems,
                t.number(s.affected_systems as u64),
                "kpi-systems",
            ),
            (t.kpi_lines, t.number(s.lines), "kpi-lines"),
            (
                t.kpi_duration,
                (t.seconds_f)(s.duration_ms as f64 / 1000.0),
                "kpi-duration",
            ),
        ]
    };
    let name = s.name.clone();
    // The tab says which analysis it shows (several dashboards open side by side).
    set_title(&format!("{name} — LogLens"));
    on_cleanup(|| set_title("LogLens"));
    let kbs = report.with_value(|r| {
        sections::kbs_used(
            &r.scenarios
                .iter()
                .map(|c| c.kb_source.as_str())
                .collect::<Vec<_>>(),
        )
    });
    let finished = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { api::snapshot(&id).await.ok().and_then(|s| s.finished_at) }
        }
    });
    let facts = move || {
        let t = t.get();
        let mut named = Vec::new();
        if kbs.uploaded {
            named.push(t.kb_uploaded.to_owned());
        }
        match kbs.in_archive.as_slice() {
            [] => {}
            [one] => named.push(one.clone()),
            many => named.push((t.kbs_in_archive)(many.len())),
        }
        if kbs.builtin {
            named.push(t.kb_builtin.to_owned());
        }
        let kb = named.join(", ");
        let mut facts = vec![
            (t.col_model, s.model.as_str().to_owned()),
            (t.run_kb, kb),
            (
                t.run_input,
                (t.input_size)(&t.bytes(s.bytes), &t.number(s.lines), s.files),
            ),
            (t.kpi_duration, (t.seconds_f)(s.duration_ms as f64 / 1000.0)),
        ];
        if let Some(Some(at)) = finished.get() {
            facts.push((t.run_finished, crate::pages::history::local_time(&at, t)));
        }
        facts
    };
    let layout = use_layout();
    let impact = Signal::derive(move || {
        report.with_value(|r| charts::problems_by_impact(r, t.get(), layout.get()))
    });
    let systems = Signal::derive(move || {
        report.with_value(|r| charts::affected_systems(r, t.get(), layout.get()))
    });
    let bars = |n: usize| charts::rows_height(n.min(charts::MAX_BARS));
    let (impact_rows, system_rows) = report.with_value(|r| {
        let problems: std::collections::BTreeSet<u32> =
            r.incidents.iter().map(|i| i.problem_id).collect();
        (problems.len(), r.summary.affected_systems)
    });
    let notices = report.with_value(|r| r.summary.notices.clone());
    // Each section: reachable from the bar, focusable when reached by it; named by its
    // own heading.
    view! {
        <Toast toast warnings/>
        <h2>{move || (t.get().results_for)(&name)}</h2>
        <dl class="run-facts" data-testid="run-facts">
            {move || facts().into_iter().map(|(label, value)| view! {
                <div><dt>{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
        <SectionNav/>
        <FilterBar report filter/>
        <section id=Section::Overview.id() class="dash-section" tabindex="-1">
        <Notices notices id=id.clone()/>
        <div class="kpis">
            {move || kpis().into_iter().map(|(label, value, testid)| view! {
                <div class="kpi" data-testid=testid><span class="kpi-value">{value}</span><span class="kpi-label">{label}</span></div>
            }).collect_view()}
        </div>
        <crate::pages::timemachine::TimeMachine report open=sel.open filter/>
        <div class="panels">
            <section class="panel">
                <EChart option=impact label=Signal::derive(move || t.get().chart_by_impact.to_string())
                    testid="chart-impact" height=bars(impact_rows)/>
            </section>
            <section class="panel">
                <EChart option=systems label=Signal::derive(move || t.get().chart_systems.to_string())
                    testid="chart-systems" height=bars(system_rows)/>
            </section>
        </div>
        </section>
        <section id=Section::Links.id() class="dash-section" tabindex="-1">
            <Links report filter/>
        </section>
        <section id=Section::Incidents.id() class="dash-section" tabindex="-1">
            <Incidents report selected=sel.selected open=sel.open filter/>
            <Explorer report selection=sel.clone()/>
        </section>
        <section id=Section::Patterns.id() class="dash-section" tabindex="-1">
            <Patterns report/>
        </section>
        <section id=Section::Predictions.id() class="dash-section" tabindex="-1">
            <Predictions report filter/>
        </section>
        <section id=Section::Novel.id() class="dash-section" tabindex="-1">
            <Novel report/>
        </section>
        <super::promote::KbChanges id=id.clone()/>
        <section id=Section::Reports.id() class="dash-section" tabindex="-1">
            <Files report/>
            <Downloads id/>
        </section>
    }
}
