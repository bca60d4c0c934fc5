/* Integration tests of the QEMU TCG backends: the guest image boots under emulation with
 * emulated and with virtio devices, runs workloads, and leaves nothing behind. */
#include <dirent.h>
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

/* Runtime directories or QEMU processes of ours still around? */
static int leftovers(void)
{
	int n = 0;
	DIR *d = opendir("/tmp");
	struct dirent *e;

	while (d && (e = readdir(d)))
		n += strncmp(e->d_name, "vmbench-qemu-", 13) == 0;
	if (d)
		closedir(d);
	return n + (waitpid(-1, NULL, WNOHANG) == 0);
}

static const struct cell *cell_of(const struct results *r, const char *b, const char *w)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].backend, b) && !strcmp(r->cells[i].workload, w))
			return &r->cells[i];
	cr_assert_fail("no cell %s/%s", b, w);
	return NULL;
}

Test(tcg, both_flavours_boot_and_measure, .timeout = 900)
{
	char *dir = cli_tmpdir(), disk[300], err[8192];
	struct results res;

	need_qemu();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(disk, sizeof(disk), "%s/disk.raw", dir);
	char *argv[] = { "vmbench", "run", "--backends", "native,tcg,tcg-virtio", "--workloads",
			 "syscall.getppid,cpu.int,io.randread4k.qd1,lifecycle.boot", "--reps", "6",
			 "--disk", disk,
			 "--disk-mib", "32", "-o", dir, NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here: %s", err);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	const char *backends[] = { "tcg", "tcg-virtio" };
	for (size_t b = 0; b < 2; b++) {
		for (size_t i = 0; i < res.n; i++)
			if (!strcmp(res.cells[i].backend, backends[b]))
				cr_assert(res.cells[i].status == CELL_OK ||
						  res.cells[i].status == CELL_UNTRUSTWORTHY,
					  "%s/%s: %s", backends[b], res.cells[i].workload,
					  res.cells[i].reason);
		json_t *info = json_object_get(json_object_get(res.provenance, "backends"),
					       backends[b]);
		cr_assert_gt(json_real_value(json_object_get(info, "boot_s")), 0);
		/* The exact QEMU command line and what its accelerator offers over QMP. */
		json_t *facts = json_object_get(info, "backend");
		cr_assert_str_eq(json_string_value(json_object_get(facts, "accelerator")), "tcg");
		cr_assert_gt(json_array_size(json_object_get(facts, "command_line")), 10);
		cr_assert(json_is_array(json_object_get(facts, "stats_schemas")));
		/* The guest runs Debian's kernel, not the host's. */
		cr_assert_str_eq(json_string_value(json_object_get(info, "mode")),
				 b ? "emulation+pv-io" : "emulation");
		/* Six fresh boots, each timed to HELLO. */
		const struct cell *boot = cell_of(&res, backends[b], "lifecycle.boot");
		cr_assert_eq(boot->n, 6);
		cr_assert_gt(boot->stats.min, 0.1, "a guest boots in more than 100 ms");
		/* A system call under binary translation costs more than on the host. */
		cr_assert_gt(cell_of(&res, backends[b], "syscall.getppid")->stats.median,
			     cell_of(&res, "native", "syscall.getppid")->stats.median);
	}
	json_t *image = json_object_get(json_object_get(res.provenance, "run"), "image");
	cr_assert(json_is_string(json_object_get(image, "kernel_sha256")));
	cr_assert(json_is_string(json_object_get(image, "initrd_sha256")));
	results_free(&res);
	usleep(200000);
	cr_assert_eq(leftovers(), 0, "a QEMU process or runtime directory was left behind");
}

Test(tcg, interrupt_leaves_nothing, .timeout = 300)
{
	char *dir = cli_tmpdir(), errfile[300], path[300], lerr[512];
	struct results res;
	int status;

	need_qemu();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	char *argv[] = { "vmbench", "run", "--backends", "tcg", "--workloads", "cpu.int,cpu.fp",
			 "--reps", "500", "-o", dir, NULL };
	pid_t pid = cli_start(argv, errfile);
	/* Interrupt while the guest boots or measures. */
	struct stat st;
	for (int i = 0; i < 600 && stat(path, &st) < 0; i++)
		usleep(100000);
	sleep(5);
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %#x", status);
	usleep(300000);
	cr_assert_eq(leftovers(), 0, "a QEMU process or runtime directory was left behind");
	cr_assert_eq(results_load(path, &res, lerr, sizeof(lerr)), 0, "%s", lerr);
	cr_assert(!res.complete);
	results_free(&res);
}
