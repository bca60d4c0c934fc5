/* Shared by backends whose guest is a single child process of the harness. */
#include <unistd.h>

#include "backends/backend.h"
#include "harness/proc.h"

void backend_child_stop(struct guest *g)
{
	if (g->to_guest >= 0)
		close(g->to_guest);
	if (g->from_guest >= 0)
		close(g->from_guest);
	g->to_guest = g->from_guest = -1;
	proc_terminate(g->pid, 1000);
	g->pid = 0;
}
