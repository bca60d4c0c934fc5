/* The schedule of a run: which backend runs which workloads in which order, round by round.
 * Every round draws a new order of backends, and of workloads within each, from a seeded
 * generator, so that drifts of the host spread over all cells; workloads the host measures
 * by starting the backend anew (boots) come after the others, so that no session is
 * started twice. */
#ifndef VMBENCH_SCHEDULE_H
#define VMBENCH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/plan.h"

/* One backend's turn in one round. */
struct slot {
	unsigned round; /* 0-based */
	const struct backend_ops *backend;
	const struct workload_ops **workloads; /* in the order they run */
	size_t n;
};

struct schedule {
	unsigned rounds;
	struct slot *slots; /* round by round, in the order they run */
	size_t n;
	/* What runs in which order, for provenance run.order: one array per round of
	 * {"backend", "workloads": [...]}. */
	json_t *order;
};

/* The rounds a profile asks for, at most as many as every round can have one sample of
 * each cell and one boot; at least 1. */
unsigned schedule_rounds(const struct profile *pf);

/*
 * The slots of the backends marked usable (usable[i] for p->backends[i]) over rounds
 * rounds, shuffled with GSL's MT19937 seeded by seed. 0 or -ENOMEM.
 */
int schedule_build(struct schedule *s, const struct plan *p, const bool *usable, unsigned rounds,
		   unsigned long seed) __must_check;
void schedule_free(struct schedule *s);
/* {"backend", "workloads": [...]} of a slot (an entry of order); NULL on ENOMEM. */
json_t *schedule_slot_json(const struct slot *sl);

#endif
