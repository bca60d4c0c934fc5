/*
 * Workloads the host measures around a backend (a boot today; snapshots and clones to
 * come): their samples come from the harness, not from the agent, which never sees them.
 * Each is described by a struct workload_ops with WL_HOST and no agent hooks (name, unit,
 * direction, report and plot membership) and run by its host hook.
 */
#ifndef VMBENCH_HOSTWL_H
#define VMBENCH_HOSTWL_H

#include <stdbool.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "harness/results.h"
#include "workloads/workload.h"

#define HOST_WORKLOAD_ABI 1

struct session;

/* What a host workload is given for one round of one backend. */
struct host_ctx {
	const struct backend_ops *backend;
	const struct backend_cfg *cfg;
	unsigned reps; /* samples this round */
	bool warmup;   /* one more first, not kept: the backend has not started in this run */
};

struct host_workload {
	unsigned abi; /* HOST_WORKLOAD_ABI */
	const struct workload_ops *meta;
	/* Takes ctx->reps samples into the cell (cell_add_session); a failure of the backend
	 * is the cell's status. 0, or a negative errno when results can no longer be kept. */
	int (*run)(const struct host_ctx *ctx, struct cell *cell);
	/* Optional: one sample of the round from the start of the backend's own session for
	 * the round, which then starts first (a boot: every session start is one); run takes
	 * the round's other ctx->reps - 1 after the session, and its warm-up start alone before
	 * it (ctx->reps 0). 0 or -errno as run. */
	int (*from_session)(const struct session *s, struct cell *cell);
};

/* The table, from one X-macro list (harness/hostwl_list.h). */
extern const struct host_workload *const host_workload_table[];
extern const size_t host_workload_count;

/* 0 when the entry is usable, -EINVAL with *why otherwise. */
int host_workload_check(const struct host_workload *hw, const char **why) __must_check;

#endif
