/*
 * msg.c — Outlook .msg (MS-OXMSG 2.4): the compound file layer is libgsf's
 * MS-OLE reader over the bytes in memory; the rest is ours.
 *
 *   __properties_version1.0        fixed-size properties, 16 bytes each, after
 *                                  a header (32 bytes top-level, 24 embedded,
 *                                  8 in recipient and attachment storages)
 *   __substg1.0_IIIITTTT           variable-size property IIII of type TTTT
 *   __recip_version1.0_#N          a recipient (storage)
 *   __attach_version1.0_#N         an attachment (storage); an embedded
 *                                  message is the storage __substg1.0_3701000D
 *
 * Stream sizes come from the compound file's directory: they are checked
 * against what the file holds and capped, never trusted for an allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-utils.h>

#include "mapi.h"
#include "msg.h"

static const unsigned char ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

#define MAX_RECIPS 10000
#define MAX_ATTS 10000

bool
lka_olemsg_is_ole(const unsigned char *p, size_t n)
{
	return n >= 8 && !memcmp(p, ole_magic, 8);
}

/* Buffers the properties point into, freed with the storage's reading. */
struct arena {
	unsigned char **v;
	size_t n, cap;
};

struct ctx {
	const lka_olemsg_env *env;
	size_t file_len;
	unsigned depth;
	struct arena ar;
	bool oom;
};

static void
arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

static unsigned char *
arena_keep(struct ctx *c, unsigned char *p)
{
	if (c->ar.n == c->ar.cap) {
		size_t cap = c->ar.cap ? c->ar.cap * 2 : 64;
		unsigned char **v = realloc(c->ar.v, cap * sizeof *v);

		if (!v) {
			free(p);
			c->oom = true;
			return NULL;
		}
		c->ar.v = v;
		c->ar.cap = cap;
	}
	c->ar.v[c->ar.n++] = p;
	return p;
}

/* The whole of a stream (at most cap bytes; *len set).  NULL on error. */
static unsigned char *
read_stream(struct ctx *c, GsfInput *in, uint64_t cap, size_t *len, bool *cut)
{
	gsf_off_t size = gsf_input_size(in);
	size_t want;
	unsigned char *buf;

	*len = 0;
	*cut = false;
	if (size < 0)
		return NULL;
	/* a stream cannot hold more than the file */
	if ((uint64_t)size > c->file_len)
		size = (gsf_off_t)c->file_len;
	if ((uint64_t)size > cap) {
		size = (gsf_off_t)cap;
		*cut = true;
	}
	want = (size_t)size;
	buf = malloc(want + 2);
	if (!buf) {
		c->oom = true;
		return NULL;
	}
	if (want && !gsf_input_read(in, want, buf)) {
		free(buf);
		return NULL;
	}
	buf[want] = buf[want + 1] = 0;
	*len = want;
	return buf;
}

static GsfInput *
child(GsfInfile *dir, const char *name)
{
	return gsf_infile_child_by_name(dir, name);
}

static bool
is_storage(GsfInput *in)
{
	return GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0;
}

static unsigned
hexval(const char *s, int n)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		char h = s[i];

		v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
					: h >= 'A' && h <= 'F' ? h - 'A' + 10
					: h >= 'a' && h <= 'f' ? h - 'a' + 10
							       : 0);
	}
	return v;
}

/*
 * The properties of one storage: the fixed ones from its properties stream
 * (after hdr bytes), the variable ones from its __substg1.0_ streams.
 */
static void
storage_props(struct ctx *c, GsfInfile *dir, size_t hdr, lka_mapi_props *out, lka_diags *d,
	      const char *where)
{
	GsfInput *ps = child(dir, "__properties_version1.0");
	int nkids = gsf_infile_num_children(dir);

	if (ps) {
		size_t len;
		bool cut;
		unsigned char *buf = read_stream(c, ps, (uint64_t)1 << 24, &len, &cut);

		g_object_unref(ps);
		if (buf && arena_keep(c, buf)) {
			for (size_t off = hdr; off + 16 <= len; off += 16) {
				uint16_t type = (uint16_t)(buf[off] | buf[off + 1] << 8);
				uint16_t id = (uint16_t)(buf[off + 2] | buf[off + 3] << 8);
				uint16_t base = type & (uint16_t)~LKA_PT_MV;

				if (type & LKA_PT_MV)
					continue;
				if (base == LKA_PT_STRING8 || base == LKA_PT_UNICODE ||
				    base == LKA_PT_BINARY || base == LKA_PT_OBJECT)
					continue; /* in a stream of its own */
				if (!lka_mapi_props_add(out, type, id, buf + off + 8, 8))
					c->oom = true;
			}
		} else if (!buf) {
			(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where,
					    "%s: the properties stream cannot be read",
					    where ? where : "message");
		}
	}
	for (int i = 0; i < nkids; i++) {
		const char *name = gsf_infile_name_by_index(dir, i);
		GsfInput *in;
		uint16_t type, id;

		if (!name || strncmp(name, "__substg1.0_", 12) != 0 || strlen(name) < 20)
			continue;
		id = (uint16_t)hexval(name + 12, 4);
		type = (uint16_t)hexval(name + 16, 4);
		if (type & LKA_PT_MV)
			continue;
		if (type != LKA_PT_STRING8 && type != LKA_PT_UNICODE && type != LKA_PT_BINARY)
			continue;
		in = gsf_infile_child_by_index(dir, i);
		if (!in)
			continue;
		if (!is_storage(in)) {
			size_t len;
			bool cut;
			unsigned char *buf =
				read_stream(c, in, c->env->limits->decoded_bytes, &len, &cut);

			if (buf && arena_keep(c, buf)) {
				if (!lka_mapi_props_add(out, type, id, buf, len))
					c->oom = true;
				if (cut)
					(void)lka_diags_add(d, LKA_WARN, LKA_E_LIMIT, where,
							    "property 0x%04X cut at %llu bytes", id,
							    (unsigned long long)len);
			} else if (!buf) {
				(void)lka_diags_add(d, LKA_WARN, LKA_E_CORRUPT, where,
						    "property stream %s cannot be read", name);
			}
		}
		g_object_unref(in);
	}
	{
		const lka_mapi_prop *cp = lka_mapi_find(out, LKA_PR_MESSAGE_CODEPAGE, LKA_PT_LONG);

		if (!cp)
			cp = lka_mapi_find(out, LKA_PR_INTERNET_CPID, LKA_PT_LONG);
		if (cp && cp->len >= 4)
			out->codepage = (uint32_t)cp->data[0] | (uint32_t)cp->data[1] << 8 |
					(uint32_t)cp->data[2] << 16 | (uint32_t)cp->data[3] << 24;
	}
}

static lka_msg *read_message(struct ctx *c, GsfInfile *dir, size_t hdr, const char *where);

static void
add_from(lka_msg *m)
{
	lka_addr *v;

	if (!m->from_address && !m->from_name)
		return;
	v = realloc(m->addrs, (m->n_addrs + 1) * sizeof *v);
	if (!v)
		return;
	m->addrs = v;
	memmove(v + 1, v, m->n_addrs * sizeof *v);
	memset(v, 0, sizeof *v);
	m->n_addrs++;
	v->role = LKA_ROLE_FROM;
	v->address = lka__strdup(m->from_address);
	v->name = lka__strdup(m->from_name);
}

static void
read_attachment(struct ctx *c, GsfInfile *st, lka_msg *m, size_t index)
{
	lka_mapi_props p = { 0 };
	lka_att *v = realloc(m->atts, (m->n_atts + 1) * sizeof *v), *a;
	const lka_mapi_prop *data;
	GsfInput *obj;
	char where[64];

	if (!v) {
		c->oom = true;
		return;
	}
	m->atts = v;
	a = &v[m->n_atts++];
	memset(a, 0, sizeof *a);
	snprintf(where, sizeof where, "attachment %zu", index + 1);
	storage_props(c, st, 8, &p, &m->diags, where);
	a->filename = lka_mapi_str(&p, LKA_PR_ATTACH_LONG_FILENAME);
	if (!a->filename || !*a->filename) {
		free(a->filename);
		a->filename = lka_mapi_str(&p, LKA_PR_ATTACH_FILENAME);
	}
	if (!a->filename || !*a->filename) {
		free(a->filename);
		a->filename = lka_mapi_str(&p, LKA_PR_DISPLAY_NAME);
	}
	if (a->filename && !*a->filename) {
		free(a->filename);
		a->filename = NULL;
	}
	a->declared_type = lka_mapi_str(&p, LKA_PR_ATTACH_MIME_TAG);
	if (a->declared_type)
		lka__ascii_lower(a->declared_type);
	a->content_id = lka_mapi_str(&p, LKA_PR_ATTACH_CONTENT_ID);
	a->disposition = lka__strdup(a->content_id ? "inline" : "attachment");
	if (a->content_id)
		a->flags |= LKA_ATT_INLINE;
	{
		char path[32];

		snprintf(path, sizeof path, "%zu", index + 1);
		a->part_path = lka__strdup(path);
	}
	obj = child(st, "__substg1.0_3701000D");
	if (obj && is_storage(obj)) {
		/* an embedded message */
		if (c->depth + 1 >= c->env->limits->archive_depth) {
			(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_LIMIT, where,
					    "%s: embedded message nested too deep: not read", where);
		} else {
			c->depth++;
			a->embedded = read_message(c, GSF_INFILE(obj), 24, where);
			c->depth--;
		}
		if (!a->declared_type)
			a->declared_type = lka__strdup("application/vnd.ms-outlook");
		free(a->container);
		a->container = lka__strdup("msg");
		if (a->embedded) {
			a->size = a->embedded->raw_size;
			memcpy(a->sha256, a->embedded->raw_sha256, LKA_SHA256_LEN);
		}
		if (!a->filename && a->embedded && a->embedded->subject) {
			size_t l = strlen(a->embedded->subject) + 5;

			a->filename = malloc(l);
			if (a->filename)
				snprintf(a->filename, l, "%s.msg", a->embedded->subject);
		}
	} else if ((data = lka_mapi_find(&p, LKA_PR_ATTACH_DATA, LKA_PT_BINARY)) && data->data) {
		a->size = data->len;
		lka_sha256_buf(data->data, data->len, a->sha256);
		if (c->env->store_content) {
			a->data = malloc(data->len ? data->len : 1);
			if (a->data) {
				memcpy(a->data, data->data, data->len);
				a->data_len = data->len;
			}
		}
		if (c->env->content && data->len)
			c->env->content(c->env->ud, a, data->data, data->len, c->depth + 1,
					&m->diags);
	} else {
		lka_sha256_buf("", 0, a->sha256);
	}
	if (obj)
		g_object_unref(obj);
	lka_mapi_props_free(&p);
}

/* The serialised bytes of a storage are not at hand: hash what we read instead. */
static void
hash_props(lka_msg *m, const lka_mapi_props *p)
{
	lka_sha256 h;

	lka_sha256_init(&h);
	for (size_t i = 0; i < p->n; i++) {
		uint16_t tid[2] = { p->v[i].type, p->v[i].id };

		lka_sha256_update(&h, tid, sizeof tid);
		if (p->v[i].data)
			lka_sha256_update(&h, p->v[i].data, p->v[i].len);
	}
	lka_sha256_final(&h, m->raw_sha256);
}

static lka_msg *
read_message(struct ctx *c, GsfInfile *dir, size_t hdr, const char *where)
{
	lka_msg *m = calloc(1, sizeof *m);
	lka_mapi_props p = { 0 };
	int nkids = gsf_infile_num_children(dir);
	size_t nr = 0, na = 0;

	if (!m) {
		c->oom = true;
		return NULL;
	}
	storage_props(c, dir, hdr, &p, &m->diags, where);
	lka_mapi_fill_msg(m, &p, (size_t)c->env->limits->text_bytes);
	if (!m->item_class)
		m->item_class = lka__strdup("IPM.Note");
	for (size_t i = 0; i < p.n; i++)
		if (p.v[i].data)
			m->raw_size += p.v[i].len;
	hash_props(m, &p);
	m->has_raw_sha256 = hdr == 32; /* the file's own hash is set by the caller */
	add_from(m);
	for (int i = 0; i < nkids; i++) {
		const char *name = gsf_infile_name_by_index(dir, i);
		GsfInput *in;

		if (!name)
			continue;
		if (!strncmp(name, "__recip_version1.0_", 19) && nr < MAX_RECIPS) {
			in = gsf_infile_child_by_index(dir, i);
			if (in && is_storage(in)) {
				lka_mapi_props rp = { 0 };

				storage_props(c, GSF_INFILE(in), 8, &rp, &m->diags, where);
				lka_mapi_add_recipient(m, &rp);
				lka_mapi_props_free(&rp);
				nr++;
			}
			if (in)
				g_object_unref(in);
		} else if (!strncmp(name, "__attach_version1.0_", 20) && na < MAX_ATTS) {
			in = gsf_infile_child_by_index(dir, i);
			if (in && is_storage(in))
				read_attachment(c, GSF_INFILE(in), m, na++);
			if (in)
				g_object_unref(in);
		}
	}
	lka_mapi_props_free(&p);
	return m;
}

lka_msg *
lka_olemsg_read(const lka_olemsg_env *env, const unsigned char *p, size_t n, unsigned depth,
		char *why, size_t cap)
{
	struct ctx c = { .env = env, .file_len = n, .depth = depth };
	GsfInput *in;
	GsfInfile *ole;
	GsfInput *ps;
	GError *err = NULL;
	lka_msg *m = NULL;

	if (!lka_olemsg_is_ole(p, n)) {
		snprintf(why, cap, "not an OLE compound file");
		return NULL;
	}
	in = gsf_input_memory_new(p, (gsf_off_t)n, FALSE);
	if (!in) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	ole = gsf_infile_msole_new(in, &err);
	g_object_unref(in);
	if (!ole) {
		snprintf(why, cap, "compound file cannot be read: %s",
			 err && err->message ? err->message : "unknown error");
		if (err)
			g_error_free(err);
		return NULL;
	}
	ps = child(ole, "__properties_version1.0");
	if (!ps) {
		snprintf(why, cap, "a compound file without Outlook message properties");
		g_object_unref(ole);
		return NULL;
	}
	g_object_unref(ps);
	m = read_message(&c, ole, 32, NULL);
	if (m) {
		m->raw_size = n;
		lka_sha256_buf(p, n, m->raw_sha256);
		m->has_raw_sha256 = true;
	}
	if (c.oom) {
		lka_msg_free(m);
		m = NULL;
		snprintf(why, cap, "out of memory");
	}
	arena_free(&c.ar);
	g_object_unref(ole);
	return m;
}

/* ------------------------------------------------------------ contacts */

static const unsigned char psetid_address[16] = { 0x04, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
						   0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 };

/* Named properties of PSETID_Address: numeric id -> local id (0x8000 + index). */
struct named {
	uint32_t lid[64];
	uint16_t local[64];
	size_t n;
};

static void
read_nameid(struct ctx *c, GsfInfile *root, struct named *nm)
{
	GsfInput *dir = child(root, "__nameid_version1.0");
	GsfInput *gs = NULL, *es = NULL;
	unsigned char *guids = NULL, *ents = NULL;
	size_t gl = 0, el = 0;
	bool cut;

	nm->n = 0;
	if (!dir || !is_storage(dir))
		goto out;
	gs = child(GSF_INFILE(dir), "__substg1.0_00020102");
	es = child(GSF_INFILE(dir), "__substg1.0_00030102");
	if (gs)
		guids = read_stream(c, gs, (uint64_t)1 << 20, &gl, &cut);
	if (es)
		ents = read_stream(c, es, (uint64_t)1 << 20, &el, &cut);
	for (size_t off = 0; ents && off + 8 <= el && nm->n < LKA_ARRAY_LEN(nm->lid); off += 8) {
		uint32_t id = (uint32_t)ents[off] | (uint32_t)ents[off + 1] << 8 |
			      (uint32_t)ents[off + 2] << 16 | (uint32_t)ents[off + 3] << 24;
		unsigned gk = (unsigned)(ents[off + 4] | ents[off + 5] << 8);
		unsigned idx = (unsigned)(ents[off + 6] | ents[off + 7] << 8);
		unsigned g = gk >> 1;

		if (gk & 1 || g < 3)
			continue; /* a string name, or PS_MAPI / PS_PUBLIC_STRINGS */
		if (!guids || (size_t)(g - 3) * 16 + 16 > gl ||
		    memcmp(guids + (g - 3) * 16, psetid_address, 16) != 0)
			continue;
		nm->lid[nm->n] = id;
		nm->local[nm->n] = (uint16_t)(0x8000 + idx);
		nm->n++;
	}
out:
	free(guids);
	free(ents);
	if (gs)
		g_object_unref(gs);
	if (es)
		g_object_unref(es);
	if (dir)
		g_object_unref(dir);
}

static char *
named_str(const lka_mapi_props *p, const struct named *nm, uint32_t lid)
{
	for (size_t i = 0; i < nm->n; i++) {
		if (nm->lid[i] != lid)
			continue;
		for (size_t k = 0; k < p->n; k++) {
			const lka_mapi_prop *v = &p->v[k];

			if (v->id != nm->local[i] || !v->data)
				continue;
			if (v->type == LKA_PT_UNICODE)
				return lka_mapi_utf16(v->data, v->len);
			if (v->type == LKA_PT_STRING8)
				return lka_text_to_utf8((const char *)v->data,
							strnlen((const char *)v->data, v->len),
							"windows-1252", NULL);
		}
	}
	return NULL;
}

static void
add_email(lka_contact *ct, char *addr, char *name, char *type)
{
	lka_contact_email *v;

	if (!addr || !*addr) {
		free(addr);
		free(name);
		free(type);
		return;
	}
	v = realloc(ct->emails, (ct->n_emails + 1) * sizeof *v);
	if (!v) {
		free(addr);
		free(name);
		free(type);
		return;
	}
	ct->emails = v;
	v = &v[ct->n_emails++];
	memset(v, 0, sizeof *v);
	v->raw = addr;
	v->name = name;
	v->type = type;
	if (type && !strcmp(type, "EX"))
		v->legacy_dn = lka__strdup(addr);
	else
		v->address = lka_addr_normalize(addr);
}

static void
add_phone(lka_contact *ct, const lka_mapi_props *p, uint16_t id, const char *type)
{
	char *raw = lka_mapi_str(p, id);
	lka_contact_phone *v;

	if (!raw || !*raw) {
		free(raw);
		return;
	}
	v = realloc(ct->phones, (ct->n_phones + 1) * sizeof *v);
	if (!v) {
		free(raw);
		return;
	}
	ct->phones = v;
	v = &v[ct->n_phones++];
	v->raw = raw;
	v->type = lka__strdup(type);
}

static void
add_postal(lka_contact *ct, const lka_mapi_props *p, const char *type, uint16_t street,
	   uint16_t city, uint16_t region, uint16_t code, uint16_t country)
{
	lka_contact_postal a = { 0 }, *v;

	a.street = lka_mapi_str(p, street);
	a.locality = lka_mapi_str(p, city);
	a.region = lka_mapi_str(p, region);
	a.postcode = lka_mapi_str(p, code);
	a.country = lka_mapi_str(p, country);
	if (!a.street && !a.locality && !a.region && !a.postcode && !a.country)
		return;
	v = realloc(ct->postals, (ct->n_postals + 1) * sizeof *v);
	if (!v) {
		lka_contact_postal_clear(&a);
		return;
	}
	ct->postals = v;
	a.type = lka__strdup(type);
	v[ct->n_postals++] = a;
}

lka_contact *
lka_olemsg_contact(const lka_olemsg_env *env, const unsigned char *p, size_t n, char *why,
		   size_t cap)
{
	struct ctx c = { .env = env, .file_len = n };
	lka_mapi_props pr = { 0 };
	struct named nm;
	lka_contact *ct = NULL;
	GsfInput *in;
	GsfInfile *ole;
	GError *err = NULL;
	char *cls;
	int64_t t;

	if (!lka_olemsg_is_ole(p, n)) {
		snprintf(why, cap, "not an OLE compound file");
		return NULL;
	}
	in = gsf_input_memory_new(p, (gsf_off_t)n, FALSE);
	ole = in ? gsf_infile_msole_new(in, &err) : NULL;
	if (in)
		g_object_unref(in);
	if (!ole) {
		snprintf(why, cap, "compound file cannot be read");
		if (err)
			g_error_free(err);
		return NULL;
	}
	ct = calloc(1, sizeof *ct);
	if (!ct)
		goto out;
	storage_props(&c, ole, 32, &pr, &ct->diags, NULL);
	cls = lka_mapi_str(&pr, LKA_PR_MESSAGE_CLASS);
	if (!cls || (strncmp(cls, "IPM.Contact", 11) && strncmp(cls, "IPM.DistList", 12))) {
		free(cls);
		lka_contact_free(ct);
		ct = NULL;
		snprintf(why, cap, "not a contact");
		goto out;
	}
	ct->item_class = cls;
	ct->is_list = !strncmp(cls, "IPM.DistList", 12);
	read_nameid(&c, ole, &nm);
	ct->full_name = lka_mapi_str(&pr, LKA_PR_DISPLAY_NAME);
	if (!ct->full_name)
		ct->full_name = lka_mapi_str(&pr, LKA_PR_SUBJECT);
	ct->given_name = lka_mapi_str(&pr, 0x3A06);
	ct->family_name = lka_mapi_str(&pr, 0x3A11);
	ct->middle_name = lka_mapi_str(&pr, 0x3A44);
	ct->nickname = lka_mapi_str(&pr, 0x3A4F);
	ct->prefix = lka_mapi_str(&pr, 0x3A45);
	ct->suffix = lka_mapi_str(&pr, 0x3A05);
	ct->organization = lka_mapi_str(&pr, 0x3A16);
	ct->department = lka_mapi_str(&pr, 0x3A18);
	ct->title = lka_mapi_str(&pr, 0x3A17);
	ct->note = lka_mapi_str(&pr, LKA_PR_BODY);
	ct->url = lka_mapi_str(&pr, 0x3A51);
	if (!ct->url)
		ct->url = lka_mapi_str(&pr, 0x3A50);
	if (lka_mapi_time(&pr, 0x3A42, &t)) {
		time_t tt = (time_t)t;
		struct tm tm;
		char b[16];

		if (gmtime_r(&tt, &tm) && strftime(b, sizeof b, "%Y-%m-%d", &tm))
			ct->birthday = lka__strdup(b);
	}
	/* Email1..3: address 0x8083/0x8093/0x80A3, display name +0x1..(0x8080...), type 0x8082... */
	for (uint32_t k = 0; k < 3; k++) {
		uint32_t base = 0x8080 + k * 0x10;

		add_email(ct, named_str(&pr, &nm, base + 3), named_str(&pr, &nm, base),
			  named_str(&pr, &nm, base + 2));
	}
	add_phone(ct, &pr, 0x3A1C, "mobile");
	add_phone(ct, &pr, 0x3A08, "work");
	add_phone(ct, &pr, 0x3A1B, "work");
	add_phone(ct, &pr, 0x3A09, "home");
	add_phone(ct, &pr, 0x3A2F, "home");
	add_phone(ct, &pr, 0x3A24, "fax");
	add_phone(ct, &pr, 0x3A25, "fax");
	add_phone(ct, &pr, 0x3A21, "pager");
	add_phone(ct, &pr, 0x3A1A, "pref");
	add_phone(ct, &pr, 0x3A1F, "other");
	add_postal(ct, &pr, "work", 0x3A29, 0x3A27, 0x3A28, 0x3A2A, 0x3A26);
	add_postal(ct, &pr, "home", 0x3A5D, 0x3A59, 0x3A5C, 0x3A5B, 0x3A5A);
	add_postal(ct, &pr, "other", 0x3A63, 0x3A5F, 0x3A62, 0x3A61, 0x3A60);
out:
	lka_mapi_props_free(&pr);
	arena_free(&c.ar);
	g_object_unref(ole);
	return ct;
}
