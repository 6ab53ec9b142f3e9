/*
 * casedb.h — the case database inside the library: schema creation and
 * upgrade (case.c), and the writes ingest makes (sink-case.c).  SQL lives
 * in sql/schema.sql and sql/views.sql, compiled in as lka_sql_schema and
 * lka_sql_views.  Statements are prepared and bound, never formatted.
 */
#ifndef LKA_CASEDB_H
#define LKA_CASEDB_H

#include <sqlite3.h>

#include "item.h"
#include "scan.h"

#define LKA_APPLICATION_ID 0x4c4b4155 /* "LKAU" */
#define LKA_SCHEMA_VERSION 8

extern const char lka_sql_schema[]; /* generated from sql/schema.sql */
extern const char lka_sql_views[];  /* generated from sql/views.sql */
extern const char lka_sql_contacts[];       /* sql/contacts.sql */
extern const char lka_sql_contacts_views[]; /* sql/contacts-views.sql */
extern const char lka_sql_pst[];            /* sql/pst.sql */
extern const char lka_sql_pst_views[];      /* sql/pst-views.sql */
extern const char lka_sql_containers[];     /* sql/containers.sql */
extern const char lka_sql_pii[];            /* sql/pii.sql: scans, findings, attachment_text */
extern const char lka_sql_pii_views[];      /* sql/pii-views.sql */
extern const char lka_sql_triage[];         /* sql/triage.sql (attachment triage) */
extern const char lka_sql_indexes[];        /* sql/indexes.sql (lookup indexes) */
extern const char lka_sql_triage_runs[];    /* sql/triage-runs.sql (triage provenance) */
extern const char lka_sql_triage_views[];   /* sql/triage-views.sql */

struct lka_case {
	lka_ctx *ctx;
	sqlite3 *db;
	char *path;
	bool readonly;
	sqlite3_stmt *cstmt[12]; /* prepared statements of sink-contact.c */
	sqlite3_stmt *stmt[40]; /* prepared statements, by enum in sink-case.c */
	int tx_depth;           /* open transaction (1) */
	int64_t run_id;         /* ingest_runs row of the current run (run_begin), 0 if none */
	void *zstream;          /* zlib deflate state reused for every blob (sink-case.c) */
	unsigned char *zbuf;    /* its output buffer */
	size_t zcap;
};

/*
 * Schema upgrades (case.c): steps[k] takes a case from schema k to k+1, in
 * one transaction with every other step needed.  lka_case_open() uses the
 * library's own list; unit tests of the mechanism pass a longer one.
 */
typedef struct lka_migration {
	const char *what; /* one line, recorded in schema_migrations */
	const char *sql;  /* run with sqlite3_exec */
} lka_migration;
lka_status lka_case__open_steps(lka_case **out, lka_ctx *ctx, const char *path, unsigned flags,
				const lka_migration *steps, int n_steps, lka_error *err);

/* Free what the blob writer keeps between messages (case.c calls it on close). */
void lka_case__writer_free(lka_case *kase);

/* Map a SQLite failure to an lka_error (kind LKA_E_DB, sys = extended code). */
/* Statement helpers of the case writers (sink-case.c, sink-contact.c).
 * Binding text can fail (SQLITE_TOOBIG) and a later bind clears the
 * connection's error, so a statement's first bind failure is kept in *brc
 * and checked by lka_case__step before stepping. */
/* The statement cached in *slot, prepared on first use; NULL after filling err (fatal). */
sqlite3_stmt *lka_case__prepared(lka_case *kase, sqlite3_stmt **slot, const char *sql,
				 lka_error *err);
void lka_case__bind_text(sqlite3_stmt *s, int i, const char *v, int *brc); /* NULL binds NULL */
void lka_case__bind_id(sqlite3_stmt *s, int i, int64_t id);               /* 0 binds NULL */
/* Step a statement that returns no row, then reset it.  A bind failure in
 * *brc: LKA_FAILED for a value too big, the item cannot be stored. */
lka_status lka_case__step(lka_case *kase, sqlite3_stmt *s, int *brc, const char *what,
			  lka_error *err);
lka_status lka_case__dberr(lka_case *kase, lka_error *err, const char *what);
/* Run sql (no rows); on failure err says what failed (what, or the SQL itself). */
lka_status lka_case__exec(lka_case *kase, const char *sql, const char *what, lka_error *err);
/* Current time as ISO 8601 UTC with milliseconds: "2024-03-01T10:15:00.123Z". */
void lka_case__now_iso(char out[32]);

/* Transactions: one writer transaction around a batch of items. */
lka_status lka_case__begin(lka_case *kase, lka_error *err);
lka_status lka_case__commit(lka_case *kase, lka_error *err);
void lka_case__rollback(lka_case *kase);

/* ingest_runs */
lka_status lka_case__run_begin(lka_case *kase, const char *tool, const char *args, int64_t *run_id,
			       lka_error *err);
lka_status lka_case__run_end(lka_case *kase, int64_t run_id, const char *outcome,
			     const lka_ingest_stats *st, lka_error *err);

/* sources: status is "pending", "running", "complete", "partial", "failed" */
typedef struct lka_source_row {
	int64_t id;
	char status[16];
	char sha256[LKA_SHA256_HEX];
	uint64_t bytes;
} lka_source_row;
/* Find a source by absolute path; *found false when absent. */
lka_status lka_case__source_find(lka_case *kase, const char *path, lka_source_row *out, bool *found,
				 lka_error *err);
/* Delete a source and everything ingested from it (for --force). */
lka_status lka_case__source_delete(lka_case *kase, int64_t source_id, lka_error *err);
/* Record a scanned source and all its files and folders (one transaction
 * opened by the caller).  file_ids[i] receives the id of scan->files[i],
 * folder_ids[i] the folder of that file. */
lka_status lka_case__source_add(lka_case *kase, int64_t run_id, const lka_scan *scan,
				int64_t *source_id, int64_t *file_ids, int64_t *folder_ids,
				lka_error *err);
/* A message file of a source still to read (status 'pending'). */
typedef struct lka_pending_file {
	int64_t id;
	int64_t folder_id;
	char *relpath;       /* malloc'd: the caller frees it */
	lka_format format;
	uint64_t bytes;
	uint64_t items_done; /* resume point */
} lka_pending_file;
/*
 * Up to max pending message files of a source with id > after_id, in id
 * order (the scan's canonical order); *n receives how many.  Ingest pages
 * through them instead of holding every file of a folder in memory.
 */
lka_status lka_case__pending_files(lka_case *kase, int64_t source_id, int64_t after_id,
				   lka_pending_file *out, size_t max, size_t *n, lka_error *err);
/* How many message files of a source are still pending, and their bytes. */
lka_status lka_case__pending_count(lka_case *kase, int64_t source_id, uint64_t *files,
				   uint64_t *bytes, lka_error *err);
lka_status lka_case__source_status(lka_case *kase, int64_t source_id, const char *status,
				   lka_error *err);
lka_status lka_case__file_progress(lka_case *kase, int64_t file_id, uint64_t items_done,
				   const char *status, lka_error *err);

/*
 * Close the books on a source after its files were read: sets status to
 * "complete" (every file read to the end, no item lost), "partial" (read to
 * the end, but items or files could not be read: see errors), "failed"
 * (no file could be read) or leaves "running" when files remain unread
 * (interrupted run); updates its message counters.  status_out (16 bytes)
 * receives the status.
 */
lka_status lka_case__source_finish(lka_case *kase, int64_t source_id, char *status_out,
				   lka_error *err);

/* folders met by a reader inside a file: map to a folders row (created if new). */
lka_status lka_case__folder_ensure(lka_case *kase, int64_t source_id, int64_t parent_id,
				   const lka_folder *f, int64_t *out, lka_error *err);

/* Where a message came from. */
typedef struct lka_msgorigin {
	int64_t source_id;
	int64_t file_id;
	int64_t folder_id;
	lka_itemloc loc;
	const char *file_display; /* relpath, for error locations */
} lka_msgorigin;

/* Counters the message writer adds to. */
typedef struct lka_write_counts {
	uint64_t messages, attachments, errors, blobs_new;
	uint64_t contacts; /* lka_case__contact_write */
} lka_write_counts;

/*
 * Write a message tree: the messages row, its recipients, attachments (blobs
 * stored once per SHA-256, zlib-compressed where that pays, or only hashed
 * when store_content is false), embedded messages (recursively, with
 * parent_attachment_id), diagnostics as errors rows, and the FTS entry.  Runs
 * inside a SAVEPOINT: all of it or nothing.
 */
lka_status lka_case__message_write(lka_case *kase, const lka_msgorigin *o, const lka_msg *m,
				   bool store_content, lka_write_counts *counts, lka_error *err);

/*
 * Write an address-book entry (sink-contact.c): the contacts row with its
 * e-mails, phones (E.164 added where possible), postal addresses, list
 * members and diagnostics, in one SAVEPOINT.  o->loc locates the entry.
 * att_position >= 0: the entry comes from that top-level attachment of the
 * message at o->loc.ordinal in the file (written before), or from the row
 * c->att_path leads to below it (member "c<N>", attachment of the embedded
 * message "e<N>"): attachment_id is that row, message_id the message it
 * belongs to, the folder the top-level message's; o->loc.offset/length are
 * then inside the attachment.
 */
lka_status lka_case__contact_write(lka_case *kase, const lka_msgorigin *o, int64_t att_position,
				   const lka_contact *c, lka_write_counts *counts, lka_error *err);

/* An errors row.  file_id, loc may be 0/NULL. */
lka_status lka_case__error_write(lka_case *kase, int64_t source_id, int64_t file_id,
				 const char *location, lka_status severity, lka_errkind kind,
				 const char *message, lka_error *err);

/*
 * PST folders of a source where an engine listed more items than the case
 * holds (pst-case.c, view folder_completeness): fn is called once for each.
 */
typedef void (*lka_pst_shortfall_fn)(void *arg, const char *folder_path, const char *engine,
				     int64_t expected, int64_t read);
lka_status lka_case__pst_shortfalls(lka_case *kase, int64_t source_id, lka_pst_shortfall_fn fn,
				    void *arg, lka_error *err);

#endif /* LKA_CASEDB_H */
