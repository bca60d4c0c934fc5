/*
 * struct workload_ops: one microbenchmark, as the harness lists it and the agent runs it.
 * The same table is compiled into vmbench (metadata) and vmbench-agent (the hooks).
 */
#ifndef VMBENCH_WORKLOAD_H
#define VMBENCH_WORKLOAD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/compiler.h"

#define WORKLOAD_ABI  4
#define WL_MAX_POINTS 32

enum better {
	BETTER_LOWER,
	BETTER_HIGHER,
};

/* How a sample's value is made from its elapsed time. */
enum wl_value {
	WL_TIME, /* ns per unit of work: net_ns / (iters * units_per_iter) */
	WL_RATE, /* units of work per ns: iters * units_per_iter / net_ns (bytes/ns = GB/s) */
};

/* What a workload needs of its backend (capability flags, checked before RUN). */
enum workload_needs {
	WL_NEEDS_DISK = 1u << 0, /* a test disk or file, path given in RUN disk=... */
	WL_NEEDS_2CPU = 1u << 1, /* two CPUs in the guest */
	/* Ring 0 of a guest of its own: only the nanoguest (guests/nanoguest/) runs it, on the
	 * backends that boot it (BK_FREESTANDING); the agent has no hooks for it. */
	WL_NEEDS_RING0 = 1u << 2,
	/* Saving a running guest's whole state and starting guests from it (lifecycle.snapshot,
	 * .restore, .clone): backend_ops.save and .restore. */
	WL_NEEDS_SNAPSHOT = 1u << 3,
	/* Moving a running guest live into a second one on this host (lifecycle.migrate):
	 * backend_ops.migrate. */
	WL_NEEDS_MIGRATE = 1u << 4,
	/* Taking memory from a running guest and giving it back (lifecycle.resize):
	 * backend_ops.resize. */
	WL_NEEDS_RESIZE = 1u << 5,
};

/* Workload flags. */
enum workload_flags {
	WL_TEST = 1u << 0, /* for tests of the harness: listed, never in a default run */
	/* The operation is short (< 1 us): the cost of its loop without the operation (empty,
	 * timed in every RUN) is subtracted per iteration. */
	WL_SUBTRACT_LOOP = 1u << 1,
	/* Measured by the host around the backend (harness/hostwl.h), never by the agent:
	 * such a workload is described here but listed in the harness's own table. */
	WL_HOST = 1u << 2,
	/* The nanoguest runs it too (the same instruction in ring 0), so it is measured on the
	 * backends that boot the nanoguest as well as in the agent. */
	WL_NANOGUEST = 1u << 3,
	/* It writes the test disk: only one vmbench made, or one the user lets it overwrite
	 * (vmbench run --disk-writable). */
	WL_WRITES_DISK = 1u << 4,
	/* Run by a host-measured workload in its own guest (mem.dirty, which lifecycle.migrate
	 * runs while it migrates), never a cell of its own: in no default run or pattern, and
	 * refused by name (harness/plan.c). */
	WL_DRIVEN = 1u << 5,
};

/* The plots a workload is drawn in (struct workload_ops.plots; harness/plot.c's table). */
enum workload_plots {
	PLOT_TRAPS = 1u << 0,	 /* traps per operation by kind */
	PLOT_MEMLAT = 1u << 1,	 /* latency against working set size (a workload with points) */
	PLOT_FIO = 1u << 2,	 /* fio IOPS and p99 completion latency */
	PLOT_BOOT = 1u << 3,	 /* boot time */
	PLOT_TRAPCOST = 1u << 4, /* the cost of one trap, per operation and backend */
	/* The lifecycle operations side by side per backend (boot, restore, clone, snapshot,
	 * migration): the report's lifecycle table (harness/report_life.c). */
	PLOT_LIFECYCLE = 1u << 5,
	/* A migration's figures against the rate the guest dirties its memory. */
	PLOT_MIGRATION = 1u << 6,
};

/* What the host asked for (RUN). */
struct wl_req {
	uint64_t reps, warmup, min_sample_ns;
	uint64_t iters; /* 0: calibrate */
	uint64_t bytes; /* the problem size the host set for the run (size), 0: none */
	uint64_t rate;	/* a pace the host asked for (RUN rate=, bytes/s: mem.dirty), 0: none */
	bool counting;	/* the counting sample (agent.h), after the measured phase */
	/* Tests only (vmbench run --test-extra-work): iterations of a dependent integer loop
	 * added to every operation, inside the timed region: a real slowdown of a known size,
	 * to measure whether vmbench compare catches one (ci/power.sh). */
	uint64_t extra_work;
};

/* Per-run state handed to the hooks. */
struct wl_ctx {
	const struct workload_ops *ops;
	void *priv;		  /* the workload's own state, from setup */
	const char *disk;	  /* path of the test disk or file, or NULL */
	const char *self_dir;	  /* directory of the agent binary: exec target, fio job files */
	const struct wl_req *req; /* what the host asked for */
	double units_per_iter;	  /* units of work one iteration does (setup may change; 1) */
	uint64_t untimed_ns;	  /* op adds time spent on bookkeeping not to be measured */
	double loop_ns;		  /* WL_SUBTRACT_LOOP: one iteration of empty, taken out */
	uint64_t elapsed_ns;	  /* the last sample's whole duration, untimed part included */
	uint64_t sink;		  /* results the compiler must not discard */
	json_t *extra;		  /* an object the workload may fill: sent with the samples */
	/* Workloads measured over several points (mem.lat): setup fills these. */
	size_t npoints;
	double x[WL_MAX_POINTS];
	const char *x_unit;
	/* Workloads that measure themselves (fio): total operations of the measured phase. */
	uint64_t ops_done;
	uint64_t est_sample_ns; /* setup's estimate of one sample's duration */
	char reason[256];	/* why setup or the run failed, or why it cannot run here */
	/* For a workload that runs until the host says so (mem.dirty): true once, since GO,
	 * the host said STOP, sent any other line (the agent reports that) or closed its
	 * stream; stays true. Never blocks: ask about every millisecond. Set by the agent. */
	bool (*host_stop)(struct wl_ctx *ctx);
	void *agent; /* the agent's own state, for host_stop (workloads/agent_stop.h) */
	/* Samples whose untimed part was as long as the whole (timing.c): no measurement. The
	 * measured phase fails on any; calibration only needs whole durations. */
	uint64_t unmeasured, unmeasured_untimed_ns, unmeasured_elapsed_ns;
};

struct workload_ops {
	unsigned abi; /* WORKLOAD_ABI */
	const char *name;
	const char *summary;
	const char *unit; /* of the reported samples: "ns/op", "GB/s", ... */
	enum better better;
	enum wl_value value;
	unsigned needs;
	unsigned flags;
	/* Reports and plots: the row label in the lmbench summary table (NULL: not in it);
	 * the plots it is drawn in (enum workload_plots); its place in them where table order
	 * is not the one wanted (lower first, 0 after all others, ties in table order). */
	const char *lmbench;
	unsigned plots;
	unsigned plot_order;
	/*
	 * Agent side. setup (optional) prepares state; it fills ctx->reason and returns
	 * -ENOTSUP when the workload cannot run in this guest (reported as skipped), and
	 * cleans up after itself when it fails. teardown (optional) undoes setup.
	 */
	int (*setup)(struct wl_ctx *ctx);
	void (*teardown)(struct wl_ctx *ctx);
	/* A timed operation: runs it iters times; the agent calibrates and times it. */
	int (*op)(struct wl_ctx *ctx, uint64_t iters);
	/* WL_SUBTRACT_LOOP: op's own loop with the operation replaced by an opaque value
	 * (WL_LOOP_OPS makes both), whose cost per iteration the agent takes out. */
	int (*empty)(struct wl_ctx *ctx, uint64_t iters);
	/* Several points (ctx->npoints): prepares point i before it is calibrated and
	 * measured (untimed); op then runs at that point, for as many samples as asked
	 * (the agent measures the point it last prepared without preparing it again). */
	int (*point)(struct wl_ctx *ctx, size_t i);
	/* Workloads whose problem has a size in bytes (STREAM's arrays, mem.lat's largest
	 * working set): the size for a machine with mem_total bytes of memory and a
	 * last-level cache of llc bytes (0: unknown). The host asks once per run, with the
	 * smallest memory of the backends it runs, and sends the answer in RUN, so that every
	 * backend measures the same size; setup asks with its own machine's when RUN has no
	 * size, and reports the size it used as extra.problem_bytes. */
	uint64_t (*size)(uint64_t mem_total, uint64_t llc);
	/* Or a workload that measures itself (no op): the whole measured phase, reps
	 * samples in the workload's unit; sets ctx->ops_done. */
	int (*measure)(struct wl_ctx *ctx, const struct wl_req *req, double *samples);
	/* Optional, with measure: called before READY of each phase. What it starts there (a
	 * program's start-up, up to its first operation) happens before the host's probes
	 * open their window, so that the window spans the operations measure counts. */
	int (*arm)(struct wl_ctx *ctx, const struct wl_req *req);
	/* Optional: frees what teardown kept for the next RUN of a workload with the same
	 * release (STREAM's arrays, whose first touch costs seconds in a UML guest). The
	 * agent calls it before any other workload's setup, and when it exits. */
	void (*release)(void);
};

/* A value the compiler cannot see through: the empty loop keeps the check and the sum. */
#define WL_OPAQUE(x)                                \
	({                                          \
		long wl_v_ = (long)(x);             \
		__asm__ volatile("" : "+r"(wl_v_)); \
		wl_v_;                              \
	})

/*
 * name_op and name_empty for a WL_SUBTRACT_LOOP workload: the loop runs expr (a long; a
 * value below min fails with errno) iters times and sums it; the empty twin is the same
 * loop with expr replaced by WL_OPAQUE(min). The loop cost subtracted is this loop's, not
 * another shape's.
 */
#define WL_LOOP_OPS(name, min, expr)                                \
	static int name##_op(struct wl_ctx *ctx, uint64_t iters)    \
	{                                                           \
		uint64_t acc = 0;                                   \
		for (uint64_t i = 0; i < iters; i++) {              \
			errno = 0;                                  \
			long r = (long)(expr);                      \
			if (r < (min))                              \
				return errno ? -errno : -EIO;       \
			acc += (uint64_t)r;                         \
		}                                                   \
		ctx->sink += acc;                                   \
		return 0;                                           \
	}                                                           \
	static int name##_empty(struct wl_ctx *ctx, uint64_t iters) \
	{                                                           \
		uint64_t acc = 0;                                   \
		for (uint64_t i = 0; i < iters; i++) {              \
			errno = 0;                                  \
			long r = WL_OPAQUE(min);                    \
			if (r < (min))                              \
				return errno ? -errno : -EIO;       \
			acc += (uint64_t)r;                         \
		}                                                   \
		ctx->sink += acc;                                   \
		return 0;                                           \
	}

/* Calls the release hook of every workload that does not share next's (all of them
 * for NULL). */
void workload_release_others(const struct workload_ops *next);

/* The registry: one X-macro list (workloads/list.h), no constructors. */
extern const struct workload_ops *const workload_table[];
extern const size_t workload_count;

const struct workload_ops *workload_find(const char *name);
/* 0 when ops is usable, -EINVAL with a reason otherwise (wrong ABI, missing hooks). */
int workload_check(const struct workload_ops *ops, const char **why) __must_check;

#endif
