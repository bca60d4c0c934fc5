/* Bounds on the guest text vmbench echoes or keeps (guestlog.h): a guest is untrusted and
 * may write without end. */
#include <stdio.h>
#include <string.h>

#include "harness/guestlog.h"

/* Room kept for the cut marker: " [... 18446744073709551615 more bytes]" is 38 bytes. */
#define MARK_ROOM 40

static bool escaped(unsigned char b)
{
	return b < 0x20 || b > 0x7e || b == '\\';
}

char *guestlog_format(const char *text, char *out)
{
	size_t whole = 0, n = 0, i;

	for (i = 0; text[i]; i++)
		whole += escaped((unsigned char)text[i]) ? 4 : 1;
	size_t room =
		whole <= GUESTLOG_LINE_MAX ? GUESTLOG_LINE_MAX : GUESTLOG_LINE_MAX - MARK_ROOM;
	for (i = 0; text[i]; i++) {
		unsigned char b = (unsigned char)text[i];
		size_t w = escaped(b) ? 4 : 1;
		if (n + w > room)
			break;
		if (w == 1)
			out[n] = (char)b;
		else
			snprintf(out + n, 5, "\\x%02x", b);
		n += w;
	}
	out[n] = '\0';
	if (text[i])
		snprintf(out + n, GUESTLOG_LINE_MAX + 1 - n, " [... %zu more bytes]",
			 strlen(text + i));
	return out;
}

char *guestlog_cut(char *s)
{
	size_t len = strlen(s);

	if (len > GUESTLOG_LINE_MAX) {
		size_t keep = GUESTLOG_LINE_MAX - MARK_ROOM;
		snprintf(s + keep, len + 1 - keep, " [... %zu more bytes]", len - keep);
	}
	return s;
}

bool guestlog_take(struct guestlog *gl, size_t shown, size_t raw)
{
	if (gl->dropped_lines == 0 && gl->lines < GUESTLOG_CELL_LINES &&
	    gl->bytes + shown <= GUESTLOG_CELL_BYTES) {
		gl->lines++;
		gl->bytes += shown;
		return true;
	}
	gl->dropped_lines++;
	gl->dropped_bytes += raw;
	return false;
}

bool guestlog_summary(struct guestlog *gl, char *buf, size_t len)
{
	bool dropped = gl->dropped_lines > 0;

	if (dropped)
		snprintf(buf, len,
			 "dropped %zu guest lines (%zu bytes) after the %zu shown: at most %d "
			 "lines or %d KiB are shown a cell",
			 gl->dropped_lines, gl->dropped_bytes, gl->lines, GUESTLOG_CELL_LINES,
			 GUESTLOG_CELL_BYTES / 1024);
	memset(gl, 0, sizeof(*gl));
	return dropped;
}
