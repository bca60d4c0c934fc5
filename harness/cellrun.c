/* The RUN conversation of one cell with the agent, and the probes around its phases. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "harness/attribute.h"
#include "harness/cellrun.h"
#include "harness/plan.h"
#include "host/util.h"

/* Snapshots every probe: in list order before the phase, in reverse order after it, so a
 * probe listed first (one whose asking costs the guest work) brackets the others'
 * window from outside. */
static int probes_snapshot(struct probe *arr, size_t n, struct probe_snapshot *snaps, bool after,
			   char *err, size_t len)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = after ? n - 1 - k : k;
		snaps[i].n = 0;
		int ret = arr[i].ops->snapshot(&arr[i], &snaps[i]);
		if (ret < 0) {
			snprintf(err, len, "probe %s failed %s the run: %s%s", arr[i].ops->name,
				 after ? "after" : "before", strerror(-ret),
				 ret == -ENOSPC ? " (its counts would be cut short)" : "");
			return ret;
		}
	}
	return 0;
}

/* The quiet limit of cr in ms. */
static uint64_t quiet_ms(const struct cellrun *cr)
{
	return (uint64_t)(cr->quiet_s ? cr->quiet_s : PLAN_QUIET_S) * 1000;
}

/* One pass of a workload: what to ask for and which probes bracket it. */
struct pass {
	unsigned reps, warmup;
	uint64_t min_sample_ns;
	uint64_t quiet_ms, max_sample_ms; /* the deadlines' parts (struct cellrun) */
	struct probe *probes;
	size_t nprobes;
};

/*
 * One measured phase of a RUN the guest is preparing (or has prepared): READY, GO, DONE, ACK,
 * the data, with the pass's probes snapshotted between READY and GO and again at DONE,
 * and their deltas attributed to cell. 1 with the payload in *pl; 0 when the agent
 * answered with its own ERR (in *m); a negative errno with err otherwise.
 */
static int run_phase(struct session *s, const struct workload_ops *wl, const struct pass *ps,
		     struct cell *cell, struct payload *pl, struct msg *m, char *err, size_t len)
{
	struct probe_snapshot *before = calloc(SESSION_MAX_PROBES, sizeof(*before));
	struct probe_snapshot *after = calloc(SESSION_MAX_PROBES, sizeof(*after));
	struct probe_phase ph = { 0 };
	char *text = NULL;
	size_t textlen = 0;
	uint64_t iters;
	int ret = -ENOMEM;

	if (!before || !after)
		goto out;
	/* Every deadline is the host's, from the profile, never from a number the guest sends:
	 * set-up within the quiet limit, and calibration and warm-up, a few dozen samples per
	 * point, up to WL_MAX_POINTS. */
	double ready_ms = (double)ps->quiet_ms +
			  (double)ps->min_sample_ns / 1e6 * (3.0 * ps->warmup + 40) * WL_MAX_POINTS;
	ret = session_await(s, MSG_READY, wl->name, ready_ms > INT_MAX ? INT_MAX : (int)ready_ms, m,
			    err, len);
	if (ret <= 0)
		goto out;
	iters = m->iters;
	if (m->sample_ns > ps->max_sample_ms * 1000000) {
		snprintf(err, len,
			 "the guest announced samples of %.1f s; the profile allows %.1f s at most",
			 (double)m->sample_ns / 1e9, (double)ps->max_sample_ms / 1e3);
		ret = -EPROTO;
		goto out;
	}
	/* The measured phase lasts reps samples of the announced length (at least the asked
	 * one): twice that and the quiet limit more before calling the guest hung. */
	double sample_ns =
		(double)(m->sample_ns > ps->min_sample_ns ? m->sample_ns : ps->min_sample_ns);
	double expect_ms = (double)ps->reps * sample_ns * 2 / 1e6 + (double)ps->quiet_ms;
	int done_timeout = expect_ms > INT_MAX ? INT_MAX : (int)expect_ms;

	ret = probes_snapshot(ps->probes, ps->nprobes, before, false, err, len);
	if (ret < 0)
		goto out;
	double go = util_now_s();
	ret = session_send_word(s, "GO", err, len);
	if (ret < 0)
		goto out;
	ret = session_await(s, MSG_DONE, wl->name, done_timeout, m, err, len);
	if (ret <= 0)
		goto out;
	double host_ns = (util_now_s() - go) * 1e9;
	ret = probes_snapshot(ps->probes, ps->nprobes, after, true, err, len);
	if (ret < 0)
		goto out;
	/* The window is closed: the guest may send its data now. */
	ret = session_send_word(s, "ACK", err, len);
	if (ret < 0)
		goto out;
	ret = session_recv_data(s, &text, &textlen, err, len);
	if (ret < 0)
		goto out;
	ret = proto_parse_payload(text, textlen, wl->name, wl->unit, ps->reps, iters, ps->warmup,
				  pl, err, len);
	if (ret < 0)
		goto out;
	ret = proto_check_durations(pl, !wl->measure, ps->min_sample_ns, host_ns, err, len);
	if (ret < 0) {
		payload_free(pl);
		goto out;
	}
	ph.d = calloc(SESSION_MAX_PROBES * PROBE_MAX_VALUES, sizeof(*ph.d));
	if (!ph.d) {
		ret = -ENOMEM;
		snprintf(err, len, "%s", strerror(-ret));
		goto out;
	}
	attribute_phase(ps->probes, ps->nprobes, before, after, &ph);
	ret = attribute_to_cell(&ph, json_real_value(json_object_get(pl->raw, "ops")), cell);
	if (ret < 0)
		snprintf(err, len, "%s", strerror(-ret));
	else
		ret = 1;
out:
	free(ph.d);
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
 * measurement as it is, but for a trace log without room (before or after the sample):
 * its counts are cut or missing, and the cell, whose counts are part of what it reports,
 * fails. Returns a negative errno only when the session is no longer usable.
 */
static int count_phase(struct session *s, const struct workload_ops *wl, const struct cellrun *cr,
		       struct cell *cell)
{
	struct probe probes[SESSION_MAX_PROBES];
	struct payload pl = { 0 };
	char err[512] = "";
	struct msg m;
	/* The counting sample has no warm-up of its own. */
	struct pass ps = { .reps = 1,
			   .min_sample_ns = cr->min_sample_ns,
			   .quiet_ms = quiet_ms(cr),
			   .max_sample_ms = cr->max_sample_ms ? cr->max_sample_ms : 2000,
			   .probes = probes };
	int ret;

	ps.nprobes = session_probes_open(s, probes, SESSION_MAX_PROBES, true);
	if (!ps.nprobes) {
		/* The guest is announcing the counting sample: wait for that, then decline. */
		ret = session_await(s, MSG_READY, wl->name, (int)ps.quiet_ms, &m, err, sizeof(err));
		if (ret > 0)
			ret = session_send_word(s, "SKIP", err, sizeof(err));
	} else {
		ret = run_phase(s, wl, &ps, cell, &pl, &m, err, sizeof(err));
		if (ret > 0 && pl.n)
			cell->probed = pl.samples[0];
		session_probes_close(probes, &ps.nprobes);
		payload_free(&pl);
	}
	/* A full trace log: counts cut short are wrong, not missing; the cell fails. */
	if (ret == -ENOSPC)
		cell_set_status(cell, CELL_FAILED, "%s", err);
	else if (ret <= 0)
		log_warn("%s: %s: no trap counts: %s", s->g.ops->name, wl->name,
			 ret == 0 ? m.text : err);
	return ret < 0 ? ret : 0;
}

int cellrun_run(struct session *s, const struct workload_ops *wl, const struct cellrun *cr,
		struct cell *cell)
{
	char err[512] = "";
	struct msg m;
	struct payload pl = { 0 };
	struct pass ps = { .reps = cr->reps,
			   .warmup = cr->warmup,
			   .min_sample_ns = cr->min_sample_ns,
			   .quiet_ms = quiet_ms(cr),
			   .max_sample_ms = cr->max_sample_ms ? cr->max_sample_ms : 2000,
			   .probes = s->probes,
			   .nprobes = s->nprobes };
	bool count = cr->count && json_array_size(s->counted);
	bool disk = (wl->needs & WL_NEEDS_DISK) && s->g.disk;
	if ((wl->needs & WL_NEEDS_DISK) && !s->g.disk && s->g.no_disk) {
		cell_set_status(cell, CELL_SKIPPED, "%s", s->g.no_disk);
		return 0;
	}
	char size[40] = "";
	if (sizes_for(cr->sizes, wl))
		snprintf(size, sizeof(size), " bytes=%llu",
			 (unsigned long long)sizes_for(cr->sizes, wl));
	char extra[40] = "";
	if (cr->extra_workload && strcmp(cr->extra_workload, wl->name) == 0)
		snprintf(extra, sizeof(extra), " extra_work=%u", cr->extra_work);
	int ret = conn_send(&s->c, "RUN %s reps=%u warmup=%u min_sample_ns=%llu%s%s%s%s%s",
			    wl->name, ps.reps, ps.warmup, (unsigned long long)ps.min_sample_ns,
			    count ? " count=1" : "", size, extra, disk ? " disk=" : "",
			    disk ? s->g.disk : "");

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
	ret = cell_add_session(cell, pl.samples, pl.n, pl.raw, pl.extra, pl.series);
	/* Samples that make no cell leave the conversation in step (the counting sample is
	 * still announced) and the session usable. */
	if (ret < 0)
		cell_set_status(cell, CELL_FAILED, "the guest's samples: %s", strerror(-ret));
	ret = 0;
	if (count)
		ret = count_phase(s, wl, cr, cell);
out:
	payload_free(&pl);
	conn_log_summary(&s->c, wl->name);
	return ret;
}