/*
 * item.h — what readers emit: folders, messages (with their recipients,
 * attachments and embedded messages) and diagnostics.  Plain data, owned by
 * whoever built it; free with the matching lka_*_free().  Readers build
 * these; sinks consume them.  Nothing here knows about SQL or processes.
 */
#ifndef LKA_ITEM_H
#define LKA_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Recipient roles, stored by name in recipients.role. */
typedef enum lka_role {
	LKA_ROLE_FROM = 0,
	LKA_ROLE_SENDER,
	LKA_ROLE_REPLY_TO,
	LKA_ROLE_TO,
	LKA_ROLE_CC,
	LKA_ROLE_BCC,
	LKA_ROLE__COUNT
} lka_role;

const char *lka_role_name(lka_role r); /* "from", "sender", "reply-to", "to", "cc", "bcc" */

/* A diagnostic attached to an item or a source: becomes an errors row. */
typedef struct lka_diag {
	lka_status severity; /* LKA_WARN, LKA_FAILED or LKA_FATAL */
	lka_errkind kind;
	char *location;      /* where inside the item/source: "part 1.2", "offset 1234"; may be NULL */
	char *message;       /* one line */
} lka_diag;

typedef struct lka_diags {
	lka_diag *v;
	size_t n, cap;
} lka_diags;

/* Append a diagnostic (copies the strings).  Returns false on OOM. */
bool lka_diags_add(lka_diags *d, lka_status sev, lka_errkind kind, const char *location,
		   const char *fmt, ...) LKA_PRINTF(5, 6);
void lka_diags_free(lka_diags *d);

typedef struct lka_addr {
	lka_role role;
	char *address; /* normalised (lka_addr_normalize), NULL when the mailbox had no usable address */
	char *name;    /* decoded display name, UTF-8, may be NULL */
	char *raw;     /* this mailbox as it appeared (decoded to UTF-8), may be NULL */
	char *addr_type; /* MAPI address type ("SMTP", "EX" ...), NULL for RFC 822 mail */
	char *legacy_dn; /* Exchange legacy DN ("/o=.../cn=...") when the store has one */
} lka_addr;

typedef struct lka_msg lka_msg;
typedef struct lka_att lka_att;

enum {
	LKA_ATT_INLINE = 1u << 0,    /* Content-Disposition inline or no disposition */
	LKA_ATT_TRUNCATED = 1u << 1, /* decoded size over the limit: hashed, not kept */
	LKA_ATT_DAMAGED = 1u << 2,   /* decoding met errors (bad base64 ...) */
};

struct lka_att {
	char *filename;          /* decoded, UTF-8; NULL when the part has none */
	char *declared_type;     /* "type/subtype" as declared, lower-cased */
	char *detected_type;     /* from content (libmagic), NULL if not detected */
	char *disposition;       /* "attachment", "inline" or NULL */
	char *content_id;
	char *part_path;         /* MIME part number, "2.1" */
	char *transfer_encoding; /* "base64", "quoted-printable", ... */
	uint64_t size;           /* decoded bytes (all of them, even when truncated) */
	uint8_t sha256[LKA_SHA256_LEN]; /* of all decoded bytes */
	unsigned flags;          /* LKA_ATT_* */
	unsigned char *data;     /* decoded bytes kept, or NULL (content omitted or over limit) */
	size_t data_len;
	lka_msg *embedded;       /* message/rfc822 part (or attached message), parsed; owned */
	lka_att *children;       /* members of a container (archives, TNEF, .msg) */
	size_t n_children;
	char *container;         /* "zip", "tar", "7z", "gzip", "tnef", "msg" ... when the
				    attachment is a container whose members are children */
	bool encrypted;          /* an encrypted member, or a container with encrypted members */
	char *password;          /* the password from the message body that opened it, or NULL */
	char *name_flags;        /* "absolute,dotdot,legacy-charset,control-chars,duplicate-name"
				    (those that apply, comma-separated), or NULL */
};

struct lka_msg {
	char *item_class;     /* "IPM.Note" for RFC 822 mail; MAPI class for Outlook items */
	char *message_id;     /* without <>, NULL if absent */
	char *in_reply_to;
	char *references;     /* raw References value, unfolded */
	char *subject;        /* decoded UTF-8 */
	int64_t sent_at;      /* Unix seconds, UTC */
	bool has_sent_at;
	int32_t tz_offset;    /* minutes east of UTC as written in the Date header */
	char *date_raw;       /* the Date header as written */
	int64_t received_at;  /* from the last Received header or delivery; valid if has_received_at */
	bool has_received_at;
	char *from_address;   /* normalised address of the first From mailbox */
	char *from_name;
	char *body_text;      /* text/plain body, else HTML rendered as text; UTF-8 */
	char *body_html;      /* HTML body as UTF-8, NULL if none */
	char *headers;        /* the raw header block, decoded lossily to UTF-8 */
	char *maildir_flags;  /* "RS" etc. for maildir messages */
	uint64_t raw_size;    /* bytes of the message as stored in the source */
	uint8_t raw_sha256[LKA_SHA256_LEN];
	bool has_raw_sha256;  /* false for items with no raw form (embedded Outlook items) */
	lka_addr *addrs;
	size_t n_addrs;
	lka_att *atts;        /* leaf parts kept as attachments, in part order */
	size_t n_atts;
	lka_diags diags;      /* damage seen while parsing this message (embedded ones have their own) */
	char *engine;         /* library that read an Outlook item ("libpff", "libpst"), else NULL */
	bool recovered;       /* a deleted or orphan item recovered from unallocated space */
};

void lka_msg_free(lka_msg *m);  /* frees everything it owns, and m itself; NULL ok */
void lka_att_clear(lka_att *a); /* frees what a owns, not a itself */

/* A folder inside a source (a maildir folder, an mbox file, a PST folder). */
typedef struct lka_folder {
	int64_t id;        /* reader-assigned, unique within the task, > 0 */
	int64_t parent_id; /* 0 for a top folder */
	char *name;        /* last component, UTF-8 */
	char *path;        /* full path inside the source, "/"-separated, UTF-8 */
	char *folder_class;/* "maildir", "mbox", "IPF.Note" ... may be NULL */
	char *role;        /* PST: "ipm", "search", "system", "recovered"; NULL otherwise */
	char *engine;      /* PST: the engine whose count expected_items is, else NULL */
	int64_t expected_items; /* items the store says the folder holds; -1 unknown */
} lka_folder;

void lka_folder_clear(lka_folder *f);

/* Where a top-level item was found inside the file being read. */
typedef struct lka_itemloc {
	uint64_t ordinal;  /* index of the item in the file, from 0: stable across runs */
	int64_t offset;    /* byte offset in the file, -1 if not meaningful */
	int64_t length;    /* bytes, -1 if unknown */
} lka_itemloc;

/*
 * A contact (address-book entry) or a distribution list / group, from a PST,
 * a vCard, an LDIF or a CSV address book.  Strings are UTF-8, each may be NULL.
 */
typedef struct lka_contact_email {
	char *address;  /* normalised (lka_addr_normalize), NULL if unusable */
	char *raw;      /* as written */
	char *name;     /* display name for this address (PST "email1 display name"), may be NULL */
	char *type;     /* "SMTP", "EX", "internet", "home", "work", "pref" ... as the source says; may be NULL */
	char *legacy_dn;/* Exchange legacy DN when the source has one (PST), else NULL */
} lka_contact_email;

typedef struct lka_contact_phone {
	char *raw;      /* as written */
	char *type;     /* "mobile", "home", "work", "fax", "pager", "other" ... may be NULL */
} lka_contact_phone;   /* E.164 normalisation is done by the people builder, not the reader */

typedef struct lka_contact_postal {
	char *type;     /* "home", "work", "other" ... may be NULL */
	char *street, *locality, *region, *postcode, *country; /* each may be NULL */
	char *full;     /* one line or multi-line as written, may be NULL */
} lka_contact_postal;

typedef struct lka_contact {
	char *item_class;  /* "IPM.Contact", "IPM.DistList", "vcard", "ldif", "csv" */
	bool is_list;      /* a distribution list / group: members[] filled */
	char *full_name, *given_name, *family_name, *middle_name, *nickname, *prefix, *suffix;
	char *organization, *department, *title;
	char *birthday;    /* "YYYY-MM-DD" when parseable, else as written; NULL if none */
	char *note, *uid, *url;
	lka_contact_email *emails; size_t n_emails;
	lka_contact_phone *phones; size_t n_phones;
	lka_contact_postal *postals; size_t n_postals;
	lka_contact_email *members; size_t n_members; /* list members (name + address) */
	lka_diags diags;
	/* An entry of an address book attached to a message (sink.h, folder_id < 0)
	 * that sits below the top-level attachment: the steps down from it, each
	 * "c<N>" (member N of a container: archive, TNEF, .msg) or "e<N>"
	 * (attachment N of the message embedded in it), '/'-separated, as
	 * "c0/e2".  NULL when the book is the top-level attachment itself. */
	char *att_path;
} lka_contact;

void lka_contact_free(lka_contact *c); /* everything it owns, and c; NULL ok */
void lka_contact_email_clear(lka_contact_email *e);
void lka_contact_phone_clear(lka_contact_phone *p);
void lka_contact_postal_clear(lka_contact_postal *p);

#endif /* LKA_ITEM_H */
