/* Integration test of the native backend, end to end through the vmbench command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli_util.h"
#include "harness/catalog.h"
#include "harness/plan.h"
#include "harness/registry.h"
#include "harness/results.h"
#include "workloads/workload.h"

TestSuite(native, .fini = cli_cleanup);

Test(native, three_workloads_ten_samples, .timeout = 300)
{
	char *dir = cli_tmpdir(), err[4096];
	char *argv[] = { "vmbench", "run",	   "--backends",
			 "native",  "--workloads", "syscall.getppid,cpu.int,cpu.fp",
			 "--reps",  "10",	   "-o",
			 dir,	    NULL };
	struct results res;

	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	cr_assert(res.complete);
	cr_assert_eq(res.n, 3);
	const char *expect[] = { "syscall.getppid", "cpu.int", "cpu.fp" };
	for (size_t i = 0; i < 3; i++) {
		const struct cell *c = &res.cells[i];
		cr_assert_str_eq(c->backend, "native");
		cr_assert_str_eq(c->mode, "native");
		cr_assert_str_eq(c->workload, expect[i]);
		cr_assert_str_eq(c->unit, "ns/op");
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s", c->workload,
			  c->reason);
		cr_assert_eq(c->n, 10);
		cr_assert(c->has_stats && c->stats.has_ci);
		cr_assert(c->stats.ci_lo <= c->stats.median && c->stats.median <= c->stats.ci_hi);
		cr_assert_gt(c->stats.median, 0);
		/* Every sample lasted the profile's 5 ms at least (calibrated, and topped up
		 * when the machine got faster). */
		json_t *ns = json_object_get(c->raw, "sample_ns");
		json_t *done = json_object_get(c->raw, "sample_iters");
		cr_assert_eq(json_array_size(ns), 10);
		cr_assert_eq(json_array_size(done), 10);
		for (size_t k = 0; k < 10; k++) {
			json_int_t v = json_integer_value(json_array_get(ns, k));
			cr_assert_geq(v, 5000000, "%s sample %zu lasted %lld ns", c->workload, k,
				      (long long)v);
			/* raw.iters is the first session's calibration; each calibrates anew. */
			if (k < c->sessions[0])
				cr_assert_geq(json_integer_value(json_array_get(done, k)),
					      json_integer_value(json_object_get(c->raw, "iters")));
			else
				cr_assert_geq(json_integer_value(json_array_get(done, k)), 1);
		}
	}
	/* Provenance names the host, the code and the command. */
	json_t *p = res.provenance;
	cr_assert(json_is_string(json_object_get(json_object_get(p, "host"), "cpu_model")));
	cr_assert(json_is_string(json_object_get(json_object_get(p, "host"), "hostname")));
	cr_assert(json_is_string(json_object_get(p, "date")));
	cr_assert_eq(json_array_size(json_object_get(p, "command_line")), 10);
	cr_assert_not_null(json_object_get(json_object_get(p, "vmbench"), "git"));
	json_t *native = json_object_get(json_object_get(p, "backends"), "native");
	cr_assert_str_eq(json_string_value(json_object_get(native, "status")), "ok");
	cr_assert(json_is_string(json_object_get(json_object_get(native, "agent"), "kernel")));
	results_free(&res);
	cli_rmtree(dir);
}

/* Every workload of the suite, each with its real code path, on native. */
Test(native, the_whole_suite, .timeout = 600)
{
	char *dir = cli_tmpdir(), disk[256], err[4096];
	snprintf(disk, sizeof(disk), "%s/disk.raw", dir);
	cli_make_disk(disk, 32);
	char *argv[] = { "vmbench", "run", "--backends",      "native", "--reps", "6",
			 "--disk",  disk,  "--disk-writable", "-o",	dir,	  NULL };
	struct results res;

	int st = cli_run_results(argv, dir, &res, err, sizeof(err));
	cr_assert_eq(st, 0, "exit status %d: %s", st, err);
	size_t expected = 0;
	for (size_t i = 0; i < catalog_count(); i++)
		expected += !(catalog_at(i)->flags & WL_TEST) &&
			    plan_applies(backend_find("native"), catalog_at(i));
	cr_assert_eq(res.n, expected, "one cell per workload that native runs");
	json_t *wall = json_object_get(json_object_get(res.provenance, "run"), "wall_s");
	cr_assert(json_is_real(wall) && json_real_value(wall) > 1, "the run's wall time");
	for (size_t i = 0; i < res.n; i++) {
		const struct cell *c = &res.cells[i];
		const struct workload_ops *w = catalog_find(c->workload);
		cr_assert_not_null(w);
		/* An instruction this CPU lacks (trap.rdpid) is skipped, and says so. */
		if (c->status == CELL_SKIPPED && c->reason && strstr(c->reason, "the CPU has no"))
			continue;
		/* Lifecycle operations native cannot do are skipped, by its capabilities. */
		if (w->needs & ~backend_find("native")->provides) {
			cr_assert_eq(c->status, CELL_SKIPPED, "%s", c->workload);
			cr_assert(strstr(c->reason, "which this backend cannot do"), "%s",
				  c->reason);
			continue;
		}
		cr_assert(c->status == CELL_OK || c->status == CELL_NOISY, "%s: %s: %s",
			  c->workload, cell_status_name(c->status), c->reason);
		cr_assert_eq(c->n, 6, "%s", c->workload);
		cr_assert_str_eq(c->unit, w->unit);
		cr_assert_gt(c->stats.median, 0, "%s", c->workload);
		if (!(w->flags & WL_HOST))
			cr_assert_gt(json_real_value(json_object_get(c->raw, "ops")), 0, "%s",
				     c->workload);
	}
	/* The latency curve: at least 12 points from 4 KiB up. */
	json_t *points = json_object_get(cli_cell(&res, "native", "mem.lat")->series, "points");
	cr_assert_geq(json_array_size(points), 12);
	cr_assert_eq(json_number_value(json_object_get(json_array_get(points, 0), "x")), 4096);
	/* A load from main memory costs more than one from L1. */
	double l1 = json_number_value(json_object_get(json_array_get(points, 0), "median"));
	cr_assert_gt(cli_cell(&res, "native", "mem.lat")->stats.median, 2 * l1);
	/* STREAM knows its arrays against the cache; fio reports latency percentiles. */
	cr_assert_not_null(
		json_object_get(cli_cell(&res, "native", "mem.bw.triad")->extra, "array_bytes"));
	json_t *fio = cli_cell(&res, "native", "io.randread4k.qd1")->extra;
	cr_assert_geq(json_real_value(json_object_get(fio, "clat_p99_us")),
		      json_real_value(json_object_get(fio, "clat_p50_us")));
	cr_assert_str_eq(cli_cell(&res, "native", "io.seqread1m")->unit, "MB/s");
	cr_assert(json_is_string(json_object_get(cli_cell(&res, "native", "clock.gettime")->extra,
						 "clocksource")) ||
		  json_is_null(json_object_get(cli_cell(&res, "native", "clock.gettime")->extra,
					       "clocksource")));
	results_free(&res);
	cli_rmtree(dir);
}

/* A boot is timed on each round's own session start: 3 sessions and 6 boots make 3 more
 * starts, after a warm-up start; 3 boots make none. */
Test(native, boots_are_the_session_starts, .timeout = 300)
{
	const char *reps[] = { "6", "3" };
	const json_int_t other[] = { 3, 0 };

	for (size_t r = 0; r < 2; r++) {
		char *dir = cli_tmpdir(), err[4096];
		char *argv[] = { "vmbench",	"run",
				 "--backends",	"native",
				 "--workloads", "lifecycle.boot,cpu.int",
				 "--reps",	(char *)reps[r],
				 "--sessions",	"3",
				 "-o",		dir,
				 "--no-report", NULL };
		struct results res;

		int st = cli_run_results(argv, dir, &res, err, sizeof(err));
		cr_assert_eq(st, 0, "exit status %d: %s", st, err);
		const struct cell *boot = cli_cell(&res, "native", "lifecycle.boot");
		cr_assert(boot->status == CELL_OK || boot->status == CELL_NOISY, "%s",
			  boot->reason);
		cr_assert_eq(boot->n, (size_t)atoi(reps[r]));
		cr_assert_eq(boot->nsessions, boot->n, "one sample per start");
		cr_assert_eq(json_integer_value(json_object_get(boot->raw, "session_starts")), 3);
		cr_assert_eq(json_integer_value(json_object_get(boot->raw, "other_starts")),
			     other[r]);
		cr_assert_eq(json_integer_value(json_object_get(boot->raw, "warmup_boots")), 1);
		results_free(&res);
	}
}
