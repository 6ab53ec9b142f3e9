/*
 * pst-libpst.c — libpst as the second PST engine, in a process of its own.
 *
 * libpst reads items libpff cannot (truncated files libpff refuses, items
 * whose table libpff cannot decode), but it keeps global state, can call
 * exit() and crashes on damaged files.  So it runs in a forked grandchild of
 * the reader process, which walks the IPM subtree and sends back, as wire
 * frames over a pipe: every folder with the number of items libpst found in
 * it, and every item libpff did not read (whole, engine "libpst").  The
 * reader process decodes those frames with the usual bounds checks and
 * forwards them; when the grandchild dies, only libpst's remaining items are
 * lost, never libpff's.
 *
 * Grandchild frames (task id 0): FOLDER {id = folder d_id, parent_id =
 * parent d_id, name, folder_class, engine "libpst", expected_items = -1
 * before its items or the count after}, ITEM_BEGIN {ordinal = item d_id}
 * (checkpoint), MESSAGE {folder_id = folder d_id, msg}, DIAG.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpst/libpst.h>
#include <libpst/timeconv.h>

#include "internal.h"
#include "mapi.h"
#include "pst.h"
#include "wire.h"

/* ---------------------------------------------------- in the grandchild */

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
		/* checkpoint: the grandchild dies on this descriptor or gets past it;
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

/* End the libpst process, releasing what it holds (leak checkers see a clean exit). */
static _Noreturn void
gk_exit(gk *g, pst_item *root, bool opened)
{
	if (root)
		pst_freeItem(root);
	if (opened)
		pst_close(&g->pf);
	lka_buf_free(&g->out);
	_exit(0);
}

static void
grandchild(const char *path, int fd, const uint64_t *known_ids, size_t n_known,
	   const uint64_t *avoid, size_t n_avoid, const lka_limits *lim, bool store)
{
	gk g;
	pst_item *root;
	pst_desc_tree *top;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* libpst writes warnings to stdout and perror()s to stderr */
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
	}
	memset(&g, 0, sizeof g);
	g.fd = fd;
	g.known = known_ids;
	g.n_known = n_known;
	g.avoid = avoid;
	g.n_avoid = n_avoid;
	g.lim = lim;
	g.store = store;
	lka_buf_init(&g.out, 0);
	if (pst_open(&g.pf, path, "windows-1252") < 0) {
		gk_diag(&g, LKA_FAILED, "libpst cannot open the file");
		gk_exit(&g, NULL, false);
	}
	if (pst_load_index(&g.pf) != 0 || g.pf.i_count == 0 || !g.pf.d_head) {
		gk_diag(&g, LKA_FAILED, "libpst found no index (B-tree pages missing or damaged)");
		gk_exit(&g, NULL, true);
	}
	root = pst_parse_item(&g.pf, g.pf.d_head, NULL);
	if (!root || !root->message_store) {
		gk_diag(&g, LKA_FAILED, "libpst found no root record (corrupt or truncated index)");
		gk_exit(&g, root, true);
	}
	top = pst_getTopOfFolders(&g.pf, root);
	if (!top) {
		gk_diag(&g, LKA_FAILED, "libpst found no top of folders");
		gk_exit(&g, root, true);
	}
	gk_walk(&g, top, 0, "(top of folders)", 0);
	/* all sent: a crash while libpst cleans up loses nothing */
	lka_wire_put_task_end(&g.out, 0, LKA_OK);
	gk_flush(&g);
	gk_exit(&g, root, true);
}

/* ------------------------------------------------- in the reader process */

/*
 * Run the libpst pass: fork, read its frames, hand each to cb.  Returns the
 * grandchild's wait status in *status, the last checkpoint in *last_id.
 */
lka_status
lka__pst_libpst_run(const char *path, const uint64_t *known_ids, size_t n_known,
		    const uint64_t *avoid, size_t n_avoid, const lka_limits *lim, bool store,
		    lka_pst_frame_fn cb, void *arg, int *status, uint64_t *last_id)
{
	int fds[2];
	pid_t pid;
	lka_buf in;
	bool broken = false, finished = false;

	*status = 0;
	*last_id = 0;
	if (pipe(fds) < 0)
		return LKA_FAILED;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return LKA_FAILED;
	}
	if (pid == 0) {
		close(fds[0]);
		grandchild(path, fds[1], known_ids, n_known, avoid, n_avoid, lim, store);
		_exit(0);
	}
	close(fds[1]);
	lka_buf_init(&in, 0);
	for (;;) {
		unsigned char chunk[65536];
		ssize_t got = read(fds[0], chunk, sizeof chunk);
		size_t off = 0;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (broken)
			continue; /* drain */
		if (!lka_buf_add(&in, chunk, (size_t)got)) {
			broken = true;
			continue;
		}
		for (;;) {
			size_t len = lka_wire_frame_len(in.data + off, in.len - off);
			lka_frame f;
			if (len == 0)
				break;
			if (len == SIZE_MAX) {
				broken = true;
				break;
			}
			memset(&f, 0, sizeof f);
			if (!lka_wire_get_frame(&f, in.data + off, len)) {
				broken = true;
				break;
			}
			off += len;
			if (f.type == LKA_FR_ITEM_BEGIN && f.has_loc) {
				*last_id = f.loc.ordinal;
				if (!cb(arg, &f)) /* progress: the reader may need to show it */
					broken = true;
			} else if (f.type == LKA_FR_TASK_END)
				finished = true;
			else if (!cb(arg, &f))
				broken = true;
			lka_frame_clear(&f);
			if (broken)
				break;
		}
		if (off) {
			memmove(in.data, in.data + off, in.len - off);
			in.len -= off;
		}
		if (broken)
			kill(pid, SIGKILL);
	}
	close(fds[0]);
	lka_buf_free(&in);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (finished && !broken)
		*status = 0; /* it died cleaning up, after sending everything */
	return broken ? LKA_FAILED : LKA_OK;
}
