/*
 * Raising vm.max_map_count while UML guests run, and putting it back when the last one
 * ends. UML maps guest pages into the host process of each guest address space one by
 * one, so a guest process that touches N pages needs about N host mappings: Debian's
 * default of 65530 ends a guest process near 256 MiB ("UML ran out of memory on the host
 * side"). Newer distributions default to 1048576.
 *
 * Several vmbench processes may run UML at once, and one may die without cleaning up, so
 * the users are recorded in a state file under a lock: "ORIGINAL RAISED" on the first
 * line, then one live pid per line. The first user saves the original value and raises
 * it; the last one to leave restores it, unless someone else changed it meanwhile. A user
 * that died is dropped by the next one that takes the lock.
 */
#ifndef VMBENCH_MAPCOUNT_H
#define VMBENCH_MAPCOUNT_H

#include <jansson.h>

#define MAPCOUNT_SYSCTL "/proc/sys/vm/max_map_count"
#define MAPCOUNT_STATE	"/run/vmbench-max_map_count"

/*
 * Makes sure the limit (the file sysctl) is at least need while this process runs guests,
 * registering it in the state file. Returns what was found and done, for provenance:
 * {host, needed, during_run, action}, host being the value before any vmbench raised it;
 * action says "raised", "not needed" or why it could not be raised.
 */
json_t *mapcount_acquire(const char *sysctl, const char *state, long need);
/* This process's guests have ended: the last user restores the original value. */
void mapcount_release(const char *sysctl, const char *state);

#endif
