/* Parsers of fio's JSON summary and averaged logs (see fio_parse.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "workloads/fio_parse.h"

static __printf(3, 4) int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A finite non-negative number at obj.key, or -1. */
static double number(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	double d = json_number_value(v);

	return json_is_number(v) && isfinite(d) && d >= 0 ? d : -1;
}

int fio_parse_json(const char *text, size_t len, const char *ddir, struct fio_summary *out,
		   char *err, size_t errlen)
{
	const char *start = memchr(text, '{', len);
	json_error_t jerr;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!start)
		return fail(err, errlen, "fio printed no JSON");
	json_t *root =
		json_loadb(start, len - (size_t)(start - text), JSON_DISABLE_EOF_CHECK, &jerr);
	if (!root)
		return fail(err, errlen, "fio's JSON does not parse (line %d: %s)", jerr.line,
			    jerr.text);
	json_t *version = json_object_get(root, "fio version");
	json_t *job = json_array_get(json_object_get(root, "jobs"), 0);
	json_t *dir = json_object_get(job, ddir);
	json_t *clat = json_object_get(dir, "clat_ns");
	json_t *pct = json_object_get(clat, "percentile");
	json_t *jerror = json_object_get(job, "error");
	if (jerror && (!json_is_integer(jerror) || json_integer_value(jerror) != 0)) {
		fail(err, errlen, "fio reports error %lld", (long long)json_integer_value(jerror));
		goto out;
	}
	if (!json_is_object(dir) || !json_is_object(pct)) {
		fail(err, errlen, "fio's JSON has no jobs[0].%s.clat_ns.percentile", ddir);
		goto out;
	}
	if (json_is_string(version))
		snprintf(out->version, sizeof(out->version), "%s", json_string_value(version));
	out->iops = number(dir, "iops");
	out->bw_bytes = number(dir, "bw_bytes");
	out->lat_mean_ns = number(json_object_get(dir, "lat_ns"), "mean");
	out->clat_p50_ns = number(pct, "50.000000");
	out->clat_p99_ns = number(pct, "99.000000");
	double ios = number(dir, "total_ios");
	if (out->iops < 0 || out->bw_bytes < 0 || out->lat_mean_ns < 0 || out->clat_p50_ns < 0 ||
	    out->clat_p99_ns < 0 || ios < 0 || ios > 1e18) {
		fail(err, errlen,
		     "fio's JSON lacks iops, bw_bytes, lat_ns.mean, total_ios or the "
		     "50th/99th percentiles for %s",
		     ddir);
		goto out;
	}
	out->total_ios = (uint64_t)ios;
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int fio_parse_log(const char *text, double *values, size_t max)
{
	size_t n = 0;

	for (const char *line = text; *line && n < max;) {
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		char buf[256];
		unsigned long long msec;
		double v;
		int used = 0;
		if (l == 0 || l >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, line, l);
		buf[l] = '\0';
		if (sscanf(buf, "%llu, %lf,%n", &msec, &v, &used) != 2 || used == 0 ||
		    !isfinite(v) || v < 0)
			return -EINVAL;
		values[n++] = v;
		line = nl ? nl + 1 : line + l;
	}
	return (int)n;
}
