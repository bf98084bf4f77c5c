//! Promote to the knowledge base, in the dashboard: a small form under a pattern or a novel
//! anomaly (its text, a problem the analysis knows or a new one) adds it to the analysis's
//! pending changes; the changes panel downloads the new version of the knowledge base or runs
//! the analysis again with it.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use loglens_shared::report::AnalysisReport;

use crate::api;
use crate::locale::use_texts;
use crate::promote::{NEW_PROBLEM, Pending, addition, change_of, known_problems};
use crate::routes;

/// The anomalies waiting to go into the knowledge base, shared by the dashboard's sections.
#[derive(Clone, Copy)]
pub(super) struct Promotions(pub RwSignal<Vec<Pending>>);

pub(super) fn provide() -> Promotions {
    let p = Promotions(RwSignal::new(Vec::new()));
    provide_context(p);
    p
}

fn promotions() -> Promotions {
    use_context::<Promotions>().unwrap_or_else(|| Promotions(RwSignal::new(Vec::new())))
}

/// "Add to the knowledge base" for one anomaly text of scenario `scenario_id`.
#[component]
pub(super) fn PromoteForm(
    report: StoredValue<AnalysisReport>,
    scenario_id: u32,
    text: String,
    /// A problem to offer first (a novel anomaly's likely one).
    #[prop(optional)]
    suggested: Option<u32>,
) -> impl IntoView {
    let t = use_texts();
    let pending = promotions().0;
    let anomaly = RwSignal::new(text);
    let problems = report.with_value(known_problems);
    let first = suggested
        .filter(|s| problems.iter().any(|(id, _)| id == s))
        .or_else(|| problems.first().map(|(id, _)| *id));
    let choice = RwSignal::new(first.map_or_else(|| NEW_PROBLEM.to_owned(), |id| id.to_string()));
    let new_problem = RwSignal::new(String::new());
    let added = RwSignal::new(false);
    let add = move |_| {
        if let Some(a) = addition(
            &anomaly.get_untracked(),
            &choice.get_untracked(),
            &new_problem.get_untracked(),
        ) {
            pending.update(|p| {
                p.push(Pending {
                    scenario_id,
                    addition: a,
                })
            });
            added.set(true);
        }
    };
    view! {
        <details class="promote" data-testid="promote">
            <summary>{move || if added.get() { t.get().promote_added } else { t.get().promote }}</summary>
            <div class="promote-form">
                <label>{move || t.get().promote_anomaly}" "
                    <input type="text" data-testid="promote-anomaly" prop:value=move || anomaly.get()
                        on:input=move |ev| anomaly.set(event_target_value(&ev))/>
                </label>
                <label>{move || t.get().promote_problem}" "
                    <select data-testid="promote-problem" on:change=move |ev| choice.set(event_target_value(&ev))>
                        {problems.into_iter().map(|(id, text)| {
                            let value = id.to_string();
                            let selected = first == Some(id);
                            view! { <option value=value selected=selected>{format!("{id} · {text}")}</option> }
                        }).collect_view()}
                        <option value=NEW_PROBLEM selected=first.is_none()>{move || t.get().promote_new_problem}</option>
                    </select>
                </label>
                <Show when=move || choice.get() == NEW_PROBLEM>
                    <label>{move || t.get().promote_new_problem_text}" "
                        <input type="text" data-testid="promote-new-problem" prop:value=move || new_problem.get()
                            on:input=move |ev| new_problem.set(event_target_value(&ev))/>
                    </label>
                </Show>
                <button class="secondary small" data-testid="promote-add" on:click=add>{move || t.get().promote_add}</button>
            </div>
        </details>
    }
}

/// The pending anomalies, the new version's download and the re-run with it.
#[component]
pub(super) fn KbChanges(id: String) -> impl IntoView {
    let t = use_texts();
    let pending = promotions().0;
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let download = {
        let id = id.clone();
        move |_| {
            let Some(change) = change_of(&pending.get_untracked()) else {
                return;
            };
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::download_kb(&id, &change).await {
                    Ok(()) => error.set(None),
                    Err(e) => error.set(Some(api::describe(&e, t.get_untracked()))),
                }
            });
        }
    };
    let rerun = move |_| {
        let Some(change) = change_of(&pending.get_untracked()) else {
            return;
        };
        let (id, navigate) = (id.clone(), navigate.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::rerun_with_kb(&id, change).await {
                Ok(new_id) => navigate(&routes::watch(&new_id), Default::default()),
                Err(e) => {
                    error.set(Some(api::describe(&e, t.get_untracked())));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <Show when=move || !pending.with(Vec::is_empty)>
            <aside class="panel kb-changes" data-testid="kb-changes" aria-live="polite">
                <h3>{move || (t.get().kb_changes_title)(pending.with(Vec::len))}</h3>
                <ul>
                    {move || pending.get().into_iter().enumerate().map(|(i, p)| {
                        let problem = p.addition.problem_id.map_or_else(
                            || p.addition.problem.clone().unwrap_or_default(),
                            |id| id.to_string(),
                        );
                        view! {
                            <li data-testid="kb-change">
                                {format!("{} → {problem}", p.addition.anomaly)}" "
                                <button class="link" data-testid="kb-change-remove"
                                    on:click=move |_| pending.update(|v| { if i < v.len() { v.remove(i); } })>
                                    {move || t.get().kb_change_remove}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <div class="actions">
                    <button class="secondary" data-testid="kb-download" on:click=download.clone()>{move || t.get().kb_download}</button>
                    <button class="primary" data-testid="kb-rerun" disabled=move || busy.get() on:click=rerun.clone()>{move || t.get().kb_rerun}</button>
                </div>
                {move || error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </aside>
        </Show>
    }
}
