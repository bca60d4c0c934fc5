/*
 * The null backend: the agent's protocol loop in a forked copy of vmbench itself, unpinned,
 * no agent binary. It exercises the harness alone, for tests.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backends/backend.h"
#include "host/process.h"
#include "workloads/agent.h"

static int null_available(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return 0;
}

static void null_child(void *arg)
{
	_exit(agent_serve(STDIN_FILENO, STDOUT_FILENO) < 0 ? 1 : 0);
}

static int null_start(struct guest *g)
{
	return backend_child_start(g, null_child);
}

const struct backend_ops backend_null = {
	.abi = BACKEND_ABI,
	.name = "null",
	.mode = "test",
	.summary = "the agent loop in a forked vmbench, unpinned (tests of the harness)",
	.flags = BK_TEST | BK_HOST_KERNEL,
	.hello_timeout_s = 30,
	.available = null_available,
	.start = null_start,
	.stop = backend_child_stop,
};
