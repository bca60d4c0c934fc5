/* 'vmbench compare': regression verdicts between two results files, or between two backends
 * of one, for people (a table) and for CI (exit status, Markdown, JUnit XML). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/cli.h"
#include "harness/compare.h"
#include "harness/compare_out.h"
#include "host/util.h"

struct compare_cli {
	const char *alpha, *threshold, *thresholds, *markdown, *junit;
	char **between;
	bool force;
};

#define OFF(f) offsetof(struct compare_cli, f)
static const struct cliopt compare_opts_table[] = {
	{ "alpha", 0, CLIOPT_STR, OFF(alpha), .metavar = "P",
	  .help = "a regression needs Welch's p below P (default 0.01)" },
	{ "threshold", 0, CLIOPT_STR, OFF(threshold), .metavar = "PCT",
	  .help = "and the whole 95% CI of the change beyond PCT percent (default 5)" },
	{ "thresholds", 0, CLIOPT_PATH, OFF(thresholds), .metavar = "FILE", .noun = "file",
	  .help = "per-workload thresholds: a JSON object of workload globs to percents, the "
		  "first match counts ({\"io.*\": 20, \"syscall.getppid\": 3})" },
	{ "between", 0, CLIOPT_LIST, OFF(between), .metavar = "A,B",
	  .help = "compare backend B with backend A of one results file" },
	{ "force", 0, CLIOPT_FLAG, OFF(force),
	  .help = "compare runs that are not comparable (another host CPU, guest image, ...)" },
	{ "markdown", 0, CLIOPT_STR, OFF(markdown), .metavar = "FILE",
	  .help = "also write the table as Markdown (a CI job summary)" },
	{ "junit", 0, CLIOPT_STR, OFF(junit), .metavar = "FILE",
	  .help = "also write JUnit XML: a testcase per cell, a failure per regression" },
	{ NULL },
};
#undef OFF

static int load(const char *path, struct results *r)
{
	int ret = cli_load_results("compare", path, r);

	/* Not 1, which says "a regression" to a CI job. */
	return ret == EXIT_FAILED ? EXIT_USAGE : ret;
}

/* JUnit properties: where the numbers come from. */
static json_t *junit_props(const char *base, const struct results *b, const char *new,
			   const struct results *n)
{
	json_t *p = json_object();
	json_t *hb = json_object_get(b->provenance, "host");

	json_object_set_new(p, "base", json_string(base));
	if (new)
		json_object_set_new(p, "new", json_string(new));
	json_object_set(p, "base_date", json_object_get(b->provenance, "date"));
	if (n)
		json_object_set(p, "new_date", json_object_get(n->provenance, "date"));
	json_object_set(p, "host", json_object_get(hb, "hostname"));
	json_object_set(p, "cpu_model", json_object_get(hb, "cpu_model"));
	json_object_set(p, "vmbench",
			json_object_get(json_object_get(b->provenance, "vmbench"), "version"));
	json_object_set_new(p, "method",
			    json_string("change and 95% CI: Welch's t on the logarithms of the "
					"session medians; p: Welch's t-test of the same"));
	return p;
}

static int write_out(const char *path, char *text, const char *what)
{
	int ret = text ? util_write_atomic(path, text, strlen(text)) : -ENOMEM;

	free(text);
	if (ret < 0) {
		log_err("cannot write the %s to %s: %s", what, path, strerror(-ret));
		return -1;
	}
	return 0;
}

static int compare_main(const struct cli_call *call)
{
	const struct compare_cli *o = call->opts;
	struct compare_opts co = { .alpha = COMPARE_ALPHA, .threshold = COMPARE_THRESHOLD };
	struct results base, new;
	struct compare c = { 0 };
	char why[1024], title[700];
	bool between = o->between != NULL;
	int ret;

	if (o->alpha && cli_parse_number(o->alpha, 0, 0.5, true, &co.alpha) < 0)
		return cli_usage("compare", "--alpha must be a number in (0, 0.5), not '%.40s'",
				 o->alpha);
	if (o->threshold && cli_parse_number(o->threshold, 0, 1000, false, &co.threshold) < 0)
		return cli_usage(
			"compare",
			"--threshold must be a number of percent in [0, 1000), not '%.40s'",
			o->threshold);
	if (between && call->argc != 1)
		return cli_usage("compare", "--between takes one results file");
	if (!between && call->argc != 2)
		return cli_usage("compare", "name two results files (BASE.json NEW.json), or one "
					    "with --between A,B");
	if (between && (!o->between[0] || !o->between[1] || o->between[2] ||
			strcmp(o->between[0], o->between[1]) == 0))
		return cli_usage("compare", "--between takes two different backends: A,B");
	if (o->thresholds) {
		json_error_t je;
		co.thresholds = json_load_file(o->thresholds, JSON_REJECT_DUPLICATES, &je);
		if (!co.thresholds)
			return cli_usage("compare", "%s:%d:%d: %s", o->thresholds, je.line,
					 je.column, je.text);
		if (compare_check_thresholds(co.thresholds, why, sizeof(why)) < 0) {
			json_decref(co.thresholds);
			return cli_usage("compare", "%s: %s", o->thresholds, why);
		}
	}
	results_init(&new);
	if ((ret = load(call->argv[0], &base)) != EXIT_OK)
		goto out_thresholds;
	if (!between && (ret = load(call->argv[1], &new)) != EXIT_OK)
		goto out_base;
	if (between) {
		for (size_t i = 0; i < 2; i++)
			if (!json_object_get(json_object_get(base.provenance, "backends"),
					     o->between[i])) {
				ret = cli_usage("compare", "%s has no backend '%.60s'",
						call->argv[0], o->between[i]);
				goto out;
			}
		snprintf(title, sizeof(title), "vmbench compare: %.60s -> %.60s in %.400s",
			 o->between[0], o->between[1], call->argv[0]);
		ret = compare_backends(&base, o->between[0], o->between[1], &co, &c);
	} else {
		compare_differences(&base, &new, why, sizeof(why));
		util_printable(why);
		if (why[0] && !o->force) {
			ret = cli_usage("compare",
					"the runs are not comparable: %s (--force compares them "
					"anyway)",
					why);
			goto out;
		}
		if (why[0])
			log_warn("compared although not comparable: %s", why);
		if (!base.complete || !new.complete)
			log_warn("a results file is incomplete: its run was interrupted");
		snprintf(title, sizeof(title), "vmbench compare: %.300s -> %.300s", call->argv[0],
			 call->argv[1]);
		ret = compare_runs(&base, &new, &co, &c);
	}
	if (ret < 0) {
		log_err("out of memory");
		ret = EXIT_USAGE;
		goto out;
	}
	compare_print(stdout, &c, &co);
	for (size_t i = 0; i < c.n; i++) {
		struct compare_row *r = &c.rows[i];
		char w[64];
		if (r->verdict != VERDICT_NONE)
			continue;
		snprintf(w, sizeof(w), "%s", r->workload);
		log_warn("%s %s: no verdict: %s", util_printable(r->label), util_printable(w),
			 util_printable(r->why));
	}
	if (c.n == c.unjudged)
		log_warn("no cell could be judged: nothing was compared");
	ret = c.regressions ? EXIT_FAILED : EXIT_OK;
	if (o->markdown && write_out(o->markdown, compare_markdown(&c, &co, title), "Markdown") < 0)
		ret = EXIT_USAGE;
	if (o->junit) {
		json_t *props = junit_props(call->argv[0], &base, between ? NULL : call->argv[1],
					    between ? NULL : &new);
		/* The suite's time and host: those of the numbers judged, the new run's. */
		json_t *judged = between ? base.provenance : new.provenance;
		const char *date = json_string_value(json_object_get(judged, "date"));
		const char *host = json_string_value(
			json_object_get(json_object_get(judged, "host"), "hostname"));
		if (write_out(o->junit, compare_junit(&c, &co, props, date, host), "JUnit XML") < 0)
			ret = EXIT_USAGE;
		json_decref(props);
	}
	compare_free(&c);
out:
	results_free(&new);
out_base:
	results_free(&base);
out_thresholds:
	json_decref(co.thresholds);
	return ret;
}

const struct cli_cmd cmd_compare = {
	.name = "compare",
	.synopsis = "BASE.json NEW.json | RESULTS.json --between A,B [options]",
	.summary = "regressions between two results files, or two backends of one",
	.about =
		"Matches the cells of two results files by backend and workload (and problem "
		"size) and prints both medians, the change with its 95% CI and a p-value, from the "
		"sessions, the unit of replication: Welch's t on the logarithms of the session "
		"medians. A cell regresses when p < alpha and the whole CI lies beyond the "
		"threshold on the side that is worse for its unit; it improves by the same rule "
		"the other way; else '~'. Cells with fewer than 2 sessions a side get no verdict. "
		"Runs on another host CPU, guest image, guest memory or vCPU count, or with a "
		"backend in another mode or accelerator are refused unless --force. Exit status: "
		"0 no regression, 1 a regression, 2 bad input.",
	.opts = compare_opts_table,
	.opts_size = sizeof(struct compare_cli),
	.nargs = 1,
	.max_args = 2,
	.missing = "name two results files (BASE.json NEW.json), or one with --between A,B",
	.run = compare_main,
};
