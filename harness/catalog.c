/* The catalog of workloads: the agent's table followed by the host's. */
#include <string.h>

#include "harness/catalog.h"

size_t catalog_count(void)
{
	return workload_count + host_workload_count;
}

const struct workload_ops *catalog_at(size_t i)
{
	if (i < workload_count)
		return workload_table[i];
	i -= workload_count;
	return i < host_workload_count ? host_workload_table[i]->meta : NULL;
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
