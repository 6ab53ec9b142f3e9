/*
 * archive.c — archives read with libarchive, in memory or streamed from a
 * file descriptor, one member at a time; nothing is ever written to disk.
 *
 * Hostile archives are the rule here, not the exception:
 *  - sizes an entry declares are never trusted (a 181-byte zip declares
 *    2 GiB): member data is read in chunks into a buffer capped by the
 *    caller, the rest is only hashed;
 *  - bombs: every member read counts against a budget shared by a container
 *    and all it holds (members, unpacked bytes, unpacked/packed ratio), and
 *    nesting is bounded (limits->archive_depth); a container that holds
 *    itself is not opened again;
 *  - names are data: absolute and ../ names are recorded and flagged, never
 *    used as paths; names that are not UTF-8 are decoded with a legacy
 *    charset guess and flagged;
 *  - only formats and filters that read from the archive alone are enabled:
 *    no mtree (it opens files named in the archive), no external programs.
 *
 * libarchive converts names through the locale: lka_arc_* switch the calling
 * thread to the UTF-8 locale they are given (uselocale), never the process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archives.h"
#include "reader.h"

#define CHUNK 65536
#define RATIO_FLOOR ((uint64_t)1 << 20) /* unpacked bytes before the ratio limit applies */
#define MAX_PASSWORDS 32
#define PASSWORD_MAX 64

struct lka_arc {
	struct archive *a;
	int fd;
	const void *mem;
	size_t n;
	locale_t utf8;
	char *passphrase;
	uint64_t member_cap;
	uint64_t entries;   /* headers read */
	bool restreamed;
	bool failed;
	char error[320];
	lka_sha256 h;       /* of the current member's data */
	lka_buf keep;       /* its bytes kept so far */
	uint64_t *seen;     /* hashes of member paths (open addressing, 0 = free) */
	size_t seen_cap, seen_n;
};

/* ------------------------------------------------------------ kinds */

const char *
lka_arc_kind(const unsigned char *p, size_t n)
{
	if (!p)
		return NULL;
	if (n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6) || (p[2] == 7 && p[3] == 8)))
		return "zip";
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return "gzip";
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return "bzip2";
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 6 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6))
		return "7z";
	if (n >= 263 && !memcmp(p + 257, "ustar", 5) && (p[262] == 0 || p[262] == ' '))
		return "tar";
	if (n >= 6 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6) ||
		       !memcmp(p, "070707", 6)))
		return "cpio";
	if (n >= 2 && ((p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7)))
		return n >= 26 ? "cpio" : NULL;
	if (n >= 7 && !memcmp(p, "Rar!\x1a\x07", 6))
		return "rar";
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (n >= 5 && !memcmp(p, "LZIP\1", 5))
		return "lzip";
	return NULL;
}

/* ------------------------------------------------------------ entries */

void
lka_arc_entry_clear(lka_arc_entry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e->name_flags);
	free(e->data);
	memset(e, 0, sizeof *e);
}

static void
set_error(lka_arc *a, const char *what)
{
	const char *le = a->a ? archive_error_string(a->a) : NULL;

	snprintf(a->error, sizeof a->error, "%s%s%s", what, le ? ": " : "", le ? le : "");
}

/* Enable what reads from the archive alone (see the header comment). */
static void
support(struct archive *a, bool streaming)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_compress(a);
	archive_read_support_filter_uu(a);
	if (streaming) {
		archive_read_support_format_zip_streamable(a);
		return;
	}
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_raw(a); /* a compressed single file: one member */
}

static bool
open_archive(lka_arc *a, bool streaming)
{
	int r;

	if (a->a)
		archive_read_free(a->a);
	a->a = archive_read_new();
	if (!a->a) {
		snprintf(a->error, sizeof a->error, "out of memory");
		return false;
	}
	support(a->a, streaming);
	if (a->passphrase)
		archive_read_add_passphrase(a->a, a->passphrase);
	if (a->fd >= 0)
		r = archive_read_open_fd(a->a, a->fd, CHUNK);
	else
		r = archive_read_open_memory(a->a, a->mem, a->n);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
		set_error(a, "cannot open the archive");
		return false;
	}
	return true;
}

lka_status
lka_arc_open(lka_arc **out, int fd, const void *mem, size_t n, locale_t utf8,
	     const char *passphrase, uint64_t member_cap, char *why, size_t cap)
{
	lka_arc *a = calloc(1, sizeof *a);
	locale_t old = (locale_t)0;
	bool ok;

	*out = NULL;
	if (!a) {
		snprintf(why, cap, "out of memory");
		return LKA_FATAL;
	}
	a->fd = fd;
	a->mem = mem ? mem : "";
	a->n = mem ? n : 0;
	a->utf8 = utf8;
	a->member_cap = member_cap;
	if (passphrase && !(a->passphrase = lka__strdup(passphrase))) {
		free(a);
		snprintf(why, cap, "out of memory");
		return LKA_FATAL;
	}
	if (utf8)
		old = uselocale(utf8);
	ok = open_archive(a, false);
	if (utf8)
		uselocale(old);
	if (!ok) {
		snprintf(why, cap, "%s", a->error);
		lka_arc_free(a);
		return LKA_FAILED;
	}
	*out = a;
	return LKA_OK;
}

void
lka_arc_free(lka_arc *a)
{
	if (!a)
		return;
	if (a->a)
		archive_read_free(a->a);
	free(a->passphrase);
	free(a->seen);
	lka_buf_free(&a->keep);
	free(a);
}

const char *
lka_arc_error(const lka_arc *a)
{
	return a->error;
}

bool
lka_arc_restreamed(const lka_arc *a)
{
	return a->restreamed;
}

const char *
lka_arc_format(lka_arc *a)
{
	int code = a->a ? archive_format(a->a) : 0;
	int filter = a->a && archive_filter_count(a->a) > 1 ? archive_filter_code(a->a, 0)
							       : ARCHIVE_FILTER_NONE;

	switch (code & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_ZIP:
		return "zip";
	case ARCHIVE_FORMAT_TAR:
		switch (filter) {
		case ARCHIVE_FILTER_GZIP:
			return "tar.gz";
		case ARCHIVE_FILTER_BZIP2:
			return "tar.bz2";
		case ARCHIVE_FILTER_XZ:
			return "tar.xz";
		case ARCHIVE_FILTER_ZSTD:
			return "tar.zst";
		default:
			return "tar";
		}
	case ARCHIVE_FORMAT_CPIO:
		return "cpio";
	case ARCHIVE_FORMAT_7ZIP:
		return "7z";
	case ARCHIVE_FORMAT_RAR:
	case ARCHIVE_FORMAT_RAR_V5:
		return "rar";
	case ARCHIVE_FORMAT_CAB:
		return "cab";
	case ARCHIVE_FORMAT_LHA:
		return "lha";
	case ARCHIVE_FORMAT_ISO9660:
		return "iso9660";
	case ARCHIVE_FORMAT_XAR:
		return "xar";
	case ARCHIVE_FORMAT_AR:
		return "ar";
	case ARCHIVE_FORMAT_RAW:
		switch (filter) {
		case ARCHIVE_FILTER_GZIP:
			return "gzip";
		case ARCHIVE_FILTER_BZIP2:
			return "bzip2";
		case ARCHIVE_FILTER_XZ:
			return "xz";
		case ARCHIVE_FILTER_LZMA:
			return "lzma";
		case ARCHIVE_FILTER_LZIP:
			return "lzip";
		case ARCHIVE_FILTER_ZSTD:
			return "zstd";
		case ARCHIVE_FILTER_COMPRESS:
			return "compress";
		default:
			return "raw";
		}
	default:
		return "archive";
	}
}

/* ------------------------------------------------------------ names */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

/* Record a path; true when it was seen before in this archive. */
static bool
seen_before(lka_arc *a, const char *path)
{
	uint64_t h = fnv1a(path);
	size_t i;

	if (a->seen_n * 2 >= a->seen_cap) {
		size_t cap = a->seen_cap ? a->seen_cap * 2 : 64;
		uint64_t *v = calloc(cap, sizeof *v);

		if (!v)
			return false;
		for (size_t k = 0; k < a->seen_cap; k++) {
			if (!a->seen[k])
				continue;
			for (i = a->seen[k] % cap; v[i]; i = (i + 1) % cap)
				;
			v[i] = a->seen[k];
		}
		free(a->seen);
		a->seen = v;
		a->seen_cap = cap;
	}
	for (i = h % a->seen_cap; a->seen[i]; i = (i + 1) % a->seen_cap)
		if (a->seen[i] == h)
			return true;
	a->seen[i] = h;
	a->seen_n++;
	return false;
}

static void
add_flag(lka_buf *f, const char *flag)
{
	if (f->len)
		lka_buf_addc(f, ',');
	lka_buf_adds(f, flag);
}

/* The entry's name as UTF-8, and what is odd about it. */
static void
entry_name(lka_arc *a, struct archive_entry *ae, lka_arc_entry *e)
{
	const char *raw = archive_entry_pathname(ae);
	const char *u8 = NULL;
	bool legacy = false, dotdot = false, ctrl = false, absolute = false;
	lka_buf f;

	if (!raw || lka_utf8_valid(raw, strlen(raw))) {
		e->path = lka__strdup(raw ? raw : "");
	} else if ((u8 = archive_entry_pathname_utf8(ae)) && lka_utf8_valid(u8, strlen(u8)) &&
		   strcmp(u8, raw) != 0) {
		e->path = lka__strdup(u8);
	} else {
		/* Not UTF-8 and no UTF-8 flag: the creator's legacy code page.
		 * Japanese Windows writes Shift_JIS (CP932), western DOS/Windows
		 * tools CP437/CP850; try the strict one first. */
		bool lossy = true;
		char *t = lka_text_to_utf8(raw, strlen(raw), "CP932", &lossy);

		if (t && lossy) {
			free(t);
			t = lka_text_to_utf8(raw, strlen(raw), "CP850", NULL);
		}
		e->path = t;
		legacy = true;
	}
	if (!e->path)
		return;
	for (const char *p = e->path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			ctrl = true;
	{
		const char *p = e->path;

		if (p[0] == '/' || p[0] == '\\' ||
		    (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':'))
			absolute = true;
		while (*p) {
			size_t len = strcspn(p, "/\\");

			if (len == 2 && p[0] == '.' && p[1] == '.')
				dotdot = true;
			p += len;
			if (*p)
				p++;
		}
	}
	lka_buf_init(&f, 0);
	if (absolute)
		add_flag(&f, "absolute");
	if (dotdot)
		add_flag(&f, "dotdot");
	if (legacy)
		add_flag(&f, "legacy-charset");
	if (ctrl)
		add_flag(&f, "control-chars");
	if (archive_entry_filetype(ae) == AE_IFREG && seen_before(a, e->path))
		add_flag(&f, "duplicate-name");
	e->name_flags = f.len && !f.oom ? lka_buf_steal(&f, NULL) : NULL;
	lka_buf_free(&f);
}

/* ------------------------------------------------------------ members */

static bool
over_budget(lka_arc_budget *bud, const lka_limits *lim, char *why, size_t cap)
{
	if (bud->out_bytes > lim->archive_bytes) {
		snprintf(why, cap, "archive bomb: more than %" PRIu64 " bytes unpacked",
			 lim->archive_bytes);
		return true;
	}
	if (bud->out_bytes > RATIO_FLOOR && lim->archive_ratio &&
	    bud->out_bytes / (bud->in_bytes ? bud->in_bytes : 1) > lim->archive_ratio) {
		snprintf(why, cap,
			 "archive bomb: %" PRIu64 " bytes unpacked from %" PRIu64
			 " (ratio over %" PRIu32 ")",
			 bud->out_bytes, bud->in_bytes, lim->archive_ratio);
		return true;
	}
	return false;
}

/*
 * Read the current member's data until it holds `until` bytes (or all of
 * it), hashing everything; bytes go to fd when fd >= 0, else are kept up to
 * the member cap.  Sets e->at_end when the data is exhausted.
 */
static void
pump(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim, uint64_t until,
     int fd)
{
	unsigned char *buf;

	if (e->at_end)
		return;
	buf = malloc(CHUNK);
	if (!buf) {
		snprintf(e->error, sizeof e->error, "out of memory");
		e->damaged = true;
		e->at_end = true;
		return;
	}
	while (e->size < until) {
		size_t want = until - e->size < CHUNK ? (size_t)(until - e->size) : CHUNK;
		la_ssize_t r = archive_read_data(a->a, buf, want);

		if (r == 0) {
			e->at_end = true;
			break;
		}
		if (r < 0) {
			const char *le = archive_error_string(a->a);

			snprintf(e->error, sizeof e->error, "%s", le ? le : "cannot read the data");
			e->damaged = true;
			e->at_end = true;
			if (r == ARCHIVE_FATAL) {
				a->failed = true;
				snprintf(a->error, sizeof a->error, "cannot be read further: %s",
					 e->error);
			}
			break;
		}
		lka_sha256_update(&a->h, buf, (size_t)r);
		e->size += (uint64_t)r;
		bud->out_bytes += (uint64_t)r;
		if (fd >= 0) {
			if (!lka__write_all(fd, buf, (size_t)r)) {
				snprintf(e->error, sizeof e->error, "cannot write the copy: %s",
					 strerror(errno));
				e->damaged = true;
				e->at_end = true;
				break;
			}
		} else if (!e->truncated) {
			if (a->keep.len + (size_t)r > a->member_cap ||
			    !lka_buf_add(&a->keep, buf, (size_t)r))
				e->truncated = true;
		}
		if (over_budget(bud, lim, e->error, sizeof e->error)) {
			bud->spent = true;
			e->damaged = true;
			e->at_end = true;
			break;
		}
	}
	free(buf);
}

/* Hand the kept bytes and the hash to e. */
static void
settle_entry(lka_arc *a, lka_arc_entry *e)
{
	free(e->data);
	e->len = a->keep.len;
	e->data = (unsigned char *)lka_buf_steal(&a->keep, NULL);
	lka_buf_free(&a->keep);
	lka_buf_init(&a->keep, 0);
	if (e->at_end)
		lka_sha256_final(&a->h, e->sha256);
}

int
lka_arc_peek(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim,
	     size_t peek)
{
	struct archive_entry *ae;
	locale_t old = (locale_t)0;
	int rc = -1, r;

	memset(e, 0, sizeof *e);
	if (a->failed || bud->spent)
		return a->failed ? -1 : 0;
	if (a->utf8)
		old = uselocale(a->utf8);
	for (;;) {
		r = archive_read_next_header(a->a, &ae);
		if (r == ARCHIVE_EOF && a->entries == 0 && !a->restreamed &&
		    (archive_format(a->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
		    (a->fd < 0 || lseek(a->fd, 0, SEEK_SET) == 0)) {
			/* The seekable zip reader saw no entry: its central
			 * directory may be the damaged part.  Read the local
			 * headers one after the other instead. */
			a->restreamed = true;
			if (!open_archive(a, true)) {
				a->failed = true;
				goto out;
			}
			continue;
		}
		break;
	}
	if (r == ARCHIVE_EOF) {
		rc = 0;
		goto out;
	}
	if (r == ARCHIVE_FATAL || r < ARCHIVE_FAILED) {
		set_error(a, a->entries ? "the archive is damaged after this point"
					: "not an archive that can be read");
		a->failed = true;
		goto out;
	}
	a->entries++;
	if (++bud->members > lim->archive_members) {
		snprintf(a->error, sizeof a->error,
			 "archive bomb: more than %" PRIu32 " members", lim->archive_members);
		bud->spent = true;
		rc = 0;
		goto out;
	}
	entry_name(a, ae, e);
	if (!e->path) {
		snprintf(a->error, sizeof a->error, "out of memory");
		a->failed = true;
		goto out;
	}
	e->regular = archive_entry_filetype(ae) == AE_IFREG;
	e->encrypted = archive_entry_is_encrypted(ae) != 0;
	if (r == ARCHIVE_FAILED) {
		const char *le = archive_error_string(a->a);

		snprintf(e->error, sizeof e->error, "%s", le ? le : "entry cannot be read");
		e->damaged = true;
	} else if (e->regular) {
		lka_sha256_init(&a->h);
		lka_buf_free(&a->keep);
		lka_buf_init(&a->keep, 0);
		pump(a, e, bud, lim, peek, -1);
		settle_entry(a, e);
		if (e->encrypted && e->damaged && !a->passphrase) {
			/* "Passphrase required for this entry": not damage, a fact */
			e->damaged = false;
			e->error[0] = '\0';
		}
	} else {
		e->at_end = true;
		lka_sha256_buf("", 0, e->sha256);
	}
	if (!e->data && !(e->data = calloc(1, 1))) {
		lka_arc_entry_clear(e);
		snprintf(a->error, sizeof a->error, "out of memory");
		a->failed = true;
		goto out;
	}
	rc = 1;
out:
	if (a->utf8)
		uselocale(old);
	return rc;
}

void
lka_arc_finish(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim, int fd)
{
	locale_t old = (locale_t)0;

	if (e->at_end)
		return;
	if (a->utf8)
		old = uselocale(a->utf8);
	if (fd < 0 && e->len) {
		/* keep going from what was peeked */
		lka_buf_add(&a->keep, e->data, e->len);
	}
	pump(a, e, bud, lim, UINT64_MAX, fd);
	e->at_end = true;
	if (fd >= 0) {
		lka_sha256_final(&a->h, e->sha256);
	} else {
		settle_entry(a, e);
		if (!e->data)
			e->data = calloc(1, 1);
	}
	if (e->encrypted && e->damaged && !a->passphrase) {
		e->damaged = false;
		e->error[0] = '\0';
	}
	if (a->utf8)
		uselocale(old);
}

int
lka_arc_next(lka_arc *a, lka_arc_entry *e, lka_arc_budget *bud, const lka_limits *lim)
{
	int r = lka_arc_peek(a, e, bud, lim, SIZE_MAX);

	if (r == 1 && !e->at_end)
		lka_arc_finish(a, e, bud, lim, -1);
	return r;
}

/* ------------------------------------------------------------ passwords */

static const char *const pw_words[] = {
	"password", "passwort", "passwd", "passcode", "pass word", "mot de passe", "mdp", "pwd",
	"code", "contraseña", "contrasena", "kennwort", "wachtwoord", "parola", "senha",
	"пароль", "clave", "pw",
};

static bool
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

static bool
add_one(char **out, size_t *n, size_t max, const char *p, size_t len)
{
	if (len == 0 || len > PASSWORD_MAX || *n >= max)
		return *n < max;
	for (size_t i = 0; i < *n; i++)
		if (strlen(out[i]) == len && !memcmp(out[i], p, len))
			return true;
	out[*n] = lka__strndup(p, len);
	if (out[*n])
		(*n)++;
	return *n < max;
}

/* A token as written (quotes removed), and without the punctuation that may end a sentence. */
static bool
add_candidate(char **out, size_t *n, size_t max, const char *p, size_t len)
{
	while (len && strchr("\"'`", p[len - 1]))
		len--;
	while (len && strchr("\"'`", p[0])) {
		p++;
		len--;
	}
	add_one(out, n, max, p, len);
	while (len && strchr(".,;:!?)]>", p[len - 1]))
		len--;
	while (len && strchr("([<", p[0])) {
		p++;
		len--;
	}
	return add_one(out, n, max, p, len);
}

/* Case-insensitive (ASCII) match of word at p. */
static bool
word_at(const char *p, const char *word)
{
	for (; *word; p++, word++) {
		unsigned char a = (unsigned char)*p, b = (unsigned char)*word;

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

size_t
lka_arc_passwords(const char *text, char **out, size_t max)
{
	size_t n = 0;

	if (!text)
		return 0;
	for (const char *p = text; *p && n < max; p++) {
		const char *q;
		size_t wl = 0;

		if (p > text && is_word_char((unsigned char)p[-1]) &&
		    (unsigned char)p[-1] < 0x80)
			continue; /* not at the start of a word */
		for (size_t i = 0; i < LKA_ARRAY_LEN(pw_words); i++)
			if (word_at(p, pw_words[i])) {
				wl = strlen(pw_words[i]);
				break;
			}
		if (!wl)
			continue;
		q = p + wl;
		/* the keyword ends a word (but "passwords", "passe:" are fine) */
		while (*q && is_word_char((unsigned char)*q) && (unsigned char)*q < 0x80 &&
		       q - p < (ptrdiff_t)wl + 2)
			q++;
		if (*q && is_word_char((unsigned char)*q) && (unsigned char)*q < 0x80)
			continue;
		/* quoted strings close by, then the next few tokens */
		{
			const char *end = q;
			int tokens = 0;

			for (int k = 0; *end && k < 120; k++, end++)
				if (*end == '\n' && end[1] == '\n')
					break;
			for (const char *r = q; r < end && n < max; r++) {
				char close = 0;

				if (*r == '"' || *r == '\'' || *r == '`')
					close = *r;
				if (close) {
					const char *c = memchr(r + 1, close, (size_t)(end - r - 1));

					if (c && c > r + 1 && c - r - 1 <= PASSWORD_MAX)
						add_candidate(out, &n, max, r + 1, (size_t)(c - r - 1));
				}
			}
			for (const char *r = q; r < end && tokens < 4 && n < max;) {
				size_t len;

				while (r < end && (*r == ' ' || *r == '\t' || *r == '\r' ||
						   *r == '\n' || *r == ':' || *r == '=' || *r == '-'))
					r++;
				len = strcspn(r, " \t\r\n");
				if (r + len > end)
					len = (size_t)(end - r);
				if (!len)
					break;
				add_candidate(out, &n, max, r, len);
				r += len;
				tokens++;
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------ expansion */

struct chain {
	const uint8_t *sha256;
	const struct chain *up;
};

static bool expand_rec(const lka_arc_env *env, lka_att *a, const unsigned char *p, size_t n,
		       unsigned depth, lka_arc_budget *bud, lka_diags *d,
		       const struct chain *up);

static const char *
base_name(const char *path)
{
	const char *s = path + strlen(path);

	while (s > path && (s[-1] == '/' || s[-1] == '\\'))
		s--;
	while (s > path && s[-1] != '/' && s[-1] != '\\')
		s--;
	return s;
}

static char *
member_filename(const char *path)
{
	const char *b = base_name(path);
	size_t len = strcspn(b, "/\\");

	return len ? lka__strndup(b, len) : NULL;
}

/* The name of the only member of a compressed file: the carrier's name without .gz. */
static char *
raw_member_name(const lka_att *a)
{
	static const char *const sfx[] = { ".gz", ".tgz", ".bz2", ".xz", ".lzma", ".zst", ".z",
					   ".lz" };
	const char *fn = a->filename;
	size_t n;

	if (!fn || !*fn)
		return lka__strdup("data");
	n = strlen(fn);
	for (size_t i = 0; i < LKA_ARRAY_LEN(sfx); i++) {
		size_t s = strlen(sfx[i]);

		if (n > s && !strcasecmp(fn + n - s, sfx[i]))
			return lka__strndup(fn, n - s);
	}
	return lka__strdup("data");
}

static bool
in_chain(const struct chain *c, const uint8_t *sha)
{
	for (; c; c = c->up)
		if (!memcmp(c->sha256, sha, LKA_SHA256_LEN))
			return true;
	return false;
}

/* One pass over the archive with a passphrase (or none). */
static bool
inventory(const lka_arc_env *env, lka_att *a, const unsigned char *p, size_t n, unsigned depth,
	  lka_arc_budget *bud, lka_diags *d, const struct chain *up, const char *pass,
	  bool *any_encrypted, bool *locked)
{
	const lka_limits *lim = env->limits;
	const char *where = a->part_path;
	uint64_t cap = lim->decoded_bytes;
	char label[320];
	lka_att *kids = NULL;
	size_t nk = 0, capk = 0;
	lka_arc *arc = NULL;
	char why[256];
	struct chain here = { a->sha256, up };
	bool raw;
	int r;

	*any_encrypted = false;
	*locked = false;
	if (where)
		snprintf(label, sizeof label, "attachment %s", where);
	else
		snprintf(label, sizeof label, "the archive");
	if (lka_arc_open(&arc, -1, p, n, env->utf8, pass, cap, why, sizeof why) != LKA_OK) {
		(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where, "%s: %s", label, why);
		return false;
	}
	free(a->container);
	a->container = NULL;
	for (;;) {
		lka_arc_entry e;
		lka_att *k;

		r = lka_arc_next(arc, &e, bud, lim);
		if (r <= 0)
			break;
		if (!a->container)
			a->container = lka__strdup(lka_arc_format(arc));
		raw = (archive_format(arc->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW;
		if (!e.regular) {
			lka_arc_entry_clear(&e);
			continue;
		}
		if (nk == capk) {
			size_t c = capk ? capk * 2 : 8;
			lka_att *v = realloc(kids, c * sizeof *v);

			if (!v) {
				lka_arc_entry_clear(&e);
				break;
			}
			kids = v;
			capk = c;
		}
		k = &kids[nk++];
		memset(k, 0, sizeof *k);
		if (raw) {
			free(e.path);
			e.path = raw_member_name(a);
		}
		k->part_path = e.path;
		e.path = NULL;
		k->filename = k->part_path ? member_filename(k->part_path) : NULL;
		k->name_flags = e.name_flags;
		e.name_flags = NULL;
		k->disposition = lka__strdup("attachment");
		k->size = e.size;
		memcpy(k->sha256, e.sha256, LKA_SHA256_LEN);
		k->encrypted = e.encrypted;
		if (e.encrypted)
			*any_encrypted = true;
		if (e.encrypted && !e.len && e.size == 0 && !e.damaged)
			*locked = true;
		if (e.truncated) {
			k->flags |= LKA_ATT_TRUNCATED;
			(void)lka_diags_add(d, LKA_WARN, LKA_E_LIMIT, where,
					    "member %s of %s: %" PRIu64
					    " bytes, over the limit: hashed, not kept",
					    k->part_path, label, e.size);
		}
		if (e.damaged) {
			k->flags |= LKA_ATT_DAMAGED;
			(void)lka_diags_add(d, LKA_WARN,
					    bud->spent ? LKA_E_LIMIT : LKA_E_CORRUPT, where,
					    "member %s of %s: %s", k->part_path,
					    label, e.error);
		}
		if (k->name_flags && (strstr(k->name_flags, "absolute") ||
				      strstr(k->name_flags, "dotdot")))
			(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where,
					    "member name %s of %s escapes the archive (%s): "
					    "recorded, never followed",
					    k->part_path, label,
					    k->name_flags);
		if (e.len && env->sniff)
			k->detected_type = env->sniff(env->ud, e.data, e.len);
		if (e.len && !e.truncated && !e.damaged) {
			const char *kind = lka_arc_kind(e.data, e.len);
			lka_format fmt = lka_detect_format(e.data, e.len < 65536 ? e.len : 65536,
							   k->filename);

			if (kind) {
				if (in_chain(&here, k->sha256))
					(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where,
							    "member %s of %s is an archive that "
							    "contains itself: not opened again",
							    k->part_path,
							    label);
				else
					expand_rec(env, k, e.data, e.len, depth + 1, bud, d,
						   &here);
			} else if ((fmt == LKA_FMT_EML || fmt == LKA_FMT_MBOX) &&
				   env->parse_mail) {
				k->embedded = env->parse_mail(env->ud, e.data, e.len,
							      k->part_path, depth);
			} else if (env->other) {
				env->other(env->ud, k, e.data, e.len, depth + 1, d);
			}
		}
		if (env->store_content && !e.truncated && !e.damaged) {
			k->data = e.data;
			k->data_len = e.len;
			e.data = NULL;
		}
		lka_arc_entry_clear(&e);
		if (bud->spent)
			break;
	}
	if (r < 0)
		(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where, "%s: %s", label,
				    lka_arc_error(arc));
	else if (bud->spent && lka_arc_error(arc)[0])
		(void)lka_diags_add(d, LKA_WARN, LKA_E_LIMIT, where, "%s: %s", label,
				    lka_arc_error(arc));
	if (lka_arc_restreamed(arc))
		(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where,
				    "%s: the zip's central directory lists no member: "
				    "read again member by member", label);
	if (!a->container)
		a->container = lka__strdup(lka_arc_format(arc));
	lka_arc_free(arc);
	for (size_t i = 0; i < a->n_children; i++)
		lka_att_clear(&a->children[i]);
	free(a->children);
	a->children = kids;
	a->n_children = nk;
	return true;
}

/* Does pass open the first encrypted member?  (Cheap: that member only.) */
static bool
try_password(const lka_arc_env *env, const unsigned char *p, size_t n, const char *pass,
	     const lka_arc_budget *start)
{
	lka_arc_budget bud = *start;
	lka_arc *arc = NULL;
	lka_arc_entry e;
	char why[64];
	bool ok = false;
	int r;

	if (lka_arc_open(&arc, -1, p, n, env->utf8, pass, 1, why, sizeof why) != LKA_OK)
		return false;
	while ((r = lka_arc_peek(arc, &e, &bud, env->limits, 0)) > 0) {
		bool enc = e.regular && e.encrypted;

		if (enc) {
			lka_arc_finish(arc, &e, &bud, env->limits, -1);
			ok = !e.damaged && e.at_end;
		}
		lka_arc_entry_clear(&e);
		if (enc)
			break;
	}
	lka_arc_free(arc);
	return ok;
}

static bool
expand_rec(const lka_arc_env *env, lka_att *a, const unsigned char *p, size_t n, unsigned depth,
	   lka_arc_budget *bud, lka_diags *d, const struct chain *up)
{
	const lka_limits *lim = env->limits;
	lka_arc_budget start;
	bool enc = false, locked = false;

	if (depth >= lim->archive_depth) {
		const char *kind = lka_arc_kind(p, n);

		free(a->container);
		a->container = lka__strdup(kind ? kind : "archive");
		(void)lka_diags_add(d, LKA_WARN, LKA_E_LIMIT, a->part_path,
				    "archive %s nested deeper than %u levels: not opened",
				    a->part_path ? a->part_path : "", lim->archive_depth);
		return true;
	}
	start = *bud;
	if (!inventory(env, a, p, n, depth, bud, d, up, NULL, &enc, &locked))
		return false;
	if (enc)
		a->encrypted = true;
	if (locked && env->password_text) {
		char *cand[MAX_PASSWORDS];
		size_t nc = lka_arc_passwords(env->password_text, cand, MAX_PASSWORDS);
		bool opened = false;

		for (size_t i = 0; i < nc && !opened; i++) {
			lka_arc_budget try_bud = start;
			lka_diags scratch = { 0 };
			lka_att trial = { 0 };
			bool e2 = false, l2 = false;

			trial.part_path = a->part_path;
			trial.filename = a->filename;
			memcpy(trial.sha256, a->sha256, LKA_SHA256_LEN);
			if (try_password(env, p, n, cand[i], &start) &&
			    inventory(env, &trial, p, n, depth, &try_bud, &scratch, up, cand[i],
				      &e2, &l2) &&
			    !l2 && trial.n_children > 0) {
				bool clean = true;

				for (size_t k = 0; k < trial.n_children; k++)
					if (trial.children[k].flags & LKA_ATT_DAMAGED)
						clean = false;
				if (clean) {
					opened = true;
					*bud = try_bud;
					for (size_t k = 0; k < a->n_children; k++)
						lka_att_clear(&a->children[k]);
					free(a->children);
					a->children = trial.children;
					a->n_children = trial.n_children;
					trial.children = NULL;
					trial.n_children = 0;
					free(a->password);
					a->password = lka__strdup(cand[i]);
					for (size_t k = 0; k < scratch.n; k++)
						(void)lka_diags_add(d, scratch.v[k].severity,
								    scratch.v[k].kind,
								    scratch.v[k].location, "%s",
								    scratch.v[k].message);
				}
			}
			trial.part_path = NULL;
			trial.filename = NULL;
			lka_att_clear(&trial);
			lka_diags_free(&scratch);
		}
		for (size_t i = 0; i < nc; i++)
			free(cand[i]);
		if (!opened)
			(void)lka_diags_add(d, LKA_WARN, LKA_E_UNSUPPORTED, a->part_path,
					    "attachment %s: encrypted members; %s",
					    a->part_path ? a->part_path : "",
					    nc ? "no password offered by the message opens them"
					       : "the message offers no password");
	} else if (locked) {
		(void)lka_diags_add(d, LKA_WARN, LKA_E_UNSUPPORTED, a->part_path,
				    "attachment %s: encrypted members, no password to try",
				    a->part_path ? a->part_path : "");
	}
	return true;
}

bool
lka_arc_expand(const lka_arc_env *env, lka_att *a, const unsigned char *p, size_t n,
	       unsigned depth, lka_arc_budget *bud, lka_diags *d)
{
	return expand_rec(env, a, p, n, depth, bud, d, NULL);
}
