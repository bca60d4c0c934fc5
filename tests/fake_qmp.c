/* A fake QMP monitor for unit tests (fake_qmp.h): plays a script, records the commands and
 * the descriptors that came with them. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fake_qmp.h"

void fake_fail(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (f->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int fake_write(struct fake *f, const char *p, size_t len, size_t chunk)
{
	while (len > 0) {
		ssize_t n = send(f->fd, p, len < chunk ? len : chunk, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (chunk < 64)
			sleep_ms(2);
	}
	return 0;
}

/* The step's text with $ID and $PREV filled in, and a newline. */
static void fake_send(struct fake *f, const char *text, size_t chunk)
{
	char line[4096], num[32];
	size_t n = 0;

	for (const char *p = text; *p && n < sizeof(line) - 32;) {
		if (!strncmp(p, "$ID", 3) || !strncmp(p, "$PREV", 5)) {
			bool prev = p[1] == 'P';
			int k = f->ncmds - (prev ? 2 : 1);
			snprintf(num, sizeof(num), "%lld", k >= 0 ? (long long)f->cmd[k].id : -1LL);
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", num);
			p += prev ? 5 : 3;
		} else {
			line[n++] = *p++;
		}
	}
	line[n++] = '\n';
	if (fake_write(f, line, n, chunk) < 0)
		fake_fail(f, "cannot write to the client");
}

/* Reads what the client sent next into f->in, and a descriptor that came with it (the
 * kernel ends a read with the bytes a descriptor came with, so they are the last ones
 * read). 0, or -1 when the client closed. */
static int fake_fill(struct fake *f)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;

	if (f->inlen == f->incap) {
		/* The fake's own thread: no Criterion assertion here (they are the test
		 * thread's), its failure is said by f->error, which the test checks. */
		char *in = realloc(f->in, f->incap ? f->incap * 2 : 4096);
		if (!in) {
			fake_fail(f, "out of memory");
			f->closed = true;
			return -1;
		}
		f->in = in;
		f->incap = f->incap ? f->incap * 2 : 4096;
	}
	struct iovec iov = { .iov_base = f->in + f->inlen, .iov_len = f->incap - f->inlen };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(f->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		f->closed = true;
		return -1;
	}
	f->inlen += (size_t)n;
	if (msg.msg_flags & MSG_CTRUNC)
		fake_fail(f, "more descriptors came than one");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (i > 0 || f->in_fd >= 0) {
				fake_fail(f, "more than one descriptor for one command");
				close(fd);
				continue;
			}
			f->in_fd = fd;
			f->in_fd_end = f->inlen;
		}
	}
	return 0;
}

/* The next command the client sent, parsed into *c: 0, or -1 when the client closed. */
static int fake_next(struct fake *f, struct fake_cmd *c)
{
	char *nl;

	if (f->held) {
		*c = f->next;
		f->held = false;
		return 0;
	}
	while (!(nl = f->in ? memchr(f->in, '\n', f->inlen) : NULL))
		if (f->closed || fake_fill(f) < 0)
			return -1;
	size_t len = (size_t)(nl - f->in);
	json_t *req = json_loadb(f->in, len, 0, NULL);
	memset(c, 0, sizeof(*c));
	/* A descriptor whose bytes end within this line (its newline included) is its. */
	if (f->in_fd >= 0 && f->in_fd_end <= len + 1) {
		struct stat st;
		if (fstat(f->in_fd, &st) == 0) {
			c->fd = true;
			c->fd_dev = st.st_dev;
			c->fd_ino = st.st_ino;
		} else {
			fake_fail(f, "a descriptor came that fstat refuses");
		}
		close(f->in_fd);
		f->in_fd = -1;
	} else if (f->in_fd >= 0) {
		f->in_fd_end -= len + 1;
	}
	memmove(f->in, nl + 1, f->inlen - len - 1);
	f->inlen -= len + 1;
	const char *name = json_string_value(json_object_get(req, "execute"));
	json_t *id = json_object_get(req, "id"), *args = json_object_get(req, "arguments");
	if (!name)
		fake_fail(f, "the client sent a line that is no command");
	else if (!json_is_integer(id))
		fake_fail(f, "%s came without an integer id", name);
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "");
	c->id = json_integer_value(id);
	c->bloblen = strlen(json_string_value(json_object_get(args, "blob")) ?: "");
	char *text = args ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	snprintf(c->args, sizeof(c->args), "%s", text ? text : "");
	free(text);
	json_decref(req);
	return 0;
}

static void fake_record(struct fake *f, const struct fake_cmd *c)
{
	if (f->ncmds == FAKE_MAX_CMDS)
		fake_fail(f, "too many commands");
	else
		f->cmd[f->ncmds++] = *c;
}

static void fake_recv(struct fake *f, const char *want, bool with_fd)
{
	struct fake_cmd c;

	if (fake_next(f, &c) < 0) {
		fake_fail(f, "the client closed before sending %s", want);
		return;
	}
	if (strcmp(c.name, want) != 0)
		fake_fail(f, "the client sent %s where %s was expected", c.name, want);
	else if (with_fd && !c.fd)
		fake_fail(f, "%s came without a descriptor", want);
	else if (!with_fd && c.fd)
		fake_fail(f, "a descriptor came with %s, which takes none", want);
	fake_record(f, &c);
}

static void fake_answer(struct fake *f, const struct fake_step *s)
{
	struct fake_cmd c;

	for (int i = 0; (s->n == 0 || i < s->n) && !f->error[0]; i++) {
		if (fake_next(f, &c) < 0) {
			if (s->n)
				fake_fail(f, "the client closed before sending %s", s->text);
			return;
		}
		if (strcmp(c.name, s->text) != 0 && s->n == 0) {
			f->next = c;
			f->held = true;
			return;
		}
		if (strcmp(c.name, s->text) != 0)
			fake_fail(f, "the client sent %s where %s was expected (%d of %d)", c.name,
				  s->text, i + 1, s->n);
		else if (c.fd)
			fake_fail(f, "a descriptor came with %s, which takes none", s->text);
		fake_record(f, &c);
		fake_send(f, s->reply, SIZE_MAX);
	}
}

static void fake_huge(struct fake *f)
{
	size_t n = QMP_MAX_REPLY + 4096;
	char *line = malloc(n + 64);
	int k = snprintf(line, 64, "{\"id\": %lld, \"return\": \"",
			 f->ncmds ? (long long)f->cmd[f->ncmds - 1].id : -1LL);

	memset(line + k, 'x', n - (size_t)k);
	memcpy(line + n, "\"}\n", 3);
	if (fake_write(f, line, n + 3, n + 3) < 0)
		fake_fail(f, "cannot write the huge reply");
	free(line);
}

void *fake_run(void *arg)
{
	struct fake *f = arg;

	for (const struct fake_step *s = f->steps; s->op != F_END && !f->error[0]; s++) {
		switch (s->op) {
		case F_SEND:
			fake_send(f, s->text, SIZE_MAX);
			break;
		case F_SPLIT:
			fake_send(f, s->text, 3);
			break;
		case F_RECV:
		case F_RECV_FD:
			fake_recv(f, s->text, s->op == F_RECV_FD);
			break;
		case F_ANSWER:
			fake_answer(f, s);
			break;
		case F_SLEEP:
			sleep_ms(s->n);
			break;
		case F_HUGE:
			fake_huge(f);
			break;
		case F_CLOSE:
			close(f->fd);
			f->fd = -1;
			break;
		case F_INTERRUPT:
			/* raise: the handler has run in this thread before the script goes on. */
			raise(SIGINT);
			break;
		case F_END:
			break;
		}
	}
	if (f->held && !f->error[0])
		fake_fail(f, "the script ended before %s was answered", f->next.name);
	return NULL;
}

void fake_init(struct fake *f, const struct fake_step *steps)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->in_fd = -1;
	f->steps = steps;
}

void fake_start(struct fake *f, const struct fake_step *steps, int *client)
{
	int sv[2];

	fake_init(f, steps);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->fd = sv[1];
	*client = sv[0];
	cr_assert_eq(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

void fake_join(struct fake *f)
{
	pthread_join(f->thread, NULL);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->in_fd >= 0)
		close(f->in_fd);
	f->in_fd = -1;
	free(f->in);
	f->in = NULL;
}

void fake_finish(struct fake *f)
{
	fake_join(f);
	cr_assert_eq(f->error[0], '\0', "fake monitor: %s", f->error);
}

void fake_open_client(struct qmp *q, struct fake *f, const struct fake_step *steps)
{
	char err[256];
	int fd;

	fake_start(f, steps, &fd);
	int ret = qmp_open_fd(q, fd, 5000, err, sizeof(err));
	cr_assert_eq(ret, 0, "qmp_open_fd: %d %s", ret, err);
}

int fake_count(const struct fake *f, const char *name)
{
	int n = 0;

	for (int i = 0; i < f->ncmds; i++)
		n += strcmp(f->cmd[i].name, name) == 0;
	return n;
}
