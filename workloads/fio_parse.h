/* Parsers of fio's output, for the io.* workloads: the JSON summary and the averaged
 * per-interval logs. Untrusted text in, numbers or -EINVAL out. */
#ifndef VMBENCH_FIO_PARSE_H
#define VMBENCH_FIO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

struct fio_summary {
	char version[32];
	double iops;
	double bw_bytes;    /* bytes per second */
	double lat_mean_ns; /* total latency, mean */
	double clat_p50_ns; /* completion latency percentiles */
	double clat_p99_ns;
	uint64_t total_ios;
};

/*
 * Reads fio's --output-format=json for the first job and one direction ("read" or
 * "write"). Text before the JSON object (fio's warnings) is skipped. 0, or -EINVAL with a
 * one-line reason in err.
 */
int fio_parse_json(const char *text, size_t len, const char *ddir, struct fio_summary *out,
		   char *err, size_t errlen) __must_check;
/*
 * Reads an averaged fio log (lines "msec, value, direction, bs, offset[, prio]") into at
 * most max values. Returns the number read, or -EINVAL for a malformed line.
 */
int fio_parse_log(const char *text, double *values, size_t max) __must_check;

#endif
