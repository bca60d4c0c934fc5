/* The outputs of vmbench compare: a terminal table, Markdown and JUnit XML. */
#ifndef VMBENCH_COMPARE_OUT_H
#define VMBENCH_COMPARE_OUT_H

#include <stdio.h>

#include <jansson.h>

#include "harness/compare.h"

/* The table, one row per compared cell, and a line of totals. */
void compare_print(FILE *f, const struct compare *c, const struct compare_opts *o);
/* A heading (title) and a pipe table, for a CI job's summary: a new string, NULL on
 * ENOMEM. */
char *compare_markdown(const struct compare *c, const struct compare_opts *o, const char *title);
/* JUnit XML: one testsuite, a testcase per row (classname the backend, name the
 * workload), a failure per regression, a skipped per row without a verdict; props' string
 * members (the runs' provenance) as properties. A new string, NULL on ENOMEM. */
char *compare_junit(const struct compare *c, const struct compare_opts *o, json_t *props);

#endif
