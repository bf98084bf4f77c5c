//! The patterns of the analysis's WARNING and ERROR lines: templates with their counts, a small
//! histogram over the logs' time, time span and files, filtered by level and words, a page at a
//! time, each opening onto real lines of it (file and line number) with the lines around them.

use leptos::prelude::*;
use loglens_shared::Level;
use loglens_shared::report::AnalysisReport;

use super::explorer::context_lines;
use super::log_time;
use super::promote::PromoteForm;
use crate::components::pager::Pager;
use crate::i18n::Texts;
use crate::locale::use_texts;
use crate::sections::{HISTOGRAM_HEIGHT, PatternFilter, ROWS_PER_PAGE, histogram_bars, page_of};

/// Files named in a row before "and N more".
const FILES_SHOWN: usize = 2;
/// Width of one slice of a histogram, in the units of its bars (a gap of one between them).
const BAR_WIDTH: u32 = 2;

/// A pattern's lines over the logs' time, as small bars (the same span for every pattern).
fn histogram(t: &'static Texts, counts: &[u32]) -> impl IntoView + use<> {
    let bars = histogram_bars(counts);
    let width = bars.len() as u32 * (BAR_WIDTH + 1);
    let peak = counts.iter().copied().max().unwrap_or(0);
    (!bars.is_empty()).then(|| view! {
        <svg class="histogram" data-testid="pattern-histogram" role="img"
            aria-label=(t.histogram_label)(u64::from(peak))
            viewBox=format!("0 0 {width} {HISTOGRAM_HEIGHT}") width=width * 2 height=HISTOGRAM_HEIGHT * 2
            preserveAspectRatio="none">
            {bars.into_iter().enumerate().map(|(i, h)| view! {
                <rect x=(i as u32 * (BAR_WIDTH + 1)).to_string() y=(HISTOGRAM_HEIGHT - h).to_string()
                    width=BAR_WIDTH.to_string() height=h.to_string()></rect>
            }).collect_view()}
        </svg>
    })
}

#[component]
pub(super) fn Patterns(report: StoredValue<AnalysisReport>) -> impl IntoView {
    let t = use_texts();
    let level = RwSignal::new(None::<Level>);
    let words = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let kept = Memo::new(move |_| {
        let filter = PatternFilter {
            level: level.get(),
            words: words.get(),
        };
        report.with_value(|r| filter.apply(&r.patterns))
    });
    // A new filter starts at its first page.
    Effect::new(move |_| {
        level.track();
        words.track();
        page.set(0);
    });
    let total = report.with_value(|r| r.patterns.len());
    let len = Signal::derive(move || kept.with(Vec::len));
    let rows = move || {
        let t = t.get();
        let kept = kept.get();
        let at = page_of(kept.len(), page.get(), ROWS_PER_PAGE);
        report.with_value(|r| {
            kept[at.start..at.end]
                .iter()
                .map(|&i| {
                    let p = &r.patterns[i];
                    let files = if p.files.len() > FILES_SHOWN {
                        format!(
                            "{} {}",
                            p.files[..FILES_SHOWN].join(", "),
                            (t.more_files)(p.files.len() - FILES_SHOWN)
                        )
                    } else {
                        p.files.join(", ")
                    };
                    let samples = p.samples.clone();
                    let promote = p.scenario_ids.first().map(|&scenario_id| view! {
                        <PromoteForm report scenario_id text=p.template.clone()/>
                    });
                    view! {
                        <tr data-testid="pattern-row" data-pattern=p.id.clone()>
                            <td>{p.id.clone()}</td>
                            <td><span class=format!("level level-{}", p.level.as_str().to_lowercase())>{p.level.as_str()}</span></td>
                            <td class="template">
                                <code>{p.template.clone()}</code>
                                <details data-testid="pattern-samples">
                                    <summary>{(t.pattern_samples)(samples.len())}</summary>
                                    <ul class="samples">
                                        {samples.into_iter().map(|s| view! {
                                            <li data-testid="pattern-sample">
                                                <span class="where">{format!("{}:{}", s.file, s.line)}</span>
                                                // With the real lines around it, when the report has them.
                                                {if s.context.is_empty() {
                                                    view! { <pre>{s.raw}</pre> }.into_any()
                                                } else {
                                                    context_lines(s.line, &s.context).into_any()
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </details>
                                {promote}
                            </td>
                            <td class="num">{t.number(p.count)}</td>
                            <td>{histogram(t, &p.histogram)}</td>
                            <td>{log_time(t, p.first_seen.as_ref())}" – "{log_time(t, p.last_seen.as_ref())}</td>
                            <td>{files}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <h3>{move || (t.get().patterns_title)(len.get(), total)}</h3>
        <div class="filters" data-testid="pattern-filters">
            <label>{move || t.get().filter_level}" "
                <select data-testid="pattern-level" on:change=move |ev| {
                    level.set(match event_target_value(&ev).as_str() {
                        "ERROR" => Some(Level::Error),
                        "WARNING" => Some(Level::Warning),
                        _ => None,
                    });
                }>
                    <option value="">{move || t.get().filter_all_levels}</option>
                    <option value="ERROR">"ERROR"</option>
                    <option value="WARNING">"WARNING"</option>
                </select>
            </label>
            <label>{move || t.get().filter_words}" "
                <input type="search" data-testid="pattern-words"
                    prop:value=move || words.get()
                    on:input=move |ev| words.set(event_target_value(&ev))/>
            </label>
        </div>
        <div class="table-scroll">
            <table class="links" data-testid="patterns">
                <thead><tr>
                    <th>"#"</th><th>{move || t.get().col_level}</th><th>{move || t.get().col_template}</th>
                    <th>{move || t.get().col_count}</th><th>{move || t.get().col_over_time}</th><th>{move || t.get().col_seen}</th><th>{move || t.get().col_file}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page len per_page=ROWS_PER_PAGE testid="patterns-pager"/>
    }
}
