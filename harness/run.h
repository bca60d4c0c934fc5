/* Runs a plan: every backend, every workload, probes around each measured phase. */
#ifndef VMBENCH_RUN_H
#define VMBENCH_RUN_H

#include <stdbool.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "harness/plan.h"
#include "harness/results.h"

struct run_cfg {
	const struct plan *plan;
	struct backend_cfg backend;
	const char *out_path;	 /* results.json, rewritten atomically after every cell */
	const char *disk_reason; /* why backend.disk_path is NULL, when it is */
	/* The test disk is the user's (--disk) and may not be overwritten: the workloads that
	 * write it are skipped. */
	bool disk_keep;
	json_t *image; /* the guest image's info, for provenance, or NULL */
	int argc;      /* the command line, for provenance */
	char **argv;
	bool no_probes;	    /* run without any probe */
	json_t *lock;	    /* the measuring lock, for provenance: {held, waited_s | why} */
	unsigned long seed; /* of the random order */
	/* Tests only (--test-extra-work): see struct cellrun. */
	const char *extra_workload;
	unsigned extra_work;
};

/*
 * Runs the plan into res and out_path. A failing backend or workload becomes a failed cell
 * and the run goes on. Returns 0 when no cell failed, 1 when some did, -EINTR when the
 * user interrupted (what ran is written), other -errno when results cannot be written.
 */
int run_execute(const struct run_cfg *cfg, struct results *res) __must_check;

#endif
