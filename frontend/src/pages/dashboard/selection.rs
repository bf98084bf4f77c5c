//! Which incident the explorer shows: kept in the address (`?incident=3-12`), opened and
//! closed by navigating, focus handed between the row and the panel.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use loglens_shared::IncidentKey;
use wasm_bindgen::JsCast;

use super::filter_bar::address_with;
use crate::routes;

/// The incident named in the address, and opening/closing it through the address.
#[derive(Clone)]
pub(super) struct Selection {
    pub selected: Memo<Option<IncidentKey>>,
    pub open: Callback<IncidentKey>,
    pub close: Callback<()>,
}

pub(super) fn selection(id: String) -> Selection {
    let query = use_query_map();
    let navigate = use_navigate();
    let selected =
        Memo::new(move |_| query.with(|q| q.get("incident").and_then(|k| k.trim().parse().ok())));
    let go = move |url: String| {
        navigate(
            &url,
            NavigateOptions {
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    // The rest of the address (the filter, the language, the section) stays as it is.
    let open = {
        let (go, id) = (go.clone(), id.clone());
        Callback::new(move |key: IncidentKey| {
            if selected.get_untracked() != Some(key) {
                go(address_with("incident", Some(&key.to_string()))
                    .unwrap_or_else(|| routes::incident(&id, key)));
            }
        })
    };
    let path = routes::dashboard(&id);
    let close = Callback::new(move |()| {
        if let Some(key) = selected.get_untracked() {
            go(address_with("incident", None).unwrap_or_else(|| path.clone()));
            // Back to the row the explorer was opened from.
            focus(&format!("tr[data-key=\"{key}\"]"));
        }
    });
    Selection {
        selected,
        open,
        close,
    }
}

/// Moves keyboard focus to the first element matching `selector`, once it is rendered.
pub(super) fn focus(selector: &str) {
    let selector = selector.to_owned();
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
