/* perf_event counters on host task trees: see perfev.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

#include "host/perfev.h"
#include "host/util.h"

static bool pfm_ready(void)
{
	static int state; /* 0 not tried, 1 ok, -1 failed */

	if (!state)
		state = pfm_initialize() == PFM_SUCCESS ? 1 : -1;
	return state > 0;
}

static int pfm_encode(const char *name, struct perf_event_attr *attr, char *err, size_t len)
{
	pfm_perf_encode_arg_t arg;

	if (!pfm_ready()) {
		snprintf(err, len, "libpfm4 did not initialize");
		return -ENOENT;
	}
	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	int ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(err, len, "libpfm4 does not know '%s': %s", name, pfm_strerror(ret));
		return -ENOENT;
	}
	attr->size = sizeof(*attr);
	return 0;
}

int perfev_check_pfm(const char *name, char *err, size_t len)
{
	struct perf_event_attr attr;
	int ret = pfm_encode(name, &attr, err, len);

	if (ret == 0 && attr.type == PERF_TYPE_TRACEPOINT) {
		snprintf(err, len, "'%s' is a tracepoint, not a hardware or software event", name);
		return -ENOENT;
	}
	return ret;
}

static long read_id(const char *base, const char *sys, const char *name)
{
	char path[512], buf[32];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", base, sys, name);
	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* The tracepoint's id from tracefs; where tracefs is not mounted, from a child that mounts
 * it in a mount namespace of its own, so the host's mounts stay as they were. */
static long tracepoint_lookup(const char *sys, const char *name)
{
	long id = read_id("/sys/kernel/tracing", sys, name);
	int fds[2], status;

	if (id < 0)
		id = read_id("/sys/kernel/debug/tracing", sys, name);
	if (id >= 0 || pipe2(fds, O_CLOEXEC) < 0)
		return id;
	pid_t pid = fork();
	if (pid == 0) {
		long v = -1;
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
			v = read_id("/sys/kernel/tracing", sys, name);
		(void)!write(fds[1], &v, sizeof(v));
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &id, sizeof(id)) != sizeof(id))
		id = -1;
	close(fds[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return id;
}

/* Ids do not change while the kernel runs: each is looked up once per process. */
static long tracepoint_id(const char *sys, const char *name)
{
	static struct {
		char key[130];
		long id;
	} cache[32];
	static size_t n;
	char key[130];

	snprintf(key, sizeof(key), "%s:%s", sys, name);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cache[i].key, key))
			return cache[i].id;
	long id = tracepoint_lookup(sys, name);
	if (id >= 0 && n < sizeof(cache) / sizeof(cache[0])) {
		snprintf(cache[n].key, sizeof(cache[n].key), "%s", key);
		cache[n++].id = id;
	}
	return id;
}

int perfev_encode(const char *event, struct perf_event_attr *attr, char *err, size_t len)
{
	char sys[64], name[64];

	if (pfm_encode(event, attr, err, len) == 0)
		return 0;
	if (sscanf(event, "%63[a-z0-9_]:%63[a-z0-9_]", sys, name) != 2)
		return -ENOENT;
	long id = tracepoint_id(sys, name);
	if (id < 0) {
		snprintf(err, len, "no tracepoint %s:%s on this kernel (or tracefs unreadable)",
			 sys, name);
		return -ENOENT;
	}
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = (unsigned long long)id;
	return 0;
}

static void add_threads(pid_t pid, pid_t *tids, size_t max, size_t *n)
{
	char path[64];
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	while (d && *n < max && (e = readdir(d)))
		if (e->d_name[0] != '.')
			tids[(*n)++] = (pid_t)atoi(e->d_name);
	if (d)
		closedir(d);
}

size_t perfev_tree(const pid_t *roots, size_t nroots, pid_t *tids, size_t max)
{
	pid_t procs[PERFEV_MAX_TASKS];
	size_t nprocs = 0, n = 0;
	bool grew = true;

	for (size_t i = 0; i < nroots && nprocs < PERFEV_MAX_TASKS; i++) {
		bool dup = false;
		for (size_t j = 0; j < nprocs; j++)
			dup |= procs[j] == roots[i];
		if (roots[i] > 0 && !dup)
			procs[nprocs++] = roots[i];
	}
	if (!nprocs)
		return 0;
	/* Descendants: processes whose parent is in the set, until it stops growing. */
	while (grew && nprocs < PERFEV_MAX_TASKS) {
		grew = false;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) && nprocs < PERFEV_MAX_TASKS) {
			int pid = atoi(e->d_name), ppid = pid > 0 ? util_ppid(pid) : -1;
			if (ppid <= 0)
				continue;
			bool parent_in = false, in = false;
			for (size_t i = 0; i < nprocs; i++) {
				parent_in |= procs[i] == ppid;
				in |= procs[i] == pid;
			}
			if (parent_in && !in) {
				procs[nprocs++] = pid;
				grew = true;
			}
		}
		if (d)
			closedir(d);
	}
	for (size_t i = 0; i < nprocs; i++)
		add_threads(procs[i], tids, max, &n);
	return n;
}

int perfev_open(struct perfev *ev, struct perf_event_attr *attr, const pid_t *tids, size_t ntids,
		char *err, size_t len)
{
	ev->n = 0;
	attr->inherit = 1;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	for (size_t i = 0; i < ntids && ev->n < PERFEV_MAX_TASKS; i++) {
		long fd = syscall(SYS_perf_event_open, attr, tids[i], -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0) {
			ev->fds[ev->n++] = (int)fd;
			continue;
		}
		if (errno == ESRCH)
			continue; /* the thread ended meanwhile */
		int e = errno;
		snprintf(err, len, "perf_event_open: %s", strerror(e));
		perfev_close(ev);
		return -e;
	}
	if (ev->n)
		return 0;
	snprintf(err, len, "perf_event_open: every task ended");
	return -ESRCH;
}

int perfev_read(const struct perfev *ev, double *count, double *enabled, double *running)
{
	*count = *enabled = *running = 0;
	for (size_t i = 0; i < ev->n; i++) {
		unsigned long long v[3];
		if (read(ev->fds[i], v, sizeof(v)) != (ssize_t)sizeof(v))
			return -EIO;
		*count += (double)v[0];
		*enabled += (double)v[1];
		*running += (double)v[2];
	}
	return 0;
}

int perfev_try(const char *event, pid_t tid, char *err, size_t len)
{
	struct perf_event_attr attr;
	struct perfev ev;
	int ret = perfev_encode(event, &attr, err, len);

	if (ret == 0)
		ret = perfev_open(&ev, &attr, &tid, 1, err, len);
	if (ret == 0)
		perfev_close(&ev);
	return ret;
}

void perfev_close(struct perfev *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		close(ev->fds[i]);
	ev->n = 0;
}
