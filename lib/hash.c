/*
 * hash.c — SHA-256 through nettle (libarchive already links it; see
 * ../shared/notes/libraries.md §7 for the comparison with OpenSSL).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "internal.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(lka_sha256), "lka_sha256 too small");

void
lka_sha256_init(lka_sha256 *h)
{
	sha256_init((struct sha256_ctx *)(void *)h);
}

void
lka_sha256_update(lka_sha256 *h, const void *p, size_t n)
{
	sha256_update((struct sha256_ctx *)(void *)h, n, p);
}

void
lka_sha256_final(lka_sha256 *h, uint8_t out[LKA_SHA256_LEN])
{
	sha256_digest((struct sha256_ctx *)(void *)h, LKA_SHA256_LEN, out);
}

void
lka_sha256_buf(const void *p, size_t n, uint8_t out[LKA_SHA256_LEN])
{
	lka_sha256 h;

	lka_sha256_init(&h);
	lka_sha256_update(&h, p, n);
	lka_sha256_final(&h, out);
}

void
lka_sha256_hex(const uint8_t d[LKA_SHA256_LEN], char out[LKA_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < LKA_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * LKA_SHA256_LEN] = '\0';
}

lka_status
lka_sha256_file(const char *path, uint8_t out[LKA_SHA256_LEN], uint64_t *size, lka_error *err)
{
	unsigned char chunk[1 << 17];
	lka_sha256 h;
	uint64_t total = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return lka__error_sys(err, LKA_FATAL, errno, path, "cannot open");
	lka_sha256_init(&h);
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return lka__error_sys(err, LKA_FATAL, e, path, "cannot read");
		}
		if (r == 0)
			break;
		lka_sha256_update(&h, chunk, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	lka_sha256_final(&h, out);
	if (size)
		*size = total;
	return LKA_OK;
}
