/*
 * test-mime.c — lka_mime_parse() on messages written inline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "tap.h"

#define PNG_B64                                                                                    \
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E" \
	"rkJggg=="
#define PDF_B64 "JVBERi0xLjQK" /* "%PDF-1.4\n" */
#define PDF_BYTES "%PDF-1.4\n"

static lka_mime *mm_default; /* default limits, content kept */

static lka_msg *
parse_with(lka_mime *mm, const char *raw, size_t n, lka_status *st)
{
	lka_error err = { 0 };
	lka_msg *m = NULL;
	lka_status r = lka_mime_parse(&m, mm, raw, n, &err);

	if (st)
		*st = r;
	if (!m)
		diag("parse failed: %s (%s)", err.msg, lka_status_name(r));
	return m;
}

static lka_msg *
parse(const char *raw, lka_status *st)
{
	return parse_with(mm_default, raw, strlen(raw), st);
}

static lka_mime *
mime_with(void (*tweak)(lka_limits *), bool store)
{
	lka_limits lim;
	lka_mime *mm = NULL;
	lka_error err = { 0 };

	lka_limits_default(&lim);
	if (tweak)
		tweak(&lim);
	if (lka_mime_new(&mm, &lim, store, &err) != LKA_OK)
		diag("lka_mime_new: %s", err.msg);
	return mm;
}

/* The first diagnostic whose message contains text, or NULL. */
static const lka_diag *
find_diag(const lka_msg *m, const char *text)
{
	for (size_t i = 0; m && i < m->diags.n; i++)
		if (strstr(m->diags.v[i].message, text))
			return &m->diags.v[i];
	return NULL;
}

static size_t
count_role(const lka_msg *m, lka_role role)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_addrs; i++)
		if (m->addrs[i].role == role)
			n++;
	return n;
}

static const lka_addr *
nth_role(const lka_msg *m, lka_role role, size_t k)
{
	for (size_t i = 0; i < m->n_addrs; i++)
		if (m->addrs[i].role == role && k-- == 0)
			return &m->addrs[i];
	return NULL;
}

static size_t
count_atts(const lka_msg *m)
{
	size_t n = m->n_atts;

	for (size_t i = 0; i < m->n_atts; i++)
		if (m->atts[i].embedded)
			n += count_atts(m->atts[i].embedded);
	return n;
}

static bool
u8(const char *s)
{
	return !s || lka_utf8_valid(s, strlen(s));
}

/* Every string in the tree is valid UTF-8. */
static bool
all_utf8(const lka_msg *m)
{
	bool good = u8(m->item_class) && u8(m->message_id) && u8(m->in_reply_to) &&
		    u8(m->references) && u8(m->subject) && u8(m->date_raw) && u8(m->from_address) &&
		    u8(m->from_name) && u8(m->body_text) && u8(m->body_html) && u8(m->headers);

	for (size_t i = 0; i < m->n_addrs; i++)
		good = good && u8(m->addrs[i].address) && u8(m->addrs[i].name) &&
		       u8(m->addrs[i].raw);
	for (size_t i = 0; i < m->diags.n; i++)
		good = good && u8(m->diags.v[i].location) && u8(m->diags.v[i].message);
	for (size_t i = 0; i < m->n_atts; i++) {
		const lka_att *a = &m->atts[i];

		good = good && u8(a->filename) && u8(a->declared_type) && u8(a->detected_type) &&
		       u8(a->disposition) && u8(a->content_id) && u8(a->part_path) &&
		       u8(a->transfer_encoding);
		if (a->embedded)
			good = good && all_utf8(a->embedded);
	}
	return good;
}

static bool
sha_of(const uint8_t got[LKA_SHA256_LEN], const void *p, size_t n)
{
	uint8_t want[LKA_SHA256_LEN];

	lka_sha256_buf(p, n, want);
	return memcmp(got, want, LKA_SHA256_LEN) == 0;
}

/* ---------------------------------------------------------------- tests */

static const char simple[] =
	"Return-Path: <alice@example.org>\r\n"
	"Received: from mx.example.org by mail.example.net; Tue, 1 Mar 2022 10:00:05 +0000\r\n"
	"Received: from client by mx.example.org; Tue, 1 Mar 2022 09:59:59 +0000\r\n"
	"Message-ID: <abc.123@example.org>\r\n"
	"In-Reply-To: <parent@example.net> (Bob's message)\r\n"
	"References: <root@example.net>\r\n <parent@example.net>\r\n"
	"Date: Tue, 1 Mar 2022 11:00:00 +0100\r\n"
	"From: Alice Example <Alice@Example.ORG>\r\n"
	"Sender: secretary@example.org\r\n"
	"Reply-To: replies@example.org\r\n"
	"To: Bob <bob@example.net>, carol@example.net\r\n"
	"Cc: dave@example.net\r\n"
	"Bcc: eve@example.net\r\n"
	"Subject: Hello\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"\r\n"
	"Hi Bob,\r\nsee you.\r\n";

static void
test_simple(void)
{
	lka_status st;
	lka_msg *m = parse(simple, &st);
	size_t hlen = (size_t)(strstr(simple, "\r\n\r\n") - simple) + 2;
	static const lka_role order[] = { LKA_ROLE_FROM, LKA_ROLE_SENDER, LKA_ROLE_REPLY_TO,
					  LKA_ROLE_TO,   LKA_ROLE_TO,     LKA_ROLE_CC,
					  LKA_ROLE_BCC };
	bool in_order = true;

	if (!ok(m != NULL, "simple: parsed"))
		return;
	is_int(st, LKA_OK, "simple: status ok");
	is_int((long long)m->diags.n, 0, "simple: no diagnostics");
	is_str(m->item_class, "IPM.Note", "simple: item class");
	is_str(m->message_id, "abc.123@example.org", "simple: Message-ID without <>");
	is_str(m->in_reply_to, "parent@example.net", "simple: In-Reply-To");
	is_str(m->references, "<root@example.net> <parent@example.net>",
	       "simple: References unfolded");
	is_str(m->subject, "Hello", "simple: subject");
	ok(m->has_sent_at, "simple: has sent_at");
	is_int(m->sent_at, 1646128800, "simple: sent_at in UTC");
	is_int(m->tz_offset, 60, "simple: tz_offset in minutes");
	is_str(m->date_raw, "Tue, 1 Mar 2022 11:00:00 +0100", "simple: date_raw");
	ok(m->has_received_at, "simple: has received_at");
	is_int(m->received_at, 1646128805, "simple: received_at from the topmost Received");
	is_str(m->from_address, "alice@example.org", "simple: from_address normalised");
	is_str(m->from_name, "Alice Example", "simple: from_name");
	is_int((long long)m->n_addrs, 7, "simple: 7 addresses");
	for (size_t i = 0; i < m->n_addrs && i < LKA_ARRAY_LEN(order); i++)
		in_order = in_order && m->addrs[i].role == order[i];
	ok(in_order, "simple: From, Sender, Reply-To, To, Cc, Bcc order");
	is_str(m->addrs[3].name, "Bob", "simple: To display name");
	is_str(m->addrs[3].raw, "Bob <bob@example.net>", "simple: To raw");
	is_str(m->addrs[4].address, "carol@example.net", "simple: second To");
	is_str(m->body_text, "Hi Bob,\nsee you.\n", "simple: body text, line ends as LF");
	ok(m->body_html == NULL, "simple: no HTML body");
	is_int((long long)m->n_atts, 0, "simple: no attachments");
	ok(m->headers && strlen(m->headers) == hlen && !strncmp(m->headers, simple, hlen),
	   "simple: header block exactly as in the message");
	is_int((long long)m->raw_size, (long long)strlen(simple), "simple: raw_size");
	ok(m->has_raw_sha256 && sha_of(m->raw_sha256, simple, strlen(simple)),
	   "simple: raw_sha256");
	lka_msg_free(m);
}

static void
test_encoded_words(void)
{
	lka_msg *m = parse("From: =?utf-8?q?=C3=89lodie_Dupr=C3=A9?= <elodie@MAIRIE-Exemple.fr>\n"
			   "To: =?iso-8859-15?q?J=FCrgen?= <jurgen@example.de>,\n"
			   " =?windows-1252?B?k3F1b3RlZJQ=?= <q@example.de>\n"
			   "Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?4oKs?= ok\n"
			   "\n"
			   "body\n",
			   NULL);

	if (!ok(m != NULL, "rfc2047: parsed"))
		return;
	is_str(m->subject, "Caf\xc3\xa9\xe2\x82\xac ok",
	       "rfc2047: Q latin1 + B utf-8 in the subject");
	is_str(m->from_name, "\xc3\x89lodie Dupr\xc3\xa9", "rfc2047: Q utf-8 display name");
	is_str(m->from_address, "elodie@mairie-exemple.fr", "rfc2047: address normalised");
	is_str(nth_role(m, LKA_ROLE_TO, 0)->name, "J\xc3\xbcrgen", "rfc2047: iso-8859-15 name");
	is_str(nth_role(m, LKA_ROLE_TO, 1)->name, "\xe2\x80\x9cquoted\xe2\x80\x9d",
	       "rfc2047: B windows-1252 name");
	ok(all_utf8(m), "rfc2047: all strings UTF-8");
	lka_msg_free(m);
}

static void
test_8bit_headers(void)
{
	lka_msg *m = parse("From: Ren\xe9 <rene@example.fr>\n"
			   "To: bob@example.com\n"
			   "Subject: Caf\xe9 cr\xe8me\n"
			   "\n"
			   "body\n",
			   NULL);

	if (!ok(m != NULL, "8-bit headers: parsed"))
		return;
	is_str(m->subject, "Caf\xc3\xa9 cr\xc3\xa8me", "8-bit headers: Latin-1 subject decoded");
	is_str(m->from_name, "Ren\xc3\xa9", "8-bit headers: Latin-1 display name decoded");
	ok(find_diag(m, "unencoded 8-bit header") != NULL, "8-bit headers: parser warning kept");
	ok(m->headers && strstr(m->headers, "Caf\xc3\xa9 cr\xc3\xa8me"),
	   "8-bit headers: header block converted to UTF-8");
	ok(all_utf8(m), "8-bit headers: all strings UTF-8");
	lka_msg_free(m);
}

static void
test_groups(void)
{
	lka_msg *m = parse("From: a@example.org\n"
			   "To: team: a@x.example, B@X.example;, Undisclosed recipients:;\n"
			   "Cc: \"Smith, John\" <john@x.example> (work)\n"
			   "\n"
			   "body\n",
			   NULL);

	if (!ok(m != NULL, "groups: parsed"))
		return;
	is_int((long long)count_role(m, LKA_ROLE_TO), 2, "groups: two group members in To");
	is_str(nth_role(m, LKA_ROLE_TO, 0)->address, "a@x.example", "groups: first member");
	is_str(nth_role(m, LKA_ROLE_TO, 1)->address, "b@x.example", "groups: second member");
	is_int((long long)count_role(m, LKA_ROLE_CC), 1, "groups: quoted comma is one mailbox");
	is_str(nth_role(m, LKA_ROLE_CC, 0)->name, "Smith, John", "groups: quoted display name");
	ok(find_diag(m, "unparsable") == NULL, "groups: nothing reported unparsable");
	lka_msg_free(m);
}

static void
test_bad_address(void)
{
	lka_msg *m = parse("From: a@example.org\n"
			   "To: bob@example.com\n"
			   "Cc: good@example.com, broken@@example..com\n"
			   "\n"
			   "body\n",
			   NULL);
	const lka_addr *bad;
	const lka_diag *d;

	if (!ok(m != NULL, "invalid address: parsed"))
		return;
	is_int((long long)count_role(m, LKA_ROLE_CC), 2, "invalid address: both Cc entries kept");
	is_str(nth_role(m, LKA_ROLE_CC, 0)->address, "good@example.com",
	       "invalid address: good one");
	bad = nth_role(m, LKA_ROLE_CC, 1);
	ok(bad && bad->address == NULL, "invalid address: bad one has no address");
	is_str(bad ? bad->raw : NULL, "broken@@example..com", "invalid address: kept raw");
	d = find_diag(m, "unparsable address in Cc: broken@@example..com");
	ok(d != NULL, "invalid address: our diagnostic");
	ok(d && d->severity == LKA_WARN && d->kind == LKA_E_CORRUPT,
	   "invalid address: warn/corrupt");
	d = find_diag(m, "invalid address list in Cc: broken@@example..com");
	ok(d != NULL, "invalid address: GMime warning with the header name");
	ok(d && d->location && !strncmp(d->location, "message byte ", 13),
	   "invalid address: warning located by offset");
	lka_msg_free(m);
}

static void
test_address_quirks(void)
{
	lka_msg *m = parse("From: a@example.org\n"
			   "To: one@x.example\n"
			   "To: two@x.example\n"
			   "Cc: Smith, John <j@x.example>\n"
			   "Cc: <>\n"
			   "Bcc: undisclosed-recipients:;\n"
			   "Reply-To: \"Broken <r@x.example\n"
			   "Sender: (no Sender-header on input)\n"
			   "\n"
			   "body\n",
			   NULL);

	if (!ok(m != NULL, "address quirks: parsed"))
		return;
	is_int((long long)count_role(m, LKA_ROLE_TO), 2, "address quirks: both To headers read");
	is_int((long long)count_role(m, LKA_ROLE_BCC), 0,
	       "address quirks: empty group gives nothing");
	is_int((long long)count_role(m, LKA_ROLE_REPLY_TO), 1,
	       "address quirks: unclosed quote not reported twice");
	is_str(nth_role(m, LKA_ROLE_REPLY_TO, 0)->address, "r@x.example",
	       "address quirks: address found despite the quote");
	is_int((long long)count_role(m, LKA_ROLE_CC), 2, "address quirks: Cc mailbox and <>");
	is_str(nth_role(m, LKA_ROLE_CC, 0)->name, "Smith, John",
	       "address quirks: unquoted comma kept in the name");
	ok(find_diag(m, "unparsable address in Cc: Smith") == NULL,
	   "address quirks: a name piece is not an address");
	ok(find_diag(m, "unparsable address in Cc: <>") != NULL, "address quirks: <> reported");
	ok(find_diag(m, "conflicting header: To") != NULL, "address quirks: repeated To reported");
	is_int((long long)count_role(m, LKA_ROLE_SENDER), 0, "address quirks: comment-only header");
	ok(find_diag(m, "in Sender") == NULL, "address quirks: a comment is not reported");
	lka_msg_free(m);
}

static const char attachments[] =
	"From: a@example.org\n"
	"To: b@example.org\n"
	"Subject: files\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=XX\n"
	"\n"
	"--XX\n"
	"Content-Type: text/plain\n"
	"\n"
	"see files\n"
	"--XX\n"
	"Content-Type: application/pdf\n"
	"Content-Disposition: attachment;\n"
	" filename*0*=iso-8859-1''r%E9sum;\n"
	" filename*1*=%E9.pdf\n"
	"Content-Transfer-Encoding: base64\n"
	"\n" PDF_B64 "\n"
	"--XX\n"
	"Content-Type: application/octet-stream; name=\"=?UTF-8?B?d3Jvbmc=?=\"\n"
	"Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20rate.txt\n"
	"Content-Transfer-Encoding: Quoted-Printable\n"
	"\n"
	"caf=C3=A9\n"
	"--XX\n"
	"Content-Type: text/plain; name=\"=?UTF-8?B?bm90ZXMudHh0?=\"\n"
	"\n"
	"inline text with a name\n"
	"--XX--\n";

static void
test_attachments(lka_mime *mm, bool store)
{
	const char *tag = store ? "attachments" : "attachments (hashes only)";
	lka_msg *m = parse_with(mm, attachments, strlen(attachments), NULL);
	const lka_att *a;

	if (!ok(m != NULL, "%s: parsed", tag))
		return;
	is_int((long long)m->n_atts, 3, "%s: three attachments", tag);
	if (m->n_atts < 3) {
		lka_msg_free(m);
		return;
	}
	a = &m->atts[0];
	is_str(a->filename, "r\xc3\xa9sum\xc3\xa9.pdf", "%s: RFC 2231 continuation in latin1", tag);
	is_str(a->part_path, "2", "%s: part path", tag);
	is_str(a->declared_type, "application/pdf", "%s: declared type", tag);
	is_str(a->detected_type, "application/pdf", "%s: detected type (libmagic)", tag);
	is_str(a->disposition, "attachment", "%s: disposition", tag);
	is_str(a->transfer_encoding, "base64", "%s: transfer encoding", tag);
	is_int((long long)a->size, 9, "%s: decoded size", tag);
	ok(sha_of(a->sha256, PDF_BYTES, 9), "%s: sha256 of the decoded bytes", tag);
	is_int(a->flags, 0, "%s: no flags", tag);
	if (store)
		ok(a->data && a->data_len == 9 && !memcmp(a->data, PDF_BYTES, 9),
		   "%s: bytes kept", tag);
	else
		ok(a->data == NULL && a->data_len == 0, "%s: bytes not kept", tag);
	a = &m->atts[1];
	is_str(a->filename, "\xe2\x82\xac rate.txt", "%s: RFC 2231 utf-8 filename wins", tag);
	is_str(a->transfer_encoding, "quoted-printable", "%s: encoding lower-cased", tag);
	ok(sha_of(a->sha256, "caf\xc3\xa9", 5), "%s: quoted-printable decoded", tag);
	a = &m->atts[2];
	is_str(a->filename, "notes.txt", "%s: RFC 2047 in a quoted name", tag);
	is_str(a->part_path, "4", "%s: named inline text part is an attachment", tag);
	ok(a->flags & LKA_ATT_INLINE, "%s: inline flag", tag);
	ok(a->disposition == NULL, "%s: no disposition", tag);
	is_str(m->body_text, "see files", "%s: body text", tag);
	ok(all_utf8(m), "%s: all strings UTF-8", tag);
	lka_msg_free(m);
}

static void
test_charsets(void)
{
	lka_msg *m;
	const lka_diag *d;

	m = parse("From: a@example.org\nContent-Type: text/plain; charset=x-unknown-charset\n\n"
		  "caf\xe9\n",
		  NULL);
	if (ok(m != NULL, "unknown charset: parsed")) {
		is_str(m->body_text, "caf\xc3\xa9\n", "unknown charset: windows-1252 fallback");
		d = find_diag(m, "body not valid in declared charset x-unknown-charset");
		ok(d != NULL, "unknown charset: diagnostic");
		is_str(d ? d->location : NULL, "part 1", "unknown charset: located at the part");
	}
	lka_msg_free(m);

	m = parse("From: a@example.org\nContent-Type: text/plain; charset=utf-8\n"
		  "Content-Transfer-Encoding: 8bit\n\nna\xefve caf\xc3\xa9\n",
		  NULL);
	if (ok(m != NULL, "lying charset: parsed")) {
		is_str(m->body_text, "na\xc3\xafve caf\xc3\xa9\n", "lying charset: repaired");
		ok(find_diag(m, "body not valid in declared charset utf-8") != NULL,
		   "lying charset: diagnostic");
	}
	lka_msg_free(m);

	m = parse("From: a@example.org\nContent-Type: text/plain; charset=\"ISO-8859-1\"\n"
		  "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =80\n",
		  NULL);
	if (ok(m != NULL, "honest latin1: parsed")) {
		is_str(m->body_text, "caf\xc3\xa9 \xe2\x82\xac\n", "honest latin1: decoded");
		is_int((long long)m->diags.n, 0, "honest latin1: no diagnostic");
	}
	lka_msg_free(m);

	m = parse("From: a@example.org\nContent-Type: text/plain; charset=gb2312\n"
		  "Content-Transfer-Encoding: base64\n\nxOO6ww==\n",
		  NULL);
	if (ok(m != NULL, "gb2312 base64: parsed"))
		is_str(m->body_text, "\xe4\xbd\xa0\xe5\xa5\xbd", "gb2312 base64: decoded");
	lka_msg_free(m);
}

static void
test_html_only(void)
{
	static const char html[] =
		"<html><head><style>p{}</style></head><body><p>Bonjour&nbsp;&eacute;t&eacute;</p>"
		"<p>Second</p></body></html>";
	char raw[512];
	lka_msg *m;

	snprintf(raw, sizeof raw,
		 "From: a@example.org\nContent-Type: text/html; charset=utf-8\n\n%s", html);
	m = parse(raw, NULL);
	if (!ok(m != NULL, "html only: parsed"))
		return;
	is_str(m->body_text, "Bonjour \xc3\xa9t\xc3\xa9\n\nSecond", "html only: rendered as text");
	is_str(m->body_html, html, "html only: HTML kept");
	is_int((long long)m->n_atts, 0, "html only: no attachments");
	lka_msg_free(m);
}

static const char related[] =
	"From: a@example.org\n"
	"Subject: newsletter\n"
	"Content-Type: multipart/alternative; boundary=A\n"
	"\n"
	"--A\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"plain version\n"
	"--A\n"
	"Content-Type: multipart/related; boundary=R\n"
	"\n"
	"--R\n"
	"Content-Type: text/html; charset=us-ascii\n"
	"\n"
	"<p>html <img src=\"cid:img1@x\"></p>\n"
	"--R\n"
	"Content-Type: image/png\n"
	"Content-Transfer-Encoding: base64\n"
	"Content-ID: <img1@x>\n"
	"\n" PNG_B64 "\n"
	"--R--\n"
	"--A--\n";

static void
test_related(void)
{
	lka_msg *m = parse(related, NULL);
	const lka_att *a;

	if (!ok(m != NULL, "related: parsed"))
		return;
	is_str(m->body_text, "plain version", "related: text/plain preferred in the alternative");
	is_str(m->body_html, "<p>html <img src=\"cid:img1@x\"></p>", "related: HTML body");
	is_int((long long)m->n_atts, 1, "related: the inline image is an attachment");
	if (m->n_atts == 1) {
		a = &m->atts[0];
		is_str(a->part_path, "2.2", "related: IMAP part number");
		is_str(a->content_id, "img1@x", "related: Content-ID without <>");
		is_str(a->declared_type, "image/png", "related: declared type");
		is_str(a->detected_type, "image/png", "related: detected type");
		ok(a->filename == NULL, "related: no filename");
		ok(a->flags & LKA_ATT_INLINE, "related: inline");
		is_int((long long)a->size, 70, "related: PNG decoded");
	}
	is_int((long long)m->diags.n, 0, "related: no diagnostics");
	lka_msg_free(m);
}

static const char nested[] =
	"From: outer@example.com\n"
	"To: someone@example.com\n"
	"Subject: Fwd: Inner\n"
	"Content-Type: multipart/mixed; boundary=O\n"
	"\n"
	"--O\n"
	"Content-Type: text/plain\n"
	"\n"
	"See attached.\n"
	"--O\n"
	"Content-Type: message/rfc822\n"
	"Content-Disposition: attachment; filename=\"fwd.eml\"\n"
	"\n"
	"From: Inner Sender <inner@example.com>\n"
	"To: outer@example.com\n"
	"Subject: Inner\n"
	"Message-ID: <inner@example.com>\n"
	"Date: Wed, 2 Mar 2022 08:00:00 -0500\n"
	"Content-Type: multipart/mixed; boundary=I\n"
	"\n"
	"--I\n"
	"Content-Type: text/plain\n"
	"\n"
	"inner body\n"
	"--I\n"
	"Content-Type: application/pdf; name=inner.pdf\n"
	"Content-Disposition: attachment; filename=inner.pdf\n"
	"Content-Transfer-Encoding: base64\n"
	"\n" PDF_B64 "\n"
	"--I--\n"
	"--O--\n";

static void
test_nested(void)
{
	lka_status st;
	lka_msg *m = parse(nested, &st), *e;
	const lka_att *a;

	if (!ok(m != NULL, "nested: parsed"))
		return;
	is_int(st, LKA_OK, "nested: status ok");
	is_str(m->body_text, "See attached.", "nested: outer body");
	is_int((long long)m->n_atts, 1, "nested: one attachment at the top");
	is_int((long long)count_atts(m), 2, "nested: two attachments in the tree");
	if (m->n_atts != 1 || !m->atts[0].embedded) {
		ok(0, "nested: embedded message parsed");
		lka_msg_free(m);
		return;
	}
	a = &m->atts[0];
	e = a->embedded;
	is_str(a->declared_type, "message/rfc822", "nested: declared message/rfc822");
	is_str(a->filename, "fwd.eml", "nested: filename");
	is_str(a->part_path, "2", "nested: part path");
	is_str(a->detected_type, "message/rfc822", "nested: detected type");
	{
		const char *from = strstr(nested, "From: Inner Sender");
		size_t len = (size_t)(strstr(nested, "\n--O--") - from);

		ok(a->data && a->data_len == len && !memcmp(a->data, from, len),
		   "nested: the embedded message's bytes exactly as in the evidence");
		ok(sha_of(a->sha256, from, len), "nested: hash of those bytes");
	}
	is_str(e->subject, "Inner", "nested: embedded subject");
	is_str(e->message_id, "inner@example.com", "nested: embedded Message-ID");
	is_str(e->from_address, "inner@example.com", "nested: embedded From");
	is_int(e->tz_offset, -300, "nested: embedded Date offset");
	is_str(e->body_text, "inner body", "nested: embedded body");
	ok(e->has_raw_sha256 && e->raw_size == a->size &&
	   !memcmp(e->raw_sha256, a->sha256, LKA_SHA256_LEN),
	   "nested: embedded raw hash = attachment hash");
	ok(e->headers && !strncmp(e->headers, "From: Inner Sender", 18),
	   "nested: embedded header block");
	is_int((long long)e->n_atts, 1, "nested: embedded attachment");
	if (e->n_atts == 1) {
		is_str(e->atts[0].filename, "inner.pdf", "nested: embedded attachment name");
		is_str(e->atts[0].part_path, "2.2",
		       "nested: embedded part path continues IMAP numbering");
		ok(sha_of(e->atts[0].sha256, PDF_BYTES, 9), "nested: embedded attachment hash");
	}
	ok(all_utf8(m), "nested: all strings UTF-8");
	lka_msg_free(m);
}

static void
test_encoded_rfc822(void)
{
	/* "From: x@example.com\nSubject: inside\n\nhello\n" in base64 */
	lka_msg *m = parse("From: a@example.org\n"
			   "Content-Type: multipart/mixed; boundary=E\n"
			   "\n"
			   "--E\n"
			   "Content-Type: message/rfc822\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n"
			   "RnJvbTogeEBleGFtcGxlLmNvbQpTdWJqZWN0OiBpbnNpZGUKCmhlbGxvCg==\n"
			   "--E--\n",
			   NULL);

	if (!ok(m != NULL, "base64 message/rfc822: parsed"))
		return;
	is_int((long long)m->n_atts, 1, "base64 message/rfc822: one attachment");
	if (m->n_atts == 1) {
		ok(m->atts[0].embedded != NULL, "base64 message/rfc822: parsed as a message");
		if (m->atts[0].embedded) {
			is_str(m->atts[0].embedded->subject, "inside",
			       "base64 message/rfc822: subject");
			is_str(m->atts[0].embedded->body_text, "hello\n",
			       "base64 message/rfc822: body");
		}
		is_int((long long)m->atts[0].size, 43, "base64 message/rfc822: decoded size");
	}
	lka_msg_free(m);
}

static char *
deep_message(int levels)
{
	lka_buf b;

	lka_buf_init(&b, 0);
	lka_buf_printf(&b, "From: a@example.org\nSubject: deep\nContent-Type: multipart/mixed; "
			   "boundary=b0\n\n");
	for (int i = 0; i < levels; i++) {
		lka_buf_printf(&b, "--b%d\n", i);
		if (i + 1 < levels)
			lka_buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n",
				       i + 1);
		else
			lka_buf_printf(&b, "Content-Type: text/plain\n\ndeep text\n");
	}
	for (int i = levels - 1; i >= 0; i--)
		lka_buf_printf(&b, "--b%d--\n", i);
	return lka_buf_steal(&b, NULL);
}

static void
deeper_limit(lka_limits *l)
{
	l->mime_depth = 64;
}

static void
test_depth(void)
{
	char *raw = deep_message(40);
	lka_status st;
	lka_msg *m = parse(raw, &st);
	const lka_diag *d;
	lka_mime *mm;

	if (ok(m != NULL, "depth 40: parsed")) {
		is_int(st, LKA_WARN, "depth 40: status warn");
		d = find_diag(m, "MIME nesting deeper than 32 levels");
		ok(d != NULL, "depth 40: nesting diagnostic");
		ok(d && d->kind == LKA_E_LIMIT, "depth 40: limit kind");
		ok(m->body_text == NULL, "depth 40: text below the limit not read");
	}
	lka_msg_free(m);
	mm = mime_with(deeper_limit, true);
	m = parse_with(mm, raw, strlen(raw), &st);
	if (ok(m != NULL, "depth 40, limit 64: parsed")) {
		is_str(m->body_text, "deep text", "depth 40, limit 64: innermost text read");
		ok(find_diag(m, "nesting") == NULL, "depth 40, limit 64: no nesting diagnostic");
	}
	lka_msg_free(m);
	lka_mime_free(mm);
	free(raw);

	/* far beyond GMime's own limit of 1024 levels: must not crash */
	raw = deep_message(1100);
	m = parse(raw, &st);
	ok(m != NULL && find_diag(m, "nesting") != NULL, "depth 1100: parsed, limited");
	lka_msg_free(m);
	free(raw);
}

static void
test_truncated_base64(void)
{
	lka_msg *m = parse("From: a@example.org\n"
			   "Content-Type: multipart/mixed; boundary=T\n"
			   "\n"
			   "--T\n"
			   "Content-Type: application/pdf; name=cut.pdf\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n"
			   "JVBERi0xLjQKJVBERi0\n"
			   "--T\n"
			   "Content-Type: application/pdf; name=whole.pdf\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n" PDF_B64 "\n"
			   "--T\n"
			   "Content-Type: application/octet-stream; name=junk.bin\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n" PDF_B64 "\n"
			   "this is not base64!\n"
			   "--T--\n",
			   NULL);

	if (!ok(m != NULL, "truncated base64: parsed"))
		return;
	is_int((long long)m->n_atts, 3, "truncated base64: three attachments");
	if (m->n_atts == 3) {
		ok(m->atts[0].flags & LKA_ATT_DAMAGED, "truncated base64: cut one flagged damaged");
		ok(!(m->atts[1].flags & LKA_ATT_DAMAGED),
		   "truncated base64: whole one not flagged");
		ok(m->atts[2].flags & LKA_ATT_DAMAGED,
		   "truncated base64: trailing garbage flagged");
	}
	ok(find_diag(m, "base64 content truncated") != NULL, "truncated base64: diagnostic");
	ok(find_diag(m, "invalid characters in base64") != NULL, "trailing garbage: diagnostic");
	lka_msg_free(m);
}

static void
test_missing_boundary(void)
{
	lka_status st;
	lka_msg *m = parse("From: a@example.org\n"
			   "Content-Type: multipart/mixed; boundary=\"BB\"\n"
			   "\n"
			   "--BB\n"
			   "Content-Type: text/plain\n"
			   "\n"
			   "hello\n"
			   "--BB\n"
			   "Content-Type: application/pdf; name=\"a.pdf\"\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n" PDF_B64 "\n",
			   &st);

	if (!ok(m != NULL, "missing closing boundary: parsed"))
		return;
	is_int(st, LKA_WARN, "missing closing boundary: status warn");
	is_str(m->body_text, "hello", "missing closing boundary: body");
	is_int((long long)m->n_atts, 1, "missing closing boundary: last part kept");
	if (m->n_atts == 1)
		ok(sha_of(m->atts[0].sha256, PDF_BYTES, 9),
		   "missing closing boundary: content whole");
	ok(find_diag(m, "truncated message") != NULL, "missing closing boundary: diagnostic");
	lka_msg_free(m);
}

static void
test_dates(void)
{
	lka_msg *m;
	const lka_diag *d;

	m = parse("From: a@example.org\nSubject: undated\n\nbody\n", NULL);
	if (ok(m != NULL, "no Date: parsed")) {
		ok(!m->has_sent_at, "no Date: no sent_at");
		ok(m->date_raw == NULL, "no Date: no date_raw");
		ok(find_diag(m, "Date") == NULL, "no Date: not a diagnostic");
		ok(!m->has_received_at, "no Date: no received_at");
	}
	lka_msg_free(m);

	m = parse("From: a@example.org\nDate: yesterday, around noon\n"
		  "Received: from x by y; garbage\n\nbody\n",
		  NULL);
	if (ok(m != NULL, "bad Date: parsed")) {
		ok(!m->has_sent_at, "bad Date: no sent_at");
		is_str(m->date_raw, "yesterday, around noon", "bad Date: date_raw kept");
		d = find_diag(m, "unparsable Date: yesterday, around noon");
		ok(d && d->severity == LKA_WARN, "bad Date: warn diagnostic");
		ok(!m->has_received_at, "bad Received date: no received_at");
	}
	lka_msg_free(m);
}

static void
small_headers(lka_limits *l)
{
	l->header_bytes = 1024;
}

static void
test_huge_header(void)
{
	lka_mime *mm = mime_with(small_headers, true);
	lka_buf b;
	lka_msg *m;
	const lka_diag *d;

	lka_buf_init(&b, 0);
	lka_buf_adds(&b, "From: a@example.org\nSubject: big\nX-Long: ");
	for (int i = 0; i < 500; i++)
		lka_buf_adds(&b, "0123456789");
	lka_buf_adds(&b, "\n\nbody\n");
	m = parse_with(mm, (const char *)b.data, b.len, NULL);
	if (ok(m != NULL, "huge header: parsed")) {
		ok(m->headers && strlen(m->headers) <= 1024, "huge header: header block capped");
		ok(m->headers && !strncmp(m->headers, "From: a@example.org\n", 20),
		   "huge header: beginning kept");
		d = find_diag(m, "header block");
		ok(d && d->kind == LKA_E_LIMIT, "huge header: limit diagnostic");
		is_str(m->subject, "big", "huge header: message still parsed");
		is_str(m->body_text, "body\n", "huge header: body");
	}
	lka_msg_free(m);
	lka_buf_free(&b);
	lka_mime_free(mm);
}

static void
tiny_limits(lka_limits *l)
{
	l->message_bytes = 2000;
	l->decoded_bytes = 4;
	l->text_bytes = 10;
	l->mime_parts = 3;
}

static void
test_limits(void)
{
	lka_mime *mm = mime_with(tiny_limits, true);
	char big[2100];
	lka_error err = { 0 };
	lka_msg *m = NULL;
	lka_status st;
	const lka_att *a;

	memset(big, 'x', sizeof big);
	memcpy(big, "Subject: big\n\n", 14);
	st = lka_mime_parse(&m, mm, big, sizeof big, &err);
	is_int(st, LKA_FAILED, "message over message_bytes: failed");
	is_int(err.kind, LKA_E_LIMIT, "message over message_bytes: limit kind");
	ok(m == NULL, "message over message_bytes: no message");

	m = parse_with(mm, attachments, strlen(attachments), &st);
	if (ok(m != NULL, "tiny limits: parsed")) {
		is_int(st, LKA_WARN, "tiny limits: status warn");
		ok(find_diag(m, "more than 3 MIME parts") != NULL,
		   "tiny limits: part limit diagnostic");
		is_int((long long)m->n_atts, 1, "tiny limits: parts after the limit not added");
		if (m->n_atts >= 1) {
			a = &m->atts[0];
			ok(a->flags & LKA_ATT_TRUNCATED, "decoded over the limit: truncated flag");
			ok(a->data == NULL, "decoded over the limit: bytes not kept");
			is_int((long long)a->size, 9, "decoded over the limit: full size");
			ok(sha_of(a->sha256, PDF_BYTES, 9),
			   "decoded over the limit: hash of all bytes");
			is_str(a->detected_type, "application/pdf",
			       "decoded over the limit: still sniffed");
		}
		ok(find_diag(m, "hashed, not kept") != NULL, "decoded over the limit: diagnostic");
	}
	lka_msg_free(m);

	m = parse_with(mm, "Subject: t\n\n0123456789abcdefghij\n", 33, NULL);
	if (ok(m != NULL, "text over the limit: parsed")) {
		ok(m->body_text && strlen(m->body_text) <= 10, "text over the limit: cut");
		ok(find_diag(m, "body text over the limit") != NULL,
		   "text over the limit: diagnostic");
	}
	lka_msg_free(m);
	lka_mime_free(mm);
}

static void
test_more_text_parts(void)
{
	lka_msg *m = parse("From: a@example.org\n"
			   "Content-Type: multipart/mixed; boundary=M\n"
			   "\n"
			   "--M\n"
			   "Content-Type: text/plain\n"
			   "\n"
			   "first\n"
			   "--M\n"
			   "Content-Type: image/png\n"
			   "Content-Disposition: inline\n"
			   "Content-Transfer-Encoding: base64\n"
			   "\n" PNG_B64 "\n"
			   "--M\n"
			   "Content-Type: text/plain; charset=iso-8859-1\n"
			   "Content-Disposition: inline\n"
			   "\n"
			   "second caf\xe9\n"
			   "--M\n"
			   "Content-Type: text/rfc822-headers\n"
			   "\n"
			   "Received: by x\n"
			   "--M--\n",
			   NULL);

	if (!ok(m != NULL, "several text parts: parsed"))
		return;
	is_str(m->body_text, "first\n\nsecond caf\xc3\xa9\n\nReceived: by x",
	       "several text parts: appended with blank lines");
	is_int((long long)m->n_atts, 1, "several text parts: only the image is an attachment");
	lka_msg_free(m);
}

static void
test_garbage(void)
{
	lka_error err = { 0 };
	lka_msg *m = NULL;
	lka_status st;
	char sniffed[64];
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					     0,    0,   0,   13,  'I',  'H',  'D',  'R' };

	st = lka_mime_parse(&m, mm_default, "", 0, &err);
	is_int(st, LKA_FAILED, "empty input: failed");
	is_int(err.kind, LKA_E_CORRUPT, "empty input: corrupt");
	ok(m == NULL, "empty input: no message");

	m = parse("From: a@example.org\nSubject: nul\n"
		  "Content-Type: text/plain; charset=\"\x01\xff\"\n"
		  "\nbody with \xff and \x01\n",
		  NULL);
	ok(m && all_utf8(m), "hostile charset label: strings UTF-8");
	lka_msg_free(m);

	lka_mime_sniff(mm_default, NULL, png, sizeof png, sniffed, sizeof sniffed);
	is_str(sniffed, "image/png", "sniff: PNG");
	lka_mime_sniff(mm_default, NULL, png, sizeof png, sniffed, 1);
	is_str(sniffed, "", "sniff: no room");
	{
		/* by content hash: the second time from the cache, the same answer;
		 * another length under the same hash is not taken from it */
		static const char text[] = "#!/bin/sh\necho hello\n";
		unsigned char sha[LKA_SHA256_LEN];
		char again[128];

		lka_sha256_buf(png, sizeof png, sha);
		lka_mime_sniff(mm_default, sha, png, sizeof png, sniffed, sizeof sniffed);
		lka_mime_sniff(mm_default, sha, png, sizeof png, again, sizeof again);
		ok(!strcmp(sniffed, "image/png") && !strcmp(again, "image/png"),
		   "sniff by hash: PNG twice (%s, %s)", sniffed, again);
		lka_sha256_buf(text, sizeof text - 1, sha);
		lka_mime_sniff(mm_default, sha, text, sizeof text - 1, sniffed, sizeof sniffed);
		lka_mime_sniff(mm_default, sha, text, sizeof text - 1, again, sizeof again);
		ok(!strcmp(sniffed, again) && strstr(sniffed, "shellscript"),
		   "sniff by hash: a script twice (%s, %s)", sniffed, again);
		lka_mime_sniff(mm_default, sha, png, sizeof png, again, sizeof again);
		is_str(again, "image/png", "sniff by hash: content of another length under a cached hash is sniffed, not taken from the cache");
	}
}

int
main(void)
{
	lka_mime *nostore;

	mm_default = mime_with(NULL, true);
	nostore = mime_with(NULL, false);
	if (!mm_default || !nostore)
		return 1;
	test_simple();
	test_encoded_words();
	test_8bit_headers();
	test_groups();
	test_bad_address();
	test_address_quirks();
	test_attachments(mm_default, true);
	test_attachments(nostore, false);
	test_charsets();
	test_html_only();
	test_related();
	test_nested();
	test_encoded_rfc822();
	test_depth();
	test_truncated_base64();
	test_missing_boundary();
	test_dates();
	test_huge_header();
	test_limits();
	test_more_text_parts();
	test_garbage();
	lka_mime_free(nostore);
	lka_mime_free(mm_default);
	return done_testing();
}
