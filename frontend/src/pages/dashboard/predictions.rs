//! Predictive alerts, and the novel anomalies (WARNING lines the knowledge base does not
//! know), each a page at a time.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use super::log_time;
use super::promote::PromoteForm;
use crate::components::pager::Pager;
use crate::evidence::group_predictions;
use crate::locale::use_texts;
use crate::sections::{ROWS_PER_PAGE, page_of};

/// Predictions, one row per scenario, problem and kind: every anomaly it names, and the
/// earliest line that triggered it (the report has one prediction per anomaly).
#[component]
pub(super) fn Predictions(
    report: StoredValue<AnalysisReport>,
    filter: Memo<crate::filter::DashFilter>,
) -> impl IntoView {
    let t = use_texts();
    let page = RwSignal::new(0usize);
    let groups = StoredValue::new(report.with_value(|r| group_predictions(&r.predictions)));
    let all = report.with_value(|r| r.predictions.len());
    // The dashboard's filter keeps some groups; a new filter starts at the first page.
    let kept = Memo::new(move |_| {
        let f = filter.get();
        groups.with_value(|g| {
            g.iter()
                .enumerate()
                .filter(|(_, p)| f.keeps_prediction(p))
                .map(|(i, _)| i)
                .collect::<Vec<usize>>()
        })
    });
    Effect::new(move |_| {
        filter.track();
        page.set(0);
    });
    let len = Signal::derive(move || kept.with(Vec::len));
    let rows = move || {
        let t = t.get();
        let kept = kept.get();
        let at = page_of(kept.len(), page.get(), ROWS_PER_PAGE);
        groups.with_value(|g| {
            kept[at.start..at.end]
                .iter()
                .map(|&i| &g[i])
                .map(|p| {
                    view! {
                        <tr data-testid="prediction-row">
                            <td>{p.scenario_id}</td>
                            <td>{t.prediction_kind(p.kind)}</td>
                            <td>{format!("{} · {}", p.problem_id, p.problem)}</td>
                            <td class="wrap">
                                <ul class="plain" data-testid="prediction-anomalies">
                                    {p.anomalies.iter().map(|(id, text)| view! { <li>{format!("{id} · {text}")}</li> }).collect_view()}
                                </ul>
                            </td>
                            <td>{log_time(t, p.trigger_time.as_ref())}<br/>
                                <small class="muted">{format!("{}:{}", p.trigger.file, p.trigger.line)}</small></td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <h3>{move || (t.get().predictions_grouped_title)(len.get(), all)}</h3>
        <div class="table-scroll">
            <table class="links" data-testid="predictions">
                <thead><tr>
                    <th>{move || t.get().col_scenario}</th><th>{move || t.get().col_kind}</th><th>{move || t.get().col_problem}</th>
                    <th>{move || t.get().col_anomaly_list}</th><th>{move || t.get().col_trigger_time}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page len per_page=ROWS_PER_PAGE testid="predictions-pager"/>
    }
}

#[component]
pub(super) fn Novel(report: StoredValue<AnalysisReport>) -> impl IntoView {
    let t = use_texts();
    let page = RwSignal::new(0usize);
    let len = report.with_value(|r| r.novel_anomalies.len());
    let rows = move || {
        let t = t.get();
        let at = page_of(len, page.get(), ROWS_PER_PAGE);
        report.with_value(|r| {
            r.novel_anomalies[at.start..at.end]
                .iter()
                .map(|n| view! {
                    <tr data-testid="novel-row">
                        <td>{n.scenario_id}</td>
                        <td>{n.normalized.clone()}</td>
                        <td>{t.number(n.count)}</td>
                        <td>{format!("{}:{}", n.first.file, n.first.line)}</td>
                        <td>{n.related_problem_id.map(|p| p.to_string()).unwrap_or_default()}</td>
                        <td>{n.nearest_anomaly.clone().map(|a| format!("{a} ({:.2})", n.nearest_score.unwrap_or_default())).unwrap_or_default()}</td>
                        <td><PromoteForm report scenario_id=n.scenario_id text=n.first.message.clone()
                            suggested=n.related_problem_id.unwrap_or_default()/></td>
                    </tr>
                })
                .collect_view()
        })
    };
    view! {
        <h3>{move || (t.get().novel_title)(len)}</h3>
        <div class="table-scroll">
            <table class="links" data-testid="novel">
                <thead><tr>
                    <th>{move || t.get().col_scenario}</th><th>{move || t.get().col_text}</th><th>{move || t.get().col_count}</th>
                    <th>{move || t.get().col_first_line}</th><th>{move || t.get().col_likely_problem}</th><th>{move || t.get().col_nearest}</th>
                    <th>{move || t.get().col_to_kb}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page len=Signal::derive(move || len) per_page=ROWS_PER_PAGE testid="novel-pager"/>
    }
}
