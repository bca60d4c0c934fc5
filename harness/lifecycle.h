/*
 * What the lifecycle workloads share (harness/hostwl_snapshot.c, _restore.c, _clone.c,
 * _migrate.c, _resize.c): their guests' configuration, a directory for state files, a
 * saved guest, and the loop that takes one fresh guest per sample.
 */
#ifndef VMBENCH_LIFECYCLE_H
#define VMBENCH_LIFECYCLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/compiler.h"
#include "harness/hostwl.h"
#include "harness/session.h"
#include "host/migrate.h"

/* A lifecycle guest runs the run's configuration without the test disk: no lifecycle
 * workload uses it, and two QEMUs (a migration's, a snapshot's clones) may not both open
 * it for writing. */
void life_cfg(const struct backend_cfg *in, struct backend_cfg *out);

/* A state file: where it is, and what saving it took. */
struct life_state {
	char dir[PATH_MAX];	 /* private, in the run's directory: a killed run's is removed */
	long long bytes;	 /* what the backend wrote into it */
	double save_s, frozen_s; /* the save's time and the guest's stop, host clock */
	struct mig_stats st;
};

/* Makes st->dir. 0 or -errno with err. */
int life_state_dir(struct life_state *st, char *err, size_t len) __must_check;
/* Saves the running guest of s into st->dir, which must be empty. 0 or -errno with err
 * (what was written is removed then). */
int life_save(struct session *s, struct life_state *st, char *err, size_t len) __must_check;
/* Boots a guest of ctx's backend, saves it into st and stops it; *origin: its agent's
 * HELLO, for the guests restored from it. 0 or -errno with err. */
int life_save_fresh(const struct host_ctx *ctx, const struct backend_cfg *cfg,
		    struct life_state *st, struct hello *origin, char *err, size_t len)
	__must_check;
/* Removes the directory and the state in it. */
void life_state_remove(struct life_state *st);

/* One sample of a lifecycle workload on a fresh guest: its value, and what else it found as
 * an object (*details, owned by the caller; each member is appended to the cell's raw array
 * of that name), and for a curve its series (or NULL). 0, or -errno with err: the cell
 * fails with it. */
typedef int (*life_sample_fn)(const struct host_ctx *ctx, const struct backend_cfg *cfg,
			      double *value, json_t **details, json_t **series, char *err,
			      size_t len);

/* ctx->reps samples into cell (each its own session), after one more not kept when
 * ctx->warmup, unless warms_itself (a sample that begins with an operation it does not
 * keep). A failed sample fails the cell with its reason, keeping the samples before it.
 * 0, or -ENOMEM. */
int life_samples(const struct host_ctx *ctx, struct cell *cell, life_sample_fn fn,
		 bool warms_itself) __must_check;

/* x as a JSON number, or null where it is not finite (a figure the backend did not give). */
json_t *life_num(double x);
/* Appends v (taken over) to the array obj[key], made when missing. 0 or -ENOMEM. */
int life_append(json_t *obj, const char *key, json_t *v) __must_check;

#endif
