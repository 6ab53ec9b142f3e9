/*
 * html.c — a small HTML-to-text renderer for mail bodies, written by hand so
 * that it depends on nothing and can be read in one sitting.  It is not an
 * HTML parser: it removes tags, drops <head>, <script>, <style>, <title> and
 * comments, turns block elements into line breaks, list items into "- "
 * lines and table cells into tabs, decodes entities and collapses white
 * space as a browser does.  Every read is bounds-checked: truncated input
 * ("<a href=\"" at the end, "&#99999999;") is handled, never over-read.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_PENDING_NL 2 /* runs of blank lines collapse to one */
#define MAX_LIST_INDENT 8

struct entity {
	const char *name;
	uint32_t cp;
};

/* HTML 4 entities (and &apos;), sorted by strcmp for bsearch. */
static const struct entity entities[] = {
	{ "AElig", 0x00C6 },
	{ "Aacute", 0x00C1 },
	{ "Acirc", 0x00C2 },
	{ "Agrave", 0x00C0 },
	{ "Alpha", 0x0391 },
	{ "Aring", 0x00C5 },
	{ "Atilde", 0x00C3 },
	{ "Auml", 0x00C4 },
	{ "Beta", 0x0392 },
	{ "Ccedil", 0x00C7 },
	{ "Chi", 0x03A7 },
	{ "Dagger", 0x2021 },
	{ "Delta", 0x0394 },
	{ "ETH", 0x00D0 },
	{ "Eacute", 0x00C9 },
	{ "Ecirc", 0x00CA },
	{ "Egrave", 0x00C8 },
	{ "Epsilon", 0x0395 },
	{ "Eta", 0x0397 },
	{ "Euml", 0x00CB },
	{ "Gamma", 0x0393 },
	{ "Iacute", 0x00CD },
	{ "Icirc", 0x00CE },
	{ "Igrave", 0x00CC },
	{ "Iota", 0x0399 },
	{ "Iuml", 0x00CF },
	{ "Kappa", 0x039A },
	{ "Lambda", 0x039B },
	{ "Mu", 0x039C },
	{ "Ntilde", 0x00D1 },
	{ "Nu", 0x039D },
	{ "OElig", 0x0152 },
	{ "Oacute", 0x00D3 },
	{ "Ocirc", 0x00D4 },
	{ "Ograve", 0x00D2 },
	{ "Omega", 0x03A9 },
	{ "Omicron", 0x039F },
	{ "Oslash", 0x00D8 },
	{ "Otilde", 0x00D5 },
	{ "Ouml", 0x00D6 },
	{ "Phi", 0x03A6 },
	{ "Pi", 0x03A0 },
	{ "Prime", 0x2033 },
	{ "Psi", 0x03A8 },
	{ "Rho", 0x03A1 },
	{ "Scaron", 0x0160 },
	{ "Sigma", 0x03A3 },
	{ "THORN", 0x00DE },
	{ "Tau", 0x03A4 },
	{ "Theta", 0x0398 },
	{ "Uacute", 0x00DA },
	{ "Ucirc", 0x00DB },
	{ "Ugrave", 0x00D9 },
	{ "Upsilon", 0x03A5 },
	{ "Uuml", 0x00DC },
	{ "Xi", 0x039E },
	{ "Yacute", 0x00DD },
	{ "Yuml", 0x0178 },
	{ "Zeta", 0x0396 },
	{ "aacute", 0x00E1 },
	{ "acirc", 0x00E2 },
	{ "acute", 0x00B4 },
	{ "aelig", 0x00E6 },
	{ "agrave", 0x00E0 },
	{ "alefsym", 0x2135 },
	{ "alpha", 0x03B1 },
	{ "amp", 0x0026 },
	{ "and", 0x2227 },
	{ "ang", 0x2220 },
	{ "apos", 0x0027 },
	{ "aring", 0x00E5 },
	{ "asymp", 0x2248 },
	{ "atilde", 0x00E3 },
	{ "auml", 0x00E4 },
	{ "bdquo", 0x201E },
	{ "beta", 0x03B2 },
	{ "brvbar", 0x00A6 },
	{ "bull", 0x2022 },
	{ "cap", 0x2229 },
	{ "ccedil", 0x00E7 },
	{ "cedil", 0x00B8 },
	{ "cent", 0x00A2 },
	{ "chi", 0x03C7 },
	{ "circ", 0x02C6 },
	{ "clubs", 0x2663 },
	{ "cong", 0x2245 },
	{ "copy", 0x00A9 },
	{ "crarr", 0x21B5 },
	{ "cup", 0x222A },
	{ "curren", 0x00A4 },
	{ "dArr", 0x21D3 },
	{ "dagger", 0x2020 },
	{ "darr", 0x2193 },
	{ "deg", 0x00B0 },
	{ "delta", 0x03B4 },
	{ "diams", 0x2666 },
	{ "divide", 0x00F7 },
	{ "eacute", 0x00E9 },
	{ "ecirc", 0x00EA },
	{ "egrave", 0x00E8 },
	{ "empty", 0x2205 },
	{ "emsp", 0x2003 },
	{ "ensp", 0x2002 },
	{ "epsilon", 0x03B5 },
	{ "equiv", 0x2261 },
	{ "eta", 0x03B7 },
	{ "eth", 0x00F0 },
	{ "euml", 0x00EB },
	{ "euro", 0x20AC },
	{ "exist", 0x2203 },
	{ "fnof", 0x0192 },
	{ "forall", 0x2200 },
	{ "frac12", 0x00BD },
	{ "frac14", 0x00BC },
	{ "frac34", 0x00BE },
	{ "frasl", 0x2044 },
	{ "gamma", 0x03B3 },
	{ "ge", 0x2265 },
	{ "gt", 0x003E },
	{ "hArr", 0x21D4 },
	{ "harr", 0x2194 },
	{ "hearts", 0x2665 },
	{ "hellip", 0x2026 },
	{ "iacute", 0x00ED },
	{ "icirc", 0x00EE },
	{ "iexcl", 0x00A1 },
	{ "igrave", 0x00EC },
	{ "image", 0x2111 },
	{ "infin", 0x221E },
	{ "int", 0x222B },
	{ "iota", 0x03B9 },
	{ "iquest", 0x00BF },
	{ "isin", 0x2208 },
	{ "iuml", 0x00EF },
	{ "kappa", 0x03BA },
	{ "lArr", 0x21D0 },
	{ "lambda", 0x03BB },
	{ "lang", 0x2329 },
	{ "laquo", 0x00AB },
	{ "larr", 0x2190 },
	{ "lceil", 0x2308 },
	{ "ldquo", 0x201C },
	{ "le", 0x2264 },
	{ "lfloor", 0x230A },
	{ "lowast", 0x2217 },
	{ "loz", 0x25CA },
	{ "lrm", 0x200E },
	{ "lsaquo", 0x2039 },
	{ "lsquo", 0x2018 },
	{ "lt", 0x003C },
	{ "macr", 0x00AF },
	{ "mdash", 0x2014 },
	{ "micro", 0x00B5 },
	{ "middot", 0x00B7 },
	{ "minus", 0x2212 },
	{ "mu", 0x03BC },
	{ "nabla", 0x2207 },
	{ "nbsp", 0x00A0 },
	{ "ndash", 0x2013 },
	{ "ne", 0x2260 },
	{ "ni", 0x220B },
	{ "not", 0x00AC },
	{ "notin", 0x2209 },
	{ "nsub", 0x2284 },
	{ "ntilde", 0x00F1 },
	{ "nu", 0x03BD },
	{ "oacute", 0x00F3 },
	{ "ocirc", 0x00F4 },
	{ "oelig", 0x0153 },
	{ "ograve", 0x00F2 },
	{ "oline", 0x203E },
	{ "omega", 0x03C9 },
	{ "omicron", 0x03BF },
	{ "oplus", 0x2295 },
	{ "or", 0x2228 },
	{ "ordf", 0x00AA },
	{ "ordm", 0x00BA },
	{ "oslash", 0x00F8 },
	{ "otilde", 0x00F5 },
	{ "otimes", 0x2297 },
	{ "ouml", 0x00F6 },
	{ "para", 0x00B6 },
	{ "part", 0x2202 },
	{ "permil", 0x2030 },
	{ "perp", 0x22A5 },
	{ "phi", 0x03C6 },
	{ "pi", 0x03C0 },
	{ "piv", 0x03D6 },
	{ "plusmn", 0x00B1 },
	{ "pound", 0x00A3 },
	{ "prime", 0x2032 },
	{ "prod", 0x220F },
	{ "prop", 0x221D },
	{ "psi", 0x03C8 },
	{ "quot", 0x0022 },
	{ "rArr", 0x21D2 },
	{ "radic", 0x221A },
	{ "rang", 0x232A },
	{ "raquo", 0x00BB },
	{ "rarr", 0x2192 },
	{ "rceil", 0x2309 },
	{ "rdquo", 0x201D },
	{ "real", 0x211C },
	{ "reg", 0x00AE },
	{ "rfloor", 0x230B },
	{ "rho", 0x03C1 },
	{ "rlm", 0x200F },
	{ "rsaquo", 0x203A },
	{ "rsquo", 0x2019 },
	{ "sbquo", 0x201A },
	{ "scaron", 0x0161 },
	{ "sdot", 0x22C5 },
	{ "sect", 0x00A7 },
	{ "shy", 0x00AD },
	{ "sigma", 0x03C3 },
	{ "sigmaf", 0x03C2 },
	{ "sim", 0x223C },
	{ "spades", 0x2660 },
	{ "sub", 0x2282 },
	{ "sube", 0x2286 },
	{ "sum", 0x2211 },
	{ "sup", 0x2283 },
	{ "sup1", 0x00B9 },
	{ "sup2", 0x00B2 },
	{ "sup3", 0x00B3 },
	{ "supe", 0x2287 },
	{ "szlig", 0x00DF },
	{ "tau", 0x03C4 },
	{ "there4", 0x2234 },
	{ "theta", 0x03B8 },
	{ "thetasym", 0x03D1 },
	{ "thinsp", 0x2009 },
	{ "thorn", 0x00FE },
	{ "tilde", 0x02DC },
	{ "times", 0x00D7 },
	{ "trade", 0x2122 },
	{ "uArr", 0x21D1 },
	{ "uacute", 0x00FA },
	{ "uarr", 0x2191 },
	{ "ucirc", 0x00FB },
	{ "ugrave", 0x00F9 },
	{ "uml", 0x00A8 },
	{ "upsih", 0x03D2 },
	{ "upsilon", 0x03C5 },
	{ "uuml", 0x00FC },
	{ "weierp", 0x2118 },
	{ "xi", 0x03BE },
	{ "yacute", 0x00FD },
	{ "yen", 0x00A5 },
	{ "yuml", 0x00FF },
	{ "zeta", 0x03B6 },
	{ "zwj", 0x200D },
	{ "zwnj", 0x200C },
};

/* windows-1252 meaning of &#128;..&#159;, as browsers decode them; 0 = none. */
static const uint16_t c1_map[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

enum tag_kind {
	TAG_INLINE = 0,
	TAG_BLOCK,      /* a line break before and after */
	TAG_PARA,       /* a blank line before and after */
	TAG_BR,
	TAG_LI,
	TAG_LIST,       /* ul, ol, menu, dir */
	TAG_CELL,       /* td, th */
	TAG_PRE,
	TAG_HEAD,
	TAG_RAW,        /* content dropped up to the matching end tag */
};

struct tag_def {
	const char *name;
	enum tag_kind kind;
};

static const struct tag_def tags[] = {
	{ "address", TAG_BLOCK }, { "article", TAG_BLOCK }, { "aside", TAG_BLOCK },
	{ "blockquote", TAG_PARA }, { "body", TAG_BLOCK }, { "br", TAG_BR },
	{ "caption", TAG_BLOCK }, { "center", TAG_BLOCK }, { "dd", TAG_BLOCK },
	{ "details", TAG_BLOCK }, { "dir", TAG_LIST }, { "div", TAG_BLOCK },
	{ "dl", TAG_BLOCK }, { "dt", TAG_BLOCK }, { "fieldset", TAG_BLOCK },
	{ "figcaption", TAG_BLOCK }, { "figure", TAG_BLOCK }, { "footer", TAG_BLOCK },
	{ "form", TAG_BLOCK }, { "h1", TAG_PARA }, { "h2", TAG_PARA }, { "h3", TAG_PARA },
	{ "h4", TAG_PARA }, { "h5", TAG_PARA }, { "h6", TAG_PARA }, { "head", TAG_HEAD },
	{ "header", TAG_BLOCK }, { "hr", TAG_PARA }, { "html", TAG_BLOCK },
	{ "iframe", TAG_RAW }, { "legend", TAG_BLOCK }, { "li", TAG_LI },
	{ "listing", TAG_PRE }, { "main", TAG_BLOCK }, { "menu", TAG_LIST },
	{ "nav", TAG_BLOCK }, { "noembed", TAG_RAW }, { "noframes", TAG_RAW },
	{ "ol", TAG_LIST }, { "option", TAG_BLOCK }, { "p", TAG_PARA }, { "plaintext", TAG_PRE },
	{ "pre", TAG_PRE }, { "script", TAG_RAW }, { "section", TAG_BLOCK },
	{ "style", TAG_RAW }, { "summary", TAG_BLOCK }, { "table", TAG_PARA },
	{ "tbody", TAG_BLOCK }, { "td", TAG_CELL }, { "template", TAG_RAW },
	{ "tfoot", TAG_BLOCK }, { "th", TAG_CELL }, { "thead", TAG_BLOCK },
	{ "title", TAG_RAW }, { "tr", TAG_BLOCK }, { "ul", TAG_LIST }, { "xmp", TAG_PRE },
};

struct render {
	const unsigned char *p; /* input */
	size_t n;
	lka_buf out;
	int pending_nl;   /* line breaks owed before the next text */
	bool pending_sp;  /* a collapsed white space owed */
	bool pending_tab; /* a table cell separator owed */
	bool bullet;      /* "- " owed (list item) */
	int list_depth;
	int pre;          /* inside <pre>: white space kept */
	bool no_head_end; /* there is no "</head" after the current position */
};

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int
entity_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entity *)elem)->name);
}

static int
tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag_def *)elem)->name);
}

static enum tag_kind
tag_kind(const char *name)
{
	const struct tag_def *t;

	t = bsearch(name, tags, LKA_ARRAY_LEN(tags), sizeof tags[0], tag_cmp);
	return t ? t->kind : TAG_INLINE;
}

static unsigned char
last_char(const struct render *r)
{
	return r->out.len ? r->out.data[r->out.len - 1] : '\n';
}

static void
need_nl(struct render *r, int n)
{
	if (r->pending_nl < n)
		r->pending_nl = n;
}

/* Pay what is owed before text is written: line breaks, a tab, a space, a bullet. */
static void
flush(struct render *r)
{
	if (r->out.len == 0) {
		/* nothing before: no leading space or break */
	} else if (r->pending_nl) {
		int have = 0;

		for (size_t i = r->out.len; i > 0 && r->out.data[i - 1] == '\n' && have < 2; i--)
			have++;
		for (; have < r->pending_nl; have++)
			lka_buf_addc(&r->out, '\n');
	} else if (r->pending_tab) {
		lka_buf_addc(&r->out, '\t');
	} else if (r->pending_sp && last_char(r) != '\n' && last_char(r) != ' ' &&
		   last_char(r) != '\t') {
		lka_buf_addc(&r->out, ' ');
	}
	if (r->bullet) {
		int depth = r->list_depth < 1 ? 1 : r->list_depth;

		if (depth > MAX_LIST_INDENT)
			depth = MAX_LIST_INDENT;
		for (int i = 1; i < depth; i++)
			lka_buf_adds(&r->out, "  ");
		lka_buf_adds(&r->out, "- ");
	}
	r->pending_nl = 0;
	r->pending_tab = r->pending_sp = r->bullet = false;
}

/* White space in the text: kept inside <pre>, collapsed outside. */
static void
text_space(struct render *r, unsigned char c)
{
	if (!r->pre) {
		r->pending_sp = true;
		return;
	}
	if (c == '\r')
		return;
	flush(r);
	lka_buf_addc(&r->out, c == '\f' ? '\n' : c);
}

static void
text_cp(struct render *r, uint32_t cp)
{
	if (cp < 0x80 && is_space((unsigned char)cp)) {
		text_space(r, (unsigned char)cp);
		return;
	}
	flush(r);
	if (cp == 0xA0) /* &nbsp;: a space that does not collapse */
		lka_buf_addc(&r->out, ' ');
	else
		lka_utf8__put(&r->out, cp);
}

/*
 * Decode the entity at p[i] == '&'.  Returns the index after it, or i when
 * it is not an entity (the '&' is then literal text).
 */
static size_t
entity(struct render *r, size_t i, uint32_t *cp)
{
	const unsigned char *p = r->p;
	size_t n = r->n, j = i + 1, start;
	char name[40];
	size_t len;
	const struct entity *e;

	if (j < n && p[j] == '#') {
		unsigned base = 10;
		uint32_t v = 0;

		j++;
		if (j < n && (p[j] == 'x' || p[j] == 'X')) {
			base = 16;
			j++;
		}
		for (start = j; j < n; j++) {
			unsigned d;

			if (p[j] >= '0' && p[j] <= '9')
				d = p[j] - '0';
			else if (base == 16 && lka__lower(p[j]) >= 'a' && lka__lower(p[j]) <= 'f')
				d = lka__lower(p[j]) - 'a' + 10;
			else
				break;
			if (v <= 0x10FFFF)
				v = v * base + d;
		}
		if (j == start)
			return i;
		if (j < n && p[j] == ';')
			j++;
		if (v >= 0x80 && v <= 0x9F)
			v = c1_map[v - 0x80];
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		*cp = v;
		return j;
	}
	for (len = 0; j + len < n && is_alnum(p[j + len]) && len < sizeof name - 1; len++)
		name[len] = (char)p[j + len];
	if (len == 0)
		return i;
	name[len] = '\0';
	e = bsearch(name, entities, LKA_ARRAY_LEN(entities), sizeof entities[0], entity_cmp);
	if (e) {
		j += len;
		if (j < n && p[j] == ';')
			j++;
		*cp = e->cp;
		return j;
	}
	if (j + len < n && p[j + len] == ';')
		return i;
	/* legacy: "&copy2020" without ';' is "&copy" followed by "2020" */
	while (--len >= 2) {
		name[len] = '\0';
		e = bsearch(name, entities, LKA_ARRAY_LEN(entities), sizeof entities[0],
			    entity_cmp);
		if (e && e->cp < 0x100) {
			*cp = e->cp;
			return j + len;
		}
	}
	return i;
}

/* Index of the first case-insensitive match of "</name" at or after i, or n. */
static size_t
find_end_tag(const struct render *r, size_t i, const char *name)
{
	size_t len = strlen(name);

	for (; i + 2 + len <= r->n; i++) {
		size_t k;

		if (r->p[i] != '<' || r->p[i + 1] != '/')
			continue;
		for (k = 0; k < len && lka__lower(r->p[i + 2 + k]) == (unsigned char)name[k]; k++)
			;
		if (k == len && (i + 2 + len == r->n || !is_alnum(r->p[i + 2 + len])))
			return i;
	}
	return r->n;
}

/* Index after the next '>' at or after i, or n. */
static size_t
skip_past_gt(const struct render *r, size_t i)
{
	const unsigned char *q = i < r->n ? memchr(r->p + i, '>', r->n - i) : NULL;

	return q ? (size_t)(q - r->p) + 1 : r->n;
}

/* A comment, "<!...>" or "<?...>" at i: index after it (n when unterminated). */
static size_t
skip_markup_decl(const struct render *r, size_t i)
{
	const unsigned char *p = r->p;
	size_t n = r->n, j;

	if (i + 4 <= n && p[i + 2] == '-' && p[i + 3] == '-') {
		j = i + 4;
		if (j < n && p[j] == '>')
			return j + 1; /* <!--> */
		if (j + 1 < n && p[j] == '-' && p[j + 1] == '>')
			return j + 2; /* <!---> */
		for (; j + 3 <= n; j++) {
			if (p[j] == '-' && p[j + 1] == '-' && p[j + 2] == '>')
				return j + 3;
			if (j + 4 <= n && p[j] == '-' && p[j + 1] == '-' && p[j + 2] == '!' &&
			    p[j + 3] == '>')
				return j + 4;
		}
		return n;
	}
	return skip_past_gt(r, i + 2);
}

static void
start_tag(struct render *r, enum tag_kind kind)
{
	switch (kind) {
	case TAG_INLINE:
	case TAG_HEAD:
	case TAG_RAW:
		break;
	case TAG_BLOCK:
		need_nl(r, 1);
		break;
	case TAG_PARA:
		need_nl(r, 2);
		break;
	case TAG_BR:
		r->pending_nl = r->pending_nl < MAX_PENDING_NL ? r->pending_nl + 1 : MAX_PENDING_NL;
		/* a <br> ends a line even when nothing follows on it */
		if (r->out.len && last_char(r) == '\n' && r->pending_nl == 1)
			r->pending_nl = 2;
		break;
	case TAG_LI:
		need_nl(r, 1);
		r->bullet = true;
		break;
	case TAG_LIST:
		need_nl(r, r->list_depth ? 1 : 2);
		if (r->list_depth < 1000)
			r->list_depth++;
		break;
	case TAG_CELL:
		if (r->out.len && last_char(r) != '\n' && !r->pending_nl)
			r->pending_tab = true;
		break;
	case TAG_PRE:
		need_nl(r, 2);
		if (r->pre < 1000)
			r->pre++;
		break;
	}
}

static void
end_tag(struct render *r, enum tag_kind kind)
{
	switch (kind) {
	case TAG_INLINE:
	case TAG_HEAD:
	case TAG_RAW:
	case TAG_BR:
	case TAG_CELL:
		break;
	case TAG_BLOCK:
	case TAG_LI:
		need_nl(r, 1);
		break;
	case TAG_PARA:
		need_nl(r, 2);
		break;
	case TAG_LIST:
		if (r->list_depth > 0)
			r->list_depth--;
		need_nl(r, r->list_depth ? 1 : 2);
		break;
	case TAG_PRE:
		if (r->pre > 0)
			r->pre--;
		need_nl(r, 2);
		break;
	}
}

/* Read a tag name at p[i]; returns the index after it.  Longer names are cut. */
static size_t
tag_name(const struct render *r, size_t i, char *name, size_t cap)
{
	size_t len = 0;

	for (; i < r->n && (is_alnum(r->p[i]) || r->p[i] == '-' || r->p[i] == ':'); i++)
		if (len + 1 < cap)
			name[len++] = (char)lka__lower(r->p[i]);
	name[len] = '\0';
	return i;
}

/*
 * Skip the attributes of a start tag: index after its '>', or 0 when the tag
 * is not terminated before the end of the input.
 */
static size_t
skip_attributes(const struct render *r, size_t i)
{
	const unsigned char *p = r->p;
	size_t n = r->n;

	while (i < n) {
		if (p[i] == '>')
			return i + 1;
		if (p[i] == '=') {
			i++;
			while (i < n && is_space(p[i]))
				i++;
			if (i < n && (p[i] == '"' || p[i] == '\'')) {
				const unsigned char *q = memchr(p + i + 1, p[i], n - i - 1);

				if (!q)
					return 0;
				i = (size_t)(q - p) + 1;
			}
			continue;
		}
		i++;
	}
	return 0;
}

/* The tag (or comment) starting at p[i] == '<': returns the index after it. */
static size_t
tag(struct render *r, size_t i)
{
	const unsigned char *p = r->p;
	size_t n = r->n, j;
	char name[32];
	enum tag_kind kind;

	if (i + 1 >= n) {
		text_cp(r, '<');
		return i + 1;
	}
	if (p[i + 1] == '!')
		return skip_markup_decl(r, i);
	if (p[i + 1] == '?')
		return skip_past_gt(r, i + 1);
	if (p[i + 1] == '/') {
		if (i + 2 >= n)
			return n;
		if (!is_alpha(p[i + 2]))
			return skip_past_gt(r, i + 2); /* "</>" or a bogus comment */
		j = tag_name(r, i + 2, name, sizeof name);
		j = skip_past_gt(r, j);
		end_tag(r, tag_kind(name));
		return j;
	}
	if (!is_alpha(p[i + 1])) {
		text_cp(r, '<');
		return i + 1;
	}
	j = tag_name(r, i + 1, name, sizeof name);
	j = skip_attributes(r, j);
	if (j == 0)
		return n; /* unterminated tag at the end: dropped */
	kind = tag_kind(name);
	if (kind == TAG_RAW) {
		j = find_end_tag(r, j, name);
		return j < n ? skip_past_gt(r, j) : n;
	}
	if (kind == TAG_HEAD) {
		size_t e;

		if (r->no_head_end)
			return j;
		e = find_end_tag(r, j, "head");
		if (e >= n) {
			r->no_head_end = true; /* an unclosed head ends where the body starts */
			return j;
		}
		return skip_past_gt(r, e);
	}
	start_tag(r, kind);
	return j;
}

char *
lka_html_to_text(const char *html, size_t n)
{
	struct render r;
	size_t i = 0, j;
	uint32_t cp;
	char *s;

	memset(&r, 0, sizeof r);
	r.p = (const unsigned char *)(html ? html : "");
	r.n = html ? n : 0;
	lka_buf_init(&r.out, 0);
	while (i < r.n && !r.out.oom) {
		unsigned char c = r.p[i];

		if (c == '<') {
			i = tag(&r, i);
		} else if (c == '&') {
			j = entity(&r, i, &cp);
			if (j == i) {
				text_cp(&r, '&');
				i++;
			} else {
				text_cp(&r, cp);
				i = j;
			}
		} else if (is_space(c)) {
			text_space(&r, c);
			i++;
		} else if (c == 0) {
			i++;
		} else {
			/* a run of ordinary text */
			for (j = i + 1; j < r.n && r.p[j] != '<' && r.p[j] != '&' && r.p[j] &&
					!is_space(r.p[j]);
			     j++)
				;
			flush(&r);
			lka_buf_add(&r.out, r.p + i, j - i);
			i = j;
		}
	}
	/* no trailing white space or blank lines */
	while (r.out.len && is_space(r.out.data[r.out.len - 1]))
		r.out.data[--r.out.len] = '\0';
	if (r.out.oom) {
		lka_buf_free(&r.out);
		return NULL;
	}
	s = lka_buf_steal(&r.out, &j);
	if (s && !lka_utf8_valid(s, j)) {
		char *t = lka_text_to_utf8(s, j, "utf-8", NULL);

		free(s);
		s = t;
	}
	return s;
}
