/* The canonical JSON form of the results, schema vmbench/1 (results/SCHEMA.md): writing it
 * atomically, and reading it back with every member checked. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/results.h"
#include "host/util.h"

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

static json_t *ratio_json(const struct results *r, const struct cell *c)
{
	struct ratio q;

	if (results_ratio_to_native(r, c, &q) < 0)
		return json_null();
	return json_pack("{s:o, s:o}", "value", num(q.value), "ci95",
			 q.has_ci ? json_pack("[oo]", num(q.ci_lo), num(q.ci_hi)) : json_null());
}

static json_t *values(const double *x, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, num(x[i]));
	return a;
}

/* [{"samples": [...], "median": m}, ...]: each session's share of the samples, in order. */
static json_t *sessions_json(const struct cell *c)
{
	json_t *out = json_array();
	double *med = NULL;
	size_t off = 0;

	if (c->nsessions && cell_session_medians(c, &med) < 0) {
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; out && i < c->nsessions; i++) {
		json_array_append_new(out, json_pack("{s:o, s:o}", "samples",
						     values(c->samples + off, c->sessions[i]),
						     "median", num(med[i])));
		off += c->sessions[i];
	}
	free(med);
	return out;
}

static json_t *cell_fields(const struct results *r, const struct cell *c)
{
	json_t *samples = values(c->samples, c->n);
	const struct summary *s = &c->stats;

	json_t *ci = c->has_stats && s->has_ci ? json_pack("[oo]", num(s->ci_lo), num(s->ci_hi))
					       : json_null();
	json_t *st = c->has_stats ? json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "n",
					      (json_int_t)s->n, "sessions", (json_int_t)s->sessions,
					      "session_sd", num(s->session_sd), "mean",
					      num(s->mean), "stddev", num(s->stddev), "min",
					      num(s->min), "max", num(s->max), "mad", num(s->mad),
					      "outliers", (json_int_t)s->outliers)
				  : json_null();
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
		"s:o, s:o, s:o, s:o}",
		"backend", c->backend, "mode", c->mode, "workload", c->workload, "status",
		cell_status_name(c->status), "reason", str_or_null(c->reason), "unit", c->unit,
		"better", c->better == BETTER_LOWER ? "lower" : "higher", "samples", samples,
		"sessions", sessions_json(c), "median", c->has_stats ? num(s->median) : json_null(),
		"ci95", ci, "stats", st, "raw", ref_or_null(c->raw), "extra", ref_or_null(c->extra),
		"series", c->series ? series_to_json(c->series) : json_null(), "traps",
		traps_to_json(&c->traps), "counters", counters_to_json(&c->counters),
		"ratio_to_native", ratio_json(r, c), "wall_s",
		c->wall_s > 0 ? num(c->wall_s) : json_null(), "probed_sample",
		isfinite(c->probed) ? num(c->probed) : json_null());
}

/* A merged file's cells say their host; others have no such key. */
static json_t *cell_to_json(const struct results *r, const struct cell *c)
{
	json_t *cj = cell_fields(r, c);

	if (cj && c->host && json_object_set_new(cj, "host", json_string(c->host)) < 0) {
		json_decref(cj);
		return NULL;
	}
	return cj;
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

/*
 * jansson's text in writes of 64 KiB (it hands over a token at a time), each written whole
 * even when a signal cuts it short: run.c writes the file after every cell, and a SIGINT
 * or SIGTERM then must not cost it the file.
 */
struct dump_buf {
	int fd, err;
	size_t n;
	char data[1 << 16];
};

static int dump_flush(struct dump_buf *b)
{
	if (b->err == 0)
		b->err = util_write_all(b->fd, b->data, b->n);
	b->n = 0;
	return b->err;
}

static int dump_chunk(const char *p, size_t size, void *arg)
{
	struct dump_buf *b = arg;

	if (b->n + size > sizeof(b->data) && dump_flush(b) < 0)
		return -1;
	if (size > sizeof(b->data))
		return (b->err = util_write_all(b->fd, p, size)) < 0 ? -1 : 0;
	memcpy(b->data + b->n, p, size);
	b->n += size;
	return 0;
}

/* The document and a newline. */
static int dump(int fd, void *root)
{
	struct dump_buf *b = malloc(sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	b->fd = fd;
	b->err = 0;
	b->n = 0;
	if (json_dump_callback(root, dump_chunk, b, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) < 0)
		ret = b->err < 0 ? b->err : -ENOMEM; /* jansson's own failure: out of memory */
	else
		ret = dump_chunk("\n", 1, b) < 0 ? b->err : dump_flush(b);
	free(b);
	return ret;
}

int results_write(const struct results *r, const char *path)
{
	json_t *root = results_to_json(r);

	if (!root)
		return -ENOMEM;
	/* Written as it is dumped: a merged file's text is as large as its tree again. */
	int ret = util_write_atomic_with(path, dump, root);
	json_decref(root);
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
		size_t *sizes, nsizes;
		if (results_point_sessions(pt, &sizes, &nsizes) < 0)
			return -EINVAL;
		free(sizes);
	}
	return 0;
}

/*
 * The sessions of a cell whose samples are x (n of them): from "sessions", each one's
 * samples in turn, which must be the samples in the same order; one session when a file
 * has none. A new array of *k sizes. 0, -EINVAL with the reason in err, -ENOMEM.
 */
static int read_sessions(json_t *cj, size_t idx, const double *x, size_t n, size_t **sizes,
			 size_t *k, char *err, size_t len)
{
	json_t *ss = json_object_get(cj, "sessions"), *sv;
	size_t off = 0, i;

	*k = 0;
	*sizes = malloc((json_array_size(ss) + 1) * sizeof(**sizes));
	if (!*sizes)
		return -ENOMEM;
	if (!ss || json_is_null(ss)) {
		**sizes = n;
		*k = n ? 1 : 0;
		return 0;
	}
	if (!json_is_array(ss))
		goto bad;
	json_array_foreach(ss, i, sv) {
		json_t *xs = json_object_get(sv, "samples");
		size_t m = json_array_size(xs);
		if (!json_is_array(xs) || m == 0 || off + m > n)
			goto bad;
		for (size_t j = 0; j < m; j++)
			if (!json_is_number(json_array_get(xs, j)) ||
			    json_number_value(json_array_get(xs, j)) != x[off + j])
				goto bad;
		(*sizes)[i] = m;
		off += m;
	}
	if (off == n) {
		*k = json_array_size(ss);
		return 0;
	}
bad:
	free(*sizes);
	*sizes = NULL;
	return invalid(err, len,
		       "results[%zu].sessions: must be an array of {\"samples\": [...]}, none "
		       "empty, that together are the cell's samples in order",
		       idx);
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
	if (cell_status_parse(status, &st) < 0)
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
	size_t *sizes, k;
	int ret = read_sessions(cj, idx, x, n, &sizes, &k, err, len);
	if (ret < 0) {
		free(x);
		return ret;
	}
	ret = cell_set_sessions(c, x, sizes, k);
	free(x);
	free(sizes);
	if (ret < 0)
		return ret == -ENOMEM ? ret : invalid(err, len, "results[%zu]: bad samples", idx);
	json_t *host = json_object_get(cj, "host");
	if (host && (!json_is_string(host) || !results_host_label_ok(json_string_value(host))))
		return invalid(err, len,
			       "results[%zu].host: must be a label of letters, digits, '.', '_' "
			       "and '-' (at most 64)",
			       idx);
	if (host && results_set_host(r, c, json_string_value(host)) < 0)
		return -ENOMEM;
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
		return invalid(err, len,
			       "results[%zu].series: points need a number x and samples (and "
			       "session_n, where present, positive integers that sum to them)",
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

/* With take, each cell's JSON is released once it is read (its place in root's array
 * becomes null): a document's tree and the model it becomes are never both whole. */
static int from_json(json_t *root, bool take, struct results *r, char *err, size_t len)
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
		if (ret == 0 &&
		    results_find(r, r->cells[i].column, r->cells[i].workload) != &r->cells[i])
			ret = invalid(err, len, "results[%zu]: a second cell of %s, %s", i,
				      r->cells[i].column, r->cells[i].workload);
		if (ret < 0) {
			results_free(r);
			return ret;
		}
		if (take)
			json_array_set_new(cells, i, json_null());
	}
	return 0;
}

int results_from_json(json_t *root, struct results *r, char *err, size_t len)
{
	return from_json(root, false, r, err, len);
}

int results_take_json(json_t *root, struct results *r, char *err, size_t len)
{
	int ret = from_json(root, true, r, err, len);

	json_decref(root);
	return ret;
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
	return results_take_json(root, r, err, len);
}
