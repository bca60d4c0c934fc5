/* Integration test of the QMP client against a real QEMU: a paused KVM VM answers
 * query-status, query-stats-schemas and query-stats with KVM's own statistics, which a
 * Linux guest would need hardware virtualization to produce but a paused one does not. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "host/process.h"
#include "host/qmp.h"

TestSuite(qmp, .fini = cli_cleanup);

static char sockarg[400];

static void qemu_child(void *arg)
{
	execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", "kvm", "-cpu", "kvm64",
	       "-machine", "pc", "-S", "-display", "none", "-nodefaults", "-qmp", sockarg,
	       (char *)NULL);
}

/* The value of stat name in a provider's list, or -1. */
static json_int_t stat_value(json_t *providers, const char *name)
{
	size_t i, k;
	json_t *p, *s;

	json_array_foreach(providers, i, p) {
		json_t *stats = json_object_get(p, "stats");
		json_array_foreach(stats, k, s)
			if (!strcmp(json_string_value(json_object_get(s, "name")) ?: "", name))
				return json_integer_value(json_object_get(s, "value"));
	}
	return -1;
}

Test(qmp, kvm_statistics_of_a_paused_vm, .timeout = 60)
{
	char sock[300], err[256];
	struct qmp q;
	json_t *r = NULL;
	pid_t pid;
	int to, from;

	int fd = open("/dev/kvm", O_RDWR);
	if (fd < 0)
		cr_skip_test("/dev/kvm is not usable here");
	close(fd);
	char *dir = cli_tmpdir();
	cli_need_program("qemu-system-x86_64");
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	snprintf(sockarg, sizeof(sockarg), "unix:%s,server=on,wait=off", sock);
	cr_assert_eq(proc_signals_init(), 0);
	cr_assert_eq(proc_spawn_piped(qemu_child, NULL, &pid, &to, &from), 0);

	cr_assert_eq(qmp_connect(&q, sock, pid, 10000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(qmp_execute(&q, "query-status", NULL, &r, 5000, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "prelaunch");
	json_decref(r);

	cr_assert_eq(qmp_execute(&q, "query-stats-schemas", NULL, &r, 5000, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 0), "provider")),
			 "kvm");
	json_decref(r);

	json_t *args = json_pack("{s:s}", "target", "vcpu");
	cr_assert_eq(qmp_execute(&q, "query-stats", args, &r, 5000, err, sizeof(err)), 0, "%s",
		     err);
	json_decref(args);
	/* One entry per vCPU and provider: {"provider": "kvm", "qom-path": ...,
	 * "stats": [{"name", "value"}, ...]}. */
	cr_assert(json_is_string(json_object_get(json_array_get(r, 0), "qom-path")));
	cr_assert_geq(stat_value(r, "exits"), 0, "no exits statistic");
	cr_assert_geq(stat_value(r, "io_exits"), 0, "no io_exits statistic");
	cr_assert_geq(stat_value(r, "halt_exits"), 0, "no halt_exits statistic");
	json_decref(r);

	/* An unknown command is QEMU's error, in words. */
	cr_assert_eq(qmp_execute(&q, "no-such-command", NULL, NULL, 5000, err, sizeof(err)), -EIO);
	cr_assert_not_null(strstr(err, "no-such-command"), "%s", err);

	cr_assert_eq(qmp_execute(&q, "quit", NULL, NULL, 5000, err, sizeof(err)), 0, "%s", err);
	qmp_close(&q);
	close(to);
	close(from);
	proc_terminate(pid, 3000);
}
