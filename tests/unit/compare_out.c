/* Unit tests of harness/compare_out.h's JUnit XML: the shape both common JUnit schemas
 * accept (ci/junit-schema.sh validates real files against them in compare's integration
 * test), the content kept in it, and names escaped. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/compare_out.h"
#include "tests/test_util.h"

static struct compare_row row(const char *label, const char *workload, enum verdict v)
{
	struct compare_row r = {
		.workload = workload,
		.unit = "ns/op",
		.base = 100,
		.new = 120,
		.change = 20,
		.ci_lo = 15,
		.ci_hi = 25,
		.p = 0.001,
		.threshold = 5,
		.verdict = v,
		.k_base = 3,
		.k_new = 3,
	};

	snprintf(r.label, sizeof(r.label), "%s", label);
	if (v == VERDICT_NONE)
		snprintf(r.why, sizeof(r.why), "base measured, new missing");
	return r;
}

static char *junit(struct compare_row *rows, size_t n, const char *date, const char *host)
{
	struct compare c = { .rows = rows, .n = n };
	struct compare_opts o = { .alpha = COMPARE_ALPHA, .threshold = COMPARE_THRESHOLD };
	json_t *props = json_pack("{s:s, s:i}", "base", "a.json", "not_a_string", 1);

	for (size_t i = 0; i < n; i++) {
		c.regressions += rows[i].verdict == VERDICT_REGRESSION;
		c.improvements += rows[i].verdict == VERDICT_IMPROVEMENT;
		c.unjudged += rows[i].verdict == VERDICT_NONE;
	}
	char *x = compare_junit(&c, &o, props, date, host);
	json_decref(props);
	cr_assert_not_null(x);
	return x;
}

Test(compare_out, junit_shape_and_content)
{
	struct compare_row rows[] = {
		row("native", "cpu.int", VERDICT_REGRESSION),
		row("native", "cpu.fp", VERDICT_SAME),
		row("native", "syscall.getppid", VERDICT_NONE),
		row("native", "syscall.read", VERDICT_IMPROVEMENT),
	};
	char *x = junit(rows, 4, "2026-12-03T16:13:14Z", "vm");

	/* Ant's schema: no attributes on the root, and all of these on the suite. */
	cr_assert_not_null(strstr(x, "\n<testsuites>\n  <testsuite name=\"vmbench compare\" "
				     "package=\"vmbench\" id=\"0\" tests=\"4\" failures=\"1\" "
				     "errors=\"0\" time=\"0\" timestamp=\"2026-12-03T16:13:14\" "
				     "hostname=\"vm\" skipped=\"1\">\n    <properties>\n"),
			   "%s", x);
	cr_assert_not_null(strstr(x, "<property name=\"base\" value=\"a.json\"/>"), "%s", x);
	cr_assert_not_null(strstr(x, "<property name=\"alpha\" value=\"0.01\"/>"), "%s", x);
	cr_assert_null(strstr(x, "not_a_string"), "%s", x);
	cr_assert_eq(test_count(x, "<testcase "), 4, "%s", x);
	cr_assert_eq(test_count(x, " time=\"0\""), 5, "%s", x);
	cr_assert_not_null(strstr(x, "<testcase classname=\"native\" name=\"cpu.int\" time=\"0\">\n"
				     "      <failure type=\"regression\" message=\"100 ns/op -&gt; "
				     "120 ns/op: +20.0% [+15.0%, +25.0%], p 0.0010 (threshold "
				     "5%)\"/>\n    </testcase>\n"),
			   "%s", x);
	/* Jenkins' schema: skipped's reason as text, not as an attribute. */
	cr_assert_not_null(strstr(x, "name=\"syscall.getppid\" time=\"0\">\n      <skipped>base "
				     "measured, new missing</skipped>\n    </testcase>\n"),
			   "%s", x);
	cr_assert_not_null(strstr(x, "name=\"cpu.fp\" time=\"0\"/>\n"), "%s", x);
	cr_assert_not_null(strstr(x, "name=\"syscall.read\" time=\"0\"/>\n"), "%s", x);
	/* Every row's numbers, after the testcases, as Ant's schema orders them. */
	char *out = strstr(x, "<system-out>");
	cr_assert_not_null(out, "%s", x);
	cr_assert(out > strstr(x, "name=\"syscall.read\""), "%s", x);
	cr_assert_not_null(strstr(out, "\nnative cpu.fp: 100 ns/op -&gt; 120 ns/op: +20.0% "
				       "[+15.0%, +25.0%], p 0.0010 (threshold 5%) ~\n"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "(threshold 5%) no verdict: base measured, new missing\n"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "</system-out>\n    <system-err></system-err>\n"
				       "  </testsuite>\n</testsuites>\n"),
			   "%s", out);
	free(x);
}

/* No skipped test, no skipped count (Ant's schema has none); a date that is not an ISO 8601
 * UTC time becomes the current one, an unknown host localhost; names are escaped. */
Test(compare_out, junit_fallbacks_and_escapes)
{
	struct compare_row rows[] = { row("a<b", "w&\"x\"\n", VERDICT_SAME) };
	const char *dates[] = { NULL, "", "yesterday", "2026-12-03T16:13:14+02:00",
				"2026-12-03T16:13" };
	const char *hosts[] = { NULL, "", " \t" };

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		char *x = junit(rows, 1, dates[i], hosts[i % 3]);
		char *ts = strstr(x, "timestamp=\"");
		cr_assert_not_null(ts, "%s", x);
		ts += strlen("timestamp=\"");
		/* YYYY-MM-DDTHH:MM:SS and nothing more */
		cr_assert_eq(strspn(ts, "0123456789-:T"), 19, "%s: %s", dates[i] ? dates[i] : "-",
			     x);
		cr_assert_eq(ts[19], '"', "%s", x);
		cr_assert_not_null(strstr(x, "hostname=\"localhost\">"), "%s", x);
		cr_assert_null(strstr(x, "skipped"), "%s", x);
		cr_assert_not_null(
			strstr(x, "classname=\"a&lt;b\" name=\"w&amp;&quot;x&quot;&#10;\" time"),
			"%s", x);
		free(x);
	}
}
