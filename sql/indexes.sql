-- indexes.sql — lookup indexes (schema step 7).  No table changes.
--
-- Every foreign key column gets an index (docs/schema.md, "Indexes"): for
-- the lookups auditors make ("every appearance of this message") and so
-- that a cascading delete does not scan the child table once per row.
--
-- contacts(folder_id) matters most: folder_completeness counts each
-- folder's contacts, and without it a fresh case (no ANALYZE statistics
-- yet) scanned every contact once per PST folder, which made ingest's
-- end-of-source completeness check quadratic (0.6 s for 360 small stores,
-- far worse for one store with thousands of folders).
CREATE INDEX contacts_folder ON contacts (folder_id);
CREATE INDEX contacts_run ON contacts (run_id);
CREATE INDEX contacts_attachment ON contacts (attachment_id) WHERE attachment_id IS NOT NULL;
CREATE INDEX person_postal_address ON person_postal (contact_address_id);
CREATE INDEX person_appearances_source ON person_appearances (source_id);
CREATE INDEX person_appearances_message ON person_appearances (message_id)
	WHERE message_id IS NOT NULL;
CREATE INDEX person_appearances_attachment ON person_appearances (attachment_id)
	WHERE attachment_id IS NOT NULL;
CREATE INDEX person_appearances_contact ON person_appearances (contact_id)
	WHERE contact_id IS NOT NULL;
