/*
 * lka-notify — the notification list: one row per person whose data the
 * case holds (or one row per e-mail domain with --by-domain), with names,
 * the best contact channel, how they are exposed (address book,
 * correspondence, mentioned), the categories of personal data found about
 * them, counts, first and last dates and the sources.  Rebuilds the people
 * tables first when they are missing or stale (lka_people_ensure).
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "leakaudit/people.h"
#include "out.h"

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db\n"
	       "List every person whose data the case holds, to notify them: names, best\n"
	       "contact channel, exposure (address_book, correspondence, mentioned),\n"
	       "categories of personal data found, counts, first and last dates, sources.\n"
	       "\n"
	       "Options:\n"
	       "  -I, --internal-domain D  the organisation's own domain (repeatable): its\n"
	       "                           people are internal (staff)\n"
	       "  -d, --domain D           only people of domain D or its sub-domains (repeatable)\n"
	       "      --internal           only internal people\n"
	       "      --external           only external people\n"
	       "  -e, --exposure KIND      only people exposed this way: address_book,\n"
	       "                           correspondence, mentioned (repeatable: any of them)\n"
	       "  -g, --by-domain          one row per e-mail domain (organisation) instead\n"
	       "  -f, --format F           csv (default), jsonl or table\n"
	       "      --rebuild            rebuild the people tables even if up to date\n"
	       "      --no-rebuild         use the people tables as they are (read-only open)\n"
	       "  -h, --help               show this help\n"
	       "  -V, --version            show the version\n"
	       "\n"
	       "CSV cells that a spreadsheet could read as a formula (starting with = + - @\n"
	       "TAB or CR) get a leading apostrophe.\n"
	       "Exit status: 0 done; 2 usage error; 3 could not run.\n",
	       tool_name);
}

enum { OPT_INTERNAL = 256, OPT_EXTERNAL, OPT_REBUILD, OPT_NO_REBUILD };

/* A JSON array of strings (lower-cased ASCII, leading '@' and '.' dropped). */
static char *
json_list(char **v, size_t n)
{
	size_t cap = 3;
	char *res, *w;

	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(v[i]) + 3;
	res = malloc(cap);
	if (!res)
		return NULL;
	w = res;
	*w++ = '[';
	for (size_t i = 0; i < n; i++) {
		const char *s = v[i];
		while (*s == '@' || *s == '.')
			s++;
		if (i)
			*w++ = ',';
		*w++ = '"';
		for (; *s; s++) {
			char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
			if (c == '"' || c == '\\')
				*w++ = '\\';
			*w++ = c;
		}
		*w++ = '"';
	}
	*w++ = ']';
	*w = '\0';
	return res;
}

static const char person_sql[] =
	"WITH f AS (SELECT p.*, "
	"  EXISTS (SELECT 1 FROM person_appearances a WHERE a.person_id = p.id "
	"    AND a.kind = 'address_book') AS x_book, "
	"  EXISTS (SELECT 1 FROM person_appearances a WHERE a.person_id = p.id "
	"    AND a.kind IN ('sender', 'recipient', 'attendee')) AS x_mail, "
	"  EXISTS (SELECT 1 FROM person_appearances a WHERE a.person_id = p.id "
	"    AND a.kind IN ('mentioned_body', 'mentioned_attachment')) AS x_ment "
	"  FROM people p), "
	"g AS (SELECT * FROM f WHERE "
	"  (?1 IS NULL OR EXISTS (SELECT 1 FROM json_each(?1) j WHERE f.domain = j.value "
	"    OR substr(f.domain, -length(j.value) - 1) = '.' || j.value)) "
	"  AND (?2 < 0 OR f.internal = ?2) "
	"  AND (?3 = 0 OR ((?3 & 1) AND x_book) OR ((?3 & 2) AND x_mail) OR ((?3 & 4) AND x_ment))) ";

static const char *const person_cols[] = {
	"key", "name", "other_names", "channel", "contact", "addresses", "phone", "domain",
	"internal", "exposure", "categories", "address_book_entries", "messages", "mentions",
	"first_seen", "last_seen", "sources",
};
static const bool person_num[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0 };

static const char person_select[] =
	"SELECT g.key, g.display_name, "
	"(SELECT group_concat(name, ' | ') FROM (SELECT name FROM person_names n "
	"  WHERE n.person_id = g.id AND name IS NOT g.display_name ORDER BY occurrences DESC, "
	"  length(name) DESC, name)), "
	"CASE WHEN g.address IS NOT NULL THEN 'email' WHEN g.phone_e164 IS NOT NULL THEN 'phone' "
	"  ELSE 'none' END, "
	"coalesce((SELECT pe.address FROM person_emails pe WHERE pe.person_id = g.id ORDER BY "
	"  (SELECT count(*) FROM recipients r WHERE r.address = pe.address) DESC, pe.address LIMIT 1), "
	"  g.phone_e164), "
	"(SELECT group_concat(address, ' ') FROM (SELECT address FROM person_emails pe "
	"  WHERE pe.person_id = g.id ORDER BY address)), "
	"g.phone_e164, g.domain, g.internal, "
	"rtrim(CASE WHEN x_book THEN 'address_book,' ELSE '' END || "
	"  CASE WHEN x_mail THEN 'correspondence,' ELSE '' END || "
	"  CASE WHEN x_ment THEN 'mentioned,' ELSE '' END, ','), "
	"(SELECT group_concat(category, ',') FROM (SELECT category FROM person_categories c "
	"  WHERE c.person_id = g.id ORDER BY category)), "
	"g.in_address_books, g.messages, "
	"(SELECT count(*) FROM person_appearances a WHERE a.person_id = g.id "
	"  AND a.kind IN ('mentioned_body', 'mentioned_attachment')), "
	"g.first_seen, g.last_seen, "
	"(SELECT group_concat(path, ' | ') FROM (SELECT DISTINCT s.path FROM person_appearances a "
	"  JOIN sources s ON s.id = a.source_id WHERE a.person_id = g.id ORDER BY s.path)) "
	"FROM g ORDER BY g.domain IS NULL, g.domain, g.key";

static const char *const domain_cols[] = {
	"domain", "internal", "people", "address_book", "correspondence", "mentioned",
	"categories", "first_seen", "last_seen",
};
static const bool domain_num[] = { 0, 1, 1, 1, 1, 1, 0, 0, 0 };

static const char domain_select[] =
	"SELECT coalesce(g.domain, '(phone only)'), max(g.internal), count(*), sum(x_book), "
	"sum(x_mail), sum(x_ment), "
	"(SELECT group_concat(category, ',') FROM (SELECT DISTINCT c.category FROM person_categories c "
	"  JOIN people q ON q.id = c.person_id WHERE q.domain IS g.domain ORDER BY c.category)), "
	"min(g.first_seen), max(g.last_seen) "
	"FROM g GROUP BY g.domain ORDER BY g.domain IS NULL, g.domain";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "internal-domain", required_argument, NULL, 'I' },
		{ "domain", required_argument, NULL, 'd' },
		{ "internal", no_argument, NULL, OPT_INTERNAL },
		{ "external", no_argument, NULL, OPT_EXTERNAL },
		{ "exposure", required_argument, NULL, 'e' },
		{ "by-domain", no_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ "no-rebuild", no_argument, NULL, OPT_NO_REBUILD },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char **idom = calloc((size_t)argc + 1, sizeof *idom), **dom = calloc((size_t)argc + 1, sizeof *dom);
	size_t nidom = 0, ndom = 0;
	int internal = -1, exposure = 0, by_domain = 0, rebuild = 0, no_rebuild = 0, c;
	out_format fmt = OUT_CSV;
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	lka_error err = { 0 };
	lka_people_stats st;
	sqlite3_stmt *s = NULL;
	char *domjson = NULL, *sql = NULL;
	int rc = TOOL_CANNOT;

	(void)st;

	tool_name = "lka-notify";
	if (!idom || !dom)
		return tool_error(TOOL_CANNOT, "out of memory");
	while ((c = getopt_long(argc, argv, "I:d:e:gf:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			idom[nidom++] = optarg;
			break;
		case 'd':
			dom[ndom++] = optarg;
			break;
		case OPT_INTERNAL:
			internal = 1;
			break;
		case OPT_EXTERNAL:
			internal = 0;
			break;
		case 'e':
			if (!strcmp(optarg, "address_book") || !strcmp(optarg, "address-book"))
				exposure |= 1;
			else if (!strcmp(optarg, "correspondence"))
				exposure |= 2;
			else if (!strcmp(optarg, "mentioned"))
				exposure |= 4;
			else {
				rc = tool_usage_error("unknown exposure '%s' (address_book, "
						      "correspondence, mentioned)", optarg);
				goto out;
			}
			break;
		case 'g':
			by_domain = 1;
			break;
		case 'f':
			if (!out_parse_format(optarg, &fmt)) {
				rc = tool_usage_error("unknown format '%s' (csv, jsonl, table)", optarg);
				goto out;
			}
			break;
		case OPT_REBUILD:
			rebuild = 1;
			break;
		case OPT_NO_REBUILD:
			no_rebuild = 1;
			break;
		default:
			rc = tool_std_option(c, usage);
			goto out;
		}
	}
	if (argc - optind != 1) {
		rc = tool_usage_error("need exactly one case database");
		goto out;
	}
	if (rebuild && no_rebuild) {
		rc = tool_usage_error("--rebuild and --no-rebuild contradict each other");
		goto out;
	}
	if (tool_open_case(&ctx, &kase, argv[optind], no_rebuild ? LKA_CASE_READONLY : 0) !=
	    TOOL_OK)
		goto out;
	if (!no_rebuild) {
		lka_people_opts po = { (const char *const *)idom, nidom };
		if ((rebuild ? lka_people_rebuild : lka_people_ensure)(kase, &po, &st, &err) != LKA_OK) {
			tool_fail(&err);
			goto out;
		}
	}
	domjson = ndom ? json_list(dom, ndom) : NULL;
	sql = malloc(sizeof person_sql + sizeof person_select + sizeof domain_select);
	if (!sql || (ndom && !domjson)) {
		rc = tool_error(TOOL_CANNOT, "out of memory");
		goto out;
	}
	strcpy(sql, person_sql);
	strcat(sql, by_domain ? domain_select : person_select);
	if (sqlite3_prepare_v2(lka_case_sqlite(kase), sql, -1, &s, NULL) != SQLITE_OK) {
		rc = tool_error(TOOL_CANNOT, "query failed: %s",
				sqlite3_errmsg(lka_case_sqlite(kase)));
		goto out;
	}
	if (domjson)
		sqlite3_bind_text(s, 1, domjson, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, internal);
	sqlite3_bind_int(s, 3, exposure);
	if (by_domain)
		rc = out_query(s, fmt, stdout, domain_cols, domain_num,
			       sizeof domain_cols / sizeof *domain_cols);
	else
		rc = out_query(s, fmt, stdout, person_cols, person_num,
			       sizeof person_cols / sizeof *person_cols);
out:
	sqlite3_finalize(s);
	free(sql);
	free(domjson);
	free(idom);
	free(dom);
	lka_case_free(kase);
	lka_ctx_free(ctx);
	return rc;
}
