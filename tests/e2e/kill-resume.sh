#!/bin/sh
# Killing lka-ingest at any moment leaves a consistent case; running it again
# completes the work, and the result equals an uninterrupted run.
. "$(dirname "$0")/lib.sh"

gen "$T/ev" --seed 11 --messages 400
gen "$T/big" --seed 12 --maildir-only --messages 4000
set -- "$T/ev/maildir" "$T/ev/mbox" "$T/ev/eml" "$T/big/maildir"

run "$INGEST" -q -j 2 "$T/ref.db" "$@"
ok $([ "$rc" -le 1 ]; echo $?) "uninterrupted run finishes (exit $rc)"
dump "$T/ref.db" >"$T/ref.txt"
total=$(q "$T/ref.db" 'SELECT count(*) FROM messages')
ok $([ "$total" -gt 4000 ]; echo $?) "reference run holds $total messages"

for delay in 0.05 0.3 0.8 1.5; do
	db="$T/k$delay.db"
	"$INGEST" -q -j 2 "$db" "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sleep 0.1
	if [ -f "$db" ]; then
		is "$(q "$db" 'PRAGMA integrity_check')" "ok" "killed after ${delay}s: database intact"
		partial=$(q "$db" 'SELECT count(*) FROM messages')
	else
		partial=0
	fi
	echo "# killed after ${delay}s with $partial messages committed"
	run "$INGEST" -q -j 2 "$db" "$@"
	ok $([ "$rc" -le 1 ]; echo $?) "re-run after kill at ${delay}s finishes (exit $rc)"
	dump "$db" >"$T/k.txt"
	if cmp -s "$T/ref.txt" "$T/k.txt"; then ok 0 "re-run after kill at ${delay}s equals the uninterrupted run"
	else ok 1 "re-run after kill at ${delay}s equals the uninterrupted run"; diff "$T/ref.txt" "$T/k.txt" | head -20 | sed 's/^/# /'; fi
	is "$(q "$db" "SELECT count(*) FROM sources WHERE status NOT IN ('complete', 'partial')")" 0 \
		"after the re-run every source is finished"
done

# A third run skips everything, adds nothing.
run "$INGEST" "$T/ref.db" "$@"
is "$rc" 0 "running again on complete sources exits 0"
grep -q "already ingested" "$T/err"; ok $? "it says the sources are already ingested"
dump "$T/ref.db" >"$T/again.txt"
cmp -s "$T/ref.txt" "$T/again.txt"; ok $? "and the case is unchanged"
is "$(q "$T/ref.db" 'SELECT count(*) FROM ingest_runs')" 2 "both runs are recorded in ingest_runs"
done_testing
