/*
 * attachments.h — attachment content and triage (lka-attachments).
 *
 * Reading stored attachment content back from the case (lka_blob), the
 * triage of every attachment (lka_triage_run: flags in attachment_flags,
 * IOC hits in ioc_matches, see docs/schema.md "Attachment triage"), the
 * checks it is made of (usable on any buffer), and safe extraction.
 */
#ifndef LEAKAUDIT_ATTACHMENTS_H
#define LEAKAUDIT_ATTACHMENTS_H

#include "leakaudit/leakaudit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- blob reader */

/** Stored content of one attachment, read as a stream.  @since 0.1 */
typedef struct lka_blob lka_blob;

/**
 * Open the content stored under sha256 (64 lower-case hex digits).  Memory
 * is bounded whatever the size: the stored stream (blobs.data or the
 * blob_chunks pieces) is read incrementally and inflated as it goes.
 * LKA_FAILED (kind LKA_E_UNSUPPORTED) when the case has only the hash.
 */
LKA_EXPORT lka_status lka_blob_open(lka_blob **out, lka_case *kase, const char *sha256,
				    lka_error *err);
/**
 * Read up to cap bytes into buf; *got receives how many (0 only when cap is 0).  Returns LKA_OK
 * while bytes come, LKA_DONE at the end once the content's size and SHA-256
 * were checked, LKA_FAILED (kind LKA_E_CORRUPT) when the stored stream is
 * damaged or does not hash to its name.
 */
LKA_EXPORT lka_status lka_blob_read(lka_blob *b, void *buf, size_t cap, size_t *got,
				    lka_error *err);
/** Size of the content (blobs.bytes). */
LKA_EXPORT uint64_t lka_blob_size(const lka_blob *b);
/** NULL is a no-op. */
LKA_EXPORT void lka_blob_free(lka_blob *b);

/* ---------------------------------------------------------------- checks */

/**
 * Receives one triage flag ("executable", "macro" ...; docs/schema.md lists
 * them) and its reason, one line.  Both strings are borrowed for the call.
 */
typedef void (*lka_flag_fn)(const char *flag, const char *reason, void *payload);

/** Checks of a file name alone: risky extensions, double extensions, bidi
 * controls, space padding, control characters.  name may be NULL. */
LKA_EXPORT void lka_triage_name(const char *name, lka_flag_fn fn, void *payload);

/**
 * Checks of content (n bytes, possibly only a prefix of it) together with
 * the name and declared MIME type it came with (each may be NULL):
 * executables, shortcuts, disk images, OLE and OOXML documents with macros,
 * external templates or embedded objects, encrypted archives and Office
 * files, type contradictions.  Hostile input is safe: every structure is
 * bounds-checked and limited.
 */
LKA_EXPORT void lka_triage_content(const void *data, size_t n, const char *name,
				   const char *declared_type, lka_flag_fn fn, void *payload);

/* ---------------------------------------------------------------- triage */

typedef struct lka_triage_opts {
	const char *ioc_path; /* IOC list (one per line, '#' comments), or NULL */
	uint64_t max_bytes;   /* content examined per attachment (default 64 MiB) */
	const char *argv_text;/* recorded in triage_runs.args, may be NULL */
} lka_triage_opts;

LKA_EXPORT void lka_triage_opts_default(lka_triage_opts *out);

typedef struct lka_triage_stats {
	uint64_t attachments;  /* attachment rows examined */
	uint64_t contents;     /* distinct contents read back and examined */
	uint64_t not_stored;   /* attachments whose content is not in the case (name checks only) */
	uint64_t unreadable;   /* distinct contents stored but damaged: not read back (name checks only) */
	uint64_t flags;        /* attachment_flags rows written */
	uint64_t flagged;      /* attachments with at least one flag */
	uint64_t iocs;         /* IOC entries read */
	uint64_t ioc_matches;  /* ioc_matches rows written */
} lka_triage_stats;

/**
 * Triage every attachment of a case opened for writing: replaces the
 * contents of attachment_flags and ioc_matches in one transaction (a re-run
 * gives the same rows), and records the run in triage_runs (a failed run
 * too, as 'failed', when the case can still be written).  out may be NULL.
 * LKA_FATAL when the case or the IOC file cannot be read or written.
 */
LKA_EXPORT lka_status lka_triage_run(lka_case *kase, const lka_triage_opts *opts,
				     lka_triage_stats *out, lka_error *err);

/* ------------------------------------------------------------ extraction */

/**
 * A safe file name for name (which may be NULL): its last path component
 * only, without control, bidi or zero-width characters, characters
 * reserved on Windows, leading dots, trailing dots and spaces, with Windows
 * device names (CON, NUL, COM1 ...) prefixed by '_', and at most 200 bytes
 * (the extension kept).  An empty result becomes "attachment-" and the
 * first 12 digits of sha256.  Writes a NUL-terminated string to out (cap
 * at least 256) and returns its length.
 */
LKA_EXPORT size_t lka_attachment_safe_name(char *out, size_t cap, const char *name,
					   const char *sha256);

/**
 * Write the content stored under sha256 into the directory dirfd as name
 * (a safe name), created with openat(O_CREAT|O_EXCL|O_NOFOLLOW): never
 * replaces a file, never follows a link.  When name exists, "stem (2).ext",
 * "stem (3).ext" ... are tried.  The written file is read back and its
 * SHA-256 checked.  written (cap >= 256) receives the name used.
 */
LKA_EXPORT lka_status lka_attachment_extract(lka_case *kase, const char *sha256, int dirfd,
					     const char *name, char *written, size_t cap,
					     lka_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LEAKAUDIT_ATTACHMENTS_H */
