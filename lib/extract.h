/*
 * extract.h — text of attachment content for the personal-data scan
 * (extract.c).  Internal.
 */
#ifndef LKA_EXTRACT_H
#define LKA_EXTRACT_H

#include "internal.h"

typedef struct lka_extract_out {
	char *text;          /* malloc'd UTF-8, NUL-terminated; NULL when none */
	size_t len;
	const char *method;  /* static: "text", "html", "csv", "vcard", "rtf", or NULL */
	const char *status;  /* static: "ok", "truncated", "unsupported", "failed", "encrypted" */
	char detail[160];    /* why, when not ok */
} lka_extract_out;

/*
 * Extract the text of n bytes of content, chosen by content first, then by
 * the declared or detected MIME type and the file name (both may be NULL).
 * At most max_bytes of text are kept (status "truncated" beyond).  Never
 * fails hard: out->status says what happened.  Free out->text.
 */
void lka_extract__text(const unsigned char *data, size_t n, const char *filename,
		       const char *type, size_t max_bytes, uint32_t seconds, uint64_t memory,
		       lka_extract_out *out);

/* Do the n bytes at hay hold the m bytes of needle (memmem() without
 * _GNU_SOURCE)?  An empty needle is always found. */
bool lka_extract__find_bytes(const void *hay, size_t n, const void *needle, size_t m);

/*
 * Office Open XML / OpenDocument (pdf false) or PDF (pdf true) text,
 * extracted in a forked child limited to `seconds` of CPU and wall time and
 * `memory` bytes of address space (0: no limit) (extract-doc.c).
 */
void lka_extract__document(const unsigned char *d, size_t n, bool pdf, size_t max_bytes,
			   uint32_t seconds, uint64_t memory, lka_extract_out *out);

#endif
