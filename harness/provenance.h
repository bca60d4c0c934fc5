/* The provenance block of every results file: where, when, with what the numbers were made. */
#ifndef VMBENCH_PROVENANCE_H
#define VMBENCH_PROVENANCE_H

#include <jansson.h>

#include "backends/backend.h"
#include "harness/plan.h"

/* Collects host, kernel, CPU, tools, vmbench's git state and the command line. NULL on
 * ENOMEM; facts that cannot be read are null. */
json_t *provenance_collect(int argc, char **argv);
/* {"sha": ..., "dirty": bool} of the source tree vmbench was built from, or null. */
json_t *provenance_git(void);
/* Where a backend ran: {"measurement_cpu": cpu or null, "harness_cpus": [...]}. */
json_t *provenance_binding(int cpu);
/* The run block's settings: the profile as run (rounds: after schedule_rounds), the
 * measurement CPU and the guest's size. NULL on ENOMEM. */
json_t *provenance_run(const struct profile *pf, unsigned rounds, const struct backend_cfg *b);

#endif
