//! The job system as the HTTP handlers and the progress sockets see it: async calls whose
//! store work (SQLite, files) runs on the blocking pool, never on the runtime's threads. They
//! never reach the store themselves — the store behind this façade is what a second
//! implementation (PostgreSQL, for several nodes) replaces.

use std::sync::Arc;

use loglens_shared::ModelKind;
use loglens_shared::session::{JobState, ServerMessage, Snapshot};

use super::intake::{IntakeError, UploadForm};
use super::store::{JobRecord, StoreError};
use super::{Jobs, Slot};

impl Jobs {
    /// Runs `f` with the job system on the blocking pool.
    async fn off_runtime<T, E>(
        self: &Arc<Self>,
        f: impl FnOnce(&Jobs) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let jobs = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&jobs))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Reserves a place in the queue, or `None` when it is full (on several nodes, the count
    /// is the database's).
    pub async fn reserve(self: &Arc<Self>) -> Result<Option<Slot>, StoreError> {
        if self.queue.node().is_none() {
            // One server: a channel permit, taken at once (no blocking call, no await).
            return self.reserve_blocking();
        }
        self.off_runtime(|j| j.reserve_blocking()).await
    }

    /// Checks an upload whole and queues it as session `id` (reads the archive's directory
    /// and the side files).
    pub async fn accept(
        self: &Arc<Self>,
        slot: Slot,
        id: String,
        form: UploadForm,
    ) -> Result<Snapshot, IntakeError> {
        self.off_runtime(move |j| j.accept_blocking(slot, id, form))
            .await
    }

    /// Queues the upload of a finished job again as a new job; returns the new id.
    pub async fn rerun(
        self: &Arc<Self>,
        slot: Slot,
        source: JobRecord,
        model: Option<ModelKind>,
        kb: Option<super::NewKb>,
    ) -> Result<String, StoreError> {
        self.off_runtime(move |j| j.rerun_blocking(slot, &source, model, kb))
            .await
    }

    /// The job's snapshot, with its place in the queue while it waits.
    pub async fn snapshot(self: &Arc<Self>, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.snapshot_blocking(&id)).await
    }

    pub async fn record(self: &Arc<Self>, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.store.get(&id)).await
    }

    /// Whether the job's upload is still kept (on several nodes: here or in the storage).
    pub async fn upload_kept(self: &Arc<Self>, job: JobRecord) -> Result<bool, StoreError> {
        self.off_runtime(move |j| j.upload_kept_blocking(&job))
            .await
    }

    /// A finished job's results folder on this node (fetched from the shared storage the
    /// first time this node serves it).
    pub async fn results_here(
        self: &Arc<Self>,
        recorded: std::path::PathBuf,
    ) -> Result<std::path::PathBuf, StoreError> {
        self.off_runtime(move |j| j.results_here_blocking(&recorded))
            .await
    }

    /// Events of the job after `seq`, in order.
    pub async fn events_after(
        self: &Arc<Self>,
        id: &str,
        seq: u64,
    ) -> Result<Vec<ServerMessage>, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.store.events_after(&id, seq))
            .await
    }

    /// Whether `id` was a job that has been deleted (410 rather than 404).
    pub async fn was_deleted(self: &Arc<Self>, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.store.was_deleted(&id)).await
    }

    /// A page of the history, newest first, and how many jobs match.
    pub async fn list(
        self: &Arc<Self>,
        state: Option<JobState>,
        name: Option<String>,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<JobRecord>, u64), StoreError> {
        self.off_runtime(move |j| j.store.list(state, name.as_deref(), limit, offset))
            .await
    }

    /// The links marked not relevant under the knowledge base `kb_hash`.
    pub async fn not_relevant(
        self: &Arc<Self>,
        kb_hash: String,
    ) -> Result<Vec<loglens_shared::api::NotRelevant>, StoreError> {
        self.off_runtime(move |j| {
            let mut marks = j.store.not_relevant()?;
            marks.retain(|m| m.kb_hash == kb_hash);
            Ok(marks)
        })
        .await
    }

    /// Marks a link not relevant under its knowledge base (`marked`), or takes the mark back.
    pub async fn set_not_relevant(
        self: &Arc<Self>,
        mark: loglens_shared::api::NotRelevant,
        marked: bool,
    ) -> Result<(), StoreError> {
        self.off_runtime(move |j| j.store.set_not_relevant(&mark, marked))
            .await
    }

    pub async fn count_by_state(self: &Arc<Self>) -> Result<Vec<(JobState, u64)>, StoreError> {
        self.off_runtime(|j| j.store.count_by_state()).await
    }

    /// Asks a job to stop: a queued job ends at once, a running one at its next checkpoint.
    pub async fn cancel(self: &Arc<Self>, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.cancel_blocking(&id)).await
    }

    /// Pauses a queued or running job (see `Jobs::pause_blocking`).
    pub async fn pause(self: &Arc<Self>, id: &str) -> Result<Option<Snapshot>, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.pause_blocking(&id)).await
    }

    /// Puts a paused job back in the queue.
    pub async fn resume(self: &Arc<Self>, id: &str) -> Result<super::Resume, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.resume_blocking(&id)).await
    }

    /// Cancels if needed and removes the job, its events, upload and results.
    pub async fn delete(self: &Arc<Self>, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.off_runtime(move |j| j.delete_blocking(&id)).await
    }

    /// Refreshes the jobs-by-state gauge from the store (called when metrics are scraped).
    pub async fn refresh_metrics(self: &Arc<Self>) -> Result<(), StoreError> {
        self.off_runtime(|j| j.refresh_metrics_blocking()).await
    }
}
