/*
 * test-mapi.c — the MAPI layer: LZFu (MS-OXRTFCP's examples), RTF to text
 * and HTML, UTF-16 strings, TNEF property lists; and the TNEF reader on
 * damaged streams made here (bad checksum, truncation, trailing garbage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi.h"
#include "tap.h"
#include "tnef.h"

static void
test_lzfu(void)
{
	/* MS-OXRTFCP 3.1.1, compressed RTF of "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n" */
	static const unsigned char ex1[] = {
		0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
		0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
		0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
		0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0,
	};
	/* MS-OXRTFCP 3.1.2: "{\rtf1 WXYZWXYZWXYZWXYZWXYZ}" (a run longer than the back-reference) */
	static const unsigned char ex2[] = {
		0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4,
		0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01,
		0x0e, 0xb0,
	};
	char why[128];
	size_t n;
	char *r = lka_mapi_lzfu(ex1, sizeof ex1, 1 << 20, &n, why, sizeof why);

	is_str(r, "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n", "LZFu: MS-OXRTFCP example 1");
	free(r);
	r = lka_mapi_lzfu(ex2, sizeof ex2, 1 << 20, &n, why, sizeof why);
	is_str(r, "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}", "LZFu: example 2 (overlapping run)");
	free(r);
	r = lka_mapi_lzfu(ex1, 10, 1 << 20, &n, why, sizeof why);
	ok(r == NULL && why[0], "LZFu: a short header is refused (%s)", why);
	r = lka_mapi_lzfu(ex1, 30, 1 << 20, &n, why, sizeof why);
	ok(r != NULL, "LZFu: a truncated stream gives what it holds (%zu bytes)", n);
	free(r);
}

static void
test_rtf(void)
{
	const char *plain = "{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\pard Caf\\'e9 ol\\u233?\\par "
			    "second\\tab line}";
	const char *enc = "{\\rtf1\\ansi\\fromhtml1 {\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}"
			  "\\htmlrtf {\\htmlrtf0 Hello\\htmlrtf }\\htmlrtf0 {\\*\\htmltag58 </body>}"
			  "{\\*\\htmltag27 </html>}}";
	char *html = NULL, *t = lka_mapi_rtf_text(plain, strlen(plain), &html);

	is_str(t, "Caf\xc3\xa9 ol\xc3\xa9\nsecond\tline", "RTF to text: hex and \\u escapes, \\par, \\tab");
	ok(html == NULL, "... no HTML");
	free(t);
	t = lka_mapi_rtf_text(enc, strlen(enc), &html);
	ok(t == NULL && html && strstr(html, "<html>") && strstr(html, "Hello") &&
		   strstr(html, "</body>"),
	   "RTF with \\fromhtml1: the HTML is recovered (%s)", html ? html : "NULL");
	free(html);
}

static void
test_utf16(void)
{
	static const unsigned char s[] = { 'A', 0, 0x3D, 0xD8, 0x00, 0xDE, 0xE9, 0x00, 0, 0, 'x', 0 };
	static const unsigned char lone[] = { 0x00, 0xD8, 'a', 0 };
	char *u = lka_mapi_utf16(s, sizeof s);

	is_str(u, "A\xf0\x9f\x98\x80\xc3\xa9", "UTF-16: surrogate pair joined, stops at NUL");
	free(u);
	u = lka_mapi_utf16(lone, sizeof lone);
	is_str(u, "\xef\xbf\xbd" "a", "UTF-16: a lone surrogate becomes U+FFFD");
	free(u);
}

/* ---- TNEF streams built here */

struct w {
	unsigned char b[8192];
	size_t n;
};

static void
u16(struct w *w, unsigned v)
{
	w->b[w->n++] = (unsigned char)v;
	w->b[w->n++] = (unsigned char)(v >> 8);
}

static void
u32(struct w *w, unsigned long v)
{
	u16(w, (unsigned)(v & 0xffff));
	u16(w, (unsigned)(v >> 16));
}

static void
attr(struct w *w, int level, unsigned long id, const void *data, size_t n, bool bad_sum)
{
	unsigned sum = 0;

	w->b[w->n++] = (unsigned char)level;
	u32(w, id);
	u32(w, n);
	memcpy(w->b + w->n, data, n);
	for (size_t i = 0; i < n; i++)
		sum += ((const unsigned char *)data)[i];
	w->n += n;
	u16(w, (sum + (bad_sum ? 1 : 0)) & 0xffff);
}

static void
stream(struct w *w, bool bad_sum, bool truncate, bool garbage)
{
	struct w props = { .n = 0 };
	static const char title[] = "report.txt";
	static const char data[] = "the attached report\n";
	/* attachment MAPI props: PR_ATTACH_LONG_FILENAME (PT_UNICODE) "Rapport é.txt" */
	static const unsigned char name16[] = { 'R', 0, 'a', 0, 'p', 0, 'p', 0, 'o', 0, 'r', 0,
						't', 0, ' ', 0, 0xe9, 0, '.', 0, 't', 0, 'x', 0,
						't', 0, 0, 0 };

	w->n = 0;
	u32(w, 0x223E9F78);
	u16(w, 0);
	attr(w, 1, 0x00089006, "\0\0\1\0", 4, false);      /* attTnefVersion */
	attr(w, 1, 0x00018004, "Quarterly", 10, bad_sum); /* attSubject */
	attr(w, 1, 0x0002800C, "body text", 10, false);   /* attBody */
	attr(w, 2, 0x00069002, "\1\0\0\0\0\0\0\0\0\0\0\0\0\0", 14, false); /* attAttachRenddata */
	attr(w, 2, 0x00018010, title, sizeof title, false);
	attr(w, 2, 0x0006800F, data, sizeof data - 1, false);
	u32(&props, 1);
	u16(&props, 0x001F);
	u16(&props, 0x3707);
	u32(&props, 1);
	u32(&props, sizeof name16);
	memcpy(props.b + props.n, name16, sizeof name16);
	props.n += sizeof name16;
	attr(w, 2, 0x00069005, props.b, props.n, false);
	attr(w, 2, 0x00069002, "\1\0\0\0\0\0\0\0\0\0\0\0\0\0", 14, false);
	attr(w, 2, 0x00018010, "second.bin", 11, false);
	attr(w, 2, 0x0006800F, "0123456789", 10, false);
	if (truncate)
		w->n -= 6;
	if (garbage) {
		memcpy(w->b + w->n, "\x07garbage!", 9);
		w->n += 9;
	}
}

static void
nop_content(void *ud, lka_att *a, const unsigned char *p, size_t n, unsigned depth, lka_diags *d)
{
	(void)ud, (void)a, (void)p, (void)n, (void)depth, (void)d;
}

static lka_msg *
read_stream(const struct w *w, lka_limits *lim)
{
	lka_tnef_env env = { lim, true, NULL, nop_content };
	lka_msg *m = calloc(1, sizeof *m);

	if (!lka_tnef_read(&env, w->b, w->n, m, &m->atts, &m->n_atts, 0, &m->diags, NULL))
		diag("not TNEF");
	return m;
}

static bool
has_diag(const lka_msg *m, const char *text)
{
	for (size_t i = 0; i < m->diags.n; i++)
		if (strstr(m->diags.v[i].message, text))
			return true;
	return false;
}

static void
test_tnef(void)
{
	lka_limits lim;
	struct w w;
	lka_msg *m;

	lka_limits_default(&lim);
	stream(&w, false, false, false);
	m = read_stream(&w, &lim);
	is_str(m->subject, "Quarterly", "TNEF: subject");
	is_str(m->body_text, "body text", "TNEF: body");
	is_int((long long)m->n_atts, 2, "TNEF: two attachments");
	if (m->n_atts == 2) {
		is_str(m->atts[0].filename, "Rapport \xc3\xa9.txt", "Unicode MAPI name wins over the title");
		is_int((long long)m->atts[0].size, 20, "attachment size");
		is_str(m->atts[1].filename, "second.bin", "title used when there is no MAPI name");
	}
	ok(m->diags.n == 0, "a clean stream has no diagnostics");
	lka_msg_free(m);

	stream(&w, true, false, false);
	m = read_stream(&w, &lim);
	ok(has_diag(m, "bad checksum (kept)") && m->subject && m->n_atts == 2,
	   "bad checksum: recorded, the attribute and the rest kept");
	lka_msg_free(m);

	stream(&w, false, true, false);
	m = read_stream(&w, &lim);
	ok(has_diag(m, "truncated") && m->n_atts == 2 && m->atts[0].filename &&
		   !strcmp(m->atts[0].filename, "Rapport \xc3\xa9.txt"),
	   "truncated: everything before the damage kept");
	lka_msg_free(m);

	stream(&w, false, false, true);
	m = read_stream(&w, &lim);
	ok(has_diag(m, "not a TNEF attribute") && m->n_atts == 2, "garbage at the end: recorded");
	lka_msg_free(m);

	for (size_t cut = 6; cut < 200; cut += 7) {
		stream(&w, false, false, false);
		w.n = cut;
		m = read_stream(&w, &lim);
		lka_msg_free(m);
	}
	ok(1, "every truncation of the stream reads without a crash");
}

int
main(void)
{
	test_lzfu();
	test_rtf();
	test_utf16();
	test_tnef();
	return done_testing();
}
