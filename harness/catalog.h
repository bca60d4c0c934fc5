/* Every workload the harness knows: the agent's (workloads/list.h) and those the host
 * measures (harness/hostwl_list.h): the agent's for runs, the host's, then those for tests
 * and those a host workload drives (WL_DRIVEN).
 * Reports, plots and the plan look workloads up here, never in one table alone. */
#ifndef VMBENCH_CATALOG_H
#define VMBENCH_CATALOG_H

#include <stddef.h>

#include "harness/hostwl.h"
#include "workloads/workload.h"

size_t catalog_count(void);
/* Entry i (0 ≤ i < catalog_count()). */
const struct workload_ops *catalog_at(size_t i);
/* The workload named name, or NULL. */
const struct workload_ops *catalog_find(const char *name);
/* The host workload that wl describes, or NULL when the agent runs wl. */
const struct host_workload *catalog_host(const struct workload_ops *wl);

#endif
