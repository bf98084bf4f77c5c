//! Root component: header (navigation, language, version) and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::auth;
use crate::components::sign_in::SignIn;
use crate::i18n::Lang;
use crate::pages::{
    compare::ComparePage, dashboard::DashboardPage, history::HistoryPage, latest::LatestDashboard,
    upload::UploadPage,
};
use crate::{locale, viewport};

#[component]
pub fn App() -> impl IntoView {
    let lang = locale::provide();
    viewport::provide();
    let ask = auth::provide();
    let t = locale::use_texts();
    let version = LocalResource::new(api::fetch_version);
    // A server that needs a token: asked for before the first refused call.
    Effect::new(move |_| {
        if let Some(Ok(v)) = version.get()
            && v.token_required
            && auth::token().is_none()
        {
            ask.set(auth::Ask::First);
        }
    });
    let sign_out = move |_| {
        auth::forget();
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <Router>
            <main>
                <header class="top">
                    <a href="/" class="brand"><h1>"Log"<span>"Lens"</span></h1></a>
                    <nav>
                        <a href="/" data-testid="nav-new">{move || t.get().nav_new}</a>
                        <a href="/history" data-testid="nav-history">{move || t.get().nav_history}</a>
                    </nav>
                    <div class="lang" role="group" aria-label=move || t.get().language data-testid="lang">
                        {Lang::ALL.into_iter().map(|l| view! {
                            <button class="lang-option" class:active=move || lang.get() == l
                                aria-pressed=move || (lang.get() == l).to_string()
                                data-testid=format!("lang-{}", l.code())
                                on:click=move |_| lang.set(l)>{l.code().to_uppercase()}</button>
                        }).collect_view()}
                    </div>
                    <Show when=move || auth::token().is_some()>
                        <button class="link sign-out" data-testid="sign-out" on:click=sign_out>
                            {move || t.get().sign_out}
                        </button>
                    </Show>
                    <p class="version" data-testid="version">
                        {move || match version.get() {
                            None => "…".to_string(),
                            Some(Ok(v)) => format!("{} {}", v.name, v.version),
                            Some(Err(e)) => (t.get().backend_unavailable)(&api::describe(&e, t.get())),
                        }}
                    </p>
                </header>
                <Routes fallback=|| view! { <UploadPage/> }>
                    <Route path=path!("/") view=UploadPage/>
                    <Route path=path!("/dashboard") view=LatestDashboard/>
                    <Route path=path!("/dashboard/:id") view=DashboardPage/>
                    <Route path=path!("/history") view=HistoryPage/>
                    <Route path=path!("/compare") view=ComparePage/>
                </Routes>
                <SignIn/>
            </main>
        </Router>
    }
}
