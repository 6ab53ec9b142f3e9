/*
 * test-pst.c — the PST/OST reader: signature detection, RTF to text, and
 * (when the shared corpus is there, LKA_CORPUS) reading corpus stores
 * through lka_read_task: folders, items, recipients, resume by ordinal;
 * and the libpst host process: kept across stores, replaced when it died or
 * after a store libpst warned about.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapi.h"
#include "pst.h"
#include "reader.h"
#include "tap.h"

typedef struct col {
	lka_sink base;
	size_t begins, folders, messages, contacts, contact_emails, diags, fatal;
	size_t recipients, with_address, smtp;
	uint64_t first_ordinal, last_ordinal;
	char classes[2048];
	char subject[256];
} col;

static lka_status
c_begin(lka_sink *s, const lka_itemloc *loc)
{
	col *c = (col *)(void *)s;

	if (!c->begins)
		c->first_ordinal = loc->ordinal;
	c->last_ordinal = loc->ordinal;
	c->begins++;
	return LKA_OK;
}

static lka_status
c_folder(lka_sink *s, const lka_folder *f)
{
	(void)f;
	((col *)(void *)s)->folders++;
	return LKA_OK;
}

static lka_status
c_message(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_msg *m)
{
	col *c = (col *)(void *)s;

	(void)loc;
	(void)folder_id;
	c->messages++;
	for (size_t i = 0; i < m->n_addrs; i++) {
		if (m->addrs[i].role < LKA_ROLE_TO)
			continue;
		c->recipients++;
		c->with_address += m->addrs[i].address != NULL;
		c->smtp += m->addrs[i].addr_type && !strcmp(m->addrs[i].addr_type, "SMTP");
	}
	if (strlen(c->classes) + strlen(m->item_class) + 2 < sizeof c->classes) {
		strcat(c->classes, m->item_class);
		strcat(c->classes, " ");
	}
	if (m->subject && !c->subject[0])
		snprintf(c->subject, sizeof c->subject, "%s", m->subject);
	lka_msg_free(m);
	return LKA_OK;
}

static lka_status
c_contact(lka_sink *s, const lka_itemloc *loc, int64_t folder_id, lka_contact *k)
{
	col *c = (col *)(void *)s;

	(void)loc;
	(void)folder_id;
	c->contacts++;
	for (size_t i = 0; i < k->n_emails; i++)
		c->contact_emails += k->emails[i].address != NULL;
	lka_contact_free(k);
	return LKA_OK;
}

static lka_status
c_diag(lka_sink *s, const lka_itemloc *loc, const lka_diag *d)
{
	col *c = (col *)(void *)s;

	(void)loc;
	c->diags++;
	if (d->severity == LKA_FATAL)
		c->fatal++;
	return LKA_OK;
}

static const lka_sink_ops ops = { c_begin, c_folder, c_message, c_contact, c_diag };

static void
test_detect(void)
{
	unsigned char h[16] = { '!', 'B', 'D', 'N', 1, 2, 3, 4, 'S', 'M', 23, 0 };
	unsigned kind = 0;

	ok(lka_detect_pst(h, sizeof h, &kind) && kind == LKA_PST_UNICODE, "Unicode PST");
	ok(lka_detect_format(h, sizeof h, "x.mbox") == LKA_FMT_PST, "detected whatever the name");
	h[10] = 14;
	ok(lka_detect_pst(h, sizeof h, &kind) && kind == LKA_PST_ANSI, "ANSI PST");
	h[9] = 'O';
	h[10] = 36;
	ok(lka_detect_pst(h, sizeof h, &kind) && kind == (LKA_PST_UNICODE | LKA_PST_OST),
	   "OST with 4 KiB pages");
	h[10] = 99;
	ok(!lka_detect_pst(h, sizeof h, NULL), "unknown version refused");
	ok(!lka_detect_pst(h, 8, NULL), "too short refused");
	ok(!lka_detect_pst((const unsigned char *)"From - Mon Jan 01", 17, NULL),
	   "an mbox is not a PST");
	ok(strcmp(lka_format_name(LKA_FMT_PST), "pst") == 0 &&
		   lka_format_from_name("pst") == LKA_FMT_PST,
	   "format name pst");
}

static void
test_rtf(void)
{
	static const char rtf[] =
		"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0;}"
		"{\\*\\generator Riched20;}\\pard Caf\\'e9 na\\u239?ve\\par Line\\tab two\\par}";
	static const char html[] = "{\\rtf1\\ansi\\fromhtml1 {\\*\\htmltag19 <html>}\\htmlrtf "
				   "{\\f0 x}\\htmlrtf0 Hello{\\*\\htmltag84 <br>}\\par}";
	/* a double-byte code page: one character over two \\'hh escapes */
	static const char sjis[] = "{\\rtf1\\ansi\\ansicpg932 \\'82\\'a0\\par}";
	static const char table[] = "{\\rtf1 a\\cell b\\cell\\row c\\emdash d}";
	char *h = NULL;
	char *t = lka_mapi_rtf_text(rtf, sizeof rtf - 1, &h);

	ok(t && !h && strcmp(t, "Caf\xc3\xa9 na\xc3\xafve\nLine\ttwo\n") == 0, "RTF to text");
	free(t);
	t = lka__pst_rtf_body(html, sizeof html - 1, &h);
	ok(h && strstr(h, "<html>Hello<br>") && !strstr(h, "x"), "RTF encapsulating HTML: the HTML");
	ok(t && strstr(t, "Hello") && !strstr(t, "<"), "... and its text");
	free(t);
	free(h);
	t = lka_mapi_rtf_text(sjis, sizeof sjis - 1, &h);
	ok(t && strcmp(t, "\xe3\x81\x82\n") == 0, "RTF: \\ansicpg932 double-byte text");
	free(t);
	t = lka_mapi_rtf_text(table, sizeof table - 1, &h);
	ok(t && strcmp(t, "a\tb\t\nc\xe2\x80\x94" "d") == 0, "RTF: \\cell, \\row, \\emdash");
	free(t);
	t = lka_mapi_rtf_text("{\\rtf1 \\'", 9, &h);
	ok(t != NULL, "truncated RTF does not overrun");
	free(t);
	t = lka__pst_rtf_body("{\\rtf1 }", 8, &h);
	ok(t == NULL && h == NULL, "empty RTF: no body");
}

static size_t
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
	return 4;
}

/* A property of an autocomplete row: tag, reserved, 8-byte value, then count + bytes. */
static size_t
put_prop(unsigned char *p, uint32_t tag, const void *data, uint32_t len)
{
	size_t o = put32(p, tag);

	o += put32(p + o, 0);
	memset(p + o, 0, 8);
	o += 8;
	if (data) {
		o += put32(p + o, len);
		memcpy(p + o, data, len);
		o += len;
	}
	return o;
}

static void
test_autocomplete(void)
{
	static const char name16[] = "Z\0o\0\xe9\0\0\0", smtp16[] = "z\0o\0e\0@\0x\0.\0f\0r\0\0\0";
	unsigned char s[512];
	size_t n = 0, rows;
	lka_msg m;
	lka_buf b;

	n += put32(s + n, 0xBAADF00Du);
	n += put32(s + n, 12);
	n += put32(s + n, 0);
	n += put32(s + n, 2); /* rows */
	n += put32(s + n, 4); /* row 1: 4 properties */
	n += put_prop(s + n, 0x3001001F, name16, sizeof name16 - 1);
	n += put_prop(s + n, 0x0FFF0102, "\1\2\3\4", 4);
	n += put_prop(s + n, 0x0FFE0003, NULL, 0);
	n += put_prop(s + n, 0x39FE001F, smtp16, sizeof smtp16 - 1);
	n += put32(s + n, 1); /* row 2: a property claiming more bytes than there are */
	n += put32(s + n, 0x3003001F);
	n += put32(s + n, 0);
	memset(s + n, 0, 8);
	n += 8;
	n += put32(s + n, 100000);
	memset(&m, 0, sizeof m);
	lka_buf_init(&b, 0);
	rows = lka__pst_autocomplete(s, n, &m, &b);
	ok(rows == 1 && m.n_addrs == 1 && m.addrs[0].address &&
		   !strcmp(m.addrs[0].address, "zoe@x.fr") && m.addrs[0].name &&
		   !strcmp(m.addrs[0].name, "Zo\xc3\xa9"),
	   "autocomplete stream: one correspondent, the damaged row dropped (%zu rows)", rows);
	for (size_t cut = 0; cut < n; cut++) {
		lka_msg t;
		lka_buf tb;
		unsigned char *exact = malloc(cut ? cut : 1); /* a sanitizer sees any overrun */
		memset(&t, 0, sizeof t);
		lka_buf_init(&tb, 0);
		memcpy(exact, s, cut);
		(void)lka__pst_autocomplete(exact, cut, &t, &tb);
		free(exact);
		for (size_t i = 0; i < t.n_addrs; i++) {
			free(t.addrs[i].address);
			free(t.addrs[i].name);
			free(t.addrs[i].raw);
			free(t.addrs[i].addr_type);
			free(t.addrs[i].legacy_dn);
		}
		free(t.addrs);
		lka_buf_free(&tb);
	}
	ok(1, "autocomplete stream cut at every byte: no overrun");
	for (size_t i = 0; i < m.n_addrs; i++) {
		free(m.addrs[i].address);
		free(m.addrs[i].name);
		free(m.addrs[i].raw);
		free(m.addrs[i].addr_type);
		free(m.addrs[i].legacy_dn);
	}
	free(m.addrs);
	lka_buf_free(&b);
}

static const char *
corpus(void)
{
	const char *e = getenv("LKA_CORPUS");
	char p[4096];
	FILE *f;

	if (!e || !*e)
		return NULL;
	snprintf(p, sizeof p, "%s/pst/rubymsg__200_recipients.pst", e);
	f = fopen(p, "rb");
	if (!f)
		return NULL;
	fclose(f);
	return e;
}

static void
read_file(lka_rctx *rc, const char *dir, const char *name, uint64_t skip, col *c)
{
	char path[4096];
	lka_task t;

	snprintf(path, sizeof path, "%s/pst/%s", dir, name);
	memset(c, 0, sizeof *c);
	c->base.ops = &ops;
	t.path = path;
	t.display = name;
	t.format = LKA_FMT_PST;
	t.skip = skip;
	(void)lka_read_task(rc, &t, &c->base);
}

static void
test_corpus(const char *dir)
{
	lka_rctx *rc = NULL;
	lka_error e = { 0 };
	col c, d;

	ok(lka_rctx_new(&rc, NULL, true, NULL, &e) == LKA_OK, "reader context");
	read_file(rc, dir, "rubymsg__200_recipients.pst", 0, &c);
	ok(c.messages == 1 && c.recipients == 200 && c.with_address == 200 && c.smtp == 200,
	   "200 recipients with SMTP addresses (%zu messages, %zu/%zu/%zu)", c.messages,
	   c.recipients, c.with_address, c.smtp);
	ok(c.folders >= 4 && c.fatal == 0, "folders emitted (%zu), no fatal", c.folders);

	read_file(rc, dir, "aspose__Outlook.pst", 0, &c);
	ok(c.messages >= 18 && strstr(c.classes, "IPM.Appointment") && c.contacts == 1,
	   "aspose__Outlook.pst: %zu messages and %zu contact, classes kept", c.messages, c.contacts);
	read_file(rc, dir, "aspose__Outlook.pst", 5, &d);
	ok(d.first_ordinal == 5 && d.begins > 0 && d.begins == c.begins - 5 &&
		   d.messages + d.contacts + 5 == c.messages + c.contacts,
	   "resume after item 5 skips exactly 5 items (%zu then %zu)", c.messages, d.messages);

	ok(d.folders == c.folders, "folders are re-emitted on resume (%zu, %zu)", c.folders, d.folders);

	read_file(rc, dir, "aspose__PersonalStorageFile1.pst", 0, &c);
	ok(c.contacts == 72 && c.messages == 0, "72 contacts, as contact items (%zu, %zu e-mails)",
	   c.contacts, c.contact_emails);

	read_file(rc, dir, "gopst__32-bit.pst", 0, &c);
	ok(c.messages == 1 && strstr(c.classes, "IPM.Appointment"), "ANSI store: one appointment");

	read_file(rc, dir, "aspose__AddingBulkMessagesWithImprovedPerformance.pst", 0, &c);
	ok(c.fatal == 1 && c.messages == 0, "header checksum mismatch: fatal, nothing read");
	lka_rctx_free(rc);
}

/* ------------------------------------------------ the libpst host process */

typedef struct hcount {
	size_t folders, messages, contacts, diags;
} hcount;

static bool
h_frame(void *arg, lka_frame *f)
{
	hcount *h = arg;

	switch (f->type) {
	case LKA_FR_FOLDER:
		h->folders++;
		break;
	case LKA_FR_MESSAGE:
		h->messages++;
		break;
	case LKA_FR_CONTACT:
		h->contacts++;
		break;
	case LKA_FR_DIAG:
		h->diags++;
		break;
	default:
		break;
	}
	return true;
}

static lka_status
host_run(lka_pst_host *h, const char *path, hcount *c, int *status)
{
	lka_limits lim;
	uint64_t last = 0;

	lka_limits_default(&lim);
	memset(c, 0, sizeof *c);
	return lka__pst_libpst_run(h, path, NULL, 0, NULL, 0, &lim, false, h_frame, c, status,
				   &last);
}

static void
test_host(const char *dir)
{
	lka_pst_host *h = NULL;
	char path[4096], cut[4096];
	hcount a, b;
	int status = -1;
	lka_status st;
	long pid;
	FILE *in, *out;

	snprintf(path, sizeof path, "%s/pst/aspose__Outlook.pst", dir);
	ok(lka__pst_host_new(&h) == LKA_OK && lka__pst_host_pid(h) == 0, "host handle, no process yet");
	st = host_run(h, path, &a, &status);
	ok(st == LKA_OK && status == 0 && a.folders > 0 && a.messages >= 18 && a.diags == 0,
	   "first store: %zu folder frames, %zu items, status %d", a.folders, a.messages, status);
	pid = lka__pst_host_pid(h);
	ok(pid > 0, "the host stays for the next store");
	st = host_run(h, path, &b, &status);
	ok(st == LKA_OK && status == 0 && b.folders == a.folders && b.messages == a.messages &&
		   lka__pst_host_pid(h) == pid,
	   "second store: the same host, the same frames");
	kill((pid_t)pid, SIGKILL);
	st = host_run(h, path, &b, &status);
	ok(st == LKA_OK && status == 0 && b.messages == a.messages && lka__pst_host_pid(h) > 0 &&
		   lka__pst_host_pid(h) != pid,
	   "a host that died between stores is replaced without loss (status %d)", status);

	/* the first KiB of a store: libpst opens it, finds no index and says so */
	snprintf(cut, sizeof cut, "%s/test-pst-cut-%ld.pst", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (long)getpid());
	in = fopen(path, "rb");
	out = fopen(cut, "wb");
	if (in && out) {
		char buf[1024];
		size_t n = fread(buf, 1, sizeof buf, in);
		fwrite(buf, 1, n, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	st = host_run(h, cut, &b, &status);
	ok(st == LKA_OK && status == 0 && b.diags >= 1 && b.messages == 0,
	   "a cut store ends with libpst's reason (%zu diagnostics)", b.diags);
	ok(lka__pst_host_pid(h) == 0, "after a store libpst warned about, the host is replaced");
	st = host_run(h, path, &b, &status);
	ok(st == LKA_OK && status == 0 && b.messages == a.messages,
	   "the next store starts a new host");
	remove(cut);
	lka__pst_host_free(h);
	lka__pst_host_free(NULL);
}

int
main(void)
{
	const char *dir = corpus();

	test_detect();
	test_rtf();
	test_autocomplete();
	if (dir) {
		test_corpus(dir);
		test_host(dir);
	}
	else
		diag("corpus not found (LKA_CORPUS): corpus checks skipped");
	return done_testing();
}
