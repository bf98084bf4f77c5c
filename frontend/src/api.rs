//! The API client: every request the web app makes goes through here, typed with `shared`.

use gloo_net::http::{Request, RequestBuilder, Response};
use loglens_shared::api::{KbChange, NotRelevant, Problem, RerunRequest};
use loglens_shared::report::AnalysisReport;
use loglens_shared::session::{ProcessAccepted, Snapshot};
use loglens_shared::{ExportFormat, ModelKind, ProblemDetails, ReportFile, VersionInfo};

use crate::urls::{api_url, websocket_url};

use crate::auth;
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
    /// The server's problem+json: its typed `code` and facts, and its English `detail`.
    #[error("{detail}")]
    Status {
        status: u16,
        problem: Problem,
        detail: String,
    },
    #[error("unexpected server response: {0}")]
    Decode(String),
}

impl ApiError {
    /// The server's problem, if the server answered with one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Status { problem, .. } => Some(problem),
            _ => None,
        }
    }
}

/// The error as the user reads it, in the UI's language.
pub fn describe(e: &ApiError, t: &Texts) -> String {
    match e {
        ApiError::Network(m) => (t.network_error)(m),
        ApiError::Interrupted => t.connection_lost.to_owned(),
        ApiError::Status {
            problem, detail, ..
        } => (t.problem)(problem, detail),
        ApiError::Decode(m) => (t.unexpected_response)(m),
    }
}

/// A problem+json body (or, from something else than LogLens, the status text).
fn status_error(status: u16, body: &str, status_text: String) -> ApiError {
    match serde_json::from_str::<ProblemDetails>(body) {
        Ok(p) => ApiError::Status {
            status,
            problem: p.problem,
            detail: p.detail,
        },
        Err(_) => ApiError::Status {
            status,
            problem: Problem::Unknown,
            detail: status_text,
        },
    }
}

/// Where a report file of a finished analysis downloads from; a workbook's words in `lang`.
pub fn report_url(id: &str, report: ReportFile, lang: crate::i18n::Lang) -> String {
    auth::with_token(url(&format!(
        "/api/sessions/{id}/reports/{}?lang={}",
        report.file_name(),
        lang.code()
    )))
}

/// The results zip of a finished analysis.
pub fn results_zip_url(id: &str) -> String {
    auth::with_token(url(&format!("/api/sessions/{id}/download")))
}

/// An export (`json`, `xml`, `pdf`) of a finished analysis; the PDF's words in `lang`.
pub fn export_url(id: &str, format: ExportFormat, lang: crate::i18n::Lang) -> String {
    auth::with_token(url(&format!(
        "/api/sessions/{id}/export/{}?lang={}",
        format.as_str(),
        lang.code()
    )))
}

/// A template to start one's own knowledge base or playbooks from.
pub fn template_url(name: &str) -> String {
    auth::with_token(url(&format!("/api/templates/{name}")))
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

/// The request with the tab's token, if it signed in.
fn authorized(request: RequestBuilder) -> RequestBuilder {
    match auth::token() {
        Some(t) => request.header("Authorization", &format!("Bearer {t}")),
        None => request,
    }
}

/// A 401 opens the sign-in form (the token was refused, or none was sent).
fn on_status(status: u16) {
    if status == 401 {
        auth::ask(if auth::token().is_some() {
            auth::Ask::Rejected
        } else {
            auth::Ask::First
        });
    }
}

async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    on_status(status);
    let text = response.text().await.unwrap_or_default();
    Err(status_error(status, &text, response.status_text()))
}

async fn get_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send_json(Request::get(&url(path))).await
}

/// Sends `request` with the tab's token and decodes the JSON answer (or its problem).
async fn send_json<T: serde::de::DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
    let response = authorized(request)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response)
        .await?
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// Whether the server accepts `token`: one cheap guarded call, made before the sign-in form
/// keeps it.
pub async fn accepts_token(token: &str) -> Result<bool, ApiError> {
    let response = Request::get(&url("/api/sessions?limit=1"))
        .header("Authorization", &format!("Bearer {}", token.trim()))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.status() == 401 {
        return Ok(false);
    }
    let status = response.status();
    if response.ok() {
        return Ok(true);
    }
    let text = response.text().await.unwrap_or_default();
    Err(status_error(status, &text, response.status_text()))
}

/// `GET /api/version` (and whether uploads may be resumable from now on).
pub async fn fetch_version() -> Result<VersionInfo, ApiError> {
    let v: VersionInfo = get_json("/api/version").await?;
    RESUMABLE.with(|r| r.set(v.resumable_uploads));
    Ok(v)
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/resumable.js")]
extern "C" {
    /// The archive's resumable upload (tus 1.0, tus-js-client): `js/resumable.js`.
    #[derive(Clone)]
    type Resumable;
    #[wasm_bindgen(constructor)]
    fn new(
        file: &web_sys::File,
        endpoint: &str,
        token: Option<String>,
        on_progress: &js_sys::Function,
        on_resume: &js_sys::Function,
        on_done: &js_sys::Function,
        on_fail: &js_sys::Function,
    ) -> Resumable;
    #[wasm_bindgen(method)]
    fn start(this: &Resumable);
    #[wasm_bindgen(method)]
    fn abort(this: &Resumable);
    #[wasm_bindgen(method)]
    fn forget(this: &Resumable);
}

type Closure<T> = wasm_bindgen::closure::Closure<T>;
type Shared<T> = std::rc::Rc<std::cell::RefCell<T>>;

thread_local! {
    /// Whether this server takes resumable uploads (`/api/version`), known once it answered.
    static RESUMABLE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// An upload in flight. Where the server takes resumable uploads, in two steps: the archive as
/// a resumable upload (`/api/uploads`, tus: a broken connection or a reloaded page goes on from
/// the bytes the server holds), then `POST /process` naming it, with the model and the optional
/// files (small). Otherwise the archive goes in the `/process` form itself. Both over
/// XMLHttpRequest, because fetch cannot report upload progress. [`UploadAbort::abort`] stops
/// either: the server then keeps nothing.
pub struct Upload {
    first: First,
    model: ModelKind,
    extras: Extras,
    xhr: Shared<Option<web_sys::XmlHttpRequest>>,
    aborted: std::rc::Rc<std::cell::Cell<bool>>,
}

/// How the archive travels.
enum First {
    Resumable {
        resumable: Resumable,
        sent: futures::channel::oneshot::Receiver<Result<String, ApiError>>,
        _callbacks: ResumableCallbacks,
    },
    /// In the `/process` form, already sent.
    Direct(Posted),
}

/// The resumable upload's callbacks, kept alive as long as it may call them.
struct ResumableCallbacks {
    _progress: Closure<dyn FnMut(f64, f64)>,
    _resume: Closure<dyn FnMut(f64, f64)>,
    _done: Closure<dyn FnMut(String)>,
    _fail: Closure<dyn FnMut(u16, String, String)>,
}

/// A form on its way to `POST /process`, with the callbacks its request calls.
struct Posted {
    xhr: web_sys::XmlHttpRequest,
    done: futures::channel::oneshot::Receiver<()>,
    _progress: Option<Closure<dyn FnMut(web_sys::ProgressEvent)>>,
    _done: Closure<dyn FnMut()>,
}

impl Posted {
    /// Sends `form`; `on_progress(sent, total)` follows its bytes leaving the browser.
    fn send(
        form: &web_sys::FormData,
        on_progress: Option<Box<dyn Fn(f64, f64)>>,
    ) -> Result<Posted, ApiError> {
        use wasm_bindgen::JsCast;
        let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
        let xhr = web_sys::XmlHttpRequest::new().map_err(err)?;
        xhr.open_with_async("POST", &url("/process"), true)
            .map_err(err)?;
        if let Some(t) = auth::token() {
            xhr.set_request_header("Authorization", &format!("Bearer {t}"))
                .map_err(err)?;
        }
        let progress = match on_progress {
            Some(f) => {
                let c = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                    move |e: web_sys::ProgressEvent| f(e.loaded(), e.total()),
                );
                xhr.upload()
                    .map_err(err)?
                    .set_onprogress(Some(c.as_ref().unchecked_ref()));
                Some(c)
            }
            None => None,
        };
        let (done_tx, done_rx) = futures::channel::oneshot::channel::<()>();
        let mut done_tx = Some(done_tx);
        let done = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = done_tx.take() {
                let _ = tx.send(());
            }
        });
        xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
        xhr.send_with_opt_form_data(Some(form)).map_err(err)?;
        Ok(Posted {
            xhr,
            done: done_rx,
            _progress: progress,
            _done: done,
        })
    }

    /// The server's answer: the new session's id.
    async fn answer(self) -> Result<String, ApiError> {
        let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
        let _ = self.done.await;
        let status = self.xhr.status().map_err(err)?;
        let text = self.xhr.response_text().map_err(err)?.unwrap_or_default();
        if status == 0 {
            return Err(ApiError::Interrupted);
        }
        if !(200..300).contains(&status) {
            on_status(status);
            return Err(status_error(status, &text, format!("HTTP {status}")));
        }
        let accepted: ProcessAccepted =
            serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(accepted.session_id)
    }
}

/// A handle that aborts an [`Upload`] (cheap to clone, usable after the upload was awaited).
#[derive(Clone)]
pub struct UploadAbort {
    resumable: Option<Resumable>,
    xhr: Shared<Option<web_sys::XmlHttpRequest>>,
    aborted: std::rc::Rc<std::cell::Cell<bool>>,
}

impl UploadAbort {
    pub fn abort(&self) {
        self.aborted.set(true);
        if let Some(r) = &self.resumable {
            r.abort();
        }
        if let Some(xhr) = self.xhr.borrow().as_ref() {
            let _ = xhr.abort();
        }
    }
}

/// The optional files sent beside the archive, each in its own form field.
#[derive(Default)]
pub struct Extras {
    pub kb: Option<web_sys::File>,
    pub playbooks: Option<web_sys::File>,
    pub formats: Option<web_sys::File>,
    pub glossary: Option<web_sys::File>,
}

impl Extras {
    fn fields(&self) -> [(&'static str, Option<&web_sys::File>); 4] {
        [
            ("kb", self.kb.as_ref()),
            ("playbooks", self.playbooks.as_ref()),
            ("formats", self.formats.as_ref()),
            ("glossary", self.glossary.as_ref()),
        ]
    }
}

impl Upload {
    /// Starts sending the archive; `on_progress(sent, total)` follows its bytes, `on_resume(offset,
    /// total)` says an earlier upload of this file goes on from `offset`.
    pub fn start(
        file: &web_sys::File,
        model: ModelKind,
        extras: Extras,
        on_progress: impl Fn(f64, f64) + 'static,
        on_resume: impl Fn(f64, f64) + 'static,
    ) -> Result<Upload, ApiError> {
        let xhr = Shared::default();
        let first = if RESUMABLE.with(std::cell::Cell::get) {
            Self::resumable(file, on_progress, on_resume)
        } else {
            let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
            let form = Self::form(model, &extras, |form| {
                form.append_with_blob_and_filename("file", file, &file.name())
            })
            .map_err(err)?;
            let posted = Posted::send(&form, Some(Box::new(on_progress)))?;
            *xhr.borrow_mut() = Some(posted.xhr.clone());
            First::Direct(posted)
        };
        Ok(Upload {
            first,
            model,
            extras,
            xhr,
            aborted: std::rc::Rc::default(),
        })
    }

    fn resumable(
        file: &web_sys::File,
        on_progress: impl Fn(f64, f64) + 'static,
        on_resume: impl Fn(f64, f64) + 'static,
    ) -> First {
        use wasm_bindgen::JsCast;
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let (tx, rx) = futures::channel::oneshot::channel::<Result<String, ApiError>>();
        let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
        let done_tx = std::rc::Rc::clone(&tx);
        let progress = Closure::<dyn FnMut(f64, f64)>::new(on_progress);
        let resume = Closure::<dyn FnMut(f64, f64)>::new(on_resume);
        let done = Closure::<dyn FnMut(String)>::new(move |location: String| {
            if let Some(tx) = done_tx.borrow_mut().take() {
                let _ = tx.send(Ok(location));
            }
        });
        let fail = Closure::<dyn FnMut(u16, String, String)>::new(
            move |status: u16, body: String, message: String| {
                let error = match status {
                    0 if message == "aborted" => ApiError::Interrupted,
                    0 => ApiError::Network(message),
                    _ => {
                        on_status(status);
                        status_error(status, &body, format!("HTTP {status}"))
                    }
                };
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(Err(error));
                }
            },
        );
        let resumable = Resumable::new(
            file,
            &format!("{origin}{}", url("/api/uploads")),
            auth::token(),
            progress.as_ref().unchecked_ref(),
            resume.as_ref().unchecked_ref(),
            done.as_ref().unchecked_ref(),
            fail.as_ref().unchecked_ref(),
        );
        resumable.start();
        First::Resumable {
            resumable,
            sent: rx,
            _callbacks: ResumableCallbacks {
                _progress: progress,
                _resume: resume,
                _done: done,
                _fail: fail,
            },
        }
    }

    /// The `/process` form: the model, the archive (`archive` adds it) and the optional files.
    fn form(
        model: ModelKind,
        extras: &Extras,
        archive: impl FnOnce(&web_sys::FormData) -> Result<(), wasm_bindgen::JsValue>,
    ) -> Result<web_sys::FormData, wasm_bindgen::JsValue> {
        let form = web_sys::FormData::new()?;
        form.append_with_str("model", model.as_str())?;
        archive(&form)?;
        for (field, extra) in extras.fields() {
            if let Some(f) = extra {
                form.append_with_blob_and_filename(field, f, &f.name())?;
            }
        }
        Ok(form)
    }

    pub fn aborter(&self) -> UploadAbort {
        UploadAbort {
            resumable: match &self.first {
                First::Resumable { resumable, .. } => Some(resumable.clone()),
                First::Direct(_) => None,
            },
            xhr: std::rc::Rc::clone(&self.xhr),
            aborted: std::rc::Rc::clone(&self.aborted),
        }
    }

    /// Waits for the archive and the server's answer: the new session's id.
    pub async fn finish(self) -> Result<String, ApiError> {
        let (resumable, _callbacks, sent) = match self.first {
            First::Direct(posted) => return posted.answer().await,
            First::Resumable {
                resumable,
                sent,
                _callbacks,
            } => (resumable, _callbacks, sent),
        };
        let location = sent.await.unwrap_or(Err(ApiError::Interrupted))?;
        if self.aborted.get() {
            return Err(ApiError::Interrupted);
        }
        let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
        let form = Self::form(self.model, &self.extras, |form| {
            form.append_with_str("upload", &location)
        })
        .map_err(err)?;
        let posted = Posted::send(&form, None)?;
        *self.xhr.borrow_mut() = Some(posted.xhr.clone());
        let id = posted.answer().await?;
        // Accepted: the server has forgotten the upload, and so may this browser.
        resumable.forget();
        Ok(id)
    }
}

/// `GET /api/sessions/{id}`: the polling snapshot.
pub async fn snapshot(id: &str) -> Result<Snapshot, ApiError> {
    get_json(&format!("/api/sessions/{id}")).await
}

/// `POST /api/sessions/{id}/cancel`.
pub async fn cancel(id: &str) -> Result<(), ApiError> {
    let response = authorized(Request::post(&url(&format!("/api/sessions/{id}/cancel"))))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await.map(|_| ())
}

/// `POST /api/sessions/{id}/pause` or `/resume` (`what`): the session as it is now.
pub async fn pause_or_resume(id: &str, what: PauseResume) -> Result<Snapshot, ApiError> {
    send_json(Request::post(&url(&format!(
        "/api/sessions/{id}/{}",
        what.path()
    ))))
    .await
}

/// Which of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseResume {
    Pause,
    Resume,
}

impl PauseResume {
    fn path(self) -> &'static str {
        match self {
            PauseResume::Pause => "pause",
            PauseResume::Resume => "resume",
        }
    }
}

/// `GET /api/sessions/{id}/result`: everything the dashboard shows.
pub async fn result(id: &str) -> Result<AnalysisReport, ApiError> {
    get_json(&format!("/api/sessions/{id}/result")).await
}

/// `GET /api/sessions`: a page of the history, newest first (of `state`, whose upload's name
/// holds `words`, when given).
pub async fn sessions(
    state: Option<loglens_shared::session::JobState>,
    words: &str,
    limit: usize,
    offset: usize,
) -> Result<loglens_shared::session::SessionList, ApiError> {
    let mut path = format!("/api/sessions?limit={limit}&offset={offset}");
    if let Some(s) = state {
        path.push_str(&format!("&state={}", s.as_str()));
    }
    if !words.trim().is_empty() {
        let q: String = js_sys::encode_uri_component(words.trim()).into();
        path.push_str(&format!("&q={q}"));
    }
    get_json(&path).await
}

/// The newest analysis that finished with results, if any (`/dashboard` without an id).
pub async fn latest_finished() -> Result<Option<String>, ApiError> {
    let list: loglens_shared::session::SessionList =
        get_json("/api/sessions?state=succeeded&limit=1").await?;
    Ok(list.sessions.into_iter().next().map(|s| s.session_id))
}

/// `DELETE /api/sessions/{id}`.
pub async fn delete(id: &str) -> Result<(), ApiError> {
    let response = authorized(Request::delete(&url(&format!("/api/sessions/{id}"))))
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await.map(|_| ())
}

/// `GET /api/kb/{hash}/not-relevant`: the links marked not relevant under a knowledge base.
pub async fn not_relevant(kb_hash: &str) -> Result<Vec<NotRelevant>, ApiError> {
    get_json(&format!("/api/kb/{kb_hash}/not-relevant")).await
}

/// `PUT` (`marked`) or `DELETE` `/api/kb/{hash}/not-relevant/{anomaly}/{problem}`.
pub async fn set_not_relevant(mark: &NotRelevant, marked: bool) -> Result<(), ApiError> {
    let at = url(&format!(
        "/api/kb/{}/not-relevant/{}/{}",
        mark.kb_hash, mark.anomaly_id, mark.problem_id
    ));
    let request = if marked {
        Request::put(&at)
    } else {
        Request::delete(&at)
    };
    let response = authorized(request)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await.map(|_| ())
}

/// `POST /api/sessions/{id}/kb`: the new version of the knowledge base, saved by the browser as
/// a download under the server's name for it.
pub async fn download_kb(id: &str, change: &KbChange) -> Result<(), ApiError> {
    use wasm_bindgen::JsCast;
    let response = authorized(Request::post(&url(&format!("/api/sessions/{id}/kb"))))
        .json(change)
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = check(response).await?;
    let name = response
        .headers()
        .get("content-disposition")
        .and_then(|d| {
            d.split("filename=\"")
                .nth(1)
                .map(|n| n.split('"').next().unwrap_or(n).to_owned())
        })
        .unwrap_or_else(|| "knowledge_base.csv".to_owned());
    let bytes = response
        .binary()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let err = |e: wasm_bindgen::JsValue| ApiError::Network(format!("{e:?}"));
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(err)?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ApiError::Network("no document".into()))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| ApiError::Network("no anchor".into()))?;
    a.set_href(&href);
    a.set_download(&name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(())
}

/// `POST /api/sessions/{id}/rerun` with a new version of the knowledge base; the new id.
pub async fn rerun_with_kb(id: &str, change: KbChange) -> Result<String, ApiError> {
    let response = authorized(Request::post(&url(&format!("/api/sessions/{id}/rerun"))))
        .json(&RerunRequest {
            model: None,
            kb: Some(change),
        })
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = check(response).await?;
    let accepted: ProcessAccepted = response
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok(accepted.session_id)
}

/// `POST /api/sessions/{id}/rerun`: the same upload again with `model`; the new session's id.
pub async fn rerun(id: &str, model: ModelKind) -> Result<String, ApiError> {
    let response = authorized(Request::post(&url(&format!("/api/sessions/{id}/rerun"))))
        .json(&RerunRequest {
            model: Some(model),
            kb: None,
        })
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let accepted: ProcessAccepted = check(response)
        .await?
        .json()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    Ok(accepted.session_id)
}

/// `GET /api/sessions/compare?ids=a,b`.
pub async fn compare(a: &str, b: &str) -> Result<loglens_shared::report::Comparison, ApiError> {
    get_json(&format!("/api/sessions/compare?ids={a},{b}")).await
}
