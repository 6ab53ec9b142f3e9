#!/bin/sh
# End to end: address books inside containers.  A zip given as a source
# holding a vCard and an LDIF file; a message with a zip attachment holding
# a contacts CSV; a message embedding a message that carries a vCard; a
# winmail.dat carrying a vCard.  Every entry must land in contacts tied to
# its archive folder, or to its message and the attachments row of the
# member or nested attachment, and the people must be listed by lka-notify
# with exposure address_book.
. "$(dirname "$0")/lib.sh"
NOTIFY="$LKA_BUILD/tools/lka-notify"
command -v python3 >/dev/null || skip_all "python3 is needed to build the fixtures"

mkdir -p "$T/ev" "$T/mail"
python3 - "$T" <<'PY' || exit 1
import base64, io, sys, zipfile
t = sys.argv[1]
def card(fn, mail):
    return "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:%s\r\nEMAIL;TYPE=work:%s\r\nEND:VCARD\r\n" % (fn, mail)
vcf = card("Alice Zipvcard", "alice.zipvcard@partner.example") + \
      card("Bob Zipvcard", "bob.zipvcard@partner.example") + \
      card("Poison Card", "poison@partner.example").replace("FN:", "NOTE:LKA-POISON\r\nFN:")
ldif = ("dn: cn=Carol Zipldif,mail=carol.zipldif@partner.example\n"
        "objectclass: top\nobjectclass: person\nobjectclass: inetOrgPerson\n"
        "cn: Carol Zipldif\nmail: carol.zipldif@partner.example\n\n")
with zipfile.ZipFile(t + "/ev/books.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("export/friends.vcf", vcf)
    z.writestr("ldap/people.ldif", ldif)
    z.writestr("readme.txt", "not an address book\n")
csv = ("First Name,Last Name,E-mail Address\r\n"
       "Dave,Zipcsv,dave.zipcsv@partner.example\r\n"
       "Erin,Zipcsv,erin.zipcsv@partner.example\r\n")
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("backup/contacts.csv", csv)
zb = base64.encodebytes(b.getvalue()).decode()
open(t + "/mail/zip.eml", "w", newline="\n").write(
    "From: Mallory <mallory@evil.example>\nTo: victim@mairie-exemple.fr\n"
    "Subject: zipped contacts\nMessage-ID: <zip@test>\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
    "--B\nContent-Type: text/plain\n\nsee attached\n"
    "--B\nContent-Type: application/zip; name=contacts.zip\n"
    "Content-Disposition: attachment; filename=contacts.zip\nContent-Transfer-Encoding: base64\n\n"
    + zb + "--B--\n")
vb = base64.encodebytes(card("Frank Embedded", "frank.embedded@partner.example").encode()).decode()
open(t + "/mail/embedded.eml", "w", newline="\n").write(
    "From: Mallory <mallory@evil.example>\nTo: victim@mairie-exemple.fr\n"
    "Subject: Fwd: card\nMessage-ID: <outer@test>\nDate: Mon, 2 Mar 2026 11:00:00 +0000\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=O\n\n"
    "--O\nContent-Type: text/plain\n\nforwarded\n"
    "--O\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n"
    "From: Someone <someone@partner.example>\nTo: mallory@evil.example\nSubject: card\n"
    "Message-ID: <inner@test>\nDate: Sun, 1 Mar 2026 09:00:00 +0000\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=I\n\n"
    "--I\nContent-Type: text/plain\n\nmy card\n"
    "--I\nContent-Type: text/vcard; name=frank.vcf\n"
    "Content-Disposition: attachment; filename=frank.vcf\nContent-Transfer-Encoding: base64\n\n"
    + vb + "--I--\n\n--O--\n")
# A winmail.dat (MS-OXTNEF: signature, key, attributes with checksums) whose
# one attachment is a vCard.
import struct
def attr(level, aid, data):
    return struct.pack("<BII", level, aid, len(data)) + data + struct.pack("<H", sum(data) & 0xffff)
tn = struct.pack("<IH", 0x223E9F78, 0x0101)
tn += attr(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
tn += attr(1, 0x00078008, b"IPM.Note\0")                 # attMessageClass
tn += attr(2, 0x00069002, b"\0" * 14)                    # attAttachRenddata
tn += attr(2, 0x00018010, b"grace.vcf\0")                # attAttachTitle
tn += attr(2, 0x0006800F, card("Grace Tnef", "grace.tnef@partner.example").encode())  # attAttachData
open(t + "/mail/tnef.eml", "w", newline="\n").write(
    "From: Mallory <mallory@evil.example>\nTo: victim@mairie-exemple.fr\n"
    "Subject: winmail\nMessage-ID: <tnef@test>\nDate: Mon, 2 Mar 2026 12:00:00 +0000\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
    "--B\nContent-Type: text/plain\n\nsee attached\n"
    "--B\nContent-Type: application/ms-tnef; name=winmail.dat\n"
    "Content-Disposition: attachment; filename=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
    + base64.encodebytes(tn).decode() + "--B--\n")
PY
ok $? "fixtures built"

# 1. A zip source: each book member's entries in a folder of its own, named
# after the member (two books of one archive folder stay two books).
run "$INGEST" -q "$T/c.db" "$T/ev/books.zip" "$T/mail"
is "$rc" 0 "ingest of the zip source and the messages is clean"
is "$(q "$T/c.db" "SELECT group_concat(x, '|') FROM (SELECT c.full_name || '@' || fo.path || ':' ||
	(c.message_id IS NULL) || (c.attachment_id IS NULL) AS x FROM contacts c
	JOIN source_files f ON f.id = c.source_file_id JOIN folders fo ON fo.id = c.folder_id
	WHERE f.relpath LIKE '%books.zip' ORDER BY c.ordinal)")" \
	"Alice Zipvcard@export/friends.vcf:11|Bob Zipvcard@export/friends.vcf:11|Poison Card@export/friends.vcf:11|Carol Zipldif@ldap/people.ldif:11" \
	"zip source: vCard and LDIF entries, in archive order, each in its member's own folder"
is "$(q "$T/c.db" "SELECT count(DISTINCT ordinal) FROM contacts c JOIN source_files f ON f.id = c.source_file_id
	WHERE f.relpath LIKE '%books.zip'")" 4 "zip source: one ordinal per entry"

# 2. A zip attached to a message: the CSV member's entries tied to the member's row.
is "$(q "$T/c.db" "SELECT group_concat(x, '|') FROM (SELECT c.full_name || ':' || a.filename || ':' ||
	p.filename || ':' || m.subject AS x FROM contacts c JOIN attachments a ON a.id = c.attachment_id
	JOIN attachments p ON p.id = a.parent_attachment_id JOIN messages m ON m.id = c.message_id
	WHERE m.message_id = 'zip@test' ORDER BY c.id)")" \
	"Dave Zipcsv:contacts.csv:contacts.zip:zipped contacts|Erin Zipcsv:contacts.csv:contacts.zip:zipped contacts" \
	"zip attachment: CSV member entries tied to the message and to the member's attachments row"

# 3. An embedded message carrying a vCard: tied to the embedded message and its attachment.
is "$(q "$T/c.db" "SELECT c.full_name || ':' || a.filename || ':' || m.message_id || ':' ||
	(m.parent_attachment_id IS NOT NULL) FROM contacts c JOIN attachments a ON a.id = c.attachment_id
	JOIN messages m ON m.id = c.message_id WHERE c.full_name = 'Frank Embedded'")" \
	"Frank Embedded:frank.vcf:inner@test:1" "embedded message: vCard entry tied to the inner message and its attachment"
# 4. A winmail.dat: the vCard among its attachments, a member of the TNEF row.
is "$(q "$T/c.db" "SELECT c.full_name || ':' || a.filename || ':' || p.filename || ':' || p.container || ':' ||
	m.message_id FROM contacts c JOIN attachments a ON a.id = c.attachment_id
	JOIN attachments p ON p.id = a.parent_attachment_id JOIN messages m ON m.id = c.message_id
	WHERE c.full_name = 'Grace Tnef'")" \
	"Grace Tnef:grace.vcf:winmail.dat:tnef:tnef@test" "TNEF attachment: vCard entry tied to the TNEF member row"
is "$(q "$T/c.db" "SELECT count(*) FROM contacts c LEFT JOIN attachments a ON a.id = c.attachment_id
	WHERE c.message_id IS NOT NULL AND (c.attachment_id IS NULL OR a.message_id IS NOT c.message_id)")" 0 \
	"every attached entry names its message and attachment"

run "$VERIFY" "$T/c.db"
is "$rc" 0 "lka-verify: consistent"

# The people: each one listed with exposure address_book.
run "$NOTIFY" -I mairie-exemple.fr -e address_book -f jsonl "$T/c.db"
is "$rc" 0 "lka-notify runs"
python3 - "$T/out" >"$T/people" <<'PY'
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(l)
    if "address_book" in (p.get("exposure") or ""):
        print(p.get("contact") or p.get("key"))
PY
for who in alice.zipvcard bob.zipvcard carol.zipldif dave.zipcsv erin.zipcsv frank.embedded \
	grace.tnef; do
	grep -q "^$who@partner.example$" "$T/people"; ok $? "lka-notify lists $who with exposure address_book"
done

# Crash isolation inside a zip member: only the poisoned card is lost, and
# the entries after it keep their ordinals.
rc=0
LKA_FAULT="crash:LKA-POISON" $WRAP "$INGEST" -q "$T/crash.db" "$T/ev/books.zip" >/dev/null 2>&1 || rc=$?
is "$rc" 1 "crash on a card in a zip member: ingest finishes with exit 1"
is "$(q "$T/crash.db" "SELECT group_concat(full_name || '=' || ordinal, '|') FROM (SELECT * FROM contacts ORDER BY ordinal)")" \
	"Alice Zipvcard=0|Bob Zipvcard=1|Carol Zipldif=3" "crash on a card in a zip member: exactly that card is missing"
is "$(q "$T/crash.db" "SELECT count(*) FROM errors WHERE kind = 'crash'")" 1 "crash on a card in a zip member: recorded once"
done_testing
