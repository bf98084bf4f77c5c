//! Root component: header with the version, and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::pages::{dashboard::DashboardPage, history::HistoryPage, upload::UploadPage};

#[component]
pub fn App() -> impl IntoView {
    let version = LocalResource::new(api::fetch_version);
    view! {
        <Router>
            <main>
                <header class="top">
                    <a href="/" class="brand"><h1>"Log"<span>"Lens"</span></h1></a>
                    <nav>
                        <a href="/" data-testid="nav-new">"Новый анализ"</a>
                        <a href="/history" data-testid="nav-history">"История"</a>
                    </nav>
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
                    <Route path=path!("/history") view=HistoryPage/>
                </Routes>
            </main>
        </Router>
    }
}
