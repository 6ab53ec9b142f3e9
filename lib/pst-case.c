/*
 * pst-case.c — completeness of PST folders in the case (sql/pst.sql): the
 * folders where an engine listed more items than were ingested.
 */
#include "casedb.h"

lka_status
lka_case__pst_shortfalls(lka_case *kase, int64_t source_id, lka_pst_shortfall_fn fn, void *arg,
			 lka_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(kase->db,
			       "SELECT path, engine, expected_items, read_items FROM "
			       "folder_completeness WHERE source_id = ?1 AND shortfall > 0 "
			       "ORDER BY path, engine",
			       -1, &s, NULL) != SQLITE_OK)
		return lka__error(err, LKA_FATAL, LKA_E_DB, 0, kase->path,
				  "cannot count PST folder items: %s", sqlite3_errmsg(kase->db));
	sqlite3_bind_int64(s, 1, source_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
		   sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return lka__error(err, LKA_FATAL, LKA_E_DB, 0, kase->path,
				  "cannot count PST folder items: %s", sqlite3_errmsg(kase->db));
	return LKA_OK;
}
