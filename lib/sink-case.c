/*
 * sink-case.c — what ingest writes into the case: sources with their files
 * and folders, progress, messages (with recipients, attachments, content
 * and embedded messages) and errors.  See casedb.h and sql/schema.sql.
 *
 * Every statement is prepared once per connection (kase->stmt[], freed by
 * lka_case_free) and bound, never formatted.  A message tree is written in
 * one SAVEPOINT: all of it or nothing.  Attachment content goes to the
 * content-addressed blobs table once per SHA-256.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "casedb.h"

#define ZLIB_LEVEL 1                     /* fast; text still shrinks 3-4x */
#define COMPRESS_MIN 64                  /* smaller content is stored as is */
#define COMPRESS_MAX (64u << 20)         /* larger content is stored as is */
#define COMPRESS_PROBE (8u << 10)        /* prefix tried first on content over 4x this */
#define PIECE_MAX (256u << 20)           /* largest stored value; longer streams are chunked */
#define MAX_EMBED_DEPTH 64               /* guard: deeper embedded messages are not written */

enum {
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_SOURCE_FIND,
	S_SOURCE_DELETE,
	S_BLOBS_PURGE,
	S_SOURCE_INSERT,
	S_FOLDER_GET,
	S_FOLDER_BY_ID,
	S_FOLDER_INSERT,
	S_FOLDER_SET_CLASS,
	S_FOLDER_DEFAULT_CLASS,
	S_FILE_INSERT,
	S_SOURCE_STATUS,
	S_FILE_PROGRESS,
	S_FINISH_FILES,
	S_FINISH_LOST,
	S_FINISH_UPDATE,
	S_MSG_INSERT,
	S_MSG_ERRORS,
	S_RCPT_INSERT,
	S_BLOB_GET,
	S_BLOB_INSERT,
	S_BLOB_FILL,
	S_CHUNK_INSERT,
	S_ATT_MARK_STORED,
	S_ATT_INSERT,
	S_ERROR_INSERT,
	S_SOURCE_ADD_COUNTS,
	S_PENDING_FILES,
	S_PENDING_COUNT,
	S_PST_MSG,
	S_PST_RCPT,
	S_PST_FOLDER_ROLE,
	S_PST_FOLDER_COUNT,
	S__COUNT
};

_Static_assert(S__COUNT <= LKA_ARRAY_LEN(((lka_case *)0)->stmt), "too many cached statements");

static const char *const sql_text[S__COUNT] = {
	[S_SAVEPOINT] = "SAVEPOINT lka_item",
	[S_RELEASE] = "RELEASE lka_item",
	[S_ROLLBACK_TO] = "ROLLBACK TO lka_item",
	[S_SOURCE_FIND] = "SELECT id, status, sha256, bytes FROM sources WHERE path = ?1",
	[S_SOURCE_DELETE] = "DELETE FROM sources WHERE id = ?1",
	[S_BLOBS_PURGE] = "DELETE FROM blobs WHERE NOT EXISTS "
			  "(SELECT 1 FROM attachments a WHERE a.sha256 = blobs.sha256)",
	[S_SOURCE_INSERT] = "INSERT INTO sources (path, name, kind, bytes, sha256, files, status, "
			    "first_run_id, last_run_id, added_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8)",
	[S_FOLDER_GET] = "SELECT id, folder_class IS NULL FROM folders "
			 "WHERE source_id = ?1 AND path = ?2",
	[S_FOLDER_BY_ID] = "SELECT path FROM folders WHERE id = ?1 AND source_id = ?2",
	[S_FOLDER_INSERT] = "INSERT INTO folders (source_id, parent_id, path, name, folder_class) "
			    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_FOLDER_SET_CLASS] = "UPDATE folders SET folder_class = ?2 "
			       "WHERE id = ?1 AND folder_class IS NULL",
	[S_FOLDER_DEFAULT_CLASS] = "UPDATE folders SET folder_class = 'directory' "
				   "WHERE source_id = ?1 AND folder_class IS NULL",
	[S_FILE_INSERT] = "INSERT INTO source_files (source_id, relpath, format, role, maildir_sub, "
			  "bytes, sha256, mtime, folder_id, status, note) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* "+source_id": walk the rowid range from the cursor (a source's files are
	 * contiguous), not the whole source through its index, for every page. */
	[S_PENDING_FILES] = "SELECT id, folder_id, relpath, format, bytes, items_done FROM source_files "
			    "WHERE +source_id = ?1 AND id > ?2 AND role = 'messages' "
			    "AND status = 'pending' ORDER BY id LIMIT ?3",
	[S_PENDING_COUNT] = "SELECT count(*), coalesce(sum(bytes), 0) FROM source_files "
			    "WHERE source_id = ?1 AND role = 'messages' AND status = 'pending'",
	[S_SOURCE_STATUS] =
		"UPDATE sources SET status = ?2, last_run_id = coalesce(?3, last_run_id), "
		"started_at = CASE WHEN ?2 = 'running' THEN ?4 ELSE started_at END, "
		"ended_at = CASE WHEN ?2 IN ('complete', 'partial', 'failed') THEN ?4 "
		"ELSE ended_at END WHERE id = ?1",
	[S_FILE_PROGRESS] = "UPDATE source_files SET items_done = ?2, status = coalesce(?3, status) "
			    "WHERE id = ?1",
	[S_FINISH_FILES] =
		"SELECT count(*) FILTER (WHERE role = 'messages'), "
		"count(*) FILTER (WHERE role = 'messages' AND status = 'pending'), "
		"count(*) FILTER (WHERE role = 'messages' AND status = 'failed'), "
		"count(*) FILTER (WHERE role = 'unreadable'), count(*) "
		"FROM source_files WHERE source_id = ?1",
	[S_FINISH_LOST] = "SELECT count(*) FILTER (WHERE severity <> 'warn'), count(*) "
			  "FROM errors WHERE source_id = ?1",
	[S_FINISH_UPDATE] =
		"UPDATE sources SET files = ?2, errors = ?3, "
		"messages = (SELECT count(*) FROM messages m WHERE m.source_id = ?1), "
		"attachments = (SELECT count(*) FROM attachments a JOIN messages m "
		"ON m.id = a.message_id WHERE m.source_id = ?1) WHERE id = ?1",
	[S_MSG_INSERT] =
		"INSERT INTO messages (source_id, source_file_id, folder_id, parent_attachment_id, "
		"depth, run_id, ordinal, offset, length, item_class, message_id, in_reply_to, "
		"\"references\", subject, sent_at, sent_tz_offset, date_raw, received_at, "
		"from_address, from_name, body_text, body_html, headers, maildir_flags, raw_bytes, "
		"raw_sha256, recipient_count, attachment_count, has_attachments, error_count) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
		"?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
	[S_MSG_ERRORS] = "UPDATE messages SET error_count = error_count + ?2 WHERE id = ?1",
	[S_RCPT_INSERT] = "INSERT INTO recipients (message_id, role, address, name, raw, domain, "
			  "position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_BLOB_GET] = "SELECT stored_bytes IS NOT NULL FROM blobs WHERE sha256 = ?1",
	[S_BLOB_INSERT] = "INSERT INTO blobs (sha256, bytes, compression, stored_bytes, chunks, data) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_BLOB_FILL] = "UPDATE blobs SET bytes = ?2, compression = ?3, stored_bytes = ?4, "
			"chunks = ?5, data = ?6 WHERE sha256 = ?1",
	[S_CHUNK_INSERT] = "INSERT INTO blob_chunks (sha256, seq, data) VALUES (?1, ?2, ?3)",
	[S_ATT_MARK_STORED] = "UPDATE attachments SET stored = 1 WHERE sha256 = ?1 AND stored = 0",
	[S_ATT_INSERT] =
		"INSERT INTO attachments (message_id, parent_attachment_id, position, filename, "
		"declared_type, detected_type, bytes, sha256, disposition, content_id, part_path, "
		"transfer_encoding, inline, truncated, damaged, stored, container, encrypted, "
		"password, name_flags) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		"?17, ?18, ?19, ?20)",
	[S_PST_MSG] = "UPDATE messages SET engine = ?2, recovered = ?3 WHERE id = ?1",
	[S_PST_RCPT] = "UPDATE recipients SET address_type = ?2, legacy_dn = ?3 WHERE id = ?1",
	[S_PST_FOLDER_ROLE] = "UPDATE folders SET role = ?2 WHERE id = ?1",
	[S_PST_FOLDER_COUNT] = "INSERT OR REPLACE INTO folder_counts (folder_id, engine, "
			       "expected_items) VALUES (?1, ?2, ?3)",
	[S_ERROR_INSERT] = "INSERT INTO errors (source_id, source_file_id, message_id, run_id, "
			   "location, severity, kind, message, created_at) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_SOURCE_ADD_COUNTS] = "UPDATE sources SET messages = messages + ?2, "
				"attachments = attachments + ?3, errors = errors + ?4 WHERE id = ?1",
};

/* ---------------------------------------------------------------- helpers */

sqlite3_stmt *
lka_case__prepared(lka_case *kase, sqlite3_stmt **slot, const char *sql, lka_error *err)
{
	if (!*slot &&
	    sqlite3_prepare_v3(kase->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK) {
		lka_case__dberr(kase, err, "prepare");
		if (err)
			err->status = LKA_FATAL; /* our SQL or schema is wrong */
		return NULL;
	}
	return *slot;
}

/* The cached statement id, prepared on first use; NULL after filling err. */
static sqlite3_stmt *
stmt(lka_case *kase, int id, lka_error *err)
{
	return lka_case__prepared(kase, &kase->stmt[id], sql_text[id], err);
}

/*
 * Binding text or a blob can fail (SQLITE_TOOBIG: a value over the
 * connection's length limit), and a later bind clears the connection's
 * error, so each statement's first bind failure is kept in an int the
 * caller passes along (brc) and checked before stepping.
 */
void
lka_case__bind_text(sqlite3_stmt *s, int i, const char *v, int *brc)
{
	int rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);

	if (rc != SQLITE_OK && *brc == SQLITE_OK)
		*brc = rc;
}

static void
bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n, int *brc)
{
	int rc = sqlite3_bind_blob64(s, i, p, (sqlite3_uint64)n, SQLITE_STATIC);

	if (rc != SQLITE_OK && *brc == SQLITE_OK)
		*brc = rc;
}

void
lka_case__bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
	sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

/* A value could not be bound: this item cannot be stored (LKA_FAILED). */
static lka_status
bind_failed(lka_case *kase, sqlite3_stmt *s, int *brc, const char *what, lka_error *err)
{
	int rc = *brc;

	*brc = SQLITE_OK;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return lka__error(err, (rc & 0xff) == SQLITE_TOOBIG ? LKA_FAILED : LKA_FATAL, LKA_E_DB, rc,
			  kase->path, "%s: %s", what, sqlite3_errstr(rc));
}

lka_status
lka_case__step(lka_case *kase, sqlite3_stmt *s, int *brc, const char *what, lka_error *err)
{
	lka_status st = LKA_OK;

	if (*brc != SQLITE_OK)
		return bind_failed(kase, s, brc, what, err);
	if (sqlite3_step(s) != SQLITE_DONE)
		st = lka_case__dberr(kase, err, what);
	sqlite3_reset(s);
	return st;
}

/* This file's short names for the shared helpers above. */
static void
bind_text(sqlite3_stmt *s, int i, const char *v, int *brc)
{
	lka_case__bind_text(s, i, v, brc);
}

static void
bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	lka_case__bind_id(s, i, id);
}

static lka_status
run(lka_case *kase, sqlite3_stmt *s, int *brc, const char *what, lka_error *err)
{
	return lka_case__step(kase, s, brc, what, err);
}

/* Unix seconds as "2024-03-01T10:15:00Z"; false when out of range (years 0..9999). */
static bool
unix_iso(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt;

	if (t < -62167219200LL || t > 253402300799LL)
		return false;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		return false;
	return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

static const char *
severity_name(lka_status sev)
{
	if (sev <= LKA_FATAL)
		return "fatal";
	if (sev <= LKA_FAILED)
		return "failed";
	return "warn";
}

static lka_status
nomem(lka_error *err)
{
	return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
}

/* Step a query; *found false when no row.  On a row, the caller reads it and resets s. */
static lka_status
get_row(lka_case *kase, sqlite3_stmt *s, int *brc, bool *found, const char *what, lka_error *err)
{
	int rc;

	*found = false;
	if (*brc != SQLITE_OK)
		return bind_failed(kase, s, brc, what, err);
	rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return LKA_OK;
	lka_case__dberr(kase, err, what);
	if (err)
		err->status = LKA_FATAL; /* a query that fails is not about one item */
	sqlite3_reset(s);
	return LKA_FATAL;
}

static lka_status
insert_error(lka_case *kase, int64_t source_id, int64_t file_id, int64_t message_id,
	     const char *location, lka_status severity, lka_errkind kind, const char *message,
	     lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_ERROR_INSERT, err);
	char now[32];
	int brc = SQLITE_OK;

	if (!s)
		return LKA_FATAL;
	lka_case__now_iso(now);
	bind_id(s, 1, source_id);
	bind_id(s, 2, file_id);
	bind_id(s, 3, message_id);
	bind_id(s, 4, kase->run_id);
	bind_text(s, 5, location, &brc);
	bind_text(s, 6, severity_name(severity), &brc);
	bind_text(s, 7, lka_errkind_name(kind), &brc);
	bind_text(s, 8, message ? message : "(no message)", &brc);
	bind_text(s, 9, now, &brc);
	return run(kase, s, &brc, "record an error", err);
}

/* ---------------------------------------------------------------- sources */

lka_status
lka_case__source_find(lka_case *kase, const char *path, lka_source_row *out, bool *found,
		      lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_SOURCE_FIND, err);
	const char *t;
	int brc = SQLITE_OK;

	*found = false;
	memset(out, 0, sizeof *out);
	if (!s)
		return LKA_FATAL;
	bind_text(s, 1, path, &brc);
	if (get_row(kase, s, &brc, found, "find the source", err) != LKA_OK)
		return LKA_FATAL;
	if (*found) {
		out->id = sqlite3_column_int64(s, 0);
		t = (const char *)sqlite3_column_text(s, 1);
		snprintf(out->status, sizeof out->status, "%s", t ? t : "");
		t = (const char *)sqlite3_column_text(s, 2);
		snprintf(out->sha256, sizeof out->sha256, "%s", t ? t : "");
		out->bytes = (uint64_t)sqlite3_column_int64(s, 3);
	}
	sqlite3_reset(s);
	return LKA_OK;
}

lka_status
lka_case__source_delete(lka_case *kase, int64_t source_id, lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_SOURCE_DELETE, err);
	int brc = SQLITE_OK;

	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	if (run(kase, s, &brc, "delete the source", err) != LKA_OK)
		return LKA_FATAL;
	/* Content no attachment refers to any more goes too (with its chunks). */
	if (!(s = stmt(kase, S_BLOBS_PURGE, err)) ||
	    run(kase, s, &brc, "delete unreferenced content", err) != LKA_OK)
		return LKA_FATAL;
	return LKA_OK;
}

/* State of one source_add call: the folder last looked up. */
typedef struct folder_cache {
	int64_t source_id;
	char *path;
	int64_t id;
} folder_cache;

static lka_status
folder_insert(lka_case *kase, int64_t source_id, int64_t parent_id, const char *path,
	      const char *name, const char *folder_class, int64_t *out, lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_FOLDER_INSERT, err);
	int brc = SQLITE_OK;

	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	bind_id(s, 2, parent_id);
	bind_text(s, 3, path, &brc);
	bind_text(s, 4, name, &brc);
	bind_text(s, 5, folder_class, &brc);
	if (run(kase, s, &brc, "record a folder", err) != LKA_OK)
		return LKA_FATAL;
	*out = sqlite3_last_insert_rowid(kase->db);
	return LKA_OK;
}

/* Look a folder up by path; give it folder_class if it has none yet. */
static lka_status
folder_get(lka_case *kase, int64_t source_id, const char *path, const char *folder_class,
	   int64_t *out, bool *found, lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_FOLDER_GET, err);
	bool no_class = false;
	int brc = SQLITE_OK;

	*out = 0;
	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	bind_text(s, 2, path, &brc);
	if (get_row(kase, s, &brc, found, "find a folder", err) != LKA_OK)
		return LKA_FATAL;
	if (*found) {
		*out = sqlite3_column_int64(s, 0);
		no_class = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_reset(s);
	if (*found && no_class && folder_class) {
		if (!(s = stmt(kase, S_FOLDER_SET_CLASS, err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, *out);
		bind_text(s, 2, folder_class, &brc);
		return run(kase, s, &brc, "record a folder", err);
	}
	return LKA_OK;
}

/* The folder "a/b/c" of a source, created with its ancestors when absent. */
static lka_status
folder_path_ensure(lka_case *kase, folder_cache *fc, int64_t source_id, const char *path,
		   const char *folder_class, int64_t *out, lka_error *err)
{
	const char *slash, *name;
	char *parent = NULL;
	int64_t parent_id = 0;
	bool found = false;
	lka_status st;

	if (fc->path && fc->source_id == source_id && strcmp(fc->path, path) == 0) {
		*out = fc->id;
		return LKA_OK;
	}
	st = folder_get(kase, source_id, path, folder_class, out, &found, err);
	if (st != LKA_OK || found)
		goto out;
	/* Absent: its parent first ("" is the root, always present). */
	slash = strrchr(path, '/');
	parent = lka__strndup(path, slash ? (size_t)(slash - path) : 0);
	if (!parent) {
		st = nomem(err);
		goto out;
	}
	name = slash ? slash + 1 : path;
	if ((st = folder_path_ensure(kase, fc, source_id, parent, NULL, &parent_id, err)) != LKA_OK)
		goto out;
	st = folder_insert(kase, source_id, parent_id, path, name, folder_class, out, err);
out:
	if (st == LKA_OK) {
		char *p = lka__strdup(path);
		if (p) {
			free(fc->path);
			fc->path = p;
			fc->source_id = source_id;
			fc->id = *out;
		}
	}
	free(parent);
	return st;
}

/* Display name of a source: the last component of its path. */
static char *
source_name(const char *root)
{
	size_t n = strlen(root);
	const char *b;

	while (n > 1 && root[n - 1] == '/')
		n--;
	b = root + n;
	while (b > root && b[-1] != '/')
		b--;
	if (b == root + n) /* "/" */
		return lka__strdup(root);
	return lka__strndup(b, (size_t)(root + n - b));
}

lka_status
lka_case__source_add(lka_case *kase, int64_t run_id, const lka_scan *scan, int64_t *source_id,
		     int64_t *file_ids, int64_t *folder_ids, lka_error *err)
{
	folder_cache fc = { 0 };
	sqlite3_stmt *s;
	lka_status st = LKA_FATAL;
	char hex[LKA_SHA256_HEX], now[32], mtime[32];
	char *name = NULL;
	const char *root_class = NULL;
	int64_t sid = 0, root_id = 0, folder_id;
	int brc = SQLITE_OK;

	*source_id = 0;
	name = source_name(scan->root);
	if (!name)
		return nomem(err);
	if (!(s = stmt(kase, S_SOURCE_INSERT, err)))
		goto out;
	lka_sha256_hex(scan->sha256, hex);
	lka_case__now_iso(now);
	bind_text(s, 1, scan->root, &brc);
	bind_text(s, 2, name, &brc);
	bind_text(s, 3, lka_format_name(scan->kind), &brc);
	bind_u64(s, 4, scan->bytes);
	bind_text(s, 5, hex, &brc);
	bind_u64(s, 6, scan->n_files);
	bind_id(s, 7, run_id);
	bind_text(s, 8, now, &brc);
	if ((st = run(kase, s, &brc, "record the source", err)) != LKA_OK)
		goto out;
	sid = sqlite3_last_insert_rowid(kase->db);

	/* The root folder, named after the source, of the class of its own files. */
	for (size_t i = 0; i < scan->n_files && !root_class; i++)
		if (scan->files[i].folder_path && !scan->files[i].folder_path[0])
			root_class = scan->files[i].folder_class;
	if (!root_class)
		root_class = scan->is_dir ? "directory" : lka_format_name(scan->kind);
	if ((st = folder_insert(kase, sid, 0, "", name, root_class, &root_id, err)) != LKA_OK)
		goto out;

	for (size_t i = 0; i < scan->n_files; i++) {
		const lka_scan_file *f = &scan->files[i];
		bool hashed = f->role != LKA_ROLE_SPECIAL && f->role != LKA_ROLE_UNREADABLE;

		folder_id = root_id;
		if (f->folder_path && f->folder_path[0] &&
		    (st = folder_path_ensure(kase, &fc, sid, f->folder_path, f->folder_class,
					     &folder_id, err)) != LKA_OK)
			goto out;
		if (!(s = stmt(kase, S_FILE_INSERT, err))) {
			st = LKA_FATAL;
			goto out;
		}
		lka_sha256_hex(f->sha256, hex);
		sqlite3_bind_int64(s, 1, sid);
		bind_text(s, 2, f->relpath ? f->relpath : "", &brc);
		bind_text(s, 3, lka_format_name(f->format), &brc);
		bind_text(s, 4, lka_file_role_name(f->role), &brc);
		bind_text(s, 5, f->maildir_sub, &brc);
		bind_u64(s, 6, f->size);
		bind_text(s, 7, hashed ? hex : NULL, &brc);
		bind_text(s, 8, unix_iso(f->mtime, mtime) ? mtime : NULL, &brc);
		sqlite3_bind_int64(s, 9, folder_id);
		bind_text(s, 10, f->role == LKA_ROLE_MESSAGES ? "pending" : "skipped", &brc);
		bind_text(s, 11, f->note, &brc);
		if ((st = run(kase, s, &brc, "record a file of the source", err)) != LKA_OK)
			goto out;
		if (file_ids)
			file_ids[i] = sqlite3_last_insert_rowid(kase->db);
		if (folder_ids)
			folder_ids[i] = folder_id;
	}
	if (!(s = stmt(kase, S_FOLDER_DEFAULT_CLASS, err))) {
		st = LKA_FATAL;
		goto out;
	}
	sqlite3_bind_int64(s, 1, sid);
	if ((st = run(kase, s, &brc, "record the folders", err)) != LKA_OK)
		goto out;
	*source_id = sid;
out:
	free(fc.path);
	free(name);
	return st;
}

lka_status
lka_case__pending_files(lka_case *kase, int64_t source_id, int64_t after_id, lka_pending_file *out,
			size_t max, size_t *n, lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_PENDING_FILES, err);
	int rc;

	*n = 0;
	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		lka_pending_file *f = &out[*n];
		const char *rel = (const char *)sqlite3_column_text(s, 2);
		const char *fmt = (const char *)sqlite3_column_text(s, 3);

		f->id = sqlite3_column_int64(s, 0);
		f->folder_id = sqlite3_column_int64(s, 1);
		f->relpath = lka__strdup(rel ? rel : "");
		f->format = lka_format_from_name(fmt ? fmt : "unknown");
		f->bytes = (uint64_t)sqlite3_column_int64(s, 4);
		f->items_done = (uint64_t)sqlite3_column_int64(s, 5);
		if (!f->relpath) {
			sqlite3_reset(s);
			for (size_t i = 0; i < *n; i++)
				free(out[i].relpath);
			*n = 0;
			return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, kase->path,
					  "out of memory");
		}
		(*n)++;
	}
	rc = sqlite3_reset(s);
	if (rc != SQLITE_OK) {
		for (size_t i = 0; i < *n; i++)
			free(out[i].relpath);
		*n = 0;
		return lka_case__dberr(kase, err, "list the files to read");
	}
	return LKA_OK;
}

lka_status
lka_case__pending_count(lka_case *kase, int64_t source_id, uint64_t *files, uint64_t *bytes,
			lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_PENDING_COUNT, err);
	bool found = false;
	int brc = SQLITE_OK;

	*files = *bytes = 0;
	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	if (get_row(kase, s, &brc, &found, "count the files to read", err) != LKA_OK)
		return LKA_FATAL;
	if (found) {
		*files = (uint64_t)sqlite3_column_int64(s, 0);
		*bytes = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return LKA_OK;
}

static lka_status
set_source_status(lka_case *kase, int64_t source_id, const char *status, lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_SOURCE_STATUS, err);
	char now[32];
	int brc = SQLITE_OK;

	if (!s)
		return LKA_FATAL;
	lka_case__now_iso(now);
	sqlite3_bind_int64(s, 1, source_id);
	bind_text(s, 2, status, &brc);
	bind_id(s, 3, kase->run_id);
	bind_text(s, 4, now, &brc);
	if (run(kase, s, &brc, "set the source status", err) != LKA_OK)
		return LKA_FATAL;
	if (sqlite3_changes(kase->db) != 1)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path, "no source %lld",
				  (long long)source_id);
	return LKA_OK;
}

lka_status
lka_case__source_status(lka_case *kase, int64_t source_id, const char *status, lka_error *err)
{
	return set_source_status(kase, source_id, status, err);
}

lka_status
lka_case__file_progress(lka_case *kase, int64_t file_id, uint64_t items_done, const char *status,
			lka_error *err)
{
	sqlite3_stmt *s = stmt(kase, S_FILE_PROGRESS, err);
	int brc = SQLITE_OK;

	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, file_id);
	bind_u64(s, 2, items_done);
	bind_text(s, 3, status, &brc);
	return run(kase, s, &brc, "record the progress of a file", err) == LKA_OK ? LKA_OK : LKA_FATAL;
}

lka_status
lka_case__source_finish(lka_case *kase, int64_t source_id, char *status_out, lka_error *err)
{
	sqlite3_stmt *s;
	int64_t mail = 0, pending = 0, failed = 0, unreadable = 0, files = 0, lost = 0, errors = 0;
	const char *status;
	bool found = false;
	int brc = SQLITE_OK;

	if (status_out)
		status_out[0] = '\0';
	if (!(s = stmt(kase, S_FINISH_FILES, err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	if (get_row(kase, s, &brc, &found, "count the files of the source", err) != LKA_OK)
		return LKA_FATAL;
	mail = sqlite3_column_int64(s, 0);
	pending = sqlite3_column_int64(s, 1);
	failed = sqlite3_column_int64(s, 2);
	unreadable = sqlite3_column_int64(s, 3);
	files = sqlite3_column_int64(s, 4);
	sqlite3_reset(s);
	if (!(s = stmt(kase, S_FINISH_LOST, err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	if (get_row(kase, s, &brc, &found, "count the errors of the source", err) != LKA_OK)
		return LKA_FATAL;
	lost = sqlite3_column_int64(s, 0);
	errors = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);

	if (pending)
		status = "running"; /* files remain: a later run resumes */
	else if (mail + unreadable > 0 && failed + unreadable == mail + unreadable)
		status = "failed"; /* nothing that should have been read could be */
	else if (failed || unreadable || lost)
		status = "partial";
	else
		status = "complete";

	if (!(s = stmt(kase, S_FINISH_UPDATE, err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, files);
	sqlite3_bind_int64(s, 3, errors);
	if (run(kase, s, &brc, "count what the source holds", err) != LKA_OK)
		return LKA_FATAL;
	if (set_source_status(kase, source_id, status, err) != LKA_OK)
		return LKA_FATAL;
	if (status_out)
		snprintf(status_out, 16, "%s", status);
	return LKA_OK;
}

/* ---------------------------------------------------------------- folders */

/* A PST folder's role and the item count an engine gave for it (sql/pst.sql). */
static lka_status
folder_pst(lka_case *kase, int64_t id, const lka_folder *f, lka_error *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;
	lka_status st;

	if (f->role) {
		if (!(s = stmt(kase, S_PST_FOLDER_ROLE, err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, f->role, &brc);
		if ((st = run(kase, s, &brc, "record a folder's role", err)) != LKA_OK)
			return st;
	}
	if (f->engine && f->expected_items >= 0) {
		if (!(s = stmt(kase, S_PST_FOLDER_COUNT, err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, f->engine, &brc);
		sqlite3_bind_int64(s, 3, f->expected_items);
		if ((st = run(kase, s, &brc, "record a folder's item count", err)) != LKA_OK)
			return st;
	}
	return LKA_OK;
}

lka_status
lka_case__folder_ensure(lka_case *kase, int64_t source_id, int64_t parent_id, const lka_folder *f,
			int64_t *out, lka_error *err)
{
	sqlite3_stmt *s;
	const char *name = f->name, *ppath;
	char *parent_path = NULL, *path = NULL;
	bool found = false;
	lka_status st = LKA_FATAL;
	size_t n;
	int brc = SQLITE_OK;

	*out = 0;
	if (!name || !*name) {
		name = f->path ? strrchr(f->path, '/') : NULL;
		name = name ? name + 1 : f->path;
		if (!name || !*name)
			name = "(unnamed)";
	}
	if (parent_id <= 0) {
		/* Under the source's root folder. */
		if ((st = folder_get(kase, source_id, "", NULL, &parent_id, &found, err)) != LKA_OK)
			return st;
		if (!found)
			return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
					  "source %lld has no root folder", (long long)source_id);
		ppath = "";
	} else {
		if (!(s = stmt(kase, S_FOLDER_BY_ID, err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, parent_id);
		sqlite3_bind_int64(s, 2, source_id);
		if (get_row(kase, s, &brc, &found, "find a folder", err) != LKA_OK)
			return LKA_FATAL;
		if (!found) {
			sqlite3_reset(s);
			return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
					  "folder %lld is not a folder of source %lld",
					  (long long)parent_id, (long long)source_id);
		}
		parent_path = lka__strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		if (!parent_path)
			return nomem(err);
		ppath = parent_path;
	}
	n = strlen(ppath) + 1 + strlen(name) + 1;
	if (!(path = malloc(n))) {
		st = nomem(err);
		goto out;
	}
	snprintf(path, n, "%s%s%s", ppath, *ppath ? "/" : "", name);
	if ((st = folder_get(kase, source_id, path, f->folder_class, out, &found, err)) != LKA_OK ||
	    found)
		goto out;
	st = folder_insert(kase, source_id, parent_id, path, name, f->folder_class, out, err);
out:
	if (st == LKA_OK && *out > 0 && (f->role || f->engine))
		st = folder_pst(kase, *out, f, err);
	free(parent_path);
	free(path);
	return st;
}

/* ---------------------------------------------------------------- messages */

/* State of one message_write. */
typedef struct writer {
	lka_case *kase;
	const lka_msgorigin *o;
	bool store;
	lka_write_counts n; /* added to the caller's counts on success */
	lka_error *err;
} writer;

static lka_status write_msg(writer *w, const lka_msg *m, int64_t parent_att, int depth,
			    const char *where);

/* An errors row about message_id (damage met while writing it). */
static lka_status
msg_error(writer *w, int64_t message_id, const char *where, const char *detail, lka_status sev,
	  lka_errkind kind, const char *message)
{
	char loc[1024];

	if (detail && *detail)
		snprintf(loc, sizeof loc, "%s, %s", where, detail);
	else
		snprintf(loc, sizeof loc, "%s", where);
	if (insert_error(w->kase, w->o->source_id, w->o->file_id, message_id, loc, sev, kind,
			 message, w->err) != LKA_OK)
		return LKA_FATAL;
	w->n.errors++;
	return LKA_OK;
}

static size_t
count_atts(const lka_att *a, size_t n)
{
	size_t c = n;

	for (size_t i = 0; i < n; i++)
		c += count_atts(a[i].children, a[i].n_children);
	return c;
}

/* Largest value this connection stores in one row. */
static size_t
piece_max(lka_case *kase)
{
	int lim = sqlite3_limit(kase->db, SQLITE_LIMIT_LENGTH, -1);
	size_t n = PIECE_MAX;

	/* leave room for the other columns of the row */
	if (lim > 4096 && (size_t)(lim - 1024) < n)
		n = (size_t)(lim - 1024);
	else if (lim <= 4096 && (size_t)(lim / 2) < n)
		n = (size_t)(lim / 2);
	return n ? n : 1;
}

/*
 * Deflate n bytes at p into kase->zbuf (at most cap bytes) with the case's
 * reused zlib stream (deflateInit allocates and clears 256 KiB: once per
 * case, not once per attachment).  Returns the length, 0 when it does not fit
 * or zlib fails.
 */
static size_t
deflate_into(lka_case *kase, const unsigned char *p, size_t n, size_t cap)
{
	z_stream *z = kase->zstream;

	if (!z) {
		z = calloc(1, sizeof *z);
		if (!z || deflateInit(z, ZLIB_LEVEL) != Z_OK) {
			free(z);
			return 0;
		}
		kase->zstream = z;
	} else if (deflateReset(z) != Z_OK) {
		return 0;
	}
	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = (uInt)n;
	z->next_out = kase->zbuf;
	z->avail_out = (uInt)cap;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return 0;
	return cap - z->avail_out;
}

void
lka_case__writer_free(lka_case *kase)
{
	if (kase->zstream) {
		deflateEnd(kase->zstream);
		free(kase->zstream);
		kase->zstream = NULL;
	}
	free(kase->zbuf);
	kase->zbuf = NULL;
	kase->zcap = 0;
}

/*
 * zlib-compress p when that saves at least 10%.  Returns the compressed
 * length in kase->zbuf, or 0 to store as is.
 */
static size_t
try_compress(writer *w, const unsigned char *p, size_t n)
{
	lka_case *kase = w->kase;
	size_t budget;

	if (n < COMPRESS_MIN || n > COMPRESS_MAX)
		return 0;
	budget = n - n / 10;
	if (budget > kase->zcap) {
		unsigned char *b = realloc(kase->zbuf, budget);
		if (!b)
			return 0;
		kase->zbuf = b;
		kase->zcap = budget;
	}
	/* Already compressed (images, archives)?  Try a prefix first. */
	if (n > 4 * COMPRESS_PROBE &&
	    !deflate_into(kase, p, COMPRESS_PROBE, COMPRESS_PROBE - COMPRESS_PROBE / 10))
		return 0;
	return deflate_into(kase, p, n, budget);
}

/* Store the content of a (in blobs, or blobs + blob_chunks); fill = row exists. */
static lka_status
blob_content(writer *w, const char *hex, const lka_att *a, bool fill)
{
	lka_case *kase = w->kase;
	const unsigned char *stream = a->data;
	size_t slen = a->data_len, zlen, piece = piece_max(kase), chunks = 0;
	sqlite3_stmt *s;
	lka_status st;
	int brc = SQLITE_OK;

	zlen = try_compress(w, a->data, a->data_len);
	if (zlen) {
		stream = w->kase->zbuf;
		slen = zlen;
	}
	if (slen > piece)
		chunks = (slen + piece - 1) / piece;
	if (!(s = stmt(kase, fill ? S_BLOB_FILL : S_BLOB_INSERT, w->err)))
		return LKA_FATAL;
	bind_text(s, 1, hex, &brc);
	bind_u64(s, 2, a->size);
	bind_text(s, 3, zlen ? "zlib" : "none", &brc);
	bind_u64(s, 4, slen);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)chunks);
	if (chunks)
		sqlite3_bind_null(s, 6);
	else
		bind_blob(s, 6, stream, slen, &brc);
	if ((st = run(kase, s, &brc, "store attachment content", w->err)) != LKA_OK)
		return st;
	if (chunks && !(s = stmt(kase, S_CHUNK_INSERT, w->err)))
		return LKA_FATAL;
	for (size_t i = 0; i < chunks; i++) {
		size_t off = i * piece, len = slen - off < piece ? slen - off : piece;
		bind_text(s, 1, hex, &brc);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_blob(s, 3, stream + off, len, &brc);
		if ((st = run(kase, s, &brc, "store attachment content", w->err)) != LKA_OK)
			return st;
	}
	if (!fill)
		return LKA_OK;
	/* Earlier occurrences stored without content have it now. */
	if (!(s = stmt(kase, S_ATT_MARK_STORED, w->err)))
		return LKA_FATAL;
	bind_text(s, 1, hex, &brc);
	return run(kase, s, &brc, "store attachment content", w->err);
}

/*
 * Make sure blobs has a row for a's SHA-256, with its content when we keep
 * it.  *stored: the content is in the case.
 */
static lka_status
blob_put(writer *w, int64_t message_id, const char *where, const char *hex, const lka_att *a,
	 bool *stored, unsigned *extra)
{
	lka_case *kase = w->kase;
	bool have = w->store && a->data && !(a->flags & LKA_ATT_TRUNCATED) &&
		    a->data_len == a->size;
	bool found = false, has_content = false;
	uint8_t d[LKA_SHA256_LEN];
	sqlite3_stmt *s;
	lka_status st;
	int brc = SQLITE_OK;

	*stored = false;
	if (!(s = stmt(kase, S_BLOB_GET, w->err)))
		return LKA_FATAL;
	bind_text(s, 1, hex, &brc);
	if (get_row(kase, s, &brc, &found, "look up attachment content", w->err) != LKA_OK)
		return LKA_FATAL;
	if (found)
		has_content = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	if (found && (has_content || !have)) {
		*stored = has_content;
		return LKA_OK;
	}
	if (have) {
		/* Content is filed under its hash: make sure it is that hash. */
		lka_sha256_buf(a->data, a->data_len, d);
		if (memcmp(d, a->sha256, LKA_SHA256_LEN) != 0) {
			have = false;
			st = msg_error(w, message_id, where, a->part_path, LKA_WARN, LKA_E_CORRUPT,
				       "attachment bytes do not match the SHA-256 the reader gave; "
				       "content not stored");
			if (st != LKA_OK)
				return st;
			(*extra)++;
			if (found)
				return LKA_OK;
		}
	}
	if (have) {
		if ((st = blob_content(w, hex, a, found)) != LKA_OK)
			return st;
		*stored = true;
	} else {
		if (!(s = stmt(kase, S_BLOB_INSERT, w->err)))
			return LKA_FATAL;
		bind_text(s, 1, hex, &brc);
		bind_u64(s, 2, a->size);
		bind_text(s, 3, "none", &brc);
		sqlite3_bind_null(s, 4);
		sqlite3_bind_int(s, 5, 0);
		sqlite3_bind_null(s, 6);
		if ((st = run(kase, s, &brc, "record attachment hash", w->err)) != LKA_OK)
			return st;
	}
	if (!found)
		w->n.blobs_new++;
	return LKA_OK;
}

static lka_status
write_att(writer *w, int64_t message_id, int64_t parent_att, const lka_att *a, size_t position,
	  int depth, const char *where, unsigned *extra)
{
	lka_case *kase = w->kase;
	char hex[LKA_SHA256_HEX];
	bool stored = false;
	sqlite3_stmt *s;
	int64_t id;
	lka_status st;
	int brc = SQLITE_OK;

	lka_sha256_hex(a->sha256, hex);
	if ((st = blob_put(w, message_id, where, hex, a, &stored, extra)) != LKA_OK)
		return st;
	if (!(s = stmt(kase, S_ATT_INSERT, w->err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, message_id);
	bind_id(s, 2, parent_att);
	bind_u64(s, 3, position);
	bind_text(s, 4, a->filename, &brc);
	bind_text(s, 5, a->declared_type, &brc);
	bind_text(s, 6, a->detected_type, &brc);
	bind_u64(s, 7, a->size);
	bind_text(s, 8, hex, &brc);
	bind_text(s, 9, a->disposition, &brc);
	bind_text(s, 10, a->content_id, &brc);
	bind_text(s, 11, a->part_path, &brc);
	bind_text(s, 12, a->transfer_encoding, &brc);
	sqlite3_bind_int(s, 13, (a->flags & LKA_ATT_INLINE) != 0);
	sqlite3_bind_int(s, 14, (a->flags & LKA_ATT_TRUNCATED) != 0);
	sqlite3_bind_int(s, 15, (a->flags & LKA_ATT_DAMAGED) != 0);
	sqlite3_bind_int(s, 16, stored);
	bind_text(s, 17, a->container, &brc);
	sqlite3_bind_int(s, 18, a->encrypted);
	bind_text(s, 19, a->password, &brc);
	bind_text(s, 20, a->name_flags, &brc);
	if ((st = run(kase, s, &brc, "record an attachment", w->err)) != LKA_OK)
		return st;
	id = sqlite3_last_insert_rowid(kase->db);
	w->n.attachments++;
	if (a->embedded) {
		char sub[1024];
		if (a->part_path)
			snprintf(sub, sizeof sub, "%s, message in part %s", where, a->part_path);
		else
			snprintf(sub, sizeof sub, "%s, message in attachment %zu", where,
				 position + 1);
		if ((st = write_msg(w, a->embedded, id, depth + 1, sub)) != LKA_OK)
			return st;
	}
	for (size_t i = 0; i < a->n_children; i++)
		if ((st = write_att(w, message_id, id, &a->children[i], i, depth, where, extra)) !=
		    LKA_OK)
			return st;
	return LKA_OK;
}

static lka_status
write_msg(writer *w, const lka_msg *m, int64_t parent_att, int depth, const char *where)
{
	lka_case *kase = w->kase;
	const lka_msgorigin *o = w->o;
	char sent[32], recv[32], hex[LKA_SHA256_HEX];
	unsigned pos[LKA_ROLE__COUNT] = { 0 };
	unsigned extra = 0;
	bool has_att = false;
	sqlite3_stmt *s;
	int64_t id;
	lka_status st;
	int brc = SQLITE_OK;

	if (depth > MAX_EMBED_DEPTH)
		return msg_error(w, 0, where, NULL, LKA_FAILED, LKA_E_LIMIT,
				 "embedded messages nested too deep: not stored");
	for (size_t i = 0; i < m->n_atts; i++)
		if (!(m->atts[i].flags & LKA_ATT_INLINE))
			has_att = true;
	if (!(s = stmt(kase, S_MSG_INSERT, w->err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, o->source_id);
	bind_id(s, 2, o->file_id);
	bind_id(s, 3, o->folder_id);
	bind_id(s, 4, parent_att);
	sqlite3_bind_int(s, 5, depth);
	bind_id(s, 6, kase->run_id);
	bind_u64(s, 7, o->loc.ordinal);
	if (depth == 0 && o->loc.offset >= 0)
		sqlite3_bind_int64(s, 8, o->loc.offset);
	else
		sqlite3_bind_null(s, 8);
	if (depth == 0 && o->loc.length >= 0)
		sqlite3_bind_int64(s, 9, o->loc.length);
	else
		sqlite3_bind_null(s, 9);
	bind_text(s, 10, m->item_class ? m->item_class : "IPM.Note", &brc);
	bind_text(s, 11, m->message_id, &brc);
	bind_text(s, 12, m->in_reply_to, &brc);
	bind_text(s, 13, m->references, &brc);
	bind_text(s, 14, m->subject, &brc);
	bind_text(s, 15, m->has_sent_at && unix_iso(m->sent_at, sent) ? sent : NULL, &brc);
	if (m->has_sent_at)
		sqlite3_bind_int(s, 16, m->tz_offset);
	else
		sqlite3_bind_null(s, 16);
	bind_text(s, 17, m->date_raw, &brc);
	bind_text(s, 18, m->has_received_at && unix_iso(m->received_at, recv) ? recv : NULL, &brc);
	bind_text(s, 19, m->from_address, &brc);
	bind_text(s, 20, m->from_name, &brc);
	bind_text(s, 21, m->body_text, &brc);
	bind_text(s, 22, m->body_html, &brc);
	bind_text(s, 23, m->headers, &brc);
	bind_text(s, 24, m->maildir_flags, &brc);
	if (m->has_raw_sha256 || m->raw_size)
		bind_u64(s, 25, m->raw_size);
	else
		sqlite3_bind_null(s, 25);
	lka_sha256_hex(m->raw_sha256, hex);
	bind_text(s, 26, m->has_raw_sha256 ? hex : NULL, &brc);
	bind_u64(s, 27, m->n_addrs);
	bind_u64(s, 28, count_atts(m->atts, m->n_atts));
	sqlite3_bind_int(s, 29, has_att);
	bind_u64(s, 30, m->diags.n);
	if ((st = run(kase, s, &brc, "record a message", w->err)) != LKA_OK)
		return st;
	id = sqlite3_last_insert_rowid(kase->db);
	w->n.messages++;
	if (m->engine || m->recovered) {
		/* Outlook items: which engine read it, recovered or not (sql/pst.sql) */
		if (!(s = stmt(kase, S_PST_MSG, w->err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, m->engine, &brc);
		sqlite3_bind_int(s, 3, m->recovered);
		if ((st = run(kase, s, &brc, "record a message's engine", w->err)) != LKA_OK)
			return st;
	}

	if (m->n_addrs && !(s = stmt(kase, S_RCPT_INSERT, w->err)))
		return LKA_FATAL;
	for (size_t i = 0; i < m->n_addrs; i++) {
		const lka_addr *a = &m->addrs[i];
		/* an unknown role fails the CHECK: the message is not stored mislabelled */
		unsigned r = (unsigned)a->role < LKA_ROLE__COUNT ? (unsigned)a->role : 0;
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, lka_role_name(a->role), &brc);
		bind_text(s, 3, a->address, &brc);
		bind_text(s, 4, a->name, &brc);
		bind_text(s, 5, a->raw, &brc);
		bind_text(s, 6, a->address ? lka_addr_domain(a->address) : NULL, &brc);
		sqlite3_bind_int(s, 7, (int)pos[r]++);
		if ((st = run(kase, s, &brc, "record a recipient", w->err)) != LKA_OK)
			return st;
		if (a->addr_type || a->legacy_dn) {
			sqlite3_stmt *u = stmt(kase, S_PST_RCPT, w->err);
			if (!u)
				return LKA_FATAL;
			sqlite3_bind_int64(u, 1, sqlite3_last_insert_rowid(kase->db));
			bind_text(u, 2, a->addr_type, &brc);
			bind_text(u, 3, a->legacy_dn, &brc);
			if ((st = run(kase, u, &brc, "record a recipient's MAPI address", w->err)) !=
			    LKA_OK)
				return st;
		}
	}
	for (size_t i = 0; i < m->n_atts; i++)
		if ((st = write_att(w, id, 0, &m->atts[i], i, depth, where, &extra)) != LKA_OK)
			return st;
	for (size_t i = 0; i < m->diags.n; i++) {
		const lka_diag *d = &m->diags.v[i];
		if ((st = msg_error(w, id, where, d->location, d->severity, d->kind, d->message)) !=
		    LKA_OK)
			return st;
	}
	if (extra) {
		/* errors rows written about this message besides the reader's */
		if (!(s = stmt(kase, S_MSG_ERRORS, w->err)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, extra);
		if ((st = run(kase, s, &brc, "count the errors of a message", w->err)) != LKA_OK)
			return st;
	}
	return LKA_OK;
}

lka_status
lka_case__message_write(lka_case *kase, const lka_msgorigin *o, const lka_msg *m,
			bool store_content, lka_write_counts *counts, lka_error *err)
{
	writer w = { .kase = kase, .o = o, .store = store_content, .err = err };
	char where[768];
	sqlite3_stmt *s;
	lka_status st;
	int brc = SQLITE_OK;

	if (kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "the case is open read-only");
	if (o->loc.offset >= 0)
		snprintf(where, sizeof where, "%s: item %llu, offset %lld",
			 o->file_display ? o->file_display : "?", (unsigned long long)o->loc.ordinal,
			 (long long)o->loc.offset);
	else
		snprintf(where, sizeof where, "%s: item %llu", o->file_display ? o->file_display : "?",
			 (unsigned long long)o->loc.ordinal);
	if (!(s = stmt(kase, S_SAVEPOINT, err)) || run(kase, s, &brc, "begin a message", err) != LKA_OK)
		return LKA_FATAL;
	st = write_msg(&w, m, 0, 0, where);
	if (st == LKA_OK) {
		if (!(s = stmt(kase, S_SOURCE_ADD_COUNTS, err))) {
			st = LKA_FATAL;
		} else {
			sqlite3_bind_int64(s, 1, o->source_id);
			bind_u64(s, 2, w.n.messages);
			bind_u64(s, 3, w.n.attachments);
			bind_u64(s, 4, w.n.errors);
			st = run(kase, s, &brc, "count the message", err);
		}
	}
	if (st != LKA_OK) {
		/* Undo this message only; the batch around it stays. */
		if (!(s = stmt(kase, S_ROLLBACK_TO, NULL)) || sqlite3_step(s) != SQLITE_DONE) {
			st = LKA_FATAL;
			if (err)
				err->status = LKA_FATAL;
		}
		if (s)
			sqlite3_reset(s);
	}
	if (!(s = stmt(kase, S_RELEASE, err)) || run(kase, s, &brc, "end a message", err) != LKA_OK) {
		st = LKA_FATAL;
		if (err)
			err->status = LKA_FATAL;
	}
	if (st == LKA_OK && counts) {
		counts->messages += w.n.messages;
		counts->attachments += w.n.attachments;
		counts->errors += w.n.errors;
		counts->blobs_new += w.n.blobs_new;
	}
	return st;
}

lka_status
lka_case__error_write(lka_case *kase, int64_t source_id, int64_t file_id, const char *location,
		      lka_status severity, lka_errkind kind, const char *message, lka_error *err)
{
	sqlite3_stmt *s;
	int brc = SQLITE_OK;

	if (insert_error(kase, source_id, file_id, 0, location, severity, kind, message, err) !=
	    LKA_OK)
		return LKA_FATAL;
	if (source_id <= 0)
		return LKA_OK;
	if (!(s = stmt(kase, S_SOURCE_ADD_COUNTS, err)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, 0);
	sqlite3_bind_int64(s, 3, 0);
	sqlite3_bind_int64(s, 4, 1);
	return run(kase, s, &brc, "count the error", err) == LKA_OK ? LKA_OK : LKA_FATAL;
}
