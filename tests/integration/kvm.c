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
#include "harness/kvmprobe.h"
#include "harness/results.h"

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
	struct kvmprobe p;

	need_kvm();
	cr_assert_eq(kvmprobe_run(&p), 0, "%s", p.reason);
	cr_assert(p.ran);
	cr_assert_eq(p.instructions, 200002);
	cr_assert_gt(p.seconds, 0);
	cr_assert_float_eq(p.rate, p.instructions / p.seconds, p.rate * 1e-9);
	cr_assert_eq(p.hardware, p.rate >= KVMPROBE_MIN_RATE);
	cr_assert_not_null(strstr(p.reason, "million instructions/s"), "%s", p.reason);
	/* The second call gives the same, measured once. */
	struct kvmprobe again;
	cr_assert_eq(kvmprobe_run(&again), 0);
	cr_assert_eq(again.seconds, p.seconds);
}

Test(kvm, backends_follow_the_probe, .timeout = 600)
{
	char *dir = cli_tmpdir(), err[8192];
	struct results res;
	struct kvmprobe p;

	need_kvm();
	cli_need_program("qemu-system-x86_64");
	cr_assert_eq(kvmprobe_run(&p), 0, "%s", p.reason);
	char *argv[] = { "vmbench", "run", "--backends", "kvm,kvm-virtio", "--workloads",
			 "syscall.getppid", "--reps", "6", "-o", dir, NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here");
	cr_assert_eq(res.n, 2);
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		if (p.hardware) {
			cr_assert_eq(st, 0, "%s", err);
			cr_assert(c->status == CELL_OK || c->status == CELL_UNTRUSTWORTHY, "%s: %s",
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
	char *dir = cli_tmpdir(), err[8192];
	struct results res;
	struct kvmprobe p;

	need_kvm();
	cli_need_program("qemu-system-x86_64");
	cr_assert_eq(kvmprobe_run(&p), 0, "%s", p.reason);
	if (p.hardware)
		cr_skip_test("KVM is hardware-assisted here: a forced run would succeed");
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *argv[] = { "vmbench", "run", "--backends", "kvm", "--workloads", "cpu.int",
			 "--reps", "6", "--force-kvm", "-o", dir, NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here");
	cr_assert_eq(st, 1, "a failed cell makes the run exit 1: %s", err);
	cr_assert_eq(res.cells[0].status, CELL_FAILED);
	cr_assert_not_null(res.cells[0].reason);
	results_free(&res);
	cli_assert_nothing_left("qemu");
}
