/* 'vmbench merge': the results files of several hosts (a CI matrix, a lab's machines) as one,
 * with its reports and plots, the hosts side by side. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/merge.h"
#include "harness/output.h"
#include "harness/provenance.h"
#include "harness/report.h"
#include "host/util.h"

struct merge_cli {
	const char *outdir;
	char **hosts;
};

static const struct cliopt merge_opts_table[] = {
	{ "output", 'o', CLIOPT_STR, offsetof(struct merge_cli, outdir), .metavar = "DIR",
	  .help = "where the merged results.json, reports and plots go (required)" },
	{ "hosts", 0, CLIOPT_LIST, offsetof(struct merge_cli, hosts), .metavar = "LABEL,...",
	  .help = "a label per file, in order (default: each run's hostname, made unique)" },
	{ NULL },
};

/* Reads and checks one input: 0, or an exit status with the message given. */
static int load_input(const char *path, json_t **root)
{
	char err[1024];
	json_error_t je;
	struct results r;
	int ret;

	*root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*root && je.line < 1)
		return cli_usage("merge", "%s", je.text);
	if (!*root)
		return cli_usage("merge", "%s:%d:%d: %s", path, je.line, je.column, je.text);
	ret = results_from_json(*root, &r, err, sizeof(err));
	results_free(&r);
	if (ret == -ENOMEM) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	if (ret < 0)
		return cli_usage("merge", "%s: %s", path, util_printable(err));
	return 0;
}

/* Refuses an output directory whose results.json is one of the inputs: the merge would
 * replace a run it reads. 0 or EXIT_USAGE. */
static int output_is_input(const char *dir, const struct merge_input *in, int n)
{
	char out[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	if (snprintf(out, sizeof(out), "%s/results.json", dir) >= (int)sizeof(out) ||
	    !realpath(out, a))
		return 0;
	for (int i = 0; i < n; i++)
		if (realpath(in[i].path, b) && !strcmp(a, b))
			return cli_usage("merge", "%s is an input: write the merge elsewhere (-o)",
					 out);
	return 0;
}

/* Writes the merged document as results.json (checked and derived again, as any results
 * file read) and its reports and plots; doc's reference is taken. An exit status. */
static int write_merged(json_t *doc, const char *dir)
{
	char err[1024], path[PATH_MAX];
	struct results r;
	int ret = results_take_json(doc, &r, err, sizeof(err));

	if (ret < 0) {
		log_err("the merged document: %s", ret == -ENOMEM ? "out of memory" : err);
		return EXIT_FAILED;
	}
	if (snprintf(path, sizeof(path), "%s/results.json", dir) >= (int)sizeof(path))
		ret = -ENAMETOOLONG;
	else
		ret = results_write(&r, path);
	if (ret < 0) {
		log_err("cannot write %s: %s", path, strerror(-ret));
		results_free(&r);
		return EXIT_FAILED;
	}
	log_info("merged: %s (%zu cells)", path, r.n);
	ret = output_derive(&r, dir, OUTPUT_PLOTS_IF_GNUPLOT, REPORT_ALL) < 0 ? EXIT_FAILED
									      : EXIT_OK;
	results_free(&r);
	return ret;
}

static int merge_main(const struct cli_call *call)
{
	const struct merge_cli *o = call->opts;
	struct merge_input *in = calloc(call->argc, sizeof(*in));
	json_t *by = NULL, *doc = NULL;
	size_t nhosts = 0, plain = 0;
	char err[1024];
	int ret = EXIT_OK;

	if (!in) {
		log_err("out of memory");
		return EXIT_FAILED;
	}
	while (o->hosts && o->hosts[nhosts])
		nhosts++;
	if (!o->outdir) {
		ret = cli_usage("merge", "name the output directory (-o DIR)");
		goto out;
	}
	for (int i = 0; ret == EXIT_OK && i < call->argc; i++) {
		in[i].path = call->argv[i];
		ret = load_input(in[i].path, &in[i].root);
		if (ret == EXIT_OK && !merge_is_merged(in[i].root))
			plain++;
	}
	if (ret != EXIT_OK)
		goto out;
	/* Labels name runs; a merged file's hosts have theirs. */
	if (o->hosts && nhosts != plain) {
		ret = cli_usage(
			"merge",
			"--hosts names %zu hosts for %zu runs: one label a run, in order (a "
			"merged file takes none)",
			nhosts, plain);
		goto out;
	}
	for (int i = 0, k = 0; o->hosts && i < call->argc; i++)
		if (!merge_is_merged(in[i].root))
			in[i].label = o->hosts[k++];
	ret = output_is_input(o->outdir, in, call->argc);
	if (ret != EXIT_OK)
		goto out;
	ret = util_mkdir_p(o->outdir);
	if (ret == 0)
		ret = util_check_writable_dir(o->outdir);
	if (ret < 0) {
		ret = cli_usage("merge", "cannot write to output directory '%s': %s", o->outdir,
				strerror(-ret));
		goto out;
	}
	by = provenance_collect(call->full_argc, call->full_argv);
	ret = by ? merge_docs(in, call->argc, by, &doc, err, sizeof(err)) : -ENOMEM;
	if (ret == -EINVAL) {
		ret = cli_usage("merge", "%s", err);
	} else if (ret < 0) {
		log_err("out of memory");
		ret = EXIT_FAILED;
	} else {
		/* The inputs' trees go before the merged file's model and its own tree are
		 * made; what doc shares with them stays. */
		for (int i = 0; i < call->argc; i++) {
			json_decref(in[i].root);
			in[i].root = NULL;
		}
		ret = write_merged(doc, o->outdir);
		doc = NULL;
	}
out:
	for (int i = 0; i < call->argc; i++)
		json_decref(in[i].root);
	free(in);
	json_decref(by);
	json_decref(doc);
	return ret;
}

const struct cli_cmd cmd_merge = {
	.name = "merge",
	.synopsis = "-o DIR RESULTS.json... [options]",
	.summary = "one results file, reports and plots from the runs of several hosts",
	.about = "Merges results files of several hosts (a CI matrix, a lab's machines) into "
		 "DIR/results.json and writes its reports and plots: every cell keeps its host, "
		 "tables and plots call its backend backend@host, each ratio is against the "
		 "baseline of its own host, and the provenance keeps every run's. A merged file "
		 "can be merged again. Exit status: 0 written, 1 a write failed, 2 bad input (a "
		 "malformed file, a label used twice, runs against different baselines).",
	.opts = merge_opts_table,
	.opts_size = sizeof(struct merge_cli),
	.nargs = 1,
	.max_args = 256,
	.missing = "name the results files to merge",
	.run = merge_main,
};
