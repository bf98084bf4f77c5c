//! The units of spread jobs on PostgreSQL ([`UnitStore`] for [`PgStore`]): claimed like jobs
//! (`FOR UPDATE SKIP LOCKED`, a lease, a claim number), written only under a claim that holds.

use std::time::Duration;

use super::pg_store::PgStore;
use super::store::{Fence, StoreError};
use super::units::{Unit, UnitClaim, UnitState, UnitStore};

/// A write under `claim` that changed no row: the claim no longer holds.
fn fenced(n: u64, claim: &UnitClaim) -> Result<(), StoreError> {
    if n == 0 {
        Err(StoreError::Fenced {
            id: format!("{}#{}", claim.job, claim.case + 1),
            node: claim.fence.node.clone(),
            claim: claim.fence.claim,
        })
    } else {
        Ok(())
    }
}

const HELD: &str = "job_id=$1 AND idx=$2 AND owner=$3 AND claim=$4";

impl UnitStore for PgStore {
    fn create_units(&self, job: &str, bytes: &[u64]) -> Result<(), StoreError> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            for (idx, b) in bytes.iter().enumerate() {
                tx.execute(
                    "INSERT INTO units (job_id, idx, bytes_total) VALUES ($1, $2, $3)
                        ON CONFLICT (job_id, idx) DO NOTHING",
                    &[&job, &(idx as i32), &(*b as i64)],
                )?;
            }
            tx.execute("SELECT pg_notify('loglens_queue', '')", &[])?;
            tx.commit()?;
            Ok(())
        })
    }

    fn units(&self, job: &str) -> Result<Vec<Unit>, StoreError> {
        self.with(|c| {
            c.query(
                "SELECT idx, state, attempts, bytes_total, bytes_done, lines_done, result, error
                    FROM units WHERE job_id=$1 ORDER BY idx",
                &[&job],
            )?
            .iter()
            .map(|r| {
                Ok(Unit {
                    case: r.try_get::<_, i32>(0)?.max(0) as usize,
                    state: UnitState::parse(&r.try_get::<_, String>(1)?),
                    attempts: r.try_get::<_, i32>(2)?.max(0) as u32,
                    bytes_total: r.try_get::<_, i64>(3)?.max(0) as u64,
                    bytes_done: r.try_get::<_, i64>(4)?.max(0) as u64,
                    lines_done: r.try_get::<_, i64>(5)?.max(0) as u64,
                    result: r.try_get(6)?,
                    error: r.try_get(7)?,
                })
            })
            .collect()
        })
    }

    fn claim_unit(
        &self,
        node: &str,
        lease: Duration,
        job: Option<&str>,
    ) -> Result<Option<UnitClaim>, StoreError> {
        self.with(|c| {
            // A unit nobody holds — queued, or its lease ran out — of a job still running.
            let row = c.query_opt(
                "UPDATE units SET owner=$1, claim=claim+1, state='running', attempts=attempts+1,
                        bytes_done=0, lines_done=0, lease_until=now() + make_interval(secs => $2)
                 WHERE (job_id, idx) = (
                    SELECT u.job_id, u.idx FROM units u JOIN jobs j ON j.id = u.job_id
                    WHERE j.state IN ('queued','running') AND NOT j.cancel_requested
                      AND ($3::TEXT IS NULL OR u.job_id = $3)
                      AND (u.state='queued' OR (u.state='running' AND u.lease_until < now()))
                    ORDER BY u.job_id, u.idx
                    LIMIT 1
                    FOR UPDATE OF u SKIP LOCKED)
                 RETURNING job_id, idx, claim",
                &[&node, &lease.as_secs_f64(), &job],
            )?;
            row.map(|r| {
                Ok(UnitClaim {
                    job: r.try_get(0)?,
                    case: r.try_get::<_, i32>(1)?.max(0) as usize,
                    fence: Fence {
                        node: node.to_owned(),
                        claim: r.try_get(2)?,
                    },
                })
            })
            .transpose()
        })
    }

    fn unit_progress(&self, claim: &UnitClaim, bytes: u64, lines: u64) -> Result<(), StoreError> {
        self.with(|c| {
            let n = c.execute(
                &format!(
                    "UPDATE units SET bytes_done=$5, lines_done=$6 WHERE {HELD} AND state='running'"
                ),
                &[
                    &claim.job,
                    &(claim.case as i32),
                    &claim.fence.node,
                    &claim.fence.claim,
                    &(bytes as i64),
                    &(lines as i64),
                ],
            )?;
            fenced(n, claim)
        })
    }

    fn unit_done(&self, claim: &UnitClaim, result: &str, lines: u64) -> Result<(), StoreError> {
        self.with(|c| {
            let n = c.execute(
                &format!(
                    "UPDATE units SET state='done', result=$5, lines_done=$6, bytes_done=bytes_total,
                        lease_until=NULL WHERE {HELD} AND state='running'"
                ),
                &[
                    &claim.job,
                    &(claim.case as i32),
                    &claim.fence.node,
                    &claim.fence.claim,
                    &result,
                    &(lines as i64),
                ],
            )?;
            fenced(n, claim)
        })
    }

    fn unit_failed(&self, claim: &UnitClaim, error: &str) -> Result<(), StoreError> {
        self.with(|c| {
            let n = c.execute(
                &format!(
                    "UPDATE units SET state='failed', error=$5 WHERE {HELD} AND state='running'"
                ),
                &[
                    &claim.job,
                    &(claim.case as i32),
                    &claim.fence.node,
                    &claim.fence.claim,
                    &error,
                ],
            )?;
            fenced(n, claim)
        })
    }

    fn unit_requeue(&self, claim: &UnitClaim) -> Result<(), StoreError> {
        self.with(|c| {
            let n = c.execute(
                &format!(
                    "UPDATE units SET state='queued', owner=NULL, lease_until=NULL WHERE {HELD}
                        AND state='running'"
                ),
                &[
                    &claim.job,
                    &(claim.case as i32),
                    &claim.fence.node,
                    &claim.fence.claim,
                ],
            )?;
            c.execute("SELECT pg_notify('loglens_queue', '')", &[])?;
            fenced(n, claim)
        })
    }
}
