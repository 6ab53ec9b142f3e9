/*
 * extract.c — text of attachments for the personal-data scan: plain text
 * (UTF-8, UTF-16 with a BOM, else windows-1252), HTML (lib/html.c), CSV,
 * vCard (lines unfolded) and RTF (control words stripped, \'hh and \uN
 * decoded).  These are our own small parsers, bounded and linear, so they
 * run in-process.  Office (OOXML, ODF) and PDF are reported 'unsupported'
 * until their extractors (libarchive + libxml2, poppler, in a child
 * process) land.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"

bool
lka_extract__find_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
	const unsigned char *h = hay, *nd = needle;

	if (m == 0)
		return true;
	for (size_t i = 0; i + m <= n; i++)
		if (h[i] == nd[0] && memcmp(h + i, nd, m) == 0)
			return true;
	return false;
}

static bool
has_suffix(const char *name, const char *suf)
{
	size_t n, s;

	if (!name)
		return false;
	n = strlen(name);
	s = strlen(suf);
	return n >= s && strcasecmp(name + n - s, suf) == 0;
}

static bool
type_is(const char *type, const char *t)
{
	size_t n = strlen(t);

	return type && strncasecmp(type, t, n) == 0 && (type[n] == '\0' || type[n] == ';');
}

static bool
starts(const unsigned char *d, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(d, magic, m) == 0;
}

/* Mostly text: no NUL and few control bytes in the first 8 KiB. */
static bool
looks_text(const unsigned char *d, size_t n)
{
	size_t lim = n < 8192 ? n : 8192, bad = 0;

	for (size_t i = 0; i < lim; i++) {
		if (d[i] == 0)
			return false;
		if (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t' && d[i] != '\f')
			bad++;
	}
	return bad * 100 <= lim;
}

/* UTF-16 with a BOM to UTF-8 (unpaired surrogates become U+FFFD). */
static char *
utf16_to_utf8(const unsigned char *d, size_t n, bool be, size_t *len)
{
	lka_buf b;

	lka_buf_init(&b, 0);
	for (size_t i = 2; i + 1 < n; i += 2) {
		uint32_t u = be ? (uint32_t)(d[i] << 8 | d[i + 1]) : (uint32_t)(d[i + 1] << 8 | d[i]);
		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
			uint32_t l = be ? (uint32_t)(d[i + 2] << 8 | d[i + 3])
					: (uint32_t)(d[i + 3] << 8 | d[i + 2]);
			if (l >= 0xDC00 && l <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
				i += 2;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (u == 0)
			u = ' ';
		lka_utf8__put(&b, u);
	}
	if (b.oom) {
		lka_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		lka_buf_adds(&b, "");
	return lka_buf_steal(&b, len);
}

static char *
plain_text(const unsigned char *d, size_t n, size_t *len)
{
	char *t;

	if (n >= 2 && d[0] == 0xFF && d[1] == 0xFE)
		return utf16_to_utf8(d, n, false, len);
	if (n >= 2 && d[0] == 0xFE && d[1] == 0xFF)
		return utf16_to_utf8(d, n, true, len);
	if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
		d += 3, n -= 3;
	t = lka_text_to_utf8((const char *)d, n, NULL, NULL);
	if (t)
		*len = strlen(t);
	return t;
}

/* vCard: unfold continuation lines (CRLF + space or tab). */
static char *
vcard_text(const unsigned char *d, size_t n, size_t *len)
{
	char *t = plain_text(d, n, len), *w;

	if (!t)
		return NULL;
	w = t;
	for (size_t i = 0; i < *len; i++) {
		if (t[i] == '\r' && i + 1 < *len && t[i + 1] == '\n')
			continue;
		if (t[i] == '\n' && i + 1 < *len && (t[i + 1] == ' ' || t[i + 1] == '\t')) {
			i++;
			continue;
		}
		*w++ = t[i];
	}
	*w = '\0';
	*len = (size_t)(w - t);
	return t;
}

/* windows-1252 byte to a code point (undefined bytes: U+FFFD). */
static uint32_t
cp1252(unsigned c)
{
	static const unsigned short hi[32] = {
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
		0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	};
	return c >= 0x80 && c < 0xA0 ? hi[c - 0x80] : c;
}

/*
 * RTF to text: groups starting with \* (and fonttbl, colortbl, stylesheet,
 * info, pict, object) are skipped; \par, \line, \row, \cell become breaks;
 * \'hh is windows-1252; \uN is Unicode (its fallback characters skipped).
 */
static char *
rtf_text(const unsigned char *d, size_t n, size_t *len)
{
	enum { MAXDEPTH = 64 };
	int skip_depth = -1, depth = 0, uc = 1, pending_skip = 0;
	lka_buf b;

	lka_buf_init(&b, 0);
	for (size_t i = 0; i < n && !b.oom;) {
		unsigned c = d[i];

		if (c == '{') {
			depth++;
			i++;
			if (i + 1 < n && d[i] == '\\' && d[i + 1] == '*' && skip_depth < 0)
				skip_depth = depth;
			continue;
		}
		if (c == '}') {
			if (skip_depth == depth)
				skip_depth = -1;
			if (depth > 0)
				depth--;
			i++;
			continue;
		}
		if (c == '\r' || c == '\n') {
			i++;
			continue;
		}
		if (c != '\\') {
			if (skip_depth < 0) {
				if (pending_skip > 0)
					pending_skip--;
				else
					lka_utf8__put(&b, cp1252(c));
			}
			i++;
			continue;
		}
		/* control */
		i++;
		if (i >= n)
			break;
		c = d[i];
		if (c == '\'') {
			int h1 = i + 1 < n ? lka__hexval(d[i + 1]) : -1, h2 = i + 2 < n ? lka__hexval(d[i + 2]) : -1;
			i += 3;
			if (h1 >= 0 && h2 >= 0 && skip_depth < 0) {
				if (pending_skip > 0)
					pending_skip--;
				else
					lka_utf8__put(&b, cp1252((unsigned)(h1 * 16 + h2)));
			}
			continue;
		}
		if (!((c | 0x20) - 'a' < 26u)) {
			/* control symbol: \\ \{ \} \~ */
			if (skip_depth < 0 && (c == '\\' || c == '{' || c == '}'))
				lka_buf_addc(&b, (int)c);
			else if (skip_depth < 0 && c == '~')
				lka_buf_addc(&b, ' ');
			i++;
			continue;
		}
		{
			char word[32];
			size_t k = 0;
			long arg = 0;
			bool has_arg = false, neg = false;

			while (i < n && (unsigned)(d[i] | 0x20) - (unsigned)'a' < 26u) {
				if (k + 1 < sizeof word)
					word[k++] = (char)d[i];
				i++;
			}
			word[k] = '\0';
			if (i < n && d[i] == '-')
				neg = true, i++;
			while (i < n && (unsigned)d[i] - (unsigned)'0' < 10u) {
				if (arg < 1000000)
					arg = arg * 10 + (d[i] - '0');
				has_arg = true;
				i++;
			}
			if (neg)
				arg = -arg;
			if (i < n && d[i] == ' ')
				i++;
			if (skip_depth >= 0)
				continue;
			if (!strcmp(word, "fonttbl") || !strcmp(word, "colortbl") ||
			    !strcmp(word, "stylesheet") || !strcmp(word, "info") ||
			    !strcmp(word, "pict") || !strcmp(word, "object") ||
			    !strcmp(word, "header") || !strcmp(word, "footer")) {
				skip_depth = depth;
			} else if (!strcmp(word, "par") || !strcmp(word, "line") ||
				   !strcmp(word, "row") || !strcmp(word, "sect")) {
				lka_buf_addc(&b, '\n');
			} else if (!strcmp(word, "cell") || !strcmp(word, "tab")) {
				lka_buf_addc(&b, '\t');
			} else if (!strcmp(word, "uc") && has_arg) {
				uc = arg >= 0 && arg < 10 ? (int)arg : 1;
			} else if (!strcmp(word, "u") && has_arg) {
				long u = arg < 0 ? arg + 65536 : arg;
				if (u <= 0 || (u >= 0xD800 && u <= 0xDFFF) || u > 0xFFFF)
					u = 0xFFFD;
				lka_utf8__put(&b, (uint32_t)u);
				pending_skip = uc;
			}
		}
	}
	if (b.oom) {
		lka_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		lka_buf_adds(&b, "");
	(void)MAXDEPTH;
	return lka_buf_steal(&b, len);
}

static void
set(lka_extract_out *out, const char *method, const char *status, const char *detail)
{
	out->method = method;
	out->status = status;
	snprintf(out->detail, sizeof out->detail, "%s", detail ? detail : "");
}

void
lka_extract__text(const unsigned char *d, size_t n, const char *filename, const char *type,
		  size_t max_bytes, uint32_t seconds, uint64_t memory, lka_extract_out *out)
{
	char *t = NULL;
	size_t len = 0;

	memset(out, 0, sizeof *out);
	if (type_is(type, "message/rfc822")) {
		set(out, "message", "unsupported",
		    "embedded message: scanned as a message of its own");
		return;
	}
	/* by content first: evidence names and types lie */
	if (starts(d, n, "%PDF-", 5) || (n > 1024 && lka_extract__find_bytes(d, 1024, "%PDF-", 5))) {
		lka_extract__document(d, n, true, max_bytes, seconds, memory, out);
		return;
	}
	if (starts(d, n, "PK\x03\x04", 4)) {
		lka_extract__document(d, n, false, max_bytes, seconds, memory, out);
		return;
	}
	if (starts(d, n, "\xd0\xcf\x11\xe0", 4)) {
		static const char enc[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e";
		if (lka_extract__find_bytes(d, n, enc, sizeof enc - 1))
			set(out, "ole", "encrypted", "encrypted Office document (EncryptedPackage)");
		else
			set(out, "ole", "unsupported", "OLE compound document (legacy Office)");
		return;
	}
	if (starts(d, n, "{\\rtf", 5)) {
		out->method = "rtf";
		t = rtf_text(d, n, &len);
	} else if (!(n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) &&
		   !looks_text(d, n)) {
		set(out, NULL, "unsupported", "binary content");
		return;
	} else if (type_is(type, "text/html") || has_suffix(filename, ".html") ||
		   has_suffix(filename, ".htm")) {
		char *u = plain_text(d, n, &len);
		out->method = "html";
		if (u) {
			t = lka_html_to_text(u, len);
			if (t)
				len = strlen(t);
			free(u);
		}
	} else if (type_is(type, "text/vcard") || type_is(type, "text/x-vcard") ||
		   type_is(type, "text/directory") || has_suffix(filename, ".vcf")) {
		out->method = "vcard";
		t = vcard_text(d, n, &len);
	} else if (type_is(type, "text/csv") || has_suffix(filename, ".csv") ||
		   has_suffix(filename, ".tsv")) {
		out->method = "csv";
		t = plain_text(d, n, &len);
	} else {
		out->method = "text";
		t = plain_text(d, n, &len);
	}
	if (!t) {
		set(out, out->method, "failed", "out of memory");
		return;
	}
	out->status = "ok";
	if (max_bytes && len > max_bytes) {
		size_t k = max_bytes;
		while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80)
			k--;
		t[k] = '\0';
		len = k;
		out->status = "truncated";
		snprintf(out->detail, sizeof out->detail, "text limited to %zu bytes", max_bytes);
	}
	out->text = t;
	out->len = len;
}
