/*
 * lifecycle.resize: memory taken from a running guest and given back, each timed from the
 * host's request to the moment the guest sees it. The backend does what it has for it (a
 * VM's balloon, a container's cgroup limit); the agent says what memory it sees (MEM: its
 * kernel's MemTotal, its cgroup's limit), asked again and again until that has changed by
 * the amount asked. A MEM's round trip is the resolution, and is kept with the sample.
 *
 * The sample is the time to take half the guest's memory away; the time to give it back,
 * what the guest saw and the round trip are its details.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/hostwl.h"
#include "harness/lifecycle.h"
#include "harness/session_life.h"
#include "harness/stats.h"
#include "host/util.h"

/* The share of its memory a guest loses: enough to be an operation worth timing, little
 * enough that the guest's kernel, agent and root (an initramfs, in memory) keep room. */
#define RESIZE_SHARE	 2 /* 1/2 */
#define RESIZE_LIMIT_MS	 60000
#define RESIZE_ANSWER_MS 10000 /* one MEM's answer */
/* Between two MEMs the host waits a twentieth of the time so far, at most this long: the
 * guest's own work (its balloon driver) is not crowded out by answering, and the time is
 * still known to a few per cent. */
#define RESIZE_PAUSE_MAX_MS 10
#define RESIZE_RTTS	    5 /* MEMs before, whose median round trip is kept */

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.resize",
	.summary = "resize: half a running guest's memory taken away, until the guest sees it "
		   "(then given back, in the details)",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_LIFECYCLE,
	.plot_order = 6,
	.needs = WL_NEEDS_RESIZE,
	.flags = WL_HOST,
};

/* What of its memory the guest sees a resize change: its cgroup's limit where it has one (a
 * container: the limit becomes what was asked), else its kernel's MemTotal (a balloon takes
 * its pages out of it). */
static uint64_t seen_of(const struct msg *m)
{
	return m->mem_limit ? m->mem_limit : m->mem_total;
}

/* One resize: what was asked, what the guest is to see, and what it took. */
struct step {
	uint64_t ask, expect; /* bytes for the backend; what the guest is to see then */
	bool shrink;	      /* the guest's memory goes down */
	double secs;	      /* from the request to the MEM that shows it */
	unsigned polls;	      /* MEMs asked meanwhile */
	uint64_t seen;	      /* what the guest saw last (seen_of) */
};

static int resize_step(struct session *s, struct step *st, char *err, size_t len)
{
	struct msg m;
	double t0 = util_now_s();
	int ret = s->g.ops->resize(&s->g, st->ask);

	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		return ret;
	}
	for (st->polls = 1;; st->polls++) {
		ret = session_mem(s, RESIZE_ANSWER_MS, &m, err, len);
		if (ret < 0)
			return ret;
		st->seen = seen_of(&m);
		st->secs = util_now_s() - t0;
		if (st->shrink ? st->seen <= st->expect : st->seen >= st->expect)
			return 0;
		double pause = st->secs / 20;
		if (st->secs * 1e3 > RESIZE_LIMIT_MS) {
			snprintf(
				err, len,
				"asked for %llu MiB, the guest still sees %llu MiB of memory after "
				"%.0f s, not %llu MiB",
				(unsigned long long)(st->ask >> 20),
				(unsigned long long)(st->seen >> 20), st->secs,
				(unsigned long long)(st->expect >> 20));
			return -ETIMEDOUT;
		}
		util_sleep_s(pause < RESIZE_PAUSE_MAX_MS / 1e3 ? pause : RESIZE_PAUSE_MAX_MS / 1e3);
	}
}

/*
 * What the guest sees before (*before), and what one question costs (*rtt, the median of a
 * few): the resolution. The backend is first asked for the memory the guest has, a resize
 * to where it is: what the backend looks up to resize (a cgroup's file) is found, and a
 * backend that cannot resize fails, before anything is timed. 0 or -errno with err.
 */
static int resize_before(struct session *s, uint64_t full, uint64_t take, struct msg *before,
			 double *rtt, char *err, size_t len)
{
	double rtts[RESIZE_RTTS];
	int ret = s->g.ops->resize(&s->g, full);

	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		return ret;
	}
	for (int i = 0; i < RESIZE_RTTS; i++) {
		double t0 = util_now_s();
		ret = session_mem(s, RESIZE_ANSWER_MS, before, err, len);
		if (ret < 0)
			return ret;
		rtts[i] = util_now_s() - t0;
	}
	struct summary sum;
	ret = stats_summarize(rtts, RESIZE_RTTS, &sum);
	if (ret < 0) {
		snprintf(err, len, "cannot summarize MEM's round trips: %s", strerror(-ret));
		return ret;
	}
	*rtt = sum.median;
	/* A limit the guest sees is the one it was given: else the limit is not what bounds
	 * it, and a change of it says nothing about the guest's memory. */
	if (before->mem_limit && before->mem_limit != full) {
		snprintf(err, len,
			 "the guest's cgroup limit is %llu MiB, not the %llu MiB it was given",
			 (unsigned long long)(before->mem_limit >> 20),
			 (unsigned long long)(full >> 20));
		return -EPROTO;
	}
	if (seen_of(before) <= take) {
		snprintf(err, len, "the guest sees %llu MiB of memory, too little to lose %llu MiB",
			 (unsigned long long)(seen_of(before) >> 20),
			 (unsigned long long)(take >> 20));
		return -ENOMEM;
	}
	return 0;
}

static int resize_sample(const struct host_ctx *ctx, const struct backend_cfg *cfg, double *value,
			 json_t **details, json_t **series, char *err, size_t len)
{
	const uint64_t full = (uint64_t)cfg->mem_mib << 20, take = full / RESIZE_SHARE;
	struct step down = { .ask = full - take, .shrink = true }, up = { .ask = full };
	struct session s;
	struct msg before;
	double rtt = NAN;
	int ret = session_start(&s, ctx->backend, cfg, false, err, len);

	(void)series;
	if (ret < 0)
		return ret;
	ret = resize_before(&s, full, take, &before, &rtt, err, len);
	if (ret == 0) {
		down.expect = seen_of(&before) - take;
		up.expect = seen_of(&before);
		ret = resize_step(&s, &down, err, len);
	}
	if (ret == 0)
		ret = resize_step(&s, &up, err, len);
	session_stop(&s);
	if (ret < 0)
		return ret;
	*value = down.secs;
	*details = json_pack("{s:f, s:I, s:I, s:I, s:f, s:i, s:i}", "give_back_s", up.secs,
			     "taken_bytes", (json_int_t)take, "seen_before_bytes",
			     (json_int_t)seen_of(&before), "seen_taken_bytes",
			     (json_int_t)down.seen, "mem_rtt_s", rtt, "polls_take", (int)down.polls,
			     "polls_give", (int)up.polls);
	return *details ? 0 : -ENOMEM;
}

static int resize_run(const struct host_ctx *ctx, struct cell *cell)
{
	return life_samples(ctx, cell, resize_sample, false);
}

const struct host_workload host_workload_resize = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = resize_run,
};
