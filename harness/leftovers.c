/* A run's guard and the sweep of what killed runs left: see leftovers.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "harness/leftovers.h"
#include "harness/registry.h"
#include "host/runlock.h"
#include "host/runstate.h"
#include "host/util.h"

static pid_t guard_pid = -1;
static int guard_fd = -1; /* the write end: closed when we end, however we end */

/* What the backends put back on the host (beyond the runs' own state), into said. */
static void sweep_backends(char *said, size_t len)
{
	for (size_t i = 0; i < backend_count; i++) {
		char one[256] = "";
		if (!backend_table[i]->sweep)
			continue;
		backend_table[i]->sweep(one, sizeof(one));
		if (one[0])
			util_appendf(said, len, "%s%s", said[0] ? ", " : "", one);
	}
}

static void sweep_run(const char *dir, int pid, void *arg)
{
	char said[2048] = "";

	(void)arg;
	if (runstate_clean(dir, said, sizeof(said)) > 0)
		log_info("removed what run %d left when it was killed: %s", pid, said);
}

int leftovers_sweep(void)
{
	char base[PATH_MAX], said[1024] = "";
	int ret = runstate_base(base, sizeof(base));

	if (ret < 0)
		return ret;
	ret = runstate_each_stale(base, sweep_run, NULL);
	sweep_backends(said, sizeof(said));
	if (said[0])
		log_info("put back what a killed run changed: %s", said);
	return ret + (said[0] != '\0');
}

/* The guard: its own session (a terminal's Ctrl-C or hang-up is for the run, which then
 * ends normally), no descriptor of the run's but the pipe's read end, which reads
 * end-of-file when the run has ended, in whatever way. */
static _Noreturn void guard_main(int fd, pid_t run)
{
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	char c;
	struct stat st;

	setsid();
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	prctl(PR_SET_NAME, "vmbench-guard");
	runstate_leave();
	/* stderr stays, for the one line that says what was removed. */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	/* The measuring lock stays held until what the run left is gone: the next run waits
	 * for the clean-up instead of measuring beside it. */
	int lock = runlock_fd();
	int p = fcntl(fd, F_DUPFD, 10), l = lock >= 0 ? fcntl(lock, F_DUPFD, 10) : -1;
	/* Close-on-exec: not for what the clean-up runs (a runtime's delete), since a program
	 * that stayed would hold the lock. */
	if (p < 0 || dup3(p, 3, O_CLOEXEC) < 0 || (l >= 0 && dup3(l, 4, O_CLOEXEC) < 0))
		_exit(1);
	close_range(l >= 0 ? 5 : 4, ~0U, 0);
	/* Only the end of the run (end-of-file) starts the clean-up, never a stray byte. */
	for (ssize_t r; (r = read(3, &c, 1)) != 0;)
		if (r < 0 && errno != EINTR)
			_exit(1);
	const char *dir = runstate_dir();
	if (dir && lstat(dir, &st) == 0) {
		char said[2048] = "";
		int n = runstate_clean(dir, said, sizeof(said));
		sweep_backends(said, sizeof(said));
		if (n > 0 || said[0])
			log_warn("vmbench (pid %d) ended without cleaning up; removed: %s",
				 (int)run, said[0] ? said : "its state");
	}
	_exit(0);
}

int leftovers_guard(char *err, size_t len)
{
	int fds[2], ret = runstate_open(err, len);

	if (ret < 0)
		return ret;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = -errno;
		snprintf(err, len, "cannot start the run's guard: %s", strerror(errno));
		return ret;
	}
	pid_t run = getpid();
	fflush(NULL);
	guard_pid = fork();
	if (guard_pid == 0) {
		close(fds[1]);
		guard_main(fds[0], run);
	}
	close(fds[0]);
	if (guard_pid < 0) {
		ret = -errno;
		close(fds[1]);
		snprintf(err, len, "cannot start the run's guard: %s", strerror(errno));
		return ret;
	}
	guard_fd = fds[1];
	return 0;
}

void leftovers_end(void)
{
	int status;

	runstate_close();
	if (guard_fd >= 0)
		close(guard_fd);
	guard_fd = -1;
	while (guard_pid > 0 && waitpid(guard_pid, &status, 0) < 0 && errno == EINTR)
		;
	guard_pid = -1;
}
