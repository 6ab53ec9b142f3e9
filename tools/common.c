/*
 * common.c — helpers shared by the lka-* tools.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char *tool_name = "lka";

int
tool_fail(const lka_error *err)
{
	if (err->where[0])
		fprintf(stderr, "%s: %s: %s\n", tool_name, err->where, err->msg);
	else
		fprintf(stderr, "%s: %s\n", tool_name, err->msg[0] ? err->msg : "failed");
	return TOOL_CANNOT;
}

/* "lka-ingest: " and the message on stderr, without a line end. */
static void
vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
}

int
tool_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int
tool_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", tool_name);
	return TOOL_USAGE;
}

int
tool_std_option(int c, void (*usage)(void))
{
	switch (c) {
	case 'h':
		usage();
		return TOOL_OK;
	case 'V':
		printf("%s (leakaudit) %s\n", tool_name, lka_version());
		return TOOL_OK;
	default:
		fprintf(stderr, "Try '%s --help'.\n", tool_name);
		return TOOL_USAGE;
	}
}

int
tool_open_case(lka_ctx **ctx, lka_case **kase, const char *path, unsigned flags)
{
	lka_error err = { 0 };

	if (lka_ctx_new(ctx, &err) != LKA_OK ||
	    lka_case_open(kase, *ctx, path, flags, &err) != LKA_OK)
		return tool_fail(&err);
	return TOOL_OK;
}

bool
tool_parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || !*s || *s == '-')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	tool_usage_error("invalid value for %s: '%s'", opt, s ? s : "");
	return false;
}

const char *
tool_num(char *buf, size_t cap, uint64_t v)
{
	char tmp[32];
	size_t n, o = 0;

	n = (size_t)snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (i && (n - i) % 3 == 0 && o + 2 < cap)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

char *
tool_argv_text(int argc, char **argv)
{
	size_t cap = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		cap += 4 * strlen(argv[i]) + 3;
	s = p = malloc(cap);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';
		for (const char *c = a; *c; c++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "-_./=:,+@%",
				    *c))
				plain = false;
		if (i)
			*p++ = ' ';
		if (plain) {
			p += sprintf(p, "%s", a);
			continue;
		}
		*p++ = '\'';
		for (const char *c = a; *c; c++) {
			if (*c == '\'')
				p += sprintf(p, "'\\''");
			else
				*p++ = *c;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}
