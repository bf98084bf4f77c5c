-- Times the job was started (a worker ran it, or the server stopped while it ran).
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
