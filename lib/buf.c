/*
 * buf.c — growable byte buffers with a hard cap (curl's dynbuf "toobig").
 * Evidence decides how much we are asked to store; the cap decides how much
 * we agree to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
lka_buf_init(lka_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max ? max : SIZE_MAX - 1;
}

void
lka_buf_free(lka_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
lka_buf_drop(lka_buf *b, size_t n)
{
	if (!n)
		return;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void
lka_buf_reset(lka_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->oom = b->toobig = false;
}

static bool
buf_grow(lka_buf *b, size_t need)
{
	size_t cap;
	unsigned char *p;

	if (need > b->max) {
		b->toobig = true;
		return false;
	}
	if (need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool
lka_buf_add(lka_buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - 1 - b->len || !buf_grow(b, b->len + n))
		return false;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool
lka_buf_reserve(lka_buf *b, size_t n)
{
	if (n > SIZE_MAX - 1 - b->len)
		return false;
	return buf_grow(b, b->len + n);
}

bool
lka_buf_addc(lka_buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return lka_buf_add(b, &ch, 1);
}

bool
lka_buf_adds(lka_buf *b, const char *s)
{
	return lka_buf_add(b, s, strlen(s));
}

bool
lka_buf_printf(lka_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof small)
		return lka_buf_add(b, small, (size_t)n);
	if (!buf_grow(b, b->len + (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

char *
lka_buf_steal(lka_buf *b, size_t *len_out)
{
	char *p;

	if (!b->data && !buf_grow(b, 0))
		return NULL;
	b->data[b->len] = '\0';
	p = (char *)b->data;
	if (len_out)
		*len_out = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
