#!/bin/sh
# lka-verify says plainly what matches, what changed and what is missing,
# and never modifies the case.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/ev/md/cur" "$T/ev/md/new" "$T/ev/md/tmp"
for i in 1 2 3; do
	printf 'From: a%s@example.org\nSubject: s%s\nMessage-ID: <v%s@x>\n\nbody %s\n' "$i" "$i" "$i" "$i" \
		>"$T/ev/md/cur/17000000$i.M1P1.h:2,S"
done
printf 'From x@y Mon Jan  1 10:00:00 2024\nFrom: x@y\nSubject: m\n\nb\n' >"$T/ev/one.mbox"
run "$INGEST" -q "$T/c.db" "$T/ev/md" "$T/ev/one.mbox"
is "$rc" 0 "ingest exits 0"
sum_before=$(sha256sum "$T/c.db" | cut -d' ' -f1)

run "$VERIFY" "$T/c.db"
is "$rc" 0 "unchanged evidence verifies (exit 0)"
grep -q "2 match, 0 changed, 0 missing" "$T/out"; ok $? "both sources match"
grep -q "integrity ok, consistency ok" "$T/out"; ok $? "database integrity and consistency ok"

# the folder source's recorded hash is the documented coreutils recipe
want=$(cd "$T/ev/md" && find . -type f | cut -c3- | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
is "$(q "$T/c.db" "SELECT sha256 FROM sources WHERE kind = 'maildir'")" "$want" \
	"folder hash equals: find | sort | sha256sum manifest | sha256sum"
is "$(q "$T/c.db" "SELECT sha256 FROM sources WHERE kind = 'mbox'")" "$(sha256sum "$T/ev/one.mbox" | cut -d' ' -f1)" \
	"file hash equals sha256sum"

echo "tampered" >>"$T/ev/md/cur/170000002.M1P1.h:2,S"
rm "$T/ev/md/cur/170000003.M1P1.h:2,S"
echo "new" >"$T/ev/md/new/170000009.M1P1.h"
mv "$T/ev/one.mbox" "$T/ev/moved.mbox"
run "$VERIFY" "$T/c.db"
is "$rc" 1 "changed evidence gives exit 1"
grep -q "^changed.*170000002" "$T/out"; ok $? "the modified file is reported changed"
grep -q "^missing.*170000003" "$T/out"; ok $? "the deleted file is reported missing"
grep -q "^added.*170000009" "$T/out"; ok $? "the new file is reported added"
grep -q "^missing.*one.mbox" "$T/out"; ok $? "the moved mbox is reported missing"
grep -q "PROBLEMS FOUND" "$T/out"; ok $? "the verdict says so"
is "$(sha256sum "$T/c.db" | cut -d' ' -f1)" "$sum_before" "lka-verify did not modify the case"

# Ingest refuses to mix changed evidence into a recorded source.
cp "$T/c.db" "$T/e.db"
run "$INGEST" -q "$T/e.db" "$T/ev/md"
is "$rc" 1 "ingest of a changed source exits 1"
grep -q "evidence changed" "$T/err"; ok $? "and says the evidence changed"
is "$(q "$T/e.db" "SELECT severity || ' ' || kind FROM errors WHERE kind = 'changed'")" "fatal changed" \
	"the refusal is recorded in the errors table"
is "$(q "$T/e.db" "SELECT count(*) FROM messages")" 4 "nothing was added from the changed evidence"

# A damaged database is reported.
cp "$T/c.db" "$T/d.db"
q "$T/d.db" "PRAGMA foreign_keys = OFF; DELETE FROM sources WHERE kind = 'mbox';" 2>/dev/null
run "$VERIFY" -q "$T/d.db"
is "$rc" 1 "an inconsistent case gives exit 1"
grep -q "consistency FAILED" "$T/out"; ok $? "and its consistency is reported failed"
done_testing
