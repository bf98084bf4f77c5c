//! Root component.

use leptos::prelude::*;

use crate::api;

#[component]
pub fn App() -> impl IntoView {
    let version = LocalResource::new(api::fetch_version);
    view! {
        <main>
            <header>
                <h1>"Log"<span>"Lens"</span></h1>
                <p class="version" data-testid="version">
                    {move || match version.get() {
                        None => "…".to_string(),
                        Some(Ok(v)) => format!("{} {}", v.name, v.version),
                        Some(Err(e)) => format!("backend unavailable: {e}"),
                    }}
                </p>
            </header>
        </main>
    }
}
