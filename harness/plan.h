/* The run plan: which backends and workloads, with which profile; validated up front. */
#ifndef VMBENCH_PLAN_H
#define VMBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "workloads/workload.h"

struct profile {
	const char *name;
	const char *summary;
	unsigned reps;		/* measured samples per cell */
	unsigned warmup;	/* samples run and dropped before them, in every round */
	uint64_t min_sample_ns; /* each sample lasts at least this long */
	unsigned boot_reps;	/* fresh starts per backend for lifecycle.boot */
	unsigned rounds;	/* fresh sessions per backend, one per round, each round in a new
				 * random order of backends and of workloads */
	const char *stop_rule;
	/* How long a guest may say nothing outside a timed phase (setting up, calibrating)
	 * before its cell fails; the timed phase's deadline is the host's too (cellrun.c).
	 * 0: PLAN_QUIET_S. */
	unsigned quiet_s;
};

#define PLAN_QUIET_S 45

/* A guest's samples may last at most this long (ms) under profile pf: a guest announcing
 * longer ones fails its cell rather than stretch the host's deadline. */
static inline uint64_t profile_max_sample_ms(const struct profile *pf)
{
	uint64_t ms = 40 * pf->min_sample_ns / 1000000;
	return ms > 2000 ? ms : 2000;
}

/* Samples of round r (0-based) when n are split over rounds: as even as can be. */
static inline unsigned profile_round_share(unsigned n, unsigned rounds, unsigned r)
{
	return n / rounds + (r < n % rounds ? 1 : 0);
}

extern const struct profile profile_table[];
extern const size_t profile_count;
const struct profile *profile_find(const char *name);

struct plan {
	const struct backend_ops **backends;
	size_t nbackends;
	const struct workload_ops **workloads;
	size_t nworkloads;
	struct profile profile; /* a copy: --reps overrides */
};

/*
 * Builds the plan from comma-separated lists (NULL: every backend or workload that is
 * not for tests). A workload item may be a shell pattern ('trap.*': every one not for
 * tests that it matches). Unknown names, and patterns that match none, are -EINVAL with
 * a message naming the name and the known ones in err. A workload that a host workload
 * drives (WL_DRIVEN) is in no default and matches no pattern; named, it is -EINVAL too.
 */
int plan_build(struct plan *p, const char *backends, const char *workloads,
	       const struct profile *profile, char *err, size_t len) __must_check;
void plan_free(struct plan *p);

/* Whether wl is measured on b at all: the nanoguest's backends (BK_FREESTANDING) run only
 * what it implements, and what needs ring 0 runs nowhere else; what a host workload
 * drives (WL_DRIVEN) is a cell nowhere. Pairs that do not apply have no cell (not a
 * skipped one): nothing was asked of them. */
bool plan_applies(const struct backend_ops *b, const struct workload_ops *wl);

/* Named selections of workloads (vmbench run --preset). */
struct preset {
	const char *name;
	const char *summary;
	const char *workloads; /* a --workloads list */
};
extern const struct preset preset_table[];
extern const size_t preset_count;
const struct preset *preset_find(const char *name);

#endif
