-- pii-views.sql — views over the findings of the personal-data scan.
DROP VIEW IF EXISTS finding_summary;
DROP VIEW IF EXISTS finding_people;
DROP VIEW IF EXISTS finding_messages;

-- Findings per detector and category: how many, how many distinct values,
-- messages and attachments touched.  Context-based and art. 9 cues are
-- counted apart from checksum-validated ones through validator.
CREATE VIEW finding_summary AS
SELECT kind, category, validator,
       count(*) AS findings,
       count(DISTINCT value_norm) AS distinct_values,
       count(DISTINCT message_id) AS messages,
       count(DISTINCT attachment_id) AS attachments,
       count(DISTINCT person_address) AS people_direct
FROM findings
GROUP BY kind, category, validator;

-- Categories of data exposed per person tied directly to findings
-- (person_address), with the kinds seen.
CREATE VIEW finding_people AS
SELECT person_address, max(person_name) AS person_name, category,
       count(*) AS findings, group_concat(DISTINCT kind) AS kinds
FROM findings
WHERE person_address IS NOT NULL
GROUP BY person_address, category;

-- Per message: the categories found in it (its subject, body or attachments).
CREATE VIEW finding_messages AS
SELECT message_id, group_concat(DISTINCT category) AS categories, count(*) AS findings
FROM findings
WHERE message_id IS NOT NULL
GROUP BY message_id;
