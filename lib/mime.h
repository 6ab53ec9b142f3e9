/*
 * mime.h — parse one RFC 822 message (GMime 3) into an lka_msg.
 */
#ifndef LKA_MIME_H
#define LKA_MIME_H

#include "item.h"

typedef struct lka_mime lka_mime;

/*
 * One per process (GMime objects are not shared between threads).  Calls
 * g_mime_init() on first use.  store_content false: attachments are hashed
 * and sniffed, their bytes not kept.
 */
lka_status lka_mime_new(lka_mime **out, const lka_limits *limits, bool store_content,
			lka_error *err);
void lka_mime_free(lka_mime *mm);

/*
 * Parse the n bytes at data as one message.  Always produces a message when
 * it returns LKA_OK or LKA_WARN (damage is in (*out)->diags); LKA_FAILED when
 * nothing usable was found (err says why).  raw_size/raw_sha256 are set over
 * the n bytes.  item_class is "IPM.Note".
 */
lka_status lka_mime_parse(lka_msg **out, lka_mime *mm, const char *data, size_t n,
			  lka_error *err);

/*
 * Read a TNEF stream (a winmail.dat given as evidence) as one message: its
 * MAPI properties and attachments (containers among them inventoried).
 */
lka_status lka_mime_tnef(lka_msg **out, lka_mime *mm, const char *data, size_t n,
			 lka_error *err);

/* Read an Outlook .msg file as one message (recipients, bodies, attachments). */
lka_status lka_mime_olemsg(lka_msg **out, lka_mime *mm, const char *data, size_t n,
			   lka_error *err);

/* The contact or distribution list of an Outlook .msg (IPM.Contact, IPM.DistList), or NULL. */
lka_contact *lka_mime_olemsg_contact(lka_mime *mm, const char *data, size_t n);

/* libmagic MIME type of a buffer, into out (cap bytes); "" if unknown.
 * sha256: the SHA-256 of exactly these n bytes (the answer is then kept for
 * the next content with that hash), or NULL. */
void lka_mime_sniff(lka_mime *mm, const unsigned char *sha256, const void *data, size_t n,
		    char *out, size_t cap);

#endif /* LKA_MIME_H */
