/*
 * Reports of a results file: one model (report_model.c) rendered by each format asked for.
 * The formats are the one table below: a new format is a file report_<name>.c with its
 * struct report_renderer, a line here and a bit in enum report_format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report.h"
#include "harness/report_model.h"
#include "host/util.h"

const struct report_renderer *const report_renderers[] = {
	&report_md,
	&report_csv,
	&report_tex,
	&report_html,
};
const size_t report_renderer_count = ARRAY_SIZE(report_renderers);

/* The bits of every format there is a renderer for. */
static unsigned known_formats(void)
{
	unsigned mask = 0;

	for (size_t k = 0; k < report_renderer_count; k++)
		mask |= report_renderers[k]->bit;
	return mask;
}

void report_format_names(unsigned mask, const char *sep, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < report_renderer_count; k++)
		if (mask & report_renderers[k]->bit)
			util_appendf(buf, len, "%s%s", buf[0] ? sep : "",
				     report_renderers[k]->name);
}

int report_parse_formats(const char *list, unsigned *formats, char *err, size_t len)
{
	char **items;
	size_t n;
	int ret = util_split_list(list, &items, &n);

	if (ret < 0) {
		snprintf(err, len, "bad format list '%s'", list);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	*formats = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0;
		     k < report_renderer_count && strcmp(items[i], report_renderers[k]->name); k++)
			;
		if (k == report_renderer_count) {
			char known[64];
			report_format_names(known_formats(), ", ", known, sizeof(known));
			snprintf(err, len, "unknown format '%s' (known: %s)", items[i], known);
			util_free_list(items);
			return -EINVAL;
		}
		*formats |= report_renderers[k]->bit;
	}
	util_free_list(items);
	return 0;
}

/* Renders m in memory, then writes dir/report.<name> atomically: never a half report. */
static int write_one(const struct report_model *m, const char *dir,
		     const struct report_renderer *rr, char *err, size_t len)
{
	char path[4096], *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int ret;

	snprintf(path, sizeof(path), "%s/report.%s", dir, rr->name);
	if (!f) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = rr->render(f, m);
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (!ret)
		ret = util_write_atomic(path, buf, size);
	if (ret < 0)
		snprintf(err, len, "cannot write %s: %s", path, strerror(-ret));
	free(buf);
	return ret;
}

int report_write(const struct results *r, const char *dir, unsigned formats, char *err, size_t len)
{
	struct report_model m;
	int ret = report_model_build(&m, r, dir);

	if (ret < 0) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < report_renderer_count && ret == 0; k++)
		if (formats & report_renderers[k]->bit)
			ret = write_one(&m, dir, report_renderers[k], err, len);
out:
	report_model_free(&m);
	return ret;
}
