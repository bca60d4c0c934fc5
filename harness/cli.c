/* The vmbench command line: one declarative option table per subcommand, getopt_long, and
 * help generated from the tables. Every bad input is one line on stderr and exit 2. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/catalog.h"
#include "harness/cli.h"
#include "harness/doctor.h"
#include "host/hostinfo.h"
#include "harness/image.h"
#include "host/perfev.h"
#include "common/log.h"
#include "harness/plan.h"
#include "harness/plot.h"
#include "host/process.h"
#include "harness/registry.h"
#include "harness/report.h"
#include "harness/run.h"
#include "harness/testdisk.h"
#include "host/util.h"
#include "common/wire.h"

#define DEFAULT_VCPUS	1
#define DEFAULT_MEM_MIB 512

struct opt {
	const char *name;
	int key; /* short option letter, or a value above 255 for long-only options */
	int has_arg;
	const char *arg;
	const char *help;
};

enum {
	OPT_AGENT = 256,
	OPT_PROFILES,
	OPT_PROBES,
	OPT_DISK,
	OPT_DISK_MIB,
	OPT_SAMPLE_MS,
	OPT_FORCE_KVM,
	OPT_RUN_KERNEL,
	OPT_NO_PROBES,
	OPT_EVENTS,
	OPT_SEED,
	OPT_ROUNDS,
	OPT_NO_REPORT
};

static __printf(2, 3) int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmbench%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'vmbench%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

static void print_help(const char *cmd, const char *synopsis, const char *about,
		       const struct opt *opts, size_t n)
{
	printf("usage: vmbench %s%s%s\n\n%s\n\noptions:\n", cmd, synopsis[0] ? " " : "", synopsis,
	       about);
	for (size_t i = 0; i < n; i++) {
		char left[64];
		if (opts[i].key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].key, opts[i].name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		printf("  %-28s %s\n", left, opts[i].help);
	}
}

/*
 * Runs getopt_long over a table; handler(ctx, key, optarg) returns 0 or an exit status.
 * Returns 0, an exit status, or -1 when --help was printed. Positional arguments are
 * left at argv[optind..].
 */
static int parse_opts(const char *cmd, int argc, char **argv, const struct opt *opts, size_t n,
		      int (*handler)(void *ctx, int key, const char *arg), void *ctx)
{
	struct option lo[32];
	/* The top level stops at the command; a command takes options after its arguments too. */
	char shorts[96] = "+:";
	size_t ns = 2;

	if (cmd) {
		strcpy(shorts, ":");
		ns = 1;
	}

	if (n >= ARRAY_SIZE(lo))
		return EXIT_USAGE;
	for (size_t i = 0; i < n; i++) {
		lo[i] = (struct option){ opts[i].name, opts[i].has_arg, NULL, opts[i].key };
		if (opts[i].key < 256 && ns + 3 < sizeof(shorts)) {
			shorts[ns++] = (char)opts[i].key;
			if (opts[i].has_arg)
				shorts[ns++] = ':';
		}
	}
	lo[n] = (struct option){ 0 };
	shorts[ns] = '\0';
	optind = 0; /* full reinitialization (glibc) for each subcommand */
	opterr = 0;
	for (;;) {
		int prev = optind ? optind : 1;
		int c = getopt_long(argc, argv, shorts, lo, NULL);
		if (c == -1)
			return 0;
		if (c == '?') {
			const char *bad = prev < argc ? argv[prev] : "?";
			if (optopt && optopt < 256)
				return usage_error(cmd, "unknown option '-%c'", optopt);
			return usage_error(cmd, "unknown option '%s'", bad);
		}
		if (c == ':')
			return usage_error(cmd, "option '%s' needs a value",
					   prev < argc ? argv[prev] : "?");
		if (c == 'h')
			return -1;
		int ret = handler(ctx, c, optarg);
		if (ret)
			return ret;
	}
}

static int parse_uint(const char *cmd, const char *what, const char *s, unsigned lo, unsigned hi,
		      unsigned *out)
{
	uint64_t v;

	if (wire_parse_u64(s, lo, hi, &v) < 0)
		return usage_error(cmd, "invalid %s '%s': expected a whole number from %u to %u",
				   what, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

/* The agent: --agent, $VMBENCH_AGENT, or vmbench-agent next to this executable. */
static char *agent_default(void)
{
	const char *env = getenv("VMBENCH_AGENT");
	char *dir, *path = NULL;

	if (env && *env)
		return strdup(env);
	dir = util_exe_dir();
	if (dir && asprintf(&path, "%s/vmbench-agent", dir) < 0)
		path = NULL;
	free(dir);
	return path;
}

/* ---- list ---- */

struct list_ctx {
	unsigned sections; /* bit 0 backends, 1 workloads, 2 probes, 3 profiles */
};

static const struct opt list_opts[] = {
	{ "backends", 'b', no_argument, NULL, "list the backends" },
	{ "workloads", 'w', no_argument, NULL, "list the workloads" },
	{ "probes", OPT_PROBES, no_argument, NULL, "list the probes" },
	{ "profiles", OPT_PROFILES, no_argument, NULL, "list the profiles" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static int list_opt(void *vctx, int key, const char *arg)
{
	struct list_ctx *ctx = vctx;

	ctx->sections |= key == 'b' ? 1u : key == 'w' ? 2u : key == OPT_PROBES ? 4u : 8u;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct list_ctx ctx = { 0 };
	int ret = parse_opts("list", argc, argv, list_opts, ARRAY_SIZE(list_opts), list_opt, &ctx);

	if (ret == -1) {
		print_help("list", "[--backends] [--workloads] [--probes] [--profiles]",
			   "Lists backends, workloads, probes and profiles, one a line (all "
			   "sections when none is named).",
			   list_opts, ARRAY_SIZE(list_opts));
		return EXIT_OK;
	}
	if (ret)
		return ret;
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (!ctx.sections)
		ctx.sections = 15;
	if (ctx.sections & 1) {
		printf("backends:\n");
		for (size_t i = 0; i < backend_count; i++)
			printf("  %-12s %-24s %s%s\n", backend_table[i]->name,
			       backend_table[i]->mode, backend_table[i]->summary,
			       backend_table[i]->flags & BK_TEST ? " [test]" : "");
	}
	if (ctx.sections & 2) {
		printf("workloads:\n");
		for (size_t i = 0; i < catalog_count(); i++) {
			const struct workload_ops *w = catalog_at(i);
			printf("  %-18s %-7s %-6s %s%s\n", w->name, w->unit,
			       w->better == BETTER_LOWER ? "lower" : "higher", w->summary,
			       w->flags & WL_TEST ? " [test]" : "");
		}
	}
	if (ctx.sections & 4) {
		printf("probes:\n");
		for (size_t i = 0; i < probe_count; i++)
			printf("  %-12s %s\n", probe_table[i]->name, probe_table[i]->summary);
	}
	if (ctx.sections & 8) {
		printf("profiles:\n  %-10s %7s %7s %10s %5s %6s  %-10s %s\n", "name", "samples",
		       "warm-up", "min sample", "boots", "rounds", "order", "what for");
		for (size_t i = 0; i < profile_count; i++) {
			const struct profile *p = &profile_table[i];
			printf("  %-10s %7u %7u %8llums %5u %6u  %-10s %s\n", p->name, p->reps,
			       p->warmup, (unsigned long long)(p->min_sample_ns / 1000000),
			       p->boot_reps, p->rounds, p->shuffle ? "random" : "plan", p->summary);
		}
		/* Once when every profile has the same (the usual case). */
		bool same = true;
		for (size_t i = 1; i < profile_count; i++)
			same &= !strcmp(profile_table[i].stop_rule, profile_table[0].stop_rule);
		for (size_t i = 0; i < (same ? 1 : profile_count); i++)
			printf("  stop rule%s%s: %s\n", same ? "" : " of ",
			       same ? "" : profile_table[i].name, profile_table[i].stop_rule);
	}
	return EXIT_OK;
}

/* ---- doctor ---- */

struct common_ctx {
	const char *cmd;
	char *agent;
	int cpu;
};

static const struct opt doctor_opts[] = {
	{ "agent", OPT_AGENT, required_argument, "PATH",
	  "the vmbench-agent binary (default: next to vmbench)" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static int agent_opt(struct common_ctx *ctx, const char *arg)
{
	free(ctx->agent);
	ctx->agent = strdup(arg);
	struct stat st;
	if (stat(arg, &st) < 0 || access(arg, X_OK) < 0)
		return usage_error(ctx->cmd, "agent '%s' is not an executable file: %s", arg,
				   strerror(errno));
	if (!S_ISREG(st.st_mode))
		return usage_error(ctx->cmd, "agent '%s' is not a regular file", arg);
	return ctx->agent ? 0 : EXIT_FAILED;
}

static int doctor_opt(void *vctx, int key, const char *arg)
{
	return agent_opt(vctx, arg);
}

static int cmd_doctor(int argc, char **argv)
{
	struct common_ctx ctx = { .cmd = "doctor", .cpu = -1 };
	int ret = parse_opts("doctor", argc, argv, doctor_opts, ARRAY_SIZE(doctor_opts), doctor_opt,
			     &ctx);
	char note[PATH_MAX + 64];

	if (ret == -1) {
		print_help("doctor", "[--agent PATH]",
			   "Says for every backend whether it can run here, and if not why; and "
			   "what the host offers: KVM, PMU events, perf_event_paranoid, topology, "
			   "tools.",
			   doctor_opts, ARRAY_SIZE(doctor_opts));
		return EXIT_OK;
	}
	if (ret) {
		free(ctx.agent);
		return ret;
	}
	if (optind < argc) {
		free(ctx.agent);
		return usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	}
	if (!ctx.agent)
		ctx.agent = agent_default();
	int st = ctx.agent ? util_elf_is_static(ctx.agent) : -ENOENT;
	snprintf(note, sizeof(note), "%s (%s)", ctx.agent ? ctx.agent : "(not found)",
		 st == 1   ? "static"
		 : st == 0 ? "dynamic: guests cannot run it"
			   : strerror(-st));
	/* The guest image, if it is built (doctor builds nothing). */
	char dir[PATH_MAX], err[256];
	char *cache = util_cache_dir(), *agent_dir = ctx.agent ? strdup(ctx.agent) : NULL;
	char *slash = agent_dir ? strrchr(agent_dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	struct image_req req = { .cache = cache, .agent_dir = agent_dir ? agent_dir : "." };
	json_t *image = cache && image_locate(&req, dir, sizeof(dir), err, sizeof(err)) == 0
				? image_info(dir)
				: NULL;
	struct backend_cfg cfg = {
		.agent_path = ctx.agent,
		.cpu = -1,
		.vcpus = DEFAULT_VCPUS,
		.mem_mib = DEFAULT_MEM_MIB,
	};
	image_to_cfg(image, "not built yet: 'vmbench image build' (vmbench run builds it too)",
		     &cfg);
	doctor_report(stdout, &cfg, note);
	json_decref(image);
	free(cache);
	free(agent_dir);
	free(ctx.agent);
	return EXIT_OK;
}

/* ---- run ---- */

struct run_ctx {
	struct common_ctx c;
	const char *backends, *workloads, *outdir, *disk, *kernel;
	unsigned disk_mib;
	const struct profile *profile;
	unsigned reps, sample_ms, rounds;
	unsigned long seed;
	bool reps_set, force_kvm, no_probes, seed_set, no_report;
	char **events; /* --events, split */
};

static const struct opt run_opts[] = {
	{ "backends", 'b', required_argument, "LIST",
	  "comma-separated backends (default: every one not for tests)" },
	{ "workloads", 'w', required_argument, "LIST",
	  "comma-separated workloads (default: every one not for tests)" },
	{ "profile", 'p', required_argument, "NAME", "quick (default), standard or paper" },
	{ "reps", 'r', required_argument, "N",
	  "measured samples per cell and boots for lifecycle.boot (overrides the profile)" },
	{ "sample-ms", OPT_SAMPLE_MS, required_argument, "MS",
	  "each sample lasts at least MS ms (overrides the profile)" },
	{ "output", 'o', required_argument, "DIR",
	  "write DIR/results.json (default: results/<UTC time>, linked from results/latest)" },
	{ "cpu", 'c', required_argument, "N", "measurement CPU (default: hwloc's last core)" },
	{ "agent", OPT_AGENT, required_argument, "PATH",
	  "the vmbench-agent binary (default: next to vmbench)" },
	{ "disk", OPT_DISK, required_argument, "FILE",
	  "test disk for io.* (default: testdisk-<MiB>M.raw in the cache directory)" },
	{ "disk-mib", OPT_DISK_MIB, required_argument, "N", "test disk size (default 256)" },
	{ "kernel", OPT_RUN_KERNEL, required_argument, "DIR",
	  "guest kernel: an unpacked tree (boot/vmlinuz-*, lib/modules/) instead of Debian's" },
	{ "force-kvm", OPT_FORCE_KVM, no_argument, NULL,
	  "run kvm and kvm-virtio even where KVM runs guest code in software" },
	{ "events", OPT_EVENTS, required_argument, "LIST",
	  "hardware events to count, libpfm4 names (default cycles,instructions,"
	  "LLC-load-misses,dTLB-load-misses,branch-misses)" },
	{ "no-probes", OPT_NO_PROBES, no_argument, NULL,
	  "no host-side counters or trap counts (to measure what the probes cost)" },
	{ "rounds", OPT_ROUNDS, required_argument, "N",
	  "take each cell's samples in N rounds over all backends (overrides the profile)" },
	{ "seed", OPT_SEED, required_argument, "N",
	  "seed of the random order of profiles that shuffle (default: from the clock; "
	  "recorded in results.json)" },
	{ "no-report", OPT_NO_REPORT, no_argument, NULL,
	  "write results.json only: no report.* and no plots" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static int run_opt(void *vctx, int key, const char *arg)
{
	struct run_ctx *ctx = vctx;
	unsigned v = 0;
	int ret;

	switch (key) {
	case 'b':
		ctx->backends = arg;
		return 0;
	case 'w':
		ctx->workloads = arg;
		return 0;
	case 'o':
		if (!*arg)
			return usage_error("run", "empty output directory");
		ctx->outdir = arg;
		return 0;
	case 'p':
		ctx->profile = profile_find(arg);
		if (!ctx->profile)
			return usage_error(
				"run", "unknown profile '%s' (known: quick, standard, paper)", arg);
		return 0;
	case 'r':
		/* The largest that fits the protocol's 1 MiB of result data for every workload
		 * (mem.lat sends 17 points of samples). */
		ret = parse_uint("run", "--reps", arg, 1, 1000, &v);
		ctx->reps = v;
		ctx->reps_set = true;
		return ret;
	case 'c':
		ret = parse_uint("run", "--cpu", arg, 0, CPU_SETSIZE - 1, &v);
		if (ret)
			return ret;
		cpu_set_t set;
		if (sched_getaffinity(0, sizeof(set), &set) == 0 && !CPU_ISSET(v, &set))
			return usage_error("run", "CPU %u is not available to vmbench", v);
		ctx->c.cpu = (int)v;
		return 0;
	case OPT_AGENT:
		return agent_opt(&ctx->c, arg);
	case OPT_DISK:
		/* It travels in the agent protocol: one field, printable, no spaces. */
		if (!*arg || !wire_printable(arg) || strchr(arg, ' '))
			return usage_error("run", "invalid --disk '%s': a path without spaces",
					   arg);
		ctx->disk = arg;
		return 0;
	case OPT_FORCE_KVM:
		ctx->force_kvm = true;
		return 0;
	case OPT_NO_PROBES:
		ctx->no_probes = true;
		return 0;
	case OPT_EVENTS: {
		size_t n;
		char why[256];
		util_free_list(ctx->events);
		ctx->events = NULL;
		if (util_split_list(arg, &ctx->events, &n) < 0 || n == 0)
			return usage_error("run", "invalid --events '%s'", arg);
		for (size_t i = 0; i < n; i++)
			if (perfev_check_pfm(ctx->events[i], why, sizeof(why)) < 0)
				return usage_error("run", "--events: %s", why);
		return 0;
	}
	case OPT_RUN_KERNEL:
		if (access(arg, R_OK) < 0)
			return usage_error("run", "kernel tree '%s': %s", arg, strerror(errno));
		ctx->kernel = arg;
		return 0;
	case OPT_SAMPLE_MS:
		ret = parse_uint("run", "--sample-ms", arg, 1, 60000, &v);
		ctx->sample_ms = v;
		return ret;
	case OPT_DISK_MIB:
		ret = parse_uint("run", "--disk-mib", arg, 16, 1 << 20, &v);
		ctx->disk_mib = v;
		return ret;
	case OPT_ROUNDS:
		ret = parse_uint("run", "--rounds", arg, 1, 100, &v);
		ctx->rounds = v;
		return ret;
	case OPT_SEED:
		ret = parse_uint("run", "--seed", arg, 0, UINT32_MAX, &v);
		ctx->seed = v;
		ctx->seed_set = true;
		return ret;
	case OPT_NO_REPORT:
		ctx->no_report = true;
		return 0;
	}
	return EXIT_USAGE;
}

/* results/latest -> the newest run directory, replaced atomically. */
static void link_latest(const char *outdir)
{
	const char *base = strrchr(outdir, '/');
	char tmp[PATH_MAX];

	base = base ? base + 1 : outdir;
	snprintf(tmp, sizeof(tmp), "results/.latest.%d", (int)getpid());
	unlink(tmp);
	if (symlink(base, tmp) == 0 && rename(tmp, "results/latest") < 0)
		unlink(tmp);
}

/* The test disk, when a planned workload needs one and a planned backend provides it.
 * Sets *path (malloc'd) or *reason. Bad input is an exit status. */
static int prepare_disk(const struct run_ctx *ctx, const struct plan *plan, char **path,
			char *reason, size_t len)
{
	bool need = false, provided = false;
	uint64_t mib = ctx->disk_mib ? ctx->disk_mib : TESTDISK_DEFAULT_MIB;

	*path = NULL;
	for (size_t i = 0; i < plan->nworkloads; i++)
		need |= (plan->workloads[i]->needs & WL_NEEDS_DISK) != 0;
	for (size_t i = 0; i < plan->nbackends; i++)
		provided |= (plan->backends[i]->provides & WL_NEEDS_DISK) != 0;
	if (!need || !provided)
		return 0;
	if (ctx->disk) {
		*path = strdup(ctx->disk);
	} else {
		char *dir = util_cache_dir();
		if (dir &&
		    asprintf(path, "%s/testdisk-%lluM.raw", dir, (unsigned long long)mib) < 0)
			*path = NULL;
		free(dir);
		if (*path && (strchr(*path, ' ') || !wire_printable(*path))) {
			snprintf(reason, len, "the cache path %s has spaces; use --disk", *path);
			free(*path);
			*path = NULL;
			return 0;
		}
	}
	if (!*path)
		return EXIT_FAILED;
	if (ctx->disk && testdisk_use(*path, mib << 20, reason, len) < 0) {
		free(*path);
		*path = NULL;
		return usage_error("run", "%s", reason);
	}
	int ret = ctx->disk ? 0 : testdisk_ensure(*path, mib << 20, reason, len);
	if (ret == -EINTR) {
		free(*path);
		*path = NULL;
		log_err("interrupted while creating the test disk");
		return EXIT_INTERRUPTED;
	}
	if (ret < 0) {
		log_warn("io workloads will be skipped: %s", reason);
		free(*path);
		*path = NULL;
	}
	return 0;
}

/* The guest image, built when missing, when a planned backend boots it: its info, or NULL
 * with the reason. */
static json_t *prepare_image(const struct plan *plan, const char *agent, const char *kernel,
			     char *reason, size_t len)
{
	bool need = false;
	char dir[PATH_MAX];

	for (size_t i = 0; i < plan->nbackends; i++)
		need |= (plan->backends[i]->flags & BK_NEEDS_IMAGE) != 0;
	if (!need)
		return NULL;
	char *cache = util_cache_dir(), *agent_dir = agent ? strdup(agent) : NULL;
	char *slash = agent_dir ? strrchr(agent_dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	struct image_req req = { .cache = cache,
				 .agent_dir = agent_dir ? agent_dir : ".",
				 .kernel = kernel,
				 .build = true };
	json_t *info = NULL;
	if (!cache)
		snprintf(reason, len, "out of memory");
	else if (image_locate(&req, dir, sizeof(dir), reason, len) == 0 &&
		 !(info = image_info(dir)))
		snprintf(reason, len, "cannot read the image's info in %.300s", dir);
	if (!info)
		log_warn("the VM backends will be skipped: %s", reason);
	free(cache);
	free(agent_dir);
	return info;
}

static void print_summary(const struct results *res)
{
	printf("%-10s %-18s %-13s %12s  %-25s %s\n", "backend", "workload", "status", "median",
	       "95% CI", "unit");
	for (size_t i = 0; i < res->n; i++) {
		const struct cell *c = &res->cells[i];
		char ci[64] = "-", med[32] = "-";
		if (c->has_stats) {
			snprintf(med, sizeof(med), "%.4g", c->stats.median);
			if (c->stats.has_ci)
				snprintf(ci, sizeof(ci), "[%.4g, %.4g]", c->stats.ci_lo,
					 c->stats.ci_hi);
		}
		printf("%-10s %-18s %-13s %12s  %-25s %s%s%s\n", c->backend, c->workload,
		       cell_status_name(c->status), med, ci, c->unit, c->reason ? "  " : "",
		       c->reason ? c->reason : "");
	}
}

enum plots { NO_PLOTS, PLOTS_IF_GNUPLOT, PLOTS };
static int derive(const struct results *res, const char *dir, enum plots plots, unsigned formats);

/* The backends that did not run, with the reason (provenance backends.<name>). */
static void print_skipped(const struct results *res)
{
	json_t *all = json_object_get(res->provenance, "backends"), *bi;
	const char *name;

	json_object_foreach(all, name, bi) {
		const char *st = json_string_value(json_object_get(bi, "status"));
		const char *why = json_string_value(json_object_get(bi, "reason"));
		if (st && strcmp(st, "ok"))
			log_info("%s %s: %s", name, st, why ? why : "no reason given");
	}
}

static int cmd_run(int argc, char **argv, int full_argc, char **full_argv)
{
	struct run_ctx ctx = { .c = { .cmd = "run", .cpu = -1 }, .profile = &profile_table[0] };
	char err[1024], outbuf[PATH_MAX], path[PATH_MAX + 32];
	struct plan plan;
	struct results res;
	int ret = parse_opts("run", argc, argv, run_opts, ARRAY_SIZE(run_opts), run_opt, &ctx);

	if (ret == -1) {
		print_help("run", "[options]",
			   "Runs every chosen workload on every chosen backend and writes "
			   "results.json (schema vmbench/1: raw samples, median, 95% CI, "
			   "provenance). Exit status: 0 all ran or were skipped, 1 some failed, "
			   "2 bad input, 130 interrupted.",
			   run_opts, ARRAY_SIZE(run_opts));
		return EXIT_OK;
	}
	if (ret)
		goto out_agent;
	if (optind < argc) {
		ret = usage_error("run", "unexpected argument '%s'", argv[optind]);
		goto out_agent;
	}
	struct profile pf = *ctx.profile;
	if (ctx.reps_set)
		pf.reps = pf.boot_reps = ctx.reps;
	if (ctx.rounds)
		pf.rounds = ctx.rounds;
	if (!ctx.seed_set)
		ctx.seed =
			((unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16)) & UINT32_MAX;
	else if (!pf.shuffle)
		log_warn("--seed has no effect: profile %s keeps the plan order", pf.name);
	if (ctx.sample_ms)
		pf.min_sample_ns = (uint64_t)ctx.sample_ms * 1000000;
	err[0] = '\0';
	ret = plan_build(&plan, ctx.backends, ctx.workloads, &pf, err, sizeof(err));
	if (ret < 0) {
		ret = ret == -ENOMEM ? (log_err("out of memory"), EXIT_FAILED)
				     : usage_error("run", "%s", err);
		goto out_agent;
	}
	if (pf.reps < 6)
		log_warn("with fewer than 6 samples a cell has no 95%% confidence interval");
	bool default_out = !ctx.outdir;
	if (default_out) {
		char stamp[32];
		util_utc_now(stamp, sizeof(stamp), true);
		snprintf(outbuf, sizeof(outbuf), "results/%s", stamp);
		ctx.outdir = outbuf;
	}
	ret = util_check_writable_dir(ctx.outdir);
	if (ret < 0) {
		ret = usage_error("run", "cannot write to output directory '%s': %s", ctx.outdir,
				  strerror(-ret));
		goto out_plan;
	}
	snprintf(path, sizeof(path), "%s/results.json", ctx.outdir);
	if (!ctx.c.agent)
		ctx.c.agent = agent_default();
	int cpu = ctx.c.cpu;
	if (cpu < 0)
		json_decref(host_topology(&cpu));
	if (proc_signals_init() < 0)
		log_warn("cannot install signal handlers: Ctrl-C will not end the run cleanly");
	/* Counters: one descriptor per event and host task (QEMU's I/O threads, UML's
	 * processes): the soft limit of 1024 could run out. */
	struct rlimit files;
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
		files.rlim_cur = files.rlim_max;
		(void)!setrlimit(RLIMIT_NOFILE, &files);
	}
	char *disk = NULL, disk_reason[512] = "", image_reason[512] = "";
	ret = prepare_disk(&ctx, &plan, &disk, disk_reason, sizeof(disk_reason));
	if (ret)
		goto out_plan;
	json_t *image =
		prepare_image(&plan, ctx.c.agent, ctx.kernel, image_reason, sizeof(image_reason));
	if (proc_interrupted()) {
		ret = EXIT_INTERRUPTED;
		json_decref(image);
		free(disk);
		goto out_plan;
	}

	struct run_cfg cfg = {
		.plan = &plan,
		.backend = { .agent_path = ctx.c.agent,
			     .cpu = cpu,
			     .vcpus = DEFAULT_VCPUS,
			     .mem_mib = DEFAULT_MEM_MIB,
			     .disk_path = disk,
			     .force_kvm = ctx.force_kvm,
			     .events = (const char *const *)ctx.events },
		.image = image,
		.out_path = path,
		.disk_reason = disk_reason[0] ? disk_reason : NULL,
		.argc = full_argc,
		.argv = full_argv,
		.no_probes = ctx.no_probes,
		.seed = ctx.seed,
	};
	image_to_cfg(image, image_reason[0] ? image_reason : NULL, &cfg.backend);
	log_info("profile %s: %u samples of at least %llu ms per cell, measurement CPU %d", pf.name,
		 pf.reps, (unsigned long long)(pf.min_sample_ns / 1000000), cpu);
	ret = run_execute(&cfg, &res);
	if (ret == -EINTR) {
		log_err("interrupted by signal %d; the results of what ran are in %s",
			proc_interrupt_signal(), path);
		ret = EXIT_INTERRUPTED;
	} else if (ret < 0) {
		log_err("cannot write %s: %s", path, strerror(-ret));
		ret = EXIT_FAILED;
	} else {
		print_summary(&res);
		int st = ctx.no_report ? EXIT_OK
				       : derive(&res, ctx.outdir, PLOTS_IF_GNUPLOT, REPORT_ALL);
		print_skipped(&res);
		log_info("results: %s", path);
		ret = ret || st ? EXIT_FAILED : EXIT_OK;
	}
	if (default_out)
		link_latest(ctx.outdir);
	results_free(&res);
	free(disk);
	json_decref(image);
out_plan:
	plan_free(&plan);
out_agent:
	free(ctx.c.agent);
	util_free_list(ctx.events);
	return ret;
}

/* ---- image ---- */

struct image_ctx {
	const char *kernel, *cache;
};

enum { OPT_KERNEL = 300, OPT_CACHE };

static const struct opt image_opts[] = {
	{ "kernel", OPT_KERNEL, required_argument, "DIR",
	  "an unpacked kernel tree (boot/vmlinuz-*, lib/modules/) instead of Debian's" },
	{ "cache", OPT_CACHE, required_argument, "DIR",
	  "the cache (default: $VMBENCH_CACHE, "
	  "$XDG_CACHE_HOME/vmbench, ~/.cache/vmbench)" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static int image_opt(void *vctx, int key, const char *arg)
{
	struct image_ctx *ctx = vctx;

	if (key == OPT_KERNEL)
		ctx->kernel = arg;
	else
		ctx->cache = arg;
	return 0;
}

static int cmd_image(int argc, char **argv)
{
	struct image_ctx ctx = { 0 };
	int ret = parse_opts("image", argc, argv, image_opts, ARRAY_SIZE(image_opts), image_opt,
			     &ctx);
	char dir[PATH_MAX], err[512];

	if (ret == -1) {
		print_help("image", "build|info [options]",
			   "build: makes the guest image (Debian's kernel, fetched once, and an "
			   "initramfs with busybox, vmbench-agent, fio and the device drivers), "
			   "named by a hash of its inputs and rebuilt only when one changes. info: "
			   "paths, sizes and sha256 of the current image.",
			   image_opts, ARRAY_SIZE(image_opts));
		return EXIT_OK;
	}
	if (ret)
		return ret;
	if (optind >= argc)
		return usage_error("image", "say build or info");
	bool build = strcmp(argv[optind], "build") == 0;
	if (!build && strcmp(argv[optind], "info") != 0)
		return usage_error("image", "unknown action '%s' (build or info)", argv[optind]);
	if (optind + 1 < argc)
		return usage_error("image", "unexpected argument '%s'", argv[optind + 1]);
	if (ctx.kernel && access(ctx.kernel, R_OK) < 0)
		return usage_error("image", "kernel tree '%s': %s", ctx.kernel, strerror(errno));
	char *cache = ctx.cache ? strdup(ctx.cache) : util_cache_dir();
	char *agent = agent_default(), *agent_dir = agent ? strdup(agent) : NULL;
	char *slash = agent_dir ? strrchr(agent_dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	struct image_req req = { .cache = cache,
				 .agent_dir = agent_dir ? agent_dir : ".",
				 .kernel = ctx.kernel,
				 .build = build };
	if (proc_signals_init() < 0)
		log_warn("cannot install signal handlers");
	ret = cache ? image_locate(&req, dir, sizeof(dir), err, sizeof(err)) : -ENOMEM;
	if (ret == -ENOENT) {
		log_err("no guest image for the current inputs: run 'vmbench image build'");
		ret = EXIT_FAILED;
	} else if (ret < 0) {
		log_err("%s", ret == -ENOMEM ? "out of memory" : err);
		ret = ret == -EINTR ? EXIT_INTERRUPTED : EXIT_FAILED;
	} else {
		ret = image_print_info(stdout, dir) < 0 ? EXIT_FAILED : EXIT_OK;
	}
	free(cache);
	free(agent);
	free(agent_dir);
	return ret;
}

/* ---- report, plot ---- */

/*
 * The plots and the reports of res in dir (plots first: the HTML report embeds them).
 * With PLOTS_IF_GNUPLOT and no gnuplot the reports come without plots, with a warning.
 * EXIT_OK or EXIT_FAILED.
 */
static int derive(const struct results *res, const char *dir, enum plots plots, unsigned formats)
{
	char err[1024];
	size_t drawn = 0;
	int ret, status = EXIT_OK;

	if (plots != NO_PLOTS) {
		ret = plot_write(res, dir, &drawn, err, sizeof(err));
		if (ret == -ENOENT && plots == PLOTS_IF_GNUPLOT) {
			log_warn("no plots: %s", err);
		} else if (ret < 0) {
			log_err("plots: %s", err);
			status = EXIT_FAILED;
		} else {
			log_info("plots: %zu in %s/plots", drawn, dir);
		}
	}
	if (formats) {
		ret = report_write(res, dir, formats, err, sizeof(err));
		if (ret < 0) {
			log_err("report: %s", err);
			status = EXIT_FAILED;
		} else {
			char names[32];
			report_format_names(formats, ",", names, sizeof(names));
			log_info("report: %s/report.{%s}", dir, names);
		}
	}
	return status;
}

struct derive_ctx {
	const char *outdir;
	unsigned formats;
};

enum { OPT_FORMAT = 320 };

static const struct opt report_opts[] = {
	{ "output", 'o', required_argument, "DIR",
	  "where to write (default: the directory of RESULTS.json)" },
	{ "format", OPT_FORMAT, required_argument, "LIST", "md,csv,tex,html (default: all four)" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static const struct opt plot_opts[] = {
	{ "output", 'o', required_argument, "DIR",
	  "plots go to DIR/plots (default: the directory of RESULTS.json)" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

static int derive_opt(void *vctx, int key, const char *arg)
{
	struct derive_ctx *ctx = vctx;
	char err[256];

	if (key == 'o') {
		ctx->outdir = arg;
		return 0;
	}
	if (report_parse_formats(arg, &ctx->formats, err, sizeof(err)) < 0)
		return usage_error("report", "%s", err);
	return 0;
}

/* report and plot: one results file in, files next to it (or in -o DIR) out. */
static int cmd_derive(int argc, char **argv, bool report)
{
	const char *cmd = report ? "report" : "plot";
	struct derive_ctx ctx = { .formats = REPORT_ALL };
	const struct opt *opts = report ? report_opts : plot_opts;
	size_t nopts = report ? ARRAY_SIZE(report_opts) : ARRAY_SIZE(plot_opts);
	int ret = parse_opts(cmd, argc, argv, opts, nopts, derive_opt, &ctx);
	char err[1024], dir[PATH_MAX];
	struct results res;

	if (ret == -1) {
		print_help(
			cmd, "RESULTS.json [options]",
			report ? "Writes report.md, report.csv, report.tex (a booktabs table to "
				 "\\input) and report.html (one self-contained page with the "
				 "plots of DIR/plots) from a results file. Exit status: 0 written, "
				 "1 a write failed, 2 bad input (a malformed or foreign file, an "
				 "output directory that is not writable)."
			       : "Writes the plot data and renders the gnuplot scripts of plots/ "
				 "to DIR/plots/*.png and *.svg: overhead against native, traps per "
				 "operation, the memory latency curve, fio IOPS and p99 latency, "
				 "boot time. Exit status: 0 drawn, 1 gnuplot missing or failed, 2 "
				 "bad input.",
			opts, nopts);
		return EXIT_OK;
	}
	if (ret)
		return ret;
	if (optind >= argc)
		return usage_error(cmd, "name the results file (RESULTS.json)");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	const char *path = argv[optind];
	ret = results_load(path, &res, err, sizeof(err));
	if (ret == -ENOMEM) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	if (ret < 0)
		return usage_error(cmd, "%s", err);
	if (ctx.outdir)
		ret = snprintf(dir, sizeof(dir), "%s", ctx.outdir) < (int)sizeof(dir)
			      ? 0
			      : -ENAMETOOLONG;
	else
		ret = util_dir_of(path, dir, sizeof(dir));
	if (ret == 0)
		ret = util_check_writable_dir(dir);
	if (ret < 0) {
		results_free(&res);
		return usage_error(cmd, "cannot write to output directory '%s': %s", dir,
				   strerror(-ret));
	}
	if (!res.complete)
		log_warn("%s is incomplete: the run was interrupted or is still going", path);
	ret = report ? derive(&res, dir, NO_PLOTS, ctx.formats) : derive(&res, dir, PLOTS, 0);
	results_free(&res);
	return ret;
}

/* ---- top level ---- */

static const struct opt main_opts[] = {
	{ "verbose", 'v', no_argument, NULL, "debug messages too" },
	{ "quiet", 'q', no_argument, NULL, "errors only" },
	{ "version", 'V', no_argument, NULL, "print the version and exit" },
	{ "help", 'h', no_argument, NULL, "show this help" },
};

struct main_ctx {
	int verbosity;
	bool version;
};

static int main_opt(void *vctx, int key, const char *arg)
{
	struct main_ctx *ctx = vctx;

	if (key == 'v')
		ctx->verbosity++;
	else if (key == 'q')
		ctx->verbosity = -1;
	else if (key == 'V')
		ctx->version = true;
	return 0;
}

static void main_help(void)
{
	print_help("[options] <command> [command options]", "",
		   "Compares virtualization modes: the same guest agent and microbenchmarks in "
		   "every backend.\n\ncommands:\n"
		   "  list      backends, workloads, probes and profiles\n"
		   "  doctor    what can run here, and why not\n"
		   "  run       run the benchmark matrix and write results.json\n"
		   "  image     build the guest image, or show it\n"
		   "  report    Markdown, CSV, LaTeX and HTML reports of a results file\n"
		   "  plot      gnuplot plots (PNG, SVG) of a results file\n\n"
		   "'vmbench <command> --help' describes each.",
		   main_opts, ARRAY_SIZE(main_opts));
}

int cli_main(int argc, char **argv)
{
	struct main_ctx ctx = { 0 };
	int ret = parse_opts(NULL, argc, argv, main_opts, ARRAY_SIZE(main_opts), main_opt, &ctx);

	if (ret == -1) {
		main_help();
		return EXIT_OK;
	}
	if (ret)
		return ret;
	if (ctx.version) {
		printf("vmbench %s\n", VMBENCH_VERSION);
		return EXIT_OK;
	}
	log_set_level(ctx.verbosity < 0 ? LOG_ERR : ctx.verbosity == 0 ? LOG_INFO : LOG_DBG);
	if (optind >= argc)
		return usage_error(NULL,
				   "no command given (list, doctor, run, image, report or plot)");
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	if (strcmp(cmd, "list") == 0)
		return cmd_list(sub_argc, sub_argv);
	if (strcmp(cmd, "doctor") == 0)
		return cmd_doctor(sub_argc, sub_argv);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(sub_argc, sub_argv, argc, argv);
	if (strcmp(cmd, "image") == 0)
		return cmd_image(sub_argc, sub_argv);
	if (strcmp(cmd, "report") == 0 || strcmp(cmd, "plot") == 0)
		return cmd_derive(sub_argc, sub_argv, cmd[0] == 'r');
	return usage_error(NULL, "unknown command '%s' (list, doctor, run, image, report or plot)",
			   cmd);
}
