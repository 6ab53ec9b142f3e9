/*
 * test-html.c — lka_html_to_text().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

/* Render a copy of exactly n bytes (so ASan sees any over-read) and compare. */
static void
html(const char *in, const char *want, const char *what)
{
	size_t n = strlen(in);
	char *copy = malloc(n ? n : 1);
	char *out;

	memcpy(copy, in, n);
	out = lka_html_to_text(copy, n);
	is_str(out, want, "%s", what);
	free(out);
	free(copy);
}

static void
test_blocks(void)
{
	html("<p>Hello</p><p>World</p>", "Hello\n\nWorld", "paragraphs: blank line between");
	html("<div>a</div><div>b</div>", "a\nb", "divs: line break");
	html("a<br>b", "a\nb", "br");
	html("a<br/><br />b", "a\n\nb", "two br: one blank line");
	html("a<br><br><br><br><br>b", "a\n\nb", "runs of blank lines collapse to one");
	html("<h1>Title</h1>text", "Title\n\ntext", "heading");
	html("<P>a</P><BR>b", "a\n\nb", "upper-case tags");
	html("<blockquote>quoted</blockquote>after", "quoted\n\nafter", "blockquote");
	html("<p>  spaced   out \n text </p>", "spaced out text", "white space collapses");
	html("  Hello \n\t world  ", "Hello world", "leading and trailing space trimmed");
	html("<b>bold</b> <i>italic</i>", "bold italic", "inline tags keep one space");
	html("x<span>y</span>z", "xyz", "inline tags add no space");
	html("<pre>a\n  b\n</pre>after", "a\n  b\n\nafter", "pre keeps white space");
	html("<o:p>Outlook</o:p> text", "Outlook text", "namespaced Outlook tag is inline");
	html("a<hr>b", "a\n\nb", "hr");
}

static void
test_lists_tables(void)
{
	html("<ul><li>one</li><li>two</li></ul>", "- one\n- two", "list items");
	html("<p>intro</p><ul><li>one<li>two</ul><p>end</p>", "intro\n\n- one\n- two\n\nend",
	     "list between paragraphs, unclosed li");
	html("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c",
	     "nested list indented");
	html("<ol><li>first</li></ol>", "- first", "ordered list");
	html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
	     "a\tb\nc\td", "table: cells by tabs, rows by lines");
	html("<table><tr><th>Name</th><th>Mail</th></tr></table>after", "Name\tMail\n\nafter",
	     "table header cells");
}

static void
test_dropped(void)
{
	html("<html><head><title>T</title><style>p{color:red}</style></head>"
	     "<body><script>alert('<p>x</p>')</script>Hi</body></html>",
	     "Hi", "head, title, style and script dropped");
	html("<head><meta charset=utf-8><title>Subject</title>Body text", "Body text",
	     "unclosed head: title dropped, text kept");
	html("a<!-- hidden <b>x</b> -->b", "ab", "comment dropped");
	html("a<!---->b<!-->c", "abc", "empty comments");
	html("<!--[if mso]><p>mso only</p><![endif]-->shown", "shown", "conditional comment");
	html("<![if !mso]>kept<![endif]>", "kept", "downlevel-revealed conditional");
	html("<!DOCTYPE html><?xml version=\"1.0\"?>x", "x", "doctype and processing instruction");
	html("<SCRIPT type=x>var a = 1 < 2;</SCRIPT >after", "after", "upper-case script");
	html("<style>a{}</stylesheet>x</style>y", "y", "</stylesheet> does not end style");
	html("<a title=\"a>b\" href='x>y'>link</a>", "link", "'>' inside quoted attributes");
	html("a<b c=d e>b", "ab", "unquoted attributes");
}

static void
test_entities(void)
{
	html("&eacute;&agrave;&ccedil;&Eacute;&uuml;&szlig;",
	     "\xc3\xa9\xc3\xa0\xc3\xa7\xc3\x89\xc3\xbc\xc3\x9f", "Latin-1 accents");
	html("a&nbsp;&nbsp;b", "a  b", "nbsp does not collapse");
	html("&euro;5 &rsquo;x&lsquo; &laquo;q&raquo; &hellip; &mdash;",
	     "\xe2\x82\xac" "5 \xe2\x80\x99x\xe2\x80\x98 \xc2\xabq\xc2\xbb "
	     "\xe2\x80\xa6 \xe2\x80\x94",
	     "typographic entities");
	html("&lt;tag&gt; &amp; &quot;q&quot; &apos;a&apos;", "<tag> & \"q\" 'a'",
	     "markup entities");
	html("&#233;&#xE9;&#XE9;&#x000e9;", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "numeric entities");
	html("&#128;&#150;", "\xe2\x82\xac\xe2\x80\x93", "numeric C1 range read as windows-1252");
	html("&#0;|&#99999999;|&#xD800;|&#x110000;",
	     "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd",
	     "invalid code points become U+FFFD");
	html("&#128512;", "\xf0\x9f\x98\x80", "astral code point");
	html("&#233 x", "\xc3\xa9 x", "numeric entity without ';'");
	html("&copy 2020 &copy2021", "\xc2\xa9 2020 \xc2\xa9" "2021", "legacy entity without ';'");
	html("AT&T R&D a & b", "AT&T R&D a & b", "bare ampersands stay");
	html("&foo; &bogus", "&foo; &bogus", "unknown entities stay literal");
	html("a&#32;&#32;b&#10;c", "a b c", "numeric white space collapses");
	html("1 < 2 and 3 > 2", "1 < 2 and 3 > 2", "lone '<' and '>' are text");
}

/* Truncated input: "<a href=\"" at the end, "&#99999999" and every prefix of a document. */
static void
test_truncated(void)
{
	static const char doc[] =
		"<!DOCTYPE html><html><head><title>t</title><style>x{}</style></head><body>"
		"<p class=\"a&b\">Caf&eacute; &#233;&#xE9; &amp; "
		"<a href=\"http://x/?a=1&b=2\">link</a>"
		"<!-- c --><ul><li>x<li>y</ul><table><tr><td>1<td>2</table><pre> p </pre>"
		"<script>if (a < b) {}</script>&#99999999;&euro<br/>end</body></html>";
	size_t n = sizeof doc - 1;
	int bad = 0;

	html("text<a href=\"", "text", "unterminated attribute at the end");
	html("text<a href=\"x", "text", "unterminated attribute value");
	html("text<div", "text", "unterminated tag name");
	html("text<", "text<", "'<' at the end");
	html("text</", "text", "'</' at the end");
	html("text<!--", "text", "unterminated comment");
	html("text<!-", "text", "unterminated markup declaration");
	html("text<script>never closed", "text", "unclosed script");
	html("&#99999999", "\xef\xbf\xbd", "huge numeric entity at the end");
	html("&#", "&#", "'&#' at the end");
	html("&#x", "&#x", "'&#x' at the end");
	html("&", "&", "'&' at the end");
	html("&eacute", "\xc3\xa9", "named entity at the end, no ';'");
	html("", "", "empty input");
	for (size_t k = 0; k <= n; k++) {
		char *copy = malloc(k ? k : 1);
		char *out;

		memcpy(copy, doc, k);
		out = lka_html_to_text(copy, k);
		if (!out || !lka_utf8_valid(out, strlen(out)))
			bad++;
		free(out);
		free(copy);
	}
	is_int(bad, 0, "every prefix of a document renders to valid UTF-8");
}

static void
test_misc(void)
{
	char *out = lka_html_to_text(NULL, 0);

	is_str(out, "", "NULL input gives empty text");
	free(out);
	html("caf\xe9 <b>ok</b>", "caf\xc3\xa9 ok", "invalid UTF-8 in the input: output valid");
	out = lka_html_to_text("a\0b<p>c", 7);
	is_str(out, "ab\n\nc", "NUL bytes in the input are skipped");
	free(out);
	html("<p>Caf\xc3\xa9 \xe2\x82\xac</p>", "Caf\xc3\xa9 \xe2\x82\xac",
	     "UTF-8 text passes through");
}

int
main(void)
{
	test_blocks();
	test_lists_tables();
	test_dropped();
	test_entities();
	test_truncated();
	test_misc();
	return done_testing();
}
