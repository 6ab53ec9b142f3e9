/*
 * test-triage.c — attachment triage checks on hostile input: the OLE
 * compound file directory parser, name checks, content checks, candidate
 * passwords, safe names.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "casedb.h"
#include "internal.h"
#include "tap.h"
#include "triage.h"

/* ---- a minimal compound file (v3, 512-byte sectors) ---- */

static void
w32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

struct ent {
	const char *name;
	int type;
};

/* Sector 0: FAT; sectors 1..: directory (4 entries each). Root first. */
static unsigned char *
make_cfb(const struct ent *e, size_t n, const unsigned char *root_clsid, size_t *len)
{
	size_t ndir = (n + 1 + 3) / 4, total = 512 * (1 + 1 + ndir);
	unsigned char *p = calloc(1, total), *fat, *dir;

	memcpy(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	p[0x18] = 0x3E;
	p[0x1A] = 3;
	p[0x1C] = 0xFE;
	p[0x1D] = 0xFF;
	p[0x1E] = 9;
	p[0x20] = 6;
	w32(p + 0x2C, 1);
	w32(p + 0x30, 1);
	w32(p + 0x38, 4096);
	w32(p + 0x3C, 0xFFFFFFFE);
	w32(p + 0x44, 0xFFFFFFFE);
	w32(p + 0x4C, 0);
	for (int i = 1; i < 109; i++)
		w32(p + 0x4C + 4 * i, 0xFFFFFFFF);
	fat = p + 512;
	for (int i = 0; i < 128; i++)
		w32(fat + 4 * i, 0xFFFFFFFF);
	w32(fat, 0xFFFFFFFD);
	for (size_t s = 0; s < ndir; s++)
		w32(fat + 4 * (1 + s), s + 1 < ndir ? (uint32_t)(2 + s) : 0xFFFFFFFE);
	dir = p + 1024;
	for (size_t i = 0; i <= n; i++) {
		unsigned char *d = dir + 128 * i;
		const char *nm = i == 0 ? "Root Entry" : e[i - 1].name;
		size_t k = strlen(nm);
		for (size_t j = 0; j < k && j < 31; j++)
			d[2 * j] = (unsigned char)nm[j];
		d[64] = (unsigned char)(2 * ((k < 31 ? k : 31) + 1));
		d[66] = (unsigned char)(i == 0 ? 5 : e[i - 1].type);
		w32(d + 68, 0xFFFFFFFF);
		w32(d + 72, 0xFFFFFFFF);
		w32(d + 76, 0xFFFFFFFF);
		if (i == 0 && root_clsid)
			memcpy(d + 80, root_clsid, 16);
		w32(d + 116, 0xFFFFFFFE);
	}
	*len = total;
	return p;
}

/* ---- collecting flags ---- */

struct got {
	char flags[1024];
	char reasons[4096];
};

static void
cb(const char *flag, const char *reason, void *payload)
{
	struct got *g = payload;
	size_t l = strlen(g->flags);
	snprintf(g->flags + l, sizeof g->flags - l, "%s%s", l ? "," : "", flag);
	l = strlen(g->reasons);
	snprintf(g->reasons + l, sizeof g->reasons - l, "%s|", reason);
}

static const char *
name_flags(const char *name)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	lka_triage_name(name, cb, &g);
	return g.flags;
}

static const char *
content_flags(const void *p, size_t n, const char *name, const char *type)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	lka_triage_content(p, n, name, type, cb, &g);
	return g.flags;
}

static void
test_cfb(void)
{
	static const struct ent doc[] = { { "WordDocument", 2 }, { "Macros", 1 }, { "VBA", 1 },
					  { "\x01" "CompObj", 2 }, { "ObjectPool", 1 } };
	static const unsigned char msi[16] = { 0x84, 0x10, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00,
					       0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };
	lka_cfb_entry *e = NULL;
	size_t n = 0, len;
	unsigned char *p = make_cfb(doc, 5, NULL, &len);
	unsigned seed = 12345;
	int crashes_ok = 1;

	is_int(lka_cfb_parse(p, len, &e, &n), LKA_CFB_OK, "a well-formed compound file parses");
	is_int((long long)n, 6, "six directory entries (root + 5)");
	ok(n == 6 && strcmp(e[0].name, "Root Entry") == 0 && e[0].type == 5, "root entry first");
	ok(n == 6 && strcmp(e[2].name, "Macros") == 0 && e[2].type == 1, "Macros storage");
	free(e);
	is_str(content_flags(p, len, "lettre.doc", "application/msword"), "macro,embedded-object",
	       "OLE with Macros and ObjectPool: macro and embedded-object");

	/* every truncation */
	for (size_t cut = 0; cut < len; cut += 7) {
		lka_cfb_status st = lka_cfb_parse(p, cut, &e, &n);
		free(e);
		if (cut < 512 && st != LKA_CFB_NOT_CFB && st != LKA_CFB_BAD)
			crashes_ok = 0;
	}
	ok(crashes_ok, "every truncation parses without harm");

	/* a directory chain that loops on itself */
	w32(p + 512 + 4 * 2, 1); /* sector 2 -> sector 1 */
	is_int(lka_cfb_parse(p, len, &e, &n), LKA_CFB_PARTIAL, "a FAT loop is cut (partial)");
	ok(n == 6, "... after reading each directory sector once (%zu entries)", n);
	free(e);
	w32(p + 512 + 4 * 2, 0xFFFFFFFE);

	/* first directory sector out of range, bad sector shift, huge counts */
	w32(p + 0x30, 0x7FFFFFFF);
	is_int(lka_cfb_parse(p, len, &e, &n), LKA_CFB_BAD, "directory sector beyond the file: bad");
	free(e);
	w32(p + 0x30, 1);
	p[0x1E] = 31;
	is_int(lka_cfb_parse(p, len, &e, &n), LKA_CFB_BAD, "sector shift 31 refused");
	free(e);
	p[0x1E] = 9;
	w32(p + 0x2C, 0xFFFFFFFF);
	w32(p + 0x44, 0);      /* DIFAT chain starting at the FAT sector */
	w32(p + 0x48, 0xFFFFFFFF);
	lka_cfb_parse(p, len, &e, &n);
	free(e);
	ok(1, "huge FAT and DIFAT counts and a DIFAT loop are survived");
	w32(p + 0x2C, 1);
	w32(p + 0x44, 0xFFFFFFFE);
	w32(p + 0x48, 0);
	p[1024 + 128 + 64] = 0xFF; /* name length 255 */
	p[1024 + 128 + 65] = 0xFF;
	is_int(lka_cfb_parse(p, len, &e, &n), LKA_CFB_OK, "an oversized name length is capped");
	free(e);

	/* random damage */
	for (int round = 0; round < 3000; round++) {
		unsigned char *q = malloc(len);
		memcpy(q, p, len);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			q[(seed >> 8) % len] = (unsigned char)(seed >> 20);
		}
		lka_cfb_parse(q, len, &e, &n);
		free(e);
		content_flags(q, len, "x.doc", NULL);
		free(q);
	}
	ok(1, "3000 damaged copies parse without harm");
	free(p);

	{
		static const struct ent enc[] = { { "EncryptionInfo", 2 }, { "EncryptedPackage", 2 } };
		p = make_cfb(enc, 2, NULL, &len);
		is_str(content_flags(p, len, "secret.docx", NULL), "encrypted",
		       "OLE EncryptedPackage: encrypted (and no mismatch with .docx)");
		free(p);
		p = make_cfb(enc, 0, msi, &len);
		is_str(content_flags(p, len, "setup.msi", NULL), "installer", "MSI CLSID: installer");
		free(p);
		static const struct ent clean[] = { { "WordDocument", 2 }, { "1Table", 2 },
						    { "\x05SummaryInformation", 2 } };
		p = make_cfb(clean, 3, NULL, &len);
		is_str(content_flags(p, len, "lettre.doc", "application/msword"), "",
		       "a clean .doc raises nothing");
		is_str(content_flags(p, len, "photo.jpg", "image/jpeg"), "type-mismatch",
		       "OLE content named .jpg: type-mismatch");
		free(p);
	}
}

static void
test_names(void)
{
	char long_name[2000];

	is_str(name_flags("facture.pdf.exe"), "executable,double-extension", "facture.pdf.exe");
	is_str(name_flags("rapport.pdf"), "", "rapport.pdf: nothing");
	is_str(name_flags("notes.v2.final.docx"), "", "dots in a clean name: nothing");
	is_str(name_flags("facture\xE2\x80\xAE" "fdp.exe"), "executable,bidi-control",
	       "RTLO name: executable and bidi-control");
	is_str(name_flags("scan.pdf          .js"), "script,space-padding",
	       "spaces before the real extension");
	is_str(name_flags("scan.pdf\xE2\x80\x83\xE2\x80\x83\xE2\x80\x83.vbs"), "script,space-padding",
	       "em spaces before the real extension");
	is_str(name_flags("budget.xlsm"), "macro", ".xlsm: macro by name");
	is_str(name_flags("Rapport   annuel 2023.pdf"), "", "blanks inside a name: nothing");
	is_str(name_flags("avis.pdf" "            " "suite.exe"), "executable,space-padding",
	       "a long run of blanks hiding the extension");
	is_str(name_flags("photo   .jpg"), "space-padding", "blanks right before the extension");
	is_str(name_flags("PO45638.Xls.htm"), "double-extension", "a spreadsheet that is a web page");
	is_str(name_flags("page.htm"), "", "a plain web page: nothing");
	is_str(name_flags("a\x01" "b.txt"), "control-chars", "control character");
	is_str(name_flags("invoice.exe. . "), "executable", "trailing dots and blanks dropped as Windows does");
	is_str(name_flags("C:\\Users\\x\\photo.jpg.scr"), "executable,double-extension",
	       "path in the name: last component");
	is_str(name_flags("disk.iso"), "disk-image", ".iso");
	is_str(name_flags("link.lnk"), "shortcut", ".lnk");
	is_str(name_flags("app.jar"), "java-archive", ".jar");
	is_str(name_flags("setup.msi"), "installer", ".msi");
	is_str(name_flags(""), "", "empty name");
	is_str(name_flags(NULL), "", "NULL name");
	is_str(name_flags("\xFF\xFE\xC0\xAF.exe"), "executable", "invalid UTF-8 is survived");
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	memcpy(long_name + 1990, ".pdf.exe", 9);
	is_str(name_flags(long_name), "executable,double-extension", "a 2000-byte name");
}

static void
test_content(void)
{
	unsigned char pe[512] = "MZ", elf[64] = "\x7f" "ELF", *iso;
	unsigned char lnk[76] = { 0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
				  0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };
	const char pdf[] = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n";

	w32(pe + 0x3C, 0x80);
	memcpy(pe + 0x80, "PE\0\0", 4);
	is_str(content_flags(pe, sizeof pe, "facture.pdf", "application/pdf"),
	       "executable,type-mismatch", "PE behind a .pdf name: executable and type-mismatch");
	is_str(content_flags(pe, sizeof pe, "setup.exe", "application/octet-stream"), "executable",
	       "PE named .exe: executable, no mismatch");
	is_str(content_flags(pe, 0x40, "a.bin", NULL), "", "MZ without room for a PE header: nothing");
	w32(pe + 0x3C, 0xFFFFFFF0);
	is_str(content_flags(pe, sizeof pe, "a.bin", NULL), "", "PE offset past the end: nothing");
	is_str(content_flags(elf, sizeof elf, "x", NULL), "executable", "ELF");
	is_str(content_flags(lnk, sizeof lnk, "doc.pdf.lnk", NULL), "shortcut",
	       "shell link header");
	iso = calloc(1, 0x9000);
	memcpy(iso + 0x8001, "CD001", 5);
	is_str(content_flags(iso, 0x9000, "facture.img", NULL), "disk-image", "ISO 9660");
	free(iso);
	is_str(content_flags(pdf, sizeof pdf - 1, "rapport.pdf", "application/pdf"), "",
	       "a clean PDF raises nothing");
	is_str(content_flags(pdf, sizeof pdf - 1, "rapport.docx", NULL), "type-mismatch",
	       "a PDF named .docx: type-mismatch");
	is_str(content_flags("#!/bin/sh\necho\n", 15, "notes.txt", "text/plain"), "script",
	       "shebang: script");
	is_str(content_flags("hello", 5, "a.txt", "text/plain"), "", "plain text: nothing");
	is_str(content_flags(NULL, 0, NULL, NULL), "", "no content, no name: nothing");
}

/* An in-memory zip written by libarchive (encrypted with ZipCrypto when pw). */
static unsigned char *
make_zip(const char *const *names, const char *const *bodies, size_t n, const char *pw,
	 size_t *len)
{
	size_t cap = 1 << 20, used = 0;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();

	archive_write_set_format_zip(a);
	if (pw) {
		archive_write_set_options(a, "zip:encryption=zipcrypt");
		archive_write_set_passphrase(a, pw);
	}
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_size(e, (la_int64_t)strlen(bodies[i]));
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, bodies[i], strlen(bodies[i]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	*len = used;
	return buf;
}

static void
test_zip(void)
{
	static const char *const docm[] = { "[Content_Types].xml", "word/document.xml",
					    "word/vbaProject.bin", "word/_rels/settings.xml.rels",
					    "word/embeddings/oleObject1.bin" };
	static const char *const docm_b[] = {
		"<Types/>", "<w:document/>", "VBA",
		"<?xml version=\"1.0\"?><Relationships xmlns=\"x\"><Relationship Id=\"rId1\" "
		"Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		"attachedTemplate\" Target=\"http://evil.example/t.dotm\" TargetMode=\"External\"/>"
		"</Relationships>",
		"OLE"
	};
	static const char *const clean[] = { "[Content_Types].xml", "word/document.xml",
					     "word/_rels/document.xml.rels" };
	static const char *const clean_b[] = {
		"<Types/>", "<w:document/>",
		"<Relationships><Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/"
		"officeDocument/2006/relationships/hyperlink\" Target=\"https://example.org/\" "
		"TargetMode=\"External\"/></Relationships>"
	};
	static const char *const payload[] = { "facture.pdf.js" };
	static const char *const payload_b[] = { "WScript.Echo(1)" };
	const char *pw[] = { "wrong", "Secret-2024" };
	char *cand[6];
	size_t len, k;
	unsigned char *z = make_zip(docm, docm_b, 5, NULL, &len);
	struct got g = { { 0 }, { 0 } };

	lka_triage_content(z, len, "offre.docx", NULL, cb, &g);
	is_str(g.flags, "external-template,macro,embedded-object",
	       "OOXML with vbaProject.bin, an external template and an embedding");
	ok(strstr(g.reasons, "http://evil.example/t.dotm") != NULL, "... the template URL is given");
	for (size_t i = 0; i + 4 < len; i++) {
		if (memcmp(z + i, "PK\x01\x02", 4) == 0) {
			ok(strstr(content_flags(z, i, "offre.docx", NULL), "macro") != NULL,
			   "without its central directory, the package is read from its local headers");
			break;
		}
	}
	free(z);
	z = make_zip(clean, clean_b, 3, NULL, &len);
	is_str(content_flags(z, len, "offre.docx", "application/vnd.openxmlformats-officedocument."
						  "wordprocessingml.document"),
	       "", "a clean docx with an external hyperlink raises nothing");
	free(z);
	z = make_zip(payload, payload_b, 1, "Secret-2024", &len);
	is_str(content_flags(z, len, "documents.zip", "application/zip"),
	       "encrypted,contains-executable", "ZipCrypto zip holding a script");
	is_int(lka_triage__archive_encrypted(z, len), 1, "archive_encrypted says so");
	is_int(lka_triage__try_passwords(z, len, pw, 2), 1, "the right password opens it");
	is_int(lka_triage__try_passwords(z, len, pw, 1), -1, "a wrong one does not");
	for (size_t cut = 0; cut < len; cut += 3)
		content_flags(z, cut, "documents.zip", NULL);
	ok(1, "truncated zips are survived");
	free(z);
	{
		unsigned seed = 777;
		z = make_zip(docm, docm_b, 5, NULL, &len);
		for (int round = 0; round < 400; round++) {
			unsigned char *q = malloc(len);
			memcpy(q, z, len);
			for (int f = 0; f < 1 + round % 6; f++) {
				seed = seed * 1103515245u + 12345u;
				q[(seed >> 8) % len] = (unsigned char)(seed >> 20);
			}
			content_flags(q, len, "offre.docx", NULL);
			free(q);
		}
		ok(1, "400 damaged OOXML packages are survived");
		free(z);
	}

	k = lka_triage__body_passwords("Bonjour,\nle mot de passe du fichier est : Secret-2024.\n"
				       "Password: abc123\n",
				       cand, 6);
	ok(k == 2 && strcmp(cand[0], "Secret-2024") == 0 && strcmp(cand[1], "abc123") == 0,
	   "passwords named in a body (%zu)", k);
	for (size_t i = 0; i < k; i++)
		free(cand[i]);
	k = lka_triage__body_passwords("no secret here", cand, 6);
	is_int((long long)k, 0, "no password in a plain body");
	k = lka_triage__body_passwords("password", cand, 6);
	for (size_t i = 0; i < k; i++)
		free(cand[i]);
	ok(1, "a body ending on the keyword is survived");
}

static void
test_safe_names(void)
{
	static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "../../etc/passwd", "passwd" },
		{ "/etc/shadow", "shadow" },
		{ "..", "attachment-0123456789ab" },
		{ ".", "attachment-0123456789ab" },
		{ "", "attachment-0123456789ab" },
		{ "C:\\Windows\\evil.dll", "evil.dll" },
		{ "CON", "_CON" },
		{ "nul.txt", "_nul.txt" },
		{ "com1.pdf", "_com1.pdf" },
		{ "LPT9", "_LPT9" },
		{ "console.txt", "console.txt" },
		{ "a\nb\r\x01.txt", "ab.txt" },
		{ "facture\xE2\x80\xAE" "fdp.exe", "facturefdp.exe" },
		{ "scan.pdf            .exe", "scan.pdf .exe" },
		{ "a:b*c?<d>|e\".txt", "a_b_c__d__e_.txt" },
		{ "  .hidden", "hidden" },
		{ "x.exe. . ", "x.exe" },
		{ "r\xC3\xA9sum\xC3\xA9.pdf", "r\xC3\xA9sum\xC3\xA9.pdf" },
		{ "bad\xFF\xC0utf8.txt", "badutf8.txt" },
		{ "zero\xE2\x80\x8Bwidth.txt", "zerowidth.txt" },
		{ NULL, "attachment-0123456789ab" },
	};
	char out[256], big[1200];
	size_t n;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lka_attachment_safe_name(out, sizeof out, cases[i].in, sha);
		is_str(out, cases[i].want, "safe name of case %zu", i);
	}
	memset(big, 0, sizeof big);
	for (size_t i = 0; i + 2 < 1000; i += 2)
		memcpy(big + i, "\xC3\xA9", 2);
	strcat(big, ".pdf");
	n = lka_attachment_safe_name(out, sizeof out, big, sha);
	ok(n <= 200 && n == strlen(out) && lka_utf8_valid(out, n) &&
		   strcmp(out + n - 4, ".pdf") == 0,
	   "a long name is cut to 200 bytes at a character boundary, extension kept (%zu)", n);
}

/* ---- the blob reader and extraction, on hand-made blobs rows ---- */

static void
content_of(unsigned char *p, size_t n, unsigned k)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)("leakaudit blob "[i % 15] + (i / 4096 + k) % 7);
}

static void
put_blob(sqlite3 *db, const char *hex, size_t bytes, const char *comp, const void *stream,
	 size_t slen, int chunks, bool stored)
{
	sqlite3_stmt *s = NULL;

	sqlite3_prepare_v2(db, "INSERT INTO blobs (sha256, bytes, compression, stored_bytes, chunks, data) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &s, NULL);
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)bytes);
	sqlite3_bind_text(s, 3, comp, -1, SQLITE_STATIC);
	if (stored)
		sqlite3_bind_int64(s, 4, (sqlite3_int64)slen);
	sqlite3_bind_int(s, 5, chunks);
	if (stored && !chunks)
		sqlite3_bind_blob(s, 6, stream, (int)slen, SQLITE_STATIC);
	sqlite3_step(s);
	sqlite3_finalize(s);
	for (int i = 0; i < chunks; i++) {
		size_t piece = (slen + (size_t)chunks - 1) / (size_t)chunks, off = (size_t)i * piece;
		size_t len = slen - off < piece ? slen - off : piece;
		sqlite3_prepare_v2(db, "INSERT INTO blob_chunks (sha256, seq, data) VALUES (?1, ?2, ?3)",
				   -1, &s, NULL);
		sqlite3_bind_text(s, 1, hex, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, i);
		sqlite3_bind_blob(s, 3, (const unsigned char *)stream + off, (int)len, SQLITE_STATIC);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
}

/* Read all of a blob in 1000-byte steps; the status of the end. */
static lka_status
read_all(lka_case *k, const char *hex, unsigned char *out, size_t cap, size_t *n)
{
	lka_blob *b = NULL;
	lka_error e = { 0 };
	lka_status st;
	size_t got;

	*n = 0;
	if ((st = lka_blob_open(&b, k, hex, &e)) != LKA_OK)
		return st;
	for (;;) {
		size_t want = cap - *n < 1000 ? cap - *n : 1000;
		st = lka_blob_read(b, out + *n, want, &got, &e);
		*n += got;
		if (st != LKA_OK || (want == 0 && got == 0))
			break;
	}
	lka_blob_free(b);
	return st;
}

static void
test_blob(void)
{
	enum { N = 300000 };
	char dir[] = "/tmp/lka-triage-XXXXXX", path[256], hex[5][LKA_SHA256_HEX], w[256];
	unsigned char *c[5], *z = malloc(compressBound(N)), *back = malloc(N + 100);
	uLongf zl = compressBound(N);
	uint8_t d[LKA_SHA256_LEN];
	lka_ctx *ctx = NULL;
	lka_case *k = NULL;
	lka_error e = { 0 };
	size_t n;
	int dfd;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/c.db", dir);
	lka_ctx_new(&ctx, &e);
	if (lka_case_open(&k, ctx, path, LKA_CASE_CREATE, &e) != LKA_OK) {
		ok(0, "create a case: %s", e.msg);
		return;
	}
	for (unsigned i = 0; i < 5; i++) {
		c[i] = malloc(N);
		content_of(c[i], N, i);
		lka_sha256_buf(c[i], N, d);
		lka_sha256_hex(d, hex[i]);
	}
	put_blob(k->db, hex[0], N, "none", c[0], N, 0, true);
	compress2(z, &zl, c[1], N, 1);
	put_blob(k->db, hex[1], N, "zlib", z, zl, 0, true);
	zl = compressBound(N);
	compress2(z, &zl, c[2], N, 1);
	put_blob(k->db, hex[2], N, "zlib", z, zl, 3, true);
	zl = compressBound(N);
	compress2(z, &zl, c[3], N, 1);
	z[zl / 2] ^= 0x55;
	put_blob(k->db, hex[3], N, "zlib", z, zl, 0, true);
	put_blob(k->db, hex[4], N, "none", c[0], N, 0, true); /* bytes of another content */
	put_blob(k->db, "0000000000000000000000000000000000000000000000000000000000000000", 5,
		 "none", NULL, 0, 0, false);

	is_int(read_all(k, hex[0], back, N + 100, &n), LKA_DONE, "raw blob read to the end");
	ok(n == N && memcmp(back, c[0], N) == 0, "... same bytes");
	is_int(read_all(k, hex[1], back, N + 100, &n), LKA_DONE, "zlib blob inflated as a stream");
	ok(n == N && memcmp(back, c[1], N) == 0, "... same bytes");
	is_int(read_all(k, hex[2], back, N + 100, &n), LKA_DONE, "zlib stream over three chunks");
	ok(n == N && memcmp(back, c[2], N) == 0, "... same bytes");
	is_int(read_all(k, hex[3], back, N + 100, &n), LKA_FAILED, "a damaged zlib stream fails");
	is_int(read_all(k, hex[4], back, N + 100, &n), LKA_FAILED,
	       "content that does not hash to its name fails");
	is_int(read_all(k, "0000000000000000000000000000000000000000000000000000000000000000", back,
			N, &n),
	       LKA_FAILED, "hash-only content: failed");
	is_int(read_all(k, "1111111111111111111111111111111111111111111111111111111111111111", back,
			N, &n),
	       LKA_FAILED, "unknown content: failed");

	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	is_int(lka_attachment_extract(k, hex[1], dfd, "a.bin", w, sizeof w, &e), LKA_OK, "extract");
	is_str(w, "a.bin", "... under its name");
	is_int(lka_attachment_extract(k, hex[1], dfd, "a.bin", w, sizeof w, &e), LKA_OK, "extract again");
	is_str(w, "a (2).bin", "... under another name, nothing replaced");
	snprintf(path, sizeof path, "%s/target", dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	symlinkat(path, dfd, "link.bin");
	is_int(lka_attachment_extract(k, hex[0], dfd, "link.bin", w, sizeof w, &e), LKA_OK,
	       "extract onto a link's name");
	is_str(w, "link (2).bin", "... the link is not followed");
	{
		char ch;
		int fd = open(path, O_RDONLY);
		ok(fd >= 0 && read(fd, &ch, 1) == 0, "... its target is still empty");
		if (fd >= 0)
			close(fd);
	}
	is_int(lka_attachment_extract(k, hex[3], dfd, "bad.bin", w, sizeof w, &e), LKA_FAILED,
	       "a damaged content is not extracted");
	ok(faccessat(dfd, "bad.bin", F_OK, 0) != 0, "... and leaves no partial file");
	is_int(lka_attachment_extract(k, hex[0], dfd, "../x.bin", w, sizeof w, &e), LKA_FAILED,
	       "a name with a slash is refused");
	is_int(lka_attachment_extract(k, hex[0], dfd, "..", w, sizeof w, &e), LKA_FAILED,
	       "'..' is refused");
	close(dfd);
	lka_case_free(k);
	lka_ctx_free(ctx);
	for (unsigned i = 0; i < 5; i++)
		free(c[i]);
	free(z);
	free(back);
	{
		static const char *const files[] = { "a.bin", "a (2).bin", "link.bin", "link (2).bin",
						     "target", "c.db", "c.db-wal", "c.db-shm" };
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", dir, files[i]);
			unlink(path);
		}
		rmdir(dir);
	}
}

int
main(void)
{
	test_cfb();
	test_names();
	test_content();
	test_zip();
	test_safe_names();
	test_blob();
	return done_testing();
}
