/* A QMP client: QEMU's JSON machine protocol on a unix socket, one command at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/process.h"
#include "host/qmp.h"
#include "host/util.h"

/* The next JSON object from QEMU within the deadline. */
static int qmp_read(struct qmp *q, json_t **obj, int64_t deadline, char *err, size_t errlen)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (nl) {
			json_error_t jerr;
			size_t n = (size_t)(nl - q->buf);
			*obj = json_loadb(q->buf, n, 0, &jerr);
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			if (*obj && json_is_object(*obj))
				return 0;
			json_decref(*obj);
			snprintf(err, errlen, "QMP sent something that is not a JSON object");
			return -EPROTO;
		}
		if (q->len == q->cap) {
			size_t cap = q->cap ? q->cap * 2 : 65536;
			char *nb = cap <= QMP_MAX_REPLY ? realloc(q->buf, cap) : NULL;
			if (!nb) {
				snprintf(err, errlen, "QMP reply larger than %u bytes", QMP_MAX_REPLY);
				return -EMSGSIZE;
			}
			q->buf = nb;
			q->cap = cap;
		}
		int64_t left = deadline - util_now_ms();
		int ret = left > 0 ? proc_wait_readable(q->fd, (int)left) : 0;
		if (ret == 0) {
			snprintf(err, errlen, "QMP did not answer in time");
			return -ETIMEDOUT;
		}
		if (ret < 0)
			return ret;
		ssize_t n = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "QMP closed its socket");
			return n < 0 ? -errno : -EPIPE;
		}
		q->len += (size_t)n;
	}
}

int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int timeout_ms,
		char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + timeout_ms;
	json_t *req = json_pack("{s:s}", "execute", cmd);
	int rc;

	if (ret)
		*ret = NULL;
	if (!req)
		return -ENOMEM;
	if (args)
		json_object_set(req, "arguments", args);
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	rc = write(q->fd, text, len) == (ssize_t)len && write(q->fd, "\n", 1) == 1 ? 0 : -errno;
	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "cannot write to QMP: %s", strerror(-rc));
		return rc;
	}
	for (;;) {
		json_t *obj;
		rc = qmp_read(q, &obj, deadline, err, errlen);
		if (rc < 0)
			return rc;
		json_t *r = json_object_get(obj, "return");
		json_t *e = json_object_get(obj, "error");
		if (r) {
			if (ret)
				*ret = json_incref(r);
			json_decref(obj);
			return 0;
		}
		if (e) {
			snprintf(err, errlen, "QMP %s: %s", cmd,
				 json_string_value(json_object_get(e, "desc")) ?: "error");
			json_decref(obj);
			return -EIO;
		}
		json_decref(obj); /* an event */
	}
}

int qmp_connect(struct qmp *q, const char *path, pid_t qemu, int timeout_ms, char *err,
		size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = util_now_ms() + timeout_ms;
	json_t *greeting;
	int ret;

	q->fd = -1;
	q->buf = NULL;
	q->len = q->cap = 0;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0)
			return -errno;
		if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		ret = -errno;
		close(q->fd);
		q->fd = -1;
		siginfo_t si = { 0 };
		/* Exited (not reaped: whoever started it reaps it)? */
		if (qemu > 0 && waitid(P_PID, (id_t)qemu, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == qemu) {
			snprintf(err, errlen, "QEMU exited before its QMP socket was ready");
			return -ECHILD;
		}
		if (util_now_ms() >= deadline || proc_interrupted()) {
			snprintf(err, errlen, "cannot connect to QMP at %s: %s", path, strerror(-ret));
			return proc_interrupted() ? -EINTR : ret;
		}
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
	ret = qmp_read(q, &greeting, deadline, err, errlen);
	if (ret < 0)
		goto fail;
	bool ok = json_object_get(greeting, "QMP") != NULL;
	json_decref(greeting);
	if (!ok) {
		snprintf(err, errlen, "QMP at %s sent no greeting", path);
		ret = -EPROTO;
		goto fail;
	}
	ret = qmp_execute(q, "qmp_capabilities", NULL, NULL, timeout_ms, err, errlen);
	if (ret == 0)
		return 0;
fail:
	qmp_close(q);
	return ret;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}
