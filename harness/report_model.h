/*
 * The report model: everything a report shows, built once from a results file (provenance
 * lines, tables of cells as text) so that each renderer (report_md.c, report_csv.c, ...)
 * only lays it out. Internal to the report modules.
 */
#ifndef VMBENCH_REPORT_MODEL_H
#define VMBENCH_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/plot.h"
#include "harness/results.h"

#define REPORT_MAX_COLS 32

struct report_table {
	char *id;      /* for anchors and labels */
	char *caption; /* a heading above it */
	char *note;    /* a paragraph below it, or NULL */
	size_t ncols, nrows, cap;
	char *head[REPORT_MAX_COLS];
	char align[REPORT_MAX_COLS]; /* 'l' or 'r' */
	char **cells;		     /* nrows * ncols; NULL is empty */
};

struct report_prov {
	char *key, *val;
};

struct report_model {
	const struct results *r;
	bool oom;
	char *title;
	struct report_prov *prov;
	size_t nprov, prov_cap;
	const char *prov_host; /* while the lines of one host of a merged file are built */
	const char **backends, **workloads; /* in results order, unique */
	size_t nb, nw;
	bool *ran; /* per backend: any cell more than skipped */
	struct report_table *backtab, *summary, *overview;
	/* What one trap costs (report_traps.c); NULL when no cell is of a workload drawn in
	 * the trapcost plot, so reports of runs without them stay as they were. */
	struct report_table *trapcost;
	/* The lifecycle operations side by side, and migration against the dirty rate
	 * (report_life.c); NULL when the results have none. */
	struct report_table *lifecycle, *migration;
	struct report_table **per; /* one per workload */
	/* Every cell in results order, one column per field, numbers in full precision:
	 * the machine-readable table (CSV). */
	struct report_table *cells;
	char *plots_dir; /* dir/plots */
	char *not_run;	 /* "kvm, kvm-virtio": backends that ran nothing, or NULL */
	/* plots/<stem>.png exists, by plot_table index */
	bool plot_ok[PLOT_COUNT];
};

/* Builds m from r; dir is where the report goes (its plots/ are looked for). 0 or -ENOMEM;
 * report_model_free in either case. */
int report_model_build(struct report_model *m, const struct results *r, const char *dir)
	__must_check;
void report_model_free(struct report_model *m);

/* The paragraph above the per-workload tables (plain text, escaped by each renderer as any
 * other). */
extern const char report_per_workload_intro[];

/* The provenance lines (report_prov.c). */
void report_prov_build(struct report_model *m);

/* ---- building tables (report_model.c); a failed allocation sets m->oom ---- */

/* A new string, or NULL (m->oom set). */
char *report_asprintf(struct report_model *m, const char *fmt, ...) __printf(2, 3);
/* A table without rows of ncols columns (at most REPORT_MAX_COLS), or NULL. */
struct report_table *report_table_new(struct report_model *m, const char *id, const char *caption,
				      const char *const *head, const char *align, size_t ncols);
/* A new row of empty cells at the end of t (NULL: none), or NULL. */
char **report_table_row(struct report_model *m, struct report_table *t);

/* ---- traps and rings (report_traps.c) ---- */

/* The table "What one trap costs" into m->trapcost, when the results have cells of the
 * workloads drawn in the trapcost plot (PLOT_TRAPCOST). */
void report_traps_build(struct report_model *m);
/* The lifecycle tables into m->lifecycle and m->migration (report_life.c). */
void report_life_build(struct report_model *m);
/* Where the guest kernel of a column's backend runs, from the backend's flags ("—" for a
 * backend this build does not know), and the ring its cells say their code ran in
 * (extra.ring), into buf. */
void report_guest_kernel(const struct report_model *m, const char *column, char *buf, size_t len);

/* ---- helpers (report_fmt.c) ---- */

const char *report_or_unknown(const char *s);

/* Three significant digits, without an exponent for ordinary magnitudes. */
void report_fmt_sig(double v, char *buf, size_t len);
/* "164 ns/op": times scaled to ns, µs, ms or s. */
void report_fmt_value(double v, const char *unit, char *buf, size_t len);
/* "164 [160–170] ns/op" for a measured cell. */
void report_fmt_median_ci(const struct cell *c, char *buf, size_t len);
/* "×4.02 [3.90–4.15]", or "" when there is no ratio with an interval. */
void report_fmt_ratio(const struct results *r, const struct cell *c, char *buf, size_t len);
/* A probe effect (cell_probe_effect) as the change it made: "+31%", "-2.0%", "0%". */
void report_fmt_effect(double f, char *buf, size_t len);
/* "ide 22.4, piix-bmdma 12.6, …": the largest trap kinds first. */
void report_fmt_kinds(const struct traps *t, char *buf, size_t len);
/* The counters per operation a table shows. */
void report_fmt_counters(const struct counters *cs, char *buf, size_t len);
/* A number for machines: "%.10g", or "" when not finite. */
void report_fmt_exact(double v, char *buf, size_t len);

/* ---- renderers (report_<name>.c), listed in report.c ---- */

struct report_renderer {
	const char *name; /* on the command line and the file's extension: report.<name> */
	unsigned bit;	  /* enum report_format */
	/* Writes m to f; 0 or a negative errno. */
	int (*render)(FILE *f, const struct report_model *m);
};

extern const struct report_renderer report_md, report_csv, report_tex, report_html;
/* The one table of renderers (harness/report.c). */
extern const struct report_renderer *const report_renderers[];
extern const size_t report_renderer_count;

#endif
