-- A knowledge base made from an analysis's own (promoted patterns or novel anomalies) is used
-- by every case of the re-run, also by those that bring their own.
ALTER TABLE jobs ADD COLUMN kb_for_all INTEGER NOT NULL DEFAULT 0;
