/*
 * book.h — address-book readers (vCard, LDIF, CSV/TSV): parse a whole file
 * held in memory and hand out one lka_contact per entry.  They run inside
 * reader processes (reader.c calls them) and know nothing of SQL.
 *
 * For every entry the reader calls begin(loc) before parsing it, then
 * exactly one of emit(loc, c) (ownership of c passes) or fail(loc, ...).
 * fail(NULL, ...) is a problem with the file itself.  A callback returning
 * false stops the reader.
 */
#ifndef LKA_BOOK_H
#define LKA_BOOK_H

#include "item.h"

typedef struct lka_book_cb {
	void *arg;
	bool (*begin)(void *arg, const lka_itemloc *loc);
	bool (*emit)(void *arg, const lka_itemloc *loc, lka_contact *c);
	bool (*fail)(void *arg, const lka_itemloc *loc, lka_status sev, lka_errkind kind,
		     const char *msg);
} lka_book_cb;

void lka_vcard_read(const char *p, size_t n, const lka_book_cb *cb);
void lka_ldif_read(const char *p, size_t n, const lka_book_cb *cb);
void lka_csvbook_read(const char *p, size_t n, const lka_book_cb *cb);

/* Detection (detect.c): is this the start of an address book of that kind? */
bool lka_vcard_detect(const unsigned char *p, size_t n);
bool lka_ldif_detect(const unsigned char *p, size_t n);
bool lka_csvbook_detect(const unsigned char *p, size_t n);

/* ---- helpers shared by the readers (book.c) ---- */

/* A new contact of that item class; NULL on OOM. */
lka_contact *lka__contact_new(const char *item_class);
/* Replace *field with a copy of s (trimmed; NULL or empty leaves *field as is unless force). */
bool lka__ct_set(char **field, const char *s);
/* Append an e-mail (raw as written; address normalised from raw). */
bool lka__ct_email(lka_contact *c, const char *raw, const char *type, const char *name);
bool lka__ct_phone(lka_contact *c, const char *raw, const char *type);
lka_contact_postal *lka__ct_postal(lka_contact *c, const char *type);
bool lka__ct_member(lka_contact *c, const char *name, const char *address, const char *raw);
/* Birthday as "YYYY-MM-DD" when parseable (YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY,
 * DD.MM.YYYY, with a time part), else as written.  malloc'd. */
char *lka__birthday(const char *s);
/* Does s hold something that looks like an e-mail address (x@y.z)? */
bool lka__looks_email(const char *s, size_t n);

/* Length of the physical line at p (without its end: LF, CR or CRLF);
 * *next is set past the end. */
size_t lka__book_line_at(const char *p, size_t n, size_t *next);
/* Append v to *field, after ", " when *field already holds something
 * (a copy of v, trimmed, when it is empty).  *oom set on failure. */
void lka__book_append(char **field, const char *v, bool *oom);
/* p->full made of street, postcode locality, region, country (the parts
 * present), NULL when none is. */
void lka__postal_full(lka_contact_postal *p);

#endif /* LKA_BOOK_H */
