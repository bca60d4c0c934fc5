/* The host's measuring lock: see runlock.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "host/process.h"
#include "host/runlock.h"
#include "host/util.h"

#define HOST_LOCK_DIR "/run/lock"
#define HOST_LOCK     HOST_LOCK_DIR "/vmbench-measure.lock"

static int lock_fd = -1;

/* The pid holding a flock on the file fd is open on, from /proc/locks (the kernel's word,
 * which no other user can write); 0 when none is found (another pid namespace's). */
static int holder_pid(int fd)
{
	struct stat st;
	char line[256], want[64];
	int pid = 0;

	if (fstat(fd, &st) < 0)
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	FILE *f = fopen("/proc/locks", "re");
	while (f && !pid && fgets(line, sizeof(line), f)) {
		char kind[16], id[64];
		int p;
		/* "1: FLOCK  ADVISORY  WRITE 123 00:1a:456 0 EOF"; waiters say "->" first. */
		if (sscanf(line, "%*s %15s %*s %*s %d %63s", kind, &p, id) == 3 &&
		    !strcmp(kind, "FLOCK") && !strcmp(id, want))
			pid = p;
	}
	if (f)
		fclose(f);
	return pid;
}

/* Who holds the lock: its pid and command line, as ps shows them. */
static void holder_of(int fd, char *buf, size_t len)
{
	int pid = holder_pid(fd);
	char path[64], cmd[600] = "";
	size_t n = 0;

	if (pid <= 0) {
		snprintf(buf, len, "a run this host's /proc/locks does not name");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	char *args = util_read_file(path, sizeof(cmd) - 1, &n);
	for (size_t i = 0; args && i < n && i < sizeof(cmd) - 1; i++)
		cmd[i] = args[i] ? args[i] : ' ';
	cmd[n < sizeof(cmd) - 1 ? n : sizeof(cmd) - 1] = '\0';
	free(args);
	util_rtrim(cmd);
	util_printable(cmd);
	snprintf(buf, len, "pid %d: %s", pid, cmd[0] ? cmd : "(its command line is not readable)");
}

/* The lock file all users share: $VMBENCH_LOCK, else one in /run/lock. Opened for reading
 * (flock needs no more), never through a link; made readable by all by whoever comes
 * first. O_CREAT is left out when the file exists: in a sticky directory, the kernel's
 * protected_regular refuses it on another user's file. */
static int open_lock(const char *path)
{
	/* O_NONBLOCK: a FIFO planted in its place would block the open (flock ignores it). */
	for (int tries = 0; tries < 3; tries++) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
			  0644);
		if (fd >= 0) {
			(void)!fchmod(fd, 0644); /* whatever the umask */
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int runlock_path(char *buf, size_t len)
{
	const char *env = getenv("VMBENCH_LOCK");
	struct stat st;

	if (env && *env)
		return (size_t)snprintf(buf, len, "%s", env) < len ? 0 : -ENAMETOOLONG;
	if (stat(HOST_LOCK_DIR, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOENT;
	return (size_t)snprintf(buf, len, "%s", HOST_LOCK) < len ? 0 : -ENAMETOOLONG;
}

static int take(const char *path, bool wait, char *holder, size_t len, double *waited_s,
		int retries_left)
{
	int ret, fd = open_lock(path);

	if (fd < 0) {
		ret = -errno;
		snprintf(holder, len, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(holder, len, "%s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			ret = -errno;
			snprintf(holder, len, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return ret;
		}
		holder_of(fd, holder, len);
		if (!wait) {
			close(fd);
			return -EBUSY;
		}
		log_warn("waiting for the measurement CPUs: another run holds them (%s)", holder);
		double t0 = util_now_s();
		/* The signal handlers do not restart calls: Ctrl-C ends the wait. */
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR || proc_interrupted()) {
				ret = errno == EINTR ? -EINTR : -errno;
				close(fd);
				return ret;
			}
		}
		*waited_s += util_now_s() - t0;
	}
	/* Its owner may have removed or replaced the file meanwhile: a lock on an inode no
	 * longer at the path excludes no one. */
	struct stat now;
	if (lstat(path, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		close(fd);
		if (retries_left <= 0) {
			snprintf(holder, len, "%s keeps being replaced", path);
			return -EAGAIN;
		}
		return take(path, wait, holder, len, waited_s, retries_left - 1);
	}
	lock_fd = fd;
	return 0;
}

int runlock_take(bool wait, char *holder, size_t len, double *waited_s)
{
	char path[PATH_MAX];
	int ret = runlock_path(path, sizeof(path));

	*waited_s = 0;
	holder[0] = '\0';
	if (ret < 0) {
		snprintf(holder, len, "no directory for the host's lock (%s): %s", HOST_LOCK_DIR,
			 strerror(-ret));
		return ret;
	}
	return take(path, wait, holder, len, waited_s, 2);
}

int runlock_fd(void)
{
	return lock_fd;
}

void runlock_release(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}
