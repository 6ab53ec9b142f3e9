-- schema.sql — the leakaudit case database, schema version 1.
--
-- A case is one SQLite file holding everything ingested from seized mail
-- stores.  Auditors query it directly: this file is a public interface,
-- documented in docs/schema.md.  It is compiled into the library
-- (sql/sql2c.c) and run once, in one transaction, when a case is created.
-- The comments inside each CREATE statement are kept by SQLite, so
-- `sqlite3 case.db .schema` shows them.
--
-- Conventions
--   * Every table has an INTEGER PRIMARY KEY `id` unless it is keyed by a hash.
--   * Timestamps are TEXT in ISO 8601, UTC, with a `Z` suffix:
--     '2024-03-01T10:15:00Z' for dates found in evidence,
--     '2024-03-01T10:15:00.123Z' (milliseconds) for times the tool recorded.
--     They sort and compare correctly as text.
--   * SHA-256 values are TEXT, 64 lower-case hex digits.
--   * Booleans are INTEGER 0 or 1.
--   * Sizes are INTEGER bytes.
--   * Everything that came from one evidence source hangs below its
--     `sources` row with ON DELETE CASCADE, so deleting that row (ingest
--     --force) removes it all.  The connection must have
--     PRAGMA foreign_keys = ON (the library always sets it).
--
-- Changing this file means a new schema version: add a migration step in
-- lib/case.c and bump LKA_SCHEMA_VERSION (docs/schema.md, "Versioning").

PRAGMA application_id = 1280000341;  -- 0x4c4b4155, "LKAU": a leakaudit case
PRAGMA user_version = 1;             -- schema version

-- Upgrades applied to this case, one row per schema version reached.
CREATE TABLE schema_migrations (
	version      INTEGER PRIMARY KEY,  -- schema version after this step (1 = created)
	description  TEXT NOT NULL,        -- what the step did
	tool_version TEXT NOT NULL,        -- leakaudit version that applied it
	applied_at   TEXT NOT NULL         -- when (UTC, milliseconds)
);

-- One row per run of a tool that wrote to the case (lka-ingest ...): the
-- provenance of every row below.
CREATE TABLE ingest_runs (
	id             INTEGER PRIMARY KEY,
	tool           TEXT NOT NULL,     -- program name, e.g. 'lka-ingest'
	tool_version   TEXT NOT NULL,     -- leakaudit library version, e.g. '0.1.0'
	schema_version INTEGER NOT NULL,  -- schema version of the library that ran
	sqlite_version TEXT NOT NULL,     -- SQLite library version used
	arguments      TEXT,              -- the command line, as given
	host           TEXT,              -- host name (gethostname)
	platform       TEXT,              -- operating system, release and machine (uname)
	user           TEXT,              -- user name the tool ran as (getpwuid of the effective uid)
	uid            INTEGER,           -- effective user id
	pid            INTEGER,           -- process id
	started_at     TEXT NOT NULL,     -- when the run began (UTC, milliseconds)
	ended_at       TEXT,              -- when it ended; NULL while running or if the process died
	outcome        TEXT NOT NULL DEFAULT 'running',
		-- 'running' until the run records its end (and for ever if the
		-- process died); then as reported by the tool.  lka-ingest writes
		-- 'clean' (everything read without error), 'errors' (errors were
		-- recorded: see errors) or 'failed' (the case could not be written)
	sources         INTEGER NOT NULL DEFAULT 0,  -- evidence sources given to the run
	sources_skipped INTEGER NOT NULL DEFAULT 0,  -- of those, already complete and not re-read
	sources_failed  INTEGER NOT NULL DEFAULT 0,  -- of those, ended 'failed'
	files           INTEGER NOT NULL DEFAULT 0,  -- evidence files read
	bytes           INTEGER NOT NULL DEFAULT 0,  -- evidence bytes read
	messages        INTEGER NOT NULL DEFAULT 0,  -- message rows written, embedded ones included
	attachments     INTEGER NOT NULL DEFAULT 0,  -- attachment rows written
	errors          INTEGER NOT NULL DEFAULT 0,  -- error rows written
	reader_crashes  INTEGER NOT NULL DEFAULT 0,  -- reader processes that died, hung or ran out of memory
	seconds         REAL                         -- wall-clock duration
);

-- One row per evidence source given to ingest: a file (an mbox, an .eml ...)
-- or a folder (a maildir, a folder of evidence files).
CREATE TABLE sources (
	id       INTEGER PRIMARY KEY,
	path     TEXT NOT NULL UNIQUE,  -- absolute path of the file or folder when ingested
	name     TEXT NOT NULL,         -- display name: the last component of path
	kind     TEXT NOT NULL,         -- 'maildir', 'folder' (plain folder of evidence files),
	                                -- or the format of a file source: 'mbox', 'eml', 'emlx', 'unknown' ...
	bytes    INTEGER NOT NULL,      -- size of the file, or sum of the sizes of the folder's files
	sha256   TEXT NOT NULL,
		-- file source: SHA-256 of the file.
		-- folder source: SHA-256 of its manifest, the text made of one line
		-- "<sha256-hex>  <relpath>\n" (two spaces) per regular file below the
		-- folder, symbolic links not followed, unreadable files left out,
		-- sorted by relpath bytewise (LC_ALL=C).  Recompute with coreutils:
		--   cd SOURCE && find . -type f | cut -c3- | LC_ALL=C sort |
		--     xargs -r -d '\n' sha256sum | sha256sum
		-- (a name holding a backslash, newline or carriage return is written
		-- escaped, as sha256sum does: "\\", "\n", "\r", and the line starts
		-- with a backslash)
	files    INTEGER NOT NULL DEFAULT 0,  -- number of source_files rows
	messages INTEGER NOT NULL DEFAULT 0,  -- message rows, embedded messages included
	attachments INTEGER NOT NULL DEFAULT 0,  -- attachment rows of those messages
	errors   INTEGER NOT NULL DEFAULT 0,  -- errors rows of this source
	status   TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'running', 'complete', 'partial', 'failed')),
		-- 'pending': recorded, not read yet; 'running': being read, or the
		-- run died (a later run resumes it); 'complete': every file read
		-- without loss; 'partial': read to the end, but some items or files
		-- were lost (see errors); 'failed': could not be read at all
	first_run_id INTEGER REFERENCES ingest_runs(id),  -- run that recorded the source
	last_run_id  INTEGER REFERENCES ingest_runs(id),  -- last run that changed its status
	added_at     TEXT NOT NULL,  -- when the source was recorded (UTC, milliseconds)
	started_at   TEXT,           -- when reading last started
	ended_at     TEXT            -- when it last reached complete, partial or failed
);

CREATE INDEX sources_first_run ON sources(first_run_id);
CREATE INDEX sources_last_run ON sources(last_run_id);

-- The folder tree of each source.  Folders come from the directory layout
-- of a folder source (maildir folders, plain directories), from files that
-- are folders themselves (an mbox file is one folder), and from readers
-- (the folders inside a PST file).  Each source has one root folder, path ''.
CREATE TABLE folders (
	id        INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	parent_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,  -- NULL for the root folder
	path      TEXT NOT NULL,  -- '/'-separated path inside the source, '' for the root:
	                          -- 'Archive/2023', 'inbox.mbox', 'box.pst/Top of Personal Folders/Inbox'
	name      TEXT NOT NULL,  -- last component of path; for the root, the source's name
	folder_class TEXT,        -- 'maildir', 'mbox', 'directory', or the reader's class ('IPF.Note' ...)
	UNIQUE (source_id, path)
);
CREATE INDEX folders_parent ON folders(parent_id);

-- Every file found in a source, read or not, with its hash: the inventory of
-- the evidence.  A file source has exactly one row.
CREATE TABLE source_files (
	id        INTEGER PRIMARY KEY,
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	relpath   TEXT NOT NULL,     -- path relative to the source folder ('cur/1700000000.x:2,S');
	                             -- for a file source, the file's name
	format    TEXT NOT NULL,     -- detected from content: 'mbox', 'eml', 'emlx', 'unknown' ...
	role      TEXT NOT NULL CHECK (role IN ('messages', 'ignored', 'maildir-tmp', 'empty',
	                                        'special', 'unreadable')),
		-- 'messages': holds mail, read; 'ignored': not a format leakaudit
		-- reads (recorded and hashed only); 'maildir-tmp': in a maildir tmp/
		-- folder, not delivered mail; 'empty': zero bytes; 'special':
		-- symbolic link, device or fifo, not followed; 'unreadable': could
		-- not be opened or hashed (see note)
	maildir_sub TEXT,            -- 'cur' or 'new' for maildir messages, else NULL
	bytes     INTEGER NOT NULL,  -- size when scanned
	sha256    TEXT,              -- SHA-256 when scanned; NULL for 'special' and 'unreadable'
	mtime     TEXT,              -- modification time when scanned (UTC, seconds)
	folder_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,  -- folder the file belongs to
	items_done INTEGER NOT NULL DEFAULT 0,
		-- top-level items of this file already committed: the resume point.
		-- A new run skips items with ordinal < items_done.
	status    TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
		-- 'pending': to read (or reading); 'done': read to the end;
		-- 'failed': could not be read (see errors); 'skipped': not read by
		-- design (role other than 'messages')
	note      TEXT,              -- why the file was ignored or unreadable
	UNIQUE (source_id, relpath)
);
CREATE INDEX source_files_folder ON source_files(folder_id);
CREATE INDEX source_files_sha256 ON source_files(sha256);

-- One row per message OCCURRENCE: a message found twice (two mailboxes, a
-- copy in Sent and Inbox) has two rows; duplicates are never dropped and share
-- raw_sha256.  A message attached to another message (message/rfc822, an
-- attached Outlook item) is a row too, with parent_attachment_id set and
-- depth > 0; it inherits the source, file and folder of the top-level one.
CREATE TABLE messages (
	id             INTEGER PRIMARY KEY,
	source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	source_file_id INTEGER REFERENCES source_files(id) ON DELETE CASCADE,  -- the evidence file
	folder_id      INTEGER REFERENCES folders(id) ON DELETE CASCADE,
	parent_attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE,
		-- for an embedded message: the attachment it was found in; NULL at top level
	depth          INTEGER NOT NULL DEFAULT 0,  -- 0 top level, 1 attached to a top-level message ...
	run_id         INTEGER REFERENCES ingest_runs(id),  -- run that wrote the row
	-- where the message is in the file
	ordinal        INTEGER,  -- index of the top-level item in the file, from 0 (stable across runs);
	                         -- embedded messages carry the ordinal of their top-level item
	offset         INTEGER,  -- byte offset of the item in the file (mbox: of the From_ line);
	                         -- NULL when not meaningful and for embedded messages
	length         INTEGER,  -- bytes of the item in the file; NULL when unknown
	-- what the message says about itself
	item_class     TEXT NOT NULL DEFAULT 'IPM.Note',  -- 'IPM.Note' for RFC 822 mail, else the MAPI class
	message_id     TEXT,     -- Message-ID header without the angle brackets
	in_reply_to    TEXT,     -- In-Reply-To header
	"references"   TEXT,     -- References header, unfolded (REFERENCES is an SQL keyword: quote it)
	subject        TEXT,     -- decoded to UTF-8
	sent_at        TEXT,     -- Date header as UTC, '2024-03-01T09:15:00Z'; NULL when absent or unparsable
	sent_tz_offset INTEGER,  -- time zone of the Date header, minutes east of UTC (+0100 -> 60)
	date_raw       TEXT,     -- the Date header as written
	received_at    TEXT,     -- delivery time (last Received header, or the store's own), UTC
	from_address   TEXT,     -- normalised address of the first From mailbox (lower case, IDN as Unicode)
	from_name      TEXT,     -- its display name
	body_text      TEXT,     -- text/plain body, else the HTML body rendered as text
	body_html      TEXT,     -- HTML body, NULL if none
	headers        TEXT,     -- the raw header block (decoded lossily to UTF-8)
	maildir_flags  TEXT,     -- maildir info flags of the file name ('RS' = replied, seen), else NULL
	raw_bytes      INTEGER,  -- size of the message as stored in the source
	raw_sha256     TEXT,     -- SHA-256 of those bytes: the duplicate key; NULL for items with
	                         -- no raw form (embedded Outlook items)
	recipient_count  INTEGER NOT NULL DEFAULT 0,  -- recipients rows of this message (all roles)
	attachment_count INTEGER NOT NULL DEFAULT 0,  -- attachments rows of this message
	has_attachments  INTEGER NOT NULL DEFAULT 0,  -- 1 when at least one attachment is not inline
	error_count      INTEGER NOT NULL DEFAULT 0   -- errors rows about this message (damage seen while parsing)
);
CREATE INDEX messages_source ON messages(source_id);
CREATE INDEX messages_file ON messages(source_file_id, ordinal);
CREATE INDEX messages_folder ON messages(folder_id);
CREATE INDEX messages_parent ON messages(parent_attachment_id);
CREATE INDEX messages_run ON messages(run_id);
CREATE INDEX messages_raw_sha256 ON messages(raw_sha256);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_sent_at ON messages(sent_at);
CREATE INDEX messages_from ON messages(from_address);

-- The mailboxes of each message's From, Sender, Reply-To, To, Cc and Bcc.
CREATE TABLE recipients (
	id         INTEGER PRIMARY KEY,
	message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('from', 'sender', 'reply-to', 'to', 'cc', 'bcc')),
	address    TEXT,     -- normalised address (trimmed, lower case, IDN domain as Unicode NFC);
	                     -- NULL when the mailbox had no usable address (see raw)
	name       TEXT,     -- display name, decoded to UTF-8
	raw        TEXT,     -- the mailbox as it appeared in the header
	domain     TEXT,     -- domain part of address
	position   INTEGER NOT NULL  -- order within the role in the header, from 0
);
CREATE INDEX recipients_message ON recipients(message_id);
CREATE INDEX recipients_address ON recipients(address);
CREATE INDEX recipients_domain ON recipients(domain);

-- Content store: one row per distinct content (SHA-256) of any attachment,
-- however many times it occurs.  Content is kept when the run stored content
-- (the default); a hash-only run (ingest --no-content) leaves data NULL,
-- and a later run with content fills it.
--
-- The stored stream is `data`, or, when chunks > 0, the concatenation of
-- blob_chunks.data in seq order.  When compression = 'zlib' that stream is
-- a zlib stream (RFC 1950) of the content: inflate it (Python:
-- zlib.decompress(data)).  Content is compressed (zlib level 1) only when
-- that saves at least 10% and the content is at most 64 MiB.
--
-- A stream too long for one SQLite value (over 256 MiB, or over the
-- connection's SQLITE_LIMIT_LENGTH) is stored in pieces in blob_chunks.
CREATE TABLE blobs (
	sha256       TEXT PRIMARY KEY NOT NULL,  -- SHA-256 of the content (decoded bytes)
	bytes        INTEGER NOT NULL,           -- size of the content
	compression  TEXT NOT NULL DEFAULT 'none' CHECK (compression IN ('none', 'zlib')),
	stored_bytes INTEGER,                    -- size of the stored stream; NULL when content is not kept
	chunks       INTEGER NOT NULL DEFAULT 0, -- 0: stream in data; n > 0: in n blob_chunks rows
	data         BLOB,                       -- the stored stream; NULL when not kept or chunked
	CHECK (chunks = 0 OR data IS NULL)
);

-- Pieces of a large stored stream (see blobs).
CREATE TABLE blob_chunks (
	id     INTEGER PRIMARY KEY,
	sha256 TEXT NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,  -- 0, 1, 2 ...
	data   BLOB NOT NULL,
	UNIQUE (sha256, seq)
);

-- Attachments and other leaf parts of a message (inline images too), and
-- the members of containers (archives, TNEF) with parent_attachment_id set.
-- The content is in blobs, by sha256.
CREATE TABLE attachments (
	id         INTEGER PRIMARY KEY,
	message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	parent_attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE,
		-- the container this is a member of; NULL for parts of the message itself
	position   INTEGER NOT NULL,  -- order among its siblings, from 0
	filename   TEXT,     -- file name as given, decoded to UTF-8; NULL if none
	declared_type TEXT,  -- MIME type as declared, lower case ('application/pdf')
	detected_type TEXT,  -- MIME type detected from the content (libmagic); NULL if unknown
	bytes      INTEGER NOT NULL,  -- decoded size (all of it, even when truncated)
	sha256     TEXT NOT NULL REFERENCES blobs(sha256),  -- SHA-256 of all decoded bytes
	disposition TEXT,    -- Content-Disposition: 'attachment', 'inline', or NULL
	content_id TEXT,     -- Content-ID, for parts referred to from HTML
	part_path  TEXT,     -- MIME part number ('2.1'), or the member path in a container
	transfer_encoding TEXT,  -- 'base64', 'quoted-printable', '7bit' ...
	inline     INTEGER NOT NULL DEFAULT 0,  -- 1: shown inline (disposition inline or none)
	truncated  INTEGER NOT NULL DEFAULT 0,  -- 1: larger than the limit: hashed, content not kept
	damaged    INTEGER NOT NULL DEFAULT 0,  -- 1: decoding met errors (bad base64 ...)
	stored     INTEGER NOT NULL DEFAULT 0   -- 1: the content is in the case (blobs)
);
CREATE INDEX attachments_message ON attachments(message_id);
CREATE INDEX attachments_parent ON attachments(parent_attachment_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
CREATE INDEX attachments_filename ON attachments(filename);

-- Everything that went wrong: damaged messages, unreadable files, lost
-- items, crashed readers.  A source is only 'complete' when nothing was lost.
CREATE TABLE errors (
	id             INTEGER PRIMARY KEY,
	source_id      INTEGER REFERENCES sources(id) ON DELETE CASCADE,       -- NULL: not about one source
	source_file_id INTEGER REFERENCES source_files(id) ON DELETE CASCADE,  -- the file, if known
	message_id     INTEGER REFERENCES messages(id) ON DELETE CASCADE,      -- the message kept despite
	                                                                       -- the damage, if any
	run_id         INTEGER REFERENCES ingest_runs(id),                     -- run that recorded it
	location       TEXT,  -- where: 'inbox.mbox: item 12, offset 123456, part 2.1'
	severity       TEXT NOT NULL CHECK (severity IN ('warn', 'failed', 'fatal')),
		-- 'warn': item kept, but damaged or incomplete; 'failed': item lost,
		-- the source went on; 'fatal': the file or source could go no further
	kind           TEXT NOT NULL,  -- 'corrupt', 'io', 'limit', 'unsupported', 'nomem', 'db',
	                               -- 'usage', 'crash', 'changed'
	message        TEXT NOT NULL,  -- one line
	created_at     TEXT NOT NULL   -- when recorded (UTC, milliseconds)
);
CREATE INDEX errors_source ON errors(source_id);
CREATE INDEX errors_file ON errors(source_file_id);
CREATE INDEX errors_message ON errors(message_id);
CREATE INDEX errors_run ON errors(run_id);

-- Full-text index of messages (FTS5, external content: the text lives in
-- messages, the index refers to messages.id).  Query it with MATCH and join
-- on rowid:
--   SELECT m.id, m.subject FROM messages_fts f JOIN messages m ON m.id = f.rowid
--   WHERE messages_fts MATCH 'password' ORDER BY rank;
-- Tokens are Unicode words, case-folded, diacritics removed ('resume'
-- matches 'résumé').  Column filters: 'subject:invoice', prefixes: 'pass*',
-- phrases: '"mot de passe"'.
CREATE VIRTUAL TABLE messages_fts USING fts5(
	subject, body_text, from_name, from_address,
	content = 'messages', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);
-- Merge index segments 16 at a time rather than 4: a fifth less written
-- while ingesting, no measurable cost to queries (100,000 messages).
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);

-- Internal to the library (one row; read it, never change it).  While an
-- ingest transaction is open, the messages it writes are indexed in one go
-- when it commits, not one by one: FTS5 writes its pending index data at
-- every SAVEPOINT, and each message is written in its own savepoint, which
-- made ingest three times slower.  Outside such a transaction, which is all
-- any other connection ever sees, deferred is 0 and the triggers below index
-- every change at once.
CREATE TABLE fts_deferral (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	deferred         INTEGER NOT NULL DEFAULT 0,  -- 1 inside an ingest transaction
	first_message_id INTEGER  -- messages with id >= this are indexed at commit
);
INSERT INTO fts_deferral (id, deferred) VALUES (1, 0);

-- Keep messages_fts in step with messages (rows of a deferred batch are
-- indexed at its commit, and were never indexed before it).
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN NOT EXISTS (SELECT 1 FROM fts_deferral WHERE deferred = 1)
BEGIN
	INSERT INTO messages_fts (rowid, subject, body_text, from_name, from_address)
	VALUES (new.id, new.subject, new.body_text, new.from_name, new.from_address);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN NOT EXISTS (SELECT 1 FROM fts_deferral WHERE deferred = 1 AND old.id >= first_message_id)
BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, subject, body_text, from_name, from_address)
	VALUES ('delete', old.id, old.subject, old.body_text, old.from_name, old.from_address);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, body_text, from_name, from_address
ON messages
WHEN NOT EXISTS (SELECT 1 FROM fts_deferral WHERE deferred = 1 AND old.id >= first_message_id)
BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, subject, body_text, from_name, from_address)
	VALUES ('delete', old.id, old.subject, old.body_text, old.from_name, old.from_address);
	INSERT INTO messages_fts (rowid, subject, body_text, from_name, from_address)
	VALUES (new.id, new.subject, new.body_text, new.from_name, new.from_address);
END;
