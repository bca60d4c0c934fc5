/*
 * struct workload_ops: one microbenchmark, as the harness lists it and the agent runs it.
 * The same table is compiled into vmbench (metadata) and vmbench-agent (the hooks).
 */
#ifndef VMBENCH_WORKLOAD_H
#define VMBENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "harness/compiler.h"

#define WORKLOAD_ABI 1

enum better {
	BETTER_LOWER,
	BETTER_HIGHER,
};

/* What a workload needs of its backend (capability flags, checked before RUN). */
enum workload_needs {
	WL_NEEDS_DISK = 1u << 0, /* a test disk or file, path given in RUN disk=... */
	WL_NEEDS_2CPU = 1u << 1, /* two CPUs in the guest */
};

/* Workload flags. */
enum workload_flags {
	WL_TEST = 1u << 0, /* for tests of the harness: listed, never in a default run */
	/* The operation is short (< 1 us): the empty-loop cost per iteration is subtracted. */
	WL_SUBTRACT_LOOP = 1u << 1,
};

/* Per-run state handed to the hooks. */
struct wl_ctx {
	const struct workload_ops *ops;
	void *priv;	     /* the workload's own state, from setup */
	const char *disk;    /* path of the test disk, or NULL */
	uint64_t sink;	     /* results the compiler must not discard */
	char reason[256];    /* why setup or the run failed, or why it cannot run here */
};

struct workload_ops {
	unsigned abi; /* WORKLOAD_ABI */
	const char *name;
	const char *summary;
	const char *unit; /* of the reported samples: "ns/op", "GB/s", ... */
	enum better better;
	unsigned needs;
	unsigned flags;
	/*
	 * Agent side. setup (optional) prepares state and may fill ctx->reason and return
	 * -ENOTSUP when the workload cannot run in this guest (reported as skipped).
	 * op runs the operation iters times; the agent times it. teardown is optional.
	 */
	int (*setup)(struct wl_ctx *ctx);
	int (*op)(struct wl_ctx *ctx, uint64_t iters);
	void (*teardown)(struct wl_ctx *ctx);
};

/* The registry: one X-macro list (workloads/list.h), no constructors. */
extern const struct workload_ops *const workload_table[];
extern const size_t workload_count;

const struct workload_ops *workload_find(const char *name);
/* 0 when ops is usable, -EINVAL with a reason otherwise (wrong ABI, missing hooks). */
int workload_check(const struct workload_ops *ops, const char **why) __must_check;

#endif
