//! The official rows: anomaly → problem links with where and how they were matched.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use crate::locale::use_texts;

/// The official rows: which anomaly led to which problem, where, how it was matched.
#[component]
pub(super) fn Links(report: StoredValue<AnalysisReport>) -> impl IntoView {
    let t = use_texts();
    view! {
        {move || {
            let t = t.get();
            view! {
                <h3>{t.links_title}</h3>
                <table class="links" data-testid="links">
                    <thead><tr>
                        <th>{t.col_scenario}</th><th>{t.col_anomaly}</th><th>{t.col_problem}</th><th>{t.col_file}</th><th>{t.col_line}</th>
                        <th>{t.col_log_line}</th><th>{t.col_method}</th><th>{t.col_score}</th>
                    </tr></thead>
                    <tbody>
                        {report.with_value(|r| r.links.iter().map(|l| view! {
                            <tr data-testid="link-row">
                                <td>{l.scenario_id}</td>
                                <td title=l.anomaly_text.clone()>{l.anomaly_id}</td>
                                <td title=l.problem_text.clone()>{l.problem_id}</td>
                                <td>{l.error.file.clone()}</td>
                                <td>{t.number(l.error.line)}</td>
                                <td class="raw">{l.error.raw.clone()}</td>
                                <td>{t.method(l.method)}</td>
                                <td>{format!("{:.2}", l.score)}</td>
                            </tr>
                        }).collect_view())}
                    </tbody>
                </table>
            }
        }}
    }
}
