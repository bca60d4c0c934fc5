/* Unit tests of harness/changepoint.h and harness/trend.h: the energy statistic against
 * values computed independently (numpy), change points found where a series steps and not
 * in noise, and series over runs (order, units, unmeasured runs). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/cli.h"
#include "harness/trend.h"

static const struct cp_opts opts = { .min_size = 2, .alpha = 0.01, .perms = 999, .seed = 1 };

/* numpy: m·k/(m+k)·(2·mean|a−b| − mean over pairs |a−a'| − mean over pairs |b−b'|), the
 * pairs by itertools.combinations. */
Test(changepoint, energy_matches_numpy)
{
	double x[10] = { 100, 101, 99, 102, 100, 111, 110, 112, 109, 111.5 };
	static const double y[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	const struct {
		const double *x;
		size_t t;
		double q;
	} cases[] = {
		{ x, 1, 0.05534654407688322 }, { x, 2, 0.09580250840024089 },
		{ x, 5, 0.4195771290967638 },  { x, 7, 0.16226513886818633 },
		{ y, 2, 0.7000000000000002 },  { y, 3, 0.0 },
		{ y, 4, 3.500000000000001 },   { y, 6, -2.7999999999999994 },
	};

	for (size_t i = 0; i < 10; i++)
		x[i] = log(x[i]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].x == x ? 10 : 8;
		cr_assert_float_eq(cp_energy(cases[i].x, n, cases[i].t), cases[i].q, 1e-12,
				   "case %zu: %.17g", i, cp_energy(cases[i].x, n, cases[i].t));
	}
}

/* Noise of about ±1%, the same every time. */
static double noise(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return ((int)((*state >> 16) % 2001) - 1000) / 1e5;
}

static void series(double *x, size_t n, const double *levels, size_t seg, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = log(levels[i / seg]) + noise(&seed);
}

Test(changepoint, a_step_is_found_where_it_is)
{
	double x[20], levels[] = { 100, 110 };
	struct cp_result r;

	series(x, 20, levels, 10, 7);
	cr_assert_eq(cp_edivisive(x, 20, &opts, &r), 0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.at[0], 10);
	cr_assert_lt(r.p[0], 0.01);
	/* The best split agrees with the statistic computed directly. */
	size_t best = 2;
	for (size_t t = 2; t <= 18; t++)
		if (cp_energy(x, 20, t) > cp_energy(x, 20, best))
			best = t;
	cr_assert_eq(best, 10);
}

Test(changepoint, two_steps_and_back)
{
	double x[24], levels[] = { 100, 120, 100 };
	struct cp_result r;

	series(x, 24, levels, 8, 3);
	/* The first split is the argmax of Q̂ over τ and κ, computed directly on x[0..κ). */
	size_t bt = 0;
	double bq = -1;
	for (size_t k = 4; k <= 24; k++)
		for (size_t t = 2; t + 2 <= k; t++)
			if (cp_energy(x, k, t) > bq) {
				bq = cp_energy(x, k, t);
				bt = t;
			}
	cr_assert(bt == 8 || bt == 16, "%zu", bt);
	cr_assert_eq(cp_edivisive(x, 24, &opts, &r), 0);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.at[0], 8);
	cr_assert_eq(r.at[1], 16);
}

Test(changepoint, noise_alone_has_none)
{
	double x[30], levels[] = { 100 };
	struct cp_result r;
	size_t found = 0;

	/* 20 series of noise: at alpha 0.01, none expected; one would be a fluke. */
	for (unsigned s = 1; s <= 20; s++) {
		series(x, 30, levels, 30, s);
		cr_assert_eq(cp_edivisive(x, 30, &opts, &r), 0);
		found += r.n;
	}
	cr_assert_leq(found, 1, "%zu change points in noise", found);
	/* Constant, too short, and refused options. */
	for (size_t i = 0; i < 30; i++)
		x[i] = 1;
	cr_assert_eq(cp_edivisive(x, 30, &opts, &r), 0);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(cp_edivisive(x, 3, &opts, &r), 0);
	cr_assert_eq(r.n, 0);
	struct cp_opts bad = opts;
	bad.min_size = 1;
	cr_assert_eq(cp_edivisive(x, 30, &bad, &r), -EINVAL);
	bad = opts;
	bad.alpha = 0;
	cr_assert_eq(cp_edivisive(x, 30, &bad, &r), -EINVAL);
	x[3] = NAN;
	cr_assert_eq(cp_edivisive(x, 30, &opts, &r), -EINVAL);
}

/* A run dated date whose cell (backend, w) has median med (3 sessions), in unit. */
static void run(struct trend_run *tr, const char *date, const char *sha, double med,
		const char *unit)
{
	double x[3] = { med * 0.99, med, med * 1.01 };
	size_t sizes[3] = { 1, 1, 1 };

	results_init(&tr->r);
	tr->path = date;
	tr->r.provenance =
		json_pack("{s:s, s:{s:{s:s}}}", "date", date, "vmbench", "git", "sha", sha);
	struct cell *c = results_add(&tr->r, "tcg", "emulation", "w", unit, BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	c = results_add(&tr->r, "tcg", "emulation", "skipped", "ns/op", BETTER_LOWER);
	cell_set_status(c, CELL_SKIPPED, "not here");
}

Test(trend, series_over_runs)
{
	struct trend_run *runs = calloc(13, sizeof(*runs));
	struct trend t;
	char date[32];

	/* Given out of order: 6 runs at 100, one in another unit, 6 at 115. */
	for (int i = 12; i >= 0; i--) {
		snprintf(date, sizeof(date), "2026-12-%02dT00:00:00Z", i + 1);
		run(&runs[12 - i], strdup(date), i < 6 ? "aaaaaaaaaaaa" : "bbbbbbbbbb",
		    i == 6 ? 5 : (i < 6 ? 100 : 115) * (1 + 0.002 * (i % 3)),
		    i == 6 ? "MB/s" : "ns/op");
	}
	char *globs[] = { "tcg/w", NULL };
	cr_assert_eq(trend_build(runs, 13, globs, &opts, &t), 0);
	/* The run in another unit is a series of its own, of one run. */
	cr_assert_eq(t.nseries, 2);
	cr_assert_str_eq(t.series[1].unit, "MB/s");
	cr_assert_eq(t.series[1].measured, 1);
	cr_assert_eq(t.series[1].cp.n, 0);
	cr_assert_str_eq(t.runs[0].date, "2026-12-01T00:00:00Z");
	cr_assert_str_eq(t.runs[12].sha, "bbbbbbbb");
	struct trend_series *s = &t.series[0];
	cr_assert_eq(s->measured, 12);
	cr_assert_not(s->pt[6].measured, "another unit is not a point of the series");
	cr_assert_eq(s->cp.n, 1);
	cr_assert_eq(s->cp.at[0], 7, "the change starts at the 8th run, after the gap");
	cr_assert_float_eq(trend_change(s, 0), 0.15, 0.01);
	/* The geometric mean of the session medians 99, 100 and 101. */
	cr_assert_float_eq(s->pt[0].median, cbrt(99.0 * 100 * 101), 1e-9);
	cr_assert(s->pt[0].lo < 100 && s->pt[0].hi > 100);
	for (size_t i = 0; i < 13; i++)
		free((char *)t.runs[i].path);
	trend_free(&t);

	/* No glob matches: no series. */
	runs = calloc(2, sizeof(*runs));
	run(&runs[0], "2026-12-01T00:00:00Z", "a", 1, "ns/op");
	run(&runs[1], "2026-12-02T00:00:00Z", "a", 1, "ns/op");
	char *none[] = { "nothing.*", NULL };
	cr_assert_eq(trend_build(runs, 2, none, &opts, &t), 0);
	cr_assert_eq(t.nseries, 0);
	trend_free(&t);
}

Test(trend, bad_input_exits_2)
{
	char *missing[] = { "vmbench", "-q", "trend", "/nonexistent.json", NULL };
	char *alpha[] = { "vmbench", "-q", "trend", "--alpha", "1", "/nonexistent.json", NULL };
	char *min[] = { "vmbench", "-q", "trend", "--min-runs", "1", "/nonexistent.json", NULL };

	cr_assert_eq(cli_main(4, missing), EXIT_USAGE);
	cr_assert_eq(cli_main(6, alpha), EXIT_USAGE);
	cr_assert_eq(cli_main(6, min), EXIT_USAGE);
}

/* The command writes a table, trend.tsv with a line per run and cell, and the plot data. */
Test(trend, the_command_writes_its_files)
{
	char dir[] = "/tmp/vmbench-trend-test.XXXXXX", path[400], out[300], line[512];
	char *argv[24] = { "vmbench", "-q", "trend", "-o", out };
	int argc = 5;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	/* 6 runs and 6: with 5 and 5 the permutation p of this clean step is 0.01, not below. */
	for (int i = 0; i < 12; i++) {
		struct trend_run tr;
		char date[32];
		snprintf(date, sizeof(date), "2026-12-%02dT00:00:00Z", i + 1);
		run(&tr, date, "cafe", (i < 6 ? 100 : 130) * (1 + 0.003 * (i % 3)), "ns/op");
		snprintf(path, sizeof(path), "%s/%d.json", dir, i);
		json_t *doc = results_to_json(&tr.r);
		cr_assert_eq(json_dump_file(doc, path, 0), 0);
		json_decref(doc);
		results_free(&tr.r);
		argv[argc++] = strdup(path);
	}
	cr_assert_eq(cli_main(argc, argv), EXIT_OK);
	snprintf(path, sizeof(path), "%s/trend.tsv", out);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	size_t lines = 0, changes = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		/* The last column is the change's p, '?' where there is none. */
		changes += line[strlen(line) - 2] != '?' && lines > 1;
	}
	fclose(f);
	cr_assert_eq(lines, 13, "a header and a line per run: %zu", lines);
	cr_assert_eq(changes, 1);
	snprintf(path, sizeof(path), "%s/plots/trend.dat", out);
	cr_assert_eq(access(path, R_OK), 0);
	for (int i = 5; i < argc; i++)
		free(argv[i]);
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	cr_assert_eq(system(line), 0);
}
