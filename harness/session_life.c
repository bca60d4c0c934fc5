/* A session's lifecycle operations: a guest restored from a saved state and asked whether
 * its agent answers, a guest migrated with its conversation carrying on, and a workload
 * the host drives in the guest while it does something else (mem.dirty). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/session_life.h"
#include "host/util.h"

int session_ping(struct session *s, int timeout_ms, char *err, size_t len)
{
	struct msg m;
	int ret = session_send_word(s, "PING", err, len);

	return ret < 0 ? ret : session_expect(s, MSG_PONG, timeout_ms, &m, err, len);
}

int session_mem(struct session *s, int timeout_ms, struct msg *m, char *err, size_t len)
{
	int ret = session_send_word(s, "MEM", err, len);

	return ret < 0 ? ret : session_expect(s, MSG_MEM, timeout_ms, m, err, len);
}

int session_restore(struct session *s, const struct backend_ops *ops, const struct backend_cfg *cfg,
		    const char *dir, const struct hello *origin, char *err, size_t len)
{
	int ret;

	session_init(s, ops, cfg);
	double t0 = util_now_s();
	ret = ops->restore(&s->g, dir);
	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		goto out_stop;
	}
	conn_init(&s->c, s->g.from_guest, s->g.to_guest, ops->name);
	/* The agent resumes where it was saved: waiting for a command, its HELLO long said. */
	ret = session_ping(s, ops->hello_timeout_s * 1000, err, len);
	if (ret < 0)
		goto out_stop;
	s->boot_s = util_now_s() - t0;
	s->hello = *origin;
	s->facts = s->g.facts;
	s->g.facts = NULL;
	s->up = true;
	conn_log_summary(&s->c, "restoring");
	return 0;
out_stop:
	conn_log_summary(&s->c, "restoring");
	session_stop(s);
	return ret;
}

int session_migrate(struct session *s, const struct mig_params *p, int limit_ms,
		    struct mig_stats *st, double *frozen_s, char *err, size_t len)
{
	int ret = s->g.ops->migrate(&s->g, p, limit_ms, st, frozen_s);

	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		return ret;
	}
	/* The same conversation on the new streams: a line the guest had half written before
	 * the move ends on the new stream, so the line buffer stays. */
	s->c.rfd = s->g.from_guest;
	s->c.wfd = s->g.to_guest;
	return 0;
}

int session_drive_start(struct session *s, const struct workload_ops *wl, uint64_t bytes,
			uint64_t rate, int timeout_ms, uint64_t *iters, char *err, size_t len)
{
	struct msg m;
	int ret = conn_send(&s->c,
			    "RUN %s reps=1 warmup=0 min_sample_ns=1000000 bytes=%llu rate=%llu",
			    wl->name, (unsigned long long)bytes, (unsigned long long)rate);

	if (ret < 0) {
		snprintf(err, len, "cannot send RUN to the guest: %s", strerror(-ret));
		return ret;
	}
	ret = session_await(s, MSG_READY, wl->name, timeout_ms, &m, err, len);
	if (ret == 0) {
		snprintf(err, len, "%s %s: %s", wl->name,
			 m.unsupported ? "cannot run here" : "failed", m.text);
		return m.unsupported ? -ENOTSUP : -EIO;
	}
	if (ret < 0)
		return ret;
	*iters = m.iters;
	return session_send_word(s, "GO", err, len);
}

int session_drive_finish(struct session *s, const struct workload_ops *wl, uint64_t iters,
			 struct payload *pl, int timeout_ms, char *err, size_t len)
{
	char *text = NULL;
	size_t textlen = 0;
	struct msg m;
	int ret = session_send_word(s, "STOP", err, len);

	if (ret == 0)
		ret = session_await(s, MSG_DONE, wl->name, timeout_ms, &m, err, len);
	if (ret == 0) {
		snprintf(err, len, "%s failed: %s", wl->name, m.text);
		return -EIO;
	}
	if (ret < 0)
		return ret;
	ret = session_send_word(s, "ACK", err, len);
	if (ret == 0)
		ret = session_recv_data(s, &text, &textlen, err, len);
	if (ret == 0)
		ret = proto_parse_payload(text, textlen, wl->name, wl->unit, 1, iters, 0, pl, err,
					  len);
	free(text);
	return ret;
}
