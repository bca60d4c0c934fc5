/*
 * Faults from outside a run: SIGKILL, SIGTERM, a second run beside the first, a state
 * directory without room. Each under every backend that runs here, each followed by the
 * check that nothing of the run is left on the host and that its finished cells are in its
 * results.json.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"
#include "host/runstate.h"
#include "host/util.h"

TestSuite(faults, .fini = cli_cleanup);

/* A guest backend must be up and measuring: a first cell in results.json. */
#define FIRST_CELL_POLLS 3000 /* of 100 ms */

/* What the run at pid has put on the host, read from its state directory while it runs:
 * its directory, its cgroup's processes, the paths its notes name. */
struct footprint {
	char dir[512];
	int pids[64];
	size_t npids;
	char paths[16][512];
	size_t npaths;
};

static void footprint_of(pid_t pid, struct footprint *fp)
{
	char base[300], path[1100], line[512];
	DIR *d;
	struct dirent *e;

	memset(fp, 0, sizeof(*fp));
	cr_assert_eq(runstate_base(base, sizeof(base)), 0);
	d = opendir(base);
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) == (int)pid)
			snprintf(fp->dir, sizeof(fp->dir), "%.250s/%.200s", base, e->d_name);
	if (d)
		closedir(d);
	cr_assert(fp->dir[0], "run %d has no state directory in %s", (int)pid, base);
	snprintf(path, sizeof(path), "%s/cgroup", fp->dir);
	char cg[400];
	if (util_read_line(path, cg, sizeof(cg)) == 0) {
		/* The cgroup must go too. */
		snprintf(fp->paths[fp->npaths++], sizeof(fp->paths[0]), "%s", cg);
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		FILE *f = fopen(path, "re");
		while (f && fp->npids < 64 && fgets(line, sizeof(line), f))
			fp->pids[fp->npids++] = atoi(line);
		if (f)
			fclose(f);
	}
	snprintf(path, sizeof(path), "%s/notes", fp->dir);
	d = opendir(path);
	while (d && (e = readdir(d)) && fp->npaths < 16) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/notes/%s", fp->dir, e->d_name);
		char *text = util_read_file(path, 8192, NULL);
		/* rmtree and rmdir notes: their second line is a path. */
		char *nl = text ? strchr(text, '\n') : NULL;
		if (text && (!strncmp(text, "rmtree\n", 7) || !strncmp(text, "rmdir\n", 6)) && nl)
			snprintf(fp->paths[fp->npaths++], sizeof(fp->paths[0]), "%.*s",
				 (int)strcspn(nl + 1, "\n"), nl + 1);
		free(text);
	}
	if (d)
		closedir(d);
}

/* A process that is gone, or has ended and waits to be reaped. */
static bool ended(int pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (util_read_line(path, buf, sizeof(buf)) < 0)
		return true;
	const char *p = strrchr(buf, ')');
	return p && p[2] == 'Z';
}

static void assert_footprint_gone(const struct footprint *fp)
{
	struct stat st;

	for (int i = 0; i < 100 && stat(fp->dir, &st) == 0; i++)
		usleep(100000);
	cr_assert_neq(stat(fp->dir, &st), 0, "%s is still there", fp->dir);
	for (size_t i = 0; i < fp->npids; i++)
		cr_assert(ended(fp->pids[i]), "process %d of the run still runs", fp->pids[i]);
	for (size_t i = 0; i < fp->npaths; i++)
		cr_assert_neq(stat(fp->paths[i], &st), 0, "%s is still there", fp->paths[i]);
}

/* The run's guard: vmbench-guard, a child of pid. */
static int guard_of(pid_t pid)
{
	int pids[16];
	size_t n = util_children(pid, pids, 16);

	for (size_t i = 0; i < n; i++) {
		char path[64], comm[32];
		snprintf(path, sizeof(path), "/proc/%d/comm", pids[i]);
		if (util_read_line(path, comm, sizeof(comm)) == 0 && !strcmp(comm, "vmbench-guard"))
			return pids[i];
	}
	return -1;
}

/* Waits for the first finished cell of the run writing path; false when the run ended
 * first (with its status in *status) or the backend was skipped. */
static bool await_first_cell(pid_t pid, const char *path, const char *backend, int *status)
{
	struct results res;
	char err[256];

	for (int i = 0; i < FIRST_CELL_POLLS; i++) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return false;
		if (results_load(path, &res, err, sizeof(err)) == 0) {
			json_t *b = json_object_get(json_object_get(res.provenance, "backends"),
						    backend);
			char st[64];
			snprintf(st, sizeof(st), "%s",
				 json_string_value(json_object_get(b, "status")) ?: "");
			size_t n = res.n;
			results_free(&res);
			if (st[0] && strcmp(st, "ok")) {
				kill(pid, SIGTERM);
				waitpid(pid, status, 0);
				cr_skip_test("%s did not run here: %s", backend, st);
			}
			if (n > 0)
				return true;
		}
		usleep(100000);
	}
	return false;
}

/* Every cell the killed run wrote is a finished one: nothing it cut is in the file. A
 * run that was asked to end (SIGTERM) also writes the cell it cut (failed) and those it did
 * not reach (not run), each with its reason. */
static void assert_finished_cells(const char *path, const char *backend, bool asked)
{
	struct results res;
	char err[256];

	cr_assert_eq(results_load(path, &res, err, sizeof(err)), 0, "%s", err);
	cr_assert(!res.complete);
	cr_assert_gt(res.n, 0, "no finished cell in results.json");
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		cr_assert_str_eq(c->backend, backend);
		if (asked && (c->status == CELL_FAILED || c->status == CELL_NOT_RUN)) {
			cr_assert_not_null(c->reason);
			continue;
		}
		cr_assert((c->status == CELL_OK || c->status == CELL_NOISY) && c->n > 0,
			  "%s: %s (%zu samples): %s", c->workload, cell_status_name(c->status),
			  c->n, c->reason);
	}
	results_free(&res);
}

static long map_count(void)
{
	char buf[32];

	return util_read_line("/proc/sys/vm/max_map_count", buf, sizeof(buf)) == 0 ? atol(buf) : -1;
}

/* Who cleans up after a killed run: its guard, or (the guard killed too) the next run or
 * `vmbench doctor --clean`. */
enum cleaner { BY_GUARD, BY_NEXT_RUN, BY_DOCTOR };

/*
 * Kills a run of backend with sig once it has finished a cell; the cleaner says who must
 * then remove what it left.
 */
static void kill_run(const char *backend, const char *tag, const char *workloads, int sig,
		     enum cleaner cleaner)
{
	char *dir = cli_tmpdir(), errfile[300], path[300], err[4096];
	struct footprint fp;
	long maps = map_count();
	int status;
	bool guard_too = cleaner != BY_GUARD;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/out/results.json", dir);
	char out[300], next[300];
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(next, sizeof(next), "%s/next", dir);
	char *argv[] = { "vmbench",	"run",
			 "--backends",	(char *)backend,
			 "--workloads", (char *)workloads,
			 "--sample-ms", "20",
			 "--reps",	"60",
			 "--no-report", "-o",
			 out,		NULL };
	pid_t pid = cli_start(argv, errfile);
	bool up = await_first_cell(pid, path, backend, &status);
	cr_assert(up, "the run ended or never finished a cell (status %#x)", status);
	footprint_of(pid, &fp);
	int guard = guard_of(pid);
	cr_assert_gt(guard, 0, "run %d has no guard", (int)pid);
	if (guard_too)
		cr_assert_eq(kill(guard, SIGKILL), 0);
	cr_assert_eq(kill(pid, sig), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	if (sig == SIGKILL)
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%#x", status);
	else
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %#x", status);
	if (guard_too) {
		char *clean[] = { "vmbench", "doctor", "--clean", NULL };
		char *again[] = { "vmbench",	 "run",	    "--backends",  "native",
				  "--workloads", "cpu.int", "--reps",	   "2",
				  "--sessions",	 "1",	    "--no-report", "-o",
				  next,		 NULL };
		cr_assert_eq(cli_run(cleaner == BY_DOCTOR ? clean : again, err, sizeof(err)), 0,
			     "%s", err);
		char said[64];
		snprintf(said, sizeof(said), "removed what run %d left", (int)pid);
		cr_assert_not_null(strstr(err, said), "the next command said: %s", err);
	} else {
		while (waitpid(guard, NULL, 0) < 0 && errno == EINTR)
			;
	}
	assert_footprint_gone(&fp);
	cli_assert_nothing_left(tag);
	cr_assert_eq(map_count(), maps, "vm.max_map_count was not put back");
	assert_finished_cells(path, backend, sig != SIGKILL);
	cli_rmtree(dir);
}

/* What each backend that runs here is killed in: the nanoguest has rows of its own. */
#define MEASURE "cpu.int,syscall.getppid,cpu.fp"
#define NANO	"trap.none,trap.cpuid,trap.ud2"

/* SIGKILL (its guard cleans up; the guard killed too, the next run does), SIGTERM and
 * SIGINT of a run of one backend. */
#define KILLS(id, backend, tag, workloads)                               \
	Test(faults, sigkill_##id, .timeout = 400)                       \
	{                                                                \
		kill_run(backend, tag, workloads, SIGKILL, BY_GUARD);    \
	}                                                                \
	Test(faults, sigkill_##id##_and_its_guard, .timeout = 400)       \
	{                                                                \
		kill_run(backend, tag, workloads, SIGKILL, BY_NEXT_RUN); \
	}                                                                \
	Test(faults, sigterm_##id, .timeout = 400)                       \
	{                                                                \
		kill_run(backend, tag, workloads, SIGTERM, BY_GUARD);    \
	}                                                                \
	Test(faults, sigint_##id, .timeout = 400)                        \
	{                                                                \
		kill_run(backend, tag, workloads, SIGINT, BY_GUARD);     \
	}

KILLS(native, "native", "guest", MEASURE)
KILLS(container, "container", "container", MEASURE)
KILLS(gvisor, "gvisor", "gvisor", MEASURE)
KILLS(uml, "uml", "uml", MEASURE)
KILLS(tcg, "tcg", "qemu", MEASURE)
KILLS(tcg_virtio, "tcg-virtio", "qemu", MEASURE)
KILLS(tcg_nano, "tcg-nano", "qemu", NANO)

/* The guard killed too, `vmbench doctor --clean` removes what the run left. */
Test(faults, doctor_cleans_after_a_run_and_its_guard, .timeout = 400)
{
	kill_run("uml", "uml", MEASURE, SIGKILL, BY_DOCTOR);
}

/* A second run waits for the first, or with --no-wait ends with status 3 naming it, and
 * makes no output directory; --no-lock measures beside it and says so. */
Test(faults, one_measuring_run_at_a_time, .timeout = 300)
{
	char *dir = cli_tmpdir(), errfile[300], path[300], err[4096], second[300];
	struct results res;
	int status;

	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/first/results.json", dir);
	char first[300];
	snprintf(first, sizeof(first), "%s/first", dir);
	char *argv[] = { "vmbench",	   "run",	  "--backends", "native", "--workloads",
			 "cpu.int,cpu.fp", "--sample-ms", "20",		"--reps", "100",
			 "--no-report",	   "-o",	  first,	NULL };
	pid_t pid = cli_start(argv, errfile);
	cr_assert(await_first_cell(pid, path, "native", &status), "status %#x", status);
	snprintf(second, sizeof(second), "%s/second", dir);
	char *refused[] = { "vmbench", "run",	    "--backends", "native", "--workloads",
			    "cpu.int", "--no-wait", "-o",	  second,   NULL };
	cr_assert_eq(cli_run(refused, err, sizeof(err)), 3, "%s", err);
	char holder[32];
	snprintf(holder, sizeof(holder), "pid %d", (int)pid);
	cr_assert_not_null(strstr(err, holder), "the holder is not named: %s", err);
	struct stat st;
	cr_assert_neq(stat(second, &st), 0, "a refused run made its output directory");
	char *beside[] = { "vmbench", "run",	     "--backends", "native", "--workloads",
			   "cpu.int", "--no-lock",   "--reps",	   "3",	     "--sessions",
			   "1",	      "--no-report", "-o",	   second,   NULL };
	cr_assert_eq(cli_run_results(beside, second, &res, err, sizeof(err)), 0, "%s", err);
	json_t *lock = json_object_get(json_object_get(res.provenance, "run"), "lock");
	cr_assert(json_is_false(json_object_get(lock, "held")), "provenance: no lock held");
	results_free(&res);
	/* The third waits until the first has ended. */
	char third[300];
	snprintf(third, sizeof(third), "%s/third", dir);
	char *waits[] = { "vmbench",	 "run",	   "--backends", "native",     "--workloads",
			  "cpu.int",	 "--reps", "3",		 "--sessions", "1",
			  "--no-report", "-o",	   third,	 NULL };
	cr_assert_eq(cli_run_results(waits, third, &res, err, sizeof(err)), 0, "%s", err);
	cr_assert(waitpid(pid, &status, WNOHANG) == pid || kill(pid, 0) < 0,
		  "the third run measured while the first still ran");
	cr_assert_not_null(strstr(err, "waiting for the measurement CPUs"), "%s", err);
	lock = json_object_get(json_object_get(res.provenance, "run"), "lock");
	cr_assert(json_is_true(json_object_get(lock, "held")));
	results_free(&res);
	cli_rmtree(dir);
}

/* Something planted in the lock's place refuses the run (status 3, saying what), instead
 * of letting it measure beside others unseen or wait forever on a FIFO. */
Test(faults, a_fifo_in_the_locks_place_refuses_the_run, .timeout = 60)
{
	char *dir = cli_tmpdir(), fifo[300], out[300], err[4096];
	struct stat st;

	snprintf(fifo, sizeof(fifo), "%s/lock", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	cr_assert_eq(mkfifo(fifo, 0666), 0);
	setenv("VMBENCH_LOCK", fifo, 1);
	char *argv[] = { "vmbench", "run",	   "--backends", "native", "--workloads",
			 "cpu.int", "--no-report", "-o",	 out,	   NULL };
	int st_run = cli_run(argv, err, sizeof(err));
	unsetenv("VMBENCH_LOCK");
	cr_assert_eq(st_run, 3, "%s", err);
	cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
	cr_assert_neq(stat(out, &st), 0, "a refused run made its output directory");
	cli_rmtree(dir);
}

/* Runs started in the same second each get their own default output directory, and a
 * directory that holds results is not written again. */
Test(faults, output_directories_are_never_shared, .timeout = 300)
{
	char *dir = cli_tmpdir(), err[4096], cwd[512], errs[2][300];
	pid_t pids[2];
	int status;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(chdir(dir), 0);
	char *argv[] = { "vmbench",	"run",	     "--backends", "native",	 "--workloads",
			 "cpu.int",	"--reps",    "2",	   "--sessions", "1",
			 "--no-report", "--no-lock", NULL };
	for (int i = 0; i < 2; i++) {
		snprintf(errs[i], sizeof(errs[i]), "%s/stderr%d", dir, i);
		pids[i] = cli_start(argv, errs[i]);
	}
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "run %d: %#x", i, status);
	}
	DIR *d = opendir("results");
	struct dirent *e;
	int runs = 0;
	while (d && (e = readdir(d))) {
		char path[600];
		struct stat st;
		snprintf(path, sizeof(path), "results/%s/results.json", e->d_name);
		runs += e->d_name[0] != '.' && strcmp(e->d_name, "latest") && stat(path, &st) == 0;
	}
	if (d)
		closedir(d);
	cr_assert_eq(runs, 2, "two runs, %d result directories", runs);
	char again[600];
	snprintf(again, sizeof(again), "%s/results/latest", dir);
	char *reuse[] = { "vmbench", "run", "--backends", "native", "--workloads",
			  "cpu.int", "-o",  again,	  NULL };
	cr_assert_eq(cli_run(reuse, err, sizeof(err)), 2, "%s", err);
	cr_assert_not_null(strstr(err, "holds the results of another run"), "%s", err);
	cr_assert_eq(chdir(cwd), 0);
	cli_rmtree(dir);
}

/* In a mount namespace of this test's own, a /dev/shm of size holding the runs' state
 * directory: Criterion runs each test in a process of its own, and the namespace, with
 * what is mounted in it, ends with it. The state directory's path. */
/* A run of backend with its state directory on an 8 MiB /dev/shm: its cell fails, the
 * reason saying each of wants (what needs how much where), before anything is started. */
static void assert_no_room(const char *backend, const char *const *wants)
{
	char *dir = cli_tmpdir(), err[4096], out[300];
	struct results res;

	if (geteuid() != 0)
		cr_skip_test("mounting a small tmpfs needs root");
	snprintf(out, sizeof(out), "%s/out", dir);
	cli_small_state_dir("8m");
	char *argv[] = { "vmbench",	"run",
			 "--backends",	(char *)backend,
			 "--workloads", "syscall.getppid",
			 "--reps",	"2",
			 "--sessions",	"1",
			 "--no-report", "-o",
			 out,		NULL };
	int st = cli_run_results(argv, out, &res, err, sizeof(err));
	unsetenv("VMBENCH_STATE_DIR");
	const struct cell *c = cli_cell(&res, backend, "syscall.getppid");
	if (c->status == CELL_SKIPPED)
		cr_skip_test("%s does not run here: %s", backend, c->reason);
	cr_assert_eq(st, 1, "%s", err);
	cr_assert_eq(c->status, CELL_FAILED);
	for (size_t i = 0; wants[i]; i++)
		cr_assert_not_null(strstr(c->reason, wants[i]), "%s", c->reason);
	results_free(&res);
	cli_rmtree(dir);
}

/* QEMU's trace log needs room where the state directory is. */
Test(faults, small_state_directory_is_refused_clearly, .timeout = 300)
{
	cli_need_program("qemu-system-x86_64");
	assert_no_room("tcg", (const char *const[]){ "trace log needs 64 MiB", NULL });
}

/* UML keeps guest memory on a tmpfs: the run directory's, else /dev/shm. With neither
 * holding it, the cell fails saying so instead of a guest kernel panic. */
Test(faults, uml_without_room_for_its_memory_says_so, .timeout = 300)
{
	cli_need_program("linux.uml");
	assert_no_room("uml", (const char *const[]){ "UML's guest memory needs", "MiB in /dev/shm",
						     NULL });
}

/* A trace log whose filesystem fills during a run (it had room at the start) fails the
 * cell it cut, saying so, instead of counting fewer device accesses than there were; the
 * backend then does not start again for want of room. The state directory is on a small
 * /dev/shm of the test's own mount namespace; it fills while the second cell measures
 * (samples of 20 ms: seconds), before that cell's counting sample. */
Test(faults, trace_log_filling_up_fails_its_cells, .timeout = 400)
{
	if (geteuid() != 0)
		cr_skip_test("mounting a small tmpfs needs root");
	cli_need_program("qemu-system-x86_64");
	char *dir = cli_tmpdir(), errfile[300], out[300], path[340], why[2048] = "";
	struct results res;
	int status;

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(path, sizeof(path), "%s/results.json", out);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	const char *state = cli_small_state_dir("80m"), *fill = "/dev/shm/fill";
	char *argv[] = { "vmbench",	"run",	     "--backends", "tcg", "--workloads", MEASURE,
			 "--sample-ms", "20",	     "--reps",	   "100", "--sessions",	 "1",
			 "--no-report", "--no-lock", "-o",	   out,	  NULL };
	pid_t pid = cli_start(argv, errfile);
	unsetenv("VMBENCH_STATE_DIR");
	bool up = await_first_cell(pid, path, "tcg", &status);
	cr_assert(up, "the run ended or never finished a cell (status %#x)", status);
	/* All but half a mebibyte of it. */
	struct statvfs vfs;
	cr_assert_eq(statvfs(state, &vfs), 0);
	off_t room = (off_t)vfs.f_bavail * (off_t)vfs.f_frsize - (512 << 10);
	int fd = open(fill, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(posix_fallocate(fd, 0, room), 0);
	close(fd);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	char err[256];
	cr_assert_eq(results_load(path, &res, err, sizeof(err)), 0, "%s", err);
	size_t cut = 0;
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		util_appendf(why, sizeof(why), "%s: %s: %s; ", c->workload,
			     cell_status_name(c->status), c->reason ? c->reason : "");
		cut += c->status == CELL_FAILED && c->reason &&
		       strstr(c->reason, "No space left on device");
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %#x: %s", status, why);
	char *log = util_read_file(errfile, 1 << 20, NULL);
	cr_assert_geq(cut, 1, "no cell failed for the full trace log: %s\n%s", why, log);
	free(log);
	results_free(&res);
	cli_rmtree(dir);
}
