/* Integration tests of the QEMU TCG backends: the guest image boots under emulation with
 * emulated and with virtio devices, runs workloads, and leaves nothing behind. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"

TestSuite(tcg, .fini = cli_cleanup);

static void need_qemu(void)
{
	cli_need_program("qemu-system-x86_64");
	if (access("/bin/busybox", X_OK) < 0)
		cr_skip_test("busybox-static is not installed (make deps)");
}

Test(tcg, both_flavours_boot_and_measure, .timeout = 900)
{
	char *dir = cli_tmpdir(), disk[300], err[8192];
	struct results res;

	need_qemu();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(disk, sizeof(disk), "%s/disk.raw", dir);
	cli_make_disk(disk, 32);
	char *argv[] = { "vmbench",
			 "run",
			 "--backends",
			 "native,tcg,tcg-virtio",
			 "--workloads",
			 "syscall.getppid,cpu.int,io.randread4k.qd1,lifecycle.boot",
			 "--reps",
			 "6",
			 "--disk",
			 disk,
			 "--disk-writable",
			 "-o",
			 dir,
			 NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here: %s", err);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	const char *backends[] = { "tcg", "tcg-virtio" };
	for (size_t b = 0; b < 2; b++) {
		cli_assert_all_ran(&res, backends[b], NULL);
		json_t *info =
			json_object_get(json_object_get(res.provenance, "backends"), backends[b]);
		cr_assert_gt(json_real_value(json_object_get(info, "boot_s")), 0);
		/* The exact QEMU command line and what its accelerator offers over QMP. */
		json_t *facts = json_object_get(info, "backend");
		cr_assert_str_eq(json_string_value(json_object_get(facts, "accelerator")), "tcg");
		json_t *qargv = json_object_get(facts, "command_line"), *arg;
		cr_assert_gt(json_array_size(qargv), 10);
		/* A guest that escapes into QEMU: seccomp, and no root where we are root. */
		size_t k;
		bool sandboxed = false;
		json_array_foreach(qargv, k, arg)
			sandboxed |= !strcmp(json_string_value(arg), "-sandbox") &&
				     !strncmp(json_string_value(json_array_get(qargv, k + 1)) ?: "",
					      "on,", 3);
		cr_assert(sandboxed, "QEMU runs without -sandbox on");
		if (geteuid() == 0)
			cr_assert_str_eq(json_string_value(json_object_get(facts, "runs_as")),
					 "nobody");
		cr_assert(json_is_array(json_object_get(facts, "stats_schemas")));
		/* The guest runs Debian's kernel, not the host's. */
		cr_assert_str_eq(json_string_value(json_object_get(info, "mode")),
				 b ? "emulation+pv-io" : "emulation");
		/* Six fresh boots, each timed to HELLO. */
		const struct cell *boot = cli_cell(&res, backends[b], "lifecycle.boot");
		cr_assert_eq(boot->n, 6);
		cr_assert_gt(boot->stats.min, 0.1, "a guest boots in more than 100 ms");
		/* Device accesses per 4 KiB read, from QEMU's trace events: the emulated IDE
		 * controller is programmed port by port, a virtio disk is kicked once. */
		const struct traps *kinds =
			&cli_cell(&res, backends[b], "io.randread4k.qd1")->traps;
		double ide = cli_or0(traps_get(kinds, "dev:ide"));
		double kick = cli_or0(traps_get(kinds, "dev:virtio-kick"));
		if (b) {
			cr_assert(kick > 0.9 && kick < 3, "virtio kicks per read: %g", kick);
			cr_assert_eq(ide, 0, "tcg-virtio has no IDE");
		} else {
			cr_assert_gt(ide, 5, "IDE port accesses per read: %g", ide);
			cr_assert_eq(kick, 0, "tcg has no virtio");
		}
		/* QEMU's own host system calls, the trace log's writes (one per logged
		 * access) taken out: fewer than the device accesses plus a read's own. */
		const struct counters *ctr =
			&cli_cell(&res, backends[b], "io.randread4k.qd1")->counters;
		const struct counter *hs = counters_get(ctr, "host-syscalls");
		const struct counter *twc = counters_get(ctr, "trace-writes");
		cr_assert(hs && twc, "host-syscalls and trace-writes counted");
		double tw = twc->per_op;
		cr_assert(hs->adjusted && !strcmp(hs->adjusted, "trace_writes_subtracted"));
		cr_assert_geq(tw, b ? kick : ide, "a write per logged access: %g", tw);
		cr_assert_gt(hs->per_op, 0);
		/* A guest system call stays inside translated code: no device model is called
		 * for it (a timer or console access now and then), and emulating its entry and
		 * exit takes hundreds of guest instructions. Whether that is slower than a
		 * native call depends on the host: where the host is itself a guest whose
		 * syscalls pass through a hypervisor, native getppid costs about 1 us. */
		const struct cell *gp = cli_cell(&res, backends[b], "syscall.getppid");
		cr_assert_lt(cli_or0(gp->traps.per_op), 0.05);
		cr_assert_gt(gp->stats.median, 50, "getppid under TCG: %g ns", gp->stats.median);
		struct ratio rt;
		cr_assert_eq(results_ratio_to_native(&res, gp, &rt), 0);
		cr_assert(rt.has_ci && rt.ci_lo <= rt.value && rt.value <= rt.ci_hi);
	}
	json_t *image = json_object_get(json_object_get(res.provenance, "run"), "image");
	cr_assert(json_is_string(json_object_get(image, "kernel_sha256")));
	cr_assert(json_is_string(json_object_get(image, "initrd_sha256")));
	results_free(&res);
	cli_assert_nothing_left("qemu");
}

Test(tcg, interrupt_leaves_nothing, .timeout = 300)
{
	need_qemu();
	cli_check_interrupt("tcg", "qemu");
}
