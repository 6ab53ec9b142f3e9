/*
 * gen-pii.h — labelled personal data for the accuracy test and bench/scan
 * (gen-pii.c).  Deterministic: (seed, index) always gives the same document.
 */
#ifndef LKA_GEN_PII_H
#define LKA_GEN_PII_H

#include <stddef.h>
#include <stdint.h>

struct pii_label {
	const char *kind;   /* detector name, as findings.kind */
	char value[112];    /* normalised value, as findings.value_norm ("" for passwords) */
	int decoy;          /* 1: looks right but must NOT be found (bad checksum, no context ...) */
	size_t offset, length; /* span in the text */
};

struct pii_doc {
	char *text;
	size_t len;
	struct pii_label *labels;
	size_t n_labels, cap_labels;
	size_t text_cap;
	int quote;          /* writing a quoted reply: every line break gets "> " */
};

/* Document i of the labelled corpus of seed: 5 to 12 sentences, French and
 * English, with planted values, decoys and neutral noise.  0 or -1 (OOM). */
int gen_pii_doc(uint64_t seed, unsigned i, struct pii_doc *out);
void gen_pii_doc_free(struct pii_doc *d);

/* Write OUTDIR/pii/NNNNNN.eml (n messages, bodies from gen_pii_doc) and
 * OUTDIR/pii-truth.tsv (file, kind, value, decoy).  0 or -1 with a message. */
int gen_pii_write(const char *outdir, uint64_t seed, unsigned long n);

#endif
