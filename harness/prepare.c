/* A run's host-side preparation: the agent's path, the descriptor limit, the test disk and
 * the guest image (built here on first use, which is why a run can take a while to start). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/wire.h"
#include "harness/image.h"
#include "harness/prepare.h"
#include "harness/testdisk.h"
#include "host/util.h"

char *prepare_agent(void)
{
	const char *env = getenv("VMBENCH_AGENT");
	char *dir, *path = NULL;

	if (env && *env)
		return strdup(env);
	dir = util_exe_dir();
	if (dir && asprintf(&path, "%s/vmbench-agent", dir) < 0)
		path = NULL;
	free(dir);
	return path;
}

char *prepare_agent_dir(const char *agent)
{
	char *dir = agent ? strdup(agent) : NULL;
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash)
		*slash = '\0';
	return dir;
}

int prepare_check_agent(const void *val, const char *arg, char *err, size_t len)
{
	struct stat st;

	if (stat(arg, &st) < 0 || access(arg, X_OK) < 0) {
		snprintf(err, len, "agent '%s' is not an executable file: %s", arg,
			 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, len, "agent '%s' is not a regular file", arg);
		return -EINVAL;
	}
	return 0;
}

void prepare_files_limit(void)
{
	struct rlimit files;

	/* Counters: one descriptor per event and host task (QEMU's I/O threads, UML's
	 * processes): the soft limit of 1024 could run out. */
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
		files.rlim_cur = files.rlim_max;
		(void)!setrlimit(RLIMIT_NOFILE, &files);
	}
}

/* The cache's test disk: its path, or NULL with the reason (or out of memory). */
static char *cache_disk(uint64_t mib, char *reason, size_t len)
{
	char *dir = util_cache_dir(), *path = NULL;

	if (dir && asprintf(&path, "%s/testdisk-%lluM.raw", dir, (unsigned long long)mib) < 0)
		path = NULL;
	free(dir);
	/* It travels in the agent protocol: one field, printable, no spaces. */
	if (path && (strchr(path, ' ') || !wire_printable(path))) {
		snprintf(reason, len, "the cache path %s has spaces; use --disk", path);
		free(path);
		path = NULL;
	}
	return path;
}

int prepare_disk(const struct plan *plan, const char *disk, unsigned mib, char **path, char *reason,
		 size_t len)
{
	bool need = false, provided = false;
	uint64_t bytes = (uint64_t)mib << 20;
	int ret;

	*path = NULL;
	reason[0] = '\0';
	for (size_t i = 0; i < plan->nworkloads; i++)
		need |= (plan->workloads[i]->needs & WL_NEEDS_DISK) != 0;
	for (size_t i = 0; i < plan->nbackends; i++)
		provided |= (plan->backends[i]->provides & WL_NEEDS_DISK) != 0;
	if (!need || !provided)
		return 0;
	if (disk) {
		*path = strdup(disk);
		if (!*path)
			return -ENOMEM;
		/* The user's disk is never written: one that cannot serve is bad input. */
		ret = testdisk_use(*path, reason, len);
		if (ret < 0)
			goto out_free;
		return 0;
	}
	*path = cache_disk(mib, reason, len);
	if (!*path)
		return reason[0] ? 0 : -ENOMEM;
	ret = testdisk_ensure(*path, bytes, reason, len);
	if (ret == 0)
		return 0;
	if (ret == -EINTR) {
		log_err("interrupted while creating the test disk");
	} else {
		/* Not the user's doing: the run goes on without the io workloads. */
		log_warn("io workloads will be skipped: %s", reason);
		ret = 0;
	}
out_free:
	free(*path);
	*path = NULL;
	return ret;
}

json_t *prepare_image(const struct plan *plan, const char *agent, const char *kernel, char *reason,
		      size_t len)
{
	bool need = false;
	char dir[PATH_MAX];

	for (size_t i = 0; i < plan->nbackends; i++)
		need |= (plan->backends[i]->flags & BK_NEEDS_IMAGE) != 0;
	if (!need)
		return NULL;
	char *cache = util_cache_dir(), *agent_dir = prepare_agent_dir(agent);
	struct image_req req = { .cache = cache,
				 .agent_dir = agent_dir ? agent_dir : ".",
				 .kernel = kernel,
				 .build = true };
	json_t *info = NULL;
	if (!cache)
		snprintf(reason, len, "out of memory");
	else if (image_locate(&req, dir, sizeof(dir), reason, len) == 0 &&
		 !(info = image_info(dir)))
		snprintf(reason, len, "cannot read the image's info in %.300s", dir);
	if (!info)
		log_warn("the VM backends will be skipped: %s", reason);
	free(cache);
	free(agent_dir);
	return info;
}
