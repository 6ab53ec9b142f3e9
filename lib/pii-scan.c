/*
 * pii-scan.c — lka_scan_case(): extract attachment text, run the detectors
 * (pii.c) over subjects, bodies and attachment text, write scans + findings.
 *
 * A scan replaces the findings of earlier scans: it deletes them and writes
 * its own, in batches of about BATCH messages per transaction, paging
 * through messages and attachments by id (no read statement is open across
 * a commit).  Findings are tied to a person when an e-mail address sits on
 * the same line (a CSV row) or within PERSON_WINDOW bytes (a form, a RIB),
 * and to a name after "Nom", "Titulaire", "M.", "Mme", "Name" ... before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "casedb.h"
#include "extract.h"
#include "leakaudit/pii.h"
#include "pii-int.h"

#define BATCH 500
#define PERSON_WINDOW 300
#define CONTEXT_BYTES 40
#define EXTRACT_INPUT_MAX (64u << 20) /* content larger than this is not extracted */

void
lka_scan_opts_default(lka_scan_opts *out)
{
	memset(out, 0, sizeof *out);
	out->mask = LKA_PII_ALL;
	out->extract = 1;
	out->extract_bytes = 8u << 20;
	out->extract_seconds = 60;
	out->extract_memory = (uint64_t)1 << 30;
}

struct fnd {
	lka_pii_finding f;
};

struct scanner {
	lka_case *kase;
	const lka_scan_opts *o;
	lka_scan_stats *st;
	lka_error *err;
	int64_t scan_id;
	sqlite3_stmt *ins;
	struct fnd *v;
	size_t n, cap;
	bool oom;
	lka_pii_kwindex ix;
};

static int
collect(const lka_pii_finding *f, void *payload)
{
	struct scanner *s = payload;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fnd *v = realloc(s->v, cap * sizeof *v);
		if (!v) {
			s->oom = true;
			return 1;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++].f = *f;
	return 0;
}

/* ------------------------------------------------------------ person ties */

static size_t
line_start(const char *t, size_t i)
{
	while (i > 0 && t[i - 1] != '\n')
		i--;
	return i;
}

static size_t
line_end(const char *t, size_t n, size_t i)
{
	while (i < n && t[i] != '\n')
		i++;
	return i;
}

/* The e-mail finding the finding k is about, or NULL. */
static const char *
person_address(const struct scanner *s, const char *t, size_t n, size_t k)
{
	const lka_pii_finding *f = &s->v[k].f;
	size_t ls = line_start(t, f->offset), le = line_end(t, n, f->offset), best_d = (size_t)-1;
	const char *best = NULL;

	if (f->kind == LKA_PII_EMAIL)
		return f->norm;
	for (size_t i = 0; i < s->n; i++) {
		const lka_pii_finding *e = &s->v[i].f;
		size_t d;
		if (e->kind != LKA_PII_EMAIL)
			continue;
		if (e->offset >= ls && e->offset < le)
			return e->norm; /* same line, a CSV row */
		d = e->offset > f->offset ? e->offset - f->offset : f->offset - e->offset;
		if (d <= PERSON_WINDOW && d < best_d) {
			best_d = d;
			best = e->norm;
		}
	}
	return best;
}

static bool
is_cap(const unsigned char *p)
{
	return (p[0] >= 'A' && p[0] <= 'Z') || (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E);
}

/* A name after a cue word ("Titulaire :", "Mme", "RIB de" ...) starting in
 * [lo, off), the nearest to off first. */
static bool
person_name(const char *t, size_t n, size_t lo, size_t off, char *out, size_t cap)
{
	static const char *const cues[] = {
		"RIB de", "au nom de", "Titulaire du compte", "Titulaire", "titulaire", "Nom", "NOM", "Name", "name", "Madame", "Monsieur",
		"Mme", "M.", "Mr", "Mrs", "Ms", "Client", "Patient", "Salari\xc3\xa9", "Employee",
	};
	size_t best = (size_t)-1, best_end = 0;

	for (size_t i = off; i-- > lo;) {
		if (i > 0 && ((unsigned char)t[i - 1] >= 0x80 || (t[i - 1] >= 'A' && t[i - 1] <= 'z')))
			continue;
		for (size_t c = 0; c < LKA_ARRAY_LEN(cues); c++) {
			size_t l = strlen(cues[c]), j;
			if (i + l > off || memcmp(t + i, cues[c], l) != 0)
				continue;
			j = i + l;
			if (j < n && ((t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z')))
				continue;
			while (j < n && (t[j] == ' ' || t[j] == ':' || t[j] == '\t' || t[j] == '.'))
				j++;
			if (j < n && is_cap((const unsigned char *)t + j)) {
				best = j;
				break;
			}
		}
		if (best != (size_t)-1)
			break;
	}
	if (best == (size_t)-1)
		return false;
	/* 1 to 4 words, each starting with a capital */
	{
		size_t j = best, words = 0;
		while (j < n && words < 4 && is_cap((const unsigned char *)t + j)) {
			while (j < n && t[j] != ' ' && t[j] != '\n' && t[j] != '\r' && t[j] != ',' &&
			       t[j] != ';' && t[j] != '\t' && t[j] != '(' && t[j] != '<')
				j++;
			best_end = j;
			words++;
			if (j + 1 < n && t[j] == ' ' && is_cap((const unsigned char *)t + j + 1))
				j++;
			else
				break;
		}
	}
	while (best_end > best && strchr(").,;:\"'>]", t[best_end - 1]))
		best_end--;
	if (best_end <= best || best_end - best >= cap)
		return false;
	memcpy(out, t + best, best_end - best);
	out[best_end - best] = '\0';
	return lka_utf8_valid(out, best_end - best);
}

/* A cell of 1 to 3 capitalised words, no digits: part of a name. */
static bool
name_cell(const char *c, size_t n)
{
	size_t words = 0;

	while (n && (c[0] == ' ' || c[0] == '"'))
		c++, n--;
	while (n && (c[n - 1] == ' ' || c[n - 1] == '"' || c[n - 1] == '\r'))
		n--;
	if (n < 2 || n > 40 || !is_cap((const unsigned char *)c))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((c[i] >= '0' && c[i] <= '9') || c[i] == '@' || c[i] == ':' || c[i] == ',')
			return false;
		if (i == 0 || c[i - 1] == ' ') {
			if (!is_cap((const unsigned char *)c + i))
				return false;
			words++;
		}
	}
	return words >= 1 && words <= 3;
}

/* In a CSV or sheet row (cells split by ';' or tabs), the first cells that
 * look like a name ("Rousseau;Stéphane;..." gives "Stéphane Rousseau"). */
static bool
row_name(const char *t, size_t n, size_t off, char *out, size_t cap)
{
	size_t ls = line_start(t, off), le = line_end(t, n, off), cs = ls, k = 0;
	char sep = 0;
	const char *cells[2];
	size_t lens[2], nc = 0;

	for (size_t i = ls; i < le && !sep; i++)
		if (t[i] == ';' || t[i] == '\t')
			sep = t[i];
	if (!sep)
		return false;
	for (size_t i = ls; i <= le && nc < 2; i++) {
		if (i == le || t[i] == sep) {
			if (name_cell(t + cs, i - cs)) {
				cells[nc] = t + cs;
				lens[nc++] = i - cs;
			} else if (nc) {
				break;
			}
			cs = i + 1;
		}
	}
	if (!nc)
		return false;
	/* "Family;Given" is the usual order of exports: print given first */
	for (size_t j = nc; j-- > 0;) {
		const char *c = cells[j];
		size_t l = lens[j];
		while (l && (*c == ' ' || *c == '"'))
			c++, l--;
		while (l && (c[l - 1] == ' ' || c[l - 1] == '"' || c[l - 1] == '\r'))
			l--;
		if (k + l + 2 >= cap)
			return false;
		if (k)
			out[k++] = ' ';
		memcpy(out + k, c, l);
		k += l;
	}
	out[k] = '\0';
	return lka_utf8_valid(out, k);
}

/* Context: CONTEXT_BYTES either side, the value masked, line breaks as spaces. */
static void
context(const char *t, size_t n, const lka_pii_finding *f, lka_buf *b)
{
	size_t a = f->offset > CONTEXT_BYTES ? f->offset - CONTEXT_BYTES : 0;
	size_t e = f->offset + f->length + CONTEXT_BYTES < n ? f->offset + f->length + CONTEXT_BYTES : n;

	while (a > 0 && ((unsigned char)t[a] & 0xC0) == 0x80)
		a--;
	while (e < n && ((unsigned char)t[e] & 0xC0) == 0x80)
		e++;
	lka_buf_reset(b);
	for (size_t i = a; i < e; i++) {
		if (i == f->offset) {
			lka_buf_adds(b, f->masked);
			i = f->offset + f->length - 1;
			continue;
		}
		lka_buf_addc(b, t[i] == '\n' || t[i] == '\r' || t[i] == '\t' ? ' ' : t[i]);
	}
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Scan one text and write its findings; returns how many (or -1 on error). */
static int64_t
scan_field(struct scanner *s, const char *t, size_t n, int64_t message_id, int64_t attachment_id,
	   const char *field)
{
	lka_buf ctx;
	int64_t written = 0;

	if (!t || !n)
		return 0;
	s->n = 0;
	s->oom = false;
	s->st->bytes += n;
	lka_pii__scan(&s->ix, t, n, s->o->mask & LKA_PII_ALL, collect, s);
	if (s->oom) {
		lka__error(s->err, LKA_FATAL, LKA_E_NOMEM, 0, NULL, "out of memory");
		return -1;
	}
	lka_buf_init(&ctx, 4096);
	for (size_t k = 0; k < s->n; k++) {
		const lka_pii_finding *f = &s->v[k].f;
		sqlite3_stmt *q = s->ins;
		char name[128];
		const char *addr = person_address(s, t, n, k);

		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(q, 1, s->scan_id);
		sqlite3_bind_text(q, 2, lka_pii_kind_name(f->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, lka_pii_kind_category(f->kind), -1, SQLITE_STATIC);
		bind_text(q, 4, f->norm);
		sqlite3_bind_text(q, 5, f->masked, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 6, lka_pii_validator_name(f->validator), -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 7, f->confidence);
		if (message_id)
			sqlite3_bind_int64(q, 8, message_id);
		if (attachment_id)
			sqlite3_bind_int64(q, 9, attachment_id);
		sqlite3_bind_text(q, 10, field, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 11, (sqlite3_int64)f->offset);
		sqlite3_bind_int64(q, 12, (sqlite3_int64)f->length);
		context(t, n, f, &ctx);
		if (ctx.data && !ctx.oom && lka_utf8_valid((const char *)ctx.data, ctx.len))
			sqlite3_bind_text(q, 13, (const char *)ctx.data, (int)ctx.len, SQLITE_TRANSIENT);
		bind_text(q, 14, addr);
		if (f->kind != LKA_PII_EMAIL && f->kind != LKA_PII_SPECIAL_CATEGORY) {
			/* before it (300 bytes), else after it on its line ("... (titulaire : X)") */
			size_t end = f->offset + f->length, le = line_end(t, n, end);
			if (person_name(t, n, f->offset > 300 ? f->offset - 300 : 0, f->offset, name,
					sizeof name) ||
			    person_name(t, n, end, le < end + 80 ? le : end + 80, name, sizeof name) ||
			    row_name(t, n, f->offset, name, sizeof name))
				bind_text(q, 15, name);
		}
		bind_text(q, 16, f->detail);
		if (sqlite3_step(q) != SQLITE_DONE) {
			lka_buf_free(&ctx);
			lka_case__dberr(s->kase, s->err, "write a finding");
			return -1;
		}
		s->st->per_kind[f->kind]++;
		s->st->findings++;
		written++;
	}
	lka_buf_free(&ctx);
	return written;
}

/* ---------------------------------------------------------------- blobs */

/* The content of a blob (inflated), malloc'd; NULL with *why when not kept. */
static unsigned char *
blob_read(lka_case *kase, const char *sha, size_t *len, const char **why)
{
	sqlite3_stmt *q = NULL;
	unsigned char *stream = NULL, *out = NULL;
	size_t slen = 0, bytes = 0;
	bool zlib = false;
	int chunks = 0;

	*why = "content not kept";
	if (sqlite3_prepare_v2(kase->db,
			       "SELECT bytes, compression, chunks, data FROM blobs WHERE sha256 = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto out;
	bytes = (size_t)sqlite3_column_int64(q, 0);
	zlib = sqlite3_column_text(q, 1) && !strcmp((const char *)sqlite3_column_text(q, 1), "zlib");
	chunks = sqlite3_column_int(q, 2);
	if (bytes > EXTRACT_INPUT_MAX) {
		*why = "content larger than the extraction limit";
		goto out;
	}
	if (chunks == 0) {
		const void *d = sqlite3_column_blob(q, 3);
		slen = (size_t)sqlite3_column_bytes(q, 3);
		if (!d)
			goto out;
		if (!(stream = malloc(slen ? slen : 1)))
			goto out;
		memcpy(stream, d, slen);
	} else {
		lka_buf b;
		sqlite3_finalize(q);
		q = NULL;
		lka_buf_init(&b, 0);
		if (sqlite3_prepare_v2(kase->db,
				       "SELECT data FROM blob_chunks WHERE sha256 = ?1 ORDER BY seq",
				       -1, &q, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(q, 1, sha, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW)
			lka_buf_add(&b, sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0));
		if (b.oom) {
			lka_buf_free(&b);
			goto out;
		}
		stream = (unsigned char *)lka_buf_steal(&b, &slen);
	}
	if (!zlib) {
		out = stream;
		stream = NULL;
		*len = slen;
	} else {
		uLongf dl = (uLongf)bytes;
		if (!(out = malloc(bytes ? bytes : 1)))
			goto out;
		if (uncompress(out, &dl, stream, (uLong)slen) != Z_OK || dl != bytes) {
			free(out);
			out = NULL;
			*why = "stored content does not inflate";
			goto out;
		}
		*len = bytes;
	}
	*why = NULL;
out:
	sqlite3_finalize(q);
	free(stream);
	return out;
}

/* End a batch's transaction: roll it back when st says it failed (st is
 * returned), else commit it. */
static lka_status
end_batch(lka_case *kase, lka_status st, lka_error *err)
{
	if (st != LKA_OK) {
		lka_case__rollback(kase);
		return st;
	}
	return lka_case__exec(kase, "COMMIT", NULL, err);
}

static lka_status
extract_all(struct scanner *s)
{
	lka_case *kase = s->kase;
	sqlite3_stmt *sel = NULL, *ins = NULL;
	char last[LKA_SHA256_HEX] = "";
	lka_status st = LKA_OK;
	bool more = true;

	if (s->o->reextract &&
	    (st = lka_case__exec(kase, "DELETE FROM attachment_text", NULL, s->err)) != LKA_OK)
		return st;
	if (sqlite3_prepare_v2(kase->db,
			       "SELECT a.sha256, min(a.filename), min(CASE WHEN a.declared_type = "
			       "'message/rfc822' THEN 'message/rfc822' ELSE coalesce(a.detected_type, "
			       "a.declared_type) END) FROM attachments a JOIN blobs b ON b.sha256 = "
			       "a.sha256 WHERE a.sha256 > ?1 AND (b.data IS NOT NULL OR b.chunks > 0) "
			       "AND NOT EXISTS (SELECT 1 FROM attachment_text t WHERE t.sha256 = "
			       "a.sha256) GROUP BY a.sha256 ORDER BY a.sha256 LIMIT 200",
			       -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(kase->db,
			       "INSERT INTO attachment_text (sha256, method, status, chars, text, "
			       "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &ins, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, s->err, "prepare the extraction");
		goto out;
	}
	while (more && st == LKA_OK) {
		char shas[200][LKA_SHA256_HEX], *names[200], *types[200];
		size_t k = 0;

		sqlite3_reset(sel);
		sqlite3_bind_text(sel, 1, last, -1, SQLITE_TRANSIENT);
		while (k < 200 && sqlite3_step(sel) == SQLITE_ROW) {
			snprintf(shas[k], LKA_SHA256_HEX, "%s", (const char *)sqlite3_column_text(sel, 0));
			names[k] = lka__strdup((const char *)sqlite3_column_text(sel, 1));
			types[k] = lka__strdup((const char *)sqlite3_column_text(sel, 2));
			k++;
		}
		sqlite3_reset(sel);
		more = k == 200;
		if (k)
			snprintf(last, sizeof last, "%s", shas[k - 1]);
		if ((st = lka_case__exec(kase, "BEGIN IMMEDIATE", NULL, s->err)) != LKA_OK)
			break;
		for (size_t i = 0; i < k; i++) {
			lka_extract_out x;
			const char *why = NULL;
			size_t len = 0;
			unsigned char *d = blob_read(kase, shas[i], &len, &why);
			long chars = 0;

			if (!d) {
				memset(&x, 0, sizeof x);
				x.status = "failed";
				snprintf(x.detail, sizeof x.detail, "%s", why ? why : "cannot read");
			} else {
				lka_extract__text(d, len, names[i], types[i],
						  (size_t)s->o->extract_bytes, s->o->extract_seconds,
						  s->o->extract_memory, &x);
				free(d);
			}
			for (size_t j = 0; x.text && j < x.len; j++)
				if (((unsigned char)x.text[j] & 0xC0) != 0x80)
					chars++;
			sqlite3_reset(ins);
			sqlite3_clear_bindings(ins);
			sqlite3_bind_text(ins, 1, shas[i], -1, SQLITE_STATIC);
			bind_text(ins, 2, x.method);
			sqlite3_bind_text(ins, 3, x.status, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 4, chars);
			if (x.text)
				sqlite3_bind_text(ins, 5, x.text, (int)x.len, SQLITE_STATIC);
			bind_text(ins, 6, x.detail);
			if (sqlite3_step(ins) != SQLITE_DONE)
				st = lka_case__dberr(kase, s->err, "write attachment_text");
			s->st->texts_extracted++;
			if (strcmp(x.status, "ok") != 0)
				s->st->extract_failed++;
			free(x.text);
		}
		for (size_t i = 0; i < k; i++) {
			free(names[i]);
			free(types[i]);
		}
		if ((st = end_batch(kase, st, s->err)) != LKA_OK)
			break;
	}
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	return st;
}

/* ------------------------------------------------------------------ scan */

/*
 * Walk the rows sql selects (?1: the last id seen; one row per step, its
 * id first), BATCH rows per transaction, through row(), which scans one
 * and counts it; row() returning false is fatal.  what names the
 * statement in an error.
 */
static lka_status
scan_rows(struct scanner *s, const char *sql, const char *what,
	  bool (*row)(struct scanner *s, sqlite3_stmt *sel, int64_t id))
{
	lka_case *kase = s->kase;
	sqlite3_stmt *sel = NULL;
	int64_t last = 0;
	lka_status st = LKA_OK;
	bool more = true;

	if (sqlite3_prepare_v2(kase->db, sql, -1, &sel, NULL) != SQLITE_OK)
		return lka_case__dberr(kase, s->err, what);
	while (more && st == LKA_OK) {
		if ((st = lka_case__exec(kase, "BEGIN IMMEDIATE", NULL, s->err)) != LKA_OK)
			break;
		for (int k = 0; k < BATCH; k++) {
			sqlite3_reset(sel);
			sqlite3_bind_int64(sel, 1, last);
			if (sqlite3_step(sel) != SQLITE_ROW) {
				more = false;
				break;
			}
			last = sqlite3_column_int64(sel, 0);
			if (!row(s, sel, last)) {
				st = LKA_FATAL;
				break;
			}
		}
		sqlite3_reset(sel);
		if ((st = end_batch(kase, st, s->err)) != LKA_OK)
			break;
	}
	sqlite3_finalize(sel);
	return st;
}

/* A message: its subject, then its text body. */
static bool
message_row(struct scanner *s, sqlite3_stmt *sel, int64_t id)
{
	int64_t a, b;

	s->st->messages++;
	a = scan_field(s, (const char *)sqlite3_column_text(sel, 1),
		       (size_t)sqlite3_column_bytes(sel, 1), id, 0, "subject");
	b = a < 0 ? -1
		  : scan_field(s, (const char *)sqlite3_column_text(sel, 2),
			       (size_t)sqlite3_column_bytes(sel, 2), id, 0, "body_text");
	if (a < 0 || b < 0)
		return false;
	if (a + b > 0)
		s->st->messages_touched++;
	return true;
}

/* An attachment's extracted text (column 1: its message). */
static bool
attachment_row(struct scanner *s, sqlite3_stmt *sel, int64_t id)
{
	int64_t w;

	s->st->attachments++;
	w = scan_field(s, (const char *)sqlite3_column_text(sel, 2),
		       (size_t)sqlite3_column_bytes(sel, 2), sqlite3_column_int64(sel, 1), id,
		       "attachment_text");
	if (w < 0)
		return false;
	if (w > 0)
		s->st->attachments_touched++;
	return true;
}

static lka_status
scan_messages(struct scanner *s)
{
	return scan_rows(s,
			 "SELECT id, subject, body_text, body_html FROM messages WHERE id > ?1 "
			 "ORDER BY id LIMIT 1",
			 "prepare the message scan", message_row);
}

static lka_status
scan_attachments(struct scanner *s)
{
	return scan_rows(s,
			 "SELECT a.id, a.message_id, t.text FROM attachments a JOIN "
			 "attachment_text t ON t.sha256 = a.sha256 WHERE a.id > ?1 AND t.text "
			 "IS NOT NULL ORDER BY a.id LIMIT 1",
			 "prepare the attachment scan", attachment_row);
}

static lka_status
scan_row(lka_case *kase, const char *sql, struct scanner *s, const char *outcome)
{
	sqlite3_stmt *q = NULL;
	char now[32];
	lka_status st = LKA_OK;

	lka_case__now_iso(now);
	if (sqlite3_prepare_v2(kase->db, sql, -1, &q, NULL) != SQLITE_OK)
		return lka_case__dberr(kase, s->err, "record the scan");
	sqlite3_bind_text(q, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, lka_version(), -1, SQLITE_STATIC);
	bind_text(q, 3, s->o->argv_text);
	sqlite3_bind_text(q, 4, outcome, -1, SQLITE_STATIC);
	/* the INSERT has only ?1-?4: binding the others there is a no-op */
	sqlite3_bind_int64(q, 5, s->scan_id);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)s->st->messages);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)s->st->attachments);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)s->st->bytes);
	sqlite3_bind_int64(q, 9, (sqlite3_int64)s->st->findings);
	sqlite3_bind_double(q, 10, s->st->seconds);
	if (sqlite3_step(q) != SQLITE_DONE)
		st = lka_case__dberr(kase, s->err, "record the scan");
	sqlite3_finalize(q);
	return st;
}

lka_status
lka_scan_case(lka_case *kase, const lka_scan_opts *opts, lka_scan_stats *out, lka_error *err)
{
	lka_scan_opts def;
	lka_scan_stats st_local;
	struct scanner s = { 0 };
	lka_status st;
	double t0 = lka__mono_seconds();

	if (!opts) {
		lka_scan_opts_default(&def);
		opts = &def;
	}
	if (!kase || kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase ? kase->path : NULL,
				  "the scan needs a case opened for writing");
	memset(&st_local, 0, sizeof st_local);
	s.kase = kase;
	s.o = opts;
	s.st = out ? out : &st_local;
	memset(s.st, 0, sizeof *s.st);
	s.err = err;
	lka_pii__index(&s.ix);

	/* the scans row, and the previous findings gone, in one transaction */
	if ((st = lka_case__exec(kase, "BEGIN IMMEDIATE", NULL, err)) != LKA_OK)
		return LKA_FATAL;
	if ((st = scan_row(kase,
			   "INSERT INTO scans (started_at, tool_version, args, outcome) "
			   "VALUES (?1, ?2, ?3, ?4)",
			   &s, "running")) != LKA_OK ||
	    (s.scan_id = sqlite3_last_insert_rowid(kase->db),
	     st = lka_case__exec(kase, "DELETE FROM findings", NULL, err)) != LKA_OK ||
	    (st = lka_case__exec(kase, "UPDATE scans SET outcome = 'superseded' WHERE outcome = 'complete'",
				 NULL, err)) != LKA_OK ||
	    (st = lka_case__exec(kase, "COMMIT", NULL, err)) != LKA_OK) {
		lka_case__rollback(kase);
		return LKA_FATAL;
	}
	s.st->scan_id = s.scan_id;
	if (sqlite3_prepare_v2(kase->db,
			       "INSERT INTO findings (scan_id, kind, category, value_norm, "
			       "value_masked, validator, confidence, message_id, attachment_id, field, "
			       "offset, length, context, person_address, person_name, detail) VALUES "
			       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
			       -1, &s.ins, NULL) != SQLITE_OK) {
		st = lka_case__dberr(kase, err, "prepare the findings insert");
		goto out;
	}
	if (opts->extract && (st = extract_all(&s)) != LKA_OK)
		goto out;
	if ((st = scan_messages(&s)) != LKA_OK)
		goto out;
	if ((st = scan_attachments(&s)) != LKA_OK)
		goto out;
out:
	s.st->seconds = lka__mono_seconds() - t0;
	sqlite3_finalize(s.ins);
	free(s.v);
	{
		if (st != LKA_OK)
			s.err = NULL; /* keep the first error */
		scan_row(kase,
			 "UPDATE scans SET finished_at = ?1, tool_version = ?2, args = coalesce(?3, "
			 "args), outcome = ?4, messages = ?6, attachments = ?7, bytes = ?8, "
			 "findings = ?9, seconds = ?10 WHERE id = ?5",
			 &s, st == LKA_OK ? "complete" : "failed");
	}
	return st == LKA_OK ? LKA_OK : LKA_FATAL;
}
