/* Timing in the agent: the clock, its resolution and cost, loop overhead, calibration. */
#ifndef VMBENCH_TIMING_H
#define VMBENCH_TIMING_H

#include <stdint.h>

#include "workloads/workload.h"

struct timer_info {
	double res_ns;	/* smallest non-zero step between two clock reads */
	double read_ns; /* cost of one clock read */
	double loop_ns; /* cost of one iteration of the empty benchmark loop */
};

uint64_t timing_now_ns(void);
/* Measures the clock and the empty loop. Takes a few tens of milliseconds. */
int timing_probe(struct timer_info *ti) __must_check;
/* Times one sample of iters operations. 0 with *ns set (the untimed part taken out;
 * ctx->elapsed_ns is the whole), or the op's -errno. An untimed part as long as the whole
 * leaves no measurement: counted in ctx->unmeasured, *ns 0. Sample lengths below (min_ns)
 * are whole durations. */
int timing_sample(struct wl_ctx *ctx, uint64_t iters, uint64_t *ns) __must_check;
/*
 * Finds iters such that one sample lasts at least min_ns: doubles from 1 until a sample
 * takes a tenth of min_ns, then scales up aiming 20% above min_ns until a sample lasts
 * 10% more than min_ns. *est_ns is the duration of the last calibration sample at the
 * chosen iters. -ERANGE when no sample reached min_ns.
 */
int timing_calibrate(struct wl_ctx *ctx, uint64_t min_ns, uint64_t *iters, uint64_t *est_ns)
	__must_check;
/* Iteration count needed for min_ns given that iters took ns (pure; unit-tested). */
uint64_t timing_scale_iters(uint64_t iters, uint64_t ns, uint64_t min_ns);
/*
 * Calibration (unless req->iters fixes the count) and warm-up: req->warmup samples are
 * run and dropped; when the fastest of them ran shorter than min_sample_ns, iters is
 * scaled up from it and the warm-up repeated (three rounds at most).
 */
int timing_prepare(struct wl_ctx *ctx, const struct wl_req *req, uint64_t *iters, uint64_t *est_ns)
	__must_check;
/*
 * One sample that lasts at least min_ns: iters operations, topped up in chunks of a
 * quarter of iters while the time is still short (the machine got faster since the
 * calibration). *ns is the time, *done the operations run.
 */
int timing_sample_min(struct wl_ctx *ctx, uint64_t iters, uint64_t min_ns, uint64_t *ns,
		      uint64_t *done) __must_check;
/* The measured samples: reps samples of at least min_ns each; raw elapsed times (untimed
 * work excluded) into ns, operation counts into done. -ERANGE with the reason when a part
 * of one was no measurement (its untimed part as long as it). */
int timing_run(struct wl_ctx *ctx, uint64_t iters, uint64_t min_ns, uint64_t reps, uint64_t *ns,
	       uint64_t *done) __must_check;
/*
 * The cost of one iteration of the workload's empty loop (ops->empty, WL_SUBTRACT_LOOP),
 * into *ns: the median of 5 timings, each of at least iters iterations and at least 1 ms
 * (doubling the count), so that the clock's own cost and steps stay out of it.
 */
int timing_loop_cost(struct wl_ctx *ctx, uint64_t iters, double *ns) __must_check;
/*
 * A sample's value in the workload's unit (pure; unit-tested): the elapsed ns less
 * loop_ns per iteration when the workload subtracts loop cost, per unit of work
 * (WL_TIME) or units of work per ns (WL_RATE).
 */
double timing_value(const struct workload_ops *ops, double units_per_iter, uint64_t ns,
		    uint64_t iters, double loop_ns);

#endif
