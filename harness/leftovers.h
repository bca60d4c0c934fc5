/*
 * Nothing of a run stays on the host, however it ends. A run keeps what it puts on the
 * host in its state (host/runstate.h); a guard process, started with it and waiting on a
 * pipe only it holds, removes that state at once if the run dies without doing so (a
 * SIGKILL, a crash); what even the guard could not remove (the guard killed too) is removed
 * by the next run and by `vmbench doctor --clean`, each saying what it removed.
 */
#ifndef VMBENCH_LEFTOVERS_H
#define VMBENCH_LEFTOVERS_H

#include <stddef.h>

#include "common/compiler.h"

/* Removes what killed runs left, logging each run's list. The number of killed runs
 * found, or -errno when the state directory cannot be used. */
int leftovers_sweep(void);
/* Opens this run's state and starts its guard. 0, or -errno with err saying why (the run
 * goes on without: a kill may then leave things behind). */
int leftovers_guard(char *err, size_t len) __must_check;
/* The run ends normally: its state is removed and its guard ends. */
void leftovers_end(void);

#endif
