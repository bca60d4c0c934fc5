/* Integration tests of the uml backend: Debian's User-Mode Linux boots the guest image with
 * the agent on its console and the test disk as a ubd device; its host processes never
 * outlive a run, a crash of the agent or Ctrl-C. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"

TestSuite(uml, .fini = cli_cleanup);

static void need_uml(void)
{
	cli_need_program("linux.uml");
	if (access("/bin/busybox", X_OK) < 0)
		cr_skip_test("busybox-static is not installed (make deps)");
}

Test(uml, boots_measures_and_traps_syscalls, .timeout = 600)
{
	char *dir = cli_tmpdir(), disk[300], err[8192];
	struct results res;

	need_uml();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(disk, sizeof(disk), "%s/disk.raw", dir);
	cli_make_disk(disk, 32);
	/* UML runs as an unprivileged host user: a disk of the user's must let it read and
	 * write (vmbench's own disk is given to it). */
	cr_assert_eq(chmod(disk, 0666), 0);
	char *argv[] = { "vmbench",
			 "run",
			 "--backends",
			 "native,uml",
			 "--workloads",
			 "syscall.getppid,cpu.int,io.randread4k.qd1,mem.bw.copy,mem.bw.scale,"
			 "lifecycle.boot",
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
		cr_skip_test("the guest image could not be built here: %.300s", err);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	cli_assert_all_ran(&res, NULL, NULL);
	json_t *info = json_object_get(json_object_get(res.provenance, "backends"), "uml");
	cr_assert_str_eq(json_string_value(json_object_get(info, "mode")), "paravirtualization");
	/* UML's own kernel, not the host's. */
	const char *kernel =
		json_string_value(json_object_get(json_object_get(info, "agent"), "kernel"));
	const char *host = json_string_value(json_object_get(
		json_object_get(
			json_object_get(json_object_get(res.provenance, "backends"), "native"),
			"agent"),
		"kernel"));
	cr_assert_str_neq(kernel, host);
	/* The exact command line: the image's initramfs, the VMs' memory, the disk. */
	json_t *cmd = json_object_get(json_object_get(info, "backend"), "command_line");
	char line[4096] = "";
	size_t i;
	json_t *a;
	json_array_foreach(cmd, i, a) {
		strncat(line, json_string_value(a), sizeof(line) - strlen(line) - 2);
		strcat(line, " ");
	}
	cr_assert_not_null(strstr(line, "mem=512M "), "%s", line);
	cr_assert_not_null(strstr(line, "initrd="), "%s", line);
	cr_assert_not_null(strstr(line, "ubd0="), "%s", line);
	/* Every guest system call is a ptrace round trip through the host: at least ten
	 * times native's cost; plain computation runs at native speed (within 2x here). */
	double uml_sys = cli_cell(&res, "uml", "syscall.getppid")->stats.median;
	double nat_sys = cli_cell(&res, "native", "syscall.getppid")->stats.median;
	cr_assert_gt(uml_sys, 10 * nat_sys, "uml %g ns, native %g ns", uml_sys, nat_sys);
	double uml_cpu = cli_cell(&res, "uml", "cpu.int")->stats.median;
	double nat_cpu = cli_cell(&res, "native", "cpu.int")->stats.median;
	cr_assert_lt(uml_cpu, 2 * nat_cpu, "uml %g ns, native %g ns", uml_cpu, nat_cpu);
	/* Counted on the host: one ptrace stop per guest system call, a handful of host
	 * system calls behind it; native: one system call per getppid. */
	double stops = cli_or0(
		traps_get(&cli_cell(&res, "uml", "syscall.getppid")->traps, "ptrace-stops"));
	cr_assert(stops > 0.95 && stops < 1.2, "ptrace stops per getppid: %g", stops);
	const struct counter *hsc =
		counters_get(&cli_cell(&res, "uml", "syscall.getppid")->counters, "host-syscalls");
	cr_assert(hsc && hsc->per_op > 2, "host system calls per UML getppid");
	double calls =
		cli_or0(traps_get(&cli_cell(&res, "native", "syscall.getppid")->traps, "syscalls"));
	cr_assert(calls > 0.95 && calls < 1.05, "syscalls per native getppid: %g", calls);
	/* The counting sample's value is kept apart, with what the probes did to it. */
	for (size_t b = 0; b < 2; b++) {
		const struct cell *g = cli_cell(&res, b ? "uml" : "native", "syscall.getppid");
		cr_assert(isfinite(cell_probe_effect(g)), "%s: no probed sample", g->backend);
		cr_assert_eq(g->n, 6, "%s: the probed sample among the samples", g->backend);
	}
	/* STREAM's kernels share their arrays in a guest of 512 MiB too: the arrays the
	 * copy kernel leaves count as available memory when scale sizes its own. */
	json_t *copy = json_object_get(cli_cell(&res, "uml", "mem.bw.copy")->extra, "array_bytes");
	json_t *scale =
		json_object_get(cli_cell(&res, "uml", "mem.bw.scale")->extra, "array_bytes");
	cr_assert(json_is_integer(copy) && json_equal(copy, scale), "copy %lld, scale %lld bytes",
		  json_integer_value(copy), json_integer_value(scale));
	/* File workloads run on tmpfs, as natively. */
	json_t *agent = json_object_get(
		json_object_get(json_object_get(res.provenance, "backends"), "uml"), "agent");
	cr_assert_str_eq(json_string_value(json_object_get(agent, "tmp_fs")), "tmpfs");
	const struct cell *boot = cli_cell(&res, "uml", "lifecycle.boot");
	cr_assert_eq(boot->n, 6);
	cr_assert_gt(boot->stats.min, 0.1, "a kernel boots in more than 100 ms");
	/* Each boot's phases, from the guest kernel's clock: they add up to the boot; the
	 * native agent runs on the host's kernel and has none. */
	json_t *phases = json_object_get(boot->raw, "phases"), *p;
	cr_assert_eq(json_array_size(phases), boot->n, "one phase record per boot");
	json_array_foreach(phases, i, p) {
		double sum = 0;
		const char *keys[] = { "before_kernel_s", "kernel_s", "init_s", "agent_s" };
		for (size_t k = 0; k < 4; k++) {
			double v = json_real_value(json_object_get(p, keys[k]));
			cr_assert(v >= 0 && v < boot->samples[i], "boot %zu: %s = %g", i, keys[k],
				  v);
			sum += v;
		}
		cr_assert_float_eq(sum, boot->samples[i], 1e-6, "boot %zu: phases %g, boot %g", i,
				   sum, boot->samples[i]);
	}
	cr_assert_gt(json_real_value(json_object_get(json_array_get(phases, 0), "kernel_s")), 0.05,
		     "the kernel's phase is the kernel's");
	json_t *native = json_object_get(cli_cell(&res, "native", "lifecycle.boot")->raw, "phases");
	cr_assert_eq(json_array_size(native), 6, "a null per native boot");
	json_array_foreach(native, i, p)
		cr_assert(json_is_null(p), "native boot %zu has phases", i);
	results_free(&res);
	cli_assert_nothing_left("uml");
}

Test(uml, agent_crash_is_recovered_and_cleaned_up, .timeout = 300)
{
	need_uml();
	cli_check_crash_recovery("uml", "uml");
}

Test(uml, interrupt_leaves_nothing, .timeout = 300)
{
	need_uml();
	cli_check_interrupt("uml", "uml");
}

Test(uml, doctor_explains_a_missing_uml, .timeout = 120)
{
	need_uml();
	const char *line = cli_doctor_line("uml");
	if (strstr(line, "no guest image"))
		cr_skip_test("the guest image is not built: %s", line);
	cr_assert_not_null(strstr(line, "available"), "%s", line);
	const char *hide[] = { "linux.uml", NULL };
	cli_path_without(hide);
	line = cli_doctor_line("uml");
	cr_assert_not_null(
		strstr(line, "unavailable: linux.uml is not installed (Debian: user-mode-linux)"),
		"%s", line);
}
