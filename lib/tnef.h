/*
 * tnef.h — our own TNEF (winmail.dat, application/ms-tnef) reader after
 * MS-OXTNEF, over the MAPI property layer of mapi.c.  Damage never loses
 * what came before it: a bad checksum is recorded and the attribute kept,
 * truncation or trailing garbage ends the stream with a diagnostic.
 */
#ifndef LKA_TNEF_H
#define LKA_TNEF_H

#include "item.h"
#include "mapi.h"

#define LKA_TNEF_SIGNATURE 0x223E9F78u

/* True when p starts with the TNEF signature. */
bool lka_tnef_is(const unsigned char *p, size_t n);

typedef lka_outlook_env lka_tnef_env;

/*
 * Read the TNEF stream p[0..n): message fields m lacks (class, subject,
 * bodies, sender, dates) are filled; its attachments are appended to
 * *atts / *n_atts (embedded messages as atts with .embedded, nested TNEF as
 * atts with container "tnef" and children).  where names the stream in
 * diagnostics (a part path, NULL for a file).  depth: containers around it.
 * Returns false (and adds nothing) when p is not TNEF.
 */
bool lka_tnef_read(const lka_tnef_env *env, const unsigned char *p, size_t n, lka_msg *m,
		   lka_att **atts, size_t *n_atts, unsigned depth, lka_diags *d, const char *where);

#endif /* LKA_TNEF_H */
