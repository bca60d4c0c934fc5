/* The CSV report (RFC 4180): the model's table of cells, one row per cell, numbers in full
 * precision and empty where there is none. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"

static void csv_field(FILE *f, const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
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
