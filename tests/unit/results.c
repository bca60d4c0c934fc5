/* Unit tests of harness/results.h: vmbench/1 write and load (the cells themselves:
 * tests/unit/cells.c). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/results.h"

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/vmbench-results-test.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[PATH_MAX * 2];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

TestSuite(results_file, .init = make_tmpdir, .fini = remove_tmpdir);

static void path_in_tmpdir(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", tmpdir, name);

	cr_assert(n > 0 && (size_t)n < len);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

/* The names in tmpdir other than . and .., as one "a b c" string (sorted by readdir). */
static size_t list_tmpdir(char *names, size_t len)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	size_t count = 0;

	cr_assert_not_null(d);
	names[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (count++)
			strncat(names, " ", len - strlen(names) - 1);
		strncat(names, e->d_name, len - strlen(names) - 1);
	}
	closedir(d);
	return count;
}

static bool same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static void expect_same_stats(const struct summary *a, const struct summary *b, const char *what)
{
	cr_assert_eq(a->n, b->n, "%s: n", what);
	cr_assert(same_double(a->median, b->median), "%s: median %g vs %g", what, a->median,
		  b->median);
	cr_assert_eq(a->has_ci, b->has_ci, "%s: has_ci", what);
	cr_assert(same_double(a->ci_lo, b->ci_lo), "%s: ci_lo", what);
	cr_assert(same_double(a->ci_hi, b->ci_hi), "%s: ci_hi", what);
	cr_assert(same_double(a->ci_coverage, b->ci_coverage), "%s: ci_coverage", what);
	cr_assert_eq(a->sessions, b->sessions, "%s: sessions", what);
	cr_assert(same_double(a->session_sd, b->session_sd), "%s: session_sd", what);
	cr_assert(same_double(a->mean, b->mean), "%s: mean", what);
	cr_assert(same_double(a->stddev, b->stddev), "%s: stddev", what);
	cr_assert(same_double(a->min, b->min), "%s: min", what);
	cr_assert(same_double(a->max, b->max), "%s: max", what);
	cr_assert(same_double(a->mad, b->mad), "%s: mad", what);
	cr_assert_eq(a->outliers, b->outliers, "%s: outliers", what);
}

static void expect_same_json(json_t *a, json_t *b, const char *what)
{
	if (!a || !b) {
		cr_assert(!a && !b, "%s: one side is NULL", what);
		return;
	}
	cr_assert(json_equal(a, b), "%s differs", what);
}

static void expect_same_cell(const struct cell *a, const struct cell *b, size_t i)
{
	char what[64];

	snprintf(what, sizeof(what), "cell %zu", i);
	cr_assert_str_eq(a->backend, b->backend, "%s: backend", what);
	cr_assert_str_eq(a->mode, b->mode, "%s: mode", what);
	cr_assert_str_eq(a->workload, b->workload, "%s: workload", what);
	cr_assert_str_eq(a->unit, b->unit, "%s: unit", what);
	cr_assert_eq(a->better, b->better, "%s: better", what);
	cr_assert_eq(a->status, b->status, "%s: status %s vs %s", what, cell_status_name(a->status),
		     cell_status_name(b->status));
	if (!a->reason || !b->reason)
		cr_assert(!a->reason && !b->reason, "%s: reason '%s' vs '%s'", what,
			  a->reason ? a->reason : "(null)", b->reason ? b->reason : "(null)");
	else
		cr_assert_str_eq(a->reason, b->reason, "%s: reason", what);
	cr_assert_eq(a->n, b->n, "%s: n", what);
	cr_assert_eq(a->nsessions, b->nsessions, "%s: sessions", what);
	for (size_t k = 0; k < a->nsessions; k++)
		cr_assert_eq(a->sessions[k], b->sessions[k], "%s: session %zu", what, k);
	for (size_t k = 0; k < a->n; k++)
		cr_assert(a->samples[k] == b->samples[k], "%s: sample %zu %.17g vs %.17g", what, k,
			  a->samples[k], b->samples[k]);
	cr_assert_eq(a->has_stats, b->has_stats, "%s: has_stats", what);
	if (a->has_stats)
		expect_same_stats(&a->stats, &b->stats, what);
	expect_same_json(a->raw, b->raw, "raw");
	json_t *ta = traps_to_json(&a->traps), *tb = traps_to_json(&b->traps);
	json_t *ca = counters_to_json(&a->counters), *cb = counters_to_json(&b->counters);
	expect_same_json(ta, tb, "traps");
	expect_same_json(ca, cb, "counters");
	json_decref(ta);
	json_decref(tb);
	json_decref(ca);
	json_decref(cb);
	cr_assert(a->probed == b->probed || (isnan(a->probed) && isnan(b->probed)),
		  "%s: probed %g vs %g", what, a->probed, b->probed);
}

/* A results struct with one cell of every kind. */
static void build_results(struct results *r)
{
	const double steady[] = { 10.01, 10.02, 9.98,	      10.0, 10.03,
				  9.97,	 10.01, 10.000000001, 9.99, 10.02 };
	const double noisy[] = { 100, 70, 130, 80, 120, 90, 110, 60, 140, 100 };
	const double few[] = { 3.25, 1.0 / 3.0, 2.5 };
	const double one[] = { 0.1 };
	const size_t thirds[] = { 4, 3, 3 };
	struct cell *c;

	results_init(r);
	r->provenance = json_pack("{s:s, s:i, s:{s:s, s:b}}", "host", "ci-box", "cpus", 8, "kernel",
				  "release", "6.1.0", "mitigations", 1);
	cr_assert_not_null(r->provenance);
	r->complete = true;

	c = results_add(r, "native", "native", "cpu.int", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, steady, thirds, 3), 0);
	cr_assert_eq(c->status, CELL_OK);
	c->raw = json_pack("{s:i, s:i, s:f, s:[f, f, f]}", "iters", 1000, "warmup", 2, "loop_ns",
			   0.25, "sample_ns", 1.0e7, 1.1e7, 1.2e7);
	struct counter cyc = { .name = "cycles",
			       .per_op = 3.5,
			       .total = NAN,
			       .ops = NAN,
			       .scaled = 0,
			       .source = "perf" };
	cr_assert_not_null(c->raw);
	cr_assert_eq(counters_set(&c->counters, &cyc), 0);
	c->probed = 1.0 / 7.0;

	c = results_add(r, "native", "native", "cpu.fp", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_samples(c, few, 3), 0);
	cell_set_status(c, CELL_FAILED, "agent exited with signal %d", 11);

	c = results_add(r, "null", "test", "syscall.getppid", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cell_set_status(c, CELL_SKIPPED, "needs %s", "a guest with KVM");

	c = results_add(r, "native", "native", "mem.bw", "GB/s", BETTER_HIGHER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, noisy, thirds, 3), 0);
	cr_assert_eq(c->status, CELL_NOISY);
	cr_assert_eq(traps_add(&c->traps, "io", 3), 0);
	cr_assert_eq(traps_add(&c->traps, "mmio", 0.5), 0);
	cr_assert_eq(traps_add(&c->traps, "io", 7), 0, "a kind the cell has keeps its value");
	cr_assert_float_eq(c->traps.per_op, 3.5, 1e-12);

	c = results_add(r, "null", "test", "null", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(cell_set_samples(c, one, 1), 0);
	cr_assert_eq(c->status, CELL_OK);
}

Test(results_file, write_and_load_round_trip)
{
	struct results r, back;
	char path[PATH_MAX], err[512] = "";

	build_results(&r);
	path_in_tmpdir(path, sizeof(path), "results.json");
	cr_assert_eq(results_write(&r, path), 0);
	cr_assert_eq(results_load(path, &back, err, sizeof(err)), 0, "%s", err);

	cr_assert_eq(back.complete, true);
	expect_same_json(r.provenance, back.provenance, "provenance");
	cr_assert_eq(back.n, r.n);
	for (size_t i = 0; i < r.n; i++)
		expect_same_cell(&r.cells[i], &back.cells[i], i);

	/* Spot checks against the values put in, not only against each other. */
	cr_assert_str_eq(back.cells[1].reason, "agent exited with signal 11");
	cr_assert_eq(back.cells[1].status, CELL_FAILED);
	cr_assert_eq(back.cells[2].status, CELL_SKIPPED);
	cr_assert_str_eq(back.cells[2].reason, "needs a guest with KVM");
	cr_assert_eq(back.cells[2].n, 0);
	cr_assert_not(back.cells[2].has_stats);
	cr_assert_eq(back.cells[3].better, BETTER_HIGHER);
	cr_assert_str_eq(back.cells[3].unit, "GB/s");
	cr_assert_eq(back.cells[3].status, CELL_NOISY);
	cr_assert_not_null(back.cells[3].reason);
	cr_assert_null(back.cells[0].reason);
	cr_assert(back.cells[1].samples[1] == 1.0 / 3.0, "samples must round-trip exactly");
	cr_assert(isnan(back.cells[4].stats.stddev));
	cr_assert(back.cells[0].probed == 1.0 / 7.0, "the probed sample round-trips exactly");
	cr_assert(isnan(back.cells[1].probed), "no probed sample stays none");

	results_free(&back);
	results_free(&r);
}

Test(results_file, incomplete_flag)
{
	struct results r, back;
	char path[PATH_MAX], err[512] = "";

	build_results(&r);
	r.complete = false;
	path_in_tmpdir(path, sizeof(path), "results.json");
	cr_assert_eq(results_write(&r, path), 0);
	cr_assert_eq(results_load(path, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.complete, false);
	results_free(&back);
	results_free(&r);
}

Test(results_file, empty_results)
{
	struct results r, back;
	char path[PATH_MAX], err[512] = "";

	results_init(&r);
	path_in_tmpdir(path, sizeof(path), "results.json");
	cr_assert_eq(results_write(&r, path), 0);
	cr_assert_eq(results_load(path, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.n, 0);
	cr_assert(json_is_object(back.provenance));
	results_free(&back);
	results_free(&r);
}

Test(results_file, no_temp_file_left)
{
	struct results r;
	char path[PATH_MAX], names[1024];

	build_results(&r);
	path_in_tmpdir(path, sizeof(path), "results.json");
	cr_assert_eq(results_write(&r, path), 0);
	cr_assert_eq(list_tmpdir(names, sizeof(names)), 1, "files after a write: %s", names);
	cr_assert_str_eq(names, "results.json");
	/* Overwriting leaves nothing behind either. */
	r.complete = false;
	cr_assert_eq(results_write(&r, path), 0);
	cr_assert_eq(list_tmpdir(names, sizeof(names)), 1, "files after a rewrite: %s", names);
	cr_assert_str_eq(names, "results.json");
	results_free(&r);
}

Test(results_file, write_to_missing_dir_fails)
{
	struct results r;
	char path[PATH_MAX];

	results_init(&r);
	path_in_tmpdir(path, sizeof(path), "no/such/dir/results.json");
	cr_assert_lt(results_write(&r, path), 0);
	results_free(&r);
}

/* ----- invalid documents ----- */

/* Loads text from a file and expects -EINVAL with a reason that contains want. */
static void expect_invalid(const char *text, const char *want)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	path_in_tmpdir(path, sizeof(path), "bad.json");
	write_file(path, text);
	int ret = results_load(path, &r, err, sizeof(err));
	cr_assert_eq(ret, -EINVAL, "loading %s gave %d, expected -EINVAL (%s)", want, ret, err);
	cr_assert_neq(err[0], '\0', "no reason for %s", want);
	cr_assert_not_null(strstr(err, want), "reason '%s' does not name '%s'", err, want);
	cr_assert_eq(r.n, 0);
	cr_assert_null(r.cells);
	cr_assert_null(r.provenance);
	results_free(&r);
}

#define CELL_JSON(status, better, samples)                                                    \
	"{\"schema\": \"vmbench/1\", \"complete\": true, \"provenance\": {}, \"results\": [{" \
	"\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"cpu.int\", "          \
	"\"status\": \"" status "\", \"reason\": null, \"unit\": \"ns/op\", "                 \
	"\"better\": \"" better "\", \"samples\": " samples "}]}"

Test(results_file, minimal_valid_document)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	path_in_tmpdir(path, sizeof(path), "ok.json");
	write_file(path, CELL_JSON("failed", "lower", "[1, 2.5, 3]"));
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.cells[0].status, CELL_FAILED);
	cr_assert_eq(r.cells[0].n, 3);
	cr_assert_float_eq(r.cells[0].stats.median, 2.5, 1e-12);
	cr_assert_null(r.cells[0].raw);
	results_free(&r);
}

Test(results_file, not_json_has_location)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";
	int line = 0, col = 0;

	path_in_tmpdir(path, sizeof(path), "bad.json");
	write_file(path, "{\n  \"schema\": \"vmbench/1\",\n  oops\n}\n");
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), -EINVAL);
	cr_assert_eq(strncmp(err, path, strlen(path)), 0,
		     "reason '%s' does not start with the path", err);
	cr_assert_eq(sscanf(err + strlen(path), ":%d:%d:", &line, &col), 2,
		     "reason '%s' has no :line:col", err);
	cr_assert_eq(line, 3, "syntax error reported on line %d", line);
	cr_assert_gt(col, 0);
	results_free(&r);
}

Test(results_file, invalid_documents)
{
	expect_invalid("[1, 2, 3]\n", "object");
	expect_invalid("{\"schema\": \"vmbench/0\", \"provenance\": {}, \"results\": []}",
		       "vmbench/0");
	expect_invalid("{\"provenance\": {}, \"results\": []}", "schema");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}}", "results");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": {}}",
		       "results");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": [], \"results\": []}",
		       "provenance");
	expect_invalid(CELL_JSON("weird", "lower", "[1, 2]"), "weird");
	expect_invalid(CELL_JSON("weird", "lower", "[1, 2]"), "status");
	expect_invalid(CELL_JSON("ok", "lower", "[1, \"2\", 3]"), "samples[1]");
	expect_invalid(CELL_JSON("ok", "lower", "[1, null]"), "samples[1]");
	expect_invalid(CELL_JSON("ok", "lower", "\"1 2 3\""), "samples");
	expect_invalid(CELL_JSON("ok", "sideways", "[1, 2]"), "better");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"status\": \"ok\", "
		       "\"unit\": \"ns/op\", \"better\": \"lower\", \"samples\": []}]}",
		       "workload");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", "
		       "\"status\": \"ok\", \"reason\": 5, \"unit\": \"ns/op\", "
		       "\"better\": \"lower\", \"samples\": []}]}",
		       "reason");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", "
		       "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
		       "\"samples\": [], \"raw\": [1]}]}",
		       "raw");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", "
		       "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
		       "\"samples\": [1], \"probed_sample\": -1}]}",
		       "probed_sample");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", "
		       "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
		       "\"samples\": [1], \"probed_sample\": \"fast\"}]}",
		       "probed_sample");
	expect_invalid("{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"
		       "\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", "
		       "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
		       "\"samples\": [1], \"wall_s\": 0}]}",
		       "wall_s");
}

#define SESSIONS_JSON(samples, sessions)                                       \
	"{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{"      \
	"\"backend\": \"native\", \"mode\": \"native\", \"workload\": \"w\", " \
	"\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "     \
	"\"samples\": " samples ", \"sessions\": " sessions "}]}"

/* A cell's sessions must be its samples, in order, none empty. */
Test(results_file, sessions_checked)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	expect_invalid(SESSIONS_JSON("[1, 2, 3]", "[{\"samples\": [1, 2]}]"), "sessions");
	expect_invalid(SESSIONS_JSON("[1, 2, 3]", "[{\"samples\": [1, 2]}, {\"samples\": [4]}]"),
		       "sessions");
	expect_invalid(SESSIONS_JSON("[1, 2]", "[{\"samples\": [1, 2]}, {\"samples\": []}]"),
		       "sessions");
	expect_invalid(SESSIONS_JSON("[1, 2]", "[1, 2]"), "sessions");
	expect_invalid(SESSIONS_JSON("[1, 2]", "{}"), "sessions");

	path_in_tmpdir(path, sizeof(path), "ok.json");
	write_file(path, SESSIONS_JSON("[1, 2, 4, 8]", "[{\"samples\": [1, 2], \"median\": 1.5}, "
						       "{\"samples\": [4]}, {\"samples\": [8]}]"));
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.cells[0].nsessions, 3);
	cr_assert_eq(r.cells[0].sessions[0], 2);
	cr_assert_float_eq(r.cells[0].stats.median, cbrt(1.5 * 4 * 8), 1e-9);
	cr_assert(r.cells[0].stats.has_ci);
	results_free(&r);
}

/* wall_s above 0, probed_sample at 0 too, both null or missing: none. */
Test(results_file, optional_numbers)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	path_in_tmpdir(path, sizeof(path), "opt.json");
	write_file(path, "{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": ["
			 "{\"backend\": \"a\", \"mode\": \"m\", \"workload\": \"w\", "
			 "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
			 "\"samples\": [1], \"wall_s\": 2.5, \"probed_sample\": 0}, "
			 "{\"backend\": \"b\", \"mode\": \"m\", \"workload\": \"w\", "
			 "\"status\": \"ok\", \"unit\": \"ns/op\", \"better\": \"lower\", "
			 "\"samples\": [1], \"wall_s\": null}]}");
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.cells[0].wall_s, 2.5);
	cr_assert_eq(r.cells[0].probed, 0);
	cr_assert_eq(r.cells[1].wall_s, 0);
	cr_assert(isnan(r.cells[1].probed));
	results_free(&r);
}

Test(results_file, missing_file)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	path_in_tmpdir(path, sizeof(path), "does-not-exist.json");
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), -EINVAL);
	cr_assert_neq(err[0], '\0');
	cr_assert_not_null(strstr(err, path), "reason '%s' does not name the file", err);
	results_free(&r);
}

/*
 * "The stored status stands; statistics do not decide it again on load": an "ok" cell whose
 * samples are noisy (say, written with another threshold) loads as ok, and its reason is
 * the stored one (null), not an untrustworthy message made up on load.
 */
Test(results_file, stored_status_and_reason_stand)
{
	struct results r;
	char path[PATH_MAX], err[512] = "";

	path_in_tmpdir(path, sizeof(path), "ok.json");
	write_file(path,
		   CELL_JSON("ok", "lower", "[100, 70, 130, 80, 120, 90, 110, 60, 140, 100]"));
	cr_assert_eq(results_load(path, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.cells[0].status, CELL_OK);
	cr_assert_null(r.cells[0].reason, "loaded reason is '%s', the document has null",
		       r.cells[0].reason);
	results_free(&r);
}
