-- containers.sql — attachments that are containers (archives, TNEF, .msg)
-- and the members inventoried below them (issue 4; contract §D).
-- Members are attachments rows with parent_attachment_id set to the
-- container's row and part_path holding the member's path inside it.

-- 'zip', 'tar', '7z', 'gzip', 'bzip2', 'xz', 'cpio', 'rar', 'tnef', 'msg' ...
-- when the attachment is a container whose members are its child rows.
ALTER TABLE attachments ADD COLUMN container TEXT;
-- 1 when the attachment (a container member, or a container) is encrypted.
ALTER TABLE attachments ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;
-- The password, offered by the carrying message's body, that opened it.
ALTER TABLE attachments ADD COLUMN password TEXT;
-- Comma-separated: 'absolute', 'dotdot', 'legacy-charset', 'control-chars',
-- 'duplicate-name'.  Names are recorded as found and never followed.
ALTER TABLE attachments ADD COLUMN name_flags TEXT;

CREATE INDEX attachments_container ON attachments(container) WHERE container IS NOT NULL;
