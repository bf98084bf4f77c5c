//! Watches one session: the WebSocket first, reconnecting with backoff and resuming with
//! `after_seq`; polling `GET /api/sessions/{id}` when sockets are unavailable or keep failing.
//! Both transports feed the same reducer (`SessionView::apply`), so the user sees the same
//! overlay either way and the outcome arrives exactly once.

use crate::watch::{Backoff, Outcome, SessionView};
use futures::StreamExt;
use futures::channel::mpsc;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use loglens_shared::session::ServerMessage;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::i18n::Texts;

/// Which transport currently delivers progress (shown by a small indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Connecting,
    WebSocket,
    Polling,
}

impl Transport {
    pub fn label(self, t: &Texts) -> &'static str {
        match self {
            Transport::Connecting => t.connecting,
            Transport::WebSocket => "WebSocket",
            Transport::Polling => t.polling,
        }
    }
}

/// Polling interval when the server gives no Retry-After.
const POLL_EVERY_MS: u32 = 1_000;

/// The app says `ping` this often: the server closes sockets whose client says nothing.
const PING_EVERY_MS: u32 = 30_000;

enum SocketEvent {
    Message(String),
    Closed,
}

enum SocketEnd {
    Finished,
    /// The socket failed; `opened` says whether it had connected at all.
    Failed {
        opened: bool,
    },
}

fn websocket_available() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::get(&w, &"WebSocket".into()).is_ok_and(|v| v.is_function())
    })
}

/// Starts watching `id`; `on_done` runs once with the outcome.
pub fn watch(
    id: String,
    view: RwSignal<SessionView>,
    transport: RwSignal<Transport>,
    on_done: impl Fn(Outcome) + 'static,
) {
    leptos::task::spawn_local(async move {
        let mut backoff = Backoff::default();
        let on_done = &on_done;
        let apply = move |msg: &ServerMessage| {
            // `try_`: the page that owns the view may be gone (after navigating away).
            if let Some(Some(o)) = view.try_update(|v| v.apply(msg)) {
                on_done(o);
            }
        };
        if websocket_available() {
            loop {
                let _ = transport.try_set(Transport::Connecting);
                match run_socket(&id, view, transport, &apply).await {
                    SocketEnd::Finished => return,
                    SocketEnd::Failed { opened } => {
                        if opened {
                            backoff.reset();
                        }
                        let delay = backoff.next_delay_ms(js_sys::Math::random());
                        if backoff.should_poll() {
                            break;
                        }
                        TimeoutFuture::new(u32::try_from(delay).unwrap_or(u32::MAX)).await;
                    }
                }
            }
        }
        let _ = transport.try_set(Transport::Polling);
        poll(&id, view, &apply).await;
    });
}

async fn run_socket(
    id: &str,
    view: RwSignal<SessionView>,
    transport: RwSignal<Transport>,
    apply: &impl Fn(&ServerMessage),
) -> SocketEnd {
    let Some(after) = view.try_with_untracked(|v| v.last_seq) else {
        return SocketEnd::Finished;
    };
    let url = api::progress_socket_url(id, after);
    // With a token, it rides as the sub-protocol pair `bearer, <token>` (no headers here).
    let opened = match crate::auth::token() {
        Some(t) => {
            let protocols = js_sys::Array::of2(&"bearer".into(), &t.into());
            web_sys::WebSocket::new_with_str_sequence(&url, &protocols)
        }
        None => web_sys::WebSocket::new(&url),
    };
    let Ok(ws) = opened else {
        return SocketEnd::Failed { opened: false };
    };
    let (tx, mut rx) = mpsc::unbounded::<SocketEvent>();
    let on_message = {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                let _ = tx.unbounded_send(SocketEvent::Message(text));
            }
        })
    };
    let on_close = {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |_e: web_sys::CloseEvent| {
            let _ = tx.unbounded_send(SocketEvent::Closed);
        })
    };
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    {
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            loop {
                TimeoutFuture::new(PING_EVERY_MS).await;
                match ws.ready_state() {
                    web_sys::WebSocket::OPEN => {
                        let _ = ws.send_with_str("ping");
                    }
                    web_sys::WebSocket::CONNECTING => {}
                    _ => break,
                }
            }
        });
    }
    let mut opened = false;
    while let Some(event) = rx.next().await {
        match event {
            SocketEvent::Message(text) => {
                if !opened {
                    opened = true;
                    let _ = transport.try_set(Transport::WebSocket);
                }
                if let Ok(msg) = serde_json::from_str::<ServerMessage>(&text) {
                    apply(&msg);
                }
            }
            SocketEvent::Closed => break,
        }
    }
    ws.set_onmessage(None);
    ws.set_onclose(None);
    drop((on_message, on_close));
    if finished(view) {
        SocketEnd::Finished
    } else {
        SocketEnd::Failed { opened }
    }
}

/// Finished, or nobody is watching any more (the view was disposed with its page).
fn finished(view: RwSignal<SessionView>) -> bool {
    view.try_with_untracked(SessionView::is_finished)
        .unwrap_or(true)
}

async fn poll(id: &str, view: RwSignal<SessionView>, apply: &impl Fn(&ServerMessage)) {
    loop {
        match api::snapshot(id).await {
            Ok(snapshot) => apply(&ServerMessage::Snapshot(snapshot)),
            Err(api::ApiError::Status {
                status: status @ (404 | 410),
                problem,
                detail,
            }) => {
                let (ru, en) = (
                    crate::problems::problem_ru(&problem, &detail),
                    crate::problems::problem_en(&problem, &detail),
                );
                apply(&ServerMessage::Error(
                    loglens_shared::session::TerminalMessage {
                        seq: 0,
                        session_id: id.to_owned(),
                        text: loglens_shared::LocalizedText::new(ru, en),
                        code: Some(
                            if status == 410 {
                                "deleted_session"
                            } else {
                                "unknown_session"
                            }
                            .into(),
                        ),
                    },
                ));
            }
            Err(_) => {} // a network blip: try again
        }
        if finished(view) {
            return;
        }
        TimeoutFuture::new(POLL_EVERY_MS).await;
    }
}
