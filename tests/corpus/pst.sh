#!/bin/sh
# Corpus test: ingest ../shared/corpus/pst and compare with the per-file
# figures of ../shared/corpus/EXPECTED.md §1 (readpst 0.6.76 and pffexport
# 20180714, independent of leakaudit).  Skipped when the corpus is absent.
#
# Figures per file: IPM folders (below the IPM subtree root), e-mails
# (IPM.Note*, REPORT.*, IPM.Schedule.Meeting*: pffexport's Message + Meeting),
# contacts (IPM.Contact, in the contacts table), appointments (IPM.Appointment),
# distribution lists (IPM.DistList, in the contacts table),
# and the attachments of the e-mails (top level, not inside attached messages).
# Only allocated items count (recovered = 0), as pffexport exports them.
. "$(dirname "$0")/../e2e/lib.sh"
need_corpus "$CORPUS/pst"

db="$T/pst.db"
ingest_ok "the PST corpus" -j2 "$db" "$CORPUS/pst"
sed 's/^/# /' "$T/err" | tail -4

fig() { # fig FILE -> "folders emails contacts appts lists att"
	q "$db" "
	SELECT ((SELECT count(*) FROM folders d WHERE d.source_id = f.source_id
	         AND d.path LIKE f.relpath || '/%' AND d.role = 'ipm') - 1) || ' ' ||
	       coalesce(sum(m.item_class LIKE 'IPM.Note%' OR m.item_class LIKE 'REPORT.%'
	                    OR m.item_class LIKE 'IPM.Schedule.Meeting%'), 0) || ' ' ||
	       (SELECT count(*) FROM contacts c WHERE c.source_file_id = f.id
	         AND c.item_class LIKE 'IPM.Contact%') || ' ' ||
	       coalesce(sum(m.item_class LIKE 'IPM.Appointment%'), 0) || ' ' ||
	       (SELECT count(*) FROM contacts c WHERE c.source_file_id = f.id
	         AND c.item_class LIKE 'IPM.DistList%') || ' ' ||
	       (SELECT count(*) FROM attachments a JOIN messages x ON x.id = a.message_id
	         WHERE x.source_file_id = f.id AND x.depth = 0 AND x.recovered = 0
	         AND (x.item_class LIKE 'IPM.Note%' OR x.item_class LIKE 'REPORT.%'
	              OR x.item_class LIKE 'IPM.Schedule.Meeting%'))
	FROM source_files f LEFT JOIN messages m ON m.source_file_id = f.id AND m.depth = 0
	     AND m.recovered = 0
	WHERE f.relpath = '$1' GROUP BY f.id;"
}

# file  folders emails contacts appts lists att   (EXPECTED.md, "agree = yes" rows)
while read -r file want; do
	is "$(fig "$file")" "$want" "$file: folders e-mails contacts appointments lists attachments"
done <<'EOF'
aspose__Outlook.pst 15 14 1 1 0 34
aspose__Outlook_part0.pst 13 2 0 0 0 6
aspose__PersonalStorageFile.ost 2 0 0 0 0 0
aspose__PersonalStorageFile1.pst 3 0 72 0 0 0
aspose__SampleContacts.pst 2 0 6 0 0 0
aspose__passwordprotectedPST.pst 2 18 0 0 0 17
gopst__32-bit.pst 2 0 0 1 0 0
jlibpst__dist-list.pst 12 0 1 1 1 0
pstsdk__sample1.pst 2 1 0 0 0 1
pstsdk__test_ansi.pst 2 0 0 0 0 0
pstsdk__test_unicode.pst 2 0 0 0 0 0
pstx__alpha-beta-gamma-delta.pst 1 1 0 0 0 2
pstx__contacts.pst 3 0 1 0 0 0
rubymsg__200_recipients.pst 1 1 0 0 0 0
rubymsg__attachAndInline.pst 1 1 0 0 0 2
rubymsg__msgInMsg.pst 1 1 0 0 0 2
tika__testPST_variousBodyTypes.pst 3 4 0 0 0 0
EOF

# aspose__Test_part1.pst: readpst and pffexport disagree on contacts (19 vCards
# with FN:(null) + 2 skipped, against 9 exported + 12 failed).  The Contacts
# folder lists 21 items: libpff reads 9, and libpst reads the 12 libpff cannot
# classify, so all 21 are contacts; folders, e-mails, appointments and
# attachments are what both tools agree on.
is "$(fig aspose__Test_part1.pst)" "15 31 21 9 0 43" "aspose__Test_part1.pst: 21 contacts (9 libpff + 12 libpst), the rest as both tools"
is "$(q "$db" "SELECT count(*) FROM contacts c JOIN source_files f ON f.id = c.source_file_id
	WHERE f.relpath = 'aspose__Test_part1.pst' AND c.full_name IS NOT NULL")" 21 \
	"aspose__Test_part1.pst: the 12 contacts libpff cannot read come whole from libpst (all 21 named)"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file_id
	WHERE f.relpath = 'aspose__Test_part1.pst' AND m.item_class = 'IPM'")" 0 \
	"aspose__Test_part1.pst: no unclassified stub left"

# Contacts: e-mail slots, and the distribution list's members.
is "$(q "$db" "SELECT count(e.address) FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
	JOIN source_files f ON f.id = c.source_file_id WHERE f.relpath = 'aspose__PersonalStorageFile1.pst'")" 60 \
	"aspose__PersonalStorageFile1.pst: 60 contact e-mail addresses (as readpst's vCards)"
is "$(q "$db" "SELECT count(m.address) FROM contact_list_members m JOIN contacts c ON c.id = m.contact_id
	JOIN source_files f ON f.id = c.source_file_id WHERE f.relpath = 'jlibpst__dist-list.pst'")" 3 \
	"jlibpst__dist-list.pst: the list's 3 members, with addresses (readpst skips the list)"

# Every recipient of the 200-recipient message, with its SMTP address (libpst loses them all).
is "$(q "$db" "SELECT count(*) || ' ' || count(r.address) || ' ' || sum(r.address_type = 'SMTP')
	FROM recipients r JOIN messages m ON m.id = r.message_id JOIN source_files f ON f.id = m.source_file_id
	WHERE f.relpath = 'rubymsg__200_recipients.pst' AND r.role IN ('to', 'cc', 'bcc')")" "200 200 200" \
	"rubymsg__200_recipients.pst: 200 recipients, each with an SMTP address"

# Embedded messages are child rows.
is "$(q "$db" "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file_id
	WHERE f.relpath = 'aspose__Outlook.pst' AND m.depth = 1")" 4 "aspose__Outlook.pst: 4 embedded messages"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file_id
	WHERE f.relpath = 'aspose__passwordprotectedPST.pst' AND m.depth = 1")" 5 \
	"aspose__passwordprotectedPST.pst: 5 attached messages (DSN/MDN reports)"

# Password "protection" is recorded, the store read anyway.
is "$(q "$db" "SELECT count(*) FROM errors WHERE message LIKE 'password set on this store%'")" 3 \
	"password set: recorded for the 3 stores that have one"

# Localised folder names (Japanese) come out as UTF-8.
is "$(q "$db" "SELECT count(*) FROM folders WHERE path = 'pstx__alpha-beta-gamma-delta.pst/Outlook データ ファイルのトップ/削除済みアイテム'")" 1 \
	"Japanese folder names decoded"

# Hostile files: a header checksum mismatch fails with the reason; an mbox named .pst is read as mbox.
is "$(q "$db" "SELECT status FROM source_files WHERE relpath = 'aspose__AddingBulkMessagesWithImprovedPerformance.pst'")" failed \
	"header checksum mismatch: file failed"
is "$(q "$db" "SELECT count(*) FROM errors WHERE location LIKE '%aspose__AddingBulkMessagesWithImprovedPerformance.pst%'
	AND message LIKE '%mismatch in file header checksum%'")" 1 "... with the reason named"
is "$(q "$db" "SELECT format || ' ' || (SELECT count(*) FROM messages m WHERE m.source_file_id = f.id)
	FROM source_files f WHERE relpath = 'aspose__SMTP_Outlook.pst'")" "mbox 1" \
	"header overwritten by an mbox: detected by content (mbox, 1 message)"

# Completeness: every item an engine lists is in the case, except the one FAI
# item libpff cannot read in jlibpst__dist-list.pst (its error is recorded).
is "$(q "$db" "SELECT group_concat(path || ':' || engine || ':' || shortfall) FROM folder_completeness WHERE shortfall > 0")" \
	"jlibpst__dist-list.pst/Reminders:libpff:1" "one folder short, and it is reported"
grep -q 'Reminders: libpff lists 1 item(s), 0 ingested' "$T/err"
ok $? "lka-ingest prints the shortfall"
"$INFO" "$db" >"$T/info"
grep -q 'jlibpst__dist-list.pst/Reminders (libpff) *$' "$T/info" || grep -q '1  jlibpst__dist-list.pst/Reminders (libpff)' "$T/info"
ok $? "lka-info lists the short folder"
is "$(q "$db" "SELECT count(*) FROM messages WHERE engine IS NULL AND source_file_id IN
	(SELECT id FROM source_files WHERE format = 'pst')")" 0 "every PST item records its engine"

run "$VERIFY" "$db"
ok $([ "$rc" -eq 0 ]; echo $?) "lka-verify: the case is consistent (exit $rc)"

# Crash isolation: a reader that dies on an item (test fault hook: any item whose
# subject holds "message 2") loses that item only; the run resumes after it.
one="$CORPUS/pst/aspose__Outlook.pst"
run "$INGEST" -q "$T/base.db" "$one"
base=$(q "$T/base.db" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NULL")
hit=$(q "$T/base.db" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NULL AND subject LIKE '%message 2%'")
LKA_FAULT="crash:message 2" run "$INGEST" -q "$T/crash.db" "$one"
unset LKA_FAULT
ok $([ "$rc" -le 1 ]; echo $?) "ingest with a reader crashing on $hit items finishes (exit $rc)"
is "$(q "$T/crash.db" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NULL")" $((base - hit)) \
	"only the $hit items the reader died on are lost ($base without the fault)"
is "$(q "$T/crash.db" "SELECT count(*) FROM errors WHERE kind = 'crash' AND message LIKE '%item lost, reading resumes after it%'")" "$hit" \
	"each lost item has a crash error naming it"
grep -q 'Inbox: libpff lists' "$T/err"
ok $? "the shortfall is printed"
run "$VERIFY" "$T/crash.db"
ok $([ "$rc" -eq 0 ]; echo $?) "lka-verify after crashes (exit $rc)"

# PSTs inside a zip source: read from a private copy, each store's folder tree
# below a folder named after its member, the temporary area removed.
mkdir -p "$T/zip" "$T/tmp"
python3 - "$CORPUS/pst" "$T/zip/stores.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1] + "/aspose__SampleContacts.pst", "mail/contacts.pst")
    z.write(sys.argv[1] + "/rubymsg__200_recipients.pst", "mail/r.pst")
PY
TMPDIR="$T/tmp" run "$INGEST" -q "$T/zip.db" "$T/zip/stores.zip"
is "$rc" 0 "a zip of two PSTs is ingested"
is "$(q "$T/zip.db" "SELECT group_concat(path, '|') FROM (SELECT path FROM folders WHERE folder_class = 'pst' ORDER BY path)")" \
	"mail/contacts.pst|mail/r.pst" "each store is a folder named after its member"
is "$(q "$T/zip.db" "SELECT count(*) FROM contacts c JOIN folders f ON f.id = c.folder_id
	WHERE f.path LIKE 'mail/contacts.pst/%'")" 6 "the 6 contacts, below their store's folder"
is "$(q "$T/zip.db" "SELECT count(*) FROM recipients WHERE address IS NOT NULL")" 200 \
	"the 200 recipients with addresses"
is "$(ls -A "$T/tmp" | wc -l)" 0 "the private temporary area is gone"

done_testing
