/*
 * people-int.h — helpers of the people model used inside the library
 * (phone normalisation for contact_phones.e164 and people).
 */
#ifndef LKA_PEOPLE_INT_H
#define LKA_PEOPLE_INT_H

#include <stdbool.h>

#define LKA_E164_MAX 20 /* "+" + at most 15 digits + NUL, with room */

/*
 * Normalise a phone number as written to E.164 ("+33612345678") into out.
 * International forms ("+44 20 ...", "0044 20 ...", "+33 (0)6 ...") keep
 * their country code; national numbers are read as French (10 digits from
 * a leading 0, overseas departments mapped to +590/+594/+596/+262).
 * Extensions ("x12", "ext. 12", "poste 12") are dropped.  false when the
 * text is not a plausible number.
 */
bool lka__phone_e164(const char *raw, char out[LKA_E164_MAX]);

#endif /* LKA_PEOPLE_INT_H */
