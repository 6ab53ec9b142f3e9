-- triage-views.sql — views over attachments and their triage (issue 7).
-- Recreated on every read-write open, like views.sql.

-- Every attachment (archive members included) with where it was found, its
-- types, size and hash, how widely the same bytes travelled, and its flags.
DROP VIEW IF EXISTS attachment_inventory;
CREATE VIEW attachment_inventory AS
SELECT
	a.id                   AS attachment_id,
	a.message_id           AS message_id,
	a.parent_attachment_id AS parent_attachment_id,  -- container, for archive members
	(WITH RECURSIVE up(id, pid, name, depth) AS (
	   SELECT p.id, p.parent_attachment_id,
	          CASE WHEN p.parent_attachment_id IS NULL THEN coalesce(p.filename, p.part_path, '?')
	               ELSE coalesce(p.part_path, p.filename, '?') END, 0
	   FROM attachments p WHERE p.id = a.parent_attachment_id
	   UNION ALL
	   SELECT p.id, p.parent_attachment_id,
	          CASE WHEN p.parent_attachment_id IS NULL THEN coalesce(p.filename, p.part_path, '?')
	               ELSE coalesce(p.part_path, p.filename, '?') END, up.depth + 1
	   FROM attachments p JOIN up ON p.id = up.pid WHERE up.depth < 32)
	 SELECT group_concat(name, '/') FROM (SELECT name FROM up ORDER BY depth DESC))
	                       AS container_path,         -- members: the containers from the message
	                                                  -- down ('dossier.zip/annexes.zip'); else NULL
	CASE WHEN a.parent_attachment_id IS NOT NULL THEN a.part_path END
	                       AS member_path,            -- members: the path inside the container
	s.path                 AS source_path,
	f.path                 AS folder_path,            -- mailbox / folder inside the source
	sf.relpath             AS file_relpath,
	a.filename             AS filename,
	CASE WHEN instr(a.filename, '.') > 0
	     THEN lower(replace(a.filename, rtrim(a.filename, replace(a.filename, '.', '')), ''))
	END                    AS extension,              -- after the last dot, lower case
	a.declared_type        AS declared_type,
	a.detected_type        AS detected_type,
	a.bytes                AS bytes,
	a.sha256               AS sha256,
	a.stored               AS stored,                 -- 1: content in the case
	CASE WHEN a.encrypted AND a.parent_attachment_id IS NOT NULL AND
	          (SELECT p.password FROM attachments p WHERE p.id = a.parent_attachment_id) IS NULL
	     THEN 1 ELSE 0 END AS locked,                 -- 1: encrypted member no password opened:
	                                                  -- bytes and sha256 are not its content's
	CASE WHEN a.parent_attachment_id IS NOT NULL AND EXISTS (SELECT 1 FROM attachments p
	          WHERE p.parent_attachment_id = a.parent_attachment_id
	          AND p.part_path = '[Content_Types].xml')
	     THEN 1 ELSE 0 END AS package_part,           -- 1: a part of an OOXML document
	m.sent_at              AS sent_at,
	m.from_address         AS message_from,
	m.subject              AS message_subject,
	(SELECT count(*) FROM attachments o WHERE o.sha256 = a.sha256)
	                       AS copies,                 -- attachment rows with the same bytes
	(SELECT count(DISTINCT o.message_id) FROM attachments o WHERE o.sha256 = a.sha256)
	                       AS messages_with_copy,
	(SELECT count(DISTINCT om.folder_id) FROM attachments o JOIN messages om ON om.id = o.message_id
	 WHERE o.sha256 = a.sha256)
	                       AS mailboxes_with_copy,    -- distinct folders holding a copy
	(SELECT min(om.sent_at) FROM attachments o JOIN messages om ON om.id = o.message_id
	 WHERE o.sha256 = a.sha256)
	                       AS first_seen,
	(SELECT max(om.sent_at) FROM attachments o JOIN messages om ON om.id = o.message_id
	 WHERE o.sha256 = a.sha256)
	                       AS last_seen,
	(SELECT group_concat(x.flag, ',') FROM (SELECT flag FROM attachment_flags af
	 WHERE af.attachment_id = a.id ORDER BY flag) x)
	                       AS flags                   -- 'encrypted,macro' (NULL: none or not triaged)
FROM attachments a
JOIN messages m ON m.id = a.message_id
JOIN sources s ON s.id = m.source_id
LEFT JOIN folders f ON f.id = m.folder_id
LEFT JOIN source_files sf ON sf.id = m.source_file_id;

-- One row per flag raised, with the attachment's name, hash and message.
DROP VIEW IF EXISTS attachment_triage;
CREATE VIEW attachment_triage AS
SELECT
	af.attachment_id AS attachment_id,
	af.flag          AS flag,
	af.reason        AS reason,
	a.filename       AS filename,
	a.sha256         AS sha256,
	a.bytes          AS bytes,
	a.message_id     AS message_id,
	m.sent_at        AS sent_at,
	m.from_address   AS message_from,
	m.subject        AS message_subject
FROM attachment_flags af
JOIN attachments a ON a.id = af.attachment_id
JOIN messages m ON m.id = a.message_id;
