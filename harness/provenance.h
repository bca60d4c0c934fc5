/* The provenance block of every results file: where, when, with what the numbers were made. */
#ifndef VMBENCH_PROVENANCE_H
#define VMBENCH_PROVENANCE_H

#include <jansson.h>

/* Collects host, kernel, CPU, tools, vmbench's git state and the command line. NULL on
 * ENOMEM; facts that cannot be read are null. */
json_t *provenance_collect(int argc, char **argv);
/* {"sha": ..., "dirty": bool} of the source tree vmbench was built from, or null. */
json_t *provenance_git(void);

#endif
