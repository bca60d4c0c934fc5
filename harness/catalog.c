/* The workload catalog: today the agent's workload table, read through one module so that
 * reports and plots do not depend on where a workload is defined. */
#include "harness/catalog.h"

const struct workload_ops *catalog_find(const char *name)
{
	return workload_find(name);
}

size_t catalog_count(void)
{
	return workload_count;
}

const struct workload_ops *catalog_at(size_t i)
{
	return i < workload_count ? workload_table[i] : NULL;
}
