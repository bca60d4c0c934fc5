/* Typed traps and counters of a cell, and their JSON in the results file. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/counts.h"

static struct trap_kind *kind_find(const struct traps *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->kind[i].name, name) == 0)
			return &t->kind[i];
	return NULL;
}

/* A new kind, totals unknown; NULL on ENOMEM. */
static struct trap_kind *kind_new(struct traps *t, const char *name, double per_op)
{
	struct trap_kind *k = realloc(t->kind, (t->n + 1) * sizeof(*k));

	if (!k)
		return NULL;
	t->kind = k;
	k = &t->kind[t->n];
	k->name = strdup(name);
	if (!k->name)
		return NULL;
	k->per_op = per_op;
	k->total = k->ops = NAN;
	t->n++;
	return k;
}

static void traps_sum(struct traps *t)
{
	t->present = true;
	t->per_op = 0;
	for (size_t i = 0; i < t->n; i++)
		t->per_op += t->kind[i].per_op;
}

int traps_add(struct traps *t, const char *name, double per_op)
{
	if (!kind_find(t, name) && !kind_new(t, name, per_op))
		return -ENOMEM;
	traps_sum(t);
	return 0;
}

int traps_merge(struct traps *t, const char *name, double total, double ops)
{
	struct trap_kind *k = kind_find(t, name);

	if (!k) {
		k = kind_new(t, name, 0);
		if (!k)
			return -ENOMEM;
		k->total = k->ops = 0;
	}
	if (isnan(k->total) || isnan(k->ops)) /* read from a file: this phase alone */
		k->total = k->ops = 0;
	k->total += total;
	k->ops += ops;
	k->per_op = k->total / k->ops;
	traps_sum(t);
	return 0;
}

double traps_get(const struct traps *t, const char *name)
{
	const struct trap_kind *k = kind_find(t, name);

	return k ? k->per_op : NAN;
}

void traps_free(struct traps *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->kind[i].name);
	free(t->kind);
	memset(t, 0, sizeof(*t));
}

static void counter_clear(struct counter *c)
{
	free(c->name);
	free(c->source);
	free(c->adjusted);
	memset(c, 0, sizeof(*c));
}

/* A deep copy; false on ENOMEM (dst cleared). */
static bool counter_copy(struct counter *dst, const struct counter *src)
{
	*dst = *src;
	dst->name = strdup(src->name);
	dst->source = src->source ? strdup(src->source) : NULL;
	dst->adjusted = src->adjusted ? strdup(src->adjusted) : NULL;
	if (dst->name && (dst->source || !src->source) && (dst->adjusted || !src->adjusted))
		return true;
	counter_clear(dst);
	return false;
}

int counters_set(struct counters *cs, const struct counter *src)
{
	struct counter copy;

	if (!counter_copy(&copy, src))
		return -ENOMEM;
	for (size_t i = 0; i < cs->n; i++) {
		if (strcmp(cs->v[i].name, src->name) == 0) {
			counter_clear(&cs->v[i]);
			cs->v[i] = copy;
			return 0;
		}
	}
	struct counter *v = realloc(cs->v, (cs->n + 1) * sizeof(*v));
	if (!v) {
		counter_clear(&copy);
		return -ENOMEM;
	}
	cs->v = v;
	cs->v[cs->n++] = copy;
	cs->present = true;
	return 0;
}

int counters_merge(struct counters *cs, const struct counter *src)
{
	const struct counter *old = counters_get(cs, src->name);

	if (!old || !isfinite(old->total) || !isfinite(old->ops) || !isfinite(src->total) ||
	    !isfinite(src->ops))
		return counters_set(cs, src);
	struct counter sum = *src;
	sum.total = old->total + src->total;
	sum.ops = old->ops + src->ops;
	sum.per_op = sum.total / sum.ops;
	sum.scaled = old->scaled == 1 || src->scaled == 1;
	return counters_set(cs, &sum);
}

const struct counter *counters_get(const struct counters *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].name, name) == 0)
			return &cs->v[i];
	return NULL;
}

void counters_free(struct counters *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		counter_clear(&cs->v[i]);
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *traps_to_json(const struct traps *t)
{
	json_t *by = json_object();

	if (!t->present) {
		json_decref(by);
		return json_null();
	}
	for (size_t i = 0; by && i < t->n; i++)
		if (json_object_set_new(by, t->kind[i].name, num_or_null(t->kind[i].per_op)) < 0) {
			json_decref(by);
			return NULL;
		}
	return by ? json_pack("{s:o, s:o}", "per_op", num_or_null(t->per_op), "by_kind", by) : NULL;
}

/* One counter's object: the members it has, in the order the harness writes them. */
static json_t *counter_json(const struct counter *c)
{
	json_t *o = json_pack("{s:o}", "per_op", num_or_null(c->per_op));

	if (o && !isnan(c->total))
		json_object_set_new(o, "total", json_real(c->total));
	if (o && !isnan(c->ops))
		json_object_set_new(o, "ops", json_real(c->ops));
	if (o && c->scaled >= 0)
		json_object_set_new(o, "scaled", json_boolean(c->scaled));
	if (o && c->source)
		json_object_set_new(o, "source", json_string(c->source));
	if (o && c->adjusted)
		json_object_set_new(o, c->adjusted, json_true());
	return o;
}

json_t *counters_to_json(const struct counters *cs)
{
	json_t *o;

	if (!cs->present)
		return json_null();
	o = json_object();
	for (size_t i = 0; o && i < cs->n; i++) {
		json_t *c = counter_json(&cs->v[i]);
		if (!c || json_object_set_new(o, cs->v[i].name, c) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int traps_from_json(struct traps *t, json_t *j)
{
	json_t *per = json_object_get(j, "per_op"), *by = json_object_get(j, "by_kind"), *v;
	const char *k;

	memset(t, 0, sizeof(*t));
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j) || (per && !json_is_null(per) && !json_is_number(per)) ||
	    (by && !json_is_null(by) && !json_is_object(by)))
		return -EINVAL;
	json_object_foreach(by, k, v) {
		if (!json_is_number(v))
			goto bad;
		if (traps_add(t, k, json_number_value(v)) < 0) {
			traps_free(t);
			return -ENOMEM;
		}
	}
	t->present = true;
	/* The file's own total stands, as it was written. */
	t->per_op = json_is_number(per) ? json_number_value(per) : NAN;
	return 0;
bad:
	traps_free(t);
	return -EINVAL;
}

/* A number member, NAN when absent; false when present and not a number. */
static bool number_member(json_t *o, const char *key, bool null_ok, double *out)
{
	json_t *v = json_object_get(o, key);

	*out = NAN;
	if (!v || (null_ok && json_is_null(v)))
		return true;
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

/* The one member of a counter that is none of the known ones and true: the flag of a
 * probe's correction. */
static const char *adjusted_key(json_t *o)
{
	static const char *const known[] = { "per_op", "total", "ops", "scaled", "source" };
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; i < sizeof(known) / sizeof(known[0]) && strcmp(k, known[i]); i++)
			;
		if (i == sizeof(known) / sizeof(known[0]) && json_is_true(v))
			return k;
	}
	return NULL;
}

int counters_from_json(struct counters *cs, json_t *j)
{
	const char *k;
	json_t *v;

	memset(cs, 0, sizeof(*cs));
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return -EINVAL;
	cs->present = true;
	json_object_foreach(j, k, v) {
		json_t *sc = json_object_get(v, "scaled"), *src = json_object_get(v, "source");
		struct counter c = { .name = (char *)k, .scaled = -1 };
		if (!json_is_object(v) || !number_member(v, "per_op", true, &c.per_op) ||
		    !number_member(v, "total", false, &c.total) ||
		    !number_member(v, "ops", false, &c.ops) || (sc && !json_is_boolean(sc)) ||
		    (src && !json_is_string(src))) {
			counters_free(cs);
			return -EINVAL;
		}
		c.scaled = sc ? json_is_true(sc) : -1;
		c.source = (char *)json_string_value(src);
		c.adjusted = (char *)adjusted_key(v);
		if (counters_set(cs, &c) < 0) {
			counters_free(cs);
			return -ENOMEM;
		}
	}
	return 0;
}
