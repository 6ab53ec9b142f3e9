/*
 * lka-verify — re-hash the evidence recorded in a case and check the
 * case database itself.  Reads only.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct verify_opts {
	const char *case_path;
	bool quiet;
	uint64_t shown;
};

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db\n"
	       "Re-hash every evidence source recorded in CASE.db that is still reachable,\n"
	       "compare with the SHA-256 and sizes recorded at ingest, and check the\n"
	       "database's integrity and consistency.  Nothing is modified.\n"
	       "\n"
	       "Options:\n"
	       "  -q, --quiet     print only problems and the verdict\n"
	       "  -h, --help      show this help\n"
	       "  -V, --version   show the version\n"
	       "\n"
	       "Exit status: 0 everything matches; 1 something changed, is missing or the\n"
	       "database is inconsistent; 2 usage error; 3 could not run.\n",
	       tool_name);
}

static void
report(int64_t source_id, const char *source_path, const char *relpath, lka_verify_state state,
       const char *detail, void *payload)
{
	struct verify_opts *o = payload;

	if (o->quiet && state == LKA_VERIFY_MATCH)
		return;
	if (relpath)
		printf("%-10s source %lld: %s/%s%s%s\n", lka_verify_state_name(state),
		       (long long)source_id, source_path, relpath, detail && *detail ? ": " : "",
		       detail ? detail : "");
	else
		printf("%-10s source %lld: %s%s%s\n", lka_verify_state_name(state), (long long)source_id,
		       source_path, detail && *detail ? ": " : "", detail ? detail : "");
	o->shown++;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_opts o = { 0 };
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	lka_error err = { 0 };
	lka_verify_report r = { 0 };
	int c, rc = TOOL_CANNOT;

	tool_name = "lka-verify";
	while ((c = getopt_long(argc, argv, "qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quiet = true;
			break;
		default: /* -h, -V, unknown */
			return tool_std_option(c, usage);
		}
	}
	if (argc - optind != 1)
		return tool_usage_error("need exactly one case database");
	o.case_path = argv[optind];
	if (tool_open_case(&ctx, &kase, o.case_path, LKA_CASE_READONLY) != TOOL_OK)
		goto out;
	if (lka_case_verify(kase, &r, report, &o, &err) == LKA_FATAL) {
		tool_fail(&err);
		goto out;
	}
	printf("evidence: %llu source(s): %llu match, %llu changed, %llu missing, %llu unreadable\n",
	       (unsigned long long)r.sources, (unsigned long long)r.matched,
	       (unsigned long long)r.changed, (unsigned long long)r.missing,
	       (unsigned long long)r.unreadable);
	printf("database: integrity %s, consistency %s%s%s\n", r.db_integrity_ok ? "ok" : "FAILED",
	       r.db_consistency_ok ? "ok" : "FAILED", r.db_detail[0] ? ": " : "", r.db_detail);
	rc = (r.changed || r.missing || r.unreadable || !r.db_integrity_ok || !r.db_consistency_ok)
		     ? TOOL_ERRORS
		     : TOOL_OK;
	printf("verdict: %s\n", rc == TOOL_OK ? "everything matches" : "PROBLEMS FOUND (see above)");
out:
	lka_case_free(kase);
	lka_ctx_free(ctx);
	return rc;
}
