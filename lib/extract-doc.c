/*
 * extract-doc.c — text of Office Open XML (docx, xlsx, pptx), OpenDocument
 * (odt, ods, odp) and PDF attachments, for the personal-data scan.
 *
 * These parsers (libarchive, libxml2, poppler) run on attacker files, so
 * each document is extracted in a forked child with an address-space limit,
 * a CPU limit and a wall-clock timeout, like the ingest readers: a crash, a
 * hang or a memory blow-up costs that document only (status 'failed' or
 * 'timeout').  The child writes one status byte and the text to a pipe.
 * ZIP members are read in memory (libarchive); XML with libxml2's streaming
 * reader, without network access and without entity substitution.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/xmlreader.h>
#ifdef LKA_HAVE_POPPLER
#include <poppler.h>
#endif

#include "extract.h"

#define MEMBER_MAX (64u << 20) /* largest ZIP member read */
#define MEMBERS_MAX 4096       /* members looked at */

/* ------------------------------------------------------------ ZIP members */

struct member {
	char *name;
	unsigned char *data;
	size_t len;
};

struct members {
	struct member *v;
	size_t n;
	bool encrypted;
	bool skipped;   /* a member we wanted was too large, damaged or out of memory */
};

static bool
wanted(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "word/document.xml") || !strcmp(name, "xl/sharedStrings.xml") ||
	    !strcmp(name, "content.xml") || !strcmp(name, "META-INF/manifest.xml"))
		return true;
	if (n > 4 && !strcmp(name + n - 4, ".xml") &&
	    (!strncmp(name, "xl/worksheets/sheet", 19) || !strncmp(name, "ppt/slides/slide", 16)))
		return true;
	return false;
}

static void
members_free(struct members *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].data);
	}
	free(m->v);
}

static bool
zip_read(const unsigned char *d, size_t n, struct members *m)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t seen = 0;
	bool ok = true;
	int rc = ARCHIVE_OK;

	memset(m, 0, sizeof *m);
	if (!a)
		return false;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, d, n) != ARCHIVE_OK) {
		archive_read_free(a);
		return false;
	}
	while (seen++ < MEMBERS_MAX && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		int64_t size = archive_entry_size(e);
		struct member *v;
		lka_buf b;
		char chunk[16384];
		la_ssize_t r;

		if (archive_entry_is_encrypted(e))
			m->encrypted = true;
		if (!name || !wanted(name))
			continue;
		if (size > (int64_t)MEMBER_MAX) {
			m->skipped = true;
			continue;
		}
		lka_buf_init(&b, MEMBER_MAX);
		while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0)
			if (!lka_buf_add(&b, chunk, (size_t)r))
				break;
		if (r < 0 || b.oom || b.toobig) {
			lka_buf_free(&b);
			m->skipped = true;
			continue;
		}
		if (!(v = realloc(m->v, (m->n + 1) * sizeof *v))) {
			lka_buf_free(&b);
			ok = false;
			break;
		}
		m->v = v;
		v[m->n].name = lka__strdup(name);
		if (!b.data)
			lka_buf_adds(&b, "");
		v[m->n].data = (unsigned char *)lka_buf_steal(&b, &v[m->n].len);
		m->n++;
	}
	archive_read_free(a);
	if (seen == 1 && rc != ARCHIVE_EOF)
		ok = false; /* not even one member: not a ZIP */
	return ok;
}

static const struct member *
member(const struct members *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return &m->v[i];
	return NULL;
}

/* Member names in natural order (sheet2 before sheet10). */
static int
natcmp(const void *a, const void *b)
{
	const struct member *x = *(const struct member *const *)a, *y = *(const struct member *const *)b;
	size_t lx = strlen(x->name), ly = strlen(y->name);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->name, y->name);
}

/*
 * The members whose names start with prefix, in natural order (*count of
 * them), in an array to free (NULL, *count 0, when out of memory).
 */
static const struct member **
members_under(const struct members *m, const char *prefix, size_t *count)
{
	const struct member **v = calloc(m->n + 1, sizeof *v);
	size_t n = 0, plen = strlen(prefix);

	for (size_t i = 0; v && i < m->n; i++)
		if (!strncmp(m->v[i].name, prefix, plen))
			v[n++] = &m->v[i];
	if (v)
		qsort(v, n, sizeof *v, natcmp);
	*count = n;
	return v;
}

/* ------------------------------------------------------------------- XML */

static xmlTextReaderPtr
xml_open(const struct member *m)
{
	return xmlReaderForMemory((const char *)m->data, (int)m->len, NULL, NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					  XML_PARSE_COMPACT);
}

static const char *
lname(xmlTextReaderPtr r)
{
	const xmlChar *n = xmlTextReaderConstLocalName(r);
	return n ? (const char *)n : "";
}

/*
 * Step r to its next node while out (NULL: no limit) has room; the node's
 * type and local name.  False at the end, on a parse error or once out is
 * full.
 */
static bool
xml_next(xmlTextReaderPtr r, const lka_buf *out, int *type, const char **name)
{
	if (xmlTextReaderRead(r) != 1 || (out && (out->toobig || out->oom)))
		return false;
	*type = xmlTextReaderNodeType(r);
	*name = lname(r);
	return true;
}

/* Append the value of r's current node (text, whitespace, CDATA) to out. */
static void
xml_add_value(xmlTextReaderPtr r, lka_buf *out)
{
	const xmlChar *v = xmlTextReaderConstValue(r);

	if (v)
		lka_buf_adds(out, (const char *)v);
}

/* Word, PowerPoint: text of <w:t>/<a:t>; paragraphs, breaks and tabs. */
static void
xml_runs(const struct member *m, lka_buf *out)
{
	xmlTextReaderPtr r = xml_open(m);
	bool in_t = false;
	int type;
	const char *n;

	if (!r)
		return;
	while (xml_next(r, out, &type, &n)) {
		if (type == XML_READER_TYPE_ELEMENT) {
			if (!strcmp(n, "t"))
				in_t = !xmlTextReaderIsEmptyElement(r);
			else if (!strcmp(n, "tab"))
				lka_buf_addc(out, '\t');
			else if (!strcmp(n, "br") || !strcmp(n, "cr"))
				lka_buf_addc(out, '\n');
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (!strcmp(n, "t"))
				in_t = false;
			else if (!strcmp(n, "p"))
				lka_buf_addc(out, '\n');
			else if (!strcmp(n, "tc"))
				lka_buf_addc(out, '\t');
		} else if (in_t && (type == XML_READER_TYPE_TEXT ||
				    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
				    type == XML_READER_TYPE_CDATA)) {
			xml_add_value(r, out);
		}
	}
	xmlFreeTextReader(r);
}

/* Excel shared strings: one string per <si>. */
static char **
shared_strings(const struct member *m, size_t *count)
{
	xmlTextReaderPtr r = m ? xml_open(m) : NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	lka_buf cur;
	bool in_t = false, in_rph = false;
	int type;
	const char *nm;

	*count = 0;
	if (!r)
		return NULL;
	lka_buf_init(&cur, 1u << 20);
	while (xml_next(r, NULL, &type, &nm)) {
		if (type == XML_READER_TYPE_ELEMENT) {
			if (!strcmp(nm, "si"))
				lka_buf_reset(&cur);
			else if (!strcmp(nm, "t"))
				in_t = !xmlTextReaderIsEmptyElement(r);
			else if (!strcmp(nm, "rPh"))
				in_rph = !xmlTextReaderIsEmptyElement(r);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (!strcmp(nm, "t")) {
				in_t = false;
			} else if (!strcmp(nm, "rPh")) {
				in_rph = false;
			} else if (!strcmp(nm, "si")) {
				if (n == cap) {
					char **nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof *nv);
					if (!nv)
						break;
					v = nv;
				}
				v[n++] = lka__strdup(cur.data ? (const char *)cur.data : "");
			}
		} else if (in_t && !in_rph &&
			   (type == XML_READER_TYPE_TEXT ||
			    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
			xml_add_value(r, &cur);
		}
	}
	lka_buf_free(&cur);
	xmlFreeTextReader(r);
	*count = n;
	return v;
}

/* Excel sheet: one line per row, cells separated by tabs. */
static void
xml_sheet(const struct member *m, char **ss, size_t nss, lka_buf *out)
{
	xmlTextReaderPtr r = xml_open(m);
	bool in_v = false, in_t = false, shared = false;
	int type;
	const char *n;

	if (!r)
		return;
	while (xml_next(r, out, &type, &n)) {
		if (type == XML_READER_TYPE_ELEMENT) {
			if (!strcmp(n, "c")) {
				xmlChar *t = xmlTextReaderGetAttribute(r, (const xmlChar *)"t");
				shared = t && !strcmp((const char *)t, "s");
				xmlFree(t);
			} else if (!strcmp(n, "v")) {
				in_v = !xmlTextReaderIsEmptyElement(r);
			} else if (!strcmp(n, "t")) {
				in_t = !xmlTextReaderIsEmptyElement(r);
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (!strcmp(n, "v"))
				in_v = false;
			else if (!strcmp(n, "t"))
				in_t = false;
			else if (!strcmp(n, "c"))
				lka_buf_addc(out, '\t');
			else if (!strcmp(n, "row"))
				lka_buf_addc(out, '\n');
		} else if ((in_v || in_t) && type == XML_READER_TYPE_TEXT) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (!v)
				continue;
			if (in_v && shared) {
				unsigned long k = strtoul(v, NULL, 10);
				if (k < nss && ss[k])
					lka_buf_adds(out, ss[k]);
			} else {
				lka_buf_adds(out, v);
			}
		}
	}
	xmlFreeTextReader(r);
}

/* OpenDocument content.xml: paragraphs, headings, table rows and cells. */
static void
xml_odf(const struct member *m, lka_buf *out)
{
	xmlTextReaderPtr r = xml_open(m);
	bool body = false;
	int type;
	const char *n;

	if (!r)
		return;
	while (xml_next(r, out, &type, &n)) {
		if (type == XML_READER_TYPE_ELEMENT) {
			if (!strcmp(n, "body"))
				body = true;
			else if (!strcmp(n, "s"))
				lka_buf_addc(out, ' ');
			else if (!strcmp(n, "tab"))
				lka_buf_addc(out, '\t');
			else if (!strcmp(n, "line-break"))
				lka_buf_addc(out, '\n');
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (!strcmp(n, "p") || !strcmp(n, "h") || !strcmp(n, "table-row"))
				lka_buf_addc(out, '\n');
			else if (!strcmp(n, "table-cell"))
				lka_buf_addc(out, '\t');
		} else if (body && (type == XML_READER_TYPE_TEXT ||
				    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
			xml_add_value(r, out);
		}
	}
	xmlFreeTextReader(r);
}

/* ------------------------------------------------------ in the child */

/* Returns the status byte: 'o' ok, 'e' encrypted, 'f' failed, 'u' unsupported. */
static char
office_text(const unsigned char *d, size_t n, lka_buf *out, const char **method)
{
	struct members m;
	const struct member *x;
	char st = 'o';

	*method = "zip";
	if (!zip_read(d, n, &m)) {
		members_free(&m);
		return 'f';
	}
	if ((x = member(&m, "META-INF/manifest.xml")) &&
	    lka_extract__find_bytes(x->data, x->len, "encryption-data", 15)) {
		*method = "odf";
		st = 'e';
	} else if ((x = member(&m, "word/document.xml"))) {
		*method = "docx";
		xml_runs(x, out);
	} else if (member(&m, "xl/sharedStrings.xml") ||
		   (m.n && !strncmp(m.v[0].name, "xl/", 3))) {
		size_t nss = 0;
		char **ss = shared_strings(member(&m, "xl/sharedStrings.xml"), &nss);
		size_t ns;
		const struct member **sheets = members_under(&m, "xl/worksheets/", &ns);

		*method = "xlsx";
		for (size_t i = 0; i < ns; i++)
			xml_sheet(sheets[i], ss, nss, out);
		for (size_t i = 0; i < nss; i++)
			free(ss[i]);
		free(ss);
		free(sheets);
	} else if ((x = member(&m, "content.xml"))) {
		*method = "odf";
		xml_odf(x, out);
	} else {
		size_t ns;
		const struct member **slides = members_under(&m, "ppt/slides/", &ns);

		if (ns) {
			*method = "pptx";
			for (size_t i = 0; i < ns; i++)
				xml_runs(slides[i], out);
		} else {
			st = 'u';
		}
		free(slides);
	}
	if (m.skipped && st == 'o')
		st = out->len ? 't' : 'f'; /* part of the document could not be read */
	if (m.encrypted)
		st = 'e';
	members_free(&m);
	return st;
}

#ifdef LKA_HAVE_POPPLER
static char
pdf_text(const unsigned char *d, size_t n, lka_buf *out)
{
	GBytes *bytes = g_bytes_new_static(d, n);
	GError *e = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &e);
	char st = 'o';

	if (!doc) {
		st = e && e->domain == POPPLER_ERROR && e->code == POPPLER_ERROR_ENCRYPTED ? 'e' : 'f';
		if (e)
			g_error_free(e);
		g_bytes_unref(bytes);
		return st;
	}
	for (int i = 0; i < poppler_document_get_n_pages(doc) && !out->toobig && !out->oom; i++) {
		PopplerPage *p = poppler_document_get_page(doc, i);
		char *t;
		if (!p)
			continue;
		t = poppler_page_get_text(p);
		if (t) {
			lka_buf_adds(out, t);
			lka_buf_addc(out, '\n');
			g_free(t);
		}
		g_object_unref(p);
	}
	g_object_unref(doc);
	g_bytes_unref(bytes);
	return st;
}
#endif

static void __attribute__((noreturn))
child(int fd, const unsigned char *d, size_t n, bool pdf, size_t max_bytes, uint32_t seconds,
      uint64_t memory)
{
	lka_buf out;
	const char *method = "pdf";
	char st, hdr[2];
	int devnull = open("/dev/null", O_RDWR);
	struct rlimit rl = { 0, 0 };

	if (devnull >= 0) { /* libraries print */
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	setrlimit(RLIMIT_CORE, &rl);
	if (seconds) {
		rl.rlim_cur = seconds;
		rl.rlim_max = (rlim_t)seconds + 1;
		setrlimit(RLIMIT_CPU, &rl);
	}
	lka__limit_memory(memory);
	lka_buf_init(&out, max_bytes ? max_bytes : 0);
#ifdef LKA_HAVE_POPPLER
	st = pdf ? pdf_text(d, n, &out) : office_text(d, n, &out, &method);
#else
	st = pdf ? 'u' : office_text(d, n, &out, &method);
#endif
	if (out.toobig)
		st = 't';
	hdr[0] = st;
	hdr[1] = method[0] == 'd' ? 'd' : method[0] == 'x' ? 'x' : method[0] == 'p' && method[1] == 'p' ? 'P' : method[0] == 'o' ? 'o' : method[0] == 'p' ? 'p' : 'z';
	if (!lka__write_all(fd, hdr, 2) || (out.data && !lka__write_all(fd, out.data, out.len)))
		_exit(1);
	_exit(0);
}

static const char *
method_name(char c)
{
	switch (c) {
	case 'd': return "docx";
	case 'x': return "xlsx";
	case 'P': return "pptx";
	case 'o': return "odf";
	case 'p': return "pdf";
	default: return "zip";
	}
}

void
lka_extract__document(const unsigned char *d, size_t n, bool pdf, size_t max_bytes,
		      uint32_t seconds, uint64_t memory, lka_extract_out *out)
{
	int fds[2], wst = 0;
	pid_t pid;
	lka_buf b;
	double deadline = lka__mono_seconds() + (seconds ? seconds : 3600);
	bool timeout = false;

	memset(out, 0, sizeof *out);
	out->method = pdf ? "pdf" : "zip";
#ifndef LKA_HAVE_POPPLER
	if (pdf) {
		out->status = "unsupported";
		snprintf(out->detail, sizeof out->detail, "built without poppler");
		return;
	}
#endif
	if (pipe(fds) != 0) {
		out->status = "failed";
		snprintf(out->detail, sizeof out->detail, "pipe: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		out->status = "failed";
		snprintf(out->detail, sizeof out->detail, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], d, n, pdf, max_bytes, seconds, memory);
	}
	close(fds[1]);
	lka_buf_init(&b, max_bytes ? max_bytes + 2 : 0);
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		char chunk[65536];
		double left = deadline - lka__mono_seconds();
		int pr;
		ssize_t r;

		if (left <= 0) {
			timeout = true;
			break;
		}
		pr = poll(&p, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			timeout = true;
			break;
		}
		r = read(fds[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!lka_buf_add(&b, chunk, (size_t)r))
			break;
	}
	close(fds[0]);
	if (timeout)
		kill(pid, SIGKILL);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (timeout || (WIFSIGNALED(wst) && WTERMSIG(wst) == SIGXCPU)) {
		out->status = "timeout";
		snprintf(out->detail, sizeof out->detail, "extraction took over %u s", seconds);
	} else if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0 || b.len < 2) {
		out->status = "failed";
		if (WIFSIGNALED(wst))
			snprintf(out->detail, sizeof out->detail,
				 "extractor died (signal %d: crash or memory limit)", WTERMSIG(wst));
		else
			snprintf(out->detail, sizeof out->detail, "extractor failed (exit %d)",
				 WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
	} else {
		char st = (char)b.data[0];
		size_t len = b.len - 2;
		char *t;

		out->method = method_name((char)b.data[1]);
		out->status = st == 'o' ? "ok" : st == 't' ? "truncated" : st == 'e' ? "encrypted"
			    : st == 'u' ? "unsupported" : "failed";
		if (st == 'e')
			snprintf(out->detail, sizeof out->detail, "document is encrypted");
		else if (st == 't')
			snprintf(out->detail, sizeof out->detail,
				 "text limited to %zu bytes, or a part too large or damaged", max_bytes);
		else if (st == 'f')
			snprintf(out->detail, sizeof out->detail, "document could not be parsed");
		else if (st == 'u')
			snprintf(out->detail, sizeof out->detail, "ZIP archive, not an office document");
		if (st == 'o' || st == 't') {
			t = lka_text_to_utf8((const char *)b.data + 2, len, "utf-8", NULL);
			if (t) {
				out->text = t;
				out->len = strlen(t);
			} else {
				out->status = "failed";
				snprintf(out->detail, sizeof out->detail, "out of memory");
			}
		}
	}
	lka_buf_free(&b);
}
