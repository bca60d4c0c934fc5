/*
 * Simulation tests of the intervals: runs drawn from a model whose true median is known,
 * with variance between sessions as well as within them, and the share of runs whose 95%
 * interval holds the truth. A sample of session s is mu · exp(b_s + e_i), b_s ~ N(0, sb²)
 * the session's own level (a boot's page placement, a neighbour's load), e_i ~ N(0, sw²);
 * its distribution's median is mu. 1000 runs give the share within ±1.4 points (two
 * standard errors of 0.69 at 95%): honest intervals land in 93–97%, and an interval that
 * leaves the sessions out falls far below. Fixed seeds: the same draws on every run of the test.
 */
#include <math.h>

#include <criterion/criterion.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "harness/stats.h"

#define RUNS	    1000
#define MAX_SAMPLES 256

struct model {
	size_t k, m;   /* sessions, samples per session */
	double sb, sw; /* standard deviations of the log level between and within sessions */
};

/* One run of the model: k sessions of m samples into x, sizes into sizes. */
static void draw(gsl_rng *rng, const struct model *md, double mu, double *x, size_t *sizes)
{
	for (size_t s = 0; s < md->k; s++) {
		double b = gsl_ran_gaussian(rng, md->sb);
		sizes[s] = md->m;
		for (size_t i = 0; i < md->m; i++)
			x[s * md->m + i] = mu * exp(b + gsl_ran_gaussian(rng, md->sw));
	}
}

/* The share of RUNS runs whose session interval holds mu; in *pooled, that of the
 * order-statistic interval of all samples taken as independent. */
static double coverage(const struct model *md, unsigned long seed, double *pooled)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[MAX_SAMPLES], mu = 250.0;
	size_t sizes[MAX_SAMPLES];
	int hit = 0, hit_pooled = 0;

	cr_assert_leq(md->k * md->m, MAX_SAMPLES);
	gsl_rng_set(rng, seed);
	for (int r = 0; r < RUNS; r++) {
		struct summary s, p;
		draw(rng, md, mu, x, sizes);
		cr_assert_eq(stats_sessions(x, sizes, md->k, &s), 0);
		cr_assert(s.has_ci);
		hit += s.ci_lo <= mu && mu <= s.ci_hi;
		cr_assert_eq(stats_summarize(x, md->k * md->m, &p), 0);
		hit_pooled += p.has_ci && p.ci_lo <= mu && mu <= p.ci_hi;
	}
	gsl_rng_free(rng);
	if (pooled)
		*pooled = (double)hit_pooled / RUNS;
	return (double)hit / RUNS;
}

Test(stats_sim, median_interval_covers_95_percent)
{
	/* The quick profile's shape, then more sessions, then sessions that barely differ. */
	const struct model models[] = {
		{ 3, 5, 0.08, 0.03 },
		{ 5, 6, 0.10, 0.05 },
		{ 10, 6, 0.05, 0.05 },
		{ 3, 5, 0.005, 0.05 },
	};

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		double pooled, cov = coverage(&models[i], 1000 + i, &pooled);
		cr_log_info("k=%zu m=%zu: coverage %.3f (pooled order statistics %.3f)",
			    models[i].k, models[i].m, cov, pooled);
		cr_assert(cov >= 0.93 && cov <= 0.97, "k=%zu m=%zu sb=%g: coverage %.3f",
			  models[i].k, models[i].m, models[i].sb, cov);
	}
}

/* What the test guards against: samples pooled as if independent, with sessions that
 * differ more than samples within one, cover far less than they claim. */
Test(stats_sim, pooled_samples_undercover)
{
	const struct model md = { 3, 5, 0.08, 0.03 };
	double pooled;

	coverage(&md, 77, &pooled);
	cr_assert_lt(pooled, 0.80, "pooled order statistics cover %.3f", pooled);
}

Test(stats_sim, ratio_interval_covers_95_percent)
{
	const struct model a = { 3, 5, 0.08, 0.03 }, b = { 3, 5, 0.04, 0.05 };
	const struct model c = { 5, 6, 0.10, 0.02 }, d = { 5, 6, 0.10, 0.02 };
	const struct model *pairs[][2] = { { &a, &b }, { &c, &d }, { &a, &d } };
	double x[MAX_SAMPLES], y[MAX_SAMPLES], mx[MAX_SAMPLES], my[MAX_SAMPLES];
	size_t sx[MAX_SAMPLES], sy[MAX_SAMPLES];

	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		const struct model *u = pairs[p][0], *v = pairs[p][1];
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		int hit = 0;
		gsl_rng_set(rng, 2000 + p);
		for (int r = 0; r < RUNS; r++) {
			struct ratio q;
			draw(rng, u, 300.0, x, sx);
			draw(rng, v, 200.0, y, sy);
			cr_assert_eq(stats_session_medians(x, sx, u->k, mx), 0);
			cr_assert_eq(stats_session_medians(y, sy, v->k, my), 0);
			cr_assert_eq(stats_ratio(mx, u->k, my, v->k, &q), 0);
			hit += q.ci_lo <= 1.5 && 1.5 <= q.ci_hi;
		}
		gsl_rng_free(rng);
		double cov = (double)hit / RUNS;
		cr_log_info("ratio %zu: coverage %.3f", p, cov);
		cr_assert(cov >= 0.93 && cov <= 0.97, "ratio pair %zu: coverage %.3f", p, cov);
	}
}
