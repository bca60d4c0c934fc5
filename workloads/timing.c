/* Timing in the agent: CLOCK_MONOTONIC samples, calibration of iteration counts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "workloads/timing.h"

extern const struct workload_ops workload_null;

uint64_t timing_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* n steps of a linear congruential generator, each depending on the last: work that no
 * compiler or CPU can skip or overlap (the extra work of wl_req). */
static uint64_t extra_work(uint64_t n)
{
	uint64_t x = 1;

	for (uint64_t i = 0; i < n; i++)
		x = (uint64_t)WL_OPAQUE(x * 6364136223846793005ull + 1442695040888963407ull);
	return x;
}

int timing_sample(struct wl_ctx *ctx, uint64_t iters, uint64_t *ns)
{
	uint64_t more = ctx->req ? ctx->req->extra_work : 0;

	ctx->untimed_ns = 0;
	uint64_t t0 = timing_now_ns();
	int ret = ctx->ops->op(ctx, iters);
	if (more)
		ctx->sink += extra_work(iters * more);
	uint64_t t1 = timing_now_ns();

	if (ret < 0)
		return ret;
	uint64_t d = t1 - t0;
	ctx->elapsed_ns = d;
	/* What is left after taking out as much as there was is no measurement: counted, so
	 * that the measured phase fails with both durations (timing_run), never a zero. */
	if (ctx->untimed_ns && ctx->untimed_ns >= d) {
		ctx->unmeasured++;
		ctx->unmeasured_untimed_ns = ctx->untimed_ns;
		ctx->unmeasured_elapsed_ns = d;
		*ns = 0;
		return 0;
	}
	*ns = d - ctx->untimed_ns;
	return 0;
}

int timing_prepare(struct wl_ctx *ctx, const struct wl_req *req, uint64_t *iters, uint64_t *est_ns)
{
	uint64_t n, est, ns;
	int ret;

	if (req->iters) {
		n = req->iters;
		ret = timing_sample(ctx, n, &ns);
		est = ctx->elapsed_ns;
	} else {
		ret = timing_calibrate(ctx, req->min_sample_ns, &n, &est);
	}
	for (int round = 0; ret == 0 && req->warmup && round < 3; round++) {
		uint64_t fastest = UINT64_MAX;
		for (uint64_t i = 0; ret == 0 && i < req->warmup; i++) {
			ret = timing_sample(ctx, n, &ns);
			if (ret == 0 && ctx->elapsed_ns < fastest)
				fastest = ctx->elapsed_ns;
		}
		if (ret < 0 || req->iters || fastest >= req->min_sample_ns)
			break;
		uint64_t more = timing_scale_iters(n, fastest, req->min_sample_ns);
		est = (uint64_t)((double)fastest * (double)more / (double)n);
		n = more;
	}
	if (ret < 0)
		return ret;
	*iters = n;
	*est_ns = est;
	return 0;
}

int timing_sample_min(struct wl_ctx *ctx, uint64_t iters, uint64_t min_ns, uint64_t *ns,
		      uint64_t *done)
{
	uint64_t total = 0, elapsed = 0, n = 0, chunk = iters, t;

	for (;;) {
		int ret = timing_sample(ctx, chunk, &t);
		if (ret < 0)
			return ret;
		total += t;
		elapsed += ctx->elapsed_ns;
		n += chunk;
		if (elapsed >= min_ns)
			break;
		chunk = iters / 4 ? iters / 4 : 1;
	}
	*ns = total;
	*done = n;
	return 0;
}

int timing_run(struct wl_ctx *ctx, uint64_t iters, uint64_t min_ns, uint64_t reps, uint64_t *ns,
	       uint64_t *done)
{
	ctx->unmeasured = 0;
	for (uint64_t i = 0; i < reps; i++) {
		int ret = timing_sample_min(ctx, iters, min_ns, &ns[i], &done[i]);
		if (ret < 0)
			return ret;
	}
	if (!ctx->unmeasured)
		return 0;
	snprintf(ctx->reason, sizeof(ctx->reason),
		 "the overhead taken out of a sample was as long as the sample (%llu ns of %llu "
		 "ns, %llu time%s): the operation cannot be told apart from it here",
		 (unsigned long long)ctx->unmeasured_untimed_ns,
		 (unsigned long long)ctx->unmeasured_elapsed_ns,
		 (unsigned long long)ctx->unmeasured, ctx->unmeasured == 1 ? "" : "s");
	return -ERANGE;
}

double timing_value(const struct workload_ops *ops, double units_per_iter, uint64_t ns,
		    uint64_t iters, double loop_ns)
{
	double net = (double)ns;
	double units = (double)iters * units_per_iter;

	if (ops->flags & WL_SUBTRACT_LOOP)
		net -= loop_ns * (double)iters;
	return ops->value == WL_RATE ? units / net : net / units;
}

uint64_t timing_scale_iters(uint64_t iters, uint64_t ns, uint64_t min_ns)
{
	if (ns == 0)
		return iters * 16;
	double want = (double)iters * (double)min_ns * 1.2 / (double)ns;
	if (want > 1e15)
		want = 1e15;
	uint64_t n = (uint64_t)want + 1;
	return n > iters ? n : iters;
}

int timing_calibrate(struct wl_ctx *ctx, uint64_t min_ns, uint64_t *iters, uint64_t *est_ns)
{
	uint64_t n = 1, ns = 0;
	int ret;

	/* Durations here are whole samples (ctx->elapsed_ns): a workload whose untimed part
	 * is most of a sample (lmbench's pipe overhead under UML) still stops calibrating. */
	for (;;) {
		ret = timing_sample(ctx, n, &ns);
		if (ret < 0)
			return ret;
		ns = ctx->elapsed_ns;
		if (ns >= min_ns / 10 || n >= (1ull << 50))
			break;
		n *= 2;
	}
	/* Scale up, then confirm: a short sample mispredicts (caches, frequency, jitter).
	 * Aim 20% above min_ns and accept 10% above, so that later samples, which may run
	 * faster than this one, still last min_ns. */
	for (int tries = 0; tries < 8; tries++) {
		if (ns >= min_ns + min_ns / 10)
			break;
		n = timing_scale_iters(n, ns, min_ns);
		ret = timing_sample(ctx, n, &ns);
		if (ret < 0)
			return ret;
		ns = ctx->elapsed_ns;
	}
	if (ns < min_ns)
		return -ERANGE;
	*iters = n;
	*est_ns = ns;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int timing_loop_cost(struct wl_ctx *ctx, uint64_t iters, double *ns)
{
	enum { SAMPLES = 5, MIN_NS = 1000000 };
	double per[SAMPLES];
	uint64_t n = iters ? iters : 1;

	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0, d;
		int ret;
		for (;;) {
			t0 = timing_now_ns();
			ret = ctx->ops->empty(ctx, n);
			d = timing_now_ns() - t0;
			if (ret < 0)
				return ret;
			if (d >= MIN_NS || n >= (1ull << 50))
				break;
			n *= 2;
		}
		per[i] = (double)d / (double)n;
	}
	qsort(per, SAMPLES, sizeof(per[0]), cmp_double);
	*ns = per[SAMPLES / 2];
	return 0;
}

int timing_probe(struct timer_info *ti)
{
	enum { ROUNDS = 1000, LOOP_SAMPLES = 5 };
	uint64_t best = UINT64_MAX;

	/* Resolution: the smallest non-zero difference between consecutive reads (at most
	 * ~50 ms of trying, for coarse clocks). */
	uint64_t start = timing_now_ns();
	for (int i = 0; i < ROUNDS && timing_now_ns() - start < 50000000; i++) {
		uint64_t a = timing_now_ns(), b;
		while ((b = timing_now_ns()) == a)
			;
		if (b - a < best)
			best = b - a;
	}
	ti->res_ns = (double)best;

	/* Cost of a read: many back-to-back reads. */
	uint64_t t0 = timing_now_ns();
	for (int i = 0; i < ROUNDS * 10; i++)
		(void)timing_now_ns();
	ti->read_ns = (double)(timing_now_ns() - t0) / (ROUNDS * 10 + 1);

	/* The empty loop, calibrated like any workload; the median of a few samples. */
	struct wl_ctx ctx = { .ops = &workload_null, .units_per_iter = 1 };
	uint64_t iters, ns;
	double per[LOOP_SAMPLES];
	int ret = timing_calibrate(&ctx, 2000000, &iters, &ns);
	if (ret < 0)
		return ret;
	for (int i = 0; i < LOOP_SAMPLES; i++) {
		ret = timing_sample(&ctx, iters, &ns);
		if (ret < 0)
			return ret;
		per[i] = (double)ns / (double)iters;
	}
	qsort(per, LOOP_SAMPLES, sizeof(per[0]), cmp_double);
	ti->loop_ns = per[LOOP_SAMPLES / 2];
	return 0;
}
