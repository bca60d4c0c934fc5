/* Statistics of raw samples with GSL: no hand-written distributions. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
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
