/*
 * tnef.c — TNEF streams (MS-OXTNEF): a signature, a legacy key, then
 * attributes (level, id, length, data, checksum).  Message attributes come
 * first; each attachment starts with attAttachRenddata and gathers its
 * title, data and MAPI properties until the next one.
 *
 * Hostile or damaged streams (see ../shared/notes/libraries.md §6): a bad
 * checksum is recorded and the attribute is kept; an attribute longer than
 * what is left ends the stream (what was read stays); bytes that are not an
 * attribute after the last one are recorded as trailing garbage.  Lengths
 * are only ever compared with what is left, never allocated from.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mapi.h"
#include "tnef.h"

#define TNEF_DIAGS_MAX 50 /* checksum diagnostics kept per stream */

/* attribute ids (low 16 bits of the attribute) */
enum {
	ATT_FROM = 0x8000,
	ATT_SUBJECT = 0x8004,
	ATT_DATE_SENT = 0x8005,
	ATT_DATE_RECD = 0x8006,
	ATT_MESSAGE_CLASS = 0x8008,
	ATT_MESSAGE_ID = 0x8009,
	ATT_BODY = 0x800C,
	ATT_ATTACH_DATA = 0x800F,
	ATT_ATTACH_TITLE = 0x8010,
	ATT_ATTACH_TRANSPORT_FILENAME = 0x9001,
	ATT_ATTACH_RENDDATA = 0x9002,
	ATT_MSG_PROPS = 0x9003,
	ATT_RECIP_TABLE = 0x9004,
	ATT_ATTACHMENT = 0x9005,
	ATT_OEM_CODEPAGE = 0x9007,
};

bool
lka_tnef_is(const unsigned char *p, size_t n)
{
	return n >= 6 && p[0] == 0x78 && p[1] == 0x9F && p[2] == 0x3E && p[3] == 0x22;
}

struct tatt {
	char *title;               /* attAttachTitle, UTF-8 */
	char *transport_name;      /* attAttachTransportFilename */
	lka_mapi_props props;      /* attAttachment */
	const unsigned char *data; /* attAttachData */
	size_t len;
	bool has_data;
};

struct reader {
	const lka_tnef_env *env;
	lka_diags *d;
	const char *where;
	unsigned depth;
	uint32_t codepage;
	struct tatt *atts;
	size_t n, cap;
	lka_mapi_props msgprops;
	const unsigned char *recips; /* attRecipTable */
	size_t recips_len;
	char *subject, *msg_class, *body;
	int64_t sent;
	bool has_sent;
	unsigned bad_checksums;
	bool oom;
};

static char *
str8(struct reader *r, const unsigned char *p, size_t n)
{
	char name[32];
	size_t len = strnlen((const char *)p, n);

	if (r->codepage == 0 || r->codepage == 1252)
		snprintf(name, sizeof name, "windows-1252");
	else if (r->codepage == 65001)
		snprintf(name, sizeof name, "utf-8");
	else
		snprintf(name, sizeof name, "CP%" PRIu32, r->codepage);
	return lka_text_to_utf8((const char *)p, len, name, NULL);
}

static struct tatt *
new_tatt(struct reader *r)
{
	if (r->n == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 8;
		struct tatt *v = realloc(r->atts, c * sizeof *v);

		if (!v) {
			r->oom = true;
			return NULL;
		}
		r->atts = v;
		r->cap = c;
	}
	memset(&r->atts[r->n], 0, sizeof r->atts[r->n]);
	return &r->atts[r->n++];
}

static struct tatt *
cur_tatt(struct reader *r)
{
	return r->n ? &r->atts[r->n - 1] : new_tatt(r);
}

static void
diag(struct reader *r, lka_status sev, lka_errkind kind, const char *fmt, ...) LKA_PRINTF(4, 5);

static void
diag(struct reader *r, lka_status sev, lka_errkind kind, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->where)
		(void)lka_diags_add(r->d, sev, kind, r->where, "TNEF %s: %s", r->where, msg);
	else
		(void)lka_diags_add(r->d, sev, kind, NULL, "TNEF: %s", msg);
}

static void
props(struct reader *r, const unsigned char *p, size_t n, lka_mapi_props *out, const char *what)
{
	char why[200];

	out->codepage = r->codepage;
	if (!lka_mapi_parse_tnef(p, n, out, why, sizeof why))
		diag(r, LKA_WARN, LKA_E_CORRUPT, "%s: %s", what, why);
}

/* One attribute. */
static void
attribute(struct reader *r, unsigned level, uint32_t attr, const unsigned char *p, size_t n)
{
	uint16_t id = (uint16_t)(attr & 0xFFFF);
	struct tatt *t;

	if (level == 2) {
		if (id == ATT_ATTACH_RENDDATA) {
			new_tatt(r);
			return;
		}
		t = cur_tatt(r);
		if (!t)
			return;
		switch (id) {
		case ATT_ATTACH_TITLE:
			free(t->title);
			t->title = str8(r, p, n);
			break;
		case ATT_ATTACH_TRANSPORT_FILENAME:
			free(t->transport_name);
			t->transport_name = str8(r, p, n);
			break;
		case ATT_ATTACH_DATA:
			t->data = p;
			t->len = n;
			t->has_data = true;
			break;
		case ATT_ATTACHMENT:
			props(r, p, n, &t->props, "attachment properties");
			break;
		default:
			break;
		}
		return;
	}
	switch (id) {
	case ATT_SUBJECT:
		free(r->subject);
		r->subject = str8(r, p, n);
		break;
	case ATT_MESSAGE_CLASS:
		free(r->msg_class);
		r->msg_class = str8(r, p, n);
		break;
	case ATT_BODY:
		free(r->body);
		r->body = str8(r, p, n);
		break;
	case ATT_OEM_CODEPAGE:
		if (n >= 4)
			r->codepage = lka__le32(p);
		break;
	case ATT_MSG_PROPS:
		props(r, p, n, &r->msgprops, "message properties");
		break;
	case ATT_RECIP_TABLE:
		r->recips = p;
		r->recips_len = n;
		break;
	case ATT_DATE_SENT:
		if (n >= 12) {
			struct tm tm = { 0 };

			tm.tm_year = lka__le16(p) - 1900;
			tm.tm_mon = lka__le16(p + 2) - 1;
			tm.tm_mday = lka__le16(p + 4);
			tm.tm_hour = lka__le16(p + 6);
			tm.tm_min = lka__le16(p + 8);
			tm.tm_sec = lka__le16(p + 10);
			if (tm.tm_year > 0 && tm.tm_mon >= 0 && tm.tm_mon < 12) {
				r->sent = (int64_t)timegm(&tm);
				r->has_sent = true;
			}
		}
		break;
	default:
		break;
	}
}

static const unsigned char iid_imessage[16] = { 0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
						0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };

static char *
join_name(const char *a, const char *ext)
{
	size_t n = strlen(a) + strlen(ext) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s", a, ext);
	return s;
}

/* Turn a gathered attachment into an lka_att. */
static void
finish_att(struct reader *r, struct tatt *t, size_t index, lka_att *a)
{
	const lka_mapi_prop *dp = lka_mapi_find(&t->props, LKA_PR_ATTACH_DATA, 0);
	const unsigned char *data = t->data;
	size_t len = t->len;
	int32_t method = lka_mapi_long(&t->props, LKA_PR_ATTACH_METHOD, 1);
	bool is_object = false;
	char path[64];

	if ((!t->has_data || len == 0) && dp && dp->data) {
		data = dp->data;
		len = dp->len;
		is_object = dp->type == LKA_PT_OBJECT;
	} else if (dp && dp->type == LKA_PT_OBJECT && method == 5 && dp->data) {
		data = dp->data;
		len = dp->len;
		is_object = true;
	}
	if (is_object && len >= 16) {
		bool msg = !memcmp(data, iid_imessage, 16);

		data += 16;
		len -= 16;
		if (msg)
			method = 5;
	}
	if (!data)
		data = (const unsigned char *)"";
	a->filename = lka_mapi_str(&t->props, LKA_PR_ATTACH_LONG_FILENAME);
	if (!a->filename || !*a->filename) {
		free(a->filename);
		a->filename = lka_mapi_str(&t->props, LKA_PR_ATTACH_FILENAME);
	}
	if ((!a->filename || !*a->filename) && t->title && *t->title) {
		free(a->filename);
		a->filename = lka__strdup(t->title);
	}
	if ((!a->filename || !*a->filename) && t->transport_name && *t->transport_name) {
		free(a->filename);
		a->filename = lka__strdup(t->transport_name);
	}
	if (!a->filename || !*a->filename) {
		char *dn = lka_mapi_str(&t->props, LKA_PR_DISPLAY_NAME);

		free(a->filename);
		a->filename = NULL;
		if (dn && *dn)
			a->filename = method == 5 ? join_name(dn, ".msg") : lka__strdup(dn);
		free(dn);
	}
	a->declared_type = lka_mapi_str(&t->props, LKA_PR_ATTACH_MIME_TAG);
	if (a->declared_type)
		lka__ascii_lower(a->declared_type);
	a->content_id = lka_mapi_str(&t->props, LKA_PR_ATTACH_CONTENT_ID);
	a->disposition = lka__strdup("attachment");
	snprintf(path, sizeof path, "%zu", index + 1);
	a->part_path = a->filename ? lka__strdup(a->filename) : lka__strdup(path);
	a->size = len;
	lka_sha256_buf(data, len, a->sha256);
	if (len > r->env->limits->decoded_bytes) {
		a->flags |= LKA_ATT_TRUNCATED;
	} else if (r->env->store_content) {
		a->data = malloc(len ? len : 1);
		if (a->data) {
			memcpy(a->data, data, len);
			a->data_len = len;
		}
	}
	if (method == 5 && lka_tnef_is(data, len)) {
		/* an embedded message, itself a TNEF stream */
		lka_msg *em = calloc(1, sizeof *em);

		if (!em) {
			r->oom = true;
			return;
		}
		em->raw_size = len;
		lka_sha256_buf(data, len, em->raw_sha256);
		em->has_raw_sha256 = true;
		if (r->depth + 1 >= r->env->limits->archive_depth) {
			diag(r, LKA_WARN, LKA_E_LIMIT, "embedded message nested too deep: not read");
		} else {
			lka_tnef_read(r->env, data, len, em, &em->atts, &em->n_atts, r->depth + 1,
				      &em->diags, NULL);
		}
		if (!em->item_class)
			em->item_class = lka__strdup("IPM.Note");
		a->embedded = em;
		if (!a->declared_type)
			a->declared_type = lka__strdup("application/vnd.ms-outlook");
		return;
	}
	if (lka_tnef_is(data, len)) {
		/* nested TNEF: its attachments are this one's members */
		lka_msg *scratch;

		if (r->depth + 1 >= r->env->limits->archive_depth) {
			diag(r, LKA_WARN, LKA_E_LIMIT, "nested TNEF too deep: not read");
			return;
		}
		scratch = calloc(1, sizeof *scratch);
		if (!scratch) {
			r->oom = true;
			return;
		}
		a->container = lka__strdup("tnef");
		lka_tnef_read(r->env, data, len, scratch, &a->children, &a->n_children,
			      r->depth + 1, r->d, a->part_path);
		lka_msg_free(scratch);
		return;
	}
	if (r->env->content && len && !(a->flags & LKA_ATT_TRUNCATED))
		r->env->content(r->env->ud, a, data, len, r->depth + 1, r->d);
}

/* attRecipTable: a row count, then rows of properties (MS-OXTNEF 2.1.3.3.5). */
static void
recipients(struct reader *r, lka_msg *m)
{
	uint32_t rows = lka__le32(r->recips);
	size_t pos = 4;

	if (m->from_address || m->from_name) {
		lka_addr *v = realloc(m->addrs, (m->n_addrs + 1) * sizeof *v);

		if (v) {
			m->addrs = v;
			memset(&v[m->n_addrs], 0, sizeof *v);
			v[m->n_addrs].role = LKA_ROLE_FROM;
			v[m->n_addrs].address = lka__strdup(m->from_address);
			v[m->n_addrs].name = lka__strdup(m->from_name);
			m->n_addrs++;
		}
	}
	for (uint32_t i = 0; i < rows && i < 100000 && pos < r->recips_len; i++) {
		lka_mapi_props rp = { 0 };
		char why[200];
		size_t used = 0;

		rp.codepage = r->codepage;
		if (!lka_mapi_parse_tnef_at(r->recips + pos, r->recips_len - pos, &rp, why, sizeof why,
					    &used)) {
			diag(r, LKA_WARN, LKA_E_CORRUPT, "recipient %u: %s", i + 1, why);
			lka_mapi_props_free(&rp);
			break;
		}
		lka_mapi_add_recipient(m, &rp);
		lka_mapi_props_free(&rp);
		pos += used;
	}
}

bool
lka_tnef_read(const lka_tnef_env *env, const unsigned char *p, size_t n, lka_msg *m,
	      lka_att **atts, size_t *n_atts, unsigned depth, lka_diags *d, const char *where)
{
	struct reader r = { .env = env, .d = d, .where = where, .depth = depth };
	size_t pos = 6;

	if (!lka_tnef_is(p, n))
		return false;
	while (pos < n) {
		unsigned level;
		uint32_t attr, len;
		unsigned sum = 0;

		if (n - pos < 9) {
			diag(&r, LKA_WARN, LKA_E_CORRUPT,
			     "%zu byte(s) after the last attribute (byte %zu) are not TNEF: ignored",
			     n - pos, pos);
			break;
		}
		level = p[pos];
		attr = lka__le32(p + pos + 1);
		len = lka__le32(p + pos + 5);
		if (level != 1 && level != 2) {
			diag(&r, LKA_WARN, LKA_E_CORRUPT,
			     "%zu bytes at byte %zu are not a TNEF attribute (level %u): "
			     "garbage after the stream, ignored",
			     n - pos, pos, level);
			break;
		}
		if (len > n - pos - 9) {
			diag(&r, LKA_WARN, LKA_E_CORRUPT,
			     "truncated: attribute 0x%08" PRIX32 " at byte %zu claims %" PRIu32
			     " bytes, %zu are left; the rest of the stream is lost",
			     attr, pos, len, n - pos - 9);
			break;
		}
		for (size_t i = 0; i < len; i++)
			sum += p[pos + 9 + i];
		if (n - pos - 9 - len < 2) {
			diag(&r, LKA_WARN, LKA_E_CORRUPT,
			     "truncated: attribute 0x%08" PRIX32 " at byte %zu has no checksum", attr,
			     pos);
			attribute(&r, level, attr, p + pos + 9, len);
			break;
		}
		if ((sum & 0xFFFF) != lka__le16(p + pos + 9 + len)) {
			if (r.bad_checksums++ < TNEF_DIAGS_MAX)
				diag(&r, LKA_WARN, LKA_E_CORRUPT,
				     "attribute 0x%08" PRIX32 " at byte %zu: bad checksum (kept)",
				     attr, pos);
		}
		attribute(&r, level, attr, p + pos + 9, len);
		if (r.oom)
			break;
		pos += 9 + (size_t)len + 2;
	}
	if (r.bad_checksums > TNEF_DIAGS_MAX)
		diag(&r, LKA_WARN, LKA_E_CORRUPT, "%u further bad checksums",
		     r.bad_checksums - TNEF_DIAGS_MAX);
	/* the message */
	r.msgprops.codepage = r.codepage;
	if (m) {
		if (r.msg_class && !m->item_class) {
			m->item_class = r.msg_class;
			r.msg_class = NULL;
		}
		if (r.subject && !m->subject) {
			m->subject = r.subject;
			r.subject = NULL;
		}
		if (r.body && *r.body && (!m->body_text || !*m->body_text)) {
			free(m->body_text);
			m->body_text = r.body;
			r.body = NULL;
		}
		if (r.has_sent && !m->has_sent_at) {
			m->sent_at = r.sent;
			m->has_sent_at = true;
		}
		lka_mapi_fill_msg(m, &r.msgprops, (size_t)env->limits->text_bytes);
		if (r.recips && r.recips_len >= 4 && m->n_addrs == 0)
			recipients(&r, m);
	}
	/* the attachments */
	if (r.n) {
		lka_att *v = realloc(*atts, (*n_atts + r.n) * sizeof *v);

		if (v) {
			*atts = v;
			for (size_t i = 0; i < r.n; i++) {
				lka_att *a = &v[*n_atts];

				memset(a, 0, sizeof *a);
				(*n_atts)++;
				finish_att(&r, &r.atts[i], i, a);
			}
		}
	}
	for (size_t i = 0; i < r.n; i++) {
		free(r.atts[i].title);
		free(r.atts[i].transport_name);
		lka_mapi_props_free(&r.atts[i].props);
	}
	free(r.atts);
	lka_mapi_props_free(&r.msgprops);
	free(r.subject);
	free(r.msg_class);
	free(r.body);
	return true;
}
