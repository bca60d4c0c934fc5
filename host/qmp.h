/* A QMP client: QEMU's JSON machine protocol on a unix socket, one command at a time. */
#ifndef VMBENCH_QMP_H
#define VMBENCH_QMP_H

#include <sys/types.h>

#include <jansson.h>

#include "common/compiler.h"

/* QMP replies can be far longer than agent lines (query-stats-schemas: tens of KiB), so
 * the client keeps its own growing buffer, up to QMP_MAX_REPLY. */
#define QMP_MAX_REPLY (4u << 20)

struct qmp {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Connects to path (retrying until timeout_ms: QEMU creates it while starting, and gives
 * up early when process qemu has exited), reads the greeting and negotiates capabilities.
 * 0 or -errno with a reason in err. */
int qmp_connect(struct qmp *q, const char *path, pid_t qemu, int timeout_ms, char *err,
		size_t errlen) __must_check;
/* Runs a command (args may be NULL) and returns its "return" value in *ret (owned by the
 * caller), skipping events. -EIO with QEMU's error text in err, -ETIMEDOUT, -errno. */
int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int timeout_ms,
		char *err, size_t errlen) __must_check;
void qmp_close(struct qmp *q);

#endif
