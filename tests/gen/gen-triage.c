/*
 * gen-triage.c — deterministic evidence for the attachment triage tests.
 *
 *   lka-gen --triage OUTDIR
 *
 * writes OUTDIR/eml/NN-*.eml, one message per planted attachment kind (a PE
 * behind a .pdf name, an RTLO name, an OLE file with a Macros storage, an
 * OOXML package with vbaProject.bin, an external template, an encrypted zip
 * with its password in the body ...) and clean documents, with
 * OUTDIR/expected.tsv ("file name<TAB>flags", flags sorted and
 * comma-separated, empty when none; an archive member or OOXML part is
 * named by its container path and member path, "offre.docx/word/vbaProject.bin"), OUTDIR/iocs.txt and
 * OUTDIR/names/NN-*.eml: attachments whose names try to escape a folder.
 * Every byte is fixed: no randomness, no clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen-triage.h"

struct tb {
	unsigned char *p;
	size_t n, cap;
};

static void
tb_put(struct tb *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t nc = (b->n + n + 1) * 2;
		unsigned char *np = realloc(b->p, nc);
		if (!np) {
			fprintf(stderr, "lka-gen: out of memory\n");
			exit(3);
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void
tb_puts(struct tb *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

static void
tb_le16(struct tb *b, uint32_t v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	tb_put(b, c, 2);
}

static void
tb_le32(struct tb *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	tb_put(b, c, 4);
}

static void
tb_zero(struct tb *b, size_t n)
{
	static const unsigned char z[512];
	while (n) {
		size_t k = n < sizeof z ? n : sizeof z;
		tb_put(b, z, k);
		n -= k;
	}
}

/* ---- crc32 and ZipCrypto (traditional PKWARE encryption) ---- */

static uint32_t crc_tab[256];

static void
crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_tab[i] = c;
	}
}

static uint32_t
crc32_of(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++)
		c = crc_tab[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

struct zc {
	uint32_t k0, k1, k2;
};

static void
zc_update(struct zc *z, unsigned char c)
{
	z->k0 = crc_tab[(z->k0 ^ c) & 0xFF] ^ (z->k0 >> 8);
	z->k1 = (z->k1 + (z->k0 & 0xFF)) * 134775813u + 1;
	z->k2 = crc_tab[(z->k2 ^ (z->k1 >> 24)) & 0xFF] ^ (z->k2 >> 8);
}

static unsigned char
zc_byte(const struct zc *z)
{
	uint32_t t = (z->k2 | 2) & 0xFFFF;
	return (unsigned char)((t * (t ^ 1)) >> 8);
}

/* ---- zip (stored entries), optionally ZipCrypto-encrypted ---- */

struct zip {
	struct tb z, cd;
	unsigned count;
};

static void
zip_add(struct zip *zp, const char *name, const void *data, size_t len, const char *pw)
{
	uint32_t crc = crc32_of(data, len), off = (uint32_t)zp->z.n;
	size_t nlen = strlen(name), clen = len + (pw ? 12 : 0);
	unsigned flags = pw ? 1 : 0;
	struct tb enc = { 0 };

	if (pw) {
		struct zc z = { 0x12345678u, 0x23456789u, 0x34567890u };
		unsigned char hdr[12];
		for (const char *c = pw; *c; c++)
			zc_update(&z, (unsigned char)*c);
		for (int i = 0; i < 12; i++)
			hdr[i] = (unsigned char)(0x5A + 17 * i); /* fixed "random" header */
		hdr[11] = (unsigned char)(crc >> 24);
		for (int i = 0; i < 12; i++) {
			unsigned char c = hdr[i] ^ zc_byte(&z);
			zc_update(&z, hdr[i]);
			tb_put(&enc, &c, 1);
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char p = ((const unsigned char *)data)[i], c = p ^ zc_byte(&z);
			zc_update(&z, p);
			tb_put(&enc, &c, 1);
		}
	}
	tb_le32(&zp->z, 0x04034b50);
	tb_le16(&zp->z, 20);
	tb_le16(&zp->z, flags);
	tb_le16(&zp->z, 0);
	tb_le16(&zp->z, (10u << 11) | (30u << 5));
	tb_le16(&zp->z, ((2024u - 1980u) << 9) | (3u << 5) | 1u);
	tb_le32(&zp->z, crc);
	tb_le32(&zp->z, (uint32_t)clen);
	tb_le32(&zp->z, (uint32_t)len);
	tb_le16(&zp->z, (uint32_t)nlen);
	tb_le16(&zp->z, 0);
	tb_put(&zp->z, name, nlen);
	if (pw)
		tb_put(&zp->z, enc.p, enc.n);
	else
		tb_put(&zp->z, data, len);
	free(enc.p);
	tb_le32(&zp->cd, 0x02014b50);
	tb_le16(&zp->cd, 20);
	tb_le16(&zp->cd, 20);
	tb_le16(&zp->cd, flags);
	tb_le16(&zp->cd, 0);
	tb_le16(&zp->cd, (10u << 11) | (30u << 5));
	tb_le16(&zp->cd, ((2024u - 1980u) << 9) | (3u << 5) | 1u);
	tb_le32(&zp->cd, crc);
	tb_le32(&zp->cd, (uint32_t)clen);
	tb_le32(&zp->cd, (uint32_t)len);
	tb_le16(&zp->cd, (uint32_t)nlen);
	tb_zero(&zp->cd, 8);
	tb_le32(&zp->cd, 0);
	tb_le32(&zp->cd, off);
	tb_put(&zp->cd, name, nlen);
	zp->count++;
}

static void
zip_end(struct zip *zp, struct tb *out)
{
	uint32_t cd_off = (uint32_t)zp->z.n;
	tb_put(out, zp->z.p, zp->z.n);
	tb_put(out, zp->cd.p, zp->cd.n);
	tb_le32(out, 0x06054b50);
	tb_le16(out, 0);
	tb_le16(out, 0);
	tb_le16(out, zp->count);
	tb_le16(out, zp->count);
	tb_le32(out, (uint32_t)zp->cd.n);
	tb_le32(out, cd_off);
	tb_le16(out, 0);
	free(zp->z.p);
	free(zp->cd.p);
	memset(zp, 0, sizeof *zp);
}

/* ---- OLE compound file (v3): FAT sector, directory sectors ---- */

struct ole_ent {
	const char *name;
	int type; /* 1 storage, 2 stream */
};

static void
make_ole(struct tb *out, const struct ole_ent *e, size_t n, const unsigned char *root_clsid)
{
	size_t ndir = (n + 1 + 3) / 4;
	unsigned char hdr[512] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	struct tb fat = { 0 }, dir = { 0 };

	hdr[0x18] = 0x3E;
	hdr[0x1A] = 3;
	hdr[0x1C] = 0xFE;
	hdr[0x1D] = 0xFF;
	hdr[0x1E] = 9;
	hdr[0x20] = 6;
	hdr[0x2C] = 1;  /* one FAT sector */
	hdr[0x30] = 1;  /* directory at sector 1 */
	hdr[0x39] = 0x10; /* mini stream cutoff 4096 */
	memset(hdr + 0x3C, 0xFF, 4);
	hdr[0x3C] = 0xFE;
	memset(hdr + 0x44, 0xFF, 4);
	hdr[0x44] = 0xFE;
	memset(hdr + 0x50, 0xFF, 512 - 0x50);
	memset(hdr + 0x4C, 0, 4); /* FAT in sector 0 */
	tb_put(out, hdr, 512);
	tb_le32(&fat, 0xFFFFFFFDu);
	for (size_t s = 0; s < ndir; s++)
		tb_le32(&fat, s + 1 < ndir ? (uint32_t)(2 + s) : 0xFFFFFFFEu);
	while (fat.n < 512)
		tb_le32(&fat, 0xFFFFFFFFu);
	tb_put(out, fat.p, 512);
	for (size_t i = 0; i < 4 * ndir; i++) {
		unsigned char d[128] = { 0 };
		if (i <= n) {
			const char *nm = i == 0 ? "Root Entry" : e[i - 1].name;
			size_t k = strlen(nm);
			for (size_t j = 0; j < k && j < 31; j++)
				d[2 * j] = (unsigned char)nm[j];
			d[64] = (unsigned char)(2 * ((k < 31 ? k : 31) + 1));
			d[66] = (unsigned char)(i == 0 ? 5 : e[i - 1].type);
			memset(d + 68, 0xFF, 12);
			if (i == 0 && root_clsid)
				memcpy(d + 80, root_clsid, 16);
			d[116] = 0xFE;
			d[117] = d[118] = d[119] = 0xFF;
		} else {
			memset(d + 68, 0xFF, 12);
		}
		tb_put(&dir, d, 128);
	}
	tb_put(out, dir.p, dir.n);
	free(fat.p);
	free(dir.p);
}

/* ---- documents ---- */

static void
make_pe(struct tb *out)
{
	unsigned char p[1024] = { 'M', 'Z' };
	p[0x3C] = 0x80;
	memcpy(p + 0x80, "PE\0\0", 4);
	p[0x84] = 0x4C; /* i386 */
	p[0x85] = 0x01;
	memcpy(p + 0x200, "This program cannot be run in DOS mode.", 39);
	tb_put(out, p, sizeof p);
}

static const char pdf_text[] =
	"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
	"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

static void
make_ooxml(struct tb *out, bool vba, const char *template_url, bool embed)
{
	struct zip z = { 0 };
	char rels[1024];
	static const char ct[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
				 "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
				 "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
	static const char doc[] = "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas."
				  "openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r>"
				  "<w:t>Compte rendu du conseil municipal</w:t></w:r></w:p></w:body>"
				  "</w:document>";
	static const char docrels[] =
		"<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
		"package/2006/relationships\"><Relationship Id=\"rId9\" Type=\"http://schemas."
		"openxmlformats.org/officeDocument/2006/relationships/hyperlink\" "
		"Target=\"https://www.service-public.fr/\" TargetMode=\"External\"/></Relationships>";

	zip_add(&z, "[Content_Types].xml", ct, sizeof ct - 1, NULL);
	zip_add(&z, "word/document.xml", doc, sizeof doc - 1, NULL);
	zip_add(&z, "word/_rels/document.xml.rels", docrels, sizeof docrels - 1, NULL);
	if (vba) {
		struct tb v = { 0 };
		static const struct ole_ent ents[] = { { "VBA", 1 }, { "dir", 2 }, { "_VBA_PROJECT", 2 } };
		make_ole(&v, ents, 3, NULL);
		zip_add(&z, "word/vbaProject.bin", v.p, v.n, NULL);
		free(v.p);
	}
	if (template_url) {
		snprintf(rels, sizeof rels,
			 "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
			 "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas."
			 "openxmlformats.org/officeDocument/2006/relationships/attachedTemplate\" "
			 "Target=\"%s\" TargetMode=\"External\"/></Relationships>",
			 template_url);
		zip_add(&z, "word/_rels/settings.xml.rels", rels, strlen(rels), NULL);
	}
	if (embed) {
		struct tb v = { 0 };
		static const struct ole_ent ents[] = { { "\x01Ole10Native", 2 } };
		make_ole(&v, ents, 1, NULL);
		zip_add(&z, "word/embeddings/oleObject1.bin", v.p, v.n, NULL);
		free(v.p);
	}
	zip_end(&z, out);
}

/* ---- messages ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
put_b64(struct tb *b, const unsigned char *p, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=',
			      i + 2 < n ? b64[v & 63] : '=' };
		tb_put(b, q, 4);
		if ((col += 4) >= 76) {
			tb_puts(b, "\n");
			col = 0;
		}
	}
	tb_puts(b, "\n");
}

static void
put_pct(struct tb *b, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '.' || *c == '-' || *c == '_') {
			tb_put(b, c, 1);
		} else {
			char h[4];
			snprintf(h, sizeof h, "%%%02X", *c);
			tb_puts(b, h);
		}
	}
}

struct att {
	const char *name, *type;
	struct tb data;
};

static int
write_msg_to(const char *path, unsigned no, const char *to, const char *from, const char *subject,
	     const char *body, struct att *a, size_t na);

static int
write_msg(const char *dir, unsigned no, const char *slug, const char *from, const char *subject,
	  const char *body, struct att *a, size_t na)
{
	char path[4200];

	snprintf(path, sizeof path, "%.4000s/%02u-%.100s.eml", dir, no, slug);
	return write_msg_to(path, no, "Accueil <accueil@mairie-exemple.fr>", from, subject, body, a,
			    na);
}

static int
write_msg_to(const char *path, unsigned no, const char *to, const char *from, const char *subject,
	     const char *body, struct att *a, size_t na)
{
	struct tb m = { 0 };
	char line[1024];
	FILE *f;
	int rc = 0;

	snprintf(line, sizeof line,
		 "From: %s\nTo: %s\nSubject: %s\n"
		 "Date: Mon, %u Mar 2024 10:%02u:00 +0100\nMessage-ID: <triage-%02u@gen.example>\n"
		 "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=-b-=\"\n\n"
		 "--=-b-=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n",
		 from, to, subject, 4 + no % 20, no % 60, no);
	tb_puts(&m, line);
	tb_puts(&m, body);
	tb_puts(&m, "\n");
	for (size_t i = 0; i < na; i++) {
		snprintf(line, sizeof line, "--=-b-=\nContent-Type: %s\nContent-Disposition: attachment; filename*=UTF-8''",
			 a[i].type);
		tb_puts(&m, line);
		put_pct(&m, a[i].name);
		tb_puts(&m, "\nContent-Transfer-Encoding: base64\n\n");
		put_b64(&m, a[i].data.p ? a[i].data.p : (const unsigned char *)"", a[i].data.n);
		free(a[i].data.p);
		a[i].data.p = NULL;
	}
	tb_puts(&m, "--=-b-=--\n");
	if (!(f = fopen(path, "wb")) || fwrite(m.p, 1, m.n, f) != m.n || fclose(f) != 0) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(m.p);
	return rc;
}

static int
write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	if (!f || fputs(s, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "lka-gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* SHA-256 is not at hand here: the IOC list names the PE by file name and
 * the test adds its hash from the case. */
int
gen_triage_main(int argc, char **argv)
{
	static const unsigned char msi_clsid[16] = { 0x84, 0x10, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00,
						     0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };
	static const unsigned char lnk[76] = { 0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0x00, 0x00, 0x00,
					       0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					       0x46 };
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0"
					   "\x1f\x15\xc4\x89\0\0\0\0IEND\xae\x42\x60\x82";
	const char *out;
	char d[4096], dn[4096], path[4096];
	struct tb exp = { 0 };
	unsigned no = 0;
	int rc = 0;
	const char *home = "Mairie <accueil@mairie-exemple.fr>";

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: lka-gen --triage OUTDIR\n");
		return 2;
	}
	out = argv[1];
	crc_init();
	snprintf(d, sizeof d, "%s/eml", out);
	snprintf(dn, sizeof dn, "%s/names", out);
	if ((mkdir(out, 0755) != 0 && errno != EEXIST) || mkdir(d, 0755) != 0 || mkdir(dn, 0755) != 0) {
		fprintf(stderr, "lka-gen: %s: %s\n", out, strerror(errno));
		return 3;
	}
#define EXPECT(name, flags)                                                                    \
	do {                                                                                   \
		tb_puts(&exp, name);                                                           \
		tb_puts(&exp, "\t" flags "\n");                                                \
	} while (0)
#define MSG1(slug, from, subj, body, aname, atype, fill, flags)                                \
	do {                                                                                   \
		struct att a_ = { aname, atype, { 0 } };                                       \
		struct tb *t_ = &a_.data;                                                      \
		fill;                                                                          \
		(void)t_;                                                                      \
		EXPECT(aname, flags);                                                          \
		if (write_msg(d, ++no, slug, from, subj, body, &a_, 1) < 0)                    \
			rc = 3;                                                                \
	} while (0)

	/* planted */
	MSG1("pe-pdf", "Fournisseur <factures@fournisseur-exemple.com>", "Votre facture",
	     "Veuillez trouver ci-joint votre facture.", "facture.pdf", "application/pdf", make_pe(t_),
	     "executable,type-mismatch");
	MSG1("double-ext", "Fournisseur <factures@fournisseur-exemple.com>", "Facture mars",
	     "Ci-joint.", "facture.pdf.exe", "application/octet-stream", make_pe(t_),
	     "double-extension,executable");
	MSG1("rtlo", "Service RH <rh@rh-exemple.net>", "Bulletin", "Votre bulletin.",
	     "bulletin\xE2\x80\xAE" "fdp.exe", "application/octet-stream", make_pe(t_),
	     "bidi-control,executable");
	MSG1("spaces", "Scanner <scan@mairie-exemple.fr>", "Document numérisé", "Scan joint.",
	     "scan.pdf               .js", "application/octet-stream",
	     tb_puts(t_, "var s = new ActiveXObject('WScript.Shell');\n"), "script,space-padding");
	{
		static const struct ole_ent ents[] = { { "WordDocument", 2 }, { "1Table", 2 },
						       { "Macros", 1 }, { "VBA", 1 }, { "dir", 2 } };
		MSG1("ole-macro", "Partenaire <contact@partenaire-exemple.org>", "Convention",
		     "La convention à signer.", "convention.doc", "application/msword",
		     make_ole(t_, ents, 5, NULL), "macro");
	}
	MSG1("ooxml-vba", "Partenaire <contact@partenaire-exemple.org>", "Offre",
	     "Notre offre.", "offre.docx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	     make_ooxml(t_, true, NULL, false), "macro");
	/* the parts of a package are not flagged again: the document is */
	EXPECT("offre.docx/[Content_Types].xml", "");
	EXPECT("offre.docx/word/document.xml", "");
	EXPECT("offre.docx/word/_rels/document.xml.rels", "");
	EXPECT("offre.docx/word/vbaProject.bin", "");
	MSG1("template", "Partenaire <contact@partenaire-exemple.org>", "Modèle",
	     "Le modèle.", "modele.docx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	     make_ooxml(t_, false, "http://203.0.113.7/gabarit.dotm", false), "external-template");
	EXPECT("modele.docx/[Content_Types].xml", "");
	EXPECT("modele.docx/word/document.xml", "");
	EXPECT("modele.docx/word/_rels/document.xml.rels", "");
	EXPECT("modele.docx/word/_rels/settings.xml.rels", "");
	MSG1("ooxml-embed", "Partenaire <contact@partenaire-exemple.org>", "Annexe",
	     "L'annexe.", "annexe.docx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	     make_ooxml(t_, false, NULL, true), "embedded-object");
	EXPECT("annexe.docx/[Content_Types].xml", "");
	EXPECT("annexe.docx/word/document.xml", "");
	EXPECT("annexe.docx/word/_rels/document.xml.rels", "");
	EXPECT("annexe.docx/word/embeddings/oleObject1.bin", "");
	{
		static const struct ole_ent ents[] = { { "WordDocument", 2 }, { "1Table", 2 },
						       { "ObjectPool", 1 } };
		MSG1("ole-object", "Partenaire <contact@partenaire-exemple.org>", "Plan",
		     "Le plan.", "plan.doc", "application/msword", make_ole(t_, ents, 3, NULL),
		     "embedded-object");
	}
	{
		struct zip z = { 0 };
		MSG1("zip-password", "Comptable <compta@cabinet-exemple.fr>", "Relevés",
		     "Bonjour,\nles relevés sont dans l'archive.\nLe mot de passe est : Releve-2024\n"
		     "Cordialement.",
		     "releves.zip", "application/zip",
		     (zip_add(&z, "releve-mars.pdf", pdf_text, sizeof pdf_text - 1, "Releve-2024"),
		      zip_end(&z, t_)),
		     "encrypted");
		EXPECT("releves.zip/releve-mars.pdf", "");
		MSG1("zip-nopassword", "Inconnu <x@inconnu-exemple.biz>", "Documents",
		     "Voici les documents.", "documents.zip", "application/zip",
		     (zip_add(&z, "avis.js", "WScript.Echo(1);", 16, "autre"), zip_end(&z, t_)),
		     "contains-executable,encrypted");
		/* the member's name is all there is to check */
		EXPECT("documents.zip/avis.js", "script");
		MSG1("zip-wrongpassword", "Inconnu <x@inconnu-exemple.biz>", "Contrat",
		     "Le contrat.\nMot de passe : Contrat-2023", "contrat.zip", "application/zip",
		     (zip_add(&z, "contrat.pdf", pdf_text, sizeof pdf_text - 1, "Contrat-2024"),
		      zip_end(&z, t_)),
		     "encrypted");
		EXPECT("contrat.zip/contrat.pdf", "");
	}
	{
		/* a PE under a .pdf name in a zip in a zip: flagged on the
		 * member, contains-executable on both containers */
		struct zip z = { 0 }, zi = { 0 };
		struct tb pe = { 0 }, inner = { 0 };

		make_pe(&pe);
		zip_add(&zi, "bordereau.pdf", pe.p, pe.n, NULL);
		zip_end(&zi, &inner);
		MSG1("zip-nested-exe", "Transporteur <suivi@transport-exemple.biz>", "Livraison",
		     "Le bordereau de livraison.", "livraison.zip", "application/zip",
		     (zip_add(&z, "lisez-moi.txt", "Bordereau ci-joint.\n", 20, NULL),
		      zip_add(&z, "bordereau.zip", inner.p, inner.n, NULL), zip_end(&z, t_)),
		     "contains-executable");
		EXPECT("livraison.zip/lisez-moi.txt", "");
		EXPECT("livraison.zip/bordereau.zip", "contains-executable");
		EXPECT("livraison.zip/bordereau.zip/bordereau.pdf", "executable,type-mismatch");
		free(pe.p);
		free(inner.p);
	}
	MSG1("lnk", "Inconnu <x@inconnu-exemple.biz>", "Raccourci", "Ouvrez le raccourci.",
	     "dossier.lnk", "application/octet-stream", tb_put(t_, lnk, sizeof lnk), "shortcut");
	MSG1("iso", "Inconnu <x@inconnu-exemple.biz>", "Image", "L'image disque.", "colis.img",
	     "application/octet-stream",
	     (tb_zero(t_, 0x8001), tb_puts(t_, "CD001"), tb_zero(t_, 0x800)), "disk-image");
	MSG1("msi", "Inconnu <x@inconnu-exemple.biz>", "Mise à jour", "La mise à jour.", "maj.msi",
	     "application/x-msi", make_ole(t_, NULL, 0, msi_clsid), "installer");
	{
		static const struct ole_ent ents[] = { { "EncryptionInfo", 2 }, { "EncryptedPackage", 2 } };
		MSG1("office-enc", "Comptable <compta@cabinet-exemple.fr>", "Salaires",
		     "Le fichier des salaires, protégé.", "salaires.xlsx",
		     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		     make_ole(t_, ents, 2, NULL), "encrypted");
	}
	MSG1("elf", "Inconnu <x@inconnu-exemple.biz>", "Outil", "L'outil.", "outil",
	     "application/octet-stream", (tb_puts(t_, "\x7f" "ELF\x02\x01\x01"), tb_zero(t_, 57)),
	     "executable");
	MSG1("jpg-pdf", "Inconnu <x@inconnu-exemple.biz>", "Photo", "La photo.", "photo.jpg",
	     "image/jpeg", tb_puts(t_, pdf_text), "type-mismatch");
	MSG1("text-pdf", "Inconnu <x@inconnu-exemple.biz>", "Avis de paiement", "L'avis.",
	     "avis-paiement.pdf", "application/pdf",
	     tb_puts(t_, "Bonjour, votre paiement est en attente. Cliquez ici.\n"), "type-mismatch");
	MSG1("ioc-sender", "Ne pas répondre <ne-pas-repondre@phish.example>", "Votre compte",
	     "Connectez-vous.", "avis.html", "text/html",
	     tb_puts(t_, "<html><body>Avis</body></html>\n"), ""); /* flagged only with iocs.txt */
	/* clean */
	MSG1("clean-pdf", home, "Compte rendu", "Le compte rendu.", "compte-rendu.pdf",
	     "application/pdf", tb_puts(t_, pdf_text), "");
	MSG1("clean-docx", home, "Note", "La note.", "note.docx",
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	     make_ooxml(t_, false, NULL, false), "");
	EXPECT("note.docx/[Content_Types].xml", "");
	EXPECT("note.docx/word/document.xml", "");
	EXPECT("note.docx/word/_rels/document.xml.rels", "");
	{
		static const struct ole_ent ents[] = { { "WordDocument", 2 }, { "1Table", 2 },
						       { "\x05SummaryInformation", 2 } };
		MSG1("clean-doc", home, "Courrier", "Le courrier.", "courrier.doc", "application/msword",
		     make_ole(t_, ents, 3, NULL), "");
	}
	MSG1("clean-png", home, "Logo", "Le logo.", "logo.png", "image/png",
	     tb_put(t_, png, sizeof png - 1), "");
	MSG1("clean-csv", home, "Tableau", "Le tableau.", "budget.csv", "text/csv",
	     tb_puts(t_, "poste;montant\nvoirie;12000\n"), "");
	{
		struct zip z = { 0 };
		MSG1("clean-zip", home, "Archive", "Les pièces.", "pieces.zip", "application/zip",
		     (zip_add(&z, "piece1.pdf", pdf_text, sizeof pdf_text - 1, NULL), zip_end(&z, t_)),
		     "");
		EXPECT("pieces.zip/piece1.pdf", "");
	}
	/* a maildir whose Sent folder holds a quote sent outside, found nowhere else */
	{
		static const char *const sub[] = { "maildir", "maildir/cur", "maildir/new", "maildir/tmp",
						    "maildir/.Sent", "maildir/.Sent/cur",
						    "maildir/.Sent/new", "maildir/.Sent/tmp" };
		struct att a = { "devis-envoye.pdf", "application/pdf", { 0 } };
		struct att b = { "compte-rendu.pdf", "application/pdf", { 0 } };

		for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", out, sub[i]);
			if (mkdir(path, 0755) != 0)
				rc = 3;
		}
		tb_puts(&a.data, "%PDF-1.4\n% devis\n%%EOF\n");
		EXPECT("devis-envoye.pdf", "");
		snprintf(path, sizeof path, "%s/maildir/.Sent/cur/1709550000.M1P1.gen:2,S", out);
		if (rc == 0 && write_msg_to(path, ++no, "Client <achats@client-exemple.com>", home,
					    "Devis", "Notre devis.", &a, 1) < 0)
			rc = 3;
		/* the same PDF as 19-clean-pdf, in Sent too: not Sent-only */
		tb_puts(&b.data, pdf_text);
		EXPECT("compte-rendu.pdf", "");
		snprintf(path, sizeof path, "%s/maildir/.Sent/cur/1709550060.M2P1.gen:2,S", out);
		if (rc == 0 && write_msg_to(path, ++no, "Client <achats@client-exemple.com>", home,
					    "Compte rendu", "Pour information.", &b, 1) < 0)
			rc = 3;
	}
	snprintf(path, sizeof path, "%s/expected.tsv", out);
	if (rc == 0 && write_text(path, (const char *)exp.p) < 0)
		rc = 3;
	free(exp.p);
	snprintf(path, sizeof path, "%s/iocs.txt", out);
	if (rc == 0 && write_text(path, "# IOC list for the triage test\n"
				       "phish.example            # sender domain\n"
				       "name:dossier.lnk\n"
				       "address:factures@fournisseur-exemple.com\n"
				       "\n") < 0)
		rc = 3;

	/* names that try to leave the extraction folder */
	{
		static const char *const names[] = {
			"../../evil.txt", "/etc/passwd", "..", ".", "CON", "nul.txt", "com1.pdf",
			"..\\..\\windows\\system32\\evil.dll", "a\nb.txt", "bulletin\xE2\x80\xAE" "fdp.exe",
			".bashrc", "dup.txt", "dup.txt", "manifest.tsv", "lien", ""
		};
		struct att a[17];
		char big[400];
		size_t k = 0;

		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++, k++) {
			char body[64];
			a[k].name = names[i];
			a[k].type = "application/octet-stream";
			memset(&a[k].data, 0, sizeof a[k].data);
			snprintf(body, sizeof body, "contenu %zu\n", i);
			tb_puts(&a[k].data, body);
		}
		memset(big, 'x', sizeof big - 6);
		memcpy(big + sizeof big - 6, ".pdf", 5);
		a[k].name = big;
		a[k].type = "application/pdf";
		memset(&a[k].data, 0, sizeof a[k].data);
		tb_puts(&a[k].data, "long\n");
		k++;
		if (rc == 0 && write_msg(dn, 1, "hostile-names", home, "Noms", "Pièces.", a, k) < 0)
			rc = 3;
	}
	return rc;
}
