/* Memory and cache facts of the machine the code runs on, shared by the agent (its guest's)
 * and the harness (the host's). */
#ifndef VMBENCH_MEMINFO_H
#define VMBENCH_MEMINFO_H

#include <stdint.h>

/* MemAvailable and MemTotal from /proc/meminfo in bytes, or 0. */
uint64_t meminfo_available(void);
uint64_t meminfo_total(void);
/* The size of the last-level cache from sysfs (the highest cache level), else from CPUID
 * (for kernels that export no cache sysfs, as UML), or 0; *source says which ("sysfs",
 * "cpuid", or NULL). */
uint64_t meminfo_llc(const char **source);

#endif
