#!/bin/sh
# Bad input is normal input: every odd file gives a recorded error or flag,
# never a crash, and ingest goes on with the rest.
. "$(dirname "$0")/lib.sh"

e="$T/ev"
mkdir -p "$e/md/cur" "$e/md/new" "$e/md/tmp" "$e/loose"
: >"$e/loose/empty.eml"
head -c 5000 /dev/urandom >"$e/loose/random.bin"
printf 'From: a@b.fr\nSubject: \377\376 bad utf-8 \351t\351\nTo: "Jos\351" <jose@b.fr>, broken@@example..com\n\n\377\376body\n' >"$e/loose/badutf8.eml"
{ printf 'From: a@b.fr\nSubject: deep\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n'
  i=0; while [ $i -lt 60 ]; do printf -- '--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n' $i $((i + 1)); i=$((i + 1)); done
  printf -- '--b60\nContent-Type: text/plain\n\nleaf\n'; } >"$e/loose/deep.eml"
{ printf 'From: a@b.fr\nX-Long: '; head -c 3000000 /dev/zero | tr '\0' 'x'; printf '\nSubject: long header\n\nbody\n'; } >"$e/loose/longheader.eml"
printf 'From: a@b.fr\nSubject: trunc\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQKJ' >"$e/loose/truncated.eml"
printf 'From a@b Mon Jan  1 10:00:00 2024\nFrom: a@b.fr\nSubject: cut mbox\n\nbody without end' >"$e/loose/cut.mbox"
printf 'garbage before\n\nFrom a@b Mon Jan  1 10:00:00 2024\nSubject: after garbage\n\nx\n' >"$e/loose/garbage.mbox"
printf '99999\nFrom: a@b.fr\nSubject: emlx lies about its length\n\nx\n' >"$e/loose/lying.emlx"
ln -s /etc/passwd "$e/loose/link-to-passwd.eml"
ln -s loop "$e/loose/loop"
mkfifo "$e/loose/fifo.eml"
printf 'From: a@b.fr\nSubject: fine\nMessage-ID: <fine@x>\n\nok\n' >"$e/md/cur/1.M1P1.h:2,S"
printf 'From: a@b.fr\nSubject: half-written\n' >"$e/md/tmp/2.M2P2.h"

run "$INGEST" -q "$T/c.db" "$e"
is "$rc" 1 "hostile evidence: ingest finishes with exit 1 (errors recorded)"
is "$(q "$T/c.db" "SELECT count(*) FROM errors WHERE kind = 'crash'")" 0 "no reader crashed"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'fine'")" 1 "the healthy message is ingested"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'half-written'")" 0 "maildir tmp/ is not delivered mail"
is "$(q "$T/c.db" "SELECT role FROM source_files WHERE relpath = 'md/tmp/2.M2P2.h'")" "maildir-tmp" "tmp/ file recorded with its role"
is "$(q "$T/c.db" "SELECT role FROM source_files WHERE relpath = 'loose/link-to-passwd.eml'")" "special" "symlink recorded, not followed"
is "$(q "$T/c.db" "SELECT role FROM source_files WHERE relpath = 'loose/fifo.eml'")" "special" "fifo recorded, not read"
is "$(q "$T/c.db" "SELECT role FROM source_files WHERE relpath = 'loose/random.bin'")" "ignored" "binary file recorded as ignored"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject LIKE '%bad utf-8%'")" 1 "invalid UTF-8 message kept"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject IS NOT NULL AND CAST(subject AS BLOB) <> CAST(CAST(CAST(subject AS BLOB) AS TEXT) AS BLOB)")" 0 "stored text round-trips"
is "$(q "$T/c.db" "SELECT count(*) FROM recipients WHERE raw LIKE '%broken@@example..com%'")" 1 "unparsable address kept raw"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'deep'")" 1 "deeply nested message kept"
ok $([ "$(q "$T/c.db" "SELECT count(*) FROM errors WHERE kind = 'limit'")" -ge 1 ]; echo $?) "a limit was recorded"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'long header'")" 1 "message with a 3 MB header kept"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'trunc'")" 1 "truncated message kept"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'cut mbox'")" 1 "mbox without final newline read"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject = 'after garbage'")" 1 "mbox with leading garbage read"
is "$(q "$T/c.db" "SELECT count(*) FROM messages WHERE subject LIKE 'emlx lies%'")" 1 "emlx with a lying length read"
is "$(q "$T/c.db" "PRAGMA integrity_check")" "ok" "case intact"
q "$T/c.db" "SELECT '# ' || severity || ' ' || kind || ' ' || coalesce(location, '') || ': ' || message FROM errors ORDER BY id" | head -40
done_testing
