/* Unit tests of workloads/fio_parse.h: fio's JSON summary and averaged logs, good and hostile. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "host/util.h"
#include "workloads/fio_parse.h"

/*
 * tests/data/fio-randread4k.json: what fio 3.33 prints for workloads/fio/io.randread4k.qd1.fio
 * run the way vmbench-agent runs it (--output-format=json, --time_based, logs): read has
 * numbers; write and trim, which did no I/O, have zeros and no clat_ns.percentile.
 * tests/data/fio-randwrite4k.json: io.randwrite4k.qd1, trimmed of the sections the parser
 * does not read (trim, sync, histograms, disk_util): write has the numbers.
 */
static char *doc_read, *doc_write;

static char *load(const char *name)
{
	char path[4096];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", VMBENCH_TEST_DATA, name);
	char *doc = util_read_file(path, 1 << 20, &len);
	if (!doc) {
		perror(path);
		abort();
	}
	return doc;
}

/* Before Criterion forks a process for each test: every test sees the documents. */
__attribute__((constructor)) static void load_docs(void)
{
	doc_read = load("fio-randread4k.json");
	doc_write = load("fio-randwrite4k.json");
}

#define ERRLEN 256

/* A heap copy of exactly len bytes, no terminating NUL: reading past len is a bug the
 * parser would have (and a sanitizer build reports). */
static char *exact_copy(const char *text, size_t len)
{
	char *p = malloc(len ? len : 1);

	cr_assert_not_null(p);
	memcpy(p, text, len);
	return p;
}

static int parse(const char *text, size_t len, const char *ddir, struct fio_summary *out, char *err)
{
	char *copy = exact_copy(text, len);

	err[0] = '\0';
	int ret = fio_parse_json(copy, len, ddir, out, err, ERRLEN);
	free(copy);
	return ret;
}

/* doc with the first occurrence of from (which must be there) replaced by to. */
static char *edit(const char *doc, const char *from, const char *to)
{
	const char *at = strstr(doc, from);

	cr_assert_not_null(at, "\"%s\" is not in the document", from);
	size_t head = (size_t)(at - doc), flen = strlen(from), tlen = strlen(to);
	size_t tail = strlen(at + flen);
	char *s = malloc(head + tlen + tail + 1);
	cr_assert_not_null(s);
	memcpy(s, doc, head);
	memcpy(s + head, to, tlen);
	memcpy(s + head + tlen, at + flen, tail + 1);
	return s;
}

/* -EINVAL with a one-line reason. */
static void expect_einval_len(const char *text, size_t len, const char *ddir, const char *what)
{
	struct fio_summary sum;
	char err[ERRLEN];

	int ret = parse(text, len, ddir, &sum, err);
	cr_assert_eq(ret, -EINVAL, "%s: returned %d", what, ret);
	cr_assert_neq(err[0], '\0', "%s: no reason", what);
	cr_assert_lt(strlen(err), sizeof(err), "%s", what);
	cr_assert_null(strchr(err, '\n'), "%s: reason not one line: %s", what, err);
}

static void expect_einval(const char *text, const char *ddir, const char *what)
{
	expect_einval_len(text, strlen(text), ddir, what);
}

/* An edit of doc_read that must be rejected for "read". */
static void expect_edit_rejected(const char *from, const char *to)
{
	char *doc = edit(doc_read, from, to);

	expect_einval(doc, "read", to);
	free(doc);
}

static void expect_read_numbers(const struct fio_summary *s)
{
	cr_assert_str_eq(s->version, "fio-3.33");
	cr_assert_eq(s->iops, 15996.007984, "iops %.6f", s->iops);
	cr_assert_eq(s->bw_bytes, 65519648.0, "bw_bytes %.1f", s->bw_bytes);
	cr_assert_eq(s->lat_mean_ns, 61714.089094, "lat_mean_ns %.6f", s->lat_mean_ns);
	cr_assert_eq(s->clat_p50_ns, 59136.0, "clat_p50_ns %.1f", s->clat_p50_ns);
	cr_assert_eq(s->clat_p99_ns, 99840.0, "clat_p99_ns %.1f", s->clat_p99_ns);
	cr_assert_eq(s->total_ios, 8014, "total_ios %llu", (unsigned long long)s->total_ios);
}

Test(fio_parse_json, read)
{
	struct fio_summary sum;
	char err[ERRLEN];

	cr_assert_eq(parse(doc_read, strlen(doc_read), "read", &sum, err), 0, "%s", err);
	expect_read_numbers(&sum);
}

Test(fio_parse_json, write)
{
	struct fio_summary sum;
	char err[ERRLEN];

	cr_assert_eq(parse(doc_write, strlen(doc_write), "write", &sum, err), 0, "%s", err);
	cr_assert_str_eq(sum.version, "fio-3.33");
	cr_assert_eq(sum.iops, 18463.073852, "iops %.6f", sum.iops);
	cr_assert_eq(sum.bw_bytes, 75624750.0, "bw_bytes %.1f", sum.bw_bytes);
	cr_assert_eq(sum.lat_mean_ns, 53527.728432, "lat_mean_ns %.6f", sum.lat_mean_ns);
	cr_assert_eq(sum.clat_p50_ns, 51456.0, "clat_p50_ns %.1f", sum.clat_p50_ns);
	cr_assert_eq(sum.clat_p99_ns, 87552.0, "clat_p99_ns %.1f", sum.clat_p99_ns);
	cr_assert_eq(sum.total_ios, 9250, "total_ios %llu", (unsigned long long)sum.total_ios);
}

Test(fio_parse_json, idle_direction)
{
	/* The direction a job did not do has no percentiles in fio's output: no numbers. */
	expect_einval(doc_read, "write", "write of a read job");
	expect_einval(doc_write, "read", "read of a write job");
	expect_einval(doc_read, "trim", "trim of a read job");
}

Test(fio_parse_json, warnings_around)
{
	static const char before[] = "fio: file hash not empty on exit\n"
				     "note: both iodepth >= 1 and synchronous I/O engine are "
				     "selected, queue depth will be capped at 1\n";
	static const char after[] = "fio: file hash not empty on exit\n";
	size_t bl = strlen(before), dl = strlen(doc_read), al = strlen(after);
	char *text = malloc(bl + dl + al + 1);
	struct fio_summary sum;
	char err[ERRLEN];

	cr_assert_not_null(text);
	memcpy(text, before, bl);
	memcpy(text + bl, doc_read, dl);
	memcpy(text + bl + dl, after, al + 1);
	cr_assert_eq(parse(text, bl + dl, "read", &sum, err), 0, "before: %s", err);
	expect_read_numbers(&sum);
	cr_assert_eq(parse(text + bl, dl + al, "read", &sum, err), 0, "after: %s", err);
	expect_read_numbers(&sum);
	cr_assert_eq(parse(text, bl + dl + al, "read", &sum, err), 0, "around: %s", err);
	expect_read_numbers(&sum);
	free(text);
}

Test(fio_parse_json, no_json)
{
	expect_einval("", "read", "empty text");
	expect_einval_len(doc_read, 0, "read", "length 0");
	expect_einval("fio: failed to open /dev/vdb: Permission denied\n", "read", "no '{'");
	expect_einval("[1, 2, 3]\n", "read", "an array");
	expect_einval("{}", "read", "an empty object");
	expect_einval("{\"fio version\" : \"fio-3.33\"}", "read", "no jobs");
	expect_einval("{ not json }", "read", "not JSON");
	expect_einval("\x01\xff\xfe{\"\xc3\x28\" : 1}", "read", "bad UTF-8");
}

Test(fio_parse_json, truncated)
{
	size_t len = strlen(doc_read);
	size_t end = (size_t)(strrchr(doc_read, '}') - doc_read) + 1; /* just past the last } */

	for (size_t cut = 0; cut <= len; cut = cut + 7 < len || cut == len ? cut + 7 : len) {
		struct fio_summary sum;
		char err[ERRLEN];
		int ret = parse(doc_read, cut, "read", &sum, err);

		cr_assert(ret == 0 || ret == -EINVAL, "cut at %zu: returned %d", cut, ret);
		if (cut < end) {
			cr_assert_eq(ret, -EINVAL, "cut at %zu of %zu accepted", cut, len);
			cr_assert_neq(err[0], '\0', "cut at %zu: no reason", cut);
		} else {
			cr_assert_eq(ret, 0, "cut at %zu: %s", cut, err);
			expect_read_numbers(&sum);
		}
	}
	/* And every cut in the last bytes, around the closing brace. */
	for (size_t cut = len - 16; cut <= len; cut++) {
		struct fio_summary sum;
		char err[ERRLEN];

		cr_assert_eq(parse(doc_read, cut, "read", &sum, err), cut < end ? -EINVAL : 0,
			     "cut at %zu of %zu", cut, len);
	}
}

Test(fio_parse_json, len_honoured)
{
	size_t dl = strlen(doc_read);
	size_t end = (size_t)(strrchr(doc_read, '}') - doc_read) + 1;
	struct fio_summary sum;
	char err[ERRLEN];

	/* The whole string is valid, but len stops before the closing brace. */
	err[0] = '\0';
	cr_assert_eq(fio_parse_json(doc_read, end - 1, "read", &sum, err, sizeof(err)), -EINVAL);
	cr_assert_neq(err[0], '\0');
	/* The '{' lies beyond len. */
	static const char late[] = "fio: warning\n{\"jobs\" : []}";
	err[0] = '\0';
	cr_assert_eq(fio_parse_json(late, 5, "read", &sum, err, sizeof(err)), -EINVAL);
	cr_assert_neq(err[0], '\0');

	/* Two documents back to back: len covers the first only. */
	size_t wl = strlen(doc_write);
	char *two = malloc(dl + wl + 1);
	cr_assert_not_null(two);
	memcpy(two, doc_read, dl);
	memcpy(two + dl, doc_write, wl + 1);
	cr_assert_eq(fio_parse_json(two, dl, "read", &sum, err, sizeof(err)), 0, "%s", err);
	expect_read_numbers(&sum);
	/* The first document's write has no percentiles; the second's, beyond len, does. */
	err[0] = '\0';
	cr_assert_eq(fio_parse_json(two, dl, "write", &sum, err, sizeof(err)), -EINVAL);
	cr_assert_neq(err[0], '\0');
	free(two);
}

Test(fio_parse_json, small_err_buffer)
{
	struct fio_summary sum;
	char err[8];

	memset(err, 'x', sizeof(err));
	cr_assert_eq(fio_parse_json("nothing", 7, "read", &sum, err, sizeof(err)), -EINVAL);
	cr_assert_eq(strnlen(err, sizeof(err)), sizeof(err) - 1, "reason not cut to fit");
}

Test(fio_parse_json, jobs_missing_or_empty)
{
	expect_edit_rejected("\"jobs\" : [", "\"jabs\" : [");
	expect_einval("{\n  \"fio version\" : \"fio-3.33\",\n  \"jobs\" : [\n  ]\n}\n", "read",
		      "jobs empty");
	expect_einval("{\"fio version\" : \"fio-3.33\", \"jobs\" : {\"read\" : {}}}", "read",
		      "jobs an object");
	expect_einval("{\"fio version\" : \"fio-3.33\", \"jobs\" : [null]}", "read", "job null");
	expect_einval("{\"fio version\" : \"fio-3.33\", \"jobs\" : [17]}", "read", "job a number");
}

Test(fio_parse_json, direction_missing)
{
	expect_edit_rejected("\"read\" : {", "\"reed\" : {");
	expect_edit_rejected("\"read\" : {", "\"read\" : 7, \"x\" : {");
	expect_einval(doc_read, "", "empty direction");
}

Test(fio_parse_json, percentile_missing)
{
	expect_edit_rejected("\"percentile\" : {", "\"percentiles\" : {");
	expect_edit_rejected("\"50.000000\" :", "\"50.100000\" :");
	expect_edit_rejected("\"99.000000\" :", "\"98.000000\" :");
	expect_edit_rejected("\"clat_ns\" : {", "\"clat_us\" : {");
}

Test(fio_parse_json, percentile_string)
{
	expect_edit_rejected("\"99.000000\" : 99840", "\"99.000000\" : \"99840\"");
	expect_edit_rejected("\"50.000000\" : 59136", "\"50.000000\" : \"59136\"");
	expect_edit_rejected("\"99.000000\" : 99840", "\"99.000000\" : null");
	expect_edit_rejected("\"99.000000\" : 99840", "\"99.000000\" : true");
	expect_edit_rejected("\"percentile\" : {", "\"percentile\" : \"none\", \"x\" : {");
}

Test(fio_parse_json, other_fields_missing_or_wrong)
{
	expect_edit_rejected("\"iops\" : 15996.007984", "\"iops_\" : 15996.007984");
	expect_edit_rejected("\"bw_bytes\" : 65519648", "\"bw_bytes\" : \"65519648\"");
	expect_edit_rejected("\"total_ios\" : 8014", "\"total\" : 8014");
	expect_edit_rejected("\"mean\" : 61714.089094", "\"avg\" : 61714.089094");
	expect_edit_rejected("\"lat_ns\" : {", "\"lat_us\" : {");
}

Test(fio_parse_json, negative)
{
	expect_edit_rejected("\"iops\" : 15996.007984", "\"iops\" : -15996.007984");
	expect_edit_rejected("\"bw_bytes\" : 65519648", "\"bw_bytes\" : -1");
	expect_edit_rejected("\"total_ios\" : 8014", "\"total_ios\" : -8014");
	expect_edit_rejected("\"mean\" : 61714.089094", "\"mean\" : -0.5");
	expect_edit_rejected("\"50.000000\" : 59136", "\"50.000000\" : -59136");
}

Test(fio_parse_json, overflow)
{
	/* No NaN in JSON, but 1e400 overflows to infinity. */
	expect_edit_rejected("\"iops\" : 15996.007984", "\"iops\" : 1e400");
	expect_edit_rejected("\"iops\" : 15996.007984", "\"iops\" : -1e400");
	expect_edit_rejected("\"99.000000\" : 99840", "\"99.000000\" : 1e400");
	expect_edit_rejected("\"mean\" : 61714.089094", "\"mean\" : 1e400");
	expect_edit_rejected("\"bw_bytes\" : 65519648", "\"bw_bytes\" : 1e999999");
	/* Integers beyond 64 bits. */
	expect_edit_rejected("\"total_ios\" : 8014", "\"total_ios\" : 99999999999999999999999");
}

Test(fio_parse_json, total_ios_huge)
{
	expect_edit_rejected("\"total_ios\" : 8014", "\"total_ios\" : 1e30");
	expect_edit_rejected("\"total_ios\" : 8014", "\"total_ios\" : 1.8446744073709552e19");
}

Test(fio_parse_json, job_error)
{
	struct fio_summary sum;
	char err[ERRLEN];
	char *doc = edit(doc_read, "\"error\" : 0", "\"error\" : 5");

	cr_assert_eq(parse(doc, strlen(doc), "read", &sum, err), -EINVAL);
	cr_assert_not_null(strstr(err, "5"), "reason does not name the error: %s", err);
	free(doc);
	expect_edit_rejected("\"error\" : 0", "\"error\" : -1");
	/* A job that failed before any I/O: no numbers, and the error. */
	doc = edit(doc_write, "\"error\" : 0", "\"error\" : 5");
	expect_einval(doc, "read", "error 5 and no read numbers");
	free(doc);
}

Test(fio_parse_json, long_version)
{
	struct fio_summary sum;
	char err[ERRLEN];
	char *doc = edit(doc_read, "\"fio-3.33\"",
			 "\"fio-3.33-1234-gdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef-dirty\"");

	cr_assert_eq(parse(doc, strlen(doc), "read", &sum, err), 0, "%s", err);
	cr_assert_eq(strlen(sum.version), sizeof(sum.version) - 1, "version \"%s\"", sum.version);
	cr_assert_eq(strncmp(sum.version, "fio-3.33-1234-g", 15), 0, "version \"%s\"", sum.version);
	free(doc);
}

/* fio_parse_log on text; values past the count read are checked untouched. */
static int parse_log(const char *text, double *values, size_t max)
{
	for (size_t i = 0; i < max + 1; i++)
		values[i] = -7;
	int n = fio_parse_log(text, values, max);
	if (n >= 0)
		cr_assert_eq(values[n], -7, "value %d written past the %d read", n, n);
	return n;
}

Test(fio_parse_log, two_lines)
{
	double v[9];

	cr_assert_eq(parse_log("100, 18220, 0, 0, 0\n200, 19420, 0, 4096, 0\n", v, 8), 2);
	cr_assert_eq(v[0], 18220);
	cr_assert_eq(v[1], 19420);
}

Test(fio_parse_log, real_log)
{
	/* io.randread4k.qd1_iops.1.log as fio 3.33 writes it. */
	static const char log[] = "100, 15860, 0, 0, 0\n"
				  "200, 16370, 0, 0, 0\n"
				  "300, 15600, 0, 0, 0\n"
				  "400, 16500, 0, 0, 0\n";
	static const double want[] = { 15860, 16370, 15600, 16500 };
	double v[9];

	cr_assert_eq(parse_log(log, v, 8), 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(v[i], want[i], "value %zu: %g", i, v[i]);
}

Test(fio_parse_log, max_caps)
{
	static const char log[] = "100, 1, 0, 0, 0\n200, 2, 0, 0, 0\n300, 3, 0, 0, 0\n";
	double v[5];

	cr_assert_eq(parse_log(log, v, 2), 2);
	cr_assert_eq(v[0], 1);
	cr_assert_eq(v[1], 2);
	cr_assert_eq(parse_log(log, v, 1), 1);
	cr_assert_eq(v[0], 1);
	cr_assert_eq(parse_log(log, v, 0), 0);
	cr_assert_eq(parse_log(log, v, 4), 3);
}

Test(fio_parse_log, priority_column)
{
	double v[5];

	/* log_offset=1 and log_prio=1: six columns, the priority in hex. */
	cr_assert_eq(
		parse_log("146, 45808, 0, 0, 0, 0x0000\n300, 38389, 0, 0, 4096, 0x0000\n", v, 4),
		2);
	cr_assert_eq(v[0], 45808);
	cr_assert_eq(v[1], 38389);
	/* log_prio=1 alone: five columns, the last the priority. */
	cr_assert_eq(parse_log("100, 2113, 1, 0, 0x0000\n", v, 4), 1);
	cr_assert_eq(v[0], 2113);
}

Test(fio_parse_log, last_line_without_newline)
{
	double v[5];

	cr_assert_eq(parse_log("100, 18220, 0, 0, 0\n200, 19420, 0, 4096, 0", v, 4), 2);
	cr_assert_eq(v[0], 18220);
	cr_assert_eq(v[1], 19420);
	cr_assert_eq(parse_log("100, 7.5, 0, 0, 0", v, 4), 1);
	cr_assert_eq(v[0], 7.5);
}

Test(fio_parse_log, empty)
{
	double v[5];

	cr_assert_eq(parse_log("", v, 4), 0);
}

Test(fio_parse_log, zero_value)
{
	double v[5];

	cr_assert_eq(parse_log("100, 0, 0, 0, 0\n", v, 4), 1);
	cr_assert_eq(v[0], 0);
}

/* bad is rejected alone, after a good line and before one. */
static void expect_log_einval(const char *bad)
{
	static const char good[] = "100, 18220, 0, 0, 0\n";
	size_t gl = strlen(good), bl = strlen(bad);
	char *text = malloc(gl + bl + 1 + gl + 1);
	double v[9];

	cr_assert_not_null(text);
	cr_assert_eq(parse_log(bad, v, 8), -EINVAL, "\"%s\" alone", bad);
	memcpy(text, good, gl);
	memcpy(text + gl, bad, bl + 1);
	cr_assert_eq(parse_log(text, v, 8), -EINVAL, "\"%s\" last", bad);
	text[gl + bl] = '\n';
	memcpy(text + gl + bl + 1, good, gl + 1);
	cr_assert_eq(parse_log(text, v, 8), -EINVAL, "\"%s\" in the middle", bad);
	free(text);
}

Test(fio_parse_log, malformed)
{
	expect_log_einval("abc");
	expect_log_einval("100 18220");
	expect_log_einval("100 18220 0 0 0");
	expect_log_einval("100, -5, 0, 0, 0");
	expect_log_einval("100, nan, 0, 0, 0");
	expect_log_einval("100, inf, 0, 0, 0");
	expect_log_einval("100, 1e400, 0, 0, 0");
	expect_log_einval("100, abc, 0, 0, 0");
	expect_log_einval(", 18220, 0, 0, 0");
	expect_log_einval("100,");
	expect_log_einval("100, 18220");
}

Test(fio_parse_log, empty_line)
{
	double v[9];

	cr_assert_eq(parse_log("100, 1, 0, 0, 0\n\n300, 3, 0, 0, 0\n", v, 8), -EINVAL);
	cr_assert_eq(parse_log("\n100, 1, 0, 0, 0\n", v, 8), -EINVAL);
}

Test(fio_parse_log, long_line)
{
	char line[512];
	double v[9];

	/* 255 characters fit: a valid line padded with a long offset of zeros. */
	int n = snprintf(line, sizeof(line), "100, 18220, 0, 4096, ");
	memset(line + n, '0', 255 - (size_t)n);
	line[255] = '\0';
	cr_assert_eq(parse_log(line, v, 8), 1);
	cr_assert_eq(v[0], 18220);
	/* 256 and more do not. */
	memset(line + n, '0', 256 - (size_t)n);
	line[256] = '\0';
	expect_log_einval(line);
	memset(line + n, '0', sizeof(line) - 1 - (size_t)n);
	line[sizeof(line) - 1] = '\0';
	expect_log_einval(line);
}
