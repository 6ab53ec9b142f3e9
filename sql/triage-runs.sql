-- triage-runs.sql — provenance of attachment triage (schema step 8): one
-- row per run of lka-attachments triage (lka_triage_run), so that a report
-- can say when the flags in attachment_flags and the matches in
-- ioc_matches were computed, by which version, and against which IOC list
-- (its path and SHA-256 as read).  Each run replaces those two tables
-- whole: the row with outcome 'complete' describes them; earlier complete
-- runs become 'superseded'.
CREATE TABLE triage_runs (
	id           INTEGER PRIMARY KEY,
	started_at   TEXT NOT NULL,  -- UTC, milliseconds
	finished_at  TEXT,           -- NULL when the run failed
	tool_version TEXT NOT NULL,  -- leakaudit version
	args         TEXT,           -- command line, as given
	ioc_path     TEXT,           -- the IOC list (absolute path), NULL without one
	ioc_sha256   TEXT,           -- SHA-256 of the IOC list as read
	outcome      TEXT NOT NULL,  -- 'complete', 'superseded' (a later run replaced its
	                             -- flags), 'failed' (nothing was changed: see error)
	error        TEXT,           -- why it failed
	attachments  INTEGER,        -- attachment rows examined
	contents     INTEGER,        -- distinct stored contents read back and examined
	not_stored   INTEGER,        -- attachments without stored content (name checks only)
	unreadable   INTEGER,        -- stored contents that could not be read back
	flags        INTEGER,        -- attachment_flags rows written
	flagged      INTEGER,        -- attachments with at least one flag
	iocs         INTEGER,        -- IOC entries read
	ioc_matches  INTEGER,        -- ioc_matches rows written
	seconds      REAL
);
