/* Memory and cache facts of the machine the code runs on, shared by the agent (its guest's)
 * and the harness (the host's). */
#ifndef VMBENCH_MEMINFO_H
#define VMBENCH_MEMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MemAvailable and MemTotal from /proc/meminfo in bytes, or 0. */
uint64_t meminfo_available(void);
uint64_t meminfo_total(void);
/* The file that holds the memory limit of process pid's cgroup (0: this process's), as
 * this process's mounts show it: cgroup v1's memory.limit_in_bytes where the memory
 * controller has a hierarchy, else v2's memory.max. own_root: where the cgroup's path is not
 * under the mount, the mount's root (a container sees only its own cgroup there). 0 with
 * the path, or -errno (-ENOENT: none). */
int meminfo_limit_file(int pid, bool own_root, char *path, size_t len);
/* The memory limit of this process's cgroup, as the process sees it: 1 with *bytes, 0 when
 * there is none (no limit, or no cgroup in sight). A container's limit is memory it cannot
 * use although MemTotal counts it. */
int meminfo_cgroup_limit(uint64_t *bytes);
/* The size of the last-level cache from sysfs (the highest cache level), else from CPUID
 * (for kernels that export no cache sysfs, as UML), or 0; *source says which ("sysfs",
 * "cpuid", or NULL). */
uint64_t meminfo_llc(const char **source);

#endif
