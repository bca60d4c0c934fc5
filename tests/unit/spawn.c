/* Unit tests of host/spawn.h: a program started in our memory until its exec. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "host/process.h"
#include "host/spawn.h"

/* Everything the child wrote to its stdout until it closed it. */
static void read_to_end(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* What argv printed, run by spawn_exec_piped with env and cpu; its exit status. */
static int run_prog(char *const *argv, char *const *env, int cpu, char *out, size_t len,
		    enum spawn_step *step)
{
	struct spawn_exec x = { .path = argv[0], .argv = argv, .envp = env, .cpu = cpu };
	pid_t pid;
	int to, from, status;
	int ret = spawn_exec_piped(&x, &pid, &to, &from, step);

	if (ret < 0)
		return ret;
	close(to);
	read_to_end(from, out, len);
	close(from);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_sh(const char *line, char *const *env, int cpu, char *out, size_t len,
		  enum spawn_step *step)
{
	char *argv[] = { "/bin/sh", "-c", (char *)line, NULL };

	return run_prog(argv, env, cpu, out, len, step);
}

Test(spawn, pipes_group_environment_and_cpu)
{
	char *env[] = { "VMBENCH_SPAWN_TEST=yes", NULL };
	char out[256];
	enum spawn_step step;

	/* A CPU we may use (not necessarily 0: ctest may run under taskset). */
	cpu_set_t set;
	int cpu = 0;
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	while (!CPU_ISSET(cpu, &set))
		cpu++;
	/* stdin at end of input at once (we closed it), stdout to us, its own group. */
	int ret = run_sh("cat; echo \"$VMBENCH_SPAWN_TEST $$ $(cut -d\" \" -f5 /proc/$$/stat) "
			 "$(grep Cpus_allowed_list /proc/self/status | cut -f2)\"",
			 env, cpu, out, sizeof(out), &step);
	cr_assert_eq(ret, 0, "%s", out);
	int pid = 0, pgid = 0;
	char cpus[32] = "";
	cr_assert_eq(sscanf(out, "yes %d %d %31s", &pid, &pgid, cpus), 3, "%s", out);
	cr_assert_eq(pid, pgid, "pid %d in group %d", pid, pgid);
	char want[16];
	snprintf(want, sizeof(want), "%d", cpu);
	cr_assert_str_eq(cpus, want);
}

/* With our stdin closed, a pipe lands on descriptor 0: the program still gets both. */
Test(spawn, pipes_when_our_stdin_is_closed)
{
	char *argv[] = { "/bin/sh", "-c", "read l; echo \"got $l\"", NULL };
	char *env[] = { NULL };
	struct spawn_exec x = { .path = argv[0], .argv = argv, .envp = env, .cpu = -1 };
	enum spawn_step step;
	char out[64];
	pid_t pid;
	int to, from;

	close(STDIN_FILENO);
	cr_assert_eq(spawn_exec_piped(&x, &pid, &to, &from, &step), 0);
	cr_assert_gt(to, STDERR_FILENO);
	cr_assert_gt(from, STDERR_FILENO);
	cr_assert_eq(write(to, "x\n", 2), 2);
	close(to);
	read_to_end(from, out, sizeof(out));
	close(from);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_assert_str_eq(out, "got x\n");
	cr_assert_eq(fcntl(STDIN_FILENO, F_GETFD), -1, "nothing left on our descriptor 0");
}

Test(spawn, signals_are_the_programs_own)
{
	char *env[] = { NULL };
	char out[256];
	enum spawn_step step;
	sigset_t before, after;

	/* We ignore SIGPIPE and block SIGUSR1: the program starts with our mask (not the
	 * all-blocked one of the spawn itself) and SIGPIPE at its default. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&before);
	sigaddset(&before, SIGUSR1);
	sigprocmask(SIG_BLOCK, &before, NULL);
	sigprocmask(SIG_BLOCK, NULL, &before);
	/* grep itself, not a shell, which would set its own mask. */
	char *argv[] = { "/bin/grep", "-E", "SigBlk|SigIgn", "/proc/self/status", NULL };
	cr_assert_eq(run_prog(argv, env, -1, out, sizeof(out), &step), 0);
	/* Our mask as /proc prints it: signal n is bit n - 1. */
	unsigned long long blk = 0;
	for (int sig = 1; sig < 64; sig++)
		if (sigismember(&before, sig) == 1)
			blk |= 1ull << (sig - 1);
	char want[40];
	snprintf(want, sizeof(want), "SigBlk:\t%016llx", blk);
	cr_assert(blk & (1ull << (SIGUSR1 - 1)));
	cr_assert(strstr(out, want), "want %s in %s", want, out);
	unsigned long long ign = 0;
	const char *p = strstr(out, "SigIgn:");
	cr_assert_not_null(p, "%s", out);
	cr_assert_eq(sscanf(p, "SigIgn: %llx", &ign), 1);
	cr_assert_eq(ign & (1ull << (SIGPIPE - 1)), 0, "SigIgn %llx", ign);
	/* Our own mask is as it was. */
	sigprocmask(SIG_BLOCK, NULL, &after);
	cr_assert(sigismember(&after, SIGUSR1));
	cr_assert_not(sigismember(&after, SIGINT));
}

Test(spawn, exec_failure_says_so_and_leaves_no_child)
{
	char *argv[] = { "/nonexistent/vmbench-agent", NULL };
	char *env[] = { NULL };
	struct spawn_exec x = { .path = argv[0], .argv = argv, .envp = env, .cpu = -1 };
	enum spawn_step step;
	pid_t pid = 0;
	int to = -1, from = -1;

	cr_assert_eq(spawn_exec_piped(&x, &pid, &to, &from, &step), -ENOENT);
	cr_assert_eq(step, SPAWN_EXEC);
	cr_assert_eq(to, -1);
	cr_assert_eq(from, -1);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

Test(spawn, pin_failure_says_so)
{
	char *argv[] = { "/bin/true", NULL };
	char *env[] = { NULL };
	/* A CPU this machine does not have. */
	struct spawn_exec x = { .path = argv[0], .argv = argv, .envp = env, .cpu = 1000 };
	enum spawn_step step;
	pid_t pid;
	int to, from;

	cr_assert_eq(spawn_exec_piped(&x, &pid, &to, &from, &step), -EINVAL);
	cr_assert_eq(step, SPAWN_PIN);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
}
