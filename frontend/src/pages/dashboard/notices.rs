//! Notices of a run that "completed with warnings", in the UI's language, with a one-click
//! re-run on the heavy model where it would read the logs.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use loglens_shared::ModelKind;
use loglens_shared::report::Notice;

use crate::api;
use crate::locale::use_texts;
use crate::routes;

/// What the operator should know before trusting the numbers below, in the UI's language;
/// a run of Cyrillic logs with the light model offers the heavy one in one click.
#[component]
pub(super) fn Notices(notices: Vec<Notice>, id: String) -> impl IntoView {
    let t = use_texts();
    let navigate = use_navigate();
    let rerun_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    if notices.is_empty() {
        return ().into_any();
    }
    let rerun = Callback::new(move |()| {
        busy.set(true);
        let (id, navigate) = (id.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            match api::rerun(&id, ModelKind::Heavy).await {
                Ok(new_id) => navigate(&routes::watch(&new_id), Default::default()),
                Err(e) => {
                    rerun_error.set(Some((t.get_untracked().rerun_failed)(&api::describe(
                        &e,
                        t.get_untracked(),
                    ))));
                    busy.set(false);
                }
            }
        });
    });
    view! {
        <section class="notices" role="region" aria-labelledby="notices-title" data-testid="notices">
            <h3 id="notices-title">{move || t.get().notices_title}</h3>
            <ul>
                {notices.into_iter().map(|n| {
                    let cyrillic = matches!(n, Notice::CyrillicWithLight { .. });
                    let kind = serde_json::to_value(&n).ok()
                        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                        .unwrap_or_default();
                    view! {
                        <li data-testid="notice" data-kind=kind>
                            {move || (t.get().notice)(&n)}
                            {cyrillic.then(|| view! {
                                " "<button class="primary small" data-testid="rerun-heavy" disabled=move || busy.get()
                                    on:click=move |_| rerun.run(())>{move || t.get().rerun_heavy}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || rerun_error.get().is_some()>
                <p class="error" role="alert">{move || rerun_error.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
    .into_any()
}
