//! `/compare?a=<id>&b=<id>`: two analyses side by side — the older one first, each named
//! (archive and local time, a link to its dashboard) — their figures with the change from
//! the first to the second, and the links only one of them found, named by the knowledge base.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use loglens_shared::report::{Comparison, LinkKey};
use loglens_shared::session::Snapshot;

use crate::compare::{self, Figure};
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::pages::history::local_time;
use crate::{api, routes};

/// Everything the page shows, fetched together.
#[derive(Clone)]
struct Loaded {
    c: Comparison,
    first: Snapshot,
    second: Snapshot,
}

async fn load(a: String, b: String) -> Result<Loaded, api::ApiError> {
    let c = api::compare(&a, &b).await?;
    let (sa, sb) = (api::snapshot(&a).await?, api::snapshot(&b).await?);
    let c = compare::older_first(c, &sa.created_at, &sb.created_at);
    let (first, second) = if c.a == sa.session_id {
        (sa, sb)
    } else {
        (sb, sa)
    };
    Ok(Loaded { c, first, second })
}

fn figure(t: &Texts, f: Figure) -> &'static str {
    match f {
        Figure::Links => t.fig_links,
        Figure::Incidents => t.kpi_incidents,
        Figure::Anomalies => t.kpi_anomalies,
        Figure::Predictions => t.kpi_predictions,
        Figure::Novel => t.fig_novel,
        Figure::Lines => t.kpi_lines,
        Figure::DurationMs => t.kpi_duration,
    }
}

fn value(t: &Texts, f: Figure, n: u64) -> String {
    match f {
        Figure::DurationMs => (t.seconds_f)(n as f64 / 1000.0),
        _ => t.number(n),
    }
}

fn change(t: &Texts, f: Figure, d: i64) -> String {
    match f {
        Figure::DurationMs => {
            let s = (t.seconds_f)(d.unsigned_abs() as f64 / 1000.0);
            match d {
                0 => "0".into(),
                d if d > 0 => format!("+{s}"),
                _ => format!("\u{2212}{s}"),
            }
        }
        // Grouped like the figures beside it.
        _ => compare::signed_with(d, |n| t.number(n)),
    }
}

fn links_list(t: &Texts, c: &Comparison, keys: &[LinkKey], testid: &'static str) -> impl IntoView {
    view! {
        <ul class="compare-links" data-testid=testid>
            {keys.iter().map(|k| {
                let (an, pn) = compare::name_of(c, *k)
                    .map(|n| (n.anomaly.clone(), n.problem.clone()))
                    .unwrap_or_default();
                view! { <li>{(t.compare_link)(k.scenario_id, k.anomaly_id, &an, k.problem_id, &pn)}</li> }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let ids = move || query.with(|q| (q.get("a"), q.get("b")));
    let loaded = LocalResource::new(move || {
        let ids = ids();
        async move {
            match ids {
                (Some(a), Some(b)) => Some(load(a, b).await),
                _ => None,
            }
        }
    });
    view! {
        <section class="compare">
            <h2>{move || t.get().compare_title}</h2>
            {move || { let t = t.get(); match loaded.get() {
                None => view! { <p>{t.loading}</p> }.into_any(),
                Some(None) => view! { <p class="error" role="alert">{t.compare_need_two}</p> }.into_any(),
                Some(Some(Err(e))) => view! { <p class="error" role="alert">{api::describe(&e, t)}</p> }.into_any(),
                Some(Some(Ok(Loaded { c, first, second }))) => {
                    let run = |n: usize, s: &Snapshot| view! {
                        <a href=routes::dashboard(&s.session_id)>{(t.compare_run)(n, &s.upload_name, &local_time(&s.created_at, t))}</a>
                    };
                    view! {
                        <div class="table-scroll">
                            <table class="links" data-testid="compare-figures">
                                <thead><tr>
                                    <th>{t.compare_figure}</th>
                                    <th data-testid="compare-first">{run(1, &first)}</th>
                                    <th data-testid="compare-second">{run(2, &second)}</th>
                                    <th>{t.compare_change}</th>
                                </tr></thead>
                                <tbody>
                                    {compare::rows(&c).into_iter().map(|r| {
                                        let (up, down) = (r.delta() > 0, r.delta() < 0);
                                        view! {
                                        <tr data-testid="compare-row">
                                            <th scope="row">{figure(t, r.figure)}</th>
                                            <td class="num">{value(t, r.figure, r.a)}</td>
                                            <td class="num">{value(t, r.figure, r.b)}</td>
                                            <td class="num delta" class:up=up class:down=down
                                                data-testid="compare-delta">{change(t, r.figure, r.delta())}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p data-testid="compare-both">{(t.compare_both)(c.both.len())}</p>
                        <h3>{(t.compare_only_first)(c.only_a.len())}</h3>
                        {links_list(t, &c, &c.only_a, "compare-only-first")}
                        <h3>{(t.compare_only_second)(c.only_b.len())}</h3>
                        {links_list(t, &c, &c.only_b, "compare-only-second")}
                        <details>
                            <summary>{(t.compare_in_both)(c.both.len())}</summary>
                            {links_list(t, &c, &c.both, "compare-in-both")}
                        </details>
                    }.into_any()
                }
            }}}
        </section>
    }
}
