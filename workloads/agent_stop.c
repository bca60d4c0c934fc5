/* host_stop for workloads that run until the host says STOP: looks at the agent's input
 * without ever blocking, so that a workload can ask about every millisecond. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "workloads/agent_stop.h"

/* The first word that ends the phase: a STOP, the end of the stream, or anything else. */
static bool host_stop(struct wl_ctx *ctx)
{
	struct stop_watch *w = ctx->agent;

	while (w->state == STOP_NONE) {
		char *line;
		/* Lines already read (the host may send STOP with GO, in one write) come first. */
		int ret = linebuf_next(w->lb, &line);
		if (ret == 1) {
			w->state = strcmp(line, "STOP") == 0 ? STOP_SAID : STOP_BAD;
			break;
		}
		if (ret < 0) { /* an overlong line is not STOP either */
			w->state = STOP_BAD;
			break;
		}
		struct pollfd p = { .fd = w->in_fd, .events = POLLIN };
		ret = poll(&p, 1, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			w->state = STOP_IO;
			w->err = -errno;
			break;
		}
		if (ret == 0)
			return false;
		/* Readable, hung up or in error: the read says which without blocking. */
		long n = linebuf_fill(w->lb, w->in_fd);
		if (n == 0) {
			w->state = STOP_EOF;
		} else if (n < 0) {
			w->state = STOP_IO;
			w->err = (int)n;
		}
	}
	return true;
}

void agent_stop_arm(struct stop_watch *w, struct wl_ctx *ctx)
{
	w->state = STOP_NONE;
	w->err = 0;
	ctx->host_stop = host_stop;
	ctx->agent = w;
}
