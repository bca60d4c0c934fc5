/* The LaTeX report: booktabs tables of the summary, of what one trap costs (when the run
 * has those cells) and of the overview to \input, the provenance in comments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"

static void tex_text(FILE *f, const char *s)
{
	static const struct {
		const char *from, *to;
	} map[] = {
		{ "\\", "\\textbackslash{}" },
		{ "&", "\\&" },
		{ "%", "\\%" },
		{ "$", "\\$" },
		{ "#", "\\#" },
		{ "_", "\\_" },
		{ "{", "\\{" },
		{ "}", "\\}" },
		{ "~", "\\textasciitilde{}" },
		{ "^", "\\textasciicircum{}" },
		{ "×", "$\\times$" },
		{ "µ", "$\\mu$" },
		{ "–", "--" },
		{ "—", "---" },
		{ "≥", "$\\geq$" },
		{ "≤", "$\\leq$" },
		{ "…", "\\ldots{}" },
		{ "<", "\\textless{}" },
		{ ">", "\\textgreater{}" },
	};

	while (s && *s) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(map); i++) {
			size_t n = strlen(map[i].from);
			if (!strncmp(s, map[i].from, n)) {
				fputs(map[i].to, f);
				s += n;
				break;
			}
		}
		if (i == ARRAY_SIZE(map)) {
			/* Other non-ASCII never reaches LaTeX as raw bytes. */
			fputc((unsigned char)*s < 0x80 ? *s : '?', f);
			s++;
		}
	}
}

/* A table cell; "value ×ratio [lo–hi]" on two lines (a tabular in the cell), so that a row
 * of several backends stays narrow enough to read when scaled to the line width. */
static void tex_cell(FILE *f, const char *s, char align)
{
	const char *x = s ? strstr(s, " ×") : NULL;
	char *value;

	if (!x || !(value = strndup(s, (size_t)(x - s)))) {
		tex_text(f, s);
		return;
	}
	fprintf(f, "\\begin{tabular}[c]{@{}%c@{}}", align);
	tex_text(f, value);
	fputs("\\\\ ", f);
	tex_text(f, x + 1);
	fputs("\\end{tabular}", f);
	free(value);
}

static void tex_table(FILE *f, const struct report_table *t)
{
	if (!t || !t->nrows)
		return;
	/* Scaled down to the line width only when wider (graphicx's \\width is the table's). */
	fputs("\\begin{table}[htbp]\n\\centering\n\\small\n"
	      "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
	      "\\begin{tabular}{",
	      f);
	for (size_t c = 0; c < t->ncols; c++)
		fputc(t->align[c], f);
	fputs("}\n\\toprule\n", f);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs(c ? " & " : "", f);
		tex_text(f, t->head[c]);
	}
	fputs(" \\\\\n\\midrule\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(c ? " & " : "", f);
			tex_cell(f, t->cells[i * t->ncols + c], t->align[c]);
		}
		fputs(" \\\\\n", f);
	}
	fputs("\\bottomrule\n\\end{tabular}}\n\\caption{", f);
	tex_text(f, t->caption);
	if (t->note) {
		fputs(". ", f);
		tex_text(f, t->note);
	}
	fprintf(f, "}\n\\label{tab:vmbench-%s}\n\\end{table}\n\n", t->id);
}

static int tex_render(FILE *f, const struct report_model *m)
{
	fputs("% vmbench report: \\input{report.tex} in a document with "
	      "\\usepackage{booktabs,graphicx}.\n%\n",
	      f);
	fputs("% ", f);
	tex_text(f, m->title);
	fputc('\n', f);
	for (size_t i = 0; i < m->nprov; i++) {
		fprintf(f, "%% %s: ", m->prov[i].key);
		for (const char *s = m->prov[i].val; *s; s++)
			fputc(*s == '\n' ? ' ' : *s, f);
		fputc('\n', f);
	}
	fputc('\n', f);
	tex_table(f, m->summary);
	tex_table(f, m->trapcost);
	tex_table(f, m->overview);
	return 0;
}

const struct report_renderer report_tex = { "tex", REPORT_TEX, tex_render };
