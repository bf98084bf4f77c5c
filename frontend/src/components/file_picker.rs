//! A file input in the UI's language: the browser's own button says «Choose File / No file
//! chosen» in the browser's language whatever the page's, so the native input is hidden and a
//! labelled button, the chosen name and a remove button stand in for it.

use leptos::html;
use leptos::prelude::*;

use crate::locale::use_texts;

#[component]
pub fn FilePicker(
    /// What the file is, shown before the button and read by screen readers.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The input's `accept` list (`.csv,.xlsx`).
    accept: &'static str,
    /// `data-testid` of the hidden native input (tests set files on it).
    testid: &'static str,
    /// The chosen file.
    file: RwSignal<Option<web_sys::File>, LocalStorage>,
) -> impl IntoView {
    let t = use_texts();
    let input: NodeRef<html::Input> = NodeRef::new();
    let on_change = move |_| {
        let f = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|l| l.get(0))
            .filter(|f| f.size() > 0.0);
        file.set(f);
    };
    let clear = move |_| {
        file.set(None);
        // Let the same file be chosen again after removing it.
        if let Some(i) = input.get_untracked() {
            i.set_value("");
        }
    };
    view! {
        <div class="picker">
            <span class="picker-label">{move || label.get()}</span>
            <button type="button" class="secondary small" data-testid=format!("{testid}-button")
                aria-label=move || format!("{} {}", label.get(), t.get().choose_file)
                on:click=move |_| { if let Some(i) = input.get_untracked() { i.click(); } }>
                {move || t.get().choose_file}
            </button>
            <span class="picked" data-testid=format!("{testid}-name")>
                {move || file.with(|f| f.as_ref().map_or_else(|| t.get().no_file.to_owned(), web_sys::File::name))}
            </span>
            <Show when=move || file.with(Option::is_some)>
                <button type="button" class="link" aria-label=move || t.get().remove_file
                    data-testid=format!("{testid}-remove") on:click=clear>"×"</button>
            </Show>
            <input type="file" accept=accept node_ref=input data-testid=testid hidden
                tabindex="-1" on:change=on_change/>
        </div>
    }
}
