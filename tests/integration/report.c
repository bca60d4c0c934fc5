/*
 * Integration tests of `vmbench report` and `vmbench plot` as a user runs them: after a
 * real run (native and the null backend: fast, no image needed), the files are there, the
 * HTML page renders in headless Chromium with its plots loaded, and malformed or foreign
 * results files are refused with exit status 2.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "host/util.h"
#include "tests/test_util.h"

TestSuite(report, .fini = cli_cleanup);

static bool exists(const char *dir, const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* The first name in dir/sub that starts with a dot, as the plots' temp files do; or NULL. */
static const char *hidden(const char *dir, const char *sub)
{
	static char name[256];
	char path[600];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	cr_assert_not_null(d, "%s", path);
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(name, sizeof(name), "%s", e->d_name);
			closedir(d);
			return name;
		}
	closedir(d);
	return NULL;
}

static char *slurp(const char *dir, const char *name)
{
	char path[600];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *s = util_read_file(path, 64u << 20, &len);
	cr_assert_not_null(s, "cannot read %s", path);
	return s;
}

static const char *const stems[] = { "overhead", "traps", "memlat", "fio", "boot" };

/* The run writes the four reports and the five plots next to results.json. */
Test(report, run_writes_reports_and_plots, .timeout = 600)
{
	static char err[1 << 16];
	char *dir = cli_tmpdir(), name[64];
	struct results res;

	cli_need_program("gnuplot");
	char *argv[] = { "vmbench",	"run",
			 "--backends",	"native,null",
			 "--workloads", "syscall.getppid,mem.lat,io.randread4k.qd1,lifecycle.boot",
			 "--reps",	"6",
			 "-o",		dir,
			 NULL };
	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "%s", err);
	/* gnuplot had nothing to warn about: one backend's fio bars included (in the whole
	 * of what the run said). */
	cr_assert_lt(strlen(err), sizeof(err) - 1, "stderr cut short");
	cr_assert_null(strstr(err, "gnuplot"), "%s", err);
	results_free(&res);
	static const char *const reports[] = { "report.md", "report.csv", "report.tex",
					       "report.html" };
	for (size_t i = 0; i < 4; i++)
		cr_assert(exists(dir, reports[i]), "%s missing: %s", reports[i], err);
	for (size_t i = 0; i < ARRAY_SIZE(stems); i++) {
		snprintf(name, sizeof(name), "plots/%s.png", stems[i]);
		cr_assert(exists(dir, name), "%s missing: %s", name, err);
		snprintf(name, sizeof(name), "plots/%s.svg", stems[i]);
		cr_assert(exists(dir, name), "%s missing", name);
		snprintf(name, sizeof(name), "plots/%s.dat", stems[i]);
		cr_assert(exists(dir, name), "%s missing", name);
	}
	/* The data behind them: native's memory latency curve and the null backend's
	 * slowdown with its interval. */
	char *memlat = slurp(dir, "plots/memlat.dat");
	cr_assert_geq(test_count(memlat, "\n"), 10, "%s", memlat);
	free(memlat);
	char *over = slurp(dir, "plots/overhead.dat");
	cr_assert_not_null(strstr(over, "# workload\tnull\tnull_lo\tnull_hi"), "%s", over);
	cr_assert_not_null(strstr(over, "\nsyscall.getppid\t"), "%s", over);
	free(over);
	/* The Markdown report embeds each plot by its relative path. */
	char *md = slurp(dir, "report.md");
	cr_assert_not_null(strstr(md, "](plots/overhead.png)"));
	free(md);

	/* Again from the file, into another directory, only two formats. */
	char *other = cli_tmpdir(), path[600];
	snprintf(path, sizeof(path), "%s/results.json", dir);
	char *rep[] = { "vmbench", "report", path, "-o", other, "--format", "md,csv", NULL };
	cr_assert_eq(cli_run(rep, err, sizeof(err)), 0, "%s", err);
	cr_assert(exists(other, "report.md") && exists(other, "report.csv"));
	cr_assert(!exists(other, "report.html") && !exists(other, "report.tex"));
	char *plot[] = { "vmbench", "plot", path, "-o", other, NULL };
	cr_assert_eq(cli_run(plot, err, sizeof(err)), 0, "%s", err);
	cr_assert(exists(other, "plots/boot.png"), "%s", err);
	const char *left = hidden(other, "plots");
	cr_assert_null(left, "a temp file stays: plots/%s", left);
}

/* The HTML page in headless Chromium: the tables are there and every plot loaded (the
 * page marks each image loaded or broken once it has loaded). */
Test(report, html_renders_in_chromium, .timeout = 600)
{
	char *dir = cli_tmpdir(), *profile = cli_tmpdir(), err[4096], cmd[4096];
	struct results res;

	cli_need_program("gnuplot");
	cli_need_program("chromium");
	char *argv[] = { "vmbench",	"run",
			 "--backends",	"native,null",
			 "--workloads", "syscall.getppid,syscall.read,lifecycle.boot",
			 "--reps",	"6",
			 "-o",		dir,
			 NULL };
	cr_assert_eq(cli_run_results(argv, dir, &res, err, sizeof(err)), 0, "%s", err);
	results_free(&res);
	snprintf(cmd, sizeof(cmd),
		 "chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
		 "--user-data-dir=%s --virtual-time-budget=10000 --window-size=1400,4000 "
		 "--screenshot=%s/page.png --dump-dom file://%s/report.html > %s/dom.html "
		 "2> %s/chromium.log",
		 profile, dir, dir, dir, dir);
	int st = system(cmd);
	char *log = slurp(dir, "chromium.log");
	cr_assert_eq(st, 0, "chromium failed (%d): %s", st, log);
	free(log);
	char *dom = slurp(dir, "dom.html");
	cr_assert_not_null(strstr(dom, "data-ready=\"1\""), "the page's load handler ran");
	size_t plots = test_count(dom, "class=\"plot\""), drawn = 0;
	char name[64];
	for (size_t i = 0; i < ARRAY_SIZE(stems); i++) {
		snprintf(name, sizeof(name), "plots/%s.png", stems[i]);
		drawn += exists(dir, name);
	}
	cr_assert_geq(drawn, 2, "overhead and boot at least");
	cr_assert_eq(plots, drawn, "the page shows every plot drawn");
	cr_assert_eq(test_count(dom, "data-state=\"loaded\""), plots, "every plot loaded");
	cr_assert_eq(test_count(dom, "data-state=\"broken\""), 0);
	cr_assert_geq(test_count(dom, "<table"), 5, "backends, summary, all, two workloads");
	cr_assert_not_null(strstr(dom, "Hardware counters"));
	free(dom);
	cr_assert(exists(dir, "page.png"), "the screenshot");
}

/* Compiles dir/report.tex \input into the document its header asks for; the log. */
static char *pdflatex(const char *dir)
{
	char cmd[4096], path[600];

	char *tex = slurp(dir, "report.tex");
	cr_assert_not_null(strstr(tex, "\\usepackage{booktabs,graphicx}"),
			   "the header names its packages");
	free(tex);
	snprintf(path, sizeof(path), "%s/doc.tex", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("\\documentclass{article}\n\\usepackage{booktabs,graphicx}\n\\begin{document}\n"
	      "\\input{report.tex}\n\\end{document}\n",
	      f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && pdflatex -interaction=nonstopmode -halt-on-error doc.tex "
		 "> latex.log 2>&1",
		 dir);
	int st = system(cmd);
	char *log = slurp(dir, "latex.log");
	cr_assert_eq(st, 0, "pdflatex failed (%d): %s", st, log);
	cr_assert_null(strstr(log, "\n! "), "%s", log);
	cr_assert(exists(dir, "doc.pdf"));
	return log;
}

/*
 * The LaTeX report compiles with pdflatex (a syntax error, an unescaped special character
 * or a stray non-ASCII byte would not), and a table of seven backends still fits the
 * page: the same cells under more names, reported again from the file.
 */
Test(report, tex_compiles_with_pdflatex, .timeout = 600)
{
	char *dir = cli_tmpdir(), *wide = cli_tmpdir(), err[4096], path[600], wpath[600];
	struct results res;

	cli_need_program("pdflatex");
	char *argv[] = { "vmbench",	"run",
			 "--backends",	"native,null",
			 "--workloads", "syscall.getppid,signal.handle,mem.lat,lifecycle.boot",
			 "--reps",	"6",
			 "-o",		dir,
			 NULL };
	cr_assert_eq(cli_run_results(argv, dir, &res, err, sizeof(err)), 0, "%s", err);
	results_free(&res);
	free(pdflatex(dir));

	snprintf(path, sizeof(path), "%s/results.json", dir);
	json_t *root = json_load_file(path, 0, NULL);
	cr_assert_not_null(root);
	json_t *cells = json_object_get(root, "results"), *c;
	size_t n = json_array_size(cells), i;
	for (int k = 2; k <= 6; k++)
		json_array_foreach(cells, i, c) {
			if (i >= n)
				break;
			if (strcmp(json_string_value(json_object_get(c, "backend")), "null"))
				continue;
			char name[16];
			snprintf(name, sizeof(name), "null%d", k);
			json_t *copy = json_deep_copy(c);
			json_object_set_new(copy, "backend", json_string(name));
			json_array_append_new(cells, copy);
		}
	snprintf(wpath, sizeof(wpath), "%s/results.json", wide);
	cr_assert_eq(json_dump_file(root, wpath, JSON_INDENT(1)), 0);
	json_decref(root);
	char *rep[] = { "vmbench", "report", wpath, "--format", "tex", NULL };
	cr_assert_eq(cli_run(rep, err, sizeof(err)), 0, "%s", err);
	char *tex = slurp(wide, "report.tex");
	cr_assert_not_null(strstr(tex, "& null6 \\\\"), "seven backends: %s", tex);
	free(tex);
	char *log = pdflatex(wide);
	cr_assert_null(strstr(log, "Overfull \\hbox"), "%s", log);
	free(log);
}

/* A document to refuse, and the words its message must have. */
static const struct {
	const char *text, *want;
} bad_files[] = {
	{ "this is not json", "bad0.json:1:4: " },
	{ "[1, 2, 3]", "not a JSON object" },
	{ "{\"name\": \"some other tool\", \"results\": []}", "no \"schema\"" },
	{ "{\"schema\": \"other/2\", \"provenance\": {}, \"results\": []}", "other/2" },
	{ "{\"schema\": \"vmbench/1\", \"provenance\": {}}", "results" },
	{ "{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{\"backend\": "
	  "\"native\"}]}",
	  "results[0]" },
	{ "{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{\"backend\": \"b\", "
	  "\"mode\": \"m\", \"workload\": \"w\", \"status\": \"ok\", \"unit\": \"ns/op\", "
	  "\"better\": \"lower\", \"samples\": [1, \"two\"]}]}",
	  "samples[1]" },
	{ "{\"schema\": \"vmbench/1\", \"provenance\": {}, \"results\": [{\"backend\": \"b\", "
	  "\"mode\": \"m\", \"workload\": \"w\", \"status\": \"ok\", \"unit\": \"ns/op\", "
	  "\"better\": \"lower\", \"samples\": [1], \"traps\": {\"per_op\": \"many\"}}]}",
	  "traps" },
};

Test(report, malformed_and_foreign_files_exit_2)
{
	char *dir = cli_tmpdir(), path[600], err[4096];

	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.json", dir, i);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(bad_files[i].text, f);
		fclose(f);
		for (int plot = 0; plot < 2; plot++) {
			char *argv[] = { "vmbench", plot ? "plot" : "report", path, NULL };
			int st = cli_run(argv, err, sizeof(err));
			cr_assert_eq(st, 2, "file %zu, %s: status %d: %s", i, argv[1], st, err);
			cr_assert_not_null(strstr(err, bad_files[i].want), "file %zu: %s", i, err);
		}
	}
	cr_assert(!exists(dir, "report.md") && !exists(dir, "plots/overhead.dat"),
		  "nothing is written for a bad file");
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/none.json", dir);
	char *a1[] = { "vmbench", "report", missing, NULL };
	cr_assert_eq(cli_run(a1, err, sizeof(err)), 2);
	cr_assert_not_null(strstr(err, "none.json"), "%s", err);
	char *a2[] = { "vmbench", "report", NULL };
	cr_assert_eq(cli_run(a2, err, sizeof(err)), 2);
	char *a3[] = { "vmbench", "report", missing, "--format", "pdf", NULL };
	cr_assert_eq(cli_run(a3, err, sizeof(err)), 2);
	cr_assert_not_null(strstr(err, "unknown format 'pdf'"), "%s", err);
}
