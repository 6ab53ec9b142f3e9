/*
 * error.c — the one error-reporting pattern: a severity returned, the detail
 * written into the caller's lka_error.  Also the context and version calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *
lka_status_name(lka_status st)
{
	switch (st) {
	case LKA_OK: return "ok";
	case LKA_DONE: return "done";
	case LKA_WARN: return "warn";
	case LKA_FAILED: return "failed";
	case LKA_FATAL: return "fatal";
	}
	return "unknown";
}

const char *
lka_errkind_name(lka_errkind kind)
{
	static const char *const names[] = {
		[LKA_E_NONE] = "none", [LKA_E_CORRUPT] = "corrupt", [LKA_E_IO] = "io",
		[LKA_E_LIMIT] = "limit", [LKA_E_UNSUPPORTED] = "unsupported", [LKA_E_NOMEM] = "nomem",
		[LKA_E_DB] = "db", [LKA_E_USAGE] = "usage", [LKA_E_CRASH] = "crash",
		[LKA_E_CHANGED] = "changed", [LKA_E_MISMATCH] = "engine-mismatch",
	};
	if ((unsigned)kind < LKA_ARRAY_LEN(names) && names[kind])
		return names[kind];
	return "unknown";
}

const char *
lka_version(void)
{
	return LKA_VERSION_STRING;
}

int
lka_version_number(void)
{
	return LKA_VERSION_NUMBER;
}

static void
copy_where(lka_error *err, const char *where)
{
	if (where)
		snprintf(err->where, sizeof err->where, "%s", where);
	else
		err->where[0] = '\0';
}

lka_status
lka__error(lka_error *err, lka_status status, lka_errkind kind, int sys, const char *where,
	   const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	err->kind = kind;
	err->sys = sys;
	copy_where(err, where);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return status;
}

lka_status
lka__error_sys(lka_error *err, lka_status status, int sys, const char *where, const char *fmt,
	       ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return status;
	err->status = status;
	err->kind = sys == ENOMEM ? LKA_E_NOMEM : LKA_E_IO;
	err->sys = sys;
	copy_where(err, where);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (sys && n < sizeof err->msg)
		snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(sys));
	return status;
}

void
lka__error_clear(lka_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

void
lka_limits_default(lka_limits *out)
{
	out->message_bytes = 256u << 20;
	out->header_bytes = 1u << 20;
	out->mime_depth = 32;
	out->mime_parts = 10000;
	out->decoded_bytes = 256u << 20;
	out->text_bytes = 16u << 20;
	out->item_seconds = 120;
	out->reader_memory = (uint64_t)4 << 30;
	out->folder_depth = 64;
	out->archive_depth = 8;
	out->archive_members = 10000;
	out->archive_bytes = (uint64_t)512 << 20;
	out->archive_ratio = 200;
	out->archive_tmp_bytes = (uint64_t)8 << 30;
}

lka_status
lka_ctx_new(lka_ctx **out, lka_error *err)
{
	lka_ctx *ctx;

	*out = NULL;
	ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return lka__error(err, LKA_FATAL, LKA_E_NOMEM, ENOMEM, NULL, "out of memory");
	lka_limits_default(&ctx->limits);
	*out = ctx;
	return LKA_OK;
}

void
lka_ctx_free(lka_ctx *ctx)
{
	free(ctx);
}

lka_limits *
lka_ctx_limits(lka_ctx *ctx)
{
	return &ctx->limits;
}
