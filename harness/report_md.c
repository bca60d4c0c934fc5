/* The Markdown report: provenance as a list, the tables as pipe tables, the plots linked. */
#include <stdbool.h>
#include <stdio.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/report_model.h"

/* Text in a Markdown table cell: pipes escaped, no line breaks. */
static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void md_table(FILE *f, const struct report_table *t, int level)
{
	if (!t || !t->nrows)
		return;
	fprintf(f, "%.*s %s\n\n", level, "######", t->caption);
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
	if (t->note)
		fprintf(f, "\n%s\n", t->note);
	fputc('\n', f);
}

static int md_render(FILE *f, const struct report_model *m)
{
	fprintf(f, "# %s\n\n## Provenance\n\n", m->title);
	for (size_t i = 0; i < m->nprov; i++)
		fprintf(f, "- **%s**: %s\n", m->prov[i].key, m->prov[i].val);
	fputc('\n', f);
	md_table(f, m->backtab, 2);
	md_table(f, m->summary, 2);
	md_table(f, m->trapcost, 2);
	bool any = false;
	for (size_t i = 0; i < plot_count && i < ARRAY_SIZE(m->plot_ok); i++) {
		if (!m->plot_ok[i])
			continue;
		if (!any)
			fputs("## Plots\n\n", f);
		any = true;
		fprintf(f, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n",
			plot_table[i].caption, plot_table[i].stem, plot_table[i].caption,
			plot_table[i].stem);
	}
	md_table(f, m->overview, 2);
	fprintf(f, "## Per workload\n\n%s\n\n", report_per_workload_intro);
	for (size_t w = 0; w < m->nw; w++)
		md_table(f, m->per[w], 3);
	return 0;
}

const struct report_renderer report_md = { "md", REPORT_MD, md_render };
