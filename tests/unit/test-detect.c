/*
 * test-detect.c — format detection by content: mbox, emlx, eml, the file
 * name as a tie-breaker only, and robustness on binary and truncated input
 * (run under ASan/valgrind: every prefix of every sample is detected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "tap.h"

typedef struct sample {
	const char *what;
	const char *data;
	size_t len; /* 0: strlen */
	const char *name;
	lka_format want;
} sample;

static const sample samples[] = {
	{ "mbox From_ line", "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\nFrom: a@b\n\nx\n", 0, NULL,
	  LKA_FMT_MBOX },
	{ "mbox date-less From_ + headers", "From - \nFrom: a@b\nSubject: s\n\nx\n", 0, NULL, LKA_FMT_MBOX },
	{ "mbox CRLF", "From - Fri Aug 26 16:47:38 2008\r\nX-Account-Key: a\r\n\r\n", 0, "x.eml",
	  LKA_FMT_MBOX },
	{ "eml From/To", "From: a@b\nTo: c@d\nSubject: hi\n\nbody\n", 0, NULL, LKA_FMT_EML },
	{ "eml Return-Path first", "Return-Path: <>\nReceived: from x by y\n\tid 1\n\nbody\n", 0, NULL,
	  LKA_FMT_EML },
	{ "eml one key field", "Subject: only\n\nbody\n", 0, NULL, LKA_FMT_EML },
	{ "eml two X- fields", "X-Foo: 1\nX-Bar: 2\n\nbody\n", 0, NULL, LKA_FMT_EML },
	{ "eml CRLF", "Delivered-To: a@b\r\nFrom: c@d\r\n\r\nbody\r\n", 0, NULL, LKA_FMT_EML },
	{ "eml with BOM", "\xef\xbb\xbf" "From: a@b\nSubject: x\n\n", 0, NULL, LKA_FMT_EML },
	{ "eml without blank line or body", "From: a@b\nSubject: x", 0, NULL, LKA_FMT_EML },
	{ "eml news article", "Path: a!b!c\nFrom: x@y\nNewsgroups: comp.mail\n\n", 0, NULL,
	  LKA_FMT_EML },
	{ "emlx", "36\nFrom: a@b\nSubject: s\n\nbody text\n<?xml version=\"1.0\"?><plist/>", 0,
	  "1.emlx", LKA_FMT_EMLX },
	{ "emlx without a name", "36\r\nFrom: a@b\r\nSubject: s\r\n\r\nbody\r\n", 0, NULL,
	  LKA_FMT_EMLX },
	{ "emlx weak headers, named .emlx", "20\nX-Something: 1\n\nbody\n", 0, "2.partial.emlx",
	  LKA_FMT_EMLX },
	{ "number then text", "12\nhello world\n", 0, "notes.txt", LKA_FMT_UNKNOWN },
	{ "weak header, no name", "Note: buy milk\n", 0, NULL, LKA_FMT_UNKNOWN },
	{ "weak header, named .eml", "Note: buy milk\n\nbody\n", 0, "a.EML", LKA_FMT_EML },
	{ "yaml", "name: foo\nversion: 1\nlicense: MIT\n", 0, "x.yml", LKA_FMT_UNKNOWN },
	{ "prose starting with From", "From the desk of the mayor\nDear all,\n", 0, NULL,
	  LKA_FMT_UNKNOWN },
	{ "From without date, named .mbox", "From someone\n\nbody\n", 0, "old.mbox", LKA_FMT_MBOX },
	{ "From without date, no name", "From someone\n\nbody\n", 0, NULL, LKA_FMT_UNKNOWN },
	{ "leading blank line", "\nFrom: a@b\nSubject: x\n\n", 0, NULL, LKA_FMT_UNKNOWN },
	{ "PST", "!BDN\x8e\x5c\x4d\x53\x4d\x00\x17\x00\x01\x01", 14, "a.pst", LKA_FMT_UNKNOWN },
	{ "zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00", 10, "a.eml", LKA_FMT_ARCHIVE },
	{ "gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8, NULL, LKA_FMT_ARCHIVE },
	{ "NUL in header", "From: a\0b\nSubject: x\n\n", 22, NULL, LKA_FMT_UNKNOWN },
	{ "vCard", "BEGIN:VCARD\nVERSION:3.0\nN:Doe;John\nX-SOCIAL:x\nEMAIL:a@b\nEND:VCARD\n", 0,
	  NULL, LKA_FMT_VCARD },
	{ "vCard after blank lines, mixed case", "\r\n\nBEGIN:vCard\r\nVERSION:2.1\r\n", 0, NULL,
	  LKA_FMT_VCARD },
	{ "LDIF", "dn: cn=A,mail=a@b.fr\nobjectclass: person\nmail: a@b.fr\n\n", 0, NULL,
	  LKA_FMT_LDIF },
	{ "LDIF with version and comments", "# export\nversion: 1\n\ndn:: Y249w4k=\ncn: x\n", 0,
	  NULL, LKA_FMT_LDIF },
	{ "CSV address book", "First Name,Last Name,E-mail Address\nA,B,a@b.fr\n", 0, NULL,
	  LKA_FMT_CSVBOOK },
	{ "CSV without header", "Alice;alice@example.org;06 12 34 56 78\nBob;bob@example.org;\n", 0,
	  NULL, LKA_FMT_CSVBOOK },
	{ "CSV without e-mail", "Name,Town\nAlice,Lyon\nBob,Paris\n", 0, "a.csv", LKA_FMT_UNKNOWN },
	{ "prose with an address", "Please write to alice@example.org, thanks.\n", 0, NULL,
	  LKA_FMT_UNKNOWN },
	{ "disposition notification", "Reporting-UA: joes-pc.cs.example.com; Foomail 97.1\n"
	  "Original-Recipient: rfc822;Joe_Recipient@example.com\n"
	  "Final-Recipient: rfc822;Joe_Recipient@example.com\n", 0, NULL, LKA_FMT_UNKNOWN },
	{ "iCalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:x\r\n", 0, NULL,
	  LKA_FMT_UNKNOWN },
	{ "HTML", "<html><body>From: x</body></html>\n", 0, "a.html", LKA_FMT_UNKNOWN },
	{ "empty", "", 0, "a.eml", LKA_FMT_UNKNOWN },
};

static void
test_samples(void)
{
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const sample *s = &samples[i];
		size_t n = s->len ? s->len : strlen(s->data);
		lka_format got = lka_detect_format((const unsigned char *)s->data, n, s->name);
		ok(got == s->want, "%s: %s (got %s)", s->what, lka_format_name(s->want),
		   lka_format_name(got));
	}
	ok(lka_detect_format(NULL, 10, NULL) == LKA_FMT_UNKNOWN, "NULL head: unknown");
}

/* Every prefix of every sample, in an exactly-sized heap copy so ASan sees overreads. */
static void
test_prefixes(void)
{
	size_t runs = 0;

	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const sample *s = &samples[i];
		size_t n = s->len ? s->len : strlen(s->data);
		for (size_t k = 1; k <= n; k++) {
			unsigned char *p = malloc(k);
			memcpy(p, s->data, k);
			(void)lka_detect_format(p, k, s->name);
			free(p);
			runs++;
		}
	}
	ok(runs > 0, "every prefix of every sample detected without fault (%zu runs)", runs);
}

/* Pseudo-random binary and text-like input: never a crash, binary never mail. */
static void
test_random(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t mail = 0, runs = 2000;
	static const char alphabet[] = "From: \n\r>-0123456789abcXYZ\t:@ ";

	for (size_t r = 0; r < runs; r++) {
		size_t n = 1 + (size_t)(r * 37 % 700);
		unsigned char *p = malloc(n);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = r % 2 ? (unsigned char)x
				     : (unsigned char)alphabet[x % (sizeof alphabet - 1)];
		}
		if (r % 2 && n > 1)
			p[n / 2] = 0; /* binary */
		if (lka_detect_format(p, n, "x.bin") != LKA_FMT_UNKNOWN && r % 2)
			mail++;
		free(p);
	}
	ok(mail == 0, "random binary is never detected as mail (%zu of %zu were)", mail, runs / 2);
}

static void
test_names(void)
{
	for (int f = 0; f < LKA_FMT__COUNT; f++) {
		const char *name = lka_format_name((lka_format)f);
		ok(lka_format_from_name(name) == (lka_format)f, "format name round trip: %s", name);
	}
	ok(strcmp(lka_format_name(LKA_FMT_MAILDIR), "maildir") == 0, "maildir name");
	ok(strcmp(lka_format_name((lka_format)99), "unknown") == 0, "out of range: unknown");
	ok(lka_format_from_name("tnef-x") == LKA_FMT_UNKNOWN, "unknown name: unknown");
	ok(lka_format_from_name(NULL) == LKA_FMT_UNKNOWN, "NULL name: unknown");
}

int
main(void)
{
	test_samples();
	test_prefixes();
	test_random();
	test_names();
	return done_testing();
}
