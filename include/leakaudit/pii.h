/*
 * pii.h — personal-data detectors and the case scan (lka-scan).
 *
 * The detectors are pure functions over UTF-8 text: lka_pii_scan_text()
 * reads the text once and calls back once per finding, with no allocation.
 * lka_scan_case() runs them over every subject, body and extracted
 * attachment text of a case and records the findings (tables scans,
 * findings and attachment_text: see docs/schema.md, "Personal data").
 */
#ifndef LEAKAUDIT_PII_H
#define LEAKAUDIT_PII_H

#include <stdbool.h>

#include "leakaudit/leakaudit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Detectors (findings.kind). @since 0.1 */
typedef enum lka_pii_kind {
	LKA_PII_EMAIL = 0,
	LKA_PII_PHONE,
	LKA_PII_IBAN,
	LKA_PII_BIC,
	LKA_PII_CARD,
	LKA_PII_NIR,
	LKA_PII_FR_TAX_ID,
	LKA_PII_PASSPORT,
	LKA_PII_ID_CARD,
	LKA_PII_BIRTH_DATE,
	LKA_PII_POSTAL_ADDRESS,
	LKA_PII_CREDENTIAL,
	LKA_PII_SPECIAL_CATEGORY,
	LKA_PII__COUNT
} lka_pii_kind;

/** Outcome of a finding's validator (findings.validator). */
typedef enum lka_pii_validator {
	LKA_PII_VALID = 0,    /* checksum or structure verified */
	LKA_PII_INVALID,      /* looks right, fails its checksum (reported only on request) */
	LKA_PII_NA,           /* nothing to verify (context-based detectors) */
} lka_pii_validator;

#define LKA_PII_VALUE_MAX 96

/** One finding.  Plain data, valid during the callback only. */
typedef struct lka_pii_finding {
	lka_pii_kind kind;
	lka_pii_validator validator;
	double confidence;                /* 0..1 */
	size_t offset, length;            /* byte span in the text */
	char norm[LKA_PII_VALUE_MAX];     /* normalised value; "" when none is kept (passwords) */
	char masked[LKA_PII_VALUE_MAX];   /* display form, most of it masked */
	const char *detail;               /* static: sub-kind ("health", "password", ...) or NULL */
} lka_pii_finding;

/** Return non-zero to stop the scan. */
typedef int (*lka_pii_fn)(const lka_pii_finding *f, void *payload);

enum {
	LKA_PII_ALL = (1u << LKA_PII__COUNT) - 1,
	LKA_PII_WITH_INVALID = 1 << 30, /* also report candidates failing their validator */
};

/**
 * Scan n bytes of UTF-8 text once with the detectors in mask (bits
 * 1u << kind, LKA_PII_ALL for all, plus LKA_PII_WITH_INVALID).  Findings come
 * roughly in text order.  Returns the number of findings reported.
 */
LKA_EXPORT size_t lka_pii_scan_text(const char *text, size_t n, unsigned mask, lka_pii_fn fn,
				    void *payload);

/** "email", "phone", ... (findings.kind); NULL when out of range. */
LKA_EXPORT const char *lka_pii_kind_name(lka_pii_kind kind);
/** GDPR-facing category: "contact", "bank", "card", "national_id", ... */
LKA_EXPORT const char *lka_pii_kind_category(lka_pii_kind kind);
/** "valid", "invalid", "not_applicable". */
LKA_EXPORT const char *lka_pii_validator_name(lka_pii_validator v);

/* ------------------------------------------------------------ case scan */

/** Options of lka_scan_case(); initialise with lka_scan_opts_default(). */
typedef struct lka_scan_opts {
	unsigned mask;           /* detectors (LKA_PII_ALL) */
	int extract;             /* 1: extract attachment text first (default) */
	int reextract;           /* 1: extract again even when attachment_text has a row */
	uint64_t extract_bytes;  /* most text kept per attachment */
	uint32_t extract_seconds;/* time allowed per document */
	uint64_t extract_memory; /* address-space limit of the extracting child; 0 = none */
	const char *argv_text;   /* recorded in scans.args, may be NULL */
} lka_scan_opts;

LKA_EXPORT void lka_scan_opts_default(lka_scan_opts *out);

typedef struct lka_scan_stats {
	uint64_t messages, messages_touched;       /* scanned, with at least one finding */
	uint64_t attachments, attachments_touched; /* attachment rows scanned / with findings */
	uint64_t texts_extracted, extract_failed;  /* attachment_text rows written, not ok */
	uint64_t bytes;                            /* text bytes scanned */
	uint64_t findings;
	uint64_t per_kind[LKA_PII__COUNT];
	int64_t scan_id;
	double seconds;
} lka_scan_stats;

/**
 * Scan a case (opened for writing): extract attachment text, run the
 * detectors, replace the findings of earlier scans with a new scans row and
 * its findings.  out (may be NULL) receives the counters.
 */
LKA_EXPORT lka_status lka_scan_case(lka_case *kase, const lka_scan_opts *opts,
				    lka_scan_stats *out, lka_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LEAKAUDIT_PII_H */
