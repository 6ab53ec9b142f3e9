#!/bin/sh
# Corpus test: ../shared/corpus/msg (SOURCES.md describes each file; EXPECTED.md
# has no .msg figures, so the figures here were read off the files with
# independent knowledge of them: item classes from SOURCES.md, names and
# subjects as Outlook shows them).  Each .msg is read as a source and, wrapped
# in a message, as an attachment.  Skipped when the corpus is absent.
. "$(dirname "$0")/../e2e/lib.sh"
D="$CORPUS/msg"
need_corpus "$D"

db="$T/msg.db"
ingest_ok "the .msg corpus" "$db" "$D"
is "$(q "$db" "SELECT count(*) FROM source_files WHERE format = 'msg'")" 23 "23 Outlook .msg files detected by content"
is "$(q "$db" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NULL")" 18 "18 messages (notes, posts, tasks, appointments ...)"
is "$(q "$db" "SELECT count(*) FROM contacts")" 5 "5 contacts (IPM.Contact) are contact items"
is "$(q "$db" "SELECT count(*) FROM errors")" 0 "no errors"

top() { q "$db" "SELECT $2 FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND m.parent_attachment_id IS NULL"; }
pass=0 fail=0
check() { # check FILE SQL-EXPR WANT
	got=$(top "$1" "$2")
	is "$got" "$3" "$1: $2"
	if [ "$got" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
ct() { # ct FILE SQL-EXPR WANT, over the contact c of FILE
	got=$(q "$db" "SELECT $2 FROM contacts c JOIN source_files f ON f.id = c.source_file_id WHERE f.relpath = '$1'")
	is "$got" "$3" "$1: $2"
	if [ "$got" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
ct aspose__Contact.msg "item_class || ' ' || full_name" "IPM.Contact FirstName LastName"
ct aspose__Contact.msg "(SELECT group_concat(address) FROM contact_emails e WHERE e.contact_id = c.id)" "user@domain.com"
ct rubymsg__contact-unicode.msg "(SELECT group_concat(address) FROM contact_emails e WHERE e.contact_id = c.id)" "email@emailland.com"
ct rubymsg__Swetlana_Novikova.msg "given_name || ' ' || family_name || ' / ' || organization" "Swetlana Novikova / Scalabium Software"
ct tika__testMSG_Contact.msg "(SELECT group_concat(e.address) FROM contact_emails e WHERE e.contact_id = c.id) || ' ' || (SELECT count(*) FROM contact_phones p WHERE p.contact_id = c.id)" "quickbrown@gmail.com 4"
check rubymsg__note.msg item_class IPM.StickyNote
check tika__testMSG_StickyNote.msg item_class IPM.StickyNote
check tika__testMSG_Appointment.msg item_class IPM.Appointment
check tika__testMSG_Task.msg item_class IPM.Task
check tika__testMSG_Post.msg item_class IPM.Post
check tika__testMSG.msg "subject || ' / ' || from_address" "MIME registry use cases / jukka.zitting@gmail.com"
check tika__testMSG_chinese.msg "subject" "Alfresco MSG format testing ( MSG 格式測試 )"
check tika__testMSG_chinese.msg "body_html IS NOT NULL AND length(body_text) > 0" 1
check rubymsg__qwerty_1-orig.msg "body_html IS NOT NULL AND body_text LIKE '%Charles Lowe%'" 1
check tika__testMSG_att_doc.msg "subject" "test pièce jointe 1"
check tika__testMSG_att_doc.msg "(SELECT group_concat(filename, ', ') FROM (SELECT filename FROM attachments a WHERE a.message_id = m.id ORDER BY position))" "test-unicode.doc, pj1.txt"
check aspose__MsgWithAtt.msg "(SELECT group_concat(filename || ' ' || detected_type) FROM attachments a WHERE a.message_id = m.id)" "attachment_1.doc application/msword"
check aspose__Message2.msg "(SELECT group_concat(r.role || '=' || r.address, ' ') FROM (SELECT * FROM recipients r WHERE r.message_id = m.id ORDER BY r.id) r)" "from=sender@sender.com to=receiver1@receiver.com cc=receiver2@receiver.com bcc=receiver3@receiver.com"
check tika__testMSG_att_msg.msg "(SELECT e.subject || ' (' || a.container || ')' FROM attachments a JOIN messages e ON e.parent_attachment_id = a.id WHERE a.message_id = m.id)" "Test Attachment (msg)"
check aspose__WithEmbeddedMsg.msg "(SELECT e.subject FROM attachments a JOIN messages e ON e.parent_attachment_id = a.id WHERE a.message_id = m.id)" "creating an outlook message file"
check tika__testMSG_att_msg.msg "(SELECT group_concat(a.filename) FROM attachments a WHERE a.message_id = m.id AND a.filename LIKE '%.pdf')" "smbprn.00009008.KdcPjl.pdf"
echo "# .msg figures: $pass passed, $fail failed"

# the same files attached to a message
mkdir "$T/mail"
for f in "$D"/tika__testMSG.msg "$D"/tika__testMSG_att_msg.msg; do
	n=$(basename "$f")
	mail_with a@example.org b@example.org "fwd $n" application/vnd.ms-outlook "$f" >"$T/mail/$n.eml"
done
db2="$T/att.db"
ingest_ok ".msg files attached to mail" "$db2" "$T/mail"
is "$(q "$db2" "SELECT a.container || ' ' || e.subject FROM attachments a JOIN messages e ON e.parent_attachment_id = a.id WHERE a.filename = 'tika__testMSG.msg'")" \
	"msg MIME registry use cases" "an attached .msg is an embedded message"
is "$(q "$db2" "SELECT e2.subject FROM attachments a JOIN messages e ON e.parent_attachment_id = a.id JOIN attachments a2 ON a2.message_id = e.id JOIN messages e2 ON e2.parent_attachment_id = a2.id WHERE a.filename = 'tika__testMSG_att_msg.msg'")" \
	"Test Attachment" "... recursively: the .msg inside the attached .msg"
is "$(q "$db2" "SELECT count(*) FROM attachments a WHERE a.filename = 'tika__testMSG_att_msg.msg' AND a.parent_attachment_id IS NULL AND a.bytes = $(wc -c <"$D/tika__testMSG_att_msg.msg") AND a.sha256 = '$(sha256sum "$D/tika__testMSG_att_msg.msg" | cut -c1-64)'")" 1 \
	"the .msg itself stays an attachment row with its hash"

# .msg files inside a zip given as evidence: each is an item of the archive
if command -v python3 >/dev/null 2>&1; then
	(cd "$CORPUS" && python3 -m zipfile -c "$T/msgs.zip" msg/tika__testMSG.msg msg/tika__testMSG_att_msg.msg msg/rubymsg__note.msg)
	db3="$T/zip.db"
	run "$INGEST" -q "$db3" "$T/msgs.zip"
	is "$(q "$db3" "SELECT group_concat(m.item_class || ':' || m.subject, ' | ') FROM (SELECT * FROM messages m WHERE m.parent_attachment_id IS NULL ORDER BY m.ordinal) m")" \
		"IPM.Note:MIME registry use cases | IPM.Note:test email | IPM.StickyNote:note sample" \
		".msg members of a zip source are read as messages"
else
	_n=$((_n + 1)); echo "ok $_n # SKIP python3 absent"
fi
done_testing
