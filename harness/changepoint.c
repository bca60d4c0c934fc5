/* E-divisive change points (harness/changepoint.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "harness/changepoint.h"

static double q_of(double between, double wa, double wb, size_t m, size_t k)
{
	double e = 2 * between / ((double)m * k);

	if (m > 1)
		e -= wa / ((double)m * (m - 1) / 2);
	if (k > 1)
		e -= wb / ((double)k * (k - 1) / 2);
	return (double)m * k / (m + k) * e;
}

double cp_energy(const double *x, size_t n, size_t t)
{
	double b = 0, wa = 0, wb = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double d = fabs(x[i] - x[j]);
			if (j < t)
				wa += d;
			else if (i >= t)
				wb += d;
			else
				b += d;
		}
	return q_of(b, wa, wb, t, n - t);
}

/*
 * The split of y[0..n) of largest Q̂(X_τ, Y_τ(κ)) with at least min points a side: X the
 * points before τ, Y those from τ up to κ (Matteson & James search κ too, so that a segment
 * that steps up and back down still shows its first step). With c[a·n + j] = Σ_{i<a}
 * |y_i − y_j| every sum is updated in O(1), O(n²) in all. -1 when none fits.
 */
static double best_split(const double *y, size_t n, size_t min, double *c, size_t *at)
{
	double wa = 0, best = -1;

	if (n < 2 * min)
		return -1;
	for (size_t j = 0; j < n; j++) {
		c[j] = 0;
		for (size_t a = 1; a <= n; a++)
			c[a * n + j] = c[(a - 1) * n + j] + fabs(y[a - 1] - y[j]);
	}
	for (size_t j = 0; j < min; j++)
		wa += c[j * n + j];
	for (size_t t = min; t + min <= n; t++) {
		double b = 0, wb = 0;
		for (size_t k = t + 1; k <= n; k++) {
			b += c[t * n + k - 1];
			wb += c[(k - 1) * n + k - 1] - c[t * n + k - 1];
			if (k - t < min)
				continue;
			double q = q_of(b, wa, wb, t, k - t);
			if (q > best) {
				best = q;
				*at = t;
			}
		}
		wa += c[t * n + t];
	}
	return best;
}

/* The best split over the segments bounds[0..nb] of y: its Q̂, and where. */
static double best_over(const double *y, const size_t *bounds, size_t nb, size_t min, double *c,
			size_t *at)
{
	double best = -1;

	for (size_t s = 0; s + 1 < nb; s++) {
		size_t t = 0;
		double q = best_split(y + bounds[s], bounds[s + 1] - bounds[s], min, c, &t);
		if (q > best) {
			best = q;
			*at = bounds[s] + t;
		}
	}
	return best;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int cp_edivisive(const double *x, size_t n, const struct cp_opts *o, struct cp_result *out)
{
	size_t bounds[CP_MAX + 2] = { 0, n }, nb = 2;
	double *y, *c;
	gsl_rng *rng;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (o->min_size < 2 || !(o->alpha > 0 && o->alpha < 1) || o->perms < 1)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	y = malloc((n ? n : 1) * sizeof(*y));
	c = malloc((n + 1) * (n ? n : 1) * sizeof(*c));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!y || !c || !rng) {
		ret = -ENOMEM;
		goto out;
	}
	gsl_rng_set(rng, o->seed);
	while (out->n < CP_MAX) {
		size_t at, ignored;
		double q = best_over(x, bounds, nb, o->min_size, c, &at);
		unsigned as_large = 0;
		if (q < 0)
			break;
		/* Under no change the order within each segment is exchangeable. */
		for (unsigned r = 0; r < o->perms; r++) {
			memcpy(y, x, n * sizeof(*y));
			for (size_t s = 0; s + 1 < nb; s++)
				gsl_ran_shuffle(rng, y + bounds[s], bounds[s + 1] - bounds[s],
						sizeof(*y));
			as_large += best_over(y, bounds, nb, o->min_size, c, &ignored) >= q;
		}
		double p = (1.0 + as_large) / (1.0 + o->perms);
		if (!(p < o->alpha))
			break;
		out->at[out->n] = at;
		out->p[out->n++] = p;
		bounds[nb++] = at;
		qsort(bounds, nb, sizeof(*bounds), cmp_size);
	}
	/* In series order, each with its p-value. */
	for (size_t i = 1; i < out->n; i++)
		for (size_t j = i; j > 0 && out->at[j - 1] > out->at[j]; j--) {
			size_t ta = out->at[j];
			double tp = out->p[j];
			out->at[j] = out->at[j - 1];
			out->p[j] = out->p[j - 1];
			out->at[j - 1] = ta;
			out->p[j - 1] = tp;
		}
out:
	free(y);
	free(c);
	if (rng)
		gsl_rng_free(rng);
	return ret;
}
