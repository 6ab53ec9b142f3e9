/*
 * lka-info — a short account of what a case holds: sources and their
 * status, messages, attachments, people, duplicates and errors.  Reads only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db\n"
	       "Summarise what the case database holds: every evidence source with its\n"
	       "status and hash, totals of messages, attachments, archive members, address\n"
	       "books and addresses, duplicate deliveries, PST folders holding fewer items\n"
	       "than they list, the busiest correspondents, the personal data found\n"
	       "(lka-scan), the people (lka-notify), the attachment flags\n"
	       "(lka-attachments triage) and the errors recorded.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --top N     how many correspondents and error kinds to list (default 10)\n"
	       "  -h, --help      show this help\n"
	       "  -V, --version   show the version\n"
	       "\n"
	       "Exit status: 0 done; 2 usage error; 3 could not run.\n",
	       tool_name);
}

/* Run a query with one optional integer parameter and print each row with fmt-like columns. */
static int
rows(sqlite3 *db, const char *sql, int64_t param,
     void (*fn)(sqlite3_stmt *st, void *payload), void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, param);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(st, payload);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	return TOOL_OK;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

/* Does the case have this table or view?  (An older case opened read-only may not.) */
static bool
has(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return yes;
}

static void
print_source(sqlite3_stmt *st, void *payload)
{
	char a[32], b[32], c[32];

	(void)payload;
	printf("  #%lld %-8s %-8s %s\n       sha256 %s  %s bytes, %s files, %s messages\n",
	       (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4),
	       tool_num(a, sizeof a, (uint64_t)sqlite3_column_int64(st, 5)),
	       tool_num(b, sizeof b, (uint64_t)sqlite3_column_int64(st, 6)),
	       tool_num(c, sizeof c, (uint64_t)sqlite3_column_int64(st, 7)));
}

static void
print_total(sqlite3_stmt *st, void *payload)
{
	char a[32];

	(void)payload;
	printf("  %-34s %12s\n", col(st, 0), tool_num(a, sizeof a, (uint64_t)sqlite3_column_int64(st, 1)));
}

/* payload: NULL, or an int counting the rows printed */
static void
print_pair(sqlite3_stmt *st, void *payload)
{
	if (payload)
		++*(int *)payload;
	printf("  %6lld  %s\n", (long long)sqlite3_column_int64(st, 1), col(st, 0));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	uint64_t top = 10;
	sqlite3 *db;
	int c, rc = TOOL_CANNOT;

	tool_name = "lka-info";
	while ((c = getopt_long(argc, argv, "n:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!tool_parse_u64("--top", optarg, 100000, &top))
				return TOOL_USAGE;
			break;
		default: /* -h, -V, unknown */
			return tool_std_option(c, usage);
		}
	}
	if (argc - optind != 1)
		return tool_usage_error("need exactly one case database");
	if (tool_open_case(&ctx, &kase, argv[optind], LKA_CASE_READONLY) != TOOL_OK)
		goto out;
	db = lka_case_sqlite(kase);
	printf("Case %s\n\nSources\n", argv[optind]);
	if ((rc = rows(db,
		       "SELECT id, kind, status, path, sha256, bytes,"
		       " (SELECT count(*) FROM source_files f WHERE f.source_id = s.id),"
		       " (SELECT count(*) FROM messages m WHERE m.source_id = s.id)"
		       " FROM sources s ORDER BY id",
		       0, print_source, NULL)) != TOOL_OK)
		goto out;
	printf("\nTotals\n");
	if ((rc = rows(db,
		       "SELECT 'messages (occurrences)', count(*) FROM messages"
		       " UNION ALL SELECT '  of which embedded', count(*) FROM messages"
		       "   WHERE parent_attachment_id IS NOT NULL"
		       " UNION ALL SELECT '  distinct by content (SHA-256)', count(DISTINCT raw_sha256)"
		       "   FROM messages WHERE raw_sha256 IS NOT NULL"
		       " UNION ALL SELECT 'duplicate deliveries', coalesce(sum(n - 1), 0) FROM"
		       "   (SELECT count(*) AS n FROM messages WHERE raw_sha256 IS NOT NULL"
		       "    GROUP BY raw_sha256 HAVING n > 1)"
		       " UNION ALL SELECT 'attachments', count(*) FROM attachments"
		       " UNION ALL SELECT '  of which archive/container members', count(*)"
		       "   FROM attachments WHERE parent_attachment_id IS NOT NULL"
		       " UNION ALL SELECT '  distinct by SHA-256', count(DISTINCT sha256) FROM attachments"
		       " UNION ALL SELECT 'folders', count(*) FROM folders"
		       " UNION ALL SELECT 'distinct addresses in mail', count(DISTINCT address) FROM recipients"
		       " UNION ALL SELECT 'errors recorded', count(*) FROM errors",
		       0, print_total, NULL)) != TOOL_OK)
		goto out;
	if (has(db, "contacts") &&
	    (rc = rows(db,
		       "SELECT 'address-book entries', count(*) FROM contacts"
		       " UNION ALL SELECT '  of which lists', count(*) FROM contacts WHERE is_list"
		       " UNION ALL SELECT '  distinct addresses in them', count(DISTINCT address)"
		       "   FROM contact_emails"
		       " UNION ALL SELECT '  attached to messages', count(*) FROM contacts"
		       "   WHERE message_id IS NOT NULL",
		       0, print_total, NULL)) != TOOL_OK)
		goto out;
	if (has(db, "people_build") &&
	    (rc = rows(db,
		       "SELECT 'people (as of the last rebuild)', count(*) FROM people"
		       " UNION ALL SELECT '  internal (staff)', count(*) FROM people WHERE internal"
		       " UNION ALL SELECT '  external', count(*) FROM people WHERE NOT internal"
		       " LIMIT (SELECT count(*) * 3 FROM people_build)",
		       0, print_total, NULL)) != TOOL_OK)
		goto out;
	if (has(db, "folder_completeness") && has(db, "folder_counts")) {
		int n = 0;

		printf("\nPST folders holding fewer items than they list\n");
		if ((rc = rows(db,
			       "SELECT path || ' (' || engine || ')', shortfall FROM folder_completeness"
			       " WHERE shortfall > 0 ORDER BY shortfall DESC, path LIMIT ?1",
			       (int64_t)top, print_pair, &n)) != TOOL_OK)
			goto out;
		if (n == 0)
			printf("  none (%s)\n", "every PST folder's items were read, or no PST");
	}
	printf("\nBusiest correspondents (messages)\n");
	if ((rc = rows(db,
		       "SELECT address, count(DISTINCT message_id) AS n FROM recipients"
		       " WHERE address IS NOT NULL GROUP BY address ORDER BY n DESC, address LIMIT ?1",
		       (int64_t)top, print_pair, NULL)) != TOOL_OK)
		goto out;
	if (has(db, "findings")) {
		printf("\nPersonal data found (lka-scan): findings by category\n");
		if ((rc = rows(db,
			       "SELECT category, count(*) AS n FROM findings"
			       " WHERE validator <> 'invalid' GROUP BY category ORDER BY n DESC, category",
			       0, print_pair, NULL)) != TOOL_OK)
			goto out;
	}
	if (has(db, "attachment_flags")) {
		printf("\nAttachment triage flags (lka-attachments triage)\n");
		if ((rc = rows(db,
			       "SELECT flag, count(*) AS n FROM attachment_flags"
			       " GROUP BY flag ORDER BY n DESC, flag LIMIT ?1",
			       (int64_t)top, print_pair, NULL)) != TOOL_OK)
			goto out;
		if (has(db, "triage_runs") &&
		    (rc = rows(db,
			       "SELECT 'flags, computed ' || finished_at || ' by leakaudit ' || tool_version"
			       " || coalesce(' with the IOC list ' || ioc_path || ' (SHA-256 '"
			       " || ioc_sha256 || ')', ' without an IOC list'), flags"
			       " FROM triage_runs WHERE outcome = 'complete' ORDER BY id DESC LIMIT 1",
			       0, print_pair, NULL)) != TOOL_OK)
			goto out;
	}
	printf("\nErrors by severity and kind\n");
	if ((rc = rows(db,
		       "SELECT severity || ' ' || kind, count(*) AS n FROM errors"
		       " GROUP BY severity, kind ORDER BY n DESC LIMIT ?1",
		       (int64_t)top, print_pair, NULL)) != TOOL_OK)
		goto out;
	rc = TOOL_OK;
out:
	lka_case_free(kase);
	lka_ctx_free(ctx);
	return rc;
}
