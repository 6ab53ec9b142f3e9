# lib.sh — TAP helpers for leakaudit's shell tests (sourced).
# The tools are found through LKA_BUILD (the meson build dir); every run of a
# tool goes through ${LKA_WRAP:-} so the valgrindtools setup checks our code,
# not the shell.
set -u
: "${LKA_BUILD:?LKA_BUILD must point to the build directory}"
INGEST="$LKA_BUILD/tools/lka-ingest"
VERIFY="$LKA_BUILD/tools/lka-verify"
INFO="$LKA_BUILD/tools/lka-info"
GEN="$LKA_BUILD/tests/lka-gen"
WRAP=${LKA_WRAP:-}
CORPUS=${LKA_CORPUS:-"$(cd "$(dirname "$0")/../../.." && pwd)/shared/corpus"}
T=$(mktemp -d "${TMPDIR:-/tmp}/lka-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
_n=0
_fail=0

ok() { # ok COND-EXIT-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_fail=$((_fail + 1))
	fi
}
is() { # is GOT WANT DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
		_fail=$((_fail + 1))
	fi
}
skip_all() { echo "1..0 # SKIP $1"; trap - EXIT; rm -rf "$T"; exit 0; }
done_testing() { echo "1..$_n"; [ "$_fail" -eq 0 ]; }
q() { sqlite3 -batch -noheader "$@"; } # q DB SQL
run() { # run TOOL ARGS... : runs through the wrapper, sets $rc, keeps stdout/stderr in $T/out $T/err
	rc=0
	$WRAP "$@" >"$T/out" 2>"$T/err" || rc=$?
}
need_corpus() { # need_corpus DIR: skip the whole test when that part of the corpus is absent
	[ -d "$1" ] || skip_all "corpus not found at $CORPUS (set LKA_CORPUS)"
}
ingest_ok() { # ingest_ok WHAT [lka-ingest options] DB SOURCE...: ingest through run; it must finish (exit 0 or 1)
	_what=$1; shift
	run "$INGEST" -q "$@"
	ok $([ "$rc" -le 1 ]; echo $?) "ingest of $_what finishes (exit $rc)"
}
mail_with() { # mail_with FROM TO SUBJECT TYPE FILE: a message on stdout carrying FILE (base64) as an attachment of TYPE
	printf 'From: %s\nTo: %s\nSubject: %s\nMIME-Version: 1.0\n' "$1" "$2" "$3"
	printf 'Content-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain\n\nsee attached\n--BB\n'
	printf 'Content-Type: %s\nContent-Disposition: attachment; filename="%s"\n' "$4" "$(basename "$5")"
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$5"
	printf -- '--BB--\n'
}
# Figures of EXPECTED.md for the top-level messages whose ids TOP-SQL selects: their
# count, how many have attachment parts (parts of embedded messages included: a
# part with Content-Disposition: attachment or a filename), how many such parts,
# and the distinct From/To/Cc addresses (lower-cased, with an '@').
mail_figures() { # mail_figures DB TOP-SQL -> "messages with_att att_parts unique_any"
	q "$1" "
	WITH top AS ($2),
	tree(root, mid) AS (SELECT id, id FROM top
	             UNION ALL SELECT tree.root, m.id FROM tree JOIN attachments a ON a.message_id = tree.mid
	             JOIN messages m ON m.parent_attachment_id = a.id),
	att AS (SELECT tree.root, a.id FROM tree JOIN attachments a ON a.message_id = tree.mid
	        WHERE a.parent_attachment_id IS NULL AND (a.disposition = 'attachment' OR a.filename IS NOT NULL))
	SELECT (SELECT count(*) FROM top) || ' ' || (SELECT count(DISTINCT root) FROM att) || ' ' ||
	       (SELECT count(*) FROM att) || ' ' ||
	       (SELECT count(DISTINCT lower(r.address)) FROM recipients r JOIN top ON top.id = r.message_id
	        WHERE r.role IN ('from', 'to', 'cc') AND r.address LIKE '%@%');"
}
gen() { # gen DIR [lka-gen options]
	dir=$1; shift
	"$GEN" --quiet "$@" "$dir" >/dev/null
}
# A canonical listing of what a case holds, independent of row ids and run times.
dump() { # dump DB
	q "$1" "
	SELECT s.path, f.relpath, m.ordinal, coalesce(pa.part_path, '-'), coalesce(m.message_id, ''),
	       coalesce(m.subject, ''), coalesce(m.raw_sha256, ''),
	       (SELECT count(*) FROM attachments a WHERE a.message_id = m.id),
	       (SELECT count(*) FROM recipients r WHERE r.message_id = m.id),
	       (SELECT group_concat(a.sha256, ',') FROM (SELECT sha256 FROM attachments a
	         WHERE a.message_id = m.id ORDER BY part_path) a)
	FROM messages m JOIN sources s ON s.id = m.source_id
	LEFT JOIN source_files f ON f.id = m.source_file_id
	LEFT JOIN attachments pa ON pa.id = m.parent_attachment_id
	ORDER BY 1, 2, 3, 4, 5, 6, 7;
	SELECT 'error', coalesce(location, ''), severity, kind, message FROM errors ORDER BY 2, 3, 4, 5;
	SELECT 'source', path, kind, sha256, bytes, status FROM sources ORDER BY path;
	SELECT 'file', f.relpath, f.role, f.sha256, f.items_done, f.status FROM source_files f ORDER BY 2;
	SELECT 'blob', sha256, bytes FROM blobs ORDER BY 2;"
}
