/* Runs a plan: each backend's turns in the schedule's order, each cell in a session (or by
 * the host, for host-measured workloads), and keeps results.json current. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/meminfo.h"
#include "harness/catalog.h"
#include "harness/cellrun.h"
#include "harness/progress.h"
#include "harness/provenance.h"
#include "harness/registry.h"
#include "harness/run.h"
#include "harness/schedule.h"
#include "harness/session.h"
#include "harness/sizes.h"
#include "host/process.h"
#include "host/util.h"

static int write_results(const struct run_cfg *cfg, struct results *res);

/* Why wl cannot run on b in this run, or NULL. */
static const char *cannot_run(const struct run_cfg *cfg, const struct backend_ops *b,
			      const struct workload_ops *wl, char *buf, size_t len)
{
	unsigned missing = wl->needs & ~b->provides;

	if (missing & WL_NEEDS_DISK)
		return "needs a test disk, which this backend does not provide";
	if (missing & WL_NEEDS_2CPU)
		return "needs two CPUs, which this backend does not provide";
	if (missing & WL_NEEDS_SNAPSHOT)
		return "needs saving a running guest's whole state and starting guests from it, "
		       "which this backend cannot do";
	if (missing & WL_NEEDS_MIGRATE)
		return "needs moving a running guest live into another, which this backend "
		       "cannot do";
	if (missing & WL_NEEDS_RESIZE)
		return "needs taking memory from a running guest and giving it back, which this "
		       "backend cannot do";
	if (missing)
		return "needs something this backend does not provide";
	/* A lifecycle operation that hangs on a tool failing its own check here (CRIU's). */
	unsigned life = wl->needs & (WL_NEEDS_SNAPSHOT | WL_NEEDS_MIGRATE);
	if (life && b->offers && b->offers(&cfg->backend, life, buf, len) < 0)
		return buf;
	if ((wl->needs & WL_NEEDS_DISK) && !cfg->backend.disk_path) {
		snprintf(buf, len, "no test disk: %s",
			 cfg->disk_reason ? cfg->disk_reason : "none was set up");
		return buf;
	}
	if ((wl->flags & WL_WRITES_DISK) && cfg->disk_keep) {
		snprintf(buf, len,
			 "writes the test disk, and %.300s is not one vmbench made: its contents "
			 "would be overwritten (--disk-writable allows it)",
			 cfg->backend.disk_path);
		return buf;
	}
	return NULL;
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
	return c->status == CELL_FAILED || c->status == CELL_SKIPPED || c->status == CELL_NOT_RUN;
}

/* The workloads from position from on that did not run, all with one outcome; a cell with
 * samples from an earlier round keeps them and its status (it has fewer sessions). */
static int add_all(struct results *res, const struct backend_ops *b,
		   const struct workload_ops *const *order, size_t n, size_t from,
		   enum cell_status st, const char *reason)
{
	for (size_t w = from; w < n; w++) {
		if (!plan_applies(b, order[w]))
			continue;
		struct cell *c = cell_for(res, b, order[w]);
		if (!c)
			return -ENOMEM;
		if (!cell_closed(c) && c->n == 0)
			cell_set_status(c, st, "%s", reason);
	}
	return 0;
}

/* What a backend's turn in a round is: the slot, its share of the samples. */
struct turn {
	const struct slot *slot;
	unsigned count; /* rounds */
	struct cellrun run;
	unsigned boots;
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
	json_object_set_new(binfo, "binding", provenance_binding(cfg->backend.cpu));
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

/* Clock steps per sample at least: a sample's timing error is up to two steps, 1% of it. */
#define CLOCK_STEPS_PER_SAMPLE 200

/* The shortest sample in session s: the profile's, lengthened for a coarse guest clock
 * (UML's), never shortened. */
static uint64_t session_min_sample_ns(const struct session *s, uint64_t profile_ns)
{
	double clock_ns = ceil(CLOCK_STEPS_PER_SAMPLE * s->hello.timer_res_ns);

	return clock_ns > (double)profile_ns ? (uint64_t)clock_ns : profile_ns;
}

/* The outcome of a cell that ran in a session: a clock too coarse for its samples makes
 * it noisy (a sample's timing error is up to two clock steps: over 1% is not
 * worth comparing; run_turn lengthens samples so that it is not); then one log line. */
static void cell_judge(const struct session *s, const struct cellrun *cr, struct cell *c)
{
	double step = s->hello.timer_res_ns;

	if (c->status == CELL_OK && c->n &&
	    CLOCK_STEPS_PER_SAMPLE * step > (double)cr->min_sample_ns)
		cell_set_status(c, CELL_NOISY,
				"the guest clock's resolution (%.0f ns) is too coarse for "
				"samples of %.0f ms",
				step, (double)cr->min_sample_ns / 1e6);
	if (c->status == CELL_OK || c->status == CELL_NOISY)
		log_info("%s: %s: median %.4g %s", c->backend, c->workload, c->stats.median,
			 c->unit);
	else
		log_warn("%s: %s: %s: %s", c->backend, c->workload, cell_status_name(c->status),
			 c->reason);
}

/* The backend could not start (err): the turn's cells from position from on fail with
 * that reason, and so does the backend in the provenance. 0 or -ENOMEM. */
static int turn_failed(struct results *res, json_t *binfo, const struct turn *t, size_t from,
		       const char *err)
{
	const struct backend_ops *b = t->slot->backend;
	char when[32] = "", buf[700];

	log_err("%s: cannot start: %s", b->name, err);
	json_object_set_new(binfo, "status", json_string("failed"));
	json_object_set_new(binfo, "reason", json_string(err));
	if (t->count > 1)
		snprintf(when, sizeof(when), " in round %u", t->slot->round + 1);
	snprintf(buf, sizeof(buf), "the backend did not start%s: %s", when, err);
	return add_all(res, b, t->slot->workloads, t->slot->n, from, CELL_FAILED, buf);
}

/* Starts the turn's session; when it cannot start, the turn's cells from position from on
 * fail with the reason. 1 started, 0 not, -ENOMEM. */
static int turn_session(const struct run_cfg *cfg, struct results *res, json_t *binfo,
			const struct turn *t, size_t from, struct session *s)
{
	const struct backend_ops *b = t->slot->backend;
	char err[512];
	int ret = session_start(s, b, &cfg->backend, !cfg->no_probes, err, sizeof(err));

	if (ret < 0) {
		ret = turn_failed(res, binfo, t, from, err);
		return ret < 0 ? ret : 0;
	}
	session_describe(s, binfo);
	json_object_set_new(
		binfo, "min_sample_ns",
		json_integer((json_int_t)session_min_sample_ns(s, t->run.min_sample_ns)));
	return 1;
}

/* Runs hw for reps samples of c (after a start not kept, with warmup), its time in c. */
static int host_run(const struct run_cfg *cfg, const struct turn *t, const struct host_workload *hw,
		    struct cell *c, unsigned reps, bool warmup)
{
	struct host_ctx hc = {
		.backend = t->slot->backend, .cfg = &cfg->backend, .reps = reps, .warmup = warmup
	};
	double t0 = util_now_s();
	int ret = hw->run(&hc, c);

	c->wall_s += util_now_s() - t0;
	return ret;
}

/* The host workload of wl when it takes a sample from the turn's own session start and
 * its cell wants one this turn; NULL otherwise. */
static const struct host_workload *session_sampled(const struct run_cfg *cfg, struct results *res,
						   const struct turn *t,
						   const struct workload_ops *wl, struct cell **c)
{
	const struct host_workload *hw = catalog_host(wl);
	char buf[600];

	if (!hw || !hw->from_session || t->boots == 0 ||
	    cannot_run(cfg, t->slot->backend, wl, buf, sizeof(buf)))
		return NULL;
	*c = cell_for(res, t->slot->backend, wl);
	return *c && !cell_closed(*c) ? hw : NULL;
}

/* The start of a turn whose boot is sampled: a warm-up start first when the backend has not
 * started in this run (it fills the page cache with the kernel and image), then the session,
 * whose start is the sample. 1 the session is up; 0 it is not, *failed when it could not
 * start (the cells say why); -errno. */
static int turn_sampled_start(const struct run_cfg *cfg, struct results *res, json_t *binfo,
			      const struct turn *t, struct session *s, bool *failed)
{
	const struct host_workload *hw = NULL;
	struct cell *c = NULL;
	bool any = false;

	for (size_t w = 0; w < t->slot->n && !any; w++)
		any = (hw = session_sampled(cfg, res, t, t->slot->workloads[w], &c)) != NULL;
	if (!any || proc_interrupted()) /* the turn's loop says what did not run */
		return 0;
	progress_show(t->pr, t->slot->round + 1, t->count, t->slot->backend->name, c->workload,
		      t->boots);
	if (t->run.warmup > 0 && c->n == 0) {
		int ret = host_run(cfg, t, hw, c, 0, true);
		if (ret < 0 || proc_interrupted())
			return ret < 0 ? ret : 0;
		/* A backend that did not start once is not started again for the session. */
		if (cell_closed(c)) {
			*failed = true;
			ret = turn_failed(res, binfo, t, 0, c->reason ? c->reason : "no reason");
			return ret < 0 ? ret : 0;
		}
	}
	int ret = turn_session(cfg, res, binfo, t, 0, s);
	*failed = ret == 0;
	if (ret <= 0)
		return ret;
	for (size_t w = 0; w < t->slot->n; w++) {
		hw = session_sampled(cfg, res, t, t->slot->workloads[w], &c);
		if (!hw)
			continue;
		c->wall_s += s->boot_s;
		if ((ret = hw->from_session(s, c)) < 0) {
			session_stop(s);
			return ret;
		}
	}
	return 1;
}

/* A host workload's samples this turn beyond what its session start gave; after the
 * session, so that they never split it. */
static int turn_host_rest(const struct run_cfg *cfg, struct results *res, const struct turn *t)
{
	for (size_t w = 0; w < t->slot->n; w++) {
		struct cell *c = NULL;
		const struct host_workload *hw =
			session_sampled(cfg, res, t, t->slot->workloads[w], &c);
		if (!hw || t->boots < 2)
			continue;
		progress_show(t->pr, t->slot->round + 1, t->count, t->slot->backend->name,
			      c->workload, t->boots);
		int ret = host_run(cfg, t, hw, c, t->boots - 1, false);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* One backend's turn: a session, the turn's workloads in their order, their samples. */
static int run_turn(const struct run_cfg *cfg, struct results *res, json_t *binfo,
		    const struct turn *t)
{
	const struct backend_ops *b = t->slot->backend;
	const struct workload_ops *const *order = t->slot->workloads;
	size_t n = t->slot->n;
	unsigned index = t->slot->round + 1;
	struct session s;
	char buf[600];
	int ret, restarts = 0;
	bool up = false, booted = false, failed = false;

	/* A boot sampled from this turn's session starts the session first. */
	ret = turn_sampled_start(cfg, res, binfo, t, &s, &failed);
	if (ret < 0 || failed)
		goto out;
	up = booted = ret > 0;
	for (size_t w = 0; w < n; w++) {
		const struct workload_ops *wl = order[w];
		const struct host_workload *hw = catalog_host(wl);
		struct cell *c = cell_for(res, b, wl);

		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		if (cell_closed(c)) {
			t->pr->done++;
			continue;
		}
		if (proc_interrupted()) {
			ret = add_all(res, b, order, n, w, CELL_NOT_RUN,
				      "interrupted before it ran");
			goto out;
		}
		const char *skip = cannot_run(cfg, b, wl, buf, sizeof(buf));
		/* A check cannot_run made (CRIU's) may have been cut short by the user. */
		if (skip && proc_interrupted()) {
			ret = add_all(res, b, order, n, w, CELL_NOT_RUN,
				      "interrupted before it ran");
			goto out;
		}
		if (skip) {
			cell_set_status(c, CELL_SKIPPED, "%s", skip);
			t->pr->done++;
			continue;
		}
		if (hw && hw->from_session) {
			t->pr->done++; /* sampled at the session's start, the rest after it */
			continue;
		}
		unsigned reps = hw ? t->boots : t->run.reps;
		progress_show(t->pr, index, t->count, b->name, wl->name, reps);
		if (hw) {
			/* It starts the backend itself: end the running session first. */
			if (up)
				session_stop(&s);
			up = false;
			/* A warm-up start fills the page cache with the kernel and image, unless
			 * this backend has started already in this run. */
			ret = host_run(cfg, t, hw, c, reps,
				       t->run.warmup > 0 && !booted && c->n == 0);
			/* Saved after every cell: a kill loses only the cell it cut. */
			if (ret < 0 || (ret = write_results(cfg, res)) < 0)
				goto out;
			t->pr->done++;
			continue;
		}
		if (!up) {
			ret = turn_session(cfg, res, binfo, t, w, &s);
			if (ret <= 0)
				goto out;
			up = booted = true;
		}
		struct cellrun cr = t->run;
		cr.min_sample_ns = session_min_sample_ns(&s, t->run.min_sample_ns);
		double t0 = util_now_s();
		ret = cellrun_run(&s, wl, &cr, c);
		c->wall_s += util_now_s() - t0;
		t->pr->done++;
		cell_judge(&s, &cr, c);
		if (ret < 0) {
			/* The conversation is out of step: the next workload gets a new session. */
			session_abandon(&s);
			up = false;
			restarts++;
		}
		if ((ret = write_results(cfg, res)) < 0)
			goto out;
	}
	if (up)
		session_stop(&s);
	up = false;
	ret = proc_interrupted() ? 0 : turn_host_rest(cfg, res, t);
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
	results_sort(res, plan_order, (void *)cfg->plan);
	return results_write(res, cfg->out_path);
}

/* The provenance of the run before it starts: host, settings, one block per backend. */
static int run_provenance(const struct run_cfg *cfg, unsigned rounds, struct results *res,
			  json_t **runinfo, json_t **backends)
{
	res->provenance = provenance_collect(cfg->argc, cfg->argv);
	*runinfo = provenance_run(&cfg->plan->profile, rounds, &cfg->backend);
	*backends = json_object();
	if (!res->provenance || !*runinfo || !*backends) {
		json_decref(*runinfo);
		json_decref(*backends);
		return -ENOMEM;
	}
	/* The backend every ratio refers to, whether or not it is in this run. */
	const struct backend_ops *base = backend_baseline();
	if (base)
		json_object_set_new(*runinfo, "baseline", json_string(base->name));
	pin_harness(cfg->backend.cpu, *runinfo);
	json_object_set_new(*runinfo, "disk",
			    cfg->backend.disk_path ? json_string(cfg->backend.disk_path)
						   : json_null());
	/* Whose the disk is: the user's (--disk) is written only with --disk-writable. */
	json_object_set_new(*runinfo, "disk_writable",
			    json_boolean(cfg->backend.disk_path && !cfg->disk_keep));
	json_object_set_new(*runinfo, "image", cfg->image ? json_incref(cfg->image) : json_null());
	/* A run measured beside another (--no-lock) says so. */
	json_object_set_new(*runinfo, "lock", cfg->lock ? json_incref(cfg->lock) : json_null());
	json_object_set_new(res->provenance, "run", *runinfo);
	json_object_set_new(res->provenance, "backends", *backends);
	return 0;
}

int run_execute(const struct run_cfg *cfg, struct results *res)
{
	const struct plan *p = cfg->plan;
	const struct profile *pf = &p->profile;
	unsigned rounds = schedule_rounds(pf);
	struct schedule sch = { 0 };
	struct sizes sz = { 0 };
	json_t *runinfo, *backends;
	bool *usable = calloc(p->nbackends + 1, sizeof(*usable));
	int ret;

	results_init(res);
	ret = usable ? run_provenance(cfg, rounds, res, &runinfo, &backends) : -ENOMEM;
	/* The order that ran, turn by turn as each starts (what a file cut short shows). */
	json_t *order = NULL;
	if (ret == 0) {
		json_object_set_new(runinfo, "seed", json_integer((json_int_t)cfg->seed));
		/* A run slowed on purpose says so: its numbers are not the build's. */
		if (cfg->extra_workload)
			json_object_set_new(
				runinfo, "test_extra_work",
				json_pack("{s:i}", cfg->extra_workload, (int)cfg->extra_work));
		order = json_array();
		ret = json_object_set_new(runinfo, "order", order) < 0 ? -ENOMEM : 0;
	}
	if (ret == 0)
		ret = write_results(cfg, res);
	if (ret < 0)
		goto out;
	struct progress pr = { .t0 = util_now_s() };
	for (size_t i = 0; i < p->nbackends; i++) {
		json_t *binfo = json_object();
		json_object_set_new(backends, p->backends[i]->name, binfo);
		ret = backend_usable(cfg, p->backends[i], res, binfo);
		if (ret < 0)
			goto out;
		usable[i] = ret;
		for (size_t w = 0; ret && w < p->nworkloads; w++)
			pr.total += plan_applies(p->backends[i], p->workloads[w]) ? rounds : 0;
	}
	ret = schedule_build(&sch, p, usable, rounds, cfg->seed);
	if (ret < 0)
		goto out;
	const char *llc_source;
	uint64_t llc = meminfo_llc(&llc_source);
	ret = sizes_plan(&sz, p, usable, cfg->backend.mem_mib, meminfo_total(), llc);
	if (ret == 0 && json_object_set_new(runinfo, "sizes", sizes_json(&sz)) < 0)
		ret = -ENOMEM;
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < sch.n; i++) {
		const struct slot *sl = &sch.slots[i];
		unsigned r = sl->round;
		struct turn t = {
			.slot = sl,
			.count = rounds,
			.run = { .reps = profile_round_share(pf->reps, rounds, r),
				 .warmup = pf->warmup,
				 .min_sample_ns = pf->min_sample_ns,
				 .quiet_s = pf->quiet_s,
				 .max_sample_ms = profile_max_sample_ms(pf),
				 .count = r + 1 == rounds,
				 .sizes = &sz,
				 .extra_workload = cfg->extra_workload,
				 .extra_work = cfg->extra_work },
			.boots = profile_round_share(pf->boot_reps, rounds, r),
			.pr = &pr,
		};
		while (order && json_array_size(order) <= r)
			json_array_append_new(order, json_array());
		if (order &&
		    json_array_append_new(json_array_get(order, r), schedule_slot_json(sl)) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		json_t *binfo = json_object_get(backends, sl->backend->name);
		if (proc_interrupted() && !json_object_get(binfo, "agent")) {
			json_object_set_new(binfo, "status", json_string("not run"));
			json_object_set_new(binfo, "reason",
					    json_string("interrupted before it ran"));
		}
		ret = run_turn(cfg, res, binfo, &t);
		if (ret == 0)
			ret = write_results(cfg, res);
		if (ret < 0)
			goto out;
	}
	/* One array per round, also for rounds in which no backend could run. */
	while (order && json_array_size(order) < rounds)
		json_array_append_new(order, json_array());
	log_status_clear();
	if (proc_interrupted()) {
		ret = -EINTR;
		goto out;
	}
	/* The measuring itself, what a profile's time budget is about (no build, no image). */
	double wall = util_now_s() - pr.t0;
	json_object_set_new(runinfo, "wall_s", json_real(wall));
	log_info("run: %u cell%s in %d:%02d", pr.total, pr.total == 1 ? "" : "s", (int)wall / 60,
		 (int)wall % 60);
	res->complete = true;
	ret = write_results(cfg, res);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < res->n; i++)
		if (res->cells[i].status == CELL_FAILED)
			ret = 1;
out:
	log_status_clear();
	schedule_free(&sch);
	sizes_free(&sz);
	free(usable);
	return ret;
}
