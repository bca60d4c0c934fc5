/* vmbench compare on real data: a native run against itself shows no regression; a copy
 * with one cell 15% slower is caught, one 1% slower is not; the Markdown and JUnit files
 * say the same, and the JUnit files are valid against the common JUnit schemas; bad input
 * exits 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "cli_util.h"

TestSuite(compare, .fini = cli_cleanup);

/* A copy of in at out with every sample of (backend, workload) times f. */
static void scaled_copy(const char *in, const char *out, const char *workload, double f)
{
	json_error_t je;
	json_t *root = json_load_file(in, 0, &je), *c;
	size_t i, j;

	cr_assert_not_null(root, "%s", je.text);
	json_array_foreach(json_object_get(root, "results"), i, c) {
		json_t *s, *session;
		size_t k;
		if (strcmp(json_string_value(json_object_get(c, "workload")), workload) != 0)
			continue;
		/* The samples, and each session's record of them. */
		json_array_foreach(json_object_get(c, "samples"), j, s)
			json_real_set(s, json_number_value(s) * f);
		json_array_foreach(json_object_get(c, "sessions"), k, session)
			json_array_foreach(json_object_get(session, "samples"), j, s)
				json_real_set(s, json_number_value(s) * f);
	}
	cr_assert_eq(json_dump_file(root, out, JSON_COMPACT), 0);
	json_decref(root);
}

/* A copy of in at out without the cells of workload. */
static void dropped_copy(const char *in, const char *out, const char *workload)
{
	json_error_t je;
	json_t *root = json_load_file(in, 0, &je);
	json_t *cells = json_object_get(root, "results");

	cr_assert_not_null(root, "%s", je.text);
	for (size_t i = json_array_size(cells); i-- > 0;)
		if (strcmp(json_string_value(json_object_get(json_array_get(cells, i), "workload")),
			   workload) == 0)
			json_array_remove(cells, i);
	cr_assert_eq(json_dump_file(root, out, JSON_COMPACT), 0);
	json_decref(root);
}

/*
 * ci/junit-schema.sh on the files: valid against Jenkins' and Ant's JUnit schemas. The
 * schemas come from the npm registry (never committed): where it cannot be reached the
 * script says so with status 77, and the test is skipped with its reason. Called last,
 * since a skip ends the test.
 */
static void assert_junit_valid(const char *a, const char *b)
{
	char cmd[1024], out[4096], rest[512];
	size_t n;

	snprintf(cmd, sizeof(cmd), "sh '%s/ci/junit-schema.sh' '%s' '%s' 2>&1", VMBENCH_SOURCE_DIR,
		 a, b);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	while (fread(rest, 1, sizeof(rest), p) > 0)
		; /* the rest, unread, would stop the script on a full pipe */
	int st = pclose(p);
	cr_assert(st != -1 && WIFEXITED(st), "ci/junit-schema.sh did not finish: %s", out);
	if (WEXITSTATUS(st) == 77)
		cr_skip_test("%s", out);
	cr_assert_eq(WEXITSTATUS(st), 0, "ci/junit-schema.sh: status %d: %s", WEXITSTATUS(st), out);
}

static int compare(const char *a, const char *b, const char *extra, char *out, size_t outlen,
		   char *err, size_t len)
{
	char *argv[] = { "vmbench", "compare", (char *)a, (char *)b, (char *)extra, NULL };

	return cli_run_out(argv, out, outlen, err, len);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	size_t n;

	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

Test(compare, real_runs_and_made_up_slowdowns, .timeout = 300)
{
	char *dir = cli_tmpdir(), run[300], slow15[300], slow1[300], md[300], junit[300];
	char fewer[300], junit_skip[300];
	char out[16384], err[4096], opt[400];
	/* 8 sessions: one session off by itself, as happens here, does not decide the
	 * verdict then, as it can with 3. */
	char *argv[] = { "vmbench",    "run",	      "--backends",
			 "native",     "--workloads", "cpu.int,syscall.getppid",
			 "--sessions", "8",	      "--reps",
			 "16",	       "--no-report", "-o",
			 dir,	       NULL };

	int st = cli_run(argv, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	snprintf(run, sizeof(run), "%s/results.json", dir);
	snprintf(slow15, sizeof(slow15), "%s/slow15.json", dir);
	snprintf(slow1, sizeof(slow1), "%s/slow1.json", dir);
	snprintf(md, sizeof(md), "%s/compare.md", dir);
	snprintf(junit, sizeof(junit), "%s/compare.xml", dir);
	snprintf(fewer, sizeof(fewer), "%s/fewer.json", dir);
	snprintf(junit_skip, sizeof(junit_skip), "%s/compare-skip.xml", dir);

	st = compare(run, run, NULL, out, sizeof(out), err, sizeof(err));
	cr_assert_eq(st, 0, "a run against itself: %d: %s%s", st, out, err);
	cr_assert_not_null(strstr(out, "regressions: 0,"), "%s", out);

	/* cpu.int: plain computation, whose sessions agree within a few percent here. */
	scaled_copy(run, slow15, "cpu.int", 1.15);
	snprintf(opt, sizeof(opt), "--markdown=%s", md);
	st = compare(run, slow15, opt, out, sizeof(out), err, sizeof(err));
	cr_assert_eq(st, 1, "15%% slower: %d: %s%s", st, out, err);
	cr_assert_not_null(strstr(out, "+15.0%"), "%s", out);
	char *line = strstr(out, "cpu.int");
	cr_assert(line && strstr(line, "regression") < strchr(line, '\n'), "%s", out);
	char *m = slurp(md);
	cr_assert_not_null(strstr(m, "| native | cpu.int |"), "%s", m);
	cr_assert_not_null(strstr(m, "**regression**"), "%s", m);
	cr_assert_not_null(strstr(m, "|---|"), "%s", m);

	/* Back from the slow copy: an improvement, no regression. */
	snprintf(opt, sizeof(opt), "--junit=%s", junit);
	st = compare(slow15, run, opt, out, sizeof(out), err, sizeof(err));
	cr_assert_eq(st, 0, "15%% faster: %d: %s%s", st, out, err);
	char *x = slurp(junit);
	cr_assert_not_null(strstr(x, "<testsuites"), "%s", x);
	cr_assert_not_null(strstr(x, "failures=\"0\""), "%s", x);
	cr_assert_not_null(strstr(x, "classname=\"native\" name=\"cpu.int\""), "%s", x);

	/* A cell missing on one side: no verdict, a skipped testcase with the reason. */
	dropped_copy(run, fewer, "syscall.getppid");
	snprintf(opt, sizeof(opt), "--junit=%s", junit_skip);
	st = compare(run, fewer, opt, out, sizeof(out), err, sizeof(err));
	cr_assert_eq(st, 0, "a cell missing: %d: %s%s", st, out, err);
	x = slurp(junit_skip);
	cr_assert_not_null(strstr(x, "name=\"syscall.getppid\" time=\"0\">\n      "
				     "<skipped>base measured, new missing</skipped>"),
			   "%s", x);

	scaled_copy(run, slow1, "cpu.int", 1.01);
	st = compare(run, slow1, NULL, out, sizeof(out), err, sizeof(err));
	cr_assert_eq(st, 0, "1%% slower is within the threshold: %d: %s%s", st, out, err);

	/* Bad input: 2, one line. */
	const char *bad[][3] = {
		{ run, NULL, NULL },
		{ run, "/nonexistent.json", NULL },
		{ run, run, "--alpha=2" },
		{ run, run, "--threshold=x" },
		{ run, run, "--between=native,tcg" },
		{ run, NULL, "--between=native" },
		{ run, NULL, "--between=native,tcg" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *a[] = { "vmbench",	 "compare",	    (char *)bad[i][0],
			      (char *)bad[i][1], (char *)bad[i][2], NULL };
		if (!bad[i][1]) {
			a[3] = (char *)bad[i][2];
			a[4] = NULL;
		}
		st = cli_run_out(a, out, sizeof(out), err, sizeof(err));
		cr_assert_eq(st, 2, "case %zu: %d: %s", i, st, err);
		cr_assert(strchr(err, '\n') == err + strlen(err) - 1, "case %zu: %s", i, err);
	}
	assert_junit_valid(junit, junit_skip);
	cli_rmtree(dir);
}

/* --test-extra-work makes one workload really slower, says so in results.json, and takes
 * only a workload of the run the agent times operation by operation. */
Test(compare, extra_work_is_a_real_recorded_slowdown, .timeout = 120)
{
	char *dir = cli_tmpdir(), base[300], slow[300], err[4096];
	char *argv[] = { "vmbench",	"run", "--backends", "native", "--workloads", "cpu.int",
			 "--no-report", "-o",  base,	     NULL,     NULL };
	struct results a, b;

	snprintf(base, sizeof(base), "%s/base", dir);
	snprintf(slow, sizeof(slow), "%s/slow", dir);
	int st = cli_run_results(argv, base, &a, err, sizeof(err));
	cr_assert_eq(st, 0, "%d: %s", st, err);
	argv[8] = slow;
	argv[9] = "--test-extra-work=cpu.int=100";
	st = cli_run_results(argv, slow, &b, err, sizeof(err));
	cr_assert_eq(st, 0, "%d: %s", st, err);
	double ma = cli_cell(&a, "native", "cpu.int")->stats.median;
	double mb = cli_cell(&b, "native", "cpu.int")->stats.median;
	/* 100 dependent multiply-adds take far longer than cpu.int's own operation. */
	cr_assert_gt(mb, 1.3 * ma, "base %g, with extra work %g ns/op", ma, mb);
	json_t *rec = json_object_get(json_object_get(b.provenance, "run"), "test_extra_work");
	cr_assert_eq(json_integer_value(json_object_get(rec, "cpu.int")), 100);
	cr_assert_null(json_object_get(json_object_get(a.provenance, "run"), "test_extra_work"));
	results_free(&a);
	results_free(&b);

	const char *bad[] = { "--test-extra-work=cpu.fp=5", "--test-extra-work=cpu.int=0",
			      "--test-extra-work=cpu.int", "--test-extra-work=cpu.int=-3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[9] = (char *)bad[i];
		st = cli_run(argv, err, sizeof(err));
		cr_assert_eq(st, 2, "%s: %d: %s", bad[i], st, err);
	}
	cli_rmtree(dir);
}
