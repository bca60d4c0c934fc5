/*
 * The lifecycle plots' data: the operations of PLOT_LIFECYCLE side by side per backend, and
 * a live migration's downtime and total time against the rate its guest dirties memory
 * (PLOT_MIGRATION's series). The figures are those of the report's tables (report_life.c).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/plot_data.h"

/* Whether the lifecycle plot draws c: measured, in seconds (the one axis; a migration's
 * downtime is in ms and has a plot of its own) and above 0 (a log axis). */
static bool ops_drawn(const struct cell *c)
{
	return cell_measured(c) && c->unit && !strcmp(c->unit, "s") && c->stats.median > 0;
}

/* lifecycle: a row per backend that measured an operation, and in it, per operation some
 * backend measured, the median in seconds and its 95% CI; yrange: the smallest and largest
 * of those, the log axis's extent. */
void plot_life_ops(const struct results *r, const char **bk, size_t nb, const char **wl, size_t nw,
		   struct plotdata *d)
{
	bool *col = calloc(nw + 1, sizeof(*col)), *row = calloc(nb + 1, sizeof(*row));
	double lo = INFINITY, hi = -INFINITY;
	size_t ncol = 0;

	if (!col || !row)
		goto out;
	for (size_t w = 0; w < nw; w++)
		for (size_t b = 0; b < nb; b++)
			if (ops_drawn(results_find(r, bk[b], wl[w]))) {
				ncol += !col[w];
				col[w] = row[b] = true;
			}
	/* One operation alone (a run that only booted) is the boot plot over again: the
	 * report's lifecycle table is left out then too. */
	if (ncol < 2)
		goto out;
	fputs("# backend", d->f);
	for (size_t w = 0; w < nw; w++)
		if (col[w]) {
			plot_put_columns(d->f, wl[w]);
			plot_add_word(d->workloads, sizeof(d->workloads), wl[w]);
		}
	fputc('\n', d->f);
	for (size_t b = 0; b < nb; b++) {
		if (!row[b])
			continue;
		plot_put_name(d->f, bk[b]);
		plot_add_word(d->backends, sizeof(d->backends), bk[b]);
		for (size_t w = 0; w < nw; w++) {
			const struct cell *c = results_find(r, bk[b], wl[w]);
			if (!col[w])
				continue;
			plot_put_bar(d->f, c, ops_drawn(c), &lo, &hi);
		}
		fputc('\n', d->f);
		d->any = true;
	}
	plot_set_range(d, lo, hi);
out:
	free(col);
	free(row);
}

double plot_json_median(json_t *arr)
{
	size_t n = 0, cap = 0, i, j;
	double *v = NULL, med = NAN;
	struct summary s;
	json_t *x;

	json_array_foreach(arr, i, x) {
		size_t k = json_is_array(x) ? json_array_size(x) : 1;
		for (j = 0; j < k; j++) {
			json_t *y = json_is_array(x) ? json_array_get(x, j) : x;
			if (!json_is_number(y) || !isfinite(json_number_value(y)))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				double *nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					goto out;
				v = nv;
			}
			v[n++] = json_number_value(y);
		}
	}
	if (n && stats_summarize(v, n, &s) == 0)
		med = s.median;
out:
	free(v);
	return med;
}

/* The medians of one point of a migration's series. */
struct mig_point {
	double x, down, gap, total; /* MiB/s; ms, ms, s: NAN where it has none */
	bool failed;		    /* some migration at this rate did not converge */
};

/* Reads pt into p: false for a point that is no row, one without a rate or one never tried
 * (a lower rate did not converge): there is nothing to show a gap in. */
static bool mig_point(json_t *pt, struct mig_point *p)
{
	json_t *x = json_object_get(pt, "x"), *samples = json_object_get(pt, "samples");

	p->failed = json_array_size(json_object_get(pt, "not_converged")) > 0;
	if (!json_is_number(x) || !isfinite(json_number_value(x)))
		return false;
	if (!json_array_size(samples) && !p->failed &&
	    json_array_size(json_object_get(pt, "not_tried")))
		return false;
	p->x = json_number_value(x);
	p->down = plot_json_median(samples);
	p->gap = plot_json_median(json_object_get(pt, "guest_gap_ms"));
	p->total = plot_json_median(json_object_get(pt, "total_s"));
	return true;
}

/* Whether a series has something to draw: a median, or a rate that did not converge. */
static bool mig_drawn(json_t *points)
{
	struct mig_point p;
	json_t *pt;
	size_t i;

	json_array_foreach(points, i, pt)
		if (mig_point(pt, &p) &&
		    (p.failed || isfinite(p.down) || isfinite(p.gap) || isfinite(p.total)))
			return true;
	return false;
}

/* A series' rows: x and the medians ('?' where a point has none: a gap in its line, which
 * is what a rate without a converged migration is); 1 in the last column at the first rate
 * some migration did not converge at. *ms and *s: the largest value of each axis so far. */
static void mig_rows(json_t *points, double *ms, double *s, struct plotdata *d)
{
	struct mig_point p;
	bool stop = false;
	json_t *pt;
	size_t i;

	json_array_foreach(points, i, pt) {
		if (!mig_point(pt, &p))
			continue;
		fprintf(d->f, "%.6g", p.x);
		plot_put_num(d->f, p.down);
		plot_put_num(d->f, p.gap);
		plot_put_num(d->f, p.total);
		fprintf(d->f, "\t%d\n", p.failed && !stop);
		stop |= p.failed;
		/* fmax drops a NAN. */
		*ms = fmax(*ms, fmax(p.down, p.gap));
		*s = fmax(*s, p.total);
	}
}

/* migration: a block per backend (and workload) with a series to draw, a row per rate it
 * tried: the rate in MiB/s, the median downtime (QEMU's, ms), the guest's longest gap (ms),
 * the total time (s) and whether it is the first rate that did not converge; yrange: the
 * largest downtime or gap in ms and the largest total time in s, the tops of the axes. */
void plot_life_migration(const struct results *r, const char **bk, size_t nb, const char **wl,
			 size_t nw, struct plotdata *d)
{
	double ms = 0, s = 0;

	fputs("# rate_mib_s\tdowntime_ms\tguest_gap_ms\ttotal_s\tnot_converged\n", d->f);
	for (size_t b = 0; b < nb * nw; b++) {
		const struct cell *c = results_find(r, bk[b / nw], wl[b % nw]);
		json_t *points = json_object_get(c ? c->series : NULL, "points");
		if (!mig_drawn(points))
			continue;
		fputs(d->any ? "\n\n# " : "# ", d->f);
		plot_put_name(d->f, bk[b / nw]);
		fputc('\n', d->f);
		plot_add_word(d->backends, sizeof(d->backends), bk[b / nw]);
		d->any = true;
		mig_rows(points, &ms, &s, d);
	}
	if (ms > 0 || s > 0)
		snprintf(d->yrange, sizeof(d->yrange), "%.6f %.6f", ms, s);
}
