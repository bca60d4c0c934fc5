/* The catalog of workloads: the agent's table and the host's, in one order. */
#include <stdbool.h>
#include <string.h>

#include "harness/catalog.h"

size_t catalog_count(void)
{
	return workload_count + host_workload_count;
}

/* The i-th of the agent's workloads for runs (not for tests, nor driven by a host
 * workload), or (other) of the others, counting down *i. */
static const struct workload_ops *agent_at(size_t *i, bool other)
{
	for (size_t k = 0; k < workload_count; k++)
		if (!(workload_table[k]->flags & (WL_TEST | WL_DRIVEN)) == !other && (*i)-- == 0)
			return workload_table[k];
	return NULL;
}

/* The agent's workloads for runs, then the host's, then the agent's for tests and those
 * host workloads drive: the order of lists and of default plans. */
const struct workload_ops *catalog_at(size_t i)
{
	const struct workload_ops *w = agent_at(&i, false);

	if (w)
		return w;
	if (i < host_workload_count)
		return host_workload_table[i]->meta;
	i -= host_workload_count;
	return agent_at(&i, true);
}

const struct workload_ops *catalog_find(const char *name)
{
	for (size_t i = 0; i < catalog_count(); i++)
		if (strcmp(catalog_at(i)->name, name) == 0)
			return catalog_at(i);
	return NULL;
}

const struct host_workload *catalog_host(const struct workload_ops *wl)
{
	for (size_t i = 0; i < host_workload_count; i++)
		if (host_workload_table[i]->meta == wl)
			return host_workload_table[i];
	return NULL;
}
