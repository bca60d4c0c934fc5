/* The Markdown report: provenance as a list, the tables as pipe tables, the plots linked. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/report_model.h"

/*
 * Every string of a report, wherever it goes (heading, list item, table cell, note), so
 * that text from a results file shows as itself: no raw HTML (<, > and & as entities), no
 * code span, emphasis, link, strikethrough or heading marker (backslash-escaped, as a
 * pipe is, which would end a table cell), and no line break, which would end the line the
 * text is in and let the rest be any block at all: every control character is a space.
 * An '_' between letters or digits (perf_event_paranoid) is left as it is: CommonMark
 * never reads one there as emphasis.
 */
static void md_text(FILE *f, const char *s)
{
	for (size_t i = 0; s && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		bool inword = c == '_' && i > 0 && isalnum((unsigned char)s[i - 1]) &&
			      isalnum((unsigned char)s[i + 1]);
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|~#", c) && !inword)
			fprintf(f, "\\%c", c);
		else if (c < ' ' || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

static void md_table(FILE *f, const struct report_table *t, int level)
{
	if (!t || !t->nrows)
		return;
	fprintf(f, "%.*s ", level, "######");
	md_text(f, t->caption);
	fputs("\n\n", f);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("| ", f);
		md_text(f, t->head[c]);
		fputc(' ', f);
	}
	fputs("|\n", f);
	for (size_t c = 0; c < t->ncols; c++)
		fputs(t->align[c] == 'r' ? "|---:" : "|---", f);
	fputs("|\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			fputs("| ", f);
			md_text(f, t->cells[i * t->ncols + c]);
			fputc(' ', f);
		}
		fputs("|\n", f);
	}
	if (t->note) {
		fputc('\n', f);
		md_text(f, t->note);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static int md_render(FILE *f, const struct report_model *m)
{
	fputs("# ", f);
	md_text(f, m->title);
	fputs("\n\n## Provenance\n\n", f);
	for (size_t i = 0; i < m->nprov; i++) {
		fputs("- **", f);
		md_text(f, m->prov[i].key);
		fputs("**: ", f);
		md_text(f, m->prov[i].val);
		fputc('\n', f);
	}
	fputc('\n', f);
	md_table(f, m->backtab, 2);
	md_table(f, m->summary, 2);
	md_table(f, m->trapcost, 2);
	md_table(f, m->lifecycle, 2);
	md_table(f, m->migration, 2);
	bool any = false;
	for (size_t i = 0; i < plot_count && i < ARRAY_SIZE(m->plot_ok); i++) {
		if (!m->plot_ok[i])
			continue;
		if (!any)
			fputs("## Plots\n\n", f);
		any = true;
		fputs("![", f);
		md_text(f, plot_table[i].caption);
		fprintf(f, "](plots/%s.png)\n\n*", plot_table[i].stem);
		md_text(f, plot_table[i].caption);
		fprintf(f, "* ([SVG](plots/%s.svg))\n\n", plot_table[i].stem);
	}
	md_table(f, m->overview, 2);
	fputs("## Per workload\n\n", f);
	md_text(f, report_per_workload_intro);
	fputs("\n\n", f);
	for (size_t w = 0; w < m->nw; w++)
		md_table(f, m->per[w], 3);
	return 0;
}

const struct report_renderer report_md = { "md", REPORT_MD, md_render };
