/*
 * lka-scan — find personal data in a case: subjects, bodies and the text of
 * attachments; record it in findings (see lka-scan(1)).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "leakaudit/pii.h"

static void
usage(void)
{
	printf("Usage: %s [OPTIONS] CASE.db\n"
	       "Extract the text of attachments, scan subjects, bodies and attachment text\n"
	       "for personal data (e-mail, phone, IBAN, BIC, card, NIR, tax number, passport,\n"
	       "ID card, birth date, postal address, credentials, GDPR art. 9 cues), and\n"
	       "record the findings in CASE.db, replacing those of earlier scans.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --no-extract    scan only the text already extracted\n"
	       "  -r, --reextract     extract every attachment again\n"
	       "      --max-text N    most bytes of text kept per attachment (default 8 MiB)\n"
	       "  -q, --quiet         print only the totals\n"
	       "  -h, --help          show this help\n"
	       "  -V, --version       show the version\n"
	       "\n"
	       "Exit status: 0 done; 2 usage error; 3 could not run.\n",
	       tool_name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-extract", no_argument, NULL, 'n' },
		{ "reextract", no_argument, NULL, 'r' },
		{ "max-text", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	lka_scan_opts o;
	lka_scan_stats st;
	lka_ctx *ctx = NULL;
	lka_case *kase = NULL;
	lka_error err = { 0 };
	char *args = NULL, b1[32], b2[32], b3[32], b4[32];
	bool quiet = false;
	int c, rc = TOOL_CANNOT;

	tool_name = "lka-scan";
	lka_scan_opts_default(&o);
	while ((c = getopt_long(argc, argv, "nrqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.extract = 0;
			break;
		case 'r':
			o.reextract = 1;
			break;
		case 'm':
			if (!tool_parse_u64("--max-text", optarg, (uint64_t)1 << 30, &o.extract_bytes))
				return TOOL_USAGE;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return tool_std_option(c, usage);
		}
	}
	if (argc - optind != 1)
		return tool_usage_error("need exactly one case database");
	args = tool_argv_text(argc, argv);
	o.argv_text = args;
	if (tool_open_case(&ctx, &kase, argv[optind], 0) != TOOL_OK)
		goto out;
	if (lka_scan_case(kase, &o, &st, &err) != LKA_OK) {
		tool_fail(&err);
		goto out;
	}
	printf("scan %lld: %s messages (%s with findings), %s attachments (%s with findings)\n",
	       (long long)st.scan_id, tool_num(b1, sizeof b1, st.messages),
	       tool_num(b2, sizeof b2, st.messages_touched), tool_num(b3, sizeof b3, st.attachments),
	       tool_num(b4, sizeof b4, st.attachments_touched));
	printf("text: %s bytes scanned in %.2f s; %s attachment texts extracted (%s not ok)\n",
	       tool_num(b1, sizeof b1, st.bytes), st.seconds,
	       tool_num(b2, sizeof b2, st.texts_extracted),
	       tool_num(b3, sizeof b3, st.extract_failed));
	printf("findings: %s\n", tool_num(b1, sizeof b1, st.findings));
	if (!quiet)
		for (int k = 0; k < LKA_PII__COUNT; k++)
			if (st.per_kind[k])
				printf("  %-16s %-16s %s\n", lka_pii_kind_name((lka_pii_kind)k),
				       lka_pii_kind_category((lka_pii_kind)k),
				       tool_num(b1, sizeof b1, st.per_kind[k]));
	rc = TOOL_OK;
out:
	lka_case_free(kase);
	lka_ctx_free(ctx);
	free(args);
	return rc;
}
