#!/bin/sh
# Containers end to end (issue 4): archives as sources (zip of .eml with
# folders, tar.gz of a Maildir++ and an mbox, a PST member copied to the
# private temporary area), archives as attachments (an Emotet-style
# encrypted zip opened with the password its message offers, a ratio bomb,
# nesting), and proof that nothing is written outside the case database and
# the private temporary area, which is empty afterwards.
. "$(dirname "$0")/lib.sh"

gen "$T/g" --containers
val() { grep "^$1	" "$T/g/containers.tsv" | cut -f2; }
mkdir "$T/cwd" "$T/tmp"
db="$T/case.db"

# strace (when there, and no valgrind wrapper) records every call that can
# create, change or remove a file, in every process
trace=
if [ -z "$WRAP" ] && command -v strace >/dev/null 2>&1 &&
	strace -f -qq -o /dev/null true 2>/dev/null; then
	trace="strace -f -qq -ff -o $T/trace/t -e trace=open,openat,creat,mkdir,mkdirat,rmdir,rename,renameat,renameat2,unlink,unlinkat,link,linkat,symlink,symlinkat,truncate"
	mkdir "$T/trace"
	# LeakSanitizer cannot run under ptrace
	[ -n "${LKA_SANITIZED:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
(cd "$T/cwd" && TMPDIR="$T/tmp" $trace $WRAP "$INGEST" -q "$db" "$T/g/sources" "$T/g/mail") >"$T/out" 2>"$T/err"; rc=$?
ok $([ "$rc" -le 1 ]; echo $?) "ingest of the container fixtures finishes (exit $rc)"
sed 's/^/# /' "$T/err" | tail -3

# ---- archives as sources
top="m.parent_attachment_id IS NULL"
msgs() { q "$db" "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND $top"; }
is "$(q "$db" "SELECT format || ' ' || role FROM source_files WHERE relpath = 'mail.zip'")" "archive messages" \
	"a zip in a folder source is read as an archive"
is "$(msgs mail.zip)" "$(val mail.zip_messages)" "mail.zip: its .eml members are messages"
is "$(q "$db" "SELECT group_concat(path, ' ') FROM (SELECT DISTINCT fo.path FROM messages m JOIN folders fo ON fo.id = m.folder_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'mail.zip' AND fo.path IN ('mail.zip/Inbox', 'mail.zip/Sent') ORDER BY 1)")" \
	"mail.zip/Inbox mail.zip/Sent" "mail.zip: directories inside the archive became folders"
is "$(q "$db" "SELECT count(*) FROM errors WHERE location LIKE '%mail.zip, ../escape.eml' AND message LIKE '%escapes the archive (dotdot)%'")" 1 \
	"mail.zip: the ../ member is flagged, never followed"
ok $([ ! -e "$T/escape.eml" ] && [ ! -e "$T/g/escape.eml" ]; echo $?) "... and nothing was written at ../escape.eml"
is "$(q "$db" "SELECT count(*) FROM errors WHERE location LIKE '%mail.zip, $(val mail.zip_pst)' AND message LIKE '%Outlook PST%'")" 1 \
	"mail.zip: the PST member is recorded (copied to the private temporary area, dispatched by format)"
is "$(msgs maildir.tgz)" "$(val maildir.tgz_messages)" "maildir.tgz: cur/ and new/ messages and the mbox's two; tmp/ is not mail"
is "$(q "$db" "SELECT group_concat(fo.path || '=' || fo.folder_class || ':' || n, ' ') FROM (SELECT fo.path, fo.folder_class, count(*) n FROM messages m JOIN folders fo ON fo.id = m.folder_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'maildir.tgz' GROUP BY 1, 2 ORDER BY 1) fo")" \
	"maildir.tgz/Maildir=maildir:2 maildir.tgz/Maildir/.Sent=maildir:1 maildir.tgz/mbox/archive.mbox=mbox:2" \
	"maildir.tgz: the Maildir++ folders and the mbox are folders"
is "$(q "$db" "SELECT group_concat(coalesce(maildir_flags, '-'), ' ') FROM (SELECT m.maildir_flags FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'maildir.tgz' AND m.maildir_flags IS NOT NULL ORDER BY 1)")" \
	"RS S" "maildir.tgz: maildir flags read from member names"

# ---- archives as attachments
att() { # att MESSAGE-FILE SQL-EXPR over the container row c
	q "$db" "SELECT $2 FROM attachments c JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND c.parent_attachment_id IS NULL AND c.container IS NOT NULL"
}
kids() { q "$db" "SELECT count(*) FROM attachments k JOIN attachments c ON c.id = k.parent_attachment_id JOIN messages m ON m.id = c.message_id JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = '$1' AND c.parent_attachment_id IS NULL"; }
is "$(att emotet.eml "c.container || ' ' || c.encrypted || ' ' || c.password")" "zip 1 $(val emotet_password)" \
	"emotet.eml: encrypted zip opened with the password from the body, recorded"
is "$(kids emotet.eml)" "$(val emotet_members)" "emotet.eml: its members are inventoried"
is "$(q "$db" "SELECT count(*) FROM messages e JOIN attachments k ON k.id = e.parent_attachment_id WHERE k.part_path = 'forwarded.eml' AND k.encrypted = 1")" 1 \
	"emotet.eml: the encrypted .eml member is parsed as an embedded message"
is "$(att locked.eml "c.encrypted || ' ' || coalesce(c.password, '-')")" "1 -" "locked.eml: flagged encrypted, no password"
is "$(kids locked.eml)" 2 "locked.eml: members still listed"
is "$(q "$db" "SELECT count(*) FROM errors WHERE location LIKE '%locked.eml%' AND message LIKE '%encrypted members%'")" 1 \
	"locked.eml: an error row says why it stayed closed"
is "$(q "$db" "SELECT count(*) FROM errors WHERE location LIKE '%bomb.eml%' AND message LIKE '%archive bomb%'")" 1 "bomb.eml: ratio bomb stopped"
is "$(q "$db" "SELECT count(*) FROM messages m JOIN source_files f ON f.id = m.source_file_id WHERE f.relpath = 'bomb.eml'")" 1 "bomb.eml: its message is stored"
is "$(q "$db" "SELECT g.container || '>' || k.part_path || '>' || e.subject FROM attachments c JOIN attachments g ON g.parent_attachment_id = c.id JOIN attachments k ON k.parent_attachment_id = g.id JOIN messages e ON e.parent_attachment_id = k.id WHERE c.container = 'tar.gz'")" \
	"zip>deep/inner.eml>container test" "nested.eml: tar.gz > zip > message, inventoried to the end"
is "$(q "$db" "PRAGMA integrity_check")" ok "the case is sound"

# ---- a reader that dies on an archive member: that item is lost, the rest is read
db3="$T/crash.db"
(cd "$T/cwd" && TMPDIR="$T/tmp" LKA_FAULT="crash:Body of message 1." $WRAP "$INGEST" -q "$db3" "$T/g/sources/mail.zip") >"$T/out" 2>"$T/err"
is "$(q "$db3" "SELECT count(*) FROM messages WHERE parent_attachment_id IS NULL")" "$(($(val mail.zip_messages) - 1))" \
	"crash on one member: the other members' messages are kept"
is "$(q "$db3" "SELECT count(*) FROM errors WHERE (message LIKE '%killed by%' OR message LIKE '%exited with status%') AND location LIKE '%item 1'")" 1 \
	"... and the lost item is recorded by its ordinal"

# ---- nothing written outside the case and the private temporary area
is "$(ls -A "$T/cwd" | wc -l)" 0 "nothing in the working directory"
is "$(ls -A "$T/tmp" | wc -l)" 0 "the temporary area is empty afterwards"
if [ -n "$trace" ]; then
	# every path created, changed or removed (first quoted argument of a
	# writing call); SQLite's own temporary files (etilqs_*) live in TMPDIR
	cat "$T"/trace/t.* | grep -E '^(open|openat|creat|mkdir|mkdirat|rmdir|rename|renameat2?|unlink|unlinkat|link|linkat|symlink|symlinkat|truncate)\(' |
		grep -vE '^open(at)?\(' | sed -n 's/^[a-z0-9]*([^"]*"\([^"]*\)".*/\1/p' >"$T/paths"
	cat "$T"/trace/t.* | grep -E '^open(at)?\(.*(O_WRONLY|O_RDWR|O_CREAT|O_TRUNC)' |
		sed -n 's/^[a-z]*([^"]*"\([^"]*\)".*/\1/p' >>"$T/paths"
	bad=$(grep -vE "^($db(-wal|-shm|-journal)?|/dev/null|/dev/tty|$T/tmp/lka-reader-[A-Za-z0-9]{6}(/member)?|$T/tmp/etilqs_[0-9a-f]+)\$" "$T/paths" | sort -u)
	is "$bad" "" "strace: every file created, written or removed is the case database or in the private temporary area"
	ok $(grep -q "$T/tmp/lka-reader-" "$T/paths"; echo $?) "strace: the PST member went through the private temporary area"
	ok $(grep -qE "^rmdir\(\"$T/tmp/lka-reader-" "$T"/trace/t.*; echo $?) "strace: the private temporary area was removed"
else
	skip_n=3
	while [ $skip_n -gt 0 ]; do _n=$((_n + 1)); echo "ok $_n # SKIP no strace (or a wrapper)"; skip_n=$((skip_n - 1)); done
fi
done_testing
