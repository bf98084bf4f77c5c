//! Live progress over real sockets: nothing lost, nothing twice, polling equivalent.

use std::collections::BTreeSet;

use loglens_shared::Stage;
use loglens_shared::session::{JobState, ServerMessage, Snapshot};

use crate::helpers::*;

#[tokio::test]
async fn socket_sees_all_eleven_stages_in_order_and_one_terminal_message() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let mut ws = connect(&app.addr.to_string(), &id, Some(0)).await;
    let (msgs, close) = read_all(&mut ws).await;
    assert_eq!(close, Some(1000));
    // every persisted event exactly once, in order, from 1
    let s = seqs(&msgs);
    assert_eq!(
        s,
        (1..=*s.last().expect("events")).collect::<Vec<_>>(),
        "{msgs:#?}"
    );
    let stages: Vec<Stage> = msgs
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Progress(p) => Some(p.stage_key),
            _ => None,
        })
        .collect();
    let distinct: BTreeSet<Stage> = stages.iter().copied().collect();
    assert_eq!(distinct.len(), 11, "{stages:?}");
    assert!(stages.windows(2).all(|w| w[0] <= w[1]), "{stages:?}");
    let percents = percents(&msgs);
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
    assert_eq!(msgs.iter().filter(|m| m.is_terminal()).count(), 1);
    let last = msgs
        .iter()
        .rev()
        .find(|m| m.is_terminal())
        .expect("terminal");
    assert!(
        matches!(last, ServerMessage::Complete(t)
            if t.text.ru.contains("завершен") && t.text.en == "Log analysis complete"),
        "{last:?}"
    );
    // every progress message comes in both UI languages
    for m in &msgs {
        if let ServerMessage::Progress(p) = m {
            assert!(!p.text.ru.is_empty() && !p.text.en.is_empty(), "{p:?}");
            assert!(
                !p.text
                    .en
                    .chars()
                    .any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "English without Cyrillic: {p:?}"
            );
        }
    }
    // the report is there: the 8 official rows
    let result: serde_json::Value = app
        .get(&format!("/api/sessions/{id}/result"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(result["links"].as_array().expect("links").len(), 8);
}

#[tokio::test]
async fn late_and_reconnecting_clients_get_every_event_exactly_once() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let addr = app.addr.to_string();
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    // a client reads a few messages, drops, and comes back with the last seq it had
    let mut first = connect(&addr, &id, Some(0)).await;
    let mut got: Vec<ServerMessage> = Vec::new();
    while got
        .iter()
        .filter(|m| !matches!(m, ServerMessage::Snapshot(_)))
        .count()
        < 3
    {
        use futures_util::StreamExt;
        match first.next().await {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                let m: ServerMessage = serde_json::from_str(t.as_str()).expect("json");
                if m.is_terminal() {
                    got.push(m);
                    break;
                }
                if m != ServerMessage::Heartbeat {
                    got.push(m);
                }
            }
            other => panic!("socket ended early: {other:?}"),
        }
    }
    drop(first);
    let resume_from = *seqs(&got).last().expect("some events");
    let mut second = connect(&addr, &id, Some(resume_from)).await;
    let (rest, close) = read_all(&mut second).await;
    assert_eq!(close, Some(1000));
    let mut all = seqs(&got);
    all.extend(seqs(&rest));
    let last = *all.last().expect("events");
    assert_eq!(
        all,
        (1..=last).collect::<Vec<_>>(),
        "every event once, in order"
    );
    // a client arriving after the end gets the snapshot and a close 1000 — and the whole
    // log when it asks for it
    wait_done(&app.client, &base, &id).await;
    let mut late = connect(&addr, &id, Some(0)).await;
    let (replayed, close) = read_all(&mut late).await;
    assert_eq!(close, Some(1000));
    assert_eq!(seqs(&replayed), (1..=last).collect::<Vec<_>>());
    match replayed.last() {
        Some(ServerMessage::Snapshot(s)) => assert_eq!(
            (s.state, s.seq, s.progress),
            (JobState::Succeeded, last, 100)
        ),
        other => panic!("ends with a snapshot: {other:?}"),
    }
    let mut bare = connect(&addr, &id, None).await;
    let (only, _) = read_all(&mut bare).await;
    assert!(
        matches!(only.as_slice(), [ServerMessage::Snapshot(_)]),
        "{only:?}"
    );
}

#[tokio::test]
async fn polling_alone_reaches_the_same_final_state() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let first = app.get(&format!("/api/sessions/{id}")).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    let snap: Snapshot = first.json().await.expect("json");
    if !snap.state.is_terminal() {
        let again = app
            .get_with(&format!("/api/sessions/{id}"), "if-none-match", &etag)
            .await;
        // unchanged → 304, changed → 200 with a new tag; both carry Retry-After while running
        assert!(again.status() == 304 || again.headers()["etag"] != etag.as_str());
    }
    let done = wait_done(&app.client, &base, &id).await;
    assert_eq!(
        (done.state, done.progress, done.stage_index),
        (JobState::Succeeded, 100, 11)
    );
    assert_eq!(done.stage, "Генерация рекомендаций");
    assert_eq!(done.stage_key, Some(loglens_shared::Stage::Recommendations));
    let r = app.get(&format!("/api/sessions/{id}")).await;
    assert!(
        r.headers().get("retry-after").is_none(),
        "no Retry-After once finished"
    );
    let tag = r.headers()["etag"].to_str().expect("etag").to_owned();
    let cached = app
        .get_with(&format!("/api/sessions/{id}"), "if-none-match", &tag)
        .await;
    assert_eq!(cached.status(), 304);
    // the event log for clients that poll events
    let events: Vec<ServerMessage> = app
        .get(&format!("/api/sessions/{id}/events?after_seq=0"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seqs(&events), (1..=done.seq).collect::<Vec<_>>());
    let tail: Vec<ServerMessage> = app
        .get(&format!(
            "/api/sessions/{id}/events?after_seq={}",
            done.seq - 1
        ))
        .await
        .json()
        .await
        .expect("json");
    assert!(matches!(tail.as_slice(), [ServerMessage::Complete(_)]));
}

#[tokio::test]
async fn two_hundred_watchers_all_see_the_end() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let addr = app.addr.to_string();
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (addr, id) = (addr.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let mut ws = connect(&addr, &id, None).await;
            let (msgs, close) = read_all(&mut ws).await;
            let finished = msgs.iter().any(|m| matches!(m, ServerMessage::Complete(_)))
                || msgs.iter().any(
                    |m| matches!(m, ServerMessage::Snapshot(s) if s.state == JobState::Succeeded),
                );
            (finished, close)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("watcher"), (true, Some(1000)));
    }
}

#[tokio::test]
async fn ping_pong_and_unknown_sessions() {
    let app = TestApp::spawn().await;
    let base = app.url("");
    let addr = app.addr.to_string();
    let id = start_job(&app.client, &base, &validation_zip(2000)).await;
    let mut ws = connect(&addr, &id, None).await;
    send_text(&mut ws, "ping").await;
    let (msgs, _) = read_all(&mut ws).await;
    assert!(
        msgs.contains(&ServerMessage::Pong)
            || msgs
                .iter()
                .any(|m| matches!(m, ServerMessage::Snapshot(s) if s.state.is_terminal())),
        "{msgs:?}"
    );

    let mut unknown = connect(&addr, "no-such-session", None).await;
    let (msgs, close) = read_all(&mut unknown).await;
    assert!(
        matches!(msgs.as_slice(), [ServerMessage::Error(e)] if e.code.as_deref() == Some("unknown_session")),
        "{msgs:?}"
    );
    assert_eq!(close, Some(1008));
    let r = app.get("/api/sessions/no-such-session").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn idle_sockets_are_closed_while_the_job_runs() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn_with(|c| c.ws_idle_timeout_secs = 1).await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    wait_running(&app.client, &base, &id).await;
    let mut ws = connect(&app.addr.to_string(), &id, None).await;
    let started = std::time::Instant::now();
    let (code, reason) = loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(Some(f)))) => break (u16::from(f.code), f.reason.to_string()),
            Some(Ok(_)) => {}
            other => panic!("no close frame: {other:?}"),
        }
    };
    let snap: Snapshot = app
        .get(&format!("/api/sessions/{id}"))
        .await
        .json()
        .await
        .expect("json");
    if !snap.state.is_terminal() {
        assert_eq!(
            (code, reason.as_str()),
            (4000, "idle timeout"),
            "not 1000: the job is not finished"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    wait_done(&app.client, &base, &id).await;
}

#[tokio::test]
async fn a_client_that_closes_first_gets_the_servers_close_frame() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    let mut ws = connect(&app.addr.to_string(), &id, None).await;
    assert!(matches!(ws.next().await, Some(Ok(Message::Text(_)))));
    ws.send(Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "bye".into(),
    })))
    .await
    .expect("close sent");
    // Until the end of the stream: the server's close frame, never a reset (1006).
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("answered in time")
        {
            Some(Ok(Message::Close(frame))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(1000));
                break;
            }
            Some(Ok(_)) => {}
            None => panic!("the stream ended without the server's close frame"),
            Some(Err(e)) => panic!("the connection was dropped, not closed: {e}"),
        }
    }
    wait_done(&app.client, &base, &id).await;
}

#[tokio::test]
async fn client_messages_are_limited_to_64_kib() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn().await;
    let base = app.url("");
    let id = start_job(&app.client, &base, &validation_zip(50_000)).await;
    let mut ws = connect(&app.addr.to_string(), &id, None).await;
    assert!(matches!(ws.next().await, Some(Ok(Message::Text(_)))));
    let _ = ws.send(Message::Text("x".repeat(65 * 1024).into())).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(f))) => break f.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => break None,
            }
        }
    })
    .await
    .expect("the socket ends");
    assert_ne!(ended, Some(1000), "not a normal end: {ended:?}");
    wait_done(&app.client, &base, &id).await;
}
