/* What a test's code logs, caught from stderr: see stderr_capture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "stderr_capture.h"

int stderr_to_file(int *saved)
{
	FILE *f = tmpfile();

	cr_assert_not_null(f);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	int fd = dup(fileno(f));
	fclose(f);
	cr_assert(*saved >= 0 && fd >= 0);
	cr_assert_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	return fd;
}

char *stderr_back(int fd, int saved, size_t max, size_t *len)
{
	fflush(stderr);
	cr_assert_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	off_t end = lseek(fd, 0, SEEK_END);
	cr_assert_geq(end, 0);
	size_t n = (size_t)end < max ? (size_t)end : max;
	char *text = malloc(n + 1);
	cr_assert_not_null(text);
	cr_assert_eq(pread(fd, text, n, 0), (ssize_t)n);
	text[n] = '\0';
	close(fd);
	*len = (size_t)end;
	return text;
}
