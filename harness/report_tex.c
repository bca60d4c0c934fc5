/* The LaTeX report: booktabs tables of the summary, of what one trap costs (when the run
 * has those cells) and of the overview to \input, the provenance in comments. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"

/*
 * Every string of the report, in the tables and in the provenance comments alike: TeX's
 * specials escaped, every control character a space and other non-ASCII a few macros or
 * '?'. Only printable ASCII comes out, so no line break (LF, CR, or any other a TeX engine
 * ends a line at) can end a comment early and leave the rest of a line of the results file
 * to be typeset, or run: \input{/etc/passwd} in a host name.
 */
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
			unsigned char c = (unsigned char)*s++;
			/* Other non-ASCII never reaches LaTeX as raw bytes. */
			fputc(c < ' ' || c == 0x7f ? ' ' : c < 0x80 ? c : '?', f);
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

/* A table's id as a label: letters, digits, '.' and '-' ('-' for anything else), which
 * \label takes as they are. */
static void tex_label(FILE *f, const char *id)
{
	for (; *id; id++)
		fputc(isalnum((unsigned char)*id) || *id == '.' ? *id : '-', f);
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
			const char *cell = t->cells[i * t->ncols + c];
			/* A row starts after \\ or \midrule, which would take a '*' there for
			 * their star and a '[' for their optional argument. */
			fputs(c ? " & " : cell && cell[0] && strchr("[*", cell[0]) ? "{}" : "", f);
			tex_cell(f, cell, t->align[c]);
		}
		fputs(" \\\\\n", f);
	}
	fputs("\\bottomrule\n\\end{tabular}}\n\\caption{", f);
	tex_text(f, t->caption);
	if (t->note) {
		fputs(". ", f);
		tex_text(f, t->note);
	}
	fputs("}\n\\label{tab:vmbench-", f);
	tex_label(f, t->id);
	fputs("}\n\\end{table}\n\n", f);
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
		fputs("% ", f);
		tex_text(f, m->prov[i].key);
		fputs(": ", f);
		tex_text(f, m->prov[i].val);
		fputc('\n', f);
	}
	fputc('\n', f);
	tex_table(f, m->summary);
	tex_table(f, m->trapcost);
	tex_table(f, m->lifecycle);
	tex_table(f, m->migration);
	tex_table(f, m->overview);
	return 0;
}

const struct report_renderer report_tex = { "tex", REPORT_TEX, tex_render };
