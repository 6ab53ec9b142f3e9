/*
 * detect.c — what format an evidence file is in, from its first bytes.
 *
 * Content decides; the file name only breaks ties (a weak header block in
 * a file named .eml, an .emlx whose message does not start cleanly).
 * Everything here must stay safe on arbitrary binary input: it only ever
 * looks at the n bytes it is given.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <string.h>

#include "book.h"
#include "archives.h"
#include "internal.h"
#include "mbox.h"
#include "reader.h"

#define HEADER_LINES_MAX 2000 /* lines of a header block looked at */
#define EMLX_COUNT_DIGITS 12 /* an emlx byte count has at most this many digits */

static const char *const format_names[] = {
	[LKA_FMT_UNKNOWN] = "unknown", [LKA_FMT_EML] = "eml",         [LKA_FMT_EMLX] = "emlx",
	[LKA_FMT_MBOX] = "mbox",       [LKA_FMT_MAILDIR] = "maildir", [LKA_FMT_FOLDER] = "folder",
	[LKA_FMT_VCARD] = "vcard",     [LKA_FMT_LDIF] = "ldif",       [LKA_FMT_CSVBOOK] = "csvbook",
	[LKA_FMT_PST] = "pst",
	[LKA_FMT_ARCHIVE] = "archive", [LKA_FMT_TNEF] = "tnef",       [LKA_FMT_MSG] = "msg",
};

const char *
lka_format_name(lka_format f)
{
	if ((unsigned)f < LKA_ARRAY_LEN(format_names) && format_names[f])
		return format_names[f];
	return "unknown";
}

lka_format
lka_format_from_name(const char *name)
{
	if (!name)
		return LKA_FMT_UNKNOWN;
	for (size_t i = 0; i < LKA_ARRAY_LEN(format_names); i++)
		if (format_names[i] && strcmp(name, format_names[i]) == 0)
			return (lka_format)i;
	return LKA_FMT_UNKNOWN;
}

static bool
iprefix(const unsigned char *p, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= n || lka__lower(p[i]) != prefix[i])
			return false;
	return true;
}

static bool
name_ends_with(const char *name, const char *suffix)
{
	size_t n, s = strlen(suffix);

	if (!name)
		return false;
	n = strlen(name);
	if (n < s)
		return false;
	for (size_t i = 0; i < s; i++)
		if (lka__lower((unsigned char)name[n - s + i]) != suffix[i])
			return false;
	return true;
}

/* Fields that on their own make a header block mail. */
static bool
key_field(const unsigned char *p, size_t n)
{
	static const char *const names[] = {
		"from", "date", "subject", "message-id", "received", "mime-version",
		"return-path", "delivered-to", "to", "cc", "sender", "reply-to",
		"in-reply-to", "references", "x-mozilla-status", "x-account-key",
	};
	for (size_t i = 0; i < LKA_ARRAY_LEN(names); i++)
		if (lka__ieqn((const char *)p, n, names[i]))
			return true;
	return false;
}

/* Fields that make a block of two or more header lines mail. */
static bool
mailish_field(const unsigned char *p, size_t n)
{
	static const char *const prefixes[] = {
		"x-", "content-", "list-", "arc-", "dkim-", "authentication-results",
		"resent-", "thread-", "user-agent", "organization", "importance",
		"priority", "envelope-", "path", "newsgroups", "status", "keywords",
		"comments", "disposition-notification-to", "errors-to", "precedence",
	};
	if (key_field(p, n))
		return true;
	for (size_t i = 0; i < LKA_ARRAY_LEN(prefixes); i++)
		if (iprefix(p, n, prefixes[i]))
			return true;
	return false;
}

/*
 * Does an RFC 822 header block start at p?  The first line must be a field;
 * the block runs to the first line that is neither a field nor a
 * continuation.  strength: 2 = a key field or two mail-like fields,
 * 1 = at least one field, 0 = not a header block.
 */
static int
header_block_strength(const unsigned char *p, size_t n)
{
	size_t pos = 0, fields = 0, mailish = 0;
	bool key = false;

	for (int line = 0; line < HEADER_LINES_MAX && pos < n; line++) {
		size_t next, len = lka_mbox__line_at((const char *)p + pos, n - pos, &next), name;

		if (memchr(p + pos, '\0', len))
			return 0; /* binary */
		if (len == 0)
			break;
		if ((p[pos] == ' ' || p[pos] == '\t') && fields > 0) {
			pos += next;
			continue;
		}
		name = lka_mbox__field_name((const char *)p + pos, len);
		if (name == 0)
			break;
		fields++;
		if (key_field(p + pos, name))
			key = true;
		if (mailish_field(p + pos, name))
			mailish++;
		pos += next;
	}
	if (fields == 0)
		return 0;
	if (key || (fields >= 2 && mailish >= 1))
		return 2;
	return 1;
}

/* An emlx starts with a line holding the decimal byte count of the message. */
static size_t
emlx_count_line(const unsigned char *p, size_t n)
{
	size_t i = 0, digits = 0;

	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		i++;
		digits++;
	}
	if (digits == 0 || digits > EMLX_COUNT_DIGITS)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] == '\r')
		i++;
	if (i < n && p[i] == '\n')
		return i + 1;
	return 0;
}

/*
 * Outlook PST/OST header: "!BDN", then a CRC, then wMagicClient "SM" (PST),
 * "SO" (OST) or "AB" (PAB), then wVer: 14/15 ANSI (32-bit), 21/23/36
 * Unicode (64-bit; 36 = 4 KiB pages).
 */
bool
lka_detect_pst(const unsigned char *head, size_t n, unsigned *kind)
{
	unsigned ver, k;

	if (n < 12 || memcmp(head, "!BDN", 4) != 0)
		return false;
	if (!((head[8] == 'S' && (head[9] == 'M' || head[9] == 'O')) ||
	      (head[8] == 'A' && head[9] == 'B')))
		return false;
	ver = (unsigned)head[10] | (unsigned)head[11] << 8;
	if (ver == 14 || ver == 15)
		k = (unsigned)LKA_PST_ANSI;
	else if (ver >= 21 && ver <= 40)
		k = (unsigned)LKA_PST_UNICODE;
	else
		return false;
	if (kind)
		*kind = k | (head[9] == 'O' ? (unsigned)LKA_PST_OST : 0u);
	return true;
}

lka_format
lka_detect_format(const unsigned char *head, size_t n, const char *name)
{
	size_t skip;
	int strength;

	if (!head || n == 0)
		return LKA_FMT_UNKNOWN;
	if (lka_detect_pst(head, n, NULL))
		return LKA_FMT_PST;
	/* Archives (zip, gzip, tar, 7z ...): their members are read as evidence. */
	if (lka_arc_kind(head, n))
		return LKA_FMT_ARCHIVE;
	/* Outlook .msg: an OLE compound file with the message's property stream */
	if (n >= 512 && !memcmp(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
		static const char props16[] = "_\0_\0p\0r\0o\0p\0e\0r\0t\0i\0e\0s\0_\0v\0";
		static const char substg16[] = "_\0_\0s\0u\0b\0s\0t\0g\0";

		if (memmem(head, n, props16, sizeof props16 - 1) ||
		    memmem(head, n, substg16, sizeof substg16 - 1) || name_ends_with(name, ".msg"))
			return LKA_FMT_MSG;
		return LKA_FMT_UNKNOWN;
	}
	/* TNEF (winmail.dat) */
	if (n >= 6 && head[0] == 0x78 && head[1] == 0x9F && head[2] == 0x3E && head[3] == 0x22)
		return LKA_FMT_TNEF;
	/*
	 * OLE2 (.msg) falls through to UNKNOWN below unless the .msg reader
	 * claims it.  Its first bytes never form a From_ line, a count line or
	 * a header field.
	 */
	if (lka_mbox_is_from_line((const char *)head, n))
		return LKA_FMT_MBOX;
	skip = emlx_count_line(head, n);
	if (skip) {
		strength = header_block_strength(head + skip, n - skip);
		if (strength == 2 || (strength == 1 && name_ends_with(name, ".emlx")))
			return LKA_FMT_EMLX;
		return LKA_FMT_UNKNOWN;
	}
	/* A UTF-8 byte order mark is seen before headers written by some Windows tools. */
	skip = n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf ? 3 : 0;
	/* vCard and iCalendar are "Name:value" lines too (with X- fields), but not mail */
	if (lka_vcard_detect(head, n))
		return LKA_FMT_VCARD;
	if (iprefix(head + skip, n - skip, "begin:vcalendar"))
		return LKA_FMT_UNKNOWN;
	/* LDIF: "dn: ..." (after comments and "version: 1") is a header-like line too */
	if (lka_ldif_detect(head, n))
		return LKA_FMT_LDIF;
	strength = header_block_strength(head + skip, n - skip);
	if (strength == 2 || (strength == 1 && name_ends_with(name, ".eml")))
		return LKA_FMT_EML;
	/*
	 * An mbox with leading garbage (a carved or badly exported file): text
	 * without NUL bytes, then within the first 4 KiB an empty line followed
	 * by a dated From_ line.  The reader records the garbage as damage.
	 */
	{
		size_t lim = n < 4096 ? n : 4096;
		if (!memchr(head, '\0', lim)) {
			for (size_t i = 0; i + 7 < lim; i++) {
				if (head[i] == '\n' && head[i + 1] == '\n' &&
				    memcmp(head + i + 2, "From ", 5) == 0 &&
				    lka_mbox_is_from_line((const char *)head + i + 2, n - i - 2))
					return LKA_FMT_MBOX;
			}
		}
	}
	/* Tie-breaker: an .mbox file whose From_ line has no date and no header block after it. */
	if (n >= 5 && memcmp(head, "From ", 5) == 0 &&
	    (name_ends_with(name, ".mbox") || name_ends_with(name, ".mbx"))) {
		size_t next, len = lka_mbox__line_at((const char *)head, n, &next);
		if (len <= 1024 && !memchr(head, '\0', len))
			return LKA_FMT_MBOX;
	}
	/* A CSV/TSV with e-mail columns or addresses: an address book. */
	if (lka_csvbook_detect(head, n))
		return LKA_FMT_CSVBOOK;
	return LKA_FMT_UNKNOWN;
}
