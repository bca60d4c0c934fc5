/*
 * lifecycle.clone: LIFE_CLONES guests restored from one saved state, first one after another
 * (each started once the one before answered) and then all at once. Each is timed from its
 * start to its agent's answer (PONG); the host memory the clones hold together is read
 * while they all run. The value is the time until the last of the simultaneous clones
 * answered: what a burst of clones costs.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness/hostwl.h"
#include "harness/lifecycle.h"
#include "harness/session_life.h"
#include "host/process.h"
#include "host/util.h"

#define LIFE_CLONES 4
#define STR_(x)	    #x
#define STR(x)	    STR_(x)

static const struct workload_ops meta = {
	.abi = WORKLOAD_ABI,
	.name = "lifecycle.clone",
	.summary = "clone: " STR(LIFE_CLONES) " guests restored at once from one saved state, "
					      "until the last answers",
	.unit = "s",
	.better = BETTER_LOWER,
	.plots = PLOT_LIFECYCLE,
	.plot_order = 3,
	.needs = WL_NEEDS_SNAPSHOT,
	.flags = WL_HOST,
};

/* What the clones started all at once share: each one's thread lives as long as its
 * guest, since a guest's host process dies with the thread that started it
 * (PR_SET_PDEATHSIG is the thread's), and stops it when released. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t ready;
	bool release;
};

struct clone {
	const struct host_ctx *ctx;
	const struct backend_cfg *cfg;
	const struct life_state *st;
	const struct hello *origin;
	struct gate *gate; /* NULL: started one after another, from the caller's thread */
	struct session s;
	bool up;
	int ret;
	char err[400];
};

static void clone_start(struct clone *c)
{
	c->ret = session_restore(&c->s, c->ctx->backend, c->cfg, c->st->dir, c->origin, c->err,
				 sizeof(c->err));
	c->up = c->ret == 0;
}

static void *clone_thread(void *arg)
{
	struct clone *c = arg;
	struct gate *g = c->gate;

	clone_start(c);
	pthread_mutex_lock(&g->mu);
	g->ready++;
	pthread_cond_broadcast(&g->cv);
	while (!g->release)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	if (c->up)
		session_stop(&c->s);
	c->up = false;
	return NULL;
}

/* The memory the running clones hold together, in KiB, added to *rss and *pss. */
static int clones_memory(struct clone *cl, uint64_t *rss, uint64_t *pss, char *err, size_t len)
{
	*rss = *pss = 0;
	for (size_t i = 0; i < LIFE_CLONES; i++) {
		uint64_t r, p;
		pid_t pid = guest_watched(&cl[i].s.g);
		int ret = proc_memory(pid, &r, &p);
		if (ret < 0) {
			snprintf(err, len, "cannot read the memory of clone %zu (pid %d): %s",
				 i + 1, (int)pid, strerror(-ret));
			return ret;
		}
		*rss += r;
		*pss += p;
	}
	return 0;
}

/* Starts the clones, one after another or all at once, and reads what they hold; their
 * times into times. 0 or -errno with err; the clones are stopped either way. */
static int clones_run(struct clone *cl, bool together, json_t *times, uint64_t *rss, uint64_t *pss,
		      char *err, size_t len)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false };
	pthread_t th[LIFE_CLONES];
	size_t started = 0;
	int ret = 0;

	for (size_t i = 0; i < LIFE_CLONES && ret == 0; i++) {
		if (!together) {
			clone_start(&cl[i]);
			ret = cl[i].ret;
			continue;
		}
		cl[i].gate = &g;
		ret = -pthread_create(&th[i], NULL, clone_thread, &cl[i]);
		if (ret == 0) {
			started++;
		} else {
			cl[i].ret = ret;
			snprintf(cl[i].err, sizeof(cl[i].err), "cannot start a thread: %s",
				 strerror(-ret));
		}
	}
	/* All started clones have answered (or failed) before anything is read of them. */
	pthread_mutex_lock(&g.mu);
	while (g.ready < started)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	for (size_t i = 0; i < LIFE_CLONES && ret == 0; i++)
		ret = cl[i].ret;
	for (size_t i = 0; i < LIFE_CLONES && ret < 0; i++)
		if (cl[i].ret < 0 && cl[i].err[0]) {
			snprintf(err, len, "clone %zu of %d: %s", i + 1, LIFE_CLONES, cl[i].err);
			break;
		}
	for (size_t i = 0; i < LIFE_CLONES && ret == 0; i++)
		if (json_array_append_new(times, json_real(cl[i].s.boot_s)) < 0)
			ret = -ENOMEM;
	if (ret == 0)
		ret = clones_memory(cl, rss, pss, err, len);
	/* The clones started all at once end in their own threads. */
	pthread_mutex_lock(&g.mu);
	g.release = true;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < LIFE_CLONES; i++)
		if (cl[i].up)
			session_stop(&cl[i].s);
	return ret;
}

static int clone_sample(const struct host_ctx *ctx, const struct backend_cfg *cfg, double *value,
			json_t **details, json_t **series, char *err, size_t len)
{
	struct clone cl[LIFE_CLONES];
	struct life_state st;
	struct hello origin;
	uint64_t rss[2], pss[2];
	json_t *one = json_array(), *all = json_array();
	int ret = one && all ? life_state_dir(&st, err, len) : -ENOMEM;

	(void)series;
	if (ret < 0)
		goto out;
	ret = life_save_fresh(ctx, cfg, &st, &origin, err, len);
	for (int pass = 0; pass < 2 && ret == 0; pass++) {
		memset(cl, 0, sizeof(cl));
		for (size_t i = 0; i < LIFE_CLONES; i++)
			cl[i] = (struct clone){
				.ctx = ctx, .cfg = cfg, .st = &st, .origin = &origin
			};
		ret = clones_run(cl, pass == 1, pass ? all : one, &rss[pass], &pss[pass], err, len);
	}
	if (ret == 0) {
		double last = 0;
		for (size_t i = 0; i < LIFE_CLONES; i++)
			last = fmax(last, json_real_value(json_array_get(all, i)));
		*value = last;
		*details = json_pack(
			"{s:i, s:I, s:O, s:O, s:I, s:I, s:I, s:I}", "clones", LIFE_CLONES,
			"state_bytes", (json_int_t)st.bytes, "one_after_another_s", one,
			"at_once_s", all, "one_after_another_rss_kib", (json_int_t)rss[0],
			"one_after_another_pss_kib", (json_int_t)pss[0], "at_once_rss_kib",
			(json_int_t)rss[1], "at_once_pss_kib", (json_int_t)pss[1]);
		ret = *details ? 0 : -ENOMEM;
	}
	life_state_remove(&st);
out:
	json_decref(one);
	json_decref(all);
	return ret;
}

static int clone_run(const struct host_ctx *ctx, struct cell *cell)
{
	return life_samples(ctx, cell, clone_sample, false);
}

const struct host_workload host_workload_clone = {
	.abi = HOST_WORKLOAD_ABI,
	.meta = &meta,
	.run = clone_run,
};
