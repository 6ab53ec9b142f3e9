/*
 * pst.h — the Outlook PST/OST reader (pst.c), called by reader.c inside a
 * reader process.
 */
#ifndef LKA_PST_H
#define LKA_PST_H

#include "mime.h"
#include "reader.h"

typedef struct lka_pst_opts {
	lka_mime *mime;           /* for content sniffing of attachments */
	const lka_limits *limits;
	bool store_content;       /* keep attachment bytes (else hash only) */
	bool recover;             /* also read deleted items libpff recovers */
} lka_pst_opts;

/* Read one PST/OST; same contract as lka_read_task(). */
lka_status lka__read_pst(const lka_pst_opts *o, const lka_task *task, lka_sink *sink);

/* RTF (decompressed) to plain UTF-8 text; malloc'd, NULL on OOM. */
char *lka__rtf_to_text(const char *rtf, size_t n);

#endif /* LKA_PST_H */
