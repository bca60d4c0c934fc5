/* Small helpers shared by the unit and integration tests. */
#ifndef VMBENCH_TEST_UTIL_H
#define VMBENCH_TEST_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/plot.h"

/* How often needle occurs in hay (overlapping occurrences counted). */
static inline size_t test_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Removes what rendering every report and every plot's data into dir writes (report.*,
 * the .dat files in plots/) and dir itself: rmdir's 0, or -1 with errno when more was
 * left in dir. */
static inline int test_remove_rendered(const char *dir)
{
	static const char *const names[] = { "report.md", "report.csv", "report.tex",
					     "report.html" };
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	for (size_t i = 0; i < plot_count; i++) {
		snprintf(path, sizeof(path), "%s/plots/%s.dat", dir, plot_table[i].stem);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/plots", dir);
	rmdir(path);
	return rmdir(dir);
}

#endif
