/* Cells over a series of runs (harness/trend.h). */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/trend.h"

static int run_cmp(const void *pa, const void *pb)
{
	const struct trend_run *a = pa, *b = pb;

	/* ISO 8601 UTC dates sort as strings; unknown ones go last. */
	if (!a->date[0] || !b->date[0])
		return !a->date[0] - !b->date[0];
	return strcmp(a->date, b->date);
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
	char both[512];

	if (!globs)
		return true;
	snprintf(both, sizeof(both), "%s/%s", c->column, c->workload);
	for (size_t i = 0; globs[i]; i++)
		if (fnmatch(globs[i], strchr(globs[i], '/') ? both : c->workload, 0) == 0)
			return true;
	return false;
}

static bool known(const struct trend *t, const struct cell *c)
{
	for (size_t i = 0; i < t->nseries; i++)
		if (!strcmp(t->series[i].column, c->column) &&
		    !strcmp(t->series[i].workload, c->workload))
			return true;
	return false;
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
		/* Another unit is another measurement: not a point of this series. */
		if (!cell_measured(c) || strcmp(c->unit, s->unit) || !(c->stats.median > 0))
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
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		run_facts(&runs[i]);
	qsort(runs, n, sizeof(*runs), run_cmp);
	out->runs = runs;
	out->nruns = n;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		const struct results *r = &runs[i].r;
		for (size_t j = 0; ret == 0 && j < r->n; j++) {
			const struct cell *c = &r->cells[j];
			if (!cell_measured(c) || !chosen(globs, c) || known(out, c))
				continue;
			struct trend_series *ns =
				realloc(out->series, (out->nseries + 1) * sizeof(*ns));
			if (!ns) {
				ret = -ENOMEM;
				break;
			}
			out->series = ns;
			struct trend_series *s = &ns[out->nseries];
			*s = (struct trend_series){ .column = c->column,
						    .workload = c->workload,
						    .unit = c->unit,
						    .better = c->better,
						    .pt = calloc(n, sizeof(*s->pt)) };
			if (!s->pt) {
				ret = -ENOMEM;
				break;
			}
			out->nseries++;
			ret = series_fill(out, s, o);
		}
	}
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
