/*
 * text.c — UTF-8 validation and lossy-but-never-failing conversion of
 * evidence text to UTF-8.
 *
 * Charset labels in mail lie, are misspelled or are unknown.  The rules:
 *  - no label, utf-8 or us-ascii: keep valid UTF-8 as is; any byte that is
 *    not part of a valid UTF-8 sequence is read as windows-1252;
 *  - iso-8859-1 and its aliases are read as windows-1252, its superset (as
 *    browsers do, after the WHATWG Encoding Standard), with the five bytes
 *    windows-1252 leaves undefined mapped to U+FFFD;
 *  - well-known aliases are mapped to the iconv name of their superset
 *    (gb2312 -> GBK, ks_c_5601-1987 -> CP949, shift_jis -> CP932 ...);
 *  - anything iconv(3) cannot open is read as UTF-8, then windows-1252;
 *  - NUL bytes become U+FFFD so that the result is a C string.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum cs_kind {
	CS_UTF8,    /* UTF-8, with windows-1252 for stray bytes */
	CS_CP1252,  /* windows-1252 (and ISO-8859-1) */
	CS_ICONV,   /* an iconv(3) name */
	CS_UNKNOWN, /* no usable label: like CS_UTF8, but 8-bit bytes are lossy */
};

struct cs_alias {
	const char *label;
	enum cs_kind kind;
	const char *iconv_name; /* for CS_ICONV */
};

/* Labels are compared after trimming, unquoting and ASCII lower-casing. */
static const struct cs_alias aliases[] = {
	{ "utf-8", CS_UTF8, NULL },
	{ "utf8", CS_UTF8, NULL },
	{ "unicode-1-1-utf-8", CS_UTF8, NULL },
	{ "x-unicode20utf8", CS_UTF8, NULL },
	{ "us-ascii", CS_UTF8, NULL },
	{ "ascii", CS_UTF8, NULL },
	{ "us", CS_UTF8, NULL },
	{ "ansi_x3.4-1968", CS_UTF8, NULL },
	{ "iso646-us", CS_UTF8, NULL },
	{ "iso-ir-6", CS_UTF8, NULL },
	{ "csascii", CS_UTF8, NULL },
	{ "iso-8859-1", CS_CP1252, NULL },
	{ "iso8859-1", CS_CP1252, NULL },
	{ "iso_8859-1", CS_CP1252, NULL },
	{ "iso_8859-1:1987", CS_CP1252, NULL },
	{ "iso88591", CS_CP1252, NULL },
	{ "latin1", CS_CP1252, NULL },
	{ "latin-1", CS_CP1252, NULL },
	{ "l1", CS_CP1252, NULL },
	{ "cp819", CS_CP1252, NULL },
	{ "ibm819", CS_CP1252, NULL },
	{ "iso-ir-100", CS_CP1252, NULL },
	{ "csisolatin1", CS_CP1252, NULL },
	{ "windows-1252", CS_CP1252, NULL },
	{ "cp1252", CS_CP1252, NULL },
	{ "cp-1252", CS_CP1252, NULL },
	{ "x-cp1252", CS_CP1252, NULL },
	{ "win-1252", CS_CP1252, NULL },
	{ "ms-ansi", CS_CP1252, NULL },
	{ "gb2312", CS_ICONV, "GBK" },
	{ "gb_2312-80", CS_ICONV, "GBK" },
	{ "gb_2312", CS_ICONV, "GBK" },
	{ "csgb2312", CS_ICONV, "GBK" },
	{ "euc-cn", CS_ICONV, "GBK" },
	{ "x-euc-cn", CS_ICONV, "GBK" },
	{ "gbk", CS_ICONV, "GBK" },
	{ "x-gbk", CS_ICONV, "GBK" },
	{ "cp936", CS_ICONV, "GBK" },
	{ "ms936", CS_ICONV, "GBK" },
	{ "windows-936", CS_ICONV, "GBK" },
	{ "chinese", CS_ICONV, "GBK" },
	{ "ks_c_5601-1987", CS_ICONV, "CP949" },
	{ "ks_c_5601-1989", CS_ICONV, "CP949" },
	{ "ks_c_5601", CS_ICONV, "CP949" },
	{ "ksc5601", CS_ICONV, "CP949" },
	{ "ksc_5601", CS_ICONV, "CP949" },
	{ "csksc56011987", CS_ICONV, "CP949" },
	{ "iso-ir-149", CS_ICONV, "CP949" },
	{ "korean", CS_ICONV, "CP949" },
	{ "euc-kr", CS_ICONV, "CP949" },
	{ "x-euc-kr", CS_ICONV, "CP949" },
	{ "windows-949", CS_ICONV, "CP949" },
	{ "x-windows-949", CS_ICONV, "CP949" },
	{ "shift_jis", CS_ICONV, "CP932" },
	{ "shift-jis", CS_ICONV, "CP932" },
	{ "sjis", CS_ICONV, "CP932" },
	{ "x-sjis", CS_ICONV, "CP932" },
	{ "ms_kanji", CS_ICONV, "CP932" },
	{ "csshiftjis", CS_ICONV, "CP932" },
	{ "windows-31j", CS_ICONV, "CP932" },
	{ "x-ms-cp932", CS_ICONV, "CP932" },
	{ "big5", CS_ICONV, "BIG5-HKSCS" },
	{ "big-5", CS_ICONV, "BIG5-HKSCS" },
	{ "csbig5", CS_ICONV, "BIG5-HKSCS" },
	{ "cn-big5", CS_ICONV, "BIG5-HKSCS" },
	{ "x-x-big5", CS_ICONV, "BIG5-HKSCS" },
	{ "iso-8859-8-i", CS_ICONV, "ISO-8859-8" },
	{ "iso-8859-8-e", CS_ICONV, "ISO-8859-8" },
	{ "iso-8859-6-i", CS_ICONV, "ISO-8859-6" },
	{ "iso-8859-6-e", CS_ICONV, "ISO-8859-6" },
	{ "macintosh", CS_ICONV, "MACINTOSH" },
	{ "mac", CS_ICONV, "MACINTOSH" },
	{ "x-mac-roman", CS_ICONV, "MACINTOSH" },
	{ "unicode-1-1-utf-7", CS_ICONV, "UTF-7" },
	{ "x-unknown", CS_UNKNOWN, NULL },
	{ "x-unknown-charset", CS_UNKNOWN, NULL },
	{ "unknown", CS_UNKNOWN, NULL },
	{ "unknown-8bit", CS_UNKNOWN, NULL },
	{ "x-user-defined", CS_UNKNOWN, NULL },
	{ "default", CS_UNKNOWN, NULL },
	{ "none", CS_UNKNOWN, NULL },
	{ "charset", CS_UNKNOWN, NULL },
	{ "8bit", CS_UNKNOWN, NULL },
	{ "binary", CS_UNKNOWN, NULL },
};

/* windows-1252 0x80..0x9F; 0 marks the five undefined bytes. */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F; /* no surrogates */
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F; /* nothing above U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

bool
lka_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_seq(p + i, n - i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

bool
lka_utf8__put(lka_buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return lka_buf_add(b, u, n);
}

/* One byte read as windows-1252; NUL and the undefined bytes become U+FFFD. */
static void
put_cp1252(lka_buf *b, unsigned char c, bool *lost)
{
	uint32_t cp = c;

	if (c == 0) {
		cp = 0xFFFD;
		*lost = true;
	} else if (c >= 0x80 && c <= 0x9F) {
		cp = cp1252_c1[c - 0x80];
		if (!cp) {
			cp = 0xFFFD;
			*lost = true;
		}
	}
	lka_utf8__put(b, cp);
}

/* Copy the run of ASCII bytes other than NUL that starts at p[i]; returns where it ends. */
static size_t
copy_ascii(lka_buf *b, const unsigned char *p, size_t i, size_t n)
{
	size_t run;

	for (run = i; run < n && p[run] && p[run] < 0x80; run++)
		;
	if (run > i)
		lka_buf_add(b, p + i, run - i);
	return run;
}

static void
decode_cp1252(lka_buf *b, const unsigned char *p, size_t n, bool *lost)
{
	size_t i = 0;

	while (i < n) {
		/* copy runs of printable ASCII at once */
		i = copy_ascii(b, p, i, n);
		if (i == n)
			break;
		put_cp1252(b, p[i], lost);
		i++;
	}
}

/*
 * Valid UTF-8 sequences are copied; every other byte is read as
 * windows-1252.  *lost is set when any such byte, or a NUL, was met.
 */
static void
decode_utf8(lka_buf *b, const unsigned char *p, size_t n, bool *lost, bool *eightbit)
{
	size_t i = 0, len;

	while (i < n) {
		i = copy_ascii(b, p, i, n);
		if (i == n)
			break;
		if (p[i] == 0) {
			lka_utf8__put(b, 0xFFFD);
			*lost = true;
			i++;
			continue;
		}
		*eightbit = true;
		len = utf8_seq(p + i, n - i);
		if (len) {
			lka_buf_add(b, p + i, len);
			i += len;
		} else {
			put_cp1252(b, p[i], lost);
			*lost = true;
			i++;
		}
	}
}

/* iconv output is trusted to be UTF-8 but is checked anyway (NULs too). */
static void
add_checked(lka_buf *b, const char *p, size_t n, bool *lost)
{
	bool eightbit = false;

	decode_utf8(b, (const unsigned char *)p, n, lost, &eightbit);
}

/* Returns false when iconv cannot convert from name at all. */
static bool
decode_iconv(lka_buf *b, const char *s, size_t n, const char *name, bool *lost)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	char out[8192];
	char *in = (char *)s, *op;
	size_t inleft = n, ol, r;
	iconv_t cd;

	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1 && (name[0] == 'x' || name[0] == 'X') && name[1] == '-')
		cd = iconv_open("UTF-8", name + 2);
	if (cd == (iconv_t)-1)
		return false;
	while (inleft > 0) {
		op = out;
		ol = sizeof out;
		r = iconv(cd, &in, &inleft, &op, &ol);
		add_checked(b, out, (size_t)(op - out), lost);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		*lost = true;
		lka_buf_add(b, fffd, 3);
		if (errno != EILSEQ)
			break; /* EINVAL: incomplete sequence at the end */
		in++;
		inleft--;
	}
	op = out;
	ol = sizeof out;
	if (iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1)
		add_checked(b, out, (size_t)(op - out), lost);
	iconv_close(cd);
	return true;
}

/*
 * Classify a charset label; for CS_ICONV, name receives the iconv name.
 * Labels with characters outside [a-z0-9._:+()-] are not passed to iconv.
 */
static enum cs_kind
classify(const char *charset, char *name, size_t cap)
{
	size_t i, j, n;

	if (!charset)
		return CS_UTF8;
	while (*charset == ' ' || *charset == '\t' || *charset == '"' || *charset == '\'')
		charset++;
	n = strlen(charset);
	while (n && (charset[n - 1] == ' ' || charset[n - 1] == '\t' || charset[n - 1] == '"' ||
		     charset[n - 1] == '\''))
		n--;
	if (n == 0)
		return CS_UTF8;
	if (n >= cap)
		return CS_UNKNOWN;
	for (i = j = 0; i < n; i++) {
		char c = charset[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == ':' || c == '+' || c == '(' || c == ')'))
			return CS_UNKNOWN;
		name[j++] = c;
	}
	name[j] = '\0';
	for (i = 0; i < LKA_ARRAY_LEN(aliases); i++) {
		if (strcmp(aliases[i].label, name) != 0)
			continue;
		if (aliases[i].kind == CS_ICONV)
			snprintf(name, cap, "%s", aliases[i].iconv_name);
		return aliases[i].kind;
	}
	/* cp1250..cp1258, x-cp125x, win-125x: glibc knows them as CP125x */
	if ((strncmp(name, "x-cp125", 7) == 0 || strncmp(name, "win-125", 7) == 0) &&
	    name[7] >= '0' && name[7] <= '8' && !name[8]) {
		char digit = name[7];

		snprintf(name, cap, "CP125%c", digit);
	}
	return CS_ICONV;
}

char *
lka_text_to_utf8(const char *s, size_t n, const char *charset, bool *lossy)
{
	const unsigned char *p = (const unsigned char *)s;
	char name[48];
	bool lost = false, eightbit = false;
	lka_buf b;
	char *out;

	if (!s)
		n = 0;
	lka_buf_init(&b, 0);
	switch (classify(charset, name, sizeof name)) {
	case CS_UTF8:
		decode_utf8(&b, p, n, &lost, &eightbit);
		break;
	case CS_CP1252:
		decode_cp1252(&b, p, n, &lost);
		break;
	case CS_ICONV:
		if (decode_iconv(&b, s, n, name, &lost))
			break;
		lka_buf_reset(&b);
		lost = false;
		/* FALLTHROUGH */
	case CS_UNKNOWN:
		decode_utf8(&b, p, n, &lost, &eightbit);
		if (eightbit)
			lost = true;
		break;
	}
	if (b.oom) {
		lka_buf_free(&b);
		return NULL;
	}
	out = lka_buf_steal(&b, NULL);
	if (out && lossy)
		*lossy = lost;
	return out;
}
