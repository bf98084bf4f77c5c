-- The job store on PostgreSQL (several nodes): the SQLite schema at version 6, in one step.
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    model TEXT NOT NULL,
    semantic BOOLEAN NOT NULL,
    upload_name TEXT NOT NULL,
    upload_path TEXT NOT NULL,
    upload_bytes BIGINT NOT NULL,
    kb_name TEXT, kb_path TEXT,
    playbooks_name TEXT, playbooks_path TEXT,
    result_dir TEXT, results_zip TEXT,
    stage TEXT, progress INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
    bytes_done BIGINT NOT NULL DEFAULT 0, bytes_total BIGINT NOT NULL DEFAULT 0,
    lines_done BIGINT NOT NULL DEFAULT 0, speed DOUBLE PRECISION, eta BIGINT,
    seq BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
    message_en TEXT NOT NULL DEFAULT '',
    notices INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    formats_name TEXT, formats_path TEXT,
    glossary_name TEXT, glossary_path TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
CREATE TABLE IF NOT EXISTS deleted (
    id TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
