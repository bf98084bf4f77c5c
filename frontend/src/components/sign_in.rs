//! The sign-in form: shown over the app when the server needs a token this tab lacks, or
//! refused the one it sent. Submitting keeps the token for the session and reloads the page,
//! so every request and socket starts again with it.

use leptos::prelude::*;

use crate::auth::{self, Ask};
use crate::{api, locale};

#[component]
pub fn SignIn() -> impl IntoView {
    let ask = use_context::<RwSignal<Ask>>().unwrap_or_else(|| RwSignal::new(Ask::No));
    let t = locale::use_texts();
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = token.get_untracked();
        if value.trim().is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            // Checked before it is kept: a typo is said here, not by the next page's 401.
            match api::accepts_token(&value).await {
                Ok(true) => {
                    auth::remember(&value);
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Ok(false) => {
                    ask.set(Ask::Rejected);
                    busy.set(false);
                }
                Err(e) => {
                    failed.set(Some(api::describe(&e, t.get_untracked())));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <Show when=move || ask.get() != Ask::No>
            <div class="sign-in-backdrop">
                <form class="sign-in card" role="dialog" aria-modal="true"
                    aria-labelledby="sign-in-title" data-testid="sign-in" on:submit=submit>
                    <h2 id="sign-in-title">{move || t.get().sign_in_title}</h2>
                    <p class="hint">{move || t.get().sign_in_hint}</p>
                    <Show when=move || ask.get() == Ask::Rejected>
                        <p class="error" role="alert" data-testid="sign-in-rejected">
                            {move || t.get().sign_in_rejected}
                        </p>
                    </Show>
                    {move || failed.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                    <label for="sign-in-token">{move || t.get().sign_in_label}</label>
                    <input id="sign-in-token" type="password" autocomplete="current-password"
                        required=true autofocus=true data-testid="sign-in-token"
                        prop:value=move || token.get()
                        on:input=move |ev| token.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" data-testid="sign-in-submit"
                        disabled=move || busy.get()>
                        {move || t.get().sign_in_submit}
                    </button>
                </form>
            </div>
        </Show>
    }
}
