/* Plots of a results file: data files the gnuplot scripts in plots/ render to PNG and SVG. */
#ifndef VMBENCH_PLOT_H
#define VMBENCH_PLOT_H

#include <stddef.h>

#include "common/compiler.h"
#include "harness/results.h"

struct plotdata; /* one plot's data file and gnuplot variables (plot_data.h) */

/* Writes one plot's data: r's backends bk (results order) and the workloads wl it shows. */
typedef void (*plot_data_fn)(const struct results *r, const char **bk, size_t nb, const char **wl,
			     size_t nw, struct plotdata *d);

/* The plots, in the order reports show them: one line each. */
struct plot_def {
	const char *stem;    /* plots/<stem>.gp draws plots/<stem>.dat */
	const char *caption; /* under the plot in the reports */
	plot_data_fn data;
	/* The workloads it shows: those whose workload_ops.plots has this flag (enum
	 * workload_plots), in the order of plot_members; 0: every workload. */
	unsigned members;
};
extern const struct plot_def plot_table[];
extern const size_t plot_count;
/* plot_count as a constant, for arrays of a flag per plot (plot.c checks that it is). */
#define PLOT_COUNT 8

/* The names of the catalog's workloads with flag in their plots (all for 0): by plot_order,
 * those without one (0) after those with, ties in catalog order. The reports' tables of a
 * plot's workloads take them in this order too. malloc'd; NULL on ENOMEM. */
const char **plot_members(unsigned flag, size_t *n);

/*
 * The directory of the gnuplot scripts: $VMBENCH_PLOTS, else plots/ next to the vmbench
 * binary's directory when it has overhead.gp, else the source tree's (malloc'd; NULL on
 * ENOMEM).
 */
char *plot_scripts_dir(void);

/*
 * Writes dir/plots/<plot>.dat for each plot of plot_table the results have data for
 * and renders each with gnuplot ($VMBENCH_GNUPLOT, else gnuplot in PATH) to
 * dir/plots/<plot>.png and .svg, through temp files vmbench creates (harness/plot_out.h):
 * both replace the old plot only when both are whole images. A plot without data is not
 * drawn (and an old one removed). *drawn counts those drawn. 0; -ENOENT when gnuplot
 * cannot be run; another negative errno when a file cannot be written or gnuplot fails or
 * leaves an image incomplete (-EIO), with the reason in err.
 */
int plot_write(const struct results *r, const char *dir, size_t *drawn, char *err, size_t len)
	__must_check;

/*
 * Renders plots/<stem>.gp on pdir/<stem>.dat to pdir/<stem>.png and .svg, with the
 * variables every script gets (host: title, made safe) and words and kinds as the script's
 * 'workloads' and 'kinds' lists: for plots that are not of one results file (vmbench trend).
 * 0, -ENOENT without gnuplot, -E2BIG, another negative errno, with the reason in err.
 */
int plot_render(const char *pdir, const char *stem, const char *title, const char *words,
		const char *kinds, char *err, size_t len) __must_check;

/* The median of the finite numbers of a JSON array, arrays in it flattened (a clone's times
 * per sample), NAN when there are none: the lifecycle plots' figures and the report's
 * lifecycle tables are the same numbers. */
double plot_json_median(json_t *arr);

/* As plot_write without gnuplot: only the data files; *written counts them. */
int plot_write_data(const struct results *r, const char *dir, size_t *written, char *err,
		    size_t len) __must_check;

#endif
