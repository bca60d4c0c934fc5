/* Lifecycle workloads, measured by the host around the backend rather than by the agent. */
#include "workloads/workload.h"

/* Each sample: a fresh start of the backend until the agent's HELLO (the agent's own clock
 * checks, a few tens of milliseconds, included). */
const struct workload_ops workload_lifecycle_boot = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.boot",
	.summary =
		"boot: from starting the backend to the agent's HELLO, a fresh start each sample",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_BOOT,
	.flags = WL_HOST,
};
