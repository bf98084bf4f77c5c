//! The chosen language as app-wide state: read from `?lang=` or the browser's storage at start,
//! written back on change, mirrored to `<html lang>`. Pages read texts with [`use_texts`].

use leptos::prelude::*;

use crate::i18n::{Lang, STORAGE_KEY, Texts};

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// `?lang=en` wins (shareable links), then the last choice, then Russian.
fn initial() -> Lang {
    let from_query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("lang=").and_then(Lang::parse))
        });
    from_query
        .or_else(|| {
            storage()?
                .get_item(STORAGE_KEY)
                .ok()?
                .as_deref()
                .and_then(Lang::parse)
        })
        .unwrap_or_default()
}

/// Creates the language signal for the whole app (call once, in the root component).
pub fn provide() -> RwSignal<Lang> {
    let lang = RwSignal::new(initial());
    Effect::new(move |_| {
        let l = lang.get();
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, l.code());
        }
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", l.code());
        }
    });
    provide_context(lang);
    lang
}

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::default()))
}

/// The texts of the current language; re-renders what reads it when the language changes.
pub fn use_texts() -> Signal<&'static Texts> {
    let lang = use_lang();
    Signal::derive(move || lang.get().texts())
}
