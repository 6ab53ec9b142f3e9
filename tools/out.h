/*
 * out.h — tabular output of the analysis tools (lka-contacts, lka-notify):
 * CSV (RFC 4180, safe to open in a spreadsheet), JSON Lines, or a readable
 * table.  Values are UTF-8 strings; NULL is an empty cell (null in JSON).
 */
#ifndef LKA_TOOLS_OUT_H
#define LKA_TOOLS_OUT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

typedef enum out_format { OUT_CSV, OUT_JSONL, OUT_TABLE } out_format;

typedef struct out {
	out_format fmt;
	FILE *fp;
	const char *const *cols;
	const bool *numeric; /* JSON: these columns are numbers (may be NULL) */
	size_t ncols;
	char **cells;        /* table: buffered rows, ncols per row */
	size_t nrows, cap;
	bool failed;
} out;

/* Parse "csv", "jsonl", "table"; false when unknown. */
bool out_parse_format(const char *s, out_format *f);
void out_begin(out *o, out_format fmt, FILE *fp, const char *const *cols, const bool *numeric,
	       size_t ncols);
void out_row(out *o, const char *const *vals);
/* Flush (table), free.  false when writing failed. */
bool out_end(out *o);

/*
 * Print every row of the prepared statement s (its first ncols columns, at
 * most OUT_MAX_COLS) to fp in fmt: out_begin, out_row per row, out_end.
 * s is stepped to its end, not finalized.  Returns TOOL_OK, or TOOL_CANNOT
 * after a message when writing or the query failed.
 */
#define OUT_MAX_COLS 32
int out_query(sqlite3_stmt *s, out_format fmt, FILE *fp, const char *const *cols,
	      const bool *numeric, size_t ncols);

/*
 * A CSV cell that cannot be read as a formula: a value whose first
 * character (after spaces) is = + - @ TAB or CR gets a leading apostrophe.
 * Returns a malloc'd string.
 */
char *out_csv_inert(const char *v);

#endif
