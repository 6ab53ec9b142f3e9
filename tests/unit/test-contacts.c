/*
 * test-contacts.c — the contact item in the case: lka_case__contact_write
 * (rows in contacts, contact_emails, contact_phones, contact_addresses,
 * contact_list_members; diagnostics as errors; cascade on source delete)
 * and the phone normaliser behind contact_phones.e164.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casedb.h"
#include "people-int.h"
#include "tap.h"
#include "case-query.h"

static void
test_phone(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "06 12 34 56 78", "+33612345678" },
		{ "06.12.34.56.78", "+33612345678" },
		{ "+33 (0)6 12 34 56 78", "+33612345678" },
		{ "+33 6 12 34 56 78", "+33612345678" },
		{ "0033 1 42 76 40 40", "+33142764040" },
		{ "tel:+1-201-555-0123", "+12015550123" },
		{ "+44 20 7946 0958 ext. 12", "+442079460958" },
		{ "01 23 45 67 89 poste 204", "+33123456789" },
		{ "0590 12 34 5", NULL },           /* 9 digits: incomplete */
		{ "0590 12 34 56", "+590590123456" },
		{ "0692 12 34 56", "+262692123456" },
		{ "(555) 123-4567", NULL },          /* national, not French: unknown country */
		{ "bonjour", NULL },
		{ "++33612345678", NULL },
		{ "", NULL },
		{ "+0612345678", NULL },
		{ "12", NULL },
	};
	char out[LKA_E164_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool r = lka__phone_e164(cases[i].in, out);
		if (cases[i].want)
			ok(r && strcmp(out, cases[i].want) == 0, "phone '%s' -> %s (got %s)",
			   cases[i].in, cases[i].want, r ? out : "none");
		else
			ok(!r, "phone '%s' refused", cases[i].in);
	}
	ok(!lka__phone_e164(NULL, out), "NULL phone refused");
}

static char *
S(const char *s)
{
	return s ? strdup(s) : NULL;
}

static lka_contact *
card(void)
{
	lka_contact *c = calloc(1, sizeof *c);

	c->item_class = S("vcard");
	c->full_name = S("Zoé Ménard");
	c->family_name = S("Ménard");
	c->organization = S("Mairie de Lyon");
	c->n_emails = 2;
	c->emails = calloc(2, sizeof *c->emails);
	c->emails[0].address = S("zoe@lyon.fr");
	c->emails[0].raw = S("Zoe@LYON.fr");
	c->emails[0].type = S("work");
	c->emails[1].raw = S("pas une adresse");
	c->n_phones = 2;
	c->phones = calloc(2, sizeof *c->phones);
	c->phones[0].raw = S("06 12 34 56 78");
	c->phones[0].type = S("mobile");
	c->phones[1].raw = S("n/a");
	c->n_postals = 1;
	c->postals = calloc(1, sizeof *c->postals);
	c->postals[0].street = S("1 place de la Comédie");
	c->postals[0].locality = S("Lyon");
	lka_diags_add(&c->diags, LKA_WARN, LKA_E_CORRUPT, "line 7", "bad quoted-printable");
	return c;
}

static void
test_write(lka_ctx *ctx, const char *dir)
{
	char path[512], t[256];
	lka_case *k = NULL;
	lka_error e = { 0 };
	lka_msgorigin o = { 0 };
	lka_write_counts n = { 0 };
	lka_contact *c = card(), *l = calloc(1, sizeof *l);

	snprintf(path, sizeof path, "%s/c.case", dir);
	if (lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) != LKA_OK) {
		ok(0, "open: %s", e.msg);
		return;
	}
	ok(sqlite3_exec(k->db,
			"INSERT INTO sources (id, path, name, kind, bytes, sha256, files, status, "
			"added_at) VALUES (1, '/ev/books', 'books', 'folder', 10, 'x', 1, 'running', 'x');"
			"INSERT INTO source_files (id, source_id, relpath, format, role, bytes) "
			"VALUES (1, 1, 'a.vcf', 'vcard', 'messages', 10);",
			NULL, NULL, NULL) == SQLITE_OK,
	   "a source and its file");
	o.source_id = 1;
	o.file_id = 1;
	o.loc.ordinal = 3;
	o.loc.offset = 120;
	o.loc.length = 80;
	o.file_display = "a.vcf";
	ok(lka_case__begin(k, &e) == LKA_OK, "begin");
	ok(lka_case__contact_write(k, &o, -1, c, &n, &e) == LKA_OK, "write a contact");
	l->item_class = S("ldif");
	l->is_list = true;
	l->full_name = S("Élus");
	l->n_members = 2;
	l->members = calloc(2, sizeof *l->members);
	l->members[0].name = S("Zoé");
	l->members[0].address = S("zoe@lyon.fr");
	l->members[1].raw = S("cn=Paul,dc=lyon,dc=fr");
	o.loc.ordinal = 4;
	o.loc.offset = -1;
	o.loc.length = -1;
	ok(lka_case__contact_write(k, &o, -1, l, &n, &e) == LKA_OK, "write a list");
	ok(lka_case__commit(k, &e) == LKA_OK, "commit");
	is_int((long long)n.contacts, 2, "two contacts counted");
	is_int(q_int(k, "SELECT count(*) FROM contacts"), 2, "two contacts rows");
	is_int(q_int(k, "SELECT ordinal FROM contacts WHERE item_class = 'vcard'"), 3, "ordinal");
	is_int(q_int(k, "SELECT offset FROM contacts WHERE item_class = 'vcard'"), 120, "offset");
	is_int(q_int(k, "SELECT count(*) FROM contacts WHERE item_class = 'ldif' AND offset IS NULL "
			"AND is_list = 1 AND member_count = 2"),
	       1, "list row");
	is_str(q_text(k, t, sizeof t, "SELECT full_name FROM contacts WHERE ordinal = 3"),
	       "Zoé Ménard", "full name");
	is_int(q_int(k, "SELECT count(*) FROM contact_emails"), 2, "two e-mail rows");
	is_str(q_text(k, t, sizeof t, "SELECT domain FROM contact_emails WHERE position = 0"),
	       "lyon.fr", "domain");
	is_int(q_int(k, "SELECT count(*) FROM contact_emails WHERE address IS NULL AND "
			"raw = 'pas une adresse'"),
	       1, "unusable address kept raw");
	is_str(q_text(k, t, sizeof t, "SELECT e164 FROM contact_phones WHERE position = 0"),
	       "+33612345678", "phone normalised");
	is_int(q_int(k, "SELECT count(*) FROM contact_phones WHERE e164 IS NULL"), 1,
	       "unparsable phone: e164 NULL");
	is_str(q_text(k, t, sizeof t, "SELECT locality FROM contact_addresses"), "Lyon", "postal");
	is_str(q_text(k, t, sizeof t, "SELECT raw FROM contact_list_members WHERE position = 1"),
	       "cn=Paul,dc=lyon,dc=fr", "member raw");
	is_int(q_int(k, "SELECT count(*) FROM errors WHERE location LIKE 'a.vcf: entry 3%line 7' "
			"AND severity = 'warn'"),
	       1, "diagnostic recorded with its location");
	is_int(q_int(k, "SELECT error_count FROM contacts WHERE ordinal = 3"), 1, "error_count");
	is_int(q_int(k, "SELECT count(*) FROM contact_overview WHERE addresses = 'zoe@lyon.fr'"),
	       1, "contact_overview");
	ok(sqlite3_exec(k->db, "DELETE FROM sources WHERE id = 1", NULL, NULL, NULL) == SQLITE_OK,
	   "delete the source");
	is_int(q_int(k, "SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM "
			"contact_emails) + (SELECT count(*) FROM contact_phones) + (SELECT count(*) "
			"FROM contact_list_members) + (SELECT count(*) FROM contact_addresses)"),
	       0, "contacts go with their source");
	lka_contact_free(c);
	lka_contact_free(l);
	lka_contact_free(NULL);
	lka_case_free(k);
	unlink(path);
}

int
main(void)
{
	char dir[] = "/tmp/lka-contacts-XXXXXX";
	lka_ctx *ctx = NULL;
	lka_error e = { 0 };
	char p[600];

	if (!mkdtemp(dir) || lka_ctx_new(&ctx, &e) != LKA_OK) {
		printf("Bail out! setup\n");
		return 1;
	}
	test_phone();
	test_write(ctx, dir);
	lka_ctx_free(ctx);
	snprintf(p, sizeof p, "%s/c.case-wal", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/c.case-shm", dir);
	unlink(p);
	rmdir(dir);
	return done_testing();
}
