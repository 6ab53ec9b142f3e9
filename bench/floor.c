/*
 * floor.c — the floor for ingest speed: walk a folder, read every regular
 * file and SHA-256 it (the least any forensic ingest must do).  Prints
 * "files bytes seconds".
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

static unsigned long long files, bytes;

static int
visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	static unsigned char buf[1 << 17];
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	ssize_t n;
	int fd;

	(void)sb;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		sha256_update(&c, (size_t)n, buf);
		bytes += (unsigned long long)n;
	}
	sha256_digest(&c, sizeof d, d);
	close(fd);
	files++;
	return 0;
}

int
main(int argc, char **argv)
{
	struct timespec a, b;

	if (argc != 2) {
		fprintf(stderr, "usage: floor DIR\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (nftw(argv[1], visit, 64, FTW_PHYS) != 0) {
		perror(argv[1]);
		return 3;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%llu %llu %.3f\n", files, bytes,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
