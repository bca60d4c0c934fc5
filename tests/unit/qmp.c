/* Unit tests of host/qmp.c without QEMU: a fake monitor in a thread plays a script on one
 * end of a socketpair (greeting, events, late, wrong, split and broken replies). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "host/qmp.h"

enum fake_op {
	F_END,
	F_SEND,	 /* text, with $ID the id of the last command read and $PREV the one before */
	F_SPLIT, /* the same, a few bytes a write with pauses between */
	F_RECV,	 /* reads one command, which must be text */
	F_SLEEP, /* ms */
	F_HUGE,	 /* a reply to the last command longer than QMP_MAX_REPLY */
	F_CLOSE, /* closes the socket */
};

struct fake_step {
	enum fake_op op;
	const char *text;
	int ms;
};

#define MAX_CMDS 16

struct fake {
	int fd;
	const struct fake_step *steps;
	pthread_t thread;
	char *in;
	size_t inlen, incap;
	/* What the client sent: */
	int ncmds;
	char cmd[MAX_CMDS][64];
	json_int_t id[MAX_CMDS];
	size_t bloblen[MAX_CMDS]; /* of arguments.blob, when there was one */
	char error[256];	  /* the first thing that went wrong on the fake's side */
};

#define SEND(t)                           \
	{                                 \
		.op = F_SEND, .text = (t) \
	}
#define SPLIT(t)                           \
	{                                  \
		.op = F_SPLIT, .text = (t) \
	}
#define RECV(t)                           \
	{                                 \
		.op = F_RECV, .text = (t) \
	}
#define SLEEP(n)                         \
	{                                \
		.op = F_SLEEP, .ms = (n) \
	}
#define HUGE                 \
	{                    \
		.op = F_HUGE \
	}
#define CLOSE                 \
	{                     \
		.op = F_CLOSE \
	}
#define END                 \
	{                   \
		.op = F_END \
	}
#define GREETING    SEND("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 9}}, \"capabilities\": []}}")
#define NEGOTIATE   RECV("qmp_capabilities"), SEND("{\"return\": {}, \"id\": $ID}")
#define EVENT(name) "{\"event\": \"" name "\", \"data\": {}, \"timestamp\": {\"seconds\": 1}}"

static void fake_fail(struct fake *f, const char *what)
{
	if (!f->error[0])
		snprintf(f->error, sizeof(f->error), "%s", what);
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
			snprintf(num, sizeof(num), "%lld", k >= 0 ? (long long)f->id[k] : -1LL);
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

static void fake_recv(struct fake *f, const char *want)
{
	char *nl;

	while (!(nl = f->in ? memchr(f->in, '\n', f->inlen) : NULL)) {
		if (f->inlen == f->incap) {
			f->incap = f->incap ? f->incap * 2 : 4096;
			f->in = realloc(f->in, f->incap);
		}
		ssize_t n = read(f->fd, f->in + f->inlen, f->incap - f->inlen);
		if (n <= 0) {
			fake_fail(f, "the client closed before sending a command");
			return;
		}
		f->inlen += (size_t)n;
	}
	size_t len = (size_t)(nl - f->in);
	json_t *req = json_loadb(f->in, len, 0, NULL);
	memmove(f->in, nl + 1, f->inlen - len - 1);
	f->inlen -= len + 1;
	const char *cmd = json_string_value(json_object_get(req, "execute"));
	json_t *id = json_object_get(req, "id");
	if (!cmd || strcmp(cmd, want) != 0)
		fake_fail(f, "the client sent another command than expected");
	else if (!json_is_integer(id))
		fake_fail(f, "a command without an integer id");
	else if (f->ncmds == MAX_CMDS)
		fake_fail(f, "too many commands");
	else {
		snprintf(f->cmd[f->ncmds], sizeof(f->cmd[0]), "%s", cmd);
		f->id[f->ncmds] = json_integer_value(id);
		f->bloblen[f->ncmds] = strlen(json_string_value(json_object_get(
						      json_object_get(req, "arguments"), "blob"))
						      ?: "");
		f->ncmds++;
	}
	json_decref(req);
}

static void fake_huge(struct fake *f)
{
	size_t n = QMP_MAX_REPLY + 4096;
	char *line = malloc(n + 64);
	int k = snprintf(line, 64, "{\"id\": %lld, \"return\": \"",
			 f->ncmds ? (long long)f->id[f->ncmds - 1] : -1LL);

	memset(line + k, 'x', n - (size_t)k);
	memcpy(line + n, "\"}\n", 3);
	if (fake_write(f, line, n + 3, n + 3) < 0)
		fake_fail(f, "cannot write the huge reply");
	free(line);
}

static void *fake_run(void *arg)
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
			fake_recv(f, s->text);
			break;
		case F_SLEEP:
			sleep_ms(s->ms);
			break;
		case F_HUGE:
			fake_huge(f);
			break;
		case F_CLOSE:
			close(f->fd);
			f->fd = -1;
			break;
		case F_END:
			break;
		}
	}
	return NULL;
}

/* Starts the fake on one end of a socketpair; the other end in *client. */
static void fake_start(struct fake *f, const struct fake_step *steps, int *client)
{
	int sv[2];

	memset(f, 0, sizeof(*f));
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->fd = sv[1];
	f->steps = steps;
	*client = sv[0];
	cr_assert_eq(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* Waits for the fake to play its script out; the client must have closed first when the
 * script ends reading. */
static void fake_finish(struct fake *f)
{
	pthread_join(f->thread, NULL);
	if (f->fd >= 0)
		close(f->fd);
	free(f->in);
	cr_assert_eq(f->error[0], '\0', "fake monitor: %s", f->error);
}

/* A fake and a client that has negotiated with it. */
static void open_client(struct qmp *q, struct fake *f, const struct fake_step *steps)
{
	char err[256];
	int fd;

	fake_start(f, steps, &fd);
	int ret = qmp_open_fd(q, fd, 5000, err, sizeof(err));
	cr_assert_eq(ret, 0, "qmp_open_fd: %d %s", ret, err);
}

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key)) ?: "(none)";
}

static void run_expect(struct qmp *q, const char *cmd, const char *which)
{
	char err[256];
	json_t *r = NULL;
	int ret = qmp_execute(q, cmd, NULL, &r, 5000, err, sizeof(err));

	cr_assert_eq(ret, 0, "%s: %d %s", cmd, ret, err);
	cr_assert_str_eq(str_of(r, "which"), which, "%s got the reply meant for another", cmd);
	json_decref(r);
}

Test(qmp, every_command_has_a_new_id_and_gets_its_own_reply, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("query-status"),
		SEND("{\"return\": {\"which\": \"a\"}, \"id\": $ID}"),
		RECV("query-stats"),
		SEND("{\"id\": $ID, \"return\": {\"which\": \"b\"}}"),
		RECV("query-status"),
		SEND("{\"return\": {\"which\": \"c\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;

	open_client(&q, &f, steps);
	run_expect(&q, "query-status", "a");
	run_expect(&q, "query-stats", "b");
	run_expect(&q, "query-status", "c");
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(f.ncmds, 4);
	for (int i = 1; i < f.ncmds; i++)
		cr_assert_gt(f.id[i], f.id[i - 1], "ids %lld then %lld", (long long)f.id[i - 1],
			     (long long)f.id[i]);
}

Test(qmp, events_before_and_between_replies_are_queued_in_order, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		SEND(EVENT("A")),
		NEGOTIATE,
		SEND(EVENT("B")),
		RECV("query-status"),
		SEND(EVENT("C")),
		SEND(EVENT("D")),
		SEND("{\"return\": {\"which\": \"s\"}, \"id\": $ID}"),
		END,
	};
	const char *order[] = { "A", "B", "D" };
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *ev;

	open_client(&q, &f, steps);
	run_expect(&q, "query-status", "s");
	/* By name first: C out of the middle of the queue. */
	cr_assert_eq(qmp_take_event(&q, "C", &ev, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(str_of(ev, "event"), "C");
	cr_assert(json_is_object(json_object_get(ev, "data")));
	json_decref(ev);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(qmp_take_event(&q, NULL, &ev, 0, err, sizeof(err)), 0, "%s", err);
		cr_assert_str_eq(str_of(ev, "event"), order[i]);
		json_decref(ev);
	}
	cr_assert_eq(qmp_take_event(&q, NULL, &ev, 0, err, sizeof(err)), -ETIMEDOUT);
	cr_assert_null(ev);
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, take_event_waits_for_its_name_and_times_out, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,   NEGOTIATE,		 SLEEP(200), SEND(EVENT("OTHER")),
		SLEEP(100), SEND(EVENT("STOP")), END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *ev;

	open_client(&q, &f, steps);
	cr_assert_eq(qmp_take_event(&q, "STOP", &ev, 5000, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(str_of(ev, "event"), "STOP");
	json_decref(ev);
	/* What came before it waits in the queue. */
	cr_assert_eq(qmp_take_event(&q, "OTHER", &ev, 0, err, sizeof(err)), 0, "%s", err);
	json_decref(ev);
	cr_assert_eq(qmp_take_event(&q, "STOP", &ev, 100, err, sizeof(err)), -ETIMEDOUT);
	cr_assert_not_null(strstr(err, "STOP"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, late_reply_after_a_timeout_is_never_the_next_reply, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("slow"),
		SLEEP(2000), /* far past the client's 150 ms, even on a loaded machine */
		SEND("{\"return\": {\"which\": \"slow\"}, \"id\": $ID}"),
		RECV("fast"),
		SEND("{\"return\": {\"which\": \"fast\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *r = NULL;

	open_client(&q, &f, steps);
	cr_assert_eq(qmp_execute(&q, "slow", NULL, &r, 150, err, sizeof(err)), -ETIMEDOUT);
	cr_assert_null(r);
	cr_assert_not_null(strstr(err, "slow"), "%s", err);
	run_expect(&q, "fast", "fast");
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, reply_with_an_id_never_sent_is_a_protocol_error, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("one"),
		SEND("{\"return\": {\"which\": \"bogus\"}, \"id\": 9999}"),
		SEND("{\"return\": {\"which\": \"one\"}, \"id\": $ID}"),
		RECV("two"),
		SEND("{\"return\": {\"which\": \"bogus\"}, \"id\": \"two\"}"),
		RECV("three"),
		/* The real reply to two comes late now. */
		SEND("{\"return\": {\"which\": \"two\"}, \"id\": $PREV}"),
		SEND("{\"return\": {\"which\": \"three\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *r = NULL;

	open_client(&q, &f, steps);
	cr_assert_eq(qmp_execute(&q, "one", NULL, &r, 5000, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "9999"), "%s", err);
	cr_assert_null(r);
	cr_assert_eq(qmp_execute(&q, "two", NULL, &r, 5000, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "\"two\""), "%s", err);
	run_expect(&q, "three", "three");
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, qemu_error_is_eio_with_its_description, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("no-such-command"),
		SEND("{\"id\": $ID, \"error\": {\"class\": \"CommandNotFound\", \"desc\": "
		     "\"The command no-such-command has not been found\"}}"),
		RECV("query-status"),
		SEND("{\"return\": {\"which\": \"ok\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *r = NULL;

	open_client(&q, &f, steps);
	cr_assert_eq(qmp_execute(&q, "no-such-command", NULL, &r, 5000, err, sizeof(err)), -EIO);
	cr_assert_null(r);
	cr_assert_not_null(strstr(err, "has not been found"), "%s", err);
	cr_assert_not_null(strstr(err, "CommandNotFound"), "%s", err);
	run_expect(&q, "query-status", "ok");
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, reply_split_over_many_writes, .timeout = 30)
{
	static const struct fake_step steps[] = {
		SPLIT("{\"QMP\": {\"version\": {}, \"capabilities\": []}}"),
		RECV("qmp_capabilities"),
		SPLIT("{\"return\": {}, \"id\": $ID}"),
		RECV("query-status"),
		SPLIT(EVENT("X") "\r\n\n{\"return\": {\"which\": \"split\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *ev;

	open_client(&q, &f, steps);
	run_expect(&q, "query-status", "split");
	cr_assert_eq(qmp_take_event(&q, "X", &ev, 0, err, sizeof(err)), 0, "%s", err);
	json_decref(ev);
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, garbage_is_a_protocol_error_not_a_crash, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,  NEGOTIATE,
		RECV("a"), SEND("this is not JSON {{{"),
		RECV("b"), SEND("[1, 2, 3]"),
		RECV("c"), SEND("{\"return\": {}, \"id\": $ID, \"id\": $ID}"),
		RECV("d"), SEND("{\"neither\": \"reply nor event\"}"),
		RECV("e"), SEND("{\"return\": {\"which\": \"e\"}, \"id\": $ID}"),
		END,
	};
	const char *cmds[] = { "a", "b", "c", "d" };
	const char *why[] = { "malformed JSON", "not an object", "duplicate", "neither" };
	struct qmp q;
	struct fake f;
	char err[256];

	open_client(&q, &f, steps);
	for (size_t i = 0; i < 4; i++) {
		int ret = qmp_execute(&q, cmds[i], NULL, NULL, 5000, err, sizeof(err));
		cr_assert_eq(ret, -EPROTO, "%s: %d %s", cmds[i], ret, err);
		cr_assert_not_null(strstr(err, why[i]), "%s", err);
	}
	run_expect(&q, "e", "e");
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, line_over_the_limit_is_emsgsize_and_skipped, .timeout = 60)
{
	static const struct fake_step steps[] = {
		GREETING, NEGOTIATE,	 RECV("huge"),
		HUGE,	  RECV("small"), SEND("{\"return\": {\"which\": \"small\"}, \"id\": $ID}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *r = NULL;

	open_client(&q, &f, steps);
	cr_assert_eq(qmp_execute(&q, "huge", NULL, &r, 10000, err, sizeof(err)), -EMSGSIZE);
	cr_assert_null(r);
	cr_assert_not_null(strstr(err, "longer than"), "%s", err);
	run_expect(&q, "small", "small");
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, long_command_on_a_non_blocking_socket_is_written_whole, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,     NEGOTIATE,
		SLEEP(100), /* the client's socket fills meanwhile */
		RECV("long"), SEND("{\"return\": {\"which\": \"long\"}, \"id\": $ID}"),
		END,
	};
	size_t len = 2u << 20;
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *r = NULL;
	char *blob = malloc(len + 1);

	open_client(&q, &f, steps);
	int small = 4096;
	cr_assert_eq(setsockopt(q.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	cr_assert_eq(fcntl(q.fd, F_SETFL, fcntl(q.fd, F_GETFL) | O_NONBLOCK), 0);
	memset(blob, 'b', len);
	blob[len] = '\0';
	json_t *args = json_pack("{s:s}", "blob", blob);
	int ret = qmp_execute(&q, "long", args, &r, 10000, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	cr_assert_str_eq(str_of(r, "which"), "long");
	json_decref(r);
	json_decref(args);
	free(blob);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(f.bloblen[1], len);
}

Test(qmp, no_greeting_or_a_closed_socket_is_a_clear_error, .timeout = 30)
{
	static const struct fake_step no_greeting[] = {
		SEND("{\"return\": {}}"),
		END,
	};
	static const struct fake_step closes[] = {
		GREETING, NEGOTIATE, RECV("quit"), CLOSE, END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	int fd;

	fake_start(&f, no_greeting, &fd);
	cr_assert_eq(qmp_open_fd(&q, fd, 5000, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "greeting"), "%s", err);
	cr_assert_eq(q.fd, -1);
	fake_finish(&f);

	open_client(&q, &f, closes);
	cr_assert_eq(qmp_execute(&q, "quit", NULL, NULL, 5000, err, sizeof(err)), -EPIPE);
	cr_assert_not_null(strstr(err, "closed"), "%s", err);
	/* And so is every command after it. */
	cr_assert_eq(qmp_execute(&q, "again", NULL, NULL, 60000, err, sizeof(err)), -EPIPE);
	qmp_close(&q);
	fake_finish(&f);
}

Test(qmp, event_queue_is_bounded_and_counts_what_it_dropped, .timeout = 30)
{
	static struct fake_step steps[QMP_MAX_EVENTS + 20];
	struct qmp q;
	struct fake f;
	char err[256];
	json_t *ev;
	size_t n = 0;

	steps[n++] = (struct fake_step)GREETING;
	steps[n++] = (struct fake_step)RECV("qmp_capabilities");
	for (int i = 0; i < QMP_MAX_EVENTS + 10; i++)
		steps[n++] = (struct fake_step)SEND(EVENT("E"));
	steps[n++] = (struct fake_step)SEND("{\"return\": {}, \"id\": $ID}");
	steps[n] = (struct fake_step)END;
	open_client(&q, &f, steps);
	cr_assert_eq(q.events_lost, 10);
	for (int i = 0; i < QMP_MAX_EVENTS; i++) {
		cr_assert_eq(qmp_take_event(&q, "E", &ev, 0, err, sizeof(err)), 0, "%s", err);
		json_decref(ev);
	}
	cr_assert_eq(qmp_take_event(&q, "E", &ev, 0, err, sizeof(err)), -ETIMEDOUT);
	qmp_close(&q);
	fake_finish(&f);
}

/* The path callers use: a listening unix socket, the fake on the accepted connection. */
struct listener {
	int fd;
	struct fake *f;
	const struct fake_step *steps;
};

static void *accept_run(void *arg)
{
	struct listener *l = arg;
	int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0) {
		fake_fail(l->f, "accept failed");
		return NULL;
	}
	l->f->fd = c;
	l->f->steps = l->steps;
	return fake_run(l->f);
}

Test(qmp, connect_by_path_negotiates, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("query-status"),
		SEND("{\"return\": {\"which\": \"path\"}, \"id\": $ID}"),
		END,
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/vmbench-qmp-XXXXXX", err[256];
	struct fake f;
	struct qmp q;

	memset(&f, 0, sizeof(f));
	f.fd = -1;
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp.sock", dir);
	struct listener l = { socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), &f, steps };
	cr_assert_geq(l.fd, 0);
	cr_assert_eq(bind(l.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(l.fd, 1), 0);
	cr_assert_eq(pthread_create(&f.thread, NULL, accept_run, &l), 0);
	int ret = qmp_connect(&q, sa.sun_path, 0, 5000, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	run_expect(&q, "query-status", "path");
	qmp_close(&q);
	fake_finish(&f);
	close(l.fd);
	unlink(sa.sun_path);
	rmdir(dir);
}
