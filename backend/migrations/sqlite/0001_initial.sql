-- The job store of the first release: jobs, their event log, and the ids of deleted jobs.
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    model TEXT NOT NULL,
    semantic INTEGER NOT NULL,
    upload_name TEXT NOT NULL,
    upload_path TEXT NOT NULL,
    upload_bytes INTEGER NOT NULL,
    kb_name TEXT, kb_path TEXT,
    playbooks_name TEXT, playbooks_path TEXT,
    result_dir TEXT, results_zip TEXT,
    stage TEXT, progress INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
    bytes_done INTEGER NOT NULL DEFAULT 0, bytes_total INTEGER NOT NULL DEFAULT 0,
    lines_done INTEGER NOT NULL DEFAULT 0, speed REAL, eta INTEGER,
    seq INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
-- Ids of deleted jobs, so an old link can say the analysis was deleted.
CREATE TABLE IF NOT EXISTS deleted (
    id TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
