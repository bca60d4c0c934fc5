/* Reports of a vmbench/1 results file: Markdown, CSV, a LaTeX (booktabs) table to \input, and
 * one self-contained HTML page with the plots embedded. */
#ifndef VMBENCH_REPORT_H
#define VMBENCH_REPORT_H

#include <stddef.h>

#include "common/compiler.h"
#include "harness/results.h"

enum report_format {
	REPORT_MD = 1 << 0,
	REPORT_CSV = 1 << 1,
	REPORT_TEX = 1 << 2,
	REPORT_HTML = 1 << 3,
	REPORT_ALL = REPORT_MD | REPORT_CSV | REPORT_TEX | REPORT_HTML,
};

/* "md,csv,tex,html" (any subset) into a mask. 0, or -EINVAL with the bad name in err. */
int report_parse_formats(const char *list, unsigned *formats, char *err, size_t len) __must_check;
/* The names of the formats in mask, joined by sep ("md,csv"), into buf. */
void report_format_names(unsigned mask, const char *sep, char *buf, size_t len);

/*
 * Writes dir/report.md, .csv, .tex and .html (those in formats), each atomically. Markdown
 * links and HTML embeds the plots of plot_table found in dir/plots (`vmbench plot`). 0, or
 * a negative errno with the file in err.
 */
int report_write(const struct results *r, const char *dir, unsigned formats, char *err, size_t len)
	__must_check;

#endif
