//! `/dashboard` without an id, where the prototype's upload page sends its users
//! (`/dashboard?auto_load=true&from_analysis=true`): the dashboard of this server's latest
//! finished analysis, in place of this address (Back does not return here).

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

use crate::locale::use_texts;
use crate::{api, routes};

#[component]
pub fn LatestDashboard() -> impl IntoView {
    let t = use_texts();
    let navigate = use_navigate();
    let latest = LocalResource::new(api::latest_finished);
    Effect::new(move |_| {
        if let Some(Ok(Some(id))) = latest.get() {
            let query = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            navigate(
                &routes::latest_dashboard(&id, &query),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <section class="dashboard">
            {move || match latest.get() {
                None | Some(Ok(Some(_))) => view! { <p>{move || t.get().loading_results}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <div class="card empty" data-testid="no-finished-analysis">
                        <p>{move || t.get().no_finished_analysis}</p>
                        <a href=routes::HOME class="primary">{move || t.get().nav_new}</a>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{move || api::describe(&e, t.get())}</p> }.into_any(),
            }}
        </section>
    }
}
