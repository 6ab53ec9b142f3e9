/*
 * test-text.c — lka_utf8_valid() and lka_text_to_utf8().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

/* Convert and compare; also checks the result is valid UTF-8 and the lossy flag. */
static void
conv(const char *in, size_t n, const char *cs, const char *want, int want_lossy, const char *what)
{
	bool lossy = !want_lossy; /* must be written */
	char *out = lka_text_to_utf8(in, n, cs, &lossy);

	is_str(out, want, "%s: text", what);
	if (want_lossy >= 0)
		is_int(lossy, want_lossy, "%s: lossy flag", what);
	ok(out && lka_utf8_valid(out, strlen(out)), "%s: result is valid UTF-8", what);
	free(out);
}

#define CONV(in, cs, want, lossy, what) conv(in, sizeof(in) - 1, cs, want, lossy, what)

static void
test_valid(void)
{
	ok(lka_utf8_valid("", 0), "empty is valid");
	ok(lka_utf8_valid("plain ascii", 11), "ASCII is valid");
	ok(lka_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", 14),
	   "2-, 3- and 4-byte sequences");
	ok(lka_utf8_valid("a\0b", 3), "NUL is valid UTF-8 (n counts it)");
	ok(!lka_utf8_valid("caf\xe9", 4), "Latin-1 byte is invalid");
	ok(!lka_utf8_valid("\xc0\x80", 2), "overlong NUL is invalid");
	ok(!lka_utf8_valid("\xe0\x80\xaf", 3), "overlong 3-byte is invalid");
	ok(!lka_utf8_valid("\xf0\x80\x80\xaf", 4), "overlong 4-byte is invalid");
	ok(!lka_utf8_valid("\xed\xa0\x80", 3), "UTF-16 surrogate is invalid");
	ok(!lka_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF is invalid");
	ok(lka_utf8_valid("\xf4\x8f\xbf\xbf", 4), "U+10FFFF is valid");
	ok(!lka_utf8_valid("\xe2\x82", 2), "truncated sequence is invalid");
	ok(!lka_utf8_valid("\xe2\x82\xac", 2), "n is respected (sequence cut by n)");
	ok(!lka_utf8_valid("\x80", 1), "lone continuation byte is invalid");
	ok(!lka_utf8_valid("\xff", 1), "0xFF is invalid");
	ok(!lka_utf8_valid("\xf5\x80\x80\x80", 4), "0xF5 lead byte is invalid");
}

static void
test_utf8_labels(void)
{
	CONV("caf\xc3\xa9", NULL, "caf\xc3\xa9", 0, "no charset, valid UTF-8");
	CONV("caf\xc3\xa9", "UTF-8", "caf\xc3\xa9", 0, "utf-8");
	CONV("caf\xc3\xa9", "utf8", "caf\xc3\xa9", 0, "utf8 alias");
	CONV("caf\xc3\xa9", "US-ASCII", "caf\xc3\xa9", 0, "us-ascii holding UTF-8 is kept");
	CONV("caf\xe9", NULL, "caf\xc3\xa9", 1, "no charset, Latin-1 byte: windows-1252 fallback");
	CONV("caf\xe9 \xc3\xa9t\xc3\xa9", "utf-8", "caf\xc3\xa9 \xc3\xa9t\xc3\xa9", 1,
	     "lying utf-8: stray byte as windows-1252, valid UTF-8 kept");
	CONV("\x93quoted\x94", "us-ascii", "\xe2\x80\x9cquoted\xe2\x80\x9d", 1,
	     "lying us-ascii: windows-1252 quotes");
	CONV("a\0b", NULL, "a\xef\xbf\xbd" "b", 1, "NUL becomes U+FFFD");
	CONV("", NULL, "", 0, "empty input");
	conv(NULL, 0, NULL, "", 0, "NULL input");
}

static void
test_latin1(void)
{
	CONV("caf\xe9", "iso-8859-1", "caf\xc3\xa9", 0, "iso-8859-1");
	CONV("caf\xe9", "ISO_8859-1", "caf\xc3\xa9", 0, "ISO_8859-1 spelling");
	CONV("caf\xe9", "latin1", "caf\xc3\xa9", 0, "latin1 alias");
	CONV("caf\xe9", " \"LATIN1\" ", "caf\xc3\xa9", 0, "quoted, spaced, upper-case label");
	CONV("\x80 5", "iso-8859-1", "\xe2\x82\xac 5", 0, "iso-8859-1 read as windows-1252 (euro)");
	CONV("\x93quoted\x94 \x96 \x85", "windows-1252",
	     "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x93 \xe2\x80\xa6", 0,
	     "windows-1252 punctuation");
	CONV("\x9a", "cp1252", "\xc5\xa1", 0, "cp1252 alias");
	CONV("a\x81" "b\x8d" "c\x8f" "d\x90" "e\x9d", "windows-1252",
	     "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd" "e\xef\xbf\xbd", 1,
	     "the five undefined windows-1252 bytes become U+FFFD");
	CONV("a\0b", "latin1", "a\xef\xbf\xbd" "b", 1, "NUL in latin1 becomes U+FFFD");
}

static void
test_iconv(void)
{
	CONV("\xb1", "iso-8859-2", "\xc4\x85", 0, "iso-8859-2 via iconv");
	CONV("\xa4", "ISO-8859-15", "\xe2\x82\xac", 0, "iso-8859-15 euro");
	CONV("\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r",
	     "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0, "koi8-r");
	CONV("\xc4\xe3\xba\xc3", "gb2312", "\xe4\xbd\xa0\xe5\xa5\xbd", 0, "gb2312");
	CONV("\x81\x40", "gb2312", "\xe4\xb8\x82", 0, "gb2312 label, GBK-only character");
	CONV("\xbe\xc8\xb3\xe7", "ks_c_5601-1987", "\xec\x95\x88\xeb\x85\x95", 0, "ks_c_5601-1987");
	CONV("\x81\x41", "ks_c_5601-1987", "\xea\xb0\x82", 0, "ks_c_5601-1987 label, CP949-only");
	CONV("\x82\xb1\x82\xf1", "shift_jis", "\xe3\x81\x93\xe3\x82\x93", 0, "shift_jis");
	CONV("\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp",
	     "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf", 0, "iso-2022-jp");
	CONV("h\0i\0", "utf-16le", "hi", 0, "utf-16le");
	CONV("\x9a", "x-cp1250", "\xc5\xa1", 0, "x-cp1250 -> CP1250");
	CONV("ok \x82", "shift_jis", "ok \xef\xbf\xbd", 1, "truncated multibyte at the end");
	CONV("a\xff" "b", "utf-16be", "\xe6\x87\xbf\xef\xbf\xbd", 1,
	     "odd-length utf-16: U+61FF then U+FFFD for the lone byte");
}

static void
test_unknown(void)
{
	CONV("plain", "x-unknown", "plain", 0, "x-unknown, ASCII only: not lossy");
	CONV("caf\xe9", "x-unknown", "caf\xc3\xa9", 1, "x-unknown, Latin-1: fallback, lossy");
	CONV("caf\xc3\xa9", "x-unknown", "caf\xc3\xa9", 1, "x-unknown, UTF-8 kept but lossy");
	CONV("caf\xe9", "no-such-charset-42", "caf\xc3\xa9", 1, "unknown label: fallback");
	CONV("caf\xe9", "../../etc/passwd", "caf\xc3\xa9", 1,
	     "hostile label is not given to iconv");
	CONV("caf\xe9", "utf-8//TRANSLIT", "caf\xc3\xa9", 1, "iconv suffixes are refused");
	CONV("caf\xe9", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     "caf\xc3\xa9", 1, "over-long label");
	CONV("caf\xe9", "", "caf\xc3\xa9", 1, "empty label: as if none");
}

/* Whatever the bytes and the label, the result is valid UTF-8 without NULs. */
static void
test_fuzz(void)
{
	static const char *const labels[] = {
		NULL, "utf-8", "latin1", "windows-1252", "gb2312", "ks_c_5601-1987", "shift_jis",
		"iso-2022-jp", "utf-16", "utf-7", "x-unknown", "koi8-r", "big5",
	};
	unsigned char buf[257];
	uint32_t seed = 12345;
	int bad = 0;

	for (int round = 0; round < 400; round++) {
		size_t n = (size_t)(round % 257);
		const char *cs = labels[round % LKA_ARRAY_LEN(labels)];
		char *out;
		bool lossy;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (unsigned char)(seed >> 16);
		}
		out = lka_text_to_utf8((const char *)buf, n, cs, &lossy);
		if (!out || !lka_utf8_valid(out, strlen(out)))
			bad++;
		free(out);
	}
	is_int(bad, 0, "400 random buffers in 13 charsets: always valid UTF-8");
}

int
main(void)
{
	test_valid();
	test_utf8_labels();
	test_latin1();
	test_iconv();
	test_unknown();
	test_fuzz();
	return done_testing();
}
