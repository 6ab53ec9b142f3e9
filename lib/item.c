/*
 * item.c — constructors and destructors of the items readers emit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "sink.h"

const char *
lka_role_name(lka_role r)
{
	static const char *const names[] = { "from", "sender", "reply-to", "to", "cc", "bcc" };

	return (unsigned)r < LKA_ARRAY_LEN(names) ? names[r] : "unknown";
}

bool
lka_diags_add(lka_diags *d, lka_status sev, lka_errkind kind, const char *location,
	      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	lka_diag *v;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4;
		v = realloc(d->v, cap * sizeof *v);
		if (!v)
			return false;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* The same damage reported twice at the same place is one diagnostic. */
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && d->v[i].kind == kind && strcmp(d->v[i].message, msg) == 0 &&
		    ((!location && !d->v[i].location) ||
		     (location && d->v[i].location && strcmp(location, d->v[i].location) == 0)))
			return true;
	v = &d->v[d->n];
	v->severity = sev;
	v->kind = kind;
	v->location = lka__strdup(location);
	v->message = lka__strdup(msg);
	if (!v->message || (location && !v->location)) {
		free(v->location);
		free(v->message);
		return false;
	}
	d->n++;
	return true;
}

void
lka_diags_free(lka_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].location);
		free(d->v[i].message);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

void
lka_att_clear(lka_att *a)
{
	if (!a)
		return;
	free(a->filename);
	free(a->declared_type);
	free(a->detected_type);
	free(a->disposition);
	free(a->content_id);
	free(a->part_path);
	free(a->transfer_encoding);
	free(a->data);
	lka_msg_free(a->embedded);
	for (size_t i = 0; i < a->n_children; i++)
		lka_att_clear(&a->children[i]);
	free(a->children);
	free(a->container);
	free(a->password);
	free(a->name_flags);
	memset(a, 0, sizeof *a);
}

void
lka_msg_free(lka_msg *m)
{
	if (!m)
		return;
	free(m->item_class);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->subject);
	free(m->date_raw);
	free(m->from_address);
	free(m->from_name);
	free(m->body_text);
	free(m->body_html);
	free(m->headers);
	free(m->maildir_flags);
	for (size_t i = 0; i < m->n_addrs; i++) {
		free(m->addrs[i].address);
		free(m->addrs[i].name);
		free(m->addrs[i].raw);
		free(m->addrs[i].addr_type);
		free(m->addrs[i].legacy_dn);
	}
	free(m->addrs);
	for (size_t i = 0; i < m->n_atts; i++)
		lka_att_clear(&m->atts[i]);
	free(m->atts);
	lka_diags_free(&m->diags);
	free(m->engine);
	free(m);
}

void
lka_folder_clear(lka_folder *f)
{
	free(f->name);
	free(f->path);
	free(f->folder_class);
	free(f->role);
	free(f->engine);
	memset(f, 0, sizeof *f);
}

void
lka_contact_email_clear(lka_contact_email *e)
{
	free(e->address);
	free(e->raw);
	free(e->name);
	free(e->type);
	free(e->legacy_dn);
	memset(e, 0, sizeof *e);
}

void
lka_contact_phone_clear(lka_contact_phone *p)
{
	free(p->raw);
	free(p->type);
	memset(p, 0, sizeof *p);
}

void
lka_contact_postal_clear(lka_contact_postal *p)
{
	free(p->type);
	free(p->street);
	free(p->locality);
	free(p->region);
	free(p->postcode);
	free(p->country);
	free(p->full);
	memset(p, 0, sizeof *p);
}

void
lka_contact_free(lka_contact *c)
{
	if (!c)
		return;
	free(c->item_class);
	free(c->full_name);
	free(c->given_name);
	free(c->family_name);
	free(c->middle_name);
	free(c->nickname);
	free(c->prefix);
	free(c->suffix);
	free(c->organization);
	free(c->department);
	free(c->title);
	free(c->birthday);
	free(c->note);
	free(c->uid);
	free(c->url);
	free(c->att_path);
	for (size_t i = 0; i < c->n_emails; i++)
		lka_contact_email_clear(&c->emails[i]);
	free(c->emails);
	for (size_t i = 0; i < c->n_phones; i++)
		lka_contact_phone_clear(&c->phones[i]);
	free(c->phones);
	for (size_t i = 0; i < c->n_postals; i++)
		lka_contact_postal_clear(&c->postals[i]);
	free(c->postals);
	for (size_t i = 0; i < c->n_members; i++)
		lka_contact_email_clear(&c->members[i]);
	free(c->members);
	lka_diags_free(&c->diags);
	free(c);
}

void
lka_sink_vdiagf(lka_sink *s, bool *stop, bool *warned, const lka_itemloc *loc, lka_status sev,
		lka_errkind kind, const char *location, const char *fmt, va_list ap)
{
	char msg[600];
	lka_diag d = { sev, kind, (char *)(uintptr_t)location, msg };

	if (*stop)
		return;
	*warned = true;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (s->ops->diag(s, loc, &d) == LKA_FATAL)
		*stop = true;
}
