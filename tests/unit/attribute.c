/* Unit tests of harness/attribute.h: attribute_delta (absent values, multiplexing scale) and
 * attribute_phase over fake probes, with their adjust hooks and qemudev's. */
#include <stdbool.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/attribute.h"
#include "harness/registry.h"

static struct probe_value counter(const char *name, double value, double enabled, double running)
{
	struct probe_value v = {
		.kind = PROBE_COUNTER, .value = value, .enabled = enabled, .running = running
	};

	snprintf(v.name, sizeof(v.name), "%s", name);
	return v;
}

Test(attribute_delta, absent_before_counts_from_zero)
{
	struct probe_value a = counter("x", 5, 0, 0);
	double d = -1;
	bool scaled = true;

	cr_assert(attribute_delta(&a, NULL, &d, &scaled));
	cr_assert_eq(d, 5);
	cr_assert_not(scaled);

	/* Its times count from 0 too: multiplexed since it appeared, scaled by them. */
	a = counter("x", 100, 400, 100);
	cr_assert(attribute_delta(&a, NULL, &d, &scaled));
	cr_assert_float_eq(d, 400, 1e-9);
	cr_assert(scaled);
}

Test(attribute_delta, always_counted_is_the_difference)
{
	struct probe_value b = counter("x", 100, 0, 0), a = counter("x", 150.5, 0, 0);
	double d = -1;
	bool scaled = true;

	cr_assert(attribute_delta(&a, &b, &d, &scaled));
	cr_assert_eq(d, 50.5);
	cr_assert_not(scaled);
	/* A value that did not change is a zero, a known one. */
	cr_assert(attribute_delta(&b, &b, &d, &scaled));
	cr_assert_eq(d, 0);
	cr_assert_not(scaled);
}

Test(attribute_delta, multiplexed_scaled_by_the_phase)
{
	/* Before: ran all along. Over the phase: 2000 ns enabled, 600 running, 600 counted.
	 * The phase's ratio gives 2000; the totals' (3000/1600) would give 1125. */
	struct probe_value b = counter("x", 1000, 1000, 1000), a = counter("x", 1600, 3000, 1600);
	double d = -1;
	bool scaled = false;

	cr_assert(attribute_delta(&a, &b, &d, &scaled));
	cr_assert_float_eq(d, 2000, 1e-9);
	cr_assert(scaled);
}

Test(attribute_delta, ran_the_whole_phase_not_scaled)
{
	/* Multiplexed before (2000 enabled, 1000 running), but not in this phase. */
	struct probe_value b = counter("x", 1000, 2000, 1000), a = counter("x", 1500, 2500, 1500);
	double d = -1;
	bool scaled = true;

	cr_assert(attribute_delta(&a, &b, &d, &scaled));
	cr_assert_eq(d, 500);
	cr_assert_not(scaled);
}

Test(attribute_delta, never_ran_is_unknown)
{
	struct probe_value b = counter("x", 1000, 2000, 1000), a = counter("x", 1000, 3000, 1000);
	double d;
	bool scaled;

	cr_assert_not(attribute_delta(&a, &b, &d, &scaled), "a counter that never ran is known");
	/* Absent before and never running since: unknown as well. */
	a = counter("x", 0, 3000, 0);
	cr_assert_not(attribute_delta(&a, NULL, &d, &scaled));
}

/* Two fake probes: alpha's adjust hook takes alpha's "overhead" off beta's "work" (a value
 * of the probe after it: only there once every probe's deltas are in). */
static unsigned adjust_calls;
static size_t adjust_saw;

static void alpha_adjust(const struct probe *p, struct probe_phase *ph)
{
	struct probe_delta *work = probe_phase_find(ph, "work");
	struct probe_delta *over = probe_phase_find(ph, "overhead");

	cr_assert_str_eq(p->ops->name, "alpha");
	adjust_calls++;
	adjust_saw = ph->n;
	if (!work || !over)
		return;
	work->delta -= over->delta;
	work->adjusted = "overhead_subtracted";
}

static const struct probe_ops alpha_ops = { .abi = PROBE_ABI,
					    .name = "alpha",
					    .adjust = alpha_adjust };
static const struct probe_ops beta_ops = { .abi = PROBE_ABI, .name = "beta" };

static struct probe_delta room[2 * PROBE_MAX_VALUES];

/* A phase with room for two probes, its entries garbage: what is read must be written. */
static struct probe_phase phase(void)
{
	memset(room, 0x5a, sizeof(room));
	return (struct probe_phase){ .d = room, .n = 12345 };
}

Test(attribute_phase, two_probes_and_a_hook)
{
	struct probe probes[] = { { .ops = &alpha_ops }, { .ops = &beta_ops } };
	struct probe_snapshot before[2] = { 0 }, after[2] = { 0 };
	struct probe_phase ph = phase();
	const struct probe_delta *d;

	/* alpha: exits (a trap) and overhead; before in another order than after. */
	probe_put(&before[0], "overhead", PROBE_COUNTER, 10);
	probe_put(&before[0], "exits", PROBE_TRAP, 100);
	probe_put(&after[0], "exits", PROBE_TRAP, 130);
	probe_put(&after[0], "overhead", PROBE_COUNTER, 14);
	/* beta: work (multiplexed: half the phase), fresh (absent before), idle (never ran). */
	before[1].v[before[1].n++] = counter("work", 1000, 1000, 1000);
	before[1].v[before[1].n++] = counter("idle", 7, 1000, 500);
	after[1].v[after[1].n++] = counter("idle", 7, 2000, 500);
	after[1].v[after[1].n++] = counter("work", 1050, 2000, 1500);
	probe_put(&after[1], "fresh", PROBE_COUNTER, 3);

	adjust_calls = 0;
	attribute_phase(probes, 2, before, after, &ph);
	cr_assert_eq(adjust_calls, 1);
	cr_assert_eq(adjust_saw, 4, "the hook ran before every delta was in (%zu)", adjust_saw);
	cr_assert_eq(ph.n, 4);
	cr_assert_null(probe_phase_find(&ph, "idle"), "a counter that never ran has an entry");

	d = probe_phase_find(&ph, "exits");
	cr_assert_not_null(d);
	cr_assert_eq(d->kind, PROBE_TRAP);
	cr_assert_eq(d->delta, 30);
	cr_assert_not(d->scaled);
	cr_assert_str_eq(d->source, "alpha");
	cr_assert_null(d->adjusted);

	d = probe_phase_find(&ph, "overhead");
	cr_assert_not_null(d);
	cr_assert_eq(d->kind, PROBE_COUNTER);
	cr_assert_eq(d->delta, 4);
	cr_assert_str_eq(d->source, "alpha");
	cr_assert_null(d->adjusted);

	/* 50 counted in half the phase: 100, less alpha's 4. */
	d = probe_phase_find(&ph, "work");
	cr_assert_not_null(d);
	cr_assert_float_eq(d->delta, 96, 1e-9);
	cr_assert(d->scaled);
	cr_assert_str_eq(d->source, "beta");
	cr_assert_str_eq(d->adjusted, "overhead_subtracted");

	d = probe_phase_find(&ph, "fresh");
	cr_assert_not_null(d);
	cr_assert_eq(d->delta, 3);
	cr_assert_not(d->scaled);
	cr_assert_str_eq(d->source, "beta");
	cr_assert_null(d->adjusted);
}

Test(attribute_phase, no_values)
{
	struct probe probes[] = { { .ops = &alpha_ops }, { .ops = &beta_ops } };
	struct probe_snapshot before[2] = { 0 }, after[2] = { 0 };
	struct probe_phase ph = phase();

	adjust_calls = 0;
	attribute_phase(probes, 2, before, after, &ph);
	cr_assert_eq(ph.n, 0);
	cr_assert_eq(adjust_calls, 1, "the hook is called on an empty phase too");
}

static const struct probe_ops *qemudev(void)
{
	for (size_t i = 0; i < probe_count; i++)
		if (strcmp(probe_table[i]->name, "qemudev") == 0) {
			cr_assert_not_null(probe_table[i]->adjust);
			return probe_table[i];
		}
	cr_assert_fail("no qemudev probe");
	return NULL;
}

/* A phase of host-syscalls from a perf-like probe and trace-writes from qemudev, through
 * attribute_phase with qemudev first: its hook needs the other probe's delta. */
static struct probe_phase qemudev_phase(double syscalls, double writes, bool with_syscalls,
					bool with_writes)
{
	static const struct probe_ops perf_ops = { .abi = PROBE_ABI, .name = "perf" };
	struct probe probes[] = { { .ops = qemudev() }, { .ops = &perf_ops } };
	struct probe_snapshot before[2] = { 0 }, after[2] = { 0 };
	struct probe_phase ph = phase();

	probe_put(&before[0], "dev:serial", PROBE_TRAP, 1);
	probe_put(&after[0], "dev:serial", PROBE_TRAP, 9);
	if (with_writes) {
		probe_put(&before[0], "trace-writes", PROBE_COUNTER, 500);
		probe_put(&after[0], "trace-writes", PROBE_COUNTER, 500 + writes);
	}
	if (with_syscalls) {
		probe_put(&before[1], "host-syscalls", PROBE_COUNTER, 1000);
		probe_put(&after[1], "host-syscalls", PROBE_COUNTER, 1000 + syscalls);
	}
	attribute_phase(probes, 2, before, after, &ph);
	return ph;
}

Test(attribute_phase, qemudev_subtracts_trace_writes)
{
	struct probe_phase ph = qemudev_phase(100, 30, true, true);
	const struct probe_delta *hs = probe_phase_find(&ph, "host-syscalls"),
				 *tw = probe_phase_find(&ph, "trace-writes");

	cr_assert_eq(ph.n, 3);
	cr_assert_not_null(hs);
	cr_assert_not_null(tw);
	cr_assert_eq(hs->delta, 70);
	cr_assert_str_eq(hs->adjusted, "trace_writes_subtracted");
	cr_assert_str_eq(hs->source, "perf");
	cr_assert_eq(tw->delta, 30, "trace-writes itself changed");
	cr_assert_null(tw->adjusted);
	cr_assert_str_eq(tw->source, "qemudev");
	cr_assert_eq(probe_phase_find(&ph, "dev:serial")->delta, 8);
	cr_assert_null(probe_phase_find(&ph, "dev:serial")->adjusted);
}

Test(attribute_phase, qemudev_floors_at_zero)
{
	struct probe_phase ph = qemudev_phase(20, 30, true, true);
	const struct probe_delta *hs = probe_phase_find(&ph, "host-syscalls");

	cr_assert_not_null(hs);
	cr_assert_eq(hs->delta, 0);
	cr_assert_str_eq(hs->adjusted, "trace_writes_subtracted");
	cr_assert_eq(probe_phase_find(&ph, "trace-writes")->delta, 30);
}

Test(attribute_phase, qemudev_needs_both)
{
	struct probe_phase ph = qemudev_phase(100, 30, true, false);
	const struct probe_delta *hs = probe_phase_find(&ph, "host-syscalls");

	cr_assert_eq(ph.n, 2);
	cr_assert_not_null(hs);
	cr_assert_eq(hs->delta, 100);
	cr_assert_null(hs->adjusted);

	ph = qemudev_phase(100, 30, false, true);
	cr_assert_eq(ph.n, 2);
	cr_assert_null(probe_phase_find(&ph, "host-syscalls"));
	cr_assert_eq(probe_phase_find(&ph, "trace-writes")->delta, 30);
	cr_assert_null(probe_phase_find(&ph, "trace-writes")->adjusted);
}

/* The hook on its own, on a phase made by hand. */
Test(attribute_phase, qemudev_hook_alone)
{
	struct probe_delta d[2] = { { .name = "trace-writes", .delta = 5 },
				    { .name = "host-syscalls", .delta = 12 } };
	struct probe_phase ph = { .d = d, .n = 2 };
	struct probe p = { .ops = qemudev() };

	p.ops->adjust(&p, &ph);
	cr_assert_eq(d[1].delta, 7);
	cr_assert_str_eq(d[1].adjusted, "trace_writes_subtracted");
	cr_assert_eq(d[0].delta, 5);
	cr_assert_null(d[0].adjusted);
}

/* attribute_to_cell: the deltas of several phases (rounds) merged into one cell. */
Test(attribute_to_cell, phases_weigh_by_their_operations)
{
	struct results r;
	struct cell *c;
	struct probe_delta first[] = {
		{ .name = "io", .kind = PROBE_TRAP, .delta = 100, .source = "t" },
		{ .name = "host-syscalls", .kind = PROBE_COUNTER, .delta = 1000, .source = "t" },
	};
	struct probe_delta second[] = {
		{ .name = "io", .kind = PROBE_TRAP, .delta = 500, .source = "t" },
		{ .name = "mmio", .kind = PROBE_TRAP, .delta = 60, .source = "t" },
		{ .name = "host-syscalls",
		  .kind = PROBE_COUNTER,
		  .delta = 6000,
		  .source = "t",
		  .scaled = true },
	};
	struct probe_phase p1 = { first, 2 }, p2 = { second, 3 };

	results_init(&r);
	c = results_add(&r, "b", "m", "w", "ns/op", BETTER_LOWER);
	cr_assert_not_null(c);
	cr_assert_eq(attribute_to_cell(&p1, 10, c), 0);
	cr_assert_float_eq(traps_get(&c->traps, "io"), 10, 1e-12);
	cr_assert_eq(attribute_to_cell(&p2, 30, c), 0);
	/* 600 traps over 40 operations: neither phase's rate alone (10, 16.7). */
	cr_assert_float_eq(traps_get(&c->traps, "io"), 15, 1e-12);
	cr_assert_float_eq(traps_get(&c->traps, "mmio"), 2, 1e-12);
	cr_assert_float_eq(c->traps.per_op, 17, 1e-12);
	const struct counter *hs = counters_get(&c->counters, "host-syscalls");
	cr_assert_not_null(hs);
	cr_assert_float_eq(hs->total, 7000, 1e-9);
	cr_assert_float_eq(hs->ops, 40, 1e-12);
	cr_assert_float_eq(hs->per_op, 175, 1e-12);
	cr_assert_eq(hs->scaled, 1, "scaled in either phase is scaled");
	results_free(&r);
}

Test(attribute_to_cell, rounds_differ_and_both_count)
{
	struct results r;
	struct cell *c;
	struct probe_delta a = { .name = "io", .kind = PROBE_TRAP, .delta = 10, .source = "t" };
	struct probe_delta b = { .name = "io", .kind = PROBE_TRAP, .delta = 30, .source = "t" };
	struct probe_phase pa = { &a, 1 }, pb = { &b, 1 };

	results_init(&r);
	c = results_add(&r, "b", "m", "w", "ns/op", BETTER_LOWER);
	cr_assert_eq(attribute_to_cell(&pa, 10, c), 0);
	cr_assert_eq(attribute_to_cell(&pb, 10, c), 0);
	cr_assert_float_eq(traps_get(&c->traps, "io"), 2, 1e-12, "the mean of 1 and 3");
	results_free(&r);
}

/* A count per operation that is not finite (a bogus operation count) is unknown: left out,
 * the others kept. */
Test(attribute_to_cell, a_count_without_a_finite_rate_is_left_out)
{
	struct results r;
	struct cell *c;
	struct probe_delta d[] = {
		{ .name = "io", .kind = PROBE_TRAP, .delta = 10, .source = "t" },
		{ .name = "x", .kind = PROBE_COUNTER, .delta = 5, .source = "t" },
	};
	struct probe_phase ph = { d, 2 };

	results_init(&r);
	c = results_add(&r, "b", "m", "w", "ns/op", BETTER_LOWER);
	cr_assert_eq(attribute_to_cell(&ph, 0, c), 0);
	cr_assert_eq(c->traps.n, 0);
	cr_assert_eq(c->counters.n, 0);
	results_free(&r);
}
