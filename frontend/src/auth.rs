//! The server's bearer token, when it asks for one (`LOGLENS_API_TOKEN`): asked for once by
//! the sign-in form, kept for the browser session (`sessionStorage`: closing the tab forgets
//! it), and sent on every request ([`crate::api`]), on the progress socket (the sub-protocol
//! pair `bearer, <token>`: browsers cannot set headers on sockets) and on download links
//! (`?token=`: a link cannot carry a header). A 401 forgets it and asks again.

use std::cell::Cell;

use leptos::prelude::*;

/// Where the token is kept for the browser session.
const STORAGE_KEY: &str = "loglens.token";

/// Why the sign-in form is open (or that it is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    No,
    /// The server needs a token and this tab has none yet.
    First,
    /// The server refused the token this tab sent.
    Rejected,
}

thread_local! {
    // The app's one sign-in state, reachable from the API client (outside components).
    static ASK: Cell<Option<RwSignal<Ask>>> = const { Cell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The token this tab signed in with, if any.
pub fn token() -> Option<String> {
    storage()?
        .get_item(STORAGE_KEY)
        .ok()?
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

pub fn remember(token: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, token.trim());
    }
}

pub fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
}

/// Creates the sign-in state (call once, in the root component).
pub fn provide() -> RwSignal<Ask> {
    let ask = RwSignal::new(Ask::No);
    ASK.with(|a| a.set(Some(ask)));
    provide_context(ask);
    ask
}

/// Opens the sign-in form: the server refused a request (401), or needs a token this tab
/// does not have. A refused token is forgotten.
pub fn ask(why: Ask) {
    if why == Ask::Rejected {
        forget();
    }
    if let Some(ask) = ASK.with(Cell::get) {
        let _ = ask.try_set(why);
    }
}

/// `url` with the token as `?token=` (download links), unchanged without one.
pub fn with_token(url: String) -> String {
    match token() {
        Some(t) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let encoded: String = js_sys::encode_uri_component(&t).into();
            format!("{url}{sep}token={encoded}")
        }
        None => url,
    }
}
