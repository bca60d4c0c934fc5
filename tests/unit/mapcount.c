/* Unit tests of backends/mapcount.h on stand-in files for the sysctl and the state: the
 * first user raises and the last restores, users that died are dropped, live ones keep
 * the value raised, and a value someone else changed is left alone. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "backends/mapcount.h"

static char dir[] = "/tmp/vmbench-unit-mapcount-XXXXXX";
static char sysctl[128], state[128];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sysctl, sizeof(sysctl), "%s/max_map_count", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
}

static void teardown(void)
{
	unlink(sysctl);
	unlink(state);
	rmdir(dir);
}

TestSuite(mapcount, .init = setup, .fini = teardown);

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static long value(void)
{
	FILE *f = fopen(sysctl, "r");
	long v = -1;
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%ld", &v), 1);
	fclose(f);
	return v;
}

static const char *action(json_t *facts)
{
	return json_string_value(json_object_get(facts, "action"));
}

Test(mapcount, first_raises_last_restores)
{
	put(sysctl, "65530\n");
	json_t *f = mapcount_acquire(sysctl, state, 262144);
	cr_assert_str_eq(action(f), "raised");
	cr_assert_eq(json_integer_value(json_object_get(f, "host")), 65530);
	cr_assert_eq(json_integer_value(json_object_get(f, "during_run")), 262144);
	cr_assert_eq(value(), 262144);
	json_decref(f);
	/* A second session of the same process. */
	f = mapcount_acquire(sysctl, state, 262144);
	cr_assert_str_eq(action(f), "raised");
	cr_assert_eq(json_integer_value(json_object_get(f, "host")), 65530);
	json_decref(f);
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 65530);
	cr_assert_neq(access(state, F_OK), 0, "the last user removes the state");
}

Test(mapcount, not_needed_changes_nothing)
{
	put(sysctl, "1048576\n");
	json_t *f = mapcount_acquire(sysctl, state, 262144);
	cr_assert_str_eq(action(f), "not needed");
	cr_assert_eq(json_integer_value(json_object_get(f, "host")), 1048576);
	json_decref(f);
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 1048576);
	cr_assert_neq(access(state, F_OK), 0);
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* A run that died left the value raised and its pid in the state: the next user knows the
 * host's value and restores it. */
Test(mapcount, a_dead_user_is_dropped_and_the_value_restored)
{
	char text[64];
	snprintf(text, sizeof(text), "65530 262144\n%d\n", (int)dead_pid());
	put(state, text);
	put(sysctl, "262144\n");
	json_t *f = mapcount_acquire(sysctl, state, 262144);
	cr_assert_eq(json_integer_value(json_object_get(f, "host")), 65530);
	json_decref(f);
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 65530);
}

/* Another vmbench still runs a guest: leaving does not lower the limit under it. */
Test(mapcount, a_live_user_keeps_it_raised)
{
	pid_t other = fork();
	cr_assert_geq(other, 0);
	if (other == 0) {
		pause();
		_exit(0);
	}
	char text[64];
	snprintf(text, sizeof(text), "65530 262144\n%d\n", (int)other);
	put(state, text);
	put(sysctl, "262144\n");
	json_decref(mapcount_acquire(sysctl, state, 262144));
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 262144);
	cr_assert_eq(access(state, F_OK), 0, "the other user is still recorded");
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	/* Its end found by the next user, who restores on leaving. */
	json_decref(mapcount_acquire(sysctl, state, 262144));
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 65530);
}

/* An administrator changed it while guests ran: theirs stays. */
Test(mapcount, a_value_changed_meanwhile_is_left_alone)
{
	put(sysctl, "65530\n");
	json_decref(mapcount_acquire(sysctl, state, 262144));
	put(sysctl, "500000\n");
	mapcount_release(sysctl, state);
	cr_assert_eq(value(), 500000);
}

/* Without the right to keep state (not root), it says what to do instead. */
Test(mapcount, cannot_register_says_how_to_fix)
{
	put(sysctl, "65530\n");
	json_t *f = mapcount_acquire(sysctl, "/nonexistent/dir/state", 262144);
	cr_assert_not_null(strstr(action(f), "sysctl vm.max_map_count=262144"), "%s", action(f));
	cr_assert_eq(value(), 65530);
	json_decref(f);
}
