//! The official rows: anomaly → problem links with where and how they were matched, and the
//! "not relevant" mark of a link made by meaning.

use std::collections::BTreeSet;

use leptos::prelude::*;
use loglens_shared::Method;
use loglens_shared::api::NotRelevant;
use loglens_shared::report::{AnalysisReport, Link};

use crate::api;
use crate::locale::use_texts;

/// The smaller margin of a link's sides matched by similarity (how close a call it was), or a
/// dash for an exact link.
fn margin(l: &Link) -> String {
    [&l.warning_match, &l.error_match]
        .into_iter()
        .flatten()
        .filter_map(|e| e.margin())
        .reduce(f32::min)
        .map_or_else(|| "—".to_string(), |m| format!("{m:+.2}"))
}

/// What each side matched against: the runner-up KB texts, for the tooltip.
fn explain(t: &crate::i18n::Texts, l: &Link) -> String {
    [
        (t.side_anomaly, &l.warning_match),
        (t.side_problem, &l.error_match),
    ]
    .into_iter()
    .filter_map(|(side, e)| {
        let e = e.as_ref()?;
        Some((t.runner_up)(
            side,
            e.runner_up.as_deref()?,
            e.runner_up_score?,
        ))
    })
    .collect::<Vec<_>>()
    .join("\n")
}

/// The "not relevant" mark a link would have: its scenario's knowledge base and its ids.
fn mark_of(r: &AnalysisReport, l: &Link) -> Option<NotRelevant> {
    let kb_hash = r
        .scenarios
        .iter()
        .find(|s| s.id == l.scenario_id)
        .map(|s| s.kb_hash.clone())
        .filter(|h| !h.is_empty())?;
    Some(NotRelevant {
        kb_hash,
        anomaly_id: l.anomaly_id,
        problem_id: l.problem_id,
    })
}

/// The official rows: which anomaly led to which problem, where, how it was matched; a link
/// made by meaning can be marked not relevant (kept for its knowledge base: later runs with it
/// leave the link out).
#[component]
pub(super) fn Links(
    report: StoredValue<AnalysisReport>,
    filter: Memo<crate::filter::DashFilter>,
) -> impl IntoView {
    let t = use_texts();
    let marks = RwSignal::new(BTreeSet::<NotRelevant>::new());
    let mark_error = RwSignal::new(None::<String>);
    // The marks already made under this analysis's knowledge bases.
    let hashes: BTreeSet<String> = report.with_value(|r| {
        r.scenarios
            .iter()
            .map(|s| s.kb_hash.clone())
            .filter(|h| !h.is_empty())
            .collect()
    });
    for hash in hashes {
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::not_relevant(&hash).await {
                marks.update(|m| m.extend(found));
            }
        });
    }
    let toggle = move |mark: NotRelevant| {
        let marked = !marks.with_untracked(|m| m.contains(&mark));
        leptos::task::spawn_local(async move {
            match api::set_not_relevant(&mark, marked).await {
                Ok(()) => {
                    mark_error.set(None);
                    marks.update(|m| {
                        if marked {
                            m.insert(mark);
                        } else {
                            m.remove(&mark);
                        }
                    });
                }
                Err(e) => mark_error.set(Some(api::describe(&e, t.get_untracked()))),
            }
        });
    };
    let left_out = report.with_value(|r| r.summary.links_left_out);
    view! {
        {move || {
            let t = t.get();
            let f = filter.get();
            view! {
                <h3>{t.links_title}</h3>
                {(left_out > 0).then(|| view! { <p class="muted" data-testid="links-left-out">{(t.links_left_out)(left_out)}</p> })}
                {move || mark_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                // Wider than a screen now and then: it scrolls, so the keyboard can reach it.
                <table class="links" data-testid="links" tabindex="0" aria-label=t.links_title>
                    <thead><tr>
                        <th>{t.col_scenario}</th><th>{t.col_anomaly}</th><th>{t.col_problem}</th><th>{t.col_file}</th><th>{t.col_line}</th>
                        <th>{t.col_log_line}</th><th>{t.col_warning_line}</th><th>{t.col_method}</th><th>{t.col_score}</th><th>{t.col_margin}</th>
                        <th>{t.col_relevance}</th>
                    </tr></thead>
                    <tbody>
                        {report.with_value(|r| r.links.iter().filter(|l| f.keeps_link(l)).map(|l| {
                            // Only what meaning made can be marked: the exact rule is the organizers'.
                            let mark = (l.method != Method::Exact).then(|| mark_of(r, l)).flatten();
                            let marked = {
                                let mark = mark.clone();
                                move || mark.as_ref().is_some_and(|m| marks.with(|s| s.contains(m)))
                            };
                            let relevance = match mark {
                                None => view! { <td title=t.exact_is_official>"—"</td> }.into_any(),
                                Some(mark) => {
                                    let marked = marked.clone();
                                    view! {
                                        <td>
                                            <button class="link" data-testid="not-relevant"
                                                aria-pressed=move || marked().to_string()
                                                title=t.not_relevant_hint
                                                on:click=move |_| toggle(mark.clone())>
                                                {let marked = marked.clone(); move || if marked() { t.relevant_again } else { t.not_relevant }}
                                            </button>
                                        </td>
                                    }.into_any()
                                }
                            };
                            view! {
                            <tr data-testid="link-row" class:marked=marked>
                                <td>{l.scenario_id}</td>
                                <td title=l.anomaly_text.clone()>{l.anomaly_id}</td>
                                <td title=l.problem_text.clone()>{l.problem_id}</td>
                                <td>{l.error.file.clone()}</td>
                                <td>{t.number(l.error.line)}</td>
                                <td class="raw">{l.error.raw.clone()}</td>
                                // The WARNING that matched the anomaly, beside the ERROR: the
                                // evidence of the link, with where it is.
                                <td class="raw" data-testid="link-warning"
                                    title=format!("{}:{}", l.warning.file, l.warning.line)>{l.warning.raw.clone()}</td>
                                <td>{t.method(l.method)}</td>
                                <td>{format!("{:.2}", l.score)}</td>
                                <td data-testid="link-margin" title=explain(t, l)>{margin(l)}</td>
                                {relevance}
                            </tr>
                        }}).collect_view())}
                    </tbody>
                </table>
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::report::MatchEvidence;

    #[test]
    fn a_link_shows_its_closer_call_and_names_the_runner_ups() {
        let evidence = |score, runner: &str, r| {
            Some(MatchEvidence {
                score,
                runner_up: Some(runner.into()),
                runner_up_score: Some(r),
            })
        };
        let l = Link {
            warning_match: evidence(0.9, "RAID disk offline", 0.7),
            error_match: evidence(0.8, "Disk failed", 0.75),
            ..Link::default()
        };
        assert_eq!(margin(&l), "+0.05");
        let t = crate::i18n::Lang::En.texts();
        assert_eq!(
            explain(t, &l),
            "Anomaly: the closest other knowledge-base text is «RAID disk offline» (0.70)\nProblem: the closest other knowledge-base text is «Disk failed» (0.75)"
        );
        assert_eq!(margin(&Link::default()), "—", "an exact link");
    }
}
