-- The log formats file uploaded beside the archive.
ALTER TABLE jobs ADD COLUMN formats_name TEXT;
ALTER TABLE jobs ADD COLUMN formats_path TEXT;
