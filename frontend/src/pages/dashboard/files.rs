//! What was read of each file: its format, lines, entries, WARNING/ERROR lines and the lines
//! that could not be read — so an operator sees what the numbers rest on (folded: a case may
//! hold thousands of files).

use leptos::prelude::*;
use loglens_shared::report::AnalysisReport;

use crate::locale::use_texts;

#[component]
pub(super) fn Files(report: StoredValue<AnalysisReport>) -> impl IntoView {
    let t = use_texts();
    let count = report.with_value(|r| r.scenarios.iter().map(|s| s.files.len()).sum::<usize>());
    view! {
        {move || {
            let t = t.get();
            view! {
                <details class="files" data-testid="files">
                    <summary class="section-title">{(t.files_title)(count)}</summary>
                    <table>
                        <thead><tr>
                            <th>{t.col_scenario}</th><th>{t.col_file}</th><th>{t.col_format}</th>
                            <th>{t.col_lines}</th><th>{t.col_entries}</th><th>{t.col_signal_lines}</th>
                            <th>{t.col_unreadable}</th>
                        </tr></thead>
                        <tbody>
                            {report.with_value(|r| r.scenarios.iter().flat_map(|s| s.files.iter().map(move |f| (s, f))).map(|(s, f)| {
                                let format = match (&f.format, f.binary) {
                                    (_, true) => t.format_binary.to_string(),
                                    (Some(name), false) => name.clone(),
                                    (None, false) => t.format_none.to_string(),
                                };
                                let unreadable = f.unparsable_lines;
                                let warn = if unreadable > 0 { "warn" } else { "" };
                                view! {
                                    <tr data-testid="file-row">
                                        <td>{s.id}</td>
                                        <td>{f.name.clone()}</td>
                                        <td data-testid="file-format">{format}</td>
                                        <td>{t.number(f.lines)}</td>
                                        <td>{t.number(f.entries)}</td>
                                        <td>{t.number(f.signal_lines)}</td>
                                        <td class=warn
                                            title=f.first_unparsable.as_ref().map(|l| format!("{}: {}", l.line, l.text))>
                                            {t.number(unreadable)}
                                        </td>
                                    </tr>
                                }
                            }).collect_view())}
                        </tbody>
                    </table>
                </details>
            }
        }}
    }
}
