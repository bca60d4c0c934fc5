/* Child processes and interruption: Ctrl-C ends a run cleanly, children are always reaped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/process.h"
#include "host/util.h"

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

int proc_capture(char *const argv[], char *out, size_t len, int timeout_ms)
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
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	int64_t deadline = util_now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - util_now_ms();
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : -ETIMEDOUT;
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
		struct timespec ts = { 0, 5 * 1000000 };
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int proc_spawn_piped(void (*child)(void *arg), void *arg, pid_t *pid, int *to, int *from)
{
	int in[2], out[2], ret;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out_in;
	}
	pid_t p = fork();
	if (p < 0) {
		ret = -errno;
		goto out_out;
	}
	if (p == 0) {
		/* Its own process group: proc_terminate ends its descendants too, and the
		 * terminal's Ctrl-C reaches vmbench, which ends the guest in order. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
			_exit(127);
		/* Only stdin and stdout: a child that does not exec must see end of input when
		 * the parent closes its end. */
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		child(arg);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*pid = p;
	*to = in[1];
	*from = out[0];
	return 0;
out_out:
	close(out[0]);
	close(out[1]);
out_in:
	close(in[0]);
	close(in[1]);
	return ret;
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
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
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
