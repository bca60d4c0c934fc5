/* System-call workloads (lmbench lat_syscall). */
#include <unistd.h>

#include "workloads/workload.h"

/* lmbench's "null call": getppid enters and leaves the kernel and does almost nothing
 * there (glibc does not cache it). */
static int syscall_getppid_op(struct wl_ctx *ctx, uint64_t iters)
{
	uint64_t acc = 0;

	for (uint64_t i = 0; i < iters; i++)
		acc += (uint64_t)getppid();
	ctx->sink += acc;
	return 0;
}

const struct workload_ops workload_syscall_getppid = {
	.abi = WORKLOAD_ABI,
	.name = "syscall.getppid",
	.summary = "null system call: getppid() (lmbench lat_syscall null)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.flags = WL_SUBTRACT_LOOP,
	.op = syscall_getppid_op,
};
