/*
 * mem.dirty: the guest lifecycle.migrate moves. It dirties its working set at the rate the
 * host asks for, so that a live migration has pages to send again, and watches its own
 * clock for the stop a migration imposes on it, until the host says STOP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/meminfo.h"
#include "workloads/timing.h"
#include "workloads/workload.h"

/* The page a migration tracks and sends (x86's): the rate is counted in these. */
#define DIRTY_PAGE 4096ull
/* How often the host's stream is looked at: a STOP is seen within about this much. */
#define DIRTY_CHECK_NS 1000000ull
/* A host that never says STOP (gone, or out of step) does not keep the guest busy for
 * ever: the run ends by itself after this long. */
#define DIRTY_MAX_NS (900ull * 1000000000ull)

struct dirty_state {
	volatile uint64_t *base; /* volatile: the stores are the work, nobody reads them */
	size_t bytes, pages;
};

static int dirty_setup(struct wl_ctx *ctx)
{
	const struct wl_req *req = ctx->req;
	uint64_t avail = meminfo_available();
	struct dirty_state *st;

	/* One sample: it lasts as long as the host's migration, and a second one would be of
	 * a guest no longer migrating. */
	if (req->reps != 1) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "measures one sample that lasts until the host says STOP: reps must be "
			 "1, not %llu",
			 (unsigned long long)req->reps);
		return -EINVAL;
	}
	if (req->bytes < DIRTY_PAGE) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "needs the size of its working set (RUN bytes=, at least %llu)",
			 DIRTY_PAGE);
		return -EINVAL;
	}
	if (avail && req->bytes > avail / 8 * 7) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "a working set of %llu MiB does not fit in the %llu MiB available",
			 (unsigned long long)(req->bytes >> 20), (unsigned long long)(avail >> 20));
		return -ENOMEM;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->pages = req->bytes / DIRTY_PAGE;
	st->bytes = st->pages * DIRTY_PAGE;
	void *p = mmap(NULL, st->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(ctx->reason, sizeof(ctx->reason), "cannot map a working set of %llu MiB",
			 (unsigned long long)(st->bytes >> 20));
		free(st);
		return -ENOMEM;
	}
	st->base = p;
	/* Every page backed and none zero before GO: a migration sends a zero or untouched
	 * page for next to nothing, and the working set is to cost what its size says. */
	for (size_t i = 0; i < st->pages; i++)
		st->base[i * (DIRTY_PAGE / sizeof(uint64_t))] = i + 1;
	ctx->priv = st;
	/* It lasts until STOP: no length to announce; the host keeps its own deadlines. */
	ctx->est_sample_ns = 0;
	return 0;
}

static void dirty_teardown(struct wl_ctx *ctx)
{
	struct dirty_state *st = ctx->priv;

	if (!st)
		return;
	munmap((void *)st->base, st->bytes);
	free(st);
	ctx->priv = NULL;
}

static int dirty_measure(struct wl_ctx *ctx, const struct wl_req *req, double *samples)
{
	struct dirty_state *st = ctx->priv;
	const size_t words_per_page = DIRTY_PAGE / sizeof(uint64_t);
	/* Pages due per ns of the run: the pace is kept against the clock, not per iteration,
	 * so that a stop of the guest is caught up with after it, as the host would see it. */
	const double pages_per_ns = (double)req->rate / (double)DIRTY_PAGE / 1e9;
	uint64_t pages = 0, iters = 0, gaps_1ms = 0, gaps_10ms = 0, gap_max = 0, gap_at = 0;
	bool by_host = false;

	if (!ctx->host_stop) {
		snprintf(ctx->reason, sizeof(ctx->reason), "runs until STOP: needs the agent");
		return -EINVAL;
	}
	uint64_t t0 = timing_now_ns(), last = t0, check = t0 + DIRTY_CHECK_NS, t = t0;
	for (;;) {
		t = timing_now_ns();
		iters++;
		/* The loop does nothing that takes long: a long gap between two reads is time
		 * the agent did not run, the guest stopped or the agent preempted (the look at
		 * STOP is inside a gap: a stop may fall into its system call as well). */
		uint64_t gap = t - last;
		if (gap > gap_max) {
			gap_max = gap;
			gap_at = last - t0;
		}
		gaps_1ms += gap > 1000000;
		gaps_10ms += gap > 10000000;
		last = t;
		if (req->rate && (double)pages < pages_per_ns * (double)(t - t0)) {
			st->base[(pages % st->pages) * words_per_page] = pages + t;
			pages++;
		}
		if (t >= check) {
			if ((by_host = ctx->host_stop(ctx)) || t - t0 >= DIRTY_MAX_NS)
				break;
			check = t + DIRTY_CHECK_NS;
		}
	}
	double run_s = (double)(t - t0) / 1e9;
	samples[0] = (double)gap_max / 1e6;
	ctx->ops_done = iters;
	json_object_set_new(ctx->extra, "rate_asked", json_integer((json_int_t)req->rate));
	json_object_set_new(ctx->extra, "rate_done",
			    json_real(run_s > 0 ? (double)(pages * DIRTY_PAGE) / run_s : 0));
	json_object_set_new(ctx->extra, "pages_written", json_integer((json_int_t)pages));
	json_object_set_new(ctx->extra, "working_set_bytes", json_integer((json_int_t)st->bytes));
	json_object_set_new(ctx->extra, "iterations", json_integer((json_int_t)iters));
	json_object_set_new(ctx->extra, "run_s", json_real(run_s));
	json_object_set_new(ctx->extra, "longest_gap_ms", json_real((double)gap_max / 1e6));
	json_object_set_new(ctx->extra, "longest_gap_at_s", json_real((double)gap_at / 1e9));
	json_object_set_new(ctx->extra, "gaps_over_1ms", json_integer((json_int_t)gaps_1ms));
	json_object_set_new(ctx->extra, "gaps_over_10ms", json_integer((json_int_t)gaps_10ms));
	json_object_set_new(ctx->extra, "stopped_by", json_string(by_host ? "host" : "time_limit"));
	return 0;
}

const struct workload_ops workload_mem_dirty = {
	.abi = WORKLOAD_ABI,
	.name = "mem.dirty",
	.summary = "the guest lifecycle.migrate moves: dirties memory at a set rate until "
		   "STOP; sample: its longest pause",
	.unit = "ms",
	.better = BETTER_LOWER,
	.flags = WL_DRIVEN,
	.setup = dirty_setup,
	.teardown = dirty_teardown,
	.measure = dirty_measure,
};
