/* What the host offers: KVM, PMU events, topology, tools. Used by doctor and provenance. */
#ifndef VMBENCH_HOSTINFO_H
#define VMBENCH_HOSTINFO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"

struct host_kvm {
	bool device;	 /* /dev/kvm exists */
	bool accessible; /* and opens read-write */
	int api_version; /* KVM_GET_API_VERSION, or -1 */
	const char *ext; /* "vmx", "svm" or NULL: hardware virtualization in the CPU flags */
	bool in_guest;	 /* the CPU flags say this host is itself a virtual machine */
	char summary[256];
};

struct host_event {
	const char *name;
	bool ok;
	char reason[96]; /* why it cannot be opened */
};

struct host_pmu {
	bool pfm_ok;		 /* libpfm4 initialized */
	char pmus[256];		 /* PMUs libpfm4 finds present, comma-separated */
	struct host_event hw[5]; /* the probes' default hardware events (PERFEV_DEFAULT_HW) */
	struct host_event sw[2]; /* task-clock, page-faults */
};

void host_kvm_info(struct host_kvm *k);
void host_pmu_info(struct host_pmu *p);
/* /proc/sys/kernel/perf_event_paranoid, or INT_MIN when unreadable. */
int host_perf_paranoid(void);
/*
 * Topology from hwloc as a JSON object (packages, cores, pus, smt), and the measurement
 * CPU: the first PU of the last core, so the harness can stay on the others. NULL when
 * hwloc fails; *cpu is then -1.
 */
json_t *host_topology(int *cpu);
/* Versions of the Debian packages vmbench drives: {"qemu-system-x86": "1:7.2...", ...},
 * null for those not installed. */
json_t *host_tool_versions(void);
/*
 * The host's time-stamp counter frequency in kHz, measured once against CLOCK_MONOTONIC_RAW:
 * what a guest's TSC runs at under QEMU (TCG reads the host's counter, KVM passes it on
 * unscaled). -1 with why where the TSC is missing or not invariant.
 */
long host_tsc_khz(char *why, size_t len);

#endif
