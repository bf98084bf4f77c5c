//! Following a session from the client side, the same way over any transport.
//!
//! [`SessionView::apply`] is the one reducer both the WebSocket and the polling transport feed:
//! events and snapshots in any mix, duplicates and replays included, turn into one view, and
//! the outcome is reported exactly once. [`Backoff`] is the reconnection policy: exponential
//! with full jitter, `random(0, min(cap, base·2^n))`, and a switch to polling after repeated
//! failures.

use loglens_shared::session::{JobState, ServerMessage, Snapshot, Throughput};
use loglens_shared::{LocalizedText, Stage};

/// How a session ended, reported once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// The server's message (with the error's text) in both languages.
    Failed(LocalizedText),
    Cancelled,
}

/// What a client shows for a session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionView {
    pub state: Option<JobState>,
    pub stage: Option<Stage>,
    pub progress: u8,
    pub message: LocalizedText,
    pub throughput: Throughput,
    pub upload_bytes: u64,
    /// Place in the queue while the session waits, as of the last snapshot.
    pub queue_position: Option<u32>,
    /// Highest event seq applied: resume the socket with `after_seq` = this.
    pub last_seq: u64,
    /// Set once the outcome has been reported.
    pub outcome: Option<Outcome>,
}

impl SessionView {
    /// Applies one message; returns the outcome the first time the session is seen finished.
    pub fn apply(&mut self, msg: &ServerMessage) -> Option<Outcome> {
        match msg {
            ServerMessage::Snapshot(s) => self.apply_snapshot(s),
            ServerMessage::Progress(p) => {
                if p.seq <= self.last_seq {
                    return None; // a replay or duplicate
                }
                self.last_seq = p.seq;
                if self.state.is_none_or(|s| !s.is_terminal()) {
                    // The event's own state (a pause, a resume), else it runs.
                    self.state = Some(p.state.unwrap_or(JobState::Running));
                }
                self.stage = Some(p.stage_key);
                self.queue_position = None;
                self.progress = self.progress.max(p.progress);
                self.message = p.text.clone();
                self.throughput = p.throughput;
                None
            }
            ServerMessage::Complete(t) | ServerMessage::Error(t) => {
                if t.seq != 0 && t.seq <= self.last_seq {
                    return None;
                }
                self.last_seq = self.last_seq.max(t.seq);
                self.message = t.text.clone();
                let (state, outcome) = match msg {
                    ServerMessage::Complete(_) => (JobState::Succeeded, Outcome::Succeeded),
                    _ if t.code.as_deref() == Some("cancelled") => {
                        (JobState::Cancelled, Outcome::Cancelled)
                    }
                    _ => (JobState::Failed, Outcome::Failed(t.text.clone())),
                };
                if state == JobState::Succeeded {
                    self.progress = 100;
                }
                self.state = Some(state);
                self.finish(outcome)
            }
            ServerMessage::Heartbeat | ServerMessage::Pong => None,
        }
    }

    /// Applies a snapshot (from the socket or from polling); an older one is ignored.
    pub fn apply_snapshot(&mut self, s: &Snapshot) -> Option<Outcome> {
        if s.seq < self.last_seq {
            return None;
        }
        self.last_seq = s.seq;
        self.state = Some(s.state);
        self.stage = s.stage_key;
        self.progress = self.progress.max(s.progress);
        self.message = s.text.clone();
        self.throughput = s.throughput;
        self.upload_bytes = s.upload_bytes;
        self.queue_position = s.queue_position;
        match s.state {
            JobState::Succeeded => self.finish(Outcome::Succeeded),
            JobState::Cancelled => self.finish(Outcome::Cancelled),
            JobState::Failed => self.finish(Outcome::Failed(s.text.clone())),
            JobState::Queued | JobState::Running | JobState::Paused => None,
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Option<Outcome> {
        if self.outcome.is_some() {
            return None;
        }
        self.outcome = Some(outcome.clone());
        Some(outcome)
    }

    pub fn is_finished(&self) -> bool {
        self.outcome.is_some()
    }
}

/// Reconnection delays: exponential, capped, with full jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    pub base_ms: u64,
    pub cap_ms: u64,
    /// Consecutive failures after which the client switches to polling.
    pub max_failures: u32,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new(500, 10_000, 4)
    }
}

impl Backoff {
    pub fn new(base_ms: u64, cap_ms: u64, max_failures: u32) -> Self {
        Self {
            base_ms,
            cap_ms,
            max_failures,
            failures: 0,
        }
    }

    /// Records a failure and returns the delay before the next attempt, in ms, for a uniform
    /// `random` in `[0, 1)`: `random · min(cap, base · 2^(failures-1))`.
    pub fn next_delay_ms(&mut self, random: f64) -> u64 {
        let exp = self.base_ms.saturating_mul(1u64 << self.failures.min(30));
        self.failures = self.failures.saturating_add(1);
        let ceiling = exp.min(self.cap_ms) as f64;
        (ceiling * random.clamp(0.0, 1.0)).floor() as u64
    }

    /// A connection succeeded: start over.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Time to give up on the socket and poll instead.
    pub fn should_poll(&self) -> bool {
        self.failures >= self.max_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::session::{ProgressMessage, TerminalMessage};

    fn progress(seq: u64, percent: u8) -> ServerMessage {
        ServerMessage::Progress(ProgressMessage {
            seq,
            session_id: "s".into(),
            stage: Stage::ParseLogs.label_ru().into(),
            stage_key: Stage::ParseLogs,
            stage_index: 6,
            progress: percent,
            text: LocalizedText::new(format!("at {percent}"), format!("at {percent}%")),
            throughput: Throughput {
                bytes_done: 1,
                bytes_total: 2,
                lines_done: 3,
                ..Throughput::default()
            },
            state: None,
        })
    }

    fn snapshot(seq: u64, state: JobState, percent: u8) -> ServerMessage {
        ServerMessage::Snapshot(Snapshot {
            session_id: "s".into(),
            state,
            model: loglens_shared::ModelKind::Light,
            upload_name: "vc.zip".into(),
            upload_bytes: 9,
            stage: Stage::ParseLogs.label_ru().into(),
            stage_key: Some(Stage::ParseLogs),
            stage_index: 6,
            progress: percent,
            text: LocalizedText::new("snap", "snapshot"),
            throughput: Throughput::default(),
            seq,
            error: None,
            created_at: String::new(),
            started_at: None,
            finished_at: None,
            notices: 0,
            queue_position: None,
            incidents: None,
            links: None,
            knowledge_base: None,
        })
    }

    fn complete(seq: u64) -> ServerMessage {
        ServerMessage::Complete(TerminalMessage {
            seq,
            session_id: "s".into(),
            text: LocalizedText::new("done", "done"),
            code: None,
        })
    }

    #[test]
    fn a_pause_and_a_resume_come_with_their_events_and_end_nothing() {
        let mut v = SessionView::default();
        v.apply(&progress(1, 30));
        let ServerMessage::Progress(mut paused) = progress(2, 30) else {
            unreachable!()
        };
        paused.state = Some(JobState::Paused);
        assert_eq!(v.apply(&ServerMessage::Progress(paused.clone())), None);
        assert_eq!(v.state, Some(JobState::Paused));
        assert!(!v.is_finished());
        // A snapshot of the paused session ends nothing either.
        assert_eq!(v.apply(&snapshot(2, JobState::Paused, 30)), None);
        paused.seq = 3;
        paused.state = Some(JobState::Queued);
        v.apply(&ServerMessage::Progress(paused));
        assert_eq!(v.state, Some(JobState::Queued));
        // The run again: percent kept, not gone back.
        v.apply(&progress(4, 5));
        assert_eq!((v.state, v.progress), (Some(JobState::Running), 30));
    }

    #[test]
    fn a_waiting_session_knows_its_place_until_it_starts() {
        let mut v = SessionView::default();
        let ServerMessage::Snapshot(mut waiting) = snapshot(1, JobState::Queued, 0) else {
            unreachable!()
        };
        waiting.stage_key = None;
        waiting.queue_position = Some(2);
        v.apply(&ServerMessage::Snapshot(waiting));
        assert_eq!(v.queue_position, Some(2));
        v.apply(&progress(2, 5));
        assert_eq!(v.queue_position, None, "running: no place in the queue");
    }

    #[test]
    fn completion_fires_once_whatever_the_transport_mix() {
        let mut v = SessionView::default();
        assert_eq!(v.apply(&progress(1, 50)), None);
        assert_eq!(v.apply(&complete(2)), Some(Outcome::Succeeded));
        // the same end seen again: by a replayed event, a snapshot from polling, a reconnect
        assert_eq!(v.apply(&complete(2)), None);
        assert_eq!(v.apply(&snapshot(2, JobState::Succeeded, 100)), None);
        assert_eq!(v.apply(&snapshot(3, JobState::Succeeded, 100)), None);
        assert_eq!(v.progress, 100);
        assert!(v.is_finished());

        let mut polled = SessionView::default();
        assert_eq!(polled.apply(&snapshot(4, JobState::Running, 40)), None);
        assert_eq!(
            polled.apply(&snapshot(9, JobState::Succeeded, 100)),
            Some(Outcome::Succeeded)
        );
        assert_eq!(polled.apply(&complete(9)), None);
    }

    #[test]
    fn duplicates_and_stale_snapshots_change_nothing_and_percent_never_drops() {
        let mut v = SessionView::default();
        v.apply(&progress(1, 20));
        v.apply(&progress(2, 55));
        let before = v.clone();
        v.apply(&progress(2, 55));
        v.apply(&progress(1, 20));
        v.apply(&snapshot(1, JobState::Running, 20));
        assert_eq!(v, before);
        v.apply(&snapshot(2, JobState::Running, 30));
        assert_eq!(
            v.progress, 55,
            "a snapshot with a lower percent does not move the bar back"
        );
        assert_eq!(v.last_seq, 2);
        assert_eq!(v.message, LocalizedText::new("snap", "snapshot"));
    }

    #[test]
    fn failures_and_cancellation_are_outcomes_too() {
        let mut v = SessionView::default();
        let err = ServerMessage::Error(TerminalMessage {
            seq: 3,
            session_id: "s".into(),
            text: LocalizedText::new("сбой: boom", "failure: boom"),
            code: Some("failed".into()),
        });
        assert_eq!(
            v.apply(&err),
            Some(Outcome::Failed(LocalizedText::new(
                "сбой: boom",
                "failure: boom"
            )))
        );
        let mut c = SessionView::default();
        let cancel = ServerMessage::Error(TerminalMessage {
            seq: 3,
            session_id: "s".into(),
            text: LocalizedText::new("x", "x"),
            code: Some("cancelled".into()),
        });
        assert_eq!(c.apply(&cancel), Some(Outcome::Cancelled));
        assert_eq!(c.state, Some(JobState::Cancelled));
        // an unknown-session error carries seq 0 and still ends the watch
        let mut u = SessionView::default();
        let unknown = ServerMessage::Error(TerminalMessage {
            seq: 0,
            session_id: "s".into(),
            text: LocalizedText::new("no", ""),
            code: Some("unknown_session".into()),
        });
        assert!(matches!(u.apply(&unknown), Some(Outcome::Failed(_))));
        assert_eq!(u.apply(&ServerMessage::Heartbeat), None);
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        let mut b = Backoff::new(500, 10_000, 4);
        let ceilings: Vec<u64> = (0..7).map(|_| b.next_delay_ms(0.999_999)).collect();
        assert_eq!(ceilings, vec![499, 999, 1999, 3999, 7999, 9999, 9999]);
        assert!(b.should_poll());
        b.reset();
        assert_eq!((b.failures(), b.should_poll()), (0, false));
        assert_eq!(b.next_delay_ms(0.0), 0, "full jitter reaches down to zero");
        assert_eq!(b.next_delay_ms(0.5), 500);
        assert_eq!(b.next_delay_ms(7.0), 2000, "random is clamped");
    }
}
