/*
 * lka-ingest — read seized mail stores into a case database.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct ingest_opts {
	const char *case_path;
	char **sources;
	int n_sources;
	lka_ingest_opts io;
	bool quiet;
	bool tty;
	uint64_t item_seconds;
	uint64_t reader_mb;
	bool have_item_seconds, have_reader_mb;
	char *argv_text;
	double last_line; /* when the last periodic progress line was printed */
};

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db SOURCE...\n"
	       "Read seized mail stores (maildir folders, mbox files, .eml/.emlx files,\n"
	       "Outlook PST/OST files, and folders holding any of these) into the case\n"
	       "database CASE.db, created if needed.  Evidence is opened read-only and\n"
	       "hashed first.\n"
	       "\n"
	       "Options:\n"
	       "  -j, --jobs N            reader processes at once (default: number of cores)\n"
	       "  -q, --quiet             no progress, only errors and the summary\n"
	       "      --no-content        keep attachment hashes and metadata, not their bytes\n"
	       "      --force             read again sources that are already complete\n"
	       "      --item-timeout SEC  time a reader may spend on one item (default 120)\n"
	       "      --reader-memory MB  address-space limit of a reader (default 4096, 0 = none)\n"
	       "      --no-isolation      parse in this process (debugging only: a crash\n"
	       "                          in a parser then stops the run)\n"
	       "  -h, --help              show this help\n"
	       "  -V, --version           show the version\n"
	       "\n"
	       "Exit status: 0 clean; 1 finished, with errors recorded in the case;\n"
	       "2 usage error; 3 could not run.\n"
	       "The environment variable LKA_FAULT (testing only) makes readers crash,\n"
	       "hang or exhaust memory on items containing a marker; see lka-ingest(1).\n",
	       tool_name);
}

static int
parse_args(struct ingest_opts *o, int argc, char **argv)
{
	enum { O_NOCONTENT = 256, O_FORCE, O_TIMEOUT, O_MEM, O_NOISO };
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-content", no_argument, NULL, O_NOCONTENT },
		{ "force", no_argument, NULL, O_FORCE },
		{ "item-timeout", required_argument, NULL, O_TIMEOUT },
		{ "reader-memory", required_argument, NULL, O_MEM },
		{ "no-isolation", no_argument, NULL, O_NOISO },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	lka_ingest_opts_default(&o->io);
	while ((c = getopt_long(argc, argv, "j:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!tool_parse_u64("--jobs", optarg, 64, &v) || v == 0)
				return v == 0 ? tool_usage_error("--jobs must be 1 to 64") : TOOL_USAGE;
			o->io.jobs = (unsigned)v;
			break;
		case 'q':
			o->quiet = true;
			break;
		case O_NOCONTENT:
			o->io.store_content = 0;
			break;
		case O_FORCE:
			o->io.force = 1;
			break;
		case O_TIMEOUT:
			if (!tool_parse_u64("--item-timeout", optarg, 86400, &o->item_seconds))
				return TOOL_USAGE;
			o->have_item_seconds = true;
			break;
		case O_MEM:
			if (!tool_parse_u64("--reader-memory", optarg, 1u << 20, &o->reader_mb))
				return TOOL_USAGE;
			o->have_reader_mb = true;
			break;
		case O_NOISO:
			o->io.isolate = 0;
			break;
		default: /* -h, -V, unknown */
			return tool_std_option(c, usage);
		}
	}
	if (argc - optind < 2)
		return tool_usage_error("need a case database and at least one source");
	o->case_path = argv[optind];
	o->sources = argv + optind + 1;
	o->n_sources = argc - optind - 1;
	o->io.fault = getenv("LKA_FAULT");
	o->argv_text = tool_argv_text(argc, argv);
	o->io.argv_text = o->argv_text;
	o->tty = isatty(2) != 0;
	return TOOL_CONTINUE;
}

static void
progress(const lka_ingest_stats *s, lka_status level, const char *ev, void *payload)
{
	struct ingest_opts *o = payload;
	char a[32], b[32], c[32];
	double rate = s->seconds > 0 ? (double)s->messages / s->seconds : 0;

	if (o->quiet && (!ev || level == LKA_OK))
		return; /* quiet: problems only */
	if (ev) {
		if (o->tty)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "%s: %s\n", tool_name, ev);
		return;
	}
	if (o->tty) {
		int pct = s->bytes_total ? (int)(100.0 * (double)s->bytes_done / (double)s->bytes_total) : 0;
		int fill = pct / 5;
		fprintf(stderr, "\r\033[K[%.*s%.*s] %3d%%  files %s/%s  messages %s  %.0f msg/s  errors %llu",
			fill, "====================", 20 - fill, "                    ", pct,
			tool_num(a, sizeof a, s->files_done), tool_num(b, sizeof b, s->files_total),
			tool_num(c, sizeof c, s->messages), rate, (unsigned long long)s->errors);
		fflush(stderr);
	} else if (s->seconds - o->last_line >= 10.0) {
		o->last_line = s->seconds;
		fprintf(stderr, "%s: %.0f s: files %s/%s, messages %s (%.0f/s), errors %llu\n", tool_name,
			s->seconds, tool_num(a, sizeof a, s->files_done),
			tool_num(b, sizeof b, s->files_total), tool_num(c, sizeof c, s->messages), rate,
			(unsigned long long)s->errors);
	}
}

static void
summary(const struct ingest_opts *o, const lka_ingest_stats *s)
{
	char a[32], b[32], c[32], d[32];

	if (o->tty && !o->quiet)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr,
		"%s: %llu source(s): %llu read, %llu already complete, %llu failed; %s files, "
		"%s messages, %s attachments, %s errors recorded, %llu reader crash(es); %.1f s "
		"(%.0f messages/s)\n",
		tool_name, (unsigned long long)s->sources,
		(unsigned long long)(s->sources_done - s->sources_skipped - s->sources_failed),
		(unsigned long long)s->sources_skipped, (unsigned long long)s->sources_failed,
		tool_num(a, sizeof a, s->files_done), tool_num(b, sizeof b, s->messages),
		tool_num(c, sizeof c, s->attachments), tool_num(d, sizeof d, s->errors),
		(unsigned long long)s->reader_crashes, s->seconds,
		s->seconds > 0 ? (double)s->messages / s->seconds : 0.0);
	if (s->shortfalls)
		fprintf(stderr,
			"%s: %llu PST folder(s) hold fewer items than they list: see the lines "
			"above, the errors table and the folder_completeness view\n",
			tool_name, (unsigned long long)s->shortfalls);
	if (s->contacts)
		fprintf(stderr, "%s: %s address-book entries\n", tool_name,
			tool_num(a, sizeof a, s->contacts));
}

int
main(int argc, char **argv)
{
	struct ingest_opts o = { 0 };
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	lka_ingest *ing = NULL;
	lka_error err = { 0 };
	lka_status st;
	int rc, missing = 0;

	tool_name = "lka-ingest";
	rc = parse_args(&o, argc, argv);
	if (rc != TOOL_CONTINUE)
		goto out;
	rc = TOOL_CANNOT;
	if (lka_ctx_new(&ctx, &err) != LKA_OK) {
		tool_fail(&err);
		goto out;
	}
	if (o.have_item_seconds)
		lka_ctx_limits(ctx)->item_seconds = (uint32_t)o.item_seconds;
	if (o.have_reader_mb)
		lka_ctx_limits(ctx)->reader_memory = o.reader_mb << 20;
	if (lka_case_open(&kase, ctx, o.case_path, LKA_CASE_CREATE, &err) != LKA_OK ||
	    lka_ingest_new(&ing, kase, &o.io, &err) != LKA_OK) {
		tool_fail(&err);
		goto out;
	}
	for (int i = 0; i < o.n_sources; i++) {
		if (lka_ingest_add_source(ing, o.sources[i], &err) != LKA_OK) {
			tool_fail(&err);
			missing++;
		}
	}
	st = lka_ingest_run(ing, progress, &o, &err);
	summary(&o, lka_ingest_get_stats(ing));
	if (st == LKA_FATAL) {
		tool_fail(&err);
		goto out;
	}
	rc = (st == LKA_OK && !missing) ? TOOL_OK : TOOL_ERRORS;
out:
	lka_ingest_free(ing);
	lka_case_free(kase);
	lka_ctx_free(ctx);
	free(o.argv_text);
	return rc;
}
