/*
 * Report injection (issue 21): one hostile results file, its strings full of what breaks a
 * format (CR and LF, \input, <script>, spreadsheet formulas, pipes, backticks, quotes, '#',
 * tabs, non-ASCII), rendered in every report format and as plot data. Each output must keep
 * its structure and show none of it raw: one file for all formats, so that a string a
 * renderer forgets to escape fails here whichever format forgot it.
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

#define HOSTILE VMBENCH_TEST_DATA "/hostile-results.json"

static char dir[PATH_MAX];
static struct results res;

static void setup(void)
{
	char err[512];
	size_t written;

	strcpy(dir, "/tmp/vmbench-escape-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(results_load(HOSTILE, &res, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(report_write(&res, dir, REPORT_ALL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(plot_write_data(&res, dir, &written, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
	results_free(&res);
	test_remove_rendered(dir);
}

TestSuite(hostile, .init = setup, .fini = teardown);

static char *slurp(const char *name)
{
	char path[PATH_MAX + 64];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *s = util_read_file(path, 1 << 24, &len);
	cr_assert_not_null(s, "%s: %s", path, strerror(errno));
	return s;
}

/* Whether s[i] follows an odd run of backslashes: escaped in Markdown and TeX alike. */
static bool escaped(const char *s, size_t i)
{
	size_t n = 0;

	while (n < i && s[i - 1 - n] == '\\')
		n++;
	return n % 2 == 1;
}

/* How often c occurs in line (len bytes) not escaped by a backslash. */
static size_t count_bare(const char *line, size_t len, char c)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += line[i] == c && !escaped(line, i);
	return n;
}

/* The length of the line at s, without its '\n'. */
static size_t line_len(const char *s)
{
	return strcspn(s, "\n");
}

/* The line after the one at s, or NULL at the end. */
static const char *next_line(const char *s)
{
	s += line_len(s);
	return *s ? s + 1 : NULL;
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	return len >= strlen(prefix) && !strncmp(s, prefix, strlen(prefix));
}

/*
 * Markdown: no raw HTML at all (the renderer writes none), no raw CR, no unescaped code
 * span, link or strikethrough character, and the line structure intact: a table row has
 * its header's pipes, a provenance item follows a blank line or another item, and any
 * other text (headings, notes) stands alone between blank lines, so that no foreign line
 * break started a line of its own.
 */
Test(hostile, markdown)
{
	char *md = slurp("report.md");
	size_t pipes = 0, tables = 0;
	bool prev_blank = true, prev_row = false, prev_item = false;

	cr_expect_null(strchr(md, '<'), "raw '<' in report.md: %.80s", strchr(md, '<'));
	cr_expect_null(strchr(md, '\r'), "raw CR in report.md");
	for (size_t i = 0; md[i]; i++)
		if (strchr("`[]~", md[i]))
			cr_expect(escaped(md, i), "unescaped '%c' in: %.60s", md[i],
				  md + (i > 30 ? i - 30 : 0));
	for (const char *l = md; l && *l; l = next_line(l)) {
		size_t len = line_len(l);
		const char *next = l[len] ? l + len + 1 : l + len;
		bool blank = len == 0, row = len && l[0] == '|';
		bool item = starts(l, len, "- **");
		if (row) {
			size_t n = count_bare(l, len, '|');
			if (!prev_row) {
				pipes = n;
				tables++;
			}
			cr_expect_eq(n, pipes, "a row of %zu cells in a table of %zu: %.*s", n - 1,
				     pipes - 1, (int)len, l);
			cr_expect_eq(l[len - 1], '|', "a row that does not end its table: %.*s",
				     (int)len, l);
		} else if (item) {
			cr_expect(prev_blank || prev_item, "a list item out of place: %.*s",
				  (int)len, l);
		} else if (!blank) {
			cr_expect(prev_blank && (*next == '\n' || !*next),
				  "a line that does not stand alone: %.*s", (int)len, l);
		}
		prev_blank = blank;
		prev_row = row;
		prev_item = item;
	}
	cr_expect_geq(tables, 5, "backends, summary, trapcost, overview and workload tables");
	free(md);
}

/* HTML: the page's own script the only one, no foreign tag, every entity escaped. */
Test(hostile, html)
{
	char *html = slurp("report.html");

	cr_expect_eq(test_count(html, "<script"), 1, "a script besides the page's own");
	cr_expect_null(strstr(html, "<img"));
	cr_expect_null(strstr(html, "<b>"));
	cr_expect_not_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_expect_eq(test_count(html, "<table"), test_count(html, "</table>"));
	free(html);
}

/*
 * LaTeX: printable ASCII and line feeds only; the provenance block nothing but comment
 * lines; \input only in comments, and never the file's; every table row one line with its
 * column count of '&' and balanced braces, with no bare '%' or '#' to cut it short.
 */
Test(hostile, latex)
{
	char *tex = slurp("report.tex");
	bool preamble = true, in_rows = false;
	size_t cols = 0, rows = 0;

	for (size_t i = 0; tex[i]; i++)
		cr_expect(tex[i] == '\n' || (tex[i] >= ' ' && tex[i] < 0x7f),
			  "byte 0x%02x in report.tex at %zu: %.40s", (unsigned char)tex[i], i,
			  tex + (i > 20 ? i - 20 : 0));
	cr_expect_null(strstr(tex, "\\input{/etc/passwd}"));
	cr_expect_null(strstr(tex, "\\def"));
	for (const char *l = tex; l && *l; l = next_line(l)) {
		size_t len = line_len(l);
		bool comment = len && l[0] == '%';
		if (starts(l, len, "\\begin{table}"))
			preamble = false;
		if (preamble)
			cr_expect(len == 0 || comment, "outside a comment: %.*s", (int)len, l);
		for (const char *p = l; (p = strstr(p, "\\input")) && p < l + len; p++)
			cr_expect(comment, "\\input outside a comment: %.*s", (int)len, l);
		if (starts(l, len, "\\begin{tabular}{"))
			cols = strcspn(l + 16, "}");
		if (starts(l, len, "\\bottomrule"))
			in_rows = false;
		if (starts(l, len, "\\toprule") || starts(l, len, "\\midrule")) {
			in_rows = true;
			continue;
		}
		if (in_rows) {
			rows++;
			cr_expect(len >= 3 && !strncmp(l + len - 3, " \\\\", 3),
				  "a row split across lines: %.*s", (int)len, l);
			cr_expect_eq(count_bare(l, len, '&') + 1, cols,
				     "a row of %zu cells in a table of %zu: %.*s",
				     count_bare(l, len, '&') + 1, cols, (int)len, l);
		}
		if (in_rows || starts(l, len, "\\caption{")) {
			cr_expect_eq(count_bare(l, len, '{'), count_bare(l, len, '}'),
				     "unbalanced braces: %.*s", (int)len, l);
			cr_expect_eq(count_bare(l, len, '%'), 0, "a bare %%: %.*s", (int)len, l);
			cr_expect_eq(count_bare(l, len, '#'), 0, "a bare #: %.*s", (int)len, l);
		}
	}
	cr_expect_gt(rows, 0);
	free(tex);
}

/* One field of the CSV at *s (RFC 4180) into buf; *s moves past it and its separator.
 * Whether the record ends there. */
static bool csv_next(const char **s, char *buf, size_t len, bool *ok)
{
	const char *p = *s;
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
			if (*p == '"')
				p++;
			if (n + 1 < len)
				buf[n++] = *p;
		}
		*ok &= *p == '"';
		if (*p)
			p++;
	} else {
		for (; *p && *p != ',' && *p != '\r' && *p != '\n'; p++) {
			*ok &= *p != '"';
			if (n + 1 < len)
				buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	if (*p == ',') {
		*s = p + 1;
		return false;
	}
	*ok &= !strncmp(p, "\r\n", 2);
	*s = *p ? p + 2 : p;
	return true;
}

/* A number as the renderer writes one ("%.10g" of a finite value): no formula. */
static bool plain_number(const char *s)
{
	char *end;

	if (!strchr("-0123456789", s[0]) || strpbrk(s, "infINFxX"))
		return false;
	strtod(s, &end);
	return end != s && *end == '\0';
}

/*
 * CSV: every record has the header's fields, and no field a spreadsheet would take for a
 * formula (OWASP: one starting with = + - @, a tab or a CR) unless it is a number the
 * renderer wrote, such as the -0.5 of a median below zero, which stays a number.
 */
Test(hostile, csv)
{
	char *csv = slurp("report.csv");
	const char *s = csv;
	char field[4096];
	size_t records = 0, fields = 0, width = 0;
	bool ok = true, negative = false;

	while (*s) {
		bool end = csv_next(&s, field, sizeof(field), &ok);
		fields++;
		if (strchr("=+-@\t\r", field[0]) && field[0])
			cr_expect(plain_number(field), "a formula in record %zu: %.60s", records,
				  field);
		negative |= !strcmp(field, "-0.5");
		if (!end)
			continue;
		if (!records)
			width = fields;
		cr_expect_eq(fields, width, "record %zu has %zu fields, the header %zu", records,
			     fields, width);
		records++;
		fields = 0;
	}
	cr_expect(ok, "not RFC 4180");
	cr_expect_eq(records, 1 + res.n, "a header and one record per cell");
	cr_expect(negative, "the median -0.5 is not written as a number");
	free(csv);
}

/*
 * gnuplot's data: every data line of a file has the columns the script reads (tab-separated,
 * a comment line starts with '#'), no quote that gnuplot would read a field by, and no CR.
 */
Test(hostile, plot_data)
{
	static const struct {
		const char *stem;
		size_t cols; /* a name, then numbers: of this fixture's native and one backend */
	} want[] = {
		{ "overhead", 4 }, { "traps", 3 }, { "trapcost", 7 },
		{ "memlat", 4 },   { "boot", 4 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char name[64];
		size_t lines = 0;
		snprintf(name, sizeof(name), "plots/%s.dat", want[i].stem);
		char *dat = slurp(name);
		cr_expect_null(strchr(dat, '"'), "a quote in %s", name);
		cr_expect_null(strchr(dat, '\r'), "a CR in %s", name);
		for (const char *l = dat; l && *l; l = next_line(l)) {
			size_t len = line_len(l);
			if (len == 0 || l[0] == '#')
				continue;
			lines++;
			size_t tabs = 0;
			for (size_t k = 0; k < len; k++)
				tabs += l[k] == '\t';
			cr_expect_eq(tabs + 1, want[i].cols, "%s: %zu columns, not %zu: %.*s", name,
				     tabs + 1, want[i].cols, (int)len, l);
			cr_expect_null(memchr(l, '#', len), "%s: a '#' in: %.*s", name, (int)len,
				       l);
		}
		cr_expect_gt(lines, 0, "%s has no data", name);
		free(dat);
	}
}
