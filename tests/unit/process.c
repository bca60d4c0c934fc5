/* Unit tests of host/process.h's captures: a command's output and status, its time limit,
 * and the user's Ctrl-C, which stops a stoppable capture and no other. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "host/process.h"
#include "host/util.h"

Test(process, capture_gives_output_and_status)
{
	char out[64];
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };

	cr_assert_eq(proc_capture(argv, out, sizeof(out), 10000), 3);
	cr_assert_str_eq(out, "out\nerr\n");
	cr_assert_eq(proc_capture_stoppable(argv, out, sizeof(out), 10000), 3);
	cr_assert_str_eq(out, "out\nerr\n");
}

Test(process, capture_ends_a_command_past_its_limit, .timeout = 30)
{
	char out[64];
	char *argv[] = { "sleep", "20", NULL };
	double t0 = util_now_s();

	cr_assert_eq(proc_capture_stoppable(argv, out, sizeof(out), 300), -ETIMEDOUT);
	cr_assert_lt(util_now_s() - t0, 10);
}

static void *interrupt_soon(void *arg)
{
	(void)arg;
	util_sleep_s(0.2);
	kill(getpid(), SIGINT);
	return NULL;
}

/* A Ctrl-C stops a stoppable capture at once; the clean-up commands run on after it. */
Test(process, ctrl_c_stops_only_a_stoppable_capture, .timeout = 30)
{
	char out[64];
	char *slow[] = { "sleep", "20", NULL };
	char *quick[] = { "echo", "cleaned", NULL };
	pthread_t t;

	cr_assert_eq(proc_signals_init(), 0);
	cr_assert_eq(pthread_create(&t, NULL, interrupt_soon, NULL), 0);
	double t0 = util_now_s();
	cr_assert_eq(proc_capture_stoppable(slow, out, sizeof(out), 20000), -EINTR);
	cr_assert_lt(util_now_s() - t0, 10);
	pthread_join(t, NULL);
	cr_assert(proc_interrupted());
	cr_assert_eq(proc_capture(quick, out, sizeof(out), 10000), 0);
	cr_assert_str_eq(out, "cleaned\n");
	cr_assert_eq(proc_capture_stoppable(quick, out, sizeof(out), 10000), -EINTR);
}
