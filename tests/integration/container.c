/* Integration tests of the container backend: a real OCI runtime runs the agent from the
 * guest image's rootfs, as configured, with results like native's; its cgroup limit is
 * resized while it runs; its snapshots are CRIU's, skipped with CRIU's own words where it
 * cannot work; and nothing of the container (process, cgroup, state, mount) outlives a
 * run, a crash or Ctrl-C. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/results.h"

TestSuite(container, .fini = cli_cleanup);

static void need_runtime(void)
{
	if (geteuid() != 0)
		cr_skip_test("the container backend needs root");
	if (system("command -v runc >/dev/null || command -v crun >/dev/null") != 0)
		cr_skip_test("no OCI runtime installed (make deps installs runc and crun)");
}

static json_t *jpath(json_t *j, const char *a, const char *b)
{
	return json_object_get(json_object_get(j, a), b);
}

/* vmbench run of the container backend's workloads wl, one session of one sample, into dir:
 * its exit status; the test is skipped where the guest image could not be built. */
static int run_one(const char *wl, const char *dir, struct results *res, char *err, size_t len)
{
	char *argv[] = { "vmbench",	"run",	      "--backends", "container", "--workloads",
			 (char *)wl,	"--sessions", "1",	    "--reps",	 "1",
			 "--no-report", "-o",	      (char *)dir,  NULL };
	int st = cli_run_results(argv, dir, res, err, len);
	const char *why = json_string_value(
		json_object_get(jpath(res->provenance, "backends", "container"), "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	return st;
}

Test(container, runs_like_native_as_configured, .timeout = 600)
{
	char *dir = cli_tmpdir(), disk[300], err[8192];
	struct results res;

	need_runtime();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(disk, sizeof(disk), "%s/disk.raw", dir);
	cli_make_disk(disk, 32);
	/* The container's root is an unprivileged host user: a disk of the user's must let it
	 * read and write (vmbench's own disk is given to it). */
	cr_assert_eq(chmod(disk, 0666), 0);
	char *argv[] = { "vmbench",
			 "run",
			 "--backends",
			 "native,container",
			 "--workloads",
			 "syscall.getppid,cpu.int,proc.fork,io.randread4k.qd1,lifecycle.boot",
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
	json_t *info = jpath(res.provenance, "backends", "container");
	const char *why = json_string_value(json_object_get(info, "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	/* As root with a runtime installed, one of them must work (on v1, hybrid and v2). */
	cr_assert_str_eq(json_string_value(json_object_get(info, "status")), "ok", "%s", why);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	cli_assert_all_ran(&res, NULL, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(info, "mode")), "os-level");
	/* The runtime is named, and why another was not used. */
	json_t *facts = json_object_get(info, "backend");
	const char *runtime = json_string_value(json_object_get(facts, "runtime"));
	cr_assert(runtime && (!strcmp(runtime, "crun") || !strcmp(runtime, "runc")));
	cr_assert(json_is_array(json_object_get(facts, "runtimes_rejected")));
	cr_assert_not_null(strstr(json_string_value(json_object_get(info, "note")), runtime));
	/* config.json as the issue asks. */
	json_t *config = json_object_get(facts, "config");
	cr_assert(json_is_true(jpath(config, "root", "readonly")));
	cr_assert(json_is_true(jpath(config, "process", "noNewPrivileges")));
	cr_assert(json_is_false(jpath(config, "process", "terminal")));
	json_t *ns = jpath(config, "linux", "namespaces"), *n;
	size_t i;
	char kinds[128] = "";
	json_array_foreach(ns, i, n) {
		strcat(kinds, json_string_value(json_object_get(n, "type")));
		strcat(kinds, " ");
	}
	cr_assert_str_eq(kinds, "pid mount ipc uts network user ");
	/* The agent's root is host uid 1000000 and up, never host root. */
	json_t *map = json_array_get(jpath(config, "linux", "uidMappings"), 0);
	cr_assert_eq(json_integer_value(json_object_get(map, "containerID")), 0);
	cr_assert_eq(json_integer_value(json_object_get(map, "hostID")), 1000000);
	cr_assert_eq(json_integer_value(json_object_get(facts, "host_uid")), 1000000,
		     "the agent's effective uid on the host");
	json_t *resources = jpath(config, "linux", "resources");
	cr_assert_eq(json_integer_value(jpath(resources, "pids", "limit")), 512);
	/* vmbench's seccomp filter: everything allowed but the kernel's own interfaces. */
	json_t *seccomp = jpath(config, "linux", "seccomp");
	cr_assert_str_eq(json_string_value(json_object_get(seccomp, "defaultAction")),
			 "SCMP_ACT_ALLOW");
	json_t *rules = json_object_get(seccomp, "syscalls");
	json_t *denied = json_object_get(json_array_get(rules, 0), "names");
	cr_assert_gt(json_array_size(denied), 30);
	/* clone3 falls back to clone, whose namespace flags are refused one rule each. */
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_array_get(rules, 1), "names"), 0)),
			 "clone3");
	cr_assert_eq(json_array_size(rules), 2 + 7);
	/* And the kernel holds the agent to it. */
	cr_assert_str_eq(json_string_value(json_object_get(facts, "seccomp")), "filter");
	cr_assert_eq(json_integer_value(jpath(resources, "memory", "limit")), 512LL << 20);
	cr_assert_not_null(jpath(resources, "cpu", "cpus"), "the measurement CPU is the cpuset");
	cr_assert(json_is_array(jpath(facts, "config", "mounts")));
	/* The host kernel, shared: the agent says so in HELLO. */
	cr_assert_str_eq(json_string_value(jpath(info, "agent", "kernel")),
			 json_string_value(jpath(jpath(res.provenance, "backends", "native"),
						 "agent", "kernel")));
	/* File workloads run on the same kind of filesystem in both: tmpfs. */
	for (int b = 0; b < 2; b++) {
		json_t *blk = jpath(res.provenance, "backends", b ? "native" : "container");
		cr_assert_str_eq(json_string_value(jpath(blk, "agent", "tmp_fs")), "tmpfs",
				 "%s's files", b ? "native" : "container");
	}
	/* The probes watch the agent, not the runtime: a fork costs the same faults. */
	const struct counter *cf =
		counters_get(&cli_cell(&res, "container", "proc.fork")->counters, "page-faults");
	const struct counter *nf =
		counters_get(&cli_cell(&res, "native", "proc.fork")->counters, "page-faults");
	cr_assert(cf && nf && isfinite(cf->per_op) && isfinite(nf->per_op));
	cr_assert_gt(cf->per_op, 0.5 * nf->per_op);
	cr_assert_lt(cf->per_op, 2 * nf->per_op);
	/* Starting a container takes more than a fork and much less than a VM boot. */
	const struct cell *boot = cli_cell(&res, "container", "lifecycle.boot");
	cr_assert_eq(boot->n, 6);
	cr_assert_lt(boot->stats.median, 5.0);
	results_free(&res);
	cli_assert_nothing_left("container");
}

/* Native and a container in one run measure STREAM and mem.lat at the same sizes: the
 * run's, set for the container's 512 MiB, though native alone would take larger ones. */
Test(container, problem_sizes_are_the_runs, .timeout = 600)
{
	char *dir = cli_tmpdir(), err[8192];
	struct results res;

	need_runtime();
	char *argv[] = { "vmbench",	"run",
			 "--backends",	"native,container",
			 "--workloads", "mem.bw.copy,mem.lat",
			 "--reps",	"3",
			 "--sample-ms", "5",
			 "--no-report", "-o",
			 dir,		NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	json_t *info = jpath(res.provenance, "backends", "container");
	const char *why = json_string_value(json_object_get(info, "reason"));
	if (why && strstr(why, "no guest image"))
		cr_skip_test("%s", why);
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	json_t *sizes = jpath(res.provenance, "run", "sizes");
	cr_assert_eq(json_integer_value(json_object_get(sizes, "memory_bytes")), 512LL << 20);
	const char *wl[] = { "mem.bw.copy", "mem.lat" };
	for (size_t w = 0; w < 2; w++) {
		json_int_t want = json_integer_value(jpath(sizes, "bytes", wl[w]));
		cr_assert_gt(want, 0, "%s has a size", wl[w]);
		cr_assert_leq(want, (512LL << 20) / 16 * 6, "%s fits a 512 MiB guest", wl[w]);
		for (int b = 0; b < 2; b++) {
			const char *bk = b ? "container" : "native";
			const struct cell *c = cli_cell(&res, bk, wl[w]);
			cr_assert(cell_measured(c), "%s %s: %s", bk, wl[w], c->reason);
			cr_assert_eq(json_integer_value(json_object_get(c->extra, "problem_bytes")),
				     want, "%s %s measured another size", bk, wl[w]);
		}
		struct ratio q;
		cr_assert_eq(results_ratio_to_native(&res, cli_cell(&res, "container", wl[w]), &q),
			     0);
	}
	/* mem.lat's curve ends at that size in both. */
	json_t *pts = json_object_get(cli_cell(&res, "native", "mem.lat")->series, "points");
	cr_assert_eq(json_number_value(
			     json_object_get(json_array_get(pts, json_array_size(pts) - 1), "x")),
		     (double)json_integer_value(jpath(sizes, "bytes", "mem.lat")));
	results_free(&res);
	cli_assert_nothing_left("container");
}

/* What `criu check` says here, run as the backend runs it (stdout and stderr) into out: its
 * exit status, or -1 when CRIU is not installed. */
static int criu_check(char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	if (system("command -v criu >/dev/null") != 0)
		return -1;
	FILE *p = popen("criu check 2>&1", "r");
	cr_assert_not_null(p);
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Snapshots, restores and clones of a container are CRIU's: where `criu check` fails (this
 * machine's kernel), the cells are skipped quoting what it said; where it passes, they run
 * and leave nothing behind. */
Test(container, snapshots_run_where_criu_works, .timeout = 900)
{
	char *dir = cli_tmpdir(), err[8192], says[8192];
	struct results res;

	need_runtime();
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	int st = run_one("lifecycle.snapshot,lifecycle.restore,lifecycle.clone", dir, &res, err,
			 sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	int check = criu_check(says, sizeof(says));
	const char *const wl[] = { "lifecycle.snapshot", "lifecycle.restore", "lifecycle.clone" };
	const char *prefix = "CRIU cannot checkpoint on this host: `criu check` says: ";
	for (size_t i = 0; i < ARRAY_SIZE(wl); i++) {
		const struct cell *c = cli_cell(&res, "container", wl[i]);
		if (check != 0) {
			cr_assert_eq(c->status, CELL_SKIPPED, "%s: %s", wl[i], c->reason);
			if (check < 0) {
				cr_assert_str_eq(c->reason, "needs CRIU (Debian: criu)");
				continue;
			}
			/* CRIU's own words, as this test heard them too. */
			cr_assert(c->reason && !strncmp(c->reason, prefix, strlen(prefix)),
				  "%s: %s", wl[i], c->reason);
			const char *quoted = c->reason + strlen(prefix);
			cr_assert_gt(strlen(quoted), 5, "%s", c->reason);
			cr_assert(strstr(says, quoted), "'%s' is not what `criu check` said: %s",
				  quoted, says);
			continue;
		}
		/* CRIU works, but not all it needs is here: a skip that says what is missing. */
		if (c->status == CELL_SKIPPED &&
		    (strstr(c->reason, "CRIU needs") || strstr(c->reason, "+CRIU")))
			cr_skip_test("%s", c->reason);
		cr_assert(cell_measured(c), "%s: %s", wl[i], c->reason);
		cr_assert_gt(c->samples[0], 0, "%s", wl[i]);
	}
	if (check == 0) {
		const struct cell *snap = cli_cell(&res, "container", "lifecycle.snapshot");
		json_t *bytes = json_array_get(json_object_get(snap->raw, "bytes"), 0);
		cr_assert_gt(json_integer_value(bytes), 0, "the checkpoint's images");
		const struct cell *cl = cli_cell(&res, "container", "lifecycle.clone");
		json_t *all = json_array_get(json_object_get(cl->raw, "at_once_s"), 0);
		cr_assert_eq(json_array_size(all), 4, "four clones of one checkpoint at once");
	}
	results_free(&res);
	cli_assert_nothing_left("container");
	cli_assert_nothing_left("state");
}

/* The first number of the cell's raw array key. */
static double raw0(const struct cell *c, const char *key)
{
	return json_number_value(json_array_get(json_object_get(c->raw, key), 0));
}

/* A resize lowers the container's cgroup limit, which the agent sees as its own: the memory
 * it may use is the limit (below the host's MemTotal), halved and then whole again. */
Test(container, resize_changes_the_limit_the_container_sees, .timeout = 300)
{
	char *dir = cli_tmpdir(), err[8192];
	struct results res;

	need_runtime();
	int st = run_one("lifecycle.resize", dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	const struct cell *c = cli_cell(&res, "container", "lifecycle.resize");
	cr_assert(cell_measured(c), "%s", c->reason);
	cr_assert_gt(c->samples[0], 0);
	double before = raw0(c, "seen_before_bytes");
	cr_assert_gt(before, 0);
	cr_assert_eq(raw0(c, "taken_bytes"), before / 2, "the limit is the guest's memory");
	cr_assert_eq(raw0(c, "seen_taken_bytes"), before / 2);
	cr_assert_gt(raw0(c, "give_back_s"), 0);
	results_free(&res);
	cli_assert_nothing_left("container");
}

/* Without CRIU on $PATH (where runc looks for it), the cells say which package it is in. */
Test(container, snapshots_name_criu_where_it_is_missing, .timeout = 300)
{
	char *dir = cli_tmpdir(), err[8192];
	const char *hide[] = { "criu", NULL };
	struct results res;

	need_runtime();
	cli_path_without(hide);
	int st = run_one("lifecycle.restore", dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	const struct cell *c = cli_cell(&res, "container", "lifecycle.restore");
	cr_assert_eq(c->status, CELL_SKIPPED, "%s", c->reason);
	cr_assert_str_eq(c->reason, "needs CRIU (Debian: criu)");
	results_free(&res);
}

Test(container, agent_crash_is_recovered_and_cleaned_up, .timeout = 300)
{
	need_runtime();
	cli_check_crash_recovery("container", "container");
}

Test(container, interrupt_leaves_nothing, .timeout = 300)
{
	need_runtime();
	cli_check_interrupt("container", "container");
}

Test(container, doctor_explains_each_runtime, .timeout = 120)
{
	need_runtime();
	/* Here: the runtime that works, and why the other does not (crun on hybrid cgroups). */
	const char *line = cli_doctor_line("container");
	if (strstr(line, "no guest image"))
		cr_skip_test("the guest image is not built: %s", line);
	cr_assert(strstr(line, "available: with runc") || strstr(line, "available: with crun"),
		  "%s", line);
	if (strstr(line, "with runc"))
		cr_assert_not_null(strstr(line, "(crun: "), "why not crun: %s", line);
	/* Neither installed. */
	const char *hide[] = { "runc", "crun", NULL };
	cli_path_without(hide);
	line = cli_doctor_line("container");
	cr_assert_not_null(
		strstr(line, "unavailable: no OCI runtime installed (Debian: runc or crun)"), "%s",
		line);
}
