/* Unit tests of host/qmp.c without QEMU: the fake monitor (tests/fake_qmp.h) plays a
 * script on one end of a socketpair (greeting, events, late, wrong, split and broken
 * replies). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fake_qmp.h"
#include "host/qmp.h"

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

	fake_open_client(&q, &f, steps);
	run_expect(&q, "query-status", "a");
	run_expect(&q, "query-stats", "b");
	run_expect(&q, "query-status", "c");
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(f.ncmds, 4);
	for (int i = 1; i < f.ncmds; i++)
		cr_assert_gt(f.cmd[i].id, f.cmd[i - 1].id, "ids %lld then %lld",
			     (long long)f.cmd[i - 1].id, (long long)f.cmd[i].id);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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

	fake_open_client(&q, &f, steps);
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
	cr_assert_eq(f.cmd[1].bloblen, len);
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

	fake_open_client(&q, &f, closes);
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
	fake_open_client(&q, &f, steps);
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
};

static void *accept_run(void *arg)
{
	struct listener *l = arg;
	int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0) {
		fake_fail(l->f, "accept failed: %s", strerror(errno));
		return NULL;
	}
	l->f->fd = c;
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

	fake_init(&f, steps);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp.sock", dir);
	struct listener l = { socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), &f };
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
