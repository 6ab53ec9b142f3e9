#!/bin/sh
# Crash isolation: a reader that crashes, hangs, exits or runs out of memory
# on one item loses only that item; everything else is ingested, the loss is
# recorded, and reading resumes after the poisoned item in the same file.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/ev/maildir/cur" "$T/ev/maildir/new" "$T/ev/maildir/tmp"
mb="$T/ev/box.mbox"
: >"$mb"
for i in 1 2 3 4 5 6; do
	marker=""
	[ "$i" = 3 ] && marker="LKA-POISON"
	cat >>"$mb" <<EOF
From sender$i@example.org Mon Jan  1 10:0$i:00 2024
From: Sender $i <sender$i@example.org>
To: dest@mairie.fr
Subject: message $i
Message-ID: <m$i@example.org>
Date: Mon, 1 Jan 2024 10:0$i:00 +0100

Body of message $i $marker

EOF
done
for i in 1 2 3 4; do
	marker=""
	[ "$i" = 2 ] && marker="LKA-POISON"
	printf 'From: a%s@example.org\nTo: b@mairie.fr\nSubject: maildir %s\nMessage-ID: <d%s@x>\n\nhello %s\n' \
		"$i" "$i" "$i" "$marker" >"$T/ev/maildir/cur/170000000$i.M1P1.host:2,S"
done

for fault in crash exit hang oom; do
	if [ "$fault" = oom ] && [ -n "${LKA_SANITIZED:-}" ]; then
		echo "# oom fault skipped: sanitizer builds run readers without a memory limit"
		continue
	fi
	db="$T/$fault.db"
	rc=0
	LKA_FAULT="$fault:LKA-POISON" $WRAP "$INGEST" -q -j 2 --item-timeout 10 --reader-memory 512 \
		"$db" "$T/ev" >"$T/out" 2>"$T/err" || rc=$?
	is "$rc" 1 "$fault: ingest finishes with exit 1"
	is "$(q "$db" 'SELECT count(*) FROM messages')" 8 "$fault: the 8 healthy messages are ingested"
	is "$(q "$db" "SELECT group_concat(subject, '|') FROM (SELECT subject FROM messages ORDER BY subject)")" \
		"maildir 1|maildir 3|maildir 4|message 1|message 2|message 4|message 5|message 6" \
		"$fault: exactly the poisoned items are missing"
	is "$(q "$db" "SELECT count(*) FROM errors WHERE kind = 'crash' AND severity = 'failed'")" 2 \
		"$fault: two crash errors recorded"
	is "$(q "$db" "SELECT count(*) FROM errors WHERE kind = 'crash' AND location LIKE '%box.mbox: item 2, offset%'")" 1 \
		"$fault: the mbox error names the file, item and offset"
	grep -q "reader crash" "$T/err"; ok $? "$fault: the summary reports reader crashes"
	is "$(q "$db" "SELECT status FROM sources")" "partial" "$fault: the source is partial"
	is "$(q "$db" "SELECT count(*) FROM source_files WHERE status <> 'done' AND role = 'messages'")" 0 \
		"$fault: every file was read to its end"
done

# Without the fault, the same evidence is complete and clean.
run "$INGEST" -q "$T/clean.db" "$T/ev"
is "$rc" 0 "clean run exits 0"
is "$(q "$T/clean.db" 'SELECT count(*) FROM messages')" 10 "clean run has all 10 messages"
is "$(q "$T/clean.db" 'SELECT status FROM sources')" "complete" "clean source is complete"
done_testing
