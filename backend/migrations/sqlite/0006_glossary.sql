-- The glossary of aliases uploaded beside the archive.
ALTER TABLE jobs ADD COLUMN glossary_name TEXT;
ALTER TABLE jobs ADD COLUMN glossary_path TEXT;
