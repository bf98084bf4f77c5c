//! The job store on PostgreSQL (`LOGLENS_DATABASE_URL=postgres://…`), for several nodes
//! sharing one database. Same rows and events as [`super::store::SqliteStore`]; what differs:
//! an event's `seq` is taken under a row lock (`SELECT … FOR UPDATE`), so it stays gap-free
//! when nodes append to one job; the schema is migrated under an advisory lock, so nodes
//! starting together migrate once; a connection that broke (the server restarted) is opened
//! again on the next call.
//!
//! The client is the synchronous `postgres` crate: every call of a [`JobStore`] blocks and is
//! made on the blocking pool (`jobs::facade`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use loglens_shared::api::NotRelevant;
use loglens_shared::session::{JobState, ServerMessage, Throughput};
use loglens_shared::{LocalizedText, ModelKind};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Row};

use super::queue::{Claim, Held, SharedQueue, Work};
use super::store::{
    Bell, COLUMNS, Change, Fence, JobRecord, JobStore, MakeEvent, NewJob, RunFigures, Rung,
    StoreError, now, parse_stage, stage_key,
};
use super::units::UnitStore;

/// The channel every append notifies, with the job's id as payload (delivered at commit).
const EVENTS_CHANNEL: &str = "loglens_events";
/// The channel told when a job becomes claimable (inserted, or given back to the queue).
const QUEUE_CHANNEL: &str = "loglens_queue";
/// The channel told, with the job's id, when someone asks to cancel a job.
const CANCEL_CHANNEL: &str = "loglens_cancel";
/// How long the listener waits for a notification before ringing the idle bell.
const LISTEN_TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// The migrations of the PostgreSQL schema, in order: (version, SQL).
const MIGRATIONS: [(i32, &str); 6] = [
    (
        1,
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (2, include_str!("../../migrations/postgres/0002_claims.sql")),
    (3, include_str!("../../migrations/postgres/0003_units.sql")),
    (
        4,
        include_str!("../../migrations/postgres/0004_run_figures.sql"),
    ),
    (
        5,
        include_str!("../../migrations/postgres/0005_not_relevant.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_kb_for_all.sql"),
    ),
];

/// Key of the advisory lock held while migrating (any constant all nodes agree on).
const MIGRATION_LOCK: i64 = 0x4c6f_674c_656e_7331; // "LogLens1"
/// Key of the advisory lock held while a server runs the retention sweep.
const SWEEP_LOCK: i64 = 0x4c6f_674c_656e_7332; // "LogLens2"

/// How many columns [`COLUMNS`] names (the claim's columns follow them in `append`).
const COLUMN_COUNT: usize = 37;
const _: () = assert!(
    count_columns(COLUMNS) == COLUMN_COUNT,
    "COLUMN_COUNT must be the number of COLUMNS"
);

/// The columns a comma-separated list names (at compile time).
const fn count_columns(list: &str) -> usize {
    let bytes = list.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            n += 1;
        }
        i += 1;
    }
    n
}

pub struct PgStore {
    url: String,
    client: Mutex<Option<Client>>,
}

impl PgStore {
    /// Connects and brings the schema up to date.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let store = PgStore {
            url: url.to_owned(),
            client: Mutex::new(None),
        };
        {
            let mut guard = store.client()?;
            let client = guard
                .as_mut()
                .ok_or(StoreError::Task("no connection".into()))?;
            migrate(client)?;
        }
        Ok(store)
    }

    /// The connection, opened again if it broke.
    fn client(&self) -> Result<MutexGuard<'_, Option<Client>>, StoreError> {
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(Client::connect(&self.url, NoTls)?);
        }
        Ok(guard)
    }

    pub(super) fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.client()?;
        let client = guard
            .as_mut()
            .ok_or(StoreError::Task("no connection".into()))?;
        let result = f(client);
        if result.is_err() && client.is_closed() {
            *guard = None; // the next call connects again
        }
        result
    }

    fn jobs_where(
        &self,
        condition: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<JobRecord>, StoreError> {
        self.with(|c| {
            c.query(
                &format!("SELECT {COLUMNS} FROM jobs WHERE {condition}"),
                params,
            )?
            .iter()
            .map(row_to_job)
            .collect()
        })
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = (|| {
        client.batch_execute(
            "CREATE TABLE IF NOT EXISTS loglens_schema (version INTEGER NOT NULL)",
        )?;
        let found: i32 = client
            .query_one("SELECT MAX(version) FROM loglens_schema", &[])?
            .try_get::<_, Option<i32>>(0)?
            .unwrap_or(0);
        let latest = MIGRATIONS[MIGRATIONS.len() - 1].0;
        if found > latest {
            return Err(StoreError::Task(format!(
                "the database has schema version {found}, newer than this LogLens knows ({latest})"
            )));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
            let mut tx = client.transaction()?;
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO loglens_schema (version) VALUES ($1)",
                &[version],
            )?;
            tx.commit()?;
        }
        Ok(())
    })();
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

fn row_to_job(r: &Row) -> Result<JobRecord, StoreError> {
    let path = |s: Option<String>| s.map(PathBuf::from);
    let state: String = r.try_get(1)?;
    let model: String = r.try_get(2)?;
    Ok(JobRecord {
        id: r.try_get(0)?,
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        model: model
            .parse::<ModelKind>()
            .map_err(|e| StoreError::Task(format!("job row with model {model:?}: {e}")))?,
        semantic: r.try_get(3)?,
        upload_name: r.try_get(4)?,
        upload_path: PathBuf::from(r.try_get::<_, String>(5)?),
        upload_bytes: r.try_get::<_, i64>(6)? as u64,
        kb_name: r.try_get(7)?,
        kb_path: path(r.try_get(8)?),
        playbooks_name: r.try_get(9)?,
        playbooks_path: path(r.try_get(10)?),
        formats_name: r.try_get(29)?,
        formats_path: path(r.try_get(30)?),
        glossary_name: r.try_get(31)?,
        glossary_path: path(r.try_get(32)?),
        kb_for_all: r.try_get(36)?,
        result_dir: path(r.try_get(11)?),
        results_zip: r.try_get(12)?,
        stage: parse_stage(r.try_get(13)?),
        progress: r.try_get::<_, i32>(14)?.clamp(0, 100) as u8,
        message: LocalizedText::new(r.try_get::<_, String>(15)?, r.try_get::<_, String>(26)?),
        throughput: Throughput {
            bytes_done: r.try_get::<_, i64>(16)? as u64,
            bytes_total: r.try_get::<_, i64>(17)? as u64,
            lines_done: r.try_get::<_, i64>(18)? as u64,
            speed_bytes_per_sec: r.try_get(19)?,
            eta_seconds: r.try_get::<_, Option<i64>>(20)?.map(|e| e as u64),
        },
        seq: r.try_get::<_, i64>(21)? as u64,
        error: r.try_get(22)?,
        created_at: r.try_get(23)?,
        started_at: r.try_get(24)?,
        finished_at: r.try_get(25)?,
        notices: r.try_get::<_, i32>(27)?.max(0) as u32,
        attempts: r.try_get::<_, i32>(28)?.max(0) as u32,
        incidents: r.try_get::<_, Option<i64>>(33)?.map(|n| n.max(0) as u64),
        links: r.try_get::<_, Option<i64>>(34)?.map(|n| n.max(0) as u64),
        knowledge_base: r.try_get(35)?,
    })
}

fn path_text(p: &Option<(String, PathBuf)>) -> (Option<String>, Option<String>) {
    match p {
        Some((name, path)) => (
            Some(name.clone()),
            Some(path.to_string_lossy().into_owned()),
        ),
        None => (None, None),
    }
}

impl JobStore for PgStore {
    fn insert(&self, job: &NewJob) -> Result<JobRecord, StoreError> {
        let queued = super::notes::JobNote::Queued.text();
        let (kb_name, kb_path) = path_text(&job.kb);
        let (pb_name, pb_path) = path_text(&job.playbooks);
        let (f_name, f_path) = path_text(&job.formats);
        let (g_name, g_path) = path_text(&job.glossary);
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (id, state, model, semantic, upload_name, upload_path, upload_bytes, kb_name, kb_path,
                    playbooks_name, playbooks_path, message, message_en, created_at, formats_name, formats_path,
                    glossary_name, glossary_path, kb_for_all)
                    VALUES ($1,'queued',$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
                &[
                    &job.id,
                    &job.model.as_str(),
                    &job.semantic,
                    &job.upload_name,
                    &job.upload_path.to_string_lossy().as_ref(),
                    &(job.upload_bytes as i64),
                    &kb_name,
                    &kb_path,
                    &pb_name,
                    &pb_path,
                    &queued.ru,
                    &queued.en,
                    &now(),
                    &f_name,
                    &f_path,
                    &g_name,
                    &g_path,
                    &job.kb_for_all,
                ],
            )?;
            c.execute("SELECT pg_notify($1, '')", &[&QUEUE_CHANNEL])?;
            Ok(())
        })?;
        self.get(&job.id)?
            .ok_or_else(|| StoreError::Task(format!("job {} vanished after insert", job.id)))
    }

    fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        Ok(self.jobs_where("id = $1", &[&id])?.into_iter().next())
    }

    fn list(
        &self,
        state: Option<JobState>,
        name: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<JobRecord>, u64), StoreError> {
        let st = state.map(JobState::as_str);
        // `strpos` of the lower-cased texts: no LIKE wildcards to escape in a user's words.
        const WHERE: &str = "($1::TEXT IS NULL OR state = $1)
            AND ($2::TEXT IS NULL OR strpos(lower(upload_name), lower($2)) > 0)";
        let total: i64 = self.with(|c| {
            Ok(c.query_one(
                &format!("SELECT COUNT(*) FROM jobs WHERE {WHERE}"),
                &[&st, &name],
            )?
            .try_get(0)?)
        })?;
        let rows = self.jobs_where(
            &format!("{WHERE} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4"),
            &[&st, &name, &i64::from(limit), &i64::from(offset)],
        )?;
        Ok((rows, total as u64))
    }

    fn unfinished(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.jobs_where("state IN ('queued','running') ORDER BY created_at, id", &[])
    }

    fn expired(&self, before: &str) -> Result<Vec<JobRecord>, StoreError> {
        self.jobs_where(
            "state IN ('succeeded','failed','cancelled') AND created_at < $1",
            &[&before],
        )
    }

    fn append(
        &self,
        id: &str,
        fence: Option<&Fence>,
        change: Change<'_>,
        make: MakeEvent<'_>,
    ) -> Result<ServerMessage, StoreError> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            // The row lock makes `seq` the job's next one whichever node appends, and holds
            // the claim still while it is checked.
            let row = tx
                .query_opt(
                    &format!("SELECT {COLUMNS}, owner, claim FROM jobs WHERE id = $1 FOR UPDATE"),
                    &[&id],
                )?
                .ok_or_else(|| StoreError::NoJob(id.to_owned()))?;
            let job = row_to_job(&row)?;
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
            if let Some(f) = fence {
                let owner: Option<String> = row.try_get(COLUMN_COUNT)?;
                let claim: i64 = row.try_get(COLUMN_COUNT + 1)?;
                if owner.as_deref() != Some(f.node.as_str()) || claim != f.claim {
                    return Err(StoreError::Fenced {
                        id: id.to_owned(),
                        node: f.node.clone(),
                        claim: f.claim,
                    });
                }
            }
            let seq = (job.seq + 1) as i64;
            let ts = now();
            match change {
                Change::Progress {
                    stage,
                    progress,
                    message,
                    throughput: tp,
                } => {
                    tx.execute(
                        "UPDATE jobs SET stage=$2, progress=$3, message=$4, bytes_done=$5, bytes_total=$6, lines_done=$7,
                            speed=$8, eta=$9, seq=$10, message_en=$11 WHERE id=$1",
                        &[
                            &id,
                            &stage_key(stage),
                            &i32::from(progress),
                            &message.ru,
                            &(tp.bytes_done as i64),
                            &(tp.bytes_total as i64),
                            &(tp.lines_done as i64),
                            &tp.speed_bytes_per_sec,
                            &tp.eta_seconds.map(|e| e as i64),
                            &seq,
                            &message.en,
                        ],
                    )?;
                }
                Change::Started { message } => {
                    tx.execute(
                        "UPDATE jobs SET state='running', message=$2, started_at=COALESCE(started_at, $3), seq=$4,
                            message_en=$5, attempts=attempts+1 WHERE id=$1",
                        &[&id, &message.ru, &ts, &seq, &message.en],
                    )?;
                }
                Change::Paused { message } => {
                    // Its claim goes with it (it holds no worker); the node running it hears
                    // the doorbell (or its next append is refused) and stops.
                    tx.execute(
                        "UPDATE jobs SET state='paused', message=$2, seq=$3, message_en=$4, owner=NULL,
                            lease_until=NULL, eta=NULL,
                            attempts = CASE WHEN state='running' THEN GREATEST(attempts-1, 0) ELSE attempts END
                            WHERE id=$1",
                        &[&id, &message.ru, &seq, &message.en],
                    )?;
                    tx.execute("SELECT pg_notify($1, $2)", &[&CANCEL_CHANNEL, &id])?;
                }
                Change::Requeued { message } | Change::Resumed { message } => {
                    // Given back: any node may claim it.
                    tx.execute(
                        "UPDATE jobs SET state='queued', message=$2, seq=$3, message_en=$4, owner=NULL,
                            lease_until=NULL WHERE id=$1",
                        &[&id, &message.ru, &seq, &message.en],
                    )?;
                    tx.execute("SELECT pg_notify($1, '')", &[&QUEUE_CHANNEL])?;
                }
                Change::Finished {
                    state,
                    message,
                    error,
                } => {
                    let progress = if state == JobState::Succeeded {
                        100
                    } else {
                        i32::from(job.progress)
                    };
                    tx.execute(
                        "UPDATE jobs SET state=$2, message=$3, error=$4, finished_at=$5, progress=$6, eta=NULL, seq=$7,
                            message_en=$8 WHERE id=$1",
                        &[&id, &state.as_str(), &message.ru, &error, &ts, &progress, &seq, &message.en],
                    )?;
                }
            }
            let updated = row_to_job(
                &tx.query_one(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"), &[&id])?,
            )?;
            let event = make(seq as u64, &updated);
            tx.execute(
                "INSERT INTO events (job_id, seq, body) VALUES ($1, $2, $3)",
                &[&id, &seq, &serde_json::to_string(&event)?],
            )?;
            // The doorbell of the other servers' sockets: the store stays the truth.
            tx.execute("SELECT pg_notify($1, $2)", &[&EVENTS_CHANNEL, &id])?;
            tx.commit()?;
            Ok(event)
        })
    }

    fn requeue(&self, id: &str, refund: bool) -> Result<(), StoreError> {
        let sql = if refund {
            "UPDATE jobs SET state='queued', attempts=GREATEST(attempts-1, 0), owner=NULL, lease_until=NULL
                WHERE id=$1 AND state IN ('queued','running')"
        } else {
            "UPDATE jobs SET state='queued', owner=NULL, lease_until=NULL
                WHERE id=$1 AND state IN ('queued','running')"
        };
        self.with(|c| {
            c.execute(sql, &[&id])?;
            c.execute("SELECT pg_notify($1, '')", &[&QUEUE_CHANNEL])?;
            Ok(())
        })
    }

    fn failed_with_uploads(&self, before: &str) -> Result<Vec<JobRecord>, StoreError> {
        self.jobs_where(
            "state IN ('failed','cancelled') AND created_at < $1 AND upload_path != ''",
            &[&before],
        )
    }

    fn forget_upload(&self, id: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET upload_path='', kb_path=NULL, playbooks_path=NULL, formats_path=NULL,
                    glossary_path=NULL WHERE id=$1",
                &[&id],
            )?;
            Ok(())
        })
    }

    fn set_results(
        &self,
        id: &str,
        fence: Option<&Fence>,
        dir: &Path,
        zip_name: &str,
        figures: &RunFigures,
    ) -> Result<(), StoreError> {
        let (node, claim) = fence.map_or((None, None), |f| (Some(f.node.as_str()), Some(f.claim)));
        let count = |n: u64| n.min(i64::MAX as u64) as i64;
        self.with(|c| {
            let n = c.execute(
                "UPDATE jobs SET result_dir=$2, results_zip=$3, notices=$4, incidents=$7, links=$8,
                    kb_used=$9
                    WHERE id=$1 AND ($5::TEXT IS NULL OR (owner=$5 AND claim=$6))",
                &[
                    &id,
                    &dir.to_string_lossy().as_ref(),
                    &zip_name,
                    &(figures.notices.min(i32::MAX as u32) as i32),
                    &node,
                    &claim,
                    &count(figures.incidents),
                    &count(figures.links),
                    &figures.knowledge_base,
                ],
            )?;
            match fence {
                Some(f) if n == 0 => Err(StoreError::Fenced {
                    id: id.to_owned(),
                    node: f.node.clone(),
                    claim: f.claim,
                }),
                _ => Ok(()),
            }
        })
    }

    fn queue_position(&self, id: &str) -> Result<Option<u32>, StoreError> {
        self.with(|c| {
            Ok(c
                .query_opt(
                    "SELECT (SELECT COUNT(*) FROM jobs o WHERE o.state='queued'
                        AND (o.created_at < j.created_at OR (o.created_at = j.created_at AND o.id < j.id))) + 1
                     FROM jobs j WHERE j.id=$1 AND j.state='queued'",
                    &[&id],
                )?
                .map(|r| r.try_get::<_, i64>(0))
                .transpose()?
                .map(|n| n as u32))
        })
    }

    fn was_deleted(&self, id: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            Ok(c.query_opt("SELECT 1 FROM deleted WHERE id=$1", &[&id])?
                .is_some())
        })
    }

    fn not_relevant(&self) -> Result<Vec<NotRelevant>, StoreError> {
        self.with(|c| {
            Ok(c.query(
                "SELECT kb_hash, anomaly_id, problem_id FROM not_relevant ORDER BY kb_hash, anomaly_id, problem_id",
                &[],
            )?
            .iter()
            .map(|r| NotRelevant {
                kb_hash: r.get(0),
                anomaly_id: r.get::<_, i64>(1) as u32,
                problem_id: r.get::<_, i64>(2) as u32,
            })
            .collect())
        })
    }

    fn set_not_relevant(&self, mark: &NotRelevant, marked: bool) -> Result<(), StoreError> {
        let (a, p) = (i64::from(mark.anomaly_id), i64::from(mark.problem_id));
        self.with(|c| {
            if marked {
                c.execute(
                    "INSERT INTO not_relevant (kb_hash, anomaly_id, problem_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    &[&mark.kb_hash, &a, &p],
                )?;
            } else {
                c.execute(
                    "DELETE FROM not_relevant WHERE kb_hash=$1 AND anomaly_id=$2 AND problem_id=$3",
                    &[&mark.kb_hash, &a, &p],
                )?;
            }
            Ok(())
        })
    }

    fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<ServerMessage>, StoreError> {
        self.with(|c| {
            c.query(
                "SELECT body FROM events WHERE job_id=$1 AND seq>$2 ORDER BY seq",
                &[&id, &(after_seq as i64)],
            )?
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<_, String>(0)?)?))
            .collect()
        })
    }

    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let gone = tx.execute("DELETE FROM jobs WHERE id=$1", &[&id])? > 0;
            if gone {
                tx.execute(
                    "INSERT INTO deleted (id, deleted_at) VALUES ($1, $2)
                        ON CONFLICT (id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at",
                    &[&id, &now()],
                )?;
            }
            tx.commit()?;
            Ok(gone)
        })
    }

    fn listen(&self, mut bell: Bell) -> Result<bool, StoreError> {
        let url = self.url.clone();
        std::thread::Builder::new()
            .name("pg-listen".into())
            .spawn(move || {
                loop {
                    let connected = Client::connect(&url, NoTls).and_then(|mut c| {
                        c.batch_execute(&format!(
                            "LISTEN {EVENTS_CHANNEL}; LISTEN {QUEUE_CHANNEL}; LISTEN {CANCEL_CHANNEL}"
                        ))?;
                        Ok(c)
                    });
                    let mut client = match connected {
                        Ok(c) => c,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot listen for events; retrying");
                            std::thread::sleep(LISTEN_TICK);
                            if !bell(Rung::Idle) {
                                return;
                            }
                            continue;
                        }
                    };
                    // Events appended while not listening: every watched job is checked.
                    if !bell(Rung::Reconnected) {
                        return;
                    }
                    loop {
                        let next = client.notifications().timeout_iter(LISTEN_TICK).next();
                        let go_on = match next {
                            Ok(Some(n)) => bell(match n.channel() {
                                QUEUE_CHANNEL => Rung::Queued,
                                CANCEL_CHANNEL => Rung::Cancel(n.payload()),
                                _ => Rung::Event(n.payload()),
                            }),
                            Ok(None) => bell(Rung::Idle),
                            Err(e) => {
                                tracing::warn!(error = %e, "event listener lost its connection");
                                break;
                            }
                        };
                        if !go_on {
                            return;
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Task(format!("cannot start the event listener: {e}")))?;
        Ok(true)
    }

    /// A session-level advisory lock: held by this connection until unlocked (or until the
    /// connection ends, should this server die while sweeping).
    fn try_lock_sweep(&self) -> Result<bool, StoreError> {
        self.with(|c| {
            Ok(
                c.query_one("SELECT pg_try_advisory_lock($1)", &[&SWEEP_LOCK])?
                    .try_get(0)?,
            )
        })
    }

    fn unlock_sweep(&self) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("SELECT pg_advisory_unlock($1)", &[&SWEEP_LOCK])?;
            Ok(())
        })
    }

    fn count_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        self.with(|c| {
            Ok(
                c.query("SELECT state, COUNT(*) FROM jobs GROUP BY state", &[])?
                    .iter()
                    .filter_map(|r| {
                        let s: String = r.try_get(0).ok()?;
                        let n: i64 = r.try_get(1).ok()?;
                        JobState::parse(&s).map(|st| (st, n as u64))
                    })
                    .collect(),
            )
        })
    }
}

/// Seconds as PostgreSQL's `interval` arithmetic takes them.
fn secs(d: std::time::Duration) -> f64 {
    d.as_secs_f64()
}

impl SharedQueue for PgStore {
    fn claim(&self, node: &str, lease: std::time::Duration) -> Result<Option<Claim>, StoreError> {
        self.with(|c| {
            // The oldest job nobody holds: queued and unclaimed, or claimed by a node whose
            // lease ran out (it died, or lost the database for longer than the lease).
            // SKIP LOCKED: nodes claiming at once take different jobs instead of waiting.
            let row = c.query_opt(
                "UPDATE jobs SET owner=$1, claim=claim+1, lease_until=now() + make_interval(secs => $2)
                 WHERE id = (
                    SELECT id FROM jobs
                    WHERE state IN ('queued','running')
                      AND ((state='queued' AND owner IS NULL) OR lease_until < now())
                    ORDER BY created_at, id
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                 RETURNING id, claim, cancel_requested",
                &[&node, &secs(lease)],
            )?;
            row.map(|r| {
                Ok(Claim {
                    id: r.try_get(0)?,
                    fence: Some(Fence {
                        node: node.to_owned(),
                        claim: r.try_get(1)?,
                    }),
                    cancel_requested: r.try_get(2)?,
                })
            })
            .transpose()
        })
    }

    /// A case of a spread job first (a job already under way finishes sooner), else a job.
    fn claim_work(
        &self,
        node: &str,
        lease: std::time::Duration,
    ) -> Result<Option<Work>, StoreError> {
        if let Some(unit) = self.claim_unit(node, lease, None)? {
            return Ok(Some(Work::Case(unit)));
        }
        Ok(self.claim(node, lease)?.map(Work::Job))
    }

    fn heartbeat(
        &self,
        node: &str,
        lease: std::time::Duration,
        held: &Held,
    ) -> Result<Vec<String>, StoreError> {
        let jobs: Vec<&str> = held.jobs.iter().map(String::as_str).collect();
        let unit_jobs: Vec<&str> = held.units.iter().map(|(j, _)| j.as_str()).collect();
        let unit_cases: Vec<i32> = held.units.iter().map(|&(_, c)| c as i32).collect();
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO nodes (id, started_at, heartbeat_at) VALUES ($1, now(), now())
                    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()",
                &[&node],
            )?;
            tx.execute(
                "UPDATE jobs SET lease_until = now() + make_interval(secs => $2)
                    WHERE owner=$1 AND state IN ('queued','running') AND id = ANY($3)",
                &[&node, &secs(lease), &jobs],
            )?;
            tx.execute(
                "UPDATE units SET lease_until = now() + make_interval(secs => $2)
                    WHERE owner=$1 AND state='running'
                      AND (job_id, idx) IN (SELECT * FROM unnest($3::text[], $4::int[]))",
                &[&node, &secs(lease), &unit_jobs, &unit_cases],
            )?;
            // Its jobs asked to cancel, and the jobs of the cases it reads that were
            // cancelled or ended meanwhile.
            let cancels = tx
                .query(
                    "SELECT id FROM jobs WHERE owner=$1 AND cancel_requested AND state IN ('queued','running')
                     UNION
                     SELECT j.id FROM units u JOIN jobs j ON j.id = u.job_id
                        WHERE u.owner=$1 AND u.state='running'
                          AND (j.cancel_requested OR j.state NOT IN ('queued','running'))",
                    &[&node],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<String>, _>>()?;
            tx.commit()?;
            Ok(cancels)
        })
    }

    fn release(&self, node: &str) -> Result<u64, StoreError> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE jobs SET owner=NULL, lease_until=NULL, state='queued'
                    WHERE owner=$1 AND state IN ('queued','running')",
                &[&node],
            )?;
            c.execute(
                "UPDATE units SET owner=NULL, lease_until=NULL, state='queued'
                    WHERE owner=$1 AND state='running'",
                &[&node],
            )?;
            c.execute("SELECT pg_notify($1, '')", &[&QUEUE_CHANNEL])?;
            Ok(n)
        })
    }

    fn request_cancel(&self, id: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET cancel_requested=TRUE WHERE id=$1 AND state IN ('queued','running')",
                &[&id],
            )?;
            c.execute("SELECT pg_notify($1, $2)", &[&CANCEL_CHANNEL, &id])?;
            Ok(())
        })
    }

    fn queued(&self) -> Result<u64, StoreError> {
        self.with(|c| {
            Ok(
                c.query_one("SELECT COUNT(*) FROM jobs WHERE state='queued'", &[])?
                    .try_get::<_, i64>(0)? as u64,
            )
        })
    }
}

impl Drop for PgStore {
    /// The `postgres` client closes its connection on its own runtime, which must not happen
    /// on a thread of the server's (a panic): it is closed on a thread of its own.
    fn drop(&mut self) {
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(client) = client {
            let _ = std::thread::Builder::new()
                .name("pg-close".into())
                .spawn(move || drop(client));
        }
    }
}
