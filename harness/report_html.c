/* The HTML report: one self-contained page, the plots embedded as data: URIs. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "harness/plot.h"
#include "harness/report.h"
#include "harness/report_model.h"
#include "host/util.h"

/* Every string of the page, in text and in attributes (all in double quotes) alike: what it
 * says shows as itself, and none of it is markup. */
static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void html_table(FILE *f, const struct report_table *t, int level)
{
	if (!t || !t->nrows)
		return;
	fprintf(f, "<h%d id=\"", level);
	html_text(f, t->id);
	fprintf(f, "\">");
	html_text(f, t->caption);
	fprintf(f, "</h%d>\n<table class=\"cells\">\n<thead><tr>", level);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("<th>", f);
		html_text(f, t->head[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < t->nrows; i++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(t->align[c] == 'r' ? "<td class=\"num\">" : "<td>", f);
			html_text(f, t->cells[i * t->ncols + c]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	if (t->note) {
		fputs("<p class=\"note\">", f);
		html_text(f, t->note);
		fputs("</p>\n", f);
	}
}

/* The file as a base64 data: URI inside an <img>; -errno when it cannot be read. */
static int html_image(FILE *f, const char *path, const struct plot_def *p)
{
	size_t len;
	char *data = util_read_file(path, 64u << 20, &len);

	if (!data)
		return -errno;
	unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!b64) {
		free(data);
		return -ENOMEM;
	}
	EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
	fprintf(f, "<figure><img class=\"plot\" data-plot=\"%s\" alt=\"", p->stem);
	html_text(f, p->caption);
	fprintf(f, "\" src=\"data:image/png;base64,%s\"><figcaption>", b64);
	html_text(f, p->caption);
	fputs("</figcaption></figure>\n", f);
	free(b64);
	free(data);
	return 0;
}

static const char html_style[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;"
	"max-width:110em;padding:0 1em;color:#222}"
	"table.cells{border-collapse:collapse;margin:.5em 0 1em;font-size:90%}"
	"table.cells th,table.cells td{border-bottom:1px solid #ddd;padding:.25em .6em;"
	"text-align:left;vertical-align:top}"
	"table.cells th{border-bottom:2px solid #444;background:#f4f4f4}"
	"td.num{text-align:right;white-space:nowrap}"
	"dl.prov{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
	"dl.prov dt{font-weight:bold}dl.prov dd{margin:0}"
	"figure{margin:1em 0}img.plot{max-width:100%;border:1px solid #ddd}"
	"p.note{font-size:90%;color:#555}.broken{color:#b00;font-weight:bold}";

/* Marks each plot loaded or broken once the page has loaded; a broken one says so. */
static const char html_script[] =
	"window.addEventListener('load',function(){"
	"document.querySelectorAll('img.plot').forEach(function(i){"
	"var ok=i.complete&&i.naturalWidth>0;i.setAttribute('data-state',ok?'loaded':'broken');"
	"if(!ok){var p=document.createElement('p');p.className='broken';"
	"p.textContent='plot '+i.getAttribute('data-plot')+' did not load';"
	"i.parentNode.insertBefore(p,i);}});"
	"document.body.setAttribute('data-ready','1');});";

static int html_render(FILE *f, const struct report_model *m)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	html_text(f, m->title);
	fprintf(f, "</title>\n<style>%s</style>\n<script>%s</script>\n</head>\n<body>\n<h1>",
		html_style, html_script);
	html_text(f, m->title);
	fputs("</h1>\n<h2 id=\"provenance\">Provenance</h2>\n<dl class=\"prov\">\n", f);
	for (size_t i = 0; i < m->nprov; i++) {
		fputs("<dt>", f);
		html_text(f, m->prov[i].key);
		fputs("</dt><dd>", f);
		html_text(f, m->prov[i].val);
		fputs("</dd>\n", f);
	}
	fputs("</dl>\n", f);
	html_table(f, m->backtab, 2);
	html_table(f, m->summary, 2);
	html_table(f, m->trapcost, 2);
	html_table(f, m->lifecycle, 2);
	html_table(f, m->migration, 2);
	bool any = false;
	for (size_t i = 0; i < plot_count && i < ARRAY_SIZE(m->plot_ok); i++) {
		char path[4096];
		if (!m->plot_ok[i])
			continue;
		if (!any)
			fputs("<h2 id=\"plots\">Plots</h2>\n", f);
		any = true;
		snprintf(path, sizeof(path), "%s/%s.png", m->plots_dir, plot_table[i].stem);
		int ret = html_image(f, path, &plot_table[i]);
		if (ret < 0)
			return ret;
	}
	html_table(f, m->overview, 2);
	fputs("<h2 id=\"per-workload\">Per workload</h2>\n<p class=\"note\">", f);
	html_text(f, report_per_workload_intro);
	fputs("</p>\n", f);
	for (size_t w = 0; w < m->nw; w++)
		html_table(f, m->per[w], 3);
	fputs("</body>\n</html>\n", f);
	return 0;
}

const struct report_renderer report_html = { "html", REPORT_HTML, html_render };
