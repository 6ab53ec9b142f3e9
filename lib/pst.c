/*
 * pst.c — Outlook PST/OST reader on libpff (one handle per reader process).
 *
 * Walks the whole folder tree from the store's root (the IPM subtree, the
 * search root and the system folders, each folder with a role), emits every
 * item of every folder as a message with its MAPI message class, the full
 * recipient table (type, display name, SMTP address, Exchange legacy DN),
 * bodies (plain, HTML, RTF converted to text), attachments by value
 * (hashed, kept), embedded messages (recursively) and by-reference/OLE
 * attachments (recorded as such), then the deleted items libpff recovers,
 * flagged recovered.
 *
 * Item ordinals: the items of the folders in walk order, then the recovered
 * items.  The walk order depends only on the file, so a resumed task
 * (task->skip) skips exactly what was done.  Folders are re-emitted on every
 * run (they are not items).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <iconv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include <libpff.h>

#include "internal.h"
#include "mapi.h"
#include "mime.h"
#include "pst.h"

/* The item_get_entry_value* calls are the only by-tag accessors of this libpff. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define EMBED_DEPTH_MAX 16
#define READ_CHUNK ((size_t)1 << 20)
#define ANY LIBPFF_ENTRY_VALUE_FLAG_MATCH_ANY_VALUE_TYPE
/* Tags below 0x8000 are not named properties: skip libpff's name-to-id map
 * (a linear search per entry that took 6 % of ingest time). */
#define NOMAP(tag) ((uint8_t)((tag) < 0x8000 ? LIBPFF_ENTRY_VALUE_FLAG_IGNORE_NAME_TO_ID_MAP : 0))

typedef struct prun {
	const lka_task *task;
	lka_sink *sink;
	lka_mime *mime;
	const lka_limits *lim;
	bool store;
	const lka_rctx *rc;     /* test fault hook */
	lka_pst_host *host;     /* where the libpst pass runs */
	lka_pst_host *own_host; /* one made for this call (none given): freed at its end */
	libpff_file_t *f;
	libbfio_handle_t *bfio; /* over map: libpff reads memory, not lseek+read a block */
	unsigned char *map;     /* the store, mapped read-only (NULL: libpff opens the path) */
	size_t map_len;
	unsigned kind;          /* lka_pst_kind bits */
	const char *charset;    /* default charset of 8-bit strings (ANSI stores) */
	char charset_buf[32];
	uint64_t ordinal;       /* next item ordinal */
	int64_t next_folder;    /* next reader folder id */
	uint32_t ipm_nid, finder_nid;
	uint64_t items, failed, recovered;
	bool warned, stop;
	bool use_libpst;
	/* for the libpst pass */
	uint64_t *known;        /* descriptor ids of items libpff read well */
	size_t n_known, cap_known;
	struct pfolder {        /* folders emitted, by descriptor id */
		uint64_t nid;
		int64_t id, parent_id;
		char *name;
		int64_t pff_expected; /* -1: libpff did not list this folder */
		bool counted;         /* libpst's count for it was recorded */
	} *folders;
	size_t n_folders, cap_folders;
	struct stub {           /* libpff items without a message class: held for libpst */
		uint64_t nid;
		int64_t folder_id;
		lka_itemloc loc;
		lka_msg *m;
	} *stubs;
	size_t n_stubs, cap_stubs;
	uint64_t pst_items;     /* items libpst added */
	struct timespec last_sent; /* last frame forwarded during the libpst pass */
	int64_t last_folder;    /* reader id of the last folder libpst announced */
} prun;

/* Grow a vector to hold one more element; false on OOM. */
static bool
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*v, c * size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

static void
note_known(prun *r, uint64_t nid)
{
	if (grow((void **)&r->known, &r->cap_known, r->n_known, sizeof *r->known))
		r->known[r->n_known++] = nid;
}

static void
note_folder(prun *r, uint64_t nid, int64_t id, int64_t parent_id, const char *name,
	    int64_t expected)
{
	struct pfolder *f;

	if (!grow((void **)&r->folders, &r->cap_folders, r->n_folders, sizeof *r->folders))
		return;
	f = &r->folders[r->n_folders++];
	f->nid = nid;
	f->id = id;
	f->parent_id = parent_id;
	f->name = lka__strdup(name);
	f->pff_expected = expected;
	f->counted = false;
}

static struct pfolder *
find_folder(prun *r, uint64_t nid)
{
	for (size_t i = 0; i < r->n_folders; i++)
		if (r->folders[i].nid == nid)
			return &r->folders[i];
	return NULL;
}

/* ------------------------------------------------------------ helpers */

static void
sink_status(prun *r, lka_status st)
{
	if (st == LKA_FATAL)
		r->stop = true;
}

/* The root cause of a libpff error: the first line of its backtrace, without the function name. */
static const char *
err_text(libpff_error_t *e, char *buf, size_t cap)
{
	char *nl, *colon;

	buf[0] = '\0';
	if (e && libpff_error_backtrace_sprint(e, buf, cap) <= 0 &&
	    libpff_error_sprint(e, buf, cap) <= 0)
		buf[0] = '\0';
	if ((nl = strchr(buf, '\n')))
		*nl = '\0';
	colon = strstr(buf, ": ");
	if (colon && strncmp(buf, "libpff_", 7) == 0)
		memmove(buf, colon + 2, strlen(colon + 2) + 1);
	{
		size_t n = strlen(buf);
		while (n && (buf[n - 1] == '.' || buf[n - 1] == ' '))
			buf[--n] = '\0';
	}
	if (!buf[0])
		snprintf(buf, cap, "libpff gave no reason (not found)");
	return buf;
}

static void
emit_diag(prun *r, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *location,
	  const char *fmt, ...) LKA_PRINTF(6, 7);

static void
emit_diag(prun *r, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *location,
	  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lka_sink_vdiagf(r->sink, &r->stop, &r->warned, loc, sev, kind, location, fmt, ap);
	va_end(ap);
}

/* The stored bytes of a property (any type, borrowed from libpff); false if absent. */
static bool
prop_raw(libpff_item_t *it, int set, uint32_t tag, uint32_t *vt, const uint8_t **p, size_t *n)
{
	uint8_t *d = NULL;

	*vt = 0;
	*n = 0;
	*p = NULL;
	if (libpff_item_get_entry_value(it, set, tag, vt, &d, n, (uint8_t)(ANY | NOMAP(tag)), NULL) !=
	    1)
		return false;
	*p = d;
	if (!d)
		*n = 0;
	return true;
}

/* A copy of the bytes of a property (any type); NULL if absent.  *n: length. */
static unsigned char *
prop_bin(libpff_item_t *it, int set, uint32_t tag, size_t *n)
{
	const uint8_t *d;
	uint32_t vt;
	unsigned char *p;

	if (!prop_raw(it, set, tag, &vt, &d, n))
		return NULL;
	p = malloc(*n ? *n : 1);
	if (p && *n)
		memcpy(p, d, *n);
	return p;
}

static bool
prop_u32(libpff_item_t *it, int set, uint32_t tag, uint32_t *v)
{
	*v = 0;
	return libpff_item_get_entry_value_32bit(it, set, tag, v, NOMAP(tag), NULL) == 1;
}

static bool
prop_time(libpff_item_t *it, int set, uint32_t tag, int64_t *unix_s)
{
	uint64_t ft = 0;

	if (libpff_item_get_entry_value_filetime(it, set, tag, &ft, NOMAP(tag), NULL) != 1 || ft == 0)
		return false;
	/* FILETIME: 100 ns since 1601-01-01 */
	*unix_s = (int64_t)(ft / 10000000u) - 11644473600LL;
	return true;
}

/* Drop trailing NULs (PT_STRING8 values often keep theirs). */
static size_t
trim_nul(const unsigned char *p, size_t n)
{
	while (n && p[n - 1] == 0)
		n--;
	return n;
}

/*
 * A string property as valid UTF-8, or NULL.  Unicode values are UTF-16LE;
 * 8-bit values are decoded with charset (the item's code page) and a checked
 * fallback (lka_text_to_utf8): never left as raw bytes.
 */
static char *
prop_str(libpff_item_t *it, int set, uint32_t tag, const char *charset)
{
	const uint8_t *d;
	uint32_t vt;
	size_t n;

	if (!prop_raw(it, set, tag, &vt, &d, &n))
		return NULL;
	if (vt == LKA_PT_UNICODE)
		return lka_mapi_utf16(d, n);
	if (vt != LKA_PT_STRING8)
		return NULL;
	return lka_text_to_utf8((const char *)d, trim_nul(d, n), charset, NULL);
}

/* A string property, NULL when absent or empty. */
static char *
prop_str_ne(libpff_item_t *it, int set, uint32_t tag, const char *charset)
{
	char *s = prop_str(it, set, tag, charset);

	if (s && !*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* The item's charset for 8-bit strings: its code page, the internet one, the file's. */
static const char *
item_charset(prun *r, libpff_item_t *it, char *buf, size_t cap)
{
	uint32_t cp = 0;
	const char *cs = NULL;

	if (prop_u32(it, 0, LKA_PR_MESSAGE_CODEPAGE, &cp) && cp)
		cs = lka_mapi_cp_charset(cp, buf, cap);
	else if (prop_u32(it, 0, LKA_PR_INTERNET_CPID, &cp) && cp)
		cs = lka_mapi_cp_charset(cp, buf, cap);
	return cs ? cs : r->charset;
}

static bool
streq_ci(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (; *a && *b; a++, b++)
		if (lka__lower(*a) != lka__lower(*b))
			return false;
	return *a == *b;
}

static bool
prefix_ci(const char *s, const char *p)
{
	if (!s)
		return false;
	for (; *p; s++, p++)
		if (!*s || lka__lower(*s) != *p)
			return false;
	return true;
}

/* Cap a UTF-8 string at max bytes, on a character boundary. */
static void
cap_text(char *s, uint64_t max)
{
	size_t n;

	if (!s || max == 0)
		return;
	n = strlen(s);
	if (n <= max)
		return;
	n = (size_t)max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

/* ------------------------------------------------------------- RTF */

char *
lka__pst_rtf_body(const char *rtf, size_t n, char **html)
{
	char *t = lka_mapi_rtf_text(rtf, n, html);

	if (*html && !**html) {
		free(*html);
		*html = NULL;
	}
	if (!t && *html)
		t = lka_html_to_text(*html, strlen(*html));
	if (t && !*t) {
		free(t);
		t = NULL;
	}
	return t;
}

/* ------------------------------------------------------------ messages */

static lka_msg *read_item(prun *r, libpff_item_t *it, int depth);
static void emit_item_msg(prun *r, libpff_item_t *it, int64_t folder_id, bool recovered,
			  const lka_itemloc *loc);
static char *strip_angle_dup(char *s);

static void
add_diag(lka_msg *m, lka_status sev, const char *where, libpff_error_t **e, const char *what)
{
	char buf[512];

	(void)lka_diags_add(&m->diags, sev, LKA_E_CORRUPT, where, "%s: %s", what,
			    err_text(e ? *e : NULL, buf, sizeof buf));
	if (e)
		libpff_error_free(e);
}

/*
 * Add a mailbox.  The address is the SMTP one (smtp, or email when the
 * address type is SMTP); an Exchange address (type EX, or a "/o=..." value)
 * is kept as the legacy DN beside it.
 */
static bool
add_addr(lka_msg *m, lka_role role, const char *name, const char *email, const char *addrtype,
	 const char *smtp)
{
	lka_addr *v = realloc(m->addrs, (m->n_addrs + 1) * sizeof *v), *a;
	const char *addr = NULL, *shown;
	size_t n;
	char *raw;

	if (!v)
		return false;
	m->addrs = v;
	a = &v[m->n_addrs];
	memset(a, 0, sizeof *a);
	a->role = role;
	if (smtp && *smtp)
		addr = smtp;
	else if (email && *email && (!addrtype || streq_ci(addrtype, "SMTP")) && strchr(email, '@'))
		addr = email;
	a->address = addr ? lka_addr_normalize(addr) : NULL;
	a->name = name && *name ? lka__strdup(name) : NULL;
	a->addr_type = addrtype && *addrtype ? lka__strdup(addrtype) : NULL;
	if (email && *email && (streq_ci(addrtype, "EX") || email[0] == '/'))
		a->legacy_dn = lka__strdup(email);
	shown = addr ? addr : email;
	n = (name ? strlen(name) : 0) + (shown ? strlen(shown) : 0) + 8;
	raw = malloc(n);
	if (raw) {
		if (name && *name && shown && *shown)
			snprintf(raw, n, "%s <%s>", name, shown);
		else
			snprintf(raw, n, "%s", shown && *shown ? shown : name ? name : "");
		if (!*raw) {
			free(raw);
			raw = NULL;
		}
	}
	a->raw = raw;
	m->n_addrs++;
	return true;
}

static void
read_recipients(libpff_item_t *it, lka_msg *m, const char *cs, bool meeting)
{
	libpff_item_t *rc = NULL;
	libpff_error_t *e = NULL;
	int n = 0, got;

	got = libpff_message_get_recipients(it, &rc, &e);
	if (got != 1) {
		if (got < 0)
			add_diag(m, LKA_WARN, "recipients", &e, "recipient table unreadable");
		libpff_error_free(&e);
		return;
	}
	if (libpff_item_get_number_of_record_sets(rc, &n, &e) != 1) {
		add_diag(m, LKA_WARN, "recipients", &e, "recipient table unreadable");
		libpff_item_free(&rc, NULL);
		return;
	}
	for (int i = 0; i < n; i++) {
		uint32_t type = 1, flags = 0;
		char *name = prop_str_ne(rc, i, LKA_PR_DISPLAY_NAME, cs);
		char *email = prop_str_ne(rc, i, LKA_PR_EMAIL_ADDRESS, cs);
		char *atype = prop_str_ne(rc, i, LKA_PR_ADDRTYPE, cs);
		char *smtp = prop_str_ne(rc, i, LKA_PR_SMTP_ADDRESS, cs);
		lka_role role;

		(void)prop_u32(rc, i, LKA_PR_RECIPIENT_TYPE, &type);
		(void)prop_u32(rc, i, LKA_PR_RECIPIENT_FLAGS, &flags);
		switch (type & 0x0f) {
		case 0: role = LKA_ROLE_FROM; break; /* originator */
		case 2: role = LKA_ROLE_CC; break;   /* cc; meeting: optional attendee */
		case 3: role = LKA_ROLE_BCC; break;  /* bcc; meeting: resource */
		default: role = LKA_ROLE_TO; break;  /* to; meeting: required attendee */
		}
		if (meeting && (flags & 0x2))
			role = LKA_ROLE_FROM; /* recipOrganizer */
		if (!name && !email && !smtp)
			(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, "recipients",
					    "recipient %d has no name and no address", i + 1);
		else
			(void)add_addr(m, role, name, email, atype, smtp);
		free(name);
		free(email);
		free(atype);
		free(smtp);
	}
	libpff_item_free(&rc, NULL);
}

/* Read an attachment's bytes: hashed; kept when small enough and stored. */
static void
read_att_data(prun *r, libpff_item_t *at, lka_att *a, lka_msg *m, const char *where)
{
	libpff_error_t *e = NULL;
	size64_t size = 0;
	lka_sha256 h;
	unsigned char *buf;
	bool keep;
	size_t chunk;
	uint64_t done = 0;
	char t[128];

	if (libpff_attachment_get_data_size(at, &size, &e) != 1) {
		add_diag(m, LKA_WARN, where, &e, "attachment data unreadable");
		a->flags |= LKA_ATT_DAMAGED;
		return;
	}
	keep = size <= r->lim->decoded_bytes;
	if (!keep)
		a->flags |= LKA_ATT_TRUNCATED;
	chunk = keep ? (size_t)size : READ_CHUNK;
	buf = malloc(chunk ? chunk : 1);
	if (!buf) {
		(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_NOMEM, where,
				    "attachment of %llu bytes: out of memory",
				    (unsigned long long)size);
		a->flags |= LKA_ATT_DAMAGED;
		return;
	}
	lka_sha256_init(&h);
	if (size && libpff_attachment_data_seek_offset(at, 0, SEEK_SET, &e) < 0)
		libpff_error_free(&e);
	t[0] = '\0';
	while (done < size) {
		size_t want = size - done < chunk ? (size_t)(size - done) : chunk;
		unsigned char *dst = keep ? buf + done : buf;
		ssize_t got = libpff_attachment_data_read_buffer(at, dst, want, &e);
		if (got <= 0) {
			add_diag(m, LKA_WARN, where, &e, "attachment data cut short");
			a->flags |= LKA_ATT_DAMAGED;
			break;
		}
		if (!keep && !done) /* too large to keep: its type from its head */
			lka_mime_sniff(r->mime, NULL, dst, (size_t)got, t, sizeof t);
		lka_sha256_update(&h, dst, (size_t)got);
		done += (uint64_t)got;
	}
	lka_sha256_final(&h, a->sha256);
	a->size = done;
	if (keep && done)
		lka_mime_sniff(r->mime, a->sha256, buf, (size_t)done, t, sizeof t);
	if (t[0])
		a->detected_type = lka__strdup(t);
	if (keep && r->store) {
		a->data = buf;
		a->data_len = (size_t)done;
	} else {
		free(buf);
	}
}

static void
read_attachments(prun *r, libpff_item_t *it, lka_msg *m, const char *cs, int depth)
{
	libpff_error_t *e = NULL;
	int n = 0;

	if (libpff_message_get_number_of_attachments(it, &n, &e) != 1) {
		add_diag(m, LKA_WARN, "attachments", &e, "attachment table unreadable");
		return;
	}
	if (n <= 0)
		return;
	m->atts = calloc((size_t)n, sizeof *m->atts);
	if (!m->atts)
		return;
	for (int i = 0; i < n; i++) {
		libpff_item_t *at = NULL;
		lka_att *a;
		int type = 0;
		uint32_t method = 0, aflags = 0;
		uint8_t hidden = 0;
		char where[48], pp[16];

		snprintf(where, sizeof where, "attachment %d", i + 1);
		if (libpff_message_get_attachment(it, i, &at, &e) != 1) {
			add_diag(m, LKA_WARN, where, &e, "attachment unreadable");
			continue;
		}
		a = &m->atts[m->n_atts++];
		snprintf(pp, sizeof pp, "%d", i + 1);
		a->part_path = lka__strdup(pp);
		a->filename = prop_str_ne(at, 0, LKA_PR_ATTACH_LONG_FILENAME, cs);
		if (!a->filename)
			a->filename = prop_str_ne(at, 0, LKA_PR_ATTACH_FILENAME, cs);
		if (!a->filename)
			a->filename = prop_str_ne(at, 0, LKA_PR_DISPLAY_NAME, cs);
		a->declared_type = prop_str_ne(at, 0, LKA_PR_ATTACH_MIME_TAG, cs);
		for (char *q = a->declared_type; q && *q; q++)
			*q = (char)lka__lower(*q);
		a->content_id = strip_angle_dup(prop_str_ne(at, 0, LKA_PR_ATTACH_CONTENT_ID, cs));
		(void)prop_u32(at, 0, LKA_PR_ATTACH_METHOD, &method);
		(void)prop_u32(at, 0, LKA_PR_ATTACH_FLAGS, &aflags);
		(void)libpff_item_get_entry_value_boolean(at, 0, LKA_PR_ATTACHMENT_HIDDEN, &hidden, 0, NULL);
		if (a->content_id && (hidden || (aflags & 0x4)))
			a->flags |= LKA_ATT_INLINE;
		a->disposition = lka__strdup(a->flags & LKA_ATT_INLINE ? "inline" : "attachment");
		if (libpff_attachment_get_type(at, &type, &e) != 1) {
			libpff_error_free(&e);
			type = method == 5 ? LIBPFF_ATTACHMENT_TYPE_ITEM
			       : method >= 2 && method <= 4 ? LIBPFF_ATTACHMENT_TYPE_REFERENCE
			       : method == 0 ? 0 : LIBPFF_ATTACHMENT_TYPE_DATA;
		}
		if (type == LIBPFF_ATTACHMENT_TYPE_ITEM) {
			libpff_item_t *emb = NULL;
			a->transfer_encoding = lka__strdup("mapi:embedded");
			if (!a->declared_type)
				a->declared_type = lka__strdup("application/vnd.ms-outlook");
			if (depth + 1 > EMBED_DEPTH_MAX) {
				(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_LIMIT, where,
						    "embedded messages nested too deep: not read");
			} else if (libpff_attachment_get_item(at, &emb, &e) == 1 && emb) {
				a->embedded = read_item(r, emb, depth + 1);
				libpff_item_free(&emb, NULL);
			} else {
				add_diag(m, LKA_WARN, where, &e, "embedded message unreadable");
				a->flags |= LKA_ATT_DAMAGED;
			}
		} else if (type == LIBPFF_ATTACHMENT_TYPE_REFERENCE) {
			/* by reference: a path, no bytes in the store */
			char *path = prop_str_ne(at, 0, LKA_PR_ATTACH_LONG_PATHNAME, cs);
			if (!path)
				path = prop_str_ne(at, 0, LKA_PR_ATTACH_PATHNAME, cs);
			a->transfer_encoding = lka__strdup("mapi:by-reference");
			if (path && !a->filename)
				a->filename = path;
			else
				free(path);
		} else if (type == 0) {
			/* no attachment method: nothing to read (libpst's recipient pseudo-attachments) */
			a->transfer_encoding = lka__strdup("mapi:none");
			lka_sha256_buf("", 0, a->sha256);
		} else {
			a->transfer_encoding = lka__strdup(method == 6 ? "mapi:ole" : "mapi:by-value");
			read_att_data(r, at, a, m, where);
		}
		libpff_item_free(&at, NULL);
	}
}

/* ---------------------------------------------- non-mail items as text */

static void
add_field(lka_buf *b, const char *label, char *value)
{
	if (value && *value)
		lka_buf_printf(b, "%s: %s\n", label, value);
	free(value);
}

static void
add_time_field(lka_buf *b, const char *label, libpff_item_t *it, uint32_t tag)
{
	int64_t t;
	char iso[32];
	time_t tt;
	struct tm tm;

	if (!prop_time(it, 0, tag, &t))
		return;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) && strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		lka_buf_printf(b, "%s: %s\n", label, iso);
}

static void
render_contact(libpff_item_t *it, const char *cs, lka_buf *b, lka_msg *m)
{
	static const struct {
		uint32_t tag;
		const char *label;
	} fields[] = {
		{ 0x3001, "Name" },           { 0x3a45, "Prefix" },           { 0x3a06, "Given name" },
		{ 0x3a44, "Middle name" },    { 0x3a11, "Surname" },          { 0x3a05, "Suffix" },
		{ 0x3a4f, "Nickname" },       { 0x3a16, "Company" },          { 0x3a18, "Department" },
		{ 0x3a17, "Title" },          { 0x3a08, "Business phone" },   { 0x3a1b, "Business phone 2" },
		{ 0x3a09, "Home phone" },     { 0x3a2f, "Home phone 2" },     { 0x3a1c, "Mobile phone" },
		{ 0x3a24, "Business fax" },   { 0x3a25, "Home fax" },         { 0x3a21, "Pager" },
		{ 0x3a1a, "Primary phone" },  { 0x3a1f, "Other phone" },      { 0x3a1e, "Car phone" },
		{ 0x3a02, "Callback phone" }, { 0x3a1d, "Radio phone" },      { 0x3a2d, "ISDN" },
		{ 0x3a4b, "Telex" },          { 0x3a2e, "Assistant phone" },  { 0x3a30, "Assistant" },
		{ 0x801b, "Business address" }, { 0x801a, "Home address" },   { 0x801c, "Other address" },
		{ 0x3a29, "Street" },         { 0x3a27, "City" },             { 0x3a28, "State" },
		{ 0x3a2a, "Postal code" },    { 0x3a26, "Country" },          { 0x3a5d, "Home street" },
		{ 0x3a59, "Home city" },      { 0x3a5c, "Home state" },       { 0x3a5b, "Home postal code" },
		{ 0x3a5a, "Home country" },   { 0x3a63, "Other street" },     { 0x3a5f, "Other city" },
		{ 0x3a61, "Other postal code" }, { 0x3a60, "Other country" }, { 0x3a51, "Business home page" },
		{ 0x3a50, "Personal home page" }, { 0x3a4e, "Manager" },      { 0x3a4d, "Gender" },
		{ 0x3a48, "Spouse" },         { 0x3a0a, "Initials" },         { 0x3a00, "Account" },
		{ 0x3a0b, "Keywords" },       { 0x3a0c, "Language" },         { 0x3a19, "Office" },
		{ 0x3a0d, "Location" },       { 0x3a0f, "MHS name" },         { 0x3a13, "Company ID" },
		{ 0x3a15, "Postal address" }, { 0x3a4a, "Customer ID" },      { 0x3a49, "Computer network" },
		{ 0x3a12, "Government ID" },
	};
	for (size_t i = 0; i < LKA_ARRAY_LEN(fields); i++)
		add_field(b, fields[i].label, prop_str_ne(it, 0, fields[i].tag, cs));
	add_time_field(b, "Birthday", it, 0x3a42);
	add_time_field(b, "Anniversary", it, 0x3a41);
	/* the three e-mail slots: display name, address type, address, original display name */
	for (uint32_t k = 0; k < 3; k++) {
		uint32_t base = LKA_LID_EMAIL1_DISPLAY_NAME + 0x10 * k;
		char *disp = prop_str_ne(it, 0, base, cs);
		char *atype = prop_str_ne(it, 0, base + 2, cs);
		char *addr = prop_str_ne(it, 0, base + 3, cs);
		char *orig = prop_str_ne(it, 0, base + 4, cs);
		if (addr) {
			lka_buf_printf(b, "E-mail %u: %s%s%s%s", k + 1, disp ? disp : "",
				       disp ? " <" : "", addr, disp ? ">" : "");
			if (atype && !streq_ci(atype, "SMTP"))
				lka_buf_printf(b, " (%s)", atype);
			lka_buf_addc(b, '\n');
			/* contacts are people whose data leaked: their addresses are kept as recipients */
			(void)add_addr(m, LKA_ROLE_TO, disp ? disp : orig, addr, atype, NULL);
		}
		free(disp);
		free(atype);
		free(addr);
		free(orig);
	}
}

/* One one-off entry id: flags(4) uid(16) version(2) flags(2) name, type, address. */
static void
one_off(const unsigned char *p, size_t sz, lka_buf *b, lka_msg *m)
{
	char *parts[3] = { NULL, NULL, NULL };
	size_t off = 24;
	bool uni;

	if (sz < 24)
		return;
	uni = (p[23] & 0x80) != 0;
	for (int k = 0; k < 3 && off < sz; k++) {
		size_t end = off;
		if (uni) {
			while (end + 1 < sz && (p[end] || p[end + 1]))
				end += 2;
			parts[k] = lka_mapi_utf16(p + off, end - off);
			off = end + 2;
		} else {
			while (end < sz && p[end])
				end++;
			parts[k] = lka_text_to_utf8((const char *)p + off, end - off, NULL, NULL);
			off = end + 1;
		}
	}
	lka_buf_printf(b, "Member: %s <%s>\n", parts[0] ? parts[0] : "", parts[2] ? parts[2] : "");
	(void)add_addr(m, LKA_ROLE_TO, parts[0], parts[2], parts[1], NULL);
	for (int k = 0; k < 3; k++)
		free(parts[k]);
}

/*
 * A distribution list's one-off members (PidLidDistributionListOneOffMembers,
 * multiple binary).  This libpff returns no values for multi-valued binary
 * properties, so the stored array is read here: count(4), offsets(4 each), data.
 */
static void
read_dl_members(libpff_item_t *it, lka_buf *b, lka_msg *m)
{
	const uint8_t *d;
	uint32_t vt, count;
	size_t n;

	if (!prop_raw(it, 0, LKA_LID_DL_ONE_OFF_MEMBERS, &vt, &d, &n) || vt != (LKA_PT_MV | LKA_PT_BINARY) || n < 4)
		return;
	count = lka__le32(d);
	if (count > (n - 4) / 4)
		return;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *o = d + 4 + 4 * (size_t)i;
		size_t start = lka__le32(o);
		size_t end = n;
		if (i + 1 < count)
			end = lka__le32(o + 4);
		if (start < 4 + 4 * (size_t)count || start > end || end > n)
			continue;
		one_off(d + start, end - start, b, m);
	}
}

/* --------------------------------------------------- autocomplete */

/*
 * The autocomplete (nickname) stream of IPM.Configuration.Autocomplete
 * (PR_ROAMING_BINARYSTREAM 0x7C09, MS-OXOCFG 2.2.5.2): 0xBAADF00D, major
 * and minor version, row count, then per row a property count and the
 * properties: tag (4), reserved (4), value (8), and for strings and binary
 * a byte count and the bytes after the value (a GUID: 16 bytes).  Every
 * remembered correspondent becomes a "to" address of the item and a line of
 * its text.  Returns the number of rows read; stops at the first thing that
 * does not fit.
 */
size_t
lka__pst_autocomplete(const uint8_t *p, size_t n, lka_msg *m, lka_buf *text)
{
	size_t off = 16, rows_done = 0;
	uint32_t rows;

	if (n < 16 || lka__le32(p) != 0xBAADF00Du)
		return 0;
	rows = lka__le32(p + 12);
	for (uint32_t r = 0; r < rows && r < 100000; r++) {
		uint32_t nprops;
		char *name = NULL, *email = NULL, *atype = NULL, *smtp = NULL;
		bool bad = false;

		if (n - off < 4)
			break;
		nprops = lka__le32(p + off);
		off += 4;
		for (uint32_t k = 0; k < nprops && !bad; k++) {
			uint32_t tag, type, len;
			char **dst = NULL;

			if (n - off < 16) {
				bad = true;
				break;
			}
			tag = lka__le32(p + off);
			type = tag & 0xffff;
			off += 16; /* tag, reserved, value */
			if (type == LKA_PT_STRING8 || type == LKA_PT_UNICODE || type == LKA_PT_BINARY) {
				if (n - off < 4) {
					bad = true;
					break;
				}
				len = lka__le32(p + off);
				off += 4;
				if (len > n - off) {
					bad = true;
					break;
				}
				switch (tag >> 16) {
				case LKA_PR_DISPLAY_NAME: dst = &name; break;
				case LKA_PR_EMAIL_ADDRESS: dst = &email; break;
				case LKA_PR_ADDRTYPE: dst = &atype; break;
				case LKA_PR_SMTP_ADDRESS: dst = &smtp; break;
				default: break;
				}
				if (dst && !*dst && type == LKA_PT_UNICODE) {
					*dst = lka_mapi_utf16(p + off, len);
				} else if (dst && !*dst && type == LKA_PT_STRING8) {
					size_t l = len;
					while (l && !p[off + l - 1])
						l--;
					*dst = lka_text_to_utf8((const char *)p + off, l, NULL, NULL);
				}
				off += len;
			} else if (type == LKA_PT_CLSID) {
				if (n - off < 16) {
					bad = true;
					break;
				}
				off += 16;
			} else if (type & 0x1000) {
				bad = true; /* multi-valued: not expected here */
			}
		}
		if (!bad && (email || smtp)) {
			lka_buf_printf(text, "Autocomplete: %s <%s>%s%s%s\n", name ? name : "",
				       smtp ? smtp : email, atype ? " (" : "", atype ? atype : "",
				       atype ? ")" : "");
			(void)add_addr(m, LKA_ROLE_TO, name, email, atype, smtp);
			rows_done++;
		}
		free(name);
		free(email);
		free(atype);
		free(smtp);
		if (bad)
			break;
	}
	return rows_done;
}

/* ------------------------------------------------------------- bodies */

static char *
body_plain(libpff_item_t *it, const char *cs)
{
	const uint8_t *d;
	uint32_t vt;
	size_t n;

	/* PR_BODY: read raw so that 8-bit bodies use the item's code page */
	if (prop_raw(it, 0, LKA_PR_BODY, &vt, &d, &n) &&
	    (vt == LKA_PT_STRING8 || vt == LKA_PT_UNICODE)) {
		if (vt == LKA_PT_UNICODE) {
			char *t = lka_mapi_utf16(d, n);

			if (t && !*t) {
				free(t);
				t = NULL;
			}
			return t;
		}
		n = trim_nul(d, n);
		return n ? lka_text_to_utf8((const char *)d, n, cs, NULL) : NULL;
	}
	return NULL;
}

static char *
body_html(libpff_item_t *it, const char *cs)
{
	size_t sz = 0;
	unsigned char *p;
	char *s;

	if (libpff_message_get_html_body_size(it, &sz, NULL) != 1 || sz == 0)
		return NULL;
	p = malloc(sz);
	if (!p)
		return NULL;
	if (libpff_message_get_html_body(it, p, sz, NULL) != 1) {
		free(p);
		return NULL;
	}
	sz = trim_nul(p, sz);
	s = sz ? lka_text_to_utf8((const char *)p, sz, cs, NULL) : NULL;
	free(p);
	return s;
}

/* The RTF body as text; *html set when it encapsulates HTML (the text is then its text). */
static char *
body_rtf(libpff_item_t *it, char **html)
{
	size_t sz = 0;
	unsigned char *p;
	char *s;

	*html = NULL;
	if (libpff_message_get_rtf_body_size(it, &sz, NULL) != 1 || sz == 0)
		return NULL;
	p = malloc(sz);
	if (!p)
		return NULL;
	if (libpff_message_get_rtf_body(it, p, sz, NULL) != 1) {
		free(p);
		return NULL;
	}
	s = lka__pst_rtf_body((const char *)p, trim_nul(p, sz), html);
	free(p);
	return s;
}

/* ------------------------------------------------------------- items */

/* MAPI subjects may start with 0x01 and a prefix length: drop both. */
static char *
strip_prefix(char *s)
{
	if (s && (unsigned char)s[0] == 0x01 && s[1])
		memmove(s, s + 2, strlen(s + 2) + 1);
	if (s && !*s) {
		free(s);
		s = NULL;
	}
	return s;
}

static char *
strip_angle_dup(char *s)
{
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

static void
add_sender(lka_msg *m, libpff_item_t *it, const char *cs)
{
	char *name = prop_str_ne(it, 0, LKA_PR_SENT_REPRESENTING_NAME, cs);
	char *email = prop_str_ne(it, 0, LKA_PR_SENT_REPRESENTING_EMAIL, cs);
	char *atype = prop_str_ne(it, 0, LKA_PR_SENT_REPRESENTING_ADDRTYPE, cs);
	char *smtp = prop_str_ne(it, 0, LKA_PR_SENT_REPRESENTING_SMTP, cs);
	char *n2 = prop_str_ne(it, 0, LKA_PR_SENDER_NAME, cs);
	char *e2 = prop_str_ne(it, 0, LKA_PR_SENDER_EMAIL, cs);
	char *t2 = prop_str_ne(it, 0, LKA_PR_SENDER_ADDRTYPE, cs);
	char *s2 = prop_str_ne(it, 0, LKA_PR_SENDER_SMTP, cs);
	bool have = false, same;

	/* from: the one the mail was sent for; sender: who actually sent it */
	if (name || email || smtp) {
		have = add_addr(m, LKA_ROLE_FROM, name, email, atype, smtp);
		if (have) {
			m->from_address = lka__strdup(m->addrs[m->n_addrs - 1].address);
			m->from_name = lka__strdup(name);
		}
	}
	same = (e2 && email && streq_ci(e2, email)) || (s2 && smtp && streq_ci(s2, smtp)) ||
	       (!e2 && !s2 && n2 && name && !strcmp(n2, name));
	if ((n2 || e2 || s2) && !same) {
		if (add_addr(m, have ? LKA_ROLE_SENDER : LKA_ROLE_FROM, n2, e2, t2, s2) && !have) {
			m->from_address = lka__strdup(m->addrs[m->n_addrs - 1].address);
			m->from_name = lka__strdup(n2);
		}
	}
	free(name);
	free(email);
	free(atype);
	free(smtp);
	free(n2);
	free(e2);
	free(t2);
	free(s2);
}

/* A header field's value from transport headers (first occurrence, unfolded first line), or NULL. */
static char *
header_value(const char *h, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = h; p && *p;) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;
			while (*v == ' ' || *v == '\t')
				v++;
			e = v;
			while (*e && *e != '\r' && *e != '\n')
				e++;
			return e > v ? lka__strndup(v, (size_t)(e - v)) : NULL;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * Exchange senders often come as a legacy DN without an SMTP address while
 * the recipient table has both: give each the other's address; one "from"
 * row per address.
 */
static void
resolve_addresses(lka_msg *m)
{
	for (size_t i = 0; i < m->n_addrs; i++) {
		lka_addr *a = &m->addrs[i];
		if (a->address || !a->legacy_dn)
			continue;
		for (size_t j = 0; j < m->n_addrs; j++) {
			lka_addr *b = &m->addrs[j];
			if (b->address && b->legacy_dn && !strcasecmp(a->legacy_dn, b->legacy_dn)) {
				a->address = lka__strdup(b->address);
				break;
			}
		}
	}
	for (size_t i = 0; i < m->n_addrs; i++) {
		lka_addr *a = &m->addrs[i];
		bool dup = false;
		if (a->role != LKA_ROLE_FROM || !a->address)
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = m->addrs[j].role == LKA_ROLE_FROM && m->addrs[j].address &&
			      !strcmp(m->addrs[j].address, a->address);
		if (dup) {
			free(a->address);
			free(a->name);
			free(a->raw);
			free(a->addr_type);
			free(a->legacy_dn);
			memmove(a, a + 1, (m->n_addrs - i - 1) * sizeof *a);
			m->n_addrs--;
			i--;
		}
	}
	if (!m->from_address) {
		for (size_t i = 0; i < m->n_addrs; i++) {
			if (m->addrs[i].role == LKA_ROLE_FROM && m->addrs[i].address) {
				m->from_address = lka__strdup(m->addrs[i].address);
				if (!m->from_name)
					m->from_name = lka__strdup(m->addrs[i].name);
				break;
			}
		}
	}
}

static lka_msg *
read_item(prun *r, libpff_item_t *it, int depth)
{
	char csbuf[32];
	const char *cs = item_charset(r, it, csbuf, sizeof csbuf);
	lka_msg *m = calloc(1, sizeof *m);
	bool contact, dlist, meeting;
	lka_buf extra;

	if (!m)
		return NULL;
	m->engine = lka__strdup("libpff");
	m->item_class = prop_str_ne(it, 0, LKA_PR_MESSAGE_CLASS, cs);
	if (!m->item_class) {
		m->item_class = lka__strdup("IPM");
		(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
				    "item has no readable message class (PR_MESSAGE_CLASS): "
				    "recorded as IPM");
	}
	contact = prefix_ci(m->item_class, "ipm.contact");
	dlist = prefix_ci(m->item_class, "ipm.distlist");
	meeting = prefix_ci(m->item_class, "ipm.appointment") ||
		  prefix_ci(m->item_class, "ipm.schedule");
	m->subject = strip_prefix(prop_str(it, 0, LKA_PR_SUBJECT, cs));
	m->has_sent_at = prop_time(it, 0, LKA_PR_CLIENT_SUBMIT_TIME, &m->sent_at);
	m->has_received_at = prop_time(it, 0, LKA_PR_DELIVERY_TIME, &m->received_at);
	m->message_id = strip_angle_dup(prop_str_ne(it, 0, LKA_PR_INTERNET_MESSAGE_ID, cs));
	m->in_reply_to = strip_angle_dup(prop_str_ne(it, 0, LKA_PR_IN_REPLY_TO, cs));
	m->references = prop_str_ne(it, 0, LKA_PR_INTERNET_REFERENCES, cs);
	m->headers = prop_str_ne(it, 0, LKA_PR_TRANSPORT_HEADERS, cs);
	if (m->headers) {
		if (!m->message_id)
			m->message_id = strip_angle_dup(header_value(m->headers, "Message-ID"));
		if (!m->in_reply_to)
			m->in_reply_to = strip_angle_dup(header_value(m->headers, "In-Reply-To"));
	}
	add_sender(m, it, cs);
	read_recipients(it, m, cs, meeting);
	resolve_addresses(m);

	m->body_text = body_plain(it, cs);
	m->body_html = body_html(it, cs);
	if (!m->body_text && m->body_html)
		m->body_text = lka_html_to_text(m->body_html, strlen(m->body_html));
	if (!m->body_text && !m->body_html)
		m->body_text = body_rtf(it, &m->body_html);

	/* non-mail items: their fields as text before the body */
	lka_buf_init(&extra, 0);
	if (contact) {
		render_contact(it, cs, &extra, m);
	} else if (dlist) {
		add_field(&extra, "List", prop_str_ne(it, 0, LKA_LID_DL_NAME, cs));
		read_dl_members(it, &extra, m);
	} else if (prefix_ci(m->item_class, "ipm.configuration.autocomplete")) {
		const uint8_t *d;
		uint32_t vt;
		size_t n;
		if (prop_raw(it, 0, 0x7c09, &vt, &d, &n) && vt == LKA_PT_BINARY &&
		    lka__pst_autocomplete(d, n, m, &extra) == 0 && n)
			(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, "autocomplete",
					    "autocomplete stream of %zu bytes not understood", n);
	} else if (meeting || prefix_ci(m->item_class, "ipm.task")) {
		add_field(&extra, "Location", prop_str_ne(it, 0, LKA_LID_APPT_LOCATION, cs));
		add_time_field(&extra, "Start", it, LKA_LID_APPT_START);
		add_time_field(&extra, "End", it, LKA_LID_APPT_END);
		add_time_field(&extra, "Due", it, LKA_LID_TASK_DUE_DATE);
	}
	if (extra.len) {
		if (m->body_text && *m->body_text)
			lka_buf_printf(&extra, "\n%s", m->body_text);
		free(m->body_text);
		m->body_text = lka_buf_steal(&extra, NULL);
	}
	lka_buf_free(&extra);
	cap_text(m->body_text, r->lim->text_bytes);
	cap_text(m->body_html, r->lim->text_bytes);
	read_attachments(r, it, m, cs, depth);
	return m;
}

/* ------------------------------------------------------------- walk */

/* The node id at the end of a store entry id (PR_IPM_SUBTREE_ENTRYID ...). */
static uint32_t
entryid_nid(libpff_item_t *store, uint32_t tag)
{
	size_t n = 0;
	unsigned char *p = prop_bin(store, 0, tag, &n);
	uint32_t nid = 0;

	if (p && n >= 24)
		nid = (uint32_t)p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 |
		      (uint32_t)p[23] << 24;
	free(p);
	return nid;
}

/* ---------------------------------------------------------- contacts */

static bool
c_email(lka_contact_email **v, size_t *n, char *name, char *addr, char *type)
{
	lka_contact_email *p = realloc(*v, (*n + 1) * sizeof **v), *e;
	bool smtp_like = addr && strchr(addr, '@') && (!type || streq_ci(type, "SMTP"));

	if (!p) {
		free(name);
		free(addr);
		free(type);
		return false;
	}
	*v = p;
	e = &p[(*n)++];
	memset(e, 0, sizeof *e);
	e->name = name;
	e->type = type;
	e->raw = addr;
	e->address = smtp_like ? lka_addr_normalize(addr) : NULL;
	if (addr && (streq_ci(type, "EX") || addr[0] == '/'))
		e->legacy_dn = lka__strdup(addr);
	return true;
}

void
lka__pst_c_phone(lka_contact *c, char *raw, const char *type)
{
	lka_contact_phone *p;

	if (!raw)
		return;
	p = realloc(c->phones, (c->n_phones + 1) * sizeof *p);
	if (!p) {
		free(raw);
		return;
	}
	c->phones = p;
	p[c->n_phones].raw = raw;
	p[c->n_phones].type = lka__strdup(type);
	c->n_phones++;
}

static void
c_postal(lka_contact *c, const char *type, char *full, char *street, char *city, char *region,
	 char *code, char *country)
{
	lka_contact_postal *p;

	if (!full && !street && !city && !region && !code && !country)
		return;
	p = realloc(c->postals, (c->n_postals + 1) * sizeof *p);
	if (!p) {
		free(full), free(street), free(city), free(region), free(code), free(country);
		return;
	}
	c->postals = p;
	p = &p[c->n_postals++];
	p->type = lka__strdup(type);
	p->full = full;
	p->street = street;
	p->locality = city;
	p->region = region;
	p->postcode = code;
	p->country = country;
}

/* A PST contact or distribution list as a contact item (contract §A). */
static lka_contact *
read_contact(prun *r, libpff_item_t *it, const char *cls)
{
	static const struct {
		uint32_t tag;
		const char *type;
	} phones[] = {
		{ 0x3a1c, "mobile" }, { 0x3a08, "work" },  { 0x3a1b, "work" },  { 0x3a09, "home" },
		{ 0x3a2f, "home" },   { 0x3a24, "fax" },   { 0x3a25, "fax" },   { 0x3a23, "fax" },
		{ 0x3a21, "pager" },  { 0x3a1a, "pref" },  { 0x3a1f, "other" }, { 0x3a1e, "car" },
		{ 0x3a02, "callback" }, { 0x3a1d, "radio" }, { 0x3a2d, "isdn" }, { 0x3a2e, "assistant" },
		{ 0x3a4b, "telex" },  { 0x3a2c, "telex" },
	};
	char csbuf[32];
	const char *cs = item_charset(r, it, csbuf, sizeof csbuf);
	lka_contact *c = calloc(1, sizeof *c);
	int64_t t;

	if (!c)
		return NULL;
	c->item_class = lka__strdup(cls);
	c->is_list = prefix_ci(cls, "ipm.distlist");
	c->full_name = prop_str_ne(it, 0, LKA_PR_DISPLAY_NAME, cs);
	if (!c->full_name)
		c->full_name = prop_str_ne(it, 0, LKA_PR_SUBJECT, cs);
	c->given_name = prop_str_ne(it, 0, 0x3a06, cs);
	c->family_name = prop_str_ne(it, 0, 0x3a11, cs);
	c->middle_name = prop_str_ne(it, 0, 0x3a44, cs);
	c->nickname = prop_str_ne(it, 0, 0x3a4f, cs);
	c->prefix = prop_str_ne(it, 0, 0x3a45, cs);
	c->suffix = prop_str_ne(it, 0, 0x3a05, cs);
	c->organization = prop_str_ne(it, 0, 0x3a16, cs);
	c->department = prop_str_ne(it, 0, 0x3a18, cs);
	c->title = prop_str_ne(it, 0, 0x3a17, cs);
	c->url = prop_str_ne(it, 0, 0x3a51, cs);
	if (!c->url)
		c->url = prop_str_ne(it, 0, 0x3a50, cs);
	if (prop_time(it, 0, 0x3a42, &t)) {
		time_t tt = (time_t)t;
		struct tm tm;
		char day[16];
		if (gmtime_r(&tt, &tm) && strftime(day, sizeof day, "%Y-%m-%d", &tm))
			c->birthday = lka__strdup(day);
	}
	c->note = body_plain(it, cs);
	if (!c->note) {
		char *h = body_html(it, cs);
		c->note = h ? lka_html_to_text(h, strlen(h)) : body_rtf(it, &h);
		free(h);
	}
	cap_text(c->note, r->lim->text_bytes);
	for (uint32_t k = 0; k < 3; k++) {
		uint32_t base = LKA_LID_EMAIL1_DISPLAY_NAME + 0x10 * k;
		char *addr = prop_str_ne(it, 0, base + 3, cs);
		if (addr) {
			char *name = prop_str_ne(it, 0, base, cs);
			if (!name)
				name = prop_str_ne(it, 0, base + 4, cs);
			(void)c_email(&c->emails, &c->n_emails, name, addr,
				      prop_str_ne(it, 0, base + 2, cs));
		}
	}
	for (size_t i = 0; i < LKA_ARRAY_LEN(phones); i++)
		lka__pst_c_phone(c, prop_str_ne(it, 0, phones[i].tag, cs), phones[i].type);
	c_postal(c, "work", prop_str_ne(it, 0, 0x801b, cs), prop_str_ne(it, 0, 0x3a29, cs),
		 prop_str_ne(it, 0, 0x3a27, cs), prop_str_ne(it, 0, 0x3a28, cs),
		 prop_str_ne(it, 0, 0x3a2a, cs), prop_str_ne(it, 0, 0x3a26, cs));
	c_postal(c, "home", prop_str_ne(it, 0, 0x801a, cs), prop_str_ne(it, 0, 0x3a5d, cs),
		 prop_str_ne(it, 0, 0x3a59, cs), prop_str_ne(it, 0, 0x3a5c, cs),
		 prop_str_ne(it, 0, 0x3a5b, cs), prop_str_ne(it, 0, 0x3a5a, cs));
	c_postal(c, "other", prop_str_ne(it, 0, 0x801c, cs), prop_str_ne(it, 0, 0x3a63, cs),
		 prop_str_ne(it, 0, 0x3a5f, cs), prop_str_ne(it, 0, 0x3a62, cs),
		 prop_str_ne(it, 0, 0x3a61, cs), prop_str_ne(it, 0, 0x3a60, cs));
	if (c->is_list) {
		lka_msg tmp;
		lka_buf b;
		memset(&tmp, 0, sizeof tmp);
		lka_buf_init(&b, 0);
		read_dl_members(it, &b, &tmp);
		lka_buf_free(&b);
		for (size_t i = 0; i < tmp.n_addrs; i++) {
			lka_addr *a = &tmp.addrs[i];
			char *addr = a->address ? a->address : a->legacy_dn;
			(void)c_email(&c->members, &c->n_members, a->name,
				      lka__strdup(addr ? addr : a->raw), a->addr_type);
			a->name = NULL;
			a->addr_type = NULL;
		}
		tmp.item_class = NULL;
		for (size_t i = 0; i < tmp.n_addrs; i++) {
			free(tmp.addrs[i].address);
			free(tmp.addrs[i].raw);
			free(tmp.addrs[i].legacy_dn);
		}
		free(tmp.addrs);
	}
	return c;
}

static bool
contact_class(const char *cls)
{
	return prefix_ci(cls, "ipm.contact") || prefix_ci(cls, "ipm.distlist");
}

static void
emit_item(prun *r, libpff_item_t *it, int64_t folder_id, bool recovered, const lka_itemloc *loc)
{
	if (!recovered && r->sink->ops->contact) {
		char csbuf[32], *cls = prop_str_ne(it, 0, LKA_PR_MESSAGE_CLASS,
						   item_charset(r, it, csbuf, sizeof csbuf));
		if (contact_class(cls)) {
			lka_contact *c = read_contact(r, it, cls);
			uint32_t nid = 0;
			free(cls);
			if (!c) {
				emit_diag(r, loc, LKA_FAILED, LKA_E_NOMEM, NULL, "out of memory");
				r->failed++;
				return;
			}
			if (libpff_item_get_identifier(it, &nid, NULL) == 1)
				note_known(r, nid);
			r->items++;
			sink_status(r, r->sink->ops->contact(r->sink, loc, folder_id, c));
			return;
		}
		free(cls);
	}
	emit_item_msg(r, it, folder_id, recovered, loc);
}

static void
emit_item_msg(prun *r, libpff_item_t *it, int64_t folder_id, bool recovered,
	      const lka_itemloc *loc)
{
	lka_msg *m = read_item(r, it, 0);
	uint32_t nid = 0;

	if (!m) {
		emit_diag(r, loc, LKA_FAILED, LKA_E_NOMEM, NULL, "out of memory");
		r->failed++;
		return;
	}
	m->recovered = recovered;
	if (r->rc && m->subject)
		lka__fault_hook(r->rc, m->subject, strlen(m->subject)); /* tests: crash on this item */
	if (!recovered && libpff_item_get_identifier(it, &nid, NULL) == 1) {
		if (r->use_libpst && !strcmp(m->item_class, "IPM") &&
		    grow((void **)&r->stubs, &r->cap_stubs, r->n_stubs, sizeof *r->stubs)) {
			/* libpff could not tell what this is: libpst may read it whole */
			struct stub *s = &r->stubs[r->n_stubs++];
			s->nid = nid;
			s->folder_id = folder_id;
			s->loc = *loc;
			s->m = m;
			return;
		}
		note_known(r, nid);
	}
	if (m->diags.n)
		r->warned = true;
	r->items++;
	sink_status(r, r->sink->ops->message(r->sink, loc, folder_id, m));
}

/* Sibling folder names already used under one parent (the case keys folders by path). */
typedef struct names {
	char **v;
	size_t n;
} names;

static void
names_free(names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Make name unique among its siblings ("Inbox", "Inbox (2)" ...) and remember it. */
static char *
names_claim(names *s, char *name)
{
	char *base = lka__strdup(name), **v;

	for (unsigned k = 2; base && k < 100000; k++) {
		bool taken = false;
		size_t n;
		char *t;

		for (size_t i = 0; i < s->n && !taken; i++)
			taken = strcmp(s->v[i], name) == 0;
		if (!taken)
			break;
		n = strlen(base) + 16;
		if (!(t = malloc(n)))
			break;
		snprintf(t, n, "%s (%u)", base, k);
		free(name);
		name = t;
	}
	free(base);
	v = realloc(s->v, (s->n + 1) * sizeof *v);
	if (v) {
		s->v = v;
		s->v[s->n] = lka__strdup(name);
		if (s->v[s->n])
			s->n++;
	}
	return name;
}

static char *
folder_name(prun *r, libpff_item_t *folder, uint32_t nid)
{
	size_t sz = 0;
	char *name = prop_str_ne(folder, 0, LKA_PR_DISPLAY_NAME, r->charset);

	if (!name && libpff_folder_get_utf8_name_size(folder, &sz, NULL) == 1 && sz > 1 &&
	    (name = malloc(sz)) != NULL) {
		if (libpff_folder_get_utf8_name(folder, (uint8_t *)name, sz, NULL) == 1) {
			name[sz - 1] = '\0';
			if (!lka_utf8_valid(name, strlen(name))) {
				char *t = lka_text_to_utf8(name, strlen(name), r->charset, NULL);
				free(name);
				name = t;
			}
		} else {
			free(name);
			name = NULL;
		}
	}
	if (!name || !*name) {
		char b[32];
		free(name);
		snprintf(b, sizeof b, "(folder %u)", nid);
		name = lka__strdup(b);
	}
	for (char *q = name; q && *q; q++)
		if (*q == '/')
			*q = '_'; /* a '/' would split the case's folder path */
	return name;
}

static void
walk_folder(prun *r, libpff_item_t *folder, int64_t parent_id, const char *ppath,
	    const char *role, int depth, names *sibs)
{
	libpff_error_t *e = NULL;
	lka_folder fo = { 0 };
	names kids = { 0 };
	char *name, *path = NULL, ebuf[512];
	uint32_t nid = 0, ftype = 0;
	int nmsg = 0, nsub = 0, nfai = 0;

	if (r->stop)
		return;
	(void)libpff_item_get_identifier(folder, &nid, NULL);
	name = folder_name(r, folder, nid);
	if (!name) {
		r->stop = true;
		return;
	}
	if (sibs)
		name = names_claim(sibs, name);
	if (nid == r->ipm_nid)
		role = "ipm";
	else if (nid == r->finder_nid)
		role = "search";
	if (prop_u32(folder, 0, LKA_PR_FOLDER_TYPE, &ftype) && ftype == 2)
		role = "search";
	{
		size_t n = strlen(ppath) + strlen(name) + 2;
		path = malloc(n);
		if (path)
			snprintf(path, n, "%s%s%s", ppath, *ppath ? "/" : "", name);
	}
	if (libpff_folder_get_number_of_sub_messages(folder, &nmsg, &e) != 1) {
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path ? path : name,
			  "folder contents table unreadable: %s", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
		nmsg = 0;
	}
	/* associated (FAI) items: configuration, views, rules, the autocomplete stream */
	if (libpff_folder_get_number_of_sub_associated_contents(folder, &nfai, &e) != 1) {
		libpff_error_free(&e);
		nfai = 0;
	}
	fo.id = r->next_folder++;
	fo.parent_id = parent_id;
	fo.name = name;
	fo.path = path;
	fo.folder_class = prop_str_ne(folder, 0, LKA_PR_CONTAINER_CLASS, r->charset);
	fo.role = (char *)role;
	fo.engine = (char *)"libpff";
	fo.expected_items = nmsg + nfai;
	sink_status(r, r->sink->ops->folder(r->sink, &fo));
	free(fo.folder_class);
	note_folder(r, nid, fo.id, parent_id, name, nmsg + nfai);

	for (int i = 0; i < nmsg + nfai && !r->stop; i++) {
		libpff_item_t *it = NULL;
		lka_itemloc loc = { r->ordinal++, -1, -1 };
		int got;

		if (loc.ordinal < r->task->skip) {
			/* done by an earlier run: libpst must still know libpff has it */
			got = i < nmsg ? libpff_folder_get_sub_message(folder, i, &it, NULL)
				       : libpff_folder_get_sub_associated_content(folder, i - nmsg,
										  &it, NULL);
			if (got == 1 && it) {
				uint32_t inid = 0;
				if (libpff_item_get_identifier(it, &inid, NULL) == 1)
					note_known(r, inid);
				libpff_item_free(&it, NULL);
			}
			continue;
		}
		sink_status(r, r->sink->ops->item_begin(r->sink, &loc));
		if (r->stop)
			break;
		got = i < nmsg ? libpff_folder_get_sub_message(folder, i, &it, &e)
			       : libpff_folder_get_sub_associated_content(folder, i - nmsg, &it, &e);
		if (got != 1 || !it) {
			emit_diag(r, &loc, LKA_FAILED, LKA_E_CORRUPT, path ? path : name,
				  "%s %d of the folder unreadable by libpff: %s",
				  i < nmsg ? "item" : "associated item", i < nmsg ? i + 1 : i - nmsg + 1,
				  err_text(e, ebuf, sizeof ebuf));
			libpff_error_free(&e);
			r->failed++;
			continue;
		}
		emit_item(r, it, fo.id, false, &loc);
		libpff_item_free(&it, NULL);
	}

	if (depth >= 64) {
		emit_diag(r, NULL, LKA_WARN, LKA_E_LIMIT, path ? path : name,
			  "folders nested too deep: sub-folders not read");
	} else if (libpff_folder_get_number_of_sub_folders(folder, &nsub, &e) == 1) {
		for (int i = 0; i < nsub && !r->stop; i++) {
			libpff_item_t *sub = NULL;
			if (libpff_folder_get_sub_folder(folder, i, &sub, &e) != 1 || !sub) {
				emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path ? path : name,
					  "sub-folder %d unreadable: %s", i + 1,
					  err_text(e, ebuf, sizeof ebuf));
				libpff_error_free(&e);
				continue;
			}
			walk_folder(r, sub, fo.id, path ? path : name, role, depth + 1, &kids);
			libpff_item_free(&sub, NULL);
		}
	} else {
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path ? path : name,
			  "sub-folder table unreadable: %s", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
	}
	names_free(&kids);
	free(name);
	free(path);
}

static void
read_recovered(prun *r)
{
	libpff_error_t *e = NULL;
	lka_folder fo = { 0 };
	char ebuf[512];
	int n = 0;
	bool emitted = false;

	if (libpff_file_recover_items(r->f, 0, &e) != 1) {
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, "recovery",
			  "deleted-item recovery failed: %s", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
		return;
	}
	if (libpff_file_get_number_of_recovered_items(r->f, &n, &e) != 1 || n <= 0) {
		libpff_error_free(&e);
		return;
	}
	fo.id = r->next_folder++;
	fo.name = (char *)"(recovered items)";
	fo.path = fo.name;
	fo.role = (char *)"recovered";
	fo.expected_items = -1;
	for (int i = 0; i < n && !r->stop; i++) {
		libpff_item_t *it = NULL;
		lka_itemloc loc = { r->ordinal++, -1, -1 };
		uint8_t type = 0;
		char *cls = NULL;

		if (loc.ordinal < r->task->skip)
			continue;
		if (libpff_file_get_recovered_item_by_index(r->f, i, &it, &e) != 1 || !it) {
			libpff_error_free(&e);
			continue;
		}
		/* recovered descriptors that are not messages (folders, tables
		 * without a message class) are not ingested */
		(void)libpff_item_get_type(it, &type, NULL);
		if (type != LIBPFF_ITEM_TYPE_FOLDER)
			cls = prop_str_ne(it, 0, LKA_PR_MESSAGE_CLASS, r->charset);
		if (cls) {
			if (!emitted) {
				sink_status(r, r->sink->ops->folder(r->sink, &fo));
				emitted = true;
			}
			sink_status(r, r->sink->ops->item_begin(r->sink, &loc));
			if (!r->stop)
				emit_item(r, it, fo.id, true, &loc);
			r->recovered++;
		}
		free(cls);
		libpff_item_free(&it, NULL);
	}
}

static void
walk_root(prun *r)
{
	libpff_error_t *e = NULL;
	libpff_item_t *root = NULL;
	names tops = { 0 };
	char ebuf[512];
	int nsub = 0, nmsg = 0;

	if (libpff_file_get_root_folder(r->f, &root, &e) != 1 || !root) {
		emit_diag(r, NULL, LKA_FAILED, LKA_E_CORRUPT, NULL, "no root folder: %s",
			  err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
		return;
	}
	/* the root's children are the top folders: walk them, not the nameless root,
	 * unless the root itself holds items */
	if (libpff_folder_get_number_of_sub_messages(root, &nmsg, NULL) == 1 && nmsg > 0) {
		walk_folder(r, root, 0, "", "system", 0, NULL);
	} else if (libpff_folder_get_number_of_sub_folders(root, &nsub, &e) == 1) {
		for (int i = 0; i < nsub && !r->stop; i++) {
			libpff_item_t *sub = NULL;
			if (libpff_folder_get_sub_folder(root, i, &sub, &e) != 1 || !sub) {
				emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, "root",
					  "top folder %d unreadable: %s", i + 1,
					  err_text(e, ebuf, sizeof ebuf));
				libpff_error_free(&e);
				continue;
			}
			walk_folder(r, sub, 0, "", "system", 1, &tops);
			libpff_item_free(&sub, NULL);
		}
	} else {
		emit_diag(r, NULL, LKA_FAILED, LKA_E_CORRUPT, "root",
			  "root folder table unreadable: %s", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
	}
	names_free(&tops);
	libpff_item_free(&root, NULL);
}

/* ------------------------------------------------------ libpst pass */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
lp_folder(prun *r, const lka_folder *in)
{
	struct pfolder *pf = find_folder(r, (uint64_t)in->id);
	lka_folder fo = { 0 };

	if (!pf) {
		/* a folder only libpst sees (libpff refused the file or lost the folder) */
		struct pfolder *parent = in->parent_id ? find_folder(r, (uint64_t)in->parent_id) : NULL;
		note_folder(r, (uint64_t)in->id, r->next_folder++, parent ? parent->id : 0,
			    in->name ? in->name : "(unnamed)", -1);
		pf = &r->folders[r->n_folders - 1];
		if (pf->nid != (uint64_t)in->id)
			return; /* OOM */
	}
	if (in->expected_items >= 0 && pf->counted)
		return; /* a libpst process started again passes it a second time */
	if (in->expected_items >= 0)
		pf->counted = true;
	r->last_folder = pf->id;
	fo.id = pf->id;
	fo.parent_id = pf->parent_id;
	fo.name = pf->name;
	fo.role = (char *)"ipm";
	if (in->expected_items >= 0) {
		fo.engine = (char *)"libpst";
		fo.expected_items = in->expected_items;
	} else {
		fo.expected_items = -1;
	}
	sink_status(r, r->sink->ops->folder(r->sink, &fo));
	if (in->expected_items >= 0 && pf->pff_expected >= 0 &&
	    in->expected_items != pf->pff_expected)
		emit_diag(r, NULL, LKA_WARN, LKA_E_MISMATCH, pf->name,
			  "engines disagree on folder \"%s\": libpff lists %lld item(s), "
			  "libpst reads %lld",
			  pf->name ? pf->name : "?", (long long)pf->pff_expected,
			  (long long)in->expected_items);
	else if (in->expected_items >= 0 && pf->pff_expected < 0 && r->n_known)
		emit_diag(r, NULL, LKA_WARN, LKA_E_MISMATCH, pf->name,
			  "folder \"%s\" (%lld item(s)) is seen by libpst only",
			  pf->name ? pf->name : "?", (long long)in->expected_items);
}

static void
lp_message(prun *r, lka_frame *f)
{
	struct pfolder *pf = find_folder(r, (uint64_t)f->folder_id);
	lka_itemloc loc = { r->ordinal++, -1, -1 };
	uint64_t nid = f->loc.ordinal;
	lka_msg *m = f->msg;

	f->msg = NULL;
	note_known(r, nid); /* a libpst process started again does not send it twice */
	/* a libpff stub for the same item is superseded */
	for (size_t i = 0; i < r->n_stubs; i++) {
		if (r->stubs[i].m && r->stubs[i].nid == nid) {
			lka_msg_free(r->stubs[i].m);
			r->stubs[i].m = NULL;
		}
	}
	if (loc.ordinal < r->task->skip || r->stop) {
		lka_msg_free(m);
		return;
	}
	sink_status(r, r->sink->ops->item_begin(r->sink, &loc));
	if (r->stop) {
		lka_msg_free(m);
		return;
	}
	if (m->diags.n)
		r->warned = true;
	r->pst_items++;
	sink_status(r, r->sink->ops->message(r->sink, &loc, pf ? pf->id : 0, m));
}

static void
lp_contact(prun *r, lka_frame *f)
{
	struct pfolder *pf = find_folder(r, (uint64_t)f->folder_id);
	lka_itemloc loc = { r->ordinal++, -1, -1 };
	uint64_t nid = f->loc.ordinal;
	lka_contact *c = f->contact;

	f->contact = NULL;
	note_known(r, nid);
	for (size_t i = 0; i < r->n_stubs; i++) {
		if (r->stubs[i].m && r->stubs[i].nid == nid) {
			lka_msg_free(r->stubs[i].m);
			r->stubs[i].m = NULL;
		}
	}
	if (loc.ordinal < r->task->skip || r->stop) {
		lka_contact_free(c);
		return;
	}
	sink_status(r, r->sink->ops->item_begin(r->sink, &loc));
	if (r->stop) {
		lka_contact_free(c);
		return;
	}
	r->pst_items++;
	sink_status(r, r->sink->ops->contact(r->sink, &loc, pf ? pf->id : 0, c));
}

/*
 * libpst is walking items libpff already gave (nothing to forward): every
 * few seconds re-announce a folder, so that the ingest process sees the
 * reader alive and does not take the pass for a hung item.
 */
static void
lp_keepalive(prun *r)
{
	double now = lka__mono_seconds(), last = (double)r->last_sent.tv_sec + (double)r->last_sent.tv_nsec / 1e9;
	struct pfolder *pf = NULL;
	lka_folder fo = { 0 };

	if (now - last < 5.0)
		return;
	for (size_t i = 0; i < r->n_folders && !pf; i++)
		if (r->folders[i].id == r->last_folder)
			pf = &r->folders[i];
	if (!pf && r->n_folders)
		pf = &r->folders[0];
	if (!pf)
		return;
	fo.id = pf->id;
	fo.parent_id = pf->parent_id;
	fo.name = pf->name;
	fo.expected_items = -1;
	sink_status(r, r->sink->ops->folder(r->sink, &fo));
	clock_gettime(CLOCK_MONOTONIC, &r->last_sent);
}

static bool
lp_frame(void *arg, lka_frame *f)
{
	prun *r = arg;

	if (f->type != LKA_FR_ITEM_BEGIN)
		clock_gettime(CLOCK_MONOTONIC, &r->last_sent);
	switch (f->type) {
	case LKA_FR_ITEM_BEGIN:
		lp_keepalive(r);
		return !r->stop;
	case LKA_FR_FOLDER:
		lp_folder(r, &f->folder);
		return !r->stop;
	case LKA_FR_MESSAGE:
		if (!f->msg)
			return false;
		lp_message(r, f);
		return !r->stop;
	case LKA_FR_CONTACT:
		if (!f->contact)
			return false;
		lp_contact(r, f);
		return !r->stop;
	case LKA_FR_DIAG:
		emit_diag(r, NULL, f->diag.severity == LKA_FAILED ? LKA_FAILED : LKA_WARN,
			  LKA_E_CORRUPT, "libpst", "%s",
			  f->diag.message ? f->diag.message : "libpst problem");
		return !r->stop;
	default:
		return false;
	}
}

/* Run libpst over the file; items libpff did not read are added.  A libpst
 * process that dies is started again past the descriptor it died on. */
#define LIBPST_RETRIES 8

static void
libpst_pass(prun *r, bool libpff_read)
{
	uint64_t avoid[LIBPST_RETRIES];
	size_t n_avoid = 0;

	for (int attempt = 0; attempt <= LIBPST_RETRIES && !r->stop; attempt++) {
		int status = 0;
		uint64_t last = 0;
		bool died;
		lka_status st;

		if (r->n_known)
			qsort(r->known, r->n_known, sizeof *r->known, cmp_u64);
		clock_gettime(CLOCK_MONOTONIC, &r->last_sent);
		if (n_avoid)
			qsort(avoid, n_avoid, sizeof *avoid, cmp_u64);
		st = lka__pst_libpst_run(r->host, r->task->path, r->known, r->n_known, avoid, n_avoid, r->lim,
					 r->store, lp_frame, r, &status, &last);
		if (r->stop)
			return;
		if (st != LKA_OK) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_CRASH, "libpst",
				  "the libpst engine process could not run or sent a damaged stream");
			return;
		}
		died = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
		if (!died)
			return;
		emit_diag(r, NULL, libpff_read ? LKA_WARN : LKA_FAILED, LKA_E_CRASH, "libpst",
			  "the libpst engine %s %d on descriptor %llu: %s%s",
			  WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
				  ? "took too long (per-item time limit), signal"
			  : WIFSIGNALED(status) ? "crashed with signal"
						: "exited with status",
			  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			  (unsigned long long)last,
			  attempt < LIBPST_RETRIES && last ? "started again past it"
							    : "libpst items after it are missing",
			  libpff_read ? "; libpff's items are unaffected" : "");
		if (!last || n_avoid == LIBPST_RETRIES)
			return;
		avoid[n_avoid++] = last;
	}
}

/* libpff's class-less items that libpst did not read whole: kept as libpff read them. */
static void
flush_stubs(prun *r)
{
	for (size_t i = 0; i < r->n_stubs; i++) {
		struct stub *s = &r->stubs[i];
		if (!s->m)
			continue;
		if (!r->stop) {
			r->warned = true;
			r->items++;
			sink_status(r, r->sink->ops->item_begin(r->sink, &s->loc));
			if (!r->stop) {
				sink_status(r, r->sink->ops->message(r->sink, &s->loc, s->folder_id,
								     s->m));
				s->m = NULL;
			}
		}
		lka_msg_free(s->m);
		s->m = NULL;
	}
}

static void
prun_free(prun *r)
{
	for (size_t i = 0; i < r->n_stubs; i++)
		lka_msg_free(r->stubs[i].m);
	free(r->stubs);
	for (size_t i = 0; i < r->n_folders; i++)
		free(r->folders[i].name);
	free(r->folders);
	free(r->known);
	lka__pst_host_free(r->own_host);
	r->own_host = NULL;
	if (r->bfio)
		libbfio_handle_free(&r->bfio, NULL);
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

lka_status
lka__read_pst(const lka_pst_opts *o, const lka_task *task, lka_sink *sink)
{
	prun r = { .task = task, .sink = sink, .mime = o->mime, .lim = o->limits,
		   .store = o->store_content, .rc = o->rc, .host = o->host, .next_folder = 1,
		   .charset = "windows-1252" };
	libpff_error_t *e = NULL;
	libpff_item_t *store = NULL;
	unsigned char head[16];
	char ebuf[512];
	size_t hn = 0;
	lka_status st;
	int opened, fd;
	struct stat sb;

	fd = open(task->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t got = pread(fd, head, sizeof head, 0);

		hn = got > 0 ? (size_t)got : 0;
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
		    (uint64_t)sb.st_size <= SIZE_MAX) {
			void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

			if (m != MAP_FAILED) {
				r.map = m;
				r.map_len = (size_t)sb.st_size;
			}
		}
		close(fd);
	}
	if (!lka_detect_pst(head, hn, &r.kind)) {
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_CORRUPT, NULL,
			  "not a PST/OST file: no \"!BDN\" signature with a known version");
		prun_free(&r);
		return LKA_FATAL;
	}
	if (libpff_file_initialize(&r.f, &e) != 1) {
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_NOMEM, NULL, "libpff: %s",
			  err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
		prun_free(&r);
		return LKA_FATAL;
	}
	r.use_libpst = o->libpst;
	if (o->libpst && !r.host) {
		if (lka__pst_host_new(&r.own_host) != LKA_OK) {
			emit_diag(&r, NULL, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
			libpff_file_free(&r.f, NULL);
			prun_free(&r);
			return LKA_FATAL;
		}
		r.host = r.own_host;
	}
	if (r.map && (libbfio_memory_range_initialize(&r.bfio, NULL) != 1 ||
		      libbfio_memory_range_set(r.bfio, r.map, r.map_len, NULL) != 1))
		libbfio_handle_free(&r.bfio, NULL);
	if (r.bfio)
		opened = libpff_file_open_file_io_handle(r.f, r.bfio, LIBPFF_OPEN_READ, &e);
	else
		opened = libpff_file_open(r.f, task->path, LIBPFF_OPEN_READ, &e);
	if (opened != 1) {
		emit_diag(&r, NULL, o->libpst ? LKA_FAILED : LKA_FATAL, LKA_E_CORRUPT, NULL,
			  "%s %s refused by libpff: %s",
			  r.kind & LKA_PST_ANSI ? "ANSI (32-bit)" : "Unicode (64-bit)",
			  r.kind & LKA_PST_OST ? "OST" : "PST", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
		libpff_file_free(&r.f, NULL);
		if (!o->libpst) {
			prun_free(&r);
			return LKA_FATAL;
		}
		libpst_pass(&r, false);
		if (!r.stop && r.n_folders == 0)
			emit_diag(&r, NULL, LKA_FATAL, LKA_E_CORRUPT, NULL,
				  "neither libpff nor libpst could read this store");
		st = r.stop || r.n_folders == 0 ? LKA_FATAL : LKA_WARN;
		prun_free(&r);
		return st;
	}
	if (libpff_file_get_message_store(r.f, &store, &e) == 1 && store) {
		uint32_t pw = 0;
		uint32_t cp = 0;
		r.ipm_nid = entryid_nid(store, LKA_PR_IPM_SUBTREE_ENTRYID);
		r.finder_nid = entryid_nid(store, LKA_PR_FINDER_ENTRYID);
		/* an ANSI store's own code page, for folder names and items without one */
		if ((prop_u32(store, 0, LKA_PR_MESSAGE_CODEPAGE, &cp) && cp) ||
		    (prop_u32(store, 0, LKA_PR_INTERNET_CPID, &cp) && cp)) {
			const char *cs = lka_mapi_cp_charset(cp, r.charset_buf, sizeof r.charset_buf);
			if (cs && cs != r.charset_buf)
				snprintf(r.charset_buf, sizeof r.charset_buf, "%s", cs);
			if (cs)
				r.charset = r.charset_buf;
		}
		if (prop_u32(store, 0, LKA_PR_PST_PASSWORD, &pw) && pw)
			emit_diag(&r, NULL, LKA_WARN, LKA_E_UNSUPPORTED, "message store",
				  "password set on this store (CRC-32 0x%08x): it only guards "
				  "Outlook's user interface; the store was read anyway",
				  (unsigned)pw);
		libpff_item_free(&store, NULL);
	} else {
		emit_diag(&r, NULL, LKA_WARN, LKA_E_CORRUPT, "message store",
			  "message store unreadable: %s", err_text(e, ebuf, sizeof ebuf));
		libpff_error_free(&e);
	}
	walk_root(&r);
	if (!r.stop && o->recover)
		read_recovered(&r);
	libpff_file_close(r.f, NULL);
	libpff_file_free(&r.f, NULL);
	if (r.bfio)
		libbfio_handle_free(&r.bfio, NULL);
	if (!r.stop && o->libpst)
		libpst_pass(&r, true);
	flush_stubs(&r);
	if (!r.stop && r.n_folders == 0 && r.items == 0 && r.pst_items == 0) {
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_CORRUPT, NULL,
			  "no folder and no item could be read from this store by libpff%s",
			  o->libpst ? " or libpst" : "");
		r.stop = true;
	}
	prun_free(&r);
	if (r.stop)
		return LKA_FATAL;
	return r.warned ? LKA_WARN : LKA_OK;
}
