/*
 * gen-containers.c — container fixtures (lka-gen --containers OUTDIR).
 *
 * Deterministic (fixed mtimes); what is written and what a reader must find
 * is listed in OUTDIR/containers.tsv ("key<TAB>value") for the tests:
 *
 *   sources/mail.zip       zip: Inbox/a.eml, Inbox/b.eml, Sent/c.eml, notes.txt,
 *                          ../escape.eml (a zip-slip name holding mail),
 *                          backup/old.pst (a PST signature: private temporary copy)
 *   sources/maildir.tgz    tar.gz of a Maildir++ (cur/, new/, .Sent/cur/, tmp/)
 *                          and an mbox of two messages
 *   mail/emotet.eml        a message whose body offers a password and whose
 *                          zip attachment is encrypted with it (ZipCrypto)
 *   mail/locked.eml        the same zip, no password offered
 *   mail/bomb.eml          a zip of 16 MiB of zeros (ratio bomb)
 *   mail/nested.eml        a tar.gz holding a zip holding a message
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "gen-containers.h"

struct mem {
	unsigned char *p;
	size_t n, cap;
};

struct member {
	const char *name;
	const void *data;
	size_t len;
};

static int
make(struct mem *out, const char *format, const char *filter, const char *pass,
     const struct member *m, size_t nm)
{
	struct archive *a = archive_write_new();
	size_t used = 0;
	int rc = 0;

	out->cap = 1 << 20;
	for (size_t i = 0; i < nm; i++)
		out->cap += m[i].len + 1024;
	out->p = malloc(out->cap);
	if (!a || !out->p)
		return -1;
	archive_write_set_format_by_name(a, format);
	if (filter)
		archive_write_add_filter_by_name(a, filter);
	if (pass && (archive_write_set_options(a, "zip:encryption=zipcrypt") != ARCHIVE_OK ||
		     archive_write_set_passphrase(a, pass) != ARCHIVE_OK))
		rc = -1;
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, out->p, out->cap, &used) != ARCHIVE_OK)
		rc = -1;
	for (size_t i = 0; i < nm && rc == 0; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000, 0);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    archive_write_data(a, m[i].data, m[i].len) < 0)
			rc = -1;
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		rc = -1;
	if (rc)
		fprintf(stderr, "lka-gen: %s\n", archive_error_string(a));
	archive_write_free(a);
	out->n = used;
	return rc;
}

static int
put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static char *
b64(const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc(n / 3 * 4 + n / 57 * 2 + 16), *q = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*q++ = t[v >> 18 & 63];
		*q++ = t[v >> 12 & 63];
		*q++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? t[v & 63] : '=';
		if ((i / 3 + 1) % 19 == 0)
			*q++ = '\n';
	}
	*q = '\0';
	return o;
}

static int
carrier(const char *dir, const char *name, const char *subject, const char *body,
	const char *fname, const struct mem *z)
{
	char *enc = b64(z->p, z->n);
	size_t cap = (enc ? strlen(enc) : 0) + strlen(body) + 1024;
	char *raw = malloc(cap);
	int rc = -1;

	if (enc && raw) {
		int len = snprintf(raw, cap,
				   "From: Mallory <mallory@attacker.example>\n"
				   "To: victim@corp.example\nSubject: %s\n"
				   "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
				   "Message-ID: <%s@gen.example>\nMIME-Version: 1.0\n"
				   "Content-Type: multipart/mixed; boundary=BB\n\n--BB\n"
				   "Content-Type: text/plain; charset=utf-8\n\n%s\n--BB\n"
				   "Content-Type: application/zip; name=\"%s\"\n"
				   "Content-Disposition: attachment; filename=\"%s\"\n"
				   "Content-Transfer-Encoding: base64\n\n%s\n--BB--\n",
				   subject, name, body, fname, fname, enc);
		rc = put(dir, name, raw, (size_t)len);
	}
	free(enc);
	free(raw);
	return rc;
}

static char *
eml(const char *from, const char *subject, int n)
{
	char *m = malloc(512);

	if (m)
		snprintf(m, 512,
			 "From: %s\nTo: someone@corp.example\nSubject: %s\n"
			 "Date: Tue, 14 Nov 2023 10:%02d:00 +0000\n"
			 "Message-ID: <c%d@gen.example>\n\nBody of message %d.\n",
			 from, subject, n % 60, n, n);
	return m;
}

int
gen_containers(const char *outdir, bool quiet)
{
	char dir[4096], *e[12] = { 0 };
	struct mem z = { 0 }, in = { 0 }, mid = { 0 };
	unsigned char pst[4096];
	unsigned char *zeros = NULL;
	char mbox[1024];
	FILE *tsv;
	int rc = -1;

	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "lka-gen: %s: %s\n", outdir, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/sources", outdir);
	if (mkdir(dir, 0755) != 0)
		goto out;
	snprintf(dir, sizeof dir, "%s/mail", outdir);
	if (mkdir(dir, 0755) != 0)
		goto out;
	for (int i = 0; i < 12; i++)
		if (!(e[i] = eml("Alice <alice@corp.example>", "container test", i)))
			goto out;
	memset(pst, 0, sizeof pst);
	memcpy(pst, "!BDN\x8e\x5c\x4d\x53\x4d\x00\x17\x00\x01\x01", 14);

	/* sources/mail.zip */
	{
		const struct member m[] = {
			{ "Inbox/a.eml", e[0], strlen(e[0]) },
			{ "Inbox/b.eml", e[1], strlen(e[1]) },
			{ "Sent/c.eml", e[2], strlen(e[2]) },
			{ "notes.txt", "not mail\n", 9 },
			{ "../escape.eml", e[3], strlen(e[3]) },
			{ "backup/old.pst", pst, sizeof pst },
		};
		snprintf(dir, sizeof dir, "%s/sources", outdir);
		if (make(&z, "zip", NULL, NULL, m, 6) || put(dir, "mail.zip", z.p, z.n))
			goto out;
		free(z.p);
		z.p = NULL;
	}
	/* sources/maildir.tgz */
	snprintf(mbox, sizeof mbox,
		 "From alice@corp.example Tue Nov 14 10:00:00 2023\n%s\n"
		 "From alice@corp.example Tue Nov 14 10:01:00 2023\n%s",
		 e[8], e[9]);
	{
		const struct member m[] = {
			{ "Maildir/cur/1700000001.1.host:2,S", e[4], strlen(e[4]) },
			{ "Maildir/new/1700000002.2.host", e[5], strlen(e[5]) },
			{ "Maildir/.Sent/cur/1700000003.3.host:2,RS", e[6], strlen(e[6]) },
			{ "Maildir/tmp/1700000004.4.host", e[7], strlen(e[7]) },
			{ "mbox/archive.mbox", mbox, strlen(mbox) },
		};
		if (make(&z, "pax", "gzip", NULL, m, 5) || put(dir, "maildir.tgz", z.p, z.n))
			goto out;
		free(z.p);
		z.p = NULL;
	}
	snprintf(dir, sizeof dir, "%s/mail", outdir);
	/* mail/emotet.eml, mail/locked.eml */
	{
		const struct member m[] = { { "Invoice_2023-11.doc", "PK-not-really a doc\n", 20 },
					    { "forwarded.eml", e[10], strlen(e[10]) } };
		if (make(&z, "zip", NULL, "Inv2023!", m, 2) ||
		    carrier(dir, "emotet.eml", "Invoice 2023-11",
			    "Hello,\n\nplease find the invoice attached.\n"
			    "The document is protected, password: Inv2023!\n\nRegards",
			    "Invoice_2023-11.zip", &z) ||
		    carrier(dir, "locked.eml", "Invoice 2023-11 (again)",
			    "Hello,\n\nsee the attached invoice.\n", "Invoice_2023-11.zip", &z))
			goto out;
		free(z.p);
		z.p = NULL;
	}
	/* mail/bomb.eml */
	zeros = calloc(1, 16u << 20);
	if (!zeros)
		goto out;
	{
		const struct member m[] = { { "zeros.bin", zeros, 16u << 20 } };
		if (make(&z, "zip", NULL, NULL, m, 1) ||
		    carrier(dir, "bomb.eml", "bomb", "x", "bomb.zip", &z))
			goto out;
		free(z.p);
		z.p = NULL;
	}
	/* mail/nested.eml: tar.gz > zip > message */
	{
		const struct member m1[] = { { "deep/inner.eml", e[11], strlen(e[11]) } };
		if (make(&in, "zip", NULL, NULL, m1, 1))
			goto out;
		const struct member m2[] = { { "pack/inner.zip", in.p, in.n } };
		if (make(&mid, "pax", "gzip", NULL, m2, 1) ||
		    carrier(dir, "nested.eml", "nested", "x", "pack.tar.gz", &mid))
			goto out;
	}
	{
		char path[4096];

		snprintf(path, sizeof path, "%s/containers.tsv", outdir);
		tsv = fopen(path, "w");
		if (!tsv)
			goto out;
		fprintf(tsv, "mail.zip_messages\t4\nmail.zip_folders\tInbox Sent\n"
			     "mail.zip_nonmail\t1\nmail.zip_pst\tbackup/old.pst\n"
			     "maildir.tgz_messages\t5\nemotet_password\tInv2023!\n"
			     "emotet_members\t2\nnested_depth\t3\n");
		if (fclose(tsv) != 0)
			goto out;
	}
	if (!quiet)
		printf("containers: written to %s\n", outdir);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "lka-gen: container fixtures not written completely\n");
	for (int i = 0; i < 12; i++)
		free(e[i]);
	free(z.p);
	free(in.p);
	free(mid.p);
	free(zeros);
	return rc;
}
