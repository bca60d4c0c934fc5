/*
 * A running container's memory resized (lifecycle.resize): its cgroup's memory limit (v1's
 * memory.limit_in_bytes, v2's memory.max), the one the bundle set and the kernel holds its
 * processes to, written on the host as an OCI runtime's `update` does, without starting
 * one. The write returns once the kernel has reclaimed what is over the new limit; the
 * container sees the limit in its own cgroup's file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backends/ocibundle.h"
#include "common/meminfo.h"

/* The file of the last container resized: the first resize of a guest looks it up, the
 * ones after it only write (lifecycle.resize times those). A container's cgroup is named
 * after it, never again: a stale entry names a file that is gone, not another's. */
static struct {
	const void *guest; /* its backend state, with */
	pid_t pid;	   /* its process */
	char path[PATH_MAX];
} last;

/* The limit's file of g's container, into last. 0 or -errno with g->reason. */
static int find_limit(struct guest *g)
{
	char own[PATH_MAX];
	int ret;

	if (last.pid && last.pid == g->watched && last.guest == g->priv)
		return 0;
	last.pid = 0;
	/* The container's own process: the runtime (g->pid) is in vmbench's cgroup. */
	if (!g->watched) {
		snprintf(g->reason, sizeof(g->reason), "the container's process is not known");
		return -ESRCH;
	}
	ret = meminfo_limit_file(g->watched, false, last.path, sizeof(last.path));
	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason),
			 "cannot find the memory limit of the container's cgroup: %s",
			 strerror(-ret));
		return ret;
	}
	/* Ours is not the container's: never limit vmbench and what else shares its cgroup. */
	if (meminfo_limit_file(getpid(), false, own, sizeof(own)) == 0 &&
	    strcmp(own, last.path) == 0) {
		snprintf(g->reason, sizeof(g->reason),
			 "the container's process is in vmbench's own cgroup (%.150s)", own);
		return -EPERM;
	}
	last.pid = g->watched;
	last.guest = g->priv;
	return 0;
}

int oci_resize(struct guest *g, uint64_t bytes)
{
	char val[32];
	int ret = find_limit(g);

	if (ret < 0)
		return ret;
	int fd = open(last.path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot open %.200s: %s", last.path,
			 strerror(-ret));
		return ret;
	}
	int n = snprintf(val, sizeof(val), "%llu\n", (unsigned long long)bytes);
	ssize_t w = write(fd, val, (size_t)n);
	ret = w == n ? 0 : w < 0 ? -errno : -EIO;
	close(fd);
	if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot set %.200s to %llu MiB: %s",
			 last.path, (unsigned long long)(bytes >> 20), strerror(-ret));
	return ret;
}
