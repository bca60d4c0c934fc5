/* Runs a plan: starts each backend, drives the agent through each workload, snapshots the
 * probes around each measured phase, and keeps results.json current. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/log.h"
#include "host/process.h"
#include "harness/protocol.h"
#include "harness/provenance.h"
#include "harness/registry.h"
#include "harness/run.h"
#include "host/util.h"

#define READY_BASE_MS	(300 * 1000) /* set-up, calibration and warm-up: generous for emulation */
#define DATA_TIMEOUT_MS (60 * 1000)  /* from DONE to END */
#define QUIT_TIMEOUT_MS 3000
#define MAX_PROBES	16

struct session {
	struct guest g;
	struct conn c;
	struct hello hello;
	bool up;
	double boot_s;
	struct probe probes[MAX_PROBES]; /* open while the session lasts */
	size_t nprobes;
	json_t *counted; /* the counting pass's probes that can watch this guest, or NULL */
	json_t *facts;	 /* the backend's, taken over from the guest */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A one-line reason for a conn_recv failure; when the guest went quiet or away, with its
 * console's last words and what the backend knows (its host process's exit, its log). */
static void recv_reason(struct session *s, int ret, const char *waiting_for, int timeout_ms,
			char *err, size_t len)
{
	if (ret == -ETIMEDOUT)
		snprintf(err, len, "no %s from the agent within %d s", waiting_for,
			 timeout_ms / 1000);
	else if (ret == -EPIPE)
		snprintf(err, len, "the guest closed its stream while vmbench waited for %s",
			 waiting_for);
	else if (ret == -EINTR)
		snprintf(err, len, "interrupted by the user");
	else if (ret != -EPROTO)
		snprintf(err, len, "reading from the guest: %s", strerror(-ret));
	/* -EPROTO: err already says what was wrong */
	if (ret != -ETIMEDOUT && ret != -EPIPE)
		return;
	if (s->c.last_words[0])
		util_appendf(err, len, "; its console: \"%s\"", s->c.last_words);
	if (s->g.ops->explain) {
		char why[256] = "";
		s->g.ops->explain(&s->g, why, sizeof(why));
		if (why[0])
			util_appendf(err, len, "; %s", why);
	}
}

/* Whether ops belongs to the pass (count: the counting pass) and can watch s's guest. */
static bool probe_usable(struct session *s, const struct probe_ops *ops, bool count)
{
	char reason[256] = "";
	const char *why;

	if (probe_check(ops, &why) < 0) {
		log_warn("probe %s: %s", ops->name, why);
		return false;
	}
	if (((ops->flags & PROBE_COUNT_PASS) != 0) != count)
		return false;
	if (ops->available(&s->g, reason, sizeof(reason)) < 0) {
		log_dbg("probe %s: not for %s: %s", ops->name, s->g.ops->name, reason);
		return false;
	}
	return true;
}

/* Opens, for s's guest, the probes of one pass (count: the counting pass) into arr. */
static size_t probes_open(struct session *s, struct probe *arr, size_t max, bool count)
{
	size_t n = 0;

	for (size_t i = 0; i < probe_count && n < max; i++) {
		const struct probe_ops *ops = probe_table[i];
		if (!probe_usable(s, ops, count))
			continue;
		struct probe *p = &arr[n];
		p->ops = ops;
		p->guest = &s->g;
		p->priv = NULL;
		if (ops->open && ops->open(p) < 0) {
			log_warn("probe %s: cannot open for %s", ops->name, s->g.ops->name);
			continue;
		}
		n++;
	}
	return n;
}

static void probes_close(struct probe *arr, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i].ops->close)
			arr[i].ops->close(&arr[i]);
	*n = 0;
}

static void session_stop(struct session *s)
{
	if (s->up && conn_send(&s->c, "QUIT") == 0) {
		struct msg m;
		char err[256];
		int64_t deadline = util_now_ms() + QUIT_TIMEOUT_MS;
		/* A polite end, within one deadline whatever the guest sends; stop() below
		 * ends the guest anyway. */
		while (util_now_ms() < deadline &&
		       conn_recv(&s->c, &m, (int)(deadline - util_now_ms()), err, sizeof(err)) ==
			       0 &&
		       m.type != MSG_BYE)
			;
	}
	probes_close(s->probes, &s->nprobes);
	json_decref(s->counted);
	s->counted = NULL;
	s->g.ops->stop(&s->g);
	s->up = false;
	json_decref(s->facts);
	s->facts = NULL;
}

static int session_start(struct session *s, const struct backend_ops *ops,
			 const struct backend_cfg *cfg, bool probes, char *err, size_t len)
{
	struct msg m;
	int ret;

	memset(s, 0, sizeof(*s));
	s->g.ops = ops;
	s->g.cfg = cfg;
	s->g.to_guest = s->g.from_guest = -1;
	double t0 = now_s();
	ret = ops->start(&s->g);
	if (ret < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		goto out_stop;
	}
	conn_init(&s->c, s->g.from_guest, s->g.to_guest, ops->name);
	int timeout = ops->hello_timeout_s * 1000;
	ret = conn_recv(&s->c, &m, timeout, err, len);
	if (ret < 0) {
		recv_reason(s, ret, "HELLO", timeout, err, len);
		goto out_stop;
	}
	if (m.type != MSG_HELLO) {
		snprintf(err, len, "the agent sent %s before HELLO", proto_msg_name(m.type));
		ret = -EPROTO;
		goto out_stop;
	}
	s->boot_s = now_s() - t0;
	if (ops->ready && (ret = ops->ready(&s->g)) < 0) {
		snprintf(err, len, "%s", s->g.reason[0] ? s->g.reason : strerror(-ret));
		goto out_stop;
	}
	s->hello = m.hello;
	s->facts = s->g.facts;
	s->g.facts = NULL;
	s->up = true;
	if (probes) {
		s->nprobes = probes_open(s, s->probes, MAX_PROBES, false);
		/* The counting pass's probes, opened for each pass: here only which ones. */
		s->counted = json_array();
		for (size_t i = 0; s->counted && i < probe_count; i++)
			if (probe_usable(s, probe_table[i], true))
				json_array_append_new(s->counted,
						      json_string(probe_table[i]->name));
	}
	log_dbg("%s: agent %s up in %.3f s, kernel %s, timer resolution %.0f ns", ops->name,
		s->hello.version, s->boot_s, s->hello.kernel, s->hello.timer_res_ns);
	return 0;
out_stop:
	session_stop(s);
	return ret;
}

static int probes_snapshot(struct probe *arr, size_t n, struct probe_snapshot *snaps)
{
	for (size_t i = 0; i < n; i++) {
		snaps[i].n = 0;
		int ret = arr[i].ops->snapshot(&arr[i], &snaps[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The delta of one probe value over a phase; false when it cannot be known (a multiplexed
 * counter that never ran). A value absent before counts from 0. */
static bool value_delta(const struct probe_value *a, const struct probe_value *b, double *delta,
			bool *scaled)
{
	double de = a->enabled - (b ? b->enabled : 0), dr = a->running - (b ? b->running : 0);

	*delta = a->value - (b ? b->value : 0);
	*scaled = false;
	if (de <= 0)
		return true; /* always counted */
	if (dr <= 0)
		return false;
	if (dr < de) { /* multiplexed: scale this phase's count by this phase's times */
		*delta *= de / dr;
		*scaled = true;
	}
	return true;
}

/* QEMU's host system calls in a phase less the writes of its trace log, which the qemudev
 * probe turned on for that phase (trace-writes): what QEMU does for the guest. */
static void subtract_tracing(json_t *counters, double ops)
{
	json_t *hs = json_object_get(counters, "host-syscalls");
	json_t *tw = json_object_get(counters, "trace-writes");

	if (!hs || !tw)
		return;
	double net = json_number_value(json_object_get(hs, "total")) -
		     json_number_value(json_object_get(tw, "total"));
	if (net < 0)
		net = 0;
	json_object_set_new(hs, "total", json_real(net));
	json_object_set_new(hs, "per_op", json_real(net / ops));
	json_object_set_new(hs, "trace_writes_subtracted", json_true());
}

/*
 * Deltas of every probe value, per operation (ops: those of the phase the probes watched),
 * added to the cell's traps and counters; traps.per_op is the sum of traps.by_kind.
 */
static int probes_attribute(const struct probe *arr, size_t n, const struct probe_snapshot *before,
			    const struct probe_snapshot *after, double ops, struct cell *cell)
{
	json_t *counters = json_object(), *kinds = json_object();

	if (!counters || !kinds)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < after[i].n; k++) {
			const struct probe_value *a = &after[i].v[k];
			const struct probe_value *b = NULL;
			double delta;
			bool scaled;
			for (size_t j = 0; j < before[i].n && !b; j++)
				if (strcmp(before[i].v[j].name, a->name) == 0)
					b = &before[i].v[j];
			if (!value_delta(a, b, &delta, &scaled))
				continue; /* unknown: absent, never a zero */
			if (a->kind == PROBE_TRAP)
				json_object_set_new(kinds, a->name, json_real(delta / ops));
			else
				json_object_set_new(counters, a->name,
						    json_pack("{s:f, s:f, s:f, s:b, s:s}", "per_op",
							      delta / ops, "total", delta, "ops",
							      ops, "scaled", scaled, "source",
							      arr[i].ops->name));
		}
	}
	subtract_tracing(counters, ops);
	if (json_object_size(counters)) {
		if (!cell->counters) {
			cell->counters = counters;
			counters = NULL;
		} else if (json_object_update(cell->counters, counters) < 0) {
			goto nomem;
		}
	}
	if (json_object_size(kinds)) {
		json_t *all = json_object_get(cell->traps, "by_kind"), *v;
		const char *key;
		double total = 0;
		if (all && json_object_update(kinds, all) < 0)
			goto nomem;
		json_object_foreach(kinds, key, v)
			total += json_number_value(v);
		json_t *traps = json_pack("{s:f, s:O}", "per_op", total, "by_kind", kinds);
		if (!traps)
			goto nomem;
		json_decref(cell->traps);
		cell->traps = traps;
	}
	json_decref(counters);
	json_decref(kinds);
	return 0;
nomem:
	json_decref(counters);
	json_decref(kinds);
	return -ENOMEM;
}

/*
 * Waits for message want about workload wl. 1 when it came; 0 when the agent answered
 * with its own ERR for wl instead (in *m); a negative errno with err otherwise.
 */
static int await(struct session *s, enum msg_type want, const char *wl, int timeout_ms,
		 struct msg *m, char *err, size_t len)
{
	int ret = conn_recv(&s->c, m, timeout_ms, err, len);

	if (ret < 0) {
		recv_reason(s, ret, proto_msg_name(want), timeout_ms, err, len);
		return ret;
	}
	bool same = m->workload && strcmp(m->workload, wl) == 0;
	if (m->type == MSG_ERR && same)
		return 0;
	if (m->type != want || !same) {
		snprintf(err, len, "expected %s %s, the agent sent %s", proto_msg_name(want), wl,
			 proto_msg_name(m->type));
		return -EPROTO;
	}
	return 1;
}

/* Collects DATA lines up to END into a buffer, all within DATA_TIMEOUT_MS. 0 or a
 * conn_recv error with err. */
static int recv_data(struct session *s, char **text, size_t *textlen, char *err, size_t len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int64_t deadline = util_now_ms() + DATA_TIMEOUT_MS;
	struct msg m;
	int ret;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		int64_t left = deadline - util_now_ms();
		ret = left > 0 ? conn_recv(&s->c, &m, (int)left, err, len) : -ETIMEDOUT;
		if (ret < 0) {
			recv_reason(s, ret, "result data", DATA_TIMEOUT_MS, err, len);
			break;
		}
		if (m.type == MSG_END) {
			if (m.bytes != n) {
				snprintf(err, len, "END says %llu bytes, the DATA lines held %zu",
					 (unsigned long long)m.bytes, n);
				ret = -EPROTO;
				break;
			}
			*text = buf;
			*textlen = n;
			return 0;
		}
		if (m.type != MSG_DATA) {
			snprintf(err, len, "the agent sent %s amid result data",
				 proto_msg_name(m.type));
			ret = -EPROTO;
			break;
		}
		size_t chunk = strlen(m.text);
		if (n + chunk > VMB_MAX_DATA) {
			snprintf(err, len, "result data larger than %u bytes", VMB_MAX_DATA);
			ret = -EPROTO;
			break;
		}
		if (n + chunk > cap) {
			while (n + chunk > cap)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		memcpy(buf + n, m.text, chunk);
		n += chunk;
	}
	free(buf);
	return ret;
}

/* One pass of a workload: what to ask for and which probes bracket it. */
struct pass {
	unsigned reps, warmup;
	uint64_t min_sample_ns;
	struct probe *probes;
	size_t nprobes;
};

/*
 * One measured phase of a RUN the guest is preparing (or has prepared): READY, GO, DONE,
 * the data, with the pass's probes snapshotted between READY and GO and again at DONE,
 * and their deltas attributed to cell. 1 with the payload in *pl; 0 when the agent
 * answered with its own ERR (in *m); a negative errno with err otherwise.
 */
static int run_phase(struct session *s, const struct workload_ops *wl, const struct pass *ps,
		     struct cell *cell, struct payload *pl, struct msg *m, char *err, size_t len)
{
	struct probe_snapshot *before = calloc(MAX_PROBES, sizeof(*before));
	struct probe_snapshot *after = calloc(MAX_PROBES, sizeof(*after));
	char *text = NULL;
	size_t textlen = 0;
	uint64_t iters;
	int ret = -ENOMEM;

	if (!before || !after)
		goto out;
	/* Calibration and warm-up take a few dozen samples per point, up to WL_MAX_POINTS. */
	double ready_ms = READY_BASE_MS +
			  (double)ps->min_sample_ns / 1e6 * (3.0 * ps->warmup + 40) * WL_MAX_POINTS;
	ret = await(s, MSG_READY, wl->name, ready_ms > INT_MAX ? INT_MAX : (int)ready_ms, m, err,
		    len);
	if (ret <= 0)
		goto out;
	iters = m->iters;
	/* The measured phase may last reps samples of sample_ns each; allow three times that
	 * and half a minute more before calling the guest hung. */
	double expect_ms = (double)ps->reps * (double)m->sample_ns * 3 / 1e6 + 30000;
	int done_timeout = expect_ms > INT_MAX ? INT_MAX : (int)expect_ms;

	ret = probes_snapshot(ps->probes, ps->nprobes, before);
	if (ret < 0) {
		snprintf(err, len, "a probe failed before the run: %s", strerror(-ret));
		goto out;
	}
	ret = conn_send(&s->c, "GO");
	if (ret < 0) {
		snprintf(err, len, "cannot send GO to the guest: %s", strerror(-ret));
		goto out;
	}
	ret = await(s, MSG_DONE, wl->name, done_timeout, m, err, len);
	if (ret <= 0)
		goto out;
	ret = probes_snapshot(ps->probes, ps->nprobes, after);
	if (ret < 0) {
		snprintf(err, len, "a probe failed after the run: %s", strerror(-ret));
		goto out;
	}
	ret = recv_data(s, &text, &textlen, err, len);
	if (ret < 0)
		goto out;
	ret = proto_parse_payload(text, textlen, wl->name, wl->unit, ps->reps, iters, pl, err, len);
	if (ret < 0)
		goto out;
	ret = probes_attribute(ps->probes, ps->nprobes, before, after,
			       json_real_value(json_object_get(pl->raw, "ops")), cell);
	if (ret < 0)
		snprintf(err, len, "%s", strerror(-ret));
	else
		ret = 1;
out:
	free(text);
	free(before);
	free(after);
	return ret;
}

/*
 * The counting sample that follows a measured phase asked for with count=1 (agent.h):
 * the probes whose events would slow down the measured samples (tracepoints) are opened
 * and bracket one more sample of every point, for traps per operation; its value is kept
 * apart (cell->probed: what the probes would have done to a timed sample), never among
 * the samples. When none opens, SKIP ends the RUN. Its failure leaves the cell's
 * measurement as it is; returns a negative errno only when the session is no longer
 * usable.
 */
static int count_phase(struct session *s, const struct workload_ops *wl, uint64_t min_sample_ns,
		       struct cell *cell)
{
	struct probe probes[MAX_PROBES];
	struct payload pl = { 0 };
	char err[512] = "";
	struct msg m;
	struct pass ps = { .reps = 1, .min_sample_ns = min_sample_ns, .probes = probes };
	int ret;

	ps.nprobes = probes_open(s, probes, MAX_PROBES, true);
	if (!ps.nprobes) {
		/* The guest is announcing the counting sample: wait for that, then decline. */
		ret = await(s, MSG_READY, wl->name, READY_BASE_MS, &m, err, sizeof(err));
		if (ret > 0 && (ret = conn_send(&s->c, "SKIP")) < 0)
			snprintf(err, sizeof(err), "cannot send SKIP to the guest: %s",
				 strerror(-ret));
	} else {
		ret = run_phase(s, wl, &ps, cell, &pl, &m, err, sizeof(err));
		if (ret > 0 && pl.n)
			cell->probed = pl.samples[0];
		probes_close(probes, &ps.nprobes);
		payload_free(&pl);
	}
	if (ret <= 0)
		log_warn("%s: %s: no trap counts: %s", s->g.ops->name, wl->name,
			 ret == 0 ? m.text : err);
	return ret < 0 ? ret : 0;
}

/* What one round asks of a cell. */
struct cellrun {
	unsigned reps, warmup;
	uint64_t min_sample_ns;
	bool count; /* the counting sample follows (the last round) */
};

/*
 * One workload in a running session, one round of samples: the first round's samples
 * make the cell, later ones are added to it. The cell gets its outcome. Returns 0 while
 * the session is still usable, or a negative errno once it is not (protocol error,
 * timeout, guest gone, interrupted).
 */
static int run_cell(struct session *s, const struct workload_ops *wl, const struct cellrun *cr,
		    struct cell *cell)
{
	char err[512] = "";
	struct msg m;
	struct payload pl = { 0 };
	struct pass ps = { .reps = cr->reps,
			   .warmup = cr->warmup,
			   .min_sample_ns = cr->min_sample_ns,
			   .probes = s->probes,
			   .nprobes = s->nprobes };
	bool count = cr->count && json_array_size(s->counted);
	bool disk = (wl->needs & WL_NEEDS_DISK) && s->g.disk;
	int ret = conn_send(&s->c, "RUN %s reps=%u warmup=%u min_sample_ns=%llu%s%s%s", wl->name,
			    ps.reps, ps.warmup, (unsigned long long)ps.min_sample_ns,
			    count ? " count=1" : "", disk ? " disk=" : "", disk ? s->g.disk : "");

	if (ret < 0)
		snprintf(err, sizeof(err), "cannot send RUN to the guest: %s", strerror(-ret));
	else
		ret = run_phase(s, wl, &ps, cell, &pl, &m, err, sizeof(err));
	if (ret == 0) { /* the agent's own ERR: the session goes on */
		cell_set_status(cell, m.unsupported ? CELL_SKIPPED : CELL_FAILED, "%s", m.text);
		goto out;
	}
	if (ret < 0) { /* the conversation is out of step: the session ends */
		cell_set_status(cell, CELL_FAILED, "%s", err[0] ? err : strerror(-ret));
		goto out;
	}
	ret = cell_add_round(cell, pl.samples, pl.n, pl.raw, pl.extra, pl.series);
	/* Samples that make no cell leave the conversation in step (the counting sample is
	 * still announced) and the session usable. */
	if (ret < 0)
		cell_set_status(cell, CELL_FAILED, "the guest's samples: %s", strerror(-ret));
	ret = 0;
	if (count)
		ret = count_phase(s, wl, cr->min_sample_ns, cell);
out:
	payload_free(&pl);
	return ret;
}

/* Why wl cannot run on b in this run, or NULL. */
static const char *cannot_run(const struct run_cfg *cfg, const struct backend_ops *b,
			      const struct workload_ops *wl, char *buf, size_t len)
{
	unsigned missing = wl->needs & ~b->provides;

	if (missing & WL_NEEDS_DISK)
		return "needs a test disk, which this backend does not provide";
	if (missing & WL_NEEDS_2CPU)
		return "needs two CPUs, which this backend does not provide";
	if (missing)
		return "needs something this backend does not provide";
	if ((wl->needs & WL_NEEDS_DISK) && !cfg->backend.disk_path) {
		snprintf(buf, len, "no test disk: %s",
			 cfg->disk_reason ? cfg->disk_reason : "none was set up");
		return buf;
	}
	return NULL;
}

static json_t *hello_json(const struct session *s)
{
	const struct hello *h = &s->hello;

	return json_pack("{s:s, s:s, s:s, s:f, s:f, s:f}", "version", h->version, "kernel",
			 h->kernel, "arch", h->arch, "timer_res_ns", h->timer_res_ns,
			 "clock_read_ns", h->clock_read_ns, "loop_ns", h->loop_ns);
}

/* The cell of (b, wl), made when it is not there yet; NULL on ENOMEM. */
static struct cell *cell_for(struct results *res, const struct backend_ops *b,
			     const struct workload_ops *wl)
{
	struct cell *c = (struct cell *)results_find(res, b->name, wl->name);

	return c ? c : results_add(res, b->name, b->mode, wl->name, wl->unit, wl->better);
}

/* A cell that is done for good: it failed or was skipped in an earlier round. */
static bool cell_closed(const struct cell *c)
{
	return c->status == CELL_FAILED || c->status == CELL_SKIPPED;
}

static int add_cell(struct results *res, const struct backend_ops *b, const struct workload_ops *wl,
		    enum cell_status st, const char *reason)
{
	struct cell *c = cell_for(res, b, wl);

	if (!c)
		return -ENOMEM;
	if (!cell_closed(c))
		cell_set_status(c, st, "%s", reason);
	return 0;
}

/* The workloads of a round from position from on that did not run, all with one outcome. */
static int add_all(struct results *res, const struct backend_ops *b,
		   const struct workload_ops *const *order, size_t n, size_t from,
		   enum cell_status st, const char *reason)
{
	for (size_t w = from; w < n; w++)
		if (add_cell(res, b, order[w], st, reason) < 0)
			return -ENOMEM;
	return 0;
}

/* lifecycle.boot: fresh starts of the backend, each timed to the agent's HELLO (one more
 * first, dropped, when the profile warms up), reps of them in this round. */
static int run_boots(const struct run_cfg *cfg, const struct backend_ops *b, unsigned reps,
		     bool warmup, struct cell *cell)
{
	unsigned warm = warmup ? 1 : 0;
	double *x = calloc(reps + 1, sizeof(*x));
	char err[512];
	int ret = 0;

	if (!x)
		return -ENOMEM;
	for (unsigned i = 0; i < warm + reps; i++) {
		struct session s;
		if (proc_interrupted()) {
			cell_set_status(cell, CELL_FAILED, "interrupted");
			goto out;
		}
		ret = session_start(&s, b, &cfg->backend, false, err, sizeof(err));
		if (ret < 0) {
			cell_set_status(cell, CELL_FAILED, "boot %u of %u failed: %s", i + 1,
					warm + reps, err);
			ret = 0;
			goto out;
		}
		if (i >= warm)
			x[i - warm] = s.boot_s;
		session_stop(&s);
	}
	ret = cell_add_round(cell, x, reps, NULL, NULL, NULL);
	if (ret == 0 && !cell->raw)
		cell->raw = json_pack("{s:i}", "warmup_boots", (int)warm);
out:
	free(x);
	return ret;
}

/* Where things ran: the guest's measurement CPU (the agent, the container's cpuset, every
 * UML process, QEMU's vCPU threads), and the CPUs the harness keeps to. */
static json_t *binding(int cpu)
{
	cpu_set_t set;
	json_t *mine = json_array();

	if (mine && sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				json_array_append_new(mine, json_integer(i));
	return json_pack("{s:o, s:o}", "measurement_cpu",
			 cpu >= 0 ? json_integer(cpu) : json_null(), "harness_cpus",
			 mine ? mine : json_null());
}

/* Progress: cells done of all, and a guess of the time left from the time they took. */
struct progress {
	unsigned done, total;
	double t0;
};

static void progress_show(const struct progress *pr, unsigned round, unsigned rounds,
			  const char *backend, const char *workload, unsigned reps)
{
	double el = now_s() - pr->t0;
	char eta[32] = "…", rnd[32] = "";

	if (pr->done) {
		double left = el / pr->done * (pr->total - pr->done);
		snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
	}
	if (rounds > 1)
		snprintf(rnd, sizeof(rnd), " round %u/%u", round, rounds);
	log_status("[%u/%u]%s %s %s, %u samples · %d:%02d elapsed · ETA %s", pr->done + 1,
		   pr->total, rnd, backend, workload, reps, (int)el / 60, (int)el % 60, eta);
	if (!log_is_tty())
		log_info("[%u/%u]%s %s: %s ...", pr->done + 1, pr->total, rnd, backend, workload);
}

/* What a round is: its number, its share of the samples, its order of workloads. */
struct round {
	unsigned index, count; /* 1-based index */
	struct cellrun run;
	unsigned boots;
	const struct workload_ops **order;
	size_t n;
	struct progress *pr;
};

/* Checks once whether b can run here; fills binfo. 1 available, 0 not (its cells are
 * made, skipped or failed), -ENOMEM. */
static int backend_usable(const struct run_cfg *cfg, const struct backend_ops *b,
			  struct results *res, json_t *binfo)
{
	const struct plan *p = cfg->plan;
	char err[512];
	const char *why;

	json_object_set_new(binfo, "mode", json_string(b->mode));
	json_object_set_new(binfo, "binding", binding(cfg->backend.cpu));
	json_object_set_new(binfo, "restarts", json_integer(0));
	if (backend_check(b, &why) < 0) {
		json_object_set_new(binfo, "status", json_string("failed"));
		json_object_set_new(binfo, "reason", json_string(why));
		return add_all(res, b, p->workloads, p->nworkloads, 0, CELL_FAILED, why);
	}
	err[0] = '\0';
	if (b->available(&cfg->backend, err, sizeof(err)) < 0) {
		log_info("%s: skipped: %s", b->name, err);
		json_object_set_new(binfo, "status", json_string("skipped"));
		json_object_set_new(binfo, "reason", json_string(err));
		return add_all(res, b, p->workloads, p->nworkloads, 0, CELL_SKIPPED, err);
	}
	json_object_set_new(binfo, "status", json_string("ok"));
	if (err[0]) {
		log_dbg("%s: %s", b->name, err);
		json_object_set_new(binfo, "note", json_string(err));
	}
	return 1;
}

/* Facts of the first session of a backend, for provenance. */
static void describe_session(json_t *binfo, const struct session *s)
{
	if (json_object_get(binfo, "agent"))
		return;
	json_object_set_new(binfo, "agent", hello_json(s));
	json_object_set_new(binfo, "boot_s", json_real(s->boot_s));
	json_t *names = json_array();
	for (size_t i = 0; i < s->nprobes; i++)
		json_array_append_new(names, json_string(s->probes[i].ops->name));
	json_object_set_new(binfo, "probes",
			    json_pack("{s:o, s:O}", "timed_pass", names, "counting_pass",
				      s->counted ? s->counted : json_null()));
	if (s->facts)
		json_object_set(binfo, "backend", s->facts);
}

/* One round of one backend: a session, the round's workloads in its order, their samples. */
static int run_backend(const struct run_cfg *cfg, const struct backend_ops *b, struct results *res,
		       json_t *binfo, const struct round *rd)
{
	struct session s;
	char err[512], buf[600];
	int ret, restarts = 0;
	bool up = false, booted = false;

	for (size_t w = 0; w < rd->n; w++) {
		const struct workload_ops *wl = rd->order[w];
		struct cell *c = cell_for(res, b, wl);

		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		if (cell_closed(c)) {
			rd->pr->done++;
			continue;
		}
		if (proc_interrupted()) {
			ret = add_all(res, b, rd->order, rd->n, w, CELL_FAILED,
				      "interrupted before it ran");
			goto out;
		}
		const char *skip = cannot_run(cfg, b, wl, buf, sizeof(buf));
		if (skip) {
			cell_set_status(c, CELL_SKIPPED, "%s", skip);
			rd->pr->done++;
			continue;
		}
		unsigned reps = (wl->flags & WL_HOST) ? rd->boots : rd->run.reps;
		progress_show(rd->pr, rd->index, rd->count, b->name, wl->name, reps);
		if (wl->flags & WL_HOST) {
			/* Boots of their own: end the running session first. */
			if (up)
				session_stop(&s);
			up = false;
			/* A warm-up boot fills the page cache with the kernel and image, unless
			 * this backend has booted already in this run. */
			bool warm = rd->run.warmup > 0 && !booted && c->n == 0;
			double t0 = now_s();
			ret = run_boots(cfg, b, reps, warm, c);
			c->wall_s += now_s() - t0;
			if (ret < 0)
				goto out;
			rd->pr->done++;
			continue;
		}
		if (!up) {
			ret = session_start(&s, b, &cfg->backend, !cfg->no_probes, err,
					    sizeof(err));
			if (ret < 0) {
				log_err("%s: cannot start: %s", b->name, err);
				json_object_set_new(binfo, "status", json_string("failed"));
				json_object_set_new(binfo, "reason", json_string(err));
				char when[32] = "";
				if (rd->count > 1)
					snprintf(when, sizeof(when), " in round %u", rd->index);
				snprintf(buf, sizeof(buf), "the backend did not start%s: %s", when,
					 err);
				ret = add_all(res, b, rd->order, rd->n, w, CELL_FAILED, buf);
				goto out;
			}
			up = booted = true;
			describe_session(binfo, &s);
		}
		double t0 = now_s();
		ret = run_cell(&s, wl, &rd->run, c);
		c->wall_s += now_s() - t0;
		rd->pr->done++;
		/* A sample's timing error is up to two clock steps: over 1% is not worth
		 * comparing. */
		double step = s.hello.timer_res_ns;
		if (c->status == CELL_OK && c->n && 200 * step > (double)rd->run.min_sample_ns)
			cell_set_status(c, CELL_UNTRUSTWORTHY,
					"the guest clock's resolution (%.0f ns) is too coarse for "
					"samples of %.0f ms",
					step, (double)rd->run.min_sample_ns / 1e6);
		if (c->status == CELL_OK || c->status == CELL_UNTRUSTWORTHY)
			log_info("%s: %s: median %.4g %s", b->name, wl->name, c->stats.median,
				 c->unit);
		else
			log_warn("%s: %s: %s: %s", b->name, wl->name, cell_status_name(c->status),
				 c->reason);
		if (ret < 0) {
			/* The session is unusable and the conversation out of step: no QUIT, end
			 * it; the next workload gets a fresh one. */
			s.up = false;
			session_stop(&s);
			up = false;
			restarts++;
		}
	}
	ret = 0;
out:
	if (up)
		session_stop(&s);
	json_object_set_new(
		binfo, "restarts",
		json_integer(json_integer_value(json_object_get(binfo, "restarts")) + restarts));
	return ret;
}

/* Keeps the harness off the measurement CPU when there is another one. */
static void pin_harness(int cpu, json_t *runinfo)
{
	cpu_set_t set;

	if (cpu < 0 || sched_getaffinity(0, sizeof(set), &set) < 0 || CPU_COUNT(&set) < 2 ||
	    !CPU_ISSET(cpu, &set))
		return;
	CPU_CLR(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		json_object_set_new(runinfo, "harness_off_cpu", json_integer(cpu));
}

/* Cells in plan order (backends, then workloads), whatever order they ran in. */
static int plan_order(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;
	const struct cell *x = a, *y = b;
	size_t kx[2] = { SIZE_MAX, SIZE_MAX }, ky[2] = { SIZE_MAX, SIZE_MAX };

	for (size_t i = 0; i < p->nbackends; i++) {
		if (!strcmp(p->backends[i]->name, x->backend))
			kx[0] = i;
		if (!strcmp(p->backends[i]->name, y->backend))
			ky[0] = i;
	}
	for (size_t i = 0; i < p->nworkloads; i++) {
		if (!strcmp(p->workloads[i]->name, x->workload))
			kx[1] = i;
		if (!strcmp(p->workloads[i]->name, y->workload))
			ky[1] = i;
	}
	if (kx[0] != ky[0])
		return kx[0] < ky[0] ? -1 : 1;
	return kx[1] < ky[1] ? -1 : kx[1] > ky[1];
}

static int write_results(const struct run_cfg *cfg, struct results *res)
{
	qsort_r(res->cells, res->n, sizeof(*res->cells), plan_order, (void *)cfg->plan);
	return results_write(res, cfg->out_path);
}

/* A random permutation of n pointers (GSL's shuffle on the run's generator). */
static void shuffle(gsl_rng *rng, void *base, size_t n, size_t size)
{
	if (rng && n > 1)
		gsl_ran_shuffle(rng, base, n, size);
}

int run_execute(const struct run_cfg *cfg, struct results *res)
{
	const struct plan *p = cfg->plan;
	const struct profile *pf = &p->profile;
	json_t *backends = json_object(), *order = pf->shuffle ? json_array() : NULL;
	unsigned rounds = pf->rounds ? pf->rounds : 1;
	int ret;

	/* Every round gets at least one sample of each cell and one boot. */
	unsigned most = pf->reps < pf->boot_reps ? pf->reps : pf->boot_reps;
	if (rounds > most) {
		log_warn("%u rounds of %u samples and %u boots: %u rounds", rounds, pf->reps,
			 pf->boot_reps, most ? most : 1);
		rounds = most;
	}
	if (rounds < 1)
		rounds = 1;
	results_init(res);
	res->provenance = provenance_collect(cfg->argc, cfg->argv);
	if (!res->provenance || !backends) {
		json_decref(backends);
		json_decref(order);
		return -ENOMEM;
	}
	json_t *runinfo =
		json_pack("{s:s, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i}", "profile", pf->name,
			  "reps", (int)pf->reps, "warmup", (int)pf->warmup, "min_sample_ns",
			  (json_int_t)pf->min_sample_ns, "boot_reps", (int)pf->boot_reps, "rounds",
			  (int)rounds, "cpu", cfg->backend.cpu, "vcpus", (int)cfg->backend.vcpus,
			  "mem_mib", (int)cfg->backend.mem_mib);
	json_object_set_new(runinfo, "stop_rule", json_string(pf->stop_rule));
	pin_harness(cfg->backend.cpu, runinfo);
	json_object_set_new(runinfo, "disk",
			    cfg->backend.disk_path ? json_string(cfg->backend.disk_path)
						   : json_null());
	json_object_set_new(runinfo, "image", cfg->image ? json_incref(cfg->image) : json_null());
	json_object_set_new(res->provenance, "run", runinfo);
	json_object_set_new(res->provenance, "backends", backends);

	gsl_rng *rng = NULL;
	if (pf->shuffle) {
		rng = gsl_rng_alloc(gsl_rng_mt19937);
		if (!rng) {
			json_decref(order);
			return -ENOMEM;
		}
		gsl_rng_set(rng, cfg->seed);
		json_object_set_new(runinfo, "seed", json_integer((json_int_t)cfg->seed));
		json_object_set_new(runinfo, "order", order);
	}
	const struct backend_ops **bk = calloc(p->nbackends + 1, sizeof(*bk));
	const struct workload_ops **wk = calloc(p->nworkloads + 1, sizeof(*wk));
	bool *usable = calloc(p->nbackends + 1, sizeof(*usable));
	ret = bk && wk && usable ? write_results(cfg, res) : -ENOMEM;
	if (ret < 0)
		goto out;

	struct progress pr = { .t0 = now_s(),
			       .total = (unsigned)(rounds * p->nbackends * p->nworkloads) };
	for (size_t i = 0; i < p->nbackends; i++) {
		json_t *binfo = json_object();
		json_object_set_new(backends, p->backends[i]->name, binfo);
		ret = backend_usable(cfg, p->backends[i], res, binfo);
		if (ret < 0)
			goto out;
		usable[i] = ret;
		if (!ret)
			pr.total -= (unsigned)(rounds * p->nworkloads);
	}
	for (unsigned r = 0; r < rounds; r++) {
		json_t *this_round = order ? json_array() : NULL;
		size_t nb = 0;
		for (size_t i = 0; i < p->nbackends; i++)
			if (usable[i])
				bk[nb++] = p->backends[i];
		shuffle(rng, bk, nb, sizeof(*bk));
		if (order)
			json_array_append_new(order, this_round);
		for (size_t i = 0; i < nb; i++) {
			const struct backend_ops *b = bk[i];
			/* Workloads that boot the backend themselves come last: the session
			 * of the others is not started twice. */
			size_t n = 0;
			for (size_t w = 0; w < p->nworkloads; w++)
				if (!(p->workloads[w]->flags & WL_HOST))
					wk[n++] = p->workloads[w];
			shuffle(rng, wk, n, sizeof(*wk));
			size_t plain = n;
			for (size_t w = 0; w < p->nworkloads; w++)
				if (p->workloads[w]->flags & WL_HOST)
					wk[n++] = p->workloads[w];
			shuffle(rng, wk + plain, n - plain, sizeof(*wk));
			if (this_round) {
				json_t *names = json_array();
				for (size_t w = 0; w < n; w++)
					json_array_append_new(names, json_string(wk[w]->name));
				json_array_append_new(this_round,
						      json_pack("{s:s, s:o}", "backend", b->name,
								"workloads", names));
			}
			struct round rd = {
				.index = r + 1,
				.count = rounds,
				.run = { .reps = profile_round_share(pf->reps, rounds, r),
					 .warmup = pf->warmup,
					 .min_sample_ns = pf->min_sample_ns,
					 .count = r + 1 == rounds },
				.boots = profile_round_share(pf->boot_reps, rounds, r),
				.order = wk,
				.n = n,
				.pr = &pr,
			};
			json_t *binfo = json_object_get(backends, b->name);
			if (proc_interrupted() && !json_object_get(binfo, "agent")) {
				json_object_set_new(binfo, "status", json_string("failed"));
				json_object_set_new(binfo, "reason",
						    json_string("interrupted before it ran"));
			}
			ret = run_backend(cfg, b, res, binfo, &rd);
			if (ret < 0)
				goto out;
			ret = write_results(cfg, res);
			if (ret < 0)
				goto out;
		}
	}
	log_status_clear();
	if (proc_interrupted()) {
		ret = -EINTR;
		goto out;
	}
	/* The measuring itself, what a profile's time budget is about (no build, no image). */
	double wall = now_s() - pr.t0;
	json_object_set_new(runinfo, "wall_s", json_real(wall));
	log_info("run: %u cell%s in %d:%02d", pr.total, pr.total == 1 ? "" : "s", (int)wall / 60,
		 (int)wall % 60);
	res->complete = true;
	ret = write_results(cfg, res);
	if (ret < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < res->n; i++)
		if (res->cells[i].status == CELL_FAILED)
			ret = 1;
out:
	log_status_clear();
	if (rng)
		gsl_rng_free(rng);
	else
		json_decref(order);
	free(bk);
	free(wk);
	free(usable);
	return ret;
}
