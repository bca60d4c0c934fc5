/* Helpers of the CLI-level integration tests: run vmbench as a user would. */
#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "host/runstate.h"
#include "host/util.h"

static void remember_remains(void);

static pid_t start(char *argv[], const char *outfile, const char *errfile)
{
	remember_remains();
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* A test that fails while vmbench runs takes it along (its guard then cleans
		 * up), instead of leaving it to measure beside the next test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_RDWR);
		int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int out = outfile ? open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
		dup2(null, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		argv[0] = VMBENCH_BIN;
		execv(VMBENCH_BIN, argv);
		_exit(127);
	}
	return pid;
}

pid_t cli_start(char *argv[], const char *errfile)
{
	return start(argv, NULL, errfile);
}

/* Reads the start of a file into buf and removes the file. */
static void take(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
}

int cli_run_out(char *argv[], char *out, size_t outlen, char *err, size_t len)
{
	char errfile[] = "/tmp/vmbench-stderr-XXXXXX", outfile[] = "/tmp/vmbench-stdout-XXXXXX";
	int status;
	int efd = mkstemp(errfile), ofd = mkstemp(outfile);

	cr_assert(efd >= 0 && ofd >= 0);
	close(efd);
	close(ofd);
	pid_t pid = start(argv, out ? outfile : NULL, errfile);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	take(errfile, err, len);
	if (out)
		take(outfile, out, outlen);
	else
		unlink(outfile);
	cr_assert(WIFEXITED(status), "vmbench died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

int cli_run(char *argv[], char *err, size_t len)
{
	return cli_run_out(argv, NULL, 0, err, len);
}

int cli_run_results(char *argv[], const char *dir, struct results *res, char *err, size_t len)
{
	char path[512], lerr[512];
	int st = cli_run(argv, err, len);

	snprintf(path, sizeof(path), "%s/results.json", dir);
	cr_assert_eq(results_load(path, res, lerr, sizeof(lerr)), 0, "%s (vmbench said: %s)", lerr,
		     err);
	return st;
}

const struct cell *cli_cell(const struct results *res, const char *backend, const char *workload)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->cells[i].backend, backend) &&
		    !strcmp(res->cells[i].workload, workload))
			return &res->cells[i];
	cr_assert_fail("no cell %s/%s in the results", backend, workload);
	return NULL;
}

/*
 * Things a run could leave behind, as one "kind path" line each: vmbench-* entries of the
 * runtime directory and of the cgroup trees (v2 or hybrid's unified tree, then each v1
 * hierarchy, and our own cgroup), and mount points that name vmbench.
 */
static void remains(char *out, size_t len)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char roots[32][300];
	size_t nroots = 0;

	out[0] = '\0';
	if (!base || !*base || access(base, W_OK) < 0)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(roots[nroots++], sizeof(roots[0]), "%s", base);
	/* Child guests keep their files on tmpfs, /dev/shm where /tmp is not. */
	snprintf(roots[nroots++], sizeof(roots[0]), "/dev/shm");
	snprintf(roots[nroots++], sizeof(roots[0]), "/sys/fs/cgroup");
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *e;
	while (d && nroots < 32 && (e = readdir(d)))
		if (e->d_name[0] != '.' && e->d_type == DT_DIR)
			snprintf(roots[nroots++], sizeof(roots[0]), "/sys/fs/cgroup/%.200s",
				 e->d_name);
	if (d)
		closedir(d);
	/* Runs make their cgroup inside the one they were started in: ours (v2, or hybrid's
	 * unified tree). */
	char own[256];
	FILE *cg = fopen("/proc/self/cgroup", "re");
	while (cg && fgets(own, sizeof(own), cg))
		if (!strncmp(own, "0::/", 4) && own[4] != '\n' && nroots + 2 <= 32) {
			own[strcspn(own, "\n")] = '\0';
			snprintf(roots[nroots++], sizeof(roots[0]), "/sys/fs/cgroup%.200s",
				 own + 3);
			snprintf(roots[nroots++], sizeof(roots[0]), "/sys/fs/cgroup/unified%.200s",
				 own + 3);
		}
	if (cg)
		fclose(cg);
	for (size_t r = 0; r < nroots; r++) {
		d = opendir(roots[r]);
		while (d && (e = readdir(d)))
			if (!strncmp(e->d_name, "vmbench-", 8))
				util_appendf(out, len, "%s %s/%s\n", r ? "cgroup" : "directory",
					     roots[r], e->d_name);
		if (d)
			closedir(d);
	}
	/* The runs' own directories (host/runstate.h): none may stay once a run has ended. */
	char state[300];
	if (runstate_base(state, sizeof(state)) == 0 && (d = opendir(state))) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				util_appendf(out, len, "state %s/%s\n", state, e->d_name);
		closedir(d);
	}
	/* mountinfo: id parent major:minor root mount-point ... */
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024], point[512];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %511s", point) == 1 && strstr(point, "vmbench"))
			util_appendf(out, len, "mount %s\n", point);
	if (f)
		fclose(f);
}

/* What was there before the first vmbench this test started: not ours to judge. */
static char before[16384];
static bool before_taken;

static void remember_remains(void)
{
	if (!before_taken)
		remains(before, sizeof(before));
	before_taken = true;
}

const char *cli_leftovers(const char *tag)
{
	static char what[600];
	static char now[16384];
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "vmbench-%s-", tag);
	remains(now, sizeof(now));
	for (char *save, *l = strtok_r(now, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char needle[600];
		snprintf(needle, sizeof(needle), "%s\n", l);
		if (strstr(before, needle))
			continue;
		/* Runtime directories of other backends are not this test's business. */
		if (!strncmp(l, "directory ", 10) && !strstr(l, prefix))
			continue;
		snprintf(what, sizeof(what), "%s", l);
		return what;
	}
	DIR *d;
	struct dirent *e;
	FILE *f;
	char path[300];
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (waitpid(-1, NULL, WNOHANG) != 0)
		return NULL;
	/* Name it. */
	snprintf(what, sizeof(what), "a live child process");
	d = opendir("/proc");
	while (d && (e = readdir(d))) {
		int pid, ppid;
		char comm[64];
		snprintf(path, sizeof(path), "/proc/%.20s/stat", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%d (%63[^)]) %*c %d", &pid, comm, &ppid) == 3 && ppid == getpid())
			snprintf(what, sizeof(what), "live child process %d (%s)", pid, comm);
		fclose(f);
	}
	if (d)
		closedir(d);
	return what;
}

void cli_assert_nothing_left(const char *tag)
{
	usleep(300000);
	const char *left = cli_leftovers(tag);
	cr_assert_null(left, "left behind: %s", left);
}

void cli_assert_all_ran(const struct results *res, const char *backend, const char *except)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct cell *c = &res->cells[i];
		if ((backend && strcmp(c->backend, backend) != 0) ||
		    (except && !strcmp(c->workload, except)))
			continue;
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s/%s: %s", c->backend,
			  c->workload, c->reason);
	}
}

/* Guest backends: a missing guest image is a reason to skip, not a failure. */
static void skip_without_image(const char *err)
{
	if (strstr(err, "the VM backends will be skipped"))
		cr_skip_test("the guest image could not be built here: %.300s", err);
}

void cli_check_crash_recovery(const char *backend, const char *tag)
{
	char *dir = cli_tmpdir(), err[8192];
	struct results res;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	char *argv[] = { "vmbench",	"run",
			 "--backends",	(char *)backend,
			 "--workloads", "cpu.int,crash,syscall.getppid",
			 "--reps",	"6",
			 "-o",		dir,
			 NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	skip_without_image(err);
	cr_assert_eq(st, 1, "a failed cell makes the run exit 1: %s", err);
	const struct cell *crash = cli_cell(&res, backend, "crash");
	cr_assert_eq(crash->status, CELL_FAILED);
	cr_assert_not_null(strstr(crash->reason, "closed its stream"), "%s", crash->reason);
	cli_assert_all_ran(&res, backend, "crash");
	json_t *info = json_object_get(json_object_get(res.provenance, "backends"), backend);
	cr_assert_eq(json_integer_value(json_object_get(info, "restarts")), 1);
	results_free(&res);
	cli_assert_nothing_left(tag);
}

void cli_check_interrupt(const char *backend, const char *tag)
{
	char *dir = cli_tmpdir(), errfile[300], path[300], lerr[512], text[8192], first[2][64];
	struct results res;
	int status;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	/* The two run in a random order: the one whose median is logged first is done. */
	snprintf(first[0], sizeof(first[0]), "%s: cpu.int: median", backend);
	snprintf(first[1], sizeof(first[1]), "%s: cpu.fp: median", backend);
	char *argv[] = { "vmbench",	"run",
			 "--backends",	(char *)backend,
			 "--workloads", "cpu.int,cpu.fp",
			 "--reps",	"500",
			 "-o",		dir,
			 NULL };
	pid_t pid = cli_start(argv, errfile);
	/* Interrupt in the middle of the second measurement, with the guest up. */
	int done_first = -1;
	for (int i = 0; i < 1200 && done_first < 0; i++) {
		FILE *f = fopen(errfile, "re");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		text[n] = '\0';
		if (f)
			fclose(f);
		for (int k = 0; k < 2; k++)
			if (strstr(text, first[k]))
				done_first = k;
		if (done_first < 0 && waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	skip_without_image(text);
	cr_assert_geq(done_first, 0, "the run never finished a first workload: %s", text);
	usleep(500000);
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %#x", status);
	cli_assert_nothing_left(tag);
	cr_assert_eq(results_load(path, &res, lerr, sizeof(lerr)), 0, "%s", lerr);
	cr_assert(!res.complete);
	const struct cell *done = cli_cell(&res, backend, done_first ? "cpu.fp" : "cpu.int");
	cr_assert(done->status == CELL_OK || done->status == CELL_NOISY, "%s", done->reason);
	results_free(&res);
}

void cli_path_without(const char *const hide[])
{
	char *bin = cli_tmpdir(), link[512], target[512];
	const char *dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

	for (size_t i = 0; i < 4; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			bool hidden = e->d_name[0] == '.';
			for (size_t h = 0; hide[h] && !hidden; h++)
				hidden = !strcmp(e->d_name, hide[h]);
			if (hidden)
				continue;
			snprintf(link, sizeof(link), "%s/%s", bin, e->d_name);
			snprintf(target, sizeof(target), "%s/%s", dirs[i], e->d_name);
			(void)!symlink(target, link); /* the first directory wins, as in $PATH */
		}
		if (d)
			closedir(d);
	}
	setenv("PATH", bin, 1);
}

const char *cli_doctor_line(const char *backend)
{
	static char out[16384];
	char err[4096], key[64];
	char *argv[] = { "vmbench", "doctor", NULL };

	cr_assert_eq(cli_run_out(argv, out, sizeof(out), err, sizeof(err)), 0, "%s", err);
	snprintf(key, sizeof(key), "\n  %s ", backend);
	char *line = strstr(out, key);
	cr_assert_not_null(line, "doctor says nothing of %s: %s", backend, out);
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	return line;
}

void cli_need_program(const char *program)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null", program);
	if (system(cmd) != 0)
		cr_skip_test("%s is not installed (make deps)", program);
}

static char *made[8];

char *cli_tmpdir(void)
{
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (!made[i]) {
			made[i] = strdup("/tmp/vmbench-cli-XXXXXX");
			cr_assert_not_null(made[i]);
			cr_assert_not_null(mkdtemp(made[i]));
			return made[i];
		}
	cr_assert_fail("more than %zu directories in one test", sizeof(made) / sizeof(made[0]));
	return NULL;
}

static void rmtree(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

void cli_rmtree(const char *dir)
{
	rmtree(dir);
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i] && made[i] != dir && !strcmp(made[i], dir)) {
			free(made[i]);
			made[i] = NULL;
		}
	/* The directory cli_tmpdir made: its name goes last, it may be dir itself. */
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i] == dir) {
			free(made[i]);
			made[i] = NULL;
		}
}

void cli_cleanup(void)
{
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (made[i]) {
			rmtree(made[i]);
			free(made[i]);
			made[i] = NULL;
		}
}

void cli_make_disk(const char *path, unsigned mib)
{
	FILE *f = fopen(path, "we");
	uint64_t x = 0x9e3779b97f4a7c15ull;

	cr_assert_not_null(f, "%s", path);
	for (size_t i = 0; i < (size_t)mib << 17; i++) { /* 8-byte words */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		cr_assert_eq(fwrite(&x, sizeof(x), 1, f), 1);
	}
	cr_assert_eq(fclose(f), 0);
}

const char *cli_small_state_dir(const char *size)
{
	static const char state[] = "/dev/shm/state";
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%s,mode=1777", size);
	int ret = unshare(CLONE_NEWNS);
	if (ret < 0 && errno == EPERM)
		cr_skip_test("no mount namespace of the test's own here (CAP_SYS_ADMIN)");
	cr_assert_eq(ret, 0, "%s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
	cr_assert_eq(mount("tmpfs", "/dev/shm", "tmpfs", 0, opts), 0, "%s", strerror(errno));
	cr_assert_eq(mkdir(state, 0700), 0);
	setenv("VMBENCH_STATE_DIR", state, 1);
	return state;
}
