/* Attribution of probe snapshots to a cell: deltas, multiplexing scale, per-op division. */
#include <math.h>
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
	for (size_t i = 0; i < ph->n; i++) {
		const struct probe_delta *d = &ph->d[i];
		/* An operation count the guest got wrong (a tiny one) makes no count per
		 * operation: that value is unknown, and the others stand. */
		if (!isfinite(d->delta / ops))
			continue;
		struct counter c = { .name = (char *)d->name,
				     .per_op = d->delta / ops,
				     .total = d->delta,
				     .ops = ops,
				     .scaled = d->scaled,
				     .source = (char *)d->source,
				     .adjusted = (char *)d->adjusted };
		int ret = d->kind == PROBE_TRAP ? traps_merge(&cell->traps, d->name, d->delta, ops)
						: counters_merge(&cell->counters, &c);
		if (ret < 0)
			return ret;
	}
	return 0;
}
