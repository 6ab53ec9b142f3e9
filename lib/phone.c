/*
 * phone.c — phone numbers as written in address books and mail to E.164.
 */
#include <string.h>

#include "internal.h"
#include "people-int.h"

static bool
iprefix(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (lka__lower((unsigned char)*s) != *p)
			return false;
	return true;
}

/* French overseas departments: national prefix (after the 0) -> country code. */
static const struct {
	const char *national, *cc;
} overseas[] = {
	{ "590", "590" }, { "690", "590" }, { "691", "590" }, /* Guadeloupe, St-Martin, St-Barth */
	{ "594", "594" }, { "694", "594" },                  /* Guyane */
	{ "596", "596" }, { "696", "596" }, { "697", "596" }, /* Martinique */
	{ "262", "262" }, { "263", "262" }, { "692", "262" }, { "693", "262" }, /* La Réunion */
	{ "269", "262" }, { "639", "262" },                  /* Mayotte */
};

bool
lka__phone_e164(const char *raw, char out[LKA_E164_MAX])
{
	char d[32];
	size_t nd = 0;
	bool plus = false, any = false;
	const char *p;

	if (!raw)
		return false;
	p = raw;
	while (*p == ' ' || *p == '\t')
		p++;
	if (iprefix(p, "tel:"))
		p += 4;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= '0' && c <= '9') {
			if (nd + 1 >= sizeof d)
				return false;
			d[nd++] = (char)c;
			any = true;
		} else if (c == '+') {
			if (any || plus)
				return false;
			plus = true;
		} else if (c == '(' && p[1] == '0' && p[2] == ')' && (plus || nd >= 2)) {
			p += 2; /* "+33 (0)6 ...": the trunk prefix written in parentheses */
		} else if (c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' ||
			   c == '\t' || (c == 0xc2 && (unsigned char)p[1] == 0xa0)) {
			if (c == 0xc2)
				p++;
		} else if (lka__lower(c) == 'x' || lka__lower(c) == 'e' || lka__lower(c) == 'p' || c == '#' ||
			   c == ';' || c == ',') {
			break; /* extension, "ext.", "poste", tel: parameters */
		} else {
			return false;
		}
	}
	d[nd] = '\0';
	if (plus) {
		if (nd < 8 || nd > 15 || d[0] == '0')
			return false;
		out[0] = '+';
		memcpy(out + 1, d, nd + 1);
		return true;
	}
	if (nd > 2 && d[0] == '0' && d[1] == '0') {
		if (nd - 2 < 8 || nd - 2 > 15 || d[2] == '0')
			return false;
		out[0] = '+';
		memcpy(out + 1, d + 2, nd - 1);
		return true;
	}
	if (nd == 10 && d[0] == '0' && d[1] != '0') {
		const char *cc = "33";
		for (size_t i = 0; i < sizeof overseas / sizeof overseas[0]; i++)
			if (memcmp(d + 1, overseas[i].national, 3) == 0)
				cc = overseas[i].cc;
		out[0] = '+';
		strcpy(out + 1, cc);
		memcpy(out + 1 + strlen(cc), d + 1, 10);
		return true;
	}
	return false;
}
