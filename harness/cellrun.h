/* One cell in a running session: the RUN conversation with the agent (READY, GO, DONE,
 * ACK, DATA ... END), the probes around the measured phase, and the counting sample after. */
#ifndef VMBENCH_CELLRUN_H
#define VMBENCH_CELLRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/compiler.h"
#include "harness/results.h"
#include "harness/session.h"
#include "harness/sizes.h"
#include "workloads/workload.h"

/* What one round asks of a cell. */
struct cellrun {
	unsigned reps, warmup;
	uint64_t min_sample_ns;
	unsigned quiet_s;	   /* the profile's (PLAN_QUIET_S when 0) */
	uint64_t max_sample_ms;	   /* the longest sample a guest may announce */
	bool count;		   /* the counting sample follows (the last round) */
	const struct sizes *sizes; /* the run's problem sizes, sent in RUN; NULL: none */
	/* Tests only: the workload that gets extra work per operation, and how much
	 * (wl_req.extra_work); NULL: none. */
	const char *extra_workload;
	unsigned extra_work;
};

/*
 * One workload in a running session, one round of samples: the first round's samples
 * make the cell, later ones are added to it. The cell gets its outcome. Returns 0 while
 * the session is still usable, or a negative errno once it is not (protocol error,
 * timeout, guest gone, interrupted).
 */
int cellrun_run(struct session *s, const struct workload_ops *wl, const struct cellrun *cr,
		struct cell *cell) __must_check;

#endif
