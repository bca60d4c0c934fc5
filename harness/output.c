/* A run's output besides results.json: the latest link, the summary table, the skipped
 * backends, and the reports and plots (for 'vmbench run', 'report' and 'plot' alike). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "harness/output.h"
#include "harness/plot.h"
#include "harness/report.h"

void output_link_latest(const char *outdir)
{
	const char *base = strrchr(outdir, '/');
	char tmp[PATH_MAX];

	base = base ? base + 1 : outdir;
	/* rename() over the old link: a reader never finds it missing. */
	snprintf(tmp, sizeof(tmp), "results/.latest.%d", (int)getpid());
	unlink(tmp);
	if (symlink(base, tmp) == 0 && rename(tmp, "results/latest") < 0)
		unlink(tmp);
}

void output_summary(const struct results *res)
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

void output_skipped(const struct results *res)
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

int output_derive(const struct results *res, const char *dir, enum output_plots plots,
		  unsigned formats)
{
	char err[1024];
	size_t drawn = 0;
	int ret, first = 0;

	if (plots != OUTPUT_NO_PLOTS) {
		ret = plot_write(res, dir, &drawn, err, sizeof(err));
		if (ret == -ENOENT && plots == OUTPUT_PLOTS_IF_GNUPLOT) {
			log_warn("no plots: %s", err);
		} else if (ret < 0) {
			log_err("plots: %s", err);
			first = ret;
		} else {
			log_info("plots: %zu in %s/plots", drawn, dir);
		}
	}
	if (formats) {
		ret = report_write(res, dir, formats, err, sizeof(err));
		if (ret < 0) {
			log_err("report: %s", err);
			first = first ? first : ret;
		} else {
			char names[32];
			report_format_names(formats, ",", names, sizeof(names));
			log_info("report: %s/report.{%s}", dir, names);
		}
	}
	return first;
}
