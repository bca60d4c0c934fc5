/* Merging the results files of several hosts into one (vmbench merge): every cell keeps its
 * host, so tables and plots show the hosts side by side (columns backend@host). */
#ifndef VMBENCH_MERGE_H
#define VMBENCH_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"

struct merge_input {
	const char *path;  /* for messages and provenance */
	json_t *root;	   /* a vmbench/1 document, already checked by results_from_json */
	const char *label; /* the host's label, or NULL: its hostname (made unique) */
};

/* Whether root is a merged file (its provenance has "hosts"). */
bool merge_is_merged(json_t *root);

/*
 * One vmbench/1 document of the inputs' cells, each with "host": its input's label, ordered
 * by backend (first appearance), then host, then the input's own order; inputs that are
 * merged files themselves keep their hosts (their labels are taken first, so a run's
 * hostname label steps aside, whatever the order). The provenance holds "hosts" (label: that
 * run's provenance), "backends" keyed by backend@host, "run.baseline", "merged_from" and
 * merged_by (what made the merge: by, from provenance_collect). 0 with *out; -EINVAL with
 * why in err (a label that is not one, used twice, runs with different baselines); -ENOMEM.
 */
int merge_docs(const struct merge_input *in, size_t n, json_t *merged_by, json_t **out, char *err,
	       size_t len) __must_check;

#endif
