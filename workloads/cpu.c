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

#define CALL_DEPTH 16

/* A chain of 16 distinct non-inlined functions, each adding to what the next returns:
 * no recursion for the compiler to turn into a loop, every call and return happens. */
static __attribute__((noipa)) uint64_t cr0(uint64_t x)
{
	__asm__ volatile("" : "+r"(x));
	return x;
}
#define CR(n, prev)                                              \
	static __attribute__((noipa)) uint64_t cr##n(uint64_t x) \
	{                                                        \
		return cr##prev(x + 1) + 1;                      \
	}
CR(1, 0)
CR(2, 1)
CR(3, 2)
CR(4, 3)
CR(5, 4)
CR(6, 5)
CR(7, 6)
CR(8, 7)
CR(9, 8)
CR(10, 9)
CR(11, 10)
CR(12, 11)
CR(13, 12)
CR(14, 13)
CR(15, 14)

/* One operation: one call and one return; an iteration is a 16-deep chain. */
static int cpu_callret_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t acc = ctx->sink;

	for (uint64_t i = 0; i < iters; i++)
		acc = cr15(acc);
	ctx->sink = acc;
	return 0;
}

static int cpu_callret_setup(struct wl_ctx *ctx)
{
	ctx->units_per_iter = CALL_DEPTH;
	return 0;
}

const struct workload_ops workload_cpu_callret = {
	.abi = WORKLOAD_ABI,
	.name = "cpu.callret",
	.summary = "call and return: 16-deep chains of non-inlined calls, per call",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.setup = cpu_callret_setup,
	.op = cpu_callret_op,
};
