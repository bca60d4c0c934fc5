/*
 * The report model: provenance lines and tables of text (backends, the lmbench-style
 * summary, every workload at a glance, one table per workload with its traps and counters,
 * and every cell in full precision for machines), built once from a results file. Every
 * ratio to native carries its 95% CI over sessions (results_ratio_to_native); a ratio whose
 * interval cannot be computed is not shown.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/catalog.h"
#include "harness/plot.h"
#include "harness/provview.h"
#include "harness/report_model.h"
#include "host/util.h"

/* The backends a table of rows × backends shows at most (merged files can have more: the
 * per-workload tables and the CSV show them all). */
#define CROSS_MAX_BACKENDS (REPORT_MAX_COLS - 1)

const char report_per_workload_intro[] =
	"Median (geometric mean of the sessions' medians) with its 95% confidence interval over "
	"sessions; the ratio to native with its 95% interval (noisy when either side is); traps "
	"and counters per operation from the counting pass; the probe effect: "
	"that pass's sample, taken with the probes attached, against the median (+: slower).";

char *report_asprintf(struct report_model *m, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		m->oom = true;
	}
	va_end(ap);
	return s;
}

struct report_table *report_table_new(struct report_model *m, const char *id, const char *caption,
				      const char *const *head, const char *align, size_t ncols)
{
	struct report_table *t = calloc(1, sizeof(*t));

	if (!t || ncols > REPORT_MAX_COLS) {
		free(t);
		m->oom = true;
		return NULL;
	}
	t->id = strdup(id);
	t->caption = strdup(caption);
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		t->head[i] = strdup(head[i]);
		t->align[i] = align[i] == 'r' ? 'r' : 'l';
		if (!t->head[i])
			m->oom = true;
	}
	if (!t->id || !t->caption)
		m->oom = true;
	return t;
}

char **report_table_row(struct report_model *m, struct report_table *t)
{
	if (!t)
		return NULL;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (!c) {
			m->oom = true;
			return NULL;
		}
		t->cells = c;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows++ * t->ncols;
	memset(row, 0, t->ncols * sizeof(*row));
	return row;
}

static void table_free(struct report_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	free(t->cells);
	free(t->id);
	free(t->caption);
	free(t->note);
	free(t);
}

/* What a summary cell shows: the value, and the ratio for others than native. */
static char *summary_cell(struct report_model *m, const struct cell *c)
{
	char val[160], ratio[160];

	if (!c)
		return report_asprintf(m, "—");
	if (!cell_measured(c))
		return report_asprintf(m, "%s", cell_status_name(c->status));
	report_fmt_value(c->stats.median, c->unit, val, sizeof(val));
	report_fmt_ratio(m->r, c, ratio, sizeof(ratio));
	/* A ratio says itself when a side is noisy. */
	return report_asprintf(m, "%s%s%s%s", val, ratio[0] ? " " : "", ratio,
			       c->status == CELL_NOISY && !ratio[0] ? " (noisy)" : "");
}

static void build_lists(struct report_model *m)
{
	m->backends = results_backends(m->r, &m->nb);
	m->workloads = results_workloads(m->r, &m->nw);
	m->ran = calloc(m->nb + 1, sizeof(*m->ran));
	if (!m->backends || !m->workloads || !m->ran) {
		m->oom = true;
		return;
	}
	for (size_t b = 0; b < m->nb; b++) {
		size_t n;
		const struct cell **cs = results_column_cells(m->r, m->backends[b], &n);
		if (!cs)
			m->oom = true;
		for (size_t i = 0; cs && i < n; i++)
			m->ran[b] |= cs[i]->status != CELL_SKIPPED && cs[i]->status != CELL_NOT_RUN;
		free(cs);
	}
}

/* The median probe effect over a backend's cells: "+4.0% (median of 12)", or "". */
static void backend_effect(const struct report_model *m, const char *backend, char *buf, size_t len)
{
	size_t nc, n = 0;
	const struct cell **cs = results_column_cells(m->r, backend, &nc);
	double *f = calloc(nc + 1, sizeof(*f));
	struct summary s;

	buf[0] = '\0';
	for (size_t i = 0; cs && f && i < nc; i++) {
		double e = cell_probe_effect(cs[i]);
		if (isfinite(e))
			f[n++] = e;
	}
	free(cs);
	if (n && stats_summarize(f, n, &s) == 0) {
		report_fmt_effect(s.median, buf, len);
		util_appendf(buf, len, " (median of %zu)", n);
	}
	free(f);
}

static void build_backends(struct report_model *m)
{
	static const char *const head[] = { "backend",
					    "mode",
					    "where the guest kernel runs",
					    "status",
					    "boot",
					    "probes (counting pass)",
					    "what they do to a sample",
					    "note" };
	struct prov_view pv;

	prov_view_read(m->r->provenance, &pv);

	m->backtab =
		report_table_new(m, "backends", "Backends", head, "llllrlrl", ARRAY_SIZE(head));
	if (m->backtab)
		m->backtab->note = report_asprintf(
			m, "What the probes do to a sample: the counting sample, taken with them "
			   "attached, against the median of the samples taken without (+: slower); "
			   "the reason the counting pass is a pass of its own.");
	for (size_t b = 0; b < m->nb; b++) {
		struct prov_backend_view bi;
		char **row = report_table_row(m, m->backtab);
		char boot[160] = "", probes[256] = "", effect[64], kernel[256];
		json_t *v;
		size_t i;
		if (!row)
			return;
		prov_backend_view_read(json_object_get(pv.backends, m->backends[b]), &bi);
		if (isfinite(bi.boot_s))
			report_fmt_value(bi.boot_s, "s", boot, sizeof(boot));
		json_array_foreach(bi.counting_pass, i, v)
			if (json_is_string(v))
				util_appendf(probes, sizeof(probes), "%s%s", i ? ", " : "",
					     json_string_value(v));
		const char *note = bi.reason ? bi.reason : bi.note;
		row[0] = report_asprintf(m, "%s", m->backends[b]);
		report_guest_kernel(m, m->backends[b], kernel, sizeof(kernel));
		row[1] = report_asprintf(m, "%s", report_or_unknown(bi.mode));
		row[2] = report_asprintf(m, "%s", kernel);
		row[3] = report_asprintf(m, "%s", report_or_unknown(bi.status));
		row[4] = report_asprintf(m, "%s", boot);
		backend_effect(m, m->backends[b], effect, sizeof(effect));
		row[5] = report_asprintf(m, "%s", probes);
		row[6] = report_asprintf(m, "%s", effect);
		row[7] = report_asprintf(m, "%s", note ? note : "");
	}
}

/* A table of rows × backends; rows are workloads, labelled by label[i] or the workload. */
static struct report_table *cross_table(struct report_model *m, const char *id, const char *caption,
					const char *first, const char *const *labels,
					const char *const *workloads, size_t nrows)
{
	const char *head[REPORT_MAX_COLS] = { first }, *cols[REPORT_MAX_COLS];
	char align[REPORT_MAX_COLS + 1] = "l";
	size_t nb = 0, over = 0;

	/* Backends that ran nothing at all are left out (the backends table says why). */
	for (size_t b = 0; b < m->nb; b++) {
		if (!m->ran[b])
			continue;
		if (nb == CROSS_MAX_BACKENDS) {
			over++;
			continue;
		}
		cols[nb] = m->backends[b];
		head[nb + 1] = m->backends[b];
		align[nb + 1] = 'r';
		nb++;
	}
	char *cap = over ? report_asprintf(m,
					   "%s (the first %zu columns of %zu; every one is in the "
					   "per-workload tables and the CSV)",
					   caption, nb, nb + over)
			 : NULL;
	struct report_table *t = report_table_new(m, id, cap ? cap : caption, head, align, nb + 1);
	free(cap);
	for (size_t i = 0; t && i < nrows; i++) {
		bool any = false;
		for (size_t b = 0; b < nb; b++)
			any |= results_find(m->r, cols[b], workloads[i]) != NULL;
		if (!any)
			continue;
		char **row = report_table_row(m, t);
		if (!row)
			break;
		row[0] = report_asprintf(m, "%s", labels ? labels[i] : workloads[i]);
		for (size_t b = 0; b < nb; b++)
			row[b + 1] = summary_cell(m, results_find(m->r, cols[b], workloads[i]));
	}
	return t;
}

/* The lmbench OS subset (lmbench's "Processor, Processes" and "Context switching" tables):
 * the workloads that say which lmbench row they measure, in catalog order. */
static void build_summary(struct report_model *m)
{
	size_t n = 0, count = catalog_count();
	const char **labels = calloc(count + 1, sizeof(*labels));
	const char **wls = calloc(count + 1, sizeof(*wls));

	for (size_t i = 0; labels && wls && i < count; i++) {
		const struct workload_ops *w = catalog_at(i);
		if (!w->lmbench)
			continue;
		labels[n] = w->lmbench;
		wls[n++] = w->name;
	}
	if (labels && wls)
		m->summary = cross_table(m, "summary", "Summary: the lmbench OS operations",
					 "operation", labels, wls, n);
	else
		m->oom = true;
	free(labels);
	free(wls);
	if (m->summary)
		m->summary->note = report_asprintf(
			m, "Median latency per operation; ×r is the ratio to native with its 95%% "
			   "confidence interval over sessions (higher is slower; noisy: a side's "
			   "interval is wider than ±10%%).");
	m->overview =
		cross_table(m, "overview", "All workloads", "workload", NULL, m->workloads, m->nw);
	if (m->overview)
		m->overview->note = report_asprintf(
			m,
			"Medians; ×r is the backend's median over native's, with its 95%% "
			"confidence interval over sessions. For rates (GB/s, IOPS, MB/s) a ratio "
			"below 1 is slower; for times, above 1.");
}

static void build_workload(struct report_model *m, size_t w)
{
	static const char *const head[] = {
		"backend",	 "median [95% CI]", "vs native [95% CI]", "traps/op",
		"traps by kind", "counters/op",	    "probe effect",	  "note"
	};
	const char *name = m->workloads[w];
	const struct workload_ops *wl = catalog_find(name);
	const struct cell *any = NULL;

	for (size_t b = 0; b < m->nb && !any; b++)
		any = results_find(m->r, m->backends[b], name);
	char *caption = report_asprintf(m, "%s%s%s (%s, %s is better)", name, wl ? ": " : "",
					wl ? wl->summary : "", any ? any->unit : "",
					any && any->better == BETTER_HIGHER ? "higher" : "lower");
	struct report_table *t = report_table_new(m, name, caption ? caption : name, head,
						  "lrrrllrl", ARRAY_SIZE(head));
	free(caption);
	m->per[w] = t;
	if (t && m->not_run)
		t->note = report_asprintf(m, "Not run here: %s (see Backends).", m->not_run);
	for (size_t b = 0; t && b < m->nb; b++) {
		const struct cell *c = results_find(m->r, m->backends[b], name);
		char med[160] = "", ratio[160] = "", kinds[256] = "", ctr[384] = "", traps[32] = "",
		     effect[32] = "";
		if (!c || !m->ran[b])
			continue;
		char **row = report_table_row(m, t);
		if (!row)
			return;
		if (cell_measured(c)) {
			report_fmt_median_ci(c, med, sizeof(med));
			report_fmt_ratio(m->r, c, ratio, sizeof(ratio));
		} else {
			snprintf(med, sizeof(med), "%s", cell_status_name(c->status));
		}
		if (c->traps.present && isfinite(c->traps.per_op))
			report_fmt_sig(c->traps.per_op, traps, sizeof(traps));
		if (c->traps.present)
			report_fmt_kinds(&c->traps, kinds, sizeof(kinds));
		if (c->counters.present)
			report_fmt_counters(&c->counters, ctr, sizeof(ctr));
		if (isfinite(cell_probe_effect(c)))
			report_fmt_effect(cell_probe_effect(c), effect, sizeof(effect));
		row[0] = report_asprintf(m, "%s", c->column);
		row[1] = report_asprintf(m, "%s", med);
		row[2] = report_asprintf(m, "%s", ratio);
		row[3] = report_asprintf(m, "%s", traps);
		row[4] = report_asprintf(m, "%s", kinds);
		row[5] = report_asprintf(m, "%s", ctr);
		row[6] = report_asprintf(m, "%s", effect);
		row[7] = report_asprintf(
			m, "%s%s%s", c->status == CELL_OK ? "" : cell_status_name(c->status),
			c->status != CELL_OK && c->reason ? ": " : "", c->reason ? c->reason : "");
	}
}

/* The counters the cells table has a column for, per operation. */
static const char *const cells_counters[] = { "task-clock", "context-switches", "page-faults",
					      "cycles",	    "instructions",	"host-syscalls" };

/* A copy of s, or NULL (an empty cell) for NULL. */
static char *dup_or_null(struct report_model *m, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		m->oom = true;
	return d;
}

static char *exact(struct report_model *m, double v)
{
	char buf[40];

	report_fmt_exact(v, buf, sizeof(buf));
	return report_asprintf(m, "%s", buf);
}

/* Every cell as it is in the results, one row each: the table the CSV is. */
static void build_cells(struct report_model *m)
{
	static const char *const fields[] = {
		"backend",	 "mode",	  "workload",	  "status",
		"reason",	 "unit",	  "better",	  "n",
		"median",	 "ci95_lo",	  "ci95_hi",	  "ratio_to_native",
		"ratio_ci95_lo", "ratio_ci95_hi", "traps_per_op", "traps_by_kind",
		"probed_sample", "probe_effect",
	};
	const char *head[REPORT_MAX_COLS];
	char align[REPORT_MAX_COLS + 1] = "", name[ARRAY_SIZE(cells_counters)][64];
	size_t nf = ARRAY_SIZE(fields), ncols = nf + ARRAY_SIZE(cells_counters);
	const struct results *r = m->r;

	for (size_t i = 0; i < ncols; i++) {
		if (i < nf) {
			head[i] = fields[i];
		} else {
			snprintf(name[i - nf], sizeof(name[0]), "%s_per_op",
				 cells_counters[i - nf]);
			head[i] = name[i - nf];
		}
		align[i] = i < 7 || i == 15 ? 'l' : 'r';
	}
	m->cells = report_table_new(m, "cells", "Cells", head, align, ncols);
	for (size_t i = 0; m->cells && i < r->n; i++) {
		const struct cell *c = &r->cells[i];
		struct ratio q;
		/* A ratio only with its CI, as everywhere in the reports. */
		bool has_ratio = results_ratio_to_native(r, c, &q) == 0 && q.has_ci;
		char kinds[1024] = "";
		char **row = report_table_row(m, m->cells);
		if (!row)
			return;
		for (size_t k = 0; k < c->traps.n; k++)
			util_appendf(kinds, sizeof(kinds), "%s%s=%.6g", kinds[0] ? ";" : "",
				     c->traps.kind[k].name, c->traps.kind[k].per_op);
		row[0] = dup_or_null(m, c->column);
		row[1] = dup_or_null(m, c->mode);
		row[2] = dup_or_null(m, c->workload);
		row[3] = dup_or_null(m, cell_status_name(c->status));
		row[4] = dup_or_null(m, c->reason);
		row[5] = dup_or_null(m, c->unit);
		row[6] = dup_or_null(m, c->better == BETTER_LOWER ? "lower" : "higher");
		row[7] = exact(m, (double)c->n);
		row[8] = exact(m, c->has_stats ? c->stats.median : NAN);
		row[9] = exact(m, c->has_stats && c->stats.has_ci ? c->stats.ci_lo : NAN);
		row[10] = exact(m, c->has_stats && c->stats.has_ci ? c->stats.ci_hi : NAN);
		row[11] = exact(m, has_ratio ? q.value : NAN);
		row[12] = exact(m, has_ratio ? q.ci_lo : NAN);
		row[13] = exact(m, has_ratio ? q.ci_hi : NAN);
		row[14] = exact(m, c->traps.present ? c->traps.per_op : NAN);
		row[15] = dup_or_null(m, kinds);
		row[16] = exact(m, c->probed);
		row[17] = exact(m, cell_probe_effect(c));
		for (size_t j = 0; j < ARRAY_SIZE(cells_counters); j++) {
			const struct counter *ctr = counters_get(&c->counters, cells_counters[j]);
			row[nf + j] = exact(m, ctr ? ctr->per_op : NAN);
		}
	}
}

void report_model_free(struct report_model *m)
{
	for (size_t i = 0; i < m->nprov; i++) {
		free(m->prov[i].key);
		free(m->prov[i].val);
	}
	free(m->prov);
	table_free(m->backtab);
	table_free(m->summary);
	table_free(m->trapcost);
	table_free(m->lifecycle);
	table_free(m->migration);
	table_free(m->overview);
	table_free(m->cells);
	for (size_t i = 0; m->per && i < m->nw; i++)
		table_free(m->per[i]);
	free(m->per);
	free(m->backends);
	free(m->workloads);
	free(m->title);
	free(m->plots_dir);
	free(m->not_run);
	free(m->ran);
}

int report_model_build(struct report_model *m, const struct results *r, const char *dir)
{
	struct prov_view p;

	memset(m, 0, sizeof(*m));
	m->r = r;
	prov_view_read(r->provenance, &p);
	size_t nhosts = json_object_size(json_object_get(r->provenance, "hosts"));
	if (nhosts)
		m->title = report_asprintf(m, "vmbench on %zu hosts, merged %s", nhosts,
					   report_or_unknown(p.date));
	else
		m->title =
			report_asprintf(m, "vmbench on %s (%s), %s", report_or_unknown(p.hostname),
					report_or_unknown(p.cpu_model), report_or_unknown(p.date));
	m->plots_dir = report_asprintf(m, "%s/plots", dir);
	for (size_t i = 0; m->plots_dir && i < plot_count && i < ARRAY_SIZE(m->plot_ok); i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s.png", m->plots_dir, plot_table[i].stem);
		m->plot_ok[i] = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	}
	report_prov_build(m);
	build_lists(m);
	if (m->oom)
		return -ENOMEM;
	char skipped[512] = "";
	for (size_t b = 0; b < m->nb; b++)
		if (!m->ran[b])
			util_appendf(skipped, sizeof(skipped), "%s%s", skipped[0] ? ", " : "",
				     m->backends[b]);
	if (skipped[0])
		m->not_run = report_asprintf(m, "%s", skipped);
	build_backends(m);
	build_summary(m);
	report_traps_build(m);
	report_life_build(m);
	m->per = calloc(m->nw + 1, sizeof(*m->per));
	if (!m->per)
		return -ENOMEM;
	for (size_t w = 0; w < m->nw; w++)
		build_workload(m, w);
	build_cells(m);
	return m->oom ? -ENOMEM : 0;
}
