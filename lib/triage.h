/*
 * triage.h — inside the attachment triage (lib/triage*.c): the OLE compound
 * file (CFB) directory parser and the checks, exposed for the unit tests.
 */
#ifndef LKA_TRIAGE_H
#define LKA_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leakaudit/attachments.h"

/* One directory entry of a compound file. */
typedef struct lka_cfb_entry {
	char name[100];     /* UTF-8 (from at most 31 UTF-16 units); control chars kept */
	uint8_t type;       /* 1 storage, 2 stream, 5 root */
	uint8_t clsid[16];
	uint64_t size;
} lka_cfb_entry;

#define LKA_CFB_MAX_ENTRIES 65536u

typedef enum lka_cfb_status {
	LKA_CFB_OK = 0,
	LKA_CFB_NOT_CFB,   /* no compound file signature */
	LKA_CFB_BAD,       /* header unusable: no directory read */
	LKA_CFB_PARTIAL,   /* directory read in part (truncated, loops, limit) */
} lka_cfb_status;

/*
 * Parse the directory of the compound file in data[0..n): *out (malloc'd,
 * freed by the caller, NULL when none) receives the entries in directory
 * order, *n_out how many.  Every sector number is bounds-checked, chains are
 * cut at the first loop or after as many steps as the file has sectors.
 */
lka_cfb_status lka_cfb_parse(const void *data, size_t n, lka_cfb_entry **out, size_t *n_out);

/* Only the type-mismatch check of lka_triage_content (cheap: no archive
 * listing), for each occurrence of a content under its own name and type;
 * detected_type (libmagic's, from ingest; may be NULL) stands for the
 * content's family when the bytes match none leakaudit recognises. */
void lka_triage__type_check(const void *data, size_t n, const char *name,
			    const char *declared_type, const char *detected_type, lka_flag_fn fn,
			    void *payload);

/* Try passwords on an encrypted zip/7z/rar held in memory: the index of the
 * first one that decrypts an encrypted entry whole, or -1. */
int lka_triage__try_passwords(const void *data, size_t n, const char *const *pw, size_t n_pw);

/* Candidate passwords named in a message body ("mot de passe : X",
 * "password: X" ...): up to max malloc'd strings into out; returns how many. */
size_t lka_triage__body_passwords(const char *body, char **out, size_t max);

/* Is the archive encrypted (1), not (0)?  For zip, 7z and rar content. */
int lka_triage__archive_encrypted(const void *data, size_t n);

#endif
