/* Unit tests of harness/perfev.h: event names through libpfm4 and tracefs into
 * perf_event_attr, the task tree, and counting on ourselves (software events work on
 * hosts without a hardware PMU). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "host/perfev.h"
#include "host/util.h"

static struct perf_event_attr encode(const char *event)
{
	struct perf_event_attr attr;
	char err[256] = "";

	cr_assert_eq(perfev_encode(event, &attr, err, sizeof(err)), 0, "%s: %s", event, err);
	cr_assert_eq(attr.size, sizeof(attr));
	/* User and kernel mode both: a system call's cost is mostly the kernel's. */
	cr_assert_eq(attr.exclude_kernel, 0, "%s excludes the kernel", event);
	cr_assert_eq(attr.exclude_user, 0, "%s excludes user mode", event);
	return attr;
}

Test(perfev, hardware_events_through_libpfm4)
{
	struct perf_event_attr a = encode("cycles");
	cr_assert_eq(a.type, PERF_TYPE_HARDWARE);
	cr_assert_eq(a.config, PERF_COUNT_HW_CPU_CYCLES);
	a = encode("instructions");
	cr_assert_eq(a.config, PERF_COUNT_HW_INSTRUCTIONS);
	a = encode("branch-misses");
	cr_assert_eq(a.config, PERF_COUNT_HW_BRANCH_MISSES);
	/* Cache events: cache | operation << 8 | result << 16. */
	a = encode("LLC-load-misses");
	cr_assert_eq(a.type, PERF_TYPE_HW_CACHE);
	cr_assert_eq(a.config, PERF_COUNT_HW_CACHE_LL | PERF_COUNT_HW_CACHE_OP_READ << 8 |
				       PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
	a = encode("dTLB-load-misses");
	cr_assert_eq(a.config, PERF_COUNT_HW_CACHE_DTLB | PERF_COUNT_HW_CACHE_OP_READ << 8 |
				       PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
}

Test(perfev, software_events_through_libpfm4)
{
	struct perf_event_attr a = encode("task-clock");
	cr_assert_eq(a.type, PERF_TYPE_SOFTWARE);
	cr_assert_eq(a.config, PERF_COUNT_SW_TASK_CLOCK);
	cr_assert_eq(encode("context-switches").config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	cr_assert_eq(encode("cpu-migrations").config, PERF_COUNT_SW_CPU_MIGRATIONS);
	cr_assert_eq(encode("page-faults").config, PERF_COUNT_SW_PAGE_FAULTS);
}

Test(perfev, unknown_names_say_so)
{
	struct perf_event_attr a;
	char err[256] = "";

	cr_assert_eq(perfev_encode("no-such-event", &a, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "libpfm4 does not know 'no-such-event'"), "%s", err);
	cr_assert_eq(perfev_encode("nosuch:tracepoint", &a, err, sizeof(err)), -ENOENT);
	cr_assert_not_null(strstr(err, "no tracepoint nosuch:tracepoint"), "%s", err);
	/* --events takes hardware and software events only, never a tracepoint (which
	 * libpfm4 knows too where debugfs is mounted). */
	cr_assert_eq(perfev_check_pfm("cycles", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(perfev_check_pfm("raw_syscalls:sys_enter", err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "tracepoint") || strstr(err, "does not know"), "%s", err);
}

static int mount_lines(const char *what)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* A tracepoint's id from tracefs, mounted for the lookup in a private namespace when the
 * host has it unmounted: the host's mounts stay as they were. */
Test(perfev, tracepoints_leave_the_mounts_alone)
{
	struct perf_event_attr a;
	char err[256] = "";
	int before = mount_lines(" tracefs ");

	int ret = perfev_encode("raw_syscalls:sys_enter", &a, err, sizeof(err));
	if (ret < 0 && geteuid() != 0)
		cr_skip_test("tracefs is not readable here without root: %s", err);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(a.type, PERF_TYPE_TRACEPOINT);
	cr_assert_gt(a.config, 0);
	cr_assert_eq(mount_lines(" tracefs "), before);
}

static pid_t paused_child(void)
{
	pid_t child = fork();

	cr_assert_geq(child, 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	return child;
}

static bool has(const pid_t *tids, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

Test(perfev, tree_follows_children)
{
	pid_t tids[PERFEV_MAX_TASKS], me = getpid();
	pid_t child = paused_child();
	size_t n = perfev_tree(&me, 1, tids, PERFEV_MAX_TASKS);
	bool in_me = has(tids, n, me), in_it = has(tids, n, child);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	cr_assert(in_me && in_it, "%zu tasks: us %d, the child %d", n, in_me, in_it);
	pid_t none = 0;
	cr_assert_eq(perfev_tree(&none, 1, tids, PERFEV_MAX_TASKS), 0);
}

/* Two siblings as roots (a sandbox and its gofer): both trees, not their parent's. */
Test(perfev, tree_of_two_roots)
{
	pid_t tids[PERFEV_MAX_TASKS], roots[2] = { paused_child(), paused_child() };
	int kids[8];
	size_t n = perfev_tree(roots, 2, tids, PERFEV_MAX_TASKS);
	size_t nkids = util_children(getpid(), kids, 8);
	bool a = has(tids, n, roots[0]), b = has(tids, n, roots[1]), me = has(tids, n, getpid());
	bool ka = false, kb = false;

	for (size_t i = 0; i < nkids; i++) {
		ka |= kids[i] == roots[0];
		kb |= kids[i] == roots[1];
	}
	for (int i = 0; i < 2; i++) {
		kill(roots[i], SIGKILL);
		waitpid(roots[i], NULL, 0);
	}
	cr_assert(a && b && !me, "%zu tasks: the roots %d %d, their parent %d", n, a, b, me);
	cr_assert(ka && kb, "util_children found %zu, the two %d %d", nkids, ka, kb);
	cr_assert_eq(util_ppid(roots[0]), -ENOENT);
	/* A root given twice is counted once. */
	pid_t me2[2] = { getpid(), getpid() }, tids1[PERFEV_MAX_TASKS];
	cr_assert_eq(perfev_tree(me2, 2, tids, PERFEV_MAX_TASKS),
		     perfev_tree(me2, 1, tids1, PERFEV_MAX_TASKS));
}

/* Software events count on every host, hardware PMU or not. */
Test(perfev, counts_page_faults_of_a_child)
{
	struct perf_event_attr a;
	struct perfev ev;
	char err[256] = "";
	pid_t self = getpid();
	double before, after, enabled, running;

	cr_assert_eq(perfev_encode("page-faults", &a, err, sizeof(err)), 0, "%s", err);
	if (perfev_open(&ev, &a, &self, 1, err, sizeof(err)) < 0)
		cr_skip_test("perf_event_open is not allowed here: %s", err);
	cr_assert_eq(perfev_read(&ev, &before, &enabled, &running), 0);
	/* A child, started after the counter (inherited), touches 100 fresh pages. */
	pid_t child = fork();
	if (child == 0) {
		char *p = mmap(NULL, 100 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (int i = 0; p != MAP_FAILED && i < 100; i++)
			p[i * 4096] = 1;
		_exit(0);
	}
	waitpid(child, NULL, 0);
	cr_assert_eq(perfev_read(&ev, &after, &enabled, &running), 0);
	cr_assert_geq(after - before, 100, "page faults: %g", after - before);
	/* A software counter is never multiplexed. */
	cr_assert_float_eq(running, enabled, 1);
	perfev_close(&ev);
	cr_assert_eq(ev.n, 0);
}
