/*
 * runtime: what the guest's runtime itself counts of the guest, asked of it around each
 * timed phase through the backend's accounting hook (gVisor's Sentry: the CPU time it
 * charges the container's tasks and the memory it holds for them; runc: the container's
 * cgroup). Beside the host's view of the same processes (the perf probe), it shows how
 * much of a sandbox's host CPU time the application kernel charges to the application.
 *
 * Asking costs a runtime process (tens of milliseconds) and work in the runtime: done
 * between READY and GO and after DONE, outside the timed samples, and never in the
 * counting pass, whose host counts it would add to.
 */
#include <errno.h>
#include <stdio.h>

#include "probes/probe.h"

static int ask(const struct guest *g, struct probe_snapshot *out, char *reason, size_t len)
{
	json_t *stats = g->ops->accounting(g, reason, len), *v;
	const char *name;

	if (!stats)
		return -EIO;
	json_object_foreach(stats, name, v) {
		if (json_is_number(v) && out)
			probe_put(out, name, PROBE_COUNTER, json_number_value(v));
	}
	json_decref(stats);
	return 0;
}

static int runtime_available(const struct guest *g, char *reason, size_t len)
{
	if (!g->ops->accounting) {
		snprintf(reason, len, "the backend's runtime keeps no accounts of its own");
		return -ENOTSUP;
	}
	return ask(g, NULL, reason, len);
}

static int runtime_snapshot(struct probe *p, struct probe_snapshot *out)
{
	char reason[256];

	return ask(p->guest, out, reason, sizeof(reason));
}

const struct probe_ops probe_runtime = {
	.abi = PROBE_ABI,
	.name = "runtime",
	.summary = "the runtime's own accounts of the guest (gVisor's Sentry, a container's "
		   "cgroup), asked around each timed phase",
	.available = runtime_available,
	.snapshot = runtime_snapshot,
};
