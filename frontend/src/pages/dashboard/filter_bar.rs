//! The dashboard's one filter: a scenario and words, kept in the address (`?scenario=` and
//! `?q=`, replacing the entry as one types) and followed by the timeline, the links, the
//! incidents and the predictions alike.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use loglens_shared::report::AnalysisReport;

use crate::filter::{DashFilter, set_query};
use crate::locale::use_texts;

/// The filter the address holds.
pub(super) fn use_filter() -> Memo<DashFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| DashFilter::from_query(q.get("scenario").as_deref(), q.get("q").as_deref()))
    })
}

/// The address with `key` set (or removed), the rest of it (the incident, the language, the
/// section) as it was.
pub(super) fn address_with(key: &str, value: Option<&str>) -> Option<String> {
    let loc = web_sys::window()?.location();
    let (path, search, hash) = (loc.pathname().ok()?, loc.search().ok()?, loc.hash().ok()?);
    Some(format!("{path}{}{hash}", set_query(&search, key, value)))
}

#[component]
pub(super) fn FilterBar(
    report: StoredValue<AnalysisReport>,
    filter: Memo<DashFilter>,
) -> impl IntoView {
    let t = use_texts();
    let navigate = use_navigate();
    // Each scenario with its folder's own name: ids given to folders without digits mean
    // little alone (`3 · Apache`).
    let scenarios: Vec<(u32, String)> = report.with_value(|r| {
        r.scenarios
            .iter()
            .map(|s| {
                let folder = s.folder.rsplit('/').next().unwrap_or_default();
                let label = if folder.is_empty() {
                    s.id.to_string()
                } else {
                    format!("{} · {folder}", s.id)
                };
                (s.id, label)
            })
            .collect()
    });
    // What the controls hold, written into the address whole at every change: two quick
    // changes in a row (the second made before the router applied the first) cannot undo
    // each other. Words are kept as typed (a trailing space starts the next word).
    let (scenario, words) = filter.with_untracked(|f| {
        (
            RwSignal::new(f.scenario.map(|s| s.to_string()).unwrap_or_default()),
            RwSignal::new(f.words.clone()),
        )
    });
    let write = move || {
        let (s, w) = (scenario.get_untracked(), words.get_untracked());
        let blank = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
        let Some(loc) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let (Ok(path), Ok(search), Ok(hash)) = (loc.pathname(), loc.search(), loc.hash()) else {
            return;
        };
        let search = set_query(&search, "scenario", blank(&s).as_deref());
        let search = set_query(&search, "q", blank(&w).as_deref());
        navigate(
            &format!("{path}{search}{hash}"),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let write_scenario = write.clone();
    view! {
        <div class="controls dash-filter" data-testid="dash-filter" role="search">
            <label>{move || t.get().scenario_filter}
                <select data-testid="scenario-filter" prop:value=move || scenario.get()
                    on:change=move |ev| { scenario.set(event_target_value(&ev)); write_scenario(); }>
                    <option value="">{move || t.get().all}</option>
                    {scenarios.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                </select>
            </label>
            <input type="search" class="search" data-testid="incident-search"
                placeholder=move || t.get().search aria-label=move || t.get().search
                prop:value=move || words.get()
                on:input=move |ev| { words.set(event_target_value(&ev)); write(); }/>
        </div>
    }
}
