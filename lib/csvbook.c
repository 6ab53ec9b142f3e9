/*
 * csvbook.c — CSV and TSV address books: Outlook, Google and Thunderbird
 * exports in several languages (column names matched by keywords), and
 * files without a header (columns recognised by content).  Encoding
 * detection: UTF-8 (BOM or not), UTF-16 with a BOM (or by its NUL bytes),
 * Shift_JIS, else Windows-1252.  Delimiter detection among , ; TAB |.
 * Quoted fields may hold delimiters, doubled quotes and line breaks.
 */
#include <iconv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "people-int.h"

#define MAX_COLS 512
#define DETECT_ROWS 20

/* ------------------------------------------------------------ decoding */

/* Is all of p a valid Shift_JIS text with at least one double-byte character? */
static bool
is_sjis(const char *p, size_t n)
{
	iconv_t cd;
	char out[4096];
	bool ok = true, multi = false;
	char *in = (char *)(uintptr_t)p;
	size_t left = n;

	size_t pairs = 0, lowtrail = 0;

	/* Windows-1252 French or German text also decodes as Shift_JIS ("é" +
	 * a letter is a valid pair): real Shift_JIS pairs rarely end in a
	 * lower-case ASCII letter, Latin text nearly always does. */
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char b = (unsigned char)p[i], t = (unsigned char)p[i + 1];
		if ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) {
			pairs++;
			if (t >= 'a' && t <= 'z')
				lowtrail++;
			i++;
		}
	}
	multi = pairs > 0 && lowtrail * 10 < pairs * 3;
	if (!multi)
		return false;
	cd = iconv_open("UTF-8", "SHIFT_JIS");
	if (cd == (iconv_t)-1)
		return false;
	while (left && ok) {
		char *o = out;
		size_t ol = sizeof out;
		if (iconv(cd, &in, &left, &o, &ol) == (size_t)-1 && errno != E2BIG)
			ok = errno == EINVAL && left < 2; /* a character cut at the end of a head */
		if (errno == EINVAL)
			break;
	}
	iconv_close(cd);
	return ok && multi;
}

/*
 * The text as UTF-8 (malloc'd).  *base: offset in p of byte 0 of the text
 * when the text is p itself (UTF-8), else -1.
 */
static char *
decode(const char *p, size_t n, int64_t *base, size_t *out_n)
{
	const unsigned char *u = (const unsigned char *)p;
	char *t;
	size_t z_even = 0, z_odd = 0, lim = n < 1024 ? n : 1024;

	*base = -1;
	if (n >= 2 && u[0] == 0xff && u[1] == 0xfe)
		t = lka_text_to_utf8(p + 2, n - 2, "UTF-16LE", NULL);
	else if (n >= 2 && u[0] == 0xfe && u[1] == 0xff)
		t = lka_text_to_utf8(p + 2, n - 2, "UTF-16BE", NULL);
	else {
		for (size_t i = 0; i < lim; i++)
			if (!u[i])
				*(i & 1 ? &z_odd : &z_even) += 1;
		if (lim >= 8 && z_odd > lim / 4 && z_even == 0)
			t = lka_text_to_utf8(p, n, "UTF-16LE", NULL);
		else if (lim >= 8 && z_even > lim / 4 && z_odd == 0)
			t = lka_text_to_utf8(p, n, "UTF-16BE", NULL);
		else if (z_odd || z_even)
			return NULL; /* binary */
		else {
			size_t skip = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
			if (lka_utf8_valid(p + skip, n - skip)) {
				*base = (int64_t)skip;
				t = lka__strndup(p + skip, n - skip);
			} else if (is_sjis(p, n)) {
				t = lka_text_to_utf8(p, n, "SHIFT_JIS", NULL);
			} else {
				t = lka_text_to_utf8(p, n, "WINDOWS-1252", NULL);
			}
		}
	}
	if (t) {
		/* a BOM left inside (UTF-16 text) */
		size_t l = strlen(t);
		if (l >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0)
			memmove(t, t + 3, (l -= 3) + 1);
		*out_n = l;
	}
	return t;
}

/* ------------------------------------------------------------ records */

typedef struct row {
	char *cells[MAX_COLS];
	size_t n;
	size_t start; /* offset of the record in the text */
	lka_buf b;    /* cell storage */
	size_t offs[MAX_COLS];
} row;

static void
row_clear(row *r)
{
	lka_buf_free(&r->b);
	memset(r, 0, sizeof *r);
}

/* Read one record at *pos; false at the end of the text. */
static bool
next_row(const char *t, size_t n, size_t *pos, char delim, row *r)
{
	size_t i = *pos;
	bool q = false, any = false;

	if (i >= n)
		return false;
	if (!r->b.max)
		lka_buf_init(&r->b, 0);
	lka_buf_reset(&r->b);
	r->n = 0;
	r->start = i;
	r->offs[r->n++] = 0;
	while (i < n) {
		char c = t[i];
		if (q) {
			if (c == '"') {
				if (i + 1 < n && t[i + 1] == '"') {
					lka_buf_addc(&r->b, '"');
					i += 2;
					continue;
				}
				q = false;
				i++;
				continue;
			}
			lka_buf_addc(&r->b, c);
			i++;
			continue;
		}
		if (c == '"') {
			q = true;
			any = true;
			i++;
			continue;
		}
		if (c == delim) {
			lka_buf_addc(&r->b, '\0');
			if (r->n < MAX_COLS)
				r->offs[r->n++] = r->b.len;
			i++;
			any = true;
			continue;
		}
		if (c == '\r' || c == '\n') {
			i += (c == '\r' && i + 1 < n && t[i + 1] == '\n') ? 2 : 1;
			break;
		}
		lka_buf_addc(&r->b, c);
		any = true;
		i++;
	}
	lka_buf_addc(&r->b, '\0');
	*pos = i;
	(void)any;
	for (size_t k = 0; k < r->n; k++)
		r->cells[k] = r->b.data ? (char *)r->b.data + r->offs[k] : (char *)"";
	return !r->b.oom;
}

static bool
row_empty(const row *r)
{
	for (size_t k = 0; k < r->n; k++)
		for (const char *s = r->cells[k]; *s; s++)
			if (*s != ' ' && *s != '\t')
				return false;
	return true;
}

static char
pick_delim(const char *t, size_t n)
{
	static const char cands[] = { '\t', ';', ',', '|' };
	size_t count[4] = { 0 };
	bool q = false;
	char best = ',';
	size_t bc = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i] == '"')
			q = !q;
		if (q)
			continue;
		if (t[i] == '\n' || t[i] == '\r')
			break;
		for (int k = 0; k < 4; k++)
			if (t[i] == cands[k])
				count[k]++;
	}
	for (int k = 0; k < 4; k++)
		if (count[k] > bc) {
			bc = count[k];
			best = cands[k];
		}
	return best;
}

/* ------------------------------------------------------------ columns */

typedef enum fkind {
	F_NONE = 0, F_FULL, F_GIVEN, F_MIDDLE, F_FAMILY, F_PREFIX, F_SUFFIX, F_NICK, F_ORG, F_DEPT,
	F_TITLE, F_EMAIL, F_EMAIL_TYPE, F_EMAIL_NAME, F_PHONE, F_PHONE_TYPE, F_STREET, F_CITY,
	F_REGION, F_CODE, F_COUNTRY, F_ADDR_FULL, F_ADDR_TYPE, F_BDAY, F_BYEAR, F_BMONTH, F_BDOM,
	F_NOTES, F_URL
} fkind;

typedef struct col {
	fkind k;
	int group;          /* e-mail / phone / address number in its header (1 by default) */
	char type[12];      /* 'home', 'work', 'mobile' ... from the header */
} col;

static bool
has(const char *h, const char *w)
{
	return strstr(h, w) != NULL;
}

static bool
any_of(const char *h, const char *const *ws)
{
	for (; *ws; ws++)
		if (strstr(h, *ws))
			return true;
	return false;
}

static const char *
type_word(const char *h)
{
	static const char *const home[] = { "home", "domicile", "privat", "personnel", "particulier",
					    "casa", "particular", "自宅", NULL };
	static const char *const work[] = { "business", "work", "bureau", "travail", "professionnel",
					    "geschäft", "gesch", "trabajo", "ufficio", "company main",
					    "勤務", NULL };
	static const char *const other[] = { "other", "autre", "weitere", "otro", "altro", NULL };

	if (any_of(h, home))
		return "home";
	if (any_of(h, work))
		return "work";
	if (any_of(h, other))
		return "other";
	return "";
}

static col
classify(const char *raw)
{
	char h[256];
	size_t n = 0;
	col c = { F_NONE, 1, "" };

	for (const char *s = raw; *s && n + 1 < sizeof h; s++)
		h[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	h[n] = '\0';
	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		h[--n] = '\0';
	{
		const char *s = h;
		while (*s == ' ')
			s++;
		memmove(h, s, strlen(s) + 1);
	}
	for (const char *s = h; *s; s++)
		if (*s >= '0' && *s <= '9') {
			c.group = atoi(s);
			break;
		}
	if (!h[0] || has(h, "yomi") || has(h, "phonetic") || has(h, "phonétique"))
		return c;

	static const char *const mailw[] = { "mail", "messagerie", "courriel", "correo",
					     "メール", NULL };
	static const char *const phonew[] = { "phone", "téléphone", "telephone", "tél", "tel.",
					      "telefon", "teléfono", "mobile", "mobil", "portable",
					      "cell", "fax", "télécopie", "pager",
					      "radiomessagerie", "電話", "携帯", "callback",
					      NULL };
	static const char *const bday[] = { "birthday", "anniversaire", "geburtstag", "cumpleaños",
					    "compleanno", "誕生日", "date de naissance", NULL };
	static const char *const addrw[] = { "address", "adresse", "street", "rue", "straße",
					     "strasse", "calle", "city", "ville", "ciudad", "città",
					     "state", "région", "region", "dép", "bundesland",
					     "provinc", "postal code", "zip", "code postal",
					     "postleitzahl", "código postal", "postcode", "country",
					     "pays", "país", "formatted", "po box", "boîte postale",
					     "住所", "郵便番号", "都道府県", "市区町村", NULL };

	if (any_of(h, mailw) && !has(h, "radiomessagerie")) {
		if (has(h, "type") || has(h, "label") || has(h, "tipo"))
			c.k = F_EMAIL_TYPE;
		else if (has(h, "display") || has(h, "nom complet") || has(h, "affich") ||
			 has(h, "anzeige") || has(h, "name") || has(h, "nom ") || has(h, "nombre") ||
			 has(h, "mostrar") || has(h, "表示名"))
			c.k = F_EMAIL_NAME;
		else
			c.k = F_EMAIL;
		return c;
	}
	if (has(h, "web") || has(h, "url") || has(h, "site"))
		return (col){ F_URL, c.group, "" };
	if (any_of(h, phonew)) {
		if (has(h, "type") || has(h, "label") || has(h, "tipo")) {
			c.k = F_PHONE_TYPE;
			return c;
		}
		c.k = F_PHONE;
		if (has(h, "mobile") || has(h, "mobil") || has(h, "portable") || has(h, "cell") ||
		    has(h, "携帯"))
			strcpy(c.type, "mobile");
		else if (has(h, "fax") || has(h, "télécopie"))
			strcpy(c.type, "fax");
		else if (has(h, "pager") || has(h, "radiomessagerie"))
			strcpy(c.type, "pager");
		else if (has(h, "value"))
			c.type[0] = '\0'; /* Google: from the type column */
		else {
			const char *t = type_word(h);
			strcpy(c.type, t[0] ? t : "other");
		}
		return c;
	}
	if (has(h, "birth year")) {
		c.k = F_BYEAR;
		return c;
	}
	if (has(h, "birth month")) {
		c.k = F_BMONTH;
		return c;
	}
	if (has(h, "birth day")) {
		c.k = F_BDOM;
		return c;
	}
	if (any_of(h, bday)) {
		c.k = F_BDAY;
		return c;
	}
	if (any_of(h, addrw) || !strncmp(h, "ort", 3) || !strncmp(h, "land", 4)) {
		const char *t = type_word(h);
		if (has(h, "address ") && c.group && !t[0])
			snprintf(c.type, sizeof c.type, "#%d", c.group); /* Google "Address 1 - ..." */
		else
			snprintf(c.type, sizeof c.type, "%s", t[0] ? t : "other");
		if (has(h, "type") || has(h, "label"))
			c.k = F_ADDR_TYPE;
		else if (has(h, "formatted"))
			c.k = F_ADDR_FULL;
		else if (has(h, "postal code") || has(h, "zip") || has(h, "code postal") ||
			 has(h, "postleitzahl") || has(h, "código postal") || has(h, "postcode") ||
			 has(h, "郵便番号"))
			c.k = F_CODE;
		else if (has(h, "bundesland"))
			c.k = F_REGION;
		else if (has(h, "country") || has(h, "pays") || has(h, "país") ||
			 !strncmp(h, "land", 4))
			c.k = F_COUNTRY;
		else if (has(h, "city") || has(h, "ville") || has(h, "ciudad") || has(h, "città") ||
			 !strncmp(h, "ort", 3) || has(h, "市区町村"))
			c.k = F_CITY;
		else if (has(h, "state") || has(h, "région") || has(h, "region") || has(h, "dép") ||
			 has(h, "provinc") || has(h, "都道府県"))
			c.k = F_REGION;
		else if (has(h, "extended"))
			c.k = F_NONE;
		else
			c.k = F_STREET;
		return c;
	}
	if (has(h, "job title") || has(h, "fonction") || has(h, "position") ||
	    has(h, "- title") || has(h, "berufsbezeichnung") || has(h, "puesto") ||
	    has(h, "役職"))
		c.k = F_TITLE;
	else if (has(h, "middle") || has(h, "additional name") || has(h, "deuxième prénom") ||
		 has(h, "second prénom") || has(h, "weitere vornamen") || has(h, "segundo nombre") ||
		 has(h, "ミドルネーム"))
		c.k = F_MIDDLE;
	else if (has(h, "first name") || has(h, "given name") || has(h, "prénom") ||
		 has(h, "vorname") || !strcmp(h, "nombre") || !strcmp(h, "nome") || !strcmp(h, "名"))
		c.k = F_GIVEN;
	else if (has(h, "last name") || has(h, "family name") || has(h, "surname") ||
		 has(h, "nachname") || has(h, "apellido") || has(h, "cognome") || !strcmp(h, "nom") ||
		 has(h, "nom de famille") || !strcmp(h, "姓"))
		c.k = F_FAMILY;
	else if (has(h, "display name") || has(h, "full name") || has(h, "nom complet") ||
		 has(h, "nom d'affichage") || has(h, "anzeigename") || has(h, "nombre completo") ||
		 !strcmp(h, "name") || !strcmp(h, "nom affiché") || !strcmp(h, "名前") ||
		 !strcmp(h, "氏名"))
		c.k = F_FULL;
	else if (has(h, "prefix") || !strcmp(h, "title") || !strcmp(h, "titre") ||
		 !strcmp(h, "anrede") || !strcmp(h, "tratamiento") || has(h, "civilité"))
		c.k = F_PREFIX;
	else if (has(h, "suffix") || has(h, "namenszusatz") || has(h, "sufijo"))
		c.k = F_SUFFIX;
	else if (has(h, "nickname") || has(h, "surnom") || has(h, "spitzname") || has(h, "apodo") ||
		 has(h, "ニックネーム"))
		c.k = F_NICK;
	else if (has(h, "department") || !strcmp(h, "service") || has(h, "abteilung") ||
		 has(h, "departamento") || has(h, "部署"))
		c.k = F_DEPT;
	else if ((has(h, "company") || has(h, "organization") || has(h, "organisation") ||
		  has(h, "société") || has(h, "firma") || has(h, "empresa") || has(h, "azienda") ||
		  has(h, "会社")) &&
		 !has(h, "type") && !has(h, "location") && !has(h, "symbol") &&
		 !has(h, "description") && !has(h, "main phone"))
		c.k = F_ORG;
	else if (has(h, "notes") || !strcmp(h, "note") || has(h, "notizen") || has(h, "notas") ||
		 has(h, "remarque") || has(h, "commentaire") || has(h, "メモ"))
		c.k = F_NOTES;
	return c;
}

/* Is the cell an e-mail address and nothing else? */
static bool
cell_is_addr(const char *s)
{
	char *a;
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || memchr(s, ' ', n) || !lka__looks_email(s, n))
		return false;
	char *t = lka__strndup(s, n);
	a = t ? lka_addr_normalize(t) : NULL;
	free(t);
	free(a);
	return a != NULL;
}

/* Does a cell look like a phone number? */
static bool
phoneish(const char *s)
{
	char e[LKA_E164_MAX];
	size_t digits = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +-.()/", *p))
			return false;
	}
	return digits >= 7 && (lka__phone_e164(s, e) || digits >= 9);
}

typedef struct layout {
	col cols[MAX_COLS];
	size_t n;
	bool header;
} layout;

/* "Field-Name: value": a mail header or report line, not a CSV row. */
static bool
field_like(const char *s)
{
	const char *p = s;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	       *p == '-')
		p++;
	return p > s && *p == ':' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\0');
}

/* A column name: short, and not a comment line ("# ... emails" in a
 * .gitattributes is not the header of a one-column address book). */
static bool
name_like(const char *s)
{
	size_t n = strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	return *s != '#' && n <= 64;
}

static bool
header_like(const row *r, layout *lo)
{
	size_t emails = 0, known = 0;

	lo->n = r->n;
	if (r->n && field_like(r->cells[0]))
		return false;
	for (size_t k = 0; k < r->n; k++) {
		if (lka__looks_email(r->cells[k], strlen(r->cells[k])) || !name_like(r->cells[k]))
			return false;
		lo->cols[k] = classify(r->cells[k]);
		if (lo->cols[k].k == F_EMAIL)
			emails++;
		if (lo->cols[k].k != F_NONE)
			known++;
	}
	lo->header = true;
	return emails > 0 || (known >= 2 && known * 3 >= r->n);
}

/* Columns of a file without a header, from the rows' content. */
static void
guess_layout(row *rows, size_t nrows, layout *lo)
{
	size_t ncol = 0;
	bool named = false;

	for (size_t i = 0; i < nrows; i++)
		if (rows[i].n > ncol)
			ncol = rows[i].n;
	lo->n = ncol;
	lo->header = false;
	for (size_t k = 0; k < ncol; k++) {
		size_t filled = 0, mail = 0, phone = 0;
		for (size_t i = 0; i < nrows; i++) {
			const char *s = k < rows[i].n ? rows[i].cells[k] : "";
			if (!*s)
				continue;
			filled++;
			if (cell_is_addr(s))
				mail++;
			else if (phoneish(s))
				phone++;
		}
		memset(&lo->cols[k], 0, sizeof lo->cols[k]);
		lo->cols[k].group = (int)k + 1;
		if (filled && mail * 2 >= filled)
			lo->cols[k].k = F_EMAIL;
		else if (filled && phone * 2 >= filled)
			lo->cols[k].k = F_PHONE;
		else if (filled && !named) {
			lo->cols[k].k = F_FULL;
			named = true;
		}
	}
}

bool
lka_csvbook_detect(const unsigned char *p, size_t n)
{
	int64_t base;
	size_t tn = 0, pos = 0, nrows = 0, with_mail = 0, width = 0;
	char *t = decode((const char *)p, n, &base, &tn), delim;
	row *r;
	layout *lo;
	bool yes = false;

	if (!t)
		return false;
	r = calloc(1, sizeof *r);
	lo = calloc(1, sizeof *lo);
	if (!r || !lo)
		goto out;
	delim = pick_delim(t, tn);
	if (!next_row(t, tn, &pos, delim, r))
		goto out;
	if (header_like(r, lo)) {
		for (size_t k = 0; k < lo->n; k++)
			if (lo->cols[k].k == F_EMAIL)
				yes = true;
		goto out;
	}
	/* no header: rows of the same width (>= 2) with addresses in them, and
	 * not "Field: value" lines (mail headers, reports) */
	width = r->n;
	if (width < 2)
		goto out;
	do {
		if (row_empty(r))
			continue;
		nrows++;
		if (field_like(r->cells[0]))
			goto out;
		if (r->n != width && pos < tn)
			goto out;
		for (size_t k = 0; k < r->n; k++)
			if (cell_is_addr(r->cells[k])) {
				with_mail++;
				break;
			}
	} while (nrows < DETECT_ROWS && next_row(t, tn, &pos, delim, r));
	yes = nrows >= 2 && with_mail * 2 >= nrows;
out:
	if (r)
		row_clear(r);
	free(r);
	free(lo);
	free(t);
	return yes;
}

/* ------------------------------------------------------------ entries */

static bool
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* Postal address of the row for a group key (created on first use). */
static lka_contact_postal *
postal_for(lka_contact *c, char keys[][12], size_t *nkeys, const char *key, bool *oom)
{
	for (size_t i = 0; i < *nkeys && i < c->n_postals; i++)
		if (!strcmp(keys[i], key))
			return &c->postals[i];
	if (*nkeys >= 8)
		return NULL;
	lka_contact_postal *p = lka__ct_postal(c, key[0] == '#' ? NULL : key);
	if (!p) {
		*oom = true;
		return NULL;
	}
	snprintf(keys[(*nkeys)++], 12, "%s", key);
	return p;
}

/* Value of the first column of kind k and group g in the row, or NULL. */
static const char *
cell_of(const layout *lo, const row *r, fkind k, int g)
{
	for (size_t i = 0; i < lo->n && i < r->n; i++)
		if (lo->cols[i].k == k && lo->cols[i].group == g && !blank(r->cells[i]))
			return r->cells[i];
	return NULL;
}

static lka_contact *
build(const layout *lo, const row *r, bool *oom)
{
	lka_contact *c = lka__contact_new("csv");
	char keys[8][12];
	size_t nkeys = 0;
	const char *by = NULL, *bm = NULL, *bd = NULL;

	if (!c) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < lo->n && i < r->n && !*oom; i++) {
		const col *cl = &lo->cols[i];
		const char *v = r->cells[i];
		bool ok = true;

		if (blank(v))
			continue;
		switch (cl->k) {
		case F_FULL: ok = lka__ct_set(&c->full_name, v); break;
		case F_GIVEN: ok = lka__ct_set(&c->given_name, v); break;
		case F_MIDDLE: ok = lka__ct_set(&c->middle_name, v); break;
		case F_FAMILY: ok = lka__ct_set(&c->family_name, v); break;
		case F_PREFIX: ok = lka__ct_set(&c->prefix, v); break;
		case F_SUFFIX: ok = lka__ct_set(&c->suffix, v); break;
		case F_NICK: ok = lka__ct_set(&c->nickname, v); break;
		case F_ORG: ok = c->organization || lka__ct_set(&c->organization, v); break;
		case F_DEPT: ok = lka__ct_set(&c->department, v); break;
		case F_TITLE: ok = lka__ct_set(&c->title, v); break;
		case F_NOTES: ok = lka__ct_set(&c->note, v); break;
		case F_URL: ok = c->url || lka__ct_set(&c->url, v); break;
		case F_BYEAR: by = v; break;
		case F_BMONTH: bm = v; break;
		case F_BDOM: bd = v; break;
		case F_BDAY: {
			bool nonzero = false;
			for (const char *s = v; *s; s++)
				if (*s >= '1' && *s <= '9')
					nonzero = true;
			if (nonzero) {
				char *b = lka__birthday(v);
				free(c->birthday);
				c->birthday = b;
			}
			break;
		}
		case F_EMAIL: {
			const char *type = cell_of(lo, r, F_EMAIL_TYPE, cl->group);
			const char *name = cell_of(lo, r, F_EMAIL_NAME, cl->group);
			/* Google: several addresses in one cell, " ::: " between them */
			const char *s = v;
			for (;;) {
				const char *sep = strstr(s, ":::");
				size_t len = sep ? (size_t)(sep - s) : strlen(s);
				char *one = lka__strndup(s, len), *nm = name ? lka__strdup(name) : NULL;
				/* Outlook: "Marie Dupont (marie@example.fr)": the name alone */
				if (one && nm) {
					char *t = one, *o = strrchr(nm, '(');
					size_t tl;
					while (*t == ' ')
						t++;
					tl = strlen(t);
					while (tl && t[tl - 1] == ' ')
						tl--;
					if (o && o > nm && o[-1] == ' ' && strlen(o + 1) == tl + 1 &&
					    !strncmp(o + 1, t, tl) && o[1 + tl] == ')')
						o[-1] = '\0';
				}
				if (!one || (name && !nm) || !lka__ct_email(c, one, type, nm))
					ok = false;
				free(nm);
				free(one);
				if (!sep || !ok)
					break;
				s = sep + 3;
			}
			break;
		}
		case F_PHONE: {
			const char *type = cl->type[0] ? cl->type : cell_of(lo, r, F_PHONE_TYPE, cl->group);
			const char *s = v;
			for (;;) {
				const char *sep = strstr(s, ":::");
				size_t len = sep ? (size_t)(sep - s) : strlen(s);
				char *one = lka__strndup(s, len);
				if (!one || !lka__ct_phone(c, one, type))
					ok = false;
				free(one);
				if (!sep || !ok)
					break;
				s = sep + 3;
			}
			break;
		}
		case F_STREET: case F_CITY: case F_REGION: case F_CODE: case F_COUNTRY:
		case F_ADDR_FULL: case F_ADDR_TYPE: {
			lka_contact_postal *p = postal_for(c, keys, &nkeys, cl->type, oom);
			if (!p)
				break;
			if (cl->k == F_STREET)
				lka__book_append(&p->street, v, oom);
			else if (cl->k == F_CITY)
				ok = lka__ct_set(&p->locality, v);
			else if (cl->k == F_REGION)
				ok = lka__ct_set(&p->region, v);
			else if (cl->k == F_CODE)
				ok = lka__ct_set(&p->postcode, v);
			else if (cl->k == F_COUNTRY)
				ok = lka__ct_set(&p->country, v);
			else if (cl->k == F_ADDR_FULL)
				ok = lka__ct_set(&p->full, v);
			else
				ok = lka__ct_set(&p->type, v);
			break;
		}
		default:
			break;
		}
		if (!ok)
			*oom = true;
	}
	if (by && bm && bd && atoi(by) > 0 && atoi(bm) > 0 && atoi(bd) > 0) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", atoi(by), atoi(bm), atoi(bd));
		c->birthday = lka__birthday(tmp);
	}
	/* Postal addresses with only a type or a lone country are dropped. */
	for (size_t i = 0; i < c->n_postals;) {
		lka_contact_postal *p = &c->postals[i];
		if (!p->street && !p->locality && !p->postcode && !p->full && !p->region) {
			lka_contact_postal_clear(p);
			memmove(p, p + 1, (c->n_postals - i - 1) * sizeof *p);
			c->n_postals--;
			continue;
		}
		if (!p->full)
			lka__postal_full(p);
		i++;
	}
	if (!c->full_name && (c->given_name || c->family_name)) {
		lka_buf b;
		lka_buf_init(&b, 0);
		if (c->given_name)
			lka_buf_adds(&b, c->given_name);
		if (c->family_name) {
			if (b.len)
				lka_buf_addc(&b, ' ');
			lka_buf_adds(&b, c->family_name);
		}
		c->full_name = lka_buf_steal(&b, NULL);
		lka_buf_free(&b);
	}
	return c;
}

void
lka_csvbook_read(const char *p, size_t n, const lka_book_cb *cb)
{
	int64_t base;
	size_t tn = 0, pos = 0, nrows = 0;
	char *t = decode(p, n, &base, &tn), delim;
	row *r = NULL, *first = NULL;
	layout *lo = NULL;
	uint64_t ordinal = 0;
	bool go = true;

	if (!t) {
		cb->fail(cb->arg, NULL, LKA_FAILED, LKA_E_CORRUPT,
			 "not text: binary data where an address book was expected");
		return;
	}
	r = calloc(1, sizeof *r);
	lo = calloc(1, sizeof *lo);
	first = calloc(DETECT_ROWS, sizeof *first);
	if (!r || !lo || !first) {
		cb->fail(cb->arg, NULL, LKA_FATAL, LKA_E_NOMEM, "out of memory");
		goto out;
	}
	delim = pick_delim(t, tn);
	if (!next_row(t, tn, &pos, delim, r))
		goto out;
	if (!header_like(r, lo)) {
		/* no header: look at the first rows to guess the columns, then restart */
		size_t p2 = 0;
		while (nrows < DETECT_ROWS && next_row(t, tn, &p2, delim, &first[nrows]))
			if (!row_empty(&first[nrows]))
				nrows++;
		guess_layout(first, nrows, lo);
		pos = 0;
	}
	while (go && next_row(t, tn, &pos, delim, r)) {
		lka_itemloc loc;
		lka_contact *c;
		bool oom = false;

		if (row_empty(r))
			continue;
		loc.ordinal = ordinal++;
		loc.offset = base >= 0 ? base + (int64_t)r->start : -1;
		loc.length = base >= 0 ? (int64_t)(pos - r->start) : -1;
		if (!cb->begin(cb->arg, &loc))
			break;
		c = build(lo, r, &oom);
		if (oom) {
			lka_contact_free(c);
			go = cb->fail(cb->arg, &loc, LKA_FAILED, LKA_E_NOMEM, "out of memory");
			continue;
		}
		if (lo->header && r->n > lo->n) {
			/* data past the header's columns (an empty trailing field is common) */
			bool extra = false;
			for (size_t k = lo->n; k < r->n; k++)
				if (!blank(r->cells[k]))
					extra = true;
			if (extra)
				lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
					      "row has %zu fields, the header %zu: the extra ones "
					      "were not read",
					      r->n, lo->n);
		}
		go = cb->emit(cb->arg, &loc, c);
	}
out:
	if (first)
		for (size_t i = 0; i < DETECT_ROWS; i++)
			row_clear(&first[i]);
	free(first);
	if (r)
		row_clear(r);
	free(r);
	free(lo);
	free(t);
}
