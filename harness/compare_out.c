/* What vmbench compare writes: a terminal table, a Markdown table for a CI job's summary,
 * and JUnit XML (one testcase per compared cell, a failure per regression). Every string
 * that comes from a results file is escaped for the format it goes into. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/compare.h"
#include "harness/compare_out.h"
#include "harness/report_model.h"
#include "host/util.h"

static void fmt_pct(double v, char *buf, size_t len)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.1f%%", v);
	else
		snprintf(buf, len, "-");
}

static void fmt_ci(const struct compare_row *r, char *buf, size_t len)
{
	if (isfinite(r->ci_lo))
		snprintf(buf, len, "[%+.1f%%, %+.1f%%]", r->ci_lo, r->ci_hi);
	else
		snprintf(buf, len, "-");
}

static void fmt_p(double p, char *buf, size_t len)
{
	if (!isfinite(p))
		snprintf(buf, len, "-");
	else if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

static void fmt_median(double v, const char *unit, char *buf, size_t len)
{
	if (isfinite(v))
		report_fmt_value(v, unit, buf, len);
	else
		snprintf(buf, len, "-");
}

/* A row's numbers as text, the same in every format. */
struct row_text {
	char base[48], new[48], change[24], ci[48], p[16];
};

static void row_text(const struct compare_row *r, struct row_text *t)
{
	fmt_median(r->base, r->unit, t->base, sizeof(t->base));
	fmt_median(r->new, r->unit, t->new, sizeof(t->new));
	fmt_pct(r->change, t->change, sizeof(t->change));
	fmt_ci(r, t->ci, sizeof(t->ci));
	fmt_p(r->p, t->p, sizeof(t->p));
}

/* Names from a file reach a terminal: printable ASCII only, others as '?' (no escape
 * sequence, C1 controls included). */
static void plain(FILE *f, const char *s, int width)
{
	int n = 0;

	for (; s && *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ? '?' : *s, f);
	for (; n < width; n++)
		fputc(' ', f);
}

void compare_print(FILE *f, const struct compare *c, const struct compare_opts *o)
{
	fprintf(f, "%-22s %-20s %14s %14s %9s %20s %8s  %s\n", "backend", "workload", "base", "new",
		"change", "95% CI", "p", "verdict");
	for (size_t i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];
		struct row_text t;
		row_text(r, &t);
		plain(f, r->label, 22);
		fputc(' ', f);
		plain(f, r->workload, 20);
		fprintf(f, " %14s %14s %9s %20s %8s  %s", t.base, t.new, t.change, t.ci, t.p,
			compare_verdict_name(r->verdict));
		if (r->verdict == VERDICT_NONE) {
			fputs(": ", f);
			plain(f, r->why, 0);
		}
		fputc('\n', f);
	}
	fprintf(f,
		"regressions: %zu, improvements: %zu, no verdict: %zu, of %zu compared "
		"(regression: p < %g and the whole 95%% CI beyond the threshold, %g%% unless "
		"set per workload)\n",
		c->regressions, c->improvements, c->unjudged, c->n, o->alpha, o->threshold);
}

/* Escapes for one format: each listed byte is written as its text; other bytes below
 * 0x20 (and DEL) as a space. */
struct escape {
	char c;
	const char *as;
};

static void escaped(FILE *f, const char *s, const struct escape *e, size_t n)
{
	for (; s && *s; s++) {
		size_t i = 0;
		while (i < n && e[i].c != *s)
			i++;
		if (i < n)
			fputs(e[i].as, f);
		else
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	}
}

/* Markdown table cell text: no HTML, no pipes, no emphasis, code, math or links. */
static void md(FILE *f, const char *s)
{
	static const struct escape e[] = {
		{ '|', "\\|" }, { '<', "&lt;" }, { '>', "&gt;" }, { '&', "&amp;" },
		{ '`', "\\`" }, { '~', "\\~" },	 { '$', "\\$" },  { '*', "\\*" },
		{ '_', "\\_" }, { '[', "\\[" },	 { ']', "\\]" },  { '\\', "\\\\" },
	};

	escaped(f, s, e, sizeof(e) / sizeof(e[0]));
}

char *compare_markdown(const struct compare *c, const struct compare_opts *o, const char *title)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("### ", f);
	md(f, title);
	fprintf(f,
		"\n\nRegressions: %zu, improvements: %zu, no verdict: %zu, of %zu cells "
		"compared. A regression: p < %g (Welch's t-test on the logarithms of the session "
		"medians) and the whole 95%% CI of the change beyond the threshold (%g%% unless "
		"set per workload) on the worse side.\n\n",
		c->regressions, c->improvements, c->unjudged, c->n, o->alpha, o->threshold);
	fputs("| backend | workload | base | new | change | 95% CI | p | verdict |\n"
	      "|---|---|---:|---:|---:|---:|---:|---|\n",
	      f);
	for (size_t i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];
		struct row_text t;
		row_text(r, &t);
		fputs("| ", f);
		md(f, r->label);
		fputs(" | ", f);
		md(f, r->workload);
		fputs(" | ", f);
		md(f, t.base);
		fputs(" | ", f);
		md(f, t.new);
		fprintf(f, " | %s | %s | %s | ", t.change, t.ci, t.p);
		if (r->verdict == VERDICT_REGRESSION)
			fputs("**regression**", f);
		else
			md(f, compare_verdict_name(r->verdict));
		if (r->verdict == VERDICT_NONE) {
			fputs(": ", f);
			md(f, r->why);
		}
		fputs(" |\n", f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* XML character data or attribute text: markup escaped, line breaks and tabs kept as
 * references (an attribute would make them spaces), the other controls XML 1.0 forbids
 * as spaces; jansson's strings are UTF-8 already. */
static void xml(FILE *f, const char *s)
{
	static const struct escape e[] = {
		{ '<', "&lt;" },    { '>', "&gt;" },   { '&', "&amp;" }, { '"', "&quot;" },
		{ '\'', "&apos;" }, { '\n', "&#10;" }, { '\t', "&#9;" },
	};

	escaped(f, s, e, sizeof(e) / sizeof(e[0]));
}

static void property(FILE *f, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	xml(f, name);
	fputs("\" value=\"", f);
	xml(f, value);
	fputs("\"/>\n", f);
}

/* Ant's schema takes a time without a zone: the date's own UTC time when it is an ISO 8601
 * UTC time to the second (as vmbench writes them), else the current one. */
static void junit_timestamp(const char *date, char *buf, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	char now[32];
	size_t i = 0;

	for (; date && shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)date[i]) : date[i] != shape[i])
			break;
	if (!date || shape[i] || (date[i] != 'Z' && date[i] != '\0')) {
		util_utc_now(now, sizeof(now), false);
		date = now;
	}
	snprintf(buf, len, "%.19s", date);
}

/*
 * The shape is what both common schemas accept (ci/junit-schema.sh checks it against both):
 * no attributes on testsuites, and on the testsuite every one Ant's schema requires
 * (package, id, time, timestamp, hostname, errors); properties first; time on every
 * testcase; the rows' numbers in the suite's system-out, since Ant's schema allows no
 * output in a testcase. The one exception is a skipped test, which Ant's schema has no
 * place for (Jenkins' takes it, its reason as text, not as an attribute). A verdict is
 * computed, not run: the times are 0 (each cell's measuring time is in results.json).
 */
char *compare_junit(const struct compare *c, const struct compare_opts *o, json_t *props,
		    const char *date, const char *host)
{
	char *buf = NULL, line[512], stamp[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *key;
	json_t *v;

	if (!f)
		return NULL;
	junit_timestamp(date, stamp, sizeof(stamp));
	if (!host || strspn(host, " \t\r\n") == strlen(host))
		host = "localhost"; /* Ant's schema: a name, localhost where none is known */
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites>\n"
		"  <testsuite name=\"vmbench compare\" package=\"vmbench\" id=\"0\" tests=\"%zu\" "
		"failures=\"%zu\" errors=\"0\" time=\"0\" timestamp=\"%s\" hostname=\"",
		c->n, c->regressions, stamp);
	xml(f, host);
	/* Only where there are any: Ant's schema has no skipped count at all. */
	if (c->unjudged)
		fprintf(f, "\" skipped=\"%zu", c->unjudged);
	fputs("\">\n    <properties>\n", f);
	snprintf(line, sizeof(line), "%g", o->alpha);
	property(f, "alpha", line);
	snprintf(line, sizeof(line), "%g", o->threshold);
	property(f, "threshold_percent", line);
	json_object_foreach(props, key, v)
		if (json_is_string(v))
			property(f, key, json_string_value(v));
	fputs("    </properties>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];
		fputs("    <testcase classname=\"", f);
		xml(f, r->label);
		fputs("\" name=\"", f);
		xml(f, r->workload);
		fputs("\" time=\"0\"", f);
		if (r->verdict == VERDICT_REGRESSION) {
			struct row_text t;
			row_text(r, &t);
			snprintf(line, sizeof(line), "%s -> %s: %s %s, p %s (threshold %g%%)",
				 t.base, t.new, t.change, t.ci, t.p, r->threshold);
			fputs(">\n      <failure type=\"regression\" message=\"", f);
			xml(f, line);
			fputs("\"/>\n    </testcase>\n", f);
		} else if (r->verdict == VERDICT_NONE) {
			fputs(">\n      <skipped>", f);
			xml(f, r->why);
			fputs("</skipped>\n    </testcase>\n", f);
		} else {
			fputs("/>\n", f);
		}
	}
	/* Every row as compare prints it, one line each. */
	fputs("    <system-out>", f);
	for (size_t i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];
		struct row_text t;
		row_text(r, &t);
		snprintf(line, sizeof(line), "%s %s: %s -> %s: %s %s, p %s (threshold %g%%) %s",
			 r->label, r->workload ? r->workload : "", t.base, t.new, t.change, t.ci,
			 t.p, r->threshold, compare_verdict_name(r->verdict));
		fputc('\n', f);
		xml(f, line);
		if (r->verdict == VERDICT_NONE) {
			fputs(": ", f);
			xml(f, r->why);
		}
	}
	fputs("\n    </system-out>\n    <system-err></system-err>\n  </testsuite>\n</testsuites>\n",
	      f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
