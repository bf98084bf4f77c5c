//! The API client: every request the web app makes goes through here, typed with `shared`.

use gloo_net::http::{Request, Response};
use loglens_shared::report::AnalysisReport;
use loglens_shared::session::{ProcessAccepted, Snapshot};
use loglens_shared::urls::{api_url, websocket_url};
use loglens_shared::{ProblemDetails, VersionInfo};

use crate::i18n::Texts;

/// API base URL chosen at build time (`LOGLENS_API_BASE`); empty means the page's origin.
pub const API_BASE: &str = match option_env!("LOGLENS_API_BASE") {
    Some(base) => base,
    None => "",
};

/// Errors of the API boundary. `Display` is for logs; the UI shows [`describe`] in its language.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("network unavailable: {0}")]
    Network(String),
    #[error("the connection to the server was interrupted")]
    Interrupted,
    /// The server's problem+json `detail` (or its status text).
    #[error("{detail}")]
    Status { status: u16, detail: String },
    #[error("unexpected server response: {0}")]
    Decode(String),
}

/// The error as the user reads it, in the UI's language (the server's `detail` as sent).
pub fn describe(e: &ApiError, t: &Texts) -> String {
    match e {
        ApiError::Network(m) => (t.network_error)(m),
        ApiError::Interrupted => t.connection_lost.to_owned(),
        ApiError::Status { detail, .. } => detail.clone(),
        ApiError::Decode(m) => (t.unexpected_response)(m),
    }
}

pub fn url(path: &str) -> String {
    api_url(API_BASE, path)
}

/// The progress socket's URL for a session, resuming after `after_seq`.
pub fn progress_socket_url(id: &str, after_seq: u64) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    websocket_url(
        API_BASE,
        &origin,
        &format!("/ws/progress/{id}?after_seq={after_seq}"),
    )
}

async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<ProblemDetails>(&text)
        .map(|p| p.detail)
        .unwrap_or_else(|_| response.status_text());
    Err(ApiError::Status { status, detail })
}

async fn get_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = Request::get(&url(path))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response)
        .await?
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// `GET /api/version`.
pub async fn fetch_version() -> Result<VersionInfo, ApiError> {
    get_json("/api/version").await
}

/// `POST /process`: the archive, the model and the optional knowledge base and playbooks;
/// answers the session id. Sent with XMLHttpRequest because fetch cannot report upload
/// progress: `on_progress(sent, total)` follows the bytes leaving the browser.
pub async fn upload(
    file: &web_sys::File,
    model: &str,
    kb: Option<&web_sys::File>,
    playbooks: Option<&web_sys::File>,
    on_progress: impl Fn(f64, f64) + 'static,
) -> Result<String, ApiError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
    let form = web_sys::FormData::new().map_err(err)?;
    form.append_with_str("model", model).map_err(err)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(err)?;
    for (field, extra) in [("kb", kb), ("playbooks", playbooks)] {
        if let Some(f) = extra {
            form.append_with_blob_and_filename(field, f, &f.name())
                .map_err(err)?;
        }
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(err)?;
    xhr.open_with_async("POST", &url("/process"), true)
        .map_err(err)?;
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            on_progress(e.loaded(), e.total());
        });
    xhr.upload()
        .map_err(err)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));
    let (done_tx, done_rx) = futures::channel::oneshot::channel::<()>();
    let mut done_tx = Some(done_tx);
    let done = Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = done_tx.take() {
            let _ = tx.send(());
        }
    });
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form)).map_err(err)?;
    let _ = done_rx.await;
    drop((progress, done));
    let status = xhr.status().map_err(err)?;
    let text = xhr.response_text().map_err(err)?.unwrap_or_default();
    if status == 0 {
        return Err(ApiError::Interrupted);
    }
    if !(200..300).contains(&status) {
        let detail = serde_json::from_str::<ProblemDetails>(&text)
            .map(|p| p.detail)
            .unwrap_or_else(|_| format!("HTTP {status}"));
        return Err(ApiError::Status { status, detail });
    }
    let accepted: ProcessAccepted =
        serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok(accepted.session_id)
}

/// `GET /api/sessions/{id}`: the polling snapshot.
pub async fn snapshot(id: &str) -> Result<Snapshot, ApiError> {
    get_json(&format!("/api/sessions/{id}")).await
}

/// `POST /api/sessions/{id}/cancel`.
pub async fn cancel(id: &str) -> Result<(), ApiError> {
    let response = Request::post(&url(&format!("/api/sessions/{id}/cancel")))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await.map(|_| ())
}

/// `GET /api/sessions/{id}/result`: everything the dashboard shows.
pub async fn result(id: &str) -> Result<AnalysisReport, ApiError> {
    get_json(&format!("/api/sessions/{id}/result")).await
}

/// `GET /api/sessions`: the newest page of the history.
pub async fn sessions() -> Result<loglens_shared::session::SessionList, ApiError> {
    get_json("/api/sessions?limit=100").await
}

/// `DELETE /api/sessions/{id}`.
pub async fn delete(id: &str) -> Result<(), ApiError> {
    let response = Request::delete(&url(&format!("/api/sessions/{id}")))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await.map(|_| ())
}

/// `GET /api/sessions/compare?ids=a,b`.
pub async fn compare(a: &str, b: &str) -> Result<loglens_shared::report::Comparison, ApiError> {
    get_json(&format!("/api/sessions/compare?ids={a},{b}")).await
}
