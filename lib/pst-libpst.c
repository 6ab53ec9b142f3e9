/*
 * pst-libpst.c — libpst as the second PST engine, in a process of its own.
 *
 * libpst reads items libpff cannot (truncated files libpff refuses, items
 * whose table libpff cannot decode), but it keeps global state, can call
 * exit() and crashes on damaged files.  So it runs in a process of its own,
 * the libpst host, forked from the reader process when the reader first
 * needs it and kept for the next stores (a fork per store cost more than
 * libpst's own work).  For each store the reader sends a request; the host
 * walks the IPM subtree and sends back, as wire frames over a socket: every
 * folder with the number of items libpst found in it, and every item libpff
 * did not read (whole, engine "libpst"), then TASK_END.  The
 * reader process decodes those frames with the usual bounds checks and
 * forwards them; when the host dies, only libpst's remaining items of that
 * store are lost, never libpff's, and the next request starts a new host.
 * A store that made libpst warn, or every HOST_STORES_MAX stores, the host
 * is replaced, so damaged input never leaves libpst state for the next one.
 *
 * Host frames (task id 0): FOLDER {id = folder d_id, parent_id =
 * parent d_id, name, folder_class, engine "libpst", expected_items = -1
 * before its items or the count after}, ITEM_BEGIN {ordinal = item d_id}
 * (checkpoint), MESSAGE {folder_id = folder d_id, msg}, DIAG, TASK_END.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpst/libpst.h>
#include <libpst/timeconv.h>

#include "internal.h"
#include "mapi.h"
#include "pst.h"
#include "wire.h"

/* ---------------------------------------------------- in the libpst host */

typedef struct gk {
	pst_file pf;
	int fd;
	const uint64_t *known; /* sorted ids libpff read */
	size_t n_known;
	const uint64_t *avoid; /* descriptors an earlier libpst process died on: not parsed */
	size_t n_avoid;
	const lka_limits *lim;
	bool store;
	bool degraded;
	bool x_loaded;  /* the named-property map was loaded (or tried) */
	lka_buf out;
} gk;

static void gk_diag(gk *g, lka_status sev, const char *fmt, ...) LKA_PRINTF(3, 4);

/*
 * The named-property map is only needed to parse items: a store whose items
 * libpff all read (the usual case) never loads it.  Folders are parsed
 * without it (their names are not named properties).
 */
static void
gk_need_names(gk *g)
{
	if (g->x_loaded)
		return;
	g->x_loaded = true;
	if (pst_load_extended_attributes(&g->pf) != 1) {
		g->degraded = true;
		gk_diag(g, LKA_WARN, "libpst could not load the named-property map: the file is "
				     "degraded, named fields of its items may be wrong");
	}
}

static void
gk_flush(gk *g)
{
	if (g->out.len && !lka__write_all(g->fd, g->out.data, g->out.len))
		_exit(3);
	lka_buf_reset(&g->out);
}

static bool
in_sorted(const uint64_t *v, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] == id)
			return true;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool
known(const gk *g, uint64_t id)
{
	return in_sorted(g->known, g->n_known, id);
}

static const char *
item_cs(const pst_item *it, char *buf, size_t cap)
{
	if (it->body_charset.str && it->body_charset.str[0] && strlen(it->body_charset.str) < cap) {
		snprintf(buf, cap, "%s", it->body_charset.str);
		return buf;
	}
	if (it->message_codepage > 0)
		return lka_mapi_cp_charset((uint32_t)it->message_codepage, buf, cap);
	if (it->internet_cpid > 0)
		return lka_mapi_cp_charset((uint32_t)it->internet_cpid, buf, cap);
	return "windows-1252";
}

/* A libpst string as valid UTF-8 (its own conversion is unchecked), NULL when empty. */
static char *
gs(const pst_string *s, const char *cs)
{
	if (!s->str || !s->str[0])
		return NULL;
	return lka_text_to_utf8(s->str, strlen(s->str), s->is_utf8 ? "utf-8" : cs, NULL);
}

static bool
ft(const FILETIME *f, int64_t *out)
{
	if (!f || (f->dwHighDateTime == 0 && f->dwLowDateTime == 0))
		return false;
	*out = (int64_t)pst_fileTimeToUnixTime(f);
	return true;
}

static void
add_named(lka_msg *m, lka_role role, char *name, char *addr)
{
	lka_addr *v = realloc(m->addrs, (m->n_addrs + 1) * sizeof *v), *a;

	if (!v) {
		free(name);
		free(addr);
		return;
	}
	m->addrs = v;
	a = &v[m->n_addrs++];
	memset(a, 0, sizeof *a);
	a->role = role;
	a->name = name;
	a->address = addr ? lka_addr_normalize(addr) : NULL;
	a->raw = addr ? addr : name ? lka__strdup(name) : NULL;
	if (addr && addr[0] == '/') {
		a->legacy_dn = lka__strdup(addr);
		a->addr_type = lka__strdup("EX");
	}
}

/* PR_DISPLAY_TO/CC/BCC: display names joined by "; " (libpst keeps no addresses). */
static void
add_display_list(lka_msg *m, lka_role role, char *list)
{
	char *save = NULL;

	if (!list)
		return;
	for (char *t = strtok_r(list, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			add_named(m, role, lka__strdup(t), NULL);
	}
	free(list);
}

static void
field(lka_buf *b, const char *label, char *v)
{
	if (v)
		lka_buf_printf(b, "%s: %s\n", label, v);
	free(v);
}

static lka_msg *
gk_item(gk *g, pst_item *it, int depth)
{
	char csb[64];
	const char *cs = item_cs(it, csb, sizeof csb);
	lka_msg *m = calloc(1, sizeof *m);
	lka_buf extra;

	if (!m)
		return NULL;
	m->engine = lka__strdup("libpst");
	m->item_class = it->ascii_type && it->ascii_type[0]
				? lka_text_to_utf8(it->ascii_type, strlen(it->ascii_type), cs, NULL)
				: lka__strdup("IPM");
	m->subject = gs(&it->subject, cs);
	if (m->subject && (unsigned char)m->subject[0] == 0x01 && m->subject[1])
		memmove(m->subject, m->subject + 2, strlen(m->subject + 2) + 1);
	m->body_text = gs(&it->body, cs);
	if (g->degraded)
		(void)lka_diags_add(&m->diags, LKA_WARN, LKA_E_CORRUPT, NULL,
				    "libpst could not load the named-property map: named fields "
				    "of this item may be wrong");
	lka_buf_init(&extra, 0);
	if (it->email) {
		pst_item_email *e = it->email;
		char *name = gs(&e->outlook_sender_name, cs);
		char *addr = gs(&e->sender_address, cs);
		m->has_sent_at = ft(e->sent_date, &m->sent_at);
		m->has_received_at = ft(e->arrival_date, &m->received_at);
		m->message_id = gs(&e->messageid, cs);
		m->in_reply_to = gs(&e->in_reply_to, cs);
		m->headers = gs(&e->header, cs);
		m->body_html = gs(&e->htmlbody, cs);
		if (name || addr) {
			m->from_name = lka__strdup(name);
			m->from_address = addr ? lka_addr_normalize(addr) : NULL;
			add_named(m, LKA_ROLE_FROM, name, addr);
		}
		add_display_list(m, LKA_ROLE_TO, gs(&e->sentto_address, cs));
		add_display_list(m, LKA_ROLE_CC, gs(&e->cc_address, cs));
		add_display_list(m, LKA_ROLE_BCC, gs(&e->bcc_address, cs));
		if (!m->body_text && m->body_html)
			m->body_text = lka_html_to_text(m->body_html, strlen(m->body_html));
		if (!m->body_text && e->rtf_compressed.data && e->rtf_compressed.size) {
			size_t n = 0;
			char why[128];
			char *rtf = lka_mapi_lzfu((const unsigned char *)e->rtf_compressed.data,
						  e->rtf_compressed.size, (size_t)g->lim->decoded_bytes, &n, why,
						  sizeof why);
			if (rtf) {
				m->body_text = lka__pst_rtf_body(rtf, n, &m->body_html);
				free(rtf);
			}
		}
	}
	if (it->contact && m->item_class && !strncmp(m->item_class, "IPM.Contact", 11)) {
		pst_item_contact *c = it->contact;
		field(&extra, "Name", gs(&c->fullname, cs));
		field(&extra, "Company", gs(&c->company_name, cs));
		field(&extra, "Title", gs(&c->job_title, cs));
		field(&extra, "Business phone", gs(&c->business_phone, cs));
		field(&extra, "Home phone", gs(&c->home_phone, cs));
		field(&extra, "Mobile phone", gs(&c->mobile_phone, cs));
		field(&extra, "Business address", gs(&c->business_address, cs));
		field(&extra, "Home address", gs(&c->home_address, cs));
		field(&extra, "Other address", gs(&c->other_address, cs));
		{
			const pst_string *a[3] = { &c->address1, &c->address2, &c->address3 };
			for (int k = 0; k < 3; k++) {
				char *v = gs(a[k], cs);
				if (v) {
					lka_buf_printf(&extra, "E-mail %d: %s\n", k + 1, v);
					add_named(m, LKA_ROLE_TO, gs(&c->fullname, cs), v);
				}
			}
		}
		if (c->birthday) {
			int64_t t;
			time_t tt;
			struct tm tm;
			char day[16];
			if (ft(c->birthday, &t) && (tt = (time_t)t, gmtime_r(&tt, &tm)) &&
			    strftime(day, sizeof day, "%Y-%m-%d", &tm))
				lka_buf_printf(&extra, "Birthday: %s\n", day);
		}
	}
	if (extra.len) {
		if (m->body_text)
			lka_buf_printf(&extra, "\n%s", m->body_text);
		free(m->body_text);
		m->body_text = lka_buf_steal(&extra, NULL);
	}
	lka_buf_free(&extra);
	/* attachments: by value and embedded; method 0 rows are libpst's recipient pseudo-attachments */
	{
		size_t n = 0, k = 0;
		for (pst_item_attach *a = it->attach; a; a = a->next)
			n++;
		m->atts = n ? calloc(n, sizeof *m->atts) : NULL;
		for (pst_item_attach *a = it->attach; a && m->atts; a = a->next) {
			lka_att *o;
			char pp[16];
			if (a->method == 0)
				continue;
			o = &m->atts[k++];
			snprintf(pp, sizeof pp, "%zu", k);
			o->part_path = lka__strdup(pp);
			o->filename = gs(&a->filename2, cs);
			if (!o->filename)
				o->filename = gs(&a->filename1, cs);
			o->declared_type = gs(&a->mimetype, cs);
			o->content_id = gs(&a->content_id, cs);
			o->disposition = lka__strdup("attachment");
			if (a->method == 5) {
				o->transfer_encoding = lka__strdup("mapi:embedded");
				if (depth < 8 && a->i_id) {
					pst_desc_tree d;
					pst_item *e;
					memset(&d, 0, sizeof d);
					d.desc = pst_getID(&g->pf, a->i_id);
					e = d.desc ? pst_parse_item(&g->pf, &d, a->id2_head) : NULL;
					if (e) {
						o->embedded = gk_item(g, e, depth + 1);
						pst_freeItem(e);
					}
				}
			} else if (a->method >= 2 && a->method <= 4) {
				o->transfer_encoding = lka__strdup("mapi:by-reference");
			} else if (a->data.data || a->i_id) {
				pst_binary b = pst_attach_to_mem(&g->pf, a);
				o->transfer_encoding =
					lka__strdup(a->method == 6 ? "mapi:ole" : "mapi:by-value");
				o->size = b.size;
				lka_sha256_buf(b.data ? b.data : "", b.size, o->sha256);
				if (b.size > g->lim->decoded_bytes) {
					o->flags |= LKA_ATT_TRUNCATED;
					free(b.data);
				} else if (g->store && b.data) {
					o->data = (unsigned char *)b.data;
					o->data_len = b.size;
				} else {
					free(b.data);
				}
			} else {
				lka_sha256_buf("", 0, o->sha256);
				o->transfer_encoding = lka__strdup("mapi:by-value");
			}
		}
		m->n_atts = k;
	}
	return m;
}

static void
gk_postal(lka_contact *c, const char *type, char *full)
{
	lka_contact_postal *p;

	if (!full)
		return;
	p = realloc(c->postals, (c->n_postals + 1) * sizeof *p);
	if (!p) {
		free(full);
		return;
	}
	c->postals = p;
	p = &p[c->n_postals++];
	memset(p, 0, sizeof *p);
	p->type = lka__strdup(type);
	p->full = full;
}

/* A contact as libpst reads it (no distribution-list members: libpst does not decode them). */
static lka_contact *
gk_contact(pst_item *it)
{
	char csb[64];
	const char *cs = item_cs(it, csb, sizeof csb);
	lka_contact *c = calloc(1, sizeof *c);
	pst_item_contact *pc = it->contact;

	if (!c)
		return NULL;
	c->item_class = lka_text_to_utf8(it->ascii_type, strlen(it->ascii_type), cs, NULL);
	c->is_list = !strncmp(it->ascii_type, "IPM.DistList", 12);
	c->full_name = gs(&it->subject, cs);
	c->note = gs(&it->body, cs);
	if (pc) {
		const pst_string *a[3] = { &pc->address1, &pc->address2, &pc->address3 };
		const pst_string *t[3] = { &pc->address1_transport, &pc->address2_transport,
					   &pc->address3_transport };
		const pst_string *dn[3] = { &pc->address1_desc, &pc->address2_desc,
					    &pc->address3_desc };
		if (!c->full_name)
			c->full_name = gs(&pc->fullname, cs);
		c->given_name = gs(&pc->first_name, cs);
		c->family_name = gs(&pc->surname, cs);
		c->middle_name = gs(&pc->middle_name, cs);
		c->nickname = gs(&pc->nickname, cs);
		c->prefix = gs(&pc->display_name_prefix, cs);
		c->suffix = gs(&pc->suffix, cs);
		c->organization = gs(&pc->company_name, cs);
		c->department = gs(&pc->department, cs);
		c->title = gs(&pc->job_title, cs);
		c->url = gs(&pc->business_homepage, cs);
		if (pc->birthday) {
			int64_t s;
			time_t tt;
			struct tm tm;
			char day[16];
			if (ft(pc->birthday, &s) && (tt = (time_t)s, gmtime_r(&tt, &tm)) &&
			    strftime(day, sizeof day, "%Y-%m-%d", &tm))
				c->birthday = lka__strdup(day);
		}
		for (int k = 0; k < 3; k++) {
			char *v = gs(a[k], cs);
			lka_contact_email *e;
			if (!v)
				continue;
			e = realloc(c->emails, (c->n_emails + 1) * sizeof *e);
			if (!e) {
				free(v);
				continue;
			}
			c->emails = e;
			e = &e[c->n_emails++];
			memset(e, 0, sizeof *e);
			e->raw = v;
			e->type = gs(t[k], cs);
			e->name = gs(dn[k], cs);
			if (strchr(v, '@') && (!e->type || !strcasecmp(e->type, "SMTP")))
				e->address = lka_addr_normalize(v);
			else if (v[0] == '/')
				e->legacy_dn = lka__strdup(v);
		}
		lka__pst_c_phone(c, gs(&pc->mobile_phone, cs), "mobile");
		lka__pst_c_phone(c, gs(&pc->business_phone, cs), "work");
		lka__pst_c_phone(c, gs(&pc->business_phone2, cs), "work");
		lka__pst_c_phone(c, gs(&pc->home_phone, cs), "home");
		lka__pst_c_phone(c, gs(&pc->home_phone2, cs), "home");
		lka__pst_c_phone(c, gs(&pc->business_fax, cs), "fax");
		lka__pst_c_phone(c, gs(&pc->home_fax, cs), "fax");
		lka__pst_c_phone(c, gs(&pc->pager_phone, cs), "pager");
		lka__pst_c_phone(c, gs(&pc->primary_phone, cs), "pref");
		lka__pst_c_phone(c, gs(&pc->other_phone, cs), "other");
		lka__pst_c_phone(c, gs(&pc->car_phone, cs), "car");
		gk_postal(c, "work", gs(&pc->business_address, cs));
		gk_postal(c, "home", gs(&pc->home_address, cs));
		gk_postal(c, "other", gs(&pc->other_address, cs));
	}
	return c;
}

static void
gk_folder(gk *g, pst_desc_tree *folder, uint64_t parent_id, const char *name, const char *cls,
	  int64_t count)
{
	lka_folder f = { 0 };

	f.id = (int64_t)folder->d_id;
	f.parent_id = (int64_t)parent_id;
	f.name = (char *)name;
	f.folder_class = (char *)cls;
	f.engine = (char *)"libpst";
	f.expected_items = count;
	lka_wire_put_folder(&g->out, 0, &f);
	gk_flush(g);
}

/* One folder: announced, its items, its count, then its sub-folders (libpff's walk order). */
static void
gk_walk(gk *g, pst_desc_tree *d, uint64_t parent_id, const char *name, int depth)
{
	struct sub {
		pst_desc_tree *d;
		char *name; /* from the one parse of the folder, NULL if none */
	} *subs = NULL;
	size_t n_subs = 0;
	int64_t count = 0;

	gk_folder(g, d, parent_id, name, NULL, -1);
	for (pst_desc_tree *c = d->child; c; c = c->next) {
		lka_itemloc cl = { c->d_id, -1, -1 };
		pst_item *ci;

		if (in_sorted(g->avoid, g->n_avoid, c->d_id)) {
			count++; /* it killed an earlier libpst process: counted, not parsed */
			continue;
		}
		if (known(g, c->d_id)) {
			count++; /* an item libpff gave: libpst's index lists it too, no need to parse it */
			continue;
		}
		if ((c->d_id & 0x1f) != 0x02) /* NID type: not a normal folder */
			gk_need_names(g);
		/* checkpoint: the host dies on this descriptor or gets past it;
		 * one that takes too long (a loop in libpst) ends it by SIGALRM */
		lka_wire_put_item_begin(&g->out, 0, &cl);
		gk_flush(g);
		if (g->lim->item_seconds)
			alarm(g->lim->item_seconds / 2 ? g->lim->item_seconds / 2 : 1);
		ci = pst_parse_item(&g->pf, c, NULL);
		if (!ci)
			continue;
		if (ci->folder) {
			struct sub *v = realloc(subs, (n_subs + 1) * sizeof *v);
			if (v) {
				char csb[64];
				subs = v;
				subs[n_subs].d = c;
				subs[n_subs++].name = gs(&ci->file_as, item_cs(ci, csb, sizeof csb));
			}
			pst_freeItem(ci);
			continue;
		}
		count++;
		if (!known(g, c->d_id) && ci->ascii_type &&
		    (!strncmp(ci->ascii_type, "IPM.Contact", 11) ||
		     !strncmp(ci->ascii_type, "IPM.DistList", 12))) {
			lka_contact *k = gk_contact(ci);
			if (k) {
				lka_wire_put_contact(&g->out, 0, &cl, (int64_t)d->d_id, k);
				lka_contact_free(k);
				gk_flush(g);
			}
		} else if (!known(g, c->d_id)) {
			lka_msg *m = gk_item(g, ci, 0);
			if (m) {
				lka_wire_put_message(&g->out, 0, &cl, (int64_t)d->d_id, m);
				lka_msg_free(m);
				gk_flush(g);
			}
		}
		pst_freeItem(ci);
	}
	gk_folder(g, d, parent_id, name, NULL, count);
	for (size_t i = 0; i < n_subs; i++) {
		if (depth < 64)
			gk_walk(g, subs[i].d, d->d_id, subs[i].name ? subs[i].name : "(unnamed)",
				depth + 1);
		free(subs[i].name);
	}
	free(subs);
}

static void
gk_diag(gk *g, lka_status sev, const char *fmt, ...)
{
	char msg[400];
	lka_diag d = { sev, LKA_E_CORRUPT, NULL, msg };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lka_wire_put_diag(&g->out, 0, NULL, &d);
	gk_flush(g);
}

/* One store: its folders and the items libpff did not read, then TASK_END
 * (sent before libpst's clean-up, so a crash there loses nothing). */
static void
gk_store(gk *g, const char *path)
{
	pst_item *root = NULL;
	pst_desc_tree *top;
	bool opened = false;

	if (pst_open(&g->pf, path, "windows-1252") < 0) {
		gk_diag(g, LKA_FAILED, "libpst cannot open the file");
		goto end;
	}
	opened = true;
	if (pst_load_index(&g->pf) != 0 || g->pf.i_count == 0 || !g->pf.d_head) {
		gk_diag(g, LKA_FAILED, "libpst found no index (B-tree pages missing or damaged)");
		goto end;
	}
	root = pst_parse_item(&g->pf, g->pf.d_head, NULL);
	if (!root || !root->message_store) {
		gk_diag(g, LKA_FAILED, "libpst found no root record (corrupt or truncated index)");
		goto end;
	}
	top = pst_getTopOfFolders(&g->pf, root);
	if (!top) {
		gk_diag(g, LKA_FAILED, "libpst found no top of folders");
		goto end;
	}
	gk_walk(g, top, 0, "(top of folders)", 0);
end:
	lka_wire_put_task_end(&g->out, 0, LKA_OK);
	gk_flush(g);
	/* libpst's clean-up gets the same time limit as an item: a host stuck
	 * in it dies, and the next store starts a new one */
	alarm(g->lim->item_seconds);
	if (root)
		pst_freeItem(root);
	if (opened)
		pst_close(&g->pf);
	alarm(0);
}

/*
 * The request the reader sends for one store: "LPQ1", the path, the store
 * flag, the sorted known ids and the sorted ids to avoid.
 */
#define REQ_MAGIC "LPQ1"
#define REQ_IDS_MAX ((uint64_t)1 << 26)

typedef struct req {
	char *path;
	bool store;
	uint64_t *known, *avoid;
	uint64_t n_known, n_avoid;
} req;

static bool
read_ids(int fd, uint64_t **v, uint64_t *n)
{
	if (!lka__read_full(fd, n, sizeof *n) || *n > REQ_IDS_MAX)
		return false;
	*v = malloc(*n ? (size_t)*n * sizeof **v : 1);
	return *v && lka__read_full(fd, *v, (size_t)*n * sizeof **v);
}

static void
req_clear(req *q)
{
	free(q->path);
	free(q->known);
	free(q->avoid);
	memset(q, 0, sizeof *q);
}

/* false: the reader closed the socket (or sent garbage): the host ends. */
static bool
req_read(int fd, req *q)
{
	char magic[4];
	uint32_t plen;
	uint8_t store;

	memset(q, 0, sizeof *q);
	if (!lka__read_full(fd, magic, sizeof magic) || memcmp(magic, REQ_MAGIC, 4) != 0 ||
	    !lka__read_full(fd, &plen, sizeof plen) || plen == 0 || plen > 65536 ||
	    !(q->path = malloc((size_t)plen + 1)) || !lka__read_full(fd, q->path, plen) ||
	    !lka__read_full(fd, &store, 1) || !read_ids(fd, &q->known, &q->n_known) ||
	    !read_ids(fd, &q->avoid, &q->n_avoid)) {
		req_clear(q);
		return false;
	}
	q->path[plen] = '\0';
	q->store = store != 0;
	return true;
}

/* Close every descriptor from lo up (close_range, or one by one on old kernels). */
static void
close_from(int lo)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lo, ~0U, 0U) == 0)
		return;
#endif
	for (long fd = lo, max = sysconf(_SC_OPEN_MAX); fd < (max > 0 ? max : 1024); fd++)
		(void)close((int)fd);
}

/*
 * The libpst host: a process forked from the reader that runs libpst over
 * one store per request, for as long as the reader keeps it.  It holds none
 * of the reader's descriptors (the reader's death must look like one to the
 * ingest process) and dies with the reader.
 */
static _Noreturn void
host_main(int fd, pid_t reader, const lka_limits *lim)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* libpst writes warnings to stdout and perror()s to stderr */
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (dup2(fd, 3) != 3)
		_exit(4);
	fd = 3;
	close_from(4);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != reader)
		_exit(0);
	for (;;) {
		req q;
		gk g;

		if (!req_read(fd, &q))
			_exit(0);
		memset(&g, 0, sizeof g);
		g.fd = fd;
		g.known = q.known;
		g.n_known = (size_t)q.n_known;
		g.avoid = q.avoid;
		g.n_avoid = (size_t)q.n_avoid;
		g.lim = lim;
		g.store = q.store;
		lka_buf_init(&g.out, 0);
		gk_store(&g, q.path);
		lka_buf_free(&g.out);
		req_clear(&q);
	}
}

/* ------------------------------------------------- in the reader process */

/*
 * A store read with a warning, or this many stores, and the host is
 * replaced: a damaged file never leaves libpst state behind for the next
 * one, and whatever libpst leaks is returned.
 */
#define HOST_STORES_MAX 64

struct lka_pst_host {
	pid_t pid;        /* 0: none running */
	int fd;
	unsigned stores;  /* stores this host has read */
	lka_limits lim;   /* the limits it was started with */
};

/* The limits the host uses (a change means a new host). */
static bool
same_limits(const lka_limits *a, const lka_limits *b)
{
	return a->decoded_bytes == b->decoded_bytes && a->item_seconds == b->item_seconds;
}

lka_status
lka__pst_host_new(lka_pst_host **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return LKA_FATAL;
	(*out)->fd = -1;
	return LKA_OK;
}

/* Stop the host (between stores it only waits for a request; one that
 * died keeps its own status) and reap it; *status: its wait status. */
static void
host_stop(lka_pst_host *h, int *status)
{
	int st = 0;

	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	h->pid = 0;
	h->stores = 0;
	if (status)
		*status = st;
}

void
lka__pst_host_free(lka_pst_host *h)
{
	if (!h)
		return;
	host_stop(h, NULL);
	free(h);
}

long
lka__pst_host_pid(const lka_pst_host *h)
{
	return h ? (long)h->pid : 0;
}

static bool
host_start(lka_pst_host *h, const lka_limits *lim)
{
	int sv[2];
	pid_t pid, reader = getpid();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		host_main(sv[1], reader, lim);
	}
	close(sv[1]);
	h->pid = pid;
	h->fd = sv[0];
	h->stores = 0;
	h->lim = *lim;
	return true;
}

static bool
send_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n) {
		ssize_t put = send(fd, b, n, MSG_NOSIGNAL);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return false;
		b += put;
		n -= (size_t)put;
	}
	return true;
}

static bool
send_request(lka_pst_host *h, const char *path, bool store, const uint64_t *known_ids,
	     uint64_t n_known, const uint64_t *avoid, uint64_t n_avoid)
{
	uint32_t plen = (uint32_t)strlen(path);
	uint8_t st = store;

	return send_all(h->fd, REQ_MAGIC, 4) && send_all(h->fd, &plen, sizeof plen) &&
	       send_all(h->fd, path, plen) && send_all(h->fd, &st, 1) &&
	       send_all(h->fd, &n_known, sizeof n_known) &&
	       send_all(h->fd, known_ids, (size_t)n_known * sizeof *known_ids) &&
	       send_all(h->fd, &n_avoid, sizeof n_avoid) &&
	       send_all(h->fd, avoid, (size_t)n_avoid * sizeof *avoid);
}

/* Read the host's frames for one store until TASK_END or its death. */
static void
read_frames(lka_pst_host *h, lka_pst_frame_fn cb, void *arg, uint64_t *last_id, bool *broken,
	    bool *finished, bool *warned, size_t *frames)
{
	lka_buf in;

	lka_buf_init(&in, 0);
	while (!*finished && !*broken) {
		unsigned char chunk[65536];
		ssize_t got = read(h->fd, chunk, sizeof chunk);
		size_t off = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (!lka_buf_add(&in, chunk, (size_t)got)) {
			*broken = true;
			break;
		}
		while (!*finished && !*broken) {
			lka_frame f;
			int next = lka_wire_next_frame(&f, in.data, in.len, &off);

			if (next == 0)
				break;
			if (next < 0) {
				*broken = true;
				break;
			}
			(*frames)++;
			if (f.type == LKA_FR_ITEM_BEGIN && f.has_loc)
				*last_id = f.loc.ordinal;
			if (f.type == LKA_FR_DIAG)
				*warned = true;
			if (f.type == LKA_FR_TASK_END)
				*finished = true;
			else if (!cb(arg, &f)) /* ITEM_BEGIN too: progress the reader may show */
				*broken = true;
			lka_frame_clear(&f);
		}
		lka_buf_drop(&in, off);
		if (*finished && in.len)
			*broken = true; /* nothing may follow the end of a store */
	}
	lka_buf_free(&in);
}

/*
 * Run the libpst pass in the host (started, or replaced, as needed): send
 * the request, hand each frame to cb.  *status: 0 when the store ended, else
 * the wait status of the host that died on it; *last_id: the last checkpoint.
 */
lka_status
lka__pst_libpst_run(lka_pst_host *h, const char *path, const uint64_t *known_ids, size_t n_known,
		    const uint64_t *avoid, size_t n_avoid, const lka_limits *lim, bool store,
		    lka_pst_frame_fn cb, void *arg, int *status, uint64_t *last_id)
{
	for (int attempt = 0;; attempt++) {
		bool fresh = false, broken = false, finished = false, warned = false;
		size_t frames = 0;

		*status = 0;
		*last_id = 0;
		if (h->pid > 0 && !same_limits(&h->lim, lim))
			host_stop(h, NULL);
		if (h->pid <= 0) {
			if (!host_start(h, lim))
				return LKA_FAILED;
			fresh = true;
		}
		if (send_request(h, path, store, known_ids, n_known, avoid, n_avoid))
			read_frames(h, cb, arg, last_id, &broken, &finished, &warned, &frames);
		if (broken) {
			host_stop(h, status);
			return LKA_FAILED;
		}
		if (finished) {
			if (warned || ++h->stores >= HOST_STORES_MAX)
				host_stop(h, NULL);
			return LKA_OK;
		}
		/* The host died: on this store, or (nothing at all came) before it,
		 * while cleaning up the previous one.  Only a fresh host's death counts. */
		host_stop(h, status);
		if (frames == 0 && !fresh && attempt == 0)
			continue;
		if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
			*status = 3 << 8; /* it left without ending the store: a libpst exit(0) */
		return LKA_OK;
	}
}
