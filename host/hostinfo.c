/* What the host offers: KVM, PMU events (libpfm4 + perf_event_open), topology (hwloc), tools. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <hwloc.h>
#include <perfmon/pfmlib_perf_event.h>

#include "host/hostinfo.h"
#include "host/perfev.h"
#include "host/process.h"
#include "host/util.h"

/* Does the "flags" line of /proc/cpuinfo hold this flag? */
static bool cpu_has_flag(const char *cpuinfo, const char *flag)
{
	const char *line = cpuinfo ? strstr(cpuinfo, "\nflags") : NULL;
	if (!line)
		return false;
	const char *end = strchr(line + 1, '\n');
	size_t fl = strlen(flag);
	for (const char *p = strchr(line, ':'); p && (!end || p < end); p = strchr(p + 1, ' '))
		if (strncmp(p + 1, flag, fl) == 0 && (p[1 + fl] == ' ' || p[1 + fl] == '\n'))
			return true;
	return false;
}

void host_kvm_info(struct host_kvm *k)
{
	char *cpuinfo = util_read_file("/proc/cpuinfo", 1 << 22, NULL);

	memset(k, 0, sizeof(*k));
	k->api_version = -1;
	k->ext = cpu_has_flag(cpuinfo, "vmx") ? "vmx" : cpu_has_flag(cpuinfo, "svm") ? "svm" : NULL;
	k->in_guest = cpu_has_flag(cpuinfo, "hypervisor");
	free(cpuinfo);

	k->device = access("/dev/kvm", F_OK) == 0;
	int fd = k->device ? open("/dev/kvm", O_RDWR | O_CLOEXEC) : -1;
	int err = errno;
	if (fd >= 0) {
		k->accessible = true;
		k->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
		close(fd);
	}
	if (!k->device)
		snprintf(k->summary, sizeof(k->summary),
			 "none: /dev/kvm is missing (no kvm module, or no hardware support)");
	else if (!k->accessible)
		snprintf(k->summary, sizeof(k->summary), "/dev/kvm is not usable: %s",
			 strerror(err));
	else if (k->ext)
		snprintf(k->summary, sizeof(k->summary), "hardware-assisted (%s)%s, KVM API %d",
			 k->ext, k->in_guest ? ", nested in a virtual machine" : "",
			 k->api_version);
	else
		snprintf(k->summary, sizeof(k->summary),
			 "/dev/kvm works (API %d) but the CPU shows no VMX/SVM%s: KVM likely "
			 "executes guest code in software",
			 k->api_version, k->in_guest ? " and this host is itself a guest" : "");
}

/* Whether name can be counted on ourselves. */
static void try_event(struct host_event *e, const char *name, bool pfm_ok)
{
	e->name = name;
	e->ok = false;
	if (!pfm_ok) {
		snprintf(e->reason, sizeof(e->reason), "libpfm4 did not initialize");
		return;
	}
	e->ok = perfev_try(name, getpid(), e->reason, sizeof(e->reason)) == 0;
}

void host_pmu_info(struct host_pmu *p)
{
	memset(p, 0, sizeof(*p));
	p->pfm_ok = pfm_initialize() == PFM_SUCCESS;
	for (int pmu = PFM_PMU_NONE + 1; p->pfm_ok && pmu < PFM_PMU_MAX; pmu++) {
		pfm_pmu_info_t info;
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info((pfm_pmu_t)pmu, &info) != PFM_SUCCESS || !info.is_present)
			continue;
		size_t used = strlen(p->pmus);
		snprintf(p->pmus + used, sizeof(p->pmus) - used, "%s%s", used ? "," : "",
			 info.name);
	}
	static const char *const hw[PERFEV_NDEFAULT_HW] = PERFEV_DEFAULT_HW;
	_Static_assert(sizeof(p->hw) / sizeof(p->hw[0]) == PERFEV_NDEFAULT_HW, "hw events");
	for (size_t i = 0; i < PERFEV_NDEFAULT_HW; i++)
		try_event(&p->hw[i], hw[i], p->pfm_ok);
	try_event(&p->sw[0], "task-clock", p->pfm_ok);
	try_event(&p->sw[1], "page-faults", p->pfm_ok);
}

int host_perf_paranoid(void)
{
	char buf[32];

	if (util_read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) < 0)
		return INT_MIN;
	return atoi(buf);
}

json_t *host_topology(int *cpu)
{
	hwloc_topology_t topo;

	*cpu = -1;
	if (hwloc_topology_init(&topo) < 0)
		return NULL;
	if (hwloc_topology_load(topo) < 0) {
		hwloc_topology_destroy(topo);
		return NULL;
	}
	int packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	int numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	hwloc_obj_t last =
		cores > 0 ? hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)cores - 1)
			  : hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)pus - 1);
	if (last && last->cpuset)
		*cpu = hwloc_bitmap_first(last->cpuset);
	hwloc_topology_destroy(topo);
	return json_pack("{s:i, s:i, s:i, s:i, s:b}", "packages", packages, "cores", cores, "pus",
			 pus, "numa_nodes", numa, "smt", cores > 0 && pus > cores);
}

json_t *host_tool_versions(void)
{
	/* gnuplot comes as -nox (what vmbench installs), -qt or -x11: each is the same
	 * gnuplot for the plots. */
	static const char *const pkgs[] = {
		"linux-perf",  "qemu-system-x86", "runc",
		"crun",	       "runsc",		  "user-mode-linux",
		"fio",	       "gnuplot-nox",	  "gnuplot-qt",
		"gnuplot-x11", "busybox-static",
	};
	char *argv[ARRAY_SIZE(pkgs) + 4];
	char out[4096];
	json_t *tools = json_object();

	if (!tools)
		return NULL;
	argv[0] = "dpkg-query";
	argv[1] = "-W";
	argv[2] = "-f=${db:Status-Abbrev} ${Package} ${Version}\\n";
	for (size_t i = 0; i < ARRAY_SIZE(pkgs); i++) {
		argv[3 + i] = (char *)pkgs[i];
		json_object_set_new(tools, pkgs[i], json_null());
	}
	argv[3 + ARRAY_SIZE(pkgs)] = NULL;
	if (proc_capture(argv, out, sizeof(out), 5000) < 0)
		return tools;
	/* Lines "ii  <package> <version>" for installed packages; errors for the others. */
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char status[8], pkg[64], version[64];
		if (sscanf(line, "%7s %63s %63s", status, pkg, version) == 3 &&
		    strcmp(status, "ii") == 0 && json_object_get(tools, pkg))
			json_object_set_new(tools, pkg, json_string(version));
	}
	return tools;
}

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>

/* Time-stamp counter ticks per millisecond of CLOCK_MONOTONIC_RAW over about 10 ms. */
static double tsc_khz_once(void)
{
	struct timespec a, b, nap = { 0, 10000000 };
	unsigned long long t0, t1;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __rdtsc();
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	t1 = __rdtsc();
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	return ms > 0 ? (double)(t1 - t0) / ms : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
#endif

long host_tsc_khz(char *why, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	static long khz;
	static char reason[128];

	if (khz == 0) {
		char *cpuinfo = util_read_file("/proc/cpuinfo", 1 << 22, NULL);
		if (!cpu_has_flag(cpuinfo, "constant_tsc") ||
		    !cpu_has_flag(cpuinfo, "nonstop_tsc")) {
			snprintf(reason, sizeof(reason),
				 "the host's TSC is not invariant (no constant_tsc and "
				 "nonstop_tsc)");
			khz = -1;
		} else {
			/* The median of three: one nap that overslept or one migration between
			 * the clock reads does not decide. */
			double v[3];
			for (int i = 0; i < 3; i++)
				v[i] = tsc_khz_once();
			qsort(v, 3, sizeof(v[0]), cmp_double);
			khz = v[1] >= 1000 ? (long)(v[1] + 0.5) : -1;
			if (khz < 0)
				snprintf(reason, sizeof(reason), "the TSC did not count (%.0f kHz)",
					 v[1]);
		}
		free(cpuinfo);
	}
	if (khz < 0)
		snprintf(why, len, "%s", reason);
	return khz;
#else
	snprintf(why, len, "no time-stamp counter on this architecture");
	return -1;
#endif
}
