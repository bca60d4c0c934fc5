/*
 * procstat: page faults (waited-for children included) and context switches (all threads,
 * no children) of the guest's host process, from /proc. For native and containers that is
 * the agent; for a VM, the hypervisor process as the host sees it; for UML, its kernel
 * process (not the host processes of its guest's address spaces).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/perfev.h"
#include "host/util.h"
#include "probes/probe.h"

static int procstat_available(const struct guest *g, char *reason, size_t len)
{
	char path[64];

	/* The fallback where perf_event_open is not allowed (perf_event_paranoid). */
	if (perfev_try("task-clock", guest_watched(g), reason, len) == 0) {
		snprintf(reason, len, "the perf probe counts these here");
		return -EEXIST;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)guest_watched(g));
	char *text = util_read_file(path, 4096, NULL);
	if (!text) {
		snprintf(reason, len, "cannot read %s: %s", path, strerror(errno));
		return -ENOENT;
	}
	free(text);
	return 0;
}

/* Fields of /proc/<pid>/stat after the command name: (3) state ... (10) minflt
 * (11) cminflt (12) majflt (13) cmajflt. */
static int read_faults(int pid, double *faults)
{
	char path[64];
	unsigned long long minflt, cminflt, majflt, cmajflt;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	char *text = util_read_file(path, 4096, NULL);
	if (!text)
		return -errno;
	char *p = strrchr(text, ')');
	int n = p ? sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %llu %llu %llu %llu", &minflt,
			   &cminflt, &majflt, &cmajflt)
		  : 0;
	free(text);
	if (n != 4)
		return -EPROTO;
	*faults = (double)(minflt + cminflt + majflt + cmajflt);
	return 0;
}

/* Voluntary and involuntary switches of every thread of pid (its children are not
 * counted: /proc keeps no totals of them). */
static int read_switches(int pid, double *switches)
{
	char path[64], line[256];
	unsigned long long v, sum = 0;
	struct dirent *e;
	int threads = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char status[96];
		snprintf(status, sizeof(status), "/proc/%d/task/%.16s/status", pid, e->d_name);
		FILE *f = fopen(status, "re");
		if (!f)
			continue; /* the thread ended meanwhile */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
				sum += v;
		fclose(f);
		threads++;
	}
	closedir(d);
	if (!threads)
		return -EPROTO;
	*switches = (double)sum;
	return 0;
}

static int procstat_snapshot(struct probe *p, struct probe_snapshot *out)
{
	double faults = 0, switches = 0;
	int pid = (int)guest_watched(p->guest);
	int ret = read_faults(pid, &faults);

	if (ret == 0)
		ret = read_switches(pid, &switches);
	if (ret < 0)
		return ret;
	probe_put(out, "page-faults", PROBE_COUNTER, faults);
	probe_put(out, "context-switches", PROBE_COUNTER, switches);
	return 0;
}

const struct probe_ops probe_procstat = {
	.abi = PROBE_ABI,
	.name = "procstat",
	.summary = "page faults and context switches of the guest's host process (/proc)",
	.available = procstat_available,
	.snapshot = procstat_snapshot,
};
