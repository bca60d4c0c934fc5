/* Integration tests of the harness alone: the null backend, and hostile guests that break
 * the protocol, side by side with it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "stderr_capture.h"

#include "host/process.h"
#include "host/util.h"
#include "harness/guestlog.h"
#include "harness/registry.h"
#include "harness/provview.h"
#include "harness/run.h"

/* A guest that is a shell script pretending to be the agent. */
static void script_child(void *arg)
{
	execl("/bin/sh", "sh", "-c", (const char *)arg, (char *)NULL);
}

#define HELLO                                                              \
	"echo 'HELLO vmbench-agent 9 proto=5 kernel=k arch=x tmp=tmpfs'; " \
	"echo 'CLOCK timer_res_ns=1 clock_read_ns=1 loop_ns=0.5';"

/* The babbler's LOG text and its lines a session: some 10 MB. */
#define BABBLE                                                                          \
	"babble babble babble babble babble babble babble babble babble babble babble " \
	"babble babble babble"
#define BABBLE_LINES	 100000
#define STRINGIFY(x)	 #x
#define STRINGIFY_VAL(x) STRINGIFY(x)
/* The real agent, but the LOG lines go before the first READY of each session: a flood
 * inside a cell, which then runs as usual. */
#define BABBLER_SCRIPT                                                               \
	"'" VMBENCH_AGENT_BIN "' | { f=; while IFS= read -r l; do "                  \
	"case \"$l\" in READY*) if [ -z \"$f\" ]; then f=1; yes 'LOG " BABBLE "' | " \
	"head -n " STRINGIFY_VAL(BABBLE_LINES) "; fi;; esac; printf '%s\\n' \"$l\"; done; }"

static const char *script_for(const char *name)
{
	if (strcmp(name, "mute") == 0) /* says nothing, stays */
		return "sleep 30";
	if (strcmp(name, "quitter") == 0) /* goes away before HELLO */
		return "echo booting; exit 0";
	if (strcmp(name, "garbler") == 0) /* a malformed READY */
		return HELLO "read cmd; echo 'READY Bad!Name iters=1 sample_ns=1'; sleep 30";
	if (strcmp(name, "flooder") == 0) /* a line of 6000 bytes */
		return HELLO "read cmd; head -c 6000 /dev/zero | tr '\\0' A; echo; sleep 30";
	if (strcmp(name, "liar") == 0) /* result data in the wrong unit */
		return HELLO "while read cmd; do "
			     "case \"$cmd\" in RUN*) echo 'READY null iters=10 sample_ns=1000';; "
			     "GO) d='{\"workload\":\"null\",\"unit\":\"GB/s\",\"iters\":10,"
			     "\"warmup\":0,\"ops\":60,\"samples\":[1,1,1,1,1,1],\"sample_ns\":[1,1,"
			     "1,1,1,1],\"sample_iters\":[10,10,10,10,10,10],"
			     "\"loop_ns\":0}'; echo DONE null;; ACK) echo \"DATA $d\"; "
			     "echo \"END bytes=${#d}\";; QUIT) echo BYE; exit 0;; esac; done";
	if (strcmp(name, "hurrier") ==
	    0) /* says DONE at once, with 2 samples (a round's) of 5 s each */
		return HELLO "while read cmd; do "
			     "case \"$cmd\" in RUN*) echo 'READY null iters=10 sample_ns=1000';; "
			     "GO) d='{\"workload\":\"null\",\"unit\":\"ns/op\",\"iters\":10,"
			     "\"warmup\":1,\"ops\":20,\"samples\":[1,1],\"sample_ns\":[5e9,5e9],"
			     "\"sample_iters\":[10,10],"
			     "\"loop_ns\":0}'; echo DONE null;; ACK) echo \"DATA $d\"; "
			     "echo \"END bytes=${#d}\";; QUIT) echo BYE; exit 0;; esac; done";
	if (strcmp(name, "sleeper") == 0) /* goes quiet after HELLO */
		return HELLO "read cmd; sleep 300";
	if (strcmp(name, "boaster") == 0) /* announces samples of 11 days */
		return HELLO "read cmd; echo 'READY null iters=1 sample_ns=999999999999999'; "
			     "sleep 300";
	if (strcmp(name, "staller") == 0) /* goes quiet in the timed phase */
		return HELLO "read cmd; echo 'READY null iters=10 sample_ns=1000'; sleep 300";
	if (strcmp(name, "babbler") == 0)
		return BABBLER_SCRIPT;
	return "exit 1";
}

static int script_start(struct guest *g)
{
	return proc_spawn_piped(script_child, (void *)script_for(g->ops->name), &g->pid,
				&g->to_guest, &g->from_guest);
}

static int always(const struct backend_cfg *cfg, char *reason, size_t len)
{
	return 0;
}

static int never(const struct backend_cfg *cfg, char *reason, size_t len)
{
	snprintf(reason, len, "this host has no flux capacitor");
	return -ENODEV;
}

#define SCRIPT_BACKEND(sym, nm)                    \
	static const struct backend_ops sym = {    \
		.abi = BACKEND_ABI,                \
		.name = nm,                        \
		.mode = "test",                    \
		.summary = "hostile test guest",   \
		.flags = BK_TEST | BK_HOST_KERNEL, \
		.hello_timeout_s = 1,              \
		.available = always,               \
		.start = script_start,             \
		.stop = backend_child_stop,        \
	}
SCRIPT_BACKEND(mute, "mute");
SCRIPT_BACKEND(quitter, "quitter");
SCRIPT_BACKEND(garbler, "garbler");
SCRIPT_BACKEND(flooder, "flooder");
SCRIPT_BACKEND(liar, "liar");
SCRIPT_BACKEND(hurrier, "hurrier");
SCRIPT_BACKEND(sleeper, "sleeper");
SCRIPT_BACKEND(boaster, "boaster");
SCRIPT_BACKEND(staller, "staller");
/* As the null backend: the real agent takes longer than a script to say HELLO. */
static const struct backend_ops babbler = {
	.abi = BACKEND_ABI,
	.name = "babbler",
	.mode = "test",
	.summary = "an agent whose LOG lines flood",
	.flags = BK_TEST | BK_HOST_KERNEL,
	.hello_timeout_s = 30,
	.available = always,
	.start = script_start,
	.stop = backend_child_stop,
};
static const struct backend_ops absent = {
	.abi = BACKEND_ABI,
	.name = "absent",
	.mode = "test",
	.summary = "never available",
	.flags = BK_HOST_KERNEL,
	.hello_timeout_s = 1,
	.available = never,
	.start = script_start,
	.stop = backend_child_stop,
};

static char dir[] = "/tmp/vmbench-test-XXXXXX";
static char path[sizeof(dir) + 32];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	cr_assert_eq(proc_signals_init(), 0);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static const struct cell *find(const struct results *r, const char *b, const char *w)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cells[i].backend, b) && !strcmp(r->cells[i].workload, w))
			return &r->cells[i];
	cr_assert_fail("no cell %s/%s", b, w);
	return NULL;
}

static int run_plan_quiet(const struct backend_ops **backends, size_t nb, unsigned quiet_s,
			  struct results *res)
{
	const struct workload_ops *wls[] = { workload_find("null"), workload_find("cpu.int") };
	struct plan p = {
		.backends = backends,
		.nbackends = nb,
		.workloads = wls,
		.nworkloads = 2,
		.profile = { "test", "tests", 6, 1, 1000000, .rounds = 3, .stop_rule = "fixed",
			     .quiet_s = quiet_s },
	};
	char *argv[] = { "test", NULL };
	struct run_cfg cfg = {
		.plan = &p,
		.backend = { .agent_path = VMBENCH_AGENT_BIN,
			     .cpu = -1,
			     .vcpus = 1,
			     .mem_mib = 64 },
		.out_path = path,
		.argc = 1,
		.argv = argv,
	};
	return run_execute(&cfg, res);
}

static int run_plan(const struct backend_ops **backends, size_t nb, struct results *res)
{
	return run_plan_quiet(backends, nb, 0, res);
}

/* Deadlines are the host's: a guest that goes quiet fails its cell within the profile's
 * quiet limit, and one that announces endless samples fails at once, whatever it says. */
Test(null, quiet_guests_fail_within_the_profile_limit)
{
	const struct backend_ops *b[] = { &sleeper, &boaster, &staller };
	struct results res;
	double t0 = util_now_s();

	cr_assert_eq(run_plan_quiet(b, ARRAY_SIZE(b), 2, &res), 1);
	double took = util_now_s() - t0;
	const struct cell *c = find(&res, "sleeper", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "READY"), "%s", c->reason);
	c = find(&res, "boaster", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "the profile allows"), "%s", c->reason);
	c = find(&res, "staller", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "DONE"), "%s", c->reason);
	/* Two cells a backend, each at most the 2 s limit and its calibration allowance
	 * (1 ms samples: 1.4 s) plus a restart: nothing near the minutes a guest's numbers
	 * would have allowed. */
	cr_assert_lt(took, 60, "%.1f s", took);
	results_free(&res);
}

TestSuite(null, .init = setup, .fini = teardown, .timeout = 120);

Test(null, runs_real_workloads_and_writes_results)
{
	const struct backend_ops *b[] = { backend_find("null") };
	struct results res, back;
	char err[256];

	cr_assert_eq(run_plan(b, 1, &res), 0);
	cr_assert_eq(res.n, 2);
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s", c->workload,
			  c->reason ? c->reason : "");
		cr_assert_eq(c->n, 6);
		cr_assert(c->has_stats && c->stats.has_ci);
		cr_assert_gt(c->stats.median, 0);
		cr_assert_not_null(c->raw);
		cr_assert_eq(json_integer_value(json_object_get(c->raw, "warmup")), 1);
	}
	/* cpu.int does 64 dependent steps per op: far slower than an empty loop iteration. */
	cr_assert_gt(find(&res, "null", "cpu.int")->stats.median,
		     10 * find(&res, "null", "null")->stats.median);
	/* The probe saw the guest process. */
	cr_assert_not_null(counters_get(&find(&res, "null", "cpu.int")->counters, "page-faults"));
	cr_assert(res.complete);
	/* Everything the reports read is where their typed view looks for it. */
	const char *missing = prov_view_check(res.provenance, prov_fields, prov_field_count);
	cr_assert_null(missing, "provenance %s: missing or of another type", missing);
	json_t *block = json_object_get(json_object_get(res.provenance, "backends"), "null");
	missing = prov_view_check(block, prov_backend_fields, prov_backend_field_count);
	cr_assert_null(missing, "provenance backends.null.%s: missing or of another type", missing);
	struct prov_backend_view bv;
	prov_backend_view_read(block, &bv);
	cr_assert(bv.counting_pass && isfinite(bv.boot_s) && !strcmp(bv.status, "ok"));
	cr_assert_eq(results_load(path, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.n, 2);
	cr_assert(back.complete);
	results_free(&back);
	results_free(&res);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child process was left behind");
}

Test(null, hostile_guests_fail_alone)
{
	const struct backend_ops *b[] = { &mute, &quitter, &garbler, &flooder,
					  &liar, &hurrier, &absent,  backend_find("null") };
	struct results res;

	cr_assert_eq(run_plan(b, ARRAY_SIZE(b), &res), 1, "failed cells make the run return 1");
	cr_assert_eq(res.n, 2 * ARRAY_SIZE(b));

	const struct cell *c = find(&res, "mute", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "no HELLO"), "%s", c->reason);
	c = find(&res, "quitter", "cpu.int");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "closed its stream"), "%s", c->reason);
	c = find(&res, "garbler", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "READY"), "%s", c->reason);
	c = find(&res, "flooder", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "longer than"), "%s", c->reason);
	c = find(&res, "liar", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "unit"), "%s", c->reason);
	cr_assert_eq(c->n, 0, "no samples from a lying guest");
	c = find(&res, "hurrier", "null");
	cr_assert_eq(c->status, CELL_FAILED);
	cr_assert_not_null(strstr(c->reason, "passed on the host between GO and DONE"), "%s",
			   c->reason);
	cr_assert_eq(c->n, 0, "no samples from a guest whose sample times cannot be true");
	c = find(&res, "absent", "cpu.int");
	cr_assert_eq(c->status, CELL_SKIPPED);
	cr_assert_str_eq(c->reason, "this host has no flux capacitor");
	/* The good backend after all of them still has its results. */
	cr_assert_eq(find(&res, "null", "cpu.int")->n, 6);
	cr_assert_eq(find(&res, "null", "null")->n, 6);
	results_free(&res);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child process was left behind");
}

/* A guest that floods LOG lines (issue 21: 241 MB on vmbench's stderr in 20 s) shows a
 * cell's worth of them, and vmbench says how many it dropped; its cells still get their
 * samples. */
Test(null, log_flood_is_bounded_and_counted)
{
	const struct backend_ops *b[] = { &babbler };
	/* The shown lines of three sessions (one a round), each with vmbench's prefix, and
	 * room for the run's own messages. */
	const size_t bound = 3 * (GUESTLOG_CELL_BYTES + GUESTLOG_CELL_LINES * 64) + 8192;
	struct results res;
	char want[200];
	size_t len;
	int saved;

	int fd = stderr_to_file(&saved);
	int ret = run_plan(b, 1, &res);
	char *text = stderr_back(fd, saved, 4 * bound, &len);
	cr_assert_eq(ret, 0, "the run failed: %.2000s", text);
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s", c->workload,
			  c->reason ? c->reason : "");
		cr_assert_eq(c->n, 6, "%s: %zu samples", c->workload, c->n);
	}
	cr_assert_lt(len, bound, "%zu bytes on stderr, the bound is %zu", len, bound);
	/* One summary a session, in the cell whose READY the flood came before. */
	snprintf(want, sizeof(want), ": dropped %d guest lines (%d bytes) after the %d shown",
		 BABBLE_LINES - GUESTLOG_CELL_LINES,
		 (BABBLE_LINES - GUESTLOG_CELL_LINES) * (int)strlen(BABBLE), GUESTLOG_CELL_LINES);
	int summaries = 0, dropped = 0;
	for (const char *p = text; (p = strstr(p, want)); p++)
		summaries++;
	for (const char *p = text; (p = strstr(p, "dropped")); p++)
		dropped++;
	cr_assert_eq(summaries, 3, "%d summaries \"%s\" in: %.3000s", summaries, want, text);
	cr_assert_eq(dropped, 3, "other lines were dropped too: %.3000s", text);
	free(text);
	results_free(&res);
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child process was left behind");
}
