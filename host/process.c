/* Child processes and interruption: Ctrl-C ends a run cleanly, children are always reaped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/process.h"
#include "host/runstate.h"
#include "host/util.h"

/* How often a stoppable capture looks whether the user asked to stop. */
#define CAPTURE_LOOK_MS 100

static volatile sig_atomic_t intr_signal;
static int intr_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int e = errno;

	if (!intr_signal)
		intr_signal = sig;
	if (intr_pipe[1] >= 0)
		(void)!write(intr_pipe[1], "x", 1);
	errno = e;
}

int proc_signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (intr_pipe[0] < 0 && pipe2(intr_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

bool proc_interrupted(void)
{
	return intr_signal != 0;
}

int proc_interrupt_signal(void)
{
	return intr_signal;
}

int proc_wait_readable(int fd, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : util_now_ms() + timeout_ms;

	for (;;) {
		if (intr_signal)
			return -EINTR;
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = intr_pipe[0], .events = POLLIN },
		};
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - util_now_ms();
			if (left <= 0)
				return 0;
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		int n = poll(p, intr_pipe[0] >= 0 ? 2 : 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (intr_signal)
			return -EINTR;
		if (p[0].revents)
			return 1;
	}
}

/* A child joins the run's cgroup before it execs: PR_SET_PDEATHSIG ends the child when
 * we die, not what it starts itself (UML's processes), which the cgroup lets a guard or
 * the next run find and end (host/runstate.h). */
static void join_run_cgroup(void)
{
	int fd = runstate_cgroup_fd();

	if (fd >= 0)
		(void)!write(fd, "0", 1);
}

static int capture(char *const argv[], char *out, size_t len, int timeout_ms, bool stoppable)
{
	int fds[2];
	size_t n = 0;
	int status, ret = 0;

	if (len == 0)
		return -EINVAL;
	out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		/* Its own process group: the terminal's Ctrl-C goes to vmbench, not to a
		 * clean-up command (a container's delete) it runs on the way out. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		join_run_cgroup();
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	int64_t deadline = util_now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - util_now_ms();
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		if (stoppable && proc_interrupted()) {
			ret = -EINTR;
			break;
		}
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		/* A Ctrl-C just before the poll is seen within this. */
		if (stoppable && left > CAPTURE_LOOK_MS)
			left = CAPTURE_LOOK_MS;
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		if (r < 0) {
			ret = -errno;
			break;
		}
		char scratch[512];
		char *dst = n < len - 1 ? out + n : scratch;
		size_t room = n < len - 1 ? len - 1 - n : sizeof(scratch);
		ssize_t got = read(fds[0], dst, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (dst != scratch)
			n += (size_t)got;
	}
	out[n] = '\0';
	close(fds[0]);
	if (ret < 0) {
		proc_terminate(pid, 0);
		return ret;
	}
	/* The output is closed; the exit must come before the deadline too. */
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (util_now_ms() >= deadline) {
			proc_terminate(pid, 0);
			return -ETIMEDOUT;
		}
		util_sleep_s(5 / 1e3);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int proc_capture(char *const argv[], char *out, size_t len, int timeout_ms)
{
	return capture(argv, out, len, timeout_ms, false);
}

int proc_capture_stoppable(char *const argv[], char *out, size_t len, int timeout_ms)
{
	return capture(argv, out, len, timeout_ms, true);
}

/* Closes the ends of in and out that are open and marks them closed. */
static void close_pipes(int in[2], int out[2])
{
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		in[i] = out[i] = -1;
	}
}

int proc_pipes(int in[2], int out[2])
{
	in[0] = in[1] = out[0] = out[1] = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		int ret = -errno;
		close_pipes(in, out);
		return ret;
	}
	/* With our stdin or stdout closed a pipe could land on 0 or 1, where the child's dup2
	 * would keep it close-on-exec or overwrite the other pipe: move such ends above 2. */
	int *ends[] = { &in[0], &in[1], &out[0], &out[1] };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		if (*ends[i] > STDERR_FILENO)
			continue;
		int moved = fcntl(*ends[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (moved < 0) {
			int ret = -errno;
			close_pipes(in, out);
			return ret;
		}
		close(*ends[i]);
		*ends[i] = moved;
	}
	return 0;
}

int proc_child_stdio(pid_t parent, const int in[2], const int out[2])
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

	/* Its own process group: proc_terminate ends its descendants too, and the
	 * terminal's Ctrl-C reaches vmbench, which ends the guest in order. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	join_run_cgroup();
	/* A parent killed before the line above would leave us running without it. */
	if (getppid() != parent)
		return -ESRCH;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	/* The pipes' own descriptors are close-on-exec and above 2 (proc_pipes); the copies
	 * on 0 and 1 are not close-on-exec. */
	if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
		return -errno;
	return 0;
}

int proc_spawn_piped(void (*child)(void *arg), void *arg, pid_t *pid, int *to, int *from)
{
	int in[2], out[2];
	int ret = proc_pipes(in, out);

	if (ret < 0)
		return ret;
	pid_t parent = getpid(), p = fork();
	if (p < 0) {
		ret = -errno;
		close_pipes(in, out);
		return ret;
	}
	if (p == 0) {
		if (proc_child_stdio(parent, in, out) < 0)
			_exit(127);
		/* Only stdin and stdout: a child that does not exec must see end of input when
		 * the parent closes its end. */
		close_pipes(in, out);
		child(arg);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*pid = p;
	*to = in[1];
	*from = out[0];
	return 0;
}

static bool reaped_within(pid_t pid, int ms)
{
	int status;

	for (int waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (waited >= ms)
			return false;
		util_sleep_s(10 / 1e3);
	}
}

void proc_terminate(pid_t pid, int grace_ms)
{
	int status;

	if (pid <= 0)
		return;
	/* First let it end on its own (end of input, QUIT), then ask, then insist. */
	if (reaped_within(pid, grace_ms)) {
		kill(-pid, SIGKILL); /* what it left behind in its group */
		return;
	}
	if (kill(-pid, SIGTERM) < 0)
		kill(pid, SIGTERM);
	if (reaped_within(pid, 200)) {
		kill(-pid, SIGKILL);
		return;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

int proc_memory(pid_t pid, uint64_t *rss_kib, uint64_t *pss_kib)
{
	char path[64], line[256];
	bool rss = false, pss = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (sscanf(line, "Rss: %llu kB", &v) == 1) {
			*rss_kib = v;
			rss = true;
		} else if (sscanf(line, "Pss: %llu kB", &v) == 1) {
			*pss_kib = v;
			pss = true;
		}
	}
	fclose(f);
	return rss && pss ? 0 : -EPROTO;
}
