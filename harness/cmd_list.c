/* 'vmbench list': the backends, workloads, probes, profiles and presets this build knows. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/cli.h"
#include "harness/plan.h"
#include "harness/registry.h"

struct list_opts {
	bool backends, workloads, probes, profiles, presets;
};

static const struct cliopt list_opts[] = {
	{ "backends", 'b', CLIOPT_FLAG, offsetof(struct list_opts, backends),
	  .help = "list the backends" },
	{ "workloads", 'w', CLIOPT_FLAG, offsetof(struct list_opts, workloads),
	  .help = "list the workloads" },
	{ "probes", 0, CLIOPT_FLAG, offsetof(struct list_opts, probes), .help = "list the probes" },
	{ "profiles", 0, CLIOPT_FLAG, offsetof(struct list_opts, profiles),
	  .help = "list the profiles" },
	{ "presets", 0, CLIOPT_FLAG, offsetof(struct list_opts, presets),
	  .help = "list the presets (named selections of workloads for vmbench run --preset)" },
	{ NULL },
};

static void list_backends(void)
{
	printf("backends:\n");
	for (size_t i = 0; i < backend_count; i++)
		printf("  %-12s %-24s %s%s\n", backend_table[i]->name, backend_table[i]->mode,
		       backend_table[i]->summary,
		       backend_table[i]->flags & BK_TEST ? " [test]" : "");
}

static void list_workloads(void)
{
	printf("workloads:\n");
	for (size_t i = 0; i < catalog_count(); i++) {
		const struct workload_ops *w = catalog_at(i);
		printf("  %-18s %-7s %-6s %s%s\n", w->name, w->unit,
		       w->better == BETTER_LOWER ? "lower" : "higher", w->summary,
		       w->flags & WL_TEST     ? " [test]"
		       : w->flags & WL_DRIVEN ? " [driven: run by a host workload]"
					      : "");
	}
}

static void list_probes(void)
{
	printf("probes:\n");
	for (size_t i = 0; i < probe_count; i++)
		printf("  %-12s %s\n", probe_table[i]->name, probe_table[i]->summary);
}

static void list_profiles(void)
{
	bool same = true;

	printf("profiles:\n  %-10s %7s %7s %10s %5s %8s %6s %10s  %s\n", "name", "samples",
	       "warm-up", "min sample", "boots", "sessions", "quiet", "max sample", "what for");
	for (size_t i = 0; i < profile_count; i++) {
		const struct profile *p = &profile_table[i];
		printf("  %-10s %7u %7u %8llums %5u %8u %5us %9.1fs  %s\n", p->name, p->reps,
		       p->warmup, (unsigned long long)(p->min_sample_ns / 1000000), p->boot_reps,
		       p->rounds, p->quiet_s ? p->quiet_s : PLAN_QUIET_S,
		       (double)profile_max_sample_ms(p) / 1e3, p->summary);
	}
	/* Once when every profile has the same (the usual case). */
	for (size_t i = 1; i < profile_count; i++)
		same &= !strcmp(profile_table[i].stop_rule, profile_table[0].stop_rule);
	for (size_t i = 0; i < (same ? 1 : profile_count); i++)
		printf("  stop rule%s%s: %s\n", same ? "" : " of ",
		       same ? "" : profile_table[i].name, profile_table[i].stop_rule);
}

static void list_presets(void)
{
	printf("presets (vmbench run --preset NAME):\n");
	for (size_t i = 0; i < preset_count; i++)
		printf("  %-10s %-12s %s\n", preset_table[i].name, preset_table[i].workloads,
		       preset_table[i].summary);
}

static int list_run(const struct cli_call *call)
{
	const struct list_opts *o = call->opts;
	/* No section named: all of them. */
	bool all = !o->backends && !o->workloads && !o->probes && !o->profiles && !o->presets;

	if (all || o->backends)
		list_backends();
	if (all || o->workloads)
		list_workloads();
	if (all || o->probes)
		list_probes();
	if (all || o->profiles)
		list_profiles();
	if (all || o->presets)
		list_presets();
	return EXIT_OK;
}

const struct cli_cmd cmd_list = {
	.name = "list",
	.synopsis = "[--backends] [--workloads] [--probes] [--profiles] [--presets]",
	.summary = "backends, workloads, probes, profiles and presets",
	.about = "Lists backends, workloads, probes, profiles and presets, one a line (all "
		 "sections when none is named).",
	.opts = list_opts,
	.opts_size = sizeof(struct list_opts),
	.run = list_run,
};
