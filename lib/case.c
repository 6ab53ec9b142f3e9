/*
 * case.c — opening a case database: creation, the checks that it is ours
 * and not too new, schema upgrades, connection settings; transactions and
 * the ingest_runs provenance rows.
 *
 * Upgrades are an ordered list of steps, steps[k] taking schema k to k+1.
 * All steps a case needs run in one IMMEDIATE transaction together with the
 * re-creation of the views, so a case is always at one version or the
 * other, never in between.  Version 0 is "no schema": step 0 creates it.
 * To change the schema: add a step, bump LKA_SCHEMA_VERSION, describe it in
 * docs/schema.md.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "casedb.h"

#define BUSY_TIMEOUT_MS 30000

/* The library's schema history: steps[k] upgrades schema k to k+1. */
static const lka_migration migrations[] = {
	{ "create the case (schema 1)", lka_sql_schema },
	{ "contacts and people (schema 2)", lka_sql_contacts },
	{ "PST: engines, MAPI addresses, folder roles and counts (schema 3)", lka_sql_pst },
	{ "container attachments (schema 4)", lka_sql_containers },
	{ "personal-data scan: scans, findings, attachment_text (schema 5)", lka_sql_pii },
	{ "attachment triage: attachment_flags, ioc_matches (schema 6)", lka_sql_triage },
	{ "lookup indexes: contacts by folder (schema 7)", lka_sql_indexes },
	{ "attachment triage provenance: triage_runs (schema 8)", lka_sql_triage_runs },
};

_Static_assert(LKA_ARRAY_LEN(migrations) == LKA_SCHEMA_VERSION,
	       "one migration step per schema version");

/* The views, dropped and re-created after every upgrade, in this order (a
 * later set may use an earlier one's views).  Each text drops its own views
 * first (DROP VIEW IF EXISTS). */
static const struct {
	const char *what, *sql;
} view_sets[] = {
	{ "create the views", lka_sql_views },
	{ "create the contact and people views", lka_sql_contacts_views },
	{ "create the PST views", lka_sql_pst_views },
	{ "create the personal-data views", lka_sql_pii_views },
	{ "create the attachment triage views", lka_sql_triage_views },
};

int
lka_case_schema_version(void)
{
	return LKA_SCHEMA_VERSION;
}

void *
lka_case_sqlite(lka_case *kase)
{
	return kase ? kase->db : NULL;
}

void
lka_case__now_iso(char out[32])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

lka_status
lka_case__dberr(lka_case *kase, lka_error *err, const char *what)
{
	int code = kase && kase->db ? sqlite3_extended_errcode(kase->db) : SQLITE_ERROR;
	const char *msg = kase && kase->db ? sqlite3_errmsg(kase->db) : sqlite3_errstr(code);
	lka_status st;

	/* A value or a row this item cannot have: the item is lost, the case
	 * goes on.  Anything else (I/O, full disk, corruption, locks): stop. */
	switch (code & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		st = LKA_FAILED;
		break;
	default:
		st = LKA_FATAL;
		break;
	}
	return lka__error(err, st, LKA_E_DB, code, kase ? kase->path : NULL, "%s: %s", what, msg);
}

/* Failures of the case itself are fatal to the caller's operation. */
static lka_status
fatal(lka_status st, lka_error *err)
{
	if (st == LKA_OK)
		return st;
	if (err)
		err->status = LKA_FATAL;
	return LKA_FATAL;
}

/* Run SQL without results (fixed text only: nothing is formatted in). */
lka_status
lka_case__exec(lka_case *kase, const char *sql, const char *what, lka_error *err)
{
	if (sqlite3_exec(kase->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return lka_case__dberr(kase, err, what ? what : sql);
	return LKA_OK;
}

/* One integer from a query (a PRAGMA). */
static lka_status
query_int(lka_case *kase, const char *sql, int64_t *out, lka_error *err)
{
	sqlite3_stmt *s = NULL;
	lka_status st = LKA_OK;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(kase->db, sql, -1, &s, NULL) != SQLITE_OK)
		return lka_case__dberr(kase, err, sql);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		st = lka_case__dberr(kase, err, sql);
	sqlite3_finalize(s);
	return st;
}

static lka_status
not_a_case(lka_case *kase, lka_error *err, const char *why)
{
	return lka__error(err, LKA_FATAL, LKA_E_UNSUPPORTED, 0, kase->path, "%s", why);
}

/*
 * Is this database ours?  *version receives its schema version (0 for an
 * empty database that may become a case).
 */
static lka_status
check_identity(lka_case *kase, int n_steps, int64_t *version, lka_error *err)
{
	int64_t app = 0, objects = 0;
	lka_status st;

	st = query_int(kase, "PRAGMA application_id", &app, err);
	if (st != LKA_OK) {
		if ((sqlite3_extended_errcode(kase->db) & 0xff) == SQLITE_NOTADB)
			return not_a_case(kase, err, "not a leakaudit case: not an SQLite database");
		return LKA_FATAL;
	}
	if ((st = query_int(kase, "PRAGMA user_version", version, err)) != LKA_OK ||
	    (st = query_int(kase, "SELECT count(*) FROM sqlite_schema", &objects, err)) != LKA_OK)
		return LKA_FATAL;
	if (objects == 0 && *version == 0)
		return LKA_OK; /* empty: ours to create, whatever its application_id */
	if (app != LKA_APPLICATION_ID)
		return lka__error(err, LKA_FATAL, LKA_E_UNSUPPORTED, 0, kase->path,
				  "not a leakaudit case: an SQLite database of another application "
				  "(application_id %lld)",
				  (long long)app);
	if (*version > n_steps)
		return lka__error(err, LKA_FATAL, LKA_E_UNSUPPORTED, 0, kase->path,
				  "case was written by a newer leakaudit (schema %lld)",
				  (long long)*version);
	if (*version < 0)
		return not_a_case(kase, err, "not a leakaudit case: bad schema version");
	return LKA_OK;
}

/* Apply steps[from .. n_steps-1] and re-create the views, in the open transaction. */
static lka_status
apply_steps(lka_case *kase, const lka_migration *steps, int from, int n_steps, lka_error *err)
{
	sqlite3_stmt *s = NULL;
	lka_status st = LKA_OK;
	char sql[64], now[32];

	for (int k = from; k < n_steps; k++) {
		if ((st = lka_case__exec(kase, steps[k].sql, steps[k].what, err)) != LKA_OK)
			goto out;
		/* PRAGMA takes no parameters; k is ours, not evidence. */
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", k + 1);
		if ((st = lka_case__exec(kase, sql, "set the schema version", err)) != LKA_OK)
			goto out;
		if (sqlite3_prepare_v2(kase->db,
				       "INSERT INTO schema_migrations (version, description, "
				       "tool_version, applied_at) VALUES (?1, ?2, ?3, ?4)",
				       -1, &s, NULL) != SQLITE_OK) {
			st = lka_case__dberr(kase, err, "record the schema upgrade");
			goto out;
		}
		lka_case__now_iso(now);
		sqlite3_bind_int(s, 1, k + 1);
		sqlite3_bind_text(s, 2, steps[k].what, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, lka_version(), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			st = lka_case__dberr(kase, err, "record the schema upgrade");
			goto out;
		}
		sqlite3_finalize(s);
		s = NULL;
	}
	/* The application_id too, in case step 0 came from an older text. */
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", LKA_APPLICATION_ID);
	if ((st = lka_case__exec(kase, sql, "set the application id", err)) != LKA_OK)
		goto out;
	for (size_t i = 0; i < LKA_ARRAY_LEN(view_sets) && st == LKA_OK; i++)
		st = lka_case__exec(kase, view_sets[i].sql, view_sets[i].what, err);
out:
	sqlite3_finalize(s);
	return st;
}

/* Bring a read-write case to n_steps (creating it from version 0). */
static lka_status
upgrade(lka_case *kase, const lka_migration *steps, int n_steps, lka_error *err)
{
	int64_t version = 0;
	lka_status st;

	if ((st = lka_case__exec(kase, "BEGIN IMMEDIATE", "begin the schema transaction", err)) != LKA_OK)
		return st;
	/* Read again under the write lock: another process may have upgraded it. */
	if ((st = check_identity(kase, n_steps, &version, err)) != LKA_OK)
		goto fail;
	if ((st = apply_steps(kase, steps, (int)version, n_steps, err)) != LKA_OK)
		goto fail;
	if ((st = lka_case__exec(kase, "COMMIT", "commit the schema", err)) != LKA_OK)
		goto fail;
	return LKA_OK;
fail:
	sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
	return fatal(st, err);
}

lka_status
lka_case__open_steps(lka_case **out, lka_ctx *ctx, const char *path, unsigned flags,
		     const lka_migration *steps, int n_steps, lka_error *err)
{
	lka_case *kase = NULL;
	int64_t version = 0;
	lka_status st = LKA_FATAL;
	int oflags;

	*out = NULL;
	if (!path || ((flags & LKA_CASE_CREATE) && (flags & LKA_CASE_READONLY)))
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path,
				  "a case cannot be created read-only");
	kase = calloc(1, sizeof *kase);
	if (!kase || !(kase->path = lka__strdup(path))) {
		st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, path, "out of memory");
		goto out;
	}
	kase->ctx = ctx;
	kase->readonly = (flags & LKA_CASE_READONLY) != 0;
	if (kase->readonly)
		oflags = SQLITE_OPEN_READONLY;
	else if (flags & LKA_CASE_CREATE)
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	else
		oflags = SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &kase->db, oflags, NULL) != SQLITE_OK) {
		st = fatal(lka_case__dberr(kase, err, "cannot open the case"), err);
		goto out;
	}
	sqlite3_extended_result_codes(kase->db, 1);
	sqlite3_busy_timeout(kase->db, BUSY_TIMEOUT_MS);
	if ((st = check_identity(kase, n_steps, &version, err)) != LKA_OK)
		goto out;
	if (kase->readonly) {
		if (version == 0) {
			st = not_a_case(kase, err, "not a leakaudit case: empty database");
			goto out;
		}
		if (version < n_steps) {
			st = lka__error(err, LKA_FATAL, LKA_E_UNSUPPORTED, 0, kase->path,
					"case has schema %lld, this leakaudit reads schema %d: open "
					"it once for writing to upgrade it",
					(long long)version, n_steps);
			goto out;
		}
		if ((st = lka_case__exec(kase, "PRAGMA query_only = ON", "open read-only", err)) != LKA_OK ||
		    (st = lka_case__exec(kase, "PRAGMA foreign_keys = ON", "enable foreign keys", err)) !=
			    LKA_OK)
			goto out;
	} else {
		/* WAL: auditors can read while ingest writes; NORMAL is durable
		 * against application crashes, and a batch lost to a power cut
		 * is read again on resume.  foreign_keys must be set outside a
		 * transaction, and must be on for the cascades.  A 64 MiB cache
		 * and WAL (checkpoint every 16384 pages rather than 1000) write
		 * the index pages that every batch touches less often: 10% less
		 * written in the 100,000-message benchmark. */
		if ((st = lka_case__exec(kase, "PRAGMA journal_mode = WAL", "set WAL mode", err)) != LKA_OK ||
		    (st = lka_case__exec(kase, "PRAGMA synchronous = NORMAL", "set synchronous", err)) !=
			    LKA_OK ||
		    (st = lka_case__exec(kase, "PRAGMA foreign_keys = ON", "enable foreign keys", err)) !=
			    LKA_OK ||
		    (st = lka_case__exec(kase, "PRAGMA cache_size = -16384", "set the cache size", err)) !=
			    LKA_OK ||
		    (st = lka_case__exec(kase, "PRAGMA wal_autocheckpoint = 16384", "set the checkpoint size",
			       err)) != LKA_OK)
			goto out;
		if ((st = upgrade(kase, steps, n_steps, err)) != LKA_OK)
			goto out;
	}
	*out = kase;
	kase = NULL;
	st = LKA_OK;
out:
	st = fatal(st, err);
	if (kase && kase->db) {
		/* Close it untouched: it may be some other program's database. */
		sqlite3_close_v2(kase->db);
		kase->db = NULL;
	}
	lka_case_free(kase);
	return st;
}

lka_status
lka_case_open(lka_case **out, lka_ctx *ctx, const char *path, unsigned flags, lka_error *err)
{
	return lka_case__open_steps(out, ctx, path, flags, migrations,
				    (int)LKA_ARRAY_LEN(migrations), err);
}

void
lka_case_free(lka_case *kase)
{
	if (!kase)
		return;
	for (size_t i = 0; i < LKA_ARRAY_LEN(kase->stmt); i++)
		sqlite3_finalize(kase->stmt[i]);
	for (size_t i = 0; i < LKA_ARRAY_LEN(kase->cstmt); i++)
		sqlite3_finalize(kase->cstmt[i]);
	if (kase->db) {
		if (!sqlite3_get_autocommit(kase->db))
			sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
		if (!kase->readonly)
			sqlite3_exec(kase->db, "PRAGMA optimize", NULL, NULL, NULL);
		sqlite3_close_v2(kase->db);
	}
	lka_case__writer_free(kase);
	free(kase->path);
	free(kase);
}

/* ------------------------------------------------------------ transactions */

lka_status
lka_case__begin(lka_case *kase, lka_error *err)
{
	if (kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "the case is open read-only");
	if (kase->tx_depth)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "a transaction is already open");
	if (lka_case__exec(kase, "BEGIN IMMEDIATE", "begin a transaction", err) != LKA_OK)
		return fatal(LKA_FATAL, err);
	/* Index this batch's messages at commit, in one go (fts_deferral in
	 * schema.sql says why). */
	if (lka_case__exec(kase,
		 "UPDATE fts_deferral SET deferred = 1, "
		 "first_message_id = (SELECT coalesce(max(id), 0) + 1 FROM messages)",
		 "begin a transaction", err) != LKA_OK) {
		sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
		return fatal(LKA_FATAL, err);
	}
	kase->tx_depth = 1;
	return LKA_OK;
}

lka_status
lka_case__commit(lka_case *kase, lka_error *err)
{
	if (!kase->tx_depth)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "no transaction to commit");
	if (lka_case__exec(kase,
		 "INSERT INTO messages_fts (rowid, subject, body_text, from_name, from_address) "
		 "SELECT id, subject, body_text, from_name, from_address FROM messages "
		 "WHERE id >= (SELECT first_message_id FROM fts_deferral WHERE deferred = 1); "
		 "UPDATE fts_deferral SET deferred = 0, first_message_id = NULL; "
		 "COMMIT",
		 "commit", err) != LKA_OK) {
		/* A failed COMMIT may leave the transaction open: end it. */
		if (!sqlite3_get_autocommit(kase->db))
			sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
		kase->tx_depth = 0;
		return fatal(LKA_FATAL, err);
	}
	kase->tx_depth = 0;
	return LKA_OK;
}

void
lka_case__rollback(lka_case *kase)
{
	if (!kase || !kase->db)
		return;
	if (!sqlite3_get_autocommit(kase->db))
		sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
	kase->tx_depth = 0;
}

/* ------------------------------------------------------------ ingest_runs */

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

lka_status
lka_case__run_begin(lka_case *kase, const char *tool, const char *args, int64_t *run_id,
		    lka_error *err)
{
	sqlite3_stmt *s = NULL;
	lka_status st = LKA_OK;
	char host[256], platform[3 * 65 + 4] = "", now[32], uidbuf[32];
	const char *user = NULL;
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];
	struct utsname un;
	uid_t uid = geteuid();

	*run_id = 0;
	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	if (uname(&un) == 0) {
		snprintf(platform, sizeof platform, "%s %s %s", un.sysname, un.release, un.machine);
		if (!host[0])
			snprintf(host, sizeof host, "%s", un.nodename);
	}
	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &pwp) == 0 && pwp)
		user = pwp->pw_name;
	if (!user) {
		snprintf(uidbuf, sizeof uidbuf, "%lu", (unsigned long)uid);
		user = uidbuf;
	}
	lka_case__now_iso(now);
	if (sqlite3_prepare_v2(kase->db,
			       "INSERT INTO ingest_runs (tool, tool_version, schema_version, "
			       "sqlite_version, arguments, host, platform, user, uid, pid, "
			       "started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			       -1, &s, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "record the run");
		goto out;
	}
	bind_text_or_null(s, 1, tool ? tool : "leakaudit");
	bind_text_or_null(s, 2, lka_version());
	sqlite3_bind_int(s, 3, LKA_SCHEMA_VERSION);
	bind_text_or_null(s, 4, sqlite3_libversion());
	bind_text_or_null(s, 5, args);
	bind_text_or_null(s, 6, host[0] ? host : NULL);
	bind_text_or_null(s, 7, platform[0] ? platform : NULL);
	bind_text_or_null(s, 8, user);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)uid);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)getpid());
	bind_text_or_null(s, 11, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st = lka_case__dberr(kase, err, "record the run");
		goto out;
	}
	*run_id = sqlite3_last_insert_rowid(kase->db);
	kase->run_id = *run_id;
out:
	sqlite3_finalize(s);
	return fatal(st, err);
}

lka_status
lka_case__run_end(lka_case *kase, int64_t run_id, const char *outcome,
		  const lka_ingest_stats *stats, lka_error *err)
{
	static const lka_ingest_stats zero;
	const lka_ingest_stats *z = stats ? stats : &zero;
	sqlite3_stmt *s = NULL;
	lka_status st = LKA_OK;
	char now[32];

	lka_case__now_iso(now);
	if (sqlite3_prepare_v2(kase->db,
			       "UPDATE ingest_runs SET ended_at = ?2, outcome = ?3, sources = ?4, "
			       "sources_skipped = ?5, sources_failed = ?6, files = ?7, bytes = ?8, "
			       "messages = ?9, attachments = ?10, errors = ?11, reader_crashes = ?12, "
			       "seconds = ?13 WHERE id = ?1",
			       -1, &s, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "record the end of the run");
		goto out;
	}
	sqlite3_bind_int64(s, 1, run_id);
	bind_text_or_null(s, 2, now);
	bind_text_or_null(s, 3, outcome ? outcome : "unknown");
	sqlite3_bind_int64(s, 4, (sqlite3_int64)z->sources);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)z->sources_skipped);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)z->sources_failed);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)z->files_done);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)z->bytes_done);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)z->messages);
	sqlite3_bind_int64(s, 10, (sqlite3_int64)z->attachments);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)z->errors);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)z->reader_crashes);
	sqlite3_bind_double(s, 13, z->seconds);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st = lka_case__dberr(kase, err, "record the end of the run");
		goto out;
	}
	if (kase->run_id == run_id)
		kase->run_id = 0;
out:
	sqlite3_finalize(s);
	return fatal(st, err);
}
