/* The native backend: the agent as a child process on the host, pinned to one core. */
#include <errno.h>
#include <sched.h>
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

static void native_child(void *arg)
{
	struct guest *g = arg;
	const char *agent = g->cfg->agent_path;

	if (g->cfg->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(g->cfg->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			dprintf(STDERR_FILENO, "vmbench: cannot pin the agent to CPU %d: %s\n",
				g->cfg->cpu, strerror(errno));
			_exit(126);
		}
	}
	execl(agent, agent, (char *)NULL);
	dprintf(STDERR_FILENO, "vmbench: cannot run %s: %s\n", agent, strerror(errno));
}

static int native_start(struct guest *g)
{
	g->disk = g->cfg->disk_path;
	return backend_child_start(g, native_child);
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
