/* The host side of the agent protocol (documented in workloads/agent.h). */
#ifndef VMBENCH_PROTOCOL_H
#define VMBENCH_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/compiler.h"
#include "common/wire.h"
#include "harness/guestlog.h"

enum msg_type {
	MSG_NOISE, /* not a protocol line: console output */
	MSG_HELLO,
	MSG_CLOCK,
	MSG_READY,
	MSG_DONE,
	MSG_DATA,
	MSG_END,
	MSG_ERR,
	MSG_LOG,
	MSG_BYE,
	MSG_PONG, /* the answer to the host's PING */
	MSG_MEM,  /* the answer to MEM: the memory the guest sees */
};

struct hello {
	char version[32];
	unsigned proto;
	char kernel[128];
	char arch[32];
	char tmp_fs[32]; /* the filesystem of the guest's $TMPDIR: file workloads run there */
	/* From the CLOCK line that follows HELLO. */
	double timer_res_ns;
	double clock_read_ns;
	double loop_ns;
	/* From the CLOCK line too: the guest's clock (from its kernel's start) at HELLO, at
	 * the agent's start and at /init's start; NAN where the agent did not say (no /init:
	 * no init_start_s). */
	double uptime_s, agent_start_s, init_start_s;
};

/* A parsed guest line; the strings point into the line. */
struct msg {
	enum msg_type type;
	const char *workload;	   /* READY, DONE, ERR */
	struct hello hello;	   /* HELLO; CLOCK fills its timer fields */
	uint64_t iters, sample_ns; /* READY */
	uint64_t bytes;		   /* END */
	const char *text;	   /* DATA chunk, ERR reason (cut: guestlog.h), LOG text */
	int unsupported;	   /* ERR: 1 unsupported, 0 failed */
	/* MEM: the guest kernel's MemTotal and its cgroup's limit (0: none). */
	uint64_t mem_total, mem_limit;
};

/*
 * Parses one guest line (modified in place). 0 with *m filled (MSG_NOISE for lines that
 * start with no keyword), or -EPROTO with a one-line reason in err.
 */
int proto_parse(char *line, struct msg *m, char *err, size_t errlen) __must_check;

/* The name of a message type, for messages. */
const char *proto_msg_name(enum msg_type t);

/* A validated DONE payload. */
struct payload {
	double *samples; /* reps values in the workload's unit */
	size_t n;
	json_t *raw;	/* {"iters", "warmup", "loop_ns", "ops", "sample_ns", "sample_iters"} */
	json_t *extra;	/* the workload's own facts, or NULL */
	json_t *series; /* {"x_unit", "points": [{"x", "iters", "samples", "sample_ns"}]} */
};

/* How far the guest's clock may disagree with the host's before its sample times count as
 * a lie: wide, since a guest's clock under emulation is only as right as its calibration
 * at boot, and a lie worth telling is far larger. */
#define PROTO_CLOCK_SLACK    1.5
#define PROTO_CLOCK_SLACK_NS 50000000.0

/*
 * Checks the durations the guest gives for its samples (sample_ns of every point) against
 * the host's clock: host_ns passed between GO and DONE. Their sum cannot be much longer
 * than that (PROTO_CLOCK_SLACK), and each sample lasts at least min_sample_ns by the
 * agent's own clock, so that many cannot fit in much less. timed: the agent times the
 * workload's samples (the host's table says so), which then must have sample times;
 * self-measuring ones (fio) have none and pass. 0, or -EPROTO with err.
 */
int proto_check_durations(const struct payload *pl, bool timed, uint64_t min_sample_ns,
			  double host_ns, char *err, size_t len) __must_check;

/*
 * Validates the JSON object of DATA lines against what was asked: the workload, its unit,
 * reps samples of finite non-negative values, the iters announced in READY (no sample of
 * fewer), the warm-up asked in RUN, a positive operation count, and the optional extra
 * object and series of points.
 * 0 with *out (free with payload_free), -EPROTO with err.
 */
int proto_parse_payload(const char *text, size_t textlen, const char *workload, const char *unit,
			uint64_t reps, uint64_t iters, uint64_t warmup_asked, struct payload *out,
			char *err, size_t errlen) __must_check;
void payload_free(struct payload *p);

/* A connection to an agent. */
struct conn {
	int rfd, wfd;
	struct linebuf lb;
	size_t noise;	 /* console lines skipped */
	const char *who; /* backend name, for messages */
	/* The console's last non-protocol line, or from its first line that reports the
	 * kernel's death (util_kernel_report: an oops, a BUG, a panic) once there is one: why
	 * a guest died, for the reason of a broken session. */
	char last_words[160];
	bool panicked;
	/* The guest lines shown on stderr (LOG, and console lines at debug level) since the
	 * last conn_log_summary: a guest that floods must not flood vmbench's stderr. */
	struct guestlog log;
};

void conn_init(struct conn *c, int rfd, int wfd, const char *who);
/*
 * Receives the next protocol message, skipping console noise and logging LOG lines.
 * 0 with *m (valid until the next call), -ETIMEDOUT, -EPIPE (the guest closed the stream),
 * -EINTR (the user interrupted), -EPROTO with err.
 */
int conn_recv(struct conn *c, struct msg *m, int timeout_ms, char *err, size_t errlen) __must_check;
int conn_send(struct conn *c, const char *fmt, ...) __printf(2, 3) __must_check;
/* Ends a window of c's guest-line budget (a cell, a session's start or stop: what): says
 * once how many lines went unshown in it, if any, and opens the next with a fresh budget. */
void conn_log_summary(struct conn *c, const char *what);

#endif
