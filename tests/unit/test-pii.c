/*
 * test-pii.c — the personal-data detectors (lib/pii.c), with decoys.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "leakaudit/pii.h"
#include "pii-int.h"
#include "tap.h"

#define MAXF 16

struct got {
	size_t n;
	lka_pii_finding f[MAXF];
};

static int
collect(const lka_pii_finding *f, void *payload)
{
	struct got *g = payload;

	if (g->n < MAXF)
		g->f[g->n] = *f;
	g->n++;
	return 0;
}

static struct got
scan(const char *text, unsigned mask)
{
	struct got g = { 0 };

	lka_pii_scan_text(text, strlen(text), mask, collect, &g);
	return g;
}

/* Exactly one finding of kind with that normalised value (and span text). */
static void
one(const char *text, lka_pii_kind kind, const char *norm, const char *span, const char *what)
{
	struct got g = scan(text, LKA_PII_ALL);
	size_t hits = 0, k = 0;

	for (size_t i = 0; i < g.n && i < MAXF; i++)
		if (g.f[i].kind == kind)
			hits++, k = i;
	if (!is_int((int)hits, 1, "%s: one %s", what, lka_pii_kind_name(kind))) {
		for (size_t i = 0; i < g.n && i < MAXF; i++)
			diag("  got %s '%s'", lka_pii_kind_name(g.f[i].kind), g.f[i].norm);
		return;
	}
	is_str(g.f[k].norm, norm, "%s: value", what);
	if (span) {
		char buf[256];
		size_t len = g.f[k].length < sizeof buf ? g.f[k].length : sizeof buf - 1;
		memcpy(buf, text + g.f[k].offset, len);
		buf[len] = '\0';
		is_str(buf, span, "%s: span", what);
	}
	ok(g.f[k].validator != LKA_PII_INVALID, "%s: not invalid", what);
	ok(strlen(g.f[k].masked) > 0, "%s: masked form '%s'", what, g.f[k].masked);
}

/* No finding of kind (or of any kind when kind is LKA_PII__COUNT). */
static void
none(const char *text, lka_pii_kind kind, const char *what)
{
	struct got g = scan(text, LKA_PII_ALL);
	size_t hits = 0;

	for (size_t i = 0; i < g.n && i < MAXF; i++)
		if (kind == LKA_PII__COUNT || g.f[i].kind == kind) {
			hits++;
			diag("  unexpected %s '%s'", lka_pii_kind_name(g.f[i].kind), g.f[i].norm);
		}
	is_int((int)hits, 0, "%s: nothing found", what);
}

static void
test_email(void)
{
	one("Ecrire a Jean.Dupont@Mairie-Exemple.FR merci", LKA_PII_EMAIL,
	    "jean.dupont@mairie-exemple.fr", "Jean.Dupont@Mairie-Exemple.FR", "e-mail");
	one("<mailto:a.b+tag@sub.example.org>.", LKA_PII_EMAIL, "a.b+tag@sub.example.org", NULL,
	    "e-mail in mailto, trailing dot");
	none("cid:image001.png@01D9A5B3.C8E2F100", LKA_PII_EMAIL, "content id");
	none("user@localhost and @handle and a@b.c", LKA_PII_EMAIL, "no domain, 1-letter TLD");
	none("foo@bar-.com", LKA_PII_EMAIL, "label ending with a hyphen");
}

static void
test_phone(void)
{
	one("Tel : 06 12 34 56 78.", LKA_PII_PHONE, "+33612345678", "06 12 34 56 78", "FR grouped");
	one("tel 0145678901", LKA_PII_PHONE, "+33145678901", NULL, "FR compact");
	one("01.45.67.89.01", LKA_PII_PHONE, "+33145678901", NULL, "FR dotted");
	one("+33 6 12 34 56 78", LKA_PII_PHONE, "+33612345678", NULL, "+33");
	one("+33 (0)1 45 67 89 01", LKA_PII_PHONE, "+33145678901", NULL, "+33 (0)");
	one("0033 6 12 34 56 78", LKA_PII_PHONE, "+33612345678", NULL, "0033");
	one("call +44 20 7946 0958 now", LKA_PII_PHONE, "+442079460958", NULL, "UK");
	one("+1 415 555 2671", LKA_PII_PHONE, "+14155552671", NULL, "US");
	none("00 12 34 56 78", LKA_PII_PHONE, "second digit 0");
	none("06 12 34 56", LKA_PII_PHONE, "8 digits");
	none("version 1.06.12.34.56.78", LKA_PII_PHONE, "after a dot");
	none("+999 1234 5678", LKA_PII_PHONE, "unknown country code");
	none("a 2023-04-15 10:30 b", LKA_PII__COUNT, "timestamp");
}

static void
test_iban(void)
{
	one("IBAN : FR76 3000 6000 0112 3456 7890 189", LKA_PII_IBAN,
	    "FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189", "FR grouped");
	one("DE89370400440532013000", LKA_PII_IBAN, "DE89370400440532013000", NULL, "DE compact");
	one("GB29 NWBK 6016 1331 9268 19 end", LKA_PII_IBAN, "GB29NWBK60161331926819", NULL, "GB");
	none("FR76 3000 6000 0112 3456 7890 188", LKA_PII_IBAN, "FR, bad check digits");
	one("compte IBAN FR76 3000\n6000 0112 3456 7890 189.", LKA_PII_IBAN,
	    "FR7630006000011234567890189", NULL, "IBAN wrapped at a line end");
	one("IBAN FR76 3000\n4454 8458 7691 7686 088.", LKA_PII_IBAN, "FR7630004454845876917686088",
	    NULL, "wrapped IBAN (lka-gen)");
	none("IBAN FR76 3000\n4454 8458 7691 7686 088.", LKA_PII_CARD, "... whose digits are no card");
	none("FR76 3000 6000 0112 3456 7890", LKA_PII_IBAN, "FR, too short");
	none("ZZ76 3000 6000 0112 3456 7890 189", LKA_PII_IBAN, "unknown country");
	/* the decoy is reported as invalid on request */
	{
		struct got g = { 0 };
		const char *t = "FR76 3000 6000 0112 3456 7890 188";
		lka_pii_scan_text(t, strlen(t), LKA_PII_ALL | LKA_PII_WITH_INVALID, collect, &g);
		ok(g.n == 1 && g.f[0].validator == LKA_PII_INVALID, "bad IBAN: invalid on request");
	}
}

static void
test_bic(void)
{
	one("IBAN FR7630006000011234567890189\nBIC : AGRIFRPP882", LKA_PII_BIC, "AGRIFRPP882",
	    NULL, "BIC after IBAN");
	one("Code BIC BNPAFRPPXXX - IBAN FR7630006000011234567890189", LKA_PII_BIC, "BNPAFRPPXXX",
	    NULL, "BIC before IBAN");
	none("BIC : BNPAFRPPXXX and nothing else", LKA_PII_BIC, "BIC without IBAN");
	none("IBAN FR7630006000011234567890189 bic: HELLO", LKA_PII_BIC, "not a BIC");
}

static void
test_card(void)
{
	one("Carte 4970 1000 0000 0006 exp 12/27", LKA_PII_CARD, "4970100000000006",
	    "4970 1000 0000 0006", "Visa grouped");
	one("card 5454545454545454", LKA_PII_CARD, "5454545454545454", NULL, "Mastercard");
	one("amex 3782 822463 10005", LKA_PII_CARD, "378282246310005", NULL, "Amex 4-6-5");
	none("Carte 4970 1000 0000 0007", LKA_PII_CARD, "Luhn fails");
	none("Commande n\xc2\xb0 4012888888881881", LKA_PII_CARD, "order number");
	none("ts 1681555200000123", LKA_PII_CARD, "timestamp");
	none("9999 9999 9999 9995", LKA_PII_CARD, "no issuer");
	none("4444 4444 4444 4444", LKA_PII_CARD, "one digit repeated");
	none("4970.1000.0000.0006", LKA_PII_CARD, "dotted groups");
}

static void
test_nir(void)
{
	one("NIR 1 85 05 78 006 084 91", LKA_PII_NIR, "185057800608491", NULL, "grouped");
	one("secu: 269029934173285.", LKA_PII_NIR, "269029934173285", NULL, "compact");
	one("n\xc2\xb0 1 85 02 2A 006 084 84", LKA_PII_NIR, "185022A00608484", NULL, "Corsica 2A");
	one("285042B12345691", LKA_PII_NIR, "285042B12345691", NULL, "Corsica 2B");
	one("1850578006084 91", LKA_PII_NIR, "185057800608491", NULL, "13 + key");
	none("1 85 05 78 006 084 92", LKA_PII_NIR, "bad key");
	none("3 85 05 78 006 084 91", LKA_PII_NIR, "bad sex digit");
	none("1 85 15 78 006 084 91", LKA_PII_NIR, "month 15");
}

static void
test_tax(void)
{
	one("Num\xc3\xa9ro fiscal : 1234567890066", LKA_PII_FR_TAX_ID, "1234567890066", NULL,
	    "SPI with context");
	one("SPI 09 87 654 321 164", LKA_PII_FR_TAX_ID, "0987654321164", NULL, "SPI grouped");
	none("Num\xc3\xa9ro fiscal : 1234567890067", LKA_PII_FR_TAX_ID, "SPI bad key");
	none("compte 1234567890066", LKA_PII_FR_TAX_ID, "no context");
}

static void
test_documents(void)
{
	one("Passeport n\xc2\xb0 12AB34567", LKA_PII_PASSPORT, "12AB34567", NULL, "FR passport");
	one("passport number: C01X00T47", LKA_PII_PASSPORT, "C01X00T47", NULL, "DE-like passport");
	none("passport photos attached", LKA_PII_PASSPORT, "no number");
	one("Carte d'identit\xc3\xa9 : 880692310285", LKA_PII_ID_CARD, "880692310285", NULL,
	    "old CNI");
	one("CNI n\xc2\xb0 X4RTBPFW4", LKA_PII_ID_CARD, "X4RTBPFW4", NULL, "new CNI");
	none("la CNI est perdue", LKA_PII_ID_CARD, "no number");
}

static void
test_birth(void)
{
	one("n\xc3\xa9 le 12/03/1985 \xc3\xa0 Lyon", LKA_PII_BIRTH_DATE, "1985-03-12", "12/03/1985",
	    "n\xc3\xa9 le");
	one("Date de naissance : 1er mars 1985", LKA_PII_BIRTH_DATE, "1985-03-01", NULL, "1er mars");
	one("DOB: 1985-03-12", LKA_PII_BIRTH_DATE, "1985-03-12", NULL, "DOB ISO");
	one("born on March 12, 1985", LKA_PII_BIRTH_DATE, "1985-03-12", NULL, "born on");
	one("N\xc3\xa9" "e le 29 f\xc3\xa9vrier 1988", LKA_PII_BIRTH_DATE, "1988-02-29", NULL,
	    "leap day");
	none("n\xc3\xa9" "e le 29/02/1987", LKA_PII_BIRTH_DATE, "29 February of a common year");
	none("r\xc3\xa9union le 12/03/2024", LKA_PII_BIRTH_DATE, "a date without context");
	one("Nom;Pr\xc3\xa9nom;Date de naissance;Ville\nMartin;Jean;\"12/03/1985\";Lyon\n",
	    LKA_PII_BIRTH_DATE, "1985-03-12", "12/03/1985", "CSV column named in the header");
	one("Name\tDOB\tUpdated\nJean\t1985-03-12\t2024-01-05\n", LKA_PII_BIRTH_DATE,
	    "1985-03-12", NULL, "TSV: only the birth date column");
	none("Nom;Date;Ville\nMartin;12/03/1985;Lyon\n", LKA_PII_BIRTH_DATE,
	     "CSV without a birth date column");
}

static void
test_address(void)
{
	one("habite 12 rue des Lilas 75011 Paris.", LKA_PII_POSTAL_ADDRESS,
	    "12 rue des Lilas, 75011 Paris", NULL, "one line");
	one("3 bis, avenue Jean-Jaur\xc3\xa8s\n69007 Lyon\n", LKA_PII_POSTAL_ADDRESS,
	    "3 bis, avenue Jean-Jaur\xc3\xa8s, 69007 Lyon", NULL, "two lines");
	one("14 bd de la Libert\xc3\xa9, 13001 Marseille", LKA_PII_POSTAL_ADDRESS,
	    "14 bd de la Libert\xc3\xa9, 13001 Marseille", NULL, "bd, comma");
	none("12 rues sont fermees", LKA_PII_POSTAL_ADDRESS, "no street type");
	none("12 rue des Lilas", LKA_PII_POSTAL_ADDRESS, "no post code");
	none("12 rue des Lilas 00011 Paris", LKA_PII_POSTAL_ADDRESS, "bad post code");
}

static void
test_credential(void)
{
	one("Mot de passe : Soleil2024!", LKA_PII_CREDENTIAL, "", "Soleil2024!", "mot de passe");
	one("identifiant: JDupont", LKA_PII_CREDENTIAL, "jdupont", "JDupont", "identifiant");
	one("your password is \"hunter22\".", LKA_PII_CREDENTIAL, "", "hunter22", "password is");
	none("forgot your password? click here", LKA_PII_CREDENTIAL, "no separator");
	none("mot de passe : ********", LKA_PII_CREDENTIAL, "masked");
}

static void
test_special(void)
{
	struct got g = scan("Arr\xc3\xaat maladie pour d\xc3\xa9pression; d\xc3\xa9l\xc3\xa9gu\xc3\xa9 "
			    "syndical; casier judiciaire; la mosqu\xc3\xa9" "e",
			    1u << LKA_PII_SPECIAL_CATEGORY);
	is_int((int)g.n, 5, "five special-category cues");
	if (g.n == 5) {
		is_str(g.f[0].detail, "health", "health");
		is_str(g.f[2].detail, "union", "union");
		is_str(g.f[3].detail, "offences", "offences");
		is_str(g.f[4].detail, "religion", "religion");
		ok(g.f[0].validator == LKA_PII_NA && g.f[0].confidence < 0.6, "cue needing review");
	}
	one("nous a transmis un arr\xc3\xaat de\ntravail", LKA_PII_SPECIAL_CATEGORY,
	    "health:arr\xc3\xaat de travail", NULL, "phrase across a line break, normalised");
	one("> son num\xc3\xa9ro, date\n> de naissance : 18/07/1960.", LKA_PII_BIRTH_DATE, "1960-07-18",
	    NULL, "keyword split by a quoted line break");
	none("the maladies of the cancerous codebase", LKA_PII_SPECIAL_CATEGORY, "word boundaries");
}

static void
test_fuzz(void)
{
	/* Random text made of the bytes the detectors look at: no read outside
	 * the buffer (ASan), no finding outside it, masked forms never empty. */
	static const char alphabet[] = "0123456789012345678901234567890123456789       ..--//++@@"
				       "FRDEGBAB2A2B:;,\n\nIBANibanBICnelemdp\xc3\xa9\xc2\xa0()";
	uint64_t x = 88172645463325252ULL;
	size_t total = 0, bad = 0;

	for (int it = 0; it < 3000; it++) {
		size_t n = 1 + (size_t)(x % 600);
		char *t = malloc(n);
		struct got g = { 0 };

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t[i] = alphabet[x % (sizeof alphabet - 1)];
		}
		lka_pii_scan_text(t, n, LKA_PII_ALL | LKA_PII_WITH_INVALID, collect, &g);
		for (size_t i = 0; i < g.n && i < MAXF; i++) {
			if (g.f[i].offset + g.f[i].length > n || !g.f[i].masked[0] ||
			    !lka_utf8_valid(g.f[i].norm, strlen(g.f[i].norm)))
				bad++;
		}
		total += g.n;
		free(t);
	}
	is_int((int)bad, 0, "random text: every finding inside the text, masked, valid UTF-8 (%zu found)",
	       total);
	none("SIRET 36252187900035", LKA_PII_CARD, "SIRET (Luhn-valid) after its keyword");
	one("Diners 36252187900035", LKA_PII_CARD, "36252187900035", NULL, "the same digits as a card");
}

static void
test_names(void)
{
	lka_pii_kwindex x;
	size_t indexed = 0;

	lka_pii__index(&x);
	for (int f = 0; f < 26; f++)
		indexed += x.nfirst[f];
	is_int((int)indexed, (int)lka_pii__keyword_count(), "every keyword is in the index");
	is_str(lka_pii_kind_name(LKA_PII_FR_TAX_ID), "fr_tax_id", "kind name");
	is_str(lka_pii_kind_category(LKA_PII_IBAN), "bank", "category");
	is_str(lka_pii_validator_name(LKA_PII_NA), "not_applicable", "validator name");
	ok(lka_pii_kind_name(LKA_PII__COUNT) == NULL, "out of range");
}

static void
test_robust(void)
{
	/* Every prefix of a dense text: nothing read out of bounds (ASan). */
	const char *t = "IBAN FR7630006000011234567890189 BIC AGRIFRPP882 n\xc3\xa9 le 1er mars "
			"1985 tel +33 (0)6 12 34 56 78 12 rue X 75011 Paris a@b.fr mdp: x1y2z3 "
			"1 85 02 2A 006 084 84";
	size_t n = strlen(t), total = 0;

	for (size_t k = 0; k <= n; k++) {
		char *c = malloc(k ? k : 1);
		memcpy(c, t, k);
		total += lka_pii_scan_text(c, k, LKA_PII_ALL | LKA_PII_WITH_INVALID, NULL, NULL);
		free(c);
	}
	ok(total > 0, "every prefix scanned (%zu findings)", total);
	ok(lka_pii_scan_text(t, n, LKA_PII_ALL, NULL, NULL) >= 8, "all findings in the dense text");
}

int
main(void)
{
	test_email();
	test_phone();
	test_iban();
	test_bic();
	test_card();
	test_nir();
	test_tax();
	test_documents();
	test_birth();
	test_address();
	test_credential();
	test_special();
	test_names();
	test_robust();
	test_fuzz();
	return done_testing();
}
