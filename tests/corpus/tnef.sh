#!/bin/sh
# Corpus test: ../shared/corpus/tnef (EXPECTED.md §5).  Each TNEF stream is
# read as a source and, wrapped in a message as a winmail.dat part, as an
# attachment; the attachment names must be those `tnef -t` lists, and the
# streams that make `tnef` abort must be read without a crash, keeping what
# comes before the damage.  Skipped when the corpus is absent.
. "$(dirname "$0")/../e2e/lib.sh"
D="$CORPUS/tnef"
need_corpus "$D"

db="$T/tnef.db"
ingest_ok "the TNEF corpus" "$db" "$D"
is "$(q "$db" "SELECT count(*) FROM source_files WHERE format = 'tnef'")" 17 "17 TNEF streams detected by content"

names() { # names FILE -> attachment names of the stream, in order
	case "$1" in
	*.eml) q "$db" "SELECT group_concat(coalesce(k.filename, '?'), ', ') FROM (SELECT k.filename FROM attachments k JOIN attachments c ON c.id = k.parent_attachment_id JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND c.container = 'tnef' ORDER BY k.position) k" ;;
	*) q "$db" "SELECT group_concat(coalesce(a.filename, '?'), ', ') FROM (SELECT a.filename FROM attachments a JOIN messages m ON m.id = a.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND m.parent_attachment_id IS NULL AND a.parent_attachment_id IS NULL ORDER BY a.position) a" ;;
	esac
}
pass=0 fail=0
while IFS='|' read -r f want; do
	got=$(names "$f")
	is "$got" "$want" "$f: attachment names"
	if [ "$got" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done <<'EOT'
aspose__tnefEml1.eml|1.jpg, Embedded MSG.msg, image001.jpg
tika__testWINMAIL.dat|quick.doc, quick.html, quick.pdf, quick.txt, quick.xml
tnef__MAPI_ATTACH_DATA_OBJ.tnef|VIA_Nytt_1402.doc, VIA_Nytt_1402.pdf, VIA_Nytt_14021.htm
tnef__MAPI_OBJECT.tnef|Untitled_Attachment
tnef__body.tnef|
tnef__data-before-name.tnef|AUTOEXEC.BAT, CONFIG.SYS, boot.ini
tnef__garbage-at-end.tnef|
tnef__long-filename.tnef|allproductsmar2000.dat
tnef__missing-filenames.tnef|generpts.src, TechlibDEC99.doc, TechlibDEC99-JAN00.doc, TechlibNOV99.doc
tnef__multi-name-property.tnef|
tnef__multi-value-attribute.tnef|208225__5_seconds__Voice_Mail.mp3
tnef__one-file.tnef|AUTHORS
tnef__rtf.tnef|
tnef__triples.tnef|
tnef__two-files.tnef|AUTHORS, README
tnef__unicode-mapi-attr-name.tnef|spaconsole2.cfg, image001.png, image002.png, image003.png
tnef__unicode-mapi-attr.tnef|example.dat
ytnef__multi-value-attribute.tnef|208225 (5 seconds) Voice Mail.mp3
EOT
echo "# TNEF names as tnef(1) lists them: $pass passed, $fail failed"

body() { q "$db" "SELECT coalesce(length(m.body_text), 0) > 0 FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND m.parent_attachment_id IS NULL"; }
is "$(body tnef__body.tnef)" 1 "tnef__body.tnef: the HTML body becomes the message's body"
is "$(q "$db" "SELECT body_html IS NOT NULL FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'tnef__body.tnef'")" 1 "... and its HTML is kept"
ok $(q "$db" "SELECT body_text FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'tnef__rtf.tnef'" | grep -q "aafgag'alga'kgk"; echo $?) \
	"tnef__rtf.tnef: compressed RTF decompressed into the body text"
is "$(q "$db" "SELECT subject FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'tnef__MAPI_ATTACH_DATA_OBJ.tnef'")" "Bodø-damer på vei!" \
	"MAPI subject decoded"
is "$(q "$db" "SELECT e.subject FROM messages e JOIN attachments k ON k.id = e.parent_attachment_id WHERE k.filename = 'Embedded MSG.msg'")" "Embedded MSG " \
	"aspose__tnefEml1.eml: the embedded message is a message row"
is "$(q "$db" "SELECT count(*) FROM attachments c JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath LIKE 'aspose__tnef%' AND c.filename = 'winmail.dat' AND c.container = 'tnef' AND c.parent_attachment_id IS NULL")" 2 \
	"the raw winmail.dat parts are kept as attachments, marked container tnef"
ok $([ "$(q "$db" "SELECT count(*) FROM attachments k JOIN attachments c ON c.id = k.parent_attachment_id JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'aspose__tnefWithMsgInside.eml'")" -ge 1 ]; echo $?) \
	"aspose__tnefWithMsgInside.eml (tnef aborts on it): its attachment is read"
ok $([ "$(q "$db" "SELECT count(*) FROM messages e JOIN attachments k ON k.id = e.parent_attachment_id JOIN attachments c ON c.id = k.parent_attachment_id JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'aspose__tnefWithMsgInside.eml'")" -ge 1 ]; echo $?) \
	"aspose__tnefWithMsgInside.eml: the message inside the TNEF is a message row"
is "$(q "$db" "SELECT count(*) FROM errors e JOIN source_files f ON f.id = e.source_file_id WHERE f.relpath = 'tnef__garbage-at-end.tnef' AND e.message LIKE '%not TNEF%'")" 1 \
	"tnef__garbage-at-end.tnef: the trailing byte is recorded"
is "$(q "$db" "SELECT group_concat(r.role || '=' || r.address, ' ') FROM recipients r JOIN messages m ON m.id = r.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'tnef__body.tnef' AND r.address IS NOT NULL")" \
	"to=3kuser2@brexchange.dolphinsearch.com" "tnef__body.tnef: the recipient table (attRecipTable) gives the recipients"
is "$(q "$db" "SELECT status FROM sources")" complete "the source is complete"
done_testing
