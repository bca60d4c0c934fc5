/* A run's state on the host: what is noted is undone, a dead run's is found, a directory
 * not private to us is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "common/sysutil.h"
#include "host/runstate.h"
#include "host/util.h"

static char base[64];

static void setup(void)
{
	snprintf(base, sizeof(base), "/tmp/vmbench-state-XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	setenv("VMBENCH_STATE_DIR", base, 1);
}

static void teardown(void)
{
	runstate_close();
	sys_rmtree(base);
}

TestSuite(runstate, .init = setup, .fini = teardown);

Test(runstate, a_directory_others_may_write_is_refused)
{
	char buf[128];

	cr_assert_eq(chmod(base, 0777), 0);
	cr_assert_eq(runstate_base(buf, sizeof(buf)), -EPERM);
	cr_assert_eq(chmod(base, 0711), 0);
	cr_assert_eq(runstate_base(buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, base);
}

Test(runstate, notes_are_undone_and_said)
{
	char err[256], tmp[128], said[512] = "", dir[256];

	cr_assert_eq(runstate_open(err, sizeof(err)), 0, "%s", err);
	snprintf(dir, sizeof(dir), "%s", runstate_dir());
	cr_assert(!strncmp(dir, base, strlen(base)));
	snprintf(tmp, sizeof(tmp), "/tmp/vmbench-noted-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	runstate_note("kept", UNDO_RMTREE, (const char *const[]){ tmp, NULL });
	/* A path that is not one vmbench makes is never removed, whatever a note says. */
	char other[] = "/tmp/not-ours-XXXXXX";
	cr_assert_not_null(mkdtemp(other));
	runstate_note("foreign", UNDO_RMTREE, (const char *const[]){ other, NULL });
	/* A note forgotten is not undone. */
	char forgot[] = "/tmp/vmbench-forgot-XXXXXX";
	cr_assert_not_null(mkdtemp(forgot));
	runstate_note("forgot", UNDO_RMTREE, (const char *const[]){ forgot, NULL });
	runstate_forget("forgot");
	cr_assert_gt(runstate_clean(dir, said, sizeof(said)), 0);
	struct stat st;
	cr_assert_neq(stat(tmp, &st), 0, "a noted directory stayed");
	cr_assert_not_null(strstr(said, tmp), "%s", said);
	cr_assert_eq(stat(other, &st), 0, "a foreign directory was removed");
	cr_assert_eq(stat(forgot, &st), 0, "a forgotten note was undone");
	cr_assert_neq(stat(dir, &st), 0, "the run's directory stayed");
	rmdir(other);
	rmdir(forgot);
}

/* A container's delete runs before the directories it may use are removed, whatever
 * order the notes were written in. */
Test(runstate, notes_are_undone_in_a_fixed_order)
{
	char err[256], said[1024] = "", dir[256], tmp[128], out[128], script[512];

	cr_assert_eq(runstate_open(err, sizeof(err)), 0, "%s", err);
	snprintf(dir, sizeof(dir), "%s", runstate_dir());
	snprintf(tmp, sizeof(tmp), "/tmp/vmbench-order-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(out, sizeof(out), "%s/saw", base);
	snprintf(script, sizeof(script), "test -d %s && echo there > %s", tmp, out);
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "dir%d", i);
		if (i == 2)
			runstate_note("delete", UNDO_RUN,
				      (const char *const[]){ "/bin/sh", "-c", script, NULL });
		else
			runstate_note(name, UNDO_RMTREE, (const char *const[]){ tmp, NULL });
	}
	cr_assert_gt(runstate_clean(dir, said, sizeof(said)), 0);
	struct stat st;
	cr_assert_eq(stat(out, &st), 0, "the directory was removed before the delete ran: %s",
		     said);
	cr_assert_neq(stat(tmp, &st), 0, "%s", said);
	unlink(out);
}

static int stale_seen;

static void count(const char *dir, int pid, void *arg)
{
	(void)dir;
	(void)arg;
	stale_seen = pid;
}

Test(runstate, only_dead_runs_are_stale)
{
	char err[256], dead[128];

	cr_assert_eq(runstate_open(err, sizeof(err)), 0, "%s", err);
	cr_assert(runstate_alive(strrchr(runstate_dir(), '/') + 1), "we are alive");
	cr_assert(runstate_alive("not-a-run"), "what is not a run's is never touched");
	/* A child that has ended and been reaped: a run of its pid is gone. */
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	char name[64];
	snprintf(name, sizeof(name), "%d.1", (int)pid);
	cr_assert(!runstate_alive(name));
	snprintf(dead, sizeof(dead), "%s/%s", base, name);
	cr_assert_eq(mkdir(dead, 0700), 0);
	stale_seen = 0;
	cr_assert_eq(runstate_each_stale(base, count, NULL), 1);
	cr_assert_eq(stale_seen, pid);
	rmdir(dead);
}

/* Removal never follows a link out of the tree, at any depth, and removes the rest. */
Test(runstate, removal_follows_no_link)
{
	char outside[] = "/tmp/vmbench-outside-XXXXXX", tree[128], path[256];

	cr_assert_not_null(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/precious", outside);
	cr_assert_eq(util_write_atomic(path, "x", 1), 0);
	snprintf(tree, sizeof(tree), "%s/tree", base);
	cr_assert_eq(mkdir(tree, 0700), 0);
	snprintf(path, sizeof(path), "%s/a", tree);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", tree);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b/file", tree);
	cr_assert_eq(util_write_atomic(path, "y", 1), 0);
	snprintf(path, sizeof(path), "%s/a/link", tree);
	cr_assert_eq(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/a/b/filelink", tree);
	char precious[256];
	snprintf(precious, sizeof(precious), "%s/precious", outside);
	cr_assert_eq(symlink(precious, path), 0);
	sys_rmtree(tree);
	struct stat st;
	cr_assert_neq(lstat(tree, &st), 0, "the tree is still there");
	cr_assert_eq(stat(precious, &st), 0, "removal followed a link out of the tree");
	sys_rmtree(outside);
	cr_assert_neq(lstat(outside, &st), 0);
}
