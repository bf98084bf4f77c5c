//! Upload page: what to upload, the model, the archive (click, keyboard or drag-and-drop) with
//! an optional knowledge base, playbooks, log formats and glossary, the start button; then the processing overlay
//! through its three phases (upload, queue, analysis) until the dashboard opens.
//!
//! The session being watched is kept in the address (`/?watch=<id>`), so a reload during the
//! analysis finds its overlay again; `/?watch=<id>` is also where a re-run from the dashboard
//! lands.

use crate::watch::{Outcome, SessionView};
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use loglens_shared::Stage;
use loglens_shared::session::JobState;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, ApiError, PauseResume, Upload, UploadAbort};
use crate::components::file_picker::FilePicker;
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::routes;
use crate::watcher::{self, Transport};
use loglens_shared::ModelKind;

/// Why `file` cannot be analysed, checked before anything is sent (the server checks again).
fn zip_error(file: &web_sys::File, t: &Texts) -> Option<String> {
    let name = file.name();
    if !loglens_shared::api::is_upload_name(&name) {
        return Some((t.not_a_zip)(&name));
    }
    if file.size() == 0.0 {
        return Some((t.empty_file)(&name));
    }
    None
}

/// Bytes on their way to the server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sending {
    pub sent: f64,
    pub total: f64,
    /// `Date.now()` when the upload began.
    pub since: f64,
    /// Bytes the server held already: an interrupted upload of this file goes on from there.
    pub resumed_from: Option<f64>,
}

/// While an upload runs, leaving or reloading the page asks first (the browser's own dialog).
struct LeaveGuard(Closure<dyn FnMut(web_sys::BeforeUnloadEvent)>);

impl LeaveGuard {
    fn arm() -> Option<LeaveGuard> {
        let window = web_sys::window()?;
        let c = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
            |e: web_sys::BeforeUnloadEvent| {
                e.prevent_default();
                e.set_return_value("");
            },
        );
        window
            .add_event_listener_with_callback("beforeunload", c.as_ref().unchecked_ref())
            .ok()?;
        Some(LeaveGuard(c))
    }
}

impl Drop for LeaveGuard {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "beforeunload",
                self.0.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Puts (or removes) `?watch=<id>` in the address without a navigation.
fn remember_watch(id: Option<&str>) {
    if let Some(w) = web_sys::window()
        && let Ok(history) = w.history()
    {
        let url = id.map_or_else(|| routes::HOME.to_owned(), routes::watch);
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let t = use_texts();
    let lang = crate::locale::use_lang();
    let query = use_query_map();
    let model = RwSignal::new(ModelKind::default());
    let file = RwSignal::new_local(None::<web_sys::File>);
    let kb = RwSignal::new_local(None::<web_sys::File>);
    let playbooks = RwSignal::new_local(None::<web_sys::File>);
    let formats = RwSignal::new_local(None::<web_sys::File>);
    let glossary = RwSignal::new_local(None::<web_sys::File>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let session = RwSignal::new(None::<String>);
    let sending = RwSignal::new(None::<Sending>);
    let view_state = RwSignal::new(SessionView::default());
    let transport = RwSignal::new(Transport::Connecting);
    let started_at = RwSignal::new(0.0f64);
    let aborter = StoredValue::new_local(None::<UploadAbort>);
    let leave_guard = StoredValue::new_local(None::<LeaveGuard>);
    let input: NodeRef<html::Input> = NodeRef::new();
    let navigate = use_navigate();

    // Follows a queued session to its end: the dashboard on success, the reason otherwise.
    let follow = {
        let navigate = navigate.clone();
        move |id: String| {
            let navigate = navigate.clone();
            session.set(Some(id.clone()));
            remember_watch(Some(&id));
            let target = id.clone();
            watcher::watch(id, view_state, transport, move |outcome| {
                let t = t.get_untracked();
                match outcome {
                    Outcome::Succeeded => navigate(
                        &routes::dashboard_after_analysis(&target),
                        Default::default(),
                    ),
                    Outcome::Failed(msg) => {
                        // The server's message already says what failed, and why.
                        error.set(Some(lang.get_untracked().pick(&msg).to_owned()));
                        session.set(None);
                        busy.set(false);
                        remember_watch(None);
                    }
                    Outcome::Cancelled => {
                        error.set(Some(t.analysis_cancelled.into()));
                        session.set(None);
                        busy.set(false);
                        remember_watch(None);
                    }
                }
            });
        }
    };
    // A session named in the address (a reload, or a re-run from the dashboard).
    if let Some(id) = query
        .with_untracked(|q| q.get("watch"))
        .filter(|id| !id.is_empty())
    {
        busy.set(true);
        started_at.set(js_sys::Date::now());
        follow(id);
    }

    let choose = move |f: Option<web_sys::File>| {
        error.set(None);
        notice.set(None);
        match f {
            Some(f) => {
                if let Some(e) = zip_error(&f, t.get_untracked()) {
                    error.set(Some(e));
                    file.set(None);
                } else {
                    file.set(Some(f));
                }
            }
            None => {
                file.set(None);
                if let Some(i) = input.get_untracked() {
                    i.set_value("");
                }
            }
        }
    };
    let on_change = move |_| {
        let f = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|l| l.get(0));
        choose(f);
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let f = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0));
        choose(f);
    };
    let open_picker = move || {
        if let Some(i) = input.get_untracked() {
            i.click();
        }
    };
    let start = {
        let follow = follow.clone();
        move |_| {
            let Some(f) = file.get_untracked() else {
                return;
            };
            busy.set(true);
            error.set(None);
            notice.set(None);
            let now = js_sys::Date::now();
            started_at.set(now);
            sending.set(Some(Sending {
                sent: 0.0,
                total: f.size(),
                since: now,
                resumed_from: None,
            }));
            view_state.set(SessionView {
                upload_bytes: f.size() as u64,
                ..SessionView::default()
            });
            let progress = move |sent: f64, total: f64| {
                let _ = sending.try_update(|s| {
                    if let Some(s) = s {
                        (s.sent, s.total) = (sent, total);
                    }
                });
            };
            let resumed = move |offset: f64, total: f64| {
                let _ = sending.try_update(|s| {
                    if let Some(s) = s {
                        (s.sent, s.total, s.resumed_from) = (offset, total, Some(offset));
                        s.since = js_sys::Date::now();
                    }
                });
            };
            let upload = match Upload::start(
                &f,
                model.get_untracked(),
                api::Extras {
                    kb: kb.get_untracked(),
                    playbooks: playbooks.get_untracked(),
                    formats: formats.get_untracked(),
                    glossary: glossary.get_untracked(),
                },
                progress,
                resumed,
            ) {
                Ok(u) => u,
                Err(e) => {
                    error.set(Some(api::describe(&e, t.get_untracked())));
                    sending.set(None);
                    busy.set(false);
                    return;
                }
            };
            aborter.set_value(Some(upload.aborter()));
            leave_guard.set_value(LeaveGuard::arm());
            let follow = follow.clone();
            leptos::task::spawn_local(async move {
                let result = upload.finish().await;
                let _ = leave_guard.try_set_value(None);
                let _ = aborter.try_set_value(None);
                // The upload was cancelled from the overlay: say so, quietly.
                let cancelled = sending.try_get_untracked().flatten().is_none();
                let _ = sending.try_set(None);
                match result {
                    Ok(id) => follow(id),
                    Err(ApiError::Interrupted) if cancelled => {
                        notice.set(Some(t.get_untracked().upload_cancelled.into()));
                        busy.set(false);
                    }
                    Err(e) => {
                        error.set(Some(api::describe(&e, t.get_untracked())));
                        busy.set(false);
                    }
                }
            });
        }
    };
    // Cancel: an upload in flight is aborted (the server keeps nothing); a queued or running
    // analysis is asked to stop.
    let cancel = Callback::new(move |()| {
        if sending.get_untracked().is_some() {
            sending.set(None);
            if let Some(a) = aborter.get_value() {
                a.abort();
            }
        } else if let Some(id) = session.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = api::cancel(&id).await;
            });
        }
    });

    view! {
        <section class="upload">
            <h2>{move || t.get().upload_title}</h2>
            <fieldset class="models">
                <label>
                    <input type="radio" name="model" value=ModelKind::Light.as_str() checked=move || model.get() == ModelKind::Light
                        on:change=move |_| model.set(ModelKind::Light)/>
                    <b>"Light"</b>{move || t.get().model_light_hint}
                </label>
                <label>
                    <input type="radio" name="model" value=ModelKind::Heavy.as_str() checked=move || model.get() == ModelKind::Heavy
                        on:change=move |_| model.set(ModelKind::Heavy)/>
                    <b>"Heavy"</b>{move || t.get().model_heavy_hint}
                </label>
            </fieldset>
            // The input sits outside the drop zone: a click on it must not bubble back into
            // the zone's own click handler (which would open the picker again, recursively).
            <input type="file" accept=".zip,.tar,.tar.gz,.tgz,.gz,.log,.txt" node_ref=input data-testid="file-input" hidden tabindex="-1" on:change=on_change/>
            <div class="dropzone" class:dragging=move || dragging.get() data-testid="dropzone"
                role="button" tabindex="0"
                // The visible text is part of the name: the chosen file, then what a press does.
                aria-label=move || {
                    let t = t.get();
                    file.get().map_or_else(
                        || t.drop_hint.to_owned(),
                        |f| format!("{} · {}. {}", f.name(), t.bytes(f.size() as u64), t.drop_hint),
                    )
                }
                on:click=move |_| open_picker()
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    // A keyboard user opens the file picker as a click would.
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        open_picker();
                    }
                }
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                {move || match file.get() {
                    Some(f) => view! {
                        <p class="chosen" data-testid="chosen-file">{f.name()}" · "{t.get().bytes(f.size() as u64)}</p>
                    }.into_any(),
                    None => view! { <p>{t.get().drop_hint}</p> }.into_any(),
                }}
            </div>
            <details class="extras">
                <summary>{move || t.get().extras}</summary>
                <FilePicker label=Signal::derive(move || t.get().kb_file) accept=".csv,.xlsx,.xls" testid="kb-input" file=kb/>
                <FilePicker label=Signal::derive(move || t.get().playbooks_file) accept=".toml,.json" testid="playbooks-input" file=playbooks/>
                <FilePicker label=Signal::derive(move || t.get().formats_file) accept=".toml" testid="formats-input" file=formats/>
                <FilePicker label=Signal::derive(move || t.get().glossary_file) accept=".csv,.txt" testid="glossary-input" file=glossary/>
            </details>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="upload-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || notice.get().is_some()>
                <p class="muted" role="status" data-testid="upload-notice">{move || notice.get().unwrap_or_default()}</p>
            </Show>
            <div class="actions">
                <button class="primary" data-testid="start" disabled=move || file.get().is_none() || busy.get() on:click=start>
                    {move || t.get().start}
                </button>
                <Show when=move || file.get().is_some()>
                    <button class="link" data-testid="remove-file" on:click=move |_| choose(None)>{move || t.get().remove_file}</button>
                </Show>
            </div>
        </section>
        <Help/>
        <Show when=move || session.get().is_some() || sending.get().is_some()>
            <Overlay view_state transport started_at session sending cancel/>
        </Show>
    }
}

/// What goes in the archive and beside it, with the built-in files as templates.
#[component]
fn Help() -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="help" data-testid="help">
            <h3>{move || t.get().help_title}</h3>
            <p>{move || t.get().help_zip}</p>
            <p>{move || t.get().help_kb}" "
                <a href=api::template_url("anomalies_problems.csv") download="anomalies_problems.csv" rel="external"
                    data-testid="template-kb">{move || t.get().template_kb}</a>
            </p>
            <p>{move || t.get().help_playbooks}" "
                <a href=api::template_url("playbooks.toml") download="playbooks.toml" rel="external"
                    data-testid="template-playbooks">{move || t.get().template_playbooks}</a>
            </p>
            <p>{move || t.get().help_formats}" "
                <a href=api::template_url("formats.toml") download="formats.toml" rel="external"
                    data-testid="template-formats">{move || t.get().template_formats}</a>
            </p>
            <p>{move || t.get().help_glossary}" "
                <a href=api::template_url("glossary.csv") download="glossary.csv" rel="external"
                    data-testid="template-glossary">{move || t.get().template_glossary}</a>
            </p>
        </section>
    }
}

/// Which of the three phases the overlay shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uploading,
    Queued,
    Processing,
}

impl Phase {
    const ALL: [Phase; 3] = [Phase::Uploading, Phase::Queued, Phase::Processing];

    /// Whether this phase comes after `other` (so `other` is done).
    fn after(self, other: Phase) -> bool {
        self as u8 > other as u8
    }

    fn label(self, t: &Texts) -> &'static str {
        match self {
            Phase::Uploading => t.phase_uploading,
            Phase::Queued => t.phase_queued,
            Phase::Processing => t.phase_processing,
        }
    }
}

/// How often a queued session's place in the queue is asked for.
const QUEUE_POLL_MS: u64 = 2_000;

#[component]
fn Overlay(
    view_state: RwSignal<SessionView>,
    transport: RwSignal<Transport>,
    started_at: RwSignal<f64>,
    session: RwSignal<Option<String>>,
    sending: RwSignal<Option<Sending>>,
    cancel: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let lang = crate::locale::use_lang();
    let now = RwSignal::new(js_sys::Date::now());
    // From the snapshot the watcher got, then refreshed by asking.
    let queue_place = RwSignal::new(None::<u32>);
    Effect::new(move |_| {
        if let Some(p) = view_state.with(|v| v.queue_position) {
            queue_place.set(Some(p));
        }
    });
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(500),
    )
    .ok();
    let phase = Memo::new(move |_| {
        if sending.with(Option::is_some) {
            Phase::Uploading
        } else if view_state.with(|v| v.stage.is_none() && !v.is_finished()) {
            Phase::Queued
        } else {
            Phase::Processing
        }
    });
    // The socket says when a queued job starts, not how the queue moves: ask now and then.
    let poll = set_interval_with_handle(
        move || {
            if phase.get_untracked() != Phase::Queued {
                return;
            }
            if let Some(id) = session.get_untracked() {
                leptos::task::spawn_local(async move {
                    if let Ok(s) = api::snapshot(&id).await {
                        let _ = queue_place.try_set(s.queue_position);
                    }
                });
            }
        },
        std::time::Duration::from_millis(QUEUE_POLL_MS),
    )
    .ok();
    on_cleanup(move || {
        for h in [tick, poll].into_iter().flatten() {
            h.clear();
        }
    });
    let percent = move || match phase.get() {
        Phase::Uploading => sending.with(|s| {
            s.map_or(0, |s| {
                if s.total > 0.0 {
                    (s.sent / s.total * 100.0).floor() as u8
                } else {
                    0
                }
            })
        }),
        Phase::Queued => 0,
        Phase::Processing => view_state.with(|v| v.progress),
    };
    let paused = move || view_state.with(|v| v.state == Some(JobState::Paused));
    let pause_error = RwSignal::new(None::<String>);
    let pause_or_resume = move |what: PauseResume| {
        let Some(id) = session.get_untracked() else {
            return;
        };
        pause_error.set(None);
        leptos::task::spawn_local(async move {
            match api::pause_or_resume(&id, what).await {
                // The event comes over the socket too; the answer shows it at once.
                Ok(s) => view_state.update(|v| {
                    v.apply_snapshot(&s);
                }),
                Err(e) => {
                    let _ = pause_error.try_set(Some(api::describe(&e, t.get_untracked())));
                }
            }
        });
    };
    let upload_line = move || {
        let t = t.get();
        let s = sending.get()?;
        let secs = ((now.get() - s.since) / 1000.0).max(0.001);
        // Only this page's bytes make its speed: a resumed upload began at its offset.
        let speed = (s.sent - s.resumed_from.unwrap_or(0.0)).max(0.0) / secs;
        let eta = if speed > 0.0 {
            (t.seconds)(((s.total - s.sent) / speed).ceil().max(0.0) as u64)
        } else {
            "—".into()
        };
        let line = (t.upload_speed)(
            &(t.x_of_y)(&t.bytes(s.sent as u64), &t.bytes(s.total as u64)),
            &(t.per_second)(&t.bytes(speed as u64)),
            &eta,
        );
        Some(match s.resumed_from {
            Some(from) if s.total > 0.0 => format!(
                "{} · {line}",
                (t.upload_resumed)((from / s.total * 100.0).floor() as u64)
            ),
            _ => line,
        })
    };
    view! {
        <div class="overlay" data-testid="overlay" role="dialog" aria-modal="true" aria-labelledby="overlay-title">
            <div class="overlay-card">
                <div class="spinner" class:stopped=paused aria-hidden="true"></div>
                <h2 id="overlay-title">{move || t.get().overlay_title}</h2>
                <ol class="phases" data-testid="phases">
                    {Phase::ALL.into_iter().map(|p| view! {
                        <li class:current=move || phase.get() == p
                            class:done=move || phase.get().after(p)
                            aria-current=move || (phase.get() == p).then_some("step")
                            data-testid=format!("phase-{p:?}").to_lowercase()>
                            {move || p.label(t.get())}
                        </li>
                    }).collect_view()}
                </ol>
                <p class="percent" data-testid="overlay-percent">
                    {move || if phase.get() == Phase::Queued { "…".to_owned() } else { format!("{}%", percent()) }}
                </p>
                <div class="bar" class:indeterminate=move || phase.get() == Phase::Queued>
                    <div class="bar-fill" style:width=move || format!("{}%", percent())></div>
                </div>
                {move || match phase.get() {
                    Phase::Uploading => view! {
                        <p class="stage" data-testid="overlay-stage">{t.get().phase_uploading}</p>
                        <p class="detail" data-testid="upload-progress">{upload_line()}</p>
                    }.into_any(),
                    Phase::Queued => view! {
                        <p class="stage" data-testid="overlay-stage">{t.get().phase_queued}</p>
                        <p class="detail" data-testid="queue-place">
                            {move || queue_place.get().map_or_else(|| t.get().queue_waiting.to_owned(), |n| (t.get().queue_place)(n))}
                        </p>
                    }.into_any(),
                    Phase::Processing => view! {
                        <p class="stage" data-testid="overlay-stage">
                            {move || {
                                let (t, lang) = (t.get(), lang.get());
                                view_state.with(|v| v.stage).map_or_else(String::new, |s: Stage| (t.stage_of)(s.number(), lang.stage(s)))
                            }}
                        </p>
                        <p class="detail" data-testid="overlay-message">{move || { let l = lang.get(); view_state.with(|v| l.pick(&v.message).to_owned()) }}</p>
                        <Facts view_state now started_at/>
                    }.into_any(),
                }}
                <Show when=move || transport.get() == Transport::Polling>
                    <p class="transport" data-testid="transport">{move || { let t = t.get(); (t.transport)(transport.get().label(t)) }}</p>
                </Show>
                <Show when=paused>
                    <p class="paused" role="status" data-testid="paused-note">{move || t.get().paused_note}</p>
                </Show>
                {move || pause_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <div class="overlay-actions">
                    <Show when=move || phase.get() != Phase::Uploading>
                        <button class="secondary" data-testid="pause-resume"
                            on:click=move |_| pause_or_resume(if paused() { PauseResume::Resume } else { PauseResume::Pause })>
                            {move || if paused() { t.get().resume } else { t.get().pause }}
                        </button>
                    </Show>
                    <button class="secondary" data-testid="cancel" on:click=move |_| cancel.run(())>{move || t.get().cancel}</button>
                </div>
            </div>
        </div>
    }
}

/// Size, speed and time left while the logs are read; only the facts that are known.
#[component]
fn Facts(
    view_state: RwSignal<SessionView>,
    now: RwSignal<f64>,
    started_at: RwSignal<f64>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <dl class="facts" data-testid="facts">
            <Show when=move || view_state.with(|v| v.throughput.bytes_total > 0)>
                <dt>{move || t.get().fact_read}</dt>
                <dd>{move || { let t = t.get(); view_state.with(|v| (t.x_of_y)(&t.bytes(v.throughput.bytes_done), &t.bytes(v.throughput.bytes_total))) }}</dd>
            </Show>
            <Show when=move || view_state.with(|v| v.throughput.speed_bytes_per_sec.is_some())>
                <dt>{move || t.get().fact_speed}</dt>
                <dd>{move || { let t = t.get(); view_state.with(|v| v.throughput.speed_bytes_per_sec.map_or_else(String::new, |s| (t.per_second)(&t.bytes(s as u64)))) }}</dd>
            </Show>
            <Show when=move || view_state.with(|v| v.throughput.eta_seconds.is_some())>
                <dt>{move || t.get().fact_eta}</dt>
                <dd>{move || { let t = t.get(); view_state.with(|v| v.throughput.eta_seconds.map_or_else(String::new, t.seconds)) }}</dd>
            </Show>
            <dt>{move || t.get().fact_elapsed}</dt>
            <dd>{move || (t.get().seconds)(((now.get() - started_at.get()) / 1000.0).max(0.0) as u64)}</dd>
        </dl>
    }
}
