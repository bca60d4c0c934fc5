/* Statistics of raw samples (GSL): median, order-statistic CI of the median, spread, outliers. */
#ifndef VMBENCH_STATS_H
#define VMBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"

#define STATS_CI_LEVEL	0.95
#define STATS_OUTLIER_Z 3.5 /* modified z-score (Iglewicz and Hoaglin) */

struct summary {
	size_t n;
	double median;
	bool has_ci; /* false when n is too small for a 95% interval (n < 6) */
	double ci_lo, ci_hi;
	double ci_coverage; /* the exact coverage of [ci_lo, ci_hi], >= STATS_CI_LEVEL */
	double mean;
	double stddev; /* NaN for n < 2 */
	double min, max;
	double mad;	 /* median absolute deviation, unscaled */
	size_t outliers; /* samples whose modified z-score exceeds STATS_OUTLIER_Z: flagged,
			  * never dropped */
};

/*
 * Summarizes n finite samples. The CI of the median is distribution-free: the narrowest
 * pair of order statistics [x(l), x(n+1-l)] whose binomial coverage is at least 95%.
 * 0, -EINVAL (n == 0 or a non-finite sample), -ENOMEM.
 */
int stats_summarize(const double *x, size_t n, struct summary *s) __must_check;
/*
 * The 1-based rank l of the lower bound of that interval for n samples, and its coverage;
 * 0 when no interval reaches the level (n < 6 for 95%).
 */
size_t stats_median_ci_rank(size_t n, double level, double *coverage);

#define STATS_BOOTSTRAP_RESAMPLES 4000

/* The ratio of two samples' medians, median(num) / median(den), with a 95% percentile
 * bootstrap interval: both samples resampled with replacement STATS_BOOTSTRAP_RESAMPLES
 * times (GSL's MT19937 seeded with seed, so the same data and seed give the same
 * interval). */
struct ratio {
	double value;
	bool has_ci; /* false when either side has fewer than 6 samples */
	double ci_lo, ci_hi;
};

/*
 * 0; -EINVAL when a side is empty, a sample is not finite, or median(den) is not > 0 with
 * every value of den > 0 and num >= 0 (a ratio of times or rates); -ENOMEM.
 */
int stats_ratio(const double *num, size_t nn, const double *den, size_t nd, unsigned long seed,
		struct ratio *r) __must_check;

#endif
