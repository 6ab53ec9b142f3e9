/*
 * mbox.c — our own mbox splitter (see mbox.h for why not GMime's).
 *
 * A line starting "From " is a separator when it starts a line and either
 *
 *  (a) it is at the start of the file or follows an empty line, and the
 *      rest of the line is a real From_ line: a sender token and an
 *      asctime-like date ("From MAILER-DAEMON Fri Jul  8 12:08:34 2011"), or
 *  (b) the rest is "sender-shaped" (nothing, one token such as "-", or a
 *      sender and a date) and the lines after it open an RFC 822 header
 *      block (two field lines, or one well-known field such as From:,
 *      Return-Path:, Received:, Message-ID:).
 *
 * (b) exists because real files have separators without a date ("From - ",
 * "From "), some of them not preceded by an empty line (Netscape and the
 * GMime/MimeKit test mboxes: corpus gmime__substring.mbox,
 * mimekit__content-length.mbox).  It still refuses an unquoted body line
 * such as "From here on ..." or a bare "From " followed by prose
 * (tb__mbox_unquoted: 2 messages, not 3).
 *
 * Content-Length: when a message's header block (ended by an empty line)
 * has a Content-Length whose end falls exactly on a separator line or on
 * the end of the file (one line break in between allowed, as writers put
 * the empty line after the counted body), the count is trusted and the body
 * is not searched for separators.  Otherwise it is ignored.
 *
 * Everything is one forward pass: separators are found with memmem() on
 * "\nFrom ", each candidate looks at a bounded number of following bytes,
 * and a header block is scanned once.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mbox.h"

#define FROM_LINE_MAX 4096 /* longest line taken as a From_ line */
#define FROM_TOKENS_MAX 24 /* tokens of a From_ line looked at */
#define FIELD_NAME_MAX 128 /* longest header field name */
#define HEADER_LOOKAHEAD 4 /* lines after a date-less From_ line checked for headers */
#define LOOKAHEAD_BYTES 8192 /* bytes after a From_ line checked for headers */

enum {
	FROM_DATED = 1u << 0,   /* sender + asctime-like date */
	FROM_HEADERS = 1u << 1, /* sender-shaped, and a header block follows */
};

typedef struct tok {
	const char *p;
	size_t n;
} tok;

static bool
is_digits(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Drop a trailing ',' (some writers put "Fri, 24 Aug 2018 ..."). */
static size_t
tok_len(const tok *t)
{
	return t->n > 1 && t->p[t->n - 1] == ',' ? t->n - 1 : t->n;
}

static bool
is_name_in(const tok *t, const char *const *names, size_t count)
{
	size_t n = tok_len(t);

	for (size_t i = 0; i < count; i++)
		if (lka__ieqn(t->p, n, names[i]))
			return true;
	return false;
}

static bool
is_weekday(const tok *t)
{
	static const char *const names[] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday",
		"wednesday", "thursday", "friday", "saturday", "sunday",
	};
	return is_name_in(t, names, LKA_ARRAY_LEN(names));
}

static bool
is_month(const tok *t)
{
	static const char *const names[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
		"dec", "january", "february", "march", "april", "june", "july", "august",
		"september", "october", "november", "december",
	};
	return is_name_in(t, names, LKA_ARRAY_LEN(names));
}

static bool
is_day(const tok *t)
{
	size_t n = tok_len(t);
	int v;

	if (n < 1 || n > 2 || !is_digits(t->p, n))
		return false;
	v = n == 1 ? t->p[0] - '0' : (t->p[0] - '0') * 10 + (t->p[1] - '0');
	return v >= 1 && v <= 31;
}

static bool
is_year(const tok *t)
{
	return tok_len(t) == 4 && is_digits(t->p, 4);
}

/* h:mm, hh:mm or hh:mm:ss */
static bool
is_time(const tok *t)
{
	const char *p = t->p;
	size_t n = tok_len(t), i = 0, h = 0;

	while (i < n && h < 2 && p[i] >= '0' && p[i] <= '9') {
		i++;
		h++;
	}
	if (h == 0 || i >= n || p[i] != ':')
		return false;
	if (n - i == 3)
		return is_digits(p + i + 1, 2);
	if (n - i == 6)
		return is_digits(p + i + 1, 2) && p[i + 3] == ':' && is_digits(p + i + 4, 2);
	return false;
}

/* A time zone or its like: "PDT", "+0100", "-0400", "GMT+1", "(EST)". */
static bool
is_zone(const tok *t)
{
	size_t n = tok_len(t);

	if (n == 0 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '(' || c == ')'))
			return false;
	}
	return true;
}

/*
 * Does an asctime-like date start at token i?  Weekday, then month and day
 * in either order, then a time and a 4-digit year in either order with up
 * to two zone-like tokens among them.  Anything may follow ("remote from").
 */
static bool
date_at(const tok *t, size_t i, size_t nt)
{
	bool have_time = false, have_year = false;
	size_t k, others = 0;

	if (i + 5 > nt || !is_weekday(&t[i]))
		return false;
	i++;
	if (is_month(&t[i]) && is_day(&t[i + 1]))
		i += 2;
	else if (is_day(&t[i]) && is_month(&t[i + 1]))
		i += 2;
	else
		return false;
	for (k = i; k < nt && !(have_time && have_year); k++) {
		if (!have_time && is_time(&t[k]))
			have_time = true;
		else if (!have_year && is_year(&t[k]))
			have_year = true;
		else if (others < 2 && is_zone(&t[k]))
			others++;
		else
			break;
	}
	return have_time && have_year;
}

/*
 * Split the rest of a From_ line into tokens.  A sender that starts with a
 * double quote runs to the closing quote.  Returns false on control bytes.
 */
static bool
tokenize(const char *p, size_t n, tok *t, size_t *nt)
{
	size_t i = 0, k = 0;

	while (i < n && k < FROM_TOKENS_MAX) {
		size_t s;

		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == n)
			break;
		s = i;
		if (k == 0 && p[i] == '"') {
			const char *q = memchr(p + i + 1, '"', n - i - 1);
			if (q)
				i = (size_t)(q - p) + 1;
		}
		while (i < n && p[i] != ' ' && p[i] != '\t') {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 || c == 0x7f)
				return false;
			i++;
		}
		t[k].p = p + s;
		t[k].n = i - s;
		k++;
	}
	*nt = k;
	return true;
}

size_t
lka_mbox__line_at(const char *p, size_t n, size_t *next)
{
	const char *q = memchr(p, '\n', n);
	size_t len;

	if (!q) {
		*next = n;
		len = n;
	} else {
		*next = (size_t)(q - p) + 1;
		len = (size_t)(q - p);
	}
	if (len && p[len - 1] == '\r')
		len--;
	return len;
}

size_t
lka_mbox__field_name(const char *p, size_t n)
{
	size_t i = 0, name;

	while (i < n && i <= FIELD_NAME_MAX && p[i] >= '!' && p[i] <= '~' && p[i] != ':')
		i++;
	name = i;
	if (name == 0 || name > FIELD_NAME_MAX)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == ':' ? name : 0;
}

static bool
well_known_field(const char *p, size_t n)
{
	static const char *const names[] = {
		"from", "to", "cc", "date", "subject", "message-id", "received", "return-path",
		"delivered-to", "mime-version", "sender", "reply-to", "in-reply-to", "references",
		"content-type", "envelope-to", "status", "x-mozilla-status", "x-account-key",
		"x-uidl",
	};
	for (size_t i = 0; i < LKA_ARRAY_LEN(names); i++)
		if (lka__ieqn(p, n, names[i]))
			return true;
	return n > 2 && (p[0] == 'x' || p[0] == 'X') && p[1] == '-';
}

/* Do the lines at p open a header block?  Looks at a bounded prefix only. */
static bool
headers_follow(const char *p, size_t n)
{
	size_t fields = 0, pos = 0;
	bool known = false;

	if (n > LOOKAHEAD_BYTES)
		n = LOOKAHEAD_BYTES;
	for (int line = 0; line < HEADER_LOOKAHEAD && pos < n; line++) {
		size_t next, len = lka_mbox__line_at(p + pos, n - pos, &next), name;

		if (len == 0)
			break;
		if ((p[pos] == ' ' || p[pos] == '\t') && fields > 0) {
			pos += next;
			continue;
		}
		name = lka_mbox__field_name(p + pos, len);
		if (name == 0)
			break;
		if (fields == 0)
			known = well_known_field(p + pos, name);
		fields++;
		pos += next;
	}
	return fields >= 2 || (fields == 1 && known);
}

/* FROM_* flags of the line at p (n bytes available), 0 if not a From_ line. */
static unsigned
from_line_kind(const char *p, size_t n)
{
	tok t[FROM_TOKENS_MAX];
	size_t nt, len, next, avail = n < FROM_LINE_MAX + 2 ? n : FROM_LINE_MAX + 2;
	unsigned kind = 0;
	bool shaped;

	if (n < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	len = lka_mbox__line_at(p, avail, &next);
	if (len > FROM_LINE_MAX)
		return 0;
	if (next == avail && avail < n)
		return 0; /* no line end within the cap */
	if (!tokenize(p + 5, len - 5, t, &nt))
		return 0;
	for (size_t i = 0; i < nt && i < 8; i++) {
		if (date_at(t, i, nt)) {
			kind |= FROM_DATED;
			break;
		}
	}
	shaped = nt <= 1 || (kind & FROM_DATED);
	if (shaped && headers_follow(p + next, n - next))
		kind |= FROM_HEADERS;
	return kind;
}

bool
lka_mbox_is_from_line(const char *p, size_t n)
{
	return from_line_kind(p, n) != 0;
}

/* Is the line starting at offset at preceded by an empty line (or the start of the file)? */
static bool
after_empty_line(const char *d, size_t at)
{
	if (at == 0)
		return true;
	if (d[at - 1] != '\n')
		return false;
	if (at == 1 || d[at - 2] == '\n')
		return true;
	return d[at - 2] == '\r' && (at == 2 || d[at - 3] == '\n');
}

static bool
is_separator(const char *d, size_t n, size_t at)
{
	unsigned kind = from_line_kind(d + at, n - at);

	if (kind & FROM_HEADERS)
		return true;
	return (kind & FROM_DATED) && after_empty_line(d, at);
}

/* First separator at a line start >= from (from is a line start), or n. */
static size_t
find_separator(const char *d, size_t n, size_t from)
{
	size_t s;

	if (from >= n)
		return n;
	if (from == 0 && is_separator(d, n, 0))
		return 0;
	s = from ? from - 1 : 0; /* from - 1 is the '\n' ending the previous line */
	while (s < n) {
		const char *q = memmem(d + s, n - s, "\nFrom ", 6);
		size_t at;

		if (!q)
			return n;
		at = (size_t)(q - d) + 1;
		if (is_separator(d, n, at))
			return at;
		s = at;
	}
	return n;
}

/*
 * Scan the header block that starts at p.  Returns true when it ends with
 * an empty line (*body: offset of the body from p) and sets *cl when a
 * well-formed Content-Length was seen.
 */
static bool
scan_headers(const char *p, size_t n, size_t *body, bool *has_cl, uint64_t *cl)
{
	size_t pos = 0;

	*has_cl = false;
	while (pos < n) {
		size_t next, len = lka_mbox__line_at(p + pos, n - pos, &next), name;

		if (len == 0) {
			*body = pos + next;
			return true;
		}
		if (len >= 5 && memcmp(p + pos, "From ", 5) == 0)
			return false; /* a From_ line before the end of the headers */
		name = lka_mbox__field_name(p + pos, len);
		if (name == 14 && lka__ieqn(p + pos, 14, "content-length")) {
			const char *v = memchr(p + pos, ':', len);
			size_t i = (size_t)(v - (p + pos)) + 1;
			uint64_t val = 0;
			size_t digits = 0;

			while (i < len && (p[pos + i] == ' ' || p[pos + i] == '\t'))
				i++;
			while (i < len && p[pos + i] >= '0' && p[pos + i] <= '9' && digits < 19) {
				val = val * 10 + (uint64_t)(p[pos + i] - '0');
				i++;
				digits++;
			}
			while (i < len && (p[pos + i] == ' ' || p[pos + i] == '\t'))
				i++;
			/* the first one counts; a malformed one is ignored */
			if (digits > 0 && i == len && !*has_cl) {
				*has_cl = true;
				*cl = val;
			}
		}
		pos += next;
	}
	return false;
}

/*
 * Does a message ending at end (by its Content-Length) land on a separator
 * or the end of the file, allowing one line break in between?  *next gets
 * where the following message starts (n at the end).
 */
static bool
content_length_lands(const char *d, size_t n, size_t end, size_t *next)
{
	size_t t;

	if (end == n) {
		*next = n;
		return true;
	}
	if (d[end - 1] == '\n' && from_line_kind(d + end, n - end)) {
		*next = end;
		return true;
	}
	if (d[end] == '\n')
		t = end + 1;
	else if (end + 1 < n && d[end] == '\r' && d[end + 1] == '\n')
		t = end + 2;
	else
		return false;
	if (t == n || from_line_kind(d + t, n - t)) {
		*next = t;
		return true;
	}
	return false;
}

void
lka_mbox_init(lka_mbox *mb, const char *data, size_t n)
{
	mb->data = data;
	mb->n = data ? n : 0;
	mb->pos = 0;
	mb->index = 0;
}

bool
lka_mbox_next(lka_mbox *mb, lka_mbox_msg *out)
{
	const char *d = mb->data;
	size_t n = mb->n, start, body_off, end = 0, next = 0, hdr_body = 0;
	bool has_cl = false, trusted = false;
	uint64_t cl = 0;

	if (mb->pos >= n)
		return false;
	start = mb->index == 0 ? find_separator(d, n, mb->pos) : mb->pos;
	if (start >= n) {
		mb->pos = n;
		return false;
	}
	(void)lka_mbox__line_at(d + start, n - start, &body_off);
	body_off += start;

	if (scan_headers(d + body_off, n - body_off, &hdr_body, &has_cl, &cl) && has_cl &&
	    cl <= n - body_off - hdr_body) {
		end = body_off + hdr_body + (size_t)cl;
		trusted = content_length_lands(d, n, end, &next);
	}
	if (!trusted) {
		next = find_separator(d, n, body_off);
		end = next;
		/* the empty line before the next separator (or at the end) is not the message's */
		if (end > body_off && d[end - 1] == '\n') {
			if (end - 1 == body_off || d[end - 2] == '\n')
				end -= 1;
			else if (d[end - 2] == '\r' && (end - 2 == body_off || d[end - 3] == '\n'))
				end -= 2;
		}
	}
	out->offset = start;
	out->length = next - start;
	out->body_offset = body_off;
	out->body_length = end - body_off;
	mb->pos = next;
	mb->index++;
	return true;
}

char *
lka_mbox_unquote(const char *p, size_t n, size_t *out_len)
{
	char *out = malloc(n + 1);
	size_t i = 0, o = 0;

	if (!out)
		return NULL;
	while (i < n) {
		const char *nl;
		size_t j = i, len;

		/* ^>+From : drop one '>' */
		while (j < n && p[j] == '>')
			j++;
		if (j > i && n - j >= 5 && memcmp(p + j, "From ", 5) == 0)
			i++;
		nl = memchr(p + i, '\n', n - i);
		len = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}
