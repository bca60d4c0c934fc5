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
	.plots = PLOT_BOOT | PLOT_LIFECYCLE,
	.plot_order = 1,
	/* The nanoguest's boot too: how long a guest of a few pages takes to say HELLO. */
	.flags = WL_HOST | WL_NANOGUEST,
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

/* The boot's phases appended to the cell's raw "phases", in the order of the samples: an
 * object where they are known, null where not (no kernel of the backend's own). 0 or
 * -ENOMEM. */
static int boot_phases_note(struct cell *cell, const struct boot_phases *p)
{
	json_t *arr = json_object_get(cell->raw, "phases");
	if (!arr && (!(arr = json_array()) || json_object_set_new(cell->raw, "phases", arr) < 0))
		return -ENOMEM;
	json_t *v = p->known ? json_pack("{s:f, s:f, s:f, s:f}", "before_kernel_s",
					 p->before_kernel_s, "kernel_s", p->kernel_s, "init_s",
					 p->init_s, "agent_s", p->agent_s)
			     : json_null();
	return json_array_append_new(arr, v) < 0 ? -ENOMEM : 0;
}

/* ctx->reps boots, after one more, not kept, when ctx->warmup. */
static int boot_run(const struct host_ctx *ctx, struct cell *cell)
{
	unsigned warm = ctx->warmup ? 1 : 0, reps = ctx->reps;
	double *x = calloc(reps + 1, sizeof(*x));
	struct boot_phases *ph = calloc(reps + 1, sizeof(*ph));
	char err[512];
	int ret = 0;

	if (!x || !ph) {
		free(x);
		free(ph);
		return -ENOMEM;
	}
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
		if (i >= warm) {
			x[i - warm] = s.boot_s;
			ph[i - warm] = s.phases;
		}
		session_stop(&s);
	}
	/* Every start is a session of its own: one sample each. */
	for (unsigned i = 0; i < reps && ret == 0; i++)
		ret = cell_add_session(cell, &x[i], 1, NULL, NULL, NULL);
	if (ret == 0)
		ret = boot_note(cell, "warmup_boots", warm);
	for (unsigned i = 0; i < reps && ret == 0; i++)
		ret = boot_phases_note(cell, &ph[i]);
	if (ret == 0)
		ret = boot_note(cell, "other_starts", reps);
out:
	free(x);
	free(ph);
	return ret;
}

/* The round's session start is a boot like any other. */
static int boot_from_session(const struct session *s, struct cell *cell)
{
	int ret = cell_add_session(cell, &s->boot_s, 1, NULL, NULL, NULL);

	if (ret == 0)
		ret = boot_note(cell, "session_starts", 1);
	return ret < 0 ? ret : boot_phases_note(cell, &s->phases);
}

const struct host_workload host_workload_boot = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = boot_run,
	.from_session = boot_from_session,
};
