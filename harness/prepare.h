/* What a run needs on the host before it measures: the agent, enough file descriptors, the
 * test disk and the guest image. */
#ifndef VMBENCH_PREPARE_H
#define VMBENCH_PREPARE_H

#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/plan.h"

/* The guest every VM backend boots. */
#define PREPARE_VCPUS	1
#define PREPARE_MEM_MIB 512

/* The agent when --agent is not given: $VMBENCH_AGENT, or vmbench-agent next to this
 * executable. malloc'd; NULL when neither can be said. */
char *prepare_agent(void);
/* The directory of agent, which also holds vmbench-true and fio/; malloc'd, or NULL. */
char *prepare_agent_dir(const char *agent);
/* The cliopt check of --agent: an executable regular file. 0 or -EINVAL with err. */
int prepare_check_agent(const void *val, const char *arg, char *err, size_t len) __must_check;

/* Raises the soft limit of open files to the hard one (best effort). */
void prepare_files_limit(void);

/*
 * The test disk, when a planned workload needs one and a planned backend provides it:
 * disk (the user's, never written here; NULL: testdisk-<mib>M.raw in the cache). Sets
 * *path (malloc'd) or, when the io workloads are to be skipped, *reason. 0; -EINVAL when the
 * user's disk cannot serve (why in reason); -EINTR; -ENOMEM.
 */
int prepare_disk(const struct plan *plan, const char *disk, unsigned mib, char **path, char *reason,
		 size_t len) __must_check;

/* The guest image, built when missing, when a planned backend boots it: its info, or NULL
 * with the reason. */
json_t *prepare_image(const struct plan *plan, const char *agent, const char *kernel, char *reason,
		      size_t len);

#endif
