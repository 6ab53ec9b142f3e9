#!/bin/sh
# lka-scan end to end: labelled personal data (lka-gen --pii) ingested and
# scanned; precision and recall per detector against pii-truth.tsv, measured
# on what the case holds; re-running replaces the findings; attachment text
# is extracted and searchable on the full generated evidence.
. "$(dirname "$0")/lib.sh"
SCAN="$LKA_BUILD/tools/lka-scan"

"$GEN" --seed 3 --pii 300 "$T/pii" >/dev/null
run "$INGEST" -q "$T/c.db" "$T/pii/pii"
ok $([ "$rc" -eq 0 ]; echo $?) "ingest of the labelled messages (exit $rc)"
run "$SCAN" "$T/c.db"
ok $([ "$rc" -eq 0 ]; echo $?) "lka-scan exits 0 (exit $rc)"
grep -q "^findings: " "$T/out"; ok $? "summary printed"
db="$T/c.db"
q "$db" "CREATE TABLE truth (file TEXT, kind TEXT, value TEXT, decoy INTEGER);"
tail -n +2 "$T/pii/pii-truth.tsv" | sed 's|^pii/||' >"$T/truth.tsv"
sqlite3 -batch "$db" ".mode tabs" ".import $T/truth.tsv truth"
# A finding matches a planted value of its kind in its message's file.
q "$db" "
CREATE TEMP VIEW f AS SELECT f.kind, coalesce(f.value_norm, '') AS value, sf.relpath AS file
	FROM findings f JOIN messages m ON m.id = f.message_id JOIN source_files sf ON sf.id = m.source_file_id
	WHERE f.validator <> 'invalid';
SELECT k.kind,
	(SELECT count(*) FROM truth t WHERE t.kind = k.kind AND t.decoy = 0 AND EXISTS
		(SELECT 1 FROM f WHERE f.kind = t.kind AND f.value = t.value AND f.file = t.file)),
	(SELECT count(*) FROM f WHERE f.kind = k.kind AND NOT EXISTS
		(SELECT 1 FROM truth t WHERE t.kind = f.kind AND t.value = f.value AND t.file = f.file AND t.decoy = 0)),
	(SELECT count(*) FROM truth t WHERE t.kind = k.kind AND t.decoy = 0 AND NOT EXISTS
		(SELECT 1 FROM f WHERE f.kind = t.kind AND f.value = t.value AND f.file = t.file))
FROM (SELECT DISTINCT kind FROM truth) k ORDER BY 1;" | tr '|' ' ' >"$T/pr"
while read -r kind tp fp fn; do
	p=$(awk -v a="$tp" -v b="$fp" 'BEGIN { printf "%.4f", (a + b) ? a / (a + b) : 1 }')
	r=$(awk -v a="$tp" -v b="$fn" 'BEGIN { printf "%.4f", (a + b) ? a / (a + b) : 1 }')
	echo "# $kind: tp $tp fp $fp fn $fn precision $p recall $r"
	ok $(awk -v p="$p" -v r="$r" 'BEGIN { exit !(p >= 0.99 && r >= 0.98) }'; echo $?) \
		"$kind: precision $p >= 0.99, recall $r >= 0.98 in the case"
done <"$T/pr"
is "$(q "$db" "SELECT count(*) FROM findings WHERE context IS NULL OR value_masked = ''")" 0 \
	"every finding has a context and a masked form"
is "$(q "$db" "SELECT count(*) FROM findings WHERE kind = 'credential' AND detail = 'password' AND value_norm IS NOT NULL")" 0 \
	"passwords are never copied into value_norm"
is "$(q "$db" "SELECT count(*) FROM findings WHERE kind = 'iban' AND person_name IS NOT NULL")" \
	"$(q "$db" "SELECT count(*) FROM findings WHERE kind = 'iban'")" "an IBAN after 'RIB de NAME' is tied to that name"
n1=$(q "$db" "SELECT count(*) FROM findings")
run "$SCAN" -q "$T/c.db"
is "$(q "$db" "SELECT count(*) FROM findings")" "$n1" "a second scan gives the same findings"
is "$(q "$db" "SELECT count(DISTINCT scan_id) FROM findings")" 1 "... replacing the first scan's"
is "$(q "$db" "SELECT group_concat(outcome) FROM (SELECT outcome FROM scans ORDER BY id)")" "superseded,complete" \
	"scans: the first superseded, the second complete"
ok $([ "$(q "$db" "SELECT count(*) FROM finding_summary")" -gt 5 ]; echo $?) "finding_summary view"

# Attachments of the full generated evidence: text extracted, indexed, scanned.
gen "$T/ev" --seed 5 --messages 160
run "$INGEST" -q "$T/e.db" "$T/ev/maildir" "$T/ev/mbox" "$T/ev/eml"
run "$SCAN" "$T/e.db"
ok $([ "$rc" -eq 0 ]; echo $?) "lka-scan on the full generated evidence (exit $rc)"
ok $([ "$(q "$T/e.db" "SELECT count(*) FROM attachment_text WHERE status = 'ok'")" -gt 0 ]; echo $?) \
	"attachment text extracted"
is "$(q "$T/e.db" "SELECT count(*) FROM attachment_text t WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = t.sha256)")" 0 \
	"one attachment_text row per stored content"
ok $([ "$(q "$T/e.db" "SELECT count(*) FROM attachment_text_fts WHERE attachment_text_fts MATCH 'exemple'")" -gt 0 ]; echo $?) \
	"extracted text is in the full-text index"
ok $([ "$(q "$T/e.db" "SELECT count(*) FROM findings WHERE field = 'attachment_text'")" -gt 0 ]; echo $?) \
	"findings in attachment text"
done_testing
