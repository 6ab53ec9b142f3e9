-- contacts.sql — address books and people (schema step "contacts and people").
--
-- Address-book entries read from evidence (vCard, LDIF, CSV address books,
-- PST contact folders) and the people model rebuilt from them and from the
-- messages (lka_people_rebuild, lka-notify).  Documented in docs/schema.md,
-- section "Contacts and people".

-- One address-book entry (a contact card, an LDIF entry, a CSV row, a PST
-- contact) or one distribution list / group.
CREATE TABLE contacts (
	id             INTEGER PRIMARY KEY,
	source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	source_file_id INTEGER REFERENCES source_files(id) ON DELETE CASCADE,  -- the evidence file
	folder_id      INTEGER REFERENCES folders(id) ON DELETE CASCADE,       -- PST contact folder, else the file's folder
	message_id     INTEGER REFERENCES messages(id) ON DELETE CASCADE,      -- the message the book was attached to, if any
	attachment_id  INTEGER REFERENCES attachments(id) ON DELETE CASCADE,   -- the attachment holding the book, if any
	run_id         INTEGER REFERENCES ingest_runs(id),                     -- run that wrote the row
	ordinal        INTEGER NOT NULL,  -- index of the entry in its file, from 0 (stable across runs)
	offset         INTEGER,           -- byte offset of the entry in the file, NULL when not meaningful
	length         INTEGER,           -- bytes of the entry in the file, NULL when unknown
	item_class     TEXT NOT NULL,     -- 'vcard', 'ldif', 'csv', 'IPM.Contact', 'IPM.DistList' ...
	is_list        INTEGER NOT NULL DEFAULT 0,  -- 1: a distribution list / group (see contact_list_members)
	full_name      TEXT,
	given_name     TEXT,
	family_name    TEXT,
	middle_name    TEXT,
	nickname       TEXT,
	prefix         TEXT,
	suffix         TEXT,
	organization   TEXT,
	department     TEXT,
	title          TEXT,
	birthday       TEXT,     -- 'YYYY-MM-DD' when parseable, else as written
	note           TEXT,
	uid            TEXT,
	url            TEXT,
	email_count    INTEGER NOT NULL DEFAULT 0,  -- contact_emails rows
	phone_count    INTEGER NOT NULL DEFAULT 0,  -- contact_phones rows
	member_count   INTEGER NOT NULL DEFAULT 0,  -- contact_list_members rows
	error_count    INTEGER NOT NULL DEFAULT 0   -- damage seen while parsing (errors rows)
);
CREATE INDEX contacts_file ON contacts (source_file_id, ordinal);
CREATE INDEX contacts_source ON contacts (source_id);
CREATE INDEX contacts_message ON contacts (message_id) WHERE message_id IS NOT NULL;

CREATE TABLE contact_emails (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,  -- order in the entry, from 0
	address    TEXT,     -- normalised like recipients.address; NULL when unusable (see raw)
	raw        TEXT,     -- as written
	name       TEXT,     -- display name for this address, if the source has one
	type       TEXT,     -- 'SMTP', 'EX', 'internet', 'home', 'work', 'pref' ... as the source says
	legacy_dn  TEXT,     -- Exchange legacy DN (PST), else NULL
	domain     TEXT      -- domain part of address
);
CREATE INDEX contact_emails_contact ON contact_emails (contact_id);
CREATE INDEX contact_emails_address ON contact_emails (address);

CREATE TABLE contact_phones (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	raw        TEXT NOT NULL,  -- as written
	e164       TEXT,           -- '+33612345678' when the number could be normalised, else NULL
	type       TEXT            -- 'mobile', 'home', 'work', 'fax', 'pager', 'other' ...
);
CREATE INDEX contact_phones_contact ON contact_phones (contact_id);
CREATE INDEX contact_phones_e164 ON contact_phones (e164);

CREATE TABLE contact_addresses (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	type       TEXT,     -- 'home', 'work', 'other' ...
	street     TEXT,
	locality   TEXT,
	region     TEXT,
	postcode   TEXT,
	country    TEXT,
	"full"     TEXT      -- the address as written (one or several lines)
);
CREATE INDEX contact_addresses_contact ON contact_addresses (contact_id);

CREATE TABLE contact_list_members (
	id         INTEGER PRIMARY KEY,
	contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,  -- the list
	position   INTEGER NOT NULL,
	name       TEXT,
	address    TEXT,     -- normalised, NULL when the member has no usable address
	raw        TEXT      -- as written (an LDIF member DN, a PST one-off entry ...)
);
CREATE INDEX contact_list_members_contact ON contact_list_members (contact_id);

-- People: rebuilt from the tables above, the messages and findings by
-- lka_people_rebuild() (lka-notify --rebuild).  Nothing else writes them.

-- One data subject: keyed by a normalised e-mail address, else an E.164 phone.
CREATE TABLE people (
	id            INTEGER PRIMARY KEY,
	key           TEXT NOT NULL UNIQUE,  -- 'mailto:alice@example.org' or 'tel:+33612345678'
	address       TEXT,     -- primary e-mail address (the key's), NULL for phone-only people
	phone_e164    TEXT,     -- best phone number known, E.164
	display_name  TEXT,     -- most frequent name (ties: the longest, then alphabetical)
	domain        TEXT,     -- domain of address
	internal      INTEGER NOT NULL DEFAULT 0,  -- 1: domain is one of the organisation's (--internal-domain)
	address_count INTEGER NOT NULL DEFAULT 0,  -- person_emails rows
	names         INTEGER NOT NULL DEFAULT 0,  -- person_names rows
	in_address_books INTEGER NOT NULL DEFAULT 0,  -- address-book entries naming them
	messages      INTEGER NOT NULL DEFAULT 0,  -- distinct messages they appear in (any role)
	first_seen    TEXT,     -- earliest sent_at of those messages
	last_seen     TEXT      -- latest sent_at of those messages
);
CREATE INDEX people_domain ON people (domain);

CREATE TABLE person_emails (
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	address   TEXT NOT NULL UNIQUE,
	PRIMARY KEY (person_id, address)
) WITHOUT ROWID;

CREATE TABLE person_names (
	person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	occurrences INTEGER NOT NULL,  -- how many times this spelling was seen
	PRIMARY KEY (person_id, name)
) WITHOUT ROWID;

CREATE TABLE person_phones (
	person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	e164        TEXT NOT NULL,
	occurrences INTEGER NOT NULL,
	PRIMARY KEY (person_id, e164)
) WITHOUT ROWID;

CREATE TABLE person_postal (
	person_id          INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	contact_address_id INTEGER NOT NULL REFERENCES contact_addresses(id) ON DELETE CASCADE,
	PRIMARY KEY (person_id, contact_address_id)
) WITHOUT ROWID;

-- Every place a person appears.
CREATE TABLE person_appearances (
	id            INTEGER PRIMARY KEY,
	person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	kind          TEXT NOT NULL CHECK (kind IN ('address_book', 'sender', 'recipient', 'attendee',
	                                            'mentioned_body', 'mentioned_attachment')),
	source_id     INTEGER REFERENCES sources(id) ON DELETE CASCADE,
	message_id    INTEGER REFERENCES messages(id) ON DELETE CASCADE,
	attachment_id INTEGER REFERENCES attachments(id) ON DELETE CASCADE,
	contact_id    INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
	role          TEXT,   -- recipients.role ('from', 'to', 'cc' ...), 'member' for list members,
	                      -- 'entry' for address-book entries, the finding kind for mentions
	at            TEXT    -- sent_at of the message, NULL for address books
);
CREATE INDEX person_appearances_person ON person_appearances (person_id, kind);

-- Categories of personal data found about a person (from findings, when the
-- personal-data scan has run).
CREATE TABLE person_categories (
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	category  TEXT NOT NULL,     -- findings.category: 'contact', 'bank', 'national_id' ...
	findings  INTEGER NOT NULL,  -- findings rows behind it
	PRIMARY KEY (person_id, category)
) WITHOUT ROWID;

-- The last people rebuild (one row).
CREATE TABLE people_build (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	built_at         TEXT NOT NULL,
	internal_domains TEXT NOT NULL,  -- JSON array of the domains marked internal
	people           INTEGER NOT NULL,
	findings_used    INTEGER NOT NULL  -- 1 when the findings table existed
);
