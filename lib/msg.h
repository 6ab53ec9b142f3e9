/*
 * msg.h — Outlook .msg files (MS-OXMSG): an OLE compound file read with
 * libgsf, whose property streams go through the MAPI layer of mapi.c.
 */
#ifndef LKA_MSG_H
#define LKA_MSG_H

#include "item.h"
#include "mapi.h"

/* True when p starts with the OLE compound file signature. */
bool lka_olemsg_is_ole(const unsigned char *p, size_t n);

typedef lka_outlook_env lka_olemsg_env;

/*
 * Read the Outlook message in p[0..n): subject, sender, recipients, bodies,
 * attachments (embedded messages recursively).  Returns NULL when p is not
 * an Outlook message (not OLE, or no __properties_version1.0 stream): why
 * says so; otherwise damage is in the message's diags.
 */
lka_msg *lka_olemsg_read(const lka_olemsg_env *env, const unsigned char *p, size_t n,
			 unsigned depth, char *why, size_t cap);

/*
 * The contact or distribution list in p[0..n) (an .msg of class IPM.Contact
 * or IPM.DistList), with the e-mail addresses of its named properties
 * (PSETID_Address Email1..3).  NULL when p is not one (why says so).
 */
lka_contact *lka_olemsg_contact(const lka_olemsg_env *env, const unsigned char *p, size_t n,
				char *why, size_t cap);

#endif /* LKA_MSG_H */
