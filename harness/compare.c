/* Regression verdicts between two runs, or two backends of one run (harness/compare.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/compare.h"
#include "host/util.h"

const char *compare_verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_REGRESSION:
		return "regression";
	case VERDICT_IMPROVEMENT:
		return "improvement";
	case VERDICT_SAME:
		return "~";
	case VERDICT_NONE:
		break;
	}
	return "no verdict";
}

int compare_check_thresholds(json_t *t, char *why, size_t len)
{
	const char *glob;
	json_t *v;

	if (!json_is_object(t)) {
		snprintf(why, len,
			 "thresholds must be a JSON object of workload globs to percents");
		return -EINVAL;
	}
	json_object_foreach(t, glob, v) {
		double pct = json_number_value(v);
		if (!glob[0] || !json_is_number(v) || !(pct >= 0 && pct < 1000)) {
			snprintf(why, len,
				 "threshold for '%.60s' must be a number of percent in [0, 1000)",
				 glob);
			return -EINVAL;
		}
	}
	return 0;
}

/* The threshold for a cell: the first glob of the file that matches it, else the default.
 * A glob with a '/' is matched against "backend/workload" (one backend's noise is not
 * another's), one without against the workload. */
static double threshold_for(const struct compare_opts *o, const char *backend, const char *workload)
{
	const char *glob;
	json_t *v;

	json_object_foreach(o->thresholds, glob, v)
		if (results_glob_match(glob, backend, workload))
			return json_number_value(v);
	return o->threshold;
}

/* The problem size a cell measured (extra.problem_bytes), or 0 for workloads without one. */
static json_int_t problem_bytes(const struct cell *c)
{
	return json_integer_value(json_object_get(c->extra, "problem_bytes"));
}

static __printf(2, 3) void why_not(struct compare_row *row, const char *fmt, ...)
{
	va_list ap;

	row->verdict = VERDICT_NONE;
	va_start(ap, fmt);
	vsnprintf(row->why, sizeof(row->why), fmt, ap);
	va_end(ap);
}

/* A measured side's status for a message. */
static const char *state(const struct cell *c)
{
	return !c ? "missing" : cell_measured(c) ? "measured" : cell_status_name(c->status);
}

/* Fills row from the cells of both sides (either may be NULL). 0 or -ENOMEM. */
static int judge(struct compare_row *row, const struct cell *b, const struct cell *n,
		 const struct compare_opts *o)
{
	double *mb = NULL, *mn = NULL;
	struct ratio q;
	int ret = 0;

	row->base = cell_measured(b) ? b->stats.median : NAN;
	row->new = cell_measured(n) ? n->stats.median : NAN;
	row->k_base = cell_measured(b) ? b->nsessions : 0;
	row->k_new = cell_measured(n) ? n->nsessions : 0;
	row->change = row->ci_lo = row->ci_hi = row->p = NAN;
	row->threshold = threshold_for(o, row->backend, row->workload);
	if (!cell_measured(b) || !cell_measured(n)) {
		why_not(row, "base %s, new %s", state(b), state(n));
		return 0;
	}
	if (strcmp(b->unit, n->unit) != 0 || b->better != n->better) {
		why_not(row, "units differ (%.24s against %.24s)", b->unit, n->unit);
		return 0;
	}
	if (problem_bytes(b) != problem_bytes(n)) {
		why_not(row, "problem sizes differ (%lld against %lld bytes)",
			(long long)problem_bytes(b), (long long)problem_bytes(n));
		return 0;
	}
	if ((ret = cell_session_medians(b, &mb)) < 0 || (ret = cell_session_medians(n, &mn)) < 0)
		goto out;
	ret = stats_ratio(mn, n->nsessions, mb, b->nsessions, &q);
	if (ret == -EINVAL) {
		why_not(row, "a session median is not above 0: no ratio");
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	row->change = (q.value - 1) * 100;
	if (!q.has_ci) {
		why_not(row, "too few sessions for an interval (%zu and %zu; 2 at least)",
			b->nsessions, n->nsessions);
		goto out;
	}
	if (isnan(q.df)) {
		/* Sessions alike to the last digit on both sides (a coarse clock): no spread
		 * to test a change against, certain or not. */
		why_not(row, "the sessions do not vary: nothing to test the change against");
		goto out;
	}
	row->ci_lo = (q.ci_lo - 1) * 100;
	row->ci_hi = (q.ci_hi - 1) * 100;
	row->p = q.p;
	double t = row->threshold;
	bool lower = row->better == BETTER_LOWER;
	/* The whole interval beyond the threshold, on the side that is worse for the unit. */
	bool worse = lower ? row->ci_lo > t : row->ci_hi < -t;
	bool better = lower ? row->ci_hi < -t : row->ci_lo > t;
	row->verdict = q.p < o->alpha && worse	  ? VERDICT_REGRESSION
		       : q.p < o->alpha && better ? VERDICT_IMPROVEMENT
						  : VERDICT_SAME;
out:
	free(mb);
	free(mn);
	return ret;
}

static struct compare_row *add_row(struct compare *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct compare_row *rows = realloc(c->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		c->rows = rows;
		c->cap = cap;
	}
	memset(&c->rows[c->n], 0, sizeof(c->rows[0]));
	return &c->rows[c->n++];
}

/* Judges the pair into a new row; cells measured on neither side make none. */
static int add_pair(struct compare *c, const char *label, const struct cell *b,
		    const struct cell *n, const struct compare_opts *o)
{
	const struct cell *any = b ? b : n;

	if (!cell_measured(b) && !cell_measured(n))
		return 0;
	struct compare_row *row = add_row(c);
	if (!row)
		return -ENOMEM;
	row->backend = any->backend;
	row->workload = any->workload;
	row->unit = any->unit;
	row->better = any->better;
	snprintf(row->label, sizeof(row->label), "%s", label);
	int ret = judge(row, b, n, o);
	if (ret == 0) {
		c->regressions += row->verdict == VERDICT_REGRESSION;
		c->improvements += row->verdict == VERDICT_IMPROVEMENT;
		c->unjudged += row->verdict == VERDICT_NONE;
	}
	return ret;
}

int compare_runs(const struct results *base, const struct results *new,
		 const struct compare_opts *o, struct compare *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; ret == 0 && i < base->n; i++) {
		const struct cell *b = &base->cells[i];
		ret = add_pair(out, b->column, b, results_find(new, b->column, b->workload), o);
	}
	/* What only the new run has. */
	for (size_t i = 0; ret == 0 && i < new->n; i++) {
		const struct cell *n = &new->cells[i];
		if (!results_find(base, n->column, n->workload))
			ret = add_pair(out, n->column, NULL, n, o);
	}
	if (ret < 0)
		compare_free(out);
	return ret;
}

int compare_backends(const struct results *r, const char *a, const char *b,
		     const struct compare_opts *o, struct compare *out)
{
	size_t nw;
	const char **w = results_workloads(r, &nw);
	char label[96];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!w)
		return -ENOMEM;
	snprintf(label, sizeof(label), "%s -> %s", a, b);
	for (size_t i = 0; ret == 0 && i < nw; i++)
		ret = add_pair(out, label, results_find(r, a, w[i]), results_find(r, b, w[i]), o);
	free(w);
	if (ret < 0)
		compare_free(out);
	return ret;
}

void compare_free(struct compare *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* A provenance value as text for a message: a string, a number, or "none". */
static void value_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%.60s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "none");
}

/* Adds "what: a against b" to buf when the values at path differ (both may be absent). */
static void differ(json_t *pa, json_t *pb, const char *what, const char *const *path, char *buf,
		   size_t len)
{
	json_t *a = pa, *b = pb;
	char ta[64], tb[64];

	for (size_t i = 0; path[i]; i++) {
		a = json_object_get(a, path[i]);
		b = json_object_get(b, path[i]);
	}
	/* Only what both runs say: a backend that ran on one side only has no facts on the
	 * other, and a native-only run used no image. */
	if (!a || !b || json_is_null(a) || json_is_null(b) || json_equal(a, b))
		return;
	value_text(a, ta, sizeof(ta));
	value_text(b, tb, sizeof(tb));
	util_appendf(buf, len, "%s%s: %s against %s", buf[0] ? "; " : "", what, ta, tb);
}

/* What differs between two runs' provenance; of (a merged file's) host, when not NULL. */
static void run_differences(json_t *pa, json_t *pb, const char *host, char *buf, size_t len)
{
	static const char *const cpu[] = { "host", "cpu_model", NULL };
	static const char *const image[] = { "run", "image", "key", NULL };
	static const char *const mem[] = { "run", "mem_mib", NULL };
	static const char *const vcpus[] = { "run", "vcpus", NULL };
	static const struct {
		const char *what;
		const char *const *path;
	} facts[] = { { "host CPU", cpu },
		      { "guest image", image },
		      { "guest memory (MiB)", mem },
		      { "guest vCPUs", vcpus } };
	const char *name;
	json_t *bk;
	char what[160];

	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		snprintf(what, sizeof(what), "%s%s%.64s", facts[i].what, host ? " of " : "",
			 host ? host : "");
		differ(pa, pb, what, facts[i].path, buf, len);
	}
	/* Backends both ran: the same mode and accelerator. */
	json_object_foreach(json_object_get(pa, "backends"), name, bk) {
		json_t *other = json_object_get(json_object_get(pb, "backends"), name);
		static const char *const mode[] = { "mode", NULL };
		static const char *const accel[] = { "backend", "accelerator", NULL };
		if (!other)
			continue;
		snprintf(what, sizeof(what), "%.40s%s%.64s's mode", name, host ? "@" : "",
			 host ? host : "");
		differ(bk, other, what, mode, buf, len);
		snprintf(what, sizeof(what), "%.40s%s%.64s's accelerator", name, host ? "@" : "",
			 host ? host : "");
		differ(bk, other, what, accel, buf, len);
	}
}

void compare_differences(const struct results *base, const struct results *new, char *buf,
			 size_t len)
{
	json_t *ha = json_object_get(base->provenance, "hosts");
	json_t *hb = json_object_get(new->provenance, "hosts"), *pa;
	const char *label;

	buf[0] = '\0';
	if (!json_is_object(ha) && !json_is_object(hb)) {
		run_differences(base->provenance, new->provenance, NULL, buf, len);
		return;
	}
	if (!json_is_object(ha) || !json_is_object(hb)) {
		snprintf(buf, len, "one file is merged from several hosts, the other is one run");
		return;
	}
	/* Merged files: each host both have, against itself. */
	json_object_foreach(ha, label, pa) {
		json_t *pb = json_object_get(hb, label);
		if (pb)
			run_differences(pa, pb, label, buf, len);
	}
}
