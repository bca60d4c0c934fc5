/*
 * Process workloads (lmbench lat_proc): fork, fork + exec, fork + sh -c. The shell is
 * busybox's where there is one (the guest image's is the host's busybox-static, so every
 * backend starts the same shell), else /bin/sh.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workloads/workload.h"

#define EXEC_TARGET "vmbench-true"

#define BUSYBOX "/bin/busybox"

struct proc_state {
	char target[PATH_MAX];
	const char *shell; /* proc.sh: the program, busybox or /bin/sh */
};

static int proc_setup(struct wl_ctx *ctx)
{
	struct proc_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	snprintf(st->target, sizeof(st->target), "%s/" EXEC_TARGET,
		 ctx->self_dir ? ctx->self_dir : ".");
	if (access(st->target, X_OK) < 0) {
		snprintf(ctx->reason, sizeof(ctx->reason), "exec target %.180s missing: %s",
			 st->target, strerror(errno));
		free(st);
		return -ENOTSUP;
	}
	ctx->priv = st;
	return 0;
}

static int proc_sh_setup(struct wl_ctx *ctx)
{
	const char *shell = access(BUSYBOX, X_OK) == 0 ? BUSYBOX : "/bin/sh";

	if (access(shell, X_OK) < 0) {
		snprintf(ctx->reason, sizeof(ctx->reason), "no %s or /bin/sh: %s", BUSYBOX,
			 strerror(errno));
		return -ENOTSUP;
	}
	int ret = proc_setup(ctx);
	if (ret == 0) {
		struct proc_state *st = ctx->priv;
		st->shell = shell;
		json_object_set_new(ctx->extra, "shell", json_string(shell));
	}
	return ret;
}

static void proc_teardown(struct wl_ctx *ctx)
{
	free(ctx->priv);
	ctx->priv = NULL;
}

/* Waits for the child; its exit status must be 0. */
static int reap(struct wl_ctx *ctx, pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(ctx->reason, sizeof(ctx->reason), "child ended with status %#x", status);
		return -EIO;
	}
	return 0;
}

enum proc_kind { PROC_FORK, PROC_EXEC, PROC_SH };

static int proc_run(struct wl_ctx *ctx, uint64_t iters, enum proc_kind kind)
{
	struct proc_state *st = ctx->priv;
	char *const noenv[] = { NULL };

	for (uint64_t i = 0; i < iters; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			if (kind == PROC_EXEC) {
				char *const argv[] = { st->target, NULL };
				execve(st->target, argv, noenv);
			} else if (kind == PROC_SH) {
				/* The path as $0, quoted: any directory name works. */
				char *const argv[] = { "sh", "-c", "\"$0\"", st->target, NULL };
				execve(st->shell, argv, noenv);
			}
			_exit(kind == PROC_FORK ? 0 : 127);
		}
		int ret = reap(ctx, pid);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int proc_fork_op(struct wl_ctx *ctx, uint64_t iters)
{
	return proc_run(ctx, iters, PROC_FORK);
}

static int proc_exec_op(struct wl_ctx *ctx, uint64_t iters)
{
	return proc_run(ctx, iters, PROC_EXEC);
}

static int proc_sh_op(struct wl_ctx *ctx, uint64_t iters)
{
	return proc_run(ctx, iters, PROC_SH);
}

const struct workload_ops workload_proc_fork = {
	.abi = WORKLOAD_ABI,
	.name = "proc.fork",
	.summary = "fork(), the child exits, the parent waits (lat_proc fork)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "fork",
	.plots = PLOT_TRAPS,
	.plot_order = 3,
	.op = proc_fork_op,
};

const struct workload_ops workload_proc_exec = {
	.abi = WORKLOAD_ABI,
	.name = "proc.exec",
	.summary = "fork() and execve() of a tiny static binary, then wait (lat_proc exec)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "exec",
	.setup = proc_setup,
	.teardown = proc_teardown,
	.op = proc_exec_op,
};

const struct workload_ops workload_proc_sh = {
	.abi = WORKLOAD_ABI,
	.name = "proc.sh",
	.summary = "fork() and sh -c of the tiny binary (busybox sh where there is one), then wait "
		   "(lat_proc shell)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "sh",
	.setup = proc_sh_setup,
	.teardown = proc_teardown,
	.op = proc_sh_op,
};
