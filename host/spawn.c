/* Starting a program with the harness's memory shared until the exec (see spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/spawn.h"

/* Enough for the few system calls the child makes before exec. */
#define CHILD_STACK (64 * 1024)

struct child {
	const struct spawn_exec *x;
	int in[2], out[2];
	cpu_set_t cpus;
	sigset_t mask; /* ours before the spawn: the program's */
	pid_t parent;
	/* Written by the child, read by us after it has exec'd or exited: with CLONE_VFORK
	 * we are suspended until then, so there is no race. */
	volatile int err;
	volatile enum spawn_step step;
};

/* Only system calls, no allocation, no stdio: this runs in our memory, on its own stack. */
static int child_main(void *arg)
{
	struct child *c = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

	/* Its own process group: proc_terminate ends its descendants too, and the
	 * terminal's Ctrl-C reaches vmbench, which ends the guest in order. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A parent killed before the line above would leave us running without it. */
	if (getppid() != c->parent)
		_exit(127);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	/* The pipes' own descriptors are close-on-exec and above 2 (see below); the copies on
	 * 0 and 1 are not close-on-exec. */
	if (dup2(c->in[0], STDIN_FILENO) < 0 || dup2(c->out[1], STDOUT_FILENO) < 0) {
		c->err = errno;
		c->step = SPAWN_STDIO;
		_exit(127);
	}
	if (c->x->cpu >= 0 && sched_setaffinity(0, sizeof(c->cpus), &c->cpus) < 0) {
		c->err = errno;
		c->step = SPAWN_PIN;
		_exit(126);
	}
	sigprocmask(SIG_SETMASK, &c->mask, NULL);
	execve(c->x->path, c->x->argv, c->x->envp);
	c->err = errno;
	c->step = SPAWN_EXEC;
	_exit(127);
}

int spawn_exec_piped(const struct spawn_exec *x, pid_t *pid, int *to, int *from,
		     enum spawn_step *step)
{
	struct child c = { .x = x, .in = { -1, -1 }, .out = { -1, -1 }, .step = SPAWN_OK };
	int ret = 0;

	*step = SPAWN_OK;
	CPU_ZERO(&c.cpus);
	if (x->cpu >= 0) {
		if (x->cpu >= CPU_SETSIZE) {
			*step = SPAWN_PIN;
			return -EINVAL;
		}
		CPU_SET(x->cpu, &c.cpus);
	}
	void *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	if (pipe2(c.in, O_CLOEXEC) < 0 || pipe2(c.out, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	/* With our stdin or stdout closed a pipe could land on 0 or 1, where the child's dup2
	 * would keep it close-on-exec or overwrite the other pipe: move such ends above 2. */
	int *ends[] = { &c.in[0], &c.in[1], &c.out[0], &c.out[1] };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		if (*ends[i] > STDERR_FILENO)
			continue;
		int moved = fcntl(*ends[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (moved < 0) {
			ret = -errno;
			goto out;
		}
		close(*ends[i]);
		*ends[i] = moved;
	}
	c.parent = getpid();
	/* Our signal handlers must not run in the child while it shares our memory: blocked
	 * until it has reset them, unblocked just before the exec. */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &c.mask);
	pid_t p = clone(child_main, (char *)stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD,
			&c);
	int clone_err = errno;
	sigprocmask(SIG_SETMASK, &c.mask, NULL);
	if (p < 0) {
		ret = -clone_err;
		goto out;
	}
	if (c.step != SPAWN_OK) {
		int status;
		while (waitpid(p, &status, 0) < 0 && errno == EINTR)
			;
		*step = c.step;
		ret = -c.err;
		goto out;
	}
	close(c.in[0]);
	close(c.out[1]);
	*pid = p;
	*to = c.in[1];
	*from = c.out[0];
	c.in[0] = c.in[1] = c.out[0] = c.out[1] = -1;
out:
	for (int i = 0; i < 2; i++) {
		if (c.in[i] >= 0)
			close(c.in[i]);
		if (c.out[i] >= 0)
			close(c.out[i]);
	}
	munmap(stack, CHILD_STACK);
	return ret;
}
