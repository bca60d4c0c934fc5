/* What a run or a results file leaves for people: results/latest, the summary table on
 * stdout, the backends that did not run, and the reports and plots derived from it. */
#ifndef VMBENCH_OUTPUT_H
#define VMBENCH_OUTPUT_H

#include "common/compiler.h"
#include "harness/results.h"

enum output_plots {
	OUTPUT_NO_PLOTS,
	OUTPUT_PLOTS_IF_GNUPLOT, /* without gnuplot: reports without plots, and a warning */
	OUTPUT_PLOTS,
};

/*
 * The directory a run writes to, claimed for it alone: given (-o), one that holds no
 * results yet (made when missing); else results/<UTC time>, made exclusively, with -2, -3,
 * ... when a run started in the same second has it. Into dir. 0, or -errno with err.
 */
int output_claim_dir(const char *given, char *dir, size_t len, char *err, size_t elen) __must_check;
/* results/latest -> the newest run directory, replaced atomically (best effort). */
void output_link_latest(const char *outdir);
/* One line per cell on stdout: status, median, 95% CI. */
void output_summary(const struct results *res);
/* Logs each backend that did not run, with the reason (provenance backends.<name>). */
void output_skipped(const struct results *res);
/*
 * The plots and the reports (formats: a mask of enum report_format) of res in dir; plots
 * first, as the HTML report embeds them. Each failure is logged. 0, or the first -errno.
 */
int output_derive(const struct results *res, const char *dir, enum output_plots plots,
		  unsigned formats) __must_check;

#endif
