/*
 * CPU workloads: fixed integer and floating-point kernels with one dependent chain each,
 * so that an operation costs the same latency-bound work on every backend.
 */
#include "workloads/workload.h"

#define CPU_STEPS 64 /* kernel steps in one operation */

/* One operation: 64 steps of xorshift64* (shifts, xors and a 64-bit multiply). */
static int cpu_int_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t x = ctx->sink | 1;

	for (uint64_t i = 0; i < iters; i++) {
		for (int k = 0; k < CPU_STEPS; k++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			x *= 0x2545f4914f6cdd1dull;
		}
	}
	ctx->sink = x;
	return 0;
}

/* One operation: 64 steps of the logistic map x = r x (1 - x), r = 3.99 (chaotic: it
 * never settles, so no step can be skipped, and it stays in (0, 1), away from
 * denormals). */
static int cpu_fp_op(struct wl_ctx *ctx, uint64_t iters)
{
	volatile double seed = 0.123456789;
	double x = seed + (double)(ctx->sink & 0xff) * 1e-6;

	for (uint64_t i = 0; i < iters; i++)
		for (int k = 0; k < CPU_STEPS; k++)
			x = 3.99 * x * (1.0 - x);
	ctx->sink = (uint64_t)(x * 1e9);
	return 0;
}

const struct workload_ops workload_cpu_int = {
	.abi = WORKLOAD_ABI,
	.name = "cpu.int",
	.summary = "integer kernel: 64 dependent xorshift64* steps per op",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.op = cpu_int_op,
};

const struct workload_ops workload_cpu_fp = {
	.abi = WORKLOAD_ABI,
	.name = "cpu.fp",
	.summary = "floating-point kernel: 64 dependent logistic-map steps per op",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.op = cpu_fp_op,
};
