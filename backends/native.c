/* The native backend: the agent as a child process on the host, pinned to one core. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backends/backend.h"
#include "host/process.h"
#include "workloads/workload.h"

static int native_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	if (!cfg->agent_path || access(cfg->agent_path, X_OK) < 0) {
		snprintf(reason, len, "agent binary %s is not executable: %s",
			 cfg->agent_path ? cfg->agent_path : "(none)", strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int native_start(struct guest *g)
{
	g->disk = g->cfg->disk_path;
	return backend_exec_start(g, g->cfg->agent_path);
}

const struct backend_ops backend_native = {
	.abi = BACKEND_ABI,
	.name = "native",
	.mode = "native",
	.summary = "the host itself, no virtualization: the baseline every ratio refers to",
	.flags = BK_BASELINE | BK_HOST_KERNEL,
	.provides = WL_NEEDS_DISK,
	.hello_timeout_s = 30,
	.available = native_available,
	.start = native_start,
	.stop = backend_child_stop,
};
