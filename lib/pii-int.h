/*
 * pii-int.h — the detectors' keyword index, built once by a caller that
 * scans many texts (pii-scan.c).  Internal.
 */
#ifndef LKA_PII_INT_H
#define LKA_PII_INT_H

#include <stdint.h>

#include "leakaudit/pii.h"

/* Per first letter: the keywords, in table order; and a two-letter bitmap. */
typedef struct lka_pii_kwindex {
	unsigned char first[26][40];
	unsigned char nfirst[26];
	uint32_t pair[26]; /* bit b: some keyword starts with letter, then 'a' + b (b 26: other) */
} lka_pii_kwindex;

void lka_pii__index(lka_pii_kwindex *x);
/* Entries of the keyword table (all of them must be in the index). */
size_t lka_pii__keyword_count(void);
/* lka_pii_scan_text() with a prebuilt index. */
size_t lka_pii__scan(const lka_pii_kwindex *x, const char *text, size_t n, unsigned mask,
		     lka_pii_fn fn, void *payload);

#endif
