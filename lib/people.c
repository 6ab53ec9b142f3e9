/*
 * people.c — rebuild the people model of a case (contacts.sql): one person
 * per data subject from every address seen in mail, address books, list
 * members and findings; the addresses of one address-book entry merged
 * into one person; phone-only entries keyed by E.164.  Then names, phones,
 * postal addresses, appearances and categories.  Deterministic: persons are
 * numbered in key order, every insert is ordered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "leakaudit/people.h"
#include "people-int.h"

static lka_status
x(lka_case *kase, const char *sql, const char *what, lka_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(kase->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lka_status st = lka__error(err, LKA_FATAL, LKA_E_DB,
					   sqlite3_extended_errcode(kase->db), kase->path, "%s: %s",
					   what, msg ? msg : sqlite3_errmsg(kase->db));
		sqlite3_free(msg);
		return st;
	}
	return LKA_OK;
}

static bool
table_exists(lka_case *kase, const char *name)
{
	sqlite3_stmt *s = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(kase->db,
			       "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1, &s,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

static bool
column_exists(lka_case *kase, const char *table, const char *col)
{
	sqlite3_stmt *s = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(kase->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &s,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, col, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

/* The internal domains, normalised, as a JSON array (sorted, unique). */
static char *
domains_json(const lka_people_opts *opts, char ***out, size_t *n_out)
{
	size_t n = opts ? opts->n_internal_domains : 0, k = 0;
	char **v = calloc(n + 1, sizeof *v);
	lka_buf b;

	*out = v;
	*n_out = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *d = opts->internal_domains[i];
		char tmp[512], *a;
		if (!d)
			continue;
		while (*d == '@' || *d == ' ' || *d == '.')
			d++;
		snprintf(tmp, sizeof tmp, "x@%s", d);
		a = lka_addr_normalize(tmp);
		if (!a)
			continue;
		memmove(a, a + 2, strlen(a + 2) + 1);
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			if (!strcmp(v[j], a))
				dup = true;
		if (dup) {
			free(a);
			continue;
		}
		/* insertion sort: a stable, canonical list */
		size_t at = k;
		while (at > 0 && strcmp(v[at - 1], a) > 0) {
			v[at] = v[at - 1];
			at--;
		}
		v[at] = a;
		k++;
	}
	*n_out = k;
	lka_buf_init(&b, 0);
	lka_buf_addc(&b, '[');
	for (size_t i = 0; i < k; i++) {
		if (i)
			lka_buf_addc(&b, ',');
		lka_buf_addc(&b, '"');
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				lka_buf_addc(&b, '\\');
			lka_buf_addc(&b, *p);
		}
		lka_buf_addc(&b, '"');
	}
	lka_buf_addc(&b, ']');
	return lka_buf_steal(&b, NULL);
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------- union-find */

static size_t
uf_find(size_t *par, size_t i)
{
	while (par[i] != i) {
		par[i] = par[par[i]];
		i = par[i];
	}
	return i;
}

static void
uf_union(size_t *par, size_t a, size_t b)
{
	a = uf_find(par, a);
	b = uf_find(par, b);
	if (a < b)
		par[b] = a;
	else if (b < a)
		par[a] = b;
}

/*
 * _lka_addr(idx, address, person_key): every address, numbered in byte order;
 * addresses of one address-book entry share the key of the smallest of them
 * (unless an address is shared by entries with different names: a shared
 * mailbox does not merge people).
 */
static lka_status
group_addresses(lka_case *kase, bool findings, lka_error *err)
{
	sqlite3_stmt *s = NULL, *u = NULL;
	size_t n = 0, *par = NULL;
	lka_status st;
	int rc;

	st = x(kase,
	       "DROP TABLE IF EXISTS temp._lka_addr;"
	       "CREATE TEMP TABLE _lka_addr (idx INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE, "
	       "grp INTEGER, uses INTEGER, person_key TEXT);",
	       "people: address table", err);
	if (st != LKA_OK)
		return st;
	st = x(kase, findings ?
		"INSERT INTO _lka_addr (idx, address) SELECT row_number() OVER (ORDER BY a) - 1, a FROM ("
		"SELECT address a FROM recipients WHERE address IS NOT NULL "
		"UNION SELECT address FROM contact_emails WHERE address IS NOT NULL "
		"UNION SELECT address FROM contact_list_members WHERE address IS NOT NULL "
		"UNION SELECT person_address FROM findings WHERE person_address IS NOT NULL "
		"UNION SELECT value_norm FROM findings WHERE kind = 'email' AND value_norm LIKE '%_@_%') "
		"ORDER BY a" :
		"INSERT INTO _lka_addr (idx, address) SELECT row_number() OVER (ORDER BY a) - 1, a FROM ("
		"SELECT address a FROM recipients WHERE address IS NOT NULL "
		"UNION SELECT address FROM contact_emails WHERE address IS NOT NULL "
		"UNION SELECT address FROM contact_list_members WHERE address IS NOT NULL) ORDER BY a",
	       "people: collect addresses", err);
	if (st != LKA_OK)
		return st;
	if (sqlite3_prepare_v2(kase->db, "SELECT count(*) FROM _lka_addr", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	par = malloc((n + 1) * sizeof *par);
	if (!par)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		par[i] = i;
	/* e-mails of one entry, for addresses not shared by differently named entries */
	if (sqlite3_prepare_v2(kase->db,
			       "WITH ok AS (SELECT ce.address FROM contact_emails ce "
			       "  JOIN contacts c ON c.id = ce.contact_id WHERE c.is_list = 0 "
			       "  AND ce.address IS NOT NULL GROUP BY ce.address "
			       "  HAVING count(DISTINCT lower(coalesce(c.full_name, c.family_name, ''))) <= 1) "
			       "SELECT ce.contact_id, a.idx FROM contact_emails ce "
			       "JOIN contacts c ON c.id = ce.contact_id "
			       "JOIN _lka_addr a ON a.address = ce.address "
			       "WHERE c.is_list = 0 AND ce.address IN (SELECT address FROM ok) "
			       "ORDER BY ce.contact_id, a.idx",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	{
		int64_t last_c = -1;
		size_t last_i = 0;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t cid = sqlite3_column_int64(s, 0);
			size_t idx = (size_t)sqlite3_column_int64(s, 1);
			if (idx >= n)
				continue;
			if (cid == last_c)
				uf_union(par, last_i, idx);
			last_c = cid;
			last_i = idx;
		}
		if (rc != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(kase->db, "UPDATE _lka_addr SET grp = ?2 WHERE idx = ?1", -1, &u,
			       NULL) != SQLITE_OK)
		goto dberr;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(u, 1, (sqlite3_int64)i);
		sqlite3_bind_int64(u, 2, (sqlite3_int64)uf_find(par, i));
		if (sqlite3_step(u) != SQLITE_DONE)
			goto dberr;
		sqlite3_reset(u);
	}
	sqlite3_finalize(u);
	u = NULL;
	free(par);
	par = NULL;
	/* A person's primary address (their key): the one most used in mail, then
	 * the smallest. */
	return x(kase,
		 "UPDATE _lka_addr SET uses = (SELECT count(*) FROM recipients r "
		 "  WHERE r.address = _lka_addr.address);"
		 "CREATE INDEX temp._lka_addr_grp ON _lka_addr (grp, uses, address);"
		 "UPDATE _lka_addr SET person_key = 'mailto:' || (SELECT a2.address FROM _lka_addr a2 "
		 "  WHERE a2.grp = _lka_addr.grp ORDER BY a2.uses DESC, a2.address LIMIT 1);",
		 "people: primary addresses", err);
dberr:
	st = lka_case__dberr(kase, err, "people: group addresses");
	if (err)
		err->status = LKA_FATAL;
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	free(par);
	return LKA_FATAL;
}

/* The rebuild, inside the caller's transaction. */
static lka_status
rebuild(lka_case *kase, const char *djson, char **doms, size_t ndoms, lka_people_stats *stats,
	lka_error *err)
{
	static const char *const fcols[] = { "kind", "category", "value_norm", "message_id",
					     "attachment_id", "field", "person_address",
					     "person_name" };
	bool findings = table_exists(kase, "findings");
	sqlite3_stmt *s = NULL;
	lka_status st;
	char now[32];

	/* findings as the personal-data scan writes them (contract §B); another
	 * shape is not read rather than misread */
	for (size_t i = 0; findings && i < sizeof fcols / sizeof *fcols; i++)
		findings = column_exists(kase, "findings", fcols[i]);
	st = x(kase,
	       "DELETE FROM person_categories; DELETE FROM person_appearances; "
	       "DELETE FROM person_postal; DELETE FROM person_phones; DELETE FROM person_names; "
	       "DELETE FROM person_emails; DELETE FROM people; DELETE FROM people_build;",
	       "people: clear", err);
	if (st != LKA_OK)
		return st;
	if ((st = group_addresses(kase, findings, err)) != LKA_OK)
		return st;
	/* Phone-only people: entries without a usable address, by E.164 number,
	 * unless the number belongs to an entry that has an address. */
	st = x(kase,
	       "DROP TABLE IF EXISTS temp._lka_tel;"
	       "CREATE TEMP TABLE _lka_tel AS SELECT DISTINCT p.e164 FROM contact_phones p "
	       "JOIN contacts c ON c.id = p.contact_id WHERE p.e164 IS NOT NULL AND c.is_list = 0 "
	       "AND NOT EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id "
	       "  AND e.address IS NOT NULL) "
	       "AND p.e164 NOT IN (SELECT p2.e164 FROM contact_phones p2 JOIN contact_emails e2 "
	       "  ON e2.contact_id = p2.contact_id WHERE p2.e164 IS NOT NULL AND e2.address IS NOT NULL);"
	       "INSERT INTO people (id, key, address, phone_e164, domain) "
	       "SELECT row_number() OVER (ORDER BY key), key, address, phone, "
	       "  CASE WHEN address IS NULL THEN NULL ELSE substr(address, instr(address, '@') + 1) END "
	       "FROM (SELECT DISTINCT person_key AS key, substr(person_key, 8) AS address, NULL AS phone "
	       "  FROM _lka_addr UNION ALL SELECT 'tel:' || e164, NULL, e164 FROM _lka_tel) ORDER BY key;"
	       "INSERT INTO person_emails (person_id, address) SELECT p.id, a.address FROM _lka_addr a "
	       "JOIN people p ON p.key = a.person_key ORDER BY a.idx;",
	       "people: persons", err);
	if (st != LKA_OK)
		return st;
	/* Internal domains: the domain itself or any sub-domain. */
	if (sqlite3_prepare_v2(kase->db,
			       "UPDATE people SET internal = 1 WHERE EXISTS (SELECT 1 FROM person_emails pe "
			       "WHERE pe.person_id = people.id AND (substr(pe.address, -length(?1) - 1) = "
			       "'@' || ?1 OR substr(pe.address, -length(?1) - 1) = '.' || ?1))",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	for (size_t i = 0; i < ndoms; i++) {
		sqlite3_bind_text(s, 1, doms[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto dberr;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	s = NULL;

	/* Entries of a person: through their addresses, or their number. */
	st = x(kase,
	       "DROP TABLE IF EXISTS temp._lka_pc;"
	       "CREATE TEMP TABLE _lka_pc AS "
	       "SELECT DISTINCT pe.person_id, ce.contact_id FROM contact_emails ce "
	       "JOIN person_emails pe ON pe.address = ce.address "
	       "JOIN contacts c ON c.id = ce.contact_id AND c.is_list = 0 "
	       "UNION SELECT p.id, cp.contact_id FROM contact_phones cp "
	       "JOIN people p ON p.key = 'tel:' || cp.e164 "
	       "JOIN contacts c ON c.id = cp.contact_id AND c.is_list = 0 "
	       "WHERE NOT EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id "
	       "  AND e.address IS NOT NULL);"
	       "CREATE INDEX temp._lka_pc_p ON _lka_pc (person_id);",
	       "people: entries", err);
	if (st != LKA_OK)
		return st;
	st = x(kase,
	       "INSERT INTO person_appearances (person_id, kind, source_id, message_id, attachment_id, "
	       "  contact_id, role, at) "
	       "SELECT person_id, kind, source_id, message_id, attachment_id, contact_id, role, at FROM ("
	       "SELECT pc.person_id, 'address_book' AS kind, c.source_id, c.message_id, "
	       "  c.attachment_id, c.id AS contact_id, 'entry' AS role, NULL AS at "
	       "  FROM _lka_pc pc JOIN contacts c ON c.id = pc.contact_id "
	       "UNION SELECT pe.person_id, 'address_book', c.source_id, c.message_id, c.attachment_id, "
	       "  c.id, 'member', NULL FROM contact_list_members m "
	       "  JOIN person_emails pe ON pe.address = m.address JOIN contacts c ON c.id = m.contact_id "
	       "UNION SELECT pe.person_id, "
	       "  CASE WHEN r.role IN ('from', 'sender', 'reply-to') THEN 'sender' "
	       "       WHEN m.item_class LIKE 'IPM.Appointment%' OR m.item_class LIKE 'IPM.Schedule.Meeting%' "
	       "       THEN 'attendee' ELSE 'recipient' END, "
	       "  m.source_id, m.id, NULL, NULL, r.role, m.sent_at FROM recipients r "
	       "  JOIN person_emails pe ON pe.address = r.address JOIN messages m ON m.id = r.message_id"
	       ") ORDER BY person_id, kind, source_id, message_id, contact_id, role;",
	       "people: appearances", err);
	if (st != LKA_OK)
		return st;
	if (findings) {
		st = x(kase,
		       "DROP TABLE IF EXISTS temp._lka_fp;"
		       "CREATE TEMP TABLE _lka_fp AS "
		       "SELECT f.id AS finding_id, pe.person_id FROM findings f "
		       "  JOIN person_emails pe ON pe.address = f.person_address "
		       "UNION SELECT f.id, pe.person_id FROM findings f "
		       "  JOIN person_emails pe ON pe.address = f.value_norm WHERE f.kind = 'email' "
		       "UNION SELECT f.id, p.id FROM findings f JOIN people p ON p.key = 'tel:' || f.value_norm "
		       "  WHERE f.kind = 'phone';"
		       "INSERT INTO person_appearances (person_id, kind, source_id, message_id, "
		       "  attachment_id, contact_id, role, at) "
		       "SELECT fp.person_id, CASE WHEN f.attachment_id IS NOT NULL "
		       "  OR f.field = 'attachment_text' THEN 'mentioned_attachment' ELSE 'mentioned_body' END, "
		       "  m.source_id, m.id, f.attachment_id, NULL, f.kind, m.sent_at "
		       "FROM _lka_fp fp JOIN findings f ON f.id = fp.finding_id "
		       "LEFT JOIN messages m ON m.id = coalesce(f.message_id, "
		       "  (SELECT a.message_id FROM attachments a WHERE a.id = f.attachment_id)) "
		       "GROUP BY fp.person_id, 2, m.id, f.attachment_id, f.kind "
		       "ORDER BY fp.person_id, 2, m.id, f.attachment_id, f.kind;"
		       /* categories: findings about the person, and findings about no one in
			* particular for every participant of their message */
		       "INSERT INTO person_categories (person_id, category, findings) "
		       "SELECT person_id, category, count(DISTINCT finding_id) FROM ("
		       "  SELECT fp.person_id, f.category, f.id AS finding_id FROM _lka_fp fp "
		       "  JOIN findings f ON f.id = fp.finding_id "
		       "  UNION ALL SELECT pe.person_id, f.category, f.id FROM findings f "
		       "  JOIN recipients r ON r.message_id = coalesce(f.message_id, "
		       "    (SELECT a.message_id FROM attachments a WHERE a.id = f.attachment_id)) "
		       "  JOIN person_emails pe ON pe.address = r.address "
		       "  WHERE f.person_address IS NULL AND f.kind NOT IN ('email', 'phone')"
		       ") GROUP BY person_id, category ORDER BY person_id, category;",
		       "people: findings", err);
		if (st != LKA_OK)
			return st;
	}
	/* Names, phones, postal addresses. */
	st = x(kase,
	       "INSERT INTO person_names (person_id, name, occurrences) "
	       "SELECT person_id, name, count(*) FROM ("
	       "  SELECT pe.person_id, trim(r.name, ' \"''') AS name FROM recipients r "
	       "    JOIN person_emails pe ON pe.address = r.address "
	       "  UNION ALL SELECT pc.person_id, trim(coalesce(c.full_name, "
	       "    nullif(trim(coalesce(c.given_name, '') || ' ' || coalesce(c.family_name, '')), ''))) "
	       "    FROM _lka_pc pc JOIN contacts c ON c.id = pc.contact_id "
	       "  UNION ALL SELECT pe.person_id, trim(ce.name) FROM contact_emails ce "
	       "    JOIN person_emails pe ON pe.address = ce.address "
	       "  UNION ALL SELECT pe.person_id, trim(m.name) FROM contact_list_members m "
	       "    JOIN person_emails pe ON pe.address = m.address"
	       ") WHERE name IS NOT NULL AND name <> '' "
	       "AND NOT (name LIKE '%_@_%' AND instr(name, ' ') = 0) "
	       "GROUP BY person_id, name ORDER BY person_id, name;"
	       "INSERT INTO person_phones (person_id, e164, occurrences) "
	       "SELECT pc.person_id, cp.e164, count(*) FROM _lka_pc pc "
	       "JOIN contact_phones cp ON cp.contact_id = pc.contact_id WHERE cp.e164 IS NOT NULL "
	       "GROUP BY pc.person_id, cp.e164 ORDER BY pc.person_id, cp.e164;"
	       "INSERT INTO person_postal (person_id, contact_address_id) "
	       "SELECT DISTINCT pc.person_id, ca.id FROM _lka_pc pc "
	       "JOIN contact_addresses ca ON ca.contact_id = pc.contact_id ORDER BY 1, 2;",
	       "people: names and phones", err);
	if (st != LKA_OK)
		return st;
	if (findings) {
		st = x(kase,
		       "INSERT INTO person_names (person_id, name, occurrences) "
		       "SELECT fp.person_id, trim(f.person_name), count(*) FROM _lka_fp fp "
		       "JOIN findings f ON f.id = fp.finding_id WHERE trim(f.person_name) <> '' "
		       "AND NOT (f.person_name LIKE '%_@_%' AND instr(trim(f.person_name), ' ') = 0) "
		       "GROUP BY 1, 2 ORDER BY 1, 2 "
		       "ON CONFLICT (person_id, name) DO UPDATE SET occurrences = occurrences + "
		       "excluded.occurrences;",
		       "people: names from findings", err);
		if (st != LKA_OK)
			return st;
	}
	st = x(kase,
	       "UPDATE people SET "
	       "display_name = (SELECT name FROM person_names n WHERE n.person_id = people.id "
	       "  ORDER BY occurrences DESC, length(name) DESC, name LIMIT 1), "
	       "phone_e164 = coalesce(phone_e164, (SELECT e164 FROM person_phones t "
	       "  WHERE t.person_id = people.id ORDER BY occurrences DESC, e164 LIMIT 1)), "
	       "address_count = (SELECT count(*) FROM person_emails e WHERE e.person_id = people.id), "
	       "names = (SELECT count(*) FROM person_names n WHERE n.person_id = people.id), "
	       "in_address_books = (SELECT count(DISTINCT contact_id) FROM person_appearances a "
	       "  WHERE a.person_id = people.id AND a.kind = 'address_book'), "
	       "messages = (SELECT count(DISTINCT message_id) FROM person_appearances a "
	       "  WHERE a.person_id = people.id AND a.kind IN ('sender', 'recipient', 'attendee')), "
	       "first_seen = (SELECT min(at) FROM person_appearances a WHERE a.person_id = people.id), "
	       "last_seen = (SELECT max(at) FROM person_appearances a WHERE a.person_id = people.id);"
	       "DROP TABLE IF EXISTS temp._lka_addr; DROP TABLE IF EXISTS temp._lka_tel;"
	       "DROP TABLE IF EXISTS temp._lka_pc; DROP TABLE IF EXISTS temp._lka_fp;",
	       "people: summaries", err);
	if (st != LKA_OK)
		return st;
	lka_case__now_iso(now);
	if (sqlite3_prepare_v2(kase->db,
			       "INSERT INTO people_build (id, built_at, internal_domains, people, "
			       "findings_used) VALUES (1, ?1, ?2, (SELECT count(*) FROM people), ?3)",
			       -1, &s, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, djson, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, findings ? 1 : 0);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(s);
	s = NULL;
	if (stats) {
		if (sqlite3_prepare_v2(kase->db,
				       "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM people "
				       "WHERE internal = 1), (SELECT count(*) FROM person_appearances)",
				       -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW)
			goto dberr;
		stats->people = (uint64_t)sqlite3_column_int64(s, 0);
		stats->internal = (uint64_t)sqlite3_column_int64(s, 1);
		stats->appearances = (uint64_t)sqlite3_column_int64(s, 2);
		stats->findings_used = findings;
		sqlite3_finalize(s);
	}
	return LKA_OK;
dberr:
	lka_case__dberr(kase, err, "people");
	if (err)
		err->status = LKA_FATAL;
	sqlite3_finalize(s);
	return LKA_FATAL;
}

lka_status
lka_people_rebuild(lka_case *kase, const lka_people_opts *opts, lka_people_stats *stats,
		   lka_error *err)
{
	char **doms = NULL, *djson;
	size_t nd = 0;
	lka_status st;

	if (stats)
		memset(stats, 0, sizeof *stats);
	if (!kase)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, NULL, "no case");
	djson = domains_json(opts, &doms, &nd);
	if (!djson) {
		free_list(doms, nd);
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	}
	if ((st = lka_case__begin(kase, err)) != LKA_OK)
		goto out;
	st = rebuild(kase, djson, doms, nd, stats, err);
	if (st == LKA_OK)
		st = lka_case__commit(kase, err);
	else
		lka_case__rollback(kase);
	if (st == LKA_OK && stats)
		stats->rebuilt = 1;
out:
	free(djson);
	free_list(doms, nd);
	return st;
}

lka_status
lka_people_ensure(lka_case *kase, const lka_people_opts *opts, lka_people_stats *stats,
		  lka_error *err)
{
	char **doms = NULL, *djson;
	size_t nd = 0;
	sqlite3_stmt *s = NULL;
	bool fresh = false;

	if (!kase)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, NULL, "no case");
	djson = domains_json(opts, &doms, &nd);
	free_list(doms, nd);
	if (!djson)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
	if (sqlite3_prepare_v2(kase->db,
			       table_exists(kase, "scans") ?
				       "SELECT b.internal_domains = ?1 AND b.built_at > coalesce((SELECT "
				       "max(started_at) FROM ingest_runs), '') AND b.built_at > "
				       "coalesce((SELECT max(coalesce(finished_at, started_at)) FROM scans), "
				       "'') FROM people_build b" :
				       "SELECT b.internal_domains = ?1 AND b.built_at > coalesce((SELECT "
				       "max(started_at) FROM ingest_runs), '') FROM people_build b",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, djson, -1, SQLITE_STATIC);
		fresh = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
	}
	sqlite3_finalize(s);
	free(djson);
	if (!fresh)
		return lka_people_rebuild(kase, opts, stats, err);
	if (stats) {
		memset(stats, 0, sizeof *stats);
		if (sqlite3_prepare_v2(kase->db,
				       "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM people "
				       "WHERE internal = 1), (SELECT count(*) FROM person_appearances), "
				       "(SELECT findings_used FROM people_build)",
				       -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW) {
			stats->people = (uint64_t)sqlite3_column_int64(s, 0);
			stats->internal = (uint64_t)sqlite3_column_int64(s, 1);
			stats->appearances = (uint64_t)sqlite3_column_int64(s, 2);
			stats->findings_used = sqlite3_column_int(s, 3);
		}
		sqlite3_finalize(s);
	}
	return LKA_OK;
}
