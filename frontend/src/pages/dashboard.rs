//! Dashboard of one analysis (reload-safe: everything comes from `/api/sessions/{id}/result`),
//! with the completion toast when arriving from a finished upload.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use loglens_shared::report::{AnalysisReport, LogRef};

use crate::api;
use crate::charts::{self, IncidentKey, Layout};
use crate::components::echart::EChart;
use crate::i18n::Texts;
use crate::incidents::{self, Column, Direction, Query};
use crate::locale::use_texts;
use crate::viewport::use_layout;

/// Report files the server offers for a finished analysis.
const REPORTS: [&str; 7] = [
    "submit_report.xlsx",
    "incidents.xlsx",
    "predictive_alerts.xlsx",
    "novel_anomalies.xlsx",
    "playbooks_recommendations.csv",
    "playbooks_recommendations.txt",
    "report.json",
];

/// The toast hides by itself after this long.
const TOAST_MS: u64 = 5_000;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let report = LocalResource::new(move || {
        let id = id();
        async move { api::result(&id).await }
    });
    let toast =
        RwSignal::new(query.with_untracked(|q| q.get("from_analysis").as_deref() == Some("true")));
    if toast.get_untracked() {
        set_timeout(
            move || toast.set(false),
            std::time::Duration::from_millis(TOAST_MS),
        );
        // Drop `from_analysis` from the address so a reload shows the data, not the toast again.
        if let Some(w) = web_sys::window()
            && let Ok(path) = w.location().pathname()
            && let Ok(history) = w.history()
        {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
    view! {
        <Show when=move || toast.get()>
            <div class="toast" role="status" data-testid="toast">
                <b>{move || t.get().toast_title}</b>{move || t.get().toast_body}
                <button class="close" aria-label=move || t.get().close data-testid="toast-close" on:click=move |_| toast.set(false)>"×"</button>
            </div>
        </Show>
        <section class="dashboard">
            {move || match report.get() {
                None => view! { <p>{move || t.get().loading_results}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{move || api::describe(&e, t.get())}</p> }.into_any(),
                Some(Ok(r)) => view! { <Report report=r id=id()/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Report(report: AnalysisReport, id: String) -> impl IntoView {
    let t = use_texts();
    let report = StoredValue::new(report);
    let selected = RwSignal::new(None::<IncidentKey>);
    let s = report.with_value(|r| r.summary.clone());
    let incidents = report.with_value(|r| r.incidents.len());
    let kpis = move || {
        let t = t.get();
        [
            (t.kpi_incidents, incidents.to_string(), "kpi-incidents"),
            (t.kpi_anomalies, s.anomalies.to_string(), "kpi-anomalies"),
            (
                t.kpi_predictions,
                s.predictions.to_string(),
                "kpi-predictions",
            ),
            (t.kpi_systems, s.affected_systems.to_string(), "kpi-systems"),
            (t.kpi_lines, s.lines.to_string(), "kpi-lines"),
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
    view! {
        <h2>{move || (t.get().results_for)(&name)}</h2>
        <div class="kpis">
            {move || kpis().into_iter().map(|(label, value, testid)| view! {
                <div class="kpi" data-testid=testid><span class="kpi-value">{value}</span><span class="kpi-label">{label}</span></div>
            }).collect_view()}
        </div>
        <super::timemachine::TimeMachine report=report.get_value() selected/>
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
        <Links report=report.get_value()/>
        <Incidents report=report.get_value() selected/>
        <Predictions report=report.get_value()/>
        <h3>{move || t.get().reports_title}</h3>
        <p class="downloads" data-testid="downloads">
            <a data-testid="download-zip" href=api::url(&format!("/api/sessions/{id}/download"))>{move || t.get().all_reports_zip}</a>
            {REPORTS.iter().map(|name| view! {
                " · "<a href=api::url(&format!("/api/sessions/{id}/reports/{name}"))>{*name}</a>
            }).collect_view()}
            {["pdf", "xml", "json"].iter().map(|f| view! {
                " · "<a href=api::url(&format!("/api/sessions/{id}/export/{f}"))>{move || (t.get().export)(&f.to_uppercase())}</a>
            }).collect_view()}
        </p>
    }
}

/// The official rows: which anomaly led to which problem, where, how it was matched.
#[component]
fn Links(report: AnalysisReport) -> impl IntoView {
    let t = use_texts();
    let rows = report.links;
    view! {
        {move || {
            let t = t.get();
            view! {
                <h3>{t.links_title}</h3>
                <table class="links" data-testid="links">
                    <thead><tr>
                        <th>{t.col_scenario}</th><th>{t.col_anomaly}</th><th>{t.col_problem}</th><th>{t.col_file}</th><th>{t.col_line}</th>
                        <th>{t.col_log_line}</th><th>{t.col_method}</th><th>{t.col_score}</th>
                    </tr></thead>
                    <tbody>
                        {rows.iter().map(|l| view! {
                            <tr data-testid="link-row">
                                <td>{l.scenario_id}</td>
                                <td title=l.anomaly_text.clone()>{l.anomaly_id}</td>
                                <td title=l.problem_text.clone()>{l.problem_id}</td>
                                <td>{l.error.file.clone()}</td>
                                <td>{l.error.line}</td>
                                <td class="raw">{l.error.raw.clone()}</td>
                                <td>{t.method(l.method)}</td>
                                <td>{format!("{:.2}", l.score)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        }}
    }
}

/// The header text of an incidents-table column.
fn column_label(t: &Texts, c: Column) -> &'static str {
    match c {
        Column::Scenario => t.col_scenario,
        Column::Problem => t.col_problem,
        Column::Priority => t.col_priority,
        Column::Impact => t.col_impact,
        Column::Anomalies => t.col_anomalies,
        Column::Systems => t.col_systems,
        Column::FirstSeen => t.col_first_seen,
        Column::Method => t.col_method,
    }
}

/// Incidents ranked by impact, sortable by any column, filtered by scenario and by words, with
/// the explorer of the selected one.
#[component]
fn Incidents(report: AnalysisReport, selected: RwSignal<Option<IncidentKey>>) -> impl IntoView {
    let t = use_texts();
    let layout = use_layout();
    let report = StoredValue::new(report);
    let query = RwSignal::new(Query::default());
    let scenarios: Vec<u32> = report.with_value(|r| r.scenarios.iter().map(|s| s.id).collect());
    let total = report.with_value(|r| r.incidents.len());
    let rows =
        Memo::new(move |_| query.with(|q| report.with_value(|r| incidents::rows(&r.incidents, q))));
    view! {
        <h3>{move || t.get().incidents_title}</h3>
        <div class="controls">
            <label>{move || t.get().scenario_filter}
                <select data-testid="scenario-filter" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    query.update(|q| q.scenario = v.parse().ok());
                }>
                    <option value="">{move || t.get().all}</option>
                    {scenarios.into_iter().map(|s| view! { <option value=s.to_string()>{s}</option> }).collect_view()}
                </select>
            </label>
            <input type="search" class="search" data-testid="incident-search"
                placeholder=move || t.get().search aria-label=move || t.get().search
                on:input=move |ev| { let v = event_target_value(&ev); query.update(|q| q.text = v); }/>
            <span class="muted" data-testid="incident-count">{move || (t.get().shown_of)(rows.with(Vec::len), total)}</span>
        </div>
        <p class="muted hint">{move || t.get().sort_hint}</p>
        <table class="links" data-testid="incidents">
            <thead><tr>
                {Column::ALL.into_iter().map(|c| view! {
                    <th aria-sort=move || query.with(|q| q.direction(c).map_or("none", Direction::aria))>
                        <button class="sort" data-testid=format!("sort-{c:?}").to_lowercase()
                            on:click=move |_| query.update(|q| *q = q.clicked(c))>
                            {move || column_label(t.get(), c)}
                            {move || query.with(|q| q.direction(c).map(|d| format!(" {}", d.arrow())))}
                        </button>
                    </th>
                }).collect_view()}
            </tr></thead>
            <tbody>
                <For each=move || rows.get() key=|i| (i.scenario_id, i.problem_id) let:i>
                    {
                        let key = (i.scenario_id, i.problem_id);
                        let method = i.method;
                        view! {
                            <tr data-testid="incident-row" class="clickable" class:selected=move || selected.get() == Some(key)
                                on:click=move |_| selected.set(Some(key))>
                                <td>{i.scenario_id}</td>
                                <td>{format!("{} · {}", i.problem_id, i.problem)}</td>
                                <td><span class=format!("priority {}", i.priority)>{i.priority.clone()}</span></td>
                                <td>{i.impact}</td>
                                <td>{i.anomaly_ids.len()}</td>
                                <td>{i.files.len()}</td>
                                <td>{i.first_seen.clone().unwrap_or_default()}</td>
                                <td>{move || t.get().method(method)}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        {move || {
            let (t, layout) = (t.get(), layout.get());
            selected.get().and_then(|key| report.with_value(|r| explorer(r, key, t, layout)))
        }}
    }
}

/// The real lines around a log line, the line itself highlighted.
fn context_view(r: &LogRef) -> impl IntoView + use<> {
    let own = r.line;
    view! {
        <pre class="context" data-testid="context">
            {r.context.iter().map(|c| {
                let mark = c.line == own;
                view! { <span class:own=mark data-own=mark.to_string()>{format!("{:>7}  {}\n", c.line, c.text)}</span> }
            }).collect_view()}
        </pre>
    }
}

fn explorer(
    r: &AnalysisReport,
    key: IncidentKey,
    t: &'static Texts,
    layout: Layout,
) -> Option<AnyView> {
    let (scenario, problem) = key;
    let incident = r
        .incidents
        .iter()
        .find(|i| (i.scenario_id, i.problem_id) == key)?
        .clone();
    let root = incident.errors.first()?.clone();
    let links: Vec<_> = r
        .links
        .iter()
        .filter(|l| (l.scenario_id, l.problem_id) == key)
        .cloned()
        .collect();
    let playbook = r
        .playbooks
        .iter()
        .find(|p| p.problem_id == problem)
        .cloned();
    let chart = charts::explorer_timeline(r, t, layout, key);
    Some(view! {
        <div class="explorer" data-testid="explorer">
            <h3>{(t.explorer_title)(scenario, problem, &incident.problem)}</h3>
            <p class="muted">{(t.root_cause_at)(&root.file, root.line)}</p>
            {(incident.error_count > incident.errors.len() as u64).then(|| view! {
                <p class="muted" data-testid="errors-sampled">
                    {(t.errors_sampled)(incident.errors.len(), incident.error_count)}
                </p>
            })}
            <p class="root" data-testid="root-cause">{root.raw.clone()}</p>
            {context_view(&root)}
            <h4>{t.linked_anomalies}</h4>
            <ul data-testid="linked-anomalies">
                {links.into_iter().map(|l| view! {
                    <li>
                        <b>{format!("{} · {}", l.anomaly_id, l.anomaly_text)}</b>
                        {(t.linked_at)(t.method(l.method), l.score, &l.warning.file, l.warning.line)}
                        <code>{l.warning.message.clone()}</code>
                    </li>
                }).collect_view()}
            </ul>
            {chart.map(|c| {
                let rows = c.rows;
                view! {
                    <EChart option=c.chart label=t.explorer_timeline.to_string()
                        testid="chart-explorer" height=charts::rows_height(rows)/>
                }
            })}
            {playbook.map(|p| view! {
                <h4>{(t.playbook_priority)(&p.priority)}</h4>
                <p>{p.summary.clone()}</p>
                <ol data-testid="playbook-steps">
                    {p.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ol>
            })}
        </div>
    }.into_any())
}

/// Predictive alerts and novel anomalies.
#[component]
fn Predictions(report: AnalysisReport) -> impl IntoView {
    let t = use_texts();
    let predictions = report.predictions;
    let novel = report.novel_anomalies;
    move || {
        let t = t.get();
        view! {
            <h3>{(t.predictions_title)(predictions.len())}</h3>
            <table class="links" data-testid="predictions">
                <thead><tr><th>{t.col_scenario}</th><th>{t.col_kind}</th><th>{t.col_problem}</th><th>{t.col_anomaly}</th><th>{t.col_trigger_time}</th></tr></thead>
                <tbody>
                    {predictions.iter().map(|p| view! {
                        <tr data-testid="prediction-row">
                            <td>{p.scenario_id}</td>
                            <td>{t.prediction_kind(p.kind)}</td>
                            <td>{format!("{} · {}", p.problem_id, p.problem)}</td>
                            <td>{format!("{} · {}", p.anomaly_id, p.anomaly)}</td>
                            <td>{p.trigger_time.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>{(t.novel_title)(novel.len())}</h3>
            <table class="links" data-testid="novel">
                <thead><tr><th>{t.col_scenario}</th><th>{t.col_text}</th><th>{t.col_count}</th><th>{t.col_first_line}</th><th>{t.col_likely_problem}</th><th>{t.col_nearest}</th></tr></thead>
                <tbody>
                    {novel.iter().map(|n| view! {
                        <tr>
                            <td>{n.scenario_id}</td>
                            <td>{n.normalized.clone()}</td>
                            <td>{n.count}</td>
                            <td>{format!("{}:{}", n.first.file, n.first.line)}</td>
                            <td>{n.related_problem_id.map(|p| p.to_string()).unwrap_or_default()}</td>
                            <td>{n.nearest_anomaly.clone().map(|a| format!("{a} ({:.2})", n.nearest_score.unwrap_or_default())).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    }
}
