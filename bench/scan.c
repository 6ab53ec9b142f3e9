/*
 * bench-scan — throughput of the personal-data detectors on one core.
 *
 * Builds MB megabytes of labelled documents (tests/gen/gen-pii.c; about one
 * planted value or decoy per 100 bytes, far denser than real mail) and
 * optionally plain mail-like text of lka-gen evidence given as files, then
 * times lka_pii_scan_text() with each detector alone and with all together
 * (best of 3 runs, thread CPU time).  Prints MB/s and peak RSS.
 * Usage: bench-scan [MB] [FILE...]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gen-pii.h"
#include "leakaudit/pii.h"

struct text {
	char *p;
	size_t n;
};

static double
now(void)
{
	struct timespec ts;

	/* CPU time of this thread: the machine may be shared; the target is
	 * MB/s on one core */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
count(const lka_pii_finding *f, void *payload)
{
	(void)f;
	++*(size_t *)payload;
	return 0;
}

static double
run(const struct text *t, size_t nt, size_t bytes, unsigned mask, size_t *found)
{
	double best = 1e9;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = now();
		size_t f = 0;
		for (size_t i = 0; i < nt; i++)
			lka_pii_scan_text(t[i].p, t[i].n, mask, count, &f);
		double dt = now() - t0;
		if (dt < best)
			best = dt;
		*found = f;
	}
	return (double)bytes / 1e6 / best;
}

/* Room for one more text; false on OOM. */
static bool
grow(struct text **t, size_t nt, size_t *cap)
{
	struct text *v;

	if (nt < *cap)
		return true;
	if (!(v = realloc(*t, *cap * 2 * sizeof *v)))
		return false;
	*t = v;
	*cap *= 2;
	return true;
}

static void
bench(const char *what, const struct text *t, size_t nt)
{
	size_t bytes = 0, found;

	for (size_t i = 0; i < nt; i++)
		bytes += t[i].n;
	printf("%s: %zu texts, %.1f MB\n", what, nt, (double)bytes / 1e6);
	for (int k = 0; k < LKA_PII__COUNT; k++) {
		double mbs = run(t, nt, bytes, 1u << k, &found);
		printf("  %-17s %8.1f MB/s  %8zu findings\n", lka_pii_kind_name((lka_pii_kind)k), mbs,
		       found);
	}
	{
		double mbs = run(t, nt, bytes, LKA_PII_ALL, &found);
		printf("  %-17s %8.1f MB/s  %8zu findings\n", "ALL", mbs, found);
	}
}

int
main(int argc, char **argv)
{
	double mb = argc > 1 ? atof(argv[1]) : 64;
	size_t cap = 1024, nt = 0, bytes = 0;
	struct text *t = calloc(cap, sizeof *t);
	struct rusage ru;

	if (!t)
		return 3;
	for (unsigned i = 0; (double)bytes < mb * 1e6; i++) {
		struct pii_doc d;
		if (gen_pii_doc(7, i, &d) != 0)
			return 3;
		if (!grow(&t, nt, &cap))
			return 3;
		t[nt].p = realloc(d.text, d.len + 1); /* shrink: RSS is the scanner's */
		if (!t[nt].p)
			return 3;
		t[nt].n = d.len;
		bytes += d.len;
		nt++;
		d.text = NULL;
		gen_pii_doc_free(&d);
	}
	bench("labelled documents (dense)", t, nt);
	for (size_t i = 0; i < nt; i++)
		free(t[i].p);
	nt = 0;
	for (int a = 2; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		long n;
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		if (n > 0) {
			if (!grow(&t, nt, &cap))
				return 3;
			t[nt].p = malloc((size_t)n);
			t[nt].n = t[nt].p ? fread(t[nt].p, 1, (size_t)n, f) : 0;
			nt++;
		}
		fclose(f);
	}
	if (nt)
		bench("given files", t, nt);
	for (size_t i = 0; i < nt; i++)
		free(t[i].p);
	free(t);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
