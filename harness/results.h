/* The results model: cells of (backend, workload) with raw samples, and the vmbench/1 JSON. */
#ifndef VMBENCH_RESULTS_H
#define VMBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/counts.h"
#include "harness/stats.h"
#include "workloads/workload.h"

#define RESULTS_SCHEMA "vmbench/1"
/* A cell whose 95% CI half-width exceeds this fraction of its median is noisy. */
#define RESULTS_MAX_CI_HALF 0.10

enum cell_status {
	CELL_OK,
	CELL_SKIPPED, /* could not run here; reason says why */
	CELL_FAILED,  /* tried and failed; reason says how */
	CELL_NOISY,   /* ran, but the numbers are too uncertain to compare; reason says why */
	CELL_NOT_RUN, /* never tried: the run was interrupted first (not a failure of its own) */
};

struct cell {
	char *backend, *mode, *workload, *unit;
	char *host;   /* the host's label in a merged file (vmbench merge), else NULL */
	char *column; /* what tables and plots call its backend: backend, or backend@host */
	enum better better;
	enum cell_status status;
	char *reason;	 /* NULL when there is nothing to say */
	double *samples; /* in unit; raw, never filtered; session after session */
	size_t n;
	size_t *sessions; /* the number of samples of each session, in order (they sum to n) */
	size_t nsessions;
	bool has_stats; /* derived from samples */
	struct summary stats;
	json_t *raw;	    /* the agent's raw data (iters, ops, sample_ns, loop_ns), or NULL */
	json_t *extra;	    /* the workload's own facts (clocksource, fio latencies), or NULL */
	json_t *series;	    /* points of a curve: {"x_unit", "points": [{"x", "samples"...}]} */
	struct traps traps; /* per operation, by kind (harness/counts.h) */
	struct counters counters; /* host counters over the counting pass */
	double wall_s; /* the host's wall time spent on the cell, all passes; 0 unknown */
	double probed; /* the counting sample's value (of the last point), in unit, taken with the
			* counting pass's probes attached; NAN when there is none */
};

/* Change the cells' columns, workloads or order only through results_add, results_set_host
 * and results_sort: lookups go through an index of them (harness/results_index.c). */
struct results {
	json_t *provenance; /* an object, free-form */
	bool complete;	    /* false while a run is still adding cells */
	struct cell *cells;
	size_t n, cap;
	struct results_index *index; /* from the first cell on */
};

void results_init(struct results *r);
void results_free(struct results *r);
/* Appends a cell with status OK and no samples; NULL on ENOMEM. */
struct cell *results_add(struct results *r, const char *backend, const char *mode,
			 const char *workload, const char *unit, enum better better);
void cell_set_status(struct cell *c, enum cell_status st, const char *fmt, ...) __printf(3, 4);
/* Marks c, a cell of r, as measured on host (a merged file's label: letters, digits, '.',
 * '_', '-'); its column becomes backend@host. 0, -EINVAL (not such a label), -ENOMEM. */
int results_set_host(struct results *r, struct cell *c, const char *host) __must_check;
/* Sorts the cells with qsort_r's cmp and arg. */
void results_sort(struct results *r, int (*cmp)(const void *, const void *, void *), void *arg);
/* Whether s is a host label results_set_host takes. */
bool results_host_label_ok(const char *s);
/* Stores a copy of the samples of k sessions (sizes[i] each, in order) and derives the
 * statistics (stats_sessions); a measured cell becomes noisy when its interval is too wide,
 * ok when it is not. 0, -EINVAL (non-finite sample, empty session), -ENOMEM. */
int cell_set_sessions(struct cell *c, const double *x, const size_t *sizes, size_t k) __must_check;
/* The same for samples of one session. */
int cell_set_samples(struct cell *c, const double *x, size_t n) __must_check;
/* Adds a session's samples to a cell (statistics and the noisy rule derived again on all
 * of them); raw's per-sample arrays and each series point's are appended (the point's
 * "session_n" records how many this session brought), raw.ops summed, extra replaced by
 * the later session's; the cell takes references or copies of its own. 0, -EINVAL,
 * -ENOMEM. */
int cell_add_session(struct cell *c, const double *x, size_t n, json_t *raw, json_t *extra,
		     json_t *series) __must_check;
/* The median of each of c's sessions, in a new array of c->nsessions. 0, -ENOMEM. */
int cell_session_medians(const struct cell *c, double **med) __must_check;
const char *cell_status_name(enum cell_status st);
/* The status named s ("untrustworthy", its name in older files, is noisy). 0 or -EINVAL. */
int cell_status_parse(const char *s, enum cell_status *st) __must_check;

/* The backend every ratio refers to in files that do not name it (provenance run.baseline,
 * written by runs since the backends declare it with BK_BASELINE). */
#define RESULTS_DEFAULT_BASELINE "native"
/* The backend every ratio of r refers to. */
const char *results_baseline(const struct results *r);

/* Whether c (NULL allowed) holds samples to compare: ok or noisy, statistics derived. */
bool cell_measured(const struct cell *c);
/* What the counting pass's probes did to a sample of c: the probed sample's time over the
 * median's (for rates, the median over the probed sample), 1 when they changed nothing;
 * NAN when c is not measured or has no probed sample. */
double cell_probe_effect(const struct cell *c);
/* The sessions of one point of a series ({"x", "samples": [...], "session_n": [...]}): a
 * new array of *k sizes (one session when there is no "session_n"). 0, -EINVAL (sizes that
 * are not positive integers summing to the samples), -ENOMEM. */
int results_point_sessions(json_t *point, size_t **sizes, size_t *k) __must_check;
/* The statistics of one point (stats_sessions). 0, -EINVAL (no or bad samples), -ENOMEM. */
int results_point_summary(json_t *point, struct summary *s);
/* The distinct columns (backend, or backend@host in a merged file) or workloads of the
 * cells in the order they first appear: an array of pointers into the cells (free it, not
 * them) and its length in *n; NULL on ENOMEM. */
const char **results_backends(const struct results *r, size_t *n);
const char **results_workloads(const struct results *r, size_t *n);
/* Whether glob names the cell (name, workload): a glob with a '/' is matched (fnmatch)
 * against "name/workload", one without against the workload. */
bool results_glob_match(const char *glob, const char *name, const char *workload);
/* The cell of (column, workload), or NULL; the first of them in a file that has several
 * (results_from_json refuses such a file). */
const struct cell *results_find(const struct results *r, const char *column, const char *workload);
/* The first cell of a column, or NULL. */
const struct cell *results_column_first(const struct results *r, const char *column);
/* The cells of a column in results order (one a workload): a new array of *n (free it, not
 * them), NULL on ENOMEM. */
const struct cell **results_column_cells(const struct results *r, const char *column, size_t *n);
/* The baseline's cell of c's workload on c's host, or NULL. */
const struct cell *results_baseline_cell(const struct results *r, const struct cell *c);
/* A measured cell's median over that of the baseline's cell of the same workload, with the
 * 95% CI of stats_ratio on both cells' session medians; none between cells of different
 * problem sizes (extra.problem_bytes). 0; -ENOENT when there is
 * nothing to compare (no measured baseline cell, c is that cell, c not measured); -EINVAL
 * for samples that make no ratio (non-positive baseline). */
int results_ratio_to_native(const struct results *r, const struct cell *c, struct ratio *out);
/* Whether c or the baseline's cell it is compared with is noisy. */
bool results_ratio_noisy(const struct results *r, const struct cell *c);

/* The index behind the lookups (harness/results_index.c): made with the first cell, emptied
 * when indexed cells move or change names, freed with r. results_index_new: 0, -ENOMEM. */
int results_index_new(struct results *r) __must_check;
void results_index_drop(struct results *r);
void results_index_free(struct results *r);
/* Whether the index holds c (it has caught up with it since it was last emptied). */
bool results_index_covers(const struct results *r, const struct cell *c);

json_t *results_to_json(const struct results *r);
/* Writes the JSON document atomically. 0 or -errno. */
int results_write(const struct results *r, const char *path) __must_check;
/* Reads and validates a vmbench/1 document; statistics are derived again from the
 * samples. 0, or -EINVAL with a one-line reason naming the place (and line:column for
 * JSON syntax errors) in err. */
int results_from_json(json_t *root, struct results *r, char *err, size_t len) __must_check;
/* The same, taking root's reference: each cell's JSON is released as soon as it is read, so
 * that the document's tree and the model are not both whole in memory. */
int results_take_json(json_t *root, struct results *r, char *err, size_t len) __must_check;
int results_load(const char *path, struct results *r, char *err, size_t len) __must_check;

#endif
