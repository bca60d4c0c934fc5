/* Line framing and field parsing of the agent protocol, shared by the agent and the host. */
#ifndef VMBENCH_WIRE_H
#define VMBENCH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

#define VMB_PROTO_VERSION 5
#define VMB_MAX_LINE	  4096 /* bytes, newline included */
#define VMB_MAX_FIELDS	  32
#define VMB_MAX_DATA	  (1u << 20) /* largest DONE payload the host accepts */

/* Splits a byte stream into lines; feed it what read() returned, take lines out. */
struct linebuf {
	char buf[2 * VMB_MAX_LINE];
	size_t len;	 /* bytes held */
	size_t consumed; /* bytes of buf already returned as lines */
	bool overlong;	 /* discarding the rest of a line that was too long */
};

void linebuf_init(struct linebuf *lb);
/* Room for the next read(): pointer and size (at least VMB_MAX_LINE). */
char *linebuf_space(struct linebuf *lb, size_t *room);
void linebuf_commit(struct linebuf *lb, size_t n);
/*
 * Takes out the next complete line, NUL-terminated without "\r\n", in *line.
 * Returns 1 with a line, 0 when none is complete yet, -EMSGSIZE when a line exceeded
 * VMB_MAX_LINE (its bytes are discarded up to its newline; the stream stays usable).
 */
int linebuf_next(struct linebuf *lb, char **line) __must_check;

/* One read() from fd into the buffer: bytes read, 0 at end of input, -errno (EINTR
 * retried). */
long linebuf_fill(struct linebuf *lb, int fd) __must_check;

/* A line split into fields in place. */
struct fields {
	int n;
	char *f[VMB_MAX_FIELDS];
};

/* Split on single spaces. -E2BIG for too many fields, -EINVAL for an empty field. */
int fields_split(char *line, struct fields *out) __must_check;
/* true when every byte is printable ASCII (0x20..0x7e). */
bool wire_printable(const char *s);
/* The value of key=value among fields[from..], or NULL. */
const char *fields_get(const struct fields *fs, int from, const char *key);
/* Strict unsigned parse: decimal digits only, within [lo, hi]. 0 or -EINVAL/-ERANGE. */
int wire_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) __must_check;
/* Strict finite non-negative double. 0 or -EINVAL. */
int wire_parse_double(const char *s, double *out) __must_check;

#endif
