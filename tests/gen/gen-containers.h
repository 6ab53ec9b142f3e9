/*
 * gen-containers.h — container fixtures for leakaudit's tests (issue 4):
 * archives holding mail, archives attached to mail, hostile cases.
 */
#ifndef LKA_GEN_CONTAINERS_H
#define LKA_GEN_CONTAINERS_H

#include <stdbool.h>

/* Write the fixtures into outdir (created; must not exist or be empty).  0 or -1. */
int gen_containers(const char *outdir, bool quiet);

#endif
