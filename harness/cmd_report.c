/* 'vmbench report' and 'vmbench plot': one results file in, reports or plots next to it (or
 * in -o DIR) out. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/output.h"
#include "harness/report.h"
#include "host/util.h"

struct derive_opts {
	const char *outdir;
	unsigned formats; /* a mask of enum report_format */
};

/* Format i is the one of bit i (REPORT_MD is bit 0), so the choices' mask is the formats'. */
static const char *format_name(size_t i)
{
	static char names[8][8];

	if (i >= ARRAY_SIZE(names))
		return NULL;
	report_format_names(1u << i, "", names[i], sizeof(names[i]));
	return names[i][0] ? names[i] : NULL;
}

static const struct cliopt report_opts[] = {
	{ "output", 'o', CLIOPT_STR, offsetof(struct derive_opts, outdir), .metavar = "DIR",
	  .help = "where to write (default: the directory of RESULTS.json)" },
	{ "format", 0, CLIOPT_CHOICES, offsetof(struct derive_opts, formats),
	  .def = "md,csv,tex,html", .metavar = "LIST", .choice = format_name },
	{ NULL },
};

static const struct cliopt plot_opts[] = {
	{ "output", 'o', CLIOPT_STR, offsetof(struct derive_opts, outdir), .metavar = "DIR",
	  .help = "plots go to DIR/plots (default: the directory of RESULTS.json)" },
	{ NULL },
};

/* Loads the results file and writes what cmd derives from it. An exit status. */
static int derive_main(const struct cli_call *call, const char *cmd, enum output_plots plots)
{
	const struct derive_opts *o = call->opts;
	const char *path = call->argv[0];
	char dir[PATH_MAX];
	struct results res;
	int ret = cli_load_results(cmd, path, &res);

	if (ret != EXIT_OK)
		return ret;
	if (o->outdir)
		ret = snprintf(dir, sizeof(dir), "%s", o->outdir) < (int)sizeof(dir)
			      ? 0
			      : -ENAMETOOLONG;
	else
		ret = util_dir_of(path, dir, sizeof(dir));
	if (ret == 0)
		ret = util_check_writable_dir(dir);
	if (ret < 0) {
		ret = cli_usage(cmd, "cannot write to output directory '%s': %s", dir,
				strerror(-ret));
		goto out;
	}
	if (!res.complete)
		log_warn("%s is incomplete: the run was interrupted or is still going", path);
	ret = output_derive(&res, dir, plots, plots == OUTPUT_NO_PLOTS ? o->formats : 0) < 0
		      ? EXIT_FAILED
		      : EXIT_OK;
out:
	results_free(&res);
	return ret;
}

static int report_main(const struct cli_call *call)
{
	return derive_main(call, "report", OUTPUT_NO_PLOTS);
}

static int plot_main(const struct cli_call *call)
{
	return derive_main(call, "plot", OUTPUT_PLOTS);
}

const struct cli_cmd cmd_report = {
	.name = "report",
	.synopsis = "RESULTS.json [options]",
	.summary = "Markdown, CSV, LaTeX and HTML reports of a results file",
	.about = "Writes report.md, report.csv, report.tex (a booktabs table to \\input) and "
		 "report.html (one self-contained page with the plots of DIR/plots) from a "
		 "results file. Exit status: 0 written, 1 a write failed, 2 bad input (a malformed "
		 "or foreign file, an output directory that is not writable).",
	.opts = report_opts,
	.opts_size = sizeof(struct derive_opts),
	.nargs = 1,
	.missing = "name the results file (RESULTS.json)",
	.run = report_main,
};

const struct cli_cmd cmd_plot = {
	.name = "plot",
	.synopsis = "RESULTS.json [options]",
	.summary = "gnuplot plots (PNG, SVG) of a results file",
	.about = "Writes the plot data and renders the gnuplot scripts of plots/ to "
		 "DIR/plots/*.png and *.svg: overhead against native, traps per operation, the "
		 "memory latency curve, fio IOPS and p99 latency, boot time, with "
		 "$VMBENCH_GNUPLOT, else gnuplot. Exit status: 0 drawn, 1 gnuplot missing or "
		 "failed (or an image it wrote incomplete), 2 bad input.",
	.opts = plot_opts,
	.opts_size = sizeof(struct derive_opts),
	.nargs = 1,
	.missing = "name the results file (RESULTS.json)",
	.run = plot_main,
};
