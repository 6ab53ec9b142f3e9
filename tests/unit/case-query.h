/*
 * case-query.h — one value from a case database, for the unit tests that
 * check what was written (test-contacts, test-people).  Header-only like
 * tap.h: include it after casedb.h and tap.h.
 */
#ifndef LKA_CASE_QUERY_H
#define LKA_CASE_QUERY_H

#include <stdio.h>

/* The first column of the first row of sql as an integer; -1 (and a
 * diagnostic) when the query fails or returns no row. */
static TAP_UNUSED long long
q_int(lka_case *k, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(k->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		diag("%s: %s", sql, sqlite3_errmsg(k->db));
	sqlite3_finalize(s);
	return v;
}

/* The first column of the first row of sql as text, copied into out ("" when
 * NULL or no row; a diagnostic when the query does not prepare). */
static TAP_UNUSED const char *
q_text(lka_case *k, char *out, size_t cap, const char *sql)
{
	sqlite3_stmt *s = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(k->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
	else if (s == NULL)
		diag("%s: %s", sql, sqlite3_errmsg(k->db));
	sqlite3_finalize(s);
	return out;
}

#endif
