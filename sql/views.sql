-- views.sql — views for auditors over the case tables (schema.sql).
--
-- Recreated on every read-write open of a case (DROP VIEW IF EXISTS, then
-- CREATE VIEW), so they follow the library's version without a schema
-- bump.  Do not add your own views under these names: they would be
-- replaced.  Documented in docs/schema.md.
--
-- Lists inside one column: ids and roles are comma-separated
-- ('12,57,98'); free text (names, locations) is a JSON array
-- ('["Alice Martin","A. Martin"]'), because it may itself hold commas.
-- Use json_each() to turn such a list back into rows.

-- One row per message occurrence, with where it was found and its counts.
DROP VIEW IF EXISTS message_overview;
CREATE VIEW message_overview AS
SELECT
	m.id                   AS message_id,     -- messages.id
	m.depth                AS depth,          -- 0 top level, > 0 embedded
	m.parent_attachment_id AS parent_attachment_id,
	s.id                   AS source_id,
	s.path                 AS source_path,
	f.path                 AS folder_path,    -- '' = the source's root folder
	sf.relpath             AS file_relpath,   -- evidence file inside the source
	m.ordinal              AS ordinal,
	m.offset               AS offset,
	m.sent_at              AS sent_at,
	m.from_address         AS from_address,
	m.from_name            AS from_name,
	m.subject              AS subject,
	m.message_id           AS message_id_header,
	m.raw_bytes            AS raw_bytes,
	m.raw_sha256           AS raw_sha256,
	(SELECT count(*) FROM recipients r
	 WHERE r.message_id = m.id AND r.role IN ('to', 'cc', 'bcc')) AS recipients,  -- To+Cc+Bcc
	m.attachment_count     AS attachments,
	(SELECT count(*) FROM messages e
	 WHERE e.parent_attachment_id IN (SELECT a.id FROM attachments a WHERE a.message_id = m.id))
	                       AS embedded_messages,  -- messages attached to this one
	m.error_count          AS errors,
	CASE WHEN m.raw_sha256 IS NULL THEN 1
	     ELSE (SELECT count(*) FROM messages d WHERE d.raw_sha256 = m.raw_sha256)
	END                    AS occurrences     -- rows with the same raw_sha256 (1 = unique)
FROM messages m
JOIN sources s ON s.id = m.source_id
LEFT JOIN folders f ON f.id = m.folder_id
LEFT JOIN source_files sf ON sf.id = m.source_file_id;

-- Messages found more than once (same raw bytes), one row per group.
DROP VIEW IF EXISTS duplicate_messages;
CREATE VIEW duplicate_messages AS
SELECT
	g.raw_sha256             AS raw_sha256,
	count(*)                 AS occurrences,
	count(DISTINCT g.source_id) AS sources,       -- distinct sources it was found in
	min(g.message_id_header) AS message_id_header,
	min(g.subject)           AS subject,
	min(g.sent_at)           AS sent_at,
	group_concat(g.id)       AS message_ids,      -- '12,57,98' (messages.id, ascending)
	json_group_array(g.location) AS locations     -- JSON array of 'source path: file: item N'
FROM (
	SELECT m.id, m.raw_sha256, m.source_id, m.message_id AS message_id_header, m.subject,
	       m.sent_at,
	       s.path || ': ' || coalesce(sf.relpath, '?') || ': item ' || coalesce(m.ordinal, '?')
	       || CASE WHEN m.depth > 0 THEN ' (embedded, depth ' || m.depth || ')' ELSE '' END
	       AS location
	FROM messages m
	JOIN sources s ON s.id = m.source_id
	LEFT JOIN source_files sf ON sf.id = m.source_file_id
	WHERE m.raw_sha256 IN (SELECT raw_sha256 FROM messages WHERE raw_sha256 IS NOT NULL
	                       GROUP BY raw_sha256 HAVING count(*) > 1)
	ORDER BY m.raw_sha256, m.id
) g
GROUP BY g.raw_sha256;

-- Every distinct normalised address seen in any role, with the names it
-- went by and how often it occurs.  Mailboxes without a usable address
-- (recipients.address NULL) are not here; see recipients.raw.
DROP VIEW IF EXISTS addresses;
CREATE VIEW addresses AS
SELECT
	r.address                        AS address,
	min(r.domain)                    AS domain,
	json_group_array(DISTINCT r.name) FILTER (WHERE r.name IS NOT NULL AND r.name <> '')
	                                 AS names,     -- JSON array of display names seen
	group_concat(DISTINCT r.role)    AS roles,     -- 'from,to,cc'
	count(DISTINCT r.message_id)     AS messages,  -- message rows it appears in, any role
	count(DISTINCT r.message_id) FILTER (WHERE r.role = 'from') AS sent,
	count(DISTINCT r.message_id) FILTER (WHERE r.role IN ('to', 'cc', 'bcc')) AS received,
	count(DISTINCT m.source_id)      AS sources,
	min(m.sent_at)                   AS first_seen, -- earliest sent_at of those messages
	max(m.sent_at)                   AS last_seen
FROM recipients r
JOIN messages m ON m.id = r.message_id
WHERE r.address IS NOT NULL
GROUP BY r.address;

-- One row per attachment, with its message and source, and whether its
-- content is in the case.
DROP VIEW IF EXISTS attachment_overview;
CREATE VIEW attachment_overview AS
SELECT
	a.id                   AS attachment_id,
	a.message_id           AS message_id,
	a.parent_attachment_id AS parent_attachment_id,
	a.filename             AS filename,
	a.declared_type        AS declared_type,
	a.detected_type        AS detected_type,
	a.bytes                AS bytes,
	a.sha256               AS sha256,
	a.part_path            AS part_path,
	a.inline               AS inline,
	a.truncated            AS truncated,
	a.damaged              AS damaged,
	(b.stored_bytes IS NOT NULL) AS stored,      -- 1: content in blobs
	b.compression          AS compression,
	b.stored_bytes         AS stored_bytes,
	(SELECT e.id FROM messages e WHERE e.parent_attachment_id = a.id LIMIT 1)
	                       AS embedded_message_id, -- the message this attachment is, if any
	(SELECT count(*) FROM attachments o WHERE o.sha256 = a.sha256)
	                       AS occurrences,        -- attachment rows with the same content
	m.subject              AS message_subject,
	m.sent_at              AS message_sent_at,
	m.from_address         AS message_from,
	m.depth                AS message_depth,
	s.id                   AS source_id,
	s.path                 AS source_path,
	sf.relpath             AS file_relpath
FROM attachments a
JOIN messages m ON m.id = a.message_id
JOIN sources s ON s.id = m.source_id
LEFT JOIN source_files sf ON sf.id = m.source_file_id
LEFT JOIN blobs b ON b.sha256 = a.sha256;

-- One row per source: what was found, what was read, what went wrong.
DROP VIEW IF EXISTS source_summary;
CREATE VIEW source_summary AS
SELECT
	s.id          AS source_id,
	s.path        AS path,
	s.name        AS name,
	s.kind        AS kind,
	s.status      AS status,
	s.bytes       AS bytes,
	s.sha256      AS sha256,
	s.added_at    AS added_at,
	s.ended_at    AS ended_at,
	(SELECT count(*) FROM source_files f WHERE f.source_id = s.id) AS files,
	(SELECT count(*) FROM source_files f WHERE f.source_id = s.id AND f.role = 'messages')
	              AS mail_files,        -- files holding mail
	(SELECT count(*) FROM source_files f WHERE f.source_id = s.id AND f.status = 'done')
	              AS files_done,
	(SELECT count(*) FROM source_files f WHERE f.source_id = s.id AND f.status = 'failed')
	              AS files_failed,
	(SELECT count(*) FROM source_files f
	 WHERE f.source_id = s.id AND f.role IN ('ignored', 'unreadable', 'special'))
	              AS files_not_read,    -- ignored, unreadable or special files
	(SELECT count(*) FROM messages m WHERE m.source_id = s.id AND m.depth = 0)
	              AS messages,          -- top-level messages
	(SELECT count(*) FROM messages m WHERE m.source_id = s.id AND m.depth > 0)
	              AS embedded,          -- messages attached to messages
	(SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id
	 WHERE m.source_id = s.id)
	              AS attachments,
	(SELECT count(*) FROM errors e WHERE e.source_id = s.id) AS errors,
	(SELECT count(*) FROM errors e WHERE e.source_id = s.id AND e.severity <> 'warn')
	              AS items_lost,        -- errors of severity failed or fatal
	(SELECT count(DISTINCT r.address) FROM recipients r JOIN messages m ON m.id = r.message_id
	 WHERE m.source_id = s.id AND r.address IS NOT NULL)
	              AS distinct_addresses
FROM sources s;

-- Errors counted by source, severity and kind, with an example of each.
DROP VIEW IF EXISTS error_summary;
CREATE VIEW error_summary AS
SELECT
	g.source_id        AS source_id,     -- NULL: errors not tied to a source
	s.path             AS source_path,
	g.severity         AS severity,
	g.kind             AS kind,
	g.errors           AS errors,
	g.on_kept_messages AS on_kept_messages, -- errors about messages that were kept (damaged)
	g.first_error_id   AS first_error_id,
	coalesce(x.location || ': ', '') || x.message
	                   AS example         -- location and text of the first such error
FROM (
	SELECT e.source_id, e.severity, e.kind, count(*) AS errors,
	       count(e.message_id) AS on_kept_messages, min(e.id) AS first_error_id
	FROM errors e
	GROUP BY e.source_id, e.severity, e.kind
) g
LEFT JOIN sources s ON s.id = g.source_id
JOIN errors x ON x.id = g.first_error_id;
