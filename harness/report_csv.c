/* The CSV report (RFC 4180): the model's table of cells, one row per cell, numbers in full
 * precision and empty where there is none. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"

/* A number as the model writes one (report_fmt_exact: "%.10g" of a finite value, such as
 * -0.5 or 1e-07): nothing but digits, a leading '-', a '.' and an exponent. */
static bool csv_number(const char *s)
{
	char *end;

	if (!s[0] || strspn(s, "-+.0123456789e") != strlen(s) || s[0] == '+')
		return false;
	strtod(s, &end);
	return *end == '\0';
}

/*
 * Every field, the model's numbers and the results file's text alike: RFC 4180 (a field
 * with a comma, quote or line break quoted, quotes doubled), and text a spreadsheet would
 * take for a formula (OWASP's rule: a field that starts with =, +, -, @, a tab or a CR) led
 * by an apostrophe, which shows the text instead. A number such as -0.5 is no formula, and
 * stays a number.
 */
static void csv_field(FILE *f, const char *s, bool last)
{
	bool formula = s && s[0] && strchr("=+-@\t\r", s[0]) && !csv_number(s);

	if (s && strpbrk(s, ",\"\r\n")) {
		fputs(formula ? "\"'" : "\"", f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fprintf(f, "%s%s", formula ? "'" : "", s);
	}
	fputs(last ? "\r\n" : ",", f);
}

static int csv_render(FILE *f, const struct report_model *m)
{
	const struct report_table *t = m->cells;

	if (!t)
		return 0;
	for (size_t c = 0; c < t->ncols; c++)
		csv_field(f, t->head[c], c + 1 == t->ncols);
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t c = 0; c < t->ncols; c++)
			csv_field(f, t->cells[i * t->ncols + c], c + 1 == t->ncols);
	return 0;
}

const struct report_renderer report_csv = { "csv", REPORT_CSV, csv_render };
