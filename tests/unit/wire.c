/* Unit tests of workloads/wire.h: linebuf framing, field splitting, strict number parsing. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "common/wire.h"

/* Feeds len bytes of data into lb the way a read() loop would. */
static void feed(struct linebuf *lb, const char *data, size_t len)
{
	size_t room;
	char *p = linebuf_space(lb, &room);

	cr_assert_geq(room, (size_t)VMB_MAX_LINE, "linebuf_space gave only %zu bytes", room);
	cr_assert_leq(len, room, "test feeds more than the room");
	memcpy(p, data, len);
	linebuf_commit(lb, len);
}

static void feed_str(struct linebuf *lb, const char *s)
{
	feed(lb, s, strlen(s));
}

/* Takes the next line and checks it is want. */
static void expect_line(struct linebuf *lb, const char *want)
{
	char *line = NULL;
	int ret = linebuf_next(lb, &line);

	cr_assert_eq(ret, 1, "expected line '%s', linebuf_next returned %d", want, ret);
	cr_assert_str_eq(line, want);
}

static void expect_none(struct linebuf *lb)
{
	char *line = NULL;
	int ret = linebuf_next(lb, &line);

	cr_assert_eq(ret, 0, "expected no complete line, linebuf_next returned %d", ret);
}

static void expect_overlong(struct linebuf *lb)
{
	char *line = NULL;
	int ret = linebuf_next(lb, &line);

	cr_assert_eq(ret, -EMSGSIZE, "expected -EMSGSIZE, linebuf_next returned %d", ret);
}

Test(linebuf, complete_line)
{
	struct linebuf lb;

	linebuf_init(&lb);
	expect_none(&lb);
	feed_str(&lb, "HELLO world\n");
	expect_line(&lb, "HELLO world");
	expect_none(&lb);
}

Test(linebuf, crlf_stripped)
{
	struct linebuf lb;

	linebuf_init(&lb);
	feed_str(&lb, "READY x iters=1\r\nBYE\r\n");
	expect_line(&lb, "READY x iters=1");
	expect_line(&lb, "BYE");
	expect_none(&lb);
}

Test(linebuf, empty_line)
{
	struct linebuf lb;

	linebuf_init(&lb);
	feed_str(&lb, "\n\r\nx\n");
	expect_line(&lb, "");
	expect_line(&lb, "");
	expect_line(&lb, "x");
	expect_none(&lb);
}

Test(linebuf, line_split_over_two_feeds)
{
	struct linebuf lb;

	linebuf_init(&lb);
	feed_str(&lb, "DONE cpu");
	expect_none(&lb);
	feed_str(&lb, ".int\n");
	expect_line(&lb, "DONE cpu.int");
	expect_none(&lb);
}

Test(linebuf, crlf_split_between_feeds)
{
	struct linebuf lb;

	linebuf_init(&lb);
	feed_str(&lb, "LOG a\r");
	expect_none(&lb);
	feed_str(&lb, "\n");
	expect_line(&lb, "LOG a");
}

Test(linebuf, several_lines_in_one_feed)
{
	struct linebuf lb;

	linebuf_init(&lb);
	feed_str(&lb, "one\ntwo\nthree\nfour");
	expect_line(&lb, "one");
	expect_line(&lb, "two");
	expect_line(&lb, "three");
	expect_none(&lb);
	feed_str(&lb, "\n");
	expect_line(&lb, "four");
	expect_none(&lb);
}

Test(linebuf, many_feeds_keep_working)
{
	struct linebuf lb;
	char want[32];

	/* Far more bytes than the buffer holds: compaction must keep the stream usable. */
	linebuf_init(&lb);
	for (int i = 0; i < 5000; i++) {
		snprintf(want, sizeof(want), "LOG line %d", i);
		feed_str(&lb, want);
		feed_str(&lb, "\n");
		expect_line(&lb, want);
		expect_none(&lb);
	}
}

Test(linebuf, longest_line_accepted)
{
	struct linebuf lb;
	static char data[VMB_MAX_LINE + 8];

	/* VMB_MAX_LINE bytes with the newline is allowed. */
	memset(data, 'a', VMB_MAX_LINE - 1);
	data[VMB_MAX_LINE - 1] = '\n';
	linebuf_init(&lb);
	feed(&lb, data, VMB_MAX_LINE);
	char *line = NULL;
	cr_assert_eq(linebuf_next(&lb, &line), 1);
	cr_assert_eq(strlen(line), (size_t)VMB_MAX_LINE - 1);
	expect_none(&lb);
}

Test(linebuf, overlong_line_in_one_feed)
{
	struct linebuf lb;
	static char data[VMB_MAX_LINE + 64];
	size_t n = VMB_MAX_LINE; /* VMB_MAX_LINE bytes plus the newline: one too many */

	memset(data, 'x', n);
	data[n] = '\n';
	memcpy(data + n + 1, "BYE\n", 4);
	linebuf_init(&lb);
	feed(&lb, data, n + 5);
	expect_overlong(&lb);
	expect_line(&lb, "BYE");
	expect_none(&lb);
}

Test(linebuf, overlong_line_over_several_feeds)
{
	struct linebuf lb;
	static char chunk[3000];
	int overlong = 0;

	memset(chunk, 'y', sizeof(chunk));
	linebuf_init(&lb);
	feed_str(&lb, "first\n");
	expect_line(&lb, "first");
	/* 5 x 3000 bytes without a newline, then its end and a good line. */
	for (int i = 0; i < 5; i++) {
		char *line = NULL;
		int ret;

		feed(&lb, chunk, sizeof(chunk));
		while ((ret = linebuf_next(&lb, &line)) != 0) {
			cr_assert_eq(ret, -EMSGSIZE, "linebuf_next returned %d inside a long line",
				     ret);
			overlong++;
		}
	}
	cr_assert_eq(overlong, 1, "-EMSGSIZE reported %d times for one line", overlong);
	feed_str(&lb, "tail of the long line\nDONE cpu.int\n");
	expect_line(&lb, "DONE cpu.int");
	expect_none(&lb);
	/* And the stream stays usable. */
	feed_str(&lb, "BYE\n");
	expect_line(&lb, "BYE");
}

Test(linebuf, overlong_line_newline_in_next_feed)
{
	struct linebuf lb;
	static char chunk[VMB_MAX_LINE + 100];

	memset(chunk, 'z', sizeof(chunk));
	linebuf_init(&lb);
	feed(&lb, chunk, sizeof(chunk));
	expect_overlong(&lb);
	expect_none(&lb);
	feed_str(&lb, "\nEND bytes=2\n");
	expect_line(&lb, "END bytes=2");
	expect_none(&lb);
}

Test(fields, single_spaces)
{
	char line[] = "READY cpu.int iters=10 sample_ns=200";
	struct fields fs;

	cr_assert_eq(fields_split(line, &fs), 0);
	cr_assert_eq(fs.n, 4);
	cr_assert_str_eq(fs.f[0], "READY");
	cr_assert_str_eq(fs.f[1], "cpu.int");
	cr_assert_str_eq(fs.f[2], "iters=10");
	cr_assert_str_eq(fs.f[3], "sample_ns=200");
}

Test(fields, one_field)
{
	char line[] = "BYE";
	struct fields fs;

	cr_assert_eq(fields_split(line, &fs), 0);
	cr_assert_eq(fs.n, 1);
	cr_assert_str_eq(fs.f[0], "BYE");
}

Test(fields, empty_fields_rejected)
{
	const char *bad[] = { "", " ", "a  b", "a ", " a", "a b ", "a b  c" };
	struct fields fs;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[32];

		strcpy(line, bad[i]);
		cr_assert_eq(fields_split(line, &fs), -EINVAL, "'%s' was not rejected", bad[i]);
	}
}

Test(fields, field_count_limit)
{
	char line[VMB_MAX_FIELDS * 4 + 8];
	struct fields fs;
	size_t used = 0;

	/* Exactly VMB_MAX_FIELDS fields are fine. */
	for (int i = 0; i < VMB_MAX_FIELDS; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%d", i ? " " : "", i);
	cr_assert_eq(fields_split(line, &fs), 0);
	cr_assert_eq(fs.n, VMB_MAX_FIELDS);
	cr_assert_str_eq(fs.f[VMB_MAX_FIELDS - 1], "31");

	/* One more is -E2BIG. */
	used = 0;
	for (int i = 0; i <= VMB_MAX_FIELDS; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%d", i ? " " : "", i);
	cr_assert_eq(fields_split(line, &fs), -E2BIG);
}

Test(fields, get)
{
	char line[] = "HELLO vmbench-agent 1.0 proto=1 kernel=6.1 arch= x=a=b";
	struct fields fs;

	cr_assert_eq(fields_split(line, &fs), 0);
	cr_assert_str_eq(fields_get(&fs, 3, "proto"), "1");
	cr_assert_str_eq(fields_get(&fs, 3, "kernel"), "6.1");
	cr_assert_str_eq(fields_get(&fs, 3, "arch"), "");
	cr_assert_str_eq(fields_get(&fs, 3, "x"), "a=b");
	/* A key is matched whole, not as a prefix of a longer key. */
	cr_assert_null(fields_get(&fs, 3, "pro"));
	cr_assert_null(fields_get(&fs, 3, "kernel=6"));
	cr_assert_null(fields_get(&fs, 3, "missing"));
	/* Fields before from are not searched. */
	cr_assert_null(fields_get(&fs, 4, "proto"));
	cr_assert_null(fields_get(&fs, fs.n, "x"));
}

Test(wire, printable)
{
	cr_assert(wire_printable("READY x iters=1 ~"));
	cr_assert(wire_printable(""));
	cr_assert_not(wire_printable("READY x\x01"));
	cr_assert_not(wire_printable("tab\there"));
	cr_assert_not(wire_printable("del\x7f"));
	cr_assert_not(wire_printable("high\xc3\xa9"));
}

Test(wire, parse_u64_valid)
{
	uint64_t v = 0;

	cr_assert_eq(wire_parse_u64("0", 0, 10, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(wire_parse_u64("42", 0, 100, &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(wire_parse_u64("1", 1, 1, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(wire_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
}

Test(wire, parse_u64_range)
{
	uint64_t v = 7;

	cr_assert_eq(wire_parse_u64("0", 1, 10, &v), -ERANGE);
	cr_assert_eq(wire_parse_u64("11", 1, 10, &v), -ERANGE);
	cr_assert_eq(wire_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	cr_assert_eq(wire_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
	cr_assert_eq(v, 7, "*out written on failure");
}

Test(wire, parse_u64_rejects)
{
	const char *bad[] = { "", "-1", "+1", "1x", " 1", "1 ", "0x10", "1.0", "1e3" };
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(wire_parse_u64(bad[i], 0, UINT64_MAX, &v), -EINVAL,
			     "'%s' was not rejected", bad[i]);
	cr_assert_eq(wire_parse_u64(NULL, 0, UINT64_MAX, &v), -EINVAL);
	cr_assert_eq(v, 7, "*out written on failure");
}

Test(wire, parse_double_valid)
{
	double v = -1;

	cr_assert_eq(wire_parse_double("12", &v), 0);
	cr_assert_float_eq(v, 12.0, 1e-12);
	cr_assert_eq(wire_parse_double("0.5", &v), 0);
	cr_assert_float_eq(v, 0.5, 1e-12);
	cr_assert_eq(wire_parse_double("1e3", &v), 0);
	cr_assert_float_eq(v, 1000.0, 1e-9);
	cr_assert_eq(wire_parse_double("0", &v), 0);
	cr_assert_float_eq(v, 0.0, 1e-12);
}

Test(wire, parse_double_rejects)
{
	const char *bad[] = { "-1", "inf", "nan", "0x10",  "",	 "1.0abc",
			      " 1", "1 ",  "+1",  "1e999", "1e", "INF" };
	double v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(wire_parse_double(bad[i], &v), -EINVAL, "'%s' was not rejected",
			     bad[i]);
	cr_assert_eq(wire_parse_double(NULL, &v), -EINVAL);
	cr_assert_float_eq(v, 7.0, 1e-12, "*out written on failure");
}
