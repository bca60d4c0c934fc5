/* 'vmbench doctor': whether each backend can run here, and what the host offers. */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/doctor.h"
#include "harness/image.h"
#include "harness/leftovers.h"
#include "harness/prepare.h"
#include "host/util.h"

struct doctor_opts {
	const char *agent;
	bool clean;
};

static const struct cliopt doctor_opts[] = {
	{ "agent", 0, CLIOPT_STR, offsetof(struct doctor_opts, agent), .metavar = "PATH",
	  .help = "the vmbench-agent binary (default: next to vmbench)",
	  .check = prepare_check_agent },
	{ "clean", 0, CLIOPT_FLAG, offsetof(struct doctor_opts, clean),
	  .help = "only remove what killed runs left (processes, containers, cgroups, "
		  "directories, vm.max_map_count), saying what" },
	{ NULL },
};

/* What killed runs left, removed: each run's list is logged, else one line says none. */
static int doctor_clean(void)
{
	int n = leftovers_sweep();

	if (n < 0) {
		log_err("cannot use the state directory of runs: %s", strerror(-n));
		return EXIT_FAILED;
	}
	if (n == 0)
		printf("nothing left by killed runs\n");
	return EXIT_OK;
}

static int doctor_run(const struct cli_call *call)
{
	const struct doctor_opts *o = call->opts;

	if (o->clean)
		return doctor_clean();
	char *agent = o->agent ? strdup(o->agent) : prepare_agent();
	char note[PATH_MAX + 64], dir[PATH_MAX], err[256];
	int st = agent ? util_elf_is_static(agent) : -ENOENT;

	snprintf(note, sizeof(note), "%s (%s)", agent ? agent : "(not found)",
		 st == 1   ? "static"
		 : st == 0 ? "dynamic: guests cannot run it"
			   : strerror(-st));
	/* The guest image, if it is built (doctor builds nothing). */
	char *cache = util_cache_dir(), *agent_dir = prepare_agent_dir(agent);
	struct image_req req = { .cache = cache, .agent_dir = agent_dir ? agent_dir : "." };
	json_t *image = cache && image_locate(&req, dir, sizeof(dir), err, sizeof(err)) == 0
				? image_info(dir)
				: NULL;
	struct backend_cfg cfg = {
		.agent_path = agent,
		.cpu = -1,
		.vcpus = PREPARE_VCPUS,
		.mem_mib = PREPARE_MEM_MIB,
	};
	image_to_cfg(image, "not built yet: 'vmbench image build' (vmbench run builds it too)",
		     &cfg);
	doctor_report(stdout, &cfg, note);
	json_decref(image);
	free(cache);
	free(agent_dir);
	free(agent);
	return EXIT_OK;
}

const struct cli_cmd cmd_doctor = {
	.name = "doctor",
	.synopsis = "[--agent PATH] [--clean]",
	.summary = "what can run here, and why not",
	.about =
		"Says for every backend whether it can run here, and if not why; and what the "
		"host offers: KVM, PMU events, perf_event_paranoid, topology, tools. With --clean, "
		"removes what runs that were killed left instead.",
	.opts = doctor_opts,
	.opts_size = sizeof(struct doctor_opts),
	.run = doctor_run,
};
