/* Unit tests of workloads/timing.h: values, scaling, samples, calibration, warm-up, probe. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "workloads/timing.h"

#define SPIN_NS_PER_ITER 1000u	  /* 1 us */
#define MIN_NS		 2000000u /* 2 ms */
#define MS		 1000000u

/*
 * Spins on the clock until iters microseconds have passed since the op started: a sample
 * of n iterations lasts at least n us, however fast the machine is. (One deadline for the
 * whole op, so that a preemption inside it does not stretch the sample.)
 */
static int spin_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t start = timing_now_ns();

	while (timing_now_ns() - start < iters * SPIN_NS_PER_ITER)
		ctx->sink++;
	return 0;
}

static int fail_op(struct wl_ctx *ctx, uint64_t iters)
{
	return -EIO;
}

/* Works while calibration doubles (at most 256 iterations, 256 us), fails once it scales. */
static int fail_late_op(struct wl_ctx *ctx, uint64_t iters)
{
	if (iters > 8)
		return -EIO;
	return spin_op(ctx, iters);
}

static const struct workload_ops spin_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.spin",
	.summary = "spins 1 us per iteration",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = spin_op,
};

static const struct workload_ops fail_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.fail",
	.summary = "fails at once",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = fail_op,
};

static const struct workload_ops fail_late_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.fail-late",
	.summary = "fails once the iteration count grows",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = fail_late_op,
};

Test(timing_scale, margin)
{
	/* 100 iterations took 1 us; 10 us wanted: 1000, plus 20% margin. */
	uint64_t n = timing_scale_iters(100, 1000, 10000);
	cr_assert_geq(n, 1200, "scaled to %llu", (unsigned long long)n);
	cr_assert_leq(n, 1202, "scaled to %llu", (unsigned long long)n);

	/* 1000 iterations took 1 ms; 20 ms wanted. */
	n = timing_scale_iters(1000, 1000000, 20000000);
	cr_assert_geq(n, 24000, "scaled to %llu", (unsigned long long)n);
	cr_assert_leq(n, 24002, "scaled to %llu", (unsigned long long)n);

	/* The prediction always has the margin: iters * min_ns / ns * 1.2 at least. */
	for (uint64_t iters = 1; iters < 5000; iters = iters * 3 + 1)
		for (uint64_t ns = 1; ns < 100000000; ns = ns * 7 + 3) {
			uint64_t min_ns = 10000000;
			n = timing_scale_iters(iters, ns, min_ns);
			double want = (double)iters * (double)min_ns * 1.2 / (double)ns;
			cr_assert_geq((double)n, want, "iters=%llu ns=%llu: %llu",
				      (unsigned long long)iters, (unsigned long long)ns,
				      (unsigned long long)n);
		}
}

Test(timing_scale, never_decreases)
{
	/* Already longer than needed: stays. */
	cr_assert_eq(timing_scale_iters(1000, 1000000000, 1000), 1000);
	cr_assert_eq(timing_scale_iters(1000, 2000, 1000), 1000);
	cr_assert_eq(timing_scale_iters(1, 5000, 1000), 1);
	for (uint64_t iters = 1; iters < 100000; iters = iters * 5 + 2)
		for (uint64_t ns = 1; ns < 10000000000ull; ns = ns * 11 + 1)
			cr_assert_geq(timing_scale_iters(iters, ns, 1000000), iters,
				      "iters=%llu ns=%llu", (unsigned long long)iters,
				      (unsigned long long)ns);
}

Test(timing_scale, grows_when_short)
{
	/* A sample shorter than min_ns always asks for more iterations. */
	cr_assert_gt(timing_scale_iters(1, 1000, 1001), 1);
	cr_assert_gt(timing_scale_iters(1000, 999999, 1000000), 1000);
}

Test(timing_scale, zero_ns)
{
	/* The clock did not move: grow, never divide by zero. */
	uint64_t n = timing_scale_iters(5, 0, 1000000);
	cr_assert_gt(n, 5, "scaled to %llu", (unsigned long long)n);
	n = timing_scale_iters(1, 0, 1);
	cr_assert_gt(n, 1, "scaled to %llu", (unsigned long long)n);
}

Test(timing_scale, huge_target_does_not_wrap)
{
	uint64_t n = timing_scale_iters(1, 1, UINT64_MAX);
	cr_assert_gt(n, 1000000, "scaled to %llu", (unsigned long long)n);
}

Test(timing_sample, measures_the_op)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	uint64_t ns = 0;

	cr_assert_eq(timing_sample(&ctx, 100, &ns), 0);
	cr_assert_geq(ns, 100 * SPIN_NS_PER_ITER, "100 spins took %llu ns", (unsigned long long)ns);
}

Test(timing_sample, op_error)
{
	struct wl_ctx ctx = { .ops = &fail_ops };
	uint64_t ns = 12345;

	cr_assert_eq(timing_sample(&ctx, 10, &ns), -EIO);
	cr_assert_eq(ns, 12345, "*ns written on failure");
}

/*
 * Under load one preempted sample can make calibration settle on a count that is too
 * small (it trusts what it measured, as it must): a few attempts tell that from a count
 * that is wrong every time.
 */
#define ATTEMPTS 5

Test(timing_calibrate, reaches_min_ns)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	uint64_t iters = 0, est = 0, ns = 0;

	for (int a = 0; a < ATTEMPTS && ns < MIN_NS; a++) {
		cr_assert_eq(timing_calibrate(&ctx, MIN_NS, &iters, &est), 0);
		cr_assert_geq(iters, 1);
		cr_assert_geq(est, MIN_NS, "estimate %llu ns", (unsigned long long)est);
		/* Loose sanity: not absurdly many iterations of a 1 us operation (10 s). */
		cr_assert_leq(iters, 10000000, "iters %llu", (unsigned long long)iters);
		cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
	}
	cr_assert_geq(ns, MIN_NS, "a sample of %llu iters took %llu ns", (unsigned long long)iters,
		      (unsigned long long)ns);
}

Test(timing_calibrate, op_fails_at_once)
{
	struct wl_ctx ctx = { .ops = &fail_ops };
	uint64_t iters = 7, est = 7;

	cr_assert_eq(timing_calibrate(&ctx, MIN_NS, &iters, &est), -EIO);
	cr_assert_eq(iters, 7);
	cr_assert_eq(est, 7);
}

Test(timing_calibrate, op_fails_while_scaling)
{
	struct wl_ctx ctx = { .ops = &fail_late_ops };
	uint64_t iters = 7, est = 7;

	/* A 10 s minimum: no preemption of an 8 us sample can make calibration stop before
	 * the count grows past 8. */
	cr_assert_eq(timing_calibrate(&ctx, 10000000000ull, &iters, &est), -EIO);
}

Test(timing_probe, sane)
{
	struct timer_info ti = { 0 };

	cr_assert_eq(timing_probe(&ti), 0);
	cr_assert_gt(ti.res_ns, 0, "res_ns %g", ti.res_ns);
	cr_assert_gt(ti.read_ns, 0, "read_ns %g", ti.read_ns);
	cr_assert_gt(ti.loop_ns, 0, "loop_ns %g", ti.loop_ns);
	cr_assert_lt(ti.loop_ns, 100, "loop_ns %g", ti.loop_ns);
}

Test(timing_now, monotonic)
{
	uint64_t a = timing_now_ns(), b = timing_now_ns();

	cr_assert_gt(a, 0);
	cr_assert_geq(b, a);
}

/* timing_value: the arithmetic of a sample's value. */

static const struct workload_ops time_ops = { .value = WL_TIME };
static const struct workload_ops time_loop_ops = { .value = WL_TIME, .flags = WL_SUBTRACT_LOOP };
static const struct workload_ops rate_ops = { .value = WL_RATE };
static const struct workload_ops rate_loop_ops = { .value = WL_RATE, .flags = WL_SUBTRACT_LOOP };

static void expect_value(const struct workload_ops *ops, double units, uint64_t ns, uint64_t iters,
			 double loop_ns, double want)
{
	double v = timing_value(ops, units, ns, iters, loop_ns);

	cr_assert_float_eq(v, want, want * 1e-12,
			   "%s%s units=%g ns=%llu iters=%llu loop_ns=%g: %.15g, not %.15g",
			   ops->value == WL_RATE ? "rate" : "time",
			   ops->flags & WL_SUBTRACT_LOOP ? "-loop" : "", units,
			   (unsigned long long)ns, (unsigned long long)iters, loop_ns, v, want);
}

Test(timing_value, time)
{
	expect_value(&time_ops, 1, 1000, 10, 0, 100);
	/* Without WL_SUBTRACT_LOOP the loop cost stays in. */
	expect_value(&time_ops, 1, 1000, 10, 2, 100);
	expect_value(&time_ops, 1, 5, 1, 3, 5);
	expect_value(&time_ops, 1, 3000000000ull, 1000000, 0.5, 3000);
}

Test(timing_value, time_subtracts_loop)
{
	/* (1000 - 10 * 2) / 10 */
	expect_value(&time_loop_ops, 1, 1000, 10, 2, 98);
	expect_value(&time_loop_ops, 1, 1000, 10, 0, 100);
	expect_value(&time_loop_ops, 1, 1000000, 1000, 0.25, 999.75);
}

Test(timing_value, time_per_unit)
{
	expect_value(&time_ops, 2, 1000, 10, 2, 50);
	/* (1000 - 10 * 2) / (10 * 2): the loop cost is per iteration, not per unit. */
	expect_value(&time_loop_ops, 2, 1000, 10, 2, 49);
	expect_value(&time_ops, 0.5, 1000, 10, 0, 200);
	expect_value(&time_ops, 4096, 4096000, 1000, 0, 1);
}

Test(timing_value, rate)
{
	/* 1000 iterations of 1e6 bytes in 1e8 ns: 1e9 bytes in 0.1 s, 10 bytes/ns = 10 GB/s. */
	expect_value(&rate_ops, 1e6, 100000000, 1000, 0, 10);
	expect_value(&rate_ops, 1e6, 100000000, 1000, 1000, 10);
	expect_value(&rate_ops, 1, 1000, 10, 0, 0.01);
	expect_value(&rate_ops, 64, 1000, 10, 0, 0.64);
}

Test(timing_value, rate_subtracts_loop)
{
	/* 1e9 bytes in 1e8 ns less 1000 iterations of 1000 ns. */
	expect_value(&rate_loop_ops, 1e6, 100000000, 1000, 1000, 1e9 / (1e8 - 1e6));
	expect_value(&rate_loop_ops, 1, 1000, 10, 2, 10.0 / 980);
	expect_value(&rate_loop_ops, 2, 1000, 10, 2, 20.0 / 980);
}

/* timing_sample: untimed work. */

static uint64_t op_start, op_end; /* the span of the last untimed_op, by its own clock */

/* Spins iters microseconds, half of it bookkeeping it reports as untimed. */
static int untimed_op(struct wl_ctx *ctx, uint64_t iters)
{
	op_start = timing_now_ns();
	while ((op_end = timing_now_ns()) - op_start < iters * SPIN_NS_PER_ITER)
		ctx->sink++;
	ctx->untimed_ns += iters * SPIN_NS_PER_ITER / 2;
	return 0;
}

static uint64_t untimed_claim; /* what overclaim_op reports */

/* Spins iters microseconds and reports untimed_claim ns of untimed work. */
static int overclaim_op(struct wl_ctx *ctx, uint64_t iters)
{
	spin_op(ctx, iters);
	ctx->untimed_ns += untimed_claim;
	return 0;
}

static const struct workload_ops untimed_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.untimed",
	.summary = "spins 1 us per iteration, half of it untimed",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = untimed_op,
};

static const struct workload_ops overclaim_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.overclaim",
	.summary = "reports more untimed time than it took",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = overclaim_op,
};

Test(timing_sample, excludes_untimed)
{
	struct wl_ctx ctx = { .ops = &untimed_ops };

	/*
	 * 2 ms of spinning, 1 ms of it untimed. No bound here depends on the load: the
	 * sample is the elapsed time less 1 ms, and the elapsed time lies between the op's
	 * own span and the time around the call. (Were the 1 ms not subtracted, ns + 1 ms
	 * would exceed the call's time unless more than 1 ms passed outside the op, which a
	 * few tries make unlikely to happen every time.)
	 */
	for (int i = 0; i < 5; i++) {
		uint64_t ns = 0, t0 = timing_now_ns();
		cr_assert_eq(timing_sample(&ctx, 2000, &ns), 0);
		uint64_t t1 = timing_now_ns();

		cr_assert_geq(ns + MS, op_end - op_start, "%llu ns for an op of %llu ns",
			      (unsigned long long)ns, (unsigned long long)(op_end - op_start));
		cr_assert_leq(ns + MS, t1 - t0, "%llu ns in a call of %llu ns",
			      (unsigned long long)ns, (unsigned long long)(t1 - t0));
		cr_assert_geq(ns, MS, "%llu ns", (unsigned long long)ns);
	}
}

/* More taken out than the sample lasted is no measurement: counted, and the measured
 * phase fails with the reason, never a clamped zero. */
Test(timing_sample, untimed_beyond_the_sample_is_no_measurement)
{
	struct wl_ctx ctx = { .ops = &overclaim_ops };
	uint64_t ns[3] = { 12345 }, done[3] = { 0 };

	untimed_claim = 1000000000; /* 1 s claimed of a 10 us op */
	cr_assert_eq(timing_sample(&ctx, 10, &ns[0]), 0);
	cr_assert_eq(ctx.unmeasured, 1);
	cr_assert_eq(ctx.unmeasured_untimed_ns, 1000000000);
	cr_assert_eq(timing_run(&ctx, 10, 1, 3, ns, done), -ERANGE);
	cr_assert_eq(ctx.unmeasured, 3, "counted per measured sample");
	cr_assert_not_null(strstr(ctx.reason, "overhead taken out"), "%s", ctx.reason);
	/* A measured phase without such a sample goes through. */
	ctx.ops = &spin_ops;
	ctx.reason[0] = '\0';
	cr_assert_eq(timing_run(&ctx, 10, 1, 3, ns, done), 0);
	cr_assert_eq(ctx.unmeasured, 0);
}

/* An op that takes no time and takes nothing out (a coarse clock) is not "no
 * measurement": nothing was subtracted. */
Test(timing_sample, zero_length_without_untimed_is_a_sample)
{
	struct wl_ctx ctx = { .ops = &overclaim_ops };
	uint64_t ns = 1, done = 0;

	untimed_claim = 0;
	cr_assert_eq(timing_run(&ctx, 0, 0, 1, &ns, &done), 0);
	cr_assert_eq(ctx.unmeasured, 0);
}

Test(timing_sample, untimed_reset_per_sample)
{
	struct wl_ctx ctx = { .ops = &spin_ops, .untimed_ns = UINT64_MAX };
	uint64_t ns = 0;

	/* Left over from before: not this sample's. */
	cr_assert_eq(timing_sample(&ctx, 100, &ns), 0);
	cr_assert_geq(ns, 100 * SPIN_NS_PER_ITER, "%llu ns", (unsigned long long)ns);

	/* Nor the previous sample's. */
	struct wl_ctx over = { .ops = &overclaim_ops };
	untimed_claim = 1000000000;
	cr_assert_eq(timing_sample(&over, 10, &ns), 0);
	cr_assert_eq(over.unmeasured, 1);
	over.ops = &spin_ops;
	cr_assert_eq(timing_sample(&over, 100, &ns), 0);
	cr_assert_geq(ns, 100 * SPIN_NS_PER_ITER, "%llu ns", (unsigned long long)ns);
}

/* timing_prepare: calibration and warm-up. */

static uint64_t calls, min_iters = UINT64_MAX, max_iters, last_iters, fail_call;

/* spin_op, recording the counts asked for; fails on call fail_call (from 1) if set. */
static int counting_op(struct wl_ctx *ctx, uint64_t iters)
{
	calls++;
	if (fail_call && calls == fail_call)
		return -EIO;
	if (iters < min_iters)
		min_iters = iters;
	if (iters > max_iters)
		max_iters = iters;
	last_iters = iters;
	return spin_op(ctx, iters);
}

/* Calibration never asks twice for the same count; warm-up repeats the calibrated one. */
static int fail_on_repeat_op(struct wl_ctx *ctx, uint64_t iters)
{
	if (calls++ && iters == last_iters)
		return -EIO;
	last_iters = iters;
	return spin_op(ctx, iters);
}

#define COLD_NS_PER_ITER 10000u /* 10 us */
#define COLD_ITERS	 2000u	/* more than calibration at 10 us can use */

static uint64_t iters_done;

/*
 * An op that gets faster once warm (caches, page faults, frequency): its first COLD_ITERS
 * iterations take 10 us, the later ones 1 us. Calibration of 2 ms at 10 us per iteration
 * asks for 63 + 8 * 241 < COLD_ITERS at most, so it sees the op cold; warm-up then
 * finds it ten times faster.
 */
static int warming_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t cold = iters_done < COLD_ITERS ? COLD_ITERS - iters_done : 0;
	if (cold > iters)
		cold = iters;
	uint64_t want = cold * COLD_NS_PER_ITER + (iters - cold) * SPIN_NS_PER_ITER;
	uint64_t start = timing_now_ns();

	iters_done += iters;
	while (timing_now_ns() - start < want)
		ctx->sink++;
	return 0;
}

static const struct workload_ops counting_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.counting",
	.summary = "spins 1 us per iteration, counts calls",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = counting_op,
};

static const struct workload_ops fail_on_repeat_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.fail-on-repeat",
	.summary = "fails when the same count is asked for twice",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = fail_on_repeat_op,
};

static const struct workload_ops warming_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.warming",
	.summary = "10 us per iteration cold, 1 us warm",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = warming_op,
};

Test(timing_prepare, fixed_iters)
{
	struct wl_ctx ctx = { .ops = &counting_ops };
	struct wl_req req = { .reps = 5, .warmup = 3, .min_sample_ns = MIN_NS, .iters = 50 };
	uint64_t iters = 0, est = 0;

	/* 50 us samples, far below min_sample_ns: the count is kept all the same. */
	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
	cr_assert_eq(iters, 50);
	cr_assert_geq(est, 50 * SPIN_NS_PER_ITER, "est %llu ns", (unsigned long long)est);
	cr_assert_geq(calls, req.warmup, "%llu calls", (unsigned long long)calls);
	cr_assert_eq(min_iters, 50, "asked for %llu", (unsigned long long)min_iters);
	cr_assert_eq(max_iters, 50, "asked for %llu", (unsigned long long)max_iters);

	req.warmup = 0;
	iters = est = 0;
	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
	cr_assert_eq(iters, 50);
	cr_assert_geq(est, 50 * SPIN_NS_PER_ITER, "est %llu ns", (unsigned long long)est);
}

Test(timing_prepare, calibrates_and_warms_up)
{
	struct wl_ctx ctx = { .ops = &counting_ops };
	struct wl_req req = { .reps = 5, .warmup = 3, .min_sample_ns = MIN_NS };
	uint64_t iters = 0, est = 0, ns = 0;

	for (int a = 0; a < ATTEMPTS && ns < MIN_NS; a++) {
		calls = 0;
		cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
		cr_assert_geq(calls, 1 + req.warmup, "%llu calls", (unsigned long long)calls);
		cr_assert_geq(iters, 1);
		cr_assert_leq(iters, 10000000, "iters %llu", (unsigned long long)iters);
		cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
	}
	cr_assert_geq(ns, MIN_NS, "a sample of %llu iters took %llu ns", (unsigned long long)iters,
		      (unsigned long long)ns);
}

Test(timing_prepare, calibrates_without_warm_up)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	struct wl_req req = { .reps = 5, .min_sample_ns = MIN_NS };
	uint64_t iters = 0, est = 0, ns = 0;

	for (int a = 0; a < ATTEMPTS && ns < MIN_NS; a++) {
		cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
		/* Calibration's own last sample, which lasted min_sample_ns. */
		cr_assert_geq(est, MIN_NS, "est %llu ns", (unsigned long long)est);
		cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
	}
	cr_assert_geq(ns, MIN_NS, "a sample of %llu iters took %llu ns", (unsigned long long)iters,
		      (unsigned long long)ns);
}

Test(timing_prepare, rescales_when_warm_up_is_faster)
{
	struct wl_ctx ctx = { .ops = &warming_ops };
	struct wl_req req = { .reps = 5, .warmup = 10, .min_sample_ns = MIN_NS };
	uint64_t iters = 0, est = 0, ns = 0;

	for (int a = 0; a < ATTEMPTS && ns < MIN_NS; a++) {
		iters_done = 0; /* cold again */
		cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
		cr_assert_geq(iters_done, COLD_ITERS, "the op never got warm");
		cr_assert_leq(iters, 10000000, "iters %llu", (unsigned long long)iters);
		/* The op is warm now: a sample at the chosen count still lasts min_sample_ns. */
		cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
	}
	cr_assert_geq(ns, MIN_NS, "a sample of %llu iters took %llu ns", (unsigned long long)iters,
		      (unsigned long long)ns);
}

Test(timing_prepare, estimate_after_rescale)
{
	struct wl_ctx ctx = { .ops = &warming_ops };
	struct wl_req req = { .reps = 5, .warmup = 10, .min_sample_ns = MIN_NS };
	uint64_t iters = 0, est = 0, ns = 0;

	/* *est_ns (READY's sample_ns) is the duration of a sample at the chosen count: at
	 * least min_sample_ns, like every sample of that count. */
	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), 0);
	cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
	cr_assert_geq(est, MIN_NS, "est %llu ns for %llu iters, whose sample takes %llu ns",
		      (unsigned long long)est, (unsigned long long)iters, (unsigned long long)ns);
}

Test(timing_prepare, op_fails_in_calibration)
{
	struct wl_ctx ctx = { .ops = &fail_ops };
	struct wl_req req = { .reps = 5, .warmup = 3, .min_sample_ns = MIN_NS };
	uint64_t iters = 7, est = 7;

	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), -EIO);
	cr_assert_eq(iters, 7);
	cr_assert_eq(est, 7);
}

Test(timing_prepare, op_fails_in_warm_up)
{
	struct wl_ctx ctx = { .ops = &fail_on_repeat_ops };
	struct wl_req req = { .reps = 5, .warmup = 3, .min_sample_ns = MIN_NS };
	uint64_t iters = 7, est = 7;

	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), -EIO);
	cr_assert_gt(calls, 1, "failed in calibration");
	cr_assert_geq(last_iters * SPIN_NS_PER_ITER, MIN_NS / 10, "failed in calibration");
	cr_assert_eq(iters, 7);
	cr_assert_eq(est, 7);
}

Test(timing_prepare, op_fails_in_warm_up_with_fixed_iters)
{
	struct wl_ctx ctx = { .ops = &counting_ops };
	struct wl_req req = { .reps = 5, .warmup = 3, .min_sample_ns = MIN_NS, .iters = 20 };
	uint64_t iters = 7, est = 7;

	fail_call = 3; /* the first sample and a warm-up one succeed */
	cr_assert_eq(timing_prepare(&ctx, &req, &iters, &est), -EIO);
	cr_assert_eq(calls, 3);
	cr_assert_eq(iters, 7);
	cr_assert_eq(est, 7);
}

Test(timing_sample_min, tops_up_a_short_sample)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	uint64_t ns = 0, done = 0;

	/* 100 iterations of about 1 us cannot last 2 ms: topped up in chunks of 25. */
	cr_assert_eq(timing_sample_min(&ctx, 100, MIN_NS, &ns, &done), 0);
	cr_assert_geq(ns, MIN_NS, "%llu ns", (unsigned long long)ns);
	cr_assert_gt(done, 100);
	cr_assert_eq((done - 100) % 25, 0, "done %llu", (unsigned long long)done);
}

Test(timing_sample_min, leaves_a_long_sample_alone)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	uint64_t ns = 0, done = 0;

	cr_assert_eq(timing_sample_min(&ctx, 3000, MIN_NS, &ns, &done), 0);
	cr_assert_eq(done, 3000);
	cr_assert_geq(ns, MIN_NS);
}

/* lmbench's overhead subtraction under UML: the untimed part can be all of a sample. The
 * sample lengths are whole durations, so calibration and top-up still end; the measured
 * phase then fails with the reason. */
Test(timing_calibrate, ends_when_everything_is_untimed, .timeout = 20)
{
	struct wl_ctx ctx = { .ops = &overclaim_ops };
	uint64_t iters = 0, est = 0, ns[2] = { 1 }, done[2] = { 0 };

	untimed_claim = UINT64_MAX;
	cr_assert_eq(timing_calibrate(&ctx, MIN_NS, &iters, &est), 0);
	cr_assert_geq(est, MIN_NS, "estimate %llu ns", (unsigned long long)est);
	cr_assert_lt(iters, 100000, "%llu iterations of 1 us", (unsigned long long)iters);
	cr_assert_eq(timing_sample_min(&ctx, 100, MIN_NS, &ns[0], &done[0]), 0);
	cr_assert_lt(done[0], 100000, "topped up to %llu iterations", (unsigned long long)done[0]);
	cr_assert_geq(ctx.elapsed_ns, 1000, "the last chunk's whole duration");
	cr_assert_eq(timing_run(&ctx, iters, MIN_NS, 2, ns, done), -ERANGE);
}

/* The loop cost is the empty twin's, per iteration: a twin that spins 1 us per iteration
 * costs at least 1 us per iteration, however many iterations it is asked for. The upper
 * bound only catches a wrong divisor (the requested 3 iterations instead of the doubled
 * count would give over 300 us): preemption on a loaded host stretches a wall-clock spin,
 * so a tight bound here would test the machine, not the code. */
static const struct workload_ops twin_ops = {
	.abi = WORKLOAD_ABI,
	.name = "test.twin",
	.summary = "an op whose empty twin spins 1 us per iteration",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST | WL_SUBTRACT_LOOP,
	.op = spin_op,
	.empty = spin_op,
};

Test(timing_loop_cost, times_the_empty_twin)
{
	struct wl_ctx ctx = { .ops = &twin_ops };
	double ns = 0;

	/* 3 iterations are 3 us: doubled until a timing lasts 1 ms. */
	cr_assert_eq(timing_loop_cost(&ctx, 3, &ns), 0);
	cr_assert_geq(ns, SPIN_NS_PER_ITER, "%.1f ns per iteration", ns);
	cr_assert_lt(ns, 50.0 * SPIN_NS_PER_ITER, "%.1f ns per iteration", ns);
}

/* The real twins: an empty loop costs something, and far less than a system call. */
Test(timing_loop_cost, real_twins_are_cheaper_than_their_op)
{
	const struct workload_ops *w = workload_find("syscall.getppid");
	struct wl_ctx ctx = { .ops = w };
	double loop = 0;
	uint64_t ns = 0;

	cr_assert_not_null(w->empty);
	cr_assert_eq(timing_loop_cost(&ctx, 1000, &loop), 0);
	cr_assert_gt(loop, 0);
	cr_assert_eq(timing_sample(&ctx, 100000, &ns), 0);
	cr_assert_lt(loop, (double)ns / 100000, "loop %.2f ns, getppid %.2f ns", loop,
		     (double)ns / 100000);
}
