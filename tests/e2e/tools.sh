#!/bin/sh
# Every tool: --help on stdout with exit 0, a bad option or missing argument
# gives exit 2, bad input a one-line error naming the file with exit 3.
. "$(dirname "$0")/lib.sh"

for t in "$INGEST" "$VERIFY" "$INFO"; do
	name=$(basename "$t")
	run "$t" --help
	is "$rc" 0 "$name --help exits 0"
	grep -q '^Usage: ' "$T/out"; ok $? "$name --help prints Usage on stdout"
	is "$(wc -c <"$T/err")" 0 "$name --help prints nothing on stderr"
	run "$t" --bogus
	is "$rc" 2 "$name --bogus exits 2"
	grep -q "$name" "$T/err"; ok $? "$name --bogus names itself on stderr"
	run "$t"
	is "$rc" 2 "$name without arguments exits 2"
	run "$t" --version
	is "$rc" 0 "$name --version exits 0"
done

# A case that is not a database.
echo "not a database at all, just text" >"$T/notdb.db"
for t in "$VERIFY" "$INFO"; do
	name=$(basename "$t")
	run "$t" "$T/notdb.db"
	is "$rc" 3 "$name on a non-database exits 3"
	is "$(wc -l <"$T/err")" 1 "$name: the error is one line"
	grep -q "notdb.db" "$T/err"; ok $? "$name: the error names the file"
	run "$t" "$T/absent.db"
	is "$rc" 3 "$name on a missing case exits 3"
done
mkdir -p "$T/ev"
printf 'From: a@b.fr\nSubject: x\n\nbody\n' >"$T/ev/one.eml"
run "$INGEST" -q "$T/notdb.db" "$T/ev"
is "$rc" 3 "lka-ingest into a non-database exits 3"
grep -q "notdb.db" "$T/err"; ok $? "lka-ingest names the bad case file"
cmp -s "$T/notdb.db" /dev/stdin <<EOF2
not a database at all, just text
EOF2
ok $? "lka-ingest left the non-database file untouched"

# A missing source is reported by name; the others are still read.
run "$INGEST" -q "$T/c.db" "$T/ev" "$T/does-not-exist"
is "$rc" 1 "a missing source gives exit 1"
grep -q "does-not-exist" "$T/err"; ok $? "the missing source is named"
is "$(q "$T/c.db" 'SELECT count(*) FROM messages')" 1 "the other source was still ingested"
is "$(q "$T/c.db" "SELECT severity || ' ' || kind FROM errors WHERE source_id IS NULL AND location LIKE '%does-not-exist'")" \
	"fatal io" "the missing source is recorded in the errors table"
run "$INGEST" -q "$T/twice.db" "$T/ev" "$T/ev/" "$T/ev/../ev"
is "$rc" 0 "the same source named three ways: exit 0"
is "$(q "$T/twice.db" 'SELECT count(*) FROM messages')" 1 "the same source named three ways is read once"
# A case inside its own evidence is refused: it would change the evidence.
mkdir -p "$T/ev2"
cp "$T/ev/one.eml" "$T/ev2/"
run "$INGEST" -q "$T/ev2/inside.db" "$T/ev2"
is "$rc" 1 "a case inside its source: exit 1"
grep -q "case database is inside this source" "$T/err"; ok $? "and it says why"
is "$(q "$T/ev2/inside.db" 'SELECT count(*) FROM messages')" 0 "and reads nothing from it"
run "$INGEST" -j 0 "$T/c.db" "$T/ev"
is "$rc" 2 "--jobs 0 is a usage error"
done_testing
