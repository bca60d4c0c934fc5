/* Unit tests of harness/stats.h: the median CI rank and coverage, stats_summarize, the
 * session-level interval (stats_sessions) and the interval of a ratio (stats_ratio). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "harness/stats.h"

/* C(n, k), exact for the small n used here. */
static uint64_t choose(unsigned n, unsigned k)
{
	uint64_t c = 1;

	for (unsigned i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

/* Coverage of [x(l), x(n+1-l)]: 1 - 2 P(B <= l-1), B ~ Binomial(n, 1/2), summed by hand. */
static double coverage_of(unsigned n, unsigned l)
{
	uint64_t tail = 0;

	for (unsigned k = 0; k < l; k++)
		tail += choose(n, k);
	return 1.0 - 2.0 * (double)tail / (double)(1ull << n);
}

/* A deterministic shuffle (Fisher-Yates with a fixed LCG). */
static void shuffle(double *x, size_t n, uint32_t seed)
{
	for (size_t i = n - 1; i > 0; i--) {
		seed = seed * 1664525u + 1013904223u;
		size_t j = (seed >> 8) % (i + 1);
		double t = x[i];
		x[i] = x[j];
		x[j] = t;
	}
}

Test(stats_ci_rank, choose_helper)
{
	cr_assert_eq(choose(20, 6), 38760);
	cr_assert_eq(choose(10, 2), 45);
	cr_assert_eq(choose(6, 0), 1);
}

Test(stats_ci_rank, too_few_samples)
{
	for (size_t n = 0; n <= 5; n++) {
		double cov = 0;
		cr_assert_eq(stats_median_ci_rank(n, STATS_CI_LEVEL, &cov), 0, "n=%zu", n);
	}
	/* coverage may be NULL */
	cr_assert_eq(stats_median_ci_rank(5, STATS_CI_LEVEL, NULL), 0);
}

Test(stats_ci_rank, n6)
{
	double cov = 0;

	cr_assert_eq(stats_median_ci_rank(6, STATS_CI_LEVEL, &cov), 1);
	cr_assert_float_eq(cov, 1.0 - 2.0 / 64.0, 1e-9);
	cr_assert_float_eq(cov, coverage_of(6, 1), 1e-9);
}

Test(stats_ci_rank, n10)
{
	double cov = 0;

	cr_assert_eq(stats_median_ci_rank(10, STATS_CI_LEVEL, &cov), 2);
	cr_assert_float_eq(cov, coverage_of(10, 2), 1e-9);
	cr_assert_float_eq(cov, 0.9785, 1e-4);
	/* rank 3 would be below the level */
	cr_assert_lt(coverage_of(10, 3), STATS_CI_LEVEL);
}

Test(stats_ci_rank, n20)
{
	double cov = 0;

	cr_assert_eq(stats_median_ci_rank(20, STATS_CI_LEVEL, &cov), 6);
	cr_assert_float_eq(cov, coverage_of(20, 6), 1e-9);
	cr_assert_float_eq(cov, 0.9586, 1e-4);
	cr_assert_lt(coverage_of(20, 7), STATS_CI_LEVEL);
}

Test(stats_ci_rank, largest_rank_above_level)
{
	/* For every n up to 60: the rank is the largest with coverage >= the level. */
	for (unsigned n = 6; n <= 60; n++) {
		double cov = 0;
		size_t l = stats_median_ci_rank(n, STATS_CI_LEVEL, &cov);
		cr_assert_geq(l, 1, "n=%u", n);
		cr_assert_geq(cov, STATS_CI_LEVEL, "n=%u", n);
		cr_assert_lt(coverage_of(n, (unsigned)l + 1), STATS_CI_LEVEL, "n=%u l=%zu", n, l);
		cr_assert_float_eq(cov, coverage_of(n, (unsigned)l), 1e-9, "n=%u", n);
	}
}

Test(stats_summarize, odd_n)
{
	const double x[] = { 5, 1, 4, 2, 3 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 5, &s), 0);
	cr_assert_eq(s.n, 5);
	cr_assert_float_eq(s.median, 3.0, 1e-12);
	cr_assert_float_eq(s.min, 1.0, 1e-12);
	cr_assert_float_eq(s.max, 5.0, 1e-12);
	cr_assert_float_eq(s.mean, 3.0, 1e-12);
	cr_assert_float_eq(s.stddev, sqrt(2.5), 1e-12); /* sample standard deviation */
	cr_assert_float_eq(s.mad, 1.0, 1e-12);
	cr_assert_not(s.has_ci, "n=5 has no 95%% interval");
	cr_assert(isnan(s.ci_lo) && isnan(s.ci_hi));
	cr_assert_eq(s.outliers, 0);
}

Test(stats_summarize, even_n)
{
	const double x[] = { 8, 2, 6, 4 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 4, &s), 0);
	cr_assert_float_eq(s.median, 5.0, 1e-12);
	cr_assert_float_eq(s.min, 2.0, 1e-12);
	cr_assert_float_eq(s.max, 8.0, 1e-12);
	cr_assert_float_eq(s.mean, 5.0, 1e-12);
	cr_assert_not(s.has_ci);
}

Test(stats_summarize, input_not_modified)
{
	double x[] = { 3, 1, 2 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 3, &s), 0);
	cr_assert_float_eq(x[0], 3.0, 0);
	cr_assert_float_eq(x[1], 1.0, 0);
	cr_assert_float_eq(x[2], 2.0, 0);
}

Test(stats_summarize, ci_n10_shuffled)
{
	double x[10];
	struct summary s;

	/* sorted: 1, 4, 7, ..., 28 */
	for (int i = 0; i < 10; i++)
		x[i] = 1 + 3 * i;
	shuffle(x, 10, 12345);
	cr_assert_eq(stats_summarize(x, 10, &s), 0);
	cr_assert(s.has_ci);
	cr_assert_float_eq(s.ci_lo, 4.0, 1e-12);  /* x(2) */
	cr_assert_float_eq(s.ci_hi, 25.0, 1e-12); /* x(9) */
	cr_assert_float_eq(s.ci_coverage, coverage_of(10, 2), 1e-9);
	cr_assert_float_eq(s.median, (13.0 + 16.0) / 2, 1e-12);
	cr_assert_float_eq(s.min, 1.0, 1e-12);
	cr_assert_float_eq(s.max, 28.0, 1e-12);
	cr_assert_float_eq(s.mean, 14.5, 1e-12);
	cr_assert_leq(s.ci_lo, s.median);
	cr_assert_geq(s.ci_hi, s.median);
}

Test(stats_summarize, ci_n20_shuffled)
{
	double x[20];
	struct summary s;

	/* sorted: 0.5, 1.0, ..., 10.0 */
	for (int i = 0; i < 20; i++)
		x[i] = 0.5 * (i + 1);
	shuffle(x, 20, 987654321u);
	cr_assert_eq(stats_summarize(x, 20, &s), 0);
	cr_assert(s.has_ci);
	cr_assert_float_eq(s.ci_lo, 3.0, 1e-12); /* x(6) */
	cr_assert_float_eq(s.ci_hi, 7.5, 1e-12); /* x(15) */
	cr_assert_float_eq(s.ci_coverage, coverage_of(20, 6), 1e-9);
	cr_assert_float_eq(s.median, 5.25, 1e-12);
}

Test(stats_summarize, single_sample)
{
	const double x[] = { 42.5 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 1, &s), 0);
	cr_assert_eq(s.n, 1);
	cr_assert_float_eq(s.median, 42.5, 1e-12);
	cr_assert_float_eq(s.mean, 42.5, 1e-12);
	cr_assert_float_eq(s.min, 42.5, 1e-12);
	cr_assert_float_eq(s.max, 42.5, 1e-12);
	cr_assert(isnan(s.stddev), "stddev of one sample is %g, expected NaN", s.stddev);
	cr_assert_not(s.has_ci);
	cr_assert_eq(s.outliers, 0);
}

Test(stats_summarize, outlier_flagged_not_dropped)
{
	const double x[] = { 10, 11, 10, 12, 11, 1000, 10, 11, 12, 10 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 10, &s), 0);
	cr_assert_eq(s.outliers, 1);
	cr_assert_eq(s.n, 10);
	cr_assert_float_eq(s.max, 1000.0, 1e-12);
	cr_assert_float_eq(s.median, 11.0, 1e-12);
	cr_assert_float_eq(s.mad, 1.0, 1e-12);
	/* the mean still includes it */
	cr_assert_float_eq(s.mean, 1097.0 / 10, 1e-9);
}

Test(stats_summarize, steady_samples_no_outliers)
{
	const double x[] = { 10, 11, 10, 12, 11, 10, 10, 11, 12, 10 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 10, &s), 0);
	cr_assert_eq(s.outliers, 0);
}

Test(stats_summarize, mad_zero_flags_nothing)
{
	const double x[] = { 5, 5, 5, 5, 5, 5, 5, 900 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 8, &s), 0);
	cr_assert_float_eq(s.mad, 0.0, 0);
	cr_assert_eq(s.outliers, 0);
	cr_assert_float_eq(s.max, 900.0, 1e-12);
}

Test(stats_summarize, non_finite_rejected)
{
	const double with_nan[] = { 1, 2, NAN, 4 };
	const double with_inf[] = { 1, INFINITY, 3 };
	const double with_ninf[] = { -INFINITY, 2 };
	struct summary s;

	cr_assert_eq(stats_summarize(with_nan, 4, &s), -EINVAL);
	cr_assert_eq(stats_summarize(with_inf, 3, &s), -EINVAL);
	cr_assert_eq(stats_summarize(with_ninf, 2, &s), -EINVAL);
}

Test(stats_summarize, empty_rejected)
{
	const double x[] = { 1 };
	struct summary s;

	cr_assert_eq(stats_summarize(x, 0, &s), -EINVAL);
}

Test(stats_sessions, one_session_has_no_interval)
{
	double x[] = { 5, 3, 4, 6, 2, 4, 4, 5 };
	size_t n = 8;
	struct summary s;

	cr_assert_eq(stats_sessions(x, &n, 1, &s), 0);
	cr_assert_eq(s.sessions, 1);
	cr_assert_eq(s.n, 8);
	cr_assert_float_eq(s.median, 4.0, 1e-12);
	cr_assert_not(s.has_ci, "one session says nothing about the next one");
	cr_assert(isnan(s.ci_lo) && isnan(s.ci_hi) && isnan(s.session_sd));
}

/* The estimate and interval worked out by hand: session medians 100, 110, 121 (logs evenly
 * spaced by log 1.1), so the geometric mean is 110 and the interval is 110 ×/÷
 * 1.1^(t(0.975, 2) / sqrt(3)), t(0.975, 2) = 4.302653. */
Test(stats_sessions, t_interval_on_the_log_session_medians)
{
	double x[] = { 90, 100, 130, /**/ 110, 112, 108, 50, 200, /**/ 121 };
	size_t sizes[] = { 3, 5, 1 };
	struct summary s;

	cr_assert_eq(stats_sessions(x, sizes, 3, &s), 0);
	cr_assert_eq(s.sessions, 3);
	cr_assert_eq(s.n, 9);
	cr_assert_float_eq(s.median, 110.0, 1e-9);
	cr_assert(s.has_ci);
	double f = pow(1.1, 4.302653 / sqrt(3.0));
	cr_assert_float_eq(s.ci_lo, 110.0 / f, 1e-4);
	cr_assert_float_eq(s.ci_hi, 110.0 * f, 1e-4);
	cr_assert_float_eq(s.session_sd, log(1.1), 1e-9);
	/* Spread and extremes are of all samples. */
	cr_assert_float_eq(s.min, 50, 1e-12);
	cr_assert_float_eq(s.max, 200, 1e-12);
}

Test(stats_sessions, equal_sessions_give_a_point_interval)
{
	double x[] = { 7, 7, 7, 7, 7, 7 };
	size_t sizes[] = { 2, 2, 2 };
	struct summary s;

	cr_assert_eq(stats_sessions(x, sizes, 3, &s), 0);
	cr_assert_float_eq(s.median, 7.0, 1e-12);
	cr_assert_float_eq(s.ci_lo, 7.0, 1e-12);
	cr_assert_float_eq(s.ci_hi, 7.0, 1e-12);
}

Test(stats_sessions, bad_input_rejected)
{
	double x[] = { 1, 2, 3, 4 }, neg[] = { 1, 2, -3, -4 }, nan_[] = { 1, NAN, 3, 4 };
	size_t two[] = { 2, 2 }, hole[] = { 2, 0, 2 };
	struct summary s;
	double med[3];

	cr_assert_eq(stats_sessions(x, two, 0, &s), -EINVAL, "no session");
	cr_assert_eq(stats_sessions(x, hole, 3, &s), -EINVAL, "an empty session");
	/* A median below 0 has no logarithm: the median of the medians, no interval. */
	cr_assert_eq(stats_sessions(neg, two, 2, &s), 0);
	cr_assert_not(s.has_ci);
	cr_assert_float_eq(s.median, (1.5 - 3.5) / 2, 1e-12);
	cr_assert_eq(stats_sessions(nan_, two, 2, &s), -EINVAL);
	cr_assert_eq(stats_session_medians(x, hole, 3, med), -EINVAL);
	cr_assert_eq(stats_session_medians(x, two, 2, med), 0);
	cr_assert_float_eq(med[0], 1.5, 1e-12);
	cr_assert_float_eq(med[1], 3.5, 1e-12);
}

Test(stats_ratio, constant_sessions_give_an_exact_interval)
{
	double num[] = { 6, 6, 6 }, den[] = { 3, 3, 3, 3 };
	struct ratio r;

	cr_assert_eq(stats_ratio(num, 3, den, 4, &r), 0);
	cr_assert_float_eq(r.value, 2.0, 1e-12);
	cr_assert(r.has_ci);
	cr_assert_float_eq(r.ci_lo, 2.0, 1e-12);
	cr_assert_float_eq(r.ci_hi, 2.0, 1e-12);
}

/* Welch by hand: logs of num have mean log 22 and variance v1, den's mean log 10 and
 * variance 0; the interval is 2.2 ×/÷ exp(t(0.975, 2) sqrt(v1 / 3)). */
Test(stats_ratio, welch_on_the_log_medians)
{
	double num[] = { 20, 22, 24.2 }, den[] = { 10, 10, 10 };
	struct ratio r;

	cr_assert_eq(stats_ratio(num, 3, den, 3, &r), 0);
	double l[] = { log(20), log(22), log(24.2) }, m = (l[0] + l[1] + l[2]) / 3;
	double v =
		((l[0] - m) * (l[0] - m) + (l[1] - m) * (l[1] - m) + (l[2] - m) * (l[2] - m)) / 2;
	cr_assert_float_eq(r.value, exp(m) / 10, 1e-9);
	/* With one side constant the degrees of freedom are the other's: 2. */
	double half = 4.302653 * sqrt(v / 3);
	cr_assert_float_eq(r.ci_lo, exp(m - half) / 10, 1e-5);
	cr_assert_float_eq(r.ci_hi, exp(m + half) / 10, 1e-5);
}

Test(stats_ratio, one_session_no_interval)
{
	double num[] = { 4 }, den[] = { 2, 2, 2 };
	struct ratio r;

	cr_assert_eq(stats_ratio(num, 1, den, 3, &r), 0);
	cr_assert_float_eq(r.value, 2.0, 1e-12);
	cr_assert_not(r.has_ci);
	cr_assert(isnan(r.ci_lo) && isnan(r.ci_hi));
}

Test(stats_ratio, bad_input_rejected)
{
	double ok[] = { 1, 2, 3 }, zero[] = { 1, 0, 3 }, neg[] = { 1, -2, 3 },
	       nan_[] = { 1, NAN, 3 };
	struct ratio r;

	cr_assert_eq(stats_ratio(ok, 3, zero, 3, &r), -EINVAL, "a zero median");
	cr_assert_eq(stats_ratio(neg, 3, ok, 3, &r), -EINVAL, "a negative time");
	cr_assert_eq(stats_ratio(nan_, 3, ok, 3, &r), -EINVAL);
	cr_assert_eq(stats_ratio(ok, 0, ok, 3, &r), -EINVAL);
	cr_assert_eq(stats_ratio(ok, 3, zero, 1, &r), 0, "the zero is past k");
}

/* Sessions needed for a 10% half-width: sd 0.1 needs 7 (t(0.975, 6)/sqrt(7) = 0.925 and
 * sinh(0.0925) < 0.1, while 6 give t(0.975, 5)/sqrt(6) = 1.050: 10.5%). */
Test(stats_sessions_needed, smallest_k_that_meets_the_limit)
{
	cr_assert_eq(stats_sessions_needed(0.1, 0.10, 1000), 7);
	cr_assert_eq(stats_sessions_needed(0, 0.10, 1000), 2, "no spread: 2 make an interval");
	/* Whatever it returns meets the limit, and one fewer does not. */
	for (double sd = 0.01; sd < 0.5; sd *= 1.7) {
		unsigned k = stats_sessions_needed(sd, 0.10, 1000);
		cr_assert_geq(k, 2, "sd %g", sd);
		double at = gsl_cdf_tdist_Pinv(0.975, k - 1) * sd / sqrt(k);
		cr_assert_leq(sinh(at), 0.10, "sd %g, %u sessions", sd, k);
		if (k > 2) {
			double fewer = gsl_cdf_tdist_Pinv(0.975, k - 2) * sd / sqrt(k - 1);
			cr_assert_gt(sinh(fewer), 0.10, "sd %g: %u sessions would do", sd, k - 1);
		}
	}
	cr_assert_eq(stats_sessions_needed(2.0, 0.10, 50), 0, "beyond the cap");
	cr_assert_eq(stats_sessions_needed(NAN, 0.10, 50), 0);
}
