/* Unit tests of harness/results.h: cells, their sessions, the noisy rule, ratios. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/results.h"

/* Sessions whose medians are 90, 110 and 100: their geometric mean, and an interval of
 * about ±25% that makes the cell noisy. */
Test(results_cells, sessions_that_differ_are_noisy)
{
	struct results r;
	const double x[] = { 100, 70, 130, 80, /**/ 120, 90, 110, /**/ 60, 140, 100 };
	const size_t sizes[] = { 4, 3, 3 };

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	cr_assert(c->has_stats);
	cr_assert_eq(c->nsessions, 3);
	cr_assert_float_eq(c->stats.median, cbrt(90.0 * 110 * 100), 1e-9);
	cr_assert_lt(c->stats.ci_lo, 80);
	cr_assert_gt(c->stats.ci_hi, 120);
	cr_assert_eq(c->status, CELL_NOISY);
	cr_assert_not_null(c->reason);
	cr_assert(strstr(c->reason, "3 sessions"), "%s", c->reason);
	/* Log session medians spread by 0.100: 7 such sessions would make it 9.3%. */
	cr_assert(strstr(c->reason, "would need about 7)"), "%s", c->reason);
	cr_assert_eq(c->n, 10);
	cr_assert_float_eq(c->samples[7], 60.0, 0, "samples are kept as given");
	results_free(&r);
}

/* Wild samples within sessions whose medians agree: the sessions decide, not the spread of
 * single samples. */
Test(results_cells, sessions_that_agree_are_ok)
{
	struct results r;
	const double x[] = { 50, 100, 150, /**/ 100, 20, 300, /**/ 101, 99, 100, 100, 1000 };
	const size_t sizes[] = { 3, 3, 5 };

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	cr_assert_eq(c->status, CELL_OK, "%s", c->reason ? c->reason : "");
	cr_assert_float_eq(c->stats.median, 100.0, 1e-9);
	results_free(&r);
}

/* Sessions added one by one, as a run adds them: the cell judged again each time. */
Test(results_cells, sessions_added_one_by_one)
{
	struct results r;
	const double a[] = { 100, 101, 99 }, b[] = { 100, 100 }, c3[] = { 150, 151 };

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_eq(cell_add_session(c, a, 3, NULL, NULL, NULL), 0);
	cr_assert_not(c->stats.has_ci, "one session: no interval");
	cr_assert_eq(c->status, CELL_OK);
	cr_assert_eq(cell_add_session(c, b, 2, NULL, NULL, NULL), 0);
	cr_assert(c->stats.has_ci);
	cr_assert_eq(c->status, CELL_OK);
	cr_assert_eq(cell_add_session(c, c3, 2, NULL, NULL, NULL), 0);
	cr_assert_eq(c->nsessions, 3);
	cr_assert_eq(c->sessions[0], 3);
	cr_assert_eq(c->sessions[2], 2);
	cr_assert_eq(c->status, CELL_NOISY, "a session half again as slow");
	results_free(&r);
}

Test(results_cells, steady_samples_ok)
{
	struct results r;
	const double steady[] = { 100, 101, 99, 100.5, 99.5, 100, 102, 98, 100.2, 99.8 };
	const size_t sizes[] = { 5, 5 };

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, steady, sizes, 2), 0);
	cr_assert_eq(c->status, CELL_OK);
	cr_assert_null(c->reason);
	results_free(&r);
}

Test(results_cells, one_session_stays_ok)
{
	struct results r;
	const double wild[] = { 1, 100, 10000, 5, 7, 9 };

	/* No interval from one session: nothing to judge the noise by. */
	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_samples(c, wild, 6), 0);
	cr_assert_not(c->stats.has_ci);
	cr_assert_eq(c->status, CELL_OK);
	results_free(&r);
}

Test(results_cells, status_and_reason)
{
	struct results r;

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(c->status, CELL_OK);
	cr_assert_null(c->reason);
	cr_assert_eq(c->n, 0);
	cell_set_status(c, CELL_FAILED, "exit code %d", 3);
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_str_eq(c->reason, "exit code 3");
	cell_set_status(c, CELL_SKIPPED, NULL);
	cr_assert_eq(c->status, CELL_SKIPPED);
	cr_assert_null(c->reason);
	cr_assert_str_eq(cell_status_name(CELL_OK), "ok");
	cr_assert_str_eq(cell_status_name(CELL_SKIPPED), "skipped");
	cr_assert_str_eq(cell_status_name(CELL_FAILED), "failed");
	/* An interrupted run's cells that never ran, read back as they were written. */
	enum cell_status st;
	cr_assert_str_eq(cell_status_name(CELL_NOT_RUN), "not run");
	cr_assert_eq(cell_status_parse("not run", &st), 0);
	cr_assert_eq(st, CELL_NOT_RUN);
	cr_assert_str_eq(cell_status_name(CELL_NOISY), "noisy");
	cr_assert_eq(cell_status_parse("untrustworthy", &st), 0, "older files' name");
	cr_assert_eq(st, CELL_NOISY);
	cr_assert_eq(cell_status_parse("noisy", &st), 0);
	cr_assert_eq(cell_status_parse("fine", &st), -EINVAL);
	results_free(&r);
}

Test(results_cells, non_finite_sample_rejected)
{
	struct results r;
	const double bad[] = { 1, NAN, 2 };

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_samples(c, bad, 3), -EINVAL);
	cr_assert_not(c->has_stats);
	results_free(&r);
}

/* The probed sample against the median, turned so that above 1 is slower. */
Test(results_cells, probe_effect)
{
	struct results r;
	static const double x[] = { 100, 100, 100, 100, 100, 100 };

	results_init(&r);
	struct cell *t = results_add(&r, "b", "m", "w", "ns/op", BETTER_LOWER);
	struct cell *g = results_add(&r, "b", "m", "bw", "GB/s", BETTER_HIGHER);
	cr_assert(t && g);
	cr_assert(isnan(cell_probe_effect(t)), "no samples, no probed sample");
	cr_assert_eq(cell_set_samples(t, x, 6), 0);
	cr_assert_eq(cell_set_samples(g, x, 6), 0);
	cr_assert(isnan(cell_probe_effect(t)), "no probed sample");
	t->probed = 125;
	g->probed = 80;
	cr_assert_float_eq(cell_probe_effect(t), 1.25, 1e-12);
	cr_assert_float_eq(cell_probe_effect(g), 1.25, 1e-12, "a slower rate is above 1 too");
	g->probed = 0;
	cr_assert(isnan(cell_probe_effect(g)), "a rate of 0 makes no ratio");
	cell_set_status(t, CELL_FAILED, "gone");
	cr_assert(isnan(cell_probe_effect(t)), "a failed cell has none");
	results_free(&r);
}

/* Every measured cell but the baseline's carries its ratio to the baseline's cell of the
 * same workload, with a CI that holds the ratio; cells with nothing to compare carry null. */
Test(results_cells, ratio_to_native)
{
	struct results r;
	double nat[] = { 100, 101, 99, 102, 98, 100, 100, 103 };
	double slow[] = { 400, 404, 396, 408, 392, 400, 400, 412 };
	size_t sizes[] = { 3, 3, 2 };

	results_init(&r);
	struct cell *n = results_add(&r, "native", "native", "w", "ns/op", BETTER_LOWER);
	struct cell *t = results_add(&r, "tcg", "emulation", "w", "ns/op", BETTER_LOWER);
	struct cell *u = results_add(&r, "tcg", "emulation", "other", "ns/op", BETTER_LOWER);
	struct cell *f = results_add(&r, "uml", "paravirtualization", "w", "ns/op", BETTER_LOWER);
	cr_assert_eq(cell_set_sessions(n, nat, sizes, 3), 0);
	cr_assert_eq(cell_set_sessions(t, slow, sizes, 3), 0);
	cr_assert_eq(cell_set_sessions(u, slow, sizes, 3), 0);
	cell_set_status(f, CELL_FAILED, "it broke");

	struct ratio q;
	cr_assert_eq(results_ratio_to_native(&r, t, &q), 0);
	cr_assert_float_eq(q.value, 4.0, 1e-9);
	cr_assert(q.has_ci && q.ci_lo <= 4.0 && q.ci_hi >= 4.0 && q.ci_lo > 3.8 && q.ci_hi < 4.2,
		  "[%g, %g]", q.ci_lo, q.ci_hi);
	cr_assert_eq(results_ratio_to_native(&r, n, &q), -ENOENT, "the baseline itself");
	cr_assert_eq(results_ratio_to_native(&r, u, &q), -ENOENT, "no baseline cell");
	cr_assert_eq(results_ratio_to_native(&r, f, &q), -ENOENT, "a failed cell");
	/* Only between equal problem sizes. */
	n->extra = json_pack("{s:i}", "problem_bytes", 1 << 20);
	t->extra = json_pack("{s:i}", "problem_bytes", 2 << 20);
	cr_assert_eq(results_ratio_to_native(&r, t, &q), -ENOENT, "unlike sizes");
	json_object_set_new(t->extra, "problem_bytes", json_integer(1 << 20));
	cr_assert_eq(results_ratio_to_native(&r, t, &q), 0);

	json_t *j = results_to_json(&r);
	json_t *cells = json_object_get(j, "results");
	json_t *rt = json_object_get(json_array_get(cells, 1), "ratio_to_native");
	cr_assert(json_is_object(rt));
	cr_assert_float_eq(json_real_value(json_object_get(rt, "value")), 4.0, 1e-9);
	cr_assert_eq(json_array_size(json_object_get(rt, "ci95")), 2);
	for (size_t i = 0; i < 4; i++)
		if (i != 1)
			cr_assert(json_is_null(json_object_get(json_array_get(cells, i),
							       "ratio_to_native")),
				  "cell %zu", i);
	json_decref(j);
	/* A native that failed leaves the others without a ratio. */
	cell_set_status(n, CELL_FAILED, "gone");
	cr_assert_eq(results_ratio_to_native(&r, t, &q), -ENOENT);
	results_free(&r);
}

/* A rate that fell to nothing in a session: no interval on a log scale, the cell is noisy
 * with the reason, and the file it is written to reads back. */
Test(results_cells, a_session_median_of_zero)
{
	struct results r, back;
	const double x[] = { 100, 90, /**/ 0, 0, /**/ 95, 97 };
	const size_t sizes[] = { 2, 2, 2 };
	char err[256];

	results_init(&r);
	struct cell *c = results_add(&r, "native", "native", "io.x", "IOPS", BETTER_HIGHER);
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	cr_assert(c->has_stats);
	cr_assert_not(c->stats.has_ci);
	cr_assert_eq(c->status, CELL_NOISY);
	cr_assert(strstr(c->reason, "not above 0"), "%s", c->reason);
	json_t *j = results_to_json(&r);
	cr_assert_eq(results_from_json(j, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.cells[0].nsessions, 3);
	json_decref(j);
	results_free(&back);
	results_free(&r);
}
