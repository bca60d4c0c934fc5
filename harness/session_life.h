/* A session's lifecycle operations (harness/session_life.c): restore, migrate, PING, MEM, and a
 * workload the host drives in the guest while it does something else. */
#ifndef VMBENCH_SESSION_LIFE_H
#define VMBENCH_SESSION_LIFE_H

#include <stdint.h>

#include "common/compiler.h"
#include "harness/session.h"
#include "host/migrate.h"
#include "workloads/workload.h"

/* Sends PING and waits for PONG within timeout_ms. 0 or -errno with err. */
int session_ping(struct session *s, int timeout_ms, char *err, size_t len) __must_check;

/* Sends MEM and waits for its answer within timeout_ms: the memory the guest sees (m's
 * mem_total and mem_limit). 0 or -errno with err. */
int session_mem(struct session *s, int timeout_ms, struct msg *m, char *err, size_t len)
	__must_check;

/*
 * Starts ops's guest from the state save wrote into dir (a guest whose agent was waiting for a
 * command; origin: its HELLO, which the restored agent does not say again) and asks it for
 * PONG. boot_s is the time from the start to PONG. No probes. 0, or -errno with err (the
 * guest is stopped then).
 */
int session_restore(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg,
		    const char *dir, const struct hello *origin, char *err, size_t len)
	__must_check;

/* Moves the session's guest live into a new one (backend_ops.migrate); the conversation
 * carries on on the new streams. 0, or -errno with err: the guest runs on where it was. */
int session_migrate(struct session *s, const struct mig_params *p, int limit_ms,
		    struct mig_stats *st, double *frozen_s, char *err, size_t len) __must_check;

/*
 * A workload that runs until the host says STOP (mem.dirty): RUN with one sample of a
 * problem of bytes at rate, READY within timeout_ms (*iters as it says), GO. 0; -ENOTSUP
 * or -EIO when the agent answered ERR (its reason in err: the session is still in step);
 * another -errno when the session is not.
 */
int session_drive_start(struct session *s, const struct workload_ops *wl, uint64_t bytes,
			uint64_t rate, int timeout_ms, uint64_t *iters, char *err, size_t len)
	__must_check;
/* STOP, DONE within timeout_ms, ACK, and the result data into *pl (payload_free). 0; -EIO
 * when the agent answered ERR (in step); another -errno when the session is not. */
int session_drive_finish(struct session *s, const struct workload_ops *wl, uint64_t iters,
			 struct payload *pl, int timeout_ms, char *err, size_t len) __must_check;

#endif
