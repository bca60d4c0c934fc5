/* Integration tests of the KVM capability probe and the kvm backends' decision: the probe
 * runs a real guest loop through /dev/kvm; where KVM emulates in software the backends are
 * skipped with the measured rate, where it is hardware-assisted they run. */
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "host/kvmcheck.h"
#include "host/process.h"
#include "host/qmp.h"
#include "harness/results.h"
#include "probes/probe.h"

TestSuite(kvm, .fini = cli_cleanup);

static void need_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR);

	if (fd < 0)
		cr_skip_test("/dev/kvm is not usable here");
	close(fd);
}

Test(kvm, probe_measures_a_guest_loop)
{
	struct kvmcheck p;

	need_kvm();
	cr_assert_eq(kvmcheck_run(&p), 0, "%s", p.reason);
	cr_assert(p.ran);
	cr_assert_eq(p.instructions, 200002);
	cr_assert_gt(p.seconds, 0);
	cr_assert_float_eq(p.rate, p.instructions / p.seconds, p.rate * 1e-9);
	cr_assert_eq(p.hardware, p.rate >= KVMCHECK_MIN_RATE);
	cr_assert_not_null(strstr(p.reason, "million instructions/s"), "%s", p.reason);
	/* The second call gives the same, measured once. */
	struct kvmcheck again;
	cr_assert_eq(kvmcheck_run(&again), 0);
	cr_assert_eq(again.seconds, p.seconds);
}

Test(kvm, backends_follow_the_probe, .timeout = 600)
{
	char err[8192];
	struct results res;
	struct kvmcheck p;

	need_kvm();
	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir();
	cr_assert_eq(kvmcheck_run(&p), 0, "%s", p.reason);
	char *argv[] = { "vmbench",	"run",
			 "--backends",	"kvm,kvm-virtio",
			 "--workloads", "syscall.getppid",
			 "--reps",	"6",
			 "-o",		dir,
			 NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here");
	cr_assert_eq(res.n, 2);
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		if (p.hardware) {
			cr_assert_eq(st, 0, "%s", err);
			cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s",
				  c->backend, c->reason);
		} else {
			cr_assert_eq(c->status, CELL_SKIPPED, "%s", c->backend);
			cr_assert_not_null(strstr(c->reason, "million instructions/s"), "%s",
					   c->reason);
		}
	}
	results_free(&res);
}

/* Forced onto a KVM that cannot run the guest, QEMU fails; the cells say why and nothing
 * of QEMU stays behind. */
Test(kvm, forced_failure_leaves_nothing, .timeout = 300)
{
	char err[8192];
	struct results res;
	struct kvmcheck p;

	need_kvm();
	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir();
	cr_assert_eq(kvmcheck_run(&p), 0, "%s", p.reason);
	if (p.hardware)
		cr_skip_test("KVM is hardware-assisted here: a forced run would succeed");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *argv[] = { "vmbench", "run", "--backends",  "kvm", "--workloads", "cpu.int",
			 "--reps",  "6",   "--force-kvm", "-o",	 dir,		NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here");
	cr_assert_eq(st, 1, "a failed cell makes the run exit 1: %s", err);
	cr_assert_eq(res.cells[0].status, CELL_FAILED);
	cr_assert_not_null(res.cells[0].reason);
	results_free(&res);
	cli_assert_nothing_left("qemu");
}

extern const struct backend_ops backend_kvm;
extern const struct probe_ops probe_kvmstats;

static char nano_qmp[400];

static void nano_child(void *arg)
{
	execlp("qemu-system-x86_64", "qemu-system-x86_64", "-accel", "kvm", "-machine", "pc", "-m",
	       "16", "-nodefaults", "-display", "none", "-kernel", VMBENCH_NANOGUEST, "-S", "-qmp",
	       nano_qmp, (char *)NULL);
}

static double value_of(const struct probe_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return s->v[i].value;
	return -1;
}

/* The nanoguest's monitor, as the kvm backend would hand it to probes. */
static struct qmp *nano_monitor(const struct guest *g)
{
	return g->priv;
}

/* The kvmstats probe on a guest that runs here: the nanoguest's exits between two
 * snapshots, by kind, adding up to KVM's own exits count. */
Test(kvm, stats_probe_counts_a_nanoguest, .timeout = 120)
{
	char sock[300], err[256];
	struct qmp q;
	pid_t pid;
	int to, from;

	need_kvm();
	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir();
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	snprintf(nano_qmp, sizeof(nano_qmp), "unix:%s,server=on,wait=off", sock);
	cr_assert_eq(proc_spawn_piped(nano_child, NULL, &pid, &to, &from), 0);
	cr_assert_eq(qmp_connect(&q, sock, pid, 10000, err, sizeof(err)), 0, "%s", err);

	struct backend_ops ops = backend_kvm;
	ops.monitor = nano_monitor;
	struct guest g = { .ops = &ops, .priv = &q, .pid = pid };
	struct probe p = { .ops = &probe_kvmstats, .guest = &g };
	struct probe_snapshot before = { 0 }, after = { 0 };
	cr_assert_eq(p.ops->available(&g, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.ops->open(&p), 0);
	cr_assert_eq(p.ops->snapshot(&p, &before), 0);
	cr_assert_eq(qmp_execute(&q, "cont", NULL, NULL, 5000, err, sizeof(err)), 0, "%s", err);
	/* Until it halts: 1000 port writes, then hlt. */
	for (int i = 0; i < 600; i++) {
		after.n = 0;
		cr_assert_eq(p.ops->snapshot(&p, &after), 0);
		if (value_of(&after, "kvm:halt") >= 1)
			break;
		usleep(100000);
	}
	cr_assert_eq(value_of(&after, "kvm:halt") - value_of(&before, "kvm:halt"), 1);
	/* The kinds add up to KVM's exits, read here without the probe. */
	json_t *args = json_pack("{s:s, s:[{s:s, s:[s]}]}", "target", "vcpu", "providers",
				 "provider", "kvm", "names", "exits"),
	       *r = NULL;
	cr_assert_eq(qmp_execute(&q, "query-stats", args, &r, 5000, err, sizeof(err)), 0, "%s",
		     err);
	json_decref(args);
	json_int_t exits = json_integer_value(json_object_get(
		json_array_get(json_object_get(json_array_get(r, 0), "stats"), 0), "value"));
	json_decref(r);
	double sum = 0;
	for (size_t i = 0; i < after.n; i++)
		if (after.v[i].kind == PROBE_TRAP)
			sum += after.v[i].value;
	cr_assert_gt(exits, 0);
	cr_assert_float_eq(sum, (double)exits, 0.5, "kinds %g, exits %lld", sum, (long long)exits);
	/* Cumulative counts only: instant values (blocking) make no sense as deltas. */
	cr_assert_geq(value_of(&after, "kvm:insn_emulation"), 0);
	cr_assert_lt(value_of(&after, "kvm:blocking"), 0, "an instant value was taken");
	/* A hardware-assisted host exits to QEMU for every port write. */
	double io = value_of(&after, "kvm:io") - value_of(&before, "kvm:io");
	cr_assert(io == 0 || io >= 1000, "io exits: %g", io);
	p.ops->close(&p);
	(void)!qmp_execute(&q, "quit", NULL, NULL, 2000, err, sizeof(err));
	qmp_close(&q);
	close(to);
	close(from);
	proc_terminate(pid, 2000);
}
