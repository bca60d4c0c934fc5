/* The results model and its canonical JSON form, schema vmbench/1 (results/SCHEMA.md). */
#include <errno.h>
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
	[CELL_OK] = "ok",
	[CELL_SKIPPED] = "skipped",
	[CELL_FAILED] = "failed",
	[CELL_UNTRUSTWORTHY] = "untrustworthy",
};

const char *cell_status_name(enum cell_status st)
{
	return status_names[st];
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
	free(c->reason);
	free(c->samples);
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
	results_init(r);
}

struct cell *results_add(struct results *r, const char *backend, const char *mode,
			 const char *workload, const char *unit, enum better better)
{
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
	c->better = better;
	c->status = CELL_OK;
	c->probed = NAN;
	if (!c->backend || !c->mode || !c->workload || !c->unit) {
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

int cell_set_samples(struct cell *c, const double *x, size_t n)
{
	double *copy = malloc((n ? n : 1) * sizeof(*copy));
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, x, n * sizeof(*copy));
	free(c->samples);
	c->samples = copy;
	c->n = n;
	c->version++;
	c->has_stats = false;
	if (n == 0)
		return 0;
	ret = stats_summarize(x, n, &c->stats);
	if (ret < 0)
		return ret;
	c->has_stats = true;
	/* Whether a measured cell is too noisy is decided on all its samples, each time. */
	if (c->status == CELL_OK || c->status == CELL_UNTRUSTWORTHY) {
		double half = (c->stats.ci_hi - c->stats.ci_lo) / 2;
		double rel = c->stats.median != 0 ? half / fabs(c->stats.median) : INFINITY;
		if (c->stats.has_ci && rel > RESULTS_MAX_CI_HALF)
			cell_set_status(c, CELL_UNTRUSTWORTHY,
					"95%% CI half-width is %.1f%% of the median (limit %.0f%%)",
					100 * rel, 100 * RESULTS_MAX_CI_HALF);
		else
			cell_set_status(c, CELL_OK, NULL);
	}
	return 0;
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

int cell_add_round(struct cell *c, const double *x, size_t n, json_t *raw, json_t *extra,
		   json_t *series)
{
	double *all = malloc((c->n + n + 1) * sizeof(*all));
	int ret;

	if (!all)
		return -ENOMEM;
	memcpy(all, c->samples, c->n * sizeof(*all));
	memcpy(all + c->n, x, n * sizeof(*all));
	ret = cell_set_samples(c, all, c->n + n);
	free(all);
	if (ret < 0)
		return ret;
	if (raw && (c->raw ? merge_round(c->raw, raw) : (c->raw = json_incref(raw), 0)) < 0)
		return -ENOMEM;
	if (series &&
	    (c->series ? merge_round(c->series, series) : (c->series = json_incref(series), 0)) < 0)
		return -ENOMEM;
	if (extra) {
		json_decref(c->extra);
		c->extra = json_incref(extra);
	}
	return 0;
}

/* A number, or null for NaN and infinities (JSON has neither). */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ref_or_null(json_t *j)
{
	return j ? json_incref(j) : json_null();
}

int results_point_summary(json_t *point, struct summary *s)
{
	json_t *samples = json_object_get(point, "samples");
	size_t n = json_array_size(samples);
	double *x = malloc((n ? n : 1) * sizeof(*x));
	int ret;

	if (!x)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		x[k] = json_number_value(json_array_get(samples, k));
	ret = n ? stats_summarize(x, n, s) : -EINVAL;
	free(x);
	return ret;
}

/* The series with each point's median and CI derived from its samples. */
static json_t *series_to_json(json_t *series)
{
	json_t *out = json_deep_copy(series), *pt;
	size_t i;

	json_array_foreach(json_object_get(out, "points"), i, pt) {
		struct summary s;
		if (results_point_summary(pt, &s) == 0) {
			json_object_set_new(pt, "median", num(s.median));
			json_object_set_new(pt, "ci95",
					    s.has_ci ? json_pack("[oo]", num(s.ci_lo), num(s.ci_hi))
						     : json_null());
		}
	}
	return out;
}

/* FNV-1a of "backend/workload": each cell's bootstrap has a seed of its own that does
 * not change from run to run. */
static unsigned long cell_seed(const struct cell *c)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = c->backend; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (const char *p = c->workload; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return (unsigned long)h;
}

bool cell_measured(const struct cell *c)
{
	return c && c->has_stats && (c->status == CELL_OK || c->status == CELL_UNTRUSTWORTHY);
}

double cell_probe_effect(const struct cell *c)
{
	if (!cell_measured(c) || !isfinite(c->probed))
		return NAN;
	double a = c->better == BETTER_LOWER ? c->probed : c->stats.median;
	double b = c->better == BETTER_LOWER ? c->stats.median : c->probed;
	return b > 0 ? a / b : NAN;
}

static const char **distinct(const struct results *r, size_t off, size_t *n)
{
	const char **list = calloc(r->n + 1, sizeof(*list));

	*n = 0;
	for (size_t i = 0; list && i < r->n; i++) {
		const char *name = *(char *const *)((const char *)&r->cells[i] + off);
		if (!util_listed(list, *n, name))
			list[(*n)++] = name;
	}
	return list;
}

const char **results_backends(const struct results *r, size_t *n)
{
	return distinct(r, offsetof(struct cell, backend), n);
}

const char **results_workloads(const struct results *r, size_t *n)
{
	return distinct(r, offsetof(struct cell, workload), n);
}

const struct cell *results_find(const struct results *r, const char *backend, const char *workload)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].backend, backend) &&
		    !strcmp(r->cells[i].workload, workload))
			return &r->cells[i];
	return NULL;
}

const char *results_baseline(const struct results *r)
{
	const char *b = json_string_value(
		json_object_get(json_object_get(r->provenance, "run"), "baseline"));

	return b ? b : RESULTS_DEFAULT_BASELINE;
}

int results_ratio_to_native(const struct results *r, const struct cell *c, struct ratio *out)
{
	const struct cell *nat = results_find(r, results_baseline(r), c->workload);

	if (!nat || nat == c || !cell_measured(nat) || !cell_measured(c))
		return -ENOENT;
	/* The memo is derived data, kept even though the cell is const here. */
	struct cell *mc = (struct cell *)c;
	typeof(mc->ratio_memo) *memo = &mc->ratio_memo;
	if (memo->version != c->version || memo->base_version != nat->version) {
		memo->ret =
			stats_ratio(c->samples, c->n, nat->samples, nat->n, cell_seed(c), &memo->q);
		memo->version = c->version;
		memo->base_version = nat->version;
	}
	*out = memo->q;
	return memo->ret;
}

static json_t *ratio_json(const struct results *r, const struct cell *c)
{
	struct ratio q;

	if (results_ratio_to_native(r, c, &q) < 0)
		return json_null();
	return json_pack("{s:o, s:o}", "value", num(q.value), "ci95",
			 q.has_ci ? json_pack("[oo]", num(q.ci_lo), num(q.ci_hi)) : json_null());
}

static json_t *cell_to_json(const struct results *r, const struct cell *c)
{
	json_t *samples = json_array();
	const struct summary *s = &c->stats;

	for (size_t i = 0; samples && i < c->n; i++)
		json_array_append_new(samples, num(c->samples[i]));
	json_t *ci = c->has_stats && s->has_ci ? json_pack("[oo]", num(s->ci_lo), num(s->ci_hi))
					       : json_null();
	json_t *st = c->has_stats
			     ? json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "n",
					 (json_int_t)s->n, "mean", num(s->mean), "stddev",
					 num(s->stddev), "min", num(s->min), "max", num(s->max),
					 "mad", num(s->mad), "outliers", (json_int_t)s->outliers,
					 "ci_coverage", num(s->ci_coverage))
			     : json_null();
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		"s:o, s:o, s:o}",
		"backend", c->backend, "mode", c->mode, "workload", c->workload, "status",
		cell_status_name(c->status), "reason", str_or_null(c->reason), "unit", c->unit,
		"better", c->better == BETTER_LOWER ? "lower" : "higher", "samples", samples,
		"median", c->has_stats ? num(s->median) : json_null(), "ci95", ci, "stats", st,
		"raw", ref_or_null(c->raw), "extra", ref_or_null(c->extra), "series",
		c->series ? series_to_json(c->series) : json_null(), "traps",
		traps_to_json(&c->traps), "counters", counters_to_json(&c->counters),
		"ratio_to_native", ratio_json(r, c), "wall_s",
		c->wall_s > 0 ? num(c->wall_s) : json_null(), "probed_sample",
		isfinite(c->probed) ? num(c->probed) : json_null());
}

json_t *results_to_json(const struct results *r)
{
	json_t *cells = json_array();

	for (size_t i = 0; cells && i < r->n; i++) {
		json_t *cj = cell_to_json(r, &r->cells[i]);
		if (!cj || json_array_append_new(cells, cj) < 0) {
			json_decref(cells);
			return NULL;
		}
	}
	return json_pack("{s:s, s:b, s:o, s:o}", "schema", RESULTS_SCHEMA, "complete", r->complete,
			 "provenance", r->provenance ? json_incref(r->provenance) : json_object(),
			 "results", cells);
}

int results_write(const struct results *r, const char *path)
{
	json_t *root = results_to_json(r);
	if (!root)
		return -ENOMEM;
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	text[len] = '\0';
	char *withnl = realloc(text, len + 2);
	if (!withnl) {
		free(text);
		return -ENOMEM;
	}
	withnl[len] = '\n';
	int ret = util_write_atomic(path, withnl, len + 1);
	free(withnl);
	return ret;
}

static __printf(3, 4) int invalid(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_status(const char *s, enum cell_status *st)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum cell_status)i;
			return 0;
		}
	return -EINVAL;
}

/* An optional member that must be an object or null. */
static int take_object(json_t *cj, const char *key, json_t **out)
{
	json_t *v = json_object_get(cj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -EINVAL;
	*out = json_incref(v);
	return 0;
}

/* Every point of a series has a finite x and an array of finite samples. */
static int check_series(json_t *series)
{
	json_t *points = json_object_get(series, "points"), *pt, *v;
	size_t i, k;

	if (!json_is_array(points))
		return -EINVAL;
	json_array_foreach(points, i, pt) {
		json_t *samples = json_object_get(pt, "samples");
		if (!json_is_number(json_object_get(pt, "x")) || !json_is_array(samples))
			return -EINVAL;
		json_array_foreach(samples, k, v)
			if (!json_is_number(v) || !isfinite(json_number_value(v)))
				return -EINVAL;
	}
	return 0;
}

/* An optional member of obj: null, or a finite number above 0 (at 0 too with zero_ok). Its
 * value in *out, or absent when it is null or missing. 0 or -EINVAL. */
static int optional_number(json_t *obj, const char *key, bool zero_ok, double absent, double *out)
{
	json_t *v = json_object_get(obj, key);
	double x = json_number_value(v);

	if (!v || json_is_null(v)) {
		*out = absent;
		return 0;
	}
	if (!json_is_number(v) || !isfinite(x) || x < 0 || (x == 0 && !zero_ok))
		return -EINVAL;
	*out = x;
	return 0;
}

static int cell_from_json(json_t *cj, size_t idx, struct results *r, char *err, size_t len)
{
	const char *backend, *mode, *workload, *status, *unit, *better;
	json_t *reason = NULL, *samples = NULL;
	json_error_t jerr;
	enum cell_status st;

	if (json_unpack_ex(cj, &jerr, 0, "{s:s, s:s, s:s, s:s, s?o, s:s, s:s, s:o}", "backend",
			   &backend, "mode", &mode, "workload", &workload, "status", &status,
			   "reason", &reason, "unit", &unit, "better", &better, "samples",
			   &samples) < 0)
		return invalid(err, len, "results[%zu]: %s", idx, jerr.text);
	if (parse_status(status, &st) < 0)
		return invalid(err, len, "results[%zu].status: unknown status '%s'", idx, status);
	if (strcmp(better, "lower") != 0 && strcmp(better, "higher") != 0)
		return invalid(err, len, "results[%zu].better: must be \"lower\" or \"higher\"",
			       idx);
	if (reason && !json_is_null(reason) && !json_is_string(reason))
		return invalid(err, len, "results[%zu].reason: must be a string or null", idx);
	if (!json_is_array(samples))
		return invalid(err, len, "results[%zu].samples: must be an array", idx);

	size_t n = json_array_size(samples);
	double *x = malloc((n ? n : 1) * sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(samples, i);
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			free(x);
			return invalid(err, len, "results[%zu].samples[%zu]: not a finite number",
				       idx, i);
		}
		x[i] = json_number_value(v);
	}
	struct cell *c = results_add(r, backend, mode, workload, unit,
				     strcmp(better, "lower") == 0 ? BETTER_LOWER : BETTER_HIGHER);
	if (!c) {
		free(x);
		return -ENOMEM;
	}
	int ret = cell_set_samples(c, x, n);
	free(x);
	if (ret < 0)
		return ret == -ENOMEM ? ret : invalid(err, len, "results[%zu]: bad samples", idx);
	/* The stored status and reason stand; statistics do not decide them again on load. */
	cell_set_status(c, st, json_is_string(reason) ? "%s" : NULL,
			json_is_string(reason) ? json_string_value(reason) : "");
	json_t *traps = NULL, *counters = NULL;
	if (take_object(cj, "raw", &c->raw) < 0 || take_object(cj, "traps", &traps) < 0 ||
	    take_object(cj, "counters", &counters) < 0 || take_object(cj, "extra", &c->extra) < 0 ||
	    take_object(cj, "series", &c->series) < 0) {
		json_decref(traps);
		json_decref(counters);
		return invalid(
			err, len,
			"results[%zu]: raw, extra, series, traps and counters must be objects",
			idx);
	}
	ret = traps_from_json(&c->traps, traps);
	json_decref(traps);
	if (ret == -EINVAL) {
		json_decref(counters);
		return invalid(err, len,
			       "results[%zu].traps: per_op must be a number and by_kind an object "
			       "of numbers",
			       idx);
	}
	if (ret == 0)
		ret = counters_from_json(&c->counters, counters);
	json_decref(counters);
	if (ret == -EINVAL)
		return invalid(err, len,
			       "results[%zu].counters: each must be an object with a number per_op "
			       "(or null), numbers total and ops, a boolean scaled and a string "
			       "source where present",
			       idx);
	if (ret < 0)
		return ret;
	if (c->series && check_series(c->series) < 0)
		return invalid(err, len, "results[%zu].series: points need a number x and samples",
			       idx);
	if (optional_number(cj, "wall_s", false, 0, &c->wall_s) < 0)
		return invalid(err, len, "results[%zu].wall_s: must be a positive number or null",
			       idx);
	if (optional_number(cj, "probed_sample", true, NAN, &c->probed) < 0)
		return invalid(err, len,
			       "results[%zu].probed_sample: must be a non-negative number or null",
			       idx);
	return 0;
}

int results_from_json(json_t *root, struct results *r, char *err, size_t len)
{
	json_t *prov, *cells;
	const char *schema;
	int complete = 0;
	json_error_t jerr;
	int ret;

	results_init(r);
	if (!json_is_object(root))
		return invalid(err, len, "not a vmbench results document: not a JSON object");
	if (json_unpack_ex(root, &jerr, 0, "{s:s}", "schema", &schema) < 0)
		return invalid(err, len, "not a vmbench results document: no \"schema\"");
	if (strcmp(schema, RESULTS_SCHEMA) != 0)
		return invalid(err, len, "schema is \"%s\", this vmbench reads \"%s\"", schema,
			       RESULTS_SCHEMA);
	if (json_unpack_ex(root, &jerr, 0, "{s:o, s:o, s?b}", "provenance", &prov, "results",
			   &cells, "complete", &complete) < 0)
		return invalid(err, len, "%s", jerr.text);
	if (!json_is_object(prov))
		return invalid(err, len, "provenance: must be an object");
	if (!json_is_array(cells))
		return invalid(err, len, "results: must be an array");
	r->provenance = json_incref(prov);
	r->complete = complete;
	for (size_t i = 0; i < json_array_size(cells); i++) {
		ret = cell_from_json(json_array_get(cells, i), i, r, err, len);
		if (ret < 0) {
			results_free(r);
			return ret;
		}
	}
	return 0;
}

int results_load(const char *path, struct results *r, char *err, size_t len)
{
	json_error_t jerr;

	results_init(r);
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 1)
			return invalid(err, len, "%s: %s", path, jerr.text);
		return invalid(err, len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	}
	int ret = results_from_json(root, r, err, len);
	json_decref(root);
	return ret;
}
