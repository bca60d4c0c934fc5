/* The results model: cells, their samples by session, their statistics and ratios. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness/results.h"
#include "host/util.h"

static const char *const status_names[] = {
	[CELL_OK] = "ok",	[CELL_SKIPPED] = "skipped", [CELL_FAILED] = "failed",
	[CELL_NOISY] = "noisy", [CELL_NOT_RUN] = "not run",
};

const char *cell_status_name(enum cell_status st)
{
	return status_names[st];
}

int cell_status_parse(const char *s, enum cell_status *st)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum cell_status)i;
			return 0;
		}
	/* The name files written before sessions gave the flag. */
	if (strcmp(s, "untrustworthy") == 0) {
		*st = CELL_NOISY;
		return 0;
	}
	return -EINVAL;
}

void results_init(struct results *r)
{
	memset(r, 0, sizeof(*r));
}

static void cell_free(struct cell *c)
{
	free(c->backend);
	free(c->mode);
	free(c->workload);
	free(c->unit);
	free(c->host);
	free(c->column);
	free(c->reason);
	free(c->samples);
	free(c->sessions);
	json_decref(c->raw);
	json_decref(c->extra);
	json_decref(c->series);
	traps_free(&c->traps);
	counters_free(&c->counters);
}

void results_free(struct results *r)
{
	for (size_t i = 0; i < r->n; i++)
		cell_free(&r->cells[i]);
	free(r->cells);
	json_decref(r->provenance);
	results_index_free(r);
	results_init(r);
}

struct cell *results_add(struct results *r, const char *backend, const char *mode,
			 const char *workload, const char *unit, enum better better)
{
	if (results_index_new(r) < 0)
		return NULL;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct cell *nc = realloc(r->cells, cap * sizeof(*nc));
		if (!nc)
			return NULL;
		r->cells = nc;
		r->cap = cap;
	}
	struct cell *c = &r->cells[r->n];
	memset(c, 0, sizeof(*c));
	c->backend = strdup(backend);
	c->mode = strdup(mode);
	c->workload = strdup(workload);
	c->unit = strdup(unit);
	c->column = strdup(backend);
	c->better = better;
	c->status = CELL_OK;
	c->probed = NAN;
	if (!c->backend || !c->mode || !c->workload || !c->unit || !c->column) {
		cell_free(c);
		return NULL;
	}
	r->n++;
	return c;
}

void cell_set_status(struct cell *c, enum cell_status st, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	c->status = st;
	free(c->reason);
	c->reason = NULL;
	if (!fmt)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	c->reason = text;
}

int cell_set_sessions(struct cell *c, const double *x, const size_t *sizes, size_t k)
{
	size_t n = 0;
	int ret;

	for (size_t i = 0; i < k; i++)
		n += sizes[i];
	double *copy = malloc((n ? n : 1) * sizeof(*copy));
	size_t *sz = malloc((k ? k : 1) * sizeof(*sz));
	if (!copy || !sz) {
		free(copy);
		free(sz);
		return -ENOMEM;
	}
	memcpy(copy, x, n * sizeof(*copy));
	memcpy(sz, sizes, k * sizeof(*sz));
	free(c->samples);
	free(c->sessions);
	c->samples = copy;
	c->n = n;
	c->sessions = sz;
	c->nsessions = k;
	c->has_stats = false;
	if (n == 0)
		return 0;
	ret = stats_sessions(x, sizes, k, &c->stats);
	if (ret < 0)
		return ret;
	c->has_stats = true;
	/* Whether a measured cell is too noisy is decided on all its sessions, each time. */
	if (c->status == CELL_OK || c->status == CELL_NOISY) {
		double half = (c->stats.ci_hi - c->stats.ci_lo) / 2;
		double rel = c->stats.median != 0 ? half / fabs(c->stats.median) : INFINITY;
		if (c->stats.has_ci && rel > RESULTS_MAX_CI_HALF) {
			/* What would meet the limit: sessions as far apart as these, more of
			 * them (a plan for the next run, not a promise). */
			unsigned need = stats_sessions_needed(c->stats.session_sd,
							      RESULTS_MAX_CI_HALF, 1000);
			char more[48];
			if (need)
				snprintf(more, sizeof(more), "about %u", need);
			else
				snprintf(more, sizeof(more), "more than 1000");
			cell_set_status(c, CELL_NOISY,
					"95%% CI half-width is %.1f%% of the median over %zu "
					"sessions (limit %.0f%%; sessions this far apart would "
					"need %s)",
					100 * rel, k, 100 * RESULTS_MAX_CI_HALF, more);
		} else if (!c->stats.has_ci && k >= 2)
			cell_set_status(c, CELL_NOISY,
					"a session's median is not above 0: no interval");
		else
			cell_set_status(c, CELL_OK, NULL);
	}
	return 0;
}

int cell_set_samples(struct cell *c, const double *x, size_t n)
{
	return cell_set_sessions(c, x, &n, n ? 1 : 0);
}

/* A later round's raw data or series into the first's: per-sample arrays appended, each
 * point of a series merged the same way, "ops" summed; other members stay the first
 * round's. */
static int merge_round(json_t *dst, json_t *src)
{
	const char *k;
	json_t *sv;

	json_object_foreach(src, k, sv) {
		json_t *dv = json_object_get(dst, k);
		if (!dv) {
			if (json_object_set(dst, k, sv) < 0)
				return -ENOMEM;
		} else if (json_is_array(dv) && json_is_array(sv)) {
			size_t n = json_array_size(dv);
			if (n && json_is_object(json_array_get(dv, 0))) {
				for (size_t i = 0; i < n && i < json_array_size(sv); i++)
					if (merge_round(json_array_get(dv, i),
							json_array_get(sv, i)) < 0)
						return -ENOMEM;
			} else if (json_array_extend(dv, sv) < 0) {
				return -ENOMEM;
			}
		} else if (!strcmp(k, "ops") && json_is_number(dv) && json_is_number(sv)) {
			json_object_set_new(
				dst, k, json_real(json_number_value(dv) + json_number_value(sv)));
		}
	}
	return 0;
}

/* The number of samples each point of a session's series brought, appended to the points'
 * "session_n" arrays of the cell's series (its sessions, as a cell's sizes). */
static int note_point_sessions(json_t *cell_series, json_t *series)
{
	json_t *dst = json_object_get(cell_series, "points");
	json_t *src = json_object_get(series, "points");

	for (size_t i = 0; i < json_array_size(dst) && i < json_array_size(src); i++) {
		json_t *pt = json_array_get(dst, i), *sn = json_object_get(pt, "session_n");
		size_t n = json_array_size(json_object_get(json_array_get(src, i), "samples"));
		if (n == 0) /* a point this session measured nothing of is in no session */
			continue;
		if (!sn && json_object_set_new(pt, "session_n", sn = json_array()) < 0)
			return -ENOMEM;
		if (json_array_append_new(sn, json_integer((json_int_t)n)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int cell_add_session(struct cell *c, const double *x, size_t n, json_t *raw, json_t *extra,
		     json_t *series)
{
	double *all = malloc((c->n + n + 1) * sizeof(*all));
	size_t *sizes = malloc((c->nsessions + 1) * sizeof(*sizes));
	int ret = -ENOMEM;

	if (!all || !sizes)
		goto out;
	/* memcpy from NULL is undefined even for no bytes: the first session has none. */
	if (c->n)
		memcpy(all, c->samples, c->n * sizeof(*all));
	if (n)
		memcpy(all + c->n, x, n * sizeof(*all));
	if (c->nsessions)
		memcpy(sizes, c->sessions, c->nsessions * sizeof(*sizes));
	sizes[c->nsessions] = n;
	/* A session that brought no sample (a series-only result) adds no session. */
	ret = cell_set_sessions(c, all, sizes, c->nsessions + (n ? 1 : 0));
	if (ret < 0)
		goto out;
	ret = -ENOMEM;
	if (raw && (c->raw ? merge_round(c->raw, raw) : (c->raw = json_incref(raw), 0)) < 0)
		goto out;
	if (series) {
		if (!c->series) {
			if (!(c->series = json_deep_copy(series)))
				goto out;
		} else if (merge_round(c->series, series) < 0) {
			goto out;
		}
		if (note_point_sessions(c->series, series) < 0)
			goto out;
	}
	if (extra) {
		json_decref(c->extra);
		c->extra = json_incref(extra);
	}
	ret = 0;
out:
	free(all);
	free(sizes);
	return ret;
}

int results_point_sessions(json_t *point, size_t **sizes, size_t *k)
{
	json_t *sn = json_object_get(point, "session_n"), *v;
	size_t n = json_array_size(json_object_get(point, "samples")), sum = 0, i;

	*sizes = NULL;
	*k = 0;
	if (!sn || json_is_null(sn)) {
		/* Written before sessions were recorded: one session. */
		if (!(*sizes = malloc(sizeof(**sizes))))
			return -ENOMEM;
		**sizes = n;
		*k = n ? 1 : 0;
		return 0;
	}
	if (!json_is_array(sn))
		return -EINVAL;
	if (!(*sizes = malloc((json_array_size(sn) + 1) * sizeof(**sizes))))
		return -ENOMEM;
	json_array_foreach(sn, i, v) {
		json_int_t m = json_is_integer(v) ? json_integer_value(v) : 0;
		if (m <= 0 || (size_t)m > n) {
			free(*sizes);
			*sizes = NULL;
			return -EINVAL;
		}
		(*sizes)[i] = (size_t)m;
		sum += (size_t)m;
	}
	*k = json_array_size(sn);
	if (sum != n) {
		free(*sizes);
		*sizes = NULL;
		*k = 0;
		return -EINVAL;
	}
	return 0;
}

int results_point_summary(json_t *point, struct summary *s)
{
	json_t *samples = json_object_get(point, "samples");
	size_t n = json_array_size(samples), *sizes, k;
	int ret = results_point_sessions(point, &sizes, &k);

	if (ret < 0)
		return ret;
	double *x = malloc((n ? n : 1) * sizeof(*x));
	if (!x) {
		free(sizes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		x[i] = json_number_value(json_array_get(samples, i));
	ret = n ? stats_sessions(x, sizes, k, s) : -EINVAL;
	free(x);
	free(sizes);
	return ret;
}

bool cell_measured(const struct cell *c)
{
	return c && c->has_stats && (c->status == CELL_OK || c->status == CELL_NOISY);
}

double cell_probe_effect(const struct cell *c)
{
	if (!cell_measured(c) || !isfinite(c->probed))
		return NAN;
	double a = c->better == BETTER_LOWER ? c->probed : c->stats.median;
	double b = c->better == BETTER_LOWER ? c->stats.median : c->probed;
	return b > 0 ? a / b : NAN;
}

bool results_glob_match(const char *glob, const char *name, const char *workload)
{
	char both[512];

	snprintf(both, sizeof(both), "%s/%s", name, workload);
	return fnmatch(glob, strchr(glob, '/') ? both : workload, 0) == 0;
}

const struct cell *results_baseline_cell(const struct results *r, const struct cell *c)
{
	const char *base = results_baseline(r);
	char buf[256], *col = buf;
	const struct cell *x;

	/* The baseline's column on c's host: backend@host, as results_set_host names it. */
	if (c->host && snprintf(buf, sizeof(buf), "%s@%s", base, c->host) >= (int)sizeof(buf) &&
	    asprintf(&col, "%s@%s", base, c->host) < 0)
		return NULL;
	x = results_find(r, c->host ? col : base, c->workload);
	if (col != buf)
		free(col);
	/* A column of that name can be another backend's on no host ("native@a"). */
	if (x && (strcmp(x->backend, base) || !x->host != !c->host ||
		  (x->host && strcmp(x->host, c->host))))
		return NULL;
	return x;
}

bool results_host_label_ok(const char *s)
{
	size_t n = strlen(s);

	/* It becomes part of column names, gnuplot titles and JUnit names: plain words. */
	return n > 0 && n <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int results_set_host(struct results *r, struct cell *c, const char *host)
{
	char *h, *col;

	if (!results_host_label_ok(host))
		return -EINVAL;
	h = strdup(host);
	if (!h || asprintf(&col, "%s@%s", c->backend, host) < 0) {
		free(h);
		return -ENOMEM;
	}
	/* The index knows c by its old column. */
	if (results_index_covers(r, c))
		results_index_drop(r);
	free(c->host);
	free(c->column);
	c->host = h;
	c->column = col;
	return 0;
}

void results_sort(struct results *r, int (*cmp)(const void *, const void *, void *), void *arg)
{
	/* qsort of NULL is undefined even for no elements */
	if (!r->n)
		return;
	qsort_r(r->cells, r->n, sizeof(*r->cells), cmp, arg);
	results_index_drop(r);
}

const char *results_baseline(const struct results *r)
{
	const char *b = json_string_value(
		json_object_get(json_object_get(r->provenance, "run"), "baseline"));

	return b ? b : RESULTS_DEFAULT_BASELINE;
}

int cell_session_medians(const struct cell *c, double **med)
{
	*med = malloc((c->nsessions ? c->nsessions : 1) * sizeof(**med));
	if (!*med)
		return -ENOMEM;
	int ret = stats_session_medians(c->samples, c->sessions, c->nsessions, *med);
	if (ret < 0) {
		free(*med);
		*med = NULL;
	}
	return ret;
}

int results_ratio_to_native(const struct results *r, const struct cell *c, struct ratio *out)
{
	const struct cell *nat = results_baseline_cell(r, c);
	double *a = NULL, *b = NULL;
	int ret;

	if (!nat || nat == c || !cell_measured(nat) || !cell_measured(c))
		return -ENOENT;
	/* Unlike problem sizes (files from before the run set them) compare nothing. */
	json_t *sa = json_object_get(c->extra, "problem_bytes");
	json_t *sb = json_object_get(nat->extra, "problem_bytes");
	if ((sa || sb) && !json_equal(sa, sb))
		return -ENOENT;
	ret = cell_session_medians(c, &a);
	if (ret == 0)
		ret = cell_session_medians(nat, &b);
	if (ret == 0)
		ret = stats_ratio(a, c->nsessions, b, nat->nsessions, out);
	free(a);
	free(b);
	return ret;
}

bool results_ratio_noisy(const struct results *r, const struct cell *c)
{
	const struct cell *nat = results_baseline_cell(r, c);

	return c->status == CELL_NOISY || (nat && nat->status == CELL_NOISY);
}
