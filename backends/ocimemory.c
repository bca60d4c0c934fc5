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

int oci_resize(struct guest *g, uint64_t bytes)
{
	char path[PATH_MAX], val[32];
	int ret = meminfo_limit_file(guest_watched(g), false, path, sizeof(path));

	if (ret < 0) {
		snprintf(g->reason, sizeof(g->reason),
			 "cannot find the memory limit of the container's cgroup: %s",
			 strerror(-ret));
		return ret;
	}
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot open %.200s: %s", path,
			 strerror(-ret));
		return ret;
	}
	int n = snprintf(val, sizeof(val), "%llu\n", (unsigned long long)bytes);
	ssize_t w = write(fd, val, (size_t)n);
	ret = w == n ? 0 : w < 0 ? -errno : -EIO;
	close(fd);
	if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot set %.200s to %llu MiB: %s", path,
			 (unsigned long long)(bytes >> 20), strerror(-ret));
	return ret;
}
