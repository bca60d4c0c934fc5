/* Small helpers shared by the unit and integration tests. */
#ifndef VMBENCH_TEST_UTIL_H
#define VMBENCH_TEST_UTIL_H

#include <stddef.h>
#include <string.h>

/* How often needle occurs in hay (overlapping occurrences counted). */
static inline size_t test_count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#endif
