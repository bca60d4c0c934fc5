/* The backend and probe registries (workloads: workloads/workload.h), from the X-macro lists. */
#ifndef VMBENCH_REGISTRY_H
#define VMBENCH_REGISTRY_H

#include <stddef.h>

#include "backends/backend.h"
#include "probes/probe.h"

extern const struct backend_ops *const backend_table[];
extern const size_t backend_count;
extern const struct probe_ops *const probe_table[];
extern const size_t probe_count;

const struct backend_ops *backend_find(const char *name);
/* The backend that declares itself the baseline (BK_BASELINE), or NULL. */
const struct backend_ops *backend_baseline(void);
/* 0 when the ops table is usable; -EINVAL with *why otherwise. */
int backend_check(const struct backend_ops *ops, const char **why) __must_check;
int probe_check(const struct probe_ops *ops, const char **why) __must_check;

#endif
