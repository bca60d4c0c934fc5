/*
 * Memory workloads: page faults and mmap (memory management), STREAM bandwidth, and a
 * randomized pointer chase over growing working sets (lmbench lat_mem_rd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/meminfo.h"
#include "workloads/timing.h"
#include "workloads/workload.h"

#define MIB (1024ull * 1024)

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Anonymous memory without transparent huge pages: 4 KiB faults on every host. */
static void *map_anon(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* The same, its pages faulted in by the kernel in one call where it can, for set-up
 * memory that is filled anyway: one call costs less than a fault per page where faults
 * are dear (a guest's); a UML guest gains nothing, its host-side faults come at first
 * touch. A kernel without MADV_POPULATE_WRITE leaves them to the fill. */
static void *map_anon_populated(size_t bytes)
{
	void *p = map_anon(bytes);

	if (p)
		(void)madvise(p, bytes, MADV_POPULATE_WRITE);
	return p;
}

/* ---- mem.pagefault: first touch of fresh anonymous pages ---- */

#define PF_REGION (64 * MIB)

struct pf_state {
	char *base;
	size_t pages, next, page;
};

static int pf_setup(struct wl_ctx *ctx)
{
	struct pf_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->page = page_size();
	st->pages = PF_REGION / st->page;
	st->base = map_anon(PF_REGION);
	if (!st->base) {
		free(st);
		return -ENOMEM;
	}
	ctx->priv = st;
	return 0;
}

static void pf_teardown(struct wl_ctx *ctx)
{
	struct pf_state *st = ctx->priv;

	if (st) {
		munmap(st->base, PF_REGION);
		free(st);
	}
	ctx->priv = NULL;
}

/* One operation: the first write to a fresh page. Replacing a used-up region (munmap,
 * mmap) is bookkeeping and not timed. */
static int pf_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct pf_state *st = ctx->priv;

	for (uint64_t i = 0; i < iters; i++) {
		if (st->next == st->pages) {
			uint64_t t0 = timing_now_ns();
			munmap(st->base, PF_REGION);
			st->base = map_anon(PF_REGION);
			st->next = 0;
			ctx->untimed_ns += timing_now_ns() - t0;
			if (!st->base)
				return -ENOMEM;
		}
		st->base[st->next++ * st->page] = 1;
	}
	return 0;
}

/* ---- mem.mmap: map, touch and unmap 16 MiB ---- */

#define MMAP_BYTES (16 * MIB)

static int mmap_setup(struct wl_ctx *ctx)
{
	ctx->units_per_iter = (double)(MMAP_BYTES / MIB);
	return 0;
}

static int mmap_op(struct wl_ctx *ctx, uint64_t iters)
{
	size_t page = page_size();

	for (uint64_t i = 0; i < iters; i++) {
		char *p = map_anon(MMAP_BYTES);
		if (!p)
			return -ENOMEM;
		for (size_t off = 0; off < MMAP_BYTES; off += page)
			p[off] = 1;
		munmap(p, MMAP_BYTES);
	}
	return 0;
}

/* ---- mem.bw.*: STREAM ---- */

enum stream_kernel { STREAM_COPY, STREAM_SCALE, STREAM_ADD, STREAM_TRIAD };

struct stream_state {
	double *a, *b, *c; /* in one mapping, a at its start */
	size_t n, map_bytes;
	enum stream_kernel k;
};

/*
 * The gaps before b and before c, as STREAM's OFFSET: odd numbers of pages, different from
 * each other. Arrays of a power-of-two size back to back put a[i], b[i] and c[i] on pages
 * of the same index in a TLB indexed by low page-number bits; under TCG, whose software
 * TLB is direct-mapped, such arrays make every access of scale, add and triad miss it.
 * Whole pages, so that the arrays keep the same offsets within a page as back to back:
 * gaps of a few cache lines more cost native add and triad bandwidth on some hosts.
 */
static size_t stream_gap_b(void)
{
	return 5 * page_size();
}

static size_t stream_gap_c(void)
{
	return 11 * page_size();
}

/* What the last STREAM run left for the next kernel (stream_release frees it). */
static struct stream_state *stream_kept;

static void stream_free(struct stream_state *st)
{
	if (st->a)
		munmap(st->a, st->map_bytes);
	free(st);
}

static void stream_release(void)
{
	if (stream_kept)
		stream_free(stream_kept);
	stream_kept = NULL;
}

/* Keeps the arrays for the next STREAM kernel. */
static void stream_teardown(struct wl_ctx *ctx)
{
	struct stream_state *st = ctx->priv;

	if (!st)
		return;
	stream_release();
	if (st->a)
		stream_kept = st;
	else
		stream_free(st);
	ctx->priv = NULL;
}

/* STREAM's rule: each array at least 4 times the last-level cache, and never under 64 MiB: a
 * guest may not see the host's cache (no cache sysfs or CPUID leaves on a virtual CPU) or
 * see a made-up one, and a server's L3 is 16-32 MiB per die (arrays of 16 MiB measured 2x
 * DRAM's bandwidth on such a host). Each array within 3/16 of memory, so that the three
 * fit beside a guest's kernel and image; whole MiB, page-aligned. */
static uint64_t stream_size(uint64_t mem_total, uint64_t llc)
{
	uint64_t bytes = llc && 4 * llc > 64 * MIB ? 4 * llc : 64 * MIB;

	if (mem_total && bytes > mem_total / 16 * 3)
		bytes = mem_total / 16 * 3 / MIB * MIB;
	return bytes < MIB ? MIB : bytes;
}

static int stream_setup(struct wl_ctx *ctx, enum stream_kernel k)
{
	static const double bytes_per_elem[] = { 16, 16, 24, 24 };
	const char *llc_source;
	uint64_t llc = meminfo_llc(&llc_source), avail = meminfo_available();
	/* The arrays kept from the previous kernel count as available: they are this
	 * kernel's if the size stays, and a size worked out without them would shrink by
	 * their share and set up new arrays for every kernel (seconds each under UML,
	 * whose first touch of a page is dear). */
	if (avail && stream_kept)
		avail += stream_kept->map_bytes;
	uint64_t bytes =
		ctx->req->bytes ? ctx->req->bytes / MIB * MIB : stream_size(meminfo_total(), llc);
	/* The size is the run's: one that does not fit fails, it is never shrunk here. */
	if (bytes < MIB || (avail && 3 * bytes > avail / 8 * 7)) {
		snprintf(ctx->reason, sizeof(ctx->reason),
			 "3 arrays of %llu MiB do not fit in the %llu MiB available",
			 (unsigned long long)(bytes / MIB), (unsigned long long)(avail / MIB));
		return -ENOMEM;
	}
	size_t n = bytes / sizeof(double);
	struct stream_state *st = stream_kept;

	if (st && st->n == n) { /* the previous kernel's arrays, filled again below */
		stream_kept = NULL;
	} else {
		stream_release();
		st = calloc(1, sizeof(*st));
		if (!st)
			return -ENOMEM;
		st->n = n;
		st->map_bytes = 3 * n * sizeof(double) + stream_gap_b() + stream_gap_c();
		st->a = map_anon_populated(st->map_bytes);
		if (st->a) {
			st->b = (double *)((char *)(st->a + n) + stream_gap_b());
			st->c = (double *)((char *)(st->b + n) + stream_gap_c());
		}
	}
	st->k = k;
	ctx->priv = st;
	if (!st->a) {
		snprintf(ctx->reason, sizeof(ctx->reason), "cannot map 3 x %llu MiB",
			 (unsigned long long)(bytes / MIB));
		stream_teardown(ctx);
		return -ENOMEM;
	}
	/* Values that differ from page to page: pages of equal content could be merged by the
	 * host (KSM, zero pages) and read from one cached frame. */
	for (size_t i = 0; i < st->n; i++) {
		st->a[i] = 1.0 + (double)i * 1e-9;
		st->b[i] = 2.0 + (double)i * 1e-9;
		st->c[i] = 0.5 + (double)i * 1e-9;
	}
	ctx->units_per_iter = bytes_per_elem[k] * (double)st->n;
	json_object_set_new(ctx->extra, "array_bytes", json_integer((json_int_t)bytes));
	json_object_set_new(ctx->extra, "problem_bytes", json_integer((json_int_t)bytes));
	json_object_set_new(
		ctx->extra, "array_gaps_bytes",
		json_pack("[I, I]", (json_int_t)stream_gap_b(), (json_int_t)stream_gap_c()));
	json_object_set_new(ctx->extra, "llc_bytes",
			    llc ? json_integer((json_int_t)llc) : json_null());
	json_object_set_new(ctx->extra, "arrays_at_least_4x_llc",
			    json_boolean(llc && bytes >= 4 * llc));
	json_object_set_new(ctx->extra, "llc_source",
			    llc_source ? json_string(llc_source) : json_null());
	return 0;
}

/* One iteration: one pass of the kernel over the arrays (bytes counted as STREAM does). */
static int stream_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct stream_state *st = ctx->priv;
	double *restrict a = st->a, *restrict b = st->b, *restrict c = st->c;
	const double q = 3.0;
	size_t n = st->n;

	for (uint64_t it = 0; it < iters; it++) {
		switch (st->k) {
		case STREAM_COPY:
			/* STREAM's own loop, the same instructions in every backend (no
			 * memcpy: see CMakeLists.txt). */
			for (size_t i = 0; i < n; i++)
				c[i] = a[i];
			break;
		case STREAM_SCALE:
			for (size_t i = 0; i < n; i++)
				b[i] = q * c[i];
			break;
		case STREAM_ADD:
			for (size_t i = 0; i < n; i++)
				c[i] = a[i] + b[i];
			break;
		case STREAM_TRIAD:
			for (size_t i = 0; i < n; i++)
				a[i] = b[i] + q * c[i];
			break;
		}
		__asm__ volatile("" ::: "memory");
	}
	ctx->sink += (uint64_t)a[n / 2];
	return 0;
}

#define STREAM_SETUP(name, k)                                \
	static int stream_##name##_setup(struct wl_ctx *ctx) \
	{                                                    \
		return stream_setup(ctx, k);                 \
	}
STREAM_SETUP(copy, STREAM_COPY)
STREAM_SETUP(scale, STREAM_SCALE)
STREAM_SETUP(add, STREAM_ADD)
STREAM_SETUP(triad, STREAM_TRIAD)

#define STREAM_WORKLOAD(kname, sum)                           \
	const struct workload_ops workload_mem_bw_##kname = { \
		.abi = WORKLOAD_ABI,                          \
		.name = "mem.bw." #kname,                     \
		.summary = sum,                               \
		.unit = "GB/s",                               \
		.better = BETTER_HIGHER,                      \
		.value = WL_RATE,                             \
		.setup = stream_##kname##_setup,              \
		.teardown = stream_teardown,                  \
		.op = stream_op,                              \
		.release = stream_release,                    \
		.size = stream_size,                          \
	}
STREAM_WORKLOAD(copy, "STREAM copy c = a (its loop, not memcpy), arrays of the run's size: "
		      ">= 64 MiB and 4x the LLC where every backend has the memory");
STREAM_WORKLOAD(scale, "STREAM scale b = q c");
STREAM_WORKLOAD(add, "STREAM add c = a + b");
STREAM_WORKLOAD(triad, "STREAM triad a = b + q c");

/* ---- mem.lat: randomized pointer chase over working sets from 4 KiB to 256 MiB ---- */

#define LAT_LINE 64
#define LAT_MIN	 (4 * 1024ull)
#define LAT_MAX	 (256 * MIB)

struct lat_state {
	char *buf;
	size_t bytes;
	void **start;
	uint32_t *order;
};

/* The largest working set: a power of two within 3/8 of memory, so that a small guest
 * still gets a whole curve. */
static uint64_t lat_size(uint64_t mem_total, uint64_t llc)
{
	uint64_t max = LAT_MAX;

	(void)llc;
	while (mem_total && max > LAT_MIN && max > mem_total / 8 * 3)
		max /= 2;
	return max;
}

static int lat_setup(struct wl_ctx *ctx)
{
	uint64_t avail = meminfo_available();
	uint64_t max = ctx->req->bytes ? ctx->req->bytes : lat_size(meminfo_total(), 0);
	struct lat_state *st;

	/* The run's size or none: a curve that stops early would compare unlike things. */
	if (max < LAT_MIN || (max & (max - 1)) ||
	    (avail && max + max / LAT_LINE * sizeof(uint32_t) > avail / 8 * 7)) {
		snprintf(
			ctx->reason, sizeof(ctx->reason),
			"a working set of %llu KiB (a power of two from 4 KiB) does not fit in the "
			"%llu MiB available",
			(unsigned long long)(max / 1024), (unsigned long long)(avail / MIB));
		return -ENOMEM;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->bytes = max;
	st->buf = map_anon_populated(max);
	st->order = malloc((max / LAT_LINE) * sizeof(*st->order));
	if (!st->buf || !st->order) {
		if (st->buf)
			munmap(st->buf, max);
		free(st->order);
		free(st);
		return -ENOMEM;
	}
	memset(st->buf, 0, max);
	ctx->npoints = 0;
	for (uint64_t sz = LAT_MIN; sz <= max && ctx->npoints < WL_MAX_POINTS; sz *= 2)
		ctx->x[ctx->npoints++] = (double)sz;
	ctx->x_unit = "bytes";
	ctx->priv = st;
	json_object_set_new(ctx->extra, "line_bytes", json_integer(LAT_LINE));
	json_object_set_new(ctx->extra, "max_bytes", json_integer((json_int_t)max));
	json_object_set_new(ctx->extra, "problem_bytes", json_integer((json_int_t)max));
	return 0;
}

static void lat_teardown(struct wl_ctx *ctx)
{
	struct lat_state *st = ctx->priv;

	if (st) {
		munmap(st->buf, st->bytes);
		free(st->order);
		free(st);
	}
	ctx->priv = NULL;
}

/* A cycle through every line of the working set in a random order, the same order in
 * every backend (a fixed-seed xorshift drives the shuffle). */
static int lat_point(struct wl_ctx *ctx, size_t i)
{
	struct lat_state *st = ctx->priv;
	size_t lines = (size_t)ctx->x[i] / LAT_LINE;
	uint64_t r = 0x9e3779b97f4a7c15ull;

	for (size_t k = 0; k < lines; k++)
		st->order[k] = (uint32_t)k;
	for (size_t k = lines - 1; k > 0; k--) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		size_t j = (size_t)(r % (k + 1));
		uint32_t t = st->order[k];
		st->order[k] = st->order[j];
		st->order[j] = t;
	}
	for (size_t k = 0; k < lines; k++)
		*(void **)(st->buf + (size_t)st->order[k] * LAT_LINE) =
			st->buf + (size_t)st->order[(k + 1) % lines] * LAT_LINE;
	st->start = (void **)(st->buf + (size_t)st->order[0] * LAT_LINE);
	return 0;
}

/* One operation: one dependent load. */
static int lat_op(struct wl_ctx *ctx, uint64_t iters)
{
	struct lat_state *st = ctx->priv;
	void **p = st->start;

	for (uint64_t i = 0; i < iters; i++)
		p = (void **)*p;
	st->start = p;
	ctx->sink += (uint64_t)(uintptr_t)p;
	return 0;
}

const struct workload_ops workload_mem_pagefault = {
	.abi = WORKLOAD_ABI,
	.name = "mem.pagefault",
	.summary = "first touch of a fresh anonymous 4 KiB page, per page (lat_pagefault maps "
		   "a file)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.lmbench = "page fault (anonymous)",
	.plots = PLOT_TRAPS,
	.plot_order = 2,
	.setup = pf_setup,
	.teardown = pf_teardown,
	.op = pf_op,
};

const struct workload_ops workload_mem_mmap = {
	.abi = WORKLOAD_ABI,
	.name = "mem.mmap",
	.summary = "mmap, touch every page and munmap 16 MiB, per MiB",
	.unit = "ns/MiB",
	.better = BETTER_LOWER,
	.setup = mmap_setup,
	.op = mmap_op,
};

const struct workload_ops workload_mem_lat = {
	.abi = WORKLOAD_ABI,
	.name = "mem.lat",
	.summary = "randomized pointer chase, ns per load over working sets 4 KiB..256 MiB "
		   "(samples: the largest)",
	.unit = "ns/op",
	.better = BETTER_LOWER,
	.plots = PLOT_MEMLAT,
	.setup = lat_setup,
	.size = lat_size,
	.teardown = lat_teardown,
	.point = lat_point,
	.op = lat_op,
};
