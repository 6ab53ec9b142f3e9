/*
 * mapi.c — MAPI property lists (TNEF encoding), strings and times, the
 * LZFu decompressor of MS-OXRTFCP and RTF to text/HTML (MS-OXRTFEX).
 * Everything here reads untrusted bytes: every length is checked against
 * what is left, nothing is allocated from a declared size.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi.h"

void
lka_mapi_props_free(lka_mapi_props *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}

bool
lka_mapi_props_add(lka_mapi_props *p, uint16_t type, uint16_t id, const unsigned char *data,
		   size_t len)
{
	lka_mapi_prop *v;

	if (p->n == p->cap) {
		size_t c = p->cap ? p->cap * 2 : 32;

		v = realloc(p->v, c * sizeof *v);
		if (!v)
			return false;
		p->v = v;
		p->cap = c;
	}
	v = &p->v[p->n++];
	memset(v, 0, sizeof *v);
	v->mv = (type & LKA_PT_MV) != 0;
	v->type = type & (uint16_t)~LKA_PT_MV;
	v->id = id;
	v->named = id >= 0x8000;
	v->data = data;
	v->len = len;
	return true;
}

static size_t
fixed_size(uint16_t type)
{
	switch (type) {
	case LKA_PT_SHORT:
	case LKA_PT_LONG:
	case LKA_PT_FLOAT:
	case LKA_PT_ERROR:
	case LKA_PT_BOOLEAN:
		return 4;
	case LKA_PT_DOUBLE:
	case LKA_PT_CURRENCY:
	case LKA_PT_APPTIME:
	case LKA_PT_I8:
	case LKA_PT_SYSTIME:
		return 8;
	case LKA_PT_CLSID:
		return 16;
	default:
		return 0;
	}
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

bool
lka_mapi_parse_tnef(const unsigned char *p, size_t n, lka_mapi_props *out, char *why, size_t cap)
{
	return lka_mapi_parse_tnef_at(p, n, out, why, cap, NULL);
}

bool
lka_mapi_parse_tnef_at(const unsigned char *p, size_t n, lka_mapi_props *out, char *why,
		       size_t cap, size_t *used)
{
	size_t pos = 0;
	uint32_t count;

	if (n < 4) {
		snprintf(why, cap, "property list of %zu bytes", n);
		return false;
	}
	count = lka__le32(p);
	pos = 4;
	for (uint32_t i = 0; i < count; i++) {
		uint16_t type, id, base;
		uint32_t nvals = 1;
		const unsigned char *first = NULL;
		size_t first_len = 0;

		if (n - pos < 4)
			goto trunc;
		type = lka__le16(p + pos);
		id = lka__le16(p + pos + 2);
		pos += 4;
		base = type & (uint16_t)~LKA_PT_MV;
		if (id >= 0x8000) {
			/* named property: GUID, kind, then a number or a name */
			uint32_t kind;

			if (n - pos < 20)
				goto trunc;
			kind = lka__le32(p + pos + 16);
			pos += 20;
			if (kind == 0) {
				if (n - pos < 4)
					goto trunc;
				pos += 4;
			} else {
				uint32_t nl;

				if (n - pos < 4)
					goto trunc;
				nl = lka__le32(p + pos);
				pos += 4;
				if (nl > n - pos)
					goto trunc;
				pos += pad4(nl);
				if (pos > n)
					goto trunc;
			}
		}
		if (type & LKA_PT_MV || base == LKA_PT_STRING8 || base == LKA_PT_UNICODE ||
		    base == LKA_PT_BINARY || base == LKA_PT_OBJECT) {
			if (n - pos < 4)
				goto trunc;
			nvals = lka__le32(p + pos);
			pos += 4;
			if (nvals > n - pos) /* every value takes at least a byte */
				goto trunc;
		}
		for (uint32_t k = 0; k < nvals; k++) {
			size_t fs = fixed_size(base), len;
			const unsigned char *d;

			if (fs) {
				if (n - pos < fs)
					goto trunc;
				d = p + pos;
				len = fs;
				pos += fs;
			} else if (base == LKA_PT_STRING8 || base == LKA_PT_UNICODE ||
				   base == LKA_PT_BINARY || base == LKA_PT_OBJECT) {
				if (n - pos < 4)
					goto trunc;
				len = lka__le32(p + pos);
				pos += 4;
				if (len > n - pos)
					goto trunc;
				d = p + pos;
				pos += pad4(len);
				if (pos > n)
					pos = n;
			} else {
				snprintf(why, cap, "property 0x%04X of unknown type 0x%04X at byte %zu",
					 id, type, pos);
				return false;
			}
			if (k == 0) {
				first = d;
				first_len = len;
			}
		}
		if (!lka_mapi_props_add(out, type, id, first, first_len)) {
			snprintf(why, cap, "out of memory");
			return false;
		}
	}
	if (used)
		*used = pos;
	return true;
trunc:
	snprintf(why, cap, "property list truncated at byte %zu of %zu (%zu properties read)",
		 pos, n, out->n);
	return false;
}

const lka_mapi_prop *
lka_mapi_find(const lka_mapi_props *p, uint16_t id, uint16_t type)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].id == id && !p->v[i].named && (!type || p->v[i].type == type))
			return &p->v[i];
	return NULL;
}

char *
lka_mapi_utf16(const unsigned char *p, size_t n)
{
	lka_buf b;

	lka_buf_init(&b, 0);
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t c = lka__le16(p + i);

		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDBFF && i + 3 < n) {
			uint32_t d = lka__le16(p + i + 2);

			if (d >= 0xDC00 && d <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
				i += 2;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		lka_utf8__put(&b, c);
	}
	if (b.oom) {
		lka_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		lka_buf_adds(&b, "");
	return lka_buf_steal(&b, NULL);
}

const char *
lka_mapi_cp_charset(uint32_t cp, char *buf, size_t cap)
{
	switch (cp) {
	case 0: return NULL;
	case 65001: return "utf-8";
	case 20127: return "us-ascii";
	case 932: return "cp932";
	case 936: return "gbk";       /* libpst maps it to a charset that does not exist */
	case 949: return "cp949";
	case 950: return "big5";
	case 20866: return "koi8-r";
	case 21866: return "koi8-u";
	case 50220: case 50221: case 50222: return "iso-2022-jp";
	case 51932: return "euc-jp";
	case 51949: return "euc-kr";
	case 52936: return "hz-gb-2312";
	case 54936: return "gb18030";
	case 1200: return "utf-16le";
	case 1201: return "utf-16be";
	default: break;
	}
	if (cp >= 28591 && cp <= 28606) {
		snprintf(buf, cap, "iso-8859-%u", cp - 28590);
		return buf;
	}
	if (cp >= 1250 && cp <= 1258) {
		snprintf(buf, cap, "windows-%u", cp);
		return buf;
	}
	snprintf(buf, cap, "cp%u", cp);
	return buf;
}

static char *
prop_str(const lka_mapi_props *p, const lka_mapi_prop *v)
{
	char name[32];
	const char *cs;
	size_t len;

	if (!v || !v->data)
		return NULL;
	if (v->type == LKA_PT_UNICODE)
		return lka_mapi_utf16(v->data, v->len);
	if (v->type != LKA_PT_STRING8)
		return NULL;
	len = strnlen((const char *)v->data, v->len);
	cs = lka_mapi_cp_charset(p->codepage, name, sizeof name);
	return lka_text_to_utf8((const char *)v->data, len, cs ? cs : "windows-1252", NULL);
}

char *
lka_mapi_str(const lka_mapi_props *p, uint16_t id)
{
	const lka_mapi_prop *v = lka_mapi_find(p, id, LKA_PT_UNICODE);

	if (!v)
		v = lka_mapi_find(p, id, LKA_PT_STRING8);
	return prop_str(p, v);
}

int32_t
lka_mapi_long(const lka_mapi_props *p, uint16_t id, int32_t dflt)
{
	const lka_mapi_prop *v = lka_mapi_find(p, id, LKA_PT_LONG);

	return v && v->len >= 4 ? (int32_t)lka__le32(v->data) : dflt;
}

bool
lka_mapi_time(const lka_mapi_props *p, uint16_t id, int64_t *out)
{
	const lka_mapi_prop *v = lka_mapi_find(p, id, LKA_PT_SYSTIME);
	uint64_t ft;

	if (!v || v->len < 8)
		return false;
	ft = (uint64_t)lka__le32(v->data) | (uint64_t)lka__le32(v->data + 4) << 32;
	if (ft < 116444736000000000ull)
		return false;
	*out = (int64_t)((ft - 116444736000000000ull) / 10000000ull);
	return true;
}

/* ------------------------------------------------------------------ LZFu */

static const char lzfu_dict[] =
	"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
	"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
	"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

char *
lka_mapi_lzfu(const unsigned char *p, size_t n, size_t max, size_t *out_len, char *why,
	      size_t cap)
{
	unsigned char dict[4096];
	uint32_t comp_size, raw_size, magic;
	size_t wp = sizeof lzfu_dict - 1, pos = 16, end;
	lka_buf o;

	*out_len = 0;
	if (n < 16) {
		snprintf(why, cap, "compressed RTF of %zu bytes", n);
		return NULL;
	}
	comp_size = lka__le32(p);
	raw_size = lka__le32(p + 4);
	magic = lka__le32(p + 8);
	end = comp_size + 4 < n ? comp_size + 4 : n;
	lka_buf_init(&o, max);
	if (magic == 0x414C454D) { /* "MELA": stored */
		size_t take = end - pos;

		if (raw_size < take)
			take = raw_size;
		lka_buf_add(&o, p + pos, take);
		goto done;
	}
	if (magic != 0x75465A4C) {
		snprintf(why, cap, "compressed RTF: unknown type 0x%08" PRIX32, magic);
		lka_buf_free(&o);
		return NULL;
	}
	memset(dict, 0, sizeof dict);
	memcpy(dict, lzfu_dict, sizeof lzfu_dict - 1);
	while (pos < end && o.len < raw_size && !o.toobig && !o.oom) {
		unsigned ctl = p[pos++];

		for (int bit = 0; bit < 8 && pos < end && o.len < raw_size; bit++) {
			if (!(ctl & (1u << bit))) {
				unsigned char c = p[pos++];

				lka_buf_addc(&o, c);
				dict[wp] = c;
				wp = (wp + 1) % 4096;
			} else {
				unsigned ref, off, len;

				if (end - pos < 2) {
					pos = end;
					break;
				}
				ref = (unsigned)p[pos] << 8 | p[pos + 1];
				pos += 2;
				off = ref >> 4;
				len = (ref & 0xF) + 2;
				if (off == wp)
					goto done; /* the end marker */
				for (unsigned k = 0; k < len; k++) {
					unsigned char c = dict[(off + k) % 4096];

					lka_buf_addc(&o, c);
					dict[wp] = c;
					wp = (wp + 1) % 4096;
				}
			}
		}
	}
done:
	if (o.oom) {
		lka_buf_free(&o);
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	if (!o.data)
		lka_buf_adds(&o, "");
	*out_len = o.len;
	return lka_buf_steal(&o, out_len);
}

/* ------------------------------------------------------------------ RTF */

/* Destinations whose text is not body text. */
static bool
skip_dest(const char *w)
{
	static const char *const d[] = {
		"fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header",
		"footer", "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl",
		"themedata", "colorschememapping", "latentstyles", "datastore", "fldinst",
		"filetbl", "revtbl", "pgdsctbl", "mmathPr", "headerl", "headerr", "footerl",
		"footerr",
	};
	for (size_t i = 0; i < LKA_ARRAY_LEN(d); i++)
		if (!strcmp(w, d[i]))
			return true;
	return false;
}

/*
 * Output of the RTF reader: 8-bit text (\'hh and literal bytes) is held in
 * bytes until something else is written, then decoded in the document's
 * code page (\ansicpg), so that double-byte characters split over two \'hh
 * escapes stay whole.  ASCII runs are copied as they are.
 */
typedef struct rtf_out {
	lka_buf o, bytes;
	bool high;          /* bytes holds a byte >= 0x80 */
	char charset[32];   /* of the 8-bit text */
} rtf_out;

static void
rtf_flush(rtf_out *r)
{
	if (!r->bytes.len)
		return;
	if (!r->high) {
		lka_buf_add(&r->o, r->bytes.data, r->bytes.len);
	} else {
		char *t = lka_text_to_utf8((const char *)r->bytes.data, r->bytes.len, r->charset,
					   NULL);

		if (t)
			lka_buf_adds(&r->o, t);
		else
			r->o.oom = true;
		free(t);
	}
	lka_buf_reset(&r->bytes);
	r->high = false;
}

static void
rtf_byte(rtf_out *r, unsigned char c)
{
	lka_buf_addc(&r->bytes, c);
	if (c >= 0x80)
		r->high = true;
}

static void
rtf_str(rtf_out *r, const char *s)
{
	rtf_flush(r);
	lka_buf_adds(&r->o, s);
}

static unsigned
hexval(char h)
{
	h = (char)(h | 0x20);
	return (unsigned)(h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : 0);
}

#define RTF_DEPTH 256

char *
lka_mapi_rtf_text(const char *rtf, size_t n, char **html)
{
	struct {
		bool skip;    /* text of this group is not output */
		bool htmltag; /* inside {\*\htmltag}: output even when htmlrtf */
		int uc;       /* bytes to skip after \uN */
	} st[RTF_DEPTH];
	int depth = 0, skip_bytes = 0;
	bool fromhtml = false, htmlrtf = false, star = false;
	rtf_out r;
	char *text;

	*html = NULL;
	memset(st, 0, sizeof st);
	st[0].uc = 1;
	lka_buf_init(&r.o, 0);
	lka_buf_init(&r.bytes, 0);
	r.high = false;
	snprintf(r.charset, sizeof r.charset, "windows-1252");
	fromhtml = n > 0 && memmem(rtf, n < 4096 ? n : 4096, "\\fromhtml", 9) != NULL;
	for (size_t i = 0; i < n && !r.o.oom && !r.bytes.oom; i++) {
		char c = rtf[i];
		bool out = !st[depth].skip && (st[depth].htmltag || !htmlrtf);

		if (c == '{') {
			if (depth + 1 < RTF_DEPTH) {
				depth++;
				st[depth] = st[depth - 1];
				st[depth].htmltag = false;
				if (st[depth - 1].htmltag)
					st[depth].htmltag = true;
			}
			star = false;
			continue;
		}
		if (c == '}') {
			if (depth > 0)
				depth--;
			star = false;
			continue;
		}
		if (c == '\r' || c == '\n')
			continue;
		if (c != '\\') {
			if (skip_bytes > 0) {
				skip_bytes--;
				continue;
			}
			if (out)
				rtf_byte(&r, (unsigned char)c);
			continue;
		}
		/* a control word or symbol */
		if (i + 1 >= n)
			break;
		c = rtf[++i];
		if (c == '\\' || c == '{' || c == '}') {
			if (skip_bytes > 0)
				skip_bytes--;
			else if (out)
				rtf_byte(&r, (unsigned char)c);
			continue;
		}
		if (c == '*') {
			star = true;
			continue;
		}
		if (c == '\'') {
			unsigned v = 0;

			for (int k = 0; k < 2 && i + 1 < n; k++)
				v = v * 16 + hexval(rtf[++i]);
			if (skip_bytes > 0) {
				skip_bytes--;
				continue;
			}
			if (out)
				rtf_byte(&r, (unsigned char)v);
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
			if (c == '~' && out)
				rtf_byte(&r, ' ');
			continue;
		}
		{
			char word[32];
			size_t wl = 0;
			long num = 0;
			bool has_num = false, neg = false;

			while (i < n && ((rtf[i] >= 'a' && rtf[i] <= 'z') ||
					 (rtf[i] >= 'A' && rtf[i] <= 'Z'))) {
				if (wl + 1 < sizeof word)
					word[wl++] = rtf[i];
				i++;
			}
			word[wl] = '\0';
			if (i < n && rtf[i] == '-') {
				neg = true;
				i++;
			}
			while (i < n && rtf[i] >= '0' && rtf[i] <= '9') {
				if (num < 1000000)
					num = num * 10 + (rtf[i] - '0');
				has_num = true;
				i++;
			}
			if (neg)
				num = -num;
			if (!(i < n && rtf[i] == ' '))
				i--; /* the delimiter is part of the text */
			if (star && !strncmp(word, "htmltag", 7)) {
				st[depth].htmltag = true;
				st[depth].skip = false;
				star = false;
				continue;
			}
			if (star && !strcmp(word, "mhtmltag")) {
				st[depth].skip = true;
				star = false;
				continue;
			}
			if (star || skip_dest(word)) {
				st[depth].skip = true;
				star = false;
				continue;
			}
			if (!strcmp(word, "ansicpg") && has_num && num > 0) {
				char b[32];
				const char *cs = lka_mapi_cp_charset((uint32_t)num, b, sizeof b);

				rtf_flush(&r);
				if (cs)
					snprintf(r.charset, sizeof r.charset, "%s", cs);
				continue;
			}
			out = !st[depth].skip && (st[depth].htmltag || !htmlrtf);
			if (!strcmp(word, "htmlrtf")) {
				htmlrtf = !(has_num && num == 0);
			} else if (!strcmp(word, "par") || !strcmp(word, "line")) {
				if (out && !(fromhtml && !st[depth].htmltag))
					rtf_str(&r, "\n");
				else if (out && fromhtml)
					rtf_str(&r, "\r\n");
			} else if (!strcmp(word, "row")) {
				if (out)
					rtf_str(&r, "\n");
			} else if (!strcmp(word, "tab") || !strcmp(word, "cell")) {
				if (out)
					rtf_str(&r, "\t");
			} else if (!strcmp(word, "uc")) {
				st[depth].uc = (int)(num < 0 ? 0 : num > 8 ? 8 : num);
			} else if (!strcmp(word, "u") && has_num) {
				long cp = num < 0 ? num + 65536 : num;

				if (out && cp > 0 && (cp < 0xD800 || cp > 0xDFFF)) {
					rtf_flush(&r);
					lka_utf8__put(&r.o, (uint32_t)cp);
				}
				skip_bytes = st[depth].uc;
			} else if (!strcmp(word, "lquote") || !strcmp(word, "rquote")) {
				if (out)
					rtf_str(&r, "'");
			} else if (!strcmp(word, "ldblquote") || !strcmp(word, "rdblquote")) {
				if (out)
					rtf_str(&r, "\"");
			} else if (!strcmp(word, "emdash")) {
				if (out)
					rtf_str(&r, "\xe2\x80\x94");
			} else if (!strcmp(word, "endash")) {
				if (out)
					rtf_str(&r, "\xe2\x80\x93");
			} else if (!strcmp(word, "bullet")) {
				if (out)
					rtf_str(&r, "\xe2\x80\xa2");
			}
		}
	}
	rtf_flush(&r);
	if (r.bytes.oom)
		r.o.oom = true;
	lka_buf_free(&r.bytes);
	if (r.o.oom) {
		lka_buf_free(&r.o);
		return NULL;
	}
	if (!r.o.data)
		lka_buf_adds(&r.o, "");
	text = lka_buf_steal(&r.o, NULL);
	if (text && !lka_utf8_valid(text, strlen(text))) {
		char *u = lka_text_to_utf8(text, strlen(text), NULL, NULL);

		free(text);
		text = u;
	}
	if (fromhtml) {
		*html = text;
		return NULL;
	}
	return text;
}

/* ------------------------------------------------------------------ messages */

void
lka_mapi_add_recipient(lka_msg *m, const lka_mapi_props *p)
{
	int32_t t = lka_mapi_long(p, LKA_PR_RECIPIENT_TYPE, 1);
	char *name = lka_mapi_str(p, LKA_PR_DISPLAY_NAME);
	char *smtp = lka_mapi_str(p, LKA_PR_SMTP_ADDRESS);
	char *email = lka_mapi_str(p, LKA_PR_EMAIL_ADDRESS);
	const char *addr = smtp && strchr(smtp, '@') ? smtp : email && strchr(email, '@') ? email
											 : NULL;
	lka_addr *v = realloc(m->addrs, (m->n_addrs + 1) * sizeof *v);

	if (v) {
		lka_addr *a = &v[m->n_addrs++];
		lka_buf raw;

		m->addrs = v;
		memset(a, 0, sizeof *a);
		a->role = (t & 0xF) == 2 ? LKA_ROLE_CC : (t & 0xF) == 3 ? LKA_ROLE_BCC : LKA_ROLE_TO;
		a->address = addr ? lka_addr_normalize(addr) : NULL;
		a->name = name;
		name = NULL;
		lka_buf_init(&raw, 0);
		if (a->name)
			lka_buf_printf(&raw, "%s ", a->name);
		lka_buf_printf(&raw, "<%s>", addr ? addr : email ? email : "");
		a->raw = raw.oom ? NULL : lka_buf_steal(&raw, NULL);
		lka_buf_free(&raw);
	}
	free(name);
	free(smtp);
	free(email);
}

static void
set_if_empty(char **field, char *value)
{
	if (!*field && value && *value) {
		*field = value;
		return;
	}
	free(value);
}

void
lka_mapi_fill_msg(lka_msg *m, const lka_mapi_props *p, size_t text_max)
{
	const lka_mapi_prop *v;
	int64_t t;
	char *s;

	set_if_empty(&m->item_class, lka_mapi_str(p, LKA_PR_MESSAGE_CLASS));
	set_if_empty(&m->subject, lka_mapi_str(p, LKA_PR_SUBJECT));
	set_if_empty(&m->message_id, lka_mapi_str(p, LKA_PR_INTERNET_MESSAGE_ID));
	if (m->message_id) {
		size_t l = strlen(m->message_id);

		if (l >= 2 && m->message_id[0] == '<' && m->message_id[l - 1] == '>') {
			memmove(m->message_id, m->message_id + 1, l - 2);
			m->message_id[l - 2] = '\0';
		}
	}
	set_if_empty(&m->headers, lka_mapi_str(p, LKA_PR_TRANSPORT_HEADERS));
	if (!m->has_sent_at && lka_mapi_time(p, LKA_PR_CLIENT_SUBMIT_TIME, &t)) {
		m->sent_at = t;
		m->has_sent_at = true;
	}
	if (!m->has_received_at && lka_mapi_time(p, LKA_PR_DELIVERY_TIME, &t)) {
		m->received_at = t;
		m->has_received_at = true;
	}
	set_if_empty(&m->from_name, lka_mapi_str(p, LKA_PR_SENT_REPRESENTING_NAME));
	set_if_empty(&m->from_name, lka_mapi_str(p, LKA_PR_SENDER_NAME));
	if (!m->from_address) {
		static const uint16_t ids[] = { LKA_PR_SENT_REPRESENTING_SMTP, LKA_PR_SENDER_SMTP,
						LKA_PR_SENT_REPRESENTING_EMAIL,
						LKA_PR_SENDER_EMAIL };

		for (size_t i = 0; i < LKA_ARRAY_LEN(ids) && !m->from_address; i++) {
			s = lka_mapi_str(p, ids[i]);
			if (s && strchr(s, '@'))
				m->from_address = lka_addr_normalize(s);
			free(s);
		}
	}
	if (!m->body_text || !*m->body_text) {
		s = lka_mapi_str(p, LKA_PR_BODY);
		if (s && *s) {
			free(m->body_text);
			m->body_text = s;
			s = NULL;
		}
		free(s);
	}
	if (!m->body_html && (v = lka_mapi_find(p, LKA_PR_HTML, 0)) && v->data && v->len &&
	    (v->type == LKA_PT_BINARY || v->type == LKA_PT_STRING8)) {
		m->body_html = lka_text_to_utf8((const char *)v->data, v->len, NULL, NULL);
	}
	if (!m->body_html && (!m->body_text || !*m->body_text) &&
	    (v = lka_mapi_find(p, LKA_PR_RTF_COMPRESSED, LKA_PT_BINARY)) && v->data) {
		char why[160];
		size_t rl;
		char *rtf = lka_mapi_lzfu(v->data, v->len, text_max * 4 + 4096, &rl, why, sizeof why);

		if (!rtf) {
			(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, NULL, "%s", why);
		} else {
			char *html = NULL, *text = lka_mapi_rtf_text(rtf, rl, &html);

			if (html) {
				m->body_html = html;
			} else if (text) {
				free(m->body_text);
				m->body_text = text;
				text = NULL;
			}
			free(text);
			free(rtf);
		}
	}
	if (m->body_html && (!m->body_text || !*m->body_text)) {
		free(m->body_text);
		m->body_text = lka_html_to_text(m->body_html, strlen(m->body_html));
	}
	if (m->body_text && strlen(m->body_text) > text_max) {
		size_t cut = text_max;

		while (cut > 0 && ((unsigned char)m->body_text[cut] & 0xC0) == 0x80)
			cut--;
		m->body_text[cut] = '\0';
	}
}
