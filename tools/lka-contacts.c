/*
 * lka-contacts — the address-book inventory of a case: every address book
 * found (file, PST folder, or attachment), where, how many entries, lists
 * and distinct addresses; and the merged list of the addresses they hold.
 * Reads only.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "out.h"

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db\n"
	       "List the address books found in the case (vCard, LDIF, CSV files, PST\n"
	       "contact folders, books attached to messages): where, entries, lists, e-mail\n"
	       "properties and distinct addresses each; then the merged list of addresses.\n"
	       "\n"
	       "Options:\n"
	       "  -m, --merged     only the merged list (one row per distinct address)\n"
	       "  -b, --books      only the list of address books\n"
	       "  -f, --format F   table (default), csv or jsonl; csv and jsonl print the\n"
	       "                   books unless --merged is given\n"
	       "  -h, --help       show this help\n"
	       "  -V, --version    show the version\n"
	       "\n"
	       "Exit status: 0 done; 2 usage error; 3 could not run.\n",
	       tool_name);
}

static const char *const book_cols[] = {
	"source", "file", "format", "folder", "message_id", "attachment_id", "attachment",
	"entries", "lists", "email_properties", "distinct_addresses", "phones",
};
static const bool book_num[] = { 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1 };
static const char book_sql[] =
	"SELECT s.path, sf.relpath, sf.format, f.path, c.message_id, c.attachment_id, "
	"(SELECT coalesce(a.filename, a.declared_type) FROM attachments a WHERE a.id = c.attachment_id), "
	"count(*), "
	"sum(c.is_list), sum(c.email_count), "
	"(SELECT count(DISTINCT e.address) FROM contact_emails e JOIN contacts c2 ON c2.id = e.contact_id "
	"  WHERE c2.source_id = c.source_id AND c2.source_file_id IS c.source_file_id "
	"  AND c2.folder_id IS c.folder_id AND c2.message_id IS c.message_id "
	"  AND c2.attachment_id IS c.attachment_id), sum(c.phone_count) "
	"FROM contacts c JOIN sources s ON s.id = c.source_id "
	"LEFT JOIN source_files sf ON sf.id = c.source_file_id LEFT JOIN folders f ON f.id = c.folder_id "
	"GROUP BY c.source_id, c.source_file_id, c.folder_id, c.message_id, c.attachment_id "
	"ORDER BY s.path, sf.relpath, f.path, c.message_id, c.attachment_id";

static const char *const merged_cols[] = {
	"address", "names", "entries", "books", "organizations", "phones", "found_in",
};
static const bool merged_num[] = { 0, 0, 1, 1, 0, 0, 0 };
static const char merged_sql[] =
	"WITH x AS (SELECT e.address, c.id AS cid, c.full_name, c.organization, "
	"  s.path || '/' || coalesce(sf.relpath, '') || coalesce(' [' || nullif(f.path, '') || ']', '') "
	"  || coalesce(' (message ' || c.message_id || ', attachment ' || c.attachment_id || ')', '') "
	"  AS book "
	"  FROM contact_emails e JOIN contacts c ON c.id = e.contact_id "
	"  JOIN sources s ON s.id = c.source_id LEFT JOIN source_files sf ON sf.id = c.source_file_id "
	"  LEFT JOIN folders f ON f.id = c.folder_id WHERE e.address IS NOT NULL) "
	"SELECT address, "
	"(SELECT group_concat(n, ' | ') FROM (SELECT DISTINCT full_name AS n FROM x x2 "
	"  WHERE x2.address = x.address AND full_name IS NOT NULL ORDER BY n)), "
	"count(DISTINCT cid), count(DISTINCT book), "
	"(SELECT group_concat(o, ' | ') FROM (SELECT DISTINCT organization AS o FROM x x2 "
	"  WHERE x2.address = x.address AND organization IS NOT NULL ORDER BY o)), "
	"(SELECT group_concat(p, ' ') FROM (SELECT DISTINCT coalesce(cp.e164, cp.raw) AS p "
	"  FROM x x2 JOIN contact_phones cp ON cp.contact_id = x2.cid WHERE x2.address = x.address "
	"  ORDER BY p)), "
	"(SELECT group_concat(b, ' | ') FROM (SELECT DISTINCT book AS b FROM x x2 "
	"  WHERE x2.address = x.address ORDER BY b)) "
	"FROM x GROUP BY address ORDER BY address";

static int
emit(sqlite3 *db, const char *sql, out_format fmt, const char *const *cols, const bool *num,
     size_t ncols)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	rc = out_query(s, fmt, stdout, cols, num, ncols);
	sqlite3_finalize(s);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "merged", no_argument, NULL, 'm' },
		{ "books", no_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	out_format fmt = OUT_TABLE;
	bool merged = false, books = false;
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	sqlite3 *db;
	int c, rc = TOOL_CANNOT;

	tool_name = "lka-contacts";
	while ((c = getopt_long(argc, argv, "mbf:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			merged = true;
			break;
		case 'b':
			books = true;
			break;
		case 'f':
			if (!out_parse_format(optarg, &fmt))
				return tool_usage_error("unknown format '%s' (csv, jsonl, table)", optarg);
			break;
		default:
			return tool_std_option(c, usage);
		}
	}
	if (argc - optind != 1)
		return tool_usage_error("need exactly one case database");
	if (merged && books)
		return tool_usage_error("--merged and --books: choose one");
	if (tool_open_case(&ctx, &kase, argv[optind], LKA_CASE_READONLY) != TOOL_OK)
		goto out;
	db = lka_case_sqlite(kase);
	if (fmt != OUT_TABLE && !merged)
		books = true;
	if (!merged) {
		if (fmt == OUT_TABLE && !books)
			printf("Address books\n\n");
		if ((rc = emit(db, book_sql, fmt, book_cols, book_num,
			       sizeof book_cols / sizeof *book_cols)) != TOOL_OK)
			goto out;
	}
	if (!books) {
		if (fmt == OUT_TABLE && !merged)
			printf("\nAddresses (merged)\n\n");
		if ((rc = emit(db, merged_sql, fmt, merged_cols, merged_num,
			       sizeof merged_cols / sizeof *merged_cols)) != TOOL_OK)
			goto out;
	}
	rc = TOOL_OK;
out:
	lka_case_free(kase);
	lka_ctx_free(ctx);
	return rc;
}
