/* What the plot data writers share, plot.c's and those of other files (plot_life.c): one
 * plot's data file and the helpers that put names and numbers in it. Internal to the plots. */
#ifndef VMBENCH_PLOT_DATA_H
#define VMBENCH_PLOT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/results.h"
#include "harness/stats.h"

/* One plot's data and the gnuplot variables that say how to read it. */
struct plotdata {
	char *buf;
	size_t size;
	FILE *f;
	char backends[4096], workloads[2048], kinds[2048]; /* merged files: many columns */
	char yrange[64]; /* "lo hi" of a value the script sets its range by, or "" */
	bool any;	 /* it has something to draw */
};

/* Appends name to a whitespace-separated list of words for gnuplot (what would end a word
 * or the quotes around the list replaced by '_'). */
void plot_add_word(char *list, size_t len, const char *name);
/* A name in a data file: what would break its line or columns replaced by '_'. */
void plot_put_name(FILE *f, const char *s);
/* The three columns of a value and its CI in a header: "\tname\tname_lo\tname_hi". */
void plot_put_columns(FILE *f, const char *name);
/* "\t" and v, or "\t?" when v is not finite. */
void plot_put_num(FILE *f, double v);
/* A median and its 95% CI ('?' where there is none). */
void plot_put_summary(FILE *f, const struct summary *s);
/* A bar of a log axis: c's median and CI where drawn, else three '?'; [*lo, *hi] widened
 * to hold it (the lower end of the CI where it is above 0, else the median). */
void plot_put_bar(FILE *f, const struct cell *c, bool drawn, double *lo, double *hi);
/* yrange from [lo, hi] where it holds anything: gnuplot's autoscale finds no range for one
 * value, and takes no exponent ("1e+06" is no number to it). */
void plot_set_range(struct plotdata *d, double lo, double hi);

/* The lifecycle plots' data (plot_life.c), as plot_data_fn. */
void plot_life_ops(const struct results *r, const char **bk, size_t nb, const char **wl, size_t nw,
		   struct plotdata *d);
void plot_life_migration(const struct results *r, const char **bk, size_t nb, const char **wl,
			 size_t nw, struct plotdata *d);

#endif
