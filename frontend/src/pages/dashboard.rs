//! Dashboard of one analysis (reload-safe: everything comes from `/api/sessions/{id}/result`),
//! with the completion toast when arriving from a finished upload.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use loglens_shared::report::{AnalysisReport, Method};

use crate::api;

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
        <h3>"Отчёты"</h3>
        <p class="downloads">
            <a data-testid="download-zip" href=api::url(&format!("/api/sessions/{id}/download"))>"Все отчёты (zip)"</a>
            " · "<a href=api::url(&format!("/api/sessions/{id}/reports/submit_report.xlsx"))>"submit_report.xlsx"</a>
            " · "<a href=api::url(&format!("/api/sessions/{id}/export/pdf"))>"PDF"</a>
            " · "<a href=api::url(&format!("/api/sessions/{id}/export/xml"))>"XML"</a>
            " · "<a href=api::url(&format!("/api/sessions/{id}/export/json"))>"JSON"</a>
        </p>
    }
}
