/*
 * vcard.c — vCard 2.1, 3.0 and 4.0 address books (RFC 2425/2426/6350 and
 * the older versit 2.1).  Handles line folding, quoted-printable soft line
 * breaks, CHARSET and ENCODING parameters, grouped properties
 * ("item1.EMAIL"), 2.1 bare type parameters, base64 data (PHOTO, LOGO,
 * SOUND, KEY are skipped, never stored), nested AGENT cards (skipped), and
 * several cards per file.  Hostile input: every length is checked; a card
 * without END:VCARD is kept with a diagnostic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"

#define VC_MAX_COMPONENTS 16

/* "BEGIN:VCARD" in UTF-16 after a byte order mark (Outlook saves some that way). */
static int
utf16_vcard(const unsigned char *p, size_t n)
{
	static const char w[] = "begin:vcard";
	int le;

	if (n < 2 + 22 || !((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return 0;
	le = p[0] == 0xff;
	for (size_t i = 0; i < 11; i++) {
		unsigned char lo = p[2 + 2 * i + (le ? 0 : 1)], hi = p[2 + 2 * i + (le ? 1 : 0)];
		if (hi || lka__lower(lo) != w[i])
			return 0;
	}
	return le ? 1 : 2;
}

bool
lka_vcard_detect(const unsigned char *p, size_t n)
{
	size_t i = 0;

	if (utf16_vcard(p, n))
		return true;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return n - i >= 11 && lka__ieqn((const char *)p + i, 11, "begin:vcard");
}

typedef struct prop {
	char name[32];
	bool qp, b64;
	char charset[40];
	char types[128]; /* lower-case, comma-separated */
	bool value_uri;
	const char *value;
	size_t value_n;
} prop;

static void
add_type(prop *pr, const char *v, size_t n)
{
	size_t l = strlen(pr->types);

	while (n && (*v == ' ' || *v == '"')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '"'))
		n--;
	if (!n || l + n + 2 >= sizeof pr->types)
		return;
	if (l)
		pr->types[l++] = ',';
	for (size_t i = 0; i < n; i++)
		pr->types[l++] = (char)lka__lower((unsigned char)v[i]);
	pr->types[l] = '\0';
}

static void
add_param(prop *pr, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);

	if (!eq) {
		if (lka__ieqn(p, n, "quoted-printable"))
			pr->qp = true;
		else if (lka__ieqn(p, n, "base64") || lka__ieqn(p, n, "b"))
			pr->b64 = true;
		else if (!lka__ieqn(p, n, "8bit") && !lka__ieqn(p, n, "7bit"))
			add_type(pr, p, n);
		return;
	}
	size_t kn = (size_t)(eq - p), vn = n - kn - 1;
	const char *v = eq + 1;
	if (lka__ieqn(p, kn, "encoding")) {
		if (lka__ieqn(v, vn, "quoted-printable"))
			pr->qp = true;
		else if (lka__ieqn(v, vn, "base64") || lka__ieqn(v, vn, "b"))
			pr->b64 = true;
	} else if (lka__ieqn(p, kn, "charset")) {
		snprintf(pr->charset, sizeof pr->charset, "%.*s", (int)(vn < 39 ? vn : 39), v);
	} else if (lka__ieqn(p, kn, "type")) {
		size_t s = 0;
		for (size_t i = 0; i <= vn; i++)
			if (i == vn || v[i] == ',') {
				add_type(pr, v + s, i - s);
				s = i + 1;
			}
	} else if (lka__ieqn(p, kn, "pref")) {
		add_type(pr, "pref", 4);
	} else if (lka__ieqn(p, kn, "value")) {
		pr->value_uri = lka__ieqn(v, vn, "uri") || lka__ieqn(v, vn, "url");
	}
}

/* Split "group.NAME;params:value"; false when the line is not a property. */
static bool
parse_prop(const char *p, size_t n, prop *pr)
{
	size_t i = 0, name_start = 0, ps;
	bool quoted = false;

	memset(pr, 0, sizeof *pr);
	while (i < n && p[i] != ';' && p[i] != ':') {
		if (p[i] == '.')
			name_start = i + 1;
		i++;
	}
	if (i >= n || i == name_start || i - name_start >= sizeof pr->name)
		return false;
	for (size_t k = name_start; k < i; k++)
		pr->name[k - name_start] = (char)lka__lower((unsigned char)p[k]);
	ps = i;
	while (i < n && p[i] == ';') {
		size_t s = ++i;
		while (i < n && (quoted || (p[i] != ';' && p[i] != ':'))) {
			if (p[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i > s)
			add_param(pr, p + s, i - s);
	}
	(void)ps;
	if (i >= n || p[i] != ':')
		return false;
	pr->value = p + i + 1;
	pr->value_n = n - i - 1;
	return true;
}

/* The property value as UTF-8 (quoted-printable and charset decoded). */
static char *
decode_value(const prop *pr, bool *damaged)
{
	char *raw, *out;
	size_t k = 0;
	bool lossy = false;

	raw = malloc(pr->value_n + 1);
	if (!raw)
		return NULL;
	if (pr->qp) {
		for (size_t i = 0; i < pr->value_n; i++) {
			char c = pr->value[i];
			if (c == '=') {
				if (i + 2 < pr->value_n) {
					int h = lka__hexval((unsigned char)pr->value[i + 1]);
					int l = lka__hexval((unsigned char)pr->value[i + 2]);
					if (h >= 0 && l >= 0) {
						raw[k++] = (char)(h * 16 + l);
						i += 2;
						continue;
					}
				}
				if (i + 1 == pr->value_n)
					continue; /* a trailing soft break */
				*damaged = true;
			}
			raw[k++] = c;
		}
	} else {
		memcpy(raw, pr->value, pr->value_n);
		k = pr->value_n;
	}
	raw[k] = '\0';
	out = lka_text_to_utf8(raw, k, pr->charset[0] ? pr->charset : NULL, &lossy);
	free(raw);
	if (lossy && pr->charset[0])
		*damaged = true;
	return out;
}

/* Remove vCard text escapes in place (\n \N \, \; \\). */
static void
unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = (*r == 'n' || *r == 'N') ? '\n' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Split a structured value on unescaped ';' (in place); returns the count. */
static size_t
split_components(char *s, char **comp, size_t max)
{
	size_t nc = 0;
	char *start = s;

	for (char *r = s;; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			continue;
		}
		if (*r == ';' || *r == '\0') {
			bool end = *r == '\0';
			*r = '\0';
			if (nc < max)
				comp[nc++] = start;
			if (end)
				break;
			start = r + 1;
		}
	}
	for (size_t i = 0; i < nc; i++)
		unescape(comp[i]);
	return nc;
}

typedef struct card {
	lka_contact *c;
	lka_itemloc loc;
	bool oom;
	bool damaged;
} card;

static void
set(card *cd, char **field, const char *v)
{
	if (!lka__ct_set(field, v))
		cd->oom = true;
}

static char *
join_nonempty(char **comp, size_t from, size_t to, const char *sep)
{
	lka_buf b;
	char *r;

	lka_buf_init(&b, 0);
	for (size_t i = from; i < to; i++) {
		if (!comp[i][0])
			continue;
		if (b.len)
			lka_buf_adds(&b, sep);
		lka_buf_adds(&b, comp[i]);
	}
	if (!b.len) {
		lka_buf_free(&b);
		return NULL;
	}
	r = lka_buf_steal(&b, NULL);
	return r;
}

static void
handle_prop(card *cd, const prop *pr)
{
	lka_contact *c = cd->c;
	const char *nm = pr->name;
	char *v, *comp[VC_MAX_COMPONENTS];
	size_t nc;

	if (!strcmp(nm, "photo") || !strcmp(nm, "logo") || !strcmp(nm, "sound") ||
	    !strcmp(nm, "key") || !strcmp(nm, "version") || !strcmp(nm, "prodid") || pr->b64)
		return; /* binary data and bookkeeping: not stored */
	v = decode_value(pr, &cd->damaged);
	if (!v) {
		cd->oom = true;
		return;
	}
	if (!strcmp(nm, "n")) {
		nc = split_components(v, comp, VC_MAX_COMPONENTS);
		if (nc > 0)
			set(cd, &c->family_name, comp[0]);
		if (nc > 1)
			set(cd, &c->given_name, comp[1]);
		if (nc > 2)
			set(cd, &c->middle_name, comp[2]);
		if (nc > 3)
			set(cd, &c->prefix, comp[3]);
		if (nc > 4)
			set(cd, &c->suffix, comp[4]);
	} else if (!strcmp(nm, "org")) {
		nc = split_components(v, comp, VC_MAX_COMPONENTS);
		if (nc > 0)
			set(cd, &c->organization, comp[0]);
		if (nc > 1) {
			char *d = join_nonempty(comp, 1, nc, ", ");
			set(cd, &c->department, d);
			free(d);
		}
	} else if (!strcmp(nm, "adr")) {
		lka_contact_postal *p = lka__ct_postal(c, pr->types[0] ? pr->types : NULL);
		nc = split_components(v, comp, VC_MAX_COMPONENTS);
		if (!p) {
			cd->oom = true;
		} else {
			/* post office box; extended address; street; locality; region; code; country */
			char *street = join_nonempty(comp, 0, nc < 3 ? nc : 3, ", ");
			if (street) {
				/* street first, then the box and extended parts */
				char *parts[3];
				size_t k = 0;
				if (nc > 2)
					parts[k++] = comp[2];
				if (nc > 1)
					parts[k++] = comp[1];
				if (nc > 0)
					parts[k++] = comp[0];
				free(street);
				street = join_nonempty(parts, 0, k, ", ");
			}
			p->street = street;
			set(cd, &p->locality, nc > 3 ? comp[3] : NULL);
			set(cd, &p->region, nc > 4 ? comp[4] : NULL);
			set(cd, &p->postcode, nc > 5 ? comp[5] : NULL);
			set(cd, &p->country, nc > 6 ? comp[6] : NULL);
			p->full = join_nonempty(comp, 0, nc, ", ");
		}
	} else {
		unescape(v);
		if (!strcmp(nm, "fn"))
			set(cd, &c->full_name, v);
		else if (!strcmp(nm, "nickname"))
			set(cd, &c->nickname, v);
		else if (!strcmp(nm, "title"))
			set(cd, &c->title, v);
		else if (!strcmp(nm, "note"))
			set(cd, &c->note, v);
		else if (!strcmp(nm, "uid"))
			set(cd, &c->uid, v);
		else if (!strcmp(nm, "url"))
			set(cd, &c->url, v);
		else if (!strcmp(nm, "bday")) {
			char *b = lka__birthday(v);
			set(cd, &c->birthday, b);
			free(b);
		} else if (!strcmp(nm, "email")) {
			if (!lka__ct_email(c, v, pr->types[0] ? pr->types : NULL, NULL))
				cd->oom = true;
		} else if (!strcmp(nm, "tel")) {
			const char *t = v;
			if (!strncmp(t, "tel:", 4))
				t += 4;
			if (!lka__ct_phone(c, t, pr->types[0] ? pr->types : NULL))
				cd->oom = true;
		} else if ((!strcmp(nm, "kind") || !strcmp(nm, "x-addressbookserver-kind")) &&
			   (!strcmp(v, "group") || !strcmp(v, "GROUP"))) {
			c->is_list = true;
		} else if (!strcmp(nm, "member") || !strcmp(nm, "x-addressbookserver-member")) {
			bool mail = !strncmp(v, "mailto:", 7) || !strncmp(v, "MAILTO:", 7);
			c->is_list = true;
			if (!lka__ct_member(c, NULL, mail ? v : NULL, v))
				cd->oom = true;
		}
	}
	free(v);
}

static bool
finish(card *cd, const lka_book_cb *cb, bool closed)
{
	lka_contact *c = cd->c;
	bool go;

	cd->c = NULL;
	if (cd->oom) {
		lka_contact_free(c);
		return cb->fail(cb->arg, &cd->loc, LKA_FAILED, LKA_E_NOMEM, "out of memory");
	}
	if (cd->damaged)
		lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
			      "undecodable quoted-printable or charset data in a property");
	if (!closed)
		lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
			      "card not closed by END:VCARD before the end of the file");
	go = cb->emit(cb->arg, &cd->loc, c);
	return go;
}

static void vcard_read(const char *p, size_t n, const lka_book_cb *cb, bool offsets);

void
lka_vcard_read(const char *p, size_t n, const lka_book_cb *cb)
{
	int u16 = utf16_vcard((const unsigned char *)p, n);
	char *t;

	if (!u16) {
		vcard_read(p, n, cb, true);
		return;
	}
	/* offsets would be in the converted text: not given */
	t = lka_text_to_utf8(p + 2, n - 2, u16 == 1 ? "UTF-16LE" : "UTF-16BE", NULL);
	if (!t) {
		cb->fail(cb->arg, NULL, LKA_FATAL, LKA_E_NOMEM, "out of memory");
		return;
	}
	vcard_read(t, strlen(t), cb, false);
	free(t);
}

static void
vcard_read(const char *p, size_t n, const lka_book_cb *cb, bool offsets)
{
	lka_buf cur;
	size_t pos = 0, cur_off = 0, cur_end = 0, next, len;
	bool have = false, cur_qp = false, cur_b64 = false, stop = false;
	int depth = 0;
	uint64_t ordinal = 0;
	card cd = { 0 };

	lka_buf_init(&cur, 0);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (!stop) {
		const char *line = p + pos;
		bool at_end = pos >= n;

		len = at_end ? 0 : lka__book_line_at(line, n - pos, &next);
		if (have && !at_end) {
			if (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
				if (!cur_b64)
					lka_buf_add(&cur, line + 1, len - 1);
				cur_end = pos + next;
				pos += next;
				continue;
			}
			if (cur_qp && cur.len && cur.data[cur.len - 1] == '=') {
				cur.len--;
				lka_buf_add(&cur, line, len);
				cur_end = pos + next;
				pos += next;
				continue;
			}
			if (cur_b64 && len > 0 && !memchr(line, ':', len)) {
				cur_end = pos + next; /* 2.1 base64 lines without indentation */
				pos += next;
				continue;
			}
		}
		if (have) {
			prop pr;
			have = false;
			if (cur.oom)
				cd.oom = true;
			if (parse_prop((const char *)cur.data, cur.len, &pr)) {
				bool vcard = lka__ieqn(pr.value, pr.value_n, "vcard");
				if (!strcmp(pr.name, "begin") && vcard) {
					if (depth++ == 0) {
						cd.c = lka__contact_new("vcard");
						cd.loc.ordinal = ordinal++;
						cd.loc.offset = offsets ? (int64_t)cur_off : -1;
						cd.loc.length = -1;
						cd.oom = !cd.c;
						cd.damaged = false;
						if (!cb->begin(cb->arg, &cd.loc)) {
							lka_contact_free(cd.c);
							cd.c = NULL;
							break;
						}
						if (!cd.c) {
							stop = !cb->fail(cb->arg, &cd.loc, LKA_FAILED,
									 LKA_E_NOMEM, "out of memory");
							depth = 0;
						}
					}
				} else if (!strcmp(pr.name, "end") && vcard) {
					if (depth > 0 && --depth == 0 && cd.c) {
						cd.loc.length = offsets ? (int64_t)cur_end - cd.loc.offset
									: -1;
						stop = !finish(&cd, cb, true);
					}
				} else if (!strcmp(pr.name, "agent") && pr.value_n >= 11 &&
					   lka__ieqn(pr.value, 11, "begin:vcard")) {
					depth++; /* a card inside the card: skipped */
				} else if (depth == 1 && cd.c) {
					handle_prop(&cd, &pr);
				}
			}
		}
		if (at_end)
			break;
		if (len > 0) {
			prop pr;
			lka_buf_reset(&cur);
			lka_buf_add(&cur, line, len);
			cur_off = pos;
			cur_end = pos + next;
			have = true;
			cur_qp = cur_b64 = false;
			if (parse_prop(line, len, &pr)) {
				cur_qp = pr.qp;
				cur_b64 = pr.b64;
			}
		}
		pos += next;
	}
	if (cd.c && !stop) {
		cd.loc.length = offsets ? (int64_t)n - cd.loc.offset : -1;
		finish(&cd, cb, false);
	}
	lka_contact_free(cd.c);
	lka_buf_free(&cur);
	if (ordinal == 0 && !stop)
		cb->fail(cb->arg, NULL, LKA_FAILED, LKA_E_CORRUPT, "no BEGIN:VCARD found: no card");
}
