-- pii.sql — personal-data scan (lka-scan, issue 6): scans, findings and the
-- text extracted from attachments.  Applied as one migration step (lib/case.c).

-- One row per run of lka-scan.  A new scan replaces the findings of earlier
-- ones (their rows here stay, as history).
CREATE TABLE scans (
	id           INTEGER PRIMARY KEY,
	started_at   TEXT NOT NULL,  -- UTC, milliseconds
	finished_at  TEXT,           -- NULL while running or when interrupted
	tool_version TEXT,           -- leakaudit version
	args         TEXT,           -- command line
	outcome      TEXT,           -- 'running', 'complete', 'failed'
	messages     INTEGER,        -- messages scanned
	attachments  INTEGER,        -- attachment rows scanned (with extracted text)
	bytes        INTEGER,        -- text bytes scanned
	findings     INTEGER,        -- findings written
	seconds      REAL
);

-- What the detectors found.  kind is the detector, category the GDPR-facing
-- category; value_norm the normalised value (NULL for passwords, which are
-- never copied), value_masked a display form; validator says whether a
-- checksum or structure check passed ('not_applicable' for context-based
-- detectors).  The finding lies in one field of a message (subject,
-- body_text, body_html) or in the extracted text of an attachment
-- (attachment_text; then message_id is the attachment's message too), at a
-- UTF-8 byte offset/length of that text.  person_address / person_name tie
-- it to a person named next to it in the same document.
CREATE TABLE findings (
	id INTEGER PRIMARY KEY,
	scan_id INTEGER REFERENCES scans(id),
	kind TEXT NOT NULL,         -- 'email','phone','iban','bic','card','nir','fr_tax_id','passport',
	                            -- 'id_card','birth_date','postal_address','credential','special_category'
	category TEXT NOT NULL,     -- 'contact','bank','card','national_id','identity','credentials',
	                            -- 'special_category'
	value_norm TEXT,            -- normalised value (E.164 phone, IBAN without spaces ...)
	value_masked TEXT NOT NULL, -- display form with most characters masked
	validator TEXT NOT NULL,    -- 'valid','invalid','not_applicable'
	confidence REAL NOT NULL,   -- 0..1
	message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
	attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE,
	field TEXT NOT NULL,        -- 'subject','body_text','body_html','attachment_text'
	offset INTEGER, length INTEGER,  -- UTF-8 byte offset/length in that field's text
	context TEXT,               -- short context, value masked
	person_address TEXT,        -- normalised e-mail of the person the finding is directly about, or NULL
	person_name TEXT,           -- name found next to it, or NULL
	detail TEXT                 -- sub-kind: card brand, 'password'/'login', art. 9 category ('health',
	                            -- 'union', 'religion', 'offences'), 'fr'/'intl' phone
);
CREATE INDEX findings_message ON findings(message_id);
CREATE INDEX findings_attachment ON findings(attachment_id);
CREATE INDEX findings_kind ON findings(kind, category);
CREATE INDEX findings_person ON findings(person_address);
CREATE INDEX findings_scan ON findings(scan_id);

-- Text extracted from attachment content, once per distinct content (blobs).
-- method: how ('text', 'html', 'csv', 'vcard', 'rtf', ...); status: 'ok',
-- 'truncated' (size limit hit: text holds the first part), 'timeout',
-- 'failed', 'unsupported' (no extractor for the type), 'encrypted'; chars:
-- characters of text; detail: why, when not 'ok'.
CREATE TABLE attachment_text (
	sha256 TEXT PRIMARY KEY REFERENCES blobs(sha256),
	method TEXT,
	status TEXT CHECK (status IN ('ok','truncated','timeout','failed','unsupported','encrypted')),
	chars  INTEGER,
	text   TEXT,
	detail TEXT
);

-- Full-text index of the extracted text (external content, rowid of
-- attachment_text):
--   SELECT t.sha256 FROM attachment_text_fts f JOIN attachment_text t ON t.rowid = f.rowid
--   WHERE attachment_text_fts MATCH 'iban';
CREATE VIRTUAL TABLE attachment_text_fts USING fts5(
	text, content = 'attachment_text', content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER attachment_text_fts_insert AFTER INSERT ON attachment_text BEGIN
	INSERT INTO attachment_text_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER attachment_text_fts_delete AFTER DELETE ON attachment_text BEGIN
	INSERT INTO attachment_text_fts (attachment_text_fts, rowid, text)
	VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER attachment_text_fts_update AFTER UPDATE OF text ON attachment_text BEGIN
	INSERT INTO attachment_text_fts (attachment_text_fts, rowid, text)
	VALUES ('delete', old.rowid, old.text);
	INSERT INTO attachment_text_fts (rowid, text) VALUES (new.rowid, new.text);
END;
