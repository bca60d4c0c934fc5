/* QEMU's migration over QMP: the capabilities, the channel handed over by descriptor, the
 * wait for the end with QEMU's statistics, and the destination's resumption. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "host/migrate.h"
#include "host/process.h"
#include "host/util.h"

/* The name the channel has in QEMU between getfd and migrate (or migrate-incoming), which
 * takes it out of the monitor's list again; a second getfd of the name replaces the first. */
#define MIG_FD_NAME "vmbench-migration"
#define MIG_URI	    "fd:" MIG_FD_NAME
/* How often QEMU is asked: often enough that the end of the first pass (post-copy's cue)
 * and the end of the migration are seen within a few per cent of a short migration's
 * time, seldom enough that the monitor's work takes nothing measurable from it. */
#define MIG_POLL_MS 20
/* One monitor command: QEMU answers at once unless its main loop hangs, which a migration
 * stalls only for the final switch-over (the downtime, well under this). */
#define MIG_QMP_MS 10000
/* From migrate_cancel to "cancelled": QEMU stops the migration thread at its next send,
 * so seconds mean it hangs. Short also because it may follow the user's Ctrl-C. */
#define MIG_CANCEL_MS 5000
/* How long query-migrate may say "none" after mig_start: migrate with an fd: URI is under
 * way (setup) when it returns, so "none" for longer means nothing was started. */
#define MIG_NONE_MS 1000
/* ram.page-size when QEMU leaves it out: the host page of x86. */
#define MIG_PAGE_SIZE 4096.0
#define MIB	      (1024.0 * 1024.0)

static bool mig_is(const struct mig_stats *st, const char *status)
{
	return strcmp(st->status, status) == 0;
}

/* Puts what before the reason already in err ("what: reason"); returns rc. */
static int mig_err(int rc, char *err, size_t len, const char *what)
{
	char why[512];

	if (len == 0)
		return rc;
	snprintf(why, sizeof(why), "%s", err);
	snprintf(err, len, "%s: %s", what, why);
	return rc;
}

void mig_stats_init(struct mig_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->total_s = NAN;
	st->downtime_ms = NAN;
	st->setup_ms = NAN;
	st->dirty_pages_rate = NAN;
}

int mig_set(struct qmp *q, const struct mig_params *p, char *err, size_t len)
{
	json_t *args =
		json_pack("{s:[{s:s, s:b}, {s:s, s:b}]}", "capabilities", "capability", "events",
			  "state", 1, "capability", "postcopy-ram", "state", (int)p->postcopy);
	int rc;

	if (!args) {
		snprintf(err, len, "migration capabilities: out of memory");
		return -ENOMEM;
	}
	rc = qmp_execute(q, "migrate-set-capabilities", args, NULL, MIG_QMP_MS, err, len);
	json_decref(args);
	if (rc < 0)
		/* Post-copy is the one QEMU may refuse (no userfaultfd, or not for this
		 * user): say which of the two it was asked for. */
		return mig_err(rc, err, len,
			       p->postcopy ? "cannot enable migration events and post-copy"
					   : "cannot enable migration events");
	if (!p->max_bandwidth && !p->downtime_limit_ms)
		return 0;
	if (p->max_bandwidth > (uint64_t)INT64_MAX) {
		snprintf(err, len, "max-bandwidth %llu bytes/s is out of QEMU's range",
			 (unsigned long long)p->max_bandwidth);
		return -EINVAL;
	}
	args = json_object();
	if (!args ||
	    (p->max_bandwidth && json_object_set_new(args, "max-bandwidth",
						     json_integer((json_int_t)p->max_bandwidth))) ||
	    (p->downtime_limit_ms &&
	     json_object_set_new(args, "downtime-limit", json_integer(p->downtime_limit_ms)))) {
		json_decref(args);
		snprintf(err, len, "migration parameters: out of memory");
		return -ENOMEM;
	}
	rc = qmp_execute(q, "migrate-set-parameters", args, NULL, MIG_QMP_MS, err, len);
	json_decref(args);
	if (rc < 0) {
		char what[128];
		snprintf(what, sizeof(what),
			 "cannot set max-bandwidth %llu B/s, downtime-limit %u ms (0: as it was)",
			 (unsigned long long)p->max_bandwidth, p->downtime_limit_ms);
		return mig_err(rc, err, len, what);
	}
	return 0;
}

/* Hands fd to QEMU and runs cmd (migrate or migrate-incoming) on it. */
static int mig_begin(struct qmp *q, int fd, const char *cmd, char *err, size_t len)
{
	int rc = qmp_send_fd(q, fd, MIG_FD_NAME, MIG_QMP_MS, err, len);

	if (rc < 0)
		return mig_err(rc, err, len, "cannot hand the migration channel to QEMU");
	json_t *args = json_pack("{s:s}", "uri", MIG_URI);
	if (!args) {
		snprintf(err, len, "%s: out of memory", cmd);
		return -ENOMEM;
	}
	rc = qmp_execute(q, cmd, args, NULL, MIG_QMP_MS, err, len);
	json_decref(args);
	if (rc < 0)
		return mig_err(rc, err, len,
			       strcmp(cmd, "migrate") == 0
				       ? "QEMU did not start the migration"
				       : "QEMU did not take the incoming migration");
	return 0;
}

int mig_start(struct qmp *q, int fd, char *err, size_t len)
{
	return mig_begin(q, fd, "migrate", err, len);
}

int mig_incoming(struct qmp *q, int fd, char *err, size_t len)
{
	return mig_begin(q, fd, "migrate-incoming", err, len);
}

/* A number of obj's key into *v: false (and *v as it was) when there is none. */
static bool mig_num(json_t *obj, const char *key, double *v)
{
	json_t *n = json_object_get(obj, key);

	if (!json_is_number(n))
		return false;
	*v = json_number_value(n);
	return true;
}

static void mig_u64(json_t *obj, const char *key, uint64_t *v)
{
	json_t *n = json_object_get(obj, key);

	if (json_is_integer(n) && json_integer_value(n) >= 0)
		*v = (uint64_t)json_integer_value(n);
}

/* Asks query-migrate and takes its reply into st; what QEMU leaves out (ram before the
 * setup is done, downtime before the end) keeps its last value. ram.page-size in *page. */
static int mig_query(struct qmp *q, struct mig_stats *st, double *page, char *err, size_t len)
{
	json_t *r = NULL, *ram;
	double v;
	int rc = qmp_execute(q, "query-migrate", NULL, &r, MIG_QMP_MS, err, len);

	if (rc < 0)
		return rc;
	const char *status = json_string_value(json_object_get(r, "status"));
	if (!status) {
		json_decref(r);
		snprintf(err, len, "query-migrate: QEMU gave no status");
		return -EPROTO;
	}
	snprintf(st->status, sizeof(st->status), "%s", status);
	if (mig_num(r, "total-time", &v))
		st->total_s = v / 1000.0;
	mig_num(r, "downtime", &st->downtime_ms);
	mig_num(r, "setup-time", &st->setup_ms);
	ram = json_object_get(r, "ram");
	mig_u64(ram, "transferred", &st->transferred);
	mig_u64(ram, "remaining", &st->remaining);
	mig_u64(ram, "dirty-sync-count", &st->rounds);
	mig_num(ram, "dirty-pages-rate", &st->dirty_pages_rate);
	mig_u64(ram, "postcopy-requests", &st->postcopy_requests);
	if (mig_num(ram, "page-size", &v) && v > 0)
		*page = v;
	const char *desc = json_string_value(json_object_get(r, "error-desc"));
	if (desc)
		snprintf(st->error, sizeof(st->error), "%s", desc);
	json_decref(r);
	return 0;
}

static bool mig_in_postcopy(const struct mig_stats *st)
{
	return mig_is(st, "postcopy-active") || mig_is(st, "postcopy-recover");
}

/* Why a migration was cancelled at the limit: the state at the last poll. */
static void mig_not_converged(char *buf, size_t len, const struct mig_stats *st, int limit_ms,
			      double page)
{
	/* 7.2 always sends the rate; a QEMU that did not is taken as dirtying nothing. */
	double rate = isnan(st->dirty_pages_rate) ? 0.0 : st->dirty_pages_rate;

	snprintf(buf, len,
		 "did not converge within %d s: %llu rounds, %.1f MiB left, dirtying %.1f MiB/s",
		 (limit_ms + 500) / 1000, (unsigned long long)st->rounds,
		 (double)st->remaining / MIB, rate * page / MIB);
}

/*
 * Ends a migration the source can take back (why: -ETIMEDOUT past the limit, -EINTR the
 * user's interrupt): migrate_cancel, then query-migrate until QEMU says it is over, within
 * MIG_CANCEL_MS. Returns why with its reason in err (and what went wrong with the cancel,
 * if it did), or 0 when the migration completed meanwhile: then the guest has moved and
 * the caller must know it as a migration that worked.
 */
static int mig_cancel(struct qmp *q, struct mig_stats *st, double *page, int why, int limit_ms,
		      char *err, size_t len)
{
	int64_t deadline = util_now_ms() + MIG_CANCEL_MS;
	bool was = q->despite_interrupt;
	char reason[256], cancel[256] = "";
	int rc;

	if (why == -ETIMEDOUT)
		mig_not_converged(reason, sizeof(reason), st, limit_ms, *page);
	else
		snprintf(reason, sizeof(reason), "interrupted by the user: migration cancelled");
	/* Cancelling is the cleanup of the interrupt, so it must not stop at the interrupt. */
	q->despite_interrupt = true;
	rc = qmp_execute(q, "migrate_cancel", NULL, NULL, MIG_CANCEL_MS, cancel, sizeof(cancel));
	while (rc == 0) {
		rc = mig_query(q, st, page, cancel, sizeof(cancel));
		if (rc < 0 || mig_is(st, "cancelled") || mig_is(st, "failed") ||
		    mig_is(st, "completed"))
			break;
		if (util_now_ms() >= deadline) {
			snprintf(cancel, sizeof(cancel), "QEMU still says %s after %d ms",
				 st->status, MIG_CANCEL_MS);
			rc = -ETIMEDOUT;
			break;
		}
		util_sleep_s(MIG_POLL_MS / 1e3);
	}
	q->despite_interrupt = was;
	if (rc == 0 && mig_is(st, "completed")) {
		log_info("migration: completed while being cancelled (%s)", reason);
		snprintf(err, len, "%s", "");
		return 0;
	}
	if (rc < 0) {
		/* The source may not run on: the caller must not rely on it. */
		log_warn("migration: the cancel was not confirmed: %s", cancel);
		snprintf(err, len, "%s; the cancel was not confirmed: %s", reason, cancel);
	} else {
		snprintf(err, len, "%s", reason);
	}
	return why;
}

/* The outcome of one poll: 0 wait on, 1 completed, or -errno with err. */
static int mig_judge(const struct mig_stats *st, int64_t since_ms, char *err, size_t len)
{
	if (mig_is(st, "completed"))
		return 1;
	if (mig_is(st, "failed")) {
		snprintf(err, len, "migration failed: %s",
			 st->error[0] ? st->error : "QEMU gave no reason (no error-desc)");
		return -EIO;
	}
	if (mig_is(st, "cancelled") || mig_is(st, "cancelling")) {
		snprintf(err, len, "the migration was cancelled (QEMU says %s), not by vmbench",
			 st->status);
		return -EIO;
	}
	if (mig_is(st, "postcopy-paused")) {
		/* QEMU waits for migrate-recover on a new channel, which vmbench never makes:
		 * neither side runs the guest whole now. */
		snprintf(err, len, "post-copy paused: the channel broke");
		return -EIO;
	}
	if (mig_is(st, "none") && since_ms > MIG_NONE_MS) {
		snprintf(err, len, "QEMU runs no migration (query-migrate says none after %lld ms)",
			 (long long)since_ms);
		return -EIO;
	}
	return 0;
}

int mig_wait(struct qmp *q, const struct mig_params *p, int limit_ms, struct mig_stats *st,
	     char *err, size_t len)
{
	int64_t start = util_now_ms();
	double page = MIG_PAGE_SIZE;
	int rc;

	for (;;) {
		rc = proc_interrupted() ? -EINTR : mig_query(q, st, &page, err, len);
		if (rc == 0 && mig_is(st, "failed") && !st->error[0]) {
			/* QEMU may say failed a moment before it says why: ask once more. */
			util_sleep_s(MIG_POLL_MS / 1e3);
			rc = mig_query(q, st, &page, err, len);
		}
		if (rc == 0)
			rc = mig_judge(st, util_now_ms() - start, err, len);
		if (rc == 1)
			return 0;
		bool late = util_now_ms() - start >= limit_ms;
		if (rc == 0 && mig_in_postcopy(st) && late) {
			/* Past the switch the guest's memory is on both sides: a cancel would
			 * lose it, so the limit only ends the wait. */
			snprintf(err, len,
				 "post-copy did not finish within %d s: %.1f MiB left (not "
				 "cancelled: the guest's memory is on both sides)",
				 (limit_ms + 500) / 1000, (double)st->remaining / MIB);
			return -ETIMEDOUT;
		}
		if (rc == -EINTR && mig_in_postcopy(st)) {
			snprintf(err, len,
				 "interrupted by the user in post-copy (not cancelled: "
				 "the guest's memory is on both sides)");
			return -EINTR;
		}
		if (rc == -EINTR || (rc == 0 && late))
			return mig_cancel(q, st, &page, rc ?: -ETIMEDOUT, limit_ms, err, len);
		if (rc < 0)
			return rc;
		if (p && p->postcopy && !st->postcopy_switched && mig_is(st, "active") &&
		    st->rounds >= 2) {
			/* dirty-sync-count 2: the first pass over all of memory is done, and
			 * what is left is what the guest keeps writing. */
			rc = qmp_execute(q, "migrate-start-postcopy", NULL, NULL, MIG_QMP_MS, err,
					 len);
			if (rc == -EINTR)
				return mig_cancel(q, st, &page, rc, limit_ms, err, len);
			if (rc < 0)
				return mig_err(rc, err, len, "cannot switch to post-copy");
			st->postcopy_switched = true;
			log_dbg("migration: post-copy after %llu rounds, %.1f MiB left",
				(unsigned long long)st->rounds, (double)st->remaining / MIB);
		}
		util_sleep_s(MIG_POLL_MS / 1e3);
	}
}

/* Whether a queued MIGRATION event says the migration failed: on the destination the one
 * word on it that outlives QEMU, which in 7.2 exits right after an incoming failure. Takes
 * the queued MIGRATION events, for which nobody else waits. */
static bool mig_event_failed(struct qmp *q)
{
	char scratch[256];
	bool failed = false;
	json_t *ev;

	while (qmp_take_event(q, "MIGRATION", &ev, 0, scratch, sizeof(scratch)) == 0) {
		const char *s =
			json_string_value(json_object_get(json_object_get(ev, "data"), "status"));
		if (s && strcmp(s, "failed") == 0)
			failed = true;
		json_decref(ev);
	}
	return failed;
}

/* Run states the guest cannot leave by itself: waiting would only end in the timeout. */
static const char *const mig_dead_states[] = {
	"internal-error",
	"io-error",
	"shutdown",
	"guest-panicked",
	"watchdog",
	/* The source after a finished migration: its guest runs on the other side. */
	"postmigrate",
};

int mig_wait_running(struct qmp *q, int timeout_ms, char *err, size_t len)
{
	int64_t deadline = util_now_ms() + timeout_ms;
	char state[32] = "";

	for (;;) {
		json_t *r = NULL;
		int rc = qmp_execute(q, "query-status", NULL, &r, MIG_QMP_MS, err, len);
		/* After the reply, which queues what QEMU said before it. */
		if (mig_event_failed(q)) {
			json_decref(r);
			snprintf(err, len,
				 "the incoming migration failed (QEMU's MIGRATION event)%s",
				 rc < 0 ? ", and QEMU's monitor went with it" : "");
			return -EIO;
		}
		if (rc < 0)
			return mig_err(rc, err, len, "waiting for the migrated guest to run");
		const char *s = json_string_value(json_object_get(r, "status"));
		snprintf(state, sizeof(state), "%s", s ? s : "");
		json_decref(r);
		if (!s) {
			snprintf(err, len, "query-status: QEMU gave no status");
			return -EPROTO;
		}
		if (strcmp(state, "running") == 0)
			return 0;
		if (util_listed(mig_dead_states, ARRAY_SIZE(mig_dead_states), state)) {
			snprintf(err, len, "the guest will not run: QEMU's state is %s", state);
			return -EIO;
		}
		/* inmigrate (still loading), prelaunch, paused, finish-migrate, ...: on. */
		if (util_now_ms() >= deadline) {
			snprintf(err, len, "the guest did not run within %d ms: QEMU's state is %s",
				 timeout_ms, state);
			return -ETIMEDOUT;
		}
		if (proc_interrupted()) {
			snprintf(err, len, "interrupted by the user while QEMU's state was %s",
				 state);
			return -EINTR;
		}
		util_sleep_s(MIG_POLL_MS / 1e3);
	}
}

int mig_event_time(struct qmp *q, const char *name, int timeout_ms, double *t, char *err,
		   size_t len)
{
	json_t *ev = NULL;
	int rc = qmp_take_event(q, name, &ev, timeout_ms, err, len);

	*t = NAN;
	if (rc < 0)
		return rc;
	json_t *ts = json_object_get(ev, "timestamp");
	json_t *sec = json_object_get(ts, "seconds"), *us = json_object_get(ts, "microseconds");
	if (!json_is_integer(sec)) {
		snprintf(err, len, "QMP event %s has no timestamp", name);
		rc = -EPROTO;
	} else {
		*t = (double)json_integer_value(sec) +
		     (json_is_integer(us) ? (double)json_integer_value(us) / 1e6 : 0.0);
	}
	json_decref(ev);
	return rc;
}

int mig_wait_settled(struct qmp *q, int timeout_ms, char *err, size_t len)
{
	int64_t deadline = util_now_ms() + timeout_ms;

	for (;;) {
		json_t *r = NULL;
		int rc = qmp_execute(q, "query-status", NULL, &r, MIG_QMP_MS, err, len);
		if (rc < 0)
			return mig_err(rc, err, len, "waiting for the source to settle");
		const char *s = json_string_value(json_object_get(r, "status"));
		bool settling = s && strcmp(s, "finish-migrate") == 0;
		json_decref(r);
		if (!settling)
			return 0;
		if (util_now_ms() >= deadline) {
			snprintf(err, len, "the source stayed in finish-migrate for %d ms",
				 timeout_ms);
			return -ETIMEDOUT;
		}
		util_sleep_s(MIG_POLL_MS / 1e3);
	}
}
