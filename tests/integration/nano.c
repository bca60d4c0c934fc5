/* Integration tests of what one trap costs: trap.* from user space natively, and the
 * nanoguest's ring-0 rows under QEMU TCG and, where /dev/kvm runs a guest, under KVM, with
 * the traps each operation causes counted by the probes. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"

TestSuite(nano, .fini = cli_cleanup);

/* A fact of a cell's extra, or NULL. */
static json_t *fact(const struct cell *c, const char *key)
{
	return c->extra ? json_object_get(c->extra, key) : NULL;
}

/* A short run of workloads on backend; sample_ms long enough that the protocol's own few
 * device accesses in the counting window are a small share of the operations'. */
static void run_traps(const char *backend, const char *workloads, const char *sample_ms,
		      const char *dir, struct results *res)
{
	char err[8192];
	char *argv[] = { "vmbench",	"run",
			 "--backends",	(char *)backend,
			 "--workloads", (char *)workloads,
			 "--sessions",	"2",
			 "--reps",	"4",
			 "--sample-ms", (char *)sample_ms,
			 "--no-report", "-o",
			 (char *)dir,	NULL };
	int st = cli_run_results(argv, dir, res, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
}

/* Natively: the user-space rows run (or say why not), the facts are the CPU's, and popf's
 * flip of IF silently does nothing in ring 3. */
Test(nano, user_space_rows_natively, .timeout = 300)
{
	char *dir = cli_tmpdir();
	struct results res;

	run_traps("native", "trap.*", "2", dir, &res);
	/* The ring-0 operations have no cell here: nothing was asked of native. */
	for (size_t i = 0; i < res.n; i++)
		cr_assert_neq(strcmp(res.cells[i].workload, "trap.pio_qemu"), 0);
	const char *always[] = { "trap.none", "trap.callret", "trap.cpuid", "trap.syscall",
				 "trap.popf", "trap.int3",    "trap.ud2" };
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		const struct cell *c = cli_cell(&res, "native", always[i]);
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s", always[i],
			  c->reason ? c->reason : "");
		cr_assert_gt(c->stats.median, 0);
		cr_assert_eq(json_integer_value(fact(c, "ring")), 3, "%s runs in ring 3",
			     always[i]);
	}
	/* Every other row ran or says which feature it lacks. */
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		if (c->status == CELL_SKIPPED)
			cr_assert(strstr(c->reason, "the CPU has no") ||
					  strstr(c->reason, "in user space here"),
				  "%s: %s", c->workload, c->reason);
		else
			cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s",
				  c->workload, c->reason ? c->reason : "");
	}
	cr_assert(json_is_false(fact(cli_cell(&res, "native", "trap.popf"), "if_changed")));
	cr_assert(json_is_boolean(fact(cli_cell(&res, "native", "trap.cpuid"), "hypervisor_bit")));
	/* A trap costs more than an instruction that does not trap. */
	cr_assert_gt(cli_cell(&res, "native", "trap.ud2")->stats.median,
		     10 * cli_cell(&res, "native", "trap.none")->stats.median);
	results_free(&res);
}

/* Under TCG the nanoguest runs every row in ring 0; each port or MMIO read is one access
 * to an emulated device (QEMU's trace events, the qemudev probe), cpuid none. */
Test(nano, ring0_rows_under_tcg, .timeout = 600)
{
	struct results res;

	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	run_traps("tcg-nano", "trap.*,lifecycle.boot", "2", dir, &res);
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		cr_assert_str_eq(c->backend, "tcg-nano");
		if (c->status == CELL_SKIPPED) {
			cr_assert(strstr(c->reason, "the CPU has no"), "%s: %s", c->workload,
				  c->reason);
			continue;
		}
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s", c->workload,
			  c->reason ? c->reason : "");
		if (strcmp(c->workload, "lifecycle.boot") == 0)
			continue;
		cr_assert_eq(json_integer_value(fact(c, "ring")), 0, "%s", c->workload);
		/* Two clocks for the same phase: the TSC and the host's, through the PM timer. */
		json_t *ref = fact(c, "ref");
		double tsc = json_number_value(json_object_get(ref, "tsc_ns")),
		       pm = json_number_value(json_object_get(ref, "pmtimer_ns"));
		cr_assert(tsc > 0 && pm > 0 && fabs(tsc / pm - 1) < 0.1,
			  "%s: TSC %g ns, PM timer %g ns", c->workload, tsc, pm);
	}
	cr_assert(json_is_true(fact(cli_cell(&res, "tcg-nano", "trap.popf"), "if_changed")));
	cr_assert_str_eq(
		json_string_value(fact(cli_cell(&res, "tcg-nano", "trap.vmcall"), "outcome")),
		"#UD");
	const char *one_access[] = { "trap.pio_qemu", "trap.pio_kernel", "trap.mmio_hpet" };
	for (size_t i = 0; i < sizeof(one_access) / sizeof(one_access[0]); i++) {
		double per_op = cli_cell(&res, "tcg-nano", one_access[i])->traps.per_op;
		cr_assert(per_op > 0.97 && per_op < 1.1, "%s: %g device accesses per op",
			  one_access[i], per_op);
	}
	double cpuid = cli_or0(cli_cell(&res, "tcg-nano", "trap.cpuid")->traps.per_op);
	cr_assert_lt(cpuid, 0.1, "cpuid is no device access: %g per op", cpuid);
	cr_assert_gt(cli_cell(&res, "tcg-nano", "lifecycle.boot")->stats.median, 0);
	results_free(&res);
	cli_assert_nothing_left("qemu");
}

/* Under KVM every cpuid and every port read of QEMU's is one VM exit: the KVM statistics
 * probe counts exactly one per operation, on real exits, even where KVM runs guest code in
 * software. */
Test(nano, one_exit_per_op_under_kvm, .timeout = 900)
{
	struct results res;
	int fd = open("/dev/kvm", O_RDWR);

	/* Skips first: a skipped test ends without the suite's clean-up of its directory. */
	if (fd < 0)
		cr_skip_test("/dev/kvm is not usable here");
	close(fd);
	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	/* 50 ms samples: a KVM that runs guest code in software takes microseconds per exit,
	 * so a sample of 2 ms would hold too few operations to count one exit each. */
	run_traps("kvm-nano", "trap.cpuid,trap.pio_qemu,trap.none", "50", dir, &res);
	cli_assert_all_ran(&res, "kvm-nano", NULL);
	const char *one_exit[] = { "trap.cpuid", "trap.pio_qemu" };
	for (size_t i = 0; i < 2; i++) {
		const struct cell *c = cli_cell(&res, "kvm-nano", one_exit[i]);
		cr_assert(c->traps.per_op > 0.97 && c->traps.per_op < 1.05,
			  "%s: %g VM exits per op", one_exit[i], c->traps.per_op);
	}
	cr_assert_gt(
		cli_or0(traps_get(&cli_cell(&res, "kvm-nano", "trap.pio_qemu")->traps, "kvm:io")),
		0.97);
	results_free(&res);
	cli_assert_nothing_left("qemu");
}
