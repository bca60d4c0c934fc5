/*
 * What a run puts on the host, kept where it can be found again if the run is killed:
 * a directory per run (named by the pid and start time of its process) that holds the
 * backends' runtime directories and one file per thing outside it (a container, a
 * temporary directory), and a cgroup (v2) that every child process of the run joins.
 * A run that ends normally removes all of it; what a killed run left is removed by its
 * guard process at once (harness/leftovers.c), else by the next run or
 * `vmbench doctor --clean`, which find it by the run's pid no longer being alive.
 */
#ifndef VMBENCH_RUNSTATE_H
#define VMBENCH_RUNSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"

/* How a leftover is removed: a directory tree, empty directories (cgroups), a program run
 * with arguments (a container runtime's delete), or mount points (lazily unmounted). */
enum runstate_undo { UNDO_RMTREE, UNDO_RMDIR, UNDO_RUN, UNDO_UMOUNT };

/* Where every run keeps its directory: /run/vmbench for root, else $XDG_RUNTIME_DIR/vmbench
 * or /tmp/vmbench-UID; $VMBENCH_STATE_DIR overrides (tests). Created 0700 when missing. */
int runstate_base(char *buf, size_t len) __must_check;
/* Makes this process's run directory and, where cgroup v2 is mounted and writable, its
 * cgroup; children started afterwards join it. 0, or -errno with err saying why. */
int runstate_open(char *err, size_t len) __must_check;
/* This run's directory, or NULL when runstate_open did not succeed. */
const char *runstate_dir(void);
/* The descriptor of the run cgroup's cgroup.procs, which a child writes "0" to in order
 * to join it, or -1. */
int runstate_cgroup_fd(void);
/* This process starts no more children into the run's cgroup (a guard). */
void runstate_leave(void);
/* Records a leftover called name (unique in the run: a file name) and how to undo it:
 * words are the path (UNDO_RMTREE, UNDO_RMDIR) or an argv with an absolute argv[0]
 * (UNDO_RUN), NULL-terminated. Best effort: a run is not refused for it. */
void runstate_note(const char *name, enum runstate_undo how, const char *const *words);
/* The leftover called name was removed by its owner. */
void runstate_forget(const char *name);
/* Removes a run directory: kills its cgroup's processes, undoes its notes, removes the
 * tree. Appends what it removed to said (a comma-separated list). The number of things
 * removed. */
int runstate_clean(const char *dir, char *said, size_t len);
/* Ends this run's state: as runstate_clean on its own directory. */
void runstate_close(void);
/* Calls fn for each run directory under base whose process is no longer alive. The
 * number of such directories. */
int runstate_each_stale(const char *base, void (*fn)(const char *dir, int pid, void *arg),
			void *arg);
/* Whether the run whose directory is called name ("PID.START") is alive. */
bool runstate_alive(const char *name);

#endif
