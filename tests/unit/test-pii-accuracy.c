/*
 * test-pii-accuracy.c — precision and recall of each detector on labelled
 * synthetic documents (tests/gen/gen-pii.c): planted values, decoys that fail
 * their checksum or lack their context, and neutral noise.  A finding is a
 * true positive when it overlaps a planted (non-decoy) label of its kind with
 * the same normalised value; every other finding is a false positive; every
 * planted label no finding matched is a false negative.  Asserts precision
 * >= 0.99 and recall >= 0.98 per detector and prints the figures.
 * LKA_PII_DOCS sets the number of documents (default 4000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-pii.h"
#include "internal.h"
#include "leakaudit/pii.h"
#include "tap.h"

struct counts {
	unsigned long tp, fp, fn, decoys;
};

struct ctx {
	const struct pii_doc *d;
	bool *matched;
	struct counts *c;
	bool verbose;
	unsigned doc;
};

static bool
overlap(size_t a, size_t al, size_t b, size_t bl)
{
	return a < b + bl && b < a + al;
}

static int
check(const lka_pii_finding *f, void *payload)
{
	struct ctx *x = payload;
	const char *kind = lka_pii_kind_name(f->kind);

	for (size_t k = 0; k < x->d->n_labels; k++) {
		const struct pii_label *l = &x->d->labels[k];
		if (l->decoy || x->matched[k] || strcmp(l->kind, kind) != 0 ||
		    !overlap(f->offset, f->length, l->offset, l->length) || strcmp(l->value, f->norm) != 0)
			continue;
		x->matched[k] = true;
		x->c[f->kind].tp++;
		return 0;
	}
	x->c[f->kind].fp++;
	if (x->verbose && x->c[f->kind].fp <= 5)
		diag("doc %u: false %s '%s' at %zu: '%.*s'", x->doc, kind, f->norm, f->offset,
		     (int)f->length, x->d->text + f->offset);
	return 0;
}

int
main(void)
{
	struct counts c[LKA_PII__COUNT] = { { 0 } };
	const char *env = getenv("LKA_PII_DOCS");
	unsigned docs = env ? (unsigned)strtoul(env, NULL, 10) : 4000;
	unsigned long bytes = 0;

	for (unsigned i = 0; i < docs; i++) {
		struct pii_doc d;
		struct ctx x;

		if (gen_pii_doc(42, i, &d) != 0) {
			ok(0, "generate document %u", i);
			gen_pii_doc_free(&d);
			return done_testing();
		}
		x.d = &d;
		x.c = c;
		x.verbose = true;
		x.doc = i;
		x.matched = calloc(d.n_labels + 1, sizeof *x.matched);
		bytes += d.len;
		lka_pii_scan_text(d.text, d.len, LKA_PII_ALL, check, &x);
		for (size_t k = 0; k < d.n_labels; k++) {
			const struct pii_label *l = &d.labels[k];
			int kind = -1;
			for (int j = 0; j < LKA_PII__COUNT; j++)
				if (!strcmp(lka_pii_kind_name((lka_pii_kind)j), l->kind))
					kind = j;
			if (kind < 0)
				continue;
			if (l->decoy) {
				c[kind].decoys++;
			} else if (!x.matched[k]) {
				c[kind].fn++;
				if (c[kind].fn <= 5)
					diag("doc %u: missed %s '%s': '%.*s'", i, l->kind, l->value,
					     (int)l->length, d.text + l->offset);
			}
		}
		free(x.matched);
		gen_pii_doc_free(&d);
	}
	diag("%u documents, %lu bytes", docs, bytes);
	diag("%-17s %7s %5s %5s %7s %9s %7s", "detector", "tp", "fp", "fn", "decoys", "precision",
	     "recall");
	for (int k = 0; k < LKA_PII__COUNT; k++) {
		unsigned long tp = c[k].tp, fp = c[k].fp, fn = c[k].fn;
		double p = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
		double r = tp + fn ? (double)tp / (double)(tp + fn) : 1.0;

		diag("%-17s %7lu %5lu %5lu %7lu %9.4f %7.4f", lka_pii_kind_name((lka_pii_kind)k), tp,
		     fp, fn, c[k].decoys, p, r);
		ok(tp > 0, "%s: planted values found", lka_pii_kind_name((lka_pii_kind)k));
		ok(p >= 0.99, "%s: precision %.4f >= 0.99", lka_pii_kind_name((lka_pii_kind)k), p);
		ok(r >= 0.98, "%s: recall %.4f >= 0.98", lka_pii_kind_name((lka_pii_kind)k), r);
	}
	return done_testing();
}
