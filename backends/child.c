/* Shared by backends whose guest is a single child process of the harness. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backend.h"
#include "harness/proc.h"
#include "workloads/sysutil.h"

struct child_state {
	char tmpdir[256];
	struct guest *g;
	void (*child)(void *arg);
};

static void child_main(void *arg)
{
	struct child_state *st = arg;

	setenv("TMPDIR", st->tmpdir, 1);
	st->child(st->g);
}

int backend_child_start(struct guest *g, void (*child)(void *arg))
{
	const char *tmp = getenv("TMPDIR");
	struct child_state *st = calloc(1, sizeof(*st));
	int ret;

	if (!st)
		return -ENOMEM;
	snprintf(st->tmpdir, sizeof(st->tmpdir), "%.200s/vmbench-guest-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(st->tmpdir)) {
		ret = -errno;
		snprintf(g->reason, sizeof(g->reason), "cannot create a temporary directory: %s",
			 strerror(errno));
		free(st);
		return ret;
	}
	st->g = g;
	st->child = child;
	g->priv = st;
	ret = proc_spawn_piped(child_main, st, &g->pid, &g->to_guest, &g->from_guest);
	if (ret < 0)
		snprintf(g->reason, sizeof(g->reason), "cannot start the agent: %s",
			 strerror(-ret));
	return ret;
}

void backend_child_stop(struct guest *g)
{
	struct child_state *st = g->priv;

	if (g->to_guest >= 0)
		close(g->to_guest);
	if (g->from_guest >= 0)
		close(g->from_guest);
	g->to_guest = g->from_guest = -1;
	proc_terminate(g->pid, 1000);
	g->pid = 0;
	if (st) {
		/* What the agent or its workloads left when they were killed. */
		sys_rmtree(st->tmpdir);
		free(st);
		g->priv = NULL;
	}
}
