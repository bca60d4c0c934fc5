/* lifecycle.boot: fresh starts of the backend, each timed from start to the agent's HELLO,
 * which the agent says before its own clock checks: the time is the backend's. Each round's
 * session start is one of them; more are made only when the profile asks for more boots
 * than sessions. */
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

/* Adds n to the count key of the cell's raw record of its starts: the warm-up starts, the
 * session starts taken as boots, and the starts made only to be timed. 0 or -ENOMEM. */
static int boot_note(struct cell *cell, const char *key, unsigned n)
{
	if (!cell->raw)
		cell->raw = json_pack("{s:i, s:i, s:i}", "warmup_boots", 0, "session_starts", 0,
				      "other_starts", 0);
	if (!cell->raw)
		return -ENOMEM;
	json_int_t had = json_integer_value(json_object_get(cell->raw, key));
	return json_object_set_new(cell->raw, key, json_integer(had + (json_int_t)n)) < 0 ? -ENOMEM
											  : 0;
}

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
			/* Boots of earlier sessions stay what they are. */
			if (cell->n == 0)
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
	if (ret == 0)
		ret = boot_note(cell, "warmup_boots", warm);
	if (ret == 0)
		ret = boot_note(cell, "other_starts", reps);
out:
	free(x);
	return ret;
}

/* The round's session start is a boot like any other. */
static int boot_from_session(const struct session *s, struct cell *cell)
{
	int ret = cell_add_session(cell, &s->boot_s, 1, NULL, NULL, NULL);

	return ret < 0 ? ret : boot_note(cell, "session_starts", 1);
}

const struct host_workload host_workload_boot = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = boot_run,
	.from_session = boot_from_session,
};
