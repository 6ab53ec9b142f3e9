/*
 * test-case.c — the case database: creation and reopening, identity checks
 * (foreign databases, newer schemas), the upgrade mechanism (with fake
 * steps), sources with their files and folders, message trees with
 * embedded messages and attachments, the content store (dedup, hash-only,
 * filling later, chunking), full-text search, errors, cascade deletion, the
 * views, and verify (changed, missing and added evidence; an inconsistent
 * database).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "casedb.h"
#include "tap.h"

/* ---- helpers ---- */

static char tmpdir[256];

static char *
S(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
tpath(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void
rm_rf(const char *p)
{
	nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One integer from SQL with an optional text parameter. */
static long long
q_int(lka_case *k, const char *sql, const char *param)
{
	sqlite3 *db = lka_case_sqlite(k);
	sqlite3_stmt *s = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		diag("prepare %s: %s", sql, sqlite3_errmsg(db));
		return -999;
	}
	if (param)
		sqlite3_bind_text(s, 1, param, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* One text value (copied into out) from SQL with an optional integer parameter. */
static const char *
q_text(lka_case *k, char *out, size_t cap, const char *sql, long long param)
{
	sqlite3 *db = lka_case_sqlite(k);
	sqlite3_stmt *s = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		diag("prepare %s: %s", sql, sqlite3_errmsg(db));
		return out;
	}
	sqlite3_bind_int64(s, 1, param);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

static int
exec_sql(lka_case *k, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(lka_case_sqlite(k), sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		diag("%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

/* Raw SQLite access, outside the library. */
static int
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void
file_sha(const char *path, char hex[LKA_SHA256_HEX])
{
	uint8_t d[LKA_SHA256_LEN];

	if (lka_sha256_file(path, d, NULL, NULL) != LKA_OK)
		memset(d, 0, sizeof d);
	lka_sha256_hex(d, hex);
}

/* ---- building messages as a reader would ---- */

static lka_msg *
mk_msg(const char *msgid, const char *subject, const char *body, int64_t sent)
{
	lka_msg *m = calloc(1, sizeof *m);
	char raw[512];

	m->item_class = S("IPM.Note");
	m->message_id = S(msgid);
	m->subject = S(subject);
	m->body_text = S(body);
	m->has_sent_at = true;
	m->sent_at = sent;
	m->tz_offset = 60;
	m->date_raw = S("Fri, 01 Mar 2024 10:15:00 +0100");
	m->from_address = S("alice@example.org");
	m->from_name = S("Alice Martin");
	snprintf(raw, sizeof raw, "Message-ID: <%s>\nSubject: %s\n", msgid, subject);
	m->headers = S(raw);
	m->raw_size = strlen(raw) + strlen(body);
	lka_sha256_buf(body, strlen(body), m->raw_sha256);
	m->has_raw_sha256 = true;
	return m;
}

static void
add_addr(lka_msg *m, lka_role role, const char *addr, const char *name, const char *raw)
{
	lka_addr *a;

	m->addrs = realloc(m->addrs, (m->n_addrs + 1) * sizeof *m->addrs);
	a = &m->addrs[m->n_addrs++];
	memset(a, 0, sizeof *a);
	a->role = role;
	a->address = S(addr);
	a->name = S(name);
	a->raw = S(raw);
}

static void
fill_att(lka_att *a, const char *filename, const char *type, const void *data, size_t n,
	 const char *part)
{
	memset(a, 0, sizeof *a);
	a->filename = S(filename);
	a->declared_type = S(type);
	a->disposition = S("attachment");
	a->part_path = S(part);
	a->transfer_encoding = S("base64");
	a->size = n;
	lka_sha256_buf(data, n, a->sha256);
	a->data = malloc(n ? n : 1);
	memcpy(a->data, data, n);
	a->data_len = n;
}

static lka_att *
add_att(lka_msg *m, const char *filename, const char *type, const void *data, size_t n,
	const char *part)
{
	lka_att *a;

	m->atts = realloc(m->atts, (m->n_atts + 1) * sizeof *m->atts);
	a = &m->atts[m->n_atts++];
	fill_att(a, filename, type, data, n, part);
	return a;
}

/* compressible text of n bytes */
static char *
text_of(size_t n, const char *word)
{
	char *p = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		p[i] = word[i % strlen(word)];
	p[n] = '\0';
	return p;
}

/* incompressible bytes */
static unsigned char *
random_of(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	return p;
}

/* ---- tests ---- */

static lka_ctx *ctx;

static void
test_create_reopen(void)
{
	char path[512];
	lka_case *k = NULL;
	lka_error e = { 0 };
	char t[64];

	tpath(path, sizeof path, "new.case");
	ok(lka_case_open(&k, ctx, path, 0, &e) == LKA_FATAL && !k,
	   "opening an absent case without CREATE fails");
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE | LKA_CASE_READONLY, &e) == LKA_FATAL &&
		   e.kind == LKA_E_USAGE,
	   "CREATE with READONLY is a usage error");
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) == LKA_OK && k, "create a case");
	if (!k) {
		diag("%s: %s", e.where, e.msg);
		return;
	}
	ok(q_int(k, "PRAGMA application_id", NULL) == 0x4c4b4155, "application_id is LKAU");
	ok(q_int(k, "PRAGMA user_version", NULL) == LKA_SCHEMA_VERSION &&
		   lka_case_schema_version() == LKA_SCHEMA_VERSION,
	   "user_version is the schema version");
	ok(strcmp(q_text(k, t, sizeof t, "PRAGMA journal_mode", 0), "wal") == 0, "WAL mode");
	ok(q_int(k, "PRAGMA foreign_keys", NULL) == 1, "foreign keys on");
	ok(q_int(k, "SELECT count(*) FROM schema_migrations WHERE version = 1", NULL) == 1,
	   "schema_migrations records the creation");
	ok(q_int(k, "SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name IN "
		    "('message_overview', 'duplicate_messages', 'addresses', 'attachment_overview', "
		    "'source_summary', 'error_summary')",
		 NULL) == 6,
	   "the six views exist");
	/* docs/schema.md, "Indexes": every foreign key column leads an index (or
	 * is the primary key), so lookups and cascades never scan a child table. */
	ok(q_int(k, "SELECT count(*) FROM sqlite_schema t, pragma_foreign_key_list(t.name) fk "
		    "WHERE t.type = 'table' AND NOT EXISTS ("
		    " SELECT 1 FROM pragma_index_list(t.name) il, pragma_index_info(il.name) ii "
		    " WHERE ii.seqno = 0 AND ii.name = fk.\"from\") AND NOT EXISTS ("
		    " SELECT 1 FROM pragma_table_info(t.name) ti WHERE ti.pk = 1 AND ti.name = fk.\"from\")",
		 NULL) == 0,
	   "every foreign key column is indexed");
	lka_case_free(k);
	k = NULL;
	ok(lka_case_open(&k, ctx, path, 0, &e) == LKA_OK && k, "reopen read-write");
	ok(k && q_int(k, "SELECT count(*) FROM schema_migrations", NULL) == LKA_SCHEMA_VERSION,
	   "reopening applies no step");
	lka_case_free(k);
	k = NULL;
	ok(lka_case_open(&k, ctx, path, LKA_CASE_READONLY, &e) == LKA_OK && k, "reopen read-only");
	if (k) {
		ok(lka_case__begin(k, &e) == LKA_FATAL && e.kind == LKA_E_USAGE,
		   "a read-only case refuses to begin a write");
		ok(exec_sql(k, "INSERT INTO ingest_runs (tool, tool_version, schema_version, "
			       "sqlite_version, started_at) VALUES ('x', 'x', 1, 'x', 'x')") !=
			   SQLITE_OK,
		   "a read-only case refuses SQL writes");
	}
	lka_case_free(k);
	lka_case_free(NULL);
}

static void
test_foreign(void)
{
	char path[512], before[LKA_SHA256_HEX], after[LKA_SHA256_HEX];
	lka_case *k = NULL;
	lka_error e = { 0 };

	tpath(path, sizeof path, "foreign.db");
	raw_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
	file_sha(path, before);
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) == LKA_FATAL && !k &&
		   e.kind == LKA_E_UNSUPPORTED,
	   "an SQLite database of another application is refused (%s)", e.msg);
	file_sha(path, after);
	ok(strcmp(before, after) == 0, "... and left untouched");

	tpath(path, sizeof path, "other-app.db");
	raw_exec(path, "PRAGMA application_id = 42; CREATE TABLE t (x);");
	ok(lka_case_open(&k, ctx, path, 0, &e) == LKA_FATAL && e.kind == LKA_E_UNSUPPORTED &&
		   strstr(e.msg, "application_id 42"),
	   "application_id 42 with tables is refused");

	tpath(path, sizeof path, "empty-other.db");
	raw_exec(path, "PRAGMA application_id = 42;");
	ok(lka_case_open(&k, ctx, path, 0, &e) == LKA_OK && k,
	   "an empty database of another application_id becomes a case");
	ok(k && q_int(k, "PRAGMA application_id", NULL) == 0x4c4b4155, "... with our application_id");
	lka_case_free(k);
	k = NULL;

	tpath(path, sizeof path, "text.db");
	write_file(path, "this is not a database, but it is long enough to look like one.....\n"
			 "................................................................\n",
		   132);
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) == LKA_FATAL &&
		   e.kind == LKA_E_UNSUPPORTED,
	   "a file that is not SQLite is refused (%s)", e.msg);

	tpath(path, sizeof path, "empty-ro.db");
	raw_exec(path, "PRAGMA user_version = 0;");
	ok(lka_case_open(&k, ctx, path, LKA_CASE_READONLY, &e) == LKA_FATAL &&
		   e.kind == LKA_E_UNSUPPORTED,
	   "an empty database is not a case when opened read-only");
}

static void
test_newer(void)
{
	char path[512];
	lka_case *k = NULL;
	lka_error e = { 0 };

	tpath(path, sizeof path, "newer.case");
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) == LKA_OK, "create a case");
	lka_case_free(k);
	k = NULL;
	{
		char sql[64], want[80];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", LKA_SCHEMA_VERSION + 1);
		snprintf(want, sizeof want, "case was written by a newer leakaudit (schema %d)",
			 LKA_SCHEMA_VERSION + 1);
		raw_exec(path, sql);
		ok(lka_case_open(&k, ctx, path, 0, &e) == LKA_FATAL && !k &&
			   e.kind == LKA_E_UNSUPPORTED && strstr(e.msg, want),
		   "a newer schema is refused: %s", e.msg);
	}
	ok(lka_case_open(&k, ctx, path, LKA_CASE_READONLY, &e) == LKA_FATAL && !k &&
		   e.kind == LKA_E_UNSUPPORTED,
	   "... also read-only");
}

static void
test_migrations(void)
{
	/* A library at schema 1 and its successors (independent of LKA_SCHEMA_VERSION). */
	static const lka_migration one[] = {
		{ "create the case (schema 1)", lka_sql_schema },
	};
	static const lka_migration two[] = {
		{ "create the case (schema 1)", lka_sql_schema },
		{ "test: sources gain a column", "ALTER TABLE sources ADD COLUMN test_note TEXT;" },
	};
	static const lka_migration three_bad[] = {
		{ "create the case (schema 1)", lka_sql_schema },
		{ "test: sources gain a column", "ALTER TABLE sources ADD COLUMN test_note TEXT;" },
		{ "test: a broken step", "CREATE TABLE broken (;" },
	};
	char path[512], t[128];
	lka_case *k = NULL;
	lka_error e = { 0 };

	tpath(path, sizeof path, "migrate.case");
	ok(lka_case__open_steps(&k, ctx, path, LKA_CASE_CREATE, one, 1, &e) == LKA_OK,
	   "create at schema 1");
	lka_case_free(k);
	k = NULL;

	ok(lka_case__open_steps(&k, ctx, path, 0, three_bad, 3, &e) == LKA_FATAL && !k,
	   "a failing step fails the open (%s)", e.msg);
	ok(lka_case__open_steps(&k, ctx, path, 0, one, 1, &e) == LKA_OK && k,
	   "the case still opens at schema 1");
	ok(k && q_int(k, "PRAGMA user_version", NULL) == 1, "... its version unchanged");
	ok(k && q_int(k, "SELECT count(*) FROM pragma_table_info('sources') "
			 "WHERE name = 'test_note'",
		      NULL) == 0,
	   "... and the step before the broken one rolled back with it");
	lka_case_free(k);
	k = NULL;

	ok(lka_case__open_steps(&k, ctx, path, 0, two, 2, &e) == LKA_OK && k, "upgrade 1 -> 2");
	ok(k && q_int(k, "PRAGMA user_version", NULL) == 2, "user_version is 2");
	ok(k && q_int(k, "SELECT count(*) FROM pragma_table_info('sources') "
			 "WHERE name = 'test_note'",
		      NULL) == 1,
	   "the step ran");
	ok(k && strcmp(q_text(k, t, sizeof t,
			      "SELECT description FROM schema_migrations WHERE version = ?1", 2),
		       "test: sources gain a column") == 0,
	   "schema_migrations records the step");
	ok(k && q_int(k, "SELECT count(*) FROM source_summary", NULL) == 0,
	   "views recreated after the upgrade");
	lka_case_free(k);
	k = NULL;
	ok(lka_case__open_steps(&k, ctx, path, 0, one, 1, &e) == LKA_FATAL &&
		   e.kind == LKA_E_UNSUPPORTED &&
		   strstr(e.msg, "(schema 2)"),
	   "the library (schema 1) now refuses it as newer");

	tpath(path, sizeof path, "migrate0.case");
	ok(lka_case__open_steps(&k, ctx, path, LKA_CASE_CREATE, two, 2, &e) == LKA_OK && k &&
		   q_int(k, "SELECT count(*) FROM schema_migrations", NULL) == 2,
	   "a new case goes 0 -> 1 -> 2 in one open");
	lka_case_free(k);
	k = NULL;

	/* An old case (schema 1) opened read-only by a schema-2 library. */
	tpath(path, sizeof path, "migrate-ro.case");
	ok(lka_case__open_steps(&k, ctx, path, LKA_CASE_CREATE, one, 1, &e) == LKA_OK,
	   "create at schema 1");
	lka_case_free(k);
	k = NULL;
	ok(lka_case__open_steps(&k, ctx, path, LKA_CASE_READONLY, two, 2, &e) == LKA_FATAL &&
		   strstr(e.msg, "upgrade"),
	   "an older case is not upgraded through a read-only open (%s)", e.msg);
}

/* A string owned by the scan's shared string table (as lib/scan.c does). */
static char *
scan_str(lka_scan *s, const char *str)
{
	if (!str)
		return NULL;
	s->strings = realloc(s->strings, (s->n_strings + 1) * sizeof *s->strings);
	s->cap_strings = s->n_strings + 1;
	return s->strings[s->n_strings++] = S(str);
}

/* A scan of a folder source, made by hand. */
static void
scan_file(lka_scan *s, const char *rel, const char *folder, const char *cls, lka_format fmt,
	  lka_file_role role, const char *content)
{
	lka_scan_file *f;

	s->files = realloc(s->files, (s->n_files + 1) * sizeof *s->files);
	f = &s->files[s->n_files++];
	memset(f, 0, sizeof *f);
	f->relpath = S(rel);
	f->folder_path = scan_str(s, folder);
	f->folder_class = scan_str(s, cls);
	f->format = fmt;
	f->role = role;
	f->size = content ? strlen(content) : 0;
	f->mtime = 1709284500;
	if (content)
		lka_sha256_buf(content, strlen(content), f->sha256);
	if (strstr(rel, "/cur/"))
		f->maildir_sub = scan_str(s, "cur");
	if (role == LKA_ROLE_IGNORED)
		f->note = S("binary data");
	s->bytes += f->size;
}

typedef struct fixture {
	lka_case *k;
	int64_t run_id, src, src2;
	int64_t file_ids[8], folder_ids[8];
	int64_t file2_ids[2], folder2_ids[2];
} fixture;

/*
 * Page through the pending files of the fixture's source two at a time;
 * true when file_id is among them (*out then owns its relpath).  *pages
 * counts the queries made.
 */
static bool
pending_file(fixture *fx, int64_t file_id, lka_pending_file *out, int *pages)
{
	lka_pending_file page[2];
	lka_error e = { 0 };
	int64_t cursor = 0;
	bool found = false, ordered = true;
	size_t n;

	*pages = 0;
	do {
		if (lka_case__pending_files(fx->k, fx->src, cursor, page, 2, &n, &e) != LKA_OK)
			return false;
		(*pages)++;
		for (size_t i = 0; i < n; i++) {
			if (page[i].id <= cursor)
				ordered = false;
			cursor = page[i].id;
			if (page[i].id == file_id && !found) {
				*out = page[i];
				found = true;
			} else {
				free(page[i].relpath);
			}
		}
	} while (n == 2);
	if (found && !ordered)
		free(out->relpath);
	return found && ordered;
}

static void
test_sources(fixture *fx)
{
	lka_scan s = { 0 };
	lka_error e = { 0 };
	lka_source_row row;
	lka_pending_file fs;
	lka_folder pf = { 0 };
	uint64_t nfiles = 0, nbytes = 0;
	int pages = 0;
	bool found = false;
	char t[256];
	int64_t id1 = 0, id2 = 0, id3 = 0;

	s.root = S("/evidence/seized-pc");
	s.is_dir = true;
	s.kind = LKA_FMT_FOLDER;
	memset(s.sha256, 0xab, sizeof s.sha256);
	scan_file(&s, "Maildir/.Sent/cur/2:2,S", "Maildir/Sent", "maildir", LKA_FMT_EML,
		  LKA_ROLE_MESSAGES, "From: a@b\n\nsent\n");
	scan_file(&s, "Maildir/cur/1:2,RS", "Maildir", "maildir", LKA_FMT_EML, LKA_ROLE_MESSAGES,
		  "From: a@b\n\nhi\n");
	scan_file(&s, "a.mbox", "a.mbox", "mbox", LKA_FMT_MBOX, LKA_ROLE_MESSAGES,
		  "From x\nFrom: a@b\n\nbody\n");
	scan_file(&s, "deep/x/y/z.eml", "deep/x/y", "directory", LKA_FMT_EML, LKA_ROLE_MESSAGES,
		  "From: c@d\n\nz\n");
	scan_file(&s, "junk.bin", "", "directory", LKA_FMT_UNKNOWN, LKA_ROLE_IGNORED, "\x01\x02");
	scan_file(&s, "link", "", "directory", LKA_FMT_UNKNOWN, LKA_ROLE_SPECIAL, NULL);

	ok(lka_case__run_begin(fx->k, "test-case", "test-case --all", &fx->run_id, &e) == LKA_OK &&
		   fx->run_id > 0,
	   "run_begin");
	ok(q_int(fx->k, "SELECT count(*) FROM ingest_runs WHERE outcome = 'running' AND host <> '' "
			"AND user <> '' AND pid > 0 AND started_at GLOB "
			"'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]."
			"[0-9][0-9][0-9]Z'",
		   NULL) == 1,
	   "ingest_runs row: host, user, pid, ISO 8601 UTC time with milliseconds");

	ok(lka_case__begin(fx->k, &e) == LKA_OK, "begin");
	ok(lka_case__begin(fx->k, &e) == LKA_FATAL && e.kind == LKA_E_USAGE,
	   "no nested transaction");
	lka__error_clear(&e);
	ok(lka_case__source_add(fx->k, fx->run_id, &s, &fx->src, fx->file_ids, fx->folder_ids, &e) ==
		   LKA_OK &&
		   fx->src > 0,
	   "source_add");
	if (e.msg[0])
		diag("%s", e.msg);
	ok(lka_case__commit(fx->k, &e) == LKA_OK, "commit");

	ok(q_int(fx->k, "SELECT count(*) FROM source_files", NULL) == 6, "six source_files rows");
	ok(q_int(fx->k, "SELECT files FROM sources", NULL) == 6 &&
		   q_int(fx->k, "SELECT first_run_id FROM sources", NULL) == fx->run_id,
	   "sources: files counted, first_run_id set");
	ok(strcmp(q_text(fx->k, t, sizeof t, "SELECT name || '|' || kind || '|' || status FROM sources", 0),
		  "seized-pc|folder|pending") == 0,
	   "sources: name, kind, status (%s)", t);
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT name || '|' || folder_class FROM folders WHERE path = '' AND "
			 "parent_id IS NULL",
			 0),
		  "seized-pc|directory") == 0,
	   "root folder named after the source (%s)", t);
	ok(q_int(fx->k, "SELECT count(*) FROM folders", NULL) == 7,
	   "folders: root, Maildir, Maildir/Sent, a.mbox, deep, deep/x, deep/x/y");
	ok(q_int(fx->k, "SELECT count(*) FROM folders c JOIN folders p ON p.id = c.parent_id "
			"WHERE (c.path = 'deep/x/y' AND p.path = 'deep/x') "
			"OR (c.path = 'deep/x' AND p.path = 'deep') OR (c.path = 'deep' AND p.path = '') "
			"OR (c.path = 'Maildir/Sent' AND p.path = 'Maildir')",
		   NULL) == 4,
	   "ancestor folders chained by parent_id");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT name || '|' || folder_class FROM folders WHERE path = 'deep/x'", 0),
		  "x|directory") == 0 &&
		   strcmp(q_text(fx->k, t, sizeof t,
				 "SELECT folder_class FROM folders WHERE path = 'Maildir'", 0),
			  "maildir") == 0,
	   "folder names and classes");
	ok(fx->folder_ids[3] ==
		   q_int(fx->k, "SELECT id FROM folders WHERE path = 'deep/x/y'", NULL) &&
		   fx->file_ids[3] ==
			   q_int(fx->k, "SELECT id FROM source_files WHERE relpath = 'deep/x/y/z.eml'",
				 NULL),
	   "file_ids and folder_ids filled");
	ok(q_int(fx->k, "SELECT count(*) FROM source_files WHERE role = 'ignored' AND "
			"status = 'skipped' AND note = 'binary data' AND sha256 IS NOT NULL",
		 NULL) == 1 &&
		   q_int(fx->k, "SELECT count(*) FROM source_files WHERE role = 'special' AND "
				"sha256 IS NULL",
			 NULL) == 1 &&
		   q_int(fx->k, "SELECT count(*) FROM source_files WHERE role = 'messages' AND "
				"status = 'pending' AND mtime = '2024-03-01T09:15:00Z'",
			 NULL) == 4 &&
		   q_int(fx->k, "SELECT count(*) FROM source_files WHERE maildir_sub = 'cur'", NULL) ==
			   2,
	   "file roles, statuses, hashes, mtime, maildir_sub");

	ok(lka_case__source_find(fx->k, "/evidence/seized-pc", &row, &found, &e) == LKA_OK && found &&
		   row.id == fx->src && strcmp(row.status, "pending") == 0 &&
		   strcmp(row.sha256, "abababababababababababababababababababababababababababababababab") == 0,
	   "source_find");
	ok(lka_case__source_find(fx->k, "/nowhere", &row, &found, &e) == LKA_OK && !found,
	   "source_find of an unknown path");
	ok(lka_case__pending_count(fx->k, fx->src, &nfiles, &nbytes, &e) == LKA_OK && nfiles == 4,
	   "pending_count: the 4 message files, not the ignored or special ones");
	found = pending_file(fx, fx->file_ids[2], &fs, &pages);
	ok(found && fs.folder_id == fx->folder_ids[2] && fs.items_done == 0 &&
		   fs.format == LKA_FMT_MBOX && strcmp(fs.relpath, "a.mbox") == 0 && pages == 3,
	   "pending_files: a.mbox, paged two at a time in id order");
	free(fs.relpath);
	ok(lka_case__file_progress(fx->k, fx->file_ids[2], 5, NULL, &e) == LKA_OK &&
		   pending_file(fx, fx->file_ids[2], &fs, &pages) && fs.items_done == 5,
	   "file_progress without a status: still pending, resume point 5");
	free(fs.relpath);

	pf.id = 1;
	pf.name = S("Inbox");
	pf.path = S("Inbox");
	pf.folder_class = S("IPF.Note");
	ok(lka_case__folder_ensure(fx->k, fx->src, fx->folder_ids[2], &pf, &id1, &e) == LKA_OK &&
		   id1 > 0,
	   "folder_ensure under a file's folder");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT path || '|' || name || '|' || folder_class FROM folders WHERE id = ?1",
			 id1),
		  "a.mbox/Inbox|Inbox|IPF.Note") == 0,
	   "... path below the parent (%s)", t);
	ok(lka_case__folder_ensure(fx->k, fx->src, fx->folder_ids[2], &pf, &id2, &e) == LKA_OK &&
		   id2 == id1,
	   "folder_ensure is idempotent");
	ok(lka_case__folder_ensure(fx->k, fx->src, 0, &pf, &id3, &e) == LKA_OK && id3 != id1 &&
		   strcmp(q_text(fx->k, t, sizeof t, "SELECT path FROM folders WHERE id = ?1", id3),
			  "Inbox") == 0,
	   "folder_ensure with parent 0 goes under the root");
	ok(lka_case__folder_ensure(fx->k, fx->src, 999999, &pf, &id3, &e) == LKA_FATAL,
	   "folder_ensure with a foreign parent fails");
	lka_folder_clear(&pf);
	lka_scan_clear(&s);

	/* A second source (a file) to check that deletion spares it. */
	memset(&s, 0, sizeof s);
	s.root = S("/evidence/other.mbox");
	s.kind = LKA_FMT_MBOX;
	scan_file(&s, "other.mbox", "", "mbox", LKA_FMT_MBOX, LKA_ROLE_MESSAGES, "From x\n\n");
	memcpy(s.sha256, s.files[0].sha256, LKA_SHA256_LEN);
	ok(lka_case__source_add(fx->k, fx->run_id, &s, &fx->src2, fx->file2_ids, fx->folder2_ids,
				&e) == LKA_OK,
	   "source_add of a file source (outside a transaction)");
	ok(strcmp(q_text(fx->k, t, sizeof t, "SELECT folder_class FROM folders WHERE id = ?1",
			 fx->folder2_ids[0]),
		  "mbox") == 0,
	   "a file source's root folder takes the file's class");
	lka_scan_clear(&s);
}

static lka_msgorigin
origin(fixture *fx, int f, uint64_t ordinal, int64_t offset)
{
	lka_msgorigin o = { 0 };

	o.source_id = fx->src;
	o.file_id = fx->file_ids[f];
	o.folder_id = fx->folder_ids[f];
	o.loc.ordinal = ordinal;
	o.loc.offset = offset;
	o.loc.length = 1234;
	o.file_display = "a.mbox";
	return o;
}

static lka_msg *
tree(const char *big)
{
	lka_msg *m = mk_msg("top@example.org", "Quarterly figures",
			    "Dear team, the zanzibar figures are attached. Cordialement, résumé "
			    "inclus.",
			    1709284500);
	lka_msg *inner;
	lka_att *a;

	add_addr(m, LKA_ROLE_FROM, "alice@example.org", "Alice Martin", "Alice Martin <alice@example.org>");
	add_addr(m, LKA_ROLE_TO, "bob@example.net", "Bob", "Bob <bob@example.net>");
	add_addr(m, LKA_ROLE_TO, "carol@example.net", NULL, "carol@example.net");
	add_addr(m, LKA_ROLE_CC, NULL, "Undisclosed", "Undisclosed:;");
	add_att(m, "figures.txt", "text/plain", big, strlen(big), "2");
	a = add_att(m, "fwd.eml", "message/rfc822", "Subject: fwd\n\ninner body\n", 26, "3");
	a->flags = 0;
	inner = mk_msg("inner@example.org", "Fwd: the figures", "inner body mentions quokka", 1709200000);
	add_addr(inner, LKA_ROLE_FROM, "dave@example.com", "Dave", "Dave <dave@example.com>");
	/* the same content as the top-level attachment: one blob for both */
	add_att(inner, "copy.txt", "text/plain", big, strlen(big), "2");
	inner->atts[0].flags = LKA_ATT_INLINE;
	lka_diags_add(&inner->diags, LKA_WARN, LKA_E_CORRUPT, "part 2", "bad base64 in part 2");
	a = &m->atts[1];
	a->embedded = inner;
	return m;
}

static void
test_messages(fixture *fx)
{
	lka_write_counts c = { 0 };
	lka_error e = { 0 };
	lka_msgorigin o = origin(fx, 2, 0, 0);
	char *big = text_of(5000, "figures for the quarter ");
	lka_msg *m = tree(big);
	char t[512];
	long long top, inner, att_fwd;
	unsigned char *out;
	uLongf outlen = 5000;

	ok(lka_case__begin(fx->k, &e) == LKA_OK, "begin");
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK, "message_write a tree");
	if (e.msg[0])
		diag("%s", e.msg);
	ok(c.messages == 2 && c.attachments == 3 && c.errors == 1 && c.blobs_new == 2,
	   "counts: 2 messages, 3 attachments, 1 error, 2 new blobs (%llu %llu %llu %llu)",
	   (unsigned long long)c.messages, (unsigned long long)c.attachments,
	   (unsigned long long)c.errors, (unsigned long long)c.blobs_new);
	top = q_int(fx->k, "SELECT id FROM messages WHERE depth = 0", NULL);
	inner = q_int(fx->k, "SELECT id FROM messages WHERE depth = 1", NULL);
	att_fwd = q_int(fx->k, "SELECT id FROM attachments WHERE filename = 'fwd.eml'", NULL);
	ok(top > 0 && inner > 0 && att_fwd > 0, "both messages and the attachment are there");
	ok(q_int(fx->k, "SELECT parent_attachment_id FROM messages WHERE depth = 1", NULL) ==
		   att_fwd,
	   "the embedded message points at its attachment");
	ok(q_int(fx->k, "SELECT count(DISTINCT source_id || '/' || folder_id || '/' || "
			"source_file_id || '/' || ordinal) FROM messages",
		 NULL) == 1,
	   "source, folder, file and ordinal inherited");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT sent_at || '|' || sent_tz_offset || '|' || offset || '|' || length "
			 "|| '|' || date_raw || '|' || raw_sha256 FROM messages WHERE id = ?1",
			 top),
		  "2024-03-01T09:15:00Z|60|0|1234|Fri, 01 Mar 2024 10:15:00 +0100|"
		  "9b4995c4772e323cded4a36a91b6023be0dbaec0714b7cdc3decbe04b5b86d20") == 0,
	   "top-level: sent_at ISO UTC, tz, offset, length (%s)", t);
	ok(q_int(fx->k, "SELECT count(*) FROM messages WHERE depth = 1 AND offset IS NULL AND "
			"length IS NULL AND ordinal = 0",
		 NULL) == 1,
	   "embedded: no offset/length, the top-level ordinal");
	ok(q_int(fx->k, "SELECT count(*) FROM messages m JOIN ingest_runs r ON r.id = m.run_id",
		 NULL) == 2,
	   "messages carry the run id");
	ok(q_int(fx->k, "SELECT attachment_count * 100 + has_attachments * 10 + recipient_count "
			"FROM messages WHERE depth = 0",
		 NULL) == 214,
	   "top-level counts: 2 attachments, has_attachments, 4 recipients");
	ok(q_int(fx->k, "SELECT attachment_count * 100 + has_attachments * 10 + error_count "
			"FROM messages WHERE depth = 1",
		 NULL) == 101,
	   "embedded counts: 1 inline attachment, not has_attachments, 1 error");
	ok(q_int(fx->k, "SELECT count(*) FROM recipients WHERE address IS NULL AND "
			"raw = 'Undisclosed:;' AND role = 'cc'",
		 NULL) == 1,
	   "an unparsable mailbox is kept raw with address NULL");
	ok(q_int(fx->k, "SELECT position FROM recipients WHERE address = 'carol@example.net'", NULL) ==
			   1 &&
		   strcmp(q_text(fx->k, t, sizeof t,
				 "SELECT domain FROM recipients WHERE address = 'bob@example.net'", 0),
			  "example.net") == 0,
	   "recipient position within its role, domain");
	ok(q_int(fx->k, "SELECT count(*) FROM blobs", NULL) == 2 &&
		   q_int(fx->k, "SELECT count(*) FROM attachments a JOIN blobs b ON "
				"b.sha256 = a.sha256 WHERE a.filename IN ('figures.txt', 'copy.txt')",
			 NULL) == 2 &&
		   q_int(fx->k, "SELECT count(DISTINCT sha256) FROM attachments "
				"WHERE filename IN ('figures.txt', 'copy.txt')",
			 NULL) == 1,
	   "duplicate content stored once");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT compression || '|' || bytes || '|' || (stored_bytes < bytes) FROM blobs "
			 "WHERE bytes = 5000",
			 0),
		  "zlib|5000|1") == 0,
	   "compressible content is zlib-compressed (%s)", t);
	{
		sqlite3_stmt *s = NULL;
		int same = 0;
		sqlite3_prepare_v2(lka_case_sqlite(fx->k),
				   "SELECT data FROM blobs WHERE bytes = 5000", -1, &s, NULL);
		if (sqlite3_step(s) == SQLITE_ROW) {
			out = malloc(5000);
			if (uncompress(out, &outlen, sqlite3_column_blob(s, 0),
				       (uLong)sqlite3_column_bytes(s, 0)) == Z_OK &&
			    outlen == 5000 && memcmp(out, big, 5000) == 0)
				same = 1;
			free(out);
		}
		sqlite3_finalize(s);
		ok(same, "the blob inflates to the attachment's bytes");
	}
	ok(strcmp(q_text(fx->k, t, sizeof t, "SELECT compression FROM blobs WHERE bytes = 26", 0),
		  "none") == 0,
	   "tiny content is stored as is");
	ok(q_int(fx->k, "SELECT count(*) FROM attachments WHERE stored = 1", NULL) == 3,
	   "attachments marked stored");
	ok(strstr(q_text(fx->k, t, sizeof t,
				 "SELECT location || '|' || severity || '|' || kind FROM errors "
				 "WHERE message_id = ?1",
				 inner),
			  "a.mbox: item 0, offset 0, message in part 3, part 2|warn|corrupt") != NULL,
	   "the diagnostic became an errors row of the embedded message (%s)", t);
	ok(q_int(fx->k, "SELECT messages * 100 + attachments * 10 + errors FROM sources WHERE id = 1",
		 NULL) == 231,
	   "source counters updated");

	/* the same message again, elsewhere: a second occurrence */
	lka_msg_free(m);
	m = tree(big);
	memset(&c, 0, sizeof c);
	o = origin(fx, 2, 1, 4096);
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK && c.blobs_new == 0,
	   "a duplicate occurrence is written, its content not again");
	ok(q_int(fx->k, "SELECT count(*) FROM messages", NULL) == 4 &&
		   q_int(fx->k, "SELECT count(*) FROM blobs", NULL) == 2,
	   "4 message rows, still 2 blobs");
	ok(q_int(fx->k, "SELECT occurrences FROM duplicate_messages WHERE message_id_header = "
			"'top@example.org'",
		 NULL) == 2,
	   "duplicate_messages groups the occurrences");
	ok(q_int(fx->k, "SELECT count(*) FROM duplicate_messages", NULL) == 2,
	   "... one group per duplicated message (top and embedded)");
	lka_msg_free(m);

	ok(lka_case__commit(fx->k, &e) == LKA_OK, "commit");

	/* full-text search */
	ok(q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zanzibar'",
		 NULL) == 2,
	   "FTS finds a word of the body in both occurrences");
	ok(q_int(fx->k, "SELECT m.depth FROM messages_fts f JOIN messages m ON m.id = f.rowid "
			"WHERE messages_fts MATCH 'quokka' LIMIT 1",
		 NULL) == 1,
	   "FTS finds the embedded message's body");
	ok(q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'resume'",
		 NULL) == 2,
	   "FTS ignores diacritics (resume finds résumé)");
	ok(q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH "
			"'subject:quarterly'",
		 NULL) == 2,
	   "FTS column filter on subject");
	ok(q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'nonexistentword'",
		 NULL) == 0,
	   "FTS finds nothing for an absent word");
	ok(exec_sql(fx->k, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')") ==
		   SQLITE_OK,
	   "FTS5 integrity-check (index structure) passes after a deferred batch");
	ok(q_int(fx->k, "SELECT deferred FROM fts_deferral", NULL) == 0,
	   "deferral is off outside a transaction");
	free(big);
}

static void
test_content_modes(fixture *fx)
{
	lka_write_counts c = { 0 };
	lka_error e = { 0 };
	lka_msgorigin o = origin(fx, 1, 0, -1);
	char *doc = text_of(3000, "hash only please ");
	lka_msg *m = mk_msg("h@x", "hash only", "body", 1709284500);
	char t[256];

	add_att(m, "doc.txt", "text/plain", doc, 3000, "2");
	ok(lka_case__message_write(fx->k, &o, m, false, &c, &e) == LKA_OK && c.blobs_new == 1,
	   "store_content=false writes (outside a transaction)");
	lka_msg_free(m);
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT coalesce(b.stored_bytes, 'null') || '|' || (b.data IS NULL) || '|' || "
			 "b.bytes || '|' || a.stored FROM attachments a JOIN blobs b ON "
			 "b.sha256 = a.sha256 WHERE a.filename = 'doc.txt'",
			 0),
		  "null|1|3000|0") == 0,
	   "hash only: blob row with bytes, no data; attachment not stored (%s)", t);
	ok(q_int(fx->k, "SELECT offset IS NULL FROM messages WHERE message_id = 'h@x'", NULL) == 1,
	   "offset -1 is stored as NULL");

	m = mk_msg("h2@x", "with content", "body two", 1709284501);
	add_att(m, "doc-again.txt", "text/plain", doc, 3000, "2");
	memset(&c, 0, sizeof c);
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK && c.blobs_new == 0,
	   "the same content later with store_content=true");
	lka_msg_free(m);
	ok(q_int(fx->k, "SELECT count(*) FROM blobs b JOIN attachments a ON a.sha256 = b.sha256 "
			"WHERE a.filename = 'doc.txt' AND b.stored_bytes IS NOT NULL AND "
			"b.data IS NOT NULL",
		 NULL) == 1,
	   "... fills the blob");
	ok(q_int(fx->k, "SELECT count(*) FROM attachments WHERE filename IN ('doc.txt', "
			"'doc-again.txt') AND stored = 1",
		 NULL) == 2,
	   "... and the earlier attachment row is marked stored");

	/* a reader bug: bytes that do not match the hash are not filed under it */
	m = mk_msg("bad@x", "bad hash", "body", 1709284502);
	add_att(m, "bad.bin", "application/octet-stream", "abcdef", 6, "2");
	m->atts[0].sha256[0] ^= 1;
	memset(&c, 0, sizeof c);
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK && c.errors == 1,
	   "content not matching its SHA-256 is refused with an error");
	lka_msg_free(m);
	ok(q_int(fx->k, "SELECT a.stored + (b.data IS NOT NULL) FROM attachments a JOIN blobs b "
			"ON b.sha256 = a.sha256 WHERE a.filename = 'bad.bin'",
		 NULL) == 0 &&
		   q_int(fx->k, "SELECT error_count FROM messages WHERE message_id = 'bad@x'", NULL) ==
			   1,
	   "... hash kept, content not; the message counts the error");
	free(doc);
}

static void
test_limits(fixture *fx)
{
	sqlite3 *db = lka_case_sqlite(fx->k);
	lka_write_counts c = { 0 };
	lka_error e = { 0 };
	lka_msgorigin o = origin(fx, 1, 7, -1);
	unsigned char *rnd = random_of(50000, 7);
	lka_msg *m;
	long long before_m, before_r, before_b, before_e;
	int old;
	char *huge;

	/* a value over the connection's length limit: this message is lost, cleanly */
	old = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100000);
	huge = text_of(150000, "too long ");
	m = mk_msg("huge@x", "huge", huge, 1709284500);
	add_addr(m, LKA_ROLE_TO, "zed@example.org", NULL, NULL);
	add_att(m, "r.bin", "application/octet-stream", rnd, 1000, "2");
	before_m = q_int(fx->k, "SELECT count(*) FROM messages", NULL);
	before_r = q_int(fx->k, "SELECT count(*) FROM recipients", NULL);
	before_b = q_int(fx->k, "SELECT count(*) FROM blobs", NULL);
	before_e = q_int(fx->k, "SELECT errors FROM sources WHERE id = 1", NULL);
	ok(lka_case__begin(fx->k, &e) == LKA_OK, "begin");
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_FAILED && e.kind == LKA_E_DB &&
		   e.status == LKA_FAILED,
	   "a message over SQLite's length limit fails as an item (%s)", e.msg);
	ok(q_int(fx->k, "SELECT count(*) FROM messages", NULL) == before_m &&
		   q_int(fx->k, "SELECT count(*) FROM recipients", NULL) == before_r &&
		   q_int(fx->k, "SELECT count(*) FROM blobs", NULL) == before_b && c.messages == 0,
	   "... nothing of it is left (savepoint rolled back), counts untouched");
	lka_msg_free(m);
	free(huge);
	ok(lka_case__error_write(fx->k, fx->src, fx->file_ids[1], "Maildir/cur/1:2,RS: item 7",
				 LKA_FAILED, LKA_E_DB, "message too large for the case", &e) ==
		   LKA_OK,
	   "error_write after it, same transaction");
	ok(lka_case__commit(fx->k, &e) == LKA_OK, "commit");
	ok(q_int(fx->k, "SELECT errors FROM sources WHERE id = 1", NULL) == before_e + 1 &&
		   q_int(fx->k, "SELECT count(*) FROM errors e JOIN source_files f ON "
				"f.id = e.source_file_id WHERE e.severity = 'failed' AND e.kind = 'db' "
				"AND e.message_id IS NULL AND e.run_id IS NOT NULL AND "
				"e.created_at LIKE '20%Z' AND f.relpath = 'Maildir/cur/1:2,RS'",
			 NULL) == 1,
	   "errors row: file, severity, kind, run, time; source counter");

	/* content longer than one value may be: stored in chunks */
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 20000);
	m = mk_msg("chunk@x", "chunked", "body", 1709284500);
	add_att(m, "r.bin", "application/octet-stream", rnd, 50000, "2");
	memset(&c, 0, sizeof c);
	ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK, "a 50000-byte attachment "
									  "with a 20000-byte limit");
	lka_msg_free(m);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old);
	ok(q_int(fx->k, "SELECT chunks FROM blobs WHERE bytes = 50000 AND data IS NULL AND "
			"compression = 'none' AND stored_bytes = 50000",
		 NULL) == 3,
	   "incompressible content in 3 chunks");
	{
		sqlite3_stmt *s = NULL;
		size_t at = 0;
		int same = 1;
		sqlite3_prepare_v2(db, "SELECT c.data FROM blob_chunks c JOIN blobs b ON "
				       "b.sha256 = c.sha256 WHERE b.bytes = 50000 ORDER BY seq",
				   -1, &s, NULL);
		while (sqlite3_step(s) == SQLITE_ROW) {
			size_t n = (size_t)sqlite3_column_bytes(s, 0);
			if (at + n > 50000 || memcmp(rnd + at, sqlite3_column_blob(s, 0), n) != 0)
				same = 0;
			at += n;
		}
		sqlite3_finalize(s);
		ok(same && at == 50000, "the chunks concatenate to the content");
	}
	ok(q_int(fx->k, "SELECT stored FROM attachment_overview WHERE bytes = 50000", NULL) == 1,
	   "attachment_overview shows chunked content as stored");
	free(rnd);
}

static void
test_finish_and_views(fixture *fx)
{
	lka_error e = { 0 };
	lka_ingest_stats st = { 0 };
	char status[16], t[256];

	ok(lka_case__source_finish(fx->k, fx->src, status, &e) == LKA_OK &&
		   strcmp(status, "running") == 0,
	   "source_finish with files pending leaves it running");
	for (int i = 0; i < 4; i++)
		lka_case__file_progress(fx->k, fx->file_ids[i], 1, "done", &e);
	ok(lka_case__source_finish(fx->k, fx->src, status, &e) == LKA_OK &&
		   strcmp(status, "partial") == 0,
	   "all files done but an item lost: partial");
	ok(q_int(fx->k, "SELECT count(*) FROM sources WHERE id = 1 AND status = 'partial' AND "
			"ended_at IS NOT NULL AND last_run_id IS NOT NULL",
		 NULL) == 1,
	   "status, ended_at, last_run_id recorded");
	ok(lka_case__source_finish(fx->k, fx->src2, status, &e) == LKA_OK &&
		   strcmp(status, "running") == 0,
	   "the other source is still pending");
	lka_case__file_progress(fx->k, fx->file2_ids[0], 0, "failed", &e);
	ok(lka_case__source_finish(fx->k, fx->src2, status, &e) == LKA_OK &&
		   strcmp(status, "failed") == 0,
	   "its only file failed: failed");
	lka_case__file_progress(fx->k, fx->file2_ids[0], 0, "done", &e);
	ok(lka_case__source_finish(fx->k, fx->src2, status, &e) == LKA_OK &&
		   strcmp(status, "complete") == 0,
	   "read cleanly: complete");
	ok(lka_case__source_status(fx->k, fx->src2, "running", &e) == LKA_OK &&
		   q_int(fx->k, "SELECT started_at IS NOT NULL FROM sources WHERE id = 2", NULL) == 1,
	   "source_status running sets started_at");
	ok(lka_case__source_status(fx->k, fx->src2, "bogus", &e) == LKA_FATAL,
	   "an unknown status is refused");
	ok(lka_case__source_status(fx->k, 12345, "complete", &e) == LKA_FATAL,
	   "an unknown source is refused");
	lka_case__source_status(fx->k, fx->src2, "complete", &e);

	st.sources = 2;
	st.messages = 7;
	ok(lka_case__run_end(fx->k, fx->run_id, "errors", &st, &e) == LKA_OK &&
		   q_int(fx->k, "SELECT count(*) FROM ingest_runs WHERE outcome = 'errors' AND "
				"ended_at IS NOT NULL AND sources = 2 AND messages = 7",
			 NULL) == 1,
	   "run_end records the outcome and counters");

	/* views */
	ok(q_int(fx->k, "SELECT count(*) FROM message_overview", NULL) ==
		   q_int(fx->k, "SELECT count(*) FROM messages", NULL),
	   "message_overview: one row per message");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT source_path || '|' || folder_path || '|' || file_relpath || '|' || "
			 "recipients || '|' || attachments || '|' || embedded_messages || '|' || "
			 "occurrences FROM message_overview WHERE depth = 0 AND message_id_header = "
			 "'top@example.org' ORDER BY message_id LIMIT 1",
			 0),
		  "/evidence/seized-pc|a.mbox|a.mbox|3|2|1|2") == 0,
	   "message_overview columns (%s)", t);
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT names || '|' || roles || '|' || messages || '|' || sent || '|' || "
			 "first_seen FROM addresses WHERE address = 'alice@example.org'",
			 0),
		  "[\"Alice Martin\"]|from|2|2|2024-03-01T09:15:00Z") == 0,
	   "addresses (%s)", t);
	ok(q_int(fx->k, "SELECT received FROM addresses WHERE address = 'bob@example.net'", NULL) ==
		   2,
	   "addresses: received counts");
	ok(q_int(fx->k, "SELECT count(*) FROM attachment_overview WHERE embedded_message_id IS NOT NULL",
		 NULL) == 2,
	   "attachment_overview links the embedded messages");
	ok(strcmp(q_text(fx->k, t, sizeof t,
			 "SELECT status || '|' || files || '|' || messages || '|' || embedded || '|' || "
			 "errors || '|' || items_lost || '|' || distinct_addresses FROM source_summary "
			 "WHERE source_id = 1",
			 0),
		  "partial|6|6|2|4|1|4") == 0,
	   "source_summary (%s)", t);
	ok(q_int(fx->k, "SELECT errors FROM error_summary WHERE source_id = 1 AND "
			"severity = 'failed' AND kind = 'db'",
		 NULL) == 1 &&
		   strstr(q_text(fx->k, t, sizeof t,
				 "SELECT example FROM error_summary WHERE severity = 'failed'", 0),
			  "item 7: message too large") != NULL,
	   "error_summary (%s)", t);
}

static void
test_delete(fixture *fx)
{
	lka_error e = { 0 };
	lka_source_row row;
	bool found = true;

	/* the other source shares a blob with source 1: it must survive */
	{
		lka_write_counts c = { 0 };
		lka_msgorigin o = { 0 };
		char *doc = text_of(3000, "hash only please ");
		lka_msg *m = mk_msg("o@x", "other", "kept body", 1709284500);
		add_att(m, "shared.txt", "text/plain", doc, 3000, "2");
		o.source_id = fx->src2;
		o.file_id = fx->file2_ids[0];
		o.folder_id = fx->folder2_ids[0];
		o.file_display = "other.mbox";
		ok(lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK,
		   "a message in the other source sharing content");
		lka_msg_free(m);
		free(doc);
	}
	ok(lka_case__begin(fx->k, &e) == LKA_OK &&
		   lka_case__source_delete(fx->k, fx->src, &e) == LKA_OK &&
		   lka_case__commit(fx->k, &e) == LKA_OK,
	   "source_delete");
	ok(lka_case__source_find(fx->k, "/evidence/seized-pc", &row, &found, &e) == LKA_OK && !found,
	   "the source is gone");
	ok(q_int(fx->k, "SELECT (SELECT count(*) FROM messages WHERE source_id = 1) + "
			"(SELECT count(*) FROM source_files WHERE source_id = 1) + "
			"(SELECT count(*) FROM folders WHERE source_id = 1) + "
			"(SELECT count(*) FROM errors WHERE source_id = 1)",
		 NULL) == 0,
	   "its messages, files, folders and errors are gone");
	ok(q_int(fx->k, "SELECT count(*) FROM recipients r WHERE NOT EXISTS "
			"(SELECT 1 FROM messages m WHERE m.id = r.message_id)",
		 NULL) == 0 &&
		   q_int(fx->k, "SELECT count(*) FROM attachments", NULL) == 1,
	   "recipients and attachments cascaded");
	ok(q_int(fx->k, "SELECT count(*) FROM messages_fts_docsize", NULL) ==
			   q_int(fx->k, "SELECT count(*) FROM messages", NULL) &&
		   q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zanzibar'",
			 NULL) == 0 &&
		   q_int(fx->k, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'kept'",
			 NULL) == 1,
	   "the full-text index follows");
	ok(q_int(fx->k, "SELECT count(*) FROM blobs", NULL) == 1 &&
		   q_int(fx->k, "SELECT count(*) FROM blob_chunks", NULL) == 0,
	   "unreferenced content purged, shared content kept");
	ok(q_int(fx->k, "SELECT count(*) FROM pragma_foreign_key_check", NULL) == 0,
	   "no dangling references");
	ok(q_int(fx->k, "SELECT count(*) FROM ingest_runs", NULL) == 1,
	   "the run (provenance) stays");

	/* written and deleted in the same batch: the index never sees it */
	{
		lka_write_counts c = { 0 };
		lka_msgorigin o = { 0 };
		lka_msg *m = mk_msg("t@x", "transient", "transient body", 1709284500);
		o.source_id = fx->src2;
		o.file_id = fx->file2_ids[0];
		o.folder_id = fx->folder2_ids[0];
		o.file_display = "other.mbox";
		ok(lka_case__begin(fx->k, &e) == LKA_OK &&
			   lka_case__message_write(fx->k, &o, m, true, &c, &e) == LKA_OK &&
			   q_int(fx->k, "SELECT deferred FROM fts_deferral", NULL) == 1 &&
			   lka_case__source_delete(fx->k, fx->src2, &e) == LKA_OK &&
			   lka_case__commit(fx->k, &e) == LKA_OK,
		   "write then delete in one transaction");
		lka_msg_free(m);
	}
	ok(q_int(fx->k, "SELECT count(*) FROM messages", NULL) == 0 &&
		   q_int(fx->k, "SELECT count(*) FROM messages_fts_docsize", NULL) == 0 &&
		   q_int(fx->k, "SELECT deferred FROM fts_deferral", NULL) == 0,
	   "the full-text index is empty, deferral off after commit");
	ok(exec_sql(fx->k, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')") ==
		   SQLITE_OK,
	   "FTS5 integrity-check (index structure) passes");
}

/* ---- verify ---- */

typedef struct seen {
	int match, changed, missing, added, unreadable, sources;
	char last_source_detail[512];
	int source_state;
} seen;

static void
on_verify(int64_t source_id, const char *source_path, const char *relpath,
	  lka_verify_state state, const char *detail, void *payload)
{
	seen *s = payload;

	(void)source_id;
	(void)source_path;
	if (!relpath) {
		s->sources++;
		s->source_state = state;
		snprintf(s->last_source_detail, sizeof s->last_source_detail, "%s", detail ? detail : "");
		return;
	}
	switch (state) {
	case LKA_VERIFY_MATCH: s->match++; break;
	case LKA_VERIFY_CHANGED: s->changed++; break;
	case LKA_VERIFY_MISSING: s->missing++; break;
	case LKA_VERIFY_ADDED: s->added++; break;
	case LKA_VERIFY_UNREADABLE: s->unreadable++; break;
	}
}

static int64_t
record(lka_case *k, const char *path)
{
	lka_scan sc = { 0 };
	lka_error e = { 0 };
	int64_t id = 0;
	int64_t fids[16], dids[16];

	if (lka_scan_source(&sc, path, NULL, &e) != LKA_OK || sc.n_files > 16) {
		diag("scan %s: %s", path, e.msg);
		return 0;
	}
	if (lka_case__source_add(k, 0, &sc, &id, fids, dids, &e) != LKA_OK)
		diag("source_add: %s", e.msg);
	lka_scan_clear(&sc);
	return id;
}

static void
test_verify(void)
{
	char path[512], dir[512], p[600], one[512], cmd[1200], hex[128], t[128];
	lka_case *k = NULL;
	lka_error e = { 0 };
	lka_verify_report r;
	seen s = { 0 };
	int64_t fsrc, dsrc;
	FILE *pf;

	tpath(dir, sizeof dir, "ev");
	mkdir(dir, 0755);
	snprintf(p, sizeof p, "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/a.eml", dir);
	write_file(p, "From: a@b\n\nA\n", 13);
	snprintf(p, sizeof p, "%s/b.eml", dir);
	write_file(p, "From: a@b\n\nB\n", 13);
	snprintf(p, sizeof p, "%s/sub/c.eml", dir);
	write_file(p, "From: a@b\n\nC\n", 13);
	tpath(one, sizeof one, "one.mbox");
	write_file(one, "From x Fri Mar  1 10:15:00 2024\nFrom: a@b\n\nx\n", 46);

	tpath(path, sizeof path, "verify.case");
	if (lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) != LKA_OK) {
		ok(0, "create the verify case: %s", e.msg);
		return;
	}
	dsrc = record(k, dir);
	fsrc = record(k, one);
	ok(dsrc > 0 && fsrc > 0, "record a folder source and a file source (scanned)");

	/* The documented coreutils recipe gives the recorded manifest hash. */
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && find . -type f | cut -c3- | LC_ALL=C sort | xargs -r -d '\\n' sha256sum "
		 "| sha256sum 2>/dev/null",
		 dir);
	pf = popen(cmd, "r");
	hex[0] = '\0';
	if (pf) {
		if (!fgets(hex, sizeof hex, pf))
			hex[0] = '\0';
		pclose(pf);
	}
	if (strlen(hex) >= 64) {
		hex[64] = '\0';
		ok(strcmp(q_text(k, t, sizeof t, "SELECT sha256 FROM sources WHERE id = ?1", dsrc),
			  hex) == 0,
		   "the coreutils recipe in the schema recomputes the folder hash");
	} else {
		skip(1, "coreutils not available");
	}

	ok(lka_case_verify(k, &r, on_verify, &s, &e) == LKA_OK, "verify untouched evidence");
	ok(r.sources == 2 && r.matched == 2 && r.changed == 0 && s.match == 3 && s.sources == 2 &&
		   r.db_integrity_ok && r.db_consistency_ok,
	   "everything matches, database ok (%s)", r.db_detail);

	snprintf(p, sizeof p, "%s/a.eml", dir);
	write_file(p, "From: a@b\n\nA, altered\n", 22);
	snprintf(p, sizeof p, "%s/sub/c.eml", dir);
	remove(p);
	snprintf(p, sizeof p, "%s/new.eml", dir);
	write_file(p, "From: a@b\n\nN\n", 13);
	write_file(one, "From x Fri Mar  1 10:15:00 2024\nFrom: a@b\n\ny\n", 46);
	memset(&s, 0, sizeof s);
	ok(lka_case_verify(k, &r, on_verify, &s, &e) == LKA_WARN, "verify changed evidence: WARN");
	ok(s.changed == 1 && s.missing == 1 && s.added == 1 && s.match == 1,
	   "per file: 1 changed, 1 missing, 1 added, 1 match (%d %d %d %d)", s.changed, s.missing,
	   s.added, s.match);
	ok(r.changed == 2 && r.matched == 0 && r.missing == 0,
	   "per source: both changed (same size, other bytes, for the file)");
	remove(one);
	memset(&s, 0, sizeof s);
	lka_case_verify(k, &r, on_verify, &s, &e);
	ok(r.missing == 1 && r.changed == 1 && s.source_state == LKA_VERIFY_MISSING,
	   "a file source that is gone is missing");
	rm_rf(dir);
	memset(&s, 0, sizeof s);
	lka_case_verify(k, &r, on_verify, &s, &e);
	ok(r.missing == 2, "a folder source that is gone is missing");

	/* an inconsistent database is reported */
	ok(r.db_consistency_ok, "consistent so far");
	exec_sql(k, "UPDATE sources SET files = files + 1 WHERE id = 1");
	lka_case_verify(k, &r, NULL, NULL, &e);
	ok(!r.db_consistency_ok && strstr(r.db_detail, "counters") && r.db_integrity_ok,
	   "a wrong counter is an inconsistency (%s)", r.db_detail);
	exec_sql(k, "UPDATE sources SET files = files - 1 WHERE id = 1");
	exec_sql(k, "INSERT INTO messages_fts (rowid, subject) VALUES (4242, 'ghost')");
	lka_case_verify(k, &r, NULL, NULL, &e);
	ok(!r.db_consistency_ok && strstr(r.db_detail, "full-text"),
	   "a full-text row without its message is found (%s)", r.db_detail);
	lka_case_free(k);

	/* read-only verify of the same case */
	k = NULL;
	ok(lka_case_open(&k, ctx, path, LKA_CASE_READONLY, &e) == LKA_OK &&
		   lka_case_verify(k, &r, NULL, NULL, &e) == LKA_WARN && r.db_integrity_ok,
	   "verify works on a read-only case");
	lka_case_free(k);
	ok(strcmp(lka_verify_state_name(LKA_VERIFY_ADDED), "added") == 0 &&
		   strcmp(lka_verify_state_name(LKA_VERIFY_MATCH), "match") == 0,
	   "lka_verify_state_name");
}

int
main(void)
{
	const char *base = getenv("TMPDIR");
	lka_error e = { 0 };
	fixture fx = { 0 };
	char path[512];

	snprintf(tmpdir, sizeof tmpdir, "%s/test-case-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (lka_ctx_new(&ctx, &e) != LKA_OK) {
		printf("Bail out! lka_ctx_new\n");
		return 1;
	}
	test_create_reopen();
	test_foreign();
	test_newer();
	test_migrations();

	tpath(path, sizeof path, "main.case");
	if (lka_case_open(&fx.k, ctx, path, LKA_CASE_CREATE, &e) != LKA_OK) {
		printf("Bail out! create %s: %s\n", path, e.msg);
		return 1;
	}
	test_sources(&fx);
	test_messages(&fx);
	test_content_modes(&fx);
	test_limits(&fx);
	test_finish_and_views(&fx);
	{
		lka_verify_report r;
		lka_case_verify(fx.k, &r, NULL, NULL, &e);
		ok(r.db_integrity_ok && r.db_consistency_ok,
		   "the case written so far is consistent (%s)", r.db_detail);
	}
	test_delete(&fx);
	lka_case_free(fx.k);

	test_verify();

	lka_ctx_free(ctx);
	rm_rf(tmpdir);
	return done_testing();
}
