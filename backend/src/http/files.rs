//! Files of a finished analysis: each report, the results zip and the exports, sent as
//! downloads named after the analysis (`<name>_submit_report.xlsx`), so two runs saved to one
//! folder do not overwrite each other; and the built-in knowledge base and playbooks as
//! templates to start one's own from.

use std::path::Path as FsPath;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use loglens_shared::vocab::content_type;
use loglens_shared::{ExportFormat, ReportFile};

use super::error::ApiError;
use super::extract::{Path, Query};
use super::sessions::{finished, load_report};
use super::state::AppState;
use crate::engine::glossary::DEFAULT_CSV;
use crate::engine::input::kb::BUILTIN_CSV;
use crate::engine::input::playbooks::BUILTIN_TOML;
use crate::engine::scan::format::user::FORMATS_TEMPLATE;
use crate::render;
use crate::render::Lang;

/// Templates offered for download, with their bytes.
pub const TEMPLATES: [(&str, &[u8]); 4] = [
    ("anomalies_problems.csv", BUILTIN_CSV),
    ("playbooks.toml", BUILTIN_TOML.as_bytes()),
    ("formats.toml", FORMATS_TEMPLATE.as_bytes()),
    ("glossary.csv", DEFAULT_CSV.as_bytes()),
];

/// The name a report is downloaded as: the analysis's name, then the report's own.
pub fn download_name(analysis: &str, report: &str) -> String {
    format!("{analysis}_{report}")
}

/// `GET /api/sessions/{id}/reports/{name}`: one report file.
pub async fn report(
    State(app): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let Some(file) = ReportFile::from_file_name(&name) else {
        return Err(ApiError::UnknownReport(name, ReportFile::names()));
    };
    let name = file.file_name();
    let lang = q.lang()?;
    if lang != Lang::Ru && file.file_name().ends_with(".xlsx") {
        // A workbook in the interface's language: made from the report on request (the
        // results keep the Russian ones the organizers' format has).
        let done = finished(&app, &id).await?;
        let report = done.report(&id).await?;
        let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
            // The workbook writer saves to a file: a private one, read and removed.
            let path = std::env::temp_dir().join(format!(
                "loglens-{}-{}",
                uuid::Uuid::new_v4(),
                file.file_name()
            ));
            let bytes = render::write_workbook(&report, file, &path, lang)
                .map_err(|e| ApiError::internal("a workbook", e))
                .and_then(|_| {
                    std::fs::read(&path).map_err(|e| ApiError::internal("a workbook", e))
                });
            let _ = std::fs::remove_file(&path);
            bytes
        })
        .await
        .map_err(|e| ApiError::internal("a workbook", e))??;
        let len = bytes.len() as u64;
        return Ok(attachment(
            Body::from(bytes),
            &download_name(&done.name, name),
            Some(len),
        ));
    }
    let done = finished(&app, &id).await?;
    send_file(&done.dir.join(name), &download_name(&done.name, name)).await
}

/// `?lang=ru|en`: the language of a rendered report's words (Russian when absent).
#[derive(Debug, Default, serde::Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

impl LangQuery {
    fn lang(&self) -> Result<Lang, ApiError> {
        match self.lang.as_deref() {
            None | Some("") => Ok(Lang::Ru),
            Some(l) => Lang::parse(l)
                .ok_or_else(|| ApiError::BadRequest(format!("unknown language {l:?}: ru or en"))),
        }
    }
}

/// `GET /api/sessions/{id}/download`: the results zip.
pub async fn download(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let done = finished(&app, &id).await?;
    let zip = done.results_zip.ok_or_else(|| {
        ApiError::internal(
            format!("sending the results of {id}"),
            "the session has no results zip",
        )
    })?;
    send_file(&done.dir.join(&zip), &zip).await
}

/// `GET /api/templates/{name}`: the built-in knowledge base, playbooks or glossary, or an
/// example log formats file, to edit and upload.
pub async fn template(Path(name): Path<String>) -> Result<Response, ApiError> {
    let (name, bytes) = TEMPLATES.iter().find(|(n, _)| *n == name).ok_or_else(|| {
        let known: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        ApiError::UnknownReport(name.clone(), known.join(", "))
    })?;
    Ok(attachment(
        Body::from(*bytes),
        name,
        Some(bytes.len() as u64),
    ))
}

/// A response that downloads `body` as `name`.
pub(super) fn attachment(body: Body, name: &str, len: Option<u64>) -> Response {
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(len) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

async fn send_file(path: &FsPath, name: &str) -> Result<Response, ApiError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| ApiError::internal(format!("opening {name}"), e))?;
    let len = file.metadata().await.map(|m| m.len()).ok();
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok(attachment(body, name, len))
}

/// RFC 6266 `attachment` with an ASCII fallback and the UTF-8 name (RFC 8187), Cyrillic included.
pub fn content_disposition(name: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 8187 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    )
}

/// `GET /api/sessions/{id}/export/{json|xml|pdf}`.
pub async fn export(
    State(app): State<AppState>,
    Path((id, format)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    let lang = q.lang()?;
    let report = load_report(&app, &id).await?;
    let stem = if report.summary.name.is_empty() {
        "loglens".to_owned()
    } else {
        report.summary.name.clone()
    };
    let stem = download_name(&stem, "export");
    let Some(export) = ExportFormat::parse(&format) else {
        return Err(ApiError::UnknownReport(
            format!("export/{format}"),
            ExportFormat::names(),
        ));
    };
    let bytes = match export {
        ExportFormat::Json => serde_json::to_vec_pretty(&report)
            .map_err(|e| ApiError::internal("the JSON export", e))?,
        ExportFormat::Xml => render::xml::to_xml(&report)
            .map_err(|e| ApiError::internal("the XML export", e))?
            .into_bytes(),
        ExportFormat::Pdf => {
            // Page layout is CPU work: keep it off the async workers.
            tokio::task::spawn_blocking(move || render::pdf::to_pdf(&report, lang))
                .await
                .map_err(|e| ApiError::internal("the PDF export", e))?
                .map_err(|e| ApiError::internal("the PDF export", e))?
        }
    };
    let name = format!("{stem}.{}", export.as_str());
    let len = bytes.len() as u64;
    Ok(attachment(Body::from(bytes), &name, Some(len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_carries_cyrillic_names() {
        let v = content_disposition("Журналы_Results_Light.zip");
        assert!(v.starts_with("attachment; filename=\""), "{v}");
        assert!(
            v.contains(
                "filename*=UTF-8''%D0%96%D1%83%D1%80%D0%BD%D0%B0%D0%BB%D1%8B_Results_Light.zip"
            ),
            "{v}"
        );
        assert_eq!(
            content_disposition("a b.zip"),
            "attachment; filename=\"a b.zip\"; filename*=UTF-8''a%20b.zip"
        );
    }

    #[test]
    fn reports_download_under_the_analysis_name() {
        assert_eq!(
            download_name("vc", "submit_report.xlsx"),
            "vc_submit_report.xlsx"
        );
    }
}
