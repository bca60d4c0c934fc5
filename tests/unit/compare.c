/* Unit tests of harness/compare.h: the change, its interval and p-value against values
 * computed independently (scipy), the verdict at the edges of the rule, and what makes two
 * runs not comparable. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/compare.h"

/* A cell of one sample per session: its session medians are the values given. */
static struct cell *add(struct results *r, const char *backend, const char *workload,
			enum better better, const double *med, size_t k)
{
	size_t sizes[16];
	struct cell *c = results_add(r, backend, "mode", workload, "ns/op", better);

	cr_assert_not_null(c);
	for (size_t i = 0; i < k; i++)
		sizes[i] = 1;
	cr_assert_eq(cell_set_sessions(c, med, sizes, k), 0);
	return c;
}

static struct compare_opts defaults(void)
{
	return (struct compare_opts){ .alpha = COMPARE_ALPHA, .threshold = COMPARE_THRESHOLD };
}

/* One cell a side; the row, copied out. */
static struct compare_row judge1(const double *b, size_t kb, const double *n, size_t kn,
				 enum better better, const struct compare_opts *o)
{
	struct results base, new;
	struct compare c;

	results_init(&base);
	results_init(&new);
	add(&base, "native", "w", better, b, kb);
	add(&new, "native", "w", better, n, kn);
	cr_assert_eq(compare_runs(&base, &new, o, &c), 0);
	cr_assert_eq(c.n, 1);
	struct compare_row row = c.rows[0];
	compare_free(&c);
	results_free(&base);
	results_free(&new);
	row.backend = row.workload = row.unit = NULL; /* they pointed into the results */
	return row;
}

/* scipy 1.10: stats.ttest_ind(log(new), log(base), equal_var=False), and the Welch
 * interval exp(d ± t(0.975, df)·se) of the ratio. */
Test(compare, welch_matches_scipy)
{
	static const struct {
		double b[6], n[6];
		size_t kb, kn;
		double ratio, p, lo, hi;
	} cases[] = {
		{ { 100, 102, 98 },
		  { 115, 118, 113 },
		  3,
		  3,
		  1.153304574323,
		  0.00115770520715,
		  1.099764862529,
		  1.209450753043 },
		{ { 10, 10.5, 9.8, 10.2 },
		  { 10.1, 10.4, 9.9 },
		  4,
		  3,
		  1.000943159509,
		  0.965184390494,
		  0.949049118063,
		  1.055674769093 },
		{ { 5, 5.5, 4.6, 5.2, 5.1 },
		  { 4, 4.2, 3.9, 4.4, 4.1, 4 },
		  5,
		  6,
		  0.807815644846,
		  0.000484412428764,
		  0.744891290887,
		  0.876055505066 },
	};
	struct compare_opts o = defaults();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct compare_row r =
			judge1(cases[i].b, cases[i].kb, cases[i].n, cases[i].kn, BETTER_LOWER, &o);
		cr_assert_float_eq(r.change, (cases[i].ratio - 1) * 100, 1e-7, "case %zu", i);
		cr_assert_float_eq(r.p, cases[i].p, 1e-9, "case %zu: p %.12g", i, r.p);
		cr_assert_float_eq(r.ci_lo, (cases[i].lo - 1) * 100, 1e-7, "case %zu", i);
		cr_assert_float_eq(r.ci_hi, (cases[i].hi - 1) * 100, 1e-7, "case %zu", i);
	}
}

/* 15% slower with 3 sessions a side is a regression for a time and an improvement for a
 * rate; the same numbers 20% off the threshold's side are not. */
Test(compare, verdicts_follow_the_unit)
{
	const double b[] = { 100, 102, 98 }, n[] = { 115, 118, 113 };
	struct compare_opts o = defaults();

	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_REGRESSION);
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_HIGHER, &o).verdict, VERDICT_IMPROVEMENT);
	cr_assert_eq(judge1(n, 3, b, 3, BETTER_LOWER, &o).verdict, VERDICT_IMPROVEMENT);
	cr_assert_eq(judge1(n, 3, b, 3, BETTER_HIGHER, &o).verdict, VERDICT_REGRESSION);
}

/* The CI of the case above runs from +9.98% to +20.9%, p = 0.00116: each condition alone
 * decides at its edge. */
Test(compare, verdict_at_the_edges)
{
	const double b[] = { 100, 102, 98 }, n[] = { 115, 118, 113 };
	struct compare_opts o = defaults();

	o.threshold = 9.9;
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_REGRESSION);
	o.threshold = 10.0; /* the interval's low end, +9.976%, is not beyond it */
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_SAME);
	o = defaults();
	o.alpha = 0.0012;
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_REGRESSION);
	o.alpha = 0.0011;
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_SAME);
}

/* A small, certain change is no regression: the threshold is what matters to people. */
Test(compare, a_certain_small_change_is_not_a_regression)
{
	const double b[] = { 100, 100.1, 99.9, 100 }, n[] = { 101, 101.1, 100.9, 101 };
	struct compare_opts o = defaults();
	struct compare_row r = judge1(b, 4, n, 4, BETTER_LOWER, &o);

	cr_assert_lt(r.p, 1e-4);
	cr_assert_eq(r.verdict, VERDICT_SAME);
}

Test(compare, per_workload_thresholds)
{
	const double b[] = { 100, 102, 98 }, n[] = { 115, 118, 113 };
	struct compare_opts o = defaults();
	char why[200];

	o.thresholds = json_pack("{s:f, s:f}", "x*", 1.0, "w", 12.0);
	cr_assert_eq(compare_check_thresholds(o.thresholds, why, sizeof(why)), 0, "%s", why);
	struct compare_row r = judge1(b, 3, n, 3, BETTER_LOWER, &o);
	cr_assert_float_eq(r.threshold, 12.0, 1e-12);
	cr_assert_eq(r.verdict, VERDICT_SAME);
	json_decref(o.thresholds);
	o.thresholds = json_pack("{s:f, s:f}", "*", 2.0, "w", 12.0); /* the first match */
	cr_assert_eq(judge1(b, 3, n, 3, BETTER_LOWER, &o).verdict, VERDICT_REGRESSION);
	json_decref(o.thresholds);
	/* With a '/', the backend too. */
	o.thresholds = json_pack("{s:f, s:f}", "tcg/*", 2.0, "native/w", 12.0);
	r = judge1(b, 3, n, 3, BETTER_LOWER, &o);
	cr_assert_float_eq(r.threshold, 12.0, 1e-12);
	json_decref(o.thresholds);

	json_t *bad[] = { json_pack("[i]", 1), json_pack("{s:s}", "w", "5"),
			  json_pack("{s:i}", "w", -1), json_pack("{s:i}", "w", 5000),
			  json_pack("{s:i}", "", 5) };
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(compare_check_thresholds(bad[i], why, sizeof(why)), -EINVAL, "%zu", i);
		json_decref(bad[i]);
	}
}

/* Too few sessions, a failed side, other problem sizes: no verdict, and why. */
Test(compare, no_verdict_and_why)
{
	const double one[] = { 100 }, three[] = { 100, 101, 99 };
	struct compare_opts o = defaults();
	struct compare_row r = judge1(one, 1, three, 3, BETTER_LOWER, &o);

	cr_assert_eq(r.verdict, VERDICT_NONE);
	cr_assert_not_null(strstr(r.why, "too few sessions"), "%s", r.why);
	/* Identical sessions on both sides: nothing to test a change against. */
	const double flat[] = { 100, 100, 100 }, flat2[] = { 120, 120, 120 };
	r = judge1(flat, 3, flat2, 3, BETTER_LOWER, &o);
	cr_assert_eq(r.verdict, VERDICT_NONE);
	cr_assert_not_null(strstr(r.why, "do not vary"), "%s", r.why);

	struct results base, new;
	struct compare c;
	results_init(&base);
	results_init(&new);
	add(&base, "native", "a", BETTER_LOWER, three, 3);
	add(&new, "native", "a", BETTER_LOWER, three, 3);
	cell_set_status(&new.cells[0], CELL_FAILED, "it broke");
	struct cell *s1 = add(&base, "native", "sized", BETTER_LOWER, three, 3);
	struct cell *s2 = add(&new, "native", "sized", BETTER_LOWER, three, 3);
	s1->extra = json_pack("{s:i}", "problem_bytes", 1 << 20);
	s2->extra = json_pack("{s:i}", "problem_bytes", 2 << 20);
	add(&new, "tcg", "only-new", BETTER_LOWER, three, 3);
	add(&base, "native", "rate", BETTER_LOWER, three, 3);
	add(&new, "native", "rate", BETTER_HIGHER, three, 3);
	cr_assert_eq(compare_runs(&base, &new, &o, &c), 0);
	cr_assert_eq(c.n, 4);
	cr_assert_eq(c.unjudged, 4);
	cr_assert_not_null(strstr(c.rows[2].why, "units differ"), "%s", c.rows[2].why);
	cr_assert_not_null(strstr(c.rows[0].why, "new failed"), "%s", c.rows[0].why);
	cr_assert_not_null(strstr(c.rows[1].why, "problem sizes differ"), "%s", c.rows[1].why);
	cr_assert_not_null(strstr(c.rows[3].why, "base missing"), "%s", c.rows[3].why);
	compare_free(&c);
	results_free(&base);
	results_free(&new);
}

Test(compare, between_two_backends_of_one_run)
{
	const double b[] = { 100, 102, 98 }, n[] = { 115, 118, 113 };
	struct compare_opts o = defaults();
	struct results r;
	struct compare c;

	results_init(&r);
	add(&r, "tcg", "w", BETTER_LOWER, b, 3);
	add(&r, "tcg-virtio", "w", BETTER_LOWER, n, 3);
	add(&r, "tcg", "x", BETTER_LOWER, b, 3);
	cr_assert_eq(compare_backends(&r, "tcg", "tcg-virtio", &o, &c), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.rows[0].label, "tcg -> tcg-virtio");
	cr_assert_eq(c.rows[0].verdict, VERDICT_REGRESSION);
	cr_assert_eq(c.rows[1].verdict, VERDICT_NONE);
	compare_free(&c);
	results_free(&r);
}

Test(compare, what_makes_runs_not_comparable)
{
	struct results a, b;
	char buf[512];

	results_init(&a);
	results_init(&b);
	a.provenance =
		json_pack("{s:{s:s}, s:{s:{s:s}, s:i}, s:{s:{s:s, s:{s:s}}}}", "host", "cpu_model",
			  "AMD EPYC", "run", "image", "key", "k1", "mem_mib", 512, "backends",
			  "tcg", "mode", "emulation", "backend", "accelerator", "tcg");
	b.provenance = json_deep_copy(a.provenance);
	compare_differences(&a, &b, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	json_object_set_new(json_object_get(b.provenance, "host"), "cpu_model",
			    json_string("Intel Xeon"));
	json_object_set_new(json_object_get(json_object_get(b.provenance, "run"), "image"), "key",
			    json_string("k2"));
	json_object_set_new(json_object_get(b.provenance, "run"), "mem_mib", json_integer(1024));
	json_object_set_new(
		json_object_get(json_object_get(json_object_get(b.provenance, "backends"), "tcg"),
				"backend"),
		"accelerator", json_string("kvm"));
	compare_differences(&a, &b, buf, sizeof(buf));
	cr_assert_str_eq(buf, "host CPU: AMD EPYC against Intel Xeon; guest image: k1 against k2; "
			      "guest memory (MiB): 512 against 1024; tcg's accelerator: tcg "
			      "against kvm");
	results_free(&a);
	results_free(&b);
}
