-- Per PST folder and engine: items the engine lists, items ingested at top
-- level from that folder (messages and contacts, by either engine), and the
-- shortfall (listed but not ingested: failed or lost).
DROP VIEW IF EXISTS folder_completeness;
CREATE VIEW folder_completeness AS
SELECT source_id, folder_id, path, role, engine, expected_items, read_items,
       expected_items - read_items AS shortfall
FROM (SELECT f.source_id, fc.folder_id, f.path, f.role, fc.engine, fc.expected_items,
             (SELECT count(*) FROM messages m WHERE m.folder_id = fc.folder_id
               AND m.parent_attachment_id IS NULL AND m.recovered = 0) +
             (SELECT count(*) FROM contacts c WHERE c.folder_id = fc.folder_id
               AND c.attachment_id IS NULL) AS read_items
      FROM folder_counts fc JOIN folders f ON f.id = fc.folder_id);
