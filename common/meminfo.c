/* Memory and cache facts of the machine the code runs on (the host's, or a guest's). */
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "common/meminfo.h"

#define MIB (1024ull * 1024)

/* A "Name: N kB" line of /proc/meminfo in bytes, or 0. */
static uint64_t meminfo_field(const char *name)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kb = 0;
	size_t len = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

uint64_t meminfo_available(void)
{
	return meminfo_field("MemAvailable");
}

uint64_t meminfo_total(void)
{
	return meminfo_field("MemTotal");
}

#if defined(__x86_64__)
/* The largest cache CPUID's deterministic cache parameters describe: leaf 4 (Intel) or
 * 0x8000001d (AMD), subleaf by subleaf. For kernels that export no cache sysfs (UML). */
static uint64_t llc_bytes_cpuid(void)
{
	unsigned a, b, c, d, max_ext = __get_cpuid_max(0x80000000u, NULL);
	unsigned leaves[2] = { 4, 0x8000001du };
	uint64_t best = 0;

	for (int l = 0; l < 2; l++) {
		if (leaves[l] > 0x80000000u ? max_ext < leaves[l] : __get_cpuid_max(0, NULL) < 4)
			continue;
		for (unsigned sub = 0; sub < 16; sub++) {
			if (!__get_cpuid_count(leaves[l], sub, &a, &b, &c, &d) || (a & 0x1f) == 0)
				break; /* type 0: no more caches */
			uint64_t ways = ((b >> 22) & 0x3ff) + 1, parts = ((b >> 12) & 0x3ff) + 1;
			uint64_t line = (b & 0xfff) + 1, sets = (uint64_t)c + 1;
			if (ways * parts * line * sets > best)
				best = ways * parts * line * sets;
		}
		if (best)
			break;
	}
	return best;
}
#else
static uint64_t llc_bytes_cpuid(void)
{
	return 0;
}
#endif

uint64_t meminfo_llc(const char **source)
{
	uint64_t best = 0;
	int best_level = 0;

	for (int i = 0; i < 8; i++) {
		char path[96];
		unsigned long long v;
		char unit = 0;
		int level = 0;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%d", &level) != 1)
			level = 0;
		fclose(f);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%llu%c", &v, &unit) >= 1 && level >= best_level) {
			best_level = level;
			best = v * (unit == 'K' ? 1024 : unit == 'M' ? MIB : 1);
		}
		fclose(f);
	}
	*source = "sysfs";
	if (!best) {
		best = llc_bytes_cpuid();
		*source = best ? "cpuid" : NULL;
	}
	return best;
}
