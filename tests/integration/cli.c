/* Integration tests of the command line: bad input is one clear line and exit 2 with no
 * file written; Ctrl-C ends a run with its results and no process left behind. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"

/* Bad input: exit status 2, exactly one line on stderr containing what, nothing written. */
static void expect_usage_error(char *argv[], const char *dir, const char *what)
{
	char err[4096];

	int st = cli_run(argv, err, sizeof(err));
	cr_assert_eq(st, 2, "exit status %d for %s: %s", st, what, err);
	cr_assert_not_null(strstr(err, what), "stderr does not name '%s': %s", what, err);
	char *nl = strchr(err, '\n');
	cr_assert(nl && nl[1] == '\0', "more than one line on stderr: %s", err);
	if (dir) {
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d)))
			cr_assert(e->d_name[0] == '.', "%s left in %s", e->d_name, dir);
		if (d)
			closedir(d);
	}
}

#define RUN(...) ((char *[]){ "vmbench", "run", __VA_ARGS__, NULL })

TestSuite(cli, .fini = cli_cleanup);

Test(cli, bad_input_exits_2_with_one_line)
{
	char *dir = cli_tmpdir(), sub[300], file[256];

	expect_usage_error(RUN("--backends", "native,warp", "-o", dir), dir,
			   "unknown backend 'warp'");
	expect_usage_error(RUN("--workloads", "syscall.getppid,syscall.teleport", "-o", dir), dir,
			   "unknown workload 'syscall.teleport'");
	expect_usage_error(RUN("--workloads", "cpu.int,", "-o", dir), dir, "empty name");
	expect_usage_error(RUN("--reps", "0", "-o", dir), dir, "invalid --reps '0'");
	expect_usage_error(RUN("--events", "cycles,no-such-event", "-o", dir), dir,
			   "libpfm4 does not know 'no-such-event'");
	expect_usage_error(RUN("--reps", "ten", "-o", dir), dir, "invalid --reps 'ten'");
	expect_usage_error(RUN("--reps", "-3", "-o", dir), dir, "invalid --reps '-3'");
	expect_usage_error(RUN("--reps", "99999999999999999999", "-o", dir), dir, "invalid --reps");
	expect_usage_error(RUN("--reps", "1001", "-o", dir), dir, "invalid --reps '1001'");
	expect_usage_error(RUN("--profile", "leisurely", "-o", dir), dir, "unknown profile");
	expect_usage_error(RUN("--agent", "/tmp", "-o", dir), dir, "not a regular file");
	expect_usage_error(RUN("--disk", "/tmp/a b", "-o", dir), dir, "invalid --disk");
	expect_usage_error(RUN("--cpu", "1000", "-o", dir), dir, "CPU 1000 is not available");
	expect_usage_error(RUN("--cpu", "4096", "-o", dir), dir, "invalid --cpu");
	expect_usage_error(RUN("--agent", "/nonexistent/agent", "-o", dir), dir,
			   "/nonexistent/agent");
	expect_usage_error(RUN("--frobnicate", "-o", dir), dir, "unknown option '--frobnicate'");
	expect_usage_error(RUN("-o", dir, "--reps"), dir, "needs a value");
	expect_usage_error(RUN("-o", dir, "extra"), dir, "unexpected argument 'extra'");

	/* Output directories that cannot be written, even by root. */
	snprintf(file, sizeof(file), "%s/plainfile", dir);
	FILE *f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	snprintf(sub, sizeof(sub), "%s/results", file);
	expect_usage_error(RUN("--workloads", "cpu.int", "-o", sub), NULL,
			   "cannot write to output directory");
	expect_usage_error(RUN("--workloads", "cpu.int", "-o", "/proc/vmbench-out"), NULL,
			   "cannot write to output directory '/proc/vmbench-out'");
	unlink(file);

	/* A test disk the user names is never written: too small is an error. */
	char small[300], before[64], after[64];
	snprintf(small, sizeof(small), "%s/small.img", dir);
	f = fopen(small, "w");
	cr_assert_not_null(f);
	fputs("precious data", f);
	fclose(f);
	expect_usage_error(RUN("--workloads", "io.randread4k.qd1", "--disk", small, "-o", dir),
			   NULL, "at least 16 MiB");
	f = fopen(small, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(after, sizeof(after), f));
	fclose(f);
	snprintf(before, sizeof(before), "precious data");
	cr_assert_str_eq(after, before, "the user's file was changed");
	unlink(small);

	expect_usage_error((char *[]){ "vmbench", "teleport", NULL }, NULL, "unknown command");
	expect_usage_error((char *[]){ "vmbench", NULL }, NULL, "no command");
	expect_usage_error((char *[]){ "vmbench", "list", "--colour", NULL }, NULL,
			   "unknown option");
	cli_rmtree(dir);
}

/* A refused run makes nothing: no output directory, no test disk where --disk pointed. */
Test(cli, refused_runs_make_no_directory_and_no_disk)
{
	char *dir = cli_tmpdir(), out[300], missing[300], small[300];
	struct stat sb;

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(missing, sizeof(missing), "%s/no-such-disk.raw", dir);
	snprintf(small, sizeof(small), "%s/small.img", dir);
	FILE *f = fopen(small, "w");
	cr_assert_not_null(f);
	fputs("precious data", f);
	fclose(f);
	expect_usage_error(RUN("--workloads", "io.randread4k.qd1", "--disk", missing, "-o", out),
			   NULL, "No such file or directory");
	cr_assert_neq(stat(missing, &sb), 0, "--disk created %s", missing);
	expect_usage_error(RUN("--workloads", "io.randread4k.qd1", "--disk", small, "-o", out),
			   NULL, "at least 16 MiB");
	expect_usage_error(RUN("--backends", "warp", "-o", out), NULL, "unknown backend");
	expect_usage_error(RUN("--reps", "0", "-o", out), NULL, "invalid --reps");
	cr_assert_neq(stat(out, &sb), 0, "a refused run made %s", out);
	cli_rmtree(dir);
}

static void file_sum(const char *path, unsigned long long *sum)
{
	FILE *f = fopen(path, "r");
	int c;

	cr_assert_not_null(f);
	for (*sum = 1469598103934665603ull; (c = getc(f)) != EOF;)
		*sum = (*sum ^ (unsigned)c) * 1099511628211ull;
	fclose(f);
}

/* The user's test disk is read, never written, unless --disk-writable says so. */
Test(cli, user_disk_is_written_only_when_allowed, .timeout = 300)
{
	char *dir = cli_tmpdir(), disk[300], err[8192];
	unsigned long long before, after;
	struct results res;

	snprintf(disk, sizeof(disk), "%s/mine.raw", dir);
	cli_make_disk(disk, 32);
	file_sum(disk, &before);
	char *argv[] = {
		"vmbench", "run",	  "--backends",
		"native",  "--workloads", "io.randread4k.qd1,io.randwrite4k.qd1,io.seqwrite1m",
		"--reps",  "3",		  "--sessions",
		"1",	   "--disk",	  disk,
		"-o",	   dir,		  NULL
	};
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "%s", err);
	file_sum(disk, &after);
	cr_assert_eq(before, after, "the user's disk was written");
	const struct cell *rd = cli_cell(&res, "native", "io.randread4k.qd1");
	cr_assert(rd->status == CELL_OK || rd->status == CELL_NOISY, "%s", rd->reason);
	for (size_t i = 0; i < 2; i++) {
		const char *wl = i ? "io.seqwrite1m" : "io.randwrite4k.qd1";
		const struct cell *c = cli_cell(&res, "native", wl);
		cr_assert_eq(c->status, CELL_SKIPPED, "%s: %s", wl, c->reason);
		cr_assert_not_null(strstr(c->reason, "--disk-writable"), "%s", c->reason);
	}
	results_free(&res);

	/* A second run gets a directory of its own: one that holds results is refused. */
	char again[320];
	snprintf(again, sizeof(again), "%s/again", dir);
	char *writable[] = { "vmbench",
			     "run",
			     "--backends",
			     "native",
			     "--workloads",
			     "io.randwrite4k.qd1",
			     "--reps",
			     "3",
			     "--sessions",
			     "1",
			     "--disk",
			     disk,
			     "--disk-writable",
			     "-o",
			     again,
			     NULL };
	st = cli_run_results(writable, again, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "%s", err);
	cli_assert_all_ran(&res, NULL, NULL);
	results_free(&res);
	cli_rmtree(dir);
}

Test(cli, help_version_list_doctor)
{
	char err[4096];
	char *cmds[][4] = {
		{ "vmbench", "--version", NULL },	 { "vmbench", "--help", NULL },
		{ "vmbench", "run", "--help", NULL },	 { "vmbench", "list", "--help", NULL },
		{ "vmbench", "doctor", "--help", NULL }, { "vmbench", "list", NULL },
		{ "vmbench", "doctor", NULL },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		cr_assert_eq(cli_run(cmds[i], err, sizeof(err)), 0, "%s %s: %s", cmds[i][1],
			     cmds[i][2] ? cmds[i][2] : "", err);
}

/* Is a process other than us still around that we became the parent of? */
static bool orphans_left(void)
{
	return waitpid(-1, NULL, WNOHANG) == 0;
}

Test(cli, interrupt_keeps_results_and_leaves_nothing, .timeout = 120)
{
	char *dir = cli_tmpdir(), errfile[300], path[300], err[512];
	struct results res;
	int status;

	/* Orphaned descendants of vmbench come to us, so we can see any that stay. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	char *argv[] = { "vmbench",	"run",	       "--backends",
			 "native,null", "--workloads", "cpu.int,cpu.fp",
			 "--reps",	"500",	       "-o",
			 dir,		NULL };
	pid_t pid = cli_start(argv, errfile);

	/* Wait until the run has written its first results file and is measuring. */
	struct stat st;
	for (int i = 0; i < 200 && stat(path, &st) < 0; i++)
		usleep(50000);
	cr_assert_eq(stat(path, &st), 0, "no results.json after 10 s");
	usleep(500000);
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %#x", status);
	usleep(100000);
	cr_assert(!orphans_left(), "a process of the run was left behind");

	cr_assert_eq(results_load(path, &res, err, sizeof(err)), 0, "%s", err);
	cr_assert(!res.complete, "an interrupted run is marked incomplete");
	cr_assert_eq(res.n, 4, "every planned cell is accounted for");
	for (size_t i = 0; i < res.n; i++)
		cr_assert(res.cells[i].status != CELL_OK || res.cells[i].n == 500,
			  "an ok cell has all its samples");
	/* A cell the interruption kept from running did not fail: it was not run. The signal
	 * comes half a second into a run of four cells of 500 samples of at least 10 ms: at
	 * least the last is never started. (The one it cut short fails saying so.) */
	size_t not_run = 0;
	for (size_t i = 0; i < res.n; i++) {
		bool before = res.cells[i].reason && strstr(res.cells[i].reason, "before it ran");
		cr_assert_eq(res.cells[i].status == CELL_NOT_RUN, before, "%s: %s",
			     cell_status_name(res.cells[i].status), res.cells[i].reason);
		not_run += before;
	}
	cr_assert_geq(not_run, 1, "no cell is 'not run'");
	cr_assert_not_null(strstr(res.cells[res.n - 1].reason, "interrupted"), "%s",
			   res.cells[res.n - 1].reason);
	results_free(&res);
	/* Nothing but results.json and our stderr file in the directory. */
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert(e->d_name[0] == '.' || !strcmp(e->d_name, "results.json") ||
				  !strcmp(e->d_name, "stderr"),
			  "%s left behind", e->d_name);
	closedir(d);
	cli_rmtree(dir);
}
