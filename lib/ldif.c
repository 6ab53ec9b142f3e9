/*
 * ldif.c — LDIF address books (RFC 2849; Thunderbird, Outlook and OpenLDAP
 * exports): records separated by blank lines, continuation lines (one
 * leading space), comments, base64 values ("attr:: ..."), attribute options
 * ("cn;lang-fr:"), URL values ("attr:< ...", not followed).  Every record
 * with a dn is one entry; groupOfNames / groupOfUniqueNames records are
 * lists whose members (DNs) are resolved to a name (cn=) and an address
 * (mail=) when the DN holds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"

bool
lka_ldif_detect(const unsigned char *p, size_t n)
{
	size_t pos = 0, next, len;
	bool version = false;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		pos = 3;
	for (int lines = 0; pos < n && lines < 200; lines++, pos += next) {
		const char *l = (const char *)p + pos;
		len = lka__book_line_at(l, n - pos, &next);
		if (next == 0)
			break;
		if (len == 0 || l[0] == '#' || (l[0] == ' ' && !version))
			continue;
		if (len >= 3 && lka__ieqn(l, 3, "dn:"))
			return !memchr(l, '\0', len);
		if (len >= 8 && lka__ieqn(l, 8, "version:") && !version) {
			version = true;
			continue;
		}
		return false;
	}
	return false;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 (whitespace ignored); NULL on OOM, *bad on invalid characters. */
static char *
b64_decode(const char *s, size_t n, size_t *out_n, bool *bad)
{
	char *out = malloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0;
	size_t k = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0) {
			if (s[i] == '=')
				break;
			if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
				*bad = true;
			continue;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[k] = '\0';
	*out_n = k;
	return out;
}

typedef struct attr {
	char name[48]; /* lower-case, options removed */
	char *value;   /* UTF-8, owned */
} attr;

typedef struct rec {
	attr *v;
	size_t n, cap;
	bool bad, oom;
	char *dn;
} rec;

static void
rec_clear(rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].value);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Add the logical line l[0..n) to the record. */
static void
rec_line(rec *r, const char *l, size_t n)
{
	size_t i = 0, vn;
	const char *v;
	char *val;
	bool b64 = false;
	attr *a;

	while (i < n && l[i] != ':')
		i++;
	if (i == 0 || i >= n) {
		r->bad = true;
		return;
	}
	v = l + i + 1;
	vn = n - i - 1;
	if (vn && *v == ':') {
		b64 = true;
		v++;
		vn--;
	} else if (vn && *v == '<') {
		return; /* a URL value: not followed */
	}
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	if (b64) {
		size_t dn;
		char *raw = b64_decode(v, vn, &dn, &r->bad);
		if (!raw) {
			r->oom = true;
			return;
		}
		val = lka_text_to_utf8(raw, dn, NULL, NULL);
		free(raw);
	} else {
		val = lka_text_to_utf8(v, vn, NULL, NULL);
	}
	if (!val) {
		r->oom = true;
		return;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		attr *nv = realloc(r->v, cap * sizeof *nv);
		if (!nv) {
			free(val);
			r->oom = true;
			return;
		}
		r->v = nv;
		r->cap = cap;
	}
	a = &r->v[r->n++];
	memset(a->name, 0, sizeof a->name);
	for (size_t k = 0; k < i && k + 1 < sizeof a->name && l[k] != ';'; k++)
		a->name[k] = (char)lka__lower((unsigned char)l[k]);
	a->value = val;
	if (!strcmp(a->name, "dn") && !r->dn)
		r->dn = val;
}

/* Value of "attr=value" in a DN for attr (malloc'd), NULL if absent. */
static char *
dn_part(const char *dn, const char *want)
{
	const char *p = dn;
	size_t wl = strlen(want);

	while (*p) {
		const char *s = p, *e;
		while (*p && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		e = p;
		while (s < e && *s == ' ')
			s++;
		if ((size_t)(e - s) > wl && lka__ieqn(s, wl, want) && s[wl] == '=') {
			lka_buf b;
			lka_buf_init(&b, 0);
			for (const char *q = s + wl + 1; q < e; q++) {
				if (*q == '\\' && q + 1 < e)
					q++;
				lka_buf_addc(&b, *q);
			}
			return lka_buf_steal(&b, NULL);
		}
		if (*p)
			p++;
	}
	return NULL;
}

static lka_contact_postal *
postal(lka_contact *c, lka_contact_postal **slot, const char *type, bool *oom)
{
	if (!*slot) {
		*slot = lka__ct_postal(c, type);
		if (!*slot)
			*oom = true;
	}
	return *slot;
}

static lka_contact *
build(const rec *r, bool *oom)
{
	lka_contact *c = lka__contact_new("ldif");
	size_t work_i = SIZE_MAX, home_i = SIZE_MAX;
	const char *by = NULL, *bm = NULL, *bd = NULL;

	if (!c) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < r->n && !*oom; i++) {
		const char *nm = r->v[i].name, *v = r->v[i].value;
		bool ok = true;
		lka_contact_postal *wp = work_i < c->n_postals ? &c->postals[work_i] : NULL;
		lka_contact_postal *hp = home_i < c->n_postals ? &c->postals[home_i] : NULL;

		if (!strcmp(nm, "dn"))
			ok = lka__ct_set(&c->uid, v);
		else if (!strcmp(nm, "cn") || !strcmp(nm, "commonname"))
			ok = c->full_name || lka__ct_set(&c->full_name, v);
		else if (!strcmp(nm, "displayname"))
			ok = c->full_name || lka__ct_set(&c->full_name, v);
		else if (!strcmp(nm, "givenname"))
			ok = lka__ct_set(&c->given_name, v);
		else if (!strcmp(nm, "sn") || !strcmp(nm, "surname"))
			ok = lka__ct_set(&c->family_name, v);
		else if (!strcmp(nm, "mozillanickname") || !strcmp(nm, "xmozillanickname") ||
			 !strcmp(nm, "nickname"))
			ok = lka__ct_set(&c->nickname, v);
		else if (!strcmp(nm, "mail") || !strcmp(nm, "mozillasecondemail") ||
			 !strcmp(nm, "xmozillasecondemail") || !strcmp(nm, "othermailbox") ||
			 !strcmp(nm, "rfc822mailbox"))
			ok = lka__ct_email(c, v, nm, NULL);
		else if (!strcmp(nm, "telephonenumber"))
			ok = lka__ct_phone(c, v, "work");
		else if (!strcmp(nm, "homephone"))
			ok = lka__ct_phone(c, v, "home");
		else if (!strcmp(nm, "mobile") || !strcmp(nm, "cellphone"))
			ok = lka__ct_phone(c, v, "mobile");
		else if (!strcmp(nm, "facsimiletelephonenumber") || !strcmp(nm, "fax"))
			ok = lka__ct_phone(c, v, "fax");
		else if (!strcmp(nm, "pager"))
			ok = lka__ct_phone(c, v, "pager");
		else if (!strcmp(nm, "o"))
			ok = lka__ct_set(&c->organization, v);
		else if (!strcmp(nm, "ou") || !strcmp(nm, "department"))
			ok = c->department || lka__ct_set(&c->department, v);
		else if (!strcmp(nm, "title"))
			ok = lka__ct_set(&c->title, v);
		else if (!strcmp(nm, "description"))
			ok = lka__ct_set(&c->note, v);
		else if (!strcmp(nm, "birthyear"))
			by = v;
		else if (!strcmp(nm, "birthmonth"))
			bm = v;
		else if (!strcmp(nm, "birthday"))
			bd = v;
		else if (!strcmp(nm, "mozillaworkurl") || !strcmp(nm, "mozillahomeurl") ||
			 !strcmp(nm, "labeleduri") || !strcmp(nm, "workurl") || !strcmp(nm, "homeurl"))
			ok = c->url || lka__ct_set(&c->url, v);
		else if (!strcmp(nm, "objectclass")) {
			if (!strcmp(v, "groupOfNames") || !strcmp(v, "groupofnames") ||
			    !strcmp(v, "groupOfUniqueNames") || !strcmp(v, "groupofuniquenames"))
				c->is_list = true;
		} else if (!strcmp(nm, "member") || !strcmp(nm, "uniquemember")) {
			char *name = dn_part(v, "cn"), *mail = dn_part(v, "mail");
			c->is_list = true;
			ok = lka__ct_member(c, name, mail, v);
			free(name);
			free(mail);
		} else if (!strcmp(nm, "street") || !strcmp(nm, "streetaddress") ||
			   !strcmp(nm, "postaladdress") || !strcmp(nm, "mozillaworkstreet2") ||
			   !strcmp(nm, "l") || !strcmp(nm, "locality") || !strcmp(nm, "st") ||
			   !strcmp(nm, "postalcode") || !strcmp(nm, "c") || !strcmp(nm, "co") ||
			   !strcmp(nm, "countryname")) {
			if (!wp) {
				wp = postal(c, &wp, "work", oom);
				work_i = c->n_postals - 1;
				if (!wp)
					break;
			}
			if (nm[0] == 's' && nm[1] == 't' && nm[2] == 'r')
				lka__book_append(&wp->street, v, oom);
			else if (!strcmp(nm, "postaladdress") || !strcmp(nm, "mozillaworkstreet2"))
				lka__book_append(&wp->street, v, oom);
			else if (nm[0] == 'l')
				ok = lka__ct_set(&wp->locality, v);
			else if (!strcmp(nm, "st"))
				ok = lka__ct_set(&wp->region, v);
			else if (!strcmp(nm, "postalcode"))
				ok = lka__ct_set(&wp->postcode, v);
			else
				ok = lka__ct_set(&wp->country, v);
		} else if (!strncmp(nm, "mozillahome", 11) && strcmp(nm, "mozillahomeurl") != 0) {
			const char *k = nm + 11;
			if (!hp) {
				hp = postal(c, &hp, "home", oom);
				home_i = c->n_postals - 1;
				if (!hp)
					break;
				/* a realloc may have moved the work address */
			}
			if (!strncmp(k, "street", 6))
				lka__book_append(&hp->street, v, oom);
			else if (!strcmp(k, "localityname"))
				ok = lka__ct_set(&hp->locality, v);
			else if (!strcmp(k, "state"))
				ok = lka__ct_set(&hp->region, v);
			else if (!strcmp(k, "postalcode"))
				ok = lka__ct_set(&hp->postcode, v);
			else if (!strcmp(k, "countryname"))
				ok = lka__ct_set(&hp->country, v);
		}
		if (!ok)
			*oom = true;
	}
	if (by && bm && bd) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.8s-%02d-%02d", by, atoi(bm), atoi(bd));
		c->birthday = lka__birthday(tmp);
	}
	for (size_t i = 0; i < c->n_postals; i++)
		lka__postal_full(&c->postals[i]);
	return c;
}

static bool
flush(rec *r, size_t start, size_t end, uint64_t *ordinal, const lka_book_cb *cb)
{
	lka_itemloc loc;
	lka_contact *c;
	bool oom = r->oom, go;

	if (!r->dn) {
		rec_clear(r);
		return true;
	}
	loc.ordinal = (*ordinal)++;
	loc.offset = (int64_t)start;
	loc.length = (int64_t)(end - start);
	if (!cb->begin(cb->arg, &loc)) {
		rec_clear(r);
		return false;
	}
	c = oom ? NULL : build(r, &oom);
	if (oom || !c) {
		lka_contact_free(c);
		rec_clear(r);
		return cb->fail(cb->arg, &loc, LKA_FAILED, LKA_E_NOMEM, "out of memory");
	}
	if (r->bad)
		lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
			      "malformed lines or base64 values in the entry");
	rec_clear(r);
	go = cb->emit(cb->arg, &loc, c);
	return go;
}

void
lka_ldif_read(const char *p, size_t n, const lka_book_cb *cb)
{
	rec r = { 0 };
	lka_buf cur;
	size_t pos = 0, next, len, start = 0, end = 0;
	bool have = false, comment = false, in_rec = false, go = true;
	uint64_t ordinal = 0;

	lka_buf_init(&cur, 0);
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (go) {
		const char *l = p + pos;
		bool at_end = pos >= n;

		len = at_end ? 0 : lka__book_line_at(l, n - pos, &next);
		if (!at_end && len > 0 && l[0] == ' ' && (have || comment)) {
			if (have)
				lka_buf_add(&cur, l + 1, len - 1);
			end = pos + next;
			pos += next;
			continue;
		}
		if (have) {
			rec_line(&r, (const char *)cur.data, cur.len);
			if (cur.oom)
				r.oom = true;
			have = false;
		}
		comment = false;
		if (at_end || len == 0) {
			if (in_rec)
				go = flush(&r, start, end, &ordinal, cb);
			in_rec = false;
			if (at_end)
				break;
			pos += next;
			continue;
		}
		if (l[0] == '#') {
			comment = true;
		} else {
			if (!in_rec) {
				in_rec = true;
				start = pos;
			}
			lka_buf_reset(&cur);
			lka_buf_add(&cur, l, len);
			have = true;
		}
		end = pos + next;
		pos += next;
	}
	rec_clear(&r);
	lka_buf_free(&cur);
	if (ordinal == 0 && go)
		cb->fail(cb->arg, NULL, LKA_FAILED, LKA_E_CORRUPT, "no dn: line found: no entry");
}
