/*
 * test-books.c — the address-book readers: vCard (folding, quoted-printable
 * with soft line breaks and CHARSET, grouped properties, 2.1 bare types,
 * base64 photos skipped, nested cards, unclosed cards), LDIF (base64
 * values, continuation lines, comments, groups and members), CSV/TSV
 * (delimiters, quoted fields with line breaks, UTF-16, Windows-1252,
 * Shift_JIS, Outlook/Google/Thunderbird headers in several languages, no
 * header), the begin/emit pairing, and survival of every truncation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "tap.h"

typedef struct col {
	lka_contact *c[64];
	lka_itemloc loc[64];
	size_t n, begins, fails, file_fails;
	bool unpaired;
	bool open;
} col;

static bool
c_begin(void *arg, const lka_itemloc *loc)
{
	col *c = arg;

	if (c->open)
		c->unpaired = true;
	c->open = true;
	c->begins++;
	(void)loc;
	return true;
}

static bool
c_emit(void *arg, const lka_itemloc *loc, lka_contact *ct)
{
	col *c = arg;

	if (!c->open)
		c->unpaired = true;
	c->open = false;
	if (c->n < 64) {
		c->loc[c->n] = *loc;
		c->c[c->n++] = ct;
	} else {
		lka_contact_free(ct);
	}
	return true;
}

static bool
c_fail(void *arg, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *msg)
{
	col *c = arg;

	(void)sev;
	(void)kind;
	(void)msg;
	if (loc) {
		if (!c->open)
			c->unpaired = true;
		c->open = false;
		c->fails++;
	} else {
		c->file_fails++;
	}
	return true;
}

/*
 * src (ASCII, and UTF-8 letters from U+00C0 to U+00FF) as UTF-16LE after a
 * byte order mark, into out; its length.
 */
static size_t
to_utf16le(char *out, size_t cap, const char *src)
{
	size_t k = 2;

	out[0] = (char)0xff;
	out[1] = (char)0xfe;
	for (size_t i = 0; src[i] && k + 2 <= cap; i++) {
		unsigned cp = (unsigned char)src[i];
		if (cp == 0xc3)
			cp = 0xc0 | ((unsigned char)src[++i] & 0x3f);
		out[k++] = (char)cp;
		out[k++] = 0;
	}
	return k;
}

static void
col_free(col *c)
{
	for (size_t i = 0; i < c->n; i++)
		lka_contact_free(c->c[i]);
	memset(c, 0, sizeof *c);
}

typedef void (*reader_fn)(const char *, size_t, const lka_book_cb *);

static void
run(reader_fn fn, const char *data, size_t n, col *c)
{
	lka_book_cb cb = { c, c_begin, c_emit, c_fail };

	memset(c, 0, sizeof *c);
	fn(data, n ? n : strlen(data), &cb);
}

static const char vcf[] =
	"\xef\xbb\xbf"
	"BEGIN:VCARD\r\n"
	"VERSION:3.0\r\n"
	"N:Dupont;Marie;Claire;Mme;\r\n"
	"FN:Marie Dupont\r\n"
	"ORG:Mairie d'Exemple;Direction g\xc3\xa9n\xc3\xa9rale;Cabinet\r\n"
	"TITLE:DGS\r\n"
	"EMAIL;type=INTERNET;type=WORK;type=pref:Marie.Dupont@Mairie-Exemple.FR\r\n"
	"item1.EMAIL;type=INTERNET:m.dupont@example.org\r\n"
	"item1.X-ABLabel:_$!<Other>!$_\r\n"
	"TEL;TYPE=CELL:+33 6 12 34 56 78\r\n"
	"ADR;TYPE=WORK:;;12 place de l'H\xc3\xb4tel de Ville;Exemple;;45160;France\r\n"
	"BDAY:19710314\r\n"
	"NOTE:R\xc3\xa9\x66\xc3\xa9rente RGPD\\, joignable le week-end\\nvia l'astreinte 06 98 76 5\r\n"
	" 4 32.\r\n"
	"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkS\r\n"
	" Ew8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgN\r\n"
	"END:VCARD\r\n"
	"BEGIN:VCARD\r\n"
	"VERSION:2.1\r\n"
	"N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:L=E9ger;Ren=E9;;;\r\n"
	"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Ren=E9 L=E9ger\r\n"
	"EMAIL;INTERNET;PREF:RENE.LEGER@EXAMPLE.COM\r\n"
	"EMAIL;INTERNET;HOME:rene@example.net\r\n"
	"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Usager signal=E9. Rembourse=\r\n"
	"ment de caution.\r\n"
	"PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
	"AAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwc\r\n"
	"\r\n"
	"AGENT:BEGIN:VCARD\r\n"
	"TEL;CELL:+33 6 00 00 00 00\r\n"
	"END:VCARD\r\n"
	"TEL;HOME:02 38 45 12 78\r\n"
	"END:VCARD\r\n"
	"BEGIN:VCARD\r\n"
	"VERSION:4.0\r\n"
	"KIND:group\r\n"
	"FN:\xc3\x89lus\r\n"
	"MEMBER:mailto:zoe@lyon.fr\r\n"
	"MEMBER:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af\r\n"
	"END:VCARD\r\n"
	"BEGIN:VCARD\r\n"
	"VERSION:3.0\r\n"
	"FN:Not closed\r\n"
	"EMAIL:last@example.org\r\n";

static void
test_vcard(void)
{
	col c;
	lka_contact *a, *b, *g, *d;

	ok(lka_vcard_detect((const unsigned char *)vcf, sizeof vcf - 1), "vCard detected");
	run(lka_vcard_read, vcf, sizeof vcf - 1, &c);
	is_int((long long)c.n, 4, "four cards (the nested AGENT card is not one)");
	ok(!c.unpaired && c.begins == 4, "each card begun then emitted");
	if (c.n < 4) {
		col_free(&c);
		return;
	}
	a = c.c[0], b = c.c[1], g = c.c[2], d = c.c[3];
	is_str(a->item_class, "vcard", "item class");
	is_str(a->family_name, "Dupont", "N family");
	is_str(a->given_name, "Marie", "N given");
	is_str(a->middle_name, "Claire", "N middle");
	is_str(a->prefix, "Mme", "N prefix");
	is_str(a->organization, "Mairie d'Exemple", "ORG");
	is_str(a->department, "Direction générale, Cabinet", "ORG units");
	is_str(a->birthday, "1971-03-14", "BDAY normalised");
	is_int((long long)a->n_emails, 2, "EMAIL and grouped item1.EMAIL");
	is_str(a->emails[0].address, "marie.dupont@mairie-exemple.fr", "address normalised");
	is_str(a->emails[0].raw, "Marie.Dupont@Mairie-Exemple.FR", "raw kept");
	is_str(a->emails[0].type, "internet,work,pref", "types");
	is_str(a->emails[1].address, "m.dupont@example.org", "grouped e-mail");
	is_str(a->phones[0].raw, "+33 6 12 34 56 78", "TEL");
	is_str(a->phones[0].type, "cell", "TEL type");
	ok(a->n_postals == 1 && a->postals[0].locality &&
		   !strcmp(a->postals[0].street, "12 place de l'Hôtel de Ville") &&
		   !strcmp(a->postals[0].postcode, "45160") && !strcmp(a->postals[0].country, "France"),
	   "ADR components");
	is_str(a->note, "Référente RGPD, joignable le week-end\nvia l'astreinte 06 98 76 54 32.",
	       "folded NOTE, escapes undone");
	ok(a->diags.n == 0, "clean card: no diagnostic");
	is_int(c.loc[0].offset, 3, "first card after the BOM");
	is_str(b->full_name, "René Léger", "2.1 QUOTED-PRINTABLE + CHARSET");
	is_str(b->family_name, "Léger", "2.1 N");
	is_str(b->note, "Usager signalé. Remboursement de caution.", "QP soft line break");
	is_int((long long)b->n_emails, 2, "2.1 EMAILs");
	is_str(b->emails[0].type, "internet,pref", "2.1 bare types");
	is_int((long long)b->n_phones, 1, "AGENT's phone not taken, base64 lines skipped");
	is_str(b->phones[0].raw, "02 38 45 12 78", "2.1 TEL after the photo");
	ok(g->is_list && g->n_members == 2, "4.0 KIND:group with MEMBERs");
	ok(g->n_members == 2 && g->members[0].address &&
		   !strcmp(g->members[0].address, "zoe@lyon.fr") && !g->members[1].address,
	   "member addresses from mailto: only");
	is_str(d->full_name, "Not closed", "unclosed card kept");
	ok(d->diags.n == 1, "... with a diagnostic");
	ok(c.loc[1].offset > c.loc[0].offset && c.loc[0].length > 0 &&
		   c.loc[0].offset + c.loc[0].length == c.loc[1].offset,
	   "card offsets and lengths tile the file");
	col_free(&c);

	{
		static const char src[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xc3\xa9\r\nEMAIL:z@example.org\r\nEND:VCARD\r\n";
		char u16[256];
		size_t k = to_utf16le(u16, sizeof u16, src);
		ok(lka_vcard_detect((const unsigned char *)u16, k), "UTF-16 vCard detected");
		run(lka_vcard_read, u16, k, &c);
		ok(c.n == 1 && !strcmp(c.c[0]->full_name, "Zoé") && c.c[0]->n_emails == 1 &&
			   c.loc[0].offset == -1,
		   "UTF-16 vCard read (no byte offsets)");
		col_free(&c);
	}
	run(lka_vcard_read, "just text\n", 0, &c);
	ok(c.n == 0 && c.file_fails == 1, "no card: one file diagnostic");
	col_free(&c);
	run(lka_vcard_read,
	    "BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:A=ZZ\nEMAIL;CHARSET=ISO-8859-1:x@y.z\nEND:VCARD\n",
	    0, &c);
	ok(c.n == 1 && c.c[0]->diags.n == 1, "bad quoted-printable: card kept with a warning");
	col_free(&c);
}

static const char ldif[] =
	"# Thunderbird export\n"
	"version: 1\n"
	"\n"
	"dn: cn=Marie Dupont,mail=marie@mairie.fr\n"
	"objectclass: top\n"
	"objectclass: person\n"
	"givenName: Marie\n"
	"sn: Dupont\n"
	"cn: Marie Dupont\n"
	"mail: Marie@Mairie.fr\n"
	"mozillaSecondEmail: marie@example.net\n"
	"telephoneNumber: 02 38 00 12 01\n"
	"mobile: 06 12 34 56 78\n"
	"street: 12 place de la Mairie\n"
	"l: Exemple\n"
	"postalCode: 45160\n"
	"c: FR\n"
	"mozillaHomeStreet: 3 rue Basse\n"
	"mozillaHomeLocalityName: Orl\xc3\xa9\x61ns\n"
	"birthyear: 1971\n"
	"birthmonth: 3\n"
	"birthday: 14\n"
	"description: Contact pour les demandes d'actes. Ne pas communiquer le nume\n"
	" ro 06 11 22 33 44.\n"
	"\n"
	"# a comment between entries\n"
	"dn:: Y249w4lsb2RpZSBMZWZvcnQsbWFpbD1lbG9kaWVAbWFpcmllLmZy\n"
	"cn:: w4lsb2RpZSBMZWZvcnQ=\n"
	"mail: elodie@mairie.fr\n"
	"jpegPhoto:< file:///etc/passwd\n"
	"\n"
	"dn: cn=Elus\n"
	"objectclass: top\n"
	"objectclass: groupOfNames\n"
	"cn: Elus\n"
	"member: cn=Marie Dupont,mail=marie@mairie.fr\n"
	"member: cn=Paul,ou=People,dc=example,dc=com\n";

static void
test_ldif(void)
{
	col c;

	ok(lka_ldif_detect((const unsigned char *)ldif, sizeof ldif - 1), "LDIF detected");
	run(lka_ldif_read, ldif, sizeof ldif - 1, &c);
	is_int((long long)c.n, 3, "three entries (the version record is none)");
	ok(!c.unpaired, "paired");
	if (c.n == 3) {
		lka_contact *a = c.c[0], *b = c.c[1], *g = c.c[2];
		is_str(a->full_name, "Marie Dupont", "cn");
		is_str(a->uid, "cn=Marie Dupont,mail=marie@mairie.fr", "dn kept as uid");
		ok(a->n_emails == 2 && !strcmp(a->emails[0].address, "marie@mairie.fr") &&
			   !strcmp(a->emails[1].type, "mozillasecondemail"),
		   "mail and mozillaSecondEmail");
		ok(a->n_phones == 2 && !strcmp(a->phones[1].type, "mobile"), "phones");
		ok(a->n_postals == 2 && !strcmp(a->postals[0].locality, "Exemple") &&
			   !strcmp(a->postals[1].type, "home") &&
			   !strcmp(a->postals[1].locality, "Orléans"),
		   "work and home addresses");
		is_str(a->birthday, "1971-03-14", "birthday from year/month/day");
		is_str(a->note, "Contact pour les demandes d'actes. Ne pas communiquer le numero 06 11 22 33 44.",
		       "continuation line");
		is_str(b->full_name, "Élodie Lefort", "base64 value");
		is_str(b->uid, "cn=Élodie Lefort,mail=elodie@mairie.fr", "base64 dn");
		ok(g->is_list && g->n_members == 2, "group with two members");
		ok(g->n_members == 2 && g->members[0].address &&
			   !strcmp(g->members[0].address, "marie@mairie.fr") &&
			   !strcmp(g->members[0].name, "Marie Dupont") && !g->members[1].address &&
			   !strcmp(g->members[1].name, "Paul"),
		   "members resolved from their DNs");
		ok(c.loc[2].offset > c.loc[1].offset && c.loc[1].offset > c.loc[0].offset,
		   "offsets increase");
	}
	col_free(&c);
}

static void
check_csv(const char *what, const char *data, size_t n, size_t want, const char *first_mail,
	  const char *first_name)
{
	col c;

	ok(lka_csvbook_detect((const unsigned char *)data, n ? n : strlen(data)), "%s: detected",
	   what);
	run(lka_csvbook_read, data, n, &c);
	is_int((long long)c.n, (long long)want, "%s: %zu entries", what, want);
	ok(!c.unpaired, "%s: paired", what);
	if (c.n) {
		lka_contact *a = c.c[0];
		ok(a->n_emails && a->emails[0].address && !strcmp(a->emails[0].address, first_mail),
		   "%s: first address %s (got %s)", what, first_mail,
		   a->n_emails && a->emails[0].address ? a->emails[0].address : "none");
		ok(a->full_name && !strcmp(a->full_name, first_name), "%s: first name %s (got %s)",
		   what, first_name, a->full_name ? a->full_name : "none");
	}
	col_free(&c);
}

static void
test_csv(void)
{
	col c;

	check_csv("Thunderbird", "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email\n"
		  "John,Doe,John Doe,,john@doe.invalid,\nJane,Doe,Jane Doe,,jane@doe.invalid,j@d.org\n",
		  0, 2, "john@doe.invalid", "John Doe");
	check_csv("semicolon", "Display Name;First Name;Last Name;Primary Email\r\n"
		  "John Doe;John;Doe;john@doe.invalid\r\n", 0, 1, "john@doe.invalid", "John Doe");
	check_csv("tab", "First Name\tLast Name\tPrimary Email\tNotes\n"
		  "A\tB\ta@b.fr\t\"line 1\nline\t2\"\n"
		  "C\tD\tc@d.fr\t\n", 0, 2, "a@b.fr", "A B");
	check_csv("Outlook FR, Windows-1252", "\"Pr\xe9nom\";\"Nom\";\"Adresse de messagerie\";\"T\xe9l\xe9phone mobile\"\r\n"
		  "\"Fran\xe7ois\";\"Martin\";\"F.Martin@Mairie.fr\";\"06 12 34 56 78\"\r\n",
		  0, 1, "f.martin@mairie.fr", "François Martin");
	{
		/* UTF-16LE with a BOM */
		static const char src[] = "Name,E-mail Address\r\nZo\xc3\xa9,zoe@example.org\r\n";
		char u16[256];
		size_t k = to_utf16le(u16, sizeof u16, src);
		check_csv("UTF-16LE", u16, k, 1, "zoe@example.org", "Zoé");
	}
	check_csv("Shift_JIS", "\x96\xbc\x91\x4f,\x83\x81\x81\x5b\x83\x8b\x83\x41\x83\x68\x83\x8c\x83\x58\n"
		  "\x8e\x52\x93\x63\x91\xbe\x98\x59,taro@example.jp\n",
		  0, 1, "taro@example.jp", "山田太郎");
	check_csv("Google", "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value\n"
		  "Ada Lovelace,Ada,Lovelace,* Home,ada@example.org ::: ada@work.example,Mobile,+44 7700 900123\n",
		  0, 1, "ada@example.org", "Ada Lovelace");
	run(lka_csvbook_read, "Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value\n"
			      "Ada,* Home,ada@example.org ::: ada@work.example,Mobile,+44 7700 900123\n",
	    0, &c);
	ok(c.n == 1 && c.c[0]->n_emails == 2 && !strcmp(c.c[0]->emails[1].address, "ada@work.example") &&
		   c.c[0]->n_phones == 1 && !strcmp(c.c[0]->phones[0].type, "Mobile"),
	   "Google: ':::' separated values, phone type from its column");
	col_free(&c);
	check_csv("no header", "Alice Martin;alice@example.org;06 12 34 56 78\nBob;bob@example.org;\n",
		  0, 2, "alice@example.org", "Alice Martin");
	run(lka_csvbook_read, "Alice Martin;alice@example.org;06 12 34 56 78\nBob;bob@example.org;\n", 0,
	    &c);
	ok(c.n == 2 && c.c[0]->n_phones == 1, "no header: the phone column recognised");
	col_free(&c);
	run(lka_csvbook_read, "Vorname,Nachname,E-Mail-Adresse,Geburtstag,Ort (privat)\n"
			      "Max,M\xc3\xbcller,max@example.de,31.12.1980,Berlin\n",
	    0, &c);
	ok(c.n == 1 && !strcmp(c.c[0]->family_name, "Müller") &&
		   !strcmp(c.c[0]->birthday, "1980-12-31") && c.c[0]->n_postals == 1 &&
		   !strcmp(c.c[0]->postals[0].locality, "Berlin") &&
		   !strcmp(c.c[0]->postals[0].type, "home"),
	   "German Outlook columns");
	col_free(&c);
	run(lka_csvbook_read, "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
			      "Ada,Lovelace,* Home,ada@example.org,Mobile,+44 7700 900123\n",
	    0, &c);
	ok(c.n == 1 && c.c[0]->n_emails == 1 && !strcmp(c.c[0]->emails[0].type, "* Home") &&
		   !strcmp(c.c[0]->phones[0].type, "Mobile"),
	   "Google (2024): Label columns are types");
	col_free(&c);
	run(lka_csvbook_read, "Nombre;Apellidos;Direcci\xc3\xb3n de correo electr\xc3\xb3nico;"
			      "Nombre para mostrar del correo electr\xc3\xb3nico;Tel\xc3\xa9\x66ono m\xc3\xb3vil\n"
			      "Ana;Garc\xc3\xad\x61;ana@example.es;Ana G.;600 000 000\n",
	    0, &c);
	ok(c.n == 1 && c.c[0]->n_emails == 1 && !strcmp(c.c[0]->emails[0].address, "ana@example.es") &&
		   !strcmp(c.c[0]->emails[0].name, "Ana G.") && !strcmp(c.c[0]->family_name, "García") &&
		   c.c[0]->n_phones == 1,
	   "Spanish Outlook columns");
	col_free(&c);
	run(lka_csvbook_read, "First Name,Last Name,E-mail Address,E-mail Display Name,E-mail 2 Address,"
			      "Business Phone,Mobile Phone,Business Street,Business City,Business Postal Code,"
			      "Business Country/Region,Job Title,Company,Birthday\n"
			      "Bob,Smith,bob@example.com,Bob Smith (bob@example.com),b@home.example,"
			      "+1 201 555 0100,+1 201 555 0199,1 Main St,Springfield,12345,United States,"
			      "Clerk,ACME,3/14/1970\n",
	    0, &c);
	ok(c.n == 1 && c.c[0]->n_emails == 2 && c.c[0]->n_phones == 2 &&
		   !strcmp(c.c[0]->phones[1].type, "mobile") && c.c[0]->n_postals == 1 &&
		   !strcmp(c.c[0]->postals[0].type, "work") &&
		   !strcmp(c.c[0]->postals[0].country, "United States") &&
		   !strcmp(c.c[0]->title, "Clerk") && !strcmp(c.c[0]->organization, "ACME") &&
		   !strcmp(c.c[0]->birthday, "1970-03-14") &&
		   !strcmp(c.c[0]->emails[0].name, "Bob Smith"),
	   "English Outlook columns (the display name without its address)");
	col_free(&c);
	ok(!lka_csvbook_detect((const unsigned char *)"a,b\nc,d\n", 8), "no e-mail: not a book");
	ok(!lka_csvbook_detect((const unsigned char *)"\x00\x01\x02\x03\x04", 5), "binary: not a book");
	{
		/* libratom__emails.zip: a comment naming "emails" is no one-column header */
		static const char ga[] = "# Never autoconvert line endings on fixture emails\n"
					 "*.eml -text\n";
		static const char one[] = "Email\nalice@example.org\nbob@example.org\n";
		ok(!lka_csvbook_detect((const unsigned char *)ga, sizeof ga - 1),
		   ".gitattributes: not a book");
		ok(lka_csvbook_detect((const unsigned char *)one, sizeof one - 1),
		   "one column headed Email: a book");
	}
}

/* Every prefix of every sample is read without a crash (ASan watches). */
static void
test_truncations(void)
{
	static const struct {
		reader_fn fn;
		const char *data;
	} s[] = {
		{ lka_vcard_read, vcf },
		{ lka_ldif_read, ldif },
		{ lka_csvbook_read, "A,B,E-mail\n\"x\"\"y\",\"multi\nline\",a@b.fr\n" },
	};
	bool sane = true;

	for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
		size_t n = strlen(s[k].data);
		for (size_t cut = 1; cut < n; cut++) {
			char *p = malloc(cut);
			col c;
			memcpy(p, s[k].data, cut);
			run(s[k].fn, p, cut, &c);
			if (c.unpaired)
				sane = false;
			col_free(&c);
			lka_vcard_detect((const unsigned char *)p, cut);
			lka_ldif_detect((const unsigned char *)p, cut);
			lka_csvbook_detect((const unsigned char *)p, cut);
			free(p);
		}
	}
	ok(sane, "every truncation read, begin/emit always paired");
}

int
main(void)
{
	test_vcard();
	test_ldif();
	test_csv();
	test_truncations();
	return done_testing();
}
