-- One archive, many nodes: each case of a job is a unit of work any node may claim (same lease
-- and claim numbers as jobs); the node coordinating the job merges the cases' scans when all
-- are done. A unit's result is the storage key of the scan its winning claim wrote.
CREATE TABLE units (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    owner TEXT,
    claim BIGINT NOT NULL DEFAULT 0,
    lease_until TIMESTAMPTZ,
    attempts INTEGER NOT NULL DEFAULT 0,
    bytes_total BIGINT NOT NULL DEFAULT 0,
    bytes_done BIGINT NOT NULL DEFAULT 0,
    lines_done BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE INDEX units_claimable ON units(job_id, idx) WHERE state IN ('queued', 'running');
