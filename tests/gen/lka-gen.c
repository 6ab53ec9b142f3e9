/*
 * lka-gen.c — deterministic synthetic evidence generator for leakaudit.
 *
 * Writes a tree of seized-looking mail stores (maildir, mbox, .eml/.emlx)
 * and address books (vCard, LDIF, Outlook CSV) for a fictitious French city
 * administration, plus manifest.tsv and summary.txt: the ground truth that
 * the end-to-end tests assert the evidence database against.
 *
 * Like zstd's datagen, a given (seed, --messages, mode) always produces the
 * same bytes: the only source of variation is our own PRNG (xoshiro256**
 * seeded through splitmix64).  Nothing reads the clock, rand(), the locale
 * or the environment; dates are computed from the seed; file names are
 * deterministic.  File modification times are set to the delivery time.
 *
 * Single file, libc only (POSIX.1-2008).  Usage: lka-gen --help.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "gen-books.h"
#include "gen-containers.h"
#include "gen-pii.h"
#include "gen-triage.h" /* --triage: tests/gen/gen-triage.c */

#define PROG "lka-gen"
#define GEN_VERSION "1"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum {
	EXIT_USAGE = 2,  /* bad command line */
	EXIT_CANNOT = 3, /* I/O failure, out of memory, OUTDIR not empty */
};

enum { LANG_FR = 0, LANG_EN = 1 };

/* Our "now": every date is computed from this and the seed. */
#define EPOCH_START 1672531200LL /* 2023-01-01 00:00:00 UTC */
#define EPOCH_SPAN (540LL * 86400LL)

/* ------------------------------------------------------------------ */
/* PRNG: xoshiro256** seeded with splitmix64 (public domain algorithms) */

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);

	for (size_t i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t
rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, n); n > 0. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t
rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

static bool
rng_chance(struct rng *r, uint32_t percent)
{
	return rng_below(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)ARRAY_LEN(arr))])

/* ------------------------------------------------------------------ */
/* Growable byte buffer with a sticky out-of-memory flag (like ferror) */

struct buf {
	char *p;
	size_t n;
	size_t cap;
	bool oom; /* an allocation failed: contents are incomplete */
};

static bool
buf_grow(struct buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->cap > b->n && b->cap - b->n > extra)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap <= b->n + extra) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void
buf_put(struct buf *b, const void *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void
buf_putc(struct buf *b, char c)
{
	if (!buf_grow(b, 1))
		return;
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (!buf_grow(b, 128))
		return;
	va_start(ap, fmt);
	len = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (len < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)len >= b->cap - b->n) {
		if (!buf_grow(b, (size_t)len))
			return;
		va_start(ap, fmt);
		(void)vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)len;
}

static void
buf_reset(struct buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* Make sure the buffer ends with a newline (empty counts as ending). */
static void
buf_endline(struct buf *b)
{
	if (b->n > 0 && b->p[b->n - 1] != '\n')
		buf_putc(b, '\n');
}

/* ------------------------------------------------------------------ */
/* Set of strings (open addressing, FNV-1a) */

struct strset {
	char **slot;
	size_t cap; /* power of two */
	size_t n;
	bool oom;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool
strset_rehash(struct strset *set, size_t cap)
{
	char **slot = calloc(cap, sizeof(*slot));

	if (!slot) {
		set->oom = true;
		return false;
	}
	for (size_t i = 0; i < set->cap; i++) {
		size_t j;

		if (!set->slot[i])
			continue;
		j = (size_t)fnv1a(set->slot[i]) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = set->slot[i];
	}
	free(set->slot);
	set->slot = slot;
	set->cap = cap;
	return true;
}

/* Add a copy of s; true when it was not there before. */
static bool
strset_add(struct strset *set, const char *s)
{
	size_t j;

	if (set->oom)
		return false;
	if ((set->n + 1) * 2 > set->cap && !strset_rehash(set, set->cap ? set->cap * 2 : 256))
		return false;
	j = (size_t)fnv1a(s) & (set->cap - 1);
	while (set->slot[j]) {
		if (strcmp(set->slot[j], s) == 0)
			return false;
		j = (j + 1) & (set->cap - 1);
	}
	set->slot[j] = strdup(s);
	if (!set->slot[j]) {
		set->oom = true;
		return false;
	}
	set->n++;
	return true;
}

static void
strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	set->slot = NULL;
	set->cap = set->n = 0;
}

/* ------------------------------------------------------------------ */
/* Dates (proleptic Gregorian, no libc time zone code) */

struct civil {
	int year;
	unsigned mon;  /* 1..12 */
	unsigned day;  /* 1..31 */
	unsigned hour, min, sec;
	unsigned wday; /* 0 = Sunday */
};

static const char *const wday_en[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const mon_en[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const mon_en_long[] = { "January", "February", "March", "April",
					   "May", "June", "July", "August",
					   "September", "October", "November", "December" };
static const char *const mon_fr[] = { "janvier", "février", "mars", "avril", "mai", "juin",
				      "juillet", "août", "septembre", "octobre", "novembre",
				      "décembre" };
static const char *const wday_fr[] = { "dimanche", "lundi", "mardi", "mercredi",
				       "jeudi", "vendredi", "samedi" };

/* Days since 1970-01-01 (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_unix(int64_t t, struct civil *c)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	int64_t y = (int64_t)yoe + era * 400;

	c->day = doy - (153 * mp + 2) / 5 + 1;
	c->mon = mp < 10 ? mp + 3 : mp - 9;
	c->year = (int)(y + (c->mon <= 2));
	c->hour = (unsigned)(secs / 3600);
	c->min = (unsigned)(secs / 60 % 60);
	c->sec = (unsigned)(secs % 60);
	c->wday = (unsigned)(((days % 7) + 11) % 7);
}

/* Unix time of the last Sunday of (year, month) at 01:00 UTC. */
static int64_t
last_sunday_0100(int year, unsigned mon)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t d = days_from_civil(year, mon, mdays[mon - 1]);
	int64_t wd = ((d % 7) + 11) % 7;

	return (d - wd) * 86400 + 3600;
}

/* Minutes east of UTC in Paris (EU summer time rules). */
static int
paris_offset(int64_t t)
{
	struct civil c;

	civil_from_unix(t, &c);
	if (t >= last_sunday_0100(c.year, 3) && t < last_sunday_0100(c.year, 10))
		return 120;
	return 60;
}

enum date_style {
	DATE_STD,     /* Mon, 13 Nov 2023 10:12:03 +0100 */
	DATE_ZONE,    /* ... +0100 (CET) */
	DATE_NOWDAY,  /* 13 Nov 2023 10:12:03 +0100 */
	DATE_PADDED,  /* Mon, 03 Nov 2023 10:12:03 +0100 */
};

static void
put_rfc5322_date(struct buf *b, int64_t t, int offset_min, enum date_style style)
{
	struct civil c;
	int off = offset_min < 0 ? -offset_min : offset_min;

	civil_from_unix(t + (int64_t)offset_min * 60, &c);
	if (style != DATE_NOWDAY)
		buf_printf(b, "%s, ", wday_en[c.wday]);
	buf_printf(b, style == DATE_PADDED ? "%02u %s %d %02u:%02u:%02u %c%02d%02d" :
					     "%u %s %d %02u:%02u:%02u %c%02d%02d",
		   c.day, mon_en[c.mon - 1], c.year, c.hour, c.min, c.sec,
		   offset_min < 0 ? '-' : '+', off / 60, off % 60);
	if (style == DATE_ZONE)
		buf_puts(b, offset_min == 120 ? " (CEST)" : offset_min == 60 ? " (CET)" :
			 offset_min == 0 ? " (GMT)" : " (BST)");
}

/* asctime-style date of an mbox From_ line, UTC: "Mon Jan  1 10:00:00 2024". */
static void
put_asctime(struct buf *b, int64_t t)
{
	struct civil c;

	civil_from_unix(t, &c);
	buf_printf(b, "%s %s %2u %02u:%02u:%02u %d", wday_en[c.wday], mon_en[c.mon - 1], c.day,
		   c.hour, c.min, c.sec, c.year);
}

/* A date in words ("le mardi 14 mars 2024", "14 March 2024"). */
static void
put_date_words(struct buf *b, int64_t t, int lang)
{
	struct civil c;

	civil_from_unix(t + 3600, &c);
	if (lang == LANG_FR)
		buf_printf(b, "%s %u%s %s %d", wday_fr[c.wday], c.day, c.day == 1 ? "er" : "",
			   mon_fr[c.mon - 1], c.year);
	else
		buf_printf(b, "%s %u %s %d", wday_en[c.wday], c.day, mon_en_long[c.mon - 1], c.year);
}

/* ------------------------------------------------------------------ */
/* Charsets: UTF-8 to 8-bit single-byte charsets */

enum cs { CS_UTF8, CS_LATIN1, CS_LATIN9, CS_CP1252, CS_ASCII };

static const char *const cs_name[] = { "utf-8", "iso-8859-1", "iso-8859-15", "windows-1252",
				       "us-ascii" };
static const char *const cs_name_upper[] = { "UTF-8", "ISO-8859-1", "ISO-8859-15",
					     "windows-1252", "us-ascii" };

/* Decode one UTF-8 sequence at s (n bytes left); returns its length, 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && n >= 2) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && n >= 3) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		      (s[2] & 0x3F);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && n >= 4) {
		*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* The byte for code point cp in charset cs; -1 when it has none. */
static int
cs_byte(enum cs cs, uint32_t cp)
{
	static const struct {
		uint32_t cp;
		int byte;
	} latin9[] = {
		{ 0x20AC, 0xA4 }, { 0x0160, 0xA6 }, { 0x0161, 0xA8 }, { 0x017D, 0xB4 },
		{ 0x017E, 0xB8 }, { 0x0152, 0xBC }, { 0x0153, 0xBD }, { 0x0178, 0xBE },
	};

	if (cp < 0x80)
		return (int)cp;
	switch (cs) {
	case CS_LATIN1:
		return cp <= 0xFF && cp >= 0xA0 ? (int)cp : -1;
	case CS_LATIN9:
		for (size_t i = 0; i < ARRAY_LEN(latin9); i++) {
			if (latin9[i].cp == cp)
				return latin9[i].byte;
			if (latin9[i].byte == (int)cp)
				return -1;
		}
		return cp <= 0xFF && cp >= 0xA0 ? (int)cp : -1;
	case CS_CP1252:
		if (cp >= 0xA0 && cp <= 0xFF)
			return (int)cp;
		for (int i = 0; i < 32; i++)
			if (cp1252_high[i] == cp)
				return 0x80 + i;
		return -1;
	default:
		return -1;
	}
}

/*
 * Convert UTF-8 text to cs and append it to out.  False (and nothing
 * appended) when a character has no byte in cs.
 */
static bool
utf8_to_cs(struct buf *out, const char *s, size_t n, enum cs cs)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = out->n;

	if (cs == CS_UTF8) {
		buf_put(out, s, n);
		return true;
	}
	if (!buf_grow(out, n))
		return true;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		int byte;

		if (len == 0 || (byte = cs_byte(cs, cp)) < 0) {
			out->n = start;
			out->p[start] = '\0';
			return false;
		}
		out->p[out->n++] = (char)byte;
		i += len;
	}
	out->p[out->n] = '\0';
	return true;
}

static bool
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Transfer encodings */

static const char b64_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexdig[] = "0123456789ABCDEF";

/* Base64 of n bytes, in lines of linelen characters (0: one line, no newline). */
static void
put_base64(struct buf *b, const void *data, size_t n, size_t linelen)
{
	const unsigned char *s = data;
	size_t out = (n + 2) / 3 * 4;
	size_t lines = linelen ? out / linelen + 1 : 0;
	char *d;
	size_t col = 0;

	if (!buf_grow(b, out + lines))
		return;
	d = b->p + b->n;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t left = n - i;

		if (left > 1)
			v |= (uint32_t)s[i + 1] << 8;
		if (left > 2)
			v |= s[i + 2];
		*d++ = b64_alpha[v >> 18];
		*d++ = b64_alpha[(v >> 12) & 63];
		*d++ = left > 1 ? b64_alpha[(v >> 6) & 63] : '=';
		*d++ = left > 2 ? b64_alpha[v & 63] : '=';
		col += 4;
		if (linelen && col >= linelen) {
			*d++ = '\n';
			col = 0;
		}
	}
	if (linelen && col)
		*d++ = '\n';
	b->n = (size_t)(d - b->p);
	b->p[b->n] = '\0';
}

/* Quoted-printable (RFC 2045) of LF-separated text; output lines <= 76. */
static void
put_qp(struct buf *b, const char *data, size_t n)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t col = 0;
	char *d;

	/* worst case: every byte as =XX, plus a soft break every 25 bytes */
	if (!buf_grow(b, 3 * n + 2 * (n / 25) + 4))
		return;
	d = b->p + b->n;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		bool eol_next = i + 1 == n || s[i + 1] == '\n';
		bool lit;

		if (c == '\n') {
			*d++ = '\n';
			col = 0;
			continue;
		}
		lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !eol_next);
		/* keep room for the soft break "=" unless this token ends the line */
		if (col + (lit ? 1u : 3u) > (eol_next ? 76u : 75u)) {
			*d++ = '=';
			*d++ = '\n';
			col = 0;
		}
		if (lit) {
			*d++ = (char)c;
			col++;
		} else {
			*d++ = '=';
			*d++ = hexdig[c >> 4];
			*d++ = hexdig[c & 15];
			col += 3;
		}
	}
	if (n > 0 && s[n - 1] != '\n') {
		*d++ = '=';
		*d++ = '\n';
	}
	b->n = (size_t)(d - b->p);
	b->p[b->n] = '\0';
}

enum ew_kind { EW_B, EW_Q };

/*
 * Append s (UTF-8) as RFC 2047 encoded-words in charset cs (falls back to
 * UTF-8 when cs cannot hold the text).  Words are at most 75 characters and
 * separated by a fold ("\n ").  Q words use the strict "phrase" alphabet.
 */
static void
put_ew(struct buf *b, const char *s, enum cs cs, enum ew_kind kind)
{
	struct buf conv = { 0 };
	const unsigned char *p;
	size_t n, i = 0;
	const char *csn;
	size_t overhead;

	if (cs != CS_UTF8 && !utf8_to_cs(&conv, s, strlen(s), cs))
		cs = CS_UTF8;
	if (cs == CS_UTF8)
		buf_puts(&conv, s);
	if (conv.oom) {
		b->oom = true;
		goto cleanup;
	}
	p = (const unsigned char *)conv.p;
	n = conv.n;
	csn = cs_name_upper[cs];
	overhead = strlen(csn) + 7; /* =? cs ?X? ... ?= */
	while (i < n) {
		unsigned char chunk[64];
		size_t clen = 0, elen = 0;

		/* gather whole characters while the encoded word fits */
		while (i < n) {
			size_t cl = 1, add;

			if (cs == CS_UTF8 && p[i] >= 0xC0)
				cl = (p[i] >= 0xF0) ? 4 : (p[i] >= 0xE0) ? 3 : 2;
			if (i + cl > n)
				cl = n - i;
			if (kind == EW_B) {
				add = ((clen + cl + 2) / 3) * 4;
				if (overhead + add > 75 || clen + cl > sizeof(chunk))
					break;
			} else {
				add = 0;
				for (size_t k = 0; k < cl; k++) {
					unsigned c = p[i + k];
					bool lit = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
						   (c >= '0' && c <= '9') || c == '!' || c == '*' ||
						   c == '+' || c == '-' || c == '/' || c == ' ';
					add += lit ? 1 : 3;
				}
				if (overhead + elen + add > 75 || clen + cl > sizeof(chunk))
					break;
				elen += add;
			}
			memcpy(chunk + clen, p + i, cl);
			clen += cl;
			i += cl;
		}
		if (clen == 0)
			break; /* cannot happen with sane input; avoid looping */
		buf_printf(b, "=?%s?%c?", csn, kind == EW_B ? 'B' : 'Q');
		if (kind == EW_B) {
			put_base64(b, chunk, clen, 0);
		} else {
			for (size_t k = 0; k < clen; k++) {
				unsigned c = chunk[k];

				if (c == ' ')
					buf_putc(b, '_');
				else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					 (c >= '0' && c <= '9') || c == '!' || c == '*' ||
					 c == '+' || c == '-' || c == '/')
					buf_putc(b, (char)c);
				else
					buf_printf(b, "=%c%c", hexdig[c >> 4], hexdig[c & 15]);
			}
		}
		buf_puts(b, "?=");
		if (i < n)
			buf_puts(b, "\n ");
	}
cleanup:
	buf_free(&conv);
}

/* RFC 2231 / RFC 3986 percent-encoding of UTF-8 bytes (attr-char kept). */
static void
put_pct(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%c%c", hexdig[c >> 4], hexdig[c & 15]);
	}
}

static void
put_be32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_put(b, x, 4);
}

static void
put_le16(struct buf *b, uint32_t v)
{
	unsigned char x[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	buf_put(b, x, 2);
}

static void
put_le32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	buf_put(b, x, 4);
}

/* Fill n pseudo-random bytes (fast path for attachment payloads). */
static void
put_random(struct buf *b, struct rng *r, size_t n)
{
	char *d;

	if (!buf_grow(b, n + 8))
		return;
	d = b->p + b->n;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng_next(r);

		for (size_t k = 0; k < 8; k++)	/* byte order fixed: same output everywhere */
			d[i + k] = (char)(unsigned char)(v >> (8 * k));
	}
	b->n += n;
	b->p[b->n] = '\0';
}

/* ------------------------------------------------------------------ */
/* The cast: staff of the city, partners, and a pool of residents */

#define CITY "Exemple-sur-Loire"
#define CITY_CP "45160"
#define CITY_ORG "Mairie d'Exemple-sur-Loire"
#define CITY_DOMAIN "mairie-exemple.fr"
#define CITY_POSTAL "12 place de l'Hôtel de Ville, 45160 Exemple-sur-Loire"

/* How a display name is written in a header. */
enum name_enc {
	NE_AUTO,     /* plain if ASCII, else an encoded-word picked by the PRNG */
	NE_PLAIN,    /* as is (ASCII atoms) */
	NE_QUOTED,   /* "quoted string" */
	NE_B_UTF8,   /* =?UTF-8?B?...?= */
	NE_Q_UTF8,   /* =?UTF-8?Q?...?= */
	NE_Q_LATIN1, /* =?ISO-8859-1?Q?...?= */
	NE_B_LATIN1, /* =?ISO-8859-1?B?...?= */
	NE_RAW,      /* raw UTF-8 in a quoted string (RFC 6532) */
};

struct person {
	const char *name;  /* display name, UTF-8; NULL for none */
	const char *first; /* for greetings; NULL for a service mailbox */
	const char *addr;  /* address as written in headers */
	const char *norm;  /* normalised form; NULL: the ASCII lower-case of addr */
	char gender;       /* 'F', 'M' or 0 */
	unsigned char lang;
	unsigned char enc; /* enum name_enc */
	const char *title; /* for the signature */
	const char *org;
	const char *phone;
};

enum staff_id {
	S_MARIE, S_JOHN, S_ELODIE, S_FRANCOIS, S_NATHALIE, S_KARIM, S_SOPHIE, S_THOMAS,
	S_CHLOE, S_ACCUEIL, S_ETATCIVIL, S_URBA, S_RH, S_TECH, S_CCAS, S_DSI_NOREPLY, N_STAFF
};

static const struct person staff[N_STAFF] = {
	[S_MARIE] = { "Marie Dupont", "Marie", "marie.dupont@" CITY_DOMAIN, NULL, 'F', LANG_FR,
		      NE_PLAIN, "Directrice générale des services", CITY_ORG, "02 38 00 12 01" },
	[S_JOHN] = { "John Smith", "John", "john.smith@" CITY_DOMAIN, NULL, 'M', LANG_EN,
		     NE_PLAIN, "Chargé de mission relations internationales", CITY_ORG,
		     "02 38 00 12 45" },
	[S_ELODIE] = { "Élodie Lefort", "Élodie", "elodie.lefort@" CITY_DOMAIN, NULL, 'F',
		       LANG_FR, NE_B_UTF8, "Officier d'état civil", CITY_ORG, "02 38 00 12 10" },
	[S_FRANCOIS] = { "François Martin", "François", "francois.martin@" CITY_DOMAIN, NULL,
			 'M', LANG_FR, NE_Q_LATIN1, "Responsable du service urbanisme", CITY_ORG,
			 "02 38 00 12 30" },
	[S_NATHALIE] = { "Bernard, Nathalie", "Nathalie", "nathalie.bernard@" CITY_DOMAIN,
			 NULL, 'F', LANG_FR, NE_QUOTED, "Responsable des ressources humaines",
			 CITY_ORG, "02 38 00 12 20" },
	[S_KARIM] = { "Karim Benali", "Karim", "karim.benali@" CITY_DOMAIN, NULL, 'M', LANG_FR,
		      NE_PLAIN, "Technicien voirie, services techniques", CITY_ORG,
		      "06 71 22 48 90" },
	[S_SOPHIE] = { "Sophie Lambert", "Sophie", "sophie.lambert@" CITY_DOMAIN, NULL, 'F',
		       LANG_FR, NE_PLAIN, "Assistante du maire, cabinet", CITY_ORG,
		       "02 38 00 12 02" },
	[S_THOMAS] = { "Thomas Girard (DSI)", "Thomas", "thomas.girard@" CITY_DOMAIN, NULL, 'M',
		       LANG_FR, NE_QUOTED, "Responsable informatique", CITY_ORG,
		       "02 38 00 12 60" },
	[S_CHLOE] = { "Chloé Rousseau", "Chloé", "chloe.rousseau@" CITY_DOMAIN, NULL, 'F',
		      LANG_FR, NE_Q_UTF8, "Gestionnaire comptable, finances", CITY_ORG,
		      "02 38 00 12 40" },
	[S_ACCUEIL] = { "Accueil Mairie", NULL, "accueil@" CITY_DOMAIN, NULL, 0, LANG_FR,
			NE_PLAIN, "Accueil", CITY_ORG, "02 38 00 12 00" },
	[S_ETATCIVIL] = { "État civil", NULL, "etat-civil@" CITY_DOMAIN, NULL, 0, LANG_FR,
			  NE_AUTO, "Service état civil", CITY_ORG, "02 38 00 12 11" },
	[S_URBA] = { "Service urbanisme", NULL, "urbanisme@" CITY_DOMAIN, NULL, 0, LANG_FR,
		     NE_PLAIN, "Service urbanisme", CITY_ORG, "02 38 00 12 31" },
	[S_RH] = { "Ressources humaines", NULL, "rh@" CITY_DOMAIN, NULL, 0, LANG_FR, NE_PLAIN,
		   "Direction des ressources humaines", CITY_ORG, "02 38 00 12 21" },
	[S_TECH] = { "Services techniques", NULL, "services-techniques@" CITY_DOMAIN, NULL, 0,
		     LANG_FR, NE_PLAIN, "Centre technique municipal", CITY_ORG,
		     "02 38 00 12 50" },
	[S_CCAS] = { "CCAS d'Exemple-sur-Loire", NULL, "ccas@" CITY_DOMAIN, NULL, 0, LANG_FR,
		     NE_QUOTED, "Centre communal d'action sociale", CITY_ORG, "02 38 00 12 70" },
	[S_DSI_NOREPLY] = { NULL, NULL, "noreply@" CITY_DOMAIN, NULL, 0, LANG_FR, NE_PLAIN,
			    NULL, CITY_ORG, NULL },
};

enum partner_id {
	Q_PREF, Q_SDIS, Q_DGFIP, Q_HABITAT, Q_EMMA, Q_JAMES, Q_VENDOR, Q_INTERREG, Q_BUCHER,
	Q_CRECHE, Q_ABF, Q_ENROBES, N_PARTNER
};

static const struct person partners[N_PARTNER] = {
	[Q_PREF] = { "Préfecture du Loiret - Bureau des collectivités", NULL,
		     "pref-collectivites@prefecture.example", NULL, 0, LANG_FR, NE_Q_UTF8,
		     "Bureau du contrôle de légalité", "Préfecture", "02 38 81 40 00" },
	[Q_SDIS] = { "Cdt Patrick Renaud", "Patrick", "prevention@sdis45.example", NULL, 'M',
		     LANG_FR, NE_PLAIN, "Chef du groupement prévention", "SDIS 45",
		     "02 38 52 10 10" },
	[Q_DGFIP] = { "SGC Exemple", NULL, "sgc.exemple@dgfip.example", NULL, 0, LANG_FR,
		      NE_PLAIN, "Service de gestion comptable", "DGFiP", "02 38 22 33 44" },
	[Q_HABITAT] = { "Isabelle Fontaine", "Isabelle", "i.fontaine@habitat-loiret.example",
			NULL, 'F', LANG_FR, NE_PLAIN, "Chargée de gestion locative",
			"Habitat Loiret", "02 38 77 66 55" },
	[Q_EMMA] = { "Emma Clarke", "Emma", "emma.clarke@oakford-council.example", NULL, 'F',
		     LANG_EN, NE_PLAIN, "Twinning Officer", "Oakford Town Council",
		     "+44 1632 960 481" },
	[Q_JAMES] = { "James O'Neill", "James", "j.oneill@oakford-council.example", NULL, 'M',
		      LANG_EN, NE_QUOTED, "Town Clerk", "Oakford Town Council",
		      "+44 1632 960 102" },
	[Q_VENDOR] = { "CivilSoft Support", NULL, "support@civilsoft.example", NULL, 0, LANG_EN,
		       NE_PLAIN, "Customer Support", "CivilSoft Ltd", "+44 20 7946 0321" },
	[Q_INTERREG] = { "Anna Keller", "Anna", "a.keller@interreg-project.example", NULL, 'F',
			 LANG_EN, NE_PLAIN, "Project Coordinator", "Interreg Europe Project",
			 "+49 30 901820" },
	[Q_BUCHER] = { "Bücherstube Müller", NULL, "contact@bücher.example",
		       "contact@bücher.example", 0, LANG_EN, NE_RAW, "Buchhandlung",
		       "Bücherstube Müller", "+49 30 123456" },
	[Q_CRECHE] = { "Crèche Les Lutins", NULL, "direction@xn--crche-lutins-ydb.example",
		       "direction@crèche-lutins.example", 0, LANG_FR, NE_Q_LATIN1,
		       "Direction", "Crèche Les Lutins", "02 38 45 67 89" },
	[Q_ABF] = { "UDAP du Loiret", NULL, "udap45@culture.example", NULL, 0, LANG_FR,
		    NE_PLAIN, "Architecte des Bâtiments de France", "UDAP 45",
		    "02 38 78 85 00" },
	[Q_ENROBES] = { "Loire Enrobés - Service commercial", NULL,
			"commercial@loire-enrobes.example", NULL, 0, LANG_FR, NE_QUOTED,
			"Service commercial", "Loire Enrobés SAS", "02 38 90 11 22" },
};

static const char *const first_f[] = {
	"Camille", "Léa", "Manon", "Chloé", "Inès", "Zoé", "Émilie", "Céline", "Hélène",
	"Maëlle", "Noémie", "Françoise", "Agnès", "Anaïs", "Sylvie", "Nathalie", "Isabelle",
	"Valérie", "Sandrine", "Julie", "Laure", "Brigitte", "Monique", "Aurélie", "Océane",
};
static const char *const first_m[] = {
	"Jean", "Pierre", "Lucas", "Hugo", "Louis", "Gabriel", "Jules", "Arthur", "Nicolas",
	"Stéphane", "Benoît", "Jérôme", "Sébastien", "Aurélien", "Grégoire", "Michel", "Alain",
	"Philippe", "Patrick", "Thierry", "Rémi", "Yannick", "Frédéric", "Hervé", "Mathis",
};
static const char *const last_names[] = {
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
	"Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David",
	"Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupuis", "Lambert", "Fontaine",
	"Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier", "Blanc", "Guérin",
	"Boyer", "Garnier", "Chevalier", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
	"Clément", "Morin", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval",
	"Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
	"Blanchard", "Giraud", "Joly", "Rivière", "Le Gall", "Léger", "Prévost", "Da Silva",
	"Lévêque", "Barthélemy", "Ménard", "Hoarau", "N'Diaye", "Nguyen",
};
static const char *const mail_domains[] = {
	"example.com", "example.net", "example.org", "courriel.example", "fai-exemple.example",
	"laposte.example",
};
static const char *const streets[] = {
	"rue Jeanne-d'Arc", "avenue de la Libération", "rue des Écoles", "place du Marché",
	"chemin des Vignes", "rue Pasteur", "allée des Tilleuls", "boulevard Victor-Hugo",
	"impasse des Lilas", "route de Saint-Denis", "rue du Général-de-Gaulle",
	"rue de la Fontaine", "quai de Loire", "rue des Acacias", "rue Sainte-Catherine",
};
static const char *const other_cities[] = {
	"75002 Paris", "45000 Orléans", "41000 Blois", "37000 Tours", "45200 Montargis",
	"18000 Bourges",
};

/* A resident: a person with the personal data we plant about them. */
struct resident {
	struct person p;
	char name[64];
	char addr[96];
	char postal[128]; /* "14 rue des Écoles, 45160 Exemple-sur-Loire" */
	char phone[24];
	char dob[16];     /* "03/11/1978" */
	char nir[24];     /* French social security number with its key */
	char iban[48];    /* FR76 ..., valid mod-97 */
};

#define N_RESIDENTS 240

/* Lower-case ASCII transliteration of a UTF-8 name for a mailbox local part. */
static void
ascii_fold(char *out, size_t cap, const char *s)
{
	static const char *const map =
		/* U+00C0..U+00FF */
		"aaaaaaaceeeeiiiidnooooo*ouuuuyts"
		"aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && o + 1 < cap; p++) {
		if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
			char c = map[(p[1] + 0x40 - 0xC0) & 63];

			if (c != '*' && c != '/')
				out[o++] = c;
			p++;
		} else if (*p >= 'A' && *p <= 'Z') {
			out[o++] = (char)(*p - 'A' + 'a');
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.') {
			out[o++] = (char)*p;
		} else if (*p == ' ' || *p == '\'' || *p == '-') {
			out[o++] = '-';
		}
	}
	out[o] = '\0';
}

/* Append the two-digit mod-97 key of a decimal string (for IBAN/NIR maths). */
static unsigned
mod97(const char *digits)
{
	unsigned m = 0;

	for (const char *p = digits; *p; p++) {
		if (*p >= '0' && *p <= '9')
			m = (m * 10 + (unsigned)(*p - '0')) % 97;
		else if (*p >= 'A' && *p <= 'Z')
			m = (m * 100 + (unsigned)(*p - 'A' + 10)) % 97;
	}
	return m;
}

/* A valid French IBAN (RIB key and IBAN check digits), grouped by 4. */
static void
make_iban(char *out, size_t cap, struct rng *r)
{
	static const char *const banks[] = { "30006", "30004", "10278", "20041", "30003",
					     "11315", "18206" };
	char bban[32], tmp[40], grouped[48];
	unsigned long long acct = 0;
	unsigned key, check, g = 0;
	char branch[6];
	const char *bank = PICK(r, banks);

	for (int i = 0; i < 11; i++)
		acct = acct * 10 + rng_below(r, 10);
	snprintf(branch, sizeof(branch), "%05u", rng_below(r, 100000));
	/* RIB key: 97 - ((89 * bank + 15 * branch + 3 * account) mod 97) */
	key = 97 - (unsigned)((89ULL * strtoull(bank, NULL, 10) + 15ULL * strtoull(branch, NULL, 10) +
			       3ULL * (acct % 97ULL)) % 97ULL);
	snprintf(bban, sizeof(bban), "%s%s%011llu%02u", bank, branch, acct, key);
	snprintf(tmp, sizeof(tmp), "%sFR00", bban);
	check = 98 - mod97(tmp);
	snprintf(tmp, sizeof(tmp), "FR%02u%s", check, bban);
	for (size_t i = 0; tmp[i]; i++) {
		if (i && i % 4 == 0)
			grouped[g++] = ' ';
		grouped[g++] = tmp[i];
	}
	grouped[g] = '\0';
	snprintf(out, cap, "%s", grouped);
}

/* A French phone number in one of the usual spellings. */
static void
make_phone(char *out, size_t cap, struct rng *r)
{
	unsigned pre = rng_chance(r, 60) ? rng_range(r, 6, 7) : rng_range(r, 1, 5);
	unsigned d[4];

	/* one PRNG call per statement: argument and initializer order is unspecified */
	for (size_t i = 0; i < 4; i++)
		d[i] = rng_below(r, 100);

	switch (rng_below(r, 4)) {
	case 0:
		snprintf(out, cap, "0%u %02u %02u %02u %02u", pre, d[0], d[1], d[2], d[3]);
		break;
	case 1:
		snprintf(out, cap, "+33 %u %02u %02u %02u %02u", pre, d[0], d[1], d[2], d[3]);
		break;
	case 2:
		snprintf(out, cap, "0%u.%02u.%02u.%02u.%02u", pre, d[0], d[1], d[2], d[3]);
		break;
	default:
		snprintf(out, cap, "0%u%02u%02u%02u%02u", pre, d[0], d[1], d[2], d[3]);
		break;
	}
}

static void
make_resident(struct resident *res, struct rng *r, unsigned idx)
{
	bool female = rng_chance(r, 50);
	const char *first = female ? PICK(r, first_f) : PICK(r, first_m);
	const char *last = PICK(r, last_names);
	char lf[32], ll[32], nir13[16];
	unsigned yy = rng_range(r, 40, 99), mm = rng_range(r, 1, 12), dd = rng_range(r, 1, 28);
	unsigned commune, order;

	snprintf(res->name, sizeof(res->name), "%s %s", first, last);
	ascii_fold(lf, sizeof(lf), first);
	ascii_fold(ll, sizeof(ll), last);
	switch (rng_below(r, 4)) {
	case 0:
		snprintf(res->addr, sizeof(res->addr), "%c.%s%u@%s", lf[0], ll, idx % 90 + 10,
			 PICK(r, mail_domains));
		break;
	case 1:
		snprintf(res->addr, sizeof(res->addr), "%s%s%u@%s", lf, ll, 1900 + yy,
			 PICK(r, mail_domains));
		break;
	default:
		snprintf(res->addr, sizeof(res->addr), "%s.%s.%u@%s", lf, ll, idx,
			 PICK(r, mail_domains));
		break;
	}
	if (rng_chance(r, 85)) {
		unsigned num = rng_range(r, 1, 120);
		bool bis = rng_chance(r, 10);

		snprintf(res->postal, sizeof(res->postal), "%u%s %s, " CITY_CP " " CITY, num,
			 bis ? " bis" : "", PICK(r, streets));
	} else {
		unsigned num = rng_range(r, 1, 40);

		snprintf(res->postal, sizeof(res->postal), "%u rue de la Paix, %s", num,
			 PICK(r, other_cities));
	}
	make_phone(res->phone, sizeof(res->phone), r);
	snprintf(res->dob, sizeof(res->dob), "%02u/%02u/19%02u", dd, mm, yy);
	commune = rng_range(r, 1, 350);
	order = rng_range(r, 1, 999);
	snprintf(nir13, sizeof(nir13), "%u%02u%02u45%03u%03u", female ? 2u : 1u, yy, mm, commune,
		 order);
	snprintf(res->nir, sizeof(res->nir), "%c %.2s %.2s %.2s %.3s %.3s %02u", nir13[0],
		 nir13 + 1, nir13 + 3, nir13 + 5, nir13 + 7, nir13 + 10, 97 - mod97(nir13));
	make_iban(res->iban, sizeof(res->iban), r);
	res->p.name = res->name;
	res->p.first = first;
	res->p.addr = res->addr;
	res->p.norm = NULL;
	res->p.gender = female ? 'F' : 'M';
	res->p.lang = LANG_FR;
	res->p.enc = NE_AUTO;
	res->p.title = NULL;
	res->p.org = NULL;
	res->p.phone = res->phone;
}

/* ------------------------------------------------------------------ */
/* What people write about: topics with subjects and paragraphs */

/*
 * Placeholders in subjects and paragraphs: {res} resident's name, {raddr}
 * postal address, {rphone}, {rmail}, {rdob}, {rnir}, {riban}; {ref} a file
 * reference, {amount}, {date} a date in words, {street}, {parcel}, {month}.
 */
static const char *const subj_ec[] = {
	"Demande d'acte de naissance - {res}", "Dossier de mariage {ref}",
	"Rectification d'acte d'état civil", "Demande de livret de famille",
	"Attestation de domicile pour {res}", "Reconnaissance anticipée : rendez-vous",
	"Recensement citoyen - {res}",
};
static const char *const para_ec[] = {
	"Je vous transmets la demande d'acte de naissance intégral de {res}, né(e) le {rdob}, domicilié(e) au {raddr}. L'intéressé(e) souhaite recevoir l'acte par courrier à cette adresse.",
	"Pour compléter le dossier de mariage n° {ref}, il manque encore le justificatif de domicile et la copie de la pièce d'identité du futur conjoint. Vous pouvez joindre {res} au {rphone} ou par courriel à {rmail}.",
	"La cérémonie est prévue le {date} à 15 h 30 en salle des mariages. Merci de confirmer la présence de l'officier d'état civil et des témoins.",
	"Suite à l'erreur constatée sur l'acte (orthographe du nom d'usage), une rectification administrative a été demandée auprès du procureur de la République. Le dossier porte la référence {ref}.",
	"Je vous rappelle que les données figurant dans ces actes sont confidentielles : merci de ne pas les transférer en dehors du service.",
	"Numéro de sécurité sociale communiqué par l'usager : {rnir}. Il conviendra de le supprimer du dossier une fois la vérification faite.",
	"L'usager s'est présenté à l'accueil ce matin avec un extrait d'acte de naissance de moins de trois mois et un justificatif de domicile (facture d'électricité au nom de {res}).",
	"Le rendez-vous pour le dépôt du dossier est fixé au {date}. Merci de prévoir une durée de trente minutes et de rappeler l'usager au {rphone} en cas d'empêchement.",
};

static const char *const subj_urba[] = {
	"Permis de construire {ref}", "Déclaration préalable - {raddr}",
	"Certificat d'urbanisme - parcelle {parcel}", "Réclamation voisinage - travaux {street}",
	"Avis ABF sur le dossier {ref}", "Commission d'urbanisme du {date}",
};
static const char *const para_urba[] = {
	"Vous trouverez ci-dessous les éléments relatifs au permis de construire n° {ref} déposé par {res} pour une extension de 35 m² sur la parcelle cadastrée {parcel}.",
	"Le pétitionnaire demeure au {raddr} ; il est joignable au {rphone} ou à l'adresse {rmail}.",
	"L'architecte des Bâtiments de France a rendu un avis favorable assorti de prescriptions : tuiles plates de teinte brun vieilli, menuiseries en bois peint, enduit à la chaux.",
	"Le délai d'instruction est de deux mois à compter du dépôt du dossier complet. Une lettre de majoration de délai a été envoyée le {date}.",
	"Un voisin, {res}, conteste la hauteur du mur de clôture en limite séparative et demande une visite sur place avant la fin du chantier.",
	"La commission d'urbanisme se réunira le {date} à 18 h en salle du conseil. L'ordre du jour comprend quatre déclarations préalables et deux permis de construire.",
	"Merci de vérifier que la taxe d'aménagement a bien été calculée sur la surface taxable déclarée (montant estimé : {amount}).",
	"Le certificat d'urbanisme opérationnel pour la parcelle {parcel} située {street} sera délivré sous quinze jours.",
};

static const char *const subj_rh[] = {
	"Arrêt maladie - {res}", "Fiche de paie et changement de RIB",
	"Entretien professionnel annuel", "Recrutement agent d'accueil - candidatures",
	"Prime de fin d'année", "Visite médicale : convocation",
};
static const char *const para_rh[] = {
	"Je vous informe que {res} nous a transmis un arrêt de travail à compter du {date} pour une durée de quinze jours. Merci de mettre à jour le planning du service.",
	"Pour le versement de son traitement, l'agent nous a communiqué ses nouvelles coordonnées bancaires : IBAN {riban}. La modification prendra effet sur la paie du mois prochain.",
	"Numéro de sécurité sociale de l'agent : {rnir}, date de naissance : {rdob}.",
	"Les entretiens professionnels se dérouleront à partir du {date}. Chaque responsable de service recevra la grille d'évaluation mise à jour.",
	"Nous avons reçu quatorze candidatures pour le poste d'agent d'accueil. Je vous propose de retenir cinq candidats pour un entretien, dont {res}.",
	"L'adresse personnelle de l'agent a changé : {raddr}. Téléphone personnel : {rphone}.",
	"Le comité social territorial a émis un avis favorable au nouveau règlement du temps de travail, qui entrera en vigueur le {date}.",
	"Le montant de la prime annuelle s'élève à {amount} brut, versé en deux fois (juin et novembre).",
	"La visite médicale de {res} auprès de la médecine préventive est fixée au {date} ; l'agent est informé que le compte rendu reste couvert par le secret médical.",
};

static const char *const subj_tech[] = {
	"Éclairage public : panne {street}", "Intervention voirie {street}",
	"Bon de commande {ref} - enrobé", "Nid-de-poule signalé par un riverain",
	"Planning d'astreinte", "Marché de fauchage : offre",
};
static const char *const para_tech[] = {
	"Un riverain, {res} ({raddr}), signale que trois candélabres sont éteints {street} depuis le week-end.",
	"L'équipe voirie interviendra le {date} pour reboucher les nids-de-poule et reprendre le marquage au sol.",
	"Le bon de commande n° {ref} pour douze tonnes d'enrobé à froid a été validé pour un montant de {amount} TTC.",
	"Merci de prévoir un arrêté de circulation alternée pour la durée du chantier {street}.",
	"Le planning d'astreinte du mois prochain est prêt ; chaque agent d'astreinte doit rester joignable sur le téléphone de service.",
	"Le riverain peut être rappelé au {rphone} pour convenir d'un passage.",
	"Le prestataire nous a transmis son offre pour le fauchage des accotements : {amount} HT pour deux passages annuels.",
	"La balayeuse est immobilisée au garage jusqu'au {date} (remplacement des brosses et du convoyeur).",
};

static const char *const subj_fin[] = {
	"Titre de recette {ref}", "Remboursement de caution - salle des fêtes",
	"Facture impayée cantine", "Mandat de paiement à régulariser",
};
static const char *const para_fin[] = {
	"La caution de location de la salle des fêtes versée par {res} doit être remboursée par virement sur le compte IBAN {riban}.",
	"Le titre de recette n° {ref} d'un montant de {amount} a été émis et transmis au service de gestion comptable.",
	"Une facture de cantine reste impayée depuis trois mois pour la famille de {res}, {raddr}. Un échéancier peut être proposé.",
	"Merci de joindre le RIB et la délibération au mandat avant le {date}, faute de quoi le comptable public rejettera le paiement.",
	"Le solde disponible sur la ligne budgétaire 615231 (entretien de voirie) est de {amount}.",
	"Le prélèvement SEPA sera effectué le 5 de chaque mois sur le compte {riban} (titulaire : {res}).",
};

static const char *const subj_cab[] = {
	"Conseil municipal du {date} - ordre du jour", "Invitation : vœux du maire",
	"Réunion de service lundi", "Compte rendu de la réunion de direction",
	"Courrier de {res} à M. le Maire",
};
static const char *const para_cab[] = {
	"Le prochain conseil municipal aura lieu le {date} à 19 h 00. L'ordre du jour comporte le budget supplémentaire, les tarifs de la restauration scolaire et une convention avec le SDIS.",
	"M. le Maire souhaite recevoir une note de synthèse sur ce dossier avant la fin de la semaine.",
	"{res}, domicilié(e) {raddr}, a adressé un courrier au maire au sujet du stationnement devant son domicile. Une réponse est attendue sous quinze jours.",
	"Merci de transmettre vos éléments pour le bulletin municipal avant le {date}.",
	"La réunion de direction est avancée à 9 h 00 en raison de la visite du sous-préfet.",
	"Les invitations pour la cérémonie des vœux ont été envoyées aux partenaires institutionnels et aux associations « Loire Vivante » et « Les Amis du Patrimoine ».",
	"Pour rappel, toute demande de la presse doit être transmise au cabinet du maire.",
};

static const char *const subj_info[] = {
	"Campagne d'hameçonnage en cours : ne cliquez pas", "Mise à jour du logiciel d'état civil",
	"Expiration de votre mot de passe", "Sauvegarde des postes de travail",
	"Ticket {ref} : imprimante de l'accueil",
};
static const char *const para_info[] = {
	"Plusieurs agents ont reçu un courriel usurpant l'adresse de la mairie et demandant de « vérifier votre boîte aux lettres ». Ne cliquez pas sur le lien et supprimez le message.",
	"La mise à jour du logiciel d'état civil sera installée le {date} entre 12 h et 14 h ; le service sera indisponible pendant l'opération.",
	"Votre mot de passe expirera dans cinq jours. Pour le modifier, utilisez le portail interne et jamais un lien reçu par courriel.",
	"Les sauvegardes des serveurs sont désormais chiffrées et répliquées sur un second site.",
	"Le ticket {ref} concernant l'imprimante de l'accueil est résolu : le bac 2 a été remplacé.",
	"Pour rappel, les fichiers contenant des données personnelles ne doivent pas être envoyés vers des messageries personnelles.",
};

static const char *const subj_twin[] = {
	"Twinning visit in {month}", "Programme for the Oakford delegation",
	"Exchange students: host families", "Photos from the twinning weekend",
	"Renewal of the twinning charter",
};
static const char *const para_twin[] = {
	"Thank you again for the warm welcome our delegation received last spring. The council would be delighted to host your visit on {date}.",
	"We have found host families for the twelve students. The host family for the first group is {res}, {raddr}, phone {rphone}.",
	"Please find the draft programme below. The civic reception will take place at the Town Hall, followed by a guided tour of the old town and the Loire embankment.",
	"Could you send us the list of participants with their dates of birth for the insurance? For example: {res}, born {rdob}.",
	"The coach has been booked for {amount}; the invoice will be shared between both councils.",
	"Our mayor would like to sign the renewed twinning charter during the visit, in the presence of the press.",
};

static const char *const subj_vendor[] = {
	"Case {ref}: civil registry software error", "Your support ticket {ref} has been updated",
	"Scheduled maintenance on {date}", "Licence renewal quote",
};
static const char *const para_vendor[] = {
	"We have reviewed the log files you sent. The error occurs when a record contains a birth place outside France.",
	"A patch will be deployed on {date}. No action is required on your side.",
	"To reproduce the issue we used the following record from your export: {res}, {raddr}, born {rdob}. Please confirm this data can be processed under our data processing agreement.",
	"Your licence renewal quote amounts to {amount} excluding VAT and is valid for thirty days.",
	"Please do not send personal data by e-mail; use the secure upload portal instead.",
};

static const char *const subj_grant[] = {
	"Interreg project: partner meeting", "Budget report due {date}",
	"Minutes of the steering committee",
};
static const char *const para_grant[] = {
	"The steering committee agreed on the revised work plan. Each partner will submit its progress report by {date}.",
	"The eligible costs for your municipality amount to {amount} for the first period.",
	"Please upload the staff timesheets and the bank details of the beneficiary (IBAN {riban}) to the platform.",
	"The next partner meeting will be hosted by the city of Oakford; travel costs are eligible.",
};

static const char *const para_fr_common[] = {
	"N'hésitez pas à revenir vers moi pour toute question.",
	"Je reste à votre disposition pour tout complément d'information.",
	"Je vous remercie par avance pour votre retour rapide.",
	"Je vous prie de bien vouloir traiter cette demande en priorité, le délai légal arrivant à échéance.",
	"Pour mémoire, le dossier complet est disponible sur le partage réseau du service.",
};
static const char *const para_en_common[] = {
	"Let me know if you have any questions.",
	"Many thanks in advance for your help.",
	"I am copying my colleagues for information.",
	"Apologies for the late reply, it has been a busy week at the council.",
};

enum att_kind { AK_PDF, AK_PNG, AK_JPEG, AK_DOCX, AK_XLSX, AK_CSV, AK_TXT, AK_VCF };

struct attname {
	const char *name;
	unsigned char kind;
};

static const struct attname att_ec[] = {
	{ "Acte_de_naissance.pdf", AK_PDF }, { "Dossier_mariage.pdf", AK_PDF },
	{ "Pièce_identité_recto.jpg", AK_JPEG }, { "Justificatif_domicile.pdf", AK_PDF },
};
static const struct attname att_urba[] = {
	{ "Plan_de_masse.pdf", AK_PDF }, { "Arrêté_PC.pdf", AK_PDF },
	{ "Photo_façade.jpg", AK_JPEG }, { "Notice_descriptive.docx", AK_DOCX },
};
static const struct attname att_rh[] = {
	{ "Arrêt_de_travail.pdf", AK_PDF }, { "RIB.pdf", AK_PDF },
	{ "Grille_entretien_professionnel.docx", AK_DOCX }, { "Planning_congés.xlsx", AK_XLSX },
};
static const struct attname att_tech[] = {
	{ "Planning_astreinte.xlsx", AK_XLSX }, { "Devis_enrobé.pdf", AK_PDF },
	{ "Photo_candélabre.jpg", AK_JPEG }, { "Plan_de_situation.png", AK_PNG },
};
static const struct attname att_fin[] = {
	{ "Titre_de_recette.pdf", AK_PDF }, { "Échéancier.xlsx", AK_XLSX },
	{ "RIB_usager.pdf", AK_PDF },
};
static const struct attname att_cab[] = {
	{ "Ordre_du_jour_conseil.pdf", AK_PDF }, { "Compte_rendu_réunion.docx", AK_DOCX },
	{ "Invitation_voeux.pdf", AK_PDF },
};
static const struct attname att_info[] = {
	{ "Procédure_mot_de_passe.pdf", AK_PDF }, { "capture_écran.png", AK_PNG },
	{ "journal_erreurs.txt", AK_TXT },
};
static const struct attname att_twin[] = {
	{ "Programme_twinning_visit.pdf", AK_PDF }, { "Participants_list.xlsx", AK_XLSX },
	{ "photo_town_hall.jpg", AK_JPEG },
};
static const struct attname att_vendor[] = {
	{ "Quote_CS-2024.pdf", AK_PDF }, { "error_log.txt", AK_TXT },
	{ "screenshot.png", AK_PNG },
};
static const struct attname att_grant[] = {
	{ "Timesheets_Q3.xlsx", AK_XLSX }, { "Progress_report.docx", AK_DOCX },
};

#define NONE 0xFF

struct topic {
	const char *code;
	unsigned char lang;
	const char *const *subj;
	size_t n_subj;
	const char *const *para;
	size_t n_para;
	const struct attname *att;
	size_t n_att;
	unsigned char staff[3];   /* counterparts among staff (NONE = unused) */
	unsigned char partner[2]; /* counterparts among partners */
	unsigned char res_pct;    /* % of messages exchanged with a resident */
};

#define TOPIC(code, lang, s, p, a, st0, st1, st2, pa0, pa1, res)                          \
	{ code, lang, s, ARRAY_LEN(s), p, ARRAY_LEN(p), a, ARRAY_LEN(a), { st0, st1, st2 }, \
	  { pa0, pa1 }, res }

static const struct topic topics[] = {
	TOPIC("etat-civil", LANG_FR, subj_ec, para_ec, att_ec, S_ELODIE, S_ETATCIVIL, S_ACCUEIL,
	      NONE, NONE, 45),
	TOPIC("urbanisme", LANG_FR, subj_urba, para_urba, att_urba, S_FRANCOIS, S_URBA, NONE,
	      Q_ABF, Q_PREF, 35),
	TOPIC("rh", LANG_FR, subj_rh, para_rh, att_rh, S_NATHALIE, S_RH, NONE, NONE, NONE, 15),
	TOPIC("services-techniques", LANG_FR, subj_tech, para_tech, att_tech, S_KARIM, S_TECH,
	      NONE, Q_ENROBES, Q_SDIS, 30),
	TOPIC("finances", LANG_FR, subj_fin, para_fin, att_fin, S_CHLOE, NONE, NONE, Q_DGFIP,
	      Q_HABITAT, 25),
	TOPIC("cabinet", LANG_FR, subj_cab, para_cab, att_cab, S_SOPHIE, S_CCAS, NONE, Q_PREF,
	      Q_CRECHE, 15),
	TOPIC("informatique", LANG_FR, subj_info, para_info, att_info, S_THOMAS, S_DSI_NOREPLY,
	      NONE, NONE, NONE, 0),
	TOPIC("jumelage", LANG_EN, subj_twin, para_twin, att_twin, NONE, NONE, NONE, Q_EMMA,
	      Q_JAMES, 0),
	TOPIC("editeur", LANG_EN, subj_vendor, para_vendor, att_vendor, NONE, NONE, NONE,
	      Q_VENDOR, NONE, 0),
	TOPIC("interreg", LANG_EN, subj_grant, para_grant, att_grant, NONE, NONE, NONE,
	      Q_INTERREG, NONE, 0),
};

enum {
	T_EC, T_URBA, T_RH, T_TECH, T_FIN, T_CAB, T_INFO, T_TWIN, T_VENDOR, T_GRANT, N_TOPICS
};

static const char *const mailers[] = {
	"Microsoft Outlook 16.0", "Mozilla Thunderbird 115.4.1", "Roundcube Webmail/1.6.5",
	"Apple Mail (2.3731.700.6)", "Zimbra 9.0.0_GA_4546 (ZimbraWebClient - FF119)",
};

/* ------------------------------------------------------------------ */
/* Run state */

#define MI_MAXADDR 64
#define MI_ADDRLEN 96

/* What the generator knows about one message it wrote (the ground truth). */
struct minfo {
	char msgid[192];   /* without <>, "" when the message has none */
	char subject[512]; /* decoded, UTF-8 */
	unsigned atts;     /* attachment parts, embedded messages' included */
	unsigned emb;      /* message/rfc822 parts, recursively */
	unsigned naddr;
	char addr[MI_MAXADDR][MI_ADDRLEN]; /* normalised addresses of this message's headers */
	const char *tag;   /* hostile/special-case tag, NULL for none */
	int64_t date;      /* Date header, Unix time, when has_date */
	bool has_date;
	int64_t delivered; /* delivery time: maildir name, mbox From_ line, mtime */
	char env_from[96]; /* envelope sender (ASCII) */
};

struct opts {
	uint64_t seed;
	unsigned long messages;
	bool maildir_only;
	bool containers; /* --containers: gen-containers.c */
	bool quiet;
	bool people; /* --people: only OUTDIR/people/ (gen-books.c) */
	const char *outdir;
	unsigned long pii; /* --pii N: labelled personal data only (gen-pii.c) */
};

struct row {
	const char *base;          /* gen.rows.p, set before sorting */
	size_t off, len;           /* the line in gen.rows */
	size_t path_off, path_len; /* its path field */
	uint64_t ordinal;
};

struct abstat {
	const char *file;
	unsigned cards;
	unsigned emails;
};

struct mbox_file {
	const char *rel;    /* "mbox/archives-2023.mbox" */
	const char *folder; /* file name */
	bool rd;            /* mboxrd quoting (else mboxo) */
	struct buf data;
	uint64_t count;
	int64_t mtime;
};

#define N_MBOX 2

struct gen {
	struct opts o;
	struct rng rng;
	uint32_t crc_table[256];
	struct resident *res;
	size_t n_res;
	struct buf msg;  /* the message being built */
	struct buf t1;   /* scratch: expanded paragraph */
	struct buf t2;   /* scratch: HTML body */
	struct buf t3;   /* scratch: charset conversion, attachments */
	struct buf t4;   /* scratch: attachment payloads */
	struct buf rows; /* manifest lines */
	struct row *rowv;
	size_t n_rows, cap_rows;
	struct strset addr_top, addr_all, ab_addr;
	struct mbox_file mbox[N_MBOX];
	const struct buf *ab_csv; /* outlook.csv bytes while the full mode runs */
	unsigned long seq;  /* deliveries so far: maildir Q field, unique ids */
	unsigned long bnd;  /* boundaries so far */
	unsigned mailer;    /* mailer of the message being written: Message-ID and boundary style */
	/* counters for summary.txt */
	unsigned long n_msg, n_emb, n_att, n_dup, n_dupgroups, n_maildir, n_mbox, n_eml;
	unsigned long n_tagged, n_tmp, n_markers, n_folders, n_other, n_nomsgid, n_nodate;
	unsigned long naive_extra;
	struct abstat ab[3];
	char path[4096];
};

static void
mi_init(struct minfo *mi)
{
	mi->msgid[0] = '\0';
	mi->subject[0] = '\0';
	mi->atts = mi->emb = mi->naddr = 0;
	mi->tag = NULL;
	mi->date = 0;
	mi->has_date = false;
	mi->delivered = 0;
	mi->env_from[0] = '\0';
}

/* Record a normalised address for this message (duplicates ignored). */
static void
mi_addr(struct minfo *mi, const char *norm)
{
	for (unsigned i = 0; i < mi->naddr; i++)
		if (strcmp(mi->addr[i], norm) == 0)
			return;
	if (mi->naddr < MI_MAXADDR)
		snprintf(mi->addr[mi->naddr++], MI_ADDRLEN, "%s", norm);
}

/* Normalised form of a person's address. */
static void
person_norm(const struct person *p, char *out, size_t cap)
{
	size_t i;

	if (p->norm) {
		snprintf(out, cap, "%s", p->norm);
		return;
	}
	for (i = 0; p->addr[i] && i + 1 < cap; i++)
		out[i] = (p->addr[i] >= 'A' && p->addr[i] <= 'Z') ? (char)(p->addr[i] + 32) :
								  p->addr[i];
	out[i] = '\0';
}

static void
mi_person(struct minfo *mi, const struct person *p)
{
	char norm[MI_ADDRLEN];

	person_norm(p, norm, sizeof(norm));
	mi_addr(mi, norm);
}

/* An embedded message ends: fold its counts into its parent. */
static void
mi_merge_embedded(struct gen *g, struct minfo *parent, const struct minfo *child)
{
	parent->atts += child->atts;
	parent->emb += 1 + child->emb;
	for (unsigned i = 0; i < child->naddr; i++)
		strset_add(&g->addr_all, child->addr[i]);
}

static void
crc_init(struct gen *g)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
		g->crc_table[i] = c;
	}
}

static uint32_t
crc32_fast(const struct gen *g, uint32_t crc, const void *data, size_t n)
{
	const unsigned char *p = data;

	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = g->crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

/* ------------------------------------------------------------------ */
/* Text: placeholders, wrapping, HTML */

struct tctx {
	int lang;
	const struct topic *topic;
	const struct person *from, *to;
	const struct resident *res;
	int64_t when;
	char ref[32];
	char amount[32];
	char parcel[16];
	const char *street;
};

static void
tctx_init(struct gen *g, struct tctx *tc, int topic, const struct person *from,
	  const struct person *to, int64_t when)
{
	struct rng *r = &g->rng;
	struct civil c;
	unsigned euros = rng_range(r, 40, 48000);

	civil_from_unix(when, &c);
	tc->topic = &topics[topic];
	tc->lang = tc->topic->lang;
	tc->from = from;
	tc->to = to;
	tc->res = &g->res[rng_below(r, (uint32_t)g->n_res)];
	tc->when = when;
	tc->street = PICK(r, streets);
	switch (topic) {
	case T_URBA:
		snprintf(tc->ref, sizeof(tc->ref), "PC 045 160 %02d A%04u", c.year % 100,
			 rng_range(r, 1, 120));
		break;
	case T_EC:
		snprintf(tc->ref, sizeof(tc->ref), "EC-%d-%04u", c.year, rng_range(r, 1, 900));
		break;
	case T_VENDOR:
	case T_INFO:
		snprintf(tc->ref, sizeof(tc->ref), "#%u", rng_range(r, 10000, 99999));
		break;
	default:
		snprintf(tc->ref, sizeof(tc->ref), "%d-%04u", c.year, rng_range(r, 1, 3000));
		break;
	}
	if (tc->lang == LANG_FR) {
		if (euros >= 1000)
			snprintf(tc->amount, sizeof(tc->amount), "%u %03u,%02u €", euros / 1000,
				 euros % 1000, rng_below(r, 100));
		else
			snprintf(tc->amount, sizeof(tc->amount), "%u,%02u €", euros,
				 rng_below(r, 100));
	} else {
		snprintf(tc->amount, sizeof(tc->amount), "%s%u,%03u.00",
			 rng_chance(r, 50) ? "£" : "€", euros / 1000 + 1, euros % 1000);
	}
	tc->parcel[0] = (char)('A' + rng_below(r, 8));
	tc->parcel[1] = (char)('A' + rng_below(r, 26));
	snprintf(tc->parcel + 2, sizeof(tc->parcel) - 2, " %04u", rng_range(r, 1, 999));
}

/* Expand the placeholders of a template into out (UTF-8). */
static void
expand(struct gen *g, struct buf *out, const struct tctx *tc, const char *tpl)
{
	const struct resident *res = tc->res;

	for (const char *p = tpl; *p; p++) {
		const char *end;
		size_t klen, span = strcspn(p, "{");

		if (span) {
			buf_put(out, p, span);
			p += span - 1;
			continue;
		}
		if (!(end = strchr(p, '}'))) {
			buf_putc(out, *p);
			continue;
		}
		klen = (size_t)(end - p - 1);
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(p + 1, k, klen) == 0)
		if (KEY("res"))
			buf_puts(out, res->name);
		else if (KEY("raddr"))
			buf_puts(out, res->postal);
		else if (KEY("rphone"))
			buf_puts(out, res->phone);
		else if (KEY("rmail"))
			buf_puts(out, res->addr);
		else if (KEY("rdob"))
			buf_puts(out, res->dob);
		else if (KEY("rnir"))
			buf_puts(out, res->nir);
		else if (KEY("riban"))
			buf_puts(out, res->iban);
		else if (KEY("ref"))
			buf_puts(out, tc->ref);
		else if (KEY("amount"))
			buf_puts(out, tc->amount);
		else if (KEY("parcel"))
			buf_puts(out, tc->parcel);
		else if (KEY("street"))
			buf_puts(out, tc->street);
		else if (KEY("date"))
			put_date_words(out, tc->when + (int64_t)rng_range(&g->rng, 2, 40) * 86400,
				       tc->lang);
		else if (KEY("month"))
			buf_puts(out, mon_en_long[rng_below(&g->rng, 12)]);
		else
			buf_put(out, p, klen + 2);
#undef KEY
		p = end;
	}
}

/* Append s word-wrapped at 72 columns, each line prefixed with prefix. */
static void
wrap(struct buf *out, const char *s, size_t n, const char *prefix)
{
	size_t plen = strlen(prefix), i = 0;

	while (i < n) {
		size_t len = n - i, cut = len;

		if (len + plen > 72) {
			cut = 72 - plen;
			while (cut > 0 && s[i + cut] != ' ')
				cut--;
			if (cut == 0) {
				cut = 72 - plen;
				while (i + cut < n && s[i + cut] != ' ')
					cut++;
			}
		}
		buf_puts(out, prefix);
		buf_put(out, s + i, cut);
		buf_putc(out, '\n');
		i += cut;
		while (i < n && s[i] == ' ')
			i++;
	}
}

static void
wrap_str(struct buf *out, const char *s)
{
	wrap(out, s, strlen(s), "");
}

static void
html_escape(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t span = 0;

		while (i + span < n && s[i + span] != '<' && s[i + span] != '>' &&
		       s[i + span] != '&' && s[i + span] != '"')
			span++;
		buf_put(out, s + i, span);
		i += span;
		if (i == n)
			break;
		buf_puts(out, s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" : s[i] == '&' ? "&amp;" :
										    "&quot;");
		i++;
	}
}

/* One paragraph to the text body (and the HTML one when html is not NULL). */
static void
para_out(struct gen *g, const struct tctx *tc, const char *tpl, struct buf *text,
	 struct buf *html, const char *prefix)
{
	buf_reset(&g->t1);
	expand(g, &g->t1, tc, tpl);
	wrap(text, g->t1.p, g->t1.n, prefix);
	buf_puts(text, prefix[0] ? ">\n" : "\n");
	if (html) {
		buf_puts(html, "<p class=\"MsoNormal\">");
		html_escape(html, g->t1.p, g->t1.n);
		buf_puts(html, "</p>\n");
	}
}

static void
put_signature(const struct person *p, struct buf *text, struct buf *html)
{
	if (!p->name)
		return;
	buf_printf(text, "-- \n%s\n", p->name);
	if (p->title)
		buf_printf(text, "%s\n", p->title);
	if (p->org)
		buf_printf(text, "%s\n", p->org);
	if (p->org && strcmp(p->org, CITY_ORG) == 0)
		buf_puts(text, CITY_POSTAL "\n");
	if (p->phone)
		buf_printf(text, "%s %s\n", p->lang == LANG_FR ? "Tél. :" : "Tel:", p->phone);
	if (!html)
		return;
	buf_puts(html, "<p style=\"color:#1F3864;font-size:9pt\"><b>");
	html_escape(html, p->name, strlen(p->name));
	buf_puts(html, "</b><br>\n");
	if (p->title) {
		html_escape(html, p->title, strlen(p->title));
		buf_puts(html, "<br>\n");
	}
	if (p->org) {
		html_escape(html, p->org, strlen(p->org));
		buf_puts(html, "<br>\n");
	}
	if (p->org && strcmp(p->org, CITY_ORG) == 0)
		buf_puts(html, CITY_POSTAL "<br>\n");
	if (p->phone)
		buf_printf(html, "%s %s", p->lang == LANG_FR ? "Tél. :" : "Tel:", p->phone);
	buf_puts(html, "</p>\n");
}

static const char html_head[] =
	"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
	"xmlns:w=\"urn:schemas-microsoft-com:office:word\">\n"
	"<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
	"<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\n"
	"<style><!--\n"
	"/* Font Definitions */\n"
	"@font-face {font-family:\"Cambria Math\"; panose-1:2 4 5 3 5 4 6 3 2 4;}\n"
	"@font-face {font-family:Calibri; panose-1:2 15 5 2 2 2 4 3 2 4;}\n"
	"/* Style Definitions */\n"
	"p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; "
	"font-family:\"Calibri\",sans-serif; mso-fareast-language:EN-US;}\n"
	"a:link, span.MsoHyperlink {mso-style-priority:99; color:#0563C1; "
	"text-decoration:underline;}\n"
	"span.EmailStyle17 {mso-style-type:personal-compose; font-family:\"Calibri\",sans-serif; "
	"color:windowtext;}\n"
	".MsoChpDefault {mso-style-type:export-only; font-family:\"Calibri\",sans-serif; "
	"mso-fareast-language:EN-US;}\n"
	"@page WordSection1 {size:612.0pt 792.0pt; margin:70.85pt 70.85pt 70.85pt 70.85pt;}\n"
	"div.WordSection1 {page:WordSection1;}\n"
	"--></style>\n</head>\n"
	"<body lang=\"FR\" link=\"#0563C1\" vlink=\"#954F72\" style=\"word-wrap:break-word\">\n"
	"<div class=\"WordSection1\">\n";
static const char html_tail[] = "</div>\n</body>\n</html>\n";

/*
 * Compose a body: greeting, paragraphs, closing, signature and, for a
 * reply, the quoted original.  Text goes to text (UTF-8, LF, wrapped);
 * HTML to html when it is not NULL.
 */
static void
compose(struct gen *g, const struct tctx *tc, unsigned nparas, bool reply, struct buf *text,
	struct buf *html)
{
	static const char *const hello_en[] = { "Dear", "Hi", "Hello" };
	static const char *const greet_fr[] = { "Madame, Monsieur,", "Bonjour,", "Bonjour à tous," };
	static const char *const greet_en[] = { "Dear colleagues,", "Hello,", "Dear Sir or Madam," };
	static const char *const bye_fr[] = {
		"Cordialement,", "Bien cordialement,", "Bien à vous,",
		"Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
	};
	static const char *const bye_en[] = { "Kind regards,", "Best wishes,", "Many thanks," };
	struct rng *r = &g->rng;
	const struct topic *t = tc->topic;
	const struct person *to = tc->to;
	bool fr = tc->lang == LANG_FR;
	char greet[128];
	unsigned used = 0;

	if (html)
		buf_puts(html, html_head);
	if (to && to->first && rng_chance(r, 70))
		snprintf(greet, sizeof(greet), "%s %s,", fr ? "Bonjour" : PICK(r, hello_en),
			 to->first);
	else
		snprintf(greet, sizeof(greet), "%s", fr ? PICK(r, greet_fr) : PICK(r, greet_en));
	para_out(g, tc, greet, text, html, "");
	for (unsigned i = 0; i < nparas; i++) {
		unsigned k = rng_below(r, (uint32_t)t->n_para);

		/* avoid repeating a paragraph while there are fresh ones */
		for (unsigned tries = 0; tries < 4 && (used & (1u << (k & 31))); tries++)
			k = rng_below(r, (uint32_t)t->n_para);
		used |= 1u << (k & 31);
		para_out(g, tc, t->para[k], text, html, "");
	}
	para_out(g, tc, fr ? PICK(r, para_fr_common) : PICK(r, para_en_common), text, html, "");
	para_out(g, tc, fr ? PICK(r, bye_fr) : PICK(r, bye_en), text, html, "");
	put_signature(tc->from, text, html);
	if (reply) {
		const struct person *orig = tc->to ? tc->to : tc->from;
		buf_putc(text, '\n');
		buf_reset(&g->t1);
		if (fr) {
			buf_puts(&g->t1, "Le ");
			put_date_words(&g->t1, tc->when - (int64_t)rng_range(r, 3600, 5 * 86400),
				       LANG_FR);
			buf_printf(&g->t1, ", %s <%s> a écrit :",
				   orig->name ? orig->name : orig->addr, orig->addr);
		} else {
			buf_puts(&g->t1, "On ");
			put_date_words(&g->t1, tc->when - (int64_t)rng_range(r, 3600, 5 * 86400),
				       LANG_EN);
			buf_printf(&g->t1, ", %s <%s> wrote:", orig->name ? orig->name : orig->addr,
				   orig->addr);
		}
		wrap(text, g->t1.p, g->t1.n, "");
		if (html) {
			buf_puts(html, "<div style=\"border-top:solid #E1E1E1 1.0pt\">"
				       "<p class=\"MsoNormal\"><b>");
			html_escape(html, g->t1.p, g->t1.n);
			buf_puts(html, "</b></p></div>\n<blockquote>\n");
		}
		for (unsigned i = rng_range(r, 1, 3); i > 0; i--)
			para_out(g, tc, t->para[rng_below(r, (uint32_t)t->n_para)], text, html,
				 "> ");
		if (html)
			buf_puts(html, "</blockquote>\n");
	}
	if (html)
		buf_puts(html, html_tail);
}

/* ------------------------------------------------------------------ */
/* Headers */

static bool
needs_quotes(const char *s)
{
	for (; *s; s++)
		if (strchr("()<>[]:;@\\,.\"", *s))
			return true;
	return false;
}

static void
put_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static void
put_display(struct gen *g, struct buf *b, const char *name, enum name_enc enc)
{
	bool ascii = is_ascii(name, strlen(name));

	if (enc == NE_AUTO) {
		if (ascii) {
			enc = NE_PLAIN;
		} else {
			static const unsigned char pick[] = { NE_B_UTF8, NE_Q_UTF8, NE_Q_UTF8,
							      NE_Q_LATIN1, NE_B_LATIN1, NE_RAW };
			enc = (enum name_enc)PICK(&g->rng, pick);
		}
	}
	if (ascii && enc != NE_QUOTED)
		enc = NE_PLAIN;
	switch (enc) {
	case NE_B_UTF8:
		put_ew(b, name, CS_UTF8, EW_B);
		break;
	case NE_Q_UTF8:
		put_ew(b, name, CS_UTF8, EW_Q);
		break;
	case NE_Q_LATIN1:
		put_ew(b, name, CS_LATIN1, EW_Q);
		break;
	case NE_B_LATIN1:
		put_ew(b, name, CS_LATIN1, EW_B);
		break;
	case NE_QUOTED:
	case NE_RAW:
		put_quoted(b, name);
		break;
	default:
		if (needs_quotes(name))
			put_quoted(b, name);
		else
			buf_puts(b, name);
		break;
	}
}

static size_t
cur_col(const struct buf *b)
{
	size_t i = b->n;

	while (i > 0 && b->p[i - 1] != '\n')
		i--;
	return b->n - i;
}

/* "Name <addr>" of one person. */
static void
put_mailbox(struct gen *g, struct buf *b, const struct person *p, bool bare_ok)
{
	if (!p->name || (bare_ok && !p->first && rng_chance(&g->rng, 15))) {
		buf_puts(b, p->addr);
		return;
	}
	put_display(g, b, p->name, (enum name_enc)p->enc);
	buf_printf(b, " <%s>", p->addr);
}

/* An address header from people; records their normalised addresses. */
static void
put_addr_hdr(struct gen *g, struct buf *b, struct minfo *mi, const char *hname,
	     const struct person *const *pv, size_t n)
{
	if (n == 0)
		return;
	buf_printf(b, "%s: ", hname);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&g->t1);
		put_mailbox(g, &g->t1, pv[i], true);
		if (i > 0) /* fold before this mailbox when the line would get long */
			buf_puts(b, cur_col(b) + g->t1.n + 2 > 76 ? ",\n\t" : ", ");
		buf_put(b, g->t1.p, g->t1.n);
		if (g->t1.oom)
			b->oom = true;
		mi_person(mi, pv[i]);
	}
	buf_putc(b, '\n');
}

/* A header whose value is given raw, with the normalised addresses it holds. */
static void
put_raw_addr_hdr(struct buf *b, struct minfo *mi, const char *hname, const char *value,
		 const char *const *norms)
{
	buf_printf(b, "%s: %s\n", hname, value);
	for (; norms && *norms; norms++)
		mi_addr(mi, *norms);
}

/* Subject header: encoded per style; records the decoded subject. */
enum subj_style { SUBJ_PLAIN, SUBJ_RAW, SUBJ_B_UTF8, SUBJ_Q_UTF8, SUBJ_Q_LATIN1, SUBJ_B_LATIN1,
		  SUBJ_Q_LATIN9, SUBJ_CP1252 };

static void
put_subject(struct buf *b, struct minfo *mi, const char *prefix, const char *subject,
	    enum subj_style style)
{
	snprintf(mi->subject, sizeof(mi->subject), "%s%s", prefix, subject);
	buf_puts(b, "Subject: ");
	if (is_ascii(subject, strlen(subject)) || style == SUBJ_RAW || style == SUBJ_PLAIN) {
		/* as is, folded before a space when the line would pass 76 columns */
		const char *s = mi->subject;
		size_t col = 9;

		while (*s) {
			size_t word = strcspn(s + 1, " ") + 1;

			if (*s == ' ' && col + word > 76) {
				buf_putc(b, '\n');
				col = 0;
			}
			buf_put(b, s, word);
			col += word;
			s += word;
		}
		buf_putc(b, '\n');
		return;
	}
	buf_puts(b, prefix);
	switch (style) {
	case SUBJ_Q_UTF8:
		put_ew(b, subject, CS_UTF8, EW_Q);
		break;
	case SUBJ_Q_LATIN1:
		put_ew(b, subject, CS_LATIN1, EW_Q);
		break;
	case SUBJ_B_LATIN1:
		put_ew(b, subject, CS_LATIN1, EW_B);
		break;
	case SUBJ_Q_LATIN9:
		put_ew(b, subject, CS_LATIN9, EW_Q);
		break;
	case SUBJ_CP1252:
		put_ew(b, subject, CS_CP1252, EW_Q);
		break;
	default:
		put_ew(b, subject, CS_UTF8, EW_B);
		break;
	}
	buf_putc(b, '\n');
}

enum msgid_style { MID_OUTLOOK, MID_TB, MID_RC, MID_APPLE, N_MID };

static void
put_msgid_hdr(struct gen *g, struct buf *b, struct minfo *mi, const char *domain)
{
	struct rng *r = &g->rng;
	uint64_t a = rng_next(r), c = rng_next(r);
	unsigned long id = ++g->seq;

	static const unsigned char style_of[] = { MID_OUTLOOK, MID_TB, MID_RC, MID_APPLE, MID_RC };

	switch (g->mailer < ARRAY_LEN(style_of) ? style_of[g->mailer] : MID_RC) {
	case MID_OUTLOOK:
		snprintf(mi->msgid, sizeof(mi->msgid),
			 "PR1P264MB%04u%06lX%010llX@PR1P264MB%04u.FRAP264.PROD.OUTLOOK.COM",
			 (unsigned)(a % 10000), id, (unsigned long long)(c & 0xFFFFFFFFFFULL),
			 (unsigned)(a % 10000));
		break;
	case MID_TB:
		snprintf(mi->msgid, sizeof(mi->msgid), "%08llx-%04llx-%04lx-%04llx-%012llx@%s",
			 (unsigned long long)(a >> 32), (unsigned long long)(a & 0xFFFF),
			 id & 0xFFFF, (unsigned long long)(c >> 48),
			 (unsigned long long)(c & 0xFFFFFFFFFFFFULL), domain);
		break;
	case MID_RC:
		snprintf(mi->msgid, sizeof(mi->msgid), "%016llx%06lx@%s",
			 (unsigned long long)a, id, domain);
		break;
	default:
		snprintf(mi->msgid, sizeof(mi->msgid), "%08llX-%04lX-%04llX-%012llX@%s",
			 (unsigned long long)(a >> 32), id & 0xFFFF,
			 (unsigned long long)(c >> 48),
			 (unsigned long long)(c & 0xFFFFFFFFFFFFULL), domain);
		break;
	}
	buf_printf(b, "Message-ID: <%s>\n", mi->msgid);
}

static void
put_date_hdr(struct buf *b, struct minfo *mi, int64_t t, int offset, enum date_style st)
{
	mi->date = t;
	mi->has_date = true;
	buf_puts(b, "Date: ");
	put_rfc5322_date(b, t, offset, st);
	buf_putc(b, '\n');
}

/*
 * Transport headers of an incoming message, newest first: two Received,
 * SPF/DKIM results, a DKIM signature of the sender's domain, spam scores.
 */
static void
put_received(struct gen *g, struct buf *b, const char *rcpt, const char *sender, int64_t t)
{
	struct rng *r = &g->rng;
	int off = paris_offset(t);
	const char *at = strrchr(sender, '@');
	const char *dom = at && is_ascii(at + 1, strlen(at + 1)) ? at + 1 : "example.net";
	unsigned ip = rng_range(r, 2, 250);
	unsigned char sig[256];
	int score = -(int)rng_range(r, 1, 29);

	buf_printf(b, "Received: from mx1." CITY_DOMAIN " (mx1." CITY_DOMAIN " [192.0.2.25])\n"
		      "\tby mail." CITY_DOMAIN " (Postfix) with ESMTPS id 4S%07llX\n"
		      "\tfor <%s>; ",
		   (unsigned long long)(rng_next(r) & 0xFFFFFFFULL), rcpt);
	put_rfc5322_date(b, t, off, DATE_ZONE);
	buf_printf(b, "\nReceived: from smtp.%s (smtp.%s [198.51.100.%u])\n"
		      "\tby mx1." CITY_DOMAIN " (Postfix) with ESMTPS id 4S%07llX\n"
		      "\tfor <%s>; ",
		   dom, dom, ip, (unsigned long long)(rng_next(r) & 0xFFFFFFFULL), rcpt);
	put_rfc5322_date(b, t - rng_range(r, 1, 4), off, DATE_STD);
	buf_printf(b, "\nX-Virus-Scanned: amavisd-new at " CITY_DOMAIN "\n"
		      "X-Spam-Flag: NO\nX-Spam-Score: %d.%u\n"
		      "X-Spam-Status: No, score=%d.%u required=5.0 tests=BAYES_00,DKIM_SIGNED,\n"
		      "\tDKIM_VALID,DKIM_VALID_AU,SPF_HELO_NONE,SPF_PASS autolearn=ham\n"
		      "\tautolearn_force=no version=3.4.6\n"
		      "Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=198.51.100.%u;\n"
		      "\thelo=smtp.%s; envelope-from=<%s>; receiver=<UNKNOWN>\n"
		      "Authentication-Results: mx1." CITY_DOMAIN ";\n"
		      "\tdkim=pass (2048-bit key; unprotected) header.d=%s header.i=@%s\n"
		      "\theader.a=rsa-sha256 header.s=s2048 header.b=\"%.8s\";\n"
		      "\tdkim-atps=neutral\n",
		   score / 10, (unsigned)(-score % 10), score / 10, (unsigned)(-score % 10), ip, dom,
		   is_ascii(sender, strlen(sender)) ? sender : "MAILER-DAEMON", dom, dom,
		   b64_alpha + rng_below(r, 50));
	for (size_t i = 0; i < sizeof(sig); i += 8) {
		uint64_t v = rng_next(r);

		for (size_t k = 0; k < 8; k++)
			sig[i + k] = (unsigned char)(v >> (8 * k));
	}
	buf_printf(b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n"
		      "\ts=s2048; t=%lld; bh=", dom, (long long)(t - 5));
	put_base64(b, sig, 32, 0);
	buf_puts(b, ";\n\th=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type;\n\tb=");
	{
		size_t start = b->n;

		put_base64(b, sig, sizeof(sig), 0);
		/* fold the signature in 72-column slices */
		if (!b->oom) {
			struct buf tmp = { 0 };
			size_t len = b->n - start;

			buf_put(&tmp, b->p + start, len);
			b->n = start;
			for (size_t i = 0; i < tmp.n; i += 72) {
				if (i)
					buf_puts(b, "\n\t ");
				buf_put(b, tmp.p + i, tmp.n - i < 72 ? tmp.n - i : 72);
			}
			if (tmp.oom)
				b->oom = true;
			buf_free(&tmp);
		}
	}
	buf_putc(b, '\n');
}

static void
set_env_from(struct minfo *mi, const struct person *p)
{
	if (is_ascii(p->addr, strlen(p->addr)))
		snprintf(mi->env_from, sizeof(mi->env_from), "%s", p->addr);
	else
		snprintf(mi->env_from, sizeof(mi->env_from), "MAILER-DAEMON");
}

/* ------------------------------------------------------------------ */
/* MIME parts */

enum cte { CTE_7BIT, CTE_8BIT, CTE_QP, CTE_B64 };
static const char *const cte_name[] = { "7bit", "8bit", "quoted-printable", "base64" };

enum fn_style {
	FN_PLAIN,     /* name="x" and filename="x" */
	FN_2231,      /* name="=?UTF-8?Q?..?=" and filename*=UTF-8''... (Thunderbird) */
	FN_2231_CONT, /* filename*0*=UTF-8''...; filename*1*=... (RFC 2231 continuations) */
	FN_2047,      /* name="=?utf-8?B?..?=" in both (Outlook) */
	FN_NAME_ONLY, /* only Content-Type name= */
};

struct leaf {
	const char *type;    /* "application/pdf" */
	const char *charset; /* text types */
	const char *filename;
	enum fn_style fn;
	const char *disp;    /* "attachment", "inline" or NULL */
	const char *cid;     /* Content-ID without <> */
	const char *desc;
	enum cte cte;
	const void *data;
	size_t len;
	bool truncate;       /* hostile: cut the base64 payload short */
};

/* Does the leakaudit rule count this leaf as an attachment? */
static bool
leaf_is_attachment(const struct leaf *lf)
{
	return lf->filename || (lf->disp && strcmp(lf->disp, "attachment") == 0) ||
	       strncmp(lf->type, "text/", 5) != 0;
}

static void
put_fname_param(struct buf *b, const char *param, const char *name, enum fn_style fn)
{
	bool ascii = is_ascii(name, strlen(name));

	if (fn == FN_2047 && !ascii) {
		buf_printf(b, ";\n\t%s=\"", param);
		put_ew(b, name, CS_UTF8, EW_B);
		buf_putc(b, '"');
	} else if ((fn == FN_2231 || fn == FN_2231_CONT) && !ascii && strcmp(param, "name") == 0) {
		buf_printf(b, ";\n\t%s=\"", param);
		put_ew(b, name, CS_UTF8, EW_Q);
		buf_putc(b, '"');
	} else if (fn == FN_2231 && !ascii) {
		buf_printf(b, ";\n\t%s*=UTF-8''", param);
		put_pct(b, name);
	} else if (fn == FN_2231_CONT) {
		struct buf enc = { 0 };
		size_t i = 0;
		unsigned k = 0;

		put_pct(&enc, name);
		while (i < enc.n) {
			size_t cut = enc.n - i > 40 ? 40 : enc.n - i;

			while (i + cut < enc.n && cut > 2 &&
			       (enc.p[i + cut - 1] == '%' || enc.p[i + cut - 2] == '%'))
				cut--; /* never split a %XX */
			buf_printf(b, ";\n\t%s*%u*=%s", param, k, k == 0 ? "UTF-8''" : "");
			buf_put(b, enc.p + i, cut);
			i += cut;
			k++;
		}
		if (enc.oom)
			b->oom = true;
		buf_free(&enc);
	} else {
		buf_printf(b, ";\n\t%s=", param);
		put_quoted(b, name);
	}
}

static void
put_leaf(struct buf *b, struct minfo *mi, const struct leaf *lf)
{
	buf_printf(b, "Content-Type: %s", lf->type);
	if (lf->charset)
		buf_printf(b, "; charset=\"%s\"", lf->charset);
	if (lf->filename)
		put_fname_param(b, "name", lf->filename, lf->fn);
	buf_printf(b, "\nContent-Transfer-Encoding: %s\n", cte_name[lf->cte]);
	if (lf->disp && lf->fn != FN_NAME_ONLY) {
		buf_printf(b, "Content-Disposition: %s", lf->disp);
		if (lf->filename)
			put_fname_param(b, "filename", lf->filename, lf->fn);
		buf_putc(b, '\n');
	}
	if (lf->cid)
		buf_printf(b, "Content-ID: <%s>\n", lf->cid);
	if (lf->desc)
		buf_printf(b, "Content-Description: %s\n", lf->desc);
	buf_putc(b, '\n');
	switch (lf->cte) {
	case CTE_B64:
		if (lf->truncate) {
			size_t start = b->n, keep;

			put_base64(b, lf->data, lf->len, 76);
			keep = start + (b->n - start) / 3 + 1; /* cut mid-quantum */
			b->n = keep;
			b->p[b->n] = '\0';
			buf_putc(b, '\n');
		} else {
			put_base64(b, lf->data, lf->len, 76);
		}
		break;
	case CTE_QP:
		put_qp(b, lf->data, lf->len);
		break;
	default:
		buf_put(b, lf->data, lf->len);
		buf_endline(b);
		break;
	}
	if (leaf_is_attachment(lf))
		mi->atts++;
}

/* A text part from UTF-8; converted to cs, or UTF-8 when cs cannot hold it. */
static void
put_text_part(struct gen *g, struct buf *b, struct minfo *mi, const char *type, enum cs cs,
	      enum cte cte, const char *text, size_t n)
{
	struct leaf lf = { .type = type, .cte = cte };

	buf_reset(&g->t3);
	if (!utf8_to_cs(&g->t3, text, n, cs)) {
		cs = CS_UTF8;
		buf_put(&g->t3, text, n);
	}
	if (is_ascii(g->t3.p, g->t3.n)) {
		if (cte == CTE_8BIT)
			lf.cte = CTE_7BIT;
	} else if (cs == CS_ASCII) {
		cs = CS_UTF8;
		lf.cte = CTE_QP;
	} else if (cte == CTE_7BIT) {
		lf.cte = CTE_QP;
	}
	lf.charset = cs_name[cs];
	lf.data = g->t3.p;
	lf.len = g->t3.n;
	put_leaf(b, mi, &lf);
}

/* Start a multipart: Content-Type header, blank line, optional preamble. */
static void
mp_begin(struct gen *g, struct buf *b, const char *subtype, const char *params, char *bnd,
	 size_t cap)
{
	struct rng *r = &g->rng;
	unsigned long k = ++g->bnd;
	uint64_t x = rng_next(r), y = rng_next(r);

	switch (g->mailer) {
	case 0:
		snprintf(bnd, cap, "_%03lu_PR1P264MB%04u%08llX_", k % 1000, (unsigned)(x % 10000),
			 (unsigned long long)(y & 0xFFFFFFFFULL));
		break;
	case 1:
		snprintf(bnd, cap, "------------%010llu%06lu",
			 (unsigned long long)(x % 10000000000ULL), k % 1000000);
		break;
	case 3:
		snprintf(bnd, cap, "Apple-Mail=_%08llX-%04lX-4C1B-9E5D-%012llX",
			 (unsigned long long)(x & 0xFFFFFFFFULL), k & 0xFFFF,
			 (unsigned long long)(y & 0xFFFFFFFFFFFFULL));
		break;
	default:
		snprintf(bnd, cap, "=_%lx_%016llx", k, (unsigned long long)(x ^ y));
		break;
	}
	buf_printf(b, "Content-Type: multipart/%s;%s\n\tboundary=\"%s\"\n\n", subtype,
		   params ? params : "", bnd);
	if (rng_chance(r, 50))
		buf_puts(b, "This is a multi-part message in MIME format.\n\n");
}

static void
mp_next(struct buf *b, const char *bnd)
{
	buf_endline(b);
	buf_printf(b, "--%s\n", bnd);
}

static void
mp_end(struct buf *b, const char *bnd)
{
	buf_endline(b);
	buf_printf(b, "--%s--\n", bnd);
}

/* Headers of a message/rfc822 part; the caller writes the message next. */
static void
rfc822_begin(struct buf *b, const char *fname)
{
	buf_puts(b, "Content-Type: message/rfc822");
	if (fname)
		buf_printf(b, ";\n\tname=\"%s\"", fname);
	buf_puts(b, "\nContent-Disposition: ");
	if (fname)
		buf_printf(b, "attachment;\n\tfilename=\"%s\"\n\n", fname);
	else
		buf_puts(b, "inline\n\n");
}

/* ------------------------------------------------------------------ */
/* Attachment payloads (into out) */

static void
zip_entry(struct gen *g, struct buf *z, struct buf *cd, const char *name, const void *data,
	  size_t len, unsigned *count)
{
	uint32_t crc = crc32_fast(g, 0, data, len);
	size_t off = z->n, nlen = strlen(name);
	const uint32_t dtime = (10u << 11) | (30u << 5), ddate = ((2023u - 1980u) << 9) |
								  (11u << 5) | 13u;

	put_le32(z, 0x04034b50);
	put_le16(z, 20);
	put_le16(z, 0);
	put_le16(z, 0); /* stored */
	put_le16(z, dtime);
	put_le16(z, ddate);
	put_le32(z, crc);
	put_le32(z, (uint32_t)len);
	put_le32(z, (uint32_t)len);
	put_le16(z, (uint32_t)nlen);
	put_le16(z, 0);
	buf_put(z, name, nlen);
	buf_put(z, data, len);
	put_le32(cd, 0x02014b50);
	put_le16(cd, 20);
	put_le16(cd, 20);
	put_le16(cd, 0);
	put_le16(cd, 0);
	put_le16(cd, dtime);
	put_le16(cd, ddate);
	put_le32(cd, crc);
	put_le32(cd, (uint32_t)len);
	put_le32(cd, (uint32_t)len);
	put_le16(cd, (uint32_t)nlen);
	put_le16(cd, 0);
	put_le16(cd, 0);
	put_le16(cd, 0);
	put_le16(cd, 0);
	put_le32(cd, 0);
	put_le32(cd, (uint32_t)off);
	buf_put(cd, name, nlen);
	(*count)++;
}

/*
 * An Office Open XML file (stored zip, valid CRCs): a few paragraphs of
 * text built from tc, and a media file of random bytes to reach size.
 */
static void
make_ooxml(struct gen *g, struct buf *out, const struct tctx *tc, bool xlsx, size_t size)
{
	struct buf cd = { 0 }, xml = { 0 }, media = { 0 };
	unsigned count = 0;
	size_t cd_off;
	static const char ct_docx[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"
		"<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
		"</Types>";
	static const char ct_xlsx[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>"
		"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
		"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
		"</Types>";
	static const char rels_docx[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
		"</Relationships>";
	static const char rels_xlsx[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
		"</Relationships>";
	static const char workbook[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
		"<sheets><sheet name=\"Feuil1\" sheetId=\"1\"/></sheets></workbook>";

	zip_entry(g, out, &cd, "[Content_Types].xml", xlsx ? ct_xlsx : ct_docx,
		  strlen(xlsx ? ct_xlsx : ct_docx), &count);
	zip_entry(g, out, &cd, "_rels/.rels", xlsx ? rels_xlsx : rels_docx,
		  strlen(xlsx ? rels_xlsx : rels_docx), &count);
	buf_puts(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
	if (xlsx) {
		zip_entry(g, out, &cd, "xl/workbook.xml", workbook, strlen(workbook), &count);
		buf_puts(&xml, "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
		for (unsigned i = 0; i < 12; i++) {
			const struct resident *res = &g->res[(i * 7 + tc->ref[1]) % g->n_res];

			buf_printf(&xml, "<row r=\"%u\"><c t=\"inlineStr\"><is><t>", i + 1);
			html_escape(&xml, res->name, strlen(res->name));
			buf_puts(&xml, "</t></is></c><c t=\"inlineStr\"><is><t>");
			html_escape(&xml, res->postal, strlen(res->postal));
			buf_printf(&xml, "</t></is></c><c t=\"inlineStr\"><is><t>%s</t></is></c></row>",
				   res->phone);
		}
		buf_puts(&xml, "</sheetData></worksheet>");
		zip_entry(g, out, &cd, "xl/worksheets/sheet1.xml", xml.p, xml.n, &count);
	} else {
		buf_puts(&xml, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
		for (unsigned i = 0; i < 5; i++) {
			buf_reset(&g->t1);
			expand(g, &g->t1, tc, tc->topic->para[i % tc->topic->n_para]);
			buf_puts(&xml, "<w:p><w:r><w:t xml:space=\"preserve\">");
			html_escape(&xml, g->t1.p, g->t1.n);
			buf_puts(&xml, "</w:t></w:r></w:p>");
		}
		buf_puts(&xml, "</w:body></w:document>");
		zip_entry(g, out, &cd, "word/document.xml", xml.p, xml.n, &count);
	}
	if (size > out->n + cd.n + 600) {
		static const unsigned char soi[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F',
						     'I', 'F', 0, 1, 1, 0, 0, 72, 0, 72, 0, 0 };

		buf_put(&media, soi, sizeof(soi));
		put_random(&media, &g->rng, size - out->n - cd.n - 600);
		buf_put(&media, "\xFF\xD9", 2);
		zip_entry(g, out, &cd, xlsx ? "xl/media/image1.jpeg" : "word/media/image1.jpeg",
			  media.p, media.n, &count);
	}
	cd_off = out->n;
	buf_put(out, cd.p, cd.n);
	put_le32(out, 0x06054b50);
	put_le16(out, 0);
	put_le16(out, 0);
	put_le16(out, count);
	put_le16(out, count);
	put_le32(out, (uint32_t)cd.n);
	put_le32(out, (uint32_t)cd_off);
	put_le16(out, 0);
	if (cd.oom || xml.oom || media.oom)
		out->oom = true;
	buf_free(&cd);
	buf_free(&xml);
	buf_free(&media);
}

static void
png_chunk(struct gen *g, struct buf *out, const char *type, const void *data, size_t len)
{
	uint32_t crc = crc32_fast(g, 0, type, 4);

	crc = crc32_fast(g, crc, data, len);
	put_be32(out, (uint32_t)len);
	buf_put(out, type, 4);
	buf_put(out, data, len);
	put_be32(out, crc);
}

/* A valid RGB PNG (zlib stored blocks), w x h pixels of gradient and noise. */
static void
make_png(struct gen *g, struct buf *out, unsigned w, unsigned h)
{
	static const unsigned char sig[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	unsigned char ihdr[13] = { 0 };
	struct buf raw = { 0 }, z = { 0 };
	uint32_t s1 = 1, s2 = 0;
	size_t i = 0;

	if (!buf_grow(&raw, (size_t)h * (1 + 3 * (size_t)w))) {
		out->oom = true;
		return;
	}
	for (unsigned y = 0; y < h; y++) {
		unsigned char *d = (unsigned char *)raw.p + raw.n;
		uint64_t noise = 0;

		*d++ = 0; /* filter: none */
		for (unsigned x = 0; x < w; x++) {
			unsigned n;

			if (x % 12 == 0)
				noise = rng_next(&g->rng);
			n = (unsigned)(noise & 31);
			noise >>= 5;
			*d++ = (unsigned char)((x * 255 / (w ? w : 1) + n) & 0xFF);
			*d++ = (unsigned char)((y * 255 / (h ? h : 1) + n) & 0xFF);
			*d++ = (unsigned char)(0x80 + n);
		}
		raw.n += 1 + 3 * (size_t)w;
	}
	buf_put(&z, "\x78\x01", 2);
	do {
		size_t len = raw.n - i > 65535 ? 65535 : raw.n - i;
		unsigned char hdr[5] = { (unsigned char)(i + len == raw.n),
					 (unsigned char)len, (unsigned char)(len >> 8),
					 (unsigned char)~len, (unsigned char)(~len >> 8) };

		buf_put(&z, hdr, 5);
		buf_put(&z, raw.p + i, len);
		i += len;
	} while (i < raw.n);
	for (i = 0; i < raw.n; i++) {
		s1 = (s1 + (unsigned char)raw.p[i]) % 65521;
		s2 = (s2 + s1) % 65521;
	}
	put_be32(&z, (s2 << 16) | s1);
	ihdr[0] = (unsigned char)(w >> 24);
	ihdr[1] = (unsigned char)(w >> 16);
	ihdr[2] = (unsigned char)(w >> 8);
	ihdr[3] = (unsigned char)w;
	ihdr[4] = (unsigned char)(h >> 24);
	ihdr[5] = (unsigned char)(h >> 16);
	ihdr[6] = (unsigned char)(h >> 8);
	ihdr[7] = (unsigned char)h;
	ihdr[8] = 8; /* bit depth */
	ihdr[9] = 2; /* truecolour */
	buf_put(out, sig, sizeof(sig));
	png_chunk(g, out, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(g, out, "IDAT", z.p, z.n);
	png_chunk(g, out, "IEND", "", 0);
	if (raw.oom || z.oom)
		out->oom = true;
	buf_free(&raw);
	buf_free(&z);
}

/* A PDF-looking file: readable text objects from tc, then a binary stream up to size. */
static void
make_pdf(struct gen *g, struct buf *out, const struct tctx *tc, size_t size)
{
	struct buf text = { 0 }, conv = { 0 };
	size_t pad;

	buf_puts(out, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"
		      "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
		      "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
		      "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
		      "/Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
	buf_puts(&text, "BT /F1 11 Tf 56 780 Td 14 TL\n");
	for (unsigned i = 0; i < 3; i++) {
		buf_reset(&g->t1);
		expand(g, &g->t1, tc, tc->topic->para[(i * 3 + 1) % tc->topic->n_para]);
		buf_reset(&conv);
		if (!utf8_to_cs(&conv, g->t1.p, g->t1.n, CS_CP1252))
			buf_put(&conv, g->t1.p, g->t1.n);
		buf_putc(&text, '(');
		for (size_t k = 0; k < conv.n; k++) {
			if (conv.p[k] == '(' || conv.p[k] == ')' || conv.p[k] == '\\')
				buf_putc(&text, '\\');
			buf_putc(&text, conv.p[k]);
		}
		buf_puts(&text, ") '\n");
	}
	buf_puts(&text, "ET\n");
	buf_printf(out, "4 0 obj\n<< /Length %zu >>\nstream\n", text.n);
	buf_put(out, text.p, text.n);
	buf_puts(out, "endstream\nendobj\n"
		      "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
		      "/Encoding /WinAnsiEncoding >>\nendobj\n");
	pad = size > out->n + 200 ? size - out->n - 200 : 64;
	buf_printf(out, "6 0 obj\n<< /Length %zu /Filter /FlateDecode >>\nstream\n", pad);
	put_random(out, &g->rng, pad);
	buf_puts(out, "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 7 >>\n%%EOF\n");
	if (text.oom || conv.oom)
		out->oom = true;
	buf_free(&text);
	buf_free(&conv);
}

static void
make_jpeg(struct gen *g, struct buf *out, size_t size)
{
	static const unsigned char head[] = {
		0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00,
		0x00, 0x48, 0x00, 0x48, 0x00, 0x00, 0xFF, 0xE1, 0x00, 0x1A, 'E', 'x', 'i', 'f',
		0x00, 0x00, 'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x01, 0x0F,
		0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00,
	};

	buf_put(out, head, sizeof(head));
	put_random(out, &g->rng, size > sizeof(head) + 2 ? size - sizeof(head) - 2 : 16);
	buf_put(out, "\xFF\xD9", 2);
}

/* CSV of residents (";"-separated, French headers), UTF-8. */
static void
make_csv(struct gen *g, struct buf *out, unsigned rows, unsigned first)
{
	buf_puts(out, "Nom;Prénom;Adresse;Téléphone;Courriel;Date de naissance;IBAN\n");
	for (unsigned i = 0; i < rows; i++) {
		const struct resident *res = &g->res[(first + i * 13) % g->n_res];
		const char *sp = strchr(res->name, ' ');

		buf_printf(out, "%s;%.*s;\"%s\";%s;%s;%s;%s\n", sp ? sp + 1 : res->name,
			   (int)(sp ? (size_t)(sp - res->name) : 0), res->name, res->postal,
			   res->phone, res->addr, res->dob, res->iban);
	}
}

static void
make_vcard(struct buf *out, const struct person *p, const char *postal)
{
	const char *sp = p->name ? strrchr(p->name, ' ') : NULL;

	buf_puts(out, "BEGIN:VCARD\r\nVERSION:3.0\r\n");
	if (sp)
		buf_printf(out, "N:%s;%.*s;;;\r\n", sp + 1, (int)(sp - p->name), p->name);
	buf_printf(out, "FN:%s\r\n", p->name ? p->name : p->addr);
	if (p->org)
		buf_printf(out, "ORG:%s\r\n", p->org);
	if (p->title)
		buf_printf(out, "TITLE:%s\r\n", p->title);
	buf_printf(out, "EMAIL;TYPE=INTERNET,WORK:%s\r\n", p->addr);
	if (p->phone)
		buf_printf(out, "TEL;TYPE=WORK,VOICE:%s\r\n", p->phone);
	if (postal)
		buf_printf(out, "ADR;TYPE=WORK:;;%s;;;;\r\n", postal);
	buf_puts(out, "END:VCARD\r\n");
}

/* An attachment of the given kind; fills lf (data points into g->t4). */
static void
make_attachment(struct gen *g, struct leaf *lf, const struct tctx *tc, enum att_kind kind,
		size_t size)
{
	struct buf *out = &g->t4;

	buf_reset(out);
	lf->cte = CTE_B64;
	lf->charset = NULL;
	switch (kind) {
	case AK_PDF:
		make_pdf(g, out, tc, size);
		lf->type = "application/pdf";
		break;
	case AK_PNG: {
		unsigned side = 8;

		while ((side + 4) * (side + 4) * 3 < size)
			side += 4;
		make_png(g, out, side, side);
		lf->type = "image/png";
		break;
	}
	case AK_JPEG:
		make_jpeg(g, out, size);
		lf->type = "image/jpeg";
		break;
	case AK_DOCX:
		make_ooxml(g, out, tc, false, size);
		lf->type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
		break;
	case AK_XLSX:
		make_ooxml(g, out, tc, true, size);
		lf->type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		break;
	case AK_CSV:
		make_csv(g, out, (unsigned)(size / 120) + 1, rng_below(&g->rng, 1000));
		lf->type = "text/csv";
		lf->charset = "utf-8";
		break;
	case AK_TXT:
		for (unsigned i = 0; out->n < size; i++)
			buf_printf(out, "2023-11-%02u 10:%02u:%02u ERROR civil.registry: record %s: "
				   "birth place not found (code %u)\n",
				   i % 28 + 1, i % 60, (i * 7) % 60, tc->ref, 4000 + i % 97);
		lf->type = "text/plain";
		lf->charset = "us-ascii";
		lf->cte = CTE_QP;
		break;
	case AK_VCF:
		make_vcard(out, &tc->res->p, tc->res->postal);
		lf->type = "text/vcard";
		lf->charset = "utf-8";
		lf->cte = CTE_QP;
		break;
	}
	lf->data = out->p;
	lf->len = out->n;
}

/* ------------------------------------------------------------------ */
/* Ordinary mail */

enum shape {
	SH_PLAIN,    /* text/plain */
	SH_ALT,      /* multipart/alternative text + HTML */
	SH_HTML,     /* text/html only */
	SH_MIXED,    /* multipart/mixed: body + one 5-60 KB base64 attachment */
	SH_RELATED,  /* Outlook: alternative with an HTML part using an inline logo */
	SH_FWD,      /* forward as message/rfc822 */
	SH_SMALLATT, /* multipart/mixed: body + a small text attachment (vCard, log, CSV) */
	N_SHAPE
};

struct gspec {
	const struct person *owner; /* whose mailbox it is; NULL: Marie */
	bool outgoing;              /* the owner wrote it */
	int topic;                  /* -1: pick */
	int shape;                  /* -1: pick */
	const struct person *from;  /* overrides */
	const struct person *to[3];
	size_t n_to;
	bool received;              /* transport headers of an incoming message */
	bool delivered_to;
};

static int
pick_topic(struct rng *r, const struct person *owner)
{
	if (owner->lang == LANG_EN ? rng_chance(r, 55) : rng_chance(r, 7))
		return (int)rng_range(r, T_TWIN, T_GRANT);
	return (int)rng_range(r, T_EC, T_INFO);
}

static const struct person *
pick_counterpart(struct gen *g, int topic, const struct person *owner)
{
	struct rng *r = &g->rng;
	const struct topic *t = &topics[topic];
	const struct person *cand[6];
	size_t n = 0;

	if (rng_chance(r, t->res_pct))
		return &g->res[rng_below(r, (uint32_t)g->n_res)].p;
	for (size_t i = 0; i < 3; i++)
		if (t->staff[i] != NONE && &staff[t->staff[i]] != owner)
			cand[n++] = &staff[t->staff[i]];
	for (size_t i = 0; i < 2; i++)
		if (t->partner[i] != NONE)
			cand[n++] = &partners[t->partner[i]];
	if (n == 0)
		return &staff[owner == &staff[S_MARIE] ? S_SOPHIE : S_MARIE];
	return cand[rng_below(r, (uint32_t)n)];
}

static int
tz_of(const struct person *p, int64_t t)
{
	if (p == &partners[Q_EMMA] || p == &partners[Q_JAMES] || p == &partners[Q_VENDOR])
		return paris_offset(t) - 60;
	return paris_offset(t);
}

static const char *
domain_of(const struct person *p)
{
	const char *at = strrchr(p->addr, '@');

	return at && is_ascii(at + 1, strlen(at + 1)) ? at + 1 : CITY_DOMAIN;
}

static enum subj_style
pick_subj_style(struct rng *r)
{
	static const unsigned char st[] = { SUBJ_B_UTF8, SUBJ_B_UTF8, SUBJ_B_UTF8, SUBJ_Q_UTF8,
					    SUBJ_Q_UTF8, SUBJ_Q_UTF8, SUBJ_Q_LATIN1, SUBJ_Q_LATIN1,
					    SUBJ_B_LATIN1, SUBJ_Q_LATIN9, SUBJ_CP1252, SUBJ_RAW };

	return (enum subj_style)PICK(r, st);
}

/* The header block above the body of an ordinary message (no MIME-Version yet). */
static void
put_generic_headers(struct gen *g, struct buf *b, struct minfo *mi, const struct gspec *gs,
		    const struct person *from, const struct person *const *to, size_t n_to,
		    const struct person *const *cc, size_t n_cc, const char *prefix,
		    const char *subject, int64_t date, bool reply)
{
	struct rng *r = &g->rng;
	unsigned mailer = rng_below(r, (uint32_t)ARRAY_LEN(mailers));

	g->mailer = mailer;
	set_env_from(mi, from);
	if (gs->received) {
		buf_printf(b, "Return-Path: <%s>\n", mi->env_from);
		if (gs->delivered_to && gs->owner)
			buf_printf(b, "Delivered-To: %s\n", gs->owner->addr);
		put_received(g, b, to[0]->addr, from->addr, mi->delivered);
	}
	put_date_hdr(b, mi, date, tz_of(from, date),
		     (enum date_style)rng_below(r, 10) < 6 ? DATE_STD :
							     (enum date_style)rng_below(r, 4));
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_addr_hdr(g, b, mi, "To", to, n_to);
	put_addr_hdr(g, b, mi, "Cc", cc, n_cc);
	put_subject(b, mi, prefix, subject, pick_subj_style(r));
	put_msgid_hdr(g, b, mi, domain_of(from));
	if (reply) {
		char ref[96];

		snprintf(ref, sizeof(ref), "%016llx.%lu@%s",
			 (unsigned long long)rng_next(r), g->seq, domain_of(to[0]));
		buf_printf(b, "In-Reply-To: <%s>\nReferences: <%s>\n", ref, ref);
	}
	if (mailer == 0) {
		buf_puts(b, "Thread-Topic: ");
		if (is_ascii(subject, strlen(subject)))
			buf_puts(b, subject);
		else
			put_ew(b, subject, CS_UTF8, EW_Q);
		buf_printf(b, "\nThread-Index: AdoW%08llXQ==\n",
			   (unsigned long long)(rng_next(r) & 0xFFFFFFFFULL));
		buf_puts(b, from->lang == LANG_FR ? "Content-Language: fr-FR\n" :
						    "Content-Language: en-GB\n");
		buf_printf(b, "X-Mailer: %s\n", mailers[mailer]);
	} else {
		buf_printf(b, "User-Agent: %s\n", mailers[mailer]);
	}
	if (rng_chance(r, 10))
		buf_puts(b, "X-Priority: 1 (Highest)\nImportance: high\n");
	buf_puts(b, "MIME-Version: 1.0\n");
}

/* Pick charset and transfer encoding of a text body. */
static void
pick_text_cs(struct rng *r, int lang, enum cs *cs, enum cte *cte)
{
	unsigned k = rng_below(r, 100);

	if (lang == LANG_EN) {
		*cs = k < 60 ? CS_ASCII : CS_UTF8;
		*cte = k < 60 ? CTE_7BIT : CTE_QP;
		return;
	}
	if (k < 35) {
		*cs = CS_UTF8;
		*cte = CTE_QP;
	} else if (k < 55) {
		*cs = CS_UTF8;
		*cte = CTE_8BIT;
	} else if (k < 70) {
		*cs = CS_LATIN1;
		*cte = CTE_QP;
	} else if (k < 80) {
		*cs = CS_LATIN9;
		*cte = CTE_8BIT;
	} else if (k < 95) {
		*cs = CS_CP1252;
		*cte = CTE_QP;
	} else {
		*cs = CS_UTF8;
		*cte = CTE_B64;
	}
}

static void
put_body_text(struct gen *g, struct buf *b, struct minfo *mi, int lang, const struct buf *text)
{
	enum cs cs;
	enum cte cte;

	pick_text_cs(&g->rng, lang, &cs, &cte);
	put_text_part(g, b, mi, "text/plain", cs, cte, text->p, text->n);
}

static void
put_body_html(struct gen *g, struct buf *b, struct minfo *mi, const struct buf *html)
{
	put_text_part(g, b, mi, "text/html", CS_UTF8, rng_chance(&g->rng, 90) ? CTE_QP : CTE_B64,
		      html->p, html->n);
}

static void
put_alternative(struct gen *g, struct buf *b, struct minfo *mi, int lang, const struct buf *text,
		const struct buf *html)
{
	char bnd[96];

	mp_begin(g, b, "alternative", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_body_text(g, b, mi, lang, text);
	mp_next(b, bnd);
	put_body_html(g, b, mi, html);
	mp_end(b, bnd);
}

/* A 5-60 KB attachment from the topic's usual files. */
static void
put_topic_attachment(struct gen *g, struct buf *b, struct minfo *mi, const struct tctx *tc)
{
	struct rng *r = &g->rng;
	const struct attname *an = &tc->topic->att[rng_below(r, (uint32_t)tc->topic->n_att)];
	static const uint32_t kb[] = { 5, 7, 10, 14, 20, 28, 40, 60 }; /* about log-uniform */
	unsigned bucket = rng_below(r, (uint32_t)ARRAY_LEN(kb) - 1);
	size_t size = rng_range(r, kb[bucket] * 1024, kb[bucket + 1] * 1024);
	struct leaf lf = { 0 };
	static const unsigned char fns[] = { FN_2231, FN_2231, FN_2047, FN_2047, FN_PLAIN };

	make_attachment(g, &lf, tc, (enum att_kind)an->kind, size);
	lf.filename = an->name;
	lf.fn = (enum fn_style)PICK(r, fns);
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
}

static void gen_message(struct gen *g, struct buf *b, struct minfo *mi, const struct gspec *gs,
			unsigned depth);

/* Body of a forward: a short note and the original as message/rfc822. */
static void
put_forward(struct gen *g, struct buf *b, struct minfo *mi, const struct tctx *tc,
	    unsigned depth)
{
	struct minfo inner;
	struct gspec igs = { 0 };
	struct buf note = { 0 };
	char bnd[96];

	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	wrap_str(&note, tc->lang == LANG_FR ? "Pour information, voir le message ci-dessous." :
					       "FYI, see the message below.");
	put_signature(tc->from, &note, NULL);
	put_body_text(g, b, mi, tc->lang, &note);
	mp_next(b, bnd);
	rfc822_begin(b, rng_chance(&g->rng, 50) ? "message.eml" : NULL);
	mi_init(&inner);
	inner.delivered = tc->when - (int64_t)rng_range(&g->rng, 3600, 20 * 86400);
	igs.owner = tc->from;
	igs.topic = (int)(tc->topic - topics);
	igs.shape = rng_chance(&g->rng, 70) ? SH_PLAIN : SH_ALT;
	igs.received = rng_chance(&g->rng, 50);
	gen_message(g, b, &inner, &igs, depth + 1);
	mi_merge_embedded(g, mi, &inner);
	mp_end(b, bnd);
	if (note.oom)
		b->oom = true;
	buf_free(&note);
}

/* Outlook-style HTML with an inline logo referenced by cid:. */
static void
put_related(struct gen *g, struct buf *b, struct minfo *mi, int lang, const struct buf *text,
	    struct buf *html)
{
	char bnd[96], cid[96];
	struct leaf lf = { 0 };
	const char *tail;

	snprintf(cid, sizeof(cid), "image001.png@01DA%04X.%08llX", (unsigned)(g->seq & 0xFFFF),
		 (unsigned long long)(rng_next(&g->rng) & 0xFFFFFFFFULL));
	/* the logo goes before the closing tags of the HTML */
	tail = strstr(html->p, html_tail);
	if (tail) {
		html->n = (size_t)(tail - html->p);
		buf_printf(html, "<p><img width=\"120\" height=\"40\" src=\"cid:%s\" "
				 "alt=\"Logo Mairie\"></p>\n%s", cid, html_tail);
	}
	mp_begin(g, b, "related", " type=\"multipart/alternative\";", bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_alternative(g, b, mi, lang, text, html);
	mp_next(b, bnd);
	buf_reset(&g->t4);
	make_png(g, &g->t4, 24, 12);
	lf.type = "image/png";
	lf.filename = "image001.png";
	lf.fn = FN_PLAIN;
	lf.disp = "inline";
	lf.cid = cid;
	lf.cte = CTE_B64;
	lf.data = g->t4.p;
	lf.len = g->t4.n;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
}

/*
 * An ordinary message between the city, its partners and residents, built
 * from a topic.  mi->delivered must be set; everything else is filled in.
 */
static void
gen_message(struct gen *g, struct buf *b, struct minfo *mi, const struct gspec *gs,
	    unsigned depth)
{
	struct rng *r = &g->rng;
	const struct person *owner = gs->owner ? gs->owner : &staff[S_MARIE];
	const struct person *from, *cp, *to[4], *cc[3];
	size_t n_to = 0, n_cc = 0;
	int topic = gs->topic >= 0 ? gs->topic : pick_topic(r, owner);
	int shape = gs->shape;
	struct buf text = { 0 }, html = { 0 }, subj = { 0 };
	struct tctx tc;
	bool reply = rng_chance(r, 30);
	const char *prefix = "";
	int64_t date = mi->delivered - (int64_t)rng_range(r, 2, 900);
	char bnd[96];
	unsigned nparas;
	bool want_html;
	static const char *const re_fr[] = { "RE: ", "Re: ", "RE : " };

	if (shape < 0) {
		unsigned k = rng_below(r, 100);

		shape = k < 48 ? SH_PLAIN : k < 73 ? SH_ALT : k < 78 ? SH_HTML : k < 88 ? SH_MIXED :
			k < 94 ? SH_RELATED : k < 97 ? SH_FWD : SH_SMALLATT;
	}
	if (depth > 0 && shape == SH_FWD)
		shape = SH_PLAIN;
	cp = pick_counterpart(g, topic, owner);
	from = gs->from ? gs->from : gs->outgoing ? owner : cp;
	if (gs->n_to) {
		for (size_t i = 0; i < gs->n_to; i++)
			to[n_to++] = gs->to[i];
	} else {
		to[n_to++] = gs->outgoing ? cp : owner;
		if (from == to[0])
			to[0] = &staff[S_ACCUEIL];
	}
	if (rng_chance(r, 25)) {
		for (unsigned i = rng_range(r, 1, 2); i > 0; i--) {
			const struct person *p = &staff[rng_below(r, S_DSI_NOREPLY)];

			if (p != from && p != to[0])
				cc[n_cc++] = p;
		}
	}
	tctx_init(g, &tc, topic, from, to[0], date);
	expand(g, &subj, &tc, tc.topic->subj[rng_below(r, (uint32_t)tc.topic->n_subj)]);
	if (shape == SH_FWD)
		prefix = tc.lang == LANG_FR ? "TR: " : "Fwd: ";
	else if (reply)
		prefix = tc.lang == LANG_FR ? PICK(r, re_fr) : "Re: ";
	put_generic_headers(g, b, mi, gs, from, to, n_to, cc, n_cc, prefix, subj.p, date,
			    reply && shape != SH_FWD);
	nparas = rng_range(r, 3, 8);
	want_html = shape == SH_ALT || shape == SH_HTML || shape == SH_RELATED ||
		    (shape == SH_MIXED && rng_chance(r, 50));
	compose(g, &tc, nparas, reply && shape != SH_FWD, &text, want_html ? &html : NULL);
	switch (shape) {
	case SH_PLAIN:
		put_body_text(g, b, mi, tc.lang, &text);
		break;
	case SH_ALT:
		put_alternative(g, b, mi, tc.lang, &text, &html);
		break;
	case SH_HTML:
		put_body_html(g, b, mi, &html);
		break;
	case SH_RELATED:
		put_related(g, b, mi, tc.lang, &text, &html);
		break;
	case SH_FWD:
		put_forward(g, b, mi, &tc, depth);
		break;
	case SH_MIXED:
	case SH_SMALLATT:
		mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
		mp_next(b, bnd);
		if (html.n)
			put_alternative(g, b, mi, tc.lang, &text, &html);
		else
			put_body_text(g, b, mi, tc.lang, &text);
		mp_next(b, bnd);
		if (shape == SH_MIXED) {
			put_topic_attachment(g, b, mi, &tc);
		} else {
			struct leaf lf = { 0 };
			static const unsigned char kinds[] = { AK_VCF, AK_TXT, AK_CSV };
			enum att_kind k = (enum att_kind)PICK(r, kinds);

			make_attachment(g, &lf, &tc, k, rng_range(r, 300, 3000));
			lf.filename = k == AK_VCF ? "contact.vcf" : k == AK_TXT ? "journal.txt" :
										  "extraction.csv";
			lf.fn = FN_PLAIN;
			lf.disp = "attachment";
			put_leaf(b, mi, &lf);
		}
		mp_end(b, bnd);
		break;
	}
	if (text.oom || html.oom || subj.oom)
		b->oom = true;
	buf_free(&text);
	buf_free(&html);
	buf_free(&subj);
}

/* ------------------------------------------------------------------ */
/* Special cases (full mode): each writes one complete message */

typedef void special_fn(struct gen *g, struct buf *b, struct minfo *mi);

/* Top of a special: transport, Date, From, To, Cc, Subject, Message-ID. */
static void
sp_head(struct gen *g, struct buf *b, struct minfo *mi, const struct person *from,
	const struct person *to, const struct person *cc, const char *subject,
	enum subj_style ss, bool incoming, int mailer)
{
	int64_t date = mi->delivered - (int64_t)rng_range(&g->rng, 2, 300);

	g->mailer = mailer >= 0 ? (unsigned)mailer : rng_below(&g->rng, (uint32_t)ARRAY_LEN(mailers));

	set_env_from(mi, from);
	if (incoming) {
		buf_printf(b, "Return-Path: <%s>\n", mi->env_from);
		put_received(g, b, to ? to->addr : CITY_DOMAIN, from->addr, mi->delivered);
	}
	put_date_hdr(b, mi, date, tz_of(from, date), DATE_STD);
	put_addr_hdr(g, b, mi, "From", &from, 1);
	if (to)
		put_addr_hdr(g, b, mi, "To", &to, 1);
	if (cc)
		put_addr_hdr(g, b, mi, "Cc", &cc, 1);
	put_subject(b, mi, "", subject, ss);
	put_msgid_hdr(g, b, mi, domain_of(from));
}

/* Compose a body about topic into text (and html when not NULL). */
static void
sp_compose(struct gen *g, int topic, const struct person *from, const struct person *to,
	   int64_t when, unsigned nparas, struct buf *text, struct buf *html, struct tctx *tc_out)
{
	struct tctx tc;

	tctx_init(g, &tc, topic, from, to, when);
	compose(g, &tc, nparas, false, text, html);
	if (tc_out)
		*tc_out = tc;
}

static void
sp_alt_latin1(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 }, html = { 0 };
	char bnd[96];

	sp_head(g, b, mi, &staff[S_ELODIE], &staff[S_MARIE], NULL,
		"Réunion de service état civil : ordre du jour", SUBJ_Q_LATIN1, true, 1);
	buf_puts(b, "User-Agent: Mozilla Thunderbird 115.4.1\nMIME-Version: 1.0\n");
	sp_compose(g, T_EC, &staff[S_ELODIE], &staff[S_MARIE], mi->delivered, 4, &text, &html,
		   NULL);
	mp_begin(g, b, "alternative", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_LATIN1, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/html", CS_UTF8, CTE_QP, html.p, html.n);
	mp_end(b, bnd);
	buf_free(&text);
	buf_free(&html);
}

static void
sp_html_only(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 }, html = { 0 };

	sp_head(g, b, mi, &staff[S_CCAS], &staff[S_MARIE], NULL,
		"Lettre d’information du CCAS – décembre", SUBJ_CP1252, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	sp_compose(g, T_CAB, &staff[S_CCAS], NULL, mi->delivered, 5, &text, &html, NULL);
	buf_puts(&html, "<p>Témoignage : « Merci au CCAS pour l’aide apportée cet hiver » – "
			"Mme Josiane Perrot, 7 impasse des Lilas, 06 21 43 65 87.</p>\n");
	put_text_part(g, b, mi, "text/html", CS_CP1252, CTE_8BIT, html.p, html.n);
	buf_free(&text);
	buf_free(&html);
}

static void
sp_mixed_pdf_png(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	struct tctx tc;
	struct leaf lf = { 0 };
	char bnd[96];
	static const char notes[] = "Notes de séance (brouillon) : quorum atteint, 23 présents.\n"
				    "Intervention de M. Jean Moreau, 3 rue Pasteur, sur le "
				    "stationnement.\n";

	sp_head(g, b, mi, &staff[S_SOPHIE], &staff[S_MARIE], &staff[S_JOHN],
		"Procès-verbal du conseil municipal – séance du 12 octobre", SUBJ_B_UTF8, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nX-MS-Has-Attach: yes\nMIME-Version: 1.0\n");
	sp_compose(g, T_CAB, &staff[S_SOPHIE], &staff[S_MARIE], mi->delivered, 3, &text, NULL,
		   &tc);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	make_attachment(g, &lf, &tc, AK_PDF, 18000);
	lf.filename = "Procès-verbal conseil municipal 12-10-2023.pdf";
	lf.fn = FN_2231;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	mp_next(b, bnd);
	memset(&lf, 0, sizeof(lf));
	make_attachment(g, &lf, &tc, AK_PNG, 3000);
	lf.filename = "plan-quartier-gare.png";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	mp_next(b, bnd);
	memset(&lf, 0, sizeof(lf));
	lf.type = "text/plain";
	lf.charset = "utf-8";
	lf.disp = "attachment"; /* no file name: still an attachment */
	lf.cte = CTE_8BIT;
	lf.data = notes;
	lf.len = sizeof(notes) - 1;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
	buf_free(&text);
}

static void
sp_docx_csv(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	struct tctx tc;
	struct leaf lf = { 0 };
	char bnd[96];

	sp_head(g, b, mi, &staff[S_NATHALIE], &staff[S_MARIE], NULL,
		"Dossiers agents : mise à jour RIB et numéros de sécurité sociale", SUBJ_Q_UTF8,
		true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	sp_compose(g, T_RH, &staff[S_NATHALIE], &staff[S_MARIE], mi->delivered, 4, &text, NULL,
		   &tc);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_CP1252, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	make_attachment(g, &lf, &tc, AK_DOCX, 24000);
	lf.filename = "Fiche agent – dossier RH confidentiel.docx";
	lf.fn = FN_2047;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	mp_next(b, bnd);
	memset(&lf, 0, sizeof(lf));
	make_attachment(g, &lf, &tc, AK_CSV, 2400);
	lf.filename = "liste_agents_2024.csv";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	mp_next(b, bnd);
	memset(&lf, 0, sizeof(lf));
	buf_reset(&g->t4);
	put_random(&g->t4, &g->rng, 700);
	lf.type = "application/octet-stream";
	lf.filename = "export.dat";
	lf.fn = FN_NAME_ONLY; /* name= only, no Content-Disposition */
	lf.cte = CTE_B64;
	lf.data = g->t4.p;
	lf.len = g->t4.n;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
	buf_free(&text);
}

static void
sp_vcard(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 }, card = { 0 };
	struct leaf lf = { 0 };
	char bnd[96];

	sp_head(g, b, mi, &partners[Q_EMMA], &staff[S_JOHN], NULL, "My new contact details",
		SUBJ_PLAIN, true, 3);
	buf_puts(b, "User-Agent: Apple Mail (2.3731.700.6)\nMIME-Version: 1.0\n");
	sp_compose(g, T_TWIN, &partners[Q_EMMA], &staff[S_JOHN], mi->delivered, 2, &text, NULL,
		   NULL);
	make_vcard(&card, &partners[Q_EMMA], "Town Hall, 1 Market Street, Oakford OX1 2AB");
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_ASCII, CTE_7BIT, text.p, text.n);
	mp_next(b, bnd);
	lf.type = "text/vcard";
	lf.charset = "utf-8";
	lf.filename = "Emma Clarke.vcf";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	lf.cte = CTE_QP;
	lf.data = card.p;
	lf.len = card.n;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
	buf_free(&text);
	buf_free(&card);
}

static void
sp_related(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 }, html = { 0 };
	struct tctx tc;
	struct leaf lf = { 0 };
	char outer[96], rel[96];
	static const char cid1[] = "image001.png@01DA1C2B.5E3F7A10";
	static const char cid2[] = "part2.8F3A5C1D.2B7E4F60@" CITY_DOMAIN;
	const char *tail;

	sp_head(g, b, mi, &staff[S_MARIE], &partners[Q_PREF], &staff[S_SOPHIE],
		"Transmission de la délibération n° 2023-112 au contrôle de légalité",
		SUBJ_Q_UTF8, false, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	sp_compose(g, T_CAB, &staff[S_MARIE], &partners[Q_PREF], mi->delivered, 3, &text, &html,
		   &tc);
	tail = strstr(html.p, html_tail);
	if (tail) {
		html.n = (size_t)(tail - html.p);
		buf_printf(&html, "<p><img src=\"cid:%s\" alt=\"Logo\"> <img src=\"cid:%s\" "
				  "alt=\"Signature\"></p>\n%s", cid1, cid2, html_tail);
	}
	mp_begin(g, b, "mixed", NULL, outer, sizeof(outer));
	mp_next(b, outer);
	mp_begin(g, b, "related", " type=\"multipart/alternative\";", rel, sizeof(rel));
	mp_next(b, rel);
	put_alternative(g, b, mi, LANG_FR, &text, &html);
	mp_next(b, rel);
	buf_reset(&g->t4);
	make_png(g, &g->t4, 40, 16);
	lf.type = "image/png";
	lf.filename = "image001.png";
	lf.fn = FN_PLAIN;
	lf.disp = "inline";
	lf.cid = cid1;
	lf.cte = CTE_B64;
	lf.data = g->t4.p;
	lf.len = g->t4.n;
	put_leaf(b, mi, &lf);
	mp_next(b, rel);
	memset(&lf, 0, sizeof(lf));
	buf_reset(&g->t4);
	make_jpeg(g, &g->t4, 1500);
	lf.type = "image/jpeg"; /* no file name, no disposition: inline non-text */
	lf.cid = cid2;
	lf.cte = CTE_B64;
	lf.data = g->t4.p;
	lf.len = g->t4.n;
	put_leaf(b, mi, &lf);
	mp_end(b, rel);
	mp_next(b, outer);
	memset(&lf, 0, sizeof(lf));
	make_attachment(g, &lf, &tc, AK_PDF, 30000);
	lf.filename = "Délibération 2023-112 - budget supplémentaire.pdf";
	lf.fn = FN_2231_CONT;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	mp_end(b, outer);
	buf_free(&text);
	buf_free(&html);
}

/* A resident's message with a photo, forwarded as message/rfc822. */
static void
sp_fwd_with_att(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 }, itext = { 0 };
	struct minfo inner;
	struct tctx tc;
	struct leaf lf = { 0 };
	char bnd[96], ibnd[96];
	const struct person *res = &g->res[3].p;

	sp_head(g, b, mi, &staff[S_KARIM], &staff[S_JOHN], NULL,
		"TR: Photo du candélabre endommagé", SUBJ_Q_LATIN1, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	wrap_str(&text, "John, pour le dossier d'assurance, voir le message du riverain "
			"ci-dessous avec la photo.");
	put_signature(&staff[S_KARIM], &text, NULL);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_8BIT, text.p, text.n);
	mp_next(b, bnd);
	rfc822_begin(b, "Candélabre endommagé.eml");
	/* the embedded message */
	mi_init(&inner);
	inner.delivered = mi->delivered - 86400;
	sp_head(g, b, &inner, res, &staff[S_TECH], NULL, "Candélabre endommagé devant chez moi",
		SUBJ_B_UTF8, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	sp_compose(g, T_TECH, res, &staff[S_TECH], inner.delivered, 3, &itext, NULL, &tc);
	mp_begin(g, b, "mixed", NULL, ibnd, sizeof(ibnd));
	mp_next(b, ibnd);
	put_text_part(g, b, &inner, "text/plain", CS_UTF8, CTE_QP, itext.p, itext.n);
	mp_next(b, ibnd);
	make_attachment(g, &lf, &tc, AK_JPEG, 9000);
	lf.filename = "IMG_20231104_181523.jpg";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	put_leaf(b, &inner, &lf);
	mp_end(b, ibnd);
	mi_merge_embedded(g, mi, &inner);
	mp_end(b, bnd);
	buf_free(&text);
	buf_free(&itext);
}

/* A forward of a forward: two levels of message/rfc822, a CSV at the bottom. */
static void
sp_fwd_nested(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	struct minfo m1, m2;
	struct tctx tc;
	struct leaf lf = { 0 };
	char b0[96], b1[96], b2[96];
	const struct person *res = &g->res[5].p;

	sp_head(g, b, mi, &staff[S_SOPHIE], &staff[S_MARIE], NULL,
		"TR: Fwd: Courrier d'un administré transmis par la préfecture", SUBJ_B_UTF8, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	wrap_str(&text, "Marie, la préfecture nous renvoie ce courrier avec la pétition jointe.");
	mp_begin(g, b, "mixed", NULL, b0, sizeof(b0));
	mp_next(b, b0);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	mp_next(b, b0);
	rfc822_begin(b, NULL);
	/* level 1: the prefecture forwards */
	mi_init(&m1);
	m1.delivered = mi->delivered - 2 * 86400;
	sp_head(g, b, &m1, &partners[Q_PREF], &staff[S_SOPHIE], NULL,
		"Fwd: Courrier d'un administré", SUBJ_Q_UTF8, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	buf_reset(&text);
	wrap_str(&text, "Pour attribution. Bien cordialement, le bureau des collectivités.");
	mp_begin(g, b, "mixed", NULL, b1, sizeof(b1));
	mp_next(b, b1);
	put_text_part(g, b, &m1, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	mp_next(b, b1);
	rfc822_begin(b, "Courrier administré.eml");
	/* level 2: the resident's original letter with a CSV */
	mi_init(&m2);
	m2.delivered = mi->delivered - 9 * 86400;
	sp_head(g, b, &m2, res, &partners[Q_PREF], NULL, "Pétition stationnement rue Pasteur",
		SUBJ_Q_UTF8, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	buf_reset(&text);
	sp_compose(g, T_CAB, res, &partners[Q_PREF], m2.delivered, 3, &text, NULL, &tc);
	mp_begin(g, b, "mixed", NULL, b2, sizeof(b2));
	mp_next(b, b2);
	put_text_part(g, b, &m2, "text/plain", CS_LATIN1, CTE_8BIT, text.p, text.n);
	mp_next(b, b2);
	make_attachment(g, &lf, &tc, AK_CSV, 1800);
	lf.filename = "signatures_pétition.csv";
	lf.fn = FN_2231;
	lf.disp = "attachment";
	put_leaf(b, &m2, &lf);
	mp_end(b, b2);
	mi_merge_embedded(g, &m1, &m2);
	mp_end(b, b1);
	mi_merge_embedded(g, mi, &m1);
	mp_end(b, b0);
	buf_free(&text);
}

/* Sender/Reply-To/Bcc and an empty group in To, as kept in a Sent folder. */
static void
sp_groups_bcc(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	const struct person *bcc[] = { &staff[S_JOHN], &staff[S_ELODIE], &staff[S_FRANCOIS],
				       &staff[S_KARIM], &staff[S_CHLOE], &staff[S_THOMAS] };
	const struct person *from = &staff[S_MARIE], *sender = &staff[S_SOPHIE],
			    *reply = &staff[S_RH];

	g->mailer = 0;
	set_env_from(mi, sender);
	put_date_hdr(b, mi, mi->delivered - 5, paris_offset(mi->delivered), DATE_STD);
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_addr_hdr(g, b, mi, "Sender", &sender, 1);
	put_addr_hdr(g, b, mi, "Reply-To", &reply, 1);
	put_raw_addr_hdr(b, mi, "To", "Undisclosed recipients:;", NULL);
	put_addr_hdr(g, b, mi, "Bcc", bcc, ARRAY_LEN(bcc));
	put_subject(b, mi, "", "Note de service : télétravail et sécurité des données",
		    SUBJ_Q_UTF8);
	put_msgid_hdr(g, b, mi, CITY_DOMAIN);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	sp_compose(g, T_INFO, from, NULL, mi->delivered, 4, &text, NULL, NULL);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	buf_free(&text);
}

/* A named group, an invalid address and an upper-case address. */
static void
sp_equipe_invalid(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	const struct person *from = &staff[S_THOMAS];
	static const char *const to_norm[] = { "karim.benali@" CITY_DOMAIN,
					       "francois.martin@" CITY_DOMAIN,
					       "john.smith@" CITY_DOMAIN, NULL };
	static const char *const cc_norm[] = { "marie.dupont@" CITY_DOMAIN, NULL };

	g->mailer = 2;
	set_env_from(mi, from);
	buf_printf(b, "Return-Path: <%s>\n", from->addr);
	put_date_hdr(b, mi, mi->delivered - 40, paris_offset(mi->delivered), DATE_ZONE);
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_raw_addr_hdr(b, mi, "To",
			 "equipe: Karim Benali <karim.benali@" CITY_DOMAIN ">,\n"
			 "\tfrancois.martin@" CITY_DOMAIN ";, John Smith <john.smith@" CITY_DOMAIN ">",
			 to_norm);
	put_raw_addr_hdr(b, mi, "Cc",
			 "broken@@example..com, \"DUPONT Marie\" <MARIE.DUPONT@MAIRIE-EXEMPLE.FR>",
			 cc_norm);
	put_subject(b, mi, "", "Migration de la messagerie ce week-end", SUBJ_Q_UTF8);
	put_msgid_hdr(g, b, mi, CITY_DOMAIN);
	buf_puts(b, "User-Agent: Roundcube Webmail/1.6.5\nMIME-Version: 1.0\n");
	sp_compose(g, T_INFO, from, NULL, mi->delivered, 3, &text, NULL, NULL);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_8BIT, text.p, text.n);
	buf_free(&text);
}

/* Internationalised addresses written in Unicode (RFC 6532 headers). */
static void
sp_idn_unicode(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	static const struct person elodie_eai = { "Élodie Lefort", "Élodie",
						  "élodie@" CITY_DOMAIN, "élodie@" CITY_DOMAIN, 'F',
						  LANG_FR, NE_RAW, NULL, NULL, NULL };
	const struct person *from = &partners[Q_BUCHER], *to = &elodie_eai,
			    *cc = &staff[S_MARIE];

	sp_head(g, b, mi, from, to, cc,
		"Bestellung für die Mediathek / commande pour la médiathèque", SUBJ_RAW, true, 1);
	buf_puts(b, "User-Agent: Mozilla Thunderbird 115.4.1\nMIME-Version: 1.0\n");
	sp_compose(g, T_GRANT, from, to, mi->delivered, 2, &text, NULL, NULL);
	buf_puts(&text, "\nMit freundlichen Grüßen – Bücherstube Müller, Straße des 17. Juni 1, "
			"10623 Berlin\n");
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_8BIT, text.p, text.n);
	buf_free(&text);
}

/* The same IDN domains written in their ASCII (punycode) form. */
static void
sp_idn_puny(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	static const struct person bucher_puny = { "Buecherstube Mueller", NULL,
						   "contact@xn--bcher-kva.example",
						   "contact@bücher.example", 0, LANG_EN, NE_PLAIN,
						   NULL, NULL, NULL };
	const struct person *from = &staff[S_JOHN];

	sp_head(g, b, mi, from, &bucher_puny, &partners[Q_CRECHE],
		"Re: Bestellung fur die Mediathek", SUBJ_PLAIN, false, 1);
	buf_puts(b, "User-Agent: Mozilla Thunderbird 115.4.1\nMIME-Version: 1.0\n");
	sp_compose(g, T_GRANT, from, &bucher_puny, mi->delivered, 2, &text, NULL, NULL);
	put_text_part(g, b, mi, "text/plain", CS_ASCII, CTE_7BIT, text.p, text.n);
	buf_free(&text);
}

static const char latin1_letter[] =
	"Madame, Monsieur,\n\n"
	"Je conteste la facture de cantine de mars : mon fils était absent (arrêt\n"
	"maladie, certificat médical joint à mon précédent courrier). Vous pouvez\n"
	"me joindre au 06 52 18 44 90. Mon adresse : 27 rue des Écoles, 45160\n"
	"Exemple-sur-Loire. Coordonnées bancaires pour le remboursement :\n"
	"FR76 3000 4000 3123 4567 8901 429.\n\n"
	"Veuillez agréer mes salutations distinguées.\n"
	"Hélène Garnier\n";

/* Declares UTF-8, but the bytes are ISO-8859-1. */
static void
sp_lying_charset(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const struct person helene = { "Hélène Garnier", "Hélène",
					      "helene.garnier45@example.net", NULL, 'F', LANG_FR,
					      NE_Q_LATIN1, NULL, NULL, NULL };

	mi->tag = "lying-charset";
	sp_head(g, b, mi, &helene, &staff[S_MARIE], NULL,
		"Réclamation concernant ma facture de cantine", SUBJ_Q_UTF8, true, -1);
	buf_puts(b, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: 8bit\n\n");
	if (!utf8_to_cs(b, latin1_letter, sizeof(latin1_letter) - 1, CS_LATIN1))
		b->oom = true;
}

/* A charset nobody knows. */
static void
sp_unknown_charset(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const char body[] =
		"Bonjour,\n\nMa fille Zoé participe au voyage à Oakford. Faut-il une autorisation\n"
		"de sortie du territoire ?\nTéléphone : 07 81 23 45 67.\n\nMerci, Cécile Marchand\n";
	const struct person *res = &g->res[8].p;

	mi->tag = "unknown-charset";
	sp_head(g, b, mi, res, &staff[S_JOHN], NULL, "Question about the twinning trip",
		SUBJ_PLAIN, true, -1);
	buf_puts(b, "MIME-Version: 1.0\nContent-Type: text/plain; charset=\"x-unknown\"\n"
		    "Content-Transfer-Encoding: 8bit\n\n");
	if (!utf8_to_cs(b, body, sizeof(body) - 1, CS_LATIN1))
		b->oom = true;
}

/* Base64 attachment cut short (upload interrupted). */
static void
sp_trunc_b64(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	struct tctx tc;
	struct leaf lf = { 0 };
	char bnd[96];

	mi->tag = "truncated-base64";
	sp_head(g, b, mi, &partners[Q_DGFIP], &staff[S_CHLOE], NULL,
		"Avis des sommes à payer – régie cantine", SUBJ_B_LATIN1, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	sp_compose(g, T_FIN, &partners[Q_DGFIP], &staff[S_CHLOE], mi->delivered, 3, &text, NULL,
		   &tc);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_LATIN1, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	make_attachment(g, &lf, &tc, AK_PDF, 12000);
	lf.filename = "Avis_des_sommes_a_payer_2023-11.pdf";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	lf.truncate = true;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
	buf_free(&text);
}

/* The closing boundary never comes. */
static void
sp_missing_boundary(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	struct tctx tc;
	struct leaf lf = { 0 };
	char bnd[96];

	mi->tag = "missing-close-boundary";
	sp_head(g, b, mi, &partners[Q_HABITAT], &staff[S_MARIE], NULL,
		"Convention de gestion des logements communaux", SUBJ_Q_UTF8, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	sp_compose(g, T_FIN, &partners[Q_HABITAT], &staff[S_MARIE], mi->delivered, 3, &text,
		   NULL, &tc);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	make_attachment(g, &lf, &tc, AK_DOCX, 9000);
	lf.filename = "Convention_logements_2024.docx";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	put_leaf(b, mi, &lf);
	/* no mp_end */
	buf_free(&text);
}

/* Raw Latin-1 bytes in header lines (invalid UTF-8). */
static void
sp_bad_utf8_header(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };
	int64_t date = mi->delivered - 120;

	mi->tag = "invalid-utf8-header";
	g->mailer = 4;
	snprintf(mi->env_from, sizeof(mi->env_from), "rene.leger@example.com");
	buf_puts(b, "Return-Path: <rene.leger@example.com>\n");
	put_received(g, b, "john.smith@" CITY_DOMAIN, "rene.leger@example.com", mi->delivered);
	put_date_hdr(b, mi, date, paris_offset(date), DATE_STD);
	buf_puts(b, "From: Ren\xE9 L\xE9ger <rene.leger@example.com>\n"
		    "Organization: Association des Amis du Patrimoine de la Vall\xE9" "e\n"
		    "To: john.smith@" CITY_DOMAIN "\n");
	mi_addr(mi, "rene.leger@example.com");
	mi_addr(mi, "john.smith@" CITY_DOMAIN);
	put_subject(b, mi, "", "Demande de rendez-vous", SUBJ_PLAIN);
	put_msgid_hdr(g, b, mi, "example.com");
	buf_puts(b, "X-Mailer: Eudora 7.1\nMIME-Version: 1.0\n");
	sp_compose(g, T_CAB, &g->res[11].p, &staff[S_JOHN], mi->delivered, 3, &text, NULL, NULL);
	put_text_part(g, b, mi, "text/plain", CS_LATIN1, CTE_8BIT, text.p, text.n);
	buf_free(&text);
}

/* A References header on one line of more than 10 KB. */
static void
sp_long_header(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };

	mi->tag = "long-header";
	sp_head(g, b, mi, &staff[S_FRANCOIS], &staff[S_MARIE], NULL,
		"RE: PLU : synthèse de la concertation", SUBJ_Q_LATIN1, true, -1);
	buf_puts(b, "References:");
	for (unsigned i = 0; i < 240; i++)
		buf_printf(b, " <%016llx.%03u.thread@" CITY_DOMAIN ">",
			   (unsigned long long)rng_next(&g->rng), i);
	buf_puts(b, "\nMIME-Version: 1.0\n");
	sp_compose(g, T_URBA, &staff[S_FRANCOIS], &staff[S_MARIE], mi->delivered, 3, &text, NULL,
		   NULL);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	buf_free(&text);
}

/* 40 nested multipart/mixed, a text part at the bottom. */
static void
sp_deep(struct gen *g, struct buf *b, struct minfo *mi)
{
	char bnd[40][48];

	mi->tag = "deep-multipart";
	sp_head(g, b, mi, &g->res[13].p, &staff[S_ACCUEIL], NULL, "Formulaire de contact",
		SUBJ_PLAIN, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	for (unsigned i = 0; i < 40; i++) {
		snprintf(bnd[i], sizeof(bnd[i]), "=_level%02u_%08llx", i,
			 (unsigned long long)(rng_next(&g->rng) & 0xFFFFFFFFULL));
		buf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n", bnd[i],
			   bnd[i]);
	}
	buf_puts(b, "Content-Type: text/plain; charset=us-ascii\n\n"
		    "Message depose via le formulaire de contact du site.\n");
	for (unsigned i = 40; i > 0; i--)
		buf_printf(b, "--%s--\n", bnd[i - 1]);
}

static void
sp_plain_topic(struct gen *g, struct buf *b, struct minfo *mi, int topic,
	       const struct person *from, const struct person *to)
{
	struct buf text = { 0 };

	buf_puts(b, "MIME-Version: 1.0\n");
	sp_compose(g, topic, from, to, mi->delivered, 3, &text, NULL, NULL);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	buf_free(&text);
}

static void
sp_no_date(struct gen *g, struct buf *b, struct minfo *mi)
{
	const struct person *from = &partners[Q_JAMES], *to = &staff[S_JOHN];

	mi->tag = "no-date";
	g->mailer = 3;
	set_env_from(mi, from);
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_addr_hdr(g, b, mi, "To", &to, 1);
	put_subject(b, mi, "", "Minutes of the joint committee", SUBJ_PLAIN);
	put_msgid_hdr(g, b, mi, "oakford-council.example");
	sp_plain_topic(g, b, mi, T_TWIN, from, to);
}

static void
sp_bad_date(struct gen *g, struct buf *b, struct minfo *mi)
{
	const struct person *from = &staff[S_KARIM], *to = &staff[S_MARIE];

	mi->tag = "bad-date";
	g->mailer = 1;
	set_env_from(mi, from);
	buf_puts(b, "Date: mardi 32 brumaire an CCXXXII, 25h61\n");
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_addr_hdr(g, b, mi, "To", &to, 1);
	put_subject(b, mi, "", "Compte rendu d'intervention voirie", SUBJ_PLAIN);
	put_msgid_hdr(g, b, mi, CITY_DOMAIN);
	sp_plain_topic(g, b, mi, T_TECH, from, to);
}

static void
sp_no_msgid(struct gen *g, struct buf *b, struct minfo *mi)
{
	const struct person *from = &staff[S_DSI_NOREPLY], *to = &staff[S_MARIE];
	int64_t date = mi->delivered - 3;

	mi->tag = "no-message-id";
	g->mailer = 2;
	set_env_from(mi, from);
	put_date_hdr(b, mi, date, paris_offset(date), DATE_NOWDAY);
	put_addr_hdr(g, b, mi, "From", &from, 1);
	put_addr_hdr(g, b, mi, "To", &to, 1);
	put_subject(b, mi, "", "[Supervision] Sauvegarde nocturne : 2 avertissements",
		    SUBJ_PLAIN);
	sp_plain_topic(g, b, mi, T_INFO, &staff[S_THOMAS], to);
}

static void
sp_latin9(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const char body[] =
		"Bonjour Marie,\n\n"
		"Le devis de restauration de l'œuvre « La Loire au couchant » s'élève à\n"
		"1 250 € HT, soit 1 500 € TTC. Le restaurateur, M. Benoît Lœuillet\n"
		"(06 33 21 87 54), propose une intervention en février.\n\n"
		"Bien cordialement,\nChloé Rousseau\n";

	sp_head(g, b, mi, &staff[S_CHLOE], &staff[S_MARIE], NULL,
		"Devis restauration de l'œuvre « La Loire au couchant »", SUBJ_Q_LATIN9, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	put_text_part(g, b, mi, "text/plain", CS_LATIN9, CTE_QP, body, sizeof(body) - 1);
}

static void
sp_cp1252(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const char body[] =
		"Bonjour,\n\n"
		"Suite à l’incendie du 3 rue des Acacias, la famille Martin (2 adultes,\n"
		"3 enfants) a besoin d’un logement d’urgence… Nous proposons le T4 du\n"
		"“Clos des Vignes” – loyer 612 € charges comprises.\n"
		"Contact : Sandrine Martin, 07 64 12 98 30.\n\n"
		"Cordialement,\nIsabelle Fontaine — Habitat Loiret\n";

	sp_head(g, b, mi, &partners[Q_HABITAT], &staff[S_JOHN], &staff[S_CCAS],
		"Logement d’urgence – famille Martin", SUBJ_CP1252, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	put_text_part(g, b, mi, "text/plain", CS_CP1252, CTE_8BIT, body, sizeof(body) - 1);
}

static void
sp_b_latin1(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf text = { 0 };

	sp_head(g, b, mi, &partners[Q_PREF], &staff[S_MARIE], NULL,
		"Contrôle de légalité : arrêté n° 2024-015", SUBJ_B_LATIN1, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	sp_compose(g, T_CAB, &partners[Q_PREF], &staff[S_MARIE], mi->delivered, 3, &text, NULL,
		   NULL);
	put_text_part(g, b, mi, "text/plain", CS_LATIN1, CTE_8BIT, text.p, text.n);
	buf_free(&text);
}

/* Body lines starting with "From " and ">From " (quoted by the mboxrd writer). */
static void
sp_mboxrd_from(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const char body[] =
		"Hi John,\n\n"
		"Here is the extract you asked for.\n\n"
		"From the council's point of view, the visit is confirmed for May.\n"
		">From the archives: the first twinning charter was signed in 1974.\n"
		"From now on, please copy Emma on every message.\n\n"
		"Best wishes,\nJames\n";

	mi->tag = "from-quoting";
	sp_head(g, b, mi, &partners[Q_JAMES], &staff[S_JOHN], NULL,
		"Extract from the twinning archives", SUBJ_PLAIN, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	put_text_part(g, b, mi, "text/plain", CS_ASCII, CTE_7BIT, body, sizeof(body) - 1);
}

/* mboxo writer bug: a "From " body line left unquoted (no blank line before it). */
static void
sp_mboxo_unquoted(struct gen *g, struct buf *b, struct minfo *mi)
{
	static const char body[] =
		"Hello,\n\n"
		"Here is the schedule of the recruitment panel for the twinning post.\n"
		"From 9 am to 12 pm: interviews with Ms Camille Roux and Mr Hugo Bertrand.\n"
		"Candidates will receive their invitation by post.\n\n"
		"Kind regards,\nJames O'Neill\n";

	mi->tag = "unquoted-from-line";
	sp_head(g, b, mi, &partners[Q_JAMES], &staff[S_ACCUEIL], NULL,
		"Recruitment panel schedule", SUBJ_PLAIN, true, -1);
	buf_puts(b, "MIME-Version: 1.0\n");
	put_text_part(g, b, mi, "text/plain", CS_ASCII, CTE_7BIT, body, sizeof(body) - 1);
}

/* A correct Content-Length header (Solaris/SysV mbox). */
static void
sp_content_length(struct gen *g, struct buf *b, struct minfo *mi)
{
	struct buf body = { 0 };
	mi->tag = "content-length";
	sp_head(g, b, mi, &staff[S_URBA], &staff[S_ACCUEIL], NULL,
		"Permanence urbanisme du samedi", SUBJ_Q_UTF8, false, -1);
	buf_puts(b, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: 8bit\n");
	sp_compose(g, T_URBA, &staff[S_URBA], &staff[S_ACCUEIL], mi->delivered, 2, &body, NULL,
		   NULL);
	buf_printf(b, "Content-Length: %zu\n\n", body.n);
	buf_put(b, body.p, body.n);
	buf_free(&body);
}

/* The address book export itself, attached (text/csv, windows-1252). */
static void
sp_csv_export(struct gen *g, struct buf *b, struct minfo *mi)
{
	const struct buf *csv = g->ab_csv;

	struct buf text = { 0 };
	struct leaf lf = { 0 };
	char bnd[96];

	sp_head(g, b, mi, &staff[S_THOMAS], &staff[S_MARIE], NULL,
		"Export du carnet d'adresses Outlook (migration)", SUBJ_PLAIN, true, 0);
	buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\nMIME-Version: 1.0\n");
	wrap_str(&text, "Marie, voici l'export CSV de ton carnet d'adresses pour la migration. "
			"Merci de le supprimer après import.");
	put_signature(&staff[S_THOMAS], &text, NULL);
	mp_begin(g, b, "mixed", NULL, bnd, sizeof(bnd));
	mp_next(b, bnd);
	put_text_part(g, b, mi, "text/plain", CS_UTF8, CTE_QP, text.p, text.n);
	mp_next(b, bnd);
	lf.type = "text/csv";
	lf.charset = "windows-1252";
	lf.filename = "Contacts Outlook.csv";
	lf.fn = FN_PLAIN;
	lf.disp = "attachment";
	lf.cte = CTE_B64;
	lf.data = csv->p;
	lf.len = csv->n;
	put_leaf(b, mi, &lf);
	mp_end(b, bnd);
	buf_free(&text);
}

/* ------------------------------------------------------------------ */
/* Files */

static int
set_path(struct gen *g, const char *rel)
{
	int n = snprintf(g->path, sizeof(g->path), "%s/%s", g->o.outdir, rel);

	if (n < 0 || (size_t)n >= sizeof(g->path)) {
		fprintf(stderr, PROG ": %s/%s: %s\n", g->o.outdir, rel, strerror(ENAMETOOLONG));
		return -1;
	}
	return 0;
}

static int
io_fail(const char *path, int err)
{
	fprintf(stderr, PROG ": %s: %s\n", path, strerror(err));
	return -1;
}

static int
oom_fail(void)
{
	fprintf(stderr, PROG ": out of memory\n");
	return -1;
}

static int
make_dir(struct gen *g, const char *rel)
{
	if (set_path(g, rel) < 0)
		return -1;
	if (mkdir(g->path, 0755) < 0 && errno != EEXIST)
		return io_fail(g->path, errno);
	return 0;
}

/* Write a new file (never overwrites); mtime > 0 sets its modification time. */
static int
write_file(struct gen *g, const char *rel, const void *data, size_t n, int64_t mtime)
{
	const char *p = data;
	int fd, err;

	if (set_path(g, rel) < 0)
		return -1;
	fd = open(g->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return io_fail(g->path, errno);
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		n -= (size_t)w;
	}
	if (mtime > 0) {
		struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };

		if (futimens(fd, ts) < 0)
			goto fail;
	}
	if (close(fd) < 0)
		return io_fail(g->path, errno);
	return 0;
fail:
	err = errno;
	(void)close(fd);
	return io_fail(g->path, err);
}

/* Create dir and its parents (like mkdir -p); it must end up empty. */
static int
prepare_outdir(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (len == 0 || len >= sizeof(path)) {
		fprintf(stderr, PROG ": %s: %s\n", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return io_fail(path, errno);
		if (i < len)
			path[i] = '/';
	}
	d = opendir(dir);
	if (!d)
		return io_fail(dir, errno);
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			fprintf(stderr, PROG ": %s: output directory is not empty\n", dir);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && errno != 0)
		rc = io_fail(dir, errno);
	closedir(d);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Manifest rows */

static const char manifest_header[] =
	"store\tpath\tordinal\tfolder\tmessage_id\tsubject\tattachments\tembedded\taddresses\t"
	"dup_group\tflags\thostile\tdate\tsize\n";

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
put_tsv_field(struct buf *b, const char *s)
{
	while (*s) {
		size_t span = strcspn(s, "\t\n\r");

		buf_put(b, s, span);
		s += span;
		if (*s) {
			buf_putc(b, ' ');
			s++;
		}
	}
}

/* Record one delivered message (a file, or an entry in an mbox). */
static void
row_add(struct gen *g, const char *store, const char *path, uint64_t ordinal,
	const char *folder, const struct minfo *mi, const char *dup, const char *flags,
	size_t size)
{
	struct row *rw;
	const char *sorted[MI_MAXADDR];
	size_t start = g->rows.n;

	if (g->n_rows == g->cap_rows) {
		size_t cap = g->cap_rows ? g->cap_rows * 2 : 1024;
		struct row *v = realloc(g->rowv, cap * sizeof(*v));

		if (!v) {
			g->rows.oom = true;
			return;
		}
		g->rowv = v;
		g->cap_rows = cap;
	}
	rw = &g->rowv[g->n_rows++];
	rw->ordinal = ordinal;
	rw->off = start;
	buf_printf(&g->rows, "%s\t", store);
	rw->path_off = g->rows.n;
	put_tsv_field(&g->rows, path);
	rw->path_len = g->rows.n - rw->path_off;
	buf_printf(&g->rows, "\t%llu\t", (unsigned long long)ordinal);
	put_tsv_field(&g->rows, folder);
	buf_putc(&g->rows, '\t');
	put_tsv_field(&g->rows, mi->msgid);
	buf_putc(&g->rows, '\t');
	put_tsv_field(&g->rows, mi->subject);
	buf_printf(&g->rows, "\t%u\t%u\t", mi->atts, mi->emb);
	for (unsigned i = 0; i < mi->naddr; i++)
		sorted[i] = mi->addr[i];
	qsort(sorted, mi->naddr, sizeof(sorted[0]), cmp_str);
	for (unsigned i = 0; i < mi->naddr; i++) {
		if (i)
			buf_putc(&g->rows, ',');
		put_tsv_field(&g->rows, sorted[i]);
		strset_add(&g->addr_top, sorted[i]);
		strset_add(&g->addr_all, sorted[i]);
	}
	buf_printf(&g->rows, "\t%s\t%s\t%s\t", dup ? dup : "", flags ? flags : "",
		   mi->tag ? mi->tag : "");
	if (mi->has_date)
		buf_printf(&g->rows, "%lld", (long long)mi->date);
	buf_printf(&g->rows, "\t%zu\n", size);
	rw->len = g->rows.n - rw->off;
	g->n_msg++;
	g->n_att += mi->atts;
	g->n_emb += mi->emb;
	if (mi->tag)
		g->n_tagged++;
	if (!mi->msgid[0])
		g->n_nomsgid++;
	if (!mi->has_date)
		g->n_nodate++;
	if (store[1] == 'a')
		g->n_maildir++;
	else if (store[1] == 'b')
		g->n_mbox++;
	else
		g->n_eml++;
}

static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
	int c = memcmp(x->base + x->path_off, y->base + y->path_off, n);

	if (c)
		return c;
	if (x->path_len != y->path_len)
		return x->path_len < y->path_len ? -1 : 1;
	return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

/* ------------------------------------------------------------------ */
/* Stores */

struct mfolder {
	const char *dir;  /* Maildir++ directory: "" for INBOX, ".Archives.2024" */
	const char *name; /* folder path: "INBOX", "Archives/2024" */
};

struct mailbox {
	const char *rel;  /* "maildir/marie.dupont" */
	const char *host;
	bool dovecot;     /* Dovecot names (S=, W=, Q) rather than Courier ones */
	const struct mfolder *folders;
	size_t n_folders;
};

static const struct mfolder marie_folders[] = {
	{ "", "INBOX" }, { ".Sent", "Sent" }, { ".Archives", "Archives" },
	{ ".Archives.2024", "Archives/2024" }, { ".Trash", "Trash" }, { ".Junk", "Junk" },
};
static const struct mfolder john_folders[] = {
	{ "", "INBOX" }, { ".Sent", "Sent" }, { ".Drafts", "Drafts" },
};
static const struct mfolder bench_folders[] = {
	{ "", "INBOX" }, { ".Sent", "Sent" }, { ".Archives", "Archives" },
	{ ".Archives.2023", "Archives/2023" }, { ".Projets", "Projets" },
	{ ".Projets.Voirie", "Projets/Voirie" }, { ".Trash", "Trash" },
};

enum { MB_MARIE, MB_JOHN };

static const struct mailbox full_boxes[] = {
	[MB_MARIE] = { "maildir/marie.dupont", "mail." CITY_DOMAIN, true, marie_folders,
		       ARRAY_LEN(marie_folders) },
	[MB_JOHN] = { "maildir/john.smith", "imap2", false, john_folders, ARRAY_LEN(john_folders) },
};
static const struct mailbox bench_box = { "maildir", "mail." CITY_DOMAIN, true, bench_folders,
					  ARRAY_LEN(bench_folders) };

/* Folders, cur/new/tmp, maildirfolder markers. */
static int
setup_mailbox(struct gen *g, const struct mailbox *mb)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	char rel[512];

	if (make_dir(g, mb->rel) < 0)
		return -1;
	for (size_t f = 0; f < mb->n_folders; f++) {
		const char *dir = mb->folders[f].dir;

		snprintf(rel, sizeof(rel), "%s%s%s", mb->rel, dir[0] ? "/" : "", dir);
		if (dir[0] && make_dir(g, rel) < 0)
			return -1;
		for (size_t s = 0; s < 3; s++) {
			snprintf(rel, sizeof(rel), "%s%s%s/%s", mb->rel, dir[0] ? "/" : "", dir,
				 subs[s]);
			if (make_dir(g, rel) < 0)
				return -1;
		}
		if (dir[0]) {
			snprintf(rel, sizeof(rel), "%s/%s/maildirfolder", mb->rel, dir);
			if (write_file(g, rel, "", 0, EPOCH_START) < 0)
				return -1;
			g->n_markers++;
		}
		g->n_folders++;
	}
	return 0;
}

static int
deliver_maildir(struct gen *g, const struct mailbox *mb, unsigned folder, bool is_new,
		const char *flags, const struct buf *msg, const struct minfo *mi, const char *dup)
{
	struct rng *r = &g->rng;
	const char *dir = mb->folders[folder].dir;
	char name[256], rel[512];
	unsigned usec = rng_below(r, 1000000), pid = rng_range(r, 1200, 64000);
	unsigned long q = ++g->seq;
	int len;

	if (mb->dovecot) {
		size_t lines = 0;

		for (const char *p = msg->p, *end = msg->p + msg->n;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
		len = snprintf(name, sizeof(name), "%lld.M%uP%uQ%lu.%s,S=%zu,W=%zu",
			       (long long)mi->delivered, usec, pid, q, mb->host, msg->n,
			       msg->n + lines);
	} else {
		len = snprintf(name, sizeof(name), "%lld.M%uP%uV0000000000000803I%08lX_0.%s",
			       (long long)mi->delivered, usec, pid, q, mb->host);
	}
	if (!is_new && len > 0)
		snprintf(name + len, sizeof(name) - (size_t)len, ":2,%s", flags);
	snprintf(rel, sizeof(rel), "%s%s%s/%s/%s", mb->rel, dir[0] ? "/" : "", dir,
		 is_new ? "new" : "cur", name);
	if (write_file(g, rel, msg->p, msg->n, mi->delivered) < 0)
		return -1;
	row_add(g, "maildir", rel, 0, mb->folders[folder].name, mi, dup, is_new ? "" : flags,
		msg->n);
	return 0;
}

/* Does the line at p need one more '>' in this mbox flavour? */
static bool
needs_from_quote(const char *p, size_t n, bool rd)
{
	if (rd)
		while (n > 0 && *p == '>') {
			p++;
			n--;
		}
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

static void
deliver_mbox(struct gen *g, unsigned k, const struct buf *msg, const struct minfo *mi,
	     const char *dup, bool noquote)
{
	struct mbox_file *mf = &g->mbox[k];
	struct buf *d = &mf->data;
	const char *p = msg->p, *end = msg->p + msg->n;

	buf_printf(d, "From %s ", mi->env_from[0] ? mi->env_from : "MAILER-DAEMON");
	put_asctime(d, mi->delivered);
	buf_putc(d, '\n');
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (!noquote && needs_from_quote(p, len, mf->rd))
			buf_putc(d, '>');
		buf_put(d, p, len);
		p += len;
	}
	buf_endline(d);
	buf_putc(d, '\n');
	row_add(g, "mbox", mf->rel, mf->count, mf->folder, mi, dup, "", msg->n);
	mf->count++;
	if (mi->delivered > mf->mtime)
		mf->mtime = mi->delivered;
}

static int
deliver_eml(struct gen *g, const char *rel, const char *folder, const struct buf *msg,
	    const struct minfo *mi, const char *dup)
{
	if (write_file(g, rel, msg->p, msg->n, mi->delivered) < 0)
		return -1;
	row_add(g, "eml", rel, 0, folder, mi, dup, "", msg->n);
	return 0;
}

/* Apple Mail .emlx: byte count line, the message, an XML property list. */
static int
deliver_emlx(struct gen *g, const char *rel, const struct buf *msg, const struct minfo *mi)
{
	struct buf f = { 0 };
	int rc;

	buf_printf(&f, "%-10zu\n", msg->n);
	buf_put(&f, msg->p, msg->n);
	buf_printf(&f,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
		   "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
		   "<plist version=\"1.0\">\n<dict>\n"
		   "\t<key>date-last-viewed</key>\n\t<integer>%lld</integer>\n"
		   "\t<key>date-received</key>\n\t<integer>%lld</integer>\n"
		   "\t<key>flags</key>\n\t<integer>8590195713</integer>\n"
		   "\t<key>remote-id</key>\n\t<string>%lu</string>\n"
		   "\t<key>subject</key>\n\t<string>",
		   (long long)mi->delivered + 3600, (long long)mi->delivered, g->seq);
	html_escape(&f, mi->subject, strlen(mi->subject));
	buf_puts(&f, "</string>\n</dict>\n</plist>\n");
	if (f.oom) {
		buf_free(&f);
		return oom_fail();
	}
	rc = write_file(g, rel, f.p, f.n, mi->delivered);
	buf_free(&f);
	if (rc == 0)
		row_add(g, "eml", rel, 0, "eml", mi, NULL, "", msg->n);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Address books */

enum { AB_VCF, AB_LDIF, AB_CSV }; /* gen.ab[] */

static void
ab_email(struct gen *g, unsigned k, const char *norm)
{
	g->ab[k].emails++;
	strset_add(&g->ab_addr, norm);
}

static void
crlf(struct buf *b, const char *line)
{
	buf_puts(b, line);
	buf_puts(b, "\r\n");
}

/* contacts.vcf: vCard 3.0 and 2.1 (QUOTED-PRINTABLE, ISO-8859-1), CRLF. */
static void
make_vcf(struct gen *g, struct buf *b)
{
	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:3.0");
	crlf(b, "PRODID:-//Apple Inc.//macOS 14.1//EN");
	crlf(b, "N:Dupont;Marie;;Mme;");
	crlf(b, "FN:Marie Dupont");
	crlf(b, "ORG:Mairie d'Exemple-sur-Loire;Direction générale des services");
	crlf(b, "TITLE:Directrice générale des services");
	crlf(b, "EMAIL;type=INTERNET;type=WORK;type=pref:marie.dupont@" CITY_DOMAIN);
	crlf(b, "EMAIL;type=INTERNET;type=HOME:marie.dupont@example.net");
	crlf(b, "TEL;type=WORK;type=VOICE:02 38 00 12 01");
	crlf(b, "TEL;type=CELL:+33 6 12 34 56 78");
	crlf(b, "ADR;type=WORK:;;12 place de l'Hôtel de Ville;Exemple-sur-Loire;;45160;France");
	crlf(b, "ADR;type=HOME:;;12 rue de la Paix;Paris;;75002;France");
	crlf(b, "item1.EMAIL;type=INTERNET:m.dupont.perso@example.org");
	crlf(b, "item1.X-ABLabel:_$!<Other>!$_");
	crlf(b, "NOTE:Référente RGPD de la collectivité. Joignable en cas d'incident de sécurité\\, y co");
	crlf(b, " mpris le week-end\\, via la ligne d'astreinte 06 98 76 54 32.");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "marie.dupont@" CITY_DOMAIN);
	ab_email(g, AB_VCF, "marie.dupont@example.net");
	ab_email(g, AB_VCF, "m.dupont.perso@example.org");

	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:2.1");
	crlf(b, "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:L=E9ger;Ren=E9;;M.;");
	crlf(b, "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Ren=E9 L=E9ger");
	crlf(b, "EMAIL;INTERNET;PREF:RENE.LEGER@EXAMPLE.COM");
	crlf(b, "EMAIL;INTERNET;HOME:rene.leger.perso@example.net");
	crlf(b, "TEL;HOME:02 38 45 12 78");
	crlf(b, "TEL;CELL:+33 6 45 78 12 36");
	crlf(b, "ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;14 all=E9e des Tilleuls;Exemple-sur-Loire;;45160;France");
	crlf(b, "NOTE;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Usager signal=E9 par l'accueil. Rembourse=");
	crlf(b, "ment de caution sur FR76 3000 6000 0112 3456 7890 189.");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "rene.leger@example.com");
	ab_email(g, AB_VCF, "rene.leger.perso@example.net");

	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:3.0");
	crlf(b, "N:Lefort;Élodie;;;");
	crlf(b, "FN:Élodie Lefort");
	crlf(b, "ORG:Mairie d'Exemple-sur-Loire;État civil");
	crlf(b, "EMAIL;TYPE=INTERNET,WORK:elodie.lefort@" CITY_DOMAIN);
	crlf(b, "EMAIL;TYPE=INTERNET:élodie@" CITY_DOMAIN);
	crlf(b, "TEL;TYPE=WORK:02 38 00 12 10");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "elodie.lefort@" CITY_DOMAIN);
	ab_email(g, AB_VCF, "élodie@" CITY_DOMAIN);

	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:2.1");
	crlf(b, "N:Benali;Karim");
	crlf(b, "FN:Karim Benali");
	crlf(b, "TITLE:Technicien voirie");
	crlf(b, "EMAIL;INTERNET;WORK:karim.benali@" CITY_DOMAIN);
	crlf(b, "EMAIL;INTERNET;HOME:k.benali@example.net");
	crlf(b, "TEL;WORK;VOICE:02 38 00 12 50");
	crlf(b, "TEL;CELL:06 71 22 48 90");
	crlf(b, "TEL;WORK;FAX:02 38 00 12 99");
	crlf(b, "ADR;WORK:;;Centre technique municipal, route de Saint-Denis;Exemple-sur-Loire;;45160;France");
	crlf(b, "ADR;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:;;5 chemin des Vignes;Saint-Denis-en-Val;;45560;France");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "karim.benali@" CITY_DOMAIN);
	ab_email(g, AB_VCF, "k.benali@example.net");

	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:3.0");
	crlf(b, "FN:Bücherstube Müller");
	crlf(b, "ORG:Bücherstube Müller");
	crlf(b, "EMAIL;TYPE=INTERNET:contact@xn--bcher-kva.example");
	crlf(b, "TEL;TYPE=WORK:+49 30 123456");
	crlf(b, "ADR;TYPE=WORK:;;Straße des 17. Juni 1;Berlin;;10623;Germany");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "contact@bücher.example");

	crlf(b, "BEGIN:VCARD");
	crlf(b, "VERSION:3.0");
	crlf(b, "N:Clarke;Emma;;;");
	crlf(b, "FN:Emma Clarke");
	crlf(b, "ORG:Oakford Town Council");
	crlf(b, "item1.EMAIL;type=INTERNET;type=pref:emma.clarke@oakford-council.example");
	crlf(b, "item1.X-ABLabel:work");
	crlf(b, "item2.EMAIL;type=INTERNET:Emma.Clarke@Example.ORG");
	crlf(b, "item2.X-ABLabel:_$!<Home>!$_");
	crlf(b, "TEL;type=WORK:+44 1632 960 481");
	crlf(b, "END:VCARD");
	ab_email(g, AB_VCF, "emma.clarke@oakford-council.example");
	ab_email(g, AB_VCF, "emma.clarke@example.org");
	g->ab[AB_VCF].cards += 6;

	for (unsigned i = 0; i < 4; i++) {
		const struct resident *res = &g->res[20 + i * 9];
		const char *sp = strchr(res->name, ' ');

		crlf(b, "BEGIN:VCARD");
		crlf(b, "VERSION:3.0");
		buf_printf(b, "N:%s;%.*s;;;\r\n", sp + 1, (int)(sp - res->name), res->name);
		buf_printf(b, "FN:%s\r\n", res->name);
		buf_printf(b, "EMAIL;TYPE=INTERNET,HOME:%s\r\n", res->addr);
		buf_printf(b, "TEL;TYPE=HOME:%s\r\n", res->phone);
		buf_printf(b, "ADR;TYPE=HOME:;;%s;;;;France\r\n", res->postal);
		buf_printf(b, "BDAY:%.4s-%.2s-%.2s\r\n", res->dob + 6, res->dob + 3, res->dob);
		crlf(b, "END:VCARD");
		ab_email(g, AB_VCF, res->addr);
		g->ab[AB_VCF].cards++;
	}
}

static void
ldif_b64(struct buf *b, const char *attr, const char *value)
{
	buf_printf(b, "%s:: ", attr);
	put_base64(b, value, strlen(value), 0);
	buf_putc(b, '\n');
}

static void
ldif_attr(struct buf *b, const char *attr, const char *value)
{
	if (is_ascii(value, strlen(value)))
		buf_printf(b, "%s: %s\n", attr, value);
	else
		ldif_b64(b, attr, value);
}

static void
ldif_person(struct gen *g, struct buf *b, const char *first, const char *last,
	    const char *mail, const char *norm, const char *second, const char *phone,
	    const char *street, const char *city, const char *cp, const char *folded)
{
	char cn[128], dn[256];

	snprintf(cn, sizeof(cn), "%s %s", first, last);
	snprintf(dn, sizeof(dn), "cn=%s,mail=%s", cn, mail);
	ldif_attr(b, "dn", dn);
	buf_puts(b, "objectclass: top\nobjectclass: person\nobjectclass: organizationalPerson\n"
		    "objectclass: inetOrgPerson\nobjectclass: mozillaAbPersonAlpha\n");
	ldif_attr(b, "givenName", first);
	ldif_attr(b, "sn", last);
	ldif_attr(b, "cn", cn);
	ldif_attr(b, "mail", mail);
	ab_email(g, AB_LDIF, norm);
	if (second) {
		ldif_attr(b, "mozillaSecondEmail", second);
		ab_email(g, AB_LDIF, second);
	}
	if (phone)
		ldif_attr(b, "telephoneNumber", phone);
	if (street) {
		ldif_attr(b, "street", street);
		ldif_attr(b, "l", city);
		ldif_attr(b, "postalCode", cp);
		buf_puts(b, "c: FR\n");
	}
	if (folded) /* already in LDIF form, continuation lines included */
		buf_puts(b, folded);
	buf_puts(b, "modifytimestamp: 0Z\n\n");
	g->ab[AB_LDIF].cards++;
}

/* thunderbird.ldif: base64 (::) values and a continuation line. */
static void
make_ldif(struct gen *g, struct buf *b)
{
	ldif_person(g, b, "Marie", "Dupont", "marie.dupont@" CITY_DOMAIN,
		    "marie.dupont@" CITY_DOMAIN, "marie.dupont@example.net", "02 38 00 12 01",
		    "12 place de l'Hôtel de Ville", "Exemple-sur-Loire", "45160", NULL);
	/* a long description folded with a continuation line */
	ldif_person(g, b, "Élodie", "Lefort", "elodie.lefort@" CITY_DOMAIN,
		    "elodie.lefort@" CITY_DOMAIN, NULL, "02 38 00 12 10", NULL, NULL, NULL,
		    "description: Contact pour les demandes d'actes. Ne pas communiquer le nume\n"
		    " ro personnel 06 11 22 33 44 aux usagers.\n");
	ldif_person(g, b, "Crèche", "Les Lutins", "direction@xn--crche-lutins-ydb.example",
		    "direction@crèche-lutins.example", NULL, "02 38 45 67 89",
		    "8 rue des Écoles", "Exemple-sur-Loire", "45160", NULL);
	ldif_person(g, b, "John", "Smith", "John.Smith@Mairie-Exemple.fr",
		    "john.smith@" CITY_DOMAIN, NULL, "02 38 00 12 45", NULL, NULL, NULL, NULL);
	for (unsigned i = 0; i < 4; i++) {
		const struct resident *res = &g->res[60 + i * 11];
		char first[40];
		const char *sp = strchr(res->name, ' ');
		const char *comma = strchr(res->postal, ',');
		char street[96];

		snprintf(first, sizeof(first), "%.*s", (int)(sp - res->name), res->name);
		snprintf(street, sizeof(street), "%.*s", (int)(comma ? comma - res->postal : 0),
			 res->postal);
		ldif_person(g, b, first, sp + 1, res->addr, res->addr, NULL, res->phone,
			    comma ? street : NULL, CITY, CITY_CP, NULL);
	}
}

/* One CSV field; Outlook quotes every field. */
static void
csv_field(struct buf *b, const char *s, bool last)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
	buf_puts(b, last ? "\r\n" : ";");
}

enum {
	OC_CIV, OC_FIRST, OC_MIDDLE, OC_LAST, OC_SUFFIX, OC_COMPANY, OC_DEPT, OC_JOB,
	OC_WSTREET, OC_WCITY, OC_WCP, OC_WCOUNTRY, OC_HSTREET, OC_HCITY, OC_HCP, OC_HCOUNTRY,
	OC_WPHONE, OC_HPHONE, OC_MOBILE, OC_MAIL1, OC_TYPE1, OC_NAME1, OC_MAIL2, OC_TYPE2,
	OC_NAME2, OC_MAIL3, OC_TYPE3, OC_NAME3, OC_BDAY, OC_NOTES, OC_CAT, N_OC
};

static const char *const oc_header[N_OC] = {
	"Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service", "Fonction",
	"Rue (bureau)", "Ville (bureau)", "Code postal (bureau)", "Pays/Région (bureau)",
	"Rue (domicile)", "Ville (domicile)", "Code postal (domicile)", "Pays/Région (domicile)",
	"Téléphone (bureau)", "Téléphone (domicile)", "Tél. mobile", "Adresse de messagerie",
	"Type de messagerie", "Nom complet de l'adresse de messagerie", "Adresse de messagerie 2",
	"Type de messagerie 2", "Nom complet de l'adresse de messagerie 2",
	"Adresse de messagerie 3", "Type de messagerie 3", "Nom complet de l'adresse de messagerie 3",
	"Anniversaire", "Notes", "Catégories",
};

static void
csv_row(struct gen *g, struct buf *b, const char *const *v, const char *const *norms)
{
	for (int i = 0; i < N_OC; i++)
		csv_field(b, v[i] ? v[i] : (i == OC_BDAY ? "0/0/00" : ""), i == N_OC - 1);
	for (; *norms; norms++)
		ab_email(g, AB_CSV, *norms);
	g->ab[AB_CSV].cards++;
}

/* outlook.csv: French Outlook export, ';'-separated, CRLF (converted to windows-1252 later). */
static void
make_outlook_csv(struct gen *g, struct buf *b)
{
	const char *v[N_OC];

	for (int i = 0; i < N_OC; i++)
		csv_field(b, oc_header[i], i == N_OC - 1);
	memset(v, 0, sizeof(v));
	v[OC_CIV] = "Mme";
	v[OC_FIRST] = "Marie";
	v[OC_LAST] = "Dupont";
	v[OC_COMPANY] = CITY_ORG;
	v[OC_DEPT] = "Direction générale";
	v[OC_JOB] = "Directrice générale des services";
	v[OC_WSTREET] = "12 place de l'Hôtel de Ville";
	v[OC_WCITY] = CITY;
	v[OC_WCP] = CITY_CP;
	v[OC_WCOUNTRY] = "France";
	v[OC_HSTREET] = "12 rue de la Paix";
	v[OC_HCITY] = "Paris";
	v[OC_HCP] = "75002";
	v[OC_HCOUNTRY] = "France";
	v[OC_WPHONE] = "02 38 00 12 01";
	v[OC_MOBILE] = "+33 6 12 34 56 78";
	v[OC_MAIL1] = "marie.dupont@" CITY_DOMAIN;
	v[OC_TYPE1] = "SMTP";
	v[OC_NAME1] = "Marie Dupont (marie.dupont@" CITY_DOMAIN ")";
	v[OC_MAIL2] = "marie.dupont@example.net";
	v[OC_TYPE2] = "SMTP";
	v[OC_NAME2] = "Marie Dupont (perso)";
	v[OC_BDAY] = "14/03/1971";
	v[OC_NOTES] = "Référente RGPD ; astreinte : 06 98 76 54 32";
	v[OC_CAT] = "Direction";
	csv_row(g, b, v, (const char *const[]){ "marie.dupont@" CITY_DOMAIN,
						"marie.dupont@example.net", NULL });
	memset(v, 0, sizeof(v));
	v[OC_CIV] = "M.";
	v[OC_FIRST] = "François";
	v[OC_LAST] = "Martin";
	v[OC_COMPANY] = CITY_ORG;
	v[OC_DEPT] = "Urbanisme";
	v[OC_JOB] = "Responsable du service urbanisme";
	v[OC_WPHONE] = "02 38 00 12 30";
	v[OC_MAIL1] = "Francois.Martin@Mairie-Exemple.FR";
	v[OC_TYPE1] = "SMTP";
	v[OC_NAME1] = "François Martin";
	v[OC_NOTES] = "Bureau 2.14\r\nPrésent le mardi et le jeudi\r\nPortable pro : 06 45 12 77 80";
	csv_row(g, b, v, (const char *const[]){ "francois.martin@" CITY_DOMAIN, NULL });
	memset(v, 0, sizeof(v));
	v[OC_FIRST] = "Emma";
	v[OC_LAST] = "Clarke";
	v[OC_COMPANY] = "Oakford Town Council";
	v[OC_JOB] = "Twinning Officer";
	v[OC_WCOUNTRY] = "Royaume-Uni";
	v[OC_WPHONE] = "+44 1632 960 481";
	v[OC_MAIL1] = "emma.clarke@oakford-council.example";
	v[OC_TYPE1] = "SMTP";
	v[OC_NAME1] = "Emma Clarke";
	v[OC_NOTES] = "Contact jumelage – “Oakford’s twinning committee”";
	csv_row(g, b, v, (const char *const[]){ "emma.clarke@oakford-council.example", NULL });
	memset(v, 0, sizeof(v));
	v[OC_COMPANY] = "Crèche Les Lutins";
	v[OC_MAIL1] = "direction@xn--crche-lutins-ydb.example";
	v[OC_TYPE1] = "SMTP";
	v[OC_NAME1] = "Crèche Les Lutins";
	v[OC_WPHONE] = "02 38 45 67 89";
	v[OC_WSTREET] = "8 rue des Écoles";
	v[OC_WCITY] = CITY;
	v[OC_WCP] = CITY_CP;
	csv_row(g, b, v, (const char *const[]){ "direction@crèche-lutins.example", NULL });
	for (unsigned i = 0; i < 6; i++) {
		const struct resident *res = &g->res[100 + i * 7];
		char first[40], street[96], name1[192];
		const char *sp = strchr(res->name, ' ');
		const char *comma = strchr(res->postal, ',');

		snprintf(first, sizeof(first), "%.*s", (int)(sp - res->name), res->name);
		snprintf(street, sizeof(street), "%.*s", (int)(comma ? comma - res->postal : 0),
			 res->postal);
		snprintf(name1, sizeof(name1), "%s (%s)", res->name, res->addr);
		memset(v, 0, sizeof(v));
		v[OC_CIV] = res->p.gender == 'F' ? "Mme" : "M.";
		v[OC_FIRST] = first;
		v[OC_LAST] = sp + 1;
		v[OC_HSTREET] = street;
		v[OC_HCITY] = comma ? comma + 2 : NULL;
		v[OC_HPHONE] = res->phone;
		v[OC_MAIL1] = res->addr;
		v[OC_TYPE1] = "SMTP";
		v[OC_NAME1] = name1;
		v[OC_BDAY] = res->dob;
		v[OC_CAT] = "Usagers";
		csv_row(g, b, v, (const char *const[]){ res->addr, NULL });
	}
}

/* Write the three address books; keeps outlook.csv's bytes in csv_out. */
static int
write_addressbooks(struct gen *g, struct buf *csv_out)
{
	struct buf vcf = { 0 }, ldif = { 0 }, csv = { 0 };
	int rc = -1;

	make_vcf(g, &vcf);
	make_ldif(g, &ldif);
	make_outlook_csv(g, &csv);
	if (!utf8_to_cs(csv_out, csv.p, csv.n, CS_CP1252)) {
		fprintf(stderr, PROG ": internal error: outlook.csv is not windows-1252\n");
		goto cleanup;
	}
	if (vcf.oom || ldif.oom || csv.oom || csv_out->oom) {
		oom_fail();
		goto cleanup;
	}
	if (make_dir(g, "addressbooks") < 0 ||
	    write_file(g, "addressbooks/contacts.vcf", vcf.p, vcf.n, EPOCH_START + 300 * 86400) < 0 ||
	    write_file(g, "addressbooks/thunderbird.ldif", ldif.p, ldif.n,
		       EPOCH_START + 301 * 86400) < 0 ||
	    write_file(g, "addressbooks/outlook.csv", csv_out->p, csv_out->n,
		       EPOCH_START + 302 * 86400) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	buf_free(&vcf);
	buf_free(&ldif);
	buf_free(&csv);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Full mode: the plan of deliveries */

enum dkind { D_MAILDIR, D_MBOX, D_EML, D_EMLX };

struct dest {
	unsigned char kind;
	unsigned char box;    /* maildir: mailbox; mbox: file */
	unsigned char folder; /* maildir folder index */
	bool is_new;          /* maildir new/ */
	const char *flags;    /* maildir cur/ flags */
	const char *name;     /* eml/emlx: path below OUTDIR */
};

enum variant {
	JV_NONE,
	JV_CRLF,    /* written with CRLF line ends */
	JV_NEARDUP, /* same message, a different Delivered-To line per copy */
	JV_NOQUOTE, /* mboxo: leave "From " body lines unquoted */
};

struct job {
	special_fn *fn;   /* NULL: an ordinary message from gs */
	struct gspec gs;
	const char *dup;  /* dup group of byte-identical copies */
	const char *tag;
	struct dest d[3];
	unsigned char nd;
	unsigned char variant;
	int64_t when;
	unsigned idx;     /* plan order, to break ties when sorting */
};

#define FULL_SPECIALS 43 /* deliveries of the fixed cases below */
#define Y2024 1704067200LL

static struct dest
dm(unsigned box, unsigned folder, const char *flags)
{
	struct dest d = { D_MAILDIR, (unsigned char)box, (unsigned char)folder, flags == NULL,
			  flags ? flags : "", NULL };

	return d;
}

static struct dest
dmb(unsigned k)
{
	struct dest d = { D_MBOX, (unsigned char)k, 0, false, "", NULL };

	return d;
}

static struct dest
de(unsigned char kind, const char *name)
{
	struct dest d = { kind, 0, 0, false, "", name };

	return d;
}

struct plan {
	struct job *v;
	size_t n, cap;
};

static struct job *
plan_add(struct plan *p, special_fn *fn, struct dest d)
{
	struct job *j;

	if (p->n == p->cap)
		return NULL; /* sized in advance */
	j = &p->v[p->n];
	memset(j, 0, sizeof(*j));
	j->fn = fn;
	j->gs.topic = -1;
	j->gs.shape = -1;
	j->d[0] = d;
	j->nd = 1;
	j->idx = (unsigned)p->n;
	p->n++;
	return j;
}

static int
cmp_job(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
plan_specials(struct plan *p)
{
	struct job *j;

	plan_add(p, sp_alt_latin1, dm(MB_MARIE, 0, "S"));
	plan_add(p, sp_html_only, dm(MB_MARIE, 0, ""));
	plan_add(p, sp_mixed_pdf_png, dm(MB_MARIE, 0, "RS"));
	plan_add(p, sp_docx_csv, dm(MB_MARIE, 3, "S"));
	plan_add(p, sp_vcard, dm(MB_JOHN, 0, "S"));
	plan_add(p, sp_related, dm(MB_MARIE, 1, "S"));
	plan_add(p, sp_fwd_with_att, dm(MB_JOHN, 0, "RS"));
	plan_add(p, sp_fwd_nested, dm(MB_MARIE, 0, "FS"));
	plan_add(p, sp_groups_bcc, dm(MB_MARIE, 1, "S"));
	plan_add(p, sp_equipe_invalid, dm(MB_JOHN, 0, "S"));
	plan_add(p, sp_idn_unicode, dm(MB_MARIE, 0, "S"));
	plan_add(p, sp_idn_puny, dm(MB_JOHN, 1, "S"));
	plan_add(p, sp_lying_charset, dm(MB_MARIE, 0, "S"));
	plan_add(p, sp_unknown_charset, dm(MB_JOHN, 0, "S"));
	plan_add(p, sp_trunc_b64, de(D_EML, "eml/avis-sommes-a-payer-tronque.eml"));
	plan_add(p, sp_missing_boundary, dmb(0));
	plan_add(p, sp_bad_utf8_header, dm(MB_JOHN, 0, NULL));
	plan_add(p, sp_long_header, dm(MB_MARIE, 0, "S"));
	plan_add(p, sp_deep, de(D_EML, "eml/formulaire-contact-imbrique.eml"));
	plan_add(p, sp_no_date, dm(MB_JOHN, 0, "S"));
	plan_add(p, sp_bad_date, dmb(0));
	plan_add(p, sp_no_msgid, dm(MB_MARIE, 0, NULL));
	plan_add(p, sp_latin9, dm(MB_MARIE, 0, "S"));
	plan_add(p, sp_cp1252, dm(MB_JOHN, 0, "S"));
	plan_add(p, sp_b_latin1, dm(MB_MARIE, 2, "S"));
	plan_add(p, sp_mboxrd_from, dmb(0));
	j = plan_add(p, sp_mboxo_unquoted, dmb(1));
	j->variant = JV_NOQUOTE;
	plan_add(p, sp_content_length, dmb(1));
	plan_add(p, sp_csv_export, dm(MB_MARIE, 0, "S"));

	/* the same bytes delivered three times: both users and the mbox export */
	j = plan_add(p, NULL, dm(MB_MARIE, 0, "S"));
	j->d[1] = dm(MB_JOHN, 0, "RS");
	j->d[2] = dmb(0);
	j->nd = 3;
	j->dup = "dup-1";
	j->gs.owner = &staff[S_MARIE];
	j->gs.from = &partners[Q_PREF];
	j->gs.to[0] = &staff[S_MARIE];
	j->gs.to[1] = &staff[S_JOHN];
	j->gs.n_to = 2;
	j->gs.topic = T_CAB;
	j->gs.shape = SH_MIXED;
	/* Marie's sent copy and John's received one */
	j = plan_add(p, NULL, dm(MB_MARIE, 1, "S"));
	j->d[1] = dm(MB_JOHN, 0, "S");
	j->nd = 2;
	j->dup = "dup-2";
	j->gs.owner = &staff[S_MARIE];
	j->gs.outgoing = true;
	j->gs.to[0] = &staff[S_JOHN];
	j->gs.n_to = 1;
	j->gs.topic = T_TWIN;
	j->gs.shape = SH_ALT;
	/* saved as .eml and still in the archive folder */
	j = plan_add(p, NULL, de(D_EML, "eml/convocation-visite-medicale.eml"));
	j->d[1] = dm(MB_MARIE, 2, "S");
	j->nd = 2;
	j->dup = "dup-3";
	j->gs.owner = &staff[S_MARIE];
	j->gs.from = &staff[S_RH];
	j->gs.topic = T_RH;
	j->gs.shape = SH_SMALLATT;
	j->gs.received = true;

	j = plan_add(p, NULL, de(D_EMLX, "eml/48213.emlx"));
	j->gs.owner = &staff[S_JOHN];
	j->gs.topic = T_TWIN;
	j->gs.received = true;
	j = plan_add(p, NULL, de(D_EML, "eml/nested/message-sans-extension"));
	j->gs.owner = &staff[S_SOPHIE];
	j->gs.received = true;
	j = plan_add(p, NULL, de(D_EML, "eml/outlook-export-crlf.eml"));
	j->variant = JV_CRLF;
	j->tag = "crlf";
	j->gs.owner = &staff[S_FRANCOIS];
	j->gs.topic = T_URBA;
	j->gs.shape = SH_MIXED;
	j->gs.received = true;
	/* one Message-ID, two different files */
	j = plan_add(p, NULL, dm(MB_MARIE, 0, "S"));
	j->d[1] = dm(MB_JOHN, 0, "S");
	j->nd = 2;
	j->variant = JV_NEARDUP;
	j->tag = "msgid-collision";
	j->gs.owner = &staff[S_MARIE];
	j->gs.from = &partners[Q_SDIS];
	j->gs.to[0] = &staff[S_MARIE];
	j->gs.to[1] = &staff[S_JOHN];
	j->gs.n_to = 2;
	j->gs.topic = T_TECH;
	j->gs.received = true;
	j = plan_add(p, NULL, dm(MB_JOHN, 2, "DS"));
	j->gs.owner = &staff[S_JOHN];
	j->gs.outgoing = true;
	j = plan_add(p, NULL, dm(MB_MARIE, 4, "ST"));
	j->gs.owner = &staff[S_MARIE];
	j->gs.received = true;
}

static void
plan_fillers(struct gen *g, struct plan *p, unsigned long n)
{
	static const char *const inbox_flags[] = { "S", "S", "S", "S", "RS", "RS", "FS", "",
						   "FRS", "S" };
	struct rng *r = &g->rng;

	for (unsigned long i = 0; i < n; i++) {
		unsigned k = rng_below(r, 100);
		struct job *j;

		if (k < 28 || (k >= 56 && k < 74)) {
			unsigned box = k < 28 ? MB_MARIE : MB_JOHN;
			bool is_new = rng_chance(r, 8);

			j = plan_add(p, NULL, dm(box, 0, is_new ? NULL : PICK(r, inbox_flags)));
			j->gs.owner = &staff[box == MB_MARIE ? S_MARIE : S_JOHN];
			j->gs.received = true;
			j->gs.delivered_to = rng_chance(r, 50);
		} else if (k < 38 || (k >= 74 && k < 82)) {
			unsigned box = k < 38 ? MB_MARIE : MB_JOHN;

			j = plan_add(p, NULL, dm(box, 1, "S"));
			j->gs.owner = &staff[box == MB_MARIE ? S_MARIE : S_JOHN];
			j->gs.outgoing = true;
		} else if (k < 56) {
			bool y24 = k >= 44;

			j = plan_add(p, NULL, dm(MB_MARIE, y24 ? 3 : 2, rng_chance(r, 70) ? "S" : "RS"));
			j->gs.owner = &staff[S_MARIE];
			j->gs.received = rng_chance(r, 70);
			j->gs.outgoing = !j->gs.received;
		} else if (k < 91) {
			bool old = k < 87;

			j = plan_add(p, NULL, dmb(old ? 0 : 1));
			j->gs.owner = &staff[old ? S_MARIE : S_ACCUEIL];
			j->gs.received = rng_chance(r, 75);
			j->gs.outgoing = !j->gs.received;
		} else {
			/* named at delivery from its topic */
			j = plan_add(p, NULL, de(D_EML, NULL));
			j->gs.owner = &staff[rng_below(r, S_ACCUEIL)];
			j->gs.received = true;
			j->gs.topic = pick_topic(r, j->gs.owner);
		}
	}
}

/* When each job happens: a fixed window for archive folders, else the whole span. */
static void
plan_dates(struct gen *g, struct plan *p)
{
	struct rng *r = &g->rng;

	for (size_t i = 0; i < p->n; i++) {
		struct job *j = &p->v[i];
		int64_t lo = EPOCH_START, span = EPOCH_SPAN;
		uint32_t day, sec;

		for (unsigned k = 0; k < j->nd; k++) {
			if (j->d[k].kind == D_MAILDIR && j->d[k].box == MB_MARIE &&
			    j->d[k].folder == 3) {
				lo = Y2024;
				span = EPOCH_START + EPOCH_SPAN - Y2024;
			} else if ((j->d[k].kind == D_MAILDIR && j->d[k].box == MB_MARIE &&
				    j->d[k].folder == 2) ||
				   (j->d[k].kind == D_MBOX && j->d[k].box == 0)) {
				lo = EPOCH_START;
				span = Y2024 - EPOCH_START;
			}
		}
		/* mostly office hours, Paris time */
		day = rng_below(r, (uint32_t)(span / 86400));
		sec = rng_chance(r, 90) ? 6 * 3600 + rng_below(r, 12 * 3600) : rng_below(r, 86400);
		j->when = lo + (int64_t)day * 86400 + (int64_t)sec;
	}
}

/* Deliver bytes to one destination. */
static int
deliver(struct gen *g, const struct job *j, const struct dest *d, const struct buf *msg,
	const struct minfo *mi, const char *dup)
{
	char name[128];

	switch (d->kind) {
	case D_MAILDIR:
		return deliver_maildir(g, &full_boxes[d->box], d->folder, d->is_new, d->flags, msg,
				       mi, dup);
	case D_MBOX:
		deliver_mbox(g, d->box, msg, mi, dup, j->variant == JV_NOQUOTE);
		if (j->variant == JV_NOQUOTE)
			g->naive_extra++;
		return 0;
	case D_EMLX:
		return deliver_emlx(g, d->name, msg, mi);
	default:
		if (d->name)
			return deliver_eml(g, d->name, strncmp(d->name, "eml/nested/", 11) == 0 ?
							       "eml/nested" : "eml",
					   msg, mi, dup);
		snprintf(name, sizeof(name), "eml/%s-%06lu.eml",
			 topics[j->gs.topic >= 0 ? j->gs.topic : 0].code, g->seq);
		return deliver_eml(g, name, "eml", msg, mi, dup);
	}
}

static void
to_crlf(struct buf *out, const struct buf *in)
{
	for (size_t i = 0; i < in->n; i++) {
		if (in->p[i] == '\n')
			buf_putc(out, '\r');
		buf_putc(out, in->p[i]);
	}
}

static int
run_job(struct gen *g, const struct job *j)
{
	struct buf *b = &g->msg;
	struct minfo mi;
	struct buf alt = { 0 };
	int rc = 0;

	buf_reset(b);
	mi_init(&mi);
	mi.delivered = j->when;
	if (j->fn)
		j->fn(g, b, &mi);
	else
		gen_message(g, b, &mi, &j->gs, 0);
	if (j->tag)
		mi.tag = j->tag;
	if (j->variant == JV_CRLF) {
		to_crlf(&alt, b);
		buf_reset(b);
		buf_put(b, alt.p, alt.n);
	}
	if (b->oom || alt.oom) {
		buf_free(&alt);
		return oom_fail();
	}
	if (j->dup) {
		g->n_dup += j->nd - 1u;
		g->n_dupgroups++;
	}
	for (unsigned k = 0; k < j->nd && rc == 0; k++) {
		if (j->variant == JV_NEARDUP) {
			const struct mailbox *mb = &full_boxes[j->d[k].box];

			buf_reset(&alt);
			buf_printf(&alt, "Delivered-To: %s@" CITY_DOMAIN "\n",
				   strchr(mb->rel, '/') + 1);
			buf_put(&alt, b->p, b->n);
			if (alt.oom)
				rc = oom_fail();
			else
				rc = deliver(g, j, &j->d[k], &alt, &mi, NULL);
		} else {
			rc = deliver(g, j, &j->d[k], b, &mi, j->dup);
		}
	}
	buf_free(&alt);
	return rc;
}

static int
run_full(struct gen *g)
{
	struct plan p = { 0 };
	struct buf csv = { 0 };
	int rc = -1;

	if (g->o.messages < FULL_SPECIALS) {
		/* checked by the option parser; kept for safety */
		fprintf(stderr, PROG ": --messages: at least %d in full mode\n", FULL_SPECIALS);
		return -1;
	}
	p.cap = g->o.messages;
	p.v = calloc(p.cap, sizeof(*p.v));
	if (!p.v)
		return oom_fail();
	if (write_addressbooks(g, &csv) < 0)
		goto cleanup;
	g->ab_csv = &csv;
	if (make_dir(g, "maildir") < 0 || setup_mailbox(g, &full_boxes[MB_MARIE]) < 0 ||
	    setup_mailbox(g, &full_boxes[MB_JOHN]) < 0 || make_dir(g, "mbox") < 0 ||
	    make_dir(g, "eml") < 0 || make_dir(g, "eml/nested") < 0)
		goto cleanup;
	/* Dovecot's subscriptions file, and a message still being delivered in tmp/ */
	if (write_file(g, "maildir/marie.dupont/subscriptions",
		       "Sent\nArchives\nArchives.2024\nTrash\n",
		       strlen("Sent\nArchives\nArchives.2024\nTrash\n"), EPOCH_START + 86400) < 0)
		goto cleanup;
	g->n_other++;
	plan_specials(&p);
	{
		size_t deliveries = 0;

		for (size_t i = 0; i < p.n; i++)
			deliveries += p.v[i].nd;
		if (deliveries != FULL_SPECIALS) {
			fprintf(stderr, PROG ": internal error: %zu special deliveries\n", deliveries);
			goto cleanup;
		}
	}
	plan_fillers(g, &p, g->o.messages - FULL_SPECIALS);
	plan_dates(g, &p);
	qsort(p.v, p.n, sizeof(*p.v), cmp_job);
	for (size_t i = 0; i < p.n; i++)
		if (run_job(g, &p.v[i]) < 0)
			goto cleanup;
	{
		struct minfo mi;
		struct gspec gs = { .owner = &staff[S_MARIE], .topic = T_CAB, .shape = SH_PLAIN,
				    .received = true };

		buf_reset(&g->msg);
		mi_init(&mi);
		mi.delivered = EPOCH_START + EPOCH_SPAN;
		gen_message(g, &g->msg, &mi, &gs, 0);
		if (g->msg.oom)
			goto cleanup;
		/* interrupted delivery: half a message */
		if (write_file(g, "maildir/marie.dupont/tmp/1719230400.M1P999.mail." CITY_DOMAIN,
			       g->msg.p, g->msg.n / 2, mi.delivered) < 0)
			goto cleanup;
		g->n_tmp++;
	}
	for (unsigned k = 0; k < N_MBOX; k++) {
		struct mbox_file *mf = &g->mbox[k];

		if (mf->data.oom) {
			oom_fail();
			goto cleanup;
		}
		if (write_file(g, mf->rel, mf->data.p, mf->data.n, mf->mtime) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	g->ab_csv = NULL;
	buf_free(&csv);
	free(p.v);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Maildir-only mode (benchmark): one mailbox, exactly N messages */

static int
run_maildir_only(struct gen *g)
{
	static const unsigned weights[] = { 55, 18, 6, 10, 4, 5, 2 }; /* bench_folders */
	static const char *const inbox_flags[] = { "S", "S", "S", "S", "RS", "RS", "FS", "",
						   "FRS", "S" };
	struct rng *r = &g->rng;
	int64_t t = EPOCH_START + 8 * 3600;
	int64_t step = EPOCH_SPAN * 13 / 24 / (int64_t)g->o.messages; /* office hours only */

	if (step < 2)
		step = 2;
	if (setup_mailbox(g, &bench_box) < 0)
		return -1;
	for (unsigned long i = 0; i < g->o.messages; i++) {
		struct minfo mi;
		struct gspec gs = { .topic = -1, .shape = -1, .owner = &staff[S_MARIE] };
		unsigned k = rng_below(r, 100), f = 0, acc = 0;
		bool is_new = false;
		const char *flags = "S";

		while (f + 1 < ARRAY_LEN(weights) && k >= acc + weights[f])
			acc += weights[f++];
		gs.outgoing = f == 1;
		gs.received = !gs.outgoing;
		gs.delivered_to = rng_chance(r, 50);
		if (f == 0) {
			is_new = rng_chance(r, 6);
			flags = PICK(r, inbox_flags);
		} else if (f == 6) {
			flags = "ST";
		}
		t += 1 + (int64_t)rng_below(r, (uint32_t)(2 * step));
		if (t % 86400 < 6 * 3600) /* nights are quiet: move to the morning */
			t += 6 * 3600 - t % 86400 + (int64_t)rng_below(r, 1800);
		else if (t % 86400 >= 19 * 3600)
			t += 86400 - t % 86400 + 6 * 3600 + (int64_t)rng_below(r, 1800);
		mi_init(&mi);
		mi.delivered = t;
		buf_reset(&g->msg);
		gen_message(g, &g->msg, &mi, &gs, 0);
		if (g->msg.oom)
			return oom_fail();
		if (deliver_maildir(g, &bench_box, f, is_new, flags, &g->msg, &mi, NULL) < 0)
			return -1;
	}
	{
		static const char partial[] = "Return-Path: <accueil@" CITY_DOMAIN ">\n"
					      "Date: Mon, 24 Jun 2024 12:00:00 +0200\n"
					      "From: accueil@" CITY_DOMAIN "\nSubject: Relan";

		if (write_file(g, "maildir/tmp/1719230400.M1P999.mail." CITY_DOMAIN, partial,
			       sizeof(partial) - 1, EPOCH_START + EPOCH_SPAN) < 0)
			return -1;
		g->n_tmp++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* manifest.tsv and summary.txt */

static int
write_manifest(struct gen *g)
{
	struct buf out = { 0 };
	int rc;

	for (size_t i = 0; i < g->n_rows; i++)
		g->rowv[i].base = g->rows.p;
	qsort(g->rowv, g->n_rows, sizeof(*g->rowv), cmp_row);
	buf_puts(&out, manifest_header);
	for (size_t i = 0; i < g->n_rows; i++)
		buf_put(&out, g->rows.p + g->rowv[i].off, g->rowv[i].len);
	if (out.oom || g->rows.oom) {
		buf_free(&out);
		return oom_fail();
	}
	rc = write_file(g, "manifest.tsv", out.p, out.n, EPOCH_START + EPOCH_SPAN + 86400);
	buf_free(&out);
	return rc;
}

static int
write_summary(struct gen *g)
{
	struct buf s = { 0 };
	unsigned cards = 0, emails = 0;
	int rc;

	for (size_t k = 0; k < ARRAY_LEN(g->ab); k++) {
		cards += g->ab[k].cards;
		emails += g->ab[k].emails;
	}
	buf_printf(&s, "generator=" PROG " " GEN_VERSION "\n");
	buf_printf(&s, "mode=%s\n", g->o.maildir_only ? "maildir-only" : "full");
	buf_printf(&s, "seed=%llu\n", (unsigned long long)g->o.seed);
	buf_printf(&s, "messages=%lu\n", g->n_msg);
	buf_printf(&s, "embedded_messages=%lu\n", g->n_emb);
	buf_printf(&s, "attachments=%lu\n", g->n_att);
	buf_printf(&s, "duplicate_deliveries=%lu\n", g->n_dup);
	buf_printf(&s, "duplicate_groups=%lu\n", g->n_dupgroups);
	buf_printf(&s, "unique_addresses=%zu\n", g->addr_top.n);
	buf_printf(&s, "unique_addresses_with_embedded=%zu\n", g->addr_all.n);
	buf_printf(&s, "maildir_messages=%lu\n", g->n_maildir);
	buf_printf(&s, "mbox_messages=%lu\n", g->n_mbox);
	buf_printf(&s, "eml_messages=%lu\n", g->n_eml);
	buf_printf(&s, "maildir_folders=%lu\n", g->n_folders);
	buf_printf(&s, "maildir_tmp_files=%lu\n", g->n_tmp);
	buf_printf(&s, "maildir_marker_files=%lu\n", g->n_markers);
	buf_printf(&s, "maildir_other_files=%lu\n", g->n_other);
	buf_printf(&s, "mbox_files=%d\n", g->o.maildir_only ? 0 : N_MBOX);
	buf_printf(&s, "mbox_naive_split_extra=%lu\n", g->naive_extra);
	buf_printf(&s, "messages_without_message_id=%lu\n", g->n_nomsgid);
	buf_printf(&s, "messages_without_valid_date=%lu\n", g->n_nodate);
	buf_printf(&s, "tagged_messages=%lu\n", g->n_tagged);
	buf_printf(&s, "addressbook_entries=%u\n", cards);
	buf_printf(&s, "addressbook_emails=%u\n", emails);
	buf_printf(&s, "addressbook_unique_addresses=%zu\n", g->ab_addr.n);
	for (size_t k = 0; k < ARRAY_LEN(g->ab); k++) {
		char key[32];
		size_t i;

		for (i = 0; g->ab[k].file[i] && i + 1 < sizeof(key); i++)
			key[i] = g->ab[k].file[i] == '.' ? '_' : g->ab[k].file[i];
		key[i] = '\0';
		buf_printf(&s, "%s_cards=%u\n%s_emails=%u\n", key, g->ab[k].cards, key,
			   g->ab[k].emails);
	}
	if (s.oom || g->addr_top.oom || g->addr_all.oom || g->ab_addr.oom) {
		buf_free(&s);
		return oom_fail();
	}
	rc = write_file(g, "summary.txt", s.p, s.n, EPOCH_START + EPOCH_SPAN + 86400);
	buf_free(&s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Command line */

#define TOOL_CONTINUE (-1)

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [--seed N] [--messages N] [--maildir-only] [--quiet] OUTDIR\n"
		"\n"
		"Write deterministic synthetic mail evidence (maildir, mbox, .eml/.emlx,\n"
		"address books) for leakaudit's tests, demo and benchmark, with\n"
		"manifest.tsv and summary.txt describing exactly what was written.\n"
		"The same seed and options always give byte-identical output.\n"
		"\n"
		"  --seed N        PRNG seed (default 1)\n"
		"  --messages N    messages delivered in total (default 120; at least %d\n"
		"                  in full mode, where %d are fixed special cases)\n"
		"  --maildir-only  only OUTDIR/maildir/: one Maildir++ mailbox with exactly\n"
		"                  N messages (benchmark mode)\n"
		"  --people        only OUTDIR/people/: address books and mail whose people\n"
		"                  are known, and OUTDIR/people-expected.tsv (gen-books.c)\n"
		"  --containers    only container fixtures (archives with mail, archives\n"
		"                  attached to mail): see tests/gen/gen-containers.c\n"
		"  --pii N         only OUTDIR/pii/: N messages with labelled personal data\n"
		"                  and decoys, and OUTDIR/pii-truth.tsv (gen-pii.c)\n"
		"  --quiet         print nothing on success\n"
		"  --help          show this help\n"
		"\n"
		"OUTDIR is created; it must not exist or be empty.\n"
		"Exit status: 0 success, 2 usage error, 3 I/O error or OUTDIR not empty.\n",
		FULL_SPECIALS, FULL_SPECIALS);
}

static bool
parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int
bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s '%s' (try --help)\n", what, arg);
	return EXIT_USAGE;
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	bool only_args = false;

	o->seed = 1;
	o->messages = 120;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		size_t nlen;
		unsigned long long v;

		if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->outdir)
				return bad_usage("unexpected argument", a);
			o->outdir = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--maildir-only") == 0) {
			o->maildir_only = true;
			continue;
		}
		if (strcmp(a, "--people") == 0) {
			o->people = true;
			continue;
		}
		if (strcmp(a, "--containers") == 0) {
			o->containers = true;
			continue;
		}
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			o->quiet = true;
			continue;
		}
		nlen = strcspn(a, "=");
		if ((nlen == 6 && strncmp(a, "--seed", 6) == 0) ||
		    (nlen == 10 && strncmp(a, "--messages", 10) == 0) ||
		    (nlen == 5 && strncmp(a, "--pii", 5) == 0)) {
			if (a[nlen] == '=')
				val = a + nlen + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return bad_usage("a value is needed by option", a);
			if (nlen == 5) {
				if (!parse_u64(val, 10000000ULL, &v) || v == 0)
					return bad_usage("--pii: expected 1..10000000, got", val);
				o->pii = (unsigned long)v;
			} else if (nlen == 6) {
				if (!parse_u64(val, UINT64_MAX, &v))
					return bad_usage("--seed: not a number:", val);
				o->seed = v;
			} else {
				if (!parse_u64(val, 50000000ULL, &v) || v == 0)
					return bad_usage("--messages: expected 1..50000000, got",
							 val);
				o->messages = (unsigned long)v;
			}
			continue;
		}
		return bad_usage("unknown option", a);
	}
	if (!o->outdir)
		return bad_usage("missing argument", "OUTDIR");
	if (!o->maildir_only && o->messages < FULL_SPECIALS) {
		fprintf(stderr, PROG ": --messages: at least %d in full mode (got %lu)\n",
			FULL_SPECIALS, o->messages);
		return EXIT_USAGE;
	}
	return TOOL_CONTINUE;
}

static void
gen_free(struct gen *g)
{
	if (!g)
		return;
	free(g->res);
	buf_free(&g->msg);
	buf_free(&g->t1);
	buf_free(&g->t3);
	buf_free(&g->t4);
	buf_free(&g->rows);
	free(g->rowv);
	strset_free(&g->addr_top);
	strset_free(&g->addr_all);
	strset_free(&g->ab_addr);
	for (unsigned k = 0; k < N_MBOX; k++)
		buf_free(&g->mbox[k].data);
	free(g);
}

static int
run(struct gen *g)
{
	struct rng rr;

	if (prepare_outdir(g->o.outdir) < 0)
		return -1;
	if (g->o.people)
		return gen_books_people(g->o.outdir);
	crc_init(g);
	/* residents come from their own stream: the same people whatever the mode */
	rng_seed(&rr, g->o.seed, 1);
	g->n_res = N_RESIDENTS;
	g->res = calloc(g->n_res, sizeof(*g->res));
	if (!g->res)
		return oom_fail();
	for (unsigned i = 0; i < N_RESIDENTS; i++)
		make_resident(&g->res[i], &rr, i);
	rng_seed(&g->rng, g->o.seed, g->o.maildir_only ? 3 : 2);
	g->ab[AB_VCF].file = "contacts.vcf";
	g->ab[AB_LDIF].file = "thunderbird.ldif";
	g->ab[AB_CSV].file = "outlook.csv";
	g->mbox[0].rel = "mbox/archives-2023.mbox";
	g->mbox[0].folder = "archives-2023.mbox";
	g->mbox[0].rd = true;
	g->mbox[1].rel = "mbox/ancien-serveur.mbox";
	g->mbox[1].folder = "ancien-serveur.mbox";
	g->mbox[1].rd = false;
	if (g->o.maildir_only) {
		if (make_dir(g, "maildir") < 0 || run_maildir_only(g) < 0)
			return -1;
	} else if (run_full(g) < 0) {
		return -1;
	}
	if (write_manifest(g) < 0 || write_summary(g) < 0)
		return -1;
	if (!g->o.quiet)
		printf(PROG ": wrote %lu messages (%lu maildir, %lu mbox, %lu eml), "
		       "%lu attachments, %lu embedded messages to %s\n",
		       g->n_msg, g->n_maildir, g->n_mbox, g->n_eml, g->n_att, g->n_emb,
		       g->o.outdir);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct gen *g;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--triage") == 0)
		return gen_triage_main(argc - 1, argv + 1);
	rc = parse_args(&o, argc, argv);

	if (rc != TOOL_CONTINUE)
		return rc;
	if (o.containers)
		return gen_containers(o.outdir, o.quiet) == 0 ? 0 : EXIT_CANNOT;
	if (o.pii)
		return gen_pii_write(o.outdir, o.seed, o.pii) == 0 ? 0 : EXIT_CANNOT;
	g = calloc(1, sizeof(*g));
	if (!g) {
		oom_fail();
		return EXIT_CANNOT;
	}
	g->o = o;
	rc = run(g) == 0 ? 0 : EXIT_CANNOT;
	gen_free(g);
	if (rc == 0 && fflush(stdout) != 0)
		rc = EXIT_CANNOT;
	return rc;
}
