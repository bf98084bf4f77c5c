//! Predictive alerts and novel anomalies.

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use super::log_time;
use crate::locale::use_texts;

/// Predictive alerts and novel anomalies.
#[component]
pub(super) fn Predictions(report: StoredValue<AnalysisReport>) -> impl IntoView {
    let t = use_texts();
    move || {
        let t = t.get();
        report.with_value(|r| {
        let (predictions, novel) = (&r.predictions, &r.novel_anomalies);
        view! {
            <h3>{(t.predictions_title)(predictions.len())}</h3>
            <table class="links" data-testid="predictions">
                <thead><tr><th>{t.col_scenario}</th><th>{t.col_kind}</th><th>{t.col_problem}</th><th>{t.col_anomaly}</th><th>{t.col_trigger_time}</th></tr></thead>
                <tbody>
                    {predictions.iter().map(|p| view! {
                        <tr data-testid="prediction-row">
                            <td>{p.scenario_id}</td>
                            <td>{t.prediction_kind(p.kind)}</td>
                            <td>{format!("{} · {}", p.problem_id, p.problem)}</td>
                            <td>{format!("{} · {}", p.anomaly_id, p.anomaly)}</td>
                            <td>{log_time(t, p.trigger_time.as_ref())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h3>{(t.novel_title)(novel.len())}</h3>
            <table class="links" data-testid="novel">
                <thead><tr><th>{t.col_scenario}</th><th>{t.col_text}</th><th>{t.col_count}</th><th>{t.col_first_line}</th><th>{t.col_likely_problem}</th><th>{t.col_nearest}</th></tr></thead>
                <tbody>
                    {novel.iter().map(|n| view! {
                        <tr>
                            <td>{n.scenario_id}</td>
                            <td>{n.normalized.clone()}</td>
                            <td>{t.number(n.count)}</td>
                            <td>{format!("{}:{}", n.first.file, n.first.line)}</td>
                            <td>{n.related_problem_id.map(|p| p.to_string()).unwrap_or_default()}</td>
                            <td>{n.nearest_anomaly.clone().map(|a| format!("{a} ({:.2})", n.nearest_score.unwrap_or_default())).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        })
    }
}
