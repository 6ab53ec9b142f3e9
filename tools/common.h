/*
 * common.h — what the lka-* tools share: exit codes, error printing,
 * number formatting.  Tools are thin: option parsing and output around
 * library calls.
 */
#ifndef LKA_TOOLS_COMMON_H
#define LKA_TOOLS_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "leakaudit/leakaudit.h"

enum {
	TOOL_OK = 0,        /* clean */
	TOOL_ERRORS = 1,    /* finished, but errors were recorded */
	TOOL_USAGE = 2,     /* bad command line */
	TOOL_CANNOT = 3,    /* could not run */
	TOOL_CONTINUE = -1, /* option parsing: go on */
};

/* The tool's name for messages ("lka-ingest"); set once by main(). */
extern const char *tool_name;

/* "lka-ingest: WHERE: MSG" on stderr; returns TOOL_CANNOT. */
int tool_fail(const lka_error *err);
/* "lka-ingest: fmt..." on stderr; returns code. */
int tool_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message, then "Try 'TOOL --help'." ; returns TOOL_USAGE. */
int tool_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Options every tool has, for the default branch of its getopt switch:
 * -h/--help (usage on stdout, TOOL_OK), -V/--version (TOOL_OK), anything
 * else (a hint on stderr, TOOL_USAGE).  Returns the exit code.
 */
int tool_std_option(int c, void (*usage)(void));

/*
 * Make a context and open the case database at path with flags
 * (LKA_CASE_*).  On failure the error is printed and TOOL_CANNOT returned;
 * whatever was made is in *ctx and *kase for the caller to free, as on
 * success (TOOL_OK).
 */
int tool_open_case(lka_ctx **ctx, lka_case **kase, const char *path, unsigned flags);

/* Parse a non-negative integer option value; false (and a message) when invalid. */
bool tool_parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out);

/* Thousands-grouped decimal into buf ("12,345"); returns buf. */
const char *tool_num(char *buf, size_t cap, uint64_t v);

/* Command line as one string, shell-quoted where needed (for ingest_runs).  malloc'd. */
char *tool_argv_text(int argc, char **argv);

#endif
