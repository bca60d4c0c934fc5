/* Unit tests of host/migrate.c without QEMU: the fake monitor (tests/fake_qmp.h) checks the
 * descriptor getfd brings and answers query-migrate and query-status with scripts of QEMU
 * 7.2's replies. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fake_qmp.h"
#include "host/migrate.h"
#include "host/process.h"
#include "host/util.h"

#define QM "query-migrate"
#define QS "query-status"
/* query-migrate's replies as 7.2 words them (ram cut to what mig_wait reads, but for the
 * page size, which it must do without). */
#define SETUP_R "{\"return\": {\"status\": \"setup\"}, \"id\": $ID}"
#define ACTIVE_R(status, rounds, remaining, rate)                                                \
	"{\"return\": {\"status\": \"" status "\", \"total-time\": 150, \"expected-downtime\": " \
	"300, \"ram\": {\"total\": 537403392, \"dirty-sync-count\": " #rounds                    \
	", \"remaining\": " #remaining ", \"transferred\": 1000, \"dirty-pages-rate\": " #rate   \
	", \"postcopy-requests\": 0}}, \"id\": $ID}"
#define COMPLETED_R(requests)                                                             \
	"{\"return\": {\"status\": \"completed\", \"setup-time\": 1, \"downtime\": 4, "   \
	"\"total-time\": 1137, \"ram\": {\"total\": 537403392, \"dirty-sync-count\": 3, " \
	"\"remaining\": 0, \"transferred\": 82463554, \"dirty-pages-rate\": 0, "          \
	"\"page-size\": 4096, \"postcopy-requests\": " #requests "}}, \"id\": $ID}"
#define STATUS_R(s) "{\"return\": {\"status\": \"" s "\"}, \"id\": $ID}"
#define RUNSTATE_R(s)                                                                       \
	"{\"return\": {\"status\": \"" s "\", \"singlestep\": false, \"running\": false}, " \
	"\"id\": $ID}"
#define MIGRATION_EV(s)                                                                 \
	"{\"event\": \"MIGRATION\", \"data\": {\"status\": \"" s "\"}, \"timestamp\": " \
	"{\"seconds\": 1700000000, \"microseconds\": 1}}"

static const struct mig_params precopy = { 0 };

static void pipe_of(int p[2])
{
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
}

/* The descriptor that came with command i is the file of fd. */
static void assert_same_file(const struct fake *f, int i, int fd)
{
	struct stat st;

	cr_assert(f->cmd[i].fd, "%s came without a descriptor", f->cmd[i].name);
	cr_assert_eq(fstat(fd, &st), 0, "the caller's copy was closed");
	cr_assert(f->cmd[i].fd_dev == st.st_dev && f->cmd[i].fd_ino == st.st_ino,
		  "%s brought another file", f->cmd[i].name);
}

Test(migrate, send_fd_passes_the_descriptor_with_getfd, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING, NEGOTIATE, RECV_FD("getfd"), SEND(OK_REPLY), END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	int p[2];

	pipe_of(p);
	fake_open_client(&q, &f, steps);
	int ret = qmp_send_fd(&q, p[0], "vmbench-test", 5000, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(f.ncmds, 2);
	assert_same_file(&f, 1, p[0]);
	cr_assert_str_eq(f.cmd[1].args, "{\"fdname\":\"vmbench-test\"}");
	cr_assert_not(f.cmd[0].fd, "qmp_capabilities brought a descriptor");
	close(p[0]);
	close(p[1]);
}

/* The fake's check can fail: a getfd without its descriptor, and a descriptor on a
 * command that takes none, are both caught. */
Test(migrate, fake_catches_a_missing_or_stray_descriptor, .timeout = 30)
{
	static const struct fake_step wants_fd[] = {
		GREETING, NEGOTIATE, RECV_FD("getfd"), SEND(OK_REPLY), END,
	};
	static const struct fake_step wants_none[] = {
		GREETING, NEGOTIATE, RECV("getfd"), SEND(OK_REPLY), END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	int p[2];

	pipe_of(p);
	fake_open_client(&q, &f, wants_fd);
	json_t *args = json_pack("{s:s}", "fdname", "vmbench-test");
	/* The fake stops at its error and never answers. */
	cr_assert_eq(qmp_execute(&q, "getfd", args, NULL, 300, err, sizeof(err)), -ETIMEDOUT);
	json_decref(args);
	qmp_close(&q);
	fake_join(&f);
	cr_assert_not_null(strstr(f.error, "without a descriptor"), "fake: '%s'", f.error);

	fake_open_client(&q, &f, wants_none);
	cr_assert_eq(qmp_send_fd(&q, p[0], "vmbench-test", 300, err, sizeof(err)), -ETIMEDOUT);
	qmp_close(&q);
	fake_join(&f);
	cr_assert_not_null(strstr(f.error, "takes none"), "fake: '%s'", f.error);
	close(p[0]);
	close(p[1]);
}

Test(migrate, getfd_refused_is_eio_with_qemus_reason, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV_FD("getfd"),
		SEND("{\"id\": $ID, \"error\": {\"class\": \"GenericError\", \"desc\": \"No file "
		     "descriptor supplied via SCM_RIGHTS\"}}"),
		END,
	};
	struct qmp q = { .fd = -1 };
	struct fake f;
	char err[256];
	int p[2];

	cr_assert_eq(qmp_send_fd(&q, -1, "x", 300, err, sizeof(err)), -EBADF);
	cr_assert_not_null(strstr(err, "no descriptor"), "%s", err);
	pipe_of(p);
	fake_open_client(&q, &f, steps);
	cr_assert_eq(qmp_send_fd(&q, p[0], "vmbench-test", 5000, err, sizeof(err)), -EIO);
	cr_assert_not_null(strstr(err, "SCM_RIGHTS"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
	close(p[0]);
	close(p[1]);
}

/* mig_start or mig_incoming (cmd) against a fake that takes both commands. */
static void check_begin(const char *cmd)
{
	const struct fake_step steps[] = {
		GREETING,	NEGOTIATE, RECV_FD("getfd"), SEND(OK_REPLY), RECV(cmd),
		SEND(OK_REPLY), END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	int p[2];

	pipe_of(p);
	fake_open_client(&q, &f, steps);
	int ret = strcmp(cmd, "migrate") == 0 ? mig_start(&q, p[1], err, sizeof(err))
					      : mig_incoming(&q, p[1], err, sizeof(err));
	cr_assert_eq(ret, 0, "%s: %d %s", cmd, ret, err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(f.ncmds, 3);
	assert_same_file(&f, 1, p[1]);
	cr_assert_str_eq(f.cmd[1].args, "{\"fdname\":\"vmbench-migration\"}");
	cr_assert_str_eq(f.cmd[2].args, "{\"uri\":\"fd:vmbench-migration\"}");
	close(p[0]);
	close(p[1]);
}

Test(migrate, start_and_incoming_send_getfd_then_their_command_on_it, .timeout = 30)
{
	check_begin("migrate");
	check_begin("migrate-incoming");
}

Test(migrate, migrate_refused_says_so_with_qemus_reason, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV_FD("getfd"),
		SEND(OK_REPLY),
		RECV("migrate"),
		SEND("{\"id\": $ID, \"error\": {\"class\": \"GenericError\", \"desc\": \"There's a "
		     "migration process in progress\"}}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	int p[2];

	pipe_of(p);
	fake_open_client(&q, &f, steps);
	cr_assert_eq(mig_start(&q, p[1], err, sizeof(err)), -EIO);
	cr_assert_not_null(strstr(err, "did not start the migration"), "%s", err);
	cr_assert_not_null(strstr(err, "in progress"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
	close(p[0]);
	close(p[1]);
}

Test(migrate, set_sends_capabilities_and_only_the_parameters_given, .timeout = 60)
{
	static const struct fake_step both[] = {
		GREETING,
		NEGOTIATE,
		RECV("migrate-set-capabilities"),
		SEND(OK_REPLY),
		RECV("migrate-set-parameters"),
		SEND(OK_REPLY),
		END,
	};
	/* Nothing but the capabilities: a parameters command would be taken for query-status. */
	static const struct fake_step caps_only[] = {
		GREETING,
		NEGOTIATE,
		RECV("migrate-set-capabilities"),
		SEND(OK_REPLY),
		RECV(QS),
		SEND(RUNSTATE_R("running")),
		END,
	};
	const struct mig_params p = { .max_bandwidth = 1u << 30,
				      .downtime_limit_ms = 300,
				      .postcopy = true };
	struct qmp q;
	struct fake f;
	char err[256];

	fake_open_client(&q, &f, both);
	cr_assert_eq(mig_set(&q, &p, err, sizeof(err)), 0, "%s", err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_str_eq(f.cmd[1].args,
			 "{\"capabilities\":[{\"capability\":\"events\",\"state\":true},"
			 "{\"capability\":\"postcopy-ram\",\"state\":true}]}");
	cr_assert_str_eq(f.cmd[2].args, "{\"downtime-limit\":300,\"max-bandwidth\":1073741824}");

	fake_open_client(&q, &f, caps_only);
	cr_assert_eq(mig_set(&q, &precopy, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(qmp_execute(&q, QS, NULL, NULL, 5000, err, sizeof(err)), 0, "%s", err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_str_eq(f.cmd[1].args,
			 "{\"capabilities\":[{\"capability\":\"events\",\"state\":true},"
			 "{\"capability\":\"postcopy-ram\",\"state\":false}]}");
}

Test(migrate, set_refused_post_copy_says_why, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		RECV("migrate-set-capabilities"),
		SEND("{\"id\": $ID, \"error\": {\"class\": \"GenericError\", \"desc\": "
		     "\"Postcopy is not supported\"}}"),
		END,
	};
	const struct mig_params p = { .postcopy = true };
	struct qmp q;
	struct fake f;
	char err[256];

	fake_open_client(&q, &f, steps);
	cr_assert_eq(mig_set(&q, &p, err, sizeof(err)), -EIO);
	cr_assert_not_null(strstr(err, "post-copy"), "%s", err);
	cr_assert_not_null(strstr(err, "Postcopy is not supported"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
}

Test(migrate, wait_completes_with_the_stats_filled, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QM, SETUP_R, 1),
		ANSWER(QM, ACTIVE_R("active", 1, 300000000, 1000), 2),
		/* Past the first pass: without post-copy asked for, nothing is switched. */
		ANSWER(QM, ACTIVE_R("active", 2, 1000000, 1000), 2),
		ANSWER(QM, STATUS_R("device"), 1),
		RECV(QM),
		SEND(COMPLETED_R(0)),
		END,
	};
	struct mig_stats st;
	struct qmp q;
	struct fake f;
	char err[256];

	mig_stats_init(&st);
	cr_assert(isnan(st.total_s) && isnan(st.dirty_pages_rate) && st.status[0] == '\0');
	fake_open_client(&q, &f, steps);
	int ret = mig_wait(&q, &precopy, 5000, &st, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_str_eq(st.status, "completed");
	cr_assert_float_eq(st.total_s, 1.137, 1e-9);
	cr_assert_float_eq(st.downtime_ms, 4.0, 1e-9);
	cr_assert_float_eq(st.setup_ms, 1.0, 1e-9);
	cr_assert_eq(st.transferred, 82463554);
	cr_assert_eq(st.remaining, 0);
	cr_assert_eq(st.rounds, 3);
	cr_assert_float_eq(st.dirty_pages_rate, 0.0, 1e-9);
	cr_assert_not(st.postcopy_switched);
	cr_assert_str_eq(st.error, "");
	cr_assert_eq(fake_count(&f, QM), 7);
}

Test(migrate, wait_failed_is_eio_with_qemus_error, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QM, ACTIVE_R("active", 1, 300000000, 1000), 1),
		RECV(QM),
		SEND("{\"return\": {\"status\": \"failed\", \"error-desc\": \"Unable to write to "
		     "socket: Broken pipe\"}, \"id\": $ID}"),
		END,
	};
	struct mig_stats st;
	struct qmp q;
	struct fake f;
	char err[256];

	mig_stats_init(&st);
	fake_open_client(&q, &f, steps);
	cr_assert_eq(mig_wait(&q, &precopy, 5000, &st, err, sizeof(err)), -EIO, "%s", err);
	cr_assert_not_null(strstr(err, "Unable to write to socket: Broken pipe"), "%s", err);
	cr_assert_str_eq(st.error, "Unable to write to socket: Broken pipe");
	cr_assert_str_eq(st.status, "failed");
	qmp_close(&q);
	fake_finish(&f);
}

Test(migrate, wait_cancelled_by_another_or_paused_post_copy_is_eio, .timeout = 30)
{
	static const char *const ends[][2] = {
		{ STATUS_R("cancelled"), "not by vmbench" },
		{ STATUS_R("postcopy-paused"), "post-copy paused: the channel broke" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		const struct fake_step steps[] = {
			GREETING, NEGOTIATE, RECV(QM), SEND(ends[i][0]), END,
		};
		struct mig_stats st;
		struct qmp q;
		struct fake f;
		char err[256];

		mig_stats_init(&st);
		fake_open_client(&q, &f, steps);
		cr_assert_eq(mig_wait(&q, &precopy, 5000, &st, err, sizeof(err)), -EIO, "%s", err);
		cr_assert_not_null(strstr(err, ends[i][1]), "%s", err);
		qmp_close(&q);
		fake_finish(&f);
		/* Nothing to cancel: the last command was the query that told. */
		cr_assert_eq(fake_count(&f, "migrate_cancel"), 0);
	}
}

Test(migrate, wait_never_converging_is_cancelled_and_etimedout, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		/* 100 MiB left, 2560 pages/s of 4096 bytes (no page-size given) dirtied. */
		ANSWER(QM, ACTIVE_R("active", 7, 104857600, 2560), 0),
		RECV("migrate_cancel"),
		SEND(OK_REPLY),
		ANSWER(QM, STATUS_R("cancelling"), 2),
		RECV(QM),
		SEND(STATUS_R("cancelled")),
		END,
	};
	struct mig_stats st;
	struct qmp q;
	struct fake f;
	char err[256];

	mig_stats_init(&st);
	fake_open_client(&q, &f, steps);
	int64_t t0 = util_now_ms();
	int ret = mig_wait(&q, &precopy, 200, &st, err, sizeof(err));
	int64_t took = util_now_ms() - t0;
	cr_assert_eq(ret, -ETIMEDOUT, "%d %s", ret, err);
	cr_assert_str_eq(
		err, "did not converge within 0 s: 7 rounds, 100.0 MiB left, dirtying 10.0 MiB/s");
	cr_assert_geq(took, 200);
	/* "cancelled" was waited for: it was the fake's last reply. */
	cr_assert_str_eq(st.status, "cancelled");
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(fake_count(&f, "migrate_cancel"), 1);
	cr_assert_str_eq(f.cmd[f.ncmds - 1].name, QM);
	cr_assert_geq(fake_count(&f, QM), 5, "polled %d times", fake_count(&f, QM));
}

Test(migrate, wait_switches_to_post_copy_once_after_the_first_pass, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QM, ACTIVE_R("active", 1, 300000000, 1000), 2),
		RECV(QM),
		SEND(ACTIVE_R("active", 2, 200000000, 50000)),
		RECV("migrate-start-postcopy"),
		SEND(OK_REPLY),
		/* QEMU switches at the migration thread's next turn: "active" a while yet. */
		ANSWER(QM, ACTIVE_R("active", 2, 200000000, 50000), 2),
		ANSWER(QM, ACTIVE_R("postcopy-active", 3, 100000000, 0), 3),
		RECV(QM),
		SEND(COMPLETED_R(12)),
		END,
	};
	const struct mig_params p = { .postcopy = true };
	struct mig_stats st;
	struct qmp q;
	struct fake f;
	char err[256];

	mig_stats_init(&st);
	fake_open_client(&q, &f, steps);
	int ret = mig_wait(&q, &p, 5000, &st, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert(st.postcopy_switched);
	cr_assert_eq(st.postcopy_requests, 12);
	cr_assert_eq(fake_count(&f, "migrate-start-postcopy"), 1);
	/* Right after the reply that ended the first pass. */
	cr_assert_str_eq(f.cmd[4].name, "migrate-start-postcopy");
}

Test(migrate, wait_interrupted_by_the_user_cancels_and_is_eintr, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QM, ACTIVE_R("active", 1, 300000000, 1000), 2),
		RECV(QM),
		INTERRUPT,
		/* Late now: the client stopped waiting for it at the interrupt. */
		SEND(ACTIVE_R("active", 1, 300000000, 1000)),
		RECV("migrate_cancel"),
		SEND(OK_REPLY),
		RECV(QM),
		SEND(STATUS_R("cancelled")),
		END,
	};
	struct mig_stats st;
	struct qmp q;
	struct fake f;
	char err[256];

	cr_assert_eq(proc_signals_init(), 0);
	mig_stats_init(&st);
	fake_open_client(&q, &f, steps);
	int ret = mig_wait(&q, &precopy, 5000, &st, err, sizeof(err));
	cr_assert_eq(ret, -EINTR, "%d %s", ret, err);
	cr_assert_not_null(strstr(err, "interrupted"), "%s", err);
	cr_assert_str_eq(st.status, "cancelled");
	cr_assert(proc_interrupted());
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(fake_count(&f, "migrate_cancel"), 1);
}

Test(migrate, wait_running_waits_out_inmigrate_and_leaves_other_events, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QS, RUNSTATE_R("inmigrate"), 2),
		RECV(QS),
		SEND(MIGRATION_EV("completed")),
		SEND("{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1700000000, "
		     "\"microseconds\": 250000}}"),
		SEND(RUNSTATE_R("running")),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	double t;

	fake_open_client(&q, &f, steps);
	int ret = mig_wait_running(&q, 5000, err, sizeof(err));
	cr_assert_eq(ret, 0, "%d %s", ret, err);
	/* RESUME stays for mig_event_time, which gives its time. */
	cr_assert_eq(mig_event_time(&q, "RESUME", 0, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_float_eq(t, 1700000000.25, 1e-6);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(fake_count(&f, QS), 3);
}

Test(migrate, wait_running_ends_in_eio_for_a_dead_state_or_a_failed_migration, .timeout = 30)
{
	static const struct fake_step shutdown[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QS, RUNSTATE_R("inmigrate"), 1),
		RECV(QS),
		SEND(RUNSTATE_R("shutdown")),
		END,
	};
	static const struct fake_step failed[] = {
		GREETING,
		NEGOTIATE,
		RECV(QS),
		SEND(MIGRATION_EV("failed")),
		SEND(RUNSTATE_R("inmigrate")),
		END,
	};
	/* 7.2's destination exits after a failed incoming migration. */
	static const struct fake_step exits[] = {
		GREETING, NEGOTIATE, RECV(QS), SEND(MIGRATION_EV("failed")), CLOSE, END,
	};
	struct qmp q;
	struct fake f;
	char err[256];

	fake_open_client(&q, &f, shutdown);
	cr_assert_eq(mig_wait_running(&q, 5000, err, sizeof(err)), -EIO, "%s", err);
	cr_assert_not_null(strstr(err, "shutdown"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);

	fake_open_client(&q, &f, failed);
	cr_assert_eq(mig_wait_running(&q, 5000, err, sizeof(err)), -EIO, "%s", err);
	cr_assert_not_null(strstr(err, "incoming migration failed"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);

	fake_open_client(&q, &f, exits);
	cr_assert_eq(mig_wait_running(&q, 5000, err, sizeof(err)), -EIO, "%s", err);
	cr_assert_not_null(strstr(err, "incoming migration failed"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
}

Test(migrate, wait_running_times_out_naming_the_state, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QS, RUNSTATE_R("inmigrate"), 0),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];

	fake_open_client(&q, &f, steps);
	cr_assert_eq(mig_wait_running(&q, 200, err, sizeof(err)), -ETIMEDOUT, "%s", err);
	cr_assert_not_null(strstr(err, "inmigrate"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
}

/* A completed migration's source settles in postmigrate a moment later; cont must wait. */
Test(migrate, settled_waits_out_finish_migrate, .timeout = 30)
{
	static const struct fake_step settles[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QS, RUNSTATE_R("finish-migrate"), 2),
		RECV(QS),
		SEND(RUNSTATE_R("postmigrate")),
		END,
	};
	static const struct fake_step stays[] = {
		GREETING,
		NEGOTIATE,
		ANSWER(QS, RUNSTATE_R("finish-migrate"), 0),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];

	fake_open_client(&q, &f, settles);
	cr_assert_eq(mig_wait_settled(&q, 5000, err, sizeof(err)), 0, "%s", err);
	qmp_close(&q);
	fake_finish(&f);
	cr_assert_eq(fake_count(&f, QS), 3);

	fake_open_client(&q, &f, stays);
	cr_assert_eq(mig_wait_settled(&q, 200, err, sizeof(err)), -ETIMEDOUT, "%s", err);
	cr_assert_not_null(strstr(err, "finish-migrate"), "%s", err);
	qmp_close(&q);
	fake_finish(&f);
}

Test(migrate, event_time_is_the_timestamp_of_the_event, .timeout = 30)
{
	static const struct fake_step steps[] = {
		GREETING,
		NEGOTIATE,
		SEND("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1700000123, "
		     "\"microseconds\": 500000}}"),
		SEND("{\"event\": \"NOTS\", \"data\": {}}"),
		END,
	};
	struct qmp q;
	struct fake f;
	char err[256];
	double t;

	fake_open_client(&q, &f, steps);
	cr_assert_eq(mig_event_time(&q, "STOP", 5000, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_float_eq(t, 1700000123.5, 1e-6);
	cr_assert_eq(mig_event_time(&q, "NOTS", 5000, &t, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "no timestamp"), "%s", err);
	cr_assert(isnan(t));
	/* Taken: the same STOP is not had twice. */
	cr_assert_eq(mig_event_time(&q, "STOP", 100, &t, err, sizeof(err)), -ETIMEDOUT);
	qmp_close(&q);
	fake_finish(&f);
}
