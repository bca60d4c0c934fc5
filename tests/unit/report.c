/* Unit tests of harness/report.h: the four renderings of a small results model. */
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/report.h"
#include "host/util.h"
#include "tests/test_util.h"

static char dir[PATH_MAX];

static void setup(void)
{
	strcpy(dir, "/tmp/vmbench-report-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	static const char *const names[] = { "report.md", "report.csv", "report.tex",
					     "report.html" };
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

TestSuite(report, .init = setup, .fini = teardown);

static void add(struct results *r, const char *backend, const char *workload, double base,
		const char *unit)
{
	struct cell *c = results_add(r, backend,
				     "mode-of-"
				     "x",
				     workload, unit, BETTER_LOWER);
	double x[8];
	const size_t sizes[] = { 3, 3, 2 };

	cr_assert_not_null(c);
	for (int i = 0; i < 8; i++)
		x[i] = base * (1 + 0.001 * (i % 3));
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
}

/* native and tcg measured (tcg 4 times slower, with traps and counters), uml failed with a
 * reason full of characters each format must escape, kvm skipped everywhere. */
static void build(struct results *r)
{
	results_init(r);
	r->complete = true;
	r->provenance =
		json_pack("{s:s, s:{s:s, s:s, s:i, s:{s:{s:s, s:s}}}, s:{s:s, s:i, s:i}, "
			  "s:{s:{s:s}, s:{s:s, s:s}}}",
			  "date", "2026-11-22T00:00:00Z", "host", "hostname", "box", "cpu_model",
			  "Test CPU", "cpus_online", 2, "pmu", "hardware_events", "cycles",
			  "not supported", "instructions", "not supported", "run", "profile",
			  "quick", "reps", 8, "warmup", 1, "backends", "native", "status", "ok",
			  "kvm", "status", "skipped", "reason", "KVM is too slow here");
	cr_assert_not_null(r->provenance);
	add(r, "native", "syscall.getppid", 100, "ns/op");
	add(r, "native", "mem.pagefault", 2000, "ns/op");
	add(r, "tcg", "syscall.getppid", 400, "ns/op");
	add(r, "tcg", "mem.pagefault", 20000, "ns/op");
	struct cell *t = &r->cells[2];
	struct counter tc = {
		.name = "task-clock", .per_op = 410.0, .total = NAN, .ops = NAN, .scaled = 0
	};
	cr_assert_eq(traps_add(&t->traps, "dev:ide", 3.0), 0);
	cr_assert_eq(traps_add(&t->traps, "dev:serial", 0.5), 0);
	cr_assert_eq(counters_set(&t->counters, &tc), 0);
	t->probed = t->stats.median * 1.2; /* the counting probes made it 20% slower */
	struct cell *u = results_add(r, "uml", "paravirtualization", "syscall.getppid", "ns/op",
				     BETTER_LOWER);
	cell_set_status(u, CELL_FAILED, "broke | badly, \"quoted\" & 100%% <sure> x_y");
	for (int i = 0; i < 2; i++) {
		struct cell *k =
			results_add(r, "kvm", "hardware-assisted",
				    i ? "mem.pagefault" : "syscall.getppid", "ns/op", BETTER_LOWER);
		cell_set_status(k, CELL_SKIPPED, "KVM is too slow here");
	}
}

static char *slurp(const char *name)
{
	char path[PATH_MAX + 32];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *s = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(s, "%s: %s", path, strerror(errno));
	return s;
}

Test(report, formats_parse)
{
	unsigned f;
	char err[128];

	cr_assert_eq(report_parse_formats("md,html", &f, err, sizeof(err)), 0);
	cr_assert_eq(f, REPORT_MD | REPORT_HTML);
	cr_assert_eq(report_parse_formats("tex", &f, err, sizeof(err)), 0);
	cr_assert_eq(f, REPORT_TEX);
	cr_assert_eq(report_parse_formats("md,pdf", &f, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "'pdf'"), "%s", err);
	cr_assert_not_null(strstr(err, "(known: md, csv, tex, html)"), "%s", err);
	char names[32];
	report_format_names(REPORT_CSV | REPORT_HTML, ",", names, sizeof(names));
	cr_assert_str_eq(names, "csv,html");
	report_format_names(0, ",", names, sizeof(names));
	cr_assert_str_eq(names, "");
	cr_assert_eq(report_parse_formats("md,,csv", &f, err, sizeof(err)), -EINVAL);
}

Test(report, markdown)
{
	struct results r;
	char err[256];

	build(&r);
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	char *md = slurp("report.md");
	cr_assert_not_null(strstr(md, "# vmbench on box (Test CPU)"));
	/* The provenance says the hardware events are unavailable, and why. */
	cr_assert_not_null(strstr(md, "**Hardware counters**: unavailable on this host (cycles, "
				      "instructions: not supported)"),
			   "%s", md);
	/* The ratio with its interval (its bracket escaped, as every one in Markdown is):
	 * constant-ish samples, 4 times native. */
	cr_assert_not_null(strstr(md, "| 400 ns/op ×4.00 \\["), "%s", md);
	cr_assert_not_null(strstr(md, "| 20.0 µs/op ×10.0 \\["), "%s", md);
	/* The summary labels lmbench's rows; kvm ran nothing and has no column there. */
	cr_assert_not_null(strstr(md, "| null call | 100 ns/op |"));
	cr_assert_not_null(strstr(md, "| operation | native | tcg | uml |"), "%s", md);
	cr_assert_not_null(strstr(md, "Not run here: kvm (see Backends)."));
	/* Traps by kind, largest first, and counters per op. */
	cr_assert_not_null(
		strstr(md, "| 3.50 | dev:ide 3.00, dev:serial 0.500 | task-clock 410 ns |"), "%s",
		md);
	/* What the probes did to a sample: per cell, and the backend's median. */
	cr_assert_not_null(strstr(md, "| task-clock 410 ns | +20% |"), "%s", md);
	cr_assert_not_null(strstr(md, "| +20% (median of 1) |"), "%s", md);
	/* A failed cell shows its reason with the table's pipe escaped. */
	cr_assert_not_null(strstr(md, "failed: broke \\| badly"));
	cr_assert_eq(test_count(md, "| native |"), 5,
		     "the backends table, two workload tables, two headers");
	free(md);
	results_free(&r);
}

/* Where the file workloads ran: one line, and a warning when backends differ. */
Test(report, files_line)
{
	struct results r;
	char err[256];

	build(&r);
	json_t *bk = json_object_get(r.provenance, "backends");
	cr_assert_not_null(bk);
	json_object_set_new(
		bk, "native",
		json_pack("{s:s, s:{s:s}}", "status", "ok", "agent", "tmp_fs", "tmpfs"));
	json_object_set_new(
		bk, "tcg", json_pack("{s:s, s:{s:s}}", "status", "ok", "agent", "tmp_fs", "tmpfs"));
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	char *md = slurp("report.md");
	cr_assert_not_null(strstr(md, "was on tmpfs in every backend that ran"), "%s", md);
	free(md);
	json_object_set_new(
		bk, "tcg",
		json_pack("{s:s, s:{s:s}}", "status", "ok", "agent", "tmp_fs", "ext2/3/4"));
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	md = slurp("report.md");
	cr_assert_not_null(strstr(md, "different filesystems (native tmpfs, tcg ext2/3/4)"), "%s",
			   md);
	free(md);
	results_free(&r);
}

/* A results file's numbers are untrusted: a seed at the end of JSON's integers (from the
 * fuzz targets' corpus, tests/fuzz/corpus/results/regress-seed.json) is a number like any
 * other, not one cast to long long, which it does not fit once read as a double (2^63). */
Test(report, seed_of_any_size)
{
	struct results r;
	char err[256];

	build(&r);
	json_t *run = json_object_get(r.provenance, "run");
	cr_assert_eq(json_object_set_new(run, "seed", json_integer(4294967295)), 0);
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	char *md = slurp("report.md");
	cr_assert_not_null(strstr(md, "each round (seed 4294967295)"), "%s", md);
	free(md);
	cr_assert_eq(json_object_set_new(run, "seed", json_integer(INT64_MAX)), 0);
	cr_assert_eq(report_write(&r, dir, REPORT_MD, err, sizeof(err)), 0, "%s", err);
	md = slurp("report.md");
	/* The double nearest to it, as the provenance view holds every number. */
	cr_assert_not_null(strstr(md, "each round (seed 9223372036854775808)"), "%s", md);
	free(md);
	results_free(&r);
}

Test(report, csv)
{
	struct results r;
	char err[256];

	build(&r);
	cr_assert_eq(report_write(&r, dir, REPORT_CSV, err, sizeof(err)), 0, "%s", err);
	char *csv = slurp("report.csv");
	cr_assert_eq(strncmp(csv, "backend,mode,workload,status,reason,unit,better,n,median,", 57),
		     0);
	cr_assert_eq(test_count(csv, "\r\n"), 1 + r.n, "a header and one line per cell");
	/* RFC 4180: a field with a comma or quote is quoted, quotes doubled. */
	cr_assert_not_null(strstr(csv, ",\"broke | badly, \"\"quoted\"\" & 100% <sure> x_y\","),
			   "%s", csv);
	cr_assert_not_null(strstr(csv, "tcg,mode-of-x,syscall.getppid,ok,,ns/"
				       "op,lower,8,400.3333222,400.0465576,400.6202924,4,"),
			   "%s", csv);
	cr_assert_not_null(strstr(csv, "dev:ide=3;dev:serial=0.5,480.3999867,1.2,"), "%s", csv);
	free(csv);
	results_free(&r);
}

Test(report, latex)
{
	struct results r;
	char err[256];

	build(&r);
	cr_assert_eq(report_write(&r, dir, REPORT_TEX, err, sizeof(err)), 0, "%s", err);
	char *tex = slurp("report.tex");
	cr_assert_eq(test_count(tex, "\\begin{table}"), 2);
	cr_assert_eq(test_count(tex, "\\end{table}"), 2);
	cr_assert_eq(test_count(tex, "\\toprule"), 2);
	cr_assert_eq(test_count(tex, "\\bottomrule"), 2);
	cr_assert_not_null(strstr(tex, "\\label{tab:vmbench-summary}"));
	cr_assert_not_null(strstr(tex, "$\\times$4.00"), "%s", tex);
	/* A median and its ratio on two lines of the cell. */
	cr_assert_not_null(strstr(tex, "\\begin{tabular}[c]{@{}r@{}}400 ns/op\\\\ $\\times$4.00 ["),
			   "%s", tex);
	cr_assert_not_null(strstr(tex, "$\\mu$s/op"));
	cr_assert_not_null(strstr(tex, "syscall.getppid"));
	cr_assert_null(strstr(tex, "syscall_getppid"));
	/* No raw UTF-8 outside comments. */
	for (const char *line = tex; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (*line == '%')
			continue;
		for (const char *p = line; *p && *p != '\n'; p++)
			cr_assert_lt((unsigned char)*p, 0x80, "non-ASCII in: %.60s", line);
	}
	free(tex);
	results_free(&r);
}

Test(report, html)
{
	struct results r;
	char err[256];

	build(&r);
	cr_assert_eq(report_write(&r, dir, REPORT_HTML, err, sizeof(err)), 0, "%s", err);
	char *html = slurp("report.html");
	cr_assert_eq(strncmp(html, "<!DOCTYPE html>", 15), 0);
	cr_assert_not_null(strstr(html, "&quot;quoted&quot; &amp; 100% &lt;sure&gt;"));
	cr_assert_null(strstr(html, "<sure>"));
	cr_assert_eq(test_count(html, "<table"), test_count(html, "</table>"));
	cr_assert_geq(test_count(html, "<table"), 5);
	/* No plots directory: no images, and nothing refers to one. */
	cr_assert_null(strstr(html, "<img"));
	free(html);
	results_free(&r);
}

Test(report, unwritable_directory)
{
	struct results r;
	char err[256];

	build(&r);
	cr_assert_lt(report_write(&r, "/proc/no-such-dir", REPORT_MD, err, sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "report.md"), "%s", err);
	results_free(&r);
}
