/*
 * Fuzz target: what a guest sends, as the host reads it. The input is the guest's byte
 * stream, handed to the session driver by a backend of this file (what the host writes
 * goes to /dev/null): session_start's handshake, then cellrun_run, as a run calls them, for
 * the cells of WORKLOADS in turn while the session lasts (framing, every message, the DATA
 * of a reply checked against what was asked and added to its cell), then session_stop. The
 * cells and the session's facts must make a results file vmbench reads back. The stream
 * is also read to its end as a plain conn_recv loop, past protocol errors that end a
 * session, and its framing is checked apart: the lines must not depend on how the stream
 * was cut into reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backends/backend.h"
#include "harness/cellrun.h"
#include "harness/protocol.h"
#include "harness/results.h"
#include "harness/session.h"
#include "tests/fuzz/fuzz.h"

/* What each RUN asks for (the seeds' transcripts answer this): cpu.int twice, so that
 * the second round adds a session to its cell. */
static const char *const WORKLOADS[] = { "cpu.int", "mem.lat", "io.randread4k.qd1", "cpu.int" };
static const struct cellrun RUN = { .reps = 3, .warmup = 2, .min_sample_ns = 1000000 };

/* The input, for the backend to hand over: a memfd made once, rewritten for each input (a
 * regular file polls readable and reads 0 at its end, as a closed pipe does). */
static int stream = -1;

static void stream_set(const uint8_t *data, size_t size)
{
	if (stream < 0 && (stream = memfd_create("vmbench-fuzz-guest", MFD_CLOEXEC)) < 0)
		fuzz_fail("memfd_create: %s", strerror(errno));
	if (ftruncate(stream, 0) < 0 || pwrite(stream, data, size, 0) != (ssize_t)size ||
	    lseek(stream, 0, SEEK_SET) != 0)
		fuzz_fail("cannot write the stream: %s", strerror(errno));
}

static int stream_start(struct guest *g)
{
	g->from_guest = dup(stream);
	g->to_guest = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (g->from_guest < 0 || g->to_guest < 0)
		fuzz_fail("cannot open the guest's stream: %s", strerror(errno));
	g->pid = getpid();
	return 0;
}

static void stream_stop(struct guest *g)
{
	if (g->from_guest >= 0)
		close(g->from_guest);
	if (g->to_guest >= 0)
		close(g->to_guest);
	g->from_guest = g->to_guest = -1;
}

static const struct backend_ops stream_backend = {
	.abi = BACKEND_ABI,
	.name = "guest",
	.mode = "fuzz",
	.summary = "the fuzzer's input as a guest's stream",
	.flags = BK_TEST,
	.hello_timeout_s = 1,
	.start = stream_start,
	.stop = stream_stop,
};

/* A session over the stream, as run.c has one: its cells into r, its facts into r's
 * provenance. */
static void session_run(struct results *r)
{
	struct backend_cfg cfg = { .cpu = -1 };
	struct session s;
	char err[512] = "";

	if (session_start(&s, &stream_backend, &cfg, false, err, sizeof(err)) < 0) {
		if (!err[0])
			fuzz_fail("session_start failed without a reason");
		return;
	}
	json_t *binfo = json_object();
	session_describe(&s, binfo);
	json_object_set_new(r->provenance, "backends", json_pack("{s:o}", "guest", binfo));
	for (size_t i = 0; i < sizeof(WORKLOADS) / sizeof(WORKLOADS[0]); i++) {
		const struct workload_ops *wl = workload_find(WORKLOADS[i]);
		if (!wl)
			fuzz_fail("no workload %s", WORKLOADS[i]);
		struct cell *c = (struct cell *)results_find(r, "guest", wl->name);
		if (!c && !(c = results_add(r, "guest", "fuzz", wl->name, wl->unit, wl->better)))
			break;
		int ret = cellrun_run(&s, wl, &RUN, c);
		if ((c->status == CELL_FAILED || c->status == CELL_SKIPPED) && !c->reason)
			fuzz_fail("%s: %s without a reason", wl->name, cell_status_name(c->status));
		if (ret < 0) { /* the conversation is out of step, as run.c ends it */
			session_abandon(&s);
			return;
		}
	}
	session_stop(&s);
}

/* The whole stream through conn_recv, on past what would end a session. */
static void read_all(void)
{
	struct conn c;
	struct msg m;
	char err[512];
	int fd = dup(stream);

	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail("cannot read the stream again: %s", strerror(errno));
	conn_init(&c, fd, -1, "fuzz");
	for (;;) {
		err[0] = '\0';
		int ret = conn_recv(&c, &m, 1000, err, sizeof(err));
		if (ret == -EPROTO && !err[0])
			fuzz_fail("conn_recv: -EPROTO without a reason");
		if (ret == -EPROTO)
			continue;
		if (ret < 0)
			break;
		if (m.type == MSG_NOISE || m.type == MSG_LOG)
			fuzz_fail("conn_recv returned %s", proto_msg_name(m.type));
	}
	if (!memchr(c.last_words, '\0', sizeof(c.last_words)))
		fuzz_fail("last words not terminated");
	close(fd);
}

/* The lines of the stream into out, each NUL-terminated ("\x01too long" for one over
 * VMB_MAX_LINE), with reads of the sizes cuts gives in turn (1 to 97 bytes), or as large as
 * there is room for when cuts is NULL; the bytes used. */
static size_t frame(const uint8_t *data, size_t size, const uint8_t *cuts, size_t ncuts, char *out,
		    size_t outlen)
{
	struct linebuf *lb = malloc(sizeof(*lb));
	size_t off = 0, used = 0, k = 0;

	if (!lb)
		return 0;
	linebuf_init(lb);
	for (;;) {
		char *line;
		int ret = linebuf_next(lb, &line);
		if (ret == 1 || ret == -EMSGSIZE) {
			int n = snprintf(out + used, outlen - used, "%s%c",
					 ret == 1 ? line : "\x01too long", '\0');
			used += (size_t)n + 1 < outlen - used ? (size_t)n + 1 : 0;
			continue;
		}
		if (ret != 0)
			fuzz_fail("linebuf_next returned %d", ret);
		if (off == size)
			break;
		size_t room;
		char *p = linebuf_space(lb, &room);
		if (room < VMB_MAX_LINE)
			fuzz_fail("linebuf_space left %zu bytes", room);
		size_t n = cuts ? 1 + cuts[k++ % ncuts] % 97 : room;
		n = n < room ? n : room;
		n = n < size - off ? n : size - off;
		memcpy(p, data + off, n);
		linebuf_commit(lb, n);
		off += n;
	}
	free(lb);
	return used;
}

static void check_framing(const uint8_t *data, size_t size)
{
	size_t outlen = 2 * size + 64;
	char *whole = malloc(outlen), *cut = malloc(outlen);

	if (whole && cut) {
		size_t a = frame(data, size, NULL, 0, whole, outlen);
		size_t b = frame(data, size, data, size ? size : 1, cut, outlen);
		if (a != b || memcmp(whole, cut, a) != 0)
			fuzz_fail("the lines depend on how the stream was read");
	}
	free(whole);
	free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results r;

	fuzz_init();
	results_init(&r);
	r.provenance = json_object();
	stream_set(data, size);
	session_run(&r);
	fuzz_check_round_trip(&r);
	results_free(&r);
	read_all();
	check_framing(data, size);
	return 0;
}
