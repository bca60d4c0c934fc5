/*
 * lifecycle.migrate: a running guest moved live into a second host process of its backend,
 * over a unix socket, while its agent dirties memory at a set rate (mem.dirty) and times
 * its own loop. One session per sample sweeps the rates from none upwards; the first rate
 * whose pre-copy does not converge within the limit ends the sweep (higher ones would not
 * either) and is tried once more with post-copy, where the backend can.
 *
 * Each point of the series is a rate (MiB/s) and its samples are the downtime the backend
 * reports; the point's other arrays hold the total time, the bytes, the passes, the stop
 * by the host's clock and the longest gap the guest saw in its own loop. The cell's value
 * is the downtime of a guest that dirties nothing (the first point), after a first move
 * not kept.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/hostwl.h"
#include "harness/lifecycle.h"
#include "harness/session_life.h"
#include "host/process.h"
#include "host/util.h"

/* The migration's link: a fixed cap, the same for every backend, so that the rate at which
 * pre-copy stops converging is a property of the cap and the guest, not of the host. */
#define MIG_BANDWIDTH	  (128ull << 20)
#define MIG_DOWNTIME_MS	  300
#define MIG_LIMIT_MS	  10000
#define MIG_WORKING_SET	  (64ull << 20)
#define MIG_SETTLE_MS	  300	/* from GO to the migration: the guest dirties already */
#define MIG_AGENT_WAIT_MS 30000 /* READY, and DONE after STOP */

/* The rates, MiB/s: up to past the cap, where pre-copy cannot converge. */
static const unsigned rates[] = { 0, 32, 64, 96, 128, 192 };

extern const struct workload_ops workload_mem_dirty;

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.migrate",
	.summary = "live migration: the downtime of moving a running guest to a second process "
		   "on this host, against the rate its memory is dirtied",
	.unit = "ms",
	.better = BETTER_LOWER,
	.plots = PLOT_LIFECYCLE | PLOT_MIGRATION,
	.plot_order = 5,
	.needs = WL_NEEDS_MIGRATE,
	.flags = WL_HOST,
};

/* What one migration found. */
struct hop {
	struct mig_stats st;
	double frozen_s, gap_ms, rate_done;
	int ret;       /* the migration's: 0, -ETIMEDOUT (did not converge), -errno (failed) */
	char why[400]; /* why it did not converge, or why it failed */
};

/*
 * One migration of s's guest while it dirties rate MiB/s. 0 with h filled whatever the
 * migration's outcome (h->ret): the guest ran on, in one place or the other, and its agent
 * finished the workload there. -errno with err when the conversation broke.
 */
static int migrate_once(struct session *s, unsigned rate, bool postcopy, struct hop *h, char *err,
			size_t len)
{
	const struct mig_params p = { .max_bandwidth = MIG_BANDWIDTH,
				      .downtime_limit_ms = MIG_DOWNTIME_MS,
				      .postcopy = postcopy };
	const struct workload_ops *wl = &workload_mem_dirty;
	struct payload pl = { 0 };
	uint64_t iters = 0;
	int ret = session_drive_start(s, wl, MIG_WORKING_SET, (uint64_t)rate << 20,
				      MIG_AGENT_WAIT_MS, &iters, err, len);

	memset(h, 0, sizeof(*h));
	if (ret < 0) {
		char why[600];
		snprintf(why, sizeof(why), "before migrating at %u MiB/s: %.500s", rate, err);
		snprintf(err, len, "%s", why);
		return ret;
	}
	util_sleep_s(MIG_SETTLE_MS / 1e3);
	h->ret = session_migrate(s, &p, MIG_LIMIT_MS, &h->st, &h->frozen_s, h->why, sizeof(h->why));
	if (h->ret < 0 && h->st.postcopy_switched) {
		/* Past the switch the guest's memory was on both sides: with the migration
		 * unfinished it runs in neither, and no agent is left to finish. */
		snprintf(err, len,
			 "post-copy at %u MiB/s failed after the switch, the guest lost: %s", rate,
			 h->why);
		return -EIO;
	}
	/* Wherever the guest runs now, its agent finishes the workload there. */
	ret = session_drive_finish(s, wl, iters, &pl, MIG_AGENT_WAIT_MS, err, len);
	if (ret < 0) {
		char both[600];
		if (h->ret < 0) /* what broke the conversation is the failed migration */
			snprintf(both, sizeof(both),
				 "migrating at %u MiB/s failed: %.300s; then: %.250s", rate, h->why,
				 err);
		else
			snprintf(both, sizeof(both), "after migrating at %u MiB/s: %.500s", rate,
				 err);
		snprintf(err, len, "%s", both);
		return ret;
	}
	h->gap_ms = pl.n == 1 ? pl.samples[0] : NAN;
	json_t *done = json_object_get(pl.extra, "rate_done");
	h->rate_done = json_is_number(done) ? json_number_value(done) / (1 << 20) : NAN;
	payload_free(&pl);
	return 0;
}

/* Appends a converged migration's figures to its point; one whose backend gave no downtime
 * is no sample (a sample is a number), and is noted apart. 0 or -ENOMEM. */
static int point_add(json_t *pt, const struct hop *h)
{
	if (!isfinite(h->st.downtime_ms))
		return life_append(pt, "no_downtime", json_string("the backend reported none"));
	int ret = life_append(pt, "samples", json_real(h->st.downtime_ms));

	if (ret == 0)
		ret = life_append(pt, "total_s", life_num(h->st.total_s));
	if (ret == 0)
		ret = life_append(pt, "transferred_bytes",
				  json_integer((json_int_t)h->st.transferred));
	if (ret == 0)
		ret = life_append(pt, "rounds", json_integer((json_int_t)h->st.rounds));
	if (ret == 0)
		ret = life_append(pt, "frozen_s", life_num(h->frozen_s));
	if (ret == 0)
		ret = life_append(pt, "guest_gap_ms", life_num(h->gap_ms));
	if (ret == 0)
		ret = life_append(pt, "dirtied_mib_s", life_num(h->rate_done));
	return ret;
}

/* Post-copy at rate, once: its figures, or why there are none, into details. 0 or
 * -ENOMEM: a post-copy that broke the conversation (one that failed past its switch) is
 * noted as such, and the sweep's points stand; the session ends after it anyway. */
static int postcopy_try(struct session *s, unsigned rate, json_t *details, char *err, size_t len)
{
	struct hop h;
	json_t *pc;
	int ret = migrate_once(s, rate, true, &h, err, len);

	if (ret < 0)
		pc = json_pack("{s:i, s:s}", "rate_mib_s", rate, "reason", err);
	else if (h.ret < 0)
		pc = json_pack("{s:i, s:s}", "rate_mib_s", rate, "reason", h.why);
	else
		pc = json_pack("{s:i, s:o, s:o, s:I, s:I, s:b, s:o, s:o}", "rate_mib_s", rate,
			       "downtime_ms", life_num(h.st.downtime_ms), "total_s",
			       life_num(h.st.total_s), "transferred_bytes",
			       (json_int_t)h.st.transferred, "requests",
			       (json_int_t)h.st.postcopy_requests, "switched",
			       h.st.postcopy_switched, "frozen_s", life_num(h.frozen_s),
			       "guest_gap_ms", life_num(h.gap_ms));
	return pc && json_object_set_new(details, "postcopy", pc) == 0 ? 0 : -ENOMEM;
}

/* Whether a broken conversation (ret) shows the guest gone: its stream closed (its host
 * process ended: the agent's end of input, a monitor's), or its kernel said it died. A
 * guest that is slow, an agent that answers wrongly, the user's Ctrl-C are no loss. */
static bool guest_gone(const struct session *s, int ret)
{
	return !proc_interrupted() && (ret == -EPIPE || ret == -ECONNRESET || s->c.panicked);
}

/* The sweep in a running session: the points into series, post-copy into details. 0, or
 * -errno with err: a failed migration fails the sample. A guest lost once a rate was kept
 * (its kernel died in or around a move: a backend's own failure, QEMU 7.2's TCG now and
 * then) is the outcome of the rate whose turn it was instead, and the rates above it are
 * not tried. */
static int sweep(struct session *s, json_t *points, json_t *details, char *err, size_t len)
{
	unsigned limit = 0, lost = 0; /* the first rate that did not converge, that lost the
				       * guest; 0 none */
	bool kept = false;	      /* some rate has a sample from this session */
	struct hop h;
	/* A first move, not kept: the first migration of a run pages QEMU's code for it in. */
	int ret = migrate_once(s, 0, false, &h, err, len);

	if (ret < 0)
		return ret;
	if (h.ret < 0) {
		snprintf(err, len, "the first migration, not kept, failed: %s", h.why);
		return h.ret;
	}

	for (size_t i = 0; i < ARRAY_SIZE(rates) && ret == 0; i++) {
		json_t *pt = json_array_get(points, i);
		if (proc_interrupted())
			return -EINTR;
		if (limit || lost) {
			char why[96];
			snprintf(why, sizeof(why), "not tried: %s at %u MiB/s",
				 lost ? "the guest was lost" : "did not converge",
				 lost ? lost : limit);
			ret = life_append(pt, "not_tried", json_string(why));
			continue;
		}
		ret = migrate_once(s, rates[i], false, &h, err, len);
		if (ret < 0 && kept && guest_gone(s, ret)) {
			lost = rates[i];
			ret = life_append(pt, "guest_lost", json_string(err));
			continue;
		}
		if (ret < 0)
			return ret;
		if (h.ret == 0) {
			ret = point_add(pt, &h);
			kept |= isfinite(h.st.downtime_ms);
		} else if (h.ret != -ETIMEDOUT) {
			snprintf(err, len, "migrating at %u MiB/s failed: %s", rates[i], h.why);
			return h.ret;
		} else if (i == 0) {
			snprintf(err, len, "a guest that dirties nothing %s", h.why);
			return -ETIMEDOUT;
		} else {
			limit = rates[i];
			ret = life_append(pt, "not_converged", json_string(h.why));
		}
	}
	if (ret < 0)
		return ret;
	if (lost) {
		json_t *pc = json_pack("{s:i, s:s}", "rate_mib_s", lost, "reason",
				       "not tried: the guest was lost");
		return pc && json_object_set_new(details, "postcopy", pc) == 0 ? 0 : -ENOMEM;
	}
	return postcopy_try(s, limit ? limit : rates[ARRAY_SIZE(rates) - 1], details, err, len);
}

static int migrate_sample(const struct host_ctx *ctx, const struct backend_cfg *cfg, double *value,
			  json_t **details, json_t **series, char *err, size_t len)
{
	json_t *points = json_array();
	struct session s;
	int ret;

	*details = json_pack("{s:I, s:I, s:i, s:i}", "bandwidth_bytes_s", (json_int_t)MIG_BANDWIDTH,
			     "working_set_bytes", (json_int_t)MIG_WORKING_SET, "downtime_limit_ms",
			     MIG_DOWNTIME_MS, "limit_ms", MIG_LIMIT_MS);
	*series = json_pack("{s:s, s:o}", "x_unit", "MiB/s", "points", points);
	for (size_t i = 0; *series && i < ARRAY_SIZE(rates); i++)
		if (json_array_append_new(points,
					  json_pack("{s:i, s:[]}", "x", rates[i], "samples")) < 0)
			return -ENOMEM;
	if (!*details || !*series)
		return -ENOMEM;
	ret = session_start(&s, ctx->backend, cfg, false, err, len);
	if (ret < 0)
		return ret;
	ret = sweep(&s, points, *details, err, len);
	session_stop(&s);
	if (ret < 0)
		return ret;
	json_t *first = json_array_get(json_object_get(json_array_get(points, 0), "samples"), 0);
	*value = json_is_number(first) ? json_number_value(first) : NAN;
	if (!isfinite(*value)) {
		snprintf(err, len, "the backend reported no downtime");
		return -EPROTO;
	}
	return 0;
}

static int migrate_run(const struct host_ctx *ctx, struct cell *cell)
{
	return life_samples(ctx, cell, migrate_sample, true);
}

const struct host_workload host_workload_migrate = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = migrate_run,
};
