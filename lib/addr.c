/*
 * addr.c — e-mail addresses in one form for matching.
 *
 * "<Élodie@MAIRIE-Exemple.fr>", "mailto:élodie@mairie-exemple.fr" and
 * " élodie@mairie-exemple.fr " are the same correspondent; so are
 * contact@BÜCHER.example and contact@xn--bcher-kva.example.  The form kept
 * is: local part with ASCII letters lower-cased (and Unicode NFC), "@",
 * domain lower-cased and, when it is an IDN, in Unicode (U-labels).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <idn2.h>

#include "internal.h"

#define ADDR_MAX 320 /* 64 + 1 + 255 (RFC 5321) */

/* RFC 5322 specials that cannot appear unquoted ('.' and '@' aside). */
static bool
is_special(unsigned char c)
{
	return c == '<' || c == '>' || c == '(' || c == ')' || c == '[' || c == ']' ||
	       c == ',' || c == ';' || c == ':' || c == '\\' || c == '"';
}

static bool
is_ws_or_ctl(unsigned char c)
{
	return c <= 0x20 || c == 0x7F;
}

/* Strip "<...>" and "mailto:" wrappers (in any order, a few times), in place. */
static char *
unwrap(char *p)
{
	for (int round = 0; round < 4; round++) {
		size_t n;

		p = lka__trim(p);
		n = strlen(p);
		if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
			p[n - 1] = '\0';
			p++;
		} else if (strncasecmp(p, "mailto:", 7) == 0) {
			char *q;

			p += 7;
			q = strchr(p, '?'); /* mailto:a@b?subject=... */
			if (q)
				*q = '\0';
		} else {
			break;
		}
	}
	return p;
}

static bool
local_ok(const char *local)
{
	size_t n = strlen(local);
	bool quoted = n >= 2 && local[0] == '"' && local[n - 1] == '"';

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)local[i];

		if (c < 0x20 || c == 0x7F)
			return false;
		if (quoted)
			continue; /* a quoted local part may hold spaces, '@' ... */
		if (c == ' ' || is_special(c) || c == '@')
			return false;
	}
	return true;
}

static bool
domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (n == 0)
		return false;
	if (d[0] == '[')
		/* a domain literal, [192.0.2.1] or [IPv6:...] */
		return n >= 3 && d[n - 1] == ']' && !memchr(d + 1, '[', n - 2) &&
		       !memchr(d + 1, ']', n - 2) && !strpbrk(d, " \t\r\n");
	if (d[0] == '.' || d[n - 1] == '.' || strstr(d, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (is_ws_or_ctl(c) || is_special(c) || c == '@')
			return false;
	}
	return true;
}

static bool
needs_idna(const char *d)
{
	for (const char *p = d; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return true;
	for (const char *p = d; *p; p++)
		if ((p == d || p[-1] == '.') && strncmp(p, "xn--", 4) == 0)
			return true;
	return false;
}

/* The Unicode form of an IDN (malloc'd), or NULL when IDNA refuses it. */
static char *
idna_unicode(const char *d)
{
	char *ascii = NULL, *uni = NULL, *res = NULL;
	int rc;

	rc = idn2_to_ascii_8z(d, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		idn2_free(ascii);
		ascii = NULL;
		rc = idn2_to_ascii_8z(d, &ascii, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	}
	if (rc == IDN2_OK)
		rc = idn2_to_unicode_8z8z(ascii, &uni, 0);
	if (rc == IDN2_OK && uni && lka_utf8_valid(uni, strlen(uni))) {
		res = lka__strdup(uni);
		lka__ascii_lower(res);
	}
	idn2_free(ascii);
	idn2_free(uni);
	return res;
}

/* "local@domain" in a new string. */
static char *
join(const char *local, const char *domain)
{
	size_t ln = strlen(local), dl = strlen(domain);
	char *out = malloc(ln + 1 + dl + 1);

	if (!out)
		return NULL;
	memcpy(out, local, ln);
	out[ln] = '@';
	memcpy(out + ln + 1, domain, dl + 1);
	return out;
}

char *
lka_addr_normalize(const char *s)
{
	char *buf = NULL, *p, *at, *local, *domain;
	char *nfc = NULL, *idn = NULL, *out = NULL;
	size_t n, dn;

	if (!s)
		return NULL;
	buf = lka__strdup(s);
	if (!buf)
		return NULL;
	p = unwrap(buf);
	n = strlen(p);
	if (n == 0 || n > ADDR_MAX || !lka_utf8_valid(p, n))
		goto out;
	at = strrchr(p, '@');
	if (!at || at == p || at[1] == '\0')
		goto out;
	*at = '\0';
	local = p;
	domain = at + 1;
	dn = strlen(domain);
	if (dn > 1 && domain[dn - 1] == '.' && domain[dn - 2] != '.')
		domain[--dn] = '\0'; /* the root: "example.com." */
	if (!local_ok(local) || !domain_ok(domain))
		goto out;
	lka__ascii_lower(local);
	lka__ascii_lower(domain);
	for (const char *q = local; *q; q++) {
		if ((unsigned char)*q >= 0x80) {
			nfc = g_utf8_normalize(local, -1, G_NORMALIZE_NFC);
			break;
		}
	}
	if (domain[0] != '[' && needs_idna(domain))
		idn = idna_unicode(domain);
	out = join(nfc ? nfc : local, idn ? idn : domain);
out:
	g_free(nfc);
	free(idn);
	free(buf);
	return out;
}

const char *
lka_addr_domain(const char *normalized)
{
	const char *at;

	if (!normalized)
		return NULL;
	at = strrchr(normalized, '@');
	return at && at[1] ? at + 1 : NULL;
}
