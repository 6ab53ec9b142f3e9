/*
 * sink.h — where readers send what they find (after notmuch's sprinter).
 * The case database is one sink (sink-case.c); the pipe back from a reader
 * process is another (wire.c); tests collect items in memory.
 *
 * A sink method returning LKA_FATAL tells the reader to stop at once (the
 * database or the pipe is gone).  Any other value means "go on".
 */
#ifndef LKA_SINK_H
#define LKA_SINK_H

#include <stdarg.h>

#include "item.h"

typedef struct lka_sink lka_sink;

typedef struct lka_sink_ops {
	/* The reader starts parsing item loc.  If the reader dies before the
	 * matching message()/diag(), this item is the one that killed it. */
	lka_status (*item_begin)(lka_sink *s, const lka_itemloc *loc);
	/* A folder met inside the file (mbox folders come from the scan; PST
	 * folders from the reader).  Folder ids are the reader's own. */
	lka_status (*folder)(lka_sink *s, const lka_folder *f);
	/* A complete top-level message.  folder_id is a reader folder id, or 0
	 * for the folder the task was given.  Ownership of m passes to the sink. */
	lka_status (*message)(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m);
	/* A complete top-level contact or distribution list (address books,
	 * PST contact folders): like message(), ownership of c passes to the sink.
	 * folder_id < 0: the entry comes from an address book attached to the
	 * message just emitted at the same loc.ordinal, top-level attachment
	 * number -folder_id - 1 (loc.offset/length are then inside it); when
	 * the book sits deeper (a member of that attachment if a container, an
	 * attachment of the message embedded in it ...), c->att_path gives the
	 * steps down from it (item.h), and the sink ties the entry to that row
	 * and to the message whose attachment it is. */
	lka_status (*contact)(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *c);
	/* Damage not attached to a message: an item that could not be read at
	 * all (loc set), or a problem with the file itself (loc NULL). */
	lka_status (*diag)(lka_sink *s, const lka_itemloc *loc, const lka_diag *d);
} lka_sink_ops;

/* Embed as the first member of a concrete sink. */
struct lka_sink {
	const lka_sink_ops *ops;
};

/* A reader's run sends a diagnostic made from a format (one line, at most
 * 600 bytes) to s: nothing once *stop is set; else *warned is set, and *stop
 * when the sink answers LKA_FATAL.  location may be NULL. */
void lka_sink_vdiagf(lka_sink *s, bool *stop, bool *warned, const lka_itemloc *loc,
		     lka_status sev, lka_errkind kind, const char *location, const char *fmt,
		     va_list ap) LKA_PRINTF(8, 0);

#endif /* LKA_SINK_H */
