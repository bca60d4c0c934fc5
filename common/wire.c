/* Line framing and field parsing of the agent protocol (see workloads/agent.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/wire.h"

void linebuf_init(struct linebuf *lb)
{
	lb->len = 0;
	lb->consumed = 0;
	lb->overlong = false;
}

static void linebuf_compact(struct linebuf *lb)
{
	if (lb->consumed == 0)
		return;
	memmove(lb->buf, lb->buf + lb->consumed, lb->len - lb->consumed);
	lb->len -= lb->consumed;
	lb->consumed = 0;
}

char *linebuf_space(struct linebuf *lb, size_t *room)
{
	linebuf_compact(lb);
	/* linebuf_next never leaves VMB_MAX_LINE or more bytes without a newline. */
	*room = sizeof(lb->buf) - lb->len;
	return lb->buf + lb->len;
}

void linebuf_commit(struct linebuf *lb, size_t n)
{
	lb->len += n;
}

int linebuf_next(struct linebuf *lb, char **line)
{
	for (;;) {
		char *start = lb->buf + lb->consumed;
		size_t avail = lb->len - lb->consumed;
		char *nl = memchr(start, '\n', avail);

		if (lb->overlong) {
			/* Drop the tail of a line already reported as too long. */
			if (!nl) {
				lb->consumed = lb->len;
				return 0;
			}
			lb->consumed += (size_t)(nl - start) + 1;
			lb->overlong = false;
			continue;
		}
		if (!nl) {
			if (avail >= VMB_MAX_LINE) {
				lb->consumed = lb->len;
				lb->overlong = true;
				return -EMSGSIZE;
			}
			return 0;
		}
		size_t n = (size_t)(nl - start);
		lb->consumed += n + 1;
		if (n + 1 > VMB_MAX_LINE)
			return -EMSGSIZE;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		start[n] = '\0';
		*line = start;
		return 1;
	}
}

long linebuf_fill(struct linebuf *lb, int fd)
{
	size_t room;
	char *p = linebuf_space(lb, &room);

	for (;;) {
		ssize_t n = read(fd, p, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		linebuf_commit(lb, (size_t)n);
		return (long)n;
	}
}

bool wire_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int fields_split(char *line, struct fields *out)
{
	out->n = 0;
	if (*line == '\0')
		return -EINVAL;
	for (char *p = line;;) {
		if (out->n == VMB_MAX_FIELDS)
			return -E2BIG;
		char *sp = strchr(p, ' ');
		out->f[out->n++] = p;
		if (!sp)
			break;
		*sp = '\0';
		if (sp == p)
			return -EINVAL;
		p = sp + 1;
		if (*p == '\0' || *p == ' ')
			return -EINVAL;
	}
	return 0;
}

const char *fields_get(const struct fields *fs, int from, const char *key)
{
	size_t klen = strlen(key);

	for (int i = from; i < fs->n; i++)
		if (strncmp(fs->f[i], key, klen) == 0 && fs->f[i][klen] == '=')
			return fs->f[i] + klen + 1;
	return NULL;
}

int wire_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

int wire_parse_double(const char *s, double *out)
{
	char *end;

	/* Plain decimal only: no sign, no "inf", "nan" or hex forms. */
	if (!s || *s < '0' || *s > '9' || strspn(s, "0123456789.eE+-") != strlen(s))
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}
