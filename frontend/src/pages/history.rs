//! History of analyses: state (with warnings), local date, model, duration, what a finished
//! run found (incidents, links, knowledge base); open, delete (after a confirmation naming the
//! analysis), compare two.

use leptos::html;
use leptos::prelude::*;
use loglens_shared::session::{JobState, Snapshot};

use crate::api;
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::routes;
use crate::timeline;

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

/// An RFC 3339 instant in the browser's local time, as people read it.
pub fn local_time(rfc3339: &str, t: &Texts) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    timeline::clock(
        (d.get_full_year() as i32, d.get_month() + 1, d.get_date()),
        (d.get_hours(), d.get_minutes(), d.get_seconds()),
        &t.months,
    )
}

/// What a finished run found ("12 incidents · 30 links · KB: name"); nothing for a run not
/// finished or recorded before the figures were kept. The dots are not read aloud.
fn found(s: &Snapshot, t: &Texts) -> impl IntoView + use<> {
    t.found(s)
        .into_iter()
        .enumerate()
        .map(|(i, (testid, text))| {
            view! {
                {(i > 0).then(|| view! { <span aria-hidden="true">" · "</span> })}
                <span data-testid=testid>{text}</span>
            }
        })
        .collect_view()
}

/// Analyses a history page shows.
const HISTORY_PAGE: usize = 25;

/// The analysis a delete is waiting to be confirmed for.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    id: String,
    name: String,
    created: String,
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_texts();
    let reload = RwSignal::new(0u32);
    let lang = crate::locale::use_lang();
    // Filter and page: the server filters, counts and pages.
    let state_filter = RwSignal::new(None::<JobState>);
    let words = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    Effect::new(move |_| {
        state_filter.track();
        words.track();
        page.set(0);
    });
    let sessions = LocalResource::new(move || {
        reload.track();
        let (state, words, page) = (state_filter.get(), words.get(), page.get());
        async move { api::sessions(state, &words, HISTORY_PAGE, page * HISTORY_PAGE).await }
    });
    let total = Signal::derive(move || {
        sessions
            .get()
            .and_then(Result::ok)
            .map_or(0, |l| l.total as usize)
    });
    let picked = RwSignal::new(Vec::<String>::new());
    let pending = RwSignal::new(None::<Pending>);
    let dialog: NodeRef<html::Dialog> = NodeRef::new();
    let toggle = move |id: String, on: bool| {
        picked.update(|p| {
            p.retain(|x| *x != id);
            if on {
                p.push(id);
            }
        });
    };
    let navigate = leptos_router::hooks::use_navigate();
    // The comparison has its own address (a link to share, Back returns here).
    let compare = move |_| {
        if let [a, b] = picked.get_untracked().as_slice() {
            navigate(&routes::compare(a, b), Default::default());
        }
    };
    let ask = move |p: Pending| {
        pending.set(Some(p));
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let confirm = move |_| {
        let p = pending.get_untracked();
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        let Some(p) = p else {
            return;
        };
        pending.set(None);
        leptos::task::spawn_local(async move {
            let _ = api::delete(&p.id).await;
            picked.update(|x| x.retain(|i| *i != p.id));
            reload.update(|n| *n += 1);
        });
    };
    // Pause or resume from the list; the list is read again to show the new state.
    let switch = move |id: String, what: api::PauseResume| {
        leptos::task::spawn_local(async move {
            let _ = api::pause_or_resume(&id, what).await;
            reload.update(|n| *n += 1);
        });
    };
    let keep = move |_| {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        pending.set(None);
    };
    view! {
        <section class="history">
            <h2>{move || t.get().history_title}</h2>
            <div class="filters" data-testid="history-filters">
                <label>{move || t.get().filter_words}" "
                    <input type="search" data-testid="history-words" prop:value=move || words.get()
                        on:input=move |ev| words.set(event_target_value(&ev))/>
                </label>
                <label>{move || t.get().col_state}" "
                    <select data-testid="history-state" on:change=move |ev| {
                        state_filter.set(JobState::parse(&event_target_value(&ev)));
                    }>
                        <option value="">{move || t.get().filter_all_levels}</option>
                        {JobState::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str()>{move || t.get().state(s)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || { let t = t.get(); match sessions.get() {
                None => view! { <p>{t.loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{api::describe(&e, t)}</p> }.into_any(),
                Some(Ok(list)) if list.sessions.is_empty() => {
                    let filtered = state_filter.get_untracked().is_some() || !words.get_untracked().trim().is_empty();
                    view! { <p data-testid="history-empty">{if filtered { t.history_no_match } else { t.no_sessions }}</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <table class="links" data-testid="history">
                        <thead><tr><th></th><th>{t.col_archive}</th><th>{t.col_state}</th><th>{t.col_created}</th><th>{t.col_model}</th><th>{t.col_duration}</th><th>{t.col_found}</th><th></th><th></th></tr></thead>
                        <tbody>
                            {list.sessions.into_iter().map(|s| {
                                let id = s.session_id.clone();
                                let id_pick = id.clone();
                                let done = s.state == JobState::Succeeded;
                                let id_switch = id.clone();
                                let switch_to = match s.state {
                                    JobState::Queued | JobState::Running => Some((api::PauseResume::Pause, t.pause)),
                                    JobState::Paused => Some((api::PauseResume::Resume, t.resume)),
                                    _ => None,
                                };
                                let created = local_time(&s.created_at, t);
                                let pending_delete = Pending {
                                    id: id.clone(),
                                    name: s.upload_name.clone(),
                                    created: created.clone(),
                                };
                                let state = if done && s.notices > 0 {
                                    format!("{}, {}", t.state(s.state), (t.with_warnings)(s.notices))
                                } else {
                                    t.state(s.state).to_owned()
                                };
                                view! {
                                    <tr data-testid="history-row">
                                        <td><input type="checkbox" data-testid="pick" disabled=!done
                                            aria-label=s.upload_name.clone()
                                            on:change=move |ev| toggle(id_pick.clone(), event_target_checked(&ev))/></td>
                                        <td>{if done {
                                            view! { <a href=routes::dashboard(&id) data-testid="open">{s.upload_name.clone()}</a> }.into_any()
                                        } else {
                                            view! { <span>{s.upload_name.clone()}</span> }.into_any()
                                        }}</td>
                                        <td data-testid="state">{state}
                                            {(!done && s.state.is_terminal()).then(|| view! {
                                                <br/><small class="muted" data-testid="reason">{lang.get_untracked().pick(&s.text).to_owned()}</small>
                                            })}
                                        </td>
                                        <td><time title=s.created_at.clone()>{created}</time></td>
                                        <td>{s.model.as_str()}</td>
                                        <td>{duration(&s, t)}</td>
                                        <td data-testid="found">{found(&s, t)}</td>
                                        <td>{switch_to.map(|(what, label)| view! {
                                            <button class="link" data-testid="pause-resume"
                                                aria-label=format!("{label}: {}", s.upload_name)
                                                on:click=move |_| switch(id_switch.clone(), what)>{label}</button>
                                        })}</td>
                                        <td><button class="link" data-testid="delete"
                                            aria-label=(t.delete_named)(&s.upload_name)
                                            on:click=move |_| ask(pending_delete.clone())>{t.delete}</button></td>
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
            <crate::components::pager::Pager page len=total per_page=HISTORY_PAGE testid="history-pager"/>
            <p class="muted" data-testid="compare-hint">{move || t.get().compare_hint}</p>
        </section>
        // The browser's modal dialog: focus stays inside it, Esc cancels.
        <dialog node_ref=dialog class="confirm" data-testid="confirm-delete" aria-labelledby="confirm-title"
            on:close=move |_| pending.set(None)>
            <h3 id="confirm-title">{move || t.get().delete_title}</h3>
            <p data-testid="confirm-text">{move || pending.get().map(|p| (t.get().delete_body)(&p.name, &p.created))}</p>
            <div class="actions">
                <button class="danger" data-testid="confirm-yes" on:click=confirm>{move || t.get().delete_confirm}</button>
                <button class="secondary" data-testid="confirm-no" autofocus on:click=keep>{move || t.get().delete_keep}</button>
            </div>
        </dialog>
    }
}
