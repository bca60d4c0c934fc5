/* 'vmbench export': a results file as the document a tracking service reads (Bencher Metric
 * Format, Google Benchmark's JSON), on standard output or into a file. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/export.h"
#include "host/util.h"

struct export_cli {
	unsigned format; /* enum export_format */
	bool format_seen;
	const char *output;
};

#define OFF(f) offsetof(struct export_cli, f)
static const struct cliopt export_opts_table[] = {
	{ "format", 'f', CLIOPT_CHOICE, OFF(format), .metavar = "NAME",
	  .choice = export_format_name, .seen = CLIOPT_SEEN(struct export_cli, format_seen),
	  .help = "the document to write (required)" },
	{ "output", 'o', CLIOPT_STR, OFF(output), .metavar = "FILE",
	  .help = "write it to FILE, atomically (default: standard output)" },
	{ NULL },
};
#undef OFF

/* The document on stdout, or in path. 0, or -errno (said). */
static int write_doc(const char *path, const char *text)
{
	int ret = 0;

	if (path) {
		ret = util_write_atomic(path, text, strlen(text));
		if (ret < 0)
			log_err("cannot write %s: %s", path, strerror(-ret));
		return ret;
	}
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		ret = -errno;
		log_err("cannot write to standard output: %s", strerror(errno));
	}
	return ret;
}

static int export_main(const struct cli_call *call)
{
	const struct export_cli *o = call->opts;
	const char *path = call->argv[0];
	struct results res;
	char *text = NULL;
	json_t *doc = NULL;
	int ret;

	/* A tracker keeps what it is fed: no format is more likely than the other. */
	if (!o->format_seen)
		return cli_usage("export", "name the format: --format %s or --format %s",
				 export_format_name(EXPORT_BMF), export_format_name(EXPORT_GBENCH));
	ret = cli_load_results("export", path, &res);
	if (ret != EXIT_OK)
		return ret;
	if (!res.complete)
		log_warn("%s is incomplete: the run was interrupted or is still going", path);
	ret = export_build(&res, (enum export_format)o->format, &doc);
	if (ret == 0) {
		text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		ret = text ? 0 : -ENOMEM;
	}
	if (ret < 0) {
		log_err("cannot export %s: %s", path, strerror(-ret));
		ret = EXIT_FAILED;
		goto out;
	}
	if ((o->format == EXPORT_GBENCH ? json_array_size(json_object_get(doc, "benchmarks"))
					: json_object_size(doc)) == 0)
		log_warn("%s has no measured cell: the document is empty", path);
	ret = write_doc(o->output, text) < 0 ? EXIT_FAILED : EXIT_OK;
out:
	free(text);
	json_decref(doc);
	results_free(&res);
	return ret;
}

const struct cli_cmd cmd_export = {
	.name = "export",
	.synopsis = "--format bmf|gbench RESULTS.json [options]",
	.summary = "a results file for a tracking service (Bencher, Google Benchmark JSON)",
	.about = "Writes the measured cells of a results file (ok and noisy; skipped and failed "
		 "ones are left out), each named backend/workload, as a tracking service reads "
		 "them. bmf: Bencher Metric Format for 'bencher run --adapter json': the "
		 "estimate and its 95% CI as value, lower_value and upper_value, times per "
		 "operation as the latency measure in ns, operations per second as throughput, "
		 "other units as a measure named after the unit (gb-per-s, mb-per-s, "
		 "ns-per-mib). gbench: Google Benchmark's JSON output (github-action-benchmark's "
		 "googlecpp tool, conbench, compare.py): one iteration entry per cell, a time as "
		 "real_time in its own unit, a rate as bytes_per_second or items_per_second with "
		 "real_time the time of one unit of it (1 GB, one I/O), the CI as the counters "
		 "real_time_ci95_lo and _hi, the unit and a noisy cell's reason as its label. "
		 "Exit status: 0 written, 1 the document could not be written, 2 bad input.",
	.opts = export_opts_table,
	.opts_size = sizeof(struct export_cli),
	.nargs = 1,
	.missing = "name the results file (RESULTS.json)",
	.run = export_main,
};
