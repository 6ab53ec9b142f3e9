-- contacts-views.sql — views over address books and people (contacts.sql).
-- Recreated on every read-write open like views.sql; documented in
-- docs/schema.md, section "Contacts and people".

-- One row per address-book entry, with where it was found.
DROP VIEW IF EXISTS contact_overview;
CREATE VIEW contact_overview AS
SELECT
	c.id            AS contact_id,
	s.id            AS source_id,
	s.path          AS source_path,
	sf.relpath      AS file_relpath,
	sf.format       AS file_format,
	f.path          AS folder_path,
	c.message_id    AS message_id,
	c.attachment_id AS attachment_id,
	c.ordinal       AS ordinal,
	c.item_class    AS item_class,
	c.is_list       AS is_list,
	c.full_name     AS full_name,
	c.organization  AS organization,
	(SELECT group_concat(e.address, ',') FROM
		(SELECT address FROM contact_emails WHERE contact_id = c.id AND address IS NOT NULL
		 ORDER BY position) e) AS addresses,
	(SELECT group_concat(p.raw, ',') FROM
		(SELECT raw FROM contact_phones WHERE contact_id = c.id ORDER BY position) p) AS phones,
	c.email_count   AS email_count,
	c.phone_count   AS phone_count,
	c.member_count  AS member_count,
	c.error_count   AS error_count
FROM contacts c
JOIN sources s ON s.id = c.source_id
LEFT JOIN source_files sf ON sf.id = c.source_file_id
LEFT JOIN folders f ON f.id = c.folder_id;

-- One row per person, with counts of where they appear.
DROP VIEW IF EXISTS people_overview;
CREATE VIEW people_overview AS
SELECT
	p.id            AS person_id,
	p.key           AS key,
	p.address       AS address,
	p.phone_e164    AS phone_e164,
	p.display_name  AS display_name,
	p.domain        AS domain,
	p.internal      AS internal,
	(SELECT json_group_array(name) FROM
		(SELECT name FROM person_names WHERE person_id = p.id
		 ORDER BY occurrences DESC, length(name) DESC, name)) AS names,
	(SELECT json_group_array(address) FROM
		(SELECT address FROM person_emails WHERE person_id = p.id ORDER BY address)) AS addresses,
	p.in_address_books AS in_address_books,
	(SELECT count(*) FROM person_appearances a WHERE a.person_id = p.id AND a.kind = 'sender')
		AS as_sender,
	(SELECT count(*) FROM person_appearances a WHERE a.person_id = p.id AND a.kind = 'recipient')
		AS as_recipient,
	(SELECT count(*) FROM person_appearances a WHERE a.person_id = p.id
		AND a.kind IN ('mentioned_body', 'mentioned_attachment')) AS mentioned,
	p.messages      AS messages,
	(SELECT group_concat(category, ',') FROM
		(SELECT category FROM person_categories WHERE person_id = p.id ORDER BY category))
		AS categories,
	p.first_seen    AS first_seen,
	p.last_seen     AS last_seen
FROM people p;
