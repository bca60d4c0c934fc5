/* What a test's code logs, caught from stderr: for tests of what vmbench says. */
#ifndef VMBENCH_TEST_STDERR_CAPTURE_H
#define VMBENCH_TEST_STDERR_CAPTURE_H

#include <stddef.h>

/* stderr into an unnamed temporary file from now on; the file's descriptor, with the old
 * stderr's in *saved. */
int stderr_to_file(int *saved);
/* The old stderr back; what was logged meanwhile (at most max bytes), malloc'd, and its
 * whole length in *len. */
char *stderr_back(int fd, int saved, size_t max, size_t *len);

#endif
