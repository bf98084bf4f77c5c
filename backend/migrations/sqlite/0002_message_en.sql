-- The last progress message in English too (the protocol's `message` is Russian).
ALTER TABLE jobs ADD COLUMN message_en TEXT NOT NULL DEFAULT '';
