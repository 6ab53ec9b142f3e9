/*
 * sink-contact.c — write an address-book entry (lka_contact) into the case:
 * the contacts row, its e-mail addresses, phones, postal addresses and list
 * members, and its diagnostics as errors rows.  One SAVEPOINT per entry:
 * all of it or nothing.  Statements live in kase->cstmt[] (freed by
 * lka_case_free), prepared once and bound, never formatted.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "casedb.h"
#include "people-int.h"

enum {
	C_SAVEPOINT,
	C_RELEASE,
	C_ROLLBACK_TO,
	C_CONTACT,
	C_EMAIL,
	C_PHONE,
	C_POSTAL,
	C_MEMBER,
	C_MSG_OF_ITEM,
	C_ATT_OF_MSG,
	C_ATT_CHILD,
	C_MSG_OF_ATT,
	C__COUNT
};

_Static_assert(C__COUNT <= LKA_ARRAY_LEN(((lka_case *)0)->cstmt), "too many contact statements");

static const char *const csql[C__COUNT] = {
	[C_SAVEPOINT] = "SAVEPOINT lka_contact",
	[C_RELEASE] = "RELEASE lka_contact",
	[C_ROLLBACK_TO] = "ROLLBACK TO lka_contact",
	[C_CONTACT] =
		"INSERT INTO contacts (source_id, source_file_id, folder_id, message_id, "
		"attachment_id, run_id, ordinal, offset, length, item_class, is_list, full_name, "
		"given_name, family_name, middle_name, nickname, prefix, suffix, organization, "
		"department, title, birthday, note, uid, url, email_count, phone_count, member_count, "
		"error_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
	[C_EMAIL] = "INSERT INTO contact_emails (contact_id, position, address, raw, name, type, "
		    "legacy_dn, domain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[C_PHONE] = "INSERT INTO contact_phones (contact_id, position, raw, e164, type) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[C_POSTAL] = "INSERT INTO contact_addresses (contact_id, position, type, street, locality, "
		     "region, postcode, country, \"full\") "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[C_MSG_OF_ITEM] = "SELECT id, folder_id FROM messages WHERE source_file_id = ?1 AND ordinal = ?2 "
			   "AND parent_attachment_id IS NULL ORDER BY id DESC LIMIT 1",
	[C_ATT_OF_MSG] = "SELECT id FROM attachments WHERE message_id = ?1 "
			 "AND parent_attachment_id IS NULL AND position = ?2",
	[C_ATT_CHILD] = "SELECT id FROM attachments WHERE parent_attachment_id = ?1 AND position = ?2",
	[C_MSG_OF_ATT] = "SELECT id FROM messages WHERE parent_attachment_id = ?1 "
			 "ORDER BY id LIMIT 1",
	[C_MEMBER] = "INSERT INTO contact_list_members (contact_id, position, name, address, raw) "
		     "VALUES (?1, ?2, ?3, ?4, ?5)",
};

typedef struct cw {
	lka_case *kase;
	lka_error *err;
	int brc; /* first bind failure of the current statement */
} cw;

static sqlite3_stmt *
cstmt(cw *w, int id)
{
	return lka_case__prepared(w->kase, &w->kase->cstmt[id], csql[id], w->err);
}

static void
btext(cw *w, sqlite3_stmt *s, int i, const char *v)
{
	lka_case__bind_text(s, i, v, &w->brc);
}

/* Step a statement that returns no row, reset it. */
static lka_status
crun(cw *w, sqlite3_stmt *s, const char *what)
{
	return lka_case__step(w->kase, s, &w->brc, what, w->err);
}

static lka_status
simple(cw *w, int id, const char *what)
{
	sqlite3_stmt *s = cstmt(w, id);

	return s ? crun(w, s, what) : LKA_FATAL;
}

static lka_status
write_email(cw *w, int id, int64_t contact_id, size_t pos, const lka_contact_email *e)
{
	sqlite3_stmt *s = cstmt(w, id);

	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, contact_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)pos);
	if (id == C_EMAIL) {
		btext(w, s, 3, e->address);
		btext(w, s, 4, e->raw);
		btext(w, s, 5, e->name);
		btext(w, s, 6, e->type);
		btext(w, s, 7, e->legacy_dn);
		btext(w, s, 8, e->address ? lka_addr_domain(e->address) : NULL);
		return crun(w, s, "insert a contact e-mail address");
	}
	btext(w, s, 3, e->name);
	btext(w, s, 4, e->address);
	btext(w, s, 5, e->raw ? e->raw : e->legacy_dn);
	return crun(w, s, "insert a list member");
}

/* One id from statement id bound to (a, b), 0 when there is no row. */
static lka_status
lookup(cw *w, int id, int64_t a, int64_t b, bool with_b, int64_t *out, const char *what)
{
	sqlite3_stmt *s = cstmt(w, id);
	int rc;

	*out = 0;
	if (!s)
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, a);
	if (with_b)
		sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return lka_case__dberr(w->kase, w->err, what);
	return LKA_OK;
}

/*
 * The message and attachment rows an attached address book belongs to: the
 * top-level attachment pos of the message at o->loc.ordinal, then down
 * path (lka_contact.att_path: "c<N>" member N, "e<N>" attachment N of the
 * embedded message).  The message is the one whose attachment row it is.
 * A step that finds no row leaves the entry tied to the last row found.
 */
static lka_status
attachment_of(cw *w, const lka_msgorigin *o, int64_t pos, const char *path, int64_t *msg,
	      int64_t *att, int64_t *folder)
{
	sqlite3_stmt *s = cstmt(w, C_MSG_OF_ITEM);
	int rc;
	lka_status st;

	if (!s)
		return LKA_FATAL;
	lka_case__bind_id(s, 1, o->file_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)o->loc.ordinal);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*msg = sqlite3_column_int64(s, 0);
		*folder = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return lka_case__dberr(w->kase, w->err, "find the message of an attached address book");
	if (!*msg)
		return LKA_OK;
	if ((st = lookup(w, C_ATT_OF_MSG, *msg, pos, true, att, "find an attached address book")) !=
	    LKA_OK)
		return st;
	while (path && *path && *att) {
		char kind = *path++;
		int64_t n = 0, next = 0, emb = 0;

		while (*path >= '0' && *path <= '9' && n < INT64_MAX / 10)
			n = n * 10 + (*path++ - '0');
		if (*path == '/')
			path++;
		if (kind == 'c') {
			st = lookup(w, C_ATT_CHILD, *att, n, true, &next,
				    "find an address book in a container");
		} else if (kind == 'e') {
			st = lookup(w, C_MSG_OF_ATT, *att, 0, false, &emb,
				    "find the message embedded in an attachment");
			if (st == LKA_OK && emb)
				st = lookup(w, C_ATT_OF_MSG, emb, n, true, &next,
					    "find an address book attached to an embedded message");
		} else {
			break;
		}
		if (st != LKA_OK)
			return st;
		if (!next)
			break;
		*att = next;
		if (emb)
			*msg = emb;
	}
	return LKA_OK;
}

static lka_status
write_contact(cw *w, const lka_msgorigin *o, int64_t att_pos, const lka_contact *c,
	      int64_t *out_id)
{
	sqlite3_stmt *s;
	int64_t id, msg = 0, att = 0, folder = o->folder_id;
	lka_status st;

	if (att_pos >= 0 &&
	    (st = attachment_of(w, o, att_pos, c->att_path, &msg, &att, &folder)) != LKA_OK)
		return st;
	if (!(s = cstmt(w, C_CONTACT)))
		return LKA_FATAL;
	sqlite3_bind_int64(s, 1, o->source_id);
	lka_case__bind_id(s, 2, o->file_id);
	lka_case__bind_id(s, 3, folder);
	lka_case__bind_id(s, 4, msg);
	lka_case__bind_id(s, 5, att);
	lka_case__bind_id(s, 6, w->kase->run_id);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)o->loc.ordinal);
	if (o->loc.offset >= 0)
		sqlite3_bind_int64(s, 8, o->loc.offset);
	else
		sqlite3_bind_null(s, 8);
	if (o->loc.length >= 0)
		sqlite3_bind_int64(s, 9, o->loc.length);
	else
		sqlite3_bind_null(s, 9);
	btext(w, s, 10, c->item_class ? c->item_class : "contact");
	sqlite3_bind_int(s, 11, c->is_list ? 1 : 0);
	btext(w, s, 12, c->full_name);
	btext(w, s, 13, c->given_name);
	btext(w, s, 14, c->family_name);
	btext(w, s, 15, c->middle_name);
	btext(w, s, 16, c->nickname);
	btext(w, s, 17, c->prefix);
	btext(w, s, 18, c->suffix);
	btext(w, s, 19, c->organization);
	btext(w, s, 20, c->department);
	btext(w, s, 21, c->title);
	btext(w, s, 22, c->birthday);
	btext(w, s, 23, c->note);
	btext(w, s, 24, c->uid);
	btext(w, s, 25, c->url);
	sqlite3_bind_int64(s, 26, (sqlite3_int64)c->n_emails);
	{
		size_t np = 0;
		for (size_t i = 0; i < c->n_phones; i++)
			np += c->phones[i].raw != NULL;
		sqlite3_bind_int64(s, 27, (sqlite3_int64)np);
	}
	sqlite3_bind_int64(s, 28, (sqlite3_int64)c->n_members);
	sqlite3_bind_int64(s, 29, (sqlite3_int64)c->diags.n);
	if ((st = crun(w, s, "insert a contact")) != LKA_OK)
		return st;
	id = sqlite3_last_insert_rowid(w->kase->db);
	*out_id = id;
	for (size_t i = 0; i < c->n_emails; i++)
		if ((st = write_email(w, C_EMAIL, id, i, &c->emails[i])) != LKA_OK)
			return st;
	for (size_t i = 0; i < c->n_members; i++)
		if ((st = write_email(w, C_MEMBER, id, i, &c->members[i])) != LKA_OK)
			return st;
	for (size_t i = 0; i < c->n_phones; i++) {
		const lka_contact_phone *p = &c->phones[i];
		char e164[LKA_E164_MAX];
		if (!p->raw)
			continue; /* counted out of phone_count too */
		if (!(s = cstmt(w, C_PHONE)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		btext(w, s, 3, p->raw);
		btext(w, s, 4, lka__phone_e164(p->raw, e164) ? e164 : NULL);
		btext(w, s, 5, p->type);
		if ((st = crun(w, s, "insert a contact phone")) != LKA_OK)
			return st;
	}
	for (size_t i = 0; i < c->n_postals; i++) {
		const lka_contact_postal *p = &c->postals[i];
		if (!(s = cstmt(w, C_POSTAL)))
			return LKA_FATAL;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		btext(w, s, 3, p->type);
		btext(w, s, 4, p->street);
		btext(w, s, 5, p->locality);
		btext(w, s, 6, p->region);
		btext(w, s, 7, p->postcode);
		btext(w, s, 8, p->country);
		btext(w, s, 9, p->full);
		if ((st = crun(w, s, "insert a contact postal address")) != LKA_OK)
			return st;
	}
	return LKA_OK;
}

lka_status
lka_case__contact_write(lka_case *kase, const lka_msgorigin *o, int64_t att_position,
			const lka_contact *c, lka_write_counts *counts, lka_error *err)
{
	cw w = { kase, err, SQLITE_OK };
	char where[768];
	int64_t id = 0;
	lka_status st;

	if (kase->readonly)
		return lka__error(err, LKA_FATAL, LKA_E_USAGE, 0, kase->path,
				  "the case is open read-only");
	if (att_position >= 0)
		snprintf(where, sizeof where, "%s: item %llu, attachment %lld%s%s",
			 o->file_display ? o->file_display : "?", (unsigned long long)o->loc.ordinal,
			 (long long)att_position + 1, c->att_path ? " " : "",
			 c->att_path ? c->att_path : "");
	else if (o->loc.offset >= 0)
		snprintf(where, sizeof where, "%s: entry %llu, offset %lld",
			 o->file_display ? o->file_display : "?", (unsigned long long)o->loc.ordinal,
			 (long long)o->loc.offset);
	else
		snprintf(where, sizeof where, "%s: entry %llu", o->file_display ? o->file_display : "?",
			 (unsigned long long)o->loc.ordinal);
	if (simple(&w, C_SAVEPOINT, "begin a contact") != LKA_OK)
		return LKA_FATAL;
	st = write_contact(&w, o, att_position, c, &id);
	for (size_t i = 0; st == LKA_OK && i < c->diags.n; i++) {
		const lka_diag *d = &c->diags.v[i];
		char loc[1200];
		if (d->location)
			snprintf(loc, sizeof loc, "%s, %s", where, d->location);
		else
			snprintf(loc, sizeof loc, "%s", where);
		st = lka_case__error_write(kase, o->source_id, o->file_id, loc,
					   d->severity == LKA_FATAL ? LKA_FAILED : d->severity, d->kind,
					   d->message ? d->message : "(no message)", err);
	}
	if (st != LKA_OK) {
		sqlite3_stmt *s = cstmt(&w, C_ROLLBACK_TO);
		if (!s || sqlite3_step(s) != SQLITE_DONE) {
			st = LKA_FATAL;
			if (err)
				err->status = LKA_FATAL;
		}
		if (s)
			sqlite3_reset(s);
	}
	if (simple(&w, C_RELEASE, "end a contact") != LKA_OK) {
		st = LKA_FATAL;
		if (err)
			err->status = LKA_FATAL;
	}
	if (st == LKA_OK && counts) {
		counts->contacts++;
		counts->errors += c->diags.n;
	}
	return st;
}
