/*
 * triage.c — attachment content read back from the case (lka_blob), the
 * triage run that fills attachment_flags and ioc_matches, safe names and
 * extraction.  The checks themselves are in triage-check.c and the OLE
 * directory parser in triage-cfb.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "archives.h"
#include "casedb.h"
#include "internal.h"
#include "triage.h"

#define IN_CHUNK 65536
#define IOC_LINE_MAX 4096
#define IOC_MAX 1000000
#define BODY_PASSWORDS 6
#define ARC_PASSWORDS 32 /* as many as ingest tries (lib/archive.c) */

/* ------------------------------------------------------------ blob reader */

struct lka_blob {
	sqlite3 *db;
	char hex[LKA_SHA256_HEX];
	uint64_t size, out;       /* content size; bytes handed out so far */
	bool zlib, zinit, in_end, done;
	int64_t chunks, seq;      /* blob_chunks rows; next seq to open */
	sqlite3_blob *bh;
	int bh_len, bh_off;
	sqlite3_stmt *chunk;
	z_stream z;
	lka_sha256 h;
	unsigned char in[IN_CHUNK];
	size_t in_len, in_off;
};

void
lka_blob_free(lka_blob *b)
{
	if (!b)
		return;
	if (b->bh)
		sqlite3_blob_close(b->bh);
	sqlite3_finalize(b->chunk);
	if (b->zinit)
		inflateEnd(&b->z);
	free(b);
}

uint64_t
lka_blob_size(const lka_blob *b)
{
	return b->size;
}

static lka_status
blob_corrupt(lka_blob *b, lka_error *err, const char *what)
{
	return lka__error(err, LKA_FAILED, LKA_E_CORRUPT, 0, b->hex, "stored content: %s", what);
}

/* Open the next blob_chunks row; false at the end or on error (rc set). */
static lka_status
next_chunk(lka_blob *b, lka_error *err)
{
	int64_t rowid;
	int rc;

	if (b->seq >= b->chunks) {
		b->in_end = true;
		return LKA_OK;
	}
	sqlite3_reset(b->chunk);
	sqlite3_bind_text(b->chunk, 1, b->hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->chunk, 2, b->seq);
	if ((rc = sqlite3_step(b->chunk)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? blob_corrupt(b, err, "a chunk is missing")
					 : lka__error(err, LKA_FAILED, LKA_E_DB, rc, b->hex, "%s",
						      sqlite3_errmsg(b->db));
	rowid = sqlite3_column_int64(b->chunk, 0);
	rc = b->bh ? sqlite3_blob_reopen(b->bh, rowid)
		   : sqlite3_blob_open(b->db, "main", "blob_chunks", "data", rowid, 0, &b->bh);
	if (rc != SQLITE_OK)
		return lka__error(err, LKA_FAILED, LKA_E_DB, rc, b->hex, "%s", sqlite3_errmsg(b->db));
	b->bh_len = sqlite3_blob_bytes(b->bh);
	b->bh_off = 0;
	b->seq++;
	return LKA_OK;
}

/* Refill the input buffer from the stored stream. */
static lka_status
fill(lka_blob *b, lka_error *err)
{
	lka_status st;
	int rc, k;

	while (!b->in_end && b->in_off == b->in_len) {
		if (!b->bh || b->bh_off >= b->bh_len) {
			if (b->chunks == 0) {
				b->in_end = true;
				break;
			}
			if ((st = next_chunk(b, err)) != LKA_OK)
				return st;
			continue;
		}
		k = b->bh_len - b->bh_off < IN_CHUNK ? b->bh_len - b->bh_off : IN_CHUNK;
		if ((rc = sqlite3_blob_read(b->bh, b->in, k, b->bh_off)) != SQLITE_OK)
			return lka__error(err, LKA_FAILED, LKA_E_DB, rc, b->hex, "%s",
					  sqlite3_errmsg(b->db));
		b->bh_off += k;
		b->in_len = (size_t)k;
		b->in_off = 0;
	}
	return LKA_OK;
}

lka_status
lka_blob_open(lka_blob **out, lka_case *kase, const char *sha256, lka_error *err)
{
	lka_blob *b = NULL;
	sqlite3_stmt *s = NULL;
	lka_status st = LKA_FAILED;
	int64_t rowid;
	int rc;

	*out = NULL;
	if (!sha256 || strlen(sha256) != 64)
		return lka__error(err, LKA_FAILED, LKA_E_USAGE, 0, sha256, "not a SHA-256");
	if (!(b = calloc(1, sizeof *b)))
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	b->db = kase->db;
	memcpy(b->hex, sha256, 65);
	lka_sha256_init(&b->h);
	if (sqlite3_prepare_v2(b->db,
			       "SELECT rowid, bytes, compression, stored_bytes, chunks, data IS NULL "
			       "FROM blobs WHERE sha256 = ?1",
			       -1, &s, NULL) != SQLITE_OK) {
		st = lka__error(err, LKA_FATAL, LKA_E_DB, sqlite3_errcode(b->db), NULL, "%s",
				sqlite3_errmsg(b->db));
		goto out;
	}
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		st = rc == SQLITE_DONE
			     ? lka__error(err, LKA_FAILED, LKA_E_USAGE, 0, sha256, "no such content")
			     : lka__error(err, LKA_FATAL, LKA_E_DB, rc, NULL, "%s", sqlite3_errmsg(b->db));
		goto out;
	}
	if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
		st = lka__error(err, LKA_FAILED, LKA_E_UNSUPPORTED, 0, sha256,
				"content not stored in the case (hash only)");
		goto out;
	}
	rowid = sqlite3_column_int64(s, 0);
	b->size = (uint64_t)sqlite3_column_int64(s, 1);
	b->zlib = strcmp((const char *)sqlite3_column_text(s, 2), "zlib") == 0;
	b->chunks = sqlite3_column_int64(s, 4);
	if (b->chunks > 0) {
		if (sqlite3_prepare_v2(b->db,
				       "SELECT id FROM blob_chunks WHERE sha256 = ?1 AND seq = ?2", -1,
				       &b->chunk, NULL) != SQLITE_OK) {
			st = lka__error(err, LKA_FATAL, LKA_E_DB, sqlite3_errcode(b->db), NULL, "%s",
					sqlite3_errmsg(b->db));
			goto out;
		}
	} else if (sqlite3_column_int(s, 5)) {
		b->in_end = true; /* empty stream */
	} else if ((rc = sqlite3_blob_open(b->db, "main", "blobs", "data", rowid, 0, &b->bh)) !=
		   SQLITE_OK) {
		st = lka__error(err, LKA_FAILED, LKA_E_DB, rc, sha256, "%s", sqlite3_errmsg(b->db));
		goto out;
	} else {
		b->bh_len = sqlite3_blob_bytes(b->bh);
	}
	if (b->zlib) {
		if (inflateInit(&b->z) != Z_OK) {
			st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
			goto out;
		}
		b->zinit = true;
	}
	*out = b;
	b = NULL;
	st = LKA_OK;
out:
	sqlite3_finalize(s);
	lka_blob_free(b);
	return st;
}

static lka_status
finish(lka_blob *b, lka_error *err)
{
	uint8_t d[LKA_SHA256_LEN];
	char hex[LKA_SHA256_HEX];

	b->done = true;
	if (b->out != b->size)
		return blob_corrupt(b, err, "size differs from blobs.bytes");
	lka_sha256_final(&b->h, d);
	lka_sha256_hex(d, hex);
	if (strcmp(hex, b->hex) != 0)
		return blob_corrupt(b, err, "SHA-256 differs");
	return LKA_DONE;
}

lka_status
lka_blob_read(lka_blob *b, void *buf, size_t cap, size_t *got, lka_error *err)
{
	lka_status st;
	size_t n = 0;

	*got = 0;
	if (b->done)
		return LKA_DONE;
	if (cap == 0)
		return LKA_OK;
	while (n == 0) {
		if ((st = fill(b, err)) != LKA_OK)
			return st;
		if (!b->zlib) {
			if (b->in_off == b->in_len)
				return finish(b, err);
			n = b->in_len - b->in_off < cap ? b->in_len - b->in_off : cap;
			memcpy(buf, b->in + b->in_off, n);
			b->in_off += n;
		} else {
			int zr;
			if (b->in_off == b->in_len && b->in_end)
				return blob_corrupt(b, err, "zlib stream ends early");
			b->z.next_in = b->in + b->in_off;
			b->z.avail_in = (uInt)(b->in_len - b->in_off);
			b->z.next_out = buf;
			b->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
			zr = inflate(&b->z, Z_NO_FLUSH);
			b->in_off = b->in_len - b->z.avail_in;
			n = (size_t)((unsigned char *)b->z.next_out - (unsigned char *)buf);
			if (zr == Z_STREAM_END) {
				b->out += n;
				lka_sha256_update(&b->h, buf, n);
				*got = n;
				if (n == 0)
					return finish(b, err);
				b->zlib = false; /* what follows must be nothing */
				b->in_off = b->in_len;
				if (b->out > b->size)
					return blob_corrupt(b, err, "longer than blobs.bytes");
				return LKA_OK;
			}
			if (zr != Z_OK && zr != Z_BUF_ERROR)
				return blob_corrupt(b, err, "bad zlib stream");
		}
	}
	b->out += n;
	if (b->out > b->size)
		return blob_corrupt(b, err, "longer than blobs.bytes");
	lka_sha256_update(&b->h, buf, n);
	*got = n;
	return LKA_OK;
}

/* Up to max bytes of the content into a malloc'd buffer. */
static lka_status
blob_slurp(lka_case *kase, const char *hex, uint64_t max, unsigned char **out, size_t *n,
	   lka_error *err)
{
	lka_blob *b = NULL;
	unsigned char *p = NULL;
	size_t len = 0, want, got;
	lka_status st;

	*out = NULL;
	*n = 0;
	if ((st = lka_blob_open(&b, kase, hex, err)) != LKA_OK)
		return st;
	want = lka_blob_size(b) < max ? (size_t)lka_blob_size(b) : (size_t)max;
	if (!(p = malloc(want + 1))) {
		lka_blob_free(b);
		return lka__error(err, LKA_FAILED, LKA_E_NOMEM, ENOMEM, hex, "out of memory");
	}
	while (len < want) {
		st = lka_blob_read(b, p + len, want - len, &got, err);
		if (st == LKA_DONE)
			break;
		if (st != LKA_OK) {
			free(p);
			lka_blob_free(b);
			return st;
		}
		len += got;
	}
	lka_blob_free(b);
	*out = p;
	*n = len;
	return LKA_OK;
}

/* ------------------------------------------------------------------ IOCs */

enum ioc_kind { IOC_SHA256, IOC_NAME, IOC_DOMAIN, IOC_ADDRESS };
static const char *const ioc_kind_name[] = { "sha256", "filename", "domain", "address" };

typedef struct ioc {
	enum ioc_kind kind;
	char *value; /* normalised: lower case */
	char *raw;   /* as written */
} ioc;

typedef struct ioc_list {
	ioc *v;
	size_t n, cap;
} ioc_list;

static void
iocs_free(ioc_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].value);
		free(l->v[i].raw);
	}
	free(l->v);
}

static bool
is_file_ext(const char *s)
{
	static const char *const e[] = { "exe", "scr", "pif", "dll", "js", "jse", "vbs", "vbe", "hta",
					 "ps1", "bat", "cmd", "lnk", "iso", "img", "jar", "msi", "doc",
					 "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf",
					 "zip", "rar", "7z", "txt", "rtf", "html", "htm", "wsf", "one",
					 "gz", "tar", "cab", "vhd", "svg", "png", "jpg", "eml", "msg" };
	const char *dot = strrchr(s, '.');
	if (!dot)
		return false;
	for (size_t i = 0; i < LKA_ARRAY_LEN(e); i++)
		if (strcasecmp(dot + 1, e[i]) == 0)
			return true;
	return false;
}

static bool
domain_like(const char *s)
{
	const char *dot = strrchr(s, '.');
	if (!dot || dot == s || !dot[1])
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ||
		      (unsigned char)*c >= 0x80))
			return false;
	return true;
}

static lka_status
ioc_add(ioc_list *l, enum ioc_kind k, char *value, const char *raw, lka_error *err)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 64;
		ioc *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv) {
			free(value);
			return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].kind = k;
	l->v[l->n].value = value;
	l->v[l->n].raw = lka__strdup(raw);
	if (!value || !l->v[l->n].raw) {
		free(value);
		free(l->v[l->n].raw);
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	}
	l->n++;
	return LKA_OK;
}

/* IOCs sorted by kind, then value: each lookup is a binary search, so a
 * list of thousands costs little per attachment and per sender. */
static int
ioc_cmp(const void *a, const void *b)
{
	const ioc *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->value, y->value);
}

/* Index of the first IOC of kind k with value key, and how many; 0 if none. */
static size_t
ioc_find(const ioc_list *l, enum ioc_kind k, const char *key, size_t *first)
{
	ioc probe = { .kind = k, .value = (char *)(uintptr_t)key };
	size_t lo = 0, hi = l->n, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ioc_cmp(&l->v[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < l->n && ioc_cmp(&l->v[lo + n], &probe) == 0)
		n++;
	return n;
}

/* The last path component of a file name, ASCII lower-cased, into out. */
static void
name_key(const char *filename, char *out, size_t cap)
{
	const char *b = filename;
	size_t i = 0;

	for (const char *p = filename; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	for (; b[i] && i + 1 < cap; i++)
		out[i] = (b[i] >= 'A' && b[i] <= 'Z') ? (char)(b[i] + 32) : b[i];
	out[i] = '\0';
}

/*
 * One IOC per line; '#' starts a comment (at the start of a line, or after
 * a blank).  A prefix says the kind: sha256:, name: (or filename:),
 * domain:, address: (or email:).  Without one: 64 hex digits are a
 * SHA-256, x@y an address, @y a domain, a name ending in a common file
 * extension a file name, a host name a domain, anything else a file name.
 */
static lka_status
iocs_read(const char *path, ioc_list *l, char sha_hex[LKA_SHA256_HEX], lka_error *err)
{
	FILE *f = fopen(path, "r");
	char line[IOC_LINE_MAX];
	lka_status st = LKA_OK;
	unsigned lineno = 0;

	if (!f)
		return lka__error_sys(err, LKA_FATAL, errno, path, "cannot open the IOC list");
	{
		/* its hash for triage_runs: the bytes of this open file, then parsed */
		lka_sha256 h;
		uint8_t d[LKA_SHA256_LEN];
		size_t got;

		lka_sha256_init(&h);
		while ((got = fread(line, 1, sizeof line, f)) > 0)
			lka_sha256_update(&h, line, got);
		lka_sha256_final(&h, d);
		lka_sha256_hex(d, sha_hex);
		if (ferror(f) || fseek(f, 0, SEEK_SET) != 0) {
			st = lka__error_sys(err, LKA_FATAL, errno, path, "cannot read the IOC list");
			fclose(f);
			return st;
		}
	}
	while (fgets(line, sizeof line, f) && st == LKA_OK) {
		char *s = line, *c, *v;
		enum ioc_kind k;
		bool hex = true;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			st = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path, "line %u is too long", lineno);
			break;
		}
		for (c = s; *c; c++)
			if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t'))
				*c = '\0';
		s = lka__trim(s);
		if (!*s)
			continue;
		if (l->n >= IOC_MAX) {
			st = lka__error(err, LKA_FATAL, LKA_E_LIMIT, 0, path, "more than %u IOCs", IOC_MAX);
			break;
		}
		if (strncasecmp(s, "sha256:", 7) == 0) {
			k = IOC_SHA256;
			v = lka__trim(s + 7);
		} else if (strncasecmp(s, "name:", 5) == 0 || strncasecmp(s, "filename:", 9) == 0) {
			k = IOC_NAME;
			v = lka__trim(strchr(s, ':') + 1);
		} else if (strncasecmp(s, "domain:", 7) == 0) {
			k = IOC_DOMAIN;
			v = lka__trim(s + 7);
		} else if (strncasecmp(s, "address:", 8) == 0 || strncasecmp(s, "email:", 6) == 0) {
			k = IOC_ADDRESS;
			v = lka__trim(strchr(s, ':') + 1);
		} else {
			v = s;
			for (c = s; *c; c++)
				if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') ||
				      (*c >= 'A' && *c <= 'F')))
					hex = false;
			if (hex && strlen(s) == 64)
				k = IOC_SHA256;
			else if (s[0] == '@')
				k = IOC_DOMAIN, v = s + 1;
			else if (strchr(s, '@'))
				k = IOC_ADDRESS;
			else {
				char low[IOC_LINE_MAX];
				snprintf(low, sizeof low, "%s", s);
				lka__ascii_lower(low);
				k = !is_file_ext(low) && domain_like(low) ? IOC_DOMAIN : IOC_NAME;
			}
		}
		if (!*v)
			continue;
		if (k == IOC_ADDRESS) {
			char *a = lka_addr_normalize(v);
			if (!a) {
				st = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path,
						"line %u: not an address: %s", lineno, v);
				break;
			}
			st = ioc_add(l, k, a, s, err);
		} else {
			char *x = NULL;
			if (k == IOC_DOMAIN) {
				/* the form recipients.domain has (IDN as Unicode, NFC, lower case) */
				lka_buf t;
				char *a;
				lka_buf_init(&t, 0);
				lka_buf_printf(&t, "x@%s", v[0] == '.' ? v + 1 : v);
				a = t.data ? lka_addr_normalize((const char *)t.data) : NULL;
				lka_buf_free(&t);
				if (a && lka_addr_domain(a))
					x = lka__strdup(lka_addr_domain(a));
				free(a);
			}
			if (!x)
				x = lka__strdup(v);
			if (x)
				lka__ascii_lower(x);
			if (x && k == IOC_DOMAIN && x[0] == '.')
				memmove(x, x + 1, strlen(x));
			if (x && k == IOC_SHA256 && strlen(x) != 64) {
				free(x);
				st = lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, path,
						"line %u: not a SHA-256: %s", lineno, v);
				break;
			}
			st = ioc_add(l, k, x, s, err);
		}
	}
	if (st == LKA_OK && ferror(f))
		st = lka__error_sys(err, LKA_FATAL, errno, path, "cannot read the IOC list");
	fclose(f);
	if (st == LKA_OK && l->n)
		qsort(l->v, l->n, sizeof *l->v, ioc_cmp);
	return st;
}


/* ---------------------------------------------------------------- triage */

void
lka_triage_opts_default(lka_triage_opts *out)
{
	memset(out, 0, sizeof *out);
	out->max_bytes = 64u << 20;
}

typedef struct flag {
	char *flag, *reason;
} flag;

typedef struct flag_list {
	flag *v;
	size_t n, cap;
	bool oom;
} flag_list;

static void
flags_clear(flag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].flag);
		free(l->v[i].reason);
	}
	l->n = 0;
}

static void
collect(const char *f, const char *reason, void *payload)
{
	flag_list *l = payload;

	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 8;
		flag *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv) {
			l->oom = true;
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].flag = lka__strdup(f);
	l->v[l->n].reason = lka__strdup(reason);
	if (!l->v[l->n].flag || !l->v[l->n].reason) {
		free(l->v[l->n].flag);
		free(l->v[l->n].reason);
		l->oom = true;
		return;
	}
	l->n++;
}

typedef struct run_state {
	lka_case *kase;
	sqlite3_stmt *ins_flag, *ins_ioc;
	lka_error *err;
} run_state;

static lka_status
put_flag(run_state *r, int64_t att, const char *f, const char *reason)
{
	int rc;

	sqlite3_reset(r->ins_flag);
	sqlite3_bind_int64(r->ins_flag, 1, att);
	sqlite3_bind_text(r->ins_flag, 2, f, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->ins_flag, 3, reason, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(r->ins_flag)) != SQLITE_DONE)
		return lka_case__dberr(r->kase, r->err, "record a triage flag");
	return LKA_OK;
}

static lka_status
put_ioc(run_state *r, const ioc *i, int64_t msg, int64_t att)
{
	sqlite3_reset(r->ins_ioc);
	sqlite3_bind_text(r->ins_ioc, 1, i->raw, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->ins_ioc, 2, ioc_kind_name[i->kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->ins_ioc, 3, msg);
	if (att)
		sqlite3_bind_int64(r->ins_ioc, 4, att);
	else
		sqlite3_bind_null(r->ins_ioc, 4);
	if (sqlite3_step(r->ins_ioc) != SQLITE_DONE)
		return lka_case__dberr(r->kase, r->err, "record an IOC match");
	return LKA_OK;
}

/* The reason of an 'encrypted' archive flag, with whether a password opened it.
 * When ingest expanded the archive (container set, members listed), it
 * already tried the passwords the message offers and kept the one that
 * opened it in attachments.password: that is reported, not tried again.
 * Otherwise (an archive ingest did not open) the body's passwords are tried
 * here. */
static char *
password_reason(const char *reason, const unsigned char *data, size_t n, bool expanded,
		const char *given, const char *subject, const char *body)
{
	char *pw[ARC_PASSWORDS];
	size_t npw = 0;
	lka_buf b;
	int hit;

	lka_buf_init(&b, 4096);
	lka_buf_adds(&b, reason);
	if (given) {
		lka_buf_printf(&b, "; opened at ingest with the password '%s' offered in the message",
			       given);
	} else if (expanded) {
		lka_buf t;
		char *text;

		lka_buf_init(&t, (size_t)1 << 20);
		if (subject) {
			lka_buf_adds(&t, subject);
			lka_buf_adds(&t, "\n\n");
		}
		if (body)
			lka_buf_adds(&t, body);
		text = lka_buf_steal(&t, NULL);
		npw = text ? lka_arc_passwords(text, pw, ARC_PASSWORDS) : 0;
		free(text);
		if (npw == 0)
			lka_buf_adds(&b, "; not opened: the message offers no password (tried at ingest)");
		else if (npw == 1)
			lka_buf_printf(&b, "; not opened: the one password the message offers ('%s') "
					   "did not open it (tried at ingest)", pw[0]);
		else
			lka_buf_printf(&b, "; not opened: none of the %zu passwords the message offers "
					   "opened it (tried at ingest)", npw);
	} else if (!data || !lka_triage__archive_encrypted(data, n)) {
		/* an encrypted Office file: passwords are not tried */
	} else if ((npw = lka_triage__body_passwords(body, pw, BODY_PASSWORDS)) == 0) {
		lka_buf_adds(&b, "; no password in the message body");
	} else {
		hit = lka_triage__try_passwords(data, n, (const char *const *)pw, npw);
		if (hit >= 0)
			lka_buf_printf(&b, "; opened with a password from the message body ('%s')",
				       pw[hit]);
		else
			lka_buf_printf(&b, "; %zu candidate password%s from the message body did not open it",
				       npw, npw > 1 ? "s" : "");
	}
	for (size_t i = 0; i < npw; i++)
		free(pw[i]);
	return lka_buf_steal(&b, NULL);
}

/* Flags an attachment raises by what it is (not by what it holds): a member
 * with one makes its containers 'contains-executable'. */
#define RISKY_FLAGS "'executable', 'script', 'shortcut', 'disk-image', 'java-archive', 'installer'"

/* Containers whose members ingest stored as rows: 'contains-executable'
 * from the members' own flags (at any depth), not from their names. */
static lka_status
contained_risks(run_state *r)
{
	sqlite3_stmt *q = NULL;
	int64_t root = 0;
	size_t count = 0;
	char list[300] = "";
	lka_status st = LKA_OK;
	int rc;

	if (sqlite3_prepare_v2(r->kase->db,
			       "WITH RECURSIVE d(root, id, path, depth) AS ("
			       " SELECT c.parent_attachment_id, c.id, coalesce(c.part_path, c.filename, '?'), 1"
			       " FROM attachments c WHERE c.parent_attachment_id IS NOT NULL"
			       " UNION ALL"
			       " SELECT d.root, c.id, d.path || '/' || coalesce(c.part_path, c.filename, '?'),"
			       " d.depth + 1 FROM d JOIN attachments c ON c.parent_attachment_id = d.id"
			       " WHERE d.depth < 32) "
			       "SELECT d.root, d.path FROM d WHERE EXISTS (SELECT 1 FROM attachment_flags f"
			       " WHERE f.attachment_id = d.id AND f.flag IN (" RISKY_FLAGS ")) "
			       "ORDER BY d.root, d.path",
			       -1, &q, NULL) != SQLITE_OK)
		return lka_case__dberr(r->kase, r->err, "prepare the archive member check");
	for (;;) {
		int64_t id = 0;
		const char *path = NULL;

		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			id = sqlite3_column_int64(q, 0);
			path = (const char *)sqlite3_column_text(q, 1);
		} else if (rc != SQLITE_DONE) {
			st = lka_case__dberr(r->kase, r->err, "check the archive members");
			break;
		}
		if (count && (rc == SQLITE_DONE || id != root)) {
			char why[512];

			snprintf(why, sizeof why, "holds %zu executable or script file%s: %s%s", count,
				 count > 1 ? "s" : "", list, count > 3 ? ", ..." : "");
			if ((st = put_flag(r, root, "contains-executable", why)) != LKA_OK)
				break;
			count = 0;
			list[0] = '\0';
		}
		if (rc == SQLITE_DONE)
			break;
		root = id;
		if (count++ < 3) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s'%.80s'", l ? ", " : "", path ? path : "");
		}
	}
	sqlite3_finalize(q);
	return st;
}

/*
 * Record a triage run in triage_runs: complete (stats given, inside the
 * run's transaction; earlier complete runs become superseded) or failed
 * (stats NULL, err says why; outside any transaction, best effort).
 */
static lka_status
run_record(lka_case *kase, const char *started, const lka_triage_opts *o, const char *ioc_abs,
	   const char *ioc_hex, const lka_triage_stats *stats, lka_error *err, double t0)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	lka_status st;
	int rc;

	lka_case__now_iso(now);
	if (stats && (st = lka_case__exec(kase,
					  "UPDATE triage_runs SET outcome = 'superseded' "
					  "WHERE outcome = 'complete'",
					  "record the triage run", err)) != LKA_OK)
		return st;
	if (sqlite3_prepare_v2(kase->db,
			       "INSERT INTO triage_runs (started_at, finished_at, tool_version, args, "
			       "ioc_path, ioc_sha256, outcome, error, attachments, contents, not_stored, "
			       "unreadable, flags, flagged, iocs, ioc_matches, seconds) VALUES "
			       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
			       -1, &s, NULL) != SQLITE_OK)
		return stats ? lka_case__dberr(kase, err, "record the triage run") : LKA_FATAL;
	sqlite3_bind_text(s, 1, started, -1, SQLITE_STATIC);
	if (stats)
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lka_version(), -1, SQLITE_STATIC);
	if (o->argv_text)
		sqlite3_bind_text(s, 4, o->argv_text, -1, SQLITE_STATIC);
	if (o->ioc_path)
		sqlite3_bind_text(s, 5, ioc_abs ? ioc_abs : o->ioc_path, -1, SQLITE_STATIC);
	if (ioc_hex[0])
		sqlite3_bind_text(s, 6, ioc_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, stats ? "complete" : "failed", -1, SQLITE_STATIC);
	if (!stats)
		sqlite3_bind_text(s, 8, err && err->msg[0] ? err->msg : "failed", -1, SQLITE_TRANSIENT);
	if (stats) {
		const uint64_t counts[] = { stats->attachments, stats->contents, stats->not_stored,
					    stats->unreadable, stats->flags, stats->flagged,
					    stats->iocs, stats->ioc_matches };
		for (int i = 0; i < (int)LKA_ARRAY_LEN(counts); i++)
			sqlite3_bind_int64(s, 9 + i, (sqlite3_int64)counts[i]);
	}
	sqlite3_bind_double(s, 17, lka__mono_seconds() - t0);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return stats ? lka_case__dberr(kase, err, "record the triage run") : LKA_FATAL;
	return LKA_OK;
}

lka_status
lka_triage_run(lka_case *kase, const lka_triage_opts *opts, lka_triage_stats *out,
	       lka_error *err)
{
	lka_triage_opts o;
	lka_triage_stats stats = { 0 };
	ioc_list iocs = { 0 };
	char started[32], ioc_hex[LKA_SHA256_HEX] = "";
	char *ioc_abs = NULL;
	double t0 = lka__mono_seconds();
	flag_list content = { 0 }, own = { 0 };
	run_state r = { .kase = kase, .err = err };
	sqlite3_stmt *q = NULL, *snd = NULL;
	unsigned char *data = NULL;
	size_t n = 0;
	char cur[LKA_SHA256_HEX] = "";
	bool have_data = false;
	lka_status st = LKA_FATAL;
	int rc;

	if (opts)
		o = *opts;
	else
		lka_triage_opts_default(&o);
	if (kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "the case is open read-only");
	lka_case__now_iso(started);
	if (o.ioc_path) {
		ioc_abs = realpath(o.ioc_path, NULL);
		if ((st = iocs_read(o.ioc_path, &iocs, ioc_hex, err)) != LKA_OK) {
			run_record(kase, started, &o, ioc_abs, ioc_hex, NULL, err, t0);
			goto out;
		}
	}
	stats.iocs = iocs.n;
	if (sqlite3_exec(kase->db, "BEGIN IMMEDIATE; DELETE FROM attachment_flags; DELETE FROM ioc_matches;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "begin the triage");
		sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (sqlite3_prepare_v2(kase->db,
			       "INSERT INTO attachment_flags (attachment_id, flag, reason) VALUES (?1, ?2, ?3) "
			       "ON CONFLICT (attachment_id, flag) DO UPDATE SET "
			       "reason = attachment_flags.reason || '; ' || excluded.reason",
			       -1, &r.ins_flag, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(kase->db,
			       "INSERT INTO ioc_matches (ioc, kind, message_id, attachment_id) "
			       "VALUES (?1, ?2, ?3, ?4)",
			       -1, &r.ins_ioc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(kase->db,
			       /* members of an OOXML package (a sibling
				* [Content_Types].xml) are its parts */
			       "SELECT a.id, a.message_id, a.filename, a.declared_type, a.sha256, "
			       "a.stored, m.body_text, a.password, a.detected_type, m.subject, "
			       "EXISTS (SELECT 1 FROM attachments c WHERE c.parent_attachment_id = a.id), "
			       "a.parent_attachment_id IS NOT NULL AND EXISTS (SELECT 1 FROM attachments s "
			       "WHERE s.parent_attachment_id = a.parent_attachment_id "
			       "AND s.part_path = '[Content_Types].xml'), "
			       "a.container IS NOT NULL, "
			       /* locked: an encrypted member no password
				* opened (its stored bytes are not its own) */
			       "a.encrypted AND a.parent_attachment_id IS NOT NULL AND "
			       "(SELECT p.password FROM attachments p WHERE p.id = a.parent_attachment_id) IS NULL "
			       "FROM attachments a JOIN messages m ON m.id = a.message_id "
			       "ORDER BY a.sha256, a.id",
			       -1, &q, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "prepare the triage");
		goto fail;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t att = sqlite3_column_int64(q, 0), msg = sqlite3_column_int64(q, 1);
		const char *fname = (const char *)sqlite3_column_text(q, 2);
		const char *dtype = (const char *)sqlite3_column_text(q, 3);
		const char *hex = (const char *)sqlite3_column_text(q, 4);
		const char *body = (const char *)sqlite3_column_text(q, 6);
		const char *given = (const char *)sqlite3_column_text(q, 7);
		const char *magic = (const char *)sqlite3_column_text(q, 8);
		const char *subject = (const char *)sqlite3_column_text(q, 9);
		bool has_members = sqlite3_column_int(q, 10) != 0;
		bool ooxml_part = sqlite3_column_int(q, 11) != 0;
		bool expanded = has_members && sqlite3_column_int(q, 12) != 0;
		bool locked = sqlite3_column_int(q, 13) != 0;
		lka_error e2 = { 0 };

		stats.attachments++;
		if (!hex)
			hex = "";
		if (strcmp(hex, cur) != 0) {
			snprintf(cur, sizeof cur, "%s", hex);
			flags_clear(&content);
			free(data);
			data = NULL;
			have_data = false;
			if (!sqlite3_column_int(q, 5)) {
				/* hash only */
			} else if (blob_slurp(kase, hex, o.max_bytes, &data, &n, &e2) != LKA_OK) {
				if (e2.status <= LKA_FATAL && e2.kind != LKA_E_CORRUPT) {
					st = lka__error(err, LKA_FATAL, e2.kind, e2.sys, e2.where, "%s",
							e2.msg);
					goto fail;
				}
				stats.unreadable++;
			} else {
				have_data = true;
				stats.contents++;
				/* the name and type of the first occurrence only
				 * matter for type-mismatch: done per attachment */
				lka_triage_content(data, n, NULL, NULL, collect, &content);
			}
		}
		if (!have_data)
			stats.not_stored++;
		flags_clear(&own);
		if (have_data && !locked) {
			/* per attachment: type contradictions depend on its name and declared type */
			lka_triage__type_check(data, n, fname, dtype, magic, collect, &own);
		}
		lka_triage_name(fname, collect, &own);
		if (content.oom || own.oom) {
			st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < content.n && !locked; i++) {
			const char *f = content.v[i].flag;
			char *reason = NULL;

			/* the members' own flags make a container's
			 * contains-executable (contained_risks); a package's
			 * macro project and embedded objects are flagged on
			 * the document, not again on its parts */
			if ((has_members && strcmp(f, "contains-executable") == 0) ||
			    (ooxml_part && (strcmp(f, "macro") == 0 || strcmp(f, "embedded-object") == 0)))
				continue;
			if (strcmp(f, "encrypted") == 0) {
				reason = password_reason(content.v[i].reason, data, n, expanded, given,
							 subject, body);
				if (!reason) {
					st = lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
					goto fail;
				}
			}
			st = put_flag(&r, att, content.v[i].flag, reason ? reason : content.v[i].reason);
			free(reason);
			if (st != LKA_OK)
				goto fail;
		}
		for (size_t i = 0; i < own.n; i++)
			if ((st = put_flag(&r, att, own.v[i].flag, own.v[i].reason)) != LKA_OK)
				goto fail;
		for (int pass = 0; pass < 2 && iocs.n; pass++) {
			char key[1024];
			size_t first, count;

			if (pass == 1 && !fname)
				break;
			if (pass == 1)
				name_key(fname, key, sizeof key);
			count = ioc_find(&iocs, pass ? IOC_NAME : IOC_SHA256, pass ? key : hex, &first);
			for (size_t i = first; i < first + count; i++) {
				const ioc *c = &iocs.v[i];
				char why[600];

				snprintf(why, sizeof why, "IOC %s %s", ioc_kind_name[c->kind], c->raw);
				if ((st = put_flag(&r, att, "ioc", why)) != LKA_OK ||
				    (st = put_ioc(&r, c, msg, att)) != LKA_OK)
					goto fail;
			}
		}
	}
	if (rc != SQLITE_DONE) {
		st = lka_case__dberr(kase, err, "read the attachments");
		goto fail;
	}
	/* Senders: the From and Sender of every message, in one pass; a
	 * domain IOC matches the domain and its subdomains. */
	if (iocs.n && iocs.v[iocs.n - 1].kind >= IOC_DOMAIN) { /* sorted: domains, addresses last */
		if (sqlite3_prepare_v2(kase->db,
				       "SELECT DISTINCT message_id, address, domain FROM recipients "
				       "WHERE role IN ('from', 'sender') AND address IS NOT NULL "
				       "ORDER BY message_id",
				       -1, &snd, NULL) != SQLITE_OK) {
			st = lka_case__dberr(kase, err, "prepare the sender match");
			goto fail;
		}
		while ((rc = sqlite3_step(snd)) == SQLITE_ROW) {
			int64_t msg = sqlite3_column_int64(snd, 0);
			const char *addr = (const char *)sqlite3_column_text(snd, 1);
			const char *dom = (const char *)sqlite3_column_text(snd, 2);
			const char *d = dom;

			for (int pass = 0; pass < 2; pass++) {
				while (pass == 0 || d) {
					size_t first, count;
					count = ioc_find(&iocs, pass ? IOC_DOMAIN : IOC_ADDRESS,
							 pass ? d : addr, &first);
					for (size_t i = first; i < first + count; i++) {
						const ioc *c = &iocs.v[i];
						sqlite3_stmt *as = NULL;
						char why[600];

						snprintf(why, sizeof why, "sent by IOC %s %s",
							 ioc_kind_name[c->kind], c->raw);
						if ((st = put_ioc(&r, c, msg, 0)) != LKA_OK)
							goto fail;
						if (sqlite3_prepare_v2(kase->db,
								       "SELECT id FROM attachments WHERE "
								       "message_id = ?1",
								       -1, &as, NULL) != SQLITE_OK) {
							st = lka_case__dberr(kase, err,
									     "mark the sender's attachments");
							goto fail;
						}
						sqlite3_bind_int64(as, 1, msg);
						while (sqlite3_step(as) == SQLITE_ROW && st == LKA_OK)
							st = put_flag(&r, sqlite3_column_int64(as, 0), "ioc", why);
						sqlite3_finalize(as);
						if (st != LKA_OK)
							goto fail;
					}
					if (pass == 0)
						break;
					d = strchr(d, '.');
					if (d)
						d++;
				}
			}
		}
		if (rc != SQLITE_DONE) {
			st = lka_case__dberr(kase, err, "match senders");
			goto fail;
		}
	}
	if ((st = contained_risks(&r)) != LKA_OK)
		goto fail;
	{
		sqlite3_stmt *c = NULL;
		if (sqlite3_prepare_v2(kase->db,
				       "SELECT (SELECT count(*) FROM attachment_flags), "
				       "(SELECT count(DISTINCT attachment_id) FROM attachment_flags), "
				       "(SELECT count(*) FROM ioc_matches)",
				       -1, &c, NULL) == SQLITE_OK &&
		    sqlite3_step(c) == SQLITE_ROW) {
			stats.flags = (uint64_t)sqlite3_column_int64(c, 0);
			stats.flagged = (uint64_t)sqlite3_column_int64(c, 1);
			stats.ioc_matches = (uint64_t)sqlite3_column_int64(c, 2);
		}
		sqlite3_finalize(c);
	}
	sqlite3_finalize(q);
	q = NULL;
	/* the run's row, in the transaction that replaced the flags */
	if ((st = run_record(kase, started, &o, ioc_abs, ioc_hex, &stats, err, t0)) != LKA_OK)
		goto fail;
	if (sqlite3_exec(kase->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "commit the triage");
		goto fail;
	}
	st = LKA_OK;
	if (out)
		*out = stats;
	goto out;
fail:
	sqlite3_finalize(q);
	q = NULL;
	sqlite3_exec(kase->db, "ROLLBACK", NULL, NULL, NULL);
	if (st > LKA_FATAL)
		st = LKA_FATAL;
	/* nothing changed; the attempt is recorded when the case still takes it */
	run_record(kase, started, &o, ioc_abs, ioc_hex, NULL, err, t0);
out:
	free(ioc_abs);
	sqlite3_finalize(q);
	sqlite3_finalize(snd);
	sqlite3_finalize(r.ins_flag);
	sqlite3_finalize(r.ins_ioc);
	flags_clear(&content);
	flags_clear(&own);
	free(content.v);
	free(own.v);
	free(data);
	iocs_free(&iocs);
	return st;
}

/* ------------------------------------------------------------ safe names */

#define SAFE_MAX 200

static bool
drop_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || cp == 0x061C || cp == 0xFFFD ||
	       (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

static bool
is_device(const char *s, size_t n)
{
	static const char *const dev[] = { "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$" };
	size_t stem = 0;

	while (stem < n && s[stem] != '.')
		stem++;
	while (stem > 0 && s[stem - 1] == ' ')
		stem--;
	for (size_t i = 0; i < LKA_ARRAY_LEN(dev); i++)
		if (strlen(dev[i]) == stem && strncasecmp(s, dev[i], stem) == 0)
			return true;
	if (stem == 4 && (strncasecmp(s, "COM", 3) == 0 || strncasecmp(s, "LPT", 3) == 0) &&
	    s[3] >= '0' && s[3] <= '9')
		return true;
	/* COM¹ COM² COM³ (U+00B9, U+00B2, U+00B3) */
	if (stem == 5 && (strncasecmp(s, "COM", 3) == 0 || strncasecmp(s, "LPT", 3) == 0) &&
	    (unsigned char)s[3] == 0xC2 &&
	    ((unsigned char)s[4] == 0xB9 || (unsigned char)s[4] == 0xB2 || (unsigned char)s[4] == 0xB3))
		return true;
	return false;
}

size_t
lka_attachment_safe_name(char *out, size_t cap, const char *name, const char *sha256)
{
	char *tmp;
	const unsigned char *s;
	size_t o = 0, i = 0, n, start, end, extpos;
	bool blank = false;

	if (!out || cap == 0)
		return 0;
	if (!name)
		name = "";
	s = (const unsigned char *)name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			s = (const unsigned char *)p + 1;
	n = strlen((const char *)s);
	/* the cleaned name is never longer than the name */
	if (!(tmp = malloc(n + 2))) {
		snprintf(out, cap, "attachment-%.12s", sha256 && strlen(sha256) >= 12 ? sha256 : "unknown");
		return strlen(out);
	}
	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k = 0, from = i;

		if (c < 0x80)
			cp = c, k = 0;
		else if (c >= 0xC2 && c < 0xE0)
			cp = c & 0x1Fu, k = 1;
		else if (c >= 0xE0 && c < 0xF0)
			cp = c & 0x0Fu, k = 2;
		else if (c >= 0xF0 && c < 0xF5)
			cp = c & 0x07u, k = 3;
		else
			cp = 0xFFFD;
		i++;
		for (size_t j = 0; j < k; j++, i++) {
			if (i >= n || (s[i] & 0xC0) != 0x80) {
				cp = 0xFFFD;
				break;
			}
			cp = cp << 6 | (s[i] & 0x3Fu);
		}
		if (cp != 0xFFFD && ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))))
			cp = 0xFFFD;
		if (drop_cp(cp))
			continue;
		if (cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
		    cp == 0x3000 || cp == 0x202F || cp == 0x205F || cp == 0x3164 || cp == 0x2800) {
			blank = o > 0;
			continue;
		}
		if (blank) {
			tmp[o++] = ' ';
			blank = false;
		}
		if (cp < 0x80 && strchr("<>:\"|?*", (int)cp)) {
			tmp[o++] = '_';
			continue;
		}
		memcpy(tmp + o, s + from, i - from);
		o += i - from;
	}
	tmp[o] = '\0';
	/* no leading dots or blanks (no "..", no hidden files), no trailing ones */
	start = 0;
	while (tmp[start] == '.' || tmp[start] == ' ')
		start++;
	end = o;
	while (end > start && (tmp[end - 1] == '.' || tmp[end - 1] == ' '))
		end--;
	n = end - start;
	if (n == 0) {
		free(tmp);
		snprintf(out, cap, "attachment-%.12s", sha256 && strlen(sha256) >= 12 ? sha256 : "unknown");
		return strlen(out);
	}
	o = 0;
	if (is_device(tmp + start, n))
		out[o++] = '_';
	/* length: keep the extension (up to 16 bytes), cut the stem at a character boundary */
	extpos = n;
	for (size_t k = n; k-- > 0;)
		if (tmp[start + k] == '.') {
			extpos = k;
			break;
		}
	if (n - extpos > 17)
		extpos = n;
	{
		size_t limit = SAFE_MAX < cap - 1 ? SAFE_MAX : cap - 1;
		size_t extlen = n - extpos, stem = extpos;
		if (o + n > limit) {
			stem = limit - o - extlen;
			while (stem > 0 && ((unsigned char)tmp[start + stem] & 0xC0) == 0x80)
				stem--;
		}
		memcpy(out + o, tmp + start, stem);
		o += stem;
		memcpy(out + o, tmp + start + extpos, extlen);
		o += extlen;
	}
	out[o] = '\0';
	free(tmp);
	return o;
}

/* ------------------------------------------------------------ extraction */

static lka_status
hash_file(int dirfd, const char *name, char hex[LKA_SHA256_HEX], lka_error *err)
{
	unsigned char buf[65536];
	uint8_t d[LKA_SHA256_LEN];
	lka_sha256 h;
	ssize_t k;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return lka__error_sys(err, LKA_FAILED, errno, name, "cannot read back");
	lka_sha256_init(&h);
	while ((k = read(fd, buf, sizeof buf)) > 0)
		lka_sha256_update(&h, buf, (size_t)k);
	close(fd);
	if (k < 0)
		return lka__error_sys(err, LKA_FAILED, errno, name, "cannot read back");
	lka_sha256_final(&h, d);
	lka_sha256_hex(d, hex);
	return LKA_OK;
}

lka_status
lka_attachment_extract(lka_case *kase, const char *sha256, int dirfd, const char *name,
		       char *written, size_t cap, lka_error *err)
{
	char cand[300], hex[LKA_SHA256_HEX];
	unsigned char buf[65536];
	lka_blob *b = NULL;
	lka_status st;
	const char *dot;
	size_t got;
	int fd = -1;

	if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strlen(name) > SAFE_MAX + 1 || cap < 2)
		return lka__error(err, LKA_FAILED, LKA_E_USAGE, 0, name, "not a safe file name");
	if ((st = lka_blob_open(&b, kase, sha256, err)) != LKA_OK)
		return st;
	dot = strrchr(name, '.');
	if (!dot || dot == name)
		dot = name + strlen(name);
	for (int k = 1; k < 10000; k++) {
		if (k == 1)
			snprintf(cand, sizeof cand, "%s", name);
		else
			snprintf(cand, sizeof cand, "%.*s (%d)%s", (int)(dot - name), name, k, dot);
		fd = openat(dirfd, cand, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		st = lka__error_sys(err, LKA_FAILED, errno, cand, "cannot create");
		goto out;
	}
	for (;;) {
		st = lka_blob_read(b, buf, sizeof buf, &got, err);
		if (st == LKA_DONE)
			break;
		if (st != LKA_OK)
			goto bad;
		if (!lka__write_all(fd, buf, got)) {
			st = lka__error_sys(err, LKA_FAILED, errno, cand, "cannot write");
			goto bad;
		}
	}
	if (close(fd) != 0) {
		fd = -1;
		st = lka__error_sys(err, LKA_FAILED, errno, cand, "cannot write");
		goto bad;
	}
	fd = -1;
	if ((st = hash_file(dirfd, cand, hex, err)) != LKA_OK)
		goto bad;
	if (strcmp(hex, sha256) != 0) {
		st = lka__error(err, LKA_FAILED, LKA_E_IO, 0, cand,
				"written file does not hash to %s", sha256);
		goto bad;
	}
	snprintf(written, cap, "%s", cand);
	st = LKA_OK;
	goto out;
bad:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlinkat(dirfd, cand, 0);
out:
	if (fd >= 0)
		close(fd);
	lka_blob_free(b);
	return st;
}
