/*
 * reader.c — read one evidence file (eml, emlx, mbox) and emit its
 * messages to a sink.  Runs inside a reader process: whatever the evidence
 * does to us here costs that process only.
 *
 * Every top-level item is announced with item_begin() before it is parsed
 * and closed by exactly one message() or diag(loc), so the process that
 * watches us knows which item killed a reader that died.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "book.h"
#include "archives.h"
#include "internal.h"
#include "mbox.h"
#include "mime.h"
#include "pst.h"
#include "reader.h"
#include "scan.h"

#define EMLX_TRAILER_MAX (1u << 20)   /* plist after an emlx message, read beyond the message cap */
#define MBOX_WINDOW ((size_t)64 << 20)  /* bytes of an mbox mapped at once */

typedef enum fault_kind {
	FAULT_NONE = 0,
	FAULT_CRASH,
	FAULT_HANG,
	FAULT_OOM,
	FAULT_EXIT,
} fault_kind;

struct lka_rctx {
	lka_limits limits;
	lka_mime *mime;
	fault_kind fault;  /* testing only, see fault_hook() */
	char *fault_text;
	size_t fault_len;
	size_t mbox_window; /* bytes of an mbox mapped at once (MBOX_WINDOW) */
	bool store_content;
	locale_t utf8;      /* for libarchive's member names (uselocale), or 0 */
	lka_pst_host *pst_host; /* the libpst process of this reader, kept across stores */
};

void
lka_rctx__set_mbox_window(lka_rctx *rc, size_t bytes)
{
	rc->mbox_window = bytes < 4096 ? 4096 : bytes;
}

/* State of one lka_read_task() call. */
typedef struct run {
	lka_rctx *rc;
	const lka_task *task;
	lka_sink *sink;
	bool warned; /* a diagnostic was emitted or a message carried some */
	bool stop;   /* the sink said LKA_FATAL */
	const char *book; /* the address book being read (read_book), for the fault hook */
	size_t book_n;
} run;

lka_status
lka_rctx_new(lka_rctx **out, const lka_limits *limits, bool store_content, const char *fault,
	     lka_error *err)
{
	static const struct {
		const char *name;
		fault_kind kind;
	} faults[] = {
		{ "crash:", FAULT_CRASH },
		{ "hang:", FAULT_HANG },
		{ "oom:", FAULT_OOM },
		{ "exit:", FAULT_EXIT },
	};
	lka_rctx *rc;
	lka_status st;

	*out = NULL;
	rc = calloc(1, sizeof *rc);
	if (!rc)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	rc->mbox_window = MBOX_WINDOW;
	rc->store_content = store_content;
	rc->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (limits)
		rc->limits = *limits;
	else
		lka_limits_default(&rc->limits);
	if (fault && *fault) {
		for (size_t i = 0; i < LKA_ARRAY_LEN(faults); i++) {
			size_t n = strlen(faults[i].name);
			if (strncmp(fault, faults[i].name, n) == 0 && fault[n]) {
				rc->fault = faults[i].kind;
				rc->fault_text = lka__strdup(fault + n);
				rc->fault_len = strlen(fault + n);
			}
		}
		if (rc->fault == FAULT_NONE) {
			st = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, NULL, "fault must be %s",
					"crash:TEXT, hang:TEXT, oom:TEXT or exit:TEXT");
			goto fail;
		}
		if (!rc->fault_text) {
			st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
			goto fail;
		}
	}
	st = lka_mime_new(&rc->mime, &rc->limits, store_content, err);
	if (st != LKA_OK)
		goto fail;
	if (lka__pst_host_new(&rc->pst_host) != LKA_OK) {
		st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
		goto fail;
	}
	*out = rc;
	return LKA_OK;
fail:
	lka_rctx_free(rc);
	return st;
}

void
lka_rctx_free(lka_rctx *rc)
{
	if (!rc)
		return;
	lka_mime_free(rc->mime);
	lka__pst_host_free(rc->pst_host);
	if (rc->utf8)
		freelocale(rc->utf8);
	free(rc->fault_text);
	free(rc);
}

/*
 * TEST HOOK, used only by the end-to-end tests of crash isolation
 * (lka_ingest_opts.fault).  When the raw bytes of the item about to be
 * parsed contain the fault text, misbehave the way hostile evidence can make
 * a parser misbehave.  Does nothing unless a fault was configured.
 */
static void
fault_hook(const lka_rctx *rc, const char *raw, size_t n)
{
	if (rc->fault == FAULT_NONE || !memmem(raw, n, rc->fault_text, rc->fault_len))
		return;
	switch (rc->fault) {
	case FAULT_CRASH:
		raise(SIGSEGV);
		break;
	case FAULT_HANG:
		for (;;)
			pause();
	case FAULT_OOM: {
		/* chain the blocks so that they stay reachable and are really touched */
		void *chain = NULL;
		for (;;) {
			size_t sz = 1u << 20;
			char *p = malloc(sz);
			volatile char *touch = p;
			if (!p)
				abort();
			for (size_t i = 0; i < sz; i += 4096)
				touch[i] = 1;
			memcpy(p, &chain, sizeof chain);
			chain = p;
		}
	}
	case FAULT_EXIT:
		_exit(42); /* as libpst does on some corrupt files */
	case FAULT_NONE:
		break;
	}
}

void
lka__fault_hook(const lka_rctx *rc, const char *raw, size_t n)
{
	fault_hook(rc, raw, n);
}

/* ----------------------------------------------------------- emitting */

static void
sink_status(run *r, lka_status st)
{
	if (st == LKA_FATAL)
		r->stop = true;
}

static void
begin(run *r, const lka_itemloc *loc)
{
	if (!r->stop)
		sink_status(r, r->sink->ops->item_begin(r->sink, loc));
}

static void
emit_diag(run *r, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *location,
	  const char *fmt, ...) LKA_PRINTF(6, 7);

static void
emit_diag(run *r, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *location,
	  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lka_sink_vdiagf(r->sink, &r->stop, &r->warned, loc, sev, kind, location, fmt, ap);
	va_end(ap);
}

/* An item over the message limit: announced, then failed. */
static void
item_too_big(run *r, const lka_itemloc *loc, uint64_t n)
{
	begin(r, loc);
	emit_diag(r, loc, LKA_FAILED, LKA_E_LIMIT, NULL,
		  "message of %llu bytes is over the limit of %llu bytes", (unsigned long long)n,
		  (unsigned long long)r->rc->limits.message_bytes);
}

/* ------------------------------------------ address books in attachments */

#define ATT_BOOKS_MAX 16
#define ATT_BOOKS_DEPTH 8 /* steps below a top-level attachment looked into */

/*
 * An address book found in a message's attachments: the top-level
 * attachment pos, and below it path (lka_contact.att_path: "c<N>" member N
 * of a container, "e<N>" attachment N of the embedded message), "" for the
 * attachment itself.
 */
typedef struct att_book {
	size_t pos;
	char path[96];
	lka_format fmt;
	char *data;
	size_t n;
} att_book;

typedef struct att_run {
	run *r;
	const lka_itemloc *msg_loc;
	int64_t folder; /* -(position + 1) */
	const char *path;
	size_t emitted;
	bool failed;
} att_run;

static bool
att_begin(void *arg, const lka_itemloc *loc)
{
	(void)loc;
	return !((att_run *)arg)->r->stop;
}

static bool
att_emit(void *arg, const lka_itemloc *loc, lka_contact *c)
{
	att_run *a = arg;
	run *r = a->r;
	lka_itemloc l = { a->msg_loc->ordinal, loc->offset, loc->length };

	if (r->stop) {
		lka_contact_free(c);
		return false;
	}
	if (a->path[0] && !c->att_path && !(c->att_path = lka__strdup(a->path))) {
		lka_contact_free(c);
		emit_diag(r, a->msg_loc, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
		r->stop = true;
		return false;
	}
	if (c->diags.n)
		r->warned = true;
	a->emitted++;
	sink_status(r, r->sink->ops->contact(r->sink, &l, a->folder, c));
	return !r->stop;
}

static bool
att_fail(void *arg, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *msg)
{
	att_run *a = arg;
	char where[160];

	(void)loc;
	snprintf(where, sizeof where, "attachment %lld%s%s", (long long)(-a->folder),
		 a->path[0] ? " " : "", a->path);
	a->failed = true;
	emit_diag(a->r, a->msg_loc, sev == LKA_FATAL ? LKA_FAILED : LKA_WARN, kind, where,
		  "address book: %s", msg);
	return !a->r->stop;
}

/* Is a an address book?  Its format, or LKA_FMT_UNKNOWN. */
static lka_format
att_book_format(const lka_att *a)
{
	lka_format f;

	if (!a->data || !a->data_len ||
	    (a->declared_type && (!strncmp(a->declared_type, "message/", 8) ||
				  !strncmp(a->declared_type, "multipart/", 10))))
		return LKA_FMT_UNKNOWN; /* delivery reports and the like are not address books */
	f = lka_detect_format(a->data, a->data_len < 65536 ? a->data_len : 65536, a->filename);
	if (f != LKA_FMT_VCARD && f != LKA_FMT_LDIF && f != LKA_FMT_CSVBOOK)
		return LKA_FMT_UNKNOWN;
	return f;
}

/* Copy a (below top-level attachment pos, at path) and what it holds, if address books. */
static void
find_books_in(const lka_att *a, size_t pos, const char *path, unsigned depth, att_book *out,
	      size_t *k)
{
	lka_format f = att_book_format(a);
	char sub[sizeof out->path];
	const lka_msg *em = a->embedded;

	if (f != LKA_FMT_UNKNOWN && *k < ATT_BOOKS_MAX) {
		att_book *b = &out[*k];

		b->data = malloc(a->data_len);
		if (b->data) {
			memcpy(b->data, a->data, a->data_len);
			b->n = a->data_len;
			b->pos = pos;
			b->fmt = f;
			snprintf(b->path, sizeof b->path, "%s", path);
			(*k)++;
		}
	}
	if (depth >= ATT_BOOKS_DEPTH)
		return;
	for (size_t i = 0; i < a->n_children && *k < ATT_BOOKS_MAX; i++) {
		int w = snprintf(sub, sizeof sub, "%s%sc%zu", path, *path ? "/" : "", i);

		if (w > 0 && (size_t)w < sizeof sub)
			find_books_in(&a->children[i], pos, sub, depth + 1, out, k);
	}
	for (size_t i = 0; em && i < em->n_atts && *k < ATT_BOOKS_MAX; i++) {
		int w = snprintf(sub, sizeof sub, "%s%se%zu", path, *path ? "/" : "", i);

		if (w > 0 && (size_t)w < sizeof sub)
			find_books_in(&em->atts[i], pos, sub, depth + 1, out, k);
	}
}

/*
 * Copy the address books among m's attachments (read after m is sent): the
 * top-level ones, members of attached containers (archives, TNEF, .msg)
 * and attachments of embedded messages, at any of those levels.
 */
static size_t
find_att_books(const lka_msg *m, att_book *out)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n_atts && k < ATT_BOOKS_MAX; i++)
		find_books_in(&m->atts[i], i, "", 0, out, &k);
	return k;
}

/* Read the address books attached to the message just sent at loc. */
static void
read_att_books(run *r, const lka_itemloc *loc, att_book *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		att_run a = { r, loc, -(int64_t)b[i].pos - 1, b[i].path, 0, false };
		lka_book_cb cb = { &a, att_begin, att_emit, att_fail };

		if (!r->stop) {
			/* announced again: a reader that dies here dies on this item */
			begin(r, loc);
			if (b[i].fmt == LKA_FMT_VCARD)
				lka_vcard_read(b[i].data, b[i].n, &cb);
			else if (b[i].fmt == LKA_FMT_LDIF)
				lka_ldif_read(b[i].data, b[i].n, &cb);
			else
				lka_csvbook_read(b[i].data, b[i].n, &cb);
		}
		free(b[i].data);
	}
}

/* Emit a parsed message, then the address books attached to it (at any depth). */
static void
emit_message(run *r, const lka_itemloc *loc, int64_t folder, lka_msg *m)
{
	att_book books[ATT_BOOKS_MAX];
	size_t nb = find_att_books(m, books); /* before the sink takes m */

	sink_status(r, r->sink->ops->message(r->sink, loc, folder, m));
	read_att_books(r, loc, books, nb);
}

/*
 * Parse one message and emit it into folder (a reader folder id, 0 for the
 * task's folder).  raw: the item's bytes as stored (what the fault hook looks
 * at); msg: what is parsed.  flags_name (may be NULL): a maildir file name
 * whose ":2,FLAGS" suffix gives the message's flags.  extra (may be NULL): a
 * diagnostic to attach to the message (damage the container showed).
 */
static void
parse_item_in(run *r, const lka_itemloc *loc, int64_t folder, const char *raw, size_t raw_n,
	      const char *msg, size_t msg_n, const char *flags_name, const char *extra)
{
	lka_error e = { 0 };
	lka_msg *m = NULL;
	lka_status st;

	begin(r, loc);
	if (r->stop)
		return;
	fault_hook(r->rc, raw, raw_n);
	st = lka_mime_parse(&m, r->rc->mime, msg, msg_n, &e);
	if ((st != LKA_OK && st != LKA_WARN) || !m) {
		lka_msg_free(m);
		emit_diag(r, loc, LKA_FAILED, e.kind != LKA_E_NONE ? e.kind : LKA_E_CORRUPT,
			  e.where[0] ? e.where : NULL, "%s",
			  e.msg[0] ? e.msg : "message could not be parsed");
		return;
	}
	if (flags_name && !m->maildir_flags)
		m->maildir_flags = lka_maildir_flags(flags_name);
	if (extra && !lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, NULL, "%s", extra)) {
		lka_msg_free(m);
		emit_diag(r, loc, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
		return;
	}
	if (m->diags.n)
		r->warned = true;
	emit_message(r, loc, folder, m);
}

static void
parse_item(run *r, const lka_itemloc *loc, const char *raw, size_t raw_n, const char *msg,
	   size_t msg_n, bool maildir_name, const char *extra)
{
	parse_item_in(r, loc, 0, raw, raw_n, msg, msg_n, maildir_name ? r->task->path : NULL,
		      extra);
}

/* ------------------------------------------------------------ reading */

/* Read the whole of fd (size bytes expected, at most max).  *data is malloc'd, NUL-ended. */
static int
read_all(int fd, uint64_t size, uint64_t max, char **data, size_t *n)
{
	size_t cap = (size_t)(size < max ? size : max) + 1, len = 0;
	char *p = malloc(cap);
	ssize_t got;

	if (!p)
		return ENOMEM;
	for (;;) {
		if (len + 1 == cap) {
			char *q;
			if (len >= max) {
				/* at the cap: only the end of the file may follow */
				char probe;
				do
					got = read(fd, &probe, 1);
				while (got < 0 && errno == EINTR);
				if (got == 0)
					break;
				int e = got < 0 ? errno : EFBIG;
				free(p);
				return e;
			}
			cap = cap * 2 > max + 1 ? (size_t)max + 1 : cap * 2;
			q = realloc(p, cap);
			if (!q) {
				free(p);
				return ENOMEM;
			}
			p = q;
		}
		got = read(fd, p + len, cap - 1 - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(p);
			return e;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	p[len] = '\0';
	*data = p;
	*n = len;
	return 0;
}

static void
read_failed(run *r, const lka_itemloc *loc, int e)
{
	if (e == EFBIG)
		emit_diag(r, loc, LKA_FAILED, LKA_E_LIMIT, NULL,
			  "file grew over the limit while read");
	else if (e == ENOMEM)
		emit_diag(r, loc, LKA_FAILED, LKA_E_NOMEM, NULL, "out of memory");
	else
		emit_diag(r, loc, LKA_FAILED, LKA_E_IO, NULL, "cannot read: %s", strerror(e));
}

/* Skip what may precede the headers of a single message: a UTF-8 BOM, an mbox From_ line. */
static size_t
eml_prefix(const char *p, size_t n)
{
	size_t skip = 0;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	if (lka_mbox_is_from_line(p + skip, n - skip)) {
		const char *nl = memchr(p + skip, '\n', n - skip);
		skip = nl ? (size_t)(nl - p) + 1 : n;
	}
	return skip;
}

/*
 * A file that is one item (ordinal 0, at loc): read it whole into *data.
 * false when there is nothing to parse: read by an earlier run, over the
 * message limit, or unreadable (the last two recorded against the item).
 */
static bool
read_one_item(run *r, int fd, uint64_t size, const lka_itemloc *loc, char **data, size_t *n)
{
	int e;

	if (r->task->skip > 0)
		return false;
	if (size > r->rc->limits.message_bytes) {
		item_too_big(r, loc, size);
		return false;
	}
	e = read_all(fd, size, r->rc->limits.message_bytes, data, n);
	if (e) {
		begin(r, loc);
		read_failed(r, loc, e);
		return false;
	}
	return true;
}

static void
read_eml(run *r, int fd, uint64_t size)
{
	lka_itemloc loc = { 0, 0, (int64_t)size };
	char *data = NULL;
	size_t n = 0, skip;

	if (!read_one_item(r, fd, size, &loc, &data, &n))
		return;
	loc.length = (int64_t)n;
	skip = eml_prefix(data, n);
	if (n - skip == 0) {
		begin(r, &loc);
		emit_diag(r, &loc, LKA_FAILED, LKA_E_CORRUPT, NULL, "empty file: no message");
	} else {
		parse_item(r, &loc, data, n, data + skip, n - skip, true, NULL);
	}
	free(data);
}

/*
 * Emit what a TNEF stream or an Outlook .msg held: a message, or for an
 * Outlook contact or distribution list (is_msg), a contact item.
 */
static void
emit_outlook(run *r, const lka_itemloc *loc, int64_t folder, bool is_msg, const char *data,
	     size_t n, lka_status st, lka_msg *m)
{
	lka_contact *ct = NULL;

	if (is_msg && m->item_class && (!strncmp(m->item_class, "IPM.Contact", 11) ||
					!strncmp(m->item_class, "IPM.DistList", 12)))
		ct = lka_mime_olemsg_contact(r->rc->mime, data, n);
	if (ct) {
		lka_msg_free(m);
		if (ct->diags.n)
			r->warned = true;
		sink_status(r, r->sink->ops->contact(r->sink, loc, folder, ct));
		return;
	}
	if (st == LKA_WARN)
		r->warned = true;
	emit_message(r, loc, folder, m);
}

/* A TNEF stream (winmail.dat) or an Outlook .msg given as evidence: one message. */
static void
read_tnef(run *r, int fd, uint64_t size)
{
	bool msg = r->task->format == LKA_FMT_MSG;
	lka_itemloc loc = { 0, 0, (int64_t)size };
	lka_error e = { 0 };
	lka_msg *m = NULL;
	char *data = NULL;
	size_t n = 0;
	lka_status st;

	if (!read_one_item(r, fd, size, &loc, &data, &n))
		return;
	begin(r, &loc);
	if (!r->stop) {
		fault_hook(r->rc, data, n);
		st = msg ? lka_mime_olemsg(&m, r->rc->mime, data, n, &e)
			 : lka_mime_tnef(&m, r->rc->mime, data, n, &e);
		if ((st != LKA_OK && st != LKA_WARN) || !m) {
			emit_diag(r, &loc, LKA_FAILED, e.kind != LKA_E_NONE ? e.kind : LKA_E_CORRUPT,
				  NULL, "%s", e.msg[0] ? e.msg : "the file could not be read");
		} else {
			emit_outlook(r, &loc, 0, msg, data, n, st, m);
		}
	}
	free(data);
}

/* Length of the emlx count line ("1795\n"), its value in *count; 0 if there is none. */
static size_t
emlx_count(const char *p, size_t n, uint64_t *count)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 18) {
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++;
		digits++;
	}
	if (digits == 0)
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] == '\r')
		i++;
	if (i >= n || p[i] != '\n')
		return 0;
	*count = v;
	return i + 1;
}

static void
read_emlx(run *r, int fd, uint64_t size)
{
	lka_itemloc loc = { 0, 0, (int64_t)size };
	uint64_t max = r->rc->limits.message_bytes, count = 0, avail;
	char *data = NULL, extra[160];
	size_t n = 0, off;
	int e;

	if (r->task->skip > 0)
		return;
	if (size > max + EMLX_TRAILER_MAX) {
		item_too_big(r, &loc, size);
		return;
	}
	e = read_all(fd, size, max + EMLX_TRAILER_MAX, &data, &n);
	if (e) {
		begin(r, &loc);
		read_failed(r, &loc, e);
		return;
	}
	off = emlx_count(data, n, &count);
	if (off == 0) {
		loc.length = (int64_t)n;
		begin(r, &loc);
		emit_diag(r, &loc, LKA_FAILED, LKA_E_CORRUPT, NULL,
			  "no byte count line at the start of the emlx file");
		goto out;
	}
	avail = n - off;
	extra[0] = '\0';
	if (count > avail) {
		snprintf(extra, sizeof extra,
			 "emlx byte count %llu is larger than the %llu bytes that follow: "
			 "message truncated",
			 (unsigned long long)count, (unsigned long long)avail);
		count = avail;
	}
	loc.offset = (int64_t)off;
	loc.length = (int64_t)count;
	if (count > max) {
		item_too_big(r, &loc, count);
	} else if (count == 0) {
		begin(r, &loc);
		emit_diag(r, &loc, LKA_FAILED, LKA_E_CORRUPT, NULL,
			  "emlx holds an empty message%s%s", extra[0] ? "; " : "", extra);
	} else {
		parse_item(r, &loc, data + off, (size_t)count, data + off, (size_t)count, false,
			   extra[0] ? extra : NULL);
	}
out:
	free(data);
}

static bool
all_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/*
 * One mapped window of an mbox.  Files are mapped MBOX_WINDOW bytes at a
 * time (a reader's address space is limited, and an mbox can be far larger):
 * a window always starts at a message's From_ line, so the splitter sees it
 * as the start of a file.
 */
typedef struct mbox_window {
	void *map;         /* mapping, or MAP_FAILED */
	char *heap;        /* or a copy read into memory when mapping fails */
	size_t map_len;
	const char *data;  /* first byte of the window (file offset base) */
	size_t n;
	uint64_t base;
} mbox_window;

static void
window_drop(mbox_window *w)
{
	if (w->map != MAP_FAILED)
		munmap(w->map, w->map_len);
	free(w->heap);
	w->map = MAP_FAILED;
	w->heap = NULL;
	w->data = NULL;
	w->n = 0;
}

/* Map [base, base + len) of the file; 0 or an errno value. */
static int
window_map(mbox_window *w, int fd, uint64_t base, size_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t aligned = base - base % page;
	size_t delta = (size_t)(base - aligned);
	ssize_t got;

	window_drop(w);
	w->base = base;
	w->map_len = len + delta;
	w->map = mmap(NULL, w->map_len, PROT_READ, MAP_PRIVATE, fd, (off_t)aligned);
	if (w->map != MAP_FAILED) {
		(void)madvise(w->map, w->map_len, MADV_SEQUENTIAL);
		w->data = (const char *)w->map + delta;
		w->n = len;
		return 0;
	}
	w->heap = malloc(len ? len : 1);
	if (!w->heap)
		return ENOMEM;
	got = pread(fd, w->heap, len, (off_t)base);
	if (got < 0) {
		int e = errno;
		free(w->heap);
		w->heap = NULL;
		return e;
	}
	w->data = w->heap;
	w->n = (size_t)got;
	return 0;
}

/*
 * One message of an mbox (base: the bytes mm's offsets count from): an
 * empty one is recorded as such, the rest unquoted (">From ") and parsed
 * into folder (0: the task's).  Out of memory stops the run.
 */
static void
mbox_item(run *r, const lka_itemloc *loc, int64_t folder, const char *base,
	  const lka_mbox_msg *mm, const char *extra)
{
	char *msg;
	size_t msg_n;

	if (mm->body_length == 0) {
		begin(r, loc);
		emit_diag(r, loc, LKA_WARN, LKA_E_CORRUPT, NULL,
			  "empty message: a From_ line with nothing after it");
		return;
	}
	msg = lka_mbox_unquote(base + mm->body_offset, mm->body_length, &msg_n);
	if (!msg) {
		begin(r, loc);
		emit_diag(r, loc, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
		r->stop = true;
		return;
	}
	parse_item_in(r, loc, folder, base + mm->offset, mm->length, msg, msg_n, NULL, extra);
	free(msg);
}

static void
read_mbox(run *r, int fd, uint64_t size)
{
	mbox_window w = { MAP_FAILED, NULL, 0, NULL, 0, 0 };
	uint64_t start = 0, index = 0;
	size_t window = r->rc->mbox_window, want = window;
	size_t cap = (size_t)(r->rc->limits.message_bytes + window);
	bool any = false;

	if (size == 0)
		return; /* an empty mbox holds no messages */
	while (!r->stop && start < size) {
		lka_mbox mb;
		lka_mbox_msg mm;
		size_t len = size - start < want ? (size_t)(size - start) : want;
		bool last = start + len >= size, restart = false;
		int e = window_map(&w, fd, start, len);

		if (e) {
			emit_diag(r, NULL, LKA_FATAL, e == ENOMEM ? LKA_E_NOMEM : LKA_E_IO,
				  NULL, "cannot map or read the mbox at offset %llu: %s",
				  (unsigned long long)start, strerror(e));
			break;
		}
		lka_mbox_init(&mb, w.data, w.n);
		mb.index = index;
		while (!r->stop && lka_mbox_next(&mb, &mm)) {
			uint64_t ordinal = mb.index - 1;
			lka_itemloc loc = { ordinal, (int64_t)(w.base + mm.offset),
					    (int64_t)mm.length };

			if (!last && mm.offset + mm.length >= w.n &&
			    (mm.offset > 0 || want < cap)) {
				/* May go on past the window: map again from its start,
				 * bigger if it filled a whole window.  (A message larger
				 * than the largest window is read as far as it goes.) */
				if (mm.offset == 0)
					want = want > cap / 2 ? cap : want * 2;
				start = w.base + mm.offset;
				index = ordinal;
				restart = true;
				break;
			}
			if (!any && w.base == 0 && mm.offset > 0 && r->task->skip == 0 &&
			    !all_space(w.data, mm.offset))
				emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, "offset 0",
					  "%zu bytes before the first From_ line are not a message",
					  mm.offset);
			any = true;
			if (ordinal < r->task->skip)
				continue;
			if (mm.body_length > r->rc->limits.message_bytes) {
				item_too_big(r, &loc, mm.body_length);
				continue;
			}
			mbox_item(r, &loc, 0, w.data, &mm, NULL);
		}
		if (restart)
			continue;
		if (!any && w.base == 0)
			break; /* no From_ line in the first window: not an mbox we can split */
		/* Everything up to the window's end was read. */
		index = mb.index;
		start = w.base + w.n;
		want = window;
	}
	if (!any && r->task->skip == 0 && !r->stop)
		emit_diag(r, NULL, LKA_FAILED, LKA_E_CORRUPT, NULL,
			  "no From_ line found: no message in this mbox");
	window_drop(&w);
}

/* ------------------------------------------------------ address books */

static bool
book_begin(void *arg, const lka_itemloc *loc)
{
	run *r = arg;

	if (loc->ordinal < r->task->skip)
		return !r->stop;
	begin(r, loc);
	return !r->stop;
}

static bool
book_emit(void *arg, const lka_itemloc *loc, lka_contact *c)
{
	run *r = arg;

	if (loc->ordinal < r->task->skip || r->stop) {
		lka_contact_free(c);
		return !r->stop;
	}
	/* the entry's bytes, known once parsed (the item is announced already) */
	if (r->book && loc->offset >= 0 && loc->length >= 0 && (uint64_t)loc->offset <= r->book_n &&
	    (uint64_t)loc->length <= r->book_n - (uint64_t)loc->offset)
		fault_hook(r->rc, r->book + loc->offset, (size_t)loc->length);
	if (c->diags.n)
		r->warned = true;
	sink_status(r, r->sink->ops->contact(r->sink, loc, 0, c));
	return !r->stop;
}

static bool
book_fail(void *arg, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *msg)
{
	run *r = arg;

	if (loc && loc->ordinal < r->task->skip)
		return !r->stop;
	if (!loc && r->task->skip > 0)
		return !r->stop; /* said on the first pass */
	emit_diag(r, loc, sev, kind, NULL, "%s", msg);
	return !r->stop;
}

/* A whole address book: vCard, LDIF or CSV. */
static void
read_book(run *r, int fd, uint64_t size)
{
	lka_book_cb cb = { r, book_begin, book_emit, book_fail };
	char *data = NULL;
	size_t n = 0;
	int e;

	if (size > r->rc->limits.message_bytes) {
		emit_diag(r, NULL, LKA_FATAL, LKA_E_LIMIT, NULL,
			  "address book of %llu bytes is over the limit of %llu bytes",
			  (unsigned long long)size, (unsigned long long)r->rc->limits.message_bytes);
		return;
	}
	e = read_all(fd, size, r->rc->limits.message_bytes, &data, &n);
	if (e) {
		read_failed(r, NULL, e);
		return;
	}
	r->book = data;
	r->book_n = n;
	switch (r->task->format) {
	case LKA_FMT_VCARD:
		lka_vcard_read(data, n, &cb);
		break;
	case LKA_FMT_LDIF:
		lka_ldif_read(data, n, &cb);
		break;
	default:
		lka_csvbook_read(data, n, &cb);
		break;
	}
	r->book = NULL;
	free(data);
}

/* ------------------------------------------------------------ archives */

#define ARC_PEEK ((size_t)65536) /* bytes of a member looked at before deciding */

/*
 * An archive given as a source, read as a stream: members are dispatched by
 * content to the readers above (mail and address books), in memory;
 * directories become folders.
 * Members that need random access (a PST) get a private temporary copy
 * under a name we chose, removed at once.  Ordinals count the items found,
 * in archive order (stable across runs of the same file).
 */
typedef struct arc_run {
	run *r;
	lka_limits lim;      /* the reader's, without the per-attachment caps */
	lka_arc_budget bud;
	uint64_t item;       /* next ordinal */
	uint64_t nonmail;    /* regular members that are not mail */
	char nonmail_names[3][96];
	char **fpath;        /* folders emitted: paths and reader ids */
	int64_t *fid;
	size_t nf, capf;
	char *tmpdir;        /* private temporary area, made on first use */
	unsigned spills;     /* members read through the temporary area */
} arc_run;

static int64_t
arc_folder(arc_run *ar, const char *path, size_t len, const char *cls)
{
	run *r = ar->r;
	lka_folder f = { 0 };
	size_t slash = len;
	int64_t parent = 0;

	if (len == 0)
		return 0;
	for (size_t i = 0; i < ar->nf; i++)
		if (strlen(ar->fpath[i]) == len && !memcmp(ar->fpath[i], path, len))
			return ar->fid[i];
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	if (slash > 1)
		parent = arc_folder(ar, path, slash - 1, NULL);
	if (ar->nf == ar->capf) {
		size_t c = ar->capf ? ar->capf * 2 : 16;
		char **p = realloc(ar->fpath, c * sizeof *p);
		int64_t *q;

		if (!p)
			return 0;
		ar->fpath = p;
		q = realloc(ar->fid, c * sizeof *q);
		if (!q)
			return 0;
		ar->fid = q;
		ar->capf = c;
	}
	f.path = lka__strndup(path, len);
	if (!f.path)
		return 0;
	f.id = (int64_t)ar->nf + 1;
	f.parent_id = parent;
	f.name = f.path + slash;
	f.folder_class = (char *)(cls ? cls : "folder");
	ar->fpath[ar->nf] = f.path;
	ar->fid[ar->nf] = f.id;
	ar->nf++;
	if (!r->stop)
		sink_status(r, r->sink->ops->folder(r->sink, &f));
	return f.id;
}

/* "a//b/./c/" -> "a/b/c" (names are data: ".." stays a name, a leading "/" goes). */
static char *
clean_path(const char *prefix, const char *p)
{
	lka_buf b;

	lka_buf_init(&b, 0);
	lka_buf_adds(&b, prefix);
	while (*p) {
		size_t len = strcspn(p, "/\\");

		if (len && !(len == 1 && p[0] == '.')) {
			if (b.len)
				lka_buf_addc(&b, '/');
			lka_buf_add(&b, p, len);
		}
		p += len;
		if (*p)
			p++;
	}
	if (b.oom) {
		lka_buf_free(&b);
		return NULL;
	}
	if (!b.len)
		lka_buf_adds(&b, "");
	return lka_buf_steal(&b, NULL);
}

static void arc_walk(arc_run *ar, lka_arc *arc, const char *prefix, unsigned depth);

/*
 * The sink a member copied to the private temporary area is read into: its
 * items get ordinals from base on (a range of 2^32 reserved for it, so that
 * the members after it keep their ordinals however many items it holds),
 * its folders hang below the member's folder.
 */
#define SUB_ORDINALS ((uint64_t)1 << 32)
#define SUB_FOLDER_IDS ((int64_t)1 << 40)

typedef struct sub_sink {
	lka_sink base;
	run *outer;
	uint64_t ord_base;
	int64_t id_base; /* added to the sub-reader's folder ids */
	int64_t parent;  /* the member's folder (reader id of the outer run) */
} sub_sink;

static lka_status
sub_status(sub_sink *ss, lka_status st)
{
	if (st == LKA_FATAL)
		ss->outer->stop = true;
	return st;
}

static lka_itemloc
sub_loc(const sub_sink *ss, const lka_itemloc *loc)
{
	lka_itemloc l = *loc;

	l.ordinal += ss->ord_base;
	return l;
}

static int64_t
sub_folder_id(const sub_sink *ss, int64_t id)
{
	return id ? id + ss->id_base : ss->parent;
}

static lka_status
sub_item_begin(lka_sink *s, const lka_itemloc *loc)
{
	sub_sink *ss = (sub_sink *)s;
	lka_itemloc l = sub_loc(ss, loc);

	return sub_status(ss, ss->outer->sink->ops->item_begin(ss->outer->sink, &l));
}

static lka_status
sub_folder(lka_sink *s, const lka_folder *f)
{
	sub_sink *ss = (sub_sink *)s;
	lka_folder g = *f;

	g.id = f->id + ss->id_base;
	g.parent_id = sub_folder_id(ss, f->parent_id);
	return sub_status(ss, ss->outer->sink->ops->folder(ss->outer->sink, &g));
}

static lka_status
sub_message(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	sub_sink *ss = (sub_sink *)s;
	lka_itemloc l = sub_loc(ss, loc);

	return sub_status(ss, ss->outer->sink->ops->message(ss->outer->sink, &l,
							   sub_folder_id(ss, folder_id), m));
}

static lka_status
sub_contact(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *c)
{
	sub_sink *ss = (sub_sink *)s;
	lka_itemloc l = sub_loc(ss, loc);

	/* folder_id < 0 names an attachment of the message at l, not a folder */
	return sub_status(ss, ss->outer->sink->ops->contact(
				      ss->outer->sink, &l,
				      folder_id < 0 ? folder_id : sub_folder_id(ss, folder_id), c));
}

static lka_status
sub_diag(lka_sink *s, const lka_itemloc *loc, const lka_diag *d)
{
	sub_sink *ss = (sub_sink *)s;
	lka_itemloc l;

	if (loc)
		l = sub_loc(ss, loc);
	ss->outer->warned = true;
	return sub_status(ss, ss->outer->sink->ops->diag(ss->outer->sink, loc ? &l : NULL, d));
}

static const lka_sink_ops sub_ops = { sub_item_begin, sub_folder, sub_message, sub_contact,
				      sub_diag };

/* A member with a signature that needs random access: copy it, read the copy, remove it. */
static void
arc_spill(arc_run *ar, lka_arc *arc, lka_arc_entry *e, const char *path, const char *what,
	  lka_format fmt, int64_t folder)
{
	run *r = ar->r;
	uint64_t ord_base = ar->item;
	char file[4096];
	int fd;

	ar->item += SUB_ORDINALS; /* reserved whatever happens below */
	if (r->task->skip >= ar->item)
		return; /* read in full by an earlier run */
	if (!ar->tmpdir) {
		const char *t = getenv("TMPDIR");
		char tmpl[4096];

		snprintf(tmpl, sizeof tmpl, "%s/lka-reader-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmpl)) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_IO, path,
				  "member %s (%s): no private temporary area: %s", path, what,
				  strerror(errno));
			return;
		}
		ar->tmpdir = lka__strdup(tmpl);
		if (!ar->tmpdir) {
			rmdir(tmpl);
			return;
		}
	}
	snprintf(file, sizeof file, "%s/member", ar->tmpdir);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		emit_diag(r, NULL, LKA_WARN, LKA_E_IO, path, "member %s (%s): cannot copy: %s",
			  path, what, strerror(errno));
		return;
	}
	{
		lka_limits lim = ar->lim;
		bool ok = lka__write_all(fd, e->data, e->len);

		/* the copy is bounded: archive_tmp_bytes */
		lim.archive_bytes = ar->bud.out_bytes - e->size + r->rc->limits.archive_tmp_bytes;
		if (ok)
			lka_arc_finish(arc, e, &ar->bud, &lim, fd);
		if (ar->bud.spent && e->size > r->rc->limits.archive_tmp_bytes) {
			ar->bud.spent = false;
			emit_diag(r, NULL, LKA_WARN, LKA_E_LIMIT, path,
				  "member %s (%s) is larger than %llu bytes: not copied, not read",
				  path, what, (unsigned long long)r->rc->limits.archive_tmp_bytes);
		} else if (!ok || e->damaged) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path,
				  "member %s (%s) could not be copied whole: %s", path, what,
				  e->error[0] ? e->error : strerror(errno));
		} else {
			/* Dispatch by format, as for a file of its own: its items
			 * take a range of ordinals of their own */
			sub_sink ss = { { &sub_ops }, r, ord_base,
					SUB_FOLDER_IDS * (int64_t)(ar->spills + 1), folder };
			lka_task sub = { file, path, fmt, 0 };

			if (r->task->skip > ss.ord_base)
				sub.skip = r->task->skip - ss.ord_base;
			ar->spills++;
			if (fmt == LKA_FMT_UNKNOWN || fmt == LKA_FMT_ARCHIVE)
				emit_diag(r, NULL, LKA_WARN, LKA_E_UNSUPPORTED, path,
					  "member %s is %s: no reader for it in this build", path,
					  what);
			else if (!r->stop)
				(void)lka_read_task(r->rc, &sub, &ss.base);
		}
	}
	close(fd);
	unlink(file);
}

static void
arc_mbox(arc_run *ar, const lka_arc_entry *e, int64_t folder)
{
	run *r = ar->r;
	lka_mbox mb;
	lka_mbox_msg mm;

	lka_mbox_init(&mb, (const char *)e->data, e->len);
	while (!r->stop && lka_mbox_next(&mb, &mm)) {
		lka_itemloc loc = { ar->item++, (int64_t)mm.offset, (int64_t)mm.length };

		if (loc.ordinal < r->task->skip)
			continue;
		mbox_item(r, &loc, folder, (const char *)e->data, &mm,
			  e->damaged ? "the mbox member is damaged in the archive" : NULL);
	}
}

/*
 * An address book member: its entries are items of the archive, entry k of
 * the book taking ordinal base + k (the book readers number entries from 0
 * in file order, so a second run gives them the same ordinals).
 */
typedef struct arc_book {
	arc_run *ar;
	const lka_arc_entry *e;
	const char *path;
	int64_t folder;
	uint64_t base;
	uint64_t top; /* one past the highest ordinal seen */
} arc_book;

static lka_itemloc
ab_loc(arc_book *b, const lka_itemloc *loc)
{
	lka_itemloc l = { b->base + loc->ordinal, loc->offset, loc->length };

	if (l.ordinal + 1 > b->top)
		b->top = l.ordinal + 1;
	return l;
}

static bool
ab_begin(void *arg, const lka_itemloc *loc)
{
	arc_book *b = arg;
	run *r = b->ar->r;
	lka_itemloc l = ab_loc(b, loc);

	if (l.ordinal >= r->task->skip)
		begin(r, &l);
	return !r->stop;
}

static bool
ab_emit(void *arg, const lka_itemloc *loc, lka_contact *c)
{
	arc_book *b = arg;
	run *r = b->ar->r;
	lka_itemloc l = ab_loc(b, loc);

	if (l.ordinal < r->task->skip || r->stop) {
		lka_contact_free(c);
		return !r->stop;
	}
	if (loc->offset >= 0 && loc->length >= 0 && (uint64_t)loc->offset <= b->e->len &&
	    (uint64_t)loc->length <= b->e->len - (uint64_t)loc->offset)
		fault_hook(r->rc, (const char *)b->e->data + loc->offset, (size_t)loc->length);
	if (c->diags.n)
		r->warned = true;
	sink_status(r, r->sink->ops->contact(r->sink, &l, b->folder, c));
	return !r->stop;
}

static bool
ab_fail(void *arg, const lka_itemloc *loc, lka_status sev, lka_errkind kind, const char *msg)
{
	arc_book *b = arg;
	run *r = b->ar->r;

	if (!loc) {
		/* the member itself: said once, on the run that reaches it */
		if (r->task->skip <= b->base)
			emit_diag(r, NULL, LKA_WARN, kind, b->path, "address book %s: %s", b->path,
				  msg);
	} else {
		lka_itemloc l = ab_loc(b, loc);

		if (l.ordinal >= r->task->skip)
			emit_diag(r, &l, sev == LKA_FATAL ? LKA_FAILED : sev, kind, b->path, "%s",
				  msg);
	}
	return !r->stop;
}

static void
arc_book_read(arc_run *ar, const lka_arc_entry *e, lka_format fmt, const char *path,
	      int64_t folder)
{
	run *r = ar->r;
	arc_book b = { ar, e, path, folder, ar->item, ar->item };
	lka_book_cb cb = { &b, ab_begin, ab_emit, ab_fail };

	if (e->truncated) {
		lka_itemloc loc = { ar->item++, -1, (int64_t)e->size };

		if (loc.ordinal >= r->task->skip) {
			begin(r, &loc);
			emit_diag(r, &loc, LKA_FAILED, LKA_E_LIMIT, path,
				  "address book %s of %llu bytes is over the limit of %llu bytes",
				  path, (unsigned long long)e->size,
				  (unsigned long long)r->rc->limits.message_bytes);
		}
		return;
	}
	if (fmt == LKA_FMT_VCARD)
		lka_vcard_read((const char *)e->data, e->len, &cb);
	else if (fmt == LKA_FMT_LDIF)
		lka_ldif_read((const char *)e->data, e->len, &cb);
	else
		lka_csvbook_read((const char *)e->data, e->len, &cb);
	ar->item = b.top;
}

static void
arc_member(arc_run *ar, lka_arc *arc, lka_arc_entry *e, const char *prefix, unsigned depth)
{
	run *r = ar->r;
	char *path = clean_path(prefix, e->path);
	const char *base, *dir_end;
	size_t dlen, hn = e->len < ARC_PEEK ? e->len : ARC_PEEK;
	lka_format fmt;
	int64_t folder;
	const char *flags_name = NULL;

	if (!path) {
		emit_diag(r, NULL, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
		r->stop = true;
		return;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dir_end = base > path ? base - 1 : path;
	dlen = (size_t)(dir_end - path);
	if (e->name_flags && (strstr(e->name_flags, "absolute") || strstr(e->name_flags, "dotdot")))
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path,
			  "member name %s escapes the archive (%s): recorded, never followed",
			  e->path, e->name_flags);
	if (e->len >= 4 && !memcmp(e->data, "!BDN", 4)) {
		/* a PST/OST needs random access: read from a private copy.  Its
		 * folder tree hangs below a folder of its own, named after the
		 * member, as for a PST in a folder source (scan.c) */
		arc_spill(ar, arc, e, path, "an Outlook PST/OST",
			  lka_detect_format(e->data, e->len < ARC_PEEK ? e->len : ARC_PEEK, base),
			  arc_folder(ar, path, strlen(path), "pst"));
		goto out;
	}
	if (!e->at_end)
		lka_arc_finish(arc, e, &ar->bud, &ar->lim, -1);
	hn = e->len < ARC_PEEK ? e->len : ARC_PEEK;
	fmt = lka_detect_format(e->data, hn, base);
	if (fmt == LKA_FMT_MBOX) {
		/* a file named .eml is one message, even after a From_ line */
		size_t bl = strlen(base);

		if (bl > 4 && !strcasecmp(base + bl - 4, ".eml"))
			fmt = LKA_FMT_EML;
	}
	if (fmt == LKA_FMT_ARCHIVE) {
		lka_arc *inner = NULL;
		char why[256], *pfx;

		if (depth + 1 >= r->rc->limits.archive_depth) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_LIMIT, path,
				  "archive %s nested deeper than %u levels: not opened", path,
				  r->rc->limits.archive_depth);
		} else if (e->truncated) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_LIMIT, path,
				  "archive %s is over the limit of %llu bytes: not opened", path,
				  (unsigned long long)r->rc->limits.message_bytes);
		} else if (lka_arc_open(&inner, -1, e->data, e->len, r->rc->utf8, NULL,
					r->rc->limits.message_bytes, why, sizeof why) != LKA_OK) {
			emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, path, "archive %s: %s", path,
				  why);
		} else if ((pfx = lka__strdup(path))) {
			arc_walk(ar, inner, pfx, depth + 1);
			free(pfx);
		}
		lka_arc_free(inner);
		goto out;
	}
	if (fmt == LKA_FMT_TNEF || fmt == LKA_FMT_MSG) {
		/* a winmail.dat or an Outlook .msg: one message, read in memory */
		lka_itemloc loc = { ar->item++, -1, (int64_t)e->len };
		int64_t fid = arc_folder(ar, path, dlen, NULL);
		lka_error er = { 0 };
		lka_msg *m = NULL;
		lka_status st;

		if (loc.ordinal < r->task->skip)
			goto out;
		begin(r, &loc);
		if (r->stop)
			goto out;
		if (e->truncated) {
			emit_diag(r, &loc, LKA_FAILED, LKA_E_LIMIT, path,
				  "member %s of %llu bytes is over the limit of %llu bytes", path,
				  (unsigned long long)e->size,
				  (unsigned long long)r->rc->limits.message_bytes);
			goto out;
		}
		fault_hook(r->rc, (const char *)e->data, e->len);
		st = fmt == LKA_FMT_MSG
			     ? lka_mime_olemsg(&m, r->rc->mime, (const char *)e->data, e->len, &er)
			     : lka_mime_tnef(&m, r->rc->mime, (const char *)e->data, e->len, &er);
		if ((st != LKA_OK && st != LKA_WARN) || !m) {
			emit_diag(r, &loc, LKA_FAILED, er.kind != LKA_E_NONE ? er.kind : LKA_E_CORRUPT,
				  path, "member %s: %s", path,
				  er.msg[0] ? er.msg : "could not be read");
			goto out;
		}
		emit_outlook(r, &loc, fid, fmt == LKA_FMT_MSG, (const char *)e->data, e->len, st, m);
		goto out;
	}
	if (e->encrypted && e->size == 0) {
		emit_diag(r, NULL, LKA_WARN, LKA_E_UNSUPPORTED, path,
			  "member %s is encrypted: not read (no password)", path);
		goto out;
	}
	if (fmt == LKA_FMT_VCARD || fmt == LKA_FMT_LDIF || fmt == LKA_FMT_CSVBOOK) {
		/* an address book: its entries are contacts in a folder of its own,
		 * named after the member (as an mbox member), so that two books of
		 * one archive folder stay two books */
		arc_book_read(ar, e, fmt, path, arc_folder(ar, path, strlen(path), "address-book"));
		goto out;
	}
	if (fmt != LKA_FMT_EML && fmt != LKA_FMT_EMLX && fmt != LKA_FMT_MBOX) {
		if (ar->nonmail < 3)
			snprintf(ar->nonmail_names[ar->nonmail], sizeof ar->nonmail_names[0], "%s",
				 path);
		ar->nonmail++;
		goto out;
	}
	/* maildir layout: FOLDER/cur/NAME, FOLDER/new/NAME; tmp/ is not delivered mail */
	{
		const char *d = dir_end;

		while (d > path && d[-1] != '/')
			d--;
		if (dlen && (size_t)(dir_end - d) == 3 &&
		    (!memcmp(d, "cur", 3) || !memcmp(d, "new", 3) || !memcmp(d, "tmp", 3))) {
			if (!memcmp(d, "tmp", 3))
				goto out;
			folder = arc_folder(ar, path, d > path ? (size_t)(d - 1 - path) : 0,
					    "maildir");
			flags_name = base;
		} else if (fmt == LKA_FMT_MBOX) {
			folder = arc_folder(ar, path, strlen(path), "mbox");
		} else {
			folder = arc_folder(ar, path, dlen, NULL);
		}
	}
	if (e->truncated) {
		lka_itemloc loc = { ar->item++, -1, (int64_t)e->size };

		if (loc.ordinal >= r->task->skip) {
			begin(r, &loc);
			emit_diag(r, &loc, LKA_FAILED, LKA_E_LIMIT, path,
				  "member %s of %llu bytes is over the limit of %llu bytes", path,
				  (unsigned long long)e->size,
				  (unsigned long long)r->rc->limits.message_bytes);
		}
		goto out;
	}
	if (fmt == LKA_FMT_MBOX) {
		arc_mbox(ar, e, folder);
	} else {
		lka_itemloc loc = { ar->item++, -1, (int64_t)e->len };
		const char *m = (const char *)e->data;
		size_t n = e->len, skip = 0;
		uint64_t count = 0;

		if (loc.ordinal < r->task->skip)
			goto out;
		if (fmt == LKA_FMT_EMLX) {
			skip = emlx_count(m, n, &count);
			if (skip && count < n - skip)
				n = skip + (size_t)count;
		} else {
			skip = eml_prefix(m, n);
		}
		if (n - skip == 0) {
			begin(r, &loc);
			emit_diag(r, &loc, LKA_FAILED, LKA_E_CORRUPT, path, "empty member: no message");
		} else {
			char extra[400];

			snprintf(extra, sizeof extra, "member %s is damaged in the archive: %s", path,
				 e->error);
			parse_item_in(r, &loc, folder, m, n, m + skip, n - skip, flags_name,
				      e->damaged ? extra : NULL);
		}
	}
out:
	free(path);
}

static void
arc_walk(arc_run *ar, lka_arc *arc, const char *prefix, unsigned depth)
{
	run *r = ar->r;
	lka_arc_entry e;
	int rc = 0;

	while (!r->stop && (rc = lka_arc_peek(arc, &e, &ar->bud, &ar->lim, ARC_PEEK)) > 0) {
		if (e.regular)
			arc_member(ar, arc, &e, prefix, depth);
		lka_arc_entry_clear(&e);
	}
	if (r->stop)
		return;
	if (rc < 0)
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, prefix[0] ? prefix : NULL, "archive: %s",
			  lka_arc_error(arc));
	else if (ar->bud.spent && lka_arc_error(arc)[0])
		emit_diag(r, NULL, LKA_WARN, LKA_E_LIMIT, prefix[0] ? prefix : NULL, "archive: %s",
			  lka_arc_error(arc));
	if (lka_arc_restreamed(arc))
		emit_diag(r, NULL, LKA_WARN, LKA_E_CORRUPT, prefix[0] ? prefix : NULL,
			  "the zip's central directory lists no member: read again member by member");
}

static void
read_archive(run *r, int fd, uint64_t size)
{
	arc_run ar = { .r = r };
	lka_arc *arc = NULL;
	char why[256];

	ar.lim = r->rc->limits;
	/* a source may hold any number of files of any total size: only the
	 * ratio (bombs) and the depth bound it */
	ar.lim.archive_bytes = UINT64_MAX;
	ar.lim.archive_members = UINT32_MAX;
	ar.bud.in_bytes = size;
	if (lka_arc_open(&arc, fd, NULL, 0, r->rc->utf8, NULL, r->rc->limits.message_bytes, why,
			 sizeof why) != LKA_OK) {
		emit_diag(r, NULL, LKA_FATAL, LKA_E_CORRUPT, NULL, "%s", why);
		r->stop = true;
		return;
	}
	arc_walk(&ar, arc, "", 0);
	lka_arc_free(arc);
	if (!r->stop && ar.item == 0 && r->task->skip == 0)
		emit_diag(r, NULL, LKA_WARN, LKA_E_UNSUPPORTED, NULL,
			  "no mail in this archive: %llu member(s) are not messages%s%s%s%s%s%s",
			  (unsigned long long)ar.nonmail, ar.nonmail ? " (" : "",
			  ar.nonmail_names[0], ar.nonmail > 1 ? ", " : "", ar.nonmail_names[1],
			  ar.nonmail > 2 ? ", ..." : "", ar.nonmail ? ")" : "");
	for (size_t i = 0; i < ar.nf; i++)
		free(ar.fpath[i]);
	free(ar.fpath);
	free(ar.fid);
	if (ar.tmpdir) {
		rmdir(ar.tmpdir);
		free(ar.tmpdir);
	}
}

lka_status
lka_read_task(lka_rctx *rc, const lka_task *task, lka_sink *sink)
{
	run r = { .rc = rc, .task = task, .sink = sink };
	struct stat st;
	int fd;

	fd = open(task->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_IO, NULL, "cannot open: %s", strerror(errno));
		return LKA_FATAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_IO, NULL, "not a readable regular file");
		close(fd);
		return LKA_FATAL;
	}
	switch (task->format) {
	case LKA_FMT_EML:
		read_eml(&r, fd, (uint64_t)st.st_size);
		break;
	case LKA_FMT_EMLX:
		read_emlx(&r, fd, (uint64_t)st.st_size);
		break;
	case LKA_FMT_MBOX:
		read_mbox(&r, fd, (uint64_t)st.st_size);
		break;
	case LKA_FMT_VCARD:
	case LKA_FMT_LDIF:
	case LKA_FMT_CSVBOOK:
		read_book(&r, fd, (uint64_t)st.st_size);
		break;
	case LKA_FMT_PST: {
		lka_pst_opts po = { rc->mime, &rc->limits, rc->store_content, true, true, rc,
				     rc->pst_host };
		lka_status ps;
		close(fd);
		ps = lka__read_pst(&po, task, sink);
		return ps;
	}
	case LKA_FMT_ARCHIVE:
		read_archive(&r, fd, (uint64_t)st.st_size);
		break;
	case LKA_FMT_TNEF:
	case LKA_FMT_MSG:
		read_tnef(&r, fd, (uint64_t)st.st_size);
		break;
	default:
		emit_diag(&r, NULL, LKA_FATAL, LKA_E_UNSUPPORTED, NULL, "no reader for format %s",
			  lka_format_name(task->format));
		close(fd);
		return LKA_FATAL;
	}
	close(fd);
	if (r.stop)
		return LKA_FATAL;
	return r.warned ? LKA_WARN : LKA_OK;
}
