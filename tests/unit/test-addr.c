/*
 * test-addr.c — lka_addr_normalize() and lka_addr_domain().
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static void
norm(const char *in, const char *want, const char *what)
{
	char *out = lka_addr_normalize(in);

	is_str(out, want, "%s", what);
	free(out);
}

static void
test_basic(void)
{
	norm("John@Example.COM", "john@example.com", "ASCII lower-cased");
	norm("  <John.Doe+tag@Example.com>\t", "john.doe+tag@example.com", "trimmed, <> stripped");
	norm("mailto:John@Example.com", "john@example.com", "mailto: prefix");
	norm("<MAILTO:a@b.example?subject=hi>", "a@b.example", "<mailto:...?query>");
	norm("mailto:<a@b.example>", "a@b.example", "mailto:<...>");
	norm("a@example.com.", "a@example.com", "root dot removed");
	norm("\"john doe\"@example.com", "\"john doe\"@example.com", "quoted local part kept");
	norm("\"a@b\"@Example.com", "\"a@b\"@example.com", "split at the last '@'");
	norm("user@[192.0.2.1]", "user@[192.0.2.1]", "domain literal");
	norm("ÉLODIE@x.fr", "Élodie@x.fr", "only ASCII letters of the local part are lowered");
}

static void
test_idn(void)
{
	norm("élodie@MAIRIE-Exemple.fr", "élodie@mairie-exemple.fr", "non-ASCII local part");
	norm("contact@BÜCHER.example", "contact@bücher.example", "Unicode domain lower-cased");
	norm("contact@xn--bcher-kva.example", "contact@bücher.example", "A-label to U-label");
	norm("contact@XN--BCHER-KVA.Example", "contact@bücher.example", "upper-case A-label");
	norm("contact@bücher.example", "contact@bücher.example", "already canonical");
	norm("e\xcc\x81lodie@x.fr", "\xc3\xa9lodie@x.fr", "local part put in NFC");
	norm("a@bu\xcc\x88" "cher.example", "a@bücher.example", "domain put in NFC");
	norm("a@xn--zz.Example", "a@xn--zz.example", "invalid A-label kept lower-cased");
	norm("a@☃-⌘.com", "a@☃-⌘.com", "IDNA-invalid domain kept as given");
	norm("a@faß.de", "a@faß.de", "non-transitional: ß kept");
	norm("a@ΣΊΣΥΦΟΣ.gr", "a@σίσυφοσ.gr", "Greek domain lower-cased by IDNA");
}

static void
test_reject(void)
{
	char long_addr[400];

	norm(NULL, NULL, "NULL");
	norm("", NULL, "empty");
	norm("   ", NULL, "blank");
	norm("<>", NULL, "empty angle brackets");
	norm("john", NULL, "no '@'");
	norm("@example.com", NULL, "empty local part");
	norm("john@", NULL, "empty domain");
	norm("broken@@example..com", NULL, "double '@' and empty label");
	norm("a@b@example.com", NULL, "unquoted '@' in the local part");
	norm("john doe@example.com", NULL, "space in the local part");
	norm("john@exa mple.com", NULL, "space in the domain");
	norm("jo\thn@example.com", NULL, "tab inside");
	norm("jo\x01hn@example.com", NULL, "control character");
	norm("john@example..com", NULL, "empty label");
	norm("john@.example.com", NULL, "leading dot");
	norm("john@example.com..", NULL, "two trailing dots");
	norm("john@exam<ple.com", NULL, "special in the domain");
	norm("jo,hn@example.com", NULL, "comma in the local part");
	norm("caf\xe9@example.com", NULL, "invalid UTF-8");
	memset(long_addr, 'a', sizeof long_addr);
	memcpy(long_addr + 320, "@example.com", 13);
	norm(long_addr, NULL, "332 bytes: too long");
}

static void
test_length(void)
{
	char buf[400];
	char *out;

	/* 64 + 1 + 255 = 320 bytes: accepted */
	memset(buf, 'a', 64);
	buf[64] = '@';
	memset(buf + 65, 'b', 255);
	for (int i = 65 + 60; i < 320; i += 61)
		buf[i] = '.';
	buf[320] = '\0';
	out = lka_addr_normalize(buf);
	ok(out && strlen(out) == 320, "320 bytes are accepted");
	free(out);
	buf[320] = 'c';
	buf[321] = '\0';
	out = lka_addr_normalize(buf);
	ok(out == NULL, "321 bytes are refused");
	free(out);
}

static void
test_domain(void)
{
	is_str(lka_addr_domain("john@example.com"), "example.com", "domain of an address");
	is_str(lka_addr_domain("\"a@b\"@example.com"), "example.com", "domain after the last '@'");
	is_str(lka_addr_domain("contact@bücher.example"), "bücher.example", "Unicode domain");
	ok(lka_addr_domain("john") == NULL, "no '@': NULL");
	ok(lka_addr_domain("john@") == NULL, "empty domain: NULL");
	ok(lka_addr_domain(NULL) == NULL, "NULL: NULL");
}

int
main(void)
{
	test_basic();
	test_idn();
	test_reject();
	test_length();
	test_domain();
	return done_testing();
}
