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
	s->sessions = 1;
	s->session_sd = NAN;
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

int stats_session_medians(const double *x, const size_t *sizes, size_t k, double *med)
{
	size_t most = 0, off = 0;

	for (size_t i = 0; i < k; i++) {
		if (sizes[i] == 0)
			return -EINVAL;
		most = sizes[i] > most ? sizes[i] : most;
	}
	double *v = malloc((most ? most : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < k; i++) {
		memcpy(v, x + off, sizes[i] * sizeof(*v));
		med[i] = median_of(v, sizes[i]);
		off += sizes[i];
	}
	free(v);
	return 0;
}

/* The logarithms of k values, all finite and > 0; false when one is not. */
static bool logs_of(const double *m, size_t k, double *out)
{
	for (size_t i = 0; i < k; i++) {
		if (!isfinite(m[i]) || m[i] <= 0)
			return false;
		out[i] = log(m[i]);
	}
	return true;
}

int stats_sessions(const double *x, const size_t *sizes, size_t k, struct summary *s)
{
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < k; i++)
		n += sizes[i];
	if (k == 0)
		return -EINVAL;
	ret = stats_summarize(x, n, s);
	if (ret < 0)
		return ret;
	s->sessions = k;
	s->session_sd = NAN;
	if (k == 1) {
		/* One session: its median, and no interval that would claim to know another's. */
		s->has_ci = false;
		s->ci_lo = s->ci_hi = s->ci_coverage = NAN;
		return 0;
	}
	double *m = malloc(2 * k * sizeof(*m)), *y = m + k;
	if (!m)
		return -ENOMEM;
	ret = stats_session_medians(x, sizes, k, m);
	if (ret == 0 && !logs_of(m, k, y)) {
		/* A session median of 0 or below (a rate that fell to nothing) has no logarithm:
		 * the median of the session medians, and no interval. */
		s->median = median_of(m, k);
		s->has_ci = false;
		s->ci_lo = s->ci_hi = s->ci_coverage = NAN;
	} else if (ret == 0) {
		double mean = gsl_stats_mean(y, 1, k), sd = gsl_stats_sd_m(y, 1, k, mean);
		double half = gsl_cdf_tdist_Pinv(1 - (1 - STATS_CI_LEVEL) / 2, (double)(k - 1)) *
			      sd / sqrt((double)k);
		s->median = exp(mean);
		s->session_sd = sd;
		s->has_ci = true;
		s->ci_lo = exp(mean - half);
		s->ci_hi = exp(mean + half);
		s->ci_coverage = STATS_CI_LEVEL;
	}
	free(m);
	return ret;
}

unsigned stats_sessions_needed(double sd, double rel_half, unsigned max_k)
{
	if (!(sd >= 0) || !(rel_half > 0))
		return 0;
	/* The interval exp(m ± h) is [median/e^h, median·e^h]; half its width over the
	 * median is sinh(h). */
	double h = asinh(rel_half);
	for (unsigned k = 2; k <= max_k; k++)
		if (gsl_cdf_tdist_Pinv(1 - (1 - STATS_CI_LEVEL) / 2, (double)(k - 1)) * sd /
			    sqrt((double)k) <=
		    h)
			return k;
	return 0;
}

int stats_ratio(const double *num, size_t kn, const double *den, size_t kd, struct ratio *r)
{
	memset(r, 0, sizeof(*r));
	r->ci_lo = r->ci_hi = r->p = r->df = NAN;
	if (kn == 0 || kd == 0)
		return -EINVAL;
	double *a = malloc((kn + kd) * sizeof(*a)), *b = a + kn;
	if (!a)
		return -ENOMEM;
	if (!logs_of(num, kn, a) || !logs_of(den, kd, b)) {
		free(a);
		return -EINVAL;
	}
	double ma = gsl_stats_mean(a, 1, kn), mb = gsl_stats_mean(b, 1, kd);
	r->value = exp(ma - mb);
	r->has_ci = kn >= 2 && kd >= 2;
	if (r->has_ci) {
		double va = gsl_stats_variance_m(a, 1, kn, ma) / (double)kn;
		double vb = gsl_stats_variance_m(b, 1, kd, mb) / (double)kd;
		double se = sqrt(va + vb), half = 0;
		if (se > 0) {
			/* Welch-Satterthwaite: the degrees of freedom of the two variances' sum. */
			double df = (va + vb) * (va + vb) /
				    (va * va / (double)(kn - 1) + vb * vb / (double)(kd - 1));
			half = gsl_cdf_tdist_Pinv(1 - (1 - STATS_CI_LEVEL) / 2, df) * se;
			r->df = df;
			r->p = 2 * gsl_cdf_tdist_Q(fabs(ma - mb) / se, df);
		} else {
			/* Every session alike on both sides: certain, either way. */
			r->p = ma == mb ? 1 : 0;
		}
		r->ci_lo = exp(ma - mb - half);
		r->ci_hi = exp(ma - mb + half);
	}
	free(a);
	return 0;
}
