/*
 * mbox.h — our own mbox splitter (GMime's mbox mode splits on any "From "
 * line and loops on some files).  A separator is a line "From " + sender +
 * date that starts the file or follows an empty line; a Content-Length
 * header, when present and pointing exactly at the next separator (or EOF),
 * is trusted over body lines.  Bodies of mboxrd/mboxo are unquoted
 * (">From " -> "From ") by lka_mbox_unquote.
 */
#ifndef LKA_MBOX_H
#define LKA_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lka_mbox_msg {
	size_t offset;      /* of the From_ line in the file */
	size_t length;      /* From_ line through the end of the message (before the next separator) */
	size_t body_offset; /* first byte after the From_ line */
	size_t body_length; /* message bytes (headers + body) without the From_ line and
			       the blank line that precedes the next separator */
} lka_mbox_msg;

typedef struct lka_mbox {
	const char *data;
	size_t n;
	size_t pos;
	uint64_t index; /* number of messages returned so far */
} lka_mbox;

void lka_mbox_init(lka_mbox *mb, const char *data, size_t n);
/* Next message; false at the end.  Text before the first separator is not a message. */
bool lka_mbox_next(lka_mbox *mb, lka_mbox_msg *out);
/* True when the line at p (n bytes available) is a valid From_ separator line. */
bool lka_mbox_is_from_line(const char *p, size_t n);
/*
 * Copy a message with mboxrd/mboxo quoting undone (">From " -> "From ",
 * ">>From " -> ">From ").  Returns a malloc'd buffer (*out_len set), NULL on OOM.
 */
char *lka_mbox_unquote(const char *p, size_t n, size_t *out_len);

/* Line helpers shared with detect.c (internal, not exported). */

/* Length of the line at p (n bytes), without its "\n" or "\r\n"; *next: start of the next line. */
size_t lka_mbox__line_at(const char *p, size_t n, size_t *next);
/*
 * Length of the field name when the line at p (n bytes) is "Name: value" (or
 * the obsolete "Name : value"), 0 otherwise.  Names are printable ASCII
 * without ':', at most 128 bytes long.
 */
size_t lka_mbox__field_name(const char *p, size_t n);

#endif /* LKA_MBOX_H */
