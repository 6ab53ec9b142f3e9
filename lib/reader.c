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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
	char msg[512], where[512];
	lka_diag d;
	va_list ap;

	if (r->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (location)
		snprintf(where, sizeof where, "%s", location);
	d.severity = sev;
	d.kind = kind;
	d.location = location ? where : NULL;
	d.message = msg;
	r->warned = true;
	sink_status(r, r->sink->ops->diag(r->sink, loc, &d));
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

/*
 * Parse one message and emit it.  raw: the item's bytes as stored (what the
 * fault hook looks at); msg: what is parsed.  extra (may be NULL): a
 * diagnostic to attach to the message (damage the container showed).
 */
static void
parse_item(run *r, const lka_itemloc *loc, const char *raw, size_t raw_n, const char *msg,
	   size_t msg_n, bool maildir_name, const char *extra)
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
	if (maildir_name && !m->maildir_flags)
		m->maildir_flags = lka_maildir_flags(r->task->path);
	if (extra && !lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, NULL, "%s", extra)) {
		lka_msg_free(m);
		emit_diag(r, loc, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
		return;
	}
	if (m->diags.n)
		r->warned = true;
	sink_status(r, r->sink->ops->message(r->sink, loc, 0, m));
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

static void
read_eml(run *r, int fd, uint64_t size)
{
	lka_itemloc loc = { 0, 0, (int64_t)size };
	char *data = NULL;
	size_t n = 0, skip;
	int e;

	if (r->task->skip > 0)
		return;
	if (size > r->rc->limits.message_bytes) {
		item_too_big(r, &loc, size);
		return;
	}
	e = read_all(fd, size, r->rc->limits.message_bytes, &data, &n);
	if (e) {
		begin(r, &loc);
		read_failed(r, &loc, e);
		return;
	}
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
			char *msg;
			size_t msg_n;

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
			if (mm.body_length == 0) {
				begin(r, &loc);
				emit_diag(r, &loc, LKA_WARN, LKA_E_CORRUPT, NULL,
					  "empty message: a From_ line with nothing after it");
				continue;
			}
			msg = lka_mbox_unquote(w.data + mm.body_offset, mm.body_length, &msg_n);
			if (!msg) {
				begin(r, &loc);
				emit_diag(r, &loc, LKA_FATAL, LKA_E_NOMEM, NULL, "out of memory");
				r->stop = true;
				break;
			}
			parse_item(r, &loc, w.data + mm.offset, mm.length, msg, msg_n, false, NULL);
			free(msg);
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
	case LKA_FMT_PST: {
		lka_pst_opts po = { rc->mime, &rc->limits, rc->store_content, true, true, rc };
		lka_status ps;
		close(fd);
		ps = lka__read_pst(&po, task, sink);
		return ps;
	}
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
