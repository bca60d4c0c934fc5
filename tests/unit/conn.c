/* Unit tests of harness/protocol.h: connections to a guest, conn_recv and conn_send. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "stderr_capture.h"

#include "harness/protocol.h"
#include "host/util.h"

struct pipe_conn {
	int rfd, wfd;
	struct conn c;
};

static void pipe_conn_open(struct pipe_conn *pc)
{
	int fds[2];

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	pc->rfd = fds[0];
	pc->wfd = fds[1];
	conn_init(&pc->c, pc->rfd, -1, "test");
}

static void pipe_conn_close(struct pipe_conn *pc)
{
	if (pc->rfd >= 0)
		close(pc->rfd);
	if (pc->wfd >= 0)
		close(pc->wfd);
}

static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		cr_assert_gt(n, 0, "write to the pipe failed");
		data += n;
		len -= (size_t)n;
	}
}

static void write_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

Test(conn, skips_noise_and_log)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	write_str(pc.wfd, "[    1.234] Linux version 6.1.0\r\n"
			  "\n"
			  "login: \n"
			  "LOG agent starting\n"
			  "READY cpu.int iters=64 sample_ns=1000\n"
			  "DONE cpu.int\n");
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_READY);
	cr_assert_str_eq(m.workload, "cpu.int");
	cr_assert_eq(m.iters, 64);
	cr_assert_eq(pc.c.noise, 3);
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_DONE);
	pipe_conn_close(&pc);
}

/* The console's last words explain a dead guest: its last line, or its first report of the
 * kernel's death (an oops, a panic) whatever follows it (a call trace), made printable. */
Test(conn, keeps_the_consoles_last_words)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	cr_assert_str_eq(pc.c.last_words, "");
	write_str(pc.wfd, "early noise\n"
			  "[    1.5] DEBUG: no BUG: here, nor a Kernel panic\n"
			  "reboot: System halted \x1b[0m\r\n"
			  "\n");
	close(pc.wfd);
	pc.wfd = -1;
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPIPE);
	cr_assert_str_eq(pc.c.last_words, "reboot: System halted ?[0m");
	cr_assert(!pc.c.panicked);
	pipe_conn_close(&pc);

	pipe_conn_open(&pc);
	write_str(pc.wfd, "Kernel panic - not syncing: VFS: Unable to mount root fs\n"
			  "CPU: 0 PID: 1 Comm: swapper\n"
			  " [<606944ba>] ? _printk+0x0/0x94\n");
	close(pc.wfd);
	pc.wfd = -1;
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPIPE);
	cr_assert(pc.c.panicked);
	cr_assert_str_eq(pc.c.last_words,
			 "Kernel panic - not syncing: VFS: Unable to mount root fs");
	pipe_conn_close(&pc);

	/* An oops's first line says more than its panic, which may never come. */
	pipe_conn_open(&pc);
	write_str(pc.wfd,
		  "[   15.038824] general protection fault, probably for non-canonical "
		  "address 0xdead00000000012a: 0000 [#1] PREEMPT SMP NOPTI\n"
		  "[   15.042551] RIP: 0010:__run_timers+0x1e8/0x2c0\n"
		  "[   15.052015] Kernel panic - not syncing: Fatal exception in interrupt\n");
	close(pc.wfd);
	pc.wfd = -1;
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPIPE);
	cr_assert(pc.c.panicked);
	cr_assert_str_eq(pc.c.last_words,
			 "general protection fault, probably for non-canonical "
			 "address 0xdead00000000012a: 0000 [#1] PREEMPT SMP NOPTI");
	pipe_conn_close(&pc);
}

/* A guest that floods LOG lines (issue 21): the first GUESTLOG_CELL_LINES reach stderr,
 * the rest are counted and the summary says how many, once; the message after them still
 * arrives. */
Test(conn, log_flood_is_bounded)
{
	enum { FLOOD = 20000 };
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "", want[256];
	const char *pad = "....................................................................";
	size_t len;
	int saved;

	pipe_conn_open(&pc);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Lines of "flood NNNNN " and the pad: 80 bytes of text each. */
		for (int i = 0; i < FLOOD; i++)
			dprintf(pc.wfd, "LOG flood %05d %s\n", i, pad);
		dprintf(pc.wfd, "READY cpu.int iters=64 sample_ns=1000\n");
		_exit(0);
	}
	close(pc.wfd);
	pc.wfd = -1;
	int fd = stderr_to_file(&saved);
	int ret = conn_recv(&pc.c, &m, 10000, err, sizeof(err));
	conn_log_summary(&pc.c, "cpu.int");
	conn_log_summary(&pc.c, "cpu.int");
	char *text = stderr_back(fd, saved, SIZE_MAX, &len);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(m.type, MSG_READY);
	/* 80 bytes of text and "vmbench: test agent: " a line, and the summary. */
	cr_assert_lt(len, GUESTLOG_CELL_LINES * 102 + 300, "%zu bytes on stderr", len);
	snprintf(want, sizeof(want), "flood %05d ", GUESTLOG_CELL_LINES - 1);
	cr_assert_not_null(strstr(text, want), "the last line within the budget is missing");
	snprintf(want, sizeof(want), "flood %05d ", GUESTLOG_CELL_LINES);
	cr_assert_null(strstr(text, want), "a line past the budget was shown");
	snprintf(want, sizeof(want),
		 "vmbench: warning: test: cpu.int: dropped %d guest lines (%d bytes) after the "
		 "%d shown",
		 FLOOD - GUESTLOG_CELL_LINES, (FLOOD - GUESTLOG_CELL_LINES) * 80,
		 GUESTLOG_CELL_LINES);
	char *at = strstr(text, want);
	cr_assert_not_null(at, "no summary of the dropped lines: ...%s", text + len - 200);
	cr_assert_null(strstr(at + strlen(want), "dropped"), "the summary came twice");
	free(text);
	pipe_conn_close(&pc);
}

/* An ERR reason is kept in the results: a guest cannot make it as long as a line. */
Test(conn, long_err_reason_is_cut)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";
	static char line[VMB_MAX_LINE];

	pipe_conn_open(&pc);
	int n = snprintf(line, sizeof(line), "ERR cpu.int failed ");
	memset(line + n, 'w', sizeof(line) - (size_t)n - 2);
	line[sizeof(line) - 2] = '\n';
	write_all(pc.wfd, line, sizeof(line) - 1);
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_ERR);
	cr_assert_leq(strlen(m.text), GUESTLOG_LINE_MAX);
	cr_assert_not_null(strstr(m.text, " more bytes]"), "%s", m.text);
	pipe_conn_close(&pc);
}

Test(conn, line_over_several_writes)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	write_str(pc.wfd, "DONE cp");
	cr_assert_eq(conn_recv(&pc.c, &m, 50, err, sizeof(err)), -ETIMEDOUT);
	write_str(pc.wfd, "u.fp\n");
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_DONE);
	cr_assert_str_eq(m.workload, "cpu.fp");
	pipe_conn_close(&pc);
}

Test(conn, overlong_line)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";
	static char big[VMB_MAX_LINE + 100];

	pipe_conn_open(&pc);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	write_all(pc.wfd, big, sizeof(big));
	write_str(pc.wfd, "BYE\n");
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPROTO);
	cr_assert_neq(err[0], '\0');
	pipe_conn_close(&pc);
}

Test(conn, malformed_line)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	write_str(pc.wfd, "noise\nEND bytes=1\n");
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPROTO);
	cr_assert_neq(err[0], '\0');
	pipe_conn_close(&pc);
}

Test(conn, closed_stream)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	write_str(pc.wfd, "BYE\nhalf a line");
	close(pc.wfd);
	pc.wfd = -1;
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(m.type, MSG_BYE);
	cr_assert_eq(conn_recv(&pc.c, &m, 1000, err, sizeof(err)), -EPIPE);
	pipe_conn_close(&pc);
}

Test(conn, timeout)
{
	struct pipe_conn pc;
	struct msg m;
	char err[256] = "";

	pipe_conn_open(&pc);
	cr_assert_eq(conn_recv(&pc.c, &m, 50, err, sizeof(err)), -ETIMEDOUT);
	/* Noise alone does not count as a message either. */
	write_str(pc.wfd, "just console output\n");
	cr_assert_eq(conn_recv(&pc.c, &m, 50, err, sizeof(err)), -ETIMEDOUT);
	pipe_conn_close(&pc);
}

static void read_exact(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		cr_assert_gt(n, 0, "short read from the pipe");
		got += (size_t)n;
	}
}

static void expect_pipe_empty(int fd)
{
	char c;
	int fl = fcntl(fd, F_GETFL);

	cr_assert_eq(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
	cr_assert_eq(read(fd, &c, 1), -1, "extra bytes after the line");
	cr_assert_eq(errno, EAGAIN);
	cr_assert_eq(fcntl(fd, F_SETFL, fl), 0);
}

Test(conn, send_one_line)
{
	int fds[2];
	struct conn c;
	char buf[64];
	const char *want = "RUN cpu.int reps=10 warmup=2 min_sample_ns=10000000\n";

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	conn_init(&c, -1, fds[1], "test");
	cr_assert_eq(conn_send(&c, "RUN %s reps=%u warmup=%u min_sample_ns=%llu", "cpu.int", 10u,
			       2u, 10000000ull),
		     0);
	read_exact(fds[0], buf, strlen(want));
	buf[strlen(want)] = '\0';
	cr_assert_str_eq(buf, want);
	expect_pipe_empty(fds[0]);

	cr_assert_eq(conn_send(&c, "GO"), 0);
	read_exact(fds[0], buf, 3);
	cr_assert_eq(memcmp(buf, "GO\n", 3), 0);
	expect_pipe_empty(fds[0]);
	close(fds[0]);
	close(fds[1]);
}

Test(conn, send_line_length_limit)
{
	int fds[2];
	struct conn c;
	static char text[VMB_MAX_LINE + 8], buf[VMB_MAX_LINE + 8];

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	conn_init(&c, -1, fds[1], "test");
	/* One byte too many for VMB_MAX_LINE with the newline: refused, nothing written. */
	memset(text, 'q', VMB_MAX_LINE);
	text[VMB_MAX_LINE] = '\0';
	cr_assert_eq(conn_send(&c, "%s", text), -EMSGSIZE);
	expect_pipe_empty(fds[0]);
	/* Exactly VMB_MAX_LINE bytes with the newline is a valid protocol line. */
	text[VMB_MAX_LINE - 1] = '\0';
	cr_assert_eq(conn_send(&c, "%s", text), 0,
		     "a line of VMB_MAX_LINE bytes with its newline was refused");
	read_exact(fds[0], buf, VMB_MAX_LINE);
	cr_assert_eq(buf[VMB_MAX_LINE - 1], '\n');
	cr_assert_eq(memcmp(buf, text, VMB_MAX_LINE - 1), 0);
	close(fds[0]);
	close(fds[1]);
}

Test(conn, send_to_closed_reader)
{
	int fds[2];
	struct conn c;

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	close(fds[0]);
	conn_init(&c, -1, fds[1], "test");
	cr_assert_eq(conn_send(&c, "QUIT"), -EPIPE);
	close(fds[1]);
}

/* What counts as a kernel's report of its death: the lines a dying kernel begins with, after
 * its stamps, and not a watchdog's warning of a kernel that lives on, nor a word inside a
 * line. */
Test(conn, kernel_reports_are_told_from_other_lines)
{
	static const char *const dying[] = {
		"[   15.038824] general protection fault, probably for non-canonical address "
		"0xdead00000000012a: 0000 [#1] PREEMPT SMP NOPTI",
		"[    3.1] BUG: kernel NULL pointer dereference, address: 0000000000000000",
		"kernel BUG at lib/list_debug.c:56!",
		"[    9.9][    T1] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI",
		"[   15.052015] Kernel panic - not syncing: Fatal exception in interrupt",
		"list_del corruption, ffff88801ec21d80->next is LIST_POISON1",
	};
	static const char *const living[] = {
		"[   22.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!",
		"[   22.0] BUG: soft lockup - CPU#0 stuck for 22s! [vmbench-agent:88]",
		"[    1.5] DEBUG: no BUG: here, nor a Kernel panic",
		"Run /init as init process",
		"[    2.0] [#1] alone",
		"",
	};

	for (size_t i = 0; i < ARRAY_SIZE(dying); i++) {
		const char *at = util_kernel_report(dying[i]);
		cr_assert_not_null(at, "%s", dying[i]);
		cr_assert_neq(*at, '[', "%s", dying[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(living); i++)
		cr_assert_null(util_kernel_report(living[i]), "%s", living[i]);
}
