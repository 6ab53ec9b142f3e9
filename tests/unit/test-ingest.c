/*
 * test-ingest.c — the ingest pipeline through the public API: in-process and
 * isolated runs agree, a complete source is skipped, --force reads it again,
 * a crashing reader loses one item only, a missing source is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "leakaudit/leakaudit.h"
#include "tap.h"

static char dir[200];
static lka_ctx *gctx; /* shared by every case of the test */

static void
put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(3);
	}
	fputs(text, f);
	fclose(f);
}

static long long
count(lka_case *kase, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(lka_case_sqlite(kase), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Ingest the test evidence into a new case; returns the status. */
static lka_status
ingest(const char *db, lka_ingest_opts *o, lka_ingest_stats *st_out, lka_case **keep)
{
	lka_case *kase = NULL;
	lka_ingest *ing = NULL;
	lka_error err = { 0 };
	lka_status st = LKA_FATAL;
	char src[300];

	if (lka_case_open(&kase, gctx, db, LKA_CASE_CREATE, &err) != LKA_OK ||
	    lka_ingest_new(&ing, kase, o, &err) != LKA_OK) {
		diag("setup: %s: %s", err.where, err.msg);
		goto out;
	}
	snprintf(src, sizeof src, "%s/ev", dir);
	if (lka_ingest_add_source(ing, src, &err) != LKA_OK)
		goto out;
	st = lka_ingest_run(ing, NULL, NULL, &err);
	if (st == LKA_FATAL)
		diag("run: %s: %s", err.where, err.msg);
	*st_out = *lka_ingest_get_stats(ing);
out:
	lka_ingest_free(ing);
	if (keep && st != LKA_FATAL) {
		*keep = kase;
		return st;
	}
	lka_case_free(kase);
	return st;
}

int
main(void)
{
	lka_ingest_opts o;
	lka_ingest_stats s;
	lka_case *a = NULL, *b = NULL;
	lka_case *ro = NULL;
	lka_ingest *ing = NULL;
	lka_error err = { 0 };
	char db[400], cmd[1400];

	snprintf(dir, sizeof dir, "%s/lka-test-ingest.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 3;
	snprintf(cmd, sizeof cmd, "mkdir -p %s/ev/md/cur %s/ev/md/new %s/ev/md/tmp", dir, dir, dir);
	if (system(cmd) != 0)
		return 3;
	put("ev/md/cur/1.M1P1.h:2,S", "From: a@b.fr\nTo: c@d.fr\nSubject: one\nMessage-ID: <1@x>\n\nhello\n");
	put("ev/md/new/2.M2P2.h", "From: a@b.fr\nTo: c@d.fr\nSubject: two POISON\n\nhello\n");
	put("ev/box.mbox",
	    "From a@b Mon Jan  1 10:00:00 2024\nFrom: a@b.fr\nSubject: m1\n\nx\n\n"
	    "From a@b Mon Jan  1 10:00:00 2024\nFrom: a@b.fr\nSubject: m2 POISON\n\nx\n\n"
	    "From a@b Mon Jan  1 10:00:00 2024\nFrom: a@b.fr\nSubject: m3\n\nx\n");

	if (lka_ctx_new(&gctx, &err) != LKA_OK)
		return 3;
	lka_ingest_opts_default(&o);
	ok(o.isolate == 1 && o.store_content == 1 && o.jobs == 0, "defaults: isolated, content kept, jobs = cores");

	/* in-process */
	snprintf(db, sizeof db, "%s/a.db", dir);
	o.isolate = 0;
	is_int(ingest(db, &o, &s, &a), LKA_OK, "in-process run is clean");
	is_int((long long)s.messages, 5, "in-process: 5 messages");
	is_int(count(a, "SELECT count(*) FROM messages"), 5, "in-process: 5 rows");

	/* isolated, two readers */
	snprintf(db, sizeof db, "%s/b.db", dir);
	o.isolate = 1;
	o.jobs = 2;
	is_int(ingest(db, &o, &s, &b), LKA_OK, "isolated run is clean");
	is_int((long long)s.messages, 5, "isolated: 5 messages");
	is_int((long long)s.reader_crashes, 0, "isolated: no crash");
	is_int(count(b, "SELECT count(*) FROM messages"), 5, "isolated: 5 rows");
	is_int(count(b, "SELECT count(*) FROM sources WHERE status = 'complete'"), 1, "source complete");
	lka_case_free(b);

	/* second run: skipped */
	is_int(ingest(db, &o, &s, NULL), LKA_OK, "second run is clean");
	is_int((long long)s.sources_skipped, 1, "second run skips the complete source");
	is_int((long long)s.messages, 0, "second run adds nothing");

	/* --force: read again, same rows */
	o.force = 1;
	is_int(ingest(db, &o, &s, &b), LKA_OK, "forced run is clean");
	is_int(count(b, "SELECT count(*) FROM messages"), 5, "forced run: still 5 rows");
	is_int(count(b, "SELECT count(*) FROM sources"), 1, "forced run: one source row");
	lka_case_free(b);
	o.force = 0;

	/* crash on items holding POISON: one maildir file and one mbox item lost */
	snprintf(db, sizeof db, "%s/c.db", dir);
	o.fault = "crash:POISON";
	is_int(ingest(db, &o, &s, &b), LKA_WARN, "crashing run finishes with a warning");
	is_int((long long)s.reader_crashes, 2, "two reader crashes");
	is_int(count(b, "SELECT count(*) FROM messages"), 3, "three healthy messages kept");
	is_int(count(b, "SELECT count(*) FROM messages WHERE subject = 'm3'"), 1,
	       "the mbox item after the poisoned one is read");
	is_int(count(b, "SELECT count(*) FROM errors WHERE kind = 'crash'"), 2, "two crash errors");
	is_int(count(b, "SELECT count(*) FROM sources WHERE status = 'partial'"), 1, "source partial");
	lka_case_free(b);
	o.fault = NULL;

	/* API misuse and missing evidence */
	if (lka_case_open(&ro, gctx, db, LKA_CASE_READONLY, &err) == LKA_OK) {
		is_int(lka_ingest_new(&ing, ro, &o, &err), LKA_FATAL, "ingest into a read-only case refused");
		is_int(err.kind, LKA_E_USAGE, "as a usage error");
	} else {
		ok(0, "open read-only: %s", err.msg);
	}
	lka_case_free(ro);
	lka_case_free(a);
	lka_ctx_free(gctx);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
