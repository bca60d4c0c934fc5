/* 'vmbench run': the options of a run, turned into a plan and a run_cfg for run_execute;
 * the host is prepared first (prepare.c) and the output written after (output.c). */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/wire.h"
#include "harness/cli.h"
#include "harness/image.h"
#include "harness/leftovers.h"
#include "harness/output.h"
#include "harness/prepare.h"
#include "harness/report.h"
#include "harness/run.h"
#include "harness/testdisk.h"
#include "host/hostinfo.h"
#include "host/perfev.h"
#include "host/process.h"
#include "host/runlock.h"
#include "host/util.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

struct run_opts {
	const char *backends, *workloads, *preset, *outdir, *agent, *disk, *kernel, *extra_work;
	unsigned profile;		  /* an index in profile_table */
	unsigned reps, sample_ms, rounds; /* 0: the profile's */
	unsigned disk_mib, cpu, seed;
	bool cpu_set, seed_set, force_kvm, no_probes, no_report, disk_writable, no_lock, no_wait;
	char **events;
};

static const char *profile_name(size_t i)
{
	return i < profile_count ? profile_table[i].name : NULL;
}

static int check_preset(const void *val, const char *arg, char *err, size_t len)
{
	if (preset_find(arg))
		return 0;
	size_t used = (size_t)snprintf(err, len, "unknown preset '%s' (known:", arg);
	for (size_t i = 0; i < preset_count && used < len; i++)
		used += (size_t)snprintf(err + used, len - used, " %s", preset_table[i].name);
	if (used < len)
		snprintf(err + used, len - used, ")");
	return -EINVAL;
}

static int check_outdir(const void *val, const char *arg, char *err, size_t len)
{
	if (*arg)
		return 0;
	snprintf(err, len, "empty output directory");
	return -EINVAL;
}

static int check_cpu(const void *val, const char *arg, char *err, size_t len)
{
	unsigned cpu = *(const unsigned *)val;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && !CPU_ISSET(cpu, &set)) {
		snprintf(err, len, "CPU %u is not available to vmbench", cpu);
		return -EINVAL;
	}
	return 0;
}

static int check_disk(const void *val, const char *arg, char *err, size_t len)
{
	/* It travels in the agent protocol: one field, printable, no spaces. */
	if (*arg && wire_printable(arg) && !strchr(arg, ' '))
		return 0;
	snprintf(err, len, "invalid --disk '%s': a path without spaces", arg);
	return -EINVAL;
}

static int check_events(const void *val, const char *arg, char *err, size_t len)
{
	char *const *events = *(char **const *)val;
	char why[256];

	for (size_t i = 0; events[i]; i++) {
		if (perfev_check_pfm(events[i], why, sizeof(why)) < 0) {
			snprintf(err, len, "--events: %s", why);
			return -EINVAL;
		}
	}
	return 0;
}

#define OFF(field) offsetof(struct run_opts, field)

static const struct cliopt run_opts[] = {
	{ "backends", 'b', CLIOPT_STR, OFF(backends), .metavar = "LIST",
	  .help = "comma-separated backends (default: every one not for tests)" },
	{ "workloads", 'w', CLIOPT_STR, OFF(workloads), .metavar = "LIST",
	  .help = "comma-separated workloads or patterns such as 'trap.*' (default: every one "
		  "not for tests)" },
	{ "preset", 0, CLIOPT_STR, OFF(preset), .metavar = "NAME",
	  .help = "a named selection of workloads instead of --workloads: traps (what one "
		  "trap costs, in every backend)",
	  .check = check_preset },
	{ "profile", 'p', CLIOPT_CHOICE, OFF(profile), .def = "quick", .metavar = "NAME",
	  .choice = profile_name },
	/* The largest --reps fits the protocol's 1 MiB of result data for every workload
	 * (mem.lat sends 17 points of samples). */
	{ "reps", 'r', CLIOPT_UINT, OFF(reps), 1, 1000, .metavar = "N",
	  .help = "measured samples per cell and boots for lifecycle.boot (overrides the "
		  "profile)" },
	{ "sample-ms", 0, CLIOPT_UINT, OFF(sample_ms), 1, 60000, .metavar = "MS",
	  .help = "each sample lasts at least MS ms (overrides the profile)" },
	{ "output", 'o', CLIOPT_STR, OFF(outdir), .metavar = "DIR",
	  .help = "write DIR/results.json (default: results/<UTC time>, linked from "
		  "results/latest)",
	  .check = check_outdir },
	{ "cpu", 'c', CLIOPT_UINT, OFF(cpu), 0, CPU_SETSIZE - 1, .metavar = "N",
	  .help = "measurement CPU (default: hwloc's last core)", .check = check_cpu,
	  .seen = CLIOPT_SEEN(struct run_opts, cpu_set) },
	{ "agent", 0, CLIOPT_STR, OFF(agent), .metavar = "PATH",
	  .help = "the vmbench-agent binary (default: next to vmbench)",
	  .check = prepare_check_agent },
	{ "disk", 0, CLIOPT_STR, OFF(disk), .metavar = "FILE",
	  .help = "test disk for io.* (default: testdisk-<MiB>M.raw in the cache directory)",
	  .check = check_disk },
	{ "disk-writable", 0, CLIOPT_FLAG, OFF(disk_writable),
	  .help = "let the write workloads overwrite the --disk file or device (default: they "
		  "are skipped)" },
	{ "disk-mib", 0, CLIOPT_UINT, OFF(disk_mib), 16, 1 << 20, .metavar = "N",
	  .def = STR(TESTDISK_DEFAULT_MIB), .help = "test disk size" },
	{ "kernel", 0, CLIOPT_PATH, OFF(kernel), .metavar = "DIR", .noun = "kernel tree",
	  .help = "guest kernel: an unpacked tree (boot/vmlinuz-*, lib/modules/) instead of "
		  "Debian's" },
	{ "force-kvm", 0, CLIOPT_FLAG, OFF(force_kvm),
	  .help = "run kvm and kvm-virtio even where KVM runs guest code in software" },
	{ "events", 0, CLIOPT_LIST, OFF(events), .metavar = "LIST",
	  .help = "hardware events to count, libpfm4 names (default cycles,instructions,"
		  "LLC-load-misses,dTLB-load-misses,branch-misses)",
	  .check = check_events },
	{ "no-probes", 0, CLIOPT_FLAG, OFF(no_probes),
	  .help = "no host-side counters or trap counts (to measure what the probes cost)" },
	{ "sessions", 0, CLIOPT_UINT, OFF(rounds), 1, 100, .metavar = "N",
	  .help = "fresh sessions per backend, one per round, that share each cell's samples "
		  "(overrides the profile; below 2 there are no confidence intervals)" },
	{ "test-extra-work", 0, CLIOPT_STR, OFF(extra_work), .metavar = "WORKLOAD=N",
	  .help = "tests only: N more iterations of a dependent loop in every operation of "
		  "WORKLOAD, a real slowdown of a known size (recorded in results.json)" },
	{ "seed", 0, CLIOPT_UINT, OFF(seed), 0, UINT32_MAX, .metavar = "N",
	  .help = "seed of the random order of every round (default: from the clock; "
		  "recorded in results.json)",
	  .seen = CLIOPT_SEEN(struct run_opts, seed_set) },
	{ "no-lock", 0, CLIOPT_FLAG, OFF(no_lock),
	  .help = "measure even while another run holds the host's measuring lock (both runs' "
		  "numbers suffer; recorded in results.json)" },
	{ "no-wait", 0, CLIOPT_FLAG, OFF(no_wait),
	  .help = "when another run holds the measuring lock, end with status 3 instead of "
		  "waiting for it" },
	{ "no-report", 0, CLIOPT_FLAG, OFF(no_report),
	  .help = "write results.json only: no report.* and no plots" },
	{ NULL },
};

/* The chosen profile with the options that override it. */
static struct profile run_profile(const struct run_opts *o)
{
	struct profile pf = profile_table[o->profile];

	if (o->reps)
		pf.reps = pf.boot_reps = o->reps;
	if (o->rounds)
		pf.rounds = o->rounds;
	if (o->sample_ms)
		pf.min_sample_ns = (uint64_t)o->sample_ms * 1000000;
	if (pf.rounds < 2)
		log_warn("one session per backend: no confidence intervals (they come from the "
			 "differences between sessions)");
	return pf;
}

/* --test-extra-work WORKLOAD=N: a workload of the plan the agent times operation by
 * operation, and 1 <= N <= 1000000. 0, or -EINVAL with why. */
static int parse_extra_work(const char *s, const struct plan *plan, const char **name, unsigned *n,
			    char *why, size_t len)
{
	const char *eq = strchr(s, '=');
	char *end;

	for (size_t i = 0; eq && i < plan->nworkloads; i++) {
		const struct workload_ops *w = plan->workloads[i];
		if (strlen(w->name) != (size_t)(eq - s) || strncmp(w->name, s, (size_t)(eq - s)))
			continue;
		if ((w->flags & WL_HOST) || !w->op) {
			snprintf(why, len,
				 "--test-extra-work: %s is not timed operation by operation",
				 w->name);
			return -EINVAL;
		}
		errno = 0;
		unsigned long v = strtoul(eq + 1, &end, 10);
		if (!eq[1] || *end || errno || v < 1 || v > 1000000 || eq[1] == '-') {
			snprintf(why, len, "--test-extra-work: N must be 1 to 1000000, not '%.20s'",
				 eq + 1);
			return -EINVAL;
		}
		*name = w->name;
		*n = (unsigned)v;
		return 0;
	}
	snprintf(why, len,
		 "--test-extra-work takes WORKLOAD=N for a workload of the run, not '%.60s'", s);
	return -EINVAL;
}

/* Runs the plan into outdir; the cfg's host side is prepared here. An exit status. */
static int run_plan(const struct cli_call *call, const struct plan *plan, const char *outdir,
		    const char *extra_workload, unsigned extra_work, json_t *lock)
{
	const struct run_opts *o = call->opts;
	char path[PATH_MAX + 32], disk_reason[512] = "", image_reason[512] = "";
	char *agent = o->agent ? strdup(o->agent) : prepare_agent(), *disk = NULL;
	unsigned long seed = o->seed;
	struct results res;
	json_t *image = NULL;
	int cpu = o->cpu_set ? (int)o->cpu : -1, ret;

	snprintf(path, sizeof(path), "%s/results.json", outdir);
	if (!o->seed_set)
		seed = ((unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16)) & UINT32_MAX;
	if (cpu < 0)
		json_decref(host_topology(&cpu));
	if (proc_signals_init() < 0)
		log_warn("cannot install signal handlers: Ctrl-C will not end the run cleanly");
	/* What killed runs left, then this run's own guard against leaving anything. */
	(void)leftovers_sweep();
	char why[PATH_MAX + 128];
	if (leftovers_guard(why, sizeof(why)) < 0)
		log_warn("%s: if this run is killed, what it started may stay behind", why);
	prepare_files_limit();
	ret = prepare_disk(plan, o->disk, o->disk_mib, &disk, disk_reason, sizeof(disk_reason));
	if (ret == -EINVAL) {
		ret = cli_usage("run", "%s", disk_reason);
		goto out_agent;
	} else if (ret < 0) {
		if (ret != -EINTR)
			log_err("out of memory");
		ret = ret == -EINTR ? EXIT_INTERRUPTED : EXIT_FAILED;
		goto out_agent;
	}
	image = prepare_image(plan, agent, o->kernel, image_reason, sizeof(image_reason));
	if (proc_interrupted()) {
		ret = EXIT_INTERRUPTED;
		goto out_image;
	}

	struct run_cfg cfg = {
		.plan = plan,
		.backend = { .agent_path = agent,
			     .cpu = cpu,
			     .vcpus = PREPARE_VCPUS,
			     .mem_mib = PREPARE_MEM_MIB,
			     .disk_path = disk,
			     .force_kvm = o->force_kvm,
			     .events = (const char *const *)o->events },
		.image = image,
		.out_path = path,
		.disk_reason = disk_reason[0] ? disk_reason : NULL,
		.disk_keep = o->disk && !o->disk_writable,
		.argc = call->full_argc,
		.argv = call->full_argv,
		.no_probes = o->no_probes,
		.seed = seed,
		.extra_workload = extra_workload,
		.extra_work = extra_work,
		.lock = lock,
	};
	image_to_cfg(image, image_reason[0] ? image_reason : NULL, &cfg.backend);
	log_info("profile %s: %u samples of at least %llu ms per cell, measurement CPU %d",
		 plan->profile.name, plan->profile.reps,
		 (unsigned long long)(plan->profile.min_sample_ns / 1000000), cpu);
	ret = run_execute(&cfg, &res);
	if (ret == -EINTR) {
		log_err("interrupted by signal %d; the results of what ran are in %s",
			proc_interrupt_signal(), path);
		ret = EXIT_INTERRUPTED;
	} else if (ret < 0) {
		log_err("cannot write %s: %s", path, strerror(-ret));
		ret = EXIT_FAILED;
	} else {
		output_summary(&res);
		int st = o->no_report
				 ? 0
				 : output_derive(&res, outdir, OUTPUT_PLOTS_IF_GNUPLOT, REPORT_ALL);
		output_skipped(&res);
		log_info("results: %s", path);
		ret = ret || st ? EXIT_FAILED : EXIT_OK;
	}
	if (!o->outdir)
		output_link_latest(outdir);
	results_free(&res);
out_image:
	json_decref(image);
	free(disk);
out_agent:
	leftovers_end();
	free(agent);
	return ret;
}

/* The host's measuring lock for the run (none with --no-lock), as provenance says it;
 * NULL with *status when the run must not go on. */
static json_t *take_lock(const struct run_opts *o, int *status)
{
	char holder[800];
	double waited = 0;

	if (o->no_lock)
		return json_pack("{s:b, s:s}", "held", 0, "why", "--no-lock");
	int ret = runlock_take(!o->no_wait, holder, sizeof(holder), &waited);
	if (ret == -EBUSY) {
		log_err("another run holds the measurement CPUs: %s. Two runs at once corrupt "
			"each other's numbers: wait for it (without --no-wait), or --no-lock",
			holder);
		*status = EXIT_BUSY;
		return NULL;
	}
	if (ret == -EINTR) {
		*status = EXIT_INTERRUPTED;
		return NULL;
	}
	/* Something planted in the lock's place (a link, a FIFO, a file that keeps being
	 * replaced) would let runs measure side by side unseen: refused, as a held lock is. */
	if (ret == -ELOOP || ret == -EINVAL || ret == -EAGAIN) {
		log_err("the measuring lock cannot be used: %s. Remove what is in its place, or "
			"--no-lock to measure without it",
			holder);
		*status = EXIT_BUSY;
		return NULL;
	}
	if (ret < 0) {
		log_warn("no measuring lock: %s", holder);
		return json_pack("{s:b, s:s}", "held", 0, "why", holder);
	}
	return json_pack("{s:b, s:f}", "held", 1, "waited_s", waited);
}

static int run_main(const struct cli_call *call)
{
	const struct run_opts *o = call->opts;
	struct profile pf = run_profile(o);
	char err[1024], outbuf[PATH_MAX];
	struct plan plan;
	int ret;

	err[0] = '\0';
	if (o->preset && o->workloads)
		return cli_usage("run", "--preset and --workloads both choose the workloads: "
					"give one");
	const char *workloads = o->preset ? preset_find(o->preset)->workloads : o->workloads;
	ret = plan_build(&plan, o->backends, workloads, &pf, err, sizeof(err));
	if (ret == -ENOMEM) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	if (ret < 0)
		return cli_usage("run", "%s", err);
	const char *extra_workload = NULL;
	unsigned extra_work = 0;
	if (o->extra_work && parse_extra_work(o->extra_work, &plan, &extra_workload, &extra_work,
					      err, sizeof(err)) < 0) {
		plan_free(&plan);
		return cli_usage("run", "%s", err);
	}
	if (extra_workload)
		log_warn("%s runs %u more loop iterations per operation (--test-extra-work): its "
			 "numbers are not the build's",
			 extra_workload, extra_work);
	/* A test disk that cannot serve is bad input: said before the output directory is
	 * made. */
	if (o->disk && testdisk_use(o->disk, err, sizeof(err)) < 0) {
		plan_free(&plan);
		return cli_usage("run", "%s", err);
	}
	/* Taken before the output directory is made: a run that does not go on makes none. */
	json_t *lock = take_lock(o, &ret);
	if (!lock) {
		plan_free(&plan);
		return ret;
	}
	if (output_claim_dir(o->outdir, outbuf, sizeof(outbuf), err, sizeof(err)) < 0)
		ret = cli_usage("run", "%s", err);
	else
		ret = run_plan(call, &plan, outbuf, extra_workload, extra_work, lock);
	json_decref(lock);
	runlock_release();
	plan_free(&plan);
	return ret;
}

const struct cli_cmd cmd_run = {
	.name = "run",
	.synopsis = "[options]",
	.summary = "run the benchmark matrix and write results.json",
	.about = "Runs every chosen workload on every chosen backend and writes results.json "
		 "(schema vmbench/1: raw samples, median, 95% CI, provenance). One run measures at "
		 "a "
		 "time: a second one waits for the first. Exit status: 0 all ran or were skipped, "
		 "1 some failed, 2 bad input, 3 another run measures (--no-wait), 130 interrupted.",
	.opts = run_opts,
	.opts_size = sizeof(struct run_opts),
	.run = run_main,
};
