/*
 * test-people.c — the people rebuild: persons from mail, address books and
 * findings (the issue-6 table, created here as the contract describes it),
 * merging of one entry's addresses, shared mailboxes not merged, phone-only
 * persons, internal domains (sub-domains, IDN, any form), appearances of
 * every kind, categories from findings, names, determinism, idempotence,
 * and lka_people_ensure's staleness rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casedb.h"
#include "leakaudit/people.h"
#include "tap.h"
#include "case-query.h"

/* Everything the rebuild wrote, as text. */
static char *
dump(lka_case *k)
{
	static const char *const sql[] = {
		"SELECT * FROM people ORDER BY id", "SELECT * FROM person_emails ORDER BY 1, 2",
		"SELECT * FROM person_names ORDER BY 1, 2", "SELECT * FROM person_phones ORDER BY 1, 2",
		"SELECT * FROM person_postal ORDER BY 1, 2", "SELECT * FROM person_appearances ORDER BY id",
		"SELECT * FROM person_categories ORDER BY 1, 2",
	};
	size_t cap = 1 << 16, n = 0;
	char *out = calloc(1, cap);

	for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(k->db, sql[i], -1, &s, NULL) != SQLITE_OK)
			continue;
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(s); c++) {
				const unsigned char *t = sqlite3_column_text(s, c);
				n += (size_t)snprintf(out + n, cap - n, "%s|", t ? (const char *)t : "~");
				if (n >= cap - 256) {
					cap *= 2;
					out = realloc(out, cap);
				}
			}
			out[n++] = '\n';
			out[n] = '\0';
		}
		sqlite3_finalize(s);
	}
	return out;
}

static const char setup_sql[] =
	"INSERT INTO sources (id, path, name, kind, bytes, sha256, files, status, added_at) VALUES "
	" (1, '/ev/mail', 'mail', 'folder', 1, 'x', 1, 'complete', 'x'),"
	" (2, '/ev/books', 'books', 'folder', 1, 'x', 1, 'complete', 'x');"
	"INSERT INTO source_files (id, source_id, relpath, format, role, bytes) VALUES "
	" (1, 1, 'box.mbox', 'mbox', 'messages', 1), (2, 2, 'a.vcf', 'vcard', 'messages', 1);"
	"INSERT INTO messages (id, source_id, source_file_id, ordinal, subject, sent_at, item_class) VALUES "
	" (1, 1, 1, 0, 'a', '2024-01-10T09:00:00Z', 'IPM.Note'),"
	" (2, 1, 1, 1, 'b', '2024-02-01T09:00:00Z', 'IPM.Note'),"
	" (3, 1, 1, 2, 'meeting', '2024-03-01T09:00:00Z', 'IPM.Appointment');"
	"INSERT INTO blobs (sha256, bytes) VALUES ('y', 10);"
	"INSERT INTO attachments (id, message_id, position, bytes, sha256) VALUES (1, 2, 0, 10, 'y');"
	"INSERT INTO recipients (message_id, role, address, name, domain, position) VALUES "
	" (1, 'from', 'zoe@mairie.fr', 'Zoé Ménard', 'mairie.fr', 0),"
	" (1, 'to', 'paul@partner.example', 'Paul', 'partner.example', 0),"
	" (1, 'cc', 'agent@services.mairie.fr', 'paul@partner.example', 'services.mairie.fr', 0),"
	" (2, 'from', 'paul@partner.example', 'Paul P.', 'partner.example', 0),"
	" (2, 'to', 'zoe.perso@example.net', 'Zoé', 'example.net', 0),"
	" (3, 'from', 'zoe@mairie.fr', NULL, 'mairie.fr', 0),"
	" (3, 'to', 'paul@partner.example', NULL, 'partner.example', 0);"
	"INSERT INTO contacts (id, source_id, source_file_id, ordinal, item_class, full_name) VALUES "
	" (1, 2, 2, 0, 'vcard', 'Zoé Ménard'), (2, 2, 2, 1, 'vcard', 'Jean Sans Mail'),"
	" (3, 2, 2, 2, 'vcard', 'Accueil A'), (4, 2, 2, 3, 'vcard', 'Accueil B'),"
	" (5, 2, 2, 4, 'vcard', 'Élus');"
	"UPDATE contacts SET is_list = 1 WHERE id = 5;"
	"INSERT INTO contact_emails (contact_id, position, address, raw) VALUES "
	" (1, 0, 'zoe@mairie.fr', 'zoe@mairie.fr'), (1, 1, 'zoe.perso@example.net', 'x'),"
	" (3, 0, 'accueil@mairie.fr', 'x'), (3, 1, 'a@example.org', 'x'),"
	" (4, 0, 'accueil@mairie.fr', 'x'), (4, 1, 'b@example.org', 'x');"
	"INSERT INTO contact_phones (contact_id, position, raw, e164) VALUES "
	" (1, 0, '06 11 22 33 44', '+33611223344'), (2, 0, '06 99 88 77 66', '+33699887766');"
	"INSERT INTO contact_addresses (id, contact_id, position, locality) VALUES (1, 1, 0, 'Lyon');"
	"INSERT INTO contact_list_members (contact_id, position, name, address) VALUES "
	" (5, 0, 'Zoé', 'zoe@mairie.fr'), (5, 1, 'Nouvel élu', 'elu@mairie.fr');";

/* Rows of the personal-data scan's tables (sql/pii.sql), as lka-scan writes them. */
static const char findings_sql[] =
"INSERT INTO scans (id, started_at, finished_at) VALUES (1, '2000-01-01T00:00:00.000Z', "
	" '2000-01-01T00:01:00.000Z');"
	"INSERT INTO findings (scan_id, kind, category, value_norm, value_masked, validator, "
	" confidence, message_id, attachment_id, field, person_address, person_name) VALUES "
	" (1, 'iban', 'bank', 'FR76...', 'FR76 **** 189', 'valid', 0.99, 1, NULL, 'body_text', "
	"  'paul@partner.example', 'Paul Partenaire'),"
	" (1, 'nir', 'national_id', '1850...', '1 85 ** ** *** ***', 'valid', 0.9, 2, 1, "
	"  'attachment_text', NULL, NULL),"
	" (1, 'email', 'contact', 'tiers@ailleurs.example', 't***@ailleurs.example', "
	"  'not_applicable', 1.0, 1, NULL, 'body_text', NULL, NULL),"
	" (1, 'phone', 'contact', '+33699887766', '+33 6 ** ** ** 66', 'valid', 0.9, 2, NULL, "
	"  'body_text', NULL, NULL),"
	" (1, 'special_category', 'special_category', NULL, '[santé]', 'not_applicable', 0.7, 1, "
	"  NULL, 'body_text', 'nobody@else.example', 'X');";

int
main(void)
{
	char dir[] = "/tmp/lka-people-XXXXXX", path[600], t[512];
	const char *doms[] = { "Mairie.FR", "@xn--bcher-kva.example" };
	lka_people_opts po = { doms, 2 };
	lka_people_stats st;
	lka_ctx *ctx = NULL;
	lka_case *k = NULL;
	lka_error e = { 0 };
	char *d1, *d2;

	if (!mkdtemp(dir) || lka_ctx_new(&ctx, &e) != LKA_OK) {
		printf("Bail out! setup\n");
		return 1;
	}
	snprintf(path, sizeof path, "%s/p.case", dir);
	ok(lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) == LKA_OK, "create a case");
	if (!k)
		return done_testing();
	if (!ok(sqlite3_exec(k->db, setup_sql, NULL, NULL, NULL) == SQLITE_OK, "mail and address books"))
		diag("%s", sqlite3_errmsg(k->db));

	/* Without findings. */
	ok(lka_people_rebuild(k, &po, &st, &e) == LKA_OK, "rebuild (%s)", e.msg);
	ok(st.rebuilt, "rebuilt, no findings yet");
	is_int(q_int(k, "SELECT count(*) FROM people"), 8, "8 people");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(key, ' ') FROM (SELECT key FROM people ORDER BY id)"),
	       "mailto:a@example.org mailto:accueil@mairie.fr mailto:agent@services.mairie.fr "
	       "mailto:b@example.org mailto:elu@mairie.fr mailto:paul@partner.example "
	       "mailto:zoe@mairie.fr tel:+33699887766",
	       "keys, numbered in order");
	is_int(q_int(k, "SELECT count(*) FROM person_emails pe JOIN people p ON p.id = pe.person_id "
			"WHERE p.key = 'mailto:zoe@mairie.fr'"),
	       2, "one entry's two addresses: one person");
	is_int(q_int(k, "SELECT count(*) FROM people WHERE key = 'mailto:accueil@mairie.fr' "
			"AND address_count = 1"),
	       1, "a mailbox shared by differently named entries merges nobody");
	is_int(q_int(k, "SELECT count(*) FROM people WHERE key = 'tel:+33611223344'"), 0,
	       "the phone of an entry with an address is no person of its own");
	is_int(q_int(k, "SELECT count(*) FROM people WHERE key LIKE 'tel:%'"), 1, "a phone-only person");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(address, ' ') FROM (SELECT address FROM people "
				      "WHERE internal = 1 ORDER BY address)"),
	       "accueil@mairie.fr agent@services.mairie.fr elu@mairie.fr zoe@mairie.fr",
	       "internal: the domain and its sub-domains, given in any case");
	is_str(q_text(k, t, sizeof t, "SELECT display_name || '/' || names || '/' || in_address_books || '/' "
				      "|| messages || '/' || first_seen || '/' || last_seen || '/' || phone_e164 "
				      "FROM people WHERE key = 'mailto:zoe@mairie.fr'"),
	       "Zoé Ménard/2/2/3/2024-01-10T09:00:00Z/2024-03-01T09:00:00Z/+33611223344",
	       "Zoé: name, names, entries (card and list), messages, dates, phone");
	is_int(q_int(k, "SELECT count(*) FROM person_names n JOIN people p ON p.id = n.person_id "
			"WHERE p.key = 'mailto:agent@services.mairie.fr'"),
	       0, "an address used as a display name is not a name");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(kind || ':' || role, ' ') FROM (SELECT a.kind, a.role "
				      "FROM person_appearances a JOIN people p ON p.id = a.person_id WHERE "
				      "p.key = 'mailto:paul@partner.example' ORDER BY a.id)"),
	       "attendee:to recipient:to sender:from", "Paul: recipient, sender, attendee");
	is_int(q_int(k, "SELECT count(*) FROM person_postal"), 1, "postal address tied");
	is_str(q_text(k, t, sizeof t, "SELECT display_name FROM people WHERE key = 'tel:+33699887766'"),
	       "Jean Sans Mail", "phone-only person named from the entry");
	is_int(q_int(k, "SELECT count(*) FROM people_overview"), 8, "people_overview");

	/* With findings. */
	if (!ok(sqlite3_exec(k->db, findings_sql, NULL, NULL, NULL) == SQLITE_OK, "findings table"))
		diag("%s", sqlite3_errmsg(k->db));
	ok(lka_people_ensure(k, &po, &st, &e) == LKA_OK && !st.rebuilt,
	   "a scan that ended before the build: up to date");
	sqlite3_exec(k->db, "UPDATE scans SET finished_at = (SELECT built_at FROM people_build)", NULL,
		     NULL, NULL);
	usleep(3000);
	ok(lka_people_ensure(k, &po, &st, &e) == LKA_OK && st.rebuilt, "a newer scan: ensure rebuilds");
	ok(st.findings_used, "findings used");
	is_int(q_int(k, "SELECT count(*) FROM people"), 10,
	       "people mentioned only in findings are people (tiers@, nobody@)");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(category || '=' || findings, ' ') FROM (SELECT c.* "
				      "FROM person_categories c JOIN people p ON p.id = c.person_id WHERE "
				      "p.key = 'mailto:paul@partner.example' ORDER BY category)"),
	       "bank=1 national_id=1", "Paul: his IBAN, and the NIR in a message he was part of");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(category, ' ') FROM (SELECT c.category FROM "
				      "person_categories c JOIN people p ON p.id = c.person_id WHERE "
				      "p.key = 'mailto:agent@services.mairie.fr' ORDER BY category)"),
	       "", "the agent: no finding about him (message 1's IBAN is Paul's)");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(kind || ':' || role, ' ') FROM (SELECT a.kind, a.role "
				      "FROM person_appearances a JOIN people p ON p.id = a.person_id WHERE "
				      "p.key = 'mailto:tiers@ailleurs.example' ORDER BY a.id)"),
	       "mentioned_body:email", "an address found in a body: mentioned");
	is_str(q_text(k, t, sizeof t, "SELECT group_concat(category, ' ') FROM person_categories c JOIN people p "
				      "ON p.id = c.person_id WHERE p.key = 'tel:+33699887766'"),
	       "contact", "a phone found in a body: its person's contact data");
	is_int(q_int(k, "SELECT count(*) FROM person_names n JOIN people p ON p.id = n.person_id WHERE "
			"p.key = 'mailto:paul@partner.example' AND n.name = 'Paul Partenaire'"),
	       1, "names from findings");
	is_int(q_int(k, "SELECT count(*) FROM person_appearances WHERE kind = 'mentioned_attachment'"), 0,
	       "the NIR finding names nobody: no mention, only categories");
	is_int(q_int(k, "SELECT count(*) FROM person_categories c JOIN people p ON p.id = c.person_id "
			"WHERE p.key = 'mailto:nobody@else.example' AND c.category = 'special_category'"),
	       1, "special category attached to the person it is about");

	/* Deterministic, idempotent, ensure. */
	d1 = dump(k);
	ok(lka_people_rebuild(k, &po, &st, &e) == LKA_OK, "rebuild again");
	d2 = dump(k);
	ok(strcmp(d1, d2) == 0, "same rows, same ids");
	free(d1);
	free(d2);
	ok(lka_people_ensure(k, &po, &st, &e) == LKA_OK && !st.rebuilt && st.people == 10,
	   "ensure: up to date, nothing done");
	po.n_internal_domains = 1;
	ok(lka_people_ensure(k, &po, &st, &e) == LKA_OK && st.rebuilt,
	   "ensure: other internal domains, rebuilt");
	ok(lka_people_rebuild(NULL, &po, &st, &e) == LKA_FATAL, "no case: refused");
	lka_case_free(k);
	k = NULL;
	ok(lka_case_open(&k, ctx, path, LKA_CASE_READONLY, &e) == LKA_OK, "reopen read-only");
	ok(lka_people_rebuild(k, &po, &st, &e) == LKA_FATAL && e.kind == LKA_E_USAGE,
	   "a read-only case cannot be rebuilt");
	lka_case_free(k);
	lka_ctx_free(ctx);
	unlink(path);
	snprintf(path, sizeof path, "%s/p.case-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/p.case-shm", dir);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
