#!/bin/sh
# Damaged PSTs: seeded truncations and bit flips of corpus stores (hundreds
# of variants) ingested in one run.  Checks that ingest never crashes, that
# every variant ends failed or done with its errors recorded, that truncated
# stores libpff refuses still give libpst's items, and that the case stays
# consistent (lka-verify).  Skipped when the corpus is absent.
# LKA_PST_MUTANTS (default 600, 60 under valgrind) sets the number of variants, LKA_PST_SEED the seed.
. "$(dirname "$0")/../e2e/lib.sh"
need_corpus "$CORPUS/pst"
command -v python3 >/dev/null || skip_all "python3 not found"

# under valgrind (LKA_WRAP) every reader is some 30x slower: fewer variants
if [ -n "$WRAP" ]; then n=${LKA_PST_MUTANTS:-60}; else n=${LKA_PST_MUTANTS:-600}; fi
seed=${LKA_PST_SEED:-20261127}
mkdir -p "$T/m"
python3 - "$CORPUS/pst" "$T/m" "$n" "$seed" <<'EOF'
import os, random, sys
src, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
bases = ["aspose__Outlook_part0.pst", "aspose__passwordprotectedPST.pst", "jlibpst__dist-list.pst",
         "rubymsg__msgInMsg.pst", "gopst__32-bit.pst", "aspose__PersonalStorageFile1.pst",
         "pstx__alpha-beta-gamma-delta.pst", "tika__testPST_variousBodyTypes.pst"]
rng = random.Random(seed)
for i in range(n):
    base = bases[i % len(bases)]
    data = bytearray(open(os.path.join(src, base), "rb").read())
    kind = rng.choice(["cut", "cut", "flip", "flip", "head", "tail"])
    if kind == "cut":        # truncate anywhere after the header
        data = data[:rng.randrange(512, len(data))]
    elif kind == "flip":     # 1..256 random byte changes
        for _ in range(rng.randint(1, 256)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "head":     # a few flips in the first 64 KiB (header, first pages), CRC kept valid or not
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(16, min(len(data), 65536))] ^= 1 << rng.randrange(8)
    else:                    # flips in the last 16 KiB (B-tree pages often live there)
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(max(0, len(data) - 16384), len(data))] ^= 1 << rng.randrange(8)
    name = "%04d-%s-%s" % (i, kind, base)
    open(os.path.join(out, name), "wb").write(data)
EOF
ok $? "generated $n damaged variants (seed $seed)"

db="$T/mut.db"
start=$(date +%s)
run "$INGEST" -q -j2 --item-timeout 20 "$db" "$T/m"
ok $([ "$rc" -le 1 ]; echo $?) "ingest of $n damaged stores finishes without crashing (exit $rc, $(( $(date +%s) - start )) s)"
sed 's/^/# /' "$T/err" | tail -2

is "$(q "$db" "SELECT count(*) FROM source_files WHERE status NOT IN ('done', 'failed')")" 0 \
	"every variant was read to the end or failed"
is "$(q "$db" "SELECT count(*) FROM source_files f WHERE f.format = 'pst' AND f.status = 'failed'
	AND NOT EXISTS (SELECT 1 FROM errors e WHERE e.source_file_id = f.id)")" 0 \
	"every failed variant has its reason in errors"
got=$(q "$db" "SELECT count(*) FROM messages")
ok $([ "$got" -gt 0 ]; echo $?) "items were kept from the damaged stores ($got messages)"
# A store cut short is refused by libpff (its index is gone) but libpst still reads what it reaches.
lp=$(q "$db" "SELECT count(DISTINCT f.id) FROM source_files f JOIN messages m ON m.source_file_id = f.id
	WHERE f.relpath LIKE '%-cut-%' AND m.engine = 'libpst' AND NOT EXISTS
	(SELECT 1 FROM messages x WHERE x.source_file_id = f.id AND x.engine = 'libpff')")
ok $([ "$lp" -gt 0 ]; echo $?) "truncated stores libpff refuses still give libpst's items ($lp files)"
# A crash of a reader (or of the libpst process) is recorded, never silent.
crashes=$(q "$db" "SELECT count(*) FROM errors WHERE kind = 'crash'")
echo "# reader or libpst crashes recorded: $crashes"
is "$(q "$db" "SELECT count(*) FROM messages WHERE engine IS NULL AND source_file_id IN
	(SELECT id FROM source_files WHERE format = 'pst')")" 0 "every item records its engine"

run "$VERIFY" "$db"
ok $([ "$rc" -eq 0 ]; echo $?) "lka-verify: the case is consistent (exit $rc)"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/out" | head -20

done_testing
