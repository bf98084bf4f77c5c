//! Jobs: uploads become queued analyses that survive restarts and report every step.
//!
//! `store` persists jobs and their event log (SQLite); `bus` fans live events out to
//! watchers; this module owns the bounded queue, the workers that run the engine off the
//! async runtime, cancellation, restart recovery and retention. Every event is written to the
//! store before any watcher sees it.

pub mod bus;
mod facade;
mod files;
pub mod intake;
pub mod migrations;
pub mod notes;
pub mod pg_store;
mod pg_units;
pub mod queue;
pub mod storage;
pub mod store;
pub mod units;
pub mod worker;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loglens_shared::session::{
    JobState, ProgressMessage, ServerMessage, Snapshot, TerminalMessage, Throughput,
};
use loglens_shared::{LocalizedText, Stage};

use crate::engine::progress::EngineProgress;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use self::bus::Bus;
use self::notes::JobNote;
pub use self::queue::Slot;
use self::queue::{Claim, Held, NodeConfig, Queue, SharedQueue, Work};
use self::store::{
    Change, Fence, JobRecord, JobStore, NewJob, RunFigures, Rung, SqliteStore, StoreError,
};
use self::units::UnitStore;
use self::worker::{Ending, WorkOrder, WorkerConfig};
use crate::engine::{ModelKind, ProgressSink};
use crate::metrics::Metrics;

/// Settings of the job system.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    pub data_dir: PathBuf,
    /// `postgres://…`: the job store is PostgreSQL; `None`: the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// `file:///dir` or `s3://bucket?…`: uploads and results are kept there; `None`: in
    /// `data_dir` (see [`storage`]).
    pub storage_url: Option<String>,
    /// Jobs waiting beyond the running ones; more uploads get 429.
    pub queue_capacity: usize,
    /// Analyses running at once.
    pub workers: usize,
    /// Finished jobs and their files are deleted after this long.
    pub retention: Duration,
    /// Uploads of failed and cancelled jobs are deleted after this long (their record stays).
    pub failed_upload_retention: Duration,
    /// How analyses are run: the worker process and its limits.
    pub worker: WorkerConfig,
    /// Times a job may stop its worker (crash, kill, server restart) before it fails.
    pub max_attempts: u32,
    /// This node's name, heartbeat and takeover delay (used with a shared database).
    pub node: NodeConfig,
    /// Archives of several cases with at least this many log bytes are spread over the
    /// nodes (a shared database and storage only; see [`units`]).
    pub spread_min_bytes: u64,
}

/// Shortest retention accepted, whatever the configuration says.
pub const MIN_RETENTION: Duration = Duration::from_secs(24 * 3600);
/// How often expired jobs are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// How long shutdown waits for running analyses to reach a checkpoint.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long a run keeps trying a store call it must not lose (its ending, a coordinator's
/// units) while the shared database is unreachable (a PostgreSQL restart); past it, the job's
/// lease runs out and another node runs it again.
const STORE_RETRY_FOR: Duration = Duration::from_secs(60);
/// How soon a job found still in a worker's hands is handed out again.
const HAND_OUT_AGAIN_AFTER: Duration = Duration::from_millis(250);
/// A worker's address space may reach this many times its memory budget (ONNX Runtime and
/// thread stacks reserve far more than they touch); the budget itself is watched on the RSS.
pub const ADDRESS_SPACE_FACTOR: u64 = 4;
/// … and at least this much, whatever the budget (threads and libraries need their room).
pub const MIN_ADDRESS_SPACE: u64 = 8 * 1024 * 1024 * 1024;
/// The log lines an analysis keeps get this fraction of its memory budget (the model, the
/// reports and the allocator's overhead need the rest) …
pub const RETAIN_SHARE: u64 = 16;
/// … and at least this much.
pub const MIN_RETAIN_BYTES: u64 = 16 * 1024 * 1024;

pub struct Jobs {
    store: Arc<dyn JobStore>,
    /// Where uploads and results are kept (the data dir, or a store all nodes reach).
    files: Arc<dyn storage::FileStorage>,
    /// The cases of jobs spread over the nodes (a shared database only).
    units: Option<Arc<dyn UnitStore>>,
    /// Spread jobs whose inputs this node keeps a working copy of (it read their cases).
    copies: Mutex<std::collections::HashSet<String>>,
    bus: Bus,
    queue: Queue,
    /// Per watched job, the last `seq` forwarded from the store to the bus (events other
    /// servers appended; see [`Jobs::forward`]).
    forwarded: Mutex<HashMap<String, u64>>,
    /// Each running job's token: a child of `root`, so shutdown stops them all.
    cancels: Mutex<HashMap<String, CancellationToken>>,
    /// The claims this node's workers have in hand, from claim to the end of their handling:
    /// only these leases are renewed by the heartbeat (several nodes).
    held: Mutex<Held>,
    /// Jobs this process paused while they ran here: their run ends as cancelled, and is not
    /// a cancel (one server has no claim to fence it: a resume may already have re-queued it).
    pausing: Mutex<std::collections::HashSet<String>>,
    // Persist and publish under one lock, so watchers see events in `seq` order.
    emit_lock: Mutex<()>,
    /// Cancelled at shutdown: workers stop taking jobs, running ones stop at a checkpoint.
    root: CancellationToken,
    /// The running jobs, waited for at shutdown.
    running: TaskTracker,
    metrics: Arc<Metrics>,
    config: JobsConfig,
}

impl Jobs {
    /// Opens the store, re-queues what a previous process left unfinished, starts the workers.
    pub fn start(config: JobsConfig, metrics: Arc<Metrics>) -> Result<Arc<Jobs>, StoreError> {
        let uploads = config.data_dir.join("uploads");
        std::fs::create_dir_all(&uploads).map_err(|source| StoreError::Io {
            path: uploads,
            source,
        })?;
        type Parts = (
            Arc<dyn JobStore>,
            Queue,
            Option<Arc<dyn UnitStore>>,
            Vec<JobRecord>,
        );
        let (store, queue, units, unfinished): Parts = match &config.database_url {
            Some(url) => {
                let pg = Arc::new(pg_store::PgStore::open(url)?);
                // What this node held before a restart under the same name, it no longer
                // runs: back to the queue at once, rather than after its lease.
                let released = pg.release(&config.node.id)?;
                if released > 0 {
                    tracing::info!(node = %config.node.id, released, "gave back the jobs this node held before it restarted");
                }
                let claims: Arc<dyn SharedQueue> = Arc::clone(&pg) as _;
                let units: Arc<dyn UnitStore> = Arc::clone(&pg) as _;
                let queue = Queue::shared(claims, config.node.clone());
                (pg, queue, Some(units), Vec::new())
            }
            None => {
                let store = SqliteStore::open(&config.data_dir.join("loglens.sqlite3"))?;
                let unfinished = store.unfinished()?;
                // Room for the queue plus everything a restart brings back.
                let queue = Queue::local(config.queue_capacity.max(1) + unfinished.len());
                (Arc::new(store), queue, None, unfinished)
            }
        };
        let files = storage::open(config.storage_url.as_deref())?;
        if files.is_shared() {
            tracing::info!(storage = %files.describe(), "uploads and results kept in shared storage");
        }
        let jobs = Arc::new(Jobs {
            store,
            files,
            units,
            copies: Mutex::default(),
            bus: Bus::default(),
            queue,
            forwarded: Mutex::new(HashMap::new()),
            cancels: Mutex::new(HashMap::new()),
            held: Mutex::default(),
            pausing: Mutex::default(),
            emit_lock: Mutex::new(()),
            root: CancellationToken::new(),
            running: TaskTracker::new(),
            metrics,
            config,
        });
        for job in unfinished {
            if job.attempts >= jobs.config.max_attempts {
                // It was running when the server stopped, as many times as it may: a job that
                // takes its server down must not do it again after every restart.
                tracing::warn!(job = %job.id, attempts = job.attempts, "failing a job that stopped its worker too often");
                let n = job.attempts;
                jobs.finish(
                    &job.id,
                    None,
                    JobState::Failed,
                    JobNote::StoppedItsWorker { times: n }.text(),
                    None,
                )?;
            } else if jobs.local(&job.upload_path).is_file() {
                tracing::info!(job = %job.id, state = job.state.as_str(), "re-queued after restart");
                jobs.store.requeue(&job.id, false)?;
                jobs.queue.retry(&job.id);
            } else {
                tracing::warn!(job = %job.id, "upload gone after restart: failing the job");
                jobs.finish(
                    &job.id,
                    None,
                    JobState::Failed,
                    JobNote::UploadGoneAfterRestart.text(),
                    Some("upload missing after restart"),
                )?;
            }
        }
        // Other servers on the same database append events too: their doorbell brings them
        // to this server's sockets (the store is the truth, the bell only says where to look).
        let weak = Arc::downgrade(&jobs);
        jobs.store.listen(Box::new(move |rung| {
            let Some(jobs) = weak.upgrade() else {
                return false; // the job system is gone: stop listening
            };
            if jobs.root.is_cancelled() {
                return false;
            }
            match rung {
                Rung::Reconnected => {
                    for id in jobs.bus.watched() {
                        jobs.forward(&id);
                    }
                    jobs.queue.wake();
                }
                Rung::Event(id) => jobs.forward(id),
                Rung::Queued => jobs.queue.wake(),
                Rung::Cancel(id) => {
                    jobs.cancel_here(id);
                }
                Rung::Idle => {}
            }
            true
        }))?;
        // On a shared database a node may run nothing (it accepts uploads and serves; the
        // others run them); alone, a server runs at least one analysis at a time.
        let workers = if jobs.queue.node().is_some() {
            jobs.config.workers
        } else {
            jobs.config.workers.max(1)
        };
        for n in 0..workers {
            tokio::spawn(Arc::clone(&jobs).worker(n));
        }
        if jobs.queue.node().is_some() {
            tokio::spawn(Arc::clone(&jobs).heartbeat());
        }
        tokio::spawn(Arc::clone(&jobs).sweeper());
        Ok(jobs)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    /// Reserves a queue place, or `None` when the queue is full.
    fn reserve_blocking(&self) -> Result<Option<Slot>, StoreError> {
        self.queue.reserve_blocking(self.config.queue_capacity)
    }

    /// This node's name when it shares its database with others.
    pub fn node_id(&self) -> Option<&str> {
        self.queue.node().map(|n| n.id.as_str())
    }

    /// Records the job and puts it in the queue (the upload is already on disk).
    /// Checks an upload whole and queues it as session `id` (a blocking call: it reads the
    /// archive's directory and the side files).
    fn accept_blocking(
        &self,
        slot: Slot,
        id: String,
        mut form: intake::UploadForm,
    ) -> Result<Snapshot, intake::IntakeError> {
        let repacked = intake::repack(&mut form)?;
        let queued = intake::check(&form).and_then(|()| Ok(self.submit(slot, form.into_job(id))?));
        if queued.is_err()
            && let Some(zip) = repacked
        {
            // The upload's own file is removed by the HTTP layer; a ZIP made of it here is
            // this function's to remove.
            let _ = std::fs::remove_file(zip);
        }
        queued
    }

    pub fn submit(&self, slot: Slot, mut job: NewJob) -> Result<Snapshot, StoreError> {
        self.share_inputs(&mut job)?;
        let record = self.store.insert(&job)?;
        tracing::info!(job = %job.id, upload = %job.upload_name, bytes = job.upload_bytes, model = %job.model, "job queued");
        self.queue.push(slot, job.id);
        Ok(record.snapshot())
    }

    /// Queues the upload of a finished job again as a new job, with `model` or the same one.
    /// Its files are linked (or copied) under the new id, so deleting either job leaves the
    /// other whole. Returns the new id.
    fn rerun_blocking(
        &self,
        slot: Slot,
        source: &JobRecord,
        model: Option<ModelKind>,
        new_kb: Option<NewKb>,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let uploads = self.config.data_dir.join("uploads");
        let mut made: Vec<PathBuf> = Vec::new();
        let new_kb_file = match &new_kb {
            Some(new) => {
                let to = uploads.join(format!("{id}.kb.csv"));
                std::fs::write(&to, &new.bytes).map_err(|source| StoreError::Io {
                    path: to.clone(),
                    source,
                })?;
                made.push(to.clone());
                Some((new.name.clone(), to))
            }
            None => None,
        };
        let mut link = |from: &std::path::Path, suffix: &str| -> Result<PathBuf, StoreError> {
            let to = uploads.join(format!("{id}{suffix}"));
            // On several nodes the source's files may be only in the storage.
            let from = self.fetch(from)?.ok_or_else(|| StoreError::Io {
                path: from.to_owned(),
                source: std::io::ErrorKind::NotFound.into(),
            })?;
            let from = from.as_path();
            std::fs::hard_link(from, &to)
                .or_else(|_| std::fs::copy(from, &to).map(|_| ()))
                .map_err(|source| StoreError::Io {
                    path: to.clone(),
                    source,
                })?;
            made.push(to.clone());
            Ok(to)
        };
        let extension = |p: &std::path::Path| {
            p.extension()
                .map_or_else(String::new, |e| e.to_string_lossy().into_owned())
        };
        let result = (|| {
            let upload_path = link(&source.upload_path, ".zip")?;
            // A new version of the knowledge base is every case's; else the source's, as it was.
            let (kb, kb_for_all) = match (new_kb_file, &source.kb_name, &source.kb_path) {
                (Some(file), _, _) => (Some(file), true),
                (None, Some(n), Some(p)) => (
                    Some((n.clone(), link(p, &format!(".kb.{}", extension(p)))?)),
                    source.kb_for_all,
                ),
                _ => (None, false),
            };
            let playbooks = match (&source.playbooks_name, &source.playbooks_path) {
                (Some(n), Some(p)) => {
                    Some((n.clone(), link(p, &format!(".playbooks.{}", extension(p)))?))
                }
                _ => None,
            };
            let formats = match (&source.formats_name, &source.formats_path) {
                (Some(n), Some(p)) => Some((n.clone(), link(p, ".formats.toml")?)),
                _ => None,
            };
            let glossary = match (&source.glossary_name, &source.glossary_path) {
                (Some(n), Some(p)) => Some((n.clone(), link(p, ".glossary.csv")?)),
                _ => None,
            };
            self.submit(
                slot,
                NewJob {
                    id: id.clone(),
                    model: model.unwrap_or(source.model),
                    semantic: source.semantic,
                    upload_name: source.upload_name.clone(),
                    upload_path,
                    upload_bytes: source.upload_bytes,
                    kb,
                    playbooks,
                    formats,
                    glossary,
                    kb_for_all,
                },
            )
        })();
        match result {
            Ok(_) => Ok(id),
            Err(e) => {
                for p in made {
                    let _ = std::fs::remove_file(p);
                }
                Err(e)
            }
        }
    }

    /// The job's snapshot, with its place in the queue while it waits.
    fn snapshot_blocking(&self, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let Some(mut snap) = self.store.get(id)?.map(|j| j.snapshot()) else {
            return Ok(None);
        };
        if snap.state == JobState::Queued {
            snap.queue_position = self.store.queue_position(id)?;
        }
        Ok(Some(snap))
    }

    pub fn subscribe(&self, id: &str) -> broadcast::Receiver<Arc<ServerMessage>> {
        self.bus.subscribe(id)
    }

    pub fn release(&self, id: &str) {
        self.bus.release(id);
    }

    pub fn watchers(&self) -> usize {
        self.bus.watchers()
    }

    /// Asks a job to stop: a queued job ends at once, a running one at its next checkpoint.
    fn cancel_blocking(&self, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let Some(job) = self.store.get(id)? else {
            return Ok(None);
        };
        match job.state {
            JobState::Queued | JobState::Paused => {
                // A node that claimed it meanwhile finds it ended: its first append is refused.
                match self.finish(
                    id,
                    None,
                    JobState::Cancelled,
                    JobNote::Cancelled.text(),
                    None,
                ) {
                    Err(e) if e.is_refusal() => {}
                    other => other?,
                }
            }
            JobState::Running => {
                self.cancel_here(id);
                if let Some(claims) = self.queue.claims() {
                    // The node coordinating it, and every node reading one of its cases, hear
                    // the request (and their heartbeats read it).
                    claims.request_cancel(id)?;
                }
            }
            _ => {}
        }
        self.snapshot_blocking(id)
    }

    /// Pauses a queued or running job: it leaves the queue or its worker (at the next
    /// checkpoint; on several nodes the node running it hears the doorbell, or its next
    /// append is refused) and stays paused, through restarts, until resumed. `None` when
    /// there is no such job; a refusal ([`StoreError::State`]) when it has ended.
    fn pause_blocking(&self, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let Some(job) = self.store.get(id)? else {
            return Ok(None);
        };
        if job.state.is_terminal() {
            return Err(StoreError::State {
                id: id.to_owned(),
                state: job.state,
                action: "pause",
            });
        }
        if job.state != JobState::Paused {
            self.emit(
                id,
                None,
                Change::Paused {
                    message: &JobNote::Paused.text(),
                },
                |seq, rec| progress_message(seq, rec, None),
            )?;
            let mut pausing = self.pausing.lock().unwrap_or_else(|p| p.into_inner());
            if self.cancel_here(id) {
                pausing.insert(id.to_owned());
            }
            drop(pausing);
            tracing::info!(job = %id, "paused");
        }
        self.snapshot_blocking(id)
    }

    /// Puts a paused job back in the queue; it runs again from its first stage (its percent
    /// does not go back). A refusal when it is not paused.
    fn resume_blocking(&self, id: &str) -> Result<Resume, StoreError> {
        let Some(job) = self.store.get(id)? else {
            return Ok(Resume::Done(None));
        };
        if job.state != JobState::Paused {
            return Err(StoreError::State {
                id: id.to_owned(),
                state: job.state,
                action: "resume",
            });
        }
        let Some(slot) = self.reserve_blocking()? else {
            return Ok(Resume::QueueFull);
        };
        self.emit(
            id,
            None,
            Change::Resumed {
                message: &JobNote::Resumed.text(),
            },
            |seq, rec| progress_message(seq, rec, None),
        )?;
        self.queue.push(slot, id.to_owned());
        tracing::info!(job = %id, "resumed");
        Ok(Resume::Done(self.snapshot_blocking(id)?.map(Box::new)))
    }

    /// Cancels `id` if this process runs it, and the cases of it this process reads (keys
    /// `<id>#<case>`); `false` if it runs neither.
    fn cancel_here(&self, id: &str) -> bool {
        let cancels = self.cancels.lock().unwrap_or_else(|p| p.into_inner());
        let mut found = false;
        for (key, token) in cancels.iter() {
            let case_of = key
                .strip_prefix(id)
                .is_some_and(|rest| rest.starts_with('#'));
            if key == id || case_of {
                token.cancel();
                found = true;
            }
        }
        found
    }

    /// Cancels if needed and removes the job, its events, upload and results.
    fn delete_blocking(&self, id: &str) -> Result<bool, StoreError> {
        let Some(job) = self.store.get(id)? else {
            return Ok(false);
        };
        if !job.state.is_terminal() {
            self.cancel_blocking(id)?;
        }
        self.remove_files(&job);
        self.store.delete(id)
    }

    /// Stops taking work; running analyses are interrupted at a checkpoint and left queued
    /// for the next start. Waits at most [`SHUTDOWN_GRACE`].
    pub async fn shutdown(&self) {
        self.root.cancel();
        self.running.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, self.running.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                running = self.running.len(),
                "analyses still running at the end of the grace period"
            );
        }
    }

    /// Refreshes the jobs-by-state gauge from the store (called when metrics are scraped).
    fn refresh_metrics_blocking(&self) -> Result<(), StoreError> {
        let counts = self.store.count_by_state()?;
        for state in JobState::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| *s == state)
                .map_or(0, |(_, n)| *n);
            self.metrics
                .jobs
                .with_label_values(&[state.as_str()])
                .set(n as i64);
        }
        Ok(())
    }

    /// Publishes to this server's watchers of `id` the events stored since the last ones
    /// forwarded. A job this server runs is skipped: its own `emit` publishes every event
    /// (a socket drops any `seq` it has already sent, should both ever reach it).
    fn forward(&self, id: &str) {
        let runs_here = self
            .cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(id);
        if runs_here || !self.bus.is_watched(id) {
            self.forwarded
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(id);
            return;
        }
        let after = self
            .forwarded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .copied()
            .unwrap_or(0);
        let events = match self.store.events_after(id, after) {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "cannot read events to forward");
                return;
            }
        };
        let _order = self.emit_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut last = after;
        let mut ended = false;
        for event in events {
            last = event.seq().unwrap_or(last).max(last);
            ended |= event.is_terminal();
            self.bus.publish(id, event);
        }
        let mut forwarded = self.forwarded.lock().unwrap_or_else(|p| p.into_inner());
        if ended {
            forwarded.remove(id); // nothing follows a terminal event
        } else {
            forwarded.insert(id.to_owned(), last);
        }
    }

    fn emit(
        &self,
        id: &str,
        fence: Option<&Fence>,
        change: Change<'_>,
        make: impl FnOnce(u64, &JobRecord) -> ServerMessage,
    ) -> Result<(), StoreError> {
        let _order = self.emit_lock.lock().unwrap_or_else(|p| p.into_inner());
        let event = self.store.append(id, fence, change, Box::new(make))?;
        self.bus.publish(id, event);
        Ok(())
    }

    fn finish(
        &self,
        id: &str,
        fence: Option<&Fence>,
        state: JobState,
        message: LocalizedText,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let sid = id.to_owned();
        // The error's text goes into the message too, so a snapshot read later says as much
        // as the terminal event did.
        let message = error.map_or_else(|| message.clone(), |e| message.with_detail(e));
        self.emit(
            id,
            fence,
            Change::Finished {
                state,
                message: &message,
                error,
            },
            |seq, _| {
                let m = TerminalMessage {
                    seq,
                    session_id: sid,
                    text: message.clone(),
                    code: match state {
                        JobState::Cancelled => Some("cancelled".into()),
                        JobState::Failed => Some("failed".into()),
                        _ => None,
                    },
                };
                if state == JobState::Succeeded {
                    ServerMessage::Complete(m)
                } else {
                    ServerMessage::Error(m)
                }
            },
        )
    }

    async fn worker(self: Arc<Self>, n: usize) {
        loop {
            let claim = match self.queue.next(&self.root).await {
                None => break,
                Some(Work::Job(claim)) => claim,
                Some(Work::Case(unit)) => {
                    // One case of a job spread over the nodes: read, recorded, done.
                    let jobs = Arc::clone(&self);
                    let _ = self
                        .running
                        .spawn_blocking(move || jobs.run_unit(&unit, None))
                        .await;
                    continue;
                }
            };
            if self.root.is_cancelled() {
                // Claimed as shutdown began: given back at once rather than after its lease.
                let jobs = Arc::clone(&self);
                let id = claim.id.clone();
                let _ = tokio::task::spawn_blocking(move || jobs.store.requeue(&id, true)).await;
                break;
            }
            let id = claim.id.clone();
            // One server's queue may hold a job twice (paused while queued, then resumed
            // before a worker took its first entry): one run at a time.
            let Some(_in_hand) = InHand::job(&self.held, &id) else {
                // Its earlier run is still winding down (paused, then resumed at once): it
                // is handed out again once that run has let go.
                tracing::debug!(job = %id, "still in a worker's hands; handed out again shortly");
                let jobs = Arc::clone(&self);
                tokio::spawn(async move {
                    tokio::time::sleep(HAND_OUT_AGAIN_AFTER).await;
                    let id2 = id.clone();
                    let j = Arc::clone(&jobs);
                    let _ = tokio::task::spawn_blocking(move || {
                        if j.queue.claims().is_some() {
                            // Several nodes: given back to the queue for any node to claim.
                            let _ = j.store.requeue(&id2, false);
                            j.queue.wake();
                        } else if !j.queue.retry(&id2) {
                            tracing::warn!(job = %id2, "queue full: the job waits for a restart");
                        }
                    })
                    .await;
                });
                continue;
            };
            tracing::debug!(worker = n, job = %id, node = ?self.node_id(), "picked up");
            // The whole run is blocking work (the store, the worker process it supervises):
            // it runs on the blocking pool, never on the runtime's threads.
            let jobs = Arc::clone(&self);
            match self.running.spawn_blocking(move || jobs.run(&claim)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) if e.is_refusal() => {
                    tracing::info!(job = %id, reason = %e, "run stopped: the job ended or was taken over");
                }
                Ok(Err(e)) => tracing::error!(job = %id, error = %e, "job bookkeeping failed"),
                Err(join) => {
                    tracing::error!(job = %id, error = %join, "the job's thread failed");
                    let jobs = Arc::clone(&self);
                    let _ = tokio::task::spawn_blocking(move || {
                        jobs.finish(&id, None, JobState::Failed, JobNote::Internal.text(), None)
                    })
                    .await;
                }
            }
        }
    }

    /// The work order of a whole analysis of `job`, with this node's copies of its inputs
    /// (fetched from the shared storage if need be); `None` when its upload is gone.
    fn work_order(
        &self,
        job: &JobRecord,
        out_dir: PathBuf,
    ) -> Result<Option<WorkOrder>, StoreError> {
        let Some(archive) = self.fetch(&job.upload_path)? else {
            return Ok(None);
        };
        let side = |name: &Option<String>,
                    path: &Option<PathBuf>|
         -> Result<Option<(String, PathBuf)>, StoreError> {
            match (name, path) {
                (Some(n), Some(p)) => Ok(self.fetch(p)?.map(|local| (n.clone(), local))),
                _ => Ok(None),
            }
        };
        Ok(Some(WorkOrder {
            archive,
            upload_name: job.upload_name.clone(),
            model: job.model,
            semantic: job.semantic,
            kb: side(&job.kb_name, &job.kb_path)?,
            playbooks: side(&job.playbooks_name, &job.playbooks_path)?,
            out_dir,
            cache_dir: self.config.data_dir.join("cache"),
            address_space_bytes: self
                .config
                .worker
                .memory_budget_bytes
                .saturating_mul(ADDRESS_SPACE_FACTOR)
                .max(MIN_ADDRESS_SPACE),
            retain_bytes: (self.config.worker.memory_budget_bytes / RETAIN_SHARE)
                .max(MIN_RETAIN_BYTES),
            formats: self.config.worker.formats.clone(),
            uploaded_formats: side(&job.formats_name, &job.formats_path)?,
            glossary: self.config.worker.glossary.clone(),
            uploaded_glossary: side(&job.glossary_name, &job.glossary_path)?,
            kb_for_all: job.kb_for_all,
            // Marks made up to now: a run uses those made before it starts.
            not_relevant: self.store.not_relevant()?,
            task: worker::Task::Whole,
        }))
    }

    /// Several nodes: says this node is alive every heartbeat, which renews the leases of
    /// its jobs, and passes on cancel requests for them whose doorbell it missed.
    async fn heartbeat(self: Arc<Self>) {
        let (Some(node), Some(claims)) = (self.queue.node().cloned(), self.queue.claims().cloned())
        else {
            return;
        };
        loop {
            let (c, id, lease) = (Arc::clone(&claims), node.id.clone(), node.dead_after);
            let held = self.held.lock().unwrap_or_else(|p| p.into_inner()).clone();
            match tokio::task::spawn_blocking(move || c.heartbeat(&id, lease, &held)).await {
                Ok(Ok(cancels)) => {
                    for id in cancels {
                        self.cancel_here(&id);
                    }
                }
                Ok(Err(e)) => tracing::warn!(node = %node.id, error = %e, "heartbeat not recorded"),
                Err(e) => tracing::warn!(node = %node.id, error = %e, "heartbeat failed"),
            }
            let jobs = Arc::clone(&self);
            let _ = tokio::task::spawn_blocking(move || jobs.drop_finished_copies()).await;
            tokio::select! {
                () = self.root.cancelled() => return,
                () = tokio::time::sleep(node.heartbeat) => {}
            }
        }
    }

    /// A store call of a run that must not be lost to a database restart (its ending, a
    /// coordinator's units): on a shared database, tried again while it is unreachable for
    /// at most [`STORE_RETRY_FOR`]. A refusal (the job ended, or another node took it
    /// over) is returned at once.
    fn store_retrying<T>(
        &self,
        mut f: impl FnMut() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + STORE_RETRY_FOR;
        let mut pause = Duration::from_millis(200);
        loop {
            match f() {
                Err(e)
                    if !e.is_refusal()
                        && self.queue.node().is_some()
                        && Instant::now() + pause < deadline =>
                {
                    tracing::warn!(error = %e, "the database is out of reach; retrying");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    fn run(self: &Arc<Self>, claim: &Claim) -> Result<(), StoreError> {
        let id = claim.id.as_str();
        let fence = claim.fence.as_ref();
        let Some(job) = self.store.get(id)? else {
            return Ok(());
        };
        if job.state.is_terminal() || job.state == JobState::Paused {
            return Ok(()); // cancelled, deleted or paused while queued
        }
        if claim.cancel_requested {
            // Its node died after the cancel was asked for.
            return self.finish(
                id,
                fence,
                JobState::Cancelled,
                JobNote::Cancelled.text(),
                None,
            );
        }
        let restarted = job.started_at.is_some();
        if restarted && job.attempts >= self.config.max_attempts {
            // It was running when its server stopped, as many times as it may: a job that
            // takes its server down must not do it again after every restart.
            tracing::warn!(job = %id, attempts = job.attempts, "failing a job that stopped its worker too often");
            let times = job.attempts;
            return self.finish(
                id,
                fence,
                JobState::Failed,
                JobNote::StoppedItsWorker { times }.text(),
                None,
            );
        }
        let out_dir = self.config.data_dir.join(files::results_folder(
            id,
            claim.fence.as_ref().map(|f| f.claim),
        ));
        // A new attempt starts clean: nothing half-written by an earlier one is kept.
        let _ = std::fs::remove_dir_all(&out_dir);
        let Some(order) = self.work_order(&job, out_dir.clone())? else {
            tracing::warn!(job = %id, "upload gone: failing the job");
            return self.finish(
                id,
                fence,
                JobState::Failed,
                JobNote::UploadGoneAfterRestart.text(),
                Some("upload missing"),
            );
        };
        let spread = self.cases_to_spread(&order.archive, &job);
        let message = if restarted {
            JobNote::Restarted
        } else {
            JobNote::Started
        }
        .text();
        // Taking a job over from a node that died: this node's watchers of it may not have
        // been sent its last events yet, and once the job runs here its events come from
        // `emit`, not from the store. They are sent now, before the first event of this run.
        self.forward(id);
        self.emit(
            id,
            fence,
            Change::Started { message: &message },
            |seq, rec| progress_message(seq, rec, None),
        )?;
        let cancel = self.root.child_token();
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), cancel.clone());
        let started = Instant::now();
        tracing::info!(job = %id, restarted, attempt = job.attempts + 1, "job started");
        let sink = JobSink {
            jobs: Arc::clone(self),
            id: id.to_owned(),
            fence: claim.fence.clone(),
            cancel,
            started,
            floor: std::sync::atomic::AtomicU8::new(job.progress),
            bytes_total: job.throughput.bytes_total,
            stage_clock: Mutex::new(None),
        };
        let outcome = match &spread {
            Some(bytes) => self.coordinate(id, &order, bytes, &sink),
            None => worker::supervise(&self.config.worker, &order, &sink),
        };
        self.drop_working_copy(&job);
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        let failed = |note: JobNote| -> Result<(), StoreError> {
            let _ = std::fs::remove_dir_all(&out_dir);
            let text = note.text();
            self.store_retrying(|| self.finish(id, fence, JobState::Failed, text.clone(), None))
        };
        match outcome {
            Ok(Ending::Done {
                results_zip,
                notices,
                links,
                lines,
                incidents,
                knowledge_base,
            }) => {
                sink.close_stage();
                self.metrics.lines_total.inc_by(lines);
                let secs = started.elapsed().as_secs_f64();
                if secs > 0.0 {
                    self.metrics.lines_per_second.set(lines as f64 / secs);
                }
                let recorded = self.store_retrying(|| self.share_results(&out_dir))?;
                let figures = RunFigures {
                    notices,
                    incidents,
                    links,
                    knowledge_base,
                };
                self.store_retrying(|| {
                    self.store
                        .set_results(id, fence, &recorded, &results_zip, &figures)
                })?;
                tracing::info!(job = %id, links, notices, ms = started.elapsed().as_millis() as u64, "job succeeded");
                let message = if notices == 0 {
                    JobNote::Complete
                } else {
                    JobNote::CompleteWithWarnings { notices }
                }
                .text();
                self.store_retrying(|| {
                    self.finish(id, fence, JobState::Succeeded, message.clone(), None)
                })
            }
            Ok(Ending::Cancelled) if self.root.is_cancelled() => {
                tracing::info!(job = %id, "interrupted by shutdown: left queued for the next start");
                self.store.requeue(id, true)
            }
            Ok(Ending::Cancelled)
                if self
                    .pausing
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(id)
                    || self
                        .store
                        .get(id)
                        .is_ok_and(|j| j.is_some_and(|j| j.state == JobState::Paused)) =>
            {
                // Stopped by a pause: it waits, its worker free, until resumed (and then
                // runs from its first stage); nothing half-written is kept.
                tracing::info!(job = %id, "run stopped: the job was paused");
                let _ = std::fs::remove_dir_all(&out_dir);
                Ok(())
            }
            Ok(Ending::Cancelled) => {
                tracing::info!(job = %id, "job cancelled");
                let _ = std::fs::remove_dir_all(&out_dir);
                self.store_retrying(|| {
                    self.finish(
                        id,
                        fence,
                        JobState::Cancelled,
                        JobNote::Cancelled.text(),
                        None,
                    )
                })
            }
            Ok(Ending::Failed(detail)) => {
                tracing::warn!(job = %id, %detail, "job failed");
                failed(JobNote::Failed { detail })
            }
            Ok(Ending::OutOfMemory(rss)) => {
                let budget_mib = self.config.worker.memory_budget_bytes / (1024 * 1024);
                tracing::warn!(job = %id, rss, budget_mib, "job over its memory budget");
                failed(JobNote::OutOfMemory { budget_mib })
            }
            Ok(Ending::TimedOut) => {
                let limit = self.config.worker.deadline;
                tracing::warn!(job = %id, secs = limit.as_secs(), "job over its time limit");
                failed(JobNote::TimedOut { limit })
            }
            Ok(Ending::CaseRead { .. }) => failed(JobNote::Failed {
                detail: "the worker read one case, not the whole archive".into(),
            }),
            Ok(Ending::Died(status)) => {
                let attempts = job.attempts + 1;
                tracing::error!(job = %id, %status, attempts, "the analysis worker died");
                if attempts < self.config.max_attempts && !self.root.is_cancelled() {
                    let max = self.config.max_attempts;
                    let next = attempts + 1;
                    self.emit(
                        id,
                        fence,
                        Change::Requeued {
                            message: &JobNote::Retrying { next, max }.text(),
                        },
                        |seq, rec| progress_message(seq, rec, None),
                    )?;
                    if !self.queue.retry(id) {
                        return failed(JobNote::RetryQueueFull);
                    }
                    Ok(())
                } else {
                    failed(JobNote::StoppedItsWorker { times: attempts })
                }
            }
            Err(e) => {
                tracing::error!(job = %id, error = %e, "cannot run the analysis worker");
                failed(JobNote::WorkerDidNotStart)
            }
        }
    }

    async fn sweeper(self: Arc<Self>) {
        loop {
            // Store and file work: on the blocking pool.
            let jobs = Arc::clone(&self);
            if let Err(e) = tokio::task::spawn_blocking(move || jobs.sweep()).await {
                tracing::warn!(error = %e, "sweep failed");
            }
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    }

    /// Removes expired jobs, and the uploads of failed and cancelled ones past their time —
    /// unless another server on the same database is sweeping.
    fn sweep(&self) {
        match self.store.try_lock_sweep() {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!("another server is sweeping");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot take the sweep lock");
                return;
            }
        }
        self.sweep_locked();
        if let Err(e) = self.store.unlock_sweep() {
            tracing::warn!(error = %e, "cannot give the sweep lock back");
        }
    }

    fn sweep_locked(&self) {
        let retention = self.config.retention.max(MIN_RETENTION);
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(7));
        let cutoff = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        match self.store.expired(&cutoff) {
            Ok(jobs) => {
                for job in jobs {
                    self.remove_files(&job);
                    let _ = self.store.delete(&job.id);
                    tracing::info!(job = %job.id, "expired");
                }
            }
            Err(e) => tracing::warn!(error = %e, "retention sweep failed"),
        }
        // Uploads of failed and cancelled analyses go sooner: nobody opens their results.
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(self.config.failed_upload_retention)
                .unwrap_or(chrono::Duration::hours(24));
        let cutoff = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        match self.store.failed_with_uploads(&cutoff) {
            Ok(jobs) => {
                for job in jobs {
                    self.remove_files(&job);
                    let _ = self.store.forget_upload(&job.id);
                    tracing::info!(job = %job.id, "upload of a failed analysis removed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "sweep of failed uploads failed"),
        }
    }
}

/// What a resume did.
pub enum Resume {
    /// Back in the queue (its snapshot), or `None`: no such job.
    Done(Option<Box<Snapshot>>),
    /// The queue has no room: it stays paused.
    QueueFull,
}

/// A claim in a worker's hands for as long as this lives (see [`Jobs::held`]).
pub(super) enum InHand<'a> {
    Job(&'a Mutex<Held>, String),
    Case(&'a Mutex<Held>, (String, usize)),
}

impl<'a> InHand<'a> {
    /// `None` when a worker already has the job in hand.
    fn job(held: &'a Mutex<Held>, id: &str) -> Option<Self> {
        let id = id.to_owned();
        held.lock()
            .unwrap_or_else(|p| p.into_inner())
            .jobs
            .insert(id.clone())
            .then_some(InHand::Job(held, id))
    }

    pub(super) fn case(held: &'a Mutex<Held>, job: &str, case: usize) -> Self {
        let key = (job.to_owned(), case);
        held.lock()
            .unwrap_or_else(|p| p.into_inner())
            .units
            .insert(key.clone());
        InHand::Case(held, key)
    }
}

impl Drop for InHand<'_> {
    fn drop(&mut self) {
        match self {
            InHand::Job(held, id) => {
                held.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .jobs
                    .remove(id);
            }
            InHand::Case(held, key) => {
                held.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .units
                    .remove(key);
            }
        }
    }
}

fn progress_message(seq: u64, rec: &JobRecord, stage: Option<Stage>) -> ServerMessage {
    let stage = stage.or(rec.stage).unwrap_or(Stage::Unpack);
    ServerMessage::Progress(ProgressMessage {
        seq,
        session_id: rec.id.clone(),
        stage: stage.label_ru().to_owned(),
        stage_key: stage,
        stage_index: stage.number(),
        progress: rec.progress,
        text: rec.message.clone(),
        throughput: rec.throughput,
        state: Some(rec.state),
    })
}

/// The engine's progress, persisted and published for one job.
struct JobSink {
    jobs: Arc<Jobs>,
    id: String,
    /// The claim this run's events are appended under (several nodes).
    fence: Option<Fence>,
    cancel: CancellationToken,
    started: Instant,
    /// Percent reached before a restart: a re-run stays silent until it passes it, so a
    /// watcher never sees the bar go backwards.
    /// Raised with every percent shown: the progress of a spread job comes from several
    /// readers (a case read again starts from nothing) and then from the merge, which
    /// starts at the first stage again.
    floor: std::sync::atomic::AtomicU8,
    bytes_total: u64,
    /// The stage in progress and when it began, for the stage-duration histogram.
    stage_clock: Mutex<Option<(Stage, Instant)>>,
}

impl JobSink {
    fn enter_stage(&self, stage: Stage) {
        let mut clock = self.stage_clock.lock().unwrap_or_else(|p| p.into_inner());
        match *clock {
            Some((current, _)) if current == stage => {}
            previous => {
                if let Some((s, since)) = previous {
                    self.jobs
                        .metrics
                        .stage_seconds
                        .with_label_values(&[s.label_en()])
                        .observe(since.elapsed().as_secs_f64());
                }
                *clock = Some((stage, Instant::now()));
            }
        }
    }

    fn close_stage(&self) {
        if let Some((s, since)) = self
            .stage_clock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            self.jobs
                .metrics
                .stage_seconds
                .with_label_values(&[s.label_en()])
                .observe(since.elapsed().as_secs_f64());
        }
    }
}

impl ProgressSink for JobSink {
    fn report(&self, p: EngineProgress) {
        self.enter_stage(p.stage);
        if p.percent
            < self
                .floor
                .fetch_max(p.percent, std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let speed = (secs > 0.0 && p.bytes_done > 0).then(|| p.bytes_done as f64 / secs);
        let total = if p.bytes_total > 0 {
            p.bytes_total
        } else {
            self.bytes_total
        };
        let eta = match (speed, p.stage) {
            (Some(s), Stage::ParseLogs) if s > 0.0 => {
                Some((total.saturating_sub(p.bytes_done) as f64 / s).ceil() as u64)
            }
            _ => None,
        };
        let change = Change::Progress {
            stage: p.stage,
            progress: p.percent,
            message: &p.message,
            throughput: Throughput {
                bytes_done: p.bytes_done,
                bytes_total: total,
                lines_done: p.lines_done,
                speed_bytes_per_sec: speed,
                eta_seconds: eta,
            },
        };
        match self
            .jobs
            .emit(&self.id, self.fence.as_ref(), change, |seq, rec| {
                progress_message(seq, rec, Some(p.stage))
            }) {
            Ok(()) => {}
            Err(e) if e.is_refusal() => {
                // Another node took the job over (this one was presumed dead) or it ended:
                // this run stops at its next checkpoint and records nothing more.
                tracing::warn!(job = %self.id, reason = %e, "run no longer holds its job: stopping");
                self.cancel.cancel();
            }
            Err(e) => tracing::warn!(job = %self.id, error = %e, "cannot record progress"),
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// A knowledge base made for a re-run (an analysis's own with promoted anomalies): every case
/// of the re-run uses it.
#[derive(Debug, Clone)]
pub struct NewKb {
    /// Its file name, as downloads and reports name it.
    pub name: String,
    /// CSV bytes.
    pub bytes: Vec<u8>,
}

impl Jobs {
    /// The knowledge base `source` (as a report's scenario names it) of `job`: the built-in
    /// one, the one uploaded beside the archive, or a file inside the archive.
    pub fn knowledge_base_of(
        &self,
        job: &JobRecord,
        source: &str,
    ) -> Result<crate::engine::input::kb::KnowledgeBase, StoreError> {
        use crate::engine::input::kb::{KnowledgeBase, MAX_KB_BYTES};
        let gone =
            |what: &str| StoreError::Task(format!("the knowledge base {what} is no longer kept"));
        let bad = |e: crate::engine::input::kb::KbError| StoreError::Task(e.to_string());
        if source == loglens_shared::report::BUILTIN_KB {
            return Ok(KnowledgeBase::builtin());
        }
        if let Some(name) = source.strip_prefix("uploaded: ") {
            let path = job.kb_path.as_deref().ok_or_else(|| gone(name))?;
            let local = self.fetch(path)?.ok_or_else(|| gone(name))?;
            let bytes = std::fs::read(&local).map_err(|e| StoreError::Io {
                path: local.clone(),
                source: e,
            })?;
            return KnowledgeBase::parse(&bytes, name, source).map_err(bad);
        }
        // A file inside the archive (the job's ZIP: other kinds were repacked at intake), found
        // as the analysis found it: through the archive's plan (names decoded as planned).
        use crate::engine::input::archive::{self, ArchiveLimits, EntryReader};
        let local = self.fetch(&job.upload_path)?.ok_or_else(|| gone(source))?;
        let unreadable = |e: archive::ArchiveError| StoreError::Task(e.to_string());
        let plan = archive::plan(&local, &job.upload_name, &ArchiveLimits::default())
            .map_err(unreadable)?;
        let entry = plan
            .cases
            .iter()
            .filter_map(|c| c.kb.as_ref())
            .find(|k| k.path == source)
            .ok_or_else(|| gone(source))?;
        let bytes = EntryReader::open(&local)
            .and_then(|mut r| r.read_small(entry, MAX_KB_BYTES))
            .map_err(unreadable)?;
        KnowledgeBase::parse(&bytes, source, source).map_err(bad)
    }
}
