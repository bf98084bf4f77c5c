-- Notices of a finished analysis: it completed "with warnings" when > 0.
ALTER TABLE jobs ADD COLUMN notices INTEGER NOT NULL DEFAULT 0;
