/*
 * The agent's side of the protocol, driven over pipes line by line: the counting sample
 * that follows a measured phase (count=1), declined with SKIP or measured with GO; PING; MEM;
 * mem.dirty, which runs until the host says STOP.
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

/* The agent's next line, LOG lines included. */
static const char *agent_raw_line(struct agent *a)
{
	cr_assert_not_null(fgets(a->line, sizeof(a->line), a->from), "the agent closed its output");
	a->line[strcspn(a->line, "\r\n")] = '\0';
	return a->line;
}

/* PING is answered wherever the agent waits for a command, and only there. */
Test(agent, ping_is_answered_between_runs, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	json_decref(agent_phase(&a, RUN));
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	agent_say(&a, "PING");
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	/* STOP with no workload running is an unknown command; PING with fields is none. */
	agent_say(&a, "STOP");
	cr_assert_str_eq(agent_raw_line(&a), "LOG ignored unknown host command STOP");
	agent_say(&a, "PING now");
	cr_assert_eq(strncmp(agent_raw_line(&a), "LOG ignored ", 12), 0, "%s", a.line);
	/* In place of GO it is a wrong line, as anything else there. */
	agent_say(&a, RUN);
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "PING");
	agent_expect(&a, "ERR cpu.int failed expected GO");
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	agent_quit(&a);
}

/* MEM says what memory the agent sees: its kernel's MemTotal (here the host's, as
 * /proc/meminfo says it) and its cgroup's limit, where it waits for a command. */
Test(agent, mem_says_what_memory_the_guest_sees, .timeout = 60)
{
	struct agent a;
	unsigned long long total = 0, kib = 0, limit = 0;
	char lim[32] = "", line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f) && sscanf(line, "MemTotal: %llu kB", &kib) != 1)
		;
	if (f)
		fclose(f);
	cr_assert_gt(kib, 0);
	agent_hello(&a);
	agent_say(&a, "MEM");
	cr_assert_eq(sscanf(agent_raw_line(&a), "MEM total=%llu limit=%31s", &total, lim), 2, "%s",
		     a.line);
	cr_assert_eq(total, kib * 1024);
	cr_assert(!strcmp(lim, "none") || (sscanf(lim, "%llu", &limit) == 1 && limit > 0), "%s",
		  lim);
	/* With fields it is no MEM; in place of GO it is a wrong line. */
	agent_say(&a, "MEM now");
	cr_assert_eq(strncmp(agent_raw_line(&a), "LOG ignored ", 12), 0, "%s", a.line);
	agent_say(&a, RUN);
	agent_expect(&a, "READY cpu.int ");
	agent_say(&a, "MEM");
	agent_expect(&a, "ERR cpu.int failed expected GO");
	agent_quit(&a);
}

#define DIRTY_MIB 8
#define DIRTY	  "RUN mem.dirty reps=1 warmup=0 min_sample_ns=1000000 bytes=8388608"

/* mem.dirty at rate (bytes/s) for about ms, then STOP: its data. */
static json_t *dirty_run(struct agent *a, unsigned long long rate, int ms)
{
	char run[256];

	snprintf(run, sizeof(run), DIRTY " rate=%llu", rate);
	agent_say(a, run);
	/* It lasts until STOP: no length to announce. */
	agent_expect(a, "READY mem.dirty iters=1 sample_ns=0");
	agent_say(a, "GO");
	/* Silent while it runs. */
	expect_silence(a, ms);
	agent_say(a, "STOP");
	agent_expect(a, "DONE mem.dirty");
	agent_say(a, "ACK");
	return agent_data(a);
}

static long long extra_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(json_object_get(obj, "extra"), key);

	cr_assert(json_is_integer(v), "extra.%s missing or not an integer", key);
	return json_integer_value(v);
}

static double extra_num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(json_object_get(obj, "extra"), key);

	cr_assert(json_is_number(v), "extra.%s missing or not a number", key);
	return json_number_value(v);
}

/* Only signs and zeros: the machine that runs the tests is busy with other things. */
Test(agent, dirty_runs_until_stop, .timeout = 60)
{
	const unsigned long long rate = 64ull << 20;
	struct agent a;

	agent_hello(&a);
	json_t *d = dirty_run(&a, rate, 200);
	json_t *samples = json_object_get(d, "samples");
	cr_assert_str_eq(json_string_value(json_object_get(d, "unit")), "ms");
	cr_assert_eq(json_array_size(samples), 1);
	cr_assert_gt(json_number_value(json_array_get(samples, 0)), 0, "the longest gap");
	cr_assert_eq(json_array_size(json_object_get(d, "sample_ns")), 0, "self-measuring");
	cr_assert_gt(json_number_value(json_object_get(d, "ops")), 0);
	cr_assert_eq(extra_int(d, "rate_asked"), (long long)rate);
	cr_assert_gt(extra_int(d, "pages_written"), 0);
	cr_assert_gt(extra_num(d, "rate_done"), 0);
	cr_assert_gt(extra_int(d, "iterations"), 0);
	cr_assert_eq(extra_int(d, "working_set_bytes"), DIRTY_MIB << 20);
	cr_assert_gt(extra_num(d, "run_s"), 0);
	cr_assert_gt(extra_num(d, "longest_gap_ms"), 0);
	cr_assert_geq(extra_num(d, "longest_gap_at_s"), 0);
	cr_assert_geq(extra_int(d, "gaps_over_1ms"), extra_int(d, "gaps_over_10ms"));
	cr_assert_geq(extra_int(d, "gaps_over_10ms"), 0);
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(d, "extra"), "stopped_by")),
		"host");
	json_decref(d);
	/* Rate 0: the clock alone, no page written. */
	d = dirty_run(&a, 0, 100);
	cr_assert_eq(extra_int(d, "rate_asked"), 0);
	cr_assert_eq(extra_int(d, "pages_written"), 0);
	cr_assert_gt(extra_int(d, "iterations"), 0);
	cr_assert_gt(json_number_value(json_array_get(json_object_get(d, "samples"), 0)), 0);
	json_decref(d);
	agent_quit(&a);
}

/* A STOP that came in the same read as GO is seen (the agent's buffer, not the pipe). */
Test(agent, dirty_stop_sent_with_go, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_say(&a, DIRTY " rate=1000000");
	agent_expect(&a, "READY mem.dirty ");
	cr_assert_eq(write(fileno(a.to), "GO\nSTOP\n", 8), 8);
	agent_expect(&a, "DONE mem.dirty");
	agent_say(&a, "ACK");
	json_t *d = agent_data(&a);
	cr_assert_eq(json_array_size(json_object_get(d, "samples")), 1);
	json_decref(d);
	agent_quit(&a);
}

/* Anything but STOP while it runs ends the run with the agent's ERR; it serves on. */
Test(agent, dirty_wants_stop, .timeout = 60)
{
	struct agent a;

	agent_hello(&a);
	agent_say(&a, DIRTY " rate=1000000");
	agent_expect(&a, "READY mem.dirty ");
	agent_say(&a, "GO");
	expect_silence(&a, 50);
	agent_say(&a, "ACK");
	agent_expect(&a, "ERR mem.dirty failed expected STOP");
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	json_decref(dirty_run(&a, 0, 20));
	agent_quit(&a);
}

/* The host's stream closing while it runs ends the run and the agent: no hang. */
Test(agent, dirty_ends_with_the_hosts_stream, .timeout = 30)
{
	struct agent a;
	int st;

	agent_hello(&a);
	agent_say(&a, DIRTY " rate=1000000");
	agent_expect(&a, "READY mem.dirty ");
	agent_say(&a, "GO");
	expect_silence(&a, 100);
	fclose(a.to);
	/* Its last word, as at any end of input within a RUN; then nothing. */
	agent_expect(&a, "BYE");
	cr_assert_null(fgets(a.line, sizeof(a.line), a.from), "after BYE: '%s'", a.line);
	fclose(a.from);
	cr_assert_eq(waitpid(a.pid, &st, 0), a.pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent status %d", st);
}

/* Bad requests get the agent's ERR, with the reason; it serves on. */
Test(agent, dirty_bad_requests_are_refused, .timeout = 60)
{
	static const char *const bad_rate[] = { "abc", "-1", "", "1.5", "0x10", "1099511627777" };
	struct agent a;
	char run[256];

	agent_hello(&a);
	for (size_t i = 0; i < sizeof(bad_rate) / sizeof(bad_rate[0]); i++) {
		snprintf(run, sizeof(run), DIRTY " rate=%s", bad_rate[i]);
		agent_say(&a, run);
		agent_expect(&a, "ERR mem.dirty failed bad request");
	}
	agent_say(&a, "RUN mem.dirty reps=2 warmup=0 min_sample_ns=1000000 bytes=8388608");
	agent_expect(&a, "ERR mem.dirty failed ");
	cr_assert_not_null(strstr(a.line, "reps must be 1"), "%s", a.line);
	agent_say(&a, "RUN mem.dirty reps=1 warmup=0 min_sample_ns=1000000 rate=1000");
	agent_expect(&a, "ERR mem.dirty failed ");
	cr_assert_not_null(strstr(a.line, "bytes="), "%s", a.line);
	/* A working set no guest has. */
	agent_say(&a, "RUN mem.dirty reps=1 warmup=0 min_sample_ns=1000000 bytes=1099511627776");
	agent_expect(&a, "ERR mem.dirty failed ");
	agent_say(&a, "PING");
	cr_assert_str_eq(agent_raw_line(&a), "PONG");
	json_decref(dirty_run(&a, 1 << 20, 20));
	agent_quit(&a);
}
