/* The host's measuring lock: see runlock.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/log.h"
#include "host/process.h"
#include "host/runlock.h"
#include "host/runstate.h"
#include "host/util.h"

static int lock_fd = -1;

/* Who holds the lock, as the holder wrote it. */
static void holder_of(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	util_rtrim(buf);
	util_printable(buf);
	if (!buf[0])
		snprintf(buf, len, "another run (it has not said who)");
}

/* Our own line: pid, start, command line (from /proc: what ps shows). */
static void claim(int fd)
{
	char line[1024], cmd[700] = "", stamp[32];
	size_t n = 0;
	char *args = util_read_file("/proc/self/cmdline", sizeof(cmd) - 1, &n);

	for (size_t i = 0; args && i < n && i < sizeof(cmd) - 1; i++)
		cmd[i] = args[i] ? args[i] : ' ';
	cmd[n < sizeof(cmd) - 1 ? n : sizeof(cmd) - 1] = '\0';
	free(args);
	util_utc_now(stamp, sizeof(stamp), false);
	int len = snprintf(line, sizeof(line), "pid %d since %s: %s\n", (int)getpid(), stamp,
			   util_rtrim(cmd));
	if (ftruncate(fd, 0) == 0 && len > 0)
		(void)!pwrite(fd, line, (size_t)len, 0);
}

int runlock_take(bool wait, char *holder, size_t len, double *waited_s)
{
	char base[PATH_MAX], path[PATH_MAX + 16];
	int ret = runstate_base(base, sizeof(base));

	*waited_s = 0;
	holder[0] = '\0';
	if (ret < 0) {
		snprintf(holder, len, "the state directory cannot be used: %s", strerror(-ret));
		return ret;
	}
	snprintf(path, sizeof(path), "%s/measure.lock", base);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		snprintf(holder, len, "cannot open %s: %s", path, strerror(errno));
		return ret;
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
		*waited_s = util_now_s() - t0;
	}
	claim(fd);
	lock_fd = fd;
	return 0;
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
