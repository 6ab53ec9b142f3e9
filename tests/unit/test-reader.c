/*
 * test-reader.c — lka_read_task() into an in-memory sink: eml (maildir
 * flags, a leading From_ line), emlx (good, truncated count, no count),
 * mbox (skip, leading garbage, >From unquoting, empty messages, limits),
 * item_begin/message pairing, a sink that says stop, and the fault hooks
 * in child processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reader.h"
#include "tap.h"

/* ---- a sink that keeps everything ---- */

typedef struct event {
	char type;       /* 'B' item_begin, 'M' message, 'D' diag, 'F' folder */
	bool has_loc;
	lka_itemloc loc;
	lka_msg *msg;    /* 'M' */
	lka_status sev;  /* 'D' */
	lka_errkind kind;
	char text[256];  /* 'D' message */
} event;

typedef struct col_sink {
	lka_sink base;
	event ev[64];
	size_t n;
	size_t fatal_after_messages; /* 0: never */
	size_t messages;
} col_sink;

static event *
push(col_sink *c, char type, const lka_itemloc *loc)
{
	event *e;

	if (c->n == sizeof c->ev / sizeof c->ev[0])
		abort();
	e = &c->ev[c->n++];
	memset(e, 0, sizeof *e);
	e->type = type;
	if (loc) {
		e->has_loc = true;
		e->loc = *loc;
	}
	return e;
}

static lka_status
col_begin(lka_sink *s, const lka_itemloc *loc)
{
	push((col_sink *)(void *)s, 'B', loc);
	return LKA_OK;
}

static lka_status
col_folder(lka_sink *s, const lka_folder *f)
{
	(void)f;
	push((col_sink *)(void *)s, 'F', NULL);
	return LKA_OK;
}

static lka_status
col_message(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	col_sink *c = (col_sink *)(void *)s;

	(void)folder_id;
	push(c, 'M', loc)->msg = m;
	c->messages++;
	return c->fatal_after_messages && c->messages >= c->fatal_after_messages ? LKA_FATAL : LKA_OK;
}

static lka_status
col_contact(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *ct)
{
	col_sink *c = (col_sink *)(void *)s;

	(void)folder_id;
	push(c, 'C', loc);
	lka_contact_free(ct);
	return LKA_OK;
}

static lka_status
col_diag(lka_sink *s, const lka_itemloc *loc, const lka_diag *d)
{
	event *e = push((col_sink *)(void *)s, 'D', loc);

	e->sev = d->severity;
	e->kind = d->kind;
	snprintf(e->text, sizeof e->text, "%s", d->message);
	return LKA_OK;
}

static const lka_sink_ops col_ops = { col_begin, col_folder, col_message, col_contact,
					   col_diag };

static void
col_init(col_sink *c)
{
	memset(c, 0, sizeof *c);
	c->base.ops = &col_ops;
}

static void
col_free(col_sink *c)
{
	for (size_t i = 0; i < c->n; i++)
		lka_msg_free(c->ev[i].msg);
	c->n = 0;
}

/* Every 'B' is followed by exactly one 'M' or 'D' with the same loc, and nothing else with a loc comes unannounced. */
static bool
paired(const col_sink *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const event *e = &c->ev[i];
		if (e->type == 'B') {
			const event *x = i + 1 < c->n ? &c->ev[i + 1] : NULL;
			if (!x || (x->type != 'M' && x->type != 'C' && x->type != 'D') || !x->has_loc ||
			    memcmp(&x->loc, &e->loc, sizeof e->loc) != 0)
				return false;
			i++;
		} else if (e->has_loc) {
			return false;
		}
	}
	return true;
}

static size_t
count(const col_sink *c, char type)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->ev[i].type == type;
	return n;
}

static const event *
nth(const col_sink *c, char type, size_t k)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->ev[i].type == type && k-- == 0)
			return &c->ev[i];
	return NULL;
}

/* ---- files ---- */

static char root[256];

static const char *
put(const char *name, const char *data, size_t n)
{
	static char path[8][1024];
	static int slot;
	char *p = path[slot++ % 8];
	FILE *f;

	snprintf(p, 1024, "%s/%s", root, name);
	f = fopen(p, "wb");
	if (!f)
		exit(99);
	fwrite(data, 1, n, f);
	fclose(f);
	return p;
}

static lka_status
run(lka_rctx *rc, const char *path, lka_format fmt, uint64_t skip, col_sink *c)
{
	lka_task task = { path, "test", fmt, skip };

	return lka_read_task(rc, &task, &c->base);
}

static bool
has_subject(const event *e, const char *subject)
{
	return e && e->msg && e->msg->subject && strcmp(e->msg->subject, subject) == 0;
}

static void
test_eml(lka_rctx *rc)
{
	static const char eml[] = "From: a@example.org\nTo: b@example.org\nSubject: hello\n\nbody\n";
	static const char envl[] = "From - Tue Oct 02 00:26:47 2007\nFrom: a@example.org\n"
				   "Subject: enveloped\n\nbody\n";
	col_sink c;
	lka_status st;
	const char *p;

	col_init(&c);
	p = put("1234.host:2,FS", eml, sizeof eml - 1);
	st = run(rc, p, LKA_FMT_EML, 0, &c);
	ok(st == LKA_OK, "eml: ok (%s)", lka_status_name(st));
	ok(c.n == 2 && paired(&c) && has_subject(nth(&c, 'M', 0), "hello"),
	   "eml: begin + message, subject");
	ok(nth(&c, 'M', 0) && nth(&c, 'M', 0)->loc.ordinal == 0 &&
		   nth(&c, 'M', 0)->loc.offset == 0 &&
		   nth(&c, 'M', 0)->loc.length == (int64_t)sizeof eml - 1,
	   "eml: loc 0/0/size");
	ok(nth(&c, 'M', 0) && nth(&c, 'M', 0)->msg->maildir_flags &&
		   strcmp(nth(&c, 'M', 0)->msg->maildir_flags, "FS") == 0,
	   "eml: maildir flags from the file name");
	col_free(&c);

	st = run(rc, p, LKA_FMT_EML, 1, &c);
	ok(st == LKA_OK && c.n == 0, "eml with skip 1: nothing emitted");

	p = put("enveloped.eml", envl, sizeof envl - 1);
	st = run(rc, p, LKA_FMT_EML, 0, &c);
	ok(st == LKA_OK && has_subject(nth(&c, 'M', 0), "enveloped") &&
		   nth(&c, 'M', 0)->msg->raw_size == sizeof envl - 1 - 32,
	   "eml with a leading From_ line: the line is not parsed as part of the message");
	col_free(&c);

	p = put("BROKEN.eml", "BROKEN message\n", 15);
	st = run(rc, p, LKA_FMT_EML, 0, &c);
	ok(st == LKA_WARN && c.n == 2 && paired(&c) && nth(&c, 'D', 0) &&
		   nth(&c, 'D', 0)->sev == LKA_FAILED,
	   "eml that does not parse: begin + failed diag, warn");
	col_free(&c);

	p = put("empty.eml", "", 0);
	st = run(rc, p, LKA_FMT_EML, 0, &c);
	ok(st == LKA_WARN && c.n == 2 && paired(&c), "empty eml: begin + diag");
	col_free(&c);
}

static void
test_emlx(lka_rctx *rc)
{
	static const char msg[] = "From: a@example.org\nSubject: apple\n\nbody\n";
	char data[512];
	col_sink c;
	lka_status st;
	const char *p;
	int n;

	col_init(&c);
	n = snprintf(data, sizeof data, "%zu\n%s<?xml version=\"1.0\"?>\n<plist><dict/></plist>\n",
		     sizeof msg - 1, msg);
	p = put("1.emlx", data, (size_t)n);
	st = run(rc, p, LKA_FMT_EMLX, 0, &c);
	ok(st == LKA_OK && c.n == 2 && paired(&c) && has_subject(nth(&c, 'M', 0), "apple"),
	   "emlx: one message");
	ok(nth(&c, 'M', 0) && nth(&c, 'M', 0)->loc.offset == 3 &&
		   nth(&c, 'M', 0)->loc.length == (int64_t)sizeof msg - 1 &&
		   nth(&c, 'M', 0)->msg->raw_size == sizeof msg - 1,
	   "emlx: offset after the count line, length = count, plist not parsed");
	col_free(&c);

	n = snprintf(data, sizeof data, "%zu\n%s", sizeof msg - 1 + 500, msg);
	p = put("2.emlx", data, (size_t)n);
	st = run(rc, p, LKA_FMT_EMLX, 0, &c);
	ok(st == LKA_WARN && c.n == 2 && paired(&c) && nth(&c, 'M', 0) &&
		   nth(&c, 'M', 0)->msg->diags.n == 1 &&
		   nth(&c, 'M', 0)->loc.length == (int64_t)sizeof msg - 1,
	   "emlx with a count past the end: clamped, message kept with a diagnostic");
	col_free(&c);

	p = put("3.emlx", msg, sizeof msg - 1);
	st = run(rc, p, LKA_FMT_EMLX, 0, &c);
	ok(st == LKA_WARN && c.n == 2 && paired(&c) && nth(&c, 'D', 0) &&
		   nth(&c, 'D', 0)->kind == LKA_E_CORRUPT,
	   "emlx without a count line: item failed");
	col_free(&c);
}

static void
test_mbox(lka_rctx *rc)
{
	static const char box[] = "garbage before\n\n"
				  "From a@x Mon Jun  1 10:00:00 2009\nSubject: m0\n\nzero\n>From quoted\n\n"
				  "From b@x Mon Jun  1 11:00:00 2009\nSubject: m1\n\none\n\n"
				  "From c@x Mon Jun  1 12:00:00 2009\n\n"
				  "From d@x Mon Jun  1 13:00:00 2009\nSubject: m3\n\nthree\n";
	col_sink c;
	lka_status st;
	const char *p;
	const event *e;

	col_init(&c);
	p = put("box.mbox", box, sizeof box - 1);
	st = run(rc, p, LKA_FMT_MBOX, 0, &c);
	ok(st == LKA_WARN, "mbox: warn (garbage, empty message)");
	ok(paired(&c), "mbox: every item_begin closed by one message or diag");
	ok(count(&c, 'B') == 4 && count(&c, 'M') == 3, "mbox: 4 items, 3 messages");
	e = &c.ev[0];
	ok(e->type == 'D' && !e->has_loc && strstr(e->text, "before the first From_"),
	   "mbox: leading garbage reported for the file");
	e = nth(&c, 'M', 0);
	ok(has_subject(e, "m0") && e->loc.ordinal == 0 && e->loc.offset == 16 &&
		   strstr(e->msg->body_text, "From quoted") &&
		   !strstr(e->msg->body_text, ">From quoted"),
	   "mbox: message 0 at offset 16, >From unquoted");
	e = nth(&c, 'D', 1);
	ok(e && e->has_loc && e->loc.ordinal == 2 && e->sev == LKA_WARN,
	   "mbox: empty message 2 is a diagnostic");
	e = nth(&c, 'M', 2);
	ok(has_subject(e, "m3") && e->loc.ordinal == 3 &&
		   e->loc.offset + e->loc.length == (int64_t)sizeof box - 1,
	   "mbox: last message runs to EOF");
	col_free(&c);

	st = run(rc, p, LKA_FMT_MBOX, 3, &c);
	ok(st == LKA_OK && c.n == 2 && paired(&c) && has_subject(nth(&c, 'M', 0), "m3") &&
		   nth(&c, 'M', 0)->loc.ordinal == 3,
	   "mbox with skip 3: only ordinal 3, no file diagnostic again");
	col_free(&c);

	st = run(rc, p, LKA_FMT_MBOX, 99, &c);
	ok(st == LKA_OK && c.n == 0, "mbox with skip past the end: nothing");
	col_free(&c);

	c.fatal_after_messages = 1;
	st = run(rc, p, LKA_FMT_MBOX, 0, &c);
	ok(st == LKA_FATAL && count(&c, 'M') == 1 && c.ev[c.n - 1].type == 'M',
	   "sink says stop: reader stops at once, fatal");
	col_free(&c);

	p = put("empty.mbox", "", 0);
	st = run(rc, p, LKA_FMT_MBOX, 0, &c);
	ok(st == LKA_OK && c.n == 0, "empty mbox: no item, ok");
	col_free(&c);

	p = put("none.mbox", "just text\n", 10);
	st = run(rc, p, LKA_FMT_MBOX, 0, &c);
	ok(st == LKA_WARN && c.n == 1 && !c.ev[0].has_loc, "mbox without a From_ line: a file diagnostic");
	col_free(&c);
}

/* An mbox read through small windows gives exactly what one mapping gives. */
static void
test_mbox_windows(lka_rctx *rc)
{
	char *box = malloc(200000), *q = box;
	col_sink a, b;
	const char *p;
	bool same = true;

	for (int i = 0; i < 25; i++) {
		size_t body = i == 7 ? 12000 : (size_t)(97 + 331 * (i % 9));
		q += sprintf(q, "From m%d@x Mon Jun  1 10:00:00 2009\nSubject: w%d\n\n", i, i);
		for (size_t k = 0; k < body; k++)
			*q++ = k % 61 == 60 ? '\n' : (char)('a' + (k + (size_t)i) % 26);
		q += sprintf(q, "\n\n");
	}
	p = put("windows.mbox", box, (size_t)(q - box));
	col_init(&a);
	col_init(&b);
	run(rc, p, LKA_FMT_MBOX, 0, &a);
	lka_rctx__set_mbox_window(rc, 4096);
	run(rc, p, LKA_FMT_MBOX, 0, &b);
	is_int((long long)count(&a, 'M'), 25, "windows: 25 messages with one mapping");
	is_int((long long)count(&b, 'M'), 25, "windows: 25 messages through 4 KiB windows");
	for (int i = 0; i < 25 && same; i++) {
		const event *x = nth(&a, 'M', i), *y = nth(&b, 'M', i);
		same = x && y && x->loc.ordinal == y->loc.ordinal && x->loc.offset == y->loc.offset &&
		       x->loc.length == y->loc.length &&
		       memcmp(x->msg->raw_sha256, y->msg->raw_sha256, LKA_SHA256_LEN) == 0;
	}
	ok(same, "windows: same ordinals, offsets, lengths and hashes (a message larger than a window included)");
	col_free(&b);
	run(rc, p, LKA_FMT_MBOX, 20, &b);
	ok(count(&b, 'M') == 5 && nth(&b, 'M', 0)->loc.offset == nth(&a, 'M', 20)->loc.offset,
	   "windows: skip 20 resumes at the same offset");
	lka_rctx__set_mbox_window(rc, (size_t)64 << 20);
	col_free(&a);
	col_free(&b);
	free(box);
}

static void
test_limits_and_errors(void)
{
	static const char box[] = "From a@x Mon Jun  1 10:00:00 2009\nSubject: small\n\nx\n\n"
				  "From b@x Mon Jun  1 11:00:00 2009\nSubject: big\n\n"
				  "0123456789012345678901234567890123456789012345678901234567890123456789\n";
	lka_limits lim;
	lka_rctx *rc = NULL;
	lka_error err = { 0 };
	col_sink c;
	lka_status st;
	const char *p;
	char link[1024];

	lka_limits_default(&lim);
	lim.message_bytes = 60;
	ok(lka_rctx_new(&rc, &lim, false, NULL, &err) == LKA_OK, "rctx with a small limit");
	col_init(&c);
	p = put("limit.mbox", box, sizeof box - 1);
	st = run(rc, p, LKA_FMT_MBOX, 0, &c);
	ok(st == LKA_WARN && paired(&c) && count(&c, 'M') == 1 && nth(&c, 'D', 0) &&
		   nth(&c, 'D', 0)->kind == LKA_E_LIMIT && nth(&c, 'D', 0)->loc.ordinal == 1,
	   "mbox message over the limit: item failed with a limit diagnostic");
	col_free(&c);
	p = put("big.eml", box, sizeof box - 1);
	st = run(rc, p, LKA_FMT_EML, 0, &c);
	ok(st == LKA_WARN && c.n == 2 && paired(&c) && nth(&c, 'D', 0)->kind == LKA_E_LIMIT,
	   "eml over the limit: item failed with a limit diagnostic");
	col_free(&c);

	st = run(rc, "/nonexistent/x.eml", LKA_FMT_EML, 0, &c);
	ok(st == LKA_FATAL && c.n == 1 && !c.ev[0].has_loc && c.ev[0].sev == LKA_FATAL,
	   "missing file: fatal, a file diagnostic");
	col_free(&c);
	snprintf(link, sizeof link, "%s/link.eml", root);
	if (symlink(p, link) == 0) {
		st = run(rc, link, LKA_FMT_EML, 0, &c);
		ok(st == LKA_FATAL && c.n == 1, "symlink not followed: fatal");
		col_free(&c);
	}
	st = run(rc, p, LKA_FMT_UNKNOWN, 0, &c);
	ok(st == LKA_FATAL && c.n == 1 && c.ev[0].kind == LKA_E_UNSUPPORTED,
	   "unknown format: fatal, unsupported");
	col_free(&c);
	lka_rctx_free(rc);
	lka_rctx_free(NULL);

	rc = NULL;
	ok(lka_rctx_new(&rc, NULL, false, "explode:x", &err) == LKA_FATAL && !rc &&
		   err.kind == LKA_E_USAGE,
	   "bad fault spec refused");
	ok(lka_rctx_new(&rc, NULL, false, "crash:", &err) == LKA_FATAL && !rc,
	   "fault spec without text refused");
}

/* Run an mbox through a reader with a fault in a child; returns its wait status. */
static int
fault_child(const char *fault, const char *path, int wait_ms, bool *still_running)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		lka_rctx *rc = NULL;
		lka_error err = { 0 };
		col_sink c;
		lka_task task = { path, "test", LKA_FMT_MBOX, 0 };

		/* the child is meant to die: keep the sanitizer's report of it out of the log */
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		if (strncmp(fault, "oom:", 4) == 0) {
			struct rlimit rl = { 256u << 20, 256u << 20 };
			setrlimit(RLIMIT_AS, &rl);
		}
		if (lka_rctx_new(&rc, NULL, false, fault, &err) != LKA_OK)
			_exit(3);
		col_init(&c);
		(void)lka_read_task(rc, &task, &c.base);
		_exit(count(&c, 'M') == 3 ? 0 : 4);
	}
	*still_running = false;
	for (int waited = 0; waited < wait_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	*still_running = true;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

static void
test_faults(void)
{
	static const char box[] = "From a@x Mon Jun  1 10:00:00 2009\nSubject: a\n\nfine\n\n"
				  "From b@x Mon Jun  1 11:00:00 2009\nSubject: b\n\nPOISON here\n\n"
				  "From c@x Mon Jun  1 12:00:00 2009\nSubject: c\n\nfine\n";
	const char *p = put("fault.mbox", box, sizeof box - 1);
	bool running;
	int st;

	st = fault_child("crash:NOT-THERE", p, 20000, &running);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fault text absent: all 3 messages read");
	st = fault_child("exit:POISON", p, 20000, &running);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exit fault: _exit(42) on the poisoned item");
	st = fault_child("crash:POISON", p, 20000, &running);
	ok(!running && (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0)),
	   "crash fault: the reader dies (%s %d)", WIFSIGNALED(st) ? "signal" : "exit",
	   WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	st = fault_child("hang:POISON", p, 300, &running);
	ok(running, "hang fault: the reader is still busy after 300 ms");
#if defined(__SANITIZE_ADDRESS__)
	skip(1, "oom fault: address sanitizer reserves address space");
#else
	if (getenv("LKA_SANITIZED") && *getenv("LKA_SANITIZED")) {
		skip(1, "oom fault: sanitized build");
	} else {
		st = fault_child("oom:POISON", p, 60000, &running);
		ok(!running && (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0)),
		   "oom fault: the reader dies once memory runs out");
	}
#endif
}

int
main(void)
{
	lka_rctx *rc = NULL;
	lka_error err = { 0 };
	const char *tmp = getenv("TMPDIR");
	char cmd[512];

	snprintf(root, sizeof root, "%s/lka-test-reader-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	if (lka_rctx_new(&rc, NULL, false, NULL, &err) != LKA_OK) {
		printf("Bail out! lka_rctx_new: %s\n", err.msg);
		return 1;
	}
	test_eml(rc);
	test_emlx(rc);
	test_mbox(rc);
	test_mbox_windows(rc);
	/*
	 * rc stays alive while the next tests make their own: GMime 3.2 cannot be
	 * initialised again after its last g_mime_shutdown() in one process.
	 */
	test_limits_and_errors();
	test_faults();
	lka_rctx_free(rc);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", root);
	return done_testing();
}
