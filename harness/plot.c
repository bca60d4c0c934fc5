/*
 * Plots: the harness writes tab-separated data files ('?' for a missing value) and runs the
 * gnuplot scripts of plots/ on them, once for PNG and once for SVG. The scripts get the
 * data directory, the output stem, the terminal, a title naming the host and the column
 * or block order (backends, workloads, kinds) as gnuplot variables.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "harness/catalog.h"
#include "harness/plot.h"
#include "harness/plot_data.h"
#include "harness/plot_out.h"
#include "host/process.h"
#include "host/util.h"

#define GNUPLOT_TIMEOUT_MS 60000

/* Text safe inside gnuplot's single quotes: quotes, backslashes and control characters
 * (and spaces too, in words) replaced by with. */
static void gp_safe(char *s, bool words, char with)
{
	for (; *s; s++)
		if (*s == '\'' || *s == '\\' || (unsigned char)*s < ' ' || *s == 0x7f ||
		    (words && *s == ' '))
			*s = with;
}

/* Names go to gnuplot inside single quotes and as whitespace-separated words. */
void plot_add_word(char *list, size_t len, const char *name)
{
	char clean[128];

	snprintf(clean, sizeof(clean), "%s", name);
	gp_safe(clean, true, '_');
	util_appendf(list, len, "%s%s", list[0] ? " " : "", clean);
}

/*
 * Every name a data file has (backends, workloads, trap kinds: the results file's, in a row's
 * first field or a comment line), with what would break a line or its columns replaced by
 * '_': a line break (a row cut in two), a tab (the separator), a quote (gnuplot reads a
 * quoted field up to the next quote, over tabs) and '#' (a comment).
 */
void plot_put_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < ' ' || *s == 0x7f || *s == '"' || *s == '#' ? '_' : *s,
		      f);
}

/* The three columns of a value (a backend's, an operation's) and its CI in a header:
 * "\tname\tname_lo\tname_hi". */
void plot_put_columns(FILE *f, const char *name)
{
	static const char *const suffix[] = { "", "_lo", "_hi" };

	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
		fputc('\t', f);
		plot_put_name(f, name);
		fputs(suffix[i], f);
	}
}

void plot_put_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "\t%.6g", v);
	else
		fputs("\t?", f);
}

/* A median and its 95% CI ('?' where there is none). */
void plot_put_summary(FILE *f, const struct summary *s)
{
	plot_put_num(f, s->median);
	plot_put_num(f, s->has_ci ? s->ci_lo : NAN);
	plot_put_num(f, s->has_ci ? s->ci_hi : NAN);
}

void plot_put_bar(FILE *f, const struct cell *c, bool drawn, double *lo, double *hi)
{
	if (!drawn) {
		fputs("\t?\t?\t?", f);
		return;
	}
	plot_put_summary(f, &c->stats);
	*lo = fmin(*lo, c->stats.has_ci && c->stats.ci_lo > 0 ? c->stats.ci_lo : c->stats.median);
	*hi = fmax(*hi, c->stats.has_ci ? c->stats.ci_hi : c->stats.median);
}

void plot_set_range(struct plotdata *d, double lo, double hi)
{
	if (lo <= hi)
		snprintf(d->yrange, sizeof(d->yrange), "%.6f %.6f", lo, hi);
}

/* overhead: per workload, each backend's slowdown against native (the ratio for times,
 * its inverse for rates) with its 95% CI. */
static void data_overhead(const struct results *r, const char **bk, size_t nb, const char **wl,
			  size_t nw, struct plotdata *d)
{
	/* The columns: backends with at least one ratio that has an interval. */
	bool *col = calloc(nb + 1, sizeof(*col));
	if (!col)
		return;
	fputs("# workload", d->f);
	for (size_t b = 0; b < nb; b++) {
		struct ratio q;
		size_t n;
		const struct cell **cs = results_column_cells(r, bk[b], &n);
		for (size_t i = 0; cs && i < n && !col[b]; i++)
			col[b] = results_ratio_to_native(r, cs[i], &q) == 0 && q.has_ci;
		free(cs);
		if (col[b]) {
			plot_put_columns(d->f, bk[b]);
			plot_add_word(d->backends, sizeof(d->backends), bk[b]);
		}
	}
	fputc('\n', d->f);
	/* A row per workload a baseline cell measured, in their order (the first one's, where
	 * a merged file has a baseline cell per host). */
	const char *base = results_baseline(r);
	json_t *done = json_object(); /* the workloads with a row */
	for (size_t i = 0; done && i < r->n; i++) {
		const struct cell *nat = &r->cells[i];
		if (strcmp(nat->backend, base) || !cell_measured(nat) ||
		    json_object_get(done, nat->workload))
			continue;
		if (json_object_set_new_nocheck(done, nat->workload, json_true()) < 0)
			break;
		plot_put_name(d->f, nat->workload);
		for (size_t b = 0; b < nb; b++) {
			const struct cell *c = results_find(r, bk[b], nat->workload);
			struct ratio q;
			if (!col[b])
				continue;
			if (!c || results_ratio_to_native(r, c, &q) < 0 || !q.has_ci) {
				fputs("\t?\t?\t?", d->f);
				continue;
			}
			bool rate = c->better == BETTER_HIGHER;
			plot_put_num(d->f, rate ? 1 / q.value : q.value);
			plot_put_num(d->f, rate ? 1 / q.ci_hi : q.ci_lo);
			plot_put_num(d->f, rate ? 1 / q.ci_lo : q.ci_hi);
			d->any = true;
		}
		fputc('\n', d->f);
	}
	json_decref(done);
	free(col);
}

/* traps: a block per workload, a row per backend with trap counts, a column per kind. */
static void data_traps(const struct results *r, const char **bk, size_t nb, const char **wl,
		       size_t nw, struct plotdata *d)
{
	const char *kinds[64];
	size_t nk = 0;

	for (size_t w = 0; w < nw; w++)
		for (size_t b = 0; b < nb; b++) {
			const struct cell *c = results_find(r, bk[b], wl[w]);
			for (size_t i = 0; c && i < c->traps.n; i++) {
				const char *k = c->traps.kind[i].name;
				if (c->traps.kind[i].per_op > 0 && nk < ARRAY_SIZE(kinds) &&
				    !util_listed(kinds, nk, k))
					kinds[nk++] = k;
			}
		}
	if (!nk)
		return;
	fputs("# backend", d->f);
	for (size_t k = 0; k < nk; k++) {
		fputc('\t', d->f);
		plot_put_name(d->f, kinds[k]);
		plot_add_word(d->kinds, sizeof(d->kinds), kinds[k]);
	}
	fputc('\n', d->f);
	bool first = true;
	for (size_t w = 0; w < nw; w++) {
		bool block = false;
		for (size_t b = 0; b < nb; b++) {
			const struct cell *c = results_find(r, bk[b], wl[w]);
			if (!c || !c->traps.n)
				continue;
			if (!block) {
				fputs(first ? "# " : "\n\n# ", d->f);
				plot_put_name(d->f, wl[w]);
				fputc('\n', d->f);
				plot_add_word(d->workloads, sizeof(d->workloads), wl[w]);
				block = true;
				first = false;
			}
			plot_put_name(d->f, bk[b]);
			for (size_t k = 0; k < nk; k++) {
				double v = traps_get(&c->traps, kinds[k]);
				plot_put_num(d->f, isnan(v) ? 0 : v);
			}
			fputc('\n', d->f);
			d->any = true;
		}
	}
}

/* memlat: a block per backend (and workload: the script draws one), a row per working
 * set: x, median, CI. */
static void data_memlat(const struct results *r, const char **bk, size_t nb, const char **wl,
			size_t nw, struct plotdata *d)
{
	fputs("# bytes\tmedian_ns\tci_lo\tci_hi\n", d->f);
	for (size_t b = 0; b < nb * nw; b++) {
		const struct cell *c = results_find(r, bk[b / nw], wl[b % nw]);
		json_t *points = json_object_get(c ? c->series : NULL, "points"), *pt;
		size_t i;
		if (!cell_measured(c) || !json_array_size(points))
			continue;
		fputs(d->any ? "\n\n# " : "# ", d->f);
		plot_put_name(d->f, bk[b / nw]);
		fputc('\n', d->f);
		plot_add_word(d->backends, sizeof(d->backends), bk[b / nw]);
		d->any = true;
		json_array_foreach(points, i, pt) {
			struct summary s;
			if (results_point_summary(pt, &s) < 0)
				continue;
			fprintf(d->f, "%.0f", json_number_value(json_object_get(pt, "x")));
			plot_put_summary(d->f, &s);
			fputc('\n', d->f);
		}
	}
}

/* fio: a row per backend: per IOPS workload the median, its CI and the p99 latency. */
static void data_fio(const struct results *r, const char **bk, size_t nb, const char **wl,
		     size_t nw, struct plotdata *d)
{
	bool *have = calloc(nw + 1, sizeof(*have));
	double lo = INFINITY, hi = -INFINITY; /* of the p99 latencies */

	if (!have)
		return;
	for (size_t w = 0; w < nw; w++)
		for (size_t b = 0; b < nb; b++)
			have[w] |= cell_measured(results_find(r, bk[b], wl[w]));
	fputs("# backend", d->f);
	for (size_t w = 0; w < nw; w++)
		if (have[w]) {
			fputc('\t', d->f);
			plot_put_name(d->f, wl[w]);
			fputs("_iops\tlo\thi\tp99_us", d->f);
			plot_add_word(d->workloads, sizeof(d->workloads), wl[w]);
		}
	fputc('\n', d->f);
	for (size_t b = 0; b < nb; b++) {
		bool row = false;
		for (size_t w = 0; w < nw; w++)
			row |= have[w] && cell_measured(results_find(r, bk[b], wl[w]));
		if (!row)
			continue;
		plot_put_name(d->f, bk[b]);
		plot_add_word(d->backends, sizeof(d->backends), bk[b]);
		for (size_t w = 0; w < nw; w++) {
			const struct cell *c = results_find(r, bk[b], wl[w]);
			if (!have[w])
				continue;
			if (!cell_measured(c)) {
				fputs("\t?\t?\t?\t?", d->f);
				continue;
			}
			plot_put_summary(d->f, &c->stats);
			json_t *p99 = json_object_get(c->extra, "clat_p99_us");
			double v = json_is_number(p99) ? json_number_value(p99) : NAN;
			plot_put_num(d->f, v);
			if (v > 0) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
			}
		}
		fputc('\n', d->f);
		d->any = true;
	}
	/* The p99 panel's log axis: from these, not from gnuplot's autoscale, which finds an
	 * empty range when there is one value (one backend, one workload). With no exponent:
	 * gnuplot will not turn the string "1e+06" into a number. */
	if (lo <= hi)
		snprintf(d->yrange, sizeof(d->yrange), "%.6f %.6f", lo, hi);
	free(have);
}

/* boot: a row per backend (and workload: the script draws one): the median boot time and
 * its CI in seconds. */
static void data_boot(const struct results *r, const char **bk, size_t nb, const char **wl,
		      size_t nw, struct plotdata *d)
{
	fputs("# backend\tmedian_s\tci_lo\tci_hi\n", d->f);
	for (size_t b = 0; b < nb * nw; b++) {
		const struct cell *c = results_find(r, bk[b / nw], wl[b % nw]);
		if (!cell_measured(c))
			continue;
		plot_put_name(d->f, bk[b / nw]);
		plot_add_word(d->backends, sizeof(d->backends), bk[b / nw]);
		plot_put_summary(d->f, &c->stats);
		fputc('\n', d->f);
		d->any = true;
	}
}

/* trapcost: a row per operation that has a measured cell, and in it, for every backend that
 * measured any operation, the median ns/op and its 95% CI; yrange: the smallest and largest
 * of those, the log axis's extent. */
static void data_trapcost(const struct results *r, const char **bk, size_t nb, const char **wl,
			  size_t nw, struct plotdata *d)
{
	bool *col = calloc(nb + 1, sizeof(*col));
	double lo = INFINITY, hi = -INFINITY;

	if (!col)
		return;
	fputs("# operation", d->f);
	for (size_t b = 0; b < nb; b++) {
		for (size_t w = 0; w < nw && !col[b]; w++)
			col[b] = cell_measured(results_find(r, bk[b], wl[w]));
		if (col[b]) {
			plot_put_columns(d->f, bk[b]);
			plot_add_word(d->backends, sizeof(d->backends), bk[b]);
		}
	}
	fputc('\n', d->f);
	for (size_t w = 0; w < nw; w++) {
		bool row = false;
		for (size_t b = 0; b < nb && !row; b++)
			row = col[b] && cell_measured(results_find(r, bk[b], wl[w]));
		if (!row)
			continue;
		plot_put_name(d->f, wl[w]);
		plot_add_word(d->workloads, sizeof(d->workloads), wl[w]);
		for (size_t b = 0; b < nb; b++) {
			const struct cell *c = results_find(r, bk[b], wl[w]);
			if (!col[b])
				continue;
			/* A log axis has no place for a median at or below 0 (a loop whose
			 * subtracted twin came out as slow): the table shows it, the plot not. */
			plot_put_bar(d->f, c, cell_measured(c) && c->stats.median > 0, &lo, &hi);
		}
		fputc('\n', d->f);
		d->any = true;
	}
	plot_set_range(d, lo, hi);
	free(col);
}

const struct plot_def plot_table[] = {
	{ "overhead", "Slowdown relative to native per workload and backend (log scale, 95% CI)",
	  data_overhead, 0 },
	{ "traps", "Traps per operation by kind (log scale)", data_traps, PLOT_TRAPS },
	{ "trapcost", "What one trap costs: time per operation by backend (log scale, 95% CI)",
	  data_trapcost, PLOT_TRAPCOST },
	{ "memlat", "Memory latency against working set size", data_memlat, PLOT_MEMLAT },
	{ "fio", "fio 4 KiB random I/O: IOPS and p99 completion latency", data_fio, PLOT_FIO },
	{ "boot", "Boot time to the agent's HELLO", data_boot, PLOT_BOOT },
	{ "lifecycle",
	  "Lifecycle operations: boot against restore, clone, snapshot and resize (log scale, "
	  "95% CI)",
	  plot_life_ops, PLOT_LIFECYCLE },
	{ "migration", "Live migration against the dirty rate: downtime, guest's gap, total time",
	  plot_life_migration, PLOT_MIGRATION },
};
const size_t plot_count = ARRAY_SIZE(plot_table);
/* The reports keep a flag per plot in an array of PLOT_COUNT (report_model.h). */
_Static_assert(ARRAY_SIZE(plot_table) == PLOT_COUNT, "PLOT_COUNT counts plot_table");

/* Where a workload goes in a plot of flag: by its plot_order, those without one (0) after
 * every one that has, so that ordering a few puts those few first. plot_order is one number
 * for every plot a workload is in; the plot of every workload (flag 0) keeps the catalog's
 * order, the order of the reports, rather than interleave the orders of several plots. */
static unsigned member_rank(const struct workload_ops *w, unsigned flag)
{
	return flag && w->plot_order ? w->plot_order : UINT_MAX;
}

const char **plot_members(unsigned flag, size_t *n)
{
	size_t count = catalog_count();
	const char **names = calloc(count + 1, sizeof(*names));
	unsigned *order = calloc(count + 1, sizeof(*order));

	*n = 0;
	if (!names || !order) {
		free(names);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < count; i++) {
		const struct workload_ops *w = catalog_at(i);
		if (flag && !(w->plots & flag))
			continue;
		/* Insertion sort: stable, and the lists are short. */
		size_t k = (*n)++;
		for (; k > 0 && order[k - 1] > member_rank(w, flag); k--) {
			names[k] = names[k - 1];
			order[k] = order[k - 1];
		}
		names[k] = w->name;
		order[k] = member_rank(w, flag);
	}
	free(order);
	return names;
}

char *plot_scripts_dir(void)
{
	const char *env = getenv("VMBENCH_PLOTS");
	char *exe = util_exe_dir(), *dir = NULL;

	if (env && *env) {
		free(exe);
		return strdup(env);
	}
	if (exe && asprintf(&dir, "%s/../share/vmbench/plots", exe) >= 0) {
		char probe[4096];
		snprintf(probe, sizeof(probe), "%s/overhead.gp", dir);
		if (access(probe, R_OK) == 0) {
			free(exe);
			return dir;
		}
		free(dir);
	}
	free(exe);
	return strdup(VMBENCH_PLOTS_DIR);
}

/* "on host (CPU model)", or "on hosts a, b" for a merged file, safe inside gnuplot's single
 * quotes. */
static void host_text(const struct results *r, char *buf, size_t len)
{
	json_t *h = json_object_get(r->provenance, "host"), *hosts, *v;
	const char *label;

	hosts = json_object_get(r->provenance, "hosts");
	if (json_object_size(hosts) > 0) {
		snprintf(buf, len, "on hosts ");
		json_object_foreach(hosts, label, v)
			util_appendf(buf, len, "%s%s", buf[9] ? ", " : "", label);
		gp_safe(buf, false, ' ');
		return;
	}
	const char *name = json_string_value(json_object_get(h, "hostname"));
	const char *cpu = json_string_value(json_object_get(h, "cpu_model"));

	snprintf(buf, len, "on %s (%s)", name ? name : "an unknown host",
		 cpu ? cpu : "unknown CPU");
	gp_safe(buf, false, ' ');
}

/* Appends name='value'; for gnuplot's -e, a quote in value doubled (gnuplot's escape
 * inside single quotes): output directories are the user's. */
static void gp_var(char *buf, size_t len, const char *name, const char *value)
{
	util_appendf(buf, len, "%s%s='", buf[0] ? "; " : "", name);
	for (const char *p = value; *p; p++)
		util_appendf(buf, len, *p == '\'' ? "''" : "%c", *p);
	util_appendf(buf, len, "'");
}

/* The gnuplot to run: $VMBENCH_GNUPLOT (a path or a name looked up in PATH), else gnuplot. */
static char *gnuplot_program(bool *overridden)
{
	char *env = getenv("VMBENCH_GNUPLOT");

	*overridden = env && *env;
	return *overridden ? env : "gnuplot";
}

/* Creates o for term, runs script into it and checks what gnuplot wrote. */
static int draw(const char *script, const char *vars_in, struct plot_out *o, const char *pdir,
		const char *stem, const char *term, char *err, size_t len)
{
	char vars[16384], said[16384], stem_path[PATH_MAX];
	bool overridden;
	char *gnuplot = gnuplot_program(&overridden);
	int ret = plot_out_create(o, pdir, stem, term);

	if (ret < 0) {
		snprintf(err, len, "cannot create a file in %s: %s", pdir, strerror(-ret));
		return ret;
	}
	/* The scripts append ".<term>" to out: that names exactly the file we created. */
	snprintf(stem_path, sizeof(stem_path), "%s", o->path);
	stem_path[strlen(stem_path) - strlen(term) - 1] = '\0';
	/* out first: were the list to be cut at vars' end, it is not where the image goes. */
	vars[0] = '\0';
	gp_var(vars, sizeof(vars), "out", stem_path);
	gp_var(vars, sizeof(vars), "term", term);
	util_appendf(vars, sizeof(vars), "; %s", vars_in);
	char *argv[] = { gnuplot, "-e", vars, (char *)script, NULL };
	ret = proc_capture(argv, said, sizeof(said), GNUPLOT_TIMEOUT_MS);
	if (ret == 127) {
		if (overridden)
			snprintf(err, len, "%s ($VMBENCH_GNUPLOT) cannot be run", gnuplot);
		else
			snprintf(err, len, "gnuplot is not installed (Debian: gnuplot-nox)");
		return -ENOENT;
	}
	if (ret != 0) {
		snprintf(err, len, "gnuplot failed on %s: %s", script,
			 ret < 0 ? strerror(-ret) : util_rtrim(said));
		return ret < 0 ? ret : -EIO;
	}
	if (said[0])
		log_warn("gnuplot on %s: %s", script, util_rtrim(said));
	char why[512];
	ret = plot_out_check(o, why, sizeof(why));
	if (ret < 0)
		snprintf(err, len, "gnuplot on %s: %s", script, why);
	return ret;
}

/*
 * Every format is drawn into a temp file of its own before any replaces a plot: a plot is
 * new in both formats or in none, and a failure leaves no temp file behind.
 */
static int render(const char *scripts, const char *pdir, const char *stem, const char *host,
		  const struct plotdata *d, char *err, size_t len)
{
	struct plot_out parts[PLOT_OUT_TERMS];
	char script[4096], vars[16384], final[PATH_MAX + 64];
	int ret = 0;

	snprintf(script, sizeof(script), "%s/%s.gp", scripts, stem);
	vars[0] = '\0';
	gp_var(vars, sizeof(vars), "datadir", pdir);
	gp_var(vars, sizeof(vars), "host", host);
	gp_var(vars, sizeof(vars), "backends", d->backends);
	gp_var(vars, sizeof(vars), "workloads", d->workloads);
	gp_var(vars, sizeof(vars), "kinds", d->kinds);
	gp_var(vars, sizeof(vars), "yrange", d->yrange);
	gp_var(vars, sizeof(vars), "plotsdir", scripts);
	for (size_t t = 0; t < PLOT_OUT_TERMS; t++)
		parts[t] = PLOT_OUT_NONE;
	for (size_t t = 0; t < PLOT_OUT_TERMS && ret == 0; t++)
		ret = draw(script, vars, &parts[t], pdir, stem, plot_out_term(t), err, len);
	for (size_t t = 0; t < PLOT_OUT_TERMS && ret == 0; t++) {
		snprintf(final, sizeof(final), "%s/%s.%s", pdir, stem, plot_out_term(t));
		ret = plot_out_commit(&parts[t], final);
		if (ret < 0)
			snprintf(err, len, "cannot write %s: %s", final, strerror(-ret));
	}
	for (size_t t = 0; t < PLOT_OUT_TERMS; t++)
		plot_out_discard(&parts[t]);
	return ret;
}

/* Writes each plot's data file and, when scripts is not NULL, draws it; *done counts those
 * written (and drawn). */
static int plot_each(const struct results *r, const char *dir, const char *scripts, size_t *done,
		     char *err, size_t len)
{
	char pdir[4096], path[4200], host[256];
	size_t nb;
	const char **bk = results_backends(r, &nb);
	int ret = 0;

	*done = 0;
	if (!bk) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	snprintf(pdir, sizeof(pdir), "%s/plots", dir);
	host_text(r, host, sizeof(host));
	ret = util_mkdir_p(pdir);
	if (ret < 0)
		snprintf(err, len, "cannot create %s: %s", pdir, strerror(-ret));
	for (size_t i = 0; ret == 0 && i < plot_count; i++) {
		const char *stem = plot_table[i].stem;
		struct plotdata d = { 0 };
		size_t nw;
		const char **wl = plot_members(plot_table[i].members, &nw);
		d.f = wl ? open_memstream(&d.buf, &d.size) : NULL;
		if (d.f)
			plot_table[i].data(r, bk, nb, wl, nw, &d);
		free(wl);
		if (!d.f || fclose(d.f) != 0) {
			free(d.buf);
			snprintf(err, len, "out of memory");
			ret = -ENOMEM;
			break;
		}
		if (!d.any) {
			/* Nothing to draw: no stale plot of an earlier run either. */
			static const char *const exts[] = { "dat", "png", "svg" };
			for (size_t e = 0; e < ARRAY_SIZE(exts); e++) {
				snprintf(path, sizeof(path), "%s/%s.%s", pdir, stem, exts[e]);
				unlink(path);
			}
			free(d.buf);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.dat", pdir, stem);
		ret = util_write_atomic(path, d.buf, d.size);
		free(d.buf);
		if (ret < 0) {
			snprintf(err, len, "cannot write %s: %s", path, strerror(-ret));
			break;
		}
		if (scripts)
			ret = render(scripts, pdir, stem, host, &d, err, len);
		if (ret == 0)
			(*done)++;
	}
	free(bk);
	return ret;
}

int plot_render(const char *pdir, const char *stem, const char *title, const char *words,
		const char *kinds, char *err, size_t len)
{
	struct plotdata d = { 0 };
	char host[256];
	int ret = -ENOMEM;

	if (strlen(words) >= sizeof(d.workloads) || strlen(kinds) >= sizeof(d.kinds)) {
		snprintf(err, len, "too many names for one plot");
		return -E2BIG;
	}
	snprintf(d.workloads, sizeof(d.workloads), "%s", words);
	snprintf(d.kinds, sizeof(d.kinds), "%s", kinds);
	snprintf(host, sizeof(host), "%s", title);
	gp_safe(host, false, ' ');
	char *scripts = plot_scripts_dir();
	if (scripts)
		ret = render(scripts, pdir, stem, host, &d, err, len);
	else
		snprintf(err, len, "out of memory");
	free(scripts);
	return ret;
}

int plot_write_data(const struct results *r, const char *dir, size_t *written, char *err,
		    size_t len)
{
	return plot_each(r, dir, NULL, written, err, len);
}

int plot_write(const struct results *r, const char *dir, size_t *drawn, char *err, size_t len)
{
	char *scripts = plot_scripts_dir();
	int ret;

	*drawn = 0;
	if (!scripts) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	ret = plot_each(r, dir, scripts, drawn, err, len);
	free(scripts);
	return ret;
}
