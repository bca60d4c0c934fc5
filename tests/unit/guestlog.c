/* Unit tests of harness/guestlog.h: guest lines escaped and cut, and the budget of a cell. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness/guestlog.h"

Test(guestlog, short_printable_text_is_shown_as_it_is)
{
	char out[GUESTLOG_LINE_MAX + 1];

	cr_assert_str_eq(guestlog_format("clock checks failed: EINVAL", out),
			 "clock checks failed: EINVAL");
	cr_assert_str_eq(guestlog_format("", out), "");
}

/* A guest's escape sequences, carriage returns and newlines reach the terminal as text: it
 * can neither move the cursor nor start a line that looks like vmbench's own. */
Test(guestlog, control_bytes_and_backslash_are_escaped)
{
	char out[GUESTLOG_LINE_MAX + 1];

	cr_assert_str_eq(guestlog_format("\x1b[2J\rvmbench: error: \\x1b\nok\xc3\xa9", out),
			 "\\x1b[2J\\x0dvmbench: error: \\x5cx1b\\x0aok\\xc3\\xa9");
}

Test(guestlog, a_line_that_just_fits_is_not_cut)
{
	char text[GUESTLOG_LINE_MAX + 2], out[GUESTLOG_LINE_MAX + 1];

	memset(text, 'a', GUESTLOG_LINE_MAX);
	text[GUESTLOG_LINE_MAX] = '\0';
	cr_assert_str_eq(guestlog_format(text, out), text);
	text[GUESTLOG_LINE_MAX] = 'b';
	text[GUESTLOG_LINE_MAX + 1] = '\0';
	guestlog_format(text, out);
	cr_assert_leq(strlen(out), GUESTLOG_LINE_MAX);
	cr_assert_not_null(strstr(out, " more bytes]"), "%s", out);
}

/* The cut says how much of the guest's text is missing, and the line stays within the
 * bound also when escapes make it longer than the text. */
Test(guestlog, long_lines_are_cut_with_a_marker)
{
	static char text[4000];
	char out[GUESTLOG_LINE_MAX + 1], want[64];

	memset(text, 'x', sizeof(text) - 1);
	guestlog_format(text, out);
	cr_assert_leq(strlen(out), GUESTLOG_LINE_MAX);
	size_t kept = strspn(out, "x");
	snprintf(want, sizeof(want), " [... %zu more bytes]", sizeof(text) - 1 - kept);
	cr_assert_str_eq(out + kept, want);

	memset(text, '\x1b', sizeof(text) - 1);
	guestlog_format(text, out);
	cr_assert_leq(strlen(out), GUESTLOG_LINE_MAX);
	kept = strlen(out) - strlen(strstr(out, " [... "));
	cr_assert_eq(kept % 4, 0, "an escape cut in half: %s", out);
	snprintf(want, sizeof(want), " [... %zu more bytes]", sizeof(text) - 1 - kept / 4);
	cr_assert_str_eq(out + kept, want);
}

Test(guestlog, reasons_are_cut_in_place)
{
	static char text[3000];
	char want[64];

	strcpy(text, "setup: out of memory");
	cr_assert_str_eq(guestlog_cut(text), "setup: out of memory");
	memset(text, 'r', sizeof(text) - 1);
	guestlog_cut(text);
	cr_assert_leq(strlen(text), GUESTLOG_LINE_MAX);
	size_t kept = strspn(text, "r");
	snprintf(want, sizeof(want), " [... %zu more bytes]", sizeof(text) - 1 - kept);
	cr_assert_str_eq(text + kept, want);
}

/* The line limit: the first GUESTLOG_CELL_LINES lines show, every later one is counted, and
 * the summary says how many, once, with a fresh budget after it. */
Test(guestlog, lines_past_the_budget_are_counted)
{
	struct guestlog gl = { 0 };
	char buf[256], want[256];

	for (int i = 0; i < GUESTLOG_CELL_LINES; i++)
		cr_assert(guestlog_take(&gl, 10, 10), "line %d refused", i);
	for (int i = 0; i < 1000; i++)
		cr_assert_not(guestlog_take(&gl, 10, 12));
	cr_assert(guestlog_summary(&gl, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "dropped 1000 guest lines (12000 bytes) after the %d shown",
		 GUESTLOG_CELL_LINES);
	cr_assert_not_null(strstr(buf, want), "%s", buf);
	cr_assert_not(guestlog_summary(&gl, buf, sizeof(buf)), "summarised twice");
	cr_assert(guestlog_take(&gl, 10, 10), "no fresh budget after the summary");
}

/* The byte limit; and once a line is refused, so is every shorter one after it. */
Test(guestlog, bytes_past_the_budget_are_counted)
{
	struct guestlog gl = { 0 };
	char buf[256];
	int shown = 0;

	while (guestlog_take(&gl, GUESTLOG_LINE_MAX, GUESTLOG_LINE_MAX))
		shown++;
	cr_assert_eq(shown, GUESTLOG_CELL_BYTES / GUESTLOG_LINE_MAX);
	cr_assert_leq(gl.bytes, GUESTLOG_CELL_BYTES);
	cr_assert_not(guestlog_take(&gl, 1, 1));
	cr_assert(guestlog_summary(&gl, buf, sizeof(buf)));
	cr_assert_not_null(strstr(buf, "dropped 2 guest lines"), "%s", buf);
}

Test(guestlog, nothing_dropped_says_nothing)
{
	struct guestlog gl = { 0 };
	char buf[256] = "";

	cr_assert(guestlog_take(&gl, 5, 5));
	cr_assert_not(guestlog_summary(&gl, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "");
	cr_assert_eq(gl.lines, 0);
}
