/* Unit tests of harness/merge.h and of hosts in the results model: labels, the order of the
 * merged cells, ratios against each host's own baseline, merged files merged again, and
 * the inputs that must be refused. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/cli.h"
#include "harness/compare.h"
#include "harness/merge.h"
#include "harness/results.h"

/* A cell of one sample per session: its session medians are the values given. */
static void add(struct results *r, const char *backend, const char *workload, double a, double b,
		double c)
{
	double med[3] = { a, b, c };
	size_t sizes[3] = { 1, 1, 1 };
	struct cell *x = results_add(r, backend, "mode", workload, "ns/op", BETTER_LOWER);

	cr_assert_not_null(x);
	cr_assert_eq(cell_set_sessions(x, med, sizes, 3), 0);
}

/* The document of a run on hostname with native at nat and tcg at tcg ns/op. */
static json_t *run_doc(const char *hostname, double nat, double tcg, const char *baseline)
{
	struct results r;

	results_init(&r);
	r.complete = true;
	r.provenance = json_pack("{s:{s:s}, s:{s:{s:s}, s:{s:s}}, s:s}", "host", "hostname",
				 hostname, "backends", "native", "mode", "native", "tcg", "mode",
				 "emulation", "date", "2026-12-01T00:00:00Z");
	if (baseline)
		json_object_set_new(r.provenance, "run", json_pack("{s:s}", "baseline", baseline));
	add(&r, "native", "syscall.getppid", nat, nat * 1.01, nat * 0.99);
	add(&r, "tcg", "syscall.getppid", tcg, tcg * 1.01, tcg * 0.99);
	add(&r, "native", "cpu.int", 10, 10.1, 9.9);
	json_t *doc = results_to_json(&r);
	results_free(&r);
	cr_assert_not_null(doc);
	return doc;
}

static json_t *by(void)
{
	return json_pack("{s:s, s:[s], s:{s:s}}", "date", "2026-12-03T00:00:00Z", "command_line",
			 "vmbench", "vmbench", "version", "test");
}

/* merge_docs: 0 with *out, or its error with the message in err. */
static int merge(struct merge_input *in, size_t n, json_t **out, char *err, size_t len)
{
	json_t *b = by();
	int ret = merge_docs(in, n, b, out, err, len);

	json_decref(b);
	return ret;
}

static void load(json_t *doc, struct results *r)
{
	char err[512];

	cr_assert_eq(results_from_json(doc, r, err, sizeof(err)), 0, "%s", err);
}

Test(merge, hosts_side_by_side_with_their_own_ratios)
{
	struct merge_input in[2] = { { "a.json", run_doc("alpha", 100, 200, NULL), NULL },
				     { "b.json", run_doc("beta", 50, 200, NULL), NULL } };
	json_t *out;
	char err[512];
	struct results r;
	struct ratio q;

	cr_assert_eq(merge(in, 2, &out, err, sizeof(err)), 0, "%s", err);
	load(out, &r);
	/* Backend first, then host, then each run's order. */
	static const char *const cols[] = { "native@alpha", "native@alpha", "native@beta",
					    "native@beta",  "tcg@alpha",    "tcg@beta" };
	cr_assert_eq(r.n, 6);
	for (size_t i = 0; i < r.n; i++)
		cr_assert_str_eq(r.cells[i].column, cols[i], "cell %zu", i);
	cr_assert_str_eq(r.cells[4].host, "alpha");
	cr_assert_str_eq(r.cells[4].backend, "tcg");
	/* tcg is 2x alpha's native and 4x beta's. */
	cr_assert_eq(
		results_ratio_to_native(&r, results_find(&r, "tcg@alpha", "syscall.getppid"), &q),
		0);
	cr_assert_float_eq(q.value, 2.0, 1e-9);
	cr_assert_eq(
		results_ratio_to_native(&r, results_find(&r, "tcg@beta", "syscall.getppid"), &q),
		0);
	cr_assert_float_eq(q.value, 4.0, 1e-9);
	cr_assert_null(results_find(&r, "tcg", "syscall.getppid"));
	size_t nb;
	const char **bk = results_backends(&r, &nb);
	cr_assert_eq(nb, 4);
	free(bk);
	/* Provenance: each run's under its label, backends by column, where it came from. */
	json_t *p = r.provenance;
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(p, "hosts"), "beta"), "date")),
			 "2026-12-01T00:00:00Z");
	cr_assert_not_null(json_object_get(json_object_get(p, "backends"), "tcg@beta"));
	cr_assert_eq(json_array_size(json_object_get(p, "merged_from")), 2);
	cr_assert(r.complete);
	/* The host survives writing and reading. */
	json_t *again = results_to_json(&r);
	struct results r2;
	load(again, &r2);
	cr_assert_str_eq(r2.cells[5].column, "tcg@beta");
	results_free(&r2);
	json_decref(again);
	results_free(&r);
	json_decref(out);
	json_decref(in[0].root);
	json_decref(in[1].root);
}

Test(merge, labels_from_hostnames_are_made_unique_and_valid)
{
	struct merge_input in[3] = { { "a", run_doc("ci runner", 1, 2, NULL), NULL },
				     { "b", run_doc("ci runner", 1, 2, NULL), NULL },
				     { "c", run_doc("ci-runner", 1, 2, NULL), NULL } };
	json_t *out;
	char err[512];
	const char *label;
	json_t *v;
	static const char *const want[] = { "ci-runner", "ci-runner-2", "ci-runner-3" };
	size_t i = 0;

	cr_assert_eq(merge(in, 3, &out, err, sizeof(err)), 0, "%s", err);
	json_object_foreach(json_object_get(json_object_get(out, "provenance"), "hosts"), label, v)
		cr_assert_str_eq(label, want[i++]);
	cr_assert_eq(i, 3);
	json_decref(out);
	for (i = 0; i < 3; i++)
		json_decref(in[i].root);
}

Test(merge, a_merged_file_merges_again)
{
	struct merge_input ab[2] = { { "a", run_doc("a", 1, 2, NULL), NULL },
				     { "b", run_doc("b", 1, 2, NULL), NULL } };
	json_t *first, *out;
	char err[512];
	struct results r;

	cr_assert_eq(merge(ab, 2, &first, err, sizeof(err)), 0, "%s", err);
	struct merge_input in[2] = { { "ab", first, NULL },
				     { "c", run_doc("c", 1, 3, NULL), NULL } };
	cr_assert_eq(merge(in, 2, &out, err, sizeof(err)), 0, "%s", err);
	load(out, &r);
	cr_assert_eq(r.n, 9);
	cr_assert_str_eq(r.cells[8].column, "tcg@c");
	cr_assert_eq(json_object_size(json_object_get(r.provenance, "hosts")), 3);
	cr_assert_eq(json_array_size(json_object_get(r.provenance, "merged_from")), 3);
	results_free(&r);
	json_decref(out);
	/* A run named like a merged file's host steps aside, in either order. */
	for (int order = 0; order < 2; order++) {
		json_t *plain = run_doc("a", 1, 2, NULL);
		struct merge_input two[2] = { { "ab", first, NULL }, { "a2", plain, NULL } };
		if (order) {
			two[0] = (struct merge_input){ "a2", plain, NULL };
			two[1] = (struct merge_input){ "ab", first, NULL };
		}
		cr_assert_eq(merge(two, 2, &out, err, sizeof(err)), 0, "%s", err);
		json_t *h = json_object_get(json_object_get(out, "provenance"), "hosts");
		cr_assert_not_null(json_object_get(h, "a-2"), "order %d", order);
		cr_assert_eq(json_object_size(h), 3);
		json_decref(out);
		json_decref(plain);
	}
	/* A merged file whose cell names a host it does not have. */
	json_t *odd = json_deep_copy(first);
	json_object_set_new(json_array_get(json_object_get(odd, "results"), 0), "host",
			    json_string("c"));
	struct merge_input bad[2] = { { "c", in[1].root, NULL }, { "odd", odd, NULL } };
	cr_assert_eq(merge(bad, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "not in its provenance.hosts"), "%s", err);
	json_decref(odd);
	/* The same hosts twice: refused, not renamed, since they are other runs' labels. */
	struct merge_input twice[2] = { { "ab", first, NULL }, { "ab2", first, NULL } };
	cr_assert_eq(merge(twice, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "host 'a'"), "%s", err);
	/* A merged file's hosts keep their labels. */
	struct merge_input labelled[2] = { { "ab", first, "x" }, { "c", in[1].root, "y" } };
	cr_assert_eq(merge(labelled, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "merged file"), "%s", err);
	json_decref(first);
	json_decref(in[1].root);
	for (size_t i = 0; i < 2; i++)
		json_decref(ab[i].root);
}

Test(merge, bad_input_is_refused)
{
	struct merge_input in[2] = { { "a.json", run_doc("a", 1, 2, NULL), "same" },
				     { "b.json", run_doc("b", 1, 2, NULL), "same" } };
	json_t *out;
	char err[512];

	cr_assert_eq(merge(in, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "given twice"), "%s", err);
	in[1].label = "bad label";
	cr_assert_eq(merge(in, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "not a host label"), "%s", err);
	in[1].label = NULL;
	json_decref(in[1].root);
	in[1].root = run_doc("b", 1, 2, "tcg");
	cr_assert_eq(merge(in, 2, &out, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "one baseline"), "%s", err);
	json_decref(in[0].root);
	json_decref(in[1].root);
}

Test(merge, results_files_with_bad_hosts_are_refused)
{
	json_t *doc = run_doc("a", 1, 2, NULL);
	json_t *cells = json_object_get(doc, "results");
	struct results r;
	char err[512];

	json_object_set_new(json_array_get(cells, 0), "host", json_string("a b"));
	cr_assert_eq(results_from_json(doc, &r, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "results[0].host"), "%s", err);
	/* Two cells of one column and workload. */
	json_object_set_new(json_array_get(cells, 0), "host", json_string("h"));
	json_object_set_new(json_array_get(cells, 2), "host", json_string("h"));
	json_object_set_new(json_array_get(cells, 2), "workload", json_string("syscall.getppid"));
	cr_assert_eq(results_from_json(doc, &r, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "a second cell of native@h, syscall.getppid"), "%s", err);
	json_decref(doc);
}

/* The command: files in, DIR/results.json and reports out; bad input exits 2. */
Test(merge, the_command)
{
	char dir[] = "/tmp/vmbench-merge-test.XXXXXX", a[300], b[300], out[300], path[400];
	json_t *da = run_doc("a", 100, 200, NULL), *db = run_doc("b", 50, 100, NULL);

	cr_assert_not_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	snprintf(out, sizeof(out), "%s/merged", dir);
	cr_assert_eq(json_dump_file(da, a, 0), 0);
	cr_assert_eq(json_dump_file(db, b, 0), 0);
	char *ok[] = { "vmbench", "-q", "merge", "-o", out, a, b, NULL };
	cr_assert_eq(cli_main(7, ok), EXIT_OK);
	snprintf(path, sizeof(path), "%s/results.json", out);
	cr_assert_eq(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/report.md", out);
	cr_assert_eq(access(path, R_OK), 0);
	char *no_out[] = { "vmbench", "-q", "merge", a, b, NULL };
	cr_assert_eq(cli_main(5, no_out), EXIT_USAGE);
	char *count[] = { "vmbench", "-q", "merge", "-o", out, "--hosts", "x", a, b, NULL };
	cr_assert_eq(cli_main(9, count), EXIT_USAGE);
	char *missing[] = { "vmbench", "-q", "merge", "-o", out, a, "/nonexistent.json", NULL };
	cr_assert_eq(cli_main(7, missing), EXIT_USAGE);
	/* Labels are for runs: a merged file takes none, and its output is not overwritten. */
	snprintf(path, sizeof(path), "%s/results.json", out);
	char *relabel[] = { "vmbench", "-q", "merge", "-o", dir, "--hosts", "c", path, a, NULL };
	cr_assert_eq(cli_main(9, relabel), EXIT_OK);
	char *onto[] = { "vmbench", "-q", "merge", "-o", out, path, b, NULL };
	cr_assert_eq(cli_main(7, onto), EXIT_USAGE);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	json_decref(da);
	json_decref(db);
}

/* Compare checks each host of merged files against itself. */
Test(merge, compare_checks_every_host)
{
	struct merge_input in[2] = { { "a", run_doc("alpha", 1, 2, NULL), NULL },
				     { "b", run_doc("beta", 1, 2, NULL), NULL } };
	json_t *one, *two;
	struct results r1, r2, plain;
	char err[512], buf[512];

	cr_assert_eq(merge(in, 2, &one, err, sizeof(err)), 0, "%s", err);
	/* The merge holds references to its inputs' provenance: new inputs for another. */
	struct merge_input other[2] = { { "a", run_doc("alpha", 1, 2, NULL), NULL },
					{ "b", run_doc("beta", 1, 2, NULL), NULL } };
	json_object_set_new(json_object_get(json_object_get(other[1].root, "provenance"), "host"),
			    "cpu_model", json_string("Other CPU"));
	cr_assert_eq(merge(other, 2, &two, err, sizeof(err)), 0, "%s", err);
	json_decref(other[0].root);
	json_decref(other[1].root);
	load(one, &r1);
	load(two, &r2);
	load(in[0].root, &plain);
	compare_differences(&r1, &r1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
	json_object_set_new(
		json_object_get(json_object_get(json_object_get(r1.provenance, "hosts"), "beta"),
				"host"),
		"cpu_model", json_string("This CPU"));
	compare_differences(&r1, &r2, buf, sizeof(buf));
	cr_assert(strstr(buf, "host CPU of beta"), "%s", buf);
	compare_differences(&r1, &plain, buf, sizeof(buf));
	cr_assert(strstr(buf, "merged"), "%s", buf);
	results_free(&r1);
	results_free(&r2);
	results_free(&plain);
	json_decref(one);
	json_decref(two);
	json_decref(in[0].root);
	json_decref(in[1].root);
}
