/*
 * The workloads as reports and plots see them: name, summary, unit and where they show
 * (lmbench row, plots). The one way harness code reaches workload metadata, so that
 * workloads the host measures can live outside the agent's table.
 */
#ifndef VMBENCH_CATALOG_H
#define VMBENCH_CATALOG_H

#include <stddef.h>

#include "workloads/workload.h"

/* The workload named name, or NULL. */
const struct workload_ops *catalog_find(const char *name);
/* How many workloads there are; catalog_at(i) for i below that, in report order. */
size_t catalog_count(void);
const struct workload_ops *catalog_at(size_t i);

#endif
