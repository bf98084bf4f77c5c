-- Several nodes share the queue: the jobs table is the queue, a node claims a job with a lease
-- its heartbeat extends, and every claim bumps the job's claim number (the fence its events are
-- appended under). A cancel asked on one node is a flag the node running the job picks up.
ALTER TABLE jobs ADD COLUMN owner TEXT;
ALTER TABLE jobs ADD COLUMN claim BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX jobs_claimable ON jobs(created_at, id) WHERE state IN ('queued', 'running');
-- Nodes seen, with their last heartbeat (for operators; claims go by the jobs' leases).
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
);
