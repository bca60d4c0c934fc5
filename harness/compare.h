/* Comparing two sets of cells for regressions: two runs (vmbench compare BASE NEW) or two
 * backends of one run (--between A,B). The unit of replication is the session: the change
 * and its 95% interval are stats_ratio's (Welch's t on the logarithms of the session
 * medians), its p-value Welch's t-test of the same. */
#ifndef VMBENCH_COMPARE_H
#define VMBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/results.h"

#define COMPARE_ALPHA	  0.01
#define COMPARE_THRESHOLD 5.0 /* percent */

enum verdict {
	VERDICT_SAME,	     /* "~": no change shown beyond the threshold */
	VERDICT_REGRESSION,  /* worse: p < alpha and the whole CI beyond the threshold */
	VERDICT_IMPROVEMENT, /* better, by the same rule */
	VERDICT_NONE,	     /* nothing to judge: see why */
};

struct compare_row {
	const char *backend, *workload, *unit; /* of the base cell (backend: "a -> b" with
						* --between) */
	char label[96];			       /* backend as printed */
	enum better better;
	double base, new;     /* medians; NAN when a side has none */
	size_t k_base, k_new; /* sessions */
	double change;	      /* percent, new over base minus 1 */
	double ci_lo, ci_hi;  /* percent; NAN without an interval */
	double p;	      /* NAN without a test */
	double threshold;     /* percent, the one that applied */
	enum verdict verdict;
	char why[160]; /* for VERDICT_NONE, and warnings */
};

struct compare_opts {
	double alpha;	    /* a regression needs p below it */
	double threshold;   /* and the whole CI beyond this many percent */
	json_t *thresholds; /* {"glob": percent, ...} (fnmatch; the first match in the file's
			     * order): a glob with a '/' matches "backend/workload", one without
			     * the workload; or NULL */
};

struct compare {
	struct compare_row *rows;
	size_t n, cap;
	size_t regressions, improvements, unjudged;
};

/*
 * A row for every (backend, workload) measured in base or new; no verdict where a side is
 * not measured, or the units, the problem sizes or too few sessions make none. 0 or
 * -ENOMEM.
 */
int compare_runs(const struct results *base, const struct results *new,
		 const struct compare_opts *o, struct compare *out) __must_check;
/* Rows for every workload measured in backend a and backend b of one run. */
int compare_backends(const struct results *r, const char *a, const char *b,
		     const struct compare_opts *o, struct compare *out) __must_check;
void compare_free(struct compare *c);

/*
 * What makes base and new not comparable, one "; "-separated list in buf: another host
 * CPU, another guest image, another guest memory or vCPU count, a backend in another
 * mode or accelerator. Empty when they are comparable.
 */
void compare_differences(const struct results *base, const struct results *new, char *buf,
			 size_t len);

/* Checks a thresholds document: an object of workload globs to percents in [0, 1000).
 * 0, or -EINVAL with why. */
int compare_check_thresholds(json_t *t, char *why, size_t len) __must_check;

const char *compare_verdict_name(enum verdict v);

#endif
