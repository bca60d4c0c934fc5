/* vm.max_map_count for UML guests: see mapcount.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/mapcount.h"
#include "host/util.h"

#define MAX_USERS 64

struct users {
	long original, raised; /* -1: none saved */
	int n;
	pid_t pid[MAX_USERS];
};

static long read_value(const char *path)
{
	char buf[32], *end;

	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return -1;
	long v = strtol(buf, &end, 10);
	return end == buf || v < 0 ? -1 : v;
}

static int write_value(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0)
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* A process that has ended but is not yet reaped (a zombie) is gone for this purpose: the
 * guard of a killed run sweeps while the run is one. */
static bool alive(pid_t pid)
{
	char path[64], buf[512];

	if (kill(pid, 0) < 0 && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return true;
	const char *p = strrchr(buf, ')');
	return !p || p[1] != ' ' || p[2] != 'Z';
}

/* Reads the state from fd, keeping the users that are alive and not us. */
static void users_read(int fd, struct users *u)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	int off = 0, used;

	u->original = u->raised = -1;
	u->n = 0;
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %ld%n", &u->original, &u->raised, &off) != 2) {
		u->original = u->raised = -1;
		return;
	}
	while (u->n < MAX_USERS && sscanf(buf + off, "%ld%n", &pid, &used) == 1) {
		off += used;
		if (pid > 0 && pid != getpid() && alive((pid_t)pid))
			u->pid[u->n++] = (pid_t)pid;
	}
}

static void users_write(int fd, const struct users *u)
{
	char buf[4096];
	int len = snprintf(buf, sizeof(buf), "%ld %ld\n", u->original, u->raised);

	for (int i = 0; i < u->n && len < (int)sizeof(buf) - 16; i++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%d\n", (int)u->pid[i]);
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, buf, (size_t)len, 0);
}

/* The state file, locked; -1 when it cannot be made (not root). The last user removes the
 * file under the lock, so a file that is gone once locked is tried again. */
static int lock_state(const char *state, bool create)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(state, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(state, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	return -1;
}

json_t *mapcount_acquire(const char *sysctl, const char *state, long need)
{
	long now = read_value(sysctl), host = now;
	char action[200];
	struct users u;
	int fd;

	if (now < 0) {
		snprintf(action, sizeof(action), "cannot read %s", sysctl);
		goto out;
	}
	fd = lock_state(state, true);
	if (fd < 0) {
		/* Not root: nothing to register, nothing we could raise. */
		snprintf(action, sizeof(action),
			 now >= need ? "not needed"
				     : "cannot raise it (not root?): guest processes over about "
				       "256 MiB fail; run 'sysctl vm.max_map_count=%ld' as root",
			 need);
		goto out;
	}
	users_read(fd, &u);
	/* The first user, or the first after users that died: is the value ours? */
	if (u.n == 0 && !(u.original >= 0 && now == u.raised))
		u.original = u.raised = -1;
	if (u.original >= 0)
		host = u.original;
	if (now >= need) {
		snprintf(action, sizeof(action), u.raised >= 0 ? "raised" : "not needed");
	} else {
		int ret = write_value(sysctl, need);
		if (ret < 0) {
			snprintf(action, sizeof(action),
				 "cannot raise it: %s; guest processes over about 256 MiB fail",
				 strerror(-ret));
		} else {
			if (u.original < 0)
				u.original = now;
			u.raised = need;
			snprintf(action, sizeof(action), "raised");
		}
	}
	if (u.n < MAX_USERS)
		u.pid[u.n++] = getpid();
	users_write(fd, &u);
	close(fd); /* and the lock */
out:;
	long during = read_value(sysctl);
	return json_pack("{s:o, s:I, s:o, s:s}", "host",
			 host >= 0 ? json_integer(host) : json_null(), "needed", (json_int_t)need,
			 "during_run", during >= 0 ? json_integer(during) : json_null(), "action",
			 action);
}

void mapcount_release(const char *sysctl, const char *state)
{
	struct users u;
	int fd = lock_state(state, false);

	if (fd < 0)
		return;
	users_read(fd, &u);
	if (u.n > 0) {
		users_write(fd, &u);
	} else {
		/* The last one out: put back what we found, unless someone changed it since. */
		if (u.original >= 0 && read_value(sysctl) == u.raised)
			(void)!write_value(sysctl, u.original);
		unlink(state);
	}
	close(fd);
}
