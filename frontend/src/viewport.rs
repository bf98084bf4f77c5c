//! The chart layout that fits the window, as app-wide state kept current on resize.

use leptos::ev;
use leptos::prelude::*;

use crate::charts::Layout;

fn current() -> Layout {
    let width = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .unwrap_or(Layout::COMPACT_BELOW_PX);
    Layout::for_width(width)
}

/// Creates the layout signal for the whole app (call once, in the root component).
pub fn provide() {
    let layout = RwSignal::new(current());
    // Lives as long as the app; only a change of layout (not every pixel) re-renders charts.
    let handle = window_event_listener(ev::resize, move |_| {
        let now = current();
        if layout.get_untracked() != now {
            layout.set(now);
        }
    });
    on_cleanup(move || handle.remove());
    provide_context(layout);
}

pub fn use_layout() -> Signal<Layout> {
    let layout = use_context::<RwSignal<Layout>>().unwrap_or_else(|| RwSignal::new(current()));
    layout.into()
}
