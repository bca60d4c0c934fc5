/* Unit tests of harness/export.h and 'vmbench export': the names, measures, unit conversions
 * and intervals of both formats, the cells left out, and exit status 2 on bad input. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/cli.h"
#include "harness/export.h"

/* A cell of k sessions, each of the one sample given: its session medians are those. */
static struct cell *add(struct results *r, const char *backend, const char *workload,
			const char *unit, enum better better, const double *x, size_t k)
{
	size_t sizes[8];
	struct cell *c = results_add(r, backend, "mode", workload, unit, better);

	cr_assert_not_null(c);
	for (size_t i = 0; i < k; i++)
		sizes[i] = 1;
	if (k)
		cr_assert_eq(cell_set_sessions(c, x, sizes, k), 0);
	return c;
}

#define ADD(r, b, w, unit, better, ...)                             \
	add(r, b, w, unit, better, (const double[]){ __VA_ARGS__ }, \
	    sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double))

/* Every unit the workloads declare, a few they might, the statuses a cell can have. */
static void make(struct results *r)
{
	results_init(r);
	r->complete = true;
	r->provenance = json_pack("{s:s, s:[s, s], s:{s:s, s:i, s:n}, s:{s:s, s:{s:s}}}", "date",
				  "2026-12-03T16:13:14Z", "command_line", "vmbench", "run", "host",
				  "hostname", "testhost", "cpus_online", 2, "cpu_model", "vmbench",
				  "version", "0.1.0", "git", "sha", "abc123");
	cr_assert_not_null(r->provenance);
	ADD(r, "native", "syscall.getppid", "ns/op", BETTER_LOWER, 100, 102, 98);
	ADD(r, "native", "lifecycle.boot", "s", BETTER_LOWER, 0.002, 0.002, 0.002);
	ADD(r, "native", "mem.bw.copy", "GB/s", BETTER_HIGHER, 40, 40, 40);
	ADD(r, "native", "io.randread4k.qd1", "IOPS", BETTER_HIGHER, 20000, 20000, 20000);
	ADD(r, "native", "io.seqread1m", "MB/s", BETTER_HIGHER, 500); /* one session: no CI */
	ADD(r, "native", "mem.mmap", "ns/MiB", BETTER_LOWER, 1e6, 1e6, 1e6);
	ADD(r, "native", "clock.slow", "\u00b5s/op", BETTER_LOWER, 2, 2, 2);
	ADD(r, "native", "odd", "widgets per fortnight!", BETTER_HIGHER, 7, 7, 7);
	cr_assert_eq(ADD(r, "tcg", "syscall.getppid", "ns/op", BETTER_LOWER, 100, 200, 400)->status,
		     CELL_NOISY);
	cell_set_status(ADD(r, "tcg", "cpu.int", "ns/op", BETTER_LOWER, 5, 5, 5), CELL_SKIPPED,
			"no such thing here");
	cell_set_status(ADD(r, "kvm", "cpu.int", "ns/op", BETTER_LOWER, 5, 5, 5), CELL_FAILED,
			"it broke");
	add(r, "uml", "cpu.int", "ns/op", BETTER_LOWER, NULL, 0); /* ok, but no samples */
	cr_assert_eq(r->cells[0].status, CELL_OK);
}

static json_t *build(const struct results *r, enum export_format f)
{
	json_t *doc = NULL;

	cr_assert_eq(export_build(r, f, &doc), 0);
	cr_assert_not_null(doc);
	return doc;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_number(v), "%s is not a number", key);
	return json_number_value(v);
}

/* Equal within rounding of the conversions. */
static void near(double got, double want, const char *what)
{
	cr_assert(fabs(got - want) <= 1e-12 * fabs(want), "%s: %.17g, want %.17g", what, got, want);
}

/* Whether every number in v is finite (jansson would not hold one that is not, but a
 * conversion could still make one out of range). */
static bool all_finite(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_real(v))
		return isfinite(json_real_value(v));
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
			if (!all_finite(e))
				return false;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!all_finite(e))
				return false;
	}
	return true;
}

Test(export, format_names)
{
	cr_assert_str_eq(export_format_name(EXPORT_BMF), "bmf");
	cr_assert_str_eq(export_format_name(EXPORT_GBENCH), "gbench");
	cr_assert_null(export_format_name(2));
}

Test(export, unknown_format_rejected)
{
	struct results r;
	json_t *doc = NULL;

	make(&r);
	cr_assert_eq(export_build(&r, (enum export_format)7, &doc), -EINVAL);
	cr_assert_null(doc);
	results_free(&r);
}

Test(export, bmf)
{
	struct results r;

	make(&r);
	json_t *d = build(&r, EXPORT_BMF), *m;
	const struct summary *s = &r.cells[0].stats;
	const char *const names[] = {
		"native/syscall.getppid", "native/lifecycle.boot",
		"native/mem.bw.copy",	  "native/io.randread4k.qd1",
		"native/io.seqread1m",	  "native/mem.mmap",
		"native/clock.slow",	  "native/odd",
		"tcg/syscall.getppid",
	};
	const char *k;
	json_t *v;
	size_t i = 0;

	/* The measured cells in order, and only those: skipped, failed, unmeasured left out. */
	cr_assert_eq(json_object_size(d), ARRAY_SIZE(names));
	json_object_foreach(d, k, v) {
		cr_assert_str_eq(k, names[i]);
		cr_assert_eq(json_object_size(v), 1, "%s: one measure", k);
		i++;
	}
	/* The estimate and the 95% CI of the statistics, nothing else. */
	m = json_object_get(json_object_get(d, "native/syscall.getppid"), "latency");
	cr_assert_eq(json_object_size(m), 3);
	cr_assert(s->has_ci && s->ci_lo < s->median && s->median < s->ci_hi);
	cr_assert_eq(num(m, "value"), s->median);
	cr_assert_eq(num(m, "lower_value"), s->ci_lo);
	cr_assert_eq(num(m, "upper_value"), s->ci_hi);
	/* Times in ns for latency. */
	m = json_object_get(json_object_get(d, "native/lifecycle.boot"), "latency");
	near(num(m, "value"), 2e6, "boot");
	near(num(m, "lower_value"), 2e6, "boot lo");
	near(num(m, "upper_value"), 2e6, "boot hi");
	m = json_object_get(json_object_get(d, "native/clock.slow"), "latency");
	near(num(m, "value"), 2000, "µs/op");
	/* Operations per second as throughput; other units under their own names. */
	m = json_object_get(json_object_get(d, "native/io.randread4k.qd1"), "throughput");
	near(num(m, "value"), 20000, "IOPS");
	m = json_object_get(json_object_get(d, "native/mem.bw.copy"), "gb-per-s");
	near(num(m, "value"), 40, "GB/s");
	m = json_object_get(json_object_get(d, "native/mem.mmap"), "ns-per-mib");
	near(num(m, "value"), 1e6, "ns/MiB");
	m = json_object_get(json_object_get(d, "native/odd"), "widgets-per-fortnight");
	near(num(m, "value"), 7, "odd");
	/* One session: no interval, no bounds. */
	m = json_object_get(json_object_get(d, "native/io.seqread1m"), "mb-per-s");
	cr_assert_eq(json_object_size(m), 1);
	near(num(m, "value"), 500, "MB/s");
	/* Noisy cells stay, with their wide interval. */
	m = json_object_get(json_object_get(d, "tcg/syscall.getppid"), "latency");
	cr_assert_eq(num(m, "value"), r.cells[8].stats.median);
	cr_assert_eq(num(m, "upper_value"), r.cells[8].stats.ci_hi);
	cr_assert(all_finite(d));
	json_decref(d);
	results_free(&r);
}

static json_t *entry(json_t *doc, const char *name)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "benchmarks"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
			return e;
	cr_assert_fail("no entry %s", name);
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	cr_assert_not_null(s, "%s is not a string", key);
	return s;
}

Test(export, gbench)
{
	struct results r;

	make(&r);
	json_t *d = build(&r, EXPORT_GBENCH), *ctx = json_object_get(d, "context"), *e;
	const struct summary *s = &r.cells[0].stats;
	const char *const names[] = {
		"native/syscall.getppid",   "native/lifecycle.boot", "native/mem.bw.copy",
		"native/io.randread4k.qd1", "native/io.seqread1m",   "native/mem.mmap",
		"native/clock.slow",	    "tcg/syscall.getppid",
	};
	size_t i;

	/* The context from the provenance; what it lacks (cpu_model null) is left out. */
	cr_assert_str_eq(str(ctx, "date"), "2026-12-03T16:13:14Z");
	cr_assert_str_eq(str(ctx, "host_name"), "testhost");
	cr_assert_str_eq(str(ctx, "executable"), "vmbench");
	cr_assert_eq(json_integer_value(json_object_get(ctx, "num_cpus")), 2);
	cr_assert_eq(json_integer_value(json_object_get(ctx, "json_schema_version")), 1);
	cr_assert_str_eq(str(ctx, "vmbench_version"), "0.1.0");
	cr_assert_str_eq(str(ctx, "vmbench_git_sha"), "abc123");
	cr_assert_null(json_object_get(ctx, "cpu_model"));
	cr_assert(json_is_true(json_object_get(ctx, "vmbench_complete")));

	/* One iteration entry per measured cell the format can hold ("odd" it cannot). */
	cr_assert_eq(json_array_size(json_object_get(d, "benchmarks")), ARRAY_SIZE(names));
	json_array_foreach(json_object_get(d, "benchmarks"), i, e) {
		cr_assert_str_eq(str(e, "name"), names[i]);
		cr_assert_str_eq(str(e, "run_name"), names[i]);
		cr_assert_str_eq(str(e, "run_type"), "iteration");
		cr_assert_eq(num(e, "repetitions"), 1);
		cr_assert_eq(num(e, "threads"), 1);
		cr_assert_eq(num(e, "cpu_time"), num(e, "real_time"));
		cr_assert_null(json_object_get(e, "error_occurred"));
		/* Families by backend, in order; instances counted within each. */
		cr_assert_eq(num(e, "family_index"), i < 7 ? 0 : 1, "%s", names[i]);
		cr_assert_eq(num(e, "per_family_instance_index"), i < 7 ? i : i - 7, "%s",
			     names[i]);
	}

	/* A time: real_time in its own unit, the CI as counters, samples as iterations. */
	e = entry(d, "native/syscall.getppid");
	cr_assert_str_eq(str(e, "time_unit"), "ns");
	cr_assert_eq(num(e, "real_time"), s->median);
	cr_assert_eq(num(e, "real_time_ci95_lo"), s->ci_lo);
	cr_assert_eq(num(e, "real_time_ci95_hi"), s->ci_hi);
	cr_assert_eq(num(e, "iterations"), 3);
	cr_assert_str_eq(str(e, "label"), "ns/op");
	e = entry(d, "native/lifecycle.boot");
	cr_assert_str_eq(str(e, "time_unit"), "s");
	near(num(e, "real_time"), 0.002, "boot");
	e = entry(d, "native/clock.slow");
	cr_assert_str_eq(str(e, "time_unit"), "us");
	near(num(e, "real_time"), 2, "µs/op");
	e = entry(d, "native/mem.mmap");
	cr_assert_str_eq(str(e, "time_unit"), "ns");
	cr_assert_str_eq(str(e, "label"), "ns/MiB");
	cr_assert_null(json_object_get(e, "bytes_per_second"));

	/* A rate: a counter as Google Benchmark reports rates, real_time the time of one unit. */
	e = entry(d, "native/mem.bw.copy");
	near(num(e, "bytes_per_second"), 40e9, "GB/s");
	near(num(e, "real_time"), 1e9 / 40, "ns per GB");
	near(num(e, "real_time_ci95_lo"), 1e9 / 40, "ns per GB, lo");
	cr_assert_str_eq(str(e, "time_unit"), "ns");
	cr_assert_str_eq(str(e, "label"), "GB/s");
	e = entry(d, "native/io.randread4k.qd1");
	near(num(e, "items_per_second"), 20000, "IOPS");
	near(num(e, "real_time"), 50000, "ns per I/O");
	cr_assert_null(json_object_get(e, "bytes_per_second"));
	e = entry(d, "native/io.seqread1m");
	near(num(e, "bytes_per_second"), 500e6, "MB/s");
	near(num(e, "real_time"), 2e6, "ns per MB");
	cr_assert_null(json_object_get(e, "real_time_ci95_lo"));

	/* A noisy cell is there, said so in its label; the interval inverted with the rate. */
	e = entry(d, "tcg/syscall.getppid");
	cr_assert_eq(strncmp(str(e, "label"), "ns/op; noisy: ", 14), 0, "%s", str(e, "label"));
	cr_assert(num(e, "real_time_ci95_lo") < num(e, "real_time"));
	cr_assert(num(e, "real_time") < num(e, "real_time_ci95_hi"));
	cr_assert(all_finite(d));
	json_decref(d);
	results_free(&r);
}

Test(export, empty_results)
{
	struct results r;
	json_t *d;

	results_init(&r);
	r.provenance = json_object();
	d = build(&r, EXPORT_BMF);
	cr_assert_eq(json_object_size(d), 0);
	json_decref(d);
	d = build(&r, EXPORT_GBENCH);
	cr_assert_eq(json_array_size(json_object_get(d, "benchmarks")), 0);
	cr_assert_eq(json_object_size(json_object_get(d, "context")), 2);
	json_decref(d);
	results_free(&r);
}

/* The command: files in a directory of its own. */
static char dir[PATH_MAX];

static void make_dir(void)
{
	strcpy(dir, "/tmp/vmbench-export-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX * 2];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(export_cli, .init = make_dir, .fini = remove_dir);

static char *in_dir(const char *name)
{
	static char paths[4][PATH_MAX + 64];
	static size_t next;
	char *p = paths[next++ % ARRAY_SIZE(paths)];

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name);
	return p;
}

/* Reads what a temporary file holds, NUL-terminated, and closes it. */
static char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	s = calloc(1, (size_t)n + 1);
	cr_assert(n >= 0 && s);
	rewind(f);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

/* cli_main's exit status, with what it wrote to stdout and stderr (free both). */
static int run(char **argv, char **out, char **err)
{
	FILE *o = tmpfile(), *e = tmpfile();
	int argc = 0, so = dup(STDOUT_FILENO), se = dup(STDERR_FILENO), ret;

	cr_assert(o && e && so >= 0 && se >= 0);
	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(o), STDOUT_FILENO);
	dup2(fileno(e), STDERR_FILENO);
	ret = cli_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, STDOUT_FILENO);
	dup2(se, STDERR_FILENO);
	close(so);
	close(se);
	*out = slurp(o);
	*err = slurp(e);
	return ret;
}

static const char *write_results(void)
{
	const char *path = in_dir("results.json");
	struct results r;

	make(&r);
	cr_assert_eq(results_write(&r, path), 0);
	results_free(&r);
	return path;
}

Test(export_cli, writes_both_formats)
{
	char *res = (char *)write_results(), *file = in_dir("out.json"), *out, *err;
	char *bmf_argv[] = { "vmbench", "export", "--format", "bmf", res, "-o", file, NULL };
	char *gb_argv[] = { "vmbench", "export", "-f", "gbench", res, NULL };
	struct results r;
	json_error_t je;
	json_t *got, *want;

	/* Into a file: the document export_build makes of the file read back. */
	cr_assert_eq(run(bmf_argv, &out, &err), EXIT_OK, "%s", err);
	cr_assert_str_eq(out, "");
	cr_assert_str_eq(err, "");
	free(out);
	free(err);
	got = json_load_file(file, 0, &je);
	cr_assert_not_null(got, "%s", je.text);
	char why[256];
	cr_assert_eq(results_load(res, &r, why, sizeof(why)), 0, "%s", why);
	want = build(&r, EXPORT_BMF);
	cr_assert(json_equal(got, want));
	json_decref(got);
	json_decref(want);

	/* On stdout; the cell it cannot hold is named on stderr. */
	cr_assert_eq(run(gb_argv, &out, &err), EXIT_OK, "%s", err);
	got = json_loads(out, 0, &je);
	cr_assert_not_null(got, "%s", je.text);
	want = build(&r, EXPORT_GBENCH);
	cr_assert(json_equal(got, want));
	cr_assert_not_null(strstr(err, "native/odd"), "%s", err);
	json_decref(got);
	json_decref(want);
	free(out);
	free(err);
	results_free(&r);
}

/* Bad input: exit status 2 and one line on stderr, nothing on stdout. */
Test(export_cli, bad_input_exits_2)
{
	char *res = (char *)write_results(), *foreign = in_dir("foreign.json");
	char *garbage = in_dir("garbage.json"), *missing = in_dir("missing.json");
	struct {
		char *argv[8];
		const char *want;
	} bad[] = {
		{ { "vmbench", "export", "--format", "csv", res, NULL },
		  "vmbench export: unknown format 'csv' (known: bmf, gbench) (see 'vmbench export "
		  "--help')\n" },
		{ { "vmbench", "export", res, NULL },
		  "name the format: --format bmf or --format gbench" },
		{ { "vmbench", "export", "--format", "bmf", NULL },
		  "name the results file (RESULTS.json)" },
		{ { "vmbench", "export", "--format", "bmf", res, res, NULL },
		  "unexpected argument" },
		{ { "vmbench", "export", "--format", "gbench", missing, NULL }, "missing.json" },
		{ { "vmbench", "export", "--format", "gbench", foreign, NULL },
		  "schema is \"other/2\", this vmbench reads \"vmbench/1\"" },
		{ { "vmbench", "export", "--format", "bmf", garbage, NULL }, "garbage.json:1:" },
	};
	FILE *f;

	cr_assert_not_null(f = fopen(foreign, "w"));
	fputs("{\"schema\": \"other/2\", \"provenance\": {}, \"results\": []}\n", f);
	fclose(f);
	cr_assert_not_null(f = fopen(garbage, "w"));
	fputs("{ not json\n", f);
	fclose(f);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *out, *err;
		int st = run(bad[i].argv, &out, &err);

		cr_assert_eq(st, EXIT_USAGE, "%s: exit status %d: %s", bad[i].want, st, err);
		cr_assert_not_null(strstr(err, bad[i].want), "want '%s', got: %s", bad[i].want,
				   err);
		cr_assert_str_eq(strchr(err, '\n'), "\n", "not one line: %s", err);
		cr_assert_str_eq(out, "");
		free(out);
		free(err);
	}
}

/* A document that cannot be written is a failure (1), not bad input. */
Test(export_cli, unwritable_output_exits_1)
{
	char *res = (char *)write_results(), *out, *err;
	char *argv[] = { "vmbench", "export", "--format", "bmf", res, "-o", "/nonexistent/x.json",
			 NULL };

	cr_assert_eq(run(argv, &out, &err), EXIT_FAILED, "%s", err);
	cr_assert_not_null(strstr(err, "cannot write /nonexistent/x.json"), "%s", err);
	free(out);
	free(err);
}
