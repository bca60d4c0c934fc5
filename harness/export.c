/* vmbench export: the measured cells of a results file as Bencher Metric Format or as Google
 * Benchmark's JSON output, the two documents the tracking services read. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/export.h"

/* Bencher takes measure slugs of up to 64 characters. */
#define BMF_SLUG_MAX 64

static const char *const format_names[] = {
	[EXPORT_BMF] = "bmf",
	[EXPORT_GBENCH] = "gbench",
};

const char *export_format_name(size_t i)
{
	return i < ARRAY_SIZE(format_names) ? format_names[i] : NULL;
}

/* What a unit measures, as far as the formats need to know. */
enum unit_kind {
	UNIT_TIME,	 /* a duration per something, or bare: "ns/op", "ns/MiB", "s" */
	UNIT_BYTES_RATE, /* bytes per second in some multiple: "GB/s", "MB/s" */
	UNIT_ITEMS_RATE, /* operations per second: "IOPS", "ops/s" */
	UNIT_OTHER,
};

struct unit_info {
	enum unit_kind kind;
	double scale;	  /* UNIT_TIME: ns in one of its time; rates: per second in one */
	const char *time; /* UNIT_TIME: its time as Google Benchmark names it ("us" for µs) */
	const char *per;  /* what the time is per: "op", "MiB", or "" for a bare duration */
};

struct scale {
	const char *name, *as;
	double scale;
};

static const struct scale times[] = {
	{ "ns", "ns", 1 },   { "us", "us", 1e3 }, { "\u00b5s", "us", 1e3 },
	{ "ms", "ms", 1e6 }, { "s", "s", 1e9 },
};
/* Decimal multiples as fio and STREAM mean them (MB/s is 10^6 bytes per second). */
static const struct scale bytes[] = {
	{ "B", NULL, 1 },	  { "kB", NULL, 1e3 },	       { "KB", NULL, 1e3 },
	{ "MB", NULL, 1e6 },	  { "GB", NULL, 1e9 },	       { "KiB", NULL, 1024 },
	{ "MiB", NULL, 1048576 }, { "GiB", NULL, 1073741824 },
};

static const struct scale *scale_find(const struct scale *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

/* Reads a unit as "<numerator>[/<denominator>]"; one not understood is UNIT_OTHER. */
static void unit_parse(const char *unit, struct unit_info *u)
{
	const char *slash = unit ? strchr(unit, '/') : NULL;
	size_t len = slash ? (size_t)(slash - unit) : unit ? strlen(unit) : 0;
	const struct scale *s;
	char num[32];

	*u = (struct unit_info){ .kind = UNIT_OTHER, .scale = 1, .per = "" };
	if (!unit || len >= sizeof(num))
		return;
	memcpy(num, unit, len);
	num[len] = '\0';
	u->per = slash ? slash + 1 : "";
	if ((s = scale_find(times, ARRAY_SIZE(times), num))) {
		u->kind = UNIT_TIME;
		u->scale = s->scale;
		u->time = s->as;
	} else if (strcmp(u->per, "s") == 0 && (s = scale_find(bytes, ARRAY_SIZE(bytes), num))) {
		u->kind = UNIT_BYTES_RATE;
		u->scale = s->scale;
	} else if (strcmp(unit, "IOPS") == 0 ||
		   (strcmp(u->per, "s") == 0 && (!strcmp(num, "op") || !strcmp(num, "ops")))) {
		u->kind = UNIT_ITEMS_RATE;
	}
}

/* A Bencher measure slug from a unit: lower-case letters and digits, "/" read as "per",
 * anything else one '-' between words ("GB/s": "gb-per-s"). */
static void slug_of(const char *text, char *buf, size_t len)
{
	size_t n = 0;
	bool gap = false;

	if (len > BMF_SLUG_MAX + 1)
		len = BMF_SLUG_MAX + 1;
	for (const unsigned char *p = (const unsigned char *)text; *p && n + 1 < len; p++) {
		const char *word = NULL;
		char one[2] = { 0 };

		if (*p < 128 && isalnum(*p)) {
			one[0] = (char)tolower(*p);
			word = one;
		} else if (*p == '/') {
			word = "per";
			gap = true;
		}
		if (!word) {
			gap = true;
			continue;
		}
		if (gap && n)
			buf[n++] = '-';
		for (; *word && n + 1 < len; word++)
			buf[n++] = *word;
		gap = *p == '/';
	}
	while (n && buf[n - 1] == '-')
		n--;
	buf[n] = '\0';
	if (!n)
		snprintf(buf, len, "value");
}

/* The Bencher measure of c and the factor its values are multiplied by for it: the
 * built-in latency (ns) for a time per operation and throughput (operations per second)
 * for a rate of operations; a time per anything else in ns per that ("ns-per-mib"); any
 * other unit as it is, its measure named after it ("gb-per-s"). */
static double bmf_measure(const struct cell *c, const struct unit_info *u, char *slug, size_t len)
{
	char text[96];

	switch (u->kind) {
	case UNIT_TIME:
		if (!*u->per || strcmp(u->per, "op") == 0) {
			snprintf(slug, len, "latency");
			return u->scale;
		}
		snprintf(text, sizeof(text), "ns/%s", u->per);
		slug_of(text, slug, len);
		return u->scale;
	case UNIT_ITEMS_RATE:
		snprintf(slug, len, "throughput");
		return u->scale;
	default:
		slug_of(c->unit ? c->unit : "", slug, len);
		return 1;
	}
}

/* Sets key of o to the number v, which is finite. 0 or -ENOMEM. */
static int set_real(json_t *o, const char *key, double v)
{
	return json_object_set_new(o, key, json_real(v)) < 0 ? -ENOMEM : 0;
}

/* {"<measure>": {"value", "lower_value", "upper_value"}} of c under name in doc. 0, -ERANGE
 * (why says), -ENOMEM. */
static int bmf_add(json_t *doc, const struct cell *c, const char *name, const char **why)
{
	const struct summary *s = &c->stats;
	char slug[BMF_SLUG_MAX + 1];
	struct unit_info u;
	json_t *m;

	unit_parse(c->unit, &u);
	double k = bmf_measure(c, &u, slug, sizeof(slug));
	double v = s->median * k, lo = s->ci_lo * k, hi = s->ci_hi * k;

	if (!isfinite(v)) {
		*why = "its value is too large for the measure";
		return -ERANGE;
	}
	m = json_pack("{s:f}", "value", v);
	if (m && s->has_ci && isfinite(lo) && isfinite(hi) &&
	    (set_real(m, "lower_value", lo) < 0 || set_real(m, "upper_value", hi) < 0)) {
		json_decref(m);
		m = NULL;
	}
	if (!m || json_object_set_new(doc, name, json_pack("{s:o}", slug, m)) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * The cells written so far, by column (a lookup each, not a search of those before it:
 * merged files have many thousands): {column: {"family": n, "cells": {workload: true}}}.
 * A column's family is the name before the first '/', the backend, numbered in order of
 * appearance; a cell's instance counts the cells of its family written before it.
 */
static void gbench_family(json_t *done, size_t nfam, const struct cell *c, size_t *family,
			  size_t *instance)
{
	json_t *col = json_object_get(done, c->column);

	*family = col ? (size_t)json_integer_value(json_object_get(col, "family")) : nfam;
	*instance = json_object_size(json_object_get(col, "cells"));
}

/* Whether a cell of c's backend and workload was written. */
static bool name_taken(json_t *done, const struct cell *c)
{
	return json_object_get(json_object_get(json_object_get(done, c->column), "cells"),
			       c->workload) != NULL;
}

/* c is written, of family. 0 or -ENOMEM. */
static int mark_done(json_t *done, const struct cell *c, size_t family)
{
	json_t *col = json_object_get(done, c->column);

	if (!col && json_object_set_new_nocheck(done, c->column,
						col = json_pack("{s:I, s:{}}", "family",
								(json_int_t)family, "cells")) < 0)
		return -ENOMEM;
	return json_object_set_new_nocheck(json_object_get(col, "cells"), c->workload,
					   json_true()) < 0
		       ? -ENOMEM
		       : 0;
}

/* Google Benchmark's label: the unit the numbers came in, and why a noisy cell is one. */
static json_t *gbench_label(const struct cell *c)
{
	const char *unit = c->unit ? c->unit : "";

	if (c->status != CELL_NOISY)
		return json_string(unit);
	return json_sprintf("%s; noisy: %s", unit, c->reason ? c->reason : "a wide interval");
}

/*
 * One "iteration" entry for c: a time is real_time in its own unit; a rate is
 * bytes_per_second or items_per_second, as Google Benchmark reports rates, and real_time
 * the time of one unit of it (1 GB, 1 MB, one I/O): its reciprocal, so that lower stays
 * better for the trackers that read real_time alone. cpu_time repeats real_time (nothing
 * else was measured). 0, -EINVAL or -ERANGE (why says), -ENOMEM.
 */
static int gbench_add(json_t *list, const struct cell *c, const char *name, size_t family,
		      size_t instance, const char **why)
{
	const struct summary *s = &c->stats;
	const char *tu = "ns", *rate_key = NULL;
	double rt, lo = NAN, hi = NAN, rate = NAN;
	struct unit_info u;
	json_t *e;

	unit_parse(c->unit, &u);
	switch (u.kind) {
	case UNIT_TIME:
		tu = u.time;
		rt = s->median;
		if (s->has_ci) {
			lo = s->ci_lo;
			hi = s->ci_hi;
		}
		break;
	case UNIT_BYTES_RATE:
	case UNIT_ITEMS_RATE:
		rate_key = u.kind == UNIT_BYTES_RATE ? "bytes_per_second" : "items_per_second";
		if (!(s->median > 0)) {
			*why = "a rate that is not above 0 has no time per unit";
			return -ERANGE;
		}
		rate = s->median * u.scale;
		rt = 1e9 / s->median;
		if (s->has_ci && s->ci_lo > 0) {
			lo = 1e9 / s->ci_hi;
			hi = 1e9 / s->ci_lo;
		}
		break;
	default:
		*why = "Google Benchmark's format has no place for its unit";
		return -EINVAL;
	}
	if (!isfinite(rt) || (rate_key && !isfinite(rate))) {
		*why = "its value is too large for the format";
		return -ERANGE;
	}
	e = json_pack("{s:s, s:I, s:I, s:s, s:s, s:i, s:i, s:i, s:I, s:f, s:f, s:s}", "name", name,
		      "family_index", (json_int_t)family, "per_family_instance_index",
		      (json_int_t)instance, "run_name", name, "run_type", "iteration",
		      "repetitions", 1, "repetition_index", 0, "threads", 1, "iterations",
		      (json_int_t)s->n, "real_time", rt, "cpu_time", rt, "time_unit", tu);
	if (!e)
		return -ENOMEM;
	/* User counters: the rate, and the 95% CI of real_time in its unit. */
	if ((rate_key && set_real(e, rate_key, rate) < 0) ||
	    (isfinite(lo) && isfinite(hi) &&
	     (set_real(e, "real_time_ci95_lo", lo) < 0 ||
	      set_real(e, "real_time_ci95_hi", hi) < 0)) ||
	    json_object_set_new(e, "label", gbench_label(c)) < 0) {
		json_decref(e);
		return -ENOMEM;
	}
	return json_array_append_new(list, e) < 0 ? -ENOMEM : 0;
}

/* What Google Benchmark's context says of the machine and the run, from the provenance
 * (a value the file lacks is left out, not made up), and what vmbench adds to it. */
static json_t *gbench_context(const struct results *r)
{
	json_t *p = r->provenance, *host = json_object_get(p, "host");
	json_t *vm = json_object_get(p, "vmbench");
	const struct {
		const char *key;
		json_t *v;
		json_type type;
	} from[] = {
		{ "date", json_object_get(p, "date"), JSON_STRING },
		{ "host_name", json_object_get(host, "hostname"), JSON_STRING },
		{ "executable", json_array_get(json_object_get(p, "command_line"), 0),
		  JSON_STRING },
		{ "num_cpus", json_object_get(host, "cpus_online"), JSON_INTEGER },
		{ "cpu_model", json_object_get(host, "cpu_model"), JSON_STRING },
		{ "vmbench_version", json_object_get(vm, "version"), JSON_STRING },
		{ "vmbench_git_sha", json_object_get(json_object_get(vm, "git"), "sha"),
		  JSON_STRING },
	};
	json_t *ctx = json_object();

	for (size_t i = 0; ctx && i < ARRAY_SIZE(from); i++)
		if (from[i].v && json_typeof(from[i].v) == from[i].type &&
		    json_object_set(ctx, from[i].key, from[i].v) < 0)
			goto fail;
	if (!ctx || json_object_set_new(ctx, "json_schema_version", json_integer(1)) < 0 ||
	    json_object_set_new(ctx, "vmbench_complete", json_boolean(r->complete)) < 0)
		goto fail;
	return ctx;
fail:
	json_decref(ctx);
	return NULL;
}

int export_build(const struct results *r, enum export_format f, json_t **doc)
{
	json_t *d = NULL, *list = NULL, *done = NULL;
	size_t nfam = 0;
	int ret = -ENOMEM;

	if (f != EXPORT_BMF && f != EXPORT_GBENCH)
		return -EINVAL;
	d = json_object();
	done = json_object();
	if (!d || !done)
		goto out;
	if (f == EXPORT_GBENCH && (json_object_set_new(d, "context", gbench_context(r)) < 0 ||
				   json_object_set_new(d, "benchmarks", list = json_array()) < 0))
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		const struct cell *c = &r->cells[i];
		const char *why = "";
		size_t family, instance;
		char *name;

		if (!cell_measured(c))
			continue;
		if (asprintf(&name, "%s/%s", c->column, c->workload) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		if (name_taken(done, c)) {
			log_warn("export: a second cell %s left out", name);
			free(name);
			continue;
		}
		gbench_family(done, nfam, c, &family, &instance);
		ret = f == EXPORT_BMF ? bmf_add(d, c, name, &why)
				      : gbench_add(list, c, name, family, instance, &why);
		if (ret == -ENOMEM) {
			free(name);
			goto out;
		}
		if (ret < 0)
			log_warn("export: %s (%s) left out: %s", name,
				 c->unit ? c->unit : "no unit", why);
		else if (mark_done(done, c, family) < 0)
			ret = -ENOMEM;
		nfam += ret == 0 && family == nfam;
		free(name);
		if (ret == -ENOMEM)
			goto out;
	}
	*doc = d;
	d = NULL;
	ret = 0;
out:
	json_decref(d);
	json_decref(done);
	return ret;
}
