/*
 * Host-side perf_event counters on a tree of host tasks: events named as libpfm4 names
 * them (hardware and software: "cycles", "task-clock", "LLC-load-misses", ...) or
 * tracepoints as "SUBSYSTEM:EVENT" ("raw_syscalls:sys_enter"). One counter per task, with
 * inherit, so children the tasks start later are counted too.
 */
#ifndef VMBENCH_PERFEV_H
#define VMBENCH_PERFEV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/perf_event.h>

#include "common/compiler.h"

#define PERFEV_MAX_TASKS 64
/* The hardware events counted unless --events says otherwise (libpfm4 names). */
#define PERFEV_DEFAULT_HW                                                                        \
	{                                                                                        \
		"cycles", "instructions", "LLC-load-misses", "dTLB-load-misses", "branch-misses" \
	}
#define PERFEV_NDEFAULT_HW 5

/* Encodes event into attr (counting user and kernel mode): libpfm4 first, then the
 * kernel's tracepoints. 0, or -ENOENT / -errno with why in err. */
int perfev_encode(const char *event, struct perf_event_attr *attr, char *err, size_t len)
	__must_check;
/* Only checks that libpfm4 knows name as a hardware or software event (for --events; not a
 * tracepoint, which libpfm4 also knows where debugfs is mounted): 0 or -ENOENT with err. */
int perfev_check_pfm(const char *name, char *err, size_t len) __must_check;
/* Every task (thread) of the roots (those > 0) and of their descendants, up to max; the
 * count (max means there may be more). */
size_t perfev_tree(const pid_t *roots, size_t nroots, pid_t *tids, size_t max);

/* Whether event can be counted on task tid here (encoded, opened, closed): 0, or -errno
 * with why in err. */
int perfev_try(const char *event, pid_t tid, char *err, size_t len) __must_check;

struct perfev {
	int fds[PERFEV_MAX_TASKS];
	size_t n;
};

/* Opens attr on every task of tids (inherit on). Tasks that ended meanwhile are skipped;
 * any other failure closes what opened and returns -errno with err. */
int perfev_open(struct perfev *ev, struct perf_event_attr *attr, const pid_t *tids, size_t ntids,
		char *err, size_t len) __must_check;
/* Sums over the tasks of the raw count and of the times the counter was enabled and
 * running (less than enabled when the kernel multiplexed it): scale deltas, not totals. */
int perfev_read(const struct perfev *ev, double *count, double *enabled, double *running)
	__must_check;
void perfev_close(struct perfev *ev);

#endif
