//! Dashboard of one analysis (reload-safe: everything comes from `/api/sessions/{id}/result`),
//! with the completion toast when arriving from a finished upload. One file per section; the
//! report is loaded once and shared by every section (a `StoredValue`), never cloned into them.
//! The incident explorer is a side panel kept in the address (`?incident=<scenario>-<problem>`),
//! so it survives a reload and can be shared; Esc closes it.

mod downloads;
mod explorer;
mod files;
mod filter_bar;
mod incidents;
mod links;
mod nav;
mod notices;
mod overview;
mod patterns;
mod predictions;
mod promote;
mod selection;

use overview::Report;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use loglens_shared::LogTime;
use loglens_shared::api::Problem;

use crate::api;
use crate::i18n::Texts;
use crate::locale::use_texts;

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
pub(super) fn Gone(deleted: bool) -> impl IntoView {
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
pub(super) fn Toast(toast: RwSignal<bool>, warnings: bool) -> impl IntoView {
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

/// A log timestamp as people read it, as written in its tooltip (nothing for an untimed line).
pub(super) fn log_time(t: &Texts, time: Option<&LogTime>) -> impl IntoView + use<> {
    let raw = time.map(|l| l.raw.clone()).unwrap_or_default();
    let shown = time.map(|l| t.log_time(l)).unwrap_or_default();
    view! { <time title=raw>{shown}</time> }
}
