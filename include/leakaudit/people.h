/*
 * people.h — the people of a case: one row per data subject (keyed by a
 * normalised e-mail address, else an E.164 phone number), with every name,
 * phone, postal address and place they appear (address books, mail,
 * mentions found by the personal-data scan).  Tables and views:
 * docs/schema.md, "Contacts and people".
 */
#ifndef LEAKAUDIT_PEOPLE_H
#define LEAKAUDIT_PEOPLE_H

#include "leakaudit/leakaudit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of a rebuild.  @since 0.1 */
typedef struct lka_people_opts {
	/* The organisation's own domains: people whose address is in one of
	 * them (or a sub-domain) are internal (staff).  Any form: "Mairie.FR",
	 * "xn--...", "@mairie.fr". */
	const char *const *internal_domains;
	size_t n_internal_domains;
} lka_people_opts;

/** What a rebuild produced.  @since 0.1 */
typedef struct lka_people_stats {
	uint64_t people;      /* people rows */
	uint64_t internal;    /* of which internal */
	uint64_t appearances; /* person_appearances rows */
	int findings_used;    /* 1 when the findings table existed and was read */
	int rebuilt;          /* lka_people_ensure: 1 when it rebuilt, 0 when up to date */
} lka_people_stats;

/**
 * Rebuild the people tables of a case opened read-write, from scratch, in
 * one transaction: deterministic (same case and options, same rows and ids)
 * and idempotent.  stats may be NULL.
 */
LKA_EXPORT lka_status lka_people_rebuild(lka_case *kase, const lka_people_opts *opts,
					 lka_people_stats *stats, lka_error *err);

/**
 * Rebuild only when needed: never built, built with other internal domains,
 * or older than the last ingest run or personal-data scan.  stats->rebuilt
 * says whether it did.
 */
LKA_EXPORT lka_status lka_people_ensure(lka_case *kase, const lka_people_opts *opts,
					lka_people_stats *stats, lka_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LEAKAUDIT_PEOPLE_H */
