//! The job store: one SQLite file in the data dir holding every session, its progress
//! snapshot and its event log. Writes go through one connection behind a mutex: SQLite
//! serialises writers anyway, and the per-job `seq` must be assigned in one place.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use loglens_shared::api::NotRelevant;
use loglens_shared::session::{JobState, ServerMessage, Snapshot, Throughput};
use loglens_shared::{LocalizedText, ModelKind, Stage};
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("job database {path}: {source}")]
    Migrate {
        path: PathBuf,
        source: super::migrations::MigrationError,
    },
    #[error("job database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("job database (PostgreSQL): {0}")]
    Pg(#[from] postgres::Error),
    #[error("cannot create {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a job store call on the blocking pool did not finish: {0}")]
    Task(String),
    #[error("job database holds an unreadable event: {0}")]
    Decode(#[from] serde_json::Error),
    /// An event for a job that has ended: nothing follows a terminal event.
    #[error("job {0} has ended; no event follows its last")]
    Ended(String),
    /// An event of a run whose node lost its claim (another node took the job over).
    #[error("job {id}: claim {claim} of node {node} no longer holds")]
    Fenced {
        id: String,
        node: String,
        claim: i64,
    },
    #[error("no job {0}")]
    NoJob(String),
    /// A change the job's state does not allow: pausing a finished job, resuming one that is
    /// not paused, a run's progress while its job is paused.
    #[error("job {id} is {}: cannot {action}", .state.as_str())]
    State {
        id: String,
        state: JobState,
        action: &'static str,
    },
    #[error(transparent)]
    Files(#[from] super::storage::StorageError),
}

impl Change<'_> {
    /// Whether the change may be applied to a job in `state` (not ended): a paused job takes
    /// only its resume and its cancel; only a paused job is resumed. `Err` names the action.
    pub fn allowed_in(&self, state: JobState) -> Result<(), &'static str> {
        match (self, state) {
            (Change::Resumed { .. }, JobState::Paused) => Ok(()),
            (Change::Resumed { .. }, _) => Err("resume"),
            (
                Change::Finished {
                    state: JobState::Cancelled,
                    ..
                },
                JobState::Paused,
            ) => Ok(()),
            (Change::Paused { .. }, JobState::Paused) => Err("pause"),
            (Change::Paused { .. }, _) => Ok(()),
            (_, JobState::Paused) => Err("run"),
            _ => Ok(()),
        }
    }
}

impl StoreError {
    /// The append was refused because the job ended or was taken over: the run that asked
    /// has nothing more to say, and that is no fault.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StoreError::Ended(_) | StoreError::Fenced { .. } | StoreError::State { .. }
        )
    }
}

/// Whose run an event belongs to, on a database several nodes share: the node and the
/// number of its claim on the job (bumped at every claim). An append under a fence that no
/// longer holds is refused, so a node that lost its job (it was presumed dead) cannot write
/// into the run that replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub node: String,
    pub claim: i64,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub state: JobState,
    pub model: ModelKind,
    pub semantic: bool,
    pub upload_name: String,
    pub upload_path: PathBuf,
    pub upload_bytes: u64,
    pub kb_name: Option<String>,
    pub kb_path: Option<PathBuf>,
    pub playbooks_name: Option<String>,
    pub playbooks_path: Option<PathBuf>,
    /// The log formats file uploaded beside the archive.
    pub formats_name: Option<String>,
    pub formats_path: Option<PathBuf>,
    /// The glossary of aliases uploaded beside the archive.
    pub glossary_name: Option<String>,
    pub glossary_path: Option<PathBuf>,
    /// The uploaded knowledge base is used by every case, also by those with their own (a
    /// version made from an analysis's knowledge base, for its re-run).
    pub kb_for_all: bool,
    pub result_dir: Option<PathBuf>,
    pub results_zip: Option<String>,
    pub stage: Option<Stage>,
    pub progress: u8,
    /// The last message in Russian (the protocol's) and English.
    pub message: LocalizedText,
    pub throughput: Throughput,
    pub seq: u64,
    pub error: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Notices of a finished analysis (it completed "with warnings" when > 0).
    pub notices: u32,
    /// Times the job was started (a worker ran it, or the server stopped while it ran).
    pub attempts: u32,
    /// What a finished analysis found (see [`RunFigures`]); `None` before it finished, and
    /// for runs recorded before the figures were kept.
    pub incidents: Option<u64>,
    pub links: Option<u64>,
    pub knowledge_base: Option<String>,
}

/// What a finished analysis found, recorded with its results for the history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFigures {
    /// Notices: it completed "with warnings" when > 0.
    pub notices: u32,
    pub incidents: u64,
    /// Anomaly → problem links.
    pub links: u64,
    /// The knowledge base(s) used, named shortly (`AnalysisReport::knowledge_base_name`).
    pub knowledge_base: Option<String>,
}

impl JobRecord {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            session_id: self.id.clone(),
            state: self.state,
            model: self.model,
            upload_name: self.upload_name.clone(),
            upload_bytes: self.upload_bytes,
            stage: self.stage.map_or("", Stage::label_ru).to_owned(),
            stage_key: self.stage,
            stage_index: self.stage.map_or(0, Stage::number),
            progress: self.progress,
            text: self.message.clone(),
            throughput: self.throughput,
            seq: self.seq,
            error: self.error.clone(),
            created_at: self.created_at.clone(),
            started_at: self.started_at.clone(),
            finished_at: self.finished_at.clone(),
            notices: self.notices,
            queue_position: None,
            incidents: self.incidents,
            links: self.links,
            knowledge_base: self.knowledge_base.clone(),
        }
    }
}

/// What a new job needs.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub model: ModelKind,
    pub semantic: bool,
    pub upload_name: String,
    pub upload_path: PathBuf,
    pub upload_bytes: u64,
    pub kb: Option<(String, PathBuf)>,
    pub playbooks: Option<(String, PathBuf)>,
    pub formats: Option<(String, PathBuf)>,
    pub glossary: Option<(String, PathBuf)>,
    /// See [`JobRecord::kb_for_all`].
    pub kb_for_all: bool,
}

pub(super) const COLUMNS: &str = "id, state, model, semantic, upload_name, upload_path, upload_bytes, kb_name, kb_path, \
    playbooks_name, playbooks_path, result_dir, results_zip, stage, progress, message, bytes_done, bytes_total, \
    lines_done, speed, eta, seq, error, created_at, started_at, finished_at, message_en, notices, attempts, formats_name, formats_path, \
    glossary_name, glossary_path, incidents, links, kb_used, kb_for_all";

/// Current time, RFC 3339 in UTC.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

/// How a job row changes with an event.
pub enum Change<'a> {
    /// A progress update (fields of the snapshot).
    Progress {
        stage: Stage,
        progress: u8,
        message: &'a LocalizedText,
        throughput: Throughput,
    },
    /// The job started running (one more attempt).
    Started { message: &'a LocalizedText },
    /// The job goes back to the queue after its worker stopped.
    Requeued { message: &'a LocalizedText },
    /// A user paused the job: it leaves its worker (and, on several nodes, its claim) and
    /// waits, through restarts, until resumed.
    Paused { message: &'a LocalizedText },
    /// A paused job goes back to the queue.
    Resumed { message: &'a LocalizedText },
    /// The job ended.
    Finished {
        state: JobState,
        message: &'a LocalizedText,
        error: Option<&'a str>,
    },
}

/// Builds the event of an append from its `seq` and the job as updated.
pub type MakeEvent<'a> = Box<dyn FnOnce(u64, &JobRecord) -> ServerMessage + 'a>;

/// Where jobs and their event logs are kept. Every call blocks: the job system calls it on the
/// blocking pool (`jobs::facade`), never on the runtime's threads.
pub trait JobStore: Send + Sync {
    fn insert(&self, job: &NewJob) -> Result<JobRecord, StoreError>;
    fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;
    /// A page of jobs (of `state`, and whose upload's name holds `name` in any case, if
    /// given), newest first, and how many match.
    fn list(
        &self,
        state: Option<JobState>,
        name: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<JobRecord>, u64), StoreError>;
    /// Jobs not finished (queued or running), oldest first: what a restart must pick up.
    fn unfinished(&self) -> Result<Vec<JobRecord>, StoreError>;
    /// Finished jobs created before `before` (RFC 3339).
    fn expired(&self, before: &str) -> Result<Vec<JobRecord>, StoreError>;
    /// Appends the event `make(seq)` and applies `change` in one transaction; returns the
    /// event as persisted. `seq` is the job's previous one plus one. Refused
    /// ([`StoreError::Ended`]) once the job has ended, and ([`StoreError::Fenced`]) when
    /// `fence` is given and no longer holds.
    fn append(
        &self,
        id: &str,
        fence: Option<&Fence>,
        change: Change<'_>,
        make: MakeEvent<'_>,
    ) -> Result<ServerMessage, StoreError>;
    /// Puts a job back in the queue (no event: the worker announces itself). `refund`: the
    /// attempt does not count (a graceful shutdown interrupted it).
    fn requeue(&self, id: &str, refund: bool) -> Result<(), StoreError>;
    /// Failed and cancelled jobs created before `before` whose upload is still kept.
    fn failed_with_uploads(&self, before: &str) -> Result<Vec<JobRecord>, StoreError>;
    /// Forgets the upload files of a job (they were deleted).
    fn forget_upload(&self, id: &str) -> Result<(), StoreError>;
    /// Records where a run's results are and what it found; refused, like an append, when
    /// `fence` no longer holds.
    fn set_results(
        &self,
        id: &str,
        fence: Option<&Fence>,
        dir: &Path,
        zip_name: &str,
        figures: &RunFigures,
    ) -> Result<(), StoreError>;
    /// 1-based place of a queued job among the queued ones (first in, first out).
    fn queue_position(&self, id: &str) -> Result<Option<u32>, StoreError>;
    /// Whether a job of this id existed and was deleted.
    fn was_deleted(&self, id: &str) -> Result<bool, StoreError>;
    /// Persisted events after `after_seq`, in order.
    fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<ServerMessage>, StoreError>;
    /// Removes the job and its events, leaving a tombstone; `false` if there was none.
    fn delete(&self, id: &str) -> Result<bool, StoreError>;
    /// Count of jobs per state (for metrics).
    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError>;
    /// Takes the right to run the retention sweep, if no other server holds it: servers
    /// sharing a database sweep one at a time. `false`: another one is sweeping.
    fn try_lock_sweep(&self) -> Result<bool, StoreError>;
    /// Gives the right to sweep back.
    fn unlock_sweep(&self) -> Result<(), StoreError>;
    /// Every link marked not relevant (few: one per operator's click).
    fn not_relevant(&self) -> Result<Vec<NotRelevant>, StoreError>;
    /// Marks a link not relevant (`marked`), or takes the mark back.
    fn set_not_relevant(&self, mark: &NotRelevant, marked: bool) -> Result<(), StoreError>;
    /// Rings `bell` with what other servers did (see [`Rung`]); the listening stops when
    /// `bell` returns `false`. Returns `false` when the store has no other servers to hear
    /// (SQLite).
    fn listen(&self, bell: Bell) -> Result<bool, StoreError>;
}

/// What [`JobStore::listen`] rings with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rung<'a> {
    /// Some server appended an event to this job.
    Event(&'a str),
    /// A job became claimable (queued, or given back).
    Queued,
    /// Someone asked to cancel this job.
    Cancel(&'a str),
    /// The listener (re)connected: notifications may have been missed, check everything.
    Reconnected,
    /// Nothing happened for a while (about a second).
    Idle,
}

/// The listener of [`JobStore::listen`].
pub type Bell = Box<dyn FnMut(Rung<'_>) -> bool + Send + 'static>;

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        super::migrations::migrate(&mut conn).map_err(|source| StoreError::Migrate {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl JobStore for SqliteStore {
    fn insert(&self, job: &NewJob) -> Result<JobRecord, StoreError> {
        let created = now();
        let queued = super::notes::JobNote::Queued.text();
        self.conn().execute(
            "INSERT INTO jobs (id, state, model, semantic, upload_name, upload_path, upload_bytes, kb_name, kb_path,
                playbooks_name, playbooks_path, message, message_en, created_at, formats_name, formats_path,
                glossary_name, glossary_path, kb_for_all)
                VALUES (?1,'queued',?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
            params![
                job.id,
                job.model.as_str(),
                job.semantic,
                job.upload_name,
                job.upload_path.to_string_lossy(),
                job.upload_bytes as i64,
                job.kb.as_ref().map(|k| k.0.clone()),
                job.kb.as_ref().map(|k| k.1.to_string_lossy().into_owned()),
                job.playbooks.as_ref().map(|k| k.0.clone()),
                job.playbooks.as_ref().map(|k| k.1.to_string_lossy().into_owned()),
                queued.ru,
                queued.en,
                created,
                job.formats.as_ref().map(|k| k.0.clone()),
                job.formats.as_ref().map(|k| k.1.to_string_lossy().into_owned()),
                job.glossary.as_ref().map(|k| k.0.clone()),
                job.glossary.as_ref().map(|k| k.1.to_string_lossy().into_owned()),
                job.kb_for_all,
            ],
        )?;
        self.get(&job.id)?
            .ok_or(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
    }

    fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                row_to_job,
            )
            .optional()?)
    }

    /// Newest first, optionally of one state.
    fn list(
        &self,
        state: Option<JobState>,
        name: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<JobRecord>, u64), StoreError> {
        let conn = self.conn();
        let st = state.map(JobState::as_str);
        // `instr` of the lower-cased texts: no LIKE wildcards to escape in a user's words.
        const WHERE: &str = "(?1 IS NULL OR state = ?1) AND (?2 IS NULL OR instr(lower(upload_name), lower(?2)) > 0)";
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM jobs WHERE {WHERE}"),
            params![st, name],
            |r| r.get(0),
        )?;
        let mut q = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE {WHERE} ORDER BY created_at DESC, id LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = q
            .query_map(params![st, name, limit, offset], row_to_job)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total as u64))
    }

    /// Jobs not finished (queued or running), oldest first: what a restart must pick up.
    fn unfinished(&self) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE state IN ('queued','running') ORDER BY created_at, id"
        ))?;
        let rows = q
            .query_map([], row_to_job)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Finished jobs created before `before` (RFC 3339).
    fn expired(&self, before: &str) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE state IN ('succeeded','failed','cancelled') AND created_at < ?1"
        ))?;
        let rows = q
            .query_map([before], row_to_job)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Appends the event `make(seq)` and applies `change` in one transaction; returns the
    /// event as persisted. `seq` is the job's previous one plus one.
    fn append(
        &self,
        id: &str,
        // One process: the in-process queue hands a job to one worker; nothing to fence.
        _fence: Option<&Fence>,
        change: Change<'_>,
        make: MakeEvent<'_>,
    ) -> Result<ServerMessage, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let job = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                row_to_job,
            )
            .optional()?
            .ok_or_else(|| StoreError::NoJob(id.to_owned()))?;
        if job.state.is_terminal() {
            return Err(StoreError::Ended(id.to_owned()));
        }
        change
            .allowed_in(job.state)
            .map_err(|action| StoreError::State {
                id: id.to_owned(),
                state: job.state,
                action,
            })?;
        let seq = job.seq + 1;
        let ts = now();
        match change {
            Change::Progress {
                stage,
                progress,
                message,
                throughput: tp,
            } => {
                tx.execute(
                    "UPDATE jobs SET stage=?2, progress=?3, message=?4, bytes_done=?5, bytes_total=?6, lines_done=?7,
                        speed=?8, eta=?9, seq=?10, message_en=?11 WHERE id=?1",
                    params![id, stage_key(stage), progress, message.ru, tp.bytes_done as i64, tp.bytes_total as i64, tp.lines_done as i64,
                        tp.speed_bytes_per_sec, tp.eta_seconds.map(|e| e as i64), seq as i64, message.en],
                )?;
            }
            Change::Started { message } => {
                tx.execute(
                    "UPDATE jobs SET state='running', message=?2, started_at=COALESCE(started_at, ?3), seq=?4, message_en=?5,
                        attempts=attempts+1 WHERE id=?1",
                    params![id, message.ru, ts, seq as i64, message.en],
                )?;
            }
            Change::Requeued { message } | Change::Resumed { message } => {
                tx.execute(
                    "UPDATE jobs SET state='queued', message=?2, seq=?3, message_en=?4 WHERE id=?1",
                    params![id, message.ru, seq as i64, message.en],
                )?;
            }
            Change::Paused { message } => {
                tx.execute(
                    // A run stopped by a pause is not a worker's failure: it does not count
                    // towards the attempts that fail a job that keeps stopping its worker.
                    "UPDATE jobs SET state='paused', message=?2, seq=?3, message_en=?4, eta=NULL,
                        attempts = CASE WHEN state='running' THEN MAX(attempts-1, 0) ELSE attempts END
                        WHERE id=?1",
                    params![id, message.ru, seq as i64, message.en],
                )?;
            }
            Change::Finished {
                state,
                message,
                error,
            } => {
                let progress = if state == JobState::Succeeded {
                    100
                } else {
                    job.progress
                };
                tx.execute(
                    "UPDATE jobs SET state=?2, message=?3, error=?4, finished_at=?5, progress=?6, eta=NULL, seq=?7, message_en=?8 WHERE id=?1",
                    params![id, state.as_str(), message.ru, error, ts, progress, seq as i64, message.en],
                )?;
            }
        }
        let updated = tx.query_row(
            &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
            [id],
            row_to_job,
        )?;
        let event = make(seq, &updated);
        tx.execute(
            "INSERT INTO events (job_id, seq, body) VALUES (?1, ?2, ?3)",
            params![id, seq as i64, serde_json::to_string(&event)?],
        )?;
        tx.commit()?;
        Ok(event)
    }

    /// Puts a job back in the queue after a restart (no event: the worker announces itself).
    /// `refund`: the attempt does not count (a graceful shutdown interrupted it).
    fn requeue(&self, id: &str, refund: bool) -> Result<(), StoreError> {
        let sql = if refund {
            "UPDATE jobs SET state='queued', attempts=MAX(attempts-1, 0) WHERE id=?1"
        } else {
            "UPDATE jobs SET state='queued' WHERE id=?1"
        };
        self.conn().execute(sql, [id])?;
        Ok(())
    }

    /// Failed and cancelled jobs created before `before` whose upload is still kept.
    fn failed_with_uploads(&self, before: &str) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE state IN ('failed','cancelled') AND created_at < ?1 AND upload_path != ''"
        ))?;
        let rows = q
            .query_map([before], row_to_job)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Forgets the upload files of a job (they were deleted).
    fn forget_upload(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE jobs SET upload_path='', kb_path=NULL, playbooks_path=NULL, formats_path=NULL, glossary_path=NULL WHERE id=?1",
            [id],
        )?;
        Ok(())
    }

    fn set_results(
        &self,
        id: &str,
        _fence: Option<&Fence>,
        dir: &Path,
        zip_name: &str,
        figures: &RunFigures,
    ) -> Result<(), StoreError> {
        let count = |n: u64| n.min(i64::MAX as u64) as i64;
        self.conn().execute(
            "UPDATE jobs SET result_dir=?2, results_zip=?3, notices=?4, incidents=?5, links=?6,
                kb_used=?7 WHERE id=?1",
            params![
                id,
                dir.to_string_lossy(),
                zip_name,
                figures.notices,
                count(figures.incidents),
                count(figures.links),
                figures.knowledge_base,
            ],
        )?;
        Ok(())
    }

    /// 1-based place of a queued job among the queued ones (first in, first out).
    fn queue_position(&self, id: &str) -> Result<Option<u32>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM jobs o WHERE o.state='queued'
                    AND (o.created_at < j.created_at OR (o.created_at = j.created_at AND o.id < j.id))) + 1
                 FROM jobs j WHERE j.id=?1 AND j.state='queued'",
                [id],
                |r| r.get::<_, u32>(0),
            )
            .optional()?)
    }

    /// Whether a job of this id existed and was deleted.
    fn was_deleted(&self, id: &str) -> Result<bool, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT 1 FROM deleted WHERE id=?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Persisted events after `after_seq`, in order.
    fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<ServerMessage>, StoreError> {
        let conn = self.conn();
        let mut q =
            conn.prepare("SELECT body FROM events WHERE job_id=?1 AND seq>?2 ORDER BY seq")?;
        let bodies = q
            .query_map(params![id, after_seq as i64], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(bodies
            .iter()
            .map(|b| serde_json::from_str(b))
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Removes a job and its events, leaving a tombstone of its id.
    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let gone = tx.execute("DELETE FROM jobs WHERE id=?1", [id])? > 0;
        if gone {
            tx.execute(
                "INSERT OR REPLACE INTO deleted (id, deleted_at) VALUES (?1, ?2)",
                params![id, now()],
            )?;
        }
        tx.commit()?;
        Ok(gone)
    }

    fn not_relevant(&self) -> Result<Vec<NotRelevant>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare(
            "SELECT kb_hash, anomaly_id, problem_id FROM not_relevant ORDER BY kb_hash, anomaly_id, problem_id",
        )?;
        let marks = q
            .query_map([], |r| {
                Ok(NotRelevant {
                    kb_hash: r.get(0)?,
                    anomaly_id: r.get(1)?,
                    problem_id: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(marks)
    }

    fn set_not_relevant(&self, mark: &NotRelevant, marked: bool) -> Result<(), StoreError> {
        let conn = self.conn();
        let key = params![mark.kb_hash, mark.anomaly_id, mark.problem_id];
        if marked {
            conn.execute(
                "INSERT OR IGNORE INTO not_relevant (kb_hash, anomaly_id, problem_id, marked_at) VALUES (?1, ?2, ?3, ?4)",
                params![mark.kb_hash, mark.anomaly_id, mark.problem_id, now()],
            )?;
        } else {
            conn.execute(
                "DELETE FROM not_relevant WHERE kb_hash=?1 AND anomaly_id=?2 AND problem_id=?3",
                key,
            )?;
        }
        Ok(())
    }

    /// Only this process appends: its own bus has every event already.
    fn listen(&self, _bell: Bell) -> Result<bool, StoreError> {
        Ok(false)
    }

    /// One process owns the file: it always may.
    fn try_lock_sweep(&self) -> Result<bool, StoreError> {
        Ok(true)
    }

    fn unlock_sweep(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Count of jobs per state (for metrics).
    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state")?;
        let rows = q
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| JobState::parse(&s).map(|st| (st, n as u64)))
            .collect())
    }
}

pub(super) fn stage_key(stage: Stage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(super) fn parse_stage(s: Option<String>) -> Option<Stage> {
    s.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
}

fn row_to_job(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRecord> {
    let path = |s: Option<String>| s.map(PathBuf::from);
    let state: String = r.get(1)?;
    Ok(JobRecord {
        id: r.get(0)?,
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        model: r.get::<_, String>(2)?.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?,
        semantic: r.get(3)?,
        upload_name: r.get(4)?,
        upload_path: PathBuf::from(r.get::<_, String>(5)?),
        upload_bytes: r.get::<_, i64>(6)? as u64,
        kb_name: r.get(7)?,
        kb_path: path(r.get(8)?),
        playbooks_name: r.get(9)?,
        playbooks_path: path(r.get(10)?),
        formats_name: r.get(29)?,
        formats_path: path(r.get(30)?),
        glossary_name: r.get(31)?,
        glossary_path: path(r.get(32)?),
        kb_for_all: r.get(36)?,
        result_dir: path(r.get(11)?),
        results_zip: r.get(12)?,
        stage: parse_stage(r.get(13)?),
        progress: r.get(14)?,
        message: LocalizedText::new(r.get::<_, String>(15)?, r.get::<_, String>(26)?),
        throughput: Throughput {
            bytes_done: r.get::<_, i64>(16)? as u64,
            bytes_total: r.get::<_, i64>(17)? as u64,
            lines_done: r.get::<_, i64>(18)? as u64,
            speed_bytes_per_sec: r.get(19)?,
            eta_seconds: r.get::<_, Option<i64>>(20)?.map(|e| e as u64),
        },
        seq: r.get::<_, i64>(21)? as u64,
        error: r.get(22)?,
        created_at: r.get(23)?,
        started_at: r.get(24)?,
        finished_at: r.get(25)?,
        notices: r.get(27)?,
        attempts: r.get(28)?,
        incidents: r.get::<_, Option<i64>>(33)?.map(|n| n.max(0) as u64),
        links: r.get::<_, Option<i64>>(34)?.map(|n| n.max(0) as u64),
        knowledge_base: r.get(35)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use loglens_shared::session::TerminalMessage;

    fn job(store: &SqliteStore, id: &str) -> JobRecord {
        store
            .insert(&NewJob {
                id: id.into(),
                model: ModelKind::Light,
                semantic: true,
                upload_name: "vc.zip".into(),
                upload_path: PathBuf::from("/nonexistent/vc.zip"),
                upload_bytes: 10,
                kb: None,
                playbooks: None,
                formats: None,
                glossary: None,
                kb_for_all: false,
            })
            .expect("insert")
    }

    fn progress(store: &SqliteStore, id: &str, percent: u8) -> ServerMessage {
        let change = Change::Progress {
            stage: Stage::ParseLogs,
            progress: percent,
            message: &LocalizedText::new("m", "m-en"),
            throughput: Throughput {
                bytes_done: 5,
                bytes_total: 10,
                lines_done: 7,
                speed_bytes_per_sec: Some(1.5),
                eta_seconds: Some(3),
            },
        };
        store
            .append(
                id,
                None,
                change,
                Box::new(|seq, rec| {
                    ServerMessage::Error(TerminalMessage {
                        seq,
                        session_id: rec.id.clone(),
                        text: LocalizedText::new(rec.progress.to_string(), rec.message.en.clone()),
                        code: None,
                    })
                }),
            )
            .expect("append")
    }

    #[test]
    fn seq_grows_from_one_per_job_and_the_snapshot_follows() {
        let store = SqliteStore::open(std::path::Path::new(":memory:")).expect("db");
        assert_eq!(job(&store, "a").seq, 0);
        job(&store, "b");
        assert_eq!(progress(&store, "a", 52).seq(), Some(1));
        assert_eq!(progress(&store, "a", 55).seq(), Some(2));
        assert_eq!(progress(&store, "b", 51).seq(), Some(1));
        let a = store.get("a").expect("get").expect("a");
        assert_eq!(
            (
                a.seq,
                a.progress,
                a.stage,
                a.throughput.lines_done,
                a.throughput.eta_seconds
            ),
            (2, 55, Some(Stage::ParseLogs), 7, Some(3))
        );
        let snap = a.snapshot();
        assert_eq!(
            (snap.stage_index, snap.stage.as_str(), snap.stage_key),
            (6, "Парсинг логов", Some(Stage::ParseLogs))
        );
        let events = store.events_after("a", 1).expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].seq(), Some(2));
        assert!(
            store
                .append(
                    "nope",
                    None,
                    Change::Started {
                        message: &LocalizedText::default(),
                    },
                    Box::new(|_, _| ServerMessage::Heartbeat)
                )
                .is_err()
        );
    }

    #[test]
    fn a_database_written_before_message_en_is_upgraded_on_open_and_keeps_its_rows() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("jobs.sqlite");
        {
            // The first release's schema, unversioned (`user_version` 0).
            let conn = Connection::open(&path).expect("old db");
            conn.execute_batch(super::super::migrations::MIGRATIONS[0].2)
                .expect("old schema");
            conn.execute(
                "INSERT INTO jobs (id, state, model, semantic, upload_name, upload_path, upload_bytes, message, created_at)
                 VALUES ('old', 'queued', 'light', 1, 'a.zip', '/x', 1, 'В очереди', '2026-01-01T00:00:00Z')",
                [],
            )
            .expect("old row");
        }
        let store = SqliteStore::open(&path).expect("upgraded");
        let old = store.get("old").expect("get").expect("old row kept");
        assert_eq!(old.message, LocalizedText::new("В очереди", ""));
        progress(&store, "old", 51);
        let now = store.get("old").expect("get").expect("row");
        assert_eq!(now.snapshot().text.en, "m-en");
        drop(store);
        SqliteStore::open(&path).expect("opening again changes nothing");
    }

    #[test]
    fn a_run_finished_before_the_figures_were_kept_shows_none_and_a_new_one_its_own() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("jobs.sqlite");
        {
            // Schema version 6 (the release before the figures), with a finished job.
            let mut conn = Connection::open(&path).expect("old db");
            for (v, _, sql) in &super::super::migrations::MIGRATIONS[..6] {
                let tx = conn.transaction().expect("tx");
                tx.execute_batch(sql).expect("old schema");
                tx.pragma_update(None, "user_version", v).expect("version");
                tx.commit().expect("commit");
            }
            conn.execute(
                "INSERT INTO jobs (id, state, model, semantic, upload_name, upload_path, upload_bytes, created_at,
                    finished_at, result_dir, results_zip, progress, notices)
                 VALUES ('old', 'succeeded', 'light', 1, 'a.zip', '/x', 1, '2026-01-01T00:00:00Z',
                    '2026-01-01T00:01:00Z', '/r/old', 'a_Results.zip', 100, 0)",
                [],
            )
            .expect("old row");
        }
        let store = SqliteStore::open(&path).expect("upgraded");
        let old = store
            .get("old")
            .expect("get")
            .expect("old row kept")
            .snapshot();
        assert_eq!(
            (old.incidents, old.links, old.knowledge_base.as_deref()),
            (None, None, None),
            "unknown, not zero"
        );
        let wire = serde_json::to_value(&old).expect("json");
        for field in ["incidents", "links", "knowledge_base"] {
            assert!(wire.get(field).is_none(), "{field} left out: {wire}");
        }
        // A run finishing now keeps what it found.
        job(&store, "new");
        store
            .set_results(
                "new",
                None,
                Path::new("/r/new"),
                "vc_Results.zip",
                &RunFigures {
                    notices: 1,
                    incidents: 12,
                    links: 30,
                    knowledge_base: Some("kb.xlsx, built-in".into()),
                },
            )
            .expect("results");
        let new = store.get("new").expect("get").expect("new").snapshot();
        assert_eq!(
            (
                new.notices,
                new.incidents,
                new.links,
                new.knowledge_base.as_deref()
            ),
            (1, Some(12), Some(30), Some("kb.xlsx, built-in"))
        );
        let wire = serde_json::to_value(&new).expect("json");
        assert_eq!(
            (&wire["incidents"], &wire["links"], &wire["knowledge_base"]),
            (
                &serde_json::json!(12),
                &serde_json::json!(30),
                &serde_json::json!("kb.xlsx, built-in")
            )
        );
    }

    #[test]
    fn finished_jobs_expire_and_unfinished_ones_are_found_for_restart() {
        let store = SqliteStore::open(std::path::Path::new(":memory:")).expect("db");
        job(&store, "done");
        job(&store, "running");
        store
            .append(
                "running",
                None,
                Change::Started {
                    message: &LocalizedText::new("го", "go"),
                },
                Box::new(|_, _| ServerMessage::Heartbeat),
            )
            .expect("start");
        store
            .append(
                "done",
                None,
                Change::Finished {
                    state: JobState::Succeeded,
                    message: &LocalizedText::new("ок", "ok"),
                    error: None,
                },
                Box::new(|_, _| ServerMessage::Heartbeat),
            )
            .expect("finish");
        let done = store.get("done").expect("get").expect("done");
        assert_eq!((done.state, done.progress), (JobState::Succeeded, 100));
        let unfinished: Vec<String> = store
            .unfinished()
            .expect("q")
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(unfinished, vec!["running".to_owned()]);
        assert!(
            store
                .expired("2000-01-01T00:00:00.000Z")
                .expect("q")
                .is_empty()
        );
        let expired: Vec<String> = store
            .expired("2999-01-01T00:00:00.000Z")
            .expect("q")
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(
            expired,
            vec!["done".to_owned()],
            "only finished jobs expire"
        );
        assert!(store.delete("done").expect("delete"));
        assert!(
            store.events_after("done", 0).expect("q").is_empty(),
            "events go with their job"
        );
        let counts = store.count_by_state().expect("counts");
        assert_eq!(counts, vec![(JobState::Running, 1)]);
    }
}
