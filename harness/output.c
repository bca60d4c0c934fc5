/* A run's output besides results.json: the latest link, the summary table, the skipped
 * backends, and the reports and plots (for 'vmbench run', 'report' and 'plot' alike). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "harness/output.h"
#include "harness/plot.h"
#include "harness/report.h"
#include "host/util.h"

/* Runs in the same second get -2, -3, ...: more than this many is no longer a chance. */
#define SAME_SECOND_MAX 1000

int output_claim_dir(const char *given, char *dir, size_t len, char *err, size_t elen)
{
	char stamp[32], path[PATH_MAX + 32];
	int ret;

	if (given) {
		snprintf(path, sizeof(path), "%s/results.json", given);
		if (access(path, F_OK) == 0) {
			snprintf(err, elen,
				 "'%s' holds the results of another run: give a new directory",
				 given);
			return -EEXIST;
		}
		ret = util_check_writable_dir(given);
		if (ret < 0)
			snprintf(err, elen, "cannot write to output directory '%s': %s", given,
				 strerror(-ret));
		return ret < 0 ? ret : (snprintf(dir, len, "%s", given), 0);
	}
	ret = util_mkdir_p("results");
	if (ret < 0) {
		snprintf(err, elen, "cannot create 'results': %s", strerror(-ret));
		return ret;
	}
	util_utc_now(stamp, sizeof(stamp), true);
	for (unsigned i = 1; i <= SAME_SECOND_MAX; i++) {
		if (i == 1)
			snprintf(dir, len, "results/%s", stamp);
		else
			snprintf(dir, len, "results/%s-%u", stamp, i);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			ret = -errno;
			snprintf(err, elen, "cannot create output directory '%s': %s", dir,
				 strerror(errno));
			return ret;
		}
	}
	snprintf(err, elen, "results/%s-*: %d runs in one second", stamp, SAME_SECOND_MAX);
	return -EEXIST;
}

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
