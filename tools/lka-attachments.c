/*
 * lka-attachments — attachment inventory, summaries, hash lists, triage
 * and safe extraction over a case.  Thin: queries and output here, the
 * triage and extraction in the library (leakaudit/attachments.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "leakaudit/attachments.h"

enum fmt { FMT_DEFAULT, FMT_CSV, FMT_JSONL, FMT_TABLE };

struct opts {
	const char *case_path, *command, *ioc, *to;
	char *argv_text; /* the command line, for triage_runs */
	enum fmt fmt;
	uint64_t top;
	char *sha256, *message, *type, *flag, *internal; /* JSON arrays, or NULL */
	bool all;
};

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db [COMMAND]\n"
	       "Attachments of a case: what left, where it went, which ones carry an attack.\n"
	       "\n"
	       "Commands:\n"
	       "  inventory   every attachment with its message, folder, types, size, SHA-256,\n"
	       "              copies, first/last date, text status and flags (default)\n"
	       "  summary     counts and bytes by type and extension, the largest, the most\n"
	       "              copied, those sent outside (--internal-domain), Sent-only ones\n"
	       "  hashes      distinct SHA-256 and file name, one per line\n"
	       "  triage      compute the flags (attachment_flags) and IOC matches (ioc_matches)\n"
	       "  extract     write the selected attachments into --to DIR under safe names,\n"
	       "              with DIR/manifest.tsv; every written file's hash is checked\n"
	       "\n"
	       "Options:\n"
	       "  -f, --format F          csv, jsonl or table (inventory: csv; summary: table)\n"
	       "      --ioc FILE          triage: IOC list (SHA-256, file names, sender domains or\n"
	       "                          addresses; one per line, '#' comments)\n"
	       "      --to DIR            extract: target folder (created if missing)\n"
	       "      --sha256 H          select by content hash (repeatable)\n"
	       "      --message ID        select by messages.id (repeatable)\n"
	       "      --type T            select by extension (pdf) or MIME type (application/pdf,\n"
	       "                          image/*), declared or detected (repeatable)\n"
	       "      --flag F            select attachments with triage flag F, or 'any' (repeatable)\n"
	       "      --all               extract: everything (no selection needed)\n"
	       "      --internal-domain D summary: the organisation's domain (repeatable)\n"
	       "  -n, --top N             rows in summary lists (default 10)\n"
	       "  -h, --help              show this help\n"
	       "  -V, --version           show the version\n"
	       "\n"
	       "Exit status: 0 done; 1 done, but some stored contents could not be read back\n"
	       "(triage) or some attachments could not be extracted (extract);\n"
	       "2 usage error; 3 could not run.\n",
	       tool_name);
}

/* ------------------------------------------------------------ selection */

/* Append s to the JSON array *arr (created on first use). */
static bool
json_push(char **arr, const char *s)
{
	size_t old = *arr ? strlen(*arr) : 0, need = old + 6 * strlen(s) + 8;
	char *p = realloc(*arr, need), *o;

	if (!p)
		return false;
	if (!*arr)
		strcpy(p, "[]");
	*arr = p;
	o = p + strlen(p) - 1; /* at ']' */
	if (o > p + 1)
		*o++ = ',';
	*o++ = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*o++ = '\\';
			*o++ = (char)*c;
		} else if (*c < 0x20) {
			o += sprintf(o, "\\u%04x", *c);
		} else {
			*o++ = (char)*c;
		}
	}
	*o++ = '"';
	*o++ = ']';
	*o = '\0';
	return true;
}

/* An encrypted member no password opened (attachment_inventory.locked,
 * spelt out so that a case whose views predate that column still works
 * read-only): its bytes and hash are not its content's. */
#define LOCKED_SQL                                                                            \
	"EXISTS (SELECT 1 FROM attachments la JOIN attachments lp ON lp.id = la.parent_attachment_id " \
	"WHERE la.id = i.attachment_id AND la.encrypted AND lp.password IS NULL)"

/* WHERE clause over attachment_inventory i; parameters ?1..?4 (JSON arrays or NULL). */
static const char sel_where[] =
	" WHERE (?1 IS NULL OR i.sha256 IN (SELECT lower(value) FROM json_each(?1)))"
	" AND (?2 IS NULL OR i.message_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2)))"
	" AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(?3) t WHERE"
	"   (instr(t.value, '/') = 0 AND i.extension = lower(t.value)) OR"
	"   (instr(t.value, '/') > 0 AND (lower(i.declared_type) LIKE replace(lower(t.value), '*', '%')"
	"    OR lower(i.detected_type) LIKE replace(lower(t.value), '*', '%')))))"
	" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM attachment_flags af, json_each(?4) t"
	"   WHERE af.attachment_id = i.attachment_id AND (t.value = 'any' OR af.flag = t.value)))";

static void
bind_sel(sqlite3_stmt *s, const struct opts *o)
{
	const char *v[4] = { o->sha256, o->message, o->type, o->flag };
	for (int i = 0; i < 4; i++) {
		if (v[i])
			sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, i + 1);
	}
}

static bool
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = ?1", -1, &s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

/* --------------------------------------------------------------- output */

/* Text for a terminal: control and bidi characters shown, not obeyed. */
static void
put_safe(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *c = (const unsigned char *)s; *c && n < max; c++, n++) {
		if (*c < 0x20 || *c == 0x7F) {
			fputc('?', f);
		} else if (c[0] == 0xE2 && c[1] == 0x80 && (c[2] >= 0xAA && c[2] <= 0xAE)) {
			fprintf(f, "<U+20%02X>", c[2] - 0x80);
			c += 2;
		} else if (c[0] == 0xE2 && c[1] == 0x81 && (c[2] >= 0xA6 && c[2] <= 0xA9)) {
			fprintf(f, "<U+20%02X>", c[2] - 0x80 + 0x40);
			c += 2;
		} else {
			fputc(*c, f);
		}
	}
}

static void
put_csv(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c < 0x20 || *c == 0x7F)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

/* Print every row of s; header once (for CSV) when *header is false. */
static int
print_rows(sqlite3 *db, sqlite3_stmt *s, enum fmt fmt, bool *header)
{
	int nc = sqlite3_column_count(s), rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!*header) {
			*header = true;
			for (int i = 0; i < nc && fmt != FMT_JSONL; i++) {
				if (i)
					fputc(fmt == FMT_CSV ? ',' : '\t', stdout);
				fputs(sqlite3_column_name(s, i), stdout);
			}
			if (fmt != FMT_JSONL)
				fputc('\n', stdout);
		}
		if (fmt == FMT_JSONL)
			fputc('{', stdout);
		for (int i = 0; i < nc; i++) {
			int t = sqlite3_column_type(s, i);
			const char *v = (const char *)sqlite3_column_text(s, i);
			if (fmt == FMT_JSONL) {
				if (i)
					fputc(',', stdout);
				put_json_str(stdout, sqlite3_column_name(s, i));
				fputc(':', stdout);
				if (t == SQLITE_NULL)
					fputs("null", stdout);
				else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
					fputs(v, stdout);
				else
					put_json_str(stdout, v);
				continue;
			}
			if (i)
				fputc(fmt == FMT_CSV ? ',' : '\t', stdout);
			if (t == SQLITE_NULL)
				continue;
			if (fmt == FMT_CSV)
				put_csv(stdout, v);
			else
				put_safe(stdout, v, 160);
		}
		fputs(fmt == FMT_JSONL ? "}\n" : "\n", stdout);
	}
	if (rc != SQLITE_DONE)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	return TOOL_OK;
}

static int
query_print(sqlite3 *db, const char *sql, const struct opts *o, enum fmt fmt, bool *header)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	for (int i = 1; i <= sqlite3_bind_parameter_count(s); i++) {
		const char *pn = sqlite3_bind_parameter_name(s, i);
		if (pn && strcmp(pn, "?5") == 0) {
			sqlite3_bind_int64(s, i, (sqlite3_int64)o->top);
		} else if (pn && strcmp(pn, "?6") == 0) {
			if (o->internal)
				sqlite3_bind_text(s, i, o->internal, -1, SQLITE_STATIC);
		}
	}
	if (sqlite3_bind_parameter_count(s) >= 4)
		bind_sel(s, o);
	rc = print_rows(db, s, fmt, header);
	sqlite3_finalize(s);
	return rc;
}

/* ------------------------------------------------------------- commands */

static int
cmd_inventory(sqlite3 *db, const struct opts *o)
{
	char sql[4096];
	bool header = false;
	bool text = table_exists(db, "attachment_text");

	snprintf(sql, sizeof sql,
		 "SELECT i.*, %s AS text_status FROM attachment_inventory i %s "
		 "ORDER BY i.attachment_id",
		 text ? "(SELECT t.status FROM attachment_text t WHERE t.sha256 = i.sha256)" : "NULL",
		 sel_where);
	return query_print(db, sql, o, o->fmt == FMT_DEFAULT ? FMT_CSV : o->fmt, &header);
}

static int
cmd_hashes(sqlite3 *db, const struct opts *o)
{
	char sql[2048];
	sqlite3_stmt *s = NULL;
	int rc;

	snprintf(sql, sizeof sql,
		 "SELECT DISTINCT i.sha256, coalesce(i.filename, '-') FROM attachment_inventory i %s "
		 "AND NOT " LOCKED_SQL " ORDER BY 1, 2", /* a locked member's hash is not its content's */
		 sel_where);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	bind_sel(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		printf("%s  ", (const char *)sqlite3_column_text(s, 0));
		put_safe(stdout, (const char *)sqlite3_column_text(s, 1), 4096);
		putchar('\n');
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
	return TOOL_OK;
}

#define SENT_FOLDER                                                                           \
	"(lower(f.name) LIKE '%sent%' OR lower(f.name) LIKE '%envoy%' OR "                     \
	"lower(f.name) LIKE '%gesendet%' OR lower(f.name) LIKE '%enviado%')"

/* What the summaries count: attachments and archive members, not the parts
 * of OOXML documents (their [Content_Types].xml, .rels and XML would top
 * every list) nor encrypted members no password opened (no content: their
 * hash is the empty content's). */
#define SUMMARY_SET                                                                        \
	"WITH summ AS (SELECT a.* FROM attachments a WHERE NOT (a.parent_attachment_id IS NOT NULL " \
	"AND (EXISTS (SELECT 1 FROM attachments p WHERE p.parent_attachment_id = "              \
	"a.parent_attachment_id AND p.part_path = '[Content_Types].xml') OR (a.encrypted AND "  \
	"(SELECT c.password FROM attachments c WHERE c.id = a.parent_attachment_id) IS NULL)))) "

static int
cmd_summary(sqlite3 *db, const struct opts *o)
{
	static const struct {
		const char *title, *sql;
	} sections[] = {
		{ "By detected type",
		  SUMMARY_SET "SELECT 'by_type' AS section, coalesce(detected_type, 'unknown') AS key, "
		  "count(*) AS "
		  "attachments, count(DISTINCT sha256) AS contents, sum(bytes) AS bytes, NULL AS detail "
		  "FROM summ GROUP BY 2 ORDER BY 3 DESC, 2" },
		{ "By extension",
		  SUMMARY_SET "SELECT 'by_extension', coalesce(CASE WHEN instr(filename, '.') > 0 THEN "
		  "lower(replace(filename, rtrim(filename, replace(filename, '.', '')), '')) END, "
		  "'(none)'), count(*), count(DISTINCT sha256), sum(bytes), NULL FROM summ "
		  "GROUP BY 2 ORDER BY 3 DESC, 2" },
		{ "Largest",
		  SUMMARY_SET "SELECT 'largest', min(filename), count(*), 1, max(bytes), sha256 FROM summ "
		  "GROUP BY sha256 ORDER BY 5 DESC, 6 LIMIT ?5" },
		{ "Most widely copied (messages, folders)",
		  SUMMARY_SET "SELECT 'most_copied', min(a.filename), count(*), "
		  "count(DISTINCT a.message_id), "
		  "max(a.bytes), count(DISTINCT m.folder_id) || ' folders, ' || count(DISTINCT "
		  "m.source_id) || ' sources, ' || a.sha256 FROM summ a JOIN messages m ON m.id "
		  "= a.message_id GROUP BY a.sha256 HAVING count(DISTINCT a.message_id) > 1 "
		  "ORDER BY 4 DESC, 3 DESC, 6 LIMIT ?5" },
		{ "Sent to external domains",
		  SUMMARY_SET "SELECT 'external', min(a.filename), count(*), "
		  "count(DISTINCT a.message_id), "
		  "max(a.bytes), a.sha256 || ' to ' || group_concat(DISTINCT r.domain) "
		  "FROM summ a JOIN recipients r ON r.message_id = a.message_id "
		  "AND r.role IN ('to', 'cc', 'bcc') AND r.domain IS NOT NULL "
		  "WHERE ?6 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(?6) d "
		  "WHERE r.domain = lower(d.value) OR r.domain LIKE '%.' || lower(d.value)) "
		  "AND EXISTS (SELECT 1 FROM recipients s, json_each(?6) d WHERE s.message_id = "
		  "a.message_id AND s.role = 'from' AND (s.domain = lower(d.value) OR s.domain LIKE "
		  "'%.' || lower(d.value))) "
		  "GROUP BY a.sha256 ORDER BY 4 DESC, 6 LIMIT ?5" },
		{ "Found only in Sent folders",
		  SUMMARY_SET "SELECT 'sent_only', min(a.filename), count(*), "
		  "count(DISTINCT a.message_id), "
		  "max(a.bytes), a.sha256 FROM summ a JOIN messages m ON m.id = a.message_id "
		  "LEFT JOIN folders f ON f.id = m.folder_id GROUP BY a.sha256 "
		  "HAVING sum(CASE WHEN f.id IS NOT NULL AND " SENT_FOLDER " THEN 0 ELSE 1 END) = 0 "
		  "ORDER BY 4 DESC, 6 LIMIT ?5" },
		{ "Triage flags",
		  "SELECT 'flags', flag, count(*), count(DISTINCT a.sha256), sum(a.bytes), NULL "
		  "FROM attachment_flags af JOIN attachments a ON a.id = af.attachment_id "
		  "GROUP BY flag ORDER BY 3 DESC, 2" },
	};
	enum fmt fmt = o->fmt == FMT_DEFAULT ? FMT_TABLE : o->fmt;
	bool header = fmt == FMT_TABLE;
	int rc;

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (fmt == FMT_TABLE) {
			printf("%s%s\n", i ? "\n" : "", sections[i].title);
			if (i == 4 && !o->internal) {
				printf("  (give --internal-domain to list them)\n");
				continue;
			}
			printf("section\tkey\tattachments\tcontents/messages\tbytes\tdetail\n");
		}
		if ((rc = query_print(db, sections[i].sql, o, fmt, &header)) != TOOL_OK)
			return rc;
	}
	return TOOL_OK;
}

static int
cmd_triage(lka_case *kase, const struct opts *o)
{
	lka_triage_opts to;
	lka_triage_stats st;
	lka_error err = { 0 };
	char a[32], b[32], c[32], d[32];

	lka_triage_opts_default(&to);
	to.ioc_path = o->ioc;
	to.argv_text = o->argv_text;
	if (lka_triage_run(kase, &to, &st, &err) != LKA_OK)
		return tool_fail(&err);
	printf("%s attachments examined (%s distinct contents read, %s without stored content)\n",
	       tool_num(a, sizeof a, st.attachments), tool_num(b, sizeof b, st.contents),
	       tool_num(c, sizeof c, st.not_stored));
	printf("%s flags on %s attachments", tool_num(a, sizeof a, st.flags),
	       tool_num(b, sizeof b, st.flagged));
	if (o->ioc)
		printf("; %s IOCs, %s matches", tool_num(c, sizeof c, st.iocs),
		       tool_num(d, sizeof d, st.ioc_matches));
	putchar('\n');
	if (st.unreadable) {
		printf("%s stored content%s could not be read back (damaged): name checks only\n",
		       tool_num(a, sizeof a, st.unreadable), st.unreadable > 1 ? "s" : "");
		return TOOL_ERRORS;
	}
	return TOOL_OK;
}

static void
manifest_field(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static int
cmd_extract(lka_case *kase, const struct opts *o)
{
	sqlite3 *db = lka_case_sqlite(kase);
	sqlite3_stmt *s = NULL;
	char sql[2048], cur[65] = "", written[256] = "", safe[256];
	bool cur_ok = false;
	int dirfd = -1, mfd, rc = TOOL_CANNOT, step;
	uint64_t files = 0, rows = 0, failed = 0;
	FILE *man = NULL;
	char mname[64];

	if (mkdir(o->to, 0700) != 0 && errno != EEXIST)
		return tool_error(TOOL_CANNOT, "%s: cannot create: %s", o->to, strerror(errno));
	dirfd = open(o->to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return tool_error(TOOL_CANNOT, "%s: cannot open the folder: %s", o->to, strerror(errno));
	for (int k = 1; k < 1000; k++) {
		if (k == 1)
			snprintf(mname, sizeof mname, "manifest.tsv");
		else
			snprintf(mname, sizeof mname, "manifest (%d).tsv", k);
		mfd = openat(dirfd, mname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (mfd >= 0 || errno != EEXIST)
			break;
	}
	if (mfd < 0 || !(man = fdopen(mfd, "w"))) {
		rc = tool_error(TOOL_CANNOT, "%s: cannot create the manifest: %s", o->to, strerror(errno));
		goto out;
	}
	fprintf(man, "sha256\tbytes\tmessage_id\tattachment_id\toriginal_name\twritten_name\tstatus"
		     "\tmessage_id_header\tsent_at\tmessage_from\tsource_path\tfolder_path\n");
	snprintf(sql, sizeof sql,
		 "SELECT i.sha256, i.bytes, i.message_id, i.attachment_id, i.filename, i.stored, "
		 "m.message_id, i.sent_at, i.message_from, i.source_path, i.folder_path, "
		 LOCKED_SQL " FROM attachment_inventory i JOIN messages m ON m.id = i.message_id %s "
		 "ORDER BY i.sha256, i.attachment_id",
		 sel_where);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
		goto out;
	}
	bind_sel(s, o);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 4);
		const char *status, *wname = written;
		lka_error err = { 0 };

		rows++;
		if (sqlite3_column_int(s, 11)) {
			/* an encrypted member no password opened: its hash is
			 * not of its content, which the case does not have */
			fprintf(stderr, "%s: attachment %lld: encrypted archive member no password "
					"opened: content not in the case\n",
				tool_name, (long long)sqlite3_column_int64(s, 3));
			failed++;
			status = "locked";
			wname = "";
			goto manifest_row;
		}
		if (strcmp(hex, cur) != 0) {
			snprintf(cur, sizeof cur, "%s", hex);
			written[0] = '\0';
			cur_ok = false;
			lka_attachment_safe_name(safe, sizeof safe, name, hex);
			if (!sqlite3_column_int(s, 5)) {
				fprintf(stderr, "%s: %s: content not stored in the case\n", tool_name, hex);
				failed++;
			} else if (lka_attachment_extract(kase, hex, dirfd, safe, written, sizeof written,
							  &err) != LKA_OK) {
				tool_fail(&err);
				failed++;
				written[0] = '\0';
			} else {
				cur_ok = true;
				files++;
			}
		}
		status = cur_ok ? "ok" : sqlite3_column_int(s, 5) ? "failed" : "not-stored";
	manifest_row:
		fprintf(man, "%s\t%lld\t%lld\t%lld\t", hex, (long long)sqlite3_column_int64(s, 1),
			(long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3));
		manifest_field(man, name);
		fputc('\t', man);
		manifest_field(man, wname);
		fprintf(man, "\t%s", status);
		for (int c = 6; c <= 10; c++) {
			fputc('\t', man);
			manifest_field(man, (const char *)sqlite3_column_text(s, c));
		}
		fputc('\n', man);
	}
	if (step != SQLITE_DONE) {
		rc = tool_error(TOOL_CANNOT, "query failed: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (fflush(man) != 0 || fsync(fileno(man)) != 0) {
		rc = tool_error(TOOL_CANNOT, "%s: cannot write the manifest: %s", o->to, strerror(errno));
		goto out;
	}
	fprintf(stderr, "%s: %llu files written for %llu attachments to %s (%s)%s\n", tool_name,
		(unsigned long long)files, (unsigned long long)rows, o->to, mname,
		failed ? "; some could not be written" : "");
	rc = failed ? TOOL_ERRORS : TOOL_OK;
out:
	sqlite3_finalize(s);
	if (man)
		fclose(man);
	else if (mfd >= 0)
		close(mfd);
	close(dirfd);
	return rc;
}

/* -------------------------------------------------------------- options */

static int
parse_args(struct opts *o, int argc, char **argv)
{
	enum { O_IOC = 256, O_TO, O_SHA, O_MSG, O_TYPE, O_FLAG, O_INT, O_ALL };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ioc", required_argument, NULL, O_IOC },
		{ "to", required_argument, NULL, O_TO },
		{ "sha256", required_argument, NULL, O_SHA },
		{ "message", required_argument, NULL, O_MSG },
		{ "type", required_argument, NULL, O_TYPE },
		{ "flag", required_argument, NULL, O_FLAG },
		{ "internal-domain", required_argument, NULL, O_INT },
		{ "all", no_argument, NULL, O_ALL },
		{ "top", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const commands[] = { "inventory", "summary", "hashes", "triage", "extract" };
	uint64_t id;
	int c;
	bool mem = true;

	o->top = 10;
	while ((c = getopt_long(argc, argv, "f:n:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				o->fmt = FMT_CSV;
			else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				o->fmt = FMT_JSONL;
			else if (strcmp(optarg, "table") == 0)
				o->fmt = FMT_TABLE;
			else
				return tool_usage_error("unknown format '%s' (csv, jsonl, table)", optarg);
			break;
		case 'n':
			if (!tool_parse_u64("--top", optarg, 1000000, &o->top))
				return TOOL_USAGE;
			break;
		case O_IOC:
			o->ioc = optarg;
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_SHA:
			if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdefABCDEF") != 64)
				return tool_usage_error("--sha256: not a SHA-256: '%s'", optarg);
			mem = mem && json_push(&o->sha256, optarg);
			break;
		case O_MSG:
			if (!tool_parse_u64("--message", optarg, INT64_MAX, &id))
				return TOOL_USAGE;
			mem = mem && json_push(&o->message, optarg);
			break;
		case O_TYPE:
			mem = mem && json_push(&o->type, optarg);
			break;
		case O_FLAG:
			mem = mem && json_push(&o->flag, optarg);
			break;
		case O_INT:
			mem = mem && json_push(&o->internal, optarg);
			break;
		case O_ALL:
			o->all = true;
			break;
		default:
			return tool_std_option(c, usage);
		}
	}
	if (!mem)
		return tool_error(TOOL_CANNOT, "out of memory");
	for (int i = optind; i < argc; i++) {
		bool is_cmd = false;
		for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
			if (strcmp(argv[i], commands[k]) == 0)
				is_cmd = true;
		if (is_cmd && !o->command)
			o->command = argv[i];
		else if (!o->case_path)
			o->case_path = argv[i];
		else
			return tool_usage_error("unexpected argument '%s'", argv[i]);
	}
	if (!o->case_path)
		return tool_usage_error("need a case database");
	if (!o->command)
		o->command = "inventory";
	if (strcmp(o->command, "extract") == 0) {
		if (!o->to)
			return tool_usage_error("extract needs --to DIR");
		if (!o->all && !o->sha256 && !o->message && !o->type && !o->flag)
			return tool_usage_error("extract needs a selection (--sha256, --message, --type, "
						"--flag) or --all");
	} else if (o->to) {
		return tool_usage_error("--to is for extract");
	}
	if (o->ioc && strcmp(o->command, "triage") != 0)
		return tool_usage_error("--ioc is for triage");
	return TOOL_CONTINUE;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	lka_error err = { 0 };
	bool writes;
	int rc;

	tool_name = "lka-attachments";
	if ((rc = parse_args(&o, argc, argv)) != TOOL_CONTINUE)
		goto out;
	writes = strcmp(o.command, "triage") == 0;
	o.argv_text = tool_argv_text(argc, argv);
	if (lka_ctx_new(&ctx, &err) != LKA_OK ||
	    lka_case_open(&kase, ctx, o.case_path, writes ? 0 : LKA_CASE_READONLY, &err) != LKA_OK) {
		rc = tool_fail(&err);
		goto out;
	}
	if (strcmp(o.command, "triage") == 0)
		rc = cmd_triage(kase, &o);
	else if (strcmp(o.command, "extract") == 0)
		rc = cmd_extract(kase, &o);
	else if (strcmp(o.command, "summary") == 0)
		rc = cmd_summary(lka_case_sqlite(kase), &o);
	else if (strcmp(o.command, "hashes") == 0)
		rc = cmd_hashes(lka_case_sqlite(kase), &o);
	else
		rc = cmd_inventory(lka_case_sqlite(kase), &o);
	if (rc == TOOL_OK && fflush(stdout) != 0)
		rc = tool_error(TOOL_CANNOT, "cannot write the output: %s", strerror(errno));
out:
	lka_case_free(kase);
	lka_ctx_free(ctx);
	free(o.sha256);
	free(o.message);
	free(o.type);
	free(o.flag);
	free(o.internal);
	free(o.argv_text);
	return rc;
}
