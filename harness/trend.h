/* Cells over a series of runs (vmbench trend): each cell's median and 95% CI per run, in the
 * order the runs were made, and where its level changed (harness/changepoint.h). */
#ifndef VMBENCH_TREND_H
#define VMBENCH_TREND_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/changepoint.h"
#include "harness/results.h"

struct trend_run {
	const char *path;
	size_t given; /* its place on the command line: the order of runs of one date */
	struct results r;
	char date[32]; /* provenance.date, "" unknown */
	char sha[16];  /* provenance.vmbench.git.sha, shortened; "" unknown */
};

struct trend_point {
	bool measured;
	double median, lo, hi; /* lo, hi NAN without an interval */
	double level;	       /* the geometric mean of its segment's medians */
	double p;	       /* of the change point that starts here, else NAN */
};

struct trend_series {
	const char *column, *workload, *unit; /* point into the runs' cells */
	json_t *bytes;	/* its problem size (extra.problem_bytes) or NULL: another size, or
			 * another unit, is another series */
	char name[200]; /* column/workload, with ":<size>" where the cell has one */
	enum better better;
	struct trend_point *pt; /* one per run, in run order */
	size_t measured;	/* runs that measured it */
	struct cp_result cp;	/* indexes into the runs */
};

struct trend {
	struct trend_run *runs; /* sorted by date (unknown dates last, stable) */
	size_t nruns;
	struct trend_series *series;
	size_t nseries;
};

/*
 * The series of runs[0..n) (sorted here, which takes them over: trend_free frees them) for
 * every (column, workload, unit, problem size) matching one of globs (NULL: all; a glob with '/'
 * matches "column/workload", else the workload), with the change points of the logarithms of its
 * measured medians, one value per run. 0, -EINVAL (bad options), -ENOMEM.
 */
int trend_build(struct trend_run *runs, size_t n, char **globs, const struct cp_opts *o,
		struct trend *out) __must_check;
void trend_free(struct trend *t);

/* The relative change at change point i of s: the level after over the level before,
 * minus 1. */
double trend_change(const struct trend_series *s, size_t i);

#endif
