/* Attribution: what the probes saw over one measured phase, per operation of that phase.
 * Pure functions of the probes' snapshots; no I/O. */
#ifndef VMBENCH_ATTRIBUTE_H
#define VMBENCH_ATTRIBUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"
#include "harness/results.h"
#include "probes/probe.h"

/*
 * The change of value a since b (NULL: a was absent before, and counts from 0) into
 * *delta. A counter the kernel multiplexed is scaled by this phase's enabled and running
 * times (*scaled set). False when the change cannot be known: a multiplexed counter that
 * never ran in the phase (never a zero).
 */
bool attribute_delta(const struct probe_value *a, const struct probe_value *b, double *delta,
		     bool *scaled);

/*
 * The deltas of n probes' values between their snapshots before and after into ph
 * (ph->d holds room for PROBE_MAX_VALUES per probe), then each probe's adjust hook.
 */
void attribute_phase(const struct probe *probes, size_t n, const struct probe_snapshot *before,
		     const struct probe_snapshot *after, struct probe_phase *ph);

/*
 * A phase's deltas over its ops, merged into the cell: traps by kind and counters, each
 * the sum of its phases' counts over the sum of their operations (rounds weigh by what
 * they did; traps.per_op is the sum of the kinds). 0 or -ENOMEM.
 */
int attribute_to_cell(const struct probe_phase *ph, double ops, struct cell *cell) __must_check;

#endif
