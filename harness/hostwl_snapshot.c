/* lifecycle.snapshot: a running guest's whole state saved to a file while it runs, timed
 * from the request to the guest running again; with the file's size, how long the guest
 * was stopped (by the host's clock) and what the backend's own account says. */

#include "harness/hostwl.h"
#include "harness/lifecycle.h"

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.snapshot",
	.summary = "snapshot: saving a running guest's whole state to a file, until it runs on",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_LIFECYCLE,
	.plot_order = 4,
	.needs = WL_NEEDS_SNAPSHOT,
	.flags = WL_HOST,
};

static int snapshot_sample(const struct host_ctx *ctx, const struct backend_cfg *cfg, double *value,
			   json_t **details, json_t **series, char *err, size_t len)
{
	struct life_state st;
	struct session s;
	int ret = life_state_dir(&st, err, len);

	(void)series;
	if (ret < 0)
		return ret;
	ret = session_start(&s, ctx->backend, cfg, false, err, len);
	if (ret == 0) {
		ret = life_save(&s, &st, err, len);
		session_stop(&s);
	}
	if (ret == 0) {
		*value = st.save_s;
		*details = json_pack("{s:I, s:o, s:o, s:o, s:I}", "bytes", (json_int_t)st.bytes,
				     "frozen_s", life_num(st.frozen_s), "downtime_ms",
				     life_num(st.st.downtime_ms), "own_total_s",
				     life_num(st.st.total_s), "rounds", (json_int_t)st.st.rounds);
		ret = *details ? 0 : -ENOMEM;
	}
	life_state_remove(&st);
	return ret;
}

static int snapshot_run(const struct host_ctx *ctx, struct cell *cell)
{
	return life_samples(ctx, cell, snapshot_sample, false);
}

const struct host_workload host_workload_snapshot = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = snapshot_run,
};
