/*
 * test-mbox.c — the mbox splitter: From_ line syntax, separator context,
 * Content-Length trust, CRLF, missing final newline, leading garbage, empty
 * messages, >From unquoting, linear time on hostile input, and the message
 * counts of the shared corpus (EXPECTED.md §2) when it is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mbox.h"
#include "tap.h"

/* ---- helpers ---- */

#define MAXMSG 64

typedef struct split {
	size_t n;
	lka_mbox_msg m[MAXMSG];
} split;

static void
split_all(const char *d, size_t n, split *out)
{
	lka_mbox mb;

	out->n = 0;
	lka_mbox_init(&mb, d, n);
	while (out->n < MAXMSG && lka_mbox_next(&mb, &out->m[out->n]))
		out->n++;
}

static bool
is_from(const char *s)
{
	return lka_mbox_is_from_line(s, strlen(s));
}

/* The body of message i as a string (static buffer: tests only). */
static const char *
body(const char *d, const split *s, size_t i, char *buf, size_t cap)
{
	size_t n = s->m[i].body_length < cap - 1 ? s->m[i].body_length : cap - 1;

	memcpy(buf, d + s->m[i].body_offset, n);
	buf[n] = '\0';
	return buf;
}

static void
test_from_lines(void)
{
	static const char *const good[] = {
		"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n",
		"From - Mon Jun  3 12:50:27 1996\n",
		"From user@domain  Fri Feb 22 17:06:23 2008\n",
		"From \"naveen.andrews@enron.com\" Wed Jan 30 18:07:01 2002\n",
		"From - Sun 24 Jan 2016 21:57:32\r\n", /* no year after the time: it came before */
		"From sender@example.org Mon Jun  3 12:50:27 PDT 1996\n",
		"From sender@example.org Mon Jun  3 12:50:27 1996 +0200\n",
		"From uucp Fri Feb  1 10:00 1991 remote from gateway\n",
		"From ???@??? Wed Jul 20 17:35:09 2016\n",
		"From a@b.c Thursday June 01 04:28:28 2009\n",
		"From a@b.c Mon Jun 01 04:28:28 2009", /* no line end: end of file */
		"From - \nFrom: a@example.org\n",       /* no date, but a header block follows */
		"From \r\nX-Account-Key: account1\r\nX-UIDL: 0397\r\n",
		"From - \nReturn-Path: <>\n",
	};
	static const char *const bad[] = {
		"From here on we go\n",
		"From - \n",                                   /* no date, nothing after */
		"From \nThis could cause problems, if a reader\n", /* no date, prose after */
		"From the desk of the mayor\nTo: all staff\nCc: x\n", /* not sender-shaped */
		"From x Fri Jul  8 2011\n",                    /* no time */
		"From x Fri Jul  8 12:08:34\n",                /* no year */
		"From x Jul  8 12:08:34 2011\n",               /* no weekday */
		"From x Fri Xyz  8 12:08:34 2011\n",           /* no month */
		"From x Fri Jul 32 12:08:34 2011\n",           /* no day */
		">From x Fri Jul  8 12:08:34 2011\n",
		"from x Fri Jul  8 12:08:34 2011\n",
		"From\tx Fri Jul  8 12:08:34 2011\n",
		"From x\x01 Fri Jul  8 12:08:34 2011\n",
		"From - \nnot a header line\nFrom: x\n",
		"From - \nSomething: one\n\n",                /* one unknown field only */
		"From",
		"",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ok(is_from(good[i]), "From_ line accepted: %.*s", (int)strcspn(good[i], "\r\n"),
		   good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(!is_from(bad[i]), "From_ line refused: %.*s", (int)strcspn(bad[i], "\r\n"),
		   bad[i]);
}

static void
test_basic(void)
{
	const char *d = "From a@x Mon Jun  1 10:00:00 2009\n"
			"Subject: one\n"
			"\n"
			"body one\n"
			"\n"
			"From b@x Mon Jun  1 11:00:00 2009\n"
			"Subject: two\n"
			"\n"
			"body two\n"
			"\n";
	char buf[256];
	split s;

	split_all(d, strlen(d), &s);
	ok(s.n == 2, "basic: 2 messages (got %zu)", s.n);
	if (s.n != 2)
		return;
	ok(s.m[0].offset == 0 && s.m[1].offset == (size_t)(strstr(d, "From b") - d),
	   "basic: offsets");
	ok(strcmp(body(d, &s, 0, buf, sizeof buf), "Subject: one\n\nbody one\n") == 0,
	   "basic: body 0 without the separating empty line");
	ok(strcmp(body(d, &s, 1, buf, sizeof buf), "Subject: two\n\nbody two\n") == 0,
	   "basic: last body without the final empty line");
	ok(s.m[0].offset + s.m[0].length == s.m[1].offset, "basic: length reaches the next separator");
	ok(s.m[1].offset + s.m[1].length == strlen(d), "basic: last length reaches EOF");
	ok(s.m[0].body_offset == strlen("From a@x Mon Jun  1 10:00:00 2009\n"),
	   "basic: body_offset after the From_ line");
}

static void
test_body_from_lines(void)
{
	/* tb__mbox_unquoted: a bare "From " in the body, followed by prose */
	const char *d1 = "From \nFrom: a@x\nSubject: 1\n\n"
			 "Earlier versions don't quote:\nFrom \nThis could cause problems\n\n"
			 "From \nFrom: a@x\nSubject: 2\n\nsecond\n";
	/* prose "From " line after an empty line */
	const char *d2 = "From a@x Mon Jun  1 10:00:00 2009\nSubject: 1\n\n"
			 "hello\n\nFrom here on, things changed.\nbye\n";
	/* a dated From_ line in a body without an empty line before and no headers after */
	const char *d3 = "From a@x Mon Jun  1 10:00:00 2009\nSubject: 1\n\n"
			 "quoted log:\nFrom b@y Mon Jun  1 10:00:00 2009\nsome text\n";
	/* a dated From_ line after an empty line, no Content-Length: indistinguishable */
	const char *d4 = "From a@x Mon Jun  1 10:00:00 2009\nSubject: 1\n\n"
			 "text\n\nFrom b@y Mon Jun  1 10:00:00 2009\nsome text\n";
	/* date-less separator right after a body line, header block after it (gmime) */
	const char *d5 = "From - \nFrom: a@x\nSubject: 1\n\nbody\n  text/plain <-- here\n"
			 "From - \nFrom: a@x\nSubject: 2\n\nbody2\n";
	split s;

	split_all(d1, strlen(d1), &s);
	ok(s.n == 2, "unquoted bare From in body: 2 messages, not 3 (got %zu)", s.n);
	split_all(d2, strlen(d2), &s);
	ok(s.n == 1, "prose From line after an empty line: not a separator (got %zu)", s.n);
	split_all(d3, strlen(d3), &s);
	ok(s.n == 1, "dated From line without an empty line before: not a separator (got %zu)",
	   s.n);
	split_all(d4, strlen(d4), &s);
	ok(s.n == 2, "dated From line after an empty line: a separator (got %zu)", s.n);
	split_all(d5, strlen(d5), &s);
	ok(s.n == 2, "date-less From_ line followed by headers: a separator (got %zu)", s.n);
	if (s.n == 2)
		ok(d5[s.m[1].offset] == 'F' && strncmp(d5 + s.m[1].offset, "From - \nFrom:", 13) == 0,
		   "date-less separator at the right offset");
}

static void
test_content_length(void)
{
	char d[512], buf[256];
	const char *body_txt = "line\n\nFrom b@y Mon Jun  1 10:00:00 2009\nnot a message\n";
	split s;
	int n;

	/* exact: the count ends where the empty line before the next separator starts */
	n = snprintf(d, sizeof d,
		     "From a@x Mon Jun  1 10:00:00 2009\nSubject: 1\nContent-Length: %zu\n\n%s\n"
		     "From c@z Mon Jun  1 11:00:00 2009\nSubject: 2\n\nlast\n",
		     strlen(body_txt), body_txt);
	split_all(d, (size_t)n, &s);
	ok(s.n == 2, "Content-Length exact: body From line ignored, 2 messages (got %zu)", s.n);
	if (s.n == 2) {
		char want[256];
		snprintf(want, sizeof want, "Subject: 1\nContent-Length: %zu\n\n%s", strlen(body_txt),
			 body_txt);
		ok(strcmp(body(d, &s, 0, buf, sizeof buf), want) == 0,
		   "Content-Length exact: the message is the headers and the counted body");
	}
	/* exact, landing directly on the separator (no empty line) */
	n = snprintf(d, sizeof d,
		     "From a@x Mon Jun  1 10:00:00 2009\nContent-Length: %zu\n\n%s"
		     "From c@z Mon Jun  1 11:00:00 2009\nSubject: 2\n\nlast\n",
		     strlen(body_txt), body_txt);
	split_all(d, (size_t)n, &s);
	ok(s.n == 2, "Content-Length landing on the separator: 2 messages (got %zu)", s.n);
	/* exact at the end of the file, with a trailing newline */
	n = snprintf(d, sizeof d, "From a@x Mon Jun  1 10:00:00 2009\nContent-Length: %zu\n\n%s\n",
		     strlen(body_txt), body_txt);
	split_all(d, (size_t)n, &s);
	ok(s.n == 1, "Content-Length reaching EOF: 1 message (got %zu)", s.n);
	/* wrong count: ignored, the body line splits */
	n = snprintf(d, sizeof d,
		     "From a@x Mon Jun  1 10:00:00 2009\nContent-Length: %zu\n\n%s\n"
		     "From c@z Mon Jun  1 11:00:00 2009\nSubject: 2\n\nlast\n",
		     strlen(body_txt) + 3, body_txt);
	split_all(d, (size_t)n, &s);
	ok(s.n == 3, "Content-Length wrong: distrusted, 3 messages (got %zu)", s.n);
	/* count past the end of the file */
	n = snprintf(d, sizeof d, "From a@x Mon Jun  1 10:00:00 2009\nContent-Length: 99999999999\n\n"
				  "x\n\nFrom c@z Mon Jun  1 11:00:00 2009\n\nlast\n");
	split_all(d, (size_t)n, &s);
	ok(s.n == 2, "Content-Length past EOF: distrusted (got %zu)", s.n);
	/* garbage count */
	n = snprintf(d, sizeof d, "From a@x Mon Jun  1 10:00:00 2009\nContent-Length: 12abc\n\n"
				  "x\n\nFrom c@z Mon Jun  1 11:00:00 2009\n\nlast\n");
	split_all(d, (size_t)n, &s);
	ok(s.n == 2, "Content-Length malformed: ignored (got %zu)", s.n);
	/* CRLF with a count */
	n = snprintf(d, sizeof d,
		     "From a@x Mon Jun  1 10:00:00 2009\r\ncontent-length: 46\r\n\r\n"
		     "a\r\n\r\nFrom b@y Mon Jun  1 10:00:00 2009\r\nzz\r\n\r\n"
		     "From c@z Mon Jun  1 11:00:00 2009\r\n\r\nlast\r\n");
	split_all(d, (size_t)n, &s);
	ok(s.n == 2, "Content-Length with CRLF: trusted (got %zu)", s.n);
}

static void
test_crlf_and_edges(void)
{
	const char *crlf = "From a@x Mon Jun  1 10:00:00 2009\r\nSubject: 1\r\n\r\nbody\r\n\r\n"
			   "From b@x Mon Jun  1 11:00:00 2009\r\nSubject: 2\r\n\r\nbody2\r\n\r\n";
	const char *nonl = "From a@x Mon Jun  1 10:00:00 2009\n\nTest content 1\n\n"
			   "From b@x Mon Jun  1 11:00:00 2009\n\nTest content 2";
	const char *garbage = "this is not\na message\n\nFrom a@x Mon Jun  1 10:00:00 2009\nSubject: 1\n\nx\n";
	const char *empty = "From a@x Mon Jun  1 10:00:00 2009\n\n"
			    "From b@x Mon Jun  1 10:00:00 2009\n"
			    "From c@x Mon Jun  1 10:00:00 2009\nSubject: 3\n\nthree\n";
	char buf[256];
	split s;

	split_all(crlf, strlen(crlf), &s);
	ok(s.n == 2, "CRLF: 2 messages (got %zu)", s.n);
	if (s.n == 2) {
		ok(strcmp(body(crlf, &s, 0, buf, sizeof buf), "Subject: 1\r\n\r\nbody\r\n") == 0,
		   "CRLF: the empty CRLF line before the separator is dropped");
		ok(strcmp(body(crlf, &s, 1, buf, sizeof buf), "Subject: 2\r\n\r\nbody2\r\n") == 0,
		   "CRLF: and at the end of the file");
	}
	split_all(nonl, strlen(nonl), &s);
	ok(s.n == 2, "no final newline: 2 messages (got %zu)", s.n);
	if (s.n == 2)
		ok(strcmp(body(nonl, &s, 1, buf, sizeof buf), "\nTest content 2") == 0,
		   "no final newline: last body runs to EOF");
	split_all(garbage, strlen(garbage), &s);
	ok(s.n == 1 && s.m[0].offset == 23, "leading garbage: skipped, first offset 23 (n=%zu)",
	   s.n);
	split_all(empty, strlen(empty), &s);
	ok(s.n == 3, "empty messages between separators kept (got %zu)", s.n);
	if (s.n == 3)
		ok(s.m[0].body_length == 0 && s.m[1].body_length == 0 &&
		   strcmp(body(empty, &s, 2, buf, sizeof buf), "Subject: 3\n\nthree\n") == 0,
		   "empty messages have empty bodies");
	split_all("", 0, &s);
	ok(s.n == 0, "empty input: no message");
	split_all(NULL, 0, &s);
	ok(s.n == 0, "NULL input: no message");
	split_all("no separator here\n", 18, &s);
	ok(s.n == 0, "no separator: no message");
	split_all("From a@x Mon Jun  1 10:00:00 2009", 33, &s);
	ok(s.n == 1 && s.m[0].body_length == 0 && s.m[0].body_offset == 33,
	   "a lone From_ line without newline");
}

static void
test_unquote(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ ">From x\n", "From x\n" },
		{ "a\n>From x\n>>From y\n", "a\nFrom x\n>From y\n" },
		{ "> From x\n>Fromage\n>From\n", "> From x\n>Fromage\n>From\n" },
		{ "a\r\n>From x\r\n", "a\r\nFrom x\r\n" },
		{ "x >From y\n", "x >From y\n" },
		{ ">>>From z", ">>From z" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 0;
		char *p = lka_mbox_unquote(cases[i].in, strlen(cases[i].in), &n);
		ok(p && n == strlen(cases[i].out) && memcmp(p, cases[i].out, n) == 0 && p[n] == '\0',
		   "unquote case %zu", i);
		free(p);
	}
}

/* Hostile shapes must stay linear: many candidate lines, no blank lines. */
static void
test_linear(void)
{
	static const char *const units[] = {
		"From - \nX-A: 1\n",         /* every line a separator */
		"From \nprose\n",            /* every line a refused candidate */
		"From - \nContent-Type: x\nContent-Length: 5\n", /* headers never end */
	};
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t ul = strlen(units[u]), reps = 200000, n = ul * reps, count = 0;
		char *d = malloc(n);
		lka_mbox mb;
		lka_mbox_msg m;
		clock_t c0 = clock();

		for (size_t i = 0; i < reps; i++)
			memcpy(d + i * ul, units[u], ul);
		lka_mbox_init(&mb, d, n);
		while (lka_mbox_next(&mb, &m))
			count++;
		double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
		ok(s < 10.0, "hostile shape %zu: %zu messages from %zu bytes in %.2f s", u, count,
		   n, s);
		free(d);
	}
}

/* Whether dir holds the shared corpus (its EXPECTED.md is readable). */
static bool
corpus_at(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/EXPECTED.md", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	fclose(f);
	return true;
}

/*
 * The corpus named by LKA_CORPUS (meson always sets it, to a path that may
 * not exist), else one found beside the tree; NULL when there is none.
 */
static const char *
corpus_dir(void)
{
	static const char *const tries[] = {
		"../shared/corpus", "../../shared/corpus", "../../../shared/corpus",
	};
	const char *e = getenv("LKA_CORPUS");

	if (e && *e)
		return corpus_at(e) ? e : NULL;
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++)
		if (corpus_at(tries[i]))
			return tries[i];
	return NULL;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)len + 1);
	*n = fread(d, 1, (size_t)len, f);
	fclose(f);
	return d;
}

static void
test_corpus(void)
{
	static const struct {
		const char *file;
		size_t count;
	} expect[] = {
		{ "mbox/aleph__plan.mbox", 1 },
		{ "mbox/aspose__ExampleMbox.mbox", 1 },
		{ "mbox/gmime__substring.mbox", 3 },
		{ "mbox/mimekit__content-length.mbox", 29 },
		{ "mbox/tb__mbox_mboxrd", 2 },
		{ "mbox/tb__mbox_modern", 2 },
		{ "mbox/tb__mbox_unquoted", 2 }, /* not 3: an unquoted body "From " line */
		{ "mbox/tika__complex.mbox", 3 },
		{ "mbox/tika__headers.mbox", 1 },
		{ "mbox/tika__multiline.mbox", 1 },
		{ "mbox/tika__multiline2.mbox", 1 },
		{ "mbox/tika__quoted.mbox", 1 },
		{ "mbox/tika__simple.mbox", 2 },
		{ "mbox/tika__single_mail.mbox", 1 },
		{ "mbox/tika__testMBOX_lengthy_x-headers.mbox", 1 },
		{ "pst/aspose__SMTP_Outlook.pst", 1 }, /* an mbox message over a PST header */
	};
	const char *dir = corpus_dir();
	char path[8192];

	if (!dir) {
		/* two checks per file: the count and the From_ line */
		skip((int)(2 * (sizeof expect / sizeof expect[0])),
		     "corpus checks: shared/corpus not found (set LKA_CORPUS)");
		return;
	}
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		size_t n = 0;
		char *d;
		split s;

		snprintf(path, sizeof path, "%s/%s", dir, expect[i].file);
		d = slurp(path, &n);
		if (!d) {
			ok(0, "corpus %s readable", expect[i].file);
			continue;
		}
		split_all(d, n, &s);
		ok(s.n == expect[i].count, "corpus %s: %zu messages (expected %zu)",
		   expect[i].file, s.n, expect[i].count);
		ok(lka_mbox_is_from_line(d, n), "corpus %s: starts with a From_ line",
		   expect[i].file);
		free(d);
	}
}

int
main(void)
{
	test_from_lines();
	test_basic();
	test_body_from_lines();
	test_content_length();
	test_crlf_and_edges();
	test_unquote();
	test_linear();
	test_corpus();
	return done_testing();
}
