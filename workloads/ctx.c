/*
 * Context switches (lmbench lat_ctx): two processes on one CPU pass a token through two
 * pipes, each summing its own cache footprint on every pass. The cost of the same pipe
 * traffic and summing in one process, with no switch, is subtracted as lmbench does; it is
 * timed inside every sample, just before the switches, so that it drifts with them and
 * its noise is in the sample's (the samples' statistics carry it). Reported per switch
 * (two per round trip).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/timing.h"
#include "workloads/workload.h"

struct ctx_state {
	size_t footprint; /* bytes each process sums per pass */
	long *data;	  /* our footprint */
	int to_child[2], to_parent[2];
	int self[2]; /* our own pipe, for the passes without a switch */
	pid_t child;
	cpu_set_t old_affinity;
	/* The overhead so far (calibration, warm-up and samples): one pass without a switch,
	 * pipe write + read + sum, on average; kept in extra.overhead_ns. */
	uint64_t overhead_ns, overhead_passes;
	json_t *overhead_json; /* a number in ctx->extra, set in place: no allocation in op */
};

static long sum_footprint(const long *data, size_t bytes)
{
	long s = 0;

	for (size_t i = 0; i < bytes / sizeof(long); i++)
		s += data[i];
	return s;
}

static long *footprint_alloc(size_t bytes)
{
	long *d = malloc(bytes ? bytes : sizeof(long));

	if (d)
		for (size_t i = 0; i < (bytes ? bytes : sizeof(long)) / sizeof(long); i++)
			d[i] = (long)i;
	return d;
}

static int pass_token(int wfd, int rfd, long *token)
{
	if (write(wfd, token, sizeof(*token)) != sizeof(*token))
		return -EIO;
	if (read(rfd, token, sizeof(*token)) != sizeof(*token))
		return -EIO;
	return 0;
}

/* The child: receive, sum, send back, until the pipe closes. */
static void ctx_child(struct ctx_state *st)
{
	long *mine = footprint_alloc(st->footprint), token;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Only our ends: the parent's close must reach us as end of input. */
	close(st->to_child[1]);
	close(st->to_parent[0]);
	while (mine && read(st->to_child[0], &token, sizeof(token)) == sizeof(token)) {
		token += sum_footprint(mine, st->footprint);
		if (write(st->to_parent[1], &token, sizeof(token)) != sizeof(token))
			break;
	}
	_exit(0);
}

static void ctx_cleanup(struct ctx_state *st)
{
	int status;

	for (int i = 0; i < 2; i++) {
		if (st->to_child[i] >= 0)
			close(st->to_child[i]);
		if (st->to_parent[i] >= 0)
			close(st->to_parent[i]);
		if (st->self[i] >= 0)
			close(st->self[i]);
	}
	if (st->child > 0)
		while (waitpid(st->child, &status, 0) < 0 && errno == EINTR)
			;
	sched_setaffinity(0, sizeof(st->old_affinity), &st->old_affinity);
	free(st->data);
	free(st);
}

static int ctx_setup(struct wl_ctx *ctx, size_t footprint)
{
	struct ctx_state *st = calloc(1, sizeof(*st));
	cpu_set_t one;
	int cpu, ret = -ENOMEM;

	if (!st)
		return -ENOMEM;
	st->footprint = footprint;
	st->to_child[0] = st->to_child[1] = st->to_parent[0] = st->to_parent[1] = -1;
	st->self[0] = st->self[1] = -1;
	sched_getaffinity(0, sizeof(st->old_affinity), &st->old_affinity);
	st->data = footprint_alloc(footprint);
	if (!st->data)
		goto fail;
	/* Both processes on the CPU we are on: every pass is a switch. */
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0 || pipe2(st->to_child, O_CLOEXEC) < 0 ||
	    pipe2(st->to_parent, O_CLOEXEC) < 0 || pipe2(st->self, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail;
	}
	st->overhead_json = json_real(0);
	if (!st->overhead_json ||
	    json_object_set_new(ctx->extra, "overhead_ns", st->overhead_json) < 0)
		goto fail;
	st->child = fork();
	if (st->child < 0) {
		ret = -errno;
		goto fail;
	}
	if (st->child == 0)
		ctx_child(st);
	close(st->to_child[0]);
	close(st->to_parent[1]);
	st->to_child[0] = st->to_parent[1] = -1;
	ctx->priv = st;
	ctx->units_per_iter = 2; /* switches per round trip */
	json_object_set_new(ctx->extra, "footprint_bytes", json_integer((json_int_t)footprint));
	json_object_set_new(ctx->extra, "cpu", json_integer(cpu));
	return 0;
fail:
	ctx_cleanup(st);
	return ret;
}

static int ctx_pipe_setup(struct wl_ctx *ctx)
{
	return ctx_setup(ctx, 0);
}

static int ctx_pipe64_setup(struct wl_ctx *ctx)
{
	return ctx_setup(ctx, 64 * 1024);
}

static void ctx_teardown(struct wl_ctx *ctx)
{
	if (ctx->priv)
		ctx_cleanup(ctx->priv);
	ctx->priv = NULL;
}

/* One iteration: a round trip of the token, two switches. Before them, in the same
 * sample, the same two passes per iteration in this process alone (pipe and summing, no
 * switch), timed: that time is taken out of the sample twice, once for itself and once
 * for the passes the round trips make. */
static int ctx_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct ctx_state *st = ctx->priv;
	long token = 1;
	uint64_t t0 = timing_now_ns();

	for (uint64_t i = 0; i < 2 * iters; i++) {
		token += sum_footprint(st->data, st->footprint);
		if (pass_token(st->self[1], st->self[0], &token) < 0) {
			snprintf(ctx->reason, sizeof(ctx->reason), "the pipe to ourselves failed");
			return -EIO;
		}
	}
	uint64_t overhead = timing_now_ns() - t0;
	for (uint64_t i = 0; i < iters; i++) {
		token += sum_footprint(st->data, st->footprint);
		if (pass_token(st->to_child[1], st->to_parent[0], &token) < 0) {
			snprintf(ctx->reason, sizeof(ctx->reason), "the token was lost");
			return -EIO;
		}
	}
	ctx->sink += (uint64_t)token;
	/* Out of the sample: the overhead loop itself, and as much again for the same passes
	 * inside the round trips. */
	ctx->untimed_ns += 2 * overhead;
	st->overhead_ns += overhead;
	st->overhead_passes += 2 * iters;
	json_real_set(st->overhead_json, (double)st->overhead_ns / (double)st->overhead_passes);
	return 0;
}

const struct workload_ops workload_ctx_pipe = {
	.abi = WORKLOAD_ABI,
	.name = "ctx.pipe",
	.summary = "context switch: token through pipes between 2 processes on 1 CPU, per switch, "
		   "pipe cost subtracted (lat_ctx 0k)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "ctx switch (2p/0K)",
	.setup = ctx_pipe_setup,
	.teardown = ctx_teardown,
	.op = ctx_op,
};

const struct workload_ops workload_ctx_pipe_64k = {
	.abi = WORKLOAD_ABI,
	.name = "ctx.pipe.64k",
	.summary = "context switch with a 64 KiB cache footprint per process (lat_ctx 64k)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.setup = ctx_pipe64_setup,
	.teardown = ctx_teardown,
	.op = ctx_op,
};
