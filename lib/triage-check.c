/*
 * triage-check.c — the checks behind attachment triage, on a name and on a
 * buffer of content: what a file is by its bytes (PE, ELF, Mach-O, shell
 * link, ISO 9660, OLE, zip, 7z, rar, PDF, images), what its name claims,
 * and the documents' active parts (macros, external templates, embedded
 * objects, encryption).  No I/O, no database: lib/triage.c drives them.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "triage.h"

#define RELS_MAX (1u << 20)   /* .rels part read from an OOXML package */
#define RELS_TOTAL (8u << 20) /* all .rels parts read from one package */
#define TRY_MAX (64u << 20)   /* bytes decrypted when trying a password */
#define ZIP_ENTRIES_MAX 20000 /* entries looked at in one archive */

/* ------------------------------------------------------------ families */

enum fam { F_NONE, F_EXE, F_PDF, F_ZIP, F_OLE, F_IMAGE, F_TEXT, F_ISO, F_LNK, F_RAR, F_7Z,
	   F_GZIP, F_RTF };
static const char *const fam_name[] = {
	"unknown", "an executable", "a PDF document", "a zip archive (or OOXML/ODF/JAR package)",
	"an OLE compound file (legacy Office, MSI, .msg)", "an image", "text",
	"an ISO 9660 disk image", "a Windows shortcut (shell link)", "a RAR archive",
	"a 7-Zip archive", "a gzip file", "an RTF document",
};

struct extinfo {
	const char *ext;
	enum fam fam;
	const char *flag; /* risky by name: the flag it raises, else NULL */
};

static const struct extinfo exts[] = {
	{ "exe", F_EXE, "executable" },	   { "scr", F_EXE, "executable" },
	{ "com", F_EXE, "executable" },	   { "pif", F_EXE, "executable" },
	{ "cpl", F_EXE, "executable" },	   { "dll", F_EXE, "executable" },
	{ "msc", F_NONE, "executable" },   { "gadget", F_NONE, "executable" },
	{ "js", F_TEXT, "script" },	   { "jse", F_NONE, "script" },
	{ "vbs", F_TEXT, "script" },	   { "vbe", F_NONE, "script" },
	{ "wsf", F_TEXT, "script" },	   { "wsh", F_TEXT, "script" },
	{ "hta", F_TEXT, "script" },	   { "ps1", F_TEXT, "script" },
	{ "psm1", F_TEXT, "script" },	   { "bat", F_TEXT, "script" },
	{ "cmd", F_TEXT, "script" },	   { "vb", F_TEXT, "script" },
	{ "sct", F_TEXT, "script" },	   { "lnk", F_LNK, "shortcut" },
	{ "iso", F_ISO, "disk-image" },	   { "img", F_NONE, "disk-image" },
	{ "vhd", F_NONE, "disk-image" },   { "vhdx", F_NONE, "disk-image" },
	{ "jar", F_ZIP, "java-archive" },  { "msi", F_OLE, "installer" },
	{ "msp", F_OLE, "installer" },	   { "docm", F_ZIP, "macro" },
	{ "dotm", F_ZIP, "macro" },	   { "xlsm", F_ZIP, "macro" },
	{ "xltm", F_ZIP, "macro" },	   { "xlam", F_ZIP, "macro" },
	{ "pptm", F_ZIP, "macro" },	   { "potm", F_ZIP, "macro" },
	{ "ppam", F_ZIP, "macro" },	   { "ppsm", F_ZIP, "macro" },
	{ "sldm", F_ZIP, "macro" },	   { "pdf", F_PDF, NULL },
	{ "doc", F_OLE, NULL },		   { "dot", F_OLE, NULL },
	{ "xls", F_OLE, NULL },		   { "xlt", F_OLE, NULL },
	{ "ppt", F_OLE, NULL },		   { "pps", F_OLE, NULL },
	{ "msg", F_OLE, NULL },		   { "docx", F_ZIP, NULL },
	{ "dotx", F_ZIP, NULL },	   { "xlsx", F_ZIP, NULL },
	{ "xltx", F_ZIP, NULL },	   { "pptx", F_ZIP, NULL },
	{ "ppsx", F_ZIP, NULL },	   { "odt", F_ZIP, NULL },
	{ "ods", F_ZIP, NULL },		   { "odp", F_ZIP, NULL },
	{ "zip", F_ZIP, NULL },		   { "epub", F_ZIP, NULL },
	{ "png", F_IMAGE, NULL },	   { "jpg", F_IMAGE, NULL },
	{ "jpeg", F_IMAGE, NULL },	   { "gif", F_IMAGE, NULL },
	{ "tif", F_IMAGE, NULL },	   { "tiff", F_IMAGE, NULL },
	{ "rar", F_RAR, NULL },		   { "7z", F_7Z, NULL },
	{ "gz", F_GZIP, NULL },		   { "tgz", F_GZIP, NULL },
	{ "rtf", F_RTF, NULL },		   { "txt", F_TEXT, NULL },
	{ "csv", F_TEXT, NULL },	   { "htm", F_TEXT, NULL },
	{ "html", F_TEXT, NULL },	   { "xml", F_TEXT, NULL },
	{ "ics", F_TEXT, NULL },	   { "vcf", F_TEXT, NULL },
};

/* Extensions a disguise puts before the real one. */
static const char *const decoys[] = {
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "jpg", "jpeg", "png",
	"gif", "bmp", "tif", "tiff", "zip", "rar", "7z", "csv", "htm", "html", "odt", "ods",
	"mp3", "mp4", "avi", "mov", "wav", "xml", "eml", "msg", "svg", "webp",
};

static const struct extinfo *
ext_lookup(const char *e, size_t n)
{
	for (size_t i = 0; i < LKA_ARRAY_LEN(exts); i++)
		if (strlen(exts[i].ext) == n && strncasecmp(exts[i].ext, e, n) == 0)
			return &exts[i];
	return NULL;
}

static bool
is_decoy(const char *e, size_t n)
{
	for (size_t i = 0; i < LKA_ARRAY_LEN(decoys); i++)
		if (strlen(decoys[i]) == n && strncasecmp(decoys[i], e, n) == 0)
			return true;
	return false;
}

/* Extensions of content that runs in a browser: risky behind a decoy. */
static bool
is_active(const char *e, size_t n)
{
	static const char *const act[] = { "htm", "html", "xhtml", "shtml", "svg", "mht", "mhtml" };
	for (size_t i = 0; i < LKA_ARRAY_LEN(act); i++)
		if (strlen(act[i]) == n && strncasecmp(act[i], e, n) == 0)
			return true;
	return false;
}

static enum fam
declared_fam(const char *t)
{
	static const struct {
		const char *prefix;
		enum fam fam;
	} map[] = {
		{ "application/pdf", F_PDF },
		{ "application/x-pdf", F_PDF },
		{ "application/msword", F_OLE },
		{ "application/vnd.ms-excel.sheet.macroenabled", F_ZIP },
		{ "application/vnd.ms-excel.template.macroenabled", F_ZIP },
		{ "application/vnd.ms-excel.addin.macroenabled", F_ZIP },
		{ "application/vnd.ms-word.document.macroenabled", F_ZIP },
		{ "application/vnd.ms-word.template.macroenabled", F_ZIP },
		{ "application/vnd.ms-powerpoint.presentation.macroenabled", F_ZIP },
		{ "application/vnd.ms-excel", F_OLE },
		{ "application/vnd.ms-powerpoint", F_OLE },
		{ "application/vnd.ms-outlook", F_OLE },
		{ "application/x-msi", F_OLE },
		{ "application/vnd.openxmlformats-officedocument.", F_ZIP },
		{ "application/vnd.oasis.opendocument.", F_ZIP },
		{ "application/zip", F_ZIP },
		{ "application/x-zip", F_ZIP },
		{ "application/java-archive", F_ZIP },
		{ "application/epub+zip", F_ZIP },
		{ "image/png", F_IMAGE },
		{ "image/jpeg", F_IMAGE },
		{ "image/jpg", F_IMAGE },
		{ "image/pjpeg", F_IMAGE },
		{ "image/gif", F_IMAGE },
		{ "image/tiff", F_IMAGE },
		{ "application/x-msdownload", F_EXE },
		{ "application/x-dosexec", F_EXE },
		{ "application/x-executable", F_EXE },
		{ "application/vnd.microsoft.portable-executable", F_EXE },
		{ "application/x-rar", F_RAR },
		{ "application/vnd.rar", F_RAR },
		{ "application/x-7z-compressed", F_7Z },
		{ "application/gzip", F_GZIP },
		{ "application/x-gzip", F_GZIP },
		{ "application/rtf", F_RTF },
		{ "text/rtf", F_RTF },
		{ "application/x-iso9660-image", F_ISO },
		{ "text/plain", F_TEXT },
		{ "text/csv", F_TEXT },
		{ "text/html", F_TEXT },
		{ "text/xml", F_TEXT },
		{ "text/calendar", F_TEXT },
	};
	if (!t)
		return F_NONE;
	for (size_t i = 0; i < LKA_ARRAY_LEN(map); i++)
		if (strncasecmp(t, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].fam;
	return F_NONE;
}

/* The family of a type libmagic detected (attachments.detected_type). */
static enum fam
magic_fam(const char *t)
{
	if (!t)
		return F_NONE;
	if (strcasecmp(t, "text/rtf") == 0)
		return F_RTF;
	if (strncasecmp(t, "text/", 5) == 0)
		return F_TEXT;
	return declared_fam(t);
}

static bool
fam_compatible(enum fam content, enum fam claimed)
{
	if (content == F_NONE || claimed == F_NONE || content == claimed)
		return true;
	/* CSV and HTML are sent as application/vnd.ms-excel, msword ... */
	if (content == F_TEXT && claimed == F_OLE)
		return true;
	/* Word writes RTF under .doc and application/msword; text is
	 * whatever the detector did not recognise. */
	if ((content == F_RTF && (claimed == F_OLE || claimed == F_TEXT)))
		return true;
	return false;
}

/* ---------------------------------------------------------------- names */

static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp;
	size_t k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xC2 && c < 0xE0) {
		cp = c & 0x1F;
		k = 1;
	} else if (c >= 0xE0 && c < 0xF0) {
		cp = c & 0x0F;
		k = 2;
	} else if (c >= 0xF0 && c < 0xF5) {
		cp = c & 0x07;
		k = 3;
	} else {
		(*i)++;
		return 0xFFFD;
	}
	for (size_t j = 1; j <= k; j++) {
		if (*i + j >= n || (s[*i + j] & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFD;
		}
		cp = cp << 6 | (s[*i + j] & 0x3F);
	}
	*i += k + 1;
	return cp;
}

static bool
is_bidi(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

static bool
is_blank(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) ||
	       cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0x3164 || cp == 0x2800 ||
	       cp == 0xFEFF;
}

static const char *
bidi_name(uint32_t cp)
{
	switch (cp) {
	case 0x202E: return "RIGHT-TO-LEFT OVERRIDE";
	case 0x202D: return "LEFT-TO-RIGHT OVERRIDE";
	case 0x202B: return "RIGHT-TO-LEFT EMBEDDING";
	case 0x202A: return "LEFT-TO-RIGHT EMBEDDING";
	case 0x202C: return "POP DIRECTIONAL FORMATTING";
	case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
	case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
	case 0x2068: return "FIRST STRONG ISOLATE";
	case 0x2069: return "POP DIRECTIONAL ISOLATE";
	case 0x200E: return "LEFT-TO-RIGHT MARK";
	case 0x200F: return "RIGHT-TO-LEFT MARK";
	default: return "ARABIC LETTER MARK";
	}
}

/* The last path component of name, trailing dots and blanks left out
 * (Windows drops them: "x.exe. " opens x.exe). */
static void
base_of(const char *name, const char **b, size_t *n)
{
	const char *s = name, *p;
	size_t len;

	for (p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	len = strlen(s);
	while (len && (s[len - 1] == '.' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*b = s;
	*n = len;
}

/* Extension (after the last dot) of b[0..n): pointer and length, or NULL. */
static const char *
ext_of(const char *b, size_t n, size_t *elen)
{
	for (size_t i = n; i-- > 0;) {
		if (b[i] == '.') {
			*elen = n - i - 1;
			return i + 1 < n ? b + i + 1 : NULL;
		}
	}
	return NULL;
}

void
lka_triage_name(const char *name, lka_flag_fn fn, void *payload)
{
	const unsigned char *u;
	const struct extinfo *x;
	const char *b, *e, *e2;
	size_t n, elen = 0, e2len = 0, i = 0, run = 0, maxrun = 0;
	uint32_t bidi = 0;
	bool ctrl = false, blank_then_dot = false;
	char why[512];

	if (!name || !*name)
		return;
	base_of(name, &b, &n);
	e = ext_of(b, n, &elen);
	x = e && elen <= 16 ? ext_lookup(e, elen) : NULL;
	if (x && x->flag) {
		snprintf(why, sizeof why, "the name ends in .%.*s", (int)elen, e);
		fn(x->flag, why, payload);
	}
	/* facture.pdf.exe, and commande.xls.htm (HTML runs script in a browser) */
	if (((x && x->flag) || (e && is_active(e, elen))) && e - b >= 2) {
		e2 = ext_of(b, (size_t)(e - 1 - b), &e2len);
		if (e2 && e2len <= 16 && is_decoy(e2, e2len)) {
			snprintf(why, sizeof why, "double extension: .%.*s before the real extension .%.*s",
				 (int)e2len, e2, (int)elen, e);
			fn("double-extension", why, payload);
		}
	}
	/* padding: 3+ blanks right before the real extension's dot, or 10+
	 * blanks anywhere before it (pushing it out of sight) */
	u = (const unsigned char *)b;
	while (i < n) {
		size_t at = i;
		uint32_t cp = utf8_next(u, n, &i);
		if (is_bidi(cp) && !bidi)
			bidi = cp;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			ctrl = true;
		if (is_blank(cp)) {
			run++;
			continue;
		}
		if (e && at < (size_t)(e - 1 - b) + 1 && run > maxrun &&
		    (run >= 10 || (run >= 3 && at == (size_t)(e - 1 - b)))) {
			maxrun = run;
			blank_then_dot = true;
		}
		run = 0;
	}
	if (bidi) {
		snprintf(why, sizeof why,
			 "U+%04X %s in the name: it is displayed out of order; the real extension is %s%.*s",
			 (unsigned)bidi, bidi_name(bidi), e ? "." : "(none)", e ? (int)elen : 0,
			 e ? e : "");
		fn("bidi-control", why, payload);
	}
	if (blank_then_dot) {
		snprintf(why, sizeof why, "a run of %zu blanks hides the real extension .%.*s", maxrun,
			 (int)elen, e);
		fn("space-padding", why, payload);
	}
	if (ctrl)
		fn("control-chars", "control characters in the name", payload);
}

/* ---------------------------------------------------------------- content */

static uint32_t
rd_be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static const unsigned char lnk_clsid[16] = { 0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
					     0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };
/* {000C1084-0000-0000-C000-000000000046} and its patch/transform siblings */
static const unsigned char msi_clsid_tail[12] = { 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00,
						  0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };

static bool
has_at(const unsigned char *p, size_t n, size_t off, const void *sig, size_t k)
{
	return off + k <= n && memcmp(p + off, sig, k) == 0;
}

/* What the bytes are; why[] says it in words for executables. */
static enum fam
detect(const unsigned char *p, size_t n, char *why, size_t cap)
{
	why[0] = '\0';
	if (n >= 64 && p[0] == 'M' && p[1] == 'Z') {
		uint32_t pe = lka__le32(p + 0x3C);
		if (pe >= 4 && (size_t)pe + 24 <= n && memcmp(p + pe, "PE\0\0", 4) == 0) {
			unsigned ch = p[pe + 22] | p[pe + 23] << 8;
			snprintf(why, cap, "Windows PE %s (MZ header, PE header at offset 0x%x)",
				 (ch & 0x2000) ? "DLL" : "executable", (unsigned)pe);
			return F_EXE;
		}
	}
	if (has_at(p, n, 0, "\x7f" "ELF", 4)) {
		snprintf(why, cap, "ELF executable (Linux/Unix)");
		return F_EXE;
	}
	if (n >= 8) {
		uint32_t m = rd_be32(p);
		if (m == 0xFEEDFACEu || m == 0xFEEDFACFu || m == 0xCEFAEDFEu || m == 0xCFFAEDFEu) {
			snprintf(why, cap, "Mach-O executable (macOS)");
			return F_EXE;
		}
		if (m == 0xCAFEBABEu && rd_be32(p + 4) >= 1 && rd_be32(p + 4) < 20) {
			snprintf(why, cap, "universal Mach-O executable (macOS)");
			return F_EXE;
		}
	}
	if (n >= 20 && lka__le32(p) == 0x4C && memcmp(p + 4, lnk_clsid, 16) == 0)
		return F_LNK;
	if (has_at(p, n, 0x8001, "CD001", 5) || has_at(p, n, 0x8801, "CD001", 5) ||
	    has_at(p, n, 0x9001, "CD001", 5))
		return F_ISO;
	if (has_at(p, n, 0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return F_OLE;
	if (has_at(p, n, 0, "PK\x03\x04", 4) || has_at(p, n, 0, "PK\x05\x06", 4) ||
	    has_at(p, n, 0, "PK\x07\x08", 4))
		return F_ZIP;
	if (has_at(p, n, 0, "Rar!\x1a\x07", 6))
		return F_RAR;
	if (has_at(p, n, 0, "7z\xBC\xAF\x27\x1C", 6))
		return F_7Z;
	if (has_at(p, n, 0, "\x1f\x8b", 2))
		return F_GZIP;
	if (has_at(p, n, 0, "{\\rtf", 5))
		return F_RTF;
	if (has_at(p, n, 0, "\x89PNG\r\n\x1a\n", 8) || has_at(p, n, 0, "\xFF\xD8\xFF", 3) ||
	    has_at(p, n, 0, "GIF87a", 6) || has_at(p, n, 0, "GIF89a", 6) ||
	    has_at(p, n, 0, "II*\0", 4) || has_at(p, n, 0, "MM\0*", 4))
		return F_IMAGE;
	for (size_t i = 0; i + 5 <= n && i < 1024; i++)
		if (memcmp(p + i, "%PDF-", 5) == 0)
			return F_PDF;
	return F_NONE;
}

static bool
ole_name_is(const lka_cfb_entry *e, const char *name)
{
	return strcasecmp(e->name, name) == 0;
}

static bool
check_ole(const unsigned char *p, size_t n, lka_flag_fn fn, void *payload)
{
	lka_cfb_entry *ents = NULL;
	size_t ne = 0;
	lka_cfb_status st = lka_cfb_parse(p, n, &ents, &ne);
	bool macro = false, obj = false, enc = false;
	char why[512];

	for (size_t i = 0; i < ne; i++) {
		const lka_cfb_entry *e = &ents[i];
		if (!macro && ((e->type == 1 && (ole_name_is(e, "Macros") ||
						 ole_name_is(e, "_VBA_PROJECT_CUR") ||
						 ole_name_is(e, "VBA"))) ||
			       (e->type == 2 && ole_name_is(e, "_VBA_PROJECT")))) {
			snprintf(why, sizeof why, "OLE %s '%s': a VBA macro project",
				 e->type == 1 ? "storage" : "stream", e->name);
			fn("macro", why, payload);
			macro = true;
		}
		if (!obj && ((e->type == 1 && ole_name_is(e, "ObjectPool")) ||
			     (e->type == 2 && strcmp(e->name, "\x01Ole10Native") == 0))) {
			snprintf(why, sizeof why, "OLE %s '%s': an embedded OLE object",
				 e->type == 1 ? "storage" : "stream",
				 e->name[0] == 1 ? "\\x01Ole10Native" : e->name);
			fn("embedded-object", why, payload);
			obj = true;
		}
		if (!enc && e->type == 2 && ole_name_is(e, "EncryptedPackage")) {
			fn("encrypted",
			   "encrypted Office document (OLE stream EncryptedPackage: the document "
			   "is under a password)",
			   payload);
			enc = true;
		}
		if (e->type == 5 && (lka__le32(e->clsid) & 0xFFFFFFF0u) == 0x000C1080u &&
		    memcmp(e->clsid + 4, msi_clsid_tail, 12) == 0 &&
		    (lka__le32(e->clsid) == 0x000C1084u || lka__le32(e->clsid) == 0x000C1086u ||
		     lka__le32(e->clsid) == 0x000C1082u)) {
			snprintf(why, sizeof why,
				 "Windows Installer %s (OLE root CLSID {%08X-0000-0000-C000-000000000046})",
				 lka__le32(e->clsid) == 0x000C1084u   ? "package"
				 : lka__le32(e->clsid) == 0x000C1086u ? "patch"
								    : "transform",
				 (unsigned)lka__le32(e->clsid));
			fn("installer", why, payload);
		}
	}
	(void)st;
	free(ents);
	return enc;
}

/* Find attr="value" inside [s, end): copies value (truncated) into out. */
static bool
xml_attr(const char *s, const char *end, const char *attr, char *out, size_t cap)
{
	size_t al = strlen(attr);

	for (const char *q = s; q + al + 2 < end; q++) {
		if (memcmp(q, attr, al) == 0 && q[al] == '=' && (q[al + 1] == '"' || q[al + 1] == '\'') &&
		    (q == s || q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r')) {
			char quote = q[al + 1];
			const char *v = q + al + 2, *ve = v;
			size_t k;
			while (ve < end && *ve != quote)
				ve++;
			k = (size_t)(ve - v) < cap - 1 ? (size_t)(ve - v) : cap - 1;
			memcpy(out, v, k);
			out[k] = '\0';
			return true;
		}
	}
	return false;
}

/* External relationships of kinds that fetch content when the document opens. */
static void
check_rels(const char *part, const char *x, size_t n, lka_flag_fn fn, void *payload)
{
	static const char *const kinds[] = { "/attachedTemplate", "/oleObject", "/frame",
					     "/subDocument" };
	const char *end = x + n;
	char type[512], mode[32], target[256], why[1024];

	for (const char *q = x; q < end;) {
		const char *r = memchr(q, '<', (size_t)(end - q)), *re;
		if (!r)
			break;
		re = memchr(r, '>', (size_t)(end - r));
		if (!re)
			break;
		q = re + 1;
		if ((size_t)(re - r) < 13 || memcmp(r, "<Relationship", 13) != 0 ||
		    (r[13] != ' ' && r[13] != '\t' && r[13] != '\n' && r[13] != '\r'))
			continue;
		if (!xml_attr(r, re, "TargetMode", mode, sizeof mode) || strcmp(mode, "External") != 0 ||
		    !xml_attr(r, re, "Type", type, sizeof type))
			continue;
		for (size_t k = 0; k < LKA_ARRAY_LEN(kinds); k++) {
			size_t tl = strlen(type), kl = strlen(kinds[k]);
			if (tl >= kl && strcmp(type + tl - kl, kinds[k]) == 0) {
				if (!xml_attr(r, re, "Target", target, sizeof target))
					strcpy(target, "?");
				for (char *c = target; *c; c++)
					if ((unsigned char)*c < 0x20)
						*c = '?';
				snprintf(why, sizeof why, "%s: external %s relationship to %s", part,
					 kinds[k] + 1, target);
				fn("external-template", why, payload);
				return;
			}
		}
	}
}

static bool
ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

struct risky_names {
	char list[300];
	size_t count;
};

static void
risky_cb(const char *flag, const char *reason, void *payload)
{
	bool *hit = payload;
	(void)reason;
	if (strcmp(flag, "executable") == 0 || strcmp(flag, "script") == 0 ||
	    strcmp(flag, "shortcut") == 0 || strcmp(flag, "disk-image") == 0 ||
	    strcmp(flag, "java-archive") == 0 || strcmp(flag, "installer") == 0)
		*hit = true;
}

/* Append sep (when dst is not empty) and s to dst, cut to fit. */
static void
list_add(char *dst, size_t cap, const char *sep, const char *s)
{
	size_t l = strlen(dst);

	if (l && l + 1 < cap) {
		size_t k = strlen(sep) < cap - 1 - l ? strlen(sep) : cap - 1 - l;
		memcpy(dst + l, sep, k);
		l += k;
	}
	if (l + 1 < cap) {
		size_t k = strlen(s) < cap - 1 - l ? strlen(s) : cap - 1 - l;
		memcpy(dst + l, s, k);
		l += k;
	}
	dst[l] = '\0';
}

static void
note_member(struct risky_names *r, const char *name)
{
	bool hit = false;
	size_t l = strlen(r->list);

	lka_triage_name(name, risky_cb, &hit);
	if (!hit)
		return;
	if (r->count++ < 3 && l + strlen(name) + 4 < sizeof r->list) {
		char q[sizeof r->list] = "'";
		list_add(q, sizeof q - 1, "", name);
		strcat(q, "'");
		list_add(r->list, sizeof r->list, ", ", q);
	}
}

/* streaming: zip read from its local headers (the seekable reader lists
 * nothing when the central directory is damaged or missing) */
static struct archive *
archive_mem2(const void *data, size_t n, bool streaming)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	if (streaming) {
		archive_read_support_format_zip_streamable(a);
		if (archive_read_open_memory(a, data, n) != ARCHIVE_OK) {
			archive_read_free(a);
			return NULL;
		}
		return a;
	}
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	if (archive_read_open_memory(a, data, n) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static struct archive *
archive_mem(const void *data, size_t n)
{
	return archive_mem2(data, n, false);
}

static bool
looks_encrypted_error(struct archive *a)
{
	const char *m = archive_error_string(a);
	return archive_read_has_encrypted_entries(a) > 0 ||
	       (m && (strstr(m, "ncrypt") || strstr(m, "assphrase")));
}

/* Zip general-purpose bit 0 in the first local header. */
static bool
zip_first_encrypted(const unsigned char *p, size_t n)
{
	return n >= 30 && memcmp(p, "PK\x03\x04", 4) == 0 && (p[6] & 1);
}

int
lka_triage__archive_encrypted(const void *data, size_t n)
{
	struct archive *a = archive_mem(data, n);
	struct archive_entry *e;
	int r, enc = zip_first_encrypted(data, n);

	if (!a)
		return enc;
	for (int k = 0; k < ZIP_ENTRIES_MAX && !enc; k++) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			enc = looks_encrypted_error(a);
			break;
		}
		if (archive_entry_is_encrypted(e))
			enc = 1;
	}
	archive_read_free(a);
	return enc;
}

static void
check_archive(const unsigned char *p, size_t n, enum fam fam, lka_flag_fn fn, void *payload)
{
	struct archive *a = archive_mem(p, n);
	bool streaming = false;
	struct archive_entry *e;
	struct risky_names risky = { .count = 0 };
	char why[1024], emb[300] = "";
	bool ooxml = false, vba = false, manifest = false, classes = false;
	size_t n_enc = 0, n_ent = 0, n_emb = 0, rels_total = 0;
	bool enc_err = false;
	char vba_part[200] = "";
	char *rels = NULL;

	if (!a) {
		if (zip_first_encrypted(p, n))
			fn("encrypted", "encrypted zip (general-purpose flag bit 0)", payload);
		return;
	}
	rels = malloc(RELS_MAX);
	for (;;) {
		const char *name;
		int r = archive_read_next_header(a, &e);

		if ((r == ARCHIVE_EOF || r < ARCHIVE_WARN) && n_ent == 0 && !streaming &&
		    fam == F_ZIP && !enc_err && !looks_encrypted_error(a)) {
			/* nothing listed: read the local headers instead */
			struct archive *s2 = archive_mem2(p, n, true);
			if (s2) {
				archive_read_free(a);
				a = s2;
				streaming = true;
				continue;
			}
		}
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			enc_err = looks_encrypted_error(a);
			break;
		}
		if (++n_ent > ZIP_ENTRIES_MAX)
			break;
		name = archive_entry_pathname_utf8(e);
		if (!name)
			name = archive_entry_pathname(e);
		if (!name)
			name = "";
		if (archive_entry_is_encrypted(e))
			n_enc++;
		if (strcmp(name, "[Content_Types].xml") == 0)
			ooxml = true;
		if (strcmp(name, "META-INF/MANIFEST.MF") == 0)
			manifest = true;
		if (ends_with_ci(name, ".class"))
			classes = true;
		if (!vba && (strcasecmp(name, "vbaProject.bin") == 0 || ends_with_ci(name, "/vbaProject.bin"))) {
			vba = true;
			snprintf(vba_part, sizeof vba_part, "%.190s", name);
		}
		if (strstr(name, "/embeddings/") || strncmp(name, "embeddings/", 11) == 0) {
			if (n_emb++ < 3)
				list_add(emb, sizeof emb, ", ", name);
		}
		note_member(&risky, name);
		if (rels && ends_with_ci(name, ".rels") && !archive_entry_is_encrypted(e) &&
		    rels_total < RELS_TOTAL) {
			size_t got = 0;
			la_ssize_t k;
			while (got < RELS_MAX - 1 && rels_total + got < RELS_TOTAL &&
			       (k = archive_read_data(a, rels + got, RELS_MAX - 1 - got)) > 0)
				got += (size_t)k;
			rels_total += got;
			check_rels(name, rels, got, fn, payload);
		}
	}
	archive_read_free(a);
	free(rels);
	if (vba) {
		snprintf(why, sizeof why, "OOXML part %s: a VBA macro project", vba_part);
		fn("macro", why, payload);
	}
	if (n_emb) {
		snprintf(why, sizeof why, "%zu embedded object%s (%s%s)", n_emb, n_emb > 1 ? "s" : "",
			 emb, n_emb > 3 ? ", ..." : "");
		fn("embedded-object", why, payload);
	}
	if (fam == F_ZIP && manifest && classes && !ooxml)
		fn("java-archive", "Java archive (META-INF/MANIFEST.MF and .class files)", payload);
	if (n_enc || enc_err || zip_first_encrypted(p, n)) {
		const char *kind = fam == F_7Z ? "7-Zip archive" : fam == F_RAR ? "RAR archive" : "zip";
		if (n_enc)
			snprintf(why, sizeof why, "encrypted %s (%zu of %zu entries)", kind, n_enc, n_ent);
		else
			snprintf(why, sizeof why, "encrypted %s%s", kind,
				 enc_err ? " (headers encrypted: entries cannot be listed)" : "");
		fn("encrypted", why, payload);
	}
	if (risky.count) {
		snprintf(why, sizeof why, "archive holds %zu executable or script file%s: %s%s",
			 risky.count, risky.count > 1 ? "s" : "", risky.list,
			 risky.count > 3 ? ", ..." : "");
		fn("contains-executable", why, payload);
	}
}

static void
ignore_flag(const char *flag, const char *reason, void *payload)
{
	(void)flag;
	(void)reason;
	(void)payload;
}

/* All checks, or (type_only) only the type contradiction. */
static void
triage_content(const void *data, size_t n, const char *name, const char *declared_type,
	       const char *magic, lka_flag_fn fn, void *payload, bool type_only)
{
	const unsigned char *p = data;
	char what[256], why[768];
	enum fam fam, dfam = declared_fam(declared_type), efam = F_NONE;
	const struct extinfo *x = NULL;
	const char *b, *e = NULL;
	size_t bn, elen = 0;

	if (!p)
		n = 0;
	fam = detect(p, n, what, sizeof what);
	if (name) {
		base_of(name, &b, &bn);
		e = ext_of(b, bn, &elen);
		x = e && elen <= 16 ? ext_lookup(e, elen) : NULL;
		if (x)
			efam = x->fam;
	}
	if (type_only) {
		if (fam == F_OLE && check_ole(p, n, ignore_flag, NULL)) {
			if (efam == F_ZIP)
				efam = F_NONE;
			if (dfam == F_ZIP)
				dfam = F_NONE;
		}
		goto mismatch;
	}
	switch (fam) {
	case F_EXE:
		fn("executable", what, payload);
		break;
	case F_LNK:
		fn("shortcut", "Windows shortcut (shell link header, CLSID 00021401)", payload);
		break;
	case F_ISO:
		fn("disk-image", "ISO 9660 disk image (CD001 volume descriptor)", payload);
		break;
	case F_OLE:
		/* an encrypted OOXML document is an OLE file under its .docx name */
		if (check_ole(p, n, fn, payload)) {
			if (efam == F_ZIP)
				efam = F_NONE;
			if (dfam == F_ZIP)
				dfam = F_NONE;
		}
		break;
	case F_ZIP:
	case F_7Z:
	case F_RAR:
		check_archive(p, n, fam, fn, payload);
		break;
	default:
		break;
	}
	if (fam == F_NONE && n > 2 && p[0] == '#' && p[1] == '!') {
		size_t k = 2;
		while (k < n && k < 80 && p[k] != '\n' && p[k] >= 0x20)
			k++;
		snprintf(why, sizeof why, "script (starts with #!%.*s)", (int)(k - 2), (const char *)p + 2);
		fn("script", why, payload);
	}
mismatch:
	if (fam == F_NONE && magic_fam(magic) != F_NONE)
		fam = magic_fam(magic);
	else
		magic = NULL;
	if (!fam_compatible(fam, efam) || !fam_compatible(fam, dfam)) {
		size_t o = (size_t)snprintf(why, sizeof why, "content is %s", fam_name[fam]);
		if (magic)
			o += (size_t)snprintf(why + o, sizeof why - o, " (libmagic: %.100s)", magic);
		if (!fam_compatible(fam, efam))
			o += (size_t)snprintf(why + o, sizeof why - o, ", but the name ends in .%.*s",
					      (int)elen, e);
		if (!fam_compatible(fam, dfam) && o < sizeof why)
			snprintf(why + o, sizeof why - o, "%s declared as %s",
				 !fam_compatible(fam, efam) ? " and it is" : ", but", declared_type);
		fn("type-mismatch", why, payload);
	}
}

void
lka_triage_content(const void *data, size_t n, const char *name, const char *declared_type,
		   lka_flag_fn fn, void *payload)
{
	triage_content(data, n, name, declared_type, NULL, fn, payload, false);
}

void
lka_triage__type_check(const void *data, size_t n, const char *name, const char *declared_type,
		       const char *detected_type, lka_flag_fn fn, void *payload)
{
	triage_content(data, n, name, declared_type, detected_type, fn, payload, true);
}

/* ------------------------------------------------------------- passwords */

int
lka_triage__try_passwords(const void *data, size_t n, const char *const *pw, size_t n_pw)
{
	for (size_t i = 0; i < n_pw; i++) {
		struct archive *a = archive_read_new();
		struct archive_entry *e;
		bool opened = false;
		char buf[16384];

		if (!a)
			return -1;
		archive_read_support_format_zip(a);
		archive_read_support_format_7zip(a);
		archive_read_support_format_rar(a);
		archive_read_support_format_rar5(a);
		archive_read_add_passphrase(a, pw[i]);
		if (archive_read_open_memory(a, data, n) == ARCHIVE_OK) {
			for (int k = 0; k < ZIP_ENTRIES_MAX; k++) {
				la_ssize_t r;
				int h = archive_read_next_header(a, &e);
				if (h == ARCHIVE_EOF || h < ARCHIVE_WARN)
					break;
				if (!archive_entry_is_encrypted(e) || archive_entry_filetype(e) != AE_IFREG)
					continue;
				/* the whole entry, so that its CRC is checked; a bomb
				 * is cut short: what decrypted so far is taken as opened */
				size_t total = 0;
				while ((r = archive_read_data(a, buf, sizeof buf)) > 0 &&
				       (total += (size_t)r) < TRY_MAX)
					;
				opened = r >= 0;
				break;
			}
		}
		archive_read_free(a);
		if (opened)
			return (int)i;
	}
	return -1;
}

size_t
lka_triage__body_passwords(const char *body, char **out, size_t max)
{
	static const char *const keys[] = { "mot de passe", "password", "passwort", "passwd",
					    "contraseña", "pwd", "mdp", "code" };
	size_t count = 0;

	if (!body)
		return 0;
	for (const char *s = body; *s && count < max; s++) {
		size_t kl = 0;
		const char *v, *ve;

		for (size_t k = 0; k < LKA_ARRAY_LEN(keys); k++) {
			size_t l = strlen(keys[k]);
			if (strncasecmp(s, keys[k], l) == 0 &&
			    (s == body || !((s[-1] >= 'a' && s[-1] <= 'z') || (s[-1] >= 'A' && s[-1] <= 'Z')))) {
				kl = l;
				break;
			}
		}
		if (!kl)
			continue;
		v = s + kl;
		/* separators and small words: "password is: X", "mot de passe : X", "= X" */
		for (int round = 0; round < 4; round++) {
			while (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' || *v == '-' || *v == '"' ||
			       *v == '\'' || (unsigned char)*v == 0xC2 || (unsigned char)*v == 0xA0 ||
			       (unsigned char)*v == 0xAB || (unsigned char)*v == 0xBB)
				v++;
			if ((strncasecmp(v, "is ", 3) == 0) || strncasecmp(v, "ist ", 4) == 0 ||
			    strncasecmp(v, "est ", 4) == 0 || strncasecmp(v, "du ", 3) == 0 ||
			    strncasecmp(v, "zip ", 4) == 0 || strncasecmp(v, "archive ", 8) == 0 ||
			    strncasecmp(v, "fichier ", 8) == 0 || strncasecmp(v, "the ", 4) == 0 ||
			    strncasecmp(v, "for ", 4) == 0 || strncasecmp(v, "pour ", 5) == 0 ||
			    strncasecmp(v, "de ", 3) == 0 || strncasecmp(v, "la ", 3) == 0)
				v = strchr(v, ' ');
			if (!v)
				break;
		}
		if (!v)
			continue;
		ve = v;
		while (*ve && *ve != ' ' && *ve != '\t' && *ve != '\r' && *ve != '\n' && *ve != '"' &&
		       (unsigned char)*ve != 0xC2 && ve - v < 64)
			ve++;
		while (ve > v && (ve[-1] == '.' || ve[-1] == ',' || ve[-1] == ';' || ve[-1] == ')' ||
				  ve[-1] == '\''))
			ve--;
		if (ve > v) {
			char *c = lka__strndup(v, (size_t)(ve - v));
			bool dup = false;
			for (size_t j = 0; c && j < count; j++)
				if (strcmp(out[j], c) == 0)
					dup = true;
			if (c && !dup)
				out[count++] = c;
			else
				free(c);
		}
		s = v > s ? v - 1 : s;
	}
	return count;
}
