/*
 * reader.h — one reader per evidence format (after libarchive's format
 * vtables).  A reader parses one evidence file (a "task") and emits items to a
 * sink.  Readers run inside reader processes (ingest.c) and know nothing of SQL.
 */
#ifndef LKA_READER_H
#define LKA_READER_H

#include "sink.h"

/* Formats, stored by name in source_files.format and sources.kind. */
typedef enum lka_format {
	LKA_FMT_UNKNOWN = 0, /* not evidence we read: recorded, not parsed */
	LKA_FMT_EML,         /* one RFC 822 message (.eml, maildir file, no extension) */
	LKA_FMT_EMLX,        /* Apple Mail .emlx: byte count line, message, plist */
	LKA_FMT_MBOX,        /* mboxo / mboxrd / mboxcl */
	LKA_FMT_MAILDIR,     /* a folder with cur/ new/ tmp/ (source kind only) */
	LKA_FMT_FOLDER,      /* a plain folder of evidence files (source kind only) */
	LKA_FMT_VCARD,       /* vCard 2.1 / 3.0 / 4.0 address book (.vcf) */
	LKA_FMT_LDIF,        /* LDIF address book (Thunderbird, Outlook, OpenLDAP exports) */
	LKA_FMT_CSVBOOK,     /* CSV / TSV address book (Outlook, Google, Thunderbird exports) */
	LKA_FMT_PST,         /* Outlook PST or OST, ANSI or Unicode ("!BDN") */
	LKA_FMT__COUNT
} lka_format;

const char *lka_format_name(lka_format f); /* "unknown", "eml", "emlx", "mbox", "maildir", "folder",
					    "vcard", "ldif", "csvbook", "pst" */
lka_format lka_format_from_name(const char *name);

/*
 * Identify the format of a file from its first bytes (at most 64 KiB are
 * looked at; pass what you have).  name (may be NULL) is only a tie-breaker:
 * content decides.  Returns LKA_FMT_UNKNOWN for anything else.
 */
lka_format lka_detect_format(const unsigned char *head, size_t n, const char *name);

/* Kind of Outlook store, from its header (bits). */
typedef enum lka_pst_kind {
	LKA_PST_ANSI = 1,    /* 32-bit (Outlook 97-2002) */
	LKA_PST_UNICODE = 2, /* 64-bit (Outlook 2003 and later) */
	LKA_PST_OST = 4,     /* an offline store (wMagicClient "SO") */
} lka_pst_kind;

/* Is head (n bytes) the header of a PST/OST?  *kind (may be NULL): lka_pst_kind bits. */
bool lka_detect_pst(const unsigned char *head, size_t n, unsigned *kind);

/* Per-process reader state: created once in each reader process. */
typedef struct lka_rctx lka_rctx;

lka_status lka_rctx_new(lka_rctx **out, const lka_limits *limits, bool store_content,
			const char *fault, lka_error *err);
void lka_rctx_free(lka_rctx *rc);
/* Testing: map mboxes this many bytes at a time (default 64 MiB; at least 4 KiB). */
void lka_rctx__set_mbox_window(lka_rctx *rc, size_t bytes);

/* One evidence file to read. */
typedef struct lka_task {
	const char *path;    /* file to open (read-only) */
	const char *display; /* how diagnostics name it (source-relative path) */
	lka_format format;
	uint64_t skip;       /* do not emit items with ordinal < skip (done already, or poisoned) */
} lka_task;

/*
 * Read one file.  Returns LKA_OK, LKA_WARN (items or the file were damaged:
 * diagnostics were emitted), LKA_FATAL (the file could not be read at all:
 * a diagnostic with loc NULL was emitted, or the sink said stop).
 */
lka_status lka_read_task(lka_rctx *rc, const lka_task *task, lka_sink *sink);

#endif /* LKA_READER_H */
