/*
 * Unit tests of harness/plot_life.c: the lifecycle and migration plots' data files (rows,
 * '?' where a value is missing, what is left out) from a results file made here, and both
 * plots drawn by gnuplot in PNG and SVG and listed in the reports when gnuplot is installed.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/results.h"
#include "host/util.h"
#include "tests/stderr_capture.h"

static char dir[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/vmbench-plot-life-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* The real gnuplot, where a test draws: not a stand-in from the environment. */
	cr_assert_eq(unsetenv("VMBENCH_GNUPLOT"), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	cr_expect_eq(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0, "cannot remove %s", dir);
}

TestSuite(plot_life, .init = setup, .fini = teardown);

/* A cell of one sample per session (its median the middle one, no CI for one session). */
static struct cell *add(struct results *r, const char *backend, const char *workload,
			const char *unit, const double *x, size_t k)
{
	struct cell *c = results_add(r, backend, "mode", workload, unit, BETTER_LOWER);
	size_t sizes[8];

	cr_assert_not_null(c);
	cr_assert_leq(k, ARRAY_SIZE(sizes));
	for (size_t i = 0; i < k; i++)
		sizes[i] = 1;
	cr_assert_eq(cell_set_sessions(c, x, sizes, k), 0);
	return c;
}

static struct cell *add1(struct results *r, const char *backend, const char *workload,
			 const char *unit, double v)
{
	return add(r, backend, workload, unit, &v, 1);
}

/* A migration point: x, its samples (QEMU's downtimes), guest gaps and totals. */
static json_t *point(double x, json_t *samples, json_t *gaps, json_t *totals)
{
	json_t *p = json_pack("{s:f, s:o, s:o}", "x", x, "samples", samples, "total_s", totals);

	cr_assert_not_null(p);
	if (gaps)
		cr_assert_eq(json_object_set_new(p, "guest_gap_ms", gaps), 0);
	return p;
}

/*
 * The file of the tests, written and read back as vmbench writes and reads it:
 * tcg: boot (three sessions: a CI), restore, clone, snapshot (one session: no CI), migrate
 *   in ms (not in the lifecycle bars) with a series that converges at 0 and 64 MiB/s, not at
 *   128 (a gap and the mark) and does not try 192 (left out);
 * kvm: boot, restore skipped (a '?'), migrate converging at 0, at 64 without a guest gap
 *   ('?'), at 128 once of twice (drawn, and marked), at 192 (drawn, not marked again);
 * native: boot only (its other columns '?'); no migration.
 */
static void build(const char *path, struct results *r)
{
	static const double tcg_boot[] = { 4.5, 5, 5.5 };
	char err[512] = "";
	struct results w;

	results_init(&w);
	w.complete = true;
	w.provenance = json_pack("{s:s, s:{s:s, s:s}}", "date", "2026-12-01T00:00:00Z", "host",
				 "hostname", "box", "cpu_model", "Test CPU");
	cr_assert_not_null(w.provenance);
	add(&w, "tcg", "lifecycle.boot", "s", tcg_boot, 3);
	add1(&w, "tcg", "lifecycle.restore", "s", 0.25);
	add1(&w, "tcg", "lifecycle.clone", "s", 1.5);
	add1(&w, "tcg", "lifecycle.snapshot", "s", 0.5);
	struct cell *m = add1(&w, "tcg", "lifecycle.migrate", "ms", 26);
	m->series = json_pack(
		"{s:s, s:[o, o, o, {s:i, s:[], s:[s]}]}", "x_unit", "MiB/s", "points",
		point(0, json_pack("[f, f]", 26.0, 28.0), json_pack("[f, f]", 7.5, 8.5),
		      json_pack("[f, f]", 1.5, 1.7)),
		point(64, json_pack("[f]", 30.0), json_pack("[f]", 17.0), json_pack("[f]", 2.0)),
		json_pack("{s:i, s:[], s:[], s:[s]}", "x", 128, "samples", "total_s",
			  "not_converged", "did not converge within 10 s"),
		"x", 192, "samples", "not_tried", "not tried: 128 MiB/s did not converge");
	cr_assert_not_null(m->series);
	add1(&w, "kvm", "lifecycle.boot", "s", 0.75);
	struct cell *sk = results_add(&w, "kvm", "mode", "lifecycle.restore", "s", BETTER_LOWER);
	cr_assert_not_null(sk);
	cell_set_status(sk, CELL_SKIPPED, "no saved state");
	m = add1(&w, "kvm", "lifecycle.migrate", "ms", 5);
	json_t *p128 =
		point(128, json_pack("[f]", 9.0), json_pack("[f]", 3.0), json_pack("[f]", 4.25));
	cr_assert_eq(json_object_set_new(p128, "not_converged",
					 json_pack("[s]", "did not converge within 10 s")),
		     0);
	m->series = json_pack(
		"{s:s, s:[o, o, o, o]}", "x_unit", "MiB/s", "points",
		point(0, json_pack("[f]", 5.0), json_pack("[f]", 1.0), json_pack("[f]", 0.5)),
		point(64, json_pack("[f]", 6.0), NULL, json_pack("[f]", 1.0)), p128,
		point(192, json_pack("[f]", 11.0), json_pack("[f]", 4.0), json_pack("[f]", 6.0)));
	cr_assert_not_null(m->series);
	add1(&w, "native", "lifecycle.boot", "s", 0.125);
	cr_assert_eq(results_write(&w, path), 0);
	results_free(&w);
	cr_assert_eq(results_load(path, r, err, sizeof(err)), 0, "%s", err);
}

static char *dat(const char *stem)
{
	char path[PATH_MAX + 64];
	size_t len;

	snprintf(path, sizeof(path), "%s/plots/%s.dat", dir, stem);
	char *text = util_read_file(path, 1 << 20, &len);
	cr_assert_not_null(text, "%s: %s", path, strerror(errno));
	return text;
}

static bool exists(const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* A row per backend with a lifecycle operation in seconds, a median and CI per operation
 * some backend measured; the migration's downtime, in ms, is not among them. */
Test(plot_life, lifecycle_bars)
{
	char path[PATH_MAX + 32], err[512] = "", want[1024], lo[32], hi[32];
	struct results r;
	size_t n;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	build(path, &r);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	const struct cell *boot = results_find(&r, "tcg", "lifecycle.boot");
	cr_assert(boot && boot->stats.has_ci, "tcg's boot has no CI");
	snprintf(lo, sizeof(lo), "%.6g", boot->stats.ci_lo);
	snprintf(hi, sizeof(hi), "%.6g", boot->stats.ci_hi);
	snprintf(want, sizeof(want),
		 "# backend"
		 "\tlifecycle.boot\tlifecycle.boot_lo\tlifecycle.boot_hi"
		 "\tlifecycle.restore\tlifecycle.restore_lo\tlifecycle.restore_hi"
		 "\tlifecycle.clone\tlifecycle.clone_lo\tlifecycle.clone_hi"
		 "\tlifecycle.snapshot\tlifecycle.snapshot_lo\tlifecycle.snapshot_hi\n"
		 "tcg\t%.6g\t%s\t%s\t0.25\t?\t?\t1.5\t?\t?\t0.5\t?\t?\n"
		 "kvm\t0.75\t?\t?\t?\t?\t?\t?\t?\t?\t?\t?\t?\n"
		 "native\t0.125\t?\t?\t?\t?\t?\t?\t?\t?\t?\t?\t?\n",
		 boot->stats.median, lo, hi);
	char *text = dat("lifecycle");
	cr_expect_str_eq(text, want);
	free(text);
	results_free(&r);
}

/* A block per backend with a series; a rate without a converged migration is a row of '?'
 * (a gap in the line), a rate never tried no row; the first rate that did not converge is
 * marked once, whether or not some migration there converged. */
Test(plot_life, migration_lines)
{
	static const char want[] =
		"# rate_mib_s\tdowntime_ms\tguest_gap_ms\ttotal_s\tnot_converged\n"
		"# tcg\n"
		"0\t27\t8\t1.6\t0\n"
		"64\t30\t17\t2\t0\n"
		"128\t?\t?\t?\t1\n"
		"\n\n# kvm\n"
		"0\t5\t1\t0.5\t0\n"
		"64\t6\t?\t1\t0\n"
		"128\t9\t3\t4.25\t1\n"
		"192\t11\t4\t6\t0\n";
	char path[PATH_MAX + 32], err[512] = "";
	struct results r;
	size_t n;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	build(path, &r);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	char *text = dat("migration");
	cr_expect_str_eq(text, want);
	free(text);
	results_free(&r);
}

/* One operation (a run that only booted) is the boot plot's alone: no lifecycle plot; a
 * series with nothing to draw (every rate not tried) is no migration plot. */
Test(plot_life, nothing_to_draw)
{
	char err[512] = "";
	struct results r;
	size_t n;

	results_init(&r);
	r.provenance = json_object();
	add1(&r, "tcg", "lifecycle.boot", "s", 2);
	add1(&r, "kvm", "lifecycle.boot", "s", 1);
	struct cell *m = add1(&r, "kvm", "lifecycle.migrate", "ms", 5);
	m->series = json_pack("{s:s, s:[{s:i, s:[], s:[s]}]}", "x_unit", "MiB/s", "points", "x", 0,
			      "samples", "not_tried", "the destination did not start");
	cr_assert_not_null(m->series);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	cr_expect(exists("plots/boot.dat"));
	cr_expect_not(exists("plots/lifecycle.dat"), "a lifecycle plot of boot alone");
	cr_expect_not(exists("plots/migration.dat"), "a migration plot of nothing");
	results_free(&r);
}

/* gnuplot draws both plots, in both formats, without a word of warning (a '?' column read
 * as it should be), and the reports list them under their captions. */
Test(plot_life, gnuplot_draws_both)
{
	static const char *const stems[] = { "lifecycle", "migration" };
	char path[PATH_MAX + 32], err[1024] = "", name[64];
	struct results r;
	size_t drawn = 0, len;
	int saved;

	if (system("command -v gnuplot >/dev/null") != 0)
		cr_skip_test("gnuplot is not installed (make deps)");
	snprintf(path, sizeof(path), "%s/results.json", dir);
	build(path, &r);
	int fd = stderr_to_file(&saved);
	cr_assert_geq(fd, 0);
	int ret = plot_write(&r, dir, &drawn, err, sizeof(err));
	char *said = stderr_back(fd, saved, 1 << 16, &len);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_not_null(said);
	cr_expect_eq(len, 0, "gnuplot said: %s", said);
	free(said);
	for (size_t i = 0; i < ARRAY_SIZE(stems); i++) {
		snprintf(name, sizeof(name), "plots/%s.png", stems[i]);
		cr_expect(exists(name), "%s not drawn", name);
		snprintf(name, sizeof(name), "plots/%s.svg", stems[i]);
		cr_expect(exists(name), "%s not drawn", name);
	}
	cr_assert_eq(report_write(&r, dir, REPORT_MD | REPORT_HTML, err, sizeof(err)), 0, "%s",
		     err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	char *md = util_read_file(path, 1 << 24, &len);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	char *html = util_read_file(path, 1 << 26, &len);
	cr_assert(md && html);
	for (size_t i = 0; i < ARRAY_SIZE(stems); i++) {
		snprintf(name, sizeof(name), "](plots/%s.png)", stems[i]);
		cr_expect_not_null(strstr(md, name), "report.md lacks %s", name);
		snprintf(name, sizeof(name), "data-plot=\"%s\"", stems[i]);
		cr_expect_not_null(strstr(html, name), "report.html lacks %s", name);
	}
	cr_expect_not_null(strstr(md, "*Lifecycle operations: boot against restore, clone, "
				      "snapshot and resize (log scale, 95% CI)*"),
			   "%s", md);
	cr_expect_not_null(strstr(md, "*Live migration against the dirty rate: downtime, "
				      "guest's gap, total time*"),
			   "%s", md);
	free(md);
	free(html);
	results_free(&r);
}

/* A guest lost at a rate is that rate's outcome: a gap in the line, the report's row says
 * where and why, and the rates above it are no rows. */
Test(plot_life, a_lost_guest_is_its_rates_outcome)
{
	static const char want[] =
		"# rate_mib_s\tdowntime_ms\tguest_gap_ms\ttotal_s\tnot_converged\n"
		"# tcg\n"
		"0\t20\t8\t1\t0\n"
		"96\t?\t?\t?\t0\n";
	static const char lost[] = "after migrating at 96 MiB/s: the guest closed its stream; "
				   "QEMU exited with status 0";
	char path[PATH_MAX + 32], err[512] = "";
	struct results r;
	size_t n, len;

	results_init(&r);
	r.complete = true;
	r.provenance = json_pack("{s:s}", "date", "2026-12-01T00:00:00Z");
	struct cell *m = add1(&r, "tcg", "lifecycle.migrate", "ms", 20);
	m->series = json_pack(
		"{s:s, s:[o, {s:i, s:[], s:[s]}, {s:i, s:[], s:[s]}]}", "x_unit", "MiB/s", "points",
		point(0, json_pack("[f]", 20.0), json_pack("[f]", 8.0), json_pack("[f]", 1.0)), "x",
		96, "samples", "guest_lost", lost, "x", 128, "samples", "not_tried",
		"not tried: the guest was lost at 96 MiB/s");
	cr_assert_not_null(m->series);
	cr_assert_eq(plot_write_data(&r, dir, &n, err, sizeof(err)), 0, "%s", err);
	char *text = dat("migration");
	cr_expect_str_eq(text, want);
	free(text);
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	char *md = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(md);
	cr_expect_not_null(strstr(md, "the guest was lost in 1 session: after migrating at 96 "
				      "MiB/s: the guest closed its stream; QEMU exited with "
				      "status 0"),
			   "%s", md);
	cr_expect_not_null(strstr(md, "not tried: the guest was lost at 96 MiB/s"), "%s", md);
	free(md);
	results_free(&r);
}
