/*
 * The agent's side of the protocol, driven over pipes line by line: the counting sample
 * that follows a measured phase (count=1), declined with SKIP or measured with GO.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct agent {
	pid_t pid;
	FILE *to, *from;
	char line[8192];
};

static void agent_start(struct agent *a)
{
	int in[2], out[2];

	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(out), 0);
	a->pid = fork();
	cr_assert_geq(a->pid, 0);
	if (a->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(VMBENCH_AGENT_BIN, "vmbench-agent", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	a->to = fdopen(in[1], "w");
	a->from = fdopen(out[0], "r");
	cr_assert(a->to && a->from);
	setvbuf(a->to, NULL, _IOLBF, 0);
	/* Unbuffered: what the agent wrote and we did not read yet stays in the pipe, where
	 * expect_silence sees it. */
	setvbuf(a->from, NULL, _IONBF, 0);
}

/* The agent's next line that is not a LOG, without its newline. */
static const char *agent_line(struct agent *a)
{
	do {
		cr_assert_not_null(fgets(a->line, sizeof(a->line), a->from),
				   "the agent closed its output");
		a->line[strcspn(a->line, "\r\n")] = '\0';
	} while (strncmp(a->line, "LOG ", 4) == 0);
	return a->line;
}

static void agent_expect(struct agent *a, const char *prefix)
{
	const char *l = agent_line(a);

	cr_assert_eq(strncmp(l, prefix, strlen(prefix)), 0, "expected '%s...', got '%s'", prefix,
		     l);
}

static void agent_say(struct agent *a, const char *line)
{
	cr_assert_geq(fprintf(a->to, "%s\n", line), 0);
}

/* DATA lines up to END, as one JSON object. */
static json_t *agent_data(struct agent *a)
{
	static char text[1 << 20];
	size_t n = 0;

	for (;;) {
		const char *l = agent_line(a);
		if (strncmp(l, "END ", 4) == 0)
			break;
		cr_assert_eq(strncmp(l, "DATA ", 5), 0, "expected DATA or END, got '%s'", l);
		size_t k = strlen(l + 5);
		cr_assert_lt(n + k, sizeof(text));
		memcpy(text + n, l + 5, k);
		n += k;
	}
	text[n] = '\0';
	json_error_t e;
	json_t *obj = json_loads(text, 0, &e);
	cr_assert_not_null(obj, "DATA is no JSON: %s", e.text);
	return obj;
}

static void agent_quit(struct agent *a)
{
	int st;

	agent_say(a, "QUIT");
	agent_expect(a, "BYE");
	fclose(a->to);
	fclose(a->from);
	cr_assert_eq(waitpid(a->pid, &st, 0), a->pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent status %d", st);
}

static void agent_hello(struct agent *a)
{
	agent_start(a);
	agent_expect(a, "HELLO vmbench-agent ");
	cr_assert_null(strstr(a->line, "timer_res_ns"), "HELLO waits for no clock check");
	agent_expect(a, "CLOCK timer_res_ns=");
}

/* Nothing arrives from the agent within ms: after DONE it waits for the host's ACK. */
static void expect_silence(struct agent *a, int ms)
{
	struct pollfd p = { .fd = fileno(a->from), .events = POLLIN };

	cr_assert_eq(poll(&p, 1, ms), 0, "the agent wrote before ACK");
}

#define RUN "RUN cpu.int reps=3 warmup=1 min_sample_ns=1000000"

/* Sends run (when not NULL), answers the READY it expects with GO and waits for DONE. */
static void agent_until_done(struct agent *a, const char *run)
{
	if (run)
		agent_say(a, run);
	agent_expect(a, "READY cpu.int iters=");
	agent_say(a, "GO");
	agent_expect(a, "DONE cpu.int");
}

/* The same, then ACK, and returns the data of the phase. */
static json_t *agent_phase(struct agent *a, const char *run)
{
	agent_until_done(a, run);
	agent_say(a, "ACK");
	return agent_data(a);
}

Test(agent, counting_sample_has_the_timed_iterations_and_one_sample, .timeout = 60)
{
	struct agent a;
	char ready[sizeof(a.line)];

	agent_hello(&a);
	agent_say(&a, RUN " count=1");
	agent_expect(&a, "READY cpu.int iters=");
	snprintf(ready, sizeof(ready), "%s", a.line);
	agent_say(&a, "GO");
	agent_expect(&a, "DONE cpu.int");
	expect_silence(&a, 300);
	agent_say(&a, "ACK");
	json_t *timed = agent_data(&a);
	cr_assert_eq(json_array_size(json_object_get(timed, "samples")), 3);
	/* The counting sample: announced with the same calibration, measured on GO. */
	agent_expect(&a, "READY cpu.int iters=");
	cr_assert_str_eq(a.line, ready, "the counting sample calibrated again");
	agent_say(&a, "GO");
	agent_expect(&a, "DONE cpu.int");
	agent_say(&a, "ACK");
	json_t *counted = agent_data(&a);
	cr_assert_eq(json_array_size(json_object_get(counted, "samples")), 1);
	cr_assert_eq(json_integer_value(json_object_get(counted, "iters")),
		     json_integer_value(json_object_get(timed, "iters")));
	cr_assert_gt(json_number_value(json_object_get(counted, "ops")), 0);
	json_decref(timed);
	json_decref(counted);
	agent_quit(&a);
}

Test(agent, skip_ends_the_run, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	json_decref(agent_phase(&a, RUN " count=1"));
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "SKIP");
	/* Back at the command loop: a RUN without count has one phase only. */
	json_decref(agent_phase(&a, RUN));
	agent_say(&a, RUN);
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "QUIT");
	agent_expect(&a, "BYE");
	fclose(a.to);
	fclose(a.from);
	waitpid(a.pid, NULL, 0);
}

Test(agent, bad_count_requests_are_refused, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_say(&a, RUN " count=2");
	agent_expect(&a, "ERR cpu.int failed bad request");
	/* SKIP is an answer to the counting sample only. */
	agent_say(&a, RUN);
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "SKIP");
	agent_expect(&a, "ERR cpu.int failed expected GO");
	json_decref(agent_phase(&a, RUN " count=1"));
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "STOP");
	agent_expect(&a, "ERR cpu.int failed expected GO or SKIP");
	agent_quit(&a);
}

/* Anything but ACK after DONE ends that RUN with the agent's own ERR; the agent serves on. */
Test(agent, done_wants_an_ack, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_until_done(&a, RUN);
	agent_say(&a, "GO");
	agent_expect(&a, "ERR cpu.int failed expected ACK");
	json_decref(agent_phase(&a, RUN));
	agent_quit(&a);
}

/* QUIT while the agent waits for ACK: it says BYE and exits 0, sending no data. */
Test(agent, quit_instead_of_ack, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_until_done(&a, RUN);
	agent_quit(&a);
}
