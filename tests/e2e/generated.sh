#!/bin/sh
# End to end on generated evidence: lka-gen writes a maildir, mbox files,
# .eml/.emlx files and address books together with the ground truth
# (manifest.tsv, summary.txt); the case must hold exactly that.
. "$(dirname "$0")/lib.sh"

gen "$T/ev" --seed 5 --messages 160
S="$T/ev/summary.txt"
val() { sed -n "s/^$1=//p" "$S"; }
set -- "$T/ev/maildir" "$T/ev/mbox" "$T/ev/eml"

ingest_ok "generated evidence" -j 2 "$T/c.db" "$@"
db="$T/c.db"
top="parent_attachment_id IS NULL"
is "$(q "$db" "SELECT count(*) FROM messages WHERE $top")" "$(val messages)" "every delivered message is a row"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN sources s ON s.id = m.source_id WHERE s.path LIKE '%/maildir' AND $top")" \
	"$(val maildir_messages)" "maildir messages"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN sources s ON s.id = m.source_id WHERE s.path LIKE '%/mbox' AND $top")" \
	"$(val mbox_messages)" "mbox messages (the unquoted From line does not split)"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN sources s ON s.id = m.source_id WHERE s.path LIKE '%/eml' AND $top")" \
	"$(val eml_messages)" "eml and emlx messages"
is "$(q "$db" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NOT NULL")" "$(val embedded_messages)" \
	"embedded messages are rows"
# lka-gen counts message/rfc822 parts as embedded messages, not attachments;
# the case keeps them as attachment rows too (parents of the embedded messages).
is "$(q "$db" "SELECT count(*) FROM attachments WHERE parent_attachment_id IS NULL")" "$(($(val attachments) + $(val embedded_messages)))" \
	"attachment rows: leaf attachments plus the message/rfc822 parts"
is "$(q "$db" "SELECT count(*) FROM attachments WHERE declared_type <> 'message/rfc822'")" "$(val attachments)" \
	"leaf attachments, embedded ones included"
is "$(q "$db" "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM messages WHERE $top GROUP BY raw_sha256 HAVING n > 1)")" \
	"$(val duplicate_deliveries)" "duplicate deliveries kept and linked by content hash"
is "$(q "$db" "SELECT count(DISTINCT address) FROM recipients WHERE address IS NOT NULL")" "$(val unique_addresses_with_embedded)" \
	"distinct normalised addresses (embedded messages included)"

# Message by message: every Message-ID of the manifest with its folder, subject and attachment count.
tail -n +2 "$T/ev/manifest.tsv" | awk -F'\t' '$5 != "" { print $5 "\t" $7 }' | sort >"$T/want-att"
q "$db" "
	WITH RECURSIVE tree(root, mid) AS (SELECT id, id FROM messages WHERE $top
	  UNION ALL SELECT tree.root, m.id FROM tree JOIN attachments a ON a.message_id = tree.mid
	  JOIN messages m ON m.parent_attachment_id = a.id)
	SELECT r.message_id || char(9) || (SELECT count(*) FROM tree JOIN attachments a ON a.message_id = tree.mid
	  WHERE tree.root = r.id AND a.declared_type <> 'message/rfc822')
	FROM messages r WHERE r.$top AND r.message_id IS NOT NULL" | sort >"$T/got-att"
cmp -s "$T/want-att" "$T/got-att"; ok $? "per message: Message-ID and attachment count match the manifest"
diff "$T/want-att" "$T/got-att" | head -10 | sed 's/^/# /'
tail -n +2 "$T/ev/manifest.tsv" | awk -F'\t' '$5 != "" { print $5 "\t" $6 }' | sort >"$T/want-subj"
q "$db" "SELECT message_id || char(9) || coalesce(subject, '') FROM messages WHERE $top AND message_id IS NOT NULL" | sort >"$T/got-subj"
cmp -s "$T/want-subj" "$T/got-subj"; ok $? "per message: decoded subjects match the manifest"
diff "$T/want-subj" "$T/got-subj" | head -10 | sed 's/^/# /'
# The maildir root is the user's INBOX: folder path "<user>", sub-folders "<user>/Sent" ...
tail -n +2 "$T/ev/manifest.tsv" | awk -F'\t' '$1 == "maildir" && $5 != "" {
	split($2, p, "/"); f = ($4 == "INBOX") ? p[2] : p[2] "/" $4; print $5 "\t" f }' | sort -u >"$T/want-folder"
q "$db" "SELECT m.message_id || char(9) || f.path FROM messages m JOIN folders f ON f.id = m.folder_id
	 JOIN sources s ON s.id = m.source_id WHERE m.$top AND m.message_id IS NOT NULL AND s.path LIKE '%/maildir'" | sort -u >"$T/got-folder"
comm -3 "$T/want-folder" "$T/got-folder" >"$T/badfolder"
is "$(wc -l <"$T/badfolder")" 0 "maildir messages sit in their Maildir++ folder"
head -5 "$T/badfolder" | sed 's/^/# /'
tail -n +2 "$T/ev/manifest.tsv" | awk -F'\t' '$9 != "" { n = split($9, a, ","); for (i = 1; i <= n; i++) print a[i] }' | sort -u >"$T/want-addr"
q "$db" "SELECT DISTINCT r.address FROM recipients r JOIN messages m ON m.id = r.message_id
	WHERE r.address IS NOT NULL AND m.$top" | sort -u >"$T/got-addr"
cmp -s "$T/want-addr" "$T/got-addr"; ok $? "the set of normalised addresses matches the manifest"
diff "$T/want-addr" "$T/got-addr" | head -10 | sed 's/^/# /'

# Charsets, IDN, raw evidence.
is "$(q "$db" "SELECT count(*) FROM messages WHERE body_text IS NOT NULL AND CAST(body_text AS BLOB) <> CAST(CAST(CAST(body_text AS BLOB) AS TEXT) AS BLOB)")" 0 \
	"every body is valid text"
ok $([ "$(q "$db" "SELECT count(*) FROM recipients WHERE address IS NULL AND raw LIKE '%broken@@%'")" -ge 1 ]; echo $?) \
	"the invalid address is kept raw, not dropped"
is "$(q "$db" "SELECT count(*) FROM recipients WHERE address LIKE '%xn--%'")" 0 "IDN domains are in one (Unicode) form"
ok $([ "$(q "$db" "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'mairie'")" -ge 1 ]; echo $?) \
	"full-text search finds 'mairie'"
is "$(q "$db" "SELECT count(*) FROM attachments WHERE stored = 1 AND sha256 NOT IN (SELECT sha256 FROM blobs WHERE data IS NOT NULL OR sha256 IN (SELECT sha256 FROM blob_chunks))")" 0 \
	"every stored attachment has its bytes in the blob store"
is "$(q "$db" "SELECT count(*) FROM (SELECT sha256 FROM blobs GROUP BY sha256 HAVING count(*) > 1)")" 0 "blobs stored once per SHA-256"

# The same evidence read in-process, and with one reader, gives the same case.
dump "$db" >"$T/a.txt"
run "$INGEST" -q -j 1 "$T/one.db" "$@"
dump "$T/one.db" >"$T/b.txt"
cmp -s "$T/a.txt" "$T/b.txt"; ok $? "one reader or two: the same case"
run "$INGEST" -q --no-isolation "$T/inproc.db" "$@"
dump "$T/inproc.db" >"$T/c.txt"
cmp -s "$T/a.txt" "$T/c.txt"; ok $? "in-process or isolated: the same case"

# Hash-only mode keeps hashes, not bytes.
run "$INGEST" -q --no-content "$T/nc.db" "$@"
is "$(q "$T/nc.db" "SELECT count(*) FROM blobs WHERE data IS NOT NULL")" 0 "--no-content stores no attachment bytes"
is "$(q "$T/nc.db" "SELECT count(*) FROM attachments WHERE sha256 IS NULL")" 0 "--no-content still hashes every attachment"
is "$(q "$T/nc.db" "SELECT count(*) FROM attachments")" "$(q "$db" "SELECT count(*) FROM attachments")" "--no-content keeps every attachment row"

run "$VERIFY" -q "$db"
is "$rc" 0 "lka-verify: evidence unchanged, case consistent"
"$INFO" "$db" >"$T/info"; rc=$?
is "$rc" 0 "lka-info summarises the case"
grep -q '^  address-book entries  *[1-9]' "$T/info"
ok $? "lka-info counts the address-book entries"
grep -q '^  none (every PST folder' "$T/info"
ok $? "lka-info: no PST folder short"
done_testing
