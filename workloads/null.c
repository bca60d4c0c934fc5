/*
 * The test workloads: null, an empty loop that exercises the harness and measures loop
 * cost; crash, which kills the agent mid-measurement, for tests of how the harness and
 * each backend recover and clean up.
 */
#include <signal.h>

#include "workloads/workload.h"

static int null_op(struct wl_ctx *ctx, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
	return 0;
}

const struct workload_ops workload_null = {
	.abi = WORKLOAD_ABI,
	.name = "null",
	.summary = "empty loop iteration (harness tests; the loop cost other workloads subtract)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = null_op,
};

static int crash_op(struct wl_ctx *ctx, uint64_t iters)
{
	/* A real fault (an invalid instruction), not a signal sent: it ends even a
	 * container's init. */
	signal(SIGILL, SIG_DFL);
	__builtin_trap();
}

const struct workload_ops workload_crash = {
	.abi = WORKLOAD_ABI,
	.name = "crash",
	.summary = "the agent dies of an invalid instruction (tests of recovery and clean-up)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_TEST,
	.op = crash_op,
};
