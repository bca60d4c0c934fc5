/* Statistics of raw samples (GSL): the estimate of a cell's median and its 95% CI from samples
 * taken in sessions, ratios of two cells, spread and outliers. */
#ifndef VMBENCH_STATS_H
#define VMBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"

#define STATS_CI_LEVEL	0.95
#define STATS_OUTLIER_Z 3.5 /* modified z-score (Iglewicz and Hoaglin) */

struct summary {
	size_t n;
	size_t sessions; /* groups the samples came in (stats_sessions); 1 for stats_summarize */
	double median;	 /* the estimate: see stats_summarize and stats_sessions */
	bool has_ci;
	double ci_lo, ci_hi;
	double ci_coverage; /* the coverage [ci_lo, ci_hi] is built for: exact for order
			     * statistics, nominal for the t interval */
	double session_sd;  /* the standard deviation of the logs of the session medians
			     * (about their relative spread); NAN for fewer than 2 sessions */
	double mean;
	double stddev; /* NaN for n < 2 */
	double min, max;
	double mad;	 /* median absolute deviation, unscaled */
	size_t outliers; /* samples whose modified z-score exceeds STATS_OUTLIER_Z: flagged,
			  * never dropped */
};

/*
 * Summarizes n finite samples that are independent of each other (one group). The CI of
 * the median is distribution-free: the narrowest pair of order statistics [x(l), x(n+1-l)]
 * whose binomial coverage is at least 95% (none for n < 6). 0, -EINVAL (n == 0 or a
 * non-finite sample), -ENOMEM.
 */
int stats_summarize(const double *x, size_t n, struct summary *s) __must_check;

/*
 * The 1-based rank l of the lower bound of that interval for n samples, and its coverage;
 * 0 when no interval reaches the level (n < 6 for 95%).
 */
size_t stats_median_ci_rank(size_t n, double level, double *coverage);

/*
 * Summarizes samples taken in k sessions (sizes[i] samples each, in order; a session is a
 * fresh boot, container or agent, the unit of replication). Samples of one session share
 * its state, so they are not independent: the interval comes from the sessions. The
 * estimate is the geometric mean of the session medians, with a Student t 95% interval
 * (k - 1 degrees of freedom) on their logarithms: the method of independent replications,
 * whose spread of session-level values holds the variance within and between sessions.
 * A single session gives its median and no interval (nothing says how far another session
 * would be), and so do sessions with a median <= 0 (no logarithm: the median of the
 * session medians). Identical session medians give a zero-width interval. Spread and
 * outliers are of all samples. 0; -EINVAL (no sample, an empty session, a non-finite
 * sample); -ENOMEM.
 */
int stats_sessions(const double *x, const size_t *sizes, size_t k, struct summary *s) __must_check;

/* How many sessions whose log medians spread by sd (summary.session_sd) make the t interval
 * of stats_sessions no wider than rel_half of its estimate on each side, in expectation:
 * the smallest k with sinh(t(0.975, k-1)·sd/√k) <= rel_half; 0 when more than max_k. */
unsigned stats_sessions_needed(double sd, double rel_half, unsigned max_k);
/* The median of each of k sessions of x into med (k values). 0, -EINVAL, -ENOMEM. */
int stats_session_medians(const double *x, const size_t *sizes, size_t k, double *med) __must_check;

/* The ratio of two cells' estimates (stats_sessions), with a 95% interval: Welch's t on
 * the logarithms of the session medians (Welch-Satterthwaite degrees of freedom), so the
 * variance between sessions on both sides is in it. */
struct ratio {
	double value;
	bool has_ci; /* false when either side has fewer than 2 sessions */
	double ci_lo, ci_hi;
	/* Welch's t-test of equal means of the logarithms, two-sided: how often sessions
	 * as far apart as these would show a ratio this far from 1 when there is none. NAN
	 * without an interval. */
	double p;
	double df; /* its degrees of freedom (Welch-Satterthwaite); NAN without an interval */
};

/*
 * From the session medians of both sides (kn and kd of them). 0; -EINVAL when a side is
 * empty or a median is not a finite number > 0; -ENOMEM.
 */
int stats_ratio(const double *num, size_t kn, const double *den, size_t kd, struct ratio *r)
	__must_check;

#endif
