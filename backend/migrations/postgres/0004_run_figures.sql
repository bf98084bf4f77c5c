-- What a finished analysis found, for the history: its incidents, its anomaly → problem links
-- and a short name of the knowledge base(s) it used. NULL for runs recorded before (the
-- history shows nothing for them, not zero) and for runs not finished.
ALTER TABLE jobs ADD COLUMN incidents BIGINT;
ALTER TABLE jobs ADD COLUMN links BIGINT;
ALTER TABLE jobs ADD COLUMN kb_used TEXT;
