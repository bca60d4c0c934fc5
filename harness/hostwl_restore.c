/* lifecycle.restore: a guest started from a saved state instead of booting, timed from the
 * start to its agent's answer (PONG): the counterpart of lifecycle.boot. */
#include "harness/hostwl.h"
#include "harness/lifecycle.h"
#include "harness/session_life.h"

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.restore",
	.summary = "restore: from starting a guest from a saved state to its agent's answer",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_LIFECYCLE,
	.plot_order = 2,
	.needs = WL_NEEDS_SNAPSHOT,
	.flags = WL_HOST,
};

static int restore_sample(const struct host_ctx *ctx, const struct backend_cfg *cfg, double *value,
			  json_t **details, json_t **series, char *err, size_t len)
{
	struct life_state st;
	struct hello origin;
	struct session s;
	int ret = life_state_dir(&st, err, len);

	(void)series;
	if (ret < 0)
		return ret;
	ret = life_save_fresh(ctx, cfg, &st, &origin, err, len);
	if (ret == 0)
		ret = session_restore(&s, ctx->backend, cfg, st.dir, &origin, err, len);
	if (ret == 0) {
		*value = s.boot_s;
		session_stop(&s);
		*details = json_pack("{s:I}", "state_bytes", (json_int_t)st.bytes);
		ret = *details ? 0 : -ENOMEM;
	}
	life_state_remove(&st);
	return ret;
}

static int restore_run(const struct host_ctx *ctx, struct cell *cell)
{
	return life_samples(ctx, cell, restore_sample, false);
}

const struct host_workload host_workload_restore = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = restore_run,
};
