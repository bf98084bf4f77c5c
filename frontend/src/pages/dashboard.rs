//! Dashboard of one analysis (reload-safe: everything comes from `/api/sessions/{id}/result`),
//! with the completion toast when arriving from a finished upload. The incident explorer is a
//! side panel kept in the address (`?incident=<scenario>-<problem>`), so it survives a reload
//! and can be shared; Esc closes it.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use loglens_shared::api::Problem;
use loglens_shared::report::{AnalysisReport, LogRef, Notice};
use loglens_shared::{ExportFormat, IncidentKey, LogTime, ModelKind, ReportFile};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::charts::{self, Layout};
use crate::components::echart::EChart;
use crate::i18n::Texts;
use crate::incidents::{self, Column, Direction, Query};
use crate::locale::use_texts;
use crate::routes;
use crate::viewport::use_layout;

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
        <section class="dashboard">
            {move || match report.get() {
                None => view! { <p>{move || t.get().loading_results}</p> }.into_any(),
                Some(Err(e)) => match e.problem() {
                    Some(Problem::DeletedSession { .. }) => view! { <Gone deleted=true/> }.into_any(),
                    Some(Problem::UnknownSession { .. }) => view! { <Gone deleted=false/> }.into_any(),
                    _ => view! { <p class="error" role="alert">{move || api::describe(&e, t.get())}</p> }.into_any(),
                },
                Some(Ok(r)) => view! { <Report report=r id=id() toast/> }.into_any(),
            }}
        </section>
    }
}

/// An analysis that cannot be shown: deleted, or never known here.
#[component]
fn Gone(deleted: bool) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="gone" data-testid=if deleted { "deleted" } else { "missing" }>
            <h2>{move || if deleted { t.get().deleted_title } else { t.get().missing_title }}</h2>
            <p>{move || if deleted { t.get().deleted_body } else { t.get().missing_body }}</p>
            <p><a href="/" class="button primary" data-testid="go-home">{move || t.get().go_home}</a></p>
        </div>
    }
}

/// The completion toast: green, or amber "completed with warnings" when there are notices.
#[component]
fn Toast(toast: RwSignal<bool>, warnings: bool) -> impl IntoView {
    let t = use_texts();
    view! {
        <Show when=move || toast.get()>
            <div class="toast" class:warn=warnings role="status" data-testid="toast"
                data-kind=if warnings { "warnings" } else { "success" }>
                <b>{move || if warnings { t.get().toast_warn_title } else { t.get().toast_title }}</b>
                {move || if warnings { t.get().toast_warn_body } else { t.get().toast_body }}
                <button class="close" aria-label=move || t.get().close data-testid="toast-close" on:click=move |_| toast.set(false)>"×"</button>
            </div>
        </Show>
    }
}

/// The incident named in the address, and opening/closing it through the address.
#[derive(Clone)]
struct Selection {
    selected: Memo<Option<IncidentKey>>,
    open: Callback<IncidentKey>,
    close: Callback<()>,
}

fn selection(id: String) -> Selection {
    let query = use_query_map();
    let navigate = use_navigate();
    let selected =
        Memo::new(move |_| query.with(|q| q.get("incident").and_then(|k| k.trim().parse().ok())));
    let go = move |url: String| {
        navigate(
            &url,
            NavigateOptions {
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let path = routes::dashboard(&id);
    let open = {
        let (go, id) = (go.clone(), id.clone());
        Callback::new(move |key: IncidentKey| {
            if selected.get_untracked() != Some(key) {
                go(routes::incident(&id, key));
            }
        })
    };
    let close = Callback::new(move |()| {
        if let Some(key) = selected.get_untracked() {
            go(path.clone());
            // Back to the row the explorer was opened from.
            focus(&format!("tr[data-key=\"{key}\"]"));
        }
    });
    Selection {
        selected,
        open,
        close,
    }
}

/// Moves keyboard focus to the first element matching `selector`, once it is rendered.
fn focus(selector: &str) {
    let selector = selector.to_owned();
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

#[component]
fn Report(report: AnalysisReport, id: String, toast: RwSignal<bool>) -> impl IntoView {
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
        <super::timemachine::TimeMachine report=report.get_value() open=sel.open/>
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
        <Incidents report selected=sel.selected open=sel.open/>
        <Explorer report selection=sel.clone()/>
        <Predictions report=report.get_value()/>
        <Downloads id/>
    }
}

/// What the operator should know before trusting the numbers below, in the UI's language;
/// a run of Cyrillic logs with the light model offers the heavy one in one click.
#[component]
fn Notices(notices: Vec<Notice>, id: String) -> impl IntoView {
    let t = use_texts();
    let navigate = use_navigate();
    let rerun_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    if notices.is_empty() {
        return ().into_any();
    }
    let rerun = Callback::new(move |()| {
        busy.set(true);
        let (id, navigate) = (id.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            match api::rerun(&id, ModelKind::Heavy).await {
                Ok(new_id) => navigate(&routes::watch(&new_id), Default::default()),
                Err(e) => {
                    rerun_error.set(Some((t.get_untracked().rerun_failed)(&api::describe(
                        &e,
                        t.get_untracked(),
                    ))));
                    busy.set(false);
                }
            }
        });
    });
    view! {
        <section class="notices" role="region" aria-labelledby="notices-title" data-testid="notices">
            <h3 id="notices-title">{move || t.get().notices_title}</h3>
            <ul>
                {notices.into_iter().map(|n| {
                    let cyrillic = matches!(n, Notice::CyrillicWithLight { .. });
                    let kind = serde_json::to_value(&n).ok()
                        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                        .unwrap_or_default();
                    view! {
                        <li data-testid="notice" data-kind=kind>
                            {move || (t.get().notice)(&n)}
                            {cyrillic.then(|| view! {
                                " "<button class="primary small" data-testid="rerun-heavy" disabled=move || busy.get()
                                    on:click=move |_| rerun.run(())>{move || t.get().rerun_heavy}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || rerun_error.get().is_some()>
                <p class="error" role="alert">{move || rerun_error.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
    .into_any()
}

/// Every report and export, as real downloads: `download` makes a normal click (or Enter)
/// save the file, and keeps the app's router from taking the link as a page of its own.
#[component]
fn Downloads(id: String) -> impl IntoView {
    let t = use_texts();
    let zip = api::results_zip_url(&id);
    let reports: Vec<(String, &'static str)> = ReportFile::ALL
        .into_iter()
        .map(|r| (api::report_url(&id, r), r.file_name()))
        .collect();
    let exports: Vec<(String, &'static str)> = ExportFormat::ALL
        .into_iter()
        .map(|f| (api::export_url(&id, f), f.as_str()))
        .collect();
    view! {
        <h3>{move || t.get().reports_title}</h3>
        <ul class="downloads" data-testid="downloads">
            <li><a data-testid="download-zip" href=zip download="" rel="external">{move || t.get().all_reports_zip}</a></li>
            {reports.into_iter().map(|(href, name)| view! {
                <li><a href=href download="" rel="external">{name}</a></li>
            }).collect_view()}
            {exports.into_iter().map(|(href, f)| view! {
                <li><a href=href download="" rel="external">{move || (t.get().export)(&f.to_uppercase())}</a></li>
            }).collect_view()}
        </ul>
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
                                <td>{t.number(l.error.line)}</td>
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

/// A log timestamp as people read it, as written in its tooltip (nothing for an untimed line).
fn log_time(t: &Texts, time: Option<&LogTime>) -> impl IntoView + use<> {
    let raw = time.map(|l| l.raw.clone()).unwrap_or_default();
    let shown = time.map(|l| t.log_time(l)).unwrap_or_default();
    view! { <time title=raw>{shown}</time> }
}

/// Incidents ranked by impact, sortable by any column, filtered by scenario and by words;
/// a row opens the explorer by click, Enter or Space.
#[component]
fn Incidents(
    report: StoredValue<AnalysisReport>,
    selected: Memo<Option<IncidentKey>>,
    open: Callback<IncidentKey>,
) -> impl IntoView {
    let t = use_texts();
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
                <For each=move || rows.get() key=|i| i.key() let:i>
                    {
                        let key = i.key();
                        let method = i.method;
                        let problem = i.problem.clone();
                        let first_seen = i.first_seen.clone();
                        view! {
                            <tr data-testid="incident-row" class="clickable" tabindex="0"
                                data-key=key.to_string()
                                class:selected=move || selected.get() == Some(key)
                                aria-label=move || (t.get().open_incident)(key.scenario_id, &problem)
                                on:click=move |_| open.run(key)
                                on:keydown=move |ev: web_sys::KeyboardEvent| {
                                    if ev.key() == "Enter" || ev.key() == " " {
                                        ev.prevent_default();
                                        open.run(key);
                                    }
                                }>
                                <td>{i.scenario_id}</td>
                                <td>{format!("{} · {}", i.problem_id, i.problem)}</td>
                                <td><span class=format!("priority {}", i.priority)>{i.priority.as_str()}</span></td>
                                <td>{move || t.get().number(i.impact)}</td>
                                <td>{i.anomaly_ids.len()}</td>
                                <td>{i.files.len()}</td>
                                <td>{move || log_time(t.get(), first_seen.as_ref())}</td>
                                <td>{move || t.get().method(method)}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
}

/// The explorer as a side panel over the page: it opens where the user looks, whatever they
/// clicked (a row far down, a point on the timeline), takes keyboard focus, closes with Esc or
/// its close button, and gives focus back to the incident's row.
#[component]
fn Explorer(report: StoredValue<AnalysisReport>, selection: Selection) -> impl IntoView {
    let t = use_texts();
    let layout = use_layout();
    let Selection {
        selected, close, ..
    } = selection;
    // Esc closes, wherever focus is.
    let on_key =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" && selected.get_untracked().is_some() {
                close.run(());
            }
        });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    let on_key = StoredValue::new_local(on_key);
    on_cleanup(move || {
        if let Some(w) = web_sys::window() {
            on_key.with_value(|c| {
                let _ =
                    w.remove_event_listener_with_callback("keydown", c.as_ref().unchecked_ref());
            });
        }
    });
    Effect::new(move |_| {
        if selected.get().is_some() {
            focus("[data-testid=explorer]");
        }
    });
    move || {
        let (t, layout) = (t.get(), layout.get());
        let key = selected.get()?;
        let body = report.with_value(|r| explorer(r, key, t, layout))?;
        Some(view! {
            <aside class="explorer" data-testid="explorer" role="dialog" aria-modal="false"
                aria-labelledby="explorer-title" tabindex="-1">
                <button class="close" data-testid="explorer-close" aria-label=t.close_explorer title=t.close_explorer
                    on:click=move |_| close.run(())>"×"</button>
                {body}
            </aside>
        })
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
    let IncidentKey {
        scenario_id: scenario,
        problem_id: problem,
    } = key;
    let incident = r.incident(key)?.clone();
    let root = incident.errors.first()?.clone();
    let links: Vec<_> = r.links_of(key).cloned().collect();
    let playbook = r.playbook(problem).cloned();
    let chart = charts::explorer_timeline(r, t, layout, key);
    Some(view! {
        <h3 id="explorer-title">{(t.explorer_title)(scenario, problem, &incident.problem)}</h3>
        <p class="muted">{(t.root_cause_at)(&root.file, root.line)}" · "{log_time(t, root.timestamp.as_ref())}</p>
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
            <h4>{(t.playbook_priority)(p.priority.as_str())}</h4>
            <p>{p.summary.clone()}</p>
            <ol data-testid="playbook-steps">
                {p.steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
        })}
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
                            <td>{log_time(t, p.trigger_time.as_ref())}</td>
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
                            <td>{t.number(n.count)}</td>
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
