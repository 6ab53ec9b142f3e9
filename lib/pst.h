/*
 * pst.h — the Outlook PST/OST reader (pst.c), called by reader.c inside a
 * reader process.
 */
#ifndef LKA_PST_H
#define LKA_PST_H

#include "mime.h"
#include "reader.h"
#include "wire.h"

/* The libpst host process of a reader (pst-libpst.c); started on first use. */
typedef struct lka_pst_host lka_pst_host;

lka_status lka__pst_host_new(lka_pst_host **out);
void lka__pst_host_free(lka_pst_host *h); /* stops the host, if running */
long lka__pst_host_pid(const lka_pst_host *h); /* its process id, 0 if none (tests) */

typedef struct lka_pst_opts {
	lka_mime *mime;           /* for content sniffing of attachments */
	const lka_limits *limits;
	bool store_content;       /* keep attachment bytes (else hash only) */
	bool recover;             /* also read deleted items libpff recovers */
	bool libpst;              /* run libpst as the second engine (in a process of its own) */
	const lka_rctx *rc;       /* for the test fault hook (lka__fault_hook), may be NULL */
	lka_pst_host *host;       /* where libpst runs (kept by the reader for its next stores) */
} lka_pst_opts;

/* TEST HOOK (reader.c): misbehave when raw holds the configured fault text. */
void lka__fault_hook(const lka_rctx *rc, const char *raw, size_t n);

/* Read one PST/OST; same contract as lka_read_task(). */
lka_status lka__read_pst(const lka_pst_opts *o, const lka_task *task, lka_sink *sink);

/* Decode an autocomplete stream (0x7C09): its correspondents become "to"
 * addresses of m and lines of text.  Returns the rows read. */
size_t lka__pst_autocomplete(const uint8_t *p, size_t n, lka_msg *m, lka_buf *text);

/* Append a phone (raw: taken, NULL: nothing) to c (both engines). */
void lka__pst_c_phone(lka_contact *c, char *raw, const char *type);

/* A message's RTF body (decompressed) as text, NULL when empty; when the RTF
 * encapsulates HTML, *html is that HTML (malloc'd) and the text is its text. */
char *lka__pst_rtf_body(const char *rtf, size_t n, char **html);

/* A frame from the libpst process (ITEM_BEGIN: a progress checkpoint); false:
 * stop reading it (the frame was refused). */
typedef bool (*lka_pst_frame_fn)(void *arg, lka_frame *f);

/*
 * Run libpst over path in the host process h (pst-libpst.c; started or
 * replaced as needed): frames for every folder of the IPM subtree (with
 * libpst's item count) and every item whose descriptor id is not in
 * known_ids (sorted); descriptors in avoid (sorted) are not parsed.
 * *status: 0 when the store was read to its end, else the wait status of
 * the host that died on it; *last_id: the last descriptor it announced
 * (where it died if it did).
 */
lka_status lka__pst_libpst_run(lka_pst_host *h, const char *path, const uint64_t *known_ids,
			       size_t n_known, const uint64_t *avoid, size_t n_avoid,
			       const lka_limits *lim, bool store, lka_pst_frame_fn cb, void *arg,
			       int *status, uint64_t *last_id);

#endif /* LKA_PST_H */
