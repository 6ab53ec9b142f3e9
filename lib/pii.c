/*
 * pii.c — personal-data detectors over UTF-8 text.
 *
 * One pass over the text, no regex engine, no allocation.  The loop moves
 * word by word and only looks closer at four kinds of places:
 *  - a digit starting a word: the digit run (groups joined by one space,
 *    dot, hyphen or no-break space) is classified as a postal address
 *    number, NIR, card, tax number or phone, each with its validator;
 *  - '+' before a digit: international phone;
 *  - '@': e-mail (scanned back over the local part, forward over the domain);
 *  - a letter starting a word: an IBAN (two capitals, two digits), else a
 *    keyword from a small table (bucketed by first letter, pre-filtered by a
 *    two-letter bitmap): context for birth dates, passports, ID cards, tax
 *    numbers, credentials, BICs, order references, and the GDPR art. 9
 *    lexicons.  Context detectors look ahead from their keyword.
 * Findings that fail their checksum are dropped unless the caller asks for
 * them (LKA_PII_WITH_INVALID): the decoys of the accuracy test are exactly
 * those.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "leakaudit/pii.h"
#include "pii-int.h"

/* ------------------------------------------------------------------ names */

static const char *const kind_names[LKA_PII__COUNT] = {
	"email",	  "phone",	"iban",	     "bic",	   "card",
	"nir",		  "fr_tax_id",	"passport",  "id_card",	   "birth_date",
	"postal_address", "credential", "special_category",
};
static const char *const kind_categories[LKA_PII__COUNT] = {
	"contact",     "contact",     "bank",	     "bank",	 "card",
	"national_id", "national_id", "national_id", "national_id", "identity",
	"contact",     "credentials", "special_category",
};

const char *
lka_pii_kind_name(lka_pii_kind kind)
{
	return (unsigned)kind < LKA_PII__COUNT ? kind_names[kind] : NULL;
}

const char *
lka_pii_kind_category(lka_pii_kind kind)
{
	return (unsigned)kind < LKA_PII__COUNT ? kind_categories[kind] : NULL;
}

const char *
lka_pii_validator_name(lka_pii_validator v)
{
	switch (v) {
	case LKA_PII_VALID:
		return "valid";
	case LKA_PII_INVALID:
		return "invalid";
	default:
		return "not_applicable";
	}
}

/* -------------------------------------------------------------- characters */

static inline bool
is_digit(unsigned c)
{
	return c - '0' < 10u;
}
static inline bool
is_upper(unsigned c)
{
	return c - 'A' < 26u;
}
static inline bool
is_lower(unsigned c)
{
	return c - 'a' < 26u;
}
static inline bool
is_alpha(unsigned c)
{
	return is_upper(c) || is_lower(c);
}
static inline bool
is_alnum(unsigned c)
{
	return is_digit(c) || is_alpha(c);
}
/* Part of a word: ASCII letters and digits, and any non-ASCII byte. */
static inline bool
is_word(unsigned c)
{
	return is_alnum(c) || c >= 0x80;
}
static inline bool
is_hspace(unsigned c)
{
	return c == ' ' || c == '\t';
}
static inline bool
is_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ------------------------------------------------------------------ state */

enum kwclass {
	KW_DOB = 1,
	KW_PASSPORT,
	KW_IDCARD,
	KW_TAX,
	KW_PASSWORD,
	KW_LOGIN,
	KW_BIC,
	KW_REF,
	KW_SPECIAL,
};

struct sc {
	const unsigned char *p;
	size_t n;
	unsigned mask;
	lka_pii_fn fn;
	void *payload;
	size_t count;
	bool stop;
	/* context: end of the last keyword of a class, or SIZE_MAX when none */
	size_t ref_end, tax_end;
	/* BIC next to an IBAN */
	size_t iban_end;       /* end of the last IBAN, SIZE_MAX if none */
	lka_pii_finding bic;   /* a BIC waiting for an IBAN */
	bool bic_pending;
	size_t table_end;      /* end of the last table whose birth dates were read */
};

#define NONE ((size_t)-1)
#define CTX_WINDOW 48     /* a context keyword counts this many bytes ahead */
#define BIC_WINDOW 400    /* a BIC and its IBAN are at most this far apart */

static inline bool
want(const struct sc *s, lka_pii_kind k)
{
	return (s->mask >> k) & 1u;
}

static inline bool
near_after(size_t kw_end, size_t pos, size_t window)
{
	return kw_end != NONE && kw_end <= pos && pos - kw_end <= window;
}

/* Copy at most cap-1 bytes of a string, UTF-8 safe, NUL-terminated. */
static void
copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Mask a value: keep head and tail characters (code points), stars between. */
static void
mask_value(char *dst, size_t cap, const char *v, size_t head, size_t tail)
{
	size_t n = strlen(v), chars = 0, k = 0, ci = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)v[i] & 0xC0) != 0x80)
			chars++;
	if (head + tail >= chars) {
		head = chars > 2 ? 1 : 0;
		tail = 0;
	}
	for (size_t i = 0; i < n && k + 5 < cap;) {
		size_t len = 1;
		while (i + len < n && ((unsigned char)v[i + len] & 0xC0) == 0x80)
			len++;
		if (ci < head || ci >= chars - tail) {
			memcpy(dst + k, v + i, len);
			k += len;
		} else {
			dst[k++] = '*';
		}
		ci++;
		i += len;
	}
	dst[k] = '\0';
}

static void
emit(struct sc *s, lka_pii_finding *f)
{
	if (s->stop)
		return;
	if (f->validator == LKA_PII_INVALID && !(s->mask & LKA_PII_WITH_INVALID))
		return;
	if (!want(s, f->kind))
		return;
	s->count++;
	if (s->fn && s->fn(f, s->payload))
		s->stop = true;
}

static void
finding(lka_pii_finding *f, lka_pii_kind kind, lka_pii_validator v, double conf, size_t off,
	size_t len)
{
	f->kind = kind;
	f->validator = v;
	f->confidence = conf;
	f->offset = off;
	f->length = len;
	f->norm[0] = f->masked[0] = '\0';
	f->detail = NULL;
}

/* ---------------------------------------------------------------- keywords */

struct kw {
	const char *text;   /* lower case; ' ' matches white space, '\'' an apostrophe; '*' at the
			       end: prefix */
	unsigned char cls;
	const char *detail;
};

/* Within a first letter, longer phrases first: the first match wins. */
static const struct kw keywords[] = {
	/* context */
	{ "date de naissance", KW_DOB, NULL },
	{ "date of birth", KW_DOB, NULL },
	{ "birth date", KW_DOB, NULL },
	{ "birthdate", KW_DOB, NULL },
	{ "born on", KW_DOB, NULL },
	{ "born", KW_DOB, NULL },
	{ "dob", KW_DOB, NULL },
	{ "n\xc3\xa9" "e le", KW_DOB, NULL },
	{ "n\xc3\xa9(e) le", KW_DOB, NULL },
	{ "n\xc3\xa9 le", KW_DOB, NULL },
	{ "passeport", KW_PASSPORT, NULL },
	{ "passport", KW_PASSPORT, NULL },
	{ "carte nationale d'identit\xc3\xa9", KW_IDCARD, NULL },
	{ "carte d'identit\xc3\xa9", KW_IDCARD, NULL },
	{ "carte d'identite", KW_IDCARD, NULL },
	{ "cni", KW_IDCARD, NULL },
	{ "identity card", KW_IDCARD, NULL },
	{ "id card", KW_IDCARD, NULL },
	{ "national id", KW_IDCARD, NULL },
	{ "num\xc3\xa9ro fiscal", KW_TAX, NULL },
	{ "numero fiscal", KW_TAX, NULL },
	{ "num\xc3\xa9ro d'identification fiscale", KW_TAX, NULL },
	{ "n\xc2\xb0 fiscal", KW_TAX, NULL },
	{ "identifiant fiscal", KW_TAX, NULL },
	{ "spi", KW_TAX, NULL },
	{ "tax id", KW_TAX, NULL },
	{ "tax number", KW_TAX, NULL },
	{ "tax identification number", KW_TAX, NULL },
	{ "mot de passe", KW_PASSWORD, "password" },
	{ "mdp", KW_PASSWORD, "password" },
	{ "password", KW_PASSWORD, "password" },
	{ "passwd", KW_PASSWORD, "password" },
	{ "pwd", KW_PASSWORD, "password" },
	{ "identifiant", KW_LOGIN, "login" },
	{ "login", KW_LOGIN, "login" },
	{ "username", KW_LOGIN, "login" },
	{ "user name", KW_LOGIN, "login" },
	{ "nom d'utilisateur", KW_LOGIN, "login" },
	{ "bic", KW_BIC, NULL },
	{ "swift", KW_BIC, NULL },
	{ "commande", KW_REF, NULL },
	{ "order", KW_REF, NULL },
	{ "ref", KW_REF, NULL },
	{ "r\xc3\xa9" "f", KW_REF, NULL },
	{ "r\xc3\xa9" "f\xc3\xa9rence", KW_REF, NULL },
	{ "reference", KW_REF, NULL },
	{ "facture", KW_REF, NULL },
	{ "invoice", KW_REF, NULL },
	{ "tracking", KW_REF, NULL },
	{ "suivi", KW_REF, NULL },
	{ "colis", KW_REF, NULL },
	{ "ticket", KW_REF, NULL },
	{ "dossier", KW_REF, NULL },
	{ "siret", KW_REF, NULL },
	{ "siren", KW_REF, NULL },
	{ "tva", KW_REF, NULL },
	{ "vat", KW_REF, NULL },
	/* GDPR art. 9: health */
	{ "arr\xc3\xaat maladie", KW_SPECIAL, "health" },
	{ "arr\xc3\xaat de travail", KW_SPECIAL, "health" },
	{ "certificat m\xc3\xa9" "dical", KW_SPECIAL, "health" },
	{ "dossier m\xc3\xa9" "dical", KW_SPECIAL, "health" },
	{ "maladie", KW_SPECIAL, "health" },
	{ "diagnostic", KW_SPECIAL, "health" },
	{ "diab\xc3\xa8te", KW_SPECIAL, "health" },
	{ "diabetes", KW_SPECIAL, "health" },
	{ "cancer", KW_SPECIAL, "health" },
	{ "chimioth\xc3\xa9rapie", KW_SPECIAL, "health" },
	{ "chemotherapy", KW_SPECIAL, "health" },
	{ "s\xc3\xa9ropositi*", KW_SPECIAL, "health" },
	{ "vih", KW_SPECIAL, "health" },
	{ "hiv", KW_SPECIAL, "health" },
	{ "d\xc3\xa9pression", KW_SPECIAL, "health" },
	{ "handicap*", KW_SPECIAL, "health" },
	{ "hospitalis*", KW_SPECIAL, "health" },
	{ "grossesse", KW_SPECIAL, "health" },
	{ "pregnan*", KW_SPECIAL, "health" },
	{ "medical record", KW_SPECIAL, "health" },
	{ "medical certificate", KW_SPECIAL, "health" },
	{ "sick leave", KW_SPECIAL, "health" },
	{ "diagnosis", KW_SPECIAL, "health" },
	{ "disability", KW_SPECIAL, "health" },
	{ "m\xc3\xa9" "decin traitant", KW_SPECIAL, "health" },
	{ "ordonnance m\xc3\xa9" "dicale", KW_SPECIAL, "health" },
	/* trade-union membership */
	{ "d\xc3\xa9l\xc3\xa9gu\xc3\xa9 syndical", KW_SPECIAL, "union" },
	{ "d\xc3\xa9l\xc3\xa9gu\xc3\xa9" "e syndicale", KW_SPECIAL, "union" },
	{ "syndiqu\xc3\xa9*", KW_SPECIAL, "union" },
	{ "syndicat", KW_SPECIAL, "union" },
	{ "adh\xc3\xa9sion syndicale", KW_SPECIAL, "union" },
	{ "trade union", KW_SPECIAL, "union" },
	{ "union member*", KW_SPECIAL, "union" },
	{ "shop steward", KW_SPECIAL, "union" },
	/* religion */
	{ "religion", KW_SPECIAL, "religion" },
	{ "religious", KW_SPECIAL, "religion" },
	{ "religieu*", KW_SPECIAL, "religion" },
	{ "musulman*", KW_SPECIAL, "religion" },
	{ "muslim", KW_SPECIAL, "religion" },
	{ "catholique", KW_SPECIAL, "religion" },
	{ "catholic", KW_SPECIAL, "religion" },
	{ "protestant*", KW_SPECIAL, "religion" },
	{ "juif", KW_SPECIAL, "religion" },
	{ "juive", KW_SPECIAL, "religion" },
	{ "jewish", KW_SPECIAL, "religion" },
	{ "mosqu\xc3\xa9" "e", KW_SPECIAL, "religion" },
	{ "mosque", KW_SPECIAL, "religion" },
	{ "synagogue", KW_SPECIAL, "religion" },
	{ "ramadan", KW_SPECIAL, "religion" },
	/* criminal offences and convictions */
	{ "casier judiciaire", KW_SPECIAL, "offences" },
	{ "condamnation*", KW_SPECIAL, "offences" },
	{ "condamn\xc3\xa9*", KW_SPECIAL, "offences" },
	{ "garde \xc3\xa0 vue", KW_SPECIAL, "offences" },
	{ "mis en examen", KW_SPECIAL, "offences" },
	{ "mise en examen", KW_SPECIAL, "offences" },
	{ "criminal record", KW_SPECIAL, "offences" },
	{ "convicted", KW_SPECIAL, "offences" },
	{ "conviction", KW_SPECIAL, "offences" },
	{ "arrested", KW_SPECIAL, "offences" },
};

static unsigned
second_bit(unsigned c)
{
	c = (unsigned)lka__lower((int)c);
	return is_lower(c) ? c - 'a' : 26;
}

size_t
lka_pii__keyword_count(void)
{
	return LKA_ARRAY_LEN(keywords);
}

/* Index the keywords by first letter (once per case scan, or per call of
 * lka_pii_scan_text; the library keeps no global state). */
void
lka_pii__index(lka_pii_kwindex *x)
{
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < LKA_ARRAY_LEN(keywords); i++) {
		unsigned f = (unsigned char)keywords[i].text[0] - 'a';
		unsigned c1 = (unsigned char)keywords[i].text[1];

		if (f >= 26 || x->nfirst[f] >= sizeof x->first[f])
			continue; /* caught by test-pii: every keyword is found */
		x->first[f][x->nfirst[f]++] = (unsigned char)i;
		x->pair[f] |= 1u << second_bit(c1);
	}
}

/* Match keyword k at i; returns the end offset, or 0. */
static size_t
kw_match(const struct sc *s, size_t i, const char *k)
{
	const unsigned char *p = s->p;
	size_t n = s->n;

	for (; *k; k++) {
		unsigned kc = (unsigned char)*k;

		if (kc == '*')
			return i; /* prefix: whatever follows */
		if (i >= n)
			return 0;
		if (kc == ' ') {
			bool nl = false;
			if (!is_space(p[i]) && !(p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0xA0))
				return 0;
			/* white space, and the "> " of a quoted reply after a line break */
			while (i < n && (is_space(p[i]) || (nl && p[i] == '>') ||
					 (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0xA0))) {
				nl = nl || p[i] == '\n';
				i += p[i] == 0xC2 ? 2 : 1;
			}
			continue;
		}
		if (kc == '\'') {
			if (p[i] == '\'') {
				i++;
				continue;
			}
			if (i + 2 < n && p[i] == 0xE2 && p[i + 1] == 0x80 && p[i + 2] == 0x99) {
				i += 3;
				continue;
			}
			return 0;
		}
		if ((unsigned)lka__lower((int)p[i]) != kc)
			return 0;
		i++;
	}
	if (i < n && is_word(p[i]))
		return 0;
	return i;
}

/* ------------------------------------------------------------------ e-mail */

static bool
local_char(unsigned c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
	       c == '\'';
}

static size_t
scan_email(struct sc *s, size_t at)
{
	const unsigned char *p = s->p;
	size_t b = at, e = at + 1, dot = 0, label = 0;
	lka_pii_finding f;

	while (b > 0 && at - b < 64 && local_char(p[b - 1]))
		b--;
	while (b < at && (p[b] == '.' || p[b] == '\''))
		b++;
	if (b == at || p[at - 1] == '.')
		return at + 1;
	if (b >= 4 && memcmp(p + b - 4, "cid:", 4) == 0)
		return at + 1;
	while (e < s->n && e - at < 254) {
		unsigned c = p[e];

		if (is_alnum(c) || c == '-') {
			label++;
		} else if (c == '.' && label > 0 && e + 1 < s->n && is_alnum(p[e + 1])) {
			if (p[e - 1] == '-')
				return at + 1;
			dot = e;
			label = 0;
		} else {
			break;
		}
		e++;
	}
	if (!dot || label < 2 || label > 63 || p[e - 1] == '-')
		return at + 1;
	for (size_t k = dot + 1; k < e; k++)
		if (!is_alpha(p[k]))
			return at + 1; /* TLDs are letters (content ids are hex) */
	if (e < s->n && p[e] == '@')
		return e;
	finding(&f, LKA_PII_EMAIL, LKA_PII_VALID, 0.95, b, e - b);
	{
		char v[LKA_PII_VALUE_MAX];
		size_t len = e - b < sizeof v ? e - b : sizeof v - 1, lp = at - b;

		for (size_t k = 0; k < len; k++)
			v[k] = (char)(unsigned)lka__lower((int)p[b + k]);
		v[len] = '\0';
		memcpy(f.norm, v, len + 1);
		if (lp > len)
			lp = len;
		snprintf(f.masked, sizeof f.masked, "%c***%s", v[0], v + lp);
	}
	emit(s, &f);
	return e;
}

/* ------------------------------------------------------------ digit runs */

#define RUN_DIGITS 24
#define RUN_GROUPS 10

struct run {
	size_t start, end;
	char d[RUN_DIGITS + 1]; /* digits; 'A'/'B' for Corsica in a NIR */
	unsigned nd;
	unsigned char glen[RUN_GROUPS];
	size_t gend[RUN_GROUPS]; /* end offset of each group */
	unsigned ng;
	bool dot, dash, space, letters;
	bool too_long;
};

/* Length of a group separator at i followed by a digit, or 0. */
static size_t
sep_at(const struct sc *s, size_t i)
{
	const unsigned char *p = s->p;

	if (i + 1 < s->n && (p[i] == ' ' || p[i] == '.' || p[i] == '-') && is_digit(p[i + 1]))
		return 1;
	if (i + 2 < s->n && p[i] == 0xC2 && p[i + 1] == 0xA0 && is_digit(p[i + 2]))
		return 2;
	return 0;
}

/* Length of the digit group at i (bounded look-ahead). */
static unsigned
group_len(const struct sc *s, size_t i)
{
	unsigned k = 0;

	while (i + k < s->n && k < 32 && is_digit(s->p[i + k]))
		k++;
	return k;
}

/* Collect the run of digit groups starting at i.  intl: after the first
 * group, "(0)" may follow (+33 (0)1 ...). */
static void
collect_run(const struct sc *s, size_t i, struct run *r, bool intl)
{
	const unsigned char *p = s->p;
	size_t n = s->n;

	memset(r, 0, sizeof *r);
	r->start = i;
	for (;;) {
		unsigned g = 0;

		while (i < n) {
			unsigned c = p[i];

			if (is_digit(c) ||
			    ((c == 'A' || c == 'B') && r->nd == 6 && r->d[5] == '2' &&
			     (g == 1 || g == 6))) {
				if (c == 'A' || c == 'B')
					r->letters = true;
				if (r->nd < RUN_DIGITS)
					r->d[r->nd] = (char)c;
				else
					r->too_long = true;
				r->nd++;
				g++;
				i++;
			} else {
				break;
			}
		}
		if (r->ng < RUN_GROUPS) {
			r->glen[r->ng] = (unsigned char)(g > 255 ? 255 : g);
			r->gend[r->ng] = i;
		} else
			r->too_long = true;
		r->ng++;
		if (intl && r->ng == 1) {
			size_t k = i;
			if (k < n && p[k] == ' ')
				k++;
			if (k + 2 < n && p[k] == '(' && p[k + 1] == '0' && p[k + 2] == ')') {
				k += 3;
				if (k < n && p[k] == ' ')
					k++;
				if (k < n && is_digit(p[k])) {
					r->space = true;
					i = k;
					continue;
				}
			}
		}
		size_t sl = sep_at(s, i);
		if (!sl)
			break;
		/* After a long group, join only a NIR key (13 + 2). */
		if (g >= 10) {
			unsigned next = group_len(s, i + sl);
			if (!(r->nd == 13 && next == 2))
				break;
		}
		if (p[i] == '.')
			r->dot = true;
		else if (p[i] == '-')
			r->dash = true;
		else
			r->space = true;
		i += sl;
	}
	r->end = i;
	if (r->nd <= RUN_DIGITS)
		r->d[r->nd] = '\0';
	else
		r->d[RUN_DIGITS] = '\0';
}

static bool
all_same(const char *d, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		if (d[i] != d[0])
			return false;
	return true;
}

static unsigned
num2(const char *d)
{
	return (unsigned)(d[0] - '0') * 10u + (unsigned)(d[1] - '0');
}

static size_t skip_filler(const struct sc *s, size_t i, size_t limit);

/* ---- payment cards ---- */

static bool
luhn_ok(const char *d, unsigned n)
{
	unsigned sum = 0;
	bool dbl = false;

	for (unsigned i = n; i-- > 0;) {
		unsigned v = (unsigned)(d[i] - '0');
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/* Issuer (IIN) ranges and lengths; the brand, or NULL. */
static const char *
card_issuer(const char *d, unsigned n)
{
	unsigned p2 = num2(d), p3 = p2 * 10 + (unsigned)(d[2] - '0'),
		 p4 = p3 * 10 + (unsigned)(d[3] - '0');

	if (d[0] == '4' && (n == 13 || n == 16 || n == 19))
		return "visa";
	if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n == 16)
		return "mastercard";
	if ((p2 == 34 || p2 == 37) && n == 15)
		return "amex";
	if ((p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) && n >= 16 && n <= 19)
		return "discover";
	if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19)
		return "jcb";
	if (((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14 && n <= 19)
		return "diners";
	if ((p2 == 50 || (p2 >= 56 && p2 <= 69)) && n >= 12 && n <= 19)
		return "maestro";
	if (p2 == 62 && n >= 16 && n <= 19)
		return "unionpay";
	return NULL;
}

static bool
card_shape(const struct run *r)
{
	if (r->ng == 1)
		return true;
	if (r->dot)
		return false;
	/* 4-4-4-4(-3), 4-6-5 (Amex), 4-6-4 (Diners) */
	if (r->ng == 3 && r->glen[0] == 4 && r->glen[1] == 6 && (r->glen[2] == 5 || r->glen[2] == 4))
		return true;
	for (unsigned i = 0; i < r->ng; i++)
		if (r->glen[i] != 4 && !(i == r->ng - 1 && r->glen[i] >= 1 && r->glen[i] <= 4))
			return false;
	return true;
}

static bool
try_card(struct sc *s, const struct run *r)
{
	lka_pii_finding f;
	const char *brand;
	bool luhn;

	if (r->nd < 13 || r->nd > 19 || r->letters || !card_shape(r) || all_same(r->d, r->nd))
		return false;
	if (!(brand = card_issuer(r->d, r->nd)))
		return false;
	if (near_after(s->ref_end, r->start, 24) &&
	    skip_filler(s, s->ref_end, r->start + 1) == r->start)
		return false; /* an order or invoice number: "Commande n° ..." */
	luhn = luhn_ok(r->d, r->nd);
	finding(&f, LKA_PII_CARD, luhn ? LKA_PII_VALID : LKA_PII_INVALID, luhn ? 0.9 : 0.2,
		r->start, r->end - r->start);
	memcpy(f.norm, r->d, r->nd + 1);
	mask_value(f.masked, sizeof f.masked, r->d, 4, 4);
	f.detail = brand;
	emit(s, &f);
	return true;
}

/* ---- NIR (French social security number) ---- */

static bool
nir_dept_ok(const char *d)
{
	unsigned dep;

	if (d[0] == '2' && (d[1] == 'A' || d[1] == 'B'))
		return true;
	if (!is_digit((unsigned char)d[0]) || !is_digit((unsigned char)d[1]))
		return false;
	dep = num2(d);
	return dep >= 1;
}

static bool
try_nir(struct sc *s, const struct run *r)
{
	lka_pii_finding f;
	unsigned month, key;
	uint64_t v = 0;
	bool ok;

	if (r->nd != 15 || (r->d[0] != '1' && r->d[0] != '2'))
		return false;
	if (r->ng != 1 && r->ng != 2 && r->ng != 7)
		return false;
	if (r->letters && !(r->d[5] == '2' && (r->d[6] == 'A' || r->d[6] == 'B')))
		return false;
	month = num2(r->d + 3);
	if (!((month >= 1 && month <= 12) || month == 20 || (month >= 30 && month <= 42) ||
	      (month >= 50 && month <= 99)))
		return false;
	if (!nir_dept_ok(r->d + 5))
		return false;
	for (unsigned i = 0; i < 13; i++) {
		if (i == 5 && r->letters) {
			/* Corsica: "2A" counts as 19, "2B" as 18 */
			v = v * 100 + (r->d[6] == 'A' ? 19u : 18u);
			i++;
			continue;
		}
		v = v * 10 + (unsigned)(r->d[i] - '0');
	}
	key = num2(r->d + 13);
	ok = key >= 1 && key <= 97 && (97 - v % 97) == key;
	finding(&f, LKA_PII_NIR, ok ? LKA_PII_VALID : LKA_PII_INVALID, ok ? 0.95 : 0.2, r->start,
		r->end - r->start);
	memcpy(f.norm, r->d, 16);
	mask_value(f.masked, sizeof f.masked, r->d, 1, 2);
	emit(s, &f);
	return true;
}

/* ---- French tax number (SPI): 13 digits, first 0-3, key = first 10 mod 511 ---- */

static bool
try_spi(struct sc *s, const struct run *r)
{
	lka_pii_finding f;
	uint64_t v = 0;
	unsigned key;
	bool ok;

	if (r->nd != 13 || r->letters || r->d[0] > '3' || !near_after(s->tax_end, r->start, CTX_WINDOW))
		return false;
	for (unsigned i = 0; i < 10; i++)
		v = v * 10 + (unsigned)(r->d[i] - '0');
	key = (unsigned)(r->d[10] - '0') * 100 + num2(r->d + 11);
	ok = v % 511 == key && !all_same(r->d, 13);
	finding(&f, LKA_PII_FR_TAX_ID, ok ? LKA_PII_VALID : LKA_PII_INVALID, ok ? 0.9 : 0.2,
		r->start, r->end - r->start);
	memcpy(f.norm, r->d, 14);
	mask_value(f.masked, sizeof f.masked, r->d, 2, 3);
	emit(s, &f);
	return true;
}

/* ---- phones ---- */

/* Country calling codes (ITU E.164) that numbers are accepted for. */
static unsigned
country_code(const char *d, unsigned n)
{
	static const unsigned short one_two[] = {
		1,  7,	20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49,
		51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90,
		91, 92, 93, 94, 95, 98,
	};
	static const unsigned short three[] = {
		212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231,
		232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 248, 249, 250,
		251, 252, 253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267,
		268, 269, 290, 291, 297, 298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358,
		359, 370, 371, 372, 373, 374, 375, 376, 377, 378, 380, 381, 382, 383, 385, 386,
		387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 590,
		591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677,
		678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 850, 852,
		853, 855, 856, 880, 886, 960, 961, 962, 963, 964, 965, 966, 967, 968, 970, 971,
		972, 973, 974, 975, 976, 977, 992, 993, 994, 995, 996, 998,
	};
	if (n >= 1 && d[0] == '1')
		return 1;
	if (n >= 1 && d[0] == '7')
		return 7;
	if (n >= 2) {
		unsigned v = num2(d);
		for (size_t i = 0; i < LKA_ARRAY_LEN(one_two); i++)
			if (one_two[i] == v)
				return v;
	}
	if (n >= 3) {
		unsigned v = num2(d) * 10 + (unsigned)(d[2] - '0');
		for (size_t i = 0; i < LKA_ARRAY_LEN(three); i++)
			if (three[i] == v)
				return v;
	}
	return 0;
}

static void
phone_emit(struct sc *s, const struct run *r, size_t start, const char *e164, bool fr)
{
	lka_pii_finding f;
	size_t len = strlen(e164);

	finding(&f, LKA_PII_PHONE, LKA_PII_VALID, fr ? 0.9 : 0.8, start, r->end - start);
	f.norm[0] = '+';
	memcpy(f.norm + 1, e164, len + 1);
	mask_value(f.masked, sizeof f.masked, f.norm, fr ? 4 : 3, 2);
	f.detail = fr ? "fr" : "intl";
	emit(s, &f);
}

/* digits (no '+', no leading 00) of an international number. */
static bool
intl_phone(struct sc *s, const struct run *r, size_t start, const char *d, unsigned n)
{
	unsigned cc = country_code(d, n), ccl, nat;

	if (!cc)
		return false;
	ccl = cc >= 100 ? 3 : cc >= 10 ? 2 : 1;
	nat = n - ccl;
	if (cc == 33) {
		if (nat != 9 || d[2] == '0')
			return false;
	} else if (cc == 1 || cc == 7) {
		if (nat != 10)
			return false;
	} else if (nat < 6 || nat > 12 || n > 15 || d[ccl] == '0') {
		return false;
	}
	phone_emit(s, r, start, d, cc == 33);
	return true;
}

/* The run cut after its first k groups. */
static void
run_cut(const struct run *r, unsigned k, struct run *out)
{
	unsigned nd = 0;

	*out = *r;
	for (unsigned i = 0; i < k; i++)
		nd += r->glen[i];
	out->ng = k;
	out->nd = nd;
	out->d[nd] = '\0';
	out->end = r->gend[k - 1];
}

/* A number of `want` digits made of the first groups of r (a phone followed
 * by more digits: "06 12 34 56 78 12 rue ..."). */
static bool
run_prefix(const struct run *r, unsigned want, struct run *out)
{
	unsigned nd = 0;

	if (r->too_long || r->ng > RUN_GROUPS)
		return false;
	for (unsigned k = 0; k < r->ng; k++) {
		nd += r->glen[k];
		if (nd == want && k + 1 < r->ng) {
			run_cut(r, k + 1, out);
			return true;
		}
		if (nd > want)
			return false;
	}
	return false;
}

static bool
try_phone(struct sc *s, const struct run *r)
{
	char e164[RUN_DIGITS + 1];

	if (r->letters || r->too_long || (r->dash && r->dot))
		return false;
	/* 0X XX XX XX XX */
	if (r->nd == 10 && r->d[0] == '0' && r->d[1] != '0' &&
	    (r->ng == 1 || (r->ng == 5 && r->glen[0] == 2 && r->glen[1] == 2 && r->glen[2] == 2 &&
			    r->glen[3] == 2 && r->glen[4] == 2))) {
		e164[0] = '3';
		e164[1] = '3';
		memcpy(e164 + 2, r->d + 1, 10);
		phone_emit(s, r, r->start, e164, true);
		return true;
	}
	/* 00 CC ... */
	if (r->nd >= 10 && r->d[0] == '0' && r->d[1] == '0' && r->d[2] != '0' &&
	    r->glen[0] >= 2 && r->glen[0] <= 5)
		return intl_phone(s, r, r->start, r->d + 2, r->nd - 2);
	return false;
}

/* ---- postal addresses ---- */

static const char *const street_types[] = {
	"rue",	     "avenue",	 "av",	      "boulevard", "bd",	"bld",
	"place",     "chemin",	 "all\xc3\xa9" "e", "allee", "impasse",	"route",
	"quai",	     "cours",	 "square",    "passage",   "r\xc3\xa9sidence", "residence",
	"lotissement", "sentier", "voie",     "hameau",	   "faubourg",	"rond-point",
	"esplanade", "parvis",	 "promenade", "mont\xc3\xa9" "e", "villa", "cit\xc3\xa9",
};

static size_t
word_match_ci(const struct sc *s, size_t i, const char *w)
{
	size_t k = 0;

	for (; w[k]; k++)
		if (i + k >= s->n || (unsigned)lka__lower((int)s->p[i + k]) != (unsigned char)w[k])
			return 0;
	if (i + k < s->n && (is_word(s->p[i + k]) || s->p[i + k] == '-'))
		return 0;
	return k;
}

static bool
postcode_ok(const unsigned char *p)
{
	unsigned dep = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');

	return dep >= 1 && dep <= 98 && dep != 96 && !(p[0] == '0' && p[1] == '0');
}

/* Append text to a fixed buffer, collapsing white space. */
static void
app(char *dst, size_t cap, size_t *k, const unsigned char *p, size_t n)
{
	bool nl = false;

	for (size_t i = 0; i < n && *k + 1 < cap; i++) {
		unsigned c = p[i];
		if (c == '\n')
			nl = true;
		else if (!(is_space(c) || c == '>'))
			nl = false;
		if (is_space(c) || (nl && c == '>')) { /* "> " of a quoted reply */
			if (*k > 0 && dst[*k - 1] != ' ')
				dst[(*k)++] = ' ';
			continue;
		}
		dst[(*k)++] = (char)c;
	}
	/* never end inside a UTF-8 sequence */
	while (*k > 0 && ((unsigned char)dst[*k - 1] & 0xC0) == 0x80) {
		size_t b = *k - 1;
		while (b > 0 && ((unsigned char)dst[b] & 0xC0) == 0x80)
			b--;
		unsigned lead = (unsigned char)dst[b];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (*k - b == need)
			break;
		*k = b;
	}
	dst[*k] = '\0';
}

static size_t
try_address(struct sc *s, const struct run *r)
{
	const unsigned char *p = s->p;
	size_t i = r->end, n = s->n, st_start, st_end, pc = 0, town_end, lines = 0, k = 0;
	size_t tl = 0;
	lka_pii_finding f;

	if (r->ng != 1 || r->nd > 4 || r->d[0] == '0')
		return 0;
	/* 12 bis, 12b, 12, */
	if (i < n && (p[i] == 'b' || p[i] == 't') && i + 1 < n && !is_word(p[i + 1]))
		i++;
	if (i < n && p[i] == ',')
		i++;
	if (i >= n || !is_hspace(p[i]))
		return 0;
	while (i < n && is_hspace(p[i]))
		i++;
	if ((tl = word_match_ci(s, i, "bis")) || (tl = word_match_ci(s, i, "ter"))) {
		i += tl;
		while (i < n && (is_hspace(p[i]) || p[i] == ','))
			i++;
	}
	st_start = i;
	tl = 0;
	for (size_t t = 0; t < LKA_ARRAY_LEN(street_types) && !tl; t++)
		tl = word_match_ci(s, i, street_types[t]);
	if (!tl)
		return 0;
	i += tl;
	if (i < n && p[i] == '.')
		i++;
	/* The street name, then the post code: letters, spaces, apostrophes,
	 * hyphens, commas; at most two line breaks; digits only as the code. */
	for (; i < n && i - st_start < 160; i++) {
		unsigned c = p[i];
		if (is_digit(c)) {
			if ((i == 0 || !is_word(p[i - 1])) && group_len(s, i) == 5 && postcode_ok(p + i)) {
				pc = i;
				break;
			}
			return 0;
		}
		if (c == '\n' && ++lines > 2)
			return 0;
		/* a full stop after a word longer than an abbreviation ends the street */
		if (c == '.' && i + 1 < n && is_space(p[i + 1])) {
			size_t w = i;
			while (w > st_start && is_word(p[w - 1]))
				w--;
			if (i - w > 3)
				return 0;
		}
		if (c == '@' || c == ';' || c == ':' || c == '(' || c == '<' || c == '|')
			return 0;
	}
	if (!pc)
		return 0;
	st_end = pc;
	while (st_end > st_start &&
	       (is_space(p[st_end - 1]) || p[st_end - 1] == ',' || p[st_end - 1] == '>'))
		st_end--;
	/* The town: a capitalised word (or a capital accented letter) after the code. */
	i = pc + 5;
	while (i < n && is_hspace(p[i]))
		i++;
	if (i >= n || !(is_upper(p[i]) || p[i] == 0xC3))
		return 0;
	town_end = i;
	while (town_end < n && town_end - i < 48 &&
	       (is_word(p[town_end]) || p[town_end] == '-' || p[town_end] == '\'' ||
		(p[town_end] == ' ' && town_end + 1 < n && is_upper(p[town_end + 1]))))
		town_end++;
	finding(&f, LKA_PII_POSTAL_ADDRESS, LKA_PII_NA, 0.85, r->start, town_end - r->start);
	app(f.norm, sizeof f.norm, &k, p + r->start, st_end - r->start);
	app(f.norm, sizeof f.norm, &k, (const unsigned char *)", ", 2);
	app(f.norm, sizeof f.norm, &k, p + pc, 5);
	app(f.norm, sizeof f.norm, &k, (const unsigned char *)" ", 1);
	app(f.norm, sizeof f.norm, &k, p + i, town_end - i);
	/* masked: the number and the street hidden, code and town kept */
	snprintf(f.masked, sizeof f.masked, "** ");
	k = 3;
	app(f.masked, sizeof f.masked, &k, p + st_start, tl);
	app(f.masked, sizeof f.masked, &k, (const unsigned char *)" ***, ", 6);
	app(f.masked, sizeof f.masked, &k, p + pc, 5);
	app(f.masked, sizeof f.masked, &k, (const unsigned char *)" ", 1);
	app(f.masked, sizeof f.masked, &k, p + i, town_end - i);
	emit(s, &f);
	return town_end;
}

static size_t
classify_long(struct sc *s, const struct run *r)
{
	if (try_nir(s, r) || try_card(s, r) || try_spi(s, r) || try_phone(s, r))
		return r->end;
	/* a French number followed by more digits */
	if (r->nd > 10 && r->d[0] == '0' && r->d[1] != '0' && r->glen[0] == 2) {
		struct run cut;
		if (run_prefix(r, 10, &cut) && try_phone(s, &cut))
			return cut.end;
	}
	return r->end;
}

/* Classify the digit run at i; returns where scanning goes on. */
static size_t
scan_digits(struct sc *s, size_t i)
{
	struct run r;
	size_t e;

	collect_run(s, i, &r, false);
	if (r.end < s->n && is_word(s->p[r.end])) {
		/* glued to letters: "12h30", "3rd", "75011Paris": not a value */
		e = r.end;
		while (e < s->n && is_word(s->p[e]))
			e++;
		return e;
	}
	if (r.too_long)
		return r.end;
	if (r.nd >= 5) {
		/* a context keyword speaks of the next long number only */
		e = classify_long(s, &r);
		s->ref_end = s->tax_end = NONE;
		return e;
	}
	if (want(s, LKA_PII_POSTAL_ADDRESS) && r.nd <= 4) {
		size_t ae = try_address(s, &r);
		if (ae)
			return ae;
		return r.end;
	}
	return r.end;
}

static size_t
scan_plus(struct sc *s, size_t i)
{
	struct run r, cut;

	collect_run(s, i + 1, &r, true);
	if (r.end < s->n && is_word(s->p[r.end]))
		return r.end;
	if (r.letters)
		return r.end;
	if (!r.too_long && r.nd >= 8 && r.nd <= 15 && intl_phone(s, &r, i, r.d, r.nd))
		return r.end;
	/* +33 followed by more digits: keep the 11 that make the number */
	if (r.nd > 11 && r.d[0] == '3' && r.d[1] == '3' && run_prefix(&r, 11, &cut) &&
	    intl_phone(s, &cut, i, cut.d, cut.nd))
		return cut.end;
	return r.end;
}

/* ------------------------------------------------------------------- IBAN */

static const struct {
	char cc[3];
	unsigned char len;
} iban_countries[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 },
	{ "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BL", 27 }, { "BR", 29 }, { "BY", 28 },
	{ "CH", 21 }, { "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 },
	{ "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FO", 18 },
	{ "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GF", 27 }, { "GI", 23 }, { "GL", 18 },
	{ "GP", 27 }, { "GR", 27 }, { "GT", 28 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 },
	{ "IL", 23 }, { "IQ", 23 }, { "IS", 26 }, { "IT", 27 }, { "JO", 30 }, { "KW", 30 },
	{ "KZ", 20 }, { "LB", 28 }, { "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 },
	{ "LV", 21 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MF", 27 }, { "MK", 19 },
	{ "MQ", 27 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NC", 27 }, { "NL", 18 },
	{ "NO", 15 }, { "PF", 27 }, { "PK", 24 }, { "PL", 28 }, { "PM", 27 }, { "PS", 29 },
	{ "PT", 25 }, { "QA", 29 }, { "RE", 27 }, { "RO", 24 }, { "RS", 22 }, { "SA", 24 },
	{ "SC", 31 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "ST", 25 },
	{ "SV", 28 }, { "TF", 27 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
	{ "VA", 22 }, { "VG", 24 }, { "WF", 27 }, { "XK", 20 }, { "YT", 27 },
};

static unsigned
iban_length(const unsigned char *cc)
{
	for (size_t i = 0; i < LKA_ARRAY_LEN(iban_countries); i++)
		if (iban_countries[i].cc[0] == (char)cc[0] && iban_countries[i].cc[1] == (char)cc[1])
			return iban_countries[i].len;
	return 0;
}

static unsigned
mod97_add(unsigned m, unsigned c)
{
	if (is_digit(c))
		return (m * 10 + (c - '0')) % 97;
	return (m * 100 + (c - 'A' + 10)) % 97;
}

static void
flush_bic(struct sc *s)
{
	if (s->bic_pending) {
		s->bic_pending = false;
		emit(s, &s->bic);
	}
}

static size_t
try_iban(struct sc *s, size_t i)
{
	const unsigned char *p = s->p;
	unsigned want_len = iban_length(p + i), nd = 0, m = 0;
	char v[40];
	size_t j = i;
	lka_pii_finding f;
	bool ok;

	if (!want_len)
		return 0;
	while (j < s->n && nd < want_len) {
		unsigned c = p[j];
		if (is_upper(c) || is_digit(c)) {
			v[nd++] = (char)c;
			j++;
		} else if ((c == ' ' || c == '-') && nd >= 4 && j + 1 < s->n &&
			   (is_upper(p[j + 1]) || is_digit(p[j + 1])) && !is_space(p[j - 1])) {
			j++;
		} else if ((c == '\n' || c == '\r') && nd >= 4 && !is_space(p[j - 1])) {
			/* an IBAN wrapped at the end of a line */
			size_t k = j + (c == '\r' && j + 1 < s->n && p[j + 1] == '\n' ? 2 : 1);
			while (k < s->n && k - j < 8 && (p[k] == '>' || p[k] == ' '))
				k++; /* the "> " of a quoted reply */
			if (k < s->n && (is_upper(p[k]) || is_digit(p[k])))
				j = k;
			else
				break;
		} else {
			break;
		}
	}
	if (nd != want_len || (j < s->n && is_word(p[j])))
		return 0;
	v[nd] = '\0';
	for (unsigned k = 4; k < nd; k++)
		m = mod97_add(m, (unsigned char)v[k]);
	for (unsigned k = 0; k < 4; k++)
		m = mod97_add(m, (unsigned char)v[k]);
	ok = m == 1;
	finding(&f, LKA_PII_IBAN, ok ? LKA_PII_VALID : LKA_PII_INVALID, ok ? 0.97 : 0.2, i, j - i);
	memcpy(f.norm, v, nd + 1);
	mask_value(f.masked, sizeof f.masked, v, 4, 4);
	emit(s, &f);
	if (ok) {
		s->iban_end = j;
		if (s->bic_pending && i - (s->bic.offset + s->bic.length) <= BIC_WINDOW)
			flush_bic(s);
		s->bic_pending = false;
	}
	return j;
}

/* ------------------------------------------------------- keyword handlers */

static bool
same_ci(const unsigned char *p, const char *w, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if ((unsigned)lka__lower((int)p[k]) != (unsigned char)w[k])
			return false;
	return true;
}

/* End of the word at i for the context look-ahead: letters, digits and
 * non-ASCII letters, but not Latin-1 symbols (U+0080-U+00BF: °, «, no-break space). */
static size_t
word_end(const struct sc *s, size_t i)
{
	while (i < s->n) {
		unsigned c = s->p[i];
		if (is_alnum(c))
			i++;
		else if (c >= 0xC3) {
			i++;
			while (i < s->n && (s->p[i] & 0xC0) == 0x80)
				i++;
		} else
			break;
	}
	return i;
}

/* Skip separators and filler words ("n°", "no", "numéro", ":") after a keyword. */
static size_t
skip_filler(const struct sc *s, size_t i, size_t limit)
{
	static const char *const filler[] = {
		"n",	  "no",	 "num",	   "numero", "num\xc3\xa9ro", "number", "nr",	 "de",
		"du",	  "le",	 "la",	   "est",    "is",	      "on",	"code", "ma",
		"mon",	  "my",	 "votre",  "your",   "nationale",     "d",	"card", "carte",
		"the",	  "du",	 "of",	   "en",     "cours",	      "valide",
	};
	const unsigned char *p = s->p;

	while (i < s->n && i < limit) {
		unsigned c = p[i];
		if (is_alnum(c) || c >= 0xC3) {
			size_t e = word_end(s, i);
			bool hit = false;
			for (size_t k = 0; k < LKA_ARRAY_LEN(filler) && !hit; k++)
				hit = strlen(filler[k]) == e - i && same_ci(p + i, filler[k], e - i);
			if (!hit)
				return i;
			i = e;
		} else if (c == '\n' && i + 1 < s->n && p[i + 1] == '\n') {
			return NONE; /* a blank line ends the context */
		} else {
			i++;
		}
	}
	return i < s->n && i < limit ? i : NONE;
}

/* A token of [A-Z0-9] at i (no lower case); its length. */
static size_t
upper_token(const struct sc *s, size_t i, unsigned *digits, unsigned *letters)
{
	size_t e = i;

	*digits = *letters = 0;
	while (e < s->n && (is_upper(s->p[e]) || is_digit(s->p[e]))) {
		if (is_digit(s->p[e]))
			(*digits)++;
		else
			(*letters)++;
		e++;
	}
	if (e < s->n && is_word(s->p[e]))
		return 0;
	return e - i;
}

static size_t
kw_document(struct sc *s, size_t end, lka_pii_kind kind)
{
	size_t i = skip_filler(s, end, end + 40), len;
	unsigned dg, lt;
	lka_pii_finding f;
	bool ok = false;

	if (i == NONE)
		return end;
	len = upper_token(s, i, &dg, &lt);
	if (kind == LKA_PII_PASSPORT) {
		/* French: 2 digits, 2 letters, 5 digits; others: 1-2 letters + 6-8 digits */
		const unsigned char *p = s->p + i;
		ok = (len == 9 && is_digit(p[0]) && is_digit(p[1]) && is_upper(p[2]) &&
		      is_upper(p[3]) && dg == 7) ||
		     (len >= 7 && len <= 10 && lt >= 1 && lt <= 3 && is_upper(p[0]) && dg >= 5);
	} else {
		/* old card: 12 digits; since 2021: 9 letters and digits */
		ok = (len == 12 && dg == 12) || (len == 9 && dg >= 1 && lt >= 1);
	}
	if (!ok)
		return end;
	finding(&f, kind, LKA_PII_NA, 0.8, i, len);
	copy_str(f.norm, sizeof f.norm, (const char *)s->p + i, len);
	mask_value(f.masked, sizeof f.masked, f.norm, 2, 2);
	emit(s, &f);
	return i + len;
}

static void table_at(struct sc *s, size_t kw);

static const char *const months_fr[] = {
	"janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin", "juillet", "ao\xc3\xbbt",
	"septembre", "octobre", "novembre", "d\xc3\xa9" "cembre",
};
static const char *const months_en[] = {
	"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december",
};
static const char *const months_alt[] = {
	"jan", "fevrier", "mar", "apr", "may", "jun", "jul", "aout", "sep", "oct", "nov", "decembre",
};

/* Month name at i: 1..12 and its length in *len, or 0. */
static unsigned
month_name(const struct sc *s, size_t i, size_t *len)
{
	for (unsigned m = 0; m < 12; m++) {
		size_t l;
		if ((l = word_match_ci(s, i, months_fr[m])) || (l = word_match_ci(s, i, months_en[m])) ||
		    (l = word_match_ci(s, i, months_alt[m]))) {
			*len = l;
			if (i + l < s->n && s->p[i + l] == '.')
				(*len)++;
			return m + 1;
		}
	}
	return 0;
}

/* Up to max digits at i: value and count. */
static unsigned
read_num(const struct sc *s, size_t i, unsigned max, unsigned *val)
{
	unsigned k = 0;

	*val = 0;
	while (i + k < s->n && k < max && is_digit(s->p[i + k]))
		*val = *val * 10 + (s->p[i + k] - '0'), k++;
	if (i + k < s->n && is_digit(s->p[i + k]))
		return 0;
	return k;
}

static bool
date_valid(unsigned y, unsigned m, unsigned d)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2030 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* White space then a four-digit year at j: the year, and the end (0 when
 * it is not there). */
static size_t
space_year(const struct sc *s, size_t j, unsigned *year)
{
	if (j >= s->n || !is_hspace(s->p[j]))
		return 0;
	if (read_num(s, j + 1, 4, year) != 4)
		return 0;
	return j + 5;
}

/* Parse a date at i; returns its end or 0. */
static size_t
parse_date(const struct sc *s, size_t i, unsigned *y, unsigned *m, unsigned *d)
{
	const unsigned char *p = s->p;
	unsigned a, b, c, k;
	size_t j, l;

	if (i < s->n && is_digit(p[i])) {
		k = read_num(s, i, 4, &a);
		j = i + k;
		if (k == 4 && j + 5 < s->n && p[j] == '-') {
			/* yyyy-mm-dd */
			if (read_num(s, j + 1, 2, &b) != 2 || p[j + 3] != '-' ||
			    read_num(s, j + 4, 2, &c) != 2)
				return 0;
			*y = a, *m = b, *d = c;
			return j + 6;
		}
		if (k < 1 || k > 2)
			return 0;
		if (j + 1 < s->n && (p[j] == '/' || p[j] == '.' || p[j] == '-') && is_digit(p[j + 1])) {
			unsigned char sep = p[j];
			k = read_num(s, j + 1, 2, &b);
			if (!k || j + 1 + k >= s->n || p[j + 1 + k] != sep)
				return 0;
			j += 2 + k;
			if (read_num(s, j, 4, &c) != 4)
				return 0;
			*d = a, *m = b, *y = c;
			return j + 4;
		}
		/* 12 mars 1985, 1er mars 1985 */
		if (j + 1 < s->n && p[j] == 'e' && p[j + 1] == 'r')
			j += 2;
		if (j >= s->n || !is_hspace(p[j]))
			return 0;
		j++;
		if (!(b = month_name(s, j, &l)))
			return 0;
		j += l;
		if (!(j = space_year(s, j, &c)))
			return 0;
		*d = a, *m = b, *y = c;
		return j;
	}
	/* March 12, 1985 */
	if (!(b = month_name(s, i, &l)))
		return 0;
	j = i + l;
	if (j >= s->n || !is_hspace(p[j]))
		return 0;
	j++;
	if (!(k = read_num(s, j, 2, &a)))
		return 0;
	j += k;
	if (j + 1 < s->n && (p[j] == 's' || p[j] == 'n' || p[j] == 'r' || p[j] == 't') &&
	    is_alpha(p[j + 1]))
		j += 2;
	if (j < s->n && p[j] == ',')
		j++;
	if (!(j = space_year(s, j, &c)))
		return 0;
	*d = a, *m = b, *y = c;
	return j;
}

static size_t
kw_dob(struct sc *s, size_t end)
{
	size_t i = skip_filler(s, end, end + 24), e;
	unsigned y = 0, m = 0, d = 0;
	lka_pii_finding f;
	bool ok;

	if (i == NONE || !(e = parse_date(s, i, &y, &m, &d))) {
		table_at(s, end);
		return end;
	}
	if (e < s->n && is_word(s->p[e]))
		return end;
	ok = date_valid(y, m, d);
	finding(&f, LKA_PII_BIRTH_DATE, ok ? LKA_PII_VALID : LKA_PII_INVALID, ok ? 0.85 : 0.2, i,
		e - i);
	snprintf(f.norm, sizeof f.norm, "%04u-%02u-%02u", y % 10000, m % 100, d % 100);
	snprintf(f.masked, sizeof f.masked, "%04u-**-**", y % 10000);
	emit(s, &f);
	return e;
}

static size_t
kw_credential(struct sc *s, size_t end, const char *detail)
{
	const unsigned char *p = s->p;
	size_t i = end, v, e;
	lka_pii_finding f;
	bool sep = false;

	while (i < s->n && is_hspace(p[i]))
		i++;
	if (i < s->n && (p[i] == ':' || p[i] == '=')) {
		sep = true;
		i++;
	} else if (i + 2 < s->n && word_match_ci(s, i, "est")) {
		sep = true;
		i += 3;
	} else if (i + 1 < s->n && word_match_ci(s, i, "is")) {
		sep = true;
		i += 2;
	}
	if (!sep)
		return end;
	while (i < s->n && is_hspace(p[i]))
		i++;
	if (i < s->n && p[i] == ':') {
		i++;
		while (i < s->n && is_hspace(p[i]))
			i++;
	}
	v = i;
	while (i < s->n && !is_space(p[i]) && i - v < 64)
		i++;
	e = i;
	while (e > v && (p[e - 1] == '.' || p[e - 1] == ',' || p[e - 1] == ';' || p[e - 1] == ')' ||
			 p[e - 1] == '"' || p[e - 1] == '\''))
		e--;
	if (v < e && (p[v] == '"' || p[v] == '\''))
		v++;
	if (e - v < 3 || e - v > 63)
		return end;
	{
		bool stars = true;
		for (size_t k = v; k < e; k++)
			stars = stars && (p[k] == '*' || p[k] == 'x' || p[k] == '.');
		if (stars)
			return end;
	}
	finding(&f, LKA_PII_CREDENTIAL, LKA_PII_NA, 0.8, v, e - v);
	f.detail = detail;
	{
		char val[LKA_PII_VALUE_MAX];
		copy_str(val, sizeof val, (const char *)p + v, e - v);
		mask_value(f.masked, sizeof f.masked, val, 1, 1);
		if (strcmp(detail, "login") == 0) {
			for (char *q = val; *q; q++)
				*q = (char)(unsigned)lka__lower((int)(unsigned char)*q);
			memcpy(f.norm, val, strlen(val) + 1);
		}
	}
	emit(s, &f);
	return e;
}

static size_t
kw_bic(struct sc *s, size_t end)
{
	size_t i = skip_filler(s, end, end + 24), len;
	unsigned dg, lt;
	const unsigned char *p;

	if (i == NONE)
		return end;
	len = upper_token(s, i, &dg, &lt);
	p = s->p + i;
	if (len != 8 && len != 11)
		return end;
	for (unsigned k = 0; k < 6; k++)
		if (!is_upper(p[k]))
			return end;
	if (!iban_length(p + 4) && !(p[4] == 'U' && p[5] == 'S') && !(p[4] == 'C' && p[5] == 'A'))
		return end;
	finding(&s->bic, LKA_PII_BIC, LKA_PII_VALID, 0.85, i, len);
	copy_str(s->bic.norm, sizeof s->bic.norm, (const char *)p, len);
	mask_value(s->bic.masked, sizeof s->bic.masked, s->bic.norm, 6, 0);
	if (near_after(s->iban_end, i, BIC_WINDOW)) {
		s->bic_pending = true;
		flush_bic(s);
	} else {
		s->bic_pending = true; /* wait for an IBAN after it */
	}
	return i + len;
}

static void
kw_special(struct sc *s, size_t i, size_t end, const char *detail)
{
	lka_pii_finding f;
	size_t k = 0;

	/* a prefix keyword covers the whole word */
	while (end < s->n && is_word(s->p[end]))
		end++;
	finding(&f, LKA_PII_SPECIAL_CATEGORY, LKA_PII_NA, 0.5, i, end - i);
	f.detail = detail;
	k = (size_t)snprintf(f.norm, sizeof f.norm, "%s:", detail);
	app(f.norm, sizeof f.norm, &k, s->p + i, end - i);
	for (size_t j = 0; j < k; j++)
		f.norm[j] = (char)(unsigned)lka__lower((int)(unsigned char)f.norm[j]);
	k = 0;
	app(f.masked, sizeof f.masked, &k, s->p + i, end - i);
	emit(s, &f);
}

/* Keywords at a word start i (first byte a letter); returns the end of what
 * was consumed, or i when nothing matched. */
static size_t
scan_keyword(struct sc *s, const lka_pii_kwindex *x, size_t i)
{
	unsigned f = (unsigned)lka__lower((int)s->p[i]) - 'a';
	unsigned c1 = i + 1 < s->n ? s->p[i + 1] : 0;

	if (!((x->pair[f] >> second_bit(c1)) & 1u))
		return i;
	for (unsigned k = 0; k < x->nfirst[f]; k++) {
		const struct kw *w = &keywords[x->first[f][k]];
		size_t e = kw_match(s, i, w->text);

		if (!e)
			continue;
		switch (w->cls) {
		case KW_DOB:
			if (want(s, LKA_PII_BIRTH_DATE))
				e = kw_dob(s, e);
			break;
		case KW_PASSPORT:
			if (want(s, LKA_PII_PASSPORT))
				e = kw_document(s, e, LKA_PII_PASSPORT);
			break;
		case KW_IDCARD:
			if (want(s, LKA_PII_ID_CARD))
				e = kw_document(s, e, LKA_PII_ID_CARD);
			break;
		case KW_TAX:
			s->tax_end = e;
			break;
		case KW_PASSWORD:
		case KW_LOGIN:
			if (want(s, LKA_PII_CREDENTIAL))
				e = kw_credential(s, e, w->detail);
			break;
		case KW_BIC:
			if (want(s, LKA_PII_BIC))
				e = kw_bic(s, e);
			break;
		case KW_REF:
			s->ref_end = e;
			break;
		case KW_SPECIAL:
			if (want(s, LKA_PII_SPECIAL_CATEGORY))
				kw_special(s, i, e, w->detail);
			break;
		}
		return e;
	}
	return i;
}

/* ------------------------------------------------------------ tables */

/* Next cell of a CSV/TSV line from i (quote-aware); *b,*e: the cell without
 * quotes and spaces; returns the start of the next cell, or le + 1. */
static size_t
next_cell(const struct sc *s, size_t i, size_t le, unsigned char sep, size_t *b, size_t *e)
{
	const unsigned char *p = s->p;
	bool q = false;
	size_t j = i;

	while (j < le && (q || p[j] != sep)) {
		if (p[j] == '"')
			q = !q;
		j++;
	}
	*b = i;
	*e = j;
	while (*b < *e && (p[*b] == ' ' || p[*b] == '"'))
		(*b)++;
	while (*e > *b && (p[*e - 1] == ' ' || p[*e - 1] == '"' || p[*e - 1] == '\r'))
		(*e)--;
	return j + 1;
}

/*
 * Is the line [ls, le) the header of a table (CSV, TSV, a sheet as text)
 * with a birth-date column ("Date de naissance", "date_naissance", "Birth
 * date", "DOB", "DDN")?  *sep and *col receive the separator and the column.
 */
static bool
table_header(const struct sc *s, size_t ls, size_t le, unsigned char *sep, long *col)
{
	const unsigned char *p = s->p;
	size_t counts[3] = { 0, 0, 0 }, i, b, e;
	static const unsigned char seps[3] = { ';', '\t', ',' };
	long c = 0;

	for (i = ls; i < le; i++)
		for (int k = 0; k < 3; k++)
			counts[k] += p[i] == seps[k];
	*sep = counts[0] >= counts[1] && counts[0] >= counts[2] ? ';' : counts[1] >= counts[2] ? '\t' : ',';
	if (counts[*sep == ';' ? 0 : *sep == '\t' ? 1 : 2] < 2)
		return false;
	for (i = ls; i <= le; c++) {
		char cell[64];
		size_t k = 0;
		i = next_cell(s, i, le, *sep, &b, &e);
		for (size_t j = b; j < e && k + 1 < sizeof cell; j++)
			cell[k++] = (char)(unsigned)lka__lower((int)p[j]);
		cell[k] = '\0';
		if (strstr(cell, "naissance") || strstr(cell, "birth") || !strcmp(cell, "dob") ||
		    strstr(cell, "date_naiss") || !strcmp(cell, "ddn")) {
			*col = c;
			return true;
		}
	}
	return false;
}

/* The dates in column col of the rows after the header ending at le (the
 * table ends at a line without the separator); returns where it ended. */
static size_t
table_rows(struct sc *s, size_t le, unsigned char sep, long col)
{
	const unsigned char *p = s->p;
	size_t ls = le + 1, i, b, e;

	while (ls < s->n && !s->stop) {
		size_t lend = ls;
		bool has_sep = false;
		while (lend < s->n && p[lend] != '\n') {
			has_sep = has_sep || p[lend] == sep;
			lend++;
		}
		if (!has_sep)
			break;
		i = ls;
		for (long c = 0; c <= col && i <= lend; c++)
			i = next_cell(s, i, lend, sep, &b, &e);
		if (i <= lend + 1 && b < e) {
			unsigned y = 0, m = 0, d = 0;
			size_t de = parse_date(s, b, &y, &m, &d);
			if (de == e) {
				lka_pii_finding f;
				bool ok = date_valid(y, m, d);
				finding(&f, LKA_PII_BIRTH_DATE, ok ? LKA_PII_VALID : LKA_PII_INVALID,
					ok ? 0.85 : 0.2, b, e - b);
				snprintf(f.norm, sizeof f.norm, "%04u-%02u-%02u", y % 10000, m % 100, d % 100);
				snprintf(f.masked, sizeof f.masked, "%04u-**-**", y % 10000);
				emit(s, &f);
			}
		}
		ls = lend + 1;
	}
	return ls;
}

/* A keyword of birth date with no date after it: the header of a table? */
static void
table_at(struct sc *s, size_t kw)
{
	size_t ls = kw, le = kw;
	unsigned char sep;
	long col;

	while (ls > 0 && kw - ls < 4096 && s->p[ls - 1] != '\n')
		ls--;
	while (le < s->n && le - kw < 4096 && s->p[le] != '\n')
		le++;
	if (le >= s->n || s->p[le] != '\n' || (ls > 0 && s->p[ls - 1] != '\n') || ls < s->table_end)
		return;
	if (table_header(s, ls, le, &sep, &col))
		s->table_end = table_rows(s, le, sep, col);
}

/* A table whose first line (the text's) is a header with a birth-date column
 * named without a keyword ("date_naissance", "DDN"). */
static void
scan_table_dob(struct sc *s)
{
	size_t le = 0;
	unsigned char sep;
	long col;

	while (le < s->n && le < 4096 && s->p[le] != '\n')
		le++;
	if (s->table_end || le >= s->n || s->p[le] != '\n')
		return;
	if (table_header(s, 0, le, &sep, &col))
		table_rows(s, le, sep, col);
}

/* ------------------------------------------------------------------- scan */

size_t
lka_pii_scan_text(const char *text, size_t n, unsigned mask, lka_pii_fn fn, void *payload)
{
	lka_pii_kwindex x;

	lka_pii__index(&x);
	return lka_pii__scan(&x, text, n, mask, fn, payload);
}

size_t
lka_pii__scan(const lka_pii_kwindex *x, const char *text, size_t n, unsigned mask, lka_pii_fn fn,
	      void *payload)
{
	struct sc s = { 0 };
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	bool kw = (mask & ((1u << LKA_PII_BIRTH_DATE) | (1u << LKA_PII_PASSPORT) |
			   (1u << LKA_PII_ID_CARD) | (1u << LKA_PII_FR_TAX_ID) |
			   (1u << LKA_PII_CREDENTIAL) | (1u << LKA_PII_BIC) | (1u << LKA_PII_CARD) |
			   (1u << LKA_PII_SPECIAL_CATEGORY))) != 0;
	bool digits = (mask & ((1u << LKA_PII_PHONE) | (1u << LKA_PII_CARD) | (1u << LKA_PII_NIR) |
			       (1u << LKA_PII_FR_TAX_ID) | (1u << LKA_PII_POSTAL_ADDRESS))) != 0;

	if (!text)
		return 0;
	s.p = p;
	s.n = n;
	s.mask = mask;
	s.fn = fn;
	s.payload = payload;
	s.ref_end = s.tax_end = s.iban_end = NONE;
	while (i < n && !s.stop) {
		unsigned c = p[i];

		if (is_alpha(c)) {
			size_t e = i;
			if (i == 0 || !is_word(p[i - 1])) {
				if (is_upper(c) && (digits || want(&s, LKA_PII_IBAN) || want(&s, LKA_PII_BIC)) &&
				    i + 3 < n &&
				    is_upper(p[i + 1]) && is_digit(p[i + 2]) && is_digit(p[i + 3])) {
					size_t j = try_iban(&s, i);
					if (j) {
						i = j;
						continue;
					}
				}
				if (kw && (e = scan_keyword(&s, x, i)) > i) {
					i = e;
					continue;
				}
			}
			/* rest of the word */
			e = i + 1;
			while (e < n && is_alpha(p[e]))
				e++;
			i = e;
			continue;
		}
		if (is_digit(c)) {
			unsigned pc = i ? p[i - 1] : ' ';
			if (digits && !is_word(pc) && pc != '.' && pc != ',' && pc != '-' && pc != '/' &&
			    pc != '_' && pc != '+' && pc != '#' && pc != '=') {
				i = scan_digits(&s, i);
				continue;
			}
			while (i < n && is_alnum(p[i]))
				i++;
			continue;
		}
		if (c == '@') {
			i = want(&s, LKA_PII_EMAIL) ? scan_email(&s, i) : i + 1;
			continue;
		}
		if (c == '+' && want(&s, LKA_PII_PHONE) && i + 1 < n && is_digit(p[i + 1]) &&
		    (i == 0 || !is_word(p[i - 1]))) {
			i = scan_plus(&s, i);
			continue;
		}
		i++;
	}
	if (!s.stop && want(&s, LKA_PII_BIRTH_DATE))
		scan_table_dob(&s);
	return s.count;
}
