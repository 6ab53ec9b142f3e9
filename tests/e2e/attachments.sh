#!/bin/sh
# lka-attachments on generated evidence (lka-gen --triage): every planted kind
# of attachment gets exactly its flags, clean documents none; IOC matching;
# re-runs give the same rows; exports; extraction never writes outside its
# folder whatever the names in the evidence.
. "$(dirname "$0")/lib.sh"
ATT="$LKA_BUILD/tools/lka-attachments"

"$GEN" --triage "$T/ev" >/dev/null
run "$INGEST" -q "$T/c.db" "$T/ev/eml" "$T/ev/maildir"
db="$T/c.db"
# The zips whose message offers no password, or a wrong one, cannot be
# opened: ingest keeps them (members listed by name), records why, and exits
# 1; nothing else is wrong.
is "$rc" 1 "ingest of the triage evidence: exit 1 (encrypted zips it could not open)"
is "$(q "$db" "SELECT e.severity || '|' || e.kind || '|' || e.message || '|' || m.message_id
	FROM errors e JOIN messages m ON m.id = e.message_id ORDER BY m.message_id, e.message" | tr '\n' ' ')" \
	"warn|unsupported|attachment 2: encrypted members; the message offers no password|triage-11@gen.example \
warn|unsupported|attachment 2: encrypted members; no password offered by the message opens them|triage-12@gen.example " \
	"... its only errors are about the two zips no password of their message opens"
is "$(q "$db" "SELECT count(*) FROM errors WHERE message_id IS NULL")" 0 "... and none about a source"

run "$ATT" "$db" triage
is "$rc" 0 "triage runs"
LC_ALL=C sort "$T/ev/expected.tsv" >"$T/want"
# archive members and OOXML parts by their container path: "offre.docx/word/vbaProject.bin"
q "$db" "SELECT coalesce(container_path || '/' || member_path, filename) || char(9) || coalesce(flags, '')
	 FROM attachment_inventory" | LC_ALL=C sort >"$T/got"
cmp -s "$T/want" "$T/got"; ok $? "every planted attachment and member has exactly its flags; clean ones none"
diff "$T/want" "$T/got" | sed 's/^/# /'
reason() { q "$db" "SELECT reason FROM attachment_flags f JOIN attachments a ON a.id = f.attachment_id
	WHERE a.filename = '$1' AND f.flag = '$2'"; }
case "$(reason releves.zip encrypted)" in *"opened at ingest with the password 'Releve-2024' offered in the message") r=0 ;; *) r=1 ;; esac
ok $r "the encrypted zip: opened at ingest with the password in its message, which is named"
case "$(reason documents.zip encrypted)" in *"not opened: the message offers no password (tried at ingest)") r=0 ;; *) r=1 ;; esac
ok $r "the other encrypted zip: no password offered"
case "$(reason contrat.zip encrypted)" in *"not opened: the one password the message offers ('Contrat-2023') did not open it (tried at ingest)") r=0 ;; *) r=1 ;; esac
ok $r "a zip the message's password does not open: the password is named"
case "$(reason documents.zip contains-executable)" in "holds 1 executable or script file: 'avis.js'") r=0 ;; *) r=1 ;; esac
ok $r "contains-executable names the flagged member"
case "$(reason livraison.zip contains-executable)" in *"'bordereau.zip/bordereau.pdf'") r=0 ;; *) r=1 ;; esac
ok $r "... at any depth, by its path"
is "$(q "$db" "SELECT container_path || '|' || member_path FROM attachment_inventory WHERE filename = 'bordereau.pdf'")" \
	"livraison.zip/bordereau.zip|bordereau.pdf" "inventory: a member's containers and its path in the last one"
case "$(reason facture.pdf type-mismatch)" in *"executable"*".pdf"*"application/pdf"*) r=0 ;; *) r=1 ;; esac
ok $r "the PE behind a .pdf: the reason names content, extension and declared type"
case "$(reason avis-paiement.pdf type-mismatch)" in *"libmagic: text/plain"*) r=0 ;; *) r=1 ;; esac
ok $r "a text 'PDF': the content type comes from libmagic"
case "$(reason modele.docx external-template)" in *"http://203.0.113.7/gabarit.dotm"*) r=0 ;; *) r=1 ;; esac
ok $r "the external template's URL is in the reason"

q "$db" "SELECT attachment_id, flag, reason FROM attachment_flags ORDER BY 1, 2" >"$T/f1"
run "$ATT" "$db" triage
q "$db" "SELECT attachment_id, flag, reason FROM attachment_flags ORDER BY 1, 2" >"$T/f2"
cmp -s "$T/f1" "$T/f2"; ok $? "a second triage gives the same rows (replaced, not added)"
is "$(q "$db" "SELECT count(*) FROM ingest_runs WHERE tool = 'lka-attachments'")" 0 "triage does not pose as an ingest run"

# IOCs: a sender domain, a sender address, a file name, and a hash from the case.
cp "$T/ev/iocs.txt" "$T/iocs.txt"
q "$db" "SELECT sha256 FROM attachments WHERE filename = 'outil'" >>"$T/iocs.txt"
printf 'name:Facture.PDF   # names match without case\ndomain:Example # a domain matches its subdomains\n' >>"$T/iocs.txt"
run "$ATT" --ioc "$T/iocs.txt" "$db" triage
is "$rc" 0 "triage with an IOC list"
is "$(q "$db" "SELECT kind || ':' || count(*) FROM ioc_matches GROUP BY kind ORDER BY kind" | tr '\n' ' ')" \
	"address:2 domain:2 filename:2 sha256:1 " "IOC matches by kind"
is "$(q "$db" "SELECT group_concat(filename, ',') FROM (SELECT a.filename FROM attachment_flags f
	JOIN attachments a ON a.id = f.attachment_id WHERE f.flag = 'ioc' ORDER BY 1)")" \
	"avis.html,dossier.lnk,facture.pdf,facture.pdf.exe,outil" "attachments marked by IOCs"
is "$(q "$db" "SELECT group_concat(ioc, '|') FROM (SELECT ioc FROM ioc_matches WHERE kind = 'domain'
	AND attachment_id IS NULL AND message_id = (SELECT message_id FROM attachments WHERE filename = 'avis.html')
	ORDER BY ioc)")" "domain:Example|phish.example" \
	"the IOC sender domain, and its parent domain, mark the message"
printf 'address:not an address\n' >"$T/bad-ioc.txt"
run "$ATT" --ioc "$T/bad-ioc.txt" "$db" triage
is "$rc" 3 "an unusable IOC line stops the triage"
is "$(q "$db" "SELECT count(*) FROM ioc_matches")" 7 "... and leaves the previous results"

# Provenance: every run in triage_runs; the complete one describes the flags.
is "$(q "$db" "SELECT group_concat(outcome, ' ') FROM (SELECT outcome FROM triage_runs ORDER BY id)")" \
	"superseded superseded complete failed" "triage_runs: three runs, the last complete one current, the refused IOC list failed"
is "$(q "$db" "SELECT ioc_sha256 FROM triage_runs WHERE outcome = 'complete'")" \
	"$(sha256sum "$T/iocs.txt" | cut -c1-64)" "triage_runs: the IOC list's SHA-256 as read"
is "$(q "$db" "SELECT ioc_path = '$T/iocs.txt' AND args LIKE '%--ioc%triage%' AND tool_version <> ''
	AND finished_at >= started_at AND flags = (SELECT count(*) FROM attachment_flags)
	AND ioc_matches = 7 AND iocs > 0 FROM triage_runs WHERE outcome = 'complete'")" 1 \
	"triage_runs: IOC path, command line, version, times and counts of the current flags"
is "$(q "$db" "SELECT error LIKE '%not an address%' OR error LIKE '%line 1%' FROM triage_runs WHERE outcome = 'failed'")" 1 \
	"triage_runs: why the failed run failed"
run "$INFO" "$db"
ok $(grep -q "flags, computed .* with the IOC list $T/iocs.txt" "$T/out"; echo $?) "lka-info says when and with which IOC list the flags were computed"

# Exports.
run "$ATT" "$db"
is "$rc" 0 "inventory (default command)"
n_att=$(wc -l <"$T/ev/expected.tsv")
is "$(wc -l <"$T/out")" $((n_att + 1)) "CSV inventory: header and a row per attachment and member ($n_att)"
head -1 "$T/out" | grep -q '^attachment_id,message_id,parent_attachment_id,container_path,member_path,.*,flags,text_status$'; ok $? "CSV header"
run "$ATT" -f jsonl "$db" inventory
python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if len(rows)==int(sys.argv[2]) and all("sha256" in r for r in rows) else 1)' "$T/out" "$n_att"
ok $? "JSON Lines inventory: $n_att valid objects"
run "$ATT" --flag macro -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | wc -l)" 2 "inventory --flag macro selects the two macro documents"
run "$ATT" --type pdf -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | wc -l)" "$(q "$db" "SELECT count(*) FROM attachments WHERE lower(filename) LIKE '%.pdf'")" "--type pdf selects by extension"
run "$ATT" --type 'image/*' -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | wc -l)" "$(q "$db" "SELECT count(*) FROM attachments WHERE declared_type LIKE 'image/%' OR detected_type LIKE 'image/%'")" "--type image/* selects by MIME type"
h=$(q "$db" "SELECT sha256 FROM attachments WHERE filename = 'outil'")
m=$(q "$db" "SELECT message_id FROM attachments WHERE filename = 'budget.csv'")
run "$ATT" --sha256 "$h" --message "$m" -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | wc -l)" 0 "different selections must all match"
run "$ATT" --sha256 "$h" --sha256 "$(q "$db" "SELECT sha256 FROM attachments WHERE filename = 'budget.csv'")" -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | wc -l)" 2 "values of one selection add up"
run "$ATT" --message "$m" -f csv "$db" inventory
is "$(tail -n +2 "$T/out" | cut -d, -f9)" budget.csv "--message selects a message's attachments"
run "$ATT" "$db" hashes
is "$(wc -l <"$T/out")" "$(q "$db" "SELECT count(*) FROM (SELECT DISTINCT sha256, filename FROM attachments a
	WHERE NOT (a.encrypted AND a.parent_attachment_id IS NOT NULL AND (SELECT p.password FROM attachments p WHERE p.id = a.parent_attachment_id) IS NULL))")" \
	"hashes: one line per distinct hash and name"
grep -q ' avis\.js$\| contrat\.pdf$' "$T/out"; ok $((! $?)) "... but none for the locked members of the zips no password opened (not their content's hash)"
is "$(q "$db" "SELECT group_concat(filename, ',') FROM (SELECT filename FROM attachment_inventory WHERE locked ORDER BY 1)")" \
	"avis.js,contrat.pdf" "inventory: those members are marked locked"
grep -qv '^[0-9a-f]\{64\}  ' "$T/out"; ok $((! $?)) "hashes: every line starts with a SHA-256 and two spaces"
run "$ATT" --internal-domain mairie-exemple.fr "$db" summary
is "$rc" 0 "summary"
grep -q '^Found only in Sent folders' "$T/out"; ok $? "summary lists its sections"
run "$ATT" --internal-domain mairie-exemple.fr -f csv "$db" summary
is "$(grep '^sent_only,' "$T/out" | cut -d, -f2 | tr '\n' ' ')" "devis-envoye.pdf " "Sent-only: the quote, not the PDF also received"
is "$(grep '^external,' "$T/out" | cut -d, -f2 | sort | tr '\n' ' ')" "compte-rendu.pdf devis-envoye.pdf " \
	"sent to external domains: what the organisation sent out"
is "$(grep -c '^by_type,' "$T/out")" "$(q "$db" "SELECT count(DISTINCT coalesce(detected_type, 'unknown')) FROM attachment_inventory
	WHERE NOT package_part AND NOT locked")" "one by_type row per detected type"
grep -q '^by_type,text/xml,' "$T/out"; ok $((! $?)) "... the parts of OOXML documents are not counted (no text/xml)"
grep -q '^by_extension,txt,1,1,20,$' "$T/out"; ok $? "... archive members are (lisez-moi.txt)"

# Text extraction status: lka-scan fills attachment_text; the inventory shows it.
cp "$db" "$T/c2.db"
run "$ATT" -f jsonl "$T/c2.db" inventory
python3 -c 'import json,sys; r=[x for x in map(json.loads, open(sys.argv[1])) if x["filename"] == "budget.csv"]; sys.exit(0 if r and all(x["text_status"] is None for x in r) else 1)' "$T/out"
ok $? "inventory: no text status before lka-scan"
run "$LKA_BUILD/tools/lka-scan" -q "$T/c2.db"
is "$rc" 0 "lka-scan extracts the attachments' text"
run "$ATT" -f jsonl "$T/c2.db" inventory
python3 -c 'import json,sys; r={x["filename"]: x["text_status"] for x in map(json.loads, open(sys.argv[1]))}; sys.exit(0 if r["budget.csv"]=="ok" and r["compte-rendu.pdf"]=="ok" else 1)' "$T/out"
ok $? "inventory shows the text extraction status after lka-scan"
is "$(python3 -c 'import json,sys; print(sum(1 for x in map(json.loads, open(sys.argv[1])) if x["text_status"] is not None))' "$T/out")" \
	"$(q "$T/c2.db" "SELECT count(*) FROM attachments a JOIN attachment_text t ON t.sha256 = a.sha256")" \
	"... for every attachment attachment_text has"

# An archive ingest did not open (here: its members and ingest's outcome
# removed): the triage tries the body's passwords itself.
q "$T/c2.db" "DELETE FROM attachments WHERE parent_attachment_id = (SELECT id FROM attachments WHERE filename = 'releves.zip');
	UPDATE attachments SET container = NULL, password = NULL WHERE filename = 'releves.zip'"
run "$ATT" "$T/c2.db" triage
is "$rc" 0 "triage of a case with an archive ingest did not open"
case "$(q "$T/c2.db" "SELECT reason FROM attachment_flags f JOIN attachments a ON a.id = f.attachment_id
	WHERE a.filename = 'releves.zip' AND flag = 'encrypted'")" in *"opened with a password from the message body ('Releve-2024')") r=0 ;; *) r=1 ;; esac
ok $r "... opens it with the password from the message body"

# Extraction by flag: files and manifest agree with the case.
run "$ATT" --flag executable --to "$T/x1" "$db" extract
is "$rc" 0 "extract --flag executable"
is "$(ls "$T/x1" | grep -vc "^manifest.tsv$")" 2 "two distinct executables written (the PE once, the ELF)"
is "$(tail -n +2 "$T/x1/manifest.tsv" | wc -l)" 5 "... for five attachments (four PEs, one of them in a zip in a zip, and the ELF)"
tail -n +2 "$T/x1/manifest.tsv" | awk -F'\t' '$7 == "ok" { print $1 "  " $6 }' | sort -u >"$T/sums"
is "$(awk -F'\t' '$5 == "facture.pdf" { print $8 "|" $10 }' "$T/x1/manifest.tsv")" \
	"triage-01@gen.example|factures@fournisseur-exemple.com" "the manifest names the origin message"
(cd "$T/x1" && sha256sum -c --quiet "$T/sums" >/dev/null 2>&1); ok $? "every written file hashes to its manifest entry"

# A locked member: no file written, said in the manifest and on stderr, exit 1.
run "$ATT" --flag script --to "$T/x2" "$db" extract
is "$rc" 1 "extract of a locked member: exit 1"
is "$(awk -F'\t' '$5 == "avis.js" { print $6 "|" $7 }' "$T/x2/manifest.tsv")" "|locked" "... no file, manifest status locked"
grep -q 'encrypted archive member no password opened' "$T/err"; ok $? "... and says why"

# Hostile names: nothing may land outside the folder.
run "$INGEST" -q "$T/n.db" "$T/ev/names"
mkdir -p "$T/dest/x"
echo sentinel >"$T/dest/outside"
ln -s "$T/dest/outside" "$T/dest/x/passwd"         # a trap: a link named like an attachment
ln -s "$T/dest/outside" "$T/dest/x/bulletinfdp.exe"
find "$T" -path "$T/dest/x" -prune -o -print | sort >"$T/before"
run "$ATT" --all --to "$T/dest/x" "$T/n.db" extract
is "$rc" 0 "extract --all of hostile names"
find "$T" -path "$T/dest/x" -prune -o -print | sort >"$T/after"
# (the tool's stdout/stderr files, the listing itself and SQLite's WAL files of the case aside)
skip_re="^$T/\\(out\\|err\\|after\\|before\\|n\\.db-wal\\|n\\.db-shm\\)$"
grep -v "$skip_re" "$T/after" >"$T/after2"; grep -v "$skip_re" "$T/before" >"$T/before2"
cmp -s "$T/before2" "$T/after2"; ok $? "nothing written outside the target folder"
diff "$T/before2" "$T/after2" | sed 's/^/# /' | head
is "$(cat "$T/dest/outside")" sentinel "a symbolic link in the folder was not followed"
is "$(find "$T/dest/x" -mindepth 1 -type d | wc -l)" 0 "no sub-folders created"
is "$(find "$T/dest/x" -mindepth 1 ! -type f ! -type l | wc -l)" 0 "only regular files"
is "$(find "$T/dest/x" -mindepth 1 -type l | wc -l)" 2 "the two planted links are untouched"
ls "$T/dest/x" | grep -q '^\.'; ok $((! $?)) "no hidden or dot names"
ls "$T/dest/x" | LC_ALL=C grep -q "$(printf '[\001-\037\177]')"; ok $((! $?)) "no control characters in names"
ls "$T/dest/x" | grep -q "$(printf '\342\200\256')"; ok $((! $?)) "no bidi override in names"
ls "$T/dest/x" | grep -qix 'con\|nul.txt\|com1.pdf'; ok $((! $?)) "device names are not used as they are"
ls "$T/dest/x" | grep -qx '_CON'; ok $? "... CON became _CON"
ok $([ "$(ls "$T/dest/x" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 200 ]; echo $?) \
	"names are at most 200 bytes"
is "$(tail -n +2 "$T/dest/x/manifest.tsv" | wc -l)" "$(q "$T/n.db" "SELECT count(*) FROM attachments")" \
	"the manifest lists every attachment"
tail -n +2 "$T/dest/x/manifest.tsv" | awk -F'\t' '$7 == "ok" { print $1 "  " $6 }' | sort -u >"$T/sums2"
(cd "$T/dest/x" && sha256sum -c --quiet "$T/sums2" >/dev/null 2>&1); ok $? "every written file hashes to its manifest entry"
ls "$T/dest/x" | grep -qx 'passwd (2)'; ok $? "a name taken by a link gets another name"
ls "$T/dest/x" | grep -qx 'manifest (2).tsv'; ok $? "an attachment named manifest.tsv does not replace the manifest"
cp -r "$T/dest/x" "$T/x-copy"
run "$ATT" --all --to "$T/dest/x" "$T/n.db" extract
is "$rc" 0 "a second extraction into the same folder"
( cd "$T/x-copy" && for f in *; do [ -L "$f" ] || cmp -s "$f" "$T/dest/x/$f" || echo "$f"; done ) >"$T/changed"
is "$(wc -l <"$T/changed")" 0 "... replaces no file"
ln -s "$T/dest/x" "$T/link-to-x"
run "$ATT" --all --to "$T/link-to-x" "$T/n.db" extract
is "$rc" 3 "a target folder that is a symbolic link is refused"

# The ordinary generated evidence (Office documents, PDFs, images, CSV,
# vCards, forwarded mail) raises no flag.
gen "$T/plain" --seed 5 --messages 160
run "$INGEST" -q "$T/plain.db" "$T/plain/maildir" "$T/plain/mbox" "$T/plain/eml"
run "$ATT" "$T/plain.db" triage
is "$rc" 0 "triage of the ordinary generated evidence"
is "$(q "$T/plain.db" "SELECT count(*) FROM attachment_flags")" 0 "... raises no flag on its $(q "$T/plain.db" "SELECT count(*) FROM attachments") attachments"

# Damaged stored content: counted, reported, the name checks still made.
cp "$db" "$T/d.db"
q "$T/d.db" "UPDATE blobs SET data = zeroblob(10), stored_bytes = 10, compression = 'none', chunks = 0
	WHERE sha256 = (SELECT sha256 FROM attachments WHERE filename = 'convention.doc');
	DELETE FROM blob_chunks WHERE sha256 NOT IN (SELECT sha256 FROM blobs WHERE chunks > 0)"
run "$ATT" "$T/d.db" triage
is "$rc" 1 "triage with a damaged stored content: exit 1"
grep -q '1 stored content could not be read back' "$T/out"; ok $? "... and says so"
is "$(q "$T/d.db" "SELECT count(*) FROM attachment_flags f JOIN attachments a ON a.id = f.attachment_id WHERE a.filename = 'convention.doc'")" 0 \
	"... its content flags are not guessed"
is "$(q "$T/d.db" "SELECT count(*) FROM attachment_flags f JOIN attachments a ON a.id = f.attachment_id WHERE a.filename = 'facture.pdf.exe'")" 2 \
	"... the others are flagged as before"

# Usage.
run "$ATT" --bogus "$db"; is "$rc" 2 "unknown option: exit 2"
run "$ATT"; is "$rc" 2 "no case: exit 2"
run "$ATT" "$db" extract --to "$T/x3"; is "$rc" 2 "extract without a selection: exit 2"
run "$ATT" --help; is "$rc" 0 "--help"
done_testing
