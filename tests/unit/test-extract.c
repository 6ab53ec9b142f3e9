/*
 * test-extract.c — attachment text (lib/extract.c, lib/extract-doc.c):
 * plain text and its charsets, HTML, vCard, RTF, OOXML and OpenDocument
 * built here with libarchive, PDF, and hostile look-alikes.
 */
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "extract.h"
#include "tap.h"

static lka_extract_out
ex(const void *d, size_t n, const char *name, const char *type)
{
	lka_extract_out o;

	lka_extract__text(d, n, name, type, 1u << 20, 20, 0, &o);
	return o;
}

static void
check(const void *d, size_t n, const char *name, const char *type, const char *method,
      const char *status, const char *needle, const char *what)
{
	lka_extract_out o = ex(d, n, name, type);

	is_str(o.status, status, "%s: status (%s)", what, o.detail);
	if (method)
		is_str(o.method, method, "%s: method", what);
	if (needle) {
		ok(o.text && strstr(o.text, needle), "%s: text has '%s'", what, needle);
		if (!(o.text && strstr(o.text, needle)))
			diag("text: %s", o.text ? o.text : "(null)");
	}
	free(o.text);
}

#define CHECK(lit, name, type, method, status, needle, what) \
	check(lit, sizeof(lit) - 1, name, type, method, status, needle, what)

/* A ZIP in memory with the given members (name, text pairs). */
static unsigned char *
zip(const char *const *m, size_t nm, size_t *len)
{
	size_t cap = 1u << 20;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();

	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, cap, len);
	for (size_t i = 0; i + 1 < nm; i += 2) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i]);
		archive_entry_set_size(e, (la_int64_t)strlen(m[i + 1]));
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_write_data(a, m[i + 1], strlen(m[i + 1]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return buf;
}

static void
test_office(void)
{
	static const char *const docx[] = {
		"[Content_Types].xml", "<Types/>",
		"word/document.xml",
		"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
		"wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Titulaire : Jean Martin</w:t>"
		"</w:r></w:p><w:p><w:r><w:t xml:space=\"preserve\">IBAN FR76 3000 </w:t></w:r><w:r>"
		"<w:t>6000 0112 3456 7890 189</w:t></w:r></w:p></w:body></w:document>",
	};
	static const char *const xlsx[] = {
		"xl/workbook.xml", "<workbook/>",
		"xl/sharedStrings.xml",
		"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>Nom</t>"
		"</si><si><t>Marie Dubois</t></si><si><r><t>06 12 </t></r><r><t>34 56 78</t></r></si></sst>",
		"xl/worksheets/sheet1.xml",
		"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
		"<row><c t=\"s\"><v>0</v></c></row><row><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c>"
		"<c><v>42</v></c><c t=\"inlineStr\"><is><t>inline</t></is></c></row></sheetData></worksheet>",
	};
	static const char *const odt[] = {
		"mimetype", "application/vnd.oasis.opendocument.text",
		"content.xml",
		"<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
		"xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>"
		"<text:p>n\xc3\xa9 le<text:s/>12/03/1985</text:p></office:text></office:body>"
		"</office:document-content>",
	};
	static const char *const odt_enc[] = {
		"mimetype", "application/vnd.oasis.opendocument.text",
		"META-INF/manifest.xml", "<manifest><file-entry><encryption-data/></file-entry></manifest>",
		"content.xml", "garbage",
	};
	static const char *const evil[] = {
		"word/document.xml",
		"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
		"&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><w:document "
		"xmlns:w=\"w\"><w:p><w:t>&c;</w:t></w:p><w:p><w:t>end</w:t>",
	};
	size_t len;
	unsigned char *z;

	z = zip(docx, 4, &len);
	check(z, len, "rib.docx", NULL, "docx", "ok", "IBAN FR76 3000 6000 0112 3456 7890 189", "docx");
	free(z);
	z = zip(xlsx, 6, &len);
	check(z, len, "list.xlsx", NULL, "xlsx", "ok", "Marie Dubois\t06 12 34 56 78\t42\tinline",
	      "xlsx rows with shared strings");
	free(z);
	z = zip(odt, 4, &len);
	check(z, len, "a.odt", NULL, "odf", "ok", "n\xc3\xa9 le 12/03/1985", "odt");
	free(z);
	z = zip(odt_enc, 6, &len);
	check(z, len, "a.odt", NULL, "odf", "encrypted", NULL, "encrypted odt");
	free(z);
	z = zip(evil, 2, &len);
	{
		lka_extract_out o = ex(z, len, "evil.docx", NULL);
		ok(!strcmp(o.status, "ok") || !strcmp(o.status, "failed"),
		   "entities and broken XML: %s (no crash)", o.status);
		ok(!o.text || !strstr(o.text, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		   "entities are not expanded");
		free(o.text);
	}
	free(z);
	CHECK("PK\x03\x04garbage that is no zip at all", "x.docx", NULL, NULL, "failed", NULL,
	      "truncated zip");
}

static void
test_pdf(void)
{
	static const char pdf[] =
		"%PDF-1.4\n"
		"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
		"/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
		"4 0 obj << /Length 58 >> stream\n"
		"BT /F1 12 Tf 72 700 Td (IBAN FR7630006000011234567890189) Tj ET\n"
		"endstream endobj\n"
		"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
		"trailer << /Root 1 0 R >>\n%%EOF\n";

	check(pdf, sizeof pdf - 1, "rib.pdf", "application/pdf", "pdf", "ok",
	      "FR7630006000011234567890189", "PDF text (xref rebuilt)");
	CHECK("%PDF-1.4\n\x01\x02\x03 not really", "x.pdf", NULL, "pdf", "failed", NULL,
	      "broken PDF");
}

static void
test_text(void)
{
	CHECK("Nom: Jean\r\nTel: 06 12 34 56 78\r\n", "a.txt", "text/plain", "text", "ok",
	      "06 12 34 56 78", "plain text");
	CHECK("caf\xe9 cr\xe8me", "a.txt", NULL, "text", "ok", "caf\xc3\xa9", "windows-1252");
	CHECK("\xff\xfeI\0B\0A\0N\0", "a.txt", NULL, "text", "ok", "IBAN", "UTF-16LE with a BOM");
	CHECK("<html><body><p>Mot de passe&nbsp;: x</p><script>no</script></body></html>", "a.html",
	      "text/html", "html", "ok", "Mot de passe", "HTML");
	CHECK("BEGIN:VCARD\r\nFN:Jean Martin\r\nNOTE:n\xc3\xa9 le 12/03/\r\n 1985\r\nEND:VCARD\r\n",
	      "a.vcf", "text/vcard", "vcard", "ok", "12/03/1985", "vCard unfolded");
	CHECK("nom;iban\nJean;FR7630006000011234567890189\n", "a.csv", NULL, "csv", "ok",
	      "Jean;FR76", "CSV");
	CHECK("{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}{\\*\\generator x;}\\f0 Caf\\'e9 \\u233?t\\'e9\\par "
	      "IBAN FR76\\par}",
	      "a.rtf", NULL, "rtf", "ok", "Caf\xc3\xa9 \xc3\xa9t\xc3\xa9", "RTF");
	CHECK("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.png", "image/png", NULL, "unsupported", NULL,
	      "binary");
	CHECK("From: a@b\r\n\r\nbody", "m.eml", "message/rfc822", "message", "unsupported", NULL,
	      "embedded message");
	{
		lka_extract_out o;
		static const char big[] = "0123456789abcdefghij";
		lka_extract__text((const unsigned char *)big, sizeof big - 1, "a.txt", NULL, 8, 5, 0, &o);
		is_str(o.status, "truncated", "size limit: truncated");
		is_str(o.text, "01234567", "... text cut at the limit");
		free(o.text);
	}
}

static void
test_fuzz(void)
{
	/* RTF and vCard are parsed in-process: random input must stay in bounds (ASan). */
	static const char alphabet[] = "{}\\\\''u-0123456789abcdefpar*\r\n \xe9\xc3";
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	size_t bad = 0;

	for (int it = 0; it < 2000; it++) {
		size_t n = 5 + (size_t)(x % 400);
		unsigned char *t = malloc(n);
		lka_extract_out o;

		memcpy(t, it % 2 ? "{\\rtf" : "BEGIN", 5);
		for (size_t i = 5; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t[i] = (unsigned char)alphabet[x % (sizeof alphabet - 1)];
		}
		lka_extract__text(t, n, it % 2 ? "a.rtf" : "a.vcf", NULL, 1u << 20, 5, 0, &o);
		if (o.text && !lka_utf8_valid(o.text, o.len))
			bad++;
		free(o.text);
		free(t);
	}
	is_int((int)bad, 0, "random RTF and vCard: valid UTF-8 out, in bounds");
}

int
main(void)
{
	test_fuzz();
	test_text();
	test_office();
	test_pdf();
	return done_testing();
}
