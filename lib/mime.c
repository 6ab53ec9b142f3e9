/*
 * mime.c — one RFC 822 message to an lka_msg tree, with GMime 3 for the
 * structure and libmagic for the content types.
 *
 * GMime is forgiving: it repairs what it can and says so through the parser
 * warning callback, which we turn into diagnostics.  Where it repairs in
 * silence (addresses it cannot parse are dropped from the list), we look at
 * the raw header ourselves and keep what it dropped.  See
 * ../shared/notes/libraries.md §3 and §5 for the probed behaviour.
 *
 * Walk order is depth-first, parts numbered as IMAP does ("1", "2.1"; the
 * parts of a message/rfc822 at "2" are "2.1", "2.2" ...).  Recursion is
 * bounded by limits->mime_depth (GMime itself stops at 1024 levels).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>
#include <locale.h>
#include <magic.h>

#include "archives.h"
#include "mapi.h"
#include "mime.h"
#include "msg.h"
#include "reader.h"
#include "tnef.h"

#define SNIFF_HEAD ((size_t)1 << 20) /* bytes given to libmagic (OLE/CDF: all) */
#define READ_CHUNK 65536
#define MAX_PARSER_DIAGS 100 /* parser warnings kept per parse; the rest counted */
#define ITEM_MAX 160         /* bytes of evidence quoted in a diagnostic */
#define GROUP_DEPTH 8        /* nesting of address groups followed */

static const unsigned char ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

/* A GMime parser warning, kept until the message it belongs to exists. */
struct pwarn {
	gint64 offset;
	GMimeParserWarning code;
	char *item;
};

struct pwarns {
	struct pwarn *v;
	size_t n, cap;
	size_t dropped; /* over MAX_PARSER_DIAGS */
};

struct lka_mime {
	lka_limits limits;
	bool store_content;
	GMimeParserOptions *opts;
	magic_t magic;         /* NULL when libmagic could not be loaded */
	struct sniffed *sniffed; /* SNIFF_CACHE types by content hash, or NULL until used */
	locale_t utf8;         /* for libarchive's names (uselocale around its calls), or 0 */
	struct pwarns *warns;  /* where warnings go while a parser runs, or NULL */
};

/* State of one lka_mime_parse() call, embedded messages included. */
struct session {
	lka_mime *mm;
	const unsigned char *base; /* the bytes the current GMime parser reads */
	size_t base_len;
	uint32_t parts;  /* MIME entities seen */
	bool parts_over; /* limits->mime_parts reached: stop adding */
	bool oom;
};

/* A text part waiting to become body text. */
struct seg {
	char *text; /* UTF-8 */
	bool html;
};

/* Boundaries of the enclosing multiparts, innermost first (GMime ends a part at any of them). */
struct bounds {
	const char *boundary;
	const struct bounds *up;
};

/* One lka_msg being built. */
struct build {
	struct session *s;
	lka_msg *msg;
	const struct bounds *up; /* multiparts around the part being walked */
	size_t addr_cap, att_cap;
	struct seg *segs;
	size_t nsegs, seg_cap;
	size_t seg_bytes; /* text held in segs */
	bool text_cut;    /* a part was left out or cut: limits->text_bytes */
	char *html;       /* first text/html part, UTF-8 */
	lka_msg *tnef;    /* what a winmail.dat part said about the message, or NULL */
};

/* Decoded content on its way to a hash and, perhaps, a buffer. */
struct sink {
	lka_sha256 h;
	uint64_t size;
	lka_buf buf;     /* all bytes (want_all, up to cap) or the first head_max */
	size_t cap;      /* most bytes kept in full */
	size_t head_max; /* bytes kept once over cap (or when not wanting all) */
	bool want_all;
	bool decided;    /* OLE check done */
	bool over;       /* more than cap bytes */
	/* base64 consistency */
	uint64_t b64_syms, b64_pad, b64_junk;
};

static void walk(struct build *b, GMimeObject *obj, const char *path, unsigned depth,
		 bool alt_other);
static lka_msg *build_msg(struct session *s, GMimeMessage *gm, const unsigned char *raw,
			  size_t rawlen, const char *prefix, unsigned depth,
			  const struct bounds *up);

/* ------------------------------------------------------------ helpers */

/*
 * Room for element n of an array v of elements of size bytes, with *cap of
 * them allocated: when full, the array doubles (its first allocation holds
 * first).  Returns the array, perhaps moved, with element n zeroed, or NULL
 * when memory runs out (v is then left as it was, and *oom set unless oom is
 * NULL).
 */
static void *
grow_one(void *v, size_t n, size_t *cap, size_t first, size_t size, bool *oom)
{
	if (n == *cap) {
		size_t c = *cap ? *cap * 2 : first;

		v = realloc(v, c * size);
		if (!v) {
			if (oom)
				*oom = true;
			return NULL;
		}
		*cap = c;
	}
	memset((char *)v + n * size, 0, size);
	return v;
}

static char *
xstrdup(struct session *s, const char *p)
{
	char *q;

	if (!p)
		return NULL;
	q = lka__strdup(p);
	if (!q)
		s->oom = true;
	return q;
}

/* Valid UTF-8 copy of a string that should be UTF-8 (GMime output, evidence). */
static char *
utf8dup(struct session *s, const char *p)
{
	char *q;

	if (!p)
		return NULL;
	q = lka_text_to_utf8(p, strlen(p), NULL, NULL);
	if (!q)
		s->oom = true;
	return q;
}

static bool
is_blank(const char *t)
{
	for (; *t; t++)
		if (*t != ' ' && *t != '\t' && *t != '\r' && *t != '\n')
			return false;
	return true;
}

/* Length of the longest prefix of s (n bytes) of at most max bytes ending on a UTF-8 boundary. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/*
 * Evidence text fit for a one-line diagnostic: UTF-8, control characters
 * as spaces, at most ITEM_MAX bytes ("..." when cut).
 */
static void
quote_item(char *out, size_t cap, const char *p, size_t n)
{
	char *u = lka_text_to_utf8(p, n, NULL, NULL);
	size_t len, k;

	out[0] = '\0';
	if (!u)
		return;
	for (char *q = u; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7F)
			*q = ' ';
	len = strlen(u);
	while (len && u[len - 1] == ' ')
		u[--len] = '\0';
	k = utf8_cut(u, len, cap > ITEM_MAX ? ITEM_MAX : cap - 4);
	if (k < len)
		snprintf(out, cap, "%.*s...", (int)k, u);
	else
		snprintf(out, cap, "%s", u);
	free(u);
}

static void
diag(struct build *b, lka_status sev, lka_errkind kind, const char *path, const char *fmt, ...)
	LKA_PRINTF(5, 6);

static void
diag(struct build *b, lka_status sev, lka_errkind kind, const char *path, const char *fmt, ...)
{
	char loc[300], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (path && path[0])
		snprintf(loc, sizeof loc, "part %s", path);
	if (!lka_diags_add(&b->msg->diags, sev, kind, path && path[0] ? loc : NULL, "%s", msg))
		b->s->oom = true;
}

/* "2.1" from "2" and 1; "1" from "" and 1.  malloc'd. */
static char *
child_path(struct session *s, const char *parent, unsigned i)
{
	lka_buf p;

	lka_buf_init(&p, 0);
	if (parent[0])
		lka_buf_printf(&p, "%s.%u", parent, i);
	else
		lka_buf_printf(&p, "%u", i);
	if (p.oom) {
		s->oom = true;
		lka_buf_free(&p);
		return NULL;
	}
	return lka_buf_steal(&p, NULL);
}

/* A header value unfolded (line breaks removed) and trimmed; malloc'd, raw bytes. */
static char *
unfold(struct session *s, const char *v)
{
	lka_buf o;

	lka_buf_init(&o, 0);
	for (; v && *v; v++)
		if (*v != '\r' && *v != '\n')
			lka_buf_addc(&o, *v);
	if (o.oom) {
		s->oom = true;
		lka_buf_free(&o);
		return NULL;
	}
	return lka__trim(lka_buf_steal(&o, NULL));
}

/* Raw value of the first header called name in obj's own header list, or NULL. */
static const char *
raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	int n = hl ? g_mime_header_list_get_count(hl) : 0;

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		if (!g_ascii_strcasecmp(g_mime_header_get_name(h), name))
			return g_mime_header_get_raw_value(h);
	}
	return NULL;
}

/* ------------------------------------------------------ parser warnings */

static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer payload)
{
	lka_mime *mm = payload;
	struct pwarns *w = mm->warns;
	struct pwarn *v;

	if (!w)
		return;
	if (w->n >= MAX_PARSER_DIAGS) {
		w->dropped++;
		return;
	}
	v = grow_one(w->v, w->n, &w->cap, 8, sizeof *v, NULL);
	if (!v) {
		w->dropped++;
		return;
	}
	w->v = v;
	v = &w->v[w->n++];
	v->offset = offset;
	v->code = code;
	v->item = NULL;
	if (item) {
		/* the item may be the rest of a long header: keep a little more than we quote */
		size_t len = strnlen(item, ITEM_MAX * 2);

		v->item = lka__strndup(item, len);
	}
}

static void
pwarns_free(struct pwarns *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].item);
	free(w->v);
	memset(w, 0, sizeof *w);
}

static const char *
warning_text(GMimeParserWarning code)
{
	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER: return "duplicated header";
	case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded 8-bit header";
	case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid content type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 header value";
	case GMIME_WARN_MALFORMED_MULTIPART: return "malformed multipart (no child parts)";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
	case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
	case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
	case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
	case GMIME_WARN_INVALID_PARAMETER: return "invalid parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
	case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting overflow";
	case GMIME_WARN_PART_WITHOUT_CONTENT: return "part without content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "part without headers or content";
	}
	return "parser warning";
}

/* Name of the header at offset in obj's tree (address warnings carry only the offset). */
static const char *
header_at(GMimeObject *obj, gint64 offset, unsigned depth)
{
	GMimeHeaderList *hl;
	int n;

	if (!obj || depth > 64)
		return NULL;
	hl = g_mime_object_get_header_list(obj);
	n = hl ? g_mime_header_list_get_count(hl) : 0;
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);

		if (g_mime_header_get_offset(h) == offset)
			return g_mime_header_get_name(h);
	}
	if (GMIME_IS_MESSAGE(obj)) {
		GMimeObject *root = g_mime_message_get_mime_part(GMIME_MESSAGE(obj));

		return header_at(root, offset, depth + 1);
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *em = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		return header_at((GMimeObject *)em, offset, depth + 1);
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int count = g_mime_multipart_get_count(mp);

		for (int i = 0; i < count; i++) {
			const char *name = header_at(g_mime_multipart_get_part(mp, i), offset,
						     depth + 1);
			if (name)
				return name;
		}
	}
	return NULL;
}

/* Move the warnings gathered so far into b's diagnostics. */
static void
flush_warnings(struct build *b, struct pwarns *w, GMimeObject *root)
{
	char item[ITEM_MAX + 8], loc[48];

	for (size_t i = 0; i < w->n; i++) {
		const struct pwarn *pw = &w->v[i];
		const char *what = warning_text(pw->code);
		const char *hname = NULL;

		item[0] = '\0';
		if (pw->item)
			quote_item(item, sizeof item, pw->item, strlen(pw->item));
		if (pw->code == GMIME_WARN_INVALID_ADDRESS_LIST)
			hname = header_at(root, pw->offset, 0);
		if (pw->offset >= 0)
			snprintf(loc, sizeof loc, "message byte %" PRId64, (int64_t)pw->offset);
		if (hname && item[0])
			(void)lka_diags_add(&b->msg->diags, LKA_WARN, LKA_E_CORRUPT,
					    pw->offset >= 0 ? loc : NULL, "%s in %s: %s", what,
					    hname, item);
		else if (item[0])
			(void)lka_diags_add(&b->msg->diags, LKA_WARN, LKA_E_CORRUPT,
					    pw->offset >= 0 ? loc : NULL, "%s: %s", what, item);
		else
			(void)lka_diags_add(&b->msg->diags, LKA_WARN, LKA_E_CORRUPT,
					    pw->offset >= 0 ? loc : NULL, "%s", what);
	}
	if (w->dropped)
		(void)lka_diags_add(&b->msg->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
				    "%zu further parser warnings not recorded", w->dropped);
	pwarns_free(w);
}

/* ----------------------------------------------------------- content */

static void
sink_init(struct sink *k, size_t cap, size_t head_max, bool want_all)
{
	memset(k, 0, sizeof *k);
	lka_sha256_init(&k->h);
	lka_buf_init(&k->buf, 0);
	k->cap = cap;
	k->head_max = head_max;
	k->want_all = want_all;
}

static void
sink_add(struct sink *k, const unsigned char *p, size_t n)
{
	if (!n)
		return;
	lka_sha256_update(&k->h, p, n);
	k->size += n;
	if (!k->decided && k->buf.len + n >= sizeof ole_magic) {
		unsigned char first[sizeof ole_magic];
		size_t have = k->buf.len < sizeof first ? k->buf.len : sizeof first;

		memcpy(first, k->buf.data ? k->buf.data : (const unsigned char *)"", have);
		memcpy(first + have, p, sizeof first - have);
		if (!memcmp(first, ole_magic, sizeof ole_magic))
			k->want_all = true; /* libmagic needs the whole of an OLE file */
		else if (lka_arc_kind(first, sizeof first) || lka_tnef_is(first, sizeof first) ||
			 (k->buf.len + n >= 263 && !k->buf.len &&
			  lka_arc_kind(p, n)))
			k->want_all = true; /* a container: its members are inventoried */
		k->decided = true;
	}
	if (k->want_all && !k->over) {
		if (k->buf.len + n <= k->cap) {
			lka_buf_add(&k->buf, p, n);
			return;
		}
		k->over = true;
		if (k->buf.len > k->head_max)
			k->buf.len = k->head_max;
	}
	if (k->buf.len < k->head_max) {
		size_t m = k->head_max - k->buf.len;

		lka_buf_add(&k->buf, p, n < m ? n : m);
	}
}

static void
b64_scan(struct sink *k, const unsigned char *p, size_t n)
{
	/* 0: white space, 1: base64 symbol, 2: '=', 3: anything else */
	static const unsigned char cls[256] = {
		3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 3, 3, 0, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3, 3, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 2, 3, 3,
		3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3,
		3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
		3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	};
	uint64_t count[4] = { 0, 0, 0, 0 };

	for (size_t i = 0; i < n; i++)
		count[cls[p[i]]]++;
	k->b64_syms += count[1];
	k->b64_pad += count[2];
	k->b64_junk += count[3];
}

/*
 * Damage of base64 content in words (into msg, cap bytes), or false when it
 * looks whole.  GMime decodes what it can and does not say.
 */
static bool
b64_damage(const struct sink *k, char *msg, size_t cap)
{
	if (k->b64_junk) {
		snprintf(msg, cap, "%" PRIu64 " invalid characters in base64 content", k->b64_junk);
		return true;
	}
	if ((k->b64_syms + k->b64_pad) % 4 != 0) {
		snprintf(msg, cap, "base64 content truncated: %" PRIu64
			 " symbols is not a multiple of 4", k->b64_syms + k->b64_pad);
		return true;
	}
	return false;
}

/* Transfer-decode a part's content into k. */
static void
read_content(GMimePart *part, struct sink *k, bool *is_b64)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeStream *src;
	GMimeFilter *f = NULL;
	char in[READ_CHUNK];
	char *outp;
	size_t outlen, pre;
	ssize_t r;

	*is_b64 = false;
	if (!w)
		return;
	src = g_mime_data_wrapper_get_stream(w);
	if (!src)
		return;
	enc = g_mime_data_wrapper_get_encoding(w);
	switch (enc) {
	case GMIME_CONTENT_ENCODING_BASE64:
		*is_b64 = true;
		/* FALLTHROUGH */
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
	case GMIME_CONTENT_ENCODING_UUENCODE:
		f = g_mime_filter_basic_new(enc, FALSE);
		break;
	default:
		break;
	}
	g_mime_stream_reset(src);
	while ((r = g_mime_stream_read(src, in, sizeof in)) > 0) {
		if (*is_b64)
			b64_scan(k, (const unsigned char *)in, (size_t)r);
		if (f) {
			g_mime_filter_filter(f, in, (size_t)r, 0, &outp, &outlen, &pre);
			sink_add(k, (const unsigned char *)outp, outlen);
		} else {
			sink_add(k, (const unsigned char *)in, (size_t)r);
		}
	}
	if (f) {
		g_mime_filter_complete(f, in, 0, 0, &outp, &outlen, &pre);
		sink_add(k, (const unsigned char *)outp, outlen);
		g_object_unref(f);
	}
	g_mime_stream_reset(src);
}

/*
 * What libmagic said of content with a given SHA-256.  The same attachment
 * comes again and again (signature logos, a document forwarded around, one
 * mailbox seized twice), and libmagic's text tests cost up to milliseconds a
 * call.  The key is the hash of the whole content with the number of bytes
 * libmagic saw and whether it saw them all: the same key, the same bytes,
 * the same answer.  Direct-mapped; a new type replaces an old one.
 */
#define SNIFF_CACHE 2048
struct sniffed {
	unsigned char sha256[LKA_SHA256_LEN];
	size_t n;
	bool whole, used;
	char type[96];
};

static struct sniffed *
sniff_slot(lka_mime *mm, const unsigned char *sha256)
{
	uint32_t i;

	if (!mm->sniffed && !(mm->sniffed = calloc(SNIFF_CACHE, sizeof *mm->sniffed)))
		return NULL;
	memcpy(&i, sha256, sizeof i); /* the hash is uniform: its first bytes index */
	return &mm->sniffed[i % SNIFF_CACHE];
}

/* libmagic's type of content (its first n bytes in p, all of it when whole);
 * sha256: the hash of the whole content, NULL when there is none. */
static const char *
magic_type(lka_mime *mm, const unsigned char *sha256, const unsigned char *p, size_t n,
	   bool whole)
{
	magic_t m = mm->magic;
	size_t len = n > SNIFF_HEAD ? SNIFF_HEAD : n;
	struct sniffed *c = sha256 ? sniff_slot(mm, sha256) : NULL;
	const char *t;

	if (!m)
		return NULL;
	if (c && c->used && c->n == n && c->whole == whole &&
	    !memcmp(c->sha256, sha256, LKA_SHA256_LEN))
		return c->type;
	t = magic_buffer(m, p ? (const void *)p : "", len);
	if (t && whole && n > len &&
	    (!strcmp(t, "application/x-ole-storage") || !memcmp(p, ole_magic, sizeof ole_magic))) {
		/* CDF needs its directory sectors: let libmagic read all (default: 7 MiB) */
		size_t old_max = 0;
		bool got = magic_getparam(m, MAGIC_PARAM_BYTES_MAX, &old_max) == 0;

		if (got && old_max < n)
			(void)magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &n);
		t = magic_buffer(m, p, n);
		if (got && old_max < n)
			(void)magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &old_max);
	}
	if (t && c && strlen(t) < sizeof c->type) {
		memcpy(c->sha256, sha256, LKA_SHA256_LEN);
		c->n = n;
		c->whole = whole;
		c->used = true;
		snprintf(c->type, sizeof c->type, "%s", t);
	}
	return t;
}

static char *
sniff(struct session *s, const unsigned char *sha256, const unsigned char *p, size_t n, bool whole)
{
	const char *t = magic_type(s->mm, sha256, p, n, whole);

	return t ? utf8dup(s, t) : NULL;
}

void
lka_mime_sniff(lka_mime *mm, const unsigned char *sha256, const void *data, size_t n, char *out,
	       size_t cap)
{
	const char *t = NULL;

	if (!cap)
		return;
	out[0] = '\0';
	if (mm)
		t = magic_type(mm, sha256, data, n, true);
	if (t)
		snprintf(out, cap, "%s", t);
}

/* ------------------------------------------------------------ addresses */

static lka_addr *
new_addr(struct build *b)
{
	lka_msg *m = b->msg;
	lka_addr *v = grow_one(m->addrs, m->n_addrs, &b->addr_cap, 8, sizeof *v, &b->s->oom);

	if (!v)
		return NULL;
	m->addrs = v;
	return &v[m->n_addrs++];
}

/* A mailbox GMime returned, with its normalised address, to match raw tokens against. */
struct got {
	char *norm;
	char *name; /* decoded display name */
	bool used;
};

struct gots {
	struct got *v;
	size_t n, cap;
};

static void
add_mailbox(struct build *b, lka_role role, const char *hname, InternetAddress *ia,
	    struct gots *g)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	const char *name = internet_address_get_name(ia);
	char *raw = internet_address_to_string(ia, NULL, FALSE);
	lka_addr *a = new_addr(b);
	struct got *v;

	if (a) {
		a->role = role;
		a->address = addr ? lka_addr_normalize(addr) : NULL;
		a->name = name && name[0] ? utf8dup(b->s, name) : NULL;
		a->raw = utf8dup(b->s, raw);
		if (!a->address && addr && addr[0]) {
			char item[ITEM_MAX + 8];

			quote_item(item, sizeof item, raw ? raw : addr, strlen(raw ? raw : addr));
			diag(b, LKA_WARN, LKA_E_CORRUPT, NULL, "unusable address in %s: %s", hname,
			     item);
		}
	}
	v = grow_one(g->v, g->n, &g->cap, 8, sizeof *v, &b->s->oom);
	if (!v) {
		g_free(raw);
		return;
	}
	g->v = v;
	g->v[g->n].norm = a && a->address ? xstrdup(b->s, a->address) : NULL;
	g->v[g->n].name = a && a->name ? xstrdup(b->s, a->name) : NULL;
	g->v[g->n].used = false;
	g->n++;
	g_free(raw);
}

static void
add_list(struct build *b, lka_role role, const char *hname, InternetAddressList *l,
	 struct gots *g, unsigned depth)
{
	int n = l ? internet_address_list_length(l) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			add_mailbox(b, role, hname, ia, g);
		else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < GROUP_DEPTH)
			add_list(b, role, hname,
				 internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), g,
				 depth + 1);
	}
}

/* Where a raw address header stands: inside a quoted string, inside (nested) comments. */
struct lex {
	bool quote;
	int comment;
};

/*
 * Take the byte at v[*i] (n bytes in all) into x.  Returns true when it
 * stands outside quoted strings and comments and opens neither; otherwise
 * false, with *i moved past the byte a backslash escapes.
 */
static bool
lex_step(struct lex *x, const char *v, size_t n, size_t *i)
{
	char c = v[*i];

	if (x->quote || x->comment) {
		if (c == '\\' && *i + 1 < n)
			(*i)++;
		else if (x->quote && c == '"')
			x->quote = false;
		else if (!x->quote && c == '(')
			x->comment++;
		else if (!x->quote && c == ')')
			x->comment--;
		return false;
	}
	if (c == '"')
		x->quote = true;
	else if (c == '(')
		x->comment = 1;
	return !x->quote && !x->comment;
}

/* Our own idea of the address in a raw token: inside <...>, else the token minus comments. */
static char *
token_address(const char *t, size_t n)
{
	lka_buf o;
	struct lex x = { false, 0 };
	int comment = 0;
	size_t lt = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		if (lex_step(&x, t, n, &i) && t[i] == '<')
			lt = i;
	lka_buf_init(&o, 0);
	if (lt != SIZE_MAX) {
		for (size_t i = lt + 1; i < n && t[i] != '>'; i++)
			lka_buf_addc(&o, t[i]);
	} else {
		comment = 0;
		for (size_t i = 0; i < n; i++) {
			if (t[i] == '(')
				comment++;
			else if (t[i] == ')' && comment)
				comment--;
			else if (!comment)
				lka_buf_addc(&o, t[i]);
		}
	}
	if (o.oom) {
		lka_buf_free(&o);
		return NULL;
	}
	return lka_buf_steal(&o, NULL);
}

/* The address-like run of characters around the last '@' of a token ("a@b" in "\"X <a@b"). */
static char *
around_at(const char *t, size_t n)
{
	static const char stop[] = " \t<>\"(),;:[]";
	size_t at = n, lo, hi;

	for (size_t i = 0; i < n; i++)
		if (t[i] == '@')
			at = i;
	if (at == n)
		return NULL;
	for (lo = at; lo > 0 && !strchr(stop, t[lo - 1]); lo--)
		;
	for (hi = at + 1; hi < n && !strchr(stop, t[hi]); hi++)
		;
	return lka__strndup(t + lo, hi - lo);
}

/* True when token t is a piece of a display name GMime kept ("Smith" of Smith, John <j@x>). */
static bool
in_a_name(struct build *b, const char *t, size_t n, const struct gots *g)
{
	char *tok = lka__strndup(t, n), *dec, *p;
	bool found = false;
	size_t len;

	if (!tok)
		return false;
	dec = g_mime_utils_header_decode_phrase(b->s->mm->opts, tok);
	free(tok);
	if (!dec)
		return false;
	p = dec;
	while (*p == '"' || *p == ' ')
		p++;
	len = strlen(p);
	while (len && (p[len - 1] == '"' || p[len - 1] == ' '))
		p[--len] = '\0';
	for (size_t i = 0; len && i < g->n && !found; i++)
		found = g->v[i].name && strstr(g->v[i].name, p);
	g_free(dec);
	return found;
}

static void
raw_token(struct build *b, lka_role role, const char *hname, const char *t, size_t n,
	  struct gots *g)
{
	char *addr, *norm = NULL;
	char item[ITEM_MAX + 8];
	lka_addr *a;

	while (n && (*t == ' ' || *t == '\t'))
		t++, n--;
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (!n)
		return;
	addr = token_address(t, n);
	if (addr && is_blank(addr) && !memchr(t, '@', n) && !memchr(t, '<', n)) {
		free(addr); /* only a comment, "(no To-header on input)" */
		return;
	}
	if (addr)
		norm = lka_addr_normalize(addr);
	free(addr);
	if (!norm) {
		addr = around_at(t, n);
		norm = addr ? lka_addr_normalize(addr) : NULL;
		free(addr);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].used)
			continue;
		const char *gn = g->v[i].norm;

		if ((!norm && !gn) || (norm && gn && !strcmp(norm, gn))) {
			g->v[i].used = true;
			free(norm);
			return;
		}
	}
	if (!norm && !memchr(t, '@', n) && in_a_name(b, t, n, g))
		return;
	/* GMime dropped it: keep it as evidence */
	a = new_addr(b);
	if (!a) {
		free(norm);
		return;
	}
	a->role = role;
	a->address = norm;
	a->raw = lka_text_to_utf8(t, n, NULL, NULL);
	quote_item(item, sizeof item, t, n);
	diag(b, LKA_WARN, LKA_E_CORRUPT, NULL, "unparsable address in %s: %s", hname, item);
}

/*
 * Split a raw address header on commas outside quotes, comments and angle
 * brackets; group names ("team:") and group ends (";") are separators.
 */
static void
raw_tokens(struct build *b, lka_role role, const char *hname, const char *v, struct gots *g)
{
	struct lex x = { false, 0 };
	bool angle = false;
	size_t start = 0, i, n = strlen(v);

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (!lex_step(&x, v, n, &i))
			continue;
		if (c == '<') {
			angle = true;
		} else if (c == '>') {
			angle = false;
		} else if (!angle && c == ':') {
			start = i + 1; /* a group's display name */
		} else if (!angle && (c == ',' || c == ';')) {
			raw_token(b, role, hname, v + start, i - start, g);
			start = i + 1;
		}
	}
	raw_token(b, role, hname, v + start, n - start, g);
}

static void
addresses(struct build *b, GMimeMessage *gm)
{
	static const struct {
		const char *name;
		GMimeAddressType type;
		lka_role role;
	} hdrs[] = {
		{ "From", GMIME_ADDRESS_TYPE_FROM, LKA_ROLE_FROM },
		{ "Sender", GMIME_ADDRESS_TYPE_SENDER, LKA_ROLE_SENDER },
		{ "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO, LKA_ROLE_REPLY_TO },
		{ "To", GMIME_ADDRESS_TYPE_TO, LKA_ROLE_TO },
		{ "Cc", GMIME_ADDRESS_TYPE_CC, LKA_ROLE_CC },
		{ "Bcc", GMIME_ADDRESS_TYPE_BCC, LKA_ROLE_BCC },
	};
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(gm));
	int nh = hl ? g_mime_header_list_get_count(hl) : 0;
	lka_msg *m = b->msg;

	for (size_t k = 0; k < LKA_ARRAY_LEN(hdrs); k++) {
		struct gots g = { 0 };

		InternetAddressList *l = g_mime_message_get_addresses(gm, hdrs[k].type);

		add_list(b, hdrs[k].role, hdrs[k].name, l, &g, 0);
		for (int i = 0; i < nh; i++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
			char *v;

			if (g_ascii_strcasecmp(g_mime_header_get_name(h), hdrs[k].name))
				continue;
			v = unfold(b->s, g_mime_header_get_raw_value(h));
			if (v)
				raw_tokens(b, hdrs[k].role, hdrs[k].name, v, &g);
			free(v);
		}
		for (size_t i = 0; i < g.n; i++) {
			free(g.v[i].norm);
			free(g.v[i].name);
		}
		free(g.v);
	}
	for (size_t i = 0; i < m->n_addrs; i++) {
		if (m->addrs[i].role == LKA_ROLE_FROM && m->addrs[i].address) {
			m->from_address = xstrdup(b->s, m->addrs[i].address);
			m->from_name = xstrdup(b->s, m->addrs[i].name);
			break;
		}
	}
}

/* --------------------------------------------------------------- bodies */

static void
add_seg(struct build *b, char *text, bool html)
{
	size_t len = strlen(text);
	struct seg *v;

	if (b->seg_bytes >= b->s->mm->limits.text_bytes) {
		b->text_cut = true;
		free(text);
		return;
	}
	v = grow_one(b->segs, b->nsegs, &b->seg_cap, 4, sizeof *v, &b->s->oom);
	if (!v) {
		free(text);
		return;
	}
	b->segs = v;
	b->segs[b->nsegs].text = text;
	b->segs[b->nsegs].html = html;
	b->nsegs++;
	b->seg_bytes += len;
}

static bool
is_attachment_disp(GMimeObject *obj)
{
	const char *d = g_mime_object_get_disposition(obj);

	return d && g_ascii_strcasecmp(d, "inline") != 0;
}

/* A text part that is body, not attachment, of subtype sub (NULL: any text). */
static bool
is_body_text(GMimeObject *obj, const char *sub)
{
	GMimeContentType *ct;

	if (!GMIME_IS_PART(obj) || GMIME_IS_MESSAGE_PART(obj))
		return false;
	ct = g_mime_object_get_content_type(obj);
	if (!ct || !g_mime_content_type_is_type(ct, "text", sub ? sub : "*"))
		return false;
	return !g_mime_part_get_filename(GMIME_PART(obj)) && !is_attachment_disp(obj);
}

static bool
contains_text(GMimeObject *obj, const char *sub, unsigned depth)
{
	if (GMIME_IS_MULTIPART(obj) && depth < 8) {
		int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));

		for (int i = 0; i < n; i++)
			if (contains_text(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), sub,
					  depth + 1))
				return true;
		return false;
	}
	return is_body_text(obj, sub);
}

/* The child of a multipart/alternative whose text becomes body text. */
static int
pick_alternative(GMimeMultipart *mp)
{
	int n = g_mime_multipart_get_count(mp);

	for (int i = 0; i < n; i++)
		if (contains_text(g_mime_multipart_get_part(mp, i), "plain", 0))
			return i;
	for (int i = n - 1; i >= 0; i--)
		if (contains_text(g_mime_multipart_get_part(mp, i), "html", 0))
			return i;
	return 0;
}

/* Line ends of body text as "\n", in place. */
static void
crlf_to_lf(char *t)
{
	char *w = t;

	for (const char *r = t; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
}

static void
text_part(struct build *b, GMimePart *part, const char *path, bool html, bool alt_other)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
	size_t cap = (size_t)b->s->mm->limits.text_bytes;
	struct sink k;
	bool lossy = false, b64;
	char *text, dmg[160], cs[ITEM_MAX + 8];
	size_t len;

	sink_init(&k, cap, cap, true);
	k.decided = true;
	read_content(part, &k, &b64);
	len = k.buf.len;
	if (k.over) {
		/* do not leave a cut multibyte sequence behind */
		size_t keep = len;

		while (keep > 0 && len - keep < 16 && k.buf.data[keep - 1] != '\n' &&
		       k.buf.data[keep - 1] != ' ')
			keep--;
		if (keep > 0)
			len = keep;
		b->text_cut = true;
	}
	text = lka_text_to_utf8((const char *)k.buf.data, len, charset, &lossy);
	if (b64 && b64_damage(&k, dmg, sizeof dmg))
		diag(b, LKA_WARN, LKA_E_CORRUPT, path, "text part %s: %s", path, dmg);
	if (lossy) {
		quote_item(cs, sizeof cs, charset ? charset : "us-ascii (default)",
			   strlen(charset ? charset : "us-ascii (default)"));
		diag(b, LKA_WARN, LKA_E_CORRUPT, path, "body not valid in declared charset %s", cs);
	}
	lka_buf_free(&k.buf);
	if (!text) {
		b->s->oom = true;
		return;
	}
	crlf_to_lf(text);
	if (html && !b->html) {
		b->html = xstrdup(b->s, text);
		if (alt_other) {
			free(text);
			return;
		}
	}
	if (alt_other) {
		free(text);
		return;
	}
	add_seg(b, text, html);
}

/* Append s (n bytes) to o without going over max; false when cut. */
static bool
add_capped(lka_buf *o, const char *s, size_t n, size_t max)
{
	size_t room = o->len < max ? max - o->len : 0;
	size_t k = utf8_cut(s, n, room);

	lka_buf_add(o, s, k);
	return k == n;
}

static void
finish_bodies(struct build *b)
{
	size_t max = (size_t)b->s->mm->limits.text_bytes;
	lka_msg *m = b->msg;
	lka_buf o;
	int chosen = -1;
	bool cut = b->text_cut;

	lka_buf_init(&o, 0);
	for (size_t i = 0; i < b->nsegs && chosen < 0; i++)
		if (!b->segs[i].html)
			chosen = (int)i;
	for (size_t i = 0; i < b->nsegs && chosen < 0; i++)
		chosen = (int)i;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->nsegs; i++) {
			const struct seg *sg = &b->segs[i];
			char *r = NULL;
			const char *t = sg->text;

			if ((pass == 0) != ((int)i == chosen))
				continue;
			if (sg->html) {
				r = lka_html_to_text(sg->text, strlen(sg->text));
				if (!r) {
					b->s->oom = true;
					continue;
				}
				t = r;
			}
			if (is_blank(t)) {
				free(r);
				continue;
			}
			if (o.len && !add_capped(&o, "\n\n", 2, max))
				cut = true;
			if (!add_capped(&o, t, strlen(t), max))
				cut = true;
			free(r);
		}
	}
	if (!b->nsegs && b->html) {
		char *r = lka_html_to_text(b->html, strlen(b->html));

		if (r && !add_capped(&o, r, strlen(r), max))
			cut = true;
		if (!r)
			b->s->oom = true;
		free(r);
	}
	if (o.oom)
		b->s->oom = true;
	if (o.len || b->nsegs)
		m->body_text = lka_buf_steal(&o, NULL);
	lka_buf_free(&o);
	if (b->html) {
		size_t len = strlen(b->html);
		size_t k = utf8_cut(b->html, len, max);

		if (k < len) {
			b->html[k] = '\0';
			cut = true;
		}
		m->body_html = b->html;
		b->html = NULL;
	}
	if (cut)
		diag(b, LKA_WARN, LKA_E_LIMIT, NULL, "body text over the limit of %zu bytes: cut",
		     max);
}

/* ----------------------------------------------------------- attachments */

static lka_att *
new_att(struct build *b)
{
	lka_msg *m = b->msg;
	lka_att *v = grow_one(m->atts, m->n_atts, &b->att_cap, 4, sizeof *v, &b->s->oom);

	if (!v)
		return NULL;
	m->atts = v;
	return &v[m->n_atts++];
}

/* The part's own description: names, types, disposition. */
static void
describe(struct build *b, lka_att *a, GMimeObject *obj, const char *path, const char *filename)
{
	struct session *s = b->s;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *disp = g_mime_object_get_disposition(obj);
	const char *cte = g_mime_object_get_header(obj, "Content-Transfer-Encoding");
	const char *mt = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *st = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	lka_buf t;

	a->part_path = xstrdup(s, path);
	a->filename = filename && filename[0] ? utf8dup(s, filename) : NULL;
	lka_buf_init(&t, 0);
	lka_buf_printf(&t, "%s/%s", mt ? mt : "application", st ? st : "octet-stream");
	if (t.oom)
		s->oom = true;
	a->declared_type = t.oom ? NULL : lka_buf_steal(&t, NULL);
	lka_buf_free(&t);
	if (a->declared_type) {
		char *u = utf8dup(s, a->declared_type);

		free(a->declared_type);
		a->declared_type = u;
		lka__ascii_lower(a->declared_type);
	}
	if (!disp || !g_ascii_strcasecmp(disp, "inline")) {
		a->flags |= LKA_ATT_INLINE;
		a->disposition = disp ? xstrdup(s, "inline") : NULL;
	} else {
		/* RFC 2183: an unknown disposition is treated as attachment */
		a->disposition = xstrdup(s, "attachment");
	}
	a->content_id = utf8dup(s, g_mime_object_get_content_id(obj));
	if (cte) {
		char *v = utf8dup(s, cte);

		if (v) {
			lka__trim(v);
			lka__ascii_lower(v);
			v[utf8_cut(v, strlen(v), 64)] = '\0';
		}
		a->transfer_encoding = v;
	}
}

/* Hash, keep and sniff what k collected. */
static void
settle(struct build *b, lka_att *a, struct sink *k, const char *path, bool keep)
{
	lka_mime *mm = b->s->mm;

	lka_sha256_final(&k->h, a->sha256);
	a->size = k->size;
	a->detected_type = sniff(b->s, a->sha256, k->buf.data, k->buf.len, !k->over);
	if (k->over) {
		char name[ITEM_MAX + 8] = "";

		if (a->filename)
			quote_item(name, sizeof name, a->filename, strlen(a->filename));
		a->flags |= LKA_ATT_TRUNCATED;
		diag(b, LKA_WARN, LKA_E_LIMIT, path,
		     "attachment %s%s%s of %" PRIu64 " bytes is over the limit of %" PRIu64
		     " bytes: hashed, not kept", path, name[0] ? " " : "", name, k->size,
		     (uint64_t)mm->limits.decoded_bytes);
	} else if (keep && mm->store_content) {
		if (k->buf.oom)
			b->s->oom = true;
		a->data_len = k->buf.len;
		a->data = (unsigned char *)lka_buf_steal(&k->buf, NULL);
		if (!a->data)
			b->s->oom = true;
	}
	if (k->buf.oom)
		b->s->oom = true;
	lka_buf_free(&k->buf);
}

/* Parse the decoded bytes of an encoded message/rfc822 part as a message. */
static lka_msg *
parse_bytes(struct session *s, const unsigned char *p, size_t n, const char *prefix,
	    unsigned depth)
{
	lka_mime *mm = s->mm;
	struct pwarns w = { 0 }, *saved = mm->warns;
	const unsigned char *saved_base = s->base;
	size_t saved_len = s->base_len;
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *gm;
	lka_msg *msg = NULL;

	st = g_mime_stream_mem_new_with_buffer((const char *)p, n);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	mm->warns = &w;
	s->base = p;
	s->base_len = n;
	gm = g_mime_parser_construct_message(parser, mm->opts);
	g_object_unref(parser);
	if (gm) {
		msg = build_msg(s, gm, p, n, prefix, depth, NULL);
		if (msg) {
			struct build fb = { .s = s, .msg = msg };

			flush_warnings(&fb, &w, GMIME_OBJECT(gm));
		}
		g_object_unref(gm);
	}
	mm->warns = saved;
	s->base = saved_base;
	s->base_len = saved_len;
	pwarns_free(&w);
	return msg;
}

/* ---------------------------------------------------------- containers */

struct arcud {
	struct session *s;
	unsigned depth;       /* MIME depth of the carrying part */
	const char *pw;       /* text where passwords are offered, or NULL */
	lka_arc_budget *bud;  /* shared by the container tree */
};

static void att_content(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned cdepth,
			lka_diags *d);

static char *
arc_sniff(void *ud, const unsigned char *p, size_t n)
{
	struct arcud *u = ud;

	return sniff(u->s, NULL, p, n, true);
}

static lka_msg *
arc_mail(void *ud, const unsigned char *p, size_t n, const char *path, unsigned adepth)
{
	struct arcud *u = ud;
	lka_mime *mm = u->s->mm;

	(void)adepth;
	if (u->depth + 1 >= mm->limits.mime_depth)
		return NULL;
	return parse_bytes(u->s, p, n, path, u->depth + 1);
}

/* Members of an archive that are other containers (TNEF, .msg). */
static bool
arc_other(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned cdepth, lka_diags *d)
{
	if (!lka_tnef_is(p, n) && !lka_olemsg_is_ole(p, n))
		return false;
	att_content(ud, a, p, n, cdepth, d);
	return true;
}

static void
tnef_content(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned cdepth,
	     lka_diags *d)
{
	att_content(ud, a, p, n, cdepth, d);
}

static void
arc_env(struct arcud *u, lka_arc_env *env)
{
	lka_mime *mm = u->s->mm;

	memset(env, 0, sizeof *env);
	env->limits = &mm->limits;
	env->store_content = mm->store_content;
	env->utf8 = mm->utf8;
	env->ud = u;
	env->sniff = arc_sniff;
	env->parse_mail = arc_mail;
	env->other = arc_other;
	env->password_text = u->pw;
}

/* The environment of the TNEF and .msg readers: their attachments come back through tnef_content. */
static void
outlook_env(struct arcud *u, lka_outlook_env *env)
{
	lka_mime *mm = u->s->mm;

	memset(env, 0, sizeof *env);
	env->limits = &mm->limits;
	env->store_content = mm->store_content;
	env->ud = u;
	env->content = tnef_content;
}

/*
 * An Outlook item whose sender is an Exchange (EX) address has no SMTP
 * sender property; its transport headers, when kept, say who sent it.
 */
static void
olemsg_sender(lka_mime *mm, lka_msg *m, unsigned depth)
{
	for (size_t i = 0; i < m->n_atts && depth < 64; i++)
		if (m->atts[i].embedded)
			olemsg_sender(mm, m->atts[i].embedded, depth + 1);
	if (m->from_address || !m->headers || !*m->headers)
		return;
	{
		size_t n = strlen(m->headers);
		char *h = malloc(n + 3);
		GMimeStream *st;
		GMimeParser *parser;
		GMimeMessage *gm;
		InternetAddressList *l;
		InternetAddress *ia;

		if (!h)
			return;
		memcpy(h, m->headers, n);
		memcpy(h + n, "\n\n", 3);
		st = g_mime_stream_mem_new_with_buffer(h, n + 2);
		parser = g_mime_parser_new_with_stream(st);
		g_object_unref(st);
		g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
		gm = g_mime_parser_construct_message(parser, mm->opts);
		g_object_unref(parser);
		l = gm ? g_mime_message_get_from(gm) : NULL;
		ia = l && internet_address_list_length(l) > 0 ? internet_address_list_get_address(l, 0)
							      : NULL;
		if (ia && INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			const char *name = internet_address_get_name(ia);
			lka_addr *v;

			m->from_address = addr ? lka_addr_normalize(addr) : NULL;
			if (!m->from_name && name && lka_utf8_valid(name, strlen(name)))
				m->from_name = lka__strdup(name);
			v = m->from_address ? realloc(m->addrs, (m->n_addrs + 1) * sizeof *v) : NULL;
			if (v) {
				/* replace a FROM row without an address, else add one */
				size_t k;

				m->addrs = v;
				for (k = 0; k < m->n_addrs; k++)
					if (v[k].role == LKA_ROLE_FROM)
						break;
				if (k == m->n_addrs) {
					memset(&v[k], 0, sizeof v[k]);
					v[k].role = LKA_ROLE_FROM;
					v[k].name = lka__strdup(m->from_name);
					m->n_addrs++;
				}
				if (!v[k].address)
					v[k].address = lka__strdup(m->from_address);
			}
		}
		if (gm)
			g_object_unref(gm);
		free(h);
	}
}

/* An attached Outlook .msg: parsed as an embedded message. */
static bool
olemsg_att(struct arcud *u, lka_att *a, const unsigned char *p, size_t n, unsigned cdepth,
	   lka_diags *d)
{
	lka_olemsg_env env;
	char why[200];
	lka_msg *m;

	if (a->embedded || !lka_olemsg_is_ole(p, n))
		return false;
	outlook_env(u, &env);
	m = lka_olemsg_read(&env, p, n, cdepth, why, sizeof why);
	if (!m)
		return false;
	olemsg_sender(u->s->mm, m, 0);
	a->embedded = m;
	free(a->container);
	a->container = lka__strdup("msg");
	(void)d;
	return true;
}

/*
 * The bytes of an attachment that came out of a container: its type, and
 * what it holds when it is a container or mail itself.
 */
static void
att_content(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned cdepth, lka_diags *d)
{
	struct arcud *u = ud;

	if (!a->detected_type && n)
		a->detected_type = sniff(u->s, NULL, p, n, true);
	if (cdepth >= u->s->mm->limits.archive_depth) {
		if (lka_arc_kind(p, n) || lka_tnef_is(p, n))
			(void)lka_diags_add(d, LKA_WARN, LKA_E_LIMIT, a->part_path,
					    "container %s nested deeper than %u levels: not opened",
					    a->part_path ? a->part_path : "",
					    u->s->mm->limits.archive_depth);
		return;
	}
	if (lka_arc_kind(p, n)) {
		lka_arc_env env;

		arc_env(u, &env);
		lka_arc_expand(&env, a, p, n, cdepth, u->bud, d);
	} else if (lka_tnef_is(p, n)) {
		lka_tnef_env env;
		lka_msg *scratch = calloc(1, sizeof *scratch);

		if (!scratch) {
			u->s->oom = true;
			return;
		}
		outlook_env(u, &env);
		free(a->container);
		a->container = lka__strdup("tnef");
		lka_tnef_read(&env, p, n, scratch, &a->children, &a->n_children, cdepth, d,
			      a->part_path);
		lka_msg_free(scratch);
	} else if (olemsg_att(u, a, p, n, cdepth, d)) {
		/* an Outlook message */
	} else if (!a->embedded && lka_detect_format(p, n < 65536 ? n : 65536, a->filename) ==
					   LKA_FMT_EML) {
		a->embedded = arc_mail(u, p, n, a->part_path, cdepth);
	}
}

/* Text of the message so far (subject, body parts read): where passwords are offered. */
static char *
password_text(struct build *b)
{
	lka_buf t;

	lka_buf_init(&t, (size_t)1 << 20);
	if (b->msg->subject) {
		lka_buf_adds(&t, b->msg->subject);
		lka_buf_adds(&t, "\n\n");
	}
	for (size_t i = 0; i < b->nsegs; i++) {
		lka_buf_adds(&t, b->segs[i].text);
		lka_buf_adds(&t, "\n\n");
	}
	if (b->html)
		lka_buf_adds(&t, b->html);
	return lka_buf_steal(&t, NULL);
}

static bool
is_tnef_part(GMimeObject *obj, const char *fn)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return (ct && (g_mime_content_type_is_type(ct, "application", "ms-tnef") ||
		       g_mime_content_type_is_type(ct, "application", "vnd.ms-tnef"))) ||
	       (fn && !g_ascii_strcasecmp(fn, "winmail.dat"));
}

/* An attachment that is an archive or TNEF: inventory its members as children. */
static void
containers(struct build *b, lka_att *a, struct sink *k, unsigned depth)
{
	lka_arc_budget bud = { 0 };
	struct arcud u = { b->s, depth, NULL, &bud };
	const unsigned char *p = k->buf.data;
	size_t n = k->buf.len;

	/* the carrier's own hash: a member that is the container itself is
	 * not opened again */
	{
		lka_sha256 h = k->h;

		lka_sha256_final(&h, a->sha256);
	}
	bud.in_bytes = n;
	if (lka_arc_kind(p, n)) {
		lka_arc_env env;
		char *pw = password_text(b);

		u.pw = pw;
		arc_env(&u, &env);
		lka_arc_expand(&env, a, p, n, 0, &bud, &b->msg->diags);
		free(pw);
	} else if (lka_tnef_is(p, n)) {
		lka_tnef_env env;

		/* the message the TNEF stream carries: its body becomes the
		 * carrier's when the carrier has none (after finish_bodies) */
		if (!b->tnef && !(b->tnef = calloc(1, sizeof *b->tnef))) {
			b->s->oom = true;
			return;
		}
		outlook_env(&u, &env);
		free(a->container);
		a->container = lka__strdup("tnef");
		lka_tnef_read(&env, p, n, b->tnef, &a->children, &a->n_children, 0,
			      &b->msg->diags, a->part_path);
	}
}

static void
leaf_att(struct build *b, GMimePart *part, const char *path, unsigned depth, const char *fn)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	lka_mime *mm = b->s->mm;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	bool is_msg = ct && g_mime_content_type_is_type(ct, "message", "*") &&
		      (g_mime_content_type_is_type(ct, "message", "rfc822") ||
		       g_mime_content_type_is_type(ct, "message", "global") ||
		       g_mime_content_type_is_type(ct, "message", "news"));
	size_t cap = (size_t)(mm->limits.decoded_bytes < SIZE_MAX ? mm->limits.decoded_bytes
								   : SIZE_MAX);
	struct sink k;
	lka_att *a;
	bool b64;
	char dmg[160];

	a = new_att(b);
	if (!a)
		return;
	describe(b, a, obj, path, fn);
	sink_init(&k, cap, SNIFF_HEAD, mm->store_content || is_msg);
	read_content(part, &k, &b64);
	if (b64 && b64_damage(&k, dmg, sizeof dmg)) {
		a->flags |= LKA_ATT_DAMAGED;
		diag(b, LKA_WARN, LKA_E_CORRUPT, path, "attachment %s: %s", path, dmg);
	}
	if (is_msg && !k.over && k.buf.len) {
		/* a message/rfc822 sent base64 or quoted-printable: GMime leaves it a leaf */
		if (depth >= mm->limits.mime_depth)
			diag(b, LKA_WARN, LKA_E_LIMIT, path,
			     "message/rfc822 at part %s nested deeper than %u levels: not parsed",
			     path, mm->limits.mime_depth);
		else
			a->embedded = parse_bytes(b->s, k.buf.data, k.buf.len, path, depth + 1);
	} else if (!is_msg && !k.over && k.buf.len &&
		   (lka_arc_kind(k.buf.data, k.buf.len) || lka_tnef_is(k.buf.data, k.buf.len))) {
		containers(b, a, &k, depth);
	} else if (!is_msg && !k.over && k.buf.len && lka_olemsg_is_ole(k.buf.data, k.buf.len)) {
		lka_arc_budget bud = { .in_bytes = k.buf.len };
		struct arcud u = { b->s, depth, NULL, &bud };

		olemsg_att(&u, a, k.buf.data, k.buf.len, 0, &b->msg->diags);
	} else if (!is_msg && !k.over && is_tnef_part(obj, fn)) {
		diag(b, LKA_WARN, LKA_E_CORRUPT, path, "part %s is declared TNEF but is not", path);
	}
	settle(b, a, &k, path, true);
}

static bool
is_boundary_line(const unsigned char *p, size_t len, const char *boundary)
{
	size_t bl = strlen(boundary), i;

	if (len < 2 + bl || p[0] != '-' || p[1] != '-' || memcmp(p + 2, boundary, bl) != 0)
		return false;
	i = 2 + bl;
	if (i + 2 <= len && p[i] == '-' && p[i + 1] == '-')
		i += 2;
	for (; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Smallest header offset of obj's own header list, or -1. */
static gint64
first_header(GMimeObject *obj)
{
	GMimeHeaderList *hl = obj ? g_mime_object_get_header_list(obj) : NULL;
	int n = hl ? g_mime_header_list_get_count(hl) : 0;
	gint64 min = -1;

	for (int i = 0; i < n; i++) {
		gint64 off = g_mime_header_get_offset(g_mime_header_list_get_header_at(hl, i));

		if (off >= 0 && (min < 0 || off < min))
			min = off;
	}
	return min;
}

/*
 * The bytes of an embedded message as they are in the evidence: from its
 * first header to the line break before the next boundary of an enclosing
 * multipart (as GMime's parser decides), or to the end.  False when GMime
 * recorded no header offsets; the caller then serialises the message.
 */
static bool
exact_range(const struct build *b, GMimeMessage *em, size_t *start, size_t *end)
{
	const unsigned char *base = b->s->base;
	size_t n = b->s->base_len, i;
	gint64 m1 = first_header(GMIME_OBJECT(em));
	gint64 m2 = first_header(g_mime_message_get_mime_part(em));
	gint64 first = m1 < 0 ? m2 : (m2 < 0 || m1 < m2 ? m1 : m2);

	if (first < 0 || (uint64_t)first >= n)
		return false;
	*start = (size_t)first;
	*end = n;
	for (i = *start; i < n;) {
		const unsigned char *nl = memchr(base + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (base + i)) : n - i;

		for (const struct bounds *bd = b->up; bd; bd = bd->up) {
			if (!is_boundary_line(base + i, len, bd->boundary))
				continue;
			/* the line break before a boundary belongs to the boundary */
			*end = i;
			if (*end > *start && base[*end - 1] == '\n')
				(*end)--;
			if (*end > *start && base[*end - 1] == '\r')
				(*end)--;
			return true;
		}
		if (!nl)
			break;
		i += len + 1;
	}
	return true;
}

static void
embedded(struct build *b, GMimeObject *obj, const char *path, unsigned depth)
{
	lka_mime *mm = b->s->mm;
	GMimeMessage *em = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	const char *fname = g_mime_object_get_content_disposition_parameter(obj, "filename");
	size_t cap = (size_t)(mm->limits.decoded_bytes < SIZE_MAX ? mm->limits.decoded_bytes
								   : SIZE_MAX);
	GMimeStream *ms = NULL;
	const unsigned char *bytes = (const unsigned char *)"";
	size_t len = 0, start, end;
	struct sink k;
	lka_att *a;

	if (!fname)
		fname = g_mime_object_get_content_type_parameter(obj, "name");
	a = new_att(b);
	if (!a)
		return;
	describe(b, a, obj, path, fname);
	if (em && exact_range(b, em, &start, &end)) {
		bytes = b->s->base + start;
		len = end - start;
	} else if (em) {
		GByteArray *ba;

		ms = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(em), NULL, ms);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
		bytes = ba->data;
		len = ba->len;
	}
	sink_init(&k, cap, SNIFF_HEAD, mm->store_content);
	sink_add(&k, bytes, len);
	if (!em) {
		diag(b, LKA_WARN, LKA_E_CORRUPT, path, "empty message/rfc822 part %s", path);
	} else if (depth >= mm->limits.mime_depth) {
		diag(b, LKA_WARN, LKA_E_LIMIT, path,
		     "message/rfc822 at part %s nested deeper than %u levels: not parsed", path,
		     mm->limits.mime_depth);
	} else {
		a->embedded = build_msg(b->s, em, bytes, len, path, depth + 1, b->up);
	}
	settle(b, a, &k, path, true);
	if (ms)
		g_object_unref(ms);
}

/* --------------------------------------------------------------- walk */

/*
 * The part's file name.  When GMime rejects a Content-Type ("BINARY;name=x",
 * "application-x-gzip; name=y") it assumes application/octet-stream and
 * forgets the parameters; the name is then read from the raw header.
 */
static const char *
part_filename(struct build *b, GMimePart *part, char **owned)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *fn = g_mime_part_get_filename(part);
	const char *raw, *semi;
	GMimeParamList *pl;
	GMimeParam *prm;

	*owned = NULL;
	if (fn || !ct || g_mime_param_list_length(g_mime_content_type_get_parameters(ct)) > 0)
		return fn;
	raw = g_mime_object_get_header(obj, "Content-Type");
	semi = raw ? strchr(raw, ';') : NULL;
	if (!semi)
		return NULL;
	pl = g_mime_param_list_parse(b->s->mm->opts, semi + 1);
	if (!pl)
		return NULL;
	prm = g_mime_param_list_get_parameter(pl, "name");
	if (prm && g_mime_param_get_value(prm))
		*owned = xstrdup(b->s, g_mime_param_get_value(prm));
	g_object_unref(pl);
	return *owned;
}

static void
leaf(struct build *b, GMimePart *part, const char *path, unsigned depth, bool alt_other)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	bool is_text = !ct || g_mime_content_type_is_type(ct, "text", "*");
	char *owned;
	const char *fn = part_filename(b, part, &owned);

	if (!is_text || fn || is_attachment_disp(obj)) {
		leaf_att(b, part, path, depth, fn);
		free(owned);
		return;
	}
	text_part(b, part, path, ct && g_mime_content_type_is_type(ct, "text", "html"),
		  alt_other);
}

static void
walk(struct build *b, GMimeObject *obj, const char *path, unsigned depth, bool alt_other)
{
	struct session *s = b->s;
	const lka_limits *lim = &s->mm->limits;

	if (!obj || s->parts_over || s->oom)
		return;
	if (++s->parts > lim->mime_parts) {
		s->parts_over = true;
		diag(b, LKA_WARN, LKA_E_LIMIT, path,
		     "more than %u MIME parts: the rest of the message is not read",
		     lim->mime_parts);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		bool alt = ct && g_mime_content_type_is_type(ct, "multipart", "alternative");
		int n = g_mime_multipart_get_count(mp);
		int pick = alt ? pick_alternative(mp) : -1;
		struct bounds here;

		if (depth >= lim->mime_depth) {
			diag(b, LKA_WARN, LKA_E_LIMIT, path,
			     "MIME nesting deeper than %u levels at part %s: not descended",
			     lim->mime_depth, path[0] ? path : "1");
			return;
		}
		here.boundary = g_mime_multipart_get_boundary(mp);
		here.up = b->up;
		if (here.boundary)
			b->up = &here;
		for (int i = 0; i < n && !s->parts_over; i++) {
			char *cp = child_path(s, path, (unsigned)i + 1);

			if (!cp)
				break;
			walk(b, g_mime_multipart_get_part(mp, i), cp, depth + 1,
			     alt_other || (alt && i != pick));
			free(cp);
		}
		b->up = here.up;
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		embedded(b, obj, path, depth);
		return;
	}
	if (GMIME_IS_PART(obj))
		leaf(b, GMIME_PART(obj), path, depth, alt_other);
}

/* -------------------------------------------------------------- message */

/* Length of the header block at the start of p: up to the blank line, that line excluded. */
static size_t
header_block_len(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t line = nl ? (size_t)(nl - (p + i)) : n - i;

		if (line == 0 || (line == 1 && p[i] == '\r'))
			return i;
		if (!nl)
			return n;
		i += line + 1;
	}
	return n;
}

static void
headers_text(struct build *b, const unsigned char *raw, size_t rawlen)
{
	size_t max = (size_t)b->s->mm->limits.header_bytes;
	size_t len = header_block_len(raw, rawlen);
	size_t take = len > max ? max : len;
	char *h = lka_text_to_utf8((const char *)raw, take, NULL, NULL);

	if (!h) {
		b->s->oom = true;
		return;
	}
	if (strlen(h) > max)
		h[utf8_cut(h, strlen(h), max)] = '\0';
	b->msg->headers = h;
	if (len > max)
		diag(b, LKA_WARN, LKA_E_LIMIT, NULL,
		     "header block of %zu bytes over the limit of %zu bytes: cut", len, max);
}

static char *
strip_angle(struct session *s, const char *v)
{
	char *u = utf8dup(s, v), *p;
	size_t n;

	if (!u)
		return NULL;
	p = lka__trim(u);
	n = strlen(p);
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		memmove(p, p + 1, n - 2);
		p[n - 2] = '\0';
	}
	return u;
}

static void
ids_and_dates(struct build *b, GMimeMessage *gm)
{
	struct session *s = b->s;
	GMimeObject *obj = GMIME_OBJECT(gm);
	lka_msg *m = b->msg;
	const char *v;
	GDateTime *dt;
	char *raw;

	v = g_mime_message_get_message_id(gm);
	if (v) {
		m->message_id = utf8dup(s, v);
	} else if ((v = raw_header(obj, "Message-ID"))) {
		raw = unfold(s, v);
		m->message_id = raw && raw[0] ? strip_angle(s, raw) : NULL;
		free(raw);
	}
	v = g_mime_object_get_header(obj, "In-Reply-To");
	if (v) {
		GMimeReferences *refs = g_mime_references_parse(s->mm->opts, v);

		if (refs && g_mime_references_length(refs) > 0)
			m->in_reply_to = utf8dup(s, g_mime_references_get_message_id(refs, 0));
		else
			m->in_reply_to = strip_angle(s, v);
		if (refs)
			g_mime_references_free(refs);
	}
	v = raw_header(obj, "References");
	if (v) {
		raw = unfold(s, v);
		m->references = raw ? utf8dup(s, raw) : NULL;
		free(raw);
	}
	v = g_mime_message_get_subject(gm);
	if (v && lka_utf8_valid(v, strlen(v))) {
		m->subject = xstrdup(s, v);
	} else if ((v = raw_header(obj, "Subject"))) {
		raw = unfold(s, v);
		m->subject = raw ? utf8dup(s, raw) : NULL;
		free(raw);
	}
	v = raw_header(obj, "Date");
	if (v) {
		raw = unfold(s, v);
		m->date_raw = raw ? utf8dup(s, raw) : NULL;
		free(raw);
	}
	dt = g_mime_message_get_date(gm);
	if (dt) {
		m->sent_at = g_date_time_to_unix(dt);
		m->tz_offset = (int32_t)(g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE);
		m->has_sent_at = true;
	} else if (m->date_raw) {
		char item[ITEM_MAX + 8];

		quote_item(item, sizeof item, m->date_raw, strlen(m->date_raw));
		diag(b, LKA_WARN, LKA_E_CORRUPT, NULL, "unparsable Date: %s", item);
	}
	v = raw_header(obj, "Received");
	if (v) {
		const char *semi = strrchr(v, ';');

		raw = semi ? unfold(s, semi + 1) : NULL;
		dt = raw && raw[0] ? g_mime_utils_header_decode_date(raw) : NULL;
		if (dt) {
			m->received_at = g_date_time_to_unix(dt);
			m->has_received_at = true;
			g_date_time_unref(dt);
		}
		free(raw);
	}
}

/* A winmail.dat's message: its body when the carrier has none, its subject if none. */
static void
tnef_body(struct build *b)
{
	lka_msg *m = b->msg, *t = b->tnef;

	if ((!m->body_text || is_blank(m->body_text)) && t->body_text && !is_blank(t->body_text)) {
		free(m->body_text);
		m->body_text = t->body_text;
		t->body_text = NULL;
		if (!m->body_html) {
			m->body_html = t->body_html;
			t->body_html = NULL;
		}
	}
	if (!m->subject && t->subject) {
		m->subject = t->subject;
		t->subject = NULL;
	}
	for (size_t i = 0; i < t->diags.n; i++)
		(void)lka_diags_add(&m->diags, t->diags.v[i].severity, t->diags.v[i].kind,
				    t->diags.v[i].location, "%s", t->diags.v[i].message);
}

static void
build_free(struct build *b)
{
	for (size_t i = 0; i < b->nsegs; i++)
		free(b->segs[i].text);
	free(b->segs);
	free(b->html);
	lka_msg_free(b->tnef);
}

static lka_msg *
build_msg(struct session *s, GMimeMessage *gm, const unsigned char *raw, size_t rawlen,
	  const char *prefix, unsigned depth, const struct bounds *up)
{
	struct build b = { .s = s, .up = up };
	GMimeObject *root = g_mime_message_get_mime_part(gm);
	char *rpath = NULL;

	b.msg = calloc(1, sizeof *b.msg);
	if (!b.msg) {
		s->oom = true;
		return NULL;
	}
	b.msg->item_class = xstrdup(s, "IPM.Note");
	b.msg->raw_size = rawlen;
	lka_sha256_buf(raw, rawlen, b.msg->raw_sha256);
	b.msg->has_raw_sha256 = true;
	headers_text(&b, raw, rawlen);
	ids_and_dates(&b, gm);
	addresses(&b, gm);
	if (root && !GMIME_IS_MULTIPART(root))
		rpath = child_path(s, prefix, 1);
	else
		rpath = xstrdup(s, prefix);
	if (rpath)
		walk(&b, root, rpath, depth, false);
	free(rpath);
	finish_bodies(&b);
	if (b.tnef)
		tnef_body(&b);
	build_free(&b);
	return b.msg;
}

static bool
tree_has_diags(const lka_msg *m, unsigned depth)
{
	if (m->diags.n)
		return true;
	for (size_t i = 0; i < m->n_atts && depth < 1100; i++)
		if (m->atts[i].embedded && tree_has_diags(m->atts[i].embedded, depth + 1))
			return true;
	return false;
}

lka_status
lka_mime_parse(lka_msg **out, lka_mime *mm, const char *data, size_t n, lka_error *err)
{
	struct session s = { .mm = mm };
	struct pwarns w = { 0 };
	GMimeStream *st = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *gm = NULL;
	lka_msg *msg = NULL;
	lka_status rc;

	*out = NULL;
	if (!data)
		n = 0;
	s.base = (const unsigned char *)(data ? data : "");
	s.base_len = n;
	if ((uint64_t)n > mm->limits.message_bytes) {
		rc = lka__error(err, LKA_FAILED, LKA_E_LIMIT, 0, NULL,
				"message of %zu bytes is over the limit of %" PRIu64 " bytes", n,
				mm->limits.message_bytes);
		goto out;
	}
	st = g_mime_stream_mem_new_with_buffer(data ? data : "", n);
	parser = g_mime_parser_new_with_stream(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	mm->warns = &w;
	gm = g_mime_parser_construct_message(parser, mm->opts);
	if (!gm) {
		rc = lka__error(err, LKA_FAILED, LKA_E_CORRUPT, 0, NULL, "no message found");
		goto out;
	}
	msg = build_msg(&s, gm, s.base, n, "", 0, NULL);
	if (msg) {
		struct build fb = { .s = &s, .msg = msg };

		flush_warnings(&fb, &w, GMIME_OBJECT(gm));
	}
	if (s.oom || !msg) {
		rc = lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
		goto out;
	}
	rc = tree_has_diags(msg, 0) ? LKA_WARN : LKA_OK;
	*out = msg;
	msg = NULL;
out:
	mm->warns = NULL;
	pwarns_free(&w);
	lka_msg_free(msg);
	if (gm)
		g_object_unref(gm);
	if (parser)
		g_object_unref(parser);
	if (st)
		g_object_unref(st);
	return rc;
}

/* ------------------------------------------------------------- TNEF */

lka_status
lka_mime_tnef(lka_msg **out, lka_mime *mm, const char *data, size_t n, lka_error *err)
{
	struct session s = { .mm = mm };
	lka_arc_budget bud = { .in_bytes = n };
	struct arcud u = { &s, 0, NULL, &bud };
	lka_tnef_env env;
	lka_msg *m;

	*out = NULL;
	if (!lka_tnef_is((const unsigned char *)data, n))
		return lka__error(err, LKA_FAILED, LKA_E_CORRUPT, 0, NULL, "not a TNEF stream");
	m = calloc(1, sizeof *m);
	if (!m)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	m->raw_size = n;
	lka_sha256_buf(data, n, m->raw_sha256);
	m->has_raw_sha256 = true;
	outlook_env(&u, &env);
	lka_tnef_read(&env, (const unsigned char *)data, n, m, &m->atts, &m->n_atts, 0, &m->diags,
		      NULL);
	if (!m->item_class)
		m->item_class = lka__strdup("IPM.Note");
	if (s.oom || !m->item_class) {
		lka_msg_free(m);
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	}
	*out = m;
	return tree_has_diags(m, 0) ? LKA_WARN : LKA_OK;
}

lka_status
lka_mime_olemsg(lka_msg **out, lka_mime *mm, const char *data, size_t n, lka_error *err)
{
	struct session s = { .mm = mm };
	lka_arc_budget bud = { .in_bytes = n };
	struct arcud u = { &s, 0, NULL, &bud };
	lka_olemsg_env env;
	char why[200];
	lka_msg *m;

	*out = NULL;
	outlook_env(&u, &env);
	m = lka_olemsg_read(&env, (const unsigned char *)data, n, 0, why, sizeof why);
	if (!m)
		return lka__error(err, LKA_FAILED, LKA_E_CORRUPT, 0, NULL, "%s", why);
	olemsg_sender(mm, m, 0);
	if (s.oom) {
		lka_msg_free(m);
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	}
	*out = m;
	return tree_has_diags(m, 0) ? LKA_WARN : LKA_OK;
}

lka_contact *
lka_mime_olemsg_contact(lka_mime *mm, const char *data, size_t n)
{
	struct session s = { .mm = mm };
	lka_arc_budget bud = { .in_bytes = n };
	struct arcud u = { &s, 0, NULL, &bud };
	lka_olemsg_env env;
	char why[200];

	outlook_env(&u, &env);
	return lka_olemsg_contact(&env, (const unsigned char *)data, n, why, sizeof why);
}

/* ------------------------------------------------------------- handle */

lka_status
lka_mime_new(lka_mime **out, const lka_limits *limits, bool store_content, lka_error *err)
{
	const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	lka_mime *mm;

	*out = NULL;
	mm = calloc(1, sizeof *mm);
	if (!mm)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	if (limits)
		mm->limits = *limits;
	else
		lka_limits_default(&mm->limits);
	mm->store_content = store_content;
	/*
	 * GMime's global state is set up once per process and never torn down:
	 * GMime 3.2 cannot be initialised again after g_mime_shutdown(), and a
	 * process may make several lka_mime (an in-process ingest, then reader
	 * processes forked from it).  g_mime_init() is reference-counted.
	 */
	g_mime_init();
	mm->opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(mm->opts, fallback);
	g_mime_parser_options_set_address_compliance_mode(mm->opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(mm->opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(mm->opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_warning_callback(mm->opts, on_warning, mm);
	mm->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	mm->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
	if (mm->magic && magic_load(mm->magic, NULL) != 0) {
		/* no magic database: detected types stay NULL */
		magic_close(mm->magic);
		mm->magic = NULL;
	}

	*out = mm;
	return LKA_OK;
}

void
lka_mime_free(lka_mime *mm)
{
	if (!mm)
		return;
	if (mm->magic)
		magic_close(mm->magic);
	free(mm->sniffed);
	if (mm->utf8)
		freelocale(mm->utf8);
	g_mime_parser_options_free(mm->opts);
	free(mm);
}
