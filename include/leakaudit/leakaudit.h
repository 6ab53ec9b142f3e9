/*
 * leakaudit.h — public interface of libleakaudit.
 *
 * libleakaudit turns seized mail stores (maildir, mbox, .eml, and later PST/OST
 * and archives) into one SQLite evidence database, the "case", and reads it
 * back for analysis.  This is the only public header.
 *
 * Conventions (see docs/architecture.md):
 *  - Every object is an opaque handle with one constructor and one _free()
 *    that accepts NULL.
 *  - Functions return an lka_status, a severity: LKA_OK, LKA_WARN (done, but
 *    something was damaged), LKA_FAILED (this item lost, go on), LKA_FATAL
 *    (this operation can go no further).
 *  - Details of a failure go into a caller-supplied lka_error (may be NULL).
 *    The library keeps no global or thread-local state and never prints.
 *  - Out-parameters come first; a single one is called out and is only set
 *    on success.
 *  - Strings are UTF-8.
 */
#ifndef LEAKAUDIT_H
#define LEAKAUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "leakaudit/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define LKA_EXPORT __attribute__((visibility("default")))
#else
#define LKA_EXPORT
#endif

/* ---------------------------------------------------------------- errors */

/** Severity of an outcome.  Ordered: a lower value is worse. @since 0.1 */
typedef enum lka_status {
	LKA_OK = 0,
	LKA_DONE = 1,     /* iterator exhausted; not an error */
	LKA_WARN = -20,   /* item kept, but damaged or incomplete */
	LKA_FAILED = -25, /* item lost; the source goes on */
	LKA_FATAL = -30,  /* this source or operation can go no further */
} lka_status;

/** What kind of failure an lka_error describes. @since 0.1 */
typedef enum lka_errkind {
	LKA_E_NONE = 0,
	LKA_E_CORRUPT,     /* evidence is malformed or damaged */
	LKA_E_IO,          /* reading or writing a file failed (see sys) */
	LKA_E_LIMIT,       /* a configured limit was reached */
	LKA_E_UNSUPPORTED, /* format or feature not handled */
	LKA_E_NOMEM,       /* out of memory */
	LKA_E_DB,          /* the case database refused (sys = SQLite code) */
	LKA_E_USAGE,       /* the caller passed something wrong */
	LKA_E_CRASH,       /* a reader process died, hung or ran out of memory */
	LKA_E_CHANGED,     /* evidence differs from what was recorded */
	LKA_E_MISMATCH,    /* two parsers of one file disagree ("engine-mismatch", PST) */
} lka_errkind;

/** Detail of the last failure.  Plain data: allocate it anywhere. @since 0.1 */
typedef struct lka_error {
	lka_status status;
	lka_errkind kind;
	int sys;         /* errno, or the SQLite extended result code, or 0 */
	char where[512]; /* file, and where in it: "box.mbox: offset 1234" */
	char msg[256];   /* one line, no trailing period */
} lka_error;

/** Stable lower-case name of a status ("ok", "warn", "failed", ...). */
LKA_EXPORT const char *lka_status_name(lka_status st);
/** Stable lower-case name of an error kind ("corrupt", "io", ...). */
LKA_EXPORT const char *lka_errkind_name(lka_errkind kind);

/** Library version as a string ("0.1.0") and as a number (MMmmmppp). */
LKA_EXPORT const char *lka_version(void);
LKA_EXPORT int lka_version_number(void);

/* --------------------------------------------------------------- context */

/**
 * Limits on everything that evidence controls.  Going over a limit records
 * an LKA_E_LIMIT error for the item and ingest goes on.  0 means "no limit"
 * only where stated.  Obtain defaults with lka_limits_default().
 */
typedef struct lka_limits {
	uint64_t message_bytes;    /* largest single message parsed */
	uint64_t header_bytes;     /* largest header block kept */
	uint32_t mime_depth;       /* nesting of multiparts and message/rfc822 */
	uint32_t mime_parts;       /* parts per message, embedded ones included */
	uint64_t decoded_bytes;    /* largest decoded attachment kept */
	uint64_t text_bytes;       /* largest body text kept per message */
	uint32_t item_seconds;     /* wall-clock time a reader may spend on one item */
	uint64_t reader_memory;    /* address-space limit of a reader process; 0 = none */
	uint32_t folder_depth;     /* directory depth scanned below a source */
	/* containers (archives, TNEF, .msg) found as attachments or given as sources */
	uint32_t archive_depth;    /* containers nested in containers */
	uint32_t archive_members;  /* members inventoried per container tree */
	uint64_t archive_bytes;    /* bytes unpacked per container tree */
	uint32_t archive_ratio;    /* unpacked / packed bytes allowed past the first MiB */
	uint64_t archive_tmp_bytes;/* largest member copied to the private temporary area */
} lka_limits;

LKA_EXPORT void lka_limits_default(lka_limits *out);

/** Holds configuration shared by the handles made from it.  @since 0.1 */
typedef struct lka_ctx lka_ctx;

LKA_EXPORT lka_status lka_ctx_new(lka_ctx **out, lka_error *err);
/** Destroy a context.  Handles made from it must be freed first.  NULL is a no-op. */
LKA_EXPORT void lka_ctx_free(lka_ctx *ctx);
/** The context's limits, borrowed and mutable until the context is freed. */
LKA_EXPORT lka_limits *lka_ctx_limits(lka_ctx *ctx);

/* ------------------------------------------------------------------ case */

/** A case database.  @since 0.1 */
typedef struct lka_case lka_case;

enum {
	LKA_CASE_CREATE = 1u << 0,   /* create it if absent */
	LKA_CASE_READONLY = 1u << 1, /* open read-only (analysis tools) */
};

/**
 * Open (and with LKA_CASE_CREATE, create) a case database.  The schema is
 * created or upgraded to the library's version; a database of another
 * application or of a newer schema is refused with LKA_E_UNSUPPORTED.
 */
LKA_EXPORT lka_status lka_case_open(lka_case **out, lka_ctx *ctx, const char *path,
				    unsigned flags, lka_error *err);
/** Close a case.  NULL is a no-op. */
LKA_EXPORT void lka_case_free(lka_case *kase);
/** Schema version of this library (PRAGMA user_version of new cases). */
LKA_EXPORT int lka_case_schema_version(void);
/**
 * The underlying SQLite connection, borrowed from the case, for read queries
 * by tools.  The type is void * so that this header needs no sqlite3.h.
 */
LKA_EXPORT void *lka_case_sqlite(lka_case *kase);

/* ---------------------------------------------------------------- ingest */

/** Options of an ingest run.  Initialise with lka_ingest_opts_default(). */
typedef struct lka_ingest_opts {
	unsigned jobs;          /* reader processes at once; 0 = number of cores */
	int store_content;      /* 1: keep attachment bytes in the blob store; 0: hashes only */
	int force;              /* 1: re-ingest sources already complete */
	int isolate;            /* 1: parse in child processes (default); 0: in-process (debugging) */
	const char *argv_text;  /* command line to record in ingest_runs, may be NULL */
	const char *fault;      /* testing only: "crash:TEXT", "hang:TEXT" or "oom:TEXT" makes a
				   reader misbehave on any item whose bytes contain TEXT */
} lka_ingest_opts;

LKA_EXPORT void lka_ingest_opts_default(lka_ingest_opts *out);

/** Counters of an ingest run, updated as it goes. */
typedef struct lka_ingest_stats {
	uint64_t sources;          /* sources given */
	uint64_t sources_done;     /* sources finished (any status) */
	uint64_t sources_skipped;  /* already complete, not re-read */
	uint64_t sources_failed;
	uint64_t files_total;      /* evidence files to read */
	uint64_t files_done;
	uint64_t messages;         /* message rows written, embedded ones included */
	uint64_t attachments;      /* attachment rows written */
	uint64_t errors;           /* error rows written */
	uint64_t bytes_done;       /* evidence bytes read */
	uint64_t bytes_total;
	uint64_t reader_crashes;   /* reader processes that died, hung or ran out of memory */
	double seconds;
	uint64_t shortfalls;       /* PST folders holding fewer ingested items than they list */
	uint64_t contacts;         /* address-book entries written (contacts rows) */
} lka_ingest_stats;

typedef struct lka_ingest lka_ingest;

/**
 * Progress callback: called from lka_ingest_run() at least every quarter
 * second while work goes on (event NULL), and once per event worth telling
 * the user: event is then a one-line text such as "box.mbox: already ingested
 * completely; skipped", and level says whether it is news (LKA_OK) or a
 * problem (LKA_WARN: damage; LKA_FAILED: an item lost; LKA_FATAL: a source not
 * read).  Problems are also recorded in the case.  payload is the caller's.
 */
typedef void (*lka_progress_fn)(const lka_ingest_stats *stats, lka_status level, const char *event,
				void *payload);

LKA_EXPORT lka_status lka_ingest_new(lka_ingest **out, lka_case *kase,
				     const lka_ingest_opts *opts, lka_error *err);
/** Add an evidence source (a file or a folder).  Checked now, read by run. */
LKA_EXPORT lka_status lka_ingest_add_source(lka_ingest *ing, const char *path, lka_error *err);
/**
 * Read every source added.  Returns LKA_OK when everything was read cleanly,
 * LKA_WARN when errors were recorded in the case, LKA_FATAL when the case
 * itself could not be written (err then says why).
 */
LKA_EXPORT lka_status lka_ingest_run(lka_ingest *ing, lka_progress_fn progress, void *payload,
				     lka_error *err);
/** Counters, borrowed from ing. */
LKA_EXPORT const lka_ingest_stats *lka_ingest_get_stats(const lka_ingest *ing);
/** NULL is a no-op. */
LKA_EXPORT void lka_ingest_free(lka_ingest *ing);

/* ---------------------------------------------------------------- verify */

/** Outcome of re-checking one recorded evidence file or source. */
typedef enum lka_verify_state {
	LKA_VERIFY_MATCH = 0,
	LKA_VERIFY_CHANGED,   /* present, but its SHA-256 or size differs */
	LKA_VERIFY_MISSING,   /* not found at the recorded path */
	LKA_VERIFY_UNREADABLE,
	LKA_VERIFY_ADDED,     /* found in a folder source, not recorded */
} lka_verify_state;

LKA_EXPORT const char *lka_verify_state_name(lka_verify_state st);

/**
 * Called once per source (relpath NULL), and once per file of a folder source
 * (matching or not), so a caller can list every check made.
 */
typedef void (*lka_verify_fn)(int64_t source_id, const char *source_path, const char *relpath,
			      lka_verify_state state, const char *detail, void *payload);

typedef struct lka_verify_report {
	uint64_t sources, matched, changed, missing, unreadable;
	int db_integrity_ok;      /* PRAGMA integrity_check said ok */
	int db_consistency_ok;    /* foreign keys and counts are consistent */
	char db_detail[512];      /* first problem found, or "" */
} lka_verify_report;

/**
 * Re-hash every source recorded in the case that is still reachable and check
 * the database's own integrity.  Never modifies evidence or the case.
 */
LKA_EXPORT lka_status lka_case_verify(lka_case *kase, lka_verify_report *out, lka_verify_fn fn,
				      void *payload, lka_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LEAKAUDIT_H */
