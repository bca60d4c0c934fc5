/*
 * Fuzz target: the parsers of fio's output (workloads/fio_parse.c): the JSON summary, read
 * for both directions, and the averaged per-interval logs. fio runs in the guest, so what
 * it prints is as untrusted as anything else a guest sends.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "workloads/fio_parse.h"

#define LOG_MAX 64

static void check_summary(const struct fio_summary *s, const char *ddir)
{
	const double v[] = { s->iops, s->bw_bytes, s->lat_mean_ns, s->clat_p50_ns, s->clat_p99_ns };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!isfinite(v[i]) || v[i] < 0)
			fuzz_fail("fio_parse_json(%s) accepted value %zu = %g", ddir, i, v[i]);
	if (!memchr(s->version, '\0', sizeof(s->version)))
		fuzz_fail("fio version not terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ddirs[] = { "read", "write" };
	struct fio_summary s;
	char err[256];

	fuzz_init();
	for (size_t i = 0; i < 2; i++) {
		err[0] = '\0';
		int ret = fio_parse_json((const char *)data, size, ddirs[i], &s, err, sizeof(err));
		if (ret == 0)
			check_summary(&s, ddirs[i]);
		else if (ret != -EINVAL || !err[0])
			fuzz_fail("fio_parse_json(%s) returned %d without a reason", ddirs[i], ret);
	}
	/* The logs are read as C strings: the input up to its first NUL. */
	char *text = malloc(size + 1);
	double values[LOG_MAX];
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	int n = fio_parse_log(text, values, LOG_MAX);
	if (n > LOG_MAX || (n < 0 && n != -EINVAL))
		fuzz_fail("fio_parse_log returned %d", n);
	for (int i = 0; i < n; i++)
		if (!isfinite(values[i]) || values[i] < 0)
			fuzz_fail("fio_parse_log accepted value %d = %g", i, values[i]);
	free(text);
	return 0;
}
