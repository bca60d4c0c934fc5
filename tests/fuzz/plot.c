/*
 * Fuzz target: the plot data. The input is read as a results file; what loads is written
 * as `vmbench plot` writes its data files (without gnuplot), and each file is checked for
 * what its names' escaping promises (issue 21): one row per line, the header's number of
 * tab-separated columns in every row, no quote, no comment started inside a row.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/plot.h"
#include "host/util.h"
#include "tests/fuzz/fuzz.h"

static char scratch[PATH_MAX];

static void scratch_remove(void)
{
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < plot_count; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s.dat", scratch, plot_table[i].stem);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/plots", scratch);
	rmdir(path);
	rmdir(scratch);
}

/* The directory the data files go to, made once per process: under $VMBENCH_FUZZ_SCRATCH
 * (ci/fuzz.sh: a tmpfs, where the fsync of each atomic write costs nothing), else $TMPDIR
 * or /tmp; removed at exit. */
static const char *scratch_dir(void)
{
	if (scratch[0])
		return scratch;
	const char *base = getenv("VMBENCH_FUZZ_SCRATCH");
	if (!base || !*base)
		base = getenv("TMPDIR");
	snprintf(scratch, sizeof(scratch), "%s/vmbench-fuzz-plot.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(scratch))
		fuzz_fail("cannot create %s: %s", scratch, strerror(errno));
	atexit(scratch_remove);
	return scratch;
}

static size_t columns(const char *s, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\t';
	return n;
}

static void check_dat(const char *stem, const char *s, size_t len)
{
	size_t want = 0, line = 1;

	if (len == 0 || s[0] != '#')
		fuzz_fail("%s.dat: no header", stem);
	for (size_t i = 0; i < len; line++) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		for (size_t k = i; k < end; k++) {
			unsigned char c = (unsigned char)s[k];
			if ((c < ' ' && c != '\t') || c == 0x7f || c == '"')
				fuzz_fail("%s.dat line %zu: byte 0x%02x", stem, line, c);
			if (c == '#' && k > i)
				fuzz_fail("%s.dat line %zu: a comment inside a row", stem, line);
		}
		if (line == 1)
			want = columns(s + i, end - i);
		else if (end > i && s[i] != '#' && columns(s + i, end - i) != want)
			fuzz_fail("%s.dat line %zu: %zu columns, the header %zu", stem, line,
				  columns(s + i, end - i), want);
		i = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = scratch_dir();
	struct results r;
	char err[1024], path[PATH_MAX + 64];
	size_t written = 0, found = 0;

	fuzz_init();
	if (fuzz_load_results(data, size, &r) < 0)
		return 0;
	int ret = plot_write_data(&r, dir, &written, err, sizeof(err));
	if (ret < 0)
		fuzz_fail("plot_write_data: %s", err);
	/* A plot without data has its file removed: every file there is this input's. */
	for (size_t i = 0; i < plot_count; i++) {
		size_t len;
		snprintf(path, sizeof(path), "%s/plots/%s.dat", dir, plot_table[i].stem);
		char *text = util_read_file(path, 1u << 30, &len);
		if (!text)
			continue;
		found++;
		check_dat(plot_table[i].stem, text, len);
		free(text);
	}
	if (found != written)
		fuzz_fail("%zu data files said written, %zu there", written, found);
	results_free(&r);
	return 0;
}
