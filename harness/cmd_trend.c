/* 'vmbench trend': chosen cells over a series of runs (by date, labelled by date or commit),
 * with their CIs and where their level changed: a table, trend.tsv and a plot. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/plot.h"
#include "harness/trend.h"
#include "host/util.h"

#define TREND_PERMS	 999
#define TREND_SEED	 1
#define TREND_MAX_PANELS 12
/* Its memory and time grow with the square of the runs (about 8 MB at 1000). */
#define TREND_MAX_RUNS 1000

struct trend_cli {
	const char *outdir, *alpha;
	char **cells;
	unsigned min_runs;
	bool commit;
};

#define OFF(f) offsetof(struct trend_cli, f)
static const struct cliopt trend_opts_table[] = {
	{ "cells", 0, CLIOPT_LIST, OFF(cells), .metavar = "GLOB,...",
	  .help = "the cells to follow: workload globs, or column/workload with a '/' "
		  "(default: all)" },
	{ "alpha", 0, CLIOPT_STR, OFF(alpha), .metavar = "P",
	  .help = "a change point needs a permutation p below P (default 0.01)" },
	{ "min-runs", 0, CLIOPT_UINT, OFF(min_runs), .lo = 2, .hi = 1000, .def = "2",
	  .metavar = "N", .help = "runs a segment has at least" },
	{ "commit", 0, CLIOPT_FLAG, OFF(commit),
	  .help = "label runs by vmbench's git commit, not by date" },
	{ "output", 'o', CLIOPT_STR, OFF(outdir), .metavar = "DIR",
	  .help = "also write DIR/trend.tsv and the plot DIR/plots/trend.png, .svg" },
	{ NULL },
};
#undef OFF

static const char *run_label(const struct trend_run *r, bool commit)
{
	if (commit)
		return r->sha[0] ? r->sha : "?";
	return r->date[0] ? r->date : "?";
}

static void print_table(const struct trend *t, bool commit, size_t min_runs)
{
	printf("%-34s %5s %12s %12s  %s\n", "cell", "runs", "first", "last", "change points");
	for (size_t i = 0; i < t->nseries; i++) {
		const struct trend_series *s = &t->series[i];
		char changes[1024] = "", first_s[32] = "-", last_s[32] = "-";
		double first = NAN, last = NAN;
		for (size_t j = 0; j < t->nruns; j++)
			if (s->pt[j].measured) {
				first = isfinite(first) ? first : s->pt[j].median;
				last = s->pt[j].median;
			}
		for (size_t c = 0; c < s->cp.n; c++)
			util_appendf(changes, sizeof(changes), "%srun %zu (%s): %+.1f%% (p %.3g)",
				     c ? "; " : "", s->cp.at[c] + 1,
				     run_label(&t->runs[s->cp.at[c]], commit),
				     100 * trend_change(s, c), s->cp.p[c]);
		if (isfinite(first))
			snprintf(first_s, sizeof(first_s), "%.4g", first);
		if (isfinite(last))
			snprintf(last_s, sizeof(last_s), "%.4g", last);
		printf("%-34s %5zu %12s %12s  %s%s\n", s->name, s->measured, first_s, last_s,
		       changes[0] ? changes : "none",
		       s->measured < 2 * min_runs ? " (too few runs to tell)" : "");
	}
}

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "\t%.10g", v);
	else
		fputs("\t?", f);
}

/* trend.tsv: every point of every series, for machines. */
static char *tsv_text(const struct trend *t, size_t *size)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, size);

	if (!f)
		return NULL;
	fputs("column\tworkload\tunit\tproblem_bytes\trun\tdate\tcommit\tpath\tmedian\tci_lo\t"
	      "ci_hi\tlevel\tchange_p\n",
	      f);
	for (size_t i = 0; i < t->nseries; i++) {
		const struct trend_series *s = &t->series[i];
		for (size_t j = 0; j < t->nruns; j++) {
			const struct trend_point *p = &s->pt[j];
			fprintf(f, "%s\t%s\t%s\t", s->column, s->workload, s->unit);
			if (s->bytes)
				fprintf(f, "%.0f", json_number_value(s->bytes));
			fprintf(f, "\t%zu\t%s\t%s\t%s", j + 1, t->runs[j].date, t->runs[j].sha,
				t->runs[j].path);
			put(f, p->median);
			put(f, p->lo);
			put(f, p->hi);
			put(f, p->level);
			put(f, p->p);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* trend.dat and the words of the panels: the series with change points first. */
static char *dat_text(const struct trend *t, bool commit, char *words, char *units, size_t len,
		      size_t *size)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, size);
	size_t panels = 0;

	if (!f)
		return NULL;
	words[0] = units[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->nseries && panels < TREND_MAX_PANELS; i++) {
			const struct trend_series *s = &t->series[i];
			if ((s->cp.n > 0) != (pass == 0))
				continue;
			/* As many panels as their names fit gnuplot's variables. */
			if (strlen(words) + strlen(s->name) + 2 >= len ||
			    strlen(units) + strlen(s->unit) + 2 >= len)
				break;
			util_appendf(words, len, "%s%s", panels ? " " : "", s->name);
			util_appendf(units, len, "%s%s", panels ? " " : "", s->unit);
			fprintf(f, "%s# %s\n", panels++ ? "\n\n" : "", s->name);
			for (size_t j = 0; j < t->nruns; j++) {
				const struct trend_point *p = &s->pt[j];
				fprintf(f, "%zu", j + 1);
				put(f, p->median);
				put(f, p->lo);
				put(f, p->hi);
				put(f, p->level);
				/* "12-03 15:21" of "2026-12-03T15:21:31Z": tics stay readable. */
				const char *l = run_label(&t->runs[j], commit);
				if (!commit && strlen(l) >= 16)
					fprintf(f, "\t%d\t%.5s %.5s", isfinite(p->p), l + 5,
						l + 11);
				else
					fprintf(f, "\t%d\t%s", isfinite(p->p), l);
				put(f, p->p);
				fputc('\n', f);
			}
		}
	if (t->nseries > panels)
		log_warn("trend: the plot shows %zu of %zu cells (those with change points first); "
			 "choose them with --cells",
			 panels, t->nseries);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int write_text(const char *dir, const char *name, char *text, size_t size)
{
	char path[PATH_MAX];
	int ret = text ? 0 : -ENOMEM;

	if (ret == 0 && snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		ret = -ENAMETOOLONG;
	if (ret == 0)
		ret = util_write_atomic(path, text, size);
	free(text);
	if (ret < 0)
		log_err("cannot write %s/%s: %s", dir, name, strerror(-ret));
	return ret;
}

static int write_outputs(const struct trend *t, const char *dir, bool commit)
{
	char pdir[PATH_MAX], words[2000], units[2000], err[1024], *text;
	size_t size = 0;
	int ret;

	snprintf(pdir, sizeof(pdir), "%s/plots", dir);
	/* The text first: its size is known only after. */
	text = tsv_text(t, &size);
	ret = write_text(dir, "trend.tsv", text, size);
	if (ret == 0 && t->nseries == 0)
		return 0;
	if (ret == 0)
		ret = util_mkdir_p(pdir);
	if (ret == 0) {
		text = dat_text(t, commit, words, units, sizeof(words), &size);
		ret = write_text(pdir, "trend.dat", text, size);
	}
	if (ret == 0) {
		ret = plot_render(pdir, "trend", "", words, units, err, sizeof(err));
		if (ret == -ENOENT) { /* the table and trend.tsv are there: a warning */
			log_warn("no trend plot: %s", err);
			ret = 0;
		} else if (ret < 0) {
			log_err("trend plot: %s", err);
		} else {
			log_info("trend: %s/trend.tsv, %s/trend.{png,svg}", dir, pdir);
		}
	}
	return ret;
}

static int trend_main(const struct cli_call *call)
{
	const struct trend_cli *o = call->opts;
	struct cp_opts co = {
		.min_size = o->min_runs, .alpha = 0.01, .perms = TREND_PERMS, .seed = TREND_SEED
	};
	struct trend_run *runs = calloc(call->argc, sizeof(*runs));
	struct trend t = { 0 };
	int ret = EXIT_OK;

	if (!runs) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	/* The permutation test's smallest p is 1 / (1 + permutations). */
	if (o->alpha &&
	    cli_parse_number(o->alpha, 1.0 / (1 + TREND_PERMS), 0.5, true, &co.alpha) < 0) {
		free(runs);
		return cli_usage("trend", "--alpha must be a number in (%g, 0.5), not '%.40s'",
				 1.0 / (1 + TREND_PERMS), o->alpha);
	}
	for (int i = 0; i < call->argc; i++) {
		runs[i].path = call->argv[i];
		int r = cli_load_results("trend", runs[i].path, &runs[i].r);
		if (r != EXIT_OK) {
			for (int j = 0; j < i; j++)
				results_free(&runs[j].r);
			free(runs);
			return r;
		}
	}
	/* trend_build takes the runs over, whatever it returns. */
	if (trend_build(runs, call->argc, o->cells, &co, &t) < 0) {
		log_err("out of memory");
		ret = EXIT_FAILED;
		goto out;
	}
	if (t.nseries == 0)
		log_warn("trend: no measured cell matches");
	print_table(&t, o->commit, o->min_runs);
	if (o->outdir) {
		int r = util_mkdir_p(o->outdir);
		if (r == 0)
			r = util_check_writable_dir(o->outdir);
		if (r < 0) {
			ret = cli_usage("trend", "cannot write to output directory '%s': %s",
					o->outdir, strerror(-r));
			goto out;
		}
		if (write_outputs(&t, o->outdir, o->commit) < 0)
			ret = EXIT_FAILED;
	}
out:
	trend_free(&t);
	return ret;
}

const struct cli_cmd cmd_trend = {
	.name = "trend",
	.synopsis = "RESULTS.json... [options]",
	.summary = "cells over a series of runs, and where they changed",
	.about = "Follows cells over a series of runs, ordered by their dates: per cell its "
		 "median and 95% CI in each run, and its change points by E-divisive (Matteson "
		 "& James 2014: the energy statistic on the logarithms of the runs' medians, "
		 "binary segmentation, each split kept while a permutation test of 999 "
		 "permutations, seeded, gives p below --alpha). Prints a table; with -o DIR also "
		 "DIR/trend.tsv and a plot of up to 12 cells. Exit status: 0 done, 1 a write or "
		 "gnuplot failed, 2 bad input.",
	.opts = trend_opts_table,
	.opts_size = sizeof(struct trend_cli),
	.nargs = 1,
	.max_args = TREND_MAX_RUNS,
	.missing = "name the results files of the runs",
	.run = trend_main,
};
