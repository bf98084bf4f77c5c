//! Load against one running `loglens serve` (see `scripts/bench_load.sh`): many WebSocket
//! watchers and pollers of one running job, then a burst of concurrent uploads. Prints what it
//! saw; asserts nothing.
//!
//!   cargo run --release --example load -- <base-url> <server-pid> <watched.zip> <upload.zip> [watchers] [pollers] [uploads]
//!
//! Delay of a progress event = when a watcher received it minus when the first watcher did
//! (the server stamps no time on events): the fan-out cost of many watchers. Measured first
//! with one watcher as the baseline, then with all of them, in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use loglens_shared::session::{ServerMessage, Snapshot};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct Seen {
    /// (seq, received at) per watcher.
    events: Vec<Vec<(u64, Instant)>>,
    terminal: usize,
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // fields after the command's closing parenthesis: utime is the 14th, stime the 15th field
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    num(11) + num(12)
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn try_start_job(
    client: &reqwest::Client,
    base: &str,
    zip: &[u8],
) -> reqwest::Result<reqwest::Response> {
    let form = reqwest::multipart::Form::new().text("model", "light").part(
        "file",
        reqwest::multipart::Part::bytes(zip.to_vec()).file_name("vc.zip"),
    );
    client
        .post(format!("{base}/process"))
        .multipart(form)
        .send()
        .await
}

async fn start_job(client: &reqwest::Client, base: &str, zip: &[u8]) -> reqwest::Response {
    try_start_job(client, base, zip).await.expect("upload sent")
}

async fn session_id(r: reqwest::Response) -> String {
    let v: serde_json::Value = r.json().await.expect("json");
    v["session_id"].as_str().expect("id").to_owned()
}

/// Watches `id` with `watchers` sockets and `pollers` pollers until the end; returns what the
/// sockets saw and how many polls got 304.
async fn watch(base: &str, id: &str, watchers: usize, pollers: usize) -> (Seen, u64, u64) {
    let ws_base = base.replacen("http", "ws", 1);
    let seen = Arc::new(Mutex::new(Seen {
        events: vec![Vec::new(); watchers],
        terminal: 0,
    }));
    let mut tasks = Vec::new();
    for w in 0..watchers {
        let (url, seen) = (
            format!("{ws_base}/ws/progress/{id}?after_seq=0"),
            Arc::clone(&seen),
        );
        tasks.push(tokio::spawn(async move {
            let Ok((mut ws, _)) = tokio_tungstenite::connect_async(&url).await else {
                return;
            };
            let mut mine = Vec::new();
            let mut ended = false;
            // Only events that arrive live count (a late watcher is first sent a replay).
            let mut live_after = u64::MAX;
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Text(t) = msg
                    && let Ok(m) = serde_json::from_str::<ServerMessage>(t.as_str())
                {
                    if let ServerMessage::Snapshot(s) = &m {
                        live_after = live_after.min(s.seq);
                    } else if let Some(seq) = m.seq()
                        && seq > live_after
                    {
                        mine.push((seq, Instant::now()));
                    }
                    if m.is_terminal()
                        || matches!(&m, ServerMessage::Snapshot(s) if s.state.is_terminal())
                    {
                        ended = true;
                    }
                }
            }
            let mut s = seen.lock().await;
            s.events[w] = mine;
            s.terminal += usize::from(ended);
        }));
    }
    let polls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let not_modified = Arc::new(std::sync::atomic::AtomicU64::new(0));
    for _ in 0..pollers {
        let (url, polls, not_modified) = (
            format!("{base}/api/sessions/{id}"),
            Arc::clone(&polls),
            Arc::clone(&not_modified),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut etag = String::new();
            loop {
                let Ok(r) = client.get(&url).header("if-none-match", &etag).send().await else {
                    return;
                };
                polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if r.status() == 304 {
                    not_modified.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                } else if let Some(t) = r.headers().get("etag") {
                    etag = t.to_str().unwrap_or_default().to_owned();
                    let Ok(s) = r.json::<Snapshot>().await else {
                        return;
                    };
                    if s.state.is_terminal() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let seen = Arc::try_unwrap(seen)
        .map(Mutex::into_inner)
        .unwrap_or_default();
    (
        seen,
        polls.load(std::sync::atomic::Ordering::Relaxed),
        not_modified.load(std::sync::atomic::Ordering::Relaxed),
    )
}

/// p50 and p99 of the fan-out delay, milliseconds.
fn delays(seen: &Seen) -> (f64, f64, usize) {
    use std::collections::HashMap;
    let mut first: HashMap<u64, Instant> = HashMap::new();
    for w in &seen.events {
        for (seq, at) in w {
            first
                .entry(*seq)
                .and_modify(|f| *f = (*f).min(*at))
                .or_insert(*at);
        }
    }
    let mut d: Vec<f64> = seen
        .events
        .iter()
        .flatten()
        .map(|(seq, at)| at.duration_since(first[seq]).as_secs_f64() * 1000.0)
        .collect();
    d.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        d.get(((d.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (pct(0.5), pct(0.99), first.len())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .expect("base url")
        .trim_end_matches('/')
        .to_owned();
    let pid: u32 = args
        .get(2)
        .and_then(|p| p.parse().ok())
        .expect("server pid");
    let zip = std::fs::read(args.get(3).expect("watched zip")).expect("zip readable");
    let burst_zip = std::fs::read(args.get(4).expect("upload zip")).expect("zip readable");
    let watchers: usize = args.get(5).and_then(|v| v.parse().ok()).unwrap_or(1000);
    let pollers: usize = args.get(6).and_then(|v| v.parse().ok()).unwrap_or(200);
    let uploads: usize = args.get(7).and_then(|v| v.parse().ok()).unwrap_or(50);
    let client = reqwest::Client::new();
    let ticks_per_sec = 100.0; // USER_HZ on Linux

    for (label, w, p) in [("baseline", 1usize, 0usize), ("load", watchers, pollers)] {
        // The watched job waits behind another one, so every watcher is there from its start.
        let _ahead = session_id(start_job(&client, &base, &zip).await).await;
        let id = session_id(start_job(&client, &base, &zip).await).await;
        let (cpu0, t0) = (cpu_ticks(pid), Instant::now());
        // (the job ahead finishes while the watchers connect)
        let (seen, polls, not_modified) = watch(&base, &id, w, p).await;
        let secs = t0.elapsed().as_secs_f64();
        let cpu = (cpu_ticks(pid) - cpu0) as f64 / ticks_per_sec;
        let (p50, p99, events) = delays(&seen);
        println!(
            "{label:>8}: {w} watchers + {p} pollers over {secs:.1} s: {events} events; fan-out delay p50 {p50:.1} ms, p99 {p99:.1} ms; \
             terminal seen by {}/{w}; polls {polls} ({not_modified} × 304); server CPU {cpu:.1} s ({:.0}%), peak RSS {:.0} MB",
            seen.terminal,
            cpu / secs * 100.0,
            peak_rss_mb(pid)
        );
    }

    // A burst of uploads: each is accepted (and then completes) or refused with 429 and
    // Retry-After; none is lost.
    let t0 = Instant::now();
    let mut burst = Vec::new();
    for _ in 0..uploads {
        let (client, base, zip) = (client.clone(), base.clone(), burst_zip.clone());
        burst.push(tokio::spawn(async move {
            try_start_job(&client, &base, &zip).await
        }));
    }
    let (mut accepted, mut refused, mut refused_without_retry, mut other) = (Vec::new(), 0, 0, 0);
    let mut cut_off = 0;
    for b in burst {
        let Ok(r) = b.await.expect("upload task") else {
            cut_off += 1;
            continue;
        };
        match r.status().as_u16() {
            202 => accepted.push(session_id(r).await),
            429 => {
                refused += 1;
                if r.headers().get("retry-after").is_none() {
                    refused_without_retry += 1;
                }
            }
            _ => other += 1,
        }
    }
    let mut succeeded = 0;
    for id in &accepted {
        loop {
            let polled = client.get(format!("{base}/api/sessions/{id}")).send().await;
            let Ok(Ok(s)) = (match polled {
                Ok(r) => Ok(r.json::<Snapshot>().await),
                Err(e) => Err(e),
            }) else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            if s.state.is_terminal() {
                succeeded += usize::from(s.state == loglens_shared::session::JobState::Succeeded);
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    println!(
        " uploads: {uploads} at once: {} accepted ({succeeded} succeeded), {refused} refused with 429 \
         ({refused_without_retry} without Retry-After), {other} other, {cut_off} cut off before an answer; lost: {}; {:.1} s in all; server peak RSS {:.0} MB",
        accepted.len(),
        uploads - accepted.len() - refused - other - cut_off,
        t0.elapsed().as_secs_f64(),
        peak_rss_mb(pid)
    );
}
