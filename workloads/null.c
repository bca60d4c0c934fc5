/* The null workload: an empty loop. It exercises the harness and measures loop cost. */
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
