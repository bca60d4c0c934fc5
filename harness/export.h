/* A results file in the formats of the tracking services: Bencher Metric Format (bencher.dev)
 * and Google Benchmark's JSON output (github-action-benchmark, conbench, compare.py). */
#ifndef VMBENCH_EXPORT_H
#define VMBENCH_EXPORT_H

#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/results.h"

enum export_format {
	/* {"backend/workload": {"<measure>": {"value", "lower_value", "upper_value"}}}: the
	 * built-in measures latency (ns) and throughput (ops/s) where the unit is one of
	 * theirs, else a measure named after the unit ("gb-per-s", "ns-per-mib") */
	EXPORT_BMF,
	/* {"context": {...}, "benchmarks": [...]}: one "iteration" entry per cell, times in
	 * real_time, rates in bytes_per_second or items_per_second */
	EXPORT_GBENCH,
};

/* The name of format i ("bmf", "gbench"); NULL past the last (the --format choices). */
const char *export_format_name(size_t i);

/*
 * The document of format f for r's measured cells (ok and noisy), each named
 * "backend/workload", in r's order. Skipped and failed cells are left out, and so is a cell
 * the format has no place for (a unit it cannot express, a second cell of the same name):
 * a warning says which. Every number is finite. *doc is a new reference. 0, -EINVAL (an
 * unknown format), -ENOMEM.
 */
int export_build(const struct results *r, enum export_format f, json_t **doc) __must_check;

#endif
