/*
 * QEMU's migration over QMP (migrate, migrate-incoming, query-migrate), by descriptor:
 * the channel (an open file for a state file, one end of a unix socket pair for a live
 * migration) is handed to QEMU with getfd, so QEMU opens no path and starts no program
 * (its sandbox forbids that), and every file stays where vmbench made it.
 */
#ifndef VMBENCH_MIGRATE_H
#define VMBENCH_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "host/qmp.h"

/* How a migration is to run. */
struct mig_params {
	uint64_t max_bandwidth;	    /* bytes/s (migrate-set-parameters), 0: QEMU's default */
	unsigned downtime_limit_ms; /* the longest stop QEMU plans for, 0: QEMU's default */
	/* Post-copy: postcopy-ram on both sides (set before the migration starts), and
	 * migrate-start-postcopy once the first pass over memory is done. */
	bool postcopy;
};

/* What QEMU says of a migration (query-migrate), as far as it said it. */
struct mig_stats {
	char status[24];      /* QEMU's last status: completed, failed, cancelled, ... ("" none) */
	double total_s;	      /* total-time, NAN unknown */
	double downtime_ms;   /* downtime: from the source's stop to the end, NAN unknown */
	double setup_ms;      /* setup-time, NAN unknown */
	uint64_t transferred; /* ram.transferred: bytes sent */
	uint64_t remaining;   /* ram.remaining at the last poll */
	uint64_t rounds;      /* ram.dirty-sync-count: passes over the dirty bitmap */
	double dirty_pages_rate; /* ram.dirty-pages-rate at the last poll, pages/s; NAN unknown */
	uint64_t postcopy_requests; /* pages the destination asked for after the switch */
	bool postcopy_switched;	    /* migrate-start-postcopy was sent and taken */
	char error[256];	    /* error-desc of a failed migration, else "" */
};

/* Sets *st to "nothing known" (NANs, zeros, empty strings). */
void mig_stats_init(struct mig_stats *st);

/* Hands fd to QEMU under name with getfd (SCM_RIGHTS on the monitor socket, with the bytes
 * of the getfd line itself, as QEMU requires); the caller keeps its own copy. Defined in
 * host/qmp.c, which alone writes to the socket. 0 or -errno with err: QEMU's own error
 * -EIO, no descriptor -EBADF, the errors of qmp_execute. */
int qmp_send_fd(struct qmp *q, int fd, const char *name, int timeout_ms, char *err, size_t len)
	__must_check;

/* Sets the capabilities (events on; postcopy-ram as p says) and parameters of p. On the
 * destination too, before migrate-incoming, for post-copy. 0 or -errno with err: a QEMU
 * that cannot do what p asks (no userfaultfd for post-copy) says why there, -EIO. */
int mig_set(struct qmp *q, const struct mig_params *p, char *err, size_t len) __must_check;

/* The source: hands fd over and starts migrate to it. 0 or -errno with err. */
int mig_start(struct qmp *q, int fd, char *err, size_t len) __must_check;

/* The destination (started with -incoming defer): hands fd over and starts
 * migrate-incoming from it. 0 or -errno with err. */
int mig_incoming(struct qmp *q, int fd, char *err, size_t len) __must_check;

/*
 * Waits on the source for the migration mig_start began to end, polling query-migrate
 * every 20 ms (st updated at every poll; what a reply leaves out keeps its last value).
 * With p->postcopy, sends migrate-start-postcopy once, when the first pass is done
 * (ram.dirty-sync-count >= 2, status active). Past limit_ms it is cancelled
 * (migrate_cancel, then a wait of up to 5 s for "cancelled"): the source runs on.
 * 0 completed (also when it completed while being cancelled: the guest has moved then);
 * -ETIMEDOUT with err "did not converge within N s: R rounds, X MiB left, dirtying
 * Y MiB/s" (N rounded, the state at the limit; "; the cancel was not confirmed: ..."
 * after it when QEMU did not say "cancelled", and then the source may not run on);
 * -EIO failed (QEMU's error-desc in err and st->error), cancelled by someone else, or
 * post-copy paused (the channel broke); -EINTR interrupted by the user (cancelled too);
 * the errors of qmp_execute. Once in post-copy nothing is cancelled, since the guest's
 * memory is on both sides: past limit_ms that is -ETIMEDOUT ("post-copy did not finish
 * ..."), at an interrupt -EINTR, both leaving the migration running.
 */
int mig_wait(struct qmp *q, const struct mig_params *p, int limit_ms, struct mig_stats *st,
	     char *err, size_t len) __must_check;

/* Waits on the source of a completed migration until its run state leaves finish-migrate:
 * QEMU reports the migration completed a moment before the source settles (postmigrate),
 * and refuses cont until it has. 0, -ETIMEDOUT, or the errors of qmp_execute, with err. */
int mig_wait_settled(struct qmp *q, int timeout_ms, char *err, size_t len) __must_check;

/* Waits until the guest of q runs (query-status "running": an incoming migration done and
 * the guest resumed), polling every 20 ms; inmigrate (still loading), prelaunch, paused
 * and the other passing states are waited out. -EIO with err when it is in a state it
 * cannot leave by itself (internal-error, io-error, shutdown, guest-panicked, watchdog,
 * and postmigrate: a source whose guest went to the other side), or when a queued
 * MIGRATION event says the incoming side failed (7.2's destination exits then: also when
 * the monitor closed after that event); -ETIMEDOUT naming the last state; -EINTR; the
 * errors of qmp_execute. Takes queued MIGRATION events, no others (STOP and RESUME stay for
 * mig_event_time). */
int mig_wait_running(struct qmp *q, int timeout_ms, char *err, size_t len) __must_check;

/* The host time (QMP's event timestamp: seconds + microseconds / 1e6 since the epoch) of
 * the oldest queued or arriving event called name, within timeout_ms; the event is taken.
 * 0 or -ETIMEDOUT, the errors of qmp_take_event, -EPROTO for an event without a timestamp
 * (*t NAN on every error). */
int mig_event_time(struct qmp *q, const char *name, int timeout_ms, double *t, char *err,
		   size_t len) __must_check;

#endif
