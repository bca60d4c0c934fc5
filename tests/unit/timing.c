/* Unit tests of workloads/timing.h: iteration scaling, calibration and the clock probe. */
#include <errno.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "workloads/timing.h"

#define SPIN_NS_PER_ITER 1000u	  /* 1 us */
#define MIN_NS		 2000000u /* 2 ms */

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
	if (iters > 300)
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

Test(timing_calibrate, reaches_min_ns)
{
	struct wl_ctx ctx = { .ops = &spin_ops };
	uint64_t iters = 0, est = 0, ns = 0;

	cr_assert_eq(timing_calibrate(&ctx, MIN_NS, &iters, &est), 0);
	cr_assert_geq(iters, 1);
	cr_assert_geq(est, MIN_NS, "estimate %llu ns", (unsigned long long)est);
	/* Loose sanity: not absurdly many iterations of a 1 us operation (10 s). */
	cr_assert_leq(iters, 10000000, "iters %llu", (unsigned long long)iters);
	cr_assert_eq(timing_sample(&ctx, iters, &ns), 0);
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

	cr_assert_eq(timing_calibrate(&ctx, MIN_NS, &iters, &est), -EIO);
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
