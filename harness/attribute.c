/* Attribution of probe snapshots to a cell: deltas, multiplexing scale, per-op division. */
#include <errno.h>
#include <string.h>

#include "harness/attribute.h"

bool attribute_delta(const struct probe_value *a, const struct probe_value *b, double *delta,
		     bool *scaled)
{
	double de = a->enabled - (b ? b->enabled : 0), dr = a->running - (b ? b->running : 0);

	*delta = a->value - (b ? b->value : 0);
	*scaled = false;
	if (de <= 0)
		return true; /* always counted */
	if (dr <= 0)
		return false;
	if (dr < de) { /* multiplexed: scale this phase's count by this phase's times */
		*delta *= de / dr;
		*scaled = true;
	}
	return true;
}

void attribute_phase(const struct probe *probes, size_t n, const struct probe_snapshot *before,
		     const struct probe_snapshot *after, struct probe_phase *ph)
{
	ph->n = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < after[i].n; k++) {
			const struct probe_value *a = &after[i].v[k], *b = NULL;
			struct probe_delta *d = &ph->d[ph->n];
			for (size_t j = 0; j < before[i].n && !b; j++)
				if (strcmp(before[i].v[j].name, a->name) == 0)
					b = &before[i].v[j];
			if (!attribute_delta(a, b, &d->delta, &d->scaled))
				continue; /* unknown: absent, never a zero */
			memcpy(d->name, a->name, sizeof(d->name));
			d->kind = a->kind;
			d->source = probes[i].ops->name;
			d->adjusted = NULL;
			ph->n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (probes[i].ops->adjust)
			probes[i].ops->adjust(&probes[i], ph);
}

int attribute_to_cell(const struct probe_phase *ph, double ops, struct cell *cell)
{
	json_t *counters = json_object(), *kinds = json_object();

	if (!counters || !kinds)
		goto nomem;
	for (size_t i = 0; i < ph->n; i++) {
		const struct probe_delta *d = &ph->d[i];
		if (d->kind == PROBE_TRAP) {
			json_object_set_new(kinds, d->name, json_real(d->delta / ops));
			continue;
		}
		json_t *c =
			json_pack("{s:f, s:f, s:f, s:b, s:s}", "per_op", d->delta / ops, "total",
				  d->delta, "ops", ops, "scaled", d->scaled, "source", d->source);
		if (!c)
			goto nomem;
		if (d->adjusted)
			json_object_set_new(c, d->adjusted, json_true());
		json_object_set_new(counters, d->name, c);
	}
	if (json_object_size(counters)) {
		if (!cell->counters) {
			cell->counters = counters;
			counters = NULL;
		} else if (json_object_update(cell->counters, counters) < 0) {
			goto nomem;
		}
	}
	if (json_object_size(kinds)) {
		json_t *all = json_object_get(cell->traps, "by_kind"), *v;
		const char *key;
		double total = 0;
		if (all && json_object_update(kinds, all) < 0)
			goto nomem;
		json_object_foreach(kinds, key, v)
			total += json_number_value(v);
		json_t *traps = json_pack("{s:f, s:O}", "per_op", total, "by_kind", kinds);
		if (!traps)
			goto nomem;
		json_decref(cell->traps);
		cell->traps = traps;
	}
	json_decref(counters);
	json_decref(kinds);
	return 0;
nomem:
	json_decref(counters);
	json_decref(kinds);
	return -ENOMEM;
}
