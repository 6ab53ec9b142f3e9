/*
 * verify.c — re-check a case against the evidence it was made from, and
 * the database against itself.  Reads only: evidence is opened read-only
 * (lka_sha256_file, lka_scan_source), and the case is only queried.
 *
 * A file source is re-hashed and compared by size and SHA-256.  A folder
 * source is scanned again with lka_scan_source (the same walk and manifest
 * rule as ingest, scan.h) and compared file by file with source_files
 * (MATCH, CHANGED, MISSING, ADDED, UNREADABLE), then as a whole by its
 * manifest SHA-256.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casedb.h"

const char *
lka_verify_state_name(lka_verify_state st)
{
	switch (st) {
	case LKA_VERIFY_MATCH: return "match";
	case LKA_VERIFY_CHANGED: return "changed";
	case LKA_VERIFY_MISSING: return "missing";
	case LKA_VERIFY_UNREADABLE: return "unreadable";
	case LKA_VERIFY_ADDED: return "added";
	}
	return "unknown";
}

typedef struct verifier {
	lka_case *kase;
	lka_verify_report *rep;
	lka_verify_fn fn;
	void *payload;
	lka_error *err;
} verifier;

/* A source as recorded. */
typedef struct vsource {
	int64_t id;
	const char *path;
	const char *kind;
	uint64_t bytes;
	const char *sha256;
} vsource;

static void
tell(verifier *v, const vsource *s, const char *relpath, lka_verify_state st, const char *detail)
{
	if (v->fn)
		v->fn(s->id, s->path, relpath, st, detail, v->payload);
}

static void
count_source(verifier *v, lka_verify_state st)
{
	switch (st) {
	case LKA_VERIFY_MATCH: v->rep->matched++; break;
	case LKA_VERIFY_MISSING: v->rep->missing++; break;
	case LKA_VERIFY_UNREADABLE: v->rep->unreadable++; break;
	default: v->rep->changed++; break;
	}
}

static bool
is_folder_kind(const char *kind)
{
	return strcmp(kind, "maildir") == 0 || strcmp(kind, "folder") == 0;
}

/* Where the evidence was: MISSING for ENOENT/ENOTDIR, else UNREADABLE. */
static lka_verify_state
absent_state(int e)
{
	return e == ENOENT || e == ENOTDIR ? LKA_VERIFY_MISSING : LKA_VERIFY_UNREADABLE;
}

static lka_status
verify_file_source(verifier *v, const vsource *s)
{
	uint8_t d[LKA_SHA256_LEN];
	char hex[LKA_SHA256_HEX], detail[256];
	lka_error e = { 0 };
	lka_verify_state st;
	uint64_t size = 0;
	struct stat sb;

	if (lstat(s->path, &sb) != 0) {
		st = absent_state(errno);
		snprintf(detail, sizeof detail, "%s", strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		st = LKA_VERIFY_CHANGED;
		snprintf(detail, sizeof detail, "no longer a regular file");
	} else if (lka_sha256_file(s->path, d, &size, &e) != LKA_OK) {
		st = absent_state(e.sys);
		snprintf(detail, sizeof detail, "%s", e.msg);
	} else {
		lka_sha256_hex(d, hex);
		if (size == s->bytes && strcmp(hex, s->sha256) == 0) {
			st = LKA_VERIFY_MATCH;
			snprintf(detail, sizeof detail, "%llu bytes, SHA-256 %s",
				 (unsigned long long)size, hex);
		} else {
			st = LKA_VERIFY_CHANGED;
			snprintf(detail, sizeof detail,
				 "recorded %llu bytes, SHA-256 %.16s...; now %llu bytes, %.16s...",
				 (unsigned long long)s->bytes, s->sha256, (unsigned long long)size, hex);
		}
	}
	count_source(v, st);
	tell(v, s, NULL, st, detail);
	return LKA_OK;
}

/* Compare one recorded file with what the new scan found (f may be NULL). */
static lka_verify_state
compare_file(const char *role, const char *sha, uint64_t bytes, const lka_scan_file *f,
	     char *detail, size_t cap)
{
	bool rec_hashed = sha != NULL, rec_special = strcmp(role, "special") == 0;
	char hex[LKA_SHA256_HEX];

	detail[0] = '\0';
	if (!f) {
		snprintf(detail, cap, "recorded, not found");
		return LKA_VERIFY_MISSING;
	}
	if (f->role == LKA_ROLE_SPECIAL) {
		if (rec_special)
			return LKA_VERIFY_MATCH;
		snprintf(detail, cap, "no longer a regular file");
		return LKA_VERIFY_CHANGED;
	}
	if (f->role == LKA_ROLE_UNREADABLE) {
		snprintf(detail, cap, "%s", f->note ? f->note : "cannot be read");
		return LKA_VERIFY_UNREADABLE;
	}
	if (rec_special) {
		snprintf(detail, cap, "was a special file, now a regular file");
		return LKA_VERIFY_CHANGED;
	}
	if (!rec_hashed) {
		snprintf(detail, cap, "unreadable when recorded, readable now");
		return LKA_VERIFY_CHANGED;
	}
	lka_sha256_hex(f->sha256, hex);
	if (f->size == bytes && strcmp(hex, sha) == 0)
		return LKA_VERIFY_MATCH;
	snprintf(detail, cap, "recorded %llu bytes, SHA-256 %.16s...; now %llu bytes, %.16s...",
		 (unsigned long long)bytes, sha, (unsigned long long)f->size, hex);
	return LKA_VERIFY_CHANGED;
}

static lka_status
verify_folder_source(verifier *v, const vsource *s)
{
	lka_case *kase = v->kase;
	lka_scan scan = { 0 };
	lka_error e = { 0 };
	sqlite3_stmt *q = NULL;
	struct stat sb;
	char detail[512], hex[LKA_SHA256_HEX];
	uint64_t n_changed = 0, n_missing = 0, n_added = 0, n_unreadable = 0, n_match = 0;
	lka_verify_state st;
	lka_status rs = LKA_OK;
	size_t i = 0;
	int rc;

	if (lstat(s->path, &sb) != 0) {
		st = absent_state(errno);
		count_source(v, st);
		tell(v, s, NULL, st, strerror(errno));
		return LKA_OK;
	}
	if (!S_ISDIR(sb.st_mode)) {
		count_source(v, LKA_VERIFY_CHANGED);
		tell(v, s, NULL, LKA_VERIFY_CHANGED, "no longer a folder");
		return LKA_OK;
	}
	if (lka_scan_source(&scan, s->path, kase->ctx ? &kase->ctx->limits : NULL, &e) != LKA_OK) {
		st = e.kind == LKA_E_NOMEM ? LKA_VERIFY_UNREADABLE : absent_state(e.sys);
		if (e.kind == LKA_E_NOMEM) {
			rs = lka__error(v->err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, s->path,
					"out of memory");
			goto out;
		}
		count_source(v, st);
		tell(v, s, NULL, st, e.msg);
		goto out;
	}
	/* Merge the recorded files (ORDER BY relpath: bytewise, as scan sorts). */
	if (sqlite3_prepare_v2(kase->db,
			       "SELECT relpath, role, sha256, bytes FROM source_files "
			       "WHERE source_id = ?1 ORDER BY relpath",
			       -1, &q, NULL) != SQLITE_OK) {
		rs = lka_case__dberr(kase, v->err, "read the files of a source");
		goto out;
	}
	sqlite3_bind_int64(q, 1, s->id);
	rc = sqlite3_step(q);
	for (;;) {
		const char *rel = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
		const lka_scan_file *f = NULL;

		if (!rel && i >= scan.n_files)
			break;
		if (i < scan.n_files && (!rel || strcmp(scan.files[i].relpath, rel) < 0)) {
			/* found now, sorts before the next recorded file: added */
			n_added++;
			tell(v, s, scan.files[i].relpath, LKA_VERIFY_ADDED, "found, not recorded");
			i++;
			continue;
		}
		if (i < scan.n_files && strcmp(scan.files[i].relpath, rel) == 0)
			f = &scan.files[i++];
		st = compare_file((const char *)sqlite3_column_text(q, 1),
				  (const char *)sqlite3_column_text(q, 2),
				  (uint64_t)sqlite3_column_int64(q, 3), f, detail, sizeof detail);
		switch (st) {
		case LKA_VERIFY_MATCH: n_match++; break;
		case LKA_VERIFY_MISSING: n_missing++; break;
		case LKA_VERIFY_UNREADABLE: n_unreadable++; break;
		default: n_changed++; break;
		}
		tell(v, s, rel, st, detail);
		rc = sqlite3_step(q);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rs = lka_case__dberr(kase, v->err, "read the files of a source");
		goto out;
	}
	/* The source as a whole: its manifest hash, and the files. */
	lka_sha256_hex(scan.sha256, hex);
	if (n_changed || n_missing || n_added || strcmp(hex, s->sha256) != 0)
		st = LKA_VERIFY_CHANGED;
	else if (n_unreadable)
		st = LKA_VERIFY_UNREADABLE;
	else
		st = LKA_VERIFY_MATCH;
	snprintf(detail, sizeof detail,
		 "%llu files match, %llu changed, %llu missing, %llu added, %llu unreadable; "
		 "manifest SHA-256 %s",
		 (unsigned long long)n_match, (unsigned long long)n_changed,
		 (unsigned long long)n_missing, (unsigned long long)n_added,
		 (unsigned long long)n_unreadable,
		 strcmp(hex, s->sha256) == 0 ? "matches" : "differs");
	count_source(v, st);
	tell(v, s, NULL, st, detail);
out:
	sqlite3_finalize(q);
	lka_scan_clear(&scan);
	return rs;
}

/* ------------------------------------------------------------ the database */

/* Note the first problem found. */
static void
problem(verifier *v, const char *fmt, ...) LKA_PRINTF(2, 3);

static void
problem(verifier *v, const char *fmt, ...)
{
	va_list ap;

	v->rep->db_consistency_ok = 0;
	if (v->rep->db_detail[0])
		return;
	va_start(ap, fmt);
	vsnprintf(v->rep->db_detail, sizeof v->rep->db_detail, fmt, ap);
	va_end(ap);
}

static lka_status
integrity(verifier *v)
{
	sqlite3_stmt *q = NULL;
	lka_status rs = LKA_OK;
	int rc;

	v->rep->db_integrity_ok = 0;
	if (sqlite3_prepare_v2(v->kase->db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK)
		return lka_case__dberr(v->kase, v->err, "integrity check");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		if (t && strcmp(t, "ok") == 0) {
			v->rep->db_integrity_ok = 1;
		} else if (!v->rep->db_detail[0]) {
			snprintf(v->rep->db_detail, sizeof v->rep->db_detail, "integrity_check: %s",
				 t ? t : "?");
		}
	} else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
		snprintf(v->rep->db_detail, sizeof v->rep->db_detail, "integrity_check: %s",
			 sqlite3_errmsg(v->kase->db));
	} else {
		rs = lka_case__dberr(v->kase, v->err, "integrity check");
	}
	sqlite3_finalize(q);
	return rs;
}

/* A consistency query: a count that must be 0. */
typedef struct check {
	const char *what; /* follows the count: "messages whose source row is missing" */
	const char *sql;
} check;

static const check checks[] = {
	{ "messages whose source row is missing",
	  "SELECT count(*) FROM messages m WHERE NOT EXISTS "
	  "(SELECT 1 FROM sources s WHERE s.id = m.source_id)" },
	{ "attachments marked stored whose content is not in blobs",
	  "SELECT count(*) FROM attachments a WHERE a.stored = 1 AND NOT EXISTS "
	  "(SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256 AND b.stored_bytes IS NOT NULL)" },
	{ "attachments without a blobs row",
	  "SELECT count(*) FROM attachments a WHERE NOT EXISTS "
	  "(SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256)" },
	{ "chunked blobs whose chunks are incomplete",
	  "SELECT count(*) FROM blobs b WHERE b.chunks > 0 AND (b.chunks <> "
	  "(SELECT count(*) FROM blob_chunks c WHERE c.sha256 = b.sha256) OR b.stored_bytes <> "
	  "(SELECT sum(length(c.data)) FROM blob_chunks c WHERE c.sha256 = b.sha256))" },
	{ "blobs whose stored size differs from their data",
	  "SELECT count(*) FROM blobs WHERE chunks = 0 AND stored_bytes IS NOT NULL AND "
	  "(data IS NULL OR length(data) <> stored_bytes)" },
	{ "rows of difference between the full-text index and messages",
	  "SELECT abs((SELECT count(*) FROM messages_fts_docsize) - "
	  "(SELECT count(*) FROM messages))" },
	{ "full-text index rows without their message",
	  "SELECT count(*) FROM messages_fts_docsize d WHERE NOT EXISTS "
	  "(SELECT 1 FROM messages m WHERE m.id = d.id)" },
	{ "sources whose counters differ from what they hold",
	  "SELECT count(*) FROM sources s WHERE "
	  "s.files <> (SELECT count(*) FROM source_files f WHERE f.source_id = s.id) OR "
	  "s.messages <> (SELECT count(*) FROM messages m WHERE m.source_id = s.id) OR "
	  "s.attachments <> (SELECT count(*) FROM attachments a JOIN messages m "
	  "ON m.id = a.message_id WHERE m.source_id = s.id) OR "
	  "s.errors <> (SELECT count(*) FROM errors e WHERE e.source_id = s.id)" },
	{ "messages whose attachment_count differs from their attachments",
	  "SELECT count(*) FROM messages m WHERE m.attachment_count <> "
	  "(SELECT count(*) FROM attachments a WHERE a.message_id = m.id)" },
	{ "embedded messages of another source than their parent",
	  "SELECT count(*) FROM messages e JOIN attachments a ON a.id = e.parent_attachment_id "
	  "JOIN messages p ON p.id = a.message_id WHERE p.source_id <> e.source_id" },
	{ "folders of another source than their parent",
	  "SELECT count(*) FROM folders f JOIN folders p ON p.id = f.parent_id "
	  "WHERE p.source_id <> f.source_id" },
	{ "sources without their root folder",
	  "SELECT count(*) FROM sources s WHERE NOT EXISTS "
	  "(SELECT 1 FROM folders f WHERE f.source_id = s.id AND f.path = '')" },
	{ "address-book entries whose counts differ from their rows",
	  "SELECT count(*) FROM contacts c WHERE "
	  "c.email_count <> (SELECT count(*) FROM contact_emails e WHERE e.contact_id = c.id) OR "
	  "c.phone_count <> (SELECT count(*) FROM contact_phones p WHERE p.contact_id = c.id) OR "
	  "c.member_count <> (SELECT count(*) FROM contact_list_members m WHERE m.contact_id = c.id)" },
	{ "address-book entries of another source than their file or message",
	  "SELECT count(*) FROM contacts c LEFT JOIN source_files f ON f.id = c.source_file_id "
	  "LEFT JOIN messages m ON m.id = c.message_id WHERE f.source_id <> c.source_id "
	  "OR m.source_id <> c.source_id" },
	{ "address-book entries whose attachment is not their message's",
	  "SELECT count(*) FROM contacts c JOIN attachments a ON a.id = c.attachment_id "
	  "WHERE c.message_id IS NOT a.message_id" },
};

static lka_status
consistency(verifier *v)
{
	sqlite3_stmt *q = NULL;
	lka_status rs = LKA_OK;
	int rc;

	v->rep->db_consistency_ok = 1;
	/* Foreign keys first: one row per dangling reference. */
	if (sqlite3_prepare_v2(v->kase->db, "PRAGMA foreign_key_check", -1, &q, NULL) != SQLITE_OK)
		return lka_case__dberr(v->kase, v->err, "foreign key check");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		problem(v, "foreign_key_check: %s row %lld refers to a missing %s row",
			(const char *)sqlite3_column_text(q, 0), (long long)sqlite3_column_int64(q, 1),
			(const char *)sqlite3_column_text(q, 2));
	else if (rc != SQLITE_DONE)
		rs = lka_case__dberr(v->kase, v->err, "foreign key check");
	sqlite3_finalize(q);
	q = NULL;
	for (size_t i = 0; i < LKA_ARRAY_LEN(checks) && rs == LKA_OK; i++) {
		if (sqlite3_prepare_v2(v->kase->db, checks[i].sql, -1, &q, NULL) != SQLITE_OK) {
			rs = lka_case__dberr(v->kase, v->err, "consistency check");
			break;
		}
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			long long n = sqlite3_column_int64(q, 0);
			if (n != 0)
				problem(v, "%lld %s", n, checks[i].what);
		} else {
			rs = lka_case__dberr(v->kase, v->err, "consistency check");
		}
		sqlite3_finalize(q);
		q = NULL;
	}
	return rs;
}

lka_status
lka_case_verify(lka_case *kase, lka_verify_report *out, lka_verify_fn fn, void *payload,
		lka_error *err)
{
	verifier v = { .kase = kase, .rep = out, .fn = fn, .payload = payload, .err = err };
	sqlite3_stmt *q = NULL;
	lka_status rs = LKA_OK;
	bool read_tx = false;
	int rc;

	memset(out, 0, sizeof *out);
	if (!kase || !kase->db)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, NULL, "no case");
	/* One read transaction: a consistent snapshot even while ingest writes. */
	if (sqlite3_get_autocommit(kase->db)) {
		if (sqlite3_exec(kase->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			return lka_case__dberr(kase, err, "begin reading");
		read_tx = true;
	}
	if (sqlite3_prepare_v2(kase->db, "SELECT id, path, kind, bytes, sha256 FROM sources "
					 "ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK) {
		rs = lka_case__dberr(kase, err, "read the sources");
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		vsource s = {
			.id = sqlite3_column_int64(q, 0),
			.path = (const char *)sqlite3_column_text(q, 1),
			.kind = (const char *)sqlite3_column_text(q, 2),
			.bytes = (uint64_t)sqlite3_column_int64(q, 3),
			.sha256 = (const char *)sqlite3_column_text(q, 4),
		};
		if (!s.path || !s.kind || !s.sha256)
			continue; /* NOT NULL columns: cannot happen in a sound case */
		out->sources++;
		rs = is_folder_kind(s.kind) ? verify_folder_source(&v, &s) : verify_file_source(&v, &s);
		if (rs != LKA_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		rs = lka_case__dberr(kase, err, "read the sources");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	if ((rs = integrity(&v)) != LKA_OK || (rs = consistency(&v)) != LKA_OK)
		goto out;
	if (out->changed || out->missing || out->unreadable || !out->db_integrity_ok ||
	    !out->db_consistency_ok)
		rs = lka__error(err, LKA_WARN, LKA_E_CHANGED, 0, kase->path,
				"%llu changed, %llu missing, %llu unreadable; database %s",
				(unsigned long long)out->changed, (unsigned long long)out->missing,
				(unsigned long long)out->unreadable,
				out->db_integrity_ok && out->db_consistency_ok ? "ok" : "inconsistent");
out:
	sqlite3_finalize(q);
	if (read_tx)
		sqlite3_exec(kase->db, "COMMIT", NULL, NULL, NULL);
	if (rs != LKA_OK && rs != LKA_WARN) {
		rs = LKA_FATAL;
		if (err)
			err->status = rs;
	}
	return rs;
}
