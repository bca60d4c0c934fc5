/* Memory and cache facts of the machine the code runs on (the host's, or a guest's). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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

/* v1's memory.limit_in_bytes of a cgroup without a limit is the largest page count in
 * bytes, near 2^63. Anything past 2^56 (64 PiB, the most the host takes in MEM) is no
 * limit. */
#define NO_LIMIT (1ull << 56)

int meminfo_limit_file(int pid, bool own_root, char *path, size_t len)
{
	char name[64], line[1024];
	FILE *f;
	int ret = -ENOENT;

	if (pid)
		snprintf(name, sizeof(name), "/proc/%d/cgroup", pid);
	f = fopen(pid ? name : "/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	/* "id:controllers:path": v1's memory controller has its own hierarchy (its line names
	 * it); v2's is the line "0::path". Where both are, v1's holds the limit. */
	bool whole = true; /* the line read begins a line */
	while (ret < 0 && fgets(line, sizeof(line), f)) {
		bool begins = whole;
		whole = strchr(line, '\n') != NULL;
		/* A line longer than the buffer names no cgroup this process can hold. */
		if (!begins || !whole)
			continue;
		char *ctl = strchr(line, ':'), *cg = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!cg)
			continue;
		*cg++ = '\0';
		cg[strcspn(cg, "\n")] = '\0';
		bool v2 = !strcmp(ctl + 1, "");
		char ctls[256];
		if ((size_t)snprintf(ctls, sizeof(ctls), ",%s,", ctl + 1) >= sizeof(ctls) ||
		    (!v2 && !strstr(ctls, ",memory,")))
			continue;
		/* The root of the hierarchy is the host's (or an outer container's) whole
		 * memory: never the file of a guest's own cgroup. */
		if (!own_root && strcmp(cg, "/") == 0)
			continue;
		const char *mnt = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
		const char *file = v2 ? "memory.max" : "memory.limit_in_bytes";
		/* Where only the process's own cgroup is mounted (a cgroup namespace, or a
		 * runtime that mounts just the container's), the mount's root is it. */
		if ((size_t)snprintf(path, len, "%s%s/%s", mnt, strcmp(cg, "/") ? cg : "", file) <
			    len &&
		    access(path, F_OK) == 0)
			ret = 0;
		else if (own_root && (size_t)snprintf(path, len, "%s/%s", mnt, file) < len &&
			 access(path, F_OK) == 0)
			ret = 0;
	}
	fclose(f);
	return ret;
}

int meminfo_cgroup_limit(uint64_t *bytes)
{
	char path[PATH_MAX], word[32] = "";
	unsigned long long v;
	char end;

	if (meminfo_limit_file(0, true, path, sizeof(path)) < 0)
		return 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int n = fscanf(f, "%31s", word);
	fclose(f);
	/* v2 says "max" for none, v1 a number near 2^63. */
	if (n != 1 || sscanf(word, "%llu%c", &v, &end) != 1 || v > NO_LIMIT || v == 0)
		return 0;
	*bytes = v;
	return 1;
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
