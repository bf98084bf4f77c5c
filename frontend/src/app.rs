//! Root component: header with the version, and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::pages::{dashboard::DashboardPage, upload::UploadPage};

#[component]
pub fn App() -> impl IntoView {
    let version = LocalResource::new(api::fetch_version);
    view! {
        <Router>
            <main>
                <header class="top">
                    <a href="/" class="brand"><h1>"Log"<span>"Lens"</span></h1></a>
                    <p class="version" data-testid="version">
                        {move || match version.get() {
                            None => "…".to_string(),
                            Some(Ok(v)) => format!("{} {}", v.name, v.version),
                            Some(Err(e)) => format!("backend unavailable: {e}"),
                        }}
                    </p>
                </header>
                <Routes fallback=|| view! { <UploadPage/> }>
                    <Route path=path!("/") view=UploadPage/>
                    <Route path=path!("/dashboard/:id") view=DashboardPage/>
                </Routes>
            </main>
        </Router>
    }
}
