/* The problem sizes of a run: one per sized workload (STREAM's arrays, mem.lat's largest
 * working set), the largest that fits the smallest backend planned, the same for all, so
 * that a ratio compares equal work. */
#ifndef VMBENCH_SIZES_H
#define VMBENCH_SIZES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/plan.h"

struct sizes {
	uint64_t mem_bytes; /* the smallest memory among the backends */
	uint64_t llc_bytes; /* the host's last-level cache, 0 unknown */
	const struct workload_ops **wl;
	uint64_t *bytes; /* per sized workload of the plan */
	size_t n;
};

/*
 * The sizes for the backends marked usable (usable[i] for p->backends[i]): a backend with
 * BK_MEM_LIMIT has mem_mib MiB, the others host_mem bytes; each sized workload's size hook
 * answers for the smallest and the host's LLC. 0 or -ENOMEM.
 */
int sizes_plan(struct sizes *sz, const struct plan *p, const bool *usable, unsigned mem_mib,
	       uint64_t host_mem, uint64_t llc) __must_check;
/* The size of wl in this run, 0 when it has none. */
uint64_t sizes_for(const struct sizes *sz, const struct workload_ops *wl);
/* {"memory_bytes", "llc_bytes", "bytes": {workload: size}} for provenance run.sizes. */
json_t *sizes_json(const struct sizes *sz);
void sizes_free(struct sizes *sz);

#endif
