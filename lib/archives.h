/*
 * archives.h — archives (zip, tar, 7z, gzip, bzip2, xz, cpio, rar ...) read
 * with libarchive, in memory or from a file descriptor, one member at a time,
 * never written to disk.  Used by mime.c (an attachment that is an archive
 * is inventoried into child lka_att rows) and by reader.c (an archive given
 * as a source).  See ../shared/notes/libraries.md §4 for the probed pitfalls.
 */
#ifndef LKA_ARCHIVES_H
#define LKA_ARCHIVES_H

#include <locale.h>

#include "item.h"

/*
 * The container kind of the first bytes of a file ("zip", "gzip", "bzip2",
 * "xz", "7z", "tar", "cpio", "rar", "zstd", "lzip"), or NULL.  Content only.
 */
const char *lka_arc_kind(const unsigned char *p, size_t n);

/* Budget shared by a container and everything nested in it. */
typedef struct lka_arc_budget {
	uint64_t in_bytes;  /* packed bytes of the outermost container */
	uint64_t out_bytes; /* bytes unpacked so far */
	uint64_t members;   /* members met so far */
	bool spent;         /* a limit was hit: stop */
} lka_arc_budget;

typedef struct lka_arc lka_arc;

/* One member, as lka_arc_next() returns it. */
typedef struct lka_arc_entry {
	char *path;        /* UTF-8: the raw name bytes decoded (legacy charsets guessed) */
	char *name_flags;  /* see item.h lka_att.name_flags, or NULL */
	bool regular;      /* a regular file (else a directory, link ... : no data) */
	bool encrypted;
	bool truncated;    /* more than the cap: hashed, data holds the first cap bytes */
	bool damaged;      /* reading the data failed part way (error says why) */
	bool at_end;       /* all the data was read (sha256 is then set) */
	uint64_t size;     /* bytes read */
	uint8_t sha256[LKA_SHA256_LEN];
	unsigned char *data; /* bytes read, up to the cap; malloc'd, NUL-ended */
	size_t len;
	char error[256];   /* why the data could not be read (fully), or "" */
} lka_arc_entry;

void lka_arc_entry_clear(lka_arc_entry *e);

/*
 * Open an archive held in memory (fd < 0: mem, n) or read from fd (streamed).
 * utf8 is a UTF-8 locale for libarchive's name conversion (made by the
 * caller with newlocale), or (locale_t)0.  passphrase may be NULL.
 * member_cap: most bytes of one member kept.  On failure *out is NULL and
 * why (cap bytes) says why.
 */
lka_status lka_arc_open(lka_arc **out, int fd, const void *mem, size_t n, locale_t utf8,
			const char *passphrase, uint64_t member_cap, char *why, size_t cap);
/*
 * Next member: 1 (e filled), 0 at the end, -1 when the archive cannot be read
 * further (lka_arc_error says why).  A zip whose central directory shows no
 * member is read again in streaming mode (memory only).
 */
int lka_arc_next(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim);
/*
 * Same, reading only the first peek bytes of a regular member's data (the
 * rest stays unread until lka_arc_finish, or is skipped by the next call).
 */
int lka_arc_peek(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim,
		 size_t peek);
/*
 * Read the rest of a peeked member: to fd (fd >= 0: the caller wrote the
 * peeked bytes already; nothing more is kept) or into e->data up to the cap.
 */
void lka_arc_finish(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim,
		    int fd);
const char *lka_arc_error(const lka_arc *a);
/* The container kind libarchive found ("zip", "tar", "gzip" ...). */
const char *lka_arc_format(lka_arc *a);
/* True when the archive was read again in streaming mode. */
bool lka_arc_restreamed(const lka_arc *a);
void lka_arc_free(lka_arc *a);

/*
 * Candidate passwords offered by a message's text (short tokens near
 * "password", "mot de passe", "mdp", "code", "pwd", "passwort",
 * "contraseña" ..., quoted or after a colon).  Returns the number stored in
 * out (each malloc'd), at most max.
 */
size_t lka_arc_passwords(const char *text, char **out, size_t max);

/* Hooks back into the MIME layer for members. */
typedef struct lka_arc_env {
	const lka_limits *limits;
	bool store_content;
	locale_t utf8;
	void *ud;
	/* Detected type of a member (malloc'd) or NULL. */
	char *(*sniff)(void *ud, const unsigned char *p, size_t n);
	/* A member that is mail: parse it (NULL if it is not a message). */
	lka_msg *(*parse_mail)(void *ud, const unsigned char *p, size_t n, const char *path,
			       unsigned depth);
	/* A member that is another kind of container (TNEF, .msg): expand it into a. */
	bool (*other)(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned depth,
		      lka_diags *d);
	const char *password_text; /* where passwords are looked for, may be NULL */
} lka_arc_env;

/*
 * Inventory the archive p[0..n) into a (a->container, a->children,
 * a->encrypted, a->password), recursively.  Problems go to d with location
 * a->part_path.  depth: containers around this one.  ancestors: SHA-256s of
 * the containers around this one (a container holding itself is not
 * opened again).  Returns false when p is not an archive libarchive reads.
 */
bool lka_arc_expand(const lka_arc_env *env, lka_att *a, const unsigned char *p, size_t n,
		    unsigned depth, lka_arc_budget *bud, lka_diags *d);

#endif /* LKA_ARCHIVES_H */
