/* Unit tests of harness/protocol.h: parsing guest lines and payloads (connections: conn.c). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness/protocol.h"

#define HELLO_OK "HELLO vmbench-agent 0.1.0 proto=5 kernel=6.1.0-13-amd64 arch=x86_64 tmp=tmpfs"
#define CLOCK_OK "CLOCK timer_res_ns=20 clock_read_ns=18.5 loop_ns=0.31"

/* Parses a copy of text; returns proto_parse's result, err is cleared first. */
static int parse(const char *text, struct msg *m, char *line, size_t linelen, char *err,
		 size_t errlen)
{
	cr_assert_lt(strlen(text), linelen);
	strcpy(line, text);
	err[0] = '\0';
	return proto_parse(line, m, err, errlen);
}

/* The line must be a protocol error with a reason. */
static void expect_bad(const char *text)
{
	char line[VMB_MAX_LINE + 16], err[256];
	struct msg m;
	int ret = parse(text, &m, line, sizeof(line), err, sizeof(err));

	cr_assert_eq(ret, -EPROTO, "'%s' gave %d, expected -EPROTO", text, ret);
	cr_assert_neq(err[0], '\0', "no reason for '%s'", text);
}

static void expect_noise(const char *text)
{
	char line[VMB_MAX_LINE + 16], err[256];
	struct msg m;
	int ret = parse(text, &m, line, sizeof(line), err, sizeof(err));

	cr_assert_eq(ret, 0, "'%s' gave %d (%s)", text, ret, err);
	cr_assert_eq(m.type, MSG_NOISE, "'%s' is type %d, expected noise", text, m.type);
}

Test(proto_parse, hello)
{
	char line[512], err[256];
	struct msg m;

	cr_assert_eq(parse(HELLO_OK, &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_HELLO);
	cr_assert_str_eq(m.hello.version, "0.1.0");
	cr_assert_eq(m.hello.proto, VMB_PROTO_VERSION);
	cr_assert_str_eq(m.hello.kernel, "6.1.0-13-amd64");
	cr_assert_str_eq(m.hello.arch, "x86_64");
	cr_assert_str_eq(m.hello.tmp_fs, "tmpfs");
}

Test(proto_parse, clock)
{
	char line[512], err[256];
	struct msg m;

	cr_assert_eq(parse(CLOCK_OK, &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_CLOCK);
	cr_assert_float_eq(m.hello.timer_res_ns, 20.0, 1e-12);
	cr_assert_float_eq(m.hello.clock_read_ns, 18.5, 1e-12);
	cr_assert_float_eq(m.hello.loop_ns, 0.31, 1e-12);
	/* In any order. */
	cr_assert_eq(parse("CLOCK loop_ns=1 clock_read_ns=2 timer_res_ns=3", &m, line, sizeof(line),
			   err, sizeof(err)),
		     0, "%s", err);
	cr_assert_float_eq(m.hello.timer_res_ns, 3.0, 1e-12);
}

/* A boot's timestamps on the guest's clock are optional; absent ones are NAN. */
Test(proto_parse, clock_boot_times)
{
	char line[512], err[256];
	struct msg m;

	cr_assert_eq(parse(CLOCK_OK, &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert(isnan(m.hello.uptime_s) && isnan(m.hello.agent_start_s) &&
		  isnan(m.hello.init_start_s));
	cr_assert_eq(parse(CLOCK_OK " uptime_s=1.5 agent_start_s=1.25 init_start_s=1.02", &m, line,
			   sizeof(line), err, sizeof(err)),
		     0, "%s", err);
	cr_assert_float_eq(m.hello.uptime_s, 1.5, 1e-12);
	cr_assert_float_eq(m.hello.agent_start_s, 1.25, 1e-12);
	cr_assert_float_eq(m.hello.init_start_s, 1.02, 1e-12);
	/* A container's agent has no /init. */
	cr_assert_eq(parse(CLOCK_OK " uptime_s=9000.1 agent_start_s=9000", &m, line, sizeof(line),
			   err, sizeof(err)),
		     0, "%s", err);
	cr_assert(isnan(m.hello.init_start_s));
	expect_bad(CLOCK_OK " uptime_s=-1");
	expect_bad(CLOCK_OK " uptime_s=soon");
	expect_bad(CLOCK_OK " agent_start_s=1e12");
	expect_bad(CLOCK_OK " init_start_s=inf");
}

Test(proto_parse, clock_malformed)
{
	expect_bad("CLOCK");
	expect_bad("CLOCK timer_res_ns=fast clock_read_ns=1 loop_ns=1");
	expect_bad("CLOCK timer_res_ns=nan clock_read_ns=1 loop_ns=1");
	expect_bad("CLOCK timer_res_ns=-1 clock_read_ns=1 loop_ns=1");
	expect_bad("CLOCK timer_res_ns=1 clock_read_ns=1");
}

Test(proto_parse, hello_fields_any_order)
{
	char line[512], err[256];
	struct msg m;

	/* Named fields in another order are fine. */
	cr_assert_eq(parse("HELLO vmbench-agent 2.0 tmp=ext2/3/4 arch=aarch64 kernel=5.10 proto=5",
			   &m, line, sizeof(line), err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_HELLO);
	cr_assert_str_eq(m.hello.arch, "aarch64");
	cr_assert_str_eq(m.hello.kernel, "5.10");
}

Test(proto_parse, ready)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("READY cpu.int iters=123456 sample_ns=20000000", &m, line, sizeof(line),
			   err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_READY);
	cr_assert_str_eq(m.workload, "cpu.int");
	cr_assert_eq(m.iters, 123456);
	cr_assert_eq(m.sample_ns, 20000000);
}

Test(proto_parse, ready_name_chars)
{
	char line[256], err[256], name[64];
	struct msg m;

	/* 63 bytes of a-z 0-9 . _ - is the longest valid name. */
	memset(name, 'a', 63);
	name[63] = '\0';
	memcpy(name, "x_y-z.9", 7);
	char text[200];
	snprintf(text, sizeof(text), "READY %s iters=1 sample_ns=0", name);
	cr_assert_eq(parse(text, &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(m.workload, name);
}

Test(proto_parse, done)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("DONE syscall.getppid", &m, line, sizeof(line), err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(m.type, MSG_DONE);
	cr_assert_str_eq(m.workload, "syscall.getppid");
}

Test(proto_parse, data)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("DATA {\"workload\": \"cpu.int\",  \"x\": 1}", &m, line, sizeof(line),
			   err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_DATA);
	/* The chunk is kept whole, spaces included. */
	cr_assert_str_eq(m.text, "{\"workload\": \"cpu.int\",  \"x\": 1}");
}

Test(proto_parse, end)
{
	char line[256], err[256], text[64];
	struct msg m;

	cr_assert_eq(parse("END bytes=2", &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_END);
	cr_assert_eq(m.bytes, 2);
	snprintf(text, sizeof(text), "END bytes=%u", VMB_MAX_DATA);
	cr_assert_eq(parse(text, &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.bytes, VMB_MAX_DATA);
}

Test(proto_parse, err_unsupported_with_reason)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("ERR disk.read unsupported no test disk  here", &m, line, sizeof(line),
			   err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_ERR);
	cr_assert_str_eq(m.workload, "disk.read");
	cr_assert_eq(m.unsupported, 1);
	cr_assert_str_eq(m.text, "no test disk  here");
}

Test(proto_parse, err_failed_with_reason)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("ERR cpu.fp failed setup: out of memory", &m, line, sizeof(line), err,
			   sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_ERR);
	cr_assert_str_eq(m.workload, "cpu.fp");
	cr_assert_eq(m.unsupported, 0);
	cr_assert_str_eq(m.text, "setup: out of memory");
}

Test(proto_parse, err_without_reason)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("ERR cpu.fp failed", &m, line, sizeof(line), err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(m.type, MSG_ERR);
	cr_assert_eq(m.unsupported, 0);
	cr_assert_str_eq(m.workload, "cpu.fp");
	cr_assert_not_null(m.text);
	cr_assert_neq(m.text[0], '\0');

	cr_assert_eq(parse("ERR cpu.fp unsupported", &m, line, sizeof(line), err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(m.unsupported, 1);
	cr_assert_not_null(m.text);
	cr_assert_neq(m.text[0], '\0');
}

Test(proto_parse, log)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("LOG calibrating cpu.int: 1024 iters", &m, line, sizeof(line), err,
			   sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(m.type, MSG_LOG);
	cr_assert_str_eq(m.text, "calibrating cpu.int: 1024 iters");
}

Test(proto_parse, bye)
{
	char line[256], err[256];
	struct msg m;

	cr_assert_eq(parse("BYE", &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_BYE);
	/* The answer to the host's PING (a restored guest's agent is up). */
	cr_assert_eq(parse("PONG", &m, line, sizeof(line), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_PONG);
	cr_assert_str_eq(proto_msg_name(MSG_PONG), "PONG");
}

Test(proto_parse, console_noise)
{
	expect_noise("[    1.234] Linux version 6.1.0 (gcc 12)");
	expect_noise("HELLOX");
	expect_noise("");
	expect_noise("hello vmbench-agent");
	expect_noise("READYX cpu.int");
	expect_noise(" READY cpu.int iters=1 sample_ns=1");
	expect_noise("BYEBYE");
	expect_noise("PONGPONG");
	expect_noise("PING");
	expect_noise("Welcome to \x1b[1mDebian\x1b[0m");
}

Test(proto_parse, hello_malformed)
{
	/* another program */
	expect_bad("HELLO sshd 0.1.0 proto=5 kernel=6.1 arch=x86_64");
	expect_bad("HELLO");
	/* wrong protocol version: 3 had no PING, 2 sent the clock's facts in HELLO */
	expect_bad("HELLO vmbench-agent 0.1.0 proto=4 kernel=6.1 arch=x86_64 tmp=tmpfs");
	expect_bad("HELLO vmbench-agent 0.1.0 proto=2 kernel=6.1 arch=x86_64 timer_res_ns=1 "
		   "clock_read_ns=1 loop_ns=1");
	expect_bad("HELLO vmbench-agent 0.1.0 proto=0 kernel=6.1 arch=x86_64");
	/* missing kernel= */
	expect_bad("HELLO vmbench-agent 0.1.0 proto=5 arch=x86_64");
	expect_bad("HELLO vmbench-agent 0.1.0 proto=5 kernel= arch=x86_64");
	/* missing arch= */
	expect_bad("HELLO vmbench-agent 0.1.0 proto=5 kernel=6.1 tmp=tmpfs");
	/* missing tmp= */
	expect_bad("HELLO vmbench-agent 0.1.0 proto=5 kernel=6.1 arch=x86_64");
	expect_bad("HELLO vmbench-agent 0.1.0 proto=5 kernel=6.1 arch=x86_64 tmp=");
}

Test(proto_parse, hello_wrong_proto_reason)
{
	char line[512], err[256];
	struct msg m;

	cr_assert_eq(parse("HELLO vmbench-agent 0.1.0 proto=1 kernel=6.1 arch=x86_64 "
			   "timer_res_ns=1 clock_read_ns=1 loop_ns=1",
			   &m, line, sizeof(line), err, sizeof(err)),
		     -EPROTO);
	cr_assert_not_null(strstr(err, "agent speaks protocol 1"),
			   "reason '%s' does not name the version", err);
}

Test(proto_parse, ready_malformed)
{
	char text[200], name[65];

	/* bad workload names: uppercase, too long, empty */
	expect_bad("READY CPU.int iters=1 sample_ns=1");
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(text, sizeof(text), "READY %s iters=1 sample_ns=1", name);
	expect_bad(text);
	expect_bad("READY  iters=1 sample_ns=1");
	expect_bad("READY");
	expect_bad("READY cpu/int iters=1 sample_ns=1");
	/* iters=0, missing or bad numbers */
	expect_bad("READY cpu.int iters=0 sample_ns=1");
	expect_bad("READY cpu.int sample_ns=1");
	expect_bad("READY cpu.int iters=1");
	expect_bad("READY cpu.int iters=-1 sample_ns=1");
	expect_bad("READY cpu.int iters=10x sample_ns=1");
}

Test(proto_parse, done_malformed)
{
	expect_bad("DONE cpu.int extra");
	expect_bad("DONE");
	expect_bad("DONE Cpu.int");
}

Test(proto_parse, end_malformed)
{
	char text[64];

	expect_bad("END bytes=1");
	expect_bad("END bytes=0");
	snprintf(text, sizeof(text), "END bytes=%u", VMB_MAX_DATA + 1);
	expect_bad(text);
	expect_bad("END bytes=99999999999999999999999");
	expect_bad("END");
	expect_bad("END size=10");
	expect_bad("END bytes=10 extra");
}

Test(proto_parse, err_malformed)
{
	expect_bad("ERR cpu.int broken because");
	expect_bad("ERR cpu.int Unsupported");
	expect_bad("ERR cpu.int");
	expect_bad("ERR CPU failed x");
}

/* A word alone, both. */
Test(proto_parse, bye_malformed)
{
	char line[256], err[256];
	struct msg m;

	expect_bad("BYE now");
	expect_bad("PONG seq=1");
	cr_assert_eq(parse("PONG 1", &m, line, sizeof(line), err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "PONG with fields"), "%s", err);
}

Test(proto_parse, non_printable)
{
	expect_bad("READY x\x01");
	expect_bad("READY cpu.int iters=1 sample_ns=1\x7f");
	expect_bad("LOG tab\there");
	expect_bad("DATA {\"a\":\"\xc3\xa9\"}");
	expect_bad("ERR cpu.int failed bell\a");
	expect_bad("DONE cpu.int\r");
}

Test(proto_parse, double_spaces)
{
	expect_bad("DONE  cpu.int");
	expect_bad("READY cpu.int  iters=1 sample_ns=1");
	expect_bad("READY cpu.int iters=1 sample_ns=1 ");
	expect_bad("HELLO vmbench-agent  0.1.0 proto=5 kernel=6.1 arch=x86_64");
	expect_bad("CLOCK  timer_res_ns=1 clock_read_ns=1 loop_ns=1");
	expect_bad("BYE ");
	expect_bad("PONG ");
}

/*
 * "ERR" alone at the very end of readable memory: proto_parse must not read past the
 * string's terminating NUL (a guard page makes such a read crash).
 */
Test(proto_parse, err_alone_stays_in_bounds)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char err[256] = "";
	struct msg m;

	cr_assert_neq(map, MAP_FAILED);
	cr_assert_eq(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	char *line = map + page - 4;
	memcpy(line, "ERR", 4);
	cr_assert_eq(proto_parse(line, &m, err, sizeof(err)), -EPROTO);
	cr_assert_neq(err[0], '\0');
	munmap(map, (size_t)page * 2);
}

/* ----- payloads ----- */

#define PAYLOAD_OK                                                                           \
	"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, \"warmup\": 2, "  \
	"\"ops\": 3000, "                                                                    \
	"\"samples\": [1.5, 1.25, 2], \"sample_ns\": [1500, 1250, 2000], \"sample_iters\": " \
	"[1500, 1250, 2000], \"loop_ns\": 0.25}"

static void expect_bad_payload(const char *text, const char *what)
{
	struct payload p;
	char err[256] = "";
	int ret = proto_parse_payload(text, strlen(text), "cpu.int", "ns/op", 3, 1000, 2, &p, err,
				      sizeof(err));

	cr_assert_eq(ret, -EPROTO, "%s: got %d, expected -EPROTO", what, ret);
	cr_assert_neq(err[0], '\0', "%s: no reason", what);
	cr_assert_null(p.samples, "%s: samples left allocated", what);
	cr_assert_null(p.raw, "%s: raw left allocated", what);
	payload_free(&p);
	payload_free(&p);
}

/* What the guest was asked against what it says it did: the warm-up of the RUN, at least
 * the announced iterations in every sample. */
Test(proto_payload, lies_about_the_request_are_refused)
{
	struct payload p;
	char err[256] = "";

	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 0, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], \"loop_ns\": 0}",
			   "warm-up not as asked");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 10, 2000], \"loop_ns\": 0}",
			   "a sample of fewer iterations than announced");
	cr_assert_eq(proto_parse_payload(PAYLOAD_OK, strlen(PAYLOAD_OK), "cpu.int", "ns/op", 3,
					 1000, 1, &p, err, sizeof(err)),
		     -EPROTO);
	cr_assert_not_null(strstr(err, "1 were asked for"), "%s", err);
}

Test(proto_payload, valid)
{
	struct payload p;
	char err[256] = "";

	cr_assert_eq(proto_parse_payload(PAYLOAD_OK, strlen(PAYLOAD_OK), "cpu.int", "ns/op", 3,
					 1000, 2, &p, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(p.n, 3);
	cr_assert_not_null(p.samples);
	cr_assert_float_eq(p.samples[0], 1.5, 1e-12);
	cr_assert_float_eq(p.samples[1], 1.25, 1e-12);
	cr_assert_float_eq(p.samples[2], 2.0, 1e-12);
	cr_assert(json_is_object(p.raw));
	cr_assert_eq(json_integer_value(json_object_get(p.raw, "iters")), 1000);
	cr_assert_eq(json_integer_value(json_object_get(p.raw, "warmup")), 2);
	cr_assert_float_eq(json_number_value(json_object_get(p.raw, "loop_ns")), 0.25, 1e-12);
	json_t *sns = json_object_get(p.raw, "sample_ns");
	cr_assert(json_is_array(sns));
	cr_assert_eq(json_array_size(sns), 3);
	cr_assert_float_eq(json_number_value(json_array_get(sns, 1)), 1250.0, 1e-9);
	payload_free(&p);
	cr_assert_null(p.samples);
	cr_assert_null(p.raw);
	payload_free(&p);
}

Test(proto_payload, valid_length_bounded)
{
	struct payload p;
	char err[256] = "";
	char text[sizeof(PAYLOAD_OK) + 16];

	/* textlen is honoured: trailing bytes past it are not parsed. */
	snprintf(text, sizeof(text), "%sGARBAGE", PAYLOAD_OK);
	cr_assert_eq(proto_parse_payload(text, strlen(PAYLOAD_OK), "cpu.int", "ns/op", 3, 1000, 2,
					 &p, err, sizeof(err)),
		     0, "%s", err);
	payload_free(&p);
}

Test(proto_payload, invalid)
{
	expect_bad_payload("this is not json", "not JSON");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, ",
			   "truncated JSON");
	expect_bad_payload("[1, 2, 3]", "an array");
	expect_bad_payload("{\"workload\": \"cpu.fp\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "wrong workload");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"GB/s\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "wrong unit");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 2], \"sample_ns\": [1, "
			   "1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "too few samples");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 2, 3, 4], "
			   "\"sample_ns\": [1, 1, 2, 4], \"sample_iters\": [1, 1, 2, 4], "
			   "\"loop_ns\": 0}",
			   "too many samples");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 2], \"sample_iters\": [1, 2], "
			   "\"loop_ns\": 0}",
			   "too few sample_ns");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, -1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "negative sample");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, \"1\", 2], "
			   "\"sample_ns\": [1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "string sample");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, null, 2], "
			   "\"sample_ns\": [1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "null sample");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 999, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "iters not as announced");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0, \"bogus\": 1}",
			   "unknown key");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000]}",
			   "missing loop_ns");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": -0.5}",
			   "negative loop_ns");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": -1, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "negative warmup");
	expect_bad_payload(
		"{\"workload\": \"cpu.int\", \"workload\": \"cpu.int\", \"unit\": "
		"\"ns/op\", \"iters\": 1000, \"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], "
		"\"sample_ns\": [1, 1, 2], \"sample_iters\": [1000, 1000, 2000], \"loop_ns\": 0}",
		"duplicate key");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"samples\": [1, 1, 2], \"sample_ns\": [1, 1, 2], "
			   "\"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "missing ops");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 0, \"samples\": [1, 1, 2], \"sample_ns\": [1, "
			   "1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0}",
			   "zero ops");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0, \"extra\": [1]}",
			   "extra not an object");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0, \"series\": {\"x_unit\": \"bytes\", \"points\": []}}",
			   "series without points");
	expect_bad_payload("{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
			   "\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": "
			   "[1, 1, 2], \"sample_iters\": [1000, 1000, 2000], "
			   "\"loop_ns\": 0, \"series\": {\"x_unit\": \"bytes\", \"points\": "
			   "[{\"x\": 4096, \"iters\": 5, \"samples\": [1, 2], \"sample_ns\": [1, "
			   "2, 3], \"sample_iters\": [1, 2, 3]}]}}",
			   "series point with too few samples");
	expect_bad_payload(
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
		"\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [1, 1, 2], "
		"\"loop_ns\": 0}",
		"missing sample_iters");
	expect_bad_payload(
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, "
		"\"warmup\": 2, \"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [1, 1, 2], "
		"\"sample_iters\": [], \"loop_ns\": 0}",
		"sample_iters shorter than sample_ns");
}

Test(proto_payload, extra_and_series)
{
	static const char text[] =
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, \"warmup\": 2, "
		"\"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [], \"sample_iters\": [], "
		"\"loop_ns\": 0, "
		"\"extra\": {\"clocksource\": \"tsc\"}, \"series\": {\"x_unit\": \"bytes\", "
		"\"points\": [{\"x\": 4096, \"iters\": 5, \"samples\": [1, 2, 3], "
		"\"sample_ns\": [1, 2, 3], \"sample_iters\": [1, 2, 3]}]}}";
	struct payload p;
	char err[256] = "";

	cr_assert_eq(proto_parse_payload(text, strlen(text), "cpu.int", "ns/op", 3, 1000, 2, &p,
					 err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(p.extra, "clocksource")), "tsc");
	cr_assert_eq(json_array_size(json_object_get(p.series, "points")), 1);
	cr_assert_float_eq(json_number_value(json_object_get(p.raw, "ops")), 3000, 1e-9);
	payload_free(&p);
}

/* Sample times a guest gives are held to the host's clock between GO and DONE: samples of 2
 * s each in a phase that took 10 ms, or DONE long before samples of the asked length could
 * have run, are lies; honest ones, within a clock's disagreement, pass. */
Test(proto_payload, sample_times_are_held_to_the_host_clock)
{
	static const char lying[] =
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, \"warmup\": 2, "
		"\"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [2e9, 2e9, 2e9], "
		"\"sample_iters\": [1000, 1000, 1000], \"loop_ns\": 0}";
	static const char points[] =
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, \"warmup\": 2, "
		"\"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [1, 1, 1], "
		"\"sample_iters\": "
		"[1000, 1000, 1000], \"loop_ns\": 0, \"series\": {\"x_unit\": \"bytes\", "
		"\"points\": [{\"x\": 1, \"iters\": 5, \"samples\": [1, 2, 3], "
		"\"sample_ns\": [1e9, 1e9, 1e9], \"sample_iters\": [5, 5, 5]}, {\"x\": 2, "
		"\"iters\": "
		"5, \"samples\": [1, 2, 3], \"sample_ns\": [1, 1, 1], \"sample_iters\": [5, 5, "
		"5]}]}}";
	struct payload p;
	char err[256] = "";

	cr_assert_eq(proto_parse_payload(lying, strlen(lying), "cpu.int", "ns/op", 3, 1000, 2, &p,
					 err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(proto_check_durations(&p, true, 1000000, 1e7, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "add up to 6.000 s"), "%s", err);
	/* The same, with as much time passed on the host (and a clock 20% fast). */
	cr_assert_eq(proto_check_durations(&p, true, 1000000, 5e9, err, sizeof(err)), 0, "%s", err);
	payload_free(&p);
	/* 3 samples of at least 1 s each, DONE after 100 ms. */
	cr_assert_eq(proto_parse_payload(PAYLOAD_OK, strlen(PAYLOAD_OK), "cpu.int", "ns/op", 3,
					 1000, 2, &p, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(proto_check_durations(&p, true, 1000000000, 1e8, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "said DONE 0.100 s after GO"), "%s", err);
	cr_assert_eq(proto_check_durations(&p, true, 1000000000, 2.5e9, err, sizeof(err)), 0, "%s",
		     err);
	payload_free(&p);
	/* Every point's samples count, not only the last one's. */
	cr_assert_eq(proto_parse_payload(points, strlen(points), "cpu.int", "ns/op", 3, 1000, 2, &p,
					 err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(proto_check_durations(&p, true, 1000, 1e8, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "6 samples add up to 3.000 s"), "%s", err);
	payload_free(&p);
	/* A workload the agent times must come with its samples' times. */
	static const char untimed[] =
		"{\"workload\": \"cpu.int\", \"unit\": \"ns/op\", \"iters\": 1000, \"warmup\": 2, "
		"\"ops\": 3000, \"samples\": [1, 1, 2], \"sample_ns\": [], \"sample_iters\": [], "
		"\"loop_ns\": 0}";
	cr_assert_eq(proto_parse_payload(untimed, strlen(untimed), "cpu.int", "ns/op", 3, 1000, 2,
					 &p, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(proto_check_durations(&p, true, 1000, 1e8, err, sizeof(err)), -EPROTO);
	cr_assert_not_null(strstr(err, "without the samples' times"), "%s", err);
	cr_assert_eq(proto_check_durations(&p, false, 1000, 1e8, err, sizeof(err)), 0, "%s", err);
	payload_free(&p);
}
