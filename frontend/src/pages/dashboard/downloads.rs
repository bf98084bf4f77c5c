//! Every report file and export of the analysis as a real download.

use leptos::prelude::*;
use loglens_shared::{ExportFormat, ReportFile};

use crate::api;
use crate::locale::use_texts;

/// Every report and export, as real downloads: `download` makes a normal click (or Enter)
/// save the file, and keeps the app's router from taking the link as a page of its own.
#[component]
pub(super) fn Downloads(id: String) -> impl IntoView {
    let t = use_texts();
    let lang = crate::locale::use_lang();
    let zip = api::results_zip_url(&id);
    // Workbooks and the PDF in the interface's language (the official sheet's six headers
    // stay as the organizers wrote them).
    let reports: Vec<(Signal<String>, &'static str)> = ReportFile::ALL
        .into_iter()
        .map(|r| {
            let id = id.clone();
            (
                Signal::derive(move || api::report_url(&id, r, lang.get())),
                r.file_name(),
            )
        })
        .collect();
    let exports: Vec<(Signal<String>, &'static str)> = ExportFormat::ALL
        .into_iter()
        .map(|f| {
            let id = id.clone();
            (
                Signal::derive(move || api::export_url(&id, f, lang.get())),
                f.as_str(),
            )
        })
        .collect();
    view! {
        <h3>{move || t.get().reports_title}</h3>
        <ul class="downloads" data-testid="downloads">
            <li><a data-testid="download-zip" href=zip download="" rel="external">{move || t.get().all_reports_zip}</a></li>
            {reports.into_iter().map(|(href, name)| view! {
                <li><a href=move || href.get() download="" rel="external">{name}</a></li>
            }).collect_view()}
            {exports.into_iter().map(|(href, f)| view! {
                <li><a href=move || href.get() download="" rel="external">{move || (t.get().export)(&f.to_uppercase())}</a></li>
            }).collect_view()}
        </ul>
    }
}
