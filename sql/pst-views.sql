-- Per PST folder and engine: items the engine lists, items ingested at top
-- level from that folder (by either engine), and the shortfall (listed but
-- not ingested: failed or lost).
DROP VIEW IF EXISTS folder_completeness;
CREATE VIEW folder_completeness AS
SELECT f.source_id, fc.folder_id, f.path, f.role, fc.engine, fc.expected_items,
       (SELECT count(*) FROM messages m
         WHERE m.folder_id = fc.folder_id AND m.depth = 0 AND m.recovered = 0) AS read_items,
       fc.expected_items - (SELECT count(*) FROM messages m
         WHERE m.folder_id = fc.folder_id AND m.depth = 0 AND m.recovered = 0) AS shortfall
FROM folder_counts fc JOIN folders f ON f.id = fc.folder_id;
