/*
 * internal.h — helpers shared by the library's modules.  Not installed.
 * Internal functions shared across files are named lka__<verb> or
 * lka_<mod>__<verb>; everything else is static.
 */
#ifndef LKA_INTERNAL_H
#define LKA_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leakaudit/leakaudit.h"

#define LKA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define LKA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LKA_PRINTF(f, a)
#endif

struct lka_ctx {
	lka_limits limits;
};

/* ---- errors (error.c) ---- */

/*
 * Fill err (which may be NULL) and return status.  where may be NULL.
 * The message is formatted printf-style, one line, no trailing period.
 */
lka_status lka__error(lka_error *err, lka_status status, lka_errkind kind, int sys,
		      const char *where, const char *fmt, ...) LKA_PRINTF(6, 7);
/* Same, with kind LKA_E_IO and sys = errno value given; appends strerror(sys). */
lka_status lka__error_sys(lka_error *err, lka_status status, int sys, const char *where,
			  const char *fmt, ...) LKA_PRINTF(5, 6);
void lka__error_clear(lka_error *err);

/* ---- growable byte buffer with a cap (buf.c), after curl's dynbuf ---- */

typedef struct lka_buf {
	unsigned char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;          /* appending beyond max fails; 0 = SIZE_MAX */
	bool oom;            /* an allocation failed */
	bool toobig;         /* max was reached */
} lka_buf;

void lka_buf_init(lka_buf *b, size_t max);
void lka_buf_free(lka_buf *b);
void lka_buf_reset(lka_buf *b);
/* Append; returns false (and sets oom or toobig) when it could not. */
bool lka_buf_add(lka_buf *b, const void *p, size_t n);
bool lka_buf_addc(lka_buf *b, int c);
bool lka_buf_adds(lka_buf *b, const char *s);
/* Remove the first n bytes (n <= len). */
void lka_buf_drop(lka_buf *b, size_t n);
/* Make room for n more bytes (plus the NUL) without changing len. */
bool lka_buf_reserve(lka_buf *b, size_t n);
bool lka_buf_printf(lka_buf *b, const char *fmt, ...) LKA_PRINTF(2, 3);
/* Take ownership of the bytes (NUL-terminated); the buffer is left empty. */
char *lka_buf_steal(lka_buf *b, size_t *len_out);

/* ---- allocation helpers (util.c) ---- */

char *lka__strdup(const char *s);               /* NULL in, NULL out */
char *lka__strndup(const char *s, size_t n);
/* Lower-case ASCII in place. */
void lka__ascii_lower(char *s);
/* Whether p[0..n) is the lower-case word w, ASCII case ignored. */
bool lka__ieqn(const char *p, size_t n, const char *w);
/* The ASCII lower case of one character (any other value unchanged). */
static inline int
lka__lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}
/* Little-endian integers at p (file formats and the wire protocol). */
static inline uint16_t
lka__le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
lka__le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/* The value of one hexadecimal digit, -1 when c is none. */
static inline int
lka__hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lka__lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
/* Trim ASCII white space at both ends, in place; returns s. */
char *lka__trim(char *s);
/* Seconds on the monotonic clock (for deadlines and durations). */
double lka__mono_seconds(void);
/* Write all n bytes to fd (blocking, EINTR-safe).  false on error, errno set
 * (EIO when write() wrote nothing). */
bool lka__write_all(int fd, const void *p, size_t n);
/* Read exactly n bytes from fd (blocking, EINTR-safe); false at EOF or error. */
bool lka__read_full(int fd, void *p, size_t n);
/* Limit this process's address space to bytes (0: no limit); nothing under
 * AddressSanitizer, whose shadow memory needs terabytes of it. */
void lka__limit_memory(uint64_t bytes);

/* ---- SHA-256 (hash.c, nettle) ---- */

#define LKA_SHA256_LEN 32
#define LKA_SHA256_HEX 65 /* 64 hex digits + NUL */

typedef struct lka_sha256 {
	uint64_t state[16]; /* opaque storage big enough for nettle's sha256_ctx */
} lka_sha256;

void lka_sha256_init(lka_sha256 *h);
void lka_sha256_update(lka_sha256 *h, const void *p, size_t n);
void lka_sha256_final(lka_sha256 *h, uint8_t out[LKA_SHA256_LEN]);
void lka_sha256_buf(const void *p, size_t n, uint8_t out[LKA_SHA256_LEN]);
void lka_sha256_hex(const uint8_t d[LKA_SHA256_LEN], char out[LKA_SHA256_HEX]);
/* SHA-256 and size of a file, read with O_RDONLY only. */
lka_status lka_sha256_file(const char *path, uint8_t out[LKA_SHA256_LEN], uint64_t *size,
			   lka_error *err);

/* ---- text (text.c) ---- */

/* True when the n bytes are valid UTF-8 (no overlongs, no surrogates). */
bool lka_utf8_valid(const char *s, size_t n);
/*
 * Append code point cp as UTF-8 (1 to 4 bytes; cp is not checked, so the
 * caller keeps surrogates and values over U+10FFFF out).  Returns false when
 * the buffer could not take it (oom or toobig set).
 */
bool lka_utf8__put(lka_buf *b, uint32_t cp);
/*
 * Convert n bytes in charset (may be NULL or unknown) to valid UTF-8, never
 * failing: valid UTF-8 input is kept as is when charset is NULL/utf-8/us-ascii,
 * otherwise iconv from charset is tried, then windows-1252 with undefined
 * bytes mapped to U+FFFD.  *lossy (may be NULL) is set when any byte was not
 * decoded as declared.  Returns a malloc'd NUL-terminated string or NULL on OOM.
 */
char *lka_text_to_utf8(const char *s, size_t n, const char *charset, bool *lossy);
/*
 * Render HTML as plain UTF-8 text: tags removed, script/style/head dropped,
 * block elements and <br> become line breaks, entities decoded, runs of
 * blank lines collapsed.  Returns malloc'd text or NULL on OOM.
 */
char *lka_html_to_text(const char *html, size_t n);

/* ---- addresses (addr.c) ---- */

/*
 * Normalise an e-mail address for matching: trim, lower-case, domain put in
 * one canonical form (IDNA: Unicode U-labels, NFC, lower-case; an invalid IDN
 * is kept lower-cased as given).  Returns a malloc'd string, or NULL when s is
 * not an address (no '@', empty local part or domain).
 */
char *lka_addr_normalize(const char *s);
/* The domain part of a normalised address (borrowed pointer into it), or NULL. */
const char *lka_addr_domain(const char *normalized);

#endif /* LKA_INTERNAL_H */
