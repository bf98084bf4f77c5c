//! The queue of jobs waiting for a worker, in two forms behind one type:
//!
//! - **One server** (SQLite): an in-process bounded channel of job ids; each id goes to
//!   exactly one worker of this process. A place is reserved before an upload is stored, so
//!   a full queue costs the client nothing.
//! - **Several nodes** (PostgreSQL): the jobs table itself. A worker claims the oldest job
//!   nobody holds with `FOR UPDATE SKIP LOCKED`, under a lease its node's heartbeat extends
//!   every [`NodeConfig::heartbeat`]; a job whose lease ran out (its node died, or lost the
//!   database for longer than [`NodeConfig::dead_after`]) is claimable again. Every claim
//!   bumps the job's claim number, the [`Fence`] its events are appended under, so a node
//!   that lost its claim cannot write another event of that job.
//!
//! Why not a queue crate (apalis 1.0 has PostgreSQL and SQLite backends): it keeps its own
//! task table beside the jobs table, so whether a job waits, runs or ended would live in two
//! places that must agree across crashes. Here the job row is the queue entry, and the same
//! transaction that appends a job's event checks its claim (tested in `tests/job_store.rs`:
//! claims, lease expiry and takeover, fencing).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use super::store::{Fence, StoreError};
use super::units::UnitClaim;

/// What a worker is handed.
#[derive(Debug, Clone)]
pub enum Work {
    /// A job (the whole analysis, or the coordination of its cases).
    Job(Claim),
    /// One case of a job spread over the nodes (`super::units`).
    Case(UnitClaim),
}

/// This node among several sharing one database.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The node's name in claims and the `nodes` table (`LOGLENS_NODE_ID`).
    pub id: String,
    /// How often the node renews the leases of its jobs (`LOGLENS_HEARTBEAT_SECS`).
    pub heartbeat: Duration,
    /// A job whose lease was not renewed for this long is taken over by another node
    /// (`LOGLENS_DEAD_AFTER_SECS`): the lease each heartbeat sets.
    pub dead_after: Duration,
}

impl NodeConfig {
    /// A fresh name for a node that was given none: unique per process.
    pub fn fresh_id() -> String {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "node".to_owned());
        format!("{host}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
    }
}

/// The claims a node has in hand: the jobs it runs (or coordinates) and the cases it reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    pub jobs: std::collections::BTreeSet<String>,
    /// (job, case)
    pub units: std::collections::BTreeSet<(String, usize)>,
}

impl Held {
    /// Jobs only (tests, and a node that reads no cases).
    pub fn jobs<'a>(ids: impl IntoIterator<Item = &'a str>) -> Held {
        Held {
            jobs: ids.into_iter().map(str::to_owned).collect(),
            units: Default::default(),
        }
    }
}

/// A job handed to a worker.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: String,
    /// The claim its events are appended under (several nodes); `None` on one server.
    pub fence: Option<Fence>,
    /// Someone asked to cancel the job before this claim (its node died meanwhile).
    pub cancel_requested: bool,
}

/// The claims, leases and cancel requests of a database several nodes share.
/// Every call blocks: it is made on the blocking pool.
pub trait SharedQueue: Send + Sync {
    /// Claims the oldest job nobody holds, with a lease of `lease`.
    fn claim(&self, node: &str, lease: Duration) -> Result<Option<Claim>, StoreError>;
    /// Claims work: by default a job ([`SharedQueue::claim`]).
    fn claim_work(&self, node: &str, lease: Duration) -> Result<Option<Work>, StoreError> {
        Ok(self.claim(node, lease)?.map(Work::Job))
    }
    /// Records that `node` is alive and renews the leases of the jobs and cases it has in
    /// hand (`held`); returns those of its jobs someone asked to cancel. A claim of `node`
    /// that is not in hand (its run stopped without recording its end, say while the
    /// database was away) is not renewed: its lease runs out and another claim takes it.
    fn heartbeat(
        &self,
        node: &str,
        lease: Duration,
        held: &Held,
    ) -> Result<Vec<String>, StoreError>;
    /// Gives back every job `node` holds (it starts again under the same name: whatever it
    /// held, it no longer runs). Returns how many.
    fn release(&self, node: &str) -> Result<u64, StoreError>;
    /// Asks whichever node runs `id` to cancel it.
    fn request_cancel(&self, id: &str) -> Result<(), StoreError>;
    /// Jobs waiting in the queue, all nodes together.
    fn queued(&self) -> Result<u64, StoreError>;
}

/// A reserved place in the queue.
pub struct Slot(pub(super) Option<mpsc::OwnedPermit<String>>);

pub(super) enum Queue {
    Local {
        tx: mpsc::Sender<String>,
        rx: tokio::sync::Mutex<mpsc::Receiver<String>>,
    },
    Shared {
        claims: Arc<dyn SharedQueue>,
        node: NodeConfig,
        /// Rung when some node says a job became claimable.
        wake: Notify,
    },
}

impl Queue {
    /// One server's queue, with room for `capacity` waiting jobs.
    pub fn local(capacity: usize) -> Queue {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        Queue::Local {
            tx,
            rx: tokio::sync::Mutex::new(rx),
        }
    }

    pub fn shared(claims: Arc<dyn SharedQueue>, node: NodeConfig) -> Queue {
        Queue::Shared {
            claims,
            node,
            wake: Notify::new(),
        }
    }

    pub fn node(&self) -> Option<&NodeConfig> {
        match self {
            Queue::Local { .. } => None,
            Queue::Shared { node, .. } => Some(node),
        }
    }

    pub fn claims(&self) -> Option<&Arc<dyn SharedQueue>> {
        match self {
            Queue::Local { .. } => None,
            Queue::Shared { claims, .. } => Some(claims),
        }
    }

    /// Reserves a place, or `None` when `capacity` jobs already wait. On several nodes the
    /// count is the database's (a blocking call: made on the blocking pool); uploads accepted
    /// at the same moment on different nodes may pass it together, by at most one each.
    pub(super) fn reserve_blocking(&self, capacity: usize) -> Result<Option<Slot>, StoreError> {
        match self {
            Queue::Local { tx, .. } => {
                Ok(tx.clone().try_reserve_owned().ok().map(|p| Slot(Some(p))))
            }
            Queue::Shared { claims, .. } => {
                Ok((claims.queued()? < capacity.max(1) as u64).then_some(Slot(None)))
            }
        }
    }

    /// Hands a stored job to the workers. On several nodes the insert itself queued it.
    pub(super) fn push(&self, slot: Slot, id: String) {
        if let Slot(Some(permit)) = slot {
            permit.send(id);
        }
    }

    /// Puts a job back for another attempt; `false` when the queue has no room.
    pub(super) fn retry(&self, id: &str) -> bool {
        match self {
            Queue::Local { tx, .. } => tx.try_send(id.to_owned()).is_ok(),
            // The `Requeued` event gave the job back; any node may claim it.
            Queue::Shared { .. } => true,
        }
    }

    /// Some node made a job claimable: workers waiting for one look again.
    pub(super) fn wake(&self) {
        if let Queue::Shared { wake, .. } = self {
            wake.notify_waiters();
        }
    }

    /// The next work for a worker, or `None` when `stop` is cancelled.
    pub(super) async fn next(&self, stop: &CancellationToken) -> Option<Work> {
        match self {
            Queue::Local { rx, .. } => {
                let id = tokio::select! {
                    () = stop.cancelled() => None,
                    id = async { rx.lock().await.recv().await } => id,
                }?;
                Some(Work::Job(Claim {
                    id,
                    fence: None,
                    cancel_requested: false,
                }))
            }
            Queue::Shared { claims, node, wake } => loop {
                if stop.is_cancelled() {
                    return None;
                }
                // Registered before looking, so a doorbell rung meanwhile is not missed.
                let woken = wake.notified();
                let (q, n, lease) = (Arc::clone(claims), node.id.clone(), node.dead_after);
                match tokio::task::spawn_blocking(move || q.claim_work(&n, lease)).await {
                    Ok(Ok(Some(claim))) => return Some(claim),
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "cannot claim a job"),
                    Err(e) => tracing::warn!(error = %e, "claiming a job failed"),
                }
                // Nothing to claim: wait for a doorbell, or look again after a heartbeat
                // (a lease runs out without one).
                tokio::select! {
                    () = stop.cancelled() => return None,
                    () = woken => {}
                    () = tokio::time::sleep(node.heartbeat) => {}
                }
            },
        }
    }
}
