/*
 * runtime: what the guest's runtime itself counts of the guest, asked of it through the
 * backend's accounting hook (an OCI runtime's `events --stats`: the CPU time of the
 * container's cgroup; runsc splits its sandbox cgroup's time among its containers by the
 * Sentry's own accounting, so with one container it is the whole sandbox's: the Sentry,
 * the processes it runs the container in, the gofer). Beside the perf probe's task-clock of the
 * host processes it tells whether the runtime's books and the host's agree.
 *
 * Asking costs a runtime process (tens of milliseconds) and work in the runtime, so it is
 * done in the counting pass, never around timed samples, and first before the phase and
 * last after it, outside the other probes' window (harness/cellrun.c). A query that fails
 * leaves its values unknown for that phase (NaN, which attribution drops), never a delta
 * against nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "probes/probe.h"

/* Opened for one counting phase: its first snapshot is the one before, the second after. */
struct runtime_state {
	bool failed; /* a query of this phase failed: its values are unknown */
	size_t n;
	char names[8][48]; /* the values the runtime gave once, for a failed query's NaNs */
};

static json_t *ask(const struct guest *g, char *reason, size_t len)
{
	return g->ops->accounting(g, reason, len);
}

static int runtime_available(const struct guest *g, char *reason, size_t len)
{
	if (!g->ops->accounting) {
		snprintf(reason, len, "the backend's runtime keeps no accounts of its own");
		return -ENOTSUP;
	}
	json_t *stats = ask(g, reason, len);
	if (!stats)
		return -EIO;
	json_decref(stats);
	return 0;
}

static int runtime_open(struct probe *p)
{
	struct runtime_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	p->priv = st;
	return 0;
}

static int runtime_snapshot(struct probe *p, struct probe_snapshot *out)
{
	struct runtime_state *st = p->priv;
	char reason[256];
	const char *name;
	json_t *stats = ask(p->guest, reason, sizeof(reason)), *v;

	if (!stats) {
		log_warn("probe runtime: %s: %s", p->guest->ops->name, reason);
		st->failed = true;
		for (size_t i = 0; i < st->n; i++)
			probe_put(out, st->names[i], PROBE_COUNTER, NAN);
		return 0;
	}
	json_object_foreach(stats, name, v) {
		if (!json_is_number(v))
			continue;
		probe_put(out, name, PROBE_COUNTER, st->failed ? NAN : json_number_value(v));
		bool known = false;
		for (size_t i = 0; i < st->n; i++)
			known |= strcmp(st->names[i], name) == 0;
		if (!known && st->n < sizeof(st->names) / sizeof(st->names[0]))
			snprintf(st->names[st->n++], sizeof(st->names[0]), "%s", name);
	}
	json_decref(stats);
	return 0;
}

static void runtime_close(struct probe *p)
{
	free(p->priv);
	p->priv = NULL;
}

const struct probe_ops probe_runtime = {
	.abi = PROBE_ABI,
	.name = "runtime",
	.summary = "the runtime's own accounts of the guest (runc's and runsc's events --stats: "
		   "the container's cgroup CPU time), in the counting pass",
	.flags = PROBE_COUNT_PASS,
	.available = runtime_available,
	.open = runtime_open,
	.snapshot = runtime_snapshot,
	.close = runtime_close,
};
