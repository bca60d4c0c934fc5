/*
 * Unit tests of harness/results_index.c: lookups by column and workload that stay right
 * while cells are added, renamed (hosts) and sorted; and a merged file of 80,000 cells
 * reported, plotted, compared and exported within a limit no linear code comes near, and
 * code that searches the cells for every lookup cannot keep.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/compare.h"
#include "harness/export.h"
#include "harness/plot.h"
#include "harness/report_model.h"
#include "harness/results.h"
#include "tests/test_util.h"

/* A cell of three sessions around v. */
static struct cell *add(struct results *r, const char *backend, const char *workload, double v)
{
	double x[6] = { v, v * 1.01, v * 0.99, v * 1.02, v, v * 0.98 };
	const size_t sizes[3] = { 2, 2, 2 };
	struct cell *c = results_add(r, backend, "mode", workload, "ns/op", BETTER_LOWER);

	cr_assert_not_null(c);
	cr_assert_eq(cell_set_sessions(c, x, sizes, 3), 0);
	return c;
}

static const char *workload_of(const struct cell *c)
{
	return c ? c->workload : "(none)";
}

Test(results_index, find_follows_adds_hosts_and_sorts)
{
	struct results r;

	results_init(&r);
	cr_assert_null(results_find(&r, "native", "a"));
	add(&r, "native", "a", 1);
	add(&r, "tcg", "a", 2);
	cr_assert_eq(results_find(&r, "tcg", "a"), &r.cells[1]);
	cr_assert_null(results_find(&r, "tcg", "b"));
	/* Cells added after a lookup are found: the index catches up. */
	add(&r, "tcg", "b", 3);
	cr_assert_eq(results_find(&r, "tcg", "b"), &r.cells[2]);
	/* A host renames the column: the old name is gone, the new one found. */
	cr_assert_eq(results_set_host(&r, &r.cells[1], "alpha"), 0);
	cr_assert_null(results_find(&r, "tcg", "a"));
	cr_assert_eq(results_find(&r, "tcg@alpha", "a"), &r.cells[1]);
	cr_assert_eq(results_column_first(&r, "tcg"), &r.cells[2]);
	cr_assert_eq(results_column_first(&r, "tcg@alpha"), &r.cells[1]);
	/* Sorted the other way round, every cell is where it went. */
	struct cell *last = add(&r, "native", "z", 4);
	cr_assert_eq(results_find(&r, "native", "z"), last);
	for (size_t i = 0; i < r.n / 2; i++) {
		struct cell t = r.cells[i];
		r.cells[i] = r.cells[r.n - 1 - i];
		r.cells[r.n - 1 - i] = t;
	}
	results_index_drop(&r); /* what results_sort does after moving them */
	for (size_t i = 0; i < r.n; i++)
		cr_assert_eq(results_find(&r, r.cells[i].column, r.cells[i].workload), &r.cells[i],
			     "cell %zu", i);
	results_free(&r);
}

/* Workloads from last to first, columns in order among equal ones. */
static int by_workload_desc(const void *pa, const void *pb, void *arg)
{
	const struct cell *a = pa, *b = pb;
	int d = strcmp(b->workload, a->workload);

	(void)arg;
	return d ? d : strcmp(a->column, b->column);
}

Test(results_index, sort_lists_and_odd_names)
{
	struct results r;
	size_t n;

	results_init(&r);
	/* Names that would collide in a key of column and workload joined by a separator. */
	add(&r, "a\037b", "c", 1);
	add(&r, "a", "b\037c", 2);
	add(&r, "a", "x", 3);
	add(&r, "a\037b", "x", 4);
	cr_assert_eq(results_find(&r, "a\037b", "c"), &r.cells[0]);
	cr_assert_eq(results_find(&r, "a", "b\037c"), &r.cells[1]);
	cr_assert_null(results_find(&r, "a", "c"));
	const char **cols = results_backends(&r, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(cols[0], "a\037b");
	cr_assert_str_eq(cols[1], "a");
	free(cols);
	const char **wls = results_workloads(&r, &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(wls[2], "x");
	free(wls);
	/* A column's cells in results order, before and after a sort. */
	const struct cell **cs = results_column_cells(&r, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(cs[0]->workload, "b\037c");
	cr_assert_str_eq(cs[1]->workload, "x");
	free(cs);
	results_sort(&r, by_workload_desc, NULL);
	cs = results_column_cells(&r, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(cs[0], &r.cells[0], "%s", workload_of(cs[0]));
	cr_assert_eq(cs[1], &r.cells[3], "%s", workload_of(cs[1]));
	free(cs);
	cr_assert_eq(results_find(&r, "a\037b", "c"), &r.cells[2]);
	results_free(&r);
}

/* A column's cells come in results order however many there are (jansson keeps an
 * object's keys in the order they were added, whatever their hashes). */
Test(results_index, column_cells_in_results_order)
{
	struct results r;
	char wl[16];
	size_t n;

	results_init(&r);
	for (int i = 199; i >= 0; i--) {
		snprintf(wl, sizeof(wl), "w%d", i);
		add(&r, i % 2 ? "odd" : "even", wl, 1 + i);
	}
	const struct cell **cs = results_column_cells(&r, "odd", &n);
	cr_assert_eq(n, 100);
	for (size_t i = 1; i < n; i++)
		cr_assert(cs[i - 1] < cs[i], "cell %zu", i);
	free(cs);
	results_free(&r);
}

Test(results_index, baseline_by_host)
{
	struct results r;

	results_init(&r);
	add(&r, "native", "w", 10);
	add(&r, "tcg", "w", 40);
	add(&r, "native", "w", 20);
	add(&r, "tcg", "w", 80);
	/* A backend named as a column of another on a host, on no host itself. */
	add(&r, "native@beta", "v", 5);
	add(&r, "tcg", "v", 40);
	cr_assert_eq(results_set_host(&r, &r.cells[2], "beta"), 0);
	cr_assert_eq(results_set_host(&r, &r.cells[3], "beta"), 0);
	cr_assert_eq(results_set_host(&r, &r.cells[5], "beta"), 0);
	cr_assert_eq(results_baseline_cell(&r, &r.cells[1]), &r.cells[0]);
	cr_assert_eq(results_baseline_cell(&r, &r.cells[3]), &r.cells[2]);
	cr_assert_null(results_baseline_cell(&r, &r.cells[5]));
	struct ratio q;
	cr_assert_eq(results_ratio_to_native(&r, &r.cells[3], &q), 0);
	cr_assert_float_eq(q.value, 4.0, 0.05);
	results_free(&r);
}

/* Hosts x backends x workloads of the large file: 80,000 cells, a column per backend and
 * host, as vmbench merge writes them. Many hosts of few workloads: code that searches the
 * cells once per column, or per column and plotted workload, does the most searching. */
#define SCALE_HOSTS	1000
#define SCALE_WORKLOADS 10

static void build_merged(struct results *r)
{
	static const char *const backends[] = { "native", "container",	"gvisor", "uml",
						"tcg",	  "tcg-virtio", "kvm",	  "kvm-virtio" };
	const char *catalog[] = { "syscall.getppid", "proc.fork",	  "trap.cpuid",
				  "trap.none",	     "io.randread4k.qd1", "lifecycle.boot" };
	char wl[32], host[16];

	results_init(r);
	r->complete = true;
	r->provenance = json_pack("{s:{s:s}, s:{}}", "run", "baseline", "native", "hosts");
	cr_assert_not_null(r->provenance);
	for (size_t h = 0; h < SCALE_HOSTS; h++) {
		snprintf(host, sizeof(host), "host%zu", h);
		cr_assert_eq(json_object_set_new(json_object_get(r->provenance, "hosts"), host,
						 json_pack("{s:{s:s}}", "host", "hostname", host)),
			     0);
		for (size_t b = 0; b < ARRAY_SIZE(backends); b++)
			for (size_t w = 0; w < SCALE_WORKLOADS; w++) {
				if (w < ARRAY_SIZE(catalog))
					snprintf(wl, sizeof(wl), "%s", catalog[w]);
				else
					snprintf(wl, sizeof(wl), "synthetic.w%zu", w);
				struct cell *c = add(r, backends[b], wl, 100.0 * (b + 1) + w);
				cr_assert_eq(results_set_host(r, c, host), 0);
				cr_assert_eq(traps_add(&c->traps, "syscalls", 1.0 + b), 0);
				c->probed = c->stats.median * 1.1;
			}
	}
}

/* Linear work takes seconds here (several times more under the sanitizers); searching the
 * cells for every lookup takes many minutes. */
Test(results_index, merged_file_of_80k_cells, .timeout = 60)
{
	struct results r;
	struct report_model m;
	struct compare cmp;
	struct compare_opts o = { .alpha = 0.01, .threshold = 5 };
	char dir[] = "/tmp/vmbench-index-test.XXXXXX", err[256];
	size_t written;

	cr_assert_not_null(mkdtemp(dir));
	build_merged(&r);
	cr_assert_eq(r.n, SCALE_HOSTS * 8 * SCALE_WORKLOADS);

	cr_assert_eq(report_model_build(&m, &r, dir), 0);
	cr_assert_eq(m.nb, SCALE_HOSTS * 8);
	cr_assert_eq(m.cells->nrows, r.n);
	FILE *null = fopen("/dev/null", "w");
	cr_assert_not_null(null);
	for (size_t k = 0; k < report_renderer_count; k++)
		cr_assert_eq(report_renderers[k]->render(null, &m), 0);
	fclose(null);
	report_model_free(&m);

	cr_assert_eq(plot_write_data(&r, dir, &written, err, sizeof(err)), 0, "%s", err);
	cr_assert_geq(written, 1);

	cr_assert_eq(compare_runs(&r, &r, &o, &cmp), 0);
	cr_assert_eq(cmp.n, r.n);
	cr_assert_eq(cmp.regressions, 0);
	compare_free(&cmp);

	json_t *bench;
	cr_assert_eq(export_build(&r, EXPORT_GBENCH, &bench), 0);
	cr_assert_eq(json_array_size(json_object_get(bench, "benchmarks")), r.n);
	json_decref(bench);

	results_free(&r);
	cr_assert_eq(test_remove_rendered(dir), 0, "%s: %s", dir, strerror(errno));
}
