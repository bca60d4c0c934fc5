/* Bounds on the guest text vmbench echoes or keeps: each line escaped and cut, and a budget
 * of lines per cell past which they are counted instead of shown. */
#ifndef VMBENCH_GUESTLOG_H
#define VMBENCH_GUESTLOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Bytes of one guest line vmbench shows or keeps (an agent's LOG line, a console line, an
 * ERR reason), the cut marker included. The agent's longest reason (workload.h's
 * reason[256] after a short prefix such as "calibration: ") and a kernel's panic line fit
 * whole; a longer line is a guest's own doing, and at this length fills five 80-column
 * terminal rows at most.
 */
#define GUESTLOG_LINE_MAX 320
/*
 * Guest lines shown per cell in a session (a round of it; and per session start and
 * stop), and their bytes after escaping: whichever is reached first. The agent logs a
 * handful of lines a cell and the guests boot with a quiet kernel; a guest that goes on is
 * flooding (one wrote 241 MB to vmbench's stderr in 20 s, issue 21), and the rest of its
 * lines are only counted. A cell of r rounds shows at most r times this.
 */
#define GUESTLOG_CELL_LINES 200
#define GUESTLOG_CELL_BYTES (32 * 1024)

/* The budget of one cell: what was shown, and what was not since the budget ran out. */
struct guestlog {
	size_t lines, bytes;		     /* shown */
	size_t dropped_lines, dropped_bytes; /* not shown (the guest's bytes, before escaping) */
};

/*
 * text as one line to show, into out (GUESTLOG_LINE_MAX + 1 bytes): every byte outside
 * printable ASCII, and the backslash, written \xNN, so that a guest can neither move the
 * terminal's cursor nor end vmbench's line and start one of its own; cut with the marker
 * " [... N more bytes]" (N of text's bytes) so that the whole fits GUESTLOG_LINE_MAX.
 * Returns out.
 */
char *guestlog_format(const char *text, char *out);

/* Cuts the printable text s in place to GUESTLOG_LINE_MAX bytes, the same marker included,
 * when it is longer; for a guest's text kept as it is (an ERR reason). Returns s. */
char *guestlog_cut(char *s);

/*
 * Whether a line may be shown within gl's budget: shown, the bytes it takes after
 * escaping; raw, the guest's bytes. It is counted either way. Once the budget is spent
 * every later line is refused, so that what shows is the cell's first lines, unbroken.
 */
bool guestlog_take(struct guestlog *gl, size_t shown, size_t raw);

/* When lines were refused since the last call, one sentence in buf saying how many and
 * of how many bytes, and true; then, or else, a fresh budget. */
bool guestlog_summary(struct guestlog *gl, char *buf, size_t len);

#endif
