/* Integration tests of the gvisor backend: gVisor's runsc (ptrace platform) runs the agent
 * from the guest image's rootfs in the container backend's bundle; its system calls go to
 * the Sentry, trapped with ptrace as UML's are, and nothing of the sandbox (processes,
 * state, cgroup) outlives a run, a crash or Ctrl-C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"
#include "host/kvmcheck.h"

TestSuite(gvisor, .fini = cli_cleanup);

static void need_runsc(void)
{
	if (geteuid() != 0)
		cr_skip_test("the gvisor backend needs root");
	/* Where the backend looks for it. */
	if (access("/usr/sbin/runsc", X_OK) != 0 && access("/usr/bin/runsc", X_OK) != 0 &&
	    access("/sbin/runsc", X_OK) != 0 && access("/bin/runsc", X_OK) != 0)
		cr_skip_test("runsc is not installed (make deps installs it)");
}

static json_t *jpath(json_t *j, const char *a, const char *b)
{
	return json_object_get(json_object_get(j, a), b);
}

Test(gvisor, runs_in_the_sentry, .timeout = 600)
{
	char err[8192];
	struct results res;

	need_runsc();
	char *dir = cli_tmpdir();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *argv[] = {
		"vmbench",     "run",
		"--backends",  "native,gvisor",
		"--workloads", "syscall.getppid,cpu.int,proc.fork,mem.pagefault,lifecycle.boot",
		"--reps",      "6",
		"-o",	       dir,
		NULL
	};
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	json_t *info = jpath(res.provenance, "backends", "gvisor");
	const char *why = json_string_value(json_object_get(info, "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	cr_assert_str_eq(json_string_value(json_object_get(info, "status")), "ok", "%s", why);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	cli_assert_all_ran(&res, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(info, "mode")), "application-kernel");
	json_t *facts = json_object_get(info, "backend");
	cr_assert_str_eq(json_string_value(json_object_get(facts, "runtime")), "runsc");
	/* The Sentry's kernel, not the host's: the agent's uname says another release. */
	cr_assert_str_neq(json_string_value(jpath(info, "agent", "kernel")),
			  json_string_value(jpath(jpath(res.provenance, "backends", "native"),
						  "agent", "kernel")));
	/* A system call is trapped: ptrace stops of the Sentry per getppid, and it costs more
	 * than natively. */
	const struct cell *g = cli_cell(&res, "gvisor", "syscall.getppid");
	cr_assert_gt(g->stats.median,
		     5 * cli_cell(&res, "native", "syscall.getppid")->stats.median);
	cr_assert_gt(cli_or0(traps_get(&g->traps, "ptrace-stops")), 0.5, "ptrace stops per call");
	/* The runtime's own books (its events --stats) in the counting pass: CPU time per call
	 * of the same order as the host's. */
	const struct counter *books = counters_get(&g->counters, "runtime:cpu-ns");
	const struct counter *host = counters_get(&g->counters, "task-clock");
	cr_assert(books && host, "runtime:cpu-ns and task-clock per call");
	cr_assert(books->per_op > host->per_op / 4 && books->per_op < host->per_op * 4,
		  "runtime %.0f ns, host %.0f ns per call", books->per_op, host->per_op);
	results_free(&res);
	cli_assert_nothing_left("gvisor");
}

Test(gvisor, agent_crash_is_recovered_and_cleaned_up, .timeout = 300)
{
	need_runsc();
	cli_check_crash_recovery("gvisor", "gvisor");
}

Test(gvisor, interrupt_leaves_nothing, .timeout = 300)
{
	need_runsc();
	cli_check_interrupt("gvisor", "gvisor");
}

/* A host block device as the test disk: runsc cannot mount one into the sandbox, so the
 * I/O cells are skipped with runsc's words and the others run. */
Test(gvisor, block_device_disk_skips_only_the_io_cells, .timeout = 600)
{
	char err[8192], image[300], loop[64] = "", cmd[700];
	struct results res;

	need_runsc();
	char *dir = cli_tmpdir();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(image, sizeof(image), "%s/blk.img", dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 64M %s && losetup -f --show %s", image, image);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	if (!fgets(loop, sizeof(loop), f) || strncmp(loop, "/dev/loop", 9) != 0) {
		pclose(f);
		cr_skip_test("no loop device here (losetup)");
	}
	pclose(f);
	loop[strcspn(loop, "\n")] = '\0';
	char *argv[] = { "vmbench", "run",	   "--backends",
			 "gvisor",  "--workloads", "syscall.getppid,io.randread4k.qd1",
			 "--reps",  "6",	   "--disk",
			 loop,	    "-o",	   dir,
			 NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	snprintf(cmd, sizeof(cmd), "losetup -d %s", loop);
	cr_assert_eq(system(cmd), 0);
	const char *why = json_string_value(
		json_object_get(jpath(res.provenance, "backends", "gvisor"), "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	cr_assert_eq(st, 0, "%s", err);
	const struct cell *io = cli_cell(&res, "gvisor", "io.randread4k.qd1");
	/* A runsc that mounts block devices runs the cell; this one says why it cannot. */
	if (io->status != CELL_OK && io->status != CELL_NOISY) {
		cr_assert_eq(io->status, CELL_SKIPPED, "%s", io->reason);
		cr_assert_not_null(strstr(io->reason, "runsc cannot take the block device"), "%s",
				   io->reason);
	}
	cli_assert_all_ran(&res, NULL, "io.randread4k.qd1");
	results_free(&res);
	cli_assert_nothing_left("gvisor");
}

/* runsc's kvm platform runs where the KVM capability probe finds hardware-assisted KVM,
 * and is skipped with the probe's measured reason elsewhere (the kvm backends' rule). */
Test(gvisor, kvm_platform_follows_the_probe, .timeout = 600)
{
	char err[8192];
	struct results res;
	struct kvmcheck p;

	need_runsc();
	char *dir = cli_tmpdir();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int probe = kvmcheck_run(&p);
	char *argv[] = { "vmbench",    "run",	      "--backends",
			 "gvisor-kvm", "--workloads", "syscall.getppid",
			 "--reps",     "6",	      "-o",
			 dir,	       NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	json_t *info = jpath(res.provenance, "backends", "gvisor-kvm");
	const char *why = json_string_value(json_object_get(info, "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	cr_assert_eq(res.n, 1);
	const struct cell *c = &res.cells[0];
	/* The backend measured the rate again in its own process: compare the words. */
	const char *expect = probe < 0 ? p.reason : "in software";
	if (probe == 0 && p.hardware) {
		cr_assert_eq(st, 0, "%s", err);
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s", c->reason);
		cr_assert_str_eq(json_string_value(json_object_get(info, "mode")),
				 "application-kernel");
	} else {
		cr_assert_eq(c->status, CELL_SKIPPED, "%s", c->reason);
		cr_assert_not_null(c->reason);
		cr_assert_not_null(strstr(c->reason, expect), "'%s' does not give '%s'", c->reason,
				   expect);
	}
	results_free(&res);
	cli_assert_nothing_left("gvisor-kvm");
}
