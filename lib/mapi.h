/*
 * mapi.h — MAPI properties, shared by the TNEF reader (tnef.c) and the
 * Outlook .msg reader: property lists, strings, times, the LZFu compressed
 * RTF of MS-OXRTFCP, and RTF to text / HTML (MS-OXRTFEX de-encapsulation).
 */
#ifndef LKA_MAPI_H
#define LKA_MAPI_H

#include "item.h"

/*
 * What the TNEF and .msg readers are given: the limits, whether attachment
 * bytes are kept, and what to do with the bytes of each attachment they find
 * (set its detected type, inventory it when it is a container, parse it when
 * it is mail).
 */
typedef struct lka_outlook_env {
	const lka_limits *limits;
	bool store_content;
	void *ud;
	void (*content)(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned depth,
			lka_diags *d);
} lka_outlook_env;

/* Property types (MS-OXCDATA 2.11.1) */
enum {
	LKA_PT_SHORT = 0x0002,
	LKA_PT_LONG = 0x0003,
	LKA_PT_FLOAT = 0x0004,
	LKA_PT_DOUBLE = 0x0005,
	LKA_PT_CURRENCY = 0x0006,
	LKA_PT_APPTIME = 0x0007,
	LKA_PT_ERROR = 0x000A,
	LKA_PT_BOOLEAN = 0x000B,
	LKA_PT_OBJECT = 0x000D,
	LKA_PT_I8 = 0x0014,
	LKA_PT_STRING8 = 0x001E,
	LKA_PT_UNICODE = 0x001F,
	LKA_PT_SYSTIME = 0x0040,
	LKA_PT_CLSID = 0x0048,
	LKA_PT_BINARY = 0x0102,
	LKA_PT_MV = 0x1000,
};

/* Property ids used here */
enum {
	LKA_PR_MESSAGE_CLASS = 0x001A,
	LKA_PR_SUBJECT = 0x0037,
	LKA_PR_CLIENT_SUBMIT_TIME = 0x0039,
	LKA_PR_SENT_REPRESENTING_NAME = 0x0042,
	LKA_PR_SENT_REPRESENTING_EMAIL = 0x0065,
	LKA_PR_TRANSPORT_HEADERS = 0x007D,
	LKA_PR_SENDER_NAME = 0x0C1A,
	LKA_PR_SENDER_EMAIL = 0x0C1F,
	LKA_PR_SENDER_ADDRTYPE = 0x0C1E,
	LKA_PR_DISPLAY_TO = 0x0E04,
	LKA_PR_DELIVERY_TIME = 0x0E06,
	LKA_PR_BODY = 0x1000,
	LKA_PR_RTF_COMPRESSED = 0x1009,
	LKA_PR_HTML = 0x1013,
	LKA_PR_INTERNET_MESSAGE_ID = 0x1035,
	LKA_PR_IN_REPLY_TO = 0x1042,
	LKA_PR_INTERNET_CPID = 0x3FDE,
	LKA_PR_MESSAGE_CODEPAGE = 0x3FFD,
	LKA_PR_DISPLAY_NAME = 0x3001,
	LKA_PR_EMAIL_ADDRESS = 0x3003,
	LKA_PR_ADDRTYPE = 0x3002,
	LKA_PR_RECIPIENT_TYPE = 0x0C15,
	LKA_PR_SMTP_ADDRESS = 0x39FE,
	LKA_PR_ATTACH_DATA = 0x3701,
	LKA_PR_ATTACH_EXTENSION = 0x3703,
	LKA_PR_ATTACH_FILENAME = 0x3704,
	LKA_PR_ATTACH_METHOD = 0x3705,
	LKA_PR_ATTACH_LONG_FILENAME = 0x3707,
	LKA_PR_ATTACH_MIME_TAG = 0x370E,
	LKA_PR_ATTACH_CONTENT_ID = 0x3712,
	LKA_PR_SENDER_SMTP = 0x5D01,
	LKA_PR_SENT_REPRESENTING_SMTP = 0x5D02,
	LKA_PR_SENT_REPRESENTING_ADDRTYPE = 0x0064,
	LKA_PR_INTERNET_REFERENCES = 0x1039,
	LKA_PR_FOLDER_TYPE = 0x3601,
	LKA_PR_CONTAINER_CLASS = 0x3613,
	LKA_PR_ATTACH_LONG_PATHNAME = 0x3708,
	LKA_PR_ATTACH_PATHNAME = 0x370D,
	LKA_PR_ATTACH_FLAGS = 0x3714,
	LKA_PR_RECIPIENT_FLAGS = 0x5FFD,
	LKA_PR_ATTACHMENT_HIDDEN = 0x7FFE,
	LKA_PR_PST_PASSWORD = 0x67FF,
	LKA_PR_IPM_SUBTREE_ENTRYID = 0x35E0,
	LKA_PR_FINDER_ENTRYID = 0x35E7,
};

/* Named properties by their LID (MS-OXPROPS), as a PST's name map gives them */
enum {
	LKA_LID_DL_NAME = 0x8053,
	LKA_LID_DL_ONE_OFF_MEMBERS = 0x8054,
	LKA_LID_EMAIL1_DISPLAY_NAME = 0x8080, /* Email2: +0x10, Email3: +0x20; address: +3 */
	LKA_LID_TASK_DUE_DATE = 0x8105,
	LKA_LID_APPT_LOCATION = 0x8208,
	LKA_LID_APPT_START = 0x820D,
	LKA_LID_APPT_END = 0x820E,
};

typedef struct lka_mapi_prop {
	uint16_t type;   /* without the MV flag */
	uint16_t id;
	bool mv;         /* multi-valued: the first value is in data */
	bool named;      /* a named property (id >= 0x8000): id is the local id */
	const unsigned char *data; /* the (first) value; borrowed */
	size_t len;
} lka_mapi_prop;

typedef struct lka_mapi_props {
	lka_mapi_prop *v;
	size_t n, cap;
	uint32_t codepage; /* for PT_STRING8; 0 = unknown (windows-1252) */
} lka_mapi_props;

void lka_mapi_props_free(lka_mapi_props *p);
bool lka_mapi_props_add(lka_mapi_props *p, uint16_t type, uint16_t id, const unsigned char *data,
			size_t len);

/*
 * Parse a TNEF-encoded property list (attMsgProps, attAttachment:
 * MS-OXTNEF 2.1.3.4).  Values point into p.  Returns false when the list was
 * damaged: the properties read before the damage are kept, why says where.
 */
bool lka_mapi_parse_tnef(const unsigned char *p, size_t n, lka_mapi_props *out, char *why,
			 size_t cap);

/* Same, *used (may be NULL) set to the bytes the list took. */
bool lka_mapi_parse_tnef_at(const unsigned char *p, size_t n, lka_mapi_props *out, char *why,
			    size_t cap, size_t *used);

/* Append the recipient described by p (a recipient table row) to m. */
void lka_mapi_add_recipient(lka_msg *m, const lka_mapi_props *p);

/* The first property with this id (and type, unless type is 0), or NULL. */
const lka_mapi_prop *lka_mapi_find(const lka_mapi_props *p, uint16_t id, uint16_t type);
/* A string property (PT_UNICODE or PT_STRING8) as UTF-8, malloc'd; NULL if absent. */
char *lka_mapi_str(const lka_mapi_props *p, uint16_t id);
/* PT_LONG value, or dflt. */
int32_t lka_mapi_long(const lka_mapi_props *p, uint16_t id, int32_t dflt);
/* PT_SYSTIME as Unix seconds; false if absent. */
bool lka_mapi_time(const lka_mapi_props *p, uint16_t id, int64_t *out);
/* A Windows code page as an iconv charset name; NULL for 0 (unknown). */
const char *lka_mapi_cp_charset(uint32_t cp, char *buf, size_t cap);
/* UTF-16LE to UTF-8 (surrogate pairs joined, lone ones U+FFFD), stops at a NUL. */
char *lka_mapi_utf16(const unsigned char *p, size_t n);

/*
 * Decompress PR_RTF_COMPRESSED (LZFu or MELA).  At most max bytes out.
 * Returns malloc'd NUL-ended RTF (*out_len set), or NULL (why says why).
 */
char *lka_mapi_lzfu(const unsigned char *p, size_t n, size_t max, size_t *out_len, char *why,
		    size_t cap);
/*
 * RTF to body text.  When the RTF encapsulates HTML (\fromhtml1) the HTML is
 * recovered into *html (malloc'd) and the text is NULL; otherwise *html is
 * NULL and plain text is returned.  8-bit text (\'hh) is decoded in the
 * document's code page (\ansicpg, windows-1252 when none); \uN, \par,
 * \line, \row, \tab, \cell and the typographic symbols are kept; font,
 * colour, style tables, pictures, objects and {\*...} destinations are
 * dropped, and so is \htmlrtf text outside {\*\htmltag}.  Never fails
 * except on OOM.
 */
char *lka_mapi_rtf_text(const char *rtf, size_t n, char **html);

/*
 * Fill m from message properties: class, subject, sender, dates, ids,
 * bodies (PR_BODY, else PR_HTML, else PR_RTF_COMPRESSED), transport headers.
 * Fields already set are kept.  Damage goes to m->diags.
 */
void lka_mapi_fill_msg(lka_msg *m, const lka_mapi_props *p, size_t text_max);

#endif /* LKA_MAPI_H */
