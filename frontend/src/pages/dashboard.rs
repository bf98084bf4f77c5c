//! Dashboard of one analysis (reload-safe: everything comes from `/api/sessions/{id}/result`),
//! with the completion toast when arriving from a finished upload.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use loglens_shared::report::{AnalysisReport, Incident, LogRef, Method, PredictionKind};

use crate::api;

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
                <b>"Успешно"</b>" — Анализ логов завершен! Результаты отображены ниже."
                <button class="close" aria-label="Закрыть" data-testid="toast-close" on:click=move |_| toast.set(false)>"×"</button>
            </div>
        </Show>
        <section class="dashboard">
            {move || match report.get() {
                None => view! { <p>"Загрузка результатов…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(r)) => view! { <Report report=r id=id()/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Report(report: AnalysisReport, id: String) -> impl IntoView {
    let s = report.summary.clone();
    let kpis = [
        ("Инциденты", report.incidents.len().to_string()),
        ("Аномалии", s.anomalies.to_string()),
        ("Прогнозы", s.predictions.to_string()),
        ("Затронутые системы", s.affected_systems.to_string()),
        ("Строк проанализировано", s.lines.to_string()),
        (
            "Длительность",
            format!("{:.1} с", s.duration_ms as f64 / 1000.0),
        ),
    ];
    let rows = report.links.clone();
    view! {
        <h2>{format!("Результаты: {}", s.name)}</h2>
        <div class="kpis">
            {kpis.into_iter().map(|(label, value)| view! {
                <div class="kpi"><span class="kpi-value">{value}</span><span class="kpi-label">{label}</span></div>
            }).collect_view()}
        </div>
        <h3>"Связи аномалия → проблема"</h3>
        <table class="links" data-testid="links">
            <thead><tr>
                <th>"Сценарий"</th><th>"Аномалия"</th><th>"Проблема"</th><th>"Файл"</th><th>"Строка"</th>
                <th>"Строка из лога"</th><th>"Метод"</th><th>"Сходство"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|l| view! {
                    <tr data-testid="link-row">
                        <td>{l.scenario_id}</td>
                        <td title=l.anomaly_text.clone()>{l.anomaly_id}</td>
                        <td title=l.problem_text.clone()>{l.problem_id}</td>
                        <td>{l.error.file.clone()}</td>
                        <td>{l.error.line}</td>
                        <td class="raw">{l.error.raw.clone()}</td>
                        <td>{if l.method == Method::Exact { "точный" } else { "семантический" }}</td>
                        <td>{format!("{:.2}", l.score)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Incidents report=report.clone()/>
        <super::timemachine::TimeMachine report=report.clone()/>
        <Predictions report=report.clone()/>
        <h3>"Отчёты"</h3>
        <p class="downloads" data-testid="downloads">
            <a data-testid="download-zip" href=api::url(&format!("/api/sessions/{id}/download"))>"Все отчёты (zip)"</a>
            {REPORTS.iter().map(|name| view! {
                " · "<a href=api::url(&format!("/api/sessions/{id}/reports/{name}"))>{*name}</a>
            }).collect_view()}
            {["pdf", "xml", "json"].iter().map(|f| view! {
                " · "<a href=api::url(&format!("/api/sessions/{id}/export/{f}"))>{format!("экспорт {}", f.to_uppercase())}</a>
            }).collect_view()}
        </p>
    }
}

fn method_label(m: Method) -> &'static str {
    if m == Method::Exact {
        "точный"
    } else {
        "семантический"
    }
}

/// Incidents ranked by impact (or by scenario), filterable by scenario, with the explorer of
/// the selected one.
#[component]
fn Incidents(report: AnalysisReport) -> impl IntoView {
    let report = StoredValue::new(report);
    let scenario = RwSignal::new(String::new());
    let by_scenario = RwSignal::new(false);
    let selected = RwSignal::new(None::<(u32, u32)>);
    let scenarios: Vec<u32> = report.with_value(|r| r.scenarios.iter().map(|s| s.id).collect());
    let rows = move || {
        let filter = scenario.get();
        let mut rows: Vec<Incident> = report.with_value(|r| {
            r.incidents
                .iter()
                .filter(|i| filter.is_empty() || i.scenario_id.to_string() == filter)
                .cloned()
                .collect()
        });
        if by_scenario.get() {
            rows.sort_by_key(|i| (i.scenario_id, i.problem_id));
        }
        rows
    };
    view! {
        <h3>"Инциденты"</h3>
        <div class="controls">
            <label>"Сценарий: "
                <select data-testid="scenario-filter" on:change=move |ev| scenario.set(event_target_value(&ev))>
                    <option value="">"все"</option>
                    {scenarios.into_iter().map(|s| view! { <option value=s.to_string()>{s}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <input type="checkbox" on:change=move |ev| by_scenario.set(event_target_checked(&ev))/>
                " по сценарию, а не по влиянию"
            </label>
        </div>
        <table class="links" data-testid="incidents">
            <thead><tr>
                <th>"Сценарий"</th><th>"Проблема"</th><th>"Приоритет"</th><th>"Влияние"</th>
                <th>"Аномалий"</th><th>"Систем"</th><th>"Впервые"</th><th>"Метод"</th>
            </tr></thead>
            <tbody>
                <For each=rows key=|i| (i.scenario_id, i.problem_id) let:i>
                    {
                        let key = (i.scenario_id, i.problem_id);
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
                                <td>{method_label(i.method)}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        {move || selected.get().and_then(|key| report.with_value(|r| explorer(r, key)))}
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

fn explorer(r: &AnalysisReport, (scenario, problem): (u32, u32)) -> Option<AnyView> {
    let incident = r
        .incidents
        .iter()
        .find(|i| i.scenario_id == scenario && i.problem_id == problem)?
        .clone();
    let root = incident.errors.first()?.clone();
    let links: Vec<_> = r
        .links
        .iter()
        .filter(|l| l.scenario_id == scenario && l.problem_id == problem)
        .cloned()
        .collect();
    let playbook = r
        .playbooks
        .iter()
        .find(|p| p.problem_id == problem)
        .cloned();
    Some(view! {
        <div class="explorer" data-testid="explorer">
            <h3>{format!("Сценарий {scenario}: проблема {problem} — {}", incident.problem)}</h3>
            <p class="muted">{format!("Первопричина: {} строка {}", root.file, root.line)}</p>
            <p class="root" data-testid="root-cause">{root.raw.clone()}</p>
            {context_view(&root)}
            <h4>"Связанные аномалии"</h4>
            <ul data-testid="linked-anomalies">
                {links.into_iter().map(|l| view! {
                    <li>
                        <b>{format!("{} · {}", l.anomaly_id, l.anomaly_text)}</b>
                        {format!(" — {} ({:.2}); {} строка {}: ", method_label(l.method), l.score, l.warning.file, l.warning.line)}
                        <code>{l.warning.message.clone()}</code>
                    </li>
                }).collect_view()}
            </ul>
            {playbook.map(|p| view! {
                <h4>{format!("Плейбук · приоритет {}", p.priority)}</h4>
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
    let predictions = report.predictions.clone();
    let novel = report.novel_anomalies.clone();
    view! {
        <h3>{format!("Прогнозы ({})", predictions.len())}</h3>
        <table class="links" data-testid="predictions">
            <thead><tr><th>"Сценарий"</th><th>"Тип"</th><th>"Проблема"</th><th>"Аномалия"</th><th>"Время триггера"</th></tr></thead>
            <tbody>
                {predictions.into_iter().map(|p| view! {
                    <tr data-testid="prediction-row">
                        <td>{p.scenario_id}</td>
                        <td>{match p.kind { PredictionKind::ExpectedAnomaly => "ожидается аномалия", PredictionKind::ProblemMayFollow => "возможна проблема" }}</td>
                        <td>{format!("{} · {}", p.problem_id, p.problem)}</td>
                        <td>{format!("{} · {}", p.anomaly_id, p.anomaly)}</td>
                        <td>{p.trigger_time.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3>{format!("Новые аномалии ({})", novel.len())}</h3>
        <table class="links" data-testid="novel">
            <thead><tr><th>"Сценарий"</th><th>"Текст"</th><th>"Раз"</th><th>"Первая строка"</th><th>"Вероятная проблема"</th><th>"Ближайшая аномалия базы"</th></tr></thead>
            <tbody>
                {novel.into_iter().map(|n| view! {
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
