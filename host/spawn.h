/* Starting a program without copying the harness: the child shares our memory until it
 * execs (as posix_spawn does), so a start costs no page-table copy and no copy-on-write
 * faults, which is most of a process start where page tables are expensive (a VM). */
#ifndef VMBENCH_SPAWN_H
#define VMBENCH_SPAWN_H

#include <sys/types.h>

#include "common/compiler.h"

struct spawn_exec {
	const char *path;  /* run as is, no PATH search */
	char *const *argv; /* argv[0] included, NULL-terminated */
	char *const *envp; /* NULL-terminated */
	int cpu;	   /* pinned to this CPU before the exec, or -1 */
};

/* Why a spawn_exec_piped failed, when it did: the step and its errno. */
enum spawn_step { SPAWN_OK, SPAWN_PIN, SPAWN_STDIO, SPAWN_EXEC };

/*
 * Runs x->path with stdin and stdout as pipes to us, like proc_spawn_piped: its own process
 * group, dies with us, default signal dispositions, stderr shared. Returns when the child
 * has exec'd or failed to. 0 or -errno; *step says which step failed (SPAWN_OK when the
 * failure was ours, before the child).
 */
int spawn_exec_piped(const struct spawn_exec *x, pid_t *pid, int *to, int *from,
		     enum spawn_step *step) __must_check;

#endif
