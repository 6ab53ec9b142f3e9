/*
 * ingest.c — the ingest pipeline: scan and hash every source, record it,
 * then read its files in reader processes and write what they send into the
 * case, one writer.
 *
 * Crash isolation.  Readers parse hostile evidence, and the libraries they use
 * can crash, hang, exhaust memory or call exit().  So each reader runs in a
 * child process (fork, no exec) that receives tasks ("read this file, from
 * item k on") over a socket and sends back frames (wire.h).  Before parsing an
 * item a reader announces it (ITEM_BEGIN).  When a reader dies, hangs past
 * the per-item time limit (it is then killed) or breaks the protocol, the
 * item it had announced is the poisoned one: it is recorded as an error, the
 * reader is replaced, and the rest of the file is read again from the next
 * item.  Everything received before is kept.
 *
 * Transactions.  Items are written in batches, each batch one transaction
 * that also records how far each file got (source_files.items_done).  Killing
 * the process at any moment leaves the last committed batch; a new run finds
 * the source "running", checks that the evidence has not changed, and goes on
 * from items_done.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "casedb.h"
#include "wire.h"

#define TASKS_IN_FLIGHT 4      /* tasks queued at one reader ... */
#define QUEUED_BYTES (16u << 20) /* ... beyond the first, while they hold this little */
#define BATCH_MESSAGES 2000    /* commit after this many items ... */
#define BATCH_BYTES (64u << 20) /* ... or this many bytes ... */
#define BATCH_SECONDS 2.0      /* ... or this long */
#define PROGRESS_SECONDS 0.25
#define RECV_CHUNK (256u << 10)

#define FEED_PAGE 256          /* files fetched from the case at once ... */
#define FEED_LOW 64            /* ... when fewer than this wait for a reader */

/*
 * A source.  Its files live in the case (source_files), not here: ingest
 * pages through the pending ones, so memory does not grow with the number of
 * files (a maildir of a million messages is a million files).
 */
typedef struct src {
	char *given;        /* path as the user gave it */
	char *display;      /* how messages name it */
	char *root;         /* absolute path, from the scan */
	bool is_dir;
	bool recorded;      /* in the case, files queued from it */
	bool skipped;       /* already complete, named twice, or refused */
	bool finished;
	bool missing;       /* not found when added: recorded as an error at run time */
	bool exhausted;     /* every pending file has been queued */
	int64_t id;
	int64_t cursor;     /* last source_files.id queued */
	uint64_t files_left; /* files queued or to queue whose task has not ended */
} src;

/* One file to read, from when it is queued until its reader says it ended. */
typedef struct task {
	uint64_t id;         /* for the wire protocol */
	size_t src_idx;
	int64_t file_id;
	int64_t folder_id;
	char *relpath;
	lka_format format;
	uint64_t bytes;
	uint64_t items_done; /* top-level items done: the resume point */
	bool dirty;          /* items_done not yet written to the case */
	bool begun;          /* an item was announced and not finished */
	bool requeued;       /* put back at the front of the queue: handed out first */
	lka_itemloc cur;
	int64_t *fmap;       /* reader folder id -> case folder id, pairs */
	size_t n_fmap;
	struct task *prev, *next; /* every live task, to write progress at commit */
} task;

/* A file whose task ended in this batch: its final state, written at commit. */
typedef struct file_end {
	int64_t file_id;
	uint64_t items_done;
	bool failed;
} file_end;

typedef struct worker {
	pid_t pid;
	int fd;
	lka_buf in;
	task *queue[TASKS_IN_FLIGHT]; /* FIFO */
	size_t qn;
	double last_frame;
	bool closing;            /* told there is no more work */
	const char *kill_reason; /* set when we killed it */
} worker;

static const char no_progress[] = "was killed: no progress within the per-item time limit";

struct lka_ingest {
	lka_case *kase;
	lka_ingest_opts opts;
	lka_ingest_stats st;
	src *srcs;
	size_t n_srcs;
	task *live;      /* every task not yet ended */
	uint64_t next_task_id;
	task **pending;  /* tasks waiting for a reader: a deque */
	size_t pend_head, pend_len, pend_cap;
	size_t feed_src; /* next source to queue files from */
	file_end *ends;  /* ended in the open batch */
	size_t n_ends, ends_cap;
	worker *workers;
	size_t n_workers;
	int64_t run_id;
	bool in_tx;
	uint64_t batch_items;
	uint64_t batch_bytes;
	double batch_start;
	double t0, last_progress;
	lka_progress_fn progress;
	void *payload;
	lka_rctx *inproc; /* reader state when not isolating */
	char *path_buf;   /* task_path(): built on demand, not stored per task */
	char *disp_buf;
	size_t path_cap, disp_cap;
	bool db_dead;     /* the case could not be written: stop */
	lka_error dberr;
};

static void
event(lka_ingest *ing, lka_status level, const char *fmt, ...) LKA_PRINTF(3, 4);

static void
event(lka_ingest *ing, lka_status level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!ing->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	ing->st.seconds = lka__mono_seconds() - ing->t0;
	ing->progress(&ing->st, level, line, ing->payload);
}

static void
tick(lka_ingest *ing, bool force)
{
	double t = lka__mono_seconds();

	if (!ing->progress || (!force && t - ing->last_progress < PROGRESS_SECONDS))
		return;
	ing->last_progress = t;
	ing->st.seconds = t - ing->t0;
	ing->progress(&ing->st, LKA_OK, NULL, ing->payload);
}

void
lka_ingest_opts_default(lka_ingest_opts *out)
{
	memset(out, 0, sizeof *out);
	out->jobs = 0;
	out->store_content = 1;
	out->isolate = 1;
}

lka_status
lka_ingest_new(lka_ingest **out, lka_case *kase, const lka_ingest_opts *opts, lka_error *err)
{
	lka_ingest *ing;

	*out = NULL;
	if (!kase || kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, NULL,
				  "ingest needs a case opened for writing");
	ing = calloc(1, sizeof *ing);
	if (!ing)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	ing->kase = kase;
	if (opts)
		ing->opts = *opts;
	else
		lka_ingest_opts_default(&ing->opts);
	if (ing->opts.jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		ing->opts.jobs = n > 0 ? (unsigned)n : 1;
	}
	if (ing->opts.jobs > 64)
		ing->opts.jobs = 64;
	*out = ing;
	return LKA_OK;
}

lka_status
lka_ingest_add_source(lka_ingest *ing, const char *path, lka_error *err)
{
	src *v;
	char *given;
	int missing = access(path, F_OK) != 0 ? errno : 0;

	v = realloc(ing->srcs, (ing->n_srcs + 1) * sizeof *v);
	if (!v)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, path, "out of memory");
	ing->srcs = v;
	given = lka__strdup(path);
	if (!given)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, path, "out of memory");
	memset(&v[ing->n_srcs], 0, sizeof *v);
	v[ing->n_srcs].given = given;
	v[ing->n_srcs].display = given;
	v[ing->n_srcs].missing = missing != 0;
	ing->n_srcs++;
	ing->st.sources++;
	if (missing)
		return lka__error_sys(err, LKA_FAILED, missing, path, "cannot find evidence");
	return LKA_OK;
}

const lka_ingest_stats *
lka_ingest_get_stats(const lka_ingest *ing)
{
	return &ing->st;
}

static void
src_clear(src *s)
{
	free(s->given);
	free(s->root);
}

static void
task_free(task *t)
{
	if (!t)
		return;
	free(t->relpath);
	free(t->fmap);
	free(t);
}

/* Unlink a task from the live list and free it. */
static void
task_drop(lka_ingest *ing, task *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		ing->live = t->next;
	if (t->next)
		t->next->prev = t->prev;
	task_free(t);
}

static void
worker_close(worker *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->pid = -1;
	w->fd = -1;
	lka_buf_free(&w->in);
	w->qn = 0;
}

void
lka_ingest_free(lka_ingest *ing)
{
	if (!ing)
		return;
	for (size_t i = 0; i < ing->n_workers; i++)
		worker_close(&ing->workers[i]);
	free(ing->workers);
	for (size_t i = 0; i < ing->n_srcs; i++)
		src_clear(&ing->srcs[i]);
	free(ing->srcs);
	while (ing->live)
		task_drop(ing, ing->live);
	free(ing->path_buf);
	free(ing->disp_buf);
	free(ing->pending);
	free(ing->ends);
	lka_rctx_free(ing->inproc);
	free(ing);
}

/* ------------------------------------------------------------ batches */

static bool
db_fail(lka_ingest *ing, const lka_error *e)
{
	if (!ing->db_dead) {
		ing->db_dead = true;
		ing->dberr = *e;
	}
	return false;
}

static bool
ensure_tx(lka_ingest *ing)
{
	lka_error e = { 0 };

	if (ing->in_tx)
		return true;
	if (lka_case__begin(ing->kase, &e) != LKA_OK)
		return db_fail(ing, &e);
	ing->in_tx = true;
	ing->batch_items = 0;
	ing->batch_bytes = 0;
	ing->batch_start = lka__mono_seconds();
	return true;
}

static void finish_sources(lka_ingest *ing);

/* Write the per-file progress of this batch and commit it. */
static bool
commit(lka_ingest *ing)
{
	lka_error e = { 0 };

	if (!ing->in_tx)
		return true;
	for (size_t i = 0; i < ing->n_ends; i++)
		if (lka_case__file_progress(ing->kase, ing->ends[i].file_id, ing->ends[i].items_done,
					    ing->ends[i].failed ? "failed" : "done", &e) != LKA_OK)
			return db_fail(ing, &e);
	for (task *t = ing->live; t; t = t->next)
		if (t->dirty &&
		    lka_case__file_progress(ing->kase, t->file_id, t->items_done, NULL, &e) != LKA_OK)
			return db_fail(ing, &e);
	finish_sources(ing);
	if (ing->db_dead)
		return false;
	if (lka_case__commit(ing->kase, &e) != LKA_OK)
		return db_fail(ing, &e);
	ing->in_tx = false;
	ing->n_ends = 0;
	for (task *t = ing->live; t; t = t->next)
		t->dirty = false;
	return true;
}

static void
maybe_commit(lka_ingest *ing)
{
	if (ing->in_tx && (ing->batch_items >= BATCH_MESSAGES || ing->batch_bytes >= BATCH_BYTES ||
			   lka__mono_seconds() - ing->batch_start >= BATCH_SECONDS))
		commit(ing);
}

/* A PST folder whose engine listed more items than were ingested (a problem: shown when quiet). */
static void
shortfall(void *arg, const char *path, const char *engine, int64_t expected, int64_t read)
{
	lka_ingest *ing = arg;

	ing->st.shortfalls++;
	event(ing, LKA_WARN, "%s: %s lists %lld item(s), %lld ingested: %lld missing (see errors)",
	      path, engine, (long long)expected, (long long)read, (long long)(expected - read));
}

/* Sources whose files have all ended get their final status (inside the batch). */
static void
finish_sources(lka_ingest *ing)
{
	lka_error e = { 0 };
	char status[16];

	for (size_t i = 0; i < ing->n_srcs; i++) {
		src *s = &ing->srcs[i];
		if (!s->recorded || s->skipped || s->finished || s->files_left)
			continue;
		if (lka_case__source_finish(ing->kase, s->id, status, &e) != LKA_OK) {
			db_fail(ing, &e);
			return;
		}
		s->finished = true;
		ing->st.sources_done++;
		if (strcmp(status, "failed") == 0)
			ing->st.sources_failed++;
		event(ing, strcmp(status, "complete") == 0 ? LKA_OK : LKA_WARN, "%s: %s", s->display,
		      status);
		if (lka_case__pst_shortfalls(ing->kase, s->id, shortfall, ing, &e) != LKA_OK) {
			db_fail(ing, &e);
			return;
		}
	}
}

static void
record_error(lka_ingest *ing, task *t, const char *location, lka_status sev, lka_errkind kind,
	     const char *msg)
{
	lka_error e = { 0 };
	src *s = &ing->srcs[t->src_idx];

	if (!ensure_tx(ing))
		return;
	if (lka_case__error_write(ing->kase, s->id, t->file_id, location, sev, kind,
				  msg, &e) != LKA_OK) {
		db_fail(ing, &e);
		return;
	}
	ing->st.errors++;
	ing->batch_items++;
}

/* "a" + "/" + "b" (or "a" alone when b is NULL) into a growing scratch buffer. */
static const char *
join(char **buf, size_t *cap, const char *a, const char *b)
{
	size_t n = strlen(a) + (b ? strlen(b) + 1 : 0) + 1;

	if (n > *cap) {
		char *p = realloc(*buf, n);
		if (!p)
			return a; /* degrade to the source's name: never lose the record */
		*buf = p;
		*cap = n;
	}
	snprintf(*buf, *cap, b ? "%s/%s" : "%s", a, b);
	return *buf;
}

/*
 * The file a task reads, and how messages name it.  Built on demand (valid
 * until the next call) so that a folder of a million files does not hold a
 * million path strings twice.
 */
static const char *
task_path(lka_ingest *ing, const task *t)
{
	const src *s = &ing->srcs[t->src_idx];

	return join(&ing->path_buf, &ing->path_cap, s->root, s->is_dir ? t->relpath : NULL);
}

static const char *
task_display(lka_ingest *ing, const task *t)
{
	const src *s = &ing->srcs[t->src_idx];

	return join(&ing->disp_buf, &ing->disp_cap, s->display, s->is_dir ? t->relpath : NULL);
}

static void
loc_text(lka_ingest *ing, char *out, size_t cap, const task *t, const lka_itemloc *loc)
{
	const char *d = task_display(ing, t);

	if (!loc)
		snprintf(out, cap, "%s", d);
	else if (loc->offset >= 0)
		snprintf(out, cap, "%s: item %llu, offset %lld", d, (unsigned long long)loc->ordinal,
			 (long long)loc->offset);
	else
		snprintf(out, cap, "%s: item %llu", d, (unsigned long long)loc->ordinal);
}

/* ------------------------------------------------- what readers send us */

static void
item_done(task *t, uint64_t ordinal)
{
	if (ordinal + 1 > t->items_done) {
		t->items_done = ordinal + 1;
		t->dirty = true;
	}
	t->begun = false;
}

static void
on_item_begin(lka_ingest *ing, task *t, const lka_itemloc *loc)
{
	(void)ing;
	t->begun = true;
	t->cur = *loc;
}

static int64_t
map_folder(const task *t, int64_t reader_id, int64_t deflt)
{
	for (size_t i = 0; i < t->n_fmap; i++)
		if (t->fmap[2 * i] == reader_id)
			return t->fmap[2 * i + 1];
	return deflt;
}

static void
on_folder(lka_ingest *ing, task *t, const lka_folder *f)
{
	src *s = &ing->srcs[t->src_idx];
	int64_t base = t->folder_id, parent, id;
	lka_error e = { 0 };
	int64_t *v;

	if (!ensure_tx(ing))
		return;
	parent = f->parent_id ? map_folder(t, f->parent_id, base) : base;
	if (lka_case__folder_ensure(ing->kase, s->id, parent, f, &id, &e) != LKA_OK) {
		db_fail(ing, &e);
		return;
	}
	v = realloc(t->fmap, (t->n_fmap + 1) * 2 * sizeof *v);
	if (!v)
		return;
	t->fmap = v;
	v[2 * t->n_fmap] = f->id;
	v[2 * t->n_fmap + 1] = id;
	t->n_fmap++;
}

/* Where an item of task t at loc, in reader folder folder_id, goes. */
static lka_msgorigin
item_origin(lka_ingest *ing, task *t, const lka_itemloc *loc, int64_t folder_id)
{
	lka_msgorigin o;

	o.source_id = ing->srcs[t->src_idx].id;
	o.file_id = t->file_id;
	o.folder_id = map_folder(t, folder_id, t->folder_id);
	o.loc = *loc;
	o.file_display = task_display(ing, t);
	return o;
}

/* An item could not be written: false when the case itself failed (stop);
 * otherwise (e.g. over a database limit) the reason is recorded and ingest
 * goes on. */
static bool
item_write_failed(lka_ingest *ing, task *t, const lka_itemloc *loc, lka_error *e)
{
	char where[600];

	if (e->kind == LKA_E_DB && e->status == LKA_FATAL) {
		db_fail(ing, e);
		return false;
	}
	loc_text(ing, where, sizeof where, t, loc);
	record_error(ing, t, where, LKA_FAILED, e->kind, e->msg);
	return true;
}

static void
on_message(lka_ingest *ing, task *t, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	lka_write_counts c = { 0 };
	lka_error e = { 0 };
	lka_msgorigin o;

	if (!ensure_tx(ing))
		goto out;
	o = item_origin(ing, t, loc, folder_id);
	if (lka_case__message_write(ing->kase, &o, m, ing->opts.store_content != 0, &c, &e) !=
		    LKA_OK &&
	    !item_write_failed(ing, t, loc, &e))
		goto out;
	ing->st.messages += c.messages;
	ing->st.attachments += c.attachments;
	ing->st.errors += c.errors;
	ing->batch_items += c.messages ? c.messages : 1;
	ing->batch_bytes += m->raw_size;
	item_done(t, loc->ordinal);
out:
	lka_msg_free(m);
}

static void
on_contact(lka_ingest *ing, task *t, const lka_itemloc *loc, int64_t folder_id, lka_contact *c)
{
	lka_write_counts n = { 0 };
	lka_error e = { 0 };
	lka_msgorigin o;

	if (!ensure_tx(ing))
		goto out;
	o = item_origin(ing, t, loc, folder_id);
	/* folder_id < 0: from attachment -folder_id - 1 of the message at loc (sink.h) */
	if (folder_id < 0)
		o.folder_id = t->folder_id;
	if (lka_case__contact_write(ing->kase, &o, folder_id < 0 ? -folder_id - 1 : -1, c, &n, &e) !=
		    LKA_OK &&
	    !item_write_failed(ing, t, loc, &e))
		goto out;
	ing->st.errors += n.errors;
	ing->st.contacts += n.contacts;
	ing->batch_items++;
	item_done(t, loc->ordinal);
out:
	lka_contact_free(c);
}

static void
on_diag(lka_ingest *ing, task *t, const lka_itemloc *loc, const lka_diag *d)
{
	char where[1200];

	loc_text(ing, where, sizeof where, t, loc);
	if (d->location) {
		size_t n = strlen(where);
		snprintf(where + n, sizeof where - n, ", %s", d->location);
	}
	record_error(ing, t, where, d->severity, d->kind, d->message);
	if (loc)
		item_done(t, loc->ordinal);
}

static void
on_task_end(lka_ingest *ing, task *t, lka_status st)
{
	src *s = &ing->srcs[t->src_idx];
	file_end *e;

	/* The file's final state is written by the batch that holds its last items. */
	if (!ensure_tx(ing))
		return;
	if (ing->n_ends == ing->ends_cap) {
		size_t cap = ing->ends_cap ? ing->ends_cap * 2 : 64;
		e = realloc(ing->ends, cap * sizeof *e);
		if (!e) {
			lka_error oom;
			lka__error(&oom, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
			db_fail(ing, &oom);
			return;
		}
		ing->ends = e;
		ing->ends_cap = cap;
	}
	e = &ing->ends[ing->n_ends++];
	e->file_id = t->file_id;
	e->items_done = t->items_done;
	e->failed = st == LKA_FATAL;
	if (s->files_left)
		s->files_left--;
	ing->st.files_done++;
	ing->st.bytes_done += t->bytes;
	task_drop(ing, t);
	if (!s->files_left && s->exhausted)
		commit(ing); /* closes the source's books in the same transaction */
}

/* ------------------------------------------------------ in-process sink */

typedef struct direct_sink {
	lka_sink base;
	lka_ingest *ing;
	task *t;
} direct_sink;

/* What the reader is told after an item: stop once the case has failed. */
static lka_status
ds_status(direct_sink *d)
{
	return d->ing->db_dead ? LKA_FATAL : LKA_OK;
}

/* After a message or contact: commit when the batch is full, report progress. */
static lka_status
ds_written(direct_sink *d)
{
	maybe_commit(d->ing);
	tick(d->ing, false);
	return ds_status(d);
}

static lka_status
ds_item_begin(lka_sink *s, const lka_itemloc *loc)
{
	direct_sink *d = (direct_sink *)s;

	on_item_begin(d->ing, d->t, loc);
	return ds_status(d);
}

static lka_status
ds_folder(lka_sink *s, const lka_folder *f)
{
	direct_sink *d = (direct_sink *)s;

	on_folder(d->ing, d->t, f);
	return ds_status(d);
}

static lka_status
ds_message(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	direct_sink *d = (direct_sink *)s;

	on_message(d->ing, d->t, loc, folder_id, m);
	return ds_written(d);
}

static lka_status
ds_contact(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *c)
{
	direct_sink *d = (direct_sink *)s;

	on_contact(d->ing, d->t, loc, folder_id, c);
	return ds_written(d);
}

static lka_status
ds_diag(lka_sink *s, const lka_itemloc *loc, const lka_diag *dg)
{
	direct_sink *d = (direct_sink *)s;

	on_diag(d->ing, d->t, loc, dg);
	return ds_status(d);
}

static const lka_sink_ops direct_ops = { ds_item_begin, ds_folder, ds_message, ds_contact,
					      ds_diag };

/* ------------------------------------------------- the reader process */

typedef struct pipe_sink {
	lka_sink base;
	int fd;
	uint64_t task_id;
	lka_buf out;
} pipe_sink;

static lka_status
ps_flush(pipe_sink *p, bool ok)
{
	bool sent;

	if (!ok) {
		lka_buf_reset(&p->out);
		return LKA_FATAL;
	}
	sent = lka__write_all(p->fd, p->out.data, p->out.len);
	lka_buf_reset(&p->out);
	return sent ? LKA_OK : LKA_FATAL;
}

static lka_status
ps_item_begin(lka_sink *s, const lka_itemloc *loc)
{
	pipe_sink *p = (pipe_sink *)s;

	return ps_flush(p, lka_wire_put_item_begin(&p->out, p->task_id, loc));
}

static lka_status
ps_folder(lka_sink *s, const lka_folder *f)
{
	pipe_sink *p = (pipe_sink *)s;

	return ps_flush(p, lka_wire_put_folder(&p->out, p->task_id, f));
}

static lka_status
ps_diag(lka_sink *s, const lka_itemloc *loc, const lka_diag *d)
{
	pipe_sink *p = (pipe_sink *)s;

	return ps_flush(p, lka_wire_put_diag(&p->out, p->task_id, loc, d));
}

/* Send an encoded item, or, when it did not fit in a frame (or no memory),
 * a diagnostic saying so in its place. */
static lka_status
ps_item(pipe_sink *p, bool encoded, const lka_itemloc *loc, const char *too_large)
{
	lka_diag d = { LKA_FAILED, LKA_E_LIMIT, NULL, (char *)(uintptr_t)too_large };

	if (encoded)
		return ps_flush(p, true);
	lka_buf_reset(&p->out);
	return ps_flush(p, lka_wire_put_diag(&p->out, p->task_id, loc, &d));
}

static lka_status
ps_message(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	pipe_sink *p = (pipe_sink *)s;
	lka_status st = ps_item(p, lka_wire_put_message(&p->out, p->task_id, loc, folder_id, m), loc,
				"message too large to transfer from the reader");

	lka_msg_free(m);
	return st;
}

static lka_status
ps_contact(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *c)
{
	pipe_sink *p = (pipe_sink *)s;
	lka_status st = ps_item(p, lka_wire_put_contact(&p->out, p->task_id, loc, folder_id, c), loc,
				"contact too large to transfer from the reader");

	lka_contact_free(c);
	return st;
}

static const lka_sink_ops pipe_ops = { ps_item_begin, ps_folder, ps_message, ps_contact,
					    ps_diag };

/* Body of a reader process.  Never returns. */
static void __attribute__((noreturn))
reader_main(lka_ingest *ing, int fd)
{
	pipe_sink ps = { { &pipe_ops }, fd, 0, { 0 } };
	lka_rctx *rc = NULL;
	lka_error e = { 0 };
	int devnull;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		/* Parsing libraries print; keep that out of the user's terminal. */
		dup2(devnull, 0);
		dup2(devnull, 1);
		if (!getenv("LKA_READER_STDERR"))
			dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
	}
	{
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl); /* no core files full of evidence */
	}
	lka__limit_memory(ing->kase->ctx->limits.reader_memory);
	lka_buf_init(&ps.out, 0);
	if (lka_rctx_new(&rc, &ing->kase->ctx->limits, ing->opts.store_content != 0,
			 ing->opts.fault, &e) != LKA_OK)
		_exit(70);
	for (;;) {
		unsigned char hdr[4];
		unsigned char *frame;
		size_t len;
		lka_wire_task wt;
		lka_status st;

		if (!lka__read_full(fd, hdr, 4))
			break;
		len = lka__le32(hdr);
		if (len < 9 || len > (1u << 20))
			_exit(71);
		frame = malloc(len + 4);
		if (!frame)
			_exit(72);
		memcpy(frame, hdr, 4);
		if (!lka__read_full(fd, frame + 4, len) || !lka_wire_get_task(&wt, frame, len + 4))
			_exit(73);
		free(frame);
		ps.task_id = wt.id;
		st = lka_read_task(rc, &wt.task, &ps.base);
		lka_wire_task_clear(&wt);
		if (ps_flush(&ps, lka_wire_put_task_end(&ps.out, ps.task_id, st)) != LKA_OK)
			break;
	}
	lka_rctx_free(rc);
	lka_buf_free(&ps.out);
	_exit(0);
}

static bool
worker_spawn(lka_ingest *ing, worker *w, lka_error *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		lka__error_sys(err, LKA_FATAL, errno, NULL, "cannot create a socket for a reader");
		return false;
	}
	pid = fork();
	if (pid < 0) {
		lka__error_sys(err, LKA_FATAL, errno, NULL, "cannot start a reader process");
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		for (size_t i = 0; i < ing->n_workers; i++)
			if (ing->workers[i].fd >= 0)
				close(ing->workers[i].fd);
		reader_main(ing, sv[1]);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	w->pid = pid;
	w->fd = sv[0];
	w->qn = 0;
	w->closing = false;
	w->kill_reason = NULL;
	w->last_frame = lka__mono_seconds();
	lka_buf_init(&w->in, LKA_WIRE_MAX_FRAME + 2 * RECV_CHUNK);
	return true;
}

/* ------------------------------------------------------------ tasks */

static void
pending_push(lka_ingest *ing, task *ti, bool front)
{
	if (ing->pend_len == ing->pend_cap) {
		size_t cap = ing->pend_cap ? ing->pend_cap * 2 : 64;
		task **v = malloc(cap * sizeof *v);
		if (!v)
			abort(); /* cannot lose track of evidence */
		for (size_t i = 0; i < ing->pend_len; i++)
			v[i] = ing->pending[(ing->pend_head + i) % ing->pend_cap];
		free(ing->pending);
		ing->pending = v;
		ing->pend_cap = cap;
		ing->pend_head = 0;
	}
	ti->requeued = front;
	if (front) {
		ing->pend_head = (ing->pend_head + ing->pend_cap - 1) % ing->pend_cap;
		ing->pending[ing->pend_head] = ti;
	} else {
		ing->pending[(ing->pend_head + ing->pend_len) % ing->pend_cap] = ti;
	}
	ing->pend_len++;
}

static task *
pending_pop(lka_ingest *ing)
{
	task *ti = ing->pending[ing->pend_head];

	ing->pend_head = (ing->pend_head + 1) % ing->pend_cap;
	ing->pend_len--;
	return ti;
}

/*
 * Which waiting task goes out next (its place in the queue): one put back
 * at the front (its reader died, or would not take it), else the largest,
 * so that the longest stores start first and no reader is still busy with
 * a large one when the others have run out of work.
 */
static size_t
pending_next(const lka_ingest *ing)
{
	size_t best = 0;

	if (ing->pending[ing->pend_head]->requeued)
		return 0;
	for (size_t i = 1; i < ing->pend_len; i++)
		if (ing->pending[(ing->pend_head + i) % ing->pend_cap]->bytes >
		    ing->pending[(ing->pend_head + best) % ing->pend_cap]->bytes)
			best = i;
	return best;
}

/* Take the task at place i of the queue (pending_next()) out of it. */
static task *
pending_take(lka_ingest *ing, size_t i)
{
	size_t at = (ing->pend_head + i) % ing->pend_cap;
	task *t = ing->pending[at];

	ing->pending[at] = ing->pending[ing->pend_head];
	ing->pending[ing->pend_head] = t;
	return pending_pop(ing);
}

/*
 * Whether w may take the task at place at of the queue now.  Small files are
 * queued a few at a time, so a reader never waits for its next one; a large
 * one (a PST, an mbox) only goes to a reader with nothing queued, so that no
 * reader sits idle at the end while another still has stores waiting.
 */
static bool
can_take(const lka_ingest *ing, const worker *w, size_t at)
{
	uint64_t bytes = ing->pending[(ing->pend_head + at) % ing->pend_cap]->bytes;

	if (w->qn == 0)
		return true;
	if (w->qn >= TASKS_IN_FLIGHT)
		return false;
	for (size_t i = 0; i < w->qn; i++)
		bytes += w->queue[i]->bytes;
	return bytes <= QUEUED_BYTES;
}

static lka_task
task_of(lka_ingest *ing, const task *t)
{
	lka_task lt;

	lt.path = task_path(ing, t);
	lt.display = task_display(ing, t);
	lt.format = t->format;
	lt.skip = t->items_done;
	return lt;
}

static bool
worker_send(lka_ingest *ing, worker *w, task *ti)
{
	lka_buf b;
	lka_task lt = task_of(ing, ti);
	bool ok;

	lka_buf_init(&b, 0);
	ok = lka_wire_put_task(&b, ti->id, &lt);
	if (ok) {
		/* Task frames are small and at most TASKS_IN_FLIGHT are queued, so
		 * this fits the socket buffer; MSG_NOSIGNAL: a dead reader must not
		 * kill us with SIGPIPE. */
		size_t off = 0;
		while (ok && off < b.len) {
			ssize_t n = send(w->fd, b.data + off, b.len - off, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				struct pollfd p = { w->fd, POLLOUT, 0 };
				poll(&p, 1, 1000);
				continue;
			}
			ok = n > 0;
			off += n > 0 ? (size_t)n : 0;
		}
	}
	lka_buf_free(&b);
	if (ok) {
		w->queue[w->qn++] = ti;
		if (w->qn == 1)
			w->last_frame = lka__mono_seconds();
	}
	return ok;
}

static const char *
signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGABRT: return "SIGABRT";
	case SIGKILL: return "SIGKILL";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGTERM: return "SIGTERM";
	default: return "a signal";
	}
}

static bool worker_read(lka_ingest *ing, worker *w);

/*
 * A reader is gone (died, killed by us, or broke the protocol).  The item it
 * had announced is recorded as lost; its tasks go back to the queue, resuming
 * after that item.
 */
static void
worker_lost(lka_ingest *ing, worker *w, const char *why_extra)
{
	char why[256], where[700], msg[512];
	int status = 0;
	pid_t pid = w->pid;

	if (w->qn == 0 && !w->kill_reason) {
		/* Nothing in hand: a reader that was told to stop, stopping. */
		worker_close(w);
		return;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = -1;
	/* What it sent before it died is still in the socket when we notice the
	 * death elsewhere (a failed send, the time limit): read it all first, or
	 * the healthy items in there would be taken for the lost one.  Not after
	 * a protocol error: nothing more from that reader is trusted. */
	if (!w->kill_reason || w->kill_reason == no_progress)
		(void)worker_read(ing, w);
	if (w->kill_reason)
		snprintf(why, sizeof why, "%s", w->kill_reason);
	else if (why_extra)
		snprintf(why, sizeof why, "%s", why_extra);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof why, "killed by %s (signal %d)%s", signame(WTERMSIG(status)),
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGABRT ? ", possibly out of memory" : "");
	else if (WIFEXITED(status))
		snprintf(why, sizeof why, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(why, sizeof why, "stopped");
	ing->st.reader_crashes++;
	/* The task at the head was being read: its announced item is lost. */
	if (w->qn) {
		task *t = w->queue[0];
		if (t->begun) {
			loc_text(ing, where, sizeof where, t, &t->cur);
			snprintf(msg, sizeof msg,
				 "reader process %s while reading this item; item lost, "
				 "reading resumes after it",
				 why);
			record_error(ing, t, where, LKA_FAILED, LKA_E_CRASH, msg);
			item_done(t, t->cur.ordinal);
			event(ing, LKA_FAILED, "%s: %s", where, msg);
		} else {
			snprintf(msg, sizeof msg,
				 "reader process %s outside any item; file not read further", why);
			record_error(ing, t, task_display(ing, t), LKA_FAILED, LKA_E_CRASH, msg);
			event(ing, LKA_FAILED, "%s: %s", task_display(ing, t), msg);
			on_task_end(ing, t, LKA_FATAL);
			w->queue[0] = NULL;
		}
	}
	/* Every task it held goes back to the front of the queue, in order,
	 * resuming after what was done. */
	for (size_t q = w->qn; q-- > 0;) {
		task *t = w->queue[q];
		if (!t)
			continue;
		t->begun = false;
		t->n_fmap = 0;
		pending_push(ing, t, true);
	}
	w->qn = 0;
	close(w->fd);
	w->fd = -1;
	lka_buf_free(&w->in);
}

static void
handle_frame(lka_ingest *ing, worker *w, lka_frame *f)
{
	task *t;

	if (w->qn == 0 || w->queue[0]->id != f->task_id) {
		w->kill_reason = "sent a frame for a task it was not given (protocol error)";
		return;
	}
	t = w->queue[0];
	switch (f->type) {
	case LKA_FR_ITEM_BEGIN:
		if (f->has_loc)
			on_item_begin(ing, t, &f->loc);
		break;
	case LKA_FR_FOLDER:
		on_folder(ing, t, &f->folder);
		break;
	case LKA_FR_MESSAGE:
		if (!f->has_loc || !f->msg) {
			w->kill_reason = "sent a message without location (protocol error)";
			break;
		}
		on_message(ing, t, &f->loc, f->folder_id, f->msg);
		f->msg = NULL;
		break;
	case LKA_FR_CONTACT:
		if (!f->has_loc || !f->contact) {
			w->kill_reason = "sent a contact without location (protocol error)";
			break;
		}
		on_contact(ing, t, &f->loc, f->folder_id, f->contact);
		f->contact = NULL;
		break;
	case LKA_FR_DIAG:
		on_diag(ing, t, f->has_loc ? &f->loc : NULL, &f->diag);
		break;
	case LKA_FR_TASK_END:
		on_task_end(ing, t, f->status);
		memmove(w->queue, w->queue + 1, (w->qn - 1) * sizeof *w->queue);
		w->qn--;
		break;
	default:
		w->kill_reason = "sent an unknown frame (protocol error)";
	}
}

/* Read what a reader sent; false when it is gone. */
static bool
worker_read(lka_ingest *ing, worker *w)
{
	for (;;) {
		ssize_t n;
		size_t off = 0;

		if (!lka_buf_reserve(&w->in, RECV_CHUNK)) {
			w->kill_reason = "sent more than the reader frame limit allows";
			return false;
		}
		n = recv(w->fd, w->in.data + w->in.len, RECV_CHUNK, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		w->in.len += (size_t)n;
		w->last_frame = lka__mono_seconds();
		for (;;) {
			lka_frame f;
			int got = lka_wire_next_frame(&f, w->in.data, w->in.len, &off);

			if (got == 0)
				break;
			if (got < 0) {
				w->kill_reason = "sent a corrupt frame (protocol error)";
				return false;
			}
			handle_frame(ing, w, &f);
			lka_frame_clear(&f);
			if (w->kill_reason || ing->db_dead)
				return false;
			maybe_commit(ing);
		}
		lka_buf_drop(&w->in, off);
		tick(ing, false);
	}
}

/* ------------------------------------------------------------ sources */

/*
 * Queue pending files while fewer than FEED_LOW wait for a reader, paging
 * through the case's source_files in their canonical order.
 */
static bool
feed(lka_ingest *ing)
{
	lka_pending_file page[FEED_PAGE];
	lka_error e = { 0 };

	while (ing->pend_len < FEED_LOW && ing->feed_src < ing->n_srcs) {
		src *s = &ing->srcs[ing->feed_src];
		size_t n = 0;

		if (!s->recorded || s->skipped || s->exhausted) {
			ing->feed_src++;
			continue;
		}
		if (lka_case__pending_files(ing->kase, s->id, s->cursor, page, FEED_PAGE, &n, &e) !=
		    LKA_OK)
			return db_fail(ing, &e);
		for (size_t i = 0; i < n; i++) {
			task *t = calloc(1, sizeof *t);
			if (!t) {
				for (size_t k = i; k < n; k++)
					free(page[k].relpath);
				lka__error(&e, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
				return db_fail(ing, &e);
			}
			t->id = ++ing->next_task_id;
			t->src_idx = ing->feed_src;
			t->file_id = page[i].id;
			t->folder_id = page[i].folder_id;
			t->relpath = page[i].relpath;
			t->format = page[i].format;
			t->bytes = page[i].bytes;
			t->items_done = page[i].items_done;
			t->next = ing->live;
			if (ing->live)
				ing->live->prev = t;
			ing->live = t;
			s->cursor = t->file_id;
			pending_push(ing, t, false);
		}
		if (n < FEED_PAGE) {
			s->exhausted = true;
			ing->feed_src++;
		}
	}
	return true;
}

/* Write a source-level error row (no source row, or one about the whole source). */
static lka_status
source_error(lka_ingest *ing, int64_t source_id, const char *where, lka_errkind kind,
	     const char *msg, lka_error *err)
{
	if (lka_case__begin(ing->kase, err) != LKA_OK ||
	    lka_case__error_write(ing->kase, source_id, 0, where, LKA_FATAL, kind, msg, err) !=
		    LKA_OK ||
	    lka_case__commit(ing->kase, err) != LKA_OK) {
		lka_case__rollback(ing->kase);
		return LKA_FATAL;
	}
	ing->st.errors++;
	return LKA_OK;
}

/* Record a newly scanned source, its files and folders, and the scan's problems. */
static lka_status
record_source(lka_ingest *ing, src *s, const lka_scan *scan, lka_error *err)
{
	size_t n = scan->n_files ? scan->n_files : 1;
	int64_t *file_ids = calloc(n, sizeof *file_ids);
	int64_t *folder_ids = calloc(n, sizeof *folder_ids);
	lka_status st = LKA_FATAL;

	if (!file_ids || !folder_ids) {
		lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, s->display, "out of memory");
		goto out;
	}
	if (lka_case__begin(ing->kase, err) != LKA_OK)
		goto out;
	if (lka_case__source_add(ing->kase, ing->run_id, scan, &s->id, file_ids, folder_ids, err) !=
	    LKA_OK)
		goto fail;
	for (size_t d = 0; d < scan->diags.n; d++) {
		const lka_diag *dg = &scan->diags.v[d];
		char where[700];
		snprintf(where, sizeof where, "%s%s%s", s->display, dg->location ? ": " : "",
			 dg->location ? dg->location : "");
		if (lka_case__error_write(ing->kase, s->id, 0, where, dg->severity, dg->kind,
					  dg->message, err) != LKA_OK)
			goto fail;
		ing->st.errors++;
	}
	if (lka_case__commit(ing->kase, err) != LKA_OK)
		goto fail;
	st = LKA_OK;
	goto out;
fail:
	lka_case__rollback(ing->kase);
out:
	free(file_ids);
	free(folder_ids);
	return st;
}

/*
 * Scan and hash a source, then record it (new) or check it against what was
 * recorded (interrupted earlier).  Its files are queued later by feed().
 */
static lka_status
prepare_source(lka_ingest *ing, size_t si, lka_error *err)
{
	src *s = &ing->srcs[si];
	lka_scan scan = { 0 };
	lka_source_row row;
	bool found = false;
	lka_error e = { 0 };
	char hex[LKA_SHA256_HEX], msg[400];
	uint64_t files = 0, bytes = 0;
	lka_status st = LKA_OK;

	if (s->missing) {
		lka__error_sys(&e, LKA_FATAL, ENOENT, s->display, "cannot find evidence");
		goto unreadable;
	}
	event(ing, LKA_OK, "%s: hashing and scanning", s->display);
	if (lka_scan_source(&scan, s->given, &ing->kase->ctx->limits, &e) == LKA_FATAL) {
		event(ing, LKA_FATAL, "%s: %s", s->display, e.msg);
		goto unreadable;
	}
	s->root = lka__strdup(scan.root);
	s->is_dir = scan.is_dir;
	if (!s->root) {
		st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, s->display, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < si; i++) {
		if (ing->srcs[i].root && strcmp(ing->srcs[i].root, s->root) == 0) {
			/* The same evidence named twice (a trailing slash, a symlinked
			 * parent): read it once. */
			s->skipped = true;
			ing->st.sources_skipped++;
			ing->st.sources_done++;
			event(ing, LKA_OK, "%s: same evidence as %s; read once", s->display,
			      ing->srcs[i].display);
			goto out;
		}
	}
	if (s->is_dir) {
		/* A case written inside its own evidence would change the evidence
		 * as it is read (and hash itself). */
		char *case_real = realpath(ing->kase->path, NULL);
		size_t rn = strlen(s->root);
		bool inside = case_real && strncmp(case_real, s->root, rn) == 0 &&
			      (case_real[rn] == '/' || s->root[rn - 1] == '/');
		free(case_real);
		if (inside) {
			lka__error(&e, LKA_FATAL, LKA_E_USAGE, 0, s->display,
				   "the case database is inside this source; put it elsewhere");
			event(ing, LKA_FATAL, "%s: %s", s->display, e.msg);
			goto unreadable;
		}
	}
	lka_sha256_hex(scan.sha256, hex);
	if (lka_case__source_find(ing->kase, s->root, &row, &found, &e) != LKA_OK)
		goto dberr;
	if (found && ing->opts.force) {
		event(ing, LKA_OK, "%s: --force: removing what an earlier run ingested", s->display);
		if (lka_case__begin(ing->kase, &e) != LKA_OK ||
		    lka_case__source_delete(ing->kase, row.id, &e) != LKA_OK ||
		    lka_case__commit(ing->kase, &e) != LKA_OK)
			goto dberr;
		found = false;
	}
	if (found && strcmp(row.status, "complete") == 0 && strcmp(row.sha256, hex) == 0) {
		s->skipped = true;
		ing->st.sources_skipped++;
		ing->st.sources_done++;
		event(ing, LKA_OK,
		      "%s: already ingested completely (source %lld); skipped (use --force to "
		      "read it again)",
		      s->display, (long long)row.id);
		goto out;
	}
	if (found && strcmp(row.sha256, hex) != 0) {
		ing->st.sources_failed++;
		ing->st.sources_done++;
		s->skipped = true;
		event(ing, LKA_FATAL,
		      "%s: evidence changed since source %lld was recorded (SHA-256 %.16s... now "
		      "%.16s...); not read (use --force to replace it)",
		      s->display, (long long)row.id, row.sha256, hex);
		snprintf(msg, sizeof msg,
			 "evidence changed since it was recorded: SHA-256 was %s, now %s; not read",
			 row.sha256, hex);
		if (source_error(ing, row.id, s->display, LKA_E_CHANGED, msg, &e) != LKA_OK)
			goto dberr;
		st = lka__error(err, LKA_WARN, LKA_E_CHANGED, 0, s->display,
				"evidence changed since it was recorded");
		goto out;
	}
	if (found) {
		/* Resume: same hash, so the same files; their progress is in the case. */
		s->id = row.id;
		event(ing, LKA_OK, "%s: resuming an interrupted ingest (source %lld)", s->display,
		      (long long)s->id);
	} else if (record_source(ing, s, &scan, &e) != LKA_OK) {
		goto dberr;
	}
	if (lka_case__pending_count(ing->kase, s->id, &files, &bytes, &e) != LKA_OK)
		goto dberr;
	s->recorded = true;
	s->files_left = files;
	s->exhausted = files == 0;
	ing->st.files_total += files;
	ing->st.bytes_total += bytes;
	if (!files && (!ensure_tx(ing) || !commit(ing))) {
		/* Nothing (left) to read: its books were closed by commit(). */
		*err = ing->dberr;
		st = LKA_FATAL;
	}
	goto out;
unreadable:
	/* No source row can be made: the error row names the path. */
	ing->st.sources_failed++;
	ing->st.sources_done++;
	snprintf(msg, sizeof msg, "source not read: %s", e.msg);
	{
		lka_error de = { 0 };
		if (source_error(ing, 0, s->display, e.kind, msg, &de) != LKA_OK) {
			*err = de;
			st = LKA_FATAL;
			goto out;
		}
	}
	st = lka__error(err, LKA_WARN, e.kind, e.sys, s->display, "%s", e.msg);
	goto out;
dberr:
	*err = e;
	st = LKA_FATAL;
out:
	lka_scan_clear(&scan);
	return st;
}

/* ------------------------------------------------------------ running */

static lka_status
run_inprocess(lka_ingest *ing, lka_error *err)
{
	lka_error e = { 0 };

	if (lka_rctx_new(&ing->inproc, &ing->kase->ctx->limits, ing->opts.store_content != 0,
			 ing->opts.fault, &e) != LKA_OK) {
		*err = e;
		return LKA_FATAL;
	}
	while (feed(ing) && ing->pend_len && !ing->db_dead) {
		task *t = pending_pop(ing);
		direct_sink ds = { { &direct_ops }, ing, t };
		lka_task lt = task_of(ing, t);
		lka_status st;
		/* the scratch buffers change while the item is written: own copies */
		char *path = lka__strdup(lt.path), *display = lka__strdup(lt.display);

		if (!path || !display) {
			free(path);
			free(display);
			return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
		}
		lt.path = path;
		lt.display = display;
		st = lka_read_task(ing->inproc, &lt, &ds.base);
		free(path);
		free(display);
		if (!ing->db_dead)
			on_task_end(ing, t, st);
		maybe_commit(ing);
		tick(ing, false);
	}
	return LKA_OK;
}

static lka_status
run_isolated(lka_ingest *ing, lka_error *err)
{
	struct pollfd *pfd = NULL;
	size_t nw = ing->opts.jobs;
	lka_status st = LKA_OK;
	unsigned item_limit = ing->kase->ctx->limits.item_seconds;

	if (nw > ing->st.files_total)
		nw = ing->st.files_total ? (size_t)ing->st.files_total : 1;
	ing->workers = calloc(nw, sizeof *ing->workers);
	pfd = calloc(nw, sizeof *pfd);
	if (!ing->workers || !pfd) {
		free(pfd);
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < nw; i++) {
		ing->workers[i].pid = -1;
		ing->workers[i].fd = -1;
	}
	ing->n_workers = nw;

	for (;;) {
		bool busy = false;
		double t;

		if (!feed(ing) || ing->db_dead)
			break;
		/* Start readers and hand out tasks. */
		for (size_t i = 0; i < nw; i++) {
			worker *w = &ing->workers[i];
			if (w->pid < 0 && ing->pend_len) {
				if (!worker_spawn(ing, w, err)) {
					st = LKA_FATAL;
					goto out;
				}
			}
			while (w->pid > 0 && !w->closing && ing->pend_len) {
				size_t next = pending_next(ing);
				task *ti;

				if (!can_take(ing, w, next))
					break;
				ti = pending_take(ing, next);
				if (!worker_send(ing, w, ti)) {
					pending_push(ing, ti, true);
					worker_lost(ing, w, "stopped accepting work");
					break;
				}
			}
			if (w->pid > 0)
				busy = true;
		}
		if (!busy && !ing->pend_len)
			break;
		for (size_t i = 0; i < nw; i++) {
			worker *w = &ing->workers[i];
			/* Idle, and nothing is left to hand out: let it go now (at the
			 * next poll timeout, every run ended a quarter second late). */
			if (w->pid > 0 && w->qn == 0 && !w->closing && !ing->pend_len &&
			    ing->feed_src >= ing->n_srcs) {
				shutdown(w->fd, SHUT_WR);
				w->closing = true;
			}
		}
		for (size_t i = 0; i < nw; i++) {
			pfd[i].fd = ing->workers[i].pid > 0 ? ing->workers[i].fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, nw, 250) < 0 && errno != EINTR) {
			st = lka__error_sys(err, LKA_FATAL, errno, NULL, "poll failed");
			goto out;
		}
		t = lka__mono_seconds();
		for (size_t i = 0; i < nw; i++) {
			worker *w = &ing->workers[i];
			if (w->pid < 0)
				continue;
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				if (!worker_read(ing, w))
					worker_lost(ing, w, NULL);
			} else if (w->qn && item_limit && t - w->last_frame > (double)item_limit) {
				w->kill_reason = no_progress;
				worker_lost(ing, w, NULL);
			}
		}
		maybe_commit(ing);
		tick(ing, false);
	}
out:
	for (size_t i = 0; i < nw; i++) {
		worker *w = &ing->workers[i];
		if (w->pid > 0) {
			int status;
			shutdown(w->fd, SHUT_WR);
			/* Give it a moment to exit on its own, then insist. */
			for (int k = 0; k < 100 && waitpid(w->pid, &status, WNOHANG) == 0; k++)
				usleep(10000);
			worker_close(w);
		}
	}
	free(pfd);
	return st;
}

lka_status
lka_ingest_run(lka_ingest *ing, lka_progress_fn progress, void *payload, lka_error *err)
{
	lka_error e = { 0 };
	lka_status st = LKA_OK, rst;
	bool warned = false;

	ing->progress = progress;
	ing->payload = payload;
	ing->t0 = lka__mono_seconds();
	if (lka_case__run_begin(ing->kase, "lka-ingest", ing->opts.argv_text, &ing->run_id, &e) !=
	    LKA_OK) {
		*err = e;
		return LKA_FATAL;
	}
	for (size_t i = 0; i < ing->n_srcs; i++) {
		rst = prepare_source(ing, i, &e);
		if (rst == LKA_FATAL) {
			st = LKA_FATAL;
			if (err)
				*err = e;
			goto done;
		}
		if (rst != LKA_OK)
			warned = true;
	}
	tick(ing, true);
	rst = ing->opts.isolate ? run_isolated(ing, &e) : run_inprocess(ing, &e);
	if (rst == LKA_FATAL) {
		st = LKA_FATAL;
		if (err)
			*err = e;
	}
	if (!commit(ing) || ing->db_dead) {
		st = LKA_FATAL;
		if (err)
			*err = ing->dberr;
	}
done:
	ing->st.seconds = lka__mono_seconds() - ing->t0;
	if (st != LKA_FATAL && (warned || ing->st.errors || ing->st.sources_failed))
		st = LKA_WARN;
	if (ing->in_tx)
		lka_case__rollback(ing->kase);
	(void)lka_case__run_end(ing->kase, ing->run_id,
				st == LKA_OK ? "clean" : st == LKA_WARN ? "errors" : "failed", &ing->st,
				&e);
	tick(ing, true);
	return st;
}
