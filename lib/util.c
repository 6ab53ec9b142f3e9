/*
 * util.c — small helpers: string copies, whole-file reads, ASCII case.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

char *
lka__strdup(const char *s)
{
	return s ? lka__strndup(s, strlen(s)) : NULL;
}

char *
lka__strndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

lka_status
lka__read_file(lka_buf *out, const char *path, size_t max, lka_error *err)
{
	unsigned char chunk[65536];
	lka_status st = LKA_OK;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return lka__error_sys(err, LKA_FATAL, errno, path, "cannot open");
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			st = lka__error_sys(err, LKA_FATAL, errno, path, "cannot read");
			break;
		}
		if (r == 0)
			break;
		if (max && out->len + (size_t)r > max) {
			st = lka__error(err, LKA_FAILED, LKA_E_LIMIT, 0, path,
					"file larger than the limit of %zu bytes", max);
			break;
		}
		if (!lka_buf_add(out, chunk, (size_t)r)) {
			st = lka__error(err, LKA_FATAL, out->oom ? LKA_E_NOMEM : LKA_E_LIMIT, 0, path,
					"cannot hold the file in memory");
			break;
		}
	}
	close(fd);
	return st;
}

void
lka__ascii_lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *
lka__trim(char *s)
{
	size_t n;
	char *p = s;

	if (!s)
		return s;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}
