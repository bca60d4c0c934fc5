/* The agent's side of STOP (agent.h): whether the host has ended a measured phase that runs
 * until it says so. Private to the agent (agent.c, agent_stop.c). */
#ifndef VMBENCH_AGENT_STOP_H
#define VMBENCH_AGENT_STOP_H

#include <stdbool.h>

#include "common/wire.h"
#include "workloads/workload.h"

enum stop_state {
	STOP_NONE, /* the host has said nothing yet */
	STOP_SAID, /* the host said STOP */
	STOP_EOF,  /* the host's stream ended */
	STOP_BAD,  /* a line other than STOP: a protocol error */
	STOP_IO,   /* reading the host's stream failed (err) */
};

/* What host_stop watches: the agent's own input, read where the agent reads it. */
struct stop_watch {
	int in_fd;
	struct linebuf *lb;
	enum stop_state state;
	int err; /* STOP_IO: the negative errno */
};

/* Before GO: ctx->host_stop answers from w's input, nothing said yet. */
void agent_stop_arm(struct stop_watch *w, struct wl_ctx *ctx);

#endif
