//! The incident explorer: a side panel with the root-cause line in its context, the linked
//! anomalies, the incident's own timeline and its playbook.

use leptos::prelude::*;
use loglens_shared::IncidentKey;
use loglens_shared::report::{AnalysisReport, ContextLine, LogRef};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::log_time;
use super::selection::{Selection, focus};
use crate::charts::{self, Layout};
use crate::components::echart::{EChart, TIME_CHART_EXTRA};
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::viewport::use_layout;

/// The explorer as a side panel over the page: it opens where the user looks, whatever they
/// clicked (a row far down, a point on the timeline), takes keyboard focus, closes with Esc or
/// its close button, and gives focus back to the incident's row.
#[component]
pub(super) fn Explorer(report: StoredValue<AnalysisReport>, selection: Selection) -> impl IntoView {
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
pub(super) fn context_view(r: &LogRef) -> impl IntoView + use<> {
    context_lines(r.line, &r.context)
}

/// `context` (real lines), the line numbered `own` highlighted.
pub(super) fn context_lines(own: u64, context: &[ContextLine]) -> impl IntoView + use<> {
    view! {
        <pre class="context" data-testid="context">
            {context.iter().map(|c| {
                let mark = c.line == own;
                view! { <span class:own=mark data-own=mark.to_string()>{format!("{:>7}  {}\n", c.line, c.text)}</span> }
            }).collect_view()}
        </pre>
    }
}

pub(super) fn explorer(
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
            let reset_zoom = RwSignal::new(0u32);
            view! {
                <button class="link zoom-reset" data-testid="explorer-reset-zoom" on:click=move |_| reset_zoom.update(|n| *n += 1)>
                    {t.reset_zoom}
                </button>
                <EChart option=c.chart label=t.explorer_timeline.to_string()
                    testid="chart-explorer" height=charts::rows_height(rows) reset_zoom extra=TIME_CHART_EXTRA/>
            }
        })}
        {playbook.map(|p| {
            // The playbook's Russian text in the Russian interface, when it has one.
            let (summary, steps) = p.text(t.is_russian());
            let (summary, steps) = (summary.to_owned(), steps.to_vec());
            view! {
                <h4>{(t.playbook_priority)(t.priority(p.priority))}</h4>
                <p data-testid="playbook-summary">{summary}</p>
                <ol data-testid="playbook-steps">
                    {steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ol>
            }
        })}
    }.into_any())
}
