/* Plots of a results file: data files the gnuplot scripts in plots/ render to PNG and SVG. */
#ifndef VMBENCH_PLOT_H
#define VMBENCH_PLOT_H

#include <stddef.h>

#include "common/compiler.h"
#include "harness/results.h"

/*
 * The directory of the gnuplot scripts: $VMBENCH_PLOTS, else plots/ next to the vmbench
 * binary's directory when it has overhead.gp, else the source tree's (malloc'd; NULL on
 * ENOMEM).
 */
char *plot_scripts_dir(void);

/*
 * Writes dir/plots/<plot>.dat for each plot of report_plots the results have data for
 * and renders each with gnuplot to dir/plots/<plot>.png and .svg. A plot without data is
 * not drawn (and an old one removed). *drawn counts those drawn. 0; -ENOENT when gnuplot
 * is not installed; another negative errno when a file cannot be written or gnuplot
 * fails, with the reason in err.
 */
int plot_write(const struct results *r, const char *dir, size_t *drawn, char *err, size_t len)
	__must_check;

#endif
