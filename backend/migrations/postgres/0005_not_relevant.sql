-- Links operators marked "not relevant", kept per knowledge base (its content hash): later
-- analyses with that knowledge base leave them out where only meaning would make them.
CREATE TABLE not_relevant (
    kb_hash TEXT NOT NULL,
    anomaly_id BIGINT NOT NULL,
    problem_id BIGINT NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kb_hash, anomaly_id, problem_id)
);
