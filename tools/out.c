/*
 * out.c — CSV, JSON Lines and table output for the analysis tools.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "out.h"

bool
out_parse_format(const char *s, out_format *f)
{
	if (!strcmp(s, "csv"))
		*f = OUT_CSV;
	else if (!strcmp(s, "jsonl") || !strcmp(s, "json"))
		*f = OUT_JSONL;
	else if (!strcmp(s, "table"))
		*f = OUT_TABLE;
	else
		return false;
	return true;
}

char *
out_csv_inert(const char *v)
{
	const char *p = v;
	size_t n = strlen(v);
	char *r;

	while (*p == ' ')
		p++;
	if (*p != '=' && *p != '+' && *p != '-' && *p != '@' && *p != '\t' && *p != '\r' &&
	    /* full-width forms some spreadsheets also accept: ＝ ＋ － ＠ */
	    strncmp(p, "\xef\xbc\x9d", 3) && strncmp(p, "\xef\xbc\x8b", 3) &&
	    strncmp(p, "\xef\xbc\x8d", 3) && strncmp(p, "\xef\xbc\xa0", 3))
		return strdup(v);
	r = malloc(n + 2);
	if (!r)
		return NULL;
	r[0] = '\'';
	memcpy(r + 1, v, n + 1);
	return r;
}

static void
csv_cell(FILE *fp, const char *v)
{
	char *s;

	if (!v || !*v)
		return;
	s = out_csv_inert(v);
	if (!s)
		return;
	if (strpbrk(s, ",\"\r\n;\t") || s[0] == '\'' || s[0] == ' ') {
		fputc('"', fp);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', fp);
			fputc(*p, fp);
		}
		fputc('"', fp);
	} else {
		fputs(s, fp);
	}
	free(s);
}

static void
json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

void
out_begin(out *o, out_format fmt, FILE *fp, const char *const *cols, const bool *numeric,
	  size_t ncols)
{
	memset(o, 0, sizeof *o);
	o->fmt = fmt;
	o->fp = fp;
	o->cols = cols;
	o->numeric = numeric;
	o->ncols = ncols;
	if (fmt == OUT_CSV) {
		for (size_t i = 0; i < ncols; i++) {
			if (i)
				fputc(',', fp);
			csv_cell(fp, cols[i]);
		}
		fputs("\r\n", fp);
	}
}

/* Table cell text: control characters shown as spaces, at most 48 characters. */
static char *
table_text(const char *v)
{
	size_t n = 0, chars = 0;
	char *r = malloc(strlen(v) + 4);

	if (!r)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p & 0xc0) != 0x80) {
			if (chars == 47 && p[1]) {
				memcpy(r + n, "\xe2\x80\xa6", 3); /* … */
				n += 3;
				break;
			}
			chars++;
		}
		r[n++] = (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p);
	}
	r[n] = '\0';
	return r;
}

static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void
out_row(out *o, const char *const *vals)
{
	switch (o->fmt) {
	case OUT_CSV:
		for (size_t i = 0; i < o->ncols; i++) {
			if (i)
				fputc(',', o->fp);
			csv_cell(o->fp, vals[i]);
		}
		fputs("\r\n", o->fp);
		break;
	case OUT_JSONL:
		fputc('{', o->fp);
		for (size_t i = 0; i < o->ncols; i++) {
			if (i)
				fputc(',', o->fp);
			json_str(o->fp, o->cols[i]);
			fputc(':', o->fp);
			if (!vals[i])
				fputs("null", o->fp);
			else if (o->numeric && o->numeric[i])
				fputs(vals[i][0] ? vals[i] : "0", o->fp);
			else
				json_str(o->fp, vals[i]);
		}
		fputs("}\n", o->fp);
		break;
	case OUT_TABLE:
		if (o->nrows == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 64;
			char **c = realloc(o->cells, cap * o->ncols * sizeof *c);
			if (!c) {
				o->failed = true;
				return;
			}
			o->cells = c;
			o->cap = cap;
		}
		for (size_t i = 0; i < o->ncols; i++)
			o->cells[o->nrows * o->ncols + i] = table_text(vals[i] ? vals[i] : "");
		o->nrows++;
		break;
	}
}

bool
out_end(out *o)
{
	if (o->fmt == OUT_TABLE) {
		size_t *w = calloc(o->ncols, sizeof *w);
		if (w) {
			for (size_t i = 0; i < o->ncols; i++)
				w[i] = width(o->cols[i]);
			for (size_t r = 0; r < o->nrows; r++)
				for (size_t i = 0; i < o->ncols; i++) {
					const char *c = o->cells[r * o->ncols + i];
					if (c && width(c) > w[i])
						w[i] = width(c);
				}
			for (size_t r = 0; r <= o->nrows; r++) {
				for (size_t i = 0; i < o->ncols; i++) {
					const char *c = r == 0 ? o->cols[i] : o->cells[(r - 1) * o->ncols + i];
					if (!c)
						c = "";
					fputs(c, o->fp);
					if (i + 1 < o->ncols)
						for (size_t k = width(c); k < w[i] + 2; k++)
							fputc(' ', o->fp);
				}
				fputc('\n', o->fp);
			}
			free(w);
		} else {
			o->failed = true;
		}
		for (size_t k = 0; k < o->nrows * o->ncols; k++)
			free(o->cells[k]);
		free(o->cells);
		o->cells = NULL;
	}
	if (fflush(o->fp) != 0 || ferror(o->fp))
		o->failed = true;
	return !o->failed;
}

int
out_query(sqlite3_stmt *s, out_format fmt, FILE *fp, const char *const *cols,
	  const bool *numeric, size_t ncols)
{
	const char *vals[OUT_MAX_COLS];
	out o;
	int step;

	if (ncols > OUT_MAX_COLS)
		return tool_error(TOOL_CANNOT, "too many columns (%zu)", ncols);
	out_begin(&o, fmt, fp, cols, numeric, ncols);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		for (size_t i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(s, (int)i);
		out_row(&o, vals);
	}
	if (!out_end(&o))
		return tool_error(TOOL_CANNOT, "cannot write the output");
	if (step != SQLITE_DONE)
		return tool_error(TOOL_CANNOT, "query failed: %s",
				  sqlite3_errmsg(sqlite3_db_handle(s)));
	return TOOL_OK;
}
