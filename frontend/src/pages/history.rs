//! History of analyses: state, date, model, duration; open, delete, compare two.

use leptos::prelude::*;
use loglens_shared::report::{Comparison, LinkKey};
use loglens_shared::session::{JobState, Snapshot};

use crate::api;
use crate::i18n::Texts;
use crate::locale::use_texts;

/// Seconds between two RFC 3339 times, as the browser parses them.
fn duration(s: &Snapshot, t: &Texts) -> String {
    let (Some(a), Some(b)) = (s.started_at.as_deref(), s.finished_at.as_deref()) else {
        return "—".into();
    };
    let ms = js_sys::Date::parse(b) - js_sys::Date::parse(a);
    if ms.is_finite() {
        (t.seconds_f)(ms / 1000.0)
    } else {
        "—".into()
    }
}

fn keys(list: &[LinkKey]) -> String {
    list.iter()
        .map(|k| format!("{}:{}→{}", k.scenario_id, k.anomaly_id, k.problem_id))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_texts();
    let reload = RwSignal::new(0u32);
    let sessions = LocalResource::new(move || {
        reload.track();
        api::sessions()
    });
    let picked = RwSignal::new(Vec::<String>::new());
    let comparison = RwSignal::new(None::<Result<Comparison, String>>);
    let toggle = move |id: String, on: bool| {
        picked.update(|p| {
            p.retain(|x| *x != id);
            if on {
                p.push(id);
            }
        });
    };
    let compare = move |_| {
        let p = picked.get_untracked();
        if let [a, b] = p.as_slice() {
            let (a, b) = (a.clone(), b.clone());
            leptos::task::spawn_local(async move {
                comparison.set(Some(
                    api::compare(&a, &b)
                        .await
                        .map_err(|e| api::describe(&e, t.get_untracked())),
                ));
            });
        }
    };
    let delete = move |id: String| {
        leptos::task::spawn_local(async move {
            let _ = api::delete(&id).await;
            picked.update(|p| p.retain(|x| *x != id));
            reload.update(|n| *n += 1);
        });
    };
    view! {
        <section class="history">
            <h2>{move || t.get().history_title}</h2>
            {move || { let t = t.get(); match sessions.get() {
                None => view! { <p>{t.loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{api::describe(&e, t)}</p> }.into_any(),
                Some(Ok(list)) if list.sessions.is_empty() => view! { <p>{t.no_sessions}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="links" data-testid="history">
                        <thead><tr><th></th><th>{t.col_archive}</th><th>{t.col_state}</th><th>{t.col_created}</th><th>{t.col_model}</th><th>{t.col_duration}</th><th></th></tr></thead>
                        <tbody>
                            {list.sessions.into_iter().map(|s| {
                                let id = s.session_id.clone();
                                let (id_pick, id_del) = (id.clone(), id.clone());
                                let done = s.state == JobState::Succeeded;
                                view! {
                                    <tr data-testid="history-row">
                                        <td><input type="checkbox" data-testid="pick" disabled=!done
                                            on:change=move |ev| toggle(id_pick.clone(), event_target_checked(&ev))/></td>
                                        <td>{if done {
                                            view! { <a href=format!("/dashboard/{id}") data-testid="open">{s.upload_name.clone()}</a> }.into_any()
                                        } else {
                                            view! { <span>{s.upload_name.clone()}</span> }.into_any()
                                        }}</td>
                                        <td>{t.state(s.state)}</td>
                                        <td>{s.created_at.replace('T', " ").chars().take(19).collect::<String>()}</td>
                                        <td>{s.model.clone()}</td>
                                        <td>{duration(&s, t)}</td>
                                        <td><button class="link" data-testid="delete" on:click=move |_| delete(id_del.clone())>{t.delete}</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}}
            <button class="primary" data-testid="compare" disabled=move || picked.with(|p| p.len() != 2) on:click=compare>
                {move || t.get().compare}
            </button>
            {move || comparison.get().map(|c| { let t = t.get(); match c {
                Err(e) => view! { <p class="error">{e}</p> }.into_any(),
                Ok(c) => view! {
                    <div class="explorer" data-testid="comparison">
                        <p data-testid="compare-both">{(t.compare_both)(c.both.len())}</p>
                        <p>{(t.compare_only_a)(c.only_a.len(), &keys(&c.only_a))}</p>
                        <p>{(t.compare_only_b)(c.only_b.len(), &keys(&c.only_b))}</p>
                    </div>
                }.into_any(),
            }})}
        </section>
    }
}
