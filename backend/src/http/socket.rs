//! `GET /ws/progress/{session_id}[?after_seq=N]`: live progress without losing anything.
//!
//! Order of work on connect (SPEC §4.1): subscribe to the job's channel first, then read the
//! snapshot, replay persisted events after `after_seq`, send the snapshot, then forward live
//! events with `seq` above the snapshot's. A lagging watcher gets a fresh snapshot instead of
//! being dropped; a finished job gets its snapshot and a close 1000. A client that sends
//! nothing (the web app sends `ping` every 30 s) for the idle timeout is closed with 4000; a
//! peer that stops answering protocol pings with 1001. Closing is a handshake either way.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use loglens_shared::LocalizedText;
use loglens_shared::session::{ServerMessage, TerminalMessage};

use crate::say;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use super::state::AppState;

/// Application heartbeat (`{"type":"heartbeat"}`): browser code cannot see protocol pings.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);
/// Protocol ping; the socket is closed after this many unanswered ones.
pub const PING_EVERY: Duration = Duration::from_secs(20);
pub const MAX_MISSED_PONGS: u32 = 2;
/// Largest message (and frame) a client may send: it only ever sends `ping`.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;
/// Close code of an idle socket (the client sent nothing for the idle timeout): distinct from
/// 1000 "finished", so a client knows to reconnect (with `after_seq`) if it still cares.
pub const CLOSE_IDLE: u16 = 4000;
/// How long a closing socket waits for the peer's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// `?after_seq=N`: the last event the client has; without it nothing is replayed.
#[derive(Debug, serde::Deserialize)]
pub struct ResumeFrom {
    pub after_seq: Option<u64>,
}

pub async fn progress(
    ws: WebSocketUpgrade,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ResumeFrom>,
) -> Response {
    let after = query.after_seq;
    // Browsers may carry the token as the sub-protocol pair `bearer, <token>`: accepting
    // `bearer` completes their handshake.
    ws.protocols(["bearer"])
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| watch(socket, app, id, after))
}

async fn send(socket: &mut WebSocket, msg: &ServerMessage) -> bool {
    match serde_json::to_string(msg) {
        Ok(text) => socket
            .send(Message::Text(Utf8Bytes::from(text)))
            .await
            .is_ok(),
        Err(_) => false,
    }
}

/// Starts the closing handshake and waits (briefly) for the peer's answer, so the TCP
/// connection ends after both close frames, as RFC 6455 asks.
async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let sent = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason),
        })))
        .await;
    if sent.is_ok() {
        finish_close(socket).await;
    }
}

/// Reads until the peer's close frame (or the end): reading also flushes the close reply the
/// library queued when the peer closed first — without it the peer sees 1006, not its code.
async fn finish_close(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(frame)) = socket.recv().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn watch(mut socket: WebSocket, app: AppState, id: String, after: Option<u64>) {
    tracing::info!(session = %id, after_seq = ?after, "watcher connected");
    // 1. subscribe first, so nothing published from now on can be missed
    let mut rx = app.jobs.subscribe(&id);
    let result = serve(&mut socket, &app, &id, after, &mut rx).await;
    drop(rx);
    app.jobs.release(&id);
    tracing::info!(session = %id, end = ?result, "watcher left");
}

#[derive(Debug)]
enum End {
    Finished,
    UnknownSession,
    ClientGone,
    Idle,
    NoPong,
    Shutdown,
    StoreError,
}

async fn serve(
    socket: &mut WebSocket,
    app: &AppState,
    id: &str,
    after: Option<u64>,
    rx: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<ServerMessage>>,
) -> End {
    // 2. the snapshot
    let Ok(snapshot) = app.jobs.snapshot(id).await else {
        return store_error(socket).await;
    };
    let Some(snapshot) = snapshot else {
        let deleted = app.jobs.was_deleted(id).await.unwrap_or(false);
        let (text, code) = if deleted {
            (
                LocalizedText::new("Этот анализ удалён", "This analysis was deleted"),
                "deleted_session",
            )
        } else {
            (
                say!("нет сессии {id}", "no session {id}"),
                "unknown_session",
            )
        };
        let msg = ServerMessage::Error(TerminalMessage {
            seq: 0,
            session_id: id.to_owned(),
            text,
            code: Some(code.into()),
        });
        send(socket, &msg).await;
        close(socket, close_code::POLICY, "unknown session").await;
        return End::UnknownSession;
    };
    // 3. replay what the client missed (only up to the snapshot: later ones come live)
    if let Some(after) = after {
        let Ok(events) = app.jobs.events_after(id, after).await else {
            return store_error(socket).await;
        };
        for e in events
            .iter()
            .filter(|e| e.seq().is_some_and(|s| s <= snapshot.seq))
        {
            if !send(socket, e).await {
                return End::ClientGone;
            }
        }
    }
    // 4. the snapshot itself
    let mut last = snapshot.seq;
    let terminal = snapshot.state.is_terminal();
    if !send(socket, &ServerMessage::Snapshot(snapshot)).await {
        return End::ClientGone;
    }
    if terminal {
        close(socket, close_code::NORMAL, "finished").await;
        return End::Finished;
    }
    // 5. live events, heartbeats, pings, idle timeout, shutdown
    let mut heartbeat = interval(HEARTBEAT_EVERY);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    heartbeat.reset();
    let mut ping = interval(PING_EVERY);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ping.reset();
    let mut missed_pongs = 0u32;
    let mut idle_deadline = Instant::now() + app.ws_idle_timeout;
    let mut shutdown = app.shutdown.clone();
    loop {
        tokio::select! {
            live = rx.recv() => match live {
                Ok(msg) => {
                    if msg.seq().is_some_and(|s| s > last) {
                        last = msg.seq().unwrap_or(last);
                        if !send(socket, &msg).await {
                            return End::ClientGone;
                        }
                        if msg.is_terminal() {
                            close(socket, close_code::NORMAL, "finished").await;
                            return End::Finished;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => {
                    // Lagged: catch up with a fresh snapshot. Closed: the job ended and the
                    // channel was dropped after its terminal event; the store has it.
                    // Subscribe again *before* reading the snapshot (as on connect), so an
                    // event published in between comes live.
                    *rx = app.jobs.subscribe(id);
                    let Ok(Some(snap)) = app.jobs.snapshot(id).await else {
                        return store_error(socket).await;
                    };
                    if let Ok(events) = app.jobs.events_after(id, last).await {
                        for e in events.iter().filter(|e| e.is_terminal()) {
                            if !send(socket, e).await {
                                return End::ClientGone;
                            }
                        }
                    }
                    last = snap.seq;
                    let done = snap.state.is_terminal();
                    if !send(socket, &ServerMessage::Snapshot(snap)).await {
                        return End::ClientGone;
                    }
                    if done {
                        close(socket, close_code::NORMAL, "finished").await;
                        return End::Finished;
                    }
                }
            },
            frame = socket.recv() => {
                match frame {
                    // Idle means the client said nothing: its messages count, the
                    // protocol's pongs (the browser answers those by itself) do not.
                    Some(Ok(Message::Text(t))) => {
                        idle_deadline = Instant::now() + app.ws_idle_timeout;
                        let t = t.as_str().trim();
                        if (t == "ping" || t.contains("\"ping\"")) && !send(socket, &ServerMessage::Pong).await {
                            return End::ClientGone;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => idle_deadline = Instant::now() + app.ws_idle_timeout,
                    Some(Ok(Message::Pong(_))) => missed_pongs = 0,
                    Some(Ok(Message::Close(_))) => {
                        // The client closed first: answer its close frame before hanging up.
                        finish_close(socket).await;
                        return End::ClientGone;
                    }
                    None | Some(Err(_)) => return End::ClientGone,
                    Some(Ok(_)) => {}
                }
            }
            _ = heartbeat.tick() => {
                if !send(socket, &ServerMessage::Heartbeat).await {
                    return End::ClientGone;
                }
            }
            _ = ping.tick() => {
                if missed_pongs >= MAX_MISSED_PONGS {
                    close(socket, close_code::AWAY, "no pong").await;
                    return End::NoPong;
                }
                missed_pongs += 1;
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return End::ClientGone;
                }
            }
            () = sleep_until(idle_deadline) => {
                close(socket, CLOSE_IDLE, "idle timeout").await;
                return End::Idle;
            }
            () = stopped(&mut shutdown) => {
                close(socket, close_code::AWAY, "server shutting down").await;
                return End::Shutdown;
            }
        }
    }
}

/// The store could not be read: closed with 1011, so the client comes back (with
/// `after_seq`) rather than taking the silence for the end.
async fn store_error(socket: &mut WebSocket) -> End {
    close(socket, close_code::ERROR, "store unavailable, reconnect").await;
    End::StoreError
}

/// Resolves once the server shuts down (the watch guard is dropped before anything awaits).
async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await.map(|_| ());
}
