#!/bin/sh
# The shared library exports exactly the functions marked LKA_EXPORT in the
# public headers (after libxkbcommon's symbols-leak-test).
# Usage: symbols.sh LIB HEADERDIR  (every *.h in HEADERDIR is public)
lib=$1 hdrdir=$2
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort >"$t/exported"
cat "$hdrdir"/*.h | grep -v '^#' | tr '\n' ' ' | grep -o 'LKA_EXPORT[^;(]*(' | sed 's/($//; s/.*[ *]//' | sort >"$t/declared"
echo "1..2"
if cmp -s "$t/exported" "$t/declared"; then
	echo "ok 1 - exports equal declarations ($(wc -l <"$t/exported") functions)"
else
	echo "not ok 1 - exports differ from LKA_EXPORT declarations"
	diff "$t/declared" "$t/exported" | sed 's/^/# /'
fi
if grep -qv '^lka_' "$t/exported"; then
	echo "not ok 2 - a non-lka_ symbol is exported"
else
	echo "ok 2 - only lka_ symbols exported"
fi
