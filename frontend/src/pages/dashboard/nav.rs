//! The dashboard's sub-navigation: sticky at the top, one link per section. A click scrolls
//! to the section and writes it in the address (`#patterns`, replacing the entry: sections
//! are places on one page, not steps to go back through); a dashboard opened with a
//! fragment scrolls there once drawn. The section in view is marked as current.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::locale::use_texts;
use crate::sections::Section;

/// Pixels under the top of the window (the sticky bar) where a section counts as current.
const CURRENT_LINE_PX: f64 = 80.0;
/// When a deep link checks again that its section is in view (ms after drawing).
const SETTLE_MS: [u64; 4] = [150, 400, 900, 1800];

fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

fn scroll_to(s: Section) {
    if let Some(e) = element(s.id()) {
        e.scroll_into_view();
    }
}

/// The address with `#<section>` in place of any fragment, without a navigation.
fn keep_in_address(s: Section) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let url = format!(
        "{}{}#{}",
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default(),
        s.id()
    );
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Whether the page is scrolled as far down as it goes: the last sections are short, and
/// one chosen there never reaches the bar.
fn at_bottom() -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let (y, h) = (
        w.scroll_y().unwrap_or_default(),
        w.inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or_default(),
    );
    let full = w
        .document()
        .and_then(|d| d.document_element())
        .map_or(0.0, |e| f64::from(e.scroll_height()));
    (y + h).ceil() >= full - 2.0
}

/// Whether section `s` shows in the window.
fn visible(s: Section) -> bool {
    let h = web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_default();
    element(s.id()).is_some_and(|e| {
        let r = e.get_bounding_client_rect();
        r.top() < h && r.bottom() > 0.0
    })
}

/// The last section whose top has passed under the bar.
fn in_view() -> Section {
    let mut current = Section::Overview;
    for s in Section::ALL {
        if let Some(e) = element(s.id())
            && e.get_bounding_client_rect().top() <= CURRENT_LINE_PX
        {
            current = s;
        }
    }
    current
}

#[component]
pub(super) fn SectionNav() -> impl IntoView {
    let t = use_texts();
    let current = RwSignal::new(Section::Overview);
    // The section last chosen (a click, a deep link): at the bottom of the page it stays
    // current while it shows, though its top never reaches the bar.
    let chosen = RwSignal::new(None::<Section>);
    // A deep link: once the sections exist, go there.
    let from_address = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|h| Section::from_fragment(&h));
    if let Some(s) = from_address {
        current.set(s);
        chosen.set(Some(s));
        request_animation_frame(move || scroll_to(s));
        // Charts and the time machine draw a moment later and push the sections down: once
        // they have, the section is scrolled to again if it is no longer the one in view.
        for ms in SETTLE_MS {
            set_timeout(
                move || {
                    if in_view() != s && !(at_bottom() && visible(s)) {
                        scroll_to(s);
                    }
                },
                std::time::Duration::from_millis(ms),
            );
        }
    }
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        let kept = chosen
            .try_get_untracked()
            .flatten()
            .filter(|&s| at_bottom() && visible(s));
        let _ = current.try_set(kept.unwrap_or_else(in_view));
    });
    on_cleanup(move || on_scroll.remove());
    view! {
        <nav class="section-nav" aria-label=move || t.get().sections_label data-testid="section-nav">
            {Section::ALL.into_iter().map(|s| view! {
                <a href=format!("#{}", s.id()) data-testid=format!("nav-{}", s.id())
                    aria-current=move || (current.get() == s).then_some("location")
                    on:click=move |ev: leptos::ev::MouseEvent| {
                        ev.prevent_default();
                        current.set(s);
                        chosen.set(Some(s));
                        keep_in_address(s);
                        scroll_to(s);
                        // Keyboard users land in the section, not back at the bar.
                        if let Some(e) = element(s.id()).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                            let _ = e.focus();
                        }
                    }>
                    {move || t.get().section(s)}
                </a>
            }).collect_view()}
        </nav>
    }
}
