-- Outlook PST/OST (issue 3): what the two engines (libpff, libpst) read,
-- MAPI address details, folder roles and per-folder completeness.

ALTER TABLE recipients ADD COLUMN address_type TEXT;  -- MAPI address type: 'SMTP', 'EX' ...; NULL for RFC 822 mail
ALTER TABLE recipients ADD COLUMN legacy_dn TEXT;     -- Exchange legacy DN ('/o=Org/ou=.../cn=Recipients/cn=jdoe')

ALTER TABLE messages ADD COLUMN engine TEXT;          -- 'libpff' or 'libpst' for Outlook items, NULL otherwise
ALTER TABLE messages ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0;  -- 1: deleted/orphan item recovered

ALTER TABLE folders ADD COLUMN role TEXT;             -- PST: 'ipm' (the user's mailbox tree), 'search',
                                                      -- 'system', 'recovered'; NULL for other sources

-- How many items each engine says a PST folder holds.  What was read is
-- counted from messages (folder_completeness), so a crash and a resumed
-- run cannot make the figures disagree with the rows.
CREATE TABLE folder_counts (
	folder_id      INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
	engine         TEXT NOT NULL,     -- 'libpff', 'libpst'
	expected_items INTEGER NOT NULL,  -- items (messages, contacts ...) the folder's table lists
	PRIMARY KEY (folder_id, engine)
);
