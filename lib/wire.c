/*
 * wire.c — encode and decode the frames exchanged with reader processes
 * (see wire.h).  Decoding checks every length against what is left: a
 * reader process may have been subverted by the evidence it was reading.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"

#define NULL_STR 0xffffffffu
#define MAX_TREE_DEPTH 200

/* ------------------------------------------------------------ encoding */

static bool
put_u8(lka_buf *b, unsigned v)
{
	return lka_buf_addc(b, (int)(v & 0xff));
}

static bool
put_u32(lka_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	return lka_buf_add(b, x, 4);
}

static bool
put_u64(lka_buf *b, uint64_t v)
{
	return put_u32(b, (uint32_t)v) && put_u32(b, (uint32_t)(v >> 32));
}

static bool
put_i64(lka_buf *b, int64_t v)
{
	return put_u64(b, (uint64_t)v);
}

static bool
put_bytes(lka_buf *b, const void *p, size_t n)
{
	if (n >= NULL_STR)
		return false;
	return put_u32(b, (uint32_t)n) && lka_buf_add(b, p, n);
}

static bool
put_str(lka_buf *b, const char *s)
{
	if (!s)
		return put_u32(b, NULL_STR);
	return put_bytes(b, s, strlen(s));
}

/* Start a frame: reserve the length, write the type.  Returns the offset. */
static size_t
frame_start(lka_buf *b, lka_frame_type type, uint64_t task_id, bool *ok)
{
	size_t at = b->len;

	*ok = put_u32(b, 0) && put_u8(b, type) && put_u64(b, task_id);
	return at;
}

static bool
frame_end(lka_buf *b, size_t at, bool ok)
{
	size_t n;

	if (!ok) {
		b->len = at;
		return false;
	}
	n = b->len - at - 4;
	if (n > LKA_WIRE_MAX_FRAME) {
		b->len = at;
		return false;
	}
	b->data[at] = (unsigned char)n;
	b->data[at + 1] = (unsigned char)(n >> 8);
	b->data[at + 2] = (unsigned char)(n >> 16);
	b->data[at + 3] = (unsigned char)(n >> 24);
	return true;
}

static bool
put_loc(lka_buf *b, const lka_itemloc *loc)
{
	if (!loc)
		return put_u8(b, 0);
	return put_u8(b, 1) && put_u64(b, loc->ordinal) && put_i64(b, loc->offset) &&
	       put_i64(b, loc->length);
}

static bool
put_diag(lka_buf *b, const lka_diag *d)
{
	return put_u32(b, (uint32_t)(int32_t)d->severity) && put_u32(b, (uint32_t)d->kind) &&
	       put_str(b, d->location) && put_str(b, d->message);
}

static bool put_msg(lka_buf *b, const lka_msg *m, int depth);

static bool
put_att(lka_buf *b, const lka_att *a, int depth)
{
	bool ok = put_str(b, a->filename) && put_str(b, a->declared_type) &&
		  put_str(b, a->detected_type) && put_str(b, a->disposition) &&
		  put_str(b, a->content_id) && put_str(b, a->part_path) &&
		  put_str(b, a->transfer_encoding) && put_u64(b, a->size) &&
		  lka_buf_add(b, a->sha256, LKA_SHA256_LEN) && put_u32(b, a->flags) &&
		  put_u8(b, a->data != NULL);
	if (ok && a->data)
		ok = put_bytes(b, a->data, a->data_len);
	ok = ok && put_u8(b, a->embedded != NULL);
	if (ok && a->embedded)
		ok = put_msg(b, a->embedded, depth + 1);
	ok = ok && put_str(b, a->container) && put_u8(b, a->encrypted) &&
	     put_str(b, a->password) && put_str(b, a->name_flags);
	ok = ok && put_u32(b, (uint32_t)a->n_children);
	for (size_t i = 0; ok && i < a->n_children; i++)
		ok = put_att(b, &a->children[i], depth + 1);
	return ok;
}

static bool
put_msg(lka_buf *b, const lka_msg *m, int depth)
{
	bool ok;

	if (depth > MAX_TREE_DEPTH)
		return false;
	ok = put_str(b, m->item_class) && put_str(b, m->message_id) && put_str(b, m->in_reply_to) &&
	     put_str(b, m->references) && put_str(b, m->subject) && put_i64(b, m->sent_at) &&
	     put_u8(b, m->has_sent_at) && put_u32(b, (uint32_t)m->tz_offset) &&
	     put_str(b, m->date_raw) && put_i64(b, m->received_at) &&
	     put_u8(b, m->has_received_at) && put_str(b, m->from_address) &&
	     put_str(b, m->from_name) && put_str(b, m->body_text) && put_str(b, m->body_html) &&
	     put_str(b, m->headers) && put_str(b, m->maildir_flags) && put_u64(b, m->raw_size) &&
	     lka_buf_add(b, m->raw_sha256, LKA_SHA256_LEN) && put_u8(b, m->has_raw_sha256);
	ok = ok && put_u32(b, (uint32_t)m->n_addrs);
	for (size_t i = 0; ok && i < m->n_addrs; i++)
		ok = put_u8(b, m->addrs[i].role) && put_str(b, m->addrs[i].address) &&
		     put_str(b, m->addrs[i].name) && put_str(b, m->addrs[i].raw) &&
		     put_str(b, m->addrs[i].addr_type) && put_str(b, m->addrs[i].legacy_dn);
	ok = ok && put_u32(b, (uint32_t)m->n_atts);
	for (size_t i = 0; ok && i < m->n_atts; i++)
		ok = put_att(b, &m->atts[i], depth);
	ok = ok && put_u32(b, (uint32_t)m->diags.n);
	for (size_t i = 0; ok && i < m->diags.n; i++)
		ok = put_diag(b, &m->diags.v[i]);
	return ok && put_str(b, m->engine) && put_u8(b, m->recovered);
}

static bool
put_cemail(lka_buf *b, const lka_contact_email *e)
{
	return put_str(b, e->address) && put_str(b, e->raw) && put_str(b, e->name) &&
	       put_str(b, e->type) && put_str(b, e->legacy_dn);
}

static bool
put_contact(lka_buf *b, const lka_contact *c)
{
	bool ok = put_str(b, c->item_class) && put_u8(b, c->is_list) && put_str(b, c->full_name) &&
		  put_str(b, c->given_name) && put_str(b, c->family_name) &&
		  put_str(b, c->middle_name) && put_str(b, c->nickname) && put_str(b, c->prefix) &&
		  put_str(b, c->suffix) && put_str(b, c->organization) &&
		  put_str(b, c->department) && put_str(b, c->title) && put_str(b, c->birthday) &&
		  put_str(b, c->note) && put_str(b, c->uid) && put_str(b, c->url) &&
		  put_str(b, c->att_path);
	ok = ok && put_u32(b, (uint32_t)c->n_emails);
	for (size_t i = 0; ok && i < c->n_emails; i++)
		ok = put_cemail(b, &c->emails[i]);
	ok = ok && put_u32(b, (uint32_t)c->n_phones);
	for (size_t i = 0; ok && i < c->n_phones; i++)
		ok = put_str(b, c->phones[i].raw) && put_str(b, c->phones[i].type);
	ok = ok && put_u32(b, (uint32_t)c->n_postals);
	for (size_t i = 0; ok && i < c->n_postals; i++) {
		const lka_contact_postal *p = &c->postals[i];
		ok = put_str(b, p->type) && put_str(b, p->street) && put_str(b, p->locality) &&
		     put_str(b, p->region) && put_str(b, p->postcode) && put_str(b, p->country) &&
		     put_str(b, p->full);
	}
	ok = ok && put_u32(b, (uint32_t)c->n_members);
	for (size_t i = 0; ok && i < c->n_members; i++)
		ok = put_cemail(b, &c->members[i]);
	ok = ok && put_u32(b, (uint32_t)c->diags.n);
	for (size_t i = 0; ok && i < c->diags.n; i++)
		ok = put_diag(b, &c->diags.v[i]);
	return ok;
}

bool
lka_wire_put_contact(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, int64_t folder_id,
		     const lka_contact *c)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_CONTACT, task_id, &ok);

	ok = ok && put_loc(b, loc) && put_i64(b, folder_id) && put_contact(b, c);
	return frame_end(b, at, ok);
}

bool
lka_wire_put_task(lka_buf *b, uint64_t id, const lka_task *t)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_TASK, id, &ok);

	ok = ok && put_str(b, t->path) && put_str(b, t->display) && put_u32(b, t->format) &&
	     put_u64(b, t->skip);
	return frame_end(b, at, ok);
}

bool
lka_wire_put_item_begin(lka_buf *b, uint64_t task_id, const lka_itemloc *loc)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_ITEM_BEGIN, task_id, &ok);

	return frame_end(b, at, ok && put_loc(b, loc));
}

bool
lka_wire_put_folder(lka_buf *b, uint64_t task_id, const lka_folder *f)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_FOLDER, task_id, &ok);

	ok = ok && put_i64(b, f->id) && put_i64(b, f->parent_id) && put_str(b, f->name) &&
	     put_str(b, f->path) && put_str(b, f->folder_class) && put_str(b, f->role) &&
	     put_str(b, f->engine) && put_i64(b, f->expected_items);
	return frame_end(b, at, ok);
}

bool
lka_wire_put_message(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, int64_t folder_id,
		     const lka_msg *m)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_MESSAGE, task_id, &ok);

	ok = ok && put_loc(b, loc) && put_i64(b, folder_id) && put_msg(b, m, 0);
	return frame_end(b, at, ok);
}

bool
lka_wire_put_diag(lka_buf *b, uint64_t task_id, const lka_itemloc *loc, const lka_diag *d)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_DIAG, task_id, &ok);

	return frame_end(b, at, ok && put_loc(b, loc) && put_diag(b, d));
}

bool
lka_wire_put_task_end(lka_buf *b, uint64_t task_id, lka_status st)
{
	bool ok;
	size_t at = frame_start(b, LKA_FR_TASK_END, task_id, &ok);

	return frame_end(b, at, ok && put_u32(b, (uint32_t)(int32_t)st));
}

/* ------------------------------------------------------------ decoding */

typedef struct rd {
	const unsigned char *p;
	size_t n;
	bool bad;
} rd;

static uint64_t
get_u(rd *r, size_t w)
{
	uint64_t v = 0;

	if (r->bad || r->n < w) {
		r->bad = true;
		return 0;
	}
	for (size_t i = 0; i < w; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += w;
	r->n -= w;
	return v;
}

#define get_u8(r) ((unsigned)get_u((r), 1))
#define get_u32(r) ((uint32_t)get_u((r), 4))
#define get_u64(r) (get_u((r), 8))
#define get_i64(r) ((int64_t)get_u((r), 8))

/* A string: NULL for the null marker (not an error); sets bad on OOM/overrun. */
static char *
get_str(rd *r)
{
	uint32_t n = get_u32(r);
	char *s;

	if (r->bad || n == NULL_STR)
		return NULL;
	if (n > r->n) {
		r->bad = true;
		return NULL;
	}
	s = lka__strndup((const char *)r->p, n);
	if (!s)
		r->bad = true;
	r->p += n;
	r->n -= n;
	return s;
}

static void
get_raw(rd *r, void *out, size_t n)
{
	if (r->bad || r->n < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->n -= n;
}

static bool
get_count(rd *r, size_t min_each, size_t *out)
{
	uint32_t c = get_u32(r);

	/* Every element takes at least min_each bytes: bound allocations by input. */
	if (r->bad || (min_each && c > r->n / min_each)) {
		r->bad = true;
		return false;
	}
	*out = c;
	return true;
}

static void
get_loc(rd *r, bool *has, lka_itemloc *loc)
{
	*has = get_u8(r) != 0;
	if (*has) {
		loc->ordinal = get_u64(r);
		loc->offset = get_i64(r);
		loc->length = get_i64(r);
	}
}

static void
get_diag(rd *r, lka_diag *d)
{
	d->severity = (lka_status)(int32_t)get_u32(r);
	d->kind = (lka_errkind)get_u32(r);
	d->location = get_str(r);
	d->message = get_str(r);
}

static lka_msg *get_msg(rd *r, int depth);

static void
get_att(rd *r, lka_att *a, int depth)
{
	a->filename = get_str(r);
	a->declared_type = get_str(r);
	a->detected_type = get_str(r);
	a->disposition = get_str(r);
	a->content_id = get_str(r);
	a->part_path = get_str(r);
	a->transfer_encoding = get_str(r);
	a->size = get_u64(r);
	get_raw(r, a->sha256, LKA_SHA256_LEN);
	a->flags = get_u32(r);
	if (get_u8(r)) {
		uint32_t n = get_u32(r);
		if (r->bad || n > r->n) {
			r->bad = true;
			return;
		}
		a->data = malloc(n ? n : 1);
		if (!a->data) {
			r->bad = true;
			return;
		}
		memcpy(a->data, r->p, n);
		a->data_len = n;
		r->p += n;
		r->n -= n;
	}
	if (get_u8(r))
		a->embedded = get_msg(r, depth + 1);
	a->container = get_str(r);
	a->encrypted = get_u8(r) != 0;
	a->password = get_str(r);
	a->name_flags = get_str(r);
	if (!get_count(r, 64, &a->n_children) || !a->n_children)
		return;
	a->children = calloc(a->n_children, sizeof *a->children);
	if (!a->children) {
		a->n_children = 0;
		r->bad = true;
		return;
	}
	for (size_t i = 0; i < a->n_children && !r->bad; i++)
		get_att(r, &a->children[i], depth + 1);
}

static lka_msg *
get_msg(rd *r, int depth)
{
	lka_msg *m;
	size_t n;

	if (depth > MAX_TREE_DEPTH || r->bad) {
		r->bad = true;
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (!m) {
		r->bad = true;
		return NULL;
	}
	m->item_class = get_str(r);
	m->message_id = get_str(r);
	m->in_reply_to = get_str(r);
	m->references = get_str(r);
	m->subject = get_str(r);
	m->sent_at = get_i64(r);
	m->has_sent_at = get_u8(r) != 0;
	m->tz_offset = (int32_t)get_u32(r);
	m->date_raw = get_str(r);
	m->received_at = get_i64(r);
	m->has_received_at = get_u8(r) != 0;
	m->from_address = get_str(r);
	m->from_name = get_str(r);
	m->body_text = get_str(r);
	m->body_html = get_str(r);
	m->headers = get_str(r);
	m->maildir_flags = get_str(r);
	m->raw_size = get_u64(r);
	get_raw(r, m->raw_sha256, LKA_SHA256_LEN);
	m->has_raw_sha256 = get_u8(r) != 0;
	if (get_count(r, 21, &n) && n) {
		m->addrs = calloc(n, sizeof *m->addrs);
		if (!m->addrs)
			r->bad = true;
		for (size_t i = 0; m->addrs && i < n && !r->bad; i++) {
			m->addrs[i].role = (lka_role)get_u8(r);
			if (m->addrs[i].role >= LKA_ROLE__COUNT)
				r->bad = true;
			m->addrs[i].address = get_str(r);
			m->addrs[i].name = get_str(r);
			m->addrs[i].raw = get_str(r);
			m->addrs[i].addr_type = get_str(r);
			m->addrs[i].legacy_dn = get_str(r);
			m->n_addrs = i + 1;
		}
	}
	if (get_count(r, 64, &n) && n) {
		m->atts = calloc(n, sizeof *m->atts);
		if (!m->atts)
			r->bad = true;
		for (size_t i = 0; m->atts && i < n && !r->bad; i++) {
			m->n_atts = i + 1;
			get_att(r, &m->atts[i], depth);
		}
	}
	if (get_count(r, 16, &n) && n) {
		m->diags.v = calloc(n, sizeof *m->diags.v);
		if (!m->diags.v)
			r->bad = true;
		m->diags.cap = n;
		for (size_t i = 0; m->diags.v && i < n && !r->bad; i++) {
			m->diags.n = i + 1;
			get_diag(r, &m->diags.v[i]);
		}
	}
	m->engine = get_str(r);
	m->recovered = get_u8(r) != 0;
	return m;
}

static void
get_cemail(rd *r, lka_contact_email *e)
{
	e->address = get_str(r);
	e->raw = get_str(r);
	e->name = get_str(r);
	e->type = get_str(r);
	e->legacy_dn = get_str(r);
}

/* calloc n elements of size sz; bad on OOM. */
static void *
get_array(rd *r, size_t min_each, size_t sz, size_t *n)
{
	void *v;

	*n = 0;
	if (!get_count(r, min_each, n) || !*n)
		return NULL;
	v = calloc(*n, sz);
	if (!v) {
		*n = 0;
		r->bad = true;
	}
	return v;
}

static lka_contact *
get_contact(rd *r)
{
	lka_contact *c = calloc(1, sizeof *c);
	size_t n;

	if (!c) {
		r->bad = true;
		return NULL;
	}
	c->item_class = get_str(r);
	c->is_list = get_u8(r) != 0;
	c->full_name = get_str(r);
	c->given_name = get_str(r);
	c->family_name = get_str(r);
	c->middle_name = get_str(r);
	c->nickname = get_str(r);
	c->prefix = get_str(r);
	c->suffix = get_str(r);
	c->organization = get_str(r);
	c->department = get_str(r);
	c->title = get_str(r);
	c->birthday = get_str(r);
	c->note = get_str(r);
	c->uid = get_str(r);
	c->url = get_str(r);
	c->att_path = get_str(r);
	c->emails = get_array(r, 20, sizeof *c->emails, &n);
	for (size_t i = 0; c->emails && i < n && !r->bad; i++) {
		c->n_emails = i + 1;
		get_cemail(r, &c->emails[i]);
	}
	c->phones = get_array(r, 8, sizeof *c->phones, &n);
	for (size_t i = 0; c->phones && i < n && !r->bad; i++) {
		c->n_phones = i + 1;
		c->phones[i].raw = get_str(r);
		c->phones[i].type = get_str(r);
	}
	c->postals = get_array(r, 28, sizeof *c->postals, &n);
	for (size_t i = 0; c->postals && i < n && !r->bad; i++) {
		lka_contact_postal *p = &c->postals[i];
		c->n_postals = i + 1;
		p->type = get_str(r);
		p->street = get_str(r);
		p->locality = get_str(r);
		p->region = get_str(r);
		p->postcode = get_str(r);
		p->country = get_str(r);
		p->full = get_str(r);
	}
	c->members = get_array(r, 20, sizeof *c->members, &n);
	for (size_t i = 0; c->members && i < n && !r->bad; i++) {
		c->n_members = i + 1;
		get_cemail(r, &c->members[i]);
	}
	c->diags.v = get_array(r, 16, sizeof *c->diags.v, &n);
	c->diags.cap = n;
	for (size_t i = 0; c->diags.v && i < n && !r->bad; i++) {
		c->diags.n = i + 1;
		get_diag(r, &c->diags.v[i]);
	}
	return c;
}

void
lka_frame_clear(lka_frame *f)
{
	lka_msg_free(f->msg);
	lka_contact_free(f->contact);
	lka_folder_clear(&f->folder);
	free(f->diag.location);
	free(f->diag.message);
	memset(f, 0, sizeof *f);
}

size_t
lka_wire_frame_len(const unsigned char *p, size_t n)
{
	size_t len;

	if (n < 4)
		return 0;
	len = lka__le32(p);
	if (len < 9 || len > LKA_WIRE_MAX_FRAME)
		return SIZE_MAX;
	return n - 4 >= len ? len + 4 : 0;
}

int
lka_wire_next_frame(lka_frame *out, const unsigned char *p, size_t n, size_t *off)
{
	size_t len = lka_wire_frame_len(p + *off, n - *off);

	if (len == 0)
		return 0;
	if (len == SIZE_MAX || !lka_wire_get_frame(out, p + *off, len))
		return -1;
	*off += len;
	return 1;
}

bool
lka_wire_get_frame(lka_frame *out, const unsigned char *p, size_t n)
{
	rd r = { p + 4, n - 4, false };

	memset(out, 0, sizeof *out);
	if (n < 13)
		return false;
	out->type = (lka_frame_type)get_u8(&r);
	out->task_id = get_u64(&r);
	switch (out->type) {
	case LKA_FR_ITEM_BEGIN:
		get_loc(&r, &out->has_loc, &out->loc);
		break;
	case LKA_FR_FOLDER:
		out->folder.id = get_i64(&r);
		out->folder.parent_id = get_i64(&r);
		out->folder.name = get_str(&r);
		out->folder.path = get_str(&r);
		out->folder.folder_class = get_str(&r);
		out->folder.role = get_str(&r);
		out->folder.engine = get_str(&r);
		out->folder.expected_items = get_i64(&r);
		break;
	case LKA_FR_MESSAGE:
		get_loc(&r, &out->has_loc, &out->loc);
		out->folder_id = get_i64(&r);
		out->msg = get_msg(&r, 0);
		break;
	case LKA_FR_CONTACT:
		get_loc(&r, &out->has_loc, &out->loc);
		out->folder_id = get_i64(&r);
		out->contact = get_contact(&r);
		break;
	case LKA_FR_DIAG:
		get_loc(&r, &out->has_loc, &out->loc);
		get_diag(&r, &out->diag);
		if (!out->diag.message)
			r.bad = true;
		break;
	case LKA_FR_TASK_END:
		out->status = (lka_status)(int32_t)get_u32(&r);
		break;
	default:
		r.bad = true;
	}
	if (r.bad || r.n != 0) {
		lka_frame_clear(out);
		return false;
	}
	return true;
}

void
lka_wire_task_clear(lka_wire_task *t)
{
	free((char *)(uintptr_t)t->task.path);
	free((char *)(uintptr_t)t->task.display);
	memset(t, 0, sizeof *t);
}

bool
lka_wire_get_task(lka_wire_task *out, const unsigned char *p, size_t n)
{
	rd r = { p + 4, n - 4, false };

	memset(out, 0, sizeof *out);
	if (n < 13 || get_u8(&r) != LKA_FR_TASK)
		return false;
	out->id = get_u64(&r);
	out->task.path = get_str(&r);
	out->task.display = get_str(&r);
	out->task.format = (lka_format)get_u32(&r);
	out->task.skip = get_u64(&r);
	if (r.bad || r.n != 0 || !out->task.path || out->task.format >= LKA_FMT__COUNT) {
		lka_wire_task_clear(out);
		return false;
	}
	return true;
}
