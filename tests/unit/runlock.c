/* The host's measuring lock: a second taker learns the holder from the kernel, and the lock
 * file is never reached through a link. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "common/sysutil.h"
#include "host/runlock.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vmbench-lock-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/measure.lock", dir);
	setenv("VMBENCH_LOCK", path, 1);
}

static void teardown(void)
{
	runlock_release();
	sys_rmtree(dir);
}

TestSuite(runlock, .init = setup, .fini = teardown);

Test(runlock, a_second_taker_is_told_the_holder)
{
	char holder[800];
	double waited;
	int ready[2], status;

	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* not kept holding it by a failed test */
		int ret = runlock_take(false, holder, sizeof(holder), &waited);
		(void)!write(ready[1], &ret, sizeof(ret));
		pause();
		_exit(0);
	}
	int child_ret = -1;
	cr_assert_eq(read(ready[0], &child_ret, sizeof(child_ret)), (ssize_t)sizeof(child_ret));
	cr_assert_eq(child_ret, 0);
	cr_assert_eq(runlock_take(false, holder, sizeof(holder), &waited), -EBUSY);
	char want[32];
	snprintf(want, sizeof(want), "pid %d: ", (int)pid);
	cr_assert_not_null(strstr(holder, want), "%s", holder);
	cr_assert_eq(runlock_fd(), -1);
	/* The kernel drops the lock with its holder. */
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(runlock_take(false, holder, sizeof(holder), &waited), 0, "%s", holder);
	cr_assert_geq(runlock_fd(), 0);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644, "others must be able to open it: %o", st.st_mode);
	close(ready[0]);
	close(ready[1]);
}

Test(runlock, a_link_in_its_place_is_refused)
{
	char holder[800], target[160];
	double waited;

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	cr_assert_eq(symlink(target, path), 0);
	cr_assert_eq(runlock_take(true, holder, sizeof(holder), &waited), -ELOOP);
	cr_assert_not_null(strstr(holder, "cannot open"), "%s", holder);
	struct stat st;
	cr_assert_neq(lstat(target, &st), 0, "the link was followed");
}

/* A FIFO in its place (anyone may make one in /run/lock) is refused at once: an open of it
 * for reading would wait for a writer forever. */
Test(runlock, a_fifo_in_its_place_is_refused, .timeout = 10)
{
	char holder[800];
	double waited;

	cr_assert_eq(mkfifo(path, 0666), 0);
	cr_assert_eq(runlock_take(true, holder, sizeof(holder), &waited), -EINVAL);
	cr_assert_not_null(strstr(holder, "not a regular file"), "%s", holder);
}
