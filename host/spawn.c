/* Starting a program with the harness's memory shared until the exec (see spawn.h). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/process.h"
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
	int ret = proc_child_stdio(c->parent, c->in, c->out);

	if (ret < 0) {
		c->err = -ret;
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
	if ((ret = proc_pipes(c.in, c.out)) < 0)
		goto out;
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
