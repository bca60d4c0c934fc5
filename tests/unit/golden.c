/*
 * Golden tests of the reports and plot data: the fixture results file (a real run) rendered
 * again must give the same bytes as tests/golden/, made by the code before reports were a
 * model and one renderer per format. A change to a report's text changes those files too.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/results.h"
#include "host/util.h"
#include "tests/test_util.h"

#define FIXTURE VMBENCH_GOLDEN_DIR "/fixture/results.json"

static char dir[PATH_MAX];
static struct results res;

static void setup(void)
{
	char err[512];

	strcpy(dir, "/tmp/vmbench-golden-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(results_load(FIXTURE, &res, err, sizeof(err)), 0, "%s", err);
}

/* Everything the tests may have written: the reports, the plot data and their folder. */
static void teardown(void)
{
	results_free(&res);
	cr_expect_eq(test_remove_rendered(dir), 0, "%s left behind: %s", dir, strerror(errno));
}

TestSuite(golden, .init = setup, .fini = teardown);

static char *slurp(const char *path, size_t *len)
{
	char *s = util_read_file(path, 64u << 20, len);

	cr_assert_not_null(s, "cannot read %s: %s", path, strerror(errno));
	return s;
}

/* got must be want's bytes; else the first line that differs, from both. */
static void expect_same(const char *want_path, const char *got_path)
{
	size_t wlen, glen, line = 1, start = 0, i;
	char *want = slurp(want_path, &wlen), *got = slurp(got_path, &glen);

	for (i = 0; i < wlen && i < glen && want[i] == got[i]; i++)
		if (want[i] == '\n') {
			line++;
			start = i + 1;
		}
	if (i < wlen || i < glen) {
		int wl = (int)strcspn(want + start, "\n"), gl = (int)strcspn(got + start, "\n");
		cr_expect_fail("%s differs from %s at line %zu, byte %zu of it:\n  want: %.*s\n"
			       "  got:  %.*s",
			       got_path, want_path, line, i - start + 1, start < wlen ? wl : 0,
			       want + start, start < glen ? gl : 0, got + start);
	}
	free(want);
	free(got);
}

static void check_report(unsigned format, const char *ext)
{
	char err[512], want[PATH_MAX], got[PATH_MAX + 32];

	cr_assert_eq(report_write(&res, dir, format, err, sizeof(err)), 0, "%s", err);
	snprintf(want, sizeof(want), "%s/report.%s", VMBENCH_GOLDEN_DIR, ext);
	snprintf(got, sizeof(got), "%s/report.%s", dir, ext);
	expect_same(want, got);
}

Test(golden, markdown)
{
	check_report(REPORT_MD, "md");
}

Test(golden, csv)
{
	check_report(REPORT_CSV, "csv");
}

Test(golden, latex)
{
	check_report(REPORT_TEX, "tex");
}

Test(golden, html)
{
	check_report(REPORT_HTML, "html");
}

/* Each golden .dat is written again, and no plot the golden files lack. */
Test(golden, plot_data)
{
	char err[512], want[PATH_MAX], got[PATH_MAX + 64];
	size_t written = 0, golden = 0;

	cr_assert_eq(plot_write_data(&res, dir, &written, err, sizeof(err)), 0, "%s", err);
	for (size_t i = 0; i < plot_count; i++) {
		snprintf(want, sizeof(want), "%s/plots/%s.dat", VMBENCH_GOLDEN_DIR,
			 plot_table[i].stem);
		snprintf(got, sizeof(got), "%s/plots/%s.dat", dir, plot_table[i].stem);
		if (access(want, F_OK) != 0) {
			cr_expect_neq(access(got, F_OK), 0, "%s written, not in the golden files",
				      got);
			continue;
		}
		golden++;
		expect_same(want, got);
	}
	cr_expect_eq(written, golden, "%zu data files written, %zu golden", written, golden);
}

/* Every key of a (recursively) is in b; the path of the first missing one in path. */
static bool keys_kept(json_t *a, json_t *b, char *path, size_t len)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(a)) {
		json_object_foreach(a, k, v) {
			size_t at = strlen(path);
			util_appendf(path, len, ".%s", k);
			if (!json_is_object(b) || !json_object_get(b, k) ||
			    !keys_kept(v, json_object_get(b, k), path, len))
				return false;
			path[at] = '\0';
		}
	} else if (json_is_array(a)) {
		json_array_foreach(a, i, v) {
			size_t at = strlen(path);
			util_appendf(path, len, "[%zu]", i);
			if (!json_is_array(b) || i >= json_array_size(b) ||
			    !keys_kept(v, json_array_get(b, i), path, len))
				return false;
			path[at] = '\0';
		}
	}
	return true;
}

/* Loading and writing the fixture again keeps its JSON: every key (the schema), and every
 * value. */
Test(golden, results_roundtrip)
{
	json_error_t jerr;
	json_t *want = json_load_file(FIXTURE, 0, &jerr), *got = results_to_json(&res);
	char path[4096] = "";

	cr_assert_not_null(want, "%s: %s", FIXTURE, jerr.text);
	cr_assert_not_null(got);
	bool kept = keys_kept(want, got, path, sizeof(path));
	cr_expect(kept, "the fixture's key %s is lost by results_load + results_to_json", path);
	/* Statistics are derived again from the samples, with the seeds the file records:
	 * the same numbers, as the golden reports that show them require anyway. */
	cr_expect(json_equal(want, got), "results_load + results_to_json changes the fixture");
	json_decref(want);
	json_decref(got);
}
