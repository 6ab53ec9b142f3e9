/*
 * scan.c — list an evidence source before it is read (see scan.h).
 *
 * Every regular file below the source is opened once (O_RDONLY, O_NOFOLLOW,
 * O_NOATIME where the kernel lets us); its first 64 KiB decide its format,
 * and the whole file is read to hash it.  In a folder the hashing runs on
 * helper threads (one per core, at most HASH_THREADS), fed with the open
 * descriptors as the walk finds them; a file source is hashed in one read
 * that also keeps its first bytes.  Symbolic links are never
 * followed; directories are opened relative to their parent with
 * O_NOFOLLOW, so a link swapped in during the walk is not followed either.
 *
 * Maildir: a directory holding cur/ (or both new/ and tmp/) is a maildir.
 * cur/ alone is accepted because version control and archivers drop empty
 * directories (corpus: notmuch-lkml and mu-testdir2/wom_bat have no new/).
 * Its messages are the files in cur/ and new/; tmp/ holds undelivered
 * files.  Maildir++ subfolders ".A.B" of a maildir become folders "A/B"
 * under the maildir's own folder.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_NOATIME */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "scan.h"

#define HEAD_BYTES (64u * 1024)  /* bytes kept for format detection */
#define IO_BYTES (1024u * 1024)  /* read size while hashing */
#define BINARY_PROBE 1024        /* a NUL in this many first bytes means binary */
#define HASH_THREADS 4           /* hashing threads at most (the disk is the limit beyond) */
#define HASH_SLOTS 32            /* files open for hashing at once */

typedef enum dir_kind {
	DIR_PLAIN = 0,   /* ordinary directory: files detected by content */
	DIR_MAILDIR,     /* a maildir's own directory */
	DIR_MAILDIR_CUR,
	DIR_MAILDIR_NEW,
	DIR_MAILDIR_TMP,
} dir_kind;

/* A file handed to a hashing thread. */
typedef struct hjob {
	size_t file;      /* index in out->files */
	int fd;           /* open on it, closed by the thread */
	uint64_t size;    /* bytes hashed */
	int err;          /* errno of the read, or 0 */
	uint8_t sha256[LKA_SHA256_LEN];
	enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE } state;
} hjob;

/* The hashing threads of a folder scan.  Slots move FREE -> QUEUED (walk)
 * -> BUSY -> DONE (thread) -> FREE (walk, which alone touches out->files). */
typedef struct hpool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	hjob slot[HASH_SLOTS];
	pthread_t th[HASH_THREADS];
	unsigned n_th;
	bool quit;
} hpool;

typedef struct scanner {
	lka_scan *out;
	hpool *pool;         /* hashing threads (folder scans), or NULL: hash in line */
	const lka_limits *limits;
	size_t cap;          /* allocated entries of out->files */
	unsigned char *io;   /* IO_BYTES read buffer */
	unsigned char *head; /* HEAD_BYTES first bytes of the file being hashed */
	size_t head_len;
	bool oom;
} scanner;

typedef struct dent {
	char *name;
	struct stat st;
	int err; /* errno of lstat, 0 when st is valid */
} dent;

static const char *const role_names[] = {
	[LKA_ROLE_MESSAGES] = "messages",   [LKA_ROLE_IGNORED] = "ignored",
	[LKA_ROLE_MAILDIR_TMP] = "maildir-tmp", [LKA_ROLE_EMPTY] = "empty",
	[LKA_ROLE_SPECIAL] = "special",     [LKA_ROLE_UNREADABLE] = "unreadable",
};

const char *
lka_file_role_name(lka_file_role r)
{
	if ((unsigned)r < LKA_ARRAY_LEN(role_names) && role_names[r])
		return role_names[r];
	return "unknown";
}

char *
lka_maildir_flags(const char *name)
{
	const char *base, *info = NULL;
	char *out;
	size_t n = 0;

	if (!name)
		return NULL;
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	/* ":2," is the standard; ";2," is what mbsync and others write where ':' is not allowed */
	for (const char *p = base; *p; p++)
		if ((p[0] == ':' || p[0] == ';') && p[1] == '2' && p[2] == ',')
			info = p + 3;
	if (!info)
		return NULL;
	out = malloc(strlen(info) + 1);
	if (!out)
		return NULL;
	for (const char *p = info; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			out[n++] = *p;
	out[n] = '\0';
	return out;
}

void
lka_scan_clear(lka_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_files; i++) {
		lka_scan_file *f = &s->files[i];
		free(f->relpath);
		free(f->note);
	}
	for (size_t i = 0; i < s->n_strings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->files);
	free(s->root);
	lka_diags_free(&s->diags);
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- helpers */

static char *
join(scanner *sc, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (!p) {
		sc->oom = true;
		return NULL;
	}
	if (a) {
		memcpy(p, dir, a);
		p[a++] = '/';
	}
	memcpy(p + a, name, b + 1);
	return p;
}

static char *
sdup(scanner *sc, const char *s)
{
	char *p = lka__strdup(s);

	if (s && !p)
		sc->oom = true;
	return p;
}

static void
scan_diag(scanner *sc, lka_status sev, lka_errkind kind, const char *where, const char *fmt, ...)
	LKA_PRINTF(5, 6);

static void
scan_diag(scanner *sc, lka_status sev, lka_errkind kind, const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!lka_diags_add(&sc->out->diags, sev, kind, where && *where ? where : NULL, "%s", msg))
		sc->oom = true;
}

static void
set_note(scanner *sc, lka_scan_file *f, const char *fmt, ...) LKA_PRINTF(3, 4);

static void
set_note(scanner *sc, lka_scan_file *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	free(f->note);
	f->note = sdup(sc, msg);
}

/*
 * A shared copy of s, owned by the scan.  Files arrive folder by folder, so
 * the few most recent strings are the ones asked for again.
 */
static char *
intern(scanner *sc, const char *s)
{
	lka_scan *out = sc->out;
	char *p;

	for (size_t i = out->n_strings, k = 0; i-- > 0 && k < 8; k++)
		if (strcmp(out->strings[i], s) == 0)
			return out->strings[i];
	if (out->n_strings == out->cap_strings) {
		size_t cap = out->cap_strings ? out->cap_strings * 2 : 16;
		char **v = realloc(out->strings, cap * sizeof *v);
		if (!v) {
			sc->oom = true;
			return NULL;
		}
		out->strings = v;
		out->cap_strings = cap;
	}
	p = sdup(sc, s);
	if (p)
		out->strings[out->n_strings++] = p;
	return p;
}

static void
set_folder(scanner *sc, lka_scan_file *f, const char *path, const char *folder_class)
{
	f->folder_path = intern(sc, path);
	f->folder_class = intern(sc, folder_class);
}

/* A new zeroed entry (relpath set); NULL on OOM.  Valid until the next add. */
static lka_scan_file *
add_file(scanner *sc, const char *dir, const char *name)
{
	lka_scan *s = sc->out;
	lka_scan_file *f;

	if (s->n_files == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		lka_scan_file *v = realloc(s->files, cap * sizeof *v);
		if (!v) {
			sc->oom = true;
			return NULL;
		}
		s->files = v;
		sc->cap = cap;
	}
	f = &s->files[s->n_files];
	memset(f, 0, sizeof *f);
	f->relpath = join(sc, dir, name);
	if (!f->relpath)
		return NULL;
	s->n_files++;
	return f;
}

static int
open_evidence(int dfd, const char *name, int extra)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | extra;
	int fd = openat(dfd, name, flags | O_NOATIME);

	/* O_NOATIME is refused (EPERM) on files we do not own */
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, flags);
	return fd;
}

/*
 * Hash an open regular file with one pass of reads from where it stands,
 * keeping its first HEAD_BYTES in head (when head is not NULL).  io: an
 * IO_BYTES buffer.  Returns 0 or an errno value.
 */
static int
hash_fd(int fd, unsigned char *io, unsigned char *head, size_t *head_len,
	uint8_t sha[LKA_SHA256_LEN], uint64_t *size)
{
	lka_sha256 h;
	uint64_t total = 0;
	ssize_t r;

	if (head_len)
		*head_len = 0;
	lka_sha256_init(&h);
	for (;;) {
		r = read(fd, io, IO_BYTES);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (r == 0)
			break;
		if (head && *head_len < HEAD_BYTES) {
			size_t k = HEAD_BYTES - *head_len;
			if (k > (size_t)r)
				k = (size_t)r;
			memcpy(head + *head_len, io, k);
			*head_len += k;
		}
		lka_sha256_update(&h, io, (size_t)r);
		total += (uint64_t)r;
	}
	lka_sha256_final(&h, sha);
	*size = total;
	return 0;
}

/* ------------------------------------------------------- hashing threads */

static hjob *
find_slot(hpool *p, int state)
{
	for (size_t i = 0; i < HASH_SLOTS; i++)
		if ((int)p->slot[i].state == state)
			return &p->slot[i];
	return NULL;
}

static void *
hash_thread(void *arg)
{
	hpool *p = arg;
	unsigned char *io = malloc(IO_BYTES);

	pthread_mutex_lock(&p->mu);
	for (;;) {
		hjob *j;

		while (!(j = find_slot(p, SLOT_QUEUED)) && !p->quit)
			pthread_cond_wait(&p->work, &p->mu);
		if (!j)
			break; /* told to quit, nothing queued */
		j->state = SLOT_BUSY;
		pthread_mutex_unlock(&p->mu);
		j->err = io ? hash_fd(j->fd, io, NULL, NULL, j->sha256, &j->size) : ENOMEM;
		close(j->fd);
		pthread_mutex_lock(&p->mu);
		j->state = SLOT_DONE;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	free(io);
	return NULL;
}

/* Start up to n hashing threads; with none, files are hashed in line. */
static void
pool_start(scanner *sc, unsigned n)
{
	hpool *p = calloc(1, sizeof *p);

	if (!p)
		return;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return;
	}
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (; p->n_th < n && p->n_th < HASH_THREADS; p->n_th++)
		if (pthread_create(&p->th[p->n_th], NULL, hash_thread, p) != 0)
			break;
	if (p->n_th == 0) {
		pthread_cond_destroy(&p->work);
		pthread_cond_destroy(&p->done);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return;
	}
	sc->pool = p;
}

/* A hashed file's result into its entry (the walk's thread, lock held). */
static void
harvest(scanner *sc, hjob *j)
{
	lka_scan_file *f = &sc->out->files[j->file];

	memcpy(f->sha256, j->sha256, LKA_SHA256_LEN);
	if (j->err) {
		f->role = LKA_ROLE_UNREADABLE;
		set_note(sc, f, "cannot read: %s", strerror(j->err));
		scan_diag(sc, LKA_WARN, LKA_E_IO, f->relpath, "cannot read: %s", strerror(j->err));
	} else {
		if (j->size != f->size)
			scan_diag(sc, LKA_WARN, LKA_E_CHANGED, f->relpath,
				  "changed while being scanned: %llu bytes when opened, %llu hashed",
				  (unsigned long long)f->size, (unsigned long long)j->size);
		f->size = j->size;
	}
	j->state = SLOT_FREE;
}

/* Hand the open fd of out->files[file] to the threads (they close it). */
static void
pool_submit(scanner *sc, size_t file, int fd)
{
	hpool *p = sc->pool;
	hjob *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while ((j = find_slot(p, SLOT_DONE)))
			harvest(sc, j);
		if ((j = find_slot(p, SLOT_FREE)))
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	j->file = file;
	j->fd = fd;
	j->err = 0;
	j->state = SLOT_QUEUED;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for every file handed out, take the results, stop the threads. */
static void
pool_finish(scanner *sc)
{
	hpool *p = sc->pool;
	hjob *j;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while ((j = find_slot(p, SLOT_DONE)))
			harvest(sc, j);
		if (!find_slot(p, SLOT_QUEUED) && !find_slot(p, SLOT_BUSY))
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	p->quit = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_th; i++)
		pthread_join(p->th[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
	sc->pool = NULL;
}

/*
 * Open the regular file name in dfd (lst: its lstat), keep its first
 * HEAD_BYTES in sc->head, and hash it: in line, or on the hashing threads
 * (then f->size is its size when opened until the hash is harvested).
 * Returns 0, or an errno value with *what saying which step failed.
 */
static int
hash_entry(scanner *sc, int dfd, const char *name, const struct stat *lst, lka_scan_file *f,
	   const char **what)
{
	struct stat st;
	int fd, e;

	fd = open_evidence(dfd, name, 0);
	if (fd < 0) {
		*what = "cannot open";
		return errno;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		*what = "cannot stat";
		return e;
	}
	if (!S_ISREG(st.st_mode) ||
	    (lst && (st.st_dev != lst->st_dev || st.st_ino != lst->st_ino))) {
		close(fd);
		*what = "replaced while being scanned";
		return EAGAIN;
	}
	f->mtime = (int64_t)st.st_mtime;
	*what = "cannot read";
	if (sc->pool) {
		sc->head_len = 0;
		while (sc->head_len < HEAD_BYTES) {
			ssize_t r = pread(fd, sc->head + sc->head_len, HEAD_BYTES - sc->head_len,
					  (off_t)sc->head_len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				e = errno;
				close(fd);
				return e;
			}
			if (r == 0)
				break;
			sc->head_len += (size_t)r;
		}
		f->size = (uint64_t)st.st_size;
		pool_submit(sc, (size_t)(f - sc->out->files), fd);
		return 0;
	}
	e = hash_fd(fd, sc->io, sc->head, &sc->head_len, f->sha256, &f->size);
	close(fd);
	return e;
}

static bool
has_nul(const unsigned char *p, size_t n)
{
	return memchr(p, '\0', n < BINARY_PROBE ? n : BINARY_PROBE) != NULL;
}

/* A known signature of a format that is not mail: its description, else NULL. */
static const char *
signature(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} sigs[] = {
		{ "!BDN", 4, "Outlook PST/OST file (no reader yet)" },
		{ "PK\3\4", 4, "zip archive (no reader yet)" },
		{ "PK\5\6", 4, "empty zip archive" },
		{ "\x1f\x8b", 2, "gzip data (no reader yet)" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8,
		  "OLE2 compound file, e.g. Outlook .msg (no reader yet)" },
		{ "\x78\x9f\x3e\x22", 4, "TNEF data, winmail.dat (no reader yet)" },
		{ "7z\xbc\xaf\x27\x1c", 6, "7-Zip archive (no reader yet)" },
		{ "Rar!\x1a\x07", 6, "RAR archive (no reader yet)" },
		{ "%PDF-", 5, "PDF document, not a mail format" },
		{ "BEGIN:VCARD", 11, "vCard (no reader yet)" },
	};

	for (size_t i = 0; i < LKA_ARRAY_LEN(sigs); i++)
		if (n >= sigs[i].len && memcmp(p, sigs[i].magic, sigs[i].len) == 0)
			return sigs[i].what;
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return "tar archive (no reader yet)";
	return NULL;
}

/* What a file we do not read seems to be, for its note. */
static const char *
describe_unknown(const unsigned char *p, size_t n)
{
	const char *what = signature(p, n);

	if (what)
		return what;
	if (has_nul(p, n))
		return "binary data, not a mail format";
	return "text, not a mail format we read";
}

/* Decide role, format and folder of a regular file from where it is and its first bytes. */
static void
classify(scanner *sc, lka_scan_file *f, const char *name, const char *dir_rel, dir_kind kind,
	 const char *mdfolder)
{
	const unsigned char *head = sc->head;
	size_t hn = sc->head_len;
	lka_format fmt = f->size ? lka_detect_format(head, hn, name) : LKA_FMT_UNKNOWN;

	f->format = fmt;
	switch (kind) {
	case DIR_MAILDIR_TMP:
		set_folder(sc, f, mdfolder, "maildir");
		f->role = LKA_ROLE_MAILDIR_TMP;
		set_note(sc, f, "in maildir tmp/: not a delivered message");
		return;
	case DIR_MAILDIR_CUR:
	case DIR_MAILDIR_NEW:
		set_folder(sc, f, mdfolder, "maildir");
		if (name[0] == '.') {
			f->role = f->size ? LKA_ROLE_IGNORED : LKA_ROLE_EMPTY;
			set_note(sc, f, "dot-file in a maildir: not a message");
		} else if (f->size == 0) {
			f->role = LKA_ROLE_EMPTY;
		} else if (fmt == LKA_FMT_UNKNOWN && (signature(head, hn) || has_nul(head, hn))) {
			/* clearly not mail: anything else in cur/ or new/ is read as a message */
			f->role = LKA_ROLE_IGNORED;
			set_note(sc, f, "in maildir %s/ but not mail: %s",
				 kind == DIR_MAILDIR_CUR ? "cur" : "new",
				 describe_unknown(head, hn));
		} else {
			/* a maildir file is one message, whatever its first line looks like */
			f->role = LKA_ROLE_MESSAGES;
			f->format = LKA_FMT_EML;
			f->maildir_sub = intern(sc, kind == DIR_MAILDIR_CUR ? "cur" : "new");
		}
		return;
	case DIR_MAILDIR:
	case DIR_PLAIN:
		break;
	}
	if (kind == DIR_MAILDIR)
		set_folder(sc, f, mdfolder, "maildir");
	if (kind == DIR_MAILDIR && strcmp(name, "maildirfolder") == 0) {
		f->role = f->size ? LKA_ROLE_IGNORED : LKA_ROLE_EMPTY;
		set_note(sc, f, "Maildir++ folder marker");
	} else if (f->size == 0) {
		f->role = LKA_ROLE_EMPTY;
	} else if (fmt == LKA_FMT_MBOX || fmt == LKA_FMT_ARCHIVE) {
		/* an mbox file (an archive) is a folder of its own */
		f->role = LKA_ROLE_MESSAGES;
		set_folder(sc, f, f->relpath, fmt == LKA_FMT_MBOX ? "mbox" : "archive");
		return;
	} else if (fmt == LKA_FMT_PST) {
		/* a PST is a tree of folders of its own: the reader emits them below this one */
		f->role = LKA_ROLE_MESSAGES;
		set_folder(sc, f, f->relpath, "pst");
		return;
	} else if (fmt == LKA_FMT_EML || fmt == LKA_FMT_EMLX || fmt == LKA_FMT_TNEF ||
		   fmt == LKA_FMT_MSG) {
		f->role = LKA_ROLE_MESSAGES;
	} else if (fmt == LKA_FMT_VCARD || fmt == LKA_FMT_LDIF || fmt == LKA_FMT_CSVBOOK) {
		f->role = LKA_ROLE_MESSAGES; /* address books: their entries are the items */
	} else {
		f->role = LKA_ROLE_IGNORED;
		set_note(sc, f, "%s", describe_unknown(head, hn));
	}
	if (kind == DIR_PLAIN)
		set_folder(sc, f, dir_rel, "directory");
}

static void
add_regular(scanner *sc, int dfd, const char *rel, const dent *e, dir_kind kind,
	    const char *mdfolder)
{
	lka_scan_file *f = add_file(sc, rel, e->name);
	const char *what = NULL;
	int err;

	if (!f)
		return;
	f->mtime = (int64_t)e->st.st_mtime;
	err = hash_entry(sc, dfd, e->name, &e->st, f, &what);
	if (err) {
		f->size = (uint64_t)e->st.st_size;
		f->role = LKA_ROLE_UNREADABLE;
		set_folder(sc, f, kind == DIR_PLAIN ? rel : mdfolder,
			   kind == DIR_PLAIN ? "directory" : "maildir");
		set_note(sc, f, "%s: %s", what, strerror(err));
		scan_diag(sc, LKA_WARN, LKA_E_IO, f->relpath, "%s: %s", what, strerror(err));
		return;
	}
	classify(sc, f, e->name, rel, kind, mdfolder);
}

static void
add_special(scanner *sc, const char *rel, const dent *e, dir_kind kind, const char *mdfolder)
{
	lka_scan_file *f = add_file(sc, rel, e->name);
	mode_t m = e->st.st_mode;
	const char *what;

	if (!f)
		return;
	f->role = LKA_ROLE_SPECIAL;
	f->mtime = (int64_t)e->st.st_mtime;
	lka_sha256_buf("", 0, f->sha256);
	set_folder(sc, f, kind == DIR_PLAIN ? rel : mdfolder,
		   kind == DIR_PLAIN ? "directory" : "maildir");
	if (S_ISLNK(m))
		what = "symbolic link, not followed";
	else if (S_ISFIFO(m))
		what = "named pipe, not read";
	else if (S_ISSOCK(m))
		what = "socket, not read";
	else if (S_ISCHR(m) || S_ISBLK(m))
		what = "device file, not read";
	else
		what = "special file, not read";
	set_note(sc, f, "%s", what);
}

static int
dent_cmp(const void *a, const void *b)
{
	return strcmp(((const dent *)a)->name, ((const dent *)b)->name);
}

static const dent *
find_dent(const dent *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static bool
is_subdir(const dent *v, size_t n, const char *name)
{
	const dent *e = find_dent(v, n, name);

	return e && !e->err && S_ISDIR(e->st.st_mode);
}

static bool
looks_like_maildir(const dent *v, size_t n)
{
	bool cur = is_subdir(v, n, "cur"), nw = is_subdir(v, n, "new");
	bool tmp = is_subdir(v, n, "tmp");

	return cur || (nw && tmp) || (nw && find_dent(v, n, "maildirfolder"));
}

/* Maildir++ ".A.B" below folder -> "folder/A/B". */
static char *
maildirpp_folder(scanner *sc, const char *folder, const char *dotname)
{
	char *sub = sdup(sc, dotname + 1), *p;

	if (!sub)
		return NULL;
	for (char *q = sub; *q; q++)
		if (*q == '.')
			*q = '/';
	p = join(sc, folder, sub);
	free(sub);
	return p;
}

static void
free_dents(dent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Read the entries of d, lstat'ed, sorted by name. */
static bool
read_dents(scanner *sc, DIR *d, const char *rel, dent **out, size_t *out_n)
{
	dent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				scan_diag(sc, LKA_WARN, LKA_E_IO, rel, "cannot list folder: %s",
					  strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 32;
			dent *w = realloc(v, c * sizeof *w);
			if (!w)
				goto oom;
			v = w;
			cap = c;
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].name = lka__strdup(de->d_name);
		if (!v[n].name)
			goto oom;
		if (fstatat(dirfd(d), de->d_name, &v[n].st, AT_SYMLINK_NOFOLLOW) < 0)
			v[n].err = errno;
		n++;
	}
	if (n)
		qsort(v, n, sizeof *v, dent_cmp);
	*out = v;
	*out_n = n;
	return true;
oom:
	sc->oom = true;
	free_dents(v, n);
	return false;
}

/*
 * Scan the directory open at dfd (owned: closed here).  rel: its path from
 * the source ("" for the root).  mdfolder: the maildir folder for maildir
 * kinds.  pp_folder: the folder to use if this directory turns out to be a
 * maildir (Maildir++ subfolder), else NULL.  *was_maildir (may be NULL):
 * set when this directory is a maildir.
 */
static void
scan_dir(scanner *sc, int dfd, const char *rel, uint32_t depth, dir_kind kind,
	 const char *mdfolder, const char *pp_folder, bool *was_maildir)
{
	DIR *d = fdopendir(dfd);
	dent *v = NULL;
	size_t n = 0;
	char *own_folder = NULL;

	if (!d) {
		scan_diag(sc, LKA_WARN, LKA_E_IO, rel, "cannot list folder: %s", strerror(errno));
		close(dfd);
		return;
	}
	if (!read_dents(sc, d, rel, &v, &n))
		goto out;
	if (kind == DIR_PLAIN && looks_like_maildir(v, n)) {
		kind = DIR_MAILDIR;
		own_folder = sdup(sc, pp_folder ? pp_folder : rel);
		if (!own_folder)
			goto out;
		mdfolder = own_folder;
		if (was_maildir)
			*was_maildir = true;
	}
	for (size_t i = 0; i < n && !sc->oom; i++) {
		const dent *e = &v[i];
		dir_kind sub = DIR_PLAIN;
		char *child = NULL, *pp = NULL;
		int cfd;

		if (e->err) {
			lka_scan_file *f = add_file(sc, rel, e->name);
			if (!f)
				break;
			f->role = LKA_ROLE_UNREADABLE;
			set_folder(sc, f, kind == DIR_PLAIN ? rel : mdfolder,
				   kind == DIR_PLAIN ? "directory" : "maildir");
			set_note(sc, f, "cannot stat: %s", strerror(e->err));
			scan_diag(sc, LKA_WARN, LKA_E_IO, f->relpath, "cannot stat: %s",
				  strerror(e->err));
			continue;
		}
		if (S_ISREG(e->st.st_mode)) {
			add_regular(sc, dirfd(d), rel, e, kind, mdfolder);
			continue;
		}
		if (!S_ISDIR(e->st.st_mode)) {
			add_special(sc, rel, e, kind, mdfolder);
			continue;
		}
		child = join(sc, rel, e->name);
		if (!child)
			break;
		if (depth + 1 > sc->limits->folder_depth) {
			scan_diag(sc, LKA_WARN, LKA_E_LIMIT, child,
				  "folder depth limit of %u reached: folder not scanned",
				  (unsigned)sc->limits->folder_depth);
			free(child);
			continue;
		}
		if (kind == DIR_MAILDIR) {
			if (strcmp(e->name, "cur") == 0)
				sub = DIR_MAILDIR_CUR;
			else if (strcmp(e->name, "new") == 0)
				sub = DIR_MAILDIR_NEW;
			else if (strcmp(e->name, "tmp") == 0)
				sub = DIR_MAILDIR_TMP;
			else if (e->name[0] == '.' && e->name[1] != '\0')
				pp = maildirpp_folder(sc, mdfolder, e->name);
		}
		cfd = open_evidence(dirfd(d), e->name, O_DIRECTORY);
		if (cfd < 0) {
			scan_diag(sc, LKA_WARN, LKA_E_IO, child, "cannot open folder: %s",
				  strerror(errno));
		} else {
			scan_dir(sc, cfd, child, depth + 1, sub, sub == DIR_PLAIN ? NULL : mdfolder,
				 pp, NULL);
		}
		free(pp);
		free(child);
	}
out:
	free(own_folder);
	free_dents(v, n);
	closedir(d);
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const lka_scan_file *)a)->relpath, ((const lka_scan_file *)b)->relpath);
}

/*
 * One manifest line as GNU sha256sum prints it: a name holding '\\', '\n'
 * or '\r' is escaped and the line starts with '\\'.
 */
static void
manifest_line(lka_sha256 *h, const lka_scan_file *f)
{
	char hex[LKA_SHA256_HEX];
	const char *p = f->relpath, *run = p;

	lka_sha256_hex(f->sha256, hex);
	if (strpbrk(p, "\\\n\r"))
		lka_sha256_update(h, "\\", 1);
	lka_sha256_update(h, hex, 64);
	lka_sha256_update(h, "  ", 2);
	for (; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : "\\r";
		if (*p != '\\' && *p != '\n' && *p != '\r')
			continue;
		lka_sha256_update(h, run, (size_t)(p - run));
		lka_sha256_update(h, esc, 2);
		run = p + 1;
	}
	lka_sha256_update(h, run, (size_t)(p - run));
	lka_sha256_update(h, "\n", 1);
}

static lka_status
scan_folder(scanner *sc, const char *path, lka_error *err)
{
	lka_scan *s = sc->out;
	lka_sha256 h;
	bool maildir = false;
	int fd;

	fd = open_evidence(AT_FDCWD, path, O_DIRECTORY);
	if (fd < 0)
		return lka__error_sys(err, LKA_FATAL, errno, path, "cannot open folder");
	s->is_dir = true;
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		if (ncpu > 1)
			pool_start(sc, (unsigned)(ncpu < HASH_THREADS ? ncpu : HASH_THREADS));
	}
	scan_dir(sc, fd, "", 0, DIR_PLAIN, NULL, NULL, &maildir);
	pool_finish(sc);
	if (sc->oom)
		return LKA_FATAL;
	if (s->n_files)
		qsort(s->files, s->n_files, sizeof *s->files, file_cmp);
	lka_sha256_init(&h);
	for (size_t i = 0; i < s->n_files; i++) {
		const lka_scan_file *f = &s->files[i];
		s->bytes += f->size;
		/* the manifest lists what `find -type f | sha256sum` lists: hashed regular files */
		if (f->role != LKA_ROLE_SPECIAL && f->role != LKA_ROLE_UNREADABLE)
			manifest_line(&h, f);
	}
	lka_sha256_final(&h, s->sha256);
	s->kind = maildir ? LKA_FMT_MAILDIR : LKA_FMT_FOLDER;
	return LKA_OK;
}

static lka_status
scan_file(scanner *sc, const char *path, const struct stat *lst, lka_error *err)
{
	lka_scan *s = sc->out;
	const char *base = strrchr(s->root, '/');
	const char *what = NULL;
	lka_scan_file *f;
	int e;

	base = base && base[1] ? base + 1 : s->root;
	f = add_file(sc, "", base);
	if (!f)
		return LKA_FATAL;
	e = hash_entry(sc, AT_FDCWD, path, lst, f, &what);
	if (e)
		return lka__error_sys(err, LKA_FATAL, e, path, "%s", what);
	f->format = f->size ? lka_detect_format(sc->head, sc->head_len, base) : LKA_FMT_UNKNOWN;
	if (f->size == 0) {
		f->role = LKA_ROLE_EMPTY;
		set_note(sc, f, "empty file");
	} else if (f->format == LKA_FMT_UNKNOWN) {
		f->role = LKA_ROLE_IGNORED;
		set_note(sc, f, "%s", describe_unknown(sc->head, sc->head_len));
	} else {
		f->role = LKA_ROLE_MESSAGES;
	}
	set_folder(sc, f, "", f->format == LKA_FMT_MBOX ? "mbox" : "file");
	if (f->role != LKA_ROLE_MESSAGES)
		scan_diag(sc, LKA_WARN, LKA_E_UNSUPPORTED, base, "not read: %s", f->note);
	s->kind = f->format;
	s->bytes = f->size;
	memcpy(s->sha256, f->sha256, LKA_SHA256_LEN);
	return LKA_OK;
}

lka_status
lka_scan_source(lka_scan *out, const char *path, const lka_limits *limits, lka_error *err)
{
	lka_scan s = { 0 };
	lka_limits defaults;
	scanner sc = { .out = &s, .limits = limits };
	struct stat st;
	lka_status rc;

	memset(out, 0, sizeof *out);
	if (!limits) {
		lka_limits_default(&defaults);
		sc.limits = &defaults;
	}
	if (lstat(path, &st) < 0) {
		rc = lka__error_sys(err, LKA_FATAL, errno, path, "cannot stat");
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		rc = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path,
				"is a symbolic link: give the path of its target");
		goto out;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		rc = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path,
				"neither a regular file nor a folder");
		goto out;
	}
	s.root = realpath(path, NULL);
	if (!s.root) {
		rc = lka__error_sys(err, LKA_FATAL, errno, path, "cannot resolve the path");
		goto out;
	}
	sc.io = malloc(IO_BYTES);
	sc.head = malloc(HEAD_BYTES);
	if (!sc.io || !sc.head) {
		sc.oom = true;
		rc = LKA_FATAL;
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		rc = scan_folder(&sc, path, err);
	else
		rc = scan_file(&sc, path, &st, err);
	if (rc == LKA_OK && !sc.oom) {
		*out = s;
		memset(&s, 0, sizeof s);
	}
out:
	if (sc.oom)
		rc = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, path, "out of memory");
	free(sc.io);
	free(sc.head);
	lka_scan_clear(&s);
	return rc;
}
