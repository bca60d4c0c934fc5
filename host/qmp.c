/* A QMP client: QEMU's JSON machine protocol on a unix socket, one command at a time, each
 * reply matched to its command by id, events queued for whoever wants them. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "host/migrate.h"
#include "host/process.h"
#include "host/qmp.h"
#include "host/util.h"

/* Waits until q's socket can be read (POLLIN) or written (POLLOUT) before the deadline:
 * 1 ready, 0 timed out, -errno. A deadline already past still looks once, so what QEMU
 * has sent counts even with no time left. */
static int qmp_wait(struct qmp *q, short events, int64_t deadline)
{
	int64_t left = deadline - util_now_ms();

	if (events == POLLIN && left > 0 && !q->despite_interrupt)
		return proc_wait_readable(q->fd, left > 1000000 ? 1000000 : (int)left);
	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = events };
		if (proc_interrupted() && !q->despite_interrupt)
			return -EINTR;
		int n = poll(&p, 1, left > 0 ? (left > 1000000 ? 1000000 : (int)left) : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 0 || left <= 0)
			return n < 0 ? -errno : n;
		left = deadline - util_now_ms();
	}
}

/* send(2) of buf with fd attached (SCM_RIGHTS), MSG_NOSIGNAL as every write here. */
static ssize_t qmp_send_with_fd(int sock, const char *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};

	memset(&ctl, 0, sizeof(ctl));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/* Writes all of buf within the deadline: partial writes, EINTR and a full non-blocking
 * socket are the kernel's business, not a failed command. fd (-1: none) goes with the
 * first bytes that leave: QEMU's monitor keeps a descriptor with the bytes it came with,
 * and getfd takes only one that came with getfd's own line. */
static int qmp_write_all(struct qmp *q, const char *buf, size_t len, int fd, int64_t deadline,
			 char *err, size_t errlen)
{
	size_t done = 0;
	ssize_t n;
	int ret;

	while (done < len) {
		if (fd >= 0 && done == 0) {
			n = qmp_send_with_fd(q->fd, buf, len, fd);
		} else {
			/* MSG_NOSIGNAL: a QEMU that died is -EPIPE here, not SIGPIPE for us. */
			n = send(q->fd, buf + done, len - done, MSG_NOSIGNAL);
			if (n < 0 && errno == ENOTSOCK)
				n = write(q->fd, buf + done, len - done);
		}
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR && (!proc_interrupted() || q->despite_interrupt))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ret = qmp_wait(q, POLLOUT, deadline);
			if (ret > 0)
				continue;
			ret = ret ?: -ETIMEDOUT;
		} else {
			ret = n < 0 ? -errno : -EIO;
		}
		snprintf(err, errlen, "cannot %s QMP: %s",
			 fd >= 0 && done == 0 ? "pass a descriptor over" : "write to",
			 strerror(-ret));
		/* Half a command would prefix the next one: nothing can be sent after it. */
		if (done > 0)
			q->broken = ret;
		return ret;
	}
	return 0;
}

/* Takes the line ending at nl out of the buffer and parses it: 0 with an object in *obj,
 * 1 for a blank line, -EPROTO for anything but a JSON object. */
static int qmp_parse(struct qmp *q, char *nl, json_t **obj, char *err, size_t errlen)
{
	size_t n = (size_t)(nl - q->buf);
	json_error_t jerr;
	int ret = 0;

	if (strspn(q->buf, " \t\r") >= n) {
		ret = 1;
	} else {
		*obj = json_loadb(q->buf, n, JSON_REJECT_DUPLICATES, &jerr);
		if (!*obj || !json_is_object(*obj)) {
			char head[48];
			snprintf(head, sizeof(head), "%.*s", n < 40 ? (int)n : 40, q->buf);
			snprintf(err, errlen, "QMP sent %s: %s (line starts '%s')",
				 *obj ? "JSON that is not an object" : "malformed JSON",
				 *obj ? "expected {...}" : jerr.text, util_printable(head));
			json_decref(*obj);
			*obj = NULL;
			ret = -EPROTO;
		}
	}
	memmove(q->buf, nl + 1, q->len - n - 1);
	q->len -= n + 1;
	return ret;
}

/* The next JSON object from QEMU within the deadline. */
static int qmp_read(struct qmp *q, json_t **obj, int64_t deadline, char *err, size_t errlen)
{
	*obj = NULL;
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (nl && q->skipping) {
			log_dbg("QMP: skipped the end of a line longer than %u bytes",
				QMP_MAX_REPLY);
			q->skipping = false;
			memmove(q->buf, nl + 1, q->len - (size_t)(nl - q->buf) - 1);
			q->len -= (size_t)(nl - q->buf) + 1;
			continue;
		}
		if (nl) {
			int ret = qmp_parse(q, nl, obj, err, errlen);
			if (ret == 1)
				continue;
			return ret;
		}
		if (q->skipping) {
			q->len = 0;
		} else if (q->len == q->cap) {
			size_t cap = q->cap ? q->cap * 2 : 65536;
			char *nb = cap <= QMP_MAX_REPLY ? realloc(q->buf, cap) : NULL;
			if (!nb && cap <= QMP_MAX_REPLY) {
				snprintf(err, errlen, "QMP reply: out of memory");
				return -ENOMEM;
			}
			if (!nb) {
				/* Drop what we have and the rest of the line as it comes. */
				q->skipping = true;
				q->len = 0;
				snprintf(err, errlen, "QMP sent a line longer than %u bytes",
					 QMP_MAX_REPLY);
				return -EMSGSIZE;
			}
			q->buf = nb;
			q->cap = cap;
		}
		int ret = qmp_wait(q, POLLIN, deadline);
		if (ret == 0) {
			snprintf(err, errlen, "QMP did not answer in time");
			return -ETIMEDOUT;
		}
		if (ret < 0) {
			snprintf(err, errlen, "waiting for QMP: %s", strerror(-ret));
			return ret;
		}
		ssize_t n = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0) {
			q->broken = n < 0 ? -errno : -EPIPE;
			snprintf(err, errlen, "QMP closed its socket%s%s", n < 0 ? ": " : "",
				 n < 0 ? strerror(errno) : "");
			return q->broken;
		}
		q->len += (size_t)n;
	}
}

/* Queues an event (taking obj), dropping the oldest when the queue is full. */
static void qmp_queue_event(struct qmp *q, json_t *obj)
{
	if (json_array_size(q->events) >= QMP_MAX_EVENTS) {
		json_t *old = json_array_get(q->events, 0);
		log_dbg("QMP: event queue full, dropped %s",
			json_string_value(json_object_get(old, "event")));
		json_array_remove(q->events, 0);
		q->events_lost++;
	}
	log_dbg("QMP: queued event %s", json_string_value(json_object_get(obj, "event")));
	if (json_array_append_new(q->events, obj) < 0)
		q->events_lost++;
}

/* What one object from QEMU is while command want waits (0: none does): 1 its reply
 * (in *reply), 0 an event (queued) or a late reply to a command that timed out (dropped),
 * -EPROTO for a reply to no command we sent or for anything else. Takes obj. */
static int qmp_dispatch(struct qmp *q, json_t *obj, json_int_t want, json_t **reply, char *err,
			size_t errlen)
{
	json_t *id = json_object_get(obj, "id"), *e = json_object_get(obj, "error");
	json_int_t v = json_is_integer(id) ? json_integer_value(id) : 0;

	if (json_is_string(json_object_get(obj, "event"))) {
		qmp_queue_event(q, obj);
		return 0;
	}
	if (!json_object_get(obj, "return") && !e) {
		snprintf(err, errlen, "QMP sent an object that is neither a reply nor an event");
		json_decref(obj);
		return -EPROTO;
	}
	if (want > 0 && v == want) {
		*reply = obj;
		return 1;
	}
	if (v >= 1 && v < q->next_id) {
		log_dbg("QMP: dropped the late reply to command %lld", (long long)v);
		json_decref(obj);
		return 0;
	}
	/* An id-less reply is QEMU's answer to a line it could not parse: never one of ours,
	 * and which command it belongs to cannot be known. */
	char *idtext = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	char waiting[48] = "an event";
	if (want > 0)
		snprintf(waiting, sizeof(waiting), "the reply to command %lld", (long long)want);
	snprintf(err, errlen, "QMP sent a reply %s%.40s%s while waiting for %s%s%.150s",
		 id ? "with id " : "without an id", idtext ? idtext : "", id ? " (never sent)" : "",
		 waiting, e ? ": " : "", json_string_value(json_object_get(e, "desc")) ?: "");
	free(idtext);
	json_decref(obj);
	return -EPROTO;
}

static int qmp_usable(struct qmp *q, char *err, size_t errlen)
{
	if (q->fd < 0) {
		snprintf(err, errlen, "QMP is not connected");
		return -ENOTCONN;
	}
	if (q->broken) {
		snprintf(err, errlen, "QMP is unusable since an earlier error: %s",
			 strerror(-q->broken));
		return q->broken;
	}
	return 0;
}

/* The command as one line, with its id. NULL when out of memory. */
static char *qmp_request(const char *cmd, json_t *args, json_int_t id, size_t *len)
{
	json_t *req = json_pack("{s:s, s:I}", "execute", cmd, "id", id);
	char *text = NULL;

	if (req && (!args || json_object_set(req, "arguments", args) == 0))
		text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return NULL;
	/* JSON_COMPACT without JSON_INDENT has no newline; strings have theirs escaped. */
	*len = strlen(text);
	char *line = realloc(text, *len + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[(*len)++] = '\n';
	line[*len] = '\0';
	return line;
}

/* qmp_execute, with fd (-1: none) passed along with the command's line. */
static int qmp_run(struct qmp *q, const char *cmd, json_t *args, int fd, json_t **ret,
		   int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + timeout_ms;
	json_t *reply = NULL;
	size_t len;
	int rc;

	if (ret)
		*ret = NULL;
	rc = qmp_usable(q, err, errlen);
	if (rc < 0)
		return rc;
	/* The id is taken even when the command is never sent: ids are never reused. */
	json_int_t id = q->next_id++;
	char *line = qmp_request(cmd, args, id, &len);
	if (!line) {
		snprintf(err, errlen, "QMP %s: out of memory", cmd);
		return -ENOMEM;
	}
	rc = qmp_write_all(q, line, len, fd, deadline, err, errlen);
	free(line);
	bool sent = rc == 0;
	while (rc == 0) {
		json_t *obj;
		rc = qmp_read(q, &obj, deadline, err, errlen);
		if (rc == 0)
			rc = qmp_dispatch(q, obj, id, &reply, err, errlen);
		if (rc == 1) {
			rc = 0;
			break;
		}
	}
	if (rc == -ETIMEDOUT && sent)
		snprintf(err, errlen, "QMP %s: no reply in %d ms", cmd, timeout_ms);
	if (rc < 0)
		return rc;

	json_t *e = json_object_get(reply, "error");
	if (e) {
		snprintf(err, errlen, "QMP %s: %s (%s)", cmd,
			 json_string_value(json_object_get(e, "desc"))
				 ?: "error without a description",
			 json_string_value(json_object_get(e, "class")) ?: "no class");
		rc = -EIO;
	} else if (ret) {
		*ret = json_incref(json_object_get(reply, "return"));
	}
	json_decref(reply);
	return rc;
}

int qmp_execute(struct qmp *q, const char *cmd, json_t *args, json_t **ret, int timeout_ms,
		char *err, size_t errlen)
{
	return qmp_run(q, cmd, args, -1, ret, timeout_ms, err, errlen);
}

/* Declared in host/migrate.h, whose module alone hands descriptors over; here because the
 * descriptor must ride on the command's own bytes, which only this file writes. */
int qmp_send_fd(struct qmp *q, int fd, const char *name, int timeout_ms, char *err, size_t len)
{
	if (fd < 0) {
		snprintf(err, len, "QMP getfd %s: no descriptor to pass", name);
		return -EBADF;
	}
	json_t *args = json_pack("{s:s}", "fdname", name);
	if (!args) {
		snprintf(err, len, "QMP getfd %s: out of memory", name);
		return -ENOMEM;
	}
	int rc = qmp_run(q, "getfd", args, fd, NULL, timeout_ms, err, len);
	json_decref(args);
	return rc;
}

int qmp_take_event(struct qmp *q, const char *name, json_t **event, int timeout_ms, char *err,
		   size_t errlen)
{
	int64_t deadline = util_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rc = 0;

	*event = NULL;
	for (;;) {
		size_t i;
		json_t *ev;
		json_array_foreach(q->events, i, ev) {
			const char *n = json_string_value(json_object_get(ev, "event"));
			if (!name || (n && strcmp(n, name) == 0)) {
				*event = json_incref(ev);
				json_array_remove(q->events, i);
				return 0;
			}
		}
		/* Only now, so that a closed or broken monitor still gives what was queued. */
		if (rc == 0)
			rc = qmp_usable(q, err, errlen);
		json_t *obj, *reply = NULL;
		if (rc == 0)
			rc = qmp_read(q, &obj, deadline, err, errlen);
		if (rc == 0)
			rc = qmp_dispatch(q, obj, 0, &reply, err, errlen);
		if (rc == -ETIMEDOUT)
			snprintf(err, errlen, "no QMP event %s in %d ms", name ? name : "at all",
				 timeout_ms);
		if (rc < 0)
			return rc;
	}
}

int qmp_open_fd(struct qmp *q, int fd, int timeout_ms, char *err, size_t errlen)
{
	int64_t deadline = util_now_ms() + timeout_ms;
	json_t *greeting = NULL;
	int ret;

	if (errlen)
		err[0] = '\0';
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->next_id = 1;
	q->events = json_array();
	if (!q->events) {
		snprintf(err, errlen, "QMP: out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	ret = qmp_read(q, &greeting, deadline, err, errlen);
	if (ret < 0)
		goto fail;
	bool ok = json_object_get(greeting, "QMP") != NULL;
	json_decref(greeting);
	if (!ok) {
		snprintf(err, errlen, "QMP sent no greeting");
		ret = -EPROTO;
		goto fail;
	}
	int64_t left = deadline - util_now_ms();
	ret = qmp_execute(q, "qmp_capabilities", NULL, NULL, left > 0 ? (int)left : 0, err, errlen);
	if (ret == 0)
		return 0;
fail:
	qmp_close(q);
	return ret;
}

int qmp_connect(struct qmp *q, const char *path, pid_t qemu, int timeout_ms, char *err,
		size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = util_now_ms() + timeout_ms;
	int fd, ret;

	if (errlen)
		err[0] = '\0';
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "QMP socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		ret = -errno;
		close(fd);
		siginfo_t si = { 0 };
		/* Exited (not reaped: whoever started it reaps it)? */
		if (qemu > 0 && waitid(P_PID, (id_t)qemu, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == qemu) {
			snprintf(err, errlen, "QEMU exited before its QMP socket was ready");
			return -ECHILD;
		}
		if (util_now_ms() >= deadline || proc_interrupted()) {
			snprintf(err, errlen, "cannot connect to QMP at %s: %s", path,
				 strerror(-ret));
			return proc_interrupted() ? -EINTR : ret;
		}
		util_sleep_s(20 / 1e3);
	}
	ret = qmp_open_fd(q, fd, timeout_ms, err, errlen);
	if (ret < 0) {
		/* Which socket, for the reason line: the error alone does not say. */
		size_t n = strlen(err);
		if (errlen > n)
			snprintf(err + n, errlen - n, " (at %s)", path);
	}
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
	q->skipping = false;
	json_decref(q->events);
	q->events = NULL;
}
