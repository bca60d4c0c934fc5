/* A QMP client: QEMU's JSON machine protocol on a unix socket, one command at a time, each
 * with an id its reply must carry; events that arrive meanwhile are queued for the caller. */
#ifndef VMBENCH_QMP_H
#define VMBENCH_QMP_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/compiler.h"

/* QMP replies can be far longer than agent lines (query-stats-schemas: tens of KiB), so
 * the client keeps its own growing buffer, up to QMP_MAX_REPLY. A longer line is an error
 * (-EMSGSIZE) and is skipped to its end, so the stream stays in step. */
#define QMP_MAX_REPLY (4u << 20)
/* Events nobody takes (the backends never do) must not grow without bound: past this many,
 * the oldest is dropped and counted in events_lost. */
#define QMP_MAX_EVENTS 256

struct qmp {
	int fd; /* -1: not connected */
	char *buf;
	size_t len, cap;
	bool skipping;	    /* inside a line longer than QMP_MAX_REPLY: dropped to its newline */
	int broken;	    /* -errno that left the stream unusable (closed, half a command) */
	json_int_t next_id; /* of the next command; a reply with a lower id is a late one */
	json_t *events;	    /* queued events, oldest first (a JSON array) */
	size_t events_lost;
	/* Set by whoever cleans up after the user's interrupt (migrate_cancel): commands and
	 * waits then run as if there had been none, so the timeouts given must stay short. */
	bool despite_interrupt;
};

/* Connects to path (retrying until timeout_ms: QEMU creates it while starting, and gives
 * up early when process qemu has exited), then does what qmp_open_fd does, with
 * timeout_ms again for the greeting and negotiation. 0 or -errno with a reason in err. */
int qmp_connect(struct qmp *q, const char *path, pid_t qemu, int timeout_ms, char *err,
		size_t errlen) __must_check;
/* Takes over a connected stream socket fd (closed on failure too): reads QEMU's greeting
 * and negotiates capabilities within timeout_ms. The fd may be non-blocking. 0 or -errno
 * (-EPROTO: no greeting) with a reason in err. */
int qmp_open_fd(struct qmp *q, int fd, int timeout_ms, char *err, size_t errlen) __must_check;
/* Runs a command (args may be NULL) and returns its "return" value in *ret (owned by the
 * caller; ret may be NULL). Events read meanwhile are queued; replies to earlier commands
 * that timed out are dropped. -EIO with QEMU's error (desc and class) in err,
 * -ETIMEDOUT, -EPROTO (malformed JSON, a reply with an id never sent), -EMSGSIZE,
 * -EPIPE (QEMU closed the socket), -EINTR (interrupted by the user, unless
 * despite_interrupt), -errno. (qmp_send_fd, in host/migrate.h, is the same with a
 * descriptor passed along.) */
int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int timeout_ms,
		char *err, size_t errlen) __must_check;
/* The oldest event named name (any event for NULL), taken out of the queue: the whole
 * object ({"event", "data", "timestamp"}, owned by the caller) in *event. Waits up to
 * timeout_ms for one to arrive (0: only what is queued or already sent). -ETIMEDOUT when
 * none came, or the errors of qmp_execute. */
int qmp_take_event(struct qmp *q, const char *name, json_t **event, int timeout_ms, char *err,
		   size_t errlen) __must_check;
void qmp_close(struct qmp *q);

#endif
