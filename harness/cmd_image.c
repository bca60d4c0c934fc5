/* 'vmbench image build|info': the guest image, built or shown. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/image.h"
#include "harness/prepare.h"
#include "host/process.h"
#include "host/util.h"

struct image_opts {
	const char *kernel, *cache;
};

static const struct cliopt image_opts[] = {
	{ "kernel", 0, CLIOPT_PATH, offsetof(struct image_opts, kernel), .metavar = "DIR",
	  .noun = "kernel tree",
	  .help = "an unpacked kernel tree (boot/vmlinuz-*, lib/modules/) instead of Debian's" },
	{ "cache", 0, CLIOPT_STR, offsetof(struct image_opts, cache), .metavar = "DIR",
	  .help = "the cache (default: $VMBENCH_CACHE, $XDG_CACHE_HOME/vmbench, "
		  "~/.cache/vmbench)" },
	{ NULL },
};

static int image_main(const struct cli_call *call)
{
	const struct image_opts *o = call->opts;
	const char *action = call->argv[0];
	bool build = strcmp(action, "build") == 0;
	char dir[PATH_MAX], err[512];
	int ret;

	if (!build && strcmp(action, "info") != 0)
		return cli_usage("image", "unknown action '%s' (build or info)", action);
	char *cache = o->cache ? strdup(o->cache) : util_cache_dir();
	char *agent = prepare_agent(), *agent_dir = prepare_agent_dir(agent);
	struct image_req req = { .cache = cache,
				 .agent_dir = agent_dir ? agent_dir : ".",
				 .kernel = o->kernel,
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

const struct cli_cmd cmd_image = {
	.name = "image",
	.synopsis = "build|info [options]",
	.summary = "build the guest image, or show it",
	.about = "build: makes the guest image (Debian's kernel, fetched once, and an initramfs "
		 "with busybox, vmbench-agent, fio and the device drivers), named by a hash of its "
		 "inputs and rebuilt only when one changes. info: paths, sizes and sha256 of the "
		 "current image.",
	.opts = image_opts,
	.opts_size = sizeof(struct image_opts),
	.nargs = 1,
	.missing = "say build or info",
	.run = image_main,
};
