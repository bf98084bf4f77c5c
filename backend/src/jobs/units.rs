//! One archive, many nodes. On a shared database with shared storage, the node that runs a
//! job whose archive has several cases coordinates it: each case becomes a unit of work that
//! any node may claim (the same leases and claim numbers as jobs), read by a worker that reads
//! only that case's entries ([`Task::ReadCase`]) and whose scan goes to the storage under its
//! own claim; the coordinator reads cases of its own job meanwhile, shows the job's progress
//! from every unit's, and once every case is read merges the scans of the winning claims
//! ([`Task::Merge`]) into the reports — the same report one reading of the whole archive gives.
//! A unit whose node dies is read again elsewhere; what a lost claim wrote is never merged
//! (the unit records the key its winning claim wrote). Only the coordinator appends the job's
//! events, so the progress protocol is unchanged.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loglens_shared::Stage;

use super::notes::JobNote;
use super::store::{Fence, JobRecord, StoreError};
use super::worker::{self, CASE_SCAN_FILE, Ending, Task, WorkOrder};
use super::{JobSink, Jobs};
use crate::engine::input::archive::{self, ArchiveLimits};
use crate::engine::{EngineProgress, ProgressSink};

/// How often a coordinator looks at its units while it has none of its own to read.
const COORDINATE_EVERY: Duration = Duration::from_millis(300);
/// How often a unit's progress is written to the database.
const UNIT_PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Where a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitState {
    Queued,
    Running,
    Done,
    Failed,
}

impl UnitState {
    pub fn parse(s: &str) -> UnitState {
        match s {
            "running" => UnitState::Running,
            "done" => UnitState::Done,
            "failed" => UnitState::Failed,
            _ => UnitState::Queued,
        }
    }
}

/// One case of a spread job, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub case: usize,
    pub state: UnitState,
    pub attempts: u32,
    pub bytes_total: u64,
    pub bytes_done: u64,
    pub lines_done: u64,
    /// The storage key of the scan its winning claim wrote.
    pub result: Option<String>,
    pub error: Option<String>,
}

/// A unit handed to a worker, under its claim.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitClaim {
    pub job: String,
    pub case: usize,
    pub fence: Fence,
}

/// The units of spread jobs (PostgreSQL). Every call blocks; the progress, done, failed and
/// requeue calls are refused ([`StoreError::Fenced`]) when the claim no longer holds.
pub trait UnitStore: Send + Sync {
    /// Makes one queued unit per case (`bytes[i]`: case i's log bytes); units already there
    /// (a coordinator taking over) are kept.
    fn create_units(&self, job: &str, bytes: &[u64]) -> Result<(), StoreError>;
    fn units(&self, job: &str) -> Result<Vec<Unit>, StoreError>;
    /// Claims a unit nobody holds (of `job` only, if given) of a job still running.
    fn claim_unit(
        &self,
        node: &str,
        lease: Duration,
        job: Option<&str>,
    ) -> Result<Option<UnitClaim>, StoreError>;
    fn unit_progress(&self, claim: &UnitClaim, bytes: u64, lines: u64) -> Result<(), StoreError>;
    fn unit_done(&self, claim: &UnitClaim, result: &str, lines: u64) -> Result<(), StoreError>;
    fn unit_failed(&self, claim: &UnitClaim, error: &str) -> Result<(), StoreError>;
    /// Gives a unit back (its worker died): another claim reads it again.
    fn unit_requeue(&self, claim: &UnitClaim) -> Result<(), StoreError>;
}

fn io(e: StoreError) -> std::io::Error {
    std::io::Error::other(e)
}

impl Jobs {
    /// The log bytes of each case when `job` is to be spread over the nodes: several nodes
    /// (a shared database and shared storage) and an archive of more than one case and at
    /// least `spread_min_bytes` of logs.
    pub(super) fn cases_to_spread(
        &self,
        archive_path: &std::path::Path,
        job: &JobRecord,
    ) -> Option<Vec<u64>> {
        self.units.as_ref()?;
        if !self.files.is_shared() {
            return None;
        }
        let plan = archive::plan(archive_path, &job.upload_name, &ArchiveLimits::default()).ok()?;
        (plan.cases.len() > 1 && plan.log_bytes >= self.config.spread_min_bytes).then(|| {
            plan.cases
                .iter()
                .map(|c| c.logs.iter().map(|e| e.size).sum())
                .collect()
        })
    }

    /// Runs a spread job to its ending: units made, cases read here and elsewhere, progress
    /// shown from every unit's, then the merge. Called by [`Jobs::run`] in place of the whole
    /// analysis; the ending is handled the same way.
    pub(super) fn coordinate(
        &self,
        id: &str,
        order: &WorkOrder,
        bytes: &[u64],
        sink: &JobSink,
    ) -> std::io::Result<Ending> {
        let (Some(units), Some(node)) = (self.units.clone(), self.queue.node().cloned()) else {
            return Err(std::io::Error::other("no shared database"));
        };
        // The database may be restarting: its calls are retried for a while (a coordinator
        // that stays cut off longer loses its claim to another node).
        self.store_retrying(|| units.create_units(id, bytes))
            .map_err(io)?;
        self.queue.wake();
        let total: u64 = bytes.iter().sum();
        let cases = bytes.len();
        let mut shown = Instant::now() - UNIT_PROGRESS_EVERY;
        loop {
            // Units are left as they are when it stops: a cancelled or failed job's cases are
            // claimed by nobody, and a coordinator that lost its claim must not touch the
            // units of the one that replaced it. They go with the job.
            if sink.is_cancelled() {
                return Ok(Ending::Cancelled);
            }
            let rows = match units.units(id) {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(job = %id, error = %e, "cannot read the cases' state; retrying");
                    std::thread::sleep(COORDINATE_EVERY);
                    continue;
                }
            };
            if let Some(failed) = rows.iter().find(|u| u.state == UnitState::Failed) {
                let detail = failed.error.clone().unwrap_or_default();
                return Ok(Ending::Failed(
                    JobNote::CaseFailed {
                        case: failed.case + 1,
                        detail,
                    }
                    .text()
                    .en,
                ));
            }
            if let Some(tired) = rows
                .iter()
                .find(|u| u.state == UnitState::Queued && u.attempts >= self.config.max_attempts)
            {
                let times = tired.attempts;
                return Ok(Ending::Failed(
                    JobNote::CaseFailed {
                        case: tired.case + 1,
                        detail: JobNote::StoppedItsWorker { times }.text().en,
                    }
                    .text()
                    .en,
                ));
            }
            let done = rows.iter().filter(|u| u.state == UnitState::Done).count();
            if shown.elapsed() >= UNIT_PROGRESS_EVERY || done == cases {
                shown = Instant::now();
                show_progress(&rows, total, cases, sink);
            }
            if done == cases && rows.len() == cases {
                break;
            }
            // A case of this job nobody reads yet: read it here rather than wait.
            match units.claim_unit(&node.id, node.dead_after, Some(id)) {
                Ok(Some(claim)) => {
                    self.run_unit(&claim, Some(sink));
                }
                Ok(None) => std::thread::sleep(COORDINATE_EVERY),
                Err(e) => {
                    tracing::warn!(job = %id, error = %e, "cannot claim a case");
                    std::thread::sleep(COORDINATE_EVERY);
                }
            }
        }
        // Every case read: the scans of the winning claims, fetched, merged.
        let rows = self.store_retrying(|| units.units(id)).map_err(io)?;
        let mut scans = Vec::with_capacity(cases);
        for unit in &rows {
            let key = unit.result.as_deref().ok_or_else(|| {
                std::io::Error::other(format!("case {} has no scan", unit.case + 1))
            })?;
            let local = self
                .fetch(std::path::Path::new(key))
                .map_err(io)?
                .ok_or_else(|| {
                    std::io::Error::other(format!("the scan of case {} is gone", unit.case + 1))
                })?;
            scans.push(local);
        }
        let mut merge = WorkOrder {
            task: Task::Merge { cases: scans },
            ..order.clone()
        };
        // The inputs again: a case read on this node dropped its working copy of them.
        let refetch = |p: &std::path::Path| -> std::io::Result<PathBuf> {
            self.fetch(p)
                .map_err(io)?
                .ok_or_else(|| std::io::Error::other(format!("{} is gone", p.display())))
        };
        merge.archive = refetch(&order.archive)?;
        for side in [
            &mut merge.kb,
            &mut merge.playbooks,
            &mut merge.uploaded_formats,
            &mut merge.uploaded_glossary,
        ]
        .into_iter()
        .flatten()
        {
            side.1 = refetch(&side.1)?;
        }
        // The units stay (which case was read how many times) until the job is deleted.
        worker::supervise(&self.config.worker, &merge, sink)
    }

    /// Reads one case of a spread job (its entries only) and records where its scan is.
    /// `coordinator`: the job's sink when this node coordinates the job, so its progress
    /// moves while it reads.
    pub(super) fn run_unit(&self, claim: &UnitClaim, coordinator: Option<&JobSink>) {
        let Some(units) = self.units.clone() else {
            return;
        };
        // Its lease is renewed while this runs, and only then.
        let _in_hand = super::InHand::case(&self.held, &claim.job, claim.case);
        let key = format!("{}#{}", claim.job, claim.case);
        let outcome = (|| -> Result<Option<Ending>, StoreError> {
            let Some(job) = self.store.get(&claim.job)? else {
                return Ok(None);
            };
            if job.state.is_terminal() {
                return Ok(None);
            }
            let folder = std::path::Path::new("units")
                .join(&claim.job)
                .join(claim.case.to_string())
                .join(claim.fence.claim.to_string());
            let out_dir = self.config.data_dir.join(&folder);
            let _ = std::fs::remove_dir_all(&out_dir);
            let Some(mut order) = self.work_order(&job, out_dir.clone())? else {
                return Ok(Some(Ending::Failed("the uploaded archive is gone".into())));
            };
            order.task = Task::ReadCase { case: claim.case };
            let cancel = self.root.child_token();
            self.cancels
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key.clone(), cancel.clone());
            let sink = UnitSink {
                units: Arc::clone(&units),
                claim,
                cancel,
                last: Mutex::new(Instant::now() - UNIT_PROGRESS_EVERY),
                coordinator,
            };
            let ending = worker::supervise(&self.config.worker, &order, &sink)
                .unwrap_or_else(|e| Ending::Failed(format!("the worker did not start: {e}")));
            if let Ending::CaseRead { lines } = ending {
                // Under this claim's own key: a claim that lost the case never overwrites
                // the scan of the one that replaced it.
                let scan = out_dir.join(CASE_SCAN_FILE);
                let key = self.key(&scan);
                self.files.put(&scan, &key)?;
                self.store_retrying(|| units.unit_done(claim, &key, lines))?;
            }
            // The inputs stay here for the job's other cases; they go when it ends
            // (`Jobs::drop_finished_copies`).
            self.copies
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(claim.job.clone());
            Ok(Some(ending))
        })();
        self.cancels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        let result = match outcome {
            Ok(None) | Ok(Some(Ending::CaseRead { .. })) => Ok(()),
            Ok(Some(Ending::Cancelled)) => Ok(()),
            Ok(Some(Ending::Failed(detail))) => {
                self.store_retrying(|| units.unit_failed(claim, &detail))
            }
            Ok(Some(Ending::OutOfMemory(_))) => {
                let text = JobNote::OutOfMemory {
                    budget_mib: self.config.worker.memory_budget_bytes / (1024 * 1024),
                }
                .text()
                .en;
                self.store_retrying(|| units.unit_failed(claim, &text))
            }
            Ok(Some(Ending::TimedOut)) => {
                let text = JobNote::TimedOut {
                    limit: self.config.worker.deadline,
                }
                .text()
                .en;
                self.store_retrying(|| units.unit_failed(claim, &text))
            }
            Ok(Some(Ending::Died(status))) => {
                tracing::warn!(job = %claim.job, case = claim.case, %status, "a case's worker died");
                self.store_retrying(|| units.unit_requeue(claim))
            }
            Ok(Some(Ending::Done { .. })) => Ok(()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {}
            Err(e) if e.is_refusal() => {
                tracing::info!(job = %claim.job, case = claim.case, reason = %e, "case no longer ours");
            }
            Err(e) => {
                // Given back if the database lets us; if not, the case's lease runs out (it
                // is no longer in hand, so no heartbeat renews it) and it is read again.
                tracing::warn!(job = %claim.job, case = claim.case, error = %e, "cannot record a case");
                let _ = units.unit_requeue(claim);
            }
        }
    }
}

impl Jobs {
    /// Drops this node's working copies of the inputs of spread jobs that have ended (or are
    /// gone); called every heartbeat.
    pub(super) fn drop_finished_copies(&self) {
        let held: Vec<String> = self
            .copies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        for id in held {
            let ended = match self.store.get(&id) {
                Ok(Some(job)) if job.state.is_terminal() => {
                    self.drop_working_copy(&job);
                    true
                }
                Ok(Some(_)) => false,
                Ok(None) => true, // deleted: its files went with it
                Err(_) => false,
            };
            if ended {
                self.copies
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
            }
        }
    }
}

/// Shows a spread job's progress: its reading stage, from every unit's bytes.
fn show_progress(rows: &[Unit], total: u64, cases: usize, sink: &JobSink) {
    let done_cases = rows.iter().filter(|u| u.state == UnitState::Done).count();
    let bytes: u64 = rows
        .iter()
        .map(|u| match u.state {
            UnitState::Done => u.bytes_total,
            _ => u.bytes_done.min(u.bytes_total),
        })
        .sum();
    let lines = rows.iter().map(|u| u.lines_done).sum();
    let fraction = if total == 0 {
        done_cases as f64 / cases.max(1) as f64
    } else {
        bytes as f64 / total as f64
    };
    sink.report(EngineProgress {
        stage: Stage::ParseLogs,
        percent: Stage::ParseLogs.percent(fraction),
        message: JobNote::ReadingCases {
            done: done_cases,
            cases,
        }
        .text(),
        bytes_done: bytes,
        bytes_total: total,
        lines_done: lines,
    });
}

/// A case's reading: its progress to the database (now and then), cancelled with its token.
struct UnitSink<'a> {
    units: Arc<dyn UnitStore>,
    claim: &'a UnitClaim,
    cancel: tokio_util::sync::CancellationToken,
    last: Mutex<Instant>,
    coordinator: Option<&'a JobSink>,
}

impl ProgressSink for UnitSink<'_> {
    fn report(&self, p: EngineProgress) {
        if p.stage != Stage::ParseLogs {
            return;
        }
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.elapsed() < UNIT_PROGRESS_EVERY {
                return;
            }
            *last = Instant::now();
        }
        match self
            .units
            .unit_progress(self.claim, p.bytes_done, p.lines_done)
        {
            Ok(()) => {}
            Err(e) if e.is_refusal() => self.cancel.cancel(),
            Err(e) => tracing::debug!(error = %e, "cannot record a case's progress"),
        }
        if let Some(job) = self.coordinator
            && let Ok(rows) = self.units.units(&self.claim.job)
        {
            let total = rows.iter().map(|u| u.bytes_total).sum();
            show_progress(&rows, total, rows.len(), job);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled() || self.coordinator.is_some_and(ProgressSink::is_cancelled)
    }
}
