//! Previous / next over the pages of a long table (shown only when there is more than one).

use leptos::prelude::*;

use crate::locale::use_texts;
use crate::sections::page_of;

/// `page` (0-based) over `len` rows of `per_page`; `testid` names it for tests.
#[component]
pub fn Pager(
    page: RwSignal<usize>,
    #[prop(into)] len: Signal<usize>,
    per_page: usize,
    testid: &'static str,
) -> impl IntoView {
    let t = use_texts();
    let at = move || page_of(len.get(), page.get(), per_page);
    view! {
        <Show when=move || { at().pages > 1 }>
            <nav class="pager" data-testid=testid aria-label=move || (t.get().page_of)(at().page + 1, at().pages)>
                <button class="secondary small" data-testid="page-prev" disabled=move || { at().page == 0 }
                    on:click=move |_| page.set(at().page.saturating_sub(1))>{move || t.get().page_prev}</button>
                <span data-testid="page-at">{move || (t.get().page_of)(at().page + 1, at().pages)}</span>
                <button class="secondary small" data-testid="page-next" disabled=move || { at().page + 1 >= at().pages }
                    on:click=move |_| page.set(at().page + 1)>{move || t.get().page_next}</button>
            </nav>
        </Show>
    }
}
