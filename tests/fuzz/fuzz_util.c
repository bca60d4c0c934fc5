/* Helpers of the libFuzzer targets (fuzz.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "tests/fuzz/fuzz.h"

void fuzz_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_set_level(LOG_WARN);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz property failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int fuzz_load_results(const uint8_t *data, size_t size, struct results *r)
{
	json_error_t jerr;
	char err[1024];

	results_init(r);
	/* results_load's flags: a key given twice is refused, not silently the last one. */
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return -EINVAL;
	/* results_load's reader too: it takes root, releasing each cell's JSON once read. */
	int ret = results_take_json(root, r, err, sizeof(err));
	if (ret < 0 && ret != -EINVAL && ret != -ENOMEM)
		fuzz_fail("results_take_json returned %d (%s), not -EINVAL or -ENOMEM", ret, err);
	if (ret == -EINVAL && !err[0])
		fuzz_fail("results_take_json refused a file without a reason");
	return ret;
}

void fuzz_check_round_trip(const struct results *r)
{
	json_t *root = results_to_json(r);
	char err[1024] = "";
	json_error_t jerr;
	struct results again;

	if (!root)
		fuzz_fail("results_to_json failed");
	/* results_write's format. */
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!text)
		fuzz_fail("json_dumps failed");
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		fuzz_fail("vmbench wrote JSON it cannot parse: %s\n%s", jerr.text, text);
	int ret = results_from_json(root, &again, err, sizeof(err));
	json_decref(root);
	if (ret < 0)
		fuzz_fail("vmbench wrote a results file it refuses: %s\n%s", err, text);
	if (again.n != r->n)
		fuzz_fail("%zu cells written, %zu read back", r->n, again.n);
	results_free(&again);
	free(text);
}
