/*
 * test-archive.c — archives as attachments: inventory, hostile names,
 * encrypted zips opened with a password the message offers, bombs and
 * nesting.  Archives are built in memory (libarchive's writer, or by hand
 * for what no writer produces: names in a legacy charset).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "archives.h"
#include "mime.h"
#include "tap.h"

struct member {
	const char *name;
	const void *data;
	size_t len;
};

/* A zip (or another format) made with libarchive's writer; *n its size. */
static unsigned char *
make_archive(const char *format, const char *filter, const char *pass,
	     const struct member *m, size_t nm, size_t *n)
{
	struct archive *a = archive_write_new();
	size_t cap = 1 << 20, used = 0;
	unsigned char *buf = NULL;

	for (size_t i = 0; i < nm; i++)
		cap += m[i].len + 1024;
	buf = malloc(cap);
	archive_write_set_format_by_name(a, format);
	if (filter)
		archive_write_add_filter_by_name(a, filter);
	if (pass) {
		if (archive_write_set_options(a, "zip:encryption=zipcrypt") != ARCHIVE_OK)
			diag("zipcrypt: %s", archive_error_string(a));
		archive_write_set_passphrase(a, pass);
	}
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
		diag("open: %s", archive_error_string(a));
	for (size_t i = 0; i < nm; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		archive_write_header(a, e);
		archive_write_data(a, m[i].data, m[i].len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	*n = used;
	return buf;
}

static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void
le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

/* A stored zip of one member with a raw name (no UTF-8 flag), by hand. */
static unsigned char *
raw_zip(const char *name, const char *data, size_t *n)
{
	size_t nl = strlen(name), dl = strlen(data);
	size_t lh = 30 + nl + dl, ch = 46 + nl;
	unsigned char *z = calloc(1, lh + ch + 22);
	uint32_t crc = crc32_of((const unsigned char *)data, dl);

	le32(z, 0x04034b50);
	le16(z + 4, 10);
	le32(z + 14, crc);
	le32(z + 18, (uint32_t)dl);
	le32(z + 22, (uint32_t)dl);
	le16(z + 26, (unsigned)nl);
	memcpy(z + 30, name, nl);
	memcpy(z + 30 + nl, data, dl);
	unsigned char *c = z + lh;
	le32(c, 0x02014b50);
	le16(c + 4, 20);
	le16(c + 6, 10);
	le32(c + 16, crc);
	le32(c + 20, (uint32_t)dl);
	le32(c + 24, (uint32_t)dl);
	le16(c + 28, (unsigned)nl);
	memcpy(c + 46, name, nl);
	unsigned char *e = c + ch;
	le32(e, 0x06054b50);
	le16(e + 8, 1);
	le16(e + 10, 1);
	le32(e + 12, (uint32_t)ch);
	le32(e + 16, (uint32_t)lh);
	*n = lh + ch + 22;
	return z;
}

static char *
b64(const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc(n / 3 * 4 + n / 57 * 2 + 16), *q = o;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
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

/* A message carrying one attachment; body is the text part. */
static lka_msg *
carry(lka_mime *mm, const char *body, const char *fname, const unsigned char *p, size_t n)
{
	char *enc = b64(p, n);
	size_t cap = strlen(enc) + strlen(body) + 1024;
	char *raw = malloc(cap);
	lka_msg *m = NULL;
	lka_error err = { 0 };

	snprintf(raw, cap,
		 "From: a@example.org\nTo: b@example.org\nSubject: files\nMIME-Version: 1.0\n"
		 "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
		 "Content-Type: text/plain; charset=utf-8\n\n%s\n--XX\n"
		 "Content-Type: application/octet-stream\n"
		 "Content-Disposition: attachment; filename=\"%s\"\n"
		 "Content-Transfer-Encoding: base64\n\n%s\n--XX--\n",
		 body, fname, enc);
	if (lka_mime_parse(&m, mm, raw, strlen(raw), &err) < LKA_WARN || !m)
		diag("parse: %s", err.msg);
	free(enc);
	free(raw);
	return m;
}

static const lka_diag *
find_diag(const lka_msg *m, const char *text)
{
	for (size_t i = 0; m && i < m->diags.n; i++)
		if (strstr(m->diags.v[i].message, text))
			return &m->diags.v[i];
	return NULL;
}

static lka_mime *
mime_with(const lka_limits *lim)
{
	lka_mime *mm = NULL;
	lka_error err = { 0 };

	if (lka_mime_new(&mm, lim, true, &err) != LKA_OK)
		diag("lka_mime_new: %s", err.msg);
	return mm;
}

static void
test_kind(void)
{
	unsigned char tar[512] = { 0 };

	memcpy(tar + 257, "ustar", 5);
	is_str(lka_arc_kind((const unsigned char *)"PK\3\4xxxx", 8), "zip", "zip signature");
	is_str(lka_arc_kind((const unsigned char *)"\x1f\x8b\x08\0", 4), "gzip", "gzip");
	is_str(lka_arc_kind((const unsigned char *)"7z\xbc\xaf\x27\x1c", 6), "7z", "7z");
	is_str(lka_arc_kind(tar, sizeof tar), "tar", "tar (ustar at 257)");
	ok(lka_arc_kind((const unsigned char *)"From: x\n", 8) == NULL, "mail is not an archive");
}

static bool
has_pw(char **v, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], want))
			return true;
	return false;
}

static void
test_passwords(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Hello,\nplease find the invoice attached.\nPassword: Inv2024!\nRegards", "Inv2024!" },
		{ "Le mot de passe est \"azerty77\".", "azerty77" },
		{ "mdp : Xk9-p2", "Xk9-p2" },
		{ "The archive password is 'Q7#r'", "Q7#r" },
		{ "Kennwort fuer die Datei: Sommer23", "Sommer23" },
		{ "Passwort: 4711", "4711" },
		{ "contraseña: hola123", "hola123" },
		{ "code d'accès = 1234", "1234" },
		{ "PWD 5555", "5555" },
	};
	char *v[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = lka_arc_passwords(cases[i].text, v, 32);

		ok(has_pw(v, n, cases[i].want), "password offered in \"%s\"", cases[i].text);
		for (size_t k = 0; k < n; k++)
			free(v[k]);
	}
	ok(lka_arc_passwords("No secret here, see you tomorrow.", v, 32) == 0,
	   "no keyword, no candidates");
	ok(lka_arc_passwords("our passcodeless login", v, 32) == 0, "a longer word is not a keyword");
}

static void
test_inventory(lka_mime *mm)
{
	static const char eml[] = "From: c@example.org\nTo: d@example.org\nSubject: inner\n\n"
				  "inner body\n";
	const struct member m[] = {
		{ "docs/readme.txt", "hello world\n", 12 },
		{ "docs/mail/inner.eml", eml, sizeof eml - 1 },
		{ "../../etc/evil.sh", "#!/bin/sh\n", 10 },
		{ "/abs/path.txt", "x", 1 },
		{ "docs/readme.txt", "again\n", 6 },
	};
	size_t n;
	unsigned char *z = make_archive("zip", NULL, NULL, m, 5, &n);
	lka_msg *msg = carry(mm, "see attached", "bundle.zip", z, n);
	lka_att *a = msg && msg->n_atts ? &msg->atts[0] : NULL;

	ok(a != NULL, "the zip is an attachment");
	if (!a)
		goto out;
	is_str(a->container, "zip", "container zip");
	is_int((long long)a->n_children, 5, "five members");
	if (a->n_children != 5)
		goto out;
	is_str(a->children[0].part_path, "docs/readme.txt", "member path kept");
	is_str(a->children[0].filename, "readme.txt", "member file name");
	is_int((long long)a->children[0].size, 12, "member size");
	ok(a->children[0].data && !memcmp(a->children[0].data, "hello world\n", 12),
	   "member bytes kept (store_content)");
	ok(a->children[1].embedded && a->children[1].embedded->subject &&
		   !strcmp(a->children[1].embedded->subject, "inner"),
	   "a mail member is parsed as an embedded message");
	is_str(a->children[2].name_flags, "dotdot", "../ name flagged");
	is_str(a->children[3].name_flags, "absolute", "absolute name flagged");
	is_str(a->children[4].name_flags, "duplicate-name", "a name seen twice is flagged");
	ok(find_diag(msg, "escapes the archive") != NULL, "escaping names are diagnosed");
out:
	lka_msg_free(msg);
	free(z);
}

static void
test_legacy_name(lka_mime *mm)
{
	/* "報告.txt" in Shift_JIS, no UTF-8 flag */
	size_t n;
	unsigned char *z = raw_zip("\x95\xf1\x8d\x90.txt", "data\n", &n);
	lka_msg *msg = carry(mm, "x", "sjis.zip", z, n);
	lka_att *a = msg && msg->n_atts ? &msg->atts[0] : NULL;

	ok(a && a->n_children == 1, "legacy-name zip has one member");
	if (a && a->n_children == 1) {
		is_str(a->children[0].part_path, "\xe5\xa0\xb1\xe5\x91\x8a.txt",
		       "Shift_JIS name decoded to UTF-8");
		is_str(a->children[0].name_flags, "legacy-charset", "... and flagged");
	}
	lka_msg_free(msg);
	free(z);
}

static void
test_encrypted(lka_mime *mm)
{
	const struct member m[] = { { "invoice.doc", "secret content\n", 15 } };
	size_t n;
	unsigned char *z = make_archive("zip", NULL, "Inv2024!", m, 1, &n);
	lka_msg *msg = carry(mm, "Hello,\nthe invoice is attached.\nPassword: Inv2024!\n",
			     "invoice.zip", z, n);
	lka_att *a = msg && msg->n_atts ? &msg->atts[0] : NULL;

	ok(a && a->encrypted, "encrypted zip flagged");
	is_str(a ? a->password : NULL, "Inv2024!", "the password from the body opened it");
	ok(a && a->n_children == 1 && a->children[0].encrypted && a->children[0].size == 15 &&
		   a->children[0].data && !memcmp(a->children[0].data, "secret content\n", 15),
	   "members inventoried with their content");
	lka_msg_free(msg);

	msg = carry(mm, "Hello,\nno secret here.\n", "invoice.zip", z, n);
	a = msg && msg->n_atts ? &msg->atts[0] : NULL;
	ok(a && a->encrypted && !a->password, "without a password: flagged, not opened");
	ok(a && a->n_children == 1 && a->children[0].encrypted && a->children[0].size == 0,
	   "the encrypted member is still listed");
	ok(find_diag(msg, "offers no password") != NULL, "diagnosed");
	lka_msg_free(msg);

	msg = carry(mm, "Password: wrong1\n", "invoice.zip", z, n);
	a = msg && msg->n_atts ? &msg->atts[0] : NULL;
	ok(a && a->encrypted && !a->password && find_diag(msg, "no password offered"),
	   "a wrong password does not open it");
	lka_msg_free(msg);
	free(z);
}

static void
test_bombs(void)
{
	lka_limits lim;
	lka_mime *mm;
	size_t n, zn;
	unsigned char *zeros = calloc(1, 8 << 20);
	struct member m[12];
	unsigned char *z;
	lka_msg *msg;
	char names[12][16];

	lka_limits_default(&lim);
	mm = mime_with(&lim);
	m[0] = (struct member){ "zeros.bin", zeros, 8 << 20 };
	z = make_archive("zip", NULL, NULL, m, 1, &n);
	msg = carry(mm, "x", "bomb.zip", z, n);
	ok(msg && find_diag(msg, "archive bomb") != NULL, "ratio bomb stopped (%zu bytes)", n);
	ok(msg && msg->n_atts && msg->atts[0].n_children == 1 &&
		   (msg->atts[0].children[0].flags & LKA_ATT_DAMAGED),
	   "the member read to the limit is marked");
	lka_msg_free(msg);
	free(z);
	lka_mime_free(mm);

	lka_limits_default(&lim);
	lim.archive_members = 5;
	mm = mime_with(&lim);
	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof names[i], "f%02d.txt", i);
		m[i] = (struct member){ names[i], "x", 1 };
	}
	z = make_archive("zip", NULL, NULL, m, 12, &n);
	msg = carry(mm, "x", "many.zip", z, n);
	ok(msg && find_diag(msg, "more than 5 members") != NULL, "member count limit");
	ok(msg && msg->n_atts && msg->atts[0].n_children == 5, "five members kept");
	lka_msg_free(msg);
	free(z);
	lka_mime_free(mm);

	/* nesting: a zip in a zip in a zip ... */
	lka_limits_default(&lim);
	lim.archive_depth = 3;
	mm = mime_with(&lim);
	z = make_archive("zip", NULL, NULL,
			 (struct member[]){ { "leaf.txt", "leaf", 4 } }, 1, &n);
	for (int i = 0; i < 5; i++) {
		unsigned char *outer = make_archive(
			"zip", NULL, NULL, (struct member[]){ { "inner.zip", z, n } }, 1, &zn);
		free(z);
		z = outer;
		n = zn;
	}
	msg = carry(mm, "x", "deep.zip", z, n);
	ok(msg && find_diag(msg, "nested deeper than 3 levels") != NULL, "depth limit");
	lka_msg_free(msg);
	free(z);

	/* tar.gz and a gzip of one file */
	z = make_archive("pax", "gzip", NULL,
			 (struct member[]){ { "dir/a.txt", "aaa", 3 }, { "dir/b.txt", "bb", 2 } },
			 2, &n);
	msg = carry(mm, "x", "t.tar.gz", z, n);
	ok(msg && msg->n_atts && msg->atts[0].container &&
		   !strcmp(msg->atts[0].container, "tar.gz") && msg->atts[0].n_children == 2,
	   "tar.gz inventoried");
	lka_msg_free(msg);
	free(z);
	z = make_archive("raw", "gzip", NULL, (struct member[]){ { "x", "plain text\n", 11 } }, 1,
			 &n);
	msg = carry(mm, "x", "notes.txt.gz", z, n);
	ok(msg && msg->n_atts && msg->atts[0].container &&
		   !strcmp(msg->atts[0].container, "gzip") && msg->atts[0].n_children == 1 &&
		   !strcmp(msg->atts[0].children[0].part_path, "notes.txt") &&
		   msg->atts[0].children[0].size == 11,
	   "gzip of one file: one member named after the carrier");
	lka_msg_free(msg);
	free(z);
	lka_mime_free(mm);
	free(zeros);
}

static void
test_corpus(lka_mime *mm)
{
	const char *dir = getenv("LKA_CORPUS");
	static const char *const names[] = { "tika__quine.gz", "tika__testZIP_corrupted_oom.zip" };
	char path[1024];

	for (size_t i = 0; i < 2; i++) {
		FILE *f;
		unsigned char buf[4096];
		size_t n;
		lka_msg *msg;

		snprintf(path, sizeof path, "%s/archive/%s", dir ? dir : "", names[i]);
		f = fopen(path, "rb");
		if (!f) {
			skip(1, "corpus file absent");
			continue;
		}
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		msg = carry(mm, "x", names[i], buf, n);
		ok(msg && msg->n_atts == 1 && msg->diags.n > 0,
		   "%s: inventoried with a diagnostic, no crash", names[i]);
		lka_msg_free(msg);
	}
}

int
main(void)
{
	lka_limits lim;
	lka_mime *mm;

	lka_limits_default(&lim);
	mm = mime_with(&lim);
	test_kind();
	test_passwords();
	test_inventory(mm);
	test_legacy_name(mm);
	test_encrypted(mm);
	test_bombs();
	test_corpus(mm);
	lka_mime_free(mm);
	return done_testing();
}
