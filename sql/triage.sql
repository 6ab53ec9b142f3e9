-- triage.sql — attachment triage (schema step added by issue 7): the flags
-- lka-attachments triage computes from stored content and what ingest
-- recorded, and the attachments and messages an IOC list matched.  Both
-- tables are replaced whole by every triage run.  docs/schema.md,
-- "Attachment triage", lists the flags.

-- One row per attachment and flag.
CREATE TABLE attachment_flags (
	id            INTEGER PRIMARY KEY,
	attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
	flag          TEXT NOT NULL,
		-- 'executable', 'script', 'shortcut', 'disk-image', 'java-archive',
		-- 'installer', 'double-extension', 'bidi-control', 'space-padding',
		-- 'control-chars', 'type-mismatch', 'macro', 'external-template',
		-- 'embedded-object', 'encrypted', 'contains-executable', 'ioc'
	reason        TEXT NOT NULL,  -- why, in words ("Windows PE executable (MZ header, PE
	                              -- header at offset 0x80)"); several reasons joined by '; '
	UNIQUE (attachment_id, flag)
);
CREATE INDEX attachment_flags_flag ON attachment_flags(flag);

-- One row per IOC (indicator of compromise) and thing it matched: an
-- attachment (by SHA-256 or file name), or a message (by sender domain or
-- address; attachment_id NULL).
CREATE TABLE ioc_matches (
	id            INTEGER PRIMARY KEY,
	ioc           TEXT NOT NULL,  -- the IOC as written in the list (prefix kept, comment removed)
	kind          TEXT NOT NULL CHECK (kind IN ('sha256', 'filename', 'domain', 'address')),
	message_id    INTEGER REFERENCES messages(id) ON DELETE CASCADE,
	attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE
);
CREATE INDEX ioc_matches_message ON ioc_matches(message_id);
CREATE INDEX ioc_matches_attachment ON ioc_matches(attachment_id);
