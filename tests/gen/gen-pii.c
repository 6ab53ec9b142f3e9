/*
 * gen-pii.c — plants labelled personal data, decoys and neutral noise in
 * synthetic French/English documents: the ground truth of the personal-data
 * detectors' accuracy test (tests/unit/test-pii-accuracy.c), the e2e scan
 * test (lka-gen --pii N) and bench/scan.
 *
 * Values are built with their own check digits (IBAN mod-97, Luhn, NIR key,
 * SPI key) written here independently of lib/pii.c; decoys change one digit
 * so the checksum fails, or drop the context a detector needs.  libc only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen-pii.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- PRNG */

struct prng {
	uint64_t s;
};

static uint64_t
next(struct prng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
below(struct prng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

#define PICK(r, a) ((a)[below((r), (unsigned)N_ELEMS(a))])

/* ---------------------------------------------------------------- text */

static bool put_raw(struct pii_doc *d, const char *s, size_t n);

static bool
put(struct pii_doc *d, const char *s, size_t n)
{
	if (d->quote) {
		for (size_t i = 0; i < n; i++) {
			if (!put_raw(d, s + i, 1))
				return false;
			if (s[i] == '\n' && !put_raw(d, "> ", 2))
				return false;
		}
		return true;
	}
	return put_raw(d, s, n);
}

static bool
put_raw(struct pii_doc *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->text_cap) {
		size_t cap = d->text_cap ? d->text_cap * 2 : 4096;
		char *t;
		while (cap < d->len + n + 1)
			cap *= 2;
		if (!(t = realloc(d->text, cap)))
			return false;
		d->text = t;
		d->text_cap = cap;
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
	return true;
}

static bool
puts_(struct pii_doc *d, const char *s)
{
	return put(d, s, strlen(s));
}

static bool __attribute__((format(printf, 2, 3)))
putf(struct pii_doc *d, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return n >= 0 && put(d, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Append the shown text and label it. */
static bool
plant(struct pii_doc *d, const char *kind, const char *shown, const char *value, int decoy)
{
	struct pii_label *l;

	if (d->n_labels == d->cap_labels) {
		size_t cap = d->cap_labels ? d->cap_labels * 2 : 16;
		struct pii_label *v = realloc(d->labels, cap * sizeof *v);
		if (!v)
			return false;
		d->labels = v;
		d->cap_labels = cap;
	}
	l = &d->labels[d->n_labels++];
	l->kind = kind;
	snprintf(l->value, sizeof l->value, "%s", value);
	l->decoy = decoy;
	l->offset = d->len;
	if (!puts_(d, shown))
		return false;
	l->length = d->len - l->offset; /* quoting may have added "> " */
	return true;
}

/* ------------------------------------------------------------- people */

static const char *const firsts[] = {
	"Jean", "Marie", "Pierre", "Sophie", "Luc", "Claire", "Paul", "Julie", "Marc", "Anne",
	"Louis", "Emma", "Hugo", "Chloe", "Thomas", "Camille", "Nicolas", "Sarah", "Antoine", "Lea",
};
static const char *const lasts[] = {
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
	"Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux",
};
static const char *const domains[] = {
	"mairie-exemple.fr", "orange.fr", "gmail.com", "laposte.net", "example.org", "free.fr",
};

static void
lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* ------------------------------------------------------------- values */

static void
digits(struct prng *r, char *out, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = (char)('0' + below(r, 10));
	out[n] = '\0';
}

static unsigned
mod97_str(const char *s)
{
	unsigned m = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			m = (m * 10 + (unsigned)(*s - '0')) % 97;
		else
			m = (m * 100 + (unsigned)(*s - 'A' + 10)) % 97;
	}
	return m;
}

/* IBAN of a country with a numeric BBAN of length bl (GB: 4 letters first). */
static void
make_iban(struct prng *r, char *out, bool bad)
{
	static const struct {
		const char *cc;
		unsigned bl;
		unsigned letters;
	} c[] = { { "FR", 23, 0 }, { "FR", 23, 0 }, { "DE", 18, 0 }, { "ES", 20, 0 },
		  { "BE", 12, 0 }, { "GB", 18, 4 }, { "IT", 23, 1 }, { "NL", 14, 4 } };
	unsigned k = below(r, (unsigned)N_ELEMS(c)), chk;
	char bban[40], tmp[48];

	for (unsigned i = 0; i < c[k].letters; i++)
		bban[i] = (char)('A' + below(r, 26));
	digits(r, bban + c[k].letters, c[k].bl - c[k].letters);
	snprintf(tmp, sizeof tmp, "%s%s00", bban, c[k].cc);
	chk = 98 - mod97_str(tmp);
	if (bad)
		chk = chk % 97 + 1 == chk ? chk + 1 : chk % 97 + 1; /* any other check */
	if (chk > 98)
		chk = 2;
	snprintf(out, 64, "%s%02u%s", c[k].cc, chk, bban);
}

static void
group(const char *v, unsigned g, char *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; v[i] && k + 2 < cap; i++) {
		if (i && i % g == 0)
			out[k++] = ' ';
		out[k++] = v[i];
	}
	out[k] = '\0';
}

static char
luhn_digit(const char *body)
{
	size_t n = strlen(body);
	unsigned sum = 0;
	bool dbl = true;

	for (size_t i = n; i-- > 0;) {
		unsigned v = (unsigned)(body[i] - '0');
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static void
make_card(struct prng *r, char *out, bool bad, bool *amex)
{
	static const char *const pfx[] = { "4", "4970", "51", "53", "55", "2221", "34", "37" };
	const char *p = PICK(r, pfx);
	unsigned len = (p[0] == '3') ? 15 : 16;
	char body[24];
	size_t pl = strlen(p);

	*amex = len == 15;
	memcpy(body, p, pl);
	digits(r, body + pl, len - 1 - (unsigned)pl);
	body[len - 1] = '\0';
	body[len - 1] = luhn_digit(body);
	if (bad)
		body[len - 1] = (char)('0' + (body[len - 1] - '0' + 1 + below(r, 8)) % 10);
	body[len] = '\0';
	memcpy(out, body, len + 1);
}

static void
make_nir(struct prng *r, char *out, bool bad)
{
	char s[16], num[16];
	unsigned long long v;
	unsigned key, dep = 1 + below(r, 95);
	int corsica = below(r, 8) == 0;

	if (dep == 20)
		dep = 21;
	snprintf(s, sizeof s, "%u%02u%02u", 1 + below(r, 2), below(r, 100), 1 + below(r, 12));
	if (corsica)
		snprintf(s + 5, sizeof s - 5, "2%c", below(r, 2) ? 'A' : 'B');
	else
		snprintf(s + 5, sizeof s - 5, "%02u", dep);
	snprintf(s + 7, sizeof s - 7, "%03u%03u", 1 + below(r, 990), 1 + below(r, 999));
	memcpy(num, s, 14);
	if (corsica) {
		num[5] = '1';
		num[6] = s[6] == 'A' ? '9' : '8';
	}
	v = strtoull(num, NULL, 10);
	key = (unsigned)(97 - v % 97);
	if (bad)
		key = key % 97 + 1;
	snprintf(out, 24, "%s%02u", s, key);
}

static void
make_spi(struct prng *r, char *out, bool bad)
{
	char s[16];
	unsigned long long v;
	unsigned key;

	s[0] = (char)('0' + below(r, 4));
	digits(r, s + 1, 9);
	v = strtoull(s, NULL, 10);
	key = (unsigned)(v % 511);
	if (bad)
		key = (key + 1 + below(r, 500)) % 511;
	snprintf(out, 14, "%.10s%03u", s, key); /* 10 digits and a 3-digit key */
}

static const char *const months_fr[] = {
	"janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin", "juillet", "ao\xc3\xbbt",
	"septembre", "octobre", "novembre", "d\xc3\xa9" "cembre",
};
static const char *const months_en[] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

/* ---------------------------------------------------------- sentences */

static const char *const street_types[] = { "rue", "avenue", "boulevard", "place", "impasse",
					    "chemin", "all\xc3\xa9" "e", "quai" };
static const char *const street_names[] = {
	"des Lilas", "Victor-Hugo", "de la R\xc3\xa9publique", "du G\xc3\xa9n\xc3\xa9ral-de-Gaulle",
	"Jean-Jaur\xc3\xa8s", "des Tanneurs", "Pasteur", "du Moulin", "de la Gare",
};
static const struct {
	const char *code, *town;
} towns[] = {
	{ "45160", "Olivet" },	  { "75011", "Paris" },	      { "69007", "Lyon" },
	{ "13001", "Marseille" }, { "45000", "Orl\xc3\xa9" "ans" }, { "33000", "Bordeaux" },
	{ "20000", "Ajaccio" },	  { "97400", "Saint-Denis" },
};
static const struct {
	const char *word, *cat;
} special[] = {
	{ "arr\xc3\xaat maladie", "health" }, { "diab\xc3\xa8te", "health" },
	{ "cancer", "health" },		       { "hospitalisation", "health" },
	{ "sick leave", "health" },	       { "syndicat", "union" },
	{ "d\xc3\xa9l\xc3\xa9gu\xc3\xa9 syndical", "union" }, { "trade union", "union" },
	{ "religion", "religion" },	       { "catholique", "religion" },
	{ "mosqu\xc3\xa9" "e", "religion" },   { "casier judiciaire", "offences" },
	{ "garde \xc3\xa0 vue", "offences" },  { "criminal record", "offences" },
};
static const char *const noise[] = {
	"Merci pour votre retour rapide. ",
	"La r\xc3\xa9union est fix\xc3\xa9" "e le 12/03/2024 \xc3\xa0 14h30 en salle 3. ",
	"Montant : 1 234,56 EUR, \xc3\xa9" "ch\xc3\xa9" "ance au 30/06/2024. ",
	"Version 2.3.14 du logiciel, build 20230415. ",
	"Dossier n\xc2\xb0 2023-0456 en cours d'instruction. ",
	"Please find the minutes attached, see section 4.2. ",
	"Budget 2024 : 3 500 000 euros, dont 12 % d'investissement. ",
	"Horodatage : 2023-04-15 10:30:00, lot 42. ",
	"The council meets on Tuesday at 18:00 in room 12. ",
	"R\xc3\xa9" "f. courrier 45/2023/JD. ",
	"Le march\xc3\xa9 public 2023-MP-017 est attribu\xc3\xa9. ",
	"Cordialement, le service des affaires g\xc3\xa9n\xc3\xa9rales. ",
	"Population : 21 345 habitants au 1er janvier. ",
	"Best regards and thank you for your patience. ",
};

static bool
sentence(struct prng *r, struct pii_doc *d)
{
	char v[112], shown[160], tmp[64];
	const char *first = PICK(r, firsts), *last = PICK(r, lasts);
	bool ok = true;

	switch (below(r, 30)) {
	case 0: case 1: { /* e-mail */
		snprintf(v, sizeof v, "%s.%s@%s", first, last, PICK(r, domains));
		snprintf(shown, sizeof shown, "%s", v);
		lower_ascii(v);
		ok = putf(d, "Contact : %s %s <", first, last) && plant(d, "email", shown, v, 0) &&
		     puts_(d, ">. ");
		break;
	}
	case 2: case 3: { /* phone, French forms */
		char n[12];
		n[0] = '0';
		n[1] = (char)('1' + below(r, 7));
		digits(r, n + 2, 8);
		snprintf(v, sizeof v, "+33%s", n + 1);
		switch (below(r, 6)) {
		case 0: snprintf(shown, sizeof shown, "%.2s %.2s %.2s %.2s %.2s", n, n + 2, n + 4, n + 6, n + 8); break;
		case 1: snprintf(shown, sizeof shown, "%s", n); break;
		case 2: snprintf(shown, sizeof shown, "%.2s.%.2s.%.2s.%.2s.%.2s", n, n + 2, n + 4, n + 6, n + 8); break;
		case 3: snprintf(shown, sizeof shown, "+33 %c %.2s %.2s %.2s %.2s", n[1], n + 2, n + 4, n + 6, n + 8); break;
		case 4: snprintf(shown, sizeof shown, "+33 (0)%c %.2s %.2s %.2s %.2s", n[1], n + 2, n + 4, n + 6, n + 8); break;
		default: snprintf(shown, sizeof shown, "0033 %c %.2s %.2s %.2s %.2s", n[1], n + 2, n + 4, n + 6, n + 8); break;
		}
		ok = putf(d, "%s %s, t\xc3\xa9l. : ", first, last) && plant(d, "phone", shown, v, 0) &&
		     puts_(d, ". ");
		break;
	}
	case 4: { /* phone, international */
		char a[8], b[8];
		unsigned k = below(r, 3);
		if (k == 0) {
			digits(r, a, 4), digits(r, b, 4);
			snprintf(shown, sizeof shown, "+44 20 %s %s", a, b);
			snprintf(v, sizeof v, "+4420%s%s", a, b);
		} else if (k == 1) {
			digits(r, a, 3), digits(r, b, 4);
			a[0] = (char)('2' + below(r, 8));
			snprintf(shown, sizeof shown, "+1 %s 555 %s", a, b);
			snprintf(v, sizeof v, "+1%s555%s", a, b);
		} else {
			digits(r, a, 4), digits(r, b, 4);
			snprintf(shown, sizeof shown, "+49 30 %s%s", a, b);
			snprintf(v, sizeof v, "+4930%s%s", a, b);
		}
		ok = puts_(d, "Call me on ") && plant(d, "phone", shown, v, 0) && puts_(d, " tomorrow. ");
		break;
	}
	case 5: case 6: { /* IBAN, sometimes with BIC */
		char bic[16];
		make_iban(r, v, false);
		if (below(r, 2)) {
			group(v, 4, shown, sizeof shown);
			if (below(r, 4) == 0)
				shown[9] = '\n'; /* wrapped at the end of a line */
		} else {
			snprintf(shown, sizeof shown, "%s", v);
		}
		ok = putf(d, "RIB de %s %s, IBAN : ", first, last) && plant(d, "iban", shown, v, 0);
		if (ok && below(r, 2)) {
			snprintf(bic, sizeof bic, "%c%c%c%c%.2s%c%c%s", 'A' + below(r, 26), 'A' + below(r, 26),
				 'A' + below(r, 26), 'A' + below(r, 26), v, 'P' , 'P',
				 below(r, 2) ? "XXX" : "");
			ok = puts_(d, ", BIC : ") && plant(d, "bic", bic, bic, 0);
		}
		ok = ok && puts_(d, ". ");
		break;
	}
	case 7: case 8: { /* card */
		bool amex;
		make_card(r, v, false, &amex);
		if (amex)
			snprintf(shown, sizeof shown, "%.4s %.6s %.5s", v, v + 4, v + 10);
		else if (below(r, 2))
			group(v, 4, shown, sizeof shown);
		else
			snprintf(shown, sizeof shown, "%s", v);
		ok = puts_(d, "Carte bancaire ") && plant(d, "card", shown, v, 0) &&
		     putf(d, " exp. %02u/%02u. ", 1 + below(r, 12), 25 + below(r, 5));
		break;
	}
	case 9: { /* NIR */
		make_nir(r, v, false);
		if (below(r, 2))
			snprintf(shown, sizeof shown, "%c %.2s %.2s %.2s %.3s %.3s %.2s", v[0], v + 1, v + 3,
				 v + 5, v + 7, v + 10, v + 13);
		else
			snprintf(shown, sizeof shown, "%s", v);
		ok = putf(d, "N\xc2\xb0 de s\xc3\xa9" "curit\xc3\xa9 sociale de %s : ", first) &&
		     plant(d, "nir", shown, v, 0) && puts_(d, ". ");
		break;
	}
	case 10: { /* SPI */
		make_spi(r, v, false);
		if (below(r, 2))
			snprintf(shown, sizeof shown, "%.2s %.2s %.3s %.3s %.3s", v, v + 2, v + 4, v + 7, v + 10);
		else
			snprintf(shown, sizeof shown, "%s", v);
		ok = puts_(d, below(r, 2) ? "Num\xc3\xa9ro fiscal : " : "SPI ") &&
		     plant(d, "fr_tax_id", shown, v, 0) && puts_(d, ". ");
		break;
	}
	case 11: { /* passport / ID card */
		if (below(r, 2)) {
			snprintf(v, sizeof v, "%02u%c%c%05u", below(r, 100), 'A' + below(r, 26),
				 'A' + below(r, 26), below(r, 100000));
			ok = puts_(d, below(r, 2) ? "Passeport n\xc2\xb0 " : "passport number: ") &&
			     plant(d, "passport", v, v, 0) && puts_(d, ". ");
		} else {
			if (below(r, 2)) {
				digits(r, v, 12);
				v[0] = (char)('1' + below(r, 9));
			} else {
				for (int i = 0; i < 9; i++)
					v[i] = below(r, 2) ? (char)('A' + below(r, 26)) : (char)('0' + below(r, 10));
				v[0] = 'X';
				v[4] = '7';
				v[9] = '\0';
			}
			ok = puts_(d, below(r, 2) ? "Carte d'identit\xc3\xa9 n\xc2\xb0 " : "CNI : ") &&
			     plant(d, "id_card", v, v, 0) && puts_(d, ". ");
		}
		break;
	}
	case 12: case 13: { /* birth date */
		unsigned y = 1930 + below(r, 80), m = 1 + below(r, 12), dd = 1 + below(r, 28);
		snprintf(v, sizeof v, "%04u-%02u-%02u", y, m, dd);
		switch (below(r, 5)) {
		case 0: snprintf(shown, sizeof shown, "%02u/%02u/%04u", dd, m, y); snprintf(tmp, sizeof tmp, "%s, n\xc3\xa9 le ", first); break;
		case 1: snprintf(shown, sizeof shown, "%u %s %04u", dd, months_fr[m - 1], y); snprintf(tmp, sizeof tmp, "%s, n\xc3\xa9" "e le ", first); break;
		case 2: snprintf(shown, sizeof shown, "%04u-%02u-%02u", y, m, dd); snprintf(tmp, sizeof tmp, "Date de naissance : "); break;
		case 3: snprintf(shown, sizeof shown, "%s %u, %04u", months_en[m - 1], dd, y); snprintf(tmp, sizeof tmp, "%s was born on ", first); break;
		default: snprintf(shown, sizeof shown, "%02u.%02u.%04u", dd, m, y); snprintf(tmp, sizeof tmp, "DOB: "); break;
		}
		ok = puts_(d, tmp) && plant(d, "birth_date", shown, v, 0) && puts_(d, ". ");
		break;
	}
	case 14: case 15: { /* postal address */
		unsigned k = below(r, (unsigned)N_ELEMS(towns)), num = 1 + below(r, 180);
		const char *st = PICK(r, street_types), *sn = PICK(r, street_names);
		bool two = below(r, 3) == 0;
		snprintf(v, sizeof v, "%u %s %s, %s %s", num, st, sn, towns[k].code, towns[k].town);
		snprintf(shown, sizeof shown, "%u %s %s%s%s %s", num, st, sn, two ? "\n" : ", ",
			 towns[k].code, towns[k].town);
		ok = putf(d, "%s %s\n", first, last) && plant(d, "postal_address", shown, v, 0) &&
		     puts_(d, "\n");
		break;
	}
	case 16: { /* credentials */
		char pw[16];
		static const char set[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!$%";
		unsigned l = 8 + below(r, 5);
		for (unsigned i = 0; i < l; i++)
			pw[i] = set[below(r, (unsigned)sizeof set - 1)];
		pw[l] = '\0';
		if (below(r, 2)) {
			snprintf(v, sizeof v, "%c%s", first[0], last);
			snprintf(shown, sizeof shown, "%s", v);
			lower_ascii(v);
			ok = puts_(d, "Identifiant : ") && plant(d, "credential", shown, v, 0) &&
			     puts_(d, "\n");
		}
		ok = ok && puts_(d, below(r, 2) ? "Mot de passe : " : "password: ") &&
		     plant(d, "credential", pw, "", 0) && puts_(d, "\n");
		break;
	}
	case 17: { /* art. 9 */
		unsigned k = below(r, (unsigned)N_ELEMS(special));
		snprintf(v, sizeof v, "%s:%s", special[k].cat, special[k].word);
		ok = putf(d, "Note sur %s : ", first) && plant(d, "special_category", special[k].word, v, 0) &&
		     puts_(d, " (voir dossier). ");
		break;
	}
	/* ------------------------------------------------------- decoys */
	case 18: { /* IBAN with a bad check */
		make_iban(r, v, true);
		group(v, 4, shown, sizeof shown);
		ok = puts_(d, "IBAN : ") && plant(d, "iban", shown, v, 1) && puts_(d, ". ");
		break;
	}
	case 19: { /* card failing Luhn, or an order number that passes it */
		bool amex;
		if (below(r, 2)) {
			make_card(r, v, true, &amex);
			ok = puts_(d, "Carte ") && plant(d, "card", v, v, 1) && puts_(d, ". ");
		} else {
			make_card(r, v, false, &amex);
			ok = puts_(d, below(r, 2) ? "Commande n\xc2\xb0 " : "Order ") &&
			     plant(d, "card", v, v, 1) && puts_(d, " shipped. ");
		}
		break;
	}
	case 20: { /* timestamps and long numbers */
		snprintf(v, sizeof v, "16%011u", below(r, 1000000000));
		ok = puts_(d, "ts=") && plant(d, "card", v, v, 1) &&
		     putf(d, " ; horodatage 2023%02u%02u%06u. ", 1 + below(r, 12), 1 + below(r, 28),
			  below(r, 240000));
		break;
	}
	case 21: { /* NIR with a bad key */
		make_nir(r, v, true);
		ok = puts_(d, "NIR ") && plant(d, "nir", v, v, 1) && puts_(d, ". ");
		break;
	}
	case 22: { /* SPI: bad key with context, or good key without context */
		bool ctx = below(r, 2);
		make_spi(r, v, ctx);
		ok = puts_(d, ctx ? "Num\xc3\xa9ro fiscal : " : "Compte client ") &&
		     plant(d, "fr_tax_id", v, v, 1) && puts_(d, ". ");
		break;
	}
	case 23: { /* phones that are not */
		char n[12];
		digits(r, n, 8);
		snprintf(shown, sizeof shown, "0%c %.2s %.2s %.2s", '1' + below(r, 7), n, n + 2, n + 4);
		ok = puts_(d, "Poste ") && plant(d, "phone", shown, shown, 1) && puts_(d, ". ");
		break;
	}
	case 24: { /* impossible birth date, date without context */
		unsigned y = 1950 + below(r, 50);
		snprintf(shown, sizeof shown, "31/02/%04u", y);
		ok = puts_(d, "n\xc3\xa9 le ") && plant(d, "birth_date", shown, shown, 1) &&
		     puts_(d, " (sic). ");
		break;
	}
	case 25: { /* credentials not given, e-mail look-alikes */
		ok = puts_(d, below(r, 2) ? "Mot de passe " : "Your password ") &&
		     plant(d, "credential", below(r, 2) ? "oubli\xc3\xa9" : "expired", "", 1) &&
		     puts_(d, " ? Cliquez ici. ");
		ok = ok && puts_(d, "<img src=\"cid:") &&
		     plant(d, "email", "image001.png@01D9A5B3.C8E2F100", "image001.png@01d9a5b3.c8e2f100", 1) &&
		     puts_(d, "\"> ");
		break;
	}
	case 26: { /* addresses without a post code, words near the lexicon */
		snprintf(shown, sizeof shown, "%u %s %s", 1 + below(r, 99), PICK(r, street_types),
			 PICK(r, street_names));
		ok = puts_(d, "Travaux au ") && plant(d, "postal_address", shown, shown, 1) &&
		     puts_(d, ". ") &&
		     putf(d, "Les %u rues du centre sont ferm\xc3\xa9" "es. ", 2 + below(r, 20)) &&
		     puts_(d, "La ") && plant(d, "special_category", "syndication", "syndication", 1) &&
		     puts_(d, " RSS du site et les moustiques (") &&
		     plant(d, "special_category", "mosquito", "mosquito", 1) && puts_(d, "). ");
		break;
	}
	case 27: { /* a table: CSV rows with a birth-date column named in the header */
		unsigned rows = 2 + below(r, 3);
		ok = puts_(d, "\n\nNom;Pr\xc3\xa9nom;Date de naissance;T\xc3\xa9l\xc3\xa9phone;Courriel\n");
		for (unsigned k = 0; k < rows && ok; k++) {
			char n[12], e[96];
			unsigned y = 1940 + below(r, 70), m = 1 + below(r, 12), dd = 1 + below(r, 28);
			first = PICK(r, firsts);
			last = PICK(r, lasts);
			n[0] = '0';
			n[1] = (char)('1' + below(r, 7));
			digits(r, n + 2, 8);
			snprintf(v, sizeof v, "%04u-%02u-%02u", y, m, dd);
			snprintf(shown, sizeof shown, "%02u/%02u/%04u", dd, m, y);
			snprintf(e, sizeof e, "%s.%s%u@%s", first, last, k, PICK(r, domains));
			ok = putf(d, "%s;%s;", last, first) && plant(d, "birth_date", shown, v, 0) &&
			     puts_(d, ";");
			snprintf(v, sizeof v, "+33%s", n + 1);
			ok = ok && plant(d, "phone", n, v, 0) && puts_(d, ";");
			snprintf(v, sizeof v, "%s", e);
			lower_ascii(v);
			ok = ok && plant(d, "email", e, v, 0) && puts_(d, "\n");
		}
		ok = ok && puts_(d, "\n");
		break;
	}
	default:
		ok = puts_(d, PICK(r, noise));
		break;
	}
	return ok;
}

int
gen_pii_doc(uint64_t seed, unsigned i, struct pii_doc *d)
{
	struct prng r = { seed * 0x2545F4914F6CDD1DULL + i };
	unsigned n;

	memset(d, 0, sizeof *d);
	next(&r);
	n = 5 + below(&r, 8);
	if (!puts_(d, below(&r, 2) ? "Bonjour,\n\n" : "Hello,\n\n"))
		return -1;
	if (below(&r, 4) == 0) {
		/* a quoted reply: the rest after "> " on every line */
		if (!puts_(d, "Le lundi 3 juillet 2023, RH a \xc3\xa9" "crit :\n> "))
			return -1;
		d->quote = 1;
	}
	for (unsigned k = 0; k < n; k++) {
		if (!sentence(&r, d))
			return -1;
		if (below(&r, 4) == 0 && !puts_(d, "\n\n"))
			return -1;
	}
	return puts_(d, "\n-- \nService des affaires g\xc3\xa9n\xc3\xa9rales\n") ? 0 : -1;
}

void
gen_pii_doc_free(struct pii_doc *d)
{
	if (!d)
		return;
	free(d->text);
	free(d->labels);
	memset(d, 0, sizeof *d);
}

int
gen_pii_write(const char *outdir, uint64_t seed, unsigned long n)
{
	char path[4096];
	FILE *truth = NULL;
	int rc = -1;

	if ((mkdir(outdir, 0777) != 0 && errno != EEXIST)) {
		fprintf(stderr, "lka-gen: %s: %s\n", outdir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/pii", outdir);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/pii-truth.tsv", outdir);
	if (!(truth = fopen(path, "w"))) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(truth, "file\tkind\tvalue\tdecoy\n");
	for (unsigned long i = 0; i < n; i++) {
		struct pii_doc d;
		FILE *f;

		if (gen_pii_doc(seed, (unsigned)i, &d) != 0) {
			gen_pii_doc_free(&d);
			fprintf(stderr, "lka-gen: out of memory\n");
			goto out;
		}
		snprintf(path, sizeof path, "%s/pii/%06lu.eml", outdir, i);
		if (!(f = fopen(path, "w"))) {
			fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
			gen_pii_doc_free(&d);
			goto out;
		}
		fprintf(f,
			"From: Service RH <rh@mairie-exemple.fr>\r\nTo: archives@mairie-exemple.fr\r\n"
			"Subject: Dossier %06lu\r\nDate: Mon, 3 Jul 2023 10:00:00 +0200\r\n"
			"Message-ID: <pii-%06lu@gen.invalid>\r\nMIME-Version: 1.0\r\n"
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
			i, i);
		fwrite(d.text, 1, d.len, f);
		if (fclose(f) != 0) {
			gen_pii_doc_free(&d);
			goto out;
		}
		for (size_t k = 0; k < d.n_labels; k++)
			fprintf(truth, "pii/%06lu.eml\t%s\t%s\t%d\n", i, d.labels[k].kind,
				d.labels[k].value, d.labels[k].decoy);
		gen_pii_doc_free(&d);
	}
	rc = 0;
out:
	if (fclose(truth) != 0)
		rc = -1;
	return rc;
}
