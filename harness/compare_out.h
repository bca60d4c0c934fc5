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
/*
 * JUnit XML: one testsuite, a testcase per row (classname the backend, name the workload),
 * a failure per regression, a skipped per row without a verdict, every row's numbers in the
 * suite's system-out, and props' string members (the runs' provenance) as properties. Valid
 * against Jenkins' junit-4.xsd, and against Ant's JUnit.xsd but for the skipped tests, which
 * that schema has no place for (ci/junit-schema.sh checks both). date (ISO 8601 UTC) and
 * host say when and where the judged numbers were measured: the current time when date is
 * not such a time, "localhost" for no host. A new string, NULL on ENOMEM.
 */
char *compare_junit(const struct compare *c, const struct compare_opts *o, json_t *props,
		    const char *date, const char *host);

#endif
