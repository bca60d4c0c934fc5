/* lifecycle.boot: fresh starts of the backend, each timed from start to the agent's HELLO,
 * which the agent says before its own clock checks: the time is the backend's. */
#include <errno.h>
#include <stdlib.h>

#include "harness/hostwl.h"
#include "harness/session.h"
#include "host/process.h"

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.boot",
	.summary =
		"boot: from starting the backend to the agent's HELLO, a fresh start each sample",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_BOOT,
	.flags = WL_HOST,
};

/* ctx->reps boots, after one more, not kept, when ctx->warmup. */
static int boot_run(const struct host_ctx *ctx, struct cell *cell)
{
	unsigned warm = ctx->warmup ? 1 : 0, reps = ctx->reps;
	double *x = calloc(reps + 1, sizeof(*x));
	char err[512];
	int ret = 0;

	if (!x)
		return -ENOMEM;
	for (unsigned i = 0; i < warm + reps; i++) {
		struct session s;
		if (proc_interrupted()) {
			cell_set_status(cell, CELL_FAILED, "interrupted");
			goto out;
		}
		ret = session_start(&s, ctx->backend, ctx->cfg, false, err, sizeof(err));
		if (ret < 0) {
			cell_set_status(cell, CELL_FAILED, "boot %u of %u failed: %s", i + 1,
					warm + reps, err);
			ret = 0;
			goto out;
		}
		if (i >= warm)
			x[i - warm] = s.boot_s;
		session_stop(&s);
	}
	/* Every start is a session of its own: one sample each. */
	for (unsigned i = 0; i < reps && ret == 0; i++)
		ret = cell_add_session(cell, &x[i], 1, NULL, NULL, NULL);
	if (ret == 0 && !cell->raw)
		cell->raw = json_pack("{s:i}", "warmup_boots", (int)warm);
out:
	free(x);
	return ret;
}

const struct host_workload host_workload_boot = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = boot_run,
};
