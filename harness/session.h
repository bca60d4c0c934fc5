/* The session driver's state: one running guest, its agent connection and its probes.
 * A session is the unit of replication: a fresh boot, container or agent. */
#ifndef VMBENCH_SESSION_H
#define VMBENCH_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "backends/backend.h"
#include "common/compiler.h"
#include "harness/protocol.h"
#include "probes/probe.h"

#define SESSION_MAX_PROBES 16

/* A boot's phases, from the host's clock and the guest's (the agent's CLOCK line). */
struct boot_phases {
	bool known; /* a kernel of this boot: the guest's clock started after the backend */
	double before_kernel_s; /* starting the backend up to the guest kernel's clock start */
	double kernel_s;	/* the kernel, up to /init */
	double init_s;		/* /init: mounts and drivers, up to the agent's start */
	double agent_s;		/* the agent, up to its HELLO */
};

struct session {
	struct guest g;
	struct conn c;
	struct hello hello;
	bool up;
	double boot_s;
	struct boot_phases phases;
	struct probe probes[SESSION_MAX_PROBES]; /* the timed pass's, open while it lasts */
	size_t nprobes;
	json_t *counted; /* the counting pass's probes that can watch this guest, or NULL */
	json_t *facts;	 /* the backend's, taken over from the guest */
};

/* An empty session of ops's guest, before its start: no streams, no state. */
void session_init(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg);
/*
 * Starts ops's guest and waits for the agent's HELLO (boot_s: from start to HELLO); with
 * probes, opens the timed pass's probes and learns which counting-pass probes apply.
 * 0, or a negative errno with a one-line reason in err (the guest is stopped then).
 */
int session_start(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg,
		  bool probes, char *err, size_t len) __must_check;
/* Ends the session: QUIT when the conversation is in step (s->up), then the backend's stop. */
void session_stop(struct session *s);
/* Ends a session whose conversation is out of step: no QUIT, the guest is stopped. */
void session_abandon(struct session *s);

/* Opens, for s's guest, the probes of one pass (count: the counting pass) into arr. */
size_t session_probes_open(struct session *s, struct probe *arr, size_t max, bool count);
void session_probes_close(struct probe *arr, size_t *n);

/* A one-line reason for a conn_recv failure (ret) while waiting for waiting_for; when the
 * guest went quiet or away, with its console's last words and the backend's account. */
void session_recv_reason(struct session *s, int ret, const char *waiting_for, int timeout_ms,
			 char *err, size_t len);

/* The agent's next message, which must be of type want (within timeout_ms). 0, or a
 * negative errno with err. */
int session_expect(struct session *s, enum msg_type want, int timeout_ms, struct msg *m, char *err,
		   size_t len) __must_check;
/* Sends the one-word command word (GO, ACK, SKIP, STOP). 0, or a negative errno with err. */
int session_send_word(struct session *s, const char *word, char *err, size_t len) __must_check;
/* Waits for message want about workload wl. 1 when it came; 0 when the agent answered with
 * its own ERR for wl instead (in *m); a negative errno with err otherwise. */
int session_await(struct session *s, enum msg_type want, const char *wl, int timeout_ms,
		  struct msg *m, char *err, size_t len) __must_check;
/* Collects DATA lines up to END into a new buffer (*text, *textlen), all within a minute.
 * 0 or a conn_recv error with err. */
int session_recv_data(struct session *s, char **text, size_t *textlen, char *err, size_t len)
	__must_check;

/* The first session's facts for provenance backends.<name>: agent, boot, probes, backend. */
void session_describe(const struct session *s, json_t *binfo);

#endif
