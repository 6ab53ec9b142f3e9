/*
 * scan.h — enumerate an evidence source before it is read: every regular
 * file below it with its size, SHA-256, detected format and the folder it
 * belongs to.  Runs in the ingest process and only reads a small prefix of
 * each file besides hashing it; no parsing.
 *
 * Canonical order: files are reported sorted by relative path, bytewise
 * (as LC_ALL=C sort).  A folder source's SHA-256 is the SHA-256 of the text
 * "<sha256-hex>  <relpath>\n" for each file in that order (the output of
 * `find . -type f | cut -c3- | LC_ALL=C sort | xargs -d '\n' sha256sum`).
 */
#ifndef LKA_SCAN_H
#define LKA_SCAN_H

#include "reader.h"

/* What a file found in a source is to ingest. */
typedef enum lka_file_role {
	LKA_ROLE_MESSAGES = 0, /* read it: it holds mail */
	LKA_ROLE_IGNORED,      /* not a format we read (recorded, hashed, not parsed) */
	LKA_ROLE_MAILDIR_TMP,  /* maildir tmp/: not delivered mail */
	LKA_ROLE_EMPTY,        /* zero bytes (maildir markers) */
	LKA_ROLE_SPECIAL,      /* symlink, device, fifo: not followed, not read */
	LKA_ROLE_UNREADABLE,   /* could not be opened or hashed */
} lka_file_role;

const char *lka_file_role_name(lka_file_role r); /* "messages", "ignored", "maildir-tmp", ... */

typedef struct lka_scan_file {
	char *relpath;         /* relative to the source folder ("" base name for a file source) */
	char *folder_path;     /* folder it belongs to ("" = the source's root folder) */
	char *folder_class;    /* "maildir", "mbox", "directory" */
	char *maildir_sub;     /* "cur" or "new" for maildir messages, else NULL */
	lka_format format;
	lka_file_role role;
	uint64_t size;
	int64_t mtime;
	uint8_t sha256[LKA_SHA256_LEN];
	char *note;            /* why ignored/unreadable, may be NULL */
} lka_scan_file;

typedef struct lka_scan {
	char *root;          /* absolute path of the source */
	bool is_dir;
	lka_format kind;     /* source kind: maildir, folder, or a file format */
	lka_scan_file *files;
	size_t n_files;
	uint64_t bytes;      /* sum of file sizes */
	uint8_t sha256[LKA_SHA256_LEN]; /* file hash, or the folder manifest hash */
	lka_diags diags;     /* problems met while scanning (unreadable dirs, depth limit) */
	/* Storage of the folder_path, folder_class and maildir_sub strings, shared
	 * by the files of one folder (a maildir of a million files has a few
	 * hundred folders): freed by lka_scan_clear, never per file. */
	char **strings;
	size_t n_strings, cap_strings;
} lka_scan;

/*
 * Scan path (a file or a folder).  LKA_FATAL when path itself cannot be
 * read (err says why); otherwise problems below it are in out->diags.
 * Evidence is opened O_RDONLY | O_NOFOLLOW | O_NOATIME where allowed.
 */
lka_status lka_scan_source(lka_scan *out, const char *path, const lka_limits *limits,
			   lka_error *err);
void lka_scan_clear(lka_scan *s);

/* Parse the flags of a maildir file name ("...:2,FRS" -> "FRS"), malloc'd; NULL if none. */
char *lka_maildir_flags(const char *name);

#endif /* LKA_SCAN_H */
