//! Analysis sessions (jobs) on the wire: their state, the snapshot every transport serves,
//! and the messages of the progress protocol (SPEC §4).
//!
//! Messages keep the prototype's shapes — `{"type":"progress","stage":"…","progress":25,
//! "message":"…"}`, `{"type":"error","message":"…"}`, `{"type":"complete","message":"…"}` — and
//! add a per-session `seq`, the `session_id` and the counters of the snapshot.

use serde::{Deserialize, Serialize};

use crate::Stage;
use crate::text::LocalizedText;
use crate::vocab::ModelKind;

/// Life cycle of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    /// Stopped by a user until resumed: holds no worker, survives a restart, and goes back
    /// to the queue (from its first stage) when resumed.
    Paused,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Paused,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Everything a client needs to draw a session, as of event `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    pub session_id: String,
    pub state: JobState,
    pub model: ModelKind,
    pub upload_name: String,
    pub upload_bytes: u64,
    /// Russian label of the stage, as the prototype's page displays it; empty before the first
    /// stage. The same meaning as `stage` in progress messages.
    pub stage: String,
    /// The stage's key (`parse_logs`), `None` before the first stage.
    pub stage_key: Option<Stage>,
    /// 1..=11, 0 before the first stage.
    pub stage_index: u8,
    pub progress: u8,
    /// What is happening: `message` (Russian) and `message_en`.
    #[serde(flatten)]
    pub text: LocalizedText,
    #[serde(flatten)]
    pub throughput: Throughput,
    /// Last event of the session (0 = none yet).
    pub seq: u64,
    pub error: Option<String>,
    /// RFC 3339 times.
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Notices of a finished analysis: it completed "with warnings" when this is above 0.
    #[serde(default)]
    pub notices: u32,
    /// 1-based place in the queue while the job waits (`None` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_position: Option<u32>,
    /// Incidents a finished analysis found (`None` before it finished, or for a run recorded
    /// before the figures were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<u64>,
    /// Anomaly → problem links a finished analysis found (`None` as for `incidents`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<u64>,
    /// A short name of the knowledge base(s) a finished analysis used: `built-in`, a file's
    /// name, several joined by `, ` (see `AnalysisReport::knowledge_base_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_base: Option<String>,
}

/// How far an analysis has got through the logs. Snapshots and progress messages carry it
/// flattened, so on the wire these stay top-level fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Throughput {
    /// Uncompressed bytes of log files read so far, and in all.
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Log lines read so far.
    pub lines_done: u64,
    /// Uncompressed log bytes per second since the analysis started.
    pub speed_bytes_per_sec: Option<f64>,
    /// Seconds left, while reading the logs.
    pub eta_seconds: Option<u64>,
}

/// One `progress` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProgressMessage {
    pub seq: u64,
    pub session_id: String,
    /// Russian stage label, as the prototype sent it.
    pub stage: String,
    pub stage_key: Stage,
    pub stage_index: u8,
    pub progress: u8,
    #[serde(flatten)]
    pub text: LocalizedText,
    #[serde(flatten)]
    pub throughput: Throughput,
    /// The session's state after this event (`queued`, `running` or `paused`): a watcher
    /// learns of a pause or a resume from the event itself. Absent in events of older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<JobState>,
}

/// The terminal `error` or `complete` message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TerminalMessage {
    pub seq: u64,
    pub session_id: String,
    #[serde(flatten)]
    pub text: LocalizedText,
    /// Why it ended, for `error`: `failed` or `cancelled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Everything the server sends on `/ws/progress/{id}` (and `/events` returns the persisted ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    Progress(ProgressMessage),
    Error(TerminalMessage),
    Complete(TerminalMessage),
    Snapshot(Snapshot),
    Heartbeat,
    Pong,
}

impl ServerMessage {
    /// The event's sequence number, for persisted kinds.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ServerMessage::Progress(p) => Some(p.seq),
            ServerMessage::Error(t) | ServerMessage::Complete(t) => Some(t.seq),
            ServerMessage::Snapshot(s) => Some(s.seq),
            ServerMessage::Heartbeat | ServerMessage::Pong => None,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, ServerMessage::Error(_) | ServerMessage::Complete(_))
    }
}

/// `POST /process` answer (202).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProcessAccepted {
    pub session_id: String,
}

/// `GET /api/sessions` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionList {
    pub sessions: Vec<Snapshot>,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_the_prototype_shapes() {
        let p = ServerMessage::Progress(ProgressMessage {
            seq: 3,
            session_id: "s".into(),
            stage: Stage::LoadModel.label_ru().into(),
            stage_key: Stage::LoadModel,
            stage_index: 3,
            progress: 25,
            text: LocalizedText::new("m", "m-en"),
            throughput: Throughput {
                bytes_done: 10,
                bytes_total: 20,
                lines_done: 3,
                speed_bytes_per_sec: Some(2.5),
                eta_seconds: Some(4),
            },
            state: Some(JobState::Paused),
        });
        let v = serde_json::to_value(&p).expect("json");
        assert_eq!(v["type"], "progress");
        assert_eq!(v["state"], "paused");
        assert_eq!(v["stage"], "Загрузка ML модели");
        assert_eq!(v["progress"], 25);
        assert_eq!(v["message"], "m");
        assert_eq!(v["message_en"], "m-en");
        // the counters stay top-level fields, as before they were grouped
        assert_eq!(
            (&v["bytes_done"], &v["bytes_total"], &v["lines_done"]),
            (
                &serde_json::json!(10),
                &serde_json::json!(20),
                &serde_json::json!(3)
            )
        );
        assert_eq!(v["speed_bytes_per_sec"], 2.5);
        assert_eq!(v["eta_seconds"], 4);
        assert!(v.get("throughput").is_none());
        assert_eq!(v["seq"], 3);
        let e = ServerMessage::Error(TerminalMessage {
            seq: 9,
            session_id: "s".into(),
            text: LocalizedText::new("boom", "boom!"),
            code: None,
        });
        assert_eq!(
            serde_json::to_string(&e).expect("json"),
            r#"{"type":"error","seq":9,"session_id":"s","message":"boom","message_en":"boom!"}"#
        );
        // events persisted before `message_en` existed still read
        let old: ServerMessage =
            serde_json::from_str(r#"{"type":"error","seq":9,"session_id":"s","message":"boom"}"#)
                .expect("old event");
        assert!(matches!(old, ServerMessage::Error(t) if t.text.en.is_empty()));
        assert_eq!(
            serde_json::to_string(&ServerMessage::Pong).expect("json"),
            r#"{"type":"pong"}"#
        );
        assert_eq!(
            serde_json::to_string(&ServerMessage::Heartbeat).expect("json"),
            r#"{"type":"heartbeat"}"#
        );
        let back: ServerMessage = serde_json::from_value(v).expect("round trip");
        assert_eq!(back, p);
        assert_eq!(back.seq(), Some(3));
        assert!(!back.is_terminal() && e.is_terminal());
    }

    #[test]
    fn states_parse_and_know_when_they_are_final() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert!(JobState::Cancelled.is_terminal() && !JobState::Running.is_terminal());
        assert_eq!(JobState::parse("nope"), None);
    }
}
