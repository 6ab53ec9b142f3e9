/*
 * tap.h — a tiny TAP producer for the unit tests (meson: protocol 'tap').
 *
 *	plan(3);                      or no plan: done_testing() prints "1..N"
 *	ok(x > 0, "x is positive");
 *	is_int(got, 42, "answer");
 *	is_str(s, "abc", "name of %s", what);   NULLs compare equal to NULL only
 *	return done_testing();        0 when every test passed and the plan held
 *
 * Header-only: everything is static, so each test program has its own
 * counters.  Output goes to stdout; failure details are "# " lines.
 */
#ifndef LKA_TAP_H
#define LKA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct tap_state {
	int planned; /* -1: no plan yet */
	int run;
	int failed;
};

static struct tap_state tap_ = { -1, 0, 0 };

#if defined(__GNUC__)
#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TAP_UNUSED __attribute__((unused))
#else
#define TAP_PRINTF(f, a)
#define TAP_UNUSED
#endif

static TAP_UNUSED void
plan(int n)
{
	tap_.planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* A "# " comment line. */
static TAP_UNUSED TAP_PRINTF(1, 2) void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static TAP_UNUSED TAP_PRINTF(2, 0) int
tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_.run++;
	if (!cond)
		tap_.failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_.run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static TAP_UNUSED TAP_PRINTF(2, 3) int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static TAP_UNUSED TAP_PRINTF(3, 4) int
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		diag("     got: %lld\n#     expected: %lld", got, want);
	return r;
}

static TAP_UNUSED TAP_PRINTF(3, 4) int
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int r, same;

	same = (!got && !want) || (got && want && strcmp(got, want) == 0);
	va_start(ap, fmt);
	r = tap_vok(same, fmt, ap);
	va_end(ap);
	if (!r)
		diag("     got: %s%s%s\n#     expected: %s%s%s", got ? "'" : "", got ? got : "NULL",
		     got ? "'" : "", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return r;
}

/* Skip n tests with a reason (counts as passed). */
static TAP_UNUSED void
skip(int n, const char *why)
{
	for (int i = 0; i < n; i++) {
		tap_.run++;
		printf("ok %d # SKIP %s\n", tap_.run, why);
	}
	fflush(stdout);
}

/* Print the plan if none was given; returns the exit code. */
static TAP_UNUSED int
done_testing(void)
{
	if (tap_.planned < 0)
		printf("1..%d\n", tap_.run);
	else if (tap_.planned != tap_.run)
		diag("planned %d tests but ran %d", tap_.planned, tap_.run);
	if (tap_.failed)
		diag("failed %d of %d tests", tap_.failed, tap_.run);
	fflush(stdout);
	if (tap_.failed)
		return 1;
	if (tap_.planned >= 0 && tap_.planned != tap_.run)
		return 255;
	return 0;
}

#endif /* LKA_TAP_H */
