/*
 * One measuring run at a time on a host: two runs share the CPUs and corrupt each other's
 * numbers, while each marks them ok. One lock file for all users of the host
 * (/run/lock/vmbench-measure.lock), held with flock(2) for the run's life (the kernel
 * drops it when the holder dies, however); whoever finds it taken learns the holder from
 * the kernel (/proc/locks), not from anything a user could write.
 */
#ifndef VMBENCH_RUNLOCK_H
#define VMBENCH_RUNLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"

/* The lock file's path ($VMBENCH_LOCK overrides the host's): 0 or -errno. */
int runlock_path(char *buf, size_t len) __must_check;
/*
 * Takes the lock. Held by another run: with wait, says so once (log) and waits, else
 * returns -EBUSY; holder describes the holder either way ("pid 123: vmbench run ...").
 * -EINTR when a signal ended the wait; other -errno when the lock cannot be used (holder
 * says why). *waited_s: the seconds waited.
 */
int runlock_take(bool wait, char *holder, size_t len, double *waited_s) __must_check;
/* The lock's descriptor while held (a guard process keeps it until it has cleaned up),
 * else -1. */
int runlock_fd(void);
void runlock_release(void);

#endif
