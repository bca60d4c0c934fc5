/* Statistics of raw samples with GSL: no hand-written distributions. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "harness/stats.h"

size_t stats_median_ci_rank(size_t n, double level, double *coverage)
{
	size_t best = 0;
	double cov = 0.0;

	/* Coverage of [x(l), x(n+1-l)] is P(l <= B <= n-l), B ~ Binomial(n, 1/2),
	 * that is 1 - 2 P(B <= l-1). It shrinks as l grows; keep the largest l above level. */
	for (size_t l = 1; 2 * l <= n; l++) {
		double c = 1.0 - 2.0 * gsl_cdf_binomial_P((unsigned)(l - 1), 0.5, (unsigned)n);
		if (c < level)
			break;
		best = l;
		cov = c;
	}
	if (coverage)
		*coverage = best ? cov : NAN;
	return best;
}

int stats_summarize(const double *x, size_t n, struct summary *s)
{
	double *v, *dev;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	v = malloc(n * sizeof(*v));
	dev = malloc(n * sizeof(*dev));
	if (!v || !dev) {
		free(v);
		free(dev);
		return -ENOMEM;
	}
	memcpy(v, x, n * sizeof(*v));
	gsl_sort(v, 1, n);

	s->n = n;
	s->median = gsl_stats_median_from_sorted_data(v, 1, n);
	s->mean = gsl_stats_mean(v, 1, n);
	s->stddev = n > 1 ? gsl_stats_sd_m(v, 1, n, s->mean) : NAN;
	s->min = v[0];
	s->max = v[n - 1];
	s->mad = gsl_stats_mad0(v, 1, n, dev);

	size_t l = stats_median_ci_rank(n, STATS_CI_LEVEL, &s->ci_coverage);
	s->has_ci = l > 0;
	s->ci_lo = s->has_ci ? v[l - 1] : NAN;
	s->ci_hi = s->has_ci ? v[n - l] : NAN;

	if (s->mad > 0)
		for (size_t i = 0; i < n; i++)
			if (0.6745 * fabs(v[i] - s->median) / s->mad > STATS_OUTLIER_Z)
				s->outliers++;
	free(v);
	free(dev);
	return 0;
}

static double median_of(double *v, size_t n)
{
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}

/* A resample of x (n values, with replacement) into out. */
static void resample(gsl_rng *rng, const double *x, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = x[gsl_rng_uniform_int(rng, n)];
}

static bool ratio_input_ok(const double *x, size_t n, bool den)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || (den ? x[i] <= 0 : x[i] < 0))
			return false;
	return true;
}

int stats_ratio(const double *num, size_t nn, const double *den, size_t nd, unsigned long seed,
		struct ratio *r)
{
	size_t n = nn > nd ? nn : nd;
	int ret = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!ratio_input_ok(num, nn, false) || !ratio_input_ok(den, nd, true))
		return -EINVAL;
	double *a = malloc(n * sizeof(*a));
	double *boot = malloc(STATS_BOOTSTRAP_RESAMPLES * sizeof(*boot));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!a || !boot || !rng)
		goto out;
	memcpy(a, num, nn * sizeof(*a));
	double mnum = median_of(a, nn);
	memcpy(a, den, nd * sizeof(*a));
	r->value = mnum / median_of(a, nd);
	r->has_ci = stats_median_ci_rank(nn, STATS_CI_LEVEL, NULL) &&
		    stats_median_ci_rank(nd, STATS_CI_LEVEL, NULL);
	r->ci_lo = r->ci_hi = NAN;
	if (r->has_ci) {
		gsl_rng_set(rng, seed);
		for (size_t b = 0; b < STATS_BOOTSTRAP_RESAMPLES; b++) {
			resample(rng, num, nn, a);
			double m = median_of(a, nn);
			resample(rng, den, nd, a);
			boot[b] = m / median_of(a, nd);
		}
		gsl_sort(boot, 1, STATS_BOOTSTRAP_RESAMPLES);
		double tail = (1.0 - STATS_CI_LEVEL) / 2;
		r->ci_lo = gsl_stats_quantile_from_sorted_data(boot, 1, STATS_BOOTSTRAP_RESAMPLES,
							       tail);
		r->ci_hi = gsl_stats_quantile_from_sorted_data(boot, 1, STATS_BOOTSTRAP_RESAMPLES,
							       1.0 - tail);
	}
	ret = 0;
out:
	free(a);
	free(boot);
	if (rng)
		gsl_rng_free(rng);
	return ret;
}
