/*
 * gen-books.h — lka-gen --people: a small, fully known evidence set for the
 * people model and the notification list (address books in three formats,
 * an mbox, and the expected notification list).
 */
#ifndef LKA_GEN_BOOKS_H
#define LKA_GEN_BOOKS_H

/* Write OUTDIR/people/ (OUTDIR exists).  0 on success, -1 after a message on stderr. */
int gen_books_people(const char *outdir);

#endif
