/* Change points in a series of runs: E-divisive with the energy statistic (Matteson & James,
 * "A nonparametric approach for multiple change point analysis of multivariate data", JASA
 * 2014), the method MongoDB's performance CI uses on its benchmark histories (Daly et al.,
 * ICPE 2020): no distribution assumed, significance by a permutation test. */
#ifndef VMBENCH_CHANGEPOINT_H
#define VMBENCH_CHANGEPOINT_H

#include <stddef.h>

#include "common/compiler.h"

#define CP_MAX 32

struct cp_result {
	size_t at[CP_MAX]; /* where a new segment starts (index into x), ascending */
	double p[CP_MAX];  /* the permutation p-value of each */
	size_t n;
};

struct cp_opts {
	size_t min_size; /* points per segment at least (>= 2) */
	double alpha;	 /* a split is kept while its p-value is below alpha */
	unsigned perms;	 /* permutations per test */
	unsigned long seed;
};

/*
 * Q̂ of splitting x[0..n) before t (Matteson & James, eq. 3 and 4 with α = 1):
 * m·k/(m+k) · (2/(m·k)·Σ|a−b| − Σ|a−a'|/C(m,2) − Σ|b−b'|/C(k,2)) over a in x[0..t),
 * b in x[t..n), m = t, k = n − t; a within-sum of a single point counts 0.
 */
double cp_energy(const double *x, size_t n, size_t t);

/*
 * The change points of x[0..n): at each step the split τ of largest Q̂(X_τ, Y_τ(κ)) within
 * a current segment (X the points before τ, Y those from τ up to some κ, both searched), kept when
 * a permutation test (the points shuffled within their segments, the largest Q̂ over the segments
 * each time) gives p = (1 + #{Q̂* ≥ Q̂}) / (1 + perms) below alpha; the first split that is not ends
 * it. Seeded: the same input gives the same answer. 0, -EINVAL (bad options), -ENOMEM.
 */
int cp_edivisive(const double *x, size_t n, const struct cp_opts *o, struct cp_result *out)
	__must_check;

#endif
