/*
 * util.c — small helpers: string copies, ASCII case, the monotonic clock,
 * reading and writing whole buffers on a file descriptor, the address-space
 * limit of a child process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define LKA_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LKA_UNDER_ASAN 1
#endif
#endif

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

double
lka__mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
lka__read_full(int fd, void *p, size_t n)
{
	unsigned char *q = p;

	while (n) {
		ssize_t r = read(fd, q, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		q += r;
		n -= (size_t)r;
	}
	return true;
}

bool
lka__write_all(int fd, const void *p, size_t n)
{
	const unsigned char *q = p;

	while (n) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		q += w;
		n -= (size_t)w;
	}
	return true;
}

void
lka__limit_memory(uint64_t bytes)
{
#ifndef LKA_UNDER_ASAN
	if (bytes) {
		struct rlimit rl;
		rl.rlim_cur = rl.rlim_max = (rlim_t)bytes;
		setrlimit(RLIMIT_AS, &rl);
	}
#else
	(void)bytes; /* ASan reserves terabytes of address space */
#endif
}

bool
lka__ieqn(const char *p, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n && w[i]; i++)
		if (lka__lower((unsigned char)p[i]) != w[i])
			return false;
	return i == n && w[i] == '\0';
}
