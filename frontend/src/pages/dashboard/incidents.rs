//! The incidents table: ranked by impact, sortable, filtered by scenario and words; a row
//! opens the explorer.

use leptos::prelude::*;
use loglens_shared::IncidentKey;
use loglens_shared::report::AnalysisReport;

use super::log_time;
use crate::i18n::Texts;
use crate::incidents::{self, Column, Direction, Query};
use crate::locale::use_texts;

/// The header text of an incidents-table column.
pub(super) fn column_label(t: &Texts, c: Column) -> &'static str {
    match c {
        Column::Scenario => t.col_scenario,
        Column::Problem => t.col_problem,
        Column::Priority => t.col_priority,
        Column::Impact => t.col_impact,
        Column::Anomalies => t.col_anomalies,
        Column::Systems => t.col_systems,
        Column::FirstSeen => t.col_first_seen,
        Column::Method => t.col_method,
    }
}

/// Incidents ranked by impact, sortable by any column, filtered by scenario and by words;
/// a row opens the explorer by click, Enter or Space.
#[component]
pub(super) fn Incidents(
    report: StoredValue<AnalysisReport>,
    selected: Memo<Option<IncidentKey>>,
    open: Callback<IncidentKey>,
    filter: Memo<crate::filter::DashFilter>,
) -> impl IntoView {
    let t = use_texts();
    let query = RwSignal::new(Query::default());
    let total = report.with_value(|r| r.incidents.len());
    // The dashboard's filter chooses the rows; the table's own query only sorts them.
    let rows = Memo::new(move |_| {
        let f = filter.get();
        query.with(|q| {
            let q = Query {
                scenario: f.scenario,
                text: f.words.clone(),
                ..q.clone()
            };
            report.with_value(|r| incidents::rows(&r.incidents, &q))
        })
    });
    view! {
        <h3>{move || t.get().incidents_title}</h3>
        <div class="controls">
            <span class="muted" data-testid="incident-count">{move || (t.get().shown_of)(rows.with(Vec::len), total)}</span>
        </div>
        <p class="muted hint">{move || t.get().sort_hint}</p>
        <table class="links" data-testid="incidents">
            <thead><tr>
                {Column::ALL.into_iter().map(|c| view! {
                    <th aria-sort=move || query.with(|q| q.direction(c).map_or("none", Direction::aria))>
                        <button class="sort" data-testid=format!("sort-{c:?}").to_lowercase()
                            on:click=move |_| query.update(|q| *q = q.clicked(c))>
                            {move || column_label(t.get(), c)}
                            {move || query.with(|q| q.direction(c).map(|d| format!(" {}", d.arrow())))}
                        </button>
                    </th>
                }).collect_view()}
            </tr></thead>
            <tbody>
                <For each=move || rows.get() key=|i| i.key() let:i>
                    {
                        let key = i.key();
                        let method = i.method;
                        let priority = i.priority;
                        let problem = i.problem.clone();
                        let first_seen = i.first_seen.clone();
                        view! {
                            <tr data-testid="incident-row" class="clickable" tabindex="0"
                                data-key=key.to_string()
                                class:selected=move || selected.get() == Some(key)
                                aria-label=move || (t.get().open_incident)(key.scenario_id, &problem)
                                on:click=move |_| open.run(key)
                                on:keydown=move |ev: web_sys::KeyboardEvent| {
                                    if ev.key() == "Enter" || ev.key() == " " {
                                        ev.prevent_default();
                                        open.run(key);
                                    }
                                }>
                                <td>{i.scenario_id}</td>
                                <td>{format!("{} · {}", i.problem_id, i.problem)}</td>
                                <td><span class=format!("priority {}", i.priority)>{move || t.get().priority(priority)}</span></td>
                                <td>{move || t.get().number(i.impact)}</td>
                                <td>{i.anomaly_ids.len()}</td>
                                <td>{i.files.len()}</td>
                                <td>{move || log_time(t.get(), first_seen.as_ref())}</td>
                                <td>{move || t.get().method(method)}</td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
}
