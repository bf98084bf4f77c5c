//! The dashboard of a loaded analysis: toast, notices, KPIs, the time machine and the bar
//! charts, then every section in order.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use super::Toast;
use super::downloads::Downloads;
use super::explorer::Explorer;
use super::files::Files;
use super::incidents::Incidents;
use super::links::Links;
use super::notices::Notices;
use super::predictions::Predictions;
use super::selection::selection;
use crate::charts;
use crate::components::echart::EChart;
use crate::locale::use_texts;
use crate::viewport::use_layout;

#[component]
pub(super) fn Report(report: AnalysisReport, id: String, toast: RwSignal<bool>) -> impl IntoView {
    let t = use_texts();
    let warnings = !report.summary.notices.is_empty();
    let sel = selection(id.clone());
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
    view! {
        <Toast toast warnings/>
        <h2>{move || (t.get().results_for)(&name)}</h2>
        <Notices notices id=id.clone()/>
        <div class="kpis">
            {move || kpis().into_iter().map(|(label, value, testid)| view! {
                <div class="kpi" data-testid=testid><span class="kpi-value">{value}</span><span class="kpi-label">{label}</span></div>
            }).collect_view()}
        </div>
        <crate::pages::timemachine::TimeMachine report open=sel.open/>
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
        <Links report/>
        <Incidents report selected=sel.selected open=sel.open/>
        <Explorer report selection=sel.clone()/>
        <Predictions report/>
        <Files report/>
        <Downloads id/>
    }
}
