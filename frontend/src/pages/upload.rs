//! Upload page: model choice, a drop zone (click or drag-and-drop), the start button, and the
//! processing overlay while the analysis runs.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use loglens_shared::Stage;
use loglens_shared::watch::{Outcome, SessionView};

use crate::api;
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::watcher::{self, Transport};

/// Why `file` cannot be analysed, checked before anything is sent (the server checks again).
fn zip_error(file: &web_sys::File, t: &Texts) -> Option<String> {
    let name = file.name();
    if !name.to_lowercase().ends_with(".zip") {
        return Some((t.not_a_zip)(&name));
    }
    if file.size() == 0.0 {
        return Some((t.empty_file)(&name));
    }
    None
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let t = use_texts();
    let lang = crate::locale::use_lang();
    let model = RwSignal::new("light".to_string());
    let file = RwSignal::new_local(None::<web_sys::File>);
    let error = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let session = RwSignal::new(None::<String>);
    // (sent, total) bytes while the archive is on its way to the server.
    let uploading = RwSignal::new(None::<(f64, f64)>);
    let view_state = RwSignal::new(SessionView::default());
    let transport = RwSignal::new(Transport::Connecting);
    let started_at = RwSignal::new(0.0f64);
    let input: NodeRef<html::Input> = NodeRef::new();
    let kb_input: NodeRef<html::Input> = NodeRef::new();
    let playbooks_input: NodeRef<html::Input> = NodeRef::new();
    let picked = |r: NodeRef<html::Input>| {
        r.get_untracked()
            .and_then(|i| i.files())
            .and_then(|l| l.get(0))
    };
    let navigate = use_navigate();

    let choose = move |f: Option<web_sys::File>| {
        error.set(None);
        match f {
            Some(f) => {
                if let Some(e) = zip_error(&f, t.get_untracked()) {
                    error.set(Some(e));
                    file.set(None);
                } else {
                    file.set(Some(f));
                }
            }
            None => file.set(None),
        }
    };
    let on_change = move |_| {
        let f = input.get().and_then(|i| i.files()).and_then(|l| l.get(0));
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
    let start = move |_| {
        let Some(f) = file.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        let m = model.get_untracked();
        let (kb, playbooks) = (picked(kb_input), picked(playbooks_input));
        let navigate = navigate.clone();
        uploading.set(Some((0.0, f.size())));
        started_at.set(js_sys::Date::now());
        leptos::task::spawn_local(async move {
            let progress = move |sent: f64, total: f64| {
                let _ = uploading.try_set(Some((sent, total)));
            };
            let result = api::upload(&f, &m, kb.as_ref(), playbooks.as_ref(), progress).await;
            let _ = uploading.try_set(None);
            match result {
                Ok(id) => {
                    let t = t.get_untracked();
                    view_state.set(SessionView {
                        upload_bytes: f.size() as u64,
                        ..SessionView::default()
                    });
                    session.set(Some(id.clone()));
                    let target = id.clone();
                    watcher::watch(id, view_state, transport, move |outcome| match outcome {
                        Outcome::Succeeded => navigate(
                            &format!("/dashboard/{target}?from_analysis=true"),
                            Default::default(),
                        ),
                        Outcome::Failed(msg) => {
                            // The server's message already says what failed, and why.
                            error.set(Some(lang.get_untracked().pick(&msg).to_owned()));
                            session.set(None);
                            busy.set(false);
                        }
                        Outcome::Cancelled => {
                            error.set(Some(t.analysis_cancelled.into()));
                            session.set(None);
                            busy.set(false);
                        }
                    });
                }
                Err(e) => {
                    error.set(Some(api::describe(&e, t.get_untracked())));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <section class="upload">
            <h2>{move || t.get().upload_title}</h2>
            <fieldset class="models">
                <label>
                    <input type="radio" name="model" value="light" checked=move || model.get() == "light"
                        on:change=move |_| model.set("light".into())/>
                    <b>"Light"</b>{move || t.get().model_light_hint}
                </label>
                <label>
                    <input type="radio" name="model" value="heavy" checked=move || model.get() == "heavy"
                        on:change=move |_| model.set("heavy".into())/>
                    <b>"Heavy"</b>{move || t.get().model_heavy_hint}
                </label>
            </fieldset>
            <div class="dropzone" class:dragging=move || dragging.get() data-testid="dropzone"
                role="button" tabindex="0" aria-label=move || t.get().drop_hint
                on:click=move |_| { if let Some(i) = input.get() { i.click(); } }
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    // A keyboard user opens the file picker as a click would.
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        if let Some(i) = input.get() { i.click(); }
                    }
                }
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <input type="file" accept=".zip" node_ref=input data-testid="file-input" hidden on:change=on_change/>
                {move || match file.get() {
                    Some(f) => view! {
                        <p class="chosen" data-testid="chosen-file">{f.name()}" · "{t.get().bytes(f.size() as u64)}</p>
                    }.into_any(),
                    None => view! { <p>{t.get().drop_hint}</p> }.into_any(),
                }}
            </div>
            <details class="extras">
                <summary>{move || t.get().extras}</summary>
                <label>{move || t.get().kb_file}
                    <input type="file" accept=".csv,.xlsx,.xls" node_ref=kb_input data-testid="kb-input"/></label>
                <label>{move || t.get().playbooks_file}
                    <input type="file" accept=".toml,.json" node_ref=playbooks_input data-testid="playbooks-input"/></label>
            </details>
            <Show when=move || file.get().is_some()>
                <button class="link" data-testid="remove-file" on:click=move |_| choose(None)>{move || t.get().remove_file}</button>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="upload-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <button class="primary" data-testid="start" disabled=move || file.get().is_none() || busy.get() on:click=start>
                {move || t.get().start}
            </button>
        </section>
        <Show when=move || session.get().is_some() || uploading.get().is_some()>
            <Overlay view_state transport started_at session uploading/>
        </Show>
    }
}

#[component]
fn Overlay(
    view_state: RwSignal<SessionView>,
    transport: RwSignal<Transport>,
    started_at: RwSignal<f64>,
    session: RwSignal<Option<String>>,
    uploading: RwSignal<Option<(f64, f64)>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = crate::locale::use_lang();
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(500),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });
    let stage = move || view_state.with(|v| v.stage);
    let cancel = move |_| {
        if let Some(id) = session.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = api::cancel(&id).await;
            });
        }
    };
    view! {
        <div class="overlay" data-testid="overlay">
            <div class="overlay-card">
                <div class="spinner"></div>
                <h2>{move || t.get().overlay_title}</h2>
                <p class="percent" data-testid="overlay-percent">{move || format!("{}%", view_state.with(|v| v.progress))}</p>
                <div class="bar"><div class="bar-fill" style:width=move || format!("{}%", view_state.with(|v| v.progress))></div></div>
                <p class="stage" data-testid="overlay-stage">
                    {move || {
                        let (t, lang) = (t.get(), lang.get());
                        stage().map_or_else(|| t.queued.to_string(), |s: Stage| (t.stage_of)(s.number(), lang.stage(s)))
                    }}
                </p>
                <Show when=move || uploading.get().is_some()>
                    <p class="upload-progress" data-testid="upload-progress">
                        {move || uploading.get().map(|(sent, total)| {
                            let t = t.get();
                            (t.uploading)(
                                if total > 0.0 { (sent / total * 100.0).floor() as u64 } else { 0 },
                                &t.bytes(sent as u64),
                                &t.bytes(total as u64),
                            )
                        })}
                    </p>
                </Show>
                <p class="detail" data-testid="overlay-message">{move || { let l = lang.get(); view_state.with(|v| l.pick(&v.message).to_owned()) }}</p>
                <dl class="facts">
                    <dt>{move || t.get().fact_archive}</dt><dd>{move || t.get().bytes(view_state.with(|v| v.upload_bytes))}</dd>
                    <dt>{move || t.get().fact_read}</dt><dd>{move || { let t = t.get(); view_state.with(|v| (t.x_of_y)(&t.bytes(v.throughput.bytes_done), &t.bytes(v.throughput.bytes_total))) }}</dd>
                    <dt>{move || t.get().fact_speed}</dt><dd>{move || { let t = t.get(); view_state.with(|v| v.throughput.speed_bytes_per_sec.map_or("—".into(), |s| (t.per_second)(&t.bytes(s as u64)))) }}</dd>
                    <dt>{move || t.get().fact_eta}</dt><dd>{move || { let t = t.get(); view_state.with(|v| v.throughput.eta_seconds.map_or("—".into(), t.seconds)) }}</dd>
                    <dt>{move || t.get().fact_elapsed}</dt><dd>{move || (t.get().seconds)(((now.get() - started_at.get()) / 1000.0).max(0.0) as u64)}</dd>
                </dl>
                <p class="transport" data-testid="transport">{move || { let t = t.get(); (t.transport)(transport.get().label(t)) }}</p>
                <button class="secondary" data-testid="cancel" on:click=cancel>{move || t.get().cancel}</button>
            </div>
        </div>
    }
}
