#!/bin/sh
# Corpus test: triage of the attachments of ../shared/corpus/eml/phishing_pot
# (real phishing mail).  Reports what it flags; checks that triage finishes,
# is repeatable, and that every extracted file stays in its folder and
# hashes right.  Skipped when the corpus is absent.
. "$(dirname "$0")/../e2e/lib.sh"
ATT="$LKA_BUILD/tools/lka-attachments"
P="$CORPUS/eml/phishing_pot"
[ -d "$P" ] || skip_all "phishing corpus not found at $P (set LKA_CORPUS)"

db="$T/p.db"
ingest_ok "phishing_pot" "$db" "$P"
run "$ATT" "$db" triage
is "$rc" 0 "triage finishes"
sed 's/^/# /' "$T/out"
echo "# flags raised (flag, attachments, distinct contents):"
q "$db" "SELECT flag, count(*), count(DISTINCT a.sha256) FROM attachment_flags f
	JOIN attachments a ON a.id = f.attachment_id GROUP BY flag ORDER BY 2 DESC" | sed 's/^/#   /'
echo "# examples:"
q "$db" "SELECT flag || ': ' || coalesce(a.filename, '?') || ' — ' || substr(reason, 1, 120)
	FROM attachment_flags f JOIN attachments a ON a.id = f.attachment_id
	WHERE f.id IN (SELECT min(id) FROM attachment_flags GROUP BY flag)" | sed 's/^/#   /'
q "$db" "SELECT attachment_id, flag, reason FROM attachment_flags ORDER BY 1, 2" >"$T/f1"
run "$ATT" "$db" triage
q "$db" "SELECT attachment_id, flag, reason FROM attachment_flags ORDER BY 1, 2" >"$T/f2"
cmp -s "$T/f1" "$T/f2"; ok $? "a second triage gives the same flags"
run "$ATT" "$db" inventory
is "$(($(wc -l <"$T/out") - 1))" "$(q "$db" "SELECT count(*) FROM attachments")" "inventory: one row per attachment (no newline in names)"
mkdir "$T/x"
run "$ATT" --flag any --to "$T/x/out" "$db" extract
ok $([ "$rc" -le 1 ]; echo $?) "extract of every flagged attachment (exit $rc)"
is "$(find "$T/x" -mindepth 1 -maxdepth 1 | wc -l)" 1 "nothing written beside the target folder"
tail -n +2 "$T/x/out/manifest.tsv" | awk -F'\t' '$7 == "ok" { print $1 "  " $6 }' | sort -u >"$T/sums"
if [ -s "$T/sums" ]; then
	(cd "$T/x/out" && sha256sum -c --quiet "$T/sums" >/dev/null 2>&1); ok $? "every extracted file hashes to its manifest entry"
else
	ok 0 "nothing flagged to extract"
fi
echo "# extracted: $(awk -F'\t' '$7 == "ok"' "$T/x/out/manifest.tsv" | wc -l) manifest rows ok, $(ls "$T/x/out" | grep -vc '^manifest.tsv$') files"
done_testing
