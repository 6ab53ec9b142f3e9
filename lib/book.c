/*
 * book.c — helpers shared by the address-book readers (see book.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"

lka_contact *
lka__contact_new(const char *item_class)
{
	lka_contact *c = calloc(1, sizeof *c);

	if (c && !(c->item_class = lka__strdup(item_class))) {
		free(c);
		return NULL;
	}
	return c;
}

/* A trimmed copy of s, or NULL when s is NULL or blank (*oom set on failure). */
static char *
trimmed(const char *s, bool *oom)
{
	size_t a = 0, b;
	char *r;

	if (!s)
		return NULL;
	b = strlen(s);
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n'))
		b--;
	if (a == b)
		return NULL;
	r = lka__strndup(s + a, b - a);
	if (!r)
		*oom = true;
	return r;
}

bool
lka__ct_set(char **field, const char *s)
{
	bool oom = false;
	char *t = trimmed(s, &oom);

	if (oom)
		return false;
	if (t) {
		free(*field);
		*field = t;
	}
	return true;
}

static bool
grow(void **v, size_t n, size_t sz)
{
	void *p = realloc(*v, (n + 1) * sz);

	if (!p)
		return false;
	*v = p;
	memset((char *)p + n * sz, 0, sz);
	return true;
}

bool
lka__ct_email(lka_contact *c, const char *raw, const char *type, const char *name)
{
	bool oom = false;
	lka_contact_email *e;
	char *r = trimmed(raw, &oom);

	if (!r)
		return !oom;
	if (!grow((void **)&c->emails, c->n_emails, sizeof *c->emails)) {
		free(r);
		return false;
	}
	e = &c->emails[c->n_emails++];
	e->raw = r;
	if (strncmp(r, "mailto:", 7) == 0 || strncmp(r, "MAILTO:", 7) == 0)
		e->address = lka_addr_normalize(r + 7);
	else
		e->address = lka_addr_normalize(r);
	e->type = trimmed(type, &oom);
	e->name = trimmed(name, &oom);
	return !oom;
}

bool
lka__ct_phone(lka_contact *c, const char *raw, const char *type)
{
	bool oom = false;
	char *r = trimmed(raw, &oom);

	if (!r)
		return !oom;
	if (!grow((void **)&c->phones, c->n_phones, sizeof *c->phones)) {
		free(r);
		return false;
	}
	c->phones[c->n_phones].raw = r;
	c->phones[c->n_phones].type = trimmed(type, &oom);
	c->n_phones++;
	return !oom;
}

lka_contact_postal *
lka__ct_postal(lka_contact *c, const char *type)
{
	bool oom = false;
	lka_contact_postal *p;

	if (!grow((void **)&c->postals, c->n_postals, sizeof *c->postals))
		return NULL;
	p = &c->postals[c->n_postals++];
	p->type = trimmed(type, &oom);
	return oom ? NULL : p;
}

bool
lka__ct_member(lka_contact *c, const char *name, const char *address, const char *raw)
{
	bool oom = false;
	lka_contact_email *m;

	if (!grow((void **)&c->members, c->n_members, sizeof *c->members))
		return false;
	m = &c->members[c->n_members++];
	m->name = trimmed(name, &oom);
	m->raw = trimmed(raw, &oom);
	if (address) {
		const char *a = address;
		if (strncmp(a, "mailto:", 7) == 0 || strncmp(a, "MAILTO:", 7) == 0)
			a += 7;
		m->address = lka_addr_normalize(a);
	}
	return !oom;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static char *
ymd(int y, int m, int d)
{
	char out[32];

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return NULL;
	snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
	return lka__strdup(out);
}

char *
lka__birthday(const char *s)
{
	bool oom = false;
	char *t = trimmed(s, &oom), *r = NULL;
	size_t n;
	int y, m, d;

	if (!t)
		return NULL;
	n = strlen(t);
	if (n >= 10 && t[4] == '-' && t[7] == '-' && (n == 10 || t[10] == 'T' || t[10] == ' ')) {
		y = digits(t, 4), m = digits(t + 5, 2), d = digits(t + 8, 2);
		if (y >= 0 && m >= 0 && d >= 0)
			r = ymd(y, m, d);
	} else if (n >= 8 && digits(t, 8) >= 0 && (n == 8 || t[8] == 'T')) {
		r = ymd(digits(t, 4), digits(t + 4, 2), digits(t + 6, 2));
	} else {
		/* D/M/YYYY or M/D/YYYY (also with '.' or '-'): European exports put the
		 * day first; the month first only when the day cannot be first */
		int a = 0, b = 0, used = 0;
		char s1 = 0, s2 = 0;
		if (sscanf(t, "%2d%c%2d%c%4d%n", &a, &s1, &b, &s2, &y, &used) == 5 &&
		    (size_t)used == n && s1 == s2 && (s1 == '/' || s1 == '.' || s1 == '-') && y > 999) {
			if (a > 12 || s1 == '.')
				r = ymd(y, b, a);
			else if (b > 12)
				r = ymd(y, a, b);
		}
	}
	if (r) {
		free(t);
		return r;
	}
	return t;
}

bool
lka__looks_email(const char *s, size_t n)
{
	for (size_t i = 1; i + 3 < n; i++) {
		if (s[i] != '@')
			continue;
		unsigned char b = (unsigned char)s[i - 1];
		if (b == ' ' || b == ',' || b == ';' || b == '"' || b == '\t' || b == '<')
			continue;
		for (size_t j = i + 2; j + 1 < n; j++) {
			unsigned char c = (unsigned char)s[j];
			if (c == '.' && s[j + 1] != ' ' && s[j + 1] != '.' && s[j + 1] != ',' &&
			    s[j + 1] != ';' && s[j + 1] != '"' && s[j + 1] != '\t')
				return true;
			if (c == ' ' || c == ',' || c == ';' || c == '"' || c == '\t' || c == '\n' ||
			    c == '\r' || c == '@')
				break;
		}
	}
	return false;
}

size_t
lka__book_line_at(const char *p, size_t n, size_t *next)
{
	size_t i = 0;

	while (i < n && p[i] != '\n' && p[i] != '\r')
		i++;
	*next = i;
	if (i < n && p[i] == '\r')
		(*next)++;
	if (*next < n && p[*next] == '\n' && (i == *next || p[i] == '\r'))
		(*next)++;
	return i;
}

void
lka__book_append(char **field, const char *v, bool *oom)
{
	if (!*field) {
		if (!lka__ct_set(field, v))
			*oom = true;
		return;
	}
	size_t a = strlen(*field), b = strlen(v);
	char *s = realloc(*field, a + b + 3);
	if (!s) {
		*oom = true;
		return;
	}
	memcpy(s + a, ", ", 2);
	memcpy(s + a + 2, v, b + 1);
	*field = s;
}

void
lka__postal_full(lka_contact_postal *p)
{
	lka_buf b;
	const char *parts[5] = { p->street, p->postcode, p->locality, p->region, p->country };

	lka_buf_init(&b, 0);
	for (int k = 0; k < 5; k++) {
		if (!parts[k])
			continue;
		if (b.len)
			lka_buf_adds(&b, k == 2 && p->postcode ? " " : ", ");
		lka_buf_adds(&b, parts[k]);
	}
	p->full = b.len ? lka_buf_steal(&b, NULL) : NULL;
	lka_buf_free(&b);
}
