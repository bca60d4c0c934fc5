/* Cells over a series of runs (harness/trend.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/trend.h"

static int run_cmp(const void *pa, const void *pb)
{
	const struct trend_run *a = pa, *b = pb;

	/* ISO 8601 UTC dates sort as strings; unknown ones go last; then as given (qsort is
	 * not stable). */
	int d = !a->date[0] || !b->date[0] ? !a->date[0] - !b->date[0] : strcmp(a->date, b->date);

	return d ? d : (a->given > b->given) - (a->given < b->given);
}

static void run_facts(struct trend_run *run)
{
	json_t *p = run->r.provenance;
	const char *d = json_string_value(json_object_get(p, "date"));
	const char *sha = json_string_value(
		json_object_get(json_object_get(json_object_get(p, "vmbench"), "git"), "sha"));

	snprintf(run->date, sizeof(run->date), "%s", d ? d : "");
	snprintf(run->sha, sizeof(run->sha), "%.8s", sha ? sha : "");
}

static bool chosen(char **globs, const struct cell *c)
{
	if (!globs)
		return true;
	for (size_t i = 0; globs[i]; i++)
		if (results_glob_match(globs[i], c->column, c->workload))
			return true;
	return false;
}

static json_t *cell_bytes(const struct cell *c)
{
	return json_object_get(c->extra, "problem_bytes");
}

/* Whether c is a point of s: the same cell, unit and problem size. */
static bool of_series(const struct trend_series *s, const struct cell *c)
{
	json_t *b = cell_bytes(c);

	return c && !strcmp(s->column, c->column) && !strcmp(s->workload, c->workload) &&
	       !strcmp(s->unit, c->unit) && (s->bytes ? b && json_equal(s->bytes, b) : !b);
}

/* Whether c is a point of a series there is: seen holds the series by column and
 * workload ({column: {workload: [i, ...]}}), a lookup per cell rather than a search of all
 * the series, which merged runs have by the thousand. */
static bool known(const struct trend *t, json_t *seen, const struct cell *c)
{
	json_t *list = json_object_get(json_object_get(seen, c->column), c->workload), *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (of_series(&t->series[json_integer_value(v)], c))
			return true;
	return false;
}

/* Series i, of c's column and workload, into seen. 0 or -ENOMEM. */
static int note_series(json_t *seen, const struct cell *c, size_t i)
{
	json_t *col = json_object_get(seen, c->column), *list;

	if (!col && json_object_set_new_nocheck(seen, c->column, col = json_object()) < 0)
		return -ENOMEM;
	list = json_object_get(col, c->workload);
	if (!list && json_object_set_new_nocheck(col, c->workload, list = json_array()) < 0)
		return -ENOMEM;
	return json_array_append_new(list, json_integer((json_int_t)i)) < 0 ? -ENOMEM : 0;
}

/* The points of s, its change points and the level of each segment. */
static int series_fill(struct trend *t, struct trend_series *s, const struct cp_opts *o)
{
	double *x = malloc(t->nruns * sizeof(*x));
	size_t *idx = malloc(t->nruns * sizeof(*idx)), k = 0;
	struct cp_result cp;
	int ret;

	if (!x || !idx) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->nruns; i++) {
		const struct cell *c = results_find(&t->runs[i].r, s->column, s->workload);
		struct trend_point *p = &s->pt[i];
		*p = (struct trend_point){
			.median = NAN, .lo = NAN, .hi = NAN, .level = NAN, .p = NAN
		};
		/* Another unit or size is another measurement: not a point of this series. */
		if (!cell_measured(c) || !of_series(s, c) || !(c->stats.median > 0))
			continue;
		p->measured = true;
		p->median = c->stats.median;
		if (c->stats.has_ci) {
			p->lo = c->stats.ci_lo;
			p->hi = c->stats.ci_hi;
		}
		x[k] = log(p->median);
		idx[k++] = i;
	}
	s->measured = k;
	/* Logarithms: a change is a ratio, the same for a fast cell as for a slow one. */
	ret = cp_edivisive(x, k, o, &cp);
	if (ret < 0)
		goto out;
	s->cp.n = cp.n;
	for (size_t i = 0; i < cp.n; i++) {
		s->cp.at[i] = idx[cp.at[i]];
		s->cp.p[i] = cp.p[i];
		s->pt[idx[cp.at[i]]].p = cp.p[i];
	}
	for (size_t seg = 0, from = 0; seg <= cp.n; seg++) {
		size_t to = seg < cp.n ? cp.at[seg] : k;
		double sum = 0;
		for (size_t j = from; j < to; j++)
			sum += x[j];
		for (size_t j = from; j < to; j++)
			s->pt[idx[j]].level = exp(sum / (double)(to - from));
		from = to;
	}
out:
	free(x);
	free(idx);
	return ret;
}

int trend_build(struct trend_run *runs, size_t n, char **globs, const struct cp_opts *o,
		struct trend *out)
{
	json_t *seen = json_object();
	size_t cap = 0;
	int ret = seen ? 0 : -ENOMEM;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		runs[i].given = i;
		run_facts(&runs[i]);
	}
	qsort(runs, n, sizeof(*runs), run_cmp);
	out->runs = runs;
	out->nruns = n;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		const struct results *r = &runs[i].r;
		for (size_t j = 0; ret == 0 && j < r->n; j++) {
			const struct cell *c = &r->cells[j];
			if (!cell_measured(c) || !chosen(globs, c) || known(out, seen, c))
				continue;
			if (out->nseries == cap) {
				size_t k = cap ? 2 * cap : 64;
				struct trend_series *ns = realloc(out->series, k * sizeof(*ns));
				if (!ns) {
					ret = -ENOMEM;
					break;
				}
				out->series = ns;
				cap = k;
			}
			struct trend_series *s = &out->series[out->nseries];
			*s = (struct trend_series){ .column = c->column,
						    .workload = c->workload,
						    .unit = c->unit,
						    .bytes = cell_bytes(c),
						    .better = c->better,
						    .pt = calloc(n, sizeof(*s->pt)) };
			int w = snprintf(s->name, sizeof(s->name), "%s/%s", c->column, c->workload);
			if (s->bytes && w > 0 && (size_t)w < sizeof(s->name))
				snprintf(s->name + w, sizeof(s->name) - w, ":%.0fMiB",
					 json_number_value(s->bytes) / (1 << 20));
			if (!s->pt) {
				ret = -ENOMEM;
				break;
			}
			ret = note_series(seen, c, out->nseries);
			if (ret < 0) {
				free(s->pt);
				break;
			}
			out->nseries++;
			ret = series_fill(out, s, o);
		}
	}
	json_decref(seen);
	return ret;
}

double trend_change(const struct trend_series *s, size_t i)
{
	size_t at = s->cp.at[i];
	double before = NAN;

	for (size_t j = at; j-- > 0;)
		if (s->pt[j].measured) {
			before = s->pt[j].level;
			break;
		}
	return s->pt[at].level / before - 1;
}

void trend_free(struct trend *t)
{
	for (size_t i = 0; i < t->nseries; i++)
		free(t->series[i].pt);
	free(t->series);
	for (size_t i = 0; i < t->nruns; i++)
		results_free(&t->runs[i].r);
	free(t->runs);
	memset(t, 0, sizeof(*t));
}
